//! Key sources for verification: turning what the user named (a secret, key text, a JWKS URL, an
//! issuer, the token's own header) into keys. It sits above [`crate::jwk`] (key parsing) and
//! [`crate::discovery`] (the well-known URL), and its network sources go through the one HTTP
//! seam, [`crate::http::HttpClient`].

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::Deserialize;
use serde_json::Value;

use crate::discovery::{well_known_url, DiscoveryError};
use crate::error::ErrorCode;
use crate::http::{
    process_json_response, FetchOptions, HttpClient, HttpError, Provenance, Transcript, UrlOrigin,
};
use crate::jwk::{
    key_from_cert_der, keys_from_jwks, keys_from_text, secret_from_base64, KeyError, KeyMaterial,
    KeySource, VerificationKey,
};
use crate::jwt::verify::{verify_decoded, VerifyError, VerifyOptions, VerifyReport};
use crate::jwt::{decode_unverified, DecodedToken};
use crate::secret::{Secret, SecretBytes};

/// One key source, as named by the user: the one type both front ends use. The app sends it over
/// IPC as `{"kind": "secret" | "secret_b64" | "key_text" | "jwks_url" | "issuer" |
/// "token_header", "value": …}` (no `value` for `token_header`); the CLI maps its flags to it.
/// Secrets are held as [`Secret`] from deserialisation on.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "KeySourceRequest"))]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum KeyInput {
    /// A shared HMAC secret, as text (its UTF-8 bytes).
    Secret(#[cfg_attr(feature = "ts", ts(type = "string"))] Secret),
    /// A shared HMAC secret as base64 or base64url, padding optional.
    SecretB64(#[cfg_attr(feature = "ts", ts(type = "string"))] Secret),
    /// A shared HMAC secret as raw bytes (the CLI's secret files and standard input). Not part
    /// of the IPC shape.
    #[serde(skip)]
    #[cfg_attr(feature = "ts", ts(skip))]
    SecretBytes(SecretBytes),
    /// Key text: PEM (SPKI, PKCS#1, certificate), a JWK or a JWKS.
    KeyText(String),
    /// A JWK Set URL.
    JwksUrl(String),
    /// An issuer: OIDC discovery, then its `jwks_uri`; this issuer becomes the expected `iss`.
    Issuer(String),
    /// The token's own `jwk`, `x5c` or `jku` header. Untrusted by construction: for teaching.
    TokenHeader,
}

impl KeyInput {
    /// Whether the keys come from the input alone (a secret, key text, or the token's own `jwk`
    /// or `x5c`): resolving them then never touches the network, so a caller need not start an
    /// async runtime for it (the CLI does not, which is most of a local `verify`'s start-up).
    pub fn is_local(&self, token: &DecodedToken) -> bool {
        match self {
            KeyInput::Secret(_)
            | KeyInput::SecretB64(_)
            | KeyInput::SecretBytes(_)
            | KeyInput::KeyText(_) => true,
            KeyInput::JwksUrl(_) | KeyInput::Issuer(_) => false,
            // The order `header_keys` takes them in: only a `jku` it would reach is remote.
            KeyInput::TokenHeader => {
                header_x5c_first(token).is_some()
                    || token.header.get("jwk").is_some()
                    || token.header.get("jku").and_then(Value::as_str).is_none()
            }
        }
    }
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

/// Where network key sources fetch from: the shared client, this operation's transcript, and
/// whether to bypass the cache.
#[derive(Debug, Clone, Copy)]
pub struct KeyFetch<'a> {
    pub http: &'a HttpClient,
    /// Records every exchange made for the keys.
    pub transcript: &'a Transcript,
    /// Ignore cached copies and fetch again (the app's "Refresh keys", e.g. after a key
    /// rotation); the fresh responses replace them in the cache.
    pub refresh: bool,
}

/// Resolves `input` into keys, fetching over the network (through `fetch`) where the source is
/// a URL or the token's `jku`.
pub async fn resolve_keys(
    input: &KeyInput,
    token: &DecodedToken,
    fetch: KeyFetch<'_>,
) -> Result<ResolvedKeys, KeySourceError> {
    let hmac = |secret: SecretBytes| {
        vec![VerificationKey::new(
            KeyMaterial::Hmac(secret),
            KeySource::Secret,
        )]
    };
    let keys = match input {
        KeyInput::Secret(text) => hmac(SecretBytes::new(text.expose_secret().as_bytes().to_vec())),
        KeyInput::SecretB64(b64) => hmac(secret_from_base64(b64.expose_secret())?),
        KeyInput::SecretBytes(secret) => hmac(secret.clone()),
        KeyInput::KeyText(text) => keys_from_text(text, None)?,
        KeyInput::JwksUrl(url) => {
            let typed = Provenance::Typed;
            fetch_jwks(fetch, url.trim(), KeySource::JwksUrl, typed).await?
        }
        KeyInput::Issuer(issuer) => return issuer_keys(issuer.trim(), fetch).await,
        KeyInput::TokenHeader => header_keys(token, fetch).await?,
    };
    Ok(ResolvedKeys { keys, issuer: None })
}

/// Why a token could not be verified with a key source: the keys could not be had, or the token
/// cannot be verified at all (malformed, encrypted). A failed check is not an error: it is in
/// the report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyVerifyError {
    #[error(transparent)]
    Keys(#[from] KeySourceError),
    #[error(transparent)]
    Verify(#[from] VerifyError),
}

impl ErrorCode for KeyVerifyError {
    fn code(&self) -> &'static str {
        match self {
            KeyVerifyError::Keys(e) => e.code(),
            KeyVerifyError::Verify(e) => e.code(),
        }
    }
}

/// Verifies `token` (as pasted) with the keys `key` names: decode (as of `options.now`), resolve
/// the keys, verify. The one path the CLI's `verify` and the app's `verify_token` share.
pub async fn verify_with_key_source(
    token: &str,
    key: &KeyInput,
    options: VerifyOptions,
    fetch: KeyFetch<'_>,
) -> Result<VerifyReport, KeyVerifyError> {
    let decoded = decode_unverified(token, options.now).map_err(VerifyError::Malformed)?;
    verify_decoded_with_key_source(&decoded, key, options, fetch).await
}

/// [`verify_with_key_source`] for a token already decoded. With the `issuer` key source and no
/// expected issuer in `options`, that issuer is expected: its keys only vouch for tokens it made
/// (its metadata named it exactly, OIDC Discovery 1.0 §4.3).
pub async fn verify_decoded_with_key_source(
    decoded: &DecodedToken,
    key: &KeyInput,
    mut options: VerifyOptions,
    fetch: KeyFetch<'_>,
) -> Result<VerifyReport, KeyVerifyError> {
    let resolved = resolve_keys(key, decoded, fetch).await?;
    options.issuer = options.issuer.or(resolved.issuer);
    Ok(verify_decoded(decoded, &resolved.keys, &options)?)
}

/// OIDC discovery for `issuer`, then its `jwks_uri`.
async fn issuer_keys(issuer: &str, fetch: KeyFetch<'_>) -> Result<ResolvedKeys, KeySourceError> {
    let metadata_url = well_known_url(issuer)?;
    let options = FetchOptions {
        bypass_cache: fetch.refresh,
        ..FetchOptions::json()
    };
    let response = (fetch.http)
        .get(&metadata_url, &options, fetch.transcript)
        .await?;
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
        keys: fetch_jwks(fetch, jwks_uri, KeySource::Issuer, provenance).await?,
        issuer: Some(issuer.to_owned()),
    })
}

/// The keys of an issuer whose metadata was already fetched (a flow's discovery step): its
/// `jwks_uri` with the provenance that metadata gave it. Keys are marked as the issuer's.
pub async fn issuer_jwks_keys(
    fetch: KeyFetch<'_>,
    jwks_uri: &str,
    provenance: Provenance,
) -> Result<Vec<VerificationKey>, KeySourceError> {
    fetch_jwks(fetch, jwks_uri, KeySource::Issuer, provenance).await
}

async fn fetch_jwks(
    fetch: KeyFetch<'_>,
    url: &str,
    source: KeySource,
    provenance: Provenance,
) -> Result<Vec<VerificationKey>, KeySourceError> {
    let options = FetchOptions {
        accept: Some("application/jwk-set+json, application/json".into()),
        bypass_cache: fetch.refresh,
        provenance,
    };
    let value = fetch.http.get_json(url, &options, fetch.transcript).await?;
    if value.get("keys").is_none() {
        return Err(KeyError::invalid(format!(
            "{url} returned JSON without a \"keys\" array: not a JWK Set (RFC 7517 §5)"
        ))
        .into());
    }
    Ok(keys_from_jwks(&value, source)?)
}

/// The first certificate of the token's `x5c` header, as base64 text.
fn header_x5c_first(token: &DecodedToken) -> Option<&str> {
    token
        .header
        .get("x5c")
        .and_then(Value::as_array)
        .and_then(|c| c.first())
        .and_then(Value::as_str)
}

/// Keys named by the token itself (RFC 7515 §4.1.2, §4.1.3, §4.1.6), marked untrusted.
async fn header_keys(
    token: &DecodedToken,
    fetch: KeyFetch<'_>,
) -> Result<Vec<VerificationKey>, KeySourceError> {
    let header = &token.header;
    if let Some(jwk) = header.get("jwk") {
        return Ok(vec![VerificationKey::from_jwk(
            jwk,
            KeySource::TokenHeader,
        )?]);
    }
    if let Some(first) = header_x5c_first(token) {
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
        return fetch_jwks(fetch, url, KeySource::TokenHeader, provenance).await;
    }
    Err(KeySourceError::Missing(
        "the token's header has no jwk, x5c or jku to take a key from".into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn token_with_header(header: &str) -> DecodedToken {
        let token = format!(
            "{}.{}.c2ln",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(r#"{"sub":"x"}"#)
        );
        decode_unverified(&token, 0).unwrap()
    }

    #[test]
    fn only_a_reachable_jku_or_a_url_makes_a_key_source_remote() {
        let plain = token_with_header(r#"{"alg":"RS256"}"#);
        let jku = token_with_header(r#"{"alg":"RS256","jku":"https://example.com/jwks"}"#);
        let jwk_and_jku =
            token_with_header(r#"{"alg":"RS256","jwk":{},"jku":"https://example.com/jwks"}"#);
        let x5c_and_jku =
            token_with_header(r#"{"alg":"RS256","x5c":["MII"],"jku":"https://example.com/j"}"#);
        // An x5c that is not a list of strings is skipped, so the jku behind it is fetched.
        let bad_x5c_and_jku =
            token_with_header(r#"{"alg":"RS256","x5c":"MII","jku":"https://example.com/j"}"#);
        let header = KeyInput::TokenHeader;
        assert!(header.is_local(&plain));
        assert!(!header.is_local(&jku));
        assert!(header.is_local(&jwk_and_jku));
        assert!(header.is_local(&x5c_and_jku));
        assert!(!header.is_local(&bad_x5c_and_jku));
        assert!(KeyInput::KeyText(String::new()).is_local(&jku));
        assert!(KeyInput::Secret(Secret::new("s")).is_local(&jku));
        assert!(!KeyInput::JwksUrl("https://example.com/jwks".into()).is_local(&plain));
        assert!(!KeyInput::Issuer("https://example.com".into()).is_local(&plain));
    }
}
