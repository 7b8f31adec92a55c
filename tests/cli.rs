//! The `tokenscope` CLI contract: arguments, stdin, `@file`, JSON shape, exit codes.

use serde_json::Value;

use crate::util::{
    rfc7519_token, stderr, stdout_json, token_from_parts, tokenscope, tokenscope_stdin, vector,
};

#[test]
fn decode_json_has_the_contract_shape() {
    let out = tokenscope(&["decode", &rfc7519_token(), "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = stdout_json(&out);
    assert_eq!(v["format"], "jws");
    assert_eq!(v["header"]["alg"], "HS256");
    assert_eq!(v["payload"]["iss"], "joe");
    assert_eq!(
        v["signature"],
        "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    );
    let claims = v["claims"].as_array().unwrap();
    assert_eq!(claims.len(), 3);
    for c in claims {
        assert!(c["name"].is_string() && c["description"].is_string(), "{c}");
        assert!(c.get("value").is_some(), "{c}");
    }
    assert_eq!(claims[0]["name"], "iss");
    assert_eq!(claims[0]["value"], "joe");
    let findings = v["findings"].as_array().unwrap();
    let expired = findings
        .iter()
        .find(|f| f["code"] == "expired")
        .expect("expired finding");
    assert_eq!(expired["severity"], "warning");
    assert!(expired["message"].is_string());
}

#[test]
fn decode_json_preserves_key_order_as_in_the_token() {
    let out = tokenscope(&["decode", "--json", &rfc7519_token()]);
    let text = String::from_utf8(out.stdout).unwrap();
    let typ = text.find("\"typ\"").unwrap();
    let alg = text.find("\"alg\"").unwrap();
    assert!(typ < alg, "header keys reordered: {text}");
}

#[test]
fn decode_reads_the_token_from_stdin_when_no_argument() {
    let input = format!("Authorization: Bearer {}\n", rfc7519_token());
    let out = tokenscope_stdin(&["decode", "--json"], &input);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout_json(&out)["payload"]["iss"], "joe");
}

#[test]
fn decode_reads_at_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("token.txt");
    std::fs::write(
        &path,
        format!("{}\n", vector("rfc7515.json", "a3_es256", "token")),
    )
    .unwrap();
    let arg = format!("@{}", path.display());
    let out = tokenscope(&["decode", "--json", &arg]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout_json(&out)["header"]["alg"], "ES256");

    let out = tokenscope(&["decode", "--json", "@/nonexistent/token"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout_json(&out)["error"]["code"], "input.unreadable");
}

#[test]
fn decode_unsecured_and_jwe_formats() {
    let out = tokenscope(&[
        "decode",
        "--json",
        &vector("rfc7515.json", "a5_unsecured", "token"),
    ]);
    let v = stdout_json(&out);
    assert_eq!(v["format"], "unsecured");
    assert_eq!(v["signature"], Value::Null);
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["code"] == "alg-none" && f["severity"] == "error"));

    let out = tokenscope(&[
        "decode",
        "--json",
        &vector("rfc7516.json", "a1_compact", ""),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let v = stdout_json(&out);
    assert_eq!(v["format"], "jwe");
    assert_eq!(v["payload"], Value::Null);
    assert_eq!(v["header"]["enc"], "A256GCM");
}

#[test]
fn malformed_token_exits_2_with_error_on_stderr_and_json_on_stdout() {
    let out = tokenscope(&["decode", "--json", "eyJhbGciOiJIUzI1NiJ9.eyJ!.x"]);
    assert_eq!(out.status.code(), Some(2));
    let v = stdout_json(&out);
    assert_eq!(v["error"]["code"], "jwt.invalid_base64url");
    let message = v["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("payload") && message.contains("position 3"),
        "{message}"
    );
    assert!(stderr(&out).contains(message), "stderr: {}", stderr(&out));
    assert_eq!(
        v.as_object().unwrap().len(),
        1,
        "only the error object: {v}"
    );
}

#[test]
fn malformed_token_without_json_prints_only_to_stderr() {
    let out = tokenscope(&["decode", "only.two"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(
        stderr(&out).contains("wrong number of segments"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn empty_stdin_is_an_input_error() {
    let out = tokenscope_stdin(&["decode", "--json"], "\n");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout_json(&out)["error"]["code"], "jwt.empty");
}

#[test]
fn usage_errors_exit_2_and_report_json_when_asked() {
    let out = tokenscope(&["decode", "--json", "--no-such-flag"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout_json(&out)["error"]["code"], "cli.usage");
    // The JSON message is the whole error on one line, without clap's usage text.
    let out = tokenscope(&["verify", "a.b.c", "--json"]);
    assert_eq!(out.status.code(), Some(2));
    let message = stdout_json(&out)["error"]["message"].to_string();
    assert!(
        message.contains("were not provided") && message.contains("--jwks-url"),
        "{message}"
    );
    assert!(
        !message.contains("Usage") && !message.contains("\\n"),
        "{message}"
    );
    let out = tokenscope(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    let out = tokenscope(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("decode"));
}

#[test]
fn readable_output_has_no_colour_when_not_a_terminal() {
    let out = tokenscope(&["decode", &rfc7519_token(), "--now", "1300819000"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains('\u{1b}'), "ANSI escapes in piped output");
    assert!(text.contains("Issuer"), "{text}");
    assert!(
        text.contains("2011-03-22T18:43:00Z (expires in 6 min)"),
        "{text}"
    );
    assert!(text.contains("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
}

#[test]
fn now_option_controls_expiry_findings() {
    let before = stdout_json(&tokenscope(&[
        "decode",
        "--json",
        "--now",
        "1300819000",
        &rfc7519_token(),
    ]));
    assert!(!before["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["code"] == "expired"));
    let after = stdout_json(&tokenscope(&[
        "decode",
        "--json",
        "--now",
        "1300819380",
        &rfc7519_token(),
    ]));
    assert!(after["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["code"] == "expired"));
}

#[cfg(unix)]
#[test]
fn an_argument_that_is_not_utf8_is_a_usage_error_not_a_panic() {
    use std::os::unix::ffi::OsStrExt as _;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tokenscope"))
        .arg("decode")
        .arg(std::ffi::OsStr::from_bytes(b"\xffnot-utf8"))
        .arg("--json")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(stdout_json(&out)["error"]["code"], "cli.usage");
}

#[test]
fn readable_output_escapes_control_characters_in_claims() {
    // An OSC sequence that would retitle the terminal, then a bell.
    let token = token_from_parts(
        r#"{"alg":"HS256"}"#,
        r#"{"name":"a\u001b]0;pwned\u0007b"}"#,
        "c2ln",
    );
    let out = tokenscope(&["decode", &token]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(r"a\u{1b}]0;pwned\u{7}b"),
        "the claim shown escaped: {text}"
    );
    assert!(
        !text.contains(['\u{1b}', '\u{7}']),
        "raw control characters: {text:?}"
    );
}

#[test]
fn readable_output_shows_a_payload_that_is_not_json_as_text() {
    // RFC 7515 A.4 signs the bytes "Payload", which is not a JSON object.
    let out = tokenscope(&["decode", &vector("rfc7515.json", "a4_es512", "token")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    let payload = &text[text.find("\nPayload").expect("a Payload section")..];
    let payload = &payload[..payload.find("\nSignature").expect("then Signature")];
    assert!(payload.contains("not a JSON object"), "{payload}");
    assert!(payload.contains("  Payload"), "{payload}");
    assert!(!payload.contains("encrypted"), "{payload}");
}

#[test]
fn a_reader_that_stops_early_does_not_turn_success_into_an_error() {
    use std::process::{Command, Stdio};
    // Far more output than a pipe buffers, so the write meets the closed pipe.
    let payload = format!(r#"{{"sub":"{}"}}"#, "x".repeat(1 << 20));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("token.txt");
    std::fs::write(
        &path,
        token_from_parts(r#"{"alg":"HS256"}"#, &payload, "c2ln"),
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tokenscope"))
        .args(["decode", &format!("@{}", path.display())])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stderr.is_empty(), "{}", stderr(&out));
}

#[test]
fn a_token_over_the_size_bound_on_stdin_names_the_bound() {
    let input = "a".repeat(tokenscope::jwt::MAX_TOKEN_BYTES + 8192);
    let out = tokenscope_stdin(&["decode", "--json"], &input);
    assert_eq!(out.status.code(), Some(2));
    let v = stdout_json(&out);
    assert_eq!(v["error"]["code"], "jwt.too_large");
    let message = v["error"]["message"].as_str().unwrap();
    assert!(
        message.contains(&tokenscope::jwt::MAX_TOKEN_BYTES.to_string()),
        "{message}"
    );
    // Only the first bytes are read; their count is no size of the input's.
    let cut_off = tokenscope::jwt::MAX_TOKEN_BYTES + 4096;
    assert!(!message.contains(&cut_off.to_string()), "{message}");
}

#[test]
fn verify_readable_output_escapes_control_characters_quoted_from_the_token() {
    let token = token_from_parts(
        r#"{"alg":"HS256","kid":"k\u001b[2J"}"#,
        r#"{"iss":"evil\u001b]0;pwned\u0007"}"#,
        "c2ln",
    );
    let out = tokenscope(&["verify", &token, "--secret", "s", "--iss", "https://good"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(r"evil\u{1b}]0;pwned\u{7}"), "{text}");
    assert!(!text.contains(['\u{1b}', '\u{7}']), "{text:?}");
}

#[test]
fn completions_and_the_man_page_come_from_the_parser() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = tokenscope(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = String::from_utf8(out.stdout).unwrap();
        // Subcommands and options added anywhere in the parser appear without being listed twice.
        for word in [
            "client-credentials",
            "no-browser",
            "practice-issuer",
            "verify",
        ] {
            assert!(script.contains(word), "{shell} completions lack {word}");
        }
    }
    let bash = tokenscope(&["completions", "bash"]).stdout;
    let path =
        std::env::temp_dir().join(format!("tokenscope-completion-{}.bash", std::process::id()));
    std::fs::write(&path, bash).unwrap();
    let syntax = std::process::Command::new("bash")
        .arg("-n")
        .arg(&path)
        .output()
        .unwrap();
    std::fs::remove_file(&path).unwrap();
    assert!(
        syntax.status.success(),
        "{}",
        String::from_utf8_lossy(&syntax.stderr)
    );
    let out = tokenscope(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));

    let out = tokenscope(&["man"]);
    assert_eq!(out.status.code(), Some(0));
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.contains(".TH tokenscope 1"), "{page}");
    assert!(page.contains("flow") && page.contains("discover"));
}

/// On a machine without a display, `scripts/start.sh` advises `xvfb-run` only after
/// `scripts/setup.sh` installed it, so the advice works on a fresh machine (and it says so
/// before the release build).
#[test]
fn start_without_a_display_advises_xvfb_run_after_installing_it() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new(root.join("scripts/start.sh"))
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains("xvfb-run -a"), "{all}");
    assert!(
        !all.contains("tauri build"),
        "no release build without a display: {all}"
    );
    let installed = std::process::Command::new("sh")
        .args(["-c", "command -v xvfb-run"])
        .output()
        .unwrap();
    assert!(
        installed.status.success(),
        "setup installed xvfb-run before advising it"
    );
}
