//! `tokenscope discover`: fetch, explain and lint an issuer's metadata and keys.
//!
//! Exit 0: no error finding; 1: at least one error finding; 2: the metadata could not be fetched
//! or parsed.

use std::io::{self, Write};
use std::process::ExitCode;
use std::time::Duration;

use anstyle::Style;
use clap::Args;
use tokenscope::discovery::{
    discover, DiscoverOptions, DiscoveryFinding, DiscoveryReport, FieldGroup, MetadataKind,
};
use tokenscope::http::{HttpPolicy, Transcript};
use tokenscope::jwt::Severity;

use crate::output::{CliError, Output};
use crate::render::{printable, severity_style};

const TITLE: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();

#[derive(Debug, Args)]
pub struct DiscoverArgs {
    /// The issuer URL (e.g. https://accounts.google.com), or the metadata URL itself.
    issuer: String,
    /// Print one JSON object instead of the readable rendering.
    #[arg(long)]
    json: bool,
    /// Allow plain http to non-loopback hosts (loopback is always allowed).
    #[arg(long)]
    allow_http: bool,
    /// Fetch RFC 8414 OAuth metadata (/.well-known/oauth-authorization-server) instead of OIDC's.
    #[arg(long)]
    oauth: bool,
    /// Give up on the whole fetch after this many seconds (default 15).
    #[arg(long, value_name = "SECONDS")]
    timeout: Option<f64>,
}

pub fn run(args: DiscoverArgs) -> ExitCode {
    let out = Output::new(args.json);
    match fetch(&args) {
        Ok(report) => {
            let code = u8::from(report.has_errors());
            out.verdict(&report, |w| render(w, &report), code)
        }
        Err(e) => out.failure(&e),
    }
}

fn fetch(args: &DiscoverArgs) -> Result<DiscoveryReport, CliError> {
    let mut policy = HttpPolicy {
        allow_insecure_http: args.allow_http,
        ..HttpPolicy::default()
    };
    if let Some(seconds) = args.timeout {
        policy.total_timeout = Duration::try_from_secs_f64(seconds)
            .ok()
            .filter(|d| !d.is_zero())
            .ok_or_else(|| CliError::usage("--timeout must be a positive number of seconds"))?;
        policy.connect_timeout = policy.connect_timeout.min(policy.total_timeout);
    }
    let client = crate::net::http_client(policy);
    let options = DiscoverOptions {
        kind: if args.oauth {
            MetadataKind::OAuth
        } else {
            MetadataKind::OpenId
        },
        bypass_cache: false,
    };
    let transcript = Transcript::new();
    let report = discover(&client, &args.issuer, &options, &transcript);
    crate::net::block_on(report)?.map_err(CliError::from_core)
}

fn severity_label(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

fn render(w: &mut dyn Write, r: &DiscoveryReport) -> io::Result<()> {
    writeln!(w, "{TITLE}Issuer{TITLE:#} {}", printable(&r.issuer))?;
    writeln!(
        w,
        "{DIM}metadata from {}{DIM:#}",
        printable(&r.fetched_from)
    )?;

    writeln!(w, "\n{TITLE}Findings{TITLE:#}")?;
    if r.findings.is_empty() {
        writeln!(w, "  none")?;
    }
    // One row per problem, not per field: findings with the same severity and code collapse
    // into the first one's row, and the other fields are listed under it. (--json keeps one
    // entry per field.)
    let mut shown: Vec<(&DiscoveryFinding, Vec<&str>)> = Vec::new();
    for f in &r.findings {
        match shown
            .iter_mut()
            .find(|(first, _)| first.code == f.code && first.severity == f.severity)
        {
            Some((_, more)) if f.field.is_some() => more.push(f.field.as_deref().unwrap_or("")),
            _ => shown.push((f, Vec::new())),
        }
    }
    for (f, more) in &shown {
        let st = severity_style(f.severity);
        let field = f
            .field
            .as_deref()
            .map(|x| format!(" [{}]", printable(x)))
            .unwrap_or_default();
        let count = if more.is_empty() {
            String::new()
        } else {
            format!(" ×{}", more.len() + 1)
        };
        writeln!(
            w,
            "  {st}{:7}{st:#} {TITLE}{}{TITLE:#}{count}{field}: {}",
            severity_label(f.severity),
            f.code,
            printable(&f.message)
        )?;
        if !more.is_empty() {
            let listed: Vec<_> = more.iter().map(|m| printable(m).into_owned()).collect();
            writeln!(
                w,
                "          {DIM}the same for: {}{DIM:#}",
                listed.join(", ")
            )?;
        }
    }

    for (group, title) in [
        (FieldGroup::Endpoints, "Endpoints"),
        (FieldGroup::Keys, "Keys"),
        (FieldGroup::SupportedValues, "Supported values"),
        (FieldGroup::Other, "Other"),
    ] {
        let fields: Vec<_> = r.fields.iter().filter(|f| f.group == group).collect();
        if fields.is_empty() {
            continue;
        }
        writeln!(w, "\n{TITLE}{title}{TITLE:#}")?;
        for f in fields {
            let value = match &f.value {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Array(a) => a
                    .iter()
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                    .collect::<Vec<_>>()
                    .join(", "),
                other => other.to_string(),
            };
            // Everything here came from the server: escape what could drive the terminal.
            writeln!(
                w,
                "  {TITLE}{}{TITLE:#}  {}",
                printable(&f.name),
                printable(&value)
            )?;
            match (&f.description, &f.spec) {
                (Some(d), Some(s)) => writeln!(w, "    {DIM}{d} [{s}]{DIM:#}")?,
                _ => writeln!(w, "    {DIM}(not a field this tool knows){DIM:#}")?,
            }
        }
    }

    writeln!(w, "\n{TITLE}Keys{TITLE:#} ({})", r.keys.len())?;
    if r.jwks.is_none() {
        writeln!(w, "  (no JWK Set: see the findings)")?;
    }
    for (i, k) in r.keys.iter().enumerate() {
        let dash = "-".to_owned();
        let kind = match (&k.size_bits, &k.curve) {
            (Some(bits), _) => format!("{bits} bits"),
            (None, Some(crv)) => printable(crv).into_owned(),
            _ => dash.clone(),
        };
        writeln!(
            w,
            "  {TITLE}#{i} kid {}{TITLE:#}  {} {kind}  alg {}  use {}",
            printable(k.kid.as_deref().unwrap_or("-")),
            printable(k.kty.as_deref().unwrap_or("?")),
            printable(k.alg.as_deref().unwrap_or("-")),
            printable(k.key_use.as_deref().unwrap_or("-")),
        )?;
        if let Some(t) = &k.thumbprint {
            writeln!(w, "    thumbprint (RFC 7638, SHA-256) {}", printable(t))?;
        }
        if let Some(c) = &k.certificate {
            writeln!(w, "    certificate subject {}", printable(&c.subject))?;
            writeln!(w, "                issuer  {}", printable(&c.issuer))?;
            let state = if c.expired { "  EXPIRED" } else { "" };
            writeln!(
                w,
                "                valid   {} to {}{state}",
                printable(&c.not_before),
                printable(&c.not_after)
            )?;
            if c.matches_key == Some(false) {
                writeln!(w, "                key     does NOT match the JWK")?;
            }
        }
        for p in &k.problems {
            writeln!(w, "    {DIM}{}{DIM:#}", printable(p))?;
        }
    }
    Ok(())
}
