//! Token endpoint requests (RFC 6749 §4.1.3, §6), made by the `oauth2` crate through the project's
//! own network seam: the crate builds the request (grant parameters, client authentication per
//! RFC 6749 §2.3.1, PKCE) and parses the response; [`HttpClient`] sends it, with the policy,
//! the address rule and the operation's transcript, and never follows a redirect for it.
//!
//! Each request becomes a timeline [`Step`], built from what was actually sent and received, with
//! the code, the verifier, the client secret and every token redacted.

use std::sync::Mutex;
use std::time::Instant;

use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthType, AuthorizationCode, ClientId, ClientSecret, ExtraTokenFields, RedirectUrl,
    RefreshToken, RequestTokenError, StandardRevocableToken, StandardTokenResponse,
    TokenResponse as _, TokenUrl,
};
use serde::{Deserialize, Serialize};

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
    #[error("the token endpoint {url} answered {what}, expected a JSON token response")]
    InvalidResponse { url: String, what: String },
    #[error(
        "the client authentication {method} needs a client secret; store one with the profile"
    )]
    MissingSecret { method: &'static str },
    #[error("{0:?} is not a usable token endpoint URL")]
    InvalidEndpoint(String),
}

impl ErrorCode for TokenError {
    fn code(&self) -> &'static str {
        match self {
            TokenError::Refused(_) => "oauth.error_response",
            TokenError::Http(e) => e.code(),
            TokenError::InvalidResponse { .. } => "oauth.invalid_token_response",
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

/// What the step records about the one request the crate made.
#[derive(Default)]
struct Capture {
    request: Option<StepRequest>,
    response: Option<StepResponse>,
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
    };
    let started = Instant::now();
    let first = transcript.len();
    let capture = Mutex::new(Capture::default());
    let result = send(http, transcript, endpoint, client, grant, &capture).await;
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
        request: capture.request,
        response: capture.response,
        exchanges: transcript.exchanges_since(first),
        error: result.as_ref().err().map(ToString::to_string),
        notes: Vec::new(),
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    };
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
    let mut oauth =
        NewClient::new(ClientId::new(client.client_id.clone())).set_token_uri(token_url);
    match client.method {
        ClientAuthMethod::None => {}
        ClientAuthMethod::ClientSecretBasic | ClientAuthMethod::ClientSecretPost => {
            let method = match client.method {
                ClientAuthMethod::ClientSecretPost => "client_secret_post",
                _ => "client_secret_basic",
            };
            let secret = client
                .secret
                .as_ref()
                .ok_or(TokenError::MissingSecret { method })?;
            oauth = oauth.set_client_secret(ClientSecret::new(secret.expose_secret().to_owned()));
            if client.method == ClientAuthMethod::ClientSecretPost {
                oauth = oauth.set_auth_type(AuthType::RequestBody);
            }
        }
    }
    let transport = |request: oauth2::HttpRequest| async move {
        let (parts, body) = request.into_parts();
        let headers: Vec<HttpHeader> = (parts.headers.iter())
            .map(|(name, value)| HttpHeader {
                name: name.as_str().to_owned(),
                value: String::from_utf8_lossy(value.as_bytes()).into_owned(),
            })
            .collect();
        let url = parts.uri.to_string();
        if let Ok(mut c) = capture.lock() {
            c.request = Some(StepRequest {
                method: parts.method.to_string(),
                url: url.clone(),
                headers: headers_for_step(
                    headers
                        .iter()
                        .map(|h| (h.name.as_str(), h.value.as_bytes())),
                ),
                params: form_params(&body, explain_token_param),
            });
        }
        let request = build_request(
            parts.method.as_str(),
            &url,
            headers,
            Some(body),
            endpoint.provenance.clone(),
            http.policy(),
        )?;
        let response = http.send(request, transcript).await?;
        if let Ok(mut c) = capture.lock() {
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
    };
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
    };
    let status = capture
        .lock()
        .ok()
        .and_then(|c| c.response.as_ref().and_then(|r| r.status));
    match result {
        Ok(response) => Ok(token_set(&response)),
        Err(RequestTokenError::ServerResponse(e)) => {
            let error = e.error().as_ref().to_owned();
            Err(TokenError::Refused(OAuthError {
                hint: token_error_hint(&error).map(str::to_owned),
                error,
                error_description: e.error_description().cloned(),
                error_uri: e.error_uri().cloned(),
            }))
        }
        Err(RequestTokenError::Request(e)) => Err(TokenError::Http(e)),
        Err(RequestTokenError::Parse(e, _)) => Err(TokenError::InvalidResponse {
            url: endpoint.url.clone(),
            what: match status {
                Some(s) if s != 200 => format!("HTTP {s} without an OAuth error object"),
                _ => format!("JSON that is not a token response ({e})"),
            },
        }),
        Err(RequestTokenError::Other(reason)) => Err(TokenError::InvalidResponse {
            url: endpoint.url.clone(),
            what: match status {
                Some(s) if s != 200 => format!("HTTP {s} ({reason})"),
                _ => reason,
            },
        }),
    }
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
