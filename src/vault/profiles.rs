//! Provider profiles: everything about a client registration except its secrets, in one JSON file,
//! `profiles.json`, in the config directory ([`default_config_dir`]: `$TOKENSCOPE_CONFIG_DIR`, else
//! the platform's, `$XDG_CONFIG_HOME/tokenscope` on Linux).
//!
//! The file carries a `schema_version`. It is only ever replaced whole: written to a temporary file
//! in the same directory, flushed to disk, renamed over the old one, so a reader sees the old file
//! or the new one, never a torn one. Writers from several processes take turns through an
//! advisory lock on `profiles.lock` (an empty file beside it, `flock` on Unix) held from reading to
//! renaming, so no update is lost. A file that cannot be read (not JSON, bad fields) or that a
//! newer Tokenscope wrote (a higher `schema_version`) is reported with its own code and moved
//! aside to `profiles.json.bak` (or `.bak.1`, `.bak.2`, … if that exists), never overwritten.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::error::ErrorCode;

/// The version of `profiles.json` this build reads and writes.
pub const SCHEMA_VERSION: u64 = 1;
/// The profile file's name in the config directory.
pub const PROFILES_FILE: &str = "profiles.json";
/// The lock file writers take turns on.
pub const LOCK_FILE: &str = "profiles.lock";
/// Overrides the config directory (tests, portable setups). Must be an absolute path.
pub const CONFIG_DIR_ENV: &str = "TOKENSCOPE_CONFIG_DIR";
/// Profile files (and imports) larger than this are refused rather than read.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Authorization parameters the flow sets itself; a profile's extras may not override them.
const RESERVED_PARAMS: [&str; 8] = [
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
];

/// How the client authenticates at the token endpoint (RFC 6749 §2.3, OIDC Core §9).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ClientAuthMethod {
    /// A public client (native apps, RFC 8252 §8.4): no secret.
    #[default]
    None,
    /// The secret in HTTP Basic authentication.
    ClientSecretBasic,
    /// The secret in the request body.
    ClientSecretPost,
}

impl ClientAuthMethod {
    /// As the metadata and the command line name it: `none`, `client_secret_basic`, …
    pub fn as_str(self) -> &'static str {
        match self {
            ClientAuthMethod::None => "none",
            ClientAuthMethod::ClientSecretBasic => "client_secret_basic",
            ClientAuthMethod::ClientSecretPost => "client_secret_post",
        }
    }

    /// Every method, in the order pickers list them.
    pub const ALL: [ClientAuthMethod; 3] = [
        ClientAuthMethod::None,
        ClientAuthMethod::ClientSecretBasic,
        ClientAuthMethod::ClientSecretPost,
    ];
}

/// The PKCE code challenge method (RFC 7636 §4.2). `plain` only for servers that lack S256.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum PkceMethod {
    #[default]
    S256,
    #[serde(rename = "plain")]
    Plain,
}

impl PkceMethod {
    /// Every method, S256 first.
    pub const ALL: [PkceMethod; 2] = [PkceMethod::S256, PkceMethod::Plain];
}

/// The loopback host in the redirect URI (RFC 8252 §7.3). Some providers accept only `localhost`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum RedirectHost {
    /// The one RFC 8252 §8.3 recommends.
    #[default]
    #[serde(rename = "127.0.0.1")]
    Ipv4Loopback,
    #[serde(rename = "[::1]")]
    Ipv6Loopback,
    /// Resolved by the system, so it may not be loopback (RFC 8252 §8.3 discourages it).
    #[serde(rename = "localhost")]
    Localhost,
}

impl RedirectHost {
    pub const ALL: [RedirectHost; 3] = [
        RedirectHost::Ipv4Loopback,
        RedirectHost::Ipv6Loopback,
        RedirectHost::Localhost,
    ];

    /// As written in a URL: `127.0.0.1`, `[::1]`, `localhost`.
    pub fn as_str(self) -> &'static str {
        match self {
            RedirectHost::Ipv4Loopback => "127.0.0.1",
            RedirectHost::Ipv6Loopback => "[::1]",
            RedirectHost::Localhost => "localhost",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|h| h.as_str() == text)
    }
}

/// Where the authorization response comes back: `http://<host>:<port><path>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct Redirect {
    pub host: RedirectHost,
    /// A fixed port (for providers that match the registered port), or `None` for a port the
    /// system picks per flow (RFC 8252 §7.3).
    pub port: Option<u16>,
    /// Starts with `/`; `/callback` by default.
    pub path: String,
}

impl Default for Redirect {
    fn default() -> Self {
        Redirect {
            host: RedirectHost::default(),
            port: None,
            path: "/callback".to_owned(),
        }
    }
}

/// Endpoints given explicitly; each one given wins over the issuer's discovery document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct Endpoints {
    pub authorization: Option<String>,
    pub token: Option<String>,
    pub userinfo: Option<String>,
    pub revocation: Option<String>,
    pub introspection: Option<String>,
    /// The device authorization endpoint (RFC 8628 §3.1).
    pub device: Option<String>,
    pub jwks: Option<String>,
}

impl Endpoints {
    fn named(&self) -> [(&'static str, &Option<String>); 7] {
        [
            ("endpoints.authorization", &self.authorization),
            ("endpoints.token", &self.token),
            ("endpoints.userinfo", &self.userinfo),
            ("endpoints.revocation", &self.revocation),
            ("endpoints.introspection", &self.introspection),
            ("endpoints.device", &self.device),
            ("endpoints.jwks", &self.jwks),
        ]
    }

    pub fn is_empty(&self) -> bool {
        self.named().iter().all(|(_, url)| url.is_none())
    }
}

/// One provider registration: no secrets (the client secret and refresh tokens are in the vault,
/// under this profile's name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Profile {
    /// 1–64 of `A-Z a-z 0-9 . _ -`, starting with a letter or digit; unique.
    pub name: String,
    /// The issuer identifier; discovery supplies the endpoints not given explicitly.
    #[serde(default)]
    pub issuer: Option<String>,
    #[serde(default)]
    pub endpoints: Endpoints,
    pub client_id: String,
    #[serde(default)]
    pub client_auth: ClientAuthMethod,
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Added to the authorization request (`prompt`, `acr_values`, `audience`, …); never the
    /// parameters the flow sets itself (`state`, `code_challenge`, …).
    #[serde(default)]
    pub extra_authorization_params: BTreeMap<String, String>,
    #[serde(default)]
    pub redirect: Redirect,
    #[serde(default)]
    pub pkce: PkceMethod,
}

impl Profile {
    /// A public client with the defaults: no scopes, loopback `127.0.0.1` on an ephemeral port,
    /// `/callback`, PKCE S256.
    pub fn new(name: &str, client_id: &str) -> Self {
        Profile {
            name: name.to_owned(),
            issuer: None,
            endpoints: Endpoints::default(),
            client_id: client_id.to_owned(),
            client_auth: ClientAuthMethod::None,
            scopes: Vec::new(),
            extra_authorization_params: BTreeMap::new(),
            redirect: Redirect::default(),
            pkce: PkceMethod::S256,
        }
    }

    /// The loopback redirect URI, with `port` when the profile has none fixed.
    pub fn redirect_uri(&self, port: u16) -> String {
        format!(
            "http://{}:{}{}",
            self.redirect.host.as_str(),
            self.redirect.port.unwrap_or(port),
            self.redirect.path
        )
    }

    /// Checks every field; the first problem found is the error.
    pub fn validate(&self) -> Result<(), ProfileError> {
        check_name(&self.name)?;
        let invalid = |field: &'static str, problem: String| ProfileError::Invalid {
            name: self.name.clone(),
            field,
            problem,
        };
        if self.issuer.is_none() && self.endpoints.is_empty() {
            return Err(invalid(
                "issuer",
                "is required unless endpoints are given".to_owned(),
            ));
        }
        if let Some(issuer) = &self.issuer {
            let url = check_url(issuer).map_err(|p| invalid("issuer", p))?;
            // OIDC Discovery §2 / RFC 8414 §2: an issuer has no query or fragment.
            if url.query().is_some() {
                return Err(invalid("issuer", "must not have a query".to_owned()));
            }
        }
        for (field, url) in self.endpoints.named() {
            if let Some(url) = url {
                check_url(url).map_err(|p| invalid(field, p))?;
            }
        }
        if self.client_id.is_empty() || self.client_id.chars().count() > 512 {
            return Err(invalid(
                "client_id",
                "must be 1 to 512 characters".to_owned(),
            ));
        }
        if self.client_id.chars().any(char::is_control) {
            return Err(invalid(
                "client_id",
                "must not contain control characters".to_owned(),
            ));
        }
        // RFC 6749 §3.3: scope tokens are printable ASCII other than space, `"` and `\`.
        for scope in &self.scopes {
            let bad = |c: char| !c.is_ascii_graphic() || c == '"' || c == '\\';
            if scope.is_empty() || scope.chars().any(bad) {
                return Err(invalid(
                    "scopes",
                    format!("{scope:?} is not a scope token (RFC 6749 §3.3)"),
                ));
            }
        }
        for (param, value) in &self.extra_authorization_params {
            if param.is_empty() || param.chars().chain(value.chars()).any(char::is_control) {
                return Err(invalid(
                    "extra_authorization_params",
                    format!("{param:?} must be a non-empty name without control characters"),
                ));
            }
            if RESERVED_PARAMS.contains(&param.as_str()) {
                return Err(invalid(
                    "extra_authorization_params",
                    format!("{param:?} is set by the flow itself"),
                ));
            }
        }
        if self.redirect.port == Some(0) {
            return Err(invalid(
                "redirect.port",
                "must be 1–65535; leave it out for an ephemeral port".to_owned(),
            ));
        }
        let path = &self.redirect.path;
        if !path.starts_with('/')
            || path.contains(['?', '#'])
            || path.chars().any(|c| c.is_control() || c == ' ')
        {
            return Err(invalid(
                "redirect.path",
                "must start with / and have no spaces, query or fragment".to_owned(),
            ));
        }
        Ok(())
    }
}

fn check_url(text: &str) -> Result<url::Url, String> {
    let url = url::Url::parse(text).map_err(|e| format!("{text:?} is not a URL: {e}"))?;
    if !matches!(url.scheme(), "https" | "http") || url.host().is_none() {
        return Err(format!("{text:?} must be an http(s) URL with a host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!("{text:?} must not carry credentials"));
    }
    if url.fragment().is_some() {
        return Err(format!("{text:?} must not have a fragment"));
    }
    Ok(url)
}

/// A profile name that cannot be used: it also names keychain accounts (`<profile>/<kind>`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid profile name {name:?}: {reason}")]
pub struct InvalidName {
    pub name: String,
    reason: &'static str,
}

impl ErrorCode for InvalidName {
    fn code(&self) -> &'static str {
        "profile.invalid_name"
    }
}

/// 1–64 of `A-Z a-z 0-9 . _ -`, starting with a letter or digit (so never a flag, a path or
/// something with a `/` that would make its keychain account ambiguous).
pub fn check_name(name: &str) -> Result<(), InvalidName> {
    let invalid = |reason| {
        Err(InvalidName {
            name: name.to_owned(),
            reason,
        })
    };
    if name.is_empty() || name.len() > 64 {
        return invalid("use 1 to 64 characters");
    }
    if !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return invalid("start with a letter or digit");
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return invalid("use only letters, digits, '.', '_' and '-'");
    }
    Ok(())
}

/// A profile operation that could not be done.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error(transparent)]
    InvalidName(#[from] InvalidName),
    #[error("profile {name:?}: {field} {problem}")]
    Invalid {
        name: String,
        field: &'static str,
        problem: String,
    },
    #[error("no profile named {0:?}")]
    NotFound(String),
    #[error("a profile named {0:?} already exists")]
    Exists(String),
    /// The file is not a profile file; `kept` says where it went.
    #[error("{} is not a readable profile file ({detail}); {kept}. Tokenscope goes on with no profiles: fix the file and import it, or delete it", .path.display())]
    Corrupt {
        path: PathBuf,
        detail: String,
        kept: String,
    },
    /// A newer Tokenscope wrote the file; `kept` says where it went.
    #[error("{} has schema_version {found}, newer than this Tokenscope reads ({SCHEMA_VERSION}); {kept}. Upgrade Tokenscope and put the file back", .path.display())]
    UnsupportedVersion {
        path: PathBuf,
        found: u64,
        kept: String,
    },
    #[error("cannot {action} {}: {source}", .path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        source: io::Error,
    },
    #[error("another Tokenscope process kept the profile file locked for over {} s ({})", .waited.as_secs(), .path.display())]
    Busy { path: PathBuf, waited: Duration },
    #[error("no config directory: {0}")]
    NoConfigDir(String),
    /// A file given to import is not a profile export.
    #[error("not a profile export: {0}")]
    ImportInvalid(String),
}

impl ErrorCode for ProfileError {
    fn code(&self) -> &'static str {
        match self {
            ProfileError::InvalidName(e) => e.code(),
            ProfileError::Invalid { .. } => "profile.invalid",
            ProfileError::NotFound(_) => "profile.not_found",
            ProfileError::Exists(_) => "profile.exists",
            ProfileError::Corrupt { .. } => "profile.corrupt",
            ProfileError::UnsupportedVersion { .. } => "profile.unsupported_version",
            ProfileError::Io { .. } => "profile.io",
            ProfileError::Busy { .. } => "profile.busy",
            ProfileError::NoConfigDir(_) => "profile.no_config_dir",
            ProfileError::ImportInvalid(_) => "profile.import_invalid",
        }
    }
}

/// `$TOKENSCOPE_CONFIG_DIR` if set (it must be absolute), else the platform's config directory
/// for Tokenscope: `$XDG_CONFIG_HOME/tokenscope` (or `~/.config/tokenscope`) on Linux,
/// `~/Library/Application Support/tokenscope` on macOS, `%APPDATA%\tokenscope\config` on Windows.
pub fn default_config_dir() -> Result<PathBuf, ProfileError> {
    if let Some(dir) = std::env::var_os(CONFIG_DIR_ENV).filter(|d| !d.is_empty()) {
        let dir = PathBuf::from(dir);
        if !dir.is_absolute() {
            return Err(ProfileError::NoConfigDir(format!(
                "{CONFIG_DIR_ENV} must be an absolute path, not {}",
                dir.display()
            )));
        }
        return Ok(dir);
    }
    directories::ProjectDirs::from("", "", "tokenscope")
        .map(|dirs| dirs.config_dir().to_path_buf())
        .ok_or_else(|| {
            ProfileError::NoConfigDir(format!(
                "no home directory to put it in; set {CONFIG_DIR_ENV}"
            ))
        })
}

/// The on-disk (and export) shape.
#[derive(Serialize, Deserialize)]
struct ProfileFile {
    schema_version: u64,
    profiles: Vec<Profile>,
}

/// Why a profile file's text is not usable.
enum Unreadable {
    Corrupt(String),
    Future(u64),
}

fn parse_file(text: &str) -> Result<Vec<Profile>, Unreadable> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| Unreadable::Corrupt(format!("not JSON: {e}")))?;
    let version = value
        .get("schema_version")
        .ok_or_else(|| Unreadable::Corrupt("no schema_version".to_owned()))?
        .as_u64()
        .ok_or_else(|| Unreadable::Corrupt("schema_version is not a number".to_owned()))?;
    if version > SCHEMA_VERSION {
        return Err(Unreadable::Future(version));
    }
    if version == 0 {
        return Err(Unreadable::Corrupt("schema_version 0".to_owned()));
    }
    let file: ProfileFile =
        serde_json::from_value(value).map_err(|e| Unreadable::Corrupt(e.to_string()))?;
    check_all(&file.profiles).map_err(|e| Unreadable::Corrupt(e.to_string()))?;
    Ok(file.profiles)
}

fn check_all(profiles: &[Profile]) -> Result<(), ProfileError> {
    let mut names = std::collections::BTreeSet::new();
    for p in profiles {
        p.validate()?;
        if !names.insert(p.name.as_str()) {
            return Err(ProfileError::Exists(p.name.clone()));
        }
    }
    Ok(())
}

fn serialize_file(profiles: &[Profile]) -> String {
    let file = ProfileFile {
        schema_version: SCHEMA_VERSION,
        profiles: profiles.to_vec(),
    };
    let mut text = serde_json::to_string_pretty(&file).expect("profiles serialize");
    text.push('\n');
    text
}

/// What [`ProfileStore::import`] does with a profile whose name exists already.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ImportConflict {
    /// Keep the existing profile; the imported one is skipped.
    #[default]
    Skip,
    /// The imported profile replaces the existing one.
    Replace,
}

/// What an import did, by profile name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImportReport {
    pub added: Vec<String>,
    pub replaced: Vec<String>,
    pub skipped: Vec<String>,
}

/// The profile file in one config directory. Cheap to clone; calls block briefly on file I/O
/// (and, for writers, on the lock another process holds, at most `lock_wait`).
#[derive(Debug, Clone)]
pub struct ProfileStore {
    dir: PathBuf,
    lock_wait: Duration,
}

impl ProfileStore {
    /// How long a writer waits for another process's lock. Longer than a keychain call's timeout,
    /// which a writer may make while it holds the lock.
    pub const DEFAULT_LOCK_WAIT: Duration = Duration::from_secs(45);

    /// The profiles in `dir` (created when first written, mode 0700 on Unix).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        ProfileStore {
            dir: dir.into(),
            lock_wait: Self::DEFAULT_LOCK_WAIT,
        }
    }

    /// The profiles in [`default_config_dir`].
    pub fn from_env() -> Result<Self, ProfileError> {
        default_config_dir().map(Self::new)
    }

    pub fn with_lock_wait(mut self, wait: Duration) -> Self {
        self.lock_wait = wait;
        self
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `<dir>/profiles.json`.
    pub fn file_path(&self) -> PathBuf {
        self.dir.join(PROFILES_FILE)
    }

    /// Every profile, sorted by name. A missing file is no profiles (and creates nothing).
    pub fn list(&self) -> Result<Vec<Profile>, ProfileError> {
        match self.read()? {
            None => Ok(Vec::new()),
            Some(Ok(profiles)) => Ok(profiles),
            // Moved aside under the lock (and reported) by `begin`.
            Some(Err(_)) => self.begin().map(|tx| tx.profiles),
        }
    }

    pub fn get(&self, name: &str) -> Result<Profile, ProfileError> {
        check_name(name)?;
        self.list()?
            .into_iter()
            .find(|p| p.name == name)
            .ok_or_else(|| ProfileError::NotFound(name.to_owned()))
    }

    /// Adds a new profile; [`ProfileError::Exists`] if the name is taken.
    pub fn add(&self, profile: Profile) -> Result<(), ProfileError> {
        let mut tx = self.begin()?;
        tx.insert(profile)?;
        tx.commit()
    }

    /// Adds or replaces (an edit); returns the profile it replaced.
    pub fn save(&self, profile: Profile) -> Result<Option<Profile>, ProfileError> {
        let mut tx = self.begin()?;
        let replaced = tx.upsert(profile)?;
        tx.commit()?;
        Ok(replaced)
    }

    /// Replaces an existing profile (an edit: the name stays); [`ProfileError::NotFound`] if there
    /// is none by that name, so an edit never brings back a profile removed meanwhile. Returns the
    /// profile it replaced.
    pub fn replace(&self, profile: Profile) -> Result<Profile, ProfileError> {
        let mut tx = self.begin()?;
        let replaced = tx.replace(profile)?;
        tx.commit()?;
        Ok(replaced)
    }

    /// Removes a profile from the file only: see [`super::remove_profile`] for removing it with
    /// its keychain entries.
    pub fn remove_without_secrets(&self, name: &str) -> Result<Profile, ProfileError> {
        let mut tx = self.begin()?;
        let removed = tx.remove(name)?;
        tx.commit()?;
        Ok(removed)
    }

    /// The named profiles (all when `names` is empty) as an export file: the profile file's own
    /// shape, which never holds a secret.
    pub fn export(&self, names: &[String]) -> Result<String, ProfileError> {
        let all = self.list()?;
        for name in names {
            if !all.iter().any(|p| &p.name == name) {
                return Err(ProfileError::NotFound(name.clone()));
            }
        }
        let chosen: Vec<Profile> = all
            .into_iter()
            .filter(|p| names.is_empty() || names.contains(&p.name))
            .collect();
        Ok(serialize_file(&chosen))
    }

    /// Imports an export file's profiles (all checked before any is written).
    pub fn import(
        &self,
        text: &str,
        conflict: ImportConflict,
    ) -> Result<ImportReport, ProfileError> {
        if text.len() as u64 > MAX_FILE_BYTES {
            return Err(ProfileError::ImportInvalid(format!(
                "over {MAX_FILE_BYTES} bytes"
            )));
        }
        let imported = parse_file(text).map_err(|e| match e {
            Unreadable::Corrupt(detail) => ProfileError::ImportInvalid(detail),
            Unreadable::Future(v) => ProfileError::ImportInvalid(format!(
                "schema_version {v} is newer than this Tokenscope reads ({SCHEMA_VERSION})"
            )),
        })?;
        let mut tx = self.begin()?;
        let mut report = ImportReport::default();
        for profile in imported {
            let name = profile.name.clone();
            if tx.get(&name).is_none() {
                tx.upsert(profile)?;
                report.added.push(name);
            } else if conflict == ImportConflict::Replace {
                tx.upsert(profile)?;
                report.replaced.push(name);
            } else {
                report.skipped.push(name);
            }
        }
        tx.commit()?;
        Ok(report)
    }

    /// Takes the lock and reads the file, for a read-modify-write that nothing else interleaves
    /// with; [`ProfileTransaction::commit`] writes, dropping it writes nothing. An unreadable file
    /// is moved aside here and reported. Creates the directory (and the empty lock file).
    pub fn begin(&self) -> Result<ProfileTransaction, ProfileError> {
        let lock = self.lock()?;
        let profiles = match self.read()? {
            None => Vec::new(),
            Some(Ok(profiles)) => profiles,
            Some(Err(unreadable)) => return Err(self.move_aside(unreadable)),
        };
        Ok(ProfileTransaction {
            store: self.clone(),
            _lock: lock,
            profiles,
        })
    }

    /// The file's profiles, `None` if there is no file, `Some(Err)` if it is unusable.
    fn read(&self) -> Result<Option<Result<Vec<Profile>, Unreadable>>, ProfileError> {
        let path = self.file_path();
        let file = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(ProfileError::Io {
                    action: "open",
                    path,
                    source,
                })
            }
        };
        let mut bytes = Vec::new();
        file.take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|source| ProfileError::Io {
                action: "read",
                path: path.clone(),
                source,
            })?;
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Ok(Some(Err(Unreadable::Corrupt(format!(
                "over {MAX_FILE_BYTES} bytes"
            )))));
        }
        Ok(Some(match String::from_utf8(bytes) {
            Ok(text) => parse_file(&text),
            Err(_) => Err(Unreadable::Corrupt("not UTF-8".to_owned())),
        }))
    }

    fn move_aside(&self, unreadable: Unreadable) -> ProfileError {
        let path = self.file_path();
        let kept = match move_aside(&path) {
            Ok(backup) => format!("it was moved aside to {}", backup.display()),
            Err(e) => format!("it was left in place (moving it aside failed: {e})"),
        };
        match unreadable {
            Unreadable::Corrupt(detail) => ProfileError::Corrupt { path, detail, kept },
            Unreadable::Future(found) => ProfileError::UnsupportedVersion { path, found, kept },
        }
    }

    fn ensure_dir(&self) -> Result<(), ProfileError> {
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
            .create(&self.dir)
            .map_err(|source| ProfileError::Io {
                action: "create the config directory",
                path: self.dir.clone(),
                source,
            })
    }

    fn lock(&self) -> Result<File, ProfileError> {
        self.ensure_dir()?;
        let path = self.dir.join(LOCK_FILE);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| ProfileError::Io {
                action: "open the lock file",
                path: path.clone(),
                source,
            })?;
        let deadline = Instant::now() + self.lock_wait;
        loop {
            // std's advisory lock (flock on Unix, LockFileEx on Windows), Rust 1.89.
            let locked = file.try_lock();
            match locked {
                Ok(()) => return Ok(file),
                Err(fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(fs::TryLockError::WouldBlock) => {
                    return Err(ProfileError::Busy {
                        path,
                        waited: self.lock_wait,
                    })
                }
                Err(fs::TryLockError::Error(source)) => {
                    return Err(ProfileError::Io {
                        action: "lock",
                        path,
                        source,
                    })
                }
            }
        }
    }
}

/// The profiles under the lock; see [`ProfileStore::begin`]. The lock is released on drop.
#[derive(Debug)]
pub struct ProfileTransaction {
    store: ProfileStore,
    _lock: File,
    profiles: Vec<Profile>,
}

impl ProfileTransaction {
    pub fn profiles(&self) -> &[Profile] {
        &self.profiles
    }

    pub fn get(&self, name: &str) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.name == name)
    }

    /// Adds a new, valid profile; [`ProfileError::Exists`] if the name is taken.
    pub fn insert(&mut self, profile: Profile) -> Result<(), ProfileError> {
        if self.get(&profile.name).is_some() {
            return Err(ProfileError::Exists(profile.name));
        }
        self.upsert(profile).map(|_| ())
    }

    /// Adds or replaces a valid profile; returns the one replaced.
    pub fn upsert(&mut self, profile: Profile) -> Result<Option<Profile>, ProfileError> {
        profile.validate()?;
        let replaced = match self.profiles.iter().position(|p| p.name == profile.name) {
            Some(i) => Some(std::mem::replace(&mut self.profiles[i], profile)),
            None => {
                self.profiles.push(profile);
                None
            }
        };
        self.profiles.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(replaced)
    }

    /// Replaces an existing, valid profile; [`ProfileError::NotFound`] if there is none by its
    /// name. Returns the one replaced.
    pub fn replace(&mut self, profile: Profile) -> Result<Profile, ProfileError> {
        check_name(&profile.name)?;
        if self.get(&profile.name).is_none() {
            return Err(ProfileError::NotFound(profile.name));
        }
        let replaced = self.upsert(profile)?;
        Ok(replaced.expect("the profile exists"))
    }

    pub fn remove(&mut self, name: &str) -> Result<Profile, ProfileError> {
        check_name(name)?;
        let i = self
            .profiles
            .iter()
            .position(|p| p.name == name)
            .ok_or_else(|| ProfileError::NotFound(name.to_owned()))?;
        Ok(self.profiles.remove(i))
    }

    /// Writes the profiles atomically (temporary file, flush, rename, directory flush), then
    /// releases the lock.
    pub fn commit(self) -> Result<(), ProfileError> {
        check_all(&self.profiles)?;
        let path = self.store.file_path();
        write_atomically(
            &self.store.dir,
            &path,
            serialize_file(&self.profiles).as_bytes(),
        )
        .map_err(|source| ProfileError::Io {
            action: "write",
            path,
            source,
        })
    }
}

/// Replaces `path` whole: a reader sees the old file or the new one, and a crash leaves one of
/// them (and at worst a stray `.profiles.json.*.tmp`).
fn write_atomically(dir: &Path, path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut temp = tempfile::Builder::new()
        .prefix(".profiles.json.")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|e| e.error)?;
    // The rename is durable only once the directory is.
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    Ok(())
}

/// Moves `path` to the first free `<name>.bak`, `<name>.bak.1`, …, never over an existing file.
fn move_aside(path: &Path) -> io::Result<PathBuf> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| PROFILES_FILE.to_owned());
    for n in 0..1000 {
        let backup = match n {
            0 => path.with_file_name(format!("{name}.bak")),
            n => path.with_file_name(format!("{name}.bak.{n}")),
        };
        // A hard link fails if the backup exists, so nothing is overwritten even by a race.
        match fs::hard_link(path, &backup) {
            Ok(()) => {
                fs::remove_file(path)?;
                return Ok(backup);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            // File systems without hard links.
            Err(_) if !backup.exists() => {
                fs::rename(path, &backup)?;
                return Ok(backup);
            }
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other("a thousand backups exist already"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(name: &str) -> Profile {
        Profile {
            issuer: Some("https://issuer.example".to_owned()),
            scopes: vec!["openid".to_owned()],
            ..Profile::new(name, "client-1")
        }
    }

    #[test]
    fn profile_names_name_keychain_accounts_safely() {
        for good in ["dev", "okta.prod", "A_1-b", &"x".repeat(64)] {
            assert!(check_name(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "-x",
            ".hidden",
            "a/b",
            "a b",
            "é",
            &"x".repeat(65),
            "a\u{202e}",
        ] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            check_name("a/b").unwrap_err().code(),
            "profile.invalid_name"
        );
    }

    #[test]
    fn validation_names_the_bad_field() {
        let field = |p: Profile| match p.validate() {
            Err(ProfileError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert!(profile("ok").validate().is_ok());
        let mut p = profile("p");
        p.issuer = Some("ftp://x".into());
        assert_eq!(field(p), "issuer");
        let mut p = profile("p");
        p.issuer = Some("https://user:pw@x.example".into());
        assert_eq!(field(p), "issuer");
        let mut p = profile("p");
        p.issuer = None;
        assert_eq!(field(p.clone()), "issuer");
        p.endpoints.token = Some("https://x.example/token".into());
        assert!(p.validate().is_ok());
        let mut p = profile("p");
        p.scopes = vec!["two words".into()];
        assert_eq!(field(p), "scopes");
        let mut p = profile("p");
        p.extra_authorization_params
            .insert("state".into(), "fixed".into());
        assert_eq!(field(p), "extra_authorization_params");
        let mut p = profile("p");
        p.redirect.path = "callback".into();
        assert_eq!(field(p), "redirect.path");
        let mut p = profile("p");
        p.client_id = String::new();
        assert_eq!(field(p), "client_id");
    }

    #[test]
    fn the_file_has_a_schema_version_and_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProfileStore::new(dir.path().join("cfg"));
        assert!(store.list().unwrap().is_empty());
        assert!(!store.dir().exists(), "a read creates nothing");

        store.add(profile("b")).unwrap();
        store.add(profile("a")).unwrap();
        assert!(matches!(
            store.add(profile("a")),
            Err(ProfileError::Exists(_))
        ));
        let names: Vec<_> = store.list().unwrap().into_iter().map(|p| p.name).collect();
        assert_eq!(names, ["a", "b"]);

        let text = fs::read_to_string(store.file_path()).unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(json["schema_version"], 1);
        assert_eq!(json["profiles"][0]["redirect"]["host"], "127.0.0.1");
        assert_eq!(json["profiles"][0]["pkce"], "S256");
        assert_eq!(json["profiles"][0]["client_auth"], "none");

        let mut edited = profile("a");
        edited.redirect.host = RedirectHost::Ipv6Loopback;
        edited.redirect.port = Some(8765);
        assert!(store.save(edited.clone()).unwrap().is_some());
        assert_eq!(store.get("a").unwrap(), edited);
        assert_eq!(edited.redirect_uri(1), "http://[::1]:8765/callback");
        edited.scopes = vec!["openid".to_owned(), "email".to_owned()];
        assert_eq!(store.replace(edited.clone()).unwrap().scopes, ["openid"]);
        assert_eq!(store.get("a").unwrap(), edited);
        // An edit needs the profile to be there: it never creates one.
        assert!(matches!(
            store.replace(profile("c")),
            Err(ProfileError::NotFound(_))
        ));
        assert!(matches!(store.get("c"), Err(ProfileError::NotFound(_))));

        store.remove_without_secrets("a").unwrap();
        assert!(matches!(store.get("a"), Err(ProfileError::NotFound(_))));
        // No temporary files are left behind.
        let mut left: Vec<_> = fs::read_dir(store.dir())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left, [PROFILES_FILE, LOCK_FILE]);
    }

    #[test]
    fn a_hand_written_minimal_profile_gets_the_defaults() {
        let text = r#"{"schema_version": 1, "profiles": [
            {"name": "min", "issuer": "https://id.example", "client_id": "c"}]}"#;
        let profiles = parse_file(text).ok().unwrap();
        assert_eq!(profiles[0].redirect, Redirect::default());
        assert_eq!(profiles[0].pkce, PkceMethod::S256);
    }

    #[test]
    fn a_corrupt_file_is_reported_and_moved_aside_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProfileStore::new(dir.path());
        fs::write(store.file_path(), "{ not json").unwrap();
        fs::write(dir.path().join("profiles.json.bak"), "an older backup").unwrap();

        let err = store.list().unwrap_err();
        assert_eq!(err.code(), "profile.corrupt");
        assert!(err.to_string().contains("profiles.json.bak.1"), "{err}");
        assert_eq!(
            fs::read_to_string(dir.path().join("profiles.json.bak.1")).unwrap(),
            "{ not json"
        );
        assert_eq!(
            fs::read_to_string(dir.path().join("profiles.json.bak")).unwrap(),
            "an older backup"
        );
        // Reported once; then Tokenscope goes on with no profiles.
        assert!(store.list().unwrap().is_empty());
        store.add(profile("fresh")).unwrap();
        assert_eq!(store.list().unwrap().len(), 1);
    }

    #[test]
    fn a_file_from_a_newer_tokenscope_is_reported_and_kept_aside() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProfileStore::new(dir.path());
        let future = r#"{"schema_version": 2, "profiles": [], "new_thing": true}"#;
        fs::write(store.file_path(), future).unwrap();
        let err = store.add(profile("a")).unwrap_err();
        assert_eq!(err.code(), "profile.unsupported_version");
        assert_eq!(
            fs::read_to_string(dir.path().join("profiles.json.bak")).unwrap(),
            future
        );
    }

    #[test]
    fn invalid_profiles_or_duplicate_names_make_a_file_corrupt() {
        let dup = r#"{"schema_version": 1, "profiles": [
            {"name": "a", "issuer": "https://x.example", "client_id": "c"},
            {"name": "a", "issuer": "https://y.example", "client_id": "c"}]}"#;
        assert!(matches!(parse_file(dup), Err(Unreadable::Corrupt(_))));
        let bad_name = r#"{"schema_version": 1, "profiles": [
            {"name": "a/b", "issuer": "https://x.example", "client_id": "c"}]}"#;
        assert!(matches!(parse_file(bad_name), Err(Unreadable::Corrupt(_))));
        assert!(matches!(
            parse_file(r#"{"profiles": []}"#),
            Err(Unreadable::Corrupt(_))
        ));
    }

    #[test]
    fn export_and_import_move_profiles_without_secrets() {
        let dir = tempfile::tempdir().unwrap();
        let from = ProfileStore::new(dir.path().join("from"));
        from.add(profile("a")).unwrap();
        from.add(profile("b")).unwrap();
        let exported = from.export(&["a".to_owned()]).unwrap();
        assert!(exported.contains("\"schema_version\": 1"));
        assert!(!exported.contains("\"b\""));
        assert!(matches!(
            from.export(&["zzz".to_owned()]),
            Err(ProfileError::NotFound(_))
        ));

        let to = ProfileStore::new(dir.path().join("to"));
        let mut existing = profile("a");
        existing.client_id = "other".into();
        to.add(existing).unwrap();
        let report = to
            .import(&from.export(&[]).unwrap(), ImportConflict::Skip)
            .unwrap();
        assert_eq!(report.added, ["b"]);
        assert_eq!(report.skipped, ["a"]);
        assert_eq!(to.get("a").unwrap().client_id, "other");
        let report = to.import(&exported, ImportConflict::Replace).unwrap();
        assert_eq!(report.replaced, ["a"]);
        assert_eq!(to.get("a").unwrap().client_id, "client-1");

        let err = to.import("{}", ImportConflict::Skip).unwrap_err();
        assert_eq!(err.code(), "profile.import_invalid");
    }

    #[test]
    fn a_writer_waits_for_the_lock_and_gives_up_with_busy() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProfileStore::new(dir.path()).with_lock_wait(Duration::from_millis(100));
        let held = store.begin().unwrap();
        let err = store.add(profile("a")).unwrap_err();
        assert_eq!(err.code(), "profile.busy");
        drop(held);
        store.add(profile("a")).unwrap();
    }
}
