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
use tokenscope::http::{HttpClient, HttpPolicy};
use tokenscope::jwk::{resolve_keys, KeyInput};
use tokenscope::jwt::decode_unverified;
use tokenscope::ErrorCode as _;

use crate::util::idp::Idp;
use crate::util::server::{Reply, TestServer};
use crate::util::{block_on, stdout_json as json_out, tokenscope, vectors};

fn verify(args: &[&str]) -> Output {
    let mut all = vec!["verify"];
    all.extend_from_slice(args);
    tokenscope(&all)
}

fn check<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap()
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
        assert_eq!(out.status.code(), Some(2), "{path}");
        let v = json_out(&out);
        assert_eq!(v["error"]["code"], code, "{path}: {v}");
        assert!(
            v["error"]["message"].as_str().unwrap().contains(words),
            "{path}: {v}"
        );
    }
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
    let client = HttpClient::new(policy, Arc::new(SystemClock)).unwrap();
    let decoded = decode_unverified(&rfc_hs_token(), 0).unwrap();
    let started = std::time::Instant::now();
    let err = block_on(resolve_keys(
        &KeyInput::JwksUrl(server.url("/slow")),
        &decoded,
        &client,
    ))
    .unwrap_err();
    assert_eq!(err.code(), "http.timeout");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "took {:?}",
        started.elapsed()
    );
    // The failed exchange is recorded for the app's transcript.
    assert_eq!(client.exchanges().len(), 1);
    assert!(client.exchanges()[0].error.is_some());
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
    let out = verify(&[&token, "--token-keys", "--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let report = json_out(&out);
    assert_eq!(report["key"]["source"], "token_header");
    assert!(report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["code"] == "untrusted-key"));
    // Without --token-keys the embedded key is never consulted.
    let out = verify(&[&token, "--key", "/dev/null", "--json"]);
    assert_eq!(out.status.code(), Some(2));
}
