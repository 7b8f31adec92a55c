//! Serving the router with bounds axum's own `serve` does not set: at most
//! [`MAX_CONNECTIONS`] connections at once (more are closed as they arrive), a request head read
//! within [`HEAD_READ_TIMEOUT`], heads of at most [`MAX_HEAD_BYTES`], and no connection kept
//! beyond [`CONNECTION_TIMEOUT`].

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, Semaphore};
use tokio::task::JoinSet;

const MAX_CONNECTIONS: usize = 64;
const MAX_HEAD_BYTES: usize = 16 * 1024;
const HEAD_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Longer than the `slow-token` lesson's 20 s, so its answer still arrives after a client's
/// timeout has given up.
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a shutdown waits for requests in flight.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// Serves `router` on `listener` until `stop` fires (or its sender is dropped).
pub(super) async fn serve(listener: TcpListener, router: Router, mut stop: oneshot::Receiver<()>) {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut stop => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                // Over the limit: the connection is closed at once rather than queued.
                let Ok(slot) = Arc::clone(&slots).try_acquire_owned() else { continue };
                let service = TowerToHyperService::new(router.clone());
                connections.spawn(async move {
                    let connection = hyper::server::conn::http1::Builder::new()
                        .timer(TokioTimer::new())
                        .header_read_timeout(HEAD_READ_TIMEOUT)
                        .max_buf_size(MAX_HEAD_BYTES)
                        .serve_connection(TokioIo::new(stream), service);
                    let _ = tokio::time::timeout(CONNECTION_TIMEOUT, connection).await;
                    drop(slot);
                });
            }
        }
    }
    drop(listener);
    let drained = async { while connections.join_next().await.is_some() {} };
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, drained).await;
    // Dropping the set aborts what is still running (the slow-token lesson's wait).
}
