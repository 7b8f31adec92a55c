//! Discover: fetch, explain and lint an issuer's metadata and keys (issue 5).

use serde::Deserialize;
use serde_json::Value;
use tauri::State;
use tokenscope::discovery::{compare, discover, DiscoverOptions, DiscoveryReport, MetadataKind};
use tokenscope::http::Transcript;
use tokenscope::jwt::Change;
use ts_rs::TS;

use crate::{AppState, IpcError};

/// What the Discover view asks for.
#[derive(Debug, Deserialize, TS)]
pub struct DiscoverRequest {
    /// An issuer URL, or a metadata URL itself.
    pub issuer: String,
    /// Fetch RFC 8414 `/.well-known/oauth-authorization-server` instead of OIDC Discovery.
    #[serde(default)]
    pub oauth: bool,
    /// Allow plain http to non-loopback hosts (loopback is always allowed).
    #[serde(default)]
    pub allow_http: bool,
    /// Ignore cached copies and fetch again.
    #[serde(default)]
    pub refresh: bool,
}

impl DiscoverRequest {
    fn options(&self) -> DiscoverOptions {
        DiscoverOptions {
            kind: if self.oauth {
                MetadataKind::OAuth
            } else {
                MetadataKind::OpenId
            },
            bypass_cache: self.refresh,
        }
    }
}

/// Fetches an issuer's metadata and JWKS and lints both, as operation `operation_id` (which
/// `cancel_operation` stops); the report carries its exchanges. A failure to get any metadata,
/// or the cancellation, is an error that still carries the exchanges made.
#[tauri::command]
pub async fn discover_issuer(
    request: DiscoverRequest,
    operation_id: String,
    state: State<'_, AppState>,
) -> Result<DiscoveryReport, IpcError> {
    run(&state, request, &operation_id).await
}

async fn run(
    state: &AppState,
    request: DiscoverRequest,
    operation_id: &str,
) -> Result<DiscoveryReport, IpcError> {
    let (options, transcript) = (request.options(), Transcript::new());
    let http = state.http(request.allow_http);
    let work = discover(http, &request.issuer, &options, &transcript);
    state.operations.run(operation_id, &transcript, work).await
}

/// The structural differences between two metadata documents (e.g. staging vs production);
/// list-valued fields compare as sets.
#[tauri::command]
pub async fn compare_metadata(before: Value, after: Value) -> Result<Vec<Change>, IpcError> {
    Ok(compare(&before, &after))
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;
    use std::time::Instant;

    use serde_json::json;
    use tokenscope::jwt::ChangeKind;

    use super::*;
    use crate::commands::test_support::{block_on, state_at};

    /// Serves the routes `routes(base)` returns (path → JSON body) on 127.0.0.1 from a thread,
    /// 404 for any other path, and returns `base` (`http://127.0.0.1:PORT`).
    fn serve(routes: impl FnOnce(&str) -> Vec<(String, String)>) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let routes = routes(&base);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut reader = BufReader::new(stream);
                let mut line = String::new();
                reader.read_line(&mut line).unwrap_or_default();
                let path = line.split(' ').nth(1).unwrap_or("").to_owned();
                // Skip the request headers, up to the blank line.
                while reader.read_line(&mut line).is_ok_and(|n| n > 2) {}
                let (status, body) = routes
                    .iter()
                    .find(|(p, _)| *p == path)
                    .map_or((404, "{}".to_owned()), |(_, b)| (200, b.clone()));
                let reply = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n\
                     content-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = reader.get_mut().write_all(reply.as_bytes());
            }
        });
        base
    }

    fn request(issuer: &str) -> DiscoverRequest {
        DiscoverRequest {
            issuer: issuer.to_owned(),
            oauth: false,
            allow_http: false,
            refresh: false,
        }
    }

    #[test]
    fn a_loopback_issuer_is_discovered_with_its_keys_and_exchanges() {
        let base = serve(|base| {
            let metadata = json!({
                "issuer": base,
                "authorization_endpoint": format!("{base}/authorize"),
                "token_endpoint": format!("{base}/token"),
                "jwks_uri": format!("{base}/jwks"),
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
            });
            let jwks = json!({"keys": [{"kty": "EC", "kid": "k1", "use": "sig", "crv": "P-256",
                "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
                "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]});
            vec![
                (
                    "/.well-known/openid-configuration".into(),
                    metadata.to_string(),
                ),
                ("/jwks".into(), jwks.to_string()),
            ]
        });
        let report = block_on(run(&state_at(1_767_225_600), request(&base), "op-1")).unwrap();
        assert_eq!(report.issuer, base);
        assert_eq!(report.keys[0].kid.as_deref(), Some("k1"));
        assert_eq!(report.keys[0].curve.as_deref(), Some("P-256"));
        assert_eq!(report.exchanges.len(), 2, "metadata and JWKS");
        assert!(report.exchanges.iter().all(|e| e.status == Some(200)));
    }

    #[test]
    fn a_404_is_an_error_that_carries_the_exchange() {
        let base = serve(|_| Vec::new());
        let error = block_on(run(&state_at(0), request(&base), "op-1")).unwrap_err();
        assert_eq!(error.code, "http.status");
        assert!(error.message.contains("404"), "{}", error.message);
        assert_eq!(error.exchanges.len(), 1);
        assert_eq!(error.exchanges[0].status, Some(404));
    }

    #[test]
    fn plain_http_to_a_remote_host_is_refused_unless_allowed() {
        let error = block_on(run(&state_at(0), request("http://idp.example"), "op-1")).unwrap_err();
        assert_eq!(error.code, "http.insecure");
    }

    #[test]
    fn an_issuer_that_is_not_a_url_is_an_invalid_issuer() {
        let error =
            block_on(run(&state_at(0), request("accounts.google.com"), "op-1")).unwrap_err();
        assert_eq!(error.code, "discovery.invalid_issuer");
    }

    /// A server on 127.0.0.1 that accepts connections and never answers: `http://…` and the
    /// accepted connections, kept open.
    fn silent_server() -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            let open: Vec<_> = listener.incoming().take(4).flatten().collect();
            std::thread::sleep(std::time::Duration::from_secs(30));
            drop(open);
        });
        base
    }

    #[test]
    fn cancel_operation_ends_a_pending_discovery_with_the_cancelled_code() {
        let base = silent_server();
        let state = state_at(0);
        let cancelled_at = std::sync::Mutex::new(None);
        let (error, ended) = std::thread::scope(|scope| {
            scope.spawn(|| {
                std::thread::sleep(std::time::Duration::from_millis(300));
                *cancelled_at.lock().unwrap() = Some(Instant::now());
                state.operations.cancel("discover-1");
            });
            let error = block_on(run(&state, request(&base), "discover-1")).unwrap_err();
            (error, Instant::now())
        });
        let cancelled_at = cancelled_at.into_inner().unwrap().expect("cancelled");
        assert_eq!(error.code, "operation.cancelled");
        assert!(
            ended.duration_since(cancelled_at) < std::time::Duration::from_millis(100),
            "{:?} after the cancel",
            ended.duration_since(cancelled_at)
        );
        // The request that was waiting comes back with the cancellation, marked unfinished.
        assert_eq!(error.exchanges.len(), 1);
        assert_eq!(error.exchanges[0].status, None);
        assert_eq!(
            error.exchanges[0].url,
            format!("{base}/.well-known/openid-configuration")
        );
        assert_eq!(state.operations.running(), 0);
    }

    #[test]
    fn two_discoveries_run_at_once_with_no_turn_to_wait_for() {
        // One issuer never answers; another, asked while the first waits, answers at once.
        let silent = silent_server();
        let base = serve(|base| {
            let metadata = json!({"issuer": base, "response_types_supported": ["code"]});
            vec![(
                "/.well-known/openid-configuration".into(),
                metadata.to_string(),
            )]
        });
        let state = state_at(0);
        let report = std::thread::scope(|scope| {
            scope.spawn(|| block_on(run(&state, request(&silent), "slow")));
            std::thread::sleep(std::time::Duration::from_millis(200));
            let report = block_on(run(&state, request(&base), "quick")).unwrap();
            state.operations.cancel("slow");
            report
        });
        assert_eq!(report.issuer, base);
        assert_eq!(report.exchanges.len(), 1, "only its own exchange");
    }

    #[test]
    fn compare_lists_supported_values_as_set_members() {
        let before = json!({"scopes_supported": ["openid", "email"]});
        let after = json!({"scopes_supported": ["openid", "profile"]});
        let changes = block_on(compare_metadata(before, after)).unwrap();
        assert_eq!(changes.len(), 2);
        assert!(changes
            .iter()
            .any(|c| c.change == ChangeKind::Added && c.member));
    }
}
