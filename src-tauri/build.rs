//! Compile-time Tauri setup: embeds tauri.conf.json, validates capabilities and generates the
//! `allow-<command>` / `deny-<command>` permissions for the app's own commands.

/// Every `#[tauri::command]` the app defines. A command missing here has no permission, so the
/// webview cannot call it; one listed here is callable only where a capability grants it
/// (`capabilities/main.json`). See `src/commands/mod.rs` for the three places a new command touches.
const COMMANDS: &[&str] = &[
    "decode_token",
    "verify_token",
    "diff_token_pair",
    "discover_issuer",
    "compare_metadata",
    "cancel_operation",
    "encode_token",
    "validate_json",
    "apply_payload_helpers",
    "generate_key",
    "export_private_key",
    "list_profiles",
    "get_profile",
    "save_profile",
    "duplicate_profile",
    "remove_profile",
    "export_profiles",
    "import_profiles",
    "vault_status",
    "vault_list",
    "vault_reveal",
    "vault_delete",
    "vault_forget_all",
    "start_code_flow",
    "refresh_flow",
    "flow_userinfo",
    "start_client_credentials",
    "start_device_flow",
    "revoke_token",
    "introspect_token",
    "call_api",
    "export_flow",
    "practice_start",
    "practice_stop",
    "practice_status",
    "practice_lessons",
];

fn main() {
    let manifest = tauri_build::AppManifest::new().commands(COMMANDS);
    let attributes = tauri_build::Attributes::new().app_manifest(manifest);
    if let Err(error) = tauri_build::try_build(attributes) {
        // Build scripts report through stderr and the exit status; `{:#}` keeps the cause chain.
        eprintln!("tauri-build failed: {error:#}");
        std::process::exit(1);
    }
}
