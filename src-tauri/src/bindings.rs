//! TypeScript bindings for every type that crosses IPC, generated with ts-rs into
//! `ui/src/lib/bindings/` (one file per type), and `vocabulary.ts`: the values of the core's
//! vocabularies (algorithms, curves, key types, finding codes, check names) as lists for the UI's
//! pickers. The test below fails when the committed files drift from the Rust types; regenerate
//! them with
//! `UPDATE_BINDINGS=1 cargo test -p tokenscope-app generated_bindings_are_fresh`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use ts_rs::{Config, ExportError, TS};

/// Exports each command's argument and return types, with everything they reference.
/// A new command's types go here.
fn export_ipc_types(cfg: &Config) -> Result<(), ExportError> {
    use crate::commands::{discover, verify};
    tokenscope::jwt::DecodedToken::export_all(cfg)?;
    verify::VerifyRequest::export_all(cfg)?;
    verify::VerifyResponse::export_all(cfg)?;
    tokenscope::jwt::TokenDiff::export_all(cfg)?;
    tokenscope::jwt::TokenComparison::export_all(cfg)?;
    discover::DiscoverRequest::export_all(cfg)?;
    tokenscope::discovery::DiscoveryReport::export_all(cfg)?;
    tokenscope::jwt::Change::export_all(cfg)?;
    crate::commands::encode::EncodeRequest::export_all(cfg)?;
    tokenscope::jwt::EncodedToken::export_all(cfg)?;
    crate::commands::encode::JsonProblem::export_all(cfg)?;
    tokenscope::jwt::encode::ClaimHelpers::export_all(cfg)?;
    tokenscope::jwk::KeySpec::export_all(cfg)?;
    crate::commands::encode::GeneratedKey::export_all(cfg)?;
    tokenscope::jwk::PrivateKeyFormat::export_all(cfg)?;
    crate::commands::profiles::ProfileList::export_all(cfg)?;
    crate::commands::profiles::SaveProfileRequest::export_all(cfg)?;
    crate::commands::profiles::SavedProfile::export_all(cfg)?;
    tokenscope::vault::RemovedProfile::export_all(cfg)?;
    tokenscope::vault::profiles::ImportConflict::export_all(cfg)?;
    tokenscope::vault::profiles::ImportReport::export_all(cfg)?;
    crate::vault_slot::VaultStatus::export_all(cfg)?;
    tokenscope::vault::VaultEntry::export_all(cfg)?;
    tokenscope::vault::SecretKind::export_all(cfg)?;
    crate::IpcError::export_all(cfg)?;
    crate::commands::flows::CodeFlowRequest::export_all(cfg)?;
    crate::commands::flows::PreviousTokensRequest::export_all(cfg)?;
    crate::commands::flows::UserinfoRequest::export_all(cfg)?;
    crate::commands::flows::UserinfoReply::export_all(cfg)?;
    crate::commands::flows::FlowEvent::export_all(cfg)?;
    crate::commands::flows::FlowFailureReply::export_all(cfg)?;
    tokenscope::oauth::flow::FlowResult::export_all(cfg)?;
    crate::commands::grants::ClientCredentialsRequest::export_all(cfg)?;
    crate::commands::grants::DeviceFlowRequest::export_all(cfg)?;
    crate::commands::grants::RevokeRequest::export_all(cfg)?;
    crate::commands::grants::IntrospectRequest::export_all(cfg)?;
    crate::commands::grants::ApiCallRequest::export_all(cfg)?;
    tokenscope::oauth::grants::RevocationResult::export_all(cfg)?;
    tokenscope::oauth::grants::IntrospectionResult::export_all(cfg)?;
    tokenscope::oauth::grants::ApiCallResult::export_all(cfg)?;
    tokenscope::oauth::export::ExportFormat::export_all(cfg)?;
    crate::commands::practice::PracticeStartRequest::export_all(cfg)?;
    crate::commands::practice::PracticeStatus::export_all(cfg)?;
    crate::commands::practice::PracticeLesson::export_all(cfg)?;
    // The vocabularies, whether or not an IPC type names them yet: vocabulary.ts imports each.
    tokenscope::jose::JwsAlg::export_all(cfg)?;
    tokenscope::jose::KeyType::export_all(cfg)?;
    tokenscope::jose::EcCurve::export_all(cfg)?;
    tokenscope::jose::Curve::export_all(cfg)?;
    tokenscope::jwt::FindingCode::export_all(cfg)?;
    tokenscope::jwt::verify::CheckName::export_all(cfg)?;
    tokenscope::vault::profiles::ClientAuthMethod::export_all(cfg)?;
    tokenscope::vault::profiles::PkceMethod::export_all(cfg)?;
    tokenscope::vault::profiles::RedirectHost::export_all(cfg)?;
    Ok(())
}

/// `vocabulary.ts`: each vocabulary's values in the core's order, written with serde so they are
/// exactly the strings the core sends.
fn vocabulary_ts() -> String {
    use tokenscope::jose::{Curve, EcCurve, JwsAlg, KeyFamily, KeyType};
    use tokenscope::jwt::verify::CheckName;
    use tokenscope::jwt::FindingCode;
    use tokenscope::vault::profiles::{ClientAuthMethod, PkceMethod, RedirectHost};
    use tokenscope::vault::SecretKind;

    fn list<T: serde::Serialize>(doc: &str, name: &str, ty: &str, values: &[T]) -> String {
        let items: Vec<String> = values
            .iter()
            .map(|v| format!("  {},\n", serde_json::to_string(v).unwrap()))
            .collect();
        format!(
            "/** {doc} */\nexport const {name}: readonly {ty}[] = [\n{}];\n",
            items.concat()
        )
    }
    let keys: Vec<String> = JwsAlg::ALL
        .iter()
        .map(|alg| {
            let (kty, crv) = match alg.family() {
                KeyFamily::Hmac => (KeyType::Oct, None),
                KeyFamily::Rsa => (KeyType::Rsa, None),
                KeyFamily::Ec(curve) => (KeyType::Ec, Some(curve)),
                KeyFamily::Okp => (KeyType::Okp, None),
            };
            let crv = serde_json::to_string(&crv).unwrap();
            format!("  {alg}: {{ kty: \"{kty}\", crv: {crv} }},\n")
        })
        .collect();
    [
        "// Generated from the core's vocabularies by src-tauri/src/bindings.rs. Do not edit this file manually.\n",
        "import type { CheckName } from \"./CheckName\";\n",
        "import type { ClientAuthMethod } from \"./ClientAuthMethod\";\n",
        "import type { Curve } from \"./Curve\";\n",
        "import type { EcCurve } from \"./EcCurve\";\n",
        "import type { FindingCode } from \"./FindingCode\";\n",
        "import type { JwsAlg } from \"./JwsAlg\";\n",
        "import type { KeyType } from \"./KeyType\";\n",
        "import type { PkceMethod } from \"./PkceMethod\";\n",
        "import type { RedirectHost } from \"./RedirectHost\";\n",
        "import type { SecretKind } from \"./SecretKind\";\n",
        "\n",
        &list(
            "Every JWS algorithm the core signs and verifies with (RFC 7518 §3.1, RFC 8037), in the order pickers list them. `none` is not one.",
            "JWS_ALGORITHMS",
            "JwsAlg",
            &JwsAlg::ALL,
        ),
        "\n/** The key each algorithm needs: its type, and for ECDSA its curve (RFC 7518 §3.4). */\n",
        "export const ALGORITHM_KEYS: Readonly<Record<JwsAlg, { kty: KeyType; crv: EcCurve | null }>> = {\n",
        &keys.concat(),
        "};\n\n",
        &list("The key types the core uses (RFC 7518 §6.1, RFC 8037 §2).", "KEY_TYPES", "KeyType", &KeyType::ALL),
        "\n",
        &list("The NIST curves keys can be generated on.", "EC_CURVES", "EcCurve", &EcCurve::ALL),
        "\n",
        &list("Every curve a verification key or generated key can have.", "CURVES", "Curve", &Curve::ALL),
        "\n",
        &list(
            "RSA modulus sizes offered for generation.",
            "RSA_KEY_SIZES",
            "number",
            &tokenscope::jwk::RSA_KEY_SIZES,
        ),
        "\n",
        &list("Every finding code: decoding, verification, encoding and discovery.", "FINDING_CODES", "FindingCode", &FindingCode::ALL),
        "\n",
        &list("Every verification check, in report order.", "CHECK_NAMES", "CheckName", &CheckName::ALL),
        "\n",
        &list("How a profile's client authenticates at the token endpoint (RFC 6749 §2.3).", "CLIENT_AUTH_METHODS", "ClientAuthMethod", &ClientAuthMethod::ALL),
        "\n",
        &list("PKCE code challenge methods (RFC 7636 §4.2), S256 first.", "PKCE_METHODS", "PkceMethod", &PkceMethod::ALL),
        "\n",
        &list("Loopback hosts for a profile's redirect URI (RFC 8252 §7.3).", "REDIRECT_HOSTS", "RedirectHost", &RedirectHost::ALL),
        "\n",
        &list("What a vault entry holds.", "SECRET_KINDS", "SecretKind", &SecretKind::ALL),
    ]
    .concat()
}

const REGENERATE: &str =
    "UPDATE_BINDINGS=1 cargo test -p tokenscope-app generated_bindings_are_fresh";

fn committed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/bindings")
}

/// Every `.ts` file under `dir`, keyed by its path relative to `dir` (with `/` separators).
fn ts_files(dir: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, out);
            } else if path.extension().is_some_and(|e| e == "ts") {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                let text = fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
                out.insert(rel, text);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn generate_into(dir: &Path) -> BTreeMap<String, String> {
    export_ipc_types(&Config::new().with_out_dir(dir))
        .unwrap_or_else(|e| panic!("ts-rs export into {} failed: {e}", dir.display()));
    fs::write(dir.join("vocabulary.ts"), vocabulary_ts())
        .unwrap_or_else(|e| panic!("cannot write vocabulary.ts into {}: {e}", dir.display()));
    ts_files(dir)
}

fn assert_no_bigint(files: &BTreeMap<String, String>) {
    // serde_json sends i64/u64 as JSON numbers, so a `bigint` in a binding is always a lie;
    // annotate such fields with `#[ts(type = "number")]` in the core.
    let offenders: Vec<&String> = files
        .iter()
        .filter(|(_, text)| text.contains("bigint"))
        .map(|(name, _)| name)
        .collect();
    assert!(
        offenders.is_empty(),
        "bindings use bigint (add #[ts(type = \"number\")]): {offenders:?}"
    );
}

#[test]
fn generated_bindings_are_fresh() {
    let committed = committed_dir();
    if std::env::var_os("UPDATE_BINDINGS").is_some_and(|v| v == "1") {
        // Remove stale files first so renamed or deleted types do not linger.
        for name in ts_files(&committed).keys() {
            fs::remove_file(committed.join(name)).unwrap();
        }
        let written = generate_into(&committed);
        assert_no_bigint(&written);
        eprintln!(
            "wrote {} binding files to {}",
            written.len(),
            committed.display()
        );
        return;
    }

    let temp = tempfile::tempdir().unwrap();
    let generated = generate_into(temp.path());
    assert_no_bigint(&generated);
    let existing = ts_files(&committed);

    let missing: Vec<&String> = generated
        .keys()
        .filter(|k| !existing.contains_key(*k))
        .collect();
    let extra: Vec<&String> = existing
        .keys()
        .filter(|k| !generated.contains_key(*k))
        .collect();
    let changed: Vec<&String> = generated
        .iter()
        .filter(|(k, text)| existing.get(*k).is_some_and(|old| old != *text))
        .map(|(k, _)| k)
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty() && changed.is_empty(),
        "TypeScript bindings in {} are out of date with the Rust IPC types.\n\
         missing: {missing:?}\nnot generated (stale): {extra:?}\nchanged: {changed:?}\n\
         Regenerate them with:\n    {REGENERATE}\nand commit the result.",
        committed.display()
    );
}
