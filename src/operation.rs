//! Network operations the user may stop: a discovery, a verification with network keys, later
//! each OAuth flow step.
//!
//! An operation is a future that takes an [`crate::http::HttpClient`] and a
//! [`crate::http::Transcript`] of its own. [`until_cancelled`] runs it against a
//! [`CancellationToken`]: when the token is cancelled the future is dropped at once, which closes
//! its in-flight connection, and the outcome is [`Cancelled`]; the transcript, owned by the
//! caller, keeps the exchanges made so far (the interrupted one marked unfinished).

use std::future::Future;

use crate::error::ErrorCode;

pub use tokio_util::sync::CancellationToken;

/// The outcome of an operation stopped by its cancellation handle before it finished: neither a
/// result nor a fault, so front ends show it quietly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cancelled before it finished")]
pub struct Cancelled;

impl ErrorCode for Cancelled {
    fn code(&self) -> &'static str {
        "operation.cancelled"
    }
}

/// Runs `operation` until it completes, or until `cancel` is cancelled, whichever comes first.
/// A cancellation already requested wins before the operation is polled at all.
pub async fn until_cancelled<T>(
    cancel: &CancellationToken,
    operation: impl Future<Output = T>,
) -> Result<T, Cancelled> {
    cancel.run_until_cancelled(operation).await.ok_or(Cancelled)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block_on<F: Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(future)
    }

    #[test]
    fn an_operation_that_finishes_returns_its_output() {
        let token = CancellationToken::new();
        assert_eq!(block_on(until_cancelled(&token, async { 7 })), Ok(7));
    }

    #[test]
    fn a_cancelled_token_stops_the_operation_before_it_runs() {
        let token = CancellationToken::new();
        token.cancel();
        let mut ran = false;
        let outcome = block_on(until_cancelled(&token, async { ran = true }));
        assert_eq!(outcome, Err(Cancelled));
        assert!(!ran);
        assert_eq!(Cancelled.code(), "operation.cancelled");
    }
}
