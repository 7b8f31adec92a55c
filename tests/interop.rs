//! Interop with an independent implementation: tokens that `jose` (Node) signs, for every
//! algorithm and every public-key form, verify in Tokenscope; tampered ones fail on `signature`
//! and on nothing else.

use std::path::PathBuf;
use std::process::Command;

use serde_json::{json, Value};

use crate::util::{stdout_json, tokenscope};

fn jose_minted() -> Value {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/interop");
    assert!(
        dir.join("node_modules/jose").is_dir(),
        "the interop helper is not installed: run scripts/setup.sh (or `npm install --no-audit --no-fund --prefix tests/interop`)"
    );
    let out = Command::new("node")
        .arg("sign.mjs")
        .current_dir(&dir)
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "sign.mjs failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("sign.mjs prints JSON")
}

fn check_status<'a>(report: &'a Value, name: &str) -> &'a str {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap()["status"]
        .as_str()
        .unwrap()
}

fn verify(token: &str, key_args: &[&str], now: &str) -> (Option<i32>, Value) {
    let mut args = vec![
        "verify",
        token,
        "--json",
        "--now",
        now,
        "--iss",
        "https://jose.example",
        "--aud",
        "tokenscope",
    ];
    args.extend_from_slice(key_args);
    let out = tokenscope(&args);
    (out.status.code(), stdout_json(&out))
}

#[test]
fn jose_signed_tokens_verify_for_every_algorithm_and_key_form() {
    let minted = jose_minted();
    let now = minted["now"].to_string();
    let cases = minted["cases"].as_array().unwrap();
    assert_eq!(
        cases.len(),
        13,
        "HS256/384/512, RS*, PS*, ES256/384/512 and EdDSA"
    );
    let dir = tempfile::tempdir().unwrap();
    let all_public: Vec<&Value> = cases.iter().filter_map(|c| c.get("jwk")).collect();
    let jwks_path = dir.path().join("all.jwks.json");
    std::fs::write(&jwks_path, json!({ "keys": all_public }).to_string()).unwrap();
    let jwks_path = jwks_path.display().to_string();

    for case in cases {
        let alg = case["alg"].as_str().unwrap();
        let token = case["token"].as_str().unwrap();
        let mut key_forms: Vec<Vec<String>> = Vec::new();
        if let Some(secret) = case["secret_b64url"].as_str() {
            key_forms.push(vec!["--secret-b64".into(), secret.into()]);
        } else {
            let jwk = dir.path().join(format!("{alg}.jwk.json"));
            std::fs::write(&jwk, case["jwk"].to_string()).unwrap();
            let pem = dir.path().join(format!("{alg}.pem"));
            std::fs::write(&pem, case["spki"].as_str().unwrap()).unwrap();
            key_forms.push(vec!["--key".into(), jwk.display().to_string()]);
            key_forms.push(vec!["--key".into(), pem.display().to_string()]);
            // The whole set: the key is picked by kid.
            key_forms.push(vec!["--key".into(), jwks_path.clone()]);
        }
        for form in &key_forms {
            let form: Vec<&str> = form.iter().map(String::as_str).collect();
            let (code, report) = verify(token, &form, &now);
            assert_eq!(code, Some(0), "{alg} with {form:?}: {report:#}");
            assert_eq!(report["alg"], alg);

            let (code, report) = verify(case["tampered"].as_str().unwrap(), &form, &now);
            assert_eq!(code, Some(1), "{alg} tampered with {form:?}");
            assert_eq!(check_status(&report, "signature"), "fail", "{alg} {form:?}");
            for other in ["alg", "exp", "iat", "iss", "aud"] {
                assert_eq!(
                    check_status(&report, other),
                    "pass",
                    "{alg} {form:?}: only the signature should fail, not {other}"
                );
            }
        }
    }
}
