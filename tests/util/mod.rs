//! Shared helpers: the RFC test vectors and building tokens from parts.

#![allow(dead_code)] // each test module uses a different subset

pub mod idp;
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
