//! Key text as users give it: a secret in base64, PEM, a JWK or a JWK Set.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use secrecy::zeroize::Zeroizing;
use serde_json::Value;

use super::key::{keys_from_jwks, KeyError, KeySource, VerificationKey};
use super::pem::key_from_pem;
use crate::jose::b64;
use crate::secret::SecretBytes;

/// Largest key file or pasted key text accepted (1 MiB, like any fetched document).
pub const MAX_KEY_TEXT_BYTES: usize = 1024 * 1024;

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
    b64::decode(&url_safe)
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
