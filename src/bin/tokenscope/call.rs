//! `tokenscope call URL`: calls an API with an access token (RFC 6750 §2.1) and explains the
//! answer: a 401's `WWW-Authenticate` challenge (`invalid_token`, `insufficient_scope`, …) versus
//! a 403, and what to try next. The token is `--token VALUE|@FILE`, or with `--profile` a fresh one
//! from the profile's stored refresh token (a refresh grant; client credentials for a
//! confidential profile without one). Exit 0 for 2xx, 1 for 4xx/5xx, 2 usage or network errors.

use std::process::ExitCode;

use clap::Args;
use tokenscope::http::HttpPolicy;
use tokenscope::oauth::flow::{FlowContext, FlowSettings};
use tokenscope::oauth::grants::{call_api, profile_access_token, ApiRequest};
use tokenscope::secret::Secret;
use tokio_util::sync::CancellationToken;

use crate::output::{CliError, Output};
use crate::render::printable;
use crate::vault::{open_vault, profile_store};

#[derive(Debug, Args)]
pub struct CallArgs {
    /// The API URL.
    url: String,
    /// Take a fresh access token from this profile (its stored refresh token).
    #[arg(long, required_unless_present = "token", conflicts_with = "token")]
    profile: Option<String>,
    /// The access token: the value or @FILE.
    #[arg(long)]
    token: Option<String>,
    /// The HTTP method.
    #[arg(long, default_value = "GET")]
    method: String,
    /// The request body (JSON is sent as application/json, anything else as a form).
    #[arg(long)]
    data: Option<String>,
    /// Allow plain http to a non-loopback API.
    #[arg(long)]
    allow_http: bool,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

pub fn run(args: CallArgs) -> ExitCode {
    let out = Output::new(args.json);
    let method = args.method.to_ascii_uppercase();
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_alphabetic()) {
        return out.failure(&CliError::usage(format!(
            "--method {:?} is not an HTTP method",
            args.method
        )));
    }
    let given = match &args.token {
        Some(arg) => match crate::input::read_token(Some(arg)) {
            Ok(t) => Some(Secret::new(t.trim().trim_start_matches("Bearer ").trim())),
            Err(e) => return out.failure(&e),
        },
        None => None,
    };
    let settings = match &args.profile {
        Some(name) => {
            match profile_store().and_then(|s| s.get(name).map_err(CliError::from_core)) {
                Ok(p) => Some(FlowSettings::from_profile(&p)),
                Err(e) => return out.failure(&e),
            }
        }
        None => None,
    };
    let request = ApiRequest {
        url: args.url.clone(),
        method,
        body: args.data.clone(),
    };
    let policy = HttpPolicy {
        allow_insecure_http: args.allow_http,
        ..HttpPolicy::default()
    };
    let ran = crate::net::block_on(async {
        let vault = match &settings {
            Some(_) => Some(open_vault().await?),
            None => None,
        };
        let http = crate::net::http_client(policy);
        let cancel = CancellationToken::new();
        let ctx = FlowContext {
            http: &http,
            vault: vault.as_ref(),
            cancel: &cancel,
            observer: &(),
        };
        let (token, mut steps) = match (given, &settings) {
            (Some(t), _) => (t, Vec::new()),
            (None, Some(settings)) => match profile_access_token(&ctx, settings).await {
                Ok(v) => v,
                Err(failure) => return Ok(Err(failure)),
            },
            (None, None) => return Err(CliError::usage("give --token or --profile")),
        };
        Ok(call_api(&ctx, &request, &token).await.map(|mut result| {
            steps.append(&mut result.steps);
            result.steps = steps;
            result
        }))
    });
    let result = match ran.and_then(|r| r) {
        Err(e) => return out.failure(&e),
        Ok(Err(failure)) => return crate::flow::fail(&out, &failure),
        Ok(Ok(result)) => result,
    };
    let code = if (200..300).contains(&result.status) {
        0
    } else {
        1
    };
    out.verdict(
        &result,
        |w| {
            writeln!(w, "HTTP {}", result.status)?;
            writeln!(w, "{}", printable(&result.explanation))?;
            if let Some(c) = &result.challenge {
                for (name, value) in [
                    ("error", &c.error),
                    ("error_description", &c.error_description),
                    ("scope", &c.scope),
                    ("realm", &c.realm),
                ] {
                    if let Some(v) = value {
                        writeln!(w, "  {name:<18} {}", printable(v))?;
                    }
                }
            }
            if let Some(body) = &result.body {
                let text = match body {
                    serde_json::Value::String(s) => s.clone(),
                    other => serde_json::to_string_pretty(other).unwrap_or_default(),
                };
                writeln!(w)?;
                for line in text.lines() {
                    writeln!(w, "{}", printable(line))?;
                }
            }
            Ok(())
        },
        code,
    )
}
