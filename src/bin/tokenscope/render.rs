//! Human-readable renderings. Colour is added with ANSI styles; `anstream` strips them when stdout
//! is not a terminal (or `NO_COLOR` is set).

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};
use tokenscope::jwt::{Claim, DecodedToken, Finding, SegmentKind, Severity, TokenFormat};
use tokenscope::text;

const HEADER: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Red)));
const PAYLOAD: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Magenta)));
const SIGNATURE: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Cyan)));
const OTHER: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Yellow)));
const TITLE: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();

fn segment_style(kind: SegmentKind) -> Style {
    match kind {
        SegmentKind::Header => HEADER,
        SegmentKind::Payload => PAYLOAD,
        SegmentKind::Signature => SIGNATURE,
        _ => OTHER,
    }
}

pub fn severity_style(severity: Severity) -> Style {
    let color = match severity {
        Severity::Error => AnsiColor::Red,
        Severity::Warning => AnsiColor::Yellow,
        Severity::Info => AnsiColor::Blue,
    };
    Style::new().bold().fg_color(Some(color.into()))
}

/// The whole decoded token: format, segments, JSON, claims with meanings, findings.
pub fn decoded(w: &mut dyn Write, token: &DecodedToken) -> io::Result<()> {
    let format = match token.format {
        TokenFormat::Jws => "JWS (signed JWT)",
        TokenFormat::Jwe => "JWE (encrypted)",
        TokenFormat::Unsecured => "Unsecured JWT (alg: none)",
    };
    let alg = token
        .header
        .get("alg")
        .and_then(|a| a.as_str())
        .unwrap_or("?");
    writeln!(
        w,
        "{TITLE}{format}{TITLE:#}  alg {}  {DIM}(not verified){DIM:#}",
        printable(alg)
    )?;
    let joined: Vec<String> = token
        .segments
        .iter()
        .map(|s| {
            let st = segment_style(s.kind);
            format!("{st}{}{st:#}", s.text)
        })
        .collect();
    writeln!(w, "{}", joined.join("."))?;

    section(w, "Header", HEADER)?;
    json_block(w, &token.header, HEADER)?;
    section(w, "Payload", PAYLOAD)?;
    match (&token.payload, &token.payload_text) {
        (Some(p), _) => json_block(w, p, PAYLOAD)?,
        (None, Some(text)) => {
            writeln!(w, "  {DIM}(not a JSON object; shown as text){DIM:#}")?;
            for line in text.lines() {
                writeln!(w, "  {PAYLOAD}{}{PAYLOAD:#}", printable(line))?;
            }
        }
        (None, None) if token.format == TokenFormat::Jwe => {
            writeln!(w, "  (encrypted: the recipient's key is needed to read it)")?
        }
        (None, None) => writeln!(w, "  (not a JSON object, nor UTF-8 text)")?,
    }
    if token.format != TokenFormat::Jwe {
        section(w, "Signature", SIGNATURE)?;
        match &token.signature {
            Some(sig) => writeln!(w, "  {SIGNATURE}{sig}{SIGNATURE:#}")?,
            None => writeln!(w, "  (none)")?,
        }
    }
    if !token.header_params.is_empty() {
        section(w, "Header parameters", TITLE)?;
        claims(w, &token.header_params)?;
    }
    if !token.claims.is_empty() {
        section(w, "Claims", TITLE)?;
        claims(w, &token.claims)?;
    }
    section(w, "Findings", TITLE)?;
    findings(w, &token.findings)
}

fn section(w: &mut dyn Write, title: &str, style: Style) -> io::Result<()> {
    writeln!(w, "\n{}{title}{:#}", style.bold(), style.bold())
}

fn json_block(w: &mut dyn Write, value: &serde_json::Value, style: Style) -> io::Result<()> {
    // serde_json escapes C0 controls but not DEL, C1 controls or bidi and format characters.
    let text = serde_json::to_string_pretty(value).map_err(io::Error::from)?;
    for line in text.lines() {
        writeln!(w, "  {style}{}{style:#}", printable(line))?;
    }
    Ok(())
}

fn claims(w: &mut dyn Write, claims: &[Claim]) -> io::Result<()> {
    let width = claims
        .iter()
        .map(|c| c.name.chars().count())
        .max()
        .unwrap_or(0)
        .min(24);
    for c in claims {
        let value = match &c.value {
            serde_json::Value::String(s) => printable(s).into_owned(),
            other => printable(&other.to_string()).into_owned(),
        };
        writeln!(
            w,
            "  {TITLE}{:width$}{TITLE:#}  {value}",
            printable(&c.name)
        )?;
        if let Some(t) = &c.time {
            writeln!(w, "  {:width$}  {} ({})", "", t.iso8601, t.relative)?;
        }
        let spec = c
            .spec
            .as_deref()
            .map(|s| format!(" [{s}]"))
            .unwrap_or_default();
        writeln!(w, "  {:width$}  {DIM}{}{spec}{DIM:#}", "", c.description)?;
    }
    Ok(())
}

/// `text` with control characters escaped (`\u{1b}`), so a claim cannot drive the terminal
/// (set its title, move the cursor) or be silently altered when escapes are stripped, and other
/// hidden characters (bidi controls, zero-width, U+2028, …) shown as `⟨U+202E⟩`, so what is
/// printed reads as what the token or server says (Trojan Source, CVE-2021-42574).
/// Every string from a token or a server goes through this before it reaches the terminal.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) && !text::has_hidden_chars(text) {
        return text.into();
    }
    let mut scan = text::HiddenScan::new();
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        let hidden = scan.is_hidden(c);
        if c.is_control() {
            out.extend(c.escape_unicode());
        } else if hidden {
            out.push_str(&text::marker(c));
        } else {
            out.push(c);
        }
    }
    out.into()
}

/// Findings as `severity code: message` lines.
pub fn findings(w: &mut dyn Write, findings: &[Finding]) -> io::Result<()> {
    if findings.is_empty() {
        return writeln!(w, "  none");
    }
    for f in findings {
        let st = severity_style(f.severity);
        let sev = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        };
        writeln!(
            w,
            "  {st}{sev:7}{st:#} {TITLE}{}{TITLE:#}: {}",
            f.code,
            printable(&f.message)
        )?;
    }
    Ok(())
}

/// Verification checks, one line each: `pass`/`FAIL`/`skip`, the name, the message.
pub fn checks(w: &mut dyn Write, checks: &[tokenscope::jwt::verify::Check]) -> io::Result<()> {
    use tokenscope::jwt::verify::CheckStatus;
    for c in checks {
        let (mark, color) = match c.status {
            CheckStatus::Pass => ("pass", AnsiColor::Green),
            CheckStatus::Fail => ("FAIL", AnsiColor::Red),
            CheckStatus::Skipped => ("skip", AnsiColor::BrightBlack),
        };
        let st = Style::new().bold().fg_color(Some(color.into()));
        // Messages quote the token's claims: escape what could drive the terminal.
        writeln!(
            w,
            "  {st}{mark}{st:#}  {:<9} {}",
            c.name,
            printable(&c.message)
        )?;
    }
    Ok(())
}
