//! Discover: fetch, explain and lint an issuer's metadata and keys (issue 5).

use serde::Deserialize;
use serde_json::Value;
use tauri::State;
use tokenscope::discovery::{compare, discover, DiscoverOptions, DiscoveryReport, MetadataKind};
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

/// Fetches an issuer's metadata and JWKS and lints both; the report carries its exchanges.
/// A failure to get any metadata is an error that still carries the exchanges made.
#[tauri::command]
pub async fn discover_issuer(
    request: DiscoverRequest,
    state: State<'_, AppState>,
) -> Result<DiscoveryReport, IpcError> {
    run(&state, request).await
}

async fn run(state: &AppState, request: DiscoverRequest) -> Result<DiscoveryReport, IpcError> {
    let options = DiscoverOptions {
        kind: if request.oauth {
            MetadataKind::OAuth
        } else {
            MetadataKind::OpenId
        },
        bypass_cache: request.refresh,
    };
    let (result, exchanges) = state
        .fetching(request.allow_http, |client| async move {
            discover(&client, &request.issuer, &options).await
        })
        .await;
    result.map_err(|e| IpcError::from(e).with_exchanges(exchanges))
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
        let report = block_on(run(&state_at(1_767_225_600), request(&base))).unwrap();
        assert_eq!(report.issuer, base);
        assert_eq!(report.keys[0].kid.as_deref(), Some("k1"));
        assert_eq!(report.keys[0].curve.as_deref(), Some("P-256"));
        assert_eq!(report.exchanges.len(), 2, "metadata and JWKS");
        assert!(report.exchanges.iter().all(|e| e.status == Some(200)));
    }

    #[test]
    fn a_404_is_an_error_that_carries_the_exchange() {
        let base = serve(|_| Vec::new());
        let error = block_on(run(&state_at(0), request(&base))).unwrap_err();
        assert_eq!(error.code, "http.status");
        assert!(error.message.contains("404"), "{}", error.message);
        assert_eq!(error.exchanges.len(), 1);
        assert_eq!(error.exchanges[0].status, Some(404));
    }

    #[test]
    fn plain_http_to_a_remote_host_is_refused_unless_allowed() {
        let error = block_on(run(&state_at(0), request("http://idp.example"))).unwrap_err();
        assert_eq!(error.code, "http.insecure");
    }

    #[test]
    fn an_issuer_that_is_not_a_url_is_an_invalid_issuer() {
        let error = block_on(run(&state_at(0), request("accounts.google.com"))).unwrap_err();
        assert_eq!(error.code, "discovery.invalid_issuer");
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
