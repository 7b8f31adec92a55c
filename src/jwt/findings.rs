//! Lint findings about a decoded token: facts worth a warning even before any key is involved.

use serde::Serialize;
use serde_json::Value;

use super::decode::{numeric_date, TokenFormat};
use super::timefmt::{human_duration, iso8601};

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

/// One observation with a stable kebab-case `code` (e.g. `alg-none`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Finding {
    pub severity: Severity,
    pub code: String,
    pub message: String,
}

impl Finding {
    pub fn new(severity: Severity, code: &str, message: impl Into<String>) -> Self {
        Finding {
            severity,
            code: code.to_owned(),
            message: message.into(),
        }
    }
    pub fn error(code: &str, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message)
    }
    pub fn warning(code: &str, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, message)
    }
    pub fn info(code: &str, message: impl Into<String>) -> Self {
        Self::new(Severity::Info, code, message)
    }
}

/// Findings that need only the token and the time.
pub(crate) fn token_findings(
    format: TokenFormat,
    header: &Value,
    payload: Option<&Value>,
    now: i64,
) -> Vec<Finding> {
    let mut out = Vec::new();
    header_findings(format, header, &mut out);
    if let Some(payload) = payload {
        time_findings(payload, now, &mut out);
    }
    out
}

fn header_findings(format: TokenFormat, header: &Value, out: &mut Vec<Finding>) {
    match header.get("alg") {
        None => out.push(Finding::error(
            "missing-alg",
            "the header has no \"alg\": every JWS and JWE must name its algorithm (RFC 7515 §4.1.1)",
        )),
        Some(Value::String(alg)) if alg.eq_ignore_ascii_case("none") => out.push(Finding::error(
            "alg-none",
            format!(
                "alg is \"{alg}\": the token is not signed, so anyone can forge it; reject it unless unsecured tokens are expected (RFC 8725 §3.2)"
            ),
        )),
        Some(Value::String(_)) => {}
        Some(_) => out.push(Finding::error("invalid-alg", "\"alg\" must be a string (RFC 7515 §4.1.1)")),
    }
    if format == TokenFormat::Jwe {
        out.push(Finding::info(
            "encrypted",
            "JWE: the payload is encrypted (RFC 7516); only the protected header can be read without the recipient's key",
        ));
        if header.get("enc").is_none() {
            out.push(Finding::error(
                "missing-enc",
                "the JWE header has no \"enc\" (content encryption algorithm, RFC 7516 §4.1.2)",
            ));
        }
    }
    if let Some(crit) = header.get("crit") {
        out.push(Finding::info(
            "crit-present",
            format!("critical header parameters {crit}: a verifier that does not understand each of them must reject the token (RFC 7515 §4.1.11)"),
        ));
    }
}

fn time_findings(payload: &Value, now: i64, out: &mut Vec<Finding>) {
    let date = |name: &str| -> Option<Result<i64, ()>> {
        payload.get(name).map(|v| numeric_date(v).ok_or(()))
    };
    for name in ["exp", "nbf", "iat", "auth_time"] {
        if let Some(Err(())) = date(name) {
            out.push(Finding::warning(
                "invalid-numeric-date",
                format!(
                    "\"{name}\" is not a NumericDate (a number of seconds since 1970, RFC 7519 §2)"
                ),
            ));
        }
    }
    match date("exp") {
        None => out.push(Finding::warning(
            "no-exp",
            "no \"exp\" claim: the token never expires, so a leaked copy stays usable (RFC 7519 §4.1.4)",
        )),
        Some(Ok(exp)) if exp <= now => out.push(Finding::warning(
            "expired",
            format!(
                "expired {} ago (exp {}); a verifier rejects it (RFC 7519 §4.1.4)",
                human_duration(now.abs_diff(exp)),
                iso8601(exp)
            ),
        )),
        _ => {}
    }
    if let Some(Ok(nbf)) = date("nbf") {
        if nbf > now {
            out.push(Finding::warning(
                "not-yet-valid",
                format!(
                    "not valid for another {} (nbf {}); a verifier rejects it until then (RFC 7519 §4.1.5)",
                    human_duration(nbf.abs_diff(now)),
                    iso8601(nbf)
                ),
            ));
        }
    }
    if let Some(Ok(iat)) = date("iat") {
        if iat > now {
            out.push(Finding::warning(
                "iat-in-future",
                format!(
                    "issued {} in the future (iat {}): the issuer's clock or this machine's is off",
                    human_duration(iat.abs_diff(now)),
                    iso8601(iat)
                ),
            ));
        }
    }
}
