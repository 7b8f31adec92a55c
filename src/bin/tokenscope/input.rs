//! Where a command's token comes from: the argument, `@FILE`, or standard input.

use std::io::{IsTerminal as _, Read as _};

use tokenscope::jwt::MAX_TOKEN_BYTES;

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
