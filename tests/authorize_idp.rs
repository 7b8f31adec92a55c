//! The code flow's first pieces against the real OpenID Provider (issue 12): fresh secrets, the
//! loopback listener, the endpoint from discovery, the authorization URL, and the provider's own
//! login and consent pages played by `util::browser` while the listener waits, as a person in the
//! system browser would.

use std::future::Future;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::Value;
use tokenscope::clock::SystemClock;
use tokenscope::discovery::{discover, DiscoverOptions};
use tokenscope::http::{HttpClient, HttpPolicy, Transcript};
use tokenscope::jwt::verify::CheckStatus;
use tokenscope::oauth::authorize::{authorization_url, AuthorizationRequest};
use tokenscope::oauth::loopback::{
    AuthorizationResponse, LoopbackListener, Redirected, RejectReason, RejectedRequest, WaitError,
};
use tokenscope::oauth::pkce::FlowSecrets;
use tokenscope::oauth::response::check_response_issuer;
use tokenscope::operation::CancellationToken;
use tokenscope::vault::profiles::Redirect;

use crate::util::block_on;
use crate::util::browser::{play_browser, send_forged_redirect, BrowserResult, Consent};
use crate::util::idp::Idp;

/// Far above what a flow against the local provider takes (well under a second); only there so a
/// broken piece fails instead of hanging.
const GENEROUS: Duration = Duration::from_secs(30);
/// How long the listener may lag behind a browser that has already had its answer.
const LISTENER_GRACE: Duration = Duration::from_secs(5);
const SCOPES: [&str; 3] = ["openid", "profile", "offline_access"];

/// The provider's metadata, through the core's own discovery.
fn metadata(idp: &Idp) -> Value {
    let http = HttpClient::new(HttpPolicy::default(), Arc::new(SystemClock));
    let options = DiscoverOptions::default();
    block_on(discover(&http, &idp.issuer, &options, &Transcript::new()))
        .unwrap_or_else(|e| panic!("discovery of {}: {e}", idp.issuer))
        .metadata
}

/// What one flow up to the redirect saw.
struct Flow {
    redirect_uri: String,
    redirected: Redirected,
    browser: BrowserResult,
    /// The listener's answer to a redirect forged before the browser started, if one was sent.
    forged: Option<(u16, String)>,
    /// `authorization_response_iss_parameter_supported` (RFC 9207 §3).
    iss_required: bool,
}

/// Binds the listener, builds the authorization URL from discovery, and plays the browser on a
/// thread while the listener waits; with `forge`, that thread first sends a redirect with that
/// query to the listener.
fn run_flow(idp: &Idp, client_id: &str, consent: Consent, forge: Option<&'static str>) -> Flow {
    let metadata = metadata(idp);
    let endpoint = metadata["authorization_endpoint"]
        .as_str()
        .unwrap_or_else(|| panic!("no authorization_endpoint in {metadata}"))
        .to_owned();
    let iss_required = metadata["authorization_response_iss_parameter_supported"] == true;
    let secrets = FlowSecrets::generate();
    let scopes: Vec<String> = SCOPES.map(str::to_owned).to_vec();
    let user = "alice";
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let listener = LoopbackListener::bind(&Redirect::default())
            .await
            .expect("a loopback port");
        let redirect_uri = listener.redirect_uri();
        let url = authorization_url(&AuthorizationRequest {
            authorization_endpoint: &endpoint,
            client_id,
            redirect_uri: &redirect_uri,
            scopes: &scopes,
            extra_params: &Default::default(),
            state: &secrets.state,
            nonce: &secrets.nonce,
            challenge: &secrets.verifier.challenge_s256(),
        })
        .expect("an authorization URL")
        .url;
        let wait = listener.wait(&secrets.state, GENEROUS, &CancellationToken::new());
        let forge_to = redirect_uri.clone();
        let browser = std::thread::spawn(move || {
            let forged = forge.map(|query| send_forged_redirect(&forge_to, query));
            (forged, play_browser(&url, user, consent))
        });
        let (waited, (forged, browser)) = wait_beside(wait, browser).await;
        Flow {
            redirect_uri,
            redirected: waited.expect("the listener got the redirect"),
            browser,
            forged,
            iss_required,
        }
    })
}

/// Awaits the listener's wait while `browser` runs; a browser that panics ends the test with its
/// own message rather than a listener timeout.
async fn wait_beside<T>(
    wait: impl Future<Output = Result<Redirected, WaitError>>,
    browser: JoinHandle<T>,
) -> (Result<Redirected, WaitError>, T) {
    tokio::pin!(wait);
    let mut poll = tokio::time::interval(Duration::from_millis(50));
    loop {
        tokio::select! {
            waited = &mut wait => return (waited, join(browser)),
            _ = poll.tick() => {
                if browser.is_finished() {
                    let browsed = join(browser);
                    let waited = tokio::time::timeout(LISTENER_GRACE, wait)
                        .await
                        .expect("the browser had its answer but the listener is still waiting");
                    return (waited, browsed);
                }
            }
        }
    }
}

fn join<T>(thread: JoinHandle<T>) -> T {
    thread
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// The code and `iss` of a code response.
fn code_of(flow: &Flow) -> (&str, Option<&str>) {
    match &flow.redirected.response {
        AuthorizationResponse::Code { code, iss } => (code.expose_secret(), iss.as_deref()),
        other => panic!(
            "expected a code, got {other:?} ({})",
            flow.browser.redirect_url
        ),
    }
}

#[test]
fn approved_consent_brings_a_code_and_the_issuer_to_the_loopback_listener() {
    let idp = Idp::start();
    for client_id in [&idp.clients.native, &idp.clients.native_es256] {
        let flow = run_flow(&idp, client_id, Consent::Approve, None);
        let (code, iss) = code_of(&flow);
        assert!(!code.is_empty());
        assert_eq!(iss, Some(idp.issuer.as_str()), "{client_id}");
        assert!(flow.iss_required, "the provider promises iss (RFC 9207)");
        let check = check_response_issuer(iss, Some(&idp.issuer), flow.iss_required);
        assert_eq!(check.status, CheckStatus::Pass, "{check:?}");
        assert!(
            flow.browser
                .redirect_url
                .starts_with(&format!("{}?", flow.redirect_uri)),
            "{} is not on {}",
            flow.browser.redirect_url,
            flow.redirect_uri
        );
        assert_eq!(flow.browser.listener_status, 200);
        assert!(
            flow.browser
                .listener_body
                .contains("You can close this tab"),
            "{}",
            flow.browser.listener_body
        );
        assert!(flow.redirected.rejected.is_empty());
        assert_eq!(flow.redirected.rejected_total, 0);
    }
}

#[test]
fn denied_consent_ends_in_access_denied_from_the_issuer() {
    let idp = Idp::start();
    let flow = run_flow(&idp, &idp.clients.native, Consent::Deny, None);
    match &flow.redirected.response {
        AuthorizationResponse::Error { error, iss, .. } => {
            assert_eq!(error, "access_denied");
            assert_eq!(iss.as_deref(), Some(idp.issuer.as_str()));
        }
        other => panic!("expected access_denied, got {other:?}"),
    }
    assert!(flow.browser.redirect_url.contains("error=access_denied"));
    assert_eq!(flow.browser.listener_status, 200);
    assert!(
        flow.browser.listener_body.contains("not granted"),
        "{}",
        flow.browser.listener_body
    );
}

#[test]
fn forged_redirect_with_a_wrong_state_is_refused_and_the_real_one_still_lands() {
    let idp = Idp::start();
    let flow = run_flow(
        &idp,
        &idp.clients.native,
        Consent::Approve,
        Some("code=forged-code&state=not-the-state"),
    );
    let (status, body) = flow.forged.as_ref().expect("the forged redirect was sent");
    assert!((400..500).contains(status), "{status}: {body}");
    assert!(body.contains("state does not match"), "{body}");
    let (code, iss) = code_of(&flow);
    assert_ne!(code, "forged-code");
    assert_eq!(iss, Some(idp.issuer.as_str()));
    assert_eq!(flow.browser.listener_status, 200);
    assert_eq!(
        flow.redirected.rejected,
        [RejectedRequest {
            status: Some(*status),
            reason: RejectReason::WrongState,
        }]
    );
    assert_eq!(flow.redirected.rejected_total, 1);
}

#[test]
#[should_panic(expected = "an unexpected page at http://127.0.0.1")]
fn browser_stuck_on_the_providers_error_page_says_where() {
    // An unknown client cannot be redirected to: the provider shows its error page instead.
    let idp = Idp::start();
    let url = format!(
        "{}/auth?response_type=code&client_id=nobody&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcallback&scope=openid",
        idp.issuer
    );
    play_browser(&url, "alice", Consent::Approve);
}
