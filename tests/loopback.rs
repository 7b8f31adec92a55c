//! The RFC 8252 loopback redirect listener over real sockets: the browser is played by raw
//! HTTP/1.1 requests, so garbage and oversized heads can be sent too.

use std::net::{IpAddr, SocketAddr, TcpListener as StdTcpListener, UdpSocket};
use std::time::{Duration, Instant};

use oauth2::CsrfToken;
use tokenscope::oauth::loopback::{
    AuthorizationResponse, LoopbackError, LoopbackListener, Redirected, RejectReason, WaitError,
};
use tokenscope::operation::CancellationToken;
use tokenscope::vault::profiles::{Redirect, RedirectHost};
use tokenscope::ErrorCode as _;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tokio::task::JoinHandle;

/// Far above anything these tests need; only there so a broken listener fails instead of hanging.
const GENEROUS: Duration = Duration::from_secs(20);

fn redirect(host: RedirectHost, port: Option<u16>) -> Redirect {
    Redirect {
        host,
        port,
        path: "/callback".to_owned(),
    }
}

/// Binds on 127.0.0.1 (ephemeral port) and starts waiting for `state` in the background.
async fn waiting_for(state: &str) -> (SocketAddr, JoinHandle<Result<Redirected, WaitError>>) {
    let listener = LoopbackListener::bind(&redirect(RedirectHost::Ipv4Loopback, None))
        .await
        .unwrap();
    let address = listener.local_addrs()[0];
    assert_eq!(
        listener.redirect_uri(),
        format!("http://127.0.0.1:{}/callback", address.port())
    );
    let wait = listener.wait(
        &CsrfToken::new(state.to_owned()),
        GENEROUS,
        &CancellationToken::new(),
    );
    (address, tokio::spawn(wait))
}

/// Sends `raw` and reads the whole answer (the listener closes each connection after one response).
async fn send(address: SocketAddr, raw: &[u8]) -> String {
    let exchange = async {
        let mut stream = TcpStream::connect(address).await.unwrap();
        stream.write_all(raw).await.unwrap();
        let mut answer = Vec::new();
        // A reset after the answer (hyper closing with our unread bytes) still leaves the answer.
        let _ = stream.read_to_end(&mut answer).await;
        String::from_utf8_lossy(&answer).into_owned()
    };
    tokio::time::timeout(GENEROUS, exchange)
        .await
        .expect("the listener answered")
}

async fn get(address: SocketAddr, target: &str) -> String {
    send(
        address,
        format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").as_bytes(),
    )
    .await
}

async fn finished(
    wait: JoinHandle<Result<Redirected, WaitError>>,
) -> Result<Redirected, WaitError> {
    tokio::time::timeout(GENEROUS, wait)
        .await
        .expect("the wait ended")
        .unwrap()
}

fn code_of(redirected: &Redirected) -> (&str, Option<&str>) {
    match &redirected.response {
        AuthorizationResponse::Code { code, iss } => (code.expose_secret(), iss.as_deref()),
        other => panic!("expected a code, got {other:?}"),
    }
}

#[tokio::test]
async fn redirect_with_the_right_state_returns_the_code_and_closes_the_listener() {
    let (address, wait) = waiting_for("s1").await;
    let answer = get(
        address,
        "/callback?code=abc&state=s1&iss=https%3A%2F%2Fidp.example",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let lower = answer.to_ascii_lowercase();
    assert!(lower.contains("cache-control: no-store"), "{answer}");
    assert!(lower.contains("you can close this tab"));
    assert!(!lower.contains("<script"));
    assert!(!answer.contains("abc"), "the code is not echoed");

    let redirected = finished(wait).await.unwrap();
    assert_eq!(code_of(&redirected), ("abc", Some("https://idp.example")));
    assert_eq!(redirected.rejected_total, 0);
    let refused = TcpStream::connect(address).await.unwrap_err();
    assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
}

#[tokio::test]
async fn forged_redirects_get_400_and_the_wait_continues_to_the_right_one() {
    let (address, wait) = waiting_for("right").await;
    for forged in [
        "/callback?code=evil&state=wrong",
        "/callback?code=evil",
        "/callback?code=evil&state=right&state=wrong",
        "/callback?state=right",
    ] {
        let answer = get(address, forged).await;
        assert!(answer.starts_with("HTTP/1.1 400"), "{forged}: {answer}");
    }
    assert!(!wait.is_finished());
    get(address, "/callback?state=right&code=good").await;
    let redirected = finished(wait).await.unwrap();
    assert_eq!(code_of(&redirected).0, "good");
    let reasons: Vec<RejectReason> = redirected.rejected.iter().map(|r| r.reason).collect();
    assert_eq!(
        reasons,
        [
            RejectReason::WrongState,
            RejectReason::MissingState,
            RejectReason::RepeatedParameter,
            RejectReason::NoCodeOrError
        ]
    );
    assert!(redirected.rejected.iter().all(|r| r.status == Some(400)));
}

#[tokio::test]
async fn other_paths_and_methods_are_refused_and_the_wait_continues() {
    let (address, wait) = waiting_for("s").await;
    assert!(get(address, "/favicon.ico")
        .await
        .starts_with("HTTP/1.1 404"));
    assert!(get(address, "/callback/x?state=s&code=c")
        .await
        .starts_with("HTTP/1.1 404"));
    let post = send(
        address,
        b"POST /callback?state=s&code=c HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n",
    )
    .await;
    assert!(post.starts_with("HTTP/1.1 405"), "{post}");
    get(address, "/callback?state=s&code=c").await;
    let redirected = finished(wait).await.unwrap();
    assert_eq!(code_of(&redirected).0, "c");
    assert_eq!(redirected.rejected_total, 3);
}

#[tokio::test]
async fn garbage_and_oversized_requests_get_4xx_and_the_wait_continues() {
    let (address, wait) = waiting_for("s").await;
    let garbage = send(address, b"\x16\x03\x01\x02\x00 not http\r\n\r\n").await;
    assert!(
        garbage.is_empty() || garbage.starts_with("HTTP/1.1 4"),
        "{garbage}"
    );
    let long_line = format!("/callback?state=s&code={}", "a".repeat(20_000));
    let answer = get(address, &long_line).await;
    assert!(answer.starts_with("HTTP/1.1 4"), "{answer}");
    let many_headers: String = (0..100).map(|i| format!("X-{i}: y\r\n")).collect();
    let answer = send(
        address,
        format!("GET /callback?state=s&code=c HTTP/1.1\r\nHost: x\r\n{many_headers}\r\n")
            .as_bytes(),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 4"), "{answer}");
    assert!(!wait.is_finished());

    get(address, "/callback?state=s&code=ok").await;
    let redirected = finished(wait).await.unwrap();
    assert_eq!(code_of(&redirected).0, "ok");
    assert_eq!(redirected.rejected_total, 3);
}

#[tokio::test]
async fn access_denied_comes_back_as_data() {
    let (address, wait) = waiting_for("s").await;
    let answer = get(
        address,
        "/callback?error=access_denied&error_description=The%20user%20said%20no&state=s",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        !answer.contains("said no"),
        "server text is not echoed into the page"
    );
    let redirected = finished(wait).await.unwrap();
    assert_eq!(
        redirected.response,
        AuthorizationResponse::Error {
            error: "access_denied".to_owned(),
            error_description: Some("The user said no".to_owned()),
            error_uri: None,
            iss: None,
        }
    );
}

#[tokio::test]
async fn an_error_with_the_wrong_state_cannot_end_the_flow() {
    let (address, wait) = waiting_for("s").await;
    assert!(get(address, "/callback?error=access_denied&state=x")
        .await
        .starts_with("HTTP/1.1 400"));
    get(address, "/callback?state=s&code=c").await;
    assert_eq!(code_of(&finished(wait).await.unwrap()).0, "c");
}

#[tokio::test]
async fn the_wait_times_out() {
    let listener = LoopbackListener::bind(&Redirect::default()).await.unwrap();
    let address = listener.local_addrs()[0];
    let started = Instant::now();
    let outcome = listener
        .wait(
            &CsrfToken::new("s".to_owned()),
            Duration::from_millis(200),
            &CancellationToken::new(),
        )
        .await;
    assert_eq!(
        outcome.unwrap_err(),
        WaitError::TimedOut {
            after: Duration::from_millis(200)
        }
    );
    assert_eq!(
        WaitError::TimedOut {
            after: Duration::ZERO
        }
        .code(),
        "oauth.redirect_timeout"
    );
    assert!(started.elapsed() < GENEROUS);
    assert!(
        TcpStream::connect(address).await.is_err(),
        "closed after the timeout"
    );
}

#[tokio::test]
async fn the_wait_is_cancellable() {
    let listener = LoopbackListener::bind(&Redirect::default()).await.unwrap();
    let cancel = CancellationToken::new();
    let wait = tokio::spawn(listener.wait(&CsrfToken::new("s".to_owned()), GENEROUS, &cancel));
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    cancel.cancel();
    assert_eq!(finished(wait).await.unwrap_err(), WaitError::Cancelled);
    assert!(started.elapsed() < GENEROUS);

    let listener = LoopbackListener::bind(&Redirect::default()).await.unwrap();
    let outcome = listener
        .wait(&CsrfToken::new("s".to_owned()), GENEROUS, &cancel)
        .await;
    assert_eq!(
        outcome.unwrap_err(),
        WaitError::Cancelled,
        "already cancelled"
    );
}

#[tokio::test]
async fn a_busy_fixed_port_is_its_own_error() {
    let taken = StdTcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let err = LoopbackListener::bind(&redirect(RedirectHost::Ipv4Loopback, Some(port)))
        .await
        .unwrap_err();
    assert!(
        matches!(err, LoopbackError::PortInUse { address } if address.port() == port),
        "{err:?}"
    );
    assert_eq!(err.code(), "oauth.redirect_port_in_use");
    assert!(err.to_string().contains(&port.to_string()));
}

#[tokio::test]
async fn a_free_fixed_port_is_used_in_the_redirect_uri() {
    let port = StdTcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let listener = LoopbackListener::bind(&redirect(RedirectHost::Ipv4Loopback, Some(port)))
        .await
        .unwrap();
    assert_eq!(listener.port(), port);
    assert_eq!(
        listener.redirect_uri(),
        format!("http://127.0.0.1:{port}/callback")
    );
}

#[tokio::test]
async fn localhost_listens_on_both_loopbacks_with_one_port() {
    let listener = LoopbackListener::bind(&redirect(RedirectHost::Localhost, None))
        .await
        .unwrap();
    let port = listener.port();
    assert_eq!(
        listener.redirect_uri(),
        format!("http://localhost:{port}/callback")
    );
    let addresses = listener.local_addrs();
    assert!(
        addresses
            .iter()
            .all(|a| a.ip().is_loopback() && a.port() == port),
        "{addresses:?}"
    );
    if addresses.len() == 1 {
        println!("skipped the [::1] half: this machine has no IPv6 loopback");
    }
    let wait = tokio::spawn(listener.wait(
        &CsrfToken::new("s".to_owned()),
        GENEROUS,
        &CancellationToken::new(),
    ));
    let last = *addresses.last().unwrap();
    get(last, "/callback?state=s&code=c").await;
    assert_eq!(code_of(&finished(wait).await.unwrap()).0, "c");
}

#[tokio::test]
async fn the_listener_is_not_reachable_on_a_non_loopback_address() {
    let Some(ip) = non_loopback_address() else {
        println!("skipped: this machine has no non-loopback IPv4 address");
        return;
    };
    let listener = LoopbackListener::bind(&Redirect::default()).await.unwrap();
    let port = listener.port();
    let wait = tokio::spawn(listener.wait(
        &CsrfToken::new("s".to_owned()),
        GENEROUS,
        &CancellationToken::new(),
    ));
    let probe = tokio::time::timeout(Duration::from_secs(5), TcpStream::connect((ip, port))).await;
    assert!(!matches!(probe, Ok(Ok(_))), "reachable on {ip}:{port}");
    wait.abort();
}

/// This machine's address on its default route (a UDP "connect" sends nothing), else the first
/// non-loopback one `ip -4 addr` lists.
pub(crate) fn non_loopback_address() -> Option<IpAddr> {
    let routed = UdpSocket::bind("0.0.0.0:0")
        .and_then(|socket| socket.connect("203.0.113.1:9").map(|()| socket))
        .and_then(|socket| socket.local_addr())
        .ok()
        .map(|address| address.ip())
        .filter(|ip| !ip.is_loopback() && !ip.is_unspecified());
    routed.or_else(|| {
        let output = std::process::Command::new("ip")
            .args(["-o", "-4", "addr", "show"])
            .output()
            .ok()?;
        String::from_utf8_lossy(&output.stdout)
            .split_whitespace()
            .filter_map(|word| word.split('/').next()?.parse::<IpAddr>().ok())
            .find(|ip| !ip.is_loopback())
    })
}

#[tokio::test]
async fn ipv6_loopback_listens_on_its_own_address() {
    let listener = match LoopbackListener::bind(&redirect(RedirectHost::Ipv6Loopback, None)).await {
        Ok(listener) => listener,
        Err(LoopbackError::Bind { source, .. })
            if source.kind() == std::io::ErrorKind::AddrNotAvailable =>
        {
            println!("skipped: this machine has no IPv6 loopback");
            return;
        }
        Err(e) => panic!("{e}"),
    };
    let port = listener.port();
    assert_eq!(
        listener.redirect_uri(),
        format!("http://[::1]:{port}/callback")
    );
    assert_eq!(
        listener.local_addrs(),
        [SocketAddr::from(([0u16, 0, 0, 0, 0, 0, 0, 1], port))]
    );
    let wait = tokio::spawn(listener.wait(
        &CsrfToken::new("s".to_owned()),
        GENEROUS,
        &CancellationToken::new(),
    ));
    get(
        SocketAddr::from(([0u16, 0, 0, 0, 0, 0, 0, 1], port)),
        "/callback?state=s&code=c",
    )
    .await;
    assert_eq!(code_of(&finished(wait).await.unwrap()).0, "c");
}
