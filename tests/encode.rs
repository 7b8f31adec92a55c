//! Encoding and signing: round trips through verification for every algorithm, the RFC
//! vectors re-signed, key formats and mismatches, `alg: none`, key generation and export, the
//! `tokenscope encode` / `keygen` CLI contract, and interop with an independent implementation
//! (`jose`, in `tests/interop/`).

use std::path::Path;
use std::process::{Command, Output, Stdio};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{json, Map, Value};
use tokenscope::jose::alg::JwsAlg;
use tokenscope::jwk::{
    generate_key_pair, keys_from_text, secret_from_base64, EcCurve, GenerateOptions,
    GeneratedKeyPair, KeyMaterial, KeySource, KeySpec, SigningKey, VerificationKey,
};
use tokenscope::jwt::encode::{apply_claim_helpers, random_jti, ClaimHelpers};
use tokenscope::jwt::verify::{verify_token, CheckStatus, VerifyOptions, VerifyReport};
use tokenscope::jwt::{
    decode_unverified, encode_json, encode_token, sign_segments, EncodeAlg, EncodeOptions,
    EncodedToken, KidChoice,
};
use tokenscope::secret::SecretBytes;
use tokenscope::ErrorCode as _;

use crate::util::{stderr, tokenscope, vector, vectors};

const NOW: i64 = 1_700_000_000;
const SECRET: &[u8] = b"a-shared-secret-of-at-least-64-bytes-so-every-HS-size-is-happy!!";

fn spec_for(alg: JwsAlg) -> Option<KeySpec> {
    Some(match alg {
        JwsAlg::HS256 | JwsAlg::HS384 | JwsAlg::HS512 => return None,
        JwsAlg::ES256 => KeySpec::Ec { crv: EcCurve::P256 },
        JwsAlg::ES384 => KeySpec::Ec { crv: EcCurve::P384 },
        JwsAlg::ES512 => KeySpec::Ec { crv: EcCurve::P521 },
        JwsAlg::EdDSA => KeySpec::Ed25519,
        _ => KeySpec::Rsa { bits: 2048 },
    })
}

/// A fresh key pair whose JWKs say `alg`.
fn pair_for(alg: JwsAlg) -> GeneratedKeyPair {
    let spec = spec_for(alg).expect("asymmetric algorithm");
    let options = GenerateOptions {
        kid: None,
        alg: Some(alg),
    };
    generate_key_pair(spec, &options).unwrap()
}

fn secret_key() -> SigningKey {
    SigningKey::from_secret(SecretBytes::new(SECRET.to_vec()))
}

fn hmac_keys(secret: &[u8]) -> Vec<VerificationKey> {
    vec![VerificationKey::new(
        KeyMaterial::Hmac(SecretBytes::new(secret.to_vec())),
        KeySource::Secret,
    )]
}

fn payload() -> Map<String, Value> {
    json!({"iss": "https://issuer.example", "sub": "alice", "aud": "api", "iat": NOW, "exp": NOW + 900})
        .as_object()
        .cloned()
        .unwrap()
}

fn mint(alg: JwsAlg, key: &SigningKey) -> EncodedToken {
    encode_token(
        Map::new(),
        payload(),
        Some(key),
        &EncodeOptions::new(EncodeAlg::Signed(alg), NOW),
    )
    .unwrap_or_else(|e| panic!("{alg}: {e}"))
}

fn verify(token: &str, keys: &[VerificationKey]) -> VerifyReport {
    verify_token(token, keys, &VerifyOptions::at(NOW + 1)).unwrap()
}

fn status(report: &VerifyReport, name: &str) -> CheckStatus {
    report
        .checks
        .iter()
        .find(|c| c.name == name)
        .unwrap()
        .status
}

fn tamper(token: &str) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    let mut claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    claims["sub"] = json!("mallory");
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap());
    format!("{}.{payload}.{}", parts[0], parts[2])
}

fn header_of(token: &str) -> Value {
    segment_json(token, 0)
}

fn payload_of(token: &str) -> Value {
    segment_json(token, 1)
}

fn segment_json(token: &str, index: usize) -> Value {
    let segment = token.split('.').nth(index).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(segment).unwrap()).unwrap()
}

fn err_code<T: std::fmt::Debug>(r: Result<T, impl tokenscope::ErrorCode>) -> String {
    r.map(|v| panic!("expected an error, got {v:?}"))
        .unwrap_err()
        .code()
        .to_owned()
}

// ---- Round trips through verification ------------------------------------------------------

#[test]
fn every_algorithm_round_trips_through_verify_with_the_exported_jwk_and_pem() {
    for alg in JwsAlg::ALL {
        let (token, jwk_keys, pem_keys) = match spec_for(alg) {
            None => (
                mint(alg, &secret_key()).token,
                hmac_keys(SECRET),
                hmac_keys(SECRET),
            ),
            Some(_) => {
                let pair = pair_for(alg);
                let token = mint(alg, pair.signing_key()).token;
                let jwks = pair.public().jwks.to_string();
                (
                    token,
                    keys_from_text(&jwks, None).unwrap(),
                    keys_from_text(&pair.public().pem, None).unwrap(),
                )
            }
        };
        for (form, keys) in [("jwk", &jwk_keys), ("pem", &pem_keys)] {
            let r = verify(&token, keys);
            assert!(r.valid, "{alg} via {form}: {r:#?}");
            assert_eq!(r.alg.as_deref(), Some(alg.name()));
            let r = verify(&tamper(&token), keys);
            assert_eq!(
                status(&r, "signature"),
                CheckStatus::Fail,
                "{alg} via {form}: tampered token passed"
            );
        }
        if let Some(len) = alg.fixed_signature_len() {
            let sig = URL_SAFE_NO_PAD
                .decode(token.rsplit('.').next().unwrap())
                .unwrap();
            assert_eq!(
                sig.len(),
                len,
                "{alg}: JWS needs raw R‖S / Ed25519 signatures"
            );
        }
    }
}

#[test]
fn signing_keys_read_from_every_private_format_verify_the_same_way() {
    use p256::pkcs8::DecodePrivateKey as _;
    use rsa::pkcs1::EncodeRsaPrivateKey as _;

    let rsa = generate_key_pair(KeySpec::Rsa { bits: 2048 }, &GenerateOptions::default()).unwrap();
    let ec = generate_key_pair(
        KeySpec::Ec { crv: EcCurve::P384 },
        &GenerateOptions::default(),
    )
    .unwrap();
    let ed = generate_key_pair(KeySpec::Ed25519, &GenerateOptions::default()).unwrap();

    let rsa_pkcs8 = rsa.export_private_pem().unwrap();
    let pkcs1 = rsa::RsaPrivateKey::from_pkcs8_pem(rsa_pkcs8.expose_secret())
        .unwrap()
        .to_pkcs1_pem(rsa::pkcs8::LineEnding::LF)
        .unwrap();
    assert!(pkcs1.starts_with("-----BEGIN RSA PRIVATE KEY-----"));
    let sec1 = p384::SecretKey::from_pkcs8_pem(ec.export_private_pem().unwrap().expose_secret())
        .unwrap()
        .to_sec1_pem(p384::pkcs8::LineEnding::LF)
        .unwrap();
    assert!(sec1.starts_with("-----BEGIN EC PRIVATE KEY-----"));
    // `openssl ecparam -genkey` writes an EC PARAMETERS block first.
    let sec1_with_params = format!(
        "-----BEGIN EC PARAMETERS-----\nBgUrgQQAIg==\n-----END EC PARAMETERS-----\n{}",
        sec1.as_str()
    );

    let cases: Vec<(&str, &GeneratedKeyPair, JwsAlg, String)> = vec![
        (
            "RSA PKCS#8",
            &rsa,
            JwsAlg::PS384,
            rsa_pkcs8.expose_secret().to_owned(),
        ),
        ("RSA PKCS#1", &rsa, JwsAlg::RS512, pkcs1.to_string()),
        (
            "RSA JWK",
            &rsa,
            JwsAlg::RS256,
            rsa.export_private_jwk().unwrap().expose_secret().to_owned(),
        ),
        (
            "EC PKCS#8",
            &ec,
            JwsAlg::ES384,
            ec.export_private_pem().unwrap().expose_secret().to_owned(),
        ),
        ("EC SEC1", &ec, JwsAlg::ES384, sec1_with_params),
        (
            "EC JWK",
            &ec,
            JwsAlg::ES384,
            ec.export_private_jwk().unwrap().expose_secret().to_owned(),
        ),
        (
            "Ed25519 PKCS#8",
            &ed,
            JwsAlg::EdDSA,
            ed.export_private_pem().unwrap().expose_secret().to_owned(),
        ),
        (
            "Ed25519 JWK",
            &ed,
            JwsAlg::EdDSA,
            ed.export_private_jwk().unwrap().expose_secret().to_owned(),
        ),
    ];
    for (name, pair, alg, text) in cases {
        let key = SigningKey::from_text(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            key.thumbprint().as_deref(),
            Some(pair.public().thumbprint.as_str()),
            "{name}"
        );
        let token = mint(alg, &key).token;
        let r = verify(&token, &keys_from_text(&pair.public().pem, None).unwrap());
        assert!(r.valid, "{name}: {r:#?}");
    }
}

#[test]
fn rsa_private_jwk_without_primes_is_recovered_from_n_e_d() {
    let rsa = generate_key_pair(KeySpec::Rsa { bits: 2048 }, &GenerateOptions::default()).unwrap();
    let mut jwk: Value =
        serde_json::from_str(rsa.export_private_jwk().unwrap().expose_secret()).unwrap();
    for member in ["p", "q", "dp", "dq", "qi"] {
        assert!(
            jwk.as_object_mut().unwrap().remove(member).is_some(),
            "{member} exported"
        );
    }
    let key = SigningKey::from_jwk(&jwk).unwrap();
    let r = verify(
        &mint(JwsAlg::RS256, &key).token,
        &keys_from_text(&rsa.public().pem, None).unwrap(),
    );
    assert!(r.valid, "{r:#?}");
}

// ---- Deterministic RFC vectors -------------------------------------------------------------

#[test]
fn rfc7515_a1_hs256_is_reproduced_from_its_exact_segments() {
    let token = vector("rfc7515.json", "a1_hs256", "token");
    let parts: Vec<&str> = token.split('.').collect();
    let key = SigningKey::from_secret(
        secret_from_base64(&vector("rfc7515.json", "a1_hs256", "key_b64url")).unwrap(),
    );
    // The header holds a CRLF and spaces: only the original bytes give the RFC's signature.
    assert_eq!(
        sign_segments(parts[0], parts[1], &key, JwsAlg::HS256).unwrap(),
        "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    );
}

#[test]
fn rfc7515_a2_rs256_is_reproduced_from_its_private_key() {
    let token = vector("rfc7515.json", "a2_rs256", "token");
    let parts: Vec<&str> = token.split('.').collect();
    let key = SigningKey::from_pem(&vector("rfc7515.json", "a2_rs256", "private_pem")).unwrap();
    assert_eq!(key.describe(), "an RSA 2048 key");
    assert_eq!(
        sign_segments(parts[0], parts[1], &key, JwsAlg::RS256).unwrap(),
        parts[2]
    );
}

#[test]
fn rfc8037_a4_eddsa_token_is_reproduced_from_its_private_d() {
    let v = vectors("rfc8037.json");
    let mut jwk = v["a4_eddsa"]["public_jwk"].clone();
    jwk["d"] = v["a4_eddsa"]["private_d"].clone();
    let key = SigningKey::from_jwk(&jwk).unwrap();
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"EdDSA"}"#);
    let payload = URL_SAFE_NO_PAD.encode(v["a4_eddsa"]["payload_text"].as_str().unwrap());
    let signature = sign_segments(&header, &payload, &key, JwsAlg::EdDSA).unwrap();
    assert_eq!(
        format!("{header}.{payload}.{signature}"),
        v["a4_eddsa"]["token"].as_str().unwrap()
    );
}

#[test]
fn rfc7515_a3_es256_private_key_signs_tokens_its_public_key_verifies() {
    // ECDSA is randomised in the RFC, so only the round trip can be checked.
    let key = SigningKey::from_pem(&vector("rfc7515.json", "a3_es256", "private_pem")).unwrap();
    let keys = keys_from_text(&vector("rfc7515.json", "a3_es256", "public_pem"), None).unwrap();
    assert!(verify(&mint(JwsAlg::ES256, &key).token, &keys).valid);
}

// ---- Header, kid, typ, order ---------------------------------------------------------------

#[test]
fn header_gets_alg_typ_and_thumbprint_kid_by_default() {
    let pair = pair_for(JwsAlg::ES256);
    let t = mint(JwsAlg::ES256, pair.signing_key());
    assert_eq!(
        t.header,
        json!({"alg": "ES256", "typ": "JWT", "kid": pair.public().thumbprint})
    );
    assert_eq!(
        header_of(&t.token),
        t.header,
        "the encoded header is the reported one"
    );
    assert_eq!(t.kid.as_deref(), Some(pair.public().kid.as_str()));
    assert!(!t.unsecured);
    assert!(t.findings.is_empty(), "{:?}", t.findings);

    let t = mint(JwsAlg::HS256, &secret_key());
    assert_eq!(
        t.header,
        json!({"alg": "HS256", "typ": "JWT"}),
        "secrets get no kid"
    );
    assert_eq!(t.kid, None);
}

#[test]
fn header_members_and_payload_order_are_kept_and_kid_choices_apply() {
    let pair = pair_for(JwsAlg::EdDSA);
    let header = r#"{"typ": "at+jwt", "alg": "RS256", "kid": "from-header", "x-custom": [1, 2]}"#;
    let payload = r#"{"zeta": 1, "alpha": {"b": 2, "a": 1}, "mid": "m"}"#;
    let opts = EncodeOptions::new(EncodeAlg::Signed(JwsAlg::EdDSA), NOW);
    let t = encode_json(header, payload, Some(pair.signing_key()), &opts).unwrap();
    assert_eq!(
        serde_json::to_string(&header_of(&t.token)).unwrap(),
        r#"{"alg":"EdDSA","kid":"from-header","typ":"at+jwt","x-custom":[1,2]}"#
    );
    let payload_text = String::from_utf8(
        URL_SAFE_NO_PAD
            .decode(t.token.split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        payload_text,
        r#"{"zeta":1,"alpha":{"b":2,"a":1},"mid":"m"}"#
    );
    assert!(
        t.findings.iter().any(|f| f.code == "header-alg-replaced"),
        "{:?}",
        t.findings
    );

    let set = EncodeOptions {
        kid: KidChoice::Set("chosen".into()),
        ..opts.clone()
    };
    let t = encode_json(header, payload, Some(pair.signing_key()), &set).unwrap();
    assert_eq!(header_of(&t.token)["kid"], "chosen");
    let omit = EncodeOptions {
        kid: KidChoice::Omit,
        default_typ: false,
        ..opts.clone()
    };
    let t = encode_json("", payload, Some(pair.signing_key()), &omit).unwrap();
    assert_eq!(header_of(&t.token), json!({"alg": "EdDSA"}));
    // A kid naming the key still verifies against the JWKS (whose kid is the thumbprint).
    let t = encode_json("{}", payload, Some(pair.signing_key()), &opts).unwrap();
    let keys = keys_from_text(&pair.public().jwks.to_string(), None).unwrap();
    assert!(verify(&t.token, &keys).valid);
}

#[test]
fn relative_times_expand_only_when_asked() {
    let key = secret_key();
    let payload =
        r#"{"iat": "now", "nbf": "-1m", "exp": "+15m", "auth_time": "now-2h", "note": "+15m"}"#;
    let mut opts = EncodeOptions::new(EncodeAlg::Signed(JwsAlg::HS256), NOW);
    let kept = encode_json("", payload, Some(&key), &opts).unwrap();
    assert_eq!(kept.payload["exp"], "+15m");
    let not_numeric: Vec<&str> = kept
        .findings
        .iter()
        .filter(|f| f.code == "time-not-numeric")
        .map(|f| f.message.split('"').nth(1).unwrap())
        .collect();
    assert_eq!(not_numeric, ["iat", "nbf", "exp", "auth_time"]);
    opts.relative_times = true;
    let t = encode_json("", payload, Some(&key), &opts).unwrap();
    assert_eq!(
        t.payload,
        json!({"iat": NOW, "nbf": NOW - 60, "exp": NOW + 900, "auth_time": NOW - 7200, "note": "+15m"})
    );
    let decoded = decode_unverified(&t.token, NOW).unwrap();
    assert_eq!(decoded.payload.as_ref().unwrap()["exp"], json!(NOW + 900));
    let err = encode_json("", r#"{"exp": "tomorrow"}"#, Some(&key), &opts).unwrap_err();
    assert_eq!(err.code(), "encode.invalid_time");
    assert!(err.to_string().contains("\"exp\""), "{err}");
}

#[test]
fn claim_helpers_write_standard_claims() {
    let mut payload = json!({"sub": "old", "custom": true})
        .as_object()
        .cloned()
        .unwrap();
    let helpers = ClaimHelpers {
        iss: Some("https://issuer.example".into()),
        sub: Some("bob".into()),
        aud: vec!["api".into(), "web".into()],
        iat: Some("now".into()),
        nbf: None,
        exp: Some("+1h".into()),
        jti: true,
    };
    apply_claim_helpers(&mut payload, &helpers, NOW).unwrap();
    assert_eq!(payload["sub"], "bob");
    assert_eq!(payload["aud"], json!(["api", "web"]));
    assert_eq!(
        (payload["iat"].as_i64(), payload["exp"].as_i64()),
        (Some(NOW), Some(NOW + 3600))
    );
    assert_eq!(payload["jti"].as_str().unwrap().len(), 22);
    assert!(!payload.contains_key("nbf"));
    assert_eq!(
        payload.keys().next().unwrap(),
        "sub",
        "existing members keep their place"
    );
    let one = ClaimHelpers {
        aud: vec!["api".into()],
        ..Default::default()
    };
    apply_claim_helpers(&mut payload, &one, NOW).unwrap();
    assert_eq!(
        payload["aud"], "api",
        "a single audience is a string (RFC 7519 §4.1.3)"
    );
    assert_ne!(random_jti(), random_jti());
}

// ---- alg none, mismatches, bad keys --------------------------------------------------------

#[test]
fn alg_none_is_unsigned_flagged_and_rejected_by_verify() {
    let t = encode_token(
        Map::new(),
        payload(),
        None,
        &EncodeOptions::new(EncodeAlg::Unsecured, NOW),
    )
    .unwrap();
    assert!(t.token.ends_with('.'), "empty signature: {}", t.token);
    assert!(t.unsecured);
    assert_eq!(t.header, json!({"alg": "none", "typ": "JWT"}));
    assert!(t.findings.iter().any(|f| f.code == "alg-none"));
    let r = verify(&t.token, &hmac_keys(SECRET));
    assert!(!r.valid);
    assert_eq!(status(&r, "alg"), CheckStatus::Fail);
    // Never by accident: a signed algorithm without a key is an error, not an unsigned token.
    let e = encode_token(
        Map::new(),
        payload(),
        None,
        &EncodeOptions::new(EncodeAlg::Signed(JwsAlg::HS256), NOW),
    );
    assert_eq!(err_code(e), "encode.missing_key");
    assert_eq!(EncodeAlg::parse("none"), Some(EncodeAlg::Unsecured));
    assert_eq!(
        EncodeAlg::parse("None"),
        None,
        "alg names are case-sensitive"
    );
}

#[test]
fn key_and_algorithm_mismatches_are_clear_errors() {
    let rsa = SigningKey::from_pem(&vector("rfc7515.json", "a2_rs256", "private_pem")).unwrap();
    let opts = |alg| EncodeOptions::new(EncodeAlg::Signed(alg), NOW);
    let err = encode_token(Map::new(), payload(), Some(&rsa), &opts(JwsAlg::ES256)).unwrap_err();
    assert_eq!(err.code(), "encode.key_mismatch");
    assert_eq!(
        err.to_string(),
        "ES256 needs a P-256 EC key; this is an RSA 2048 key"
    );
    let err = encode_token(Map::new(), payload(), Some(&rsa), &opts(JwsAlg::HS256)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "HS256 needs a shared secret; this is an RSA 2048 key"
    );
    let err = encode_token(
        Map::new(),
        payload(),
        Some(&secret_key()),
        &opts(JwsAlg::RS256),
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("RS256 needs an RSA key; this is a shared secret"),
        "{err}"
    );
    let p384 = pair_for(JwsAlg::ES384);
    let err = sign_segments("e30", "e30", p384.signing_key(), JwsAlg::ES256).unwrap_err();
    assert_eq!(
        err.to_string(),
        "ES256 needs a P-256 EC key; this is an EC P-384 key"
    );
    // A generated key's JWK says ES384; a token the JWKS would reject is refused up front.
    let ed = pair_for(JwsAlg::EdDSA);
    assert_eq!(
        err_code(encode_token(
            Map::new(),
            payload(),
            Some(ed.signing_key()),
            &opts(JwsAlg::ES256)
        )),
        "encode.key_mismatch"
    );
    let rs = generate_key_pair(KeySpec::Rsa { bits: 2048 }, &GenerateOptions::default()).unwrap();
    let err = encode_token(
        Map::new(),
        payload(),
        Some(rs.signing_key()),
        &opts(JwsAlg::PS256),
    )
    .unwrap_err();
    assert_eq!(err.code(), "encode.key_mismatch");
    assert!(err.to_string().contains("\"RS256\""), "{err}");
}

#[test]
fn weak_and_empty_secrets() {
    let short = SigningKey::from_secret(SecretBytes::new(b"secret".to_vec()));
    let t = mint(JwsAlg::HS256, &short);
    assert!(
        t.findings.iter().any(|f| f.code == "weak-secret"),
        "{:?}",
        t.findings
    );
    // A real signature, and still not a valid token: verification fails key-strength.
    let report = verify(&t.token, &hmac_keys(b"secret"));
    assert_eq!(status(&report, "signature"), CheckStatus::Pass);
    assert_eq!(status(&report, "key-strength"), CheckStatus::Fail);
    assert!(!report.valid);
    let empty = SigningKey::from_secret(SecretBytes::new(Vec::new()));
    let opts = EncodeOptions::new(EncodeAlg::Signed(JwsAlg::HS256), NOW);
    assert_eq!(
        err_code(encode_token(Map::new(), payload(), Some(&empty), &opts)),
        "key.invalid"
    );
}

#[test]
fn public_or_unusable_key_text_cannot_sign() {
    let public_pem = vector("rfc7515.json", "a2_rs256", "public_pem");
    let e = SigningKey::from_text(&public_pem).unwrap_err();
    assert!(
        e.to_string().contains("signing needs the private key"),
        "{e}"
    );
    let v = vectors("rfc8037.json");
    let e = SigningKey::from_jwk(&v["a4_eddsa"]["public_jwk"]).unwrap_err();
    assert!(e.to_string().contains("no \"d\""), "{e}");
    // d and x that belong to different keys.
    let mut jwk = v["a4_eddsa"]["public_jwk"].clone();
    jwk["d"] = json!(URL_SAFE_NO_PAD.encode([7u8; 32]));
    assert!(SigningKey::from_jwk(&jwk)
        .unwrap_err()
        .to_string()
        .contains("does not match"));
    let e = SigningKey::from_pem(
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMAA=\n-----END ENCRYPTED PRIVATE KEY-----\n",
    )
    .unwrap_err();
    assert_eq!(e.code(), "key.unsupported");
    assert_eq!(
        SigningKey::from_text("not a key").unwrap_err().code(),
        "key.unreadable"
    );
}

#[test]
fn json_input_errors_name_the_part_and_position() {
    let key = secret_key();
    let opts = EncodeOptions::new(EncodeAlg::Signed(JwsAlg::HS256), NOW);
    let err = encode_json("", "{\"a\": 1,\n \"b\": }", Some(&key), &opts).unwrap_err();
    assert_eq!(err.code(), "encode.invalid_json");
    assert!(
        err.to_string()
            .starts_with("the payload is not valid JSON at line 2, column 7"),
        "{err}"
    );
    let err = encode_json("{\"typ\"", "{}", Some(&key), &opts).unwrap_err();
    assert!(
        err.to_string().starts_with("the header is not valid JSON"),
        "{err}"
    );
    let err = encode_json("", "\"just a string\"", Some(&key), &opts).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the payload must be a JSON object, not a string"
    );
    let deep = format!(
        "{}{}",
        "{\"a\":".repeat(200),
        "1".to_owned() + &"}".repeat(200)
    );
    assert_eq!(
        err_code(encode_json("", &deep, Some(&key), &opts)),
        "encode.too_deep"
    );
}

// ---- Generation and export -----------------------------------------------------------------

#[test]
fn generated_keys_export_public_jwk_jwks_and_pem_with_thumbprint_kid() {
    for (spec, kty, crv, alg) in [
        (
            KeySpec::Ec { crv: EcCurve::P256 },
            "EC",
            Some("P-256"),
            "ES256",
        ),
        (
            KeySpec::Ec { crv: EcCurve::P384 },
            "EC",
            Some("P-384"),
            "ES384",
        ),
        (
            KeySpec::Ec { crv: EcCurve::P521 },
            "EC",
            Some("P-521"),
            "ES512",
        ),
        (KeySpec::Ed25519, "OKP", Some("Ed25519"), "EdDSA"),
        (KeySpec::Rsa { bits: 2048 }, "RSA", None, "RS256"),
    ] {
        let pair = generate_key_pair(spec, &GenerateOptions::default()).unwrap();
        let p = pair.public();
        assert_eq!(
            (p.kty.as_str(), p.curve.map(|c| c.as_str()), p.alg.as_str()),
            (kty, crv, alg)
        );
        assert_eq!(
            p.kid, p.thumbprint,
            "kid defaults to the RFC 7638 thumbprint"
        );
        assert_eq!(p.jwk["use"], "sig");
        assert_eq!(p.jwk["alg"], alg);
        assert_eq!(p.jwk["kid"], p.kid.as_str());
        assert!(
            p.jwk.get("d").is_none(),
            "public JWK carries no private member"
        );
        assert_eq!(p.jwks, json!({"keys": [p.jwk.clone()]}));
        assert!(
            p.pem.starts_with("-----BEGIN PUBLIC KEY-----\n"),
            "{}",
            p.pem
        );
        let from_pem = keys_from_text(&p.pem, None).unwrap();
        assert_eq!(from_pem[0].material.thumbprint(), p.thumbprint);
        let private_pem = pair.export_private_pem().unwrap();
        assert!(private_pem
            .expose_secret()
            .starts_with("-----BEGIN PRIVATE KEY-----\n"));
        let private_jwk: Value =
            serde_json::from_str(pair.export_private_jwk().unwrap().expose_secret()).unwrap();
        assert!(private_jwk["d"].is_string());
        assert_eq!(private_jwk["kid"], p.kid.as_str());
        // Neither Debug nor the serialisable public part leaks the private key.
        let d = private_jwk["d"].as_str().unwrap();
        let shown = format!("{pair:?} {}", serde_json::to_string(p).unwrap());
        assert!(!shown.contains(d), "private key leaked");
        assert_eq!(
            p.size_bits,
            if kty == "RSA" {
                2048
            } else {
                pair.signing_key().size_bits()
            }
        );
    }
    let chosen = generate_key_pair(
        KeySpec::Ed25519,
        &GenerateOptions {
            kid: Some("k1".into()),
            alg: None,
        },
    )
    .unwrap();
    assert_eq!(chosen.public().kid, "k1");
    assert_ne!(chosen.public().thumbprint, "k1");
    assert_eq!(
        err_code(generate_key_pair(
            KeySpec::Rsa { bits: 1024 },
            &GenerateOptions::default()
        )),
        "key.unsupported"
    );
    let bad_alg = GenerateOptions {
        kid: None,
        alg: Some(JwsAlg::RS256),
    };
    assert_eq!(
        err_code(generate_key_pair(KeySpec::Ed25519, &bad_alg)),
        "key.invalid"
    );
}

#[test]
fn rsa_keys_generate_at_3072_and_4096_bits_and_sign_verifiable_tokens() {
    for bits in [3072, 4096] {
        let pair = generate_key_pair(KeySpec::Rsa { bits }, &GenerateOptions::default()).unwrap();
        assert_eq!(pair.public().size_bits, bits);
        let token = mint(JwsAlg::RS256, pair.signing_key()).token;
        let keys = keys_from_text(&pair.public().jwks.to_string(), None).unwrap();
        assert_eq!(keys[0].material.size_bits(), bits);
        let r = verify(&token, &keys);
        assert!(r.valid, "RSA {bits}: {r:#?}");
        // The signature is as long as the modulus.
        let sig = URL_SAFE_NO_PAD
            .decode(token.rsplit('.').next().unwrap())
            .unwrap();
        assert_eq!(sig.len() * 8, bits as usize);
    }
}

// ---- CLI -----------------------------------------------------------------------------------

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `encode` succeeds and prints exactly one line: the token.
fn cli_encode(args: &[&str]) -> String {
    let mut all = vec!["encode"];
    all.extend_from_slice(args);
    let out = tokenscope(&all);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1, "one line: {text:?}");
    text.trim_end().to_owned()
}

fn cli_verify(token: &str, key_args: &[&str]) -> Output {
    let mut all = vec!["verify", token];
    all.extend_from_slice(key_args);
    tokenscope(&all)
}

fn keygen(dir: &Path, args: &[&str]) -> Output {
    let mut all = vec!["keygen", "--out-dir", path(dir)];
    all.extend_from_slice(args);
    tokenscope(&all)
}

#[test]
fn cli_keygen_encode_verify_round_trips_for_every_asymmetric_algorithm() {
    let tmp = tempfile::tempdir().unwrap();
    let payload = r#"{"sub":"alice","exp":"+15m","iat":"now"}"#;
    // One key per type; RSA twice, because the JWKS names one alg (RFC 7517 §4.4).
    for (name, keygen_args, algs) in [
        ("rsa", &["--kty", "RSA"][..], &[JwsAlg::RS256][..]),
        (
            "rsa-pss",
            &["--kty", "RSA", "--alg", "PS256"][..],
            &[JwsAlg::PS256][..],
        ),
        ("p256", &["--kty", "EC"][..], &[JwsAlg::ES256][..]),
        (
            "p384",
            &["--kty", "EC", "--crv", "P-384"][..],
            &[JwsAlg::ES384][..],
        ),
        (
            "p521",
            &["--kty", "EC", "--crv", "P-521"][..],
            &[JwsAlg::ES512][..],
        ),
        ("ed25519", &["--kty", "OKP"][..], &[JwsAlg::EdDSA][..]),
    ] {
        let dir = tmp.path().join(name);
        let out = keygen(&dir, keygen_args);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
        let jwks: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("public.jwks.json")).unwrap())
                .unwrap();
        let kid = jwks["keys"][0]["kid"].as_str().unwrap().to_owned();
        assert!(
            stdout(&out).contains(&kid),
            "the summary shows the kid: {}",
            stdout(&out)
        );
        for alg in algs {
            for key_file in ["private.pem", "private.jwk.json"] {
                let token = cli_encode(&[
                    "--alg",
                    alg.name(),
                    "--key",
                    path(&dir.join(key_file)),
                    "--payload",
                    payload,
                ]);
                assert_eq!(
                    header_of(&token)["kid"],
                    kid.as_str(),
                    "{name}: kid is the thumbprint"
                );
                for public in ["public.pem", "public.jwks.json"] {
                    let out = cli_verify(&token, &["--key", path(&dir.join(public))]);
                    assert_eq!(
                        out.status.code(),
                        Some(0),
                        "{name} {alg} {key_file} → {public}: {}",
                        stdout(&out)
                    );
                }
                let out = cli_verify(&tamper(&token), &["--key", path(&dir.join("public.pem"))]);
                assert_eq!(
                    out.status.code(),
                    Some(1),
                    "{name} {alg}: tampered token verified"
                );
            }
        }
    }
    // Every RSA algorithm signs with one key; the PEM public key does not restrict alg.
    let rsa = tmp.path().join("rsa");
    for alg in ["RS384", "RS512", "PS384", "PS512"] {
        let token = cli_encode(&[
            "--alg",
            alg,
            "--key",
            path(&rsa.join("private.pem")),
            "--payload",
            "{}",
        ]);
        let out = cli_verify(
            &token,
            &["--key", path(&rsa.join("public.pem")), "--alg", alg],
        );
        assert_eq!(out.status.code(), Some(0), "{alg}: {}", stdout(&out));
    }
}

#[test]
fn cli_hmac_tokens_verify_with_the_same_secret() {
    for alg in ["HS256", "HS384", "HS512"] {
        let token = cli_encode(&[
            "--alg",
            alg,
            "--secret",
            "correct horse battery staple, long enough for HS512 keys (64+ bytes)",
            "--payload",
            r#"{"sub":"a"}"#,
        ]);
        assert!(header_of(&token).get("kid").is_none(), "no kid for secrets");
        let out = cli_verify(
            &token,
            &[
                "--secret",
                "correct horse battery staple, long enough for HS512 keys (64+ bytes)",
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{alg}: {}", stdout(&out));
        let out = cli_verify(&token, &["--secret", "wrong"]);
        assert_eq!(out.status.code(), Some(1), "{alg}");
    }
    // RFC 7515 A.1's key given as base64url.
    let key = vector("rfc7515.json", "a1_hs256", "key_b64url");
    let token = cli_encode(&[
        "--alg",
        "HS256",
        "--secret-b64",
        &key,
        "--payload",
        r#"{"iss":"joe"}"#,
        "--kid",
        "k-1",
    ]);
    assert_eq!(
        header_of(&token),
        json!({"alg": "HS256", "typ": "JWT", "kid": "k-1"})
    );
    let out = cli_verify(&token, &["--secret-b64", &key]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn cli_values_that_begin_with_a_hyphen_are_values_not_flags() {
    // base64url uses '-', so a random secret, nonce, kid or access token can begin with one.
    let secret = "-64J4LTRbrmkgjozJoXiTAtajn2NGPeiVpSYSDw2aTalQMD6MMvAxdooTWYuzFy8tmPZsA";
    let access_token = "-Ab_c";
    let token = cli_encode(&[
        "--alg",
        "HS256",
        "--secret-b64",
        secret,
        "--kid",
        "-k",
        "--payload",
        r#"{"iss":"-i","aud":"-a","nonce":"-n","iat":1700000000,"sub":"s"}"#,
    ]);
    assert_eq!(header_of(&token)["kid"], "-k");
    let out = tokenscope(&[
        "verify",
        &token,
        "--json",
        "--secret-b64",
        secret,
        "--iss",
        "-i",
        "--aud",
        "-a",
        "--nonce",
        "-n",
        "--access-token",
        access_token,
        "--now",
        "1700000000",
    ]);
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    for check in ["signature", "iss", "aud", "nonce"] {
        let row = report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == check)
            .unwrap_or_else(|| panic!("no {check} check: {report:#}"));
        assert_eq!(row["status"], "pass", "{check}: {report:#}");
    }
    // A different secret that also begins with '-' is read as a value and fails the signature.
    let out = cli_verify(&token, &["--secret-b64", "-AAAAAAA"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    // Text secrets too.
    let dash = "-dash, and long enough for HS256 (32 bytes)";
    let token = cli_encode(&["--alg", "HS256", "--secret", dash, "--payload", "{}"]);
    let out = cli_verify(&token, &["--secret", dash]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    // And a chosen kid for generated keys.
    let dir = tempfile::tempdir().unwrap();
    let out = keygen(dir.path(), &["--kty", "OKP", "--kid", "-okp"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let jwks: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("public.jwks.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(jwks["keys"][0]["kid"], "-okp");
}

#[test]
fn cli_reads_payload_and_header_files_and_keeps_header_members() {
    let tmp = tempfile::tempdir().unwrap();
    let payload = tmp.path().join("claims.json");
    let header = tmp.path().join("header.json");
    std::fs::write(
        &payload,
        "{\n  \"sub\": \"alice\",\n  \"scope\": \"read write\"\n}\n",
    )
    .unwrap();
    std::fs::write(&header, r#"{"typ":"at+jwt","kid":"header-kid"}"#).unwrap();
    let p = format!("@{}", path(&payload));
    let h = format!("@{}", path(&header));
    let token = cli_encode(&[
        "--alg",
        "HS256",
        "--secret",
        "s3cr3t",
        "--payload",
        &p,
        "--header",
        &h,
    ]);
    assert_eq!(
        header_of(&token),
        json!({"alg": "HS256", "kid": "header-kid", "typ": "at+jwt"})
    );
    let claims = decode_unverified(&token, NOW).unwrap().payload.unwrap();
    assert_eq!(claims, json!({"sub": "alice", "scope": "read write"}));
    let token = cli_encode(&[
        "--alg",
        "HS256",
        "--secret",
        "s3cr3t",
        "--payload",
        &p,
        "--header",
        &h,
        "--kid",
        "flag-kid",
    ]);
    assert_eq!(
        header_of(&token)["kid"],
        "flag-kid",
        "--kid wins over the header"
    );
}

#[test]
fn cli_alg_none_needs_no_key_and_warns_that_the_token_is_unsigned() {
    let out = tokenscope(&["encode", "--alg", "none", "--payload", r#"{"sub":"a"}"#]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let token = stdout(&out).trim_end().to_owned();
    assert!(token.ends_with('.'), "{token}");
    assert_eq!(header_of(&token)["alg"], "none");
    assert!(stderr(&out).contains("unsigned"), "{}", stderr(&out));
    let out = tokenscope(&[
        "encode",
        "--alg",
        "none",
        "--secret",
        "x",
        "--payload",
        "{}",
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "a key with --alg none is a mistake"
    );
}

#[test]
fn cli_encode_errors_exit_2_with_a_clear_message() {
    let rsa_pem = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        rsa_pem.path(),
        vector("rfc7515.json", "a2_rs256", "private_pem"),
    )
    .unwrap();
    let key = path(rsa_pem.path());
    let cases: [(&[&str], &str); 8] = [
        (
            &["--alg", "ES256", "--key", key, "--payload", "{}"],
            "ES256 needs a P-256 EC key; this is an RSA 2048 key",
        ),
        (
            &[
                "--alg",
                "HS256",
                "--secret",
                "s",
                "--payload",
                "{\"a\": 1,\n  oops}",
            ],
            "line 2, column 3",
        ),
        (
            &["--alg", "HS256", "--secret", "s", "--payload", "[1, 2]"],
            "must be a JSON object, not an array",
        ),
        (&["--alg", "RS256", "--payload", "{}"], "RS256 needs a key"),
        (
            &["--alg", "HS999", "--secret", "s", "--payload", "{}"],
            "not a supported algorithm",
        ),
        (
            &[
                "--alg",
                "RS256",
                "--key",
                "/nonexistent/key.pem",
                "--payload",
                "{}",
            ],
            "cannot read key file",
        ),
        (
            &[
                "--alg",
                "HS256",
                "--secret",
                "s",
                "--secret-b64",
                "cw",
                "--payload",
                "{}",
            ],
            "cannot be used with",
        ),
        (
            &[
                "--alg",
                "HS256",
                "--secret",
                "s",
                "--payload",
                "@/nonexistent/claims.json",
            ],
            "cannot read payload file",
        ),
    ];
    for (args, message) in cases {
        let mut all = vec!["encode"];
        all.extend_from_slice(args);
        let out = tokenscope(&all);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stdout(&out).is_empty(), "{args:?}: no token on failure");
        assert!(stderr(&out).contains(message), "{args:?}: {}", stderr(&out));
    }
    let out = tokenscope(&[
        "encode",
        "--alg",
        "ES256",
        "--key",
        key,
        "--payload",
        "{}",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let body: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(body["error"]["code"], "encode.key_mismatch");
}

#[test]
fn cli_keygen_writes_private_files_0600_and_refuses_to_overwrite() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("nested/keys");
    let out = keygen(&dir, &["--kty", "OKP"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for file in [
        "private.pem",
        "public.pem",
        "private.jwk.json",
        "public.jwks.json",
    ] {
        assert!(dir.join(file).is_file(), "{file} written");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        for file in ["private.pem", "private.jwk.json"] {
            let mode = std::fs::metadata(dir.join(file))
                .unwrap()
                .permissions()
                .mode()
                & 0o777;
            assert_eq!(mode, 0o600, "{file}");
        }
    }
    let before = std::fs::read_to_string(dir.join("private.pem")).unwrap();
    let out = keygen(&dir, &["--kty", "OKP"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(dir.join("private.pem")).unwrap(),
        before,
        "untouched"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(
            dir.join("private.pem"),
            std::fs::Permissions::from_mode(0o644),
        )
        .unwrap();
    }
    let out = keygen(&dir, &["--kty", "EC", "--force", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["curve"], "P-256");
    assert_eq!(report["kid"], report["thumbprint"]);
    assert_ne!(
        std::fs::read_to_string(dir.join("private.pem")).unwrap(),
        before,
        "overwritten"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(dir.join("private.pem"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600, "--force narrows an existing file to 0600");
    }
}

#[cfg(unix)]
#[test]
fn cli_keygen_force_replaces_a_symlink_and_never_writes_through_it() {
    use std::os::unix::fs::{symlink, PermissionsExt as _};
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("keys");
    std::fs::create_dir(&dir).unwrap();
    // Files someone wants overwritten: symlinks planted where keygen writes.
    let victim = tmp.path().join("victim.txt");
    let public_victim = tmp.path().join("public-victim.txt");
    std::fs::write(&victim, "do not touch\n").unwrap();
    std::fs::write(&public_victim, "nor this\n").unwrap();
    std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o644)).unwrap();
    // A dangling symlink counts as existing: without --force, nothing at all is written.
    symlink(tmp.path().join("nowhere"), dir.join("private.jwk.json")).unwrap();
    let out = keygen(&dir, &["--kty", "OKP", "--json"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let body: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(body["error"]["code"], "keygen.exists", "{body}");
    assert!(!tmp.path().join("nowhere").exists(), "written through");
    assert!(!dir.join("private.pem").exists(), "half-written");

    symlink(&victim, dir.join("private.pem")).unwrap();
    symlink(&public_victim, dir.join("public.jwks.json")).unwrap();

    let out = keygen(&dir, &["--kty", "OKP", "--force"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "do not touch\n");
    assert_eq!(
        std::fs::read_to_string(&public_victim).unwrap(),
        "nor this\n"
    );
    assert_eq!(mode(&victim), 0o644, "the symlink's target keeps its mode");
    assert!(!tmp.path().join("nowhere").exists(), "written through");
    for file in ["private.pem", "private.jwk.json", "public.jwks.json"] {
        let meta = std::fs::symlink_metadata(dir.join(file)).unwrap();
        assert!(meta.file_type().is_file(), "{file} is a regular file now");
    }
    for file in ["private.pem", "private.jwk.json"] {
        assert_eq!(mode(&dir.join(file)), 0o600, "{file}");
    }
    // Public files get what a plain file creation gives under this umask, as before.
    let probe = dir.join("probe");
    std::fs::write(&probe, "").unwrap();
    assert_eq!(mode(&dir.join("public.jwks.json")), mode(&probe));
    std::fs::remove_file(&probe).unwrap();

    let private = std::fs::read_to_string(dir.join("private.pem")).unwrap();
    let key = SigningKey::from_text(&private).expect("a private key");
    let token = mint(JwsAlg::EdDSA, &key);
    let jwks = std::fs::read_to_string(dir.join("public.jwks.json")).unwrap();
    assert!(verify(&token.token, &keys_from_text(&jwks, None).unwrap()).valid);
    // Only the four files: no temporary file is left behind.
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "private.jwk.json",
            "private.pem",
            "public.jwks.json",
            "public.pem"
        ]
    );
}

#[test]
fn cli_keygen_rejects_mismatched_options() {
    let tmp = tempfile::tempdir().unwrap();
    for args in [
        &["--kty", "RSA", "--crv", "P-256"][..],
        &["--kty", "EC", "--size", "4096"][..],
        &["--kty", "OKP", "--crv", "P-256"][..],
        &["--kty", "EC", "--crv", "Ed25519"][..],
        &["--kty", "RSA", "--size", "1024"][..],
        &["--kty", "DSA"][..],
        &["--kty", "OKP", "--alg", "ES256"][..],
    ] {
        let dir = tmp.path().join("never");
        let out = keygen(&dir, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!stderr(&out).is_empty(), "{args:?}");
        assert!(
            !dir.join("private.pem").exists(),
            "{args:?}: nothing written"
        );
    }
}

// ---- Interop with an independent implementation (jose) -------------------------------------

#[test]
fn tokens_for_every_algorithm_verify_in_jose() {
    // jose checks exp against the real clock.
    let now = tokenscope::clock::Clock::now_unix(&tokenscope::clock::SystemClock);
    let claims =
        json!({"iss": "https://issuer.example", "sub": "alice", "iat": now, "exp": now + 600});
    let mut cases = Vec::new();
    for alg in JwsAlg::ALL {
        let opts = EncodeOptions::new(EncodeAlg::Signed(alg), now);
        let (token, jwk, spki) = match spec_for(alg) {
            None => {
                let token = encode_token(
                    Map::new(),
                    claims.as_object().cloned().unwrap(),
                    Some(&secret_key()),
                    &opts,
                )
                .unwrap()
                .token;
                (
                    token,
                    json!({"kty": "oct", "k": URL_SAFE_NO_PAD.encode(SECRET)}),
                    Value::Null,
                )
            }
            Some(_) => {
                let pair = pair_for(alg);
                let token = encode_token(
                    Map::new(),
                    claims.as_object().cloned().unwrap(),
                    Some(pair.signing_key()),
                    &opts,
                )
                .unwrap()
                .token;
                (token, pair.public().jwk.clone(), json!(pair.public().pem))
            }
        };
        cases.push(json!({"alg": alg.name(), "token": token, "jwk": jwk, "spki": spki}));
    }
    let mut tampered = cases[0].clone();
    tampered["token"] = json!(tamper(tampered["token"].as_str().unwrap()));
    cases.push(tampered);

    let results = jose_verify(&cases);
    let (last, signed) = results.split_last().unwrap();
    for r in signed {
        assert_eq!(
            r["jwk"]["ok"], true,
            "{}: jose rejected the token with the JWK: {r}",
            r["alg"]
        );
        assert_eq!(r["jwk"]["payload"]["sub"], "alice", "{r}");
        if r["alg"].as_str().unwrap().starts_with("HS") {
            assert!(r["spki"].is_null());
        } else {
            assert_eq!(
                r["spki"]["ok"], true,
                "{}: jose rejected the SPKI PEM or the token: {r}",
                r["alg"]
            );
        }
    }
    assert_eq!(
        last["jwk"]["ok"], false,
        "jose accepted a tampered token: {last}"
    );
    assert!(
        last["jwk"]["error"]
            .as_str()
            .unwrap()
            .contains("ERR_JWS_SIGNATURE_VERIFICATION_FAILED"),
        "{last}"
    );
}

#[test]
fn keys_the_cli_writes_and_tokens_it_mints_verify_in_jose() {
    let tmp = tempfile::tempdir().unwrap();
    let mut cases = Vec::new();
    for (name, keygen_args, alg) in [
        ("rsa", &["--kty", "RSA"][..], "RS256"),
        ("p256", &["--kty", "EC", "--crv", "P-256"][..], "ES256"),
        ("p384", &["--kty", "EC", "--crv", "P-384"][..], "ES384"),
        (
            "ed25519",
            &["--kty", "OKP", "--crv", "Ed25519"][..],
            "EdDSA",
        ),
    ] {
        let dir = tmp.path().join(name);
        let out = keygen(&dir, keygen_args);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
        let read = |file: &str| std::fs::read_to_string(dir.join(file)).unwrap();
        let jwks: Value = serde_json::from_str(&read("public.jwks.json")).unwrap();
        for key_file in ["private.pem", "private.jwk.json"] {
            let token = cli_encode(&[
                "--alg",
                alg,
                "--key",
                path(&dir.join(key_file)),
                "--payload",
                r#"{"sub":"alice","iat":"now","exp":"+10m"}"#,
            ]);
            cases.push(
                json!({"alg": alg, "token": token, "jwks": jwks, "spki": read("public.pem")}),
            );
        }
    }
    let results = jose_verify(&cases);
    assert_eq!(results.len(), 8);
    for r in &results {
        assert_eq!(r["jwks"]["ok"], true, "jose rejected public.jwks.json: {r}");
        assert_eq!(r["jwks"]["payload"]["sub"], "alice", "{r}");
        assert_eq!(r["spki"]["ok"], true, "jose rejected public.pem: {r}");
    }
}

/// Runs `tests/interop/verify.mjs` (jose) over `cases`; one result per case, in order.
fn jose_verify(cases: &[Value]) -> Vec<Value> {
    let interop = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop");
    assert!(
        interop.join("node_modules/jose").is_dir(),
        "tests/interop/node_modules is missing: run scripts/setup.sh (it installs the jose package used for interop)"
    );
    let mut child = Command::new("node")
        .arg(interop.join("verify.mjs"))
        .current_dir(&interop)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs");
    {
        use std::io::Write as _;
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all(Value::Array(cases.to_vec()).to_string().as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "verify.mjs failed: {}", stderr(&out));
    let results: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(results.len(), cases.len());
    results
}

#[test]
fn cli_relative_times_expand_by_default_and_literal_times_keeps_them() {
    let payload = r#"{"sub":"a","iat":"now","exp":"+15m"}"#;
    let secret = std::str::from_utf8(SECRET).unwrap();
    let args = ["--alg", "HS256", "--secret", secret, "--now", "1700000000"];
    let mut expanded = vec!["--payload", payload];
    expanded.extend_from_slice(&args);
    let token = cli_encode(&expanded);
    assert_eq!(
        payload_of(&token),
        json!({"sub": "a", "iat": 1_700_000_000, "exp": 1_700_000_900})
    );

    let mut literal = vec!["encode", "--literal-times", "--payload", payload];
    literal.extend_from_slice(&args);
    let out = tokenscope(&literal);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(payload_of(stdout(&out).trim_end())["exp"], "+15m");
    assert!(
        stderr(&out).contains("[time-not-numeric]"),
        "warned: {}",
        stderr(&out)
    );
}
