//! `tokenscope flow`: OAuth flows run from the terminal, on the same core functions as the app's
//! Flows view.
//!
//! `flow code` runs the authorization code flow with PKCE through a loopback redirect: the
//! authorization URL goes to the system browser (or, with `--no-browser`, to stderr as
//! `Open this URL in a browser: <URL>`), the process waits for the redirect, exchanges the code,
//! checks the ID token and calls userinfo. With `--profile` the refresh token goes to the OS
//! keychain and is never printed. `flow refresh` uses it. Exit 0 success; 1 the provider said no
//! (`access_denied`, `invalid_grant`, …) or the ID token failed a check; 2 usage, network,
//! keychain errors and timeouts.

use std::io::{self, Write};
use std::process::ExitCode;
use std::time::Duration;

use anstyle::{AnsiColor, Style};
use clap::{Args, Subcommand};
use serde::Serialize;
use tokenscope::http::HttpPolicy;
use tokenscope::oauth::authorize::AuthorizationUrl;
use tokenscope::oauth::flow::{
    run_code_flow, run_refresh, CodeFlowOptions, FlowContext, FlowFailure, FlowObserver,
    FlowResult, FlowSettings, DEFAULT_REDIRECT_TIMEOUT,
};
use tokenscope::oauth::grants::{
    run_client_credentials, run_device_flow, run_introspect, run_revoke, DeviceObserver,
    DevicePrompt, DEFAULT_DEVICE_TIMEOUT,
};
use tokenscope::oauth::timeline::{Step, StepStatus};
use tokenscope::oauth::token::TokenHint;
use tokenscope::secret::Secret;
use tokenscope::vault::profiles::ClientAuthMethod;
use tokenscope::ErrorCode as _;
use tokio_util::sync::CancellationToken;

use crate::output::{CliError, Output};
use crate::render::printable;
use crate::vault::{open_vault, profile_store};

#[derive(Debug, Args)]
pub struct FlowArgs {
    #[command(subcommand)]
    command: FlowCommand,
}

#[derive(Debug, Subcommand)]
enum FlowCommand {
    /// Authorization code + PKCE through a loopback redirect, in the system browser.
    Code(CodeArgs),
    /// Refresh a profile's tokens with the refresh token in the keychain.
    Refresh(RefreshArgs),
    /// Revoke the profile's refresh token (and delete it from the keychain), or an access token.
    Revoke(RevokeArgs),
    /// Ask the provider whether a token is active and what it stands for (RFC 7662).
    Introspect(IntrospectArgs),
    /// A token for a confidential client itself (RFC 6749 §4.4), the secret from stdin.
    #[command(name = "client-credentials")]
    ClientCredentials(ClientCredentialsArgs),
    /// The device authorization grant (RFC 8628): a code to enter on another device.
    Device(DeviceArgs),
}

/// Who the client is: a profile, or an issuer and a client id for one call.
#[derive(Debug, Args)]
struct ClientArgs {
    /// A saved profile.
    #[arg(long, conflicts_with_all = ["issuer", "client_id"], required_unless_present = "issuer")]
    profile: Option<String>,
    /// The issuer, for a call without a profile (nothing is stored).
    #[arg(long, requires = "client_id")]
    issuer: Option<String>,
    /// The client id, with --issuer.
    #[arg(long, requires = "issuer")]
    client_id: Option<String>,
}

#[derive(Debug, Args)]
struct RevokeArgs {
    /// The profile.
    #[arg(long)]
    profile: String,
    /// Which token: the stored refresh token (default), or an access token read from stdin.
    #[arg(long, value_name = "access|refresh", value_parser = ["access", "refresh"], default_value = "refresh")]
    token: String,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct IntrospectArgs {
    /// The profile whose client asks (introspection usually needs a confidential client).
    #[arg(long)]
    profile: String,
    /// The token: the value, @FILE, or - for standard input.
    #[arg(long)]
    token: String,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct ClientCredentialsArgs {
    #[command(flatten)]
    client: ClientArgs,
    /// Read the client secret from standard input (never echoed); with --profile, the
    /// keychain's is used without it.
    #[arg(long)]
    client_secret_stdin: bool,
    /// How to send the secret; without it, the profile's, else what the metadata allows, with
    /// one retry with the other method on invalid_client.
    #[arg(long, value_name = "METHOD", value_parser = ["client_secret_basic", "client_secret_post"])]
    auth_method: Option<String>,
    /// Scopes, space-separated.
    #[arg(long, num_args = 1)]
    scope: Vec<String>,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct DeviceArgs {
    #[command(flatten)]
    client: ClientArgs,
    /// Scopes, space-separated (default: the profile's, else "openid profile offline_access").
    #[arg(long, num_args = 1)]
    scope: Vec<String>,
    /// Seconds to wait for the approval (default 600, and never beyond the code's lifetime).
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    timeout: Option<u64>,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct CodeArgs {
    /// A saved profile (see `tokenscope profile add`); the refresh token is stored under it.
    #[arg(long, conflicts_with_all = ["issuer", "client_id"], required_unless_present = "issuer")]
    profile: Option<String>,
    /// The issuer, for a one-off flow without a profile (nothing is stored).
    #[arg(long, requires = "client_id")]
    issuer: Option<String>,
    /// The client id, with --issuer.
    #[arg(long, requires = "issuer")]
    client_id: Option<String>,
    /// Scopes, space-separated (default: the profile's, else "openid profile offline_access").
    #[arg(long, num_args = 1)]
    scope: Vec<String>,
    /// Print the authorization URL instead of opening the browser.
    #[arg(long)]
    no_browser: bool,
    /// Seconds to wait for the redirect (default 300).
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    timeout: Option<u64>,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct RefreshArgs {
    /// The profile whose refresh token to use.
    #[arg(long)]
    profile: String,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

pub fn run(args: FlowArgs) -> ExitCode {
    match args.command {
        FlowCommand::Code(a) => code(a),
        FlowCommand::Refresh(a) => refresh(a),
        FlowCommand::Revoke(a) => revoke(a),
        FlowCommand::Introspect(a) => introspect(a),
        FlowCommand::ClientCredentials(a) => client_credentials(a),
        FlowCommand::Device(a) => device(a),
    }
}

fn split_scopes(args: &[String]) -> Vec<String> {
    (args.iter())
        .flat_map(|s| s.split_whitespace())
        .map(str::to_owned)
        .collect()
}

/// The settings of `--profile` or `--issuer`/`--client-id`.
fn client_settings(client: &ClientArgs) -> Result<FlowSettings, CliError> {
    match (&client.profile, &client.issuer, &client.client_id) {
        (Some(name), _, _) => {
            let profile = profile_store()?.get(name).map_err(CliError::from_core)?;
            Ok(FlowSettings::from_profile(&profile))
        }
        (None, Some(issuer), Some(client_id)) => Ok(FlowSettings::for_issuer(issuer, client_id)),
        _ => Err(CliError::usage(
            "give --profile NAME, or --issuer URL with --client-id ID",
        )),
    }
}

/// Runs `run` with the HTTP client, the keychain (when `needs_vault`) and no observer.
fn with_context<T>(
    needs_vault: bool,
    observer: &dyn FlowObserver,
    run: impl AsyncFnOnce(&FlowContext<'_>) -> T,
) -> Result<T, CliError> {
    crate::net::block_on(async {
        let vault = if needs_vault {
            Some(open_vault().await?)
        } else {
            None
        };
        let http = crate::net::http_client(HttpPolicy::default());
        let cancel = CancellationToken::new();
        let ctx = FlowContext {
            http: &http,
            vault: vault.as_ref(),
            cancel: &cancel,
            observer,
        };
        Ok(run(&ctx).await)
    })?
}

fn revoke(args: RevokeArgs) -> ExitCode {
    let out = Output::new(args.json);
    let settings = match client_settings(&ClientArgs {
        profile: Some(args.profile.clone()),
        issuer: None,
        client_id: None,
    }) {
        Ok(s) => s,
        Err(e) => return out.failure(&e),
    };
    let (hint, token) = if args.token == "access" {
        match crate::input::read_token(None) {
            Ok(t) => (TokenHint::AccessToken, Some(Secret::new(t.trim()))),
            Err(e) => return out.failure(&e),
        }
    } else {
        (TokenHint::RefreshToken, None)
    };
    let ran = with_context(true, &(), async |ctx| {
        run_revoke(ctx, &settings, hint, token.as_ref()).await
    });
    match ran {
        Err(e) => out.failure(&e),
        Ok(Err(failure)) => fail(&out, &failure),
        Ok(Ok(result)) => out.success(&result, |w| {
            render_steps(w, &result.steps)?;
            writeln!(
                w,
                "\nRevoked the {}.",
                result.token_type_hint.replace('_', " ")
            )?;
            if result.keychain_entry_deleted {
                writeln!(
                    w,
                    "Its keychain entry ({}/refresh_token) was deleted.",
                    args.profile
                )?;
            }
            Ok(())
        }),
    }
}

fn introspect(args: IntrospectArgs) -> ExitCode {
    let out = Output::new(args.json);
    let settings = match client_settings(&ClientArgs {
        profile: Some(args.profile.clone()),
        issuer: None,
        client_id: None,
    }) {
        Ok(s) => s,
        Err(e) => return out.failure(&e),
    };
    let arg = (args.token != "-").then_some(args.token.as_str());
    let token = match crate::input::read_token(arg) {
        Ok(t) => Secret::new(t.trim()),
        Err(e) => return out.failure(&e),
    };
    let needs_vault = settings.client_auth != ClientAuthMethod::None;
    let ran = with_context(needs_vault, &(), async |ctx| {
        run_introspect(ctx, &settings, &token, None).await
    });
    match ran {
        Err(e) => out.failure(&e),
        Ok(Err(failure)) => fail(&out, &failure),
        Ok(Ok(result)) => out.success(&result, |w| {
            render_steps(w, &result.steps)?;
            let state = if result.active {
                "ACTIVE"
            } else {
                "NOT ACTIVE"
            };
            writeln!(w, "\n{state}")?;
            for m in &result.members {
                let value = m.rendered.clone().unwrap_or_else(|| m.value.to_string());
                writeln!(w, "  {:<12} {}", printable(&m.name), printable(&value))?;
                writeln!(w, "  {:<12} {}", "", m.meaning)?;
            }
            Ok(())
        }),
    }
}

fn client_credentials(args: ClientCredentialsArgs) -> ExitCode {
    let out = Output::new(args.json);
    let mut settings = match client_settings(&args.client) {
        Ok(s) => s,
        Err(e) => return out.failure(&e),
    };
    if args.client_secret_stdin {
        match crate::vault::read_secret_text() {
            Ok(secret) => settings.client_secret = Some(std::sync::Arc::new(secret)),
            Err(e) => return out.failure(&e),
        }
    } else if settings.profile.is_none() {
        return out.failure(&CliError::usage(
            "client credentials need the client secret: --client-secret-stdin",
        ));
    }
    if let Some(method) = &args.auth_method {
        settings.client_auth = if method == "client_secret_post" {
            ClientAuthMethod::ClientSecretPost
        } else {
            ClientAuthMethod::ClientSecretBasic
        };
        settings.client_auth_fixed = true;
    }
    settings.scopes = split_scopes(&args.scope);
    let needs_vault = settings.client_secret.is_none();
    let ran = with_context(needs_vault, &(), async |ctx| {
        run_client_credentials(ctx, &settings).await
    });
    finish(&out, ran.map(Ok))
}

/// Prints the device prompt on stderr, exactly as the contract says.
struct DevicePrinter;

impl DeviceObserver for DevicePrinter {
    fn device_prompt(&self, prompt: &DevicePrompt) {
        let mut err = io::stderr().lock();
        let _ = writeln!(
            err,
            "Visit {} and enter code {}",
            prompt.verification_uri, prompt.user_code
        );
        if let Some(complete) = &prompt.verification_uri_complete {
            let _ = writeln!(err, "Or open {complete}");
        }
        let _ = writeln!(
            err,
            "Waiting for the approval (the code expires in {} s) …",
            prompt.expires_in
        );
    }
}

fn device(args: DeviceArgs) -> ExitCode {
    let out = Output::new(args.json);
    let mut settings = match client_settings(&args.client) {
        Ok(s) => s,
        Err(e) => return out.failure(&e),
    };
    let scopes = split_scopes(&args.scope);
    if !scopes.is_empty() {
        settings.scopes = scopes;
    }
    let timeout = args
        .timeout
        .map_or(DEFAULT_DEVICE_TIMEOUT, Duration::from_secs);
    let needs_vault = settings.profile.is_some();
    let ran = with_context(needs_vault, &(), async |ctx| {
        run_device_flow(ctx, &settings, &DevicePrinter, timeout).await
    });
    finish(&out, ran.map(Ok))
}

/// A failed flow operation: the error (and the OAuth error) on stderr and, with --json, as the
/// one object with the steps; exit 1 for the provider's refusal, 2 for faults.
pub fn fail(out: &Output, failure: &FlowFailure) -> ExitCode {
    let oauth = failure.error.oauth_error();
    let body = FailedFlow {
        error: FailedError {
            code: failure.error.code(),
            message: failure.error.to_string(),
            error: oauth.map(|e| e.error.as_str()),
            error_description: oauth.and_then(|e| e.error_description.as_deref()),
            hint: oauth.and_then(|e| e.hint.as_deref()),
        },
        steps: &failure.steps,
        refresh_token_deleted: failure.refresh_token_deleted,
    };
    let code = if failure.error.is_refusal() { 1 } else { 2 };
    let style = Style::new().bold().fg_color(Some(AnsiColor::Red.into()));
    anstream::eprintln!(
        "{style}error{style:#} [{}]: {}",
        body.error.code,
        printable(&body.error.message)
    );
    if failure.refresh_token_deleted {
        anstream::eprintln!(
            "The refresh token was deleted from the keychain: the server will not accept it again."
        );
    }
    out.verdict(&body, |w| render_steps(w, &failure.steps), code)
}

/// Prints the authorization URL (or opens the browser) and says what the flow waits for.
struct Terminal {
    open_browser: bool,
}

impl FlowObserver for Terminal {
    fn authorization_url(&self, url: &AuthorizationUrl, redirect_uri: &str) {
        let mut err = io::stderr().lock();
        let opened = self.open_browser && open::that_detached(&url.url).is_ok();
        if opened {
            let _ = writeln!(err, "Opened the system browser. If it did not open:");
        }
        let _ = writeln!(err, "Open this URL in a browser: {}", url.url);
        let _ = writeln!(err, "Waiting for the redirect to {redirect_uri} …");
    }
}

fn code(args: CodeArgs) -> ExitCode {
    let out = Output::new(args.json);
    let settings = match code_settings(&args) {
        Ok(s) => s,
        Err(e) => return out.failure(&e),
    };
    let options = CodeFlowOptions {
        redirect_timeout: args
            .timeout
            .map_or(DEFAULT_REDIRECT_TIMEOUT, Duration::from_secs),
    };
    let observer = Terminal {
        open_browser: !args.no_browser,
    };
    let ran = crate::net::block_on(async {
        // The keychain first: a flow whose refresh token cannot be kept would waste a login.
        let vault = match &settings.profile {
            Some(_) => Some(open_vault().await?),
            None => None,
        };
        let http = crate::net::http_client(HttpPolicy::default());
        let cancel = CancellationToken::new();
        let ctx = FlowContext {
            http: &http,
            vault: vault.as_ref(),
            cancel: &cancel,
            observer: &observer,
        };
        Ok::<_, CliError>(run_code_flow(&ctx, &settings, &options).await)
    });
    finish(&out, ran)
}

fn code_settings(args: &CodeArgs) -> Result<FlowSettings, CliError> {
    let mut settings = match (&args.profile, &args.issuer, &args.client_id) {
        (Some(name), _, _) => {
            let profile = profile_store()?.get(name).map_err(CliError::from_core)?;
            FlowSettings::from_profile(&profile)
        }
        (None, Some(issuer), Some(client_id)) => FlowSettings::for_issuer(issuer, client_id),
        _ => {
            return Err(CliError::usage(
                "give --profile NAME, or --issuer URL with --client-id ID",
            ))
        }
    };
    let scopes: Vec<String> = (args.scope.iter())
        .flat_map(|s| s.split_whitespace())
        .map(str::to_owned)
        .collect();
    if !scopes.is_empty() {
        settings.scopes = scopes;
    }
    Ok(settings)
}

fn refresh(args: RefreshArgs) -> ExitCode {
    let out = Output::new(args.json);
    let ran = crate::net::block_on(async {
        let profile = profile_store()?
            .get(&args.profile)
            .map_err(CliError::from_core)?;
        let settings = FlowSettings::from_profile(&profile);
        let vault = open_vault().await?;
        let http = crate::net::http_client(HttpPolicy::default());
        let cancel = CancellationToken::new();
        let ctx = FlowContext {
            http: &http,
            vault: Some(&vault),
            cancel: &cancel,
            observer: &(),
        };
        Ok::<_, CliError>(run_refresh(&ctx, &settings, None).await)
    });
    finish(&out, ran)
}

/// A flow that ended early, as `--json` prints it: the error (with the OAuth error's members
/// when the server sent one) and the steps made.
#[derive(Serialize)]
struct FailedFlow<'a> {
    error: FailedError<'a>,
    steps: &'a [Step],
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    refresh_token_deleted: bool,
}

#[derive(Serialize)]
struct FailedError<'a> {
    code: &'static str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<&'a str>,
}

fn finish(
    out: &Output,
    ran: Result<Result<Result<FlowResult, FlowFailure>, CliError>, CliError>,
) -> ExitCode {
    let result = match ran.and_then(|r| r) {
        Ok(r) => r,
        Err(e) => return out.failure(&e),
    };
    match result {
        Ok(flow) => {
            let code = if flow.is_valid() { 0 } else { 1 };
            out.verdict(&flow, |w| render_result(w, &flow), code)
        }
        Err(failure) => fail(out, &failure),
    }
}

fn render_steps(w: &mut dyn Write, steps: &[Step]) -> io::Result<()> {
    for step in steps {
        let (mark, color) = match step.status {
            StepStatus::Ok => ("ok  ", AnsiColor::Green),
            StepStatus::Failed => ("FAIL", AnsiColor::Red),
            StepStatus::Retried => ("retr", AnsiColor::Yellow),
        };
        let st = Style::new().bold().fg_color(Some(color.into()));
        let request = step
            .request
            .as_ref()
            .map(|r| format!("{} {}", r.method, printable(&r.url)))
            .unwrap_or_default();
        let status = step
            .response
            .as_ref()
            .and_then(|r| r.status)
            .map(|s| format!(" → {s}"))
            .unwrap_or_default();
        writeln!(
            w,
            "  {st}{mark}{st:#}  {:<13} {request}{status}  ({} ms)",
            step.name, step.duration_ms
        )?;
        for note in &step.notes {
            writeln!(w, "        {}", printable(note))?;
        }
        if let Some(error) = &step.error {
            writeln!(w, "        {}", printable(error))?;
        }
    }
    Ok(())
}

fn render_result(w: &mut dyn Write, flow: &FlowResult) -> io::Result<()> {
    let title = Style::new().bold();
    writeln!(w, "{title}Steps{title:#}")?;
    render_steps(w, &flow.steps)?;
    let t = &flow.tokens;
    writeln!(w, "\n{title}Tokens{title:#}")?;
    writeln!(w, "  token_type    {}", printable(&t.token_type))?;
    if let Some(expires_in) = t.expires_in {
        writeln!(w, "  expires_in    {expires_in} s")?;
    }
    if let Some(scope) = &t.scope {
        writeln!(w, "  scope         {}", printable(scope))?;
    }
    writeln!(w, "  access_token  {}", printable(&t.access_token))?;
    if let Some(id_token) = &t.id_token {
        writeln!(w, "  id_token      {}", printable(id_token))?;
    }
    match (&t.refresh_token_fingerprint, t.refresh_token_stored) {
        (Some(fp), true) => writeln!(
            w,
            "  refresh_token stored in the OS keychain (fingerprint {fp})"
        )?,
        (Some(fp), false) => writeln!(
            w,
            "  refresh_token issued (fingerprint {fp}), not stored: use --profile to keep it"
        )?,
        (None, _) => writeln!(w, "  refresh_token none issued")?,
    }
    if let (Some(rotated), Some(rotation)) = (flow.rotated, &flow.rotation) {
        let what = if rotated {
            "rotated"
        } else {
            "not rotated (the old one stays)"
        };
        writeln!(
            w,
            "  rotation      {what}: {} → {}",
            rotation.previous_fingerprint, rotation.new_fingerprint
        )?;
    }
    if !flow.id_token_checks.is_empty() {
        writeln!(w, "\n{title}ID token checks{title:#} (OIDC Core §3.1.3.7)")?;
        crate::render::checks(w, &flow.id_token_checks)?;
    }
    if let Some(userinfo) = &flow.userinfo {
        writeln!(w, "\n{title}Userinfo{title:#}")?;
        let text = serde_json::to_string_pretty(userinfo).unwrap_or_default();
        for line in text.lines() {
            writeln!(w, "  {}", printable(line))?;
        }
    }
    Ok(())
}
