//! The one network seam against a real server on 127.0.0.1: timeouts, size cap, redirects,
//! plain-http refusal, the Cache-Control cache, the redacted transcript, and the address rule
//! (URLs from a server or a token reach non-public addresses only behind a typed local URL).

use std::net::IpAddr;
use std::process::Output;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokenscope::clock::{Clock, FixedClock};
use tokenscope::http::{
    FetchOptions, HttpClient, HttpHeader, HttpPolicy, HttpRequest, Provenance, Transcript,
    TypedRoot, UrlOrigin,
};
use tokenscope::ErrorCode;

use crate::util::server::{Reply, TestServer};
use crate::util::{block_on, stdout_json};

/// A clock the test moves by hand.
struct ManualClock(AtomicI64);

impl Clock for ManualClock {
    fn now_unix(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

fn quick_policy() -> HttpPolicy {
    HttpPolicy {
        connect_timeout: Duration::from_secs(1),
        total_timeout: Duration::from_secs(1),
        ..HttpPolicy::default()
    }
}

fn client(policy: HttpPolicy) -> HttpClient {
    HttpClient::new(policy, Arc::new(FixedClock(1_700_000_000)))
}

#[test]
fn json_document_is_fetched_and_recorded() {
    let server = TestServer::start([("/doc", Reply::json(r#"{"ok":true}"#))]);
    let c = client(HttpPolicy::default());
    let t = Transcript::new();
    let v = block_on(c.get_json(&server.url("/doc"), &FetchOptions::default(), &t)).unwrap();
    assert_eq!(v["ok"], true);
    let ex = t.exchanges();
    assert_eq!(ex.len(), 1);
    assert_eq!(ex[0].method, "GET");
    assert_eq!(ex[0].status, Some(200));
    assert!(!ex[0].from_cache);
    assert!(ex[0]
        .request_headers
        .iter()
        .any(|h| h.name == "accept" && h.value == "application/json"));
}

#[test]
fn slow_server_times_out_after_the_policy_timeout_not_fifteen_seconds() {
    let server = TestServer::start([("/slow", Reply::json("{}").delay(Duration::from_secs(4)))]);
    let c = client(quick_policy());
    let t = Transcript::new();
    let started = Instant::now();
    let e = block_on(c.get_json(&server.url("/slow"), &FetchOptions::default(), &t)).unwrap_err();
    assert_eq!(e.code(), "http.timeout", "{e}");
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(e.to_string().contains("did not answer within 1 s"), "{e}");
    assert!(t.exchanges()[0].error.is_some());
}

#[test]
fn body_over_the_cap_is_refused_by_content_length_and_while_streaming() {
    let big = vec![b' '; 64 * 1024];
    let server = TestServer::start([
        ("/big", Reply::json(big.clone())),
        ("/big-chunked", Reply::json(big).chunked()),
    ]);
    let c = client(HttpPolicy {
        max_body_bytes: 16 * 1024,
        ..HttpPolicy::default()
    });
    let t = Transcript::new();
    for path in ["/big", "/big-chunked"] {
        let e = block_on(c.get(&server.url(path), &FetchOptions::default(), &t)).unwrap_err();
        assert_eq!(e.code(), "http.too_large", "{path}: {e}");
        assert!(e.to_string().contains("16384 bytes"), "{e}");
    }
}

#[test]
fn redirects_are_followed_each_hop_recorded() {
    let server = TestServer::start([
        ("/a", Reply::redirect("/b")),
        ("/b", Reply::redirect("{{base}}/c")),
        ("/c", Reply::json(r#"{"at":"c"}"#)),
    ]);
    let c = client(HttpPolicy::default());
    let t = Transcript::new();
    let r = block_on(c.get(&server.url("/a"), &FetchOptions::default(), &t)).unwrap();
    assert_eq!(r.url, server.url("/c"));
    let statuses: Vec<_> = t.exchanges().iter().map(|e| e.status).collect();
    assert_eq!(statuses, vec![Some(302), Some(302), Some(200)]);
}

#[test]
fn redirect_loop_is_an_error_not_a_hang() {
    let server = TestServer::start([("/a", Reply::redirect("/b")), ("/b", Reply::redirect("/a"))]);
    let c = client(HttpPolicy::default());
    let t = Transcript::new();
    let e = block_on(c.get(&server.url("/a"), &FetchOptions::default(), &t)).unwrap_err();
    assert_eq!(e.code(), "http.redirects");
    assert!(e.to_string().contains("redirect loop"), "{e}");
}

#[test]
fn too_many_redirects_stop_at_the_limit() {
    let server = TestServer::start([
        ("/1", Reply::redirect("/2")),
        ("/2", Reply::redirect("/3")),
        ("/3", Reply::redirect("/4")),
        ("/4", Reply::json("{}")),
    ]);
    let c = client(HttpPolicy {
        max_redirects: 2,
        ..HttpPolicy::default()
    });
    let t = Transcript::new();
    let e = block_on(c.get(&server.url("/1"), &FetchOptions::default(), &t)).unwrap_err();
    assert_eq!(e.code(), "http.redirects");
    assert!(e.to_string().contains("more than 2 redirects"), "{e}");
    assert_eq!(server.hits("/4"), 0);
}

#[test]
fn plain_http_to_a_non_loopback_host_is_refused_before_connecting() {
    let c = client(HttpPolicy::default());
    let t = Transcript::new();
    let e = block_on(c.get(
        "http://idp.example.invalid/.well-known/openid-configuration",
        &FetchOptions::default(),
        &t,
    ))
    .unwrap_err();
    assert_eq!(e.code(), "http.insecure");
    assert!(e.to_string().contains("use https"), "{e}");
}

#[test]
fn redirect_from_loopback_to_plain_http_elsewhere_is_refused_on_that_hop() {
    let server =
        TestServer::start([("/a", Reply::redirect("http://idp.example.invalid/metadata"))]);
    let c = client(HttpPolicy::default());
    let t = Transcript::new();
    let e = block_on(c.get(&server.url("/a"), &FetchOptions::default(), &t)).unwrap_err();
    assert_eq!(e.code(), "http.insecure");
    let ex = t.exchanges();
    assert_eq!(ex.len(), 2);
    assert_eq!(ex[1].url, "http://idp.example.invalid/metadata");
    assert_eq!(ex[1].status, None);
}

#[test]
fn connection_refused_is_a_connect_error() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let c = client(quick_policy());
    let t = Transcript::new();
    let e = block_on(c.get(
        &format!("http://127.0.0.1:{port}/x"),
        &FetchOptions::default(),
        &t,
    ))
    .unwrap_err();
    assert_eq!(e.code(), "http.connect", "{e}");
}

#[test]
fn cache_honours_max_age_with_the_injected_clock_and_bypass() {
    let server = TestServer::start([(
        "/doc",
        Reply::json(r#"{"v":1}"#).header("Cache-Control", "public, max-age=60"),
    )]);
    let clock = Arc::new(ManualClock(AtomicI64::new(1_000)));
    let c = HttpClient::new(HttpPolicy::default(), clock.clone());
    let t = Transcript::new();
    let url = server.url("/doc");
    let opts = FetchOptions::default();
    assert_eq!(block_on(c.get_json(&url, &opts, &t)).unwrap()["v"], 1);
    server.set(
        "/doc",
        Reply::json(r#"{"v":2}"#).header("Cache-Control", "max-age=60"),
    );
    // Within max-age: served from the cache, the server not asked.
    assert_eq!(block_on(c.get_json(&url, &opts, &t)).unwrap()["v"], 1);
    assert_eq!(server.hits("/doc"), 1);
    assert!(t.exchanges()[1].from_cache);
    // A manual refresh goes to the server.
    let refresh = FetchOptions {
        bypass_cache: true,
        ..FetchOptions::default()
    };
    assert_eq!(block_on(c.get_json(&url, &refresh, &t)).unwrap()["v"], 2);
    assert_eq!(server.hits("/doc"), 2);
    // After max-age the cached copy is stale.
    server.set("/doc", Reply::json(r#"{"v":3}"#));
    clock.0.store(1_061, Ordering::SeqCst);
    assert_eq!(block_on(c.get_json(&url, &opts, &t)).unwrap()["v"], 3);
    assert_eq!(server.hits("/doc"), 3);
}

#[test]
fn no_store_and_no_cache_responses_are_not_reused() {
    let server = TestServer::start([
        (
            "/ns",
            Reply::json("{}").header("Cache-Control", "no-store, max-age=60"),
        ),
        (
            "/nc",
            Reply::json("{}").header("Cache-Control", "no-cache, max-age=60"),
        ),
    ]);
    let c = client(HttpPolicy::default());
    let t = Transcript::new();
    for path in ["/ns", "/nc"] {
        block_on(c.get_json(&server.url(path), &FetchOptions::default(), &t)).unwrap();
        block_on(c.get_json(&server.url(path), &FetchOptions::default(), &t)).unwrap();
        assert_eq!(server.hits(path), 2, "{path}");
    }
}

#[test]
fn sensitive_headers_are_redacted_in_the_transcript_but_sent() {
    let server = TestServer::start([(
        "/me",
        Reply::json("{}")
            .header("Set-Cookie", "session=abc")
            .header("X-Trace", "visible"),
    )]);
    let c = client(HttpPolicy::default());
    let t = Transcript::new();
    let mut request =
        tokenscope::http::build_get(&server.url("/me"), &FetchOptions::default(), c.policy())
            .unwrap();
    for (name, value) in [
        ("Authorization", "Bearer secret-access-token"),
        ("X-Client-Secret", "s3cret"),
        ("Cookie", "a=b"),
    ] {
        request.headers.push(HttpHeader {
            name: name.into(),
            value: value.into(),
        });
    }
    let r = block_on(c.send(HttpRequest { ..request }, &t)).unwrap();
    assert_eq!(r.status, 200);
    // The server received the real values…
    let seen = &server.requests()[0];
    assert!(seen
        .headers
        .iter()
        .any(|(n, v)| n == "authorization" && v == "Bearer secret-access-token"));
    // …the transcript shows none of them.
    let text = serde_json::to_string(&t.exchanges()).unwrap();
    for secret in ["secret-access-token", "s3cret", "a=b", "session=abc"] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
    assert!(text.contains("[redacted]"));
    assert!(text.contains("visible"));
}

#[test]
fn error_statuses_html_and_invalid_json_say_what_was_expected() {
    let server = TestServer::start([
        ("/500", Reply::status(500)),
        (
            "/html",
            Reply::html("<!doctype html><title>Sign in</title>"),
        ),
        ("/bad", Reply::json("{not json")),
    ]);
    let c = client(HttpPolicy::default());
    let t = Transcript::new();
    let get =
        |p: &str| block_on(c.get_json(&server.url(p), &FetchOptions::default(), &t)).unwrap_err();
    let e = get("/404");
    assert_eq!(e.code(), "http.status");
    assert!(
        e.to_string()
            .contains("returned HTTP 404 Not Found, expected 200"),
        "{e}"
    );
    assert_eq!(get("/500").code(), "http.status");
    let e = get("/html");
    assert_eq!(e.code(), "http.not_json");
    assert!(
        e.to_string().contains(
            "returned HTML (text/html; charset=utf-8), expected JSON: is this a login page"
        ),
        "{e}"
    );
    let e = get("/bad");
    assert_eq!(e.code(), "http.not_json");
    assert!(e.to_string().contains("invalid JSON"), "{e}");
}

#[test]
fn loopback_fetches_bypass_the_system_proxy_and_remote_ones_use_it() {
    // A "proxy" that answers 404 to everything and records what reached it.
    let proxy = TestServer::start([]);
    let provider = TestServer::start([
        (
            "/.well-known/openid-configuration",
            Reply::json(r#"{"issuer":"{{base}}","jwks_uri":"{{base}}/jwks"}"#),
        ),
        ("/jwks", Reply::json(r#"{"keys":[]}"#)),
    ]);
    let run = |args: &[&str]| through_proxy(&proxy, args);

    let out = run(&["discover", &provider.base(), "--json"]);
    let report = stdout_json(&out);
    assert_ne!(out.status.code(), Some(2), "{report:#}");
    assert_eq!(report["issuer"], provider.base());
    assert_eq!(provider.hits("/.well-known/openid-configuration"), 1);
    assert_eq!(provider.hits("/jwks"), 1);
    assert!(proxy.requests().is_empty(), "{:?}", proxy.requests());

    // A remote host goes through the proxy (a CONNECT tunnel), which refuses it here.
    let out = run(&[
        "discover",
        "https://idp.example.test",
        "--json",
        "--timeout",
        "5",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout_json(&out));
    let seen: Vec<String> = proxy.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(seen, ["idp.example.test:443"]);
}

/// The `tokenscope` binary run with `proxy` as its HTTP(S) proxy.
fn through_proxy(proxy: &TestServer, args: &[&str]) -> Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_tokenscope"));
    proxy.proxy_for(&mut command).args(args).output().unwrap()
}

/// A client that allows plain http anywhere (the address rule is separate) and resolves `hosts`
/// without DNS.
fn client_resolving(hosts: &[(&str, &str)]) -> HttpClient {
    let hosts: Vec<(&str, IpAddr)> = hosts
        .iter()
        .map(|(name, ip)| (*name, ip.parse().unwrap()))
        .collect();
    let policy = HttpPolicy {
        allow_insecure_http: true,
        ..quick_policy()
    };
    HttpClient::with_resolved_hosts(policy, Arc::new(FixedClock(1_700_000_000)), &hosts)
}

fn from(provenance: Provenance) -> FetchOptions {
    FetchOptions {
        provenance,
        ..FetchOptions::json()
    }
}

fn jwks_uri_of_a_public_issuer() -> Provenance {
    // As if https://idp.example.test had resolved to a public address: the server is local.
    Provenance::Derived {
        origin: UrlOrigin::JwksUri {
            of: "https://idp.example.test".into(),
        },
        root: TypedRoot::Public,
    }
}

#[test]
fn a_jwks_uri_on_loopback_is_refused_unasked_when_the_typed_issuer_was_public() {
    let server = TestServer::start([("/jwks", Reply::json(r#"{"keys":[]}"#))]);
    let c = client(HttpPolicy::default());
    let t = Transcript::new();
    let url = server.url("/jwks");
    let e = block_on(c.get(&url, &from(jwks_uri_of_a_public_issuer()), &t)).unwrap_err();
    assert_eq!(e.code(), "http.forbidden_address", "{e}");
    assert_eq!(
        e.to_string(),
        format!(
            "refusing to fetch {url} (the jwks_uri of https://idp.example.test): it resolves to \
             127.0.0.1, a loopback address; a URL that came from a server or a token may reach \
             loopback, private or link-local addresses only when the URL you typed is itself one"
        )
    );
    assert_eq!(server.hits("/jwks"), 0, "the server was never asked");
    // The refusal is in the transcript, like other policy refusals.
    let ex = t.exchanges();
    assert_eq!(ex.len(), 1);
    assert_eq!((ex[0].url.as_str(), ex[0].status), (url.as_str(), None));
    assert_eq!(ex[0].error.as_deref(), Some(e.to_string().as_str()));

    // Behind a typed local issuer (a local IdP) the same URL is fetched.
    let local = Provenance::Derived {
        origin: UrlOrigin::JwksUri { of: server.base() },
        root: TypedRoot::Local,
    };
    block_on(c.get_json(&url, &from(local), &t)).unwrap();
    assert_eq!(server.hits("/jwks"), 1);
}

#[test]
fn a_public_name_resolving_to_loopback_is_judged_by_its_address_not_its_name() {
    let server = TestServer::start([(
        "/jwks",
        Reply::json(r#"{"keys":[]}"#).header("Cache-Control", "max-age=600"),
    )]);
    let c = client_resolving(&[("keys.example.test", "127.0.0.1")]);
    let t = Transcript::new();
    let port = server.base().rsplit(':').next().unwrap().to_owned();
    let url = format!("http://keys.example.test:{port}/jwks");
    // Typed by the user: it may go anywhere, and the override lands on the local server.
    block_on(c.get_json(&url, &FetchOptions::default(), &t)).unwrap();
    assert_eq!(server.hits("/jwks"), 1);
    let host = server.requests()[0].headers.clone();
    assert!(host.contains(&("host".into(), format!("keys.example.test:{port}"))));
    // The same URL as a token's jku is refused on its address, though a cached copy exists.
    let e = block_on(c.get_json(&url, &from(Provenance::token_jku()), &t)).unwrap_err();
    assert_eq!(e.code(), "http.forbidden_address", "{e}");
    let message = e.to_string();
    assert!(
        message.starts_with(&format!(
            "refusing to fetch {url} (the token's jku header): it resolves to 127.0.0.1, a \
             loopback address;"
        )),
        "{message}"
    );
    assert_eq!(server.hits("/jwks"), 1, "no second request");
    assert!(!t.exchanges()[1].from_cache);
}

#[test]
fn a_public_name_resolving_to_cloud_metadata_is_refused_without_connecting() {
    let c = client_resolving(&[("metadata.example.test", "169.254.169.254")]);
    let t = Transcript::new();
    let started = Instant::now();
    let e = block_on(c.get(
        "http://metadata.example.test/latest/meta-data/",
        &from(jwks_uri_of_a_public_issuer()),
        &t,
    ))
    .unwrap_err();
    assert_eq!(e.code(), "http.forbidden_address", "{e}");
    assert!(
        e.to_string()
            .contains("it resolves to 169.254.169.254, a link-local address"),
        "{e}"
    );
    assert!(started.elapsed() < Duration::from_millis(500));
    let ex = t.exchanges();
    assert_eq!((ex.len(), ex[0].status, ex[0].duration_ms), (1, None, 0));
}

#[test]
fn a_redirect_from_a_typed_public_host_to_loopback_is_refused_on_that_hop() {
    // The user types http://idp.example.test (no address here, so it counts as public); its
    // answer, through the proxy, redirects to a server on this machine.
    let internal = TestServer::start([("/metadata", Reply::json("{}"))]);
    let proxy = TestServer::start([(
        "http://idp.example.test/.well-known/openid-configuration",
        Reply::redirect(&internal.url("/metadata")),
    )]);
    let out = through_proxy(
        &proxy,
        &[
            "discover",
            "http://idp.example.test",
            "--allow-http",
            "--json",
        ],
    );
    let v = stdout_json(&out);
    assert_eq!(out.status.code(), Some(2), "{v}");
    assert_eq!(v["error"]["code"], "http.forbidden_address", "{v}");
    let message = v["error"]["message"].as_str().unwrap();
    assert!(
        message.contains(&format!(
            "{} (a redirect from http://idp.example.test/.well-known/openid-configuration): it \
             resolves to 127.0.0.1, a loopback address",
            internal.url("/metadata")
        )),
        "{message}"
    );
    assert_eq!(proxy.requests().len(), 1);
    assert!(internal.requests().is_empty(), "{:?}", internal.requests());
}

#[test]
fn a_redirect_within_a_typed_loopback_host_is_followed() {
    // A local IdP (typed 127.0.0.1) may redirect to another local address: the typed root is
    // local, so derived loopback URLs are allowed.
    let other = TestServer::start([("/doc", Reply::json(r#"{"at":"other"}"#))]);
    let server = TestServer::start([("/a", Reply::redirect(&other.url("/doc")))]);
    let c = client(HttpPolicy::default());
    let t = Transcript::new();
    let v = block_on(c.get_json(&server.url("/a"), &FetchOptions::default(), &t)).unwrap();
    assert_eq!(v["at"], "other");
}

#[test]
fn credentials_in_a_url_are_refused_before_anything_is_sent() {
    let server = TestServer::start([("/jwks", Reply::json(r#"{"keys":[]}"#))]);
    let c = client(HttpPolicy::default());
    let t = Transcript::new();
    let url = server
        .url("/jwks")
        .replace("http://", "http://alice:s3cret@");
    let e = block_on(c.get(&url, &FetchOptions::default(), &t)).unwrap_err();
    assert_eq!(e.code(), "http.credentials_in_url");
    assert!(!e.to_string().contains("s3cret"), "{e}");
    assert!(e.to_string().contains(&server.url("/jwks")), "{e}");
    // In a redirect too.
    server.set("/a", Reply::redirect(&url));
    let e = block_on(c.get(&server.url("/a"), &FetchOptions::default(), &t)).unwrap_err();
    assert_eq!(e.code(), "http.credentials_in_url");
    assert!(!serde_json::to_string(&t.exchanges())
        .unwrap()
        .contains("s3cret"));
    assert_eq!(server.hits("/jwks"), 0);
}
