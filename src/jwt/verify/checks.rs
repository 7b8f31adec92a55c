//! Header and claim checks, numbered after RFC 7519 §7.2 and OpenID Connect Core §3.1.3.7.

use serde_json::Value;
use sha2::{Digest as _, Sha256, Sha384, Sha512};
use subtle::ConstantTimeEq as _;

use super::{check, Check, CheckName, CheckStatus, VerifyOptions};
use crate::jose::alg::JwsAlg;
use crate::jose::b64;
use crate::jose::timefmt::{human_duration, iso8601};
use crate::jwt::decode::{numeric_date, DecodedToken};

use CheckStatus::{Fail, Pass, Skipped};

/// Header parameters whose meaning Tokenscope implements; anything else in `crit` fails.
const UNDERSTOOD_CRITICAL: &[&str] = &[];

/// `crit` (RFC 7515 §4.1.11) and `typ` (reported, RFC 7515 §4.1.9 / RFC 9068 §2.1).
pub(super) fn header_checks(token: &DecodedToken) -> Vec<Check> {
    const CRIT: &str = "RFC 7515 §4.1.11";
    let crit = match token.header.get("crit") {
        None => check(CheckName::Crit, Pass, "no critical header extensions", CRIT),
        Some(Value::Array(items)) if !items.is_empty() => {
            let names: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
            let unknown: Vec<&str> = names
                .iter()
                .copied()
                .filter(|n| !UNDERSTOOD_CRITICAL.contains(n))
                .collect();
            if names.len() != items.len() {
                check(
                    CheckName::Crit,
                    Fail,
                    "\"crit\" must list header parameter names as strings",
                    CRIT,
                )
            } else if !unknown.is_empty() {
                check(
                    CheckName::Crit,
                    Fail,
                    format!(
                        "critical extension(s) not understood: {} — the token must be rejected",
                        unknown.join(", ")
                    ),
                    CRIT,
                )
            } else {
                check(
                    CheckName::Crit,
                    Pass,
                    "every critical extension is understood",
                    CRIT,
                )
            }
        }
        Some(_) => check(
            CheckName::Crit,
            Fail,
            "\"crit\" must be a non-empty array",
            CRIT,
        ),
    };
    let typ = match token.header.get("typ").and_then(Value::as_str) {
        None => check(CheckName::Typ, Skipped, "no typ header", "RFC 7515 §4.1.9"),
        Some(t) => {
            let meaning = match t.to_ascii_lowercase().as_str() {
                "jwt" => "a JWT",
                "at+jwt" | "application/at+jwt" => "an OAuth 2.0 access token (RFC 9068)",
                "dpop+jwt" => "a DPoP proof (RFC 9449)",
                "logout+jwt" => "a logout token",
                "secevent+jwt" => "a security event token (RFC 8417)",
                _ => "an application-defined type",
            };
            check(
                CheckName::Typ,
                Pass,
                format!("typ \"{t}\": {meaning}"),
                "RFC 7515 §4.1.9",
            )
        }
    };
    vec![crit, typ]
}

fn is_id_token(payload: Option<&Value>, options: &VerifyOptions) -> bool {
    options.id_token.unwrap_or_else(|| {
        options.nonce.is_some()
            || payload.is_some_and(|p| {
                ["nonce", "at_hash", "c_hash", "auth_time"]
                    .iter()
                    .any(|c| p.get(c).is_some())
            })
    })
}

pub(super) fn claim_checks(
    token: &DecodedToken,
    alg: Option<JwsAlg>,
    options: &VerifyOptions,
) -> Vec<Check> {
    let Some(payload) = token.payload.as_ref() else {
        return claims_set_missing(token, options);
    };
    let id_token = is_id_token(Some(payload), options);
    vec![
        exp(payload, options, id_token),
        nbf(payload, options),
        iat(payload, options, id_token),
        iss(payload, options),
        sub(payload, id_token),
        aud(payload, options),
        azp(payload, options, id_token),
        nonce(payload, options),
        token_hash(
            CheckName::AtHash,
            payload,
            alg,
            options.access_token.as_deref(),
            "access token",
            "OpenID Connect Core §3.1.3.8",
        ),
        token_hash(
            CheckName::CHash,
            payload,
            alg,
            options.code.as_deref(),
            "authorization code",
            "OpenID Connect Core §3.3.2.11",
        ),
    ]
}

/// The claim checks for a JWS whose payload is not a JSON claims set (RFC 7515 allows any
/// payload). A check the caller set an expectation for, or that `--id-token` makes mandatory
/// (OpenID Connect Core §2: `iss`, `sub`, `aud`, `exp`, `iat`), fails: there is nothing to
/// satisfy it with, and a skipped expectation must never add up to a valid token. The rest are
/// skipped.
fn claims_set_missing(token: &DecodedToken, o: &VerifyOptions) -> Vec<Check> {
    let what = if token.payload_text.is_some() {
        "no claims set: the payload is text"
    } else {
        "no claims set: the payload is neither a JSON object nor text"
    };
    use CheckName::*;
    let id_token = o.id_token == Some(true);
    let expected = |name: CheckName| match name {
        Iss => o.issuer.is_some() || id_token,
        Aud => !o.audiences.is_empty() || id_token,
        Sub | Exp | Iat => id_token,
        Nonce => o.nonce.is_some(),
        AtHash => o.access_token.is_some(),
        CHash => o.code.is_some(),
        _ => false,
    };
    let spec = |name: CheckName| match name {
        Exp => "RFC 7519 §4.1.4",
        Nbf => "RFC 7519 §4.1.5",
        Iat => "RFC 7519 §4.1.6",
        Iss => "OpenID Connect Core §3.1.3.7 step 2",
        Sub => "OpenID Connect Core §2",
        Aud => "RFC 7519 §4.1.3",
        Azp => "OpenID Connect Core §3.1.3.7 steps 4–5",
        Nonce => "OpenID Connect Core §3.1.3.7 step 11",
        AtHash => "OpenID Connect Core §3.1.3.8",
        CHash => "OpenID Connect Core §3.3.2.11",
        _ => "RFC 7519 §7.2",
    };
    [Exp, Nbf, Iat, Iss, Sub, Aud, Azp, Nonce, AtHash, CHash]
        .into_iter()
        .map(|name| {
            if expected(name) {
                let why = if id_token && !matches!(name, Nonce | AtHash | CHash) {
                    "an ID token must carry it"
                } else {
                    "an expectation was given for it"
                };
                check(name, Fail, format!("{what}, but {why}"), spec(name))
            } else {
                check(name, Skipped, format!("{what} (RFC 7519 §7.2)"), spec(name))
            }
        })
        .collect()
}

enum Date {
    Absent,
    Invalid,
    At(i64),
}

fn date(payload: &Value, name: &str) -> Date {
    match payload.get(name) {
        None => Date::Absent,
        Some(v) if v.is_number() => numeric_date(v).map_or(Date::Invalid, Date::At),
        Some(_) => Date::Invalid,
    }
}

fn exp(payload: &Value, o: &VerifyOptions, id_token: bool) -> Check {
    const SPEC: &str = "RFC 7519 §4.1.4";
    match date(payload, "exp") {
        Date::Absent if id_token => check(
            CheckName::Exp,
            Fail,
            "ID tokens must carry exp (OpenID Connect Core §2)",
            SPEC,
        ),
        Date::Absent => check(
            CheckName::Exp,
            Skipped,
            "no exp claim: the token never expires",
            SPEC,
        ),
        Date::Invalid => check(CheckName::Exp, Fail, "exp is not a NumericDate", SPEC),
        Date::At(exp) if o.now >= exp.saturating_add(o.leeway as i64) => check(
            CheckName::Exp,
            Fail,
            format!(
                "expired {} ago at {} (leeway {} s)",
                human_duration(o.now.abs_diff(exp)),
                iso8601(exp),
                o.leeway
            ),
            SPEC,
        ),
        Date::At(exp) if o.now >= exp => check(
            CheckName::Exp,
            Pass,
            format!(
                "expired {} ago, but within the {} s leeway",
                human_duration(o.now.abs_diff(exp)),
                o.leeway
            ),
            SPEC,
        ),
        Date::At(exp) => check(
            CheckName::Exp,
            Pass,
            format!(
                "expires in {} ({})",
                human_duration(exp.abs_diff(o.now)),
                iso8601(exp)
            ),
            SPEC,
        ),
    }
}

fn nbf(payload: &Value, o: &VerifyOptions) -> Check {
    const SPEC: &str = "RFC 7519 §4.1.5";
    match date(payload, "nbf") {
        Date::Absent => check(CheckName::Nbf, Skipped, "no nbf claim", SPEC),
        Date::Invalid => check(CheckName::Nbf, Fail, "nbf is not a NumericDate", SPEC),
        Date::At(nbf) if o.now.saturating_add(o.leeway as i64) < nbf => check(
            CheckName::Nbf,
            Fail,
            format!(
                "not valid for another {} (nbf {}, leeway {} s)",
                human_duration(nbf.abs_diff(o.now)),
                iso8601(nbf),
                o.leeway
            ),
            SPEC,
        ),
        Date::At(nbf) => check(
            CheckName::Nbf,
            Pass,
            format!("valid since {}", iso8601(nbf)),
            SPEC,
        ),
    }
}

fn iat(payload: &Value, o: &VerifyOptions, id_token: bool) -> Check {
    const SPEC: &str = "RFC 7519 §4.1.6";
    match date(payload, "iat") {
        Date::Absent if id_token => check(
            CheckName::Iat,
            Fail,
            "ID tokens must carry iat (OpenID Connect Core §2)",
            SPEC,
        ),
        Date::Absent => check(CheckName::Iat, Skipped, "no iat claim", SPEC),
        Date::Invalid => check(CheckName::Iat, Fail, "iat is not a NumericDate", SPEC),
        Date::At(iat) if iat > o.now.saturating_add(o.leeway as i64) => check(
            CheckName::Iat,
            Fail,
            format!(
                "issued {} in the future ({}, leeway {} s)",
                human_duration(iat.abs_diff(o.now)),
                iso8601(iat),
                o.leeway
            ),
            SPEC,
        ),
        Date::At(iat) => check(
            CheckName::Iat,
            Pass,
            format!(
                "issued {} ({})",
                crate::jose::timefmt::relative(iat, o.now),
                iso8601(iat)
            ),
            SPEC,
        ),
    }
}

fn iss(payload: &Value, o: &VerifyOptions) -> Check {
    const SPEC: &str = "OpenID Connect Core §3.1.3.7 step 2";
    let actual = payload.get("iss");
    match (&o.issuer, actual.and_then(Value::as_str)) {
        (None, Some(a)) => check(
            CheckName::Iss,
            Skipped,
            format!("not checked: no expected issuer given (the token says \"{a}\")"),
            SPEC,
        ),
        (None, None) => check(
            CheckName::Iss,
            Skipped,
            "not checked: no expected issuer given",
            SPEC,
        ),
        (Some(_), None) if actual.is_some() => {
            check(CheckName::Iss, Fail, "iss is not a string", SPEC)
        }
        (Some(e), None) => check(
            CheckName::Iss,
            Fail,
            format!("no iss claim; expected \"{e}\""),
            SPEC,
        ),
        (Some(e), Some(a)) if a == e => check(
            CheckName::Iss,
            Pass,
            format!("\"{a}\" is the expected issuer"),
            SPEC,
        ),
        (Some(e), Some(a)) => {
            let hint = if a.trim_end_matches('/') == e.trim_end_matches('/') {
                " (they differ only by a trailing slash; the comparison is exact)"
            } else {
                ""
            };
            check(
                CheckName::Iss,
                Fail,
                format!("iss is \"{a}\", expected \"{e}\"{hint}"),
                SPEC,
            )
        }
    }
}

fn sub(payload: &Value, id_token: bool) -> Check {
    const SPEC: &str = "OpenID Connect Core §2";
    match payload.get("sub") {
        Some(Value::String(s)) if !s.is_empty() => {
            check(CheckName::Sub, Pass, format!("subject \"{s}\""), SPEC)
        }
        Some(_) => check(
            CheckName::Sub,
            Fail,
            "sub must be a non-empty string (RFC 7519 §4.1.2)",
            SPEC,
        ),
        None if id_token => check(CheckName::Sub, Fail, "ID tokens must carry sub", SPEC),
        None => check(CheckName::Sub, Skipped, "no sub claim", SPEC),
    }
}

/// The `aud` claim as a list: a single string or an array (RFC 7519 §4.1.3).
fn audiences(payload: &Value) -> Option<Vec<&str>> {
    match payload.get("aud")? {
        Value::String(s) => Some(vec![s.as_str()]),
        Value::Array(items) => Some(items.iter().filter_map(Value::as_str).collect()),
        _ => Some(Vec::new()),
    }
}

fn aud(payload: &Value, o: &VerifyOptions) -> Check {
    const SPEC: &str = "RFC 7519 §4.1.3";
    let actual = audiences(payload);
    if o.audiences.is_empty() {
        let msg = match &actual {
            Some(a) => format!(
                "not checked: no expected audience given (the token is for {})",
                a.join(", ")
            ),
            None => "not checked: no expected audience given".to_owned(),
        };
        return check(CheckName::Aud, Skipped, msg, SPEC);
    }
    match actual {
        None => check(
            CheckName::Aud,
            Fail,
            format!("no aud claim; expected {}", o.audiences.join(" or ")),
            SPEC,
        ),
        Some(a) if a.iter().any(|x| o.audiences.iter().any(|e| e == x)) => check(
            CheckName::Aud,
            Pass,
            format!(
                "the audience includes {}",
                o.audiences
                    .iter()
                    .find(|e| a.contains(&e.as_str()))
                    .map_or("", |s| s.as_str())
            ),
            SPEC,
        ),
        Some(a) => check(
            CheckName::Aud,
            Fail,
            format!(
                "aud is [{}], expected {}",
                a.join(", "),
                o.audiences.join(" or ")
            ),
            SPEC,
        ),
    }
}

/// `azp` (OpenID Connect Core §3.1.3.7): with several audiences an `azp` should be present
/// (step 4), and a present `azp` should be the client's id (step 5). Both need the client's id,
/// which is the expected audience (`--aud`); without it nothing can be compared.
/// OIDC's azp rules are for ID tokens, whose expected audience is the client itself. An access
/// token's audience is the API, and its azp (Auth0, Keycloak) names the client: no mismatch there.
fn azp(payload: &Value, o: &VerifyOptions, id_token: bool) -> Check {
    const SPEC: &str = "OpenID Connect Core §3.1.3.7 steps 4–5";
    let audiences = audiences(payload).unwrap_or_default();
    let several = audiences.len() > 1;
    let expected = o.audiences.join(" or ");
    match payload.get("azp") {
        Some(Value::String(azp))
            if !id_token && !o.audiences.is_empty() && !o.audiences.iter().any(|a| a == azp) =>
        {
            check(
                CheckName::Azp,
                Skipped,
                format!("azp \"{azp}\" names the client; not compared with the expected audience {expected}, since this does not look like an ID token (--id-token checks it as one)"),
                SPEC,
            )
        }
        Some(Value::String(azp)) if o.audiences.is_empty() => check(
            CheckName::Azp,
            Skipped,
            format!("azp \"{azp}\" not checked: no expected client (--aud) given"),
            SPEC,
        ),
        Some(Value::String(azp)) if o.audiences.iter().any(|a| a == azp) => check(
            CheckName::Azp,
            Pass,
            format!("azp \"{azp}\" is the expected client"),
            SPEC,
        ),
        Some(Value::String(azp)) => check(
            CheckName::Azp,
            Fail,
            format!("azp is \"{azp}\", not the expected client {expected}"),
            SPEC,
        ),
        Some(_) => check(CheckName::Azp, Fail, "azp must be a string (the client id)", SPEC),
        None if several && o.audiences.is_empty() => check(
            CheckName::Azp,
            Skipped,
            format!(
                "the token has several audiences ({}) and no azp; not checked: no expected client (--aud) given",
                audiences.join(", ")
            ),
            SPEC,
        ),
        None if several && !id_token => check(
            CheckName::Azp,
            Skipped,
            format!(
                "the token has several audiences ({}) and no azp; only ID tokens need one (--id-token checks it as one)",
                audiences.join(", ")
            ),
            SPEC,
        ),
        None if several => check(
            CheckName::Azp,
            Fail,
            format!(
                "the token has several audiences ({}) but no azp naming the client it was issued to (expected {expected})",
                audiences.join(", ")
            ),
            SPEC,
        ),
        None => check(
            CheckName::Azp,
            Skipped,
            "no azp claim (not needed with a single audience)",
            SPEC,
        ),
    }
}

fn nonce(payload: &Value, o: &VerifyOptions) -> Check {
    const SPEC: &str = "OpenID Connect Core §3.1.3.7 step 11";
    let actual = payload.get("nonce").and_then(Value::as_str);
    match (&o.nonce, actual) {
        (None, Some(_)) => check(
            CheckName::Nonce,
            Skipped,
            "the token has a nonce, but no expected nonce was given",
            SPEC,
        ),
        (None, None) => check(
            CheckName::Nonce,
            Skipped,
            "not checked: no expected nonce given",
            SPEC,
        ),
        (Some(_), None) => check(
            CheckName::Nonce,
            Fail,
            "expected a nonce, but the token has none",
            SPEC,
        ),
        (Some(e), Some(a)) if bool::from(a.as_bytes().ct_eq(e.as_bytes())) => check(
            CheckName::Nonce,
            Pass,
            "the nonce matches the request",
            SPEC,
        ),
        (Some(_), Some(_)) => check(
            CheckName::Nonce,
            Fail,
            "the nonce does not match the one sent in the request (possible replay)",
            SPEC,
        ),
    }
}

/// `at_hash` / `c_hash`: base64url of the left half of the hash of the ASCII value, using the
/// hash of the token's `alg` (SHA-512 for EdDSA).
pub fn left_half_hash(alg: JwsAlg, value: &str) -> String {
    let digest: Vec<u8> = match alg.hash_bits() {
        256 => Sha256::digest(value.as_bytes()).to_vec(),
        384 => Sha384::digest(value.as_bytes()).to_vec(),
        _ => Sha512::digest(value.as_bytes()).to_vec(),
    };
    b64::encode(&digest[..digest.len() / 2])
}

fn token_hash(
    name: CheckName,
    payload: &Value,
    alg: Option<JwsAlg>,
    given: Option<&str>,
    what: &str,
    spec: &str,
) -> Check {
    let claim = payload.get(name.as_str()).and_then(Value::as_str);
    match (given, claim, alg) {
        (None, Some(_), _) => check(
            name,
            Skipped,
            format!("the token has {name}; give the {what} to check it"),
            spec,
        ),
        (None, None, _) => check(name, Skipped, format!("no {what} given"), spec),
        (Some(_), None, _) => check(
            name,
            Skipped,
            format!("the token has no {name} claim to compare"),
            spec,
        ),
        (Some(_), Some(_), None) => check(
            name,
            Fail,
            format!("cannot compute {name}: the token's alg is unknown"),
            spec,
        ),
        (Some(value), Some(claimed), Some(alg)) => {
            let expected = left_half_hash(alg, value);
            if expected == claimed {
                check(name, Pass, format!("{name} matches the {what}"), spec)
            } else {
                check(
                    name,
                    Fail,
                    format!("{name} is \"{claimed}\" but the {what} hashes to \"{expected}\""),
                    spec,
                )
            }
        }
    }
}
