//! The generated-key store: key pairs generated on the spot, kept in memory (never persisted)
//! behind an opaque handle, so a front end can sign with one without ever holding its private
//! half. Private material leaves only through [`GeneratedKeys::export_private`].

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

use serde::Deserialize;

use super::generate::GeneratedKeyPair;
use super::key::KeyError;
use super::private::SigningKey;
use crate::error::ErrorCode;
use crate::secret::Secret;

/// How many generated keys a store holds; keeping one more forgets the oldest.
pub const MAX_GENERATED_KEYS: usize = 16;

/// Generated signing keys, oldest first, at most [`MAX_GENERATED_KEYS`].
#[derive(Default)]
pub struct GeneratedKeys(Mutex<KeyRing>);

#[derive(Default)]
struct KeyRing {
    keys: VecDeque<(String, Arc<SigningKey>)>,
    minted: u64,
}

/// Which text form [`GeneratedKeys::export_private`] returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum PrivateKeyFormat {
    /// PKCS#8 PEM (`PRIVATE KEY`).
    Pem,
    /// A private JWK, pretty-printed.
    Jwk,
}

/// Why a signing key could not be had: unreadable key text, or a handle no longer held.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigningKeyError {
    #[error("this generated key is no longer held (the app keeps the last {MAX_GENERATED_KEYS}); generate a new one")]
    NotHeld,
    #[error(transparent)]
    Key(#[from] KeyError),
}

impl ErrorCode for SigningKeyError {
    fn code(&self) -> &'static str {
        match self {
            SigningKeyError::NotHeld => "encode.unknown_key",
            SigningKeyError::Key(e) => e.code(),
        }
    }
}

impl std::fmt::Debug for GeneratedKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ring = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        write!(f, "GeneratedKeys({} held)", ring.keys.len())
    }
}

impl GeneratedKeys {
    /// Keeps `pair`'s private key and returns its new handle, forgetting the oldest key beyond
    /// the bound.
    pub fn insert(&self, pair: GeneratedKeyPair) -> String {
        let mut ring = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        ring.minted += 1;
        let handle = format!("key-{}", ring.minted);
        if ring.keys.len() == MAX_GENERATED_KEYS {
            ring.keys.pop_front();
        }
        ring.keys
            .push_back((handle.clone(), Arc::new(pair.into_signing_key())));
        handle
    }

    /// The key behind `handle`, to sign with. Crate-private: outside the core a held key is
    /// reached only by signing with it or through [`GeneratedKeys::export_private`].
    pub(crate) fn get(&self, handle: &str) -> Result<Arc<SigningKey>, SigningKeyError> {
        let ring = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        ring.keys
            .iter()
            .find(|(h, _)| h == handle)
            .map(|(_, key)| Arc::clone(key))
            .ok_or(SigningKeyError::NotHeld)
    }

    /// The private half of the key behind `handle`. The one explicit export: the caller decides
    /// where it goes (the app only on a button that says it reveals the key).
    pub fn export_private(
        &self,
        handle: &str,
        format: PrivateKeyFormat,
    ) -> Result<Secret, SigningKeyError> {
        let key = self.get(handle)?;
        Ok(match format {
            PrivateKeyFormat::Pem => key.export_private_pem()?,
            PrivateKeyFormat::Jwk => key.export_private_jwk()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::jwk::{generate_key_pair, GenerateOptions, KeySpec};

    fn ed25519() -> GeneratedKeyPair {
        generate_key_pair(KeySpec::Ed25519, &GenerateOptions::default()).unwrap()
    }

    #[test]
    fn the_oldest_generated_key_is_forgotten_beyond_the_bound() {
        let keys = GeneratedKeys::default();
        let first = keys.insert(ed25519());
        let mut last = String::new();
        for _ in 0..MAX_GENERATED_KEYS {
            last = keys.insert(ed25519());
        }
        let error = keys
            .export_private(&first, PrivateKeyFormat::Pem)
            .unwrap_err();
        assert_eq!(error, SigningKeyError::NotHeld);
        assert_eq!(error.code(), "encode.unknown_key");
        assert!(keys.export_private(&last, PrivateKeyFormat::Pem).is_ok());
        assert!(
            keys.export_private("key-2", PrivateKeyFormat::Jwk).is_ok(),
            "16 kept"
        );
        assert!(keys.get("never-issued").is_err());
    }

    #[test]
    fn private_material_leaves_only_through_export() {
        let keys = GeneratedKeys::default();
        let pair = generate_key_pair(
            KeySpec::Ec {
                crv: crate::jwk::EcCurve::P384,
            },
            &GenerateOptions::default(),
        )
        .unwrap();
        let kid = pair.public().kid.clone();
        let handle = keys.insert(pair);
        assert!(!format!("{keys:?}").contains("PRIVATE"));

        let pem = keys.export_private(&handle, PrivateKeyFormat::Pem).unwrap();
        assert!(pem
            .expose_secret()
            .starts_with("-----BEGIN PRIVATE KEY-----"));
        let jwk = keys.export_private(&handle, PrivateKeyFormat::Jwk).unwrap();
        let jwk: Value = serde_json::from_str(jwk.expose_secret()).unwrap();
        assert_eq!(jwk["kid"], Value::String(kid));
        assert!(jwk["d"].is_string());
    }
}
