//! The real OpenID Provider (panva's oidc-provider, `tests/idp/server.mjs`) started per test on
//! 127.0.0.1. Killed on drop; it also exits by itself when its stdin closes.
//!
//! It signs with an RSA, a P-256 and an Ed25519 key generated at each start (kids in
//! `ready["signing_keys"]`, by algorithm), and has these clients:
//! - `tokenscope-native`: public, PKCE, `http://127.0.0.1/callback` on any port (RFC 8252 §7.3),
//!   code, refresh (rotated) and device grants, RS256 ID tokens;
//! - `tokenscope-native-es256`: the same with ES256 ID tokens;
//! - `tokenscope-confidential`: `client_secret_basic`, code, refresh and client credentials.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

pub struct Idp {
    child: Child,
    _stdin: ChildStdin,
    /// `http://127.0.0.1:PORT`.
    pub issuer: String,
    /// The registered clients.
    pub clients: IdpClients,
    /// The whole ready line (issuer, the registered clients, the API resource, the signing kids).
    pub ready: Value,
}

/// The clients registered at startup (see the module documentation).
#[derive(Debug, Clone)]
pub struct IdpClients {
    /// `tokenscope-native`.
    pub native: String,
    /// `tokenscope-native-es256`.
    pub native_es256: String,
    /// `tokenscope-confidential`.
    pub confidential: String,
    pub confidential_secret: String,
}

impl Idp {
    pub fn start() -> Idp {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/idp");
        assert!(
            dir.join("node_modules/oidc-provider").is_dir(),
            "the test OpenID Provider is not installed: run scripts/setup.sh \
             (or `npm install --no-audit --no-fund --prefix tests/idp`)"
        );
        let mut child = Command::new("node")
            .arg("server.mjs")
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("`node` runs (Node.js 20+ is needed for the test OpenID Provider)");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Ok(v) = serde_json::from_str::<Value>(&line) {
                    if v.get("issuer").is_some() {
                        let _ = tx.send(v);
                    }
                }
            }
        });
        let ready = match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(v) => v,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("tests/idp/server.mjs printed no ready line within 20 s");
            }
        };
        let text = |pointer: &str| {
            ready
                .pointer(pointer)
                .and_then(Value::as_str)
                .unwrap_or_else(|| panic!("the ready line has no {pointer}: {ready}"))
                .to_owned()
        };
        let clients = IdpClients {
            native: text("/clients/native/client_id"),
            native_es256: text("/clients/native_es256/client_id"),
            confidential: text("/clients/confidential/client_id"),
            confidential_secret: text("/clients/confidential/client_secret"),
        };
        Idp {
            issuer: text("/issuer"),
            clients,
            ready,
            child,
            _stdin: stdin,
        }
    }
}

impl Drop for Idp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
