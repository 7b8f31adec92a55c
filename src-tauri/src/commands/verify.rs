//! Verify: a token against a key source, reported check by check (issue 3), through the core's
//! one path ([`tokenscope::keysource::verify_with_key_source`]), as the CLI's `verify`.

use serde::{Deserialize, Serialize};
use tauri::State;
use tokenscope::http::{Exchange, Transcript};
use tokenscope::jwt::verify::{VerifyOptions, VerifyReport, DEFAULT_LEEWAY_SECONDS};
use tokenscope::keysource::{verify_with_key_source, KeyFetch, KeyInput};
use ts_rs::TS;

use crate::{AppState, IpcError};

/// What the Verify panel asks for. Empty lists and absent values skip the matching check.
#[derive(Deserialize, TS)]
pub struct VerifyRequest {
    /// The token as pasted (`Bearer `, quotes and whitespace are fine).
    pub token: String,
    /// Where the keys come from; secrets are held as `Secret` from the moment they arrive.
    pub key: KeyInput,
    /// Allowed `alg` values; empty: every standard algorithm that fits the key, never `none`.
    #[serde(default)]
    pub allowed_algs: Vec<String>,
    /// Expected issuer, compared exactly. With the `issuer` key source and no value here, that
    /// issuer is expected (its metadata must name it exactly, OIDC Discovery 1.0 §4.3).
    pub iss: Option<String>,
    /// Accepted audiences: the token's `aud` must contain one of them.
    #[serde(default)]
    pub aud: Vec<String>,
    pub nonce: Option<String>,
    /// The access token issued with an ID token, to check `at_hash`.
    pub access_token: Option<String>,
    /// The authorization code issued with an ID token, to check `c_hash`.
    pub code: Option<String>,
    /// Clock skew tolerated by `exp`, `nbf` and `iat`; default 60 s.
    #[ts(type = "number | null")]
    pub leeway: Option<u64>,
    /// Verify as of this Unix time instead of the app clock.
    #[ts(type = "number | null")]
    pub now: Option<i64>,
    /// Allow plain http to non-loopback hosts for network key sources.
    #[serde(default)]
    pub allow_http: bool,
    /// Fetch network keys again instead of using cached copies ("Refresh keys").
    #[serde(default)]
    pub refresh: bool,
    /// Check the token as an OpenID Connect ID token (`iat`, `sub` and `azp` rules); otherwise
    /// only a token that carries `nonce`, `at_hash`, `c_hash` or `auth_time` is taken for one.
    #[serde(default)]
    pub id_token: bool,
}

/// The report, and the HTTP exchanges made to fetch the keys (none for local keys).
#[derive(Debug, Serialize, TS)]
pub struct VerifyResponse {
    pub report: VerifyReport,
    pub exchanges: Vec<Exchange>,
}

impl VerifyRequest {
    /// The core's options for this request, as of `now` unless the request names its own.
    fn options(&self, now: i64) -> VerifyOptions {
        VerifyOptions {
            allowed_algs: self.allowed_algs.clone(),
            issuer: self.iss.clone(),
            audiences: self.aud.clone(),
            nonce: self.nonce.clone(),
            access_token: self.access_token.clone(),
            code: self.code.clone(),
            leeway: self.leeway.unwrap_or(DEFAULT_LEEWAY_SECONDS),
            id_token: self.id_token.then_some(true),
            ..VerifyOptions::at(self.now.unwrap_or(now))
        }
    }
}

/// Verifies a token against the chosen key source and reports every check. Network key sources
/// run as operation `operation_id`, which `cancel_operation` stops.
#[tauri::command]
pub async fn verify_token(
    request: VerifyRequest,
    operation_id: String,
    state: State<'_, AppState>,
) -> Result<VerifyResponse, IpcError> {
    verify(&state, request, &operation_id).await
}

async fn verify(
    state: &AppState,
    request: VerifyRequest,
    operation_id: &str,
) -> Result<VerifyResponse, IpcError> {
    let options = request.options(state.clock.now_unix());
    let transcript = Transcript::new();
    let fetch = KeyFetch {
        http: state.http(request.allow_http),
        transcript: &transcript,
        refresh: request.refresh,
    };
    let work = verify_with_key_source(&request.token, &request.key, options, fetch);
    let report = state
        .operations
        .run(operation_id, &transcript, work)
        .await?;
    let exchanges = transcript.into_exchanges();
    Ok(VerifyResponse { report, exchanges })
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead as _, BufReader, Write as _};
    use std::net::TcpListener;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    use serde_json::{json, Value};
    use tokenscope::jwt::verify::CheckStatus;

    use super::*;
    use crate::commands::test_support::{block_on, state_at, RFC7519_TOKEN};

    /// RFC 7515 Appendix A.1's HMAC key, which signed the RFC 7519 §3.1 example.
    const RFC7515_A1_KEY_B64: &str =
        "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";

    fn rfc7520() -> Value {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/rfc7520.json");
        let text = std::fs::read_to_string(path).unwrap();
        serde_json::from_str::<Value>(&text).unwrap()["s4_4_hs256"].clone()
    }

    /// A request as the UI sends it, deserialised the way Tauri does.
    fn request(value: Value) -> VerifyRequest {
        serde_json::from_value(value).unwrap()
    }

    fn status(report: &VerifyReport, name: &str) -> CheckStatus {
        report
            .checks
            .iter()
            .find(|c| c.name == name)
            .unwrap()
            .status
    }

    #[test]
    fn a_pasted_jwks_verifies_the_rfc7520_token_and_names_the_key() {
        let vector = rfc7520();
        let jwks = json!({ "keys": [vector["jwk"]] }).to_string();
        let req = request(json!({
            "token": vector["token"], "key": {"kind": "key_text", "value": jwks},
            "allowed_algs": [], "iss": null, "aud": [], "nonce": null, "access_token": null,
            "code": null, "leeway": null, "now": null, "allow_http": false
        }));
        let response = block_on(verify(&state_at(1_700_000_000), req, "op-1")).unwrap();
        assert!(response.report.valid);
        assert_eq!(status(&response.report, "signature"), CheckStatus::Pass);
        let key = response.report.key.unwrap();
        assert_eq!(
            key.kid.as_deref(),
            Some("018c0ae5-4d9b-471b-bfd6-eef314bc7037")
        );
        assert!(response.exchanges.is_empty());
    }

    #[test]
    fn a_tampered_payload_fails_the_signature_check_but_is_not_an_error() {
        let vector = rfc7520();
        let token = vector["token"]
            .as_str()
            .unwrap()
            .replacen(".SXTi", ".SXTj", 1);
        let jwks = json!({ "keys": [vector["jwk"]] }).to_string();
        let req = request(json!({"token": token, "key": {"kind": "key_text", "value": jwks}}));
        let report = block_on(verify(&state_at(0), req, "op-1")).unwrap().report;
        assert!(!report.valid);
        assert_eq!(status(&report, "signature"), CheckStatus::Fail);
    }

    #[test]
    fn a_base64_secret_and_a_fixed_now_verify_the_rfc7519_example() {
        let req = request(json!({
            "token": RFC7519_TOKEN,
            "key": {"kind": "secret_b64", "value": RFC7515_A1_KEY_B64},
            "iss": "joe", "now": 1_300_819_000
        }));
        // The app clock says 2023, long after exp; the request's "now" wins.
        let report = block_on(verify(&state_at(1_700_000_000), req, "op-1"))
            .unwrap()
            .report;
        assert!(report.valid, "{:?}", report.checks);
        assert_eq!(status(&report, "exp"), CheckStatus::Pass);
        assert_eq!(status(&report, "iss"), CheckStatus::Pass);
        assert_eq!(
            report.key.unwrap().thumbprint,
            None,
            "no thumbprint for a secret"
        );
    }

    #[test]
    fn id_token_asks_for_the_id_token_rules() {
        // RFC 7519's example has neither iat nor sub: fine for a JWT, not for an ID token.
        let ask = |id_token: bool| {
            let req = request(json!({
                "token": RFC7519_TOKEN,
                "key": {"kind": "secret_b64", "value": RFC7515_A1_KEY_B64},
                "now": 1_300_819_000, "id_token": id_token
            }));
            block_on(verify(&state_at(0), req, "op-1")).unwrap().report
        };
        let plain = ask(false);
        assert!(plain.valid, "{:?}", plain.checks);
        assert_eq!(status(&plain, "iat"), CheckStatus::Skipped);
        let id = ask(true);
        assert!(!id.valid);
        assert_eq!(status(&id, "iat"), CheckStatus::Fail);
        assert_eq!(status(&id, "sub"), CheckStatus::Fail);
    }

    #[test]
    fn options_reach_the_checks() {
        let req = request(json!({
            "token": RFC7519_TOKEN,
            "key": {"kind": "secret_b64", "value": RFC7515_A1_KEY_B64},
            "iss": "someone-else", "aud": ["api"], "allowed_algs": ["RS256"],
            "now": 1_300_819_380 + 30, "leeway": 0
        }));
        let report = block_on(verify(&state_at(0), req, "op-1")).unwrap().report;
        assert_eq!(status(&report, "iss"), CheckStatus::Fail);
        assert_eq!(status(&report, "aud"), CheckStatus::Fail);
        assert_eq!(status(&report, "alg"), CheckStatus::Fail);
        assert_eq!(status(&report, "exp"), CheckStatus::Fail, "leeway 0");
    }

    #[test]
    fn a_secret_b64_that_is_not_base64_is_an_invalid_key() {
        let req = request(json!({
            "token": RFC7519_TOKEN, "key": {"kind": "secret_b64", "value": "not base64!"}
        }));
        let error = block_on(verify(&state_at(0), req, "op-1")).unwrap_err();
        assert_eq!(error.code, "key.invalid");
        assert!(
            !error.message.contains("not base64!"),
            "the secret is not echoed"
        );
    }

    #[test]
    fn a_text_secret_is_its_utf8_bytes() {
        let req =
            request(json!({"token": RFC7519_TOKEN, "key": {"kind": "secret", "value": "wrong"}}));
        let report = block_on(verify(&state_at(0), req, "op-1")).unwrap().report;
        assert_eq!(status(&report, "signature"), CheckStatus::Fail);
    }

    #[test]
    fn unreadable_key_text_is_a_key_error() {
        let req =
            request(json!({"token": RFC7519_TOKEN, "key": {"kind": "key_text", "value": "{nope"}}));
        let error = block_on(verify(&state_at(0), req, "op-1")).unwrap_err();
        assert_eq!(error.code, "key.unreadable");
    }

    #[test]
    fn a_malformed_token_keeps_its_decode_code_and_location() {
        let req = request(
            json!({"token": "eyJhbGciOiJIUzI1NiJ9.e!.c2ln", "key": {"kind": "secret", "value": "s"}}),
        );
        let error = block_on(verify(&state_at(0), req, "op-1")).unwrap_err();
        assert_eq!(error.code, "jwt.invalid_base64url");
        assert!(error.details.is_some());
    }

    #[test]
    fn plain_http_jwks_url_to_a_remote_host_is_refused() {
        let req = request(json!({
            "token": RFC7519_TOKEN, "key": {"kind": "jwks_url", "value": "http://idp.example/jwks"}
        }));
        let error = block_on(verify(&state_at(0), req, "op-1")).unwrap_err();
        assert_eq!(error.code, "http.insecure");
    }

    #[test]
    fn an_unreachable_jwks_url_is_a_connect_error_with_its_exchange() {
        // Port 9 on loopback: nothing listens, the connection is refused at once.
        let req = request(json!({
            "token": RFC7519_TOKEN, "key": {"kind": "jwks_url", "value": "http://127.0.0.1:9/jwks"}
        }));
        let error = block_on(verify(&state_at(0), req, "op-1")).unwrap_err();
        assert_eq!(error.code, "http.connect");
        assert_eq!(error.exchanges.len(), 1);
        assert_eq!(error.exchanges[0].url, "http://127.0.0.1:9/jwks");
    }

    /// Serves a cacheable (`max-age=600`) JWK Set on 127.0.0.1 to up to `limit` requests,
    /// counting them.
    fn serve_cacheable_jwks(limit: usize) -> (String, Arc<AtomicUsize>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/jwks", listener.local_addr().unwrap());
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = hits.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().take(limit) {
                let mut stream = stream.unwrap();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                while reader.read_line(&mut line).unwrap() > 0 && line != "\r\n" {
                    line.clear();
                }
                counter.fetch_add(1, Ordering::SeqCst);
                let body = r#"{"keys":[{"kty":"oct","k":"AAAA"}]}"#;
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nCache-Control: max-age=600\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        (url, hits)
    }

    #[test]
    fn refresh_fetches_the_keys_again_instead_of_using_the_cache() {
        let (url, hits) = serve_cacheable_jwks(2);
        let state = state_at(0);
        let verify_with = |refresh: bool| {
            let req = request(json!({
                "token": RFC7519_TOKEN, "key": {"kind": "jwks_url", "value": url},
                "refresh": refresh
            }));
            block_on(verify(&state, req, "op-1")).unwrap().exchanges
        };
        assert!(!verify_with(false)[0].from_cache);
        assert!(
            verify_with(false)[0].from_cache,
            "the second look is cached"
        );
        assert_eq!(hits.load(Ordering::SeqCst), 1);
        let refreshed = verify_with(true);
        assert!(!refreshed[0].from_cache);
        assert_eq!(hits.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn the_token_header_source_needs_no_value() {
        let req = request(json!({"token": RFC7519_TOKEN, "key": {"kind": "token_header"}}));
        let error = block_on(verify(&state_at(0), req, "op-1")).unwrap_err();
        assert_eq!(error.code, "key.missing");
    }
}
