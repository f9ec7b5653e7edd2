//! `spdz2k client`.

use super::io::JobArgs;
use crate::CliError;
use crate::run::{ClientRun, run_client};
use spdz2k::NodeConfig;

/// Arguments of `spdz2k client`.
#[derive(clap::Args, Debug, Clone)]
pub struct ClientArgs {
    /// The config, session, program, inputs and result.
    #[command(flatten)]
    pub job: JobArgs,
}

/// Runs the client.
pub fn run(a: ClientArgs) -> Result<(), CliError> {
    let config = NodeConfig::load(&a.job.config)?;
    let run = ClientRun {
        config,
        session: a.job.session,
        program: a.job.program,
        inputs: a.job.io.values()?,
        output: a.job.io.output(),
    };
    super::runtime()?.block_on(run_client(run))
}
