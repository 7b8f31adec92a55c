//! `tokenscope vault`: what Tokenscope keeps in the OS keychain.
//!
//! `list` shows entries (profile, kind, when stored, fingerprint; never a value), `reveal` prints
//! one value (the only command that does), `store` puts a value read from standard input under an
//! existing profile, `forget` deletes a profile's entries or, with `--all`, every Tokenscope entry.
//! Without a reachable keychain every subcommand exits 2 with `vault.unavailable`. Keychain calls
//! give up after 20 s (`TOKENSCOPE_KEYCHAIN_TIMEOUT_MS` changes it).

use std::io::{IsTerminal as _, Write as _};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;
use tokenscope::clock::{Clock as _, SystemClock};
use tokenscope::jose::timefmt;
use tokenscope::secret::Secret;
use tokenscope::vault::{
    store_profile_secret, EntryKey, ProfileStore, SecretKind, StoredBy, Vault, VaultEntry,
    VaultOptions,
};

use crate::input::{read_secret, SecretEncoding, SecretSource};
use crate::output::{CliError, Output};
use crate::render::printable;

/// Overrides how long a keychain call may take, in milliseconds.
pub const TIMEOUT_ENV: &str = "TOKENSCOPE_KEYCHAIN_TIMEOUT_MS";

#[derive(Debug, Args)]
pub struct VaultArgs {
    #[command(subcommand)]
    command: VaultCommand,
}

#[derive(Debug, Subcommand)]
enum VaultCommand {
    /// List the stored entries: profile, kind, when stored, fingerprint (never the values).
    List(JsonArg),
    /// Print a stored value.
    Reveal(RevealArgs),
    /// Store a value read from standard input for an existing profile (replacing any).
    Store(StoreArgs),
    /// Delete a profile's entries, or with --all every Tokenscope entry.
    Forget(ForgetArgs),
}

#[derive(Debug, Args)]
pub struct JsonArg {
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

/// A kind as named on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    #[value(name = "refresh_token")]
    RefreshToken,
    #[value(name = "client_secret")]
    ClientSecret,
}

impl From<KindArg> for SecretKind {
    fn from(kind: KindArg) -> Self {
        match kind {
            KindArg::RefreshToken => SecretKind::RefreshToken,
            KindArg::ClientSecret => SecretKind::ClientSecret,
        }
    }
}

#[derive(Debug, Args)]
struct RevealArgs {
    /// The profile.
    profile: String,
    /// refresh_token or client_secret.
    #[arg(value_enum)]
    kind: KindArg,
    #[command(flatten)]
    json: JsonArg,
}

#[derive(Debug, Args)]
struct StoreArgs {
    /// The profile (it must exist).
    profile: String,
    /// refresh_token or client_secret.
    #[arg(value_enum)]
    kind: KindArg,
    /// When the value expires, in Unix seconds, if known.
    #[arg(long, value_name = "UNIX")]
    expires_at: Option<i64>,
    #[command(flatten)]
    json: JsonArg,
}

#[derive(Debug, Args)]
struct ForgetArgs {
    /// The profile whose entries to delete.
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    profile: Option<String>,
    /// Delete every Tokenscope entry.
    #[arg(long)]
    all: bool,
    #[command(flatten)]
    json: JsonArg,
}

pub fn run(args: VaultArgs) -> ExitCode {
    match args.command {
        VaultCommand::List(a) => finish(a.json, list()),
        VaultCommand::Reveal(a) => reveal(a),
        VaultCommand::Store(a) => finish(a.json.json, store(&a)),
        VaultCommand::Forget(a) => finish(a.json.json, forget(&a)),
    }
}

/// What a subcommand prints: the JSON value and the rendering for people.
type Printed = (serde_json::Value, String);

fn finish(json: bool, result: Result<Printed, CliError>) -> ExitCode {
    let out = Output::new(json);
    match result {
        Ok((value, text)) => out.success(&value, |w| w.write_all(text.as_bytes())),
        Err(e) => out.failure(&e),
    }
}

/// The keychain timeout: the default, or `TOKENSCOPE_KEYCHAIN_TIMEOUT_MS`.
fn options() -> Result<VaultOptions, CliError> {
    let Some(value) = std::env::var_os(TIMEOUT_ENV) else {
        return Ok(VaultOptions::default());
    };
    let ms = value
        .to_str()
        .and_then(|v| v.parse::<u64>().ok())
        .filter(|ms| *ms > 0)
        .ok_or_else(|| {
            CliError::usage(format!(
                "{TIMEOUT_ENV} must be a positive number of milliseconds"
            ))
        })?;
    Ok(VaultOptions {
        timeout: Duration::from_millis(ms),
    })
}

/// Connects to the OS keychain (within the timeout), or says why it cannot.
pub async fn open_vault() -> Result<Vault, CliError> {
    Vault::open_os(options()?, Arc::new(SystemClock))
        .await
        .map_err(CliError::from_core)
}

/// The profile file's store: `$TOKENSCOPE_CONFIG_DIR` or the platform config directory.
pub fn profile_store() -> Result<ProfileStore, CliError> {
    ProfileStore::from_env().map_err(CliError::from_core)
}

/// A secret from standard input, as text (one trailing newline dropped).
pub fn read_secret_text() -> Result<Secret, CliError> {
    let bytes = read_secret(SecretSource::Stdin, SecretEncoding::Text)?;
    let text = std::str::from_utf8(bytes.expose_secret()).map_err(|_| {
        CliError::new(
            "input.not_utf8",
            "the secret on standard input is not UTF-8 text",
        )
    })?;
    Ok(Secret::new(text))
}

fn list() -> Result<Printed, CliError> {
    let entries = crate::net::block_on(async {
        let vault = open_vault().await?;
        vault.list().await.map_err(CliError::from_core)
    })??;
    let mut text = String::new();
    if entries.is_empty() {
        text.push_str("No secrets stored.\n");
    } else {
        text.push_str(&entries_table(&entries));
    }
    Ok((serde_json::json!({ "entries": entries }), text))
}

/// Entries as aligned columns.
pub fn entries_table(entries: &[VaultEntry]) -> String {
    let now = SystemClock.now_unix();
    let when = |t: Option<i64>| t.map_or_else(|| "-".to_owned(), timefmt::iso8601);
    let mut rows = vec![[
        "PROFILE".to_owned(),
        "KIND".to_owned(),
        "STORED AT".to_owned(),
        "FLOW".to_owned(),
        "FINGERPRINT".to_owned(),
        "PREVIOUS".to_owned(),
        "EXPIRES".to_owned(),
    ]];
    for e in entries {
        let m = &e.metadata;
        rows.push([
            printable(&e.profile).into_owned(),
            e.kind.to_string(),
            when(m.stored_at),
            m.flow.map_or("-", StoredBy::as_str).to_owned(),
            m.fingerprint
                .as_deref()
                .map_or("-".into(), printable)
                .into_owned(),
            m.previous_fingerprint
                .as_deref()
                .map_or("-".into(), printable)
                .into_owned(),
            m.expires_at.map_or_else(
                || "-".to_owned(),
                |t| format!("{} ({})", timefmt::iso8601(t), timefmt::relative(t, now)),
            ),
        ]);
    }
    let mut widths = [0usize; 7];
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut text = String::new();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        text.push_str(cells.join("  ").trim_end());
        text.push('\n');
    }
    text
}

fn reveal(args: RevealArgs) -> ExitCode {
    let out = Output::new(args.json.json);
    let key = match EntryKey::new(&args.profile, args.kind.into()) {
        Ok(key) => key,
        Err(e) => return out.failure(&CliError::from_core(e)),
    };
    let revealed = crate::net::block_on(async {
        let vault = open_vault().await?;
        vault.reveal(key).await.map_err(CliError::from_core)
    })
    .and_then(|r| r);
    let secret = match revealed {
        Ok(secret) => secret,
        Err(e) => return out.failure(&e),
    };
    if args.json.json {
        let value = serde_json::json!({
            "profile": args.profile,
            "kind": SecretKind::from(args.kind),
            "value": secret.expose_secret(),
        });
        return out.success(&value, |_| Ok(()));
    }
    // Asked for explicitly: the value as stored, unless it would drive the terminal.
    let stdout = std::io::stdout();
    let value = if stdout.is_terminal() {
        printable(secret.expose_secret())
    } else {
        secret.expose_secret().into()
    };
    let mut lock = stdout.lock();
    match writeln!(lock, "{value}").and_then(|()| lock.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => out.failure(&CliError::new(
            "cli.output",
            format!("cannot write output: {e}"),
        )),
    }
}

fn store(args: &StoreArgs) -> Result<Printed, CliError> {
    let key = EntryKey::new(&args.profile, args.kind.into()).map_err(CliError::from_core)?;
    let profiles = profile_store()?;
    // An unknown profile is reported before anything is read or the keychain is asked.
    profiles.get(&args.profile).map_err(CliError::from_core)?;
    let secret = read_secret_text()?;
    let entry = crate::net::block_on(async {
        let vault = open_vault().await?;
        store_profile_secret(
            &profiles,
            &vault,
            key,
            secret,
            StoredBy::Manual,
            args.expires_at,
        )
        .await
        .map_err(CliError::from_core)
    })??;
    let text = format!(
        "Stored {} for profile {} in the OS keychain (service tokenscope, account {}/{}), \
         fingerprint {}.\n",
        entry.kind,
        printable(&entry.profile),
        printable(&entry.profile),
        entry.kind,
        entry.metadata.fingerprint.as_deref().unwrap_or("-"),
    );
    Ok((
        serde_json::to_value(&entry).expect("entry serializes"),
        text,
    ))
}

/// One deleted entry, for `--json`.
#[derive(Serialize)]
struct Deleted {
    profile: String,
    kind: SecretKind,
}

fn forget(args: &ForgetArgs) -> Result<Printed, CliError> {
    let deleted: Vec<Deleted> = crate::net::block_on(async {
        let vault = open_vault().await?;
        match &args.profile {
            Some(profile) if !args.all => vault
                .forget_profile(profile)
                .await
                .map(|kinds| {
                    kinds
                        .into_iter()
                        .map(|kind| Deleted {
                            profile: profile.clone(),
                            kind,
                        })
                        .collect()
                })
                .map_err(CliError::from_core),
            _ => vault
                .forget_all()
                .await
                .map(|entries| {
                    entries
                        .into_iter()
                        .map(|e| Deleted {
                            profile: e.profile,
                            kind: e.kind,
                        })
                        .collect()
                })
                .map_err(CliError::from_core),
        }
    })??;
    let mut text = match deleted.len() {
        0 => "No keychain entries to delete.\n".to_owned(),
        1 => "Deleted 1 keychain entry:\n".to_owned(),
        n => format!("Deleted {n} keychain entries:\n"),
    };
    for d in &deleted {
        text.push_str(&format!("  {}/{}\n", printable(&d.profile), d.kind));
    }
    Ok((serde_json::json!({ "deleted": deleted }), text))
}
