//! `tokenscope`: the command-line front end over the Tokenscope core.
//!
//! Exit codes: 0 success, 1 a negative verdict (invalid token, error findings), 2 usage or input
//! error. With `--json`, stdout carries exactly one JSON object, errors included.
//!
//! Each subcommand lives in its own module with an `Args` struct and a `run` function; adding one
//! is a variant in [`Command`] and an arm in `main`.

mod call;
mod completions;
mod decode;
mod diff;
mod discover;
mod encode;
mod flow;
mod input;
mod keygen;
mod net;
mod output;
mod practice;
mod profile;
mod render;
mod vault;
mod verify;

use std::process::ExitCode;

use std::ffi::OsString;

use clap::{Args, FromArgMatches as _, Parser, Subcommand};
use tokenscope::clock::{Clock, SystemClock};

#[derive(Debug, Parser)]
#[command(
    name = "tokenscope",
    version,
    about = "Inspect, verify and debug JWTs and OAuth flows"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print shell completions (bash, zsh, fish, powershell) to standard output.
    Completions(completions::CompletionsArgs),
    /// Print the man page (roff) to standard output.
    Man(completions::ManArgs),
    /// Call an API with an access token and explain the answer (401 challenge, 403).
    Call(call::CallArgs),
    /// Decode a token without verifying it: header, claims explained, findings.
    Decode(decode::DecodeArgs),
    /// Compare two tokens: header, claims (sets by member, time deltas) and signature.
    Diff(diff::DiffArgs),
    /// Fetch, explain and lint an OpenID Provider's metadata and keys.
    Discover(discover::DiscoverArgs),
    /// Build and sign a token from header and payload JSON (or an unsigned one with --alg none).
    Encode(Box<encode::EncodeArgs>),
    /// Run OAuth flows: the authorization code flow with PKCE, refresh.
    Flow(flow::FlowArgs),
    /// Generate a signing key pair: private/public PEM, private JWK and public JWK Set.
    Keygen(Box<keygen::KeygenArgs>),
    /// Run the built-in practice OpenID Provider on 127.0.0.1, optionally staging a lesson.
    #[command(name = "practice-issuer")]
    PracticeIssuer(practice::PracticeArgs),
    /// Provider profiles: issuer, client, redirect and scopes (secrets go to the OS keychain).
    Profile(profile::ProfileArgs),
    /// Refresh tokens and client secrets in the OS keychain: list, reveal, store, forget.
    Vault(vault::VaultArgs),
    /// Verify a token's signature and claims, reporting every check.
    Verify(Box<verify::VerifyArgs>),
}

fn main() -> ExitCode {
    let cli = match parse(std::env::args_os().collect()) {
        Ok(cli) => cli,
        // `args_os`: an argument that is not UTF-8 is clap's usage error, never a panic here.
        Err(e) => return output::usage_error(e, std::env::args_os().any(|a| a == "--json")),
    };
    match cli.command {
        Command::Call(args) => call::run(args),
        Command::Completions(args) => completions::completions(args),
        Command::Man(args) => completions::man(args),
        Command::Decode(args) => decode::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Discover(args) => discover::run(args),
        Command::Encode(args) => encode::run(*args),
        Command::Flow(args) => flow::run(args),
        Command::Keygen(args) => keygen::run(*args),
        Command::PracticeIssuer(args) => practice::run(args),
        Command::Profile(args) => profile::run(args),
        Command::Vault(args) => vault::run(args),
        Command::Verify(args) => verify::run(*args),
    }
}

/// Parses the command line. clap builds the tree of every subcommand and option (ten
/// subcommands, some with thirty options) and frees it again, which costs more than a local
/// `verify` (benches/compare.sh). So a command line that starts with a subcommand's name is first
/// parsed against that subcommand alone, and the tree is left for the process exit to reclaim;
/// anything else, or anything that fails there (help, a typo, a bad value), is parsed against the
/// whole tree, so help and errors read exactly as before.
fn parse(args: Vec<OsString>) -> Result<Cli, clap::Error> {
    if let Some(sub) = args
        .get(1)
        .and_then(|a| a.to_str())
        .and_then(subcommand_alone)
    {
        let mut command = clap::Command::new("tokenscope").subcommand(sub);
        if let Ok(matches) = command.try_get_matches_from_mut(&args) {
            if let Ok(cli) = Cli::from_arg_matches(&matches) {
                std::mem::forget((command, matches));
                return Ok(cli);
            }
        }
    }
    Cli::try_parse_from(args)
}

/// The clap tree of one subcommand, as the derive would build it inside the whole tree.
fn subcommand_alone(name: &str) -> Option<clap::Command> {
    let alone = |name: &'static str, augment: fn(clap::Command) -> clap::Command| {
        Some(augment(clap::Command::new(name)))
    };
    match name {
        "call" => alone("call", call::CallArgs::augment_args),
        "decode" => alone("decode", decode::DecodeArgs::augment_args),
        "diff" => alone("diff", diff::DiffArgs::augment_args),
        "discover" => alone("discover", discover::DiscoverArgs::augment_args),
        "encode" => alone("encode", encode::EncodeArgs::augment_args),
        "flow" => alone("flow", flow::FlowArgs::augment_args),
        "keygen" => alone("keygen", keygen::KeygenArgs::augment_args),
        "practice-issuer" => alone("practice-issuer", practice::PracticeArgs::augment_args),
        "profile" => alone("profile", profile::ProfileArgs::augment_args),
        "vault" => alone("vault", vault::VaultArgs::augment_args),
        "verify" => alone("verify", verify::VerifyArgs::augment_args),
        _ => None,
    }
}

/// The `--now` override, or the system clock.
pub fn now_or_clock(now: Option<i64>) -> i64 {
    now.unwrap_or_else(|| SystemClock.now_unix())
}
