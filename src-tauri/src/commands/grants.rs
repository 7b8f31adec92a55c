//! The rest of the OAuth toolbox in the Flows view (issue 13): client credentials and the device
//! grant (flows, recorded like the code flow), revocation, introspection and an API call with a
//! finished flow's access token, and the export of a recorded flow. Each is one core call
//! ([`run_client_credentials`], [`run_device_flow`], [`run_revoke`], [`run_introspect`],
//! [`core_call_api`], [`export_flow`](tokenscope::oauth::export::export_flow)); the network ones run as
//! cancellable operations on the flow thread (see `flows.rs`: the core's futures are not `Send`).

use std::sync::{Arc, Mutex};

use serde::Deserialize;
use tauri::ipc::Channel;
use tauri::State;
use tokenscope::http::Transcript;
use tokenscope::oauth::export::{self, ExportFormat, ExportOptions};
use tokenscope::oauth::flow::{FlowContext, FlowObserver, FlowResult, FlowSettings};
use tokenscope::oauth::grants::{
    call_api as core_call_api, run_client_credentials, run_device_flow, run_introspect, run_revoke,
    ApiCallResult, ApiRequest, DeviceObserver, DevicePrompt, IntrospectionResult, RevocationResult,
    DEFAULT_DEVICE_TIMEOUT,
};
use tokenscope::oauth::timeline::Step;
use tokenscope::oauth::token::TokenHint;
use tokenscope::secret::Secret;
use tokenscope::vault::profiles::ClientAuthMethod;
use ts_rs::TS;

use super::flows::{
    channel_sink, http, on_flow_thread, profile_vault, record, settings, settle, FlowEvent,
    FlowFailureReply, Sink,
};
use crate::flow_records::Outcome;
use crate::{AppState, IpcError};

/// Client credentials (RFC 6749 §4.4): a confidential client's profile (its secret from the
/// keychain), or an issuer, a client id and a secret typed for one flow.
#[derive(Deserialize, TS)]
pub struct ClientCredentialsRequest {
    #[serde(default)]
    pub profile: Option<String>,
    #[serde(default)]
    pub issuer: Option<String>,
    #[serde(default)]
    pub client_id: Option<String>,
    /// For a one-off flow (or instead of the profile's stored one). Never returned or logged.
    #[serde(default)]
    #[ts(type = "string | null")]
    pub client_secret: Option<Secret>,
    /// `client_secret_basic` or `client_secret_post` for this call only (no fallback to the
    /// other); null: the profile's, else what the metadata allows.
    #[serde(default)]
    pub auth_method: Option<ClientAuthMethod>,
    /// Replaces the profile's scopes when not empty.
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
}

/// The device authorization grant (RFC 8628): a profile (its refresh token kept in the
/// keychain) or an issuer and a public client id.
#[derive(Debug, Deserialize, TS)]
pub struct DeviceFlowRequest {
    #[serde(default)]
    pub profile: Option<String>,
    #[serde(default)]
    pub issuer: Option<String>,
    #[serde(default)]
    pub client_id: Option<String>,
    /// Replaces the profile's scopes (or the default `openid profile offline_access`) when not
    /// empty.
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
}

/// Which token a revocation or introspection is about (RFC 7009 §2.1 `token_type_hint`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    AccessToken,
    RefreshToken,
}

impl From<TokenKind> for TokenHint {
    fn from(kind: TokenKind) -> Self {
        match kind {
            TokenKind::AccessToken => TokenHint::AccessToken,
            TokenKind::RefreshToken => TokenHint::RefreshToken,
        }
    }
}

/// A revocation (RFC 7009) for a finished flow (its provider and client) or a profile.
#[derive(Deserialize, TS)]
pub struct RevokeRequest {
    /// The operation id of a finished flow the app still keeps.
    #[serde(default)]
    pub flow: Option<String>,
    /// Instead of `flow`: a saved profile.
    #[serde(default)]
    pub profile: Option<String>,
    /// `refresh_token`: the profile's, from the keychain (its entry is deleted with it).
    pub token: TokenKind,
    /// With `access_token`: the token to revoke.
    #[serde(default)]
    #[ts(type = "string | null")]
    pub access_token: Option<Secret>,
}

/// An introspection (RFC 7662) of `token` for a finished flow (its provider and client) or a
/// profile.
#[derive(Deserialize, TS)]
pub struct IntrospectRequest {
    #[serde(default)]
    pub flow: Option<String>,
    #[serde(default)]
    pub profile: Option<String>,
    #[ts(type = "string")]
    pub token: Secret,
    #[serde(default)]
    pub token_type_hint: Option<TokenKind>,
}

/// A request to an API with the access token as a Bearer credential (RFC 6750 §2.1).
#[derive(Deserialize, TS)]
pub struct ApiCallRequest {
    pub url: String,
    /// GET, POST, …
    pub method: String,
    /// Sent as JSON when it parses as JSON, else as a form; empty or null: no body.
    #[serde(default)]
    pub body: Option<String>,
    #[ts(type = "string")]
    pub access_token: Secret,
}

/// Hears of the device flow: the prompt and each step go to the webview, the user code is kept
/// for the export to hide.
struct DeviceEvents {
    send: Sink,
    user_code: Arc<Mutex<Option<String>>>,
}

impl FlowObserver for DeviceEvents {
    fn step(&self, step: &Step) {
        (self.send)(FlowEvent::Step {
            step: Box::new(step.clone()),
        });
    }
}

impl DeviceObserver for DeviceEvents {
    fn device_prompt(&self, prompt: &DevicePrompt) {
        if let Ok(mut code) = self.user_code.lock() {
            *code = Some(prompt.user_code.clone());
        }
        (self.send)(FlowEvent::DevicePrompt {
            prompt: prompt.clone(),
        });
    }
}

/// Gets a token for the client itself with client credentials, as operation `operation_id`;
/// each step reaches `on_event` as it ends.
#[tauri::command]
pub async fn start_client_credentials(
    request: ClientCredentialsRequest,
    operation_id: String,
    on_event: Channel<FlowEvent>,
    state: State<'_, AppState>,
) -> Result<FlowResult, FlowFailureReply> {
    client_credentials(&state, request, &operation_id, channel_sink(on_event)).await
}

/// Runs the device authorization grant as operation `operation_id`: `on_event` receives the
/// user code and verification URI (`device_prompt`) as soon as the provider gives them, then
/// each step. Polls at the provider's interval until approved, denied, expired or cancelled.
#[tauri::command]
pub async fn start_device_flow(
    request: DeviceFlowRequest,
    operation_id: String,
    on_event: Channel<FlowEvent>,
    state: State<'_, AppState>,
) -> Result<FlowResult, FlowFailureReply> {
    device_flow(&state, request, &operation_id, channel_sink(on_event)).await
}

/// Revokes a finished flow's access token, or a profile's stored refresh token.
#[tauri::command]
pub async fn revoke_token(
    request: RevokeRequest,
    operation_id: String,
    state: State<'_, AppState>,
) -> Result<RevocationResult, FlowFailureReply> {
    revoke(&state, request, &operation_id).await
}

/// Asks the provider what a token is (RFC 7662), each member explained.
#[tauri::command]
pub async fn introspect_token(
    request: IntrospectRequest,
    operation_id: String,
    state: State<'_, AppState>,
) -> Result<IntrospectionResult, FlowFailureReply> {
    introspect(&state, request, &operation_id).await
}

/// Calls an API with the access token; a 4xx/5xx is a result, explained, not a failure.
#[tauri::command]
pub async fn call_api(
    request: ApiCallRequest,
    operation_id: String,
    state: State<'_, AppState>,
) -> Result<ApiCallResult, FlowFailureReply> {
    api_call(&state, request, &operation_id).await
}

/// A recorded flow (by its operation id) as Markdown or JSON, redacted unless `reveal_tokens`.
#[tauri::command]
pub fn export_flow(
    flow: String,
    format: ExportFormat,
    reveal_tokens: bool,
    state: State<'_, AppState>,
) -> Result<String, IpcError> {
    export(&state, &flow, format, reveal_tokens)
}

/// The scopes typed, or none (the settings' own).
fn typed_scopes(scopes: Option<Vec<String>>) -> Option<Vec<String>> {
    scopes.filter(|s| !s.is_empty())
}

pub(crate) async fn client_credentials(
    state: &AppState,
    request: ClientCredentialsRequest,
    operation_id: &str,
    send: Sink,
) -> Result<FlowResult, FlowFailureReply> {
    let ClientCredentialsRequest {
        profile,
        issuer,
        client_id,
        client_secret,
        auth_method,
        scopes,
    } = request;
    let mut settings = settings(state, profile, issuer, client_id).await?;
    let secret = client_secret.filter(|s| !s.expose_secret().is_empty());
    if secret.is_none() && settings.profile.is_none() {
        return Err(IpcError::new(
            "oauth.settings",
            "client credentials need the client's secret",
        )
        .for_input("client_secret")
        .into());
    }
    let needs_vault = secret.is_none();
    settings.client_secret = secret.map(Arc::new);
    match auth_method {
        Some(
            method @ (ClientAuthMethod::ClientSecretBasic | ClientAuthMethod::ClientSecretPost),
        ) => {
            settings.client_auth = method;
            settings.client_auth_fixed = true;
        }
        Some(ClientAuthMethod::None) | None => {}
    }
    if let Some(scopes) = typed_scopes(scopes) {
        settings.scopes = scopes;
    }
    let vault = if needs_vault {
        profile_vault(state, &settings).await?
    } else {
        None
    };
    let observer = DeviceEvents {
        send,
        user_code: Arc::default(),
    };
    let http = http(state);
    let kept = settings.clone();
    let flow = on_flow_thread(move |cancel| async move {
        let ctx = FlowContext {
            http: &http,
            vault: vault.as_ref(),
            cancel: &cancel,
            observer: &observer,
        };
        run_client_credentials(&ctx, &settings).await
    });
    let outcome = state
        .operations
        .run(operation_id, &Transcript::new(), flow)
        .await?;
    let settled = settle(state, outcome).await;
    record(state, operation_id, kept, &settled, Vec::new());
    settled
}

pub(crate) async fn device_flow(
    state: &AppState,
    request: DeviceFlowRequest,
    operation_id: &str,
    send: Sink,
) -> Result<FlowResult, FlowFailureReply> {
    let mut settings = settings(state, request.profile, request.issuer, request.client_id).await?;
    if let Some(scopes) = typed_scopes(request.scopes) {
        settings.scopes = scopes;
    }
    // Up front, as for the code flow: an approval whose refresh token could not be kept would
    // be wasted.
    let vault = profile_vault(state, &settings).await?;
    let user_code = Arc::new(Mutex::new(None));
    let observer = DeviceEvents {
        send,
        user_code: user_code.clone(),
    };
    let http = http(state);
    let kept = settings.clone();
    let flow = on_flow_thread(move |cancel| async move {
        let ctx = FlowContext {
            http: &http,
            vault: vault.as_ref(),
            cancel: &cancel,
            observer: &observer,
        };
        run_device_flow(&ctx, &settings, &observer, DEFAULT_DEVICE_TIMEOUT).await
    });
    let outcome = state
        .operations
        .run(operation_id, &Transcript::new(), flow)
        .await?;
    let settled = settle(state, outcome).await;
    let hidden = (user_code.lock().ok())
        .and_then(|c| c.clone())
        .into_iter()
        .collect();
    record(state, operation_id, kept, &settled, hidden);
    settled
}

/// The provider and client of a recorded flow, or of a profile.
async fn target_settings(
    state: &AppState,
    flow: Option<String>,
    profile: Option<String>,
) -> Result<FlowSettings, IpcError> {
    match flow.filter(|f| !f.is_empty()) {
        Some(id) => state
            .flows
            .get(&id)
            .map(|r| r.settings)
            .ok_or_else(unknown_flow),
        None => settings(state, profile, None, None).await,
    }
}

fn unknown_flow() -> IpcError {
    IpcError::new(
        "flow.unknown",
        "that flow is no longer kept (the app keeps the last 16): run it again",
    )
}

/// The keychain when the call needs it: a profile's refresh token, or its stored client secret.
async fn vault_for(
    state: &AppState,
    settings: &FlowSettings,
    refresh_token: bool,
) -> Result<Option<tokenscope::vault::Vault>, IpcError> {
    let stored_secret =
        settings.client_secret.is_none() && settings.client_auth != ClientAuthMethod::None;
    if refresh_token || stored_secret {
        profile_vault(state, settings).await
    } else {
        Ok(None)
    }
}

pub(crate) async fn revoke(
    state: &AppState,
    request: RevokeRequest,
    operation_id: &str,
) -> Result<RevocationResult, FlowFailureReply> {
    let settings = target_settings(state, request.flow, request.profile).await?;
    let token = match request.token {
        TokenKind::AccessToken => Some(request.access_token.ok_or_else(|| {
            IpcError::new("oauth.settings", "no access token to revoke").for_input("access_token")
        })?),
        TokenKind::RefreshToken if settings.profile.is_none() => {
            return Err(IpcError::new(
                "oauth.settings",
                "a one-off flow keeps no refresh token: only a profile's stored one can be revoked",
            )
            .for_input("token")
            .into())
        }
        TokenKind::RefreshToken => None,
    };
    let refresh = token.is_none();
    let vault = vault_for(state, &settings, refresh).await?;
    let hint = TokenHint::from(request.token);
    let http = http(state);
    let call = on_flow_thread(move |cancel| async move {
        let ctx = FlowContext {
            http: &http,
            vault: vault.as_ref(),
            cancel: &cancel,
            observer: &(),
        };
        run_revoke(&ctx, &settings, hint, token.as_ref()).await
    });
    let outcome = state
        .operations
        .run(operation_id, &Transcript::new(), call)
        .await?;
    settle(state, outcome).await
}

pub(crate) async fn introspect(
    state: &AppState,
    request: IntrospectRequest,
    operation_id: &str,
) -> Result<IntrospectionResult, FlowFailureReply> {
    let settings = target_settings(state, request.flow, request.profile).await?;
    let vault = vault_for(state, &settings, false).await?;
    let (token, hint) = (request.token, request.token_type_hint.map(TokenHint::from));
    let http = http(state);
    let call = on_flow_thread(move |cancel| async move {
        let ctx = FlowContext {
            http: &http,
            vault: vault.as_ref(),
            cancel: &cancel,
            observer: &(),
        };
        run_introspect(&ctx, &settings, &token, hint).await
    });
    let outcome = state
        .operations
        .run(operation_id, &Transcript::new(), call)
        .await?;
    settle(state, outcome).await
}

pub(crate) async fn api_call(
    state: &AppState,
    request: ApiCallRequest,
    operation_id: &str,
) -> Result<ApiCallResult, FlowFailureReply> {
    let ApiCallRequest {
        url,
        method,
        body,
        access_token,
    } = request;
    let method = match method.trim() {
        "" => "GET".to_owned(),
        m => m.to_owned(),
    };
    let api = ApiRequest {
        url: url.trim().to_owned(),
        method,
        body: body.filter(|b| !b.is_empty()),
    };
    let http = http(state);
    let call = on_flow_thread(move |cancel| async move {
        let ctx = FlowContext {
            http: &http,
            vault: None,
            cancel: &cancel,
            observer: &(),
        };
        core_call_api(&ctx, &api, &access_token).await
    });
    let outcome = state
        .operations
        .run(operation_id, &Transcript::new(), call)
        .await?;
    settle(state, outcome).await
}

pub(crate) fn export(
    state: &AppState,
    flow: &str,
    format: ExportFormat,
    reveal_tokens: bool,
) -> Result<String, IpcError> {
    let record = state.flows.get(flow).ok_or_else(unknown_flow)?;
    let options = ExportOptions { reveal_tokens };
    let text = match &record.outcome {
        Outcome::Finished(result) => export::export_flow(result, format, &options),
        Outcome::Failed {
            steps,
            code,
            message,
        } => export::export_failure(steps, code, message, format, &options),
    };
    if reveal_tokens {
        return Ok(text);
    }
    Ok(hide_values(text, &record.hidden))
}

/// Replaces each of `values` (and its URL-encoded spelling) in an export by the marker the core
/// uses, `[sha256:<fingerprint>]`. The device flow's user code is one: the core's export keeps
/// it (it is not a credential once the flow is over), but while the flow runs it lets anyone
/// approve it (RFC 8628 §5.1), and a shared report never needs its value.
fn hide_values(mut text: String, values: &[String]) -> String {
    for value in values.iter().filter(|v| !v.is_empty()) {
        let marker = format!(
            "[sha256:{}]",
            tokenscope::vault::fingerprint(&Secret::new(value.as_str()))
        );
        let encoded = form_encode(value);
        if encoded != *value {
            text = text.replace(&encoded, &marker);
        }
        text = text.replace(value.as_str(), &marker);
    }
    text
}

/// `application/x-www-form-urlencoded` spelling of `value` (WHATWG URL §5.2), as a query
/// string carries it.
fn form_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(byte as char);
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use tokenscope::oauth::timeline::{StepName, StepResponse, StepStatus};

    use super::*;
    use crate::commands::test_support::{block_on, state_at};
    use crate::flow_records::FlowRecord;

    fn device_step(user_code: &str, issuer: &str) -> Step {
        Step {
            name: StepName::DeviceAuthorization,
            status: StepStatus::Ok,
            explanation: "asks for a user code".to_owned(),
            spec: "RFC 8628 §3.1".to_owned(),
            request: None,
            response: Some(StepResponse {
                status: Some(200),
                headers: Vec::new(),
                body: Some(json!({
                    "device_code": "[redacted]",
                    "user_code": user_code,
                    "verification_uri": format!("{issuer}/device"),
                    "verification_uri_complete": format!("{issuer}/device?user_code={user_code}"),
                })),
            }),
            exchanges: Vec::new(),
            error: None,
            notes: Vec::new(),
            duration_ms: 3,
        }
    }

    #[test]
    fn an_export_hides_the_device_flows_user_code_unless_tokens_are_revealed() {
        let state = state_at(0);
        let issuer = "http://127.0.0.1:4000";
        let code = "WDJB MJHT";
        state.flows.insert(
            "device-1",
            FlowRecord {
                settings: FlowSettings::for_issuer(issuer, "tokenscope-native"),
                outcome: Outcome::Failed {
                    steps: vec![device_step(code, issuer)],
                    code: "oauth.error_response".to_owned(),
                    message: "access_denied".to_owned(),
                },
                hidden: vec![code.to_owned()],
            },
        );
        let marker = format!(
            "[sha256:{}]",
            tokenscope::vault::fingerprint(&Secret::new(code))
        );
        for format in [ExportFormat::Json, ExportFormat::Markdown] {
            let text = export(&state, "device-1", format, false).unwrap();
            assert!(!text.contains(code), "{text}");
            assert!(!text.contains("WDJB+MJHT"), "{text}");
            assert!(text.contains(&marker), "{text}");
            let shown = export(&state, "device-1", format, true).unwrap();
            assert!(shown.contains("WDJB"), "{shown}");
        }
        assert_eq!(
            export(&state, "gone", ExportFormat::Json, false)
                .unwrap_err()
                .code,
            "flow.unknown"
        );
    }

    #[test]
    fn client_credentials_for_an_issuer_need_the_secret() {
        let state = state_at(0);
        let events: Sink = Arc::new(|_| {});
        let request = ClientCredentialsRequest {
            profile: None,
            issuer: Some("https://issuer.example".to_owned()),
            client_id: Some("confidential".to_owned()),
            client_secret: Some(Secret::new("")),
            auth_method: None,
            scopes: None,
        };
        let error = block_on(client_credentials(&state, request, "cc-1", events)).unwrap_err();
        assert_eq!(error.error.code, "oauth.settings");
        assert_eq!(error.error.input.as_deref(), Some("client_secret"));
    }

    #[test]
    fn revoking_needs_a_kept_flow_and_a_refresh_token_needs_a_profile() {
        let state = state_at(0);
        let request = RevokeRequest {
            flow: Some("never-ran".to_owned()),
            profile: None,
            token: TokenKind::AccessToken,
            access_token: Some(Secret::new("at")),
        };
        let error = block_on(revoke(&state, request, "r-1")).unwrap_err();
        assert_eq!(error.error.code, "flow.unknown");

        state.flows.insert(
            "one-off",
            FlowRecord {
                settings: FlowSettings::for_issuer("https://issuer.example", "c"),
                outcome: Outcome::Failed {
                    steps: Vec::new(),
                    code: "x".to_owned(),
                    message: String::new(),
                },
                hidden: Vec::new(),
            },
        );
        let request = RevokeRequest {
            flow: Some("one-off".to_owned()),
            profile: None,
            token: TokenKind::RefreshToken,
            access_token: None,
        };
        let error = block_on(revoke(&state, request, "r-2")).unwrap_err();
        assert_eq!(error.error.input.as_deref(), Some("token"));
    }

    #[test]
    fn form_encoding_matches_a_query_strings() {
        assert_eq!(form_encode("WDJB-MJHT"), "WDJB-MJHT");
        assert_eq!(form_encode("a b/c"), "a+b%2Fc");
    }
}
