//! OpenID Provider / OAuth authorization server metadata: fetch it, explain each field, and lint
//! the metadata and its JWKS.
//!
//! [`discover`] fetches (through the shared [`HttpClient`], recording into the caller's
//! [`Transcript`]); [`analyze`] is the pure part that turns a metadata document, where it came
//! from and the JWKS outcome into a [`DiscoveryReport`].
//! A JWKS that cannot be fetched is a finding, not an error: the user came to see it.

pub mod fields;
mod lint;

use serde::Serialize;
use serde_json::Value;
use url::Url;

use crate::error::ErrorCode;
use crate::http::{
    Exchange, FetchOptions, HttpClient, HttpError, Provenance, Transcript, UrlOrigin,
};
use crate::jwk::summary::KeySummary;
use crate::jwt::{diff_json, Change, Compare, FindingCode, Severity};

pub use fields::{field_info, FieldGroup, FieldInfo, FieldKind, FIELDS};

const OIDC_SUFFIX: &str = "/.well-known/openid-configuration";
const OAUTH_SUFFIX: &str = "/.well-known/oauth-authorization-server";

/// Which metadata document to fetch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum MetadataKind {
    /// OpenID Connect Discovery 1.0: `ISSUER/.well-known/openid-configuration`.
    #[default]
    OpenId,
    /// RFC 8414: `/.well-known/oauth-authorization-server` inserted before the issuer's path.
    OAuth,
}

/// One lint result about the metadata or its keys, with a stable kebab-case `code`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DiscoveryFinding {
    pub severity: Severity,
    pub code: FindingCode,
    /// The metadata field concerned (`jwks_uri` for key findings), if any.
    pub field: Option<String>,
    /// Plain language, ending with the spec section.
    pub message: String,
}

/// One metadata field with its explanation from the catalog.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ExplainedField {
    pub name: String,
    #[cfg_attr(feature = "ts", ts(type = "unknown"))]
    pub value: Value,
    pub group: FieldGroup,
    /// None for fields the catalog does not know (vendor extensions).
    pub description: Option<String>,
    pub spec: Option<String>,
}

/// Where the metadata came from and what issuer it must carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MetadataSource {
    pub kind: MetadataKind,
    /// The issuer the user asked about, exactly as typed (trimmed); for a direct metadata URL
    /// built from `X`, whichever of `X` and `X/` the metadata names (else `X`).
    pub issuer: String,
    /// The metadata URL requested.
    pub metadata_url: String,
    /// The URL that answered (differs from `metadata_url` after redirects).
    pub fetched_from: String,
    /// True when the user gave the metadata URL itself: then either `X` or `X/` may be the issuer,
    /// since both build that URL (OIDC Discovery §4).
    pub direct: bool,
}

/// What happened when fetching `jwks_uri`.
#[derive(Debug, Clone, PartialEq)]
pub enum JwksOutcome {
    /// No usable `jwks_uri` in the metadata.
    NotAdvertised,
    Fetched(Value),
    Failed(HttpError),
}

/// Everything discovery found: the contract's `issuer`, `metadata`, `jwks`, `findings`, plus
/// explained fields, key summaries and the HTTP transcript.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DiscoveryReport {
    /// The issuer the metadata must carry: the one asked about, or for a direct metadata URL
    /// whichever of `X` and `X/` the metadata names (both build that URL).
    pub issuer: String,
    pub fetched_from: String,
    pub source: MetadataSource,
    /// The document as fetched.
    #[cfg_attr(feature = "ts", ts(type = "unknown"))]
    pub metadata: Value,
    /// The JWKS as fetched, when it is an object with a `keys` array.
    #[cfg_attr(feature = "ts", ts(type = "unknown"))]
    pub jwks: Option<Value>,
    pub findings: Vec<DiscoveryFinding>,
    pub fields: Vec<ExplainedField>,
    pub keys: Vec<KeySummary>,
    pub exchanges: Vec<Exchange>,
}

impl DiscoveryReport {
    /// True when some finding is an error: the metadata or keys are not sound.
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }
}

/// Discovery could not even get a metadata document to lint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiscoveryError {
    #[error("{input:?} is not an issuer URL: {reason}")]
    InvalidIssuer { input: String, reason: String },
    #[error(transparent)]
    Http(#[from] HttpError),
    #[error("{url} returned JSON that is not an object ({found}), expected provider metadata (OIDC Discovery 1.0 §4.2)")]
    NotAnObject { url: String, found: String },
}

impl ErrorCode for DiscoveryError {
    fn code(&self) -> &'static str {
        match self {
            DiscoveryError::InvalidIssuer { .. } => "discovery.invalid_issuer",
            DiscoveryError::Http(e) => e.code(),
            DiscoveryError::NotAnObject { .. } => "discovery.not_an_object",
        }
    }
}

fn parse_issuer(input: &str) -> Result<Url, DiscoveryError> {
    let url = Url::parse(input).map_err(|e| DiscoveryError::InvalidIssuer {
        input: input.to_owned(),
        reason: e.to_string(),
    })?;
    if !matches!(url.scheme(), "https" | "http") || url.host().is_none() {
        return Err(DiscoveryError::InvalidIssuer {
            input: input.to_owned(),
            reason: "expected an https URL such as https://accounts.google.com".to_owned(),
        });
    }
    if url.query().is_some() || url.fragment().is_some() {
        // OIDC Discovery §2 / RFC 8414 §2: the issuer has no query or fragment.
        return Err(DiscoveryError::InvalidIssuer {
            input: input.to_owned(),
            reason: "an issuer has no query or fragment (OIDC Discovery 1.0 §2)".to_owned(),
        });
    }
    Ok(url)
}

/// The OIDC metadata URL for `issuer`: one trailing `/` removed, then
/// `/.well-known/openid-configuration` appended (OIDC Discovery 1.0 §4).
pub fn well_known_url(issuer: &str) -> Result<String, DiscoveryError> {
    let issuer = issuer.trim();
    parse_issuer(issuer)?;
    let base = issuer.strip_suffix('/').unwrap_or(issuer);
    Ok(format!("{base}{OIDC_SUFFIX}"))
}

/// The RFC 8414 metadata URL for `issuer`: the well-known segment goes between the host and the
/// issuer's path, and a terminating `/` of the path is removed (RFC 8414 §3.1).
pub fn oauth_well_known_url(issuer: &str) -> Result<String, DiscoveryError> {
    let url = parse_issuer(issuer.trim())?;
    let path = url.path();
    let path = path.strip_suffix('/').unwrap_or(path);
    Ok(format!(
        "{}{OAUTH_SUFFIX}{path}",
        url.origin().ascii_serialization()
    ))
}

/// Resolves what the user typed (an issuer, or a metadata URL) into a [`MetadataSource`]
/// without fetching.
pub fn metadata_source(input: &str, kind: MetadataKind) -> Result<MetadataSource, DiscoveryError> {
    let input = input.trim();
    let url = parse_issuer(input)?;
    let path = url.path();
    let origin = url.origin().ascii_serialization();
    let direct = |issuer: String, kind| MetadataSource {
        kind,
        issuer,
        metadata_url: input.to_owned(),
        fetched_from: input.to_owned(),
        direct: true,
    };
    if let Some(issuer) = input.strip_suffix(OIDC_SUFFIX) {
        return Ok(direct(issuer.to_owned(), MetadataKind::OpenId));
    }
    if let Some(rest) = path.strip_prefix(OAUTH_SUFFIX) {
        return Ok(direct(format!("{origin}{rest}"), MetadataKind::OAuth));
    }
    if let Some(issuer) = input.strip_suffix(OAUTH_SUFFIX) {
        // Not RFC 8414's layout, but what many servers with a path serve.
        return Ok(direct(issuer.to_owned(), MetadataKind::OAuth));
    }
    let metadata_url = match kind {
        MetadataKind::OpenId => well_known_url(input)?,
        MetadataKind::OAuth => oauth_well_known_url(input)?,
    };
    Ok(MetadataSource {
        kind,
        issuer: input.to_owned(),
        fetched_from: metadata_url.clone(),
        metadata_url,
        direct: false,
    })
}

/// What [`discover`] fetches and how.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiscoverOptions {
    pub kind: MetadataKind,
    /// Ignore cached copies (the app's "refresh").
    pub bypass_cache: bool,
}

/// Fetches the metadata for `input` (an issuer or a metadata URL), then its `jwks_uri`, and
/// analyzes both. Every exchange is recorded in `transcript`; the report's `exchanges` are those
/// this call recorded. `Err` only when no metadata object could be obtained (the exchanges that
/// led there are in `transcript`).
pub async fn discover(
    client: &HttpClient,
    input: &str,
    options: &DiscoverOptions,
    transcript: &Transcript,
) -> Result<DiscoveryReport, DiscoveryError> {
    let mut source = metadata_source(input, options.kind)?;
    let first_exchange = transcript.len();
    let fetch = FetchOptions {
        accept: Some("application/json".to_owned()),
        bypass_cache: options.bypass_cache,
        provenance: Provenance::Typed,
    };
    let response = client.get(&source.metadata_url, &fetch, transcript).await?;
    source.fetched_from = response.url.clone();
    let metadata = crate::http::process_json_response(&response)?;
    if !metadata.is_object() {
        return Err(DiscoveryError::NotAnObject {
            url: response.url,
            found: json_type(&metadata).to_owned(),
        });
    }
    let jwks = match metadata.get("jwks_uri").and_then(Value::as_str) {
        Some(uri) => {
            // The jwks_uri came from the server: it may reach only what the typed issuer allows.
            let fetch = FetchOptions {
                accept: Some("application/jwk-set+json, application/json".to_owned()),
                bypass_cache: options.bypass_cache,
                provenance: response.derive(UrlOrigin::JwksUri {
                    of: source.issuer.clone(),
                }),
            };
            match client.get_json(uri, &fetch, transcript).await {
                Ok(v) => JwksOutcome::Fetched(v),
                Err(e) => JwksOutcome::Failed(e),
            }
        }
        None => JwksOutcome::NotAdvertised,
    };
    let mut report = analyze(&metadata, &source, &jwks, client.now_unix());
    report.exchanges = transcript.exchanges_since(first_exchange);
    Ok(report)
}

/// The pure half of discovery: lints `metadata` fetched from `source` and the JWKS outcome, and
/// explains every field. `now` (Unix seconds) decides certificate expiry.
pub fn analyze(
    metadata: &Value,
    source: &MetadataSource,
    jwks: &JwksOutcome,
    now: i64,
) -> DiscoveryReport {
    let source = &expected_issuer(metadata, source);
    let mut findings = Vec::new();
    lint::metadata_findings(metadata, source, &mut findings);
    let (jwks_value, keys) = lint::jwks_findings(metadata, jwks, now, &mut findings);
    // Errors first, then warnings, then info; stable within a severity.
    findings.sort_by_key(|f| f.severity);
    DiscoveryReport {
        issuer: source.issuer.clone(),
        fetched_from: source.fetched_from.clone(),
        source: source.clone(),
        metadata: metadata.clone(),
        jwks: jwks_value,
        findings,
        fields: explain_fields(metadata),
        keys,
        exchanges: Vec::new(),
    }
}

/// `source` with the issuer the metadata must carry. For a direct metadata URL built from `X`,
/// both `X` and `X/` build that URL (OIDC Discovery 1.0 §4 strips one trailing `/`, RFC 8414 §3.1
/// a terminating one), so the expected issuer is whichever of the two the metadata names; when
/// it names neither, `X`, and the issuer lint reports the mismatch.
fn expected_issuer(metadata: &Value, source: &MetadataSource) -> MetadataSource {
    let mut source = source.clone();
    if !source.direct {
        return source;
    }
    let base = source.issuer.strip_suffix('/').unwrap_or(&source.issuer);
    if let Some(named) = metadata.get("issuer").and_then(Value::as_str) {
        if named.strip_suffix('/').unwrap_or(named) == base {
            source.issuer = named.to_owned();
        }
    }
    source
}

/// Each field of `metadata` with its catalog entry, in catalog order, unknown fields last.
pub fn explain_fields(metadata: &Value) -> Vec<ExplainedField> {
    let Some(obj) = metadata.as_object() else {
        return Vec::new();
    };
    let mut out: Vec<ExplainedField> = FIELDS
        .iter()
        .filter_map(|f| {
            obj.get(f.name).map(|v| ExplainedField {
                name: f.name.to_owned(),
                value: v.clone(),
                group: f.group,
                description: Some(f.description.to_owned()),
                spec: Some(f.spec.to_owned()),
            })
        })
        .collect();
    out.extend(
        obj.iter()
            .filter(|(k, _)| field_info(k).is_none())
            .map(|(k, v)| ExplainedField {
                name: k.clone(),
                value: v.clone(),
                group: FieldGroup::Other,
                description: None,
                spec: None,
            }),
    );
    out
}

/// Differences between two metadata documents (e.g. staging vs production): list-valued fields
/// (`*_supported`, …) compare as sets, one change per member added or removed; the rest
/// structurally, by JSON Pointer path.
pub fn compare(before: &Value, after: &Value) -> Vec<Change> {
    diff_json(before, after, |path| {
        let name = path.strip_prefix('/').unwrap_or(path);
        if name.contains('/') {
            return Compare::Structural;
        }
        let is_list = match field_info(name) {
            Some(info) => info.kind == FieldKind::StringArray,
            None => name.ends_with("_supported"),
        };
        if is_list {
            Compare::Set
        } else {
            Compare::Structural
        }
    })
}

pub(crate) use crate::jwt::json_kind as json_type;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_url_strips_one_trailing_slash() {
        assert_eq!(
            well_known_url("https://example.com/").unwrap(),
            "https://example.com/.well-known/openid-configuration"
        );
        assert_eq!(
            well_known_url("https://example.com/realms/demo").unwrap(),
            "https://example.com/realms/demo/.well-known/openid-configuration"
        );
    }

    #[test]
    fn oauth_well_known_url_inserts_before_the_path() {
        assert_eq!(
            oauth_well_known_url("https://example.com/issuer1").unwrap(),
            "https://example.com/.well-known/oauth-authorization-server/issuer1"
        );
        assert_eq!(
            oauth_well_known_url("https://example.com/").unwrap(),
            "https://example.com/.well-known/oauth-authorization-server"
        );
    }

    #[test]
    fn compare_treats_supported_lists_as_sets() {
        let a = serde_json::json!({"issuer": "https://a", "scopes_supported": ["openid", "email"]});
        let b = serde_json::json!({"issuer": "https://b", "scopes_supported": ["email", "openid", "profile"]});
        let changes = compare(&a, &b);
        assert_eq!(changes.len(), 2, "{changes:?}");
        assert!(changes.iter().any(|c| c.path == "/scopes_supported"
            && c.member
            && c.after == Some("profile".into())));
        assert!(changes.iter().any(|c| c.path == "/issuer"));
    }

    fn issuer_findings(input: &str, issuer: &str) -> (String, Vec<String>) {
        let source = metadata_source(input, MetadataKind::OpenId).unwrap();
        let metadata = serde_json::json!({ "issuer": issuer });
        let r = analyze(&metadata, &source, &JwksOutcome::NotAdvertised, 0);
        let codes = r
            .findings
            .iter()
            .filter(|f| f.field.as_deref() == Some("issuer"))
            .map(|f| f.code.to_string())
            .collect();
        assert_eq!(r.source.issuer, r.issuer);
        (r.issuer, codes)
    }

    #[test]
    fn a_direct_url_expects_whichever_of_x_and_x_slash_the_metadata_names() {
        let oidc = "https://h.example/a0/.well-known/openid-configuration";
        let root = "https://h.example/.well-known/oauth-authorization-server";
        let inserted = "https://h.example/.well-known/oauth-authorization-server/tenant";
        for (input, named) in [
            (oidc, "https://h.example/a0/"),
            (oidc, "https://h.example/a0"),
            (root, "https://h.example/"),
            (root, "https://h.example"),
            (inserted, "https://h.example/tenant/"),
            (inserted, "https://h.example/tenant"),
        ] {
            let (issuer, codes) = issuer_findings(input, named);
            assert_eq!(issuer, named, "{input}");
            assert!(codes.is_empty(), "{input} naming {named}: {codes:?}");
        }
    }

    #[test]
    fn a_direct_url_whose_metadata_names_neither_candidate_keeps_x_and_mismatches() {
        let input = "https://h.example/a0/.well-known/openid-configuration";
        for named in [
            "https://h.example/a0//",
            "https://h.example/a1",
            "https://other.example/a0/",
        ] {
            let (issuer, codes) = issuer_findings(input, named);
            assert_eq!(issuer, "https://h.example/a0", "{named}");
            assert_eq!(codes, ["issuer-mismatch"], "{named}");
        }
    }

    #[test]
    fn an_issuer_typed_by_the_user_is_compared_exactly() {
        let source = metadata_source("https://h.example/a0", MetadataKind::OpenId).unwrap();
        let metadata = serde_json::json!({ "issuer": "https://h.example/a0/" });
        let r = analyze(&metadata, &source, &JwksOutcome::NotAdvertised, 0);
        assert_eq!(r.issuer, "https://h.example/a0");
        assert!(r.findings.iter().any(|f| f.code == "issuer-mismatch"));
    }

    #[test]
    fn direct_metadata_urls_are_accepted() {
        let s = metadata_source(
            "https://example.com/tenant/.well-known/openid-configuration",
            MetadataKind::OpenId,
        )
        .unwrap();
        assert!(s.direct);
        assert_eq!(s.issuer, "https://example.com/tenant");
        let s = metadata_source(
            "https://example.com/.well-known/oauth-authorization-server/issuer1",
            MetadataKind::OpenId,
        )
        .unwrap();
        assert_eq!(s.kind, MetadataKind::OAuth);
        assert_eq!(s.issuer, "https://example.com/issuer1");
    }
}
