//! Encode: build and sign tokens, and generate key pairs whose private halves stay in Rust
//! (issue 4), in the core's [`tokenscope::jwk::GeneratedKeys`] that `AppState` holds.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tauri::State;
use tokenscope::jose::alg::JwsAlg;
use tokenscope::jwk::{
    generate_key_pair, GenerateOptions, KeySpec, PrivateKeyFormat, PublicKeyExport,
    SigningKeySource,
};
use tokenscope::jwt::encode::{
    apply_claim_helpers, parse_header_and_payload, parse_json_object, ClaimHelpers, JsonPart,
};
use tokenscope::jwt::{
    sign_with_key_source, EncodeAlg, EncodeError, EncodeOptions, EncodedToken, KidChoice,
};
use tokenscope::ErrorCode as _;
use ts_rs::TS;

use crate::{AppState, IpcError};

/// What the Encode view asks for.
#[derive(Deserialize, TS)]
pub struct EncodeRequest {
    /// Header JSON text; empty means `{}`. `alg` (and by default `typ`, `kid`) are filled in.
    pub header: String,
    /// Payload JSON text.
    pub payload: String,
    /// `HS256` … `EdDSA`, or `none` for an unsigned token (only when the user picks it).
    pub alg: String,
    /// The signing key; ignored (and best left null) for `none`.
    pub key: Option<SigningKeySource>,
    #[serde(default)]
    pub kid: KidChoice,
    /// Expand `"now"`, `"+15m"`, `"-1h"` … in `iat`, `nbf`, `exp` and `auth_time`.
    #[serde(default)]
    pub relative_times: bool,
}

/// Why header or payload text is not a usable JSON object, for the line under an editor.
#[derive(Debug, Serialize, TS)]
pub struct JsonProblem {
    /// `encode.invalid_json`, `encode.not_an_object`, `encode.too_deep` or `encode.too_large`.
    pub code: String,
    /// "line 3, column 7: expected `,` or `}`" for syntax errors, else the whole explanation.
    pub message: String,
    /// 1-based; absent unless the text is not JSON at all.
    pub line: Option<usize>,
    pub column: Option<usize>,
}

/// A freshly generated key pair as the UI sees it: a handle to sign with, and the public half.
#[derive(Debug, Serialize, TS)]
pub struct GeneratedKey {
    pub handle: String,
    pub public: PublicKeyExport,
}

/// Builds and signs a token. A JSON error's `input` says which editor (`header` or `payload`).
#[tauri::command]
pub async fn encode_token(
    request: EncodeRequest,
    state: State<'_, AppState>,
) -> Result<EncodedToken, IpcError> {
    encode(&state, request)
}

fn encode(state: &AppState, request: EncodeRequest) -> Result<EncodedToken, IpcError> {
    let alg = EncodeAlg::parse(&request.alg)
        .ok_or_else(|| IpcError::from(EncodeError::UnsupportedAlg(request.alg.clone())))?;
    let options = EncodeOptions {
        kid: request.kid,
        relative_times: request.relative_times,
        ..EncodeOptions::new(alg, state.clock.now_unix())
    };
    let (header, payload) =
        parse_header_and_payload(&request.header, &request.payload).map_err(encode_error)?;
    sign_with_key_source(
        header,
        payload,
        request.key,
        &state.generated_keys,
        &options,
    )
    .map_err(encode_error)
}

/// The core error, plus which editor a JSON error is about.
fn encode_error(error: EncodeError) -> IpcError {
    let part = match &error {
        EncodeError::InvalidJson { part, .. }
        | EncodeError::NotAnObject { part, .. }
        | EncodeError::TooDeep { part, .. }
        | EncodeError::TooLarge { part, .. } => Some(*part),
        _ => None,
    };
    let ipc = IpcError::from(error);
    match part {
        Some(part) => ipc.for_input(&part.to_string()),
        None => ipc,
    }
}

/// Checks header (`part: "header"`, where empty text is fine) or payload text as the user types;
/// `null` when it is a usable JSON object. A problem is data here, not an error.
#[tauri::command]
pub async fn validate_json(text: String, part: String) -> Result<Option<JsonProblem>, IpcError> {
    let part = match part.as_str() {
        "header" if text.trim().is_empty() => return Ok(None),
        "header" => JsonPart::Header,
        "payload" => JsonPart::Payload,
        other => {
            return Err(IpcError::new(
                "encode.unknown_part",
                format!("\"{other}\" is neither \"header\" nor \"payload\""),
            ))
        }
    };
    Ok(parse_json_object(&text, part).err().map(json_problem))
}

fn json_problem(error: EncodeError) -> JsonProblem {
    let code = error.code().to_owned();
    match error {
        EncodeError::InvalidJson {
            line,
            column,
            reason,
            ..
        } => JsonProblem {
            code,
            message: format!("line {line}, column {column}: {reason}"),
            line: Some(line),
            column: Some(column),
        },
        other => JsonProblem {
            code,
            message: other.to_string(),
            line: None,
            column: None,
        },
    }
}

/// Writes the chosen standard claims (times relative to the app clock, a random `jti`) into the
/// payload text and returns it pretty-printed, member order kept.
#[tauri::command]
pub async fn apply_payload_helpers(
    payload: String,
    helpers: ClaimHelpers,
    state: State<'_, AppState>,
) -> Result<String, IpcError> {
    apply_helpers(&state, &payload, &helpers)
}

fn apply_helpers(
    state: &AppState,
    payload: &str,
    helpers: &ClaimHelpers,
) -> Result<String, IpcError> {
    let mut claims = parse_json_object(payload, JsonPart::Payload).map_err(encode_error)?;
    apply_claim_helpers(&mut claims, helpers, state.clock.now_unix()).map_err(encode_error)?;
    serde_json::to_string_pretty(&Value::Object(claims))
        .map_err(|e| IpcError::new("encode.invalid_json", e.to_string()))
}

/// Generates a key pair (off the async runtime: RSA takes a while) and keeps the private key in
/// memory; the UI gets a handle and the public half. `alg` is written into the public JWK.
#[tauri::command]
pub async fn generate_key(
    spec: KeySpec,
    alg: Option<String>,
    state: State<'_, AppState>,
) -> Result<GeneratedKey, IpcError> {
    let options = generate_options(alg.as_deref())?;
    let pair = tauri::async_runtime::spawn_blocking(move || generate_key_pair(spec, &options))
        .await
        .map_err(|e| IpcError::new("key.generation_failed", e.to_string()))??;
    Ok(keep(&state, pair))
}

fn generate_options(alg: Option<&str>) -> Result<GenerateOptions, IpcError> {
    let alg = alg
        .map(|name| JwsAlg::parse(name).ok_or_else(|| EncodeError::UnsupportedAlg(name.to_owned())))
        .transpose()?;
    Ok(GenerateOptions { kid: None, alg })
}

fn keep(state: &AppState, pair: tokenscope::jwk::GeneratedKeyPair) -> GeneratedKey {
    let public = pair.public().clone();
    let handle = state.generated_keys.insert(pair);
    GeneratedKey { handle, public }
}

/// Returns a generated key's private half. The one deliberate exception to "private keys stay
/// in Rust": the UI calls it only when the user presses an export button that says so.
#[tauri::command]
pub async fn export_private_key(
    handle: String,
    format: PrivateKeyFormat,
    state: State<'_, AppState>,
) -> Result<String, IpcError> {
    export(&state, &handle, format)
}

fn export(state: &AppState, handle: &str, format: PrivateKeyFormat) -> Result<String, IpcError> {
    let secret = state.generated_keys.export_private(handle, format)?;
    Ok(secret.expose_secret().to_owned())
}

#[cfg(test)]
mod tests {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    use serde_json::json;
    use tokenscope::jwk::EcCurve;

    use super::*;
    use crate::commands::test_support::state_at;

    const NOW: i64 = 1_700_000_000;

    /// A request as the UI sends it, deserialised the way Tauri does.
    fn request(value: Value) -> EncodeRequest {
        serde_json::from_value(value).unwrap()
    }

    fn segment(token: &str, index: usize) -> Value {
        let part = token.split('.').nth(index).unwrap();
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
    }

    fn generate(state: &AppState, spec: KeySpec) -> GeneratedKey {
        keep(
            state,
            generate_key_pair(spec, &GenerateOptions::default()).unwrap(),
        )
    }

    #[test]
    fn a_text_secret_signs_hs256_with_relative_times_on_the_state_clock() {
        let encoded = encode(
            &state_at(NOW),
            request(json!({
                "header": "", "payload": r#"{"sub": "u1", "exp": "+15m"}"#, "alg": "HS256",
                "key": {"kind": "secret", "value": "a-string-secret-at-least-256-bits-long"},
                "relative_times": true
            })),
        )
        .unwrap();
        assert_eq!(encoded.token.split('.').count(), 3);
        assert_eq!(
            segment(&encoded.token, 0),
            json!({"alg": "HS256", "typ": "JWT"})
        );
        assert_eq!(
            segment(&encoded.token, 1),
            json!({"sub": "u1", "exp": NOW + 900})
        );
        assert!(!encoded.unsecured);
        assert!(encoded.findings.is_empty(), "{:?}", encoded.findings);
    }

    #[test]
    fn none_signs_nothing_and_says_so_even_when_a_key_is_sent() {
        let encoded = encode(
            &state_at(NOW),
            request(json!({
                "header": "{}", "payload": "{}", "alg": "none",
                "key": {"kind": "secret", "value": "ignored"}
            })),
        )
        .unwrap();
        assert!(encoded.unsecured);
        assert!(encoded.token.ends_with('.'));
        assert!(encoded.findings.iter().any(|f| f.code == "alg-none"));
    }

    #[test]
    fn invalid_payload_json_names_the_editor_line_and_column() {
        let error = encode(
            &state_at(NOW),
            request(
                json!({"header": "", "payload": "{\n  \"a\": 1\n  \"b\": 2\n}",
                "alg": "HS256", "key": {"kind": "secret", "value": "s"}}),
            ),
        )
        .unwrap_err();
        assert_eq!(error.code, "encode.invalid_json");
        assert_eq!(error.input.as_deref(), Some("payload"));
        assert!(
            error.message.contains("line 3, column 3"),
            "{}",
            error.message
        );
    }

    #[test]
    fn a_signed_alg_without_a_key_and_an_unknown_alg_are_coded_errors() {
        let state = state_at(NOW);
        let missing = request(json!({"header": "", "payload": "{}", "alg": "ES256", "key": null}));
        assert_eq!(
            encode(&state, missing).unwrap_err().code,
            "encode.missing_key"
        );
        let unknown = request(json!({"header": "", "payload": "{}", "alg": "HS1"}));
        assert_eq!(
            encode(&state, unknown).unwrap_err().code,
            "encode.unsupported_alg"
        );
    }

    #[test]
    fn a_bad_base64_secret_is_an_invalid_key_and_not_echoed() {
        let error = encode(
            &state_at(NOW),
            request(json!({"header": "", "payload": "{}", "alg": "HS256",
                "key": {"kind": "secret_b64", "value": "not base64!"}})),
        )
        .unwrap_err();
        assert_eq!(error.code, "key.invalid");
        assert!(!error.message.contains("not base64!"));
    }

    #[test]
    fn a_generated_key_signs_by_handle_with_its_thumbprint_as_kid() {
        let state = state_at(NOW);
        let key = generate(&state, KeySpec::Ec { crv: EcCurve::P256 });
        assert_eq!(key.public.alg, "ES256");
        let encoded = encode(
            &state,
            request(json!({"header": "", "payload": "{}", "alg": "ES256",
                "key": {"kind": "generated", "value": key.handle}})),
        )
        .unwrap();
        assert_eq!(encoded.kid.as_deref(), Some(key.public.thumbprint.as_str()));
        let mismatch = request(json!({"header": "", "payload": "{}", "alg": "RS256",
            "key": {"kind": "generated", "value": key.handle}}));
        assert_eq!(
            encode(&state, mismatch).unwrap_err().code,
            "encode.key_mismatch"
        );
    }

    #[test]
    fn kid_can_be_set_or_omitted() {
        let state = state_at(NOW);
        let key = generate(&state, KeySpec::Ed25519);
        let with_kid = |kid: Value| {
            encode(
                &state,
                request(
                    json!({"header": r#"{"kid": "from-header"}"#, "payload": "{}",
                    "alg": "EdDSA", "key": {"kind": "generated", "value": key.handle},
                    "kid": kid}),
                ),
            )
            .unwrap()
            .kid
        };
        assert_eq!(
            with_kid(json!({"kind": "set", "value": "k1"})).as_deref(),
            Some("k1")
        );
        assert_eq!(with_kid(json!({"kind": "omit"})), None);
        assert_eq!(
            with_kid(json!({"kind": "default"})).as_deref(),
            Some("from-header")
        );
    }

    #[test]
    fn private_material_leaves_only_through_export_and_a_forgotten_handle_is_coded() {
        let state = state_at(NOW);
        let key = generate(&state, KeySpec::Ec { crv: EcCurve::P384 });
        let public = serde_json::to_string(&key).unwrap();
        assert!(!public.contains("PRIVATE KEY"));
        assert!(key.public.jwk.get("d").is_none());
        assert!(key.public.pem.contains("BEGIN PUBLIC KEY"));

        let pem = export(&state, &key.handle, PrivateKeyFormat::Pem).unwrap();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
        let jwk: Value =
            serde_json::from_str(&export(&state, &key.handle, PrivateKeyFormat::Jwk).unwrap())
                .unwrap();
        assert_eq!(jwk["kid"], json!(key.public.kid));
        assert!(jwk["d"].is_string());
        let error = export(&state, "key-99", PrivateKeyFormat::Pem).unwrap_err();
        assert_eq!(error.code, "encode.unknown_key");
    }

    #[test]
    fn generate_options_take_the_chosen_alg_and_reject_unknown_ones() {
        assert_eq!(
            generate_options(Some("PS256")).unwrap().alg,
            Some(JwsAlg::parse("PS256").unwrap())
        );
        assert_eq!(generate_options(None).unwrap().alg, None);
        assert_eq!(
            generate_options(Some("none")).unwrap_err().code,
            "encode.unsupported_alg"
        );
    }

    #[test]
    fn validation_reports_line_and_column_and_accepts_an_empty_header() {
        let run = |text: &str, part: &str| {
            crate::commands::test_support::block_on(validate_json(text.into(), part.into()))
        };
        assert!(run("", "header").unwrap().is_none());
        assert!(run(r#"{"a": 1}"#, "payload").unwrap().is_none());
        let problem = run("{\n  \"a\": 1,\n  oops\n}", "payload")
            .unwrap()
            .unwrap();
        assert_eq!((problem.line, problem.column), (Some(3), Some(3)));
        assert!(
            problem.message.starts_with("line 3, column 3: "),
            "{}",
            problem.message
        );
        let problem = run("[]", "header").unwrap().unwrap();
        assert_eq!(problem.code, "encode.not_an_object");
        assert_eq!(problem.line, None);
        assert_eq!(
            run("{}", "signature").unwrap_err().code,
            "encode.unknown_part"
        );
    }

    #[test]
    fn helpers_write_times_on_the_state_clock_and_keep_member_order() {
        let helpers: ClaimHelpers =
            serde_json::from_value(json!({"exp": "+1h", "iat": "now", "jti": true})).unwrap();
        let text = apply_helpers(&state_at(NOW), r#"{"sub": "u1", "exp": 1}"#, &helpers).unwrap();
        let payload: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(payload["exp"], json!(NOW + 3600));
        assert_eq!(payload["iat"], json!(NOW));
        assert_eq!(payload["jti"].as_str().unwrap().len(), 22);
        assert!(text.find("\"sub\"").unwrap() < text.find("\"exp\"").unwrap());
        let bad = apply_helpers(&state_at(NOW), "{", &helpers).unwrap_err();
        assert_eq!(bad.input.as_deref(), Some("payload"));
    }
}
