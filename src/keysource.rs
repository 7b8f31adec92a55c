//! Key sources for verification: turning what the user named (a secret, key text, a JWKS URL, an
//! issuer, the token's own header) into keys. It sits above [`crate::jwk`] (key parsing) and
//! [`crate::discovery`] (the well-known URL), and its network sources go through the one HTTP
//! seam, [`crate::http::HttpClient`].

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::Value;

use crate::discovery::{well_known_url, DiscoveryError};
use crate::error::ErrorCode;
use crate::http::{
    process_json_response, FetchOptions, HttpClient, HttpError, Provenance, UrlOrigin,
};
use crate::jwk::{
    key_from_cert_der, keys_from_jwks, keys_from_text, KeyError, KeyMaterial, KeySource,
    VerificationKey,
};
use crate::jwt::DecodedToken;
use crate::secret::SecretBytes;

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
