//! TypeScript bindings for every type that crosses IPC, generated with ts-rs into
//! `ui/src/lib/bindings/` (one file per type). The test below fails when the committed files
//! drift from the Rust types; regenerate them with
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
    crate::commands::encode::PrivateKeyFormat::export_all(cfg)?;
    crate::IpcError::export_all(cfg)?;
    Ok(())
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
