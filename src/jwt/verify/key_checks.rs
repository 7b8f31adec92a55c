//! `key-trust` and `key-strength`: whether the key that checked the signature may vouch for the
//! token at all. Both appear only when they fail: a trusted key of a sufficient size needs no row
//! (its size and thumbprint are in the report's `key`).

use super::{check, Check, CheckName, CheckStatus};
use crate::jose::alg::JwsAlg;
use crate::jwk::{KeyMaterial, KeySource, VerificationKey};
use crate::jwt::decode::DecodedToken;

/// RFC 8725 §3.10: keys named by the token itself are chosen by whoever made the token.
const SPEC_TRUST: &str = "RFC 8725 §3.10";

/// Fails when the keys came from the token's own `jwk`, `x5c` or `jku` header: the signature may
/// match, but it only proves the token was signed with the key it carries.
pub(super) fn key_trust(token: &DecodedToken, keys: &[VerificationKey]) -> Option<Check> {
    if keys.is_empty() || keys.iter().any(|k| k.source != KeySource::TokenHeader) {
        return None;
    }
    // The order resolve_keys takes them in: jwk, then x5c, then jku.
    let has = |name: &str| token.header.get(name).is_some_and(|v| !v.is_null());
    let why = if has("jwk") {
        "the key is the token's own \"jwk\" header: anyone can sign a token with a key they embed \
         in it, so a matching signature proves nothing about who made it (CVE-2018-0114)"
    } else if has("x5c") {
        "the key is the certificate in the token's own \"x5c\" header, and no chain to a trust \
         anchor you chose was checked: anyone can embed a certificate they made themselves"
    } else {
        "the key was fetched from the token's own \"jku\" URL: whoever made the token chose \
         where its key comes from (the jku/x5u header attack)"
    };
    Some(check(
        CheckName::KeyTrust,
        CheckStatus::Fail,
        format!("{why}. Verify with the issuer's keys (a key file, JWKS URL or issuer) instead"),
        SPEC_TRUST,
    ))
}

/// Fails when the key that verified the signature is shorter than the algorithm requires:
/// an HMAC secret shorter than the hash, an RSA modulus under 2048 bits (RFC 7518 §3.2, §3.3, §3.5).
pub(super) fn key_strength(used: Option<&VerificationKey>, alg: Option<JwsAlg>) -> Option<Check> {
    let (key, alg) = (used?, alg?);
    if !matches!(key.material, KeyMaterial::Hmac(_) | KeyMaterial::Rsa { .. }) {
        return None;
    }
    let reason = alg.weak_key_reason(key.material.size_bits())?;
    let (_, spec) = alg.min_key_bits()?;
    let risk = match key.material {
        KeyMaterial::Hmac(_) => {
            "a short secret can be brute-forced offline from any token it signed"
        }
        _ => "keys this small can be factored",
    };
    Some(check(
        CheckName::KeyStrength,
        CheckStatus::Fail,
        format!("{reason}: {risk}"),
        spec,
    ))
}
