//! Minting the issuer's tokens with the signing core: ID tokens (OIDC Core §2) and JWT access
//! tokens (RFC 9068), and the lessons' deliberately broken ID tokens.

use serde_json::{json, Map, Value};
use sha2::{Digest as _, Sha256, Sha384, Sha512};

use super::keys::IssuerKeys;
use super::lessons::Lesson;
use super::store::random_token;
use crate::jose::alg::JwsAlg;
use crate::jose::b64;
use crate::jwk::SigningKey;
use crate::jwt::encode::{encode_token, EncodeAlg, EncodeOptions, KidChoice};
use crate::secret::SecretBytes;

/// Lifetimes, in seconds.
pub(super) const ACCESS_TOKEN_TTL: i64 = 600;
pub(super) const ID_TOKEN_TTL: i64 = 600;
pub(super) const REFRESH_TOKEN_TTL: i64 = 86_400;

/// `at_hash`: the left half of the hash of the access token, with the hash of the ID token's
/// `alg` (OIDC Core §3.1.3.6; SHA-512 for EdDSA, as the verification core expects).
pub(super) fn token_hash(value: &str, alg: JwsAlg) -> String {
    let digest: Vec<u8> = match alg.hash_bits() {
        256 => Sha256::digest(value.as_bytes()).to_vec(),
        384 => Sha384::digest(value.as_bytes()).to_vec(),
        _ => Sha512::digest(value.as_bytes()).to_vec(),
    };
    b64::encode(&digest[..digest.len() / 2])
}

fn sign(
    header: Map<String, Value>,
    payload: Map<String, Value>,
    key: &SigningKey,
    alg: EncodeAlg,
    kid: KidChoice,
    now: i64,
) -> String {
    let mut options = EncodeOptions::new(alg, now);
    options.kid = kid;
    // The keys are generated for exactly these algorithms: signing cannot fail but for a bug.
    encode_token(header, payload, Some(key), &options)
        .map(|t| t.token)
        .unwrap_or_else(|e| panic!("the practice issuer's own key refused to sign: {e}"))
}

/// What goes into an ID token.
pub(super) struct IdTokenClaims<'a> {
    pub(super) issuer: &'a str,
    pub(super) sub: &'a str,
    pub(super) client_id: &'a str,
    pub(super) nonce: Option<&'a str>,
    pub(super) auth_time: i64,
    pub(super) access_token: &'a str,
    pub(super) now: i64,
}

/// An ID token, with the lesson's flaw if the lesson is about ID tokens.
pub(super) fn id_token(keys: &IssuerKeys, c: &IdTokenClaims, lesson: Option<Lesson>) -> String {
    let mut iss = c.issuer.to_owned();
    let mut aud = c.client_id.to_owned();
    let (mut iat, mut exp) = (c.now, c.now + ID_TOKEN_TTL);
    let mut nonce = c.nonce.map(str::to_owned);
    let mut at_hash = token_hash(c.access_token, keys.alg);
    let mut nbf = None;
    match lesson {
        Some(Lesson::ExpiredIdToken) => {
            iat = c.now - 1200;
            exp = c.now - 600;
        }
        Some(Lesson::NbfFuture) => nbf = Some(c.now + 3600),
        Some(Lesson::WrongAudience) => aud = "someone-else".to_owned(),
        Some(Lesson::WrongIssuer) => iss = "https://issuer.invalid".to_owned(),
        Some(Lesson::WrongNonce) => nonce = Some(random_token()),
        Some(Lesson::WrongAtHash) => at_hash = token_hash(&random_token(), keys.alg),
        _ => {}
    }
    let mut payload = Map::new();
    payload.insert("iss".into(), json!(iss));
    payload.insert("sub".into(), json!(c.sub));
    payload.insert("aud".into(), json!(aud));
    payload.insert("exp".into(), json!(exp));
    payload.insert("iat".into(), json!(iat));
    if let Some(nbf) = nbf {
        payload.insert("nbf".into(), json!(nbf));
    }
    payload.insert("auth_time".into(), json!(c.auth_time));
    if let Some(nonce) = nonce {
        payload.insert("nonce".into(), json!(nonce));
    }
    payload.insert("at_hash".into(), json!(at_hash));

    let header = Map::new();
    match lesson {
        Some(Lesson::AlgNone) => {
            let options = EncodeOptions::new(EncodeAlg::Unsecured, c.now);
            encode_token(header, payload, None, &options)
                .map(|t| t.token)
                .unwrap_or_else(|e| panic!("an unsecured token could not be built: {e}"))
        }
        Some(Lesson::AlgConfusion) => {
            // The RSA public key's PEM text as an HMAC secret, under the RSA key's kid.
            let secret =
                SigningKey::from_secret(SecretBytes::new(keys.rsa_public_pem.as_bytes().to_vec()));
            sign(
                header,
                payload,
                &secret,
                EncodeAlg::Signed(JwsAlg::HS256),
                KidChoice::Set(keys.rsa_kid.clone()),
                c.now,
            )
        }
        Some(Lesson::MissingKid) => sign(
            header,
            payload,
            &keys.signing,
            EncodeAlg::Signed(keys.alg),
            KidChoice::Omit,
            c.now,
        ),
        Some(Lesson::UnknownKey) => {
            let rogue = keys.unpublished.as_ref().unwrap_or(&keys.signing);
            sign(
                header,
                payload,
                rogue,
                EncodeAlg::Signed(keys.alg),
                KidChoice::Default,
                c.now,
            )
        }
        _ => sign(
            header,
            payload,
            &keys.signing,
            EncodeAlg::Signed(keys.alg),
            KidChoice::Default,
            c.now,
        ),
    }
}

/// What goes into a JWT access token (RFC 9068 §2.2).
pub(super) struct AccessTokenClaims<'a> {
    pub(super) issuer: &'a str,
    pub(super) sub: &'a str,
    pub(super) client_id: &'a str,
    pub(super) aud: &'a str,
    pub(super) scope: &'a [String],
    pub(super) auth_time: Option<i64>,
    pub(super) jti: &'a str,
    pub(super) now: i64,
}

/// A JWT access token, `typ: at+jwt` (RFC 9068 §2.1), always well formed.
pub(super) fn access_token(keys: &IssuerKeys, c: &AccessTokenClaims) -> String {
    let mut payload = Map::new();
    payload.insert("iss".into(), json!(c.issuer));
    payload.insert("exp".into(), json!(c.now + ACCESS_TOKEN_TTL));
    payload.insert("aud".into(), json!(c.aud));
    payload.insert("sub".into(), json!(c.sub));
    payload.insert("client_id".into(), json!(c.client_id));
    payload.insert("iat".into(), json!(c.now));
    payload.insert("jti".into(), json!(c.jti));
    if let Some(auth_time) = c.auth_time {
        payload.insert("auth_time".into(), json!(auth_time));
    }
    if !c.scope.is_empty() {
        payload.insert("scope".into(), json!(c.scope.join(" ")));
    }
    let mut header = Map::new();
    header.insert("typ".into(), json!("at+jwt"));
    sign(
        header,
        payload,
        &keys.signing,
        EncodeAlg::Signed(keys.alg),
        KidChoice::Default,
        c.now,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_hash_is_the_left_half_of_sha256() {
        // OIDC Core §A.3's example access token and at_hash.
        assert_eq!(
            token_hash("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y", JwsAlg::RS256),
            "77QmUPtjPfzWtF2AnpK9RQ"
        );
    }
}
