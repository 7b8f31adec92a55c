//! The hidden-contract safety net (issue 10): the CLI's `--json` output of `decode`, `verify`,
//! `diff`, `encode`, `keygen` and `discover`, recorded byte for byte before the core's refactor
//! and compared on every run, so the refactor can show that no member, order, message or exit
//! code changed.
//!
//! Each case is two files in `tests/snapshots/<family>/`: `<case>.json`, stdout exactly as
//! printed, and `<case>.exit`, the exit code. Only what differs between two runs of the same
//! binary is normalised, by one function per kind of variation, each saying why it varies:
//! [`temp_dir_as_placeholder`], [`server_base_as_placeholder`], [`durations_as_zero`],
//! [`served_lengths_as_fixture_lengths`] and [`generated_keys_as_placeholders`]. Everything else
//! must match exactly; a mismatch reports the first differing line of each case.
//!
//! `UPDATE_SNAPSHOTS=1 cargo test --test tests contracts` rewrites the recordings instead (and
//! deletes those of cases that no longer run); review `git diff tests/snapshots` before committing.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::{json, Value};

use crate::util::server::{Reply, TestServer};
use crate::util::{token_from_parts, tokenscope, tokenscope_stdin, vector, vectors};

/// 2011-03-22T18:36:40Z: six minutes before the RFC 7519 §3.1 example's `exp` (1300819380),
/// which most RFC 7515 vectors share.
const NOW: &str = "1300819000";
/// An hour after that `exp`.
const AFTER_EXPIRY: &str = "1300822980";

// ---- recordings ---------------------------------------------------------------------------

/// The recordings of one command family, and the cases that did not match them.
struct Recordings {
    family: &'static str,
    dir: PathBuf,
    update: bool,
    cases: BTreeSet<String>,
    mismatches: Vec<String>,
}

impl Recordings {
    fn new(family: &'static str) -> Self {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/snapshots")
            .join(family);
        let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1");
        if update {
            std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        }
        Recordings {
            family,
            dir,
            update,
            cases: BTreeSet::new(),
            mismatches: Vec::new(),
        }
    }

    /// Compares `stdout` (the case's output after normalisation) and the exit code of `out` with
    /// the recording of `case`, or records them with `UPDATE_SNAPSHOTS=1`.
    fn check(&mut self, case: &str, out: &Output, stdout: &str) {
        assert!(self.cases.insert(case.to_owned()), "case {case} twice");
        // The contract itself: with --json, stdout is exactly one JSON value and a newline.
        if let Err(e) = serde_json::from_str::<Value>(stdout) {
            panic!(
                "{}/{case}: stdout is not one JSON value ({e}):\n{stdout}",
                self.family
            );
        }
        assert!(
            stdout.ends_with('\n'),
            "{}/{case}: no final newline",
            self.family
        );
        let exit = match out.status.code() {
            Some(code) => format!("{code}\n"),
            None => "killed by a signal\n".to_owned(),
        };
        for (extension, actual) in [("json", stdout), ("exit", exit.as_str())] {
            let path = self.dir.join(format!("{case}.{extension}"));
            if self.update {
                std::fs::write(&path, actual).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                continue;
            }
            match std::fs::read_to_string(&path) {
                Err(e) => self
                    .mismatches
                    .push(format!("{case}.{extension}: no recording ({e})")),
                Ok(recorded) if recorded != actual => self.mismatches.push(format!(
                    "{case}.{extension}: {}",
                    first_difference(&recorded, actual)
                )),
                Ok(_) => {}
            }
        }
    }

    /// Fails with every mismatch, and on recordings whose case no longer runs (deleted instead
    /// when updating, so a removed case cannot leave a stale recording behind).
    fn finish(mut self) {
        let entries = std::fs::read_dir(&self.dir).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (record with UPDATE_SNAPSHOTS=1)",
                self.dir.display()
            )
        });
        for entry in entries {
            let path = entry.unwrap().path();
            let case = path.file_stem().unwrap_or_default().to_string_lossy();
            if self.cases.contains(case.as_ref()) {
                continue;
            }
            if self.update {
                std::fs::remove_file(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            } else {
                self.mismatches.push(format!(
                    "{}: a recording of no case",
                    path.file_name().unwrap_or_default().to_string_lossy()
                ));
            }
        }
        assert!(
            self.mismatches.is_empty(),
            "{} of the {} `{}` cases differ from tests/snapshots/{}/ (if intended, rerun with \
             UPDATE_SNAPSHOTS=1 and review the diff):\n\n{}",
            self.mismatches.len(),
            self.cases.len(),
            self.family,
            self.family,
            self.mismatches.join("\n\n")
        );
    }
}

/// The first line where `actual` departs from `recorded`, both shown escaped (so a changed space
/// or a lost final newline is visible).
fn first_difference(recorded: &str, actual: &str) -> String {
    let (mut r, mut a) = (recorded.split_inclusive('\n'), actual.split_inclusive('\n'));
    let mut line = 1;
    loop {
        match (r.next(), a.next()) {
            (Some(x), Some(y)) if x == y => line += 1,
            (x, y) => {
                let show =
                    |l: Option<&str>| l.map_or("(end of output)".to_owned(), |l| format!("{l:?}"));
                return format!(
                    "first difference at line {line}\n  recorded: {}\n  actual:   {}",
                    show(x),
                    show(y)
                );
            }
        }
    }
}

fn stdout_text(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("--json output is UTF-8")
}

// ---- normalisation: one function per kind of variation --------------------------------------

/// Key files and keygen's output directory live in a fresh temporary directory, whose name is
/// random; keygen reports the paths it wrote, and a key-file error names the file.
fn temp_dir_as_placeholder(text: &str, dir: &Path) -> String {
    // The path as it appears inside a JSON string.
    let quoted = serde_json::to_string(&dir.to_string_lossy()).unwrap();
    text.replace(&quoted[1..quoted.len() - 1], "{{tmp}}")
}

/// The test server listens on a port the OS picks, so every URL it serves (issuer, endpoints,
/// `jwks_uri`, the exchanges' `url`) differs by port. The fixtures say `{{base}}` where the
/// server puts its own URL, so the recording reads like the fixture.
fn server_base_as_placeholder(text: &str, server: &TestServer) -> String {
    text.replace(&server.base(), "{{base}}")
}

/// An exchange's `duration_ms` is wall-clock time.
fn durations_as_zero(text: &str) -> String {
    const MEMBER: &str = "\"duration_ms\": ";
    text.split_inclusive('\n')
        .map(|line| match line.find(MEMBER) {
            Some(at) => {
                let rest = &line[at + MEMBER.len()..];
                let digits =
                    rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
                format!("{}0{}", &line[..at + MEMBER.len()], &rest[digits..])
            }
            None => line.to_owned(),
        })
        .collect()
}

/// The server sends its own URL in place of each `{{base}}` in a body, so a document that names
/// the server is as long as the port's digits make it (one to five): the exchanges'
/// `content-length` becomes the length of the body as given to the server, `{{base}}` included.
/// `served` maps each path to that body.
fn served_lengths_as_fixture_lengths(
    text: &str,
    server: &TestServer,
    served: &[(String, String)],
) -> String {
    let mut path = None;
    let mut in_content_length = false;
    text.split_inclusive('\n')
        .map(|line| {
            let trimmed = line.trim();
            if let Some(url) = trimmed.strip_prefix("\"url\": \"{{base}}") {
                path = Some(url.trim_end_matches([',', '"']).to_owned());
            }
            let rewritten = match served.iter().find(|(p, _)| Some(p) == path.as_ref()) {
                Some((_, body)) if in_content_length => {
                    let sent = body.replace("{{base}}", &server.base()).len();
                    line.replace(&format!("\"{sent}\""), &format!("\"{}\"", body.len()))
                }
                _ => line.to_owned(),
            };
            in_content_length = trimmed == "\"name\": \"content-length\",";
            rewritten
        })
        .collect()
}

/// keygen makes a fresh random key each run: its public key material (`n`, `x`, `y`; `e` is
/// always AQAB), the SPKI PEM and the RFC 7638 thumbprint (also the default `kid`) become
/// placeholders naming the member and its length, wherever they appear. Everything else — the
/// structure, `kty`, `crv`, `alg`, `use`, a chosen `kid`, the sizes — stays exact.
fn generated_keys_as_placeholders(text: &str) -> String {
    let v: Value = serde_json::from_str(text).unwrap();
    let mut random = Vec::new();
    for member in ["n", "x", "y"] {
        if let Some(value) = v["jwk"][member].as_str() {
            random.push((member, value.to_owned()));
        }
    }
    for member in ["thumbprint", "pem"] {
        if let Some(value) = v[member].as_str() {
            random.push((member, value.to_owned()));
        }
    }
    let mut text = text.to_owned();
    for (member, value) in random {
        // Whole JSON strings only, so one value cannot match inside another.
        let quoted = serde_json::to_string(&value).unwrap();
        let placeholder = format!("\"{{{{{member}: {} characters}}}}\"", value.len());
        text = text.replace(&quoted, &placeholder);
    }
    text
}

// ---- inputs --------------------------------------------------------------------------------

/// Every token in `tests/vectors/*.json` (a case's `token`, or a case that is itself a compact
/// token, as RFC 7516's JWE), named `<file>-<case>`, in file order.
fn vector_tokens() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".json"))
        .collect();
    files.sort();
    let mut tokens = Vec::new();
    for file in files {
        let stem = file.trim_end_matches(".json").to_owned();
        for (case, value) in vectors(&file).as_object().unwrap() {
            let token = value.as_str().or_else(|| value["token"].as_str());
            if let Some(token) = token.filter(|t| t.starts_with("eyJ")) {
                tokens.push((format!("{stem}-{case}"), token.to_owned()));
            }
        }
    }
    tokens
}

/// `token` with the first character of its payload changed, signature kept.
fn tampered(token: &str) -> String {
    let (header, rest) = token.split_once('.').unwrap();
    let first = rest.chars().next().unwrap();
    let other = if first == 'e' { 'f' } else { 'e' };
    format!("{header}.{other}{}", &rest[1..])
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

fn fixture_text(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/discovery/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

// ---- the families ----------------------------------------------------------------------------

#[test]
fn decode_json_output_is_unchanged() {
    let mut rec = Recordings::new("decode");
    let run = |rec: &mut Recordings, case: &str, args: &[&str]| {
        let out = tokenscope(args);
        rec.check(case, &out, &stdout_text(&out));
    };
    for (case, token) in vector_tokens() {
        run(&mut rec, &case, &["decode", &token, "--json", "--now", NOW]);
    }
    let rfc7519 = vector("rfc7515.json", "rfc7519_3_1", "token");
    run(
        &mut rec,
        "rfc7519-expired",
        &["decode", &rfc7519, "--json", "--now", AFTER_EXPIRY],
    );
    let out = tokenscope_stdin(
        &["decode", "--json", "--now", NOW],
        &format!("Authorization: Bearer {rfc7519}\n"),
    );
    rec.check("stdin-authorization-header", &out, &stdout_text(&out));

    // Malformed inputs: the error object and exit 2.
    run(
        &mut rec,
        "bad-base64",
        &[
            "decode",
            "eyJhbGciOiJIUzI1NiJ9.eyJ!.x",
            "--json",
            "--now",
            NOW,
        ],
    );
    run(
        &mut rec,
        "two-segments",
        &["decode", "only.two", "--json", "--now", NOW],
    );
    run(
        &mut rec,
        "empty-argument",
        &["decode", "", "--json", "--now", NOW],
    );
    let out = tokenscope_stdin(&["decode", "--json", "--now", NOW], "\n");
    rec.check("empty-stdin", &out, &stdout_text(&out));
    let header_not_json = token_from_parts("{\"alg\":", r#"{"sub":"a"}"#, "c2ln");
    run(
        &mut rec,
        "header-not-json",
        &["decode", &header_not_json, "--json", "--now", NOW],
    );
    run(
        &mut rec,
        "usage-error",
        &["decode", "--json", "--no-such-flag"],
    );
    rec.finish();
}

#[test]
fn verify_json_output_is_unchanged() {
    let mut rec = Recordings::new("verify");
    let dir = tempfile::tempdir().unwrap();
    let run = |rec: &mut Recordings, case: &str, args: &[&str]| {
        let out = tokenscope(args);
        rec.check(
            case,
            &out,
            &temp_dir_as_placeholder(&stdout_text(&out), dir.path()),
        );
    };
    let token = |file: &str, case: &str| vector(file, case, "token");
    let rfc7520 = vectors("rfc7520.json");
    let rsa_jwk = &rfc7520["rsa_public_jwk"];
    let ec_jwk = &rfc7520["ec_public_jwk"];
    let oct_jwk = &rfc7520["s4_4_hs256"]["jwk"];

    // Key files of every kind.
    let a2_pem = write(
        dir.path(),
        "a2.pem",
        &vector("rfc7515.json", "a2_rs256", "public_pem"),
    );
    let a3_pem = write(
        dir.path(),
        "a3.pem",
        &vector("rfc7515.json", "a3_es256", "public_pem"),
    );
    let a4_jwk = write(
        dir.path(),
        "a4.jwk.json",
        &vectors("rfc7515.json")["a4_es512"]["public_jwk"].to_string(),
    );
    let rsa_jwk_file = write(dir.path(), "rsa.jwk.json", &rsa_jwk.to_string());
    let jwks_file = write(
        dir.path(),
        "rfc7520.jwks.json",
        &json!({ "keys": [rsa_jwk, ec_jwk] }).to_string(),
    );
    let oct_jwk_file = write(dir.path(), "oct.jwk.json", &oct_jwk.to_string());
    let okp_jwk = write(
        dir.path(),
        "okp.jwk.json",
        &vectors("rfc8037.json")["a4_eddsa"]["public_jwk"].to_string(),
    );
    let mut renamed = rsa_jwk.clone();
    renamed["kid"] = json!("another-key");
    let other_kid_jwks = write(
        dir.path(),
        "other-kid.jwks.json",
        &json!({ "keys": [renamed] }).to_string(),
    );
    let garbage = write(dir.path(), "garbage.pem", "not a key\n");
    let a1_key = vector("rfc7515.json", "a1_hs256", "key_b64url");
    let a1_key_file = write(dir.path(), "a1.key.b64", &format!("{a1_key}\n"));

    let a1 = token("rfc7515.json", "a1_hs256");
    let a2 = token("rfc7515.json", "a2_rs256");
    fn with<'a>(args: &[&'a str]) -> Vec<&'a str> {
        [args, &["--json", "--now", NOW]].concat()
    }

    // Valid and tampered, a key source of each kind.
    run(
        &mut rec,
        "rfc7515-a1_hs256-secret-b64",
        &with(&["verify", &a1, "--secret-b64", &a1_key]),
    );
    run(
        &mut rec,
        "rfc7515-a1_hs256-secret-b64-file",
        &with(&["verify", &a1, "--secret-b64-file", &a1_key_file]),
    );
    run(
        &mut rec,
        "rfc7515-a1_hs256-tampered",
        &with(&["verify", &tampered(&a1), "--secret-b64", &a1_key]),
    );
    run(
        &mut rec,
        "rfc7515-a1_hs256-wrong-secret",
        &with(&["verify", &a1, "--secret", "not the key"]),
    );
    run(
        &mut rec,
        "rfc7515-a2_rs256-pem",
        &with(&["verify", &a2, "--key", &a2_pem]),
    );
    run(
        &mut rec,
        "rfc7515-a2_rs256-tampered",
        &with(&["verify", &tampered(&a2), "--key", &a2_pem]),
    );
    run(
        &mut rec,
        "rfc7515-a3_es256-pem",
        &with(&[
            "verify",
            &token("rfc7515.json", "a3_es256"),
            "--key",
            &a3_pem,
        ]),
    );
    run(
        &mut rec,
        "rfc7515-a4_es512-jwk",
        &with(&[
            "verify",
            &token("rfc7515.json", "a4_es512"),
            "--key",
            &a4_jwk,
        ]),
    );
    run(
        &mut rec,
        "rfc7520-s4_1_rs256-jwk",
        &with(&[
            "verify",
            &token("rfc7520.json", "s4_1_rs256"),
            "--key",
            &rsa_jwk_file,
        ]),
    );
    run(
        &mut rec,
        "rfc7520-s4_2_ps384-jwks",
        &with(&[
            "verify",
            &token("rfc7520.json", "s4_2_ps384"),
            "--key",
            &jwks_file,
        ]),
    );
    run(
        &mut rec,
        "rfc7520-s4_3_es512-jwks",
        &with(&[
            "verify",
            &token("rfc7520.json", "s4_3_es512"),
            "--key",
            &jwks_file,
        ]),
    );
    run(
        &mut rec,
        "rfc7520-s4_3_es512-tampered",
        &with(&[
            "verify",
            &tampered(&token("rfc7520.json", "s4_3_es512")),
            "--key",
            &jwks_file,
        ]),
    );
    run(
        &mut rec,
        "rfc7520-s4_4_hs256-oct-jwk",
        &with(&[
            "verify",
            &token("rfc7520.json", "s4_4_hs256"),
            "--key",
            &oct_jwk_file,
        ]),
    );
    let out = tokenscope_stdin(
        &with(&[
            "verify",
            &token("rfc7520.json", "s4_4_hs256"),
            "--secret-b64-stdin",
        ]),
        &format!("{}\n", oct_jwk["k"].as_str().unwrap()),
    );
    rec.check(
        "rfc7520-s4_4_hs256-secret-b64-stdin",
        &out,
        &stdout_text(&out),
    );
    run(
        &mut rec,
        "rfc8037-a4_eddsa-jwk",
        &with(&[
            "verify",
            &token("rfc8037.json", "a4_eddsa"),
            "--key",
            &okp_jwk,
        ]),
    );

    // Negative verdicts and refusals.
    run(
        &mut rec,
        "expectations-fail",
        &with(&[
            "verify",
            &a2,
            "--key",
            &a2_pem,
            "--iss",
            "https://issuer.example",
            "--aud",
            "api",
            "--nonce",
            "n-0S6_WzA2Mj",
        ]),
    );
    run(
        &mut rec,
        "id-token-requirements",
        &with(&[
            "verify",
            &a2,
            "--key",
            &a2_pem,
            "--iss",
            "joe",
            "--id-token",
        ]),
    );
    run(
        &mut rec,
        "expired",
        &[
            "verify",
            &a2,
            "--key",
            &a2_pem,
            "--json",
            "--now",
            AFTER_EXPIRY,
        ],
    );
    run(
        &mut rec,
        "alg-not-allowed",
        &with(&["verify", &a2, "--key", &a2_pem, "--alg", "ES256"]),
    );
    run(
        &mut rec,
        "alg-none",
        &with(&[
            "verify",
            &token("rfc7515.json", "a5_unsecured"),
            "--secret",
            "s",
        ]),
    );
    run(
        &mut rec,
        "jwe",
        &with(&[
            "verify",
            &vector("rfc7516.json", "a1_compact", ""),
            "--secret",
            "s",
        ]),
    );
    run(
        &mut rec,
        "unknown-kid",
        &with(&[
            "verify",
            &token("rfc7520.json", "s4_1_rs256"),
            "--key",
            &other_kid_jwks,
        ]),
    );
    run(
        &mut rec,
        "key-file-not-a-key",
        &with(&["verify", &a2, "--key", &garbage]),
    );
    run(
        &mut rec,
        "malformed-token",
        &with(&["verify", "only.two", "--secret", "s"]),
    );
    run(&mut rec, "no-key-source", &with(&["verify", &a2]));

    // Network key sources, against the local server (the report carries no exchanges).
    let jwks = json!({ "keys": [rsa_jwk] }).to_string();
    let metadata = json!({
        "issuer": "{{base}}/idp",
        "jwks_uri": "{{base}}/idp/jwks",
        "authorization_endpoint": "{{base}}/idp/authorize",
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
    })
    .to_string();
    let server = TestServer::start([
        ("/idp/jwks", Reply::json(jwks)),
        (
            "/idp/.well-known/openid-configuration",
            Reply::json(metadata),
        ),
    ]);
    let s4_1 = token("rfc7520.json", "s4_1_rs256");
    for (case, args) in [
        (
            "jwks-url",
            with(&["verify", &s4_1, "--jwks-url", &server.url("/idp/jwks")]),
        ),
        (
            "issuer",
            with(&["verify", &s4_1, "--issuer", &server.url("/idp")]),
        ),
        (
            "jwks-url-not-found",
            with(&["verify", &s4_1, "--jwks-url", &server.url("/nowhere")]),
        ),
    ] {
        let out = tokenscope(&args);
        rec.check(
            case,
            &out,
            &server_base_as_placeholder(&stdout_text(&out), &server),
        );
    }
    rec.finish();
}

#[test]
fn diff_json_output_is_unchanged() {
    let mut rec = Recordings::new("diff");
    let t = |file: &str, case: &str| vector(file, case, "token");
    let jwe = vector("rfc7516.json", "a1_compact", "");
    // Claims that change in every way the diff tells apart: time deltas, lifetimes, a set
    // claim reordered and grown, a rotated kid, a removed and an added claim.
    let before = token_from_parts(
        r#"{"alg":"RS256","kid":"2024-01","typ":"JWT"}"#,
        r#"{"iss":"https://issuer.example","sub":"alice","aud":["api","web"],"iat":1700000000,"exp":1700000900,"scope":"read","email":"a@example.com"}"#,
        "c2ln",
    );
    let after = token_from_parts(
        r#"{"alg":"RS256","kid":"2024-02","typ":"JWT"}"#,
        r#"{"iss":"https://issuer.example","sub":"alice","aud":["web","api","admin"],"iat":1700003600,"exp":1700007200,"scope":"read write","amr":["pwd"]}"#,
        "c2lnMg",
    );
    let pairs = [
        (
            "rfc7515-a1_hs256-vs-a2_rs256",
            t("rfc7515.json", "a1_hs256"),
            t("rfc7515.json", "a2_rs256"),
        ),
        (
            "rfc7515-a1_hs256-vs-itself",
            t("rfc7515.json", "a1_hs256"),
            t("rfc7515.json", "a1_hs256"),
        ),
        (
            "rfc7515-a2_rs256-vs-a5_unsecured",
            t("rfc7515.json", "a2_rs256"),
            t("rfc7515.json", "a5_unsecured"),
        ),
        (
            "rfc7515-a3_es256-vs-rfc8037-a4_eddsa",
            t("rfc7515.json", "a3_es256"),
            t("rfc8037.json", "a4_eddsa"),
        ),
        (
            "rfc7520-s4_1_rs256-vs-s4_2_ps384",
            t("rfc7520.json", "s4_1_rs256"),
            t("rfc7520.json", "s4_2_ps384"),
        ),
        (
            "rfc7520-s4_1_rs256-vs-s4_4_hs256",
            t("rfc7520.json", "s4_1_rs256"),
            t("rfc7520.json", "s4_4_hs256"),
        ),
        (
            "rfc7515-a2_rs256-vs-rfc7516-jwe",
            t("rfc7515.json", "a2_rs256"),
            jwe,
        ),
        ("claims-changed", before, after),
        (
            "token-b-malformed",
            t("rfc7515.json", "a1_hs256"),
            "eyJhbGciOiJIUzI1NiJ9.eyJ!.x".to_owned(),
        ),
    ];
    // diff takes no --now: its output depends on no clock (decoding's time findings stay out).
    for (case, a, b) in pairs {
        let out = tokenscope(&["diff", &a, &b, "--json"]);
        rec.check(case, &out, &stdout_text(&out));
    }
    rec.finish();
}

#[test]
fn encode_json_output_is_unchanged() {
    let mut rec = Recordings::new("encode");
    let dir = tempfile::tempdir().unwrap();
    let rsa_pem = write(
        dir.path(),
        "a2.key.pem",
        &vector("rfc7515.json", "a2_rs256", "private_pem"),
    );
    let ec_pem = write(
        dir.path(),
        "a3.key.pem",
        &vector("rfc7515.json", "a3_es256", "private_pem"),
    );
    let mut ed_jwk = vectors("rfc8037.json")["a4_eddsa"]["public_jwk"].clone();
    ed_jwk["d"] = vectors("rfc8037.json")["a4_eddsa"]["private_d"].clone();
    let ed_jwk = write(dir.path(), "ed25519.jwk.json", &ed_jwk.to_string());
    let hs_key = vector("rfc7515.json", "a1_hs256", "key_b64url");
    let payload = r#"{"iss":"joe","sub":"alice","aud":"api","iat":"now","nbf":"-1m","exp":"+1h","http://example.com/is_root":true}"#;

    // Every signature here is deterministic, so the whole token is compared: HMAC, RSA PKCS#1
    // v1.5 (RFC 8017 §8.2) and Ed25519 (RFC 8032 §5.1.6) by definition, and ES256 because the
    // p256 crate's `Signer` derives the nonce from key and message (RFC 6979) — checked: repeated
    // runs print the same token. PS256 is randomised (a random salt) and left out.
    let cases: Vec<(&str, Vec<&str>)> = vec![
        (
            "hs256-secret-b64",
            vec!["--alg", "HS256", "--secret-b64", &hs_key],
        ),
        (
            "hs256-weak-secret",
            vec!["--alg", "HS256", "--secret", "secret"],
        ),
        (
            "rs256-pem-default-kid",
            vec!["--alg", "RS256", "--key", &rsa_pem],
        ),
        (
            "rs256-pem-kid",
            vec!["--alg", "RS256", "--key", &rsa_pem, "--kid", "rsa-2011"],
        ),
        (
            "es256-pem-kid",
            vec!["--alg", "ES256", "--key", &ec_pem, "--kid", "ec-2011"],
        ),
        (
            "es256-pem-default-kid",
            vec!["--alg", "ES256", "--key", &ec_pem],
        ),
        ("eddsa-jwk", vec!["--alg", "EdDSA", "--key", &ed_jwk]),
        ("none", vec!["--alg", "none"]),
        (
            "header-members",
            vec![
                "--alg",
                "HS256",
                "--secret-b64",
                &hs_key,
                "--header",
                r#"{"typ":"at+jwt","cty":"example","zip":"DEF"}"#,
            ],
        ),
        (
            "literal-times",
            vec!["--alg", "HS256", "--secret-b64", &hs_key, "--literal-times"],
        ),
        // Errors: exit 2 and the error object.
        ("unsupported-alg", vec!["--alg", "HS999", "--secret", "s"]),
        ("missing-key", vec!["--alg", "RS256"]),
        ("none-with-key", vec!["--alg", "none", "--secret", "s"]),
        (
            "key-does-not-fit-alg",
            vec!["--alg", "ES256", "--key", &rsa_pem],
        ),
    ];
    for (case, options) in cases {
        let args = [
            &["encode", "--payload", payload][..],
            &options,
            &["--json", "--now", NOW],
        ]
        .concat();
        let out = tokenscope(&args);
        rec.check(
            case,
            &out,
            &temp_dir_as_placeholder(&stdout_text(&out), dir.path()),
        );
    }
    let out = tokenscope(&[
        "encode",
        "--alg",
        "HS256",
        "--secret",
        "s",
        "--payload",
        "{\"sub\":",
        "--json",
        "--now",
        NOW,
    ]);
    rec.check("payload-not-json", &out, &stdout_text(&out));
    rec.finish();
}

#[test]
fn keygen_json_output_is_unchanged() {
    let mut rec = Recordings::new("keygen");
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &[&str]); 10] = [
        ("rsa", &["--kty", "RSA"]),
        (
            "rsa-kid-alg",
            &["--kty", "RSA", "--kid", "my-key", "--alg", "PS256"],
        ),
        ("ec-p256", &["--kty", "EC"]),
        ("ec-p384", &["--kty", "EC", "--crv", "P-384"]),
        ("ec-p521", &["--kty", "EC", "--crv", "P-521"]),
        ("okp-ed25519", &["--kty", "OKP"]),
        // Errors: exit 2 and the error object.
        ("rsa-with-crv", &["--kty", "RSA", "--crv", "P-256"]),
        ("ec-unknown-curve", &["--kty", "EC", "--crv", "P-192"]),
        ("unknown-alg", &["--kty", "EC", "--alg", "XS256"]),
        ("exists", &["--kty", "EC"]),
    ];
    for (case, options) in cases {
        // Each case its own directory, but "exists" writes where "ec-p256" did.
        let out_dir = dir
            .path()
            .join(if case == "exists" { "ec-p256" } else { case });
        let out_dir = out_dir.to_string_lossy();
        let args = [&["keygen", "--out-dir", &out_dir][..], options, &["--json"]].concat();
        let out = tokenscope(&args);
        let stdout = temp_dir_as_placeholder(&stdout_text(&out), dir.path());
        rec.check(case, &out, &generated_keys_as_placeholders(&stdout));
    }
    rec.finish();
}

#[test]
fn discover_json_output_is_unchanged() {
    let mut rec = Recordings::new("discover");
    let well_known = "/.well-known/openid-configuration";
    // path → body, each as given to the server (`{{base}}` unreplaced).
    let mut served: Vec<(String, String)> = vec![("/jwks".into(), fixture_text("jwks.json"))];
    let providers = [
        ("google", "/google", "google.json"),
        (
            "entra-tenant",
            "/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0",
            "entra-tenant.json",
        ),
        ("entra-common", "/common/v2.0", "entra-common.json"),
        ("okta", "/oauth2/default", "okta.json"),
        ("auth0", "/auth0", "auth0.json"),
        ("keycloak", "/realms/demo", "keycloak.json"),
    ];
    for (_, issuer_path, file) in providers {
        served.push((format!("{issuer_path}{well_known}"), fixture_text(file)));
    }
    served.push((
        "/.well-known/oauth-authorization-server/realms/demo".into(),
        fixture_text("keycloak.json"),
    ));
    // Google's document with its keys at a path that answers 404.
    let mut doc: Value = serde_json::from_str(&fixture_text("google.json")).unwrap();
    doc["issuer"] = json!("{{base}}/no-jwks");
    doc["jwks_uri"] = json!("{{base}}/no-jwks/jwks");
    served.push((format!("/no-jwks{well_known}"), doc.to_string()));
    // Google's document with each broken JWK Set.
    let broken: Value = serde_json::from_str(&fixture_text("jwks-broken.json")).unwrap();
    let broken_cases: Vec<&String> = broken.as_object().unwrap().keys().collect();
    for case in &broken_cases {
        doc["issuer"] = json!(format!("{{{{base}}}}/broken/{case}"));
        doc["jwks_uri"] = json!(format!("{{{{base}}}}/broken/{case}/jwks"));
        served.push((format!("/broken/{case}{well_known}"), doc.to_string()));
        served.push((
            format!("/broken/{case}/jwks"),
            broken[case.as_str()].to_string(),
        ));
    }
    let server = TestServer::start(Vec::<(&'static str, Reply)>::new());
    for (path, body) in &served {
        server.set(path, Reply::json(body.clone()));
    }
    let normalise = |out: &Output| {
        let text = server_base_as_placeholder(&stdout_text(out), &server);
        served_lengths_as_fixture_lengths(&durations_as_zero(&text), &server, &served)
    };

    // Certificates in the JWK Sets are judged against the system clock (discover takes no
    // --now); the fixtures' are valid from 2025 to 2035, "expired-cert"'s expired in 2016.
    for (case, issuer_path, _) in providers {
        let out = tokenscope(&["discover", &server.url(issuer_path), "--json"]);
        rec.check(case, &out, &normalise(&out));
    }
    let out = tokenscope(&["discover", &server.url("/realms/demo"), "--oauth", "--json"]);
    rec.check("keycloak-oauth", &out, &normalise(&out));
    for case in broken_cases {
        let out = tokenscope(&[
            "discover",
            &server.url(&format!("/broken/{case}")),
            "--json",
        ]);
        rec.check(&format!("jwks-{case}"), &out, &normalise(&out));
    }
    // Failures: unreachable keys are a finding (exit 1, jwks null); missing metadata is a
    // fault (exit 2, the error object).
    let out = tokenscope(&["discover", &server.url("/no-jwks"), "--json"]);
    rec.check("jwks-not-found", &out, &normalise(&out));
    let out = tokenscope(&["discover", &server.url("/nowhere"), "--json"]);
    rec.check("metadata-not-found", &out, &normalise(&out));
    let out = tokenscope(&["discover", "not a url", "--json"]);
    rec.check("not-a-url", &out, &normalise(&out));
    rec.finish();
}
