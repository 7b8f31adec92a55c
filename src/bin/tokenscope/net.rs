//! What network subcommands share: the HTTP client on the system clock and a runtime to drive it.

use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use tokenscope::clock::SystemClock;
use tokenscope::http::{HttpClient, HttpPolicy};

use crate::output::CliError;

/// A client applying `policy`. Cheap: TLS and the trust store are set up only by a first fetch.
pub fn http_client(policy: HttpPolicy) -> HttpClient {
    HttpClient::new(policy, Arc::new(SystemClock))
}

/// Runs `future` on a current-thread runtime: the CLI makes one request chain at a time.
pub fn block_on<F: Future>(future: F) -> Result<F::Output, CliError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            CliError::new(
                "cli.runtime",
                format!("cannot start the async runtime: {e}"),
            )
        })?;
    Ok(runtime.block_on(future))
}

/// Runs `future`, which waits on no I/O (a verification with a local key source), without
/// starting a runtime: building one (the I/O and signal drivers) costs more than such a whole
/// verification. Should the future wait after all, it is finished on a runtime.
pub fn run_local<F: Future>(future: F) -> Result<F::Output, CliError> {
    let mut future = std::pin::pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => Ok(output),
        Poll::Pending => block_on(future),
    }
}
