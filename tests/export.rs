//! Exporting a flow (issue 13, App › Export): redacted by default, no secret value seen during
//! the flow left in either format, fingerprints in their place; the Markdown readable and
//! unbreakable by what servers send. Against hand-built results that put secrets everywhere a
//! future grant might, and against a real code flow with the test OpenID Provider.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use serde_json::{json, Value};
use tokenscope::clock::SystemClock;
use tokenscope::http::{Exchange, HttpClient, HttpHeader, HttpPolicy};
use tokenscope::jwt::verify::{Check, CheckName, CheckStatus};
use tokenscope::oauth::authorize::{AuthorizationUrl, ExplainedParam};
use tokenscope::oauth::export::{export_failure, export_flow, ExportFormat, ExportOptions};
use tokenscope::oauth::flow::{
    run_code_flow, CodeFlowOptions, FlowContext, FlowObserver, FlowResult, FlowSettings,
    IssuedTokens, Rotation,
};
use tokenscope::oauth::timeline::{Step, StepName, StepRequest, StepResponse, StepStatus};
use tokenscope::operation::CancellationToken;
use tokenscope::secret::Secret;
use tokenscope::vault::fingerprint;

use crate::util::block_on;
use crate::util::browser::{play_browser, Consent};
use crate::util::idp::Idp;

const ACCESS_TOKEN: &str = "at-Hx8cQ2m0pL7vRzK4sW9yB3nE";
/// An unsigned JWT standing in for the ID token.
const ID_TOKEN: &str = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJhbGljZSIsIm5vbmNlIjoibi0xIn0.c2lnbmF0dXJlLWJ5dGVz";
const STATE: &str = "st-Qm9LkR2xZp8WvT4c";
const NONCE: &str = "no-Yh3Jd8Fs1Kq6Lp0b";
/// What a careless future grant might leave in a step: a client assertion (a JWT), a device
/// code and a cookie.
const ASSERTION: &str = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJhcHAiLCJqdGkiOiJ4In0.YXNzZXJ0aW9uLXNpZw";
const DEVICE_CODE: &str = "dc-Gk5Tr7Wq2Mz9Xv1N";
const COOKIE: &str = "sid=ck-Pa4Vb6Nc8Md0Le2K";
/// A JWT in the userinfo response (an aggregated claim, OIDC Core §5.6.2).
const CLAIMS_JWT: &str = "eyJhbGciOiJSUzI1NiJ9.eyJhZGRyZXNzIjoieCJ9.Y2xhaW1zLXNpZw";

fn marker(value: &str) -> String {
    format!("[sha256:{}]", fingerprint(&Secret::new(value)))
}

fn redacted() -> ExportOptions {
    ExportOptions::default()
}

fn revealed() -> ExportOptions {
    ExportOptions {
        reveal_tokens: true,
    }
}

fn header(name: &str, value: &str) -> HttpHeader {
    HttpHeader {
        name: name.to_owned(),
        value: value.to_owned(),
    }
}

fn step(name: StepName, url: &str) -> Step {
    Step {
        name,
        status: StepStatus::Ok,
        explanation: "What the step does.".to_owned(),
        spec: "RFC 6749 §4.1".to_owned(),
        request: Some(StepRequest {
            method: "GET".to_owned(),
            url: url.to_owned(),
            headers: Vec::new(),
            params: Vec::new(),
        }),
        response: None,
        exchanges: Vec::new(),
        error: None,
        notes: Vec::new(),
        duration_ms: 12,
    }
}

/// A code flow's result with the tokens in the result (as the core keeps them) and secrets left
/// in clear in places the timeline's own redaction would not cover.
fn leaky_result() -> FlowResult {
    let authorize_url = format!(
        "https://idp.example/authorize?response_type=code&client_id=app&state={STATE}&nonce={NONCE}"
    );
    let mut authorization = step(StepName::Authorization, &authorize_url);
    authorization.request.as_mut().unwrap().params = vec![
        ExplainedParam::shown(
            "client_id",
            "app",
            "Identifies the client.",
            "RFC 6749 §2.2",
        ),
        ExplainedParam::shown("state", STATE, "Binds the redirect.", "RFC 6749 §10.12"),
        ExplainedParam::shown("nonce", NONCE, "Binds the ID token.", "OIDC Core §3.1.2.1"),
    ];
    authorization.response = Some(StepResponse {
        status: None,
        headers: Vec::new(),
        body: Some(json!({"code": "[redacted]", "state": "(matched)"})),
    });

    let mut token = step(StepName::Token, "https://idp.example/token");
    let request = token.request.as_mut().unwrap();
    request.method = "POST".to_owned();
    request.params = vec![
        ExplainedParam::shown(
            "grant_type",
            "authorization_code",
            "Which grant.",
            "RFC 6749",
        ),
        ExplainedParam::redacted("code", "The code.", "RFC 6749 §4.1.3"),
        ExplainedParam::shown("client_assertion", ASSERTION, "A JWT.", "RFC 7523"),
    ];
    request.headers = vec![header("cookie", COOKIE)];
    token.response = Some(StepResponse {
        status: Some(200),
        headers: vec![header("content-type", "application/json")],
        body: Some(json!({
            "access_token": "[redacted]",
            "token_type": "Bearer",
            "issued": {"copy": ACCESS_TOKEN, "device_code": DEVICE_CODE},
        })),
    });
    token.notes.push(format!(
        "the ID token {ID_TOKEN} came with the access token"
    ));
    token.exchanges.push(Exchange {
        method: "POST".to_owned(),
        url: format!("https://idp.example/token?access_token={ACCESS_TOKEN}"),
        status: Some(200),
        request_headers: vec![header("authorization", &format!("Bearer {ACCESS_TOKEN}"))],
        response_headers: Vec::new(),
        duration_ms: 10,
        from_cache: false,
        error: None,
    });

    let mut userinfo = step(StepName::Userinfo, "https://idp.example/userinfo");
    userinfo.request.as_mut().unwrap().headers = vec![header("authorization", "[redacted]")];
    userinfo.response = Some(StepResponse {
        status: Some(200),
        headers: Vec::new(),
        body: Some(json!({"sub": "alice", "_claim_sources": {"src1": {"JWT": CLAIMS_JWT}}})),
    });

    FlowResult {
        tokens: IssuedTokens {
            access_token: ACCESS_TOKEN.to_owned(),
            token_type: "Bearer".to_owned(),
            expires_in: Some(600),
            scope: Some("openid profile".to_owned()),
            id_token: Some(ID_TOKEN.to_owned()),
            refresh_token_stored: true,
            refresh_token_fingerprint: Some("0123456789abcdef".to_owned()),
        },
        id_token_checks: vec![Check {
            name: CheckName::Nonce,
            status: CheckStatus::Pass,
            message: "the nonce matches the request".to_owned(),
            spec: "OIDC Core §3.1.3.7".to_owned(),
        }],
        userinfo: Some(json!({"sub": "alice", "_claim_sources": {"src1": {"JWT": CLAIMS_JWT}}})),
        steps: vec![authorization, token, userinfo],
        rotated: None,
        rotation: None,
        changes: None,
    }
}

const LEAKY_SECRETS: [&str; 8] = [
    ACCESS_TOKEN,
    ID_TOKEN,
    STATE,
    NONCE,
    ASSERTION,
    DEVICE_CODE,
    COOKIE,
    CLAIMS_JWT,
];

fn both_formats(result: &FlowResult, options: &ExportOptions) -> [(ExportFormat, String); 2] {
    [ExportFormat::Json, ExportFormat::Markdown].map(|f| (f, export_flow(result, f, options)))
}

fn assert_hides(export: &str, secrets: &[&str], format: ExportFormat) {
    for secret in secrets {
        assert!(
            !export.contains(secret),
            "{format:?} export shows {secret}:\n{export}"
        );
    }
}

#[test]
fn redacted_exports_show_no_secret_of_the_flow_only_fingerprints() {
    let result = leaky_result();
    for (format, export) in both_formats(&result, &redacted()) {
        assert_hides(&export, &LEAKY_SECRETS, format);
        for secret in LEAKY_SECRETS {
            assert!(
                export.contains(&marker(secret)),
                "{format:?} export lacks the fingerprint of {secret}:\n{export}"
            );
        }
        // The timeline's own redaction stays as it was.
        assert!(export.contains("[redacted]"), "{format:?}");
        // Fingerprints as the Vault view shows them, the refresh token's among them.
        assert!(export.contains("0123456789abcdef"), "{format:?}");
    }
}

#[test]
fn json_export_keeps_the_results_shape_and_says_how_it_was_made() {
    let result = leaky_result();
    let doc: Value =
        serde_json::from_str(&export_flow(&result, ExportFormat::Json, &redacted())).unwrap();
    assert_eq!(
        doc["exported_by"],
        format!("tokenscope {}", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(doc["redacted"], true);
    assert_eq!(doc["tokens"]["access_token"], marker(ACCESS_TOKEN));
    assert_eq!(doc["tokens"]["id_token"], marker(ID_TOKEN));
    assert_eq!(doc["tokens"]["token_type"], "Bearer");
    assert_eq!(doc["tokens"]["expires_in"], 600);
    assert_eq!(doc["steps"][0]["name"], "authorization");
    assert_eq!(doc["steps"][0]["response"]["body"]["state"], "(matched)");
    assert_eq!(
        doc["steps"][1]["request"]["params"][0]["value"],
        "authorization_code"
    );
    assert_eq!(
        doc["steps"][1]["exchanges"][0]["request_headers"][0]["value"],
        format!("Bearer {}", marker(ACCESS_TOKEN))
    );
    assert_eq!(doc["id_token_checks"][0]["name"], "nonce");
    assert_eq!(doc["userinfo"]["sub"], "alice");
}

#[test]
fn reveal_tokens_shows_the_tokens_and_says_so() {
    let result = leaky_result();
    for (format, export) in both_formats(&result, &revealed()) {
        assert!(export.contains(ACCESS_TOKEN), "{format:?}:\n{export}");
        assert!(export.contains(ID_TOKEN), "{format:?}:\n{export}");
        assert!(export.contains("[redacted]"), "{format:?}");
    }
    let doc: Value =
        serde_json::from_str(&export_flow(&result, ExportFormat::Json, &revealed())).unwrap();
    assert_eq!(doc["redacted"], false);
    assert_eq!(doc["tokens"]["access_token"], ACCESS_TOKEN);
    let markdown = export_flow(&result, ExportFormat::Markdown, &revealed());
    assert!(markdown.contains("do not share it"), "{markdown}");
}

/// The cells of a Markdown table row: split on the pipes GFM treats as delimiters.
fn cells(row: &str) -> usize {
    let mut count = 0usize;
    let mut escaped = false;
    for c in row.trim().chars() {
        match c {
            '\\' if !escaped => escaped = true,
            '|' if !escaped => count += 1,
            _ => escaped = false,
        }
    }
    count.saturating_sub(1)
}

#[test]
fn markdown_is_a_readable_report_that_server_strings_cannot_break() {
    let mut result = leaky_result();
    let hostile = "bad | value\nnext line \u{202e}gnp.exe <script>";
    result.steps[2].status = StepStatus::Failed;
    result.steps[2].error = Some(hostile.to_owned());
    result.steps[2].notes.push(hostile.to_owned());
    result.id_token_checks.push(Check {
        name: CheckName::Iss,
        status: CheckStatus::Fail,
        message: hostile.to_owned(),
        spec: "OIDC Core §3.1.3.7".to_owned(),
    });
    result.steps[0]
        .request
        .as_mut()
        .unwrap()
        .params
        .push(ExplainedParam::shown(
            "acr_values",
            "a|b\nc",
            "An extra parameter.",
            "OIDC Core §3.1.2.1",
        ));
    result.rotated = Some(true);
    result.rotation = Some(Rotation {
        previous_fingerprint: "1111111111111111".to_owned(),
        new_fingerprint: "2222222222222222".to_owned(),
    });
    let markdown = export_flow(&result, ExportFormat::Markdown, &redacted());

    for heading in [
        "# Tokenscope export: Authorization code flow",
        "## Steps",
        "## Tokens",
        "## 1. authorization",
        "## 2. token",
        "## 3. userinfo",
        "## ID token checks",
        "## Userinfo",
        "## Refresh token rotation",
    ] {
        assert!(markdown.contains(heading), "no {heading:?} in\n{markdown}");
    }
    assert!(markdown.contains("3 step(s): **failed**"), "{markdown}");
    assert!(
        markdown.contains("| 2 | token | ok | `POST https://idp.example/token` | 200 | 12 ms |"),
        "{markdown}"
    );
    assert!(
        markdown.contains("```json\n{\n  \"sub\": \"alice\""),
        "{markdown}"
    );
    assert!(markdown.contains("[sha256:1111111111111111]"), "{markdown}");
    assert!(markdown.contains("[sha256:2222222222222222]"), "{markdown}");

    // Hidden characters shown, never present; no raw HTML from the server.
    assert!(!markdown.contains('\u{202e}'));
    assert!(markdown.contains("⟨U+202E⟩gnp.exe"), "{markdown}");
    assert!(!markdown.contains("<script>"), "{markdown}");
    // Every row of every table has as many cells as its header.
    let mut columns = None;
    for line in markdown.lines() {
        if !line.starts_with('|') {
            columns = None;
            continue;
        }
        let n = cells(line);
        match columns {
            None => columns = Some(n),
            Some(expected) => assert_eq!(n, expected, "row {line:?} in\n{markdown}"),
        }
    }
    // The hostile text stays on the line it started on.
    let error_line = markdown
        .lines()
        .find(|l| l.starts_with("**Error**"))
        .unwrap();
    assert!(error_line.contains("next line"), "{error_line}");
    assert!(
        markdown.contains("| `acr_values` | `a\\|b⟨U+000A⟩c` |"),
        "{markdown}"
    );
}

#[test]
fn a_failed_flow_exports_its_steps_and_error_without_secrets() {
    let result = leaky_result();
    let steps = &result.steps[..2];
    let message = format!("the token endpoint refused the assertion {ASSERTION}");
    for format in [ExportFormat::Json, ExportFormat::Markdown] {
        let export = export_failure(steps, "oauth.error_response", &message, format, &redacted());
        assert_hides(&export, &LEAKY_SECRETS, format);
        assert!(export.contains("oauth.error_response"), "{format:?}");
        assert!(export.contains(&marker(ASSERTION)), "{format:?}");
        assert!(!export.contains("## Tokens"), "{format:?}");
    }
    let doc: Value = serde_json::from_str(&export_failure(
        steps,
        "oauth.error_response",
        &message,
        ExportFormat::Json,
        &redacted(),
    ))
    .unwrap();
    assert_eq!(doc["error"]["code"], "oauth.error_response");
    assert_eq!(doc["steps"].as_array().unwrap().len(), 2);
    assert!(doc.get("tokens").is_none());
    let markdown = export_failure(
        steps,
        "oauth.error_response",
        &message,
        ExportFormat::Markdown,
        &redacted(),
    );
    assert!(
        markdown.contains("# Tokenscope export: Authorization code flow (failed)"),
        "{markdown}"
    );
}

/// Hands the authorization URL to the test's browser thread.
struct UrlToBrowser(Mutex<Option<mpsc::Sender<String>>>);

impl FlowObserver for UrlToBrowser {
    fn authorization_url(&self, url: &AuthorizationUrl, _redirect_uri: &str) {
        if let Some(to_browser) = self.0.lock().unwrap().take() {
            let _ = to_browser.send(url.url.clone());
        }
    }
}

fn query_param(url: &str, name: &str) -> String {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("no {name} in {url}"))
}

#[test]
fn export_of_a_real_code_flow_holds_none_of_its_secrets() {
    let idp = Idp::start();
    let (to_browser, url_rx) = mpsc::channel();
    let observer = UrlToBrowser(Mutex::new(Some(to_browser)));
    let browser = thread::spawn(move || {
        let url = url_rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the flow hands over its authorization URL");
        let played = play_browser(&url, "alice", Consent::Approve);
        (url, played)
    });
    let http = HttpClient::new(HttpPolicy::default(), Arc::new(SystemClock));
    let cancel = CancellationToken::new();
    let ctx = FlowContext {
        http: &http,
        vault: None,
        cancel: &cancel,
        observer: &observer,
    };
    let settings = FlowSettings::for_issuer(&idp.issuer, &idp.clients.native);
    let options = CodeFlowOptions {
        redirect_timeout: Duration::from_secs(120),
    };
    let result = block_on(run_code_flow(&ctx, &settings, &options))
        .unwrap_or_else(|f| panic!("the flow failed: {} after {:#?}", f.error, f.steps));
    let (authorization_url, browser) = browser
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    assert_eq!(browser.listener_status, 200, "{}", browser.listener_body);

    let id_token = result.tokens.id_token.clone().expect("an ID token");
    let access_token = result.tokens.access_token.clone();
    let code = query_param(&browser.redirect_url, "code");
    let state = query_param(&browser.redirect_url, "state");
    let nonce = query_param(&authorization_url, "nonce");
    assert_eq!(state, query_param(&authorization_url, "state"));
    let secrets = [
        access_token.as_str(),
        id_token.as_str(),
        code.as_str(),
        state.as_str(),
        nonce.as_str(),
    ];
    assert!(
        result.tokens.refresh_token_fingerprint.is_some(),
        "offline_access brings a refresh token"
    );

    for (format, export) in both_formats(&result, &redacted()) {
        assert_hides(&export, &secrets, format);
        for value in [&access_token, &id_token, &state, &nonce] {
            assert!(
                export.contains(&marker(value)),
                "{format:?} export lacks the fingerprint of {value}:\n{export}"
            );
        }
        // The refresh token never reached the result: only its fingerprint is there.
        let refresh = result.tokens.refresh_token_fingerprint.as_deref().unwrap();
        assert!(export.contains(refresh), "{format:?}");
        for step in ["discovery", "authorization", "token", "jwks", "userinfo"] {
            assert!(export.contains(step), "{format:?} export lacks {step}");
        }
    }
    for (format, export) in both_formats(&result, &revealed()) {
        assert!(export.contains(&access_token), "{format:?}");
        assert!(export.contains(&id_token), "{format:?}");
        // What the timeline redacted at the source stays redacted.
        assert!(!export.contains(&code), "{format:?}");
    }
}
