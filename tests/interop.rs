//! Interop with an independent implementation: tokens that `jose` (Node) signs, for every
//! algorithm and every key form (JWK, JWKS, SPKI, PKCS#1 and X.509 certificate PEM; a secret as
//! text and as standard and URL-safe base64), verify in Tokenscope; tampered ones fail on
//! `signature` and on nothing else.

use std::path::PathBuf;
use std::process::Command;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use serde_json::{json, Value};

use crate::util::{report_check, stdout_json, tokenscope};

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
        let key_file = |name: &str, text: &str| {
            let path = dir.path().join(format!("{alg}.{name}"));
            std::fs::write(&path, text).unwrap();
            vec!["--key".to_owned(), path.display().to_string()]
        };
        if let Some(text) = case["secret_text"].as_str() {
            key_forms.push(vec!["--secret".into(), text.into()]);
            let standard = STANDARD.encode(text);
            assert!(standard.ends_with('='), "{alg}: a padded form is tested");
            key_forms.push(vec!["--secret-b64".into(), standard]);
            key_forms.push(vec!["--secret-b64".into(), URL_SAFE_NO_PAD.encode(text)]);
        } else {
            key_forms.push(key_file("jwk.json", &case["jwk"].to_string()));
            key_forms.push(key_file("spki.pem", case["spki"].as_str().unwrap()));
            key_forms.push(key_file("cert.pem", case["certificate"].as_str().unwrap()));
            if let Some(pkcs1) = case["pkcs1"].as_str() {
                assert!(pkcs1.starts_with("-----BEGIN RSA PUBLIC KEY-----"));
                key_forms.push(key_file("pkcs1.pem", pkcs1));
            }
            // The whole set: the key is picked by kid.
            key_forms.push(vec!["--key".into(), jwks_path.clone()]);
        }
        let expected_forms = match &alg[..2] {
            "HS" => 3,
            "RS" | "PS" => 5, // PKCS#1 too
            _ => 4,
        };
        assert_eq!(key_forms.len(), expected_forms, "{alg}");
        for form in &key_forms {
            let form: Vec<&str> = form.iter().map(String::as_str).collect();
            let (code, report) = verify(token, &form, &now);
            assert_eq!(code, Some(0), "{alg} with {form:?}: {report:#}");
            assert_eq!(report["alg"], alg);

            let (code, report) = verify(case["tampered"].as_str().unwrap(), &form, &now);
            assert_eq!(code, Some(1), "{alg} tampered with {form:?}");
            assert_eq!(
                report_check(&report, "signature")["status"],
                "fail",
                "{alg} {form:?}"
            );
            let failed: Vec<&str> = report["checks"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| c["status"] == "fail")
                .map(|c| c["name"].as_str().unwrap())
                .collect();
            assert_eq!(
                failed,
                ["signature"],
                "{alg} {form:?}: only the signature fails"
            );
            for other in ["alg", "exp", "iat", "iss", "aud"] {
                assert_eq!(
                    report_check(&report, other)["status"],
                    "pass",
                    "{alg} {form:?}: {other}"
                );
            }
        }
    }
}
