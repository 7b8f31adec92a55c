//! Key types (RFC 7518 §6.1, RFC 8037 §2) and the curves Tokenscope signs and verifies with.

use crate::vocab::string_enum;

string_enum! {
    /// A JWK `kty` Tokenscope can use.
    pub enum KeyType {
        /// A shared secret (HMAC).
        Oct = "oct",
        Rsa = "RSA",
        Ec = "EC",
        /// Octet key pair: Ed25519 here.
        Okp = "OKP",
    }
}

string_enum! {
    /// A NIST curve for ECDSA (`crv` as in RFC 7518 §6.2.1.1).
    pub enum EcCurve {
        P256 = "P-256",
        P384 = "P-384",
        P521 = "P-521",
    }
}

string_enum! {
    /// The curve of an EC or OKP key: a NIST curve or Ed25519 (RFC 8037 §2).
    pub enum Curve {
        P256 = "P-256",
        P384 = "P-384",
        P521 = "P-521",
        Ed25519 = "Ed25519",
    }
}

impl EcCurve {
    pub fn name(self) -> &'static str {
        self.as_str()
    }

    /// The size of the curve's field in bits (521 for P-521).
    pub fn bits(self) -> u32 {
        match self {
            EcCurve::P256 => 256,
            EcCurve::P384 => 384,
            EcCurve::P521 => 521,
        }
    }

    /// The length in bytes of each coordinate, `x` and `y` (RFC 7518 §6.2.1.2).
    pub fn coordinate_len(self) -> usize {
        match self {
            EcCurve::P256 => 32,
            EcCurve::P384 => 48,
            EcCurve::P521 => 66,
        }
    }
}

impl From<EcCurve> for Curve {
    fn from(curve: EcCurve) -> Curve {
        match curve {
            EcCurve::P256 => Curve::P256,
            EcCurve::P384 => Curve::P384,
            EcCurve::P521 => Curve::P521,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_curve_serializes_as_its_crv() {
        for curve in EcCurve::ALL {
            assert_eq!(
                serde_json::to_value(curve).unwrap(),
                serde_json::json!(curve.name())
            );
            assert_eq!(Curve::from(curve).as_str(), curve.as_str());
            assert_eq!(EcCurve::parse(curve.as_str()), Some(curve));
        }
        assert_eq!(
            serde_json::to_string(&Curve::Ed25519).unwrap(),
            "\"Ed25519\""
        );
        let types: Vec<_> = KeyType::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(types, ["oct", "RSA", "EC", "OKP"]);
    }
}
