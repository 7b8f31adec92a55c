//! Verification: RFC vectors for every algorithm, every offline key form, the OpenID RP
//! conformance ID-token cases, findings, and the `tokenscope verify` CLI contract.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use tokenscope::jose::Curve;
use tokenscope::jwk::{
    keys_from_text, secret_from_base64, KeyMaterial, KeySource, VerificationKey,
};
use tokenscope::jwt::verify::{verify_token, CheckStatus, VerifyOptions, VerifyReport};

use crate::util::{b64, report_check as cli_check, vector, vectors};

/// Before the RFC tokens' exp (1300819380).
const RFC_NOW: i64 = 1_300_819_000;
const NOW: i64 = 1_700_000_000;
const ISSUER: &str = "https://op.example.com";
const CLIENT: &str = "client-123";

fn status(report: &VerifyReport, name: &str) -> CheckStatus {
    report
        .checks
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no {name} check"))
        .status
}

fn message(report: &VerifyReport, name: &str) -> String {
    report
        .checks
        .iter()
        .find(|c| c.name == name)
        .unwrap()
        .message
        .clone()
}

fn has_finding(report: &VerifyReport, code: &str) -> bool {
    report.findings.iter().any(|f| f.code == code)
}

fn rfc_key(case: &str, field: &str) -> Vec<VerificationKey> {
    let v = vectors("rfc7515.json");
    let node = &v[case][field];
    let text = if node.is_string() {
        node.as_str().unwrap().to_owned()
    } else {
        node.to_string()
    };
    keys_from_text(&text, None).unwrap()
}

fn secret(text: &str) -> Vec<VerificationKey> {
    vec![VerificationKey::new(
        KeyMaterial::Hmac(tokenscope::secret::SecretBytes::new(
            text.as_bytes().to_vec(),
        )),
        KeySource::Secret,
    )]
}

/// Changes the claims (adds `"admin": true`) or, for a non-JSON payload, one byte of it.
fn tamper_payload(token: &str) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    let mut payload = URL_SAFE_NO_PAD.decode(parts[1]).unwrap();
    match serde_json::from_slice::<Value>(&payload) {
        Ok(Value::Object(mut claims)) => {
            claims.insert("admin".into(), json!(true));
            payload = serde_json::to_vec(&claims).unwrap();
        }
        _ => *payload.last_mut().unwrap() ^= 0x01,
    }
    format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(payload),
        parts[2]
    )
}

// ---- RFC vectors ------------------------------------------------------------------------

#[test]
fn rfc7515_a1_hs256_verifies_with_its_base64url_key() {
    let key = secret_from_base64(&vector("rfc7515.json", "a1_hs256", "key_b64url")).unwrap();
    let keys = vec![VerificationKey::new(
        KeyMaterial::Hmac(key),
        KeySource::Secret,
    )];
    let token = vector("rfc7515.json", "a1_hs256", "token");
    let r = verify_token(&token, &keys, &VerifyOptions::at(RFC_NOW)).unwrap();
    assert!(r.valid, "{r:#?}");
    assert_eq!(status(&r, "signature"), CheckStatus::Pass);
    assert_eq!(
        r.key.as_ref().unwrap().thumbprint,
        None,
        "HMAC secrets get no thumbprint"
    );
    let r = verify_token(&tamper_payload(&token), &keys, &VerifyOptions::at(RFC_NOW)).unwrap();
    assert!(!r.valid);
    assert_eq!(status(&r, "signature"), CheckStatus::Fail);
}

#[test]
fn rfc7515_a2_rs256_and_a3_es256_verify_with_spki_pem() {
    for case in ["a2_rs256", "a3_es256"] {
        let keys = rfc_key(case, "public_pem");
        let token = vector("rfc7515.json", case, "token");
        let r = verify_token(&token, &keys, &VerifyOptions::at(RFC_NOW)).unwrap();
        assert!(r.valid, "{case}: {r:#?}");
        assert_eq!(r.key.as_ref().unwrap().source, KeySource::Pem);
        assert!(r.key.as_ref().unwrap().thumbprint.is_some());
        let r = verify_token(&tamper_payload(&token), &keys, &VerifyOptions::at(RFC_NOW)).unwrap();
        assert_eq!(status(&r, "signature"), CheckStatus::Fail, "{case}");
        assert_eq!(
            status(&r, "exp"),
            CheckStatus::Pass,
            "{case}: only the signature is wrong"
        );
    }
}

#[test]
fn rfc7515_a4_es512_verifies_with_its_p521_jwk() {
    let keys = rfc_key("a4_es512", "public_jwk");
    let r = verify_token(
        &vector("rfc7515.json", "a4_es512", "token"),
        &keys,
        &VerifyOptions::at(NOW),
    )
    .unwrap();
    assert!(r.valid, "{r:#?}");
    assert_eq!(r.key.as_ref().unwrap().curve, Some(Curve::P521));
    // The payload is the text "Payload", so claim checks have nothing to look at.
    assert_eq!(status(&r, "exp"), CheckStatus::Skipped);
}

#[test]
fn rfc8037_eddsa_example_verifies() {
    let v = vectors("rfc8037.json");
    let keys = keys_from_text(&v["a4_eddsa"]["public_jwk"].to_string(), None).unwrap();
    let token = v["a4_eddsa"]["token"].as_str().unwrap();
    let r = verify_token(token, &keys, &VerifyOptions::at(NOW)).unwrap();
    assert!(r.valid, "{r:#?}");
    assert_eq!(r.key.as_ref().unwrap().kty, "OKP");
    let r = verify_token(&tamper_payload(token), &keys, &VerifyOptions::at(NOW)).unwrap();
    assert_eq!(status(&r, "signature"), CheckStatus::Fail);
}

#[test]
fn rfc7520_hs256_selects_its_key_by_kid_from_a_jwks() {
    let v = vectors("rfc7520.json");
    let jwks = json!({"keys": [
        {"kty": "oct", "kid": "other", "k": b64("not the key")},
        v["s4_4_hs256"]["jwk"],
    ]});
    let keys = keys_from_text(&jwks.to_string(), None).unwrap();
    let r = verify_token(
        v["s4_4_hs256"]["token"].as_str().unwrap(),
        &keys,
        &VerifyOptions::at(NOW),
    )
    .unwrap();
    assert!(r.valid, "{r:#?}");
    let key = r.key.unwrap();
    assert_eq!(
        key.kid.as_deref(),
        Some("018c0ae5-4d9b-471b-bfd6-eef314bc7037")
    );
    assert_eq!(key.index, Some(1));
    assert_eq!(key.source, KeySource::Jwks);
}

// ---- Signature faults are verdicts, not errors -------------------------------------------

/// RFC 7515 A.3's ES256 token with its R‖S signature re-encoded as an ASN.1 DER SEQUENCE.
fn der_encoded_es256_token() -> String {
    let token = vector("rfc7515.json", "a3_es256", "token");
    let parts: Vec<&str> = token.split('.').collect();
    let raw = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
    let int = |b: &[u8]| {
        let mut v = b.to_vec();
        if v[0] & 0x80 != 0 {
            v.insert(0, 0);
        }
        let mut out = vec![0x02, v.len() as u8];
        out.extend(v);
        out
    };
    let (r, s) = (int(&raw[..32]), int(&raw[32..]));
    let mut der = vec![0x30, (r.len() + s.len()) as u8];
    der.extend(r);
    der.extend(s);
    format!("{}.{}.{}", parts[0], parts[1], URL_SAFE_NO_PAD.encode(der))
}

/// RFC 7515 A.2's RS256 token with its signature segment emptied.
fn unsigned_rs256_token() -> String {
    let token = vector("rfc7515.json", "a2_rs256", "token");
    format!("{}.", token.rsplit_once('.').unwrap().0)
}

/// A JWK Set whose kids ("k1", "k2") are not the RFC 7520 §4.4 token's.
fn jwks_without_the_rfc7520_kid() -> Value {
    json!({"keys": [{"kty": "oct", "kid": "k1", "k": b64("x")}, {"kty": "oct", "kid": "k2", "k": b64("y")}]})
}

#[test]
fn der_encoded_es256_signature_is_invalid_with_the_reason() {
    let r = verify_token(
        &der_encoded_es256_token(),
        &rfc_key("a3_es256", "public_pem"),
        &VerifyOptions::at(RFC_NOW),
    )
    .unwrap();
    assert!(!r.valid);
    let msg = message(&r, "signature");
    assert!(msg.contains("64 bytes") && msg.contains("DER"), "{msg}");
}

#[test]
fn empty_signature_and_unknown_kid_fail_the_signature_check() {
    let r = verify_token(
        &unsigned_rs256_token(),
        &rfc_key("a2_rs256", "public_pem"),
        &VerifyOptions::at(RFC_NOW),
    )
    .unwrap();
    assert_eq!(message(&r, "signature"), "the signature is empty");

    let v = vectors("rfc7520.json");
    let keys = keys_from_text(&jwks_without_the_rfc7520_kid().to_string(), None).unwrap();
    let r = verify_token(
        v["s4_4_hs256"]["token"].as_str().unwrap(),
        &keys,
        &VerifyOptions::at(NOW),
    )
    .unwrap();
    assert!(!r.valid);
    let msg = message(&r, "signature");
    assert!(
        msg.contains("no key has kid \"018c0ae5") && msg.contains("\"k1\""),
        "{msg}"
    );
}

#[test]
fn a_jwks_with_no_usable_key_fails_the_signature_check_not_verification() {
    // RFC 7517 §5: keys that cannot be used are skipped, so these sets parse but hold nothing.
    let v = vectors("rfc7520.json");
    let token = v["s4_4_hs256"]["token"].as_str().unwrap();
    for jwks in [
        json!({"keys": []}),
        json!({"keys": [{"kty": "XYZ", "kid": "018c0ae5-4d9b-471b-bfd6-eef314bc7037"}]}),
    ] {
        let keys = keys_from_text(&jwks.to_string(), None).unwrap();
        assert!(keys.is_empty(), "{jwks}");
        let r = verify_token(token, &keys, &VerifyOptions::at(NOW)).unwrap();
        assert!(!r.valid, "{jwks}");
        assert_eq!(status(&r, "signature"), CheckStatus::Fail);
        let msg = message(&r, "signature");
        assert!(
            msg.contains("no key has kid \"018c0ae5") && msg.contains("no key Tokenscope can use"),
            "{msg}"
        );
        // With no key there is nothing to fit the algorithm to, and no key to confuse.
        assert_eq!(status(&r, "alg"), CheckStatus::Skipped, "{jwks}");
        assert!(!has_finding(&r, "alg-confusion"));
        assert!(r.key.is_none());
    }
    // An explicit allow-list is still applied.
    let o = VerifyOptions {
        allowed_algs: vec!["RS256".into()],
        ..VerifyOptions::at(NOW)
    };
    let r = verify_token(token, &[], &o).unwrap();
    assert_eq!(status(&r, "alg"), CheckStatus::Fail);
}

#[test]
fn hs256_signed_with_the_public_key_is_algorithm_confusion() {
    // The classic attack: sign HS256 using the PEM text of the server's RSA public key.
    let pem = vector("rfc7515.json", "a2_rs256", "public_pem");
    let forged = encode(
        &Header::new(Algorithm::HS256),
        &json!({"sub": "admin", "exp": NOW + 60}),
        &EncodingKey::from_secret(pem.as_bytes()),
    )
    .unwrap();
    let r = verify_token(
        &forged,
        &rfc_key("a2_rs256", "public_pem"),
        &VerifyOptions::at(NOW),
    )
    .unwrap();
    assert!(!r.valid);
    assert_eq!(status(&r, "alg"), CheckStatus::Fail);
    assert_eq!(status(&r, "signature"), CheckStatus::Fail);
    assert!(has_finding(&r, "alg-confusion"));
}

#[test]
fn alg_none_never_passes() {
    let token = vector("rfc7515.json", "a5_unsecured", "token");
    let r = verify_token(
        &token,
        &secret("anything at all, 32 bytes long.."),
        &VerifyOptions::at(RFC_NOW),
    )
    .unwrap();
    assert!(!r.valid);
    assert_eq!(status(&r, "alg"), CheckStatus::Fail);
    assert_eq!(status(&r, "signature"), CheckStatus::Fail);
    assert!(has_finding(&r, "alg-none"));
}

#[test]
fn explicit_allow_list_rejects_other_algorithms() {
    let token = vector("rfc7515.json", "a2_rs256", "token");
    let mut o = VerifyOptions::at(RFC_NOW);
    o.allowed_algs = vec!["PS256".into(), "ES256".into()];
    let r = verify_token(&token, &rfc_key("a2_rs256", "public_pem"), &o).unwrap();
    assert!(!r.valid);
    assert!(message(&r, "alg").contains("not in the allowed list"));
    assert_eq!(
        status(&r, "signature"),
        CheckStatus::Pass,
        "the signature itself is fine"
    );
}

#[test]
fn encrypted_tokens_are_an_input_error() {
    let err = verify_token(
        &vector("rfc7516.json", "a1_compact", ""),
        &secret("k"),
        &VerifyOptions::at(NOW),
    )
    .unwrap_err();
    assert_eq!(tokenscope::ErrorCode::code(&err), "verify.encrypted");
}

// ---- OpenID RP conformance ID-token cases ------------------------------------------------

enum Signer {
    Rs256,
    Es256,
    Hs256,
}

fn sign(signer: Signer, header: Header, claims: &Value) -> String {
    let v = vectors("rfc7515.json");
    let key = match signer {
        Signer::Rs256 => {
            EncodingKey::from_rsa_pem(v["a2_rs256"]["private_pem"].as_str().unwrap().as_bytes())
                .unwrap()
        }
        Signer::Es256 => {
            EncodingKey::from_ec_pem(v["a3_es256"]["private_pem"].as_str().unwrap().as_bytes())
                .unwrap()
        }
        Signer::Hs256 => EncodingKey::from_secret(HS_SECRET.as_bytes()),
    };
    encode(&header, claims, &key).unwrap()
}

const HS_SECRET: &str = "a-shared-secret-of-at-least-32-bytes!";

fn id_claims() -> Value {
    json!({"iss": ISSUER, "sub": "alice", "aud": CLIENT, "exp": NOW + 600, "iat": NOW - 5, "nonce": "n-0S6_WzA2Mj"})
}

fn id_options() -> VerifyOptions {
    VerifyOptions {
        issuer: Some(ISSUER.into()),
        audiences: vec![CLIENT.into()],
        nonce: Some("n-0S6_WzA2Mj".into()),
        ..VerifyOptions::at(NOW)
    }
}

/// RFC 7638 §3.1's example RSA key: a well-formed key that signed none of our tokens.
fn someone_elses_rsa_key() -> Vec<VerificationKey> {
    let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
    keys_from_text(
        &json!({"kty": "RSA", "n": n, "e": "AQAB"}).to_string(),
        None,
    )
    .unwrap()
}

fn jwks_rs_es() -> Vec<VerificationKey> {
    let mut keys = rfc_key("a2_rs256", "public_pem");
    keys.extend(rfc_key("a3_es256", "public_pem"));
    keys
}

#[test]
fn well_formed_id_tokens_pass_every_check() {
    for (signer, alg, keys) in [
        (Signer::Rs256, Algorithm::RS256, jwks_rs_es()),
        (Signer::Es256, Algorithm::ES256, jwks_rs_es()),
        (Signer::Hs256, Algorithm::HS256, secret(HS_SECRET)),
    ] {
        let token = sign(signer, Header::new(alg), &id_claims());
        let r = verify_token(&token, &keys, &id_options()).unwrap();
        assert!(r.valid, "{alg:?}: {r:#?}");
        for name in [
            "signature",
            "alg",
            "exp",
            "iat",
            "iss",
            "sub",
            "aud",
            "nonce",
        ] {
            assert_eq!(status(&r, name), CheckStatus::Pass, "{alg:?} {name}");
        }
    }
}

#[test]
fn bad_signatures_fail_for_rs256_es256_and_hs256() {
    let other_rsa = someone_elses_rsa_key();
    let other_ec = keys_from_text(&json!({"kty": "EC", "crv": "P-256", "x": "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4", "y": "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM"}).to_string(), None).unwrap();
    for (signer, alg, keys) in [
        (Signer::Rs256, Algorithm::RS256, other_rsa),
        (Signer::Es256, Algorithm::ES256, other_ec),
        (
            Signer::Hs256,
            Algorithm::HS256,
            secret("the-wrong-shared-secret-32-bytes-long"),
        ),
    ] {
        let r = verify_token(
            &sign(signer, Header::new(alg), &id_claims()),
            &keys,
            &id_options(),
        )
        .unwrap();
        assert!(!r.valid, "{alg:?}");
        assert_eq!(status(&r, "signature"), CheckStatus::Fail, "{alg:?}");
        assert_eq!(
            status(&r, "iss"),
            CheckStatus::Pass,
            "{alg:?}: claims are still reported"
        );
    }
}

/// An RS256 ID token with `edit` applied to the standard claims, verified with the ID-token options.
fn verify_edited(edit: impl FnOnce(&mut Value)) -> VerifyReport {
    verify_token(&rs256_with(edit), &jwks_rs_es(), &id_options()).unwrap()
}

fn rs256_with(edit: impl FnOnce(&mut Value)) -> String {
    let mut claims = id_claims();
    edit(&mut claims);
    sign(Signer::Rs256, Header::new(Algorithm::RS256), &claims)
}

#[test]
fn issuer_mismatch_fails_iss_exactly() {
    let r = verify_edited(|c| c["iss"] = json!("https://op.example.com/"));
    assert!(!r.valid);
    assert!(
        message(&r, "iss").contains("trailing slash"),
        "{}",
        message(&r, "iss")
    );
}

#[test]
fn missing_or_wrong_audience_fails_aud() {
    let r = verify_edited(|c| {
        c.as_object_mut().unwrap().remove("aud");
    });
    assert_eq!(status(&r, "aud"), CheckStatus::Fail);
    let r = verify_edited(|c| c["aud"] = json!(["someone-else"]));
    assert_eq!(status(&r, "aud"), CheckStatus::Fail);
    // Any of several accepted audiences will do.
    let mut o = id_options();
    o.audiences = vec!["x".into(), CLIENT.into()];
    assert!(
        verify_token(&rs256_with(|_| {}), &jwks_rs_es(), &o)
            .unwrap()
            .valid
    );
}

#[test]
fn azp_follows_oidc_core_steps_4_and_5() {
    use CheckStatus::{Fail, Pass, Skipped};
    let several = json!([CLIENT, "api"]);
    let cases: [(&Value, Value, &[&str], CheckStatus, &str); 9] = [
        // Step 4: several audiences need an azp, once the client's id (--aud) is known.
        (&several, Value::Null, &[CLIENT], Fail, "no azp"),
        (&several, Value::Null, &[], Skipped, "several audiences"),
        // Step 5: a present azp must be the client, any of the accepted audiences.
        (&several, json!(CLIENT), &[CLIENT], Pass, CLIENT),
        (&several, json!(CLIENT), &["web", CLIENT], Pass, CLIENT),
        (&several, json!("api"), &[CLIENT], Fail, "\"api\""),
        (&several, json!("api"), &[], Skipped, "\"api\""),
        // One audience needs no azp.
        (
            &json!(CLIENT),
            Value::Null,
            &[CLIENT],
            Skipped,
            "single audience",
        ),
        (&json!(CLIENT), Value::Null, &[], Skipped, "single audience"),
        (&json!(CLIENT), json!(["api"]), &[], Fail, "string"),
    ];
    for (aud, azp, expected, want, words) in cases {
        let token = rs256_with(|c| {
            c["aud"] = aud.clone();
            if !azp.is_null() {
                c["azp"] = azp.clone();
            }
        });
        let o = VerifyOptions {
            audiences: expected.iter().map(|a| a.to_string()).collect(),
            ..id_options()
        };
        let r = verify_token(&token, &jwks_rs_es(), &o).unwrap();
        let case = format!("aud {aud}, azp {azp}, expected {expected:?}");
        assert_eq!(status(&r, "azp"), want, "{case}");
        let msg = message(&r, "azp");
        assert!(msg.contains(words), "{case}: {msg}");
        if want == Skipped && azp.is_null() && aud.is_array() {
            assert!(msg.contains("--aud"), "{case}: says what is missing: {msg}");
        }
        // Every other check passes or is skipped, so azp alone decides.
        assert_eq!(r.valid, want != Fail, "{case}: {r:#?}");
    }
}

#[test]
fn an_access_tokens_azp_names_the_client_and_is_not_compared_with_the_api_audience() {
    // Auth0-style access token: aud is the API (and userinfo), azp the client; no nonce.
    let token = rs256_with(|c| {
        c.as_object_mut().unwrap().remove("nonce");
        c["aud"] = json!(["https://api.example", "https://op.example.com/userinfo"]);
        c["azp"] = json!(CLIENT);
    });
    let o = VerifyOptions {
        audiences: vec!["https://api.example".into()],
        nonce: None,
        ..id_options()
    };
    let r = verify_token(&token, &jwks_rs_es(), &o).unwrap();
    assert_eq!(status(&r, "aud"), CheckStatus::Pass);
    assert_eq!(
        status(&r, "azp"),
        CheckStatus::Skipped,
        "{}",
        message(&r, "azp")
    );
    assert!(
        message(&r, "azp").contains("--id-token"),
        "{}",
        message(&r, "azp")
    );
    assert!(r.valid, "{r:#?}");

    // Declared an ID token, the same azp is a client mismatch.
    let o = VerifyOptions {
        id_token: Some(true),
        ..o
    };
    let r = verify_token(&token, &jwks_rs_es(), &o).unwrap();
    assert_eq!(status(&r, "azp"), CheckStatus::Fail);
    assert!(!r.valid);

    // Several audiences and no azp: only an ID token needs one.
    let token = rs256_with(|c| {
        c.as_object_mut().unwrap().remove("nonce");
        c["aud"] = json!(["https://api.example", "https://op.example.com/userinfo"]);
    });
    let o = VerifyOptions {
        audiences: vec!["https://api.example".into()],
        nonce: None,
        ..id_options()
    };
    let r = verify_token(&token, &jwks_rs_es(), &o).unwrap();
    assert_eq!(
        status(&r, "azp"),
        CheckStatus::Skipped,
        "{}",
        message(&r, "azp")
    );
    assert!(r.valid, "{r:#?}");
}

#[test]
fn id_token_without_iat_or_sub_fails() {
    let r = verify_edited(|c| {
        c.as_object_mut().unwrap().remove("iat");
    });
    assert_eq!(status(&r, "iat"), CheckStatus::Fail);
    let r = verify_edited(|c| {
        c.as_object_mut().unwrap().remove("sub");
    });
    assert_eq!(status(&r, "sub"), CheckStatus::Fail);
    assert!(!r.valid);
}

#[test]
fn nonce_mismatch_fails() {
    let r = verify_edited(|c| c["nonce"] = json!("replayed"));
    assert_eq!(status(&r, "nonce"), CheckStatus::Fail);
    let r = verify_edited(|c| {
        c.as_object_mut().unwrap().remove("nonce");
    });
    assert_eq!(status(&r, "nonce"), CheckStatus::Fail);
}

#[test]
fn kid_absent_with_one_key_and_with_several_keys() {
    let token = rs256_with(|_| {});
    let r = verify_token(&token, &rfc_key("a2_rs256", "public_pem"), &id_options()).unwrap();
    assert!(r.valid);
    assert_eq!(r.key.unwrap().index, None);
    // Several keys, no kid: every fitting key is tried and the report says which matched.
    let mut keys = someone_elses_rsa_key();
    keys.extend(rfc_key("a3_es256", "public_pem"));
    keys.extend(rfc_key("a2_rs256", "public_pem"));
    let r = verify_token(&token, &keys, &id_options()).unwrap();
    assert!(r.valid, "{r:#?}");
    assert_eq!(r.key.as_ref().unwrap().index, Some(2));
    assert!(
        message(&r, "signature").contains("tried 2 keys, key #3 matched"),
        "{}",
        message(&r, "signature")
    );
}

fn left_half_sha256(value: &str) -> String {
    use sha2::{Digest as _, Sha256};
    URL_SAFE_NO_PAD.encode(&Sha256::digest(value.as_bytes())[..16])
}

#[test]
fn at_hash_and_c_hash_are_checked_against_the_given_values() {
    // OpenID Connect Core §A.3's example access token and its at_hash.
    assert_eq!(
        left_half_sha256("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"),
        "77QmUPtjPfzWtF2AnpK9RQ"
    );
    let token = rs256_with(|c| {
        c["at_hash"] = json!(left_half_sha256("AT-1"));
        c["c_hash"] = json!(left_half_sha256("CODE-1"));
    });
    let mut o = id_options();
    o.access_token = Some("AT-1".into());
    o.code = Some("CODE-1".into());
    let r = verify_token(&token, &jwks_rs_es(), &o).unwrap();
    assert_eq!(status(&r, "at_hash"), CheckStatus::Pass);
    assert_eq!(status(&r, "c_hash"), CheckStatus::Pass);
    o.access_token = Some("AT-2".into());
    o.code = Some("CODE-2".into());
    let r = verify_token(&token, &jwks_rs_es(), &o).unwrap();
    assert_eq!(status(&r, "at_hash"), CheckStatus::Fail);
    assert_eq!(status(&r, "c_hash"), CheckStatus::Fail);
    assert!(!r.valid);
}

// ---- Time, crit, typ and findings ----------------------------------------------------------

#[test]
fn leeway_applies_to_exp_nbf_and_iat() {
    let token = sign(
        Signer::Hs256,
        Header::new(Algorithm::HS256),
        &json!({"exp": NOW - 30, "nbf": NOW + 30, "iat": NOW + 30}),
    );
    let r = verify_token(&token, &secret(HS_SECRET), &VerifyOptions::at(NOW)).unwrap();
    assert!(r.valid, "within the default 60 s: {r:#?}");
    let o = VerifyOptions {
        leeway: 0,
        ..VerifyOptions::at(NOW)
    };
    let r = verify_token(&token, &secret(HS_SECRET), &o).unwrap();
    for name in ["exp", "nbf", "iat"] {
        assert_eq!(status(&r, name), CheckStatus::Fail, "{name}");
    }
}

#[test]
fn unknown_critical_header_fails_crit_and_typ_is_reported() {
    let mut header = Header::new(Algorithm::HS256);
    header.typ = Some("at+jwt".into());
    header.crit = Some(vec!["http://example.invalid/ext".into()]);
    let token = sign(Signer::Hs256, header, &json!({"exp": NOW + 60}));
    let r = verify_token(&token, &secret(HS_SECRET), &VerifyOptions::at(NOW)).unwrap();
    assert_eq!(status(&r, "crit"), CheckStatus::Fail);
    assert!(message(&r, "typ").contains("RFC 9068"));
    assert!(!r.valid);
}

#[test]
fn security_findings_are_raised() {
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some("../../dev/null".into());
    header.jku = Some("https://evil.example/jwks.json".into());
    let claims = json!({"iss": ISSUER, "iat": NOW, "exp": NOW + 30 * 86_400, "password": "hunter2", "note": "4111 1111 1111 1111"});
    let token = encode(&header, &claims, &EncodingKey::from_secret(b"short")).unwrap();
    let r = verify_token(&token, &secret("short"), &VerifyOptions::at(NOW)).unwrap();
    for code in [
        "weak-hmac-secret",
        "long-lifetime",
        "sensitive-claim",
        "kid-injection",
        "jku-off-issuer",
    ] {
        assert!(has_finding(&r, code), "missing {code}: {:#?}", r.findings);
    }
    assert_eq!(
        r.findings
            .iter()
            .filter(|f| f.code == "sensitive-claim")
            .count(),
        2
    );
}

#[test]
fn small_rsa_keys_are_flagged() {
    // A 1024-bit RSA key (a JWK with a 128-byte modulus); the signature need not match.
    let n = URL_SAFE_NO_PAD.encode([0xc5u8; 128]);
    let keys = keys_from_text(
        &json!({"kty": "RSA", "n": n, "e": "AQAB"}).to_string(),
        None,
    )
    .unwrap();
    let r = verify_token(&rs256_with(|_| {}), &keys, &id_options()).unwrap();
    assert!(has_finding(&r, "weak-rsa-key"), "{:#?}", r.findings);
}

#[test]
fn secret_b64_accepts_standard_and_url_safe_with_or_without_padding() {
    let bytes = vec![0xfbu8, 0xff, 0xfe, 0x3e];
    let std = STANDARD.encode(&bytes);
    assert!(std.contains('+') || std.contains('/'));
    for form in [
        std.clone(),
        std.trim_end_matches('=').to_owned(),
        URL_SAFE_NO_PAD.encode(&bytes),
        format!("{}==", URL_SAFE_NO_PAD.encode(&bytes)),
    ] {
        assert_eq!(
            secret_from_base64(&form).unwrap().expose_secret(),
            &bytes[..],
            "{form}"
        );
    }
    assert!(secret_from_base64("not base64!").is_err());
}

#[test]
fn private_key_pem_is_refused_with_a_clear_message() {
    let err = keys_from_text(&vector("rfc7515.json", "a3_es256", "private_pem"), None).unwrap_err();
    assert!(err.to_string().contains("private key"), "{err}");
}

// ---- CLI contract ------------------------------------------------------------------------

mod cli {
    use std::process::Output;

    use serde_json::Value;

    use super::*;
    use crate::util::{stdout_json as json_out, tokenscope};

    fn run(args: &[&str]) -> Output {
        let mut all = vec!["verify"];
        all.extend_from_slice(args);
        tokenscope(&all)
    }

    fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    }

    #[test]
    fn valid_token_exits_0_with_the_contract_shape() {
        let dir = tempfile::tempdir().unwrap();
        let pem = write(
            &dir,
            "pub.pem",
            &vector("rfc7515.json", "a2_rs256", "public_pem"),
        );
        let token = vector("rfc7515.json", "a2_rs256", "token");
        let out = run(&[&token, "--key", &pem, "--json", "--now", "1300819000"]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v = json_out(&out);
        assert_eq!(v["valid"], true);
        assert_eq!(v["alg"], "RS256");
        assert_eq!(v["key"]["source"], "pem");
        assert_eq!(v["key"]["kty"], "RSA");
        assert!(v["key"]["thumbprint"].is_string());
        let names: Vec<&str> = v["checks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        for expected in [
            "signature",
            "alg",
            "crit",
            "exp",
            "nbf",
            "iat",
            "iss",
            "aud",
            "azp",
            "nonce",
            "at_hash",
            "c_hash",
        ] {
            assert!(
                names.contains(&expected),
                "missing check {expected}: {names:?}"
            );
        }
        for c in v["checks"].as_array().unwrap() {
            assert!(["pass", "fail", "skipped"].contains(&c["status"].as_str().unwrap()));
            assert!(c["message"].is_string());
        }
        assert!(v["findings"].is_array());
    }

    #[test]
    fn invalid_token_exits_1() {
        let token = tamper_payload(&vector("rfc7515.json", "a1_hs256", "token"));
        let key = vector("rfc7515.json", "a1_hs256", "key_b64url");
        let out = run(&[
            &token,
            "--secret-b64",
            &key,
            "--json",
            "--now",
            "1300819000",
        ]);
        assert_eq!(out.status.code(), Some(1));
        let v = json_out(&out);
        assert_eq!(v["valid"], false);
        let sig = v["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "signature")
            .unwrap();
        assert_eq!(sig["status"], "fail");
    }

    #[test]
    fn expectations_not_given_are_skipped_and_given_ones_checked() {
        let token = sign(Signer::Hs256, Header::new(Algorithm::HS256), &id_claims());
        let now = NOW.to_string();
        let out = run(&[&token, "--secret", HS_SECRET, "--json", "--now", &now]);
        assert_eq!(out.status.code(), Some(0));
        let v = json_out(&out);
        let st = |v: &Value, n: &str| {
            v["checks"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["name"] == n)
                .unwrap()["status"]
                .clone()
        };
        assert_eq!(st(&v, "iss"), "skipped");
        assert_eq!(st(&v, "aud"), "skipped");
        let out = run(&[
            &token, "--secret", HS_SECRET, "--json", "--now", &now, "--iss", ISSUER, "--aud",
            "nope", "--aud", CLIENT, "--nonce", "wrong",
        ]);
        assert_eq!(out.status.code(), Some(1));
        let v = json_out(&out);
        assert_eq!(st(&v, "iss"), "pass");
        assert_eq!(st(&v, "aud"), "pass");
        assert_eq!(st(&v, "nonce"), "fail");
    }

    #[test]
    fn alg_option_is_repeatable_and_leeway_applies() {
        let token = sign(
            Signer::Hs256,
            Header::new(Algorithm::HS256),
            &json!({"exp": NOW - 30}),
        );
        let now = NOW.to_string();
        let out = run(&[
            &token, "--secret", HS_SECRET, "--alg", "HS512", "--alg", "HS256", "--now", &now,
        ]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        let out = run(&[
            &token, "--secret", HS_SECRET, "--leeway", "10", "--now", &now,
        ]);
        assert_eq!(out.status.code(), Some(1));
        let out = run(&[
            &token, "--secret", HS_SECRET, "--alg", "HS512", "--now", &now,
        ]);
        assert_eq!(out.status.code(), Some(1));
    }

    #[test]
    fn jwks_file_and_token_from_at_file() {
        let dir = tempfile::tempdir().unwrap();
        let v = vectors("rfc7520.json");
        let jwks = write(
            &dir,
            "jwks.json",
            &json!({"keys": [v["s4_4_hs256"]["jwk"]]}).to_string(),
        );
        let token = write(
            &dir,
            "token.txt",
            &format!("{}\n", v["s4_4_hs256"]["token"].as_str().unwrap()),
        );
        let out = run(&[&format!("@{token}"), "--key", &jwks, "--json"]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            json_out(&out)["key"]["kid"],
            "018c0ae5-4d9b-471b-bfd6-eef314bc7037"
        );
    }

    #[test]
    fn input_errors_exit_2_with_json_error() {
        let dir = tempfile::tempdir().unwrap();
        let token = vector("rfc7515.json", "a2_rs256", "token");
        let cases: Vec<(Vec<String>, &str)> = vec![
            (
                vec!["not.a.token!".into(), "--secret".into(), "x".into()],
                "jwt.invalid_base64url",
            ),
            (
                vec![token.clone(), "--key".into(), "/nonexistent/key.pem".into()],
                "input.unreadable",
            ),
            (
                vec![
                    token.clone(),
                    "--key".into(),
                    write(
                        &dir,
                        "priv.pem",
                        &vector("rfc7515.json", "a3_es256", "private_pem"),
                    ),
                ],
                "key.invalid",
            ),
            (
                vec![
                    token.clone(),
                    "--key".into(),
                    write(&dir, "junk.json", "{not json"),
                ],
                "key.unreadable",
            ),
            (
                vec![
                    vector("rfc7516.json", "a1_compact", ""),
                    "--secret".into(),
                    "x".into(),
                ],
                "verify.encrypted",
            ),
            (
                vec![token.clone(), "--secret-b64".into(), "***".into()],
                "key.invalid",
            ),
        ];
        for (args, code) in cases {
            let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
            args.push("--json");
            let out = run(&args);
            assert_eq!(
                out.status.code(),
                Some(2),
                "{args:?}: {}",
                String::from_utf8_lossy(&out.stdout)
            );
            assert_eq!(json_out(&out)["error"]["code"], code, "{args:?}");
            assert!(!out.stderr.is_empty());
        }
    }

    #[test]
    fn a_key_source_is_required_and_only_one() {
        let token = vector("rfc7515.json", "a2_rs256", "token");
        assert_eq!(run(&[&token]).status.code(), Some(2));
        assert_eq!(
            run(&[&token, "--secret", "a", "--secret-b64", "YQ"])
                .status
                .code(),
            Some(2)
        );
    }

    /// Runs `verify` with `args` and `--json`; the exit code and the signature check.
    fn signature_verdict(args: &[&str]) -> (Option<i32>, Value) {
        let mut all = args.to_vec();
        all.push("--json");
        let out = run(&all);
        let report = json_out(&out);
        let signature = report["checks"]
            .as_array()
            .unwrap_or_else(|| panic!("{args:?}: {report}"))
            .iter()
            .find(|c| c["name"] == "signature")
            .unwrap()
            .clone();
        (out.status.code(), signature)
    }

    #[test]
    fn malformed_signatures_are_invalid_not_input_errors() {
        let dir = tempfile::tempdir().unwrap();
        let rs_pem = write(
            &dir,
            "rs.pem",
            &vector("rfc7515.json", "a2_rs256", "public_pem"),
        );
        let es_pem = write(
            &dir,
            "es.pem",
            &vector("rfc7515.json", "a3_es256", "public_pem"),
        );
        let now = RFC_NOW.to_string();
        let (code, sig) =
            signature_verdict(&[&unsigned_rs256_token(), "--key", &rs_pem, "--now", &now]);
        assert_eq!(code, Some(1));
        assert_eq!(sig["status"], "fail");
        assert_eq!(sig["message"], "the signature is empty");

        let (code, sig) =
            signature_verdict(&[&der_encoded_es256_token(), "--key", &es_pem, "--now", &now]);
        assert_eq!(code, Some(1));
        assert_eq!(sig["status"], "fail");
        let msg = sig["message"].as_str().unwrap();
        assert!(msg.contains("64 bytes") && msg.contains("DER"), "{msg}");
    }

    #[test]
    fn a_jwks_without_the_tokens_kid_is_invalid_not_an_input_error() {
        let dir = tempfile::tempdir().unwrap();
        let token = vectors("rfc7520.json")["s4_4_hs256"]["token"]
            .as_str()
            .unwrap()
            .to_owned();
        for (name, jwks) in [
            ("other-kids", jwks_without_the_rfc7520_kid()),
            ("empty", json!({"keys": []})),
            (
                "unusable",
                json!({"keys": [{"kty": "XYZ"}, {"kty": "RSA"}]}),
            ),
        ] {
            let path = write(&dir, &format!("{name}.json"), &jwks.to_string());
            let (code, sig) = signature_verdict(&[&token, "--key", &path]);
            assert_eq!(code, Some(1), "{name}");
            assert_eq!(sig["status"], "fail", "{name}");
            assert!(
                sig["message"]
                    .as_str()
                    .unwrap()
                    .contains("no key has kid \"018c0ae5"),
                "{name}: {sig}"
            );
        }
    }

    #[test]
    fn key_files_that_are_not_keys_stay_input_errors() {
        let dir = tempfile::tempdir().unwrap();
        let token = vector("rfc7515.json", "a2_rs256", "token");
        for (name, text, code) in [
            ("prose.txt", "hello, I am not a key", "key.unreadable"),
            ("jwk.json", r#"{"kty": "XYZ"}"#, "key.unsupported"),
            (
                "keys-object.json",
                r#"{"keys": {"kty": "oct"}}"#,
                "key.invalid",
            ),
            ("empty.pem", "", "key.unreadable"),
        ] {
            let path = write(&dir, name, text);
            let out = run(&[&token, "--key", &path, "--json"]);
            assert_eq!(out.status.code(), Some(2), "{name}");
            assert_eq!(json_out(&out)["error"]["code"], code, "{name}");
        }
    }

    #[test]
    fn secret_b64_takes_every_base64_spelling() {
        // Bytes whose standard encoding needs '+', '/' and padding.
        let secret: Vec<u8> = (0..32u8).map(|i| 0xf8 | (i % 8)).collect();
        let standard = STANDARD.encode(&secret);
        assert!(
            standard.contains('+') && standard.contains('/') && standard.ends_with('='),
            "{standard}"
        );
        let url_safe = URL_SAFE_NO_PAD.encode(&secret);
        let token = encode(
            &Header::new(Algorithm::HS256),
            &json!({"sub": "alice", "exp": NOW + 60}),
            &EncodingKey::from_secret(&secret),
        )
        .unwrap();
        let now = NOW.to_string();
        for form in [
            standard.clone(),
            standard.trim_end_matches('=').to_owned(),
            format!("{url_safe}="),
            url_safe.clone(),
        ] {
            let (code, sig) = signature_verdict(&[&token, "--secret-b64", &form, "--now", &now]);
            assert_eq!(code, Some(0), "{form}: {sig}");
            assert_eq!(sig["status"], "pass", "{form}");
        }
        // The same text as a plain --secret is other bytes, so it does not verify.
        let (code, _) = signature_verdict(&[&token, "--secret", &standard, "--now", &now]);
        assert_eq!(code, Some(1));
    }

    #[test]
    fn token_is_read_from_stdin_when_not_given() {
        let token = vector("rfc7515.json", "a1_hs256", "token");
        let key = vector("rfc7515.json", "a1_hs256", "key_b64url");
        let args = [
            "verify",
            "--secret-b64",
            &key,
            "--json",
            "--now",
            "1300819000",
        ];
        let out = crate::util::tokenscope_stdin(&args, &format!("{token}\n"));
        assert_eq!(out.status.code(), Some(0), "{}", crate::util::stderr(&out));
        assert_eq!(json_out(&out)["valid"], true);
        let out = crate::util::tokenscope_stdin(&args, &format!("{}\n", tamper_payload(&token)));
        assert_eq!(out.status.code(), Some(1));
    }
}

#[test]
fn rfc7520_cookbook_rs256_ps384_and_es512_verify_with_one_jwks_sharing_a_kid() {
    // RFC 7520 gives its RSA and P-521 keys the same kid: selection must also match the key type.
    let v = vectors("rfc7520.json");
    let jwks = json!({"keys": [v["rsa_public_jwk"], v["ec_public_jwk"]]});
    let keys = keys_from_text(&jwks.to_string(), None).unwrap();
    for (case, kty) in [
        ("s4_1_rs256", "RSA"),
        ("s4_2_ps384", "RSA"),
        ("s4_3_es512", "EC"),
    ] {
        let token = v[case]["token"].as_str().unwrap();
        let r = verify_token(token, &keys, &VerifyOptions::at(NOW)).unwrap();
        assert!(r.valid, "{case}: {r:#?}");
        assert_eq!(r.key.as_ref().unwrap().kty, kty, "{case}");
        let r = verify_token(&tamper_payload(token), &keys, &VerifyOptions::at(NOW)).unwrap();
        assert_eq!(status(&r, "signature"), CheckStatus::Fail, "{case}");
    }
}

#[test]
fn x509_certificate_pem_yields_the_same_key_as_its_jwk() {
    let path = format!(
        "{}/tests/fixtures/discovery/jwks.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let jwks: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    for jwk in jwks["keys"].as_array().unwrap() {
        let der_b64 = jwk["x5c"][0].as_str().unwrap();
        let body: Vec<String> = der_b64
            .as_bytes()
            .chunks(64)
            .map(|c| String::from_utf8(c.to_vec()).unwrap())
            .collect();
        let pem = format!(
            "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
            body.join("\n")
        );
        let from_cert = keys_from_text(&pem, None).unwrap();
        let from_jwk = keys_from_text(&jwk.to_string(), None).unwrap();
        assert_eq!(from_cert[0].source, KeySource::Pem);
        assert_eq!(
            from_cert[0].material.thumbprint(),
            from_jwk[0].material.thumbprint(),
            "{}",
            jwk["kid"]
        );
    }
}

#[test]
fn long_lifetime_threshold_is_configurable_from_the_cli() {
    let token = sign(
        Signer::Hs256,
        Header::new(Algorithm::HS256),
        &json!({"iat": NOW, "exp": NOW + 2 * 3600}),
    );
    let now = NOW.to_string();
    let findings = |extra: &[&str]| {
        let mut args = vec![
            "verify",
            token.as_str(),
            "--secret",
            HS_SECRET,
            "--json",
            "--now",
            now.as_str(),
        ];
        args.extend_from_slice(extra);
        let v = crate::util::stdout_json(&crate::util::tokenscope(&args));
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "long-lifetime")
    };
    assert!(!findings(&[]), "2 h is under the 24 h default");
    assert!(findings(&["--max-lifetime", "3600"]));
}

// ---- PEM forms and the token's own x5c, through the CLI ----------------------------------

/// The DER bytes of the first PEM block in `pem`.
fn pem_body(pem: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    STANDARD.decode(body).unwrap()
}

/// One DER TLV (X.690 §8.1): `tag`, definite length, `content`.
fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    if content.len() < 0x80 {
        out.push(content.len() as u8);
    } else {
        let len: Vec<u8> = content
            .len()
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | len.len() as u8);
        out.extend(len);
    }
    out.extend_from_slice(content);
    out
}

/// A self-signed X.509 v1 certificate (RFC 5280 §4.1) for RFC 7515 A.2's RSA key, signed
/// sha256WithRSAEncryption by that key: built here because no RFC vector pairs a certificate
/// with its private key.
fn rfc7515_a2_certificate_der() -> Vec<u8> {
    let v = vectors("rfc7515.json");
    let seq = |parts: &[&[u8]]| der(0x30, &parts.concat());
    // 1.2.840.113549.1.1.11, parameters NULL.
    let sha256_with_rsa = seq(&[
        &der(
            0x06,
            &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b],
        ),
        &der(0x05, &[]),
    ]);
    // CN (2.5.4.3) = "Tokenscope test".
    let name = seq(&[&der(
        0x31,
        &seq(&[
            &der(0x06, &[0x55, 0x04, 0x03]),
            &der(0x0c, b"Tokenscope test"),
        ]),
    )]);
    let validity = seq(&[&der(0x17, b"100101000000Z"), &der(0x17, b"491231235959Z")]);
    let spki = pem_body(v["a2_rs256"]["public_pem"].as_str().unwrap());
    let tbs = seq(&[
        &der(0x02, &[0x01]),
        &sha256_with_rsa,
        &name,
        &validity,
        &name,
        &spki,
    ]);
    let private =
        EncodingKey::from_rsa_pem(v["a2_rs256"]["private_pem"].as_str().unwrap().as_bytes())
            .unwrap();
    let signature = jsonwebtoken::crypto::sign(&tbs, &private, Algorithm::RS256).unwrap();
    let mut bits = vec![0]; // no unused bits
    bits.extend(URL_SAFE_NO_PAD.decode(signature).unwrap());
    seq(&[&tbs, &sha256_with_rsa, &der(0x03, &bits)])
}

fn pem_block(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

/// `verify TOKEN --key FILE --json --now RFC_NOW` with `key_text` in FILE.
fn verify_with_key_file(token: &str, key_text: &str) -> (Option<i32>, Value) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("key.pem");
    std::fs::write(&path, key_text).unwrap();
    let now = RFC_NOW.to_string();
    let path = path.display().to_string();
    let out = crate::util::tokenscope(&["verify", token, "--key", &path, "--json", "--now", &now]);
    (out.status.code(), crate::util::stdout_json(&out))
}

fn spki_thumbprint() -> String {
    rfc_key("a2_rs256", "public_pem")[0].material.thumbprint()
}

#[test]
fn pkcs1_rsa_public_key_pem_verifies_through_the_cli() {
    use rsa::pkcs1::{EncodeRsaPublicKey as _, LineEnding};
    use rsa::pkcs8::DecodePublicKey as _;
    let spki = vector("rfc7515.json", "a2_rs256", "public_pem");
    let pkcs1 = rsa::RsaPublicKey::from_public_key_pem(&spki)
        .unwrap()
        .to_pkcs1_pem(LineEnding::LF)
        .unwrap();
    assert!(
        pkcs1.starts_with("-----BEGIN RSA PUBLIC KEY-----"),
        "{pkcs1}"
    );
    assert_key_file_verifies_the_rfc7515_a2_token(&pkcs1);
}

#[test]
fn x509_certificate_pem_verifies_through_the_cli() {
    assert_key_file_verifies_the_rfc7515_a2_token(&pem_block(
        "CERTIFICATE",
        &rfc7515_a2_certificate_der(),
    ));
}

/// `key_text` in a `--key` file verifies RFC 7515 A.2's token as the same key as its SPKI PEM,
/// and a tampered copy fails the signature check.
fn assert_key_file_verifies_the_rfc7515_a2_token(key_text: &str) {
    let token = vector("rfc7515.json", "a2_rs256", "token");
    let (code, report) = verify_with_key_file(&token, key_text);
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(report["key"]["source"], "pem");
    assert_eq!(report["key"]["kty"], "RSA");
    assert_eq!(report["key"]["thumbprint"], spki_thumbprint().as_str());
    let (code, report) = verify_with_key_file(&tamper_payload(&token), key_text);
    assert_eq!(code, Some(1));
    assert_eq!(cli_check(&report, "signature")["status"], "fail");
}

#[test]
fn the_tokens_own_x5c_verifies_the_signature_but_fails_key_trust() {
    let v = vectors("rfc7515.json");
    let mut header = Header::new(Algorithm::RS256);
    // RFC 7515 §4.1.6: standard base64 (not base64url) DER.
    header.x5c = Some(vec![STANDARD.encode(rfc7515_a2_certificate_der())]);
    let private =
        EncodingKey::from_rsa_pem(v["a2_rs256"]["private_pem"].as_str().unwrap().as_bytes())
            .unwrap();
    let token = encode(
        &header,
        &json!({"sub": "mallory", "exp": NOW + 600}),
        &private,
    )
    .unwrap();
    let now = NOW.to_string();
    let out = crate::util::tokenscope(&["verify", &token, "--token-keys", "--json", "--now", &now]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let report = crate::util::stdout_json(&out);
    assert_eq!(report["valid"], false);
    assert_eq!(cli_check(&report, "signature")["status"], "pass");
    let trust = cli_check(&report, "key-trust");
    assert_eq!(trust["status"], "fail");
    assert!(
        trust["message"].as_str().unwrap().contains("x5c"),
        "{trust}"
    );
    assert_eq!(report["key"]["source"], "token_header");
    assert_eq!(report["key"]["thumbprint"], spki_thumbprint().as_str());
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "untrusted-key"),
        "{report:#}"
    );
}

/// Issue 9: a verdict is VALID only if every expectation the user set was checked and held, and
/// the key is trusted and strong enough.
mod verdicts_that_must_not_pass {
    use super::*;
    use crate::util::{stdout_json, token_from_parts, tokenscope};
    use rsa::pkcs1::EncodeRsaPrivateKey as _;
    use rsa::traits::PublicKeyParts as _;

    /// 32 bytes: long enough for HS256.
    const STRONG_SECRET: &str = "a-32-byte-secret-for-hs256-tests";

    /// A JWS whose payload is the text "Payload" (RFC 7515 A.4 style), correctly signed.
    fn text_payload_token() -> String {
        let unsigned = token_from_parts(r#"{"alg":"HS256"}"#, "Payload", "");
        let input = unsigned.trim_end_matches('.');
        let mut mac =
            <hmac::Hmac<sha2::Sha256> as hmac::Mac>::new_from_slice(STRONG_SECRET.as_bytes())
                .unwrap();
        hmac::Mac::update(&mut mac, input.as_bytes());
        let tag = hmac::Mac::finalize(mac).into_bytes();
        format!("{input}.{}", b64(tag))
    }

    fn failing(report: &VerifyReport) -> Vec<&str> {
        report
            .checks
            .iter()
            .filter(|c| c.status == CheckStatus::Fail)
            .map(|c| c.name.as_str())
            .collect()
    }

    #[test]
    fn a_text_payload_without_expectations_is_valid_with_every_claim_check_skipped() {
        let r = verify_token(
            &text_payload_token(),
            &secret(STRONG_SECRET),
            &VerifyOptions::at(NOW),
        )
        .unwrap();
        assert!(r.valid, "{:#?}", r.checks);
        assert_eq!(status(&r, "signature"), CheckStatus::Pass);
        for name in ["exp", "iss", "aud", "nonce", "at_hash", "c_hash"] {
            assert_eq!(status(&r, name), CheckStatus::Skipped, "{name}");
        }
    }

    #[test]
    fn each_expectation_on_a_text_payload_fails_its_check() {
        type Edit = fn(&mut VerifyOptions);
        let cases: [(&str, Edit); 5] = [
            ("iss", |o| o.issuer = Some(ISSUER.into())),
            ("aud", |o| o.audiences = vec![CLIENT.into()]),
            ("nonce", |o| o.nonce = Some("n-0S6_WzA2Mj".into())),
            ("at_hash", |o| {
                o.access_token = Some("an-access-token".into())
            }),
            ("c_hash", |o| o.code = Some("an-authorization-code".into())),
        ];
        for (name, edit) in cases {
            let mut options = VerifyOptions::at(NOW);
            edit(&mut options);
            let r = verify_token(&text_payload_token(), &secret(STRONG_SECRET), &options).unwrap();
            assert!(!r.valid, "{name}: {:#?}", r.checks);
            assert_eq!(failing(&r), [name], "{name}");
            assert!(
                message(&r, name).contains("no claims set: the payload is text"),
                "{}",
                message(&r, name)
            );
            assert_eq!(status(&r, "signature"), CheckStatus::Pass);
        }
    }

    #[test]
    fn id_token_rules_on_a_text_payload_fail_every_mandatory_claim() {
        let options = VerifyOptions {
            id_token: Some(true),
            ..VerifyOptions::at(NOW)
        };
        let r = verify_token(&text_payload_token(), &secret(STRONG_SECRET), &options).unwrap();
        assert!(!r.valid);
        assert_eq!(failing(&r), ["exp", "iat", "iss", "sub", "aud"]);
        assert_eq!(status(&r, "nbf"), CheckStatus::Skipped);
        assert_eq!(status(&r, "nonce"), CheckStatus::Skipped);
    }

    #[test]
    fn cli_text_payload_with_expectations_exits_1_naming_the_checks() {
        let token = text_payload_token();
        let base = [
            "verify",
            token.as_str(),
            "--secret",
            STRONG_SECRET,
            "--json",
        ];
        let out = tokenscope(&base);
        assert_eq!(out.status.code(), Some(0), "no expectation: still valid");
        for (flag, value, names) in [
            ("--aud", Some(CLIENT), vec!["aud"]),
            ("--iss", Some(ISSUER), vec!["iss"]),
            ("--nonce", Some("n"), vec!["nonce"]),
            ("--access-token", Some("at"), vec!["at_hash"]),
            ("--code", Some("code"), vec!["c_hash"]),
            ("--id-token", None, vec!["exp", "iat", "iss", "sub", "aud"]),
        ] {
            let mut args = base.to_vec();
            args.push(flag);
            args.extend(value);
            let out = tokenscope(&args);
            assert_eq!(out.status.code(), Some(1), "{flag}");
            let report = stdout_json(&out);
            assert_eq!(report["valid"], false);
            for name in names {
                let c = cli_check(&report, name);
                assert_eq!(c["status"], "fail", "{flag}: {c}");
                assert!(c["message"]
                    .as_str()
                    .unwrap()
                    .starts_with("no claims set: the payload is text"));
            }
        }
    }

    /// An RSA key of `bits`, generated now; the CLI's keygen refuses sizes under 2048.
    fn rsa_key(bits: usize) -> rsa::RsaPrivateKey {
        rsa::RsaPrivateKey::new(&mut rand_core::OsRng, bits).unwrap()
    }

    #[test]
    fn a_1024_bit_rsa_key_verifies_the_math_but_fails_key_strength() {
        let key = rsa_key(1024);
        let der = key.to_pkcs1_der().unwrap();
        let token = encode(
            &Header::new(Algorithm::RS256),
            &json!({"sub": "alice", "exp": NOW + 600}),
            &EncodingKey::from_rsa_der(der.as_bytes()),
        )
        .unwrap();
        let jwk =
            json!({"kty": "RSA", "n": b64(key.n().to_bytes_be()), "e": b64(key.e().to_bytes_be())});
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("small.jwk.json");
        std::fs::write(&path, jwk.to_string()).unwrap();
        let now = NOW.to_string();
        let out = tokenscope(&[
            "verify",
            &token,
            "--key",
            path.to_str().unwrap(),
            "--now",
            &now,
            "--json",
        ]);
        assert_signature_passes_but_key_strength_fails(
            &out,
            "RS256 needs a key of at least 2048 bits; this one has 1024",
        );
    }

    /// `verify --json` exited 1 with the signature matching and `key-strength` failing, its
    /// message starting with `reason`.
    fn assert_signature_passes_but_key_strength_fails(out: &std::process::Output, reason: &str) {
        assert_eq!(out.status.code(), Some(1));
        let report = stdout_json(out);
        assert_eq!(cli_check(&report, "signature")["status"], "pass");
        let strength = cli_check(&report, "key-strength");
        assert_eq!(strength["status"], "fail");
        assert!(
            strength["message"].as_str().unwrap().starts_with(reason),
            "{strength}"
        );
    }

    #[test]
    fn an_8_byte_hs256_secret_fails_key_strength_with_the_numbers() {
        let token = encode(
            &Header::new(Algorithm::HS256),
            &json!({"sub": "alice", "exp": NOW + 600}),
            &EncodingKey::from_secret(b"8-bytes!"),
        )
        .unwrap();
        let now = NOW.to_string();
        let out = tokenscope(&[
            "verify", &token, "--secret", "8-bytes!", "--now", &now, "--json",
        ]);
        assert_signature_passes_but_key_strength_fails(
            &out,
            "HS256 needs a key of at least 256 bits; this one has 64",
        );
        // HS512 asks for 512 bits: the 256-bit secret that suffices for HS256 falls short.
        let token = encode(
            &Header::new(Algorithm::HS512),
            &json!({"exp": NOW + 600}),
            &EncodingKey::from_secret(STRONG_SECRET.as_bytes()),
        )
        .unwrap();
        let r = verify_token(&token, &secret(STRONG_SECRET), &VerifyOptions::at(NOW)).unwrap();
        assert!(!r.valid);
        assert!(message(&r, "key-strength")
            .starts_with("HS512 needs a key of at least 512 bits; this one has 256"));
    }

    #[test]
    fn strong_trusted_keys_add_no_key_rows() {
        let token = encode(
            &Header::new(Algorithm::HS256),
            &json!({"exp": NOW + 600}),
            &EncodingKey::from_secret(STRONG_SECRET.as_bytes()),
        )
        .unwrap();
        let r = verify_token(&token, &secret(STRONG_SECRET), &VerifyOptions::at(NOW)).unwrap();
        assert!(r.valid, "{:#?}", r.checks);
        assert!(r
            .checks
            .iter()
            .all(|c| c.name != "key-strength" && c.name != "key-trust"));
    }

    #[test]
    fn encode_warns_about_a_secret_too_short_for_its_algorithm() {
        let out = tokenscope(&[
            "encode",
            "--alg",
            "HS256",
            "--secret",
            "8-bytes!",
            "--payload",
            "{}",
            "--json",
        ]);
        assert_eq!(out.status.code(), Some(0));
        let v = stdout_json(&out);
        let weak: Vec<&Value> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "weak-secret")
            .collect();
        assert_eq!(weak.len(), 1, "{v:#}");
        assert!(weak[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("HS256 needs a key of at least 256 bits; this one has 64"));
    }

    #[test]
    fn jku_off_issuer_compares_hosts_as_the_url_parser_reads_them() {
        // A backslash ends the authority of an https URL: the first jku's host is evil.test.
        for (jku, off_issuer) in [
            ("https://evil.test\\@op.example.com/jwks", true),
            ("https://op.example.com/jwks", false),
        ] {
            let mut header = Header::new(Algorithm::HS256);
            header.jku = Some(jku.into());
            let token = encode(
                &header,
                &json!({"iss": ISSUER, "exp": NOW + 600}),
                &EncodingKey::from_secret(STRONG_SECRET.as_bytes()),
            )
            .unwrap();
            let r = verify_token(&token, &secret(STRONG_SECRET), &VerifyOptions::at(NOW)).unwrap();
            assert_eq!(
                has_finding(&r, "jku-off-issuer"),
                off_issuer,
                "{jku}: {:#?}",
                r.findings
            );
        }
    }
}

#[test]
fn a_bad_base64_secret_is_reported_by_position_without_quoting_the_secret() {
    let err = secret_from_base64("abc!defg").unwrap_err();
    let text = err.to_string();
    assert!(text.contains("position 4"), "{text}");
    assert!(!text.contains('!') && !text.contains("33"), "{text}");
}
