//! Public keys from PEM: SPKI (`PUBLIC KEY`), PKCS#1 (`RSA PUBLIC KEY`) and X.509 certificates.

use x509_parser::prelude::{FromDer as _, X509Certificate};
use x509_parser::public_key::PublicKey;
use x509_parser::x509::SubjectPublicKeyInfo;

use super::key::{KeyError, KeyMaterial, KeySource, VerificationKey};
use crate::jose::EcCurve;

const OID_EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
const OID_ED25519: &str = "1.3.101.112";
const OID_P256: &str = "1.2.840.10045.3.1.7";
const OID_P384: &str = "1.3.132.0.34";
const OID_P521: &str = "1.3.132.0.35";

/// The public key in the first usable PEM block of `text` (for a certificate chain, the leaf).
pub fn key_from_pem(text: &str) -> Result<VerificationKey, KeyError> {
    let mut saw_private = false;
    for pem in x509_parser::pem::Pem::iter_from_buffer(text.as_bytes()) {
        let pem = pem.map_err(|e| KeyError::Unreadable(format!("not valid PEM: {e}")))?;
        let material = match pem.label.as_str() {
            "PUBLIC KEY" => from_spki_der(&pem.contents)?,
            "RSA PUBLIC KEY" => from_pkcs1_der(&pem.contents)?,
            "CERTIFICATE" => return key_from_cert_der(&pem.contents),
            label if label.contains("PRIVATE KEY") => {
                saw_private = true;
                continue;
            }
            _ => continue,
        };
        return Ok(VerificationKey::new(material, KeySource::Pem));
    }
    Err(if saw_private {
        KeyError::invalid("this PEM holds a private key; verification needs the public key (PUBLIC KEY, RSA PUBLIC KEY or CERTIFICATE)")
    } else {
        KeyError::Unreadable(
            "no PUBLIC KEY, RSA PUBLIC KEY or CERTIFICATE block found in the PEM text".into(),
        )
    })
}

/// The public key of a DER X.509 certificate (as in a PEM block or a JWK's `x5c`).
pub fn key_from_cert_der(der: &[u8]) -> Result<VerificationKey, KeyError> {
    let (_, cert) = X509Certificate::from_der(der)
        .map_err(|e| KeyError::invalid(format!("X.509 certificate: {e}")))?;
    Ok(VerificationKey::new(
        from_spki(cert.public_key())?,
        KeySource::Pem,
    ))
}

fn from_pkcs1_der(der: &[u8]) -> Result<KeyMaterial, KeyError> {
    use rsa::pkcs1::DecodeRsaPublicKey as _;
    use rsa::traits::PublicKeyParts as _;
    let key = rsa::RsaPublicKey::from_pkcs1_der(der)
        .map_err(|e| KeyError::invalid(format!("PKCS#1 RSA public key: {e}")))?;
    Ok(KeyMaterial::Rsa {
        n: key.n().to_bytes_be(),
        e: key.e().to_bytes_be(),
    })
}

fn from_spki_der(der: &[u8]) -> Result<KeyMaterial, KeyError> {
    let (_, spki) = SubjectPublicKeyInfo::from_der(der)
        .map_err(|e| KeyError::invalid(format!("SubjectPublicKeyInfo: {e}")))?;
    from_spki(&spki)
}

fn from_spki(spki: &SubjectPublicKeyInfo<'_>) -> Result<KeyMaterial, KeyError> {
    let oid = spki.algorithm.algorithm.to_id_string();
    if oid == OID_ED25519 {
        let x = spki.subject_public_key.data.to_vec();
        if x.len() != 32 {
            return Err(KeyError::invalid("an Ed25519 public key is 32 bytes"));
        }
        return Ok(KeyMaterial::Ed25519 { x });
    }
    match spki.parsed() {
        Ok(PublicKey::RSA(rsa)) => Ok(KeyMaterial::Rsa {
            n: rsa.modulus.to_vec(),
            e: rsa.exponent.to_vec(),
        }),
        Ok(PublicKey::EC(point)) if oid == OID_EC_PUBLIC_KEY => {
            let curve_oid = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|o| o.to_id_string())
                .unwrap_or_default();
            let crv = match curve_oid.as_str() {
                OID_P256 => EcCurve::P256,
                OID_P384 => EcCurve::P384,
                OID_P521 => EcCurve::P521,
                other => return Err(KeyError::unsupported(format!("EC curve with OID {other}"))),
            };
            let data = point.data();
            let len = crv.coordinate_len();
            // SEC 1 §2.3.3: 0x04 ‖ X ‖ Y for an uncompressed point.
            if data.len() != 1 + 2 * len || data[0] != 0x04 {
                return Err(KeyError::unsupported(
                    "compressed or malformed EC point; use an uncompressed key",
                ));
            }
            Ok(KeyMaterial::Ec {
                crv,
                x: data[1..=len].to_vec(),
                y: data[1 + len..].to_vec(),
            })
        }
        _ => Err(KeyError::unsupported(format!(
            "public key algorithm with OID {oid}"
        ))),
    }
}
