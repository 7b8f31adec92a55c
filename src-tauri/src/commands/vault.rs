//! Vault: what Tokenscope keeps in the OS keychain (issue 11). Lists show metadata only; a value
//! leaves Rust only through `vault_reveal`, the Reveal button's explicit call, and is never
//! logged. Every keychain call runs on its own thread with the vault's timeout (see
//! [`crate::vault_slot`]), so a keychain that never answers is an error, not a hang.

use tauri::State;
use tokenscope::vault::{EntryKey, SecretKind, VaultEntry, VaultError};

use crate::vault_slot::VaultStatus;
use crate::{AppState, IpcError};

/// Whether the keychain can be used, and if not, why and what to do; `retry` opens it again
/// (after the user unlocked or started the keyring).
#[tauri::command]
pub async fn vault_status(
    retry: bool,
    state: State<'_, AppState>,
) -> Result<VaultStatus, IpcError> {
    Ok(status(&state, retry).await)
}

async fn status(state: &AppState, retry: bool) -> VaultStatus {
    match retry {
        true => state.vault.reopen().await,
        false => state.vault.status().await,
    }
}

/// Every Tokenscope entry: profile, kind and metadata, never a value.
#[tauri::command]
pub async fn vault_list(state: State<'_, AppState>) -> Result<Vec<VaultEntry>, IpcError> {
    list(&state).await
}

async fn list(state: &AppState) -> Result<Vec<VaultEntry>, IpcError> {
    let vault = state.vault.get().await?;
    state.vault.checked(vault.list().await).await
}

/// One stored value, for the Reveal button only.
#[tauri::command]
pub async fn vault_reveal(
    profile: String,
    kind: SecretKind,
    state: State<'_, AppState>,
) -> Result<String, IpcError> {
    reveal(&state, &profile, kind).await
}

async fn reveal(state: &AppState, profile: &str, kind: SecretKind) -> Result<String, IpcError> {
    let key = EntryKey::new(profile, kind).map_err(VaultError::from)?;
    let vault = state.vault.get().await?;
    let secret = state.vault.checked(vault.reveal(key).await).await?;
    Ok(secret.expose_secret().to_owned())
}

/// Deletes one entry; false when there was none.
#[tauri::command]
pub async fn vault_delete(
    profile: String,
    kind: SecretKind,
    state: State<'_, AppState>,
) -> Result<bool, IpcError> {
    delete(&state, &profile, kind).await
}

async fn delete(state: &AppState, profile: &str, kind: SecretKind) -> Result<bool, IpcError> {
    let key = EntryKey::new(profile, kind).map_err(VaultError::from)?;
    let vault = state.vault.get().await?;
    state.vault.checked(vault.delete(key).await).await
}

/// Deletes every Tokenscope entry ("Forget all", behind a confirmation); returns what it deleted.
#[tauri::command]
pub async fn vault_forget_all(state: State<'_, AppState>) -> Result<Vec<VaultEntry>, IpcError> {
    forget_all(&state).await
}

async fn forget_all(state: &AppState) -> Result<Vec<VaultEntry>, IpcError> {
    let vault = state.vault.get().await?;
    state.vault.checked(vault.forget_all().await).await
}

/// The commands against a real Secret Service: gnome-keyring on a D-Bus session of the test's
/// own (never the developer's keyring). The app opens the keychain named by its environment, so
/// each case runs as an `#[ignore]`d test in a child process of this test binary, whose
/// environment has that bus and temporary home, XDG and config directories, and nothing else.
#[cfg(test)]
mod tests {
    use std::process::Command;
    use std::time::{Duration, Instant};

    use tokenscope::secret::Secret;
    use tokenscope::vault::profiles::ClientAuthMethod;
    use tokenscope::vault::{Profile, UnavailableReason};

    use super::*;
    use crate::commands::profiles::tests::{remove, request, save};
    use crate::commands::test_support::block_on;
    use crate::secret_service::{Keychain, PrivateKeychain};
    use crate::vault_slot::VaultProblem;

    /// Set in the child's environment: the `#[ignore]`d cases run only there.
    const CHILD: &str = "TOKENSCOPE_APP_TEST_PRIVATE_KEYCHAIN";
    const SECRET: &str = "s3cret-from-the-app-test";

    /// Runs the `#[ignore]`d test `case` of this module in a child process on `keychain`, with
    /// `env` added; panics with its output unless it ran and passed.
    fn run_in_child(keychain: Keychain, freeze: bool, case: &str, env: &[(&str, &str)]) {
        let root = tempfile::tempdir().unwrap();
        let started = PrivateKeychain::start(keychain, root.path());
        if freeze {
            started.freeze_keyring();
        }
        let mut child = Command::new(std::env::current_exe().unwrap());
        child
            .args([&format!("commands::vault::tests::{case}"), "--exact"])
            .args(["--ignored", "--nocapture", "--test-threads=1"])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env(CHILD, "1")
            .envs(env.iter().copied());
        for dir in ["home", "config", "data", "cache", "runtime", "tokenscope"] {
            std::fs::create_dir_all(root.path().join(dir)).unwrap();
        }
        for (var, dir) in [
            ("HOME", "home"),
            ("XDG_CONFIG_HOME", "config"),
            ("XDG_DATA_HOME", "data"),
            ("XDG_CACHE_HOME", "cache"),
            ("XDG_RUNTIME_DIR", "runtime"),
            ("TOKENSCOPE_CONFIG_DIR", "tokenscope"),
        ] {
            child.env(var, root.path().join(dir));
        }
        if let Some(address) = started.address() {
            child.env("DBUS_SESSION_BUS_ADDRESS", address);
        }
        let out = child.output().unwrap();
        let output = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.status.success() && output.contains("1 passed"),
            "{case} failed in its child process:\n{output}"
        );
        // The secret reached only the keychain: not the config, data, cache or home directories.
        for dir in ["home", "config", "data", "cache", "tokenscope"] {
            let hits = files_containing(&root.path().join(dir), SECRET);
            assert!(hits.is_empty(), "the secret is in {hits:?}");
        }
    }

    /// Whether this is the child process `run_in_child` started (if not, the case is skipped).
    fn in_child() -> bool {
        let child = std::env::var_os(CHILD).is_some();
        if !child {
            eprintln!("skipped: runs only in the child process of its parent test");
        }
        child
    }

    /// `secret-tool search --all service tokenscope` on the bus in the environment (the
    /// attributes come on stderr).
    fn secret_tool_search() -> String {
        let out = Command::new("secret-tool")
            .args(["search", "--all", "service", "tokenscope"])
            .output()
            .expect("secret-tool (libsecret-tools) is installed");
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    }

    fn files_containing(dir: &std::path::Path, needle: &str) -> Vec<std::path::PathBuf> {
        let mut hits = Vec::new();
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                hits.extend(files_containing(&path, needle));
            } else if std::fs::read(&path)
                .is_ok_and(|b| b.windows(needle.len()).any(|w| w == needle.as_bytes()))
            {
                hits.push(path);
            }
        }
        hits
    }

    fn confidential(name: &str) -> Profile {
        Profile {
            issuer: Some("https://issuer.example".to_owned()),
            client_auth: ClientAuthMethod::ClientSecretPost,
            ..Profile::new(name, "client-1")
        }
    }

    #[test]
    fn a_client_secret_goes_to_the_keychain_is_revealed_on_request_and_goes_with_its_profile() {
        run_in_child(
            Keychain::SecretService,
            false,
            "private_keyring_journey",
            &[],
        );
    }

    #[test]
    #[ignore = "runs in a child process on a private keyring"]
    fn private_keyring_journey() {
        if !in_child() {
            return;
        }
        let state = AppState::from_env();
        assert_eq!(block_on(status(&state, false)), VaultStatus::Available);

        let saved = block_on(save(
            &state,
            request(confidential("dev"), Some(SECRET), true),
        ))
        .unwrap();
        let entry = saved.client_secret.expect("stored");
        assert_eq!(entry.kind, SecretKind::ClientSecret);
        let fingerprint = tokenscope::vault::fingerprint(&Secret::new(SECRET));
        assert_eq!(
            entry.metadata.fingerprint.as_deref(),
            Some(fingerprint.as_str())
        );
        let outside = secret_tool_search();
        assert!(outside.contains("dev/client_secret"), "{outside}");
        assert!(outside.contains(&fingerprint), "{outside}");

        // Listed without its value; revealed only when asked.
        let listed = block_on(list(&state)).unwrap();
        assert_eq!(listed, std::slice::from_ref(&entry));
        assert!(!serde_json::to_string(&listed).unwrap().contains(SECRET));
        let revealed = block_on(reveal(&state, "dev", SecretKind::ClientSecret)).unwrap();
        assert_eq!(revealed, SECRET);

        // An edit with a new secret rotates it; one without keeps it.
        let rotated = block_on(save(
            &state,
            request(confidential("dev"), Some("rotated"), false),
        ))
        .unwrap()
        .client_secret
        .unwrap();
        assert_eq!(rotated.metadata.previous_fingerprint, Some(fingerprint));
        block_on(save(&state, request(confidential("dev"), None, false))).unwrap();
        assert_eq!(
            block_on(reveal(&state, "dev", SecretKind::ClientSecret)).unwrap(),
            "rotated"
        );

        // Delete one entry, then forget all.
        assert!(block_on(delete(&state, "dev", SecretKind::ClientSecret)).unwrap());
        assert!(!block_on(delete(&state, "dev", SecretKind::ClientSecret)).unwrap());
        assert_eq!(secret_tool_search().trim(), "");
        let err = block_on(reveal(&state, "dev", SecretKind::ClientSecret)).unwrap_err();
        assert_eq!(err.code, "vault.not_found");
        block_on(save(
            &state,
            request(confidential("other"), Some(SECRET), true),
        ))
        .unwrap();
        block_on(save(
            &state,
            request(confidential("dev"), Some(SECRET), false),
        ))
        .unwrap();
        assert_eq!(block_on(forget_all(&state)).unwrap().len(), 2);
        assert!(block_on(list(&state)).unwrap().is_empty());

        // Removing a profile removes its entries.
        block_on(save(
            &state,
            request(confidential("dev"), Some(SECRET), false),
        ))
        .unwrap();
        let removed = block_on(remove(&state, "dev".into())).unwrap();
        assert_eq!(removed.deleted_secrets, [SecretKind::ClientSecret]);
        assert!(block_on(list(&state)).unwrap().is_empty());
        assert_eq!(secret_tool_search().trim(), "");
    }

    #[test]
    fn without_a_session_bus_the_status_says_why_and_nothing_is_saved() {
        run_in_child(Keychain::NoBus, false, "no_bus_case", &[]);
    }

    #[test]
    #[ignore = "runs in a child process with no session bus"]
    fn no_bus_case() {
        if !in_child() {
            return;
        }
        let state = AppState::from_env();
        let VaultStatus::Unavailable(problem) = block_on(status(&state, false)) else {
            panic!("no bus, yet available");
        };
        assert_eq!(problem.code, "vault.unavailable");
        assert_eq!(problem.reason, Some(UnavailableReason::NoSessionBus));
        assert!(
            problem.message.contains("D-Bus session bus"),
            "{}",
            problem.message
        );

        let err = block_on(save(
            &state,
            request(confidential("dev"), Some(SECRET), true),
        ))
        .unwrap_err();
        assert_eq!(
            (err.code.as_str(), err.message.as_str()),
            (problem.code.as_str(), problem.message.as_str())
        );
        assert_eq!(
            block_on(list(&state)).unwrap_err().code,
            "vault.unavailable"
        );
        // Retry opens it again, and says the same.
        assert!(matches!(
            block_on(status(&state, true)),
            VaultStatus::Unavailable(VaultProblem {
                reason: Some(UnavailableReason::NoSessionBus),
                ..
            })
        ));
    }

    #[test]
    fn a_keyring_that_never_answers_is_unavailable_within_the_timeout() {
        let env = [("TOKENSCOPE_KEYCHAIN_TIMEOUT_MS", "400")];
        run_in_child(Keychain::SecretService, true, "frozen_keyring_case", &env);
    }

    #[test]
    #[ignore = "runs in a child process on a stopped keyring"]
    fn frozen_keyring_case() {
        if !in_child() {
            return;
        }
        let state = AppState::from_env();
        let started = Instant::now();
        let VaultStatus::Unavailable(problem) = block_on(status(&state, false)) else {
            panic!("a stopped keyring, yet available");
        };
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(problem.reason, Some(UnavailableReason::Timeout));
        assert!(problem.message.contains("400 ms"), "{}", problem.message);
        // Later calls fail at once with that error instead of each waiting out the timeout.
        let started = Instant::now();
        assert_eq!(block_on(list(&state)).unwrap_err().message, problem.message);
        assert!(
            started.elapsed() < Duration::from_millis(100),
            "{:?}",
            started.elapsed()
        );
    }
}
