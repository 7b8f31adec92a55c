//! Signature and claim verification that reports every check (RFC 7515, RFC 7519 §7.2,
//! RFC 8725, OpenID Connect Core §3.1.3.7) instead of a bare yes or no.

mod checks;
mod key_checks;
mod lint;
mod signature;

use serde::Serialize;

use super::decode::{decode_unverified, DecodeError, DecodedToken, TokenFormat};
use super::findings::Finding;
use crate::error::ErrorCode;
use crate::jose::{Curve, KeyType};
use crate::jwk::{KeySource, VerificationKey};
use crate::vocab::string_enum;

pub use signature::{verify_signature_bytes, SignatureError};

/// Default clock leeway for `exp`, `nbf` and `iat` (RFC 7519 §4.1.4 allows "some small leeway").
pub const DEFAULT_LEEWAY_SECONDS: u64 = 60;
/// Default lifetime (`exp − iat`) above which a `long-lifetime` finding is raised.
pub const DEFAULT_MAX_LIFETIME_SECONDS: i64 = 24 * 3600;

/// What the token is expected to be. Every field has a secure default.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// Allowed `alg` values. Empty means every standard algorithm that fits the key type — never
    /// `none`, and never an HMAC algorithm for an asymmetric key (RFC 8725 §3.1).
    pub allowed_algs: Vec<String>,
    /// Expected issuer, compared exactly (no normalisation). `None` skips the `iss` check.
    pub issuer: Option<String>,
    /// Accepted audiences: the token's `aud` must contain one. Empty skips the `aud` check.
    pub audiences: Vec<String>,
    /// Expected `nonce` (ID tokens). `None` skips the check.
    pub nonce: Option<String>,
    /// The access token issued with this ID token, to check `at_hash`.
    pub access_token: Option<String>,
    /// The authorization code issued with this ID token, to check `c_hash`.
    pub code: Option<String>,
    /// Seconds of clock skew tolerated by `exp`, `nbf` and `iat`.
    pub leeway: u64,
    /// "Now" in Unix seconds (the CLI's `--now`, or the injected clock).
    pub now: i64,
    /// Treat the token as an OpenID Connect ID token (`iat` and `sub` become required).
    /// `None` decides from the token (a `nonce`, `at_hash`, `c_hash` or `auth_time` claim).
    pub id_token: Option<bool>,
    /// Lifetime above which the `long-lifetime` finding is raised.
    pub max_lifetime: i64,
}

impl VerifyOptions {
    pub fn at(now: i64) -> Self {
        VerifyOptions {
            allowed_algs: Vec::new(),
            issuer: None,
            audiences: Vec::new(),
            nonce: None,
            access_token: None,
            code: None,
            leeway: DEFAULT_LEEWAY_SECONDS,
            now,
            id_token: None,
            max_lifetime: DEFAULT_MAX_LIFETIME_SECONDS,
        }
    }
}

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    Pass,
    Fail,
    Skipped,
}

string_enum! {
    /// The stable name of a verification check, in the order a report lists them.
    pub enum CheckName {
        Signature = "signature",
        Alg = "alg",
        /// Present only when it fails: the key came from the token itself.
        KeyTrust = "key-trust",
        /// Present only when it fails: the key is shorter than the algorithm requires.
        KeyStrength = "key-strength",
        Crit = "crit",
        Typ = "typ",
        Exp = "exp",
        Nbf = "nbf",
        Iat = "iat",
        Iss = "iss",
        Sub = "sub",
        Aud = "aud",
        Azp = "azp",
        Nonce = "nonce",
        AtHash = "at_hash",
        CHash = "c_hash",
    }
}

/// One verification step with its result and a plain-language reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Check {
    pub name: CheckName,
    pub status: CheckStatus,
    pub message: String,
    /// The rule behind the check, e.g. "RFC 7519 §4.1.4".
    pub spec: String,
}

/// Which key verified the signature (or was tried last).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct KeyUsed {
    pub source: KeySource,
    pub kid: Option<String>,
    pub kty: KeyType,
    /// The `alg` the key's JWK names, as written.
    pub alg: Option<String>,
    pub curve: Option<Curve>,
    pub size_bits: u32,
    /// RFC 7638 SHA-256 thumbprint; null for HMAC secrets, whose hash would let a guessed
    /// secret be confirmed offline.
    pub thumbprint: Option<String>,
    /// Position in the key set, when several keys were offered.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub index: Option<u32>,
}

/// The full verification report. `valid` is true only if no check failed.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VerifyReport {
    pub valid: bool,
    pub alg: Option<String>,
    pub key: Option<KeyUsed>,
    pub checks: Vec<Check>,
    pub findings: Vec<Finding>,
}

/// Faults that stop verification before any check can run (as opposed to a failed check).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error(transparent)]
    Malformed(#[from] DecodeError),
    #[error("the token is encrypted (JWE); decrypting it needs the recipient's private key, which verification does not take")]
    Encrypted,
}

impl ErrorCode for VerifyError {
    fn code(&self) -> &'static str {
        match self {
            VerifyError::Malformed(e) => e.code(),
            VerifyError::Encrypted => "verify.encrypted",
        }
    }
}

/// Verifies `token` against `keys` (one key, or a whole JWKS) and reports every check. An empty
/// `keys` (a JWK Set with no usable key) fails the `signature` check: no key matches the token.
pub fn verify_token(
    token: &str,
    keys: &[VerificationKey],
    options: &VerifyOptions,
) -> Result<VerifyReport, VerifyError> {
    let decoded = decode_unverified(token, options.now)?;
    verify_decoded(&decoded, keys, options)
}

/// Like [`verify_token`] for an already decoded token.
pub fn verify_decoded(
    decoded: &DecodedToken,
    keys: &[VerificationKey],
    options: &VerifyOptions,
) -> Result<VerifyReport, VerifyError> {
    if decoded.format == TokenFormat::Jwe {
        return Err(VerifyError::Encrypted);
    }
    let outcome = signature::check_signature(decoded, keys, options);
    let mut checks = vec![outcome.signature_check.clone(), outcome.alg_check.clone()];
    checks.extend(key_checks::key_trust(decoded, keys));
    checks.extend(key_checks::key_strength(
        outcome.used.as_ref().map(|(k, _)| k),
        outcome.alg,
    ));
    checks.extend(checks::header_checks(decoded));
    checks.extend(checks::claim_checks(decoded, outcome.alg, options));
    let mut findings = decoded.findings.clone();
    findings.extend(outcome.findings.iter().cloned());
    // The key that verified the signature, or else every candidate, is linted.
    let linted: Vec<&VerificationKey> = match (&outcome.used, outcome.alg) {
        (Some((key, _)), _) => vec![key],
        (None, Some(alg)) => keys.iter().filter(|k| k.material.fits(alg)).collect(),
        (None, None) => Vec::new(),
    };
    findings.extend(lint::findings(decoded, &linted, options));
    let key = outcome.used.as_ref().map(|(k, index)| KeyUsed {
        source: k.source,
        kid: k.kid.clone(),
        kty: k.material.kty(),
        alg: k.alg.clone(),
        curve: k.material.curve(),
        size_bits: k.material.size_bits(),
        thumbprint: (!matches!(k.material, crate::jwk::KeyMaterial::Hmac(_)))
            .then(|| k.material.thumbprint()),
        index: (keys.len() > 1).then_some(*index as u32),
    });
    Ok(VerifyReport {
        valid: checks.iter().all(|c| c.status != CheckStatus::Fail),
        alg: decoded
            .header
            .get("alg")
            .and_then(|a| a.as_str())
            .map(str::to_owned),
        key,
        checks,
        findings,
    })
}

pub(crate) fn check(
    name: CheckName,
    status: CheckStatus,
    message: impl Into<String>,
    spec: &str,
) -> Check {
    Check {
        name,
        status,
        message: message.into(),
        spec: spec.to_owned(),
    }
}
