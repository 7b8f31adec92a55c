//! Shared helpers: the RFC test vectors and building tokens from parts.

#![allow(dead_code)] // each test module uses a different subset

pub mod browser;
pub mod idp;
pub mod keyring;
pub mod secret_service;
pub mod server;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::Value;

/// A JSON file under `tests/vectors/`.
pub fn vectors(name: &str) -> Value {
    let path = format!("{}/tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `vectors(file)[case][field]` as a string.
pub fn vector(file: &str, case: &str, field: &str) -> String {
    let v = vectors(file);
    let node = if field.is_empty() {
        &v[case]
    } else {
        &v[case][field]
    };
    node.as_str()
        .unwrap_or_else(|| panic!("{file}: {case}.{field} is not a string"))
        .to_owned()
}

pub fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A compact token from raw header and payload text and a signature segment, unsigned.
pub fn token_from_parts(header: &str, payload: &str, signature: &str) -> String {
    format!("{}.{}.{signature}", b64(header), b64(payload))
}

/// RFC 7519 §3.1's example token, the canonical "decode me" input.
pub fn rfc7519_token() -> String {
    vector("rfc7515.json", "rfc7519_3_1", "token")
}

/// Runs the `tokenscope` binary with no standard input.
pub fn tokenscope(args: &[&str]) -> std::process::Output {
    run_tokenscope(args, None)
}

/// Runs the `tokenscope` binary with `input` on standard input.
pub fn tokenscope_stdin(args: &[&str], input: &str) -> std::process::Output {
    run_tokenscope(args, Some(input))
}

fn run_tokenscope(args: &[&str], input: Option<&str>) -> std::process::Output {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_tokenscope"))
        .args(args)
        .env_remove("CLICOLOR_FORCE")
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tokenscope runs");
    if let Some(input) = input {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    child.wait_with_output().unwrap()
}

/// The command's stdout parsed as exactly one JSON value.
pub fn stdout_json(out: &std::process::Output) -> Value {
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("stdout is not one JSON value ({e}): {text}"))
}

pub fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs a future to completion on a fresh current-thread runtime.
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// The check called `name` in a `verify --json` report.
pub fn report_check<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap_or_else(|| panic!("no checks in {report}"))
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no {name} check: {report}"))
}
