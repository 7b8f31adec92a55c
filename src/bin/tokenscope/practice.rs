//! `tokenscope practice-issuer`: the built-in practice OpenID Provider on 127.0.0.1 until Ctrl-C
//! (or SIGTERM).
//!
//! The first line on stdout is exactly the issuer URL, `http://127.0.0.1:<port>`; what follows
//! (clients, users, the lesson) goes to stderr. `--list-lessons` prints one lesson a line and
//! exits 0. Exit 2 when it cannot start (a busy port, an unknown lesson or user).

use std::io::Write as _;
use std::process::ExitCode;

use clap::Args;
use tokenscope::jose::alg::JwsAlg;
use tokenscope::practice::{
    Lesson, PracticeConfig, PracticeIssuer, NATIVE_CLIENT_ID, SERVICE_CLIENT_ID,
    SERVICE_CLIENT_SECRET, USERS,
};

use crate::output::{CliError, Output};

#[derive(Debug, Args)]
pub struct PracticeArgs {
    /// The port on 127.0.0.1 (default: a free one the system picks).
    #[arg(long, value_name = "N")]
    port: Option<u16>,
    /// Stage a lesson: a classic mistake or attack (see --list-lessons).
    #[arg(long, value_name = "NAME")]
    lesson: Option<String>,
    /// Skip the login and consent pages: sign in as USER (alice, bob or admin) at once.
    #[arg(long, value_name = "USER")]
    auto_approve: Option<String>,
    /// The signing algorithm of ID and access tokens (RS256, PS256, ES256 or EdDSA).
    #[arg(long, value_name = "ALG", default_value = "RS256")]
    alg: String,
    /// Print the lessons, one a line, and exit.
    #[arg(long)]
    list_lessons: bool,
}

pub fn run(args: PracticeArgs) -> ExitCode {
    let out = Output::new(false);
    if args.list_lessons {
        let mut stdout = std::io::stdout().lock();
        for lesson in Lesson::ALL {
            let info = lesson.info();
            let _ = writeln!(stdout, "{:<18} {}", info.name, info.summary);
        }
        return ExitCode::SUCCESS;
    }
    match config(&args).and_then(serve) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => out.failure(&e),
    }
}

fn config(args: &PracticeArgs) -> Result<PracticeConfig, CliError> {
    let lesson = match &args.lesson {
        None => None,
        Some(name) => Some(Lesson::parse(name).ok_or_else(|| {
            CliError::usage(format!(
                "no lesson {name:?}; `tokenscope practice-issuer --list-lessons` lists them"
            ))
        })?),
    };
    if let Some(user) = &args.auto_approve {
        if !USERS.contains(&user.as_str()) {
            return Err(CliError::usage(format!(
                "no practice user {user:?}: choose one of {}",
                USERS.join(", ")
            )));
        }
    }
    let signing_alg = JwsAlg::parse(&args.alg)
        .filter(|a| {
            matches!(
                a,
                JwsAlg::RS256
                    | JwsAlg::RS384
                    | JwsAlg::RS512
                    | JwsAlg::PS256
                    | JwsAlg::PS384
                    | JwsAlg::PS512
                    | JwsAlg::ES256
                    | JwsAlg::EdDSA
            )
        })
        .ok_or_else(|| {
            CliError::usage(format!(
                "--alg {:?}: choose an RSA algorithm (RS256, PS256, …), ES256 or EdDSA",
                args.alg
            ))
        })?;
    Ok(PracticeConfig {
        port: args.port.unwrap_or(0),
        lesson,
        auto_approve: args.auto_approve.clone(),
        signing_alg,
        ..PracticeConfig::default()
    })
}

fn serve(config: PracticeConfig) -> Result<(), CliError> {
    let lesson = config.lesson;
    let auto = config.auto_approve.clone();
    crate::net::block_on(async move {
        let signals = StopSignals::install();
        let issuer = PracticeIssuer::start(config)
            .await
            .map_err(CliError::from_core)?;
        // The contract: the URL alone on the first line, flushed at once for scripts and tests.
        {
            let mut stdout = std::io::stdout().lock();
            let _ = writeln!(stdout, "{}", issuer.issuer_url());
            let _ = stdout.flush();
        }
        describe(issuer.issuer_url(), lesson, auto.as_deref());
        signals.wait().await;
        issuer.shutdown().await;
        Ok(())
    })?
}

fn describe(issuer: &str, lesson: Option<Lesson>, auto: Option<&str>) {
    let mut err = anstream::stderr().lock();
    let _ = writeln!(err, "Practice issuer at {issuer} (Ctrl-C stops it)");
    let _ = writeln!(
        err,
        "  clients: {NATIVE_CLIENT_ID} (public, PKCE, http://127.0.0.1/callback on any port), \
         {SERVICE_CLIENT_ID} (secret {SERVICE_CLIENT_SECRET})"
    );
    match auto {
        Some(user) => {
            let _ = writeln!(
                err,
                "  auto-approve: every authorization signs in as {user}"
            );
        }
        None => {
            let _ = writeln!(
                err,
                "  users: {} (the password is the user name)",
                USERS.join(", ")
            );
        }
    }
    if let Some(lesson) = lesson {
        let info = lesson.info();
        let _ = writeln!(err, "  lesson {}: {}", info.name, info.explanation);
        let _ = writeln!(err, "  what you should see: {}", info.what_you_see);
    }
}

/// Ctrl-C (SIGINT) and, on Unix, SIGTERM, listened for from creation on: created before the URL
/// line is printed, so a signal sent as soon as it is read stops the issuer cleanly rather than
/// killing the process.
struct StopSignals {
    #[cfg(unix)]
    signals: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

impl StopSignals {
    fn install() -> StopSignals {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            let signals = signal(SignalKind::interrupt())
                .and_then(|int| Ok((int, signal(SignalKind::terminate())?)))
                .ok();
            StopSignals { signals }
        }
        #[cfg(not(unix))]
        StopSignals {}
    }

    async fn wait(self) {
        #[cfg(unix)]
        if let Some((mut int, mut term)) = self.signals {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
            return;
        }
        let _ = tokio::signal::ctrl_c().await;
    }
}
