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
use tokenscope::oauth::timeline::{Step, StepStatus};
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
    }
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
        Err(failure) => {
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
    }
}

fn render_steps(w: &mut dyn Write, steps: &[Step]) -> io::Result<()> {
    for step in steps {
        let (mark, color) = match step.status {
            StepStatus::Ok => ("ok  ", AnsiColor::Green),
            StepStatus::Failed => ("FAIL", AnsiColor::Red),
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
