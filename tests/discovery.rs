//! Discovery against real servers on 127.0.0.1: provider-modelled metadata, a broken variant for
//! every finding, the fetch faults, the CLI contract, and the real OpenID Provider.

use std::sync::Arc;
use std::time::{Duration, Instant};

use std::process::Output;

use serde_json::{json, Value};
use tokenscope::clock::FixedClock;
use tokenscope::discovery::{
    analyze, discover, metadata_source, DiscoverOptions, DiscoveryFinding, DiscoveryReport,
    JwksOutcome, MetadataKind,
};
use tokenscope::http::{HttpClient, HttpPolicy, Transcript};
use tokenscope::jwt::Severity;

use crate::util::idp::Idp;
use crate::util::server::{Reply, TestServer};
use crate::util::{block_on, stdout_json, tokenscope};

/// 2026-01-01T00:00:00Z: inside the fixture certificates' 2025–2035 validity.
const NOW: i64 = 1_767_225_600;
const WELL_KNOWN: &str = "/.well-known/openid-configuration";

fn fixture_text(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/discovery/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn fixture(name: &str) -> Value {
    serde_json::from_str(&fixture_text(name)).unwrap()
}

fn broken_jwks(case: &str) -> Value {
    fixture("jwks-broken.json")[case].clone()
}

fn run_discover(input: &str, kind: MetadataKind) -> Result<DiscoveryReport, String> {
    run_discover_with(HttpPolicy::default(), input, kind)
}

/// A one-second budget, so the slow faults are tested without waiting for the 15 s default.
fn quick_policy() -> HttpPolicy {
    HttpPolicy {
        connect_timeout: Duration::from_secs(1),
        total_timeout: Duration::from_secs(1),
        ..HttpPolicy::default()
    }
}

fn run_discover_with(
    policy: HttpPolicy,
    input: &str,
    kind: MetadataKind,
) -> Result<DiscoveryReport, String> {
    let client = HttpClient::new(policy, Arc::new(FixedClock(NOW)));
    let options = DiscoverOptions {
        kind,
        bypass_cache: false,
    };
    let transcript = Transcript::new();
    block_on(discover(&client, input, &options, &transcript)).map_err(|e| e.to_string())
}

/// Every provider fixture on one server, each under its own issuer path, sharing `/jwks`.
fn provider_server() -> TestServer {
    TestServer::start([
        ("/jwks", Reply::json(fixture_text("jwks.json"))),
        (
            "/google/.well-known/openid-configuration",
            Reply::json(fixture_text("google.json")),
        ),
        (
            "/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0/.well-known/openid-configuration",
            Reply::json(fixture_text("entra-tenant.json")),
        ),
        (
            "/common/v2.0/.well-known/openid-configuration",
            Reply::json(fixture_text("entra-common.json")),
        ),
        (
            "/oauth2/default/.well-known/openid-configuration",
            Reply::json(fixture_text("okta.json")),
        ),
        (
            "/auth0/.well-known/openid-configuration",
            Reply::json(fixture_text("auth0.json")),
        ),
        (
            "/realms/demo/.well-known/openid-configuration",
            Reply::json(fixture_text("keycloak.json")),
        ),
        (
            "/.well-known/oauth-authorization-server/realms/demo",
            Reply::json(fixture_text("keycloak.json")),
        ),
    ])
}

fn findings_with<'a>(r: &'a DiscoveryReport, code: &str) -> Vec<&'a DiscoveryFinding> {
    r.findings.iter().filter(|f| f.code == code).collect()
}

/// The single finding `code` on `field`, with `severity`; fails listing what was found.
fn assert_finding(r: &DiscoveryReport, code: &str, severity: Severity, field: Option<&str>) {
    let found = r
        .findings
        .iter()
        .find(|f| f.code == code && f.field.as_deref() == field);
    let Some(f) = found else {
        panic!(
            "no {code} finding on {field:?}; found {:#?}",
            r.findings
                .iter()
                .map(|f| (&f.code, &f.field, f.severity))
                .collect::<Vec<_>>()
        )
    };
    assert_eq!(f.severity, severity, "{f:?}");
    assert!(
        f.message.contains("RFC") || f.message.contains("OIDC"),
        "the message cites its spec: {}",
        f.message
    );
}

fn errors(r: &DiscoveryReport) -> Vec<&DiscoveryFinding> {
    r.findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .collect()
}

// ---- provider-modelled documents -------------------------------------------------------------

#[test]
fn provider_documents_have_no_errors_and_their_expected_warnings() {
    let server = provider_server();
    let cases: [(&str, &[&str]); 6] = [
        ("/google", &["implicit-grant"]),
        (
            "/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0",
            &["pkce-not-advertised", "implicit-grant"],
        ),
        (
            "/common/v2.0",
            &["issuer-template", "pkce-not-advertised", "implicit-grant"],
        ),
        ("/oauth2/default", &["implicit-grant", "password-grant"]),
        ("/auth0/", &["implicit-grant"]),
        ("/realms/demo", &["implicit-grant", "password-grant"]),
    ];
    for (path, warnings) in cases {
        let issuer = server.url(path);
        let r = run_discover(&issuer, MetadataKind::OpenId).unwrap();
        assert!(errors(&r).is_empty(), "{path}: {:#?}", errors(&r));
        for w in warnings {
            assert!(
                findings_with(&r, w)
                    .iter()
                    .any(|f| f.severity == Severity::Warning),
                "{path}: expected warning {w}: {:#?}",
                r.findings
            );
        }
        assert_eq!(r.issuer, issuer);
        assert_eq!(r.keys.len(), 2, "{path}");
        assert!(r.jwks.is_some());
        // Plain http on loopback is only worth an info.
        assert_finding(&r, "loopback-http", Severity::Info, Some("token_endpoint"));
        // Two exchanges: metadata and JWKS.
        assert_eq!(r.exchanges.len(), 2, "{path}");
    }
}

#[test]
fn entra_common_tenant_template_is_noted_as_a_template() {
    let server = provider_server();
    let r = run_discover(&server.url("/common/v2.0"), MetadataKind::OpenId).unwrap();
    assert_finding(&r, "issuer-template", Severity::Warning, Some("issuer"));
    let f = findings_with(&r, "issuer-template")[0];
    assert!(f.message.contains("{tenantid}") && f.message.contains("template"));
    assert!(findings_with(&r, "issuer-mismatch").is_empty());
    // Entra's vendor fields are listed, not errors.
    assert_finding(
        &r,
        "unknown-field",
        Severity::Info,
        Some("cloud_instance_name"),
    );
    assert_finding(
        &r,
        "pkce-not-advertised",
        Severity::Warning,
        Some("code_challenge_methods_supported"),
    );
}

#[test]
fn auth0_issuer_keeps_its_trailing_slash_and_the_comparison_is_exact() {
    let server = provider_server();
    // With the slash, as Auth0 publishes it: fine.
    let r = run_discover(&server.url("/auth0/"), MetadataKind::OpenId).unwrap();
    assert!(findings_with(&r, "issuer-mismatch").is_empty());
    // Without it, the same metadata URL is fetched, but the issuer no longer matches exactly.
    let r = run_discover(&server.url("/auth0"), MetadataKind::OpenId).unwrap();
    assert_finding(&r, "issuer-mismatch", Severity::Error, Some("issuer"));
    assert!(findings_with(&r, "issuer-mismatch")[0]
        .message
        .contains("trailing slash"));
    // Auth0's vendor field.
    assert_finding(
        &r,
        "unknown-field",
        Severity::Info,
        Some("mfa_challenge_endpoint"),
    );
}

#[test]
fn keycloak_realm_with_a_path_via_oidc_rfc8414_and_a_direct_url() {
    let server = provider_server();
    let issuer = server.url("/realms/demo");
    let r = run_discover(&issuer, MetadataKind::OpenId).unwrap();
    assert_eq!(r.fetched_from, format!("{issuer}{WELL_KNOWN}"));
    assert_finding(
        &r,
        "alg-none-listed",
        Severity::Info,
        Some("userinfo_signing_alg_values_supported"),
    );
    assert_finding(
        &r,
        "pkce-plain-offered",
        Severity::Info,
        Some("code_challenge_methods_supported"),
    );
    // RFC 8414 §3.1: the well-known segment goes before the path.
    let r = run_discover(&issuer, MetadataKind::OAuth).unwrap();
    assert_eq!(
        r.fetched_from,
        server.url("/.well-known/oauth-authorization-server/realms/demo")
    );
    assert!(errors(&r).is_empty(), "{:#?}", errors(&r));
    // The metadata URL itself is accepted.
    let r = run_discover(&format!("{issuer}{WELL_KNOWN}"), MetadataKind::OpenId).unwrap();
    assert!(r.source.direct);
    assert!(errors(&r).is_empty(), "{:#?}", errors(&r));
}

/// Minimal RFC 8414 metadata naming `issuer` (no `jwks_uri`, which RFC 8414 does not require).
fn oauth_metadata(issuer: &str) -> String {
    json!({
        "issuer": issuer,
        "authorization_endpoint": "{{base}}/authorize",
        "token_endpoint": "{{base}}/token",
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"],
    })
    .to_string()
}

#[test]
fn a_direct_metadata_url_expects_the_issuer_with_or_without_a_trailing_slash_as_named() {
    // Both X and X/ build each of these URLs (OIDC Discovery 1.0 §4, RFC 8414 §3.1), so the
    // report's issuer is the one the metadata names, and neither is a mismatch.
    let oidc = |issuer: &str| {
        let mut doc = fixture("google.json");
        doc["issuer"] = json!(issuer);
        doc.to_string()
    };
    let server = TestServer::start([
        ("/jwks", good_jwks()),
        (
            "/slash/.well-known/openid-configuration",
            Reply::json(oidc("{{base}}/slash/")),
        ),
        (
            "/bare/.well-known/openid-configuration",
            Reply::json(oidc("{{base}}/bare")),
        ),
        (
            "/other/.well-known/openid-configuration",
            Reply::json(oidc("{{base}}/elsewhere/")),
        ),
        (
            "/.well-known/oauth-authorization-server",
            Reply::json(oauth_metadata("{{base}}/")),
        ),
        (
            "/.well-known/oauth-authorization-server/slash",
            Reply::json(oauth_metadata("{{base}}/slash/")),
        ),
        (
            "/.well-known/oauth-authorization-server/bare",
            Reply::json(oauth_metadata("{{base}}/bare")),
        ),
    ]);
    let cases = [
        (format!("/slash{WELL_KNOWN}"), "/slash/"),
        (format!("/bare{WELL_KNOWN}"), "/bare"),
        ("/.well-known/oauth-authorization-server".to_owned(), "/"),
        (
            "/.well-known/oauth-authorization-server/slash".to_owned(),
            "/slash/",
        ),
        (
            "/.well-known/oauth-authorization-server/bare".to_owned(),
            "/bare",
        ),
    ];
    for (path, issuer_path) in cases {
        let r = run_discover(&server.url(&path), MetadataKind::OpenId).unwrap();
        assert!(r.source.direct, "{path}");
        assert_eq!(r.issuer, server.url(issuer_path), "{path}");
        assert!(
            findings_with(&r, "issuer-mismatch").is_empty(),
            "{path}: {:#?}",
            r.findings
        );
    }
    // The server root without its slash: RFC 8414's other spelling of the same issuer.
    server.set(
        "/.well-known/oauth-authorization-server",
        Reply::json(oauth_metadata("{{base}}")),
    );
    let r = run_discover(
        &server.url("/.well-known/oauth-authorization-server"),
        MetadataKind::OpenId,
    )
    .unwrap();
    assert_eq!(r.issuer, server.base());
    assert!(findings_with(&r, "issuer-mismatch").is_empty());
    // Naming neither candidate keeps the slash-less form and is a mismatch.
    let r = run_discover(
        &server.url(&format!("/other{WELL_KNOWN}")),
        MetadataKind::OpenId,
    )
    .unwrap();
    assert_eq!(r.issuer, server.url("/other"));
    assert_finding(&r, "issuer-mismatch", Severity::Error, Some("issuer"));
    // The CLI reports the same issuer.
    let out = tokenscope(&[
        "discover",
        &server.url(&format!("/slash{WELL_KNOWN}")),
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout_json(&out)["issuer"], server.url("/slash/").as_str());
}

#[test]
fn key_cards_carry_thumbprints_and_certificate_details() {
    let server = provider_server();
    let r = run_discover(&server.url("/google"), MetadataKind::OpenId).unwrap();
    let rsa = &r.keys[0];
    assert_eq!(rsa.kty.as_deref(), Some("RSA"));
    assert_eq!(rsa.size_bits, Some(2048));
    assert_eq!(rsa.thumbprint.as_ref().map(String::len), Some(43));
    let cert = rsa.certificate.as_ref().unwrap();
    assert!(cert.subject.contains("Tokenscope Test Signing"), "{cert:?}");
    assert_eq!(cert.not_after, "2035-01-01T00:00:00Z");
    assert!(!cert.expired);
    assert_eq!(cert.matches_key, Some(true));
    let ec = &r.keys[1];
    assert_eq!(ec.curve.as_deref(), Some("P-256"));
    assert_eq!(ec.certificate.as_ref().unwrap().matches_key, Some(true));
    // Fields are explained from the catalog.
    let f = r.fields.iter().find(|f| f.name == "jwks_uri").unwrap();
    assert!(f.spec.as_deref().unwrap().contains("OIDC Discovery"));
}

#[test]
fn certificate_expiry_uses_the_injected_clock() {
    let metadata = json!({"issuer": "https://idp.example", "jwks_uri": "https://idp.example/jwks"});
    let source = metadata_source("https://idp.example", MetadataKind::OpenId).unwrap();
    let jwks = JwksOutcome::Fetched(fixture("jwks.json"));
    let r = analyze(&metadata, &source, &jwks, NOW);
    assert!(findings_with(&r, "certificate-expired").is_empty());
    // 2036: after the certificates' not_after.
    let r = analyze(&metadata, &source, &jwks, 2_082_758_400);
    assert_finding(
        &r,
        "certificate-expired",
        Severity::Warning,
        Some("jwks_uri"),
    );
}

// ---- a broken variant for every metadata finding ---------------------------------------------

/// Serves Google's document changed by `edit` (and `jwks`) and discovers it.
fn variant(edit: impl FnOnce(&mut Value), jwks: Reply) -> DiscoveryReport {
    let mut doc = fixture("google.json");
    edit(&mut doc);
    let server = TestServer::start([
        ("/jwks", jwks),
        (
            "/google/.well-known/openid-configuration",
            Reply::json(doc.to_string()),
        ),
    ]);
    run_discover(&server.url("/google"), MetadataKind::OpenId).unwrap()
}

fn good_jwks() -> Reply {
    Reply::json(fixture_text("jwks.json"))
}

fn edited(edit: impl FnOnce(&mut Value)) -> DiscoveryReport {
    variant(edit, good_jwks())
}

#[test]
fn issuer_mismatch_is_an_error() {
    let r = edited(|d| d["issuer"] = json!("https://accounts.example.com"));
    assert_finding(&r, "issuer-mismatch", Severity::Error, Some("issuer"));
    let r = edited(|d| d["issuer"] = json!("{{base}}/google/"));
    assert_finding(&r, "issuer-mismatch", Severity::Error, Some("issuer"));
    // A template that cannot produce the requested issuer is still a mismatch.
    let r = edited(|d| d["issuer"] = json!("{{base}}/{tenantid}/v2.0"));
    assert_finding(&r, "issuer-mismatch", Severity::Error, Some("issuer"));
}

#[test]
fn each_missing_required_field_is_an_error_on_that_field() {
    for field in [
        "issuer",
        "authorization_endpoint",
        "token_endpoint",
        "jwks_uri",
        "response_types_supported",
        "subject_types_supported",
        "id_token_signing_alg_values_supported",
    ] {
        let r = edited(|d| {
            d.as_object_mut().unwrap().remove(field);
        });
        assert_finding(&r, "missing-required-field", Severity::Error, Some(field));
    }
}

#[test]
fn token_endpoint_is_optional_for_an_implicit_only_provider() {
    let r = edited(|d| {
        let o = d.as_object_mut().unwrap();
        o.remove("token_endpoint");
        o.insert("response_types_supported".into(), json!(["id_token"]));
        o.insert("grant_types_supported".into(), json!(["implicit"]));
    });
    assert!(
        findings_with(&r, "missing-required-field").is_empty(),
        "{:#?}",
        r.findings
    );
}

#[test]
fn non_https_endpoint_is_an_error_and_loopback_only_info() {
    let r = edited(|d| d["token_endpoint"] = json!("http://idp.example.com/token"));
    assert_finding(
        &r,
        "insecure-endpoint",
        Severity::Error,
        Some("token_endpoint"),
    );
    let r = edited(|d| d["userinfo_endpoint"] = json!("http://[::1]:8080/userinfo"));
    assert_finding(
        &r,
        "loopback-http",
        Severity::Info,
        Some("userinfo_endpoint"),
    );
    let r = edited(|d| d["userinfo_endpoint"] = json!("userinfo"));
    assert_finding(
        &r,
        "invalid-url",
        Severity::Error,
        Some("userinfo_endpoint"),
    );
}

#[test]
fn fields_of_the_wrong_type_are_errors_and_unknown_fields_info() {
    let r = edited(|d| {
        d["scopes_supported"] = json!("openid email");
        d["claims_parameter_supported"] = json!("true");
        d["x_vendor_setting"] = json!(1);
    });
    assert_finding(&r, "wrong-type", Severity::Error, Some("scopes_supported"));
    assert_finding(
        &r,
        "wrong-type",
        Severity::Error,
        Some("claims_parameter_supported"),
    );
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "unknown-field" && f.field.as_deref() == Some("x_vendor_setting"))
        .expect("unknown field listed");
    assert_eq!(f.severity, Severity::Info);
}

#[test]
fn pkce_absent_or_without_s256_is_a_warning_never_an_error() {
    let r = edited(|d| {
        d.as_object_mut()
            .unwrap()
            .remove("code_challenge_methods_supported");
    });
    assert_finding(
        &r,
        "pkce-not-advertised",
        Severity::Warning,
        Some("code_challenge_methods_supported"),
    );
    assert!(errors(&r).is_empty());
    let r = edited(|d| d["code_challenge_methods_supported"] = json!(["plain"]));
    assert_finding(
        &r,
        "pkce-without-s256",
        Severity::Warning,
        Some("code_challenge_methods_supported"),
    );
    assert!(errors(&r).is_empty());
}

#[test]
fn none_for_id_tokens_is_a_warning_elsewhere_at_most_info() {
    let r = edited(|d| {
        d["id_token_signing_alg_values_supported"] = json!(["RS256", "none"]);
        d["request_object_signing_alg_values_supported"] = json!(["RS256", "none"]);
        d["token_endpoint_auth_methods_supported"] = json!(["client_secret_basic", "none"]);
    });
    assert_finding(
        &r,
        "id-token-alg-none",
        Severity::Warning,
        Some("id_token_signing_alg_values_supported"),
    );
    assert_finding(
        &r,
        "alg-none-listed",
        Severity::Info,
        Some("request_object_signing_alg_values_supported"),
    );
    // "none" in response_types_supported (Google's own document) and for public clients: fine.
    for field in [
        "response_types_supported",
        "token_endpoint_auth_methods_supported",
    ] {
        assert!(
            r.findings
                .iter()
                .filter(|f| f.field.as_deref() == Some(field))
                .all(|f| f.severity == Severity::Info || f.code == "implicit-grant"),
            "{field}: {:#?}",
            r.findings
        );
    }
    assert!(errors(&r).is_empty(), "{:#?}", errors(&r));
}

#[test]
fn implicit_and_password_grants_are_warnings() {
    let r = edited(|d| {
        d["grant_types_supported"] = json!(["authorization_code", "implicit", "password"]);
    });
    assert_finding(
        &r,
        "implicit-grant",
        Severity::Warning,
        Some("grant_types_supported"),
    );
    assert_finding(
        &r,
        "password-grant",
        Severity::Warning,
        Some("grant_types_supported"),
    );
    assert_finding(
        &r,
        "implicit-grant",
        Severity::Warning,
        Some("response_types_supported"),
    );
}

// ---- JWKS ------------------------------------------------------------------------------------

#[test]
fn unreachable_or_invalid_jwks_is_an_error() {
    // Unreachable: no answer, or an HTTP error status. Invalid: an answer that is not a JWK Set.
    for (reply, code) in [
        (Reply::status(404), "jwks-unreachable"),
        (Reply::status(500), "jwks-unreachable"),
        (Reply::html("<html>login</html>"), "jwks-invalid"),
        (Reply::json("{oops"), "jwks-invalid"),
        (
            Reply::json(broken_jwks("not-a-set").to_string()),
            "jwks-invalid",
        ),
    ] {
        let r = variant(|_| {}, reply);
        assert_finding(&r, code, Severity::Error, Some("jwks_uri"));
        let other = if code == "jwks-invalid" {
            "jwks-unreachable"
        } else {
            "jwks-invalid"
        };
        assert!(
            findings_with(&r, other).is_empty(),
            "{code}: {:#?}",
            r.findings
        );
        assert!(r.jwks.is_none(), "{code}");
        assert!(r.keys.is_empty(), "{code}");
    }
    let r = variant(|_| {}, Reply::html("<html>login</html>"));
    let message = &findings_with(&r, "jwks-invalid")[0].message;
    assert!(
        message.contains("/jwks returned HTML") && message.contains("JWK Set"),
        "{message}"
    );
    let r = edited(|d| d["jwks_uri"] = json!("https://127.0.0.1:1/jwks"));
    assert_finding(&r, "jwks-unreachable", Severity::Error, Some("jwks_uri"));
}

#[test]
fn a_jwks_slower_than_the_timeout_is_unreachable_and_does_not_hang() {
    let mut doc = fixture("google.json");
    doc["jwks_uri"] = json!("{{base}}/slow-jwks");
    let server = TestServer::start([
        (
            "/slow-jwks",
            Reply::json(fixture_text("jwks.json")).delay(Duration::from_secs(4)),
        ),
        (
            "/google/.well-known/openid-configuration",
            Reply::json(doc.to_string()),
        ),
    ]);
    let started = Instant::now();
    let r =
        run_discover_with(quick_policy(), &server.url("/google"), MetadataKind::OpenId).unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_finding(&r, "jwks-unreachable", Severity::Error, Some("jwks_uri"));
    let message = &findings_with(&r, "jwks-unreachable")[0].message;
    assert!(message.contains("did not answer within 1 s"), "{message}");
    assert!(r.jwks.is_none());
}

#[test]
fn each_broken_key_gets_its_finding() {
    let cases = [
        ("expired-cert", "certificate-expired", Severity::Warning),
        ("cert-mismatch", "certificate-key-mismatch", Severity::Error),
        ("weak-rsa", "weak-rsa-key", Severity::Error),
        ("no-use-no-alg", "key-without-use-or-alg", Severity::Warning),
        ("alg-crv-mismatch", "alg-kty-mismatch", Severity::Error),
        ("alg-kty-mismatch", "alg-kty-mismatch", Severity::Error),
        ("duplicate-kid", "duplicate-kid", Severity::Warning),
        ("symmetric", "symmetric-key-in-jwks", Severity::Error),
        ("private", "private-key-in-jwks", Severity::Error),
        ("bad-cert", "certificate-invalid", Severity::Warning),
        ("empty", "jwks-empty", Severity::Warning),
    ];
    for (case, code, severity) in cases {
        let r = variant(|_| {}, Reply::json(broken_jwks(case).to_string()));
        assert_finding(&r, code, severity, Some("jwks_uri"));
    }
    let r = variant(|_| {}, Reply::json(broken_jwks("weak-rsa").to_string()));
    assert_eq!(r.keys[0].size_bits, Some(1024));
    assert!(findings_with(&r, "weak-rsa-key")[0]
        .message
        .contains("1024-bit"));
}

// ---- faults: errors, never hangs --------------------------------------------------------------

#[test]
fn fetch_faults_are_errors_with_stable_codes() {
    let big = format!("{{\"pad\":\"{}\"}}", " ".repeat(2 * 1024 * 1024));
    let server = TestServer::start([
        ("/500/.well-known/openid-configuration", Reply::status(500)),
        (
            "/loop/.well-known/openid-configuration",
            Reply::redirect("/loop2"),
        ),
        (
            "/loop2",
            Reply::redirect("/loop/.well-known/openid-configuration"),
        ),
        ("/big/.well-known/openid-configuration", Reply::json(big)),
        (
            "/html/.well-known/openid-configuration",
            Reply::html("<!doctype html><form>Sign in</form>"),
        ),
        (
            "/bad/.well-known/openid-configuration",
            Reply::json("{\"a\":"),
        ),
        ("/array/.well-known/openid-configuration", Reply::json("[]")),
    ]);
    for (path, code) in [
        ("/404", "http.status"),
        ("/500", "http.status"),
        ("/loop", "http.redirects"),
        ("/big", "http.too_large"),
        ("/html", "http.not_json"),
        ("/bad", "http.not_json"),
        ("/array", "discovery.not_an_object"),
    ] {
        let client = HttpClient::new(HttpPolicy::default(), Arc::new(FixedClock(NOW)));
        let e = block_on(discover(
            &client,
            &server.url(path),
            &DiscoverOptions::default(),
            &Transcript::new(),
        ))
        .unwrap_err();
        assert_eq!(tokenscope::ErrorCode::code(&e), code, "{path}: {e}");
        assert!(e.to_string().contains(&server.url(path)), "{path}: {e}");
    }
}

#[test]
fn metadata_slower_than_the_timeout_is_a_timeout_error_saying_what_was_expected() {
    let server = TestServer::start([(
        "/slow/.well-known/openid-configuration",
        Reply::json(fixture_text("google.json")).delay(Duration::from_secs(4)),
    )]);
    let client = HttpClient::new(quick_policy(), Arc::new(FixedClock(NOW)));
    let started = Instant::now();
    let transcript = Transcript::new();
    let e = block_on(discover(
        &client,
        &server.url("/slow"),
        &DiscoverOptions::default(),
        &transcript,
    ))
    .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(tokenscope::ErrorCode::code(&e), "http.timeout", "{e}");
    assert_eq!(
        e.to_string(),
        format!(
            "{} did not answer within 1 s (timeout), expected a JSON document",
            server.url(&format!("/slow{WELL_KNOWN}"))
        )
    );
    // The exchange that timed out is recorded, without a status.
    let exchanges = transcript.exchanges();
    assert_eq!(exchanges.len(), 1);
    assert_eq!(exchanges[0].status, None);
    assert!(exchanges[0].error.is_some());
}

// ---- the CLI contract --------------------------------------------------------------------------

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn assert_contract_shape(v: &Value) {
    assert!(v["issuer"].is_string(), "{v}");
    assert!(v["metadata"].is_object(), "{v}");
    assert!(v["jwks"].is_null() || v["jwks"]["keys"].is_array(), "{v}");
    for f in v["findings"].as_array().expect("findings array") {
        let severity = f["severity"].as_str().unwrap();
        assert!(["error", "warning", "info"].contains(&severity), "{f}");
        assert!(f["code"].is_string() && f["message"].is_string(), "{f}");
        assert!(f["field"].is_string() || f["field"].is_null(), "{f}");
    }
}

#[test]
fn cli_exit_0_for_sound_metadata_with_the_contract_shape() {
    let server = provider_server();
    let issuer = server.url("/google");
    let out = tokenscope(&["discover", &issuer, "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = stdout_json(&out);
    assert_contract_shape(&v);
    assert_eq!(v["issuer"], issuer.as_str());
    assert_eq!(v["metadata"]["issuer"], issuer.as_str());
    assert_eq!(v["jwks"]["keys"].as_array().unwrap().len(), 2);
    assert!(v["keys"][0]["thumbprint"].is_string());
}

#[test]
fn cli_exit_1_when_a_finding_is_an_error() {
    let server = provider_server();
    let out = tokenscope(&["discover", &server.url("/auth0"), "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let v = stdout_json(&out);
    assert_contract_shape(&v);
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["code"] == "issuer-mismatch"
            && f["severity"] == "error"
            && f["field"] == "issuer"));
}

#[test]
fn cli_exit_1_with_jwks_null_when_the_jwks_is_unreachable() {
    // The metadata is fine, so this is a report with an error finding (1), not a fault (2).
    let mut doc = fixture("google.json");
    doc["jwks_uri"] = json!("{{base}}/missing-jwks");
    let server = TestServer::start([(
        "/google/.well-known/openid-configuration",
        Reply::json(doc.to_string()),
    )]);
    let out = tokenscope(&["discover", &server.url("/google"), "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let v = stdout_json(&out);
    assert_contract_shape(&v);
    assert_eq!(v.get("jwks"), Some(&Value::Null), "{v}");
    let unreachable: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "jwks-unreachable")
        .collect();
    assert_eq!(unreachable.len(), 1, "{v}");
    assert_eq!(unreachable[0]["severity"], "error");
    assert_eq!(unreachable[0]["field"], "jwks_uri");
    assert!(
        unreachable[0]["message"]
            .as_str()
            .unwrap()
            .contains("HTTP 404"),
        "{}",
        unreachable[0]
    );
}

#[test]
fn cli_metadata_and_jwks_are_exactly_as_fetched_key_order_included() {
    // Keys deliberately out of alphabetical order, at the top level and in a nested object.
    let served = r#"{"token_endpoint":"{{base}}/o/token","issuer":"{{base}}/o","jwks_uri":"{{base}}/o/jwks","authorization_endpoint":"{{base}}/o/authorize","x_vendor":{"zeta":1,"alpha":{"y":true,"b":null},"mid":[3,1,2]},"response_types_supported":["code"],"subject_types_supported":["public"],"id_token_signing_alg_values_supported":["RS256"],"code_challenge_methods_supported":["S256"]}"#;
    let server = TestServer::start([
        ("/o/.well-known/openid-configuration", Reply::json(served)),
        ("/o/jwks", good_jwks()),
    ]);
    let served = served.replace("{{base}}", &server.base());
    let served_doc: Value = serde_json::from_str(&served).unwrap();
    let keys: Vec<&String> = served_doc.as_object().unwrap().keys().collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_ne!(
        keys, sorted,
        "the served document must not already be sorted"
    );

    let out = tokenscope(&["discover", &server.url("/o"), "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = stdout_json(&out);
    assert_contract_shape(&v);
    // serde_json is built with preserve_order, so re-serialising keeps the printed key order.
    assert_eq!(serde_json::to_string(&v["metadata"]).unwrap(), served);
    let jwks_text = fixture_text("jwks.json");
    let jwks: Value = serde_json::from_str(&jwks_text).unwrap();
    assert_eq!(v["jwks"], jwks);
    assert_eq!(
        serde_json::to_string(&v["jwks"]).unwrap(),
        serde_json::to_string(&jwks).unwrap()
    );
}

#[test]
fn cli_exit_2_for_every_fetch_fault_with_a_clear_message_and_no_hang() {
    let big = " ".repeat(2 * 1024 * 1024);
    let server = TestServer::start([
        ("/500/.well-known/openid-configuration", Reply::status(500)),
        (
            "/loop/.well-known/openid-configuration",
            Reply::redirect("/loop2"),
        ),
        (
            "/loop2",
            Reply::redirect("/loop/.well-known/openid-configuration"),
        ),
        (
            "/big/.well-known/openid-configuration",
            Reply::json(big).chunked(),
        ),
        (
            "/slow/.well-known/openid-configuration",
            Reply::json("{}").delay(Duration::from_secs(5)),
        ),
        (
            "/html/.well-known/openid-configuration",
            Reply::html("<html><body>Sign in</body></html>"),
        ),
        (
            "/bad/.well-known/openid-configuration",
            Reply::json("not json"),
        ),
    ]);
    let refused = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://127.0.0.1:{}", l.local_addr().unwrap().port())
    };
    let cases = [
        (server.url("/404"), "http.status", "404"),
        (server.url("/500"), "http.status", "500"),
        (server.url("/loop"), "http.redirects", "redirect loop"),
        (server.url("/big"), "http.too_large", "size cap"),
        (
            server.url("/slow"),
            "http.timeout",
            "did not answer within 1 s",
        ),
        (server.url("/html"), "http.not_json", "HTML"),
        (server.url("/bad"), "http.not_json", "invalid JSON"),
        (refused, "http.connect", "could not connect"),
        (
            "http://idp.example.invalid".to_owned(),
            "http.insecure",
            "https",
        ),
        (
            "not a url".to_owned(),
            "discovery.invalid_issuer",
            "not an issuer URL",
        ),
    ];
    for (url, code, words) in cases {
        let started = Instant::now();
        let out = tokenscope(&["discover", &url, "--json", "--timeout", "1"]);
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{url} took too long"
        );
        assert_eq!(out.status.code(), Some(2), "{url}: {}", stderr(&out));
        let v = stdout_json(&out);
        assert_eq!(v["error"]["code"], code, "{url}: {v}");
        let message = v["error"]["message"].as_str().unwrap();
        assert!(message.contains(words), "{url}: {message}");
        assert!(stderr(&out).contains(message), "{url}: {}", stderr(&out));
    }
}

#[test]
fn cli_refuses_an_issuer_with_credentials_without_repeating_them() {
    for json in [true, false] {
        let mut args = vec!["discover", "https://user:pass@idp.example.test"];
        if json {
            args.push("--json");
        }
        let out = tokenscope(&args);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
        assert!(!all.contains("pass"), "{all}");
        assert!(all.contains("credentials"), "{all}");
        if json {
            assert_eq!(
                stdout_json(&out)["error"]["code"],
                "http.credentials_in_url"
            );
        }
    }
}

#[test]
fn cli_a_public_issuer_whose_jwks_uri_is_on_this_machine_gets_an_unreachable_jwks_finding() {
    // http://idp.example.test has no address here (so it counts as public) and is reached
    // through the proxy; its metadata sends the keys to a server on this machine.
    let internal = TestServer::start([("/jwks", Reply::json(fixture_text("jwks.json")))]);
    let mut doc = fixture("google.json");
    doc["issuer"] = json!("http://idp.example.test");
    doc["jwks_uri"] = json!(internal.url("/jwks"));
    let proxy = TestServer::start([(
        "http://idp.example.test/.well-known/openid-configuration",
        Reply::json(doc.to_string()),
    )]);
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_tokenscope"));
    let args = [
        "discover",
        "http://idp.example.test",
        "--allow-http",
        "--json",
    ];
    let out = proxy.proxy_for(&mut command).args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let v = stdout_json(&out);
    assert_contract_shape(&v);
    assert_eq!(v["jwks"], Value::Null);
    let finding = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "jwks-unreachable")
        .unwrap_or_else(|| panic!("{v}"));
    let message = finding["message"].as_str().unwrap();
    let refusal = format!(
        "refusing to fetch {} (the jwks_uri of http://idp.example.test): it resolves to \
         127.0.0.1, a loopback address",
        internal.url("/jwks")
    );
    assert!(message.contains(&refusal), "{message}");
    assert_eq!(internal.hits("/jwks"), 0);
}

#[test]
fn a_typed_issuer_name_resolving_to_loopback_may_name_a_loopback_jwks_uri() {
    // A local IdP under a name (here idp.example.test → 127.0.0.1): the URL the user typed is
    // itself a loopback address, so URLs its metadata names may be too.
    let server = provider_server();
    let port = server.base().rsplit(':').next().unwrap().to_owned();
    let issuer = format!("http://idp.example.test:{port}/google");
    let mut doc = fixture("google.json");
    doc["issuer"] = json!(issuer);
    doc["jwks_uri"] = json!(server.url("/jwks"));
    server.set(
        "/google/.well-known/openid-configuration",
        Reply::json(doc.to_string()),
    );
    let policy = HttpPolicy {
        allow_insecure_http: true,
        ..HttpPolicy::default()
    };
    let loopback = "127.0.0.1".parse().unwrap();
    let client = HttpClient::with_resolved_hosts(
        policy,
        Arc::new(FixedClock(NOW)),
        &[("idp.example.test", loopback)],
    );
    let options = DiscoverOptions::default();
    let r = block_on(discover(&client, &issuer, &options, &Transcript::new())).unwrap();
    assert!(r.jwks.is_some(), "{:?}", r.findings);
    assert_eq!(server.hits("/jwks"), 1);
}

#[test]
fn cli_allow_http_lifts_the_https_requirement() {
    // Without the flag the fetch is refused before any connection; with it, it is attempted (and
    // fails to resolve the reserved .invalid name instead).
    let out = tokenscope(&[
        "discover",
        "http://idp.example.invalid",
        "--json",
        "--allow-http",
        "--timeout",
        "2",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_ne!(stdout_json(&out)["error"]["code"], "http.insecure");
}

#[test]
fn cli_readable_rendering_shows_findings_then_fields_then_keys() {
    let server = provider_server();
    let out = tokenscope(&["discover", &server.url("/common/v2.0")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    let findings = text.find("Findings").unwrap();
    let endpoints = text.find("Endpoints").unwrap();
    let keys = text.find("thumbprint").unwrap();
    assert!(findings < endpoints && endpoints < keys, "{text}");
    assert!(text.contains("issuer-template"));
    assert!(text.contains("Tokenscope Test Signing"));
}

// ---- the real OpenID Provider ------------------------------------------------------------------

#[test]
fn cli_discovers_the_real_openid_provider() {
    let idp = Idp::start();
    let out = tokenscope(&["discover", &idp.issuer, "--json"]);
    let v = stdout_json(&out);
    assert_contract_shape(&v);
    let findings = v["findings"].as_array().unwrap();
    let has_error = findings.iter().any(|f| f["severity"] == "error");
    assert_eq!(
        out.status.code(),
        Some(i32::from(has_error)),
        "{}",
        stderr(&out)
    );
    assert!(
        !has_error,
        "the test provider's metadata is sound: {findings:#?}"
    );
    assert_eq!(v["issuer"], idp.issuer.as_str());
    assert_eq!(v["metadata"]["issuer"], idp.issuer.as_str());
    // Loopback http: info, not error.
    assert!(findings.iter().any(|f| f["code"] == "loopback-http"
        && f["severity"] == "info"
        && f["field"] == "jwks_uri"));
    let keys = v["jwks"]["keys"].as_array().unwrap();
    assert!(!keys.is_empty());
    let summaries = v["keys"].as_array().unwrap();
    assert_eq!(summaries.len(), keys.len());
    for k in summaries {
        assert_eq!(k["thumbprint"].as_str().map(str::len), Some(43), "{k}");
    }
    assert_eq!(
        v["metadata"]["code_challenge_methods_supported"],
        json!(["S256"])
    );
}

#[test]
fn cli_readable_output_collapses_a_code_repeated_per_field_into_one_row() {
    let idp = Idp::start();
    let json = stdout_json(&tokenscope(&["discover", &idp.issuer, "--json"]));
    let per_field: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "loopback-http")
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    // --json keeps one entry per field (the contract) …
    assert!(per_field.len() > 3, "{per_field:?}");
    // … the readable output one row, with the other fields listed under it.
    let out = tokenscope(&["discover", &idp.issuer]);
    let text = String::from_utf8_lossy(&out.stdout);
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("loopback-http"))
        .collect();
    assert_eq!(rows.len(), 1, "{text}");
    assert!(
        rows[0].contains(&format!("×{}", per_field.len())),
        "{}",
        rows[0]
    );
    let listed = text
        .lines()
        .find(|l| l.trim_start().starts_with("the same for:"))
        .unwrap_or_else(|| panic!("{text}"));
    for field in &per_field[1..] {
        assert!(listed.contains(field), "{field} in {listed}");
    }
}

#[test]
fn cli_readable_output_escapes_control_characters_the_server_sent() {
    // A hostile provider: an OSC sequence (retitle the terminal) in a field value and a kid.
    let served = r#"{"issuer":"{{base}}/o","authorization_endpoint":"{{base}}/o/authorize","token_endpoint":"{{base}}/o/token","jwks_uri":"{{base}}/o/jwks","response_types_supported":["code"],"subject_types_supported":["public"],"id_token_signing_alg_values_supported":["RS256"],"service_documentation":"https://docs.example/\u001b]0;pwned\u0007"}"#;
    let mut jwks = fixture("jwks.json");
    jwks["keys"][0]["kid"] = json!("k\u{1b}[2Jcleared");
    let server = TestServer::start([
        ("/o/.well-known/openid-configuration", Reply::json(served)),
        ("/o/jwks", Reply::json(jwks.to_string())),
    ]);
    let out = tokenscope(&["discover", &server.url("/o")]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(r"https://docs.example/\u{1b}]0;pwned\u{7}"),
        "{text}"
    );
    assert!(text.contains(r"k\u{1b}[2Jcleared"), "{text}");
    assert!(!text.contains(['\u{1b}', '\u{7}']), "{text:?}");
}
