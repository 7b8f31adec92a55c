//! The one piece of state Tauri manages for the app.

use std::future::Future;
use std::sync::Arc;

use tauri::async_runtime::Mutex;
use tokenscope::clock::Clock;
use tokenscope::http::{Exchange, HttpClient, HttpError, HttpPolicy};

/// Shared app state, reachable from every command through `tauri::State<AppState>`.
pub struct AppState {
    /// The source of "now" for decoding and verification; the system clock in the app, a fixed
    /// one in tests.
    pub clock: Arc<dyn Clock>,
    /// https only (plain http to loopback hosts): the default for every fetch.
    secure: Network,
    /// Also plain http to any host, used only when the user ticks "allow plain http". A policy
    /// is fixed when a client is built, hence a second client (with its own cache).
    insecure: Network,
    /// Private keys generated in the Encode view: in memory only, bounded, reached by handle.
    pub generated_keys: crate::commands::encode::GeneratedKeys,
}

/// One HTTP client and the turn that attributes its transcript to one command at a time.
struct Network {
    client: HttpClient,
    // The client records every exchange in one shared transcript. Holding the turn while a
    // command fetches means the exchanges taken afterwards are exactly that command's.
    turn: Mutex<()>,
}

impl Network {
    fn new(policy: HttpPolicy, clock: Arc<dyn Clock>) -> Result<Self, HttpError> {
        Ok(Network {
            client: HttpClient::new(policy, clock)?,
            turn: Mutex::new(()),
        })
    }
}

impl AppState {
    /// App state whose HTTP clients (default [`HttpPolicy`]: timeouts, size cap, redirect limit)
    /// time their caches by `clock`.
    pub fn new(clock: Arc<dyn Clock>) -> Result<Self, HttpError> {
        let insecure_policy = HttpPolicy {
            allow_insecure_http: true,
            ..HttpPolicy::default()
        };
        Ok(AppState {
            secure: Network::new(HttpPolicy::default(), clock.clone())?,
            insecure: Network::new(insecure_policy, clock.clone())?,
            generated_keys: Default::default(),
            clock,
        })
    }

    /// The default client, for core calls that take one but fetch nothing for this input (a
    /// pasted key): no turn is taken, so a slow fetch elsewhere never delays them.
    pub fn client_without_fetching(&self) -> &HttpClient {
        &self.secure.client
    }

    /// Runs `work` with the HTTP client (plain http to any host only if `allow_http`) and returns
    /// its result with the exchanges it made, oldest first. Network commands using the same
    /// client take turns; each fetch is bounded by the policy's timeouts.
    pub async fn fetching<T, Fut>(
        &self,
        allow_http: bool,
        work: impl FnOnce(HttpClient) -> Fut,
    ) -> (T, Vec<Exchange>)
    where
        Fut: Future<Output = T>,
    {
        let network = if allow_http {
            &self.insecure
        } else {
            &self.secure
        };
        let _turn = network.turn.lock().await;
        // Anything left over belongs to no command still waiting for it.
        network.client.take_exchanges();
        let result = work(network.client.clone()).await;
        (result, network.client.take_exchanges())
    }
}
