//! The practice issuer (`tokenscope practice-issuer`) as a real provider: Tokenscope's own CLI
//! flows against it for every grant, each lesson producing exactly the failure it teaches and no
//! other, the endpoints' refusals and bounds, and an independent relying party (panva's
//! openid-client, `tests/interop-rp`) agreeing that it speaks the protocol.

use std::io::{BufRead as _, BufReader, Read as _};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use serde_json::Value;

use crate::flow::{cli, step_names, Running};
use crate::util::keyring::{Keychain, Sandbox};

/// A `tokenscope practice-issuer` process; killed on drop.
struct Practice {
    child: Child,
    /// The first line of its stdout: `http://127.0.0.1:<port>`.
    issuer: String,
}

impl Practice {
    /// With `--auto-approve alice` and the given extra arguments.
    fn start(extra: &[&str]) -> Practice {
        let mut args = vec!["--auto-approve", "alice"];
        args.extend_from_slice(extra);
        Practice::start_with(&args)
    }

    fn start_with(args: &[&str]) -> Practice {
        let mut child = cli()
            .arg("practice-issuer")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("tokenscope runs");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            let _ = tx.send(line);
            // Keep reading so the process never blocks on a full pipe.
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
        });
        let line = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                panic!("the practice issuer printed no URL line within 60 s");
            }
        };
        let issuer = line.trim_end_matches('\n').to_owned();
        Practice { child, issuer }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.issuer)
    }
}

impl Drop for Practice {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A plain HTTP exchange through curl, redirects never followed.
struct Http {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Http {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", self.status, self.body))
    }
}

fn curl(args: &[&str]) -> Http {
    let out = Command::new("curl")
        .args(["-s", "-i", "--max-time", "30"])
        .args(args)
        .output()
        .expect("curl is installed");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (head, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no HTTP response from curl {args:?}: {text}"));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line: {head}"));
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Http {
        status,
        headers,
        body: body.to_owned(),
    }
}

fn get(url: &str) -> Http {
    curl(&[url])
}

fn post_form(url: &str, form: &str, extra: &[&str]) -> Http {
    let mut args = vec![
        "-X",
        "POST",
        "-H",
        "content-type: application/x-www-form-urlencoded",
        "--data",
        form,
    ];
    args.extend_from_slice(extra);
    args.push(url);
    curl(&args)
}

fn stdout_json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is one JSON object ({e}): {} / {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// The `name` query parameter of `url`.
fn query_param(url: &str, name: &str) -> Option<String> {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// What a code flow against the practice issuer came to.
struct CodeFlow {
    result: Value,
    exit: Option<i32>,
    stderr: String,
    /// The issuer's answer to the authorization URL, and the listener's to its Location.
    authorization: Http,
    listener: Option<Http>,
}

/// Runs `command` (a `flow code … --no-browser --json`), playing the browser: GET the printed
/// URL without following the redirect, then GET its Location, which is the CLI's listener.
fn play_code_flow(command: Command) -> CodeFlow {
    let running = Running::start(command);
    let authorization = get(&running.url);
    let listener = authorization.header("location").map(get);
    let (out, stderr) = running.finish();
    CodeFlow {
        result: stdout_json(&out),
        exit: out.status.code(),
        stderr,
        authorization,
        listener,
    }
}

fn code_flow_command(issuer: &str, timeout: &str) -> Command {
    let mut command = cli();
    command.args([
        "flow",
        "code",
        "--issuer",
        issuer,
        "--client-id",
        "practice-native",
        "--no-browser",
        "--timeout",
        timeout,
        "--json",
    ]);
    command
}

fn code_flow(issuer: &str) -> CodeFlow {
    play_code_flow(code_flow_command(issuer, "60"))
}

/// The names of the ID token checks with `status`.
fn checks_with(result: &Value, status: &str) -> Vec<String> {
    result["id_token_checks"]
        .as_array()
        .unwrap_or_else(|| panic!("no id_token_checks in {result}"))
        .iter()
        .filter(|c| c["status"] == status)
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect()
}

fn check<'a>(result: &'a Value, name: &str) -> &'a Value {
    result["id_token_checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no {name} check in {result}"))
}

fn step<'a>(result: &'a Value, name: &str) -> &'a Value {
    result["steps"]
        .as_array()
        .unwrap_or_else(|| panic!("no steps in {result}"))
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no {name} step in {result}"))
}

// ------------------------------------------------------------------------------------------
// The command

#[test]
fn the_first_line_is_the_issuer_url_alone_and_lessons_list_one_a_line() {
    let practice = Practice::start(&[]);
    let port = practice
        .issuer
        .strip_prefix("http://127.0.0.1:")
        .unwrap_or_else(|| panic!("{:?}", practice.issuer));
    assert!(port.parse::<u16>().is_ok(), "{:?}", practice.issuer);

    let out = cli()
        .args(["practice-issuer", "--list-lessons"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let names: Vec<&str> = text
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "expired-id-token",
            "nbf-future",
            "wrong-audience",
            "wrong-issuer",
            "alg-none",
            "alg-confusion",
            "missing-kid",
            "unknown-key",
            "wrong-nonce",
            "wrong-at-hash",
            "csrf-state",
            "code-replay",
            "refresh-reuse",
            "slow-token",
            "token-500",
            "issuer-mismatch"
        ]
    );

    for bad in [
        &["--lesson", "no-such-lesson"][..],
        &["--auto-approve", "mallory"],
        &["--alg", "HS256"],
    ] {
        let out = cli().arg("practice-issuer").args(bad).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        assert!(out.stdout.is_empty(), "no URL line for {bad:?}");
    }
}

#[cfg(unix)]
#[test]
fn sigterm_and_sigint_stop_it() {
    for signal in ["-TERM", "-INT"] {
        let mut practice = Practice::start(&[]);
        let pid = practice.child.id().to_string();
        assert!(Command::new("kill")
            .args([signal, &pid])
            .status()
            .unwrap()
            .success());
        let mut stopped = None;
        for _ in 0..100 {
            if let Some(status) = practice.child.try_wait().unwrap() {
                stopped = Some(status);
                break;
            }
            thread::sleep(Duration::from_millis(50));
        }
        let status = stopped.unwrap_or_else(|| panic!("still running 5 s after kill {signal}"));
        assert_eq!(status.code(), Some(0), "{signal}");
    }
}

// ------------------------------------------------------------------------------------------
// The provider, as Tokenscope sees it

#[test]
fn discover_reports_no_error_finding_for_oidc_and_rfc_8414_metadata() {
    let practice = Practice::start(&[]);
    for extra in [&[][..], &["--oauth"]] {
        let out = cli()
            .args(["discover", &practice.issuer, "--json"])
            .args(extra)
            .output()
            .unwrap();
        let report = stdout_json(&out);
        assert_eq!(out.status.code(), Some(0), "{report}");
        let severe: Vec<&Value> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["severity"] != "info")
            .collect();
        assert!(severe.is_empty(), "{extra:?}: {severe:?}");
    }
    let metadata = get(&practice.url("/.well-known/openid-configuration")).json();
    assert_eq!(metadata["issuer"], practice.issuer);
    assert_eq!(
        metadata["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    assert_eq!(
        metadata["authorization_response_iss_parameter_supported"],
        true
    );
    for method in ["none", "client_secret_basic", "client_secret_post"] {
        assert!(
            metadata["token_endpoint_auth_methods_supported"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m == method),
            "{method}"
        );
    }
    let jwks = get(&practice.url("/jwks")).json();
    let kinds: Vec<(&str, &str)> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| (k["kty"].as_str().unwrap(), k["alg"].as_str().unwrap()))
        .collect();
    assert_eq!(kinds, [("RSA", "RS256"), ("EC", "ES256"), ("OKP", "EdDSA")]);
    for key in jwks["keys"].as_array().unwrap() {
        assert_eq!(
            key["kid"].as_str().unwrap().len(),
            43,
            "a SHA-256 thumbprint"
        );
        assert!(key.get("d").is_none());
    }
}

#[test]
fn the_code_flow_passes_every_check_and_the_redirect_carries_iss() {
    let practice = Practice::start(&[]);
    let flow = code_flow(&practice.issuer);
    assert_eq!(flow.exit, Some(0), "{} {}", flow.result, flow.stderr);
    assert_eq!(
        step_names(&flow.result),
        ["discovery", "authorization", "token", "jwks", "userinfo"]
    );
    assert_eq!(checks_with(&flow.result, "fail"), Vec::<String>::new());
    for name in ["signature", "iss", "aud", "exp", "nonce", "at_hash"] {
        assert_eq!(check(&flow.result, name)["status"], "pass", "{name}");
    }
    assert_eq!(flow.result["userinfo"]["sub"], "alice");
    // RFC 9207: the authorization response names the issuer.
    let location = flow.authorization.header("location").unwrap();
    assert_eq!(flow.authorization.status, 302);
    assert_eq!(
        query_param(location, "iss").as_deref(),
        Some(practice.issuer.as_str())
    );
    assert_eq!(flow.listener.as_ref().unwrap().status, 200);
    // The access token is an RFC 9068 JWT.
    let access = flow.result["tokens"]["access_token"].as_str().unwrap();
    let out = cli().args(["decode", access, "--json"]).output().unwrap();
    let decoded = stdout_json(&out);
    assert_eq!(decoded["header"]["typ"], "at+jwt", "{decoded}");
}

#[test]
fn client_credentials_with_practice_service_and_a_wrong_secret() {
    let practice = Practice::start(&[]);
    let run = |secret: &str, method: &str| {
        crate::util::tokenscope_stdin(
            &[
                "flow",
                "client-credentials",
                "--issuer",
                &practice.issuer,
                "--client-id",
                "practice-service",
                "--client-secret-stdin",
                "--auth-method",
                method,
                "--scope",
                "api:read",
                "--json",
            ],
            secret,
        )
    };
    for method in ["client_secret_basic", "client_secret_post"] {
        let out = run("practice-service-secret", method);
        let result = stdout_json(&out);
        assert_eq!(out.status.code(), Some(0), "{method}: {result}");
        assert_eq!(result["tokens"]["scope"], "api:read", "{result}");
        let token = step(&result, "token");
        // RFC 6749 §5.1: token responses are never cached.
        let no_store = token["response"]["headers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["name"] == "cache-control" && h["value"] == "no-store");
        assert!(no_store, "{token}");
    }
    let out = run("wrong", "client_secret_basic");
    let result = stdout_json(&out);
    assert_eq!(out.status.code(), Some(1), "{result}");
    assert!(result.to_string().contains("invalid_client"), "{result}");
}

#[test]
fn the_device_flow_is_approved_on_the_verification_page() {
    let practice = Practice::start(&[]);
    let mut child = cli()
        .args([
            "flow",
            "device",
            "--issuer",
            &practice.issuer,
            "--client-id",
            "practice-native",
            "--timeout",
            "60",
            "--json",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let complete = loop {
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the device prompt");
        if let Some(url) = line.strip_prefix("Or open ") {
            break url.to_owned();
        }
    };
    assert!(complete.starts_with(&practice.url("/device?user_code=")));
    let page = get(&complete);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Device connected"), "{}", page.body);
    let mut stdout = Vec::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_end(&mut stdout)
        .unwrap();
    let status = child.wait().unwrap();
    let result: Value = serde_json::from_slice(&stdout).unwrap();
    assert_eq!(status.code(), Some(0), "{result}");
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
    assert_eq!(
        checks_with(&result, "fail"),
        Vec::<String>::new(),
        "{result}"
    );
    assert_eq!(result["userinfo"]["sub"], "alice", "{result}");
}

/// A profile for `practice-native` in `sandbox`.
fn add_profile(sandbox: &Sandbox, issuer: &str, name: &str) {
    let out = sandbox.tokenscope(&[
        "profile",
        "add",
        name,
        "--issuer",
        issuer,
        "--client-id",
        "practice-native",
        "--scope",
        "openid profile offline_access",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn profile_code_flow(sandbox: &Sandbox, profile: &str) -> CodeFlow {
    let mut command = sandbox.command();
    command.args([
        "flow",
        "code",
        "--profile",
        profile,
        "--no-browser",
        "--timeout",
        "60",
        "--json",
    ]);
    play_code_flow(command)
}

#[test]
fn refresh_introspection_and_revocation_through_a_profile() {
    let practice = Practice::start(&[]);
    let sandbox = Sandbox::new(Keychain::SecretService);
    add_profile(&sandbox, &practice.issuer, "practice");
    let flow = profile_code_flow(&sandbox, "practice");
    assert_eq!(flow.exit, Some(0), "{} {}", flow.result, flow.stderr);
    assert_eq!(flow.result["tokens"]["refresh_token_stored"], true);

    let out = sandbox.tokenscope(&["flow", "refresh", "--profile", "practice", "--json"]);
    let refreshed = stdout_json(&out);
    assert_eq!(out.status.code(), Some(0), "{refreshed}");
    assert_eq!(refreshed["rotated"], true, "{refreshed}");
    let access = refreshed["tokens"]["access_token"]
        .as_str()
        .unwrap()
        .to_owned();

    let introspect = || {
        let out = sandbox.tokenscope_stdin(
            &[
                "flow",
                "introspect",
                "--profile",
                "practice",
                "--token",
                "-",
                "--json",
            ],
            &access,
        );
        let result = stdout_json(&out);
        assert_eq!(out.status.code(), Some(0), "{result}");
        result
    };
    let active = introspect();
    assert!(active.to_string().contains("\"active\":true"), "{active}");

    let out = sandbox.tokenscope(&["flow", "revoke", "--profile", "practice", "--json"]);
    let revoked = stdout_json(&out);
    assert_eq!(out.status.code(), Some(0), "{revoked}");
    // RFC 7009 §2.1: the refresh token took its grant's access tokens with it.
    let inactive = introspect();
    assert!(
        inactive.to_string().contains("\"active\":false"),
        "{inactive}"
    );
}

// ------------------------------------------------------------------------------------------
// Endpoints: refusals, errors, bounds

#[test]
fn a_bad_client_or_redirect_gets_an_error_page_never_a_redirect() {
    let practice = Practice::start(&[]);
    let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    let base = |client: &str, redirect: &str| {
        practice.url(&format!(
            "/authorize?response_type=code&client_id={client}&redirect_uri={redirect}&scope=openid&state=s1&code_challenge={challenge}&code_challenge_method=S256"
        ))
    };
    for url in [
        base("nobody", "http%3A%2F%2F127.0.0.1%3A5000%2Fcallback"),
        base("practice-native", "http%3A%2F%2Fevil.example%2Fcallback"),
        base("practice-native", "http%3A%2F%2F127.0.0.1%3A5000%2Fother"),
        base(
            "practice-service",
            "http%3A%2F%2F127.0.0.1%3A5000%2Fcallback",
        ),
    ] {
        let page = get(&url);
        assert_eq!(page.status, 400, "{url}");
        assert!(page.header("location").is_none(), "{url}");
        assert!(!page.body.contains("<script"), "{url}");
    }
    // A known client and redirect: errors go back by redirect, with state and iss.
    let no_pkce = practice.url(
        "/authorize?response_type=code&client_id=practice-native&redirect_uri=http%3A%2F%2F127.0.0.1%3A5000%2Fcallback&scope=openid&state=s1",
    );
    let answer = get(&no_pkce);
    let location = answer.header("location").expect("a redirect");
    assert_eq!(
        query_param(location, "error").as_deref(),
        Some("invalid_request")
    );
    assert_eq!(query_param(location, "state").as_deref(), Some("s1"));
    assert_eq!(
        query_param(location, "iss").as_deref(),
        Some(practice.issuer.as_str())
    );
}

#[test]
fn userinfo_refuses_a_bad_token_with_a_bearer_challenge() {
    let practice = Practice::start(&[]);
    let answer = curl(&[
        "-H",
        "authorization: Bearer not-a-token",
        &practice.url("/userinfo"),
    ]);
    assert_eq!(answer.status, 401);
    let challenge = answer.header("www-authenticate").unwrap();
    assert!(
        challenge.starts_with("Bearer ") && challenge.contains("error=\"invalid_token\""),
        "{challenge}"
    );
}

#[test]
fn a_flood_of_authorization_requests_evicts_the_oldest_pending_login() {
    // Without --auto-approve, each request waits for a login in memory.
    let practice = Practice::start_with(&[]);
    let url = practice.url(
        "/authorize?response_type=code&client_id=practice-native&redirect_uri=http%3A%2F%2F127.0.0.1%3A5000%2Fcallback&scope=openid&state=s&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256",
    );
    let interaction_of = |page: &Http| {
        let at = page.body.find("name=\"interaction\" value=\"").unwrap();
        let rest = &page.body[at + 26..];
        rest[..rest.find('"').unwrap()].to_owned()
    };
    let first = interaction_of(&get(&url));
    // A login for the first request works while it is pending.
    let login = |interaction: &str| {
        post_form(
            &practice.url("/login"),
            &format!("interaction={interaction}&username=bob&password=bob"),
            &[],
        )
    };
    let second = interaction_of(&get(&url));
    assert!(login(&second).body.contains("Allow access?"));
    // One curl per request is slow: many URLs per curl invocation.
    // `-o` names the output of one URL only: each URL gets its own, or curl prints the pages.
    let mut args: Vec<String> = vec!["-s".into()];
    for _ in 0..300 {
        args.extend(["-o".into(), "/dev/null".into(), url.clone()]);
    }
    let status = Command::new("curl").args(&args).status().unwrap();
    assert!(status.success());
    let evicted = login(&first);
    assert!(
        evicted.body.contains("Sign-in expired"),
        "the oldest pending login was dropped: {}",
        evicted.body
    );
    // And the issuer still serves new ones.
    let fresh = interaction_of(&get(&url));
    assert!(login(&fresh).body.contains("Allow access?"));
}

// ------------------------------------------------------------------------------------------
// Lessons: each produces exactly the failure it teaches

/// Runs the code flow under `lesson`: exit 1 and exactly `failing` ID token checks fail.
fn lesson_fails_checks(lesson: &str, failing: &[&str]) -> Value {
    let practice = Practice::start(&["--lesson", lesson]);
    let flow = code_flow(&practice.issuer);
    assert_eq!(
        flow.exit,
        Some(1),
        "{lesson}: {} {}",
        flow.result,
        flow.stderr
    );
    assert_eq!(
        checks_with(&flow.result, "fail"),
        failing,
        "{lesson}: {}",
        flow.result
    );
    flow.result
}

/// Every step ok but `failed`, which failed: the lesson's error and nothing else.
fn only_step_failing(result: &Value, failed: &str) {
    let statuses: Vec<(&str, &str)> = result["steps"]
        .as_array()
        .unwrap_or_else(|| panic!("no steps in {result}"))
        .iter()
        .map(|s| (s["name"].as_str().unwrap(), s["status"].as_str().unwrap()))
        .collect();
    for (name, status) in &statuses {
        let expected = if *name == failed { "failed" } else { "ok" };
        assert_eq!(*status, expected, "{name} in {statuses:?}");
    }
    assert!(statuses.iter().any(|(n, _)| *n == failed), "{statuses:?}");
}

#[test]
fn lesson_expired_id_token_fails_exp_only() {
    lesson_fails_checks("expired-id-token", &["exp"]);
}

#[test]
fn lesson_nbf_future_fails_nbf_only() {
    lesson_fails_checks("nbf-future", &["nbf"]);
}

#[test]
fn lesson_wrong_audience_fails_aud_only() {
    lesson_fails_checks("wrong-audience", &["aud"]);
}

#[test]
fn lesson_wrong_issuer_fails_iss_only() {
    lesson_fails_checks("wrong-issuer", &["iss"]);
}

#[test]
fn lesson_alg_none_fails_the_signature() {
    // at_hash is the hash of the token's alg: with "none" there is none to compute.
    lesson_fails_checks("alg-none", &["signature", "alg", "at_hash"]);
}

#[test]
fn lesson_alg_confusion_fails_the_signature() {
    let result = lesson_fails_checks("alg-confusion", &["signature", "alg"]);
    let message = check(&result, "signature")["message"].as_str().unwrap();
    assert!(!message.starts_with("verified"), "{message}");
}

#[test]
fn lesson_unknown_key_fails_the_signature() {
    let result = lesson_fails_checks("unknown-key", &["signature"]);
    let message = check(&result, "signature")["message"].as_str().unwrap();
    assert!(message.contains("no key has kid"), "{message}");
}

#[test]
fn lesson_wrong_nonce_fails_nonce_only() {
    lesson_fails_checks("wrong-nonce", &["nonce"]);
}

#[test]
fn lesson_wrong_at_hash_fails_at_hash_only() {
    lesson_fails_checks("wrong-at-hash", &["at_hash"]);
}

#[test]
fn lesson_missing_kid_passes_but_the_signature_check_says_keys_were_tried() {
    let practice = Practice::start(&["--lesson", "missing-kid"]);
    let jwks = get(&practice.url("/jwks")).json();
    let rsa = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|k| k["kty"] == "RSA")
        .count();
    assert_eq!(rsa, 2, "two RSA keys published: {jwks}");
    let flow = code_flow(&practice.issuer);
    assert_eq!(flow.exit, Some(0), "{} {}", flow.result, flow.stderr);
    let message = check(&flow.result, "signature")["message"]
        .as_str()
        .unwrap();
    assert!(
        message.contains("no kid in the header: tried 2 keys"),
        "{message}"
    );
}

#[test]
fn lesson_csrf_state_is_refused_by_the_listener() {
    let practice = Practice::start(&["--lesson", "csrf-state"]);
    let flow = play_code_flow(code_flow_command(&practice.issuer, "3"));
    let listener = flow
        .listener
        .expect("the forged redirect reached the listener");
    assert!(
        (400..500).contains(&listener.status),
        "the listener refused it: {} {}",
        listener.status,
        listener.body
    );
    assert_eq!(flow.exit, Some(2), "{}", flow.result);
    assert_eq!(
        flow.result["error"]["code"], "oauth.redirect_timeout",
        "{}",
        flow.result
    );
    assert!(
        !step_names(&flow.result).contains(&"token"),
        "no code was exchanged: {}",
        flow.result
    );
}

#[test]
fn lesson_code_replay_gets_invalid_grant_at_the_token_step() {
    let practice = Practice::start(&["--lesson", "code-replay"]);
    let flow = code_flow(&practice.issuer);
    assert_eq!(flow.exit, Some(1), "{}", flow.result);
    assert_eq!(
        flow.result["error"]["code"], "oauth.error_response",
        "{}",
        flow.result
    );
    let token = step(&flow.result, "token");
    assert_eq!(
        token["response"]["body"]["error"], "invalid_grant",
        "{token}"
    );
    only_step_failing(&flow.result, "token");
}

#[test]
fn lesson_refresh_reuse_revokes_the_family_and_the_refresh_fails() {
    let practice = Practice::start(&["--lesson", "refresh-reuse"]);
    let sandbox = Sandbox::new(Keychain::SecretService);
    add_profile(&sandbox, &practice.issuer, "practice");
    let flow = profile_code_flow(&sandbox, "practice");
    assert_eq!(flow.exit, Some(0), "{} {}", flow.result, flow.stderr);
    let out = sandbox.tokenscope(&["flow", "refresh", "--profile", "practice", "--json"]);
    let result = stdout_json(&out);
    assert_eq!(out.status.code(), Some(1), "{result}");
    let refresh = step(&result, "refresh");
    assert_eq!(
        refresh["response"]["body"]["error"], "invalid_grant",
        "{refresh}"
    );
    let description = refresh["response"]["body"]["error_description"]
        .as_str()
        .unwrap();
    assert!(description.contains("reuse"), "{description}");
    only_step_failing(&result, "refresh");
}

#[test]
fn lesson_slow_token_times_out() {
    let practice = Practice::start(&["--lesson", "slow-token"]);
    let flow = code_flow(&practice.issuer);
    assert_eq!(flow.exit, Some(2), "{}", flow.result);
    assert_eq!(
        flow.result["error"]["code"], "http.timeout",
        "{}",
        flow.result
    );
    only_step_failing(&flow.result, "token");
}

#[test]
fn lesson_token_500_is_an_invalid_response() {
    let practice = Practice::start(&["--lesson", "token-500"]);
    let flow = code_flow(&practice.issuer);
    assert_eq!(flow.exit, Some(2), "{}", flow.result);
    assert_eq!(
        flow.result["error"]["code"], "oauth.invalid_response",
        "{}",
        flow.result
    );
    only_step_failing(&flow.result, "token");
}

#[test]
fn lesson_issuer_mismatch_fails_discovery_and_the_flow() {
    let practice = Practice::start(&["--lesson", "issuer-mismatch"]);
    let out = cli()
        .args(["discover", &practice.issuer, "--json"])
        .output()
        .unwrap();
    let report = stdout_json(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    let errors: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(errors, ["issuer-mismatch"], "{report}");

    // The flow stops at discovery, before any URL is printed.
    let out = code_flow_command(&practice.issuer, "10")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let result = stdout_json(&out);
    assert_eq!(out.status.code(), Some(2), "{result}");
    assert_eq!(result["error"]["code"], "oauth.issuer_mismatch", "{result}");
    assert_eq!(step_names(&result), ["discovery"], "{result}");
    only_step_failing(&result, "discovery");
}

// ------------------------------------------------------------------------------------------
// An independent relying party

#[test]
fn openid_client_agrees_the_practice_issuer_speaks_the_protocol() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/interop-rp");
    assert!(
        dir.join("node_modules/openid-client").is_dir(),
        "openid-client is not installed: run scripts/setup.sh \
         (or `npm install --no-audit --no-fund --prefix tests/interop-rp`)"
    );
    let practice = Practice::start(&[]);
    let out = Command::new("node")
        .arg(dir.join("rp.mjs"))
        .arg(&practice.issuer)
        .output()
        .expect("node runs");
    let summary = stdout_json(&out);
    assert_eq!(out.status.code(), Some(0), "{summary}");
    assert_eq!(summary["discovery"]["issuer"], practice.issuer);
    let id = &summary["code"]["id_token"];
    assert_eq!(id["iss"], practice.issuer);
    assert_eq!(id["sub"], "alice");
    assert_eq!(id["aud"], "practice-native");
    assert_eq!(id["nonce_matches"], true);
    assert_eq!(summary["code"]["has_refresh_token"], true);
    assert_eq!(summary["userinfo"]["sub"], "alice");
    assert_eq!(summary["userinfo"]["email"], "alice@practice.test");
    assert_eq!(summary["refresh"]["rotated"], true);
    assert_eq!(summary["introspection"]["active"], true);
    assert_eq!(summary["revocation"]["access_token_active_after"], false);
    assert_eq!(summary["revocation"]["refresh_after"], "invalid_grant");
    assert_eq!(summary["refresh_reuse"]["reuse"], "invalid_grant");
    assert_eq!(
        summary["refresh_reuse"]["newer_after_reuse"],
        "invalid_grant"
    );
    assert_eq!(summary["code_replay"]["replay"], "invalid_grant");
    assert_eq!(
        summary["code_replay"]["first_access_token_active_after"],
        false
    );
    assert_eq!(summary["client_credentials"]["scope"], "api:read");
    assert!(
        summary["wrong_secret"].as_str().unwrap().contains("401"),
        "{summary}"
    );
    assert_eq!(summary["device"]["sub"], "alice");
    assert_eq!(summary["device"]["has_refresh_token"], true);
}

// ------------------------------------------------------------------------------------------
// A person at the pages (no --auto-approve)

/// The hidden `interaction` of a login or consent page.
fn interaction_of(page: &Http) -> String {
    let marker = "name=\"interaction\" value=\"";
    let at = page
        .body
        .find(marker)
        .unwrap_or_else(|| panic!("no interaction field: {}", page.body));
    let rest = &page.body[at + marker.len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

#[test]
fn a_person_signs_in_and_consents_on_the_pages_or_cancels() {
    let practice = Practice::start_with(&[]);
    let login = |interaction: &str, user: &str, password: &str| {
        post_form(
            &practice.url("/login"),
            &format!("interaction={interaction}&username={user}&password={password}"),
            &[],
        )
    };

    // Approve: the login page, a wrong password, the right one, consent, the redirect.
    let running = Running::start(code_flow_command(&practice.issuer, "60"));
    let page = get(&running.url);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Sign in") && !page.body.contains("<script"));
    let csp = page.header("content-security-policy").unwrap();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    let interaction = interaction_of(&page);
    let wrong = login(&interaction, "alice", "bob");
    assert!(wrong.body.contains("wrong password"), "{}", wrong.body);
    let consent = login(&interaction, "alice", "alice");
    assert!(consent.body.contains("Allow access?"), "{}", consent.body);
    assert!(consent.body.contains("offline_access"), "{}", consent.body);
    let approved = post_form(
        &practice.url("/consent"),
        &format!("interaction={interaction}&decision=approve"),
        &[],
    );
    assert_eq!(approved.status, 303);
    let listener = get(approved.header("location").unwrap());
    assert_eq!(listener.status, 200, "{}", listener.body);
    let (out, stderr) = running.finish();
    let result = stdout_json(&out);
    assert_eq!(out.status.code(), Some(0), "{result} {stderr}");
    assert_eq!(result["userinfo"]["sub"], "alice");
    // The interaction is spent.
    assert!(login(&interaction, "alice", "alice")
        .body
        .contains("Sign-in expired"));

    // Cancel on the consent page: access_denied comes back to the client.
    let running = Running::start(code_flow_command(&practice.issuer, "60"));
    let interaction = interaction_of(&get(&running.url));
    assert!(login(&interaction, "bob", "bob")
        .body
        .contains("Allow access?"));
    let aborted = get(&practice.url(&format!("/abort?interaction={interaction}")));
    let location = aborted.header("location").expect("a redirect");
    assert_eq!(
        query_param(location, "error").as_deref(),
        Some("access_denied")
    );
    get(location);
    let (out, _) = running.finish();
    let result = stdout_json(&out);
    assert_eq!(out.status.code(), Some(1), "{result}");
    assert!(result.to_string().contains("access_denied"), "{result}");
}

/// One device access token request for `device_code` (RFC 8628 §3.4).
fn poll_device(practice: &Practice, device_code: &str) -> Http {
    post_form(
        &practice.url("/token"),
        &format!(
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&client_id=practice-native&device_code={device_code}"
        ),
        &[],
    )
}

#[test]
fn device_polling_says_pending_then_slow_down_and_a_denial_is_access_denied() {
    let practice = Practice::start_with(&[]);
    let authorization = post_form(
        &practice.url("/device_authorization"),
        "client_id=practice-native&scope=openid",
        &[],
    )
    .json();
    let device_code = authorization["device_code"].as_str().unwrap();
    let user_code = authorization["user_code"].as_str().unwrap();
    assert_eq!(authorization["interval"], 1);
    let poll = || poll_device(&practice, device_code);
    let first = poll();
    assert_eq!(
        first.json()["error"],
        "authorization_pending",
        "{}",
        first.body
    );
    let second = poll();
    assert_eq!(second.json()["error"], "slow_down", "{}", second.body);
    // The person denies on the verification page (signed in as bob).
    let page = get(authorization["verification_uri_complete"].as_str().unwrap());
    assert!(page.body.contains(user_code), "{}", page.body);
    let denied = post_form(
        &practice.url("/device"),
        &format!(
            "user_code={}&username=bob&password=bob&decision=deny",
            user_code.to_lowercase()
        ),
        &[],
    );
    assert!(denied.body.contains("Access denied"), "{}", denied.body);
    thread::sleep(Duration::from_millis(6100));
    let third = poll();
    assert_eq!(third.json()["error"], "access_denied", "{}", third.body);

    // Another device, approved by alice on the page: the first poll gets the tokens, and the
    // device code is then spent.
    let authorization = post_form(
        &practice.url("/device_authorization"),
        "client_id=practice-native&scope=openid+offline_access",
        &[],
    )
    .json();
    let device_code = authorization["device_code"].as_str().unwrap();
    let user_code = authorization["user_code"].as_str().unwrap();
    let wrong = post_form(
        &practice.url("/device"),
        &format!("user_code={user_code}&username=alice&password=bob&decision=approve"),
        &[],
    );
    assert!(wrong.body.contains("wrong password"), "{}", wrong.body);
    let approved = post_form(
        &practice.url("/device"),
        &format!("user_code={user_code}&username=alice&password=alice&decision=approve"),
        &[],
    );
    assert!(
        approved.body.contains("Device connected"),
        "{}",
        approved.body
    );
    let poll = || poll_device(&practice, device_code);
    let tokens = poll();
    assert_eq!(tokens.status, 200, "{}", tokens.body);
    assert!(
        tokens.json()["refresh_token"].is_string(),
        "{}",
        tokens.body
    );
    thread::sleep(Duration::from_millis(1100));
    assert_eq!(poll().json()["error"], "invalid_grant");
}

#[test]
fn the_token_endpoint_refuses_a_wrong_verifier_and_a_replayed_code_revokes_its_tokens() {
    let practice = Practice::start(&[]);
    // S256 of RFC 7636 Appendix B's verifier.
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    let redirect = "http%3A%2F%2F127.0.0.1%3A5000%2Fcallback";
    let code = || {
        let answer = get(&practice.url(&format!(
            "/authorize?response_type=code&client_id=practice-native&redirect_uri={redirect}&scope=openid&code_challenge={challenge}&code_challenge_method=S256"
        )));
        query_param(answer.header("location").unwrap(), "code").unwrap()
    };
    let exchange = |code: &str, verifier: &str| {
        post_form(
            &practice.url("/token"),
            &format!("grant_type=authorization_code&client_id=practice-native&redirect_uri={redirect}&code={code}&code_verifier={verifier}"),
            &[],
        )
    };
    let wrong = exchange(&code(), &"x".repeat(43));
    assert_eq!(wrong.status, 400);
    assert_eq!(wrong.json()["error"], "invalid_grant");
    assert_eq!(wrong.header("cache-control"), Some("no-store"));

    let code = code();
    let first = exchange(&code, verifier);
    assert_eq!(first.status, 200, "{}", first.body);
    let access = first.json()["access_token"].as_str().unwrap().to_owned();
    let userinfo = |token: &str| {
        curl(&[
            "-H",
            &format!("authorization: Bearer {token}"),
            &practice.url("/userinfo"),
        ])
    };
    assert_eq!(userinfo(&access).status, 200);
    let replay = exchange(&code, verifier);
    assert_eq!(replay.json()["error"], "invalid_grant", "{}", replay.body);
    assert_eq!(
        userinfo(&access).status,
        401,
        "the first exchange's token is revoked"
    );
}

#[test]
fn a_fixed_port_is_used_and_a_busy_one_is_exit_2() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let practice = Practice::start(&["--port", &port.to_string()]);
    assert_eq!(practice.issuer, format!("http://127.0.0.1:{port}"));
    let out = cli()
        .args(["practice-issuer", "--port", &port.to_string()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("practice.bind_failed"), "{stderr}");
}

// ------------------------------------------------------------------------------------------
// In process, as the app starts it

/// A clock the test moves.
struct SteppingClock(std::sync::atomic::AtomicI64);

impl tokenscope::clock::Clock for SteppingClock {
    fn now_unix(&self) -> i64 {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

#[test]
fn in_process_codes_and_device_codes_expire_on_the_issuers_clock() {
    use std::sync::atomic::Ordering;
    use std::sync::Arc;
    use tokenscope::practice::{PracticeConfig, PracticeIssuer};

    let clock = Arc::new(SteppingClock(std::sync::atomic::AtomicI64::new(
        1_800_000_000,
    )));
    crate::util::block_on(async {
        let config = PracticeConfig {
            auto_approve: Some("bob".to_owned()),
            clock: clock.clone(),
            ..PracticeConfig::default()
        };
        let issuer = PracticeIssuer::start(config).await.unwrap();
        let url = issuer.issuer_url().to_owned();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        let blocking = |f: Box<dyn FnOnce() -> Http + Send>| tokio::task::spawn_blocking(f);

        let authorize = format!(
            "{url}/authorize?response_type=code&client_id=practice-native&redirect_uri=http%3A%2F%2F127.0.0.1%3A5000%2Fcallback&scope=openid&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256"
        );
        let answer = blocking(Box::new(move || get(&authorize))).await.unwrap();
        let code = query_param(answer.header("location").unwrap(), "code").unwrap();
        let device_url = format!("{url}/device_authorization");
        let device = blocking(Box::new(move || {
            post_form(&device_url, "client_id=practice-native&scope=openid", &[])
        }))
        .await
        .unwrap()
        .json();
        // Past the code's 60 s and the device code's 600 s.
        clock.0.fetch_add(601, Ordering::SeqCst);
        let token_url = format!("{url}/token");
        let expired_code = blocking(Box::new({
            let token_url = token_url.clone();
            move || {
                post_form(
                    &token_url,
                    &format!("grant_type=authorization_code&client_id=practice-native&redirect_uri=http%3A%2F%2F127.0.0.1%3A5000%2Fcallback&code={code}&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
                    &[],
                )
            }
        }))
        .await
        .unwrap();
        assert_eq!(
            expired_code.json()["error"],
            "invalid_grant",
            "{}",
            expired_code.body
        );
        assert!(
            expired_code.body.contains("expired"),
            "{}",
            expired_code.body
        );
        let device_code = device["device_code"].as_str().unwrap().to_owned();
        let expired_device = blocking(Box::new(move || {
            post_form(
                &token_url,
                &format!("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&client_id=practice-native&device_code={device_code}"),
                &[],
            )
        }))
        .await
        .unwrap();
        assert_eq!(
            expired_device.json()["error"],
            "expired_token",
            "{}",
            expired_device.body
        );

        // The app's "rotate keys" goes through the handle.
        let new_kids = issuer.rotate_keys().await.unwrap();
        assert_eq!(new_kids.len(), 3, "{new_kids:?}");

        let addr = issuer.local_addr();
        issuer.shutdown().await;
        assert!(
            tokio::net::TcpStream::connect(addr).await.is_err(),
            "nothing listens after shutdown"
        );
    });
}

#[test]
fn rotating_keys_keeps_the_old_ones_published_so_earlier_tokens_still_verify() {
    let practice = Practice::start(&[]);
    let token = || {
        let answer = post_form(
            &practice.url("/token"),
            "grant_type=client_credentials&scope=api%3Aread",
            &["-u", "practice-service:practice-service-secret"],
        );
        answer.json()["access_token"].as_str().unwrap().to_owned()
    };
    let kid_of = |token: &str| {
        let out = cli().args(["decode", token, "--json"]).output().unwrap();
        stdout_json(&out)["header"]["kid"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let kids = |jwks: &Value| -> Vec<String> {
        jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["kid"].as_str().unwrap().to_owned())
            .collect()
    };
    let before = token();
    let old_kids = kids(&get(&practice.url("/jwks")).json());
    assert!(old_kids.contains(&kid_of(&before)));

    // The home page's form carries a per-run token; without it, no rotation.
    let refused = post_form(&practice.url("/rotate-keys"), "token=guess", &[]);
    assert_eq!(refused.status, 403);
    let home = get(&practice.url("/"));
    let marker = "name=\"token\" value=\"";
    let at = home.body.find(marker).unwrap() + marker.len();
    let admin = &home.body[at..at + home.body[at..].find('"').unwrap()];
    let rotated = post_form(
        &practice.url("/rotate-keys"),
        &format!("token={admin}"),
        &[],
    );
    assert_eq!(rotated.status, 200, "{}", rotated.body);

    let all = kids(&get(&practice.url("/jwks")).json());
    assert_eq!(all.len(), 6, "three new keys, three kept: {all:?}");
    assert_eq!(&all[3..], &old_kids[..], "the old keys follow the new");
    let after = token();
    assert!(
        all[..3].contains(&kid_of(&after)),
        "new tokens use a new key"
    );
    for token in [&before, &after] {
        let out = cli()
            .args([
                "verify",
                token,
                "--jwks-url",
                &practice.url("/jwks"),
                "--json",
            ])
            .output()
            .unwrap();
        let report = stdout_json(&out);
        assert_eq!(
            crate::util::report_check(&report, "signature")["status"],
            "pass",
            "{report}"
        );
    }
}

#[test]
fn a_narrowed_refresh_keeps_the_refresh_tokens_scope_and_a_bad_scope_does_not_spend_it() {
    let practice = Practice::start(&[]);
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    let redirect = "http%3A%2F%2F127.0.0.1%3A5000%2Fcallback";
    let answer = get(&practice.url(&format!(
        "/authorize?response_type=code&client_id=practice-native&redirect_uri={redirect}&scope=openid+profile+offline_access&prompt=consent&code_challenge={challenge}&code_challenge_method=S256"
    )));
    let code = query_param(answer.header("location").unwrap(), "code").unwrap();
    let tokens = post_form(
        &practice.url("/token"),
        &format!("grant_type=authorization_code&client_id=practice-native&redirect_uri={redirect}&code={code}&code_verifier={verifier}"),
        &[],
    )
    .json();
    let refresh = |token: &str, scope: Option<&str>| {
        let scope = scope.map(|s| format!("&scope={s}")).unwrap_or_default();
        post_form(
            &practice.url("/token"),
            &format!(
                "grant_type=refresh_token&client_id=practice-native&refresh_token={token}{scope}"
            ),
            &[],
        )
        .json()
    };
    let first = tokens["refresh_token"].as_str().unwrap();
    // Asking for more than was granted is refused, and the token is not spent by it.
    assert_eq!(refresh(first, Some("email"))["error"], "invalid_scope");
    let narrowed = refresh(first, Some("openid"));
    assert_eq!(narrowed["scope"], "openid", "{narrowed}");
    let next = narrowed["refresh_token"].as_str().unwrap();
    let full = refresh(next, None);
    assert_eq!(full["scope"], "openid profile offline_access", "{full}");
}

#[test]
fn idle_connections_are_bounded_and_dropped_after_the_head_timeout() {
    let practice = Practice::start(&[]);
    let addr = practice.issuer.strip_prefix("http://").unwrap().to_owned();
    let metadata = practice.url("/.well-known/openid-configuration");
    // Connections that never send a request: at most 64 are served at once.
    let idle: Vec<std::net::TcpStream> = (0..80)
        .map(|_| std::net::TcpStream::connect(&addr).unwrap())
        .collect();
    thread::sleep(Duration::from_millis(300));
    let refused = Command::new("curl")
        .args([
            "-s",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "--max-time",
            "5",
            &metadata,
        ])
        .output()
        .unwrap();
    assert_ne!(
        String::from_utf8_lossy(&refused.stdout),
        "200",
        "over the limit"
    );
    // hyper drops a connection that sends no head within 10 s, freeing its slot.
    thread::sleep(Duration::from_secs(11));
    assert_eq!(get(&metadata).status, 200);
    drop(idle);
}

#[test]
fn es256_and_eddsa_signed_tokens_pass_every_check() {
    for alg in ["ES256", "EdDSA", "PS256"] {
        let practice = Practice::start(&["--alg", alg]);
        let flow = code_flow(&practice.issuer);
        assert_eq!(flow.exit, Some(0), "{alg}: {} {}", flow.result, flow.stderr);
        assert_eq!(
            checks_with(&flow.result, "fail"),
            Vec::<String>::new(),
            "{alg}"
        );
        assert_eq!(check(&flow.result, "at_hash")["status"], "pass", "{alg}");
        let id_token = flow.result["tokens"]["id_token"].as_str().unwrap();
        let out = cli().args(["decode", id_token, "--json"]).output().unwrap();
        assert_eq!(stdout_json(&out)["header"]["alg"], alg);
    }
}
