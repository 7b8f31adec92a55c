//! base64url (RFC 4648 §5), the one encoding every JOSE structure uses.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, URL_SAFE_NO_PAD};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;

pub use base64::DecodeError;

/// RFC 7515 §2 forbids padding, but pasted tokens and hand-written JWKs sometimes carry it:
/// accept either, reject anything else (no standard-alphabet `+` or `/`, no whitespace).
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Decodes base64url with or without `=` padding: the one decoder for token segments, JWK
/// members and signatures.
pub fn decode(text: &str) -> Result<Vec<u8>, DecodeError> {
    LENIENT.decode(text)
}

/// Encodes without padding, as JOSE requires.
pub fn encode(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_is_optional_and_the_standard_alphabet_is_refused() {
        assert_eq!(decode("AQAB").unwrap(), [1, 0, 1]);
        assert_eq!(decode("-_8").unwrap(), decode("-_8=").unwrap());
        assert!(decode("+/8=").is_err());
        assert_eq!(encode([0xfb, 0xff]), "-_8");
    }
}
