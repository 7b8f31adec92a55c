//! The CLI in a sandbox for keychain tests: a private keychain ([`PrivateKeychain`]: its own
//! D-Bus session and, when asked, an unlocked gnome-keyring in a temporary directory, never the
//! developer's) and the CLI run with a cleared environment: only that bus's address, and temporary
//! home, XDG and config directories.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub use super::secret_service::Keychain;
use super::secret_service::PrivateKeychain;

/// Temporary directories and a private keychain; all stopped and removed on drop.
pub struct Sandbox {
    // Dropped first: the processes stop before their directory goes.
    keychain: PrivateKeychain,
    root: tempfile::TempDir,
}

impl std::ops::Deref for Sandbox {
    type Target = PrivateKeychain;

    /// `secret_tool_search`, `freeze_keyring`, `lock_keyring`, … on the sandbox's bus.
    fn deref(&self) -> &PrivateKeychain {
        &self.keychain
    }
}

impl Sandbox {
    pub fn new(keychain: Keychain) -> Self {
        let root = tempfile::tempdir().expect("temp dir");
        for dir in cli_dirs(root.path()) {
            std::fs::create_dir_all(&dir).unwrap();
        }
        set_private(&root.path().join("cli/runtime"));
        Sandbox {
            keychain: PrivateKeychain::start(keychain, root.path()),
            root,
        }
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.root.path().join(relative)
    }

    /// `TOKENSCOPE_CONFIG_DIR` of the CLI runs (not created beforehand).
    pub fn config_dir(&self) -> PathBuf {
        self.path("cli/tokenscope-config")
    }

    /// Every directory the CLI may write to: home, XDG config/data/cache/runtime, TMPDIR (and the
    /// config directory inside `cli/`).
    pub fn cli_dirs(&self) -> Vec<PathBuf> {
        cli_dirs(self.root.path())
    }

    /// The CLI's environment: nothing inherited but `PATH`.
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tokenscope"));
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.path("cli/home"))
            .env("XDG_CONFIG_HOME", self.path("cli/xdg-config"))
            .env("XDG_DATA_HOME", self.path("cli/xdg-data"))
            .env("XDG_CACHE_HOME", self.path("cli/xdg-cache"))
            .env("XDG_RUNTIME_DIR", self.path("cli/runtime"))
            .env("TMPDIR", self.path("cli/tmp"))
            .env("TOKENSCOPE_CONFIG_DIR", self.config_dir());
        if let Some(address) = self.keychain.address() {
            cmd.env("DBUS_SESSION_BUS_ADDRESS", address);
        }
        cmd
    }

    /// Runs `tokenscope args` with `input` (if any) on stdin and `env` added.
    pub fn run(&self, args: &[&str], input: Option<&str>, env: &[(&str, &str)]) -> Output {
        let mut cmd = self.command();
        cmd.args(args)
            .envs(env.iter().copied())
            .stdin(if input.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("tokenscope runs");
        if let Some(input) = input {
            let written = child.stdin.take().unwrap().write_all(input.as_bytes());
            // A command that fails before reading its input closes the pipe: no failure here.
            if let Err(e) = written {
                assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
            }
        }
        child.wait_with_output().unwrap()
    }

    pub fn tokenscope(&self, args: &[&str]) -> Output {
        self.run(args, None, &[])
    }

    pub fn tokenscope_stdin(&self, args: &[&str], input: &str) -> Output {
        self.run(args, Some(input), &[])
    }
}

fn cli_dirs(root: &Path) -> Vec<PathBuf> {
    [
        "home",
        "xdg-config",
        "xdg-data",
        "xdg-cache",
        "runtime",
        "tmp",
    ]
    .iter()
    .map(|d| root.join(format!("cli/{d}")))
    .collect()
}

#[cfg(unix)]
fn set_private(dir: &Path) {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).unwrap();
}

/// Every file under `dir` (recursively) that contains `needle`, as bytes.
pub fn files_containing(dir: &Path, needle: &str) -> Vec<PathBuf> {
    let mut hits = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return hits;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            hits.extend(files_containing(&path, needle));
        } else if kind.is_file() {
            let bytes = std::fs::read(&path).unwrap_or_default();
            if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                hits.push(path);
            }
        }
    }
    hits
}
