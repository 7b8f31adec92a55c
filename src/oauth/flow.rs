//! The authorization code flow with PKCE and its refresh, end to end: one function each, shared
//! by the CLI (`tokenscope flow code|refresh`) and the app (the Flows view).
//!
//! [`run_code_flow`]: discovery (when an issuer is given) → the loopback listener bound → the
//! authorization URL handed to the caller to open in the system browser → the redirect →
//! RFC 9207 `iss` → the token request → the ID token checked by the verification core (OIDC
//! Core §3.1.3.7, signature through the issuer's JWKS) → userinfo, its `sub` compared → the
//! refresh token into the keychain. [`run_refresh`]: the stored refresh token → the refresh
//! request → rotation recorded (or the entry deleted on `invalid_grant`) → the same checks.
//!
//! Every step lands on the timeline, redacted ([`super::timeline`]); a failed flow keeps the
//! steps it made. The HTTP client is shared; each flow records into its own transcript.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use super::authorize::{authorization_url, AuthorizationRequest, AuthorizationUrl, AuthorizeError};
use super::loopback::{AuthorizationResponse, LoopbackError, LoopbackListener, WaitError};
use super::pkce::{FlowSecrets, PkceVerifier};
use super::response::{check_response_issuer, error_hint};
use super::timeline::{
    body_for_step, headers_for_step, Step, StepName, StepRequest, StepResponse, StepStatus,
    REDACTED,
};
use super::token::{request_tokens, ClientAuth, Endpoint, Grant, OAuthError, TokenError, TokenSet};
use crate::discovery::well_known_url;
use crate::error::ErrorCode;
use crate::http::{
    build_request, process_json_response, FetchOptions, HttpClient, HttpError, HttpHeader,
    HttpResponse, Transcript, UrlOrigin,
};
use crate::jwt::verify::{verify_decoded, Check, CheckStatus, VerifyOptions};
use crate::jwt::{decode_unverified, diff_tokens, TokenDiff};
use crate::keysource::{issuer_jwks_keys, KeyFetch};
use crate::secret::Secret;
use crate::vault::profiles::{ClientAuthMethod, Endpoints, PkceMethod, Profile, Redirect};
use crate::vault::{fingerprint, EntryKey, SecretKind, StoredBy, Vault, VaultError};

/// How long a flow waits for the redirect unless told otherwise: 5 minutes.
pub const DEFAULT_REDIRECT_TIMEOUT: Duration = Duration::from_secs(300);

/// Scopes asked for when neither the profile nor the caller names any.
pub const DEFAULT_SCOPES: [&str; 3] = ["openid", "profile", "offline_access"];

/// What a flow needs to know about the provider and the client: a profile, or an issuer and a
/// client id typed for one flow.
#[derive(Debug, Clone)]
pub struct FlowSettings {
    /// The profile the refresh token is stored under; `None` for a one-off flow (nothing stored).
    pub profile: Option<String>,
    pub issuer: Option<String>,
    /// Endpoints given explicitly win over discovery.
    pub endpoints: Endpoints,
    pub client_id: String,
    pub client_auth: ClientAuthMethod,
    /// The method was chosen for this call (the CLI's `--auth-method`): no fallback to the other
    /// one on `invalid_client`.
    pub client_auth_fixed: bool,
    /// A client secret given for this call (standard input), instead of the keychain's.
    pub client_secret: Option<Arc<Secret>>,
    pub scopes: Vec<String>,
    pub extra_params: BTreeMap<String, String>,
    pub redirect: Redirect,
    pub pkce: PkceMethod,
}

impl FlowSettings {
    /// The settings of a saved profile.
    pub fn from_profile(profile: &Profile) -> Self {
        FlowSettings {
            profile: Some(profile.name.clone()),
            issuer: profile.issuer.clone(),
            endpoints: profile.endpoints.clone(),
            client_id: profile.client_id.clone(),
            client_auth: profile.client_auth,
            client_auth_fixed: false,
            client_secret: None,
            scopes: profile.scopes.clone(),
            extra_params: profile.extra_authorization_params.clone(),
            redirect: profile.redirect.clone(),
            pkce: profile.pkce,
        }
    }

    /// A public client of `issuer`, everything else by default.
    pub fn for_issuer(issuer: &str, client_id: &str) -> Self {
        FlowSettings {
            profile: None,
            issuer: Some(issuer.trim().to_owned()),
            endpoints: Endpoints::default(),
            client_id: client_id.to_owned(),
            client_auth: ClientAuthMethod::None,
            client_auth_fixed: false,
            client_secret: None,
            scopes: Vec::new(),
            extra_params: BTreeMap::new(),
            redirect: Redirect::default(),
            pkce: PkceMethod::S256,
        }
    }

    /// The scopes to ask for: the settings', else [`DEFAULT_SCOPES`].
    pub fn effective_scopes(&self) -> Vec<String> {
        if self.scopes.is_empty() {
            DEFAULT_SCOPES.iter().map(|s| (*s).to_owned()).collect()
        } else {
            self.scopes.clone()
        }
    }
}

/// The provider's endpoints as this flow will use them.
#[derive(Debug, Clone)]
pub struct ProviderEndpoints {
    /// The issuer the ID token's `iss` and the redirect's `iss` must equal.
    pub issuer: Option<String>,
    pub authorization: Option<Endpoint>,
    pub token: Endpoint,
    pub userinfo: Option<Endpoint>,
    pub jwks: Option<Endpoint>,
    pub revocation: Option<Endpoint>,
    pub introspection: Option<Endpoint>,
    pub device: Option<Endpoint>,
    /// RFC 9207 §3: the metadata promises `iss` in every authorization response.
    pub iss_parameter_required: bool,
    /// `token_endpoint_auth_methods_supported` (RFC 8414 §2; absent means
    /// `client_secret_basic`).
    pub auth_methods: Option<Vec<String>>,
}

/// What a finished flow hands back.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FlowResult {
    pub tokens: IssuedTokens,
    /// The ID token's checks (OIDC Core §3.1.3.7), as `verify` reports them; empty without an
    /// ID token.
    pub id_token_checks: Vec<Check>,
    /// The userinfo response's claims (OIDC Core §5.3), `null` when not fetched or unusable.
    #[cfg_attr(feature = "ts", ts(type = "Record<string, unknown> | null"))]
    pub userinfo: Option<Value>,
    pub steps: Vec<Step>,
    /// Refresh only: whether the server rotated the refresh token.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub rotated: Option<bool>,
    /// Refresh only: the fingerprints of the refresh token before and after.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub rotation: Option<Rotation>,
    /// Refresh with the previous tokens given: what changed in the access and ID tokens.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub changes: Option<TokenChanges>,
}

impl FlowResult {
    /// True when every ID token check passed or was skipped, and userinfo (if fetched) matched.
    pub fn is_valid(&self) -> bool {
        let checks_ok = (self.id_token_checks.iter()).all(|c| c.status != CheckStatus::Fail);
        let steps_ok = (self.steps.iter()).all(|s| s.status != StepStatus::Failed);
        checks_ok && steps_ok
    }
}

/// The tokens of a finished flow as shown: never the refresh token itself.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct IssuedTokens {
    pub access_token: String,
    pub token_type: String,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub expires_in: Option<u64>,
    pub scope: Option<String>,
    pub id_token: Option<String>,
    /// The refresh token went to the keychain (under the profile).
    pub refresh_token_stored: bool,
    /// The refresh token's fingerprint (a SHA-256 prefix), when one was issued.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub refresh_token_fingerprint: Option<String>,
}

/// A refresh token before and after a refresh.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Rotation {
    pub previous_fingerprint: String,
    pub new_fingerprint: String,
}

/// The previous tokens of a refreshed flow, to diff the new ones against.
#[derive(Debug, Clone, Default)]
pub struct PreviousTokens {
    pub access_token: Option<String>,
    pub id_token: Option<String>,
}

/// What changed between the previous tokens and the refreshed ones (JWTs only).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TokenChanges {
    pub access_token: Option<TokenDiff>,
    pub id_token: Option<TokenDiff>,
}

/// Why a flow ended without tokens (or with tokens it could not keep).
#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    #[error("{0}")]
    Settings(String),
    #[error("cannot get the provider's metadata: {0}")]
    Discovery(HttpError),
    #[error(transparent)]
    Http(HttpError),
    #[error("the metadata at {url} names the issuer {found:?}, not {expected:?}: OIDC Discovery 1.0 §4.3 forbids using it (a mix-up or a misconfigured issuer)")]
    IssuerMismatch {
        url: String,
        expected: String,
        found: Option<String>,
    },
    #[error(transparent)]
    Authorize(#[from] AuthorizeError),
    #[error(transparent)]
    Listener(#[from] LoopbackError),
    #[error("{0}; the flow was stopped (the default wait is 5 minutes; --timeout changes it)")]
    TimedOut(WaitError),
    #[error("cancelled")]
    Cancelled,
    /// The provider said no in the redirect (`access_denied`, …).
    #[error("the authorization server answered {0}")]
    Denied(OAuthError),
    /// RFC 9207: the redirect's `iss` is not the issuer (or is missing where required).
    #[error("{0}")]
    ResponseIssuer(String),
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error("the keychain: {0}")]
    Vault(#[from] VaultError),
    #[error("no refresh token is stored for profile {profile:?}: run `tokenscope flow code --profile {profile}` with the offline_access scope first")]
    NoRefreshToken { profile: String },
    #[error("the token response has no access_token")]
    NoAccessToken,
}

impl FlowError {
    /// True when the provider itself refused (an OAuth error response, or a response that
    /// fails the client's checks): the CLI's exit 1, as opposed to faults (exit 2).
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            FlowError::Denied(_)
                | FlowError::ResponseIssuer(_)
                | FlowError::Token(TokenError::Refused(_))
        )
    }

    /// The OAuth error object, when the server sent one.
    pub fn oauth_error(&self) -> Option<&OAuthError> {
        match self {
            FlowError::Denied(e) | FlowError::Token(TokenError::Refused(e)) => Some(e),
            _ => None,
        }
    }
}

impl ErrorCode for FlowError {
    fn code(&self) -> &'static str {
        match self {
            FlowError::Settings(_) => "oauth.settings",
            FlowError::Discovery(e) | FlowError::Http(e) => e.code(),
            FlowError::IssuerMismatch { .. } => "oauth.issuer_mismatch",
            FlowError::Authorize(e) => e.code(),
            FlowError::Listener(e) => e.code(),
            FlowError::TimedOut(_) => "oauth.redirect_timeout",
            FlowError::Cancelled => "operation.cancelled",
            FlowError::Denied(_) => "oauth.error_response",
            FlowError::ResponseIssuer(_) => "oauth.response_issuer",
            FlowError::Token(e) => e.code(),
            FlowError::Vault(e) => e.code(),
            FlowError::NoRefreshToken { .. } => "oauth.no_refresh_token",
            FlowError::NoAccessToken => "oauth.invalid_token_response",
        }
    }
}

/// A flow that ended early: why, and the steps it made.
#[derive(Debug)]
pub struct FlowFailure {
    pub error: FlowError,
    pub steps: Vec<Step>,
    /// Refresh: the stored refresh token was deleted (the server said `invalid_grant`).
    pub refresh_token_deleted: bool,
}

/// Hears of a flow's progress as it happens (the app's live timeline, the CLI's prompt).
pub trait FlowObserver: Send + Sync {
    /// The listener is bound and the URL is ready: open the browser now.
    fn authorization_url(&self, url: &AuthorizationUrl, redirect_uri: &str) {
        let _ = (url, redirect_uri);
    }

    /// A step finished (ok or failed).
    fn step(&self, step: &Step) {
        let _ = step;
    }
}

/// An observer that ignores everything.
impl FlowObserver for () {}

/// What every flow operation shares: the HTTP client, the keychain (when a profile's refresh
/// token is to be stored or read), the cancellation handle and "now".
pub struct FlowContext<'a> {
    pub http: &'a HttpClient,
    pub vault: Option<&'a Vault>,
    pub cancel: &'a CancellationToken,
    pub observer: &'a dyn FlowObserver,
}

/// Options of the code flow.
#[derive(Debug, Clone)]
pub struct CodeFlowOptions {
    /// How long to wait for the redirect.
    pub redirect_timeout: Duration,
}

impl Default for CodeFlowOptions {
    fn default() -> Self {
        CodeFlowOptions {
            redirect_timeout: DEFAULT_REDIRECT_TIMEOUT,
        }
    }
}

/// The timeline as it grows, each step told to the observer.
pub(super) struct Timeline<'a> {
    pub(super) steps: Vec<Step>,
    pub(super) observer: &'a dyn FlowObserver,
}

impl Timeline<'_> {
    pub(super) fn push(&mut self, step: Step) {
        self.observer.step(&step);
        self.steps.push(step);
    }

    /// The failure that ends the operation, carrying the steps so far (the timeline is left
    /// empty: nothing is pushed after a failure).
    pub(super) fn fail(&mut self, error: FlowError) -> FlowFailure {
        FlowFailure {
            error,
            steps: std::mem::take(&mut self.steps),
            refresh_token_deleted: false,
        }
    }
}

/// How every operation begins: an empty timeline told to the context's observer, and its own
/// transcript.
pub(super) fn start<'a>(ctx: &FlowContext<'a>) -> (Timeline<'a>, Transcript) {
    let timeline = Timeline {
        steps: Vec::new(),
        observer: ctx.observer,
    };
    (timeline, Transcript::new())
}

/// Runs `future` unless `cancel` fires first.
pub(super) async fn cancellable<T>(
    cancel: &CancellationToken,
    future: impl std::future::Future<Output = T>,
) -> Result<T, FlowError> {
    tokio::select! {
        biased;
        () = cancel.cancelled() => Err(FlowError::Cancelled),
        out = future => Ok(out),
    }
}

/// Runs the authorization code flow with PKCE through a loopback redirect.
pub async fn run_code_flow(
    ctx: &FlowContext<'_>,
    settings: &FlowSettings,
    options: &CodeFlowOptions,
) -> Result<FlowResult, FlowFailure> {
    let (mut timeline, transcript) = start(ctx);
    if settings.client_id.trim().is_empty() {
        return Err(timeline.fail(FlowError::Settings("a client id is needed".to_owned())));
    }
    if settings.client_auth != ClientAuthMethod::None && settings.profile.is_none() {
        return Err(timeline.fail(FlowError::Settings(
            "a confidential client's secret comes from the keychain: save the client as a profile (tokenscope profile add … --client-secret-stdin) and use --profile".to_owned(),
        )));
    }
    if settings.pkce == PkceMethod::Plain {
        return Err(timeline.fail(FlowError::Settings(
            "PKCE plain is not supported: S256 is mandatory to implement (RFC 7636 §4.2) and plain protects nothing once the request is seen (RFC 9700 §2.1.1)".to_owned(),
        )));
    }
    // The keychain comes first: a flow whose refresh token could not be kept would waste a login.
    let vault = match (&settings.profile, ctx.vault) {
        (Some(_), Some(vault)) => Some(vault),
        _ => None,
    };
    let client = client_auth(settings, vault)
        .await
        .map_err(|e| timeline.fail(e))?;
    let provider = resolve_endpoints(ctx, settings, &transcript, &mut timeline)
        .await
        .map_err(|e| timeline.fail(e))?;
    let Some(authorization) = provider.authorization.clone() else {
        return Err(timeline.fail(FlowError::Settings(
            "no authorization endpoint: the metadata has none and the profile gives none"
                .to_owned(),
        )));
    };

    // RFC 8252 §7.3: bind before the browser opens.
    let listener = LoopbackListener::bind(&settings.redirect)
        .await
        .map_err(|e| timeline.fail(e.into()))?;
    let redirect_uri = listener.redirect_uri();
    let secrets = FlowSecrets::generate();
    let challenge = secrets.verifier.challenge_s256();
    let scopes = settings.effective_scopes();
    let url = authorization_url(&AuthorizationRequest {
        authorization_endpoint: &authorization.url,
        client_id: &settings.client_id,
        redirect_uri: &redirect_uri,
        scopes: &scopes,
        extra_params: &settings.extra_params,
        state: &secrets.state,
        nonce: &secrets.nonce,
        challenge: &challenge,
    })
    .map_err(|e| timeline.fail(e.into()))?;
    ctx.observer.authorization_url(&url, &redirect_uri);
    let started = Instant::now();
    let waited = cancellable(
        ctx.cancel,
        listener.wait(&secrets.state, options.redirect_timeout, ctx.cancel),
    )
    .await;
    let redirected = match waited {
        Ok(Ok(r)) => r,
        Err(_) | Ok(Err(WaitError::Cancelled)) => {
            timeline.push(authorization_step(&url, None, started, Some("cancelled")));
            return Err(timeline.fail(FlowError::Cancelled));
        }
        Ok(Err(e @ WaitError::TimedOut { .. })) => {
            let message = e.to_string();
            timeline.push(authorization_step(&url, None, started, Some(&message)));
            return Err(timeline.fail(FlowError::TimedOut(e)));
        }
    };
    let mut auth_step = authorization_step(&url, Some(&redirected.response), started, None);
    if redirected.rejected_total > 0 {
        let reasons: Vec<String> = (redirected.rejected.iter())
            .map(|r| format!("{:?}", r.reason).to_lowercase())
            .collect();
        auth_step.notes.push(format!(
            "{} other request(s) to the listener were refused with a 4xx and ignored ({})",
            redirected.rejected_total,
            reasons.join(", ")
        ));
    }
    let (code, iss) = match redirected.response {
        AuthorizationResponse::Code { code, iss } => (code, iss),
        AuthorizationResponse::Error {
            error,
            error_description,
            error_uri,
            ..
        } => {
            let denied = OAuthError {
                hint: error_hint(&error).map(str::to_owned),
                error,
                error_description,
                error_uri,
            };
            auth_step.status = StepStatus::Failed;
            auth_step.error = Some(denied.to_string());
            timeline.push(auth_step);
            return Err(timeline.fail(FlowError::Denied(denied)));
        }
    };
    // RFC 9207: the response names its issuer; a different one is a mix-up.
    let check = check_response_issuer(
        iss.as_deref(),
        provider.issuer.as_deref(),
        provider.iss_parameter_required,
    );
    auth_step
        .notes
        .push(format!("{} ({})", check.message, check.spec));
    if check.status == CheckStatus::Fail {
        auth_step.status = StepStatus::Failed;
        auth_step.error = Some(check.message.clone());
        timeline.push(auth_step);
        return Err(timeline.fail(FlowError::ResponseIssuer(check.message)));
    }
    timeline.push(auth_step);

    // Kept as text so that a retry with the other client authentication can send it again.
    let verifier = Secret::new(secrets.verifier.expose_secret());
    drop(secrets.verifier);
    let mut client = client;
    choose_auth_method(&mut client, settings, &provider);
    let sent = send_authenticated(ctx, settings, &mut timeline, &mut client, async |client| {
        // Our own verifier always parses; a failure would only make the server say
        // invalid_grant.
        let verifier = PkceVerifier::from_text(verifier.expose_secret())
            .unwrap_or_else(|_| PkceVerifier::generate());
        request_tokens(
            ctx.http,
            &transcript,
            &provider.token,
            client,
            Grant::AuthorizationCode {
                code: &code,
                redirect_uri: &redirect_uri,
                verifier,
            },
        )
        .await
    })
    .await;
    let tokens = sent.map_err(|e| timeline.fail(e))?;
    let nonce = Some(secrets.nonce.as_str());
    let (checks, userinfo) = check_tokens(
        ctx,
        &provider,
        settings,
        &tokens,
        nonce,
        &transcript,
        &mut timeline,
    )
    .await
    .map_err(|e| timeline.fail(e))?;
    let id_token_ok = checks.iter().all(|c| c.status != CheckStatus::Fail);
    let mut stored = false;
    if let (Some(profile), Some(vault), Some(refresh), true) =
        (&settings.profile, vault, &tokens.refresh_token, id_token_ok)
    {
        let stored_entry = store_refresh_token(
            vault,
            profile,
            refresh,
            &tokens,
            StoredBy::AuthorizationCode,
        )
        .await;
        match stored_entry {
            Ok(()) => stored = true,
            Err(e) => return Err(timeline.fail(e)),
        }
    }
    Ok(FlowResult {
        tokens: issued(&tokens, stored),
        id_token_checks: checks,
        userinfo,
        steps: timeline.steps,
        rotated: None,
        rotation: None,
        changes: None,
    })
}

/// Refreshes the tokens of `settings.profile` with its stored refresh token. A new refresh token
/// replaces the stored one (rotation); none keeps it; `invalid_grant` deletes it. With
/// `previous`, the new access and ID tokens are diffed against those.
pub async fn run_refresh(
    ctx: &FlowContext<'_>,
    settings: &FlowSettings,
    previous: Option<&PreviousTokens>,
) -> Result<FlowResult, FlowFailure> {
    let (mut timeline, transcript) = start(ctx);
    let (Some(profile), Some(vault)) = (&settings.profile, ctx.vault) else {
        return Err(timeline.fail(FlowError::Settings(
            "a refresh needs a profile: its refresh token is in the keychain under the profile's name".to_owned(),
        )));
    };
    let key = match EntryKey::new(profile, SecretKind::RefreshToken) {
        Ok(k) => k,
        Err(e) => return Err(timeline.fail(FlowError::Settings(e.to_string()))),
    };
    let old = match cancellable(ctx.cancel, vault.reveal(key.clone())).await {
        Ok(Ok(old)) => old,
        Ok(Err(VaultError::NotFound { .. })) => {
            return Err(timeline.fail(FlowError::NoRefreshToken {
                profile: profile.clone(),
            }))
        }
        Ok(Err(e)) => return Err(timeline.fail(e.into())),
        Err(e) => return Err(timeline.fail(e)),
    };
    let client = client_auth(settings, Some(vault))
        .await
        .map_err(|e| timeline.fail(e))?;
    let provider = resolve_endpoints(ctx, settings, &transcript, &mut timeline)
        .await
        .map_err(|e| timeline.fail(e))?;
    let mut client = client;
    choose_auth_method(&mut client, settings, &provider);
    let sent = send_authenticated(ctx, settings, &mut timeline, &mut client, async |client| {
        let grant = Grant::RefreshToken {
            refresh_token: &old,
        };
        request_tokens(ctx.http, &transcript, &provider.token, client, grant).await
    })
    .await;
    let tokens = match sent {
        Ok(t) => t,
        Err(FlowError::Token(TokenError::Refused(e))) if e.error == "invalid_grant" => {
            // The token is dead (expired, revoked, or a rotated one replayed): keeping it would
            // only fail again.
            let deleted = vault.delete(key).await.unwrap_or(false);
            let mut failure = timeline.fail(FlowError::Token(TokenError::Refused(e)));
            failure.refresh_token_deleted = deleted;
            return Err(failure);
        }
        Err(e) => return Err(timeline.fail(e)),
    };
    let (checks, userinfo) = check_tokens(
        ctx,
        &provider,
        settings,
        &tokens,
        None,
        &transcript,
        &mut timeline,
    )
    .await
    .map_err(|e| timeline.fail(e))?;
    let previous_fingerprint = fingerprint(&old);
    let (rotated, new_fingerprint) = match &tokens.refresh_token {
        Some(new) if new != &old => {
            if let Err(e) =
                store_refresh_token(vault, profile, new, &tokens, StoredBy::RefreshGrant).await
            {
                return Err(timeline.fail(e));
            }
            (true, fingerprint(new))
        }
        // RFC 6749 §6: no new refresh token means the old one stays good.
        _ => (false, previous_fingerprint.clone()),
    };
    let changes = previous.map(|p| TokenChanges {
        access_token: diff_pair(
            p.access_token.as_deref(),
            Some(tokens.access_token.expose_secret()),
            ctx.http.now_unix(),
        ),
        id_token: diff_pair(
            p.id_token.as_deref(),
            tokens.id_token.as_deref(),
            ctx.http.now_unix(),
        ),
    });
    let mut issued = issued(&tokens, true);
    issued.refresh_token_fingerprint = Some(new_fingerprint.clone());
    Ok(FlowResult {
        tokens: issued,
        id_token_checks: checks,
        userinfo,
        steps: timeline.steps,
        rotated: Some(rotated),
        rotation: Some(Rotation {
            previous_fingerprint,
            new_fingerprint,
        }),
        changes,
    })
}

/// Calls userinfo again with an access token from a finished flow (the app's **Userinfo**
/// button): discovery if an issuer is set, then the call; `expected_sub` is the ID token's.
pub async fn run_userinfo(
    ctx: &FlowContext<'_>,
    settings: &FlowSettings,
    access_token: &Secret,
    expected_sub: Option<&str>,
) -> Result<(Vec<Step>, Option<Value>), FlowFailure> {
    let (mut timeline, transcript) = start(ctx);
    let provider = resolve_endpoints(ctx, settings, &transcript, &mut timeline)
        .await
        .map_err(|e| timeline.fail(e))?;
    let Some(endpoint) = provider.userinfo else {
        return Err(timeline.fail(FlowError::Settings(
            "no userinfo endpoint: the metadata has none and the profile gives none".to_owned(),
        )));
    };
    match fetch_userinfo(ctx, &endpoint, access_token, expected_sub, &transcript).await {
        Ok((step, claims)) => {
            timeline.push(step);
            Ok((timeline.steps, claims))
        }
        Err(e) => Err(timeline.fail(e)),
    }
}

/// The diff of two tokens when both are JWTs.
fn diff_pair(before: Option<&str>, after: Option<&str>, now: i64) -> Option<TokenDiff> {
    let a = decode_unverified(before?, now).ok()?;
    let b = decode_unverified(after?, now).ok()?;
    Some(diff_tokens(&a, &b))
}

/// The client's identity and, for a confidential client, its secret: the one given for this
/// call, else the keychain's. A secret without a method (a one-off `--issuer` call) is sent as
/// the metadata allows ([`choose_auth_method`] once the metadata is known).
pub(super) async fn client_auth(
    settings: &FlowSettings,
    vault: Option<&Vault>,
) -> Result<ClientAuth, FlowError> {
    if let Some(secret) = &settings.client_secret {
        let method = match settings.client_auth {
            ClientAuthMethod::None => ClientAuthMethod::ClientSecretBasic,
            chosen => chosen,
        };
        return Ok(ClientAuth {
            client_id: settings.client_id.clone(),
            method,
            secret: Some(Secret::new(secret.expose_secret())),
        });
    }
    let secret = match (settings.client_auth, &settings.profile, vault) {
        (ClientAuthMethod::None, _, _) => None,
        (_, Some(profile), Some(vault)) => {
            let key = EntryKey::new(profile, SecretKind::ClientSecret)
                .map_err(|e| FlowError::Settings(e.to_string()))?;
            match vault.reveal(key).await {
                Ok(secret) => Some(secret),
                Err(VaultError::NotFound { .. }) => {
                    return Err(FlowError::Settings(format!(
                        "profile {profile:?} authenticates with a client secret, but none is in the keychain: store one with `tokenscope vault store {profile} client_secret` (the secret on standard input)"
                    )))
                }
                Err(e) => return Err(e.into()),
            }
        }
        _ => {
            return Err(FlowError::Settings(
                "a confidential client needs its secret: from the keychain (--profile) or on standard input".to_owned(),
            ))
        }
    };
    Ok(ClientAuth {
        client_id: settings.client_id.clone(),
        method: settings.client_auth,
        secret,
    })
}

/// For a client with a secret whose method nobody chose: the first of `client_secret_basic`
/// and `client_secret_post` that the metadata lists (RFC 8414 §2: absent means basic).
pub(super) fn choose_auth_method(
    client: &mut ClientAuth,
    settings: &FlowSettings,
    provider: &ProviderEndpoints,
) {
    if client.secret.is_none() || settings.client_auth_fixed || settings.profile.is_some() {
        return;
    }
    let listed =
        |m: &str| (provider.auth_methods.as_ref()).is_none_or(|all| all.iter().any(|a| a == m));
    client.method = if listed("client_secret_basic") {
        ClientAuthMethod::ClientSecretBasic
    } else if listed("client_secret_post") {
        ClientAuthMethod::ClientSecretPost
    } else {
        client.method
    };
}

/// Runs `attempt` with `client`; on `invalid_client`, unless the method was fixed for this call,
/// once more with the other secret method (many providers register a client for one only).
/// Every attempt's step lands on the timeline; the one that worked says so.
async fn with_client_auth<T>(
    timeline: &mut Timeline<'_>,
    client: &mut ClientAuth,
    fixed: bool,
    mut attempt: impl AsyncFnMut(&ClientAuth) -> (Step, Result<T, TokenError>),
) -> Result<T, TokenError> {
    let (mut step, result) = attempt(client).await;
    let refused = matches!(&result, Err(TokenError::Refused(e)) if e.error == "invalid_client");
    let other = match client.method {
        ClientAuthMethod::ClientSecretBasic => ClientAuthMethod::ClientSecretPost,
        ClientAuthMethod::ClientSecretPost => ClientAuthMethod::ClientSecretBasic,
        ClientAuthMethod::None => return finish_attempt(timeline, step, result),
    };
    if !refused || fixed {
        return finish_attempt(timeline, step, result);
    }
    let first = client.method;
    step.notes.push(format!(
        "{} was refused (invalid_client); trying {} once",
        first.as_str(),
        other.as_str()
    ));
    step.status = StepStatus::Retried;
    timeline.push(step);
    client.method = other;
    let (mut step, result) = attempt(client).await;
    if result.is_ok() {
        step.notes.push(format!(
            "{} worked after {} was refused: the provider registered this client for {}",
            other.as_str(),
            first.as_str(),
            other.as_str()
        ));
    }
    finish_attempt(timeline, step, result)
}

/// One request that authenticates the client, as every token, device, revocation and
/// introspection call makes it: `attempt` through [`with_client_auth`] with the settings' choice
/// of method, ended at once by a cancel. The provider's refusal is `FlowError::Token`.
pub(super) async fn send_authenticated<T>(
    ctx: &FlowContext<'_>,
    settings: &FlowSettings,
    timeline: &mut Timeline<'_>,
    client: &mut ClientAuth,
    attempt: impl AsyncFnMut(&ClientAuth) -> (Step, Result<T, TokenError>),
) -> Result<T, FlowError> {
    let fixed = settings.client_auth_fixed;
    let sent = cancellable(
        ctx.cancel,
        with_client_auth(timeline, client, fixed, attempt),
    )
    .await?;
    Ok(sent?)
}

fn finish_attempt<T>(
    timeline: &mut Timeline<'_>,
    step: Step,
    result: Result<T, TokenError>,
) -> Result<T, TokenError> {
    timeline.push(step);
    result
}

/// The endpoints to use: explicit ones, the rest from the issuer's metadata (a discovery step).
pub(super) async fn resolve_endpoints(
    ctx: &FlowContext<'_>,
    settings: &FlowSettings,
    transcript: &Transcript,
    timeline: &mut Timeline<'_>,
) -> Result<ProviderEndpoints, FlowError> {
    let explicit = &settings.endpoints;
    let typed = |url: &Option<String>| url.as_deref().map(Endpoint::typed);
    let Some(issuer) = settings.issuer.as_deref().filter(|i| !i.is_empty()) else {
        let token = typed(&explicit.token).ok_or_else(|| {
            FlowError::Settings("give an issuer, or at least the token endpoint".to_owned())
        })?;
        return Ok(ProviderEndpoints {
            issuer: None,
            authorization: typed(&explicit.authorization),
            token,
            userinfo: typed(&explicit.userinfo),
            jwks: typed(&explicit.jwks),
            revocation: typed(&explicit.revocation),
            introspection: typed(&explicit.introspection),
            device: typed(&explicit.device),
            iss_parameter_required: false,
            auth_methods: None,
        });
    };
    let url = well_known_url(issuer).map_err(|e| FlowError::Settings(e.to_string()))?;
    let started = Instant::now();
    let first = transcript.len();
    let fetched = cancellable(
        ctx.cancel,
        ctx.http.get(&url, &FetchOptions::json(), transcript),
    )
    .await?;
    let parsed: Result<(HttpResponse, Value), HttpError> =
        fetched.and_then(|r| process_json_response(&r).map(|v| (r, v)));
    let mut step = Step {
        name: StepName::Discovery,
        status: StepStatus::Ok,
        explanation: "The client reads the provider's metadata: where its endpoints are, which keys sign its tokens, what it supports.".to_owned(),
        spec: "OIDC Discovery 1.0 §4".to_owned(),
        request: Some(StepRequest {
            method: "GET".to_owned(),
            url: url.clone(),
            headers: Vec::new(),
            params: Vec::new(),
        }),
        response: None,
        exchanges: transcript.exchanges_since(first),
        error: None,
        notes: Vec::new(),
        duration_ms: elapsed_ms(started),
    };
    let (response, metadata) = match parsed {
        Ok(v) => v,
        Err(e) => {
            step.status = StepStatus::Failed;
            step.error = Some(e.to_string());
            timeline.push(step);
            return Err(FlowError::Discovery(e));
        }
    };
    step.response = Some(StepResponse {
        status: Some(response.status),
        headers: headers_for_step(
            (response.headers.iter()).map(|h| (h.name.as_str(), h.value.as_bytes())),
        ),
        body: body_for_step(&response.body),
    });
    let found = metadata.get("issuer").and_then(Value::as_str);
    if found != Some(issuer) {
        let error = FlowError::IssuerMismatch {
            url,
            expected: issuer.to_owned(),
            found: found.map(str::to_owned),
        };
        step.status = StepStatus::Failed;
        step.error = Some(error.to_string());
        timeline.push(step);
        return Err(error);
    }
    let from_metadata = |field: &str, explicit: &Option<String>| -> Option<Endpoint> {
        if let Some(url) = explicit {
            return Some(Endpoint::typed(url));
        }
        let url = metadata.get(field)?.as_str()?;
        Some(Endpoint {
            url: url.to_owned(),
            // A URL from the server may reach only what the typed issuer allows.
            provenance: response.derive(UrlOrigin::MetadataEndpoint {
                field: field.to_owned(),
                of: issuer.to_owned(),
            }),
        })
    };
    let token = from_metadata("token_endpoint", &explicit.token);
    let endpoints = ProviderEndpoints {
        issuer: Some(issuer.to_owned()),
        authorization: from_metadata("authorization_endpoint", &explicit.authorization),
        token: match token {
            Some(t) => t,
            None => {
                let error = FlowError::Settings(format!(
                    "the metadata of {issuer} has no token_endpoint and the profile gives none"
                ));
                step.status = StepStatus::Failed;
                step.error = Some(error.to_string());
                timeline.push(step);
                return Err(error);
            }
        },
        userinfo: from_metadata("userinfo_endpoint", &explicit.userinfo),
        jwks: match &explicit.jwks {
            Some(url) => Some(Endpoint::typed(url)),
            None => metadata
                .get("jwks_uri")
                .and_then(Value::as_str)
                .map(|url| Endpoint {
                    url: url.to_owned(),
                    provenance: response.derive(UrlOrigin::JwksUri {
                        of: issuer.to_owned(),
                    }),
                }),
        },
        revocation: from_metadata("revocation_endpoint", &explicit.revocation),
        introspection: from_metadata("introspection_endpoint", &explicit.introspection),
        device: from_metadata("device_authorization_endpoint", &explicit.device),
        iss_parameter_required: metadata
            .get("authorization_response_iss_parameter_supported")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        auth_methods: metadata
            .get("token_endpoint_auth_methods_supported")
            .and_then(Value::as_array)
            .map(|methods| {
                (methods.iter())
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            }),
    };
    timeline.push(step);
    Ok(endpoints)
}

pub(super) fn elapsed_ms(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// The authorization step: the URL the browser was sent to, with each parameter explained, and
/// the redirect that came back (the code redacted), or why none came.
fn authorization_step(
    url: &AuthorizationUrl,
    response: Option<&AuthorizationResponse>,
    started: Instant,
    error: Option<&str>,
) -> Step {
    let body = response.map(|r| {
        let mut shown = serde_json::Map::new();
        match r {
            AuthorizationResponse::Code { iss, .. } => {
                shown.insert("code".to_owned(), Value::from(REDACTED));
                shown.insert("state".to_owned(), Value::from("(matched)"));
                if let Some(iss) = iss {
                    shown.insert("iss".to_owned(), Value::from(iss.as_str()));
                }
            }
            AuthorizationResponse::Error {
                error,
                error_description,
                error_uri,
                iss,
            } => {
                shown.insert("error".to_owned(), Value::from(error.as_str()));
                for (name, value) in [
                    ("error_description", error_description),
                    ("error_uri", error_uri),
                    ("iss", iss),
                ] {
                    if let Some(v) = value {
                        shown.insert(name.to_owned(), Value::from(v.as_str()));
                    }
                }
                shown.insert("state".to_owned(), Value::from("(matched)"));
            }
        }
        Value::Object(shown)
    });
    Step {
        name: StepName::Authorization,
        status: if error.is_some() {
            StepStatus::Failed
        } else {
            StepStatus::Ok
        },
        explanation: "The browser takes the user to the provider to log in and consent; the provider redirects back to the loopback listener with a one-time code bound to this request's state and PKCE challenge.".to_owned(),
        spec: "RFC 6749 §4.1.1–4.1.2, RFC 7636 §4.3, RFC 8252 §7.3".to_owned(),
        request: Some(StepRequest {
            method: "GET".to_owned(),
            url: url.url.clone(),
            headers: Vec::new(),
            params: url.params.clone(),
        }),
        response: body.map(|body| StepResponse {
            status: None,
            headers: Vec::new(),
            body: Some(body),
        }),
        exchanges: Vec::new(),
        error: error.map(str::to_owned),
        notes: Vec::new(),
        duration_ms: elapsed_ms(started),
    }
}

/// The ID token's checks (OIDC Core §3.1.3.7, through the verification core with the issuer's
/// JWKS: a `jwks` step) and the userinfo call (OIDC Core §5.3, its `sub` compared).
pub(super) async fn check_tokens(
    ctx: &FlowContext<'_>,
    provider: &ProviderEndpoints,
    settings: &FlowSettings,
    tokens: &TokenSet,
    nonce: Option<&str>,
    transcript: &Transcript,
    timeline: &mut Timeline<'_>,
) -> Result<(Vec<Check>, Option<Value>), FlowError> {
    let now = ctx.http.now_unix();
    let mut checks = Vec::new();
    let mut id_sub = None;
    if let Some(id_token) = &tokens.id_token {
        let options = VerifyOptions {
            issuer: provider.issuer.clone(),
            audiences: vec![settings.client_id.clone()],
            nonce: nonce.map(str::to_owned),
            access_token: Some(tokens.access_token.expose_secret().to_owned()),
            id_token: Some(true),
            ..VerifyOptions::at(now)
        };
        match decode_unverified(id_token, now) {
            Ok(decoded) => {
                id_sub = decoded
                    .payload
                    .as_ref()
                    .and_then(|p| p.get("sub"))
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                let mut keys = Vec::new();
                if let Some(jwks) = &provider.jwks {
                    let started = Instant::now();
                    let first = transcript.len();
                    let fetch = KeyFetch {
                        http: ctx.http,
                        transcript,
                        refresh: false,
                    };
                    let fetched = cancellable(
                        ctx.cancel,
                        issuer_jwks_keys(fetch, &jwks.url, jwks.provenance.clone()),
                    )
                    .await?;
                    let mut step = Step {
                        name: StepName::Jwks,
                        status: StepStatus::Ok,
                        explanation: "The client fetches the provider's public keys to check the ID token's signature; the token's kid picks the key.".to_owned(),
                        spec: "OIDC Core §3.1.3.7 step 6, RFC 7517 §5".to_owned(),
                        request: Some(StepRequest {
                            method: "GET".to_owned(),
                            url: jwks.url.clone(),
                            headers: Vec::new(),
                            params: Vec::new(),
                        }),
                        response: None,
                        exchanges: transcript.exchanges_since(first),
                        error: None,
                        notes: Vec::new(),
                        duration_ms: elapsed_ms(started),
                    };
                    match fetched {
                        Ok(found) => {
                            step.notes.push(format!("{} key(s) published", found.len()));
                            step.response = step.exchanges.last().map(|e| StepResponse {
                                status: e.status,
                                headers: e.response_headers.clone(),
                                body: None,
                            });
                            keys = found;
                        }
                        Err(e) => {
                            step.status = StepStatus::Failed;
                            step.error = Some(e.to_string());
                        }
                    }
                    timeline.push(step);
                }
                match verify_decoded(&decoded, &keys, &options) {
                    Ok(report) => checks = report.checks,
                    Err(e) => checks.push(malformed_check(&e.to_string())),
                }
            }
            Err(e) => checks.push(malformed_check(&e.to_string())),
        }
    }
    let userinfo = match &provider.userinfo {
        Some(endpoint) if settings.effective_scopes().iter().any(|s| s == "openid") => {
            let step = fetch_userinfo(
                ctx,
                endpoint,
                &tokens.access_token,
                id_sub.as_deref(),
                transcript,
            )
            .await?;
            let (step, claims) = step;
            timeline.push(step);
            claims
        }
        _ => None,
    };
    Ok((checks, userinfo))
}

/// A `signature` check that failed because the ID token could not even be decoded.
fn malformed_check(message: &str) -> Check {
    Check {
        name: crate::jwt::verify::CheckName::Signature,
        status: CheckStatus::Fail,
        message: format!("the ID token cannot be verified: {message}"),
        spec: "OIDC Core §3.1.3.7".to_owned(),
    }
}

/// Calls userinfo with the access token (RFC 6750 §2.1); the claims when the response is a
/// JSON object whose `sub` is the ID token's (OIDC Core §5.3.2: otherwise they must not be used).
async fn fetch_userinfo(
    ctx: &FlowContext<'_>,
    endpoint: &Endpoint,
    access_token: &Secret,
    id_sub: Option<&str>,
    transcript: &Transcript,
) -> Result<(Step, Option<Value>), FlowError> {
    let started = Instant::now();
    let first = transcript.len();
    let headers = vec![
        HttpHeader {
            name: "accept".to_owned(),
            value: "application/json".to_owned(),
        },
        HttpHeader {
            name: "authorization".to_owned(),
            value: format!("Bearer {}", access_token.expose_secret()),
        },
    ];
    let mut step = Step {
        name: StepName::Userinfo,
        status: StepStatus::Ok,
        explanation: "The client calls the userinfo endpoint with the access token as a Bearer credential and gets the user's claims; their sub must be the ID token's.".to_owned(),
        spec: "OIDC Core §5.3, RFC 6750 §2.1".to_owned(),
        request: Some(StepRequest {
            method: "GET".to_owned(),
            url: endpoint.url.clone(),
            headers: crate::http::redact_headers(&headers),
            params: Vec::new(),
        }),
        response: None,
        exchanges: Vec::new(),
        error: None,
        notes: Vec::new(),
        duration_ms: 0,
    };
    let request = build_request(
        "GET",
        &endpoint.url,
        headers,
        None,
        endpoint.provenance.clone(),
        ctx.http.policy(),
    );
    let sent = match request {
        Ok(r) => cancellable(ctx.cancel, ctx.http.send(r, transcript)).await?,
        Err(e) => Err(e),
    };
    step.exchanges = transcript.exchanges_since(first);
    step.duration_ms = elapsed_ms(started);
    let mut claims = None;
    match sent {
        Ok(response) => {
            step.response = Some(StepResponse {
                status: Some(response.status),
                headers: headers_for_step(
                    (response.headers.iter()).map(|h| (h.name.as_str(), h.value.as_bytes())),
                ),
                body: body_for_step(&response.body),
            });
            match process_json_response(&response) {
                Ok(Value::Object(members)) => {
                    let sub = members.get("sub").and_then(Value::as_str);
                    match (sub, id_sub) {
                        (Some(a), Some(b)) if a == b => {
                            step.notes.push(format!("sub \"{a}\" is the ID token's"));
                            claims = Some(Value::Object(members));
                        }
                        (Some(a), Some(b)) => {
                            step.status = StepStatus::Failed;
                            step.error = Some(format!("userinfo's sub \"{a}\" is not the ID token's \"{b}\": the claims must not be used (OIDC Core §5.3.2)"));
                        }
                        (None, _) => {
                            step.status = StepStatus::Failed;
                            step.error = Some(
                                "the userinfo response has no sub (OIDC Core §5.3.2 requires it)"
                                    .to_owned(),
                            );
                        }
                        (Some(_), None) => claims = Some(Value::Object(members)),
                    }
                }
                Ok(_) => {
                    step.status = StepStatus::Failed;
                    step.error = Some("the userinfo response is not a JSON object".to_owned());
                }
                Err(e) => {
                    step.status = StepStatus::Failed;
                    step.error = Some(match response.header("www-authenticate") {
                        Some(challenge) => format!("{e}; WWW-Authenticate: {challenge}"),
                        None => e.to_string(),
                    });
                }
            }
        }
        Err(e) => {
            step.status = StepStatus::Failed;
            step.error = Some(e.to_string());
        }
    }
    Ok((step, claims))
}

/// Stores `refresh` under the profile, with when it expires if the server said.
pub(super) async fn store_refresh_token(
    vault: &Vault,
    profile: &str,
    refresh: &Secret,
    tokens: &TokenSet,
    flow: StoredBy,
) -> Result<(), FlowError> {
    let key = EntryKey::new(profile, SecretKind::RefreshToken)
        .map_err(|e| FlowError::Settings(e.to_string()))?;
    let expires_at = tokens.refresh_token_expires_in.map(|s| {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        i64::try_from(now.saturating_add(s)).unwrap_or(i64::MAX)
    });
    vault
        .store(key, Secret::new(refresh.expose_secret()), flow, expires_at)
        .await?;
    Ok(())
}

pub(super) fn issued(tokens: &TokenSet, stored: bool) -> IssuedTokens {
    IssuedTokens {
        access_token: tokens.access_token.expose_secret().to_owned(),
        token_type: tokens.token_type.clone(),
        expires_in: tokens.expires_in,
        scope: tokens.scope.clone(),
        id_token: tokens.id_token.clone(),
        refresh_token_stored: stored,
        refresh_token_fingerprint: tokens.refresh_token.as_ref().map(fingerprint),
    }
}
