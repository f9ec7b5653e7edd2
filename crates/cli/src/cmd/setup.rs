//! `spdz2k setup` and `spdz2k renew-cert`.

use super::deal_insecure::ParamsArg;
use crate::CliError;
use spdz2k_pki::{SetupOptions, renew_certificate, setup};
use std::path::PathBuf;
use std::time::Duration;

/// Arguments of `spdz2k setup`.
#[derive(clap::Args, Debug, Clone)]
pub struct SetupArgs {
    /// Number of parties (at least 2).
    #[arg(long)]
    pub parties: usize,
    /// Number of clients.
    #[arg(long, default_value_t = 0)]
    pub clients: usize,
    /// Output folder (one subfolder per node).
    #[arg(long)]
    pub out: PathBuf,
    /// Host or IP address the parties are reached at.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Port of P0; party i listens on base-port + i.
    #[arg(long, default_value_t = 7100)]
    pub base_port: u16,
    /// Ring parameters.
    #[arg(long, value_enum, default_value = "K64S64")]
    pub params: ParamsArg,
    /// Every party reaches every client directly (default: only P0; the others via P0).
    #[arg(long)]
    pub direct_clients: bool,
    /// Certificate lifetime in days.
    #[arg(long, default_value_t = 365)]
    pub validity_days: u32,
    /// Connection timeout written into every config, in seconds: how long connecting and
    /// opening a session may take.
    #[arg(long, default_value_t = spdz2k_pki::config::DEFAULT_CONNECTION_TIMEOUT.as_secs())]
    pub timeout_secs: u64,
    /// Idle timeout written into every config, in seconds: how long a connected peer may be
    /// silent (peers send heartbeats while they compute).
    #[arg(long, default_value_t = spdz2k_pki::config::DEFAULT_IDLE_TIMEOUT.as_secs())]
    pub idle_timeout_secs: u64,
    /// Overwrite an existing deployment in --out.
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `spdz2k renew-cert`.
#[derive(clap::Args, Debug, Clone)]
pub struct RenewArgs {
    /// The node's config file.
    #[arg(long)]
    pub config: PathBuf,
    /// New certificate lifetime in days.
    #[arg(long, default_value_t = 365)]
    pub validity_days: u32,
}

/// The (k, s) of a parameter argument.
pub fn params_id(p: ParamsArg) -> spdz2k::ParamsId {
    p.0
}

/// Options for the library call.
pub fn options(a: &SetupArgs) -> SetupOptions {
    let mut o = SetupOptions::new(a.parties, a.clients, &a.out);
    o.host = a.host.clone();
    o.base_port = a.base_port;
    o.params = params_id(a.params);
    o.direct_clients = a.direct_clients;
    o.validity_days = a.validity_days;
    o.force = a.force;
    o.connection_timeout = Duration::from_secs(a.timeout_secs);
    o.idle_timeout = Duration::from_secs(a.idle_timeout_secs);
    o
}

/// Writes the deployment and prints every node's fingerprint.
pub fn run(a: SetupArgs) -> Result<(), CliError> {
    let nodes = setup(&options(&a))?;
    println!(
        "wrote a deployment of {} parties and {} clients to {}",
        a.parties,
        a.clients,
        a.out.display()
    );
    for n in &nodes {
        println!("{n}");
    }
    println!(
        "copy each node's folder to its machine; check it with `spdz2k check --config <folder>/node.toml`"
    );
    Ok(())
}

/// Renews one certificate.
pub fn renew(a: RenewArgs) -> Result<(), CliError> {
    let n = renew_certificate(&a.config, a.validity_days)?;
    println!("renewed the certificate of {n}");
    Ok(())
}
