//! HMAC secrets kept off the command line: `--secret-file`, `--secret-stdin` and their base64
//! forms for `verify` and `encode`.

use std::path::Path;
use std::process::Output;

use serde_json::Value;

use crate::util::{b64, stderr, stdout_json, tokenscope};

const SECRET: &str = "a text secret that is long enough for HS256, 32+ bytes";
/// Random-looking bytes, so the base64 forms are tested with more than text.
const RAW: &[u8] = b"\x00\xff binary \x80 secret bytes, 32 or more of them \x01";

/// An HS256 token signed with `secret`, minted with the plain `--secret-b64` flag.
fn token_signed_with(secret: &[u8]) -> String {
    let out = tokenscope(&[
        "encode",
        "--alg",
        "HS256",
        "--secret-b64",
        &b64(secret),
        "--payload",
        r#"{"sub":"alice"}"#,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    String::from_utf8(out.stdout).unwrap().trim_end().to_owned()
}

fn write(dir: &Path, name: &str, contents: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path.to_str().unwrap().to_owned()
}

fn code(out: &Output) -> Option<i32> {
    out.status.code()
}

/// Runs `tokenscope` with `input` on standard input. Unlike `util::tokenscope_stdin`, a command
/// that exits without reading its input (a usage error) is no failure of the test.
fn tokenscope_stdin(args: &[&str], input: &str) -> Output {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_tokenscope"))
        .args(args)
        .env_remove("CLICOLOR_FORCE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tokenscope runs");
    let written = child.stdin.take().unwrap().write_all(input.as_bytes());
    if let Err(e) = written {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    child.wait_with_output().unwrap()
}

#[test]
fn verify_reads_a_text_secret_from_a_file_dropping_exactly_one_trailing_newline() {
    let token = token_signed_with(SECRET.as_bytes());
    let dir = tempfile::tempdir().unwrap();
    for (name, contents, expected) in [
        ("plain", SECRET.to_owned(), 0),
        ("echo", format!("{SECRET}\n"), 0),
        ("crlf", format!("{SECRET}\r\n"), 0),
        // Only one newline goes: the second is part of the secret.
        ("two-newlines", format!("{SECRET}\n\n"), 1),
        ("leading-space", format!(" {SECRET}\n"), 1),
        ("wrong", "not the secret\n".to_owned(), 1),
    ] {
        let file = write(dir.path(), name, contents.as_bytes());
        let out = tokenscope(&["verify", &token, "--secret-file", &file]);
        assert_eq!(code(&out), Some(expected), "{name}: {}", stderr(&out));
    }
}

#[test]
fn verify_reads_a_text_secret_from_stdin_with_the_token_as_argument_or_file() {
    let token = token_signed_with(SECRET.as_bytes());
    let out = tokenscope_stdin(
        &["verify", &token, "--secret-stdin"],
        &format!("{SECRET}\n"),
    );
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("VALID"));

    let dir = tempfile::tempdir().unwrap();
    let token_file = format!("@{}", write(dir.path(), "token.txt", token.as_bytes()));
    let out = tokenscope_stdin(&["verify", &token_file, "--secret-stdin"], SECRET);
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));

    let out = tokenscope_stdin(&["verify", &token, "--secret-stdin"], "wrong secret\n");
    assert_eq!(code(&out), Some(1), "{}", stderr(&out));
}

#[test]
fn verify_reads_a_base64_secret_from_a_file_or_stdin_ignoring_whitespace() {
    let token = token_signed_with(RAW);
    let encoded = b64(RAW);
    let dir = tempfile::tempdir().unwrap();
    // Wrapped over lines and ending in a newline, as `base64` writes it.
    let (head, tail) = encoded.split_at(20);
    let file = write(
        dir.path(),
        "key.b64",
        format!("{head}\n{tail}\n").as_bytes(),
    );
    let out = tokenscope(&["verify", &token, "--secret-b64-file", &file]);
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));

    let out = tokenscope_stdin(
        &["verify", &token, "--secret-b64-stdin"],
        &format!("{encoded}\n"),
    );
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));

    let wrong = b64(b"some other secret bytes, 32 or more of them");
    let file = write(dir.path(), "wrong.b64", wrong.as_bytes());
    let out = tokenscope(&["verify", &token, "--secret-b64-file", &file]);
    assert_eq!(code(&out), Some(1), "{}", stderr(&out));
    let out = tokenscope_stdin(&["verify", &token, "--secret-b64-stdin"], &wrong);
    assert_eq!(code(&out), Some(1), "{}", stderr(&out));
}

#[test]
fn a_secret_on_stdin_needs_the_token_as_an_argument() {
    for flag in ["--secret-stdin", "--secret-b64-stdin"] {
        let out = tokenscope_stdin(&["verify", flag, "--json"], "c2VjcmV0\n");
        assert_eq!(code(&out), Some(2), "{flag}: {}", stderr(&out));
        let error = &stdout_json(&out)["error"];
        assert_eq!(error["code"], "cli.usage", "{flag}");
        assert_eq!(
            error["message"],
            format!(
                "{flag} reads the secret from standard input, so give the token as an argument or @FILE"
            )
        );
        assert!(stderr(&out).contains("give the token as an argument or @FILE"));
    }
}

#[test]
fn empty_unreadable_or_oversized_secrets_are_input_errors() {
    let token = token_signed_with(SECRET.as_bytes());
    let dir = tempfile::tempdir().unwrap();
    let empty = write(dir.path(), "empty", b"");
    let newline_only = write(dir.path(), "newline", b"\n");
    let blank_b64 = write(dir.path(), "blank.b64", b" \n\n");
    for (flag, file) in [
        ("--secret-file", &empty),
        ("--secret-file", &newline_only),
        ("--secret-b64-file", &blank_b64),
    ] {
        let out = tokenscope(&["verify", &token, "--json", flag, file]);
        assert_eq!(code(&out), Some(2), "{flag} {file}: {}", stderr(&out));
        let error = &stdout_json(&out)["error"];
        assert_eq!(error["code"], "input.empty", "{flag} {file}");
        assert!(
            error["message"].as_str().unwrap().contains(file.as_str()),
            "{error}"
        );
    }
    let out = tokenscope_stdin(&["verify", &token, "--json", "--secret-stdin"], "");
    assert_eq!(code(&out), Some(2), "{}", stderr(&out));
    assert_eq!(stdout_json(&out)["error"]["code"], "input.empty");

    let out = tokenscope(&[
        "verify",
        &token,
        "--json",
        "--secret-file",
        "/nonexistent/key",
    ]);
    assert_eq!(code(&out), Some(2));
    assert_eq!(stdout_json(&out)["error"]["code"], "input.unreadable");

    let huge = write(
        dir.path(),
        "huge",
        &vec![b'k'; tokenscope::jwk::MAX_KEY_TEXT_BYTES + 1],
    );
    let out = tokenscope(&["verify", &token, "--json", "--secret-file", &huge]);
    assert_eq!(code(&out), Some(2));
    assert_eq!(stdout_json(&out)["error"]["code"], "input.too_large");

    // One key source: a file secret does not combine with another.
    let file = write(dir.path(), "key", SECRET.as_bytes());
    let out = tokenscope(&["verify", &token, "--secret-file", &file, "--secret", SECRET]);
    assert_eq!(code(&out), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot be used with"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn encode_with_a_secret_from_a_file_or_stdin_mints_tokens_verify_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let text_file = write(dir.path(), "key", format!("{SECRET}\n").as_bytes());
    let b64_file = write(dir.path(), "key.b64", format!("{}\n", b64(RAW)).as_bytes());
    let payload = r#"{"sub":"bob"}"#;
    let cases: [(&[&str], Option<String>, &[u8]); 4] = [
        (&["--secret-file", &text_file], None, SECRET.as_bytes()),
        (
            &["--secret-stdin"],
            Some(format!("{SECRET}\n")),
            SECRET.as_bytes(),
        ),
        (&["--secret-b64-file", &b64_file], None, RAW),
        (&["--secret-b64-stdin"], Some(b64(RAW)), RAW),
    ];
    for (key_args, stdin, secret) in cases {
        let mut args = vec!["encode", "--alg", "HS256", "--payload", payload];
        args.extend_from_slice(key_args);
        let out = match &stdin {
            Some(input) => tokenscope_stdin(&args, input),
            None => tokenscope(&args),
        };
        assert_eq!(code(&out), Some(0), "{key_args:?}: {}", stderr(&out));
        let token = String::from_utf8(out.stdout).unwrap().trim_end().to_owned();
        let out = tokenscope(&["verify", &token, "--secret-b64", &b64(secret)]);
        assert_eq!(code(&out), Some(0), "{key_args:?}: {}", stderr(&out));
        if secret == SECRET.as_bytes() {
            let out = tokenscope(&["verify", &token, "--secret", SECRET]);
            assert_eq!(code(&out), Some(0), "{key_args:?}: {}", stderr(&out));
        }
    }
    let empty = write(dir.path(), "empty", b"\r\n");
    let out = tokenscope(&[
        "encode",
        "--alg",
        "HS256",
        "--payload",
        payload,
        "--json",
        "--secret-file",
        &empty,
    ]);
    assert_eq!(code(&out), Some(2), "{}", stderr(&out));
    assert_eq!(stdout_json(&out)["error"]["code"], "input.empty");
}

#[test]
fn a_secret_read_from_stdin_never_appears_in_the_output() {
    let marker = "s3cr3t-marker-7f4a";
    let secret = format!("{marker} and enough further text for HS256");
    let token = token_signed_with(secret.as_bytes());
    let runs: Vec<(Vec<&str>, String, i32)> = vec![
        (vec!["verify", &token, "--secret-stdin"], secret.clone(), 0),
        (
            vec!["verify", &token, "--secret-stdin", "--json"],
            secret.clone(),
            0,
        ),
        (
            vec!["verify", &token, "--secret-stdin", "--json"],
            format!("{marker} but the wrong one"),
            1,
        ),
        (
            vec!["verify", "--secret-stdin", "--json"],
            secret.clone(),
            2,
        ),
        // Not base64 ('-' and '!' mixed with '+'): the decoder's error would quote a character.
        (
            vec!["verify", &token, "--secret-b64-stdin", "--json"],
            format!("{marker}+!"),
            2,
        ),
        (
            vec![
                "encode",
                "--alg",
                "HS256",
                "--payload",
                "{}",
                "--secret-stdin",
                "--json",
            ],
            secret.clone(),
            0,
        ),
        (
            vec![
                "encode",
                "--alg",
                "none",
                "--payload",
                "{}",
                "--secret-stdin",
            ],
            secret.clone(),
            2,
        ),
    ];
    for (args, input, expected) in runs {
        let out = tokenscope_stdin(&args, &format!("{input}\n"));
        assert_eq!(code(&out), Some(expected), "{args:?}: {}", stderr(&out));
        let everything = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
        assert!(
            !everything.contains(marker),
            "{args:?} echoed: {everything}"
        );
        if args.contains(&"--json") {
            let v: Value = stdout_json(&out);
            assert!(v.is_object(), "{v}");
        }
    }
}
