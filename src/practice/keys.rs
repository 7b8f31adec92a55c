//! The issuer's keys, generated at each start: an RSA, a P-256 and an Ed25519 key (kids = RFC 7638
//! thumbprints), plus what some lessons need (a second published RSA key, an unpublished one).

use serde_json::Value;

use super::lessons::Lesson;
use super::PracticeError;
use crate::jose::alg::{JwsAlg, KeyFamily};
use crate::jose::EcCurve;
use crate::jwk::{generate_key_pair, GenerateOptions, KeySpec, SigningKey};

/// The issuer's key ring.
pub(super) struct IssuerKeys {
    /// The key that signs tokens with the configured algorithm.
    pub(super) signing: SigningKey,
    pub(super) alg: JwsAlg,
    /// The RSA key's public PEM (the `alg-confusion` lesson's HMAC secret) and kid.
    pub(super) rsa_public_pem: String,
    pub(super) rsa_kid: String,
    /// Every published public JWK (`use: sig`, `alg`, `kid`).
    pub(super) jwks: Vec<Value>,
    /// `unknown-key`: a key that signs but is in no JWKS.
    pub(super) unpublished: Option<SigningKey>,
    /// The algorithms some published key signs with (discovery's
    /// `id_token_signing_alg_values_supported`).
    pub(super) algs: Vec<JwsAlg>,
}

fn key(spec: KeySpec, alg: JwsAlg) -> Result<crate::jwk::GeneratedKeyPair, PracticeError> {
    generate_key_pair(
        spec,
        &GenerateOptions {
            kid: None,
            alg: Some(alg),
        },
    )
    .map_err(|e| PracticeError::Keys(e.to_string()))
}

/// Generates the key ring for `alg` (an RSA, EC P-256 or Ed25519 algorithm) and `lesson`.
pub(super) fn generate(alg: JwsAlg, lesson: Option<Lesson>) -> Result<IssuerKeys, PracticeError> {
    let rsa_alg = match alg.family() {
        KeyFamily::Rsa => alg,
        _ => JwsAlg::RS256,
    };
    let (ec_alg, okp_alg) = (JwsAlg::ES256, JwsAlg::EdDSA);
    if !matches!(
        alg.family(),
        KeyFamily::Rsa | KeyFamily::Ec(EcCurve::P256) | KeyFamily::Okp
    ) {
        return Err(PracticeError::Config(format!(
            "the practice issuer signs with an RSA, P-256 or Ed25519 key; {alg} needs another"
        )));
    }
    let rsa = key(KeySpec::Rsa { bits: 2048 }, rsa_alg)?;
    let ec = key(KeySpec::Ec { crv: EcCurve::P256 }, ec_alg)?;
    let okp = key(KeySpec::Ed25519, okp_alg)?;
    let rsa_public_pem = rsa.public().pem.clone();
    let rsa_kid = rsa.public().kid.clone();
    let mut jwks = vec![
        rsa.public().jwk.clone(),
        ec.public().jwk.clone(),
        okp.public().jwk.clone(),
    ];
    let mut algs = vec![rsa_alg, ec_alg, okp_alg];
    algs.dedup();
    let mut signing = match alg.family() {
        KeyFamily::Rsa => rsa.into_signing_key(),
        KeyFamily::Ec(_) => ec.into_signing_key(),
        _ => okp.into_signing_key(),
    };
    let mut unpublished = None;
    match lesson {
        // A second key of the signing key's kind, published first: without a kid a verifier
        // must try both (or give up).
        Some(Lesson::MissingKid) => {
            let previous = match alg.family() {
                KeyFamily::Rsa => key(KeySpec::Rsa { bits: 2048 }, rsa_alg)?,
                KeyFamily::Ec(_) => key(KeySpec::Ec { crv: EcCurve::P256 }, ec_alg)?,
                _ => key(KeySpec::Ed25519, okp_alg)?,
            };
            jwks.insert(0, previous.public().jwk.clone());
        }
        Some(Lesson::UnknownKey) => {
            let rogue = match alg.family() {
                KeyFamily::Rsa => key(KeySpec::Rsa { bits: 2048 }, rsa_alg)?,
                KeyFamily::Ec(_) => key(KeySpec::Ec { crv: EcCurve::P256 }, ec_alg)?,
                _ => key(KeySpec::Ed25519, okp_alg)?,
            };
            unpublished = Some(rogue.into_signing_key());
        }
        _ => {}
    }
    signing.alg = Some(alg.name().to_owned());
    Ok(IssuerKeys {
        signing,
        alg,
        rsa_public_pem,
        rsa_kid,
        jwks,
        unpublished,
        algs,
    })
}
