//! Network operations as the OAuth half will run them: several at once on one shared client,
//! each with its own transcript, any of them cancellable.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use tokenscope::clock::FixedClock;
use tokenscope::discovery::{discover, DiscoverOptions};
use tokenscope::http::{HttpClient, HttpPolicy, Transcript, UNFINISHED_EXCHANGE};
use tokenscope::jwt::verify::VerifyOptions;
use tokenscope::keysource::{verify_with_key_source, KeyFetch, KeyInput};
use tokenscope::operation::{until_cancelled, CancellationToken, Cancelled};

use crate::util::server::{Reply, TestServer};
use crate::util::{block_on, vectors};

/// A server with a slow issuer (`/slow`, whose metadata takes `delay`) and a quick JWK Set
/// (`/jwks`, the RFC 7520 RSA key).
fn slow_issuer_and_quick_jwks(delay: Duration) -> TestServer {
    let jwks = json!({ "keys": [vectors("rfc7520.json")["rsa_public_jwk"]] });
    TestServer::start([
        (
            "/slow/.well-known/openid-configuration",
            Reply::json(r#"{"issuer":"{{base}}/slow","jwks_uri":"{{base}}/slow/jwks"}"#)
                .delay(delay),
        ),
        ("/slow/jwks", Reply::json(r#"{"keys":[]}"#)),
        ("/jwks", Reply::json(jwks.to_string())),
    ])
}

fn shared_client() -> HttpClient {
    HttpClient::new(HttpPolicy::default(), Arc::new(FixedClock(1_700_000_000)))
}

fn rfc7520_rs256_token() -> String {
    let token = &vectors("rfc7520.json")["s4_1_rs256"]["token"];
    token.as_str().unwrap().to_owned()
}

#[test]
fn two_operations_at_once_finish_in_their_own_time_each_with_only_its_own_exchanges() {
    let server = slow_issuer_and_quick_jwks(Duration::from_millis(800));
    let client = shared_client();
    let (slow_transcript, quick_transcript) = (Transcript::new(), Transcript::new());
    let started = Instant::now();
    let slow = async {
        let report = discover(
            &client,
            &server.url("/slow"),
            &DiscoverOptions::default(),
            &slow_transcript,
        )
        .await;
        (report, started.elapsed())
    };
    let token = rfc7520_rs256_token();
    let key = KeyInput::JwksUrl(server.url("/jwks"));
    let quick = async {
        let fetch = KeyFetch {
            http: &client,
            transcript: &quick_transcript,
            refresh: false,
        };
        let report = verify_with_key_source(&token, &key, VerifyOptions::at(0), fetch).await;
        (report, started.elapsed())
    };
    let ((discovered, slow_took), (verified, quick_took)) =
        block_on(async { tokio::join!(slow, quick) });

    let report = discovered.unwrap();
    assert!(verified.unwrap().valid);
    assert!(
        quick_took < slow_took && quick_took < Duration::from_millis(800),
        "the verification waited for the discovery: {quick_took:?} vs {slow_took:?}"
    );
    let urls = |t: &Transcript| t.exchanges().into_iter().map(|e| e.url).collect::<Vec<_>>();
    assert_eq!(
        urls(&slow_transcript),
        [
            server.url("/slow/.well-known/openid-configuration"),
            server.url("/slow/jwks")
        ]
    );
    assert_eq!(urls(&quick_transcript), [server.url("/jwks")]);
    // The report carries exactly the discovery's exchanges, as the CLI's --json prints them.
    assert_eq!(report.exchanges, slow_transcript.exchanges());
}

#[test]
fn cancelling_a_slow_fetch_ends_the_operation_at_once_keeping_the_unfinished_exchange() {
    let server = slow_issuer_and_quick_jwks(Duration::from_secs(10));
    let client = shared_client();
    let transcript = Transcript::new();
    let cancel = CancellationToken::new();
    let canceller = {
        let cancel = cancel.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            cancel.cancel();
            Instant::now()
        })
    };
    let (issuer, options) = (server.url("/slow"), DiscoverOptions::default());
    let operation = discover(&client, &issuer, &options, &transcript);
    let outcome = block_on(until_cancelled(&cancel, operation));
    let ended = Instant::now();
    let cancelled_at = canceller.join().unwrap();

    assert_eq!(outcome.map(|_| ()), Err(Cancelled));
    let after_cancel = ended.saturating_duration_since(cancelled_at);
    assert!(
        after_cancel < Duration::from_millis(100),
        "ended {after_cancel:?} after the cancel"
    );
    // The request that was waiting is in the transcript, unfinished: no status, and why.
    let exchanges = transcript.exchanges();
    assert_eq!(exchanges.len(), 1, "{exchanges:?}");
    let unfinished = &exchanges[0];
    assert_eq!(
        unfinished.url,
        server.url("/slow/.well-known/openid-configuration")
    );
    assert_eq!(unfinished.status, None);
    assert_eq!(unfinished.error.as_deref(), Some(UNFINISHED_EXCHANGE));
    assert!(unfinished.duration_ms >= 250, "{}", unfinished.duration_ms);
    assert_eq!(server.hits("/slow/.well-known/openid-configuration"), 1);
}

#[test]
fn a_verification_cancelled_before_it_starts_fetches_nothing() {
    let server = slow_issuer_and_quick_jwks(Duration::ZERO);
    let client = shared_client();
    let transcript = Transcript::new();
    let cancel = CancellationToken::new();
    cancel.cancel();
    let token = rfc7520_rs256_token();
    let key = KeyInput::JwksUrl(server.url("/jwks"));
    let fetch = KeyFetch {
        http: &client,
        transcript: &transcript,
        refresh: false,
    };
    let verify = verify_with_key_source(&token, &key, VerifyOptions::at(0), fetch);
    assert_eq!(
        block_on(until_cancelled(&cancel, verify)).map(|_| ()),
        Err(Cancelled)
    );
    assert!(transcript.is_empty());
    assert_eq!(server.hits("/jwks"), 0);
}

#[test]
fn a_cancelled_request_closes_its_connection() {
    use std::io::Read as _;
    // Accepts one connection, reads the request, never answers, then waits for the close.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/jwks", listener.local_addr().unwrap());
    let watcher = std::thread::spawn(move || {
        let (mut socket, _) = listener.accept().unwrap();
        socket
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut buffer = [0u8; 4096];
        let mut received = 0;
        loop {
            match socket.read(&mut buffer) {
                Ok(0) => return (received, Instant::now()),
                Ok(n) => received += n,
                Err(e) => panic!("no close within 5 s: {e}"),
            }
        }
    });
    let client = shared_client();
    let transcript = Transcript::new();
    let cancel = CancellationToken::new();
    let canceller = {
        let cancel = cancel.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            cancel.cancel();
            Instant::now()
        })
    };
    let key = KeyInput::JwksUrl(url);
    let fetch = KeyFetch {
        http: &client,
        transcript: &transcript,
        refresh: false,
    };
    let token = rfc7520_rs256_token();
    let verify = verify_with_key_source(&token, &key, VerifyOptions::at(0), fetch);
    // One runtime, still alive and driven after the cancel (as the app's is): the close must
    // come from the cancelled request, not from a runtime shutting down.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let outcome = runtime.block_on(until_cancelled(&cancel, verify));
    assert_eq!(outcome.map(|_| ()), Err(Cancelled));
    runtime.block_on(async {
        while !watcher.is_finished() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    });
    let cancelled_at = canceller.join().unwrap();
    let (received, closed_at) = watcher.join().unwrap();
    drop(runtime);
    assert!(received > 0, "the request was sent");
    let after_cancel = closed_at.saturating_duration_since(cancelled_at);
    assert!(
        after_cancel < Duration::from_millis(500),
        "closed {after_cancel:?} after the cancel"
    );
    assert_eq!(
        transcript.exchanges()[0].error.as_deref(),
        Some(UNFINISHED_EXCHANGE)
    );
}
