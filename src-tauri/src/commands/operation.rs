//! Cancel: stop a network operation the webview started (issue 10).

use tauri::State;

use crate::{AppState, IpcError};

/// Stops the operation the webview started as `operation_id` (a verification with network keys,
/// a discovery): its command answers at once with the code `operation.cancelled`. An id that
/// has finished is ignored; one whose command has not started yet is cancelled as it starts.
#[tauri::command]
pub async fn cancel_operation(
    operation_id: String,
    state: State<'_, AppState>,
) -> Result<(), IpcError> {
    state.operations.cancel(&operation_id);
    Ok(())
}
