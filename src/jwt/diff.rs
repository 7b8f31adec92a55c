//! Comparing two tokens claim by claim, on top of a generic JSON diff with JSON Pointer paths.
//!
//! [`diff_json`] is the engine: objects key by key, arrays index by index, unless the caller's
//! rule says the value at a path is a set. [`diff_tokens`] adds what matters for tokens: set-like
//! claims, NumericDate deltas, lifetimes, security flags and a one-line summary.
//!
//! **Set members.** Each member added to or removed from a set is its own [`Change`] at the set's
//! path with `member: true`: `{"path":"/aud","change":"added","before":null,"after":"api://b"}`.
//! Order is ignored, and so is the representation: `"aud":"x"` and `"aud":["x"]` are equal
//! (RFC 7519 §4.1.3 allows both), as are `"scope":"a b"` and `"scope":["a","b"]`.

use std::collections::HashSet;

use serde::Serialize;
use serde_json::Value;

use super::claims::claim_info;
use super::decode::{numeric_date, DecodedToken, SegmentKind, TokenFormat};
use crate::jose::timefmt::human_duration;

/// What happened at one path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// Only the second document has it.
    Added,
    /// Only the first document has it.
    Removed,
    /// Both have it, with different values.
    Changed,
}

/// One difference between two JSON documents.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Change {
    /// JSON Pointer (RFC 6901) to the value; `""` is the whole document.
    pub path: String,
    pub change: ChangeKind,
    /// The first document's value (null when added); for a set member, the member removed.
    pub before: Option<Value>,
    /// The second document's value (null when removed); for a set member, the member added.
    pub after: Option<Value>,
    /// `after − before` in seconds, only for a changed NumericDate claim (`exp`, `iat`, `nbf`,
    /// `auth_time`, `updated_at`) holding numbers on both sides.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional, type = "number"))]
    pub delta_seconds: Option<i64>,
    /// `delta_seconds` for people: "+15 min", "-2 h".
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub delta_text: Option<String>,
    /// `before`/`after` is one member of a set (`aud`, `scope`, …), not the whole value.
    pub member: bool,
    /// The name is security-relevant: it picks the algorithm or key, or says who the token is
    /// from, about or for, and what it allows.
    pub security: bool,
}

impl Change {
    fn new(
        path: String,
        change: ChangeKind,
        before: Option<&Value>,
        after: Option<&Value>,
    ) -> Self {
        Change {
            path,
            change,
            before: before.cloned(),
            after: after.cloned(),
            delta_seconds: None,
            delta_text: None,
            member: false,
            security: false,
        }
    }

    /// The first reference token of the path, unescaped: the claim or header parameter name.
    pub fn top_level_name(&self) -> Option<String> {
        let rest = self.path.strip_prefix('/')?;
        let first = rest.split('/').next().unwrap_or(rest);
        Some(unescape_pointer_token(first))
    }

    /// The change is to the top-level value itself, not inside it or to one of its members.
    fn is_whole_top_level(&self) -> bool {
        !self.member && self.path.len() > 1 && !self.path[1..].contains('/')
    }
}

/// How [`diff_json`] compares the value at one path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compare {
    /// Objects key by key, arrays index by index, anything else by equality.
    Structural,
    /// An unordered set of members: an array, or a lone value as a one-member set.
    Set,
    /// Like [`Compare::Set`], but a string is a space-separated list (RFC 6749 §3.3 `scope`).
    SpaceSeparatedSet,
}

/// Differences from `before` to `after`. `compare` is asked, for each JSON Pointer path where
/// the values differ, whether the value there is a set; [`Compare::Structural`] everywhere gives a
/// plain structural diff. Object key order never counts as a change.
pub fn diff_json(before: &Value, after: &Value, compare: impl Fn(&str) -> Compare) -> Vec<Change> {
    let mut out = Vec::new();
    walk("", before, after, &compare, &mut out);
    out
}

fn walk<F: Fn(&str) -> Compare>(
    path: &str,
    before: &Value,
    after: &Value,
    compare: &F,
    out: &mut Vec<Change>,
) {
    if before == after {
        return;
    }
    let split = match compare(path) {
        Compare::Structural => None,
        Compare::Set => Some(false),
        Compare::SpaceSeparatedSet => Some(true),
    };
    // Two single values (`"aud": "a"` then `"aud": "b"`) are one value changed, not a set edit.
    let one_value_each = !before.is_array() && !after.is_array();
    if let Some(split) = split.filter(|&split| split || !one_value_each) {
        if let (Some(b), Some(a)) = (set_members(before, split), set_members(after, split)) {
            diff_sets(path, &b, &a, out);
            return;
        }
    }
    match (before, after) {
        (Value::Object(b), Value::Object(a)) => {
            for (key, bv) in b {
                let child = child_path(path, key);
                match a.get(key) {
                    Some(av) => walk(&child, bv, av, compare, out),
                    None => out.push(Change::new(child, ChangeKind::Removed, Some(bv), None)),
                }
            }
            for (key, av) in a.iter().filter(|(k, _)| !b.contains_key(*k)) {
                let child = child_path(path, key);
                out.push(Change::new(child, ChangeKind::Added, None, Some(av)));
            }
        }
        (Value::Array(b), Value::Array(a)) => {
            for i in 0..b.len().max(a.len()) {
                let child = format!("{path}/{i}");
                match (b.get(i), a.get(i)) {
                    (Some(bv), Some(av)) => walk(&child, bv, av, compare, out),
                    (Some(bv), None) => {
                        out.push(Change::new(child, ChangeKind::Removed, Some(bv), None))
                    }
                    (None, Some(av)) => {
                        out.push(Change::new(child, ChangeKind::Added, None, Some(av)))
                    }
                    (None, None) => {}
                }
            }
        }
        _ => out.push(Change::new(
            path.to_owned(),
            ChangeKind::Changed,
            Some(before),
            Some(after),
        )),
    }
}

/// The members of a set-like value; `None` (compare structurally) for objects and null.
fn set_members(value: &Value, split_strings: bool) -> Option<Vec<Value>> {
    match value {
        Value::Array(items) => Some(items.clone()),
        Value::String(s) if split_strings => Some(
            s.split_whitespace()
                .map(|m| Value::String(m.to_owned()))
                .collect(),
        ),
        Value::String(_) | Value::Bool(_) | Value::Number(_) => Some(vec![value.clone()]),
        Value::Object(_) | Value::Null => None,
    }
}

/// Removed members (in `before` order), then added ones (in `after` order). Hashing canonical
/// forms keeps this linear, so a token with a huge `aud` array cannot stall the diff.
fn diff_sets(path: &str, before: &[Value], after: &[Value], out: &mut Vec<Change>) {
    let before_keys: HashSet<String> = before.iter().map(canonical_json).collect();
    let after_keys: HashSet<String> = after.iter().map(canonical_json).collect();
    let mut seen = HashSet::new();
    for member in before {
        let key = canonical_json(member);
        if !after_keys.contains(&key) && seen.insert(key) {
            let mut c = Change::new(path.to_owned(), ChangeKind::Removed, Some(member), None);
            c.member = true;
            out.push(c);
        }
    }
    seen.clear();
    for member in after {
        let key = canonical_json(member);
        if !before_keys.contains(&key) && seen.insert(key) {
            let mut c = Change::new(path.to_owned(), ChangeKind::Added, None, Some(member));
            c.member = true;
            out.push(c);
        }
    }
}

/// JSON text with object keys sorted, so equal values (in the `Value::eq` sense) hash equally.
fn canonical_json(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_unstable_by(|x, y| x.0.cmp(y.0));
            let inner: Vec<String> = entries
                .into_iter()
                .map(|(k, v)| format!("{}:{}", Value::String(k.clone()), canonical_json(v)))
                .collect();
            format!("{{{}}}", inner.join(","))
        }
        Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(canonical_json).collect();
            format!("[{}]", inner.join(","))
        }
        other => other.to_string(),
    }
}

fn child_path(parent: &str, key: &str) -> String {
    format!("{parent}/{}", escape_pointer_token(key))
}

/// RFC 6901 §3: `~` becomes `~0` and `/` becomes `~1`, in that order.
pub fn escape_pointer_token(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

/// RFC 6901 §4: `~1` becomes `/` first, then `~0` becomes `~`.
pub fn unescape_pointer_token(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// A signed duration for people: "+15 min", "-2 h", "+0 s".
pub fn signed_duration(seconds: i64) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    format!("{sign}{}", human_duration(seconds.unsigned_abs()))
}

/// The lifetimes (`exp − iat`) of the two tokens, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LifetimeComparison {
    /// Token A's lifetime; null when it lacks a numeric `exp` or `iat`.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub before_seconds: Option<i64>,
    /// Token B's lifetime; null when it lacks a numeric `exp` or `iat`.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub after_seconds: Option<i64>,
    /// `after_seconds − before_seconds`; null unless both are known.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub delta_seconds: Option<i64>,
}

/// Everything that differs between token A and token B. Nothing here is verified.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TokenDiff {
    /// Protected header differences.
    pub header: Vec<Change>,
    /// Claim differences; empty when the payloads could not be compared (see `payload_compared`).
    pub payload: Vec<Change>,
    /// The JWS signature differs (for JWE, the authentication tag).
    pub signature_changed: bool,
    /// `exp − iat` of each token; null when neither token has both.
    pub lifetime: Option<LifetimeComparison>,
    pub format_before: TokenFormat,
    pub format_after: TokenFormat,
    /// False when either payload is encrypted (JWE), so only headers were compared.
    pub payload_compared: bool,
    /// What was compared differently or not at all, and why.
    pub notes: Vec<String>,
    /// One line for people, e.g. "3 claims changed, exp +15 min, kid rotated".
    pub summary: String,
}

impl TokenDiff {
    /// Header, claims and signature are all the same.
    pub fn is_identical(&self) -> bool {
        self.header.is_empty()
            && self.payload.is_empty()
            && !self.signature_changed
            && self.format_before == self.format_after
    }
}

/// Compares two decoded tokens: header and claims structurally, with set-like claims by member,
/// NumericDate claims with their time difference, and security-relevant names flagged.
pub fn diff_tokens(a: &DecodedToken, b: &DecodedToken) -> TokenDiff {
    let mut header = diff_json(&a.header, &b.header, header_comparison);
    for c in &mut header {
        c.security = c
            .top_level_name()
            .is_some_and(|n| SECURITY_HEADER_PARAMS.contains(&n.as_str()));
    }

    let mut notes = Vec::new();
    let (mut payload, payload_compared) = match (payload_view(a), payload_view(b)) {
        (PayloadView::Claims(pa), PayloadView::Claims(pb)) => {
            (diff_json(pa, pb, claim_comparison), true)
        }
        (va, vb) if va.is_encrypted() || vb.is_encrypted() => {
            notes.push(encrypted_note(va.is_encrypted(), vb.is_encrypted()));
            (Vec::new(), false)
        }
        (va, vb) => {
            for (name, v) in [("A", &va), ("B", &vb)] {
                if let Some(what) = v.not_claims_description() {
                    notes.push(format!(
                        "token {name}'s payload is {what}, not a JSON claims set; the payloads were compared as a whole"
                    ));
                }
            }
            let (before, after) = (va.as_value(), vb.as_value());
            let changes = if before == after {
                Vec::new()
            } else {
                vec![Change::new(
                    String::new(),
                    ChangeKind::Changed,
                    Some(&before),
                    Some(&after),
                )]
            };
            (changes, true)
        }
    };
    for c in &mut payload {
        c.security = c
            .top_level_name()
            .is_some_and(|n| SECURITY_CLAIMS.contains(&n.as_str()));
        c.delta_seconds = numeric_date_delta(c);
        c.delta_text = c.delta_seconds.map(signed_duration);
    }

    let lifetime = match (lifetime_seconds(a), lifetime_seconds(b)) {
        (None, None) => None,
        (before, after) => Some(LifetimeComparison {
            before_seconds: before,
            after_seconds: after,
            delta_seconds: before.zip(after).map(|(x, y)| y.saturating_sub(x)),
        }),
    };

    let mut diff = TokenDiff {
        header,
        payload,
        signature_changed: integrity_segment(a) != integrity_segment(b),
        lifetime,
        format_before: a.format,
        format_after: b.format,
        payload_compared,
        notes,
        summary: String::new(),
    };
    diff.summary = summarize(&diff);
    diff
}

/// Header parameters that choose the algorithm or the key, or change how the token is processed
/// (RFC 8725 §3.1, §3.11: algorithm and type confusion; `jku`/`x5u`/`jwk` point at keys).
const SECURITY_HEADER_PARAMS: &[&str] = &[
    "alg", "enc", "kid", "typ", "jku", "jwk", "x5u", "x5c", "x5t", "x5t#S256", "crit",
];

/// Claims that say who issued the token, whom it is about and for, what it allows, and which key
/// it is bound to (RFC 7800 `cnf`). `scp` is the `scope` spelling of Azure AD and Okta.
const SECURITY_CLAIMS: &[&str] = &["iss", "sub", "aud", "scope", "scp", "cnf"];

fn header_comparison(path: &str) -> Compare {
    match path {
        // RFC 7515 §4.1.11: a list of names whose order carries no meaning.
        "/crit" => Compare::Set,
        _ => Compare::Structural,
    }
}

fn claim_comparison(path: &str) -> Compare {
    match path {
        // RFC 7519 §4.1.3, OIDC Core §2 (amr), RFC 9068 §2.2.3.1 (groups, roles, entitlements).
        "/aud" | "/amr" | "/groups" | "/roles" | "/entitlements" => Compare::Set,
        // RFC 8693 §4.2 / RFC 6749 §3.3: space-delimited, order does not matter.
        "/scope" | "/scp" => Compare::SpaceSeparatedSet,
        _ => Compare::Structural,
    }
}

/// The signed seconds between two values of a NumericDate claim, when both are numbers.
fn numeric_date_delta(c: &Change) -> Option<i64> {
    if c.change != ChangeKind::Changed || !c.is_whole_top_level() {
        return None;
    }
    let name = c.top_level_name()?;
    if !claim_info(&name)?.numeric_date {
        return None;
    }
    let before = numeric_date(c.before.as_ref()?)?;
    let after = numeric_date(c.after.as_ref()?)?;
    // No delta rather than a saturated one for times past any calendar, so that B→A is always
    // exactly −(A→B) (i64::MIN has no negation).
    let delta = i64::try_from(i128::from(after) - i128::from(before)).ok()?;
    (delta != i64::MIN).then_some(delta)
}

fn lifetime_seconds(t: &DecodedToken) -> Option<i64> {
    let payload = t.payload.as_ref()?;
    let exp = numeric_date(payload.get("exp")?)?;
    let iat = numeric_date(payload.get("iat")?)?;
    Some(exp.saturating_sub(iat))
}

/// The segment that authenticates the token: the JWS signature, or the JWE authentication tag.
fn integrity_segment(t: &DecodedToken) -> Option<&str> {
    match t.format {
        TokenFormat::Jwe => t
            .segments
            .iter()
            .find(|s| s.kind == SegmentKind::Tag)
            .map(|s| s.text.as_str()),
        TokenFormat::Jws | TokenFormat::Unsecured => t.signature.as_deref(),
    }
}

/// What a token's payload is, for comparison.
enum PayloadView<'a> {
    Claims(&'a Value),
    Text(&'a str),
    /// Not UTF-8: compared by its base64url segment.
    Binary(&'a str),
    Encrypted,
}

impl PayloadView<'_> {
    fn is_encrypted(&self) -> bool {
        matches!(self, PayloadView::Encrypted)
    }

    fn not_claims_description(&self) -> Option<&'static str> {
        match self {
            PayloadView::Text(_) => Some("text"),
            PayloadView::Binary(_) => Some("binary (compared as base64url)"),
            PayloadView::Claims(_) | PayloadView::Encrypted => None,
        }
    }

    fn as_value(&self) -> Value {
        match self {
            PayloadView::Claims(v) => (*v).clone(),
            PayloadView::Text(s) | PayloadView::Binary(s) => Value::String((*s).to_owned()),
            PayloadView::Encrypted => Value::Null,
        }
    }
}

fn payload_view(t: &DecodedToken) -> PayloadView<'_> {
    if t.format == TokenFormat::Jwe {
        return PayloadView::Encrypted;
    }
    if let Some(claims) = &t.payload {
        return PayloadView::Claims(claims);
    }
    if let Some(text) = &t.payload_text {
        return PayloadView::Text(text);
    }
    let segment = t.segments.iter().find(|s| s.kind == SegmentKind::Payload);
    PayloadView::Binary(segment.map_or("", |s| s.text.as_str()))
}

fn encrypted_note(a: bool, b: bool) -> String {
    let which = match (a, b) {
        (true, true) => "both tokens are",
        (true, false) => "token A is",
        _ => "token B is",
    };
    format!("{which} encrypted (JWE): claims cannot be read without the recipient's key, so only the headers were compared")
}

fn format_label(format: TokenFormat) -> &'static str {
    match format {
        TokenFormat::Jws => "JWS",
        TokenFormat::Jwe => "JWE",
        TokenFormat::Unsecured => "unsecured JWT",
    }
}

/// "3 claims changed, exp +15 min, kid rotated".
fn summarize(d: &TokenDiff) -> String {
    let mut parts = Vec::new();
    if d.format_before != d.format_after {
        parts.push(format!(
            "{} → {}",
            format_label(d.format_before),
            format_label(d.format_after)
        ));
    }
    if d.payload.iter().any(|c| c.path.is_empty()) {
        parts.push("payload changed".to_owned());
    }
    let claims = distinct_names(&d.payload);
    match claims.len() {
        0 => {}
        1 => parts.push("1 claim changed".to_owned()),
        n => parts.push(format!("{n} claims changed")),
    }
    for c in &d.payload {
        if let (Some(name), Some(text)) = (c.top_level_name(), &c.delta_text) {
            parts.push(format!("{name} {text}"));
        }
    }
    for name in distinct_names(&d.header) {
        let changes: Vec<&Change> = d
            .header
            .iter()
            .filter(|c| c.top_level_name().as_deref() == Some(name.as_str()))
            .collect();
        let kind = match changes.as_slice() {
            [only] if only.is_whole_top_level() => only.change,
            _ => ChangeKind::Changed,
        };
        parts.push(match (name.as_str(), kind, changes.as_slice()) {
            ("kid", ChangeKind::Changed, _) => "kid rotated".to_owned(),
            (_, ChangeKind::Changed, [only]) if only.is_whole_top_level() => {
                match (&only.before, &only.after) {
                    (Some(Value::String(x)), Some(Value::String(y))) => {
                        format!("{name} {x} → {y}")
                    }
                    _ => format!("{name} changed"),
                }
            }
            (_, ChangeKind::Added, _) => format!("{name} added"),
            (_, ChangeKind::Removed, _) => format!("{name} removed"),
            (_, ChangeKind::Changed, _) => format!("{name} changed"),
        });
    }
    if parts.is_empty() {
        return if d.signature_changed {
            "same header and claims; only the signature differs".to_owned()
        } else if d.payload_compared {
            "identical".to_owned()
        } else {
            "headers identical; payloads not compared (encrypted)".to_owned()
        };
    }
    parts.join(", ")
}

/// Top-level names touched by `changes`, in first-seen order.
fn distinct_names(changes: &[Change]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for name in changes.iter().filter_map(Change::top_level_name) {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// How one top-level member reads across the two tokens, for a side-by-side view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum RowState {
    /// No change under this name (sets compare by member, so reordering is "same").
    Same,
    Added,
    Removed,
    /// Some [`Change`] lies at or under this name.
    Changed,
}

/// One top-level header parameter or claim, as token A and token B have it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AlignedRow {
    pub name: String,
    pub state: RowState,
    /// Token A's value; null when only B has the name.
    pub before: Option<Value>,
    /// Token B's value; null when only A has the name.
    pub after: Option<Value>,
}

/// A diff plus every top-level member of both tokens lined up, unchanged ones included: what a
/// side-by-side view shows. `payload_rows` is empty unless both payloads are JSON claims sets.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TokenComparison {
    pub diff: TokenDiff,
    pub header_rows: Vec<AlignedRow>,
    pub payload_rows: Vec<AlignedRow>,
}

/// [`diff_tokens`], with the headers and claims of both tokens aligned by name.
pub fn compare_tokens(a: &DecodedToken, b: &DecodedToken) -> TokenComparison {
    let diff = diff_tokens(a, b);
    let header_rows = align_members(&a.header, &b.header, &diff.header);
    let payload_rows = match (payload_view(a), payload_view(b)) {
        (PayloadView::Claims(pa), PayloadView::Claims(pb)) => align_members(pa, pb, &diff.payload),
        _ => Vec::new(),
    };
    TokenComparison {
        diff,
        header_rows,
        payload_rows,
    }
}

/// The top-level members of two JSON objects in one list: A's in A's order, then those only B
/// has, in B's order. The state comes from `changes` (the diff of the same two objects), so
/// set-valued members that differ only in order read as the same.
pub fn align_members(a: &Value, b: &Value, changes: &[Change]) -> Vec<AlignedRow> {
    let empty = serde_json::Map::new();
    let (a, b) = (
        a.as_object().unwrap_or(&empty),
        b.as_object().unwrap_or(&empty),
    );
    let changed: HashSet<String> = changes.iter().filter_map(Change::top_level_name).collect();
    let row = |name: &String| {
        let (before, after) = (a.get(name), b.get(name));
        let state = match (before, after) {
            (Some(_), None) => RowState::Removed,
            (None, _) => RowState::Added,
            _ if changed.contains(name) => RowState::Changed,
            _ => RowState::Same,
        };
        AlignedRow {
            name: name.clone(),
            state,
            before: before.cloned(),
            after: after.cloned(),
        }
    };
    a.keys()
        .chain(b.keys().filter(|k| !a.contains_key(*k)))
        .map(row)
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn structural(_: &str) -> Compare {
        Compare::Structural
    }

    #[test]
    fn nested_objects_and_arrays_get_pointer_paths() {
        let before = json!({"a": {"b": 1, "gone": true}, "list": [1, 2, 3]});
        let after = json!({"a": {"b": 2, "new": null}, "list": [1, 5]});
        let changes = diff_json(&before, &after, structural);
        let paths: Vec<(&str, ChangeKind)> = changes
            .iter()
            .map(|c| (c.path.as_str(), c.change))
            .collect();
        assert_eq!(
            paths,
            [
                ("/a/b", ChangeKind::Changed),
                ("/a/gone", ChangeKind::Removed),
                ("/a/new", ChangeKind::Added),
                ("/list/1", ChangeKind::Changed),
                ("/list/2", ChangeKind::Removed),
            ]
        );
    }

    #[test]
    fn key_order_alone_is_not_a_change() {
        let before: Value = serde_json::from_str(r#"{"x":1,"y":2}"#).unwrap();
        let after: Value = serde_json::from_str(r#"{"y":2,"x":1}"#).unwrap();
        assert!(diff_json(&before, &after, structural).is_empty());
    }

    #[test]
    fn pointer_tokens_escape_tilde_before_slash() {
        assert_eq!(escape_pointer_token("a/b~c"), "a~1b~0c");
        assert_eq!(escape_pointer_token("~1"), "~01");
        assert_eq!(unescape_pointer_token("~01"), "~1");
        assert_eq!(unescape_pointer_token("a~1b~0c"), "a/b~c");
    }

    #[test]
    fn sets_report_members_and_ignore_order_and_duplicates() {
        let set = |_: &str| Compare::Set;
        let changes = diff_json(&json!(["a", "b", "b"]), &json!(["c", "b"]), set);
        assert_eq!(changes.len(), 2, "{changes:?}");
        assert_eq!(changes[0].change, ChangeKind::Removed);
        assert_eq!(changes[0].before, Some(json!("a")));
        assert_eq!(changes[0].after, None);
        assert_eq!(changes[1].change, ChangeKind::Added);
        assert_eq!(changes[1].after, Some(json!("c")));
        assert!(changes.iter().all(|c| c.member && c.path.is_empty()));
        assert!(diff_json(&json!(["a", "b"]), &json!(["b", "a"]), set).is_empty());
    }

    #[test]
    fn set_members_that_are_objects_compare_by_value_not_key_order() {
        let set = |_: &str| Compare::Set;
        let before: Value = serde_json::from_str(r#"[{"k":1,"v":2}]"#).unwrap();
        let after: Value = serde_json::from_str(r#"[{"v":2,"k":1}]"#).unwrap();
        assert!(diff_json(&before, &after, set).is_empty());
    }

    #[test]
    fn a_lone_string_equals_a_one_member_array_in_a_set() {
        let set = |_: &str| Compare::Set;
        assert!(diff_json(&json!("x"), &json!(["x"]), set).is_empty());
        let scope = |_: &str| Compare::SpaceSeparatedSet;
        assert!(diff_json(&json!("a  b"), &json!(["b", "a"]), scope).is_empty());
        let changes = diff_json(&json!("a b"), &json!("b c"), scope);
        let summary: Vec<_> = changes
            .iter()
            .map(|c| (c.change, c.before.clone(), c.after.clone()))
            .collect();
        assert_eq!(
            summary,
            [
                (ChangeKind::Removed, Some(json!("a")), None),
                (ChangeKind::Added, None, Some(json!("c"))),
            ]
        );
    }

    #[test]
    fn a_set_rule_on_an_object_falls_back_to_structural() {
        let set_at_root = |p: &str| {
            if p.is_empty() {
                Compare::Set
            } else {
                Compare::Structural
            }
        };
        let changes = diff_json(&json!({"a": 1}), &json!({"a": 2}), set_at_root);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].path, "/a");
        assert_eq!(changes[0].before, Some(json!(1)));
    }

    #[test]
    fn different_types_are_one_change_of_the_whole_value() {
        let changes = diff_json(&json!({"a": [1]}), &json!({"a": {"0": 1}}), structural);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].path, "/a");
        assert_eq!(changes[0].change, ChangeKind::Changed);
        assert_eq!(changes[0].after, Some(json!({"0": 1})));
    }

    #[test]
    fn signed_durations_read_as_people_expect() {
        assert_eq!(signed_duration(900), "+15 min");
        assert_eq!(signed_duration(-7200), "-2 h");
        assert_eq!(signed_duration(0), "+0 s");
        assert_eq!(
            signed_duration(i64::MIN),
            format!("-{}", human_duration(1 << 63))
        );
    }

    #[test]
    fn top_level_name_unescapes_the_first_token() {
        let c = Change::new(
            "/http:~1~1example.com~1is_root".to_owned(),
            ChangeKind::Added,
            None,
            Some(&json!(true)),
        );
        assert_eq!(
            c.top_level_name().as_deref(),
            Some("http://example.com/is_root")
        );
        assert!(c.is_whole_top_level());
        let nested = Change::new("/cnf/jkt".to_owned(), ChangeKind::Added, None, None);
        assert_eq!(nested.top_level_name().as_deref(), Some("cnf"));
        assert!(!nested.is_whole_top_level());
    }

    #[test]
    fn aligned_rows_keep_a_order_then_b_additions_and_read_set_reorders_as_same() {
        let a = json!({"sub": "u", "aud": ["x", "y"], "exp": 1, "old": true});
        let b = json!({"new": 1, "sub": "u", "aud": ["y", "x"], "exp": 2});
        let changes = diff_json(&a, &b, claim_comparison);
        let rows = align_members(&a, &b, &changes);
        let view: Vec<(&str, RowState)> = rows.iter().map(|r| (r.name.as_str(), r.state)).collect();
        assert_eq!(
            view,
            [
                ("sub", RowState::Same),
                ("aud", RowState::Same),
                ("exp", RowState::Changed),
                ("old", RowState::Removed),
                ("new", RowState::Added),
            ]
        );
        assert_eq!(rows[3].after, None);
        assert_eq!(rows[4].before, None);
        assert_eq!(rows[2].before, Some(json!(1)));
        assert_eq!(rows[2].after, Some(json!(2)));
    }
}
