//! `tokenscope encode`: build and sign a token from header and payload JSON.
//!
//! Prints the compact token on one line and exits 0; exit 2 on any input error (invalid JSON, a
//! key that does not fit the algorithm, an unreadable key file). `--alg none` needs no key and
//! warns on stderr that the token is unsigned. String values of `iat`, `nbf`, `exp` and
//! `auth_time` such as `"+15m"`, `"-1h"`, `"now"` become Unix times (`--literal-times` keeps them).

use std::process::ExitCode;

use anstream::eprintln;
use clap::{ArgGroup, Args};
use tokenscope::jwk::{GeneratedKeys, SigningKeySource, MAX_KEY_TEXT_BYTES};
use tokenscope::jwt::encode::{parse_json_object, JsonPart};
use tokenscope::jwt::{
    sign_with_key_source, EncodeAlg, EncodeError, EncodeOptions, EncodedToken, KidChoice, Severity,
    MAX_TOKEN_BYTES,
};
use tokenscope::secret::{Secret, SecretBytes};
use tokenscope::ErrorCode as _;

use crate::input::{read_bounded_file, read_secret, SecretEncoding, SecretSource};
use crate::output::{CliError, Output};

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("signing_key").multiple(false)))]
pub struct EncodeArgs {
    /// Signature algorithm: HS256/384/512, RS*, PS*, ES256/384/512, EdDSA, or none (unsigned).
    #[arg(long, value_name = "ALG")]
    alg: String,
    /// Shared HMAC secret, as text. Other users can read it in the process list: prefer
    /// --secret-file or --secret-stdin.
    #[arg(
        long,
        value_name = "TEXT",
        allow_hyphen_values = true,
        group = "signing_key"
    )]
    secret: Option<String>,
    /// Shared HMAC secret as base64 or base64url (padding optional). Visible in the process list
    /// like --secret: prefer --secret-b64-file or --secret-b64-stdin.
    #[arg(
        long,
        value_name = "VALUE",
        allow_hyphen_values = true,
        group = "signing_key"
    )]
    secret_b64: Option<String>,
    /// Read the HMAC secret (text) from FILE. One trailing newline (\n or \r\n) is dropped, so a
    /// file written with `echo` works.
    #[arg(long, value_name = "FILE", group = "signing_key")]
    secret_file: Option<String>,
    /// Read the HMAC secret (text) from standard input; one trailing newline is dropped.
    #[arg(long, group = "signing_key")]
    secret_stdin: bool,
    /// Read the HMAC secret as base64 or base64url from FILE (whitespace ignored).
    #[arg(long, value_name = "FILE", group = "signing_key")]
    secret_b64_file: Option<String>,
    /// Read the HMAC secret as base64 or base64url from standard input (whitespace ignored).
    #[arg(long, group = "signing_key")]
    secret_b64_stdin: bool,
    /// Private key file: PEM (PKCS#8, PKCS#1 RSA, SEC1 EC) or a private JWK.
    #[arg(long, value_name = "PRIVATE_KEY_FILE", group = "signing_key")]
    key: Option<String>,
    /// The claims: a JSON object, or `@FILE` to read it from a file.
    #[arg(long, value_name = "JSON_OR_@FILE")]
    payload: String,
    /// Extra header members: a JSON object, or `@FILE`. alg is always the one given by --alg.
    #[arg(long, value_name = "JSON_OR_@FILE")]
    header: Option<String>,
    /// Key ID for the header. Default: the header's kid, the JWK's kid, or the RFC 7638
    /// thumbprint of an asymmetric key (none for secrets).
    #[arg(long, value_name = "KID", allow_hyphen_values = true)]
    kid: Option<String>,
    /// Keep string values of iat, nbf, exp and auth_time as written (to mint a malformed token),
    /// instead of expanding "now", "+15m", "-1h", "+2d", "now+1w" (units s, m, h, d, w) into
    /// Unix times.
    #[arg(long)]
    literal_times: bool,
    /// Relative times are expanded by default; kept so older scripts still run.
    #[arg(long, hide = true, conflicts_with = "literal_times")]
    relative_times: bool,
    /// "Now" for relative times, in Unix seconds, instead of the clock.
    #[arg(long, value_name = "UNIX_SECONDS", allow_negative_numbers = true)]
    now: Option<i64>,
    /// Print one JSON object (token, header, payload, findings) instead of the bare token.
    #[arg(long)]
    json: bool,
}

pub fn run(args: EncodeArgs) -> ExitCode {
    let out = Output::new(args.json);
    match encode(&args) {
        Ok(encoded) => {
            if !args.json {
                for f in &encoded.findings {
                    let label = match f.severity {
                        Severity::Error | Severity::Warning => "warning",
                        Severity::Info => "note",
                    };
                    eprintln!(
                        "{label} [{}]: {}",
                        f.code,
                        crate::render::printable(&f.message)
                    );
                }
            }
            out.success(&encoded, |w| writeln!(w, "{}", encoded.token))
        }
        Err(e) => out.failure(&e),
    }
}

fn encode(args: &EncodeArgs) -> Result<EncodedToken, CliError> {
    let alg = EncodeAlg::parse(&args.alg).ok_or_else(|| {
        CliError::new(
            "encode.unsupported_alg",
            format!(
                "\"{}\" is not a supported algorithm (HS256/384/512, RS256/384/512, PS256/384/512, ES256/384/512, EdDSA, none)",
                args.alg
            ),
        )
    })?;
    let key = key_source(args)?;
    let key = match (alg, key) {
        (EncodeAlg::Unsecured, Some(_)) => return Err(CliError::usage(
            "--alg none makes an unsigned token and takes no key; drop the --secret or --key option",
        )),
        (EncodeAlg::Signed(alg), None) => {
            return Err(CliError::new(
                "encode.missing_key",
                format!(
                    "{alg} needs a key: give --secret-file, --secret-stdin (or another --secret \
                     form) or --key"
                ),
            ))
        }
        (_, key) => key,
    };
    let payload = parse_object(&args.payload, JsonPart::Payload)?;
    let header = match &args.header {
        Some(arg) => parse_object(arg, JsonPart::Header)?,
        None => Default::default(),
    };
    let options = EncodeOptions {
        kid: args.kid.clone().map_or(KidChoice::Default, KidChoice::Set),
        relative_times: !args.literal_times,
        ..EncodeOptions::new(alg, crate::now_or_clock(args.now))
    };
    // The CLI keeps no generated keys: `keygen` writes them to files, read back with --key.
    sign_with_key_source(header, payload, key, &GeneratedKeys::default(), &options).map_err(|e| {
        match (e, &args.key) {
            (EncodeError::KeySource(e), Some(path)) => {
                CliError::new(e.code(), format!("{path}: {e}"))
            }
            (e, _) => CliError::from_core(e),
        }
    })
}

/// The signing key flags as the core's one key-source type. Files and stdin are read here; the
/// core decodes and parses what was read.
fn key_source(args: &EncodeArgs) -> Result<Option<SigningKeySource>, CliError> {
    Ok(Some(if let Some(text) = &args.secret {
        SigningKeySource::Secret(SecretBytes::new(text.as_bytes().to_vec()))
    } else if let Some(b64) = &args.secret_b64 {
        SigningKeySource::SecretB64(Secret::new(b64.as_str()))
    } else if let Some(path) = &args.secret_file {
        SigningKeySource::Secret(read_secret(SecretSource::File(path), SecretEncoding::Text)?)
    } else if args.secret_stdin {
        SigningKeySource::Secret(read_secret(SecretSource::Stdin, SecretEncoding::Text)?)
    } else if let Some(path) = &args.secret_b64_file {
        // Decoded as it is read: the message names the file, never a character of the secret.
        SigningKeySource::Secret(read_secret(
            SecretSource::File(path),
            SecretEncoding::Base64,
        )?)
    } else if args.secret_b64_stdin {
        SigningKeySource::Secret(read_secret(SecretSource::Stdin, SecretEncoding::Base64)?)
    } else if let Some(path) = &args.key {
        let text = read_bounded_file(path, MAX_KEY_TEXT_BYTES, "key file")?;
        SigningKeySource::PrivateKey(Secret::new(text))
    } else {
        return Ok(None);
    }))
}

/// A JSON object given inline or as `@FILE`; errors from a file name the file.
fn parse_object(
    arg: &str,
    part: JsonPart,
) -> Result<serde_json::Map<String, serde_json::Value>, CliError> {
    match arg.strip_prefix('@') {
        Some(path) => {
            let text = read_bounded_file(path, MAX_TOKEN_BYTES, &format!("{part} file"))?;
            parse_json_object(&text, part)
                .map_err(|e| CliError::new(e.code(), format!("{path}: {e}")))
        }
        None => parse_json_object(arg, part).map_err(CliError::from_core),
    }
}
