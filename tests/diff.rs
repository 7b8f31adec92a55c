//! Token diff: the core API (sets, nesting, arrays, pointers, time) and the `tokenscope diff` CLI contract.

use std::process::Output;

use serde_json::{json, Value};
use tokenscope::jwt::{decode_unverified, diff_tokens, ChangeKind, TokenDiff, TokenFormat};

use crate::util::{rfc7519_token, stdout_json, token_from_parts, tokenscope, vector};

/// 2026-11-22T00:00:00Z: a fixed "now" for decoding.
const NOW: i64 = 1_795_305_600;

fn token(header: Value, payload: Value, signature: &str) -> String {
    token_from_parts(&header.to_string(), &payload.to_string(), signature)
}

fn jws(payload: Value) -> String {
    token(
        json!({"alg": "RS256", "kid": "k1", "typ": "JWT"}),
        payload,
        "c2lnQQ",
    )
}

fn diff(a: &str, b: &str) -> TokenDiff {
    let a = decode_unverified(a, NOW).expect("token A decodes");
    let b = decode_unverified(b, NOW).expect("token B decodes");
    diff_tokens(&a, &b)
}

/// `(path, change, before, after)` of each change, for whole-list assertions.
fn rows(changes: &[tokenscope::jwt::Change]) -> Vec<(&str, ChangeKind, Value, Value)> {
    changes
        .iter()
        .map(|c| {
            let or_null = |v: &Option<Value>| v.clone().unwrap_or(Value::Null);
            (
                c.path.as_str(),
                c.change,
                or_null(&c.before),
                or_null(&c.after),
            )
        })
        .collect()
}

#[test]
fn identical_tokens_have_no_changes_and_the_same_signature() {
    let d = diff(&rfc7519_token(), &rfc7519_token());
    assert!(d.header.is_empty(), "{:?}", d.header);
    assert!(d.payload.is_empty(), "{:?}", d.payload);
    assert!(!d.signature_changed);
    assert!(d.is_identical());
    assert_eq!(d.summary, "identical");
}

#[test]
fn aud_members_added_and_removed_are_separate_changes() {
    let d = diff(
        &jws(json!({"aud": ["api://a", "api://c"]})),
        &jws(json!({"aud": ["api://c", "api://b"]})),
    );
    assert_eq!(
        rows(&d.payload),
        [
            ("/aud", ChangeKind::Removed, json!("api://a"), Value::Null),
            ("/aud", ChangeKind::Added, Value::Null, json!("api://b")),
        ]
    );
    assert!(d.payload.iter().all(|c| c.member && c.security));
    assert_eq!(d.summary, "1 claim changed");
}

#[test]
fn set_order_and_string_versus_array_aud_are_not_changes() {
    let d = diff(
        &jws(json!({"aud": ["x", "y"], "amr": ["pwd", "otp"], "roles": ["r1", "r2"]})),
        &jws(json!({"aud": ["y", "x"], "amr": ["otp", "pwd"], "roles": ["r2", "r1"]})),
    );
    assert!(d.payload.is_empty(), "{:?}", d.payload);
    // RFC 7519 §4.1.3: a single audience may be a string or a one-element array.
    let d = diff(&jws(json!({"aud": "x"})), &jws(json!({"aud": ["x"]})));
    assert!(d.payload.is_empty(), "{:?}", d.payload);
}

#[test]
fn a_single_audience_replaced_by_another_is_one_changed_value() {
    let d = diff(&jws(json!({"aud": "api"})), &jws(json!({"aud": "api2"})));
    assert_eq!(
        rows(&d.payload),
        [("/aud", ChangeKind::Changed, json!("api"), json!("api2"))]
    );
    assert!(!d.payload[0].member && d.payload[0].security);
    // Once either side is a list, members are compared.
    let d = diff(
        &jws(json!({"aud": "api"})),
        &jws(json!({"aud": ["api", "web"]})),
    );
    assert_eq!(
        rows(&d.payload),
        [("/aud", ChangeKind::Added, Value::Null, json!("web"))]
    );
    assert!(d.payload[0].member);
}

#[test]
fn scope_strings_compare_as_sets_of_scopes() {
    let d = diff(
        &jws(json!({"scope": "openid profile admin"})),
        &jws(json!({"scope": "profile openid email"})),
    );
    assert_eq!(
        rows(&d.payload),
        [
            ("/scope", ChangeKind::Removed, json!("admin"), Value::Null),
            ("/scope", ChangeKind::Added, Value::Null, json!("email")),
        ]
    );
    assert!(d.payload.iter().all(|c| c.security));
    let d = diff(
        &jws(json!({"scope": "openid profile"})),
        &jws(json!({"scope": "profile  openid"})),
    );
    assert!(d.payload.is_empty(), "order-only: {:?}", d.payload);
}

#[test]
fn nested_objects_are_diffed_recursively_with_pointer_paths() {
    let d = diff(
        &jws(json!({
            "address": {"locality": "Paris", "country": "FR"},
            "cnf": {"jkt": "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}
        })),
        &jws(json!({
            "address": {"locality": "Lyon", "country": "FR", "postal_code": "69001"},
            "cnf": {"jkt": "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"}
        })),
    );
    assert_eq!(
        rows(&d.payload),
        [
            (
                "/address/locality",
                ChangeKind::Changed,
                json!("Paris"),
                json!("Lyon")
            ),
            (
                "/address/postal_code",
                ChangeKind::Added,
                Value::Null,
                json!("69001")
            ),
            (
                "/cnf/jkt",
                ChangeKind::Changed,
                json!("0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"),
                json!("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")
            ),
        ]
    );
    // A new proof-of-possession key is security-relevant (RFC 7800); a new address is not.
    assert!(!d.payload[0].security);
    assert!(d.payload[2].security);
    assert_eq!(d.summary, "2 claims changed");
}

#[test]
fn other_arrays_are_compared_by_index() {
    let d = diff(
        &jws(json!({"steps": ["a", "b", "c"], "acr_chain": [1]})),
        &jws(json!({"steps": ["a", "c"], "acr_chain": [1, 2]})),
    );
    assert_eq!(
        rows(&d.payload),
        [
            ("/steps/1", ChangeKind::Changed, json!("b"), json!("c")),
            ("/steps/2", ChangeKind::Removed, json!("c"), Value::Null),
            ("/acr_chain/1", ChangeKind::Added, Value::Null, json!(2)),
        ]
    );
    assert!(d.payload.iter().all(|c| !c.member));
}

#[test]
fn claim_names_with_slash_and_tilde_are_escaped_as_json_pointer() {
    let header = json!({"typ": "JWT", "alg": "HS256"});
    let a = token(
        header.clone(),
        json!({"iss": "joe", "http://example.com/is_root": true, "a~b": 1}),
        "c2ln",
    );
    let b = token(
        header,
        json!({"iss": "joe", "http://example.com/is_root": false, "a~b": 2}),
        "c2ln",
    );
    let d = diff(&a, &b);
    let paths: Vec<&str> = d.payload.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(paths, ["/http:~1~1example.com~1is_root", "/a~0b"]);
    assert!(!d.signature_changed);
}

#[test]
fn exp_moved_by_900_seconds_has_a_delta_and_the_summary_says_plus_15_min() {
    let d = diff(
        &jws(json!({"iat": 1_300_815_780, "exp": 1_300_819_380})),
        &jws(json!({"iat": 1_300_815_780, "exp": 1_300_820_280})),
    );
    assert_eq!(d.payload.len(), 1);
    let exp = &d.payload[0];
    assert_eq!(exp.path, "/exp");
    assert_eq!(exp.change, ChangeKind::Changed);
    assert_eq!(exp.delta_seconds, Some(900));
    assert_eq!(exp.delta_text.as_deref(), Some("+15 min"));
    assert!(d.summary.contains("exp +15 min"), "{}", d.summary);

    let d = diff(
        &jws(json!({"iat": 7_200, "nbf": 7_200, "auth_time": 100})),
        &jws(json!({"iat": 0, "nbf": 3_600, "auth_time": 100, "sub": "x"})),
    );
    let deltas: Vec<_> = d
        .payload
        .iter()
        .map(|c| (c.path.as_str(), c.delta_seconds))
        .collect();
    assert_eq!(
        deltas,
        [
            ("/iat", Some(-7_200)),
            ("/nbf", Some(-3_600)),
            ("/sub", None)
        ]
    );
    assert!(d.summary.contains("iat -2 h"), "{}", d.summary);
}

#[test]
fn times_too_far_apart_for_seconds_get_no_delta_in_either_direction() {
    let early = jws(json!({"exp": i64::MIN}));
    let late = jws(json!({"exp": i64::MAX}));
    for (a, b) in [(&early, &late), (&late, &early)] {
        let d = diff(a, b);
        assert_eq!(d.payload.len(), 1);
        assert_eq!(d.payload[0].change, ChangeKind::Changed);
        assert_eq!(d.payload[0].delta_seconds, None, "{:?}", d.payload[0]);
    }
}

#[test]
fn lifetimes_are_compared_as_exp_minus_iat() {
    let d = diff(
        &jws(json!({"iat": 1_000, "exp": 4_600})),
        &jws(json!({"iat": 2_000, "exp": 6_500})),
    );
    let l = d.lifetime.expect("both tokens have a lifetime");
    assert_eq!(l.before_seconds, Some(3_600));
    assert_eq!(l.after_seconds, Some(4_500));
    assert_eq!(l.delta_seconds, Some(900));

    let d = diff(
        &jws(json!({"iat": 1_000, "exp": 4_600})),
        &jws(json!({"exp": 4_600})),
    );
    let l = d.lifetime.expect("token A has a lifetime");
    assert_eq!(
        (l.before_seconds, l.after_seconds, l.delta_seconds),
        (Some(3_600), None, None)
    );
    assert!(diff(&jws(json!({"sub": "a"})), &jws(json!({"sub": "b"})))
        .lifetime
        .is_none());
}

#[test]
fn kid_rotation_is_flagged_as_security_relevant_and_summarised() {
    let a = token(
        json!({"alg": "RS256", "kid": "2024-01"}),
        json!({"sub": "u"}),
        "c2lnQQ",
    );
    let b = token(
        json!({"alg": "ES256", "kid": "2024-02", "x-trace": "t"}),
        json!({"sub": "u"}),
        "c2lnQg",
    );
    let d = diff(&a, &b);
    assert_eq!(
        rows(&d.header),
        [
            ("/alg", ChangeKind::Changed, json!("RS256"), json!("ES256")),
            (
                "/kid",
                ChangeKind::Changed,
                json!("2024-01"),
                json!("2024-02")
            ),
            ("/x-trace", ChangeKind::Added, Value::Null, json!("t")),
        ]
    );
    let security: Vec<bool> = d.header.iter().map(|c| c.security).collect();
    assert_eq!(security, [true, true, false]);
    assert!(d.header.iter().all(|c| c.delta_seconds.is_none()));
    assert!(d.payload.is_empty());
    assert!(d.signature_changed);
    assert_eq!(d.summary, "alg RS256 → ES256, kid rotated, x-trace added");
}

#[test]
fn summary_combines_claim_count_time_delta_and_kid_rotation() {
    let a = token(
        json!({"alg": "RS256", "kid": "k1"}),
        json!({"sub": "u", "aud": "api", "scope": "read", "exp": 1_000}),
        "c2lnQQ",
    );
    let b = token(
        json!({"alg": "RS256", "kid": "k2"}),
        json!({"sub": "u", "aud": "api2", "scope": "read write", "exp": 1_900}),
        "c2lnQg",
    );
    assert_eq!(
        diff(&a, &b).summary,
        "3 claims changed, exp +15 min, kid rotated"
    );
}

#[test]
fn crit_in_the_header_is_a_set() {
    let a = token(
        json!({"alg": "ES256", "crit": ["b64", "exp"]}),
        json!({}),
        "c2ln",
    );
    let b = token(
        json!({"alg": "ES256", "crit": ["exp", "b64"]}),
        json!({}),
        "c2ln",
    );
    assert!(diff(&a, &b).header.is_empty());
    let c = token(json!({"alg": "ES256", "crit": ["exp"]}), json!({}), "c2ln");
    let d = diff(&a, &c);
    assert_eq!(
        rows(&d.header),
        [("/crit", ChangeKind::Removed, json!("b64"), Value::Null)]
    );
    assert!(d.header[0].security && d.header[0].member);
}

#[test]
fn a_resigned_token_with_the_same_content_differs_only_in_signature() {
    let header = json!({"alg": "ES256"});
    let payload = json!({"sub": "u"});
    let d = diff(
        &token(header.clone(), payload.clone(), "c2lnQQ"),
        &token(header, payload, "c2lnQg"),
    );
    assert!(d.header.is_empty() && d.payload.is_empty());
    assert!(d.signature_changed);
    assert!(!d.is_identical());
    assert_eq!(
        d.summary,
        "same header and claims; only the signature differs"
    );
}

#[test]
fn jwe_against_jws_compares_headers_and_says_the_payload_was_not_compared() {
    let jwe = vector("rfc7516.json", "a1_compact", "");
    let d = diff(&rfc7519_token(), &jwe);
    assert_eq!(d.format_before, TokenFormat::Jws);
    assert_eq!(d.format_after, TokenFormat::Jwe);
    assert!(!d.payload_compared);
    assert!(d.payload.is_empty());
    let alg = d.header.iter().find(|c| c.path == "/alg").unwrap();
    assert_eq!(alg.after, Some(json!("RSA-OAEP")));
    assert!(d
        .header
        .iter()
        .any(|c| c.path == "/enc" && c.change == ChangeKind::Added));
    assert!(
        d.notes.iter().any(|n| n.contains("token B is encrypted")),
        "{:?}",
        d.notes
    );
    assert!(d.summary.starts_with("JWS → JWE"), "{}", d.summary);
}

#[test]
fn a_signed_token_stripped_to_alg_none_shows_the_alg_change_and_the_lost_signature() {
    let claims = json!({"sub": "alice", "admin": false});
    let signed = token(
        json!({"alg": "HS256", "typ": "JWT"}),
        claims.clone(),
        "c2lnQQ",
    );
    let mut forged = claims;
    forged["admin"] = json!(true);
    let unsecured = format!(
        "{}.",
        token(json!({"alg": "none", "typ": "JWT"}), forged, "").trim_end_matches('.')
    );
    let d = diff(&signed, &unsecured);
    assert_eq!(d.format_before, TokenFormat::Jws);
    assert_eq!(d.format_after, TokenFormat::Unsecured);
    assert_eq!(
        rows(&d.header),
        [("/alg", ChangeKind::Changed, json!("HS256"), json!("none"))]
    );
    assert!(d.header[0].security);
    assert_eq!(
        rows(&d.payload),
        [("/admin", ChangeKind::Changed, json!(false), json!(true))]
    );
    assert!(d.signature_changed, "a signature against none");
    assert!(
        d.summary.contains("unsecured") && d.summary.contains("alg HS256 → none"),
        "{}",
        d.summary
    );
}

#[test]
fn non_json_payloads_are_compared_as_a_whole() {
    let header = json!({"alg": "HS256"}).to_string();
    let a = token_from_parts(&header, "Payload", "c2ln");
    let b = token_from_parts(&header, "Payload 2", "c2ln");
    let d = diff(&a, &b);
    assert_eq!(
        rows(&d.payload),
        [(
            "",
            ChangeKind::Changed,
            json!("Payload"),
            json!("Payload 2")
        )]
    );
    assert!(d.notes.iter().any(|n| n.contains("text")), "{:?}", d.notes);
    assert!(diff(&a, &a).payload.is_empty());
}

// --- CLI -------------------------------------------------------------------------------------

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Token A and B for the CLI: kid rotated, exp +15 min, an audience swapped, a scope added.
fn refresh_pair() -> (String, String) {
    let a = token(
        json!({"alg": "RS256", "kid": "k1", "typ": "JWT"}),
        json!({"iss": "https://idp", "aud": ["api://a"], "scope": "openid", "iat": 1_000, "exp": 4_600}),
        "c2lnQQ",
    );
    let b = token(
        json!({"alg": "RS256", "kid": "k2", "typ": "JWT"}),
        json!({"iss": "https://idp", "aud": ["api://b"], "scope": "openid email", "iat": 1_000, "exp": 5_500}),
        "c2lnQg",
    );
    (a, b)
}

#[test]
fn cli_diff_json_has_the_contract_shape() {
    let (a, b) = refresh_pair();
    let out = tokenscope(&["diff", &a, &b, "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = stdout_json(&out);
    assert_eq!(v["signature_changed"], true);
    let header = v["header"].as_array().unwrap();
    assert_eq!(header.len(), 1);
    let kid = &header[0];
    assert_eq!(kid["path"], "/kid");
    assert_eq!(kid["change"], "changed");
    assert_eq!(kid["before"], "k1");
    assert_eq!(kid["after"], "k2");
    let payload = v["payload"].as_array().unwrap();
    for entry in header.iter().chain(payload) {
        for key in ["path", "change", "before", "after"] {
            assert!(entry.get(key).is_some(), "{key} missing in {entry}");
        }
    }
    let exp = payload.iter().find(|c| c["path"] == "/exp").unwrap();
    assert_eq!(exp["change"], "changed");
    assert_eq!(exp["before"], 4_600);
    assert_eq!(exp["after"], 5_500);
    assert_eq!(exp["delta_seconds"], 900);
    let aud: Vec<(&str, &Value, &Value)> = payload
        .iter()
        .filter(|c| c["path"] == "/aud")
        .map(|c| (c["change"].as_str().unwrap(), &c["before"], &c["after"]))
        .collect();
    assert_eq!(
        aud,
        [
            ("removed", &json!("api://a"), &Value::Null),
            ("added", &Value::Null, &json!("api://b")),
        ]
    );
    let scope = payload.iter().find(|c| c["path"] == "/scope").unwrap();
    assert_eq!(
        (&scope["change"], &scope["after"]),
        (&json!("added"), &json!("email"))
    );
    assert!(
        payload
            .iter()
            .filter(|c| c["path"] != "/exp")
            .all(|c| c.get("delta_seconds").is_none()),
        "delta_seconds only on NumericDate claims: {payload:?}"
    );
    assert_eq!(v["summary"], "3 claims changed, exp +15 min, kid rotated");
    assert_eq!(v["lifetime"]["delta_seconds"], 900);
}

#[test]
fn cli_diff_of_identical_tokens_exits_0_with_empty_lists() {
    let t = rfc7519_token();
    let out = tokenscope(&["diff", "--json", &t, &t]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = stdout_json(&out);
    assert_eq!(v["header"], json!([]));
    assert_eq!(v["payload"], json!([]));
    assert_eq!(v["signature_changed"], false);
}

#[test]
fn cli_diff_reads_both_tokens_from_at_files() {
    let (a, b) = refresh_pair();
    let dir = tempfile::tempdir().unwrap();
    let (pa, pb) = (dir.path().join("a.jwt"), dir.path().join("b.jwt"));
    std::fs::write(&pa, format!("Bearer {a}\n")).unwrap();
    std::fs::write(&pb, format!("{b}\n")).unwrap();
    let (arg_a, arg_b) = (format!("@{}", pa.display()), format!("@{}", pb.display()));
    let out = tokenscope(&["diff", "--json", &arg_a, &arg_b]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout_json(&out)["header"][0]["path"], "/kid");

    let out = tokenscope(&["diff", "--json", &arg_a, "@/nonexistent/b.jwt"]);
    assert_eq!(out.status.code(), Some(2));
    let v = stdout_json(&out);
    assert_eq!(v["error"]["code"], "input.unreadable");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("token B"),
        "{v}"
    );
}

#[test]
fn cli_malformed_token_a_or_b_exits_2_and_names_which() {
    let good = rfc7519_token();
    for (args, which) in [
        (["diff", "--json", "only.two", good.as_str()], "token A"),
        (
            [
                "diff",
                "--json",
                good.as_str(),
                "eyJhbGciOiJIUzI1NiJ9.eyJ!.x",
            ],
            "token B",
        ),
    ] {
        let out = tokenscope(&args);
        assert_eq!(out.status.code(), Some(2), "{which}");
        let v = stdout_json(&out);
        assert_eq!(
            v.as_object().unwrap().len(),
            1,
            "only the error object: {v}"
        );
        let message = v["error"]["message"].as_str().unwrap();
        assert!(
            message.starts_with(&format!("{which} is malformed")),
            "{message}"
        );
        assert!(
            v["error"]["code"].as_str().unwrap().starts_with("jwt."),
            "{v}"
        );
        assert!(stderr(&out).contains(message), "stderr: {}", stderr(&out));
    }
    let out = tokenscope(&["diff", &good, "a.b"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "no --json: nothing on stdout");
    assert!(
        stderr(&out).contains("token B is malformed"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn cli_readable_diff_marks_changes_security_and_time_without_colour_when_piped() {
    let (a, b) = refresh_pair();
    let out = tokenscope(&["diff", &a, &b]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        !text.contains('\u{1b}'),
        "ANSI escapes in piped output: {text}"
    );
    let has_line = |prefix: &str| text.lines().any(|l| l.trim_start().starts_with(prefix));
    assert!(has_line("~ /kid  \"k1\" → \"k2\"  [security]"), "{text}");
    assert!(has_line("- /aud  member \"api://a\""), "{text}");
    assert!(has_line("+ /aud  member \"api://b\""), "{text}");
    assert!(has_line("~ /exp  4600 → 5500  +15 min"), "{text}");
    assert!(text.contains("Signature  changed"), "{text}");
    assert!(
        text.contains("Summary: 3 claims changed, exp +15 min, kid rotated"),
        "{text}"
    );
}
