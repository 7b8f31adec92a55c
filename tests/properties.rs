//! Properties over generated input (proptest): decoding never panics and fails with a coded
//! error, and no edit to a signed token's header or payload ever verifies.

use std::sync::OnceLock;

use proptest::prelude::*;
use serde_json::{json, Map, Value};
use tokenscope::jose::alg::JwsAlg;
use tokenscope::jwk::{
    generate_key_pair, keys_from_text, EcCurve, GenerateOptions, KeyMaterial, KeySource, KeySpec,
    SigningKey, VerificationKey,
};
use tokenscope::jwt::verify::{verify_token, VerifyOptions};
use tokenscope::jwt::{decode_unverified, encode_token, EncodeAlg, EncodeOptions};
use tokenscope::secret::SecretBytes;
use tokenscope::ErrorCode as _;

use crate::util::b64;

const NOW: i64 = 1_700_000_000;
const SECRET: &[u8] = b"a shared secret of at least thirty-two bytes";
const BASE64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Error codes are `area.reason`, stable and machine-readable.
fn assert_coded(code: &str) {
    let (area, reason) = code.split_once('.').expect("area.reason");
    assert!(!area.is_empty() && !reason.is_empty(), "{code}");
}

/// Text that is mostly token-shaped: base64url runs, dots, whitespace, quotes, `Bearer`, and
/// now and then any character at all.
fn token_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        8 => "[A-Za-z0-9_-]{0,40}",
        4 => Just(".".to_owned()),
        1 => Just("Bearer ".to_owned()),
        1 => Just("\"".to_owned()),
        1 => "[ \t\r\n]{1,3}",
        1 => "[+/=]{1,2}",
        1 => any::<String>().prop_map(|s| s.chars().take(8).collect()),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|parts| parts.concat())
}

/// `cases` per property (override with `PROPTEST_CASES` to search harder), no regression files.
fn config(cases: u32) -> ProptestConfig {
    let from_env = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok());
    ProptestConfig {
        cases: from_env.unwrap_or(cases),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn decoding_any_text_returns_a_token_or_a_coded_error(input in token_like()) {
        if let Err(e) = decode_unverified(&input, NOW) {
            assert_coded(e.code());
            prop_assert!(!e.to_string().is_empty());
        }
    }

    #[test]
    fn three_segments_of_any_bytes_decode_when_the_header_is_an_object(
        header in prop_oneof![
            Just(br#"{"alg":"HS256"}"#.to_vec()),
            prop::collection::vec(any::<u8>(), 0..64),
        ],
        payload in prop::collection::vec(any::<u8>(), 1..256),
        signature in prop::collection::vec(any::<u8>(), 0..80),
    ) {
        let token = format!("{}.{}.{}", b64(&header), b64(&payload), b64(&signature));
        let header_is_object = serde_json::from_slice::<Value>(&header)
            .is_ok_and(|v| v.is_object());
        match decode_unverified(&token, NOW) {
            Ok(decoded) => {
                prop_assert!(header_is_object, "a non-object header decoded");
                // A payload that is not a JSON object is kept as text or reported, never lost.
                let payload_is_object = serde_json::from_slice::<Value>(&payload)
                    .is_ok_and(|v| v.is_object());
                prop_assert_eq!(decoded.payload.is_some(), payload_is_object);
            }
            Err(e) => {
                prop_assert!(!header_is_object, "{e}");
                assert_coded(e.code());
            }
        }
    }
}

struct Signer {
    alg: JwsAlg,
    key: SigningKey,
    verification: Vec<VerificationKey>,
}

/// One HMAC, one Ed25519 and one P-256 signer, made once for every case.
fn signers() -> &'static [Signer] {
    static SIGNERS: OnceLock<Vec<Signer>> = OnceLock::new();
    SIGNERS.get_or_init(|| {
        let mut all = vec![Signer {
            alg: JwsAlg::HS256,
            key: SigningKey::from_secret(SecretBytes::new(SECRET.to_vec())),
            verification: vec![VerificationKey::new(
                KeyMaterial::Hmac(SecretBytes::new(SECRET.to_vec())),
                KeySource::Secret,
            )],
        }];
        for (alg, spec) in [
            (JwsAlg::EdDSA, KeySpec::Ed25519),
            (JwsAlg::ES256, KeySpec::Ec { crv: EcCurve::P256 }),
        ] {
            let options = GenerateOptions {
                kid: None,
                alg: Some(alg),
            };
            let pair = generate_key_pair(spec, &options).unwrap();
            let verification = keys_from_text(&pair.public().jwks.to_string(), None).unwrap();
            all.push(Signer {
                alg,
                key: pair.into_signing_key(),
                verification,
            });
        }
        all
    })
}

fn claims() -> impl Strategy<Value = Map<String, Value>> {
    (
        "[a-z]{1,12}",
        prop::collection::vec("[a-z:/.]{1,16}", 1..3),
        0i64..3600,
        prop::option::of("[ -~]{0,40}"),
    )
        .prop_map(|(sub, aud, ttl, note)| {
            let mut claims = json!({
                "iss": "https://issuer.example",
                "sub": sub,
                "aud": &aud,
                "iat": NOW,
                "exp": NOW + 60 + ttl,
            });
            if aud.len() > 1 {
                // OIDC Core §3.1.3.7: several audiences name the authorized party.
                claims["azp"] = json!(aud[0]);
            }
            if let Some(note) = note {
                claims["note"] = json!(note);
            }
            claims.as_object().cloned().unwrap()
        })
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn any_single_character_edit_to_a_signed_part_fails_verification(
        which in 0usize..3,
        claims in claims(),
        position in any::<prop::sample::Index>(),
        replacement in prop::sample::select(BASE64URL),
    ) {
        let signer = &signers()[which];
        let options = EncodeOptions::new(EncodeAlg::Signed(signer.alg), NOW);
        let token = encode_token(Map::new(), claims, Some(&signer.key), &options).unwrap().token;
        let verify = |t: &str| verify_token(t, &signer.verification, &VerifyOptions::at(NOW));

        let report = verify(&token).unwrap();
        prop_assert!(report.valid, "the untouched token verifies: {:?}", report.checks);

        // Edit one character of `header.payload`, the signed input (RFC 7515 §5.2).
        let signed_len = token.rfind('.').unwrap();
        let at = position.index(signed_len);
        let original = token.as_bytes()[at];
        prop_assume!(original != b'.' && original != replacement);
        let mut edited = token.clone().into_bytes();
        edited[at] = replacement;
        let edited = String::from_utf8(edited).unwrap();
        match verify(&edited) {
            Ok(report) => prop_assert!(!report.valid, "{} verified after an edit at {}", signer.alg, at),
            Err(e) => assert_coded(e.code()),
        }
    }
}

/// Small JSON values: scalars, and arrays and objects of them a few levels deep.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        (-3i64..3).prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        "[a-c ]{0,5}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-c/~]{1,2}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Claims sets over a few names, set-like and NumericDate ones included, so two draws overlap.
fn claims_set() -> impl Strategy<Value = Value> {
    let name = prop::sample::select(vec!["aud", "scope", "amr", "exp", "iat", "sub", "x", "10"]);
    prop::collection::btree_map(name, json_value(), 0..6)
        .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()))
}

fn unsigned(claims: &Value) -> String {
    crate::util::token_from_parts(r#"{"alg":"HS256"}"#, &claims.to_string(), "c2ln")
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn diff_of_a_token_with_itself_is_empty_and_b_to_a_mirrors_a_to_b(
        a in claims_set(),
        b in claims_set(),
    ) {
        use tokenscope::jwt::{diff_tokens, ChangeKind};
        let a = decode_unverified(&unsigned(&a), NOW).unwrap();
        let b = decode_unverified(&unsigned(&b), NOW).unwrap();
        prop_assert!(diff_tokens(&a, &a).is_identical());

        let key = |c: &tokenscope::jwt::Change| {
            (c.path.clone(), c.before.as_ref().map(Value::to_string), c.after.as_ref().map(Value::to_string))
        };
        let mut forward: Vec<_> = diff_tokens(&a, &b)
            .payload
            .iter()
            .map(|c| {
                let mirrored = match c.change {
                    ChangeKind::Added => ChangeKind::Removed,
                    ChangeKind::Removed => ChangeKind::Added,
                    ChangeKind::Changed => ChangeKind::Changed,
                };
                let (path, before, after) = key(c);
                (path, after, before, mirrored, c.delta_seconds.map(|d| -d))
            })
            .collect();
        let mut backward: Vec<_> = diff_tokens(&b, &a)
            .payload
            .iter()
            .map(|c| {
                let (path, before, after) = key(c);
                (path, before, after, c.change, c.delta_seconds)
            })
            .collect();
        forward.sort_by(|x, y| format!("{x:?}").cmp(&format!("{y:?}")));
        backward.sort_by(|x, y| format!("{x:?}").cmp(&format!("{y:?}")));
        prop_assert_eq!(forward, backward);
    }
}
