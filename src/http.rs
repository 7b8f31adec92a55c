//! The one network seam: every fetch the app makes (discovery, JWKS URLs, later the OAuth endpoints)
//! goes through [`HttpClient`].
//!
//! What it guarantees, whoever calls it:
//! - timeouts on connect and on the whole exchange, redirects included ([`HttpPolicy`]);
//! - a cap on the response body, checked against `Content-Length` and again while reading;
//! - redirects followed by hand, each hop checked against the policy and recorded;
//! - plain `http://` only for loopback hosts unless the policy allows it (RFC 8252 §8.3 permits
//!   loopback; anything else would send tokens in clear);
//! - no URL with credentials in it (`https://user:pass@host`), whoever named it: they would end
//!   up in histories, recent-issuer lists and the transcript;
//! - the address rule: a URL that came from a server or a token ([`Provenance::Derived`]: a
//!   redirect, a `jwks_uri`, a token's `jku`) may reach a non-public address (loopback, private,
//!   link-local, … see [`non_public_kind`]) only when the URL the user typed to start the
//!   operation resolved to non-public addresses itself ([`TypedRoot::Local`]: a local IdP, the
//!   practice issuer). The rule is decided on the resolved addresses of every hop, not on host
//!   names, so a public name resolving to 127.0.0.1 is refused too;
//! - each hop connects to exactly the addresses it was checked against: they are pinned in a
//!   client built for that hop (`resolve_to_addrs`), so a second DNS answer (rebinding) between
//!   the check and the connection is never used; hops pinned alike reuse that client and its
//!   connection pool. Through a proxy the proxy resolves the name itself; the check is then
//!   made on what this machine resolves;
//! - a per-process cache honouring `Cache-Control`, timed by the injected [`Clock`], bounded in
//!   entries and bytes ([`CACHE_MAX_ENTRIES`], [`CACHE_MAX_BYTES`]), least recently used out first;
//!   a cached response is served only where the address rule would let its hops be fetched;
//! - every exchange ([`Exchange`]), secret-bearing headers redacted, recorded in the
//!   [`Transcript`] the caller passes for that operation: the client keeps none, so operations
//!   running at once on one client each get exactly their own, and a request cut short by a
//!   cancelled operation is recorded as unfinished;
//! - nothing paid before it is needed: making a client reads no trust store and builds no TLS;
//!   the first fetch that connects does, once per client;
//! - the system proxy (`HTTPS_PROXY`, `NO_PROXY`, …) for remote hosts, never for loopback ones
//!   (by name, or resolving only to loopback addresses): a proxy's 127.0.0.1 is not ours, and a
//!   local provider's tokens must not leave the machine.
//!
//! Building a request ([`build_get`]) and interpreting a response ([`process_json_response`]) are
//! plain functions so tests and callers can feed canned data without a network.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use lru::LruCache;
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

/// Most responses the cache keeps (64): a session inspects a handful of issuers.
pub const CACHE_MAX_ENTRIES: usize = 64;
/// Most bytes the cache keeps, bodies, headers and URLs counted (8 MiB): eight documents at the
/// 1 MiB body cap, far more JWK Sets and metadata documents of a few KiB.
pub const CACHE_MAX_BYTES: usize = 8 * 1024 * 1024;

/// Per-request choices.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FetchOptions {
    /// The `Accept` header to send, if any.
    pub accept: Option<String>,
    /// Ignore any cached copy and fetch again (the app's "refresh"); the new response is cached.
    pub bypass_cache: bool,
    /// Where the URL came from (default: typed by the user), which decides the addresses it may
    /// reach.
    pub provenance: Provenance,
}

impl FetchOptions {
    /// Options asking for JSON (`Accept: application/json`).
    pub fn json() -> Self {
        FetchOptions {
            accept: Some("application/json".to_owned()),
            ..FetchOptions::default()
        }
    }
}

/// Where a URL that the user did not type came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlOrigin {
    /// The `Location` of a redirect answered by `from`.
    Redirect { from: String },
    /// The `jwks_uri` in the metadata of issuer `of` (OIDC Discovery 1.0 §3, RFC 8414 §2).
    JwksUri { of: String },
    /// The `jku` header of the token being verified (RFC 7515 §4.1.2).
    TokenJku,
    /// An endpoint (`field`: `token_endpoint`, `userinfo_endpoint`, …) in the metadata of issuer
    /// `of`.
    MetadataEndpoint { field: String, of: String },
}

impl fmt::Display for UrlOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UrlOrigin::Redirect { from } => write!(f, "a redirect from {from}"),
            UrlOrigin::JwksUri { of } => write!(f, "the jwks_uri of {of}"),
            UrlOrigin::TokenJku => f.write_str("the token's jku header"),
            UrlOrigin::MetadataEndpoint { field, of } => write!(f, "the {field} of {of}"),
        }
    }
}

/// What the URL the user typed to start an operation resolved to. It decides which addresses the
/// URLs derived from it (its redirects, the metadata's `jwks_uri`) may reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypedRoot {
    /// Non-public addresses only (a local IdP, the practice issuer): derived URLs may reach
    /// non-public addresses too.
    Local,
    /// A public address, or a name this machine could not resolve: derived URLs must resolve to
    /// public addresses only.
    Public,
    /// Nothing was typed: the URL came from a token (its `jku`). Public addresses only.
    Absent,
}

/// Where the URL of a fetch came from: typed by the user, or derived from a server's answer or a
/// token. It decides the addresses the fetch may reach (see the module docs).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Provenance {
    /// Typed (or pasted) by the user: it may reach any address, and what it resolves to becomes
    /// the [`TypedRoot`] of its redirects and of URLs found in its response
    /// ([`HttpResponse::derive`]).
    #[default]
    Typed,
    /// Came from a server or a token: non-public addresses only when `root` is
    /// [`TypedRoot::Local`]. Tests may build one with any `root` to exercise the rule against a
    /// local server.
    Derived { origin: UrlOrigin, root: TypedRoot },
}

impl Provenance {
    /// The token's `jku`: no URL the user typed stands behind it, so public addresses only.
    pub fn token_jku() -> Self {
        Provenance::Derived {
            origin: UrlOrigin::TokenJku,
            root: TypedRoot::Absent,
        }
    }

    /// True when this URL may reach non-public addresses.
    pub fn may_reach_non_public(&self) -> bool {
        matches!(
            self,
            Provenance::Typed
                | Provenance::Derived {
                    root: TypedRoot::Local,
                    ..
                }
        )
    }
}

/// Why an address is not public, as [`non_public_kind`] finds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NonPublicKind {
    /// 127.0.0.0/8, `::1`.
    Loopback,
    /// RFC 1918: 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16.
    Private,
    /// RFC 4193: fc00::/7.
    UniqueLocal,
    /// 169.254.0.0/16 (where cloud metadata services answer), fe80::/10.
    LinkLocal,
    /// 0.0.0.0, `::`.
    Unspecified,
    /// RFC 6598 shared address space (carrier-grade NAT): 100.64.0.0/10.
    Shared,
    /// Other special-purpose ranges (RFC 6890 registry): 0.0.0.0/8, 192.0.0.0/24, the
    /// documentation and benchmarking ranges, multicast, 240.0.0.0/4 and broadcast; in IPv6
    /// the rest of ::/8 (local-use NAT64 64:ff9b:1::/48 included), 100::/64, 2001::/23,
    /// 2001:db8::/32, 3fff::/20, fec0::/10 and ff00::/8.
    Reserved,
}

impl fmt::Display for NonPublicKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NonPublicKind::Loopback => "a loopback address",
            NonPublicKind::Private => "a private (RFC 1918) address",
            NonPublicKind::UniqueLocal => "a unique local (RFC 4193) address",
            NonPublicKind::LinkLocal => "a link-local address",
            NonPublicKind::Unspecified => "the unspecified address",
            NonPublicKind::Shared => "a shared (carrier-grade NAT, RFC 6598) address",
            NonPublicKind::Reserved => "a reserved special-purpose address (RFC 6890)",
        })
    }
}

/// What kind of non-public address `ip` is, or None for a public one. IPv6 forms that carry an
/// IPv4 address (IPv4-mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) are judged
/// by that IPv4 address. (std's `IpAddr::is_global` is unstable.)
pub fn non_public_kind(ip: IpAddr) -> Option<NonPublicKind> {
    match ip {
        IpAddr::V4(v4) => ipv4_kind(v4),
        IpAddr::V6(v6) => ipv6_kind(v6),
    }
}

/// True for an address on the public internet: neither loopback, private, link-local,
/// unspecified nor another special-purpose range ([`non_public_kind`]).
pub fn is_public_address(ip: IpAddr) -> bool {
    non_public_kind(ip).is_none()
}

fn ipv4_kind(ip: Ipv4Addr) -> Option<NonPublicKind> {
    use NonPublicKind::*;
    let [a, b, c, _] = ip.octets();
    Some(match (a, b, c) {
        (0, 0, 0) if ip.is_unspecified() => Unspecified,
        (127, ..) => Loopback,
        (10, ..) | (172, 16..=31, _) | (192, 168, _) => Private,
        (169, 254, _) => LinkLocal,
        (100, 64..=127, _) => Shared,
        // "This network", IETF protocol assignments, TEST-NET-1/2/3, the deprecated 6to4 relay
        // anycast, benchmarking, multicast, reserved and broadcast.
        (0, ..)
        | (192, 0, 0)
        | (192, 0, 2)
        | (198, 51, 100)
        | (203, 0, 113)
        | (192, 88, 99)
        | (198, 18..=19, _)
        | (224..=255, ..) => Reserved,
        _ => return None,
    })
}

fn ipv6_kind(ip: Ipv6Addr) -> Option<NonPublicKind> {
    use NonPublicKind::*;
    if ip.is_unspecified() {
        return Some(Unspecified);
    }
    if ip.is_loopback() {
        return Some(Loopback);
    }
    let s = ip.segments();
    let low_v4 = || Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    if let Some(v4) = ip.to_ipv4_mapped() {
        return ipv4_kind(v4);
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return ipv4_kind(low_v4()); // NAT64 well-known prefix (RFC 6052)
    }
    if s[0] == 0x2002 {
        // 6to4 (RFC 3056): the IPv4 address follows the prefix.
        let v4 = Ipv4Addr::new((s[1] >> 8) as u8, s[1] as u8, (s[2] >> 8) as u8, s[2] as u8);
        return ipv4_kind(v4);
    }
    Some(match s[0] {
        0xfc00..=0xfdff => UniqueLocal,
        0xfe80..=0xfebf => LinkLocal,
        // ::/8 (IPv4-compatible, unassigned, local-use NAT64 64:ff9b:1::/48), site-local,
        // multicast.
        0x0000..=0x00ff | 0xfec0..=0xfeff | 0xff00..=0xffff => Reserved,
        0x0100 if s[1..4] == [0, 0, 0] => Reserved,
        0x2001 if s[1] < 0x0200 || s[1] == 0x0db8 => Reserved,
        0x3fff if s[1] < 0x1000 => Reserved,
        _ => return None,
    })
}

/// `url` without a user name or password, for messages.
fn without_credentials(url: &Url) -> String {
    let mut bare = url.clone();
    let _ = bare.set_username("");
    let _ = bare.set_password(None);
    bare.to_string()
}

/// The address rule for one hop: `url`, which came from `provenance`, resolved to `addresses`.
/// A typed URL, or one derived from a local typed root, may reach anything; any other must
/// resolve to public addresses only, and to at least one.
pub fn check_hop_addresses(
    url: &Url,
    provenance: &Provenance,
    addresses: &[IpAddr],
) -> Result<(), HttpError> {
    let Provenance::Derived { origin, .. } = provenance else {
        return Ok(());
    };
    if provenance.may_reach_non_public() {
        return Ok(());
    }
    if addresses.is_empty() {
        return Err(HttpError::Connect {
            url: url.to_string(),
            reason: format!("its host could not be resolved here, so {UNRESOLVED_RULE}"),
        });
    }
    match addresses
        .iter()
        .find_map(|&ip| non_public_kind(ip).map(|kind| (ip, kind)))
    {
        Some((address, kind)) => Err(HttpError::ForbiddenAddress {
            url: url.to_string(),
            origin: origin.clone(),
            address,
            kind,
        }),
        None => Ok(()),
    }
}

const UNRESOLVED_RULE: &str = "its address cannot be checked: a URL that came from a server or \
     a token is fetched only once its addresses are known to be public";

/// The typed root that a fetch from `provenance` whose first hop resolved to `addresses` hands on
/// to its redirects and to URLs found in its response.
fn root_after(provenance: &Provenance, addresses: &[IpAddr]) -> TypedRoot {
    match provenance {
        Provenance::Typed
            if !addresses.is_empty() && addresses.iter().all(|&ip| !is_public_address(ip)) =>
        {
            TypedRoot::Local
        }
        Provenance::Typed => TypedRoot::Public,
        Provenance::Derived { root, .. } => *root,
    }
}

fn forbidden_address_rule(origin: &UrlOrigin) -> &'static str {
    match origin {
        UrlOrigin::TokenJku => {
            "a URL that came from a server or a token may reach loopback, private or link-local \
             addresses only when the URL you typed is itself one, and no URL you typed stands \
             behind a token's jku"
        }
        _ => {
            "a URL that came from a server or a token may reach loopback, private or link-local \
             addresses only when the URL you typed is itself one"
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
    /// The body to send (a token request's form), never recorded in the transcript: the caller
    /// shows it redacted.
    pub body: Option<Vec<u8>>,
    /// Where the URL came from, which decides the addresses it may reach.
    pub provenance: Provenance,
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
    /// The typed root of the operation this response belongs to: what URLs found in it may
    /// reach ([`HttpResponse::derive`]).
    pub root: TypedRoot,
}

impl HttpResponse {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        header_value(&self.headers, name)
    }

    /// The provenance of a URL found in this response (e.g. the metadata's `jwks_uri`): it
    /// inherits the operation's typed root.
    pub fn derive(&self, origin: UrlOrigin) -> Provenance {
        Provenance::Derived {
            origin,
            root: self.root,
        }
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
    /// The address rule: a URL from a server or a token reaching a non-public address.
    #[error("refusing to fetch {url} ({origin}): it resolves to {address}, {kind}; {rule}", rule = forbidden_address_rule(.origin))]
    ForbiddenAddress {
        url: String,
        origin: UrlOrigin,
        address: IpAddr,
        kind: NonPublicKind,
    },
    /// `url` is the URL without its credentials (the `user:secret@` part).
    #[error("refusing to fetch {url} with credentials written into the URL (https://user:secret@host/…): credentials in URLs end up in histories, recent-issuer lists and exchange logs; remove them from the URL")]
    CredentialsInUrl { url: String },
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
            HttpError::ForbiddenAddress { .. } => "http.forbidden_address",
            HttpError::CredentialsInUrl { .. } => "http.credentials_in_url",
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
    if ms.is_multiple_of(1000) {
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
        url: redact_unparsed_credentials(url),
        reason: e.to_string(),
    })?;
    check_parsed_url(&parsed, policy)?;
    Ok(parsed)
}

fn check_parsed_url(url: &Url, policy: &HttpPolicy) -> Result<(), HttpError> {
    // First, so that no other message repeats them.
    if !url.username().is_empty() || url.password().is_some() {
        return Err(HttpError::CredentialsInUrl {
            url: without_credentials(url),
        });
    }
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

/// `text`, a URL as written (perhaps unparsable, or a relative `Location`), with whatever
/// precedes an `@` in its authority replaced, so that credentials in it are not repeated.
fn redact_unparsed_credentials(text: &str) -> String {
    let start = match text.find("://") {
        Some(i) => i + 3,
        None if text.starts_with("//") => 2,
        None => return text.to_owned(),
    };
    let rest = &text[start..];
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..end].rfind('@') {
        Some(at) => format!("{}[redacted]{}", &text[..start], &rest[at..]),
        None => text.to_owned(),
    }
}

/// The `User-Agent` every request sends.
pub const USER_AGENT: &str = concat!("tokenscope/", env!("CARGO_PKG_VERSION"));

/// Builds a request of any method for `url`, checked against `policy`: the `User-Agent`, then
/// `headers`, then `body`. A request with a body or an `Authorization` header never follows a
/// redirect.
pub fn build_request(
    method: &str,
    url: &str,
    headers: Vec<HttpHeader>,
    body: Option<Vec<u8>>,
    provenance: Provenance,
    policy: &HttpPolicy,
) -> Result<HttpRequest, HttpError> {
    let url = check_url(url, policy)?;
    let mut all = vec![HttpHeader {
        name: "user-agent".to_owned(),
        value: USER_AGENT.to_owned(),
    }];
    all.extend(headers);
    Ok(HttpRequest {
        method: method.to_owned(),
        url,
        headers: all,
        body,
        provenance,
    })
}

/// Builds a GET request for `url`, checked against `policy`, with the caller's `Accept`.
pub fn build_get(
    url: &str,
    options: &FetchOptions,
    policy: &HttpPolicy,
) -> Result<HttpRequest, HttpError> {
    let headers = (options.accept.iter())
        .map(|accept| HttpHeader {
            name: "accept".to_owned(),
            value: accept.clone(),
        })
        .collect();
    build_request(
        "GET",
        url,
        headers,
        None,
        options.provenance.clone(),
        policy,
    )
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

/// Headers with sensitive values replaced by `[redacted]`, and credentials in a redirect's
/// `Location` too.
pub fn redact_headers(headers: &[HttpHeader]) -> Vec<HttpHeader> {
    headers
        .iter()
        .map(|h| HttpHeader {
            name: h.name.clone(),
            value: if is_sensitive_header(&h.name) {
                "[redacted]".to_owned()
            } else if h.name.eq_ignore_ascii_case("location") {
                redact_unparsed_credentials(&h.value)
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

/// One hop of a fetch: the URL asked, and the addresses it was checked against and connected to
/// (empty when its host could not be resolved here and the hop was allowed all the same).
#[derive(Debug, Clone)]
struct Hop {
    url: Url,
    addresses: Vec<IpAddr>,
}

/// Replays the address rule over the hops a cached response came through, for a caller whose
/// URL came from `provenance`: the typed root the response then carries, or None when the rule
/// refuses a hop (the caller fetches again, so the refusal is made and recorded for real).
fn replay_hops(provenance: &Provenance, hops: &[Hop]) -> Option<TypedRoot> {
    let (first, rest) = hops.split_first()?;
    check_hop_addresses(&first.url, provenance, &first.addresses).ok()?;
    let root = root_after(provenance, &first.addresses);
    let mut from = &first.url;
    for hop in rest {
        let redirected = Provenance::Derived {
            origin: UrlOrigin::Redirect {
                from: from.to_string(),
            },
            root,
        };
        check_hop_addresses(&hop.url, &redirected, &hop.addresses).ok()?;
        from = &hop.url;
    }
    Some(root)
}

struct CacheEntry {
    response: HttpResponse,
    /// The hops it came through, to replay the address rule for later callers.
    hops: Vec<Hop>,
    expires_at: i64,
}

impl CacheEntry {
    /// What the entry counts against the byte bound: body, headers and URLs.
    fn size(&self, key: &str) -> usize {
        let headers: usize = (self.response.headers.iter())
            .map(|h| h.name.len() + h.value.len())
            .sum();
        let hops: usize = self.hops.iter().map(|h| h.url.as_str().len()).sum();
        key.len() + self.response.url.len() + self.response.body.len() + headers + hops
    }
}

/// The fetched-documents cache, bounded in entries and in bytes; the least recently used entry
/// goes first. `lru` keeps the order; the byte count is kept here, since its bound is on entries.
struct ResponseCache {
    entries: LruCache<String, (CacheEntry, usize)>,
    bytes: usize,
    max_entries: usize,
    max_bytes: usize,
}

impl ResponseCache {
    fn new(max_entries: usize, max_bytes: usize) -> Self {
        ResponseCache {
            entries: LruCache::unbounded(),
            bytes: 0,
            max_entries,
            max_bytes,
        }
    }

    /// The entry under `key`, which becomes the most recently used.
    fn get(&mut self, key: &str) -> Option<&CacheEntry> {
        self.entries.get(key).map(|(entry, _)| entry)
    }

    fn remove(&mut self, key: &str) {
        if let Some((_, size)) = self.entries.pop(key) {
            self.bytes -= size;
        }
    }

    /// Stores `entry` as the most recently used, then evicts the least recently used ones until
    /// both bounds hold. An entry larger than the whole byte bound is not stored.
    fn insert(&mut self, key: String, entry: CacheEntry) {
        self.remove(&key);
        let size = entry.size(&key);
        if size > self.max_bytes || self.max_entries == 0 {
            return;
        }
        self.bytes += size;
        self.entries.push(key, (entry, size));
        while self.entries.len() > self.max_entries || self.bytes > self.max_bytes {
            let Some((_, (_, size))) = self.entries.pop_lru() else {
                break;
            };
            self.bytes -= size;
        }
    }

    fn clear(&mut self) {
        self.entries.clear();
        self.bytes = 0;
    }
}

struct Inner {
    /// The TLS configuration of every per-hop client: reqwest's default (the platform verifier,
    /// http/1.1). Built on the first fetch that connects, never when the client is made: it
    /// reads the OS trust store, which a local verification must not pay for. A failed build is
    /// kept and returned by every fetch that needs it.
    tls: OnceLock<Result<rustls::ClientConfig, HttpError>>,
    /// Per-hop reqwest clients, reused while a hop is the same (same pinned addresses, same
    /// proxy choice), so that hops to one host share a connection pool. Bounded like the cache.
    hop_clients: Mutex<LruCache<HopClientKey, reqwest::Client>>,
    /// Host names answered without DNS ([`HttpClient::with_resolved_hosts`]).
    resolved_hosts: HashMap<String, Vec<IpAddr>>,
    policy: HttpPolicy,
    clock: Arc<dyn Clock>,
    cache: Mutex<ResponseCache>,
}

/// What makes two hops' reqwest clients interchangeable: whether they bypass the system proxy,
/// and the host name with the addresses it is pinned to (none for IP literals).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct HopClientKey {
    direct: bool,
    pin: Option<(String, Vec<SocketAddr>)>,
}

/// Most per-hop clients kept for reuse (16): a session talks to a handful of hosts.
const HOP_CLIENTS_MAX: usize = 16;

/// The exchanges of one operation (a discovery, a verification with network keys, later each
/// flow step), oldest first, secrets redacted.
///
/// The caller makes one per operation and passes it to every fetch the operation makes; the
/// client keeps no transcript of its own, so operations running at once on one client never see
/// each other's exchanges, and an operation that fails or is cancelled still leaves what it
/// recorded with the caller. A request cancelled before its response was complete is recorded
/// as unfinished (no status, or no body, and an `error` saying so).
#[derive(Debug, Default)]
pub struct Transcript {
    exchanges: Mutex<Vec<Exchange>>,
}

impl Transcript {
    /// An empty transcript.
    pub fn new() -> Self {
        Transcript::default()
    }

    /// Appends `exchange`.
    pub fn record(&self, exchange: Exchange) {
        lock(&self.exchanges).push(exchange);
    }

    /// How many exchanges are recorded.
    pub fn len(&self) -> usize {
        lock(&self.exchanges).len()
    }

    /// True when nothing is recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The exchanges recorded so far, oldest first.
    pub fn exchanges(&self) -> Vec<Exchange> {
        lock(&self.exchanges).clone()
    }

    /// The exchanges recorded after the first `skip`: those of one step when several share a
    /// transcript.
    pub fn exchanges_since(&self, skip: usize) -> Vec<Exchange> {
        lock(&self.exchanges).iter().skip(skip).cloned().collect()
    }

    /// The exchanges, consuming the transcript.
    pub fn into_exchanges(self) -> Vec<Exchange> {
        self.exchanges
            .into_inner()
            .unwrap_or_else(|e| e.into_inner())
    }
}

/// What an exchange cancelled before its response was complete says in its `error`.
pub const UNFINISHED_EXCHANGE: &str =
    "cancelled: the operation was stopped before the response was complete";

/// An exchange whose request is on its way. Dropped unfinished (its operation cancelled, the
/// future dropped mid-request), it records itself as unfinished, so the transcript shows what
/// was being waited for.
struct InFlight<'t> {
    transcript: &'t Transcript,
    pending: Option<Exchange>,
    started: Instant,
}

impl<'t> InFlight<'t> {
    fn new(transcript: &'t Transcript, request: &HttpRequest, url: &Url, started: Instant) -> Self {
        InFlight {
            transcript,
            pending: Some(Exchange {
                method: request.method.clone(),
                url: without_credentials(url),
                status: None,
                request_headers: redact_headers(&request.headers),
                response_headers: Vec::new(),
                duration_ms: 0,
                from_cache: false,
                error: None,
            }),
            started,
        }
    }

    fn elapsed_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// The status line and headers arrived; the body has not yet.
    fn answered(&mut self, status: u16, headers: &[HttpHeader]) {
        if let Some(pending) = &mut self.pending {
            pending.status = Some(status);
            pending.response_headers = redact_headers(headers);
        }
    }

    /// Records the exchange as it ended: `error` if it failed, else complete.
    fn finish(mut self, error: Option<&HttpError>) {
        if let Some(mut exchange) = self.pending.take() {
            exchange.duration_ms = self.elapsed_ms();
            exchange.error = error.map(ToString::to_string);
            self.transcript.record(exchange);
        }
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if let Some(mut exchange) = self.pending.take() {
            exchange.duration_ms = self.elapsed_ms();
            exchange.error = Some(UNFINISHED_EXCHANGE.to_owned());
            self.transcript.record(exchange);
        }
    }
}

/// The HTTP client every core fetch uses: policy, cache and connection pools, shared by clones
/// and safe to use from operations running at once. Making one does no network or TLS work.
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

/// The TLS configuration reqwest would build (the platform verifier, so the OS trust store),
/// restricted to http/1.1.
fn build_tls() -> Result<rustls::ClientConfig, HttpError> {
    use rustls_platform_verifier::BuilderVerifierExt as _;
    // reqwest is built without a bundled crypto provider (aws-lc needs a C toolchain); use ring
    // unless the process already chose one.
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
    let provider = rustls::crypto::CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| Arc::new(rustls::crypto::ring::default_provider()));
    let mut tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|builder| builder.with_platform_verifier())
        .map_err(|e| HttpError::Client(format!("cannot set up TLS: {e}")))?
        .with_no_client_auth();
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tls)
}

impl HttpClient {
    /// A client applying `policy`, with cache expiry read from `clock`. Cheap: TLS and the trust
    /// store are set up by the first fetch that connects.
    pub fn new(policy: HttpPolicy, clock: Arc<dyn Clock>) -> Self {
        Self::with_resolved_hosts(policy, clock, &[])
    }

    /// A client like [`HttpClient::new`] that resolves the host names in `hosts` to the addresses
    /// given, without DNS, like reqwest's `ClientBuilder::resolve`: tests use it to make a
    /// public-looking name resolve to 127.0.0.1. The address rule judges these addresses like
    /// any others.
    pub fn with_resolved_hosts(
        policy: HttpPolicy,
        clock: Arc<dyn Clock>,
        hosts: &[(&str, IpAddr)],
    ) -> Self {
        let mut resolved_hosts: HashMap<String, Vec<IpAddr>> = HashMap::new();
        for (host, ip) in hosts {
            resolved_hosts
                .entry(host.to_ascii_lowercase())
                .or_default()
                .push(*ip);
        }
        HttpClient {
            inner: Arc::new(Inner {
                tls: OnceLock::new(),
                hop_clients: Mutex::new(LruCache::new(
                    NonZeroUsize::new(HOP_CLIENTS_MAX).expect("a positive bound"),
                )),
                resolved_hosts,
                policy,
                clock,
                cache: Mutex::new(ResponseCache::new(CACHE_MAX_ENTRIES, CACHE_MAX_BYTES)),
            }),
        }
    }

    /// The policy this client applies.
    pub fn policy(&self) -> &HttpPolicy {
        &self.inner.policy
    }

    /// "Now" from the injected clock, for callers that judge what they fetched (e.g. expiry).
    pub fn now_unix(&self) -> i64 {
        self.inner.clock.now_unix()
    }

    /// Forgets every cached response.
    pub fn clear_cache(&self) {
        lock(&self.inner.cache).clear();
    }

    /// GETs `url`, following redirects within the policy, each hop recorded in `transcript`.
    /// Any status is returned as data; use [`HttpClient::get_json`] or [`process_json_response`]
    /// to require a JSON document.
    pub async fn get(
        &self,
        url: &str,
        options: &FetchOptions,
        transcript: &Transcript,
    ) -> Result<HttpResponse, HttpError> {
        let request = build_get(url, options, &self.inner.policy)?;
        let key = format!(
            "{} {}",
            options.accept.as_deref().unwrap_or(""),
            request.url
        );
        if !options.bypass_cache {
            if let Some(hit) = self.cached(&key, &request, transcript) {
                return Ok(hit);
            }
        }
        let (response, hops) = self.send_hops(request, transcript).await?;
        let lifetime = Some(&response)
            .filter(|r| r.status == 200)
            .and_then(|r| cache_lifetime(&r.headers));
        let mut cache = lock(&self.inner.cache);
        match lifetime {
            Some(lifetime) => {
                let expires_at = self
                    .inner
                    .clock
                    .now_unix()
                    .saturating_add(i64::try_from(lifetime).unwrap_or(i64::MAX));
                let entry = CacheEntry {
                    response: response.clone(),
                    hops,
                    expires_at,
                };
                cache.insert(key, entry);
            }
            None => cache.remove(&key),
        }
        Ok(response)
    }

    /// GETs `url` asking for JSON and parses the body; non-2xx, HTML and invalid JSON are errors.
    pub async fn get_json(
        &self,
        url: &str,
        options: &FetchOptions,
        transcript: &Transcript,
    ) -> Result<Value, HttpError> {
        let mut options = options.clone();
        if options.accept.is_none() {
            options.accept = FetchOptions::json().accept;
        }
        let response = self.get(url, &options, transcript).await?;
        process_json_response(&response)
    }

    fn cached(
        &self,
        key: &str,
        request: &HttpRequest,
        transcript: &Transcript,
    ) -> Option<HttpResponse> {
        let now = self.inner.clock.now_unix();
        let mut cache = lock(&self.inner.cache);
        if cache.get(key)?.expires_at <= now {
            cache.remove(key);
            return None;
        }
        let entry = cache.get(key)?;
        let root = replay_hops(&request.provenance, &entry.hops)?;
        let mut response = entry.response.clone();
        drop(cache);
        response.from_cache = true;
        response.root = root;
        transcript.record(Exchange {
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

    /// Sends `request`, following redirects (GET only) hop by hop, each checked and recorded in
    /// `transcript`.
    pub async fn send(
        &self,
        request: HttpRequest,
        transcript: &Transcript,
    ) -> Result<HttpResponse, HttpError> {
        Ok(self.send_hops(request, transcript).await?.0)
    }

    /// [`HttpClient::send`], also returning the hops taken.
    async fn send_hops(
        &self,
        request: HttpRequest,
        transcript: &Transcript,
    ) -> Result<(HttpResponse, Vec<Hop>), HttpError> {
        let policy = &self.inner.policy;
        let deadline = Instant::now() + policy.total_timeout;
        let original = request.url.to_string();
        let mut url = request.url.clone();
        let mut provenance = request.provenance.clone();
        // Decided by the first hop: what the typed URL resolved to, or what was handed down.
        let mut root = None;
        let mut hops = Vec::new();
        let mut seen = HashSet::from([url.to_string()]);
        let mut redirects = 0usize;
        loop {
            check_parsed_url(&url, policy).inspect_err(|e| {
                transcript.record(failed_exchange(&request, &url, None, 0, e));
            })?;
            let addresses = self
                .admit_hop(&request, &url, &provenance, deadline, transcript)
                .await?;
            let hop_root = *root.get_or_insert_with(|| root_after(&provenance, &addresses));
            let mut response = self
                .send_once(&request, &url, &addresses, deadline, transcript)
                .await?;
            response.root = hop_root;
            hops.push(Hop {
                url: url.clone(),
                addresses,
            });
            let is_redirect = matches!(response.status, 301 | 302 | 303 | 307 | 308);
            // Only plain GETs follow redirects: a token request's form or a bearer token must
            // never be replayed to wherever a Location points (the caller sees the 3xx).
            let carries_credentials =
                request.body.is_some() || header_value(&request.headers, "authorization").is_some();
            if !is_redirect || request.method != "GET" || carries_credentials {
                return Ok((response, hops));
            }
            let Some(location) = response.header("location") else {
                return Ok((response, hops));
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
            provenance = Provenance::Derived {
                origin: UrlOrigin::Redirect {
                    from: url.to_string(),
                },
                root: hop_root,
            };
            url = next;
        }
    }

    /// Resolves `url`'s host and applies the address rule, recording a refusal. The addresses to
    /// connect to; empty when the host cannot be resolved here but `provenance` may reach any
    /// address (a typed URL): the connection, or the proxy, then resolves it as before.
    async fn admit_hop(
        &self,
        request: &HttpRequest,
        url: &Url,
        provenance: &Provenance,
        deadline: Instant,
        transcript: &Transcript,
    ) -> Result<Vec<IpAddr>, HttpError> {
        let refuse = |e: HttpError| {
            transcript.record(failed_exchange(request, url, None, 0, &e));
            e
        };
        let wait = (self.inner.policy.connect_timeout)
            .min(deadline.saturating_duration_since(Instant::now()));
        let addresses = match self.resolve_host(url, wait).await {
            Ok(addresses) => addresses,
            Err(_) if provenance.may_reach_non_public() => Vec::new(),
            Err(reason) => {
                return Err(refuse(HttpError::Connect {
                    url: url.to_string(),
                    reason: format!("{reason}, so {UNRESOLVED_RULE}"),
                }))
            }
        };
        check_hop_addresses(url, provenance, &addresses).map_err(refuse)?;
        Ok(addresses)
    }

    /// The addresses `url`'s host stands for: an IP literal itself, a name this client was given
    /// ([`HttpClient::with_resolved_hosts`]), else what the system resolver answers within `wait`.
    async fn resolve_host(&self, url: &Url, wait: Duration) -> Result<Vec<IpAddr>, String> {
        let domain = match url.host() {
            Some(Host::Ipv4(ip)) => return Ok(vec![IpAddr::V4(ip)]),
            Some(Host::Ipv6(ip)) => return Ok(vec![IpAddr::V6(ip)]),
            Some(Host::Domain(domain)) => domain,
            None => return Err("the URL has no host".to_owned()),
        };
        if let Some(given) = self.inner.resolved_hosts.get(&domain.to_ascii_lowercase()) {
            return Ok(given.clone());
        }
        let port = url.port_or_known_default().unwrap_or(443);
        match tokio::time::timeout(wait, tokio::net::lookup_host((domain, port))).await {
            Ok(Ok(found)) => {
                let mut addresses = Vec::new();
                for ip in found.map(|a| a.ip()) {
                    if !addresses.contains(&ip) {
                        addresses.push(ip);
                    }
                }
                if addresses.is_empty() {
                    Err(format!("{domain} resolves to no address"))
                } else {
                    Ok(addresses)
                }
            }
            Ok(Err(e)) => Err(format!("cannot resolve {domain} ({e})")),
            Err(_) => Err(format!(
                "resolving {domain} took longer than {} s",
                format_seconds(&wait)
            )),
        }
    }

    /// The reqwest client for one hop: `url`'s host pinned to the checked `addresses` (a second
    /// DNS answer is never used), direct for loopback, else through the system proxy if any.
    /// Hops with the same pin and proxy choice share one client, and so its connection pool.
    fn hop_client(&self, url: &Url, addresses: &[IpAddr]) -> Result<reqwest::Client, HttpError> {
        let loopback_only = !addresses.is_empty()
            && (addresses.iter()).all(|&ip| non_public_kind(ip) == Some(NonPublicKind::Loopback));
        let pin = match url.host() {
            Some(Host::Domain(domain)) if !addresses.is_empty() => {
                let port = url.port_or_known_default().unwrap_or(0);
                let pinned = addresses.iter().map(|&ip| SocketAddr::new(ip, port));
                Some((domain.to_ascii_lowercase(), pinned.collect()))
            }
            _ => None,
        };
        let key = HopClientKey {
            direct: is_loopback_url(url) || loopback_only,
            pin,
        };
        if let Some(client) = lock(&self.inner.hop_clients).get(&key) {
            return Ok(client.clone());
        }
        let client = self.reqwest_client(&key)?;
        lock(&self.inner.hop_clients).put(key, client.clone());
        Ok(client)
    }

    fn reqwest_client(&self, key: &HopClientKey) -> Result<reqwest::Client, HttpError> {
        let policy = &self.inner.policy;
        let tls = (self.inner.tls)
            .get_or_init(build_tls)
            .as_ref()
            .map_err(Clone::clone)?;
        let mut builder = reqwest::Client::builder()
            .tls_backend_preconfigured(tls.clone())
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(policy.connect_timeout)
            .timeout(policy.total_timeout);
        if key.direct {
            builder = builder.no_proxy();
        }
        if let Some((domain, addresses)) = &key.pin {
            builder = builder.resolve_to_addrs(domain, addresses);
        }
        builder
            .build()
            .map_err(|e| HttpError::Client(error_chain(&e)))
    }

    async fn send_once(
        &self,
        request: &HttpRequest,
        url: &Url,
        addresses: &[IpAddr],
        deadline: Instant,
        transcript: &Transcript,
    ) -> Result<HttpResponse, HttpError> {
        let policy = &self.inner.policy;
        let started = Instant::now();
        let remaining = deadline.saturating_duration_since(started);
        let timeout_error = || HttpError::Timeout {
            url: url.to_string(),
            after: policy.total_timeout,
        };
        if remaining.is_zero() {
            let e = timeout_error();
            transcript.record(failed_exchange(request, url, None, 0, &e));
            return Err(e);
        }
        let method = reqwest::Method::from_bytes(request.method.as_bytes()).map_err(|e| {
            HttpError::Request {
                url: url.to_string(),
                reason: e.to_string(),
            }
        })?;
        let client = self.hop_client(url, addresses).inspect_err(|e| {
            transcript.record(failed_exchange(request, url, None, 0, e));
        })?;
        let mut builder = client.request(method, url.clone()).timeout(remaining);
        for h in &request.headers {
            builder = builder.header(h.name.as_str(), h.value.as_str());
        }
        if let Some(body) = &request.body {
            builder = builder.body(body.clone());
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
        // From here on the request is on its way: if this future is dropped (the operation
        // cancelled), the exchange is recorded as unfinished.
        let mut in_flight = InFlight::new(transcript, request, url, started);
        let mut response = match builder.send().await {
            Ok(r) => r,
            Err(e) => {
                let e = map_reqwest(e);
                in_flight.finish(Some(&e));
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
        in_flight.answered(status, &headers);
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
                in_flight.finish(Some(&e));
                return Err(e);
            }
        };
        in_flight.finish(None);
        Ok(HttpResponse {
            url: url.to_string(),
            status,
            headers,
            body,
            from_cache: false,
            // Set by `send_hops`, which knows the operation's root.
            root: TypedRoot::Public,
        })
    }
}

/// The record of a hop that failed before or during its exchange.
fn failed_exchange(
    request: &HttpRequest,
    url: &Url,
    status: Option<(u16, &[HttpHeader])>,
    duration_ms: u64,
    error: &HttpError,
) -> Exchange {
    Exchange {
        method: request.method.clone(),
        // A URL refused for its credentials is recorded without them.
        url: without_credentials(url),
        status: status.map(|(s, _)| s),
        request_headers: redact_headers(&request.headers),
        response_headers: status.map(|(_, h)| redact_headers(h)).unwrap_or_default(),
        duration_ms,
        from_cache: false,
        error: Some(error.to_string()),
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
            root: TypedRoot::Public,
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

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn public_addresses_are_told_from_every_non_public_range() {
        use NonPublicKind::*;
        for (address, kind) in [
            ("127.0.0.1", Loopback),
            ("127.255.0.9", Loopback),
            ("::1", Loopback),
            ("::ffff:127.0.0.1", Loopback),
            ("10.1.2.3", Private),
            ("172.16.0.1", Private),
            ("172.31.255.255", Private),
            ("192.168.1.1", Private),
            ("::ffff:192.168.1.1", Private),
            ("fc00::1", UniqueLocal),
            ("fd12:3456::1", UniqueLocal),
            ("169.254.169.254", LinkLocal),
            ("fe80::1", LinkLocal),
            ("::ffff:169.254.169.254", LinkLocal),
            ("64:ff9b::a9fe:a9fe", LinkLocal),
            ("2002:a9fe:a9fe::1", LinkLocal),
            ("0.0.0.0", Unspecified),
            ("::", Unspecified),
            ("100.64.0.1", Shared),
            ("100.127.255.254", Shared),
            ("0.1.2.3", Reserved),
            ("192.0.2.1", Reserved),
            ("198.18.0.1", Reserved),
            ("224.0.0.1", Reserved),
            ("255.255.255.255", Reserved),
            ("::127.0.0.1", Reserved),
            ("2001:db8::1", Reserved),
            ("ff02::1", Reserved),
        ] {
            assert_eq!(non_public_kind(ip(address)), Some(kind), "{address}");
            assert!(!is_public_address(ip(address)), "{address}");
        }
        for address in [
            "8.8.8.8",
            "93.184.216.34",
            "172.15.255.255",
            "172.32.0.1",
            "100.63.255.255",
            "100.128.0.1",
            "169.253.0.1",
            "2606:4700:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
        ] {
            assert!(is_public_address(ip(address)), "{address}");
        }
    }

    fn derived(root: TypedRoot) -> Provenance {
        Provenance::Derived {
            origin: UrlOrigin::JwksUri {
                of: "https://idp.example.test".into(),
            },
            root,
        }
    }

    #[test]
    fn a_derived_url_reaches_non_public_addresses_only_under_a_local_typed_root() {
        let url = Url::parse("http://idp.example.test:8080/jwks").unwrap();
        let loopback = [ip("127.0.0.1")];
        assert!(check_hop_addresses(&url, &Provenance::Typed, &loopback).is_ok());
        assert!(check_hop_addresses(&url, &derived(TypedRoot::Local), &loopback).is_ok());
        assert!(check_hop_addresses(&url, &derived(TypedRoot::Public), &[ip("8.8.8.8")]).is_ok());
        let e = check_hop_addresses(&url, &derived(TypedRoot::Public), &loopback).unwrap_err();
        assert_eq!(e.code(), "http.forbidden_address");
        assert_eq!(
            e.to_string(),
            "refusing to fetch http://idp.example.test:8080/jwks (the jwks_uri of \
             https://idp.example.test): it resolves to 127.0.0.1, a loopback address; a URL \
             that came from a server or a token may reach loopback, private or link-local \
             addresses only when the URL you typed is itself one"
        );
        // One non-public address among public ones is enough to refuse.
        let mixed = [ip("8.8.8.8"), ip("10.0.0.7")];
        let e = check_hop_addresses(&url, &Provenance::token_jku(), &mixed).unwrap_err();
        assert!(e.to_string().contains("(the token's jku header)"), "{e}");
        assert!(
            e.to_string().contains("10.0.0.7, a private (RFC 1918)"),
            "{e}"
        );
        // Unresolved: nothing to check, so refused.
        let e = check_hop_addresses(&url, &derived(TypedRoot::Absent), &[]).unwrap_err();
        assert_eq!(e.code(), "http.connect");
    }

    #[test]
    fn the_typed_root_is_local_only_when_every_address_of_the_typed_url_is() {
        let root = |addresses: &[&str]| {
            let addresses: Vec<IpAddr> = addresses.iter().map(|a| ip(a)).collect();
            root_after(&Provenance::Typed, &addresses)
        };
        assert_eq!(root(&["127.0.0.1", "::1"]), TypedRoot::Local);
        assert_eq!(root(&["192.168.0.10"]), TypedRoot::Local);
        assert_eq!(root(&["127.0.0.1", "8.8.8.8"]), TypedRoot::Public);
        assert_eq!(root(&[]), TypedRoot::Public, "unresolved counts as public");
        // A derived URL hands on the root it was given, whatever it resolves to.
        let handed = root_after(&derived(TypedRoot::Public), &[ip("127.0.0.1")]);
        assert_eq!(handed, TypedRoot::Public);
    }

    #[test]
    fn cached_hops_are_served_only_where_the_rule_would_fetch_them() {
        let hop = |url: &str, address: &str| Hop {
            url: Url::parse(url).unwrap(),
            addresses: vec![ip(address)],
        };
        // Typed http://127.0.0.1/a, redirected to http://10.0.0.5/b.
        let hops = [
            hop("http://127.0.0.1/a", "127.0.0.1"),
            hop("http://10.0.0.5/b", "10.0.0.5"),
        ];
        assert_eq!(
            replay_hops(&Provenance::Typed, &hops),
            Some(TypedRoot::Local)
        );
        assert_eq!(
            replay_hops(&derived(TypedRoot::Local), &hops),
            Some(TypedRoot::Local)
        );
        assert_eq!(replay_hops(&Provenance::token_jku(), &hops), None);
        // Typed public, then redirected to a private address: not even for the typed URL.
        let hops = [
            hop("https://idp.example.test/a", "8.8.8.8"),
            hop("http://10.0.0.5/b", "10.0.0.5"),
        ];
        assert_eq!(replay_hops(&Provenance::Typed, &hops), None);
    }

    fn cached_document(url: &str, body_bytes: usize) -> CacheEntry {
        CacheEntry {
            response: HttpResponse {
                url: url.to_owned(),
                status: 200,
                headers: Vec::new(),
                body: vec![b' '; body_bytes],
                from_cache: false,
                root: TypedRoot::Public,
            },
            hops: Vec::new(),
            expires_at: i64::MAX,
        }
    }

    #[test]
    fn the_cache_evicts_the_least_recently_used_entry_first() {
        let mut cache = ResponseCache::new(3, usize::MAX);
        for key in ["a", "b", "c"] {
            cache.insert(key.into(), cached_document(key, 10));
        }
        // Reading "a" makes "b" the least recently used.
        assert!(cache.get("a").is_some());
        cache.insert("d".into(), cached_document("d", 10));
        assert!(cache.get("b").is_none(), "b was evicted");
        for key in ["a", "c", "d"] {
            assert!(cache.get(key).is_some(), "{key} kept");
        }
        assert_eq!(cache.entries.len(), 3);
    }

    #[test]
    fn the_cache_keeps_its_byte_bound_and_skips_oversized_documents() {
        // Each entry counts key (1) + URL (1) + body (100) bytes.
        let mut cache = ResponseCache::new(64, 250);
        cache.insert("a".into(), cached_document("a", 100));
        cache.insert("b".into(), cached_document("b", 100));
        assert_eq!(cache.bytes, 204);
        cache.insert("c".into(), cached_document("c", 100));
        assert!(cache.get("a").is_none(), "a made room for c");
        assert_eq!(cache.bytes, 204);
        assert!(cache.bytes <= 250);
        // Replacing an entry counts it once.
        cache.insert("c".into(), cached_document("c", 10));
        assert_eq!(cache.bytes, 102 + 12);
        // Larger than the whole bound: not stored, nothing evicted for it.
        cache.insert("huge".into(), cached_document("huge", 1000));
        assert!(cache.get("huge").is_none());
        assert!(cache.get("b").is_some() && cache.get("c").is_some());
        cache.remove("b");
        assert_eq!(cache.bytes, 12);
        cache.clear();
        assert_eq!((cache.bytes, cache.entries.len()), (0, 0));
    }

    #[test]
    fn credentials_in_a_url_are_refused_without_repeating_them() {
        let p = HttpPolicy::default();
        for url in [
            "https://user:hunter2@idp.example/x",
            "https://hunter2@idp.example/x",
            "http://user:hunter2@127.0.0.1:8080/x",
            "http://user:hunter2@idp.example/x",
        ] {
            let e = check_url(url, &p).unwrap_err();
            assert_eq!(e.code(), "http.credentials_in_url", "{url}");
            assert!(!e.to_string().contains("hunter2"), "{e}");
        }
        // An unparsable URL with credentials does not repeat them either.
        let e = check_url("https://user:hunter2@exa mple.com/", &p).unwrap_err();
        assert_eq!(e.code(), "http.invalid_url");
        assert!(!e.to_string().contains("hunter2"), "{e}");
    }

    fn closed_loopback_port() -> u16 {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    }

    #[test]
    fn making_a_client_sets_up_no_tls_until_a_fetch_connects() {
        let client = HttpClient::new(HttpPolicy::default(), Arc::new(crate::clock::FixedClock(0)));
        assert!(client.inner.tls.get().is_none(), "no TLS, no trust store");
        assert!(lock(&client.inner.hop_clients).is_empty());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let (options, transcript) = (FetchOptions::default(), Transcript::new());
        // A fetch the policy refuses connects nowhere, so it sets up nothing either.
        let refused = client.get("http://idp.example/x", &options, &transcript);
        assert_eq!(
            runtime.block_on(refused).unwrap_err().code(),
            "http.insecure"
        );
        assert!(client.inner.tls.get().is_none());
        // The first fetch that connects does (here to a closed port: refused, but it tried).
        let url = format!("http://127.0.0.1:{}/x", closed_loopback_port());
        let failed = client.get(&url, &options, &transcript);
        assert_eq!(runtime.block_on(failed).unwrap_err().code(), "http.connect");
        assert!(matches!(client.inner.tls.get(), Some(Ok(_))));
        assert_eq!(transcript.len(), 1, "the refused connection is recorded");
    }

    #[test]
    fn hops_pinned_alike_share_one_client() {
        let client = HttpClient::new(HttpPolicy::default(), Arc::new(crate::clock::FixedClock(0)));
        let url = |text: &str| Url::parse(text).unwrap();
        let a = [ip("127.0.0.1")];
        let first = client
            .hop_client(&url("http://idp.test:8080/a"), &a)
            .unwrap();
        client
            .hop_client(&url("http://idp.test:8080/b"), &a)
            .unwrap();
        assert_eq!(lock(&client.inner.hop_clients).len(), 1);
        // Another address for the same name is another pin, so another client.
        client
            .hop_client(&url("http://idp.test:8080/a"), &[ip("127.0.0.2")])
            .unwrap();
        assert_eq!(lock(&client.inner.hop_clients).len(), 2);
        drop(first);
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
