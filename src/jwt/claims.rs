//! Plain-language descriptions of registered claims and header parameters.
//!
//! Covers the IANA "JSON Web Token Claims" entries people meet in practice (RFC 7519, OpenID
//! Connect Core, RFC 8693, RFC 9068, RFC 7800, …) and the JOSE header parameters (RFC 7515/7516).

/// What a registered name means and where it is defined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClaimInfo {
    pub description: &'static str,
    pub spec: &'static str,
    /// The value is a NumericDate (seconds since the epoch, RFC 7519 §2).
    pub numeric_date: bool,
}

const fn info(description: &'static str, spec: &'static str) -> ClaimInfo {
    ClaimInfo {
        description,
        spec,
        numeric_date: false,
    }
}

const fn date(description: &'static str, spec: &'static str) -> ClaimInfo {
    ClaimInfo {
        description,
        spec,
        numeric_date: true,
    }
}

/// The payload claim `name`, if registered.
pub fn claim_info(name: &str) -> Option<ClaimInfo> {
    Some(match name {
        // RFC 7519 §4.1: registered claim names.
        "iss" => info("Issuer: who created and signed the token", "RFC 7519 §4.1.1"),
        "sub" => info("Subject: the user or client the token is about, unique within the issuer", "RFC 7519 §4.1.2"),
        "aud" => info("Audience: who the token is meant for; a recipient not listed must reject it", "RFC 7519 §4.1.3"),
        "exp" => date("Expiration time: the token must not be accepted at or after this moment", "RFC 7519 §4.1.4"),
        "nbf" => date("Not before: the token must not be accepted before this moment", "RFC 7519 §4.1.5"),
        "iat" => date("Issued at: when the token was created", "RFC 7519 §4.1.6"),
        "jti" => info("JWT ID: a unique identifier for this token, used to detect replays", "RFC 7519 §4.1.7"),
        // OpenID Connect Core §2: ID token claims.
        "auth_time" => date("Authentication time: when the user last actively logged in", "OpenID Connect Core §2"),
        "nonce" => info("Nonce: the value the client sent in the authorization request, echoed to bind the ID token to that request and stop replays", "OpenID Connect Core §2"),
        "acr" => info("Authentication context class: how strongly the user was authenticated", "OpenID Connect Core §2"),
        "amr" => info("Authentication methods used, e.g. pwd, otp, mfa (values in RFC 8176)", "OpenID Connect Core §2"),
        "azp" => info("Authorized party: the client the ID token was issued to", "OpenID Connect Core §2"),
        "at_hash" => info("Access token hash: left half of the hash of the access token issued with this ID token", "OpenID Connect Core §3.1.3.6"),
        "c_hash" => info("Code hash: left half of the hash of the authorization code issued with this ID token", "OpenID Connect Core §3.3.2.11"),
        "s_hash" => info("State hash: left half of the hash of the state value (FAPI detached signature)", "FAPI 1.0 Advanced §5.1"),
        "sid" => info("Session ID: identifies the user's login session at the provider, for logout", "OpenID Connect Front-Channel Logout §3"),
        "events" => info("Security events carried by a Security Event Token, e.g. a logout event", "RFC 8417 §2.2"),
        "txn" => info("Transaction identifier for audit trails across parties", "RFC 8417 §2.2"),
        // OpenID Connect Core §5.1: standard claims about the user.
        "name" => info("Full name of the user, for display", "OpenID Connect Core §5.1"),
        "given_name" => info("Given (first) name", "OpenID Connect Core §5.1"),
        "family_name" => info("Family (last) name", "OpenID Connect Core §5.1"),
        "middle_name" => info("Middle name", "OpenID Connect Core §5.1"),
        "nickname" => info("Casual name", "OpenID Connect Core §5.1"),
        "preferred_username" => info("Shorthand name the user wants to be called; not unique, not an identifier", "OpenID Connect Core §5.1"),
        "profile" => info("URL of the user's profile page", "OpenID Connect Core §5.1"),
        "picture" => info("URL of the user's profile picture", "OpenID Connect Core §5.1"),
        "website" => info("URL of the user's web page or blog", "OpenID Connect Core §5.1"),
        "email" => info("Preferred e-mail address; not unique, not an identifier", "OpenID Connect Core §5.1"),
        "email_verified" => info("Whether the provider verified the e-mail address", "OpenID Connect Core §5.1"),
        "gender" => info("Gender", "OpenID Connect Core §5.1"),
        "birthdate" => info("Birthday as YYYY-MM-DD (or YYYY)", "OpenID Connect Core §5.1"),
        "zoneinfo" => info("Time zone, e.g. Europe/Paris", "OpenID Connect Core §5.1"),
        "locale" => info("Locale as a BCP 47 language tag, e.g. en-US", "OpenID Connect Core §5.1"),
        "phone_number" => info("Preferred telephone number", "OpenID Connect Core §5.1"),
        "phone_number_verified" => info("Whether the provider verified the phone number", "OpenID Connect Core §5.1"),
        "address" => info("Postal address (a JSON object)", "OpenID Connect Core §5.1"),
        "updated_at" => date("When the user's information was last updated", "OpenID Connect Core §5.1"),
        // OAuth access tokens and token exchange.
        "scope" => info("Scopes granted, space-separated: what the token allows", "RFC 8693 §4.2"),
        "client_id" => info("The OAuth client the token was issued to", "RFC 8693 §4.3"),
        "act" => info("Actor: who is acting on behalf of the subject (delegation)", "RFC 8693 §4.1"),
        "may_act" => info("Who is allowed to act on behalf of the subject", "RFC 8693 §4.4"),
        "groups" => info("Groups the subject belongs to", "RFC 9068 §2.2.3.1"),
        "roles" => info("Roles the subject has", "RFC 9068 §2.2.3.1"),
        "entitlements" => info("Entitlements the subject has", "RFC 9068 §2.2.3.1"),
        "cnf" => info("Confirmation: the key the presenter must prove possession of (proof-of-possession, e.g. DPoP jkt or mTLS x5t#S256)", "RFC 7800 §3.1"),
        "authorization_details" => info("Fine-grained authorization details (rich authorization requests)", "RFC 9396 §2"),
        _ => return None,
    })
}

/// The JOSE header parameter `name`, if registered.
pub fn header_param_info(name: &str) -> Option<ClaimInfo> {
    Some(match name {
        "alg" => info(
            "Algorithm used to sign (JWS) or to encrypt the key (JWE); \"none\" means unsigned",
            "RFC 7515 §4.1.1",
        ),
        "typ" => info(
            "Media type of the whole token, e.g. JWT, at+jwt (access token), dpop+jwt",
            "RFC 7515 §4.1.9",
        ),
        "cty" => info(
            "Content type of the payload; \"JWT\" means the payload is itself a token (nesting)",
            "RFC 7515 §4.1.10",
        ),
        "kid" => info(
            "Key ID: which of the issuer's keys signed the token; selects the key from a JWKS",
            "RFC 7515 §4.1.4",
        ),
        "jku" => info(
            "URL of a JWK Set holding the key; must not be trusted blindly",
            "RFC 7515 §4.1.2",
        ),
        "jwk" => info(
            "The public key itself, embedded; must not be trusted blindly",
            "RFC 7515 §4.1.3",
        ),
        "x5u" => info(
            "URL of the X.509 certificate chain for the key",
            "RFC 7515 §4.1.5",
        ),
        "x5c" => info(
            "X.509 certificate chain for the key, base64 DER, leaf first",
            "RFC 7515 §4.1.6",
        ),
        "x5t" => info(
            "SHA-1 thumbprint of the signing certificate",
            "RFC 7515 §4.1.7",
        ),
        "x5t#S256" => info(
            "SHA-256 thumbprint of the signing certificate",
            "RFC 7515 §4.1.8",
        ),
        "crit" => info(
            "Extensions the recipient must understand, or else reject the token",
            "RFC 7515 §4.1.11",
        ),
        "b64" => info(
            "false means the payload is not base64url-encoded (unencoded payload option)",
            "RFC 7797 §3",
        ),
        "enc" => info(
            "Content encryption algorithm of a JWE, e.g. A256GCM",
            "RFC 7516 §4.1.2",
        ),
        "zip" => info(
            "Compression applied to the plaintext before encryption (DEF)",
            "RFC 7516 §4.1.3",
        ),
        "epk" => info(
            "Ephemeral public key for ECDH key agreement",
            "RFC 7518 §4.6.1.1",
        ),
        "apu" => info(
            "Agreement PartyUInfo for ECDH key derivation",
            "RFC 7518 §4.6.1.2",
        ),
        "apv" => info(
            "Agreement PartyVInfo for ECDH key derivation",
            "RFC 7518 §4.6.1.3",
        ),
        "iv" => info(
            "Initialization vector for AES-GCM key wrapping",
            "RFC 7518 §4.7.1.1",
        ),
        "tag" => info(
            "Authentication tag from AES-GCM key wrapping",
            "RFC 7518 §4.7.1.2",
        ),
        "p2s" => info("PBES2 salt input", "RFC 7518 §4.8.1.1"),
        "p2c" => info("PBES2 iteration count", "RFC 7518 §4.8.1.2"),
        "iss" | "sub" | "aud" => info(
            "Claim copied into the header so it can be read before decryption",
            "RFC 7519 §5.3",
        ),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_date_claims_are_exactly_the_five_time_claims() {
        let dated: Vec<_> = [
            "exp",
            "nbf",
            "iat",
            "auth_time",
            "updated_at",
            "iss",
            "sub",
            "jti",
        ]
        .into_iter()
        .filter(|n| claim_info(n).is_some_and(|i| i.numeric_date))
        .collect();
        assert_eq!(dated, ["exp", "nbf", "iat", "auth_time", "updated_at"]);
    }

    #[test]
    fn unknown_names_have_no_entry() {
        assert_eq!(claim_info("http://example.com/is_root"), None);
        assert_eq!(header_param_info("exp"), None);
    }
}
