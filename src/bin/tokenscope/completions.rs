//! `tokenscope completions SHELL` and `tokenscope man`: shell completions (clap_complete) and the
//! man page (clap_mangen), both generated from the parser's own definitions, so they cannot drift
//! from the options the CLI accepts.

use std::io::Write as _;
use std::process::ExitCode;

use clap::{Args, CommandFactory as _, ValueEnum};
use clap_complete::Shell;

use crate::output::{CliError, Output};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShellArg {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to write completions for.
    #[arg(value_enum)]
    shell: ShellArg,
}

#[derive(Debug, Args)]
pub struct ManArgs {}

pub fn completions(args: CompletionsArgs) -> ExitCode {
    let shell = match args.shell {
        ShellArg::Bash => Shell::Bash,
        ShellArg::Zsh => Shell::Zsh,
        ShellArg::Fish => Shell::Fish,
        ShellArg::Powershell => Shell::PowerShell,
    };
    let mut command = crate::Cli::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(shell, &mut command, "tokenscope", &mut out);
    match out.flush() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => Output::new(false).failure(&CliError::new("cli.output", e.to_string())),
    }
}

pub fn man(_: ManArgs) -> ExitCode {
    let page = clap_mangen::Man::new(crate::Cli::command());
    let mut buffer = Vec::new();
    let written = page
        .render(&mut buffer)
        .and_then(|()| std::io::stdout().lock().write_all(&buffer));
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => Output::new(false).failure(&CliError::new("cli.output", e.to_string())),
    }
}
