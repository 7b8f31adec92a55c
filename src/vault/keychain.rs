//! The OS keychain as a [`SecretStore`], through `keyring-core` with the platform's store created
//! explicitly: the Secret Service (`zbus-secret-service-keyring-store`) on Linux and the BSDs,
//! Keychain Services on macOS, the Credential Manager on Windows.
//!
//! Not the `keyring` facade: it picks its store once, lazily, and when that first attempt fails
//! (no session bus yet) every later entry says only "no default store". Here the store is made by
//! [`KeychainStore::open_platform`], whose error says why, and no process-wide default is set.
//!
//! Every entry is service [`SERVICE`], account `<profile>/<kind>`. Its metadata goes into the
//! entry's attributes on the Secret Service ([`MetadataPlacement::Attributes`]), and into a
//! companion entry `<profile>/<kind>/metadata` holding JSON where entries have no free
//! attributes ([`MetadataPlacement::CompanionEntry`]: macOS, Windows).

use std::collections::HashMap;
use std::sync::Arc;

use keyring_core::{CredentialStore, Entry, Error as KeyringError};

use super::{
    EntryKey, EntryMetadata, SecretStore, StoredBy, UnavailableReason, VaultEntry, VaultError,
    SERVICE,
};
use crate::secret::Secret;

/// Where an entry's metadata is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetadataPlacement {
    /// In the entry's own attributes (the Secret Service), one attribute per field, readable
    /// with `secret-tool search`.
    Attributes,
    /// In a second entry, account `<profile>/<kind>/metadata`, whose value is the metadata JSON.
    CompanionEntry,
}

/// How "every Tokenscope entry" is asked of a store: each names its search keys its own way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Search {
    /// `{"service": "tokenscope"}`: the Secret Service (an attribute), macOS, keyring-core's mock.
    ServiceKey,
    /// `{"pattern": …}` on the target name `<user>.<service>`: Windows.
    #[cfg_attr(not(target_os = "windows"), allow(dead_code))]
    TargetPattern,
}

/// The OS keychain, or any other `keyring-core` store.
pub struct KeychainStore {
    store: Arc<CredentialStore>,
    metadata: MetadataPlacement,
    search: Search,
    /// Whether entries are created with a `label` modifier (the Secret Service shows it).
    labelled: bool,
}

impl std::fmt::Debug for KeychainStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeychainStore")
            .field("store", &self.store)
            .field("metadata", &self.metadata)
            .finish()
    }
}

/// The metadata attribute names on the Secret Service.
const ATTRIBUTES: [&str; 7] = [
    "profile",
    "kind",
    "stored_at",
    "flow",
    "expires_at",
    "fingerprint",
    "previous_fingerprint",
];

impl KeychainStore {
    /// Connects to the platform's keychain now. Blocking, and it can hang (a stuck daemon):
    /// [`super::Vault::open_os`] calls it on its own thread with a timeout.
    pub fn open_platform() -> Result<Self, VaultError> {
        platform::open()
    }

    /// Over any `keyring-core` store that is searched by `service` and keeps no attributes (a
    /// store of another platform, or `keyring_core::mock` in tests).
    pub fn with_store(store: Arc<CredentialStore>, metadata: MetadataPlacement) -> Self {
        KeychainStore {
            store,
            metadata,
            search: Search::ServiceKey,
            labelled: false,
        }
    }

    fn entry(&self, account: &str) -> Result<Entry, VaultError> {
        let built = if self.labelled {
            let label = format!("Tokenscope {account}");
            let modifiers = HashMap::from([("label", label.as_str())]);
            Entry::new_in_store_with_modifiers(&self.store, SERVICE, account, &modifiers)
        } else {
            Entry::new_in_store(&self.store, SERVICE, account)
        };
        built.map_err(map_error)
    }

    fn companion_account(key: &EntryKey) -> String {
        format!("{}/metadata", key.account())
    }

    fn read_metadata(&self, key: &EntryKey, entry: &Entry) -> Result<EntryMetadata, VaultError> {
        match self.metadata {
            MetadataPlacement::Attributes => {
                let attributes = entry.get_attributes().map_err(map_error)?;
                Ok(metadata_from_attributes(&attributes))
            }
            MetadataPlacement::CompanionEntry => {
                match self.entry(&Self::companion_account(key))?.get_password() {
                    // Unreadable metadata is not worth failing a list for: it shows as unknown.
                    Ok(json) => Ok(serde_json::from_str(&json).unwrap_or_default()),
                    Err(KeyringError::NoEntry) => Ok(EntryMetadata::default()),
                    Err(e) => Err(map_error(e)),
                }
            }
        }
    }

    fn search_spec(&self) -> HashMap<&'static str, &'static str> {
        match self.search {
            Search::ServiceKey => HashMap::from([("service", SERVICE)]),
            // Target names are `<user>.<service>`; the store splits them at the last dot.
            Search::TargetPattern => HashMap::from([("pattern", r"\.tokenscope$")]),
        }
    }
}

impl SecretStore for KeychainStore {
    fn get(&self, key: &EntryKey) -> Result<Option<Secret>, VaultError> {
        match self.entry(&key.account())?.get_password() {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(KeyringError::NoEntry) => Ok(None),
            Err(e) => Err(map_error(e)),
        }
    }

    fn metadata(&self, key: &EntryKey) -> Result<Option<EntryMetadata>, VaultError> {
        let entry = self.entry(&key.account())?;
        match entry.get_credential() {
            Ok(_) => self.read_metadata(key, &entry).map(Some),
            Err(KeyringError::NoEntry) => Ok(None),
            Err(e) => Err(map_error(e)),
        }
    }

    fn set(
        &self,
        key: &EntryKey,
        secret: &Secret,
        metadata: &EntryMetadata,
    ) -> Result<(), VaultError> {
        let entry = self.entry(&key.account())?;
        entry
            .set_password(secret.expose_secret())
            .map_err(map_error)?;
        match self.metadata {
            MetadataPlacement::Attributes => {
                let attributes = attributes_from_metadata(key, metadata);
                let borrowed: HashMap<&str, &str> =
                    attributes.iter().map(|(k, v)| (*k, v.as_str())).collect();
                entry.update_attributes(&borrowed).map_err(map_error)
            }
            MetadataPlacement::CompanionEntry => {
                let json = serde_json::to_string(metadata)
                    .map_err(|e| VaultError::Failed(format!("cannot encode metadata: {e}")))?;
                self.entry(&Self::companion_account(key))?
                    .set_password(&json)
                    .map_err(map_error)
            }
        }
    }

    fn delete(&self, key: &EntryKey) -> Result<bool, VaultError> {
        let deleted = match self.entry(&key.account())?.delete_credential() {
            Ok(()) => true,
            Err(KeyringError::NoEntry) => false,
            Err(e) => return Err(map_error(e)),
        };
        if self.metadata == MetadataPlacement::CompanionEntry {
            match self
                .entry(&Self::companion_account(key))?
                .delete_credential()
            {
                Ok(()) | Err(KeyringError::NoEntry) => {}
                Err(e) => return Err(map_error(e)),
            }
        }
        Ok(deleted)
    }

    fn list(&self) -> Result<Vec<VaultEntry>, VaultError> {
        let found = self.store.search(&self.search_spec()).map_err(map_error)?;
        let mut entries = Vec::new();
        for entry in found {
            let Some((service, account)) = entry.get_specifiers() else {
                continue;
            };
            // Companion entries and other tools' entries under the same service are skipped.
            let Some(key) = EntryKey::from_account(&account).filter(|_| service == SERVICE) else {
                continue;
            };
            // Some stores list entries that were built but never stored (or since deleted).
            match entry.get_credential() {
                Ok(_) => {}
                Err(KeyringError::NoEntry) => continue,
                Err(e) => return Err(map_error(e)),
            }
            let metadata = self.read_metadata(&key, &entry)?;
            entries.push(VaultEntry {
                profile: key.profile().to_owned(),
                kind: key.kind(),
                metadata,
            });
        }
        entries.sort_by(|a, b| (&a.profile, a.kind).cmp(&(&b.profile, b.kind)));
        entries.dedup_by(|a, b| a.profile == b.profile && a.kind == b.kind);
        Ok(entries)
    }
}

fn attributes_from_metadata(key: &EntryKey, m: &EntryMetadata) -> Vec<(&'static str, String)> {
    let number = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
    // Attributes cannot be removed through the store, only set: "" stands for none.
    let values = [
        key.profile().to_owned(),
        key.kind().as_str().to_owned(),
        number(m.stored_at),
        m.flow.map(|f| f.as_str().to_owned()).unwrap_or_default(),
        number(m.expires_at),
        m.fingerprint.clone().unwrap_or_default(),
        m.previous_fingerprint.clone().unwrap_or_default(),
    ];
    ATTRIBUTES.into_iter().zip(values).collect()
}

fn metadata_from_attributes(attributes: &HashMap<String, String>) -> EntryMetadata {
    let text = |name: &str| {
        attributes
            .get(name)
            .filter(|v| !v.is_empty())
            .map(String::as_str)
    };
    let number = |name: &str| text(name).and_then(|v| v.parse::<i64>().ok());
    EntryMetadata {
        stored_at: number("stored_at"),
        flow: text("flow").and_then(StoredBy::parse),
        expires_at: number("expires_at"),
        fingerprint: text("fingerprint").map(str::to_owned),
        previous_fingerprint: text("previous_fingerprint").map(str::to_owned),
    }
}

/// A `keyring-core` error as the vault's. No message quotes a stored value.
fn map_error(e: KeyringError) -> VaultError {
    match e {
        KeyringError::NoStorageAccess(platform) => {
            platform::unavailable(platform.as_ref(), UnavailableReason::Locked)
        }
        KeyringError::PlatformFailure(platform) => {
            platform::unavailable(platform.as_ref(), UnavailableReason::Platform)
        }
        KeyringError::NoDefaultStore => {
            VaultError::unavailable(UnavailableReason::Platform, "no credential store")
        }
        KeyringError::Ambiguous(matches) => VaultError::Failed(format!(
            "{} keychain entries match one Tokenscope entry; delete the extra ones with the \
             keychain's own tool",
            matches.len()
        )),
        KeyringError::BadEncoding(_) => {
            VaultError::Failed("the stored value is not UTF-8 text".to_owned())
        }
        KeyringError::BadDataFormat(_, _) => {
            VaultError::Failed("the stored value is malformed".to_owned())
        }
        KeyringError::NoEntry => VaultError::Failed("no such keychain entry".to_owned()),
        other => VaultError::Failed(other.to_string()),
    }
}

#[cfg(all(
    unix,
    not(any(target_os = "macos", target_os = "ios", target_os = "android"))
))]
mod platform {
    use super::*;

    pub(super) fn open() -> Result<KeychainStore, VaultError> {
        let store: Arc<CredentialStore> =
            zbus_secret_service_keyring_store::Store::new().map_err(map_error)?;
        Ok(KeychainStore {
            store,
            metadata: MetadataPlacement::Attributes,
            search: Search::ServiceKey,
            labelled: true,
        })
    }

    /// Tells the Secret Service's failures apart: no bus, no provider on it, locked, dismissed.
    pub(super) fn unavailable(
        platform: &(dyn std::error::Error + Send + Sync + 'static),
        otherwise: UnavailableReason,
    ) -> VaultError {
        use secret_service::Error as Ss;
        let detail = platform.to_string();
        let reason = match platform.downcast_ref::<Ss>() {
            Some(Ss::Unavailable) => UnavailableReason::NoSessionBus,
            Some(Ss::Locked | Ss::NoResult) => UnavailableReason::Locked,
            Some(Ss::Prompt | Ss::PromptDisconnected) => UnavailableReason::Denied,
            // zbus says these only in words.
            Some(Ss::Zbus(_) | Ss::ZbusFdo(_))
                if [
                    "ServiceUnknown",
                    "NameHasNoOwner",
                    "org.freedesktop.secrets",
                ]
                .iter()
                .any(|name| detail.contains(name)) =>
            {
                UnavailableReason::NoSecretService
            }
            Some(Ss::Zbus(_)) if detail.contains("Failed to connect to address") => {
                UnavailableReason::NoSessionBus
            }
            _ => otherwise,
        };
        VaultError::unavailable(reason, &detail)
    }
}

#[cfg(target_os = "macos")]
mod platform {
    use super::*;

    pub(super) fn open() -> Result<KeychainStore, VaultError> {
        let store: Arc<CredentialStore> =
            apple_native_keyring_store::keychain::Store::new().map_err(map_error)?;
        Ok(KeychainStore::with_store(
            store,
            MetadataPlacement::CompanionEntry,
        ))
    }

    pub(super) fn unavailable(
        platform: &(dyn std::error::Error + Send + Sync + 'static),
        otherwise: UnavailableReason,
    ) -> VaultError {
        VaultError::unavailable(otherwise, &platform.to_string())
    }
}

#[cfg(target_os = "windows")]
mod platform {
    use super::*;

    pub(super) fn open() -> Result<KeychainStore, VaultError> {
        let store: Arc<CredentialStore> =
            windows_native_keyring_store::Store::new().map_err(map_error)?;
        Ok(KeychainStore {
            store,
            metadata: MetadataPlacement::CompanionEntry,
            search: Search::TargetPattern,
            labelled: false,
        })
    }

    pub(super) fn unavailable(
        platform: &(dyn std::error::Error + Send + Sync + 'static),
        otherwise: UnavailableReason,
    ) -> VaultError {
        VaultError::unavailable(otherwise, &platform.to_string())
    }
}

#[cfg(not(any(
    all(
        unix,
        not(any(target_os = "macos", target_os = "ios", target_os = "android"))
    ),
    target_os = "macos",
    target_os = "windows"
)))]
mod platform {
    use super::*;

    pub(super) fn open() -> Result<KeychainStore, VaultError> {
        Err(VaultError::unavailable(
            UnavailableReason::Platform,
            "Tokenscope has no keychain store for this platform",
        ))
    }

    pub(super) fn unavailable(
        platform: &(dyn std::error::Error + Send + Sync + 'static),
        otherwise: UnavailableReason,
    ) -> VaultError {
        VaultError::unavailable(otherwise, &platform.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::SecretKind;

    /// keyring-core's in-memory mock: no attributes, searched by `service`, like macOS.
    fn mock_store() -> KeychainStore {
        let store: Arc<CredentialStore> = keyring_core::mock::Store::new().unwrap();
        KeychainStore::with_store(store, MetadataPlacement::CompanionEntry)
    }

    fn key(profile: &str, kind: SecretKind) -> EntryKey {
        EntryKey::new(profile, kind).unwrap()
    }

    fn metadata(fingerprint: &str) -> EntryMetadata {
        EntryMetadata {
            stored_at: Some(1_700_000_000),
            flow: Some(StoredBy::Manual),
            expires_at: None,
            fingerprint: Some(fingerprint.to_owned()),
            previous_fingerprint: None,
        }
    }

    #[test]
    fn a_store_without_attributes_keeps_metadata_in_a_companion_entry() {
        let store = mock_store();
        let k = key("dev", SecretKind::ClientSecret);
        store
            .set(&k, &Secret::new("s3cret"), &metadata("aa"))
            .unwrap();
        assert_eq!(store.get(&k).unwrap(), Some(Secret::new("s3cret")));
        assert_eq!(store.metadata(&k).unwrap(), Some(metadata("aa")));

        let companion = Entry::new_in_store(&store.store, SERVICE, "dev/client_secret/metadata")
            .unwrap()
            .get_password()
            .unwrap();
        assert!(companion.contains("\"fingerprint\":\"aa\""), "{companion}");
        assert!(!companion.contains("s3cret"));

        // The list shows the secret's entry once, not its companion.
        let listed = store.list().unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].profile, "dev");
        assert_eq!(listed[0].metadata, metadata("aa"));

        assert!(store.delete(&k).unwrap());
        assert!(!store.delete(&k).unwrap());
        assert_eq!(store.get(&k).unwrap(), None);
        assert_eq!(store.metadata(&k).unwrap(), None);
        assert!(store.list().unwrap().is_empty());
    }

    #[test]
    fn attributes_round_trip_and_empty_means_unknown() {
        let k = key("dev", SecretKind::RefreshToken);
        let m = EntryMetadata {
            expires_at: Some(1_800_000_000),
            previous_fingerprint: Some("bb".to_owned()),
            ..metadata("aa")
        };
        let attributes: HashMap<String, String> = attributes_from_metadata(&k, &m)
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        assert_eq!(attributes["profile"], "dev");
        assert_eq!(attributes["kind"], "refresh_token");
        assert_eq!(attributes["flow"], "manual");
        assert_eq!(metadata_from_attributes(&attributes), m);

        let cleared = attributes_from_metadata(&k, &EntryMetadata::default());
        assert!(cleared[2..].iter().all(|(_, v)| v.is_empty()));
        let foreign = HashMap::from([("stored_at".to_owned(), "yesterday".to_owned())]);
        assert_eq!(metadata_from_attributes(&foreign), EntryMetadata::default());
    }

    #[test]
    fn keychain_errors_map_to_codes_without_quoting_values() {
        use crate::ErrorCode as _;
        let locked = map_error(KeyringError::NoStorageAccess("locked".into()));
        assert_eq!(locked.code(), "vault.unavailable");
        assert_eq!(locked.unavailable_reason(), Some(UnavailableReason::Locked));
        let bad = map_error(KeyringError::BadEncoding(b"\xffsecret-bytes".to_vec()));
        assert_eq!(bad.code(), "vault.failed");
        assert!(!bad.to_string().contains("secret-bytes"));
    }

    #[test]
    fn a_failing_keychain_call_is_reported_not_swallowed() {
        let store = mock_store();
        let k = key("dev", SecretKind::ClientSecret);
        store.set(&k, &Secret::new("v"), &metadata("aa")).unwrap();
        let entry = Entry::new_in_store(&store.store, SERVICE, "dev/client_secret").unwrap();
        let mock: &keyring_core::mock::Cred = entry.as_any().downcast_ref().unwrap();
        mock.set_error(KeyringError::NoStorageAccess("denied".into()));
        let err = store.get(&k).unwrap_err();
        assert_eq!(err.unavailable_reason(), Some(UnavailableReason::Locked));
    }
}
