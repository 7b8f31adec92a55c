//! A flow's timeline: ordered steps, each with its HTTP exchange as it can be shown (secrets
//! redacted) and what the step is for, with the section of the spec that defines it.
//!
//! Redaction happens here, once, when a step is built from what was sent and received: the
//! client secret, the code, the PKCE verifier and every token are replaced by `[redacted]`
//! before a step exists, so no view, log or export can show them by mistake.

use serde::Serialize;
use serde_json::Value;

use super::authorize::ExplainedParam;
use crate::http::{Exchange, HttpHeader};

/// What replaces a secret value in a step.
pub const REDACTED: &str = "[redacted]";

/// Form parameters and JSON members whose values are secrets wherever they appear.
const SECRET_FIELDS: [&str; 10] = [
    "code",
    "code_verifier",
    "client_secret",
    "client_assertion",
    "access_token",
    "refresh_token",
    "id_token",
    "device_code",
    "token",
    "password",
];

/// True when a form parameter or JSON member named `name` carries a secret.
pub fn is_secret_field(name: &str) -> bool {
    SECRET_FIELDS.contains(&name)
}

crate::vocab::string_enum! {
    /// What a step of a flow does, as timelines and the CLI's `steps[].name` name it.
    pub enum StepName {
        Discovery = "discovery",
        Authorization = "authorization",
        Token = "token",
        Jwks = "jwks",
        Userinfo = "userinfo",
        Refresh = "refresh",
        DeviceAuthorization = "device_authorization",
        DevicePoll = "device_poll",
        Revocation = "revocation",
        Introspection = "introspection",
        ApiCall = "api_call",
    }
}

/// How a step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    /// It did what it is for.
    Ok,
    /// It failed: the server said no, or the exchange could not be completed.
    Failed,
    /// It failed, and the next step is the same request tried another way (the other client
    /// authentication method after `invalid_client`).
    Retried,
}

/// A request as a step shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StepRequest {
    pub method: String,
    pub url: String,
    /// Sensitive headers (`Authorization`, cookies) redacted.
    pub headers: Vec<HttpHeader>,
    /// The form or query parameters, in the order sent, each explained; secrets redacted.
    pub params: Vec<ExplainedParam>,
}

/// A response as a step shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StepResponse {
    /// `None` when no response arrived.
    pub status: Option<u16>,
    pub headers: Vec<HttpHeader>,
    /// The JSON body with secret members redacted, or the text of a non-JSON body (cut at
    /// 4 KiB), or `None` when there was none.
    #[cfg_attr(feature = "ts", ts(type = "unknown"))]
    pub body: Option<Value>,
}

/// One step of a flow.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Step {
    pub name: StepName,
    pub status: StepStatus,
    /// One or two sentences on what the step does and why.
    pub explanation: String,
    /// Where it is defined: `RFC 6749 §4.1.3`.
    pub spec: String,
    pub request: Option<StepRequest>,
    pub response: Option<StepResponse>,
    /// Every HTTP exchange the step made (a redirect hop each, timing included), redacted.
    pub exchanges: Vec<Exchange>,
    /// What went wrong, when `status` is `failed`.
    pub error: Option<String>,
    /// What else is worth knowing (requests the listener refused, the RFC 9207 check, …).
    pub notes: Vec<String>,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub duration_ms: u64,
}

/// A JSON body with every secret member (at any depth) replaced by `[redacted]`.
pub fn redact_json(value: &Value) -> Value {
    match value {
        Value::Object(members) => Value::Object(
            members
                .iter()
                .map(|(k, v)| {
                    let v = if is_secret_field(k) && !v.is_null() {
                        Value::String(REDACTED.to_owned())
                    } else {
                        redact_json(v)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(redact_json).collect()),
        other => other.clone(),
    }
}

/// Largest non-JSON body a step keeps, in bytes.
const MAX_TEXT_BODY: usize = 4096;

/// A response body as a step shows it: JSON redacted, other text cut to 4 KiB.
pub fn body_for_step(body: &[u8]) -> Option<Value> {
    if body.is_empty() {
        return None;
    }
    if let Ok(json) = serde_json::from_slice::<Value>(body) {
        return Some(redact_json(&json));
    }
    let text = String::from_utf8_lossy(body);
    let mut end = text.len().min(MAX_TEXT_BODY);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let mut shown = text[..end].to_owned();
    if end < text.len() {
        shown.push('…');
    }
    Some(Value::String(shown))
}

/// Form parameters (`application/x-www-form-urlencoded`) in the order sent, secrets redacted,
/// each explained from `explain`.
pub fn form_params(
    body: &[u8],
    explain: fn(&str) -> (&'static str, &'static str),
) -> Vec<ExplainedParam> {
    url::form_urlencoded::parse(body)
        .map(|(name, value)| {
            let (meaning, spec) = explain(&name);
            if is_secret_field(&name) {
                ExplainedParam::redacted(&name, meaning, spec)
            } else {
                ExplainedParam::shown(&name, &value, meaning, spec)
            }
        })
        .collect()
}

/// What a token-endpoint parameter does, and where it is defined.
pub fn explain_token_param(name: &str) -> (&'static str, &'static str) {
    match name {
        "grant_type" => ("Which grant is being exchanged for tokens.", "RFC 6749 §4.1.3"),
        "code" => (
            "The authorization code the redirect brought; single use, short-lived.",
            "RFC 6749 §4.1.3",
        ),
        "redirect_uri" => (
            "Must be the redirect URI of the authorization request, so a code stolen from another redirect is useless.",
            "RFC 6749 §4.1.3",
        ),
        "code_verifier" => (
            "The PKCE secret whose hash was sent as code_challenge: proves this client started the flow.",
            "RFC 7636 §4.5",
        ),
        "client_id" => (
            "Identifies a client that does not authenticate with HTTP Basic.",
            "RFC 6749 §3.2.1",
        ),
        "client_secret" => (
            "The client's password, sent in the body (client_secret_post).",
            "RFC 6749 §2.3.1",
        ),
        "refresh_token" => (
            "The refresh token being exchanged for fresh tokens.",
            "RFC 6749 §6",
        ),
        "scope" => (
            "The scopes asked for; on a refresh, at most those originally granted.",
            "RFC 6749 §3.3",
        ),
        _ => ("An extra parameter of this request.", "RFC 6749 §3.2"),
    }
}

/// Headers with sensitive values redacted, names lowercased, as a step shows them.
pub fn headers_for_step<'a>(
    headers: impl IntoIterator<Item = (&'a str, &'a [u8])>,
) -> Vec<HttpHeader> {
    let headers: Vec<HttpHeader> = headers
        .into_iter()
        .map(|(name, value)| HttpHeader {
            name: name.to_ascii_lowercase(),
            value: String::from_utf8_lossy(value).into_owned(),
        })
        .collect();
    crate::http::redact_headers(&headers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn token_responses_lose_every_token_and_keep_the_rest() {
        let body = json!({
            "access_token": "at-secret", "refresh_token": "rt-secret", "id_token": "a.b.c",
            "token_type": "Bearer", "expires_in": 600, "scope": "openid",
            "nested": {"code": "c-secret"}, "none": {"access_token": null}
        });
        let shown = redact_json(&body);
        let text = shown.to_string();
        for secret in ["at-secret", "rt-secret", "a.b.c", "c-secret"] {
            assert!(!text.contains(secret), "{secret} leaked in {text}");
        }
        assert_eq!(shown["token_type"], "Bearer");
        assert_eq!(shown["expires_in"], 600);
        assert_eq!(shown["access_token"], REDACTED);
        assert_eq!(shown["none"]["access_token"], Value::Null);
    }

    #[test]
    fn form_bodies_are_explained_in_order_with_secrets_redacted() {
        let body = b"grant_type=authorization_code&code=abc&redirect_uri=http%3A%2F%2F127.0.0.1%3A5%2Fcallback&code_verifier=vvv&client_secret=sss";
        let params = form_params(body, explain_token_param);
        let names: Vec<&str> = params.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "grant_type",
                "code",
                "redirect_uri",
                "code_verifier",
                "client_secret"
            ]
        );
        assert_eq!(params[2].value, "http://127.0.0.1:5/callback");
        for p in &params[..] {
            assert!(!["abc", "vvv", "sss"].contains(&p.value.as_str()));
        }
        assert!(params[1].redacted && params[3].redacted && params[4].redacted);
    }

    #[test]
    fn text_bodies_are_cut_at_a_character_boundary() {
        let long = "é".repeat(MAX_TEXT_BODY);
        let Some(Value::String(shown)) = body_for_step(long.as_bytes()) else {
            panic!("a text body")
        };
        assert!(shown.len() <= MAX_TEXT_BODY + '…'.len_utf8());
        assert!(shown.ends_with('…'));
        assert_eq!(body_for_step(b""), None);
    }
}
