//! The `signature` and `alg` checks: algorithm policy, key selection, and the cryptography.

use jsonwebtoken::DecodingKey;

use super::{check, Check, CheckName, CheckStatus, VerifyOptions};
use crate::error::ErrorCode;
use crate::jose::alg::{JwsAlg, KeyFamily};
use crate::jose::b64;
use crate::jwk::{KeyMaterial, KeySource, VerificationKey};
use crate::jwt::decode::{DecodedToken, SegmentKind};
use crate::jwt::findings::{Finding, FindingCode};

const SPEC_SIG: &str = "RFC 7515 §5.2";
const SPEC_ALG: &str = "RFC 8725 §3.1";

pub(super) struct SignatureOutcome {
    pub signature_check: Check,
    pub alg_check: Check,
    /// The token's algorithm, if Tokenscope knows it.
    pub alg: Option<JwsAlg>,
    /// The key that verified the signature, with its index in the key set.
    pub used: Option<(VerificationKey, usize)>,
    pub findings: Vec<Finding>,
}

fn fail_both(alg_msg: String, sig_msg: &str, alg: Option<JwsAlg>) -> SignatureOutcome {
    SignatureOutcome {
        signature_check: check(CheckName::Signature, CheckStatus::Fail, sig_msg, SPEC_SIG),
        alg_check: check(CheckName::Alg, CheckStatus::Fail, alg_msg, SPEC_ALG),
        alg,
        used: None,
        findings: Vec::new(),
    }
}

pub(super) fn check_signature(
    token: &DecodedToken,
    keys: &[VerificationKey],
    options: &VerifyOptions,
) -> SignatureOutcome {
    let alg_name = match token.header.get("alg").and_then(|a| a.as_str()) {
        Some(a) => a,
        None => {
            return fail_both(
                "the header has no \"alg\" string (RFC 7515 §4.1.1)".into(),
                "not attempted: no algorithm",
                None,
            )
        }
    };
    if alg_name.eq_ignore_ascii_case("none") {
        return fail_both(
            format!("\"{alg_name}\" is never accepted: an unsecured token proves nothing (RFC 8725 §3.2)"),
            "the token is unsecured: there is no signature to verify",
            None,
        );
    }
    let Some(alg) = JwsAlg::parse(alg_name) else {
        return fail_both(
            format!("\"{alg_name}\" is not a supported JWS algorithm (HS*, RS*, PS*, ES256/384/512, EdDSA)"),
            "not attempted: unsupported algorithm",
            None,
        );
    };

    let mut findings = Vec::new();
    let has_secret = keys
        .iter()
        .any(|k| matches!(k.material, KeyMaterial::Hmac(_)));
    // With no key at all there is no public key to confuse with a secret.
    let confusion = alg.family() == KeyFamily::Hmac && !has_secret && !keys.is_empty();
    let allowed: Vec<String> = if options.allowed_algs.is_empty() {
        let mut fitting: Vec<String> = Vec::new();
        for a in keys.iter().flat_map(|k| k.material.fitting_algs()) {
            if !fitting.iter().any(|f| f == a.name()) {
                fitting.push(a.name().to_owned());
            }
        }
        fitting
    } else {
        options.allowed_algs.clone()
    };
    let alg_check = if confusion {
        findings.push(Finding::error(
            FindingCode::AlgConfusion,
            format!("the token claims {alg} (HMAC) but the key is public: a verifier that used the public key as an HMAC secret would accept a forged token (RFC 8725 §2.1)"),
        ));
        check(
            CheckName::Alg,
            CheckStatus::Fail,
            format!(
                "algorithm confusion: {alg} needs a shared secret, but only public keys were given"
            ),
            SPEC_ALG,
        )
    } else if allowed.is_empty() {
        check(
            CheckName::Alg,
            CheckStatus::Skipped,
            format!("{alg} not checked: no allowed algorithms given and no key to fit it to"),
            SPEC_ALG,
        )
    } else if !allowed.iter().any(|a| a == alg.name()) {
        check(
            CheckName::Alg,
            CheckStatus::Fail,
            format!("{alg} is not in the allowed list ({})", allowed.join(", ")),
            SPEC_ALG,
        )
    } else {
        check(
            CheckName::Alg,
            CheckStatus::Pass,
            format!("{alg} is allowed and fits the key"),
            SPEC_ALG,
        )
    };

    let (signature_check, used) = if confusion {
        (
            check(
                CheckName::Signature,
                CheckStatus::Fail,
                "not attempted: a public key is never used as an HMAC secret",
                SPEC_SIG,
            ),
            None,
        )
    } else {
        verify_with_candidates(token, alg, keys)
    };
    if let Some((key, _)) = &used {
        if key.source == KeySource::TokenHeader {
            findings.push(Finding::warning(
                FindingCode::UntrustedKey,
                "the signature was checked with a key taken from the token's own header: anyone can sign a token that passes this way (RFC 8725 §3.10)",
            ));
        }
    }
    SignatureOutcome {
        signature_check,
        alg_check,
        alg: Some(alg),
        used,
        findings,
    }
}

fn describe_key(key: &VerificationKey) -> String {
    let mut s = format!(
        "{} {}",
        key.material.kty(),
        key.material.curve().map_or_else(
            || format!("{} bits", key.material.size_bits()),
            |c| c.to_string()
        )
    );
    if let Some(kid) = &key.kid {
        s.push_str(&format!(", kid \"{kid}\""));
    }
    s
}

fn verify_with_candidates(
    token: &DecodedToken,
    alg: JwsAlg,
    keys: &[VerificationKey],
) -> (Check, Option<(VerificationKey, usize)>) {
    let fail = |msg: String| {
        (
            check(CheckName::Signature, CheckStatus::Fail, msg, SPEC_SIG),
            None,
        )
    };
    let text = |kind: SegmentKind| {
        token
            .segments
            .iter()
            .find(|s| s.kind == kind)
            .map_or("", |s| s.text.as_str())
    };
    let signature_text = text(SegmentKind::Signature);
    if signature_text.is_empty() {
        return fail("the signature is empty".into());
    }
    let Ok(signature) = b64::decode(signature_text) else {
        return fail("the signature is not valid base64url".into());
    };
    if let Some(expected) = alg.fixed_signature_len() {
        if signature.len() != expected {
            let der = if signature.first() == Some(&0x30) && alg.family() != KeyFamily::Okp {
                " It looks DER-encoded (ASN.1 SEQUENCE); JWS needs the raw R‖S form (RFC 7518 §3.4)."
            } else {
                ""
            };
            return fail(format!(
                "{alg} signatures are {expected} bytes, this one is {} bytes.{der}",
                signature.len()
            ));
        }
    }
    let message = format!(
        "{}.{}",
        text(SegmentKind::Header),
        text(SegmentKind::Payload)
    );

    let kid = token.header.get("kid").and_then(|k| k.as_str());
    if keys.is_empty() {
        let what = kid.map_or_else(
            || "no key to verify with".to_owned(),
            |kid| format!("no key has kid \"{kid}\""),
        );
        return fail(format!(
            "{what}: the key set holds no key Tokenscope can use (it is empty, or each of its keys \
             was skipped as unsupported or malformed, RFC 7517 §5)"
        ));
    }
    let indexed: Vec<(usize, &VerificationKey)> = keys.iter().enumerate().collect();
    let by_kid: Vec<(usize, &VerificationKey)> = match kid {
        Some(kid) => {
            let matching: Vec<_> = indexed
                .iter()
                .copied()
                .filter(|(_, k)| k.kid.as_deref() == Some(kid))
                .collect();
            if matching.is_empty() && keys.iter().any(|k| k.kid.is_some()) {
                let known: Vec<_> = keys
                    .iter()
                    .filter_map(|k| k.kid.as_deref())
                    .map(|k| format!("\"{k}\""))
                    .collect();
                return fail(format!(
                    "no key has kid \"{kid}\" (the key set has {})",
                    known.join(", ")
                ));
            }
            if matching.is_empty() {
                indexed.clone()
            } else {
                matching
            }
        }
        None => indexed.clone(),
    };
    let candidates: Vec<_> = by_kid
        .into_iter()
        .filter(|(_, k)| k.usable_for(alg))
        .collect();
    if candidates.is_empty() {
        let offered: Vec<_> = keys.iter().map(describe_key).collect();
        return fail(format!(
            "no key fits {alg} (offered: {})",
            offered.join("; ")
        ));
    }
    let mut errors = Vec::new();
    for (index, key) in &candidates {
        match verify_signature_bytes(&key.material, alg, message.as_bytes(), &signature) {
            Ok(true) => {
                let how = if kid.is_none() && candidates.len() > 1 {
                    format!(
                        " (no kid in the header: tried {} keys, key #{} matched)",
                        candidates.len(),
                        index + 1
                    )
                } else {
                    String::new()
                };
                let msg = format!("verified with {}{how}", describe_key(key));
                return (
                    check(CheckName::Signature, CheckStatus::Pass, msg, SPEC_SIG),
                    Some(((*key).clone(), *index)),
                );
            }
            Ok(false) => {}
            Err(e) => errors.push(e),
        }
    }
    let mut msg = if candidates.len() == 1 {
        format!(
            "the signature does not match the key ({})",
            describe_key(candidates[0].1)
        )
    } else {
        format!(
            "the signature matches none of the {} candidate keys",
            candidates.len()
        )
    };
    if let Some(e) = errors.first() {
        msg.push_str(&format!("; {e}"));
    }
    fail(msg)
}

/// Why a key could not be used to check a signature (as opposed to a signature that does not
/// match, which is `Ok(false)`). Shown after the `signature` check's message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("unusable EC key: {0}")]
    UnusableEcKey(String),
    #[error("unusable Ed25519 key: {0}")]
    UnusableEd25519Key(String),
    #[error("{0} is not supported")]
    UnsupportedAlg(JwsAlg),
    #[error("the P-521 point is not on the curve")]
    PointNotOnCurve,
    /// The cryptography library refused the key.
    #[error("the key could not be used: {0}")]
    Crypto(String),
}

impl ErrorCode for SignatureError {
    fn code(&self) -> &'static str {
        match self {
            SignatureError::UnsupportedAlg(_) => "verify.unsupported_alg",
            _ => "verify.unusable_key",
        }
    }
}

/// Checks `signature` over `message` with `material` under `alg`. `Ok(false)` means a clean
/// mismatch; `Err` means the key could not be used.
pub fn verify_signature_bytes(
    material: &KeyMaterial,
    alg: JwsAlg,
    message: &[u8],
    signature: &[u8],
) -> Result<bool, SignatureError> {
    if !material.fits(alg) {
        return Ok(false);
    }
    if alg == JwsAlg::ES512 {
        return verify_es512(material, message, signature);
    }
    if let Some(verified) = verify_with_ring(material, alg, message, signature) {
        return Ok(verified);
    }
    let b = |bytes: &[u8]| b64::encode(bytes);
    let key = match material {
        KeyMaterial::Hmac(secret) => DecodingKey::from_secret(secret.expose_secret()),
        KeyMaterial::Rsa { n, e } => DecodingKey::from_rsa_raw_components(n, e),
        KeyMaterial::Ec { x, y, .. } => DecodingKey::from_ec_components(&b(x), &b(y))
            .map_err(|e| SignatureError::UnusableEcKey(e.to_string()))?,
        KeyMaterial::Ed25519 { x } => DecodingKey::from_ed_components(&b(x))
            .map_err(|e| SignatureError::UnusableEd25519Key(e.to_string()))?,
    };
    let jwt_alg = alg
        .to_jsonwebtoken()
        .ok_or(SignatureError::UnsupportedAlg(alg))?;
    jsonwebtoken::crypto::verify(&b(signature), message, &key, jwt_alg)
        .map_err(|e| SignatureError::Crypto(e.to_string()))
}

/// RSA and ECDSA through `ring` (already in the tree for TLS), whose assembly is about ten times
/// faster than the pure-Rust `rsa` and `p256` crates behind `jsonwebtoken`: a whole `verify`
/// process with an RSA key is then as quick as jwt-cli's (benches/compare.sh). `None` for what
/// ring does not take — RSA moduli outside 2048–8192 bits (a 1024-bit key must still verify, so
/// that `key-strength` can say why it is not enough), exponents it refuses, other key types — and
/// those go through `jsonwebtoken` as before. Within that range ring's only failure is a signature
/// that does not match.
fn verify_with_ring(
    material: &KeyMaterial,
    alg: JwsAlg,
    message: &[u8],
    signature: &[u8],
) -> Option<bool> {
    use ring::signature as rs;
    match material {
        KeyMaterial::Rsa { n, e } => {
            let bits = material.size_bits();
            // ring: 2048–8192-bit moduli, odd exponents from 3 up to 2^33 − 1.
            let e_value = e.iter().skip_while(|b| **b == 0).try_fold(0u64, |acc, b| {
                acc.checked_mul(256).map(|v| v | u64::from(*b))
            })?;
            if !(2048..=8192).contains(&bits)
                || e_value < 3
                || e_value % 2 == 0
                || e_value >= 1 << 33
            {
                return None;
            }
            let params: &rs::RsaParameters = match alg {
                JwsAlg::RS256 => &rs::RSA_PKCS1_2048_8192_SHA256,
                JwsAlg::RS384 => &rs::RSA_PKCS1_2048_8192_SHA384,
                JwsAlg::RS512 => &rs::RSA_PKCS1_2048_8192_SHA512,
                JwsAlg::PS256 => &rs::RSA_PSS_2048_8192_SHA256,
                JwsAlg::PS384 => &rs::RSA_PSS_2048_8192_SHA384,
                JwsAlg::PS512 => &rs::RSA_PSS_2048_8192_SHA512,
                _ => return None,
            };
            // ring wants both big-endian without leading zeros; DER integers often carry one.
            let unpadded = |v: &[u8]| {
                let start = v.iter().position(|b| *b != 0).unwrap_or(v.len());
                v[start..].to_vec()
            };
            let key = rs::RsaPublicKeyComponents {
                n: unpadded(n),
                e: unpadded(e),
            };
            Some(key.verify(params, message, signature).is_ok())
        }
        KeyMaterial::Ec { x, y, .. } => {
            // An uncompressed SEC1 point. ring answers "no" alike for a point off the curve and
            // a signature that does not match; the first is an unusable key, which
            // `jsonwebtoken` reports as such, so only a point known to be valid comes here.
            let mut point = Vec::with_capacity(1 + x.len() + y.len());
            point.push(0x04);
            point.extend_from_slice(x);
            point.extend_from_slice(y);
            let (algorithm, on_curve): (&rs::EcdsaVerificationAlgorithm, bool) = match alg {
                JwsAlg::ES256 => (
                    &rs::ECDSA_P256_SHA256_FIXED,
                    p256::PublicKey::from_sec1_bytes(&point).is_ok(),
                ),
                JwsAlg::ES384 => (
                    &rs::ECDSA_P384_SHA384_FIXED,
                    p384::PublicKey::from_sec1_bytes(&point).is_ok(),
                ),
                _ => return None,
            };
            if !on_curve {
                return None;
            }
            let key = rs::UnparsedPublicKey::new(algorithm, &point);
            Some(key.verify(message, signature).is_ok())
        }
        _ => None,
    }
}

fn verify_es512(
    material: &KeyMaterial,
    message: &[u8],
    signature: &[u8],
) -> Result<bool, SignatureError> {
    use p521::ecdsa::signature::Verifier as _;
    let KeyMaterial::Ec { x, y, .. } = material else {
        return Ok(false);
    };
    let mut point = Vec::with_capacity(1 + x.len() + y.len());
    point.push(0x04);
    point.extend_from_slice(x);
    point.extend_from_slice(y);
    let key = p521::ecdsa::VerifyingKey::from_sec1_bytes(&point)
        .map_err(|_| SignatureError::PointNotOnCurve)?;
    let Ok(sig) = p521::ecdsa::Signature::from_slice(signature) else {
        return Ok(false);
    };
    Ok(key.verify(message, &sig).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jwk::key_from_pem;

    /// The token's signing input and signature, and the PEM key, from RFC 7515 Appendix A.
    fn rfc7515(case: &str) -> (Vec<u8>, Vec<u8>, KeyMaterial) {
        let vectors: serde_json::Value =
            serde_json::from_str(include_str!("../../../tests/vectors/rfc7515.json")).unwrap();
        let token = vectors[case]["token"].as_str().unwrap();
        let (input, signature) = token.rsplit_once('.').unwrap();
        let pem = vectors[case]["public_pem"].as_str().unwrap();
        let key = key_from_pem(pem).unwrap();
        (
            input.as_bytes().to_vec(),
            b64::decode(signature).unwrap(),
            key.material,
        )
    }

    #[test]
    fn ring_and_the_pure_rust_path_agree_on_rsa_and_ecdsa() {
        for (case, alg) in [("a2_rs256", JwsAlg::RS256), ("a3_es256", JwsAlg::ES256)] {
            let (input, signature, key) = rfc7515(case);
            assert_eq!(
                verify_with_ring(&key, alg, &input, &signature),
                Some(true),
                "{case}"
            );
            let mut tampered = input.clone();
            tampered[0] ^= 1;
            assert_eq!(
                verify_with_ring(&key, alg, &tampered, &signature),
                Some(false),
                "{case}"
            );
            assert!(verify_signature_bytes(&key, alg, &input, &signature).unwrap());
            assert!(!verify_signature_bytes(&key, alg, &tampered, &signature).unwrap());
        }
    }

    #[test]
    fn keys_ring_does_not_take_go_the_pure_rust_way() {
        let small = KeyMaterial::Rsa {
            n: vec![0xc5; 128],
            e: vec![1, 0, 1],
        };
        assert_eq!(
            verify_with_ring(&small, JwsAlg::RS256, b"m", &[0; 128]),
            None
        );
        let even_exponent = KeyMaterial::Rsa {
            n: vec![0xc5; 256],
            e: vec![2],
        };
        assert_eq!(
            verify_with_ring(&even_exponent, JwsAlg::RS256, b"m", &[0; 256]),
            None
        );
    }
}
