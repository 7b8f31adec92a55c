//! `tokenscope`: the command-line front end over the Tokenscope core.
//!
//! Exit codes: 0 success, 1 a negative verdict (invalid token, error findings), 2 usage or input
//! error. With `--json`, stdout carries exactly one JSON object, errors included.
//!
//! Each subcommand lives in its own module with an `Args` struct and a `run` function; adding one
//! is a variant in [`Command`] and an arm in `main`.

mod decode;
mod diff;
mod discover;
mod encode;
mod input;
mod keygen;
mod net;
mod output;
mod profile;
mod render;
mod vault;
mod verify;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tokenscope::clock::{Clock, SystemClock};

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
    Decode(decode::DecodeArgs),
    /// Compare two tokens: header, claims (sets by member, time deltas) and signature.
    Diff(diff::DiffArgs),
    /// Fetch, explain and lint an OpenID Provider's metadata and keys.
    Discover(discover::DiscoverArgs),
    /// Build and sign a token from header and payload JSON (or an unsigned one with --alg none).
    Encode(Box<encode::EncodeArgs>),
    /// Generate a signing key pair: private/public PEM, private JWK and public JWK Set.
    Keygen(Box<keygen::KeygenArgs>),
    /// Provider profiles: issuer, client, redirect and scopes (secrets go to the OS keychain).
    Profile(profile::ProfileArgs),
    /// Refresh tokens and client secrets in the OS keychain: list, reveal, store, forget.
    Vault(vault::VaultArgs),
    /// Verify a token's signature and claims, reporting every check.
    Verify(Box<verify::VerifyArgs>),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // `args_os`: an argument that is not UTF-8 is clap's usage error, never a panic here.
        Err(e) => return output::usage_error(e, std::env::args_os().any(|a| a == "--json")),
    };
    match cli.command {
        Command::Decode(args) => decode::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Discover(args) => discover::run(args),
        Command::Encode(args) => encode::run(*args),
        Command::Keygen(args) => keygen::run(*args),
        Command::Profile(args) => profile::run(args),
        Command::Vault(args) => vault::run(args),
        Command::Verify(args) => verify::run(*args),
    }
}

/// The `--now` override, or the system clock.
pub fn now_or_clock(now: Option<i64>) -> i64 {
    now.unwrap_or_else(|| SystemClock.now_unix())
}
