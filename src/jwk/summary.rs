//! A readable summary of one JWK: type, algorithm, size or curve, RFC 7638 thumbprint, and what
//! its `x5c` certificate says. Shared by discovery's key cards and verification reports.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::Serialize;
use serde_json::Value;

use crate::jose::b64;
use crate::jose::timefmt::iso8601;

/// What one JWK is, in a form a person (or the UI) can read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct KeySummary {
    pub kty: Option<String>,
    pub alg: Option<String>,
    #[serde(rename = "use")]
    pub key_use: Option<String>,
    pub kid: Option<String>,
    /// RSA modulus length in bits (leading zero bytes ignored); for `oct`, the key length.
    pub size_bits: Option<u32>,
    /// `crv` for EC and OKP keys.
    pub curve: Option<String>,
    /// RFC 7638 JWK thumbprint (SHA-256, base64url); None when a required member is missing.
    pub thumbprint: Option<String>,
    /// The leaf certificate of `x5c`, when present.
    pub certificate: Option<CertificateSummary>,
    /// What could not be read (bad base64, unknown kty, …), one sentence each.
    pub problems: Vec<String>,
}

/// The leaf certificate of a JWK's `x5c` chain (RFC 7517 §4.7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CertificateSummary {
    pub subject: String,
    pub issuer: String,
    /// ISO-8601 UTC.
    pub not_before: String,
    pub not_after: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub not_before_unix: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub not_after_unix: i64,
    /// True when `not_after` is before "now".
    pub expired: bool,
    /// True when `not_before` is after "now".
    pub not_yet_valid: bool,
    /// Whether the certificate's public key is the JWK's key; None when it cannot be compared.
    pub matches_key: Option<bool>,
}

fn str_member(jwk: &Value, name: &str) -> Option<String> {
    jwk.get(name).and_then(Value::as_str).map(str::to_owned)
}

fn b64url(jwk: &Value, name: &str) -> Option<Vec<u8>> {
    let text = jwk.get(name)?.as_str()?;
    b64::decode(text).ok()
}

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[first..]
}

fn bit_length(bytes: &[u8]) -> u32 {
    let bytes = strip_leading_zeros(bytes);
    match bytes.first() {
        None => 0,
        Some(&b) => {
            let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX / 8);
            (len - 1) * 8 + (8 - b.leading_zeros())
        }
    }
}

/// The RFC 7638 thumbprint: SHA-256 over the required members only, in lexicographic order,
/// with no whitespace (§3.2), base64url without padding. None when a member is missing.
pub fn jwk_thumbprint(jwk: &Value) -> Option<String> {
    let kty = jwk.get("kty")?.as_str()?;
    // RFC 7638 §3.2 (RSA, EC, oct) and RFC 8037 §2 (OKP): already in lexicographic order.
    let members: &[&str] = match kty {
        "RSA" => &["e", "kty", "n"],
        "EC" => &["crv", "kty", "x", "y"],
        "oct" => &["k", "kty"],
        "OKP" => &["crv", "kty", "x"],
        _ => return None,
    };
    let mut parts = Vec::with_capacity(members.len());
    for m in members {
        let value = jwk.get(*m)?.as_str()?;
        let name = serde_json::to_string(m).ok()?;
        let value = serde_json::to_string(value).ok()?;
        parts.push(format!("{name}:{value}"));
    }
    let canonical = format!("{{{}}}", parts.join(","));
    // ring's SHA-256 (vector instructions) rather than sha2's portable one: a thumbprint is in
    // every verify report, so it is on the CLI's start-up path.
    let digest = ring::digest::digest(&ring::digest::SHA256, canonical.as_bytes());
    Some(b64::encode(digest.as_ref()))
}

impl KeySummary {
    /// Summarises `jwk`; `now` (Unix seconds) decides whether its certificate has expired.
    pub fn from_jwk(jwk: &Value, now: i64) -> KeySummary {
        let kty = str_member(jwk, "kty");
        let mut problems = Vec::new();
        let mut size_bits = None;
        let mut curve = None;
        match kty.as_deref() {
            Some("RSA") => match b64url(jwk, "n") {
                Some(n) => size_bits = Some(bit_length(&n)),
                None => problems.push(
                    "the RSA modulus \"n\" is missing or not base64url (RFC 7518 §6.3.1.1)".into(),
                ),
            },
            Some("EC") | Some("OKP") => {
                curve = str_member(jwk, "crv");
                if curve.is_none() {
                    problems.push("\"crv\" is missing (RFC 7518 §6.2.1.1, RFC 8037 §2)".into());
                }
            }
            Some("oct") => {
                size_bits =
                    b64url(jwk, "k").map(|k| u32::try_from(k.len() * 8).unwrap_or(u32::MAX));
            }
            Some(other) => problems.push(format!("unknown key type {other:?} (RFC 7518 §6.1)")),
            None => problems.push("\"kty\" is missing (RFC 7517 §4.1)".into()),
        }
        let certificate = match jwk.get("x5c") {
            None => None,
            Some(x5c) => match certificate_summary(jwk, x5c, now) {
                Ok(c) => Some(c),
                Err(e) => {
                    problems.push(e.to_string());
                    None
                }
            },
        };
        KeySummary {
            alg: str_member(jwk, "alg"),
            key_use: str_member(jwk, "use"),
            kid: str_member(jwk, "kid"),
            thumbprint: jwk_thumbprint(jwk),
            kty,
            size_bits,
            curve,
            certificate,
            problems,
        }
    }
}

/// Why a JWK's `x5c` certificate could not be read; a [`KeySummary`] problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateError {
    #[error("\"x5c\" is not a non-empty array of strings (RFC 7517 §4.7)")]
    NotAnArray,
    #[error("the first \"x5c\" certificate is not base64 ({0}) (RFC 7517 §4.7)")]
    NotBase64(String),
    #[error("the first \"x5c\" certificate is not a DER X.509 certificate ({0}) (RFC 7517 §4.7)")]
    NotDer(String),
}

fn certificate_summary(
    jwk: &Value,
    x5c: &Value,
    now: i64,
) -> Result<CertificateSummary, CertificateError> {
    // RFC 7517 §4.7: an array of base64 (not base64url) DER certificates, the key's own first.
    let first = x5c
        .as_array()
        .and_then(|a| a.first())
        .and_then(Value::as_str)
        .ok_or(CertificateError::NotAnArray)?;
    let der = STANDARD
        .decode(first.trim())
        .map_err(|e| CertificateError::NotBase64(e.to_string()))?;
    let (_, cert) = x509_parser::parse_x509_certificate(&der)
        .map_err(|e| CertificateError::NotDer(e.to_string()))?;
    let not_before_unix = cert.validity().not_before.timestamp();
    let not_after_unix = cert.validity().not_after.timestamp();
    Ok(CertificateSummary {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        not_before: iso8601(not_before_unix),
        not_after: iso8601(not_after_unix),
        not_before_unix,
        not_after_unix,
        expired: not_after_unix < now,
        not_yet_valid: not_before_unix > now,
        matches_key: certificate_matches(jwk, cert.public_key()),
    })
}

fn certificate_matches(
    jwk: &Value,
    spki: &x509_parser::x509::SubjectPublicKeyInfo,
) -> Option<bool> {
    use x509_parser::public_key::PublicKey;
    match jwk.get("kty")?.as_str()? {
        "RSA" => {
            let n = b64url(jwk, "n")?;
            let e = b64url(jwk, "e")?;
            match spki.parsed().ok()? {
                PublicKey::RSA(rsa) => Some(
                    strip_leading_zeros(rsa.modulus) == strip_leading_zeros(&n)
                        && strip_leading_zeros(rsa.exponent) == strip_leading_zeros(&e),
                ),
                _ => Some(false),
            }
        }
        "EC" => {
            let mut point = vec![0x04];
            point.extend(b64url(jwk, "x")?);
            point.extend(b64url(jwk, "y")?);
            match spki.parsed().ok()? {
                PublicKey::EC(ec) => Some(ec.data() == point.as_slice()),
                _ => Some(false),
            }
        }
        // RFC 8410: Ed25519/Ed448 keys are the raw bytes of the subjectPublicKey BIT STRING.
        "OKP" => Some(spki.subject_public_key.data.as_ref() == b64url(jwk, "x")?.as_slice()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rfc7638_key() -> Value {
        // RFC 7638 §3.1.
        json!({
            "kty": "RSA",
            "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
            "e": "AQAB",
            "alg": "RS256",
            "kid": "2011-04-29"
        })
    }

    #[test]
    fn rfc7638_example_thumbprint() {
        assert_eq!(
            jwk_thumbprint(&rfc7638_key()).as_deref(),
            Some("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")
        );
    }

    #[test]
    fn rsa_summary_has_size_and_thumbprint() {
        let s = KeySummary::from_jwk(&rfc7638_key(), 0);
        assert_eq!(s.size_bits, Some(2048));
        assert_eq!(s.kid.as_deref(), Some("2011-04-29"));
        assert!(s.problems.is_empty());
    }

    #[test]
    fn unreadable_certificates_are_problems_that_say_why() {
        let mut jwk = rfc7638_key();
        jwk["x5c"] = json!("MIIB");
        assert_eq!(
            KeySummary::from_jwk(&jwk, 0).problems,
            ["\"x5c\" is not a non-empty array of strings (RFC 7517 §4.7)"]
        );
        jwk["x5c"] = json!(["%%%"]);
        let problems = KeySummary::from_jwk(&jwk, 0).problems;
        assert!(
            problems[0].starts_with("the first \"x5c\" certificate is not base64 (")
                && problems[0].ends_with(") (RFC 7517 §4.7)"),
            "{problems:?}"
        );
    }

    #[test]
    fn thumbprint_needs_required_members() {
        assert_eq!(
            jwk_thumbprint(&json!({"kty": "EC", "crv": "P-256", "x": "a"})),
            None
        );
    }
}
