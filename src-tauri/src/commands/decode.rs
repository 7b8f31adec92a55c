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
    Ok(tokenscope::jwt::decode_unverified(
        token,
        state.clock.now_unix(),
    )?)
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
    fn decode_failure_becomes_an_ipc_error_with_a_code() {
        let error = decode(&state_at(0), "not-a-token").unwrap_err();
        assert_eq!(error.code, "jwt.segment_count");
    }
}
