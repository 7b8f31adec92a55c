//! Token endpoint requests (RFC 6749 §4.1.3, §6), made by the `oauth2` crate through the project's
//! own network seam: the crate builds the request (grant parameters, client authentication per
//! RFC 6749 §2.3.1, PKCE) and parses the response; [`HttpClient`] sends it, with the policy,
//! the address rule and the operation's transcript, and never follows a redirect for it.
//!
//! Each request becomes a timeline [`Step`], built from what was actually sent and received, with
//! the code, the verifier, the client secret and every token redacted.

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AccessToken, AuthType, AuthorizationCode, ClientId, ClientSecret, DeviceAuthorizationUrl,
    ExtraTokenFields, IntrospectionUrl, RedirectUrl, RefreshToken, RequestTokenError,
    RevocationUrl, Scope, StandardDeviceAuthorizationResponse, StandardRevocableToken,
    StandardTokenResponse, TokenResponse as _, TokenUrl,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::pkce::PkceVerifier;
use super::timeline::{
    body_for_step, explain_token_param, form_params, headers_for_step, Step, StepName, StepRequest,
    StepResponse, StepStatus,
};
use crate::error::ErrorCode;
use crate::http::{build_request, HttpClient, HttpError, HttpHeader, Provenance, Transcript};
use crate::secret::Secret;
use crate::vault::profiles::ClientAuthMethod;

/// An endpoint of the provider and where its URL came from (typed in a profile, or found in the
/// issuer's metadata), which decides the addresses it may reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub url: String,
    pub provenance: Provenance,
}

impl Endpoint {
    /// An endpoint the user typed.
    pub fn typed(url: &str) -> Self {
        Endpoint {
            url: url.to_owned(),
            provenance: Provenance::Typed,
        }
    }
}

/// Who the client is and how it proves it at the token endpoint.
#[derive(Debug)]
pub struct ClientAuth {
    pub client_id: String,
    pub method: ClientAuthMethod,
    /// Required for `client_secret_basic` and `client_secret_post`.
    pub secret: Option<Secret>,
}

/// The members of a token response beyond RFC 6749's: the ID token (OIDC Core §3.1.3.3) and a
/// refresh token's lifetime where the provider says it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ExtraFields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token_expires_in: Option<u64>,
}

impl ExtraTokenFields for ExtraFields {}

type TokenResponse = StandardTokenResponse<ExtraFields, BasicTokenType>;

type NewClient = oauth2::Client<
    BasicErrorResponse,
    TokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
>;

/// The tokens a token response brought. The access and ID tokens are what the user came for and
/// are shown; the refresh token goes to the keychain and nowhere else.
#[derive(Debug)]
pub struct TokenSet {
    pub access_token: Secret,
    pub token_type: String,
    pub expires_in: Option<u64>,
    /// The granted scopes, when the server said (RFC 6749 §5.1: it must when they differ from
    /// those requested).
    pub scope: Option<String>,
    pub id_token: Option<String>,
    pub refresh_token: Option<Secret>,
    pub refresh_token_expires_in: Option<u64>,
}

/// What is exchanged for tokens.
#[derive(Debug)]
pub enum Grant<'a> {
    /// RFC 6749 §4.1.3 with RFC 7636 §4.5: the code, the redirect URI it was sent to, the
    /// verifier (consumed: it is good for one request).
    AuthorizationCode {
        code: &'a Secret,
        redirect_uri: &'a str,
        verifier: PkceVerifier,
    },
    /// RFC 6749 §6.
    RefreshToken { refresh_token: &'a Secret },
    /// RFC 6749 §4.4: a confidential client for itself.
    ClientCredentials { scopes: &'a [String] },
}

/// An error response of an OAuth endpoint (RFC 6749 §5.2, §4.1.2.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OAuthError {
    /// `invalid_grant`, `access_denied`, …
    pub error: String,
    pub error_description: Option<String>,
    pub error_uri: Option<String>,
    /// What usually causes this error, when known.
    pub hint: Option<String>,
}

impl std::fmt::Display for OAuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.error)?;
        if let Some(description) = &self.error_description {
            write!(f, " ({description})")?;
        }
        if let Some(hint) = &self.hint {
            write!(f, ": {hint}")?;
        }
        Ok(())
    }
}

/// A token request that brought no tokens.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// The server answered with an OAuth error: a verdict, not a fault (exit 1 in the CLI).
    #[error("the token endpoint refused: {0}")]
    Refused(OAuthError),
    #[error(transparent)]
    Http(#[from] HttpError),
    #[error("{url} answered {what}, expected {expected}")]
    InvalidResponse {
        url: String,
        what: String,
        expected: String,
    },
    #[error(
        "the client authentication {method} needs a client secret; store one with the profile"
    )]
    MissingSecret { method: &'static str },
    #[error("{0:?} is not a usable endpoint URL")]
    InvalidEndpoint(String),
}

impl ErrorCode for TokenError {
    fn code(&self) -> &'static str {
        match self {
            TokenError::Refused(_) => "oauth.error_response",
            TokenError::Http(e) => e.code(),
            TokenError::InvalidResponse { .. } => "oauth.invalid_response",
            TokenError::MissingSecret { .. } => "oauth.missing_client_secret",
            TokenError::InvalidEndpoint(_) => "oauth.invalid_token_endpoint",
        }
    }
}

/// What usually causes a token endpoint error (RFC 6749 §5.2).
pub fn token_error_hint(error: &str) -> Option<&'static str> {
    Some(match error {
        "invalid_grant" => "the code or refresh token is expired, already used, revoked, or was issued to another client or redirect URI; with PKCE, a wrong code_verifier also gives this",
        "invalid_client" => "the client could not be authenticated: wrong client id or secret, or an authentication method the provider did not register for this client",
        "unauthorized_client" => "this client is not allowed to use this grant type; check the client's registration",
        "unsupported_grant_type" => "the provider does not support this grant type at this endpoint",
        "invalid_scope" => "a scope is unknown, or more than was granted (a refresh may not widen the scope)",
        "invalid_request" => "a parameter is missing, repeated or malformed; the error_description usually names it",
        _ => return None,
    })
}

/// What a step records about the requests the crate made: the last request and response, and
/// one line per response (a device flow polls many times).
#[derive(Default)]
struct Capture {
    request: Option<StepRequest>,
    response: Option<StepResponse>,
    /// The raw JSON of the last response (introspection explains its members).
    json: Option<Value>,
    responses: Vec<String>,
}

impl Capture {
    fn status(&self) -> Option<u16> {
        self.response.as_ref().and_then(|r| r.status)
    }
}

type Sent<'a> = Pin<Box<dyn Future<Output = Result<oauth2::HttpResponse, HttpError>> + Send + 'a>>;

/// The `oauth2` crate's HTTP client: each request through [`HttpClient::send`] (policy, address
/// rule, transcript, no redirects), recorded in `capture` as the step shows it.
fn transport<'a>(
    http: &'a HttpClient,
    transcript: &'a Transcript,
    provenance: &'a Provenance,
    capture: &'a Mutex<Capture>,
) -> impl Fn(oauth2::HttpRequest) -> Sent<'a> + 'a {
    transport_to(http, transcript, provenance, capture, None)
}

/// [`transport`], sending to `url` whatever URL the crate built (see [`revoke_token`]).
fn transport_to<'a>(
    http: &'a HttpClient,
    transcript: &'a Transcript,
    provenance: &'a Provenance,
    capture: &'a Mutex<Capture>,
    url: Option<&'a str>,
) -> impl Fn(oauth2::HttpRequest) -> Sent<'a> + 'a {
    move |request: oauth2::HttpRequest| -> Sent<'a> {
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let built = parts.uri.to_string();
            let url = url.map_or(built, str::to_owned);
            let headers: Vec<HttpHeader> = (parts.headers.iter())
                .map(|(name, value)| HttpHeader {
                    name: name.as_str().to_owned(),
                    value: String::from_utf8_lossy(value.as_bytes()).into_owned(),
                })
                .collect();
            if let Ok(mut c) = capture.lock() {
                c.request = Some(StepRequest {
                    method: parts.method.to_string(),
                    url: url.clone(),
                    headers: headers_for_step(
                        (headers.iter()).map(|h| (h.name.as_str(), h.value.as_bytes())),
                    ),
                    params: form_params(&body, explain_token_param),
                });
            }
            let request = build_request(
                parts.method.as_str(),
                &url,
                headers,
                Some(body),
                provenance.clone(),
                http.policy(),
            )?;
            let response = http.send(request, transcript).await?;
            if let Ok(mut c) = capture.lock() {
                let json = serde_json::from_slice::<Value>(&response.body).ok();
                let error = (json.as_ref())
                    .and_then(|j| j.get("error"))
                    .and_then(Value::as_str)
                    .map(|e| format!(" {e}"))
                    .unwrap_or_default();
                c.responses.push(format!("HTTP {}{error}", response.status));
                c.json = json;
                c.response = Some(StepResponse {
                    status: Some(response.status),
                    headers: headers_for_step(
                        (response.headers.iter()).map(|h| (h.name.as_str(), h.value.as_bytes())),
                    ),
                    body: body_for_step(&response.body),
                });
            }
            let mut builder = oauth2::http::Response::builder().status(response.status);
            for h in &response.headers {
                builder = builder.header(h.name.as_str(), h.value.as_str());
            }
            builder.body(response.body).map_err(|e| HttpError::Request {
                url: response.url.clone(),
                reason: format!("unusable response headers ({e})"),
            })
        })
    }
}

/// The crate's client for `client`: its id, and its secret and how it is sent.
fn oauth_client(client: &ClientAuth) -> Result<NewClient, TokenError> {
    let mut oauth = NewClient::new(ClientId::new(client.client_id.clone()));
    if client.method != ClientAuthMethod::None {
        let method = client.method.as_str();
        let secret = (client.secret.as_ref()).ok_or(TokenError::MissingSecret { method })?;
        oauth = oauth.set_client_secret(ClientSecret::new(secret.expose_secret().to_owned()));
        if client.method == ClientAuthMethod::ClientSecretPost {
            oauth = oauth.set_auth_type(AuthType::RequestBody);
        }
    }
    Ok(oauth)
}

/// An OAuth error object as the step and the error show it.
fn oauth_error<T: oauth2::ErrorResponseType + AsRef<str> + std::fmt::Display + 'static>(
    e: &oauth2::StandardErrorResponse<T>,
) -> OAuthError {
    let error = e.error().as_ref().to_owned();
    OAuthError {
        hint: token_error_hint(&error).map(str::to_owned),
        error,
        error_description: e.error_description().cloned(),
        error_uri: e.error_uri().cloned(),
    }
}

/// The crate's error, as ours.
fn map_error<T: oauth2::ErrorResponseType + AsRef<str> + std::fmt::Display + 'static>(
    e: RequestTokenError<HttpError, oauth2::StandardErrorResponse<T>>,
    url: &str,
    status: Option<u16>,
    expected: &str,
) -> TokenError {
    match e {
        RequestTokenError::ServerResponse(e) => TokenError::Refused(oauth_error(&e)),
        RequestTokenError::Request(e) => TokenError::Http(e),
        RequestTokenError::Parse(e, _) => TokenError::InvalidResponse {
            url: url.to_owned(),
            what: match status {
                Some(s) if s != 200 => format!("HTTP {s} without an OAuth error object"),
                _ => format!("JSON that is not {expected} ({e})"),
            },
            expected: expected.to_owned(),
        },
        RequestTokenError::Other(reason) => TokenError::InvalidResponse {
            url: url.to_owned(),
            what: match status {
                Some(s) if s != 200 => format!("HTTP {s} ({reason})"),
                _ => reason,
            },
            expected: expected.to_owned(),
        },
    }
}

/// Runs one request of the crate's through `capture` and builds its step.
async fn stepped<T>(
    transcript: &Transcript,
    name: StepName,
    explanation: &str,
    spec: &str,
    run: impl AsyncFnOnce(&Mutex<Capture>) -> Result<T, TokenError>,
) -> (Step, Result<T, TokenError>, Capture) {
    let started = Instant::now();
    let first = transcript.len();
    let capture = Mutex::new(Capture::default());
    let result = run(&capture).await;
    let capture = capture.into_inner().unwrap_or_else(|e| e.into_inner());
    let step = Step {
        name,
        status: if result.is_ok() {
            StepStatus::Ok
        } else {
            StepStatus::Failed
        },
        explanation: explanation.to_owned(),
        spec: spec.to_owned(),
        request: capture.request.clone(),
        response: capture.response.clone(),
        exchanges: transcript.exchanges_since(first),
        error: result.as_ref().err().map(ToString::to_string),
        notes: Vec::new(),
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    };
    (step, result, capture)
}

/// Sends one token request for `grant` and returns its timeline step, and the tokens or why
/// there are none. Every exchange is recorded in `transcript` too.
pub async fn request_tokens(
    http: &HttpClient,
    transcript: &Transcript,
    endpoint: &Endpoint,
    client: &ClientAuth,
    grant: Grant<'_>,
) -> (Step, Result<TokenSet, TokenError>) {
    let (name, explanation, spec) = match &grant {
        Grant::AuthorizationCode { .. } => (
            StepName::Token,
            "The client exchanges the authorization code, with the PKCE verifier that proves it started the flow, for tokens. This is a direct, back-channel request: the browser never sees the tokens.",
            "RFC 6749 §4.1.3, RFC 7636 §4.5",
        ),
        Grant::RefreshToken { .. } => (
            StepName::Refresh,
            "The client trades its refresh token for a fresh access token (and often a new refresh token: rotation) without the user.",
            "RFC 6749 §6, RFC 9700 §4.14",
        ),
        Grant::ClientCredentials { .. } => (
            StepName::Token,
            "A confidential client asks for a token for itself, with no user involved: machine-to-machine access, authenticated by the client's own secret.",
            "RFC 6749 §4.4",
        ),
    };
    let (step, result, _) = stepped(transcript, name, explanation, spec, async |capture| {
        send(http, transcript, endpoint, client, grant, capture).await
    })
    .await;
    (step, result)
}

async fn send(
    http: &HttpClient,
    transcript: &Transcript,
    endpoint: &Endpoint,
    client: &ClientAuth,
    grant: Grant<'_>,
    capture: &Mutex<Capture>,
) -> Result<TokenSet, TokenError> {
    let token_url = TokenUrl::new(endpoint.url.clone())
        .map_err(|_| TokenError::InvalidEndpoint(endpoint.url.clone()))?;
    let oauth = oauth_client(client)?.set_token_uri(token_url);
    let transport = transport(http, transcript, &endpoint.provenance, capture);
    let result = match grant {
        Grant::AuthorizationCode {
            code,
            redirect_uri,
            verifier,
        } => {
            let redirect = RedirectUrl::new(redirect_uri.to_owned())
                .map_err(|_| TokenError::InvalidEndpoint(redirect_uri.to_owned()))?;
            oauth
                .exchange_code(AuthorizationCode::new(code.expose_secret().to_owned()))
                .set_redirect_uri(std::borrow::Cow::Owned(redirect))
                .set_pkce_verifier(verifier.into_oauth2())
                .request_async(&transport)
                .await
        }
        Grant::RefreshToken { refresh_token } => {
            let token = RefreshToken::new(refresh_token.expose_secret().to_owned());
            oauth
                .exchange_refresh_token(&token)
                .request_async(&transport)
                .await
        }
        Grant::ClientCredentials { scopes } => {
            oauth
                .exchange_client_credentials()
                .add_scopes(scopes.iter().map(|s| Scope::new(s.clone())))
                .request_async(&transport)
                .await
        }
    };
    let status = capture.lock().ok().and_then(|c| c.status());
    result
        .map(|response| token_set(&response))
        .map_err(|e| map_error(e, &endpoint.url, status, "a token response"))
}

/// A device authorization response (RFC 8628 §3.2): what the user is shown, and what polling
/// needs.
#[derive(Debug)]
pub struct DeviceAuthorization {
    pub user_code: String,
    pub verification_uri: String,
    pub verification_uri_complete: Option<String>,
    /// Seconds the codes stay valid.
    pub expires_in: u64,
    /// Seconds between polls: the server's, or 5 (RFC 8628 §3.2).
    pub interval: u64,
    response: StandardDeviceAuthorizationResponse,
}

/// Asks the device authorization endpoint for a user code (RFC 8628 §3.1).
pub async fn request_device_code(
    http: &HttpClient,
    transcript: &Transcript,
    endpoint: &Endpoint,
    client: &ClientAuth,
    scopes: &[String],
) -> (Step, Result<DeviceAuthorization, TokenError>) {
    let (step, result, _) = stepped(
        transcript,
        StepName::DeviceAuthorization,
        "The device asks for a user code: the user enters it on another device's browser at the verification URI, while this one polls for tokens. For devices without a browser or keyboard.",
        "RFC 8628 §3.1–3.2",
        async |capture| {
            let url = DeviceAuthorizationUrl::new(endpoint.url.clone())
                .map_err(|_| TokenError::InvalidEndpoint(endpoint.url.clone()))?;
            let oauth = oauth_client(client)?.set_device_authorization_url(url);
            let transport = transport(http, transcript, &endpoint.provenance, capture);
            let response: Result<StandardDeviceAuthorizationResponse, _> = oauth
                .exchange_device_code()
                .add_scopes(scopes.iter().map(|s| Scope::new(s.clone())))
                .request_async(&transport)
                .await;
            let status = capture.lock().ok().and_then(|c| c.status());
            let response = response.map_err(|e| {
                map_error(e, &endpoint.url, status, "a device authorization response")
            })?;
            Ok(DeviceAuthorization {
                user_code: response.user_code().secret().clone(),
                verification_uri: response.verification_uri().to_string(),
                verification_uri_complete: (response.verification_uri_complete())
                    .map(|u| u.secret().clone()),
                expires_in: response.expires_in().as_secs(),
                interval: response.interval().as_secs(),
                response,
            })
        },
    )
    .await;
    (step, result)
}

/// Polls the token endpoint for the device's tokens (RFC 8628 §3.4–3.5): first after one
/// interval, then every interval (five seconds more after each `slow_down`), until tokens, a
/// final error (`access_denied`, `expired_token`) or `timeout`. One step for all the polls.
pub async fn poll_device_token(
    http: &HttpClient,
    transcript: &Transcript,
    endpoint: &Endpoint,
    client: &ClientAuth,
    device: &DeviceAuthorization,
    timeout: Duration,
) -> (Step, Result<TokenSet, TokenError>) {
    let interval = Duration::from_secs(device.interval.max(1));
    let (mut step, result, capture) = stepped(
        transcript,
        StepName::DevicePoll,
        "The device polls the token endpoint at the server's interval; authorization_pending means the user has not finished yet, slow_down means poll less often.",
        "RFC 8628 §3.4–3.5",
        async |capture| {
            let token_url = TokenUrl::new(endpoint.url.clone())
                .map_err(|_| TokenError::InvalidEndpoint(endpoint.url.clone()))?;
            let oauth = oauth_client(client)?.set_token_uri(token_url);
            let transport = transport(http, transcript, &endpoint.provenance, capture);
            // RFC 8628 §3.5: the interval is the least time between polls; the first one waits
            // too, since the user has only just been shown the code.
            tokio::time::sleep(interval).await;
            let result = oauth
                .exchange_device_access_token(&device.response)
                .request_async(&transport, tokio::time::sleep, Some(timeout))
                .await;
            let status = capture.lock().ok().and_then(|c| c.status());
            result
                .map(|response| token_set(&response))
                .map_err(|e| map_error(e, &endpoint.url, status, "a token response"))
        },
    )
    .await;
    step.notes.push(format!(
        "{} poll(s), every {} s at least: {}",
        capture.responses.len(),
        interval.as_secs(),
        capture.responses.join(", ")
    ));
    (step, result)
}

/// Which token a revocation or introspection is about (RFC 7009 §2.1 `token_type_hint`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenHint {
    AccessToken,
    RefreshToken,
}

impl TokenHint {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenHint::AccessToken => "access_token",
            TokenHint::RefreshToken => "refresh_token",
        }
    }
}

/// Revokes `token` at the revocation endpoint (RFC 7009 §2). The server answers 200 even for a
/// token it does not know (§2.2), so success means "no longer usable", whatever it was.
pub async fn revoke_token(
    http: &HttpClient,
    transcript: &Transcript,
    endpoint: &Endpoint,
    client: &ClientAuth,
    token: &Secret,
    hint: TokenHint,
) -> (Step, Result<(), TokenError>) {
    let (step, result, _) = stepped(
        transcript,
        StepName::Revocation,
        "The client tells the server a token is no longer needed; the server invalidates it (a refresh token's access tokens may go with it). The answer is 200 even for an unknown token.",
        "RFC 7009 §2",
        async |capture| {
            // The crate refuses a revocation URL that is not https (RFC 7009 §2), even on
            // loopback, where a local provider (or the practice issuer) serves plain http. Our
            // policy already decided which plain http URLs may be reached (loopback, or the
            // explicit allow-http); the crate is given the https form and the request goes to
            // the endpoint as it is.
            let mut for_crate = url::Url::parse(&endpoint.url)
                .map_err(|_| TokenError::InvalidEndpoint(endpoint.url.clone()))?;
            if for_crate.scheme() == "http" {
                let _ = for_crate.set_scheme("https");
            }
            let url = RevocationUrl::from_url(for_crate);
            let oauth = oauth_client(client)?.set_revocation_url(url);
            let transport =
                transport_to(http, transcript, &endpoint.provenance, capture, Some(&endpoint.url));
            let value = token.expose_secret().to_owned();
            let revocable = match hint {
                TokenHint::AccessToken => StandardRevocableToken::AccessToken(AccessToken::new(value)),
                TokenHint::RefreshToken => StandardRevocableToken::RefreshToken(RefreshToken::new(value)),
            };
            let request = oauth
                .revoke_token(revocable)
                .map_err(|e| TokenError::InvalidEndpoint(format!("{} ({e})", endpoint.url)))?;
            let result = request.request_async(&transport).await;
            let status = capture.lock().ok().and_then(|c| c.status());
            result.map_err(|e| map_error(e, &endpoint.url, status, "an empty 200"))
        },
    )
    .await;
    (step, result)
}

/// Introspects `token` (RFC 7662 §2): the response's members as the server sent them.
pub async fn introspect_token(
    http: &HttpClient,
    transcript: &Transcript,
    endpoint: &Endpoint,
    client: &ClientAuth,
    token: &Secret,
    hint: Option<TokenHint>,
) -> (Step, Result<serde_json::Map<String, Value>, TokenError>) {
    let (step, result, capture) = stepped(
        transcript,
        StepName::Introspection,
        "A protected resource (or the client) asks the server whether a token is active, and what it stands for: its scope, subject, client and expiry.",
        "RFC 7662 §2",
        async |capture| {
            let url = IntrospectionUrl::new(endpoint.url.clone())
                .map_err(|_| TokenError::InvalidEndpoint(endpoint.url.clone()))?;
            let oauth = oauth_client(client)?.set_introspection_url(url);
            let transport = transport(http, transcript, &endpoint.provenance, capture);
            let access = AccessToken::new(token.expose_secret().to_owned());
            let mut request = oauth.introspect(&access);
            if let Some(hint) = hint {
                request = request.set_token_type_hint(hint.as_str());
            }
            let result = request.request_async(&transport).await;
            let status = capture.lock().ok().and_then(|c| c.status());
            result
                .map(|_| ())
                .map_err(|e| map_error(e, &endpoint.url, status, "an introspection response"))
        },
    )
    .await;
    let result = result.and_then(|()| match capture.json {
        Some(Value::Object(members)) => Ok(members),
        _ => Err(TokenError::InvalidResponse {
            url: endpoint.url.clone(),
            what: "something other than a JSON object".to_owned(),
            expected: "an introspection response".to_owned(),
        }),
    });
    (step, result)
}

fn token_set(response: &TokenResponse) -> TokenSet {
    let token_type = match response.token_type() {
        BasicTokenType::Bearer => "Bearer".to_owned(),
        BasicTokenType::Mac => "mac".to_owned(),
        BasicTokenType::Extension(other) => other.clone(),
    };
    TokenSet {
        access_token: Secret::new(response.access_token().secret()),
        token_type,
        expires_in: response.expires_in().map(|d| d.as_secs()),
        scope: response.scopes().map(|scopes| {
            (scopes.iter())
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        }),
        id_token: response.extra_fields().id_token.clone(),
        refresh_token: (response.refresh_token()).map(|t| Secret::new(t.secret())),
        refresh_token_expires_in: response.extra_fields().refresh_token_expires_in,
    }
}
