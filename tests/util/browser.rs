//! The person at the browser, for flow tests: from an authorization URL, logs in and consents (or
//! refuses) on the test OpenID Provider's devInteractions pages (`tests/idp/server.mjs`), then
//! brings the authorization response to the app's loopback listener. Its JavaScript twin, for the
//! real-window tests, is `tests/e2e/browser.mjs`.
//!
//! Like a browser, and unlike a plain HTTP client: one cookie jar for the whole journey (the
//! provider keeps the interaction and the session in cookies scoped to `/interaction/<uid>`,
//! `/auth/<uid>` and `/`), and redirects followed one at a time, so the loop sees the one that
//! leaves the provider for the app.
//!
//! The HTTP client is reqwest, already the core's, so no new dependency: its async client on a
//! runtime of the calling thread (the project has no reqwest `blocking` feature). Its `cookies`
//! feature would add crates and change the core's own reqwest build under test, hence the small
//! jar here.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderValue, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use reqwest::{Client, Method, Response, StatusCode};
use url::Url;

/// Far more than the provider's login → consent → redirect (about eight hops).
const MAX_HOPS: usize = 20;
const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);
/// The provider's pages are a few KiB.
const MAX_PAGE_BYTES: usize = 1024 * 1024;
/// `Url::host_str` keeps the brackets of an IPv6 host.
const LOOPBACK_HOSTS: [&str; 3] = ["127.0.0.1", "[::1]", "localhost"];

/// What the person does on the consent page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consent {
    /// Submits the consent form.
    Approve,
    /// Follows the page's "[ Cancel ]" link: the redirect carries `error=access_denied`.
    Deny,
}

/// The end of a browser journey: the redirect to the app and the app listener's answer to it.
#[derive(Debug, Clone)]
pub struct BrowserResult {
    /// The loopback URL the provider redirected to, with its query (`code` or `error`, `state`,
    /// `iss`).
    pub redirect_url: String,
    pub listener_status: u16,
    pub listener_body: String,
}

/// Plays the browser from `authorization_url`: logs in as `user` (password `user`), approves or
/// denies consent, and stops at the first redirect to a loopback URL off the provider's origin,
/// which it then requests so the app's listener receives it. Blocking: call it from a plain
/// thread (it runs its own runtime), not from async code. Panics, naming the last URL and
/// status, on anything a person would be stuck at.
pub fn play_browser(authorization_url: &str, user: &str, consent: Consent) -> BrowserResult {
    let start = Url::parse(authorization_url)
        .unwrap_or_else(|e| panic!("play_browser: {authorization_url:?} is not a URL: {e}"));
    runtime().block_on(Browser::new().play(start, user, consent))
}

/// Plays the person approving a device flow (RFC 8628 §3.3) from its `verification_uri_complete`:
/// the provider's code confirmation pages, then login as `user` and consent (or deny). Returns
/// the text of the last page (the provider's "success" or "denied" page, not a redirect).
pub fn play_device(verification_uri_complete: &str, user: &str, consent: Consent) -> String {
    let start = Url::parse(verification_uri_complete)
        .unwrap_or_else(|e| panic!("play_device: {verification_uri_complete:?} is not a URL: {e}"));
    runtime().block_on(Browser::new().play_device(start, user, consent))
}

/// Sends `GET <redirect_uri>?<query>` as a forged redirect would (another local process or a web
/// page guessing the port): the listener's status and body. Blocking, like [`play_browser`].
pub fn send_forged_redirect(redirect_uri: &str, query: &str) -> (u16, String) {
    let mut url = Url::parse(redirect_uri)
        .unwrap_or_else(|e| panic!("send_forged_redirect: {redirect_uri:?} is not a URL: {e}"));
    url.set_query(Some(query));
    runtime().block_on(async {
        let response = Browser::new().send(&url, &Request::get()).await;
        let status = response.status().as_u16();
        (status, read_page(&url, response).await)
    })
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime for the test browser")
}

/// One request of the journey: what a link (GET) or a form submission (POST) sends.
#[derive(Debug, Clone)]
struct Request {
    method: Method,
    form: Option<Vec<(String, String)>>,
}

impl Request {
    fn get() -> Self {
        Request {
            method: Method::GET,
            form: None,
        }
    }
}

struct Browser {
    client: Client,
    jar: CookieJar,
}

impl Browser {
    fn new() -> Self {
        // Plain http on loopback only: a TLS setup with no trust anchors (reqwest wants one, and
        // this one never reads the OS trust store), no proxy, no automatic redirects.
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("ring supports the default TLS versions")
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth();
        let client = Client::builder()
            .tls_backend_preconfigured(tls)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(REQUEST_TIMEOUT)
            .build()
            .expect("the test browser's HTTP client");
        Browser {
            client,
            jar: CookieJar::default(),
        }
    }

    async fn play(mut self, start: Url, user: &str, consent: Consent) -> BrowserResult {
        let provider = start.origin();
        let mut url = start;
        let mut request = Request::get();
        for _ in 0..MAX_HOPS {
            let response = self.send(&url, &request).await;
            let status = response.status();
            if status.is_redirection() {
                let Some(location) = response.headers().get(LOCATION) else {
                    stuck("a redirect without Location", &url, status, "");
                };
                let next = location
                    .to_str()
                    .ok()
                    .and_then(|l| url.join(l).ok())
                    .unwrap_or_else(|| {
                        stuck(
                            "an unusable Location",
                            &url,
                            status,
                            &format!("{location:?}"),
                        )
                    });
                if is_app_redirect(&next, &provider) {
                    let answer = self.send(&next, &Request::get()).await;
                    let listener_status = answer.status().as_u16();
                    return BrowserResult {
                        redirect_url: next.to_string(),
                        listener_status,
                        listener_body: read_page(&next, answer).await,
                    };
                }
                // Browsers turn a redirected POST into a GET except on 307/308 (RFC 9110 §15.4).
                if !matches!(
                    status,
                    StatusCode::TEMPORARY_REDIRECT | StatusCode::PERMANENT_REDIRECT
                ) {
                    request = Request::get();
                }
                url = next;
                continue;
            }
            let is_html = response
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("text/html"));
            let page = read_page(&url, response).await;
            if status != StatusCode::OK || !is_html {
                stuck("an unexpected page", &url, status, &page);
            }
            let forms = forms(&page);
            let (next, next_request) =
                if let Some(next) = interaction(&forms, &page, &url, status, user, consent) {
                    next
                } else {
                    stuck(
                        "a page with neither the login nor the consent form",
                        &url,
                        status,
                        &page,
                    );
                };
            url = next;
            request = next_request;
        }
        panic!("play_browser: still no redirect to the app after {MAX_HOPS} hops; last URL {url}");
    }

    async fn play_device(mut self, start: Url, user: &str, consent: Consent) -> String {
        let mut url = start;
        let mut request = Request::get();
        // After the consent page, the provider ends on a page of its own: "success", or the code
        // entry form again with the refusal shown.
        let mut decided = false;
        for _ in 0..MAX_HOPS {
            let response = self.send(&url, &request).await;
            let status = response.status();
            if status.is_redirection() {
                let next = (response.headers().get(LOCATION))
                    .and_then(|l| l.to_str().ok())
                    .and_then(|l| url.join(l).ok())
                    .unwrap_or_else(|| {
                        stuck("a redirect without a usable Location", &url, status, "")
                    });
                if !matches!(
                    status,
                    StatusCode::TEMPORARY_REDIRECT | StatusCode::PERMANENT_REDIRECT
                ) {
                    request = Request::get();
                }
                url = next;
                continue;
            }
            let page = read_page(&url, response).await;
            if status != StatusCode::OK {
                stuck("an unexpected page", &url, status, &page);
            }
            let forms = forms(&page);
            let (next, next_request) =
                if let Some(next) = interaction(&forms, &page, &url, status, user, consent) {
                    // After the consent page comes the provider's own last page.
                    decided |= forms
                        .iter()
                        .any(|f| f.hidden_value("prompt") == Some("consent"));
                    next
                } else if let Some(code) = (forms.iter())
                    .find(|f| f.hidden_value("xsrf").is_some())
                    .filter(|_| !decided)
                {
                    // The code entry and confirmation pages: submit as the button would.
                    let mut fields = code.hidden.clone();
                    fields.extend(code.buttons.iter().take(1).cloned());
                    (code.target(&url), code.request(fields))
                } else {
                    return visible_text(&page);
                };
            url = next;
            request = next_request;
        }
        panic!("play_device: not done after {MAX_HOPS} hops; last URL {url}");
    }

    /// One request with the jar's cookies; the response's cookies go into the jar.
    async fn send(&mut self, url: &Url, request: &Request) -> Response {
        let mut target = url.clone();
        let mut builder = match (&request.form, request.method == Method::GET) {
            (Some(fields), true) => {
                target.query_pairs_mut().clear().extend_pairs(fields);
                self.client.get(target.clone())
            }
            (Some(fields), false) => {
                let body = url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(fields)
                    .finish();
                (self.client.request(request.method.clone(), target.clone()))
                    .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(body)
            }
            (None, _) => self.client.request(request.method.clone(), target.clone()),
        };
        if let Some(cookies) = self.jar.header(&target) {
            builder = builder.header(COOKIE, cookies);
        }
        let response = builder
            .send()
            .await
            .unwrap_or_else(|e| panic!("play_browser: {} {target} failed: {e}", request.method));
        for set_cookie in response.headers().get_all(SET_COOKIE) {
            if let Ok(text) = set_cookie.to_str() {
                self.jar.store(&target, text);
            }
        }
        response
    }
}

/// The next request on the provider's login or consent page: log in as `user` (password
/// `user`), then approve, or follow the "[ Cancel ]" link (`access_denied`). `None` on any other
/// page.
fn interaction(
    forms: &[Form],
    page: &str,
    url: &Url,
    status: StatusCode,
    user: &str,
    consent: Consent,
) -> Option<(Url, Request)> {
    let with_prompt = |prompt: &str| {
        forms
            .iter()
            .find(|f| f.hidden_value("prompt") == Some(prompt))
    };
    if let Some(login) = with_prompt("login") {
        let mut fields = login.hidden.clone();
        fields.push(("login".to_owned(), user.to_owned()));
        fields.push(("password".to_owned(), user.to_owned()));
        return Some((login.target(url), login.request(fields)));
    }
    let approval = with_prompt("consent")?;
    Some(match consent {
        Consent::Approve => (
            approval.target(url),
            approval.request(approval.hidden.clone()),
        ),
        Consent::Deny => {
            let abort = start_tags(page, "a")
                .into_iter()
                .filter_map(|a| a.attr("href").and_then(|h| url.join(h).ok()))
                .find(|href| href.path().ends_with("/abort"))
                .unwrap_or_else(|| {
                    stuck("a consent page without an abort link", url, status, page)
                });
            (abort, Request::get())
        }
    })
}

/// A redirect to the app: loopback http, and not the provider (itself on 127.0.0.1).
fn is_app_redirect(url: &Url, provider: &url::Origin) -> bool {
    url.scheme() == "http"
        && url.host_str().is_some_and(|h| LOOPBACK_HOSTS.contains(&h))
        && &url.origin() != provider
}

/// The body as text, at most [`MAX_PAGE_BYTES`].
async fn read_page(url: &Url, mut response: Response) -> String {
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                body.extend_from_slice(&chunk);
                if body.len() > MAX_PAGE_BYTES {
                    panic!("play_browser: the page at {url} is over {MAX_PAGE_BYTES} bytes");
                }
            }
            Ok(None) => break,
            Err(e) => panic!("play_browser: reading {url} failed: {e}"),
        }
    }
    String::from_utf8_lossy(&body).into_owned()
}

fn stuck(what: &str, url: &Url, status: StatusCode, page: &str) -> ! {
    let excerpt: String = visible_text(page).chars().take(500).collect();
    panic!("play_browser: {what} at {url} (HTTP {status}): {excerpt}");
}

/// A page's text without tags, styles or scripts, whitespace collapsed: what a person reads (the
/// provider's error page starts with a screenful of CSS).
fn visible_text(html: &str) -> String {
    let lower = html.to_ascii_lowercase();
    let mut text = String::new();
    let mut at = 0;
    while let Some(open) = lower[at..].find('<').map(|i| at + i) {
        text.push_str(&html[at..open]);
        text.push(' ');
        let skip_to = ["style", "script"]
            .iter()
            .filter(|name| lower[open + 1..].starts_with(*name))
            .find_map(|name| lower[open..].find(&format!("</{name}")).map(|i| open + i));
        let from = skip_to.unwrap_or(open);
        at = lower[from..].find('>').map_or(html.len(), |i| from + i + 1);
    }
    text.push_str(&html[at..]);
    unescape(&text.split_whitespace().collect::<Vec<_>>().join(" "))
}

// ---- the cookie jar ----------------------------------------------------------------------------

/// RFC 6265 cookies, as much as one provider on http needs: host-only, path-scoped, expiring.
#[derive(Debug, Default)]
struct CookieJar {
    cookies: Vec<Cookie>,
}

#[derive(Debug)]
struct Cookie {
    host: String,
    path: String,
    name: String,
    value: String,
    secure: bool,
}

impl CookieJar {
    /// Keeps one `Set-Cookie` of a response to `url`.
    fn store(&mut self, url: &Url, set_cookie: &str) {
        let mut parts = set_cookie.split(';');
        let Some((name, value)) = parts.next().and_then(|pair| pair.split_once('=')) else {
            return;
        };
        let (name, value) = (name.trim(), value.trim());
        if name.is_empty() {
            return;
        }
        // RFC 6265 §5.1.4: the default path is the request path up to its last `/`.
        let request_path = url.path();
        let mut path = request_path[..request_path.rfind('/').unwrap_or(0).max(1)].to_owned();
        let mut expired = false;
        let mut secure = false;
        for attribute in parts {
            let (key, attr_value) = attribute.split_once('=').unwrap_or((attribute, ""));
            let attr_value = attr_value.trim();
            match key.trim().to_ascii_lowercase().as_str() {
                "path" if attr_value.starts_with('/') => path = attr_value.to_owned(),
                "max-age" => expired |= attr_value.parse::<i64>().is_ok_and(|s| s <= 0),
                "expires" => expired |= http_date(attr_value).is_some_and(|t| t <= now()),
                "secure" => secure = true,
                // `domain` is not honoured: every cookie stays host-only, all one provider needs.
                _ => {}
            }
        }
        // Cookies are scoped by host, not port (RFC 6265 §8.5): the app's listener on another port
        // of 127.0.0.1 receives the provider's cookies too, as it would from a real browser.
        let host = url.host_str().unwrap_or_default().to_owned();
        self.cookies
            .retain(|c| !(c.host == host && c.path == path && c.name == name));
        if !expired {
            self.cookies.push(Cookie {
                host,
                path,
                name: name.to_owned(),
                value: value.to_owned(),
                secure,
            });
        }
    }

    /// The `Cookie` header for a request to `url`, if any cookie matches.
    fn header(&self, url: &Url) -> Option<HeaderValue> {
        let host = url.host_str().unwrap_or_default();
        let path = url.path();
        let mut matching: Vec<&Cookie> = (self.cookies.iter())
            .filter(|c| c.host == host && (!c.secure || url.scheme() == "https"))
            .filter(|c| {
                path == c.path
                    || (path.starts_with(&c.path)
                        && (c.path.ends_with('/') || path.as_bytes()[c.path.len()] == b'/'))
            })
            .collect();
        // RFC 6265 §5.4: longer paths first.
        matching.sort_by_key(|c| std::cmp::Reverse(c.path.len()));
        let pairs: Vec<String> = (matching.iter())
            .map(|c| format!("{}={}", c.name, c.value))
            .collect();
        (!pairs.is_empty())
            .then(|| HeaderValue::from_str(&pairs.join("; ")).ok())
            .flatten()
    }
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// An IMF-fixdate (`Wed, 02 Dec 2026 04:59:29 GMT`, RFC 9110 §5.6.7) as Unix seconds; `None`
/// for anything else (the cookie then lives for the session).
fn http_date(text: &str) -> Option<i64> {
    let (_, rest) = text.split_once(", ")?;
    let mut fields = rest.split_whitespace();
    let day: u8 = fields.next()?.parse().ok()?;
    let month = match fields.next()? {
        "Jan" => time::Month::January,
        "Feb" => time::Month::February,
        "Mar" => time::Month::March,
        "Apr" => time::Month::April,
        "May" => time::Month::May,
        "Jun" => time::Month::June,
        "Jul" => time::Month::July,
        "Aug" => time::Month::August,
        "Sep" => time::Month::September,
        "Oct" => time::Month::October,
        "Nov" => time::Month::November,
        "Dec" => time::Month::December,
        _ => return None,
    };
    let year: i32 = fields.next()?.parse().ok()?;
    let mut clock = fields.next()?.split(':').map(|n| n.parse::<u8>().ok());
    let (hour, minute, second) = (clock.next()??, clock.next()??, clock.next()??);
    let date = time::Date::from_calendar_date(year, month, day).ok()?;
    let at = date.with_hms(hour, minute, second).ok()?;
    Some(at.assume_utc().unix_timestamp())
}

// ---- reading the provider's pages --------------------------------------------------------------

/// One HTML start tag: its end offset and attributes (names lower-cased, values unescaped).
#[derive(Debug)]
struct Tag {
    end: usize,
    attrs: Vec<(String, String)>,
}

impl Tag {
    fn attr(&self, name: &str) -> Option<&str> {
        (self.attrs.iter())
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A form: where and how it submits, and its hidden inputs in order.
#[derive(Debug)]
struct Form {
    action: String,
    method: Method,
    hidden: Vec<(String, String)>,
    /// Named submit buttons (`<button name=confirm value=yes>`), whose pair a click adds.
    buttons: Vec<(String, String)>,
}

impl Form {
    fn hidden_value(&self, name: &str) -> Option<&str> {
        (self.hidden.iter())
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn target(&self, page: &Url) -> Url {
        page.join(&self.action).unwrap_or_else(|e| {
            panic!(
                "play_browser: the form action {:?} on {page}: {e}",
                self.action
            )
        })
    }

    fn request(&self, fields: Vec<(String, String)>) -> Request {
        Request {
            method: self.method.clone(),
            form: Some(fields),
        }
    }
}

/// The forms of a page, each with the hidden inputs up to its `</form>`.
fn forms(html: &str) -> Vec<Form> {
    let lower = html.to_ascii_lowercase();
    start_tags(html, "form")
        .into_iter()
        .map(|form| {
            let close = lower[form.end..]
                .find("</form")
                .map_or(html.len(), |at| form.end + at);
            let hidden = start_tags(&html[form.end..close], "input")
                .into_iter()
                .filter(|input| {
                    input
                        .attr("type")
                        .is_some_and(|t| t.eq_ignore_ascii_case("hidden"))
                })
                .filter_map(|input| {
                    let name = input.attr("name")?.to_owned();
                    Some((name, input.attr("value").unwrap_or_default().to_owned()))
                })
                .collect();
            let buttons = start_tags(&html[form.end..close], "button")
                .into_iter()
                .filter_map(|button| {
                    let name = button.attr("name")?.to_owned();
                    Some((name, button.attr("value").unwrap_or_default().to_owned()))
                })
                .collect();
            let method = match form.attr("method") {
                Some(m) if m.eq_ignore_ascii_case("post") => Method::POST,
                _ => Method::GET,
            };
            Form {
                action: form.attr("action").unwrap_or_default().to_owned(),
                method,
                hidden,
                buttons,
            }
        })
        .collect()
}

/// The start tags named `name` (ASCII, any case) in `html`. One pass; a `>` inside a quoted
/// attribute value does not end the tag.
fn start_tags(html: &str, name: &str) -> Vec<Tag> {
    let lower = html.to_ascii_lowercase();
    let bytes = html.as_bytes();
    let opening = format!("<{name}");
    let mut tags = Vec::new();
    let mut from = 0;
    while let Some(found) = lower[from..].find(&opening) {
        let attrs_start = from + found + opening.len();
        from = attrs_start;
        // `<format>` is not `<form`: the name must end here.
        if !matches!(bytes.get(attrs_start), Some(b) if b.is_ascii_whitespace() || *b == b'>' || *b == b'/')
        {
            continue;
        }
        let mut quote = None;
        let Some(end) = (attrs_start..bytes.len()).find(|&i| match (quote, bytes[i]) {
            (None, b'>') => true,
            (None, q @ (b'"' | b'\'')) => {
                quote = Some(q);
                false
            }
            (Some(q), b) if b == q => {
                quote = None;
                false
            }
            _ => false,
        }) else {
            break;
        };
        tags.push(Tag {
            end: end + 1,
            attrs: attributes(&html[attrs_start..end]),
        });
        from = end + 1;
    }
    tags
}

/// The attributes of a start tag's text after its name: `name`, `name=bare`, `name="…"`,
/// `name='…'`, in any order.
fn attributes(text: &str) -> Vec<(String, String)> {
    let mut attrs = Vec::new();
    let mut rest = text;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '/');
        if rest.is_empty() {
            return attrs;
        }
        let name_end = rest
            .find(|c: char| c.is_ascii_whitespace() || c == '=' || c == '/')
            .unwrap_or(rest.len());
        let name = rest[..name_end].to_ascii_lowercase();
        rest = rest[name_end..].trim_start();
        let mut value = String::new();
        if let Some(after_eq) = rest.strip_prefix('=') {
            let after_eq = after_eq.trim_start();
            let (raw, remaining) = match after_eq.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let body = &after_eq[1..];
                    let close = body.find(q).unwrap_or(body.len());
                    (&body[..close], body.get(close + 1..).unwrap_or(""))
                }
                _ => {
                    let end = after_eq
                        .find(|c: char| c.is_ascii_whitespace())
                        .unwrap_or(after_eq.len());
                    (&after_eq[..end], &after_eq[end..])
                }
            };
            value = unescape(raw);
            rest = remaining;
        }
        if !name.is_empty() {
            attrs.push((name, value));
        }
    }
}

/// The character references oidc-provider's templates produce (`&amp;`, `&quot;`, `&#39;`, …).
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let decoded = rest.find(';').filter(|&semi| semi <= 10).and_then(|semi| {
            let entity = &rest[1..semi];
            let c = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => match entity.strip_prefix('#') {
                    Some(hex) if hex.starts_with(['x', 'X']) => u32::from_str_radix(&hex[1..], 16)
                        .ok()
                        .and_then(char::from_u32),
                    Some(decimal) => decimal.parse().ok().and_then(char::from_u32),
                    None => None,
                },
            };
            c.map(|c| (c, semi + 1))
        });
        match decoded {
            Some((c, used)) => {
                out.push(c);
                rest = &rest[used..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_are_read_whatever_the_attribute_order_and_quoting() {
        let page = r#"<p>x > y</p><FORM method='post' data-x="a>b" action="/i/1?a=1&amp;b=2">
            <input value="login" name=prompt type="hidden"/>
            <input type=text name=login>
          </form><format><form action=/other><input type="HIDDEN" value='consent' name="prompt"></form>"#;
        let forms = forms(page);
        assert_eq!(forms.len(), 2, "{forms:?}");
        assert_eq!(forms[0].action, "/i/1?a=1&b=2");
        assert_eq!(forms[0].method, Method::POST);
        assert_eq!(forms[0].hidden, [("prompt".to_owned(), "login".to_owned())]);
        assert_eq!(forms[1].action, "/other");
        assert_eq!(forms[1].method, Method::GET);
        assert_eq!(forms[1].hidden_value("prompt"), Some("consent"));
    }

    #[test]
    fn cookies_follow_path_host_and_expiry() {
        let provider = Url::parse("http://127.0.0.1:4000/auth?x=1").unwrap();
        let mut jar = CookieJar::default();
        jar.store(&provider, "_interaction=i1; path=/interaction/u1; httponly");
        jar.store(
            &provider,
            "_session=s1; path=/; expires=Wed, 16 Dec 2099 04:49:29 GMT",
        );
        jar.store(
            &provider,
            "gone=x; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT",
        );
        let header = |jar: &CookieJar, url: &str| {
            jar.header(&Url::parse(url).unwrap())
                .map(|h| h.to_str().unwrap().to_owned())
        };
        assert_eq!(
            header(&jar, "http://127.0.0.1:4000/interaction/u1").as_deref(),
            Some("_interaction=i1; _session=s1")
        );
        assert_eq!(
            header(&jar, "http://127.0.0.1:4000/interaction/u10").as_deref(),
            Some("_session=s1")
        );
        // Another port of the same host gets them too, as in a browser; another host does not.
        assert_eq!(
            header(&jar, "http://127.0.0.1:5000/callback").as_deref(),
            Some("_session=s1")
        );
        assert_eq!(header(&jar, "http://localhost:4000/interaction/u1"), None);
        jar.store(&provider, "_session=; path=/; max-age=0");
        assert_eq!(header(&jar, "http://127.0.0.1:4000/"), None);
    }

    #[test]
    fn visible_text_drops_styles_scripts_and_tags() {
        let page = "<html><head><STYLE>h1 { color: red }</style><script>x<y</script></head>\n\
                    <body><h1>oops!</h1><pre><strong>error</strong>: invalid_client &amp; more</pre>";
        assert_eq!(visible_text(page), "oops! error : invalid_client & more");
    }

    #[test]
    fn http_dates_are_unix_seconds() {
        assert_eq!(http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(
            http_date("Wed, 02 Dec 2026 04:59:29 GMT"),
            Some(1_796_187_569)
        );
        assert_eq!(http_date("tomorrow"), None);
    }
}
