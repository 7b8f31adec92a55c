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
//! work is bounded by the [`tokenscope::http::HttpPolicy`] timeouts, keychain calls by the
//! vault's timeout (each on a thread of its own), and profile-file calls, which may wait on
//! another process's lock, run on the blocking pool. A network command takes an
//! `operation_id` from the webview and runs its core call through
//! [`crate::operations::Operations::run`], with a transcript of its own: `cancel_operation` stops
//! it, and its reply (or error) carries exactly its exchanges.

pub mod decode;
pub mod diff;
pub mod discover;
pub mod encode;
pub mod flows;
pub mod grants;
pub mod operation;
pub mod practice;
pub mod profiles;
pub mod vault;
pub mod verify;

#[cfg(test)]
pub(crate) mod test_support {
    use std::sync::Arc;

    use tokenscope::clock::FixedClock;

    use crate::vault_slot::VaultSlot;
    use crate::{AppState, IpcError};

    /// RFC 7519 §3.1 example token (HS256, exp 1300819380).
    pub const RFC7519_TOKEN: &str = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

    /// App state on a fixed clock (Unix seconds), with no profile directory and no keychain
    /// (never the OS keychain of whoever runs the tests).
    pub fn state_at(now: i64) -> AppState {
        let profiles = Err(IpcError::new("profile.no_config_dir", "none in tests"));
        AppState::new(Arc::new(FixedClock(now)), no_keychain(), profiles)
    }

    /// App state with its profiles in `dir` and no keychain.
    pub fn state_with_profiles(dir: &std::path::Path) -> AppState {
        let profiles = Ok(tokenscope::vault::ProfileStore::new(dir));
        AppState::new(Arc::new(FixedClock(0)), no_keychain(), profiles)
    }

    fn no_keychain() -> VaultSlot {
        VaultSlot::unavailable(Arc::new(FixedClock(0)))
    }

    /// Runs a command's future to completion on a small runtime, as Tauri would.
    pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
        tauri::async_runtime::block_on(future)
    }
}
