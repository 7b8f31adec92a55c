//! Decoding through the core API: RFC vectors, input tolerance, malformed input, findings.

use serde_json::{json, Value};
use tokenscope::jwt::{
    decode_unverified, DecodeError, SegmentKind, Severity, TokenFormat, MAX_JSON_DEPTH,
    MAX_TOKEN_BYTES,
};
use tokenscope::ErrorCode as _;

use crate::util::{b64, rfc7519_token, token_from_parts, vector};

/// 2026-11-22T00:00:00Z: a fixed "now" so relative times are stable.
const NOW: i64 = 1_795_305_600;

fn keys(v: &Value) -> Vec<&str> {
    v.as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect()
}

fn codes(findings: &[tokenscope::jwt::Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.code.as_str()).collect()
}

#[test]
fn rfc7519_example_decodes_with_key_order_preserved() {
    let t = decode_unverified(&rfc7519_token(), NOW).unwrap();
    assert_eq!(t.format, TokenFormat::Jws);
    assert_eq!(keys(&t.header), ["typ", "alg"]);
    assert_eq!(t.header["alg"], "HS256");
    let payload = t.payload.as_ref().unwrap();
    assert_eq!(keys(payload), ["iss", "exp", "http://example.com/is_root"]);
    assert_eq!(payload["http://example.com/is_root"], true);
    assert_eq!(
        t.signature.as_deref(),
        Some("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
    );
    let kinds: Vec<_> = t.segments.iter().map(|s| s.kind).collect();
    assert_eq!(
        kinds,
        [
            SegmentKind::Header,
            SegmentKind::Payload,
            SegmentKind::Signature
        ]
    );
}

#[test]
fn claims_carry_descriptions_and_exp_is_rendered_as_utc_and_relative() {
    let t = decode_unverified(&rfc7519_token(), NOW).unwrap();
    let names: Vec<_> = t.claims.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["iss", "exp", "http://example.com/is_root"]);
    let iss = &t.claims[0];
    assert_eq!(iss.value, json!("joe"));
    assert!(iss.description.starts_with("Issuer"), "{}", iss.description);
    assert_eq!(iss.spec.as_deref(), Some("RFC 7519 §4.1.1"));
    assert!(iss.time.is_none());
    let exp = t.claims[1].time.as_ref().unwrap();
    assert_eq!(exp.unix, 1_300_819_380);
    assert_eq!(exp.iso8601, "2011-03-22T18:43:00Z");
    assert_eq!(exp.relative, "expired 15 y ago");
    assert!(
        t.claims[2].description.contains("private"),
        "{}",
        t.claims[2].description
    );
    assert_eq!(t.claims[2].spec, None);
    let typ = t.header_params.iter().find(|p| p.name == "typ").unwrap();
    assert!(typ.description.contains("Media type"));
}

#[test]
fn rfc7519_example_is_expired_and_says_so() {
    let t = decode_unverified(&rfc7519_token(), NOW).unwrap();
    let expired = t
        .findings
        .iter()
        .find(|f| f.code == "expired")
        .expect("expired finding");
    assert_eq!(expired.severity, Severity::Warning);
    assert!(expired.message.contains("2011-03-22T18:43:00Z"));
    assert!(!codes(&t.findings).contains(&"no-exp"));
    // Before its expiry the same token is not flagged.
    let t = decode_unverified(&rfc7519_token(), 1_300_819_379).unwrap();
    assert!(!codes(&t.findings).contains(&"expired"));
}

#[test]
fn rfc7515_signed_examples_decode() {
    for (case, alg) in [
        ("a1_hs256", "HS256"),
        ("a2_rs256", "RS256"),
        ("a3_es256", "ES256"),
    ] {
        let t = decode_unverified(&vector("rfc7515.json", case, "token"), NOW).unwrap();
        assert_eq!(t.format, TokenFormat::Jws, "{case}");
        assert_eq!(t.header["alg"], alg, "{case}");
        assert_eq!(t.payload.as_ref().unwrap()["iss"], "joe", "{case}");
        assert!(t.signature.is_some(), "{case}");
    }
}

#[test]
fn rfc7515_es512_example_with_text_payload_keeps_the_text() {
    let t = decode_unverified(&vector("rfc7515.json", "a4_es512", "token"), NOW).unwrap();
    assert_eq!(t.format, TokenFormat::Jws);
    assert_eq!(t.header["alg"], "ES512");
    assert_eq!(t.payload, None);
    assert_eq!(t.payload_text.as_deref(), Some("Payload"));
    assert!(t.claims.is_empty());
    let f = t
        .findings
        .iter()
        .find(|f| f.code == "payload-not-json")
        .unwrap();
    assert_eq!(f.severity, Severity::Info);
    // No claims set, so no claim-based findings either.
    assert!(!codes(&t.findings).contains(&"no-exp"));
}

#[test]
fn rfc7515_unsecured_example_is_flagged_alg_none() {
    let t = decode_unverified(&vector("rfc7515.json", "a5_unsecured", "token"), NOW).unwrap();
    assert_eq!(t.format, TokenFormat::Unsecured);
    assert_eq!(t.signature, None);
    let f = t.findings.iter().find(|f| f.code == "alg-none").unwrap();
    assert_eq!(f.severity, Severity::Error);
}

#[test]
fn alg_none_with_a_signature_is_flagged_twice() {
    let token = token_from_parts(r#"{"alg":"none"}"#, r#"{"exp":1}"#, "c2ln");
    let t = decode_unverified(&token, NOW).unwrap();
    assert_eq!(t.format, TokenFormat::Unsecured);
    assert_eq!(t.signature.as_deref(), Some("c2ln"));
    assert!(codes(&t.findings).contains(&"alg-none"));
    assert!(codes(&t.findings).contains(&"none-with-signature"));
}

#[test]
fn duplicate_member_names_are_flagged_and_the_last_value_is_shown() {
    // Parser differential: one library reads alg HS256, another "none".
    let token = token_from_parts(
        r#"{"alg":"none","kid":"k","alg":"HS256"}"#,
        r#"{"sub":"alice","roles":[{"r":"user","r":"admin"}],"sub":"mallory"}"#,
        "c2ln",
    );
    let t = decode_unverified(&token, NOW).unwrap();
    assert_eq!(t.format, TokenFormat::Jws, "the last alg wins");
    assert_eq!(t.header["alg"], "HS256");
    assert_eq!(t.payload.as_ref().unwrap()["sub"], "mallory");
    let dups: Vec<_> = t
        .findings
        .iter()
        .filter(|f| f.code == "duplicate-member")
        .collect();
    assert_eq!(dups.len(), 2, "one per segment: {:?}", t.findings);
    assert!(dups.iter().all(|f| f.severity == Severity::Warning));
    assert!(dups[0]
        .message
        .contains("payload repeats the members /roles/0/r, /sub"));
    assert!(dups[1].message.contains("header repeats the member /alg:"));

    // A JWE's protected header is checked too; a clean token has no such finding.
    let jwe = format!(
        "{}.AA.AA.AA.AA",
        b64(r#"{"alg":"dir","alg":"dir","enc":"A128GCM"}"#)
    );
    let t = decode_unverified(&jwe, NOW).unwrap();
    assert!(codes(&t.findings).contains(&"duplicate-member"));
    let t = decode_unverified(&rfc7519_token(), NOW).unwrap();
    assert!(!codes(&t.findings).contains(&"duplicate-member"));
}

#[test]
fn rfc7516_jwe_shows_protected_header_and_says_payload_is_encrypted() {
    let t = decode_unverified(&vector("rfc7516.json", "a1_compact", ""), NOW).unwrap();
    assert_eq!(t.format, TokenFormat::Jwe);
    assert_eq!(t.header, json!({"alg": "RSA-OAEP", "enc": "A256GCM"}));
    assert_eq!(t.payload, None);
    assert_eq!(t.signature, None);
    assert_eq!(t.segments.len(), 5);
    assert_eq!(t.segments[3].kind, SegmentKind::Ciphertext);
    let f = t.findings.iter().find(|f| f.code == "encrypted").unwrap();
    assert!(f.message.contains("encrypted"));
    assert!(!codes(&t.findings).contains(&"no-exp"));
}

#[test]
fn pasted_forms_decode_to_the_same_token() {
    let bare = rfc7519_token();
    let expected = decode_unverified(&bare, NOW).unwrap();
    for input in [
        format!("  {bare}\n"),
        format!("\"{bare}\""),
        format!("'{bare}'\r\n"),
        format!("Bearer {bare}"),
        format!("BEARER {bare}"),
        format!("bearer\t{bare}"),
        format!("Authorization: Bearer {bare}\r\n"),
        format!("authorization: bearer {bare}"),
        format!("\n\"Bearer {bare}\"\n"),
    ] {
        assert_eq!(
            decode_unverified(&input, NOW).unwrap(),
            expected,
            "input {input:?}"
        );
    }
}

#[test]
fn wrong_segment_counts_are_named() {
    for (input, found) in [("abc", 1), ("a.b", 2), ("a.b.c.d", 4), ("a.b.c.d.e.f", 6)] {
        let err = decode_unverified(input, NOW).unwrap_err();
        assert_eq!(err, DecodeError::SegmentCount { found }, "{input}");
        assert_eq!(err.code(), "jwt.segment_count");
        assert!(err.to_string().contains(&format!("found {found}")));
    }
}

#[test]
fn invalid_base64url_in_payload_names_segment_and_position() {
    let header = b64(r#"{"alg":"HS256"}"#);
    let token = format!("{header}.eyJh!GciOiJ9.sig");
    let err = decode_unverified(&token, NOW).unwrap_err();
    assert_eq!(err.code(), "jwt.invalid_base64url");
    assert_eq!(
        err.to_string(),
        "invalid base64url in the payload at position 4: unexpected '!'"
    );
    let loc = err.location().unwrap();
    assert_eq!(loc.segment, Some(SegmentKind::Payload));
    assert_eq!(loc.position, Some(4));
    // The offset points at the '!' in the whole token.
    let offset = loc.offset.unwrap() as usize;
    assert_eq!(&token[offset..=offset], "!");
}

#[test]
fn standard_base64_characters_get_a_hint() {
    let token = format!("{}.ab+c.sig", b64(r#"{"alg":"HS256"}"#));
    let err = decode_unverified(&token, NOW).unwrap_err();
    assert!(err.to_string().contains("base64url"), "{err}");
    assert!(err.to_string().contains("'+'"), "{err}");
}

#[test]
fn header_must_be_a_json_object() {
    let err = decode_unverified(&token_from_parts("[1,2]", "{}", ""), NOW).unwrap_err();
    assert_eq!(err.code(), "jwt.not_an_object");
    assert_eq!(
        err.to_string(),
        "the header is JSON but not a JSON object (found an array)"
    );
    let err = decode_unverified(&token_from_parts("{\"alg\":", "{}", ""), NOW).unwrap_err();
    assert_eq!(err.code(), "jwt.invalid_json");
    assert!(
        err.to_string().starts_with("the header is not valid JSON"),
        "{err}"
    );
    assert_eq!(err.location().unwrap().segment, Some(SegmentKind::Header));
}

#[test]
fn header_that_is_not_utf8_is_an_error() {
    let token = format!("{}.{}.", b64([0xff, 0xfe, b'{']), b64("{}"));
    let err = decode_unverified(&token, NOW).unwrap_err();
    assert_eq!(err.code(), "jwt.invalid_utf8");
}

#[test]
fn empty_input_and_empty_segments_are_errors() {
    assert_eq!(
        decode_unverified("  \n ", NOW).unwrap_err().code(),
        "jwt.empty"
    );
    assert_eq!(
        decode_unverified("Bearer ", NOW).unwrap_err().code(),
        "jwt.empty"
    );
    let err = decode_unverified(".eyJ9.x", NOW).unwrap_err();
    assert_eq!(err.code(), "jwt.empty_segment");
    let detached = format!("{}..c2ln", b64(r#"{"alg":"HS256"}"#));
    let err = decode_unverified(&detached, NOW).unwrap_err();
    assert_eq!(err.to_string(), "the payload segment is empty");
}

#[test]
fn deeply_nested_payload_is_an_error_not_a_stack_overflow() {
    let depth = 10_000;
    let payload = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let token = token_from_parts(r#"{"alg":"HS256"}"#, &format!("{{\"a\":{payload}}}"), "");
    let err = decode_unverified(&token, NOW).unwrap_err();
    assert_eq!(err.code(), "jwt.too_deep");
    assert!(err.to_string().contains(&MAX_JSON_DEPTH.to_string()));
    // Just inside the limit is fine.
    let ok = format!(
        "{{\"a\":{}{}}}",
        "[".repeat(MAX_JSON_DEPTH - 1),
        "]".repeat(MAX_JSON_DEPTH - 1)
    );
    assert!(decode_unverified(&token_from_parts(r#"{"alg":"HS256"}"#, &ok, ""), NOW).is_ok());
}

#[test]
fn a_4_mib_token_decodes_and_a_larger_than_limit_one_is_refused() {
    let blob = "x".repeat(3 * 1024 * 1024);
    let token = token_from_parts(
        r#"{"alg":"HS256"}"#,
        &format!(r#"{{"blob":"{blob}"}}"#),
        "c2ln",
    );
    assert!(token.len() > 4 * 1024 * 1024);
    let t = decode_unverified(&token, NOW).unwrap();
    assert_eq!(
        t.payload.unwrap()["blob"].as_str().unwrap().len(),
        blob.len()
    );

    let huge = "a".repeat(MAX_TOKEN_BYTES + 1);
    let err = decode_unverified(&huge, NOW).unwrap_err();
    assert_eq!(err.code(), "jwt.too_large");
}

#[test]
fn time_findings_follow_the_clock() {
    let token =
        |payload: Value| token_from_parts(r#"{"alg":"HS256"}"#, &payload.to_string(), "c2ln");
    let t = decode_unverified(&token(json!({"sub": "a"})), NOW).unwrap();
    assert_eq!(codes(&t.findings), ["no-exp"]);

    let t =
        decode_unverified(&token(json!({"exp": NOW + 14 * 60, "nbf": NOW + 300})), NOW).unwrap();
    assert_eq!(codes(&t.findings), ["not-yet-valid"]);
    assert_eq!(
        t.claims[0].time.as_ref().unwrap().relative,
        "expires in 14 min"
    );
    assert_eq!(
        t.claims[1].time.as_ref().unwrap().relative,
        "becomes valid in 5 min"
    );

    // RFC 7519 §4.1.4: at exactly exp the token is no longer valid.
    let t = decode_unverified(&token(json!({"exp": NOW})), NOW).unwrap();
    assert_eq!(codes(&t.findings), ["expired"]);

    let t = decode_unverified(&token(json!({"exp": NOW + 60, "iat": NOW + 3600})), NOW).unwrap();
    assert_eq!(codes(&t.findings), ["iat-in-future"]);
}

#[test]
fn a_bad_date_claim_does_not_hide_the_others() {
    let payload = json!({"exp": "tomorrow", "iat": 1_516_239_022.75, "sub": "x"}).to_string();
    let t = decode_unverified(
        &token_from_parts(r#"{"alg":"HS256"}"#, &payload, "c2ln"),
        NOW,
    )
    .unwrap();
    assert!(codes(&t.findings).contains(&"invalid-numeric-date"));
    assert_eq!(t.claims.len(), 3);
    assert!(t.claims[0].time.is_none());
    assert_eq!(t.claims[1].time.as_ref().unwrap().unix, 1_516_239_022);
}

#[test]
fn header_without_alg_is_flagged() {
    let t = decode_unverified(
        &token_from_parts(r#"{"typ":"JWT"}"#, r#"{"exp":1}"#, "c2ln"),
        NOW,
    )
    .unwrap();
    assert!(codes(&t.findings).contains(&"missing-alg"));
}

/// Decodes a token with `header` and raw `payload`; returns its `payload-not-json` finding.
fn payload_not_json(header: &str, payload: &str) -> tokenscope::jwt::Finding {
    let t = decode_unverified(&token_from_parts(header, payload, "c2ln"), NOW).unwrap();
    assert_eq!(t.payload_text.as_deref(), Some(payload));
    t.findings
        .into_iter()
        .find(|f| f.code == "payload-not-json")
        .expect("a payload-not-json finding")
}

#[test]
fn jwt_typed_token_with_non_json_payload_is_an_error_finding() {
    let f = payload_not_json(r#"{"alg":"HS256","typ":"JWT"}"#, "hello");
    assert_eq!(f.severity, Severity::Error);
}

#[test]
fn a_payload_meant_as_json_but_broken_is_an_error_finding_with_the_parse_position() {
    let f = payload_not_json(r#"{"alg":"HS256"}"#, r#"{"sub": "a",}"#);
    assert_eq!(f.severity, Severity::Error, "{f:?}");
    assert!(f.message.contains("column"), "{}", f.message);
}
