//! The catalog of provider metadata fields: what each means, which spec defines it, its JSON type
//! and the group the UI shows it in.

use serde::Serialize;

/// Where a field is shown: grouped by purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum FieldGroup {
    Endpoints,
    SupportedValues,
    Keys,
    Other,
}

/// The JSON type a field must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum FieldKind {
    /// An absolute URL string.
    Url,
    String,
    StringArray,
    Bool,
    Object,
}

/// One known metadata field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldInfo {
    pub name: &'static str,
    pub group: FieldGroup,
    pub kind: FieldKind,
    /// The defining spec and section, e.g. "OIDC Discovery 1.0 §3".
    pub spec: &'static str,
    pub description: &'static str,
}

/// The field named `name`, if the catalog knows it.
pub fn field_info(name: &str) -> Option<&'static FieldInfo> {
    FIELDS.iter().find(|f| f.name == name)
}

const OIDC: &str = "OIDC Discovery 1.0 §3";
const RFC8414: &str = "RFC 8414 §2";

macro_rules! field {
    ($name:literal, $group:ident, $kind:ident, $spec:expr, $desc:literal) => {
        FieldInfo {
            name: $name,
            group: FieldGroup::$group,
            kind: FieldKind::$kind,
            spec: $spec,
            description: $desc,
        }
    };
}

/// Every field the linter knows, in the order the UI lists them.
pub static FIELDS: &[FieldInfo] = &[
    field!("issuer", Other, Url, OIDC, "The provider's identifier; tokens' \"iss\" must equal it exactly, and the metadata URL is built from it."),
    // Endpoints
    field!("authorization_endpoint", Endpoints, Url, OIDC, "Where the browser is sent to log in and consent (the authorization request)."),
    field!("token_endpoint", Endpoints, Url, OIDC, "Where the client exchanges a code, refresh token or credentials for tokens."),
    field!("userinfo_endpoint", Endpoints, Url, OIDC, "Returns claims about the logged-in user for an access token."),
    field!("registration_endpoint", Endpoints, Url, OIDC, "Dynamic client registration (OIDC Dynamic Registration, RFC 7591)."),
    field!("end_session_endpoint", Endpoints, Url, "OIDC RP-Initiated Logout 1.0 §2.1", "Where the client sends the browser to log out."),
    field!("check_session_iframe", Endpoints, Url, "OIDC Session Management 1.0 §3.3", "An iframe URL the client polls to detect a changed login session."),
    field!("revocation_endpoint", Endpoints, Url, RFC8414, "Revokes an access or refresh token (RFC 7009)."),
    field!("introspection_endpoint", Endpoints, Url, RFC8414, "Tells a resource server whether a token is active and what it grants (RFC 7662)."),
    field!("device_authorization_endpoint", Endpoints, Url, "RFC 8628 §4", "Starts the device authorization grant (input-constrained devices)."),
    field!("pushed_authorization_request_endpoint", Endpoints, Url, "RFC 9126 §5", "Pushed authorization requests: the client POSTs the request first and sends only a reference through the browser."),
    field!("backchannel_authentication_endpoint", Endpoints, Url, "OIDC CIBA Core 1.0 §4", "Client-initiated backchannel authentication (decoupled login)."),
    field!("mtls_endpoint_aliases", Endpoints, Object, "RFC 8705 §5", "Alternative endpoint URLs to use with mutual-TLS client authentication."),
    field!("service_documentation", Other, Url, OIDC, "Human-readable documentation for developers."),
    field!("op_policy_uri", Other, Url, OIDC, "The provider's policy on how clients may use the data it provides."),
    field!("op_tos_uri", Other, Url, OIDC, "The provider's terms of service."),
    // Keys
    field!("jwks_uri", Keys, Url, OIDC, "The JSON Web Key Set with the public keys that verify the provider's signatures (ID tokens, JWT access tokens)."),
    field!("signed_metadata", Keys, String, "RFC 8414 §2.1", "A JWT whose claims restate the metadata, signed by the provider."),
    // Supported values
    field!("scopes_supported", SupportedValues, StringArray, OIDC, "Scopes a client may request; OIDC providers must include \"openid\"."),
    field!("response_types_supported", SupportedValues, StringArray, OIDC, "Authorization response types (\"code\", \"id_token\", …); \"code\" is the one to use."),
    field!("response_modes_supported", SupportedValues, StringArray, OIDC, "How the authorization response is returned: query, fragment, form_post, jwt…"),
    field!("grant_types_supported", SupportedValues, StringArray, OIDC, "Grant types the token endpoint accepts (default authorization_code and implicit)."),
    field!("acr_values_supported", SupportedValues, StringArray, OIDC, "Authentication context classes (assurance levels) the provider can satisfy."),
    field!("subject_types_supported", SupportedValues, StringArray, OIDC, "Subject identifier types: \"public\" (same sub for every client) or \"pairwise\" (per client)."),
    field!("id_token_signing_alg_values_supported", SupportedValues, StringArray, OIDC, "Algorithms the provider can sign ID tokens with; RS256 must be among them."),
    field!("id_token_encryption_alg_values_supported", SupportedValues, StringArray, OIDC, "Key management algorithms for encrypted ID tokens (JWE \"alg\")."),
    field!("id_token_encryption_enc_values_supported", SupportedValues, StringArray, OIDC, "Content encryption algorithms for encrypted ID tokens (JWE \"enc\")."),
    field!("userinfo_signing_alg_values_supported", SupportedValues, StringArray, OIDC, "Algorithms for signed UserInfo responses."),
    field!("userinfo_encryption_alg_values_supported", SupportedValues, StringArray, OIDC, "Key management algorithms for encrypted UserInfo responses."),
    field!("userinfo_encryption_enc_values_supported", SupportedValues, StringArray, OIDC, "Content encryption algorithms for encrypted UserInfo responses."),
    field!("request_object_signing_alg_values_supported", SupportedValues, StringArray, OIDC, "Algorithms accepted for signed request objects (\"none\" means unsigned ones are accepted)."),
    field!("request_object_encryption_alg_values_supported", SupportedValues, StringArray, OIDC, "Key management algorithms accepted for encrypted request objects."),
    field!("request_object_encryption_enc_values_supported", SupportedValues, StringArray, OIDC, "Content encryption algorithms accepted for encrypted request objects."),
    field!("token_endpoint_auth_methods_supported", SupportedValues, StringArray, OIDC, "How clients authenticate at the token endpoint (client_secret_basic, private_key_jwt, none for public clients…)."),
    field!("token_endpoint_auth_signing_alg_values_supported", SupportedValues, StringArray, OIDC, "Algorithms for private_key_jwt and client_secret_jwt assertions."),
    field!("display_values_supported", SupportedValues, StringArray, OIDC, "Values of the \"display\" request parameter (page, popup, touch, wap)."),
    field!("claim_types_supported", SupportedValues, StringArray, OIDC, "Claim types: normal, aggregated, distributed."),
    field!("claims_supported", SupportedValues, StringArray, OIDC, "Claims the provider may be able to supply."),
    field!("claims_locales_supported", SupportedValues, StringArray, OIDC, "Languages for claim values (BCP 47)."),
    field!("ui_locales_supported", SupportedValues, StringArray, OIDC, "Languages of the login pages (BCP 47)."),
    field!("claims_parameter_supported", SupportedValues, Bool, OIDC, "Whether the \"claims\" request parameter is supported."),
    field!("request_parameter_supported", SupportedValues, Bool, OIDC, "Whether request objects by value (\"request\") are supported."),
    field!("request_uri_parameter_supported", SupportedValues, Bool, OIDC, "Whether request objects by reference (\"request_uri\") are supported (default true)."),
    field!("require_request_uri_registration", SupportedValues, Bool, OIDC, "Whether request_uri values must be pre-registered."),
    field!("code_challenge_methods_supported", SupportedValues, StringArray, "RFC 8414 §2 (RFC 7636)", "PKCE methods; S256 is the one to use (RFC 9700 §2.1.1)."),
    field!("revocation_endpoint_auth_methods_supported", SupportedValues, StringArray, RFC8414, "Client authentication methods at the revocation endpoint."),
    field!("revocation_endpoint_auth_signing_alg_values_supported", SupportedValues, StringArray, RFC8414, "Assertion signing algorithms at the revocation endpoint."),
    field!("introspection_endpoint_auth_methods_supported", SupportedValues, StringArray, RFC8414, "Client authentication methods at the introspection endpoint."),
    field!("introspection_endpoint_auth_signing_alg_values_supported", SupportedValues, StringArray, RFC8414, "Assertion signing algorithms at the introspection endpoint."),
    field!("frontchannel_logout_supported", SupportedValues, Bool, "OIDC Front-Channel Logout 1.0 §3", "Whether the provider logs clients out through iframes."),
    field!("frontchannel_logout_session_supported", SupportedValues, Bool, "OIDC Front-Channel Logout 1.0 §3", "Whether front-channel logout passes iss and sid."),
    field!("backchannel_logout_supported", SupportedValues, Bool, "OIDC Back-Channel Logout 1.0 §2.1", "Whether the provider sends logout tokens to clients directly."),
    field!("backchannel_logout_session_supported", SupportedValues, Bool, "OIDC Back-Channel Logout 1.0 §2.1", "Whether logout tokens carry a sid."),
    field!("require_pushed_authorization_requests", SupportedValues, Bool, "RFC 9126 §5", "Whether every authorization request must be pushed (PAR)."),
    field!("require_signed_request_object", SupportedValues, Bool, "RFC 9101 §10.5", "Whether authorization requests must be signed request objects."),
    field!("authorization_response_iss_parameter_supported", SupportedValues, Bool, "RFC 9207 §3", "Whether the authorization response carries \"iss\" (mix-up attack defence)."),
    field!("tls_client_certificate_bound_access_tokens", SupportedValues, Bool, "RFC 8705 §3.3", "Whether access tokens can be bound to the client's TLS certificate."),
    field!("dpop_signing_alg_values_supported", SupportedValues, StringArray, "RFC 9449 §5.1", "Algorithms accepted for DPoP proofs (sender-constrained tokens)."),
    field!("authorization_signing_alg_values_supported", SupportedValues, StringArray, "OAuth JARM §4", "Algorithms for signed (JWT) authorization responses."),
    field!("authorization_encryption_alg_values_supported", SupportedValues, StringArray, "OAuth JARM §4", "Key management algorithms for encrypted authorization responses."),
    field!("authorization_encryption_enc_values_supported", SupportedValues, StringArray, "OAuth JARM §4", "Content encryption algorithms for encrypted authorization responses."),
    field!("backchannel_token_delivery_modes_supported", SupportedValues, StringArray, "OIDC CIBA Core 1.0 §4", "CIBA token delivery modes: poll, ping, push."),
    field!("backchannel_authentication_request_signing_alg_values_supported", SupportedValues, StringArray, "OIDC CIBA Core 1.0 §4", "Algorithms for signed CIBA requests."),
    field!("backchannel_user_code_parameter_supported", SupportedValues, Bool, "OIDC CIBA Core 1.0 §4", "Whether CIBA requests may carry a user code."),
    field!("authorization_details_types_supported", SupportedValues, StringArray, "RFC 9396 §10", "Rich authorization request types."),
    field!("prompt_values_supported", SupportedValues, StringArray, "OIDC Prompt Create 1.0 §4", "Values of the \"prompt\" parameter, including \"create\"."),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_are_unique() {
        for (i, f) in FIELDS.iter().enumerate() {
            assert!(
                FIELDS[i + 1..].iter().all(|g| g.name != f.name),
                "{} twice",
                f.name
            );
        }
    }
}
