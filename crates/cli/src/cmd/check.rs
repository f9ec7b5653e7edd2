//! `spdz2k check`, and `spdz2k check --listen`: every node's preflight before a run.

use crate::CliError;
use spdz2k::{Node, NodeConfig, SessionId, SessionSpec};
use spdz2k_net::{ClientNode, Transport};
use spdz2k_pki::{Role, Route};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `spdz2k check`.
#[derive(clap::Args, Debug, Clone)]
pub struct CheckArgs {
    /// The node's config file.
    #[arg(long)]
    pub config: PathBuf,
    /// Preflight before a run: a party listens on its address (answering the others' probes)
    /// and a client dials its parties, until every node of the deployment runs
    /// `check --listen` (each within the config's connection timeout of the others). It
    /// passes when every node is up and passed its own checks.
    #[arg(long)]
    pub listen: bool,
}

/// Exit status when the config cannot be loaded (the check itself could not run), as
/// docs/TROUBLESHOOTING.md says.
pub const EXIT_CONFIG_ERROR: u8 = 2;

/// The session the preflight runs as (never a run's: a run's IDs are random hex).
const PREFLIGHT: &str = "preflight";

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
    let rt = super::runtime()?;
    let ok = if a.listen {
        rt.block_on(preflight(&config))?
    } else {
        let report = rt.block_on(spdz2k_net::check(&config));
        print!("{report}");
        report.ok()
    };
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// One verdict byte each node sends every peer it is connected to in the preflight.
const PASSED: u8 = 1;

fn verdict_line(name: &str, verdict: &[u8]) -> (bool, String) {
    match verdict {
        [PASSED] => (
            true,
            format!("ok   {name:<12} up, and passed its own checks"),
        ),
        _ => (
            false,
            format!("FAIL {name:<12} up, but failed its own checks (see its output)"),
        ),
    }
}

/// The preflight of one node; returns whether every line passed.
async fn preflight(config: &NodeConfig) -> Result<bool, CliError> {
    let sid = SessionId::new(PREFLIGHT).map_err(|e| CliError::Usage(e.to_string()))?;
    let n = config.parties.len();
    let ok = std::cell::Cell::new(true);
    let pass = |good: bool| ok.set(ok.get() && good);
    let say = |(good, line): (bool, String)| {
        pass(good);
        println!("{line}");
    };
    match config.role {
        Role::Party(me) => {
            let node = Node::start(config.clone()).await?;
            println!(
                "listening on {}; waiting for the other parties' preflight (up to {:?})",
                config.parties[me].address, config.connection_timeout
            );
            let spec = SessionSpec::new(sid.clone(), config.params, n, "check");
            let result = async {
                let mut mesh = node.open_session(spec).await?;
                say((
                    true,
                    format!(
                        "ok   {:<12} every party is up and connected, keys pinned",
                        "mesh"
                    ),
                ));
                // Every party stays up until the barrier below, so the pings reach it.
                let report = spdz2k_net::check(config).await;
                print!("{report}");
                let mine = report.ok();
                pass(mine);
                let verdict = vec![u8::from(mine)];
                let direct: Vec<String> = config
                    .clients
                    .iter()
                    .filter(|c| c.route == Route::Direct)
                    .map(|c| c.name.clone())
                    .collect();
                for c in &direct {
                    let mut ch = node.client_channel(&sid, c).await?;
                    ch.send(verdict.clone())?;
                    let theirs = ch.recv().await?;
                    say(verdict_line(c, &theirs));
                    ch.close().await?;
                }
                mesh.begin_round("preflight verdicts");
                for p in (0..n).filter(|&p| p != me) {
                    mesh.send(p, verdict.clone()).await?;
                }
                for p in (0..n).filter(|&p| p != me) {
                    let theirs = mesh.recv(p).await?;
                    say(verdict_line(&format!("P{p}"), &theirs));
                }
                mesh.close().await?;
                Ok::<_, CliError>(())
            }
            .await;
            node.shutdown().await;
            result?;
        }
        Role::Client => {
            println!(
                "dialling the parties with a direct route; waiting for their preflight (up to {:?})",
                config.connection_timeout
            );
            let mut client = ClientNode::connect(config.clone(), &sid).await?;
            say((
                true,
                format!(
                    "ok   {:<12} every party with a direct route is up, keys pinned",
                    "parties"
                ),
            ));
            let report = spdz2k_net::check(config).await;
            print!("{report}");
            let mine = report.ok();
            pass(mine);
            for p in client.parties() {
                if let Some(ch) = client.channel(p) {
                    ch.send(vec![u8::from(mine)])?;
                    let theirs = ch.recv().await?;
                    say(verdict_line(&format!("P{p}"), &theirs));
                    ch.close().await?;
                }
            }
            client.shutdown().await;
        }
    }
    let ok = ok.get();
    println!(
        "preflight {}",
        if ok {
            "passed: every node is up and ready for a run"
        } else {
            "FAILED"
        }
    );
    Ok(ok)
}
