//! `spdz2k check`.

use crate::CliError;
use spdz2k::NodeConfig;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `spdz2k check`.
#[derive(clap::Args, Debug, Clone)]
pub struct CheckArgs {
    /// The node's config file.
    #[arg(long)]
    pub config: PathBuf,
}

/// Exit status when the config cannot be loaded (the check itself could not run), as
/// docs/TROUBLESHOOTING.md says.
pub const EXIT_CONFIG_ERROR: u8 = 2;

/// Prints one line per check and per peer; exits 0 if no line failed (warnings allowed), 1
/// if one did, and 2 if the config cannot be loaded.
pub fn run(a: CheckArgs) -> Result<ExitCode, CliError> {
    let config = match NodeConfig::load(&a.config) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(EXIT_CONFIG_ERROR));
        }
    };
    let report = super::runtime()?.block_on(spdz2k_net::check(&config));
    print!("{report}");
    Ok(if report.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
