//! The per-flow secrets of an authorization request: the PKCE code verifier and its S256
//! challenge (RFC 7636), `state` (RFC 6749 §10.12) and `nonce` (OIDC Core §3.1.2.1).
//!
//! The types are the `oauth2` crate's (`PkceCodeVerifier`, `PkceCodeChallenge`, `CsrfToken`), but
//! the random bytes come from the OS RNG (`getrandom` through `rand_core::OsRng`) rather than the
//! crate's `new_random*` constructors, which draw from `rand::thread_rng` (a user-space CSPRNG
//! seeded from the OS): one source of randomness for every secret the project makes.

use std::fmt;

use oauth2::{CsrfToken, PkceCodeChallenge, PkceCodeVerifier};
use rand_core::RngCore as _;

use crate::error::ErrorCode;
use crate::jose::b64;

/// Random bytes behind each verifier, `state` and `nonce`: 256 bits, 43 base64url characters
/// (RFC 7636 §4.1 recommends 32 octets for the verifier).
const RANDOM_BYTES: usize = 32;

/// A PKCE code verifier (RFC 7636 §4.1): sent only in the token request. Redacted when printed,
/// not `Clone` (one verifier per authorization request), no `Serialize`.
pub struct PkceVerifier(PkceCodeVerifier);

impl PkceVerifier {
    /// A fresh verifier: 32 bytes from the OS RNG, base64url without padding.
    pub fn generate() -> Self {
        PkceVerifier(PkceCodeVerifier::new(random_token()))
    }

    /// A verifier given as text (test vectors, a flow resumed elsewhere), checked against
    /// RFC 7636 §4.1: 43 to 128 characters of `A-Z a-z 0-9 - . _ ~`.
    pub fn from_text(text: &str) -> Result<Self, InvalidVerifier> {
        let unreserved =
            |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
        if !(43..=128).contains(&text.len()) {
            return Err(InvalidVerifier::Length(text.len()));
        }
        if let Some(position) = text.bytes().position(|b| !unreserved(b)) {
            // The position only: the character may be part of a secret.
            return Err(InvalidVerifier::Character(position));
        }
        Ok(PkceVerifier(PkceCodeVerifier::new(text.to_owned())))
    }

    /// The verifier text, for the token request. Call only where the value is really needed.
    pub fn expose_secret(&self) -> &str {
        self.0.secret()
    }

    /// The `S256` challenge: BASE64URL(SHA-256(verifier)) (RFC 7636 §4.2).
    pub fn challenge_s256(&self) -> PkceChallenge {
        // Cannot panic: both constructors keep the verifier within 43–128 characters.
        PkceChallenge(PkceCodeChallenge::from_code_verifier_sha256(&self.0))
    }

    /// The verifier as the `oauth2` crate's type, for its token request builder.
    pub fn into_oauth2(self) -> PkceCodeVerifier {
        self.0
    }
}

impl fmt::Debug for PkceVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PkceVerifier([redacted])")
    }
}

/// A verifier given as text that RFC 7636 §4.1 does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidVerifier {
    #[error("a PKCE code verifier has 43 to 128 characters, this one has {0} (RFC 7636 §4.1)")]
    Length(usize),
    #[error("a PKCE code verifier has only A-Z a-z 0-9 - . _ ~; character {0} is not one (RFC 7636 §4.1)")]
    Character(usize),
}

impl ErrorCode for InvalidVerifier {
    fn code(&self) -> &'static str {
        "oauth.invalid_pkce_verifier"
    }
}

/// The PKCE code challenge sent in the authorization request: public, derived from the verifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PkceChallenge(PkceCodeChallenge);

impl PkceChallenge {
    /// The `code_challenge` value.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The `code_challenge_method` value (`S256`).
    pub fn method(&self) -> &str {
        self.0.method().as_str()
    }
}

/// What one authorization request needs fresh: the PKCE verifier, `state` and `nonce`.
#[derive(Debug)]
pub struct FlowSecrets {
    /// Kept until the token request (RFC 7636 §4.5).
    pub verifier: PkceVerifier,
    /// Binds the redirect to this request (RFC 6749 §10.12); compared in constant time by the
    /// loopback listener.
    pub state: CsrfToken,
    /// Binds the ID token to this request (OIDC Core §3.1.2.1, checked per §3.1.3.7 step 11).
    pub nonce: String,
}

impl FlowSecrets {
    /// A fresh verifier, `state` and `nonce`, each 32 bytes from the OS RNG.
    pub fn generate() -> Self {
        FlowSecrets {
            verifier: PkceVerifier::generate(),
            state: CsrfToken::new(random_token()),
            nonce: random_token(),
        }
    }
}

/// 32 bytes from the OS RNG, base64url without padding.
fn random_token() -> String {
    let mut bytes = [0u8; RANDOM_BYTES];
    rand_core::OsRng.fill_bytes(&mut bytes);
    b64::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_7636_appendix_b_verifier_gives_its_challenge() {
        // The challenge as printed in RFC 7636 Appendix B (and BASE64URL(SHA-256) computed
        // independently); a value circulating with the same first 20 characters is not it.
        let verifier =
            PkceVerifier::from_text("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
        let challenge = verifier.challenge_s256();
        assert_eq!(
            challenge.as_str(),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert_eq!(challenge.method(), "S256");
    }

    #[test]
    fn generated_secrets_are_43_unreserved_characters_and_differ_each_time() {
        let a = FlowSecrets::generate();
        let b = FlowSecrets::generate();
        for text in [a.verifier.expose_secret(), a.state.secret(), &a.nonce] {
            assert_eq!(text.len(), 43);
            assert!(PkceVerifier::from_text(text).is_ok());
        }
        assert_ne!(a.verifier.expose_secret(), b.verifier.expose_secret());
        assert_ne!(a.state.secret(), b.state.secret());
        assert_ne!(a.nonce, b.nonce);
    }

    #[test]
    fn verifier_is_redacted_when_printed() {
        let secrets = FlowSecrets::generate();
        let printed = format!("{secrets:?}");
        assert!(!printed.contains(secrets.verifier.expose_secret()));
        assert!(printed.contains("PkceVerifier([redacted])"));
    }

    #[test]
    fn verifier_text_outside_rfc_7636_is_refused_without_echoing_it() {
        assert_eq!(
            PkceVerifier::from_text("short").unwrap_err(),
            InvalidVerifier::Length(5)
        );
        let bad = format!("{}+", "a".repeat(43));
        let err = PkceVerifier::from_text(&bad).unwrap_err();
        assert_eq!(err, InvalidVerifier::Character(43));
        assert_eq!(err.code(), "oauth.invalid_pkce_verifier");
        assert!(PkceVerifier::from_text(&"a".repeat(129)).is_err());
    }
}
