//! Network operations in flight (a verification with network keys, a discovery), each under the
//! id the webview gave it, so that `cancel_operation(id)` can stop it: its future is dropped at
//! once, closing its connection, and the command answers with the code `operation.cancelled`
//! and the exchanges made so far.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::sync::{Mutex, MutexGuard};

use tokenscope::http::Transcript;
use tokenscope::operation::{until_cancelled, CancellationToken, Cancelled};

use crate::IpcError;

/// Most operations kept at once (32). The webview cancels what it supersedes, so more means
/// something runs away; starting one more cancels the oldest.
pub const MAX_RUNNING: usize = 32;

/// Most ids remembered as cancelled before their command started (a cancel can overtake the
/// command it cancels: Tauri runs both at once).
const MAX_CANCELLED_EARLY: usize = 32;

/// The cancellation handles of the operations running, by id.
#[derive(Default)]
pub struct Operations {
    registry: Mutex<Registry>,
}

#[derive(Default)]
struct Registry {
    /// id → (start number, handle). The start number tells a restarted id from the old one
    /// and the oldest entry from the others.
    running: HashMap<String, (u64, CancellationToken)>,
    cancelled_early: VecDeque<String>,
    started: u64,
}

/// An operation registered under its id, removed again when dropped (finished or cancelled).
struct Running<'a> {
    operations: &'a Operations,
    id: String,
    number: u64,
    cancel: CancellationToken,
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        let mut registry = self.operations.lock();
        if registry
            .running
            .get(&self.id)
            .is_some_and(|(number, _)| *number == self.number)
        {
            registry.running.remove(&self.id);
        }
    }
}

impl Operations {
    fn lock(&self) -> MutexGuard<'_, Registry> {
        // A panic while holding the lock leaves plain data behind; keep using it.
        self.registry.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `work` as operation `id`, recording into `transcript`, until it finishes or
    /// [`Operations::cancel`] stops it. Its error, or the cancellation (`operation.cancelled`),
    /// carries the exchanges recorded so far. An id still running is cancelled first: its
    /// request has been superseded.
    pub async fn run<T, E>(
        &self,
        id: &str,
        transcript: &Transcript,
        work: impl Future<Output = Result<T, E>>,
    ) -> Result<T, IpcError>
    where
        IpcError: From<E>,
    {
        let running = self.start(id);
        match until_cancelled(&running.cancel, work).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) => Err(IpcError::from(error).with_exchanges(transcript.exchanges())),
            Err(cancelled) => {
                let error = <IpcError as From<Cancelled>>::from(cancelled);
                Err(error.with_exchanges(transcript.exchanges()))
            }
        }
    }

    /// Cancels operation `id`. An id not running yet is remembered, and cancelled as it starts.
    pub fn cancel(&self, id: &str) {
        let mut registry = self.lock();
        match registry.running.remove(id) {
            Some((_, cancel)) => cancel.cancel(),
            None => {
                if registry.cancelled_early.len() == MAX_CANCELLED_EARLY {
                    registry.cancelled_early.pop_front();
                }
                registry.cancelled_early.push_back(id.to_owned());
            }
        }
    }

    /// How many operations are running.
    pub fn running(&self) -> usize {
        self.lock().running.len()
    }

    fn start(&self, id: &str) -> Running<'_> {
        let cancel = CancellationToken::new();
        let mut registry = self.lock();
        registry.started += 1;
        let number = registry.started;
        if let Some(early) = registry.cancelled_early.iter().position(|e| e == id) {
            registry.cancelled_early.remove(early);
            cancel.cancel();
        } else {
            if let Some((_, superseded)) = registry.running.remove(id) {
                superseded.cancel();
            }
            if registry.running.len() == MAX_RUNNING {
                let oldest = (registry.running.iter())
                    .min_by_key(|(_, (number, _))| *number)
                    .map(|(id, _)| id.clone());
                if let Some((_, (_, cancel))) =
                    oldest.and_then(|id| registry.running.remove_entry(&id))
                {
                    cancel.cancel();
                }
            }
            registry
                .running
                .insert(id.to_owned(), (number, cancel.clone()));
        }
        Running {
            operations: self,
            id: id.to_owned(),
            number,
            cancel,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finished_operation_leaves_the_registry() {
        let operations = Operations::default();
        {
            let _running = operations.start("a");
            assert_eq!(operations.running(), 1);
        }
        assert_eq!(operations.running(), 0);
    }

    #[test]
    fn cancel_stops_the_operation_with_that_id_only() {
        let operations = Operations::default();
        let a = operations.start("a");
        let b = operations.start("b");
        operations.cancel("a");
        assert!(a.cancel.is_cancelled());
        assert!(!b.cancel.is_cancelled());
        assert_eq!(operations.running(), 1);
    }

    #[test]
    fn a_cancel_that_overtakes_its_command_cancels_it_as_it_starts() {
        let operations = Operations::default();
        operations.cancel("late");
        let late = operations.start("late");
        assert!(late.cancel.is_cancelled());
        // Remembered once: the id can run again.
        drop(late);
        assert!(!operations.start("late").cancel.is_cancelled());
    }

    #[test]
    fn restarting_an_id_cancels_the_superseded_operation() {
        let operations = Operations::default();
        let first = operations.start("verify");
        let second = operations.start("verify");
        assert!(first.cancel.is_cancelled());
        drop(first);
        assert_eq!(
            operations.running(),
            1,
            "the old guard leaves the new entry"
        );
        operations.cancel("verify");
        assert!(second.cancel.is_cancelled());
    }

    #[test]
    fn past_the_bound_the_oldest_operation_is_cancelled() {
        let operations = Operations::default();
        let all: Vec<_> = (0..=MAX_RUNNING)
            .map(|i| operations.start(&format!("op-{i}")))
            .collect();
        assert_eq!(operations.running(), MAX_RUNNING);
        assert!(all[0].cancel.is_cancelled());
        assert!(all[1..].iter().all(|r| !r.cancel.is_cancelled()));
    }
}
