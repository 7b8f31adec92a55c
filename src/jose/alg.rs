//! JWS algorithms (RFC 7518 §3, RFC 8037) and what each needs of a key.

use super::key_type::EcCurve;
use crate::vocab::string_enum;

string_enum! {
    /// A signature algorithm Tokenscope can sign and verify with, serialized as its `alg` name.
    pub enum JwsAlg {
        HS256 = "HS256",
        HS384 = "HS384",
        HS512 = "HS512",
        RS256 = "RS256",
        RS384 = "RS384",
        RS512 = "RS512",
        PS256 = "PS256",
        PS384 = "PS384",
        PS512 = "PS512",
        ES256 = "ES256",
        ES384 = "ES384",
        ES512 = "ES512",
        EdDSA = "EdDSA",
    }
}

/// The kind of key an algorithm needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyFamily {
    Hmac,
    Rsa,
    Ec(EcCurve),
    Okp,
}

impl JwsAlg {
    pub fn name(self) -> &'static str {
        self.as_str()
    }

    pub fn family(self) -> KeyFamily {
        use JwsAlg::*;
        match self {
            HS256 | HS384 | HS512 => KeyFamily::Hmac,
            RS256 | RS384 | RS512 | PS256 | PS384 | PS512 => KeyFamily::Rsa,
            ES256 => KeyFamily::Ec(EcCurve::P256),
            ES384 => KeyFamily::Ec(EcCurve::P384),
            ES512 => KeyFamily::Ec(EcCurve::P521),
            EdDSA => KeyFamily::Okp,
        }
    }

    /// Output size in bits of the hash the algorithm uses; EdDSA (Ed25519) uses SHA-512.
    pub fn hash_bits(self) -> u32 {
        use JwsAlg::*;
        match self {
            HS256 | RS256 | PS256 | ES256 => 256,
            HS384 | RS384 | PS384 | ES384 => 384,
            HS512 | RS512 | PS512 | ES512 | EdDSA => 512,
        }
    }

    /// The smallest key this algorithm may be used with, in bits, and the rule that says so:
    /// an HMAC key at least as long as the hash output (RFC 7518 §3.2), an RSA modulus of at
    /// least 2048 bits (§3.3, §3.5). `None` where the curve fixes the key size.
    pub fn min_key_bits(self) -> Option<(u32, &'static str)> {
        match self.family() {
            KeyFamily::Hmac => Some((self.hash_bits(), "RFC 7518 §3.2")),
            KeyFamily::Rsa if self.name().starts_with("PS") => Some((2048, "RFC 7518 §3.5")),
            KeyFamily::Rsa => Some((2048, "RFC 7518 §3.3")),
            KeyFamily::Ec(_) | KeyFamily::Okp => None,
        }
    }

    /// Why a key of `bits` is too weak for this algorithm, e.g. "HS256 needs a key of at least
    /// 256 bits; this one has 64 (RFC 7518 §3.2)"; `None` when it is strong enough.
    pub fn weak_key_reason(self, bits: u32) -> Option<String> {
        let (needed, spec) = self.min_key_bits()?;
        (bits < needed).then(|| {
            format!("{self} needs a key of at least {needed} bits; this one has {bits} ({spec})")
        })
    }

    /// The exact signature length in bytes where it is fixed (ECDSA R‖S, RFC 7518 §3.4; Ed25519).
    pub fn fixed_signature_len(self) -> Option<usize> {
        match self {
            JwsAlg::ES256 => Some(64),
            JwsAlg::ES384 => Some(96),
            JwsAlg::ES512 => Some(132),
            JwsAlg::EdDSA => Some(64),
            _ => None,
        }
    }

    pub(crate) fn to_jsonwebtoken(self) -> Option<jsonwebtoken::Algorithm> {
        use jsonwebtoken::Algorithm as A;
        Some(match self {
            JwsAlg::HS256 => A::HS256,
            JwsAlg::HS384 => A::HS384,
            JwsAlg::HS512 => A::HS512,
            JwsAlg::RS256 => A::RS256,
            JwsAlg::RS384 => A::RS384,
            JwsAlg::RS512 => A::RS512,
            JwsAlg::PS256 => A::PS256,
            JwsAlg::PS384 => A::PS384,
            JwsAlg::PS512 => A::PS512,
            JwsAlg::ES256 => A::ES256,
            JwsAlg::ES384 => A::ES384,
            JwsAlg::EdDSA => A::EdDSA,
            // jsonwebtoken has no P-521; verified with the `p521` crate instead.
            JwsAlg::ES512 => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_algorithm_serializes_as_its_name() {
        for alg in JwsAlg::ALL {
            assert_eq!(
                serde_json::to_value(alg).unwrap(),
                serde_json::json!(alg.name())
            );
            assert_eq!(JwsAlg::parse(alg.name()), Some(alg));
        }
        assert_eq!(JwsAlg::parse("none"), None);
        assert_eq!(JwsAlg::parse("hs256"), None);
    }
}
