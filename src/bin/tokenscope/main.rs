//! `tokenscope`: the command-line front end over the Tokenscope core.
//!
//! Exit codes: 0 success, 1 a negative verdict (used by later commands), 2 usage or input error.
//! With `--json`, stdout carries exactly one JSON object, errors included.

mod input;
mod output;
mod render;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tokenscope::clock::{Clock, SystemClock};
use tokenscope::jwt::decode_unverified;

use crate::output::{CliError, Output};

#[derive(Debug, Parser)]
#[command(
    name = "tokenscope",
    version,
    about = "Inspect, verify and debug JWTs and OAuth flows"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Decode a token without verifying it: header, claims explained, findings.
    Decode {
        /// The token, `@FILE` to read it from a file, or nothing to read standard input.
        /// Surrounding quotes, `Bearer ` and `Authorization:` are stripped.
        token: Option<String>,
        /// Print one JSON object instead of the readable rendering.
        #[arg(long)]
        json: bool,
        /// Compute relative times and expiry against this Unix time instead of the clock.
        #[arg(long, value_name = "UNIX_SECONDS", allow_negative_numbers = true)]
        now: Option<i64>,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return output::usage_error(e, std::env::args().any(|a| a == "--json")),
    };
    match cli.command {
        Command::Decode { token, json, now } => {
            let out = Output::new(json);
            let result = input::read_token(token.as_deref()).and_then(|text| {
                let now = now.unwrap_or_else(|| SystemClock.now_unix());
                decode_unverified(&text, now).map_err(CliError::from_core)
            });
            match result {
                Ok(decoded) => out.success(&decoded, |w| render::decoded(w, &decoded)),
                Err(e) => out.failure(&e),
            }
        }
    }
}
