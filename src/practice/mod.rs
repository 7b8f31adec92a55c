//! The practice issuer: a small, offline OpenID Provider on `127.0.0.1` for learning and tests,
//! with lessons that stage the classic mistakes and attacks (see [`Lesson`]).
//!
//! Spec-exact where it matters: OIDC Discovery and RFC 8414 metadata, a JWKS with an RSA, a P-256
//! and an Ed25519 key generated per run (kids = RFC 7638 thumbprints), the authorization endpoint
//! (PKCE S256 required for public clients, RFC 9207 `iss`, exact redirect URIs but any loopback
//! port for `practice-native`, RFC 8252 §7.3), login and consent pages, the token endpoint
//! (single-use codes, refresh token rotation with reuse detection, RFC 9700 §4.14; client
//! credentials; the device grant, RFC 8628), userinfo, revocation (RFC 7009) and introspection
//! (RFC 7662). All state is in memory, in maps of fixed capacity.
//!
//! It sits beside `oauth/` and `vault/`: it uses the signing core (`jwk` generation, `jwt::encode`)
//! and nothing of the client side; nothing else in the core uses it.
//!
//! ```no_run
//! # async fn demo() -> Result<(), tokenscope::practice::PracticeError> {
//! use tokenscope::practice::{PracticeConfig, PracticeIssuer};
//! let issuer = PracticeIssuer::start(PracticeConfig::default()).await?;
//! println!("{}", issuer.issuer_url()); // http://127.0.0.1:PORT
//! issuer.shutdown().await;
//! # Ok(()) }
//! ```

mod clients;
mod keys;
mod lessons;
mod pages;
mod serve;
mod server;
mod store;
mod tokens;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use clients::{NATIVE_CLIENT_ID, SERVICE_CLIENT_ID, SERVICE_CLIENT_SECRET};
pub use lessons::{Lesson, LessonInfo};

use crate::clock::{Clock, SystemClock};
use crate::error::ErrorCode;
use crate::jose::alg::JwsAlg;

/// The preset users' names (each one's password is the name itself).
pub const USERS: [&str; 3] = ["alice", "bob", "admin"];

/// How to run the practice issuer.
#[derive(Clone)]
pub struct PracticeConfig {
    /// The port on 127.0.0.1; 0 (the default) lets the system choose a free one.
    pub port: u16,
    /// The lesson to stage, if any.
    pub lesson: Option<Lesson>,
    /// Skip the login and consent pages: the authorization endpoint redirects at once as this
    /// user (one of [`USERS`]), and the device verification page approves at once.
    pub auto_approve: Option<String>,
    /// The algorithm of ID tokens and access tokens: an RSA one (default RS256), ES256 or EdDSA.
    pub signing_alg: JwsAlg,
    /// The device grant's polling interval (RFC 8628 §3.2); 1 s by default, so demos are quick.
    pub device_interval: Duration,
    /// The clock tokens are dated by.
    pub clock: Arc<dyn Clock>,
}

impl Default for PracticeConfig {
    fn default() -> Self {
        PracticeConfig {
            port: 0,
            lesson: None,
            auto_approve: None,
            signing_alg: JwsAlg::RS256,
            device_interval: Duration::from_secs(1),
            clock: Arc::new(SystemClock),
        }
    }
}

impl std::fmt::Debug for PracticeConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PracticeConfig")
            .field("port", &self.port)
            .field("lesson", &self.lesson)
            .field("auto_approve", &self.auto_approve)
            .field("signing_alg", &self.signing_alg)
            .field("device_interval", &self.device_interval)
            .finish_non_exhaustive()
    }
}

/// Why the practice issuer could not start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PracticeError {
    #[error("{0}")]
    Config(String),
    #[error("cannot listen on 127.0.0.1:{port}: {message}")]
    Bind { port: u16, message: String },
    #[error("cannot generate the issuer's keys: {0}")]
    Keys(String),
}

impl ErrorCode for PracticeError {
    fn code(&self) -> &'static str {
        match self {
            PracticeError::Config(_) => "practice.config",
            PracticeError::Bind { .. } => "practice.bind_failed",
            PracticeError::Keys(_) => "practice.keys",
        }
    }
}

/// A running practice issuer. Dropping it stops the server too; [`PracticeIssuer::shutdown`]
/// also waits for it.
pub struct PracticeIssuer {
    issuer: String,
    addr: SocketAddr,
    lesson: Option<Lesson>,
    state: Arc<server::Issuer>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for PracticeIssuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PracticeIssuer")
            .field("issuer", &self.issuer)
            .field("lesson", &self.lesson)
            .finish_non_exhaustive()
    }
}

impl PracticeIssuer {
    /// Generates the keys, binds 127.0.0.1 and serves on a task of the current Tokio runtime
    /// until shut down.
    pub async fn start(config: PracticeConfig) -> Result<PracticeIssuer, PracticeError> {
        if let Some(user) = &config.auto_approve {
            if !USERS.contains(&user.as_str()) {
                return Err(PracticeError::Config(format!(
                    "no practice user {user:?}: choose one of {}",
                    USERS.join(", ")
                )));
            }
        }
        if config.device_interval.is_zero() || config.device_interval > Duration::from_secs(60) {
            return Err(PracticeError::Config(
                "the device polling interval must be between 1 ms and 60 s".to_owned(),
            ));
        }
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, config.port))
            .await
            .map_err(|e| PracticeError::Bind {
                port: config.port,
                message: e.to_string(),
            })?;
        let addr = listener.local_addr().map_err(|e| PracticeError::Bind {
            port: config.port,
            message: e.to_string(),
        })?;
        // RSA key generation takes a moment: off the runtime's worker.
        let (alg, lesson) = (config.signing_alg, config.lesson);
        let keys = tokio::task::spawn_blocking(move || keys::generate(alg, lesson))
            .await
            .map_err(|e| PracticeError::Keys(e.to_string()))??;
        let issuer = format!("http://127.0.0.1:{}", addr.port());
        let state = Arc::new(server::Issuer::new(
            issuer.clone(),
            addr.port(),
            keys,
            &config,
        ));
        let router = server::router(state.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve::serve(listener, router, stopped));
        Ok(PracticeIssuer {
            issuer,
            addr,
            lesson: config.lesson,
            state,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:<port>`, without a trailing slash: the `issuer` of its metadata and
    /// tokens (except under the `issuer-mismatch` lesson, whose metadata names another).
    pub fn issuer_url(&self) -> &str {
        &self.issuer
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn lesson(&self) -> Option<Lesson> {
        self.lesson
    }

    /// Generates new keys, which sign from now on; the previous ones stay in the JWKS for 15
    /// minutes, so tokens they signed keep verifying. Returns the new keys' kids.
    pub async fn rotate_keys(&self) -> Result<Vec<String>, PracticeError> {
        self.state.rotate_keys().await
    }

    /// Stops accepting connections and waits (at most 2 s) for open requests to finish; a
    /// request still running after that (the `slow-token` lesson's) is dropped.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take() {
            if tokio::time::timeout(Duration::from_secs(3), &mut task)
                .await
                .is_err()
            {
                task.abort();
            }
        }
    }
}

impl Drop for PracticeIssuer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_handle_can_be_kept_in_shared_app_state() {
        fn shareable<T: Send + Sync + 'static>() {}
        shareable::<PracticeIssuer>();
        shareable::<PracticeConfig>();
    }
}
