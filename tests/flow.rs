//! `tokenscope flow code` and `flow refresh` against the real OpenID Provider (panva's
//! oidc-provider, `tests/idp`), with the test playing the person at the browser
//! (`util::browser`) from the URL the CLI prints, and the refresh token checked in a private
//! Secret Service keychain from outside (`secret-tool`).

use std::io::{BufRead as _, BufReader, Read as _};
use std::net::TcpStream;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use serde_json::Value;

use crate::loopback::non_loopback_address;
use crate::util::browser::{play_browser, send_forged_redirect, Consent};
use crate::util::idp::Idp;
use crate::util::keyring::{Keychain, Sandbox};

const URL_LINE: &str = "Open this URL in a browser: ";
/// Long enough for the IdP's pages on a loaded machine; the flow's own redirect wait.
pub(crate) const FLOW_TIMEOUT: &str = "120";

/// A `flow code` process waiting for its redirect, and the authorization URL it printed.
pub(crate) struct Running {
    child: Child,
    pub(crate) url: String,
    /// The rest of stderr, after the URL line, collected by a thread.
    stderr: mpsc::Receiver<String>,
}

impl Running {
    /// Starts `command` (a `tokenscope flow code … --no-browser` invocation) and waits for its
    /// URL line.
    pub(crate) fn start(mut command: Command) -> Running {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("tokenscope runs");
        let stderr = child.stderr.take().unwrap();
        let (url_tx, url_rx) = mpsc::channel();
        let (rest_tx, rest_rx) = mpsc::channel();
        thread::spawn(move || {
            let mut all = String::new();
            let mut reader = BufReader::new(stderr);
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap_or(0) > 0 {
                if let Some(url) = line.strip_prefix(URL_LINE) {
                    let _ = url_tx.send(url.trim_end().to_owned());
                }
                all.push_str(&line);
                line.clear();
            }
            let _ = rest_tx.send(all);
        });
        let url = match url_rx.recv_timeout(Duration::from_secs(60)) {
            Ok(url) => url,
            Err(_) => {
                let _ = child.kill();
                let out = child.wait_with_output().unwrap();
                panic!(
                    "no URL line; stdout {} stderr {}",
                    String::from_utf8_lossy(&out.stdout),
                    rest_rx.recv().unwrap_or_default()
                );
            }
        };
        Running {
            child,
            url,
            stderr: rest_rx,
        }
    }

    /// The `redirect_uri` of the authorization URL.
    fn redirect_uri(&self) -> String {
        url::Url::parse(&self.url)
            .unwrap()
            .query_pairs()
            .find(|(k, _)| k == "redirect_uri")
            .map(|(_, v)| v.into_owned())
            .expect("a redirect_uri")
    }

    /// Waits for the process: its output, with all of stderr.
    pub(crate) fn finish(mut self) -> (Output, String) {
        let mut stdout = Vec::new();
        self.child
            .stdout
            .take()
            .unwrap()
            .read_to_end(&mut stdout)
            .unwrap();
        let status = self.child.wait().unwrap();
        let stderr = self
            .stderr
            .recv_timeout(Duration::from_secs(10))
            .unwrap_or_default();
        let output = Output {
            status,
            stdout,
            stderr: stderr.clone().into_bytes(),
        };
        (output, stderr)
    }
}

/// Runs a flow to its end with the browser played as `user` with `consent`.
pub(crate) fn run_flow(command: Command, user: &str, consent: Consent) -> (Value, Output, String) {
    let running = Running::start(command);
    let browser = play_browser(&running.url, user, consent);
    assert_eq!(
        browser.listener_status, 200,
        "the listener answers the redirect: {}",
        browser.listener_body
    );
    assert!(
        !browser.listener_body.contains("<script"),
        "the page has no script"
    );
    let (out, stderr) = running.finish();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is one JSON object ({e}): {} / stderr {stderr}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    (json, out, stderr)
}

pub(crate) fn cli() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tokenscope"))
}

/// `flow code` for a one-off public client, the URL on stderr (the test plays the browser),
/// JSON out; `extra` adds options.
pub(crate) fn one_off_code_flow(issuer: &str, client_id: &str, extra: &[&str]) -> Command {
    let mut command = cli();
    command.args(["flow", "code", "--issuer", issuer, "--client-id", client_id]);
    command.args(["--no-browser", "--json"]).args(extra);
    command
}

pub(crate) fn step_names(result: &Value) -> Vec<&str> {
    result["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect()
}

fn check_status<'a>(result: &'a Value, name: &str) -> &'a str {
    result["id_token_checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no {name} check in {result}"))["status"]
        .as_str()
        .unwrap()
}

/// A profile for the IdP's public client, added through the CLI.
pub(crate) fn add_profile(sandbox: &Sandbox, idp: &Idp, name: &str) {
    let out = sandbox.tokenscope(&[
        "profile",
        "add",
        name,
        "--issuer",
        &idp.issuer,
        "--client-id",
        &idp.clients.native,
        "--scope",
        "openid profile offline_access",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

pub(crate) fn reveal_refresh_token(sandbox: &Sandbox, profile: &str) -> String {
    let out = sandbox.tokenscope(&["vault", "reveal", profile, "refresh_token"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// POSTs a refresh grant to the IdP directly: its status and body.
pub(crate) fn refresh_directly(idp: &Idp, refresh_token: &str) -> (u16, Value) {
    let body = format!(
        "grant_type=refresh_token&client_id={}&refresh_token={}",
        idp.clients.native, refresh_token
    );
    let out = Command::new("curl")
        .args([
            "-s",
            "-w",
            "\n%{http_code}",
            "-X",
            "POST",
            "-H",
            "content-type: application/x-www-form-urlencoded",
            "--data",
            &body,
            &format!("{}/token", idp.issuer),
        ])
        .output()
        .expect("curl is installed");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (json, status) = text.rsplit_once('\n').unwrap();
    (status.parse().unwrap(), serde_json::from_str(json).unwrap())
}

#[test]
fn code_flow_with_a_profile_stores_the_refresh_token_and_refresh_rotates_it() {
    let idp = Idp::start();
    let sandbox = Sandbox::new(Keychain::SecretService);
    add_profile(&sandbox, &idp, "idp");

    let mut command = sandbox.command();
    command.args([
        "flow",
        "code",
        "--profile",
        "idp",
        "--no-browser",
        "--timeout",
        FLOW_TIMEOUT,
        "--json",
    ]);
    let (result, out, stderr) = run_flow(command, "alice", Consent::Approve);
    assert_eq!(out.status.code(), Some(0), "{result} {stderr}");

    // The contract's shape.
    let tokens = &result["tokens"];
    for member in [
        "access_token",
        "token_type",
        "expires_in",
        "scope",
        "id_token",
    ] {
        assert!(tokens.get(member).is_some(), "tokens.{member} in {tokens}");
    }
    assert_eq!(tokens["refresh_token_stored"], true);
    assert!(tokens.get("refresh_token").is_none());
    assert_eq!(tokens["token_type"], "Bearer");
    assert!(tokens["scope"].as_str().unwrap().contains("offline_access"));
    assert_eq!(
        step_names(&result),
        ["discovery", "authorization", "token", "jwks", "userinfo"]
    );
    for step in result["steps"].as_array().unwrap() {
        assert_eq!(step["status"], "ok", "{step}");
        assert!(step["request"].is_object() && step["response"].is_object());
    }
    for check in ["signature", "iss", "aud", "exp", "iat", "nonce", "sub"] {
        assert_eq!(check_status(&result, check), "pass", "{check}");
    }
    assert_eq!(result["userinfo"]["sub"], "alice");
    assert_eq!(result["userinfo"]["name"], "Test user alice");
    // PKCE S256 and prompt=consent (offline_access) went out in the authorization request.
    let auth = &result["steps"][1]["request"]["params"];
    let param = |name: &str| {
        auth.as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .map(|p| p["value"].as_str().unwrap().to_owned())
    };
    assert_eq!(param("code_challenge_method").as_deref(), Some("S256"));
    assert_eq!(param("prompt").as_deref(), Some("consent"));
    // The token request's secrets are redacted in the timeline.
    let token_params = result["steps"][2]["request"]["params"].to_string();
    assert!(token_params.contains(r#""name":"code_verifier","value":"[redacted]""#));
    assert!(token_params.contains(r#""name":"code","value":"[redacted]""#));

    // The refresh token is in the keychain, under the documented account, and nowhere in the
    // output.
    let listed = sandbox.secret_tool_search();
    assert!(listed.contains("idp/refresh_token"), "{listed}");
    let first = reveal_refresh_token(&sandbox, "idp");
    assert!(first.len() > 20);
    let printed = format!("{}{stderr}", String::from_utf8_lossy(&out.stdout));
    assert!(!printed.contains(&first), "the refresh token was printed");

    // Refresh: rotated, the keychain holds the new one.
    let out = sandbox.tokenscope(&["flow", "refresh", "--profile", "idp", "--json"]);
    let refreshed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{refreshed} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(refreshed["rotated"], true);
    let rotation = &refreshed["rotation"];
    assert_ne!(
        rotation["previous_fingerprint"],
        rotation["new_fingerprint"]
    );
    assert_eq!(refreshed["tokens"]["refresh_token_stored"], true);
    assert!(step_names(&refreshed).contains(&"refresh"));
    assert_eq!(check_status(&refreshed, "signature"), "pass");
    let second = reveal_refresh_token(&sandbox, "idp");
    assert_ne!(first, second);
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(!printed.contains(&second) && !printed.contains(&first));
    let listed = sandbox.secret_tool_search();
    assert!(
        listed.contains(rotation["new_fingerprint"].as_str().unwrap()),
        "{listed}"
    );

    // The provider rejects the rotated-out token (and, RFC 9700 §4.14, revokes the family).
    let (status, body) = refresh_directly(&idp, &first);
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_grant");

    // So the stored one is now dead too: invalid_grant, exit 1, the entry deleted.
    let out = sandbox.tokenscope(&["flow", "refresh", "--profile", "idp", "--json"]);
    let failed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{failed}");
    assert_eq!(failed["error"]["error"], "invalid_grant");
    assert_eq!(failed["refresh_token_deleted"], true);
    assert!(!sandbox.secret_tool_search().contains("idp/refresh_token"));
    let out = sandbox.tokenscope(&["flow", "refresh", "--profile", "idp", "--json"]);
    assert_eq!(out.status.code(), Some(2));
    let none: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(none["error"]["code"], "oauth.no_refresh_token");
}

#[test]
fn a_forged_redirect_with_the_wrong_state_is_refused_and_the_flow_keeps_waiting() {
    let idp = Idp::start();
    let command = one_off_code_flow(
        &idp.issuer,
        &idp.clients.native_es256,
        &["--scope", "openid", "--timeout", FLOW_TIMEOUT],
    );
    let running = Running::start(command);
    let (status, page) = send_forged_redirect(&running.redirect_uri(), "code=forged&state=wrong");
    assert_eq!(status, 400, "{page}");
    // The listener is on loopback only.
    if let Some(ip) = non_loopback_address() {
        let port = url::Url::parse(&running.redirect_uri())
            .unwrap()
            .port()
            .unwrap();
        let probe = TcpStream::connect_timeout(&(ip, port).into(), Duration::from_secs(3));
        assert!(probe.is_err(), "the listener answered on {ip}:{port}");
    }
    let browser = play_browser(&running.url, "bob", Consent::Approve);
    assert_eq!(browser.listener_status, 200);
    let (out, stderr) = running.finish();
    let result: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{result} {stderr}");
    // ES256 ID tokens verify through the JWKS too, and nothing is stored without a profile.
    assert_eq!(check_status(&result, "signature"), "pass");
    assert!(
        result["id_token_checks"].to_string().contains("EC"),
        "{result}"
    );
    assert_eq!(result["tokens"]["refresh_token_stored"], false);
    assert_eq!(result["userinfo"]["sub"], "bob");
    let notes = result["steps"][1]["notes"].to_string();
    assert!(notes.contains("refused"), "{notes}");
}

#[test]
fn access_denied_ends_the_flow_with_exit_1_and_the_error_named() {
    let idp = Idp::start();
    let command = one_off_code_flow(
        &idp.issuer,
        &idp.clients.native,
        &["--timeout", FLOW_TIMEOUT],
    );
    let (result, out, stderr) = run_flow(command, "alice", Consent::Deny);
    assert_eq!(out.status.code(), Some(1), "{result}");
    assert_eq!(result["error"]["error"], "access_denied");
    assert_eq!(result["error"]["code"], "oauth.error_response");
    assert!(result["error"]["hint"].is_string(), "{result}");
    assert!(stderr.contains("access_denied"), "{stderr}");
    assert_eq!(step_names(&result), ["discovery", "authorization"]);
    assert_eq!(result["steps"][1]["status"], "failed");
}

#[test]
fn no_redirect_within_the_timeout_is_exit_2() {
    let idp = Idp::start();
    let command = one_off_code_flow(&idp.issuer, &idp.clients.native, &["--timeout", "1"]);
    let running = Running::start(command);
    let (out, stderr) = running.finish();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let result: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(result["error"]["code"], "oauth.redirect_timeout");
    assert_eq!(result["steps"][1]["status"], "failed");
}

#[test]
fn an_unreachable_issuer_is_exit_2_before_any_listener() {
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = one_off_code_flow(&format!("http://127.0.0.1:{port}"), "x", &[])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let result: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(result["error"]["code"], "http.connect", "{result}");
    assert_eq!(step_names(&result), ["discovery"]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains(URL_LINE));
}

#[test]
fn a_profile_flow_without_a_keychain_fails_before_the_browser() {
    let idp = Idp::start();
    let sandbox = Sandbox::new(Keychain::BusOnly);
    add_profile(&sandbox, &idp, "idp");
    let out = sandbox.tokenscope(&["flow", "code", "--profile", "idp", "--no-browser", "--json"]);
    assert_eq!(out.status.code(), Some(2));
    let result: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(result["error"]["code"], "vault.unavailable", "{result}");
    assert!(!String::from_utf8_lossy(&out.stderr).contains(URL_LINE));
}

#[test]
fn usage_errors_are_exit_2() {
    for args in [
        &["flow", "code", "--json"][..],
        &["flow", "code", "--issuer", "https://example.com", "--json"],
        &[
            "flow",
            "code",
            "--profile",
            "p",
            "--issuer",
            "https://example.com",
            "--json",
        ],
        &["flow", "code", "--profile", "p", "--timeout", "0", "--json"],
        &["flow", "refresh", "--json"],
    ] {
        let out = cli().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["error"]["code"], "cli.usage", "{args:?}");
    }
}

#[test]
fn a_confidential_client_authenticates_with_its_secret_from_the_keychain() {
    let idp = Idp::start();
    let sandbox = Sandbox::new(Keychain::SecretService);
    let secret = idp.clients.confidential_secret.clone();
    let wrong = "not-the-secret".to_owned();
    for (name, method, secret) in [
        ("basic", "client_secret_basic", &secret),
        ("post", "client_secret_post", &secret),
        ("wrong", "client_secret_basic", &wrong),
    ] {
        let out = sandbox.tokenscope_stdin(
            &[
                "profile",
                "add",
                name,
                "--issuer",
                &idp.issuer,
                "--client-id",
                &idp.clients.confidential,
                "--scope",
                "openid",
                "--client-auth",
                method,
                "--client-secret-stdin",
            ],
            secret,
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let flow = |profile: &str, consent| {
        let mut command = sandbox.command();
        command.args([
            "flow",
            "code",
            "--profile",
            profile,
            "--no-browser",
            "--timeout",
            FLOW_TIMEOUT,
            "--json",
        ]);
        run_flow(command, "alice", consent)
    };

    // client_secret_basic, as registered: the secret travels in the Authorization header, shown
    // redacted, never in the form.
    let (result, out, stderr) = flow("basic", Consent::Approve);
    assert_eq!(out.status.code(), Some(0), "{result} {stderr}");
    let token = &result["steps"][2];
    assert_eq!(token["name"], "token");
    let headers = token["request"]["headers"].to_string();
    assert!(
        headers.contains(r#""name":"authorization","value":"[redacted]""#),
        "{headers}"
    );
    let printed = format!("{}{stderr}", String::from_utf8_lossy(&out.stdout));
    assert!(!printed.contains(&secret), "the client secret was printed");
    assert!(!token["request"]["params"]
        .to_string()
        .contains("client_secret"));

    // client_secret_post: the secret in the form, redacted in the timeline.
    let (result, out, _) = flow("post", Consent::Approve);
    assert_eq!(out.status.code(), Some(0), "{result}");
    let params = result["steps"][2]["request"]["params"].to_string();
    assert!(
        params.contains(r#""name":"client_secret","value":"[redacted]""#),
        "{params}"
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains(&secret));

    // A wrong secret: invalid_client, exit 1, named with what usually causes it.
    let (result, out, _) = flow("wrong", Consent::Approve);
    assert_eq!(out.status.code(), Some(1), "{result}");
    assert_eq!(result["error"]["error"], "invalid_client");
    assert!(result["error"]["hint"].as_str().unwrap().contains("secret"));
    // The profile's method was not fixed for this call: the other one was tried once.
    assert_eq!(
        step_names(&result),
        ["discovery", "authorization", "token", "token"]
    );
    assert_eq!(result["steps"][2]["status"], "retried");
    assert_eq!(result["steps"][3]["status"], "failed");
}
