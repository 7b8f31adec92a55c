//! Building and signing tokens: header and payload JSON in, a compact JWS out (RFC 7515 §7.1,
//! RFC 7519 §7.1), with helpers for relative times, `jti` and the standard claims.
//!
//! Unsecured (`alg: "none"`) tokens are produced only when [`EncodeAlg::Unsecured`] is asked
//! for, and always come back with an `alg-none` error finding.

use rand_core::RngCore as _;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::decode::{MAX_JSON_DEPTH, MAX_TOKEN_BYTES};
use super::findings::{Finding, FindingCode};
use super::json::{json_depth, json_kind};
use crate::error::ErrorCode;
use crate::jose::alg::{JwsAlg, KeyFamily};
use crate::jose::b64;
use crate::jose::EcCurve;
use crate::jwk::{GeneratedKeys, KeyError, SigningKey, SigningKeyError, SigningKeySource};

/// The algorithm to sign with, or an explicitly requested unsecured token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncodeAlg {
    Signed(JwsAlg),
    /// `alg: "none"` (RFC 7519 §6): no signature. Insecure by definition; for teaching only.
    Unsecured,
}

impl EncodeAlg {
    /// Parses an exact `alg` name; `none` (lower case, as RFC 7518 §3.6 spells it) is
    /// [`EncodeAlg::Unsecured`].
    pub fn parse(name: &str) -> Option<EncodeAlg> {
        if name == "none" {
            return Some(EncodeAlg::Unsecured);
        }
        JwsAlg::parse(name).map(EncodeAlg::Signed)
    }

    pub fn name(self) -> &'static str {
        match self {
            EncodeAlg::Signed(alg) => alg.name(),
            EncodeAlg::Unsecured => "none",
        }
    }
}

/// Where the header's `kid` comes from. Over IPC: `{"kind": "default" | "set" | "omit", "value"?}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum KidChoice {
    /// The header's own `kid`, else the key's (a private JWK's `kid`), else the RFC 7638
    /// thumbprint of an asymmetric key. Secrets get no `kid` unless one is given.
    #[default]
    Default,
    /// Exactly this `kid`, replacing any in the header.
    Set(String),
    /// No `kid`, even if the header has one.
    Omit,
}

/// How to build the token. `now` is injected: the core never reads the clock.
#[derive(Debug, Clone)]
pub struct EncodeOptions {
    pub alg: EncodeAlg,
    pub kid: KidChoice,
    /// Add `"typ": "JWT"` (RFC 7519 §5.1) when the header has no `typ`. Default true.
    pub default_typ: bool,
    /// Expand relative times (see [`parse_relative_time`]) in `iat`, `nbf`, `exp` and
    /// `auth_time` string values. Default false: strings are kept as written.
    pub relative_times: bool,
    /// "Now" in Unix seconds, for relative times.
    pub now: i64,
}

impl EncodeOptions {
    pub fn new(alg: EncodeAlg, now: i64) -> Self {
        EncodeOptions {
            alg,
            kid: KidChoice::Default,
            default_typ: true,
            relative_times: false,
            now,
        }
    }
}

/// A minted token and what went into it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EncodedToken {
    /// The compact serialization `header.payload.signature` (signature empty when unsecured).
    pub token: String,
    /// The header exactly as encoded (with `alg`, `typ` and `kid` filled in).
    #[cfg_attr(feature = "ts", ts(type = "Record<string, unknown>"))]
    pub header: Value,
    /// The payload exactly as encoded (relative times expanded).
    #[cfg_attr(feature = "ts", ts(type = "Record<string, unknown>"))]
    pub payload: Value,
    pub alg: String,
    pub kid: Option<String>,
    /// True for `alg: "none"`: anyone can forge such a token.
    pub unsecured: bool,
    /// Warnings about the token or key (`alg-none`, `weak-secret`, `weak-key`, …).
    pub findings: Vec<Finding>,
}

/// Which JSON document an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonPart {
    Header,
    Payload,
}

impl JsonPart {
    fn label(self) -> &'static str {
        match self {
            JsonPart::Header => "header",
            JsonPart::Payload => "payload",
        }
    }
}

impl std::fmt::Display for JsonPart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// Why a token could not be built or signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    #[error("the {part} is not valid JSON at line {line}, column {column}: {reason}")]
    InvalidJson {
        part: JsonPart,
        line: usize,
        column: usize,
        reason: String,
    },
    #[error("the {part} must be a JSON object, not {found}")]
    NotAnObject { part: JsonPart, found: &'static str },
    #[error("the {part} nests JSON deeper than {limit} levels")]
    TooDeep { part: JsonPart, limit: usize },
    #[error("the {part} is {size} bytes; the limit is {limit} bytes")]
    TooLarge {
        part: JsonPart,
        size: usize,
        limit: usize,
    },
    #[error("\"{0}\" is not a supported algorithm (HS256/384/512, RS*, PS*, ES256/384/512, EdDSA, or none)")]
    UnsupportedAlg(String),
    #[error("{alg} needs a key: a shared secret, a PEM private key or a private JWK")]
    MissingKey { alg: JwsAlg },
    #[error("{alg} needs {needs}; this is {key}")]
    KeyMismatch {
        alg: JwsAlg,
        needs: &'static str,
        key: String,
    },
    #[error("the key's JWK says \"alg\": \"{key_alg}\", so verifiers would reject a {alg} token made with it (RFC 7517 §4.4); use a key meant for {alg} (keygen --alg {alg}), or the key as PEM, which names no algorithm")]
    KeyAlgRestricted { alg: JwsAlg, key_alg: String },
    #[error("\"{claim}\": {reason}")]
    InvalidTime {
        claim: String,
        reason: RelativeTimeError,
    },
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The key source could not be read (bad key text or base64, a handle no longer held).
    #[error(transparent)]
    KeySource(SigningKeyError),
    #[error("signing failed: {0}")]
    Signing(String),
}

impl ErrorCode for EncodeError {
    fn code(&self) -> &'static str {
        match self {
            EncodeError::InvalidJson { .. } => "encode.invalid_json",
            EncodeError::NotAnObject { .. } => "encode.not_an_object",
            EncodeError::TooDeep { .. } => "encode.too_deep",
            EncodeError::TooLarge { .. } => "encode.too_large",
            EncodeError::UnsupportedAlg(_) => "encode.unsupported_alg",
            EncodeError::MissingKey { .. } => "encode.missing_key",
            EncodeError::KeyMismatch { .. } | EncodeError::KeyAlgRestricted { .. } => {
                "encode.key_mismatch"
            }
            EncodeError::InvalidTime { .. } => "encode.invalid_time",
            EncodeError::Key(e) => e.code(),
            EncodeError::KeySource(e) => e.code(),
            EncodeError::Signing(_) => "encode.signing_failed",
        }
    }
}

/// Parses header or payload text into a JSON object, naming the line and column of a syntax
/// error (for validation as the user types).
pub fn parse_json_object(text: &str, part: JsonPart) -> Result<Map<String, Value>, EncodeError> {
    if text.len() > MAX_TOKEN_BYTES {
        return Err(EncodeError::TooLarge {
            part,
            size: text.len(),
            limit: MAX_TOKEN_BYTES,
        });
    }
    // Checked before parsing so the decoder (same limit) can read every token we mint.
    if json_depth(text) > MAX_JSON_DEPTH {
        return Err(EncodeError::TooDeep {
            part,
            limit: MAX_JSON_DEPTH,
        });
    }
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(EncodeError::NotAnObject {
            part,
            found: json_kind(&other),
        }),
        Err(e) => {
            let full = e.to_string();
            let suffix = format!(" at line {} column {}", e.line(), e.column());
            Err(EncodeError::InvalidJson {
                part,
                line: e.line(),
                column: e.column(),
                reason: full.strip_suffix(&suffix).unwrap_or(&full).to_owned(),
            })
        }
    }
}

type JsonObject = Map<String, Value>;

/// Parses header text (empty means `{}`) and payload text into JSON objects.
pub fn parse_header_and_payload(
    header: &str,
    payload: &str,
) -> Result<(JsonObject, JsonObject), EncodeError> {
    let header = if header.trim().is_empty() {
        Map::new()
    } else {
        parse_json_object(header, JsonPart::Header)?
    };
    Ok((header, parse_json_object(payload, JsonPart::Payload)?))
}

/// Builds and signs a token from header and payload text (the header may be empty).
pub fn encode_json(
    header: &str,
    payload: &str,
    key: Option<&SigningKey>,
    options: &EncodeOptions,
) -> Result<EncodedToken, EncodeError> {
    let (header, payload) = parse_header_and_payload(header, payload)?;
    encode_token(header, payload, key, options)
}

/// Signs with the key `source` names: the one "sign with this key source" path of the CLI and
/// the app. Resolves the source (a generated key's handle through `held`), then
/// [`encode_token`]. For `alg: none` the source is not read. A source that cannot be read is
/// [`EncodeError::KeySource`]; a key that does not fit the algorithm is reported as by
/// [`encode_token`].
pub fn sign_with_key_source(
    header: Map<String, Value>,
    payload: Map<String, Value>,
    source: Option<SigningKeySource>,
    held: &GeneratedKeys,
    options: &EncodeOptions,
) -> Result<EncodedToken, EncodeError> {
    let key = match source {
        Some(source) if options.alg != EncodeAlg::Unsecured => {
            Some(source.resolve(held).map_err(EncodeError::KeySource)?)
        }
        _ => None,
    };
    encode_token(header, payload, key.as_deref(), options)
}

/// Builds and signs a token. `alg` (and by default `typ` and `kid`) are set in the header from
/// `options`; member order is otherwise kept as given.
pub fn encode_token(
    header: Map<String, Value>,
    mut payload: Map<String, Value>,
    key: Option<&SigningKey>,
    options: &EncodeOptions,
) -> Result<EncodedToken, EncodeError> {
    let mut findings = Vec::new();
    let signing = match options.alg {
        EncodeAlg::Signed(alg) => {
            let key = key.ok_or(EncodeError::MissingKey { alg })?;
            check_key(key, alg, &mut findings)?;
            Some((key, alg))
        }
        EncodeAlg::Unsecured => {
            findings.push(Finding::error(
                FindingCode::AlgNone,
                "the token is unsigned (alg \"none\"): anyone can forge it, and verifiers must reject it (RFC 8725 §3.2)",
            ));
            None
        }
    };
    if options.relative_times {
        expand_relative_times(&mut payload, options.now)?;
    }
    for claim in TIME_CLAIMS {
        if let Some(Value::String(text)) = payload.get(claim) {
            findings.push(Finding::warning(
                FindingCode::TimeNotNumeric,
                format!("\"{claim}\" is the string \"{text}\", not a NumericDate (RFC 7519 §2, §4.1.4): verifiers reject or misread it; expand relative times to mint a number"),
            ));
        }
    }

    let alg_name = options.alg.name();
    if let Some(previous) = header.get("alg").filter(|a| a.as_str() != Some(alg_name)) {
        findings.push(Finding::info(
            FindingCode::HeaderAlgReplaced,
            format!("the header's \"alg\" {previous} was replaced by \"{alg_name}\", the algorithm actually used"),
        ));
    }
    let kid = match &options.kid {
        KidChoice::Set(kid) => Some(Value::String(kid.clone())),
        KidChoice::Omit => None,
        KidChoice::Default => header.get("kid").cloned().or_else(|| {
            let (key, _) = signing?;
            key.kid
                .clone()
                .or_else(|| key.thumbprint())
                .map(Value::String)
        }),
    };
    // Conventional order first (alg, typ, kid), then the rest as the user wrote it.
    let mut full = Map::new();
    full.insert("alg".into(), json!(alg_name));
    if options.default_typ && !header.contains_key("typ") {
        full.insert("typ".into(), json!("JWT"));
    }
    if let Some(kid) = &kid {
        full.insert("kid".into(), kid.clone());
    }
    for (name, value) in header {
        if name != "alg" && name != "kid" {
            full.insert(name, value);
        }
    }

    let header_b64 = b64_json(&full)?;
    let payload_b64 = b64_json(&payload)?;
    let signature = match signing {
        Some((key, alg)) => sign_segments(&header_b64, &payload_b64, key, alg)?,
        None => String::new(),
    };
    Ok(EncodedToken {
        token: format!("{header_b64}.{payload_b64}.{signature}"),
        header: Value::Object(full),
        payload: Value::Object(payload),
        alg: alg_name.to_owned(),
        kid: kid.and_then(|k| k.as_str().map(str::to_owned)),
        unsecured: signing.is_none(),
        findings,
    })
}

/// Signs already-encoded segments and returns the base64url signature. The signing input is
/// `header_b64 '.' payload_b64` byte for byte (RFC 7515 §5.1), so exact original segments
/// (whitespace, CRLFs, member order) can be re-signed.
pub fn sign_segments(
    header_b64: &str,
    payload_b64: &str,
    key: &SigningKey,
    alg: JwsAlg,
) -> Result<String, EncodeError> {
    check_key(key, alg, &mut Vec::new())?;
    let message = format!("{header_b64}.{payload_b64}");
    let signature = key
        .sign_raw(alg, message.as_bytes())
        .map_err(|e| EncodeError::Signing(e.to_string()))?;
    Ok(b64::encode(signature))
}

fn b64_json(map: &Map<String, Value>) -> Result<String, EncodeError> {
    let bytes = serde_json::to_vec(map).map_err(|e| EncodeError::Signing(e.to_string()))?;
    Ok(b64::encode(bytes))
}

/// Checks that `key` can sign `alg`, noting weak keys as findings.
fn check_key(
    key: &SigningKey,
    alg: JwsAlg,
    findings: &mut Vec<Finding>,
) -> Result<(), EncodeError> {
    if !key.fits(alg) {
        return Err(EncodeError::KeyMismatch {
            alg,
            needs: needs(alg),
            key: key.describe(),
        });
    }
    if let Some(key_alg) = key.alg.as_deref().filter(|a| *a != alg.name()) {
        return Err(EncodeError::KeyAlgRestricted {
            alg,
            key_alg: key_alg.to_owned(),
        });
    }
    let bits = key.size_bits();
    match alg.family() {
        KeyFamily::Hmac if bits == 0 => {
            return Err(KeyError::invalid("the secret is empty").into());
        }
        // The rule verification's key-strength check applies (RFC 7518 §3.2, §3.3, §3.5):
        // a token signed with such a key fails it.
        family => {
            if let Some(reason) = alg.weak_key_reason(bits) {
                let (code, risk) = if family == KeyFamily::Hmac {
                    (
                        FindingCode::WeakSecret,
                        "short secrets can be brute-forced offline",
                    )
                } else {
                    (FindingCode::WeakKey, "keys this small can be factored")
                };
                findings.push(Finding::warning(
                    code,
                    format!("{reason}: {risk}, and verifiers fail the token's key-strength check"),
                ));
            }
        }
    }
    Ok(())
}

fn needs(alg: JwsAlg) -> &'static str {
    match alg.family() {
        KeyFamily::Hmac => "a shared secret",
        KeyFamily::Rsa => "an RSA key",
        KeyFamily::Ec(EcCurve::P256) => "a P-256 EC key",
        KeyFamily::Ec(EcCurve::P384) => "a P-384 EC key",
        KeyFamily::Ec(EcCurve::P521) => "a P-521 EC key",
        KeyFamily::Okp => "an Ed25519 (OKP) key",
    }
}

/// NumericDate claims whose string values [`expand_relative_times`] rewrites.
pub const TIME_CLAIMS: [&str; 4] = ["iat", "nbf", "exp", "auth_time"];

/// Parses a time relative to `now` into Unix seconds.
///
/// Grammar: `now`, an offset `+N<unit>` / `-N<unit>`, or both (`now+15m`), where `N` is a
/// decimal integer and `<unit>` is `s` (seconds), `m` (minutes), `h` (hours), `d` (days of
/// 86 400 s) or `w` (weeks). Bare digits are an absolute Unix time. Spaces are not allowed.
pub fn parse_relative_time(text: &str, now: i64) -> Result<i64, RelativeTimeError> {
    let out_of_range = || RelativeTimeError::OutOfRange(text.to_owned());
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse::<i64>().map_err(|_| out_of_range());
    }
    let rest = text.strip_prefix("now").unwrap_or(text);
    if rest.is_empty() {
        return if text.is_empty() {
            Err(RelativeTimeError::Empty)
        } else {
            Ok(now)
        };
    }
    let (sign, rest) = match rest.as_bytes()[0] {
        b'+' => (1i64, &rest[1..]),
        b'-' => (-1i64, &rest[1..]),
        _ => return Err(RelativeTimeError::NotRelative(text.to_owned())),
    };
    let Some(unit) = rest.chars().last() else {
        return Err(RelativeTimeError::NoAmount(text.to_owned()));
    };
    let scale: i64 = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        'w' => 7 * 86_400,
        _ => return Err(RelativeTimeError::NoUnit(text.to_owned())),
    };
    let digits = &rest[..rest.len() - 1];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(RelativeTimeError::NotRelative(text.to_owned()));
    }
    digits
        .parse::<i64>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .and_then(|offset| now.checked_add(sign * offset))
        .ok_or_else(out_of_range)
}

/// The grammar [`parse_relative_time`] accepts, as its errors state it.
const RELATIVE_TIME_GRAMMAR: &str =
    "expected now, +N or -N followed by s, m, h, d or w (e.g. +15m, -1h, now+2d), or Unix seconds";

/// Why a time is not in the [`parse_relative_time`] grammar; each names the text as written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RelativeTimeError {
    #[error("empty time; {grammar}", grammar = RELATIVE_TIME_GRAMMAR)]
    Empty,
    #[error("\"{0}\" is not a relative time; {grammar}", grammar = RELATIVE_TIME_GRAMMAR)]
    NotRelative(String),
    #[error("\"{0}\" has no amount; {grammar}", grammar = RELATIVE_TIME_GRAMMAR)]
    NoAmount(String),
    #[error("\"{0}\" has no unit; {grammar}", grammar = RELATIVE_TIME_GRAMMAR)]
    NoUnit(String),
    /// The time does not fit a signed 64-bit count of seconds.
    #[error("\"{0}\" is out of range")]
    OutOfRange(String),
}

impl ErrorCode for RelativeTimeError {
    fn code(&self) -> &'static str {
        "encode.invalid_time"
    }
}

/// Replaces string values of `iat`, `nbf`, `exp` and `auth_time` by the Unix time they denote
/// (see [`parse_relative_time`]). Numbers are left alone.
pub fn expand_relative_times(
    payload: &mut Map<String, Value>,
    now: i64,
) -> Result<(), EncodeError> {
    for claim in TIME_CLAIMS {
        if let Some(Value::String(text)) = payload.get(claim) {
            let at = parse_relative_time(text, now).map_err(|reason| EncodeError::InvalidTime {
                claim: claim.to_owned(),
                reason,
            })?;
            payload.insert(claim.to_owned(), json!(at));
        }
    }
    Ok(())
}

/// A random `jti` (RFC 7519 §4.1.7): 128 bits from the OS RNG, base64url (22 characters).
pub fn random_jti() -> String {
    let mut bytes = [0u8; 16];
    rand_core::OsRng.fill_bytes(&mut bytes);
    b64::encode(bytes)
}

/// The standard claims the Encode view offers as helpers. Set values replace the payload's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct ClaimHelpers {
    pub iss: Option<String>,
    pub sub: Option<String>,
    /// One audience is written as a string, several as an array (RFC 7519 §4.1.3).
    pub aud: Vec<String>,
    /// Times in the [`parse_relative_time`] grammar: `now`, `+15m`, `-1h`, …
    pub iat: Option<String>,
    pub nbf: Option<String>,
    pub exp: Option<String>,
    /// Add a fresh random `jti`.
    pub jti: bool,
}

/// Writes the chosen standard claims into `payload`.
pub fn apply_claim_helpers(
    payload: &mut Map<String, Value>,
    helpers: &ClaimHelpers,
    now: i64,
) -> Result<(), EncodeError> {
    if let Some(iss) = &helpers.iss {
        payload.insert("iss".into(), json!(iss));
    }
    if let Some(sub) = &helpers.sub {
        payload.insert("sub".into(), json!(sub));
    }
    match helpers.aud.as_slice() {
        [] => {}
        [one] => {
            payload.insert("aud".into(), json!(one));
        }
        many => {
            payload.insert("aud".into(), json!(many));
        }
    }
    for (claim, spec) in [
        ("iat", &helpers.iat),
        ("nbf", &helpers.nbf),
        ("exp", &helpers.exp),
    ] {
        if let Some(spec) = spec {
            let at = parse_relative_time(spec, now).map_err(|reason| EncodeError::InvalidTime {
                claim: claim.to_owned(),
                reason,
            })?;
            payload.insert(claim.into(), json!(at));
        }
    }
    if helpers.jti {
        payload.insert("jti".into(), json!(random_jti()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_700_000_000;

    #[test]
    fn relative_time_grammar() {
        assert_eq!(parse_relative_time("now", NOW), Ok(NOW));
        assert_eq!(parse_relative_time("+15m", NOW), Ok(NOW + 900));
        assert_eq!(parse_relative_time("-1h", NOW), Ok(NOW - 3600));
        assert_eq!(parse_relative_time("+2d", NOW), Ok(NOW + 172_800));
        assert_eq!(parse_relative_time("now+1w", NOW), Ok(NOW + 604_800));
        assert_eq!(parse_relative_time("+30s", NOW), Ok(NOW + 30));
        assert_eq!(parse_relative_time("1600000000", NOW), Ok(1_600_000_000));
        for bad in [
            "", "+", "15m", "+15", "+15y", "+-1m", "+1.5h", "now +1m", "tomorrow",
        ] {
            assert!(parse_relative_time(bad, NOW).is_err(), "{bad:?} accepted");
        }
        assert_eq!(
            parse_relative_time("+99999999999999999w", NOW),
            Err(RelativeTimeError::OutOfRange("+99999999999999999w".into()))
        );
        assert_eq!(
            parse_relative_time("+15y", NOW).unwrap_err().to_string(),
            "\"+15y\" has no unit; expected now, +N or -N followed by s, m, h, d or w (e.g. +15m, -1h, now+2d), or Unix seconds"
        );
        assert_eq!(
            parse_relative_time("", NOW).unwrap_err().to_string(),
            "empty time; expected now, +N or -N followed by s, m, h, d or w (e.g. +15m, -1h, now+2d), or Unix seconds"
        );
    }

    #[test]
    fn json_errors_name_line_and_column() {
        let err = parse_json_object("{\n  \"a\": 1,\n  oops\n}", JsonPart::Payload).unwrap_err();
        let EncodeError::InvalidJson { line, column, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!((*line, *column), (3, 3));
        assert!(
            err.to_string()
                .starts_with("the payload is not valid JSON at line 3, column 3: "),
            "{err}"
        );
        let err = parse_json_object("[1]", JsonPart::Header).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the header must be a JSON object, not an array"
        );
        assert_eq!(err.code(), "encode.not_an_object");
    }

    #[test]
    fn signing_with_a_key_source_reads_it_unless_the_token_is_unsecured() {
        use crate::jwk::{generate_key_pair, GenerateOptions, KeySpec};
        let source = |value: Value| serde_json::from_value::<SigningKeySource>(value).ok();
        let held = GeneratedKeys::default();
        let pair = generate_key_pair(KeySpec::Ed25519, &GenerateOptions::default()).unwrap();
        let thumbprint = pair.public().thumbprint.clone();
        let handle = held.insert(pair);
        let sign = |key, alg| {
            let options = EncodeOptions::new(EncodeAlg::parse(alg).unwrap(), NOW);
            sign_with_key_source(Map::new(), Map::new(), key, &held, &options)
        };

        let encoded = sign(
            source(json!({"kind": "generated", "value": handle})),
            "EdDSA",
        );
        assert_eq!(encoded.unwrap().kid, Some(thumbprint));
        let secret = json!({"kind": "secret", "value": "a-string-secret-at-least-256-bits-long"});
        assert!(sign(source(secret.clone()), "HS256")
            .unwrap()
            .findings
            .is_empty());

        let unread = json!({"kind": "private_key", "value": "not a key"});
        let error = sign(source(unread.clone()), "ES256").unwrap_err();
        assert!(matches!(error, EncodeError::KeySource(_)), "{error:?}");
        assert_eq!(error.code(), "key.unreadable");
        assert!(sign(source(unread), "none").unwrap().unsecured);
        let gone = sign(
            source(json!({"kind": "generated", "value": "key-9"})),
            "EdDSA",
        );
        assert_eq!(gone.unwrap_err().code(), "encode.unknown_key");
        assert_eq!(
            sign(None, "HS256").unwrap_err().code(),
            "encode.missing_key"
        );
        assert_eq!(
            sign(source(secret), "RS256").unwrap_err().code(),
            "encode.key_mismatch"
        );
    }

    #[test]
    fn kid_choice_deserialises_from_the_encode_views_json() {
        let kid = |value: Value| serde_json::from_value::<KidChoice>(value).unwrap();
        assert_eq!(kid(json!({"kind": "default"})), KidChoice::Default);
        assert_eq!(kid(json!({"kind": "omit"})), KidChoice::Omit);
        assert_eq!(
            kid(json!({"kind": "set", "value": "k1"})),
            KidChoice::Set("k1".into())
        );
    }

    #[test]
    fn random_jti_is_128_bits_of_base64url() {
        let (a, b) = (random_jti(), random_jti());
        assert_eq!(a.len(), 22);
        assert_ne!(a, b);
        assert_eq!(b64::decode(&a).unwrap().len(), 16);
    }
}
