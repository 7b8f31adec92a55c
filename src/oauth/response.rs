//! Reading an authorization response: the RFC 9207 issuer check, and what an `error` usually
//! means, for the line the flow shows beside it.

use serde::Serialize;

use crate::jwt::verify::CheckStatus;

/// The RFC 9207 `iss` check of an authorization response, as a report line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IssuerCheck {
    pub status: CheckStatus,
    pub message: String,
    pub spec: &'static str,
}

const RFC_9207: &str = "RFC 9207 §2.4";

/// Compares the response's `iss` with the issuer the request went to (exact string comparison,
/// RFC 9207 §2.4), and requires it when the metadata has
/// `authorization_response_iss_parameter_supported: true` (§3). A failure means a mix-up: the
/// code must not be sent to this token endpoint.
pub fn check_response_issuer(
    iss: Option<&str>,
    expected_issuer: Option<&str>,
    iss_required: bool,
) -> IssuerCheck {
    let line = |status, message: String| IssuerCheck {
        status,
        message,
        spec: RFC_9207,
    };
    match (iss, expected_issuer) {
        (Some(iss), Some(expected)) if iss == expected => {
            line(CheckStatus::Pass, format!("iss is the expected issuer {expected:?}"))
        }
        (Some(iss), Some(expected)) => line(
            CheckStatus::Fail,
            format!(
                "iss is {iss:?}, not {expected:?}: the response may come from another authorization server (mix-up attack)"
            ),
        ),
        (Some(_), None) => line(
            CheckStatus::Skipped,
            "iss was sent, but this flow has no issuer to compare it with (endpoints given explicitly)".to_owned(),
        ),
        (None, Some(_)) if iss_required => line(
            CheckStatus::Fail,
            "iss is missing, but the metadata says the server always sends it (authorization_response_iss_parameter_supported)".to_owned(),
        ),
        (None, _) => line(
            CheckStatus::Skipped,
            "the server does not send iss in authorization responses".to_owned(),
        ),
    }
}

/// What usually causes an authorization `error` (RFC 6749 §4.1.2.1, OIDC Core §3.1.2.6); `None`
/// for codes outside those lists.
pub fn error_hint(error: &str) -> Option<&'static str> {
    Some(match error {
        "access_denied" => "The user declined, or a provider policy refused this user or client (not assigned to the application, consent withheld).",
        "invalid_request" => "A parameter is missing, repeated or malformed; often one the provider requires for this client (PKCE, a specific prompt or audience).",
        "unauthorized_client" => "This client may not use the authorization code grant: check the grant types in its registration.",
        "unsupported_response_type" => "The provider, or this client's registration, does not allow response_type=code.",
        "invalid_scope" => "A requested scope is unknown to the provider or not allowed for this client (offline_access often has to be enabled for it).",
        "server_error" => "The provider failed while handling the request: try again, and look at its logs.",
        "temporarily_unavailable" => "The provider is overloaded or in maintenance: try again later.",
        "interaction_required" => "prompt=none was asked for, but the user has to interact with the provider.",
        "login_required" => "prompt=none was asked for, but the user is not logged in at the provider.",
        "account_selection_required" => "prompt=none was asked for, but the user has to choose an account.",
        "consent_required" => "prompt=none was asked for, but the user has not consented to this client yet.",
        "invalid_request_uri" | "invalid_request_object" => "The request object (request_uri or request) was refused.",
        "request_not_supported" | "request_uri_not_supported" => "The provider does not support request objects.",
        "registration_not_supported" => "The provider does not support the registration parameter.",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const IDP: &str = "https://idp.example";

    #[test]
    fn matching_iss_passes_and_another_one_fails_as_a_mix_up() {
        assert_eq!(
            check_response_issuer(Some(IDP), Some(IDP), true).status,
            CheckStatus::Pass
        );
        let check = check_response_issuer(Some("https://idp.example/"), Some(IDP), false);
        assert_eq!(
            check.status,
            CheckStatus::Fail,
            "exact comparison, no normalisation"
        );
        assert!(check.message.contains("mix-up"));
        assert_eq!(check.spec, "RFC 9207 §2.4");
    }

    #[test]
    fn missing_iss_fails_only_when_the_metadata_promises_it() {
        assert_eq!(
            check_response_issuer(None, Some(IDP), true).status,
            CheckStatus::Fail
        );
        assert_eq!(
            check_response_issuer(None, Some(IDP), false).status,
            CheckStatus::Skipped
        );
        assert_eq!(
            check_response_issuer(Some(IDP), None, true).status,
            CheckStatus::Skipped
        );
    }

    #[test]
    fn known_errors_have_a_hint_and_unknown_ones_none() {
        assert!(error_hint("access_denied").unwrap().contains("declined"));
        assert!(error_hint("login_required")
            .unwrap()
            .contains("prompt=none"));
        assert_eq!(error_hint("made_up"), None);
    }
}
