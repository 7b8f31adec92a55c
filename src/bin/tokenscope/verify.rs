//! `tokenscope verify`: check a token's signature and claims, one reported check at a time.
//!
//! Exit 0: every check passed; 1: the token is invalid (a check failed); 2: usage or input error
//! (malformed token, unreadable key, network failure, an encrypted token).

use std::io::{self, Write};
use std::process::ExitCode;

use anstyle::{AnsiColor, Style};
use clap::{ArgGroup, Args};
use tokenscope::http::{HttpPolicy, Transcript};
use tokenscope::jwk::MAX_KEY_TEXT_BYTES;
use tokenscope::jwt::decode_unverified;
use tokenscope::jwt::verify::{
    VerifyOptions, VerifyReport, DEFAULT_LEEWAY_SECONDS, DEFAULT_MAX_LIFETIME_SECONDS,
};
use tokenscope::keysource::{
    verify_decoded_with_key_source, KeyFetch, KeyInput, KeySourceError, KeyVerifyError,
};
use tokenscope::secret::Secret;

use crate::input::{read_bounded_file, read_secret, read_token, SecretEncoding, SecretSource};
use crate::output::{CliError, Output};
use crate::render;

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("key_source").required(true).multiple(false)))]
pub struct VerifyArgs {
    /// The token, `@FILE` to read it from a file, or nothing to read standard input.
    token: Option<String>,
    /// Print one JSON object instead of the readable report.
    #[arg(long)]
    json: bool,
    /// Shared HMAC secret, as text. Other users can read it in the process list: prefer
    /// --secret-file or --secret-stdin.
    #[arg(
        long,
        value_name = "TEXT",
        allow_hyphen_values = true,
        group = "key_source"
    )]
    secret: Option<String>,
    /// Shared HMAC secret as base64 or base64url (padding optional). Visible in the process list
    /// like --secret: prefer --secret-b64-file or --secret-b64-stdin.
    #[arg(
        long,
        value_name = "VALUE",
        allow_hyphen_values = true,
        group = "key_source"
    )]
    secret_b64: Option<String>,
    /// Read the HMAC secret (text) from FILE. One trailing newline (\n or \r\n) is dropped, so a
    /// file written with `echo` works.
    #[arg(long, value_name = "FILE", group = "key_source")]
    secret_file: Option<String>,
    /// Read the HMAC secret (text) from standard input; one trailing newline is dropped. The
    /// token must then be an argument or @FILE.
    #[arg(long, group = "key_source")]
    secret_stdin: bool,
    /// Read the HMAC secret as base64 or base64url from FILE (whitespace ignored).
    #[arg(long, value_name = "FILE", group = "key_source")]
    secret_b64_file: Option<String>,
    /// Read the HMAC secret as base64 or base64url from standard input (whitespace ignored). The
    /// token must then be an argument or @FILE.
    #[arg(long, group = "key_source")]
    secret_b64_stdin: bool,
    /// Public key file: PEM (SPKI, PKCS#1 RSA, X.509 certificate), or a JSON JWK or JWKS.
    #[arg(long, value_name = "FILE", group = "key_source")]
    key: Option<String>,
    /// Fetch the JWK Set from this URL.
    #[arg(long, value_name = "URL", group = "key_source")]
    jwks_url: Option<String>,
    /// Discover the issuer's keys (OIDC discovery, then jwks_uri). The metadata's issuer must be
    /// exactly this URL, and so must the token's iss unless --iss says otherwise.
    #[arg(long, value_name = "URL", group = "key_source")]
    issuer: Option<String>,
    /// Use the key the token names in its own jwk/x5c/jku header. Proves nothing: for teaching.
    #[arg(long, group = "key_source")]
    token_keys: bool,
    /// Allowed algorithm (repeatable). Default: every standard algorithm that fits the key.
    #[arg(long = "alg", value_name = "ALG")]
    algs: Vec<String>,
    /// Expected issuer (exact match).
    #[arg(long, value_name = "ISS", allow_hyphen_values = true)]
    iss: Option<String>,
    /// Accepted audience (repeatable: any of them).
    #[arg(long = "aud", value_name = "AUD", allow_hyphen_values = true)]
    auds: Vec<String>,
    /// Expected nonce (ID tokens).
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    nonce: Option<String>,
    /// Access token issued with this ID token, to check at_hash.
    #[arg(long, value_name = "TOKEN", allow_hyphen_values = true)]
    access_token: Option<String>,
    /// Authorization code issued with this ID token, to check c_hash.
    #[arg(long, value_name = "CODE", allow_hyphen_values = true)]
    code: Option<String>,
    /// Treat the token as an OpenID Connect ID token (iat and sub required).
    #[arg(long)]
    id_token: bool,
    /// Clock skew tolerated by exp, nbf and iat, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_LEEWAY_SECONDS)]
    leeway: u64,
    /// Verify as of this Unix time instead of the clock.
    #[arg(long, value_name = "UNIX_SECONDS", allow_negative_numbers = true)]
    now: Option<i64>,
    /// Raise the long-lifetime finding when exp − iat exceeds this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_MAX_LIFETIME_SECONDS)]
    max_lifetime: i64,
    /// Allow plain http to non-loopback hosts for --jwks-url and --issuer.
    #[arg(long)]
    allow_http: bool,
}

pub fn run(args: VerifyArgs) -> ExitCode {
    let out = Output::new(args.json);
    match verify(&args) {
        Ok(report) => {
            let code = if report.valid { 0 } else { 1 };
            out.verdict(&report, |w| render_report(w, &report), code)
        }
        Err(e) => out.failure(&e),
    }
}

/// The key source the flags name, in the core's one shape. Files and standard input are read
/// here; everything else (base64, key text, URLs) is the core's to interpret.
fn key_input(args: &VerifyArgs) -> Result<KeyInput, CliError> {
    Ok(if let Some(text) = &args.secret {
        KeyInput::Secret(Secret::new(text.as_str()))
    } else if let Some(b64) = &args.secret_b64 {
        KeyInput::SecretB64(Secret::new(b64.as_str()))
    } else if let Some(path) = &args.secret_file {
        KeyInput::SecretBytes(read_secret(SecretSource::File(path), SecretEncoding::Text)?)
    } else if args.secret_stdin {
        KeyInput::SecretBytes(read_secret(SecretSource::Stdin, SecretEncoding::Text)?)
    } else if let Some(path) = &args.secret_b64_file {
        KeyInput::SecretBytes(read_secret(
            SecretSource::File(path),
            SecretEncoding::Base64,
        )?)
    } else if args.secret_b64_stdin {
        KeyInput::SecretBytes(read_secret(SecretSource::Stdin, SecretEncoding::Base64)?)
    } else if let Some(path) = &args.key {
        KeyInput::KeyText(read_bounded_file(path, MAX_KEY_TEXT_BYTES, "key file")?)
    } else if let Some(url) = &args.jwks_url {
        KeyInput::JwksUrl(url.clone())
    } else if let Some(issuer) = &args.issuer {
        KeyInput::Issuer(issuer.clone())
    } else if args.token_keys {
        KeyInput::TokenHeader
    } else {
        return Err(CliError::usage(
            "give one key source: --secret-file, --secret-stdin, --secret, the --secret-b64 forms, \
             --key, --jwks-url, --issuer or --token-keys",
        ));
    })
}

fn verify(args: &VerifyArgs) -> Result<VerifyReport, CliError> {
    // Standard input can carry the secret or the token, not both.
    let stdin_secret_flag = if args.secret_stdin {
        Some("--secret-stdin")
    } else if args.secret_b64_stdin {
        Some("--secret-b64-stdin")
    } else {
        None
    };
    if let (Some(flag), None) = (stdin_secret_flag, &args.token) {
        return Err(CliError::usage(format!(
            "{flag} reads the secret from standard input, so give the token as an argument or @FILE"
        )));
    }
    let token_text = read_token(args.token.as_deref())?;
    let now = crate::now_or_clock(args.now);
    // Decoded first, so a malformed token is reported before anything about the key.
    let decoded = decode_unverified(&token_text, now).map_err(CliError::from_core)?;
    let input = key_input(args)?;
    let policy = HttpPolicy {
        allow_insecure_http: args.allow_http,
        ..HttpPolicy::default()
    };
    let client = crate::net::http_client(policy);
    let transcript = Transcript::new();
    let fetch = KeyFetch {
        http: &client,
        transcript: &transcript,
        // The cache lives only as long as this process, so there is nothing stale to refresh.
        refresh: false,
    };
    let options = VerifyOptions {
        allowed_algs: args.algs.clone(),
        issuer: args.iss.clone(),
        audiences: args.auds.clone(),
        nonce: args.nonce.clone(),
        access_token: args.access_token.clone(),
        code: args.code.clone(),
        leeway: args.leeway,
        id_token: args.id_token.then_some(true),
        max_lifetime: args.max_lifetime,
        ..VerifyOptions::at(now)
    };
    let verified = verify_decoded_with_key_source(&decoded, &input, options, fetch);
    let outcome = if input.is_local(&decoded) {
        crate::net::run_local(verified)?
    } else {
        crate::net::block_on(verified)?
    };
    outcome.map_err(|e| match (&e, &args.key) {
        // A key file that does not parse is named, as when it cannot be read.
        (KeyVerifyError::Keys(KeySourceError::Key(key)), Some(path)) => {
            CliError::new(tokenscope::ErrorCode::code(key), format!("{path}: {key}"))
        }
        _ => CliError::from_core(e),
    })
}

fn render_report(w: &mut dyn Write, report: &VerifyReport) -> io::Result<()> {
    let (style, verdict) = if report.valid {
        (
            Style::new().bold().fg_color(Some(AnsiColor::Green.into())),
            "VALID",
        )
    } else {
        (
            Style::new().bold().fg_color(Some(AnsiColor::Red.into())),
            "INVALID",
        )
    };
    writeln!(
        w,
        "{style}{verdict}{style:#}  alg {}",
        render::printable(report.alg.as_deref().unwrap_or("?"))
    )?;
    if let Some(key) = &report.key {
        let kid = key
            .kid
            .as_deref()
            .map(|k| format!(" kid {}", render::printable(k)))
            .unwrap_or_default();
        let thumb = key
            .thumbprint
            .as_deref()
            .map(|t| format!(", thumbprint {t}"))
            .unwrap_or_default();
        writeln!(w, "key: {:?} {}{kid}{thumb}", key.source, key.kty)?;
    }
    writeln!(w)?;
    render::checks(w, &report.checks)?;
    writeln!(w, "\nFindings")?;
    render::findings(w, &report.findings)
}
