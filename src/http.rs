//! The one network seam: every fetch the app makes (discovery, JWKS URLs, later the OAuth endpoints)
//! goes through [`HttpClient`].
//!
//! What it guarantees, whoever calls it:
//! - timeouts on connect and on the whole exchange, redirects included ([`HttpPolicy`]);
//! - a cap on the response body, checked against `Content-Length` and again while reading;
//! - redirects followed by hand, each hop checked against the policy and recorded;
//! - plain `http://` only for loopback hosts unless the policy allows it (RFC 8252 §8.3 permits
//!   loopback; anything else would send tokens in clear);
//! - a per-process cache honouring `Cache-Control`, timed by the injected [`Clock`];
//! - a transcript of every exchange ([`Exchange`]) with secret-bearing headers redacted;
//! - the system proxy (`HTTPS_PROXY`, `NO_PROXY`, …) for remote hosts, never for loopback ones:
//!   a proxy's 127.0.0.1 is not ours, and a local provider's tokens must not leave the machine.
//!
//! Building a request ([`build_get`]) and interpreting a response ([`process_json_response`]) are
//! plain functions so tests and callers can feed canned data without a network.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::Value;
use url::{Host, Url};

use crate::clock::Clock;
use crate::error::ErrorCode;

/// Limits applied to every fetch. The defaults are the documented secure ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpPolicy {
    /// Time allowed to open the TCP/TLS connection (default 5 s).
    pub connect_timeout: Duration,
    /// Time allowed for the whole fetch, every redirect hop and the body included (default 15 s).
    pub total_timeout: Duration,
    /// Largest response body accepted, in bytes (default 1 MiB).
    pub max_body_bytes: usize,
    /// Most redirects followed before giving up (default 5).
    pub max_redirects: usize,
    /// Allow plain `http://` to non-loopback hosts (default false: only https, or http to
    /// 127.0.0.0/8, `::1` and `localhost`).
    pub allow_insecure_http: bool,
}

impl Default for HttpPolicy {
    fn default() -> Self {
        HttpPolicy {
            connect_timeout: Duration::from_secs(5),
            total_timeout: Duration::from_secs(15),
            max_body_bytes: 1024 * 1024,
            max_redirects: 5,
            allow_insecure_http: false,
        }
    }
}

/// Per-request choices.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FetchOptions {
    /// The `Accept` header to send, if any.
    pub accept: Option<String>,
    /// Ignore any cached copy and fetch again (the app's "refresh"); the new response is cached.
    pub bypass_cache: bool,
}

impl FetchOptions {
    /// Options asking for JSON (`Accept: application/json`).
    pub fn json() -> Self {
        FetchOptions {
            accept: Some("application/json".to_owned()),
            bypass_cache: false,
        }
    }
}

/// One header as sent or received (values of sensitive headers already redacted when recorded).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HttpHeader {
    pub name: String,
    pub value: String,
}

/// A request ready to send: what [`build_get`] produces and [`HttpClient::send`] consumes.
#[derive(Debug, Clone)]
pub struct HttpRequest {
    pub method: String,
    pub url: Url,
    pub headers: Vec<HttpHeader>,
}

/// A response as received (after redirects), with its body fully read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The URL that answered, after any redirects.
    pub url: String,
    pub status: u16,
    /// Header names in lowercase, values as received (not redacted: the caller may need them).
    pub headers: Vec<HttpHeader>,
    pub body: Vec<u8>,
    /// True when served from the per-process cache.
    pub from_cache: bool,
}

impl HttpResponse {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        header_value(&self.headers, name)
    }
}

/// One recorded request/response pair (one per redirect hop), safe to show: secrets redacted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Exchange {
    pub method: String,
    pub url: String,
    /// None when no response arrived (connection failure, timeout, refused by policy).
    pub status: Option<u16>,
    pub request_headers: Vec<HttpHeader>,
    pub response_headers: Vec<HttpHeader>,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub duration_ms: u64,
    pub from_cache: bool,
    /// What went wrong on this hop, if anything.
    pub error: Option<String>,
}

/// A fetch that failed. Each variant names the URL and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    #[error("{url:?} is not a usable URL: {reason}")]
    InvalidUrl { url: String, reason: String },
    #[error("refusing plain http to {url}: tokens and keys would travel unencrypted; use https (plain http is allowed only for loopback hosts, or with the explicit allow-http option)")]
    Insecure { url: String },
    #[error("could not connect to {url}: {reason}")]
    Connect { url: String, reason: String },
    #[error("{url} did not answer within {seconds} s (timeout), expected a JSON document", seconds = format_seconds(.after))]
    Timeout { url: String, after: Duration },
    #[error("{url} returned HTTP {status}{reason}, expected {expected}", reason = status_reason(.status))]
    Status {
        url: String,
        status: u16,
        expected: String,
    },
    #[error(
        "{url} sent more than {limit} bytes, the response size cap: expected a small document"
    )]
    TooLarge { url: String, limit: usize },
    #[error("{url}: {reason}")]
    Redirects { url: String, reason: String },
    #[error("{url} returned {what}, expected JSON{hint}")]
    NotJson {
        url: String,
        what: String,
        hint: String,
    },
    #[error("request to {url} failed: {reason}")]
    Request { url: String, reason: String },
    #[error("cannot set up the HTTP client: {0}")]
    Client(String),
}

impl ErrorCode for HttpError {
    fn code(&self) -> &'static str {
        match self {
            HttpError::InvalidUrl { .. } => "http.invalid_url",
            HttpError::Insecure { .. } => "http.insecure",
            HttpError::Connect { .. } => "http.connect",
            HttpError::Timeout { .. } => "http.timeout",
            HttpError::Status { .. } => "http.status",
            HttpError::TooLarge { .. } => "http.too_large",
            HttpError::Redirects { .. } => "http.redirects",
            HttpError::NotJson { .. } => "http.not_json",
            HttpError::Request { .. } => "http.request",
            HttpError::Client(_) => "http.client",
        }
    }
}

fn format_seconds(d: &Duration) -> String {
    let ms = d.as_millis();
    if ms % 1000 == 0 {
        format!("{}", ms / 1000)
    } else {
        format!("{:.1}", d.as_secs_f64())
    }
}

fn status_reason(status: &u16) -> String {
    reqwest::StatusCode::from_u16(*status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .map(|r| format!(" {r}"))
        .unwrap_or_default()
}

/// True when `url`'s host is loopback: 127.0.0.0/8, `::1` or `localhost` (RFC 8252 §8.3).
pub fn is_loopback_url(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// Parses `url` and checks it against `policy`: http(s) only, plain http only where allowed.
pub fn check_url(url: &str, policy: &HttpPolicy) -> Result<Url, HttpError> {
    let parsed = Url::parse(url.trim()).map_err(|e| HttpError::InvalidUrl {
        url: url.to_owned(),
        reason: e.to_string(),
    })?;
    check_parsed_url(&parsed, policy)?;
    Ok(parsed)
}

fn check_parsed_url(url: &Url, policy: &HttpPolicy) -> Result<(), HttpError> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if policy.allow_insecure_http || is_loopback_url(url) => Ok(()),
        "http" => Err(HttpError::Insecure {
            url: url.to_string(),
        }),
        other => Err(HttpError::InvalidUrl {
            url: url.to_string(),
            reason: format!(
                "the scheme is {other:?}; only https (or http for loopback) is fetched"
            ),
        }),
    }
}

/// Builds a GET request for `url`, checked against `policy`, with the caller's `Accept`.
pub fn build_get(
    url: &str,
    options: &FetchOptions,
    policy: &HttpPolicy,
) -> Result<HttpRequest, HttpError> {
    let url = check_url(url, policy)?;
    let mut headers = vec![HttpHeader {
        name: "user-agent".to_owned(),
        value: concat!("tokenscope/", env!("CARGO_PKG_VERSION")).to_owned(),
    }];
    if let Some(accept) = &options.accept {
        headers.push(HttpHeader {
            name: "accept".to_owned(),
            value: accept.clone(),
        });
    }
    Ok(HttpRequest {
        method: "GET".to_owned(),
        url,
        headers,
    })
}

/// Interprets a response that should be a JSON document: a 2xx status and a JSON body.
/// An HTML page (often a login page or a proxy's error page) gets its own message.
pub fn process_json_response(response: &HttpResponse) -> Result<Value, HttpError> {
    if !(200..300).contains(&response.status) {
        return Err(HttpError::Status {
            url: response.url.clone(),
            status: response.status,
            expected: "200 with a JSON document".to_owned(),
        });
    }
    let content_type = response.header("content-type").unwrap_or("").to_owned();
    let text = String::from_utf8_lossy(&response.body);
    let trimmed = text.trim_start();
    let looks_html = content_type.to_ascii_lowercase().contains("html")
        || trimmed.starts_with("<!")
        || trimmed.to_ascii_lowercase().starts_with("<html");
    if looks_html {
        let ct = if content_type.is_empty() {
            "no content type".to_owned()
        } else {
            content_type
        };
        return Err(HttpError::NotJson {
            url: response.url.clone(),
            what: format!("HTML ({ct})"),
            hint: ": is this a login page, or the wrong URL?".to_owned(),
        });
    }
    if trimmed.is_empty() {
        return Err(HttpError::NotJson {
            url: response.url.clone(),
            what: "an empty body".to_owned(),
            hint: String::new(),
        });
    }
    serde_json::from_str(&text).map_err(|e| HttpError::NotJson {
        url: response.url.clone(),
        what: format!("invalid JSON ({e})"),
        hint: if content_type.is_empty() {
            String::new()
        } else {
            format!(" (content type {content_type})")
        },
    })
}

/// True for headers whose values must never be shown: credentials, cookies, anything named
/// like a token or secret.
pub fn is_sensitive_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    matches!(
        n.as_str(),
        "authorization" | "proxy-authorization" | "cookie" | "set-cookie" | "dpop"
    ) || n.contains("token")
        || n.contains("secret")
        || n.contains("api-key")
        || n.contains("apikey")
}

/// Headers with sensitive values replaced by `[redacted]`.
pub fn redact_headers(headers: &[HttpHeader]) -> Vec<HttpHeader> {
    headers
        .iter()
        .map(|h| HttpHeader {
            name: h.name.clone(),
            value: if is_sensitive_header(&h.name) {
                "[redacted]".to_owned()
            } else {
                h.value.clone()
            },
        })
        .collect()
}

fn header_value<'a>(headers: &'a [HttpHeader], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str())
}

/// How long a response may be reused, from its `Cache-Control` `max-age` less its `Age`
/// (RFC 9111 §4.2.1, §5.1, §5.2.2). None: do not store. Without `max-age` nothing is cached: keys
/// and metadata change, and a stale copy would hide that. `private` responses are kept, since
/// this cache serves one user (§5.2.2.7).
pub fn cache_lifetime(headers: &[HttpHeader]) -> Option<u64> {
    let values = |name: &str| {
        headers
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.to_ascii_lowercase())
            .collect::<Vec<_>>()
    };
    let cc = values("cache-control").join(",");
    let mut max_age = None;
    for directive in cc.split(',').map(str::trim) {
        match directive {
            "no-store" | "no-cache" => return None,
            d => {
                if let Some(v) = d.strip_prefix("max-age=") {
                    max_age = v.trim_matches('"').parse::<u64>().ok();
                }
            }
        }
    }
    // Time the response already spent in caches upstream; an unreadable Age counts as too old.
    let age = match values("age").first() {
        Some(v) => v.trim().parse::<u64>().ok()?,
        None => 0,
    };
    max_age
        .map(|max_age| max_age.saturating_sub(age))
        .filter(|&s| s > 0)
}

struct CacheEntry {
    response: HttpResponse,
    expires_at: i64,
}

struct Inner {
    /// Remote hosts: through the system proxy, if one is configured.
    client: reqwest::Client,
    /// Loopback hosts: always direct.
    direct: reqwest::Client,
    policy: HttpPolicy,
    clock: Arc<dyn Clock>,
    cache: Mutex<HashMap<String, CacheEntry>>,
    exchanges: Mutex<Vec<Exchange>>,
}

/// The HTTP client every core fetch uses. Cheap to clone; clones share the cache and transcript.
#[derive(Clone)]
pub struct HttpClient {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient")
            .field("policy", &self.inner.policy)
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves plain data behind; keep using it.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

impl HttpClient {
    /// A client applying `policy`, with cache expiry read from `clock`.
    pub fn new(policy: HttpPolicy, clock: Arc<dyn Clock>) -> Result<Self, HttpError> {
        // reqwest is built without a bundled crypto provider (aws-lc needs a C toolchain); use
        // ring unless the process already chose one.
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
        let builder = || {
            reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .connect_timeout(policy.connect_timeout)
                .timeout(policy.total_timeout)
        };
        let client = builder()
            .build()
            .map_err(|e| HttpError::Client(error_chain(&e)))?;
        let direct = builder()
            .no_proxy()
            .build()
            .map_err(|e| HttpError::Client(error_chain(&e)))?;
        Ok(HttpClient {
            inner: Arc::new(Inner {
                client,
                direct,
                policy,
                clock,
                cache: Mutex::new(HashMap::new()),
                exchanges: Mutex::new(Vec::new()),
            }),
        })
    }

    /// The policy this client applies.
    pub fn policy(&self) -> &HttpPolicy {
        &self.inner.policy
    }

    /// "Now" from the injected clock, for callers that judge what they fetched (e.g. expiry).
    pub fn now_unix(&self) -> i64 {
        self.inner.clock.now_unix()
    }

    /// Every exchange recorded so far (redacted), oldest first.
    pub fn exchanges(&self) -> Vec<Exchange> {
        lock(&self.inner.exchanges).clone()
    }

    /// The recorded exchanges, clearing the transcript.
    pub fn take_exchanges(&self) -> Vec<Exchange> {
        std::mem::take(&mut *lock(&self.inner.exchanges))
    }

    /// Forgets every cached response.
    pub fn clear_cache(&self) {
        lock(&self.inner.cache).clear();
    }

    /// GETs `url`, following redirects within the policy. Any status is returned as data; use
    /// [`HttpClient::get_json`] or [`process_json_response`] to require a JSON document.
    pub async fn get(&self, url: &str, options: &FetchOptions) -> Result<HttpResponse, HttpError> {
        let request = build_get(url, options, &self.inner.policy)?;
        let key = format!(
            "{} {}",
            options.accept.as_deref().unwrap_or(""),
            request.url
        );
        if !options.bypass_cache {
            if let Some(hit) = self.cached(&key, &request) {
                return Ok(hit);
            }
        }
        let response = self.send(request).await?;
        if response.status == 200 {
            if let Some(lifetime) = cache_lifetime(&response.headers) {
                let expires_at = self
                    .inner
                    .clock
                    .now_unix()
                    .saturating_add(i64::try_from(lifetime).unwrap_or(i64::MAX));
                lock(&self.inner.cache).insert(
                    key,
                    CacheEntry {
                        response: response.clone(),
                        expires_at,
                    },
                );
            }
        } else {
            lock(&self.inner.cache).remove(&key);
        }
        Ok(response)
    }

    /// GETs `url` asking for JSON and parses the body; non-2xx, HTML and invalid JSON are errors.
    pub async fn get_json(&self, url: &str, options: &FetchOptions) -> Result<Value, HttpError> {
        let mut options = options.clone();
        if options.accept.is_none() {
            options.accept = FetchOptions::json().accept;
        }
        let response = self.get(url, &options).await?;
        process_json_response(&response)
    }

    fn cached(&self, key: &str, request: &HttpRequest) -> Option<HttpResponse> {
        let now = self.inner.clock.now_unix();
        let mut cache = lock(&self.inner.cache);
        match cache.get(key) {
            Some(entry) if entry.expires_at > now => {
                let mut response = entry.response.clone();
                response.from_cache = true;
                drop(cache);
                self.record(Exchange {
                    method: request.method.clone(),
                    url: request.url.to_string(),
                    status: Some(response.status),
                    request_headers: redact_headers(&request.headers),
                    response_headers: redact_headers(&response.headers),
                    duration_ms: 0,
                    from_cache: true,
                    error: None,
                });
                Some(response)
            }
            Some(_) => {
                cache.remove(key);
                None
            }
            None => None,
        }
    }

    fn record(&self, exchange: Exchange) {
        lock(&self.inner.exchanges).push(exchange);
    }

    /// Sends `request`, following redirects (GET only) hop by hop, each checked and recorded.
    pub async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let policy = &self.inner.policy;
        let deadline = Instant::now() + policy.total_timeout;
        let original = request.url.to_string();
        let mut url = request.url.clone();
        let mut seen = HashSet::from([url.to_string()]);
        let mut redirects = 0usize;
        loop {
            check_parsed_url(&url, policy).inspect_err(|e| {
                self.record(self.failed_exchange(&request, &url, None, 0, e));
            })?;
            let response = self.send_once(&request, &url, deadline).await?;
            let is_redirect = matches!(response.status, 301 | 302 | 303 | 307 | 308);
            if !is_redirect || request.method != "GET" {
                return Ok(response);
            }
            let Some(location) = response.header("location") else {
                return Ok(response);
            };
            let next = url.join(location).map_err(|e| HttpError::Redirects {
                url: url.to_string(),
                reason: format!("redirected to an invalid Location {location:?} ({e})"),
            })?;
            redirects += 1;
            if !seen.insert(next.to_string()) {
                return Err(HttpError::Redirects {
                    url: original,
                    reason: format!(
                        "redirect loop: {next} was already visited; expected the redirects to end at a document"
                    ),
                });
            }
            if redirects > policy.max_redirects {
                return Err(HttpError::Redirects {
                    url: original,
                    reason: format!(
                        "more than {} redirects (the limit); the last one pointed to {next}",
                        policy.max_redirects
                    ),
                });
            }
            url = next;
        }
    }

    fn failed_exchange(
        &self,
        request: &HttpRequest,
        url: &Url,
        status: Option<(u16, &[HttpHeader])>,
        duration_ms: u64,
        error: &HttpError,
    ) -> Exchange {
        Exchange {
            method: request.method.clone(),
            url: url.to_string(),
            status: status.map(|(s, _)| s),
            request_headers: redact_headers(&request.headers),
            response_headers: status.map(|(_, h)| redact_headers(h)).unwrap_or_default(),
            duration_ms,
            from_cache: false,
            error: Some(error.to_string()),
        }
    }

    async fn send_once(
        &self,
        request: &HttpRequest,
        url: &Url,
        deadline: Instant,
    ) -> Result<HttpResponse, HttpError> {
        let policy = &self.inner.policy;
        let started = Instant::now();
        let elapsed_ms = || u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let remaining = deadline.saturating_duration_since(started);
        let timeout_error = || HttpError::Timeout {
            url: url.to_string(),
            after: policy.total_timeout,
        };
        if remaining.is_zero() {
            let e = timeout_error();
            self.record(self.failed_exchange(request, url, None, 0, &e));
            return Err(e);
        }
        let method = reqwest::Method::from_bytes(request.method.as_bytes()).map_err(|e| {
            HttpError::Request {
                url: url.to_string(),
                reason: e.to_string(),
            }
        })?;
        let client = if is_loopback_url(url) {
            &self.inner.direct
        } else {
            &self.inner.client
        };
        let mut builder = client.request(method, url.clone()).timeout(remaining);
        for h in &request.headers {
            builder = builder.header(h.name.as_str(), h.value.as_str());
        }
        let map_reqwest = |e: reqwest::Error| {
            if e.is_timeout() {
                timeout_error()
            } else if e.is_connect() {
                HttpError::Connect {
                    url: url.to_string(),
                    reason: error_chain(&e),
                }
            } else {
                HttpError::Request {
                    url: url.to_string(),
                    reason: error_chain(&e),
                }
            }
        };
        let mut response = match builder.send().await {
            Ok(r) => r,
            Err(e) => {
                let e = map_reqwest(e);
                self.record(self.failed_exchange(request, url, None, elapsed_ms(), &e));
                return Err(e);
            }
        };
        let status = response.status().as_u16();
        let headers: Vec<HttpHeader> = response
            .headers()
            .iter()
            .map(|(name, value)| HttpHeader {
                name: name.as_str().to_owned(),
                value: String::from_utf8_lossy(value.as_bytes()).into_owned(),
            })
            .collect();
        let too_large = || HttpError::TooLarge {
            url: url.to_string(),
            limit: policy.max_body_bytes,
        };
        let limit = u64::try_from(policy.max_body_bytes).unwrap_or(u64::MAX);
        let body = if response.content_length().is_some_and(|n| n > limit) {
            Err(too_large())
        } else {
            let mut body = Vec::new();
            loop {
                match response.chunk().await {
                    Ok(Some(chunk)) => {
                        if body.len() + chunk.len() > policy.max_body_bytes {
                            break Err(too_large());
                        }
                        body.extend_from_slice(&chunk);
                    }
                    Ok(None) => break Ok(body),
                    Err(e) => break Err(map_reqwest(e)),
                }
            }
        };
        let body = match body {
            Ok(body) => body,
            Err(e) => {
                let ex =
                    self.failed_exchange(request, url, Some((status, &headers)), elapsed_ms(), &e);
                self.record(ex);
                return Err(e);
            }
        };
        self.record(Exchange {
            method: request.method.clone(),
            url: url.to_string(),
            status: Some(status),
            request_headers: redact_headers(&request.headers),
            response_headers: redact_headers(&headers),
            duration_ms: elapsed_ms(),
            from_cache: false,
            error: None,
        });
        Ok(HttpResponse {
            url: url.to_string(),
            status,
            headers,
            body,
            from_cache: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, content_type: &str, body: &str) -> HttpResponse {
        HttpResponse {
            url: "https://idp.example/.well-known/openid-configuration".to_owned(),
            status,
            headers: vec![HttpHeader {
                name: "content-type".to_owned(),
                value: content_type.to_owned(),
            }],
            body: body.as_bytes().to_vec(),
            from_cache: false,
        }
    }

    #[test]
    fn html_instead_of_json_suggests_a_login_page() {
        let e =
            process_json_response(&response(200, "text/html", "<html>login</html>")).unwrap_err();
        assert_eq!(e.code(), "http.not_json");
        assert_eq!(
            e.to_string(),
            "https://idp.example/.well-known/openid-configuration returned HTML (text/html), expected JSON: is this a login page, or the wrong URL?"
        );
    }

    #[test]
    fn error_status_names_the_status_and_expectation() {
        let e = process_json_response(&response(404, "text/plain", "nope")).unwrap_err();
        assert_eq!(e.code(), "http.status");
        assert!(
            e.to_string().contains("HTTP 404 Not Found, expected 200"),
            "{e}"
        );
    }

    #[test]
    fn json_body_parses() {
        let v = process_json_response(&response(200, "application/json", r#"{"a":1}"#)).unwrap();
        assert_eq!(v["a"], 1);
    }

    #[test]
    fn plain_http_only_for_loopback() {
        let p = HttpPolicy::default();
        assert!(check_url("http://127.0.0.1:8080/x", &p).is_ok());
        assert!(check_url("http://127.1.2.3/x", &p).is_ok());
        assert!(check_url("http://[::1]:9/x", &p).is_ok());
        assert!(check_url("http://localhost/x", &p).is_ok());
        assert_eq!(
            check_url("http://example.com/x", &p).unwrap_err().code(),
            "http.insecure"
        );
        assert_eq!(
            check_url("ftp://example.com/x", &p).unwrap_err().code(),
            "http.invalid_url"
        );
        let allow = HttpPolicy {
            allow_insecure_http: true,
            ..HttpPolicy::default()
        };
        assert!(check_url("http://example.com/x", &allow).is_ok());
    }

    #[test]
    fn cache_control_directives() {
        let h = |v: &str| {
            vec![HttpHeader {
                name: "Cache-Control".to_owned(),
                value: v.to_owned(),
            }]
        };
        assert_eq!(cache_lifetime(&h("public, max-age=3600")), Some(3600));
        assert_eq!(cache_lifetime(&h("max-age=60, no-store")), None);
        assert_eq!(cache_lifetime(&h("no-cache, max-age=60")), None);
        assert_eq!(cache_lifetime(&[]), None);
        assert_eq!(cache_lifetime(&h("private, max-age=60")), Some(60));
    }

    #[test]
    fn cache_lifetime_subtracts_the_age_the_response_already_has() {
        let with_age = |cc: &str, age: &str| {
            vec![
                HttpHeader {
                    name: "Cache-Control".into(),
                    value: cc.into(),
                },
                HttpHeader {
                    name: "Age".into(),
                    value: age.into(),
                },
            ]
        };
        assert_eq!(cache_lifetime(&with_age("max-age=3600", "600")), Some(3000));
        assert_eq!(cache_lifetime(&with_age("max-age=60", "60")), None);
        assert_eq!(cache_lifetime(&with_age("max-age=60", "9999")), None);
        assert_eq!(cache_lifetime(&with_age("max-age=60", "soon")), None);
    }

    #[test]
    fn sensitive_headers_are_redacted() {
        for name in [
            "Authorization",
            "Cookie",
            "Set-Cookie",
            "X-Refresh-Token",
            "client-secret",
        ] {
            assert!(is_sensitive_header(name), "{name}");
        }
        assert!(!is_sensitive_header("Accept"));
    }
}
