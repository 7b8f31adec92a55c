//! The rest of the toolbox from the CLI, against the real OpenID Provider: client credentials,
//! the device grant (the test plays the person approving on another device), revocation,
//! introspection, and `tokenscope call` against real and scripted resource servers.

use std::io::{BufRead as _, BufReader, Read as _};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::flow::{
    add_profile, cli, one_off_code_flow, refresh_directly, reveal_refresh_token, run_flow,
    step_names, FLOW_TIMEOUT,
};
use crate::util::browser::{play_device, Consent};
use crate::util::idp::Idp;
use crate::util::keyring::{Keychain, Sandbox};
use crate::util::server::{Reply, TestServer};

fn json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is one JSON object ({e}): {} / {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn run_stdin(mut command: Command, input: &str) -> std::process::Output {
    use std::io::Write as _;
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn client_credentials(idp: &Idp, secret: &str, extra: &[&str]) -> std::process::Output {
    let mut command = cli();
    command.args([
        "flow",
        "client-credentials",
        "--issuer",
        &idp.issuer,
        "--client-id",
        &idp.clients.confidential,
        "--client-secret-stdin",
        "--json",
    ]);
    command.args(extra);
    run_stdin(command, secret)
}

#[test]
fn client_credentials_with_the_right_and_a_wrong_secret() {
    let idp = Idp::start();
    let secret = idp.clients.confidential_secret.clone();
    let out = client_credentials(&idp, &secret, &[]);
    let result = json(&out);
    assert_eq!(out.status.code(), Some(0), "{result}");
    assert_eq!(step_names(&result), ["discovery", "token"]);
    assert_eq!(result["tokens"]["token_type"], "Bearer");
    assert_eq!(result["tokens"]["refresh_token_stored"], false);
    // The provider issues a JWT for its API to this client: it verifies through discovery.
    let token = result["tokens"]["access_token"].as_str().unwrap();
    let verified = cli()
        .args(["verify", token, "--issuer", &idp.issuer, "--json"])
        .output()
        .unwrap();
    assert_eq!(
        verified.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&verified.stdout)
    );
    let grant = &result["steps"][1]["request"]["params"];
    assert!(
        grant
            .to_string()
            .contains(r#""value":"client_credentials""#),
        "{grant}"
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains(&secret));
    assert!(!String::from_utf8_lossy(&out.stderr).contains(&secret));

    // A wrong secret: invalid_client, named, exit 1; with no method fixed, the other one is
    // tried once (two token steps), with --auth-method only the one asked for.
    let out = client_credentials(&idp, "not-the-secret", &[]);
    let result = json(&out);
    assert_eq!(out.status.code(), Some(1), "{result}");
    assert_eq!(result["error"]["error"], "invalid_client");
    assert_eq!(step_names(&result), ["discovery", "token", "token"]);
    assert!(result["steps"][1]["notes"]
        .to_string()
        .contains("trying client_secret_post"));
    let out = client_credentials(
        &idp,
        "not-the-secret",
        &["--auth-method", "client_secret_post"],
    );
    let result = json(&out);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(step_names(&result), ["discovery", "token"]);
    let params = result["steps"][1]["request"]["params"].to_string();
    assert!(
        params.contains(r#""name":"client_secret","value":"[redacted]""#),
        "{params}"
    );
}

/// A provider that registered the client for client_secret_post only and refuses Basic: the
/// first method (basic, the metadata's first) is refused, the retry with post works, and the
/// step says which. (The test IdP accepts either method for its client, so this fault needs a
/// scripted server.)
#[test]
fn invalid_client_with_basic_is_retried_once_with_post_and_the_working_method_reported() {
    let metadata = r#"{"issuer":"{{base}}","token_endpoint":"{{base}}/token","token_endpoint_auth_methods_supported":["client_secret_basic","client_secret_post"]}"#;
    let server = TestServer::start([
        ("/.well-known/openid-configuration", Reply::json(metadata)),
        (
            "/token [authorization]",
            Reply::new(401, "application/json", r#"{"error":"invalid_client"}"#),
        ),
        (
            "/token",
            Reply::json(r#"{"access_token":"at-123","token_type":"Bearer","expires_in":60}"#)
                .header("cache-control", "no-store"),
        ),
    ]);
    let mut command = cli();
    command.args([
        "flow",
        "client-credentials",
        "--issuer",
        &server.base(),
        "--client-id",
        "svc",
        "--client-secret-stdin",
        "--json",
    ]);
    let out = run_stdin(command, "s3cret");
    let result = json(&out);
    assert_eq!(out.status.code(), Some(0), "{result}");
    assert_eq!(step_names(&result), ["discovery", "token", "token"]);
    assert_eq!(result["steps"][1]["status"], "retried");
    let notes = result["steps"][2]["notes"].to_string();
    assert!(
        notes.contains("client_secret_post worked after client_secret_basic was refused"),
        "{notes}"
    );
    let tokens: Vec<bool> = (server.requests().iter())
        .filter(|r| r.path == "/token")
        .map(|r| r.headers.iter().any(|(n, _)| n == "authorization"))
        .collect();
    assert_eq!(
        tokens,
        [true, false],
        "basic first, then post, nothing more"
    );
}

/// A `flow device` process and the prompt it printed.
struct Device {
    child: std::process::Child,
    verification_uri: String,
    user_code: String,
    complete: String,
    stderr: mpsc::Receiver<String>,
}

fn start_device(mut command: Command) -> Device {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (lines_tx, lines_rx) = mpsc::channel();
    let (rest_tx, rest_rx) = mpsc::channel();
    thread::spawn(move || {
        let mut all = String::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = lines_tx.send(line.clone());
            all.push_str(&line);
            all.push('\n');
        }
        let _ = rest_tx.send(all);
    });
    let visit = lines_rx
        .recv_timeout(Duration::from_secs(60))
        .expect("the device prompt");
    // Exactly the contract's line.
    let rest = visit
        .strip_prefix("Visit ")
        .unwrap_or_else(|| panic!("{visit:?}"));
    let (uri, code) = rest
        .split_once(" and enter code ")
        .unwrap_or_else(|| panic!("{visit:?}"));
    let complete = lines_rx.recv_timeout(Duration::from_secs(5)).unwrap();
    let complete = complete
        .strip_prefix("Or open ")
        .unwrap_or_else(|| panic!("{complete:?}"));
    Device {
        child,
        verification_uri: uri.to_owned(),
        user_code: code.to_owned(),
        complete: complete.to_owned(),
        stderr: rest_rx,
    }
}

impl Device {
    fn finish(mut self) -> (Value, Option<i32>, String) {
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
        let json = serde_json::from_slice(&stdout)
            .unwrap_or_else(|e| panic!("{e}: {} / {stderr}", String::from_utf8_lossy(&stdout)));
        (json, status.code(), stderr)
    }
}

#[test]
fn device_flow_approved_stores_the_refresh_token_and_never_polls_faster_than_the_interval() {
    let idp = Idp::start();
    let sandbox = Sandbox::new(Keychain::SecretService);
    add_profile(&sandbox, &idp, "tv");
    let mut command = sandbox.command();
    command.args([
        "flow",
        "device",
        "--profile",
        "tv",
        "--timeout",
        FLOW_TIMEOUT,
        "--json",
    ]);
    let started = Instant::now();
    let device = start_device(command);
    assert!(
        device.verification_uri.starts_with(&idp.issuer),
        "{}",
        device.verification_uri
    );
    assert!(
        device.complete.contains(&device.user_code.replace('-', ""))
            || device.complete.contains(&device.user_code)
    );
    let page = play_device(&device.complete, "alice", Consent::Approve);
    assert!(page.to_lowercase().contains("success"), "{page}");
    let (result, code, stderr) = device.finish();
    let elapsed = started.elapsed();
    assert_eq!(code, Some(0), "{result} {stderr}");
    assert_eq!(
        step_names(&result),
        [
            "discovery",
            "device_authorization",
            "device_poll",
            "jwks",
            "userinfo"
        ]
    );
    assert_eq!(result["userinfo"]["sub"], "alice");
    assert_eq!(result["tokens"]["refresh_token_stored"], true);
    assert!(sandbox.secret_tool_search().contains("tv/refresh_token"));
    // RFC 8628 §3.5: at least the interval (5 s when the server gives none) before each poll.
    let polls = result["steps"][2]["exchanges"].as_array().unwrap().len();
    assert!(polls >= 1);
    assert!(
        elapsed >= Duration::from_secs(5 * polls as u64),
        "{polls} polls in {elapsed:?}"
    );
    let device_code = result["steps"][1]["response"]["body"]["device_code"].clone();
    assert_eq!(device_code, "[redacted]");
}

#[test]
fn device_flow_denied_is_exit_1_with_access_denied() {
    let idp = Idp::start();
    let mut command = cli();
    command.args([
        "flow",
        "device",
        "--issuer",
        &idp.issuer,
        "--client-id",
        &idp.clients.native,
        "--scope",
        "openid",
        "--timeout",
        FLOW_TIMEOUT,
        "--json",
    ]);
    let device = start_device(command);
    play_device(&device.complete, "bob", Consent::Deny);
    let (result, code, stderr) = device.finish();
    assert_eq!(code, Some(1), "{result} {stderr}");
    assert_eq!(result["error"]["error"], "access_denied");
    assert_eq!(
        step_names(&result),
        ["discovery", "device_authorization", "device_poll"]
    );
}

#[test]
fn revoking_the_refresh_token_deletes_it_and_the_provider_then_refuses_it() {
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
    let (result, out, _) = run_flow(command, "alice", Consent::Approve);
    assert_eq!(out.status.code(), Some(0), "{result}");
    let refresh_token = reveal_refresh_token(&sandbox, "idp");

    let out = sandbox.tokenscope(&["flow", "revoke", "--profile", "idp", "--json"]);
    let revoked = json(&out);
    assert_eq!(out.status.code(), Some(0), "{revoked}");
    assert_eq!(revoked["token_type_hint"], "refresh_token");
    assert_eq!(revoked["keychain_entry_deleted"], true);
    assert_eq!(step_names(&revoked), ["discovery", "revocation"]);
    let params = revoked["steps"][1]["request"]["params"].to_string();
    assert!(
        params.contains(r#""name":"token","value":"[redacted]""#),
        "{params}"
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains(&refresh_token));
    assert!(!sandbox.secret_tool_search().contains("idp/refresh_token"));

    let (status, body) = refresh_directly(&idp, &refresh_token);
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_grant");
    // Nothing left to revoke or refresh.
    let out = sandbox.tokenscope(&["flow", "refresh", "--profile", "idp", "--json"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(json(&out)["error"]["code"], "oauth.no_refresh_token");
}

#[test]
fn introspection_says_active_then_inactive_after_revocation() {
    let idp = Idp::start();
    let sandbox = Sandbox::new(Keychain::SecretService);
    let secret = idp.clients.confidential_secret.clone();
    let out = sandbox.tokenscope_stdin(
        &[
            "profile",
            "add",
            "conf",
            "--issuer",
            &idp.issuer,
            "--client-id",
            &idp.clients.confidential,
            "--scope",
            "openid",
            "--client-secret-stdin",
        ],
        &secret,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut command = sandbox.command();
    command.args([
        "flow",
        "code",
        "--profile",
        "conf",
        "--no-browser",
        "--timeout",
        FLOW_TIMEOUT,
        "--json",
    ]);
    let (result, out, _) = run_flow(command, "alice", Consent::Approve);
    assert_eq!(out.status.code(), Some(0), "{result}");
    let access_token = result["tokens"]["access_token"]
        .as_str()
        .unwrap()
        .to_owned();

    let introspect = || {
        let out = sandbox.tokenscope(&[
            "flow",
            "introspect",
            "--profile",
            "conf",
            "--token",
            &access_token,
            "--json",
        ]);
        (json(&out), out.status.code())
    };
    let (active, code) = introspect();
    assert_eq!(code, Some(0), "{active}");
    assert_eq!(active["active"], true);
    let member = |result: &Value, name: &str| {
        result["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no {name} in {result}"))
    };
    assert_eq!(member(&active, "sub")["value"], "alice");
    assert_eq!(
        member(&active, "client_id")["value"],
        idp.clients.confidential.as_str()
    );
    assert!(member(&active, "exp")["rendered"]
        .as_str()
        .unwrap()
        .contains("in "));
    assert!(member(&active, "active")["meaning"]
        .as_str()
        .unwrap()
        .contains("usable"));

    // Revoke the access token (given on stdin), then introspection says inactive.
    let mut command = sandbox.command();
    command.args([
        "flow",
        "revoke",
        "--profile",
        "conf",
        "--token",
        "access",
        "--json",
    ]);
    let out = run_stdin(command, &access_token);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(json(&out)["keychain_entry_deleted"], false);
    let (inactive, code) = introspect();
    assert_eq!(code, Some(0));
    assert_eq!(inactive["active"], false, "{inactive}");
}

#[test]
fn calling_an_api_explains_200_401_and_403() {
    let idp = Idp::start();
    // A real resource server: the provider's userinfo endpoint, with a token from a code flow.
    let command = one_off_code_flow(
        &idp.issuer,
        &idp.clients.native,
        &["--scope", "openid", "--timeout", FLOW_TIMEOUT],
    );
    let (result, _, _) = run_flow(command, "alice", Consent::Approve);
    let token = result["tokens"]["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let userinfo = format!("{}/me", idp.issuer);

    let out = cli()
        .args(["call", &userinfo, "--token", &token, "--json"])
        .output()
        .unwrap();
    let ok = json(&out);
    assert_eq!(out.status.code(), Some(0), "{ok}");
    assert_eq!(ok["status"], 200);
    assert_eq!(ok["body"]["sub"], "alice");
    let sent = ok["steps"][0]["request"]["headers"].to_string();
    assert!(
        sent.contains(r#""name":"authorization","value":"[redacted]""#),
        "{sent}"
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains(&token));

    let out = cli()
        .args(["call", &userinfo, "--token", "not-a-token", "--json"])
        .output()
        .unwrap();
    let unauthorized = json(&out);
    assert_eq!(out.status.code(), Some(1), "{unauthorized}");
    assert_eq!(unauthorized["status"], 401);
    assert_eq!(unauthorized["challenge"]["error"], "invalid_token");
    assert!(unauthorized["explanation"]
        .as_str()
        .unwrap()
        .contains("invalid_token"));

    // 403 with insufficient_scope, and a plain 403, from a scripted API.
    let api = TestServer::start([
        (
            "/orders",
            Reply::new(403, "application/json", r#"{"message":"forbidden"}"#).header(
                "www-authenticate",
                r#"Bearer realm="shop", error="insufficient_scope", scope="orders:write""#,
            ),
        ),
        ("/admin", Reply::new(403, "text/plain", "no")),
    ]);
    let out = cli()
        .args([
            "call",
            &api.url("/orders"),
            "--token",
            &token,
            "--method",
            "post",
            "--data",
            r#"{"item":1}"#,
            "--json",
        ])
        .output()
        .unwrap();
    let forbidden = json(&out);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(forbidden["challenge"]["scope"], "orders:write");
    assert!(forbidden["explanation"]
        .as_str()
        .unwrap()
        .contains("\"orders:write\""));
    let seen = &api.requests()[0];
    assert!(seen
        .headers
        .iter()
        .any(|(n, v)| n == "authorization" && v == &format!("Bearer {token}")));
    assert!(seen
        .headers
        .iter()
        .any(|(n, v)| n == "content-type" && v == "application/json"));
    let out = cli()
        .args(["call", &api.url("/admin"), "--token", &token, "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(json(&out)["explanation"]
        .as_str()
        .unwrap()
        .contains("not a token problem"));

    // Unreachable: exit 2.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = cli()
        .args([
            "call",
            &format!("http://127.0.0.1:{port}/x"),
            "--token",
            "t",
            "--json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(json(&out)["error"]["code"], "http.connect");
}
