//! A private Secret Service for tests, never the developer's own: a D-Bus session bus of our own
//! (`dbus-daemon` with a config that activates nothing) and on it, when asked, `gnome-keyring-daemon`
//! unlocked with a password written to its stdin, with its data in a directory the caller owns
//! and no `DISPLAY` (so no prompt can ever wait for a person). Processes under test get the bus
//! through `DBUS_SESSION_BUS_ADDRESS` ([`PrivateKeychain::address`]).
//!
//! Shared by the core's tests (`keyring.rs`, which adds the CLI's sandboxed environment) and the
//! app's (`src-tauri`, through `#[path]`): it uses nothing but std.
//!
//! Needs `dbus-daemon`, `gnome-keyring-daemon`, `dbus-send` and `secret-tool` (the Debian packages
//! `dbus-daemon`, `gnome-keyring` and `libsecret-tools`, installed by `scripts/setup.sh`).

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const KEYRING_PASSWORD: &str = "test-keyring-password";

/// What is on the bus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keychain {
    /// gnome-keyring, unlocked.
    SecretService,
    /// A session bus with nothing owning `org.freedesktop.secrets`.
    BusOnly,
    /// No bus at all: no `DBUS_SESSION_BUS_ADDRESS`.
    NoBus,
}

/// Maybe a bus and a keyring daemon, with their files under `dir`; both stopped on drop.
pub struct PrivateKeychain {
    dir: PathBuf,
    bus: Option<Child>,
    daemon: Option<Child>,
    address: Option<String>,
}

impl PrivateKeychain {
    /// Starts what `keychain` asks for, keeping the bus socket and the keyring's data in `dir`
    /// (which must exist); returns once the keyring answers.
    pub fn start(keychain: Keychain, dir: &Path) -> Self {
        let mut started = PrivateKeychain {
            dir: dir.to_owned(),
            bus: None,
            daemon: None,
            address: None,
        };
        if keychain != Keychain::NoBus {
            started.start_bus();
        }
        if keychain == Keychain::SecretService {
            started.start_keyring();
        }
        started
    }

    /// The bus address, for `DBUS_SESSION_BUS_ADDRESS`; `None` for [`Keychain::NoBus`].
    pub fn address(&self) -> Option<&str> {
        self.address.as_deref()
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.join(relative)
    }

    /// `secret-tool search --all service tokenscope` on the private bus: items and attributes
    /// (secret-tool prints attributes on stderr), or "" when there are none.
    pub fn secret_tool_search(&self) -> String {
        let out = self.secret_tool(&["search", "--all", "service", "tokenscope"], None);
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    }

    /// `secret-tool` on the private bus.
    pub fn secret_tool(&self, args: &[&str], input: Option<&str>) -> Output {
        let mut child = self
            .tool("secret-tool")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("secret-tool (libsecret-tools) is installed");
        let mut stdin = child.stdin.take().unwrap();
        if let Some(input) = input {
            stdin.write_all(input.as_bytes()).unwrap();
        }
        drop(stdin);
        child.wait_with_output().unwrap()
    }

    /// Stops the keyring daemon (SIGSTOP) after it registered: the bus still takes calls for
    /// `org.freedesktop.secrets`, and none is ever answered.
    pub fn freeze_keyring(&self) {
        let pid = self.daemon.as_ref().expect("a keyring daemon").id();
        let status = Command::new("kill")
            .args(["-STOP", &pid.to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Locks the login collection, as a screen lock or a timeout would.
    pub fn lock_keyring(&self) {
        let out = self
            .tool("dbus-send")
            .args([
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.secrets",
                "/org/freedesktop/secrets",
                "org.freedesktop.Secret.Service.Lock",
                "array:objpath:/org/freedesktop/secrets/collection/login",
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// A helper tool on the private bus, with no `DISPLAY`.
    fn tool(&self, name: &str) -> Command {
        let mut cmd = Command::new(name);
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.path("keyring/home"))
            .env(
                "DBUS_SESSION_BUS_ADDRESS",
                self.address.as_deref().expect("a bus"),
            );
        cmd
    }

    fn start_bus(&mut self) {
        let socket = self.path("bus");
        let config = self.path("bus.conf");
        // A session bus that activates no services: nothing answers for a name unless a test
        // started it (the system's session.conf would activate gnome-keyring on demand).
        std::fs::write(
            &config,
            format!(
                r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
                socket.display()
            ),
        )
        .unwrap();
        let mut bus = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", config.display()))
            .args(["--nofork", "--print-address=1"])
            .env_remove("DISPLAY")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon is installed");
        // The address is printed once the bus listens.
        let mut line = String::new();
        BufReader::new(bus.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert!(
            line.starts_with("unix:"),
            "dbus-daemon did not start: {line:?}"
        );
        self.address = Some(line.trim().to_owned());
        self.bus = Some(bus);
    }

    fn start_keyring(&mut self) {
        for dir in ["keyring/home", "keyring/data", "keyring/run"] {
            std::fs::create_dir_all(self.path(dir)).unwrap();
        }
        set_private(&self.path("keyring/run"));
        let log = std::fs::File::create(self.path("keyring/daemon.log")).unwrap();
        let mut daemon = self
            .tool("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .env("XDG_DATA_HOME", self.path("keyring/data"))
            .env("XDG_RUNTIME_DIR", self.path("keyring/run"))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("gnome-keyring-daemon is installed");
        let mut stdin = daemon.stdin.take().unwrap();
        stdin.write_all(KEYRING_PASSWORD.as_bytes()).unwrap();
        drop(stdin);
        self.daemon = Some(daemon);
        // Ready when it owns the name and the default collection (the unlocked login keyring)
        // exists.
        self.wait_for(
            &[
                "/",
                "org.freedesktop.DBus.NameHasOwner",
                "string:org.freedesktop.secrets",
            ],
            "org.freedesktop.DBus",
            |reply| reply.contains("boolean true"),
        );
        self.wait_for(
            &[
                "/org/freedesktop/secrets",
                "org.freedesktop.Secret.Service.ReadAlias",
                "string:default",
            ],
            "org.freedesktop.secrets",
            |reply| reply.contains("/org/freedesktop/secrets/collection/"),
        );
    }

    fn wait_for(&self, call: &[&str], dest: &str, ready: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let out = self
                .tool("dbus-send")
                .args(["--session", "--print-reply", &format!("--dest={dest}")])
                .args(call)
                .output()
                .unwrap();
            if ready(&String::from_utf8_lossy(&out.stdout)) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the private keyring did not come up ({call:?}): {}",
                std::fs::read_to_string(self.path("keyring/daemon.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for PrivateKeychain {
    fn drop(&mut self) {
        // SIGKILL ends a stopped process too.
        for child in [self.daemon.as_mut(), self.bus.as_mut()]
            .into_iter()
            .flatten()
        {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[cfg(unix)]
fn set_private(dir: &Path) {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).unwrap();
}
