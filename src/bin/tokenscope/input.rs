//! Where a command's token comes from (the argument, `@FILE`, or standard input), and an HMAC
//! secret kept off the command line (a file or standard input).

use std::io::{IsTerminal as _, Read as _};

use secrecy::zeroize::Zeroizing;
use tokenscope::jwk::{secret_from_base64, MAX_KEY_TEXT_BYTES};
use tokenscope::jwt::MAX_TOKEN_BYTES;
use tokenscope::secret::SecretBytes;
use tokenscope::ErrorCode as _;

use crate::output::CliError;

/// Reads at most a little more than the core accepts, so the core reports the size error and a
/// huge stdin or file is never loaded whole. Normalisation (quotes, `Bearer`, newlines) is the core's.
pub fn read_token(arg: Option<&str>) -> Result<String, CliError> {
    const LIMIT: u64 = MAX_TOKEN_BYTES as u64 + 4096;
    match arg {
        Some(arg) => match arg.strip_prefix('@') {
            Some(path) => {
                let file = std::fs::File::open(path).map_err(|e| {
                    CliError::new(
                        "input.unreadable",
                        format!("cannot read token file {path}: {e}"),
                    )
                })?;
                read_bounded(file, LIMIT, &format!("token file {path}"), token_too_large)
            }
            None => Ok(arg.to_owned()),
        },
        None => {
            let stdin = std::io::stdin();
            if stdin.is_terminal() {
                return Err(CliError::usage(
                    "no TOKEN given: pass it as an argument, as @FILE, or on standard input",
                ));
            }
            read_bounded(stdin.lock(), LIMIT, "standard input", token_too_large)
        }
    }
}

/// Reads a small file (a key), refusing more than `limit` bytes.
pub fn read_bounded_file(path: &str, limit: usize, what: &str) -> Result<String, CliError> {
    let file = std::fs::File::open(path).map_err(|e| {
        CliError::new(
            "input.unreadable",
            format!("cannot read {what} {path}: {e}"),
        )
    })?;
    read_bounded(file, limit as u64, &format!("{what} {path}"), |what| {
        CliError::new("input.too_large", format!("{what} is over {limit} bytes"))
    })
}

/// A token input over the core's bound. The CLI says so itself: having read only the first bytes,
/// the core would report a cut-off size (or a character cut in two as not UTF-8).
fn token_too_large(what: &str) -> CliError {
    CliError::new(
        "jwt.too_large",
        format!("{what} is over {MAX_TOKEN_BYTES} bytes, the limit for a token"),
    )
}

/// Reads at most `limit` bytes of UTF-8 text; more is the error `too_large(what)`.
fn read_bounded(
    reader: impl std::io::Read,
    limit: u64,
    what: &str,
    too_large: impl FnOnce(&str) -> CliError,
) -> Result<String, CliError> {
    let mut bytes = Vec::new();
    reader
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| CliError::new("input.unreadable", format!("cannot read {what}: {e}")))?;
    if bytes.len() as u64 > limit {
        return Err(too_large(what));
    }
    String::from_utf8(bytes)
        .map_err(|_| CliError::new("input.not_utf8", format!("{what} is not UTF-8 text")))
}

/// Where an HMAC secret given off the command line comes from. `--secret VALUE` is readable by
/// other users in the process list (`ps`, `/proc/PID/cmdline`) and lands in shell history.
#[derive(Debug, Clone, Copy)]
pub enum SecretSource<'a> {
    File(&'a str),
    Stdin,
}

/// How a secret read from a [`SecretSource`] is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretEncoding {
    /// The bytes as they are, less one trailing newline.
    Text,
    /// Base64 or base64url, padding optional, whitespace ignored.
    Base64,
}

/// Reads an HMAC secret of at most [`MAX_KEY_TEXT_BYTES`]. Text loses exactly one trailing `\n`
/// or `\r\n` (`echo secret > file` adds one). An empty secret is an error. The read buffer is
/// wiped; only the returned [`SecretBytes`] holds the secret, and no message quotes it.
pub fn read_secret(
    source: SecretSource<'_>,
    encoding: SecretEncoding,
) -> Result<SecretBytes, CliError> {
    const LIMIT: usize = MAX_KEY_TEXT_BYTES;
    let what = match source {
        SecretSource::File(path) => format!("secret file {path}"),
        SecretSource::Stdin => "the secret on standard input".to_owned(),
    };
    // Room for the whole bound up front: a growing buffer would leave copies of the secret in
    // freed memory. `Zeroizing` wipes the buffer, spare capacity included, when it drops.
    let mut buf = Zeroizing::new(Vec::with_capacity(LIMIT + 1));
    let read = match source {
        SecretSource::File(path) => std::fs::File::open(path)
            .map_err(|e| {
                CliError::new(
                    "input.unreadable",
                    format!("cannot read secret file {path}: {e}"),
                )
            })?
            .take(LIMIT as u64 + 1)
            .read_to_end(&mut buf),
        SecretSource::Stdin => std::io::stdin()
            .lock()
            .take(LIMIT as u64 + 1)
            .read_to_end(&mut buf),
    };
    read.map_err(|e| CliError::new("input.unreadable", format!("cannot read {what}: {e}")))?;
    if buf.len() > LIMIT {
        return Err(CliError::new(
            "input.too_large",
            format!("{what} is over {LIMIT} bytes"),
        ));
    }
    let secret = match encoding {
        // `to_vec` allocates exactly the length, so `SecretBytes` keeps it without another copy.
        SecretEncoding::Text => SecretBytes::new(strip_one_newline(&buf).to_vec()),
        SecretEncoding::Base64 => {
            let text = std::str::from_utf8(&buf).map_err(|_| {
                CliError::new("input.not_utf8", format!("{what} is not base64 text"))
            })?;
            // Not the decoder's message: it quotes the offending character of the secret.
            secret_from_base64(text).map_err(|e| {
                CliError::new(
                    e.code(),
                    format!("{what} is not base64 or base64url (padding optional)"),
                )
            })?
        }
    };
    if secret.is_empty() {
        return Err(CliError::new("input.empty", format!("{what} is empty")));
    }
    Ok(secret)
}

/// `bytes` without one trailing `\n` or `\r\n`; a second newline is part of the secret.
fn strip_one_newline(bytes: &[u8]) -> &[u8] {
    bytes
        .strip_suffix(b"\r\n")
        .or_else(|| bytes.strip_suffix(b"\n"))
        .unwrap_or(bytes)
}
