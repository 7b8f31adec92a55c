//! Verification keys from every source, normalised to one [`VerificationKey`].

use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::error::ErrorCode;
use crate::jose::alg::{JwsAlg, KeyFamily};
use crate::jose::b64;
use crate::jose::key_type::{Curve, EcCurve, KeyType};
use crate::secret::SecretBytes;

/// Where a key came from; shown in reports so people know what was trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum KeySource {
    Secret,
    Pem,
    Jwk,
    Jwks,
    JwksUrl,
    Issuer,
    /// The token's own `jwk`, `x5c` or `jku` header: controlled by whoever made the token.
    TokenHeader,
}

/// The public part of a key (or an HMAC secret, never displayed).
#[derive(Clone)]
pub enum KeyMaterial {
    Hmac(SecretBytes),
    Rsa {
        n: Vec<u8>,
        e: Vec<u8>,
    },
    Ec {
        crv: EcCurve,
        x: Vec<u8>,
        y: Vec<u8>,
    },
    Ed25519 {
        x: Vec<u8>,
    },
}

impl std::fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyMaterial::Hmac(s) => write!(f, "Hmac({s:?})"),
            other => write!(f, "{}", other.kty()),
        }
    }
}

impl KeyMaterial {
    pub fn kty(&self) -> KeyType {
        match self {
            KeyMaterial::Hmac(_) => KeyType::Oct,
            KeyMaterial::Rsa { .. } => KeyType::Rsa,
            KeyMaterial::Ec { .. } => KeyType::Ec,
            KeyMaterial::Ed25519 { .. } => KeyType::Okp,
        }
    }

    /// Key size in bits: the RSA modulus, the curve, or the HMAC secret length.
    pub fn size_bits(&self) -> u32 {
        let bits = |bytes: &[u8]| {
            let trimmed: &[u8] = match bytes.iter().position(|b| *b != 0) {
                Some(i) => &bytes[i..],
                None => &[],
            };
            match trimmed.first() {
                Some(first) => (trimmed.len() as u32 - 1) * 8 + (8 - first.leading_zeros()),
                None => 0,
            }
        };
        match self {
            KeyMaterial::Hmac(s) => s.len() as u32 * 8,
            KeyMaterial::Rsa { n, .. } => bits(n),
            KeyMaterial::Ec { crv, .. } => crv.bits(),
            KeyMaterial::Ed25519 { .. } => 256,
        }
    }

    pub fn curve(&self) -> Option<Curve> {
        match self {
            KeyMaterial::Ec { crv, .. } => Some((*crv).into()),
            KeyMaterial::Ed25519 { .. } => Some(Curve::Ed25519),
            _ => None,
        }
    }

    /// Whether `alg` can be used with this kind of key at all.
    pub fn fits(&self, alg: JwsAlg) -> bool {
        matches!(
            (alg.family(), self),
            (KeyFamily::Hmac, KeyMaterial::Hmac(_))
                | (KeyFamily::Rsa, KeyMaterial::Rsa { .. })
                | (KeyFamily::Okp, KeyMaterial::Ed25519 { .. })
        ) || matches!((alg.family(), self), (KeyFamily::Ec(c), KeyMaterial::Ec { crv, .. }) if c == *crv)
    }

    /// The algorithms that fit this key: the default allow-list when the user names none.
    pub fn fitting_algs(&self) -> Vec<JwsAlg> {
        JwsAlg::ALL.into_iter().filter(|a| self.fits(*a)).collect()
    }

    /// The public JWK members (RFC 7517/7518); `None` for HMAC secrets, which are never shown.
    pub fn public_jwk(&self) -> Option<Map<String, Value>> {
        let b = |bytes: &[u8]| Value::String(b64::encode(bytes));
        let v = match self {
            KeyMaterial::Hmac(_) => return None,
            KeyMaterial::Rsa { n, e } => {
                json!({"kty": "RSA", "n": b(strip_zeros(n)), "e": b(strip_zeros(e))})
            }
            KeyMaterial::Ec { crv, x, y } => json!({"kty": "EC", "crv": crv, "x": b(x), "y": b(y)}),
            KeyMaterial::Ed25519 { x } => json!({"kty": "OKP", "crv": "Ed25519", "x": b(x)}),
        };
        v.as_object().cloned()
    }

    /// RFC 7638 thumbprint (SHA-256, base64url) of the public key; for HMAC, of the `oct` form,
    /// which identifies the secret without revealing it.
    pub fn thumbprint(&self) -> String {
        let jwk = match self {
            KeyMaterial::Hmac(s) => {
                json!({"kty": "oct", "k": b64::encode(s.expose_secret())})
            }
            other => Value::Object(other.public_jwk().unwrap_or_default()),
        };
        // Every member jwk_thumbprint needs is present by construction.
        super::summary::jwk_thumbprint(&jwk).unwrap_or_default()
    }
}

fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| *b != 0)
        .unwrap_or(bytes.len().saturating_sub(1));
    &bytes[start..]
}

/// A key ready for signature verification, with what is known about it.
#[derive(Debug, Clone)]
pub struct VerificationKey {
    pub material: KeyMaterial,
    pub source: KeySource,
    pub kid: Option<String>,
    /// The `alg` the key is restricted to, if its JWK says so.
    pub alg: Option<String>,
    /// The JWK `use` member (`sig` or `enc`).
    pub use_: Option<String>,
}

impl VerificationKey {
    pub fn new(material: KeyMaterial, source: KeySource) -> Self {
        VerificationKey {
            material,
            source,
            kid: None,
            alg: None,
            use_: None,
        }
    }

    /// Reads one JWK (RFC 7517 §4). Private members, if present, are ignored.
    pub fn from_jwk(jwk: &Value, source: KeySource) -> Result<Self, KeyError> {
        let obj = jwk
            .as_object()
            .ok_or_else(|| KeyError::invalid("a JWK must be a JSON object"))?;
        let text = |name: &str| obj.get(name).and_then(Value::as_str);
        let bytes = |name: &str| -> Result<Vec<u8>, KeyError> {
            let v = text(name)
                .ok_or_else(|| KeyError::invalid(format!("the JWK has no \"{name}\" member")))?;
            b64::decode(v).map_err(|_| {
                KeyError::invalid(format!("the JWK member \"{name}\" is not base64url"))
            })
        };
        let kty = text("kty").ok_or_else(|| KeyError::invalid("the JWK has no \"kty\" member"))?;
        let material = match kty {
            "RSA" => KeyMaterial::Rsa {
                n: bytes("n")?,
                e: bytes("e")?,
            },
            "EC" => {
                let Some(crv) = text("crv").and_then(EcCurve::parse) else {
                    let other = text("crv");
                    return Err(KeyError::unsupported(format!("EC curve {other:?}")));
                };
                let (x, y) = (bytes("x")?, bytes("y")?);
                let len = crv.coordinate_len();
                if x.len() != len || y.len() != len {
                    return Err(KeyError::invalid(format!(
                        "{crv} coordinates must be {len} bytes each (RFC 7518 §6.2.1.2)"
                    )));
                }
                KeyMaterial::Ec { crv, x, y }
            }
            "OKP" => match text("crv") {
                Some("Ed25519") => {
                    let x = bytes("x")?;
                    if x.len() != 32 {
                        return Err(KeyError::invalid(
                            "an Ed25519 public key is 32 bytes (RFC 8037 §2)",
                        ));
                    }
                    KeyMaterial::Ed25519 { x }
                }
                other => return Err(KeyError::unsupported(format!("OKP curve {other:?}"))),
            },
            "oct" => KeyMaterial::Hmac(SecretBytes::new(bytes("k")?)),
            other => return Err(KeyError::unsupported(format!("key type \"{other}\""))),
        };
        Ok(VerificationKey {
            material,
            source,
            kid: text("kid").map(str::to_owned),
            alg: text("alg").map(str::to_owned),
            use_: text("use").map(str::to_owned),
        })
    }

    /// Whether this key may be tried for `alg`: the key type fits and its own `alg`/`use`
    /// (if any) allow it (RFC 7517 §4.2, §4.4).
    pub fn usable_for(&self, alg: JwsAlg) -> bool {
        self.material.fits(alg)
            && self.alg.as_deref().is_none_or(|a| a == alg.name())
            && self.use_.as_deref().is_none_or(|u| u == "sig")
    }
}

/// Reads a JWK Set (RFC 7517 §5), or a single JWK given where a set was expected.
pub fn keys_from_jwks(value: &Value, source: KeySource) -> Result<Vec<VerificationKey>, KeyError> {
    let Some(keys) = value.get("keys") else {
        return Ok(vec![VerificationKey::from_jwk(value, source)?]);
    };
    let keys = keys
        .as_array()
        .ok_or_else(|| KeyError::invalid("\"keys\" must be an array (RFC 7517 §5.1)"))?;
    // RFC 7517 §5: keys we cannot use are skipped, not fatal.
    Ok(keys
        .iter()
        .filter_map(|k| VerificationKey::from_jwk(k, source).ok())
        .collect())
}

/// Why key material could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("invalid key: {0}")]
    Invalid(String),
    #[error("unsupported key: {0}")]
    Unsupported(String),
    #[error("{0}")]
    Unreadable(String),
}

impl KeyError {
    pub(crate) fn invalid(msg: impl Into<String>) -> Self {
        KeyError::Invalid(msg.into())
    }
    pub(crate) fn unsupported(msg: impl Into<String>) -> Self {
        KeyError::Unsupported(msg.into())
    }
}

impl ErrorCode for KeyError {
    fn code(&self) -> &'static str {
        match self {
            KeyError::Invalid(_) => "key.invalid",
            KeyError::Unsupported(_) => "key.unsupported",
            KeyError::Unreadable(_) => "key.unreadable",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7638_example_thumbprint() {
        // RFC 7638 §3.1.
        let jwk = json!({
            "kty": "RSA",
            "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
            "e": "AQAB",
            "alg": "RS256",
            "kid": "2011-04-29"
        });
        let key = VerificationKey::from_jwk(&jwk, KeySource::Jwk).unwrap();
        assert_eq!(
            key.material.thumbprint(),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
        assert_eq!(key.material.size_bits(), 2048);
        assert_eq!(key.kid.as_deref(), Some("2011-04-29"));
    }

    #[test]
    fn key_restrictions_limit_algorithms() {
        let mut key = VerificationKey::new(
            KeyMaterial::Hmac(SecretBytes::new(vec![1; 32])),
            KeySource::Secret,
        );
        assert!(key.usable_for(JwsAlg::HS256));
        assert!(!key.usable_for(JwsAlg::RS256));
        key.alg = Some("HS512".into());
        assert!(!key.usable_for(JwsAlg::HS256));
        key.alg = None;
        key.use_ = Some("enc".into());
        assert!(!key.usable_for(JwsAlg::HS256));
    }

    #[test]
    fn hmac_secrets_never_show_in_debug() {
        let m = KeyMaterial::Hmac(SecretBytes::new(b"supersecret".to_vec()));
        assert!(!format!("{m:?}").contains("supersecret"));
        assert!(m.public_jwk().is_none());
    }
}
