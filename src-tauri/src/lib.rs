//! Tokenscope's desktop shell: a thin Tauri 2 layer over the `tokenscope` core.
//!
//! All logic lives in the core; this crate holds the app state, the IPC commands (one core call
//! each, see [`commands`]) and the error type the webview receives.

pub mod commands;
mod error;
pub mod flow_records;
mod operations;
mod state;
pub mod vault_slot;
mod window_state;

#[cfg(test)]
mod bindings;
/// The core's private D-Bus session and gnome-keyring for tests, shared with `tests/`.
#[cfg(test)]
#[path = "../../tests/util/secret_service.rs"]
#[allow(dead_code)]
mod secret_service;

use tauri::Manager as _;

pub use error::IpcError;
pub use state::AppState;

/// Builds and runs the app until its last window closes.
pub fn run() {
    let result = tauri::Builder::default()
        // The window's size, position and maximised state across runs, from Rust only.
        .plugin(window_state::plugin())
        .on_window_event(window_state::saver())
        .manage(AppState::from_env())
        .setup(|app| {
            // Open the keychain now, off the UI thread, so the Vault view can show at once
            // whether it is usable; a command arriving meanwhile waits for this attempt.
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                handle.state::<AppState>().vault.status().await;
            });
            Ok(())
        })
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
            commands::profiles::list_profiles,
            commands::profiles::get_profile,
            commands::profiles::save_profile,
            commands::profiles::duplicate_profile,
            commands::profiles::remove_profile,
            commands::profiles::export_profiles,
            commands::profiles::import_profiles,
            commands::vault::vault_status,
            commands::vault::vault_list,
            commands::vault::vault_reveal,
            commands::vault::vault_delete,
            commands::vault::vault_forget_all,
            commands::flows::start_code_flow,
            commands::flows::refresh_flow,
            commands::flows::flow_userinfo,
            commands::grants::start_client_credentials,
            commands::grants::start_device_flow,
            commands::grants::revoke_token,
            commands::grants::introspect_token,
            commands::grants::call_api,
            commands::grants::export_flow,
            commands::practice::practice_start,
            commands::practice::practice_stop,
            commands::practice::practice_status,
            commands::practice::practice_lessons,
        ])
        .build(tauri::generate_context!());
    match result {
        Ok(app) => app.run(|handle, event| {
            if let tauri::RunEvent::Exit = event {
                // The practice issuer listens on a port until stopped: stop it with the app.
                let state = handle.state::<AppState>();
                tauri::async_runtime::block_on(state.practice.stop());
            }
        }),
        Err(error) => {
            eprintln!("tokenscope-app: {error}");
            std::process::exit(1);
        }
    }
}
