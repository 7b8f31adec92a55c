//! The flows the app has run, kept in memory by their operation id so a finished flow can be
//! exported (the core's `oauth::export` needs the `FlowResult` itself, not the webview's copy)
//! and its client reused for Revoke and Introspect (a one-off confidential client's secret stays
//! in Rust, never going back to the webview). Bounded: the newest [`MAX_RECORDS`]; nothing is
//! persisted.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard};

use tokenscope::oauth::flow::{FlowResult, FlowSettings};
use tokenscope::oauth::timeline::Step;

/// Most flows kept (16): the oldest is forgotten beyond.
pub const MAX_RECORDS: usize = 16;

/// How a recorded flow ended.
#[derive(Debug, Clone)]
pub enum Outcome {
    Finished(Box<FlowResult>),
    /// It ended early: the steps it made, and why.
    Failed {
        steps: Vec<Step>,
        code: String,
        message: String,
    },
}

/// One flow: what it ran against, how it ended, and values an export hides beyond the core's
/// (the device flow's user code).
#[derive(Debug, Clone)]
pub struct FlowRecord {
    pub settings: FlowSettings,
    pub outcome: Outcome,
    pub hidden: Vec<String>,
}

/// The recorded flows, newest last.
#[derive(Default)]
pub struct FlowRecords {
    records: Mutex<VecDeque<(String, FlowRecord)>>,
}

impl FlowRecords {
    fn lock(&self) -> MutexGuard<'_, VecDeque<(String, FlowRecord)>> {
        // A panic while holding the lock leaves a consistent deque: keep using it.
        self.records.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Keeps `record` under `id` (replacing an older one of that id), forgetting the oldest
    /// beyond [`MAX_RECORDS`].
    pub fn insert(&self, id: &str, record: FlowRecord) {
        let mut records = self.lock();
        records.retain(|(kept, _)| kept != id);
        if records.len() == MAX_RECORDS {
            records.pop_front();
        }
        records.push_back((id.to_owned(), record));
    }

    /// The flow recorded under `id`, if still kept.
    pub fn get(&self, id: &str) -> Option<FlowRecord> {
        (self.lock().iter())
            .find(|(kept, _)| kept == id)
            .map(|(_, r)| r.clone())
    }

    /// How many flows are kept.
    pub fn count(&self) -> usize {
        self.lock().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed(n: usize) -> FlowRecord {
        FlowRecord {
            settings: FlowSettings::for_issuer("https://issuer.example", "c"),
            outcome: Outcome::Failed {
                steps: Vec::new(),
                code: format!("code-{n}"),
                message: String::new(),
            },
            hidden: Vec::new(),
        }
    }

    #[test]
    fn only_the_newest_sixteen_flows_are_kept() {
        let records = FlowRecords::default();
        for n in 0..20 {
            records.insert(&format!("flow-{n}"), failed(n));
        }
        assert_eq!(records.count(), MAX_RECORDS);
        assert!(records.get("flow-3").is_none());
        assert!(records.get("flow-4").is_some());
        records.insert("flow-19", failed(99));
        assert_eq!(records.count(), MAX_RECORDS);
        match records.get("flow-19").unwrap().outcome {
            Outcome::Failed { code, .. } => assert_eq!(code, "code-99"),
            Outcome::Finished(_) => panic!("a failure was kept"),
        }
    }
}
