//! The keychain vault as the app holds it: opened at startup, its failure kept to show in the
//! Vault view's banner, opened again on Retry.
//!
//! Every keychain call runs on a thread of its own with a timeout (the core's
//! [`Vault`]), so no command, and never the UI thread, waits on a keychain that does not answer
//! (a locked keyring can wait for ever on an unlock prompt). A call that finds the keychain
//! unavailable closes the vault here: later calls fail at once with that error instead of each
//! waiting out the timeout, until the user fixes the keychain and presses Retry.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tauri::async_runtime::Mutex;
use tokenscope::clock::Clock;
use tokenscope::vault::{LifecycleError, UnavailableReason, Vault, VaultError, VaultOptions};
use tokenscope::ErrorCode as _;
use ts_rs::TS;

use crate::IpcError;

/// Overrides how long a keychain call may take, in milliseconds (read once, at startup).
pub const TIMEOUT_ENV: &str = "TOKENSCOPE_KEYCHAIN_TIMEOUT_MS";

/// Whether the OS keychain can be used, and if not, why and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum VaultStatus {
    Available,
    Unavailable(VaultProblem),
}

/// Why the app has no vault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct VaultProblem {
    /// `vault.unavailable`, or `vault.failed` for a keychain that answered nonsense.
    pub code: String,
    /// Why the keychain is unavailable; null only for `vault.failed`.
    pub reason: Option<UnavailableReason>,
    /// What went wrong and what to do about it (start or unlock the keyring, …).
    pub message: String,
}

impl VaultProblem {
    fn of(error: &VaultError) -> Self {
        VaultProblem {
            code: error.code().to_owned(),
            reason: error.unavailable_reason(),
            message: error.to_string(),
        }
    }
}

impl From<&VaultProblem> for IpcError {
    fn from(problem: &VaultProblem) -> Self {
        IpcError::new(&problem.code, &problem.message)
    }
}

/// The vault, or why there is none.
type Opened = Result<Vault, VaultProblem>;

/// The app's vault: not opened yet, open, or unavailable (with the error to show).
pub struct VaultSlot {
    options: VaultOptions,
    clock: Arc<dyn Clock>,
    /// `None` until first opened. Held while opening, so calls that arrive meanwhile wait for
    /// that one attempt instead of starting their own.
    opened: Mutex<Option<Opened>>,
}

impl VaultSlot {
    /// The OS keychain with calls bounded by `options.timeout`; nothing is opened yet.
    pub fn new(options: VaultOptions, clock: Arc<dyn Clock>) -> Self {
        VaultSlot {
            options,
            clock,
            opened: Mutex::new(None),
        }
    }

    /// A vault that is unavailable until reopened, for tests that must never reach the OS
    /// keychain of whoever runs them.
    #[cfg(test)]
    pub fn unavailable(clock: Arc<dyn Clock>) -> Self {
        let error = VaultError::unavailable(UnavailableReason::NoSessionBus, "test");
        VaultSlot {
            options: VaultOptions::default(),
            clock,
            opened: Mutex::new(Some(Err(VaultProblem::of(&error)))),
        }
    }

    /// [`VaultOptions`] with the timeout from [`TIMEOUT_ENV`] if it is set to a positive number
    /// of milliseconds (otherwise the core's default, 20 s).
    pub fn options_from_env() -> VaultOptions {
        let Some(value) = std::env::var_os(TIMEOUT_ENV) else {
            return VaultOptions::default();
        };
        match value.to_str().and_then(|v| v.parse::<u64>().ok()) {
            Some(ms) if ms > 0 => VaultOptions {
                timeout: Duration::from_millis(ms),
            },
            _ => {
                eprintln!(
                    "tokenscope-app: ignoring {TIMEOUT_ENV}: not a positive number of milliseconds"
                );
                VaultOptions::default()
            }
        }
    }

    /// The open vault (opening it if nothing tried yet), or the error that closed it.
    pub async fn get(&self) -> Result<Vault, IpcError> {
        match self.opened().await {
            Ok(vault) => Ok(vault),
            Err(problem) => Err((&problem).into()),
        }
    }

    /// Available or why not, opening the vault if nothing tried yet.
    pub async fn status(&self) -> VaultStatus {
        status_of(&self.opened().await)
    }

    async fn opened(&self) -> Opened {
        let mut opened = self.opened.lock().await;
        if opened.is_none() {
            *opened = Some(self.open_now().await);
        }
        opened.clone().expect("opened above")
    }

    /// Opens the keychain again (Retry, after the user unlocked or started it).
    pub async fn reopen(&self) -> VaultStatus {
        let mut opened = self.opened.lock().await;
        let result = self.open_now().await;
        let status = status_of(&result);
        *opened = Some(result);
        status
    }

    /// A vault call's result; an unavailable keychain closes the vault until [`Self::reopen`].
    pub async fn checked<T, E: VaultFault>(&self, result: Result<T, E>) -> Result<T, IpcError> {
        result.map_err(|e| {
            let unavailable = e.vault_error().filter(|v| v.unavailable_reason().is_some());
            if let Some(error) = unavailable {
                // A busy lock means an open is under way, whose answer is newer than this one.
                if let Ok(mut opened) = self.opened.try_lock() {
                    *opened = Some(Err(VaultProblem::of(error)));
                }
            }
            e.into()
        })
    }

    async fn open_now(&self) -> Opened {
        Vault::open_os(self.options, self.clock.clone())
            .await
            .map_err(|e| VaultProblem::of(&e))
    }
}

fn status_of(opened: &Opened) -> VaultStatus {
    match opened {
        Ok(_) => VaultStatus::Available,
        Err(problem) => VaultStatus::Unavailable(problem.clone()),
    }
}

/// An error that may be the keychain's.
pub trait VaultFault: Into<IpcError> {
    fn vault_error(&self) -> Option<&VaultError>;
}

impl VaultFault for VaultError {
    fn vault_error(&self) -> Option<&VaultError> {
        Some(self)
    }
}

impl VaultFault for LifecycleError {
    fn vault_error(&self) -> Option<&VaultError> {
        match self {
            LifecycleError::Vault(e) => Some(e),
            LifecycleError::Profile(_) => None,
        }
    }
}
