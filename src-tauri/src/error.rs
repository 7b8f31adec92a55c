//! The single error shape every command returns to the webview.

use std::fmt::Display;

use serde::Serialize;
use tokenscope::discovery::DiscoveryError;
use tokenscope::http::{Exchange, HttpError};
use tokenscope::jwk::{KeyError, SigningKeyError};
use tokenscope::jwt::verify::VerifyError;
use tokenscope::jwt::{DecodeError, EncodeError, ErrorLocation};
use tokenscope::keysource::{KeySourceError, KeyVerifyError};
use tokenscope::operation::Cancelled;
use tokenscope::vault::{LifecycleError, ProfileError, VaultError};
use tokenscope::ErrorCode;

/// A command failure as the UI sees it: branch on `code`, show `message`, and use `details`
/// (where the input went wrong) for inline highlighting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct IpcError {
    /// Stable machine-readable code from the core, e.g. `"jwt.invalid_base64url"`.
    pub code: String,
    /// Human-readable explanation; never contains secrets.
    pub message: String,
    /// Where in the input the problem is, when the error has a location.
    pub details: Option<Box<ErrorLocation>>,
    /// Which input the error is about, for commands that take several: `"a"` or `"b"` for a
    /// diff, the profile field (`"issuer"`, `"redirect.port"`, …) for a profile. Absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "string")]
    pub input: Option<Box<str>>,
    /// For a malformed token whose error has `details`: the token as the core read it (a
    /// `Bearer ` prefix, quotes and surrounding whitespace removed), the text those offsets
    /// index. Absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "string")]
    pub token: Option<Box<str>>,
    /// The HTTP exchanges made before the failure (redacted), so a 404 or an HTML login page
    /// can be seen, not just described. Empty when nothing was fetched.
    pub exchanges: Vec<Exchange>,
}

impl IpcError {
    /// An error with a code and message and nothing else.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        IpcError {
            code: code.into(),
            message: message.into(),
            details: None,
            input: None,
            token: None,
            exchanges: Vec::new(),
        }
    }

    /// The same error, with the token its location points into when it has a location.
    pub fn locating_in(mut self, raw_input: &str) -> Self {
        if self.details.is_some() {
            self.token = Some(tokenscope::jwt::normalize_token(raw_input).into());
        }
        self
    }

    /// The same error, said to be about the input named `input`.
    pub fn for_input(mut self, input: &str) -> Self {
        self.input = Some(input.into());
        self
    }

    /// The same error, carrying the exchanges that led to it.
    pub fn with_exchanges(mut self, exchanges: Vec<Exchange>) -> Self {
        self.exchanges = exchanges;
        self
    }
}

fn coded(error: &(impl ErrorCode + Display)) -> IpcError {
    IpcError::new(error.code(), error.to_string())
}

impl From<DecodeError> for IpcError {
    fn from(error: DecodeError) -> Self {
        IpcError {
            details: error.location().map(Box::new),
            ..coded(&error)
        }
    }
}

impl From<VerifyError> for IpcError {
    fn from(error: VerifyError) -> Self {
        match error {
            VerifyError::Malformed(decode) => decode.into(),
            other => coded(&other),
        }
    }
}

impl From<EncodeError> for IpcError {
    fn from(error: EncodeError) -> Self {
        coded(&error)
    }
}

impl From<KeyError> for IpcError {
    fn from(error: KeyError) -> Self {
        coded(&error)
    }
}

impl From<SigningKeyError> for IpcError {
    fn from(error: SigningKeyError) -> Self {
        coded(&error)
    }
}

impl From<KeySourceError> for IpcError {
    fn from(error: KeySourceError) -> Self {
        coded(&error)
    }
}

impl From<KeyVerifyError> for IpcError {
    fn from(error: KeyVerifyError) -> Self {
        match error {
            KeyVerifyError::Keys(e) => e.into(),
            KeyVerifyError::Verify(e) => e.into(),
        }
    }
}

/// The outcome of a cancelled operation, `operation.cancelled`: the webview shows it quietly
/// ("Cancelled"), never as an error.
impl From<Cancelled> for IpcError {
    fn from(cancelled: Cancelled) -> Self {
        coded(&cancelled)
    }
}

impl From<HttpError> for IpcError {
    fn from(error: HttpError) -> Self {
        coded(&error)
    }
}

impl From<DiscoveryError> for IpcError {
    fn from(error: DiscoveryError) -> Self {
        coded(&error)
    }
}

impl From<VaultError> for IpcError {
    fn from(error: VaultError) -> Self {
        match error {
            VaultError::InvalidName(_) => coded(&error).for_input("name"),
            other => coded(&other),
        }
    }
}

/// A profile error; an invalid field is named in `input` (`name`, `issuer`, `redirect.port`, …)
/// so the form can mark it.
impl From<ProfileError> for IpcError {
    fn from(error: ProfileError) -> Self {
        let field = match &error {
            ProfileError::Invalid { field, .. } => Some(*field),
            ProfileError::InvalidName(_) | ProfileError::Exists(_) => Some("name"),
            _ => None,
        };
        let ipc = coded(&error);
        match field {
            Some(field) => ipc.for_input(field),
            None => ipc,
        }
    }
}

impl From<LifecycleError> for IpcError {
    fn from(error: LifecycleError) -> Self {
        match error {
            LifecycleError::Profile(e) => e.into(),
            LifecycleError::Vault(e) => e.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use tokenscope::jwt::{decode_unverified, SegmentKind};

    #[test]
    fn decode_error_keeps_its_code_message_and_location() {
        let error = decode_unverified("eyJhbGciOiJIUzI1NiJ9.e!.c2ln", 0).unwrap_err();
        let ipc = IpcError::from(error.clone());
        assert_eq!(ipc.code, "jwt.invalid_base64url");
        assert_eq!(ipc.message, error.to_string());
        let details = ipc.details.expect("a base64 error has a location");
        assert_eq!(details.segment, Some(SegmentKind::Payload));
        assert_eq!(details.position, Some(1));
    }

    #[test]
    fn error_without_location_serializes_details_as_null() {
        let ipc = IpcError::from(DecodeError::Empty);
        let json = serde_json::to_value(&ipc).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "code": "jwt.empty",
                "message": "no token given: the input is empty",
                "details": null,
                "exchanges": []
            })
        );
    }

    #[test]
    fn a_malformed_token_in_verification_keeps_its_location() {
        let decode = decode_unverified("eyJhbGciOiJIUzI1NiJ9.e!.c2ln", 0).unwrap_err();
        let ipc = IpcError::from(VerifyError::Malformed(decode));
        assert_eq!(ipc.code, "jwt.invalid_base64url");
        assert!(ipc.details.is_some());
    }

    #[test]
    fn network_errors_keep_the_core_code_and_message() {
        let timeout = HttpError::Timeout {
            url: "https://idp.example/jwks".into(),
            after: Duration::from_secs(15),
        };
        let ipc = IpcError::from(KeySourceError::Http(timeout.clone()));
        assert_eq!(ipc.code, "http.timeout");
        assert_eq!(ipc.message, timeout.to_string());
        let ipc = IpcError::from(DiscoveryError::Http(timeout));
        assert_eq!(ipc.code, "http.timeout");
        assert_eq!(ipc.details, None);
    }

    #[test]
    fn exchanges_travel_with_the_error() {
        let exchange = Exchange {
            method: "GET".into(),
            url: "https://idp.example/jwks".into(),
            status: Some(404),
            request_headers: vec![],
            response_headers: vec![],
            duration_ms: 3,
            from_cache: false,
            error: None,
        };
        let ipc = IpcError::new("http.status", "404").with_exchanges(vec![exchange]);
        let json = serde_json::to_value(&ipc).unwrap();
        assert_eq!(json["exchanges"][0]["status"], 404);
    }
}
