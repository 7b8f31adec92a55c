//! Text that must not hide anything: terminal escapes and characters that hide or reorder text
//! (Trojan Source, CVE-2021-42574) in tokens and server documents reach no readable output raw,
//! and raise the `hidden-characters` finding.

use serde_json::{json, Value};

use crate::util::server::{Reply, TestServer};
use crate::util::{b64, stderr, stdout_json, token_from_parts, tokenscope};

/// 2026-01-01T00:00:00Z.
const NOW: &str = "1767225600";
const SECRET: &str = "a shared secret that is long enough for HS256!";

/// An OSC (retitle the terminal), a CSI (clear the screen), a right-to-left override, an
/// isolate and a zero-width space.
const HOSTILE: &str = "\u{1b}]0;title\u{7}\u{1b}[2J\u{202e}gnp.exe\u{2066}x\u{200b}";
const RAW: [char; 5] = ['\u{1b}', '\u{7}', '\u{202e}', '\u{2066}', '\u{200b}'];

/// Fails naming the first raw escape or hidden character in the command's stdout or stderr.
fn assert_nothing_raw(what: &str, out: &std::process::Output) {
    for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let text = String::from_utf8_lossy(bytes);
        if let Some(c) = text.chars().find(|c| RAW.contains(c)) {
            panic!("{what}: {stream} carries {c:?} raw:\n{text:?}");
        }
    }
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Signs `payload` with `header`'s extra members through `tokenscope encode`.
fn encode(header: &Value, payload: &Value) -> String {
    let out = tokenscope(&[
        "encode",
        "--alg",
        "HS256",
        "--secret",
        SECRET,
        "--now",
        NOW,
        "--header",
        &header.to_string(),
        "--payload",
        &payload.to_string(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    stdout(&out).trim().to_owned()
}

fn hostile_token() -> String {
    encode(
        &json!({ "kid": HOSTILE }),
        &json!({
            "iss": format!("https://idp.example/{HOSTILE}"),
            "sub": "alice",
            "exp": 1_767_229_200,
            HOSTILE: "a claim whose name hides things",
            "address": { "street": HOSTILE, "tags": ["ok", HOSTILE] },
        }),
    )
}

fn findings(v: &Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("no findings in {v}"))
        .iter()
        .filter(|f| f["code"] == "hidden-characters")
        .map(|f| {
            assert_eq!(f["severity"], "warning", "{f}");
            f["message"].as_str().unwrap().to_owned()
        })
        .collect()
}

#[test]
fn decode_finds_hidden_characters_in_kid_claim_names_and_nested_values() {
    let token = token_from_parts(
        r#"{"alg":"HS256","kid":"\u202egnp.exe"}"#,
        r#"{"name":"Mallory\u2066","adm\u200bin":true,"address":{"street":"x\u200by"},"clean":"yes"}"#,
        "c2ln",
    );
    let out = tokenscope(&["decode", "--json", "--now", NOW, &token]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = stdout_json(&out);
    // --json carries the strings exactly as the token does: that is the contract.
    assert_eq!(v["header"]["kid"], "\u{202e}gnp.exe");
    assert_eq!(v["header_params"][1]["value"], "\u{202e}gnp.exe");
    let messages = findings(&v);
    assert_eq!(
        messages[0],
        "header parameter \"kid\" contains hidden characters ⟨U+202E⟩ that reorder or hide text \
         (Trojan Source, CVE-2021-42574): what you read may not be what the token says"
    );
    let expected = [
        "claim \"name\" contains hidden characters ⟨U+2066⟩",
        "the claim name \"adm⟨U+200B⟩in\" contains hidden characters ⟨U+200B⟩",
        "claim \"address\" at /address/street contains hidden characters ⟨U+200B⟩",
    ];
    assert_eq!(messages.len(), 1 + expected.len(), "{messages:#?}");
    for (message, start) in messages[1..].iter().zip(expected) {
        assert!(message.starts_with(start), "{message}");
    }
}

#[test]
fn a_token_with_thousands_of_hidden_characters_gets_a_bounded_list_of_findings() {
    let claims: serde_json::Map<String, Value> = (0..2000)
        .map(|i| (format!("c{i}"), json!(format!("\u{200b}{i}\u{202e}"))))
        .collect();
    let token = token_from_parts(
        r#"{"alg":"HS256"}"#,
        &Value::Object(claims).to_string(),
        "c2ln",
    );
    let out = tokenscope(&["decode", "--json", "--now", NOW, &token]);
    let messages = findings(&stdout_json(&out));
    assert_eq!(messages.len(), 9, "8 places and a summary: {messages:#?}");
    assert!(messages[0].contains("⟨U+200B⟩ ⟨U+202E⟩"), "{}", messages[0]);
    assert_eq!(
        messages[8],
        "1992 more places in the token hold hidden characters; only the first 8 are listed"
    );
}

/// A JWK file holding the HMAC secret under the hostile kid (the secret alone has no kid).
fn hostile_jwk_file(dir: &tempfile::TempDir) -> String {
    let path = dir.path().join("key.jwk.json");
    let jwk = json!({ "kty": "oct", "kid": HOSTILE, "k": b64(SECRET), "alg": "HS256" });
    std::fs::write(&path, jwk.to_string()).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn verify_reports_the_decode_finding_too() {
    let token = hostile_token();
    let dir = tempfile::tempdir().unwrap();
    let key = hostile_jwk_file(&dir);
    let out = tokenscope(&["verify", "--json", "--now", NOW, "--key", &key, &token]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = stdout_json(&out);
    assert_eq!(v["key"]["kid"], HOSTILE, "--json keeps the raw kid");
    assert!(
        findings(&v)
            .iter()
            .any(|m| m.starts_with("header parameter \"kid\" contains hidden characters ⟨U+001B⟩ ⟨U+0007⟩ ⟨U+202E⟩ ⟨U+2066⟩ ⟨U+200B⟩")),
        "{v:#}"
    );
}

#[test]
fn every_readable_output_escapes_terminal_controls_and_reveals_hidden_characters() {
    let token = hostile_token();
    let other = encode(
        &json!({ "kid": "plain" }),
        &json!({ "iss": "https://idp.example/", "sub": HOSTILE, "exp": 1_767_229_200, "tags": [HOSTILE] }),
    );
    // The header's alg is not a known algorithm here: decode must still not print it raw.
    let bad_alg = token_from_parts(
        &json!({ "alg": format!("HS256{HOSTILE}"), "typ": "JWT" }).to_string(),
        &json!({ "sub": HOSTILE }).to_string(),
        "c2ln",
    );

    let decoded = tokenscope(&["decode", "--now", NOW, &token]);
    assert_eq!(decoded.status.code(), Some(0), "{}", stderr(&decoded));
    assert_nothing_raw("decode", &decoded);
    let text = stdout(&decoded);
    assert!(
        text.contains(r"\u{1b}]0;title\u{7}\u{1b}[2J⟨U+202E⟩gnp.exe⟨U+2066⟩x⟨U+200B⟩"),
        "{text}"
    );
    assert!(text.contains("hidden-characters"), "{text}");

    let decoded = tokenscope(&["decode", "--now", NOW, &bad_alg]);
    assert_nothing_raw("decode (hostile alg)", &decoded);
    let title = stdout(&decoded)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned();
    assert!(
        title.contains(r"alg HS256\u{1b}]0;title\u{7}\u{1b}[2J⟨U+202E⟩"),
        "{title}"
    );

    // Valid signature with a key named by the hostile kid, and an iss check that fails quoting
    // the token's iss.
    let dir = tempfile::tempdir().unwrap();
    let key = hostile_jwk_file(&dir);
    let verified = tokenscope(&[
        "verify",
        "--now",
        NOW,
        "--key",
        &key,
        "--iss",
        "https://idp.example/",
        &token,
    ]);
    assert_eq!(verified.status.code(), Some(1), "{}", stderr(&verified));
    assert_nothing_raw("verify", &verified);
    let text = stdout(&verified);
    assert!(
        text.contains("kid \\u{1b}]0;title\\u{7}\\u{1b}[2J⟨U+202E⟩"),
        "{text}"
    );
    assert!(text.contains("hidden-characters"), "{text}");

    let verified = tokenscope(&["verify", "--now", NOW, "--secret", SECRET, &bad_alg]);
    assert_nothing_raw("verify (hostile alg)", &verified);

    let diffed = tokenscope(&["diff", &token, &other]);
    assert_eq!(diffed.status.code(), Some(0), "{}", stderr(&diffed));
    assert_nothing_raw("diff", &diffed);
    let text = stdout(&diffed);
    assert!(text.contains("⟨U+202E⟩gnp.exe"), "{text}");

    let encoded = tokenscope(&[
        "encode",
        "--alg",
        "HS256",
        "--secret",
        SECRET,
        "--literal-times",
        "--header",
        &json!({ "alg": HOSTILE }).to_string(),
        "--payload",
        &json!({ "exp": HOSTILE }).to_string(),
    ]);
    assert_eq!(encoded.status.code(), Some(0), "{}", stderr(&encoded));
    assert_nothing_raw("encode", &encoded);
    let text = stderr(&encoded);
    assert!(
        text.contains("⟨U+202E⟩"),
        "the warnings quote the strings: {text}"
    );

    let generated = tokenscope(&[
        "keygen",
        "--kty",
        "EC",
        "--kid",
        HOSTILE,
        "--out-dir",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(generated.status.code(), Some(0), "{}", stderr(&generated));
    assert_nothing_raw("keygen", &generated);
    assert!(
        stdout(&generated).contains("⟨U+202E⟩gnp.exe"),
        "{}",
        stdout(&generated)
    );
}

/// A provider whose metadata and keys carry the hostile strings.
fn hostile_provider() -> TestServer {
    let metadata = json!({
        "issuer": "{{base}}/o",
        "authorization_endpoint": format!("{{{{base}}}}/o/authorize{HOSTILE}"),
        "token_endpoint": "{{base}}/o/token",
        "jwks_uri": "{{base}}/o/jwks",
        "response_types_supported": ["code", HOSTILE],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "code_challenge_methods_supported": ["S256"],
        format!("x_{HOSTILE}"): HOSTILE,
    });
    let path = format!(
        "{}/tests/fixtures/discovery/jwks.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut jwks: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jwks["keys"][0]["kid"] = json!(HOSTILE);
    jwks["keys"][0]["crv"] = json!(HOSTILE);
    TestServer::start([
        (
            "/o/.well-known/openid-configuration",
            Reply::json(metadata.to_string()),
        ),
        ("/o/jwks", Reply::json(jwks.to_string())),
    ])
}

#[test]
fn discover_readable_output_reveals_what_the_server_hid() {
    let server = hostile_provider();
    let out = tokenscope(&["discover", &server.url("/o")]);
    assert_nothing_raw("discover", &out);
    let text = stdout(&out);
    assert!(
        text.contains("/o/authorize\\u{1b}]0;title\\u{7}\\u{1b}[2J⟨U+202E⟩gnp.exe"),
        "{text}"
    );
    assert!(text.contains("kid \\u{1b}]0;title"), "{text}");
    assert!(text.contains("hidden-characters"), "{text}");
}

#[test]
fn discover_json_has_a_hidden_characters_finding_per_field_and_for_kids() {
    let server = hostile_provider();
    let out = tokenscope(&["discover", "--json", &server.url("/o")]);
    let v = stdout_json(&out);
    assert_eq!(
        v["metadata"]["authorization_endpoint"],
        format!("{}/o/authorize{HOSTILE}", server.base()),
        "--json keeps the raw strings"
    );
    let hidden: Vec<(&str, &str)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "hidden-characters")
        .map(|f| {
            assert_eq!(f["severity"], "warning", "{f}");
            (
                f["field"].as_str().unwrap_or(""),
                f["message"].as_str().unwrap(),
            )
        })
        .collect();
    let expect = |field: &str, start: &str| {
        assert!(
            hidden
                .iter()
                .any(|(f, m)| *f == field && m.starts_with(start)),
            "no {field:?} finding starting {start:?}: {hidden:#?}"
        );
    };
    expect(
        "authorization_endpoint",
        "\"authorization_endpoint\" contains hidden characters ⟨U+001B⟩ ⟨U+0007⟩ ⟨U+202E⟩ ⟨U+2066⟩ ⟨U+200B⟩ that reorder or hide text (Trojan Source, CVE-2021-42574): what you read may not be what the server says",
    );
    expect(
        "response_types_supported",
        "\"response_types_supported\" at /response_types_supported/1 contains",
    );
    expect(
        &format!("x_{HOSTILE}"),
        "the metadata field name \"x_⟨U+001B⟩]0;title⟨U+0007⟩",
    );
    expect("jwks_uri", "the JWK Set at /keys/0/kid contains");
    expect("jwks_uri", "the JWK Set at /keys/0/crv contains");
}
