//! `tokenscope profile` without a keychain: the contract's shapes and errors, where the file
//! lives, corrupt and future-version files, and writers in two processes at once.

use std::net::TcpListener;
use std::process::Output;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde_json::Value;

use crate::util::keyring::{Keychain, Sandbox};
use crate::util::{stderr, stdout_json};

#[track_caller]
fn ok(out: &Output) -> Value {
    assert_eq!(out.status.code(), Some(0), "{}", stderr(out));
    stdout_json(out)
}

#[track_caller]
fn error_code(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(2), "{}", stderr(out));
    stdout_json(out)["error"]["code"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn add(sandbox: &Sandbox, name: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "profile",
        "add",
        name,
        "--issuer",
        "https://id.example",
        "--client-id",
        "app",
        "--json",
    ];
    args.extend_from_slice(extra);
    sandbox.tokenscope(&args)
}

#[test]
fn profile_add_list_and_show_keep_the_contract_and_never_contact_the_issuer() {
    let sandbox = Sandbox::new(Keychain::NoBus);
    // An issuer that would notice a connection.
    let issuer = TcpListener::bind("127.0.0.1:0").unwrap();
    issuer.set_nonblocking(true).unwrap();
    let issuer_url = format!("http://{}", issuer.local_addr().unwrap());

    let out = sandbox.tokenscope(&[
        "profile",
        "add",
        "local",
        "--issuer",
        &issuer_url,
        "--client-id",
        "cli-app",
        "--scope",
        "openid profile offline_access",
        "--redirect-host",
        "[::1]",
        "--redirect-port",
        "8765",
        "--json",
    ]);
    let added = ok(&out);
    assert_eq!(added["client_secret"], Value::Null);
    let err = issuer.accept().map(|_| ()).unwrap_err();
    assert_eq!(
        err.kind(),
        std::io::ErrorKind::WouldBlock,
        "the issuer was contacted"
    );

    ok(&add(&sandbox, "defaults", &[]));
    let listed = ok(&sandbox.tokenscope(&["profile", "list", "--json"]));
    let profiles = listed["profiles"].as_array().unwrap();
    let names: Vec<_> = profiles
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["defaults", "local"]);
    let defaults = &profiles[0];
    assert_eq!(defaults["scopes"], serde_json::json!(["openid"]));
    assert_eq!(defaults["redirect"]["host"], "127.0.0.1");
    assert_eq!(defaults["redirect"]["port"], Value::Null);
    assert_eq!(defaults["redirect"]["path"], "/callback");
    assert_eq!(defaults["pkce"], "S256");
    assert_eq!(defaults["client_auth"], "none");

    let shown = ok(&sandbox.tokenscope(&["profile", "show", "local", "--json"]));
    assert_eq!(shown["issuer"], issuer_url.as_str());
    assert_eq!(shown["client_id"], "cli-app");
    assert_eq!(
        shown["scopes"],
        serde_json::json!(["openid", "profile", "offline_access"])
    );
    assert_eq!(shown["redirect"]["host"], "[::1]");
    assert_eq!(shown["redirect"]["port"], 8765);

    let out = sandbox.tokenscope(&["profile", "show", "local"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("http://[::1]:8765/callback"), "{text}");
    let out = sandbox.tokenscope(&["profile", "list"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("NAME"), "{text}");

    let file = sandbox.config_dir().join("profiles.json");
    let on_disk: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    assert_eq!(on_disk["schema_version"], 1);
}

#[test]
fn profile_errors_have_codes_and_exit_2() {
    let sandbox = Sandbox::new(Keychain::NoBus);
    assert_eq!(
        error_code(&add(&sandbox, "a/b", &[])),
        "profile.invalid_name"
    );
    assert_eq!(
        error_code(&add(&sandbox, "x", &["--redirect-host", "0.0.0.0"])),
        "cli.usage"
    );
    assert_eq!(
        error_code(&add(&sandbox, "x", &["--redirect-port", "0"])),
        "cli.usage"
    );
    // A secret is never an argument.
    assert_eq!(
        error_code(&add(&sandbox, "x", &["--client-secret", "s"])),
        "cli.usage"
    );
    let out = sandbox.tokenscope(&[
        "profile",
        "add",
        "x",
        "--issuer",
        "ftp://x",
        "--client-id",
        "a",
        "--json",
    ]);
    assert_eq!(error_code(&out), "profile.invalid");
    assert!(
        !sandbox.config_dir().exists(),
        "rejected input wrote nothing"
    );

    ok(&add(&sandbox, "dup", &[]));
    assert_eq!(error_code(&add(&sandbox, "dup", &[])), "profile.exists");
    // Even with a secret to read, a taken name fails before the keychain is asked.
    let out = sandbox.tokenscope_stdin(
        &[
            "profile",
            "add",
            "dup",
            "--issuer",
            "https://id.example",
            "--client-id",
            "a",
            "--client-secret-stdin",
            "--json",
        ],
        "s",
    );
    assert_eq!(error_code(&out), "profile.exists");
    let missing = sandbox.tokenscope(&["profile", "show", "nope", "--json"]);
    assert_eq!(error_code(&missing), "profile.not_found");
    // An unknown profile is reported without the keychain (there is none here).
    let missing = sandbox.tokenscope(&["profile", "remove", "nope", "--json"]);
    assert_eq!(error_code(&missing), "profile.not_found");
}

#[test]
fn profiles_live_in_xdg_config_home_tokenscope_unless_overridden() {
    let sandbox = Sandbox::new(Keychain::NoBus);
    let out = sandbox
        .command()
        .env_remove("TOKENSCOPE_CONFIG_DIR")
        .args(["profile", "add", "p", "--issuer", "https://id.example"])
        .args(["--client-id", "a"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(sandbox
        .path("cli/xdg-config/tokenscope/profiles.json")
        .is_file());
    assert!(!sandbox.config_dir().exists());

    let out = sandbox
        .command()
        .env("TOKENSCOPE_CONFIG_DIR", "relative/dir")
        .args(["profile", "list", "--json"])
        .output()
        .unwrap();
    assert_eq!(error_code(&out), "profile.no_config_dir");
}

#[test]
fn a_corrupt_profile_file_is_reported_and_kept_as_bak() {
    let sandbox = Sandbox::new(Keychain::NoBus);
    std::fs::create_dir_all(sandbox.config_dir()).unwrap();
    let file = sandbox.config_dir().join("profiles.json");
    std::fs::write(&file, "{\"schema_version\": 1, \"profiles\": [tr").unwrap();

    let out = sandbox.tokenscope(&["profile", "list", "--json"]);
    assert_eq!(error_code(&out), "profile.corrupt");
    let message = stdout_json(&out)["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(message.contains("profiles.json.bak"), "{message}");
    let bak = sandbox.config_dir().join("profiles.json.bak");
    assert_eq!(
        std::fs::read_to_string(&bak).unwrap(),
        "{\"schema_version\": 1, \"profiles\": [tr"
    );

    // Then Tokenscope goes on, and the backup is never overwritten.
    let listed = ok(&sandbox.tokenscope(&["profile", "list", "--json"]));
    assert_eq!(listed["profiles"], serde_json::json!([]));
    ok(&add(&sandbox, "fresh", &[]));
    std::fs::write(&file, "garbage again").unwrap();
    assert_eq!(error_code(&add(&sandbox, "other", &[])), "profile.corrupt");
    assert!(std::fs::read_to_string(&bak).unwrap().contains("[tr"));
    assert_eq!(
        std::fs::read_to_string(sandbox.config_dir().join("profiles.json.bak.1")).unwrap(),
        "garbage again"
    );
}

#[test]
fn a_profile_file_from_a_newer_tokenscope_is_reported_and_kept_as_bak() {
    let sandbox = Sandbox::new(Keychain::NoBus);
    std::fs::create_dir_all(sandbox.config_dir()).unwrap();
    let future = r#"{"schema_version": 7, "profiles": [{"name": "from-the-future"}]}"#;
    std::fs::write(sandbox.config_dir().join("profiles.json"), future).unwrap();

    let out = add(&sandbox, "now", &[]);
    assert_eq!(error_code(&out), "profile.unsupported_version");
    let message = stdout_json(&out)["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(message.contains("schema_version 7"), "{message}");
    assert_eq!(
        std::fs::read_to_string(sandbox.config_dir().join("profiles.json.bak")).unwrap(),
        future
    );
    assert!(!sandbox.config_dir().join("profiles.json").exists());
}

#[test]
fn two_processes_adding_profiles_at_once_lose_nothing_and_never_tear_the_file() {
    const EACH: usize = 12;
    let sandbox = Arc::new(Sandbox::new(Keychain::NoBus));
    let file = sandbox.config_dir().join("profiles.json");
    let done = Arc::new(AtomicBool::new(false));

    // A reader that parses the file whenever it can while the writers run.
    let reader = {
        let (file, done) = (file.clone(), Arc::clone(&done));
        std::thread::spawn(move || {
            let mut reads = 0;
            while !done.load(Ordering::SeqCst) {
                if let Ok(text) = std::fs::read_to_string(&file) {
                    let parsed: Result<Value, _> = serde_json::from_str(&text);
                    assert!(parsed.is_ok(), "torn profile file: {text:?}");
                    reads += 1;
                }
            }
            reads
        })
    };
    let writers: Vec<_> = ["w1", "w2"]
        .into_iter()
        .map(|writer| {
            let sandbox = Arc::clone(&sandbox);
            std::thread::spawn(move || {
                for i in 0..EACH {
                    let out = add(&sandbox, &format!("{writer}-{i}"), &[]);
                    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    done.store(true, Ordering::SeqCst);
    assert!(reader.join().unwrap() > 0, "the reader never saw the file");

    let listed = ok(&sandbox.tokenscope(&["profile", "list", "--json"]));
    assert_eq!(listed["profiles"].as_array().unwrap().len(), 2 * EACH);
}
