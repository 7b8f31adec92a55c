//! The practice issuer's memory: pending logins, codes, tokens and device codes, each in a map
//! with a fixed capacity (a flood of requests evicts the oldest entries instead of growing the
//! process) and a lifetime.

use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::Hash;

use rand_core::RngCore as _;
use sha2::{Digest as _, Sha256};

use crate::jose::b64;

/// A map that holds at most `capacity` entries; inserting beyond it drops the oldest.
#[derive(Debug)]
pub(super) struct BoundedMap<K, V> {
    map: HashMap<K, V>,
    order: VecDeque<K>,
    capacity: usize,
}

impl<K: Eq + Hash + Clone, V> BoundedMap<K, V> {
    pub(super) fn new(capacity: usize) -> Self {
        BoundedMap {
            map: HashMap::new(),
            order: VecDeque::new(),
            capacity,
        }
    }

    pub(super) fn insert(&mut self, key: K, value: V) {
        if self.map.insert(key.clone(), value).is_none() {
            self.order.push_back(key);
        }
        while self.map.len() > self.capacity {
            match self.order.pop_front() {
                Some(old) => {
                    self.map.remove(&old);
                }
                None => break,
            }
        }
        // Keys removed by `remove` stay in `order` until they reach the front; bound that too.
        if self.order.len() > 2 * self.capacity {
            let map = &self.map;
            self.order.retain(|k| map.contains_key(k));
        }
    }

    pub(super) fn get(&self, key: &K) -> Option<&V> {
        self.map.get(key)
    }

    pub(super) fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        self.map.get_mut(key)
    }

    pub(super) fn remove(&mut self, key: &K) -> Option<V> {
        self.map.remove(key)
    }

    pub(super) fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.map.values_mut()
    }

    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.map.len()
    }
}

/// Capacities: generous for a person or a test suite, small enough that a flood costs little.
pub(super) const MAX_PENDING: usize = 256;
pub(super) const MAX_CODES: usize = 256;
pub(super) const MAX_DEVICE_CODES: usize = 256;
pub(super) const MAX_TOKENS: usize = 4096;
pub(super) const MAX_GRANTS: usize = 4096;

/// A random URL-safe value: 32 bytes from the OS RNG.
pub(super) fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand_core::OsRng.fill_bytes(&mut bytes);
    b64::encode(bytes)
}

/// Tokens and codes are kept by their SHA-256, never as given.
pub(super) fn token_key(token: &str) -> String {
    b64::encode(Sha256::digest(token.as_bytes()))
}

/// Who logged in, and when.
#[derive(Debug, Clone)]
pub(super) struct Login {
    pub(super) user: String,
    pub(super) auth_time: i64,
}

/// An authorization request waiting for the login and consent pages.
#[derive(Debug, Clone)]
pub(super) struct PendingAuthorization {
    pub(super) request: AuthorizationRequest,
    pub(super) login: Option<Login>,
    pub(super) expires_at: i64,
}

/// The parameters of a valid authorization request.
#[derive(Debug, Clone)]
pub(super) struct AuthorizationRequest {
    pub(super) client_id: String,
    pub(super) redirect_uri: String,
    pub(super) scope: Vec<String>,
    pub(super) state: Option<String>,
    pub(super) nonce: Option<String>,
    pub(super) code_challenge: Option<String>,
}

/// An issued authorization code.
#[derive(Debug, Clone)]
pub(super) struct CodeRecord {
    pub(super) request: AuthorizationRequest,
    pub(super) login: Login,
    pub(super) expires_at: i64,
    pub(super) grant: String,
    /// Set by the first exchange: a second one is a replay (RFC 6749 §4.1.2).
    pub(super) used: bool,
}

/// An access token (kept to answer userinfo, introspection and revocation).
#[derive(Debug, Clone)]
pub(super) struct AccessRecord {
    pub(super) client_id: String,
    pub(super) sub: String,
    pub(super) user: Option<String>,
    pub(super) scope: Vec<String>,
    pub(super) iat: i64,
    pub(super) exp: i64,
    pub(super) jti: String,
    pub(super) aud: String,
    pub(super) grant: String,
    pub(super) revoked: bool,
}

/// A refresh token; `rotated` once it has been exchanged for a newer one (RFC 9700 §4.14.2).
#[derive(Debug, Clone)]
pub(super) struct RefreshRecord {
    pub(super) client_id: String,
    pub(super) login: Login,
    pub(super) scope: Vec<String>,
    pub(super) iat: i64,
    pub(super) exp: i64,
    pub(super) grant: String,
    pub(super) rotated: bool,
    pub(super) revoked: bool,
}

/// Where a device authorization stands (RFC 8628 §3.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum DeviceStatus {
    Pending,
    Approved(String),
    Denied,
    /// Tokens were issued: the device code is spent.
    Done,
}

#[derive(Debug, Clone)]
pub(super) struct DeviceRecord {
    pub(super) client_id: String,
    pub(super) user_code: String,
    pub(super) scope: Vec<String>,
    pub(super) expires_at: i64,
    pub(super) interval_ms: u64,
    pub(super) last_poll: Option<std::time::Instant>,
    pub(super) status: DeviceStatus,
    pub(super) auth_time: i64,
}

/// Everything the issuer remembers.
#[derive(Debug)]
pub(super) struct Store {
    pub(super) pending: BoundedMap<String, PendingAuthorization>,
    pub(super) codes: BoundedMap<String, CodeRecord>,
    pub(super) access: BoundedMap<String, AccessRecord>,
    pub(super) refresh: BoundedMap<String, RefreshRecord>,
    /// Device codes by their hash; `user_codes` maps a user code to that hash.
    pub(super) devices: BoundedMap<String, DeviceRecord>,
    pub(super) user_codes: BoundedMap<String, String>,
    /// Grants (one authorization, one device approval) whose tokens are all revoked.
    pub(super) revoked_grants: HashSet<String>,
    revoked_order: VecDeque<String>,
}

impl Store {
    pub(super) fn new() -> Self {
        Store {
            pending: BoundedMap::new(MAX_PENDING),
            codes: BoundedMap::new(MAX_CODES),
            access: BoundedMap::new(MAX_TOKENS),
            refresh: BoundedMap::new(MAX_TOKENS),
            devices: BoundedMap::new(MAX_DEVICE_CODES),
            user_codes: BoundedMap::new(MAX_DEVICE_CODES),
            revoked_grants: HashSet::new(),
            revoked_order: VecDeque::new(),
        }
    }

    /// Revokes every token of `grant`: access and refresh tokens both (RFC 7009 §2.1,
    /// RFC 9700 §4.14.2).
    pub(super) fn revoke_grant(&mut self, grant: &str) {
        for record in self.access.values_mut() {
            if record.grant == grant {
                record.revoked = true;
            }
        }
        for record in self.refresh.values_mut() {
            if record.grant == grant {
                record.revoked = true;
            }
        }
        if self.revoked_grants.insert(grant.to_owned()) {
            self.revoked_order.push_back(grant.to_owned());
            while self.revoked_order.len() > MAX_GRANTS {
                if let Some(old) = self.revoked_order.pop_front() {
                    self.revoked_grants.remove(&old);
                }
            }
        }
    }

    /// The access token's record if it is live: known, unrevoked, unexpired.
    pub(super) fn live_access(&self, token: &str, now: i64) -> Option<&AccessRecord> {
        self.access
            .get(&token_key(token))
            .filter(|r| !r.revoked && r.exp > now && !self.revoked_grants.contains(&r.grant))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flood_keeps_only_the_newest_entries() {
        let mut map = BoundedMap::new(4);
        for i in 0..1000 {
            map.insert(i, i);
            if i % 3 == 0 {
                map.remove(&(i - 1));
            }
        }
        assert!(map.len() <= 4);
        assert_eq!(map.get(&999), Some(&999));
        assert_eq!(map.get(&0), None);
        assert!(map.order.len() <= 8);
    }
}
