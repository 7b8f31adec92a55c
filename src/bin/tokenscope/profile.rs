//! `tokenscope profile`: provider profiles (issuer, client, redirect, scopes) in the config file.
//!
//! `add` never contacts the issuer. Its client secret is read only from standard input
//! (`--client-secret-stdin`) and goes to the OS keychain; without a keychain it exits 2 with
//! `vault.unavailable` and saves nothing. `remove` deletes the profile's keychain entries too, so it
//! needs the keychain. Profiles live in `profiles.json` under `$TOKENSCOPE_CONFIG_DIR`, else the
//! platform config directory (`$XDG_CONFIG_HOME/tokenscope` on Linux).

use std::process::ExitCode;

use clap::{Args, Subcommand};
use serde_json::json;
use tokenscope::vault::profiles::{ClientAuthMethod, RedirectHost};
use tokenscope::vault::{
    add_profile_with_client_secret, remove_profile, Profile, ProfileError, SERVICE,
};

use crate::output::{CliError, Output};
use crate::render::printable;
use crate::vault::{open_vault, profile_store, read_secret_text};

#[derive(Debug, Args)]
pub struct ProfileArgs {
    #[command(subcommand)]
    command: ProfileCommand,
}

#[derive(Debug, Subcommand)]
enum ProfileCommand {
    /// Add a provider profile (the issuer is not contacted).
    Add(AddArgs),
    /// List the profiles.
    List(JsonOnly),
    /// Show one profile.
    Show(NameArgs),
    /// Remove a profile and its keychain entries.
    Remove(NameArgs),
}

#[derive(Debug, Args)]
struct AddArgs {
    /// The profile's name: letters, digits, '.', '_' and '-'.
    name: String,
    /// The issuer (its discovery document supplies the endpoints later).
    #[arg(long, value_name = "URL")]
    issuer: String,
    /// The client ID registered with the issuer.
    #[arg(long, value_name = "ID")]
    client_id: String,
    /// Space-separated scopes [default: openid].
    #[arg(long, value_name = "SCOPES")]
    scope: Option<String>,
    /// Read the client secret from standard input; it is kept in the OS keychain only.
    #[arg(long)]
    client_secret_stdin: bool,
    /// The loopback host of the redirect URI [default: 127.0.0.1].
    #[arg(long, value_name = "HOST", value_parser = ["127.0.0.1", "[::1]", "localhost"])]
    redirect_host: Option<String>,
    /// A fixed redirect port; without it each flow uses a port the system picks.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    redirect_port: Option<u16>,
    /// The redirect URI's path [default: /callback].
    #[arg(long, value_name = "PATH")]
    redirect_path: Option<String>,
    /// How the client authenticates at the token endpoint [default: client_secret_basic with
    /// --client-secret-stdin, else none].
    #[arg(long, value_name = "METHOD", value_parser = ["none", "client_secret_basic", "client_secret_post"])]
    client_auth: Option<String>,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct JsonOnly {
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct NameArgs {
    /// The profile's name.
    name: String,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

pub fn run(args: ProfileArgs) -> ExitCode {
    let (json, result) = match args.command {
        ProfileCommand::Add(a) => (a.json, add(a)),
        ProfileCommand::List(a) => (a.json, list()),
        ProfileCommand::Show(a) => (a.json, show(&a.name)),
        ProfileCommand::Remove(a) => (a.json, remove(&a.name)),
    };
    let out = Output::new(json);
    match result {
        Ok((value, text)) => out.success(&value, |w| w.write_all(text.as_bytes())),
        Err(e) => out.failure(&e),
    }
}

type Printed = (serde_json::Value, String);

fn add(args: AddArgs) -> Result<Printed, CliError> {
    let scopes = args.scope.as_deref().unwrap_or("openid");
    let mut profile = Profile {
        issuer: Some(args.issuer),
        scopes: scopes.split_whitespace().map(str::to_owned).collect(),
        ..Profile::new(&args.name, &args.client_id)
    };
    if let Some(host) = &args.redirect_host {
        profile.redirect.host = RedirectHost::parse(host).expect("clap checked the host");
    }
    profile.redirect.port = args.redirect_port;
    if let Some(path) = &args.redirect_path {
        profile.redirect.path.clone_from(path);
    }
    profile.client_auth = match args.client_auth.as_deref() {
        Some("client_secret_basic") => ClientAuthMethod::ClientSecretBasic,
        Some("client_secret_post") => ClientAuthMethod::ClientSecretPost,
        Some(_) => ClientAuthMethod::None,
        None if args.client_secret_stdin => ClientAuthMethod::ClientSecretBasic,
        None => ClientAuthMethod::None,
    };
    if (profile.client_auth == ClientAuthMethod::None) == args.client_secret_stdin {
        return Err(CliError::usage(
            "a client secret goes with client_secret_basic or client_secret_post, and those need --client-secret-stdin",
        ));
    }
    // Every check that needs neither standard input nor the keychain comes first.
    profile.validate().map_err(CliError::from_core)?;
    let profiles = profile_store()?;
    match profiles.get(&profile.name) {
        Ok(_) => return Err(CliError::from_core(ProfileError::Exists(profile.name))),
        Err(ProfileError::NotFound(_)) => {}
        Err(e) => return Err(CliError::from_core(e)),
    }

    let stored = if args.client_secret_stdin {
        let secret = read_secret_text()?;
        // The keychain is reached before the config directory is touched: without one, nothing
        // at all is written.
        let entry = crate::net::block_on(async {
            let vault = open_vault().await?;
            add_profile_with_client_secret(&profiles, &vault, profile.clone(), secret)
                .await
                .map_err(CliError::from_core)
        })??;
        Some(entry)
    } else {
        profiles.add(profile.clone()).map_err(CliError::from_core)?;
        None
    };

    let mut text = format!(
        "Added profile {} (issuer {}, client {}) to {}.\n",
        printable(&profile.name),
        printable(profile.issuer.as_deref().unwrap_or("-")),
        printable(&profile.client_id),
        profiles.file_path().display(),
    );
    if let Some(entry) = &stored {
        text.push_str(&format!(
            "Client secret stored in the OS keychain: service {SERVICE}, account {}/client_secret, \
             fingerprint {}.\n",
            printable(&profile.name),
            entry.metadata.fingerprint.as_deref().unwrap_or("-"),
        ));
    }
    Ok((json!({ "profile": profile, "client_secret": stored }), text))
}

fn list() -> Result<Printed, CliError> {
    let profiles = profile_store()?;
    let all = profiles.list().map_err(CliError::from_core)?;
    let mut text = String::new();
    if all.is_empty() {
        text.push_str(
            "No profiles. Add one with: tokenscope profile add NAME --issuer URL --client-id ID\n",
        );
    } else {
        let rows: Vec<[String; 3]> = all
            .iter()
            .map(|p| {
                [
                    printable(&p.name).into_owned(),
                    printable(p.issuer.as_deref().unwrap_or("(endpoints)")).into_owned(),
                    printable(&p.client_id).into_owned(),
                ]
            })
            .collect();
        let name_w = rows
            .iter()
            .map(|r| r[0].chars().count())
            .max()
            .unwrap_or(0)
            .max(4);
        let issuer_w = rows
            .iter()
            .map(|r| r[1].chars().count())
            .max()
            .unwrap_or(0)
            .max(6);
        text.push_str(&format!(
            "{:<name_w$}  {:<issuer_w$}  CLIENT ID\n",
            "NAME", "ISSUER"
        ));
        for [name, issuer, client] in rows {
            text.push_str(&format!("{name:<name_w$}  {issuer:<issuer_w$}  {client}\n"));
        }
    }
    let value = json!({ "file": profiles.file_path(), "profiles": all });
    Ok((value, text))
}

fn show(name: &str) -> Result<Printed, CliError> {
    let profile = profile_store()?.get(name).map_err(CliError::from_core)?;
    Ok((
        serde_json::to_value(&profile).expect("profile serializes"),
        describe(&profile),
    ))
}

fn describe(p: &Profile) -> String {
    let mut rows: Vec<(&str, String)> = vec![
        ("name", printable(&p.name).into_owned()),
        (
            "issuer",
            printable(p.issuer.as_deref().unwrap_or("-")).into_owned(),
        ),
        ("client id", printable(&p.client_id).into_owned()),
    ];
    let auth = match p.client_auth {
        ClientAuthMethod::None => "none (public client)".to_owned(),
        method => format!(
            "{} (secret in the OS keychain: service {SERVICE}, account {}/client_secret)",
            serde_json::to_value(method)
                .expect("serializes")
                .as_str()
                .unwrap_or("?"),
            printable(&p.name)
        ),
    };
    rows.push(("client auth", auth));
    let scopes = if p.scopes.is_empty() {
        "(the provider's default)".to_owned()
    } else {
        printable(&p.scopes.join(" ")).into_owned()
    };
    rows.push(("scopes", scopes));
    let port = p
        .redirect
        .port
        .map_or_else(|| "<ephemeral>".to_owned(), |n| n.to_string());
    rows.push((
        "redirect uri",
        format!(
            "http://{}:{port}{}",
            p.redirect.host.as_str(),
            printable(&p.redirect.path)
        ),
    ));
    rows.push((
        "pkce",
        serde_json::to_value(p.pkce)
            .expect("serializes")
            .as_str()
            .unwrap_or("?")
            .to_owned(),
    ));
    let endpoints = serde_json::to_value(&p.endpoints).expect("serializes");
    if let Some(map) = endpoints.as_object() {
        for (which, url) in map {
            if let Some(url) = url.as_str() {
                rows.push(("endpoint", format!("{which}: {}", printable(url))));
            }
        }
    }
    for (param, value) in &p.extra_authorization_params {
        rows.push((
            "extra param",
            format!("{}={}", printable(param), printable(value)),
        ));
    }
    let mut text = String::new();
    for (label, value) in rows {
        text.push_str(&format!("{:<13} {value}\n", format!("{label}:")));
    }
    text
}

fn remove(name: &str) -> Result<Printed, CliError> {
    let profiles = profile_store()?;
    // An unknown name is reported without asking the keychain.
    profiles.get(name).map_err(CliError::from_core)?;
    let removed = crate::net::block_on(async {
        let vault = open_vault().await?;
        remove_profile(&profiles, &vault, name)
            .await
            .map_err(CliError::from_core)
    })??;
    let deleted: Vec<String> = removed
        .deleted_secrets
        .iter()
        .map(ToString::to_string)
        .collect();
    let text = if deleted.is_empty() {
        format!(
            "Removed profile {} (it had no keychain entries).\n",
            printable(name)
        )
    } else {
        format!(
            "Removed profile {} and its keychain entries: {}.\n",
            printable(name),
            deleted.join(", ")
        )
    };
    Ok((serde_json::to_value(&removed).expect("serializes"), text))
}
