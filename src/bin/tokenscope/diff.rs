//! `tokenscope diff`: what changed between two tokens, claim by claim.

use std::io::{self, Write};
use std::process::ExitCode;

use anstyle::{AnsiColor, Style};
use clap::Args;
use serde_json::Value;
use tokenscope::jose::timefmt::{human_duration, iso8601};
use tokenscope::jwt::diff::signed_duration;
use tokenscope::jwt::{
    decode_unverified, diff_tokens, Change, ChangeKind, DecodedToken, TokenDiff, TokenFormat,
};
use tokenscope::ErrorCode as _;

use crate::input::read_token;
use crate::output::{CliError, Output};
use crate::render::printable;

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The first ("before") token, or `@FILE` to read it from a file.
    a: String,
    /// The second ("after") token, or `@FILE` to read it from a file.
    b: String,
    /// Print one JSON object instead of the readable diff.
    #[arg(long)]
    json: bool,
}

pub fn run(args: DiffArgs) -> ExitCode {
    let out = Output::new(args.json);
    // The diff itself is independent of time; `now` only feeds decoding's expiry findings.
    let now = crate::now_or_clock(None);
    let tokens = read_and_decode("A", &args.a, now)
        .and_then(|a| read_and_decode("B", &args.b, now).map(|b| (a, b)));
    match tokens {
        Ok((a, b)) => {
            let diff = diff_tokens(&a, &b);
            out.success(&diff, |w| render(w, &diff))
        }
        Err(e) => out.failure(&e),
    }
}

/// Reads and decodes one argument; errors name the token ("token B: …") so the user knows which.
fn read_and_decode(name: &str, arg: &str, now: i64) -> Result<DecodedToken, CliError> {
    let text = read_token(Some(arg))
        .map_err(|e| CliError::new(&e.code, format!("token {name}: {}", e.message)))?;
    decode_unverified(&text, now)
        .map_err(|e| CliError::new(e.code(), format!("token {name} is malformed: {e}")))
}

const REMOVED: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Red)));
const ADDED: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Green)));
const CHANGED: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Yellow)));
const SECURITY: Style = Style::new()
    .bold()
    .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Magenta)));
const TITLE: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();

/// A git-like diff: `-` removed (red), `+` added (green), `~` changed (yellow).
fn render(w: &mut dyn Write, diff: &TokenDiff) -> io::Result<()> {
    let formats = if diff.format_before == diff.format_after {
        format!("both {}", format_label(diff.format_before))
    } else {
        format!(
            "A {} → B {}",
            format_label(diff.format_before),
            format_label(diff.format_after)
        )
    };
    writeln!(
        w,
        "{TITLE}Token diff{TITLE:#}  {formats}  {DIM}(not verified){DIM:#}"
    )?;
    section(w, "Header", &diff.header)?;
    if diff.payload_compared {
        section(w, "Payload", &diff.payload)?;
    } else {
        writeln!(w, "\n{TITLE}Payload{TITLE:#}\n  not compared (encrypted)")?;
    }
    let signature = if diff.signature_changed {
        format!("{CHANGED}changed{CHANGED:#}")
    } else {
        "unchanged".to_owned()
    };
    writeln!(w, "\n{TITLE}Signature{TITLE:#}  {signature}")?;
    if let Some(l) = &diff.lifetime {
        let show = |s: Option<i64>| match s {
            Some(s) if s >= 0 => human_duration(s.unsigned_abs()),
            Some(s) => format!("{s} s (exp before iat)"),
            None => "none".to_owned(),
        };
        let delta = l
            .delta_seconds
            .filter(|d| *d != 0)
            .map(|d| format!(" ({})", signed_duration(d)))
            .unwrap_or_default();
        writeln!(
            w,
            "{TITLE}Lifetime{TITLE:#}   {} → {}{delta}  {DIM}(exp − iat){DIM:#}",
            show(l.before_seconds),
            show(l.after_seconds)
        )?;
    }
    for note in &diff.notes {
        writeln!(w, "{DIM}note: {}{DIM:#}", printable(note))?;
    }
    writeln!(w, "\n{TITLE}Summary:{TITLE:#} {}", printable(&diff.summary))
}

fn section(w: &mut dyn Write, title: &str, changes: &[Change]) -> io::Result<()> {
    writeln!(w, "\n{TITLE}{title}{TITLE:#}")?;
    if changes.is_empty() {
        return writeln!(w, "  no differences");
    }
    for c in changes {
        change_line(w, c)?;
    }
    Ok(())
}

fn change_line(w: &mut dyn Write, c: &Change) -> io::Result<()> {
    let (mark, style) = match c.change {
        ChangeKind::Removed => ('-', REMOVED),
        ChangeKind::Added => ('+', ADDED),
        ChangeKind::Changed => ('~', CHANGED),
    };
    let path = if c.path.is_empty() {
        "(whole payload)".into()
    } else {
        printable(&c.path)
    };
    let member = if c.member { "member " } else { "" };
    let value = match (c.change, &c.before, &c.after) {
        (ChangeKind::Changed, Some(before), Some(after)) => {
            format!("{before} → {after}")
        }
        (_, Some(v), None) | (_, None, Some(v)) => v.to_string(),
        _ => String::new(),
    };
    // Compact JSON escapes C0 controls only: reveal bidi, format and C1 characters too.
    let value = printable(&value);
    write!(w, "  {style}{mark} {path}  {member}{value}{style:#}")?;
    if let (Some(text), Some(Value::Number(b)), Some(Value::Number(a))) =
        (&c.delta_text, &c.before, &c.after)
    {
        let at = |n: &serde_json::Number| {
            let unix = n.as_i64().or_else(|| n.as_f64().map(|f| f as i64));
            unix.map(iso8601).unwrap_or_default()
        };
        write!(
            w,
            "  {TITLE}{}{TITLE:#} {DIM}({} → {}){DIM:#}",
            printable(text),
            at(b),
            at(a)
        )?;
    }
    if c.security {
        write!(w, "  {SECURITY}[security]{SECURITY:#}")?;
    }
    writeln!(w)
}

fn format_label(format: TokenFormat) -> &'static str {
    match format {
        TokenFormat::Jws => "JWS",
        TokenFormat::Jwe => "JWE",
        TokenFormat::Unsecured => "unsecured JWT",
    }
}
