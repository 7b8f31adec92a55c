//! The vault's faults, with stable codes and messages that say what to do.

use std::time::Duration;

use serde::Serialize;

use super::profiles::InvalidName;
use super::SecretKind;
use crate::error::ErrorCode;

/// Why the keychain cannot be used. Every reason has the one code `vault.unavailable`; the app
/// can word its banner by reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum UnavailableReason {
    /// No D-Bus session bus to reach a Secret Service on (Linux).
    NoSessionBus,
    /// A bus, but nothing owns `org.freedesktop.secrets` (no keyring daemon running).
    NoSecretService,
    /// The keyring is locked and was not unlocked.
    Locked,
    /// Access was refused: an unlock or access prompt was dismissed, or could not be shown.
    Denied,
    /// The keychain did not answer within the vault's timeout.
    Timeout,
    /// Any other failure of the platform's store.
    Platform,
}

/// A vault operation that could not be done.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// No usable keychain; nothing was stored anywhere else.
    #[error("{message}")]
    Unavailable {
        reason: UnavailableReason,
        message: String,
    },
    /// No such entry.
    #[error("no {kind} is stored for profile {profile:?}")]
    NotFound { profile: String, kind: SecretKind },
    #[error(transparent)]
    InvalidName(#[from] InvalidName),
    /// The keychain answered, but not in a way Tokenscope can use (several matching entries, a
    /// value that is not UTF-8 text, an operation the store does not support).
    #[error("the keychain failed: {0}")]
    Failed(String),
}

/// Said after every unavailability: the reason Tokenscope refuses instead of writing a file.
const NO_FALLBACK: &str =
    "Tokenscope keeps refresh tokens and client secrets only in the OS keychain and never falls back to a plain file.";

impl VaultError {
    /// `vault.unavailable` with the advice that fits `reason`; `detail` is the platform's words.
    pub fn unavailable(reason: UnavailableReason, detail: &str) -> Self {
        let advice = match reason {
            UnavailableReason::NoSessionBus => {
                "no OS keychain is reachable: there is no D-Bus session bus for the Secret Service \
                 (DBUS_SESSION_BUS_ADDRESS is unset or dead). Run Tokenscope in a desktop session, or \
                 start a session bus with a keyring daemon (e.g. `dbus-run-session -- sh -c \
                 'gnome-keyring-daemon --unlock --components=secrets; …'`)"
            }
            UnavailableReason::NoSecretService => {
                "no OS keychain is reachable: nothing provides the Secret Service \
                 (org.freedesktop.secrets) on the D-Bus session bus. Start or install a keyring \
                 (GNOME Keyring, KWallet, or KeePassXC with its Secret Service integration on)"
            }
            UnavailableReason::Locked => {
                "the OS keychain is locked and was not unlocked. Unlock it (log in to the desktop \
                 session, or `gnome-keyring-daemon --unlock`), then try again"
            }
            UnavailableReason::Denied => {
                "the OS keychain refused access: it is locked and its unlock prompt was dismissed \
                 or could not be shown. Unlock the keyring (or allow Tokenscope access when asked), \
                 then try again"
            }
            UnavailableReason::Timeout => {
                "the OS keychain did not answer in time; it may be waiting on an unlock prompt that \
                 cannot be shown, or its daemon is stuck. Unlock the keyring or restart its daemon, \
                 then try again"
            }
            UnavailableReason::Platform => {
                "the OS keychain could not be used. Check that the keyring is running and unlocked, \
                 then try again"
            }
        };
        let detail = detail.trim();
        let message = if detail.is_empty() {
            format!("{advice}. {NO_FALLBACK}")
        } else {
            format!("{advice} ({detail}). {NO_FALLBACK}")
        };
        VaultError::Unavailable { reason, message }
    }

    pub(crate) fn timed_out(after: Duration) -> Self {
        Self::unavailable(
            UnavailableReason::Timeout,
            &format!("no answer within {} ms", after.as_millis()),
        )
    }

    /// The reason, for `vault.unavailable`.
    pub fn unavailable_reason(&self) -> Option<UnavailableReason> {
        match self {
            VaultError::Unavailable { reason, .. } => Some(*reason),
            _ => None,
        }
    }
}

impl ErrorCode for VaultError {
    fn code(&self) -> &'static str {
        match self {
            VaultError::Unavailable { .. } => "vault.unavailable",
            VaultError::NotFound { .. } => "vault.not_found",
            VaultError::InvalidName(e) => e.code(),
            VaultError::Failed(_) => "vault.failed",
        }
    }
}
