//! The `spdz2k` command line as a library, so that every subcommand is testable.
//!
//! Subcommands: `setup`, `check`, `renew-cert`, `deal-insecure`, `session-id`, `party`,
//! `client`, `demo` and `bench`. Each lives in its own module under [`cmd`].
#![forbid(unsafe_code)]
#![warn(clippy::unwrap_used)]
#![warn(missing_docs)]

/// Prints one transcript line: on stdout, or on stderr while stdout carries a machine-readable
/// result (see [`run::transcript_to_stderr`]).
macro_rules! say {
    ($($t:tt)*) => { $crate::run::say_line(format_args!($($t)*)) };
}

pub mod client_run;
pub mod cmd;
pub mod error;
pub mod program;
pub mod progress;
pub mod run;
pub mod secure_prep;
pub mod usage;
pub mod values;

pub use error::CliError;

/// How log lines are written on stderr.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object a line (for log collectors).
    Json,
}

/// Logs go to stderr: warnings by default, `-v` info, `-vv` debug; `RUST_LOG` overrides.
pub fn init_logging(verbose: u8, format: LogFormat) {
    let level = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .try_init(),
        LogFormat::Json => builder.json().with_ansi(false).try_init(),
    };
}

/// Calls `$f::<P>(args...)` with the parameter set `P` named by a `ParamsId` (any set of
/// `spdz2k_ring::with_params_sets!`).
#[macro_export]
macro_rules! with_params {
    ($id:expr, $f:ident ( $($arg:expr),* $(,)? )) => {{
        let id: spdz2k::ParamsId = $id;
        spdz2k::layers::ring::dispatch_params!(
            id,
            P => $f::<P>($($arg),*).await,
            else Err($crate::CliError::Usage(format!("unsupported parameters {id}")))
        )
    }};
}
