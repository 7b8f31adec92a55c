//! Lint findings about a decoded token: facts worth a warning even before any key is involved.

use serde::Serialize;
use serde_json::Value;

use super::decode::{numeric_date, TokenFormat};
use crate::jose::timefmt::{human_duration, iso8601};
use crate::text::{has_hidden_chars, hidden_summary, reveal};
use crate::vocab::string_enum;

/// At most this many `hidden-characters` findings (one per place) before a summary, so a hostile
/// token with thousands of them still gets a short list.
pub const MAX_HIDDEN_FINDINGS: usize = 8;

/// At most this many distinct code points named in one finding.
const MAX_CODE_POINTS_NAMED: usize = 8;

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

string_enum! {
    /// The stable kebab-case code of a finding. One namespace for tokens (decode, verify, encode)
    /// and discovery: `hidden-characters` and `weak-rsa-key` mean the same in both, and the UI
    /// shows both kinds with one badge.
    pub enum FindingCode {
        // Decoding (any token, no key).
        /// The header has no `alg`.
        MissingAlg = "missing-alg",
        /// `alg` is `none`: an unsigned token (also raised by encode when asked for one).
        AlgNone = "alg-none",
        /// `alg` is not a string.
        InvalidAlg = "invalid-alg",
        /// A JWE: only its protected header can be read.
        Encrypted = "encrypted",
        /// A JWE header without `enc`.
        MissingEnc = "missing-enc",
        /// The header names critical extensions.
        CritPresent = "crit-present",
        /// A time claim that is not a NumericDate.
        InvalidNumericDate = "invalid-numeric-date",
        NoExp = "no-exp",
        Expired = "expired",
        NotYetValid = "not-yet-valid",
        IatInFuture = "iat-in-future",
        /// `alg: none` with a non-empty signature segment.
        NoneWithSignature = "none-with-signature",
        /// The header or payload repeats a member name.
        DuplicateMember = "duplicate-member",
        /// A JWS payload that is not a JSON claims set.
        PayloadNotJson = "payload-not-json",
        /// Characters that hide or reorder text (in tokens and in discovery documents).
        HiddenCharacters = "hidden-characters",
        // Verification.
        /// The token claims HMAC but only public keys were given.
        AlgConfusion = "alg-confusion",
        /// The signature was checked with a key from the token's own header.
        UntrustedKey = "untrusted-key",
        WeakHmacSecret = "weak-hmac-secret",
        /// An RSA key under 2048 bits (a verification key, or a key in a JWKS).
        WeakRsaKey = "weak-rsa-key",
        LongLifetime = "long-lifetime",
        SensitiveClaim = "sensitive-claim",
        /// A `kid` with path or SQL metacharacters.
        KidInjection = "kid-injection",
        /// A `jku` on another host than the issuer's.
        JkuOffIssuer = "jku-off-issuer",
        /// An `x5u` on another host than the issuer's.
        X5uOffIssuer = "x5u-off-issuer",
        // Encoding.
        /// A time claim minted as a string.
        TimeNotNumeric = "time-not-numeric",
        /// The header's own `alg` was replaced by the one used.
        HeaderAlgReplaced = "header-alg-replaced",
        /// An HMAC secret shorter than the hash.
        WeakSecret = "weak-secret",
        /// An RSA signing key under 2048 bits.
        WeakKey = "weak-key",
        // Discovery: the metadata document.
        MetadataNotObject = "metadata-not-object",
        MetadataRedirected = "metadata-redirected",
        IssuerTemplate = "issuer-template",
        IssuerMismatch = "issuer-mismatch",
        MissingRequiredField = "missing-required-field",
        UnknownField = "unknown-field",
        WrongType = "wrong-type",
        InvalidUrl = "invalid-url",
        LoopbackHttp = "loopback-http",
        InsecureEndpoint = "insecure-endpoint",
        PkceNotAdvertised = "pkce-not-advertised",
        PkceWithoutS256 = "pkce-without-s256",
        PkcePlainOffered = "pkce-plain-offered",
        IdTokenAlgNone = "id-token-alg-none",
        AlgNoneListed = "alg-none-listed",
        IdTokenNoRs256 = "id-token-no-rs256",
        ScopesWithoutOpenid = "scopes-without-openid",
        ImplicitGrant = "implicit-grant",
        PasswordGrant = "password-grant",
        // Discovery: the JWKS.
        JwksInvalid = "jwks-invalid",
        JwksUnreachable = "jwks-unreachable",
        JwksEmpty = "jwks-empty",
        DuplicateKid = "duplicate-kid",
        CertificateInvalid = "certificate-invalid",
        InvalidKey = "invalid-key",
        SymmetricKeyInJwks = "symmetric-key-in-jwks",
        PrivateKeyInJwks = "private-key-in-jwks",
        KeyWithoutUseOrAlg = "key-without-use-or-alg",
        AlgKtyMismatch = "alg-kty-mismatch",
        CertificateExpired = "certificate-expired",
        CertificateNotYetValid = "certificate-not-yet-valid",
        CertificateKeyMismatch = "certificate-key-mismatch",
    }
}

/// One observation with a stable kebab-case `code` (e.g. `alg-none`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Finding {
    pub severity: Severity,
    pub code: FindingCode,
    pub message: String,
}

impl Finding {
    pub fn new(severity: Severity, code: FindingCode, message: impl Into<String>) -> Self {
        Finding {
            severity,
            code,
            message: message.into(),
        }
    }
    pub fn error(code: FindingCode, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message)
    }
    pub fn warning(code: FindingCode, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, message)
    }
    pub fn info(code: FindingCode, message: impl Into<String>) -> Self {
        Self::new(Severity::Info, code, message)
    }
}

/// Findings that need only the token and the time.
pub(crate) fn token_findings(
    format: TokenFormat,
    header: &Value,
    payload: Option<&Value>,
    now: i64,
) -> Vec<Finding> {
    let mut out = Vec::new();
    header_findings(format, header, &mut out);
    if let Some(payload) = payload {
        time_findings(payload, now, &mut out);
    }
    out
}

fn header_findings(format: TokenFormat, header: &Value, out: &mut Vec<Finding>) {
    match header.get("alg") {
        None => out.push(Finding::error(
            FindingCode::MissingAlg,
            "the header has no \"alg\": every JWS and JWE must name its algorithm (RFC 7515 §4.1.1)",
        )),
        Some(Value::String(alg)) if alg.eq_ignore_ascii_case("none") => out.push(Finding::error(
            FindingCode::AlgNone,
            format!(
                "alg is \"{alg}\": the token is not signed, so anyone can forge it; reject it unless unsecured tokens are expected (RFC 8725 §3.2)"
            ),
        )),
        Some(Value::String(_)) => {}
        Some(_) => out.push(Finding::error(FindingCode::InvalidAlg, "\"alg\" must be a string (RFC 7515 §4.1.1)")),
    }
    if format == TokenFormat::Jwe {
        out.push(Finding::info(
            FindingCode::Encrypted,
            "JWE: the payload is encrypted (RFC 7516); only the protected header can be read without the recipient's key",
        ));
        if header.get("enc").is_none() {
            out.push(Finding::error(
                FindingCode::MissingEnc,
                "the JWE header has no \"enc\" (content encryption algorithm, RFC 7516 §4.1.2)",
            ));
        }
    }
    if let Some(crit) = header.get("crit") {
        out.push(Finding::info(
            FindingCode::CritPresent,
            format!("critical header parameters {crit}: a verifier that does not understand each of them must reject the token (RFC 7515 §4.1.11)"),
        ));
    }
}

fn time_findings(payload: &Value, now: i64, out: &mut Vec<Finding>) {
    let date = |name: &str| -> Option<Result<i64, ()>> {
        payload.get(name).map(|v| numeric_date(v).ok_or(()))
    };
    for name in ["exp", "nbf", "iat", "auth_time"] {
        if let Some(Err(())) = date(name) {
            out.push(Finding::warning(
                FindingCode::InvalidNumericDate,
                format!(
                    "\"{name}\" is not a NumericDate (a number of seconds since 1970, RFC 7519 §2)"
                ),
            ));
        }
    }
    match date("exp") {
        None => out.push(Finding::warning(
            FindingCode::NoExp,
            "no \"exp\" claim: the token never expires, so a leaked copy stays usable (RFC 7519 §4.1.4)",
        )),
        Some(Ok(exp)) if exp <= now => out.push(Finding::warning(
            FindingCode::Expired,
            format!(
                "expired {} ago (exp {}); a verifier rejects it (RFC 7519 §4.1.4)",
                human_duration(now.abs_diff(exp)),
                iso8601(exp)
            ),
        )),
        _ => {}
    }
    if let Some(Ok(nbf)) = date("nbf") {
        if nbf > now {
            out.push(Finding::warning(
                FindingCode::NotYetValid,
                format!(
                    "not valid for another {} (nbf {}); a verifier rejects it until then (RFC 7519 §4.1.5)",
                    human_duration(nbf.abs_diff(now)),
                    iso8601(nbf)
                ),
            ));
        }
    }
    if let Some(Ok(iat)) = date("iat") {
        if iat > now {
            out.push(Finding::warning(
                FindingCode::IatInFuture,
                format!(
                    "issued {} in the future (iat {}): the issuer's clock or this machine's is off",
                    human_duration(iat.abs_diff(now)),
                    iso8601(iat)
                ),
            ));
        }
    }
}

/// `hidden-characters` warnings for every header parameter and claim (names and values, nested
/// ones too) and a non-JSON payload text holding characters that hide or reorder text (Trojan
/// Source, CVE-2021-42574): one finding per place, at most [`MAX_HIDDEN_FINDINGS`] and a summary.
pub(crate) fn hidden_character_findings(
    header: &Value,
    payload: Option<&Value>,
    payload_text: Option<&str>,
) -> Vec<Finding> {
    let mut places = HiddenPlaces::new("the token");
    members(header, "header parameter", &mut places);
    if let Some(payload) = payload {
        members(payload, "claim", &mut places);
    }
    if let Some(text) = payload_text {
        places.check(text, || "the payload text".to_owned());
    }
    places.into_findings()
}

fn members(object: &Value, kind: &str, places: &mut HiddenPlaces) {
    let Some(map) = object.as_object() else {
        return;
    };
    for (name, value) in map {
        // Nearly every member is clean: that is settled without building its pointer and labels.
        if !has_hidden_chars(name) && !json_has_hidden(value) {
            continue;
        }
        let shown = reveal(name);
        places.check(name, || format!("the {kind} name \"{shown}\""));
        let top = format!("/{}", pointer_token(name));
        let place = |at: &str| {
            if at == top {
                format!("{kind} \"{shown}\"")
            } else {
                format!("{kind} \"{shown}\" at {at}")
            }
        };
        hidden_in_json(value, &mut top.clone(), None, &place, places);
    }
}

/// Whether any string or member name in `value` holds a hidden character.
fn json_has_hidden(value: &Value) -> bool {
    match value {
        Value::String(s) => has_hidden_chars(s),
        Value::Array(items) => items.iter().any(json_has_hidden),
        Value::Object(map) => map
            .iter()
            .any(|(name, item)| has_hidden_chars(name) || json_has_hidden(item)),
        _ => false,
    }
}

/// Checks the strings and member names in `value` (found at JSON Pointer `pointer`) for hidden
/// characters; `place` names the value at a pointer ("claim \"address\" at /address/street").
pub(crate) fn hidden_in_json(
    value: &Value,
    pointer: &mut String,
    field: Option<&str>,
    place: &dyn Fn(&str) -> String,
    places: &mut HiddenPlaces,
) {
    match value {
        Value::String(s) => places.check_field(field, s, || place(pointer)),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = pointer.len();
                pointer.push_str(&format!("/{i}"));
                hidden_in_json(item, pointer, field, place, places);
                pointer.truncate(len);
            }
        }
        Value::Object(map) => {
            for (name, item) in map {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&pointer_token(name));
                places.check_field(field, name, || {
                    format!("a member name in {}", place(pointer))
                });
                hidden_in_json(item, pointer, field, place, places);
                pointer.truncate(len);
            }
        }
        _ => {}
    }
}

/// A JSON Pointer reference token (RFC 6901 §3), hidden characters revealed for display.
pub(crate) fn pointer_token(name: &str) -> String {
    reveal(&name.replace('~', "~0").replace('/', "~1")).into_owned()
}

/// Collects one `hidden-characters` finding per place, bounded; each may name a field (discovery).
pub(crate) struct HiddenPlaces {
    /// What the strings came from, for the closing words ("the token", "the server").
    source: &'static str,
    found: Vec<(Option<String>, Finding)>,
    more: usize,
}

impl HiddenPlaces {
    pub(crate) fn new(source: &'static str) -> Self {
        HiddenPlaces {
            source,
            found: Vec::new(),
            more: 0,
        }
    }

    /// Records `text` when it holds hidden characters; `place` says where ("claim \"name\"").
    pub(crate) fn check(&mut self, text: &str, place: impl FnOnce() -> String) {
        self.check_field(None, text, place);
    }

    /// Like [`HiddenPlaces::check`], remembering the field the text belongs to.
    pub(crate) fn check_field(
        &mut self,
        field: Option<&str>,
        text: &str,
        place: impl FnOnce() -> String,
    ) {
        if !has_hidden_chars(text) {
            return;
        }
        if self.found.len() == MAX_HIDDEN_FINDINGS {
            self.more += 1;
            return;
        }
        let finding = Finding::warning(
            FindingCode::HiddenCharacters,
            format!(
                "{} contains hidden characters {} that reorder or hide text (Trojan Source, CVE-2021-42574): what you read may not be what {} says",
                place(),
                hidden_summary(text, MAX_CODE_POINTS_NAMED),
                self.source
            ),
        );
        self.found.push((field.map(str::to_owned), finding));
    }

    /// The findings with their fields; the summary, if any, comes last and names no field.
    pub(crate) fn into_field_findings(mut self) -> Vec<(Option<String>, Finding)> {
        if self.more > 0 {
            let summary = Finding::warning(
                FindingCode::HiddenCharacters,
                format!(
                    "{} more places in {} hold hidden characters; only the first {MAX_HIDDEN_FINDINGS} are listed",
                    self.more, self.source
                ),
            );
            self.found.push((None, summary));
        }
        self.found
    }

    pub(crate) fn into_findings(self) -> Vec<Finding> {
        self.into_field_findings()
            .into_iter()
            .map(|(_, f)| f)
            .collect()
    }
}
