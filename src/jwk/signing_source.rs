//! Where a signing key comes from, defined once for every front end: the CLI maps its flags to
//! it, the app deserialises it from the Encode view's request (the JSON shape is
//! `{"kind": "secret", "value": "…"}`).

use std::sync::Arc;

use serde::{Deserialize, Deserializer};

use super::private::SigningKey;
use super::store::{GeneratedKeys, SigningKeyError};
use super::text::secret_from_base64;
use crate::secret::{Secret, SecretBytes};

/// Where the signing key comes from. Secrets and key text are held as [`Secret`] /
/// [`SecretBytes`] from the moment they arrive; there is no `Serialize`.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum SigningKeySource {
    /// A shared HMAC secret: over IPC as text (its UTF-8 bytes); the CLI's files may hold any bytes.
    #[serde(deserialize_with = "secret_text_bytes")]
    Secret(#[cfg_attr(feature = "ts", ts(type = "string"))] SecretBytes),
    /// A shared HMAC secret as base64 or base64url, padding optional.
    SecretB64(#[cfg_attr(feature = "ts", ts(type = "string"))] Secret),
    /// Private key text: PEM (PKCS#8, PKCS#1, SEC1) or a private JWK.
    PrivateKey(#[cfg_attr(feature = "ts", ts(type = "string"))] Secret),
    /// The handle of a key kept in a [`GeneratedKeys`] store.
    Generated(String),
}

impl SigningKeySource {
    /// The key this source names; a generated key is looked up in `held`.
    pub(crate) fn resolve(self, held: &GeneratedKeys) -> Result<Arc<SigningKey>, SigningKeyError> {
        Ok(match self {
            SigningKeySource::Secret(bytes) => Arc::new(SigningKey::from_secret(bytes)),
            SigningKeySource::SecretB64(text) => Arc::new(SigningKey::from_secret(
                secret_from_base64(text.expose_secret())?,
            )),
            SigningKeySource::PrivateKey(text) => {
                Arc::new(SigningKey::from_text(text.expose_secret())?)
            }
            SigningKeySource::Generated(handle) => held.get(&handle)?,
        })
    }
}

/// Secret text as its UTF-8 bytes. The text arrives as a [`Secret`], wiped when dropped; the
/// bytes are copied once, at their exact length.
fn secret_text_bytes<'de, D: Deserializer<'de>>(deserializer: D) -> Result<SecretBytes, D::Error> {
    let text = Secret::deserialize(deserializer)?;
    Ok(SecretBytes::new(text.expose_secret().as_bytes().to_vec()))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::error::ErrorCode as _;
    use crate::jwk::{generate_key_pair, GenerateOptions, KeySpec};

    fn source(value: serde_json::Value) -> SigningKeySource {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn every_kind_deserialises_from_the_encode_views_json_and_prints_redacted() {
        let held = GeneratedKeys::default();
        let secret = source(json!({"kind": "secret", "value": "hunter2-hunter2"}));
        assert!(!format!("{secret:?}").contains("hunter2"));
        assert_eq!(secret.resolve(&held).unwrap().size_bits(), 15 * 8);

        let b64 = source(json!({"kind": "secret_b64", "value": "aHVudGVyMg"}));
        assert!(!format!("{b64:?}").contains("aHVudGVyMg"));
        assert_eq!(b64.resolve(&held).unwrap().size_bits(), 7 * 8);

        let pair = generate_key_pair(KeySpec::Ed25519, &GenerateOptions::default()).unwrap();
        let pem = pair.export_private_pem().unwrap();
        let text = source(json!({"kind": "private_key", "value": pem.expose_secret()}));
        assert!(!format!("{text:?}").contains("PRIVATE KEY"));
        assert!(!text.resolve(&held).unwrap().is_secret());

        let thumbprint = pair.public().thumbprint.clone();
        let handle = held.insert(pair);
        let generated = source(json!({"kind": "generated", "value": handle}));
        assert_eq!(
            generated.resolve(&held).unwrap().thumbprint(),
            Some(thumbprint)
        );
    }

    #[test]
    fn a_bad_source_is_a_coded_error_that_never_echoes_the_secret() {
        let held = GeneratedKeys::default();
        let error = source(json!({"kind": "secret_b64", "value": "not base64!"}))
            .resolve(&held)
            .unwrap_err();
        assert_eq!(error.code(), "key.invalid");
        assert!(!error.to_string().contains("not base64!"));
        let error = source(json!({"kind": "generated", "value": "key-1"}))
            .resolve(&held)
            .unwrap_err();
        assert_eq!(error.code(), "encode.unknown_key");
        assert!(serde_json::from_value::<SigningKeySource>(json!({"kind": "jwks_url"})).is_err());
    }
}
