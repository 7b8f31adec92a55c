//! The practice issuer's endpoints, on axum.

use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, RawQuery, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use base64::Engine as _;
use rand_core::RngCore as _;
use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;
use url::Url;

use super::clients::{preset_clients, Client};
use super::keys::{self, IssuerKeys};
use super::lessons::Lesson;
use super::pages::{self, USERS};
use super::store::{
    random_token, token_key, AccessRecord, AuthorizationRequest, CodeRecord, DeviceRecord,
    DeviceStatus, Login, PendingAuthorization, RefreshRecord, Store,
};
use super::tokens::{
    access_token, id_token, AccessTokenClaims, IdTokenClaims, ACCESS_TOKEN_TTL, REFRESH_TOKEN_TTL,
};
use super::{PracticeConfig, PracticeError};
use crate::clock::Clock;
use crate::jose::b64;

/// Request bodies and URIs: far more than any legitimate request needs (RFC 9110 §4.1 suggests
/// supporting 8000-octet URIs).
const MAX_BODY: usize = 16 * 1024;
const MAX_URI: usize = 8 * 1024;
/// Lifetimes, in seconds.
const CODE_TTL: i64 = 60;
const PENDING_TTL: i64 = 600;
const DEVICE_TTL: i64 = 600;
/// RFC 8628 §3.5: `slow_down` adds 5 seconds to the interval.
const SLOW_DOWN_STEP_MS: u64 = 5000;
/// The `slow-token` lesson's delay: beyond the 15 s total timeout of Tokenscope's HTTP client.
const SLOW_TOKEN_DELAY: Duration = Duration::from_secs(20);
/// The scopes `practice-native` may ask for, and those of client credentials.
const USER_SCOPES: [&str; 4] = ["openid", "profile", "email", "offline_access"];
const SERVICE_SCOPES: [&str; 2] = ["api:read", "api:write"];
/// How long rotated-out keys stay in the JWKS: longer than any token they signed lives.
pub(super) const ROTATION_GRACE: i64 = 900;
const MAX_RETIRED_KEYS: usize = 12;
const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
/// User codes: consonants only, so no word can be spelt (RFC 8628 §6.1).
const USER_CODE_ALPHABET: &[u8] = b"BCDFGHJKLMNPQRSTVWXZ";

pub(super) struct Issuer {
    issuer: String,
    /// What the metadata says `issuer` is: another origin under the `issuer-mismatch` lesson.
    advertised_issuer: String,
    /// The current key ring, replaced whole by a rotation.
    keys: RwLock<Arc<IssuerKeys>>,
    /// Public JWKs of rotated-out keys, still published until their time (Unix seconds), so
    /// tokens signed before a rotation keep verifying.
    retired: Mutex<Vec<(Value, i64)>>,
    /// The home page's rotate-keys form carries this, so another site cannot post it.
    admin_token: String,
    clients: Vec<Client>,
    lesson: Option<Lesson>,
    auto_approve: Option<String>,
    device_interval: Duration,
    clock: Arc<dyn Clock>,
    store: Mutex<Store>,
}

type Shared = Arc<Issuer>;

impl Issuer {
    pub(super) fn new(
        issuer: String,
        port: u16,
        keys: IssuerKeys,
        config: &PracticeConfig,
    ) -> Self {
        let advertised_issuer = if config.lesson == Some(Lesson::IssuerMismatch) {
            format!("http://localhost:{port}")
        } else {
            issuer.clone()
        };
        Issuer {
            issuer,
            advertised_issuer,
            keys: RwLock::new(Arc::new(keys)),
            retired: Mutex::new(Vec::new()),
            admin_token: random_token(),
            clients: preset_clients(),
            lesson: config.lesson,
            auto_approve: config.auto_approve.clone(),
            device_interval: config.device_interval,
            clock: config.clock.clone(),
            store: Mutex::new(Store::new()),
        }
    }

    fn now(&self) -> i64 {
        self.clock.now_unix()
    }

    fn store(&self) -> MutexGuard<'_, Store> {
        // A panic while holding the lock leaves plain data behind: keep serving.
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn keys(&self) -> Arc<IssuerKeys> {
        self.keys.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The current keys' JWKs, then the retired ones still in their grace period.
    fn published_jwks(&self) -> Value {
        let now = self.now();
        let mut keys = self.keys().jwks.clone();
        let retired = self.retired.lock().unwrap_or_else(|e| e.into_inner());
        keys.extend(
            retired
                .iter()
                .filter(|(_, until)| *until > now)
                .map(|(jwk, _)| jwk.clone()),
        );
        json!({ "keys": keys })
    }

    /// Puts `keys` in charge; the previous keys stay published for [`ROTATION_GRACE`] seconds.
    pub(super) fn rotate(&self, keys: IssuerKeys) {
        let now = self.now();
        let old = std::mem::replace(
            &mut *self.keys.write().unwrap_or_else(|e| e.into_inner()),
            Arc::new(keys),
        );
        let mut retired = self.retired.lock().unwrap_or_else(|e| e.into_inner());
        retired.retain(|(_, until)| *until > now);
        retired.extend(
            old.jwks
                .iter()
                .map(|jwk| (jwk.clone(), now + ROTATION_GRACE)),
        );
        // Rotating in a loop must not grow the JWKS without bound: the newest retired stay.
        let excess = retired.len().saturating_sub(MAX_RETIRED_KEYS);
        retired.drain(..excess);
    }

    /// Generates a new key ring like the current one and rotates to it (off the runtime's
    /// worker: RSA generation takes a moment). The new keys' kids.
    pub(super) async fn rotate_keys(self: &Arc<Self>) -> Result<Vec<String>, PracticeError> {
        let (alg, lesson) = (self.keys().alg, self.lesson);
        let keys = tokio::task::spawn_blocking(move || keys::generate(alg, lesson))
            .await
            .map_err(|e| PracticeError::Keys(e.to_string()))??;
        let kids = keys
            .jwks
            .iter()
            .filter_map(|k| k.get("kid").and_then(Value::as_str).map(str::to_owned))
            .collect();
        self.rotate(keys);
        Ok(kids)
    }

    fn client(&self, id: &str) -> Option<&Client> {
        self.clients.iter().find(|c| c.id == id)
    }

    fn endpoint(&self, path: &str) -> String {
        format!("{}{path}", self.issuer)
    }
}

pub(super) fn router(state: Shared) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/.well-known/openid-configuration", get(metadata))
        .route("/.well-known/oauth-authorization-server", get(metadata))
        .route("/jwks", get(jwks))
        .route("/authorize", get(authorize).post(authorize_post))
        .route("/login", post(login))
        .route("/consent", post(consent))
        .route("/abort", get(abort))
        .route("/token", post(token))
        .route("/userinfo", get(userinfo).post(userinfo))
        .route("/revoke", post(revoke))
        .route("/introspect", post(introspect))
        .route("/device_authorization", post(device_authorization))
        .route("/device", get(device_page).post(device_submit))
        .route("/rotate-keys", post(rotate_keys))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(middleware::from_fn(bound_uri))
        .with_state(state)
}

async fn bound_uri(request: Request, next: Next) -> Response {
    if request.uri().to_string().len() > MAX_URI {
        return (StatusCode::URI_TOO_LONG, "URI too long\n").into_response();
    }
    next.run(request).await
}

// ---------------------------------------------------------------------------------------------
// Parameters and responses

/// Form or query parameters, each at most once (RFC 6749 §3.1); empty values count as absent.
struct Params(Vec<(String, String)>);

impl Params {
    fn parse(bytes: &[u8]) -> Result<Params, String> {
        let mut pairs: Vec<(String, String)> = Vec::new();
        for (name, value) in url::form_urlencoded::parse(bytes) {
            if pairs.iter().any(|(n, _)| *n == name) {
                return Err(format!(
                    "the parameter \"{name}\" is repeated (RFC 6749 §3.1)"
                ));
            }
            pairs.push((name.into_owned(), value.into_owned()));
        }
        Ok(Params(pairs))
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }
}

fn json_response(status: StatusCode, value: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        value.to_string(),
    )
        .into_response()
}

/// A response with tokens or about tokens: never cached (RFC 6749 §5.1, RFC 7662 §2.2).
fn no_store(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// An OAuth error object (RFC 6749 §5.2).
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    no_store(json_response(
        status,
        &json!({"error": error, "error_description": description}),
    ))
}

fn invalid_request(description: &str) -> Response {
    oauth_error(StatusCode::BAD_REQUEST, "invalid_request", description)
}

fn invalid_grant(description: &str) -> Response {
    oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", description)
}

fn html(status: StatusCode, body: String) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            // No script, no framing (the consent page is no target for clickjacking).
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
            ),
            (header::X_FRAME_OPTIONS, "DENY"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

fn redirect(status: StatusCode, location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(value) => {
            let mut response = status.into_response();
            response.headers_mut().insert(header::LOCATION, value);
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "bad redirect\n").into_response(),
    }
}

/// The form parameters of a POST, or why there are none (for an `invalid_request`).
fn form_body(headers: &HeaderMap, body: &Bytes) -> Result<Params, String> {
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !form {
        return Err(
            "the body must be application/x-www-form-urlencoded (RFC 6749 §3.2)".to_owned(),
        );
    }
    Params::parse(body)
}

fn scope_list(text: Option<&str>) -> Vec<String> {
    let mut scopes: Vec<String> = Vec::new();
    for s in text.unwrap_or("").split(' ').filter(|s| !s.is_empty()) {
        if !scopes.iter().any(|x| x == s) {
            scopes.push(s.to_owned());
        }
    }
    scopes
}

fn user(name: &str) -> Option<(&'static str, &'static str, &'static str)> {
    USERS.iter().copied().find(|(u, _, _)| *u == name)
}

/// Password = user name, compared in constant time like a real one would be.
fn check_password(username: &str, password: &str) -> Option<&'static str> {
    let (name, _, _) = user(username)?;
    bool::from(name.as_bytes().ct_eq(password.as_bytes())).then_some(name)
}

// ---------------------------------------------------------------------------------------------
// Discovery and keys

async fn home(State(s): State<Shared>) -> Response {
    let lesson = s
        .lesson
        .map(|l| {
            let info = l.info();
            format!(
                "<h2>Lesson: {}</h2><p>{}</p><p><b>What you should see:</b> {}</p>",
                pages::escape(info.name),
                pages::escape(info.explanation),
                pages::escape(info.what_you_see)
            )
        })
        .unwrap_or_default();
    let body = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Tokenscope practice issuer</title></head><body>\
         <h1>Tokenscope practice issuer</h1><p>Issuer <code>{issuer}</code>; metadata at \
         <a href=\"/.well-known/openid-configuration\">/.well-known/openid-configuration</a>.</p>\
         <p>Clients: <code>practice-native</code> (public, PKCE, any loopback port, \
         <code>http://127.0.0.1/callback</code>) and <code>practice-service</code> (secret \
         <code>practice-service-secret</code>). Users alice, bob, admin (password = user name).</p>\
         <form method=\"post\" action=\"/rotate-keys\">\
         <input type=\"hidden\" name=\"token\" value=\"{token}\">\
         <button type=\"submit\">Rotate the signing keys</button> (the old keys stay in the \
         JWKS for {grace} minutes)</form>{lesson}</body></html>\n",
        issuer = pages::escape(&s.issuer),
        token = pages::escape(&s.admin_token),
        grace = ROTATION_GRACE / 60,
    );
    html(StatusCode::OK, body)
}

/// The home page's button: new keys sign from now on, the old ones stay published a while.
async fn rotate_keys(State(s): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let allowed = form_body(&headers, &body).is_ok_and(|p| {
        p.get("token")
            .is_some_and(|t| bool::from(t.as_bytes().ct_eq(s.admin_token.as_bytes())))
    });
    if !allowed {
        return html(
            StatusCode::FORBIDDEN,
            pages::error(
                "Not allowed",
                "rotate the keys from the practice issuer's home page",
                s.lesson,
            ),
        );
    }
    match s.rotate_keys().await {
        Ok(kids) => html(
            StatusCode::OK,
            pages::error(
                "Keys rotated",
                &format!(
                    "New keys {}. The previous keys stay in the JWKS for {} minutes, so tokens they signed still verify.",
                    kids.join(", "),
                    ROTATION_GRACE / 60
                ),
                s.lesson,
            ),
        ),
        Err(e) => html(
            StatusCode::INTERNAL_SERVER_ERROR,
            pages::error("Rotation failed", &e.to_string(), s.lesson),
        ),
    }
}

async fn metadata(State(s): State<Shared>) -> Response {
    let algs: Vec<&str> = s.keys().algs.iter().map(|a| a.name()).collect();
    let doc = json!({
        "issuer": s.advertised_issuer,
        "authorization_endpoint": s.endpoint("/authorize"),
        "token_endpoint": s.endpoint("/token"),
        "userinfo_endpoint": s.endpoint("/userinfo"),
        "jwks_uri": s.endpoint("/jwks"),
        "revocation_endpoint": s.endpoint("/revoke"),
        "introspection_endpoint": s.endpoint("/introspect"),
        "device_authorization_endpoint": s.endpoint("/device_authorization"),
        "scopes_supported": USER_SCOPES.iter().chain(SERVICE_SCOPES.iter()).collect::<Vec<_>>(),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": [
            "authorization_code", "refresh_token", "client_credentials", DEVICE_GRANT
        ],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": algs,
        "token_endpoint_auth_methods_supported": ["none", "client_secret_basic", "client_secret_post"],
        "revocation_endpoint_auth_methods_supported": ["none", "client_secret_basic", "client_secret_post"],
        "introspection_endpoint_auth_methods_supported": ["none", "client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "prompt_values_supported": ["none", "login", "consent"],
        "claims_supported": [
            "sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "at_hash",
            "name", "preferred_username", "email", "email_verified"
        ],
        "authorization_response_iss_parameter_supported": true,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
    });
    json_response(StatusCode::OK, &doc)
}

async fn jwks(State(s): State<Shared>) -> Response {
    let mut response = json_response(StatusCode::OK, &s.published_jwks());
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/jwk-set+json"),
    );
    response
}

// ---------------------------------------------------------------------------------------------
// Authorization

async fn authorize(State(s): State<Shared>, RawQuery(query): RawQuery) -> Response {
    authorization_request(&s, query.unwrap_or_default().as_bytes())
}

/// OIDC Core §3.1.2.1: the authorization endpoint accepts POST too.
async fn authorize_post(State(s): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form {
        return html(
            StatusCode::BAD_REQUEST,
            pages::error(
                "Invalid request",
                "a POSTed authorization request must be a form",
                s.lesson,
            ),
        );
    }
    authorization_request(&s, &body)
}

/// Adds the response parameters (and RFC 9207's `iss`) to the client's redirect URI.
fn redirect_with(s: &Issuer, redirect_uri: &str, params: &[(&str, &str)]) -> Response {
    let Ok(mut url) = Url::parse(redirect_uri) else {
        return html(
            StatusCode::BAD_REQUEST,
            pages::error(
                "Invalid redirect",
                "the redirect URI is not a URL",
                s.lesson,
            ),
        );
    };
    {
        let mut query = url.query_pairs_mut();
        for (name, value) in params {
            query.append_pair(name, value);
        }
        query.append_pair("iss", &s.issuer);
    }
    redirect(StatusCode::FOUND, url.as_str())
}

fn error_redirect(
    s: &Issuer,
    redirect_uri: &str,
    state: Option<&str>,
    error: &str,
    description: &str,
) -> Response {
    let mut params = vec![("error", error), ("error_description", description)];
    if let Some(state) = state {
        params.push(("state", state));
    }
    redirect_with(s, redirect_uri, &params)
}

fn authorization_request(s: &Issuer, raw: &[u8]) -> Response {
    let error_page = |title: &str, message: &str| {
        html(
            StatusCode::BAD_REQUEST,
            pages::error(title, message, s.lesson),
        )
    };
    let params = match Params::parse(raw) {
        Ok(p) => p,
        // Which client_id or redirect_uri counts is unclear: no redirect.
        Err(e) => return error_page("Invalid request", &e),
    };
    // RFC 6749 §4.1.2.1: with an unknown client or a redirect URI that does not match, tell
    // the user, never redirect.
    let Some(client_id) = params.get("client_id") else {
        return error_page("Invalid request", "client_id is missing");
    };
    let Some(client) = s.client(client_id) else {
        return error_page(
            "Unknown client",
            &format!("there is no client \"{client_id}\" here: the preset clients are practice-native and practice-service"),
        );
    };
    let Some(redirect_uri) = params.get("redirect_uri") else {
        return error_page(
            "Invalid request",
            "redirect_uri is missing (OIDC Core §3.1.2.1 requires it)",
        );
    };
    if !client.redirect_matches(redirect_uri) {
        return error_page(
            "Invalid redirect URI",
            &format!("\"{redirect_uri}\" is not registered for {client_id} (exact match; practice-native accepts http://127.0.0.1/callback, http://[::1]/callback and http://localhost/callback on any port, RFC 8252 §7.3)"),
        );
    }
    let state = params.get("state");
    let fail =
        |error: &str, description: &str| error_redirect(s, redirect_uri, state, error, description);
    if params.get("request").is_some() {
        return fail("request_not_supported", "request objects are not supported");
    }
    if params.get("request_uri").is_some() {
        return fail("request_uri_not_supported", "request_uri is not supported");
    }
    match params.get("response_type") {
        Some("code") => {}
        None => return fail("invalid_request", "response_type is missing"),
        Some(_) => {
            return fail(
                "unsupported_response_type",
                "only response_type=code is supported (RFC 9700 §2.1.2)",
            )
        }
    }
    if !client.allows("authorization_code") {
        return fail(
            "unauthorized_client",
            "this client may not use the authorization code grant",
        );
    }
    if let Some(mode) = params.get("response_mode") {
        if mode != "query" {
            return fail("invalid_request", "only response_mode=query is supported");
        }
    }
    let code_challenge = params.get("code_challenge");
    match (code_challenge, params.get("code_challenge_method")) {
        (None, _) if client.is_public() => {
            return fail(
                "invalid_request",
                "PKCE is required for public clients: send code_challenge with code_challenge_method=S256 (RFC 9700 §2.1.1)",
            )
        }
        (None, None) => {}
        (None, Some(_)) => {
            return fail(
                "invalid_request",
                "code_challenge_method without code_challenge",
            )
        }
        (Some(_), None | Some("plain")) => {
            return fail(
                "invalid_request",
                "code_challenge_method must be S256 (\"plain\", the default, is not supported; RFC 7636 §4.3, RFC 9700 §2.1.1)",
            )
        }
        (Some(_), Some("S256")) => {}
        (Some(_), Some(_)) => {
            return fail(
                "invalid_request",
                "unknown code_challenge_method: only S256 is supported",
            )
        }
    }
    if let Some(challenge) = code_challenge {
        // BASE64URL(SHA256(verifier)) is always 43 characters (RFC 7636 §4.2).
        let ok = challenge.len() == 43
            && challenge
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !ok {
            return fail(
                "invalid_request",
                "code_challenge is not a base64url SHA-256 hash (43 characters, RFC 7636 §4.2)",
            );
        }
    }
    let mut scope = scope_list(params.get("scope"));
    if let Some(unknown) = scope.iter().find(|s| !USER_SCOPES.contains(&s.as_str())) {
        return fail(
            "invalid_scope",
            &format!("unknown scope \"{unknown}\" (practice-native may ask for openid, profile, email, offline_access)"),
        );
    }
    let prompt = scope_list(params.get("prompt"));
    if let Some(other) = prompt
        .iter()
        .find(|p| !["none", "login", "consent", "select_account"].contains(&p.as_str()))
    {
        return fail(
            "invalid_request",
            &format!("unknown prompt value \"{other}\""),
        );
    }
    if prompt.iter().any(|p| p == "none") && prompt.len() > 1 {
        return fail(
            "invalid_request",
            "prompt=none cannot be combined with other values (OIDC Core §3.1.2.1)",
        );
    }
    // OIDC Core §11: offline_access is ignored unless the user is asked for consent.
    if !prompt.iter().any(|p| p == "consent") {
        scope.retain(|s| s != "offline_access");
    }
    let request = AuthorizationRequest {
        client_id: client.id.to_owned(),
        redirect_uri: redirect_uri.to_owned(),
        scope,
        state: state.map(str::to_owned),
        nonce: params.get("nonce").map(str::to_owned),
        code_challenge: code_challenge.map(str::to_owned),
    };
    let now = s.now();
    if let Some(user) = &s.auto_approve {
        let login = Login {
            user: user.clone(),
            auth_time: now,
        };
        return issue_code(s, request, login);
    }
    if prompt.iter().any(|p| p == "none") {
        // No sessions here: every authorization needs the login page.
        return fail(
            "login_required",
            "prompt=none, but nobody is signed in (the practice issuer keeps no sessions)",
        );
    }
    let interaction = random_token();
    s.store().pending.insert(
        interaction.clone(),
        PendingAuthorization {
            request,
            login: None,
            expires_at: now + PENDING_TTL,
        },
    );
    html(
        StatusCode::OK,
        pages::login(&interaction, client.id, None, s.lesson),
    )
}

/// Issues a code and redirects back with it, `state` and `iss` (RFC 6749 §4.1.2, RFC 9207).
fn issue_code(s: &Issuer, request: AuthorizationRequest, login: Login) -> Response {
    let code = random_token();
    let redirect_uri = request.redirect_uri.clone();
    let mut state = request.state.clone();
    if s.lesson == Some(Lesson::CsrfState) && state.is_some() {
        // The lesson: a response whose state the client never sent (a login CSRF).
        state = Some(random_token());
    }
    s.store().codes.insert(
        token_key(&code),
        CodeRecord {
            request,
            login,
            expires_at: s.now() + CODE_TTL,
            grant: random_token(),
            // The lesson: an attacker redeemed the code before the client.
            used: s.lesson == Some(Lesson::CodeReplay),
        },
    );
    let mut params = vec![("code", code.as_str())];
    if let Some(state) = &state {
        params.push(("state", state));
    }
    redirect_with(s, &redirect_uri, &params)
}

/// The pending authorization named by a form's `interaction`, if still live.
fn pending(s: &Issuer, interaction: Option<&str>) -> Option<PendingAuthorization> {
    let interaction = interaction?;
    let store = s.store();
    store
        .pending
        .get(&interaction.to_owned())
        .filter(|p| p.expires_at > s.now())
        .cloned()
}

fn expired_interaction(s: &Issuer) -> Response {
    html(
        StatusCode::BAD_REQUEST,
        pages::error(
            "Sign-in expired",
            "this sign-in is unknown or expired: start again from the application",
            s.lesson,
        ),
    )
}

async fn login(State(s): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let Ok(params) = form_body(&headers, &body) else {
        return expired_interaction(&s);
    };
    let interaction = params.get("interaction");
    let Some(mut pending) = pending(&s, interaction) else {
        return expired_interaction(&s);
    };
    let interaction = interaction.unwrap_or_default().to_owned();
    let username = params.get("username").unwrap_or_default();
    let password = params.get("password").unwrap_or_default();
    let Some(user) = check_password(username, password) else {
        return html(
            StatusCode::OK,
            pages::login(
                &interaction,
                &pending.request.client_id,
                Some("Unknown user or wrong password (the users are alice, bob and admin; the password is the user name)."),
                s.lesson,
            ),
        );
    };
    pending.login = Some(Login {
        user: user.to_owned(),
        auth_time: s.now(),
    });
    let page = pages::consent(
        &interaction,
        &pending.request.client_id,
        user,
        &pending.request.scope,
        s.lesson,
    );
    s.store().pending.insert(interaction, pending);
    html(StatusCode::OK, page)
}

async fn consent(State(s): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let Ok(params) = form_body(&headers, &body) else {
        return expired_interaction(&s);
    };
    let interaction = params.get("interaction");
    let Some(pending) = pending(&s, interaction) else {
        return expired_interaction(&s);
    };
    let Some(login) = pending.login.clone() else {
        return expired_interaction(&s);
    };
    s.store()
        .pending
        .remove(&interaction.unwrap_or_default().to_owned());
    if params.get("decision") != Some("approve") {
        return error_redirect(
            &s,
            &pending.request.redirect_uri,
            pending.request.state.as_deref(),
            "access_denied",
            "the user denied the request",
        );
    }
    let mut response = issue_code(&s, pending.request, login);
    // A form POST is answered with 303, so the browser follows with a GET.
    *response.status_mut() = StatusCode::SEE_OTHER;
    response
}

/// The login and consent pages' cancel link: `error=access_denied` (RFC 6749 §4.1.2.1).
async fn abort(State(s): State<Shared>, RawQuery(query): RawQuery) -> Response {
    let Ok(params) = Params::parse(query.unwrap_or_default().as_bytes()) else {
        return expired_interaction(&s);
    };
    let interaction = params.get("interaction");
    let Some(pending) = pending(&s, interaction) else {
        return expired_interaction(&s);
    };
    s.store()
        .pending
        .remove(&interaction.unwrap_or_default().to_owned());
    error_redirect(
        &s,
        &pending.request.redirect_uri,
        pending.request.state.as_deref(),
        "access_denied",
        "the user cancelled the request",
    )
}

// ---------------------------------------------------------------------------------------------
// Client authentication

enum ClientAuthError {
    Invalid { basic: bool, message: String },
    Request(String),
}

impl ClientAuthError {
    fn into_response(self) -> Response {
        match self {
            ClientAuthError::Invalid { basic, message } => {
                let mut response =
                    oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", &message);
                if basic {
                    // RFC 6749 §5.2: 401 with the scheme the client tried.
                    response.headers_mut().insert(
                        header::WWW_AUTHENTICATE,
                        HeaderValue::from_static("Basic realm=\"practice\""),
                    );
                }
                response
            }
            ClientAuthError::Request(message) => invalid_request(&message),
        }
    }
}

/// The form and the authenticated client of a back-channel request (token, revocation,
/// introspection, device authorization).
fn authenticated_form<'a>(
    s: &'a Issuer,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<(&'a Client, Params), ClientAuthError> {
    let params = form_body(headers, body).map_err(ClientAuthError::Request)?;
    let client = authenticate_client(s, headers, &params)?;
    Ok((client, params))
}

/// `client_secret_basic`, `client_secret_post` or `none` (RFC 6749 §2.3.1), exactly one.
fn authenticate_client<'a>(
    s: &'a Issuer,
    headers: &HeaderMap,
    params: &Params,
) -> Result<&'a Client, ClientAuthError> {
    let basic = match headers.get(header::AUTHORIZATION) {
        None => None,
        Some(value) => {
            let text = value.to_str().unwrap_or_default();
            let Some((scheme, credentials)) = text.split_once(' ') else {
                return Err(ClientAuthError::Invalid {
                    basic: true,
                    message: "the Authorization header is not Basic credentials".to_owned(),
                });
            };
            if !scheme.eq_ignore_ascii_case("basic") {
                return Err(ClientAuthError::Invalid {
                    basic: true,
                    message: "only Basic client authentication is supported".to_owned(),
                });
            }
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(credentials.trim())
                .ok()
                .and_then(|b| String::from_utf8(b).ok());
            let Some((id, secret)) = decoded.as_deref().and_then(|d| d.split_once(':')) else {
                return Err(ClientAuthError::Invalid {
                    basic: true,
                    message: "the Basic credentials are not base64 of id:secret".to_owned(),
                });
            };
            // RFC 6749 §2.3.1: both are form-urlencoded before base64.
            let decode = |t: &str| -> String {
                url::form_urlencoded::parse(format!("x={t}").as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default()
            };
            Some((decode(id), decode(secret)))
        }
    };
    let (id, secret, basic_used) = match (basic, params.get("client_secret")) {
        (Some(_), Some(_)) => {
            return Err(ClientAuthError::Request(
                "the client authenticated with both Basic and client_secret: use one method (RFC 6749 §2.3)".to_owned(),
            ))
        }
        (Some((id, secret)), None) => {
            if params.get("client_id").is_some_and(|c| c != id) {
                return Err(ClientAuthError::Request(
                    "client_id differs from the Basic credentials' id".to_owned(),
                ));
            }
            (id, Some(secret), true)
        }
        (None, secret) => {
            let Some(id) = params.get("client_id") else {
                return Err(ClientAuthError::Invalid {
                    basic: false,
                    message: "no client authentication and no client_id".to_owned(),
                });
            };
            (id.to_owned(), secret.map(str::to_owned), false)
        }
    };
    let Some(client) = s.client(&id) else {
        return Err(ClientAuthError::Invalid {
            basic: basic_used,
            message: format!("unknown client \"{id}\""),
        });
    };
    match (&client.secret, secret) {
        (None, None) => Ok(client),
        (None, Some(_)) => Err(ClientAuthError::Invalid {
            basic: basic_used,
            message: format!("{id} is a public client: it has no secret to send"),
        }),
        (Some(_), None) => Err(ClientAuthError::Invalid {
            basic: basic_used,
            message: format!(
                "{id} is confidential: authenticate with client_secret_basic or client_secret_post"
            ),
        }),
        (Some(expected), Some(given)) => {
            if bool::from(expected.expose_secret().as_bytes().ct_eq(given.as_bytes())) {
                Ok(client)
            } else {
                Err(ClientAuthError::Invalid {
                    basic: basic_used,
                    message: "wrong client secret".to_owned(),
                })
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Token endpoint

async fn token(State(s): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    match s.lesson {
        Some(Lesson::SlowToken) => tokio::time::sleep(SLOW_TOKEN_DELAY).await,
        Some(Lesson::Token500) => {
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                "<html><body><h1>500 Internal Server Error</h1><p>The practice issuer's \
                 token-500 lesson.</p></body></html>\n",
            )
                .into_response()
        }
        _ => {}
    }
    let (client, params) = match authenticated_form(&s, &headers, &body) {
        Ok(request) => request,
        Err(e) => return e.into_response(),
    };
    let Some(grant_type) = params.get("grant_type") else {
        return invalid_request("grant_type is missing");
    };
    if !client.allows(grant_type) {
        let known = [
            "authorization_code",
            "refresh_token",
            "client_credentials",
            DEVICE_GRANT,
        ];
        let error = if known.contains(&grant_type) {
            "unauthorized_client"
        } else {
            "unsupported_grant_type"
        };
        return oauth_error(
            StatusCode::BAD_REQUEST,
            error,
            &format!("{} may not use the {grant_type} grant", client.id),
        );
    }
    match grant_type {
        "authorization_code" => code_grant(&s, client, &params),
        "refresh_token" => refresh_grant(&s, client, &params),
        "client_credentials" => client_credentials_grant(&s, client, &params),
        DEVICE_GRANT => device_grant(&s, client, &params),
        _ => oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "unsupported grant_type",
        ),
    }
}

/// What a token response is made from.
struct Issue<'a> {
    client_id: &'a str,
    login: Option<&'a Login>,
    scope: &'a [String],
    nonce: Option<&'a str>,
    grant: &'a str,
    /// The scope of a refresh token to issue with them; `None` for none.
    refresh_scope: Option<&'a [String]>,
}

/// Mints and records the tokens and builds the response (RFC 6749 §5.1).
fn issue_tokens(s: &Issuer, issue: Issue) -> Response {
    let now = s.now();
    let keys = s.keys();
    let jti = random_token();
    let sub = issue
        .login
        .map(|l| l.user.as_str())
        .unwrap_or(issue.client_id);
    let aud = s.endpoint("/userinfo");
    let access = access_token(
        &keys,
        &AccessTokenClaims {
            issuer: &s.issuer,
            sub,
            client_id: issue.client_id,
            aud: &aud,
            scope: issue.scope,
            auth_time: issue.login.map(|l| l.auth_time),
            jti: &jti,
            now,
        },
    );
    let mut body = serde_json::Map::new();
    body.insert("access_token".into(), json!(access));
    body.insert("token_type".into(), json!("Bearer"));
    body.insert("expires_in".into(), json!(ACCESS_TOKEN_TTL));
    if !issue.scope.is_empty() {
        body.insert("scope".into(), json!(issue.scope.join(" ")));
    }
    let mut store = s.store();
    store.access.insert(
        token_key(&access),
        AccessRecord {
            client_id: issue.client_id.to_owned(),
            sub: sub.to_owned(),
            user: issue.login.map(|l| l.user.clone()),
            scope: issue.scope.to_vec(),
            iat: now,
            exp: now + ACCESS_TOKEN_TTL,
            jti,
            aud,
            grant: issue.grant.to_owned(),
            revoked: false,
        },
    );
    if let Some(login) = issue.login {
        if issue.scope.iter().any(|s| s == "openid") {
            let id = id_token(
                &keys,
                &IdTokenClaims {
                    issuer: &s.issuer,
                    sub,
                    client_id: issue.client_id,
                    nonce: issue.nonce,
                    auth_time: login.auth_time,
                    access_token: &access,
                    now,
                },
                s.lesson,
            );
            body.insert("id_token".into(), json!(id));
        }
        if let Some(refresh_scope) = issue.refresh_scope {
            let refresh = random_token();
            let record = RefreshRecord {
                client_id: issue.client_id.to_owned(),
                login: login.clone(),
                scope: refresh_scope.to_vec(),
                iat: now,
                exp: now + REFRESH_TOKEN_TTL,
                grant: issue.grant.to_owned(),
                rotated: false,
                revoked: false,
            };
            if s.lesson == Some(Lesson::RefreshReuse) {
                // The lesson: an attacker already used this refresh token and got the next one.
                store.refresh.insert(
                    token_key(&refresh),
                    RefreshRecord {
                        rotated: true,
                        ..record.clone()
                    },
                );
                store.refresh.insert(token_key(&random_token()), record);
            } else {
                store.refresh.insert(token_key(&refresh), record);
            }
            body.insert("refresh_token".into(), json!(refresh));
        }
    }
    drop(store);
    no_store(json_response(StatusCode::OK, &Value::Object(body)))
}

fn code_grant(s: &Issuer, client: &Client, params: &Params) -> Response {
    let Some(code) = params.get("code") else {
        return invalid_request("code is missing");
    };
    let key = token_key(code);
    let now = s.now();
    let record = {
        let mut store = s.store();
        let Some(record) = store.codes.get_mut(&key) else {
            return invalid_grant("the authorization code is unknown or expired");
        };
        if record.used {
            // RFC 6749 §4.1.2: a code used twice is refused, and the tokens issued for it should
            // be revoked.
            let grant = record.grant.clone();
            store.revoke_grant(&grant);
            return invalid_grant(
                "the authorization code was already used: codes are single use, and the tokens issued for it are now revoked (RFC 6749 §4.1.2)",
            );
        }
        if record.request.client_id != client.id {
            return invalid_grant("the authorization code was issued to another client");
        }
        if record.expires_at <= now {
            return invalid_grant("the authorization code expired (codes live 60 s)");
        }
        // Spent on the first attempt, even a failed one: a guessed verifier gets one try.
        record.used = true;
        record.clone()
    };
    if params.get("redirect_uri") != Some(record.request.redirect_uri.as_str()) {
        return invalid_grant(
            "redirect_uri is not the one of the authorization request (RFC 6749 §4.1.3)",
        );
    }
    if let Some(challenge) = &record.request.code_challenge {
        let Some(verifier) = params.get("code_verifier") else {
            return invalid_grant("code_verifier is missing (the request used PKCE)");
        };
        let well_formed = (43..=128).contains(&verifier.len())
            && verifier
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
        let computed = b64::encode(Sha256::digest(verifier.as_bytes()));
        if !well_formed || !bool::from(computed.as_bytes().ct_eq(challenge.as_bytes())) {
            return invalid_grant(
                "code_verifier does not match the code_challenge (RFC 7636 §4.6)",
            );
        }
    } else if params.get("code_verifier").is_some() {
        return invalid_grant(
            "code_verifier sent, but the authorization request had no code_challenge",
        );
    }
    let refresh = (record.request.scope.iter().any(|s| s == "offline_access")
        && client.allows("refresh_token"))
    .then_some(record.request.scope.as_slice());
    issue_tokens(
        s,
        Issue {
            client_id: client.id,
            login: Some(&record.login),
            scope: &record.request.scope,
            nonce: record.request.nonce.as_deref(),
            grant: &record.grant,
            refresh_scope: refresh,
        },
    )
}

fn refresh_grant(s: &Issuer, client: &Client, params: &Params) -> Response {
    let Some(refresh) = params.get("refresh_token") else {
        return invalid_request("refresh_token is missing");
    };
    let now = s.now();
    let key = token_key(refresh);
    let mut store = s.store();
    let Some(record) = store.refresh.get(&key).cloned() else {
        return invalid_grant("the refresh token is unknown");
    };
    if record.client_id != client.id {
        return invalid_grant("the refresh token was issued to another client");
    }
    if record.revoked || store.revoked_grants.contains(&record.grant) {
        return invalid_grant("the refresh token was revoked");
    }
    if record.rotated {
        // RFC 9700 §4.14.2: a rotated-out token used again means one of its holders is an
        // attacker; revoke the whole family.
        store.revoke_grant(&record.grant);
        return invalid_grant(
            "the refresh token was already used (rotated): reuse detected, so every token of this grant is revoked (RFC 9700 §4.14.2)",
        );
    }
    if record.exp <= now {
        return invalid_grant("the refresh token expired");
    }
    let mut scope = record.scope.clone();
    if let Some(asked) = params.get("scope") {
        let asked = scope_list(Some(asked));
        if let Some(extra) = asked.iter().find(|a| !record.scope.contains(a)) {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_scope",
                &format!("\"{extra}\" was not granted originally (RFC 6749 §6)"),
            );
        }
        scope = asked;
    }
    if let Some(stored) = store.refresh.get_mut(&key) {
        stored.rotated = true;
    }
    drop(store);
    issue_tokens(
        s,
        Issue {
            client_id: client.id,
            login: Some(&record.login),
            scope: &scope,
            nonce: None,
            grant: &record.grant,
            // RFC 6749 §6: the new refresh token has the old one's scope, however narrowed
            // this access token is.
            refresh_scope: Some(&record.scope),
        },
    )
}

fn client_credentials_grant(s: &Issuer, client: &Client, params: &Params) -> Response {
    let scope = scope_list(params.get("scope"));
    if let Some(unknown) = scope.iter().find(|s| !SERVICE_SCOPES.contains(&s.as_str())) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            &format!(
                "unknown scope \"{unknown}\" (practice-service may ask for api:read, api:write)"
            ),
        );
    }
    issue_tokens(
        s,
        Issue {
            client_id: client.id,
            login: None,
            scope: &scope,
            nonce: None,
            grant: &random_token(),
            refresh_scope: None,
        },
    )
}

fn device_grant(s: &Issuer, client: &Client, params: &Params) -> Response {
    let Some(device_code) = params.get("device_code") else {
        return invalid_request("device_code is missing");
    };
    let key = token_key(device_code);
    let now = s.now();
    let (user, record) = {
        let mut store = s.store();
        let Some(record) = store.devices.get_mut(&key) else {
            return invalid_grant("the device code is unknown");
        };
        if record.client_id != client.id {
            return invalid_grant("the device code was issued to another client");
        }
        if record.expires_at <= now {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "expired_token",
                "the device code expired before it was approved (RFC 8628 §3.5)",
            );
        }
        let polled_at = Instant::now();
        let too_fast = record.last_poll.is_some_and(|last| {
            // A little tolerance for timers: a client that waits the interval is never told off.
            polled_at.duration_since(last)
                < Duration::from_millis(record.interval_ms)
                    .saturating_sub(Duration::from_millis(200))
        });
        record.last_poll = Some(polled_at);
        match record.status.clone() {
            DeviceStatus::Pending if too_fast => {
                record.interval_ms += SLOW_DOWN_STEP_MS;
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "slow_down",
                    &format!(
                        "polled faster than the interval: wait {} s between polls (RFC 8628 §3.5)",
                        record.interval_ms / 1000
                    ),
                );
            }
            DeviceStatus::Pending => {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "authorization_pending",
                    "the user has not approved the device yet",
                )
            }
            DeviceStatus::Denied => {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "access_denied",
                    "the user denied the device",
                )
            }
            DeviceStatus::Done => {
                return invalid_grant("the device code was already exchanged for tokens")
            }
            DeviceStatus::Approved(user) => {
                record.status = DeviceStatus::Done;
                (user, record.clone())
            }
        }
    };
    let login = Login {
        user,
        auth_time: record.auth_time,
    };
    let refresh = record
        .scope
        .iter()
        .any(|s| s == "offline_access")
        .then_some(record.scope.as_slice());
    issue_tokens(
        s,
        Issue {
            client_id: client.id,
            login: Some(&login),
            scope: &record.scope,
            nonce: None,
            grant: &random_token(),
            refresh_scope: refresh,
        },
    )
}

// ---------------------------------------------------------------------------------------------
// Userinfo, revocation, introspection

fn bearer_error(status: StatusCode, challenge: &'static str, error: Option<&str>) -> Response {
    let mut response = match error {
        Some(error) => json_response(status, &json!({ "error": error })),
        None => status.into_response(),
    };
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(challenge),
    );
    no_store(response)
}

/// OIDC Core §5.3; errors per RFC 6750 §3.
async fn userinfo(State(s): State<Shared>, headers: HeaderMap) -> Response {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        // RFC 6750 §3.1: no credentials, no error code.
        return bearer_error(StatusCode::UNAUTHORIZED, "Bearer realm=\"practice\"", None);
    };
    let text = value.to_str().unwrap_or_default();
    let token = match text.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
        _ => {
            return bearer_error(
                StatusCode::BAD_REQUEST,
                "Bearer realm=\"practice\", error=\"invalid_request\", error_description=\"use the Bearer scheme\"",
                Some("invalid_request"),
            )
        }
    };
    let now = s.now();
    let record = s.store().live_access(token, now).cloned();
    let Some(record) = record else {
        return bearer_error(
            StatusCode::UNAUTHORIZED,
            "Bearer realm=\"practice\", error=\"invalid_token\", error_description=\"the access token is unknown, expired or revoked\"",
            Some("invalid_token"),
        );
    };
    let Some(user) = record.user.as_deref().and_then(user) else {
        return bearer_error(
            StatusCode::FORBIDDEN,
            "Bearer realm=\"practice\", error=\"insufficient_scope\", error_description=\"this token stands for no user\"",
            Some("insufficient_scope"),
        );
    };
    if !record.scope.iter().any(|s| s == "openid") {
        return bearer_error(
            StatusCode::FORBIDDEN,
            "Bearer realm=\"practice\", error=\"insufficient_scope\", scope=\"openid\"",
            Some("insufficient_scope"),
        );
    }
    let (name, display, email) = user;
    let mut claims = serde_json::Map::new();
    claims.insert("sub".into(), json!(record.sub));
    if record.scope.iter().any(|s| s == "profile") {
        claims.insert("name".into(), json!(display));
        claims.insert("preferred_username".into(), json!(name));
    }
    if record.scope.iter().any(|s| s == "email") {
        claims.insert("email".into(), json!(email));
        claims.insert("email_verified".into(), json!(true));
    }
    no_store(json_response(StatusCode::OK, &Value::Object(claims)))
}

/// RFC 7009: 200 whether or not the token was known; a refresh token takes its grant's access
/// tokens with it (§2.1).
async fn revoke(State(s): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let (client, params) = match authenticated_form(&s, &headers, &body) {
        Ok(request) => request,
        Err(e) => return e.into_response(),
    };
    let Some(token) = params.get("token") else {
        return invalid_request("token is missing");
    };
    let key = token_key(token);
    let mut store = s.store();
    let refresh_grant = store
        .refresh
        .get(&key)
        .filter(|r| r.client_id == client.id)
        .map(|r| r.grant.clone());
    if let Some(grant) = refresh_grant {
        store.revoke_grant(&grant);
    } else if let Some(record) = store.access.get_mut(&key) {
        if record.client_id == client.id {
            record.revoked = true;
        }
    }
    drop(store);
    no_store(StatusCode::OK.into_response())
}

/// RFC 7662 §2.2. `practice-service` (a resource server too) may introspect any token, a
/// public client only its own.
async fn introspect(State(s): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let (client, params) = match authenticated_form(&s, &headers, &body) {
        Ok(request) => request,
        Err(e) => return e.into_response(),
    };
    let Some(token) = params.get("token") else {
        return invalid_request("token is missing");
    };
    let now = s.now();
    let key = token_key(token);
    let store = s.store();
    let visible = |owner: &str| !client.is_public() || owner == client.id;
    let answer = if let Some(r) = store
        .live_access(token, now)
        .filter(|r| visible(&r.client_id))
    {
        let mut answer = json!({
            "active": true,
            "scope": r.scope.join(" "),
            "client_id": r.client_id,
            "token_type": "Bearer",
            "exp": r.exp,
            "iat": r.iat,
            "sub": r.sub,
            "aud": r.aud,
            "iss": s.issuer,
            "jti": r.jti,
        });
        if let Some(user) = &r.user {
            answer["username"] = json!(user);
        }
        answer
    } else if let Some(r) = store.refresh.get(&key).filter(|r| {
        !r.revoked
            && !r.rotated
            && r.exp > now
            && !store.revoked_grants.contains(&r.grant)
            && visible(&r.client_id)
    }) {
        json!({
            "active": true,
            "scope": r.scope.join(" "),
            "client_id": r.client_id,
            "token_type": "refresh_token",
            "exp": r.exp,
            "iat": r.iat,
            "sub": r.login.user,
            "username": r.login.user,
            "iss": s.issuer,
        })
    } else {
        json!({ "active": false })
    };
    drop(store);
    no_store(json_response(StatusCode::OK, &answer))
}

// ---------------------------------------------------------------------------------------------
// Device authorization (RFC 8628)

fn user_code() -> String {
    let mut bytes = [0u8; 8];
    rand_core::OsRng.fill_bytes(&mut bytes);
    bytes
        .iter()
        .map(|b| USER_CODE_ALPHABET[usize::from(*b) % USER_CODE_ALPHABET.len()] as char)
        .collect()
}

/// What a person types: case, dashes and spaces do not matter (RFC 8628 §6.1).
fn normalize_user_code(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .take(32)
        .collect()
}

async fn device_authorization(
    State(s): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (client, params) = match authenticated_form(&s, &headers, &body) {
        Ok(request) => request,
        Err(e) => return e.into_response(),
    };
    if !client.allows(DEVICE_GRANT) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            &format!("{} may not use the device grant", client.id),
        );
    }
    let scope = scope_list(params.get("scope"));
    if let Some(unknown) = scope.iter().find(|s| !USER_SCOPES.contains(&s.as_str())) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            &format!("unknown scope \"{unknown}\""),
        );
    }
    let device_code = random_token();
    let code = user_code();
    let shown = format!("{}-{}", &code[..4], &code[4..]);
    let now = s.now();
    let interval_ms = u64::try_from(s.device_interval.as_millis()).unwrap_or(1000);
    {
        let mut store = s.store();
        let key = token_key(&device_code);
        store.user_codes.insert(code.clone(), key.clone());
        store.devices.insert(
            key,
            DeviceRecord {
                client_id: client.id.to_owned(),
                user_code: code,
                scope,
                expires_at: now + DEVICE_TTL,
                interval_ms,
                last_poll: None,
                status: DeviceStatus::Pending,
                auth_time: now,
            },
        );
    }
    let verification_uri = s.endpoint("/device");
    let complete = format!("{verification_uri}?user_code={shown}");
    no_store(json_response(
        StatusCode::OK,
        &json!({
            "device_code": device_code,
            "user_code": shown,
            "verification_uri": verification_uri,
            "verification_uri_complete": complete,
            "expires_in": DEVICE_TTL,
            // Whole seconds on the wire (RFC 8628 §3.2), at least 1.
            "interval": (interval_ms / 1000).max(1),
        }),
    ))
}

/// Approves or denies the device whose user code is `text`; false if there is none (live).
fn decide_device(s: &Issuer, text: &str, approve_as: Option<&str>) -> bool {
    let code = normalize_user_code(text);
    let now = s.now();
    let mut store = s.store();
    let Some(key) = store.user_codes.get(&code).cloned() else {
        return false;
    };
    let Some(record) = store.devices.get_mut(&key) else {
        return false;
    };
    if record.expires_at <= now
        || record.status != DeviceStatus::Pending
        || record.user_code != code
    {
        return false;
    }
    record.status = match approve_as {
        Some(user) => DeviceStatus::Approved(user.to_owned()),
        None => DeviceStatus::Denied,
    };
    record.auth_time = now;
    true
}

async fn device_page(State(s): State<Shared>, RawQuery(query): RawQuery) -> Response {
    let params = Params::parse(query.unwrap_or_default().as_bytes()).unwrap_or(Params(Vec::new()));
    let code = params.get("user_code").unwrap_or_default();
    if let (Some(user), false) = (&s.auto_approve, code.is_empty()) {
        if decide_device(&s, code, Some(user)) {
            return html(StatusCode::OK, pages::device_done(true, s.lesson));
        }
        return html(
            StatusCode::BAD_REQUEST,
            pages::device(code, Some("Unknown or expired code."), s.lesson),
        );
    }
    html(StatusCode::OK, pages::device(code, None, s.lesson))
}

async fn device_submit(State(s): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let Ok(params) = form_body(&headers, &body) else {
        return html(
            StatusCode::BAD_REQUEST,
            pages::device("", Some("Send the form."), s.lesson),
        );
    };
    let code = params.get("user_code").unwrap_or_default();
    let username = params.get("username").unwrap_or_default();
    let password = params.get("password").unwrap_or_default();
    let Some(user) = check_password(username, password) else {
        return html(
            StatusCode::OK,
            pages::device(
                code,
                Some("Unknown user or wrong password (the password is the user name)."),
                s.lesson,
            ),
        );
    };
    let approve = params.get("decision") == Some("approve");
    if !decide_device(&s, code, approve.then_some(user)) {
        return html(
            StatusCode::OK,
            pages::device(code, Some("Unknown or expired code."), s.lesson),
        );
    }
    html(StatusCode::OK, pages::device_done(approve, s.lesson))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_parameters_are_refused() {
        assert!(Params::parse(b"a=1&b=2&a=3").is_err());
        let p = Params::parse(b"a=1&b=").unwrap();
        assert_eq!(p.get("a"), Some("1"));
        assert_eq!(p.get("b"), None);
    }

    #[test]
    fn user_codes_read_the_same_however_typed() {
        assert_eq!(normalize_user_code("bcdf-ghjk"), "BCDFGHJK");
        assert_eq!(user_code().len(), 8);
    }
}
