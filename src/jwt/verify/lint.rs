//! Security findings beside the checks (RFC 8725 best current practices and common mistakes).

use serde_json::Value;

use super::VerifyOptions;
use crate::jose::alg::JwsAlg;
use crate::jose::timefmt::human_duration;
use crate::jwk::{KeyMaterial, VerificationKey};
use crate::jwt::decode::{numeric_date, DecodedToken};
use crate::jwt::findings::{Finding, FindingCode};

/// `keys`: the key that verified the signature, or else every key that was a candidate.
pub(super) fn findings(
    token: &DecodedToken,
    keys: &[&VerificationKey],
    options: &VerifyOptions,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let alg = token
        .header
        .get("alg")
        .and_then(Value::as_str)
        .and_then(JwsAlg::parse);
    for key in keys {
        key_strength(&key.material, alg, &mut out);
    }
    out.dedup();
    if let Some(payload) = &token.payload {
        lifetime(payload, options, &mut out);
        sensitive_claims(payload, &mut out);
    }
    kid_metacharacters(&token.header, &mut out);
    remote_key_urls(token, options, &mut out);
    out
}

fn key_strength(material: &KeyMaterial, alg: Option<JwsAlg>, out: &mut Vec<Finding>) {
    let bits = material.size_bits();
    match material {
        KeyMaterial::Hmac(_) => {
            // RFC 7518 §3.2: the key must be at least as long as the hash output.
            let needed = alg.map_or(256, JwsAlg::hash_bits);
            if bits < needed {
                out.push(Finding::warning(
                    FindingCode::WeakHmacSecret,
                    format!("the HMAC secret is {bits} bits; {} needs at least {needed} bits of random key (RFC 7518 §3.2). Short secrets can be brute-forced offline from any token", alg.map_or("HS256", JwsAlg::name)),
                ));
            }
        }
        KeyMaterial::Rsa { .. } if bits < 2048 => out.push(Finding::error(
            FindingCode::WeakRsaKey,
            format!("the RSA key is {bits} bits; at least 2048 are required (RFC 7518 §3.3)"),
        )),
        _ => {}
    }
}

fn lifetime(payload: &Value, options: &VerifyOptions, out: &mut Vec<Finding>) {
    let (Some(iat), Some(exp)) = (
        payload.get("iat").and_then(numeric_date),
        payload.get("exp").and_then(numeric_date),
    ) else {
        return;
    };
    let life = exp.saturating_sub(iat);
    if life > options.max_lifetime {
        out.push(Finding::warning(
            FindingCode::LongLifetime,
            format!("the token lives {} (exp − iat), more than the {} threshold: a stolen copy stays useful that long", human_duration(life.unsigned_abs()), human_duration(options.max_lifetime.unsigned_abs())),
        ));
    }
}

const SENSITIVE_NAMES: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "secret",
    "ssn",
    "social_security",
    "credit_card",
    "creditcard",
    "card_number",
    "cardnumber",
    "cvv",
    "cvc",
    "private_key",
    "api_key",
    "apikey",
];

fn sensitive_claims(payload: &Value, out: &mut Vec<Finding>) {
    let Some(map) = payload.as_object() else {
        return;
    };
    for (name, value) in map {
        let lower = name.to_ascii_lowercase();
        if SENSITIVE_NAMES.iter().any(|s| lower.contains(s)) && !lower.ends_with("_hash") {
            out.push(Finding::warning(
                FindingCode::SensitiveClaim,
                format!("claim \"{name}\" looks sensitive: JWT payloads are only base64url-encoded, readable by anyone holding the token (RFC 8725 §3.6)"),
            ));
        } else if let Some(s) = value.as_str() {
            if looks_like_card_number(s) || looks_like_ssn(s) {
                out.push(Finding::warning(
                    FindingCode::SensitiveClaim,
                    format!("claim \"{name}\" holds what looks like a card or social security number; payloads are readable by anyone holding the token"),
                ));
            }
        }
    }
}

/// 13–19 digits (spaces and dashes allowed) passing the Luhn check.
fn looks_like_card_number(s: &str) -> bool {
    if !s
        .chars()
        .all(|c| c.is_ascii_digit() || c == ' ' || c == '-')
    {
        return false;
    }
    let digits: Vec<u32> = s.chars().filter_map(|c| c.to_digit(10)).collect();
    if !(13..=19).contains(&digits.len()) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                *d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// `ddd-dd-dddd`.
fn looks_like_ssn(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 11
        && b.iter().enumerate().all(|(i, c)| {
            if i == 3 || i == 6 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

fn kid_metacharacters(header: &Value, out: &mut Vec<Finding>) {
    let Some(kid) = header.get("kid").and_then(Value::as_str) else {
        return;
    };
    const BAD: &[&str] = &[
        "../", "..\\", "/", "\\", "'", "\"", ";", "--", "|", "`", "$(", "\0", "%00",
    ];
    if let Some(bad) = BAD.iter().find(|b| kid.contains(*b)) {
        out.push(Finding::warning(
            FindingCode::KidInjection,
            format!("kid contains {:?}: a server that uses kid in a file path or SQL query could be tricked into using a key the attacker chose (RFC 8725 §3.10)", bad),
        ));
    }
}

/// The host as the WHATWG URL parser sees it, which is what an HTTP client connects to:
/// `https://evil.test\@issuer.example/` is host `evil.test` (a backslash ends the authority in
/// special schemes), however a hand-written split would read it.
fn host_of(url: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()?
        .host_str()
        .map(str::to_ascii_lowercase)
}

fn remote_key_urls(token: &DecodedToken, options: &VerifyOptions, out: &mut Vec<Finding>) {
    let issuer = options.issuer.clone().or_else(|| {
        token
            .payload
            .as_ref()
            .and_then(|p| p.get("iss"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    });
    let issuer_host = issuer.as_deref().and_then(host_of);
    for (param, code) in [
        ("jku", FindingCode::JkuOffIssuer),
        ("x5u", FindingCode::X5uOffIssuer),
    ] {
        let Some(url) = token.header.get(param).and_then(Value::as_str) else {
            continue;
        };
        let off = match (host_of(url), &issuer_host) {
            (Some(h), Some(i)) => &h != i,
            _ => true,
        };
        if off {
            out.push(Finding::warning(
                code,
                format!("{param} points at {url}, not the issuer's host{}: fetching keys from a URL the token names lets its author choose the key (RFC 8725 §3.10)", issuer_host.as_deref().map(|h| format!(" ({h})")).unwrap_or_default()),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_and_ssn_detection() {
        assert!(looks_like_card_number("4111 1111 1111 1111"));
        assert!(!looks_like_card_number("4111 1111 1111 1112"));
        assert!(!looks_like_card_number("1516239022"));
        assert!(looks_like_ssn("078-05-1120"));
        assert!(!looks_like_ssn("078-051-120"));
    }

    #[test]
    fn host_extraction() {
        assert_eq!(
            host_of("https://Login.Example.com:443/path").as_deref(),
            Some("login.example.com")
        );
        assert_eq!(
            host_of("https://u@evil.test/jwks").as_deref(),
            Some("evil.test")
        );
        assert_eq!(host_of("not a url"), None);
        assert_eq!(
            host_of("https://evil.test\\@issuer.example/jwks").as_deref(),
            Some("evil.test")
        );
        assert_eq!(host_of("https://[::1]:8443/jwks").as_deref(), Some("[::1]"));
    }
}
