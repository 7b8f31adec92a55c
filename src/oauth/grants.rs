//! The rest of the OAuth toolbox beside the code flow, on the same timeline: client credentials
//! (RFC 6749 §4.4), the device authorization grant (RFC 8628), revocation (RFC 7009),
//! introspection (RFC 7662) and calling an API with the access token (RFC 6750).
//!
//! Every call that authenticates the client follows one rule ([`super::flow`]'s
//! `send_authenticated`): the profile's method or the caller's, else what the metadata allows, and
//! on `invalid_client` (unless the caller fixed the method) one retry with the other method.

use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::Value;

use super::flow::{
    cancellable, check_tokens, choose_auth_method, client_auth, elapsed_ms, issued,
    resolve_endpoints, send_authenticated, start, store_refresh_token, FlowContext, FlowError,
    FlowFailure, FlowResult, FlowSettings, ProviderEndpoints, Timeline,
};
use super::timeline::{
    body_for_step, headers_for_step, Step, StepName, StepRequest, StepResponse, StepStatus,
};
use super::token::{
    introspect_token, poll_device_token, request_device_code, request_tokens, revoke_token,
    ClientAuth, Endpoint, Grant, TokenHint,
};
use crate::http::{build_request, redact_headers, HttpHeader, Provenance, Transcript};
use crate::jose::timefmt;
use crate::secret::Secret;
use crate::vault::{EntryKey, SecretKind, StoredBy};

/// The device grant's wait unless told otherwise: the codes' own lifetime bounds it too.
pub const DEFAULT_DEVICE_TIMEOUT: Duration = Duration::from_secs(600);

/// What the user must do to approve a device flow (RFC 8628 §3.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DevicePrompt {
    pub user_code: String,
    pub verification_uri: String,
    /// The URI with the code in it, for a QR code.
    pub verification_uri_complete: Option<String>,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub expires_in: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub interval: u64,
}

/// Hears of the device prompt (the CLI prints it, the app shows it with a QR code).
pub trait DeviceObserver: Send + Sync {
    fn device_prompt(&self, prompt: &DevicePrompt);
}

/// The endpoint `pick` chooses, or a clear error naming the metadata field.
fn needed(endpoint: Option<&Endpoint>, field: &str) -> Result<Endpoint, FlowError> {
    endpoint.cloned().ok_or_else(|| {
        FlowError::Settings(format!(
            "no {field}: the provider's metadata has none and the profile gives none"
        ))
    })
}

/// What a grant or token operation starts with: the client (its secret from the call or the
/// keychain), the provider's endpoints (a discovery step when an issuer is set), the endpoint it
/// calls, and the client authentication method chosen from the metadata when nobody chose one.
async fn prepare(
    ctx: &FlowContext<'_>,
    settings: &FlowSettings,
    vault: Option<&crate::vault::Vault>,
    transcript: &Transcript,
    timeline: &mut Timeline<'_>,
    pick: fn(&ProviderEndpoints) -> Option<&Endpoint>,
    field: &str,
) -> Result<(ClientAuth, ProviderEndpoints, Endpoint), FlowError> {
    let mut client = client_auth(settings, vault).await?;
    let provider = resolve_endpoints(ctx, settings, transcript, timeline).await?;
    let endpoint = needed(pick(&provider), field)?;
    choose_auth_method(&mut client, settings, &provider);
    Ok((client, provider, endpoint))
}

/// Client credentials (RFC 6749 §4.4): a token for the client itself. Nothing is stored (there is
/// no refresh token in this grant, §4.4.3).
pub async fn run_client_credentials(
    ctx: &FlowContext<'_>,
    settings: &FlowSettings,
) -> Result<FlowResult, FlowFailure> {
    let (mut timeline, transcript) = start(ctx);
    let mut client = match client_auth(settings, ctx.vault).await {
        Ok(c) if c.secret.is_some() => c,
        Ok(_) => {
            return Err(timeline.fail(FlowError::Settings(
                "client credentials need a confidential client: give its secret on standard input (--client-secret-stdin) or use a profile that has one".to_owned(),
            )))
        }
        Err(e) => return Err(timeline.fail(e)),
    };
    let provider = resolve_endpoints(ctx, settings, &transcript, &mut timeline)
        .await
        .map_err(|e| timeline.fail(e))?;
    choose_auth_method(&mut client, settings, &provider);
    let scopes = settings.scopes.clone();
    let sent = send_authenticated(ctx, settings, &mut timeline, &mut client, async |c| {
        let grant = Grant::ClientCredentials { scopes: &scopes };
        request_tokens(ctx.http, &transcript, &provider.token, c, grant).await
    })
    .await;
    let tokens = sent.map_err(|e| timeline.fail(e))?;
    Ok(FlowResult {
        tokens: issued(&tokens, false),
        id_token_checks: Vec::new(),
        userinfo: None,
        steps: timeline.steps,
        rotated: None,
        rotation: None,
        changes: None,
    })
}

/// The device authorization grant (RFC 8628): the user code shown through `device`, then polling
/// until the user approves or denies, the codes expire or `timeout` passes. The result is shaped
/// like the code flow's; with a profile the refresh token is stored.
pub async fn run_device_flow(
    ctx: &FlowContext<'_>,
    settings: &FlowSettings,
    device: &dyn DeviceObserver,
    timeout: Duration,
) -> Result<FlowResult, FlowFailure> {
    let (mut timeline, transcript) = start(ctx);
    let vault = settings.profile.as_ref().and(ctx.vault);
    let prepared = prepare(
        ctx,
        settings,
        vault,
        &transcript,
        &mut timeline,
        |p| p.device.as_ref(),
        "device_authorization_endpoint",
    )
    .await;
    let (mut client, provider, endpoint) = prepared.map_err(|e| timeline.fail(e))?;
    let scopes = settings.effective_scopes();
    let asked = send_authenticated(ctx, settings, &mut timeline, &mut client, async |c| {
        request_device_code(ctx.http, &transcript, &endpoint, c, &scopes).await
    })
    .await;
    let authorization = asked.map_err(|e| timeline.fail(e))?;
    device.device_prompt(&DevicePrompt {
        user_code: authorization.user_code.clone(),
        verification_uri: authorization.verification_uri.clone(),
        verification_uri_complete: authorization.verification_uri_complete.clone(),
        expires_in: authorization.expires_in,
        interval: authorization.interval,
    });
    let polled = cancellable(
        ctx.cancel,
        poll_device_token(
            ctx.http,
            &transcript,
            &provider.token,
            &client,
            &authorization,
            timeout,
        ),
    )
    .await;
    let (step, tokens) = polled.map_err(|e| timeline.fail(e))?;
    timeline.push(step);
    let tokens = tokens.map_err(|e| timeline.fail(e.into()))?;
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
    let id_token_ok = checks
        .iter()
        .all(|c| c.status != crate::jwt::verify::CheckStatus::Fail);
    let mut stored = false;
    if let (Some(profile), Some(vault), Some(refresh), true) =
        (&settings.profile, vault, &tokens.refresh_token, id_token_ok)
    {
        if let Err(e) =
            store_refresh_token(vault, profile, refresh, &tokens, StoredBy::DeviceCode).await
        {
            return Err(timeline.fail(e));
        }
        stored = true;
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

/// What a revocation did.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RevocationResult {
    /// `access_token` or `refresh_token`.
    pub token_type_hint: String,
    /// The stored refresh token's keychain entry was deleted with it.
    pub keychain_entry_deleted: bool,
    pub steps: Vec<Step>,
}

/// Revokes a token (RFC 7009): `token`, or with `None` the profile's stored refresh token, whose
/// keychain entry is then deleted too.
pub async fn run_revoke(
    ctx: &FlowContext<'_>,
    settings: &FlowSettings,
    hint: TokenHint,
    token: Option<&Secret>,
) -> Result<RevocationResult, FlowFailure> {
    let (mut timeline, transcript) = start(ctx);
    let stored_key = match (token, &settings.profile) {
        (None, Some(profile)) => match EntryKey::new(profile, SecretKind::RefreshToken) {
            Ok(k) => Some(k),
            Err(e) => return Err(timeline.fail(FlowError::Settings(e.to_string()))),
        },
        (None, None) => {
            return Err(timeline.fail(FlowError::Settings(
                "give the token to revoke, or a profile whose refresh token to revoke".to_owned(),
            )))
        }
        (Some(_), _) => None,
    };
    let stored;
    let token = match (token, &stored_key, ctx.vault) {
        (Some(t), _, _) => t,
        (None, Some(key), Some(vault)) => match vault.reveal(key.clone()).await {
            Ok(t) => {
                stored = t;
                &stored
            }
            Err(crate::vault::VaultError::NotFound { .. }) => {
                return Err(timeline.fail(FlowError::NoRefreshToken {
                    profile: key.profile().to_owned(),
                }))
            }
            Err(e) => return Err(timeline.fail(e.into())),
        },
        _ => {
            return Err(timeline.fail(FlowError::Settings(
                "the stored refresh token needs the keychain".to_owned(),
            )))
        }
    };
    let prepared = prepare(
        ctx,
        settings,
        ctx.vault,
        &transcript,
        &mut timeline,
        |p| p.revocation.as_ref(),
        "revocation_endpoint",
    )
    .await;
    let (mut client, _provider, endpoint) = prepared.map_err(|e| timeline.fail(e))?;
    send_authenticated(ctx, settings, &mut timeline, &mut client, async |c| {
        revoke_token(ctx.http, &transcript, &endpoint, c, token, hint).await
    })
    .await
    .map_err(|e| timeline.fail(e))?;
    let mut deleted = false;
    if let (Some(key), Some(vault), TokenHint::RefreshToken) = (stored_key, ctx.vault, hint) {
        match vault.delete(key).await {
            Ok(d) => deleted = d,
            Err(e) => return Err(timeline.fail(e.into())),
        }
    }
    Ok(RevocationResult {
        token_type_hint: hint.as_str().to_owned(),
        keychain_entry_deleted: deleted,
        steps: timeline.steps,
    })
}

/// One member of an introspection response, explained.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ExplainedMember {
    pub name: String,
    #[cfg_attr(feature = "ts", ts(type = "unknown"))]
    pub value: Value,
    pub meaning: String,
    /// For times: the date and how long ago or ahead.
    pub rendered: Option<String>,
}

/// What an introspection found.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct IntrospectionResult {
    pub active: bool,
    /// The response's members, in the server's order, explained.
    pub members: Vec<ExplainedMember>,
    pub steps: Vec<Step>,
}

/// What an RFC 7662 §2.2 member means.
fn introspection_meaning(name: &str) -> &'static str {
    match name {
        "active" => "Whether the token is currently usable: issued by this server, not expired, not revoked. When false, the server need say nothing else (RFC 7662 §2.2).",
        "scope" => "The scopes the token grants, space-separated.",
        "client_id" => "The client the token was issued to.",
        "username" => "A human-readable name of the user who authorized the token.",
        "token_type" => "The kind of token (RFC 6749 §7.1), e.g. Bearer.",
        "exp" => "When the token expires (NumericDate).",
        "iat" => "When the token was issued (NumericDate).",
        "nbf" => "Before this time the token must not be accepted (NumericDate).",
        "sub" => "The subject: usually the user the token acts for.",
        "aud" => "The audience: the resource servers the token is meant for.",
        "iss" => "The issuer of the token.",
        "jti" => "The token's unique identifier.",
        "cnf" => "A confirmation key the token is bound to (RFC 7800, RFC 8705, RFC 9449).",
        _ => "A member this server adds beyond RFC 7662.",
    }
}

/// Introspects `token` (RFC 7662) and explains the answer.
pub async fn run_introspect(
    ctx: &FlowContext<'_>,
    settings: &FlowSettings,
    token: &Secret,
    hint: Option<TokenHint>,
) -> Result<IntrospectionResult, FlowFailure> {
    let (mut timeline, transcript) = start(ctx);
    let prepared = prepare(
        ctx,
        settings,
        ctx.vault,
        &transcript,
        &mut timeline,
        |p| p.introspection.as_ref(),
        "introspection_endpoint",
    )
    .await;
    let (mut client, _provider, endpoint) = prepared.map_err(|e| timeline.fail(e))?;
    let sent = send_authenticated(ctx, settings, &mut timeline, &mut client, async |c| {
        introspect_token(ctx.http, &transcript, &endpoint, c, token, hint).await
    })
    .await;
    let members = sent.map_err(|e| timeline.fail(e))?;
    let now = ctx.http.now_unix();
    let active = members.get("active").and_then(Value::as_bool) == Some(true);
    let members = members
        .into_iter()
        .map(|(name, value)| {
            let rendered = match (name.as_str(), value.as_i64()) {
                ("exp" | "iat" | "nbf", Some(t)) => Some(format!(
                    "{} ({})",
                    timefmt::iso8601(t),
                    timefmt::relative(t, now)
                )),
                _ => None,
            };
            ExplainedMember {
                meaning: introspection_meaning(&name).to_owned(),
                name,
                value,
                rendered,
            }
        })
        .collect();
    Ok(IntrospectionResult {
        active,
        members,
        steps: timeline.steps,
    })
}

/// A request to a protected resource (RFC 6750 §2.1).
#[derive(Debug, Clone)]
pub struct ApiRequest {
    pub url: String,
    pub method: String,
    pub body: Option<String>,
}

/// The parameters of a `WWW-Authenticate: Bearer …` challenge (RFC 6750 §3).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BearerChallenge {
    pub realm: Option<String>,
    /// `invalid_request`, `invalid_token` or `insufficient_scope` (RFC 6750 §3.1).
    pub error: Option<String>,
    pub error_description: Option<String>,
    /// The scope the resource needs.
    pub scope: Option<String>,
}

/// What an API call answered, and what it means.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ApiCallResult {
    pub status: u16,
    pub headers: Vec<HttpHeader>,
    /// JSON as received, or the text (cut at 4 KiB).
    #[cfg_attr(feature = "ts", ts(type = "unknown"))]
    pub body: Option<Value>,
    pub challenge: Option<BearerChallenge>,
    /// What the status means for the token, and what to try next.
    pub explanation: String,
    pub steps: Vec<Step>,
}

/// Longest `WWW-Authenticate` value read; real challenges are a few hundred bytes.
const MAX_CHALLENGE: usize = 4096;

/// Reads the `Bearer` challenge of a `WWW-Authenticate` value: its auth-params (RFC 9110 §11.2:
/// `name=token` or `name="quoted string"`, comma-separated). Hand-written: it is a dozen lines,
/// and the crates for it parse far more of HTTP than this needs.
pub fn parse_bearer_challenge(header: &str) -> Option<BearerChallenge> {
    let header = header
        .get(..MAX_CHALLENGE.min(header.len()))
        .unwrap_or(header);
    let start = header.to_ascii_lowercase().find("bearer")?;
    let mut rest = header[start + "bearer".len()..].trim_start();
    let mut challenge = BearerChallenge::default();
    while let Some(eq) = rest.find('=') {
        let name = rest[..eq]
            .trim()
            .trim_start_matches(',')
            .trim()
            .to_ascii_lowercase();
        if name.contains(' ') {
            // The next scheme's name: this challenge ended.
            break;
        }
        rest = rest[eq + 1..].trim_start();
        let value;
        if let Some(quoted) = rest.strip_prefix('"') {
            let mut text = String::new();
            let mut chars = quoted.char_indices();
            let mut end = quoted.len();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, escaped)) = chars.next() {
                            text.push(escaped);
                        }
                    }
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    c => text.push(c),
                }
            }
            value = text;
            rest = &quoted[end.min(quoted.len())..];
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            value = rest[..end].trim().to_owned();
            rest = &rest[end..];
        }
        match name.as_str() {
            "realm" => challenge.realm = Some(value),
            "error" => challenge.error = Some(value),
            "error_description" => challenge.error_description = Some(value),
            "scope" => challenge.scope = Some(value),
            _ => {}
        }
        rest = rest.trim_start().trim_start_matches(',').trim_start();
    }
    Some(challenge)
}

/// What a status (and challenge) means for the token, and what to try next.
pub fn explain_api_status(status: u16, challenge: Option<&BearerChallenge>) -> String {
    let error = challenge.and_then(|c| c.error.as_deref());
    match (status, error) {
        (200..=299, _) => "The resource accepted the token: it is valid, unexpired and carries what this call needs.".to_owned(),
        (401, Some("invalid_token")) => "401 invalid_token: the resource does not accept this token at all — expired, revoked, signed by another issuer, or meant for another audience. Refresh it (or run the flow again), and check its aud and iss in Inspect (RFC 6750 §3.1).".to_owned(),
        (401, Some("invalid_request")) => "401 invalid_request: the request itself is malformed — the token sent twice, or in an unsupported place. Send it once, in the Authorization header (RFC 6750 §2.1, §3.1).".to_owned(),
        (401, _) => "401 without an error code: the resource wants a token and did not accept this one (or did not see it). Check that it is an access token (not the ID token) and that the API expects Bearer tokens (RFC 6750 §3).".to_owned(),
        (403, Some("insufficient_scope")) => format!(
            "403 insufficient_scope: the token is valid but does not grant this. Ask for {} in the flow's scopes and run it again (RFC 6750 §3.1).",
            challenge.and_then(|c| c.scope.as_deref()).map_or("the scope the API documents".to_owned(), |s| format!("the scope \"{s}\""))
        ),
        (403, _) => "403: the token was accepted, but this user or client is not allowed to do this. That is the API's authorization decision, not a token problem: a new token with the same rights will not help.".to_owned(),
        (400..=499, _) => format!("{status}: the API refused the request for a reason other than the token; see the body."),
        _ => format!("{status}: the API failed; the token may be fine. See the body."),
    }
}

/// Calls `request.url` with `Authorization: Bearer <access_token>` (RFC 6750 §2.1). Never
/// follows a redirect (the token must not travel on). A 4xx/5xx is a result, not an error.
pub async fn call_api(
    ctx: &FlowContext<'_>,
    request: &ApiRequest,
    access_token: &Secret,
) -> Result<ApiCallResult, FlowFailure> {
    let (mut timeline, transcript) = start(ctx);
    let started = Instant::now();
    let mut headers = vec![HttpHeader {
        name: "authorization".to_owned(),
        value: format!("Bearer {}", access_token.expose_secret()),
    }];
    if request.body.is_some() {
        let json = request
            .body
            .as_deref()
            .is_some_and(|b| serde_json::from_str::<Value>(b).is_ok());
        headers.push(HttpHeader {
            name: "content-type".to_owned(),
            value: if json {
                "application/json"
            } else {
                "application/x-www-form-urlencoded"
            }
            .to_owned(),
        });
    }
    let method = request.method.to_ascii_uppercase();
    let shown_request = StepRequest {
        method: method.clone(),
        url: request.url.clone(),
        headers: redact_headers(&headers),
        params: Vec::new(),
    };
    let built = build_request(
        &method,
        &request.url,
        headers,
        request.body.clone().map(String::into_bytes),
        Provenance::Typed,
        ctx.http.policy(),
    );
    let sent = match built {
        Ok(r) => cancellable(ctx.cancel, ctx.http.send(r, &transcript)).await,
        Err(e) => Ok(Err(e)),
    };
    let mut step = Step {
        name: StepName::ApiCall,
        status: StepStatus::Ok,
        explanation: "The client presents the access token to the API as a Bearer credential; the API decides whether it is enough for this request.".to_owned(),
        spec: "RFC 6750 §2.1, §3".to_owned(),
        request: Some(shown_request),
        response: None,
        exchanges: transcript.exchanges(),
        error: None,
        notes: Vec::new(),
        duration_ms: elapsed_ms(started),
    };
    let response = match sent {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => {
            step.status = StepStatus::Failed;
            step.error = Some(e.to_string());
            timeline.push(step);
            return Err(timeline.fail(FlowError::Http(e)));
        }
        Err(e) => return Err(timeline.fail(e)),
    };
    let challenge = response
        .header("www-authenticate")
        .and_then(parse_bearer_challenge);
    let explanation = explain_api_status(response.status, challenge.as_ref());
    let shown_headers =
        headers_for_step((response.headers.iter()).map(|h| (h.name.as_str(), h.value.as_bytes())));
    let body = body_for_step(&response.body);
    step.response = Some(StepResponse {
        status: Some(response.status),
        headers: shown_headers.clone(),
        body: body.clone(),
    });
    if !(200..300).contains(&response.status) {
        step.status = StepStatus::Failed;
        step.error = Some(explanation.clone());
    }
    timeline.push(step);
    Ok(ApiCallResult {
        status: response.status,
        headers: shown_headers,
        body,
        challenge,
        explanation,
        steps: timeline.steps,
    })
}

/// The access token for `call --profile`: a refresh with the stored refresh token, or for a
/// confidential profile without one, client credentials.
pub async fn profile_access_token(
    ctx: &FlowContext<'_>,
    settings: &FlowSettings,
) -> Result<(Secret, Vec<Step>), FlowFailure> {
    let refreshed = super::flow::run_refresh(ctx, settings, None).await;
    match refreshed {
        Ok(result) => Ok((Secret::new(result.tokens.access_token), result.steps)),
        Err(failure)
            if matches!(failure.error, FlowError::NoRefreshToken { .. })
                && settings.client_auth != crate::vault::profiles::ClientAuthMethod::None =>
        {
            let result = run_client_credentials(ctx, settings).await?;
            Ok((Secret::new(result.tokens.access_token), result.steps))
        }
        Err(failure) => Err(failure),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_challenges_are_read_with_quoted_and_bare_values() {
        let c = parse_bearer_challenge(
            r#"Bearer realm="example", error="invalid_token", error_description="The access token expired""#,
        )
        .unwrap();
        assert_eq!(c.realm.as_deref(), Some("example"));
        assert_eq!(c.error.as_deref(), Some("invalid_token"));
        assert_eq!(
            c.error_description.as_deref(),
            Some("The access token expired")
        );
        let c =
            parse_bearer_challenge(r#"Bearer error=insufficient_scope, scope="api:write admin""#)
                .unwrap();
        assert_eq!(c.error.as_deref(), Some("insufficient_scope"));
        assert_eq!(c.scope.as_deref(), Some("api:write admin"));
        let c =
            parse_bearer_challenge(r#"Bearer error_description="say \"hi\", then go""#).unwrap();
        assert_eq!(c.error_description.as_deref(), Some(r#"say "hi", then go"#));
        assert_eq!(parse_bearer_challenge("Basic realm=\"x\""), None);
        assert_eq!(
            parse_bearer_challenge("Bearer"),
            Some(BearerChallenge::default())
        );
    }

    #[test]
    fn statuses_are_explained_by_their_challenge() {
        let invalid = BearerChallenge {
            error: Some("invalid_token".into()),
            ..BearerChallenge::default()
        };
        assert!(explain_api_status(401, Some(&invalid)).contains("expired, revoked"));
        let scope = BearerChallenge {
            error: Some("insufficient_scope".into()),
            scope: Some("api:write".into()),
            ..BearerChallenge::default()
        };
        assert!(explain_api_status(403, Some(&scope)).contains("\"api:write\""));
        assert!(explain_api_status(403, None).contains("not a token problem"));
        assert!(explain_api_status(204, None).contains("accepted"));
    }
}
