//! The one piece of state Tauri manages for the app.

use std::sync::Arc;

use tokenscope::clock::Clock;
use tokenscope::http::{HttpClient, HttpPolicy};

use crate::operations::Operations;

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
}

impl AppState {
    /// App state whose HTTP clients (default [`HttpPolicy`]: timeouts, size cap, redirect limit)
    /// time their caches by `clock`. Cheap: the clients set up TLS on their first fetch.
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        let insecure_policy = HttpPolicy {
            allow_insecure_http: true,
            ..HttpPolicy::default()
        };
        AppState {
            secure: HttpClient::new(HttpPolicy::default(), clock.clone()),
            insecure: HttpClient::new(insecure_policy, clock.clone()),
            operations: Operations::default(),
            generated_keys: Default::default(),
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
}
