//! Printing results and errors, as JSON or for people, with the exit-code contract.

use std::io::Write as _;
use std::process::ExitCode;

use anstream::{eprintln, AutoStream};
use serde::Serialize;
use tokenscope::ErrorCode;

/// Usage or input error: exit 2 (documented in every command's contract).
pub const EXIT_INPUT_ERROR: u8 = 2;

/// A failure to report: a stable code and a message for people.
#[derive(Debug)]
pub struct CliError {
    pub code: String,
    pub message: String,
}

impl CliError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        CliError {
            code: code.to_owned(),
            message: message.into(),
        }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self::new("cli.usage", message)
    }

    pub fn from_core(e: impl ErrorCode) -> Self {
        Self::new(e.code(), e.to_string())
    }
}

/// Where a command's result goes: one JSON object on stdout, or a rendering for people.
pub struct Output {
    json: bool,
}

impl Output {
    pub fn new(json: bool) -> Self {
        Output { json }
    }

    /// Prints `value` as JSON or through `render`, and exits 0.
    pub fn success<T: Serialize>(
        &self,
        value: &T,
        render: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> ExitCode {
        self.verdict(value, render, 0)
    }

    /// Like [`Output::success`] with a chosen exit code (1 for a negative verdict).
    pub fn verdict<T: Serialize>(
        &self,
        value: &T,
        render: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
        code: u8,
    ) -> ExitCode {
        let written = if self.json {
            // JSON carries no styles (and escapes every control character), so it skips the
            // colour-stripping stream, and is written in large blocks rather than line by line.
            let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
            serde_json::to_writer_pretty(&mut stdout, value)
                .map_err(std::io::Error::from)
                .and_then(|()| writeln!(stdout))
                .and_then(|()| stdout.flush())
        } else {
            let mut stdout = AutoStream::auto(std::io::stdout().lock());
            render(&mut stdout).and_then(|()| stdout.flush())
        };
        match written {
            Ok(()) => ExitCode::from(code),
            // The reader stopped early (`| head`): it has what it wanted, and the verdict stands.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::from(code),
            Err(e) => {
                eprintln!("tokenscope: cannot write output: {e}");
                ExitCode::from(EXIT_INPUT_ERROR)
            }
        }
    }

    /// Reports `err` on stderr (and as `{"error":…}` on stdout with `--json`); exits 2.
    pub fn failure(&self, err: &CliError) -> ExitCode {
        print_error(err, self.json);
        ExitCode::from(EXIT_INPUT_ERROR)
    }
}

fn print_error(err: &CliError, json: bool) {
    let style = anstyle::Style::new()
        .bold()
        .fg_color(Some(anstyle::AnsiColor::Red.into()));
    // Messages can quote the token or the server; the JSON object below keeps them raw.
    eprintln!(
        "{style}error{style:#} [{}]: {}",
        crate::render::printable(&err.code),
        crate::render::printable(&err.message)
    );
    if json {
        let body = serde_json::json!({ "error": { "code": err.code, "message": err.message } });
        print_json_line(&body);
    }
}

/// One JSON line on stdout; a closed stdout is ignored (the message went to stderr already).
fn print_json_line(body: &serde_json::Value) {
    let _ = writeln!(std::io::stdout().lock(), "{body}");
}

/// Handles a command line clap rejected: help and version print normally and exit 0.
pub fn usage_error(e: clap::Error, json: bool) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        let _ = e.print();
        return ExitCode::SUCCESS;
    }
    if json {
        // The error proper, without clap's usage and help hints, on one line.
        let rendered = e.render().to_string();
        let error = rendered.split("\n\n").next().unwrap_or_default();
        let message = error
            .trim_start_matches("error: ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let body = serde_json::json!({ "error": { "code": "cli.usage", "message": message } });
        print_json_line(&body);
    }
    let _ = e.print();
    ExitCode::from(EXIT_INPUT_ERROR)
}
