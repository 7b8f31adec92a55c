//! The authorization request URL (RFC 6749 §4.1.1, OIDC Core §3.1.2.1, RFC 7636 §4.3), with each
//! parameter explained for the flow's timeline.
//!
//! The URL is built here from one ordered list of [`ExplainedParam`]s rather than through
//! `oauth2::Client::authorize_url`: the list is what the timeline shows, so building the URL from
//! it keeps what is shown and what is sent the same by construction.

use std::collections::BTreeMap;

use oauth2::CsrfToken;
use serde::Serialize;
use url::Url;

use super::pkce::PkceChallenge;
use crate::error::ErrorCode;

/// The scope that asks for a refresh token usable while the user is away (OIDC Core §11).
pub const OFFLINE_ACCESS: &str = "offline_access";

/// Parameters the flow sets itself: neither the endpoint's own query nor extras may carry them.
/// (`prompt` is not one: a profile may set it, and `offline_access` only adds `consent` to it.)
const FLOW_PARAMS: [&str; 8] = [
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
];

/// One query parameter of a request, as the timeline shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ExplainedParam {
    pub name: String,
    /// The value sent, or `[redacted]` when `redacted` (the token request's `code_verifier`,
    /// `code`, client secret).
    pub value: String,
    pub redacted: bool,
    /// What the parameter does, in a sentence.
    pub meaning: String,
    /// Where it is defined: `RFC 6749 §4.1.1`.
    pub spec: String,
}

impl ExplainedParam {
    /// A parameter shown as sent.
    pub fn shown(name: &str, value: &str, meaning: &str, spec: &str) -> Self {
        ExplainedParam {
            name: name.to_owned(),
            value: value.to_owned(),
            redacted: false,
            meaning: meaning.to_owned(),
            spec: spec.to_owned(),
        }
    }

    /// A secret parameter: its value never reaches the timeline.
    pub fn redacted(name: &str, meaning: &str, spec: &str) -> Self {
        ExplainedParam {
            value: "[redacted]".to_owned(),
            redacted: true,
            ..ExplainedParam::shown(name, "", meaning, spec)
        }
    }
}

/// What an authorization request is made of; the secrets come from [`super::pkce::FlowSecrets`].
#[derive(Debug)]
pub struct AuthorizationRequest<'a> {
    pub authorization_endpoint: &'a str,
    pub client_id: &'a str,
    /// The loopback redirect URI with its real port (bind the listener first).
    pub redirect_uri: &'a str,
    pub scopes: &'a [String],
    /// A profile's extra parameters (`prompt`, `acr_values`, `audience`, …).
    pub extra_params: &'a BTreeMap<String, String>,
    pub state: &'a CsrfToken,
    pub nonce: &'a str,
    pub challenge: &'a PkceChallenge,
}

/// The URL to open in the browser and its parameters, explained, in the order they were added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AuthorizationUrl {
    pub url: String,
    pub params: Vec<ExplainedParam>,
}

/// An authorization request that cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthorizeError {
    #[error("the authorization endpoint {endpoint:?} is not an http(s) URL: {problem}")]
    InvalidEndpoint { endpoint: String, problem: String },
    #[error("the parameter {0:?} is set by the flow itself and cannot be given as an extra or in the endpoint's query")]
    ReservedParam(String),
}

impl ErrorCode for AuthorizeError {
    fn code(&self) -> &'static str {
        match self {
            AuthorizeError::InvalidEndpoint { .. } => "oauth.invalid_authorization_endpoint",
            AuthorizeError::ReservedParam(_) => "oauth.reserved_parameter",
        }
    }
}

/// Builds the authorization URL. With `offline_access` among the scopes, `prompt` gets `consent`
/// (OIDC Core §11), unless it is `none`, which cannot be combined with another value.
pub fn authorization_url(
    request: &AuthorizationRequest<'_>,
) -> Result<AuthorizationUrl, AuthorizeError> {
    let mut url = Url::parse(request.authorization_endpoint).map_err(|e| {
        AuthorizeError::InvalidEndpoint {
            endpoint: request.authorization_endpoint.to_owned(),
            problem: e.to_string(),
        }
    })?;
    let invalid = |problem: &str| AuthorizeError::InvalidEndpoint {
        endpoint: request.authorization_endpoint.to_owned(),
        problem: problem.to_owned(),
    };
    if !matches!(url.scheme(), "https" | "http") || url.host().is_none() {
        return Err(invalid("it needs an http(s) scheme and a host"));
    }
    // RFC 6749 §3.1: the endpoint URI MUST NOT include a fragment; its query is kept.
    if url.fragment().is_some() {
        return Err(invalid("it has a fragment (RFC 6749 §3.1)"));
    }
    let endpoint_params: Vec<String> = url.query_pairs().map(|(k, _)| k.into_owned()).collect();
    let reserved = endpoint_params
        .iter()
        .chain(request.extra_params.keys())
        .find(|name| FLOW_PARAMS.contains(&name.as_str()));
    if let Some(name) = reserved {
        return Err(AuthorizeError::ReservedParam(name.clone()));
    }

    let mut params = vec![
        ExplainedParam::shown(
            "response_type",
            "code",
            "Asks for an authorization code, exchanged for tokens at the token endpoint.",
            "RFC 6749 §4.1.1",
        ),
        ExplainedParam::shown(
            "client_id",
            request.client_id,
            "Identifies the registered client.",
            "RFC 6749 §2.2",
        ),
        ExplainedParam::shown(
            "redirect_uri",
            request.redirect_uri,
            "Where the browser brings the response: this machine's loopback listener, on the port it bound.",
            "RFC 8252 §7.3",
        ),
    ];
    if !request.scopes.is_empty() {
        params.push(ExplainedParam::shown(
            "scope",
            &request.scopes.join(" "),
            "The access asked for; `openid` makes this an OpenID Connect request.",
            "RFC 6749 §3.3",
        ));
    }
    params.extend([
        ExplainedParam::shown(
            "state",
            request.state.secret(),
            "A fresh random value the redirect must bring back, so a forged redirect is refused.",
            "RFC 6749 §10.12",
        ),
        ExplainedParam::shown(
            "nonce",
            request.nonce,
            "A fresh random value the ID token must carry, binding it to this request.",
            "OIDC Core §3.1.2.1",
        ),
        ExplainedParam::shown(
            "code_challenge",
            request.challenge.as_str(),
            "The hash of a secret verifier sent only with the token request, so a stolen code is useless.",
            "RFC 7636 §4.3",
        ),
        ExplainedParam::shown(
            "code_challenge_method",
            request.challenge.method(),
            "How the challenge was derived from the verifier.",
            "RFC 7636 §4.3",
        ),
    ]);

    let offline = request.scopes.iter().any(|s| s == OFFLINE_ACCESS);
    for (name, value) in request.extra_params {
        if name == "prompt" && offline {
            params.push(offline_prompt(Some(value)));
        } else {
            params.push(ExplainedParam::shown(
                name,
                value,
                "An extra parameter from the profile.",
                "RFC 6749 §3.1",
            ));
        }
    }
    if offline && !request.extra_params.contains_key("prompt") {
        params.push(offline_prompt(None));
    }

    url.query_pairs_mut()
        .extend_pairs(params.iter().map(|p| (&p.name, &p.value)));
    Ok(AuthorizationUrl {
        url: url.into(),
        params,
    })
}

/// `prompt` when `offline_access` is asked for: OIDC Core §11 requires `consent` in it.
fn offline_prompt(given: Option<&String>) -> ExplainedParam {
    let spec = "OIDC Core §11";
    let Some(given) = given else {
        return ExplainedParam::shown(
            "prompt",
            "consent",
            "Added because offline_access is requested: without a consent prompt the provider ignores it and no refresh token comes back.",
            spec,
        );
    };
    let values: Vec<&str> = given.split(' ').filter(|v| !v.is_empty()).collect();
    if values.contains(&"consent") {
        ExplainedParam::shown(
            "prompt",
            given,
            "From the profile; it already asks for consent, which offline_access needs.",
            spec,
        )
    } else if values.contains(&"none") {
        ExplainedParam::shown(
            "prompt",
            given,
            "From the profile, left as is: `none` cannot be combined with `consent`, so the provider will likely grant no refresh token for offline_access.",
            spec,
        )
    } else {
        let with_consent = format!("{} consent", values.join(" "));
        ExplainedParam::shown(
            "prompt",
            &with_consent,
            "From the profile, with `consent` added because offline_access is requested.",
            spec,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::pkce::PkceVerifier;

    fn build(scopes: &[&str], extras: &[(&str, &str)]) -> Result<AuthorizationUrl, AuthorizeError> {
        build_at("https://idp.example/authorize", scopes, extras)
    }

    fn build_at(
        endpoint: &str,
        scopes: &[&str],
        extras: &[(&str, &str)],
    ) -> Result<AuthorizationUrl, AuthorizeError> {
        let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
        let extras: BTreeMap<String, String> = extras
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let verifier =
            PkceVerifier::from_text("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
        let challenge = verifier.challenge_s256();
        let state = CsrfToken::new("st4te".to_owned());
        authorization_url(&AuthorizationRequest {
            authorization_endpoint: endpoint,
            client_id: "cli ent",
            redirect_uri: "http://127.0.0.1:49152/callback",
            scopes: &scopes,
            extra_params: &extras,
            state: &state,
            nonce: "n0nce",
            challenge: &challenge,
        })
    }

    fn query(url: &str) -> Vec<(String, String)> {
        Url::parse(url)
            .unwrap()
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
        expected
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn url_carries_exactly_the_flow_parameters() {
        let built = build(&["openid", "profile"], &[]).unwrap();
        assert!(built.url.starts_with("https://idp.example/authorize?"));
        assert_eq!(
            query(&built.url),
            pairs(&[
                ("response_type", "code"),
                ("client_id", "cli ent"),
                ("redirect_uri", "http://127.0.0.1:49152/callback"),
                ("scope", "openid profile"),
                ("state", "st4te"),
                ("nonce", "n0nce"),
                (
                    "code_challenge",
                    "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
                ),
                ("code_challenge_method", "S256"),
            ])
        );
        let explained: Vec<(String, String)> = built
            .params
            .iter()
            .map(|p| (p.name.clone(), p.value.clone()))
            .collect();
        assert_eq!(
            explained,
            query(&built.url),
            "the timeline shows what is sent"
        );
        assert!(built
            .params
            .iter()
            .all(|p| !p.meaning.is_empty() && !p.spec.is_empty()));
    }

    #[test]
    fn offline_access_adds_prompt_consent() {
        let built = build(&["openid", "offline_access"], &[]).unwrap();
        let q = query(&built.url);
        assert_eq!(
            q.last().unwrap(),
            &("prompt".to_owned(), "consent".to_owned())
        );
        assert_eq!(q.iter().filter(|(k, _)| k == "prompt").count(), 1);
        assert_eq!(built.params.last().unwrap().spec, "OIDC Core §11");
    }

    #[test]
    fn offline_access_adds_consent_to_a_profile_prompt_but_not_to_none() {
        let q = query(
            &build(&["offline_access"], &[("prompt", "login")])
                .unwrap()
                .url,
        );
        assert!(q.contains(&("prompt".to_owned(), "login consent".to_owned())));
        let q = query(
            &build(&["offline_access"], &[("prompt", "none")])
                .unwrap()
                .url,
        );
        assert!(q.contains(&("prompt".to_owned(), "none".to_owned())));
        let q = query(&build(&["openid"], &[("prompt", "login")]).unwrap().url);
        assert!(q.contains(&("prompt".to_owned(), "login".to_owned())));
    }

    #[test]
    fn no_scopes_means_no_scope_parameter_and_no_prompt() {
        let q = query(&build(&[], &[]).unwrap().url);
        assert!(q.iter().all(|(k, _)| k != "scope" && k != "prompt"));
    }

    #[test]
    fn endpoint_query_is_kept_and_extras_follow_the_flow_parameters() {
        let built = build_at(
            "https://idp.example/authorize?tenant=a",
            &["openid"],
            &[("audience", "api"), ("acr_values", "mfa")],
        )
        .unwrap();
        let q = query(&built.url);
        assert_eq!(q[0], ("tenant".to_owned(), "a".to_owned()));
        assert_eq!(
            q[q.len() - 2..],
            pairs(&[("acr_values", "mfa"), ("audience", "api")])[..]
        );
    }

    #[test]
    fn reserved_parameters_and_bad_endpoints_are_refused() {
        let err = build(&[], &[("state", "mine")]).unwrap_err();
        assert_eq!(err, AuthorizeError::ReservedParam("state".to_owned()));
        assert_eq!(err.code(), "oauth.reserved_parameter");
        let err = build_at("https://idp.example/a?client_id=x", &[], &[]).unwrap_err();
        assert_eq!(err, AuthorizeError::ReservedParam("client_id".to_owned()));
        for bad in [
            "not a url",
            "ftp://idp.example/a",
            "https://idp.example/a#frag",
        ] {
            let err = build_at(bad, &[], &[]).unwrap_err();
            assert_eq!(err.code(), "oauth.invalid_authorization_endpoint", "{bad}");
        }
    }

    #[test]
    fn redacted_params_never_show_their_value() {
        let p = ExplainedParam::redacted("code_verifier", "The PKCE verifier.", "RFC 7636 §4.5");
        assert_eq!(p.value, "[redacted]");
        assert!(p.redacted);
    }
}
