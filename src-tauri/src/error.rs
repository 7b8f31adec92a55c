//! The single error shape every command returns to the webview.

use serde::Serialize;
use tokenscope::jwt::{DecodeError, ErrorLocation};
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
    pub details: Option<ErrorLocation>,
}

impl From<DecodeError> for IpcError {
    fn from(error: DecodeError) -> Self {
        IpcError {
            code: error.code().to_owned(),
            message: error.to_string(),
            details: error.location(),
        }
    }
}

#[cfg(test)]
mod tests {
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
                "details": null
            })
        );
    }
}
