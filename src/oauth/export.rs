//! A flow as a document: Markdown for a bug report or a lesson, JSON for tools; redacted by
//! default.
//!
//! The timeline is already redacted when a step is built ([`super::timeline`]). An export also
//! hides what a result keeps on purpose and a shared document must not carry: the access and ID
//! tokens, the authorization request's `state` and `nonce`, and — a defensive pass for grants and
//! steps to come — any secret-named parameter or JSON member, any sensitive header and any
//! JWT-looking value still in clear. Each becomes `[sha256:<16 hex>]`, the Vault view's
//! fingerprint ([`crate::vault::fingerprint`]), wherever it appears (inside URLs, notes and
//! messages too), so a reader can follow one value through the export without seeing it. The
//! Markdown is rendered from the redacted JSON value, so it can show only what passed that pass.
//!
//! Every string from a server or a token is shown through [`crate::text`]: hidden characters as
//! `⟨U+202E⟩` in Markdown, as `\u202e` escapes in JSON.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::flow::FlowResult;
use super::timeline::{is_secret_field, Step, REDACTED};
use crate::http::is_sensitive_header;
use crate::secret::Secret;
use crate::text::{marker, reveal, HiddenScan};
use crate::vault::fingerprint;

/// Who made an export, as its `exported_by` says: `tokenscope <version>`.
pub const EXPORTED_BY: &str = concat!("tokenscope ", env!("CARGO_PKG_VERSION"));

/// Parameters binding an authorization request to its response (RFC 6749 §10.12, OIDC Core
/// §3.1.2.1). Not credentials once the flow is over, but per-flow secrets while it runs, and a
/// report never needs their values: hidden like the rest.
const FLOW_BINDING_PARAMS: [&str; 2] = ["state", "nonce"];

/// Values the timeline shows (the user needs them while the flow runs) but an export hides: the
/// device flow's user code (RFC 8628 §3.2), good for a few minutes against the device code.
const SHOWN_WHILE_RUNNING: [&str; 1] = ["user_code"];

/// A member or parameter whose value an export never shows.
fn is_export_secret(name: &str) -> bool {
    is_secret_field(name) || SHOWN_WHILE_RUNNING.contains(&name)
}

/// A value shorter than this is replaced only where a whole string equals it: replacing a short
/// value inside other text would garble the document and hide nothing worth hiding.
const MIN_EMBEDDED_LEN: usize = 8;

/// The document an export produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// A readable report: summary, steps table, each step in detail, checks, userinfo.
    Markdown,
    /// The result's own shape, with `exported_by` and `redacted`.
    Json,
}

/// How an export treats secrets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct ExportOptions {
    /// Show the access and ID tokens (and every other value the timeline kept) as they are.
    /// Off by default: an export is meant to be shared, so tokens appear as fingerprints. The
    /// timeline's own `[redacted]` values (codes, verifiers, client secrets, refresh tokens)
    /// never reached it and stay redacted either way.
    pub reveal_tokens: bool,
}

/// Exports a finished flow (code, refresh, …) as `format`.
pub fn export_flow(result: &FlowResult, format: ExportFormat, options: &ExportOptions) -> String {
    let mut value = to_json(result);
    let redacted = !options.reveal_tokens;
    if redacted {
        let tokens = [
            Some(result.tokens.access_token.as_str()),
            result.tokens.id_token.as_deref(),
        ];
        Redactor::with_known(tokens.into_iter().flatten()).redact(&mut value);
    }
    match format {
        ExportFormat::Json => json_document(value, redacted),
        ExportFormat::Markdown => markdown::flow(&value, result.is_valid(), redacted),
    }
}

/// Exports a flow that ended early: its steps and why (`error_code`, e.g.
/// `oauth.error_response`, and the message), under the same rules as [`export_flow`].
pub fn export_failure(
    steps: &[Step],
    error_code: &str,
    message: &str,
    format: ExportFormat,
    options: &ExportOptions,
) -> String {
    // The error's `code` member is not a secret: it stays out of the redacted value.
    let mut value = serde_json::json!({ "message": message, "steps": to_json(steps) });
    let redacted = !options.reveal_tokens;
    if redacted {
        Redactor::with_known(std::iter::empty()).redact(&mut value);
    }
    let message = value["message"].as_str().unwrap_or_default().to_owned();
    let mut doc = Map::new();
    doc.insert(
        "error".to_owned(),
        serde_json::json!({ "code": error_code, "message": message }),
    );
    doc.insert("steps".to_owned(), value["steps"].take());
    match format {
        ExportFormat::Json => json_document(Value::Object(doc), redacted),
        ExportFormat::Markdown => markdown::failure(&Value::Object(doc), redacted),
    }
}

fn to_json<T: Serialize + ?Sized>(value: &T) -> Value {
    // The core's result types hold only string-keyed maps: serialising them cannot fail.
    serde_json::to_value(value).expect("flow results serialise to JSON")
}

/// The JSON export: `exported_by` and `redacted` first, then `members`' own.
fn json_document(members: Value, redacted: bool) -> String {
    let mut doc = Map::new();
    doc.insert("exported_by".to_owned(), Value::from(EXPORTED_BY));
    doc.insert("redacted".to_owned(), Value::from(redacted));
    if let Value::Object(members) = members {
        doc.extend(members);
    }
    let text = serde_json::to_string_pretty(&Value::Object(doc)).unwrap_or_default();
    let mut out = escape_hidden_json(&text);
    out.push('\n');
    out
}

/// Serialised JSON with every hidden character written as a `\uXXXX` escape: the same data,
/// but a bidi override or a zero-width space is visible in any viewer. Hidden characters occur
/// only inside strings (JSON whitespace is never hidden), where the escape is valid.
fn escape_hidden_json(text: &str) -> String {
    let mut scan = HiddenScan::new();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if scan.is_hidden(c) {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// How a hidden value is shown: `[sha256:<the Vault view's fingerprint>]`.
fn fingerprint_marker(value: &str) -> String {
    format!("[sha256:{}]", fingerprint(&Secret::new(value)))
}

/// Whether `value` is already hidden (or empty): the timeline's `[redacted]` or a fingerprint.
fn is_hidden_value(value: &str) -> bool {
    value.is_empty() || value == REDACTED || marker_len(value) == Some(value.len())
}

/// The length of the fingerprint marker `text` starts with, if it starts with one.
fn marker_len(text: &str) -> Option<usize> {
    const PREFIX: &str = "[sha256:";
    let hex = text.strip_prefix(PREFIX)?;
    let digits = hex.bytes().take_while(u8::is_ascii_hexdigit).count();
    (digits == 16 && hex.as_bytes().get(16) == Some(&b']')).then_some(PREFIX.len() + 17)
}

/// Whether a `{name, value}` object is a secret: an explained parameter (it has `meaning` or
/// `redacted`) named like a secret or a flow binding, or a header (nothing but `name` and
/// `value`) that is sensitive or named like a secret.
fn secret_pair(members: &Map<String, Value>) -> Option<PairKind> {
    let name = members.get("name")?.as_str()?;
    members.get("value")?.as_str()?;
    if members.len() == 2 {
        (is_sensitive_header(name) || is_export_secret(name)).then_some(PairKind::Header)
    } else if members.contains_key("meaning") || members.contains_key("redacted") {
        (is_export_secret(name) || FLOW_BINDING_PARAMS.contains(&name)).then_some(PairKind::Param)
    } else {
        None
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PairKind {
    Param,
    Header,
}

/// A header value's credentials: `Bearer abc` → `abc` (the scheme stays readable, and a Bearer
/// token gets the access token's fingerprint); the whole value otherwise (cookies, API keys).
fn header_credentials(value: &str) -> (&str, &str) {
    match value.split_once(' ') {
        Some((scheme, rest))
            if !scheme.is_empty()
                && scheme
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !rest.trim().is_empty() =>
        {
            (scheme, rest.trim())
        }
        _ => ("", value),
    }
}

/// Whether `text` looks like a compact JWS or JWE (RFC 7515 §7.1, RFC 7516 §7.1): three or five
/// base64url segments, the first a JSON object (`eyJ` is base64url for `{"`).
fn looks_like_jwt(text: &str) -> bool {
    let parts: Vec<&str> = text.split('.').collect();
    matches!(parts.len(), 3 | 5)
        && parts[0].len() > 3
        && parts[0].starts_with("eyJ")
        && !parts[1].is_empty()
        && (parts.iter()).all(|p| {
            p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b))
        })
}

/// The JWT-looking runs of `text` (maximal runs of base64url characters and dots).
fn jwts_in(text: &str) -> Vec<&str> {
    let is_run = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    let mut found = Vec::new();
    for run in text.split(|c: char| !is_run(c)) {
        // A sentence may end right after a token.
        let candidates = [run, run.strip_suffix('.').unwrap_or(run)];
        if let Some(jwt) = candidates.into_iter().find(|c| looks_like_jwt(c)) {
            found.push(jwt);
        }
    }
    found
}

/// The query and fragment parameters of `text` when it is an absolute http(s) URL: each as
/// (byte range of its raw value, decoded name, decoded value).
fn url_params(text: &str) -> Vec<(std::ops::Range<usize>, String, String)> {
    let lower = text.get(..8).unwrap_or(text).to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://"))
        || text.contains(char::is_whitespace)
        || url::Url::parse(text).is_err()
    {
        return Vec::new();
    }
    let mut params = Vec::new();
    let Some(query_start) = text.find(['?', '#']).map(|i| i + 1) else {
        return params;
    };
    let mut start = query_start;
    for piece in text[query_start..].split(['&', '#']) {
        let end = start + piece.len();
        if let Some((raw_name, raw_value)) = piece.split_once('=') {
            let decode = |s: &str| -> String {
                url::form_urlencoded::parse(format!("x={s}").as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default()
            };
            let value_start = start + raw_name.len() + 1;
            params.push((value_start..end, decode(raw_name), decode(raw_value)));
        }
        start = end + 1;
    }
    params
}

fn is_secret_param_name(name: &str) -> bool {
    is_export_secret(name) || FLOW_BINDING_PARAMS.contains(&name)
}

/// The redaction pass of an export: collects the values to hide, then replaces them everywhere.
struct Redactor {
    /// Each value to hide (and its URL-encoded spelling, when different) with its marker,
    /// longest first so a value containing another is replaced whole.
    known: Vec<(String, String)>,
}

impl Redactor {
    fn with_known<'a>(values: impl IntoIterator<Item = &'a str>) -> Self {
        let mut redactor = Redactor { known: Vec::new() };
        for value in values {
            redactor.add(value);
        }
        redactor
    }

    fn add(&mut self, value: &str) {
        if is_hidden_value(value) || self.known.iter().any(|(v, _)| v == value) {
            return;
        }
        let shown = fingerprint_marker(value);
        let encoded: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
        if encoded != value {
            self.known.push((encoded, shown.clone()));
        }
        self.known.push((value.to_owned(), shown));
    }

    fn redact(mut self, value: &mut Value) {
        self.collect(value);
        self.known
            .sort_by_key(|(value, _)| std::cmp::Reverse(value.len()));
        self.replace(value);
    }

    /// First pass: every secret value in `value`, wherever it is.
    fn collect(&mut self, value: &Value) {
        match value {
            Value::String(text) => {
                for jwt in jwts_in(text) {
                    self.add(jwt);
                }
                for (_, name, value) in url_params(text) {
                    if is_secret_param_name(&name) {
                        self.add(&value);
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|item| self.collect(item)),
            Value::Object(members) => {
                if let Some(kind) = secret_pair(members) {
                    let value = members["value"].as_str().unwrap_or_default();
                    match kind {
                        PairKind::Param => self.add(value),
                        PairKind::Header => self.add(header_credentials(value).1),
                    }
                }
                for (name, member) in members {
                    if let (true, Value::String(text)) = (is_export_secret(name), member) {
                        self.add(text);
                    }
                    self.collect(member);
                }
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }

    /// Second pass: secret members and pairs fingerprinted in place, known values replaced in
    /// every string.
    fn replace(&self, value: &mut Value) {
        match value {
            Value::String(text) => *text = self.replace_text(text),
            Value::Array(items) => items.iter_mut().for_each(|item| self.replace(item)),
            Value::Object(members) => {
                let pair = secret_pair(members);
                for (name, member) in members.iter_mut() {
                    match (name.as_str(), pair, &*member) {
                        ("value", Some(kind), Value::String(text)) if !is_hidden_value(text) => {
                            let (scheme, credentials) = match kind {
                                PairKind::Header => header_credentials(text),
                                PairKind::Param => ("", text.as_str()),
                            };
                            let shown = fingerprint_marker(credentials);
                            *member = Value::String(if scheme.is_empty() {
                                shown
                            } else {
                                format!("{scheme} {shown}")
                            });
                        }
                        (_, _, Value::String(text)) if is_export_secret(name) => {
                            if !is_hidden_value(text) {
                                *member = Value::String(fingerprint_marker(text));
                            }
                        }
                        // A secret-named number is a value like any other (an object under such a
                        // name, like a diff of `id_token`, is looked into instead).
                        (_, _, Value::Number(_)) if is_export_secret(name) => {
                            *member = Value::String(fingerprint_marker(&member.to_string()));
                        }
                        _ => self.replace(member),
                    }
                }
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }

    /// `text` with secret URL parameters and known values replaced by their markers.
    fn replace_text(&self, text: &str) -> String {
        if let Some((_, shown)) = self.known.iter().find(|(v, _)| v == text) {
            return shown.clone();
        }
        let mut text = text.to_owned();
        // From the end, so the earlier ranges stay valid.
        for (range, name, value) in url_params(&text).into_iter().rev() {
            if is_secret_param_name(&name) && !is_hidden_value(&value) {
                text.replace_range(range, &fingerprint_marker(&value));
            }
        }
        let embedded: Vec<&(String, String)> = (self.known.iter())
            .filter(|(v, _)| v.len() >= MIN_EMBEDDED_LEN)
            .collect();
        if embedded.is_empty() {
            return text;
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text.as_str();
        'scan: while let Some(c) = rest.chars().next() {
            // A marker already written is copied whole: no value is looked for inside it.
            if let Some(len) = marker_len(rest) {
                out.push_str(&rest[..len]);
                rest = &rest[len..];
                continue;
            }
            for (value, shown) in &embedded {
                if let Some(after) = rest.strip_prefix(value.as_str()) {
                    out.push_str(shown);
                    rest = after;
                    continue 'scan;
                }
            }
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
        out
    }
}

/// The Markdown document, rendered from the redacted JSON value.
mod markdown {
    use std::fmt::Write as _;

    use serde_json::Value;

    use super::{marker, reveal, EXPORTED_BY};

    fn text<'a>(value: &'a Value, key: &str) -> &'a str {
        value.get(key).and_then(Value::as_str).unwrap_or_default()
    }

    fn items<'a>(value: &'a Value, key: &str) -> &'a [Value] {
        value
            .get(key)
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice)
    }

    /// What kind of flow the steps make: from the steps only it has, else from the `grant_type`
    /// its token request sent, else from what the steps did.
    fn grant(steps: &[Value]) -> &'static str {
        let has = |name: &str| steps.iter().any(|s| text(s, "name") == name);
        let grant_type = (steps.iter())
            .filter_map(|s| s.pointer("/request/params").and_then(Value::as_array))
            .flatten()
            .find(|p| text(p, "name") == "grant_type")
            .map(|p| text(p, "value"));
        if has("authorization") {
            return "Authorization code flow";
        }
        if has("device_authorization") || has("device_poll") {
            return "Device authorization flow";
        }
        if has("refresh") {
            return "Refresh";
        }
        match grant_type {
            Some("client_credentials") => return "Client credentials grant",
            Some("authorization_code") => return "Authorization code flow",
            Some("refresh_token") => return "Refresh",
            _ => {}
        }
        if has("revocation") {
            "Token revocation"
        } else if has("introspection") {
            "Token introspection"
        } else if has("api_call") {
            "API call"
        } else if has("userinfo") && !has("token") {
            "Userinfo call"
        } else {
            "OAuth flow"
        }
    }

    /// A finished flow.
    pub(super) fn flow(doc: &Value, ok: bool, redacted: bool) -> String {
        let steps = items(doc, "steps");
        let grant = grant(steps);
        let mut out = format!("# Tokenscope export: {grant}\n\n");
        let count = |status: &str| steps.iter().filter(|s| text(s, "status") == status).count();
        let (failed_steps, retried) = (count("failed"), count("retried"));
        let failed_checks = (items(doc, "id_token_checks").iter())
            .filter(|c| text(c, "status") == "fail")
            .count();
        let mut verdict = if ok {
            "**ok**".to_owned()
        } else {
            format!(
                "**failed**: {failed_steps} failed step(s), {failed_checks} failed ID token check(s)"
            )
        };
        if retried > 0 {
            let _ = write!(
                verdict,
                " ({retried} request(s) refused, then retried another way)"
            );
        }
        let _ = writeln!(out, "{grant}, {} step(s): {verdict}.\n", steps.len());
        preamble(&mut out, redacted);
        steps_table(&mut out, steps);
        tokens(&mut out, &doc["tokens"]);
        for (i, step) in steps.iter().enumerate() {
            step_section(&mut out, i + 1, step);
        }
        let checks = items(doc, "id_token_checks");
        if !checks.is_empty() {
            out.push_str("## ID token checks\n\n| check | status | message |\n|---|---|---|\n");
            for check in checks {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} |",
                    code(text(check, "name"), true),
                    prose(text(check, "status")),
                    prose(text(check, "message"))
                );
            }
            out.push('\n');
        }
        if let Some(userinfo) = doc.get("userinfo").filter(|u| !u.is_null()) {
            out.push_str("## Userinfo\n\n");
            out.push_str(&json_block(userinfo));
            out.push('\n');
        }
        changes(&mut out, doc.get("changes"));
        if let Some(rotation) = doc.get("rotation").filter(|r| r.is_object()) {
            let rotated = match doc.get("rotated").and_then(Value::as_bool) {
                Some(true) => "the server rotated the refresh token",
                Some(false) => "the server kept the refresh token (no new one issued)",
                None => "rotation",
            };
            let _ = writeln!(
                out,
                "## Refresh token rotation\n\n{}: previous {} → new {}.\n",
                capitalised(rotated),
                code(
                    &fingerprint_of(text(rotation, "previous_fingerprint")),
                    false
                ),
                code(&fingerprint_of(text(rotation, "new_fingerprint")), false),
            );
        }
        out
    }

    /// A flow that ended early.
    pub(super) fn failure(doc: &Value, redacted: bool) -> String {
        let steps = items(doc, "steps");
        let grant = grant(steps);
        let error = &doc["error"];
        let mut out = format!("# Tokenscope export: {grant} (failed)\n\n");
        let _ = writeln!(
            out,
            "{grant}, {} step(s): **failed** with {}: {}\n",
            steps.len(),
            code(text(error, "code"), false),
            prose(text(error, "message"))
        );
        preamble(&mut out, redacted);
        steps_table(&mut out, steps);
        for (i, step) in steps.iter().enumerate() {
            step_section(&mut out, i + 1, step);
        }
        out
    }

    /// A refresh's diffs against the previous tokens, by their one-line summaries.
    fn changes(out: &mut String, changes: Option<&Value>) {
        let Some(changes) = changes.filter(|c| c.is_object()) else {
            return;
        };
        out.push_str("## Changes from the previous tokens\n\n");
        for (key, label) in [("access_token", "access token"), ("id_token", "ID token")] {
            let summary = match changes.get(key).filter(|d| d.is_object()) {
                Some(diff) => prose(text(diff, "summary")),
                None => "not compared (not a JWT, or no previous token given)".to_owned(),
            };
            let _ = writeln!(out, "- {label}: {summary}");
        }
        out.push('\n');
    }

    fn preamble(out: &mut String, redacted: bool) {
        let _ = write!(out, "Exported by {EXPORTED_BY}. ");
        if redacted {
            out.push_str("Tokens and other secret values are shown as `[sha256:…]`, the first 16 hex digits of their SHA-256 (the Vault view's fingerprint); `[redacted]` values never reached Tokenscope's timeline.\n\n");
        } else {
            out.push_str(
                "**This export contains the access and ID tokens in full: do not share it.**\n\n",
            );
        }
    }

    fn steps_table(out: &mut String, steps: &[Value]) {
        out.push_str(
            "## Steps\n\n| # | step | status | request | HTTP | duration |\n|---|---|---|---|---|---|\n",
        );
        for (i, step) in steps.iter().enumerate() {
            let request = match step.get("request").filter(|r| r.is_object()) {
                Some(r) => code(&format!("{} {}", text(r, "method"), text(r, "url")), true),
                None => "—".to_owned(),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {request} | {} | {} |",
                i + 1,
                prose(text(step, "name")),
                prose(text(step, "status")),
                http_status(step),
                duration(step),
            );
        }
        out.push('\n');
    }

    fn http_status(step: &Value) -> String {
        match step.pointer("/response/status").and_then(Value::as_u64) {
            Some(status) => status.to_string(),
            None => "—".to_owned(),
        }
    }

    fn duration(step: &Value) -> String {
        match step.get("duration_ms").and_then(Value::as_u64) {
            Some(ms) => format!("{ms} ms"),
            None => "—".to_owned(),
        }
    }

    fn tokens(out: &mut String, tokens: &Value) {
        if !tokens.is_object() {
            return;
        }
        out.push_str("## Tokens\n\n| token | value |\n|---|---|\n");
        let optional = |key: &str| match tokens.get(key) {
            Some(Value::String(s)) => code(s, true),
            Some(Value::Number(n)) => n.to_string(),
            _ => "none".to_owned(),
        };
        let expires = match tokens.get("expires_in").and_then(Value::as_u64) {
            Some(s) => format!("{s} s"),
            None => "not said".to_owned(),
        };
        let refresh = match tokens
            .get("refresh_token_fingerprint")
            .and_then(Value::as_str)
        {
            Some(fp) => {
                let stored = if tokens["refresh_token_stored"] == true {
                    "stored in the keychain"
                } else {
                    "issued, not stored (no profile)"
                };
                format!("{stored}, {}", code(&fingerprint_of(fp), true))
            }
            None => "none issued".to_owned(),
        };
        for (name, value) in [
            ("access token", optional("access_token")),
            ("token type", optional("token_type")),
            ("expires in", expires),
            ("scope", optional("scope")),
            ("ID token", optional("id_token")),
            ("refresh token", refresh),
        ] {
            let _ = writeln!(out, "| {name} | {value} |");
        }
        out.push('\n');
    }

    fn step_section(out: &mut String, index: usize, step: &Value) {
        let _ = writeln!(
            out,
            "## {index}. {} · {}\n",
            prose(text(step, "name")),
            prose(text(step, "status"))
        );
        let _ = writeln!(
            out,
            "{}\n\nSpec: {}\n",
            ours(text(step, "explanation")),
            ours(text(step, "spec"))
        );
        if let Some(request) = step.get("request").filter(|r| r.is_object()) {
            let _ = writeln!(
                out,
                "**Request**: {}\n",
                code(
                    &format!("{} {}", text(request, "method"), text(request, "url")),
                    false
                )
            );
            headers_table(out, items(request, "headers"));
            let params = items(request, "params");
            if !params.is_empty() {
                out.push_str("| parameter | value | meaning |\n|---|---|---|\n");
                for param in params {
                    let _ = writeln!(
                        out,
                        "| {} | {} | {} ({}) |",
                        code(text(param, "name"), true),
                        code(text(param, "value"), true),
                        ours(text(param, "meaning")),
                        ours(text(param, "spec")),
                    );
                }
                out.push('\n');
            }
        }
        if let Some(response) = step.get("response").filter(|r| r.is_object()) {
            match response.get("status").and_then(Value::as_u64) {
                Some(status) => {
                    let _ = writeln!(out, "**Response**: HTTP {status}\n");
                }
                None => out.push_str("**Response** (no HTTP status):\n\n"),
            }
            headers_table(out, items(response, "headers"));
            if let Some(body) = response.get("body").filter(|b| !b.is_null()) {
                out.push_str(&json_block(body));
                out.push('\n');
            }
        }
        let notes = items(step, "notes");
        if !notes.is_empty() {
            out.push_str("**Notes**\n\n");
            for note in notes {
                let _ = writeln!(out, "- {}", prose(note.as_str().unwrap_or_default()));
            }
            out.push('\n');
        }
        if let Some(error) = step.get("error").and_then(Value::as_str) {
            let _ = writeln!(out, "**Error**: {}\n", prose(error));
        }
    }

    fn headers_table(out: &mut String, headers: &[Value]) {
        if headers.is_empty() {
            return;
        }
        out.push_str("| header | value |\n|---|---|\n");
        for header in headers {
            let _ = writeln!(
                out,
                "| {} | {} |",
                code(text(header, "name"), true),
                code(text(header, "value"), true)
            );
        }
        out.push('\n');
    }

    /// A fingerprint as the export's markers write it.
    fn fingerprint_of(hex: &str) -> String {
        format!("[sha256:{hex}]")
    }

    fn capitalised(text: &str) -> String {
        let mut chars = text.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => String::new(),
        }
    }

    /// Text from a server or a token as Markdown prose or a table cell: hidden characters as
    /// markers, Markdown and HTML syntax escaped, line breaks as `<br>`, so it can neither
    /// break a table nor format the document.
    pub(super) fn prose(text: &str) -> String {
        let shown = reveal(text);
        let mut out = String::with_capacity(shown.len());
        let mut chars = shown.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\r' | '\n' => {
                    if c == '\r' && chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                    out.push_str("<br>");
                }
                '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '&' | '~' => {
                    out.push('\\');
                    out.push(c);
                }
                c => out.push(c),
            }
        }
        out
    }

    /// Tokenscope's own text (explanations, meanings, specs), which may use Markdown: only what
    /// would break a table cell is escaped.
    fn ours(text: &str) -> String {
        text.replace('|', "\\|").replace(['\r', '\n'], " ")
    }

    /// A literal value as a code span: hidden characters and line breaks as markers, a fence
    /// longer than any run of backticks inside, `|` escaped in a table cell (GFM).
    pub(super) fn code(text: &str, in_table: bool) -> String {
        if text.is_empty() {
            return "*(empty)*".to_owned();
        }
        let mut body = String::with_capacity(text.len());
        for c in reveal(text).chars() {
            match c {
                '\r' | '\n' => body.push_str(&marker(c)),
                '|' if in_table => body.push_str("\\|"),
                c => body.push(c),
            }
        }
        let fence = "`".repeat(longest_backtick_run(&body) + 1);
        // CommonMark strips one space at each end of a padded span.
        let pad = if body.starts_with(['`', ' ']) || body.ends_with(['`', ' ']) {
            " "
        } else {
            ""
        };
        format!("{fence}{pad}{body}{pad}{fence}")
    }

    /// A JSON value as a fenced block, hidden characters as markers.
    pub(super) fn json_block(value: &Value) -> String {
        let pretty = serde_json::to_string_pretty(value).unwrap_or_default();
        let shown = reveal(&pretty);
        let fence = "`".repeat((longest_backtick_run(&shown) + 1).max(3));
        format!("{fence}json\n{shown}\n{fence}\n")
    }

    fn longest_backtick_run(text: &str) -> usize {
        text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::markdown::{code, json_block, prose};
    use super::*;
    use serde_json::json;

    fn redacted(mut value: Value, known: &[&str]) -> Value {
        Redactor::with_known(known.iter().copied()).redact(&mut value);
        value
    }

    fn fp(value: &str) -> String {
        fingerprint_marker(value)
    }

    #[test]
    fn prose_escapes_table_breakers_markdown_and_reveals_hidden_characters() {
        assert_eq!(prose("a|b"), "a\\|b");
        assert_eq!(
            prose("one\ntwo\r\nthree\rfour"),
            "one<br>two<br>three<br>four"
        );
        assert_eq!(prose("<img src=x>"), "\\<img src=x\\>");
        assert_eq!(prose("[click](javascript:x)"), "\\[click\\](javascript:x)");
        assert_eq!(prose("&#x202E;"), "\\&#x202E;");
        assert_eq!(prose("\u{202e}gnp.exe"), "⟨U+202E⟩gnp.exe");
        assert_eq!(prose("plain words."), "plain words.");
    }

    #[test]
    fn code_spans_outlast_backticks_and_keep_tables_whole() {
        assert_eq!(code("a|b", true), "`a\\|b`");
        assert_eq!(code("a|b", false), "`a|b`");
        assert_eq!(code("x`y", false), "``x`y``");
        assert_eq!(code("`edge`", false), "`` `edge` ``");
        assert_eq!(code("l1\nl2", true), "`l1⟨U+000A⟩l2`");
        assert_eq!(code("a\u{200b}b", true), "`a⟨U+200B⟩b`");
        assert_eq!(code("", true), "*(empty)*");
    }

    #[test]
    fn json_blocks_reveal_hidden_characters_and_cannot_be_closed_from_inside() {
        let block = json_block(&json!({"name": "\u{202e}evil", "x": "````"}));
        assert!(block.contains("⟨U+202E⟩evil"), "{block}");
        assert!(block.starts_with("`````json\n") && block.ends_with("\n`````\n"));
    }

    #[test]
    fn json_export_escapes_hidden_characters_and_stays_the_same_data() {
        let text = escape_hidden_json(
            &serde_json::to_string(&json!({"s": "a\u{202e}b\u{e0041}\u{85}"})).unwrap(),
        );
        assert!(text.contains("a\\u202eb\\udb40\\udc41\\u0085"), "{text}");
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["s"], "a\u{202e}b\u{e0041}\u{85}");
    }

    #[test]
    fn secret_params_left_in_clear_by_a_step_are_fingerprinted() {
        let step = json!({"params": [
            {"name": "code", "value": "the-code-1", "redacted": false, "meaning": "", "spec": ""},
            {"name": "client_secret", "value": "[redacted]", "redacted": true, "meaning": "", "spec": ""},
            {"name": "grant_type", "value": "authorization_code", "redacted": false, "meaning": "", "spec": ""},
            {"name": "nonce", "value": "n-0123456789", "redacted": false, "meaning": "", "spec": ""},
        ], "notes": ["the code the-code-1 was used", "nonce n-0123456789 sent"]});
        let shown = redacted(step, &[]);
        let params = &shown["params"];
        assert_eq!(params[0]["value"], fp("the-code-1"));
        assert_eq!(params[1]["value"], REDACTED);
        assert_eq!(params[2]["value"], "authorization_code");
        assert_eq!(params[3]["value"], fp("n-0123456789"));
        assert_eq!(
            shown["notes"][0],
            format!("the code {} was used", fp("the-code-1"))
        );
        assert_eq!(
            shown["notes"][1],
            format!("nonce {} sent", fp("n-0123456789"))
        );
        // The parameter's name is a secret's name, not a secret.
        assert_eq!(params[0]["name"], "code");
    }

    #[test]
    fn the_device_user_code_is_hidden_wherever_it_appears() {
        let body = json!({
            "device_code": "[redacted]",
            "user_code": "WDJB-MJHT",
            "verification_uri_complete": "https://idp.example/device?user_code=WDJB-MJHT",
            "note": "enter WDJB-MJHT",
        });
        let shown = redacted(body, &[]);
        let text = shown.to_string();
        assert!(!text.contains("WDJB-MJHT"), "{text}");
        assert_eq!(shown["user_code"], fp("WDJB-MJHT"));
        assert_eq!(shown["note"], format!("enter {}", fp("WDJB-MJHT")));
    }

    #[test]
    fn secret_members_at_any_depth_and_jwts_anywhere_are_fingerprinted() {
        let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln";
        let body = json!({
            "token_type": "Bearer",
            "nested": [{"refresh_token": "rt-secret-value"}, {"device_code": 12345}],
            "access_token": "[redacted]",
            "claims_source": {"JWT": jwt},
            "text": format!("got {jwt}."),
            "none": {"id_token": null},
        });
        let shown = redacted(body, &[]);
        assert_eq!(shown["nested"][0]["refresh_token"], fp("rt-secret-value"));
        assert_eq!(shown["nested"][1]["device_code"], fp("12345"));
        assert_eq!(shown["access_token"], REDACTED);
        assert_eq!(shown["claims_source"]["JWT"], fp(jwt));
        assert_eq!(shown["text"], format!("got {}.", fp(jwt)));
        assert_eq!(shown["token_type"], "Bearer");
        assert_eq!(shown["none"]["id_token"], Value::Null);
    }

    #[test]
    fn sensitive_headers_keep_their_scheme_and_show_the_tokens_fingerprint() {
        let headers = json!([
            {"name": "authorization", "value": "Bearer at-0123456789"},
            {"name": "cookie", "value": "sid=s3cr3t"},
            {"name": "authorization", "value": "[redacted]"},
            {"name": "content-type", "value": "application/json"},
        ]);
        let shown = redacted(headers, &["at-0123456789"]);
        assert_eq!(shown[0]["value"], format!("Bearer {}", fp("at-0123456789")));
        assert_eq!(shown[1]["value"], fp("sid=s3cr3t"));
        assert_eq!(shown[2]["value"], REDACTED);
        assert_eq!(shown[3]["value"], "application/json");
    }

    #[test]
    fn url_parameters_named_like_secrets_are_fingerprinted_in_place() {
        let url = "https://idp.example/authorize?client_id=app&state=st-abcdefgh&x=1&code=c%2Fd#access_token=frag-token";
        let shown = redacted(json!({ "url": url }), &[]);
        assert_eq!(
            shown["url"],
            format!(
                "https://idp.example/authorize?client_id=app&state={}&x=1&code={}#access_token={}",
                fp("st-abcdefgh"),
                fp("c/d"),
                fp("frag-token")
            )
        );
    }

    #[test]
    fn known_values_are_replaced_inside_text_but_short_ones_only_whole() {
        let shown = redacted(
            json!([
                "token tok-0123456789 in a note",
                "abc",
                "xabcx",
                "tok-0123456789"
            ]),
            &["tok-0123456789", "abc"],
        );
        assert_eq!(
            shown[0],
            format!("token {} in a note", fp("tok-0123456789"))
        );
        assert_eq!(shown[1], fp("abc"));
        assert_eq!(shown[2], "xabcx");
        assert_eq!(shown[3], fp("tok-0123456789"));
    }

    #[test]
    fn markers_already_written_are_left_alone() {
        let marker = fp("something");
        assert!(is_hidden_value(&marker));
        assert!(is_hidden_value(REDACTED));
        assert!(!is_hidden_value("[sha256:xyz]"));
        // A known value that happens to be inside a marker's hex is not replaced there.
        let hex = &marker[8..16];
        let shown = redacted(json!([format!("{marker} and {hex}")]), &[hex]);
        assert_eq!(shown[0], format!("{marker} and {}", fp(hex)));
    }

    #[test]
    fn failure_exports_keep_the_error_code_and_hide_secrets_in_the_message() {
        let text = export_failure(
            &[],
            "oauth.error_response",
            "denied: token eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0. was refused",
            ExportFormat::Json,
            &ExportOptions::default(),
        );
        let doc: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(doc["error"]["code"], "oauth.error_response");
        assert_eq!(doc["redacted"], true);
        assert_eq!(doc["exported_by"], EXPORTED_BY);
        let message = doc["error"]["message"].as_str().unwrap();
        assert!(!message.contains("eyJ"), "{message}");
        assert!(message.contains("[sha256:"), "{message}");
    }

    #[test]
    fn the_title_names_the_grant_from_the_steps_or_the_grant_type_sent() {
        let step = |name: &str, grant_type: Option<&str>| {
            let params: Vec<Value> = grant_type
                .map(|g| json!({"name": "grant_type", "value": g, "redacted": false, "meaning": "", "spec": ""}))
                .into_iter()
                .collect();
            json!({"name": name, "status": "ok", "request": {"method": "POST", "url": "https://idp.example/x", "headers": [], "params": params}})
        };
        for (steps, title) in [
            (
                vec![
                    step("discovery", None),
                    step("token", Some("client_credentials")),
                ],
                "Client credentials grant",
            ),
            (
                vec![
                    step("device_authorization", None),
                    step(
                        "device_poll",
                        Some("urn:ietf:params:oauth:grant-type:device_code"),
                    ),
                ],
                "Device authorization flow",
            ),
            (
                vec![
                    step("authorization", None),
                    step("token", Some("authorization_code")),
                ],
                "Authorization code flow",
            ),
            (vec![step("refresh", Some("refresh_token"))], "Refresh"),
            (vec![step("revocation", None)], "Token revocation"),
            (vec![step("api_call", None)], "API call"),
        ] {
            let doc = json!({"error": {"code": "x", "message": "y"}, "steps": steps});
            let text = markdown::failure(&doc, true);
            assert!(
                text.starts_with(&format!("# Tokenscope export: {title} (failed)")),
                "{text}"
            );
        }
    }

    #[test]
    fn a_retried_request_is_reported_beside_the_verdict() {
        let step = |name: &str, status: &str| json!({"name": name, "status": status});
        let doc = json!({"steps": [step("discovery", "ok"), step("token", "retried"), step("token", "ok")]});
        let text = markdown::flow(&doc, true, true);
        assert!(
            text.contains("3 step(s): **ok** (1 request(s) refused, then retried another way)."),
            "{text}"
        );
        let text = markdown::flow(&doc, false, true);
        assert!(text.contains("**failed**: 0 failed step(s)"), "{text}");
    }

    #[test]
    fn jwt_lookalikes_need_a_json_header_and_base64url_segments() {
        assert!(looks_like_jwt("eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0."));
        assert!(looks_like_jwt("eyJhbGciOiJSU0EifQ.a.b.c.d"));
        assert!(!looks_like_jwt("example.com.au"));
        assert!(!looks_like_jwt("eyJh.eyJ.x.y"));
        assert!(!looks_like_jwt("eyJhbGc.+.x"));
    }
}
