//! The metadata and JWKS lints. Each finding cites the spec section it rests on; severities for
//! issuer, required endpoints, JWKS, PKCE and `none` are pinned by the product spec (issue 5).

use std::collections::HashMap;

use serde_json::{Map, Value};
use url::Url;

use super::fields::{field_info, FieldGroup, FieldKind, FIELDS};
use super::{json_type, DiscoveryFinding, JwksOutcome, MetadataKind, MetadataSource};
use crate::http::{is_loopback_url, HttpError};
use crate::jwk::summary::KeySummary;
use crate::jwt::findings::{hidden_in_json, pointer_token, FindingCode, HiddenPlaces};
use crate::jwt::Severity;
use crate::text::reveal;

struct Findings<'a>(&'a mut Vec<DiscoveryFinding>);

impl Findings<'_> {
    fn push(
        &mut self,
        severity: Severity,
        code: FindingCode,
        field: Option<&str>,
        message: String,
    ) {
        self.0.push(DiscoveryFinding {
            severity,
            code,
            field: field.map(str::to_owned),
            message,
        });
    }
    fn error(&mut self, code: FindingCode, field: &str, message: String) {
        self.push(Severity::Error, code, Some(field), message);
    }
    fn warning(&mut self, code: FindingCode, field: &str, message: String) {
        self.push(Severity::Warning, code, Some(field), message);
    }
    fn info(&mut self, code: FindingCode, field: &str, message: String) {
        self.push(Severity::Info, code, Some(field), message);
    }
    fn hidden(&mut self, places: HiddenPlaces) {
        for (field, finding) in places.into_field_findings() {
            self.push(
                finding.severity,
                finding.code,
                field.as_deref(),
                finding.message,
            );
        }
    }
}

fn strings(v: Option<&Value>) -> Vec<&str> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

pub(super) fn metadata_findings(
    metadata: &Value,
    source: &MetadataSource,
    out: &mut Vec<DiscoveryFinding>,
) {
    let mut f = Findings(out);
    let Some(obj) = metadata.as_object() else {
        f.push(
            Severity::Error,
            FindingCode::MetadataNotObject,
            None,
            format!(
                "the metadata is {}, not a JSON object (OIDC Discovery 1.0 §4.2)",
                json_type(metadata)
            ),
        );
        return;
    };
    if source.fetched_from != source.metadata_url {
        f.push(
            Severity::Info,
            FindingCode::MetadataRedirected,
            None,
            format!(
                "{} redirected to {}; clients that do not follow redirects will fail (OIDC Discovery 1.0 §4)",
                source.metadata_url, source.fetched_from
            ),
        );
    }
    issuer(obj, source, &mut f);
    required(obj, source.kind, &mut f);
    types_and_schemes(obj, &mut f);
    supported_values(obj, source.kind, &mut f);
    hidden_characters(obj, &mut f);
}

/// `hidden-characters`: field names and string values (nested ones too) holding characters that
/// hide or reorder text, so an endpoint or issuer may not be what it reads as (CVE-2021-42574).
fn hidden_characters(obj: &Map<String, Value>, f: &mut Findings) {
    let mut places = HiddenPlaces::new("the server");
    for (name, value) in obj {
        let shown = reveal(name);
        places.check_field(Some(name), name, || {
            format!("the metadata field name \"{shown}\"")
        });
        let top = format!("/{}", pointer_token(name));
        let place = |at: &str| {
            if at == top {
                format!("\"{shown}\"")
            } else {
                format!("\"{shown}\" at {at}")
            }
        };
        hidden_in_json(value, &mut top.clone(), Some(name), &place, &mut places);
    }
    f.hidden(places);
}

fn issuer(obj: &Map<String, Value>, source: &MetadataSource, f: &mut Findings) {
    let Some(Value::String(actual)) = obj.get("issuer") else {
        return; // missing or wrong type: reported with the other fields
    };
    // For a direct metadata URL, `analyze` has already chosen `X` or `X/` as the expected issuer.
    let expected = &source.issuer;
    if actual == expected {
        return;
    }
    if actual.contains('{') && actual.contains('}') {
        if template_matches(actual, expected) {
            f.warning(
                FindingCode::IssuerTemplate,
                "issuer",
                format!(
                    "the issuer {actual:?} is a multi-tenant template, not a URL: tokens carry the tenant's own issuer (substitute the tenant id, e.g. from the \"tid\" claim) and must be validated against that, not against {expected:?} (OIDC Discovery 1.0 §4.3)"
                ),
            );
        } else {
            f.error(
                FindingCode::IssuerMismatch,
                "issuer",
                format!(
                    "the issuer {actual:?} is a template that does not match {expected:?}, the issuer this metadata was fetched for (OIDC Discovery 1.0 §4.3)"
                ),
            );
        }
        return;
    }
    let hint = if actual.trim_end_matches('/') == expected.trim_end_matches('/') {
        " They differ only by a trailing slash, which still breaks the exact comparison of tokens' \"iss\"."
    } else {
        ""
    };
    f.error(
        FindingCode::IssuerMismatch,
        "issuer",
        format!(
            "the metadata says issuer {actual:?} but was fetched for {expected:?}: they must be identical, character for character, or clients reject the metadata and its tokens.{hint} (OIDC Discovery 1.0 §4.3, RFC 8414 §3.3)"
        ),
    );
}

/// Whether `expected` fits `template`, each `{…}` standing for one non-empty path segment.
fn template_matches(template: &str, expected: &str) -> bool {
    let mut rest = expected;
    let mut parts = template.split('{');
    let Some(prefix) = parts.next() else {
        return false;
    };
    let Some(r) = rest.strip_prefix(prefix) else {
        return false;
    };
    rest = r;
    for part in parts {
        let Some((_, literal)) = part.split_once('}') else {
            return false;
        };
        // The placeholder runs up to the next literal (or to the end for a trailing placeholder).
        let end = if literal.is_empty() {
            rest.len()
        } else {
            match rest.find(literal) {
                Some(i) => i,
                None => return false,
            }
        };
        let value = &rest[..end];
        if value.is_empty() || value.contains('/') {
            return false;
        }
        rest = &rest[end + literal.len()..];
    }
    rest.is_empty()
}

fn required(obj: &Map<String, Value>, kind: MetadataKind, f: &mut Findings) {
    let response_types = strings(obj.get("response_types_supported"));
    let grant_types = strings(obj.get("grant_types_supported"));
    // The token endpoint is optional only for a provider that offers nothing but implicit.
    let only_implicit = !response_types.is_empty()
        && response_types
            .iter()
            .all(|t| !t.split(' ').any(|w| w == "code"))
        && grant_types.iter().all(|g| *g == "implicit");
    let mut needed: Vec<&str> = vec!["issuer", "authorization_endpoint"];
    if !only_implicit {
        needed.push("token_endpoint");
    }
    needed.push("response_types_supported");
    let spec = match kind {
        MetadataKind::OpenId => {
            needed.extend([
                "jwks_uri",
                "subject_types_supported",
                "id_token_signing_alg_values_supported",
            ]);
            "OIDC Discovery 1.0 §3"
        }
        MetadataKind::OAuth => "RFC 8414 §2",
    };
    for name in needed {
        if obj.get(name).is_none_or(Value::is_null) {
            let what = field_info(name).map(|i| i.description).unwrap_or("");
            f.error(
                FindingCode::MissingRequiredField,
                name,
                format!("\"{name}\" is required but missing. {what} ({spec})"),
            );
        }
    }
}

fn types_and_schemes(obj: &Map<String, Value>, f: &mut Findings) {
    for (name, value) in obj {
        let Some(info) = field_info(name) else {
            f.info(
                FindingCode::UnknownField,
                name,
                format!(
                    "\"{name}\" is not defined by OIDC Discovery, RFC 8414 or the extensions this tool knows: a vendor extension, or a misspelt field"
                ),
            );
            continue;
        };
        if value.is_null() {
            continue;
        }
        let ok = match info.kind {
            FieldKind::Url | FieldKind::String => value.is_string(),
            FieldKind::StringArray => value
                .as_array()
                .is_some_and(|a| a.iter().all(Value::is_string)),
            FieldKind::Bool => value.is_boolean(),
            FieldKind::Object => value.is_object(),
        };
        if !ok {
            let expected = match info.kind {
                FieldKind::Url => "a URL string",
                FieldKind::String => "a string",
                FieldKind::StringArray => "an array of strings",
                FieldKind::Bool => "a boolean",
                FieldKind::Object => "a JSON object",
            };
            f.error(
                FindingCode::WrongType,
                name,
                format!(
                    "\"{name}\" is {}, expected {expected}; strict clients reject the whole document ({})",
                    json_type(value),
                    info.spec
                ),
            );
            continue;
        }
        if info.kind == FieldKind::Url {
            if let Some(text) = value.as_str() {
                url_scheme(name, text, info.group, info.spec, f);
            }
        }
    }
}

fn url_scheme(name: &str, text: &str, group: FieldGroup, spec: &str, f: &mut Findings) {
    let url = match Url::parse(text) {
        Ok(u) if u.has_host() => u,
        _ => {
            f.error(
                FindingCode::InvalidUrl,
                name,
                format!("\"{name}\" is {text:?}, not an absolute URL ({spec})"),
            );
            return;
        }
    };
    // Documentation links are not part of the protocol; only endpoints, keys and the issuer.
    let protocol = name == "issuer" || matches!(group, FieldGroup::Endpoints | FieldGroup::Keys);
    if !protocol || url.scheme() == "https" {
        return;
    }
    if is_loopback_url(&url) && url.scheme() == "http" {
        f.info(
            FindingCode::LoopbackHttp,
            name,
            format!(
                "\"{name}\" uses plain http on a loopback host ({text}): fine for local testing, never for a deployed provider (OIDC Discovery 1.0 §3, RFC 8252 §8.3)"
            ),
        );
    } else {
        f.error(
            FindingCode::InsecureEndpoint,
            name,
            format!(
                "\"{name}\" is {text}: it must use https, or codes, tokens and keys travel unprotected (OIDC Discovery 1.0 §3, RFC 8414 §2)"
            ),
        );
    }
}

fn supported_values(obj: &Map<String, Value>, kind: MetadataKind, f: &mut Findings) {
    // PKCE: RFC 7636, advertised per RFC 8414 §2; S256 per RFC 9700 §2.1.1.
    match obj.get("code_challenge_methods_supported") {
        None | Some(Value::Null) => f.warning(
            FindingCode::PkceNotAdvertised,
            "code_challenge_methods_supported",
            "\"code_challenge_methods_supported\" is absent, so clients cannot tell whether PKCE is supported (some providers, e.g. Microsoft Entra, support S256 without saying so); use S256 anyway (RFC 8414 §2, RFC 9700 §2.1.1)".to_owned(),
        ),
        Some(v) => {
            let methods = strings(Some(v));
            if v.is_array() && !methods.contains(&"S256") {
                f.warning(
                    FindingCode::PkceWithoutS256,
                    "code_challenge_methods_supported",
                    format!("PKCE methods {methods:?} do not include S256, the only method that protects the code if the authorization request leaks (RFC 7636 §4.2, RFC 9700 §2.1.1)"),
                );
            }
            if methods.contains(&"plain") {
                f.info(
                    FindingCode::PkcePlainOffered,
                    "code_challenge_methods_supported",
                    "the \"plain\" PKCE method is offered: clients should use S256 (RFC 7636 §7.2, RFC 9700 §2.1.1)".to_owned(),
                );
            }
        }
    }
    for info in FIELDS
        .iter()
        .filter(|i| i.name.ends_with("_alg_values_supported"))
    {
        if !strings(obj.get(info.name)).contains(&"none") {
            continue;
        }
        if info.name == "id_token_signing_alg_values_supported" {
            f.warning(
                FindingCode::IdTokenAlgNone,
                info.name,
                "unsigned ID tokens (\"none\") are offered: they may only be used when the ID token comes from the token endpoint, and a client that accepts them elsewhere can be given forged identities (OIDC Core 1.0 §3.1.3.7, OIDC Discovery 1.0 §3, RFC 8725 §3.2)".to_owned(),
            );
        } else {
            f.info(
                FindingCode::AlgNoneListed,
                info.name,
                format!("\"{}\" lists \"none\" (unsigned); legitimate for some uses, but make sure your client never accepts it where a signature is expected ({})", info.name, info.spec),
            );
        }
    }
    if kind == MetadataKind::OpenId {
        if let Some(algs) = obj
            .get("id_token_signing_alg_values_supported")
            .and_then(Value::as_array)
        {
            if !algs.iter().any(|a| a == "RS256") {
                f.warning(
                    FindingCode::IdTokenNoRs256,
                    "id_token_signing_alg_values_supported",
                    "RS256 is not among the ID token signing algorithms, though OIDC requires it; clients that only implement RS256 cannot log in (OIDC Discovery 1.0 §3)".to_owned(),
                );
            }
        }
        if let Some(Value::Array(_)) = obj.get("scopes_supported") {
            if !strings(obj.get("scopes_supported")).contains(&"openid") {
                f.warning(
                    FindingCode::ScopesWithoutOpenid,
                    "scopes_supported",
                    "\"scopes_supported\" does not include \"openid\", which an OpenID Provider must list (OIDC Discovery 1.0 §3)".to_owned(),
                );
            }
        }
    }
    let grants = strings(obj.get("grant_types_supported"));
    if grants.contains(&"implicit") {
        f.warning(
            FindingCode::ImplicitGrant,
            "grant_types_supported",
            "the implicit grant is advertised: access tokens in the browser's URL leak through history, referrers and logs; use the authorization code grant with PKCE (RFC 9700 §2.1.2)".to_owned(),
        );
    }
    let token_in_front: Vec<&str> = strings(obj.get("response_types_supported"))
        .into_iter()
        .filter(|t| t.split(' ').any(|w| w == "token"))
        .collect();
    if !token_in_front.is_empty() {
        f.warning(
            FindingCode::ImplicitGrant,
            "response_types_supported",
            format!("response types {token_in_front:?} return access tokens from the authorization endpoint (implicit); RFC 9700 §2.1.2 says not to use them"),
        );
    }
    if grants.contains(&"password") {
        f.warning(
            FindingCode::PasswordGrant,
            "grant_types_supported",
            "the resource owner password credentials grant is advertised: it exposes the user's password to the client and cannot do MFA; it must not be used (RFC 9700 §2.4)".to_owned(),
        );
    }
}

/// The JWKS findings; returns the JWKS to report (when it has a `keys` array) and key summaries.
pub(super) fn jwks_findings(
    metadata: &Value,
    outcome: &JwksOutcome,
    now: i64,
    out: &mut Vec<DiscoveryFinding>,
) -> (Option<Value>, Vec<KeySummary>) {
    let mut f = Findings(out);
    let uri = metadata
        .get("jwks_uri")
        .and_then(Value::as_str)
        .unwrap_or("jwks_uri");
    let jwks = match outcome {
        JwksOutcome::NotAdvertised => return (None, Vec::new()),
        JwksOutcome::Failed(e @ HttpError::NotJson { .. }) => {
            // It answered, with something that is not JSON: a wrong URL, not a network problem.
            f.error(
                FindingCode::JwksInvalid,
                "jwks_uri",
                format!("jwks_uri does not serve a JWK Set (RFC 7517 §5), so no token from this provider can be verified (OIDC Discovery 1.0 §3): {e}"),
            );
            return (None, Vec::new());
        }
        JwksOutcome::Failed(e) => {
            f.error(
                FindingCode::JwksUnreachable,
                "jwks_uri",
                format!("the JWKS could not be fetched: {e}. Without it no token from this provider can be verified (OIDC Discovery 1.0 §3)"),
            );
            return (None, Vec::new());
        }
        JwksOutcome::Fetched(v) => v,
    };
    let Some(keys) = jwks.get("keys").and_then(Value::as_array) else {
        f.error(
            FindingCode::JwksInvalid,
            "jwks_uri",
            format!(
                "{uri} returned {}, not a JWK Set (an object with a \"keys\" array, RFC 7517 §5)",
                json_type(jwks)
            ),
        );
        return (None, Vec::new());
    };
    if keys.is_empty() {
        f.warning(
            FindingCode::JwksEmpty,
            "jwks_uri",
            format!("the JWK Set at {uri} has no keys: no signature from this provider can be verified (RFC 7517 §5)"),
        );
    }
    let mut summaries = Vec::with_capacity(keys.len());
    let mut kids: HashMap<&str, usize> = HashMap::new();
    for (i, key) in keys.iter().enumerate() {
        let summary = KeySummary::from_jwk(key, now);
        let label = match &summary.kid {
            Some(kid) => format!("key {i} (kid {kid:?})"),
            None => format!("key {i} (no kid)"),
        };
        if !key.is_object() {
            f.error(
                FindingCode::JwksInvalid,
                "jwks_uri",
                format!(
                    "{label} is {}, not a JWK object (RFC 7517 §5)",
                    json_type(key)
                ),
            );
            summaries.push(summary);
            continue;
        }
        if let Some(kid) = key.get("kid").and_then(Value::as_str) {
            *kids.entry(kid).or_default() += 1;
        }
        key_findings(key, &summary, &label, &mut f);
        summaries.push(summary);
    }
    // kids and every other string of the keys: a kid that reads as another key's is a trap.
    let mut places = HiddenPlaces::new("the server");
    let place = |at: &str| format!("the JWK Set at {at}");
    hidden_in_json(
        jwks,
        &mut String::new(),
        Some("jwks_uri"),
        &place,
        &mut places,
    );
    f.hidden(places);
    let mut dups: Vec<(&str, usize)> = kids.into_iter().filter(|(_, n)| *n > 1).collect();
    dups.sort();
    for (kid, n) in dups {
        f.warning(
            FindingCode::DuplicateKid,
            "jwks_uri",
            format!("{n} keys share the kid {kid:?}: verifiers that select a key by kid may pick the wrong one (RFC 7517 §4.5)"),
        );
    }
    (Some(jwks.clone()), summaries)
}

fn key_findings(key: &Value, s: &KeySummary, label: &str, f: &mut Findings) {
    for problem in &s.problems {
        if problem.contains("x5c") {
            f.warning(
                FindingCode::CertificateInvalid,
                "jwks_uri",
                format!("{label}: {problem}"),
            );
        } else {
            f.warning(
                FindingCode::InvalidKey,
                "jwks_uri",
                format!("{label}: {problem}; verifiers will skip it"),
            );
        }
    }
    let kty = s.kty.as_deref().unwrap_or("");
    if kty == "oct" {
        f.error(
            FindingCode::SymmetricKeyInJwks,
            "jwks_uri",
            format!("{label} is a symmetric (oct) key: publishing it gives everyone the secret that signs or encrypts with it (RFC 7517 §9.1)"),
        );
    }
    let private: Vec<&str> = ["d", "p", "q", "dp", "dq", "qi", "oth"]
        .into_iter()
        .filter(|m| key.get(*m).is_some())
        .collect();
    if !private.is_empty() {
        f.error(
            FindingCode::PrivateKeyInJwks,
            "jwks_uri",
            format!("{label} contains private key members {private:?}: the provider's private key is public; rotate it now (RFC 7517 §9.2, RFC 7518 §6.3.2)"),
        );
    }
    if kty == "RSA" {
        if let Some(bits) = s.size_bits.filter(|&b| b < 2048) {
            f.error(
                FindingCode::WeakRsaKey,
                "jwks_uri",
                format!("{label} is a {bits}-bit RSA key; RSA keys must be at least 2048 bits (RFC 7518 §3.3, §4.2)"),
            );
        }
    }
    if s.key_use.is_none() && s.alg.is_none() {
        f.warning(
            FindingCode::KeyWithoutUseOrAlg,
            "jwks_uri",
            format!("{label} has neither \"use\" nor \"alg\": nothing stops it being used for a purpose or algorithm it was not meant for (RFC 7517 §4.2, §4.4)"),
        );
    }
    if let Some(alg) = &s.alg {
        if let Some(expected) = alg_key_requirement(alg) {
            let crv = s.curve.as_deref();
            let fits = expected.kty == kty
                && expected
                    .curves
                    .is_none_or(|c| crv.is_some_and(|crv| c.contains(&crv)));
            if !fits {
                let have = match crv {
                    Some(c) => format!("{kty} {c}"),
                    None => kty.to_owned(),
                };
                let want = match expected.curves {
                    Some(c) => format!("{} with crv {}", expected.kty, c.join(" or ")),
                    None => expected.kty.to_owned(),
                };
                f.error(
                    FindingCode::AlgKtyMismatch,
                    "jwks_uri",
                    format!("{label} says alg {alg} but is a {have} key; {alg} needs {want} (RFC 7518 §3.1, RFC 8037 §3.1)"),
                );
            }
        }
    }
    if let Some(cert) = &s.certificate {
        if cert.expired {
            f.warning(
                FindingCode::CertificateExpired,
                "jwks_uri",
                format!("{label}: its x5c certificate ({}) expired on {}; verifiers that check the chain will reject it (RFC 7517 §4.7, RFC 5280 §4.1.2.5)", cert.subject, cert.not_after),
            );
        } else if cert.not_yet_valid {
            f.warning(
                FindingCode::CertificateNotYetValid,
                "jwks_uri",
                format!(
                    "{label}: its x5c certificate ({}) is not valid before {} (RFC 5280 §4.1.2.5)",
                    cert.subject, cert.not_before
                ),
            );
        }
        if cert.matches_key == Some(false) {
            f.error(
                FindingCode::CertificateKeyMismatch,
                "jwks_uri",
                format!("{label}: the public key in its x5c certificate ({}) is not the key the JWK describes; the key in the first certificate must match (RFC 7517 §4.7)", cert.subject),
            );
        }
    }
}

struct KeyRequirement {
    kty: &'static str,
    curves: Option<&'static [&'static str]>,
}

/// The key type (and curves) an `alg` needs (RFC 7518 §3.1 and §4.1, RFC 8037 §3.1).
fn alg_key_requirement(alg: &str) -> Option<KeyRequirement> {
    let (kty, curves): (&str, Option<&'static [&'static str]>) = match alg {
        "RS256" | "RS384" | "RS512" | "PS256" | "PS384" | "PS512" | "RSA1_5" | "RSA-OAEP"
        | "RSA-OAEP-256" | "RSA-OAEP-384" | "RSA-OAEP-512" => ("RSA", None),
        "ES256" => ("EC", Some(&["P-256"])),
        "ES384" => ("EC", Some(&["P-384"])),
        "ES512" => ("EC", Some(&["P-521"])),
        "ES256K" => ("EC", Some(&["secp256k1"])),
        "EdDSA" => ("OKP", Some(&["Ed25519", "Ed448"])),
        "Ed25519" => ("OKP", Some(&["Ed25519"])),
        "Ed448" => ("OKP", Some(&["Ed448"])),
        "HS256" | "HS384" | "HS512" | "A128KW" | "A192KW" | "A256KW" | "dir" | "A128GCMKW"
        | "A192GCMKW" | "A256GCMKW" => ("oct", None),
        _ => return None,
    };
    Some(KeyRequirement { kty, curves })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_templates_match_one_segment() {
        let t = "https://login.microsoftonline.com/{tenantid}/v2.0";
        assert!(template_matches(
            t,
            "https://login.microsoftonline.com/common/v2.0"
        ));
        assert!(!template_matches(
            t,
            "https://login.microsoftonline.com/v2.0"
        ));
        assert!(!template_matches(t, "https://evil.example/common/v2.0"));
    }
}
