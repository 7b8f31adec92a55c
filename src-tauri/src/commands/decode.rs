//! Inspect: decoding without verification.

use tauri::State;
use tokenscope::jwt::DecodedToken;

use crate::{AppState, IpcError};

/// Decodes a pasted token without verifying it (the UI labels the result "not verified").
#[tauri::command]
pub async fn decode_token(
    token: String,
    state: State<'_, AppState>,
) -> Result<DecodedToken, IpcError> {
    decode(&state, &token)
}

fn decode(state: &AppState, token: &str) -> Result<DecodedToken, IpcError> {
    tokenscope::jwt::decode_unverified(token, state.clock.now_unix())
        .map_err(|e| IpcError::from(e).locating_in(token))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::test_support::{state_at, RFC7519_TOKEN};

    #[test]
    fn decode_uses_the_state_clock_for_now() {
        let decoded = decode(&state_at(1_300_819_000), RFC7519_TOKEN).unwrap();
        assert_eq!(decoded.now, 1_300_819_000);
        assert_eq!(decoded.claims[0].name, "iss");
        assert!(decoded.findings.iter().all(|f| f.code != "expired"));
    }

    #[test]
    fn a_located_error_carries_the_token_its_offsets_index() {
        let error = decode(
            &state_at(0),
            "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.a!b.c\n",
        )
        .unwrap_err();
        assert_eq!(error.code, "jwt.invalid_base64url");
        let token = error.token.as_deref().unwrap();
        assert_eq!(token, "eyJhbGciOiJIUzI1NiJ9.a!b.c");
        let offset = error.details.unwrap().offset.unwrap() as usize;
        assert_eq!(&token[offset..=offset], "!");
        // Without a location there is nothing to point into.
        assert_eq!(decode(&state_at(0), "   ").unwrap_err().token, None);
    }

    #[test]
    fn decode_failure_becomes_an_ipc_error_with_a_code() {
        let error = decode(&state_at(0), "not-a-token").unwrap_err();
        assert_eq!(error.code, "jwt.segment_count");
    }
}
