//! Signing keys: HMAC secrets, PEM private keys (PKCS#8, PKCS#1, SEC1) and private JWKs.
//!
//! A [`SigningKey`] never prints its material and has no `Serialize`; private key text leaves it
//! only through the explicit `export_private_*` methods (see `generate.rs`).

use rsa::pkcs1::DecodeRsaPrivateKey as _;
use rsa::pkcs8::DecodePrivateKey as _;
use rsa::traits::PublicKeyParts as _;
use rsa::{BigUint, RsaPrivateKey};
use serde_json::{Map, Value};

use super::key::{KeyError, KeyMaterial};
use crate::jose::alg::{JwsAlg, KeyFamily};
use crate::jose::b64;
use crate::jose::EcCurve;
use crate::secret::SecretBytes;

const OID_RSA: &str = "1.2.840.113549.1.1.1";
const OID_RSA_PSS: &str = "1.2.840.113549.1.1.10";
const OID_EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
const OID_ED25519: &str = "1.3.101.112";
const OID_P256: &str = "1.2.840.10045.3.1.7";
const OID_P384: &str = "1.3.132.0.34";
const OID_P521: &str = "1.3.132.0.35";

/// A key that can sign: an HMAC secret or an asymmetric private key.
pub struct SigningKey {
    pub(super) inner: PrivateKey,
    /// The `kid` the key came with (a private JWK's `kid`), used when the header names none.
    pub kid: Option<String>,
    /// The `alg` a private JWK restricts the key to (RFC 7517 §4.4).
    pub alg: Option<String>,
}

pub(super) enum PrivateKey {
    Hmac(SecretBytes),
    Rsa(Box<RsaPrivateKey>),
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
    P521(p521::ecdsa::SigningKey),
    Ed25519(ed25519_dalek::SigningKey),
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({} [redacted])", self.describe())
    }
}

impl SigningKey {
    pub(super) fn from_inner(inner: PrivateKey) -> Self {
        SigningKey {
            inner,
            kid: None,
            alg: None,
        }
    }

    /// A shared HMAC secret.
    pub fn from_secret(secret: SecretBytes) -> Self {
        Self::from_inner(PrivateKey::Hmac(secret))
    }

    /// Reads private key text: a private JWK (or a JWK Set holding exactly one private key), or PEM.
    pub fn from_text(text: &str) -> Result<Self, KeyError> {
        if text.len() > super::MAX_KEY_TEXT_BYTES {
            return Err(KeyError::invalid(format!(
                "the key text is over {} bytes",
                super::MAX_KEY_TEXT_BYTES
            )));
        }
        let trimmed = text.trim();
        if trimmed.starts_with('{') {
            let value: Value = serde_json::from_str(trimmed).map_err(|e| {
                KeyError::Unreadable(format!(
                    "the key looks like JSON but is not valid JSON: {e}"
                ))
            })?;
            return Self::from_jwk(&value);
        }
        Self::from_pem(trimmed)
    }

    /// Reads the first private key block of PEM text: PKCS#8 `PRIVATE KEY`, PKCS#1
    /// `RSA PRIVATE KEY` or SEC1 `EC PRIVATE KEY`.
    pub fn from_pem(text: &str) -> Result<Self, KeyError> {
        let mut saw_public = false;
        for pem in x509_parser::pem::Pem::iter_from_buffer(text.as_bytes()) {
            let pem = pem.map_err(|e| KeyError::Unreadable(format!("not valid PEM: {e}")))?;
            let inner = match pem.label.as_str() {
                "PRIVATE KEY" => from_pkcs8_der(&pem.contents)?,
                "RSA PRIVATE KEY" => PrivateKey::Rsa(Box::new(
                    RsaPrivateKey::from_pkcs1_der(&pem.contents)
                        .map_err(|e| KeyError::invalid(format!("PKCS#1 RSA private key: {e}")))?,
                )),
                "EC PRIVATE KEY" => from_sec1_der(&pem.contents)?,
                "ENCRYPTED PRIVATE KEY" => {
                    return Err(KeyError::unsupported(
                        "the private key is encrypted; decrypt it first (openssl pkcs8 -in KEY -out plain.pem)",
                    ))
                }
                "OPENSSH PRIVATE KEY" => {
                    return Err(KeyError::unsupported(
                        "OpenSSH key format; convert it to PKCS#8 first (ssh-keygen -p -m PKCS8 -f KEY)",
                    ))
                }
                "PUBLIC KEY" | "RSA PUBLIC KEY" | "CERTIFICATE" => {
                    saw_public = true;
                    continue;
                }
                // `EC PARAMETERS` (from `openssl ecparam -genkey`) and anything else: skip.
                _ => continue,
            };
            return Ok(Self::from_inner(inner));
        }
        Err(if saw_public {
            KeyError::invalid(
                "this PEM holds a public key or certificate; signing needs the private key",
            )
        } else {
            KeyError::Unreadable(
                "no PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY block found in the PEM text"
                    .into(),
            )
        })
    }

    /// Reads a private JWK (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2), or a JWK Set holding
    /// exactly one private key.
    pub fn from_jwk(jwk: &Value) -> Result<Self, KeyError> {
        if let Some(keys) = jwk.get("keys") {
            let keys = keys
                .as_array()
                .ok_or_else(|| KeyError::invalid("\"keys\" must be an array (RFC 7517 §5.1)"))?;
            let private: Vec<&Value> = keys
                .iter()
                .filter(|k| k.get("d").is_some() || k.get("k").is_some())
                .collect();
            return match private.as_slice() {
                [one] => Self::from_jwk(one),
                [] => Err(KeyError::invalid(
                    "the JWK Set holds only public keys; signing needs a private key (with \"d\")",
                )),
                _ => Err(KeyError::invalid(
                    "the JWK Set holds several private keys; give the one to sign with",
                )),
            };
        }
        let obj = jwk
            .as_object()
            .ok_or_else(|| KeyError::invalid("a JWK must be a JSON object"))?;
        let text = |name: &str| obj.get(name).and_then(Value::as_str);
        let kty = text("kty").ok_or_else(|| KeyError::invalid("the JWK has no \"kty\" member"))?;
        if kty != "oct" && !obj.contains_key("d") {
            return Err(KeyError::invalid(
                "this JWK is a public key (no \"d\" member); signing needs the private key",
            ));
        }
        let inner = match kty {
            "oct" => PrivateKey::Hmac(SecretBytes::new(member(obj, "k")?)),
            "RSA" => PrivateKey::Rsa(Box::new(rsa_from_jwk(obj)?)),
            "EC" => ec_from_jwk(obj)?,
            "OKP" => match text("crv") {
                Some("Ed25519") => {
                    let d: [u8; 32] = member(obj, "d")?.try_into().map_err(|_| {
                        KeyError::invalid("an Ed25519 private key \"d\" is 32 bytes (RFC 8037 §2)")
                    })?;
                    let key = ed25519_dalek::SigningKey::from_bytes(&d);
                    check_public_member(obj, "x", key.verifying_key().as_bytes())?;
                    PrivateKey::Ed25519(key)
                }
                other => return Err(KeyError::unsupported(format!("OKP curve {other:?}"))),
            },
            other => return Err(KeyError::unsupported(format!("key type \"{other}\""))),
        };
        Ok(SigningKey {
            inner,
            kid: text("kid").map(str::to_owned),
            alg: text("alg").map(str::to_owned),
        })
    }

    /// The public half (for HMAC, the secret itself), as verification uses it.
    pub fn public_material(&self) -> KeyMaterial {
        match &self.inner {
            PrivateKey::Hmac(s) => KeyMaterial::Hmac(s.clone()),
            PrivateKey::Rsa(k) => KeyMaterial::Rsa {
                n: k.n().to_bytes_be(),
                e: k.e().to_bytes_be(),
            },
            PrivateKey::P256(k) => ec_material(
                EcCurve::P256,
                k.verifying_key().to_encoded_point(false).as_bytes(),
            ),
            PrivateKey::P384(k) => ec_material(
                EcCurve::P384,
                k.verifying_key().to_encoded_point(false).as_bytes(),
            ),
            PrivateKey::P521(k) => ec_material(
                EcCurve::P521,
                p521::ecdsa::VerifyingKey::from(k)
                    .to_encoded_point(false)
                    .as_bytes(),
            ),
            PrivateKey::Ed25519(k) => KeyMaterial::Ed25519 {
                x: k.verifying_key().as_bytes().to_vec(),
            },
        }
    }

    /// Whether this is an HMAC secret rather than an asymmetric key.
    pub fn is_secret(&self) -> bool {
        matches!(self.inner, PrivateKey::Hmac(_))
    }

    /// RFC 7638 thumbprint of the public key; `None` for HMAC secrets (a hash would let a guessed
    /// secret be confirmed offline).
    pub fn thumbprint(&self) -> Option<String> {
        (!self.is_secret()).then(|| self.public_material().thumbprint())
    }

    /// The public JWK members (no `kid`, `alg` or `use`); `None` for HMAC secrets.
    pub fn public_jwk(&self) -> Option<Map<String, Value>> {
        self.public_material().public_jwk()
    }

    /// The usual algorithm for this key: HS256, RS256, ES256/384/512 or EdDSA.
    pub fn default_alg(&self) -> JwsAlg {
        match &self.inner {
            PrivateKey::Hmac(_) => JwsAlg::HS256,
            PrivateKey::Rsa(_) => JwsAlg::RS256,
            PrivateKey::P256(_) => JwsAlg::ES256,
            PrivateKey::P384(_) => JwsAlg::ES384,
            PrivateKey::P521(_) => JwsAlg::ES512,
            PrivateKey::Ed25519(_) => JwsAlg::EdDSA,
        }
    }

    /// Whether `alg` can sign with this kind of key.
    pub fn fits(&self, alg: JwsAlg) -> bool {
        self.public_material().fits(alg)
    }

    /// "an RSA 2048 key", "an EC P-256 key", "an Ed25519 key", "a shared secret (32 bytes)".
    pub fn describe(&self) -> String {
        match &self.inner {
            PrivateKey::Hmac(s) => format!("a shared secret ({} bytes)", s.len()),
            PrivateKey::Rsa(k) => format!("an RSA {} key", k.n().bits()),
            PrivateKey::P256(_) => "an EC P-256 key".into(),
            PrivateKey::P384(_) => "an EC P-384 key".into(),
            PrivateKey::P521(_) => "an EC P-521 key".into(),
            PrivateKey::Ed25519(_) => "an Ed25519 key".into(),
        }
    }

    /// Key size in bits: the RSA modulus, the curve, or the secret length.
    pub fn size_bits(&self) -> u32 {
        self.public_material().size_bits()
    }

    /// Signs `message` with `alg` and returns the raw JWS signature (R‖S for ECDSA, RFC 7518
    /// §3.4). The caller has checked that `alg` fits the key.
    pub(crate) fn sign_raw(&self, alg: JwsAlg, message: &[u8]) -> Result<Vec<u8>, SigningError> {
        use p256::ecdsa::signature::Signer as _;
        match (&self.inner, alg) {
            (PrivateKey::Hmac(s), alg) if alg.family() == KeyFamily::Hmac => {
                hmac_sign(s, alg, message)
            }
            (PrivateKey::Rsa(k), alg) if alg.family() == KeyFamily::Rsa => {
                rsa_sign(k, alg, message)
            }
            (PrivateKey::P256(k), JwsAlg::ES256) => {
                let sig: p256::ecdsa::Signature = k.sign(message);
                Ok(sig.to_bytes().to_vec())
            }
            (PrivateKey::P384(k), JwsAlg::ES384) => {
                let sig: p384::ecdsa::Signature = k.sign(message);
                Ok(sig.to_bytes().to_vec())
            }
            (PrivateKey::P521(k), JwsAlg::ES512) => {
                let sig: p521::ecdsa::Signature = k.sign(message);
                Ok(sig.to_bytes().to_vec())
            }
            (PrivateKey::Ed25519(k), JwsAlg::EdDSA) => Ok(k.sign(message).to_bytes().to_vec()),
            _ => Err(SigningError::KeyMismatch {
                alg,
                key: self.describe(),
            }),
        }
    }
}

/// Why signing failed once the key was accepted for the algorithm; reported as
/// `EncodeError::Signing` (`encode.signing_failed`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigningError {
    #[error("{alg} does not fit {key}")]
    KeyMismatch { alg: JwsAlg, key: String },
    #[error("unusable HMAC key: {0}")]
    UnusableHmacKey(String),
    #[error("{0} is not an HMAC algorithm")]
    NotHmac(JwsAlg),
    #[error("{0} is not an RSA algorithm")]
    NotRsa(JwsAlg),
    #[error("RSA signing failed ({reason}); the key may be too small for {alg}")]
    Rsa { alg: JwsAlg, reason: String },
}

fn hmac_sign(secret: &SecretBytes, alg: JwsAlg, message: &[u8]) -> Result<Vec<u8>, SigningError> {
    use hmac::{Hmac, Mac};
    use sha2::{Sha256, Sha384, Sha512};
    fn mac<M: Mac + hmac::digest::KeyInit>(
        key: &[u8],
        message: &[u8],
    ) -> Result<Vec<u8>, SigningError> {
        let mut mac = <M as Mac>::new_from_slice(key)
            .map_err(|e| SigningError::UnusableHmacKey(e.to_string()))?;
        mac.update(message);
        Ok(mac.finalize().into_bytes().to_vec())
    }
    let key = secret.expose_secret();
    match alg {
        JwsAlg::HS256 => mac::<Hmac<Sha256>>(key, message),
        JwsAlg::HS384 => mac::<Hmac<Sha384>>(key, message),
        JwsAlg::HS512 => mac::<Hmac<Sha512>>(key, message),
        other => Err(SigningError::NotHmac(other)),
    }
}

fn rsa_sign(key: &RsaPrivateKey, alg: JwsAlg, message: &[u8]) -> Result<Vec<u8>, SigningError> {
    use rsa::{Pkcs1v15Sign, Pss};
    use sha2::{Digest as _, Sha256, Sha384, Sha512};
    let mut rng = rand_core::OsRng;
    // Blinded signing (sign_with_rng) keeps the private exponent out of timing side channels.
    let result = match alg {
        JwsAlg::RS256 => key.sign_with_rng(
            &mut rng,
            Pkcs1v15Sign::new::<Sha256>(),
            &Sha256::digest(message),
        ),
        JwsAlg::RS384 => key.sign_with_rng(
            &mut rng,
            Pkcs1v15Sign::new::<Sha384>(),
            &Sha384::digest(message),
        ),
        JwsAlg::RS512 => key.sign_with_rng(
            &mut rng,
            Pkcs1v15Sign::new::<Sha512>(),
            &Sha512::digest(message),
        ),
        // RFC 7518 §3.5: MGF1 with the same hash, salt as long as the hash (Pss::new's default).
        JwsAlg::PS256 => {
            key.sign_with_rng(&mut rng, Pss::new::<Sha256>(), &Sha256::digest(message))
        }
        JwsAlg::PS384 => {
            key.sign_with_rng(&mut rng, Pss::new::<Sha384>(), &Sha384::digest(message))
        }
        JwsAlg::PS512 => {
            key.sign_with_rng(&mut rng, Pss::new::<Sha512>(), &Sha512::digest(message))
        }
        other => return Err(SigningError::NotRsa(other)),
    };
    result.map_err(|e| SigningError::Rsa {
        alg,
        reason: e.to_string(),
    })
}

fn ec_material(crv: EcCurve, point: &[u8]) -> KeyMaterial {
    // SEC 1 §2.3.3 uncompressed point: 0x04 ‖ X ‖ Y.
    let len = (point.len() - 1) / 2;
    KeyMaterial::Ec {
        crv,
        x: point[1..=len].to_vec(),
        y: point[1 + len..].to_vec(),
    }
}

fn from_pkcs8_der(der: &[u8]) -> Result<PrivateKey, KeyError> {
    let info = rsa::pkcs8::PrivateKeyInfo::try_from(der)
        .map_err(|e| KeyError::invalid(format!("PKCS#8 private key: {e}")))?;
    let oid = info.algorithm.oid.to_string();
    let bad = |e: &dyn std::fmt::Display| KeyError::invalid(format!("PKCS#8 private key: {e}"));
    Ok(match oid.as_str() {
        OID_RSA => PrivateKey::Rsa(Box::new(
            RsaPrivateKey::from_pkcs8_der(der).map_err(|e| bad(&e))?,
        )),
        OID_RSA_PSS => {
            return Err(KeyError::unsupported(
                "an RSASSA-PSS-only key (OID 1.2.840.113549.1.1.10); export it as a plain rsaEncryption key",
            ))
        }
        OID_ED25519 => PrivateKey::Ed25519(
            ed25519_dalek::SigningKey::from_pkcs8_der(der).map_err(|e| bad(&e))?,
        ),
        OID_EC_PUBLIC_KEY => {
            let curve = info
                .algorithm
                .parameters_oid()
                .map(|o| o.to_string())
                .unwrap_or_default();
            match curve.as_str() {
                OID_P256 => PrivateKey::P256(
                    p256::SecretKey::from_pkcs8_der(der).map_err(|e| bad(&e))?.into(),
                ),
                OID_P384 => PrivateKey::P384(
                    p384::SecretKey::from_pkcs8_der(der).map_err(|e| bad(&e))?.into(),
                ),
                OID_P521 => PrivateKey::P521(p521_from_secret(
                    &p521::SecretKey::from_pkcs8_der(der).map_err(|e| bad(&e))?,
                )?),
                other => {
                    return Err(KeyError::unsupported(format!(
                        "EC curve with OID {other} (P-256, P-384 and P-521 are supported)"
                    )))
                }
            }
        }
        other => {
            return Err(KeyError::unsupported(format!(
                "private key algorithm with OID {other}"
            )))
        }
    })
}

/// SEC 1 `ECPrivateKey` (RFC 5915): the curve is whichever accepts it; each checks the named
/// curve and the scalar length.
fn from_sec1_der(der: &[u8]) -> Result<PrivateKey, KeyError> {
    if let Ok(k) = p256::SecretKey::from_sec1_der(der) {
        return Ok(PrivateKey::P256(k.into()));
    }
    if let Ok(k) = p384::SecretKey::from_sec1_der(der) {
        return Ok(PrivateKey::P384(k.into()));
    }
    if let Ok(k) = p521::SecretKey::from_sec1_der(der) {
        return Ok(PrivateKey::P521(p521_from_secret(&k)?));
    }
    Err(KeyError::invalid(
        "SEC1 EC private key: not a valid P-256, P-384 or P-521 key",
    ))
}

fn p521_from_secret(secret: &p521::SecretKey) -> Result<p521::ecdsa::SigningKey, KeyError> {
    p521::ecdsa::SigningKey::from_bytes(&secret.to_bytes())
        .map_err(|_| KeyError::invalid("the P-521 private scalar is out of range"))
}

fn member(obj: &Map<String, Value>, name: &str) -> Result<Vec<u8>, KeyError> {
    let v = obj
        .get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| KeyError::invalid(format!("the JWK has no \"{name}\" member")))?;
    b64::decode(v)
        .map_err(|_| KeyError::invalid(format!("the JWK member \"{name}\" is not base64url")))
}

/// A private JWK's public members must describe the same key as its private ones.
fn check_public_member(
    obj: &Map<String, Value>,
    name: &str,
    derived: &[u8],
) -> Result<(), KeyError> {
    match obj.get(name) {
        None => Ok(()),
        Some(_) if member(obj, name)? == derived => Ok(()),
        Some(_) => Err(KeyError::invalid(format!(
            "the JWK's \"{name}\" does not match its private key \"d\""
        ))),
    }
}

fn rsa_from_jwk(obj: &Map<String, Value>) -> Result<RsaPrivateKey, KeyError> {
    let big = |name: &str| member(obj, name).map(|b| BigUint::from_bytes_be(&b));
    let (n, e, d) = (big("n")?, big("e")?, big("d")?);
    // RFC 7518 §6.3.2: p and q are optional together; without them the primes are recovered.
    let primes = if obj.contains_key("p") && obj.contains_key("q") {
        vec![big("p")?, big("q")?]
    } else {
        Vec::new()
    };
    if obj.contains_key("oth") {
        return Err(KeyError::unsupported(
            "multi-prime RSA keys (\"oth\", RFC 7518 §6.3.2.7)",
        ));
    }
    RsaPrivateKey::from_components(n, e, d, primes)
        .map_err(|e| KeyError::invalid(format!("the RSA JWK is not a consistent key: {e}")))
}

fn ec_from_jwk(obj: &Map<String, Value>) -> Result<PrivateKey, KeyError> {
    let d = member(obj, "d")?;
    let crv = obj.get("crv").and_then(Value::as_str);
    let bad_d =
        || KeyError::invalid("the EC private key \"d\" is not a valid scalar for its curve");
    let inner = match crv {
        Some("P-256") => {
            PrivateKey::P256(p256::ecdsa::SigningKey::from_slice(&d).map_err(|_| bad_d())?)
        }
        Some("P-384") => {
            PrivateKey::P384(p384::ecdsa::SigningKey::from_slice(&d).map_err(|_| bad_d())?)
        }
        Some("P-521") => {
            PrivateKey::P521(p521::ecdsa::SigningKey::from_slice(&d).map_err(|_| bad_d())?)
        }
        other => return Err(KeyError::unsupported(format!("EC curve {other:?}"))),
    };
    let key = SigningKey::from_inner(inner);
    if let KeyMaterial::Ec { x, y, .. } = key.public_material() {
        check_public_member(obj, "x", &x)?;
        check_public_member(obj, "y", &y)?;
    }
    Ok(key.inner)
}
