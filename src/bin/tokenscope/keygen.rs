//! `tokenscope keygen`: generate a signing key pair and write it out.
//!
//! Writes `private.pem` (PKCS#8), `public.pem` (SPKI), `private.jwk.json` and `public.jwks.json`
//! into `--out-dir` (created if missing). Private files are mode 0600 on Unix. Existing files are
//! never overwritten without `--force`. Exit 2 on a bad combination (`--kty RSA --crv P-256`).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use serde::Serialize;
use tokenscope::jwk::{
    generate_key_pair, EcCurve, GenerateOptions, KeySpec, PublicKeyExport, RSA_KEY_SIZES,
};
use tokenscope::jwt::alg::JwsAlg;
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
                let what = key
                    .curve
                    .clone()
                    .unwrap_or_else(|| format!("{} {}", key.kty, key.size_bits));
                writeln!(w, "Generated {what} key pair (alg {})", key.alg)?;
                if key.kid == key.thumbprint {
                    writeln!(w, "kid:        {} (RFC 7638 thumbprint)", key.kid)?;
                } else {
                    writeln!(w, "kid:        {}", key.kid)?;
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
    // Checked before generating, so nothing is half-written.
    if !args.force {
        if let Some(existing) = all.iter().find(|p| p.exists()) {
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
    write_file(
        &files.private_pem,
        private_pem.expose_secret(),
        true,
        args.force,
    )?;
    write_file(
        &files.private_jwk,
        private_jwk.expose_secret(),
        true,
        args.force,
    )?;
    write_file(&files.public_pem, &public.pem, false, args.force)?;
    let jwks = serde_json::to_string_pretty(&public.jwks).unwrap_or_default();
    write_file(&files.public_jwks, &jwks, false, args.force)?;
    Ok((public, files))
}

fn io_error(path: &Path, e: &std::io::Error) -> CliError {
    CliError::new(
        "keygen.write_failed",
        format!("cannot write {}: {e}", path.display()),
    )
}

/// Writes `text` (ending in a newline); private files are created 0600, and narrowed to 0600 before any byte is written
/// when `--force` overwrites one.
fn write_file(path: &Path, text: &str, private: bool, force: bool) -> Result<(), CliError> {
    let mut options = std::fs::OpenOptions::new();
    if force {
        options.write(true).create(true).truncate(true);
    } else {
        // Refuses a file that appeared since the existence check.
        options.write(true).create_new(true);
    }
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| io_error(path, &e))?;
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::PermissionsExt as _;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(|e| io_error(path, &e))?;
    }
    #[cfg(not(unix))]
    let _ = private;
    let newline = if text.ends_with('\n') { "" } else { "\n" };
    file.write_all(text.as_bytes())
        .and_then(|()| file.write_all(newline.as_bytes()))
        .and_then(|()| file.flush())
        .map_err(|e| io_error(path, &e))
}
