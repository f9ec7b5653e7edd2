//! `spdz2k bench-offline`: the offline phase's throughput for two parties as separate
//! processes over loopback mutual TLS: each runs `spdz2k prep` into a temporary file, and
//! the figures are what each reports (triples per second, bytes sent per triple).

use super::deal_insecure::ParamsArg;
use super::procs;
use crate::CliError;
use spdz2k::SessionId;
use std::collections::HashMap;
use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Arguments of `spdz2k bench-offline`.
#[derive(clap::Args, Debug, Clone)]
pub struct BenchOfflineArgs {
    /// Triples to generate.
    #[arg(long, default_value_t = 200_000)]
    pub triples: u64,
    /// Ring parameters.
    #[arg(long, value_enum, default_value = "K64S64")]
    pub params: ParamsArg,
    /// Triples per offline batch.
    #[arg(long, default_value_t = spdz2k_offline::SECURE_TRIPLE_BATCH)]
    pub batch: usize,
}

/// One party's figures from its BENCH line.
#[derive(Debug, Default, Clone, Copy)]
struct Figures {
    count: f64,
    seconds: f64,
    bytes: f64,
    ot_bytes: f64,
}

fn parse(line: &str) -> Option<(String, Figures)> {
    let kv: HashMap<&str, f64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|t| t.split_once('='))
        .filter_map(|(k, v)| Some((k, v.parse().ok()?)))
        .collect();
    let party = line
        .split_whitespace()
        .find_map(|t| t.strip_prefix("party="))?
        .to_string();
    Some((
        party,
        Figures {
            count: *kv.get("count")?,
            seconds: *kv.get("seconds")?,
            bytes: *kv.get("bytes_sent")?,
            ot_bytes: kv.get("ot_bytes").copied().unwrap_or(0.0),
        },
    ))
}

/// Runs the benchmark and prints the figures.
pub fn run(a: BenchOfflineArgs, verbose: u8) -> Result<ExitCode, CliError> {
    let tmp = tempfile::tempdir().map_err(|source| CliError::Io {
        what: "creating a temporary folder".into(),
        source,
    })?;
    let params = super::setup::params_id(a.params);
    procs::loopback_deployment(tmp.path(), params, false, false)?;
    let session = SessionId::random();
    println!(
        "spdz2k bench-offline: 2 parties as separate processes, mutual TLS on 127.0.0.1, {:?}, \
         {} triples (OT-based SPDZ2k offline phase, SoftSpokenOT d = 4, files written)",
        a.params, a.triples
    );
    let (tx, rx) = procs::lines();
    let mut children = Vec::new();
    for p in 0..2 {
        let name = format!("P{p}");
        let mut args = vec!["prep".to_string()];
        args.extend((0..verbose).map(|_| "-v".to_string()));
        args.extend([
            "--config".into(),
            tmp.path()
                .join(&name)
                .join("node.toml")
                .display()
                .to_string(),
            "--session".into(),
            session.to_string(),
            "--triples".into(),
            a.triples.to_string(),
            "--batch".into(),
            a.batch.to_string(),
            "--out".into(),
            tmp.path()
                .join(format!("{name}.prep"))
                .display()
                .to_string(),
            "--progress-lines".into(),
        ]);
        children.push(procs::spawn(&name, &args, &tx)?);
    }
    drop(tx);
    let start = Instant::now();
    let mut figures: HashMap<String, Figures> = HashMap::new();
    let mut errors = Vec::new();
    let results = procs::wait_all(
        children,
        rx,
        Duration::from_secs(3600),
        |(name, is_err, line)| {
            if let Some(rest) = line.strip_prefix("PROGRESS ") {
                let mut it = rest
                    .split_whitespace()
                    .filter_map(|t| t.parse::<usize>().ok());
                if let (true, Some(done), Some(total)) = (name == "P0", it.next(), it.next()) {
                    let width = 30;
                    let filled = width * done / total.max(1);
                    eprint!(
                        "\roffline phase [{}{}] {done}/{total} batches",
                        "#".repeat(filled),
                        ".".repeat(width - filled)
                    );
                    if done == total {
                        eprintln!();
                    }
                    let _ = std::io::stderr().flush();
                }
            } else if line.starts_with("BENCH ") {
                if let Some((p, f)) = parse(line) {
                    figures.insert(p, f);
                }
            } else if *is_err {
                errors.push(format!("[{name}] {line}"));
            } else if verbose > 0 {
                println!("[{name}] {line}");
            }
        },
    );
    let wall = start.elapsed().as_secs_f64();
    let failed: Vec<_> = results
        .iter()
        .filter(|(_, s)| !s.is_some_and(|s| s.success()))
        .map(|(n, _)| n.clone())
        .collect();
    if !failed.is_empty() {
        for e in &errors {
            eprintln!("{e}");
        }
        return Err(CliError::Usage(format!(
            "bench-offline failed in {}",
            failed.join(", ")
        )));
    }
    let mut parties: Vec<_> = figures.into_iter().collect();
    parties.sort_by(|x, y| x.0.cmp(&y.0));
    for (p, f) in &parties {
        println!(
            "  P{p}: {} triples in {:.2} s (key-set setup included) = {:.0} triples/s; sent {:.0} \
             bytes per triple ({:.0} of them OT extension)",
            f.count,
            f.seconds,
            f.count / f.seconds,
            f.bytes / f.count.max(1.0),
            f.ot_bytes / f.count.max(1.0)
        );
    }
    println!("  wall clock for both processes, start to exit: {wall:.2} s");
    Ok(ExitCode::SUCCESS)
}
