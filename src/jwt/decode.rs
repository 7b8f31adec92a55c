//! Decoding compact JWS, unsecured JWT and compact JWE without verifying anything.

use serde::Serialize;
use serde_json::{Map, Value};

use super::claims::{claim_info, header_param_info};
use super::findings::{hidden_character_findings, token_findings, Finding, FindingCode};
use super::input::normalize_token;
use super::json::{parse_json_object, JsonProblem};
use crate::error::ErrorCode;
use crate::jose::b64;
use crate::jose::timefmt::{iso8601, relative_for_claim};

/// Largest accepted token, in bytes after normalisation (8 MiB). Real tokens are a few KiB; this
/// bound keeps a pasted log file from eating memory while still decoding a 4 MiB token quickly.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024 * 1024;

/// Deepest JSON nesting accepted in a header or payload. Deeper input is rejected before parsing,
/// so hostile tokens cannot exhaust the stack.
pub const MAX_JSON_DEPTH: usize = 64;

/// Which compact serialization a token uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum TokenFormat {
    /// JSON Web Signature, RFC 7515 compact form (three segments).
    Jws,
    /// JSON Web Encryption, RFC 7516 compact form (five segments).
    Jwe,
    /// Unsecured JWT, RFC 7519 §6: `alg` is `none` and the signature is empty.
    Unsecured,
}

/// The role of one dot-separated segment of a compact token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SegmentKind {
    Header,
    Payload,
    Signature,
    EncryptedKey,
    Iv,
    Ciphertext,
    Tag,
}

impl SegmentKind {
    /// Plain-language name used in error messages ("the payload").
    pub fn label(self) -> &'static str {
        match self {
            SegmentKind::Header => "header",
            SegmentKind::Payload => "payload",
            SegmentKind::Signature => "signature",
            SegmentKind::EncryptedKey => "encrypted key",
            SegmentKind::Iv => "initialization vector",
            SegmentKind::Ciphertext => "ciphertext",
            SegmentKind::Tag => "authentication tag",
        }
    }
}

const JWS_SEGMENTS: [SegmentKind; 3] = [
    SegmentKind::Header,
    SegmentKind::Payload,
    SegmentKind::Signature,
];
const JWE_SEGMENTS: [SegmentKind; 5] = [
    SegmentKind::Header,
    SegmentKind::EncryptedKey,
    SegmentKind::Iv,
    SegmentKind::Ciphertext,
    SegmentKind::Tag,
];

/// One segment of the normalised token, for colour-coded display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Segment {
    pub kind: SegmentKind,
    pub text: String,
}

/// A NumericDate claim rendered for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ClaimTime {
    /// Seconds since the Unix epoch, as in the token (fractions truncated).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub unix: i64,
    /// ISO-8601 in UTC, e.g. `2026-11-22T05:00:00Z`.
    pub iso8601: String,
    /// Relative to the decode time, e.g. "expires in 14 min" or "expired 3 h ago".
    pub relative: String,
}

/// One header parameter or payload claim with its plain-language meaning.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Claim {
    pub name: String,
    pub value: Value,
    /// What the claim means; for unregistered names, says so.
    pub description: String,
    /// Where it is defined, e.g. "RFC 7519 §4.1.4"; null for private claims.
    pub spec: Option<String>,
    /// Present for NumericDate claims (`exp`, `iat`, `nbf`, `auth_time`, `updated_at`) holding a number.
    pub time: Option<ClaimTime>,
}

/// Everything that can be read from a token without a key. Nothing here is verified.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DecodedToken {
    pub format: TokenFormat,
    /// The protected header, key order as in the token.
    pub header: Value,
    /// The claims set, key order as in the token; null for JWE (encrypted) and for a JWS whose
    /// payload is not a JSON object.
    pub payload: Option<Value>,
    /// A JWS payload that is not a JSON object (RFC 7515 allows any bytes), as UTF-8 text.
    pub payload_text: Option<String>,
    /// The signature as base64url text; null when there is none (JWE, unsecured JWT).
    pub signature: Option<String>,
    /// Payload claims in token order, each with its description.
    pub claims: Vec<Claim>,
    /// Header parameters in token order, each with its description.
    pub header_params: Vec<Claim>,
    pub findings: Vec<Finding>,
    /// The normalised token split into its segments.
    pub segments: Vec<Segment>,
    /// The "now" (Unix seconds) that relative times were computed against.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub now: i64,
}

/// Where in the input a decoding error sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ErrorLocation {
    pub segment: Option<SegmentKind>,
    /// Character offset inside the segment (0-based).
    pub position: Option<u32>,
    /// Character offset inside the normalised token (0-based).
    pub offset: Option<u32>,
}

/// Why a token could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("no token given: the input is empty")]
    Empty,
    #[error("the token is {size} bytes; the limit is {limit} bytes")]
    TooLarge { size: usize, limit: usize },
    #[error(
        "wrong number of segments: found {found}, expected 3 (JWS) or 5 (JWE) separated by '.'"
    )]
    SegmentCount { found: usize },
    #[error("the {} segment is empty", segment.label())]
    EmptySegment { segment: SegmentKind, offset: usize },
    #[error("invalid base64url in the {} at position {position}: {reason}", segment.label())]
    Base64 {
        segment: SegmentKind,
        position: usize,
        offset: usize,
        reason: String,
    },
    #[error("the {} is not valid UTF-8 after base64url decoding", segment.label())]
    Utf8 { segment: SegmentKind, offset: usize },
    #[error("the {} is not valid JSON: {reason}", segment.label())]
    Json {
        segment: SegmentKind,
        offset: usize,
        reason: String,
    },
    #[error("the {} is JSON but not a JSON object (found {found})", segment.label())]
    NotAnObject {
        segment: SegmentKind,
        offset: usize,
        found: &'static str,
    },
    #[error("the {} nests JSON deeper than {limit} levels", segment.label())]
    TooDeep {
        segment: SegmentKind,
        offset: usize,
        limit: usize,
    },
}

impl ErrorCode for DecodeError {
    fn code(&self) -> &'static str {
        match self {
            DecodeError::Empty => "jwt.empty",
            DecodeError::TooLarge { .. } => "jwt.too_large",
            DecodeError::SegmentCount { .. } => "jwt.segment_count",
            DecodeError::EmptySegment { .. } => "jwt.empty_segment",
            DecodeError::Base64 { .. } => "jwt.invalid_base64url",
            DecodeError::Utf8 { .. } => "jwt.invalid_utf8",
            DecodeError::Json { .. } => "jwt.invalid_json",
            DecodeError::NotAnObject { .. } => "jwt.not_an_object",
            DecodeError::TooDeep { .. } => "jwt.too_deep",
        }
    }
}

impl DecodeError {
    /// The segment and offsets the error points at, for inline display.
    pub fn location(&self) -> Option<ErrorLocation> {
        let at = |segment: SegmentKind, position: Option<usize>, offset: usize| ErrorLocation {
            segment: Some(segment),
            position: position.map(saturate),
            offset: Some(saturate(offset + position.unwrap_or(0))),
        };
        match *self {
            DecodeError::Empty
            | DecodeError::TooLarge { .. }
            | DecodeError::SegmentCount { .. } => None,
            DecodeError::Base64 {
                segment,
                position,
                offset,
                ..
            } => Some(at(segment, Some(position), offset)),
            DecodeError::EmptySegment { segment, offset }
            | DecodeError::Utf8 { segment, offset }
            | DecodeError::Json {
                segment, offset, ..
            }
            | DecodeError::NotAnObject {
                segment, offset, ..
            }
            | DecodeError::TooDeep {
                segment, offset, ..
            } => Some(at(segment, None, offset)),
        }
    }
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A segment of the input with its byte offset in the normalised token.
struct RawSegment<'a> {
    kind: SegmentKind,
    text: &'a str,
    offset: usize,
}

/// Decodes a token without checking its signature. `now` (Unix seconds) is used only for
/// relative times and the `expired` / `not-yet-valid` findings.
///
/// Accepts surrounding whitespace and quotes, a `Bearer ` prefix and a whole
/// `Authorization: Bearer …` header line (see [`normalize_token`]).
pub fn decode_unverified(input: &str, now: i64) -> Result<DecodedToken, DecodeError> {
    let token = normalize_token(input);
    if token.is_empty() {
        return Err(DecodeError::Empty);
    }
    if token.len() > MAX_TOKEN_BYTES {
        return Err(DecodeError::TooLarge {
            size: token.len(),
            limit: MAX_TOKEN_BYTES,
        });
    }
    let parts = split_segments(token)?;
    let header_seg = &parts[0];
    if header_seg.text.is_empty() {
        return Err(DecodeError::EmptySegment {
            segment: SegmentKind::Header,
            offset: 0,
        });
    }
    let (header, header_duplicates) = decode_json_object(header_seg)?;

    let segments = parts
        .iter()
        .map(|p| Segment {
            kind: p.kind,
            text: p.text.to_owned(),
        })
        .collect();
    let header_params = header
        .iter()
        .map(|(k, v)| describe(k, v, now, header_param_info))
        .collect();

    if parts.len() == 5 {
        // RFC 7516 §7.1: every JWE segment is base64url, even where empty (e.g. `dir`).
        for part in &parts[1..] {
            decode_base64url(part)?;
        }
        let header = Value::Object(header);
        let mut findings = token_findings(TokenFormat::Jwe, &header, None, now);
        findings.extend(duplicate_finding(SegmentKind::Header, &header_duplicates));
        findings.extend(hidden_character_findings(&header, None, None));
        return Ok(DecodedToken {
            format: TokenFormat::Jwe,
            header,
            payload: None,
            payload_text: None,
            signature: None,
            claims: Vec::new(),
            header_params,
            findings,
            segments,
            now,
        });
    }

    let payload_seg = &parts[1];
    if payload_seg.text.is_empty() {
        // RFC 7515 Appendix F: a detached payload leaves nothing to decode.
        return Err(DecodeError::EmptySegment {
            segment: SegmentKind::Payload,
            offset: payload_seg.offset,
        });
    }
    let payload = decode_payload(payload_seg)?;
    let signature_seg = &parts[2];
    decode_base64url(signature_seg)?;

    let is_none = header.get("alg").and_then(Value::as_str) == Some("none");
    let format = if is_none {
        TokenFormat::Unsecured
    } else {
        TokenFormat::Jws
    };
    let signature = (!signature_seg.text.is_empty()).then(|| signature_seg.text.to_owned());
    let header = Value::Object(header);
    let (claims, payload, payload_text, mut findings) = match payload {
        Payload::Claims { map, duplicates } => {
            let claims = map
                .iter()
                .map(|(k, v)| describe(k, v, now, claim_info))
                .collect();
            let payload = Value::Object(map);
            let mut findings = token_findings(format, &header, Some(&payload), now);
            findings.extend(duplicate_finding(SegmentKind::Payload, &duplicates));
            (claims, Some(payload), None, findings)
        }
        Payload::Other { text, reason } => {
            let mut findings = token_findings(format, &header, None, now);
            let looks_like_json = text
                .as_deref()
                .is_some_and(|t| t.trim_start().starts_with(['{', '[']));
            findings.push(not_a_claims_set(&header, &reason, looks_like_json));
            (Vec::new(), None, text, findings)
        }
    };
    findings.extend(duplicate_finding(SegmentKind::Header, &header_duplicates));
    if is_none && signature.is_some() {
        findings.push(Finding::warning(
            FindingCode::NoneWithSignature,
            "alg is \"none\" but the signature segment is not empty (RFC 7519 §6.1 requires it empty)",
        ));
    }
    findings.extend(hidden_character_findings(
        &header,
        payload.as_ref(),
        payload_text.as_deref(),
    ));
    Ok(DecodedToken {
        format,
        header,
        payload,
        payload_text,
        signature,
        claims,
        header_params,
        findings,
        segments,
        now,
    })
}

fn split_segments(token: &str) -> Result<Vec<RawSegment<'_>>, DecodeError> {
    let texts: Vec<&str> = token.split('.').collect();
    let kinds: &[SegmentKind] = match texts.len() {
        3 => &JWS_SEGMENTS,
        5 => &JWE_SEGMENTS,
        found => return Err(DecodeError::SegmentCount { found }),
    };
    let mut offset = 0;
    Ok(texts
        .into_iter()
        .zip(kinds)
        .map(|(text, &kind)| {
            let seg = RawSegment { kind, text, offset };
            offset += text.len() + 1;
            seg
        })
        .collect())
}

fn decode_base64url(seg: &RawSegment<'_>) -> Result<Vec<u8>, DecodeError> {
    b64::decode(seg.text).map_err(|e| {
        let (position, reason) = base64_problem(seg.text, &e);
        DecodeError::Base64 {
            segment: seg.kind,
            position,
            offset: seg.offset,
            reason,
        }
    })
}

fn base64_problem(text: &str, err: &base64::DecodeError) -> (usize, String) {
    use base64::DecodeError as E;
    let describe_byte = |b: u8| {
        let shown = if b.is_ascii_graphic() {
            format!("'{}'", b as char)
        } else {
            format!("byte 0x{b:02x}")
        };
        match b {
            b'+' | b'/' => format!(
                "unexpected {shown}; this looks like standard base64, but JWTs use base64url ('-' and '_', RFC 7515 §2)"
            ),
            b if b.is_ascii_whitespace() => format!("unexpected whitespace ({shown})"),
            _ => format!("unexpected {shown}"),
        }
    };
    match *err {
        E::InvalidByte(pos, byte) => (char_index(text, pos), describe_byte(byte)),
        E::InvalidLastSymbol(pos, byte) => (
            char_index(text, pos),
            format!("the last character '{}' has bits set that must be zero", byte as char),
        ),
        E::InvalidLength(len) => (
            char_index(text, len),
            format!("a length of {len} characters is impossible for base64url (length mod 4 = 1): the segment is truncated or has an extra character"),
        ),
        E::InvalidPadding => (char_index(text, text.find('=').unwrap_or(text.len())), "misplaced '=' padding".to_owned()),
    }
}

/// Converts a byte offset into a character offset (inputs can hold multi-byte characters).
fn char_index(text: &str, byte_pos: usize) -> usize {
    text.char_indices()
        .take_while(|(i, _)| *i < byte_pos)
        .count()
}

/// The segment's JSON object, and the pointers of any duplicate member names in it.
fn decode_json_object(
    seg: &RawSegment<'_>,
) -> Result<(Map<String, Value>, Vec<String>), DecodeError> {
    let bytes = decode_base64url(seg)?;
    let text = std::str::from_utf8(&bytes).map_err(|_| DecodeError::Utf8 {
        segment: seg.kind,
        offset: seg.offset,
    })?;
    parse_json_object(text, MAX_JSON_DEPTH).map_err(|problem| match problem {
        JsonProblem::TooDeep => DecodeError::TooDeep {
            segment: seg.kind,
            offset: seg.offset,
            limit: MAX_JSON_DEPTH,
        },
        JsonProblem::Syntax(reason) => DecodeError::Json {
            segment: seg.kind,
            offset: seg.offset,
            reason,
        },
        JsonProblem::NotAnObject(found) => DecodeError::NotAnObject {
            segment: seg.kind,
            offset: seg.offset,
            found,
        },
    })
}

/// One `duplicate-member` finding naming every repeated member of a segment, if any.
fn duplicate_finding(segment: SegmentKind, pointers: &[String]) -> Option<Finding> {
    if pointers.is_empty() {
        return None;
    }
    let mut names: Vec<&str> = Vec::new();
    for pointer in pointers {
        if !names.contains(&pointer.as_str()) {
            names.push(pointer);
        }
    }
    let rule = match segment {
        SegmentKind::Header => "RFC 7515 §4",
        _ => "RFC 7519 §4",
    };
    Some(Finding::warning(
        FindingCode::DuplicateMember,
        format!(
            "the {} repeats the member{} {}: Tokenscope shows the last value, as {rule} allows, \
             but parsers that keep the first one will read a different token; {rule} also lets \
             recipients reject it",
            segment.label(),
            if names.len() == 1 { "" } else { "s" },
            names.join(", ")
        ),
    ))
}

enum Payload {
    Claims {
        map: Map<String, Value>,
        duplicates: Vec<String>,
    },
    /// Valid base64url but not a JSON object: text when it is UTF-8.
    Other {
        text: Option<String>,
        reason: String,
    },
}

/// RFC 7515 lets a JWS carry any payload (Appendix A.4 signs the text "Payload"); only a JWT's
/// payload must be a JSON object. Depth is still bounded.
fn decode_payload(seg: &RawSegment<'_>) -> Result<Payload, DecodeError> {
    let bytes = decode_base64url(seg)?;
    let Ok(text) = String::from_utf8(bytes) else {
        return Ok(Payload::Other {
            text: None,
            reason: "it is binary, not UTF-8 text".to_owned(),
        });
    };
    Ok(match parse_json_object(&text, MAX_JSON_DEPTH) {
        Ok((map, duplicates)) => Payload::Claims { map, duplicates },
        Err(JsonProblem::TooDeep) => {
            return Err(DecodeError::TooDeep {
                segment: seg.kind,
                offset: seg.offset,
                limit: MAX_JSON_DEPTH,
            })
        }
        Err(JsonProblem::Syntax(reason)) => Payload::Other {
            text: Some(text),
            reason: format!("it is not JSON ({reason})"),
        },
        Err(JsonProblem::NotAnObject(found)) => Payload::Other {
            text: Some(text),
            reason: format!("it is JSON but {found}"),
        },
    })
}

/// Why a JWS payload is not a claims set: an error when the token says it is a JWT, or when the
/// payload was plainly meant as JSON (starts with `{` or `[`); otherwise RFC 7515 allows it.
fn not_a_claims_set(header: &Value, reason: &str, looks_like_json: bool) -> Finding {
    let typ = header.get("typ").and_then(Value::as_str).unwrap_or("");
    let claims_jwt = typ.eq_ignore_ascii_case("jwt") || typ.to_ascii_lowercase().ends_with("+jwt");
    let nested = header
        .get("cty")
        .and_then(Value::as_str)
        .is_some_and(|c| c.eq_ignore_ascii_case("jwt"));
    let message = if nested {
        format!("the payload is not a JSON object ({reason}); cty \"JWT\" says it is a nested token: decode the payload text as a token")
    } else {
        format!("the payload is not a JSON claims set: {reason}. This is a JWS, not a JWT (RFC 7519 §7.2)")
    };
    if (claims_jwt || looks_like_json) && !nested {
        Finding::error(FindingCode::PayloadNotJson, message)
    } else {
        Finding::info(FindingCode::PayloadNotJson, message)
    }
}

fn describe(
    name: &str,
    value: &Value,
    now: i64,
    catalog: fn(&str) -> Option<super::claims::ClaimInfo>,
) -> Claim {
    let info = catalog(name);
    let time = match (
        info.as_ref().is_some_and(|i| i.numeric_date),
        numeric_date(value),
    ) {
        (true, Some(unix)) => Some(ClaimTime {
            unix,
            iso8601: iso8601(unix),
            relative: relative_for_claim(name, unix, now),
        }),
        _ => None,
    };
    let (description, spec) = match info {
        Some(i) => (i.description.to_owned(), Some(i.spec.to_owned())),
        None => (
            "Not a registered name: an application-specific (private) claim, RFC 7519 §4.3"
                .to_owned(),
            None,
        ),
    };
    Claim {
        name: name.to_owned(),
        value: value.clone(),
        description,
        spec,
        time,
    }
}

/// A NumericDate (RFC 7519 §2) as whole seconds, if the value is a finite number in range.
pub(crate) fn numeric_date(value: &Value) -> Option<i64> {
    if let Some(i) = value.as_i64() {
        return Some(i);
    }
    let f = value.as_f64()?;
    // Outside this range `time` cannot format it anyway (years beyond ±9999).
    (f.is_finite() && f.abs() < 253_402_300_800.0).then(|| f.trunc() as i64)
}
