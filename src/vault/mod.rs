//! The vault: refresh tokens and client secrets in the OS keychain, and the provider profiles they
//! belong to in a plain config file. Nothing secret is ever written to a file, and there is no
//! plaintext fallback: without a keychain, storing fails with `vault.unavailable`.
//!
//! # Where things live
//! - **Secrets**: one keychain entry per profile and kind, service `tokenscope`, account
//!   `<profile>/<kind>` with kind `refresh_token` or `client_secret` (see [`EntryKey`]). The OS's
//!   own tools find them: `secret-tool search --all service tokenscope` on Linux (the account is
//!   the `username` attribute), Keychain Access on macOS, Credential Manager on Windows (target
//!   `<profile>/<kind>.tokenscope`).
//! - **Metadata** (never the secret): when it was stored, by which flow, its expiry if known, its
//!   fingerprint and the previous value's fingerprint ([`fingerprint`]: a SHA-256 prefix). In the
//!   entry's attributes where the store has them (Secret Service: `profile`, `kind`, `stored_at`,
//!   `flow`, `expires_at`, `fingerprint`, `previous_fingerprint`); elsewhere in a companion entry,
//!   account `<profile>/<kind>/metadata`, whose value is the metadata as JSON.
//! - **Profiles**: [`profiles::ProfileStore`], `profiles.json` in the config directory.
//!
//! # Calling the keychain
//! A [`SecretStore`] is blocking, and a keychain call can block for ever (a locked keyring with a
//! display opens an unlock prompt and waits). [`Vault`] runs every call on a thread of its own and
//! gives up after [`VaultOptions::timeout`] with `vault.unavailable` (reason `timeout`), so no
//! caller's async thread ever waits on the keychain. The platform store is created explicitly by
//! [`Vault::open_os`], which reports why it cannot be reached.

mod error;
pub mod keychain;
pub mod lifecycle;
#[cfg(test)]
pub(crate) mod memory;
pub mod profiles;
mod worker;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::clock::Clock;
use crate::secret::Secret;

pub use error::{UnavailableReason, VaultError};
pub use lifecycle::{
    add_profile_with_client_secret, remove_profile, replace_profile_with_client_secret,
    store_profile_secret, LifecycleError, RemovedProfile,
};
pub use profiles::{InvalidName, Profile, ProfileError, ProfileStore};

/// The keychain service every Tokenscope entry is stored under.
pub const SERVICE: &str = "tokenscope";

/// What a vault entry holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SecretKind {
    /// An OAuth refresh token (RFC 6749 §1.5).
    RefreshToken,
    /// The client secret of a confidential client (RFC 6749 §2.3.1).
    ClientSecret,
}

impl SecretKind {
    /// Every kind, in the order lists show them.
    pub const ALL: [SecretKind; 2] = [SecretKind::RefreshToken, SecretKind::ClientSecret];

    /// The name in accounts, attributes and on the command line: `refresh_token`, `client_secret`.
    pub fn as_str(self) -> &'static str {
        match self {
            SecretKind::RefreshToken => "refresh_token",
            SecretKind::ClientSecret => "client_secret",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

impl fmt::Display for SecretKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which part of Tokenscope stored a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum StoredBy {
    /// Typed or piped in by the user (`profile add --client-secret-stdin`, `vault store`).
    Manual,
    /// An authorization-code flow's token response.
    AuthorizationCode,
    /// A device-authorization flow's token response (RFC 8628).
    DeviceCode,
    /// A refresh grant's response (RFC 6749 §6), which may rotate the refresh token.
    RefreshGrant,
}

impl StoredBy {
    const ALL: [StoredBy; 4] = [
        StoredBy::Manual,
        StoredBy::AuthorizationCode,
        StoredBy::DeviceCode,
        StoredBy::RefreshGrant,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StoredBy::Manual => "manual",
            StoredBy::AuthorizationCode => "authorization_code",
            StoredBy::DeviceCode => "device_code",
            StoredBy::RefreshGrant => "refresh_grant",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// One entry's address: profile and kind. Its keychain account is `<profile>/<kind>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntryKey {
    profile: String,
    kind: SecretKind,
}

impl EntryKey {
    /// The entry for `profile`'s `kind`; the name must be a valid profile name (no `/`).
    pub fn new(profile: &str, kind: SecretKind) -> Result<Self, InvalidName> {
        profiles::check_name(profile)?;
        Ok(EntryKey {
            profile: profile.to_owned(),
            kind,
        })
    }

    pub fn profile(&self) -> &str {
        &self.profile
    }

    pub fn kind(&self) -> SecretKind {
        self.kind
    }

    /// `<profile>/<kind>`, the keychain account.
    pub fn account(&self) -> String {
        format!("{}/{}", self.profile, self.kind)
    }

    /// The key an account names, or `None` for accounts that are not Tokenscope secrets
    /// (companion metadata entries, other tools' entries under the same service).
    pub fn from_account(account: &str) -> Option<Self> {
        let (profile, kind) = account.split_once('/')?;
        EntryKey::new(profile, SecretKind::parse(kind)?).ok()
    }
}

impl fmt::Display for EntryKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.profile, self.kind)
    }
}

/// What is recorded beside a secret, never the secret itself. Fields are `None` when unknown
/// (an entry written by another tool, or a store that lost its metadata).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EntryMetadata {
    /// When it was stored, Unix seconds.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub stored_at: Option<i64>,
    /// Which flow stored it.
    pub flow: Option<StoredBy>,
    /// When it expires, Unix seconds, if the issuer said (`refresh_token_expires_in` and the like).
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub expires_at: Option<i64>,
    /// [`fingerprint`] of the value.
    pub fingerprint: Option<String>,
    /// [`fingerprint`] of the value it replaced, so rotations can be shown.
    pub previous_fingerprint: Option<String>,
}

/// One stored secret as lists show it: where, and its metadata. Never the value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VaultEntry {
    pub profile: String,
    pub kind: SecretKind,
    #[serde(flatten)]
    pub metadata: EntryMetadata,
}

/// A value's fingerprint: the first 8 bytes of its SHA-256, as 16 hex digits. Enough to tell
/// values apart in a list, and to show that a rotation happened, without revealing them.
pub fn fingerprint(secret: &Secret) -> String {
    let digest = Sha256::digest(secret.expose_secret().as_bytes());
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// A place that keeps secrets: the OS keychain ([`keychain::KeychainStore`]) or, in unit tests,
/// memory. Calls block; use them through [`Vault`], which bounds each with a timeout.
pub trait SecretStore: Send + Sync + 'static {
    /// The secret, or `None` when there is no such entry.
    fn get(&self, key: &EntryKey) -> Result<Option<Secret>, VaultError>;

    /// The entry's metadata, or `None` when there is no such entry.
    fn metadata(&self, key: &EntryKey) -> Result<Option<EntryMetadata>, VaultError>;

    /// Creates or replaces the entry's secret and metadata.
    fn set(
        &self,
        key: &EntryKey,
        secret: &Secret,
        metadata: &EntryMetadata,
    ) -> Result<(), VaultError>;

    /// Deletes the entry (and its metadata); `false` when there was none.
    fn delete(&self, key: &EntryKey) -> Result<bool, VaultError>;

    /// Every Tokenscope entry, sorted by profile and kind.
    fn list(&self) -> Result<Vec<VaultEntry>, VaultError>;
}

/// How long a keychain call may take before the vault gives up on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VaultOptions {
    /// Long enough to type a password into an unlock prompt; a keychain that never answers is
    /// reported as `vault.unavailable` (reason `timeout`) after it.
    pub timeout: Duration,
}

impl VaultOptions {
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);
}

impl Default for VaultOptions {
    fn default() -> Self {
        VaultOptions {
            timeout: Self::DEFAULT_TIMEOUT,
        }
    }
}

/// The secret store behind a timeout: every call runs on its own thread, so an async caller (a
/// Tauri command, the CLI's runtime) never blocks on the keychain. Cheap to clone.
#[derive(Clone)]
pub struct Vault {
    store: Arc<dyn SecretStore>,
    options: VaultOptions,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for Vault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Vault")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl Vault {
    /// Connects to the platform keychain now (Secret Service on Linux and the BSDs, Keychain on
    /// macOS, Credential Manager on Windows), within the timeout, so its absence is reported here
    /// rather than on first use. Call it again to retry after the user fixed the keychain.
    pub async fn open_os(options: VaultOptions, clock: Arc<dyn Clock>) -> Result<Self, VaultError> {
        let store =
            worker::run_bounded(options.timeout, keychain::KeychainStore::open_platform).await?;
        Ok(Self::with_store(Arc::new(store), options, clock))
    }

    /// A vault over any store (tests, other keychains).
    pub fn with_store(
        store: Arc<dyn SecretStore>,
        options: VaultOptions,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Vault {
            store,
            options,
            clock,
        }
    }

    pub fn options(&self) -> VaultOptions {
        self.options
    }

    async fn call<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn SecretStore) -> Result<T, VaultError> + Send + 'static,
    ) -> Result<T, VaultError> {
        let store = Arc::clone(&self.store);
        worker::run_bounded(self.options.timeout, move || f(store.as_ref())).await
    }

    /// Stores `secret` as `key`, replacing any value there; the replaced value's fingerprint is
    /// kept as `previous_fingerprint` (unless it was the same value). Returns what was recorded.
    pub async fn store(
        &self,
        key: EntryKey,
        secret: Secret,
        flow: StoredBy,
        expires_at: Option<i64>,
    ) -> Result<VaultEntry, VaultError> {
        let now = self.clock.now_unix();
        self.call(move |store| {
            let new_fingerprint = fingerprint(&secret);
            let previous = store.metadata(&key)?;
            let previous_fingerprint = match previous {
                Some(old) if old.fingerprint.as_deref() == Some(new_fingerprint.as_str()) => {
                    old.previous_fingerprint
                }
                Some(old) => old.fingerprint,
                None => None,
            };
            let metadata = EntryMetadata {
                stored_at: Some(now),
                flow: Some(flow),
                expires_at,
                fingerprint: Some(new_fingerprint),
                previous_fingerprint,
            };
            store.set(&key, &secret, &metadata)?;
            Ok(VaultEntry {
                profile: key.profile,
                kind: key.kind,
                metadata,
            })
        })
        .await
    }

    /// The secret stored as `key`: only for an explicit "reveal" or for the flow that needs it.
    pub async fn reveal(&self, key: EntryKey) -> Result<Secret, VaultError> {
        self.call(move |store| {
            store.get(&key)?.ok_or(VaultError::NotFound {
                profile: key.profile,
                kind: key.kind,
            })
        })
        .await
    }

    /// The metadata of `key`, or `None`.
    pub async fn entry(&self, key: EntryKey) -> Result<Option<VaultEntry>, VaultError> {
        self.call(move |store| {
            Ok(store.metadata(&key)?.map(|metadata| VaultEntry {
                profile: key.profile,
                kind: key.kind,
                metadata,
            }))
        })
        .await
    }

    /// Every Tokenscope entry (metadata only), sorted by profile and kind.
    pub async fn list(&self) -> Result<Vec<VaultEntry>, VaultError> {
        self.call(|store| store.list()).await
    }

    /// Deletes `key`; `false` when there was no such entry.
    pub async fn delete(&self, key: EntryKey) -> Result<bool, VaultError> {
        self.call(move |store| store.delete(&key)).await
    }

    /// Deletes every entry of `profile`; returns the kinds that were there.
    pub async fn forget_profile(&self, profile: &str) -> Result<Vec<SecretKind>, VaultError> {
        let keys = SecretKind::ALL
            .into_iter()
            .map(|kind| EntryKey::new(profile, kind))
            .collect::<Result<Vec<_>, _>>()?;
        self.call(move |store| {
            let mut deleted = Vec::new();
            for key in keys {
                if store.delete(&key)? {
                    deleted.push(key.kind);
                }
            }
            Ok(deleted)
        })
        .await
    }

    /// Deletes every Tokenscope entry ("forget all"); returns what was deleted.
    pub async fn forget_all(&self) -> Result<Vec<VaultEntry>, VaultError> {
        self.call(|store| {
            let entries = store.list()?;
            for entry in &entries {
                let key = EntryKey {
                    profile: entry.profile.clone(),
                    kind: entry.kind,
                };
                store.delete(&key)?;
            }
            Ok(entries)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::memory::MemoryStore;
    use super::*;
    use crate::clock::FixedClock;

    fn vault(store: Arc<dyn SecretStore>) -> Vault {
        Vault::with_store(
            store,
            VaultOptions::default(),
            Arc::new(FixedClock(1_700_000_000)),
        )
    }

    fn key(profile: &str, kind: SecretKind) -> EntryKey {
        EntryKey::new(profile, kind).unwrap()
    }

    #[test]
    fn accounts_are_profile_slash_kind_and_parse_back() {
        let k = key("okta-dev", SecretKind::RefreshToken);
        assert_eq!(k.account(), "okta-dev/refresh_token");
        assert_eq!(EntryKey::from_account("okta-dev/refresh_token"), Some(k));
        assert_eq!(
            EntryKey::from_account("okta-dev/refresh_token/metadata"),
            None
        );
        assert_eq!(EntryKey::from_account("okta-dev/password"), None);
        assert_eq!(EntryKey::from_account("no-slash"), None);
        assert!(EntryKey::new("a/b", SecretKind::ClientSecret).is_err());
    }

    #[test]
    fn fingerprints_are_16_hex_digits_of_sha256() {
        // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
        assert_eq!(fingerprint(&Secret::new("abc")), "ba7816bf8f01cfea");
    }

    #[tokio::test]
    async fn storing_records_metadata_and_a_rotation_keeps_the_previous_fingerprint() {
        let v = vault(Arc::new(MemoryStore::default()));
        let k = key("p", SecretKind::RefreshToken);
        let first = v
            .store(
                k.clone(),
                Secret::new("rt-1"),
                StoredBy::AuthorizationCode,
                Some(1_700_086_400),
            )
            .await
            .unwrap();
        assert_eq!(first.metadata.stored_at, Some(1_700_000_000));
        assert_eq!(first.metadata.flow, Some(StoredBy::AuthorizationCode));
        assert_eq!(first.metadata.expires_at, Some(1_700_086_400));
        assert_eq!(first.metadata.previous_fingerprint, None);

        let second = v
            .store(k.clone(), Secret::new("rt-2"), StoredBy::RefreshGrant, None)
            .await
            .unwrap();
        assert_eq!(
            second.metadata.previous_fingerprint,
            first.metadata.fingerprint
        );
        assert_ne!(second.metadata.fingerprint, first.metadata.fingerprint);

        // Storing the same value again is no rotation: the previous fingerprint stays.
        let again = v
            .store(k.clone(), Secret::new("rt-2"), StoredBy::RefreshGrant, None)
            .await
            .unwrap();
        assert_eq!(
            again.metadata.previous_fingerprint,
            first.metadata.fingerprint
        );

        assert_eq!(v.reveal(k.clone()).await.unwrap(), Secret::new("rt-2"));
        assert_eq!(v.list().await.unwrap(), vec![again]);
    }

    #[tokio::test]
    async fn forgetting_a_profile_deletes_only_its_entries() {
        let v = vault(Arc::new(MemoryStore::default()));
        for (p, kind) in [
            ("a", SecretKind::RefreshToken),
            ("a", SecretKind::ClientSecret),
            ("b", SecretKind::ClientSecret),
        ] {
            v.store(key(p, kind), Secret::new("s"), StoredBy::Manual, None)
                .await
                .unwrap();
        }
        let forgotten = v.forget_profile("a").await.unwrap();
        assert_eq!(forgotten, SecretKind::ALL.to_vec());
        let left = v.list().await.unwrap();
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].profile, "b");
        assert!(v.forget_profile("a").await.unwrap().is_empty());

        assert_eq!(v.forget_all().await.unwrap().len(), 1);
        assert!(v.list().await.unwrap().is_empty());
        let missing = v.reveal(key("b", SecretKind::ClientSecret)).await;
        assert!(matches!(missing, Err(VaultError::NotFound { .. })));
    }

    /// A keychain that never answers, like a locked keyring waiting on an unlock prompt.
    struct HangingStore;

    impl SecretStore for HangingStore {
        fn get(&self, _: &EntryKey) -> Result<Option<Secret>, VaultError> {
            std::thread::sleep(Duration::from_secs(3600));
            unreachable!()
        }
        fn metadata(&self, _: &EntryKey) -> Result<Option<EntryMetadata>, VaultError> {
            self.get(&key("x", SecretKind::ClientSecret)).map(|_| None)
        }
        fn set(&self, k: &EntryKey, _: &Secret, _: &EntryMetadata) -> Result<(), VaultError> {
            self.get(k).map(|_| ())
        }
        fn delete(&self, k: &EntryKey) -> Result<bool, VaultError> {
            self.get(k).map(|_| false)
        }
        fn list(&self) -> Result<Vec<VaultEntry>, VaultError> {
            self.get(&key("x", SecretKind::ClientSecret))
                .map(|_| Vec::new())
        }
    }

    #[tokio::test]
    async fn a_keychain_that_never_answers_is_unavailable_after_the_timeout() {
        let options = VaultOptions {
            timeout: Duration::from_millis(100),
        };
        let v = Vault::with_store(Arc::new(HangingStore), options, Arc::new(FixedClock(0)));
        let started = std::time::Instant::now();
        let err = v.list().await.unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(2));
        assert!(matches!(
            err,
            VaultError::Unavailable {
                reason: UnavailableReason::Timeout,
                ..
            }
        ));
        assert_eq!(crate::ErrorCode::code(&err), "vault.unavailable");
        assert!(err.to_string().contains("did not answer"), "{err}");
    }
}
