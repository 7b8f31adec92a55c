//! Network key sources for verification (`--jwks-url`, `--issuer`, the token's own `jku`):
//! against the real OpenID Provider, and against a local server for the faults it cannot produce.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::process::Output;
use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use tokenscope::clock::SystemClock;
use tokenscope::http::{HttpClient, HttpPolicy, Transcript};
use tokenscope::jwk::keys_from_text;
use tokenscope::jwt::decode_unverified;
use tokenscope::keysource::{resolve_keys, KeyFetch, KeyInput};
use tokenscope::ErrorCode as _;

use crate::util::idp::Idp;
use crate::util::server::{Reply, TestServer};
use crate::util::{block_on, report_check as check, stdout_json as json_out, tokenscope, vectors};

fn verify(args: &[&str]) -> Output {
    let mut all = vec!["verify"];
    all.extend_from_slice(args);
    tokenscope(&all)
}

/// `verify ARGS --json`, which must exit with `code`; the report.
fn report_of(args: &[&str], code: i32) -> Value {
    let mut all = args.to_vec();
    all.push("--json");
    let out = verify(&all);
    assert_eq!(
        out.status.code(),
        Some(code),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    json_out(&out)
}

/// A client-credentials access token from the real provider: a JWT (RFC 9068) it signed.
fn provider_access_token(idp: &Idp) -> String {
    let client = &idp.ready["clients"]["confidential"];
    let basic = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        client["client_id"].as_str().unwrap(),
        client["client_secret"].as_str().unwrap()
    ));
    let body = "grant_type=client_credentials&scope=api%3Aread";
    let addr = idp.issuer.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "POST /token HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Basic {basic}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let json_start = response.find("\r\n\r\n").unwrap() + 4;
    let token: Value =
        serde_json::from_str(&response[json_start..]).unwrap_or_else(|e| panic!("{e}: {response}"));
    token["access_token"]
        .as_str()
        .unwrap_or_else(|| panic!("no access token: {response}"))
        .to_owned()
}

/// Fetching through `http`, recording into `transcript`.
fn fetch_with<'a>(http: &'a HttpClient, transcript: &'a Transcript, refresh: bool) -> KeyFetch<'a> {
    KeyFetch {
        http,
        transcript,
        refresh,
    }
}

#[test]
fn provider_signed_access_token_verifies_through_issuer_discovery() {
    let idp = Idp::start();
    let token = provider_access_token(&idp);
    let api = idp.ready["api_resource"].as_str().unwrap();
    let out = verify(&[&token, "--issuer", &idp.issuer, "--aud", api, "--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let v = json_out(&out);
    assert_eq!(v["valid"], true);
    assert_eq!(v["key"]["source"], "issuer");
    assert!(v["key"]["kid"].is_string());
    // The discovered issuer becomes the expected iss.
    assert_eq!(check(&v, "iss")["status"], "pass");
    assert!(check(&v, "typ")["message"]
        .as_str()
        .unwrap()
        .contains("at+jwt"));

    // The same token claimed by another issuer fails iss, not the signature.
    let out = verify(&[
        &token,
        "--issuer",
        &idp.issuer,
        "--iss",
        "https://elsewhere.example",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let v = json_out(&out);
    assert_eq!(check(&v, "iss")["status"], "fail");
    assert_eq!(check(&v, "signature")["status"], "pass");
}

#[test]
fn provider_signed_access_token_verifies_through_its_jwks_url_and_tampering_is_caught() {
    let idp = Idp::start();
    let token = provider_access_token(&idp);
    let jwks_url = format!("{}/jwks", idp.issuer);
    let out = verify(&[&token, "--jwks-url", &jwks_url, "--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(json_out(&out)["key"]["source"], "jwks_url");

    let parts: Vec<&str> = token.split('.').collect();
    let mut claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    claims["scope"] = json!("api:read api:admin");
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        parts[2]
    );
    let out = verify(&[&forged, "--jwks-url", &jwks_url, "--json"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(check(&json_out(&out), "signature")["status"], "fail");
}

fn rfc_hs_token() -> String {
    vectors("rfc7520.json")["s4_4_hs256"]["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn jwks_url_faults_are_clear_exit_2_errors() {
    let server = TestServer::start([
        ("/missing", Reply::status(404)),
        ("/broken", Reply::status(500)),
        ("/html", Reply::html("<html><body>Sign in</body></html>")),
        ("/invalid", Reply::json("{\"keys\": [")),
        ("/huge", Reply::json(vec![b' '; 2 * 1024 * 1024])),
        ("/not-a-set", Reply::json(r#"{"issuer": "x"}"#)),
    ]);
    for (path, code, words) in [
        ("/missing", "http.status", "404"),
        ("/broken", "http.status", "500"),
        ("/html", "http.not_json", "HTML"),
        ("/invalid", "http.not_json", "JSON"),
        ("/huge", "http.too_large", "cap"),
        ("/not-a-set", "key.invalid", "JWK Set"),
    ] {
        let out = verify(&[&rfc_hs_token(), "--jwks-url", &server.url(path), "--json"]);
        assert_input_error(&out, code, words);
    }
}

/// Exit 2, and stdout only `{"error":{"code","message"}}` with `code` and a message saying
/// `words`.
fn assert_input_error(out: &Output, code: &str, words: &str) {
    let v = json_out(out);
    assert_eq!(out.status.code(), Some(2), "{code}: {v}");
    assert_eq!(v.as_object().unwrap().len(), 1, "only the error: {v}");
    assert_eq!(v["error"]["code"], code, "{v}");
    let message = v["error"]["message"].as_str().unwrap();
    assert!(message.contains(words), "{code}: {message}");
}

#[test]
fn slow_jwks_server_times_out_instead_of_hanging() {
    let server = TestServer::start([(
        "/slow",
        Reply::json(r#"{"keys":[]}"#).delay(Duration::from_secs(5)),
    )]);
    let policy = HttpPolicy {
        total_timeout: Duration::from_millis(500),
        connect_timeout: Duration::from_millis(500),
        ..HttpPolicy::default()
    };
    let client = HttpClient::new(policy, Arc::new(SystemClock));
    let decoded = decode_unverified(&rfc_hs_token(), 0).unwrap();
    let started = std::time::Instant::now();
    let transcript = Transcript::new();
    let err = block_on(resolve_keys(
        &KeyInput::JwksUrl(server.url("/slow")),
        &decoded,
        fetch_with(&client, &transcript, false),
    ))
    .unwrap_err();
    assert_eq!(err.code(), "http.timeout");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "took {:?}",
        started.elapsed()
    );
    // The failed exchange is recorded in the operation's transcript.
    assert_eq!(transcript.len(), 1);
    assert!(transcript.exchanges()[0].error.is_some());
}

#[test]
fn plain_http_jwks_url_off_loopback_is_refused_without_connecting() {
    let out = verify(&[
        &rfc_hs_token(),
        "--jwks-url",
        "http://keys.example.invalid/jwks",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(json_out(&out)["error"]["code"], "http.insecure");
}

#[test]
fn issuer_without_jwks_uri_is_an_input_error() {
    let server = TestServer::start([(
        "/.well-known/openid-configuration",
        Reply::json(r#"{"issuer": "{{base}}"}"#),
    )]);
    let out = verify(&[&rfc_hs_token(), "--issuer", &server.base(), "--json"]);
    assert_eq!(out.status.code(), Some(2));
    let v = json_out(&out);
    assert_eq!(v["error"]["code"], "key.missing");
    assert!(v["error"]["message"].as_str().unwrap().contains("jwks_uri"));
}

#[test]
fn token_header_keys_are_used_only_when_asked_and_flagged_untrusted() {
    // A token carrying its own key (RFC 7515 §4.1.3): self-signed, so it "verifies" — which is
    // exactly why it proves nothing.
    let v = vectors("rfc7515.json");
    let pem = v["a3_es256"]["private_pem"].as_str().unwrap();
    let mut header = Header::new(Algorithm::ES256);
    let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(json!({
        "kty": "EC", "crv": "P-256",
        "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
        "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"
    }))
    .unwrap();
    header.jwk = Some(jwk);
    let token = encode(
        &header,
        &json!({"sub": "mallory", "exp": 4_000_000_000u64}),
        &EncodingKey::from_ec_pem(pem.as_bytes()).unwrap(),
    )
    .unwrap();
    verify_with_token_keys(&token);
    // Without --token-keys the embedded key is never consulted: against another real P-256 key
    // the signature fails, where the embedded key would have passed it.
    verify_with_someone_elses_key(&token);
}

fn has_untrusted_key_finding(report: &Value) -> bool {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["code"] == "untrusted-key")
}

/// `verify --token-keys`: the signature matches a key from the token's own header, and the
/// verdict is still INVALID (exit 1) through the failing `key-trust` check.
fn verify_with_token_keys(token: &str) -> Value {
    let report = report_of(&[token, "--token-keys"], 1);
    assert_eq!(report["key"]["source"], "token_header");
    assert_eq!(check(&report, "signature")["status"], "pass", "{report:#}");
    assert_eq!(check(&report, "key-trust")["status"], "fail", "{report:#}");
    let failing: Vec<&Value> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "fail")
        .map(|c| &c["name"])
        .collect();
    assert_eq!(failing, ["key-trust"], "{report:#}");
    assert!(has_untrusted_key_finding(&report), "{report:#}");
    report
}

/// `verify --key` with a well-formed P-256 public key that signed none of these tokens: the
/// signature must fail, and nothing from the token's header may be used.
fn verify_with_someone_elses_key(token: &str) {
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("other.jwk.json");
    let jwk = json!({"kty": "EC", "crv": "P-256",
        "x": "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4",
        "y": "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM"});
    std::fs::write(&other, jwk.to_string()).unwrap();
    let report = report_of(&[token, "--key", &other.display().to_string()], 1);
    assert_eq!(check(&report, "signature")["status"], "fail");
    assert_eq!(report["key"], Value::Null);
    assert!(!has_untrusted_key_finding(&report), "{report:#}");
}

/// RFC 7515 A.2's RSA key as a public JWK with `kid`.
fn rfc7515_rsa_jwk(kid: &str) -> Value {
    let pem = vectors("rfc7515.json")["a2_rs256"]["public_pem"]
        .as_str()
        .unwrap()
        .to_owned();
    let key = keys_from_text(&pem, None).unwrap().remove(0);
    let mut jwk = key.material.public_jwk().unwrap();
    jwk.insert("kid".into(), json!(kid));
    Value::Object(jwk)
}

/// An RS256 token signed with RFC 7515 A.2's key, with `header` and `claims`.
fn rs256_token(mut header: Header, claims: &Value) -> String {
    header.alg = Algorithm::RS256;
    let pem = vectors("rfc7515.json")["a2_rs256"]["private_pem"]
        .as_str()
        .unwrap()
        .to_owned();
    encode(
        &header,
        claims,
        &EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
    )
    .unwrap()
}

fn kid_header(kid: &str) -> Header {
    Header {
        kid: Some(kid.into()),
        ..Header::new(Algorithm::RS256)
    }
}

/// An RS256 token (RFC 7515 A.2's key, kid `a2`) whose `jku` header is `jku`.
fn token_with_jku(jku: String) -> String {
    let header = Header {
        jku: Some(jku),
        ..kid_header("a2")
    };
    rs256_token(header, &json!({"sub": "mallory", "exp": 4_000_000_000u64}))
}

#[test]
fn a_jku_pointing_at_this_machine_is_refused_even_with_token_keys() {
    // The token, not the user, chose the URL: it may reach public addresses only.
    let server = TestServer::start([(
        "/jwks",
        Reply::json(json!({"keys": [rfc7515_rsa_jwk("a2")]}).to_string()),
    )]);
    let token = token_with_jku(server.url("/jwks"));
    let out = verify(&[&token, "--token-keys", "--json"]);
    let words = format!(
        "refusing to fetch {} (the token's jku header): it resolves to 127.0.0.1, a loopback \
         address",
        server.url("/jwks")
    );
    assert_input_error(&out, "http.forbidden_address", &words);
    assert_eq!(server.hits("/jwks"), 0, "never asked");
    // Without --token-keys the jku is not even considered.
    verify_with_someone_elses_key(&token);
    assert_eq!(server.hits("/jwks"), 0);
}

#[test]
fn a_jku_whose_public_name_resolves_to_this_machine_is_refused_on_its_address() {
    let server = TestServer::start([(
        "/jwks",
        Reply::json(json!({"keys": [rfc7515_rsa_jwk("a2")]}).to_string()),
    )]);
    let port = server.base().rsplit(':').next().unwrap().to_owned();
    let token = token_with_jku(format!("http://keys.example.test:{port}/jwks"));
    let policy = HttpPolicy {
        allow_insecure_http: true,
        ..HttpPolicy::default()
    };
    let loopback = "127.0.0.1".parse().unwrap();
    let client = HttpClient::with_resolved_hosts(
        policy,
        Arc::new(SystemClock),
        &[("keys.example.test", loopback)],
    );
    let decoded = decode_unverified(&token, 0).unwrap();
    let transcript = Transcript::new();
    let e = block_on(resolve_keys(
        &KeyInput::TokenHeader,
        &decoded,
        fetch_with(&client, &transcript, false),
    ))
    .unwrap_err();
    assert_eq!(e.code(), "http.forbidden_address", "{e}");
    assert!(
        e.to_string().contains("127.0.0.1, a loopback address"),
        "{e}"
    );
    assert_eq!(server.hits("/jwks"), 0);
    assert!(transcript.exchanges()[0].error.is_some());
}

#[test]
fn an_issuer_typed_by_public_name_may_not_send_verify_to_a_loopback_jwks_uri() {
    // `--issuer http://idp.example.test` reaches its metadata through a proxy (no address here,
    // so it counts as public); the metadata's jwks_uri names a server on this machine.
    let internal = TestServer::start([(
        "/jwks",
        Reply::json(json!({"keys": [rfc7515_rsa_jwk("a2")]}).to_string()),
    )]);
    let metadata = json!({"issuer": "http://idp.example.test", "jwks_uri": internal.url("/jwks")});
    let proxy = TestServer::start([(
        "http://idp.example.test/.well-known/openid-configuration",
        Reply::json(metadata.to_string()),
    )]);
    let token = rs256_token(kid_header("a2"), &json!({"iss": "http://idp.example.test"}));
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_tokenscope"));
    let args = [
        "verify",
        &token,
        "--issuer",
        "http://idp.example.test",
        "--allow-http",
        "--json",
    ];
    let out = proxy.proxy_for(&mut command).args(args).output().unwrap();
    let words = format!(
        "refusing to fetch {} (the jwks_uri of http://idp.example.test): it resolves to \
         127.0.0.1, a loopback address",
        internal.url("/jwks")
    );
    assert_input_error(&out, "http.forbidden_address", &words);
    assert_eq!(proxy.requests().len(), 1, "the metadata was fetched");
    assert_eq!(internal.hits("/jwks"), 0, "the keys were not");
}

/// A server whose discovery document says `issuer` and whose JWKS holds RFC 7515 A.2's key.
fn discovery_server(issuer: Value) -> TestServer {
    let mut metadata = json!({"jwks_uri": "{{base}}/jwks"});
    if !issuer.is_null() {
        metadata["issuer"] = issuer;
    }
    TestServer::start([
        (
            "/.well-known/openid-configuration",
            Reply::json(metadata.to_string()),
        ),
        (
            "/jwks",
            Reply::json(json!({"keys": [rfc7515_rsa_jwk("a2")]}).to_string()),
        ),
    ])
}

#[test]
fn metadata_naming_another_issuer_is_not_used() {
    // OIDC Discovery 1.0 §4.3: the issuer in the metadata must be the one asked for.
    let server = discovery_server(json!("https://elsewhere.example"));
    let token = rs256_token(
        kid_header("a2"),
        &json!({"iss": "https://elsewhere.example"}),
    );
    let out = verify(&[&token, "--issuer", &server.base(), "--json"]);
    let both = format!(
        "says issuer \"https://elsewhere.example\", but it was fetched for issuer \"{}\"",
        server.base()
    );
    assert_input_error(&out, "discovery.issuer_mismatch", &both);
    assert!(crate::util::stderr(&out).contains("§4.3"));
    assert_eq!(
        server.hits("/jwks"),
        0,
        "the keys of such metadata are not fetched"
    );
}

#[test]
fn metadata_without_an_issuer_or_off_by_a_slash_is_not_used() {
    let token = rs256_token(kid_header("a2"), &json!({"sub": "alice"}));
    let server = discovery_server(Value::Null);
    let out = verify(&[&token, "--issuer", &server.base(), "--json"]);
    assert_input_error(&out, "discovery.issuer_mismatch", "has no \"issuer\"");

    let server = discovery_server(json!(42));
    let out = verify(&[&token, "--issuer", &server.base(), "--json"]);
    assert_input_error(&out, "discovery.issuer_mismatch", "says issuer \"42\"");

    // The metadata says http://127.0.0.1:PORT; the user typed it with a trailing slash.
    let server = discovery_server(json!("{{base}}"));
    let out = verify(&[&token, "--issuer", &format!("{}/", server.base()), "--json"]);
    assert_input_error(&out, "discovery.issuer_mismatch", "trailing slash");
}

#[test]
fn the_given_issuer_is_the_expected_iss_unless_iss_is_given() {
    let server = discovery_server(json!("{{base}}"));
    let issuer = server.base();
    let ours = rs256_token(kid_header("a2"), &json!({"iss": issuer, "sub": "alice"}));
    let v = report_of(&[&ours, "--issuer", &issuer], 0);
    assert_eq!(check(&v, "iss")["status"], "pass");
    assert_eq!(v["key"]["source"], "issuer");

    // Signed with the issuer's key but claiming another issuer: iss fails, not the signature.
    let theirs = rs256_token(
        kid_header("a2"),
        &json!({"iss": "https://elsewhere.example", "sub": "alice"}),
    );
    let v = report_of(&[&theirs, "--issuer", &issuer], 1);
    assert_eq!(check(&v, "iss")["status"], "fail");
    assert!(check(&v, "iss")["message"]
        .as_str()
        .unwrap()
        .contains(&issuer));
    assert_eq!(check(&v, "signature")["status"], "pass");
    // --iss overrides the default.
    let args = [
        &theirs,
        "--issuer",
        &issuer,
        "--iss",
        "https://elsewhere.example",
    ];
    report_of(&args, 0);
}

#[test]
fn issuer_discovery_faults_are_clear_exit_2_errors() {
    let server = TestServer::start([]);
    for (reply, code, words) in [
        (Reply::status(404), "http.status", "404"),
        (Reply::status(500), "http.status", "500"),
        (Reply::json("{\"issuer\": "), "http.not_json", "JSON"),
    ] {
        server.set("/.well-known/openid-configuration", reply);
        let out = verify(&[&rfc_hs_token(), "--issuer", &server.base(), "--json"]);
        assert_input_error(&out, code, words);
    }
}

#[test]
fn an_empty_jwks_url_set_fails_the_signature_check() {
    let server = TestServer::start([("/jwks", Reply::json(r#"{"keys":[]}"#))]);
    let v = report_of(&[&rfc_hs_token(), "--jwks-url", &server.url("/jwks")], 1);
    assert_eq!(check(&v, "signature")["status"], "fail");
    assert!(check(&v, "signature")["message"]
        .as_str()
        .unwrap()
        .contains("no key"));
}

#[test]
fn refresh_fetches_cached_keys_again() {
    // A JWKS cacheable for ten minutes, then rotated on the server.
    let cached = |keys: Value| Reply::json(keys.to_string()).header("Cache-Control", "max-age=600");
    let server = TestServer::start([
        (
            "/.well-known/openid-configuration",
            cached(json!({"issuer": "{{base}}", "jwks_uri": "{{base}}/jwks"})),
        ),
        ("/jwks", cached(json!({"keys": [rfc7515_rsa_jwk("old")]}))),
    ]);
    let client = HttpClient::new(HttpPolicy::default(), Arc::new(SystemClock));
    let token = rs256_token(kid_header("new"), &json!({"sub": "alice"}));
    let decoded = decode_unverified(&token, 0).unwrap();
    let transcript = Transcript::new();
    let kids = |input: &KeyInput, refresh: bool| -> Vec<String> {
        block_on(resolve_keys(
            input,
            &decoded,
            fetch_with(&client, &transcript, refresh),
        ))
        .unwrap()
        .keys
        .into_iter()
        .filter_map(|k| k.kid)
        .collect()
    };
    let jwks_url = KeyInput::JwksUrl(server.url("/jwks"));
    let issuer = KeyInput::Issuer(server.base());
    assert_eq!(kids(&jwks_url, false), ["old"]);
    server.set("/jwks", cached(json!({"keys": [rfc7515_rsa_jwk("new")]})));
    assert_eq!(kids(&jwks_url, false), ["old"], "served from the cache");
    assert_eq!(kids(&issuer, false), ["old"], "the JWKS is cached by URL");
    assert_eq!(server.hits("/jwks"), 1);

    assert_eq!(kids(&issuer, true), ["new"]);
    assert_eq!(server.hits("/.well-known/openid-configuration"), 2);
    assert_eq!(server.hits("/jwks"), 2);
    // The refreshed copy replaces the cached one.
    assert_eq!(kids(&jwks_url, false), ["new"]);
    assert_eq!(server.hits("/jwks"), 2);
}
