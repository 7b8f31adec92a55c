//! The RFC 8252 loopback redirect listener: where the browser brings the authorization response.
//!
//! [`LoopbackListener::bind`] binds before the browser opens, so the redirect URI carries the real
//! port (RFC 8252 §7.3: an ephemeral port, or the profile's fixed one). [`LoopbackListener::wait`]
//! then serves HTTP/1.1 through hyper until exactly one `GET` on the redirect path brings the
//! expected `state` (compared in constant time); that request is answered with a small static page
//! and the listener closes. Every other request — another path or method, a missing or wrong
//! `state`, a repeated parameter, garbage, an oversized head — gets a 4xx and the wait goes on: a
//! forged redirect from another local process or web page must not end the flow.
//!
//! Bounds: a request head of at most 8 KiB and 32 headers (hyper answers 431 beyond), 10 s to send
//! it, one request per connection, 16 connections at a time, 15 s per connection; the whole wait
//! has the caller's timeout and cancellation.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::Poll;
use std::time::Duration;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use oauth2::CsrfToken;
use serde::Serialize;
use subtle::ConstantTimeEq as _;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

use crate::error::ErrorCode;
use crate::operation::{until_cancelled, CancellationToken};
use crate::secret::Secret;
use crate::vault::profiles::{Redirect, RedirectHost};

/// The default wait for the user to log in and consent.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(5 * 60);
/// hyper's smallest read buffer, which also bounds the request line and headers.
const MAX_HEAD_BYTES: usize = 8192;
const MAX_HEADERS: usize = 32;
const HEAD_READ_TIMEOUT: Duration = Duration::from_secs(10);
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(15);
const MAX_CONNECTIONS: usize = 16;
/// Rejected requests kept for the timeline; later ones are only counted.
const MAX_REJECTIONS_KEPT: usize = 32;
/// Tries at a port free on both `127.0.0.1` and `[::1]` for `localhost`.
const LOCALHOST_BIND_TRIES: usize = 8;

/// A loopback listener bound for one authorization response.
#[derive(Debug)]
pub struct LoopbackListener {
    listeners: Vec<TcpListener>,
    host: RedirectHost,
    port: u16,
    path: String,
}

impl LoopbackListener {
    /// Binds per the profile's redirect: `127.0.0.1` or `[::1]`, or for `localhost` both on the
    /// same port (a browser may try either, and another process must not hold the other one).
    /// `port` `None` lets the system pick one.
    pub async fn bind(redirect: &Redirect) -> Result<Self, LoopbackError> {
        let path = &redirect.path;
        if !path.starts_with('/')
            || path.contains(['?', '#'])
            || path.chars().any(|c| c.is_control() || c == ' ')
        {
            return Err(LoopbackError::InvalidPath(path.clone()));
        }
        let v4 = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let v6 = IpAddr::V6(Ipv6Addr::LOCALHOST);
        let port = redirect.port.unwrap_or(0);
        let listeners = match redirect.host {
            RedirectHost::Ipv4Loopback => vec![bind_one(SocketAddr::new(v4, port)).await?],
            RedirectHost::Ipv6Loopback => vec![bind_one(SocketAddr::new(v6, port)).await?],
            RedirectHost::Localhost => bind_localhost(port).await?,
        };
        let port = listeners[0]
            .local_addr()
            .map_err(|source| LoopbackError::Bind {
                address: SocketAddr::new(v4, port),
                source,
            })?
            .port();
        Ok(LoopbackListener {
            listeners,
            host: redirect.host,
            port,
            path: path.clone(),
        })
    }

    /// The port bound (the fixed one, or the one the system picked).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The redirect URI to send in the authorization and token requests.
    pub fn redirect_uri(&self) -> String {
        format!("http://{}:{}{}", self.host.as_str(), self.port, self.path)
    }

    /// The addresses listened on.
    pub fn local_addrs(&self) -> Vec<SocketAddr> {
        self.listeners
            .iter()
            .filter_map(|l| l.local_addr().ok())
            .collect()
    }

    /// Serves until the redirect with `expected_state` arrives, `timeout` passes or `cancel` is
    /// cancelled; the listener is closed when this returns. An IdP's error response (with the
    /// right `state`) is a [`AuthorizationResponse::Error`], not an `Err`.
    pub fn wait(
        self,
        expected_state: &CsrfToken,
        timeout: Duration,
        cancel: &CancellationToken,
    ) -> impl Future<Output = Result<Redirected, WaitError>> + Send + 'static {
        let shared = Arc::new(Shared {
            expected_state: Secret::new(expected_state.secret().as_str()),
            path: self.path.clone(),
            claimed: AtomicBool::new(false),
        });
        let cancel = cancel.clone();
        async move {
            match until_cancelled(&cancel, tokio::time::timeout(timeout, self.serve(shared))).await
            {
                Err(_) => Err(WaitError::Cancelled),
                Ok(Err(_)) => Err(WaitError::TimedOut { after: timeout }),
                Ok(Ok(redirected)) => Ok(redirected),
            }
        }
    }

    async fn serve(self, shared: Arc<Shared>) -> Redirected {
        let mut connections = JoinSet::new();
        let mut rejected = Vec::new();
        let mut rejected_total = 0usize;
        loop {
            tokio::select! {
                Some(done) = connections.join_next() => {
                    match done {
                        Ok(Some(Handled::Accepted(response))) => {
                            // Dropping the listeners and the other connections closes them.
                            return Redirected { response, rejected, rejected_total };
                        }
                        Ok(Some(Handled::Rejected(request))) => {
                            rejected_total += 1;
                            if rejected.len() < MAX_REJECTIONS_KEPT {
                                rejected.push(request);
                            }
                        }
                        // A connection that sent nothing, or a task that panicked: nothing to show.
                        Ok(None) | Err(_) => {}
                    }
                }
                accepted = accept_any(&self.listeners), if connections.len() < MAX_CONNECTIONS => {
                    match accepted {
                        Ok(stream) => {
                            connections.spawn(serve_connection(stream, Arc::clone(&shared)));
                        }
                        // Per-connection failures (reset before accept, out of descriptors):
                        // pause briefly rather than spin, and keep listening.
                        Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
                    }
                }
            }
        }
    }
}

async fn bind_one(address: SocketAddr) -> Result<TcpListener, LoopbackError> {
    TcpListener::bind(address).await.map_err(|source| {
        if source.kind() == io::ErrorKind::AddrInUse && address.port() != 0 {
            LoopbackError::PortInUse { address }
        } else {
            LoopbackError::Bind { address, source }
        }
    })
}

/// `127.0.0.1` and `[::1]` on one port; IPv4 alone when this machine has no IPv6 loopback.
async fn bind_localhost(port: u16) -> Result<Vec<TcpListener>, LoopbackError> {
    let mut tries = 0;
    loop {
        tries += 1;
        let v4 = bind_one(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port)).await?;
        let bound = v4.local_addr().map(|a| a.port()).unwrap_or(port);
        let v6_address = SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), bound);
        match TcpListener::bind(v6_address).await {
            Ok(v6) => return Ok(vec![v4, v6]),
            Err(e) if e.kind() == io::ErrorKind::AddrNotAvailable => return Ok(vec![v4]),
            Err(e) if e.kind() == io::ErrorKind::AddrInUse => {
                if port != 0 {
                    return Err(LoopbackError::PortInUse {
                        address: v6_address,
                    });
                }
                if tries >= LOCALHOST_BIND_TRIES {
                    return Err(LoopbackError::Bind {
                        address: v6_address,
                        source: e,
                    });
                }
            }
            Err(source) => {
                return Err(LoopbackError::Bind {
                    address: v6_address,
                    source,
                })
            }
        }
    }
}

async fn accept_any(listeners: &[TcpListener]) -> io::Result<TcpStream> {
    std::future::poll_fn(|cx| {
        for listener in listeners {
            if let Poll::Ready(result) = listener.poll_accept(cx) {
                return Poll::Ready(result.map(|(stream, _)| stream));
            }
        }
        Poll::Pending
    })
    .await
}

/// What every connection of one wait shares.
struct Shared {
    expected_state: Secret,
    path: String,
    /// Set by the one request accepted; later ones with the right `state` are refused.
    claimed: AtomicBool,
}

enum Handled {
    Accepted(AuthorizationResponse),
    Rejected(RejectedRequest),
}

/// One request per connection: the outcome of that request, if it got as far as one.
async fn serve_connection(stream: TcpStream, shared: Arc<Shared>) -> Option<Handled> {
    let outcome: Arc<Mutex<Option<Handled>>> = Arc::default();
    let slot = Arc::clone(&outcome);
    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
        let (response, handled) = answer(&shared, &request);
        if let Ok(mut slot) = slot.lock() {
            *slot = Some(handled);
        }
        async move { Ok::<_, Infallible>(response) }
    });
    let connection = hyper::server::conn::http1::Builder::new()
        .keep_alive(false)
        .max_buf_size(MAX_HEAD_BYTES)
        .max_headers(MAX_HEADERS)
        .timer(TokioTimer::new())
        .header_read_timeout(HEAD_READ_TIMEOUT)
        .serve_connection(TokioIo::new(stream), service);
    let served = tokio::time::timeout(CONNECTION_TIMEOUT, connection).await;
    let handled = outcome.lock().ok().and_then(|mut slot| slot.take());
    match (handled, served) {
        (Some(handled), _) => Some(handled),
        // hyper refused the request itself (malformed, head too large or too slow) with a 4xx.
        (None, Ok(Err(_)) | Err(_)) => Some(Handled::Rejected(RejectedRequest {
            status: None,
            reason: RejectReason::Unparsable,
        })),
        (None, Ok(Ok(()))) => None,
    }
}

/// The response to one parsed request, and what it meant.
fn answer(shared: &Shared, request: &Request<Incoming>) -> (Response<Full<Bytes>>, Handled) {
    let reject = |status: StatusCode, reason: RejectReason| {
        let rejected = RejectedRequest {
            status: Some(status.as_u16()),
            reason,
        };
        (page(status, reason.message()), Handled::Rejected(rejected))
    };
    if request.uri().path() != shared.path {
        return reject(StatusCode::NOT_FOUND, RejectReason::WrongPath);
    }
    if request.method() != Method::GET {
        let (mut response, handled) = reject(StatusCode::METHOD_NOT_ALLOWED, RejectReason::NotGet);
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET"));
        return (response, handled);
    }
    let query = request.uri().query().unwrap_or("");
    let params = match ResponseParams::parse(query) {
        Ok(params) => params,
        Err(reason) => return reject(StatusCode::BAD_REQUEST, reason),
    };
    let Some(state) = &params.state else {
        return reject(StatusCode::BAD_REQUEST, RejectReason::MissingState);
    };
    let expected = shared.expected_state.expose_secret().as_bytes();
    if !bool::from(state.expose_secret().as_bytes().ct_eq(expected)) {
        return reject(StatusCode::BAD_REQUEST, RejectReason::WrongState);
    }
    let Some(response) = params.into_response() else {
        return reject(StatusCode::BAD_REQUEST, RejectReason::NoCodeOrError);
    };
    if shared.claimed.swap(true, Ordering::SeqCst) {
        return reject(StatusCode::BAD_REQUEST, RejectReason::AlreadyAnswered);
    }
    let text = match response {
        AuthorizationResponse::Code { .. } => DONE_PAGE,
        AuthorizationResponse::Error { .. } => DENIED_PAGE,
    };
    (page(StatusCode::OK, text), Handled::Accepted(response))
}

const DONE_PAGE: &str = "Tokenscope received the authorization response. You can close this tab.";
const DENIED_PAGE: &str =
    "Tokenscope received the provider's answer: authorization was not granted. You can close this tab.";

/// A static page: no script, no caching, nothing from the request echoed back.
fn page(status: StatusCode, text: &str) -> Response<Full<Bytes>> {
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Tokenscope</title></head>\
         <body><p>{text}</p></body></html>"
    );
    let mut response = Response::new(Full::new(Bytes::from(html)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// The authorization response parameters (RFC 6749 §4.1.2, §4.1.2.1; RFC 9207 `iss`).
#[derive(Default)]
struct ResponseParams {
    state: Option<Secret>,
    code: Option<Secret>,
    iss: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
    error_uri: Option<String>,
}

impl ResponseParams {
    /// Unknown parameters are ignored (RFC 6749 §3.1); a known one twice is refused (§3.1: "MUST
    /// NOT be included more than once").
    fn parse(query: &str) -> Result<Self, RejectReason> {
        let mut params = ResponseParams::default();
        for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
            let value = value.into_owned();
            let duplicate = match name.as_ref() {
                "state" => params.state.replace(Secret::new(value)).is_some(),
                "code" => params.code.replace(Secret::new(value)).is_some(),
                "iss" => params.iss.replace(value).is_some(),
                "error" => params.error.replace(value).is_some(),
                "error_description" => params.error_description.replace(value).is_some(),
                "error_uri" => params.error_uri.replace(value).is_some(),
                _ => false,
            };
            if duplicate {
                return Err(RejectReason::RepeatedParameter);
            }
        }
        Ok(params)
    }

    /// An `error` wins over a `code` sent beside it: the response is then an error response.
    fn into_response(self) -> Option<AuthorizationResponse> {
        let iss = self.iss;
        if let Some(error) = self.error {
            return Some(AuthorizationResponse::Error {
                error,
                error_description: self.error_description,
                error_uri: self.error_uri,
                iss,
            });
        }
        let code = self.code.filter(|c| !c.expose_secret().is_empty())?;
        Some(AuthorizationResponse::Code { code, iss })
    }
}

/// The authorization response the redirect brought, with the expected `state`.
#[derive(Debug, PartialEq, Eq)]
pub enum AuthorizationResponse {
    /// RFC 6749 §4.1.2: the code, to exchange with the PKCE verifier.
    Code {
        code: Secret,
        /// RFC 9207: the issuer, to compare with the expected one when present.
        iss: Option<String>,
    },
    /// RFC 6749 §4.1.2.1: the provider said no (`access_denied`, `invalid_scope`, …).
    Error {
        error: String,
        error_description: Option<String>,
        error_uri: Option<String>,
        iss: Option<String>,
    },
}

/// The end of a wait that got its redirect.
#[derive(Debug)]
pub struct Redirected {
    pub response: AuthorizationResponse,
    /// Requests refused before it (the first 32), for the timeline.
    pub rejected: Vec<RejectedRequest>,
    /// All requests refused, kept or not.
    pub rejected_total: usize,
}

/// A request the listener refused while waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RejectedRequest {
    /// The status answered; `None` when hyper refused the request before it was parsed.
    pub status: Option<u16>,
    pub reason: RejectReason,
}

/// Why a request to the loopback listener was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    WrongPath,
    NotGet,
    RepeatedParameter,
    MissingState,
    WrongState,
    NoCodeOrError,
    AlreadyAnswered,
    Unparsable,
}

impl RejectReason {
    fn message(self) -> &'static str {
        match self {
            RejectReason::WrongPath => "Not found.",
            RejectReason::NotGet => "Only GET is accepted here.",
            RejectReason::RepeatedParameter => "A parameter appears more than once.",
            RejectReason::MissingState => "The response has no state parameter.",
            RejectReason::WrongState => "The state does not match this authorization request.",
            RejectReason::NoCodeOrError => "The response has neither a code nor an error.",
            RejectReason::AlreadyAnswered => "This authorization request was already answered.",
            RejectReason::Unparsable => "Bad request.",
        }
    }
}

/// The listener could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum LoopbackError {
    #[error("port {} on {} is in use: free it, or change the profile's redirect port", address.port(), address.ip())]
    PortInUse { address: SocketAddr },
    #[error("cannot listen on {address}: {source}")]
    Bind {
        address: SocketAddr,
        source: io::Error,
    },
    #[error("the redirect path {0:?} must start with / and have no spaces, query or fragment")]
    InvalidPath(String),
}

impl ErrorCode for LoopbackError {
    fn code(&self) -> &'static str {
        match self {
            LoopbackError::PortInUse { .. } => "oauth.redirect_port_in_use",
            LoopbackError::Bind { .. } => "oauth.redirect_bind_failed",
            LoopbackError::InvalidPath(_) => "oauth.invalid_redirect_path",
        }
    }
}

/// A wait that ended without a redirect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WaitError {
    #[error("no authorization response within {} s", after.as_secs())]
    TimedOut { after: Duration },
    #[error("cancelled before the authorization response arrived")]
    Cancelled,
}

impl ErrorCode for WaitError {
    fn code(&self) -> &'static str {
        match self {
            WaitError::TimedOut { .. } => "oauth.redirect_timeout",
            WaitError::Cancelled => "operation.cancelled",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_response_wins_and_keeps_its_fields() {
        let params = ResponseParams::parse(
            "state=s&error=access_denied&error_description=User%20said%20no&error_uri=https%3A%2F%2Fidp%2Fe&iss=https%3A%2F%2Fidp&code=c",
        )
        .unwrap();
        assert_eq!(
            params.into_response(),
            Some(AuthorizationResponse::Error {
                error: "access_denied".to_owned(),
                error_description: Some("User said no".to_owned()),
                error_uri: Some("https://idp/e".to_owned()),
                iss: Some("https://idp".to_owned()),
            })
        );
    }

    #[test]
    fn repeated_known_parameters_are_refused_and_unknown_ones_ignored() {
        assert!(matches!(
            ResponseParams::parse("state=a&state=b&code=c"),
            Err(RejectReason::RepeatedParameter)
        ));
        let params =
            ResponseParams::parse("state=a&code=c&session_state=x&session_state=y").unwrap();
        assert!(matches!(
            params.into_response(),
            Some(AuthorizationResponse::Code { .. })
        ));
    }

    #[test]
    fn an_empty_code_is_no_response() {
        assert_eq!(
            ResponseParams::parse("state=a&code=")
                .unwrap()
                .into_response(),
            None
        );
    }

    #[test]
    fn codes_are_stable() {
        let address: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        assert_eq!(
            LoopbackError::PortInUse { address }.code(),
            "oauth.redirect_port_in_use"
        );
        assert_eq!(WaitError::Cancelled.code(), "operation.cancelled");
        assert_eq!(
            WaitError::TimedOut {
                after: Duration::from_secs(1)
            }
            .code(),
            "oauth.redirect_timeout"
        );
    }
}
