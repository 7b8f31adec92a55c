//! IPC commands: each converts its arguments, calls one core function and maps the error.
//!
//! Adding a command touches three lines besides the function itself:
//! 1. `COMMANDS` in `build.rs` (generates its `allow-<name>` permission),
//! 2. `tauri::generate_handler![…]` in `src/lib.rs`,
//! 3. `"allow-<name>"` in `capabilities/main.json`,
//!
//! then add its argument/return types to `bindings::ipc_types` and run the bindings test with
//! `UPDATE_BINDINGS=1`. Never log arguments: they are tokens and secrets.

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
    use std::sync::Arc;

    use tokenscope::clock::FixedClock;

    use super::*;

    /// RFC 7519 §3.1 example token.
    const RFC7519_TOKEN: &str = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

    #[test]
    fn decode_uses_the_state_clock_for_now() {
        let state = AppState::new(Arc::new(FixedClock(1_300_819_000)));
        let decoded = decode(&state, RFC7519_TOKEN).unwrap();
        assert_eq!(decoded.now, 1_300_819_000);
        assert_eq!(decoded.claims[0].name, "iss");
        assert!(decoded.findings.iter().all(|f| f.code != "expired"));
    }

    #[test]
    fn decode_failure_becomes_an_ipc_error_with_a_code() {
        let state = AppState::new(Arc::new(FixedClock(0)));
        let error = decode(&state, "not-a-token").unwrap_err();
        assert_eq!(error.code, "jwt.segment_count");
    }
}
