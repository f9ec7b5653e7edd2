//! `spdz2k demo`: two parties and a client as separate processes on loopback.

use super::deal_insecure::ParamsArg;
use super::procs;
use crate::CliError;
use spdz2k::SessionId;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Arguments of `spdz2k demo`.
#[derive(clap::Args, Debug, Clone)]
pub struct DemoArgs {
    /// Ring parameters.
    #[arg(long, value_enum, default_value = "K64S64")]
    pub params: ParamsArg,
    /// P0's secret input a.
    #[arg(long, default_value_t = 7, allow_negative_numbers = true)]
    pub a: i128,
    /// P1's secret input b.
    #[arg(long, default_value_t = 6, allow_negative_numbers = true)]
    pub b: i128,
    /// The client's secret input c.
    #[arg(long, default_value_t = 5, allow_negative_numbers = true)]
    pub c: i128,
    /// Make P0 alter P1's envelope on its way to the client: the client must reject it.
    #[arg(long)]
    pub tamper: bool,
    /// Keep the generated deployment in this folder instead of a temporary one.
    #[arg(long)]
    pub keep: Option<PathBuf>,
}

/// Runs the demo and prints the transcript.
pub fn run(a: DemoArgs, verbose: u8) -> Result<ExitCode, CliError> {
    let tmp = tempfile::tempdir().map_err(|source| CliError::Io {
        what: "creating a temporary folder".into(),
        source,
    })?;
    let dir = a.keep.clone().unwrap_or_else(|| tmp.path().to_path_buf());
    let params = super::setup::params_id(a.params);
    let nodes = procs::loopback_deployment(&dir, params, false, a.keep.is_some())?;
    let session = SessionId::random();
    println!(
        "spdz2k demo: 2 parties and 1 client on 127.0.0.1, mutual TLS, {:?}",
        a.params
    );
    println!(
        "deployment: {} (fresh Ed25519 identities and certificates)",
        dir.display()
    );
    for n in &nodes {
        println!("  {n}");
    }
    println!("session: {session}");
    println!("routes: P0 reaches C0 directly; P1 has no route to C0 and sends through P0");
    println!("preprocessing: generated securely (OT-based SPDZ2k offline phase)");
    if a.tamper {
        println!("tamper: P0 will flip a byte of P1's envelope before forwarding it");
    }
    println!();
    let (tx, rx) = procs::lines();
    let mut children = Vec::new();
    for (p, input) in [(0, a.a), (1, a.b)] {
        let name = format!("P{p}");
        let mut args = procs::node_args("party", verbose, &dir, &name, &session, "demo");
        args.extend(["--input".into(), input.to_string()]);
        if a.tamper && p == 0 {
            args.push("--tamper-forward".into());
        }
        children.push(procs::spawn(&name, &args, &tx)?);
    }
    let mut args = procs::node_args("client", verbose, &dir, "C0", &session, "demo");
    args.extend(["--input".into(), a.c.to_string()]);
    children.push(procs::spawn("C0", &args, &tx)?);
    drop(tx);
    let mut client_error = None;
    let results = procs::wait_all(
        children,
        rx,
        Duration::from_secs(120),
        |(name, is_err, line)| {
            // Said once above; the parties' own notices would repeat it.
            if line.contains("INSECURE") {
                return;
            }
            if *is_err {
                if name == "C0" && line.starts_with("error:") {
                    client_error = Some(line.clone());
                }
                eprintln!("[{name}] {line}");
            } else {
                println!("[{name}] {line}");
            }
        },
    );
    println!();
    let failed: Vec<String> = results
        .iter()
        .filter(|(_, s)| !s.is_some_and(|s| s.success()))
        .map(|(n, s)| match s {
            Some(s) => format!("{n} exited with {s}"),
            None => format!("{n} did not finish within 120 s and was stopped"),
        })
        .collect();
    if failed.is_empty() {
        let (x, y, z) = (a.a, a.b, a.c);
        println!(
            "demo succeeded: C0 verified sum = {}, product = {}, square of sum = {} (expected from a={x}, b={y}, c={z})",
            x + y + z,
            x * y * z,
            (x + y + z) * (x + y + z)
        );
        return Ok(ExitCode::SUCCESS);
    }
    match (&client_error, a.tamper) {
        (Some(e), true) => {
            println!("demo --tamper: C0 rejected P1's envelope altered by P0, as it must: {e}")
        }
        (Some(e), false) => println!("demo failed: C0 reported {e}"),
        (None, _) => println!("demo failed: {}", failed.join("; ")),
    }
    Ok(ExitCode::FAILURE)
}
