//! Flows: the authorization code flow with PKCE, its refresh and a userinfo call (issue 12), each
//! one core call ([`run_code_flow`], [`run_refresh`], [`run_userinfo`]) run as a cancellable
//! operation. The flow's progress reaches the webview as it happens through a [`Channel`] of
//! [`FlowEvent`]s: the authorization URL (with each parameter explained) once the loopback
//! listener is bound, then each step of the timeline as it finishes. Steps are redacted by the
//! core; the refresh token itself never leaves Rust (it goes to the keychain).

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tauri::ipc::Channel;
use tauri::State;
use tokenscope::http::{HttpClient, Transcript};
use tokenscope::oauth::authorize::{AuthorizationUrl, ExplainedParam};
use tokenscope::oauth::flow::{
    run_code_flow, run_refresh, run_userinfo, CodeFlowOptions, FlowContext, FlowError, FlowFailure,
    FlowObserver, FlowResult, FlowSettings, PreviousTokens,
};
use tokenscope::oauth::grants::DevicePrompt;
use tokenscope::oauth::timeline::Step;
use tokenscope::oauth::token::OAuthError;
use tokenscope::operation::CancellationToken;
use tokenscope::secret::Secret;
use tokenscope::vault::{Profile, Vault, VaultError};
use tokenscope::ErrorCode as _;
use tokio::sync::{mpsc, oneshot};
use ts_rs::TS;

use crate::flow_records::{FlowRecord, Outcome};
use crate::{AppState, IpcError};

/// What the Flows view starts: a saved profile, or an issuer and a public client id for a one-off
/// flow (nothing stored).
#[derive(Debug, Deserialize, TS)]
pub struct CodeFlowRequest {
    /// A saved profile; its refresh token goes to the keychain under its name.
    #[serde(default)]
    pub profile: Option<String>,
    /// With `client_id`, instead of a profile: a one-off flow with a public client.
    #[serde(default)]
    pub issuer: Option<String>,
    #[serde(default)]
    pub client_id: Option<String>,
    /// Replaces the profile's scopes (or the default `openid profile offline_access`) when not
    /// empty.
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
    /// Open the authorization URL in the system browser once the listener is bound.
    pub open_browser: bool,
}

/// The tokens of the flow being refreshed, to diff the new ones against.
#[derive(Debug, Default, Deserialize, TS)]
pub struct PreviousTokensRequest {
    #[serde(default)]
    pub access_token: Option<String>,
    #[serde(default)]
    pub id_token: Option<String>,
}

/// A userinfo call with the access token of a finished flow.
#[derive(Deserialize, TS)]
pub struct UserinfoRequest {
    /// The flow's profile, or `issuer` (and `client_id`) for a one-off flow.
    #[serde(default)]
    pub profile: Option<String>,
    #[serde(default)]
    pub issuer: Option<String>,
    #[serde(default)]
    pub client_id: Option<String>,
    #[ts(type = "string")]
    pub access_token: Secret,
    /// The ID token's `sub`: userinfo's must be the same (OIDC Core §5.3.2).
    #[serde(default)]
    pub expected_sub: Option<String>,
}

/// The answer of a userinfo call: its step(s) (discovery, userinfo) and the claims, when usable.
#[derive(Debug, Serialize, TS)]
pub struct UserinfoReply {
    pub steps: Vec<Step>,
    #[ts(type = "Record<string, unknown> | null")]
    pub claims: Option<Value>,
}

/// A flow's progress, sent to the webview as it happens.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum FlowEvent {
    /// The loopback listener is bound: the URL the browser goes to, each parameter explained.
    AuthorizationUrl {
        url: String,
        params: Vec<ExplainedParam>,
        redirect_uri: String,
    },
    /// The system browser was asked to open the URL.
    BrowserOpened,
    /// The system browser could not be opened; the flow still waits (the URL can be copied).
    BrowserNotOpened { message: String },
    /// A step of the timeline finished (ok or failed).
    Step { step: Box<Step> },
    /// The device flow's user code is ready: what the user enters, and where (RFC 8628 §3.3).
    DevicePrompt { prompt: DevicePrompt },
}

/// How a flow failed: the core's code and message (as every command's `IpcError`), the steps it
/// made before, and the provider's OAuth error when it sent one.
#[derive(Debug, Serialize, TS)]
pub struct FlowFailureReply {
    #[serde(flatten)]
    #[ts(flatten)]
    pub error: IpcError,
    /// The timeline up to the failure (empty when the flow never started, or was cancelled:
    /// the steps then arrived as events).
    pub steps: Vec<Step>,
    /// `access_denied`, `invalid_grant`, … with the description and what usually causes it.
    pub oauth_error: Option<OAuthError>,
    /// A refresh whose token the provider refused deleted it from the keychain.
    pub refresh_token_deleted: bool,
}

impl From<IpcError> for FlowFailureReply {
    fn from(error: IpcError) -> Self {
        FlowFailureReply {
            error,
            steps: Vec::new(),
            oauth_error: None,
            refresh_token_deleted: false,
        }
    }
}

/// Where a flow's events go.
pub(crate) type Sink = Arc<dyn Fn(FlowEvent) + Send + Sync>;
/// Opens a URL in the system browser, or says why it could not.
pub(crate) type Opener = Arc<dyn Fn(&str) -> Result<(), String> + Send + Sync>;

/// Tells the webview of each step, and opens the browser when the URL is ready.
pub(crate) struct EventObserver {
    pub(crate) send: Sink,
    pub(crate) open: Option<Opener>,
}

impl FlowObserver for EventObserver {
    fn authorization_url(&self, url: &AuthorizationUrl, redirect_uri: &str) {
        (self.send)(FlowEvent::AuthorizationUrl {
            url: url.url.clone(),
            params: url.params.clone(),
            redirect_uri: redirect_uri.to_owned(),
        });
        if let Some(open) = &self.open {
            // Not fatal: the view shows the URL to copy, and the listener keeps waiting.
            (self.send)(match open(&url.url) {
                Ok(()) => FlowEvent::BrowserOpened,
                Err(message) => FlowEvent::BrowserNotOpened { message },
            });
        }
    }

    fn step(&self, step: &Step) {
        (self.send)(FlowEvent::Step {
            step: Box::new(step.clone()),
        });
    }
}

/// The system browser, through tauri-plugin-opener (`xdg-open` and friends, detached).
fn open_in_browser(url: &str) -> Result<(), String> {
    tauri_plugin_opener::open_url(url, None::<&str>).map_err(|e| e.to_string())
}

/// The webview's end of a flow's events. A send fails only when the webview has gone; the
/// flow's answer says the rest.
pub(crate) fn channel_sink(channel: Channel<FlowEvent>) -> Sink {
    Arc::new(move |event| drop(channel.send(event)))
}

/// Runs the authorization code flow with PKCE as operation `operation_id`: `on_event` receives the
/// authorization URL as soon as the listener is bound, then each step. A profile flow stores the
/// refresh token in the keychain and needs it: without one it fails at once (`vault.unavailable`).
#[tauri::command]
pub async fn start_code_flow(
    request: CodeFlowRequest,
    operation_id: String,
    on_event: Channel<FlowEvent>,
    state: State<'_, AppState>,
) -> Result<FlowResult, FlowFailureReply> {
    let open: Opener = Arc::new(open_in_browser);
    code_flow(&state, request, &operation_id, channel_sink(on_event), open).await
}

/// Refreshes a profile's tokens with its stored refresh token, as operation `operation_id`; the
/// result says whether the token rotated and how the new tokens differ from `previous`.
#[tauri::command]
pub async fn refresh_flow(
    profile: String,
    previous: PreviousTokensRequest,
    operation_id: String,
    on_event: Channel<FlowEvent>,
    state: State<'_, AppState>,
) -> Result<FlowResult, FlowFailureReply> {
    refresh(
        &state,
        profile,
        previous,
        &operation_id,
        channel_sink(on_event),
    )
    .await
}

/// Calls the userinfo endpoint with a finished flow's access token, as operation `operation_id`.
#[tauri::command]
pub async fn flow_userinfo(
    request: UserinfoRequest,
    operation_id: String,
    state: State<'_, AppState>,
) -> Result<UserinfoReply, FlowFailureReply> {
    userinfo(&state, request, &operation_id).await
}

pub(crate) async fn code_flow(
    state: &AppState,
    request: CodeFlowRequest,
    operation_id: &str,
    send: Sink,
    open: Opener,
) -> Result<FlowResult, FlowFailureReply> {
    let mut settings = settings(state, request.profile, request.issuer, request.client_id).await?;
    if let Some(scopes) = request.scopes.filter(|s| !s.is_empty()) {
        settings.scopes = scopes;
    }
    // Up front: a login whose refresh token could not be kept would be wasted, and it is never
    // kept anywhere but the keychain.
    let vault = profile_vault(state, &settings).await?;
    let observer = EventObserver {
        send,
        open: request.open_browser.then_some(open),
    };
    let http = http(state);
    let kept = settings.clone();
    let flow = on_flow_thread(move |cancel| async move {
        let ctx = FlowContext {
            http: &http,
            vault: vault.as_ref(),
            cancel: &cancel,
            observer: &observer,
        };
        run_code_flow(&ctx, &settings, &CodeFlowOptions::default()).await
    });
    let outcome = state
        .operations
        .run(operation_id, &Transcript::new(), flow)
        .await?;
    let settled = settle(state, outcome).await;
    record(state, operation_id, kept, &settled, Vec::new());
    settled
}

pub(crate) async fn refresh(
    state: &AppState,
    profile: String,
    previous: PreviousTokensRequest,
    operation_id: &str,
    send: Sink,
) -> Result<FlowResult, FlowFailureReply> {
    let settings = settings(state, Some(profile), None, None).await?;
    let vault = profile_vault(state, &settings).await?;
    let observer = EventObserver { send, open: None };
    let previous = PreviousTokens {
        access_token: previous.access_token,
        id_token: previous.id_token,
    };
    let http = http(state);
    let kept = settings.clone();
    let flow = on_flow_thread(move |cancel| async move {
        let ctx = FlowContext {
            http: &http,
            vault: vault.as_ref(),
            cancel: &cancel,
            observer: &observer,
        };
        run_refresh(&ctx, &settings, Some(&previous)).await
    });
    let outcome = state
        .operations
        .run(operation_id, &Transcript::new(), flow)
        .await?;
    let settled = settle(state, outcome).await;
    record(state, operation_id, kept, &settled, Vec::new());
    settled
}

/// Keeps a flow that ran to an answer (not a cancelled one) for Export, Revoke and Introspect;
/// `hidden` are values its export hides beyond the core's (the device flow's user code).
pub(crate) fn record(
    state: &AppState,
    operation_id: &str,
    settings: FlowSettings,
    settled: &Result<FlowResult, FlowFailureReply>,
    hidden: Vec<String>,
) {
    let outcome = match settled {
        Ok(result) => Outcome::Finished(Box::new(result.clone())),
        Err(failure) if failure.error.code == "operation.cancelled" => return,
        Err(failure) => Outcome::Failed {
            steps: failure.steps.clone(),
            code: failure.error.code.clone(),
            message: failure.error.message.clone(),
        },
    };
    let record = FlowRecord {
        settings,
        outcome,
        hidden,
    };
    state.flows.insert(operation_id, record);
}

pub(crate) async fn userinfo(
    state: &AppState,
    request: UserinfoRequest,
    operation_id: &str,
) -> Result<UserinfoReply, FlowFailureReply> {
    let UserinfoRequest {
        profile,
        issuer,
        client_id,
        access_token,
        expected_sub,
    } = request;
    // userinfo needs no client id; a one-off flow's is passed only for completeness.
    let client_id = client_id.or(Some(String::new()));
    let settings = settings(state, profile, issuer, client_id).await?;
    let http = http(state);
    let call = on_flow_thread(move |cancel| async move {
        let ctx = FlowContext {
            http: &http,
            vault: None,
            cancel: &cancel,
            observer: &(),
        };
        run_userinfo(&ctx, &settings, &access_token, expected_sub.as_deref()).await
    });
    let outcome = state
        .operations
        .run(operation_id, &Transcript::new(), call)
        .await?;
    let (steps, claims) = settle(state, outcome).await?;
    Ok(UserinfoReply { steps, claims })
}

/// A core flow to run on the flow thread: built there from what it owns, given the handle that
/// cancels it.
type Job = Box<dyn FnOnce() -> Pin<Box<dyn Future<Output = ()>>> + Send>;

/// The thread every flow runs on, with a current-thread runtime that lives as long as the app.
///
/// Why not Tauri's runtime: the core's flow futures cannot be proven `Send` (the token request
/// hands `oauth2` a closure returning a future, and the compiler's proof fails for every
/// lifetime: rust-lang/rust#64552), and Tauri's runtime is multi-threaded. Why one thread that
/// lives on, not a runtime per flow: the HTTP client is shared, and connections it pooled on a
/// runtime that has gone would fail the next request that picks them.
fn flow_thread() -> Result<&'static mpsc::UnboundedSender<Job>, IpcError> {
    static THREAD: OnceLock<Result<mpsc::UnboundedSender<Job>, String>> = OnceLock::new();
    let started = THREAD.get_or_init(|| {
        let (jobs, mut queue) = mpsc::unbounded_channel::<Job>();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the flow runtime: {e}"))?;
        std::thread::Builder::new()
            .name("tokenscope-flows".to_owned())
            .spawn(move || {
                let flows = tokio::task::LocalSet::new();
                flows.block_on(&runtime, async move {
                    while let Some(job) = queue.recv().await {
                        tokio::task::spawn_local(job());
                    }
                });
            })
            .map_err(|e| format!("cannot start the flow thread: {e}"))?;
        Ok(jobs)
    });
    started
        .as_ref()
        .map_err(|message| IpcError::new("app.task_failed", message.clone()))
}

/// Runs the future `flow` builds on the flow thread and waits for its answer. Dropping the wait
/// (the operation was cancelled) cancels the flow: its listener closes, its requests stop.
pub(crate) async fn on_flow_thread<T, F, Fut>(flow: F) -> Result<T, IpcError>
where
    T: Send + 'static,
    F: FnOnce(CancellationToken) -> Fut + Send + 'static,
    Fut: Future<Output = T> + 'static,
{
    let cancel = CancellationToken::new();
    let _cancel_when_dropped = cancel.clone().drop_guard();
    let (answer, answered) = oneshot::channel();
    let job: Job = Box::new(move || {
        Box::pin(async move {
            // The waiter may have gone (cancelled): nobody to tell.
            let _ = answer.send(flow(cancel).await);
        })
    });
    let gone = || IpcError::new("app.task_failed", "the flow thread has stopped");
    flow_thread()?.send(job).map_err(|_| gone())?;
    answered.await.map_err(|_| gone())
}

/// https only, plain http to loopback (a local test provider) allowed.
pub(crate) fn http(state: &AppState) -> HttpClient {
    state.http(false).clone()
}

/// The keychain for a profile's flow (none for a one-off flow), or why there is none.
pub(crate) async fn profile_vault(
    state: &AppState,
    settings: &FlowSettings,
) -> Result<Option<Vault>, IpcError> {
    match settings.profile {
        Some(_) => Ok(Some(state.vault.get().await?)),
        None => Ok(None),
    }
}

/// The flow's settings: the named profile, or an issuer and a client id typed for one flow.
pub(crate) async fn settings(
    state: &AppState,
    profile: Option<String>,
    issuer: Option<String>,
    client_id: Option<String>,
) -> Result<FlowSettings, IpcError> {
    let given = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    match (given(profile), given(issuer)) {
        (Some(_), Some(_)) => Err(IpcError::new(
            "oauth.settings",
            "choose a profile or type an issuer, not both",
        )
        .for_input("issuer")),
        (Some(name), None) => Ok(FlowSettings::from_profile(
            &load_profile(state, name).await?,
        )),
        (None, Some(issuer)) => match client_id {
            Some(client_id) => Ok(FlowSettings::for_issuer(&issuer, client_id.trim())),
            None => {
                Err(IpcError::new("oauth.settings", "a client id is needed").for_input("client_id"))
            }
        },
        (None, None) => Err(IpcError::new(
            "oauth.settings",
            "choose a profile, or type an issuer and a client id",
        )
        .for_input("profile")),
    }
}

/// A profile from the store, read on the blocking pool (the file may be locked by a writer).
async fn load_profile(state: &AppState, name: String) -> Result<Profile, IpcError> {
    let store = state.profiles()?;
    tauri::async_runtime::spawn_blocking(move || store.get(&name))
        .await
        .map_err(|e| IpcError::new("app.task_failed", format!("the profile task failed: {e}")))?
        .map_err(IpcError::from)
}

/// A flow's outcome as the webview gets it. A keychain that turned out unavailable closes the
/// app's vault (the Vault view's banner), as every keychain command does.
pub(crate) async fn settle<T>(
    state: &AppState,
    outcome: Result<T, FlowFailure>,
) -> Result<T, FlowFailureReply> {
    let failure = match outcome {
        Ok(value) => return Ok(value),
        Err(failure) => failure,
    };
    let oauth_error = failure.error.oauth_error().cloned();
    let error = match failure.error {
        FlowError::Vault(e) => match state.vault.checked(Err::<(), VaultError>(e)).await {
            Err(error) => error,
            Ok(()) => unreachable!("checked passes an error through"),
        },
        other => IpcError::new(other.code(), other.to_string()),
    };
    Err(FlowFailureReply {
        error,
        steps: failure.steps,
        oauth_error,
        refresh_token_deleted: failure.refresh_token_deleted,
    })
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::sync::Mutex;
    use std::time::{Duration, Instant};

    use serde_json::json;
    use tokenscope::vault::ProfileStore;

    use super::*;
    use crate::commands::test_support::{block_on, state_at, state_with_profiles};

    /// Serves OpenID Provider metadata whose authorization endpoint is never visited (the test
    /// plays the browser by requesting the redirect itself); `http://127.0.0.1:PORT`.
    fn metadata_server() -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let metadata = json!({
            "issuer": base,
            "authorization_endpoint": format!("{base}/authorize"),
            "token_endpoint": format!("{base}/token"),
            "jwks_uri": format!("{base}/jwks"),
            "response_types_supported": ["code"],
        })
        .to_string();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut reader = BufReader::new(stream);
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                    line.clear();
                }
                let reply = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                     content-length: {}\r\nconnection: close\r\n\r\n{metadata}",
                    metadata.len()
                );
                let _ = reader.get_mut().write_all(reply.as_bytes());
            }
        });
        base
    }

    /// The events a flow sent, in order.
    #[derive(Default)]
    struct Events(Mutex<Vec<FlowEvent>>);

    impl Events {
        fn push(&self, event: FlowEvent) {
            self.0.lock().unwrap().push(event);
        }

        fn names(&self) -> Vec<String> {
            (self.0.lock().unwrap().iter())
                .map(|e| match e {
                    FlowEvent::Step { step } => format!("step:{}:{:?}", step.name, step.status),
                    other => serde_json::to_value(other).unwrap()["event"]
                        .as_str()
                        .unwrap()
                        .to_owned(),
                })
                .collect()
        }

        fn redirect_uri(&self) -> Option<String> {
            self.0.lock().unwrap().iter().find_map(|e| match e {
                FlowEvent::AuthorizationUrl { redirect_uri, .. } => Some(redirect_uri.clone()),
                _ => None,
            })
        }
    }

    fn one_off(issuer: &str) -> CodeFlowRequest {
        CodeFlowRequest {
            profile: None,
            issuer: Some(issuer.to_owned()),
            client_id: Some("tokenscope-native".to_owned()),
            scopes: None,
            open_browser: true,
        }
    }

    /// The query parameter `name` of `url` (values here need no percent-decoding).
    fn query_param(url: &str, name: &str) -> String {
        let query = url.split_once('?').expect("a query").1;
        (query.split('&'))
            .find_map(|pair| pair.strip_prefix(&format!("{name}=")))
            .unwrap_or_else(|| panic!("no {name} in {url}"))
            .to_owned()
    }

    /// Requests `url` (plain http on loopback) as the browser would after the provider's redirect.
    fn get(url: &str) -> String {
        let rest = url.strip_prefix("http://").unwrap();
        let (host, path) = rest.split_at(rest.find('/').unwrap());
        let mut stream = TcpStream::connect(host).unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nhost: {host}\r\nconnection: close\r\n\r\n"
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        answer
    }

    fn wait_for<T>(what: &str, mut found: impl FnMut() -> Option<T>) -> T {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(v) = found() {
                return v;
            }
            assert!(Instant::now() < deadline, "no {what} within 10 s");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// A sink that keeps the events in `events`.
    fn sink(events: &Arc<Events>) -> Sink {
        let events = events.clone();
        Arc::new(move |e| events.push(e))
    }

    fn no_browser() -> Opener {
        Arc::new(|_| Err("no browser here".to_owned()))
    }

    #[test]
    fn an_access_denied_redirect_ends_the_flow_with_the_oauth_error_its_hint_and_the_timeline() {
        let issuer = metadata_server();
        let state = state_at(0);
        let events = Arc::new(Events::default());
        let opened = Arc::new(Mutex::new(None::<String>));
        // The "browser": told the URL, it comes back with the provider's refusal.
        let open: Opener = {
            let opened = opened.clone();
            Arc::new(move |url| {
                *opened.lock().unwrap() = Some(url.to_owned());
                Ok(())
            })
        };
        let failure = std::thread::scope(|scope| {
            scope.spawn(|| {
                let url = wait_for("browser", || opened.lock().unwrap().clone());
                let redirect = events.redirect_uri().unwrap();
                let state = query_param(&url, "state");
                let answer = get(&format!(
                    "{redirect}?error=access_denied&error_description=End-User+aborted&state={state}"
                ));
                assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
            });
            block_on(code_flow(
                &state,
                one_off(&issuer),
                "flow-1",
                sink(&events),
                open,
            ))
            .unwrap_err()
        });
        assert_eq!(failure.error.code, "oauth.error_response");
        let oauth = failure.oauth_error.expect("the provider's error");
        assert_eq!(oauth.error, "access_denied");
        assert_eq!(oauth.error_description.as_deref(), Some("End-User aborted"));
        assert!(oauth.hint.is_some(), "access_denied has a hint");
        let steps: Vec<_> = (failure.steps.iter()).map(|s| s.name.to_string()).collect();
        assert_eq!(steps, ["discovery", "authorization"]);
        assert_eq!(
            events.names(),
            [
                "step:discovery:Ok",
                "authorization_url",
                "browser_opened",
                "step:authorization:Failed"
            ]
        );
        let url = opened.lock().unwrap().clone().unwrap();
        assert!(url.starts_with(&format!("{issuer}/authorize?")), "{url}");
        assert_eq!(query_param(&url, "code_challenge_method"), "S256");
        assert_eq!(state.operations.running(), 0);
    }

    #[test]
    fn cancel_during_the_redirect_wait_ends_the_flow_as_cancelled_and_closes_the_listener() {
        let issuer = metadata_server();
        let state = state_at(0);
        let events = Arc::new(Events::default());
        let (error, redirect) = std::thread::scope(|scope| {
            let redirect = scope.spawn(|| {
                let redirect = wait_for("authorization URL", || events.redirect_uri());
                state.operations.cancel("flow-2");
                redirect
            });
            let flow = code_flow(
                &state,
                one_off(&issuer),
                "flow-2",
                sink(&events),
                no_browser(),
            );
            (block_on(flow).unwrap_err(), redirect.join().unwrap())
        });
        assert_eq!(error.error.code, "operation.cancelled");
        assert!(
            events.names().contains(&"browser_not_opened".to_owned()),
            "a browser that cannot open is an event, not a failure: {:?}",
            events.names()
        );
        let port = redirect
            .split(':')
            .nth(2)
            .unwrap()
            .split('/')
            .next()
            .unwrap();
        // The flow, on its own thread, hears of the cancel at once and closes its listener.
        wait_for("listener to close", || {
            TcpStream::connect(format!("127.0.0.1:{port}"))
                .is_err()
                .then_some(())
        });
        assert_eq!(state.operations.running(), 0);
    }

    #[test]
    fn a_profile_flow_without_a_keychain_fails_up_front_with_vault_unavailable() {
        let dir = tempfile::tempdir().unwrap();
        let mut profile = Profile::new("dev", "tokenscope-native");
        profile.issuer = Some("https://issuer.example".to_owned());
        ProfileStore::new(dir.path()).add(profile).unwrap();
        let state = state_with_profiles(dir.path());
        let events = Arc::new(Events::default());
        let request = CodeFlowRequest {
            profile: Some("dev".to_owned()),
            issuer: None,
            client_id: None,
            scopes: None,
            open_browser: false,
        };
        let open: Opener = Arc::new(|_| panic!("no browser before the keychain"));
        let error =
            block_on(code_flow(&state, request, "flow-3", sink(&events), open)).unwrap_err();
        assert_eq!(error.error.code, "vault.unavailable");
        assert!(error.steps.is_empty());
        assert!(events.names().is_empty(), "nothing started");

        let error = block_on(refresh(
            &state,
            "dev".to_owned(),
            PreviousTokensRequest::default(),
            "flow-4",
            sink(&events),
        ))
        .unwrap_err();
        assert_eq!(error.error.code, "vault.unavailable");
    }

    #[test]
    fn a_flow_needs_a_profile_or_an_issuer_and_a_client_id() {
        let state = state_at(0);
        let run = |request| {
            let events = Arc::new(Events::default());
            block_on(code_flow(&state, request, "f", sink(&events), no_browser())).unwrap_err()
        };
        let mut request = one_off("https://issuer.example");
        request.client_id = None;
        let error = run(request);
        assert_eq!(error.error.code, "oauth.settings");
        assert_eq!(error.error.input.as_deref(), Some("client_id"));

        let mut request = one_off("");
        request.profile = Some(" ".to_owned());
        let error = run(request);
        assert_eq!(error.error.input.as_deref(), Some("profile"));

        let mut request = one_off("https://issuer.example");
        request.profile = Some("dev".to_owned());
        let error = run(request);
        assert_eq!(error.error.input.as_deref(), Some("issuer"));
    }

    #[test]
    fn events_and_failures_serialize_in_the_shape_the_view_reads() {
        let event = FlowEvent::AuthorizationUrl {
            url: "https://idp.example/authorize?x=1".to_owned(),
            params: vec![ExplainedParam::shown(
                "x",
                "1",
                "an example",
                "RFC 6749 §4.1.1",
            )],
            redirect_uri: "http://127.0.0.1:5000/callback".to_owned(),
        };
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["event"], "authorization_url");
        assert_eq!(json["params"][0]["meaning"], "an example");
        assert_eq!(json["redirect_uri"], "http://127.0.0.1:5000/callback");
        let json = serde_json::to_value(FlowEvent::BrowserNotOpened {
            message: "no opener".to_owned(),
        })
        .unwrap();
        assert_eq!(
            json,
            json!({"event": "browser_not_opened", "message": "no opener"})
        );

        let reply = FlowFailureReply {
            oauth_error: Some(OAuthError {
                error: "access_denied".to_owned(),
                error_description: None,
                error_uri: None,
                hint: Some("the user said no".to_owned()),
            }),
            ..FlowFailureReply::from(IpcError::new("oauth.error_response", "denied"))
        };
        let json = serde_json::to_value(&reply).unwrap();
        assert_eq!(json["code"], "oauth.error_response");
        assert_eq!(json["message"], "denied");
        assert_eq!(json["exchanges"], json!([]));
        assert_eq!(json["steps"], json!([]));
        assert_eq!(json["oauth_error"]["error"], "access_denied");
        assert_eq!(json["refresh_token_deleted"], false);
    }
}
