//! `tokenscope keygen`: generate a signing key pair and write it out.
//!
//! Writes `private.pem` (PKCS#8), `public.pem` (SPKI), `private.jwk.json` and `public.jwks.json`
//! into `--out-dir` (created if missing). Private files are mode 0600 on Unix, public ones 0666 less
//! the umask (0644 usually). Existing files are never overwritten without `--force`. Every file is
//! written to a temporary file in the same directory and renamed over its target, so a symlink
//! planted there is replaced, never written through. Exit 2 on a bad combination
//! (`--kty RSA --crv P-256`).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use std::process::ExitCode;
use tempfile::NamedTempFile;

use clap::{Args, ValueEnum};
use serde::Serialize;
use tokenscope::jose::alg::JwsAlg;
use tokenscope::jwk::{
    generate_key_pair, EcCurve, GenerateOptions, KeySpec, PublicKeyExport, RSA_KEY_SIZES,
};
use tokenscope::ErrorCode as _;

use crate::output::{CliError, Output};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Kty {
    #[value(name = "RSA")]
    Rsa,
    #[value(name = "EC")]
    Ec,
    #[value(name = "OKP")]
    Okp,
}

#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Key type: RSA, EC (NIST curves) or OKP (Ed25519).
    #[arg(long, value_enum, value_name = "KTY")]
    kty: Kty,
    /// RSA modulus size: 2048 (default), 3072 or 4096. RSA only.
    #[arg(long, value_name = "BITS")]
    size: Option<u32>,
    /// Curve: P-256 (default for EC), P-384, P-521, or Ed25519 (OKP).
    #[arg(long, value_name = "CRV")]
    crv: Option<String>,
    /// Directory for the four files (created if missing).
    #[arg(long, value_name = "DIR")]
    out_dir: PathBuf,
    /// Overwrite existing files.
    #[arg(long)]
    force: bool,
    /// Key ID for the JWKs. Default: the RFC 7638 thumbprint.
    #[arg(long, value_name = "KID", allow_hyphen_values = true)]
    kid: Option<String>,
    /// The alg written in the JWKs (verifiers honour it). Default: RS256, ES256/384/512 or EdDSA.
    #[arg(long, value_name = "ALG")]
    alg: Option<String>,
    /// Print one JSON object instead of the summary.
    #[arg(long)]
    json: bool,
}

/// What was written, for `--json`.
#[derive(Debug, Serialize)]
struct KeygenReport<'a> {
    #[serde(flatten)]
    key: &'a PublicKeyExport,
    files: Files,
}

#[derive(Debug, Serialize)]
struct Files {
    private_pem: PathBuf,
    public_pem: PathBuf,
    private_jwk: PathBuf,
    public_jwks: PathBuf,
}

pub fn run(args: KeygenArgs) -> ExitCode {
    let out = Output::new(args.json);
    match keygen(&args) {
        Ok((key, files)) => {
            let report = KeygenReport { key: &key, files };
            out.success(&report, |w| {
                let what = key.curve.map_or_else(
                    || format!("{} {}", key.kty, key.size_bits),
                    |c| c.to_string(),
                );
                writeln!(w, "Generated {what} key pair (alg {})", key.alg)?;
                let kid = crate::render::printable(&key.kid);
                if key.kid == key.thumbprint {
                    writeln!(w, "kid:        {kid} (RFC 7638 thumbprint)")?;
                } else {
                    writeln!(w, "kid:        {kid}")?;
                    writeln!(w, "thumbprint: {}", key.thumbprint)?;
                }
                let f = &report.files;
                let rows = [
                    (&f.private_pem, "private key, PKCS#8 PEM (keep secret)"),
                    (&f.private_jwk, "private JWK (keep secret)"),
                    (&f.public_pem, "public key, SPKI PEM"),
                    (&f.public_jwks, "public JWK Set"),
                ];
                let width = rows
                    .iter()
                    .map(|(p, _)| p.display().to_string().len())
                    .max()
                    .unwrap_or(0);
                for (path, what) in rows {
                    writeln!(w, "  {:<width$}  {what}", path.display().to_string())?;
                }
                Ok(())
            })
        }
        Err(e) => out.failure(&e),
    }
}

fn spec(args: &KeygenArgs) -> Result<KeySpec, CliError> {
    let usage = |m: String| CliError::new("cli.usage", m);
    match args.kty {
        Kty::Rsa => {
            if let Some(crv) = &args.crv {
                return Err(usage(format!(
                    "--crv {crv} does not apply to RSA keys; use --size"
                )));
            }
            let bits = args.size.unwrap_or(2048);
            if !RSA_KEY_SIZES.contains(&bits) {
                return Err(usage(format!("--size {bits}: choose 2048, 3072 or 4096")));
            }
            Ok(KeySpec::Rsa { bits })
        }
        Kty::Ec => {
            if let Some(size) = args.size {
                return Err(usage(format!("--size {size} applies to RSA keys only; EC keys take --crv P-256, P-384 or P-521")));
            }
            let crv = args.crv.as_deref().unwrap_or("P-256");
            EcCurve::parse(crv)
                .map(|crv| KeySpec::Ec { crv })
                .ok_or_else(|| usage(format!("--crv {crv}: EC keys take P-256, P-384 or P-521")))
        }
        Kty::Okp => {
            if let Some(size) = args.size {
                return Err(usage(format!("--size {size} applies to RSA keys only")));
            }
            match args.crv.as_deref() {
                None | Some("Ed25519") => Ok(KeySpec::Ed25519),
                Some(crv) => Err(usage(format!("--crv {crv}: OKP keys take Ed25519"))),
            }
        }
    }
}

fn keygen(args: &KeygenArgs) -> Result<(PublicKeyExport, Files), CliError> {
    let spec = spec(args)?;
    let alg = match &args.alg {
        Some(name) => Some(JwsAlg::parse(name).ok_or_else(|| {
            CliError::usage(format!(
                "--alg {name} is not a supported signature algorithm"
            ))
        })?),
        None => None,
    };
    let dir = &args.out_dir;
    let files = Files {
        private_pem: dir.join("private.pem"),
        public_pem: dir.join("public.pem"),
        private_jwk: dir.join("private.jwk.json"),
        public_jwks: dir.join("public.jwks.json"),
    };
    let all = [
        &files.private_pem,
        &files.private_jwk,
        &files.public_pem,
        &files.public_jwks,
    ];
    // Checked before generating, so nothing is half-written. `symlink_metadata`: a dangling
    // symlink exists too.
    if !args.force {
        if let Some(existing) = all.iter().find(|p| p.symlink_metadata().is_ok()) {
            return Err(CliError::new(
                "keygen.exists",
                format!(
                    "{} already exists; use --force to overwrite",
                    existing.display()
                ),
            ));
        }
    }
    let core_error = |e: tokenscope::jwk::KeyError| CliError::new(e.code(), e.to_string());
    let pair = generate_key_pair(
        spec,
        &GenerateOptions {
            kid: args.kid.clone(),
            alg,
        },
    )
    .map_err(core_error)?;
    std::fs::create_dir_all(dir).map_err(|e| io_error(dir, &e))?;
    let public = pair.public().clone();
    // Both exports are made before any file is written, so a failure leaves nothing behind.
    let private_pem = pair.export_private_pem().map_err(core_error)?;
    let private_jwk = pair.export_private_jwk().map_err(core_error)?;
    let jwks = serde_json::to_string_pretty(&public.jwks).unwrap_or_default();
    // All four are written and synced before any is renamed into place: a failure while writing
    // leaves the old files as they were (the temporary files are removed when dropped).
    let staged = [
        (
            stage_file(&files.private_pem, private_pem.expose_secret(), true)?,
            &files.private_pem,
        ),
        (
            stage_file(&files.private_jwk, private_jwk.expose_secret(), true)?,
            &files.private_jwk,
        ),
        (
            stage_file(&files.public_pem, &public.pem, false)?,
            &files.public_pem,
        ),
        (
            stage_file(&files.public_jwks, &jwks, false)?,
            &files.public_jwks,
        ),
    ];
    for (temp, target) in staged {
        put_in_place(temp, target, args.force)?;
    }
    // Makes the renames durable. Best effort: the files are complete either way.
    #[cfg(unix)]
    let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
    Ok((public, files))
}

fn io_error(path: &Path, e: &std::io::Error) -> CliError {
    CliError::new(
        "keygen.write_failed",
        format!("cannot write {}: {e}", path.display()),
    )
}

/// Writes `text` (ending in a newline) to a new temporary file beside `target`, synced to disk.
/// Private files are 0600 from creation on; public ones get 0666 less the umask, as keygen always
/// gave them.
fn stage_file(target: &Path, text: &str, private: bool) -> Result<NamedTempFile, CliError> {
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = target.file_name().unwrap_or_default().to_string_lossy();
    // A leftover from a crash is recognisable: `.private.pem.XXXXXX.tmp`.
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        // tempfile creates with 0600 unless asked otherwise; the umask still applies.
        let mode = if private { 0o600 } else { 0o666 };
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut temp = builder.tempfile_in(dir).map_err(|e| io_error(target, &e))?;
    // Exactly 0600 whatever the umask, before any byte is written.
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::PermissionsExt as _;
        temp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(|e| io_error(target, &e))?;
    }
    let newline = if text.ends_with('\n') { "" } else { "\n" };
    temp.write_all(text.as_bytes())
        .and_then(|()| temp.write_all(newline.as_bytes()))
        .and_then(|()| temp.as_file().sync_all())
        .map_err(|e| io_error(target, &e))?;
    Ok(temp)
}

/// Renames `temp` over `target`: replacing whatever is there with `--force` (a symlink itself,
/// not the file it points to), else only if nothing appeared there since the existence check.
fn put_in_place(temp: NamedTempFile, target: &Path, force: bool) -> Result<(), CliError> {
    let persisted = if force {
        temp.persist(target)
    } else {
        temp.persist_noclobber(target)
    };
    match persisted {
        Ok(_) => Ok(()),
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => Err(CliError::new(
            "keygen.exists",
            format!(
                "{} already exists; use --force to overwrite",
                target.display()
            ),
        )),
        Err(e) => Err(io_error(target, &e.error)),
    }
}
