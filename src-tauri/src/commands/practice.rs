//! Practice: the core's practice issuer (issue 14), run in process on the app's async runtime so a
//! fresh install has a provider to run a flow against, offline. One at a time, held in
//! [`AppState`]: starting it again (another lesson) replaces the running one; the app stops it when
//! it exits. Flows, Discover and Verify then reach it like any provider, at its loopback URL.

use serde::{Deserialize, Serialize};
use tauri::State;
use tokenscope::jose::JwsAlg;
use tokenscope::jwt::verify::CheckName;
use tokenscope::practice::{
    Lesson, PracticeConfig, PracticeIssuer, NATIVE_CLIENT_ID, SERVICE_CLIENT_ID, USERS,
};
use tokenscope::ErrorCode as _;
use tokio::sync::Mutex;
use ts_rs::TS;

use crate::{AppState, IpcError};

/// How to (re)start the practice issuer: no lesson and RS256 unless told otherwise.
#[derive(Debug, Default, Deserialize, TS)]
pub struct PracticeStartRequest {
    /// A lesson's name (`alg-none`, …) from `practice_lessons`; none for a well-behaved issuer.
    #[serde(default)]
    pub lesson: Option<String>,
    /// What it signs ID and access tokens with: an RSA algorithm, ES256 or EdDSA.
    #[serde(default)]
    pub alg: Option<JwsAlg>,
}

/// The running practice issuer, as the views show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PracticeStatus {
    /// `http://127.0.0.1:<port>`: the issuer to discover and to run flows against.
    pub issuer: String,
    /// The lesson it stages, if any.
    pub lesson: Option<String>,
    pub alg: JwsAlg,
    /// The public client (PKCE, any loopback redirect port) a code flow uses.
    pub native_client_id: String,
    /// The confidential client (client credentials; its secret is in the README).
    pub service_client_id: String,
    /// Who can log in on its page; each password is the user name.
    pub users: Vec<String>,
}

/// A lesson for the picker: what mistake or attack it stages and what the app shows for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PracticeLesson {
    /// The name `practice_start` takes, e.g. `alg-none`.
    pub name: String,
    /// One line for the picker.
    pub title: String,
    /// The mistake or attack, and why it matters.
    pub explanation: String,
    /// What Tokenscope shows when it runs.
    pub what_you_see: String,
    /// The ID token checks it makes fail (the ones to highlight), and no others.
    pub failing_checks: Vec<CheckName>,
    /// The error code a flow ends with instead, when the lesson is about an error.
    pub error_code: Option<String>,
}

impl From<Lesson> for PracticeLesson {
    fn from(lesson: Lesson) -> Self {
        let info = lesson.info();
        PracticeLesson {
            name: info.name.to_owned(),
            title: info.summary.to_owned(),
            explanation: info.explanation.to_owned(),
            what_you_see: without_exit_codes(info.what_you_see),
            // Every name is a check of the verification core (the core's tests keep it so).
            failing_checks: (info.failing_checks.iter())
                .filter_map(|name| CheckName::parse(name))
                .collect(),
            error_code: info.error_code.map(str::to_owned),
        }
    }
}

/// The core's text is written for the CLI too; the app has no exit codes to speak of.
fn without_exit_codes(text: &str) -> String {
    ["; exit 1", "; exit 2", " (exit 1)", " (exit 2)"]
        .iter()
        .fold(text.to_owned(), |text, code| text.replace(code, ""))
}

/// The app's one practice issuer, if running.
#[derive(Default)]
pub struct PracticeSlot {
    running: Mutex<Option<(PracticeIssuer, PracticeStatus)>>,
}

impl PracticeSlot {
    /// Stops the running issuer, if any, and starts one with `config`; a failure leaves none.
    async fn replace(&self, config: PracticeConfig) -> Result<PracticeStatus, IpcError> {
        let mut running = self.running.lock().await;
        if let Some((issuer, _)) = running.take() {
            issuer.shutdown().await;
        }
        let alg = config.signing_alg;
        let issuer = PracticeIssuer::start(config)
            .await
            .map_err(|e| IpcError::new(e.code(), e.to_string()))?;
        let status = PracticeStatus {
            issuer: issuer.issuer_url().to_owned(),
            lesson: issuer.lesson().map(|l| l.name().to_owned()),
            alg,
            native_client_id: NATIVE_CLIENT_ID.to_owned(),
            service_client_id: SERVICE_CLIENT_ID.to_owned(),
            users: USERS.iter().map(|u| (*u).to_owned()).collect(),
        };
        *running = Some((issuer, status.clone()));
        Ok(status)
    }

    /// The running issuer's status, or None.
    pub async fn status(&self) -> Option<PracticeStatus> {
        (self.running.lock().await.as_ref()).map(|(_, status)| status.clone())
    }

    /// Stops the running issuer (its open requests get 2 s); true if one was running.
    pub async fn stop(&self) -> bool {
        let issuer = self.running.lock().await.take();
        match issuer {
            Some((issuer, _)) => {
                issuer.shutdown().await;
                true
            }
            None => false,
        }
    }
}

/// Starts the practice issuer on 127.0.0.1 (a free port), replacing the running one: with
/// `lesson`, it stages that mistake or attack.
#[tauri::command]
pub async fn practice_start(
    request: PracticeStartRequest,
    state: State<'_, AppState>,
) -> Result<PracticeStatus, IpcError> {
    start(&state, request).await
}

/// Stops the practice issuer; true if one was running.
#[tauri::command]
pub async fn practice_stop(state: State<'_, AppState>) -> Result<bool, IpcError> {
    Ok(state.practice.stop().await)
}

/// The running practice issuer, or null.
#[tauri::command]
pub async fn practice_status(
    state: State<'_, AppState>,
) -> Result<Option<PracticeStatus>, IpcError> {
    Ok(state.practice.status().await)
}

/// Every lesson, in the core's order.
#[tauri::command]
pub async fn practice_lessons() -> Result<Vec<PracticeLesson>, IpcError> {
    Ok(lessons())
}

pub(crate) fn lessons() -> Vec<PracticeLesson> {
    Lesson::ALL.into_iter().map(PracticeLesson::from).collect()
}

pub(crate) async fn start(
    state: &AppState,
    request: PracticeStartRequest,
) -> Result<PracticeStatus, IpcError> {
    let lesson = match request.lesson.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(name) => Some(Lesson::parse(name).ok_or_else(|| {
            IpcError::new(
                "practice.unknown_lesson",
                format!("no lesson {name:?}: choose one from the list"),
            )
            .for_input("lesson")
        })?),
    };
    let config = PracticeConfig {
        lesson,
        signing_alg: request.alg.unwrap_or(JwsAlg::RS256),
        clock: state.clock.clone(),
        ..PracticeConfig::default()
    };
    state.practice.replace(config).await
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::sync::Arc;

    use tokenscope::clock::SystemClock;

    use super::*;
    use crate::commands::test_support::block_on;
    use crate::vault_slot::VaultSlot;

    /// The practice issuer dates its tokens by the app's clock: the system's here.
    fn state() -> AppState {
        let profiles = Err(IpcError::new("profile.no_config_dir", "none in tests"));
        let clock = Arc::new(SystemClock);
        AppState::new(clock.clone(), VaultSlot::unavailable(clock), profiles)
    }

    /// GET `url` on loopback; the status line and body.
    fn get(url: &str) -> std::io::Result<String> {
        let rest = url.strip_prefix("http://").unwrap();
        let (host, path) = rest.split_at(rest.find('/').unwrap());
        let mut stream = TcpStream::connect(host)?;
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nhost: {host}\r\nconnection: close\r\n\r\n"
        )?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer)?;
        Ok(answer)
    }

    #[test]
    fn starting_again_replaces_the_issuer_and_stop_closes_it() {
        let state = state();
        block_on(async {
            assert_eq!(practice_status_of(&state).await, None);
            let first = start(&state, PracticeStartRequest::default())
                .await
                .unwrap();
            assert!(first.issuer.starts_with("http://127.0.0.1:"), "{first:?}");
            assert_eq!(first.lesson, None);
            assert_eq!(first.native_client_id, "practice-native");
            assert_eq!(first.users, ["alice", "bob", "admin"]);
            let metadata = get(&format!(
                "{}/.well-known/openid-configuration",
                first.issuer
            ));
            assert!(metadata.unwrap().starts_with("HTTP/1.1 200"));

            let request = PracticeStartRequest {
                lesson: Some("alg-none".to_owned()),
                alg: None,
            };
            let second = start(&state, request).await.unwrap();
            assert_eq!(second.lesson.as_deref(), Some("alg-none"));
            assert_eq!(practice_status_of(&state).await, Some(second.clone()));
            let old = get(&format!(
                "{}/.well-known/openid-configuration",
                first.issuer
            ));
            assert!(old.is_err(), "the first issuer stopped listening: {old:?}");

            assert!(state.practice.stop().await);
            assert_eq!(practice_status_of(&state).await, None);
            assert!(get(&format!("{}/jwks", second.issuer)).is_err());
            assert!(!state.practice.stop().await, "nothing left to stop");
        });
    }

    async fn practice_status_of(state: &AppState) -> Option<PracticeStatus> {
        state.practice.status().await
    }

    #[test]
    fn an_unknown_lesson_or_an_unsupported_algorithm_is_refused_and_nothing_runs() {
        let state = state();
        block_on(async {
            let request = PracticeStartRequest {
                lesson: Some("nope".to_owned()),
                alg: None,
            };
            let error = start(&state, request).await.unwrap_err();
            assert_eq!(error.code, "practice.unknown_lesson");
            assert_eq!(error.input.as_deref(), Some("lesson"));

            let request = PracticeStartRequest {
                lesson: None,
                alg: Some(JwsAlg::HS256),
            };
            let error = start(&state, request).await.unwrap_err();
            assert_eq!(error.code, "practice.config");
            assert_eq!(practice_status_of(&state).await, None);
        });
    }

    #[test]
    fn every_lesson_is_listed_with_its_failing_checks_and_no_exit_codes() {
        let lessons = lessons();
        assert_eq!(lessons.len(), Lesson::ALL.len());
        let alg_none = lessons.iter().find(|l| l.name == "alg-none").unwrap();
        assert!(alg_none.failing_checks.contains(&CheckName::Signature));
        for lesson in &lessons {
            let info = Lesson::parse(&lesson.name).unwrap().info();
            assert_eq!(
                lesson.failing_checks.len(),
                info.failing_checks.len(),
                "{}: every failing check is a CheckName",
                lesson.name
            );
            assert!(!lesson.what_you_see.contains("exit "), "{lesson:?}");
            assert!(!lesson.explanation.is_empty());
        }
        let json = serde_json::to_value(alg_none).unwrap();
        assert_eq!(json["failing_checks"][0], "signature");
    }
}
