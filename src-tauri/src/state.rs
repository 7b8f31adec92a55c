//! The one piece of state Tauri manages for the app.

use std::sync::Arc;

use tokenscope::clock::Clock;

/// Shared app state, reachable from every command through `tauri::State<AppState>`.
pub struct AppState {
    /// The source of "now" for decoding; the system clock in the app, a fixed one in tests.
    pub clock: Arc<dyn Clock>,
}

impl AppState {
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        AppState { clock }
    }
}
