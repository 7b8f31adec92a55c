//! Decode and verify throughput: `cargo bench --bench tokens`. Results go in the README's
//! performance section; nothing here asserts a time.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use criterion::{criterion_group, criterion_main, Criterion};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use tokenscope::jwk::{keys_from_text, KeyMaterial, KeySource, VerificationKey};
use tokenscope::jwt::decode_unverified;
use tokenscope::jwt::verify::{verify_token, CheckStatus, VerifyOptions};
use tokenscope::secret::SecretBytes;

const NOW: i64 = 1_700_000_000;

fn vectors(name: &str) -> Value {
    let path = format!("{}/tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).expect("vector file")).expect("JSON")
}

fn claims() -> Value {
    json!({"iss": "https://op.example.com", "sub": "alice", "aud": "client", "iat": NOW, "exp": NOW + 600, "scope": "openid profile"})
}

fn bench(c: &mut Criterion) {
    let rfc = vectors("rfc7515.json");
    let ed = vectors("rfc8037.json");
    let text = |v: &Value| v.as_str().expect("string").to_owned();

    let secret = b"a-benchmark-secret-of-32-bytes!!";
    let hs = encode(
        &Header::new(Algorithm::HS256),
        &claims(),
        &EncodingKey::from_secret(secret),
    )
    .expect("sign");
    let rs = encode(
        &Header::new(Algorithm::RS256),
        &claims(),
        &EncodingKey::from_rsa_pem(text(&rfc["a2_rs256"]["private_pem"]).as_bytes()).expect("key"),
    )
    .expect("sign");
    let es = encode(
        &Header::new(Algorithm::ES256),
        &claims(),
        &EncodingKey::from_ec_pem(text(&rfc["a3_es256"]["private_pem"]).as_bytes()).expect("key"),
    )
    .expect("sign");
    let eddsa = text(&ed["a4_eddsa"]["token"]);

    let hs_keys = vec![VerificationKey::new(
        KeyMaterial::Hmac(SecretBytes::new(secret.to_vec())),
        KeySource::Secret,
    )];
    let rs_keys = keys_from_text(&text(&rfc["a2_rs256"]["public_pem"]), None).expect("key");
    let es_keys = keys_from_text(&text(&rfc["a3_es256"]["public_pem"]), None).expect("key");
    let ed_keys = keys_from_text(&ed["a4_eddsa"]["public_jwk"].to_string(), None).expect("key");
    let options = VerifyOptions::at(NOW);

    c.bench_function("decode", |b| {
        b.iter(|| decode_unverified(std::hint::black_box(&rs), NOW))
    });
    // Issue 2's goal: a 4 MiB token decodes "in well under a second".
    let big_payload = json!({"blob": "x".repeat(3 * 1024 * 1024)}).to_string();
    let big = format!(
        "eyJhbGciOiJIUzI1NiJ9.{}.c2ln",
        URL_SAFE_NO_PAD.encode(big_payload)
    );
    assert!(big.len() > 4 * 1024 * 1024);
    c.bench_function("decode_4mib", |b| {
        b.iter(|| decode_unverified(std::hint::black_box(&big), NOW))
    });
    for (name, token, keys) in [
        ("verify_hs256", &hs, &hs_keys),
        ("verify_rs256", &rs, &rs_keys),
        ("verify_es256", &es, &es_keys),
        ("verify_eddsa", &eddsa, &ed_keys),
    ] {
        // Time the path that succeeds: a failing signature would return early.
        let report = verify_token(token, keys, &options).expect("verifies");
        assert!(report.valid, "{name}: {:?}", report.checks);
        assert!(
            report
                .checks
                .iter()
                .any(|c| c.name == "signature" && c.status == CheckStatus::Pass),
            "{name}: {:?}",
            report.checks
        );
        c.bench_function(name, |b| {
            b.iter(|| verify_token(std::hint::black_box(token), keys, &options))
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
