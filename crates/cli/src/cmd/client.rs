//! `spdz2k client`.

use super::io::IoArgs;
use crate::CliError;
use crate::program::Program;
use crate::run::{ClientRun, run_client};
use spdz2k::{NodeConfig, SessionId};
use std::path::PathBuf;

/// Arguments of `spdz2k client`.
#[derive(clap::Args, Debug, Clone)]
pub struct ClientArgs {
    /// The client's config file (from `spdz2k setup`).
    #[arg(long)]
    pub config: PathBuf,
    /// The session ID the parties were given.
    #[arg(long, value_parser = super::parse_session)]
    pub session: SessionId,
    /// The built-in program the parties run: demo, sum, product, dot or mul-bench.
    #[arg(long, default_value = "demo")]
    pub program: Program,
    /// Inputs and the result.
    #[command(flatten)]
    pub io: IoArgs,
}

/// Runs the client.
pub fn run(a: ClientArgs) -> Result<(), CliError> {
    let config = NodeConfig::load(&a.config)?;
    let run = ClientRun {
        config,
        session: a.session,
        program: a.program,
        inputs: a.io.values()?,
        output: a.io.output(),
    };
    super::runtime()?.block_on(run_client(run))
}
