//! `tokenscope decode`: show what a token says, without a key.

use std::process::ExitCode;

use clap::Args;
use tokenscope::jwt::decode_unverified;

use crate::input::read_token;
use crate::output::{CliError, Output};
use crate::render;

#[derive(Debug, Args)]
pub struct DecodeArgs {
    /// The token, `@FILE` to read it from a file, or nothing to read standard input.
    /// Surrounding quotes, `Bearer ` and `Authorization:` are stripped.
    token: Option<String>,
    /// Print one JSON object instead of the readable rendering.
    #[arg(long)]
    json: bool,
    /// Compute relative times and expiry against this Unix time instead of the clock.
    #[arg(long, value_name = "UNIX_SECONDS", allow_negative_numbers = true)]
    now: Option<i64>,
}

pub fn run(args: DecodeArgs) -> ExitCode {
    let out = Output::new(args.json);
    let result = read_token(args.token.as_deref()).and_then(|text| {
        decode_unverified(&text, crate::now_or_clock(args.now)).map_err(CliError::from_core)
    });
    match result {
        Ok(decoded) => out.success(&decoded, |w| render::decoded(w, &decoded)),
        Err(e) => out.failure(&e),
    }
}
