//! Profiles: provider registrations in `profiles.json` (issue 11), their client secrets in the
//! keychain. The file is locked while it is written, and a writer may wait for another process's
//! lock, so every profile-store call runs on the blocking pool, never on the async runtime's
//! threads. A client secret arrives as the core's `Secret`, goes straight to the keychain and is
//! never sent back.

use serde::{Deserialize, Serialize};
use tauri::State;
use tokenscope::secret::Secret;
use tokenscope::vault::profiles::{ImportConflict, ImportReport};
use tokenscope::vault::{
    add_profile_with_client_secret, remove_profile as remove_with_secrets,
    replace_profile_with_client_secret, Profile, RemovedProfile, VaultEntry,
};
use ts_rs::TS;

use crate::{AppState, IpcError};

/// Every profile, and where they are kept.
#[derive(Debug, Serialize, TS)]
pub struct ProfileList {
    /// The profile file's path, to show.
    pub file: String,
    /// Sorted by name.
    pub profiles: Vec<Profile>,
}

/// A profile to create, or to save over the one with its name (an edit).
#[derive(Deserialize, TS)]
pub struct SaveProfileRequest {
    pub profile: Profile,
    /// Stored in the keychain as `<name>/client_secret` (replacing any); null or empty keeps what
    /// is stored. Never read back.
    #[ts(type = "string | null")]
    pub client_secret: Option<Secret>,
    /// True for a new profile (its name must be free), false for an edit (it must exist).
    pub create: bool,
}

/// A saved profile, and its client secret's keychain entry if one was stored.
#[derive(Debug, Serialize, TS)]
pub struct SavedProfile {
    pub profile: Profile,
    pub client_secret: Option<VaultEntry>,
}

#[tauri::command]
pub async fn list_profiles(state: State<'_, AppState>) -> Result<ProfileList, IpcError> {
    list(&state).await
}

async fn list(state: &AppState) -> Result<ProfileList, IpcError> {
    let store = state.profiles()?;
    let file = store.file_path().display().to_string();
    let profiles = blocking(move || store.list()).await??;
    Ok(ProfileList { file, profiles })
}

#[tauri::command]
pub async fn get_profile(name: String, state: State<'_, AppState>) -> Result<Profile, IpcError> {
    get(&state, name).await
}

async fn get(state: &AppState, name: String) -> Result<Profile, IpcError> {
    let store = state.profiles()?;
    Ok(blocking(move || store.get(&name)).await??)
}

/// Creates or edits a profile; with a client secret, the secret is stored first and nothing is
/// saved unless both succeed.
#[tauri::command]
pub async fn save_profile(
    request: SaveProfileRequest,
    state: State<'_, AppState>,
) -> Result<SavedProfile, IpcError> {
    save(&state, request).await
}

pub(crate) async fn save(
    state: &AppState,
    request: SaveProfileRequest,
) -> Result<SavedProfile, IpcError> {
    let SaveProfileRequest {
        profile,
        client_secret,
        create,
    } = request;
    let (store, saved) = (state.profiles()?, profile.clone());
    let Some(secret) = client_secret.filter(|s| !s.expose_secret().is_empty()) else {
        blocking(move || match create {
            true => store.add(profile),
            false => store.replace(profile).map(drop),
        })
        .await??;
        return Ok(SavedProfile {
            profile: saved,
            client_secret: None,
        });
    };
    let vault = state.vault.get().await?;
    let stored = blocking(move || {
        tauri::async_runtime::block_on(async {
            match create {
                true => add_profile_with_client_secret(&store, &vault, profile, secret).await,
                false => replace_profile_with_client_secret(&store, &vault, profile, secret).await,
            }
        })
    })
    .await?;
    Ok(SavedProfile {
        profile: saved,
        client_secret: Some(state.vault.checked(stored).await?),
    })
}

/// Copies a profile's settings under a new name; never its secrets (the copy's client secret is
/// set by editing it).
#[tauri::command]
pub async fn duplicate_profile(
    name: String,
    new_name: String,
    state: State<'_, AppState>,
) -> Result<Profile, IpcError> {
    duplicate(&state, name, new_name).await
}

async fn duplicate(state: &AppState, name: String, new_name: String) -> Result<Profile, IpcError> {
    let store = state.profiles()?;
    Ok(blocking(move || {
        let copy = Profile {
            name: new_name,
            ..store.get(&name)?
        };
        store.add(copy.clone()).map(|()| copy)
    })
    .await??)
}

/// Removes a profile and its keychain entries (they go first: without a keychain the profile
/// stays, `vault.unavailable`).
#[tauri::command]
pub async fn remove_profile(
    name: String,
    state: State<'_, AppState>,
) -> Result<RemovedProfile, IpcError> {
    remove(&state, name).await
}

pub(crate) async fn remove(state: &AppState, name: String) -> Result<RemovedProfile, IpcError> {
    let (store, vault) = (state.profiles()?, state.vault.get().await?);
    let removed = blocking(move || {
        tauri::async_runtime::block_on(remove_with_secrets(&store, &vault, &name))
    })
    .await?;
    state.vault.checked(removed).await
}

/// The named profiles (all when `names` is empty) as an export file: no secrets are in it.
#[tauri::command]
pub async fn export_profiles(
    names: Vec<String>,
    state: State<'_, AppState>,
) -> Result<String, IpcError> {
    export(&state, names).await
}

async fn export(state: &AppState, names: Vec<String>) -> Result<String, IpcError> {
    let store = state.profiles()?;
    Ok(blocking(move || store.export(&names)).await??)
}

/// Imports an export file's profiles, all checked before any is written.
#[tauri::command]
pub async fn import_profiles(
    text: String,
    conflict: ImportConflict,
    state: State<'_, AppState>,
) -> Result<ImportReport, IpcError> {
    import(&state, text, conflict).await
}

async fn import(
    state: &AppState,
    text: String,
    conflict: ImportConflict,
) -> Result<ImportReport, IpcError> {
    let store = state.profiles()?;
    Ok(blocking(move || store.import(&text, conflict)).await??)
}

/// Runs a profile-store call on the blocking pool: it may wait for another process's file lock.
async fn blocking<T: Send + 'static>(
    call: impl FnOnce() -> T + Send + 'static,
) -> Result<T, IpcError> {
    tauri::async_runtime::spawn_blocking(call)
        .await
        .map_err(|e| IpcError::new("app.task_failed", format!("the profile task failed: {e}")))
}

#[cfg(test)]
pub(crate) mod tests {
    use tokenscope::vault::profiles::{ClientAuthMethod, RedirectHost};

    use super::*;
    pub(crate) use super::{remove, save};
    use crate::commands::test_support::{block_on, state_with_profiles};

    fn profile(name: &str) -> Profile {
        Profile {
            issuer: Some("https://issuer.example".to_owned()),
            scopes: vec!["openid".to_owned()],
            ..Profile::new(name, "client-1")
        }
    }

    pub(crate) fn request(
        profile: Profile,
        secret: Option<&str>,
        create: bool,
    ) -> SaveProfileRequest {
        SaveProfileRequest {
            profile,
            client_secret: secret.map(Secret::new),
            create,
        }
    }

    #[test]
    fn profiles_are_created_listed_edited_and_duplicated_without_a_keychain() {
        let dir = tempfile::tempdir().unwrap();
        let state = state_with_profiles(dir.path());
        assert!(block_on(list(&state)).unwrap().profiles.is_empty());

        // An empty secret is no secret: the keychain (unavailable here) is not asked.
        let saved = block_on(save(&state, request(profile("dev"), Some(""), true))).unwrap();
        assert_eq!(saved.profile, profile("dev"));
        assert!(saved.client_secret.is_none());
        let listed = block_on(list(&state)).unwrap();
        assert_eq!(listed.profiles, [profile("dev")]);
        assert!(listed.file.ends_with("profiles.json"), "{}", listed.file);

        let mut edited = profile("dev");
        edited.redirect.host = RedirectHost::Localhost;
        edited.redirect.port = Some(8765);
        block_on(save(&state, request(edited.clone(), None, false))).unwrap();
        assert_eq!(block_on(get(&state, "dev".into())).unwrap(), edited);

        let copy = block_on(duplicate(&state, "dev".into(), "dev-copy".into())).unwrap();
        assert_eq!(
            copy,
            Profile {
                name: "dev-copy".into(),
                ..edited.clone()
            }
        );
        let names: Vec<_> = block_on(list(&state))
            .unwrap()
            .profiles
            .into_iter()
            .map(|p| p.name)
            .collect();
        assert_eq!(names, ["dev", "dev-copy"]);
    }

    #[test]
    fn profile_errors_carry_their_code_and_the_field_to_mark() {
        let dir = tempfile::tempdir().unwrap();
        let state = state_with_profiles(dir.path());
        block_on(save(&state, request(profile("dev"), None, true))).unwrap();

        let taken = block_on(save(&state, request(profile("dev"), None, true))).unwrap_err();
        assert_eq!(
            (taken.code.as_str(), taken.input.as_deref()),
            ("profile.exists", Some("name"))
        );
        // An edit never creates a profile.
        let missing = block_on(save(&state, request(profile("gone"), None, false))).unwrap_err();
        assert_eq!(missing.code, "profile.not_found");
        let mut bad = profile("dev");
        bad.issuer = Some("ftp://issuer.example".into());
        let invalid = block_on(save(&state, request(bad, None, false))).unwrap_err();
        assert_eq!(
            (invalid.code.as_str(), invalid.input.as_deref()),
            ("profile.invalid", Some("issuer"))
        );
        let name = block_on(save(&state, request(profile("a/b"), None, true))).unwrap_err();
        assert_eq!(
            (name.code.as_str(), name.input.as_deref()),
            ("profile.invalid_name", Some("name"))
        );
        let copy = block_on(duplicate(&state, "dev".into(), "dev".into())).unwrap_err();
        assert_eq!(copy.code, "profile.exists");
    }

    #[test]
    fn without_a_keychain_a_secret_saves_nothing_and_a_profile_is_not_removed() {
        let dir = tempfile::tempdir().unwrap();
        let state = state_with_profiles(dir.path());
        let confidential = Profile {
            client_auth: ClientAuthMethod::ClientSecretBasic,
            ..profile("conf")
        };
        let err = block_on(save(&state, request(confidential, Some("s3cret"), true))).unwrap_err();
        assert_eq!(err.code, "vault.unavailable");
        assert!(!dir.path().join("profiles.json").exists(), "nothing saved");

        block_on(save(&state, request(profile("dev"), None, true))).unwrap();
        let err = block_on(remove(&state, "dev".into())).unwrap_err();
        assert_eq!(err.code, "vault.unavailable");
        assert_eq!(
            block_on(list(&state)).unwrap().profiles.len(),
            1,
            "kept with its secrets"
        );
    }

    #[test]
    fn profiles_export_without_secrets_and_import_by_conflict_rule() {
        let (from, to) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let (source, target) = (
            state_with_profiles(from.path()),
            state_with_profiles(to.path()),
        );
        for name in ["a", "b"] {
            block_on(save(&source, request(profile(name), None, true))).unwrap();
        }
        let all = block_on(export(&source, Vec::new())).unwrap();
        let just_a = block_on(export(&source, vec!["a".into()])).unwrap();
        assert!(
            just_a.contains("\"a\"") && !just_a.contains("\"b\""),
            "{just_a}"
        );

        let report = block_on(import(&target, just_a, ImportConflict::Skip)).unwrap();
        assert_eq!(report.added, ["a"]);
        let report = block_on(import(&target, all.clone(), ImportConflict::Skip)).unwrap();
        assert_eq!(
            (report.added, report.skipped),
            (vec!["b".to_owned()], vec!["a".to_owned()])
        );
        let report = block_on(import(&target, all, ImportConflict::Replace)).unwrap();
        assert_eq!(report.replaced, ["a", "b"]);

        let err = block_on(import(&target, "{}".into(), ImportConflict::Skip)).unwrap_err();
        assert_eq!(err.code, "profile.import_invalid");
        let err = block_on(export(&source, vec!["zz".into()])).unwrap_err();
        assert_eq!(err.code, "profile.not_found");
    }

    #[test]
    fn without_a_config_directory_profiles_say_so() {
        let state = crate::commands::test_support::state_at(0);
        assert_eq!(
            block_on(list(&state)).unwrap_err().code,
            "profile.no_config_dir"
        );
    }
}
