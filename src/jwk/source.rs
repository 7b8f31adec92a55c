//! Turning what the user named (a secret, a key file, a URL, an issuer) into verification keys.
//! Network sources go through the one HTTP seam, [`crate::http::HttpClient`].

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use serde_json::Value;

use super::key::{keys_from_jwks, KeyError, KeyMaterial, KeySource, VerificationKey};
use super::pem::{key_from_cert_der, key_from_pem};
use crate::discovery::{well_known_url, DiscoveryError};
use crate::error::ErrorCode;
use crate::http::{FetchOptions, HttpClient, HttpError};
use crate::jwt::DecodedToken;
use crate::secret::SecretBytes;

/// Largest key file or pasted key text accepted (1 MiB, like any fetched document).
pub const MAX_KEY_TEXT_BYTES: usize = 1024 * 1024;

/// One key source, as named by the user.
#[derive(Debug)]
pub enum KeyInput {
    /// A shared HMAC secret (raw bytes).
    Secret(SecretBytes),
    /// Key text: PEM (SPKI, PKCS#1, certificate), a JWK or a JWKS.
    Text(String),
    /// A JWK Set URL.
    JwksUrl(String),
    /// An issuer: OIDC discovery, then its `jwks_uri`.
    Issuer(String),
    /// The token's own `jwk`, `x5c` or `jku` header. Untrusted by construction.
    TokenHeader,
}

/// Keys ready for verification, and the issuer discovery reported (for the `iss` check).
#[derive(Debug, Default)]
pub struct ResolvedKeys {
    pub keys: Vec<VerificationKey>,
    pub discovered_issuer: Option<String>,
}

/// Why a key source could not be turned into keys.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeySourceError {
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error(transparent)]
    Http(#[from] HttpError),
    #[error(transparent)]
    Discovery(#[from] DiscoveryError),
    #[error("{0}")]
    Missing(String),
}

impl ErrorCode for KeySourceError {
    fn code(&self) -> &'static str {
        match self {
            KeySourceError::Key(e) => e.code(),
            KeySourceError::Http(e) => e.code(),
            KeySourceError::Discovery(e) => e.code(),
            KeySourceError::Missing(_) => "key.missing",
        }
    }
}

/// Decodes a base64 or base64url secret, with or without padding.
pub fn secret_from_base64(value: &str) -> Result<SecretBytes, KeyError> {
    let cleaned: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    let url_safe = cleaned.replace('+', "-").replace('/', "_");
    URL_SAFE_NO_PAD
        .decode(url_safe.trim_end_matches('='))
        .or_else(|_| STANDARD.decode(&cleaned))
        .map(SecretBytes::new)
        .map_err(|e| KeyError::invalid(format!("the secret is not base64 or base64url: {e}")))
}

/// Reads key text: a JWK Set, a single JWK, or PEM.
pub fn keys_from_text(
    text: &str,
    source_hint: Option<KeySource>,
) -> Result<Vec<VerificationKey>, KeyError> {
    if text.len() > MAX_KEY_TEXT_BYTES {
        return Err(KeyError::invalid(format!(
            "the key text is over {MAX_KEY_TEXT_BYTES} bytes"
        )));
    }
    let trimmed = text.trim();
    if trimmed.starts_with('{') {
        let value: Value = serde_json::from_str(trimmed).map_err(|e| {
            KeyError::Unreadable(format!(
                "the key looks like JSON but is not valid JSON: {e}"
            ))
        })?;
        let source = source_hint.unwrap_or(if value.get("keys").is_some() {
            KeySource::Jwks
        } else {
            KeySource::Jwk
        });
        // A JWK Set with no usable key is still a key set: a token checked against it fails
        // its signature check (no key matches), it is not an input error.
        return keys_from_jwks(&value, source);
    }
    Ok(vec![key_from_pem(trimmed)?])
}

/// Resolves `input` into keys, fetching over the network where the source is a URL.
pub async fn resolve_keys(
    input: &KeyInput,
    token: &DecodedToken,
    http: &HttpClient,
) -> Result<ResolvedKeys, KeySourceError> {
    let keys = match input {
        KeyInput::Secret(secret) => {
            vec![VerificationKey::new(
                KeyMaterial::Hmac(secret.clone()),
                KeySource::Secret,
            )]
        }
        KeyInput::Text(text) => keys_from_text(text, None)?,
        KeyInput::JwksUrl(url) => fetch_jwks(http, url, KeySource::JwksUrl).await?,
        KeyInput::Issuer(issuer) => {
            let metadata = http
                .get_json(&well_known_url(issuer)?, &FetchOptions::json())
                .await?;
            let jwks_uri = metadata.get("jwks_uri").and_then(Value::as_str).ok_or_else(|| {
                KeySourceError::Missing(format!("the discovery document of {issuer} has no jwks_uri (OIDC Discovery 1.0 §3)"))
            })?;
            let keys = fetch_jwks(http, jwks_uri, KeySource::Issuer).await?;
            let discovered = metadata
                .get("issuer")
                .and_then(Value::as_str)
                .map(str::to_owned);
            return Ok(ResolvedKeys {
                keys,
                discovered_issuer: discovered,
            });
        }
        KeyInput::TokenHeader => header_keys(token, http).await?,
    };
    Ok(ResolvedKeys {
        keys,
        discovered_issuer: None,
    })
}

async fn fetch_jwks(
    http: &HttpClient,
    url: &str,
    source: KeySource,
) -> Result<Vec<VerificationKey>, KeySourceError> {
    let fetch = FetchOptions {
        accept: Some("application/jwk-set+json, application/json".into()),
        bypass_cache: false,
    };
    let value = http.get_json(url, &fetch).await?;
    if value.get("keys").is_none() {
        return Err(KeyError::invalid(format!(
            "{url} returned JSON without a \"keys\" array: not a JWK Set (RFC 7517 §5)"
        ))
        .into());
    }
    Ok(keys_from_jwks(&value, source)?)
}

/// Keys named by the token itself (RFC 7515 §4.1.2, §4.1.3, §4.1.6), marked untrusted.
async fn header_keys(
    token: &DecodedToken,
    http: &HttpClient,
) -> Result<Vec<VerificationKey>, KeySourceError> {
    let header = &token.header;
    if let Some(jwk) = header.get("jwk") {
        return Ok(vec![VerificationKey::from_jwk(
            jwk,
            KeySource::TokenHeader,
        )?]);
    }
    if let Some(first) = header
        .get("x5c")
        .and_then(Value::as_array)
        .and_then(|c| c.first())
        .and_then(Value::as_str)
    {
        let der = STANDARD
            .decode(first)
            .map_err(|_| KeyError::invalid("x5c[0] is not base64 DER (RFC 7515 §4.1.6)"))?;
        let mut key = key_from_cert_der(&der)?;
        key.source = KeySource::TokenHeader;
        return Ok(vec![key]);
    }
    if let Some(url) = header.get("jku").and_then(Value::as_str) {
        return fetch_jwks(http, url, KeySource::TokenHeader).await;
    }
    Err(KeySourceError::Missing(
        "the token's header has no jwk, x5c or jku to take a key from".into(),
    ))
}
