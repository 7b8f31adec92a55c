//! IPC commands, one module per view: each command converts its arguments, calls the core and
//! maps the error — about ten lines. Request types (Deserialize + ts-rs) live beside their command.
//!
//! Adding a command touches three lines besides the function itself:
//! 1. `COMMANDS` in `build.rs` (generates its `allow-<name>` permission),
//! 2. `tauri::generate_handler![…]` in `src/lib.rs`,
//! 3. `"allow-<name>"` in `capabilities/main.json`,
//!
//! then add its argument/return types to `bindings::export_ipc_types` and run the bindings test
//! with `UPDATE_BINDINGS=1`. Never log arguments: they are tokens and secrets.
//!
//! Commands are `async`, so Tauri runs them on its async runtime, never on the UI thread; network
//! work is bounded by the [`tokenscope::http::HttpPolicy`] timeouts. A network command takes an
//! `operation_id` from the webview and runs its core call through
//! [`crate::operations::Operations::run`], with a transcript of its own: `cancel_operation` stops
//! it, and its reply (or error) carries exactly its exchanges.

pub mod decode;
pub mod diff;
pub mod discover;
pub mod encode;
pub mod operation;
pub mod verify;

#[cfg(test)]
pub(crate) mod test_support {
    use std::sync::Arc;

    use tokenscope::clock::FixedClock;

    use crate::AppState;

    /// RFC 7519 §3.1 example token (HS256, exp 1300819380).
    pub const RFC7519_TOKEN: &str = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

    /// App state on a fixed clock (Unix seconds).
    pub fn state_at(now: i64) -> AppState {
        AppState::new(Arc::new(FixedClock(now)))
    }

    /// Runs a command's future to completion on a small runtime, as Tauri would.
    pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
        tauri::async_runtime::block_on(future)
    }
}
