//! The vault against the real Secret Service (gnome-keyring on a private D-Bus session, see
//! `util/keyring.rs`), checked from outside with `secret-tool`; and without one: no bus, a bus
//! with no keyring, a locked keyring, a keyring that never answers.

use std::process::Output;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::util::keyring::{files_containing, Keychain, Sandbox};
use crate::util::{stderr, stdout_json};

const CLIENT_SECRET_1: &str = "cs-first-7f3a9c1e-client-secret";
const CLIENT_SECRET_2: &str = "cs-second-1b2c3d4e-rotated-secret";
const REFRESH_TOKEN_1: &str = "rt-first-9e8d7c6b-refresh-token";
const REFRESH_TOKEN_2: &str = "rt-second-5a4b3c2d-rotated-token";

fn add_args(name: &str) -> Vec<String> {
    [
        "profile",
        "add",
        name,
        "--issuer",
        "https://id.example",
        "--client-id",
        "cli-app",
        "--client-secret-stdin",
        "--json",
    ]
    .map(str::to_owned)
    .to_vec()
}

fn args(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[track_caller]
fn ok(out: &Output) -> &Output {
    assert_eq!(out.status.code(), Some(0), "{}", stderr(out));
    out
}

#[track_caller]
fn vault_unavailable(out: &Output) {
    assert_eq!(out.status.code(), Some(2), "{}", stderr(out));
    let v = stdout_json(out);
    assert_eq!(v["error"]["code"], "vault.unavailable", "{v}");
    let message = v["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("never falls back to a plain file"),
        "{message}"
    );
    assert!(stderr(out).contains("vault.unavailable"), "{}", stderr(out));
}

/// The entries `vault list --json` shows, as (profile, kind, fingerprint, previous).
fn listed(sandbox: &Sandbox) -> Vec<Value> {
    let out = sandbox.tokenscope(&["vault", "list", "--json"]);
    ok(&out);
    stdout_json(&out)["entries"].as_array().unwrap().clone()
}

#[test]
fn secrets_live_in_the_secret_service_through_store_rotate_and_delete() {
    let sandbox = Sandbox::new(Keychain::SecretService);
    // Every output but `vault reveal`'s (which prints a value on purpose) is searched at the end.
    let mut outputs: Vec<Output> = Vec::new();

    // Store: the client secret goes to the keychain, the profile to the config file.
    let out = sandbox.tokenscope_stdin(&args(&add_args("dev")), &format!("{CLIENT_SECRET_1}\n"));
    let added = stdout_json(ok(&out));
    assert_eq!(added["profile"]["client_auth"], "client_secret_basic");
    let fp1 = added["client_secret"]["fingerprint"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(fp1.len(), 16);
    outputs.push(out);

    let seen = sandbox.secret_tool_search();
    assert!(
        seen.contains("attribute.username = dev/client_secret"),
        "{seen}"
    );
    assert!(
        seen.contains(&format!("secret = {CLIENT_SECRET_1}")),
        "{seen}"
    );
    assert!(seen.contains("attribute.flow = manual"), "{seen}");
    assert!(
        seen.contains(&format!("attribute.fingerprint = {fp1}")),
        "{seen}"
    );
    assert!(
        seen.contains("label = Tokenscope dev/client_secret"),
        "{seen}"
    );

    let profile_file = std::fs::read_to_string(sandbox.config_dir().join("profiles.json")).unwrap();
    assert!(profile_file.contains("\"cli-app\""));

    // Reveal prints exactly the value, and only when asked like this.
    let out = sandbox.tokenscope(&["vault", "reveal", "dev", "client_secret"]);
    assert_eq!(
        String::from_utf8(ok(&out).stdout.clone()).unwrap(),
        format!("{CLIENT_SECRET_1}\n")
    );

    // Rotate the client secret: the entry is updated in place and remembers the old fingerprint.
    let out = sandbox.run(
        &["vault", "store", "dev", "client_secret", "--json"],
        Some(CLIENT_SECRET_2),
        &[],
    );
    let rotated = stdout_json(ok(&out));
    assert_eq!(rotated["previous_fingerprint"], fp1.as_str());
    outputs.push(out);
    let seen = sandbox.secret_tool_search();
    assert!(
        seen.contains(&format!("secret = {CLIENT_SECRET_2}")),
        "{seen}"
    );
    assert!(!seen.contains(CLIENT_SECRET_1), "{seen}");
    assert!(
        seen.contains(&format!("attribute.previous_fingerprint = {fp1}")),
        "{seen}"
    );
    assert_eq!(
        seen.matches("attribute.username = dev/client_secret")
            .count(),
        1,
        "{seen}"
    );

    // A refresh token, then its rotation.
    for (token, expires) in [
        (REFRESH_TOKEN_1, "1900000000"),
        (REFRESH_TOKEN_2, "1900003600"),
    ] {
        let out = sandbox.run(
            &[
                "vault",
                "store",
                "dev",
                "refresh_token",
                "--expires-at",
                expires,
            ],
            Some(token),
            &[],
        );
        ok(&out);
        outputs.push(out);
    }
    let out = sandbox.tokenscope(&["vault", "list", "--json"]);
    let entries = stdout_json(ok(&out))["entries"].as_array().unwrap().clone();
    outputs.push(out);
    assert_eq!(entries.len(), 2, "{entries:?}");
    let rt = &entries[0];
    assert_eq!(rt["profile"], "dev");
    assert_eq!(rt["kind"], "refresh_token");
    assert_eq!(rt["expires_at"], 1_900_003_600);
    assert!(rt["stored_at"].is_i64());
    assert!(rt["previous_fingerprint"].is_string());
    assert_ne!(rt["previous_fingerprint"], rt["fingerprint"]);
    assert!(rt.get("value").is_none());
    let out = sandbox.tokenscope(&["vault", "list"]);
    let table = String::from_utf8(ok(&out).stdout.clone()).unwrap();
    assert!(
        table.contains("refresh_token") && table.contains("client_secret"),
        "{table}"
    );
    outputs.push(out);

    // The keyring's own file is encrypted: not even it holds a value in plain text.
    for secret in [CLIENT_SECRET_2, REFRESH_TOKEN_2] {
        let hits = files_containing(&sandbox.path("keyring"), secret);
        assert!(hits.is_empty(), "{hits:?}");
    }

    // Delete: removing the profile deletes its entries.
    let out = sandbox.tokenscope(&["profile", "remove", "dev", "--json"]);
    let removed = stdout_json(ok(&out));
    assert_eq!(
        removed["deleted_secrets"],
        serde_json::json!(["refresh_token", "client_secret"])
    );
    outputs.push(out);
    assert_eq!(sandbox.secret_tool_search(), "");
    assert!(listed(&sandbox).is_empty());

    // Zero hits for any secret value: files the CLI could write to, and what it printed.
    for secret in [
        CLIENT_SECRET_1,
        CLIENT_SECRET_2,
        REFRESH_TOKEN_1,
        REFRESH_TOKEN_2,
    ] {
        let mut roots = sandbox.cli_dirs();
        roots.push(sandbox.config_dir());
        for root in roots {
            let hits = files_containing(&root, secret);
            assert!(hits.is_empty(), "{secret} found in {hits:?}");
        }
        for out in &outputs {
            assert!(!String::from_utf8_lossy(&out.stdout).contains(secret));
            assert!(!String::from_utf8_lossy(&out.stderr).contains(secret));
        }
    }
}

#[test]
fn forget_deletes_a_profiles_entries_or_every_tokenscope_entry_and_nothing_else() {
    let sandbox = Sandbox::new(Keychain::SecretService);
    for name in ["alpha", "beta"] {
        ok(&sandbox.tokenscope_stdin(&args(&add_args(name)), "a-secret"));
        ok(&sandbox.run(
            &["vault", "store", name, "refresh_token"],
            Some("a-token"),
            &[],
        ));
    }
    // Another application's item, under another service, must survive "forget all".
    let other = sandbox.secret_tool(
        &[
            "store",
            "--label=other app",
            "service",
            "other-app",
            "username",
            "alpha/refresh_token",
        ],
        Some("not ours"),
    );
    assert!(other.status.success());
    assert_eq!(listed(&sandbox).len(), 4);

    let out = sandbox.tokenscope(&["vault", "forget", "alpha", "--json"]);
    let deleted = stdout_json(ok(&out))["deleted"].as_array().unwrap().len();
    assert_eq!(deleted, 2);
    let seen = sandbox.secret_tool_search();
    assert!(!seen.contains("alpha/"), "{seen}");
    assert!(seen.contains("beta/client_secret"), "{seen}");
    // Forgetting a profile's secrets keeps the profile.
    ok(&sandbox.tokenscope(&["profile", "show", "alpha"]));

    let out = sandbox.tokenscope(&["vault", "forget", "--all"]);
    assert!(String::from_utf8_lossy(&ok(&out).stdout).contains("Deleted 2 keychain entries"));
    assert_eq!(sandbox.secret_tool_search(), "");
    let foreign = sandbox.secret_tool(&["lookup", "service", "other-app"], None);
    assert_eq!(String::from_utf8_lossy(&foreign.stdout), "not ours");

    // Nothing to reveal any more; usage is checked.
    let out = sandbox.tokenscope(&["vault", "reveal", "beta", "refresh_token", "--json"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout_json(&out)["error"]["code"], "vault.not_found");
    let out = sandbox.tokenscope(&["vault", "forget", "--json"]);
    assert_eq!(stdout_json(&out)["error"]["code"], "cli.usage");
    let out = sandbox.tokenscope(&["vault", "reveal", "beta", "password", "--json"]);
    assert_eq!(stdout_json(&out)["error"]["code"], "cli.usage");
}

#[test]
fn without_a_secret_service_nothing_is_saved_anywhere() {
    for keychain in [Keychain::BusOnly, Keychain::NoBus] {
        let sandbox = Sandbox::new(keychain);
        let out = sandbox.tokenscope_stdin(&args(&add_args("dev")), CLIENT_SECRET_1);
        vault_unavailable(&out);
        assert!(
            !sandbox.config_dir().exists(),
            "{keychain:?}: config dir written"
        );
        for dir in sandbox.cli_dirs() {
            let entries: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
            assert!(
                entries.is_empty(),
                "{keychain:?}: {} not empty",
                dir.display()
            );
        }
        let message = stdout_json(&out)["error"]["message"]
            .as_str()
            .unwrap()
            .to_owned();
        let expected = match keychain {
            Keychain::NoBus => "no D-Bus session bus",
            _ => "org.freedesktop.secrets",
        };
        assert!(message.contains(expected), "{keychain:?}: {message}");

        for cmd in [
            &["vault", "list", "--json"][..],
            &["vault", "reveal", "dev", "client_secret", "--json"],
            &["vault", "forget", "--all", "--json"],
        ] {
            vault_unavailable(&sandbox.tokenscope(cmd));
        }
        // Without --json: the message on stderr, nothing on stdout, exit 2.
        let out = sandbox.tokenscope(&["vault", "list"]);
        assert_eq!(out.status.code(), Some(2));
        assert!(out.stdout.is_empty());
        assert!(
            stderr(&out).contains("error [vault.unavailable]"),
            "{}",
            stderr(&out)
        );

        // A profile without a secret needs no keychain; removing it does (its entries could not
        // be deleted), so it stays.
        let public = [
            "profile",
            "add",
            "pub",
            "--issuer",
            "https://id.example",
            "--client-id",
            "x",
        ];
        ok(&sandbox.tokenscope(&public));
        vault_unavailable(&sandbox.tokenscope(&["profile", "remove", "pub", "--json"]));
        ok(&sandbox.tokenscope(&["profile", "show", "pub"]));
    }
}

#[test]
fn a_keyring_that_never_answers_is_reported_within_the_timeout() {
    let sandbox = Sandbox::new(Keychain::SecretService);
    sandbox.freeze_keyring();
    let timeout = [("TOKENSCOPE_KEYCHAIN_TIMEOUT_MS", "1500")];
    let started = Instant::now();
    let out = sandbox.run(&["vault", "list", "--json"], None, &timeout);
    let took = started.elapsed();
    vault_unavailable(&out);
    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert!(took >= Duration::from_millis(1400), "took {took:?}");
    let message = stdout_json(&out)["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(message.contains("did not answer in time"), "{message}");

    let out = sandbox.run(&args(&add_args("dev")), Some(CLIENT_SECRET_1), &timeout);
    vault_unavailable(&out);
    assert!(!sandbox.config_dir().join("profiles.json").exists());
}

#[test]
fn a_locked_keyring_is_unavailable_and_nothing_is_revealed() {
    let sandbox = Sandbox::new(Keychain::SecretService);
    ok(&sandbox.tokenscope_stdin(&args(&add_args("dev")), CLIENT_SECRET_1));
    sandbox.lock_keyring();
    let timeout = [("TOKENSCOPE_KEYCHAIN_TIMEOUT_MS", "5000")];
    let out = sandbox.run(
        &["vault", "reveal", "dev", "client_secret", "--json"],
        None,
        &timeout,
    );
    vault_unavailable(&out);
    assert!(!String::from_utf8_lossy(&out.stdout).contains(CLIENT_SECRET_1));
    let message = stdout_json(&out)["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(message.contains("Unlock the keyring"), "{message}");
}
