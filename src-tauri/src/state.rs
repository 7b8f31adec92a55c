//! The one piece of state Tauri manages for the app.

use std::sync::Arc;

use tokenscope::clock::Clock;
use tokenscope::http::{HttpClient, HttpPolicy};
use tokenscope::vault::ProfileStore;

use crate::commands::practice::PracticeSlot;
use crate::flow_records::FlowRecords;
use crate::operations::Operations;
use crate::vault_slot::VaultSlot;
use crate::IpcError;

/// Shared app state, reachable from every command through `tauri::State<AppState>`.
pub struct AppState {
    /// The source of "now" for decoding and verification; the system clock in the app, a fixed
    /// one in tests.
    pub clock: Arc<dyn Clock>,
    /// https only (plain http to loopback hosts): the default for every fetch.
    secure: HttpClient,
    /// Also plain http to any host, used only when the user ticks "allow plain http". A policy
    /// is fixed when a client is built, hence a second client (with its own cache).
    insecure: HttpClient,
    /// Network operations in flight, by the id the webview gave each, for `cancel_operation`.
    pub operations: Operations,
    /// Private keys generated in the Encode view: in memory only, bounded, reached by handle.
    pub generated_keys: tokenscope::jwk::GeneratedKeys,
    /// The OS keychain (refresh tokens, client secrets), opened at startup; its failure is kept
    /// for the Vault view's banner until Retry opens it again.
    pub vault: VaultSlot,
    /// The flows run (their results, or steps and error), for Export, Revoke and Introspect.
    pub flows: FlowRecords,
    /// The practice issuer (`commands::practice`), when started: at most one, on this runtime.
    pub practice: PracticeSlot,
    /// `profiles.json` in `$TOKENSCOPE_CONFIG_DIR` or the platform config directory, or why
    /// there is no config directory.
    profiles: Result<ProfileStore, IpcError>,
}

impl AppState {
    /// The app's state from its environment: the system clock, the keychain timeout from
    /// `TOKENSCOPE_KEYCHAIN_TIMEOUT_MS`, the profiles from `TOKENSCOPE_CONFIG_DIR` (else the
    /// platform config directory). Opens nothing yet.
    pub fn from_env() -> Self {
        let clock: Arc<dyn Clock> = Arc::new(tokenscope::clock::SystemClock);
        let vault = VaultSlot::new(VaultSlot::options_from_env(), clock.clone());
        let profiles = ProfileStore::from_env().map_err(IpcError::from);
        AppState::new(clock, vault, profiles)
    }

    /// App state whose HTTP clients (default [`HttpPolicy`]: timeouts, size cap, redirect limit)
    /// time their caches by `clock`. Cheap: the clients set up TLS on their first fetch, the
    /// vault opens on first use (or when [`VaultSlot::status`] is first asked).
    pub fn new(
        clock: Arc<dyn Clock>,
        vault: VaultSlot,
        profiles: Result<ProfileStore, IpcError>,
    ) -> Self {
        let insecure_policy = HttpPolicy {
            allow_insecure_http: true,
            ..HttpPolicy::default()
        };
        AppState {
            secure: HttpClient::new(HttpPolicy::default(), clock.clone()),
            insecure: HttpClient::new(insecure_policy, clock.clone()),
            operations: Operations::default(),
            generated_keys: Default::default(),
            vault,
            flows: FlowRecords::default(),
            practice: PracticeSlot::default(),
            profiles,
            clock,
        }
    }

    /// The shared HTTP client: plain http to any host only if `allow_http`. Operations using it
    /// run at once, each recording into its own transcript.
    pub fn http(&self, allow_http: bool) -> &HttpClient {
        if allow_http {
            &self.insecure
        } else {
            &self.secure
        }
    }

    /// The profile store, or why there is none (`profile.no_config_dir`).
    pub fn profiles(&self) -> Result<ProfileStore, IpcError> {
        self.profiles.clone()
    }
}
