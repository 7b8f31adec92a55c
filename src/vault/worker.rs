//! Keychain calls off the caller's thread, with a deadline.
//!
//! Each call gets a plain thread, not `tokio::task::spawn_blocking`: a call the keychain never
//! answers would keep a blocking-pool thread for ever, and a tokio runtime waits for its blocking
//! tasks when it shuts down, so the CLI would hang on exit. A plain thread is abandoned when the
//! deadline passes (it ends with the process, or when the keychain finally answers).

use std::time::Duration;

use super::{UnavailableReason, VaultError};

/// Runs `call` on a thread of its own; `vault.unavailable` (reason `timeout`) if it has not
/// finished after `timeout`.
pub(crate) async fn run_bounded<T: Send + 'static>(
    timeout: Duration,
    call: impl FnOnce() -> Result<T, VaultError> + Send + 'static,
) -> Result<T, VaultError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("tokenscope-keychain".to_owned())
        .spawn(move || {
            // The receiver is gone when the caller gave up; the result is dropped with it.
            let _ = tx.send(call());
        })
        .map_err(|e| {
            VaultError::unavailable(
                UnavailableReason::Platform,
                &format!("cannot start a thread for the keychain call: {e}"),
            )
        })?;
    match tokio::time::timeout(timeout, rx).await {
        Ok(Ok(result)) => result,
        // The thread ended without sending: the call panicked.
        Ok(Err(_)) => Err(VaultError::Failed(
            "the keychain call ended without an answer".to_owned(),
        )),
        Err(_) => Err(VaultError::timed_out(timeout)),
    }
}
