//! Turning what the user named (a secret, a key file, a URL, an issuer) into verification keys.
//! Network sources go through the one HTTP seam, [`crate::http::HttpClient`].

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use secrecy::zeroize::Zeroizing;
use serde_json::Value;

use super::key::{keys_from_jwks, KeyError, KeyMaterial, KeySource, VerificationKey};
use super::pem::{key_from_cert_der, key_from_pem};
use crate::discovery::{well_known_url, DiscoveryError};
use crate::error::ErrorCode;
use crate::http::{
    process_json_response, FetchOptions, HttpClient, HttpError, Provenance, UrlOrigin,
};
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

/// Keys ready for verification, and the issuer that vouches for them (for the `iss` check).
#[derive(Debug, Default)]
pub struct ResolvedKeys {
    pub keys: Vec<VerificationKey>,
    /// For [`KeyInput::Issuer`]: the issuer as given, which its metadata's `issuer` matched
    /// exactly. Tokens from these keys should carry it as `iss`.
    pub issuer: Option<String>,
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
    /// OIDC Discovery 1.0 §4.3: metadata whose `issuer` is not the issuer asked for is not used.
    #[error("{}", issuer_mismatch_message(.expected, .found.as_deref(), .url))]
    IssuerMismatch {
        /// The issuer URL that was given (and prefixed to the well-known path).
        expected: String,
        /// The metadata's `issuer` (JSON text if it is not a string); `None` when absent.
        found: Option<String>,
        /// Where the metadata came from.
        url: String,
    },
}

fn issuer_mismatch_message(expected: &str, found: Option<&str>, url: &str) -> String {
    let says = match found {
        None => "has no \"issuer\"".to_owned(),
        Some(found) => {
            let hint = if found.trim_end_matches('/') == expected.trim_end_matches('/') {
                " (they differ only by a trailing slash; the comparison is exact)"
            } else {
                ""
            };
            format!("says issuer \"{found}\"{hint}")
        }
    };
    format!(
        "the discovery document at {url} {says}, but it was fetched for issuer \"{expected}\": \
         the two must be identical, so its keys are not used (OIDC Discovery 1.0 §4.3)"
    )
}

impl ErrorCode for KeySourceError {
    fn code(&self) -> &'static str {
        match self {
            KeySourceError::Key(e) => e.code(),
            KeySourceError::Http(e) => e.code(),
            KeySourceError::Discovery(e) => e.code(),
            KeySourceError::Missing(_) => "key.missing",
            KeySourceError::IssuerMismatch { .. } => "discovery.issuer_mismatch",
        }
    }
}

/// Decodes a base64 or base64url secret, with or without padding.
/// The error names the position of the first bad character, never the character: it is part of
/// the secret. The intermediate copies are wiped when dropped.
pub fn secret_from_base64(value: &str) -> Result<SecretBytes, KeyError> {
    let cleaned = Zeroizing::new(
        value
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>(),
    );
    let url_safe = Zeroizing::new(cleaned.replace('+', "-").replace('/', "_"));
    URL_SAFE_NO_PAD
        .decode(url_safe.trim_end_matches('='))
        .or_else(|_| STANDARD.decode(cleaned.as_str()))
        .map(SecretBytes::new)
        .map_err(|e| {
            let at = match e {
                base64::DecodeError::InvalidByte(offset, _)
                | base64::DecodeError::InvalidLastSymbol(offset, _) => {
                    format!(
                        " (a character that is not base64 at position {})",
                        offset + 1
                    )
                }
                base64::DecodeError::InvalidLength(_) => {
                    " (its length is not a whole number of base64 groups)".to_owned()
                }
                base64::DecodeError::InvalidPadding => " (its padding is wrong)".to_owned(),
            };
            KeyError::invalid(format!("the secret is not base64 or base64url{at}"))
        })
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

/// Resolves `input` into keys, fetching over the network where the source is a URL. With
/// `refresh`, cached copies are ignored and fetched again (the app's "Refresh keys", e.g. after
/// a key rotation); the fresh responses replace them in the cache.
pub async fn resolve_keys(
    input: &KeyInput,
    token: &DecodedToken,
    http: &HttpClient,
    refresh: bool,
) -> Result<ResolvedKeys, KeySourceError> {
    let keys = match input {
        KeyInput::Secret(secret) => {
            vec![VerificationKey::new(
                KeyMaterial::Hmac(secret.clone()),
                KeySource::Secret,
            )]
        }
        KeyInput::Text(text) => keys_from_text(text, None)?,
        KeyInput::JwksUrl(url) => {
            let typed = Provenance::Typed;
            fetch_jwks(http, url, KeySource::JwksUrl, refresh, typed).await?
        }
        KeyInput::Issuer(issuer) => return issuer_keys(issuer.trim(), http, refresh).await,
        KeyInput::TokenHeader => header_keys(token, http, refresh).await?,
    };
    Ok(ResolvedKeys { keys, issuer: None })
}

/// OIDC discovery for `issuer`, then its `jwks_uri`.
async fn issuer_keys(
    issuer: &str,
    http: &HttpClient,
    refresh: bool,
) -> Result<ResolvedKeys, KeySourceError> {
    let metadata_url = well_known_url(issuer)?;
    let fetch = FetchOptions {
        bypass_cache: refresh,
        ..FetchOptions::json()
    };
    let response = http.get(&metadata_url, &fetch).await?;
    let metadata = process_json_response(&response)?;
    // OIDC Discovery 1.0 §4.3: the issuer MUST be identical to the one used, else the
    // metadata (and so its jwks_uri) MUST NOT be used.
    let found = metadata.get("issuer");
    if found.and_then(Value::as_str) != Some(issuer) {
        return Err(KeySourceError::IssuerMismatch {
            expected: issuer.to_owned(),
            found: found.map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned)),
            url: metadata_url,
        });
    }
    let jwks_uri = metadata
        .get("jwks_uri")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            KeySourceError::Missing(format!(
                "the discovery document of {issuer} has no jwks_uri (OIDC Discovery 1.0 §3)"
            ))
        })?;
    // The jwks_uri came from the server: it may reach only what the typed issuer allows.
    let provenance = response.derive(UrlOrigin::JwksUri {
        of: issuer.to_owned(),
    });
    Ok(ResolvedKeys {
        keys: fetch_jwks(http, jwks_uri, KeySource::Issuer, refresh, provenance).await?,
        issuer: Some(issuer.to_owned()),
    })
}

async fn fetch_jwks(
    http: &HttpClient,
    url: &str,
    source: KeySource,
    refresh: bool,
    provenance: Provenance,
) -> Result<Vec<VerificationKey>, KeySourceError> {
    let fetch = FetchOptions {
        accept: Some("application/jwk-set+json, application/json".into()),
        bypass_cache: refresh,
        provenance,
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
    refresh: bool,
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
        // The token chose this URL, not the user: public addresses only.
        let provenance = Provenance::token_jku();
        return fetch_jwks(http, url, KeySource::TokenHeader, refresh, provenance).await;
    }
    Err(KeySourceError::Missing(
        "the token's header has no jwk, x5c or jku to take a key from".into(),
    ))
}
