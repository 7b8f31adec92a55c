//! An in-memory [`SecretStore`] for unit tests only (compiled under `cfg(test)`): the real vault
//! never keeps secrets anywhere but the OS keychain.

use std::collections::BTreeMap;
use std::sync::Mutex;

use super::{EntryKey, EntryMetadata, SecretStore, VaultEntry, VaultError};
use crate::secret::Secret;

#[derive(Default)]
pub(crate) struct MemoryStore {
    entries: Mutex<BTreeMap<EntryKey, (Secret, EntryMetadata)>>,
}

impl SecretStore for MemoryStore {
    fn get(&self, key: &EntryKey) -> Result<Option<Secret>, VaultError> {
        let entries = self.entries.lock().unwrap();
        Ok(entries
            .get(key)
            .map(|(s, _)| Secret::new(s.expose_secret())))
    }

    fn metadata(&self, key: &EntryKey) -> Result<Option<EntryMetadata>, VaultError> {
        Ok(self
            .entries
            .lock()
            .unwrap()
            .get(key)
            .map(|(_, m)| m.clone()))
    }

    fn set(
        &self,
        key: &EntryKey,
        secret: &Secret,
        metadata: &EntryMetadata,
    ) -> Result<(), VaultError> {
        self.entries.lock().unwrap().insert(
            key.clone(),
            (Secret::new(secret.expose_secret()), metadata.clone()),
        );
        Ok(())
    }

    fn delete(&self, key: &EntryKey) -> Result<bool, VaultError> {
        Ok(self.entries.lock().unwrap().remove(key).is_some())
    }

    fn list(&self) -> Result<Vec<VaultEntry>, VaultError> {
        Ok(self
            .entries
            .lock()
            .unwrap()
            .iter()
            .map(|(k, (_, m))| VaultEntry {
                profile: k.profile().to_owned(),
                kind: k.kind(),
                metadata: m.clone(),
            })
            .collect())
    }
}
