//! Keeping the profile file and the keychain in step: a profile added with its client secret is
//! saved whole or not at all, and a profile removed takes its keychain entries with it.
//!
//! Both hold the profile lock across their keychain call, so a second process cannot add the same
//! name in between (its secret would overwrite this one's, and one profile would end up pointing at
//! the other's secret).

use super::profiles::{Profile, ProfileError, ProfileStore};
use super::{EntryKey, SecretKind, StoredBy, Vault, VaultEntry, VaultError};
use crate::error::ErrorCode;
use crate::secret::Secret;

/// A profile operation that also needed the keychain.
#[derive(Debug, thiserror::Error)]
pub enum LifecycleError {
    #[error(transparent)]
    Profile(#[from] ProfileError),
    #[error(transparent)]
    Vault(#[from] VaultError),
}

impl ErrorCode for LifecycleError {
    fn code(&self) -> &'static str {
        match self {
            LifecycleError::Profile(e) => e.code(),
            LifecycleError::Vault(e) => e.code(),
        }
    }
}

/// Adds `profile` with its client secret in the keychain (`<name>/client_secret`). The secret is
/// stored first; if that fails nothing is saved, and if saving the profile then fails the secret
/// is deleted again. Returns the keychain entry's metadata.
pub async fn add_profile_with_client_secret(
    profiles: &ProfileStore,
    vault: &Vault,
    profile: Profile,
    client_secret: Secret,
) -> Result<VaultEntry, LifecycleError> {
    profile.validate()?;
    let key = EntryKey::new(&profile.name, SecretKind::ClientSecret).map_err(VaultError::from)?;
    let mut tx = profiles.begin()?;
    if tx.get(&profile.name).is_some() {
        return Err(ProfileError::Exists(profile.name).into());
    }
    let entry = vault
        .store(key.clone(), client_secret, StoredBy::Manual, None)
        .await?;
    let saved = tx.insert(profile).and_then(|()| tx.commit());
    if let Err(e) = saved {
        // Best effort: the profile error is the one to report.
        let _ = vault.delete(key).await;
        return Err(e.into());
    }
    Ok(entry)
}

/// Replaces an existing profile (an edit: the name stays) and its client secret. The secret is
/// stored first, with the profile lock held; if that fails the profile is not changed. Returns
/// the keychain entry's metadata.
pub async fn replace_profile_with_client_secret(
    profiles: &ProfileStore,
    vault: &Vault,
    profile: Profile,
    client_secret: Secret,
) -> Result<VaultEntry, LifecycleError> {
    profile.validate()?;
    let key = EntryKey::new(&profile.name, SecretKind::ClientSecret).map_err(VaultError::from)?;
    let mut tx = profiles.begin()?;
    if tx.get(&profile.name).is_none() {
        return Err(ProfileError::NotFound(profile.name).into());
    }
    let entry = vault
        .store(key, client_secret, StoredBy::Manual, None)
        .await?;
    tx.replace(profile)?;
    tx.commit()?;
    Ok(entry)
}

/// Stores a secret for an existing profile: a flow's refresh token, a rotated client secret. The
/// profile lock is held meanwhile, so a concurrent [`remove_profile`] cannot leave it unowned.
pub async fn store_profile_secret(
    profiles: &ProfileStore,
    vault: &Vault,
    key: EntryKey,
    secret: Secret,
    flow: StoredBy,
    expires_at: Option<i64>,
) -> Result<VaultEntry, LifecycleError> {
    let tx = profiles.begin()?;
    if tx.get(key.profile()).is_none() {
        return Err(ProfileError::NotFound(key.profile().to_owned()).into());
    }
    let entry = vault.store(key, secret, flow, expires_at).await?;
    drop(tx);
    Ok(entry)
}

/// What [`remove_profile`] removed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RemovedProfile {
    pub profile: Profile,
    /// The keychain entries that were deleted with it.
    pub deleted_secrets: Vec<SecretKind>,
}

/// Removes a profile and every keychain entry under its name. The entries go first: without a
/// keychain the profile stays (`vault.unavailable`), so no secret is left behind unowned.
pub async fn remove_profile(
    profiles: &ProfileStore,
    vault: &Vault,
    name: &str,
) -> Result<RemovedProfile, LifecycleError> {
    let mut tx = profiles.begin()?;
    if tx.get(name).is_none() {
        return Err(ProfileError::NotFound(name.to_owned()).into());
    }
    let deleted_secrets = vault.forget_profile(name).await?;
    let profile = tx.remove(name)?;
    tx.commit()?;
    Ok(RemovedProfile {
        profile,
        deleted_secrets,
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::clock::FixedClock;
    use crate::vault::memory::MemoryStore;
    use crate::vault::{EntryMetadata, SecretStore, UnavailableReason, VaultOptions};

    fn profile(name: &str) -> Profile {
        Profile {
            issuer: Some("https://issuer.example".to_owned()),
            ..Profile::new(name, "client")
        }
    }

    fn vault(store: Arc<dyn SecretStore>) -> Vault {
        Vault::with_store(store, VaultOptions::default(), Arc::new(FixedClock(1)))
    }

    /// A keychain with no service behind it.
    struct NoKeychain;

    impl SecretStore for NoKeychain {
        fn get(&self, _: &EntryKey) -> Result<Option<Secret>, VaultError> {
            Err(VaultError::unavailable(
                UnavailableReason::NoSecretService,
                "",
            ))
        }
        fn metadata(&self, k: &EntryKey) -> Result<Option<EntryMetadata>, VaultError> {
            self.get(k).map(|_| None)
        }
        fn set(&self, k: &EntryKey, _: &Secret, _: &EntryMetadata) -> Result<(), VaultError> {
            self.get(k).map(|_| ())
        }
        fn delete(&self, k: &EntryKey) -> Result<bool, VaultError> {
            self.get(k).map(|_| false)
        }
        fn list(&self) -> Result<Vec<VaultEntry>, VaultError> {
            Err(VaultError::unavailable(
                UnavailableReason::NoSecretService,
                "",
            ))
        }
    }

    #[tokio::test]
    async fn a_profile_with_a_secret_is_saved_whole_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let profiles = ProfileStore::new(dir.path());

        let err = add_profile_with_client_secret(
            &profiles,
            &vault(Arc::new(NoKeychain)),
            profile("p"),
            Secret::new("s"),
        )
        .await
        .unwrap_err();
        assert_eq!(err.code(), "vault.unavailable");
        assert!(profiles.list().unwrap().is_empty());
        assert!(!profiles.file_path().exists());

        let store = Arc::new(MemoryStore::default());
        let v = vault(store.clone());
        let entry = add_profile_with_client_secret(&profiles, &v, profile("p"), Secret::new("s"))
            .await
            .unwrap();
        assert_eq!(entry.kind, SecretKind::ClientSecret);
        assert_eq!(profiles.get("p").unwrap().name, "p");

        // A second add of the same name touches neither the profile nor the secret.
        let err = add_profile_with_client_secret(&profiles, &v, profile("p"), Secret::new("t"))
            .await
            .unwrap_err();
        assert_eq!(err.code(), "profile.exists");
        let key = EntryKey::new("p", SecretKind::ClientSecret).unwrap();
        assert_eq!(v.reveal(key).await.unwrap(), Secret::new("s"));
    }

    #[tokio::test]
    async fn an_edit_with_a_new_secret_changes_nothing_without_a_keychain() {
        let dir = tempfile::tempdir().unwrap();
        let profiles = ProfileStore::new(dir.path());
        let v = vault(Arc::new(MemoryStore::default()));
        add_profile_with_client_secret(&profiles, &v, profile("p"), Secret::new("s"))
            .await
            .unwrap();
        let edited = Profile {
            scopes: vec!["openid".to_owned()],
            ..profile("p")
        };

        let err = replace_profile_with_client_secret(
            &profiles,
            &vault(Arc::new(NoKeychain)),
            edited.clone(),
            Secret::new("t"),
        )
        .await
        .unwrap_err();
        assert_eq!(err.code(), "vault.unavailable");
        assert_eq!(profiles.get("p").unwrap(), profile("p"), "unchanged");

        let entry =
            replace_profile_with_client_secret(&profiles, &v, edited.clone(), Secret::new("t"))
                .await
                .unwrap();
        assert_eq!(profiles.get("p").unwrap(), edited);
        let key = EntryKey::new("p", SecretKind::ClientSecret).unwrap();
        assert_eq!(v.reveal(key).await.unwrap(), Secret::new("t"));
        assert_eq!(
            entry.metadata.previous_fingerprint,
            Some(crate::vault::fingerprint(&Secret::new("s")))
        );

        // An edit of a profile that is not there stores nothing.
        let err = replace_profile_with_client_secret(&profiles, &v, profile("q"), Secret::new("u"))
            .await
            .unwrap_err();
        assert_eq!(err.code(), "profile.not_found");
        assert_eq!(v.list().await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn removing_a_profile_deletes_its_secrets_and_keeps_it_without_a_keychain() {
        let dir = tempfile::tempdir().unwrap();
        let profiles = ProfileStore::new(dir.path());
        let v = vault(Arc::new(MemoryStore::default()));
        add_profile_with_client_secret(&profiles, &v, profile("p"), Secret::new("s"))
            .await
            .unwrap();
        let rt = EntryKey::new("p", SecretKind::RefreshToken).unwrap();
        v.store(rt, Secret::new("r"), StoredBy::AuthorizationCode, None)
            .await
            .unwrap();

        let err = remove_profile(&profiles, &vault(Arc::new(NoKeychain)), "p")
            .await
            .unwrap_err();
        assert_eq!(err.code(), "vault.unavailable");
        assert!(
            profiles.get("p").is_ok(),
            "kept: its secrets could not be deleted"
        );

        let removed = remove_profile(&profiles, &v, "p").await.unwrap();
        assert_eq!(removed.deleted_secrets, SecretKind::ALL.to_vec());
        assert!(v.list().await.unwrap().is_empty());
        assert!(profiles.list().unwrap().is_empty());
        let err = remove_profile(&profiles, &v, "p").await.unwrap_err();
        assert_eq!(err.code(), "profile.not_found");
    }
}
