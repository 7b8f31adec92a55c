//! Generating key pairs on the spot and exporting them: private PEM (PKCS#8) and JWK, public PEM
//! (SPKI), JWK and JWK Set, with `kid` defaulting to the RFC 7638 thumbprint.
//!
//! Private material leaves only through the `export_private_*` methods, as a [`Secret`].

use rsa::pkcs8::{EncodePrivateKey as _, EncodePublicKey as _, LineEnding};
use rsa::traits::PrivateKeyParts as _;
use rsa::RsaPrivateKey;
use serde::Serialize;
use serde_json::{json, Map, Value};

use super::key::KeyError;
use super::private::{PrivateKey, SigningKey};
use crate::jose::alg::JwsAlg;
use crate::jose::b64;
use crate::jose::{Curve, EcCurve, KeyType};
use crate::secret::Secret;

/// RSA modulus sizes offered for generation (RFC 7518 §3.3 requires at least 2048).
pub const RSA_KEY_SIZES: [u32; 3] = [2048, 3072, 4096];

/// What kind of key pair to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kty")]
pub enum KeySpec {
    /// RSA with a 2048, 3072 or 4096-bit modulus.
    #[serde(rename = "RSA")]
    Rsa { bits: u32 },
    /// NIST P-256 / P-384 / P-521 (`crv` as in RFC 7518 §6.2.1.1).
    #[serde(rename = "EC")]
    Ec { crv: EcCurve },
    /// Ed25519 (RFC 8037).
    #[serde(rename = "OKP")]
    Ed25519,
}

/// Choices for a generated key's public JWK.
#[derive(Debug, Clone, Default)]
pub struct GenerateOptions {
    /// The `kid`; `None` uses the RFC 7638 thumbprint.
    pub kid: Option<String>,
    /// The `alg` written in the JWKs; `None` uses the key's usual one (RS256, ES256, EdDSA…).
    /// Verifiers honour it (RFC 7517 §4.4), so a key meant for PS256 must say PS256.
    pub alg: Option<JwsAlg>,
}

/// The public half of a generated key pair, ready to show and export.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PublicKeyExport {
    pub kid: String,
    /// RFC 7638 SHA-256 thumbprint (base64url); equal to `kid` unless a `kid` was chosen.
    pub thumbprint: String,
    pub kty: KeyType,
    pub alg: JwsAlg,
    pub curve: Option<Curve>,
    pub size_bits: u32,
    /// The public JWK with `kid`, `alg` and `use: "sig"`.
    #[cfg_attr(feature = "ts", ts(type = "Record<string, unknown>"))]
    pub jwk: Value,
    /// `{"keys": [jwk]}` (RFC 7517 §5).
    #[cfg_attr(feature = "ts", ts(type = "{ keys: Array<Record<string, unknown>> }"))]
    pub jwks: Value,
    /// SubjectPublicKeyInfo PEM (`PUBLIC KEY`).
    pub pem: String,
}

/// A freshly generated key pair. The private key stays inside until explicitly exported.
#[derive(Debug)]
pub struct GeneratedKeyPair {
    private: SigningKey,
    public: PublicKeyExport,
}

impl GeneratedKeyPair {
    /// The key to sign with (its `kid` and `alg` are the public JWK's).
    pub fn signing_key(&self) -> &SigningKey {
        &self.private
    }

    pub fn into_signing_key(self) -> SigningKey {
        self.private
    }

    /// Everything that may be shown or shared.
    pub fn public(&self) -> &PublicKeyExport {
        &self.public
    }

    /// The private key as PKCS#8 PEM. An explicit export: the caller decides where it goes.
    pub fn export_private_pem(&self) -> Result<Secret, KeyError> {
        self.private.export_private_pem()
    }

    /// The private JWK (public members, `kid`, `alg`, `use` and the private members).
    pub fn export_private_jwk(&self) -> Result<Secret, KeyError> {
        self.private.export_private_jwk()
    }
}

/// Generates a key pair with the operating system's RNG.
pub fn generate_key_pair(
    spec: KeySpec,
    options: &GenerateOptions,
) -> Result<GeneratedKeyPair, KeyError> {
    let mut rng = rand_core::OsRng;
    let inner = match spec {
        KeySpec::Rsa { bits } => {
            if !RSA_KEY_SIZES.contains(&bits) {
                return Err(KeyError::unsupported(format!(
                    "RSA size {bits}; choose 2048, 3072 or 4096"
                )));
            }
            let key = RsaPrivateKey::new(&mut rng, bits as usize)
                .map_err(|e| KeyError::Unreadable(format!("RSA key generation failed: {e}")))?;
            PrivateKey::Rsa(Box::new(key))
        }
        KeySpec::Ec { crv: EcCurve::P256 } => {
            PrivateKey::P256(p256::ecdsa::SigningKey::random(&mut rng))
        }
        KeySpec::Ec { crv: EcCurve::P384 } => {
            PrivateKey::P384(p384::ecdsa::SigningKey::random(&mut rng))
        }
        KeySpec::Ec { crv: EcCurve::P521 } => {
            PrivateKey::P521(p521::ecdsa::SigningKey::random(&mut rng))
        }
        KeySpec::Ed25519 => PrivateKey::Ed25519(ed25519_dalek::SigningKey::generate(&mut rng)),
    };
    let mut private = SigningKey::from_inner(inner);
    let alg = options.alg.unwrap_or_else(|| private.default_alg());
    if !private.fits(alg) {
        return Err(KeyError::invalid(format!(
            "{alg} cannot be used with {}",
            private.describe()
        )));
    }
    let thumbprint = private.thumbprint().unwrap_or_default();
    let kid = options.kid.clone().unwrap_or_else(|| thumbprint.clone());
    private.kid = Some(kid.clone());
    private.alg = Some(alg.name().to_owned());
    let jwk = Value::Object(private.public_jwk_with_metadata().unwrap_or_default());
    let material = private.public_material();
    let public = PublicKeyExport {
        kid,
        thumbprint,
        kty: material.kty(),
        alg,
        curve: material.curve(),
        size_bits: material.size_bits(),
        jwks: json!({ "keys": [jwk.clone()] }),
        jwk,
        pem: private.export_public_pem()?,
    };
    Ok(GeneratedKeyPair { private, public })
}

impl SigningKey {
    /// The public JWK plus this key's `use: "sig"`, `alg` and `kid`; `None` for HMAC secrets.
    pub fn public_jwk_with_metadata(&self) -> Option<Map<String, Value>> {
        let mut jwk = self.public_jwk()?;
        jwk.insert("use".into(), json!("sig"));
        if let Some(alg) = &self.alg {
            jwk.insert("alg".into(), json!(alg));
        }
        if let Some(kid) = &self.kid {
            jwk.insert("kid".into(), json!(kid));
        }
        Some(jwk)
    }

    /// The public key as SPKI PEM (`PUBLIC KEY`). Fails for HMAC secrets, which have none.
    pub fn export_public_pem(&self) -> Result<String, KeyError> {
        let fail =
            |e: &dyn std::fmt::Display| KeyError::Unreadable(format!("PEM export failed: {e}"));
        let lf = LineEnding::LF;
        match &self.inner {
            PrivateKey::Hmac(_) => Err(no_pem()),
            PrivateKey::Rsa(k) => k
                .to_public_key()
                .to_public_key_pem(lf)
                .map_err(|e| fail(&e)),
            PrivateKey::P256(k) => k
                .verifying_key()
                .to_public_key_pem(lf)
                .map_err(|e| fail(&e)),
            PrivateKey::P384(k) => k
                .verifying_key()
                .to_public_key_pem(lf)
                .map_err(|e| fail(&e)),
            PrivateKey::P521(k) => {
                let point = p521::ecdsa::VerifyingKey::from(k).to_encoded_point(false);
                p521::PublicKey::from_sec1_bytes(point.as_bytes())
                    .map_err(|e| fail(&e))?
                    .to_public_key_pem(lf)
                    .map_err(|e| fail(&e))
            }
            PrivateKey::Ed25519(k) => k
                .verifying_key()
                .to_public_key_pem(lf)
                .map_err(|e| fail(&e)),
        }
    }

    /// The private key as PKCS#8 PEM (`PRIVATE KEY`). An explicit export of secret material.
    pub fn export_private_pem(&self) -> Result<Secret, KeyError> {
        let fail =
            |e: &dyn std::fmt::Display| KeyError::Unreadable(format!("PEM export failed: {e}"));
        let lf = LineEnding::LF;
        let pem = match &self.inner {
            PrivateKey::Hmac(_) => return Err(no_pem()),
            PrivateKey::Rsa(k) => k.to_pkcs8_pem(lf),
            PrivateKey::P256(k) => k.to_pkcs8_pem(lf),
            PrivateKey::P384(k) => k.to_pkcs8_pem(lf),
            PrivateKey::P521(k) => p521::SecretKey::from_bytes(&k.to_bytes())
                .map_err(|e| fail(&e))?
                .to_pkcs8_pem(lf),
            PrivateKey::Ed25519(k) => k.to_pkcs8_pem(lf),
        }
        .map_err(|e| fail(&e))?;
        Ok(Secret::new(pem.as_str()))
    }

    /// The private JWK as pretty JSON text (RFC 7518 §6.2.2, §6.3.2; RFC 8037 §2), with `use`,
    /// `alg` and `kid` when known. For an HMAC secret, the `oct` JWK.
    pub fn export_private_jwk(&self) -> Result<Secret, KeyError> {
        let b = |bytes: &[u8]| Value::String(b64::encode(bytes));
        let mut jwk = match &self.inner {
            PrivateKey::Hmac(s) => {
                let mut m = Map::new();
                m.insert("kty".into(), json!("oct"));
                m.insert("k".into(), b(s.expose_secret()));
                if let Some(alg) = &self.alg {
                    m.insert("alg".into(), json!(alg));
                }
                if let Some(kid) = &self.kid {
                    m.insert("kid".into(), json!(kid));
                }
                m
            }
            _ => self.public_jwk_with_metadata().unwrap_or_default(),
        };
        match &self.inner {
            PrivateKey::Hmac(_) => {}
            PrivateKey::Rsa(k) => {
                let big = |n: &rsa::BigUint| b(&n.to_bytes_be());
                jwk.insert("d".into(), big(k.d()));
                if let [p, q] = k.primes() {
                    jwk.insert("p".into(), big(p));
                    jwk.insert("q".into(), big(q));
                    if let (Some(dp), Some(dq), Some(qi)) = (k.dp(), k.dq(), k.crt_coefficient()) {
                        jwk.insert("dp".into(), big(dp));
                        jwk.insert("dq".into(), big(dq));
                        jwk.insert("qi".into(), big(&qi));
                    }
                }
            }
            PrivateKey::P256(k) => {
                jwk.insert("d".into(), b(&k.to_bytes()));
            }
            PrivateKey::P384(k) => {
                jwk.insert("d".into(), b(&k.to_bytes()));
            }
            PrivateKey::P521(k) => {
                jwk.insert("d".into(), b(&k.to_bytes()));
            }
            PrivateKey::Ed25519(k) => {
                jwk.insert("d".into(), b(k.as_bytes()));
            }
        }
        let text = serde_json::to_string_pretty(&Value::Object(jwk))
            .map_err(|e| KeyError::Unreadable(format!("JWK export failed: {e}")))?;
        Ok(Secret::new(text))
    }
}

fn no_pem() -> KeyError {
    KeyError::invalid("a shared secret has no PEM form")
}
