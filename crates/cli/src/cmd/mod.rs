//! The subcommands, one module each.

pub mod bench;
pub mod bench_offline;
pub mod check;
pub mod client;
pub mod counts;
pub mod deal_insecure;
pub mod demo;
pub mod io;
pub mod party;
pub mod prep;
pub mod procs;
pub mod setup;

use crate::CliError;
use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// spdz2k: actively secure MPC over Z_2^k (SPDZ2k) between separately operated nodes.
#[derive(Parser, Debug)]
#[command(
    name = "spdz2k",
    version,
    propagate_version = true,
    after_help = "Examples:
  spdz2k demo                                   two parties and a client on this machine
  spdz2k setup --parties 2 --clients 1 --out deploy --host 10.0.0.5
  spdz2k check --listen --config deploy/P0/node.toml      preflight, on every node
  spdz2k party --config deploy/P0/node.toml --session $SID --program dot --input-file a.txt
  spdz2k client --config deploy/C0/node.toml --session $SID --program dot --json

Run `spdz2k <command> --help` for a command's flags and examples."
)]
pub struct Cli {
    /// More logging on stderr (-v: info, -vv: debug). RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Log lines on stderr as text or as JSON objects (one a line).
    #[arg(
        long,
        value_enum,
        default_value = "text",
        global = true,
        value_name = "FORMAT"
    )]
    pub log_format: crate::LogFormat,
    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
}

/// Every subcommand.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the two-party demo with a client on this machine, over mutual TLS on loopback.
    #[command(after_help = "Examples:
  spdz2k demo
  spdz2k demo --params K32S32 --input 1099511627776,1099511627776,5   overflows 2^32
  spdz2k demo --tamper          P0 alters P1's envelope: the client must reject it")]
    Demo(demo::DemoArgs),
    /// Write keys, certificates and configs for a deployment, and print fingerprints.
    #[command(after_help = "Examples:
  spdz2k setup --parties 2 --clients 1 --out deploy
  spdz2k setup --parties 3 --clients 1 --out deploy --host 10.0.0.5 --base-port 7100 --direct-clients")]
    Setup(setup::SetupArgs),
    /// Validate a node's config, key and certificate, and reach every peer.
    #[command(after_help = "Examples:
  spdz2k check --config deploy/P0/node.toml            the parties must be running
  spdz2k check --listen --config deploy/P0/node.toml   preflight: run it on every node

Exit status: 0 if every line passed, 1 if one failed, 2 if the config cannot be loaded.")]
    Check(check::CheckArgs),
    /// Renew a node's certificate with the same key (peers' pins stay valid).
    #[command(after_help = "Example:
  spdz2k renew-cert --config deploy/P0/node.toml --validity-days 365")]
    RenewCert(setup::RenewArgs),
    /// Run one party of a session.
    #[command(after_help = "Examples:
  SID=$(spdz2k session-id)    give every node the same one
  spdz2k party --config deploy/P0/node.toml --session $SID --program demo --input 7
  spdz2k party --config deploy/P0/node.toml --session $SID --program dot --input-file a.txt
  spdz2k party --config deploy/P1/node.toml --session $SID --program sum \\
      --input-file b.bin --input-format le64 --no-client --output-file sum.txt

Without --prep, the parties generate the preprocessing securely in the session. With a
client in the config, the result goes to it (the first one, or --client NAME).")]
    Party(party::PartyArgs),
    /// Run a client of a session: give inputs, receive verified outputs.
    #[command(after_help = "Examples:
  spdz2k client --config deploy/C0/node.toml --session $SID --program demo --input 5
  spdz2k client --config deploy/C0/node.toml --session $SID --program dot --json
  spdz2k client --config deploy/C0/node.toml --session $SID --program sum --output-file sum.txt")]
    Client(client::ClientArgs),
    /// Print a fresh random session ID.
    #[command(after_help = "Example:
  SID=$(spdz2k session-id)")]
    SessionId,
    /// Deal INSECURE preprocessing files for every party (tests and benchmarks only).
    #[command(after_help = "Example:
  spdz2k deal-insecure --parties 2 --triples 1000 --open-masks 10 --input-masks 10 --out prep")]
    DealInsecure(deal_insecure::DealInsecureArgs),
    /// End-to-end two-party throughput over loopback TLS, the parties as separate processes.
    #[command(after_help = "Examples:
  spdz2k bench --count 1000000 --allow-insecure-preprocessing
  spdz2k bench --count 1000000 --allow-insecure-preprocessing --json > bench.json")]
    Bench(bench::BenchArgs),
    /// Generate preprocessing securely (OT-based offline phase) and write one file per party.
    #[command(after_help = "Example (on each party, with the same session ID):
  spdz2k prep --config deploy/P0/node.toml --session $SID --triples 1000000 --out prep-P0.spdz2kprep")]
    Prep(prep::PrepArgs),
    /// Offline-phase throughput: N `prep` processes over loopback TLS (`--json` for plots).
    #[command(after_help = "Examples:
  spdz2k bench-offline --triples 100000
  spdz2k bench-offline --parties 3 --triples 20000 --json offline.json")]
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
