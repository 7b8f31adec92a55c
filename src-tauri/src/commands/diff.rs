//! Diff: two tokens compared claim by claim (issue 4).

use tauri::State;
use tokenscope::jwt::{compare_tokens, decode_unverified, TokenComparison};

use crate::{AppState, IpcError};

/// Compares token A with token B: header and claims, time deltas, lifetimes, signature, and both
/// tokens' members lined up side by side. Neither is verified. A malformed token is an error whose `input` says which one (`"a"` or `"b"`).
#[tauri::command]
pub async fn diff_token_pair(
    a: String,
    b: String,
    state: State<'_, AppState>,
) -> Result<TokenComparison, IpcError> {
    diff(&state, &a, &b)
}

fn diff(state: &AppState, a: &str, b: &str) -> Result<TokenComparison, IpcError> {
    let now = state.clock.now_unix();
    let a = decode_unverified(a, now).map_err(|e| IpcError::from(e).for_input("a"))?;
    let b = decode_unverified(b, now).map_err(|e| IpcError::from(e).for_input("b"))?;
    Ok(compare_tokens(&a, &b))
}

#[cfg(test)]
mod tests {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    use serde_json::{json, Value};
    use tokenscope::jwt::{ChangeKind, RowState};

    use super::*;
    use crate::commands::test_support::{state_at, RFC7519_TOKEN};

    fn unsigned(payload: Value) -> String {
        let part = |v: Value| URL_SAFE_NO_PAD.encode(v.to_string());
        format!(
            "{}.{}.c2ln",
            part(json!({"alg": "HS256", "typ": "JWT"})),
            part(payload)
        )
    }

    #[test]
    fn exp_fifteen_minutes_later_and_a_new_audience_show_in_the_summary() {
        let a = unsigned(json!({"sub": "u1", "iat": 1000, "exp": 1900, "aud": ["api"]}));
        let b = unsigned(json!({"sub": "u1", "iat": 1000, "exp": 2800, "aud": ["api", "web"]}));
        let comparison = diff(&state_at(1500), &a, &b).unwrap();
        let diff = &comparison.diff;
        assert!(diff.summary.contains("+15 min"), "{}", diff.summary);
        let exp = diff.payload.iter().find(|c| c.path == "/exp").unwrap();
        assert_eq!(exp.change, ChangeKind::Changed);
        assert_eq!(exp.delta_seconds, Some(900));
        let aud = diff.payload.iter().find(|c| c.path == "/aud").unwrap();
        assert!(aud.member && aud.security);
        assert_eq!(aud.after, Some(json!("web")));
        assert!(!diff.signature_changed);
        let rows: Vec<(&str, RowState)> = comparison
            .payload_rows
            .iter()
            .map(|r| (r.name.as_str(), r.state))
            .collect();
        assert_eq!(
            rows,
            [
                ("sub", RowState::Same),
                ("iat", RowState::Same),
                ("exp", RowState::Changed),
                ("aud", RowState::Changed),
            ]
        );
        assert!(comparison
            .header_rows
            .iter()
            .all(|r| r.state == RowState::Same));
    }

    #[test]
    fn a_malformed_second_token_is_an_error_about_input_b() {
        let error = diff(&state_at(0), RFC7519_TOKEN, "a.b").unwrap_err();
        assert_eq!(error.code, "jwt.segment_count");
        assert_eq!(error.input.as_deref(), Some("b"));
    }

    #[test]
    fn a_malformed_first_token_is_an_error_about_input_a() {
        let error = diff(&state_at(0), "", RFC7519_TOKEN).unwrap_err();
        assert_eq!(error.code, "jwt.empty");
        assert_eq!(error.input.as_deref(), Some("a"));
    }
}
