//! Tokenscope's desktop shell: a thin Tauri 2 layer over the `tokenscope` core.
//!
//! All logic lives in the core; this crate holds the app state, the IPC commands (one core call
//! each, see [`commands`]) and the error type the webview receives.

pub mod commands;
mod error;
mod operations;
mod state;

#[cfg(test)]
mod bindings;

use std::sync::Arc;

pub use error::IpcError;
pub use state::AppState;

/// Builds and runs the app until its last window closes.
pub fn run() {
    let state = AppState::new(Arc::new(tokenscope::clock::SystemClock));
    let result = tauri::Builder::default()
        .manage(state)
        // Register new commands here (and see `commands` for the other two places).
        .invoke_handler(tauri::generate_handler![
            commands::decode::decode_token,
            commands::verify::verify_token,
            commands::diff::diff_token_pair,
            commands::discover::discover_issuer,
            commands::discover::compare_metadata,
            commands::operation::cancel_operation,
            commands::encode::encode_token,
            commands::encode::validate_json,
            commands::encode::apply_payload_helpers,
            commands::encode::generate_key,
            commands::encode::export_private_key,
        ])
        .run(tauri::generate_context!());
    if let Err(error) = result {
        eprintln!("tokenscope-app: {error}");
        std::process::exit(1);
    }
}
