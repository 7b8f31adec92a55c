//! The window's size, position and maximised state across runs (tauri-plugin-window-state),
//! used from Rust only: the webview gets no permission for it. The last view is the web view's
//! own (an id in localStorage); nothing here ever holds a token.
//!
//! The plugin writes its file only when the app exits normally, which a crash, a kill or a
//! session ending never gives; so the state is also written shortly after the window stops
//! moving or resizing, and when it is asked to close.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tauri::plugin::TauriPlugin;
use tauri::{Manager as _, Runtime, Window, WindowEvent};
use tauri_plugin_window_state::{AppHandleExt as _, StateFlags};

/// What the window remembers: never its visibility or decorations, which the config decides.
const FLAGS: StateFlags = StateFlags::SIZE
    .union(StateFlags::POSITION)
    .union(StateFlags::MAXIMIZED);

/// How long the window must stay still before its state is written (a drag sends many events).
const SETTLE: Duration = Duration::from_millis(500);

/// The plugin, restoring the main window's state when it is created.
pub fn plugin<R: Runtime>() -> TauriPlugin<R> {
    tauri_plugin_window_state::Builder::default()
        .with_state_flags(FLAGS)
        .build()
}

/// Writes the window state once the window has settled after a move or resize, and on close.
pub fn saver<R: Runtime>() -> impl Fn(&Window<R>, &WindowEvent) + Send + Sync + 'static {
    let generation = Arc::new(AtomicU64::new(0));
    move |window, event| match event {
        WindowEvent::Moved(_) | WindowEvent::Resized(_) => {
            let mine = generation.fetch_add(1, Ordering::SeqCst) + 1;
            let generation = Arc::clone(&generation);
            let app = window.app_handle().clone();
            tauri::async_runtime::spawn(async move {
                tokio::time::sleep(SETTLE).await;
                if generation.load(Ordering::SeqCst) == mine {
                    // Nothing to tell anyone if it fails: the window opens at its default size.
                    let _ = app.save_window_state(FLAGS);
                }
            });
        }
        WindowEvent::CloseRequested { .. } => {
            let _ = window.app_handle().save_window_state(FLAGS);
        }
        _ => {}
    }
}
