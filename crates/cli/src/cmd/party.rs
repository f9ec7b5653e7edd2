//! `spdz2k party`.

use super::io::JobArgs;
use crate::CliError;
use crate::run::{PartyRun, PrepChoice, run_party};
use spdz2k::NodeConfig;
use std::path::PathBuf;

/// Arguments of `spdz2k party`.
#[derive(clap::Args, Debug, Clone)]
pub struct PartyArgs {
    /// The config, session, program, inputs and result.
    #[command(flatten)]
    pub job: JobArgs,
    /// Preprocessing file for this party (`spdz2k prep`, or `spdz2k deal-insecure`).
    /// Without it (and without a seed) the party generates what the program needs
    /// securely in the session (OT-based SPDZ2k offline phase).
    #[arg(long, conflicts_with = "insecure_dealer_seed")]
    pub prep: Option<PathBuf>,
    /// INSECURE: derive preprocessing from this 64-hex-digit seed shared by all parties.
    #[arg(long, value_parser = super::deal_insecure::parse_seed)]
    pub insecure_dealer_seed: Option<[u8; 32]>,
    /// Accept preprocessing from the INSECURE dealer (a seed, or a file from `spdz2k
    /// deal-insecure`): whoever ran the dealer knows every secret. Tests and demos only.
    #[arg(long)]
    pub allow_insecure_preprocessing: bool,
    /// Deliver the result to this client (default: the config's first client, if it lists
    /// one).
    #[arg(long, value_name = "NAME")]
    pub client: Option<String>,
    /// Open the result to the parties (printed, and written by --output-file) even though the
    /// config lists a client.
    #[arg(long, conflicts_with = "client")]
    pub no_client: bool,
    /// For mul-bench: number of multiplications.
    #[arg(long, default_value_t = 1_000_000)]
    pub count: usize,
    /// For mul-bench: outputs to deliver to the client.
    #[arg(long, default_value_t = 100_000)]
    pub outputs: usize,
    /// For mul-bench: products per pipelined sub-batch of the multiplications (every party
    /// must give the same; default: the engine's `DEFAULT_SUB_BATCH`).
    #[arg(long, value_name = "PRODUCTS", value_parser = clap::value_parser!(u64).range(1..))]
    pub sub_batch: Option<u64>,
    /// Flip a byte of every envelope this party forwards (shows the client catching it).
    #[arg(long, hide = true)]
    pub tamper_forward: bool,
}

/// Refuses material from the insecure dealer unless the caller opted in.
fn check_insecure_opt_in(a: &PartyArgs) -> Result<(), CliError> {
    if a.allow_insecure_preprocessing {
        return Ok(());
    }
    const FIX: &str = "pass --allow-insecure-preprocessing to accept that (tests and demos only)";
    if a.insecure_dealer_seed.is_some() {
        return Err(CliError::Usage(format!(
            "refusing INSECURE preprocessing: --insecure-dealer-seed gives whoever knows the seed \
             every secret and the MAC key; {FIX}"
        )));
    }
    if let Some(path) = &a.prep
        && spdz2k::layers::prep::read_header(path)?.is_insecure()
    {
        return Err(CliError::Usage(format!(
            "refusing INSECURE preprocessing: {} was made by the insecure dealer (`spdz2k \
             deal-insecure`), which knows every secret and the MAC key; {FIX}",
            path.display()
        )));
    }
    Ok(())
}

/// Runs the party.
pub fn run(a: PartyArgs) -> Result<(), CliError> {
    check_insecure_opt_in(&a)?;
    let config = NodeConfig::load(&a.job.config)?;
    let prep = match (a.prep, a.insecure_dealer_seed) {
        (Some(p), _) => PrepChoice::File(p),
        (None, Some(seed)) => PrepChoice::InsecureSeed(seed),
        // The default: secure preprocessing generated in the session.
        (None, None) => PrepChoice::Generate,
    };
    let run = PartyRun {
        config,
        session: a.job.session,
        program: a.job.program,
        inputs: a.job.io.values()?,
        prep,
        client: a.client,
        no_client: a.no_client,
        output: a.job.io.output(),
        tamper_forward: a.tamper_forward,
        bench_count: a.count,
        bench_outputs: a.outputs,
        bench_sub_batch: a
            .sub_batch
            .map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
    };
    super::runtime()?.block_on(run_party(run))
}
