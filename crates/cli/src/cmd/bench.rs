//! `spdz2k bench`: end-to-end two-party throughput over loopback TLS, parties and client as
//! separate processes.

use super::deal_insecure::ParamsArg;
use super::procs;
use crate::CliError;
use crate::progress::Progress;
use spdz2k::SessionId;
use std::collections::HashMap;
use std::process::ExitCode;
use std::time::Duration;

/// Arguments of `spdz2k bench`.
#[derive(clap::Args, Debug, Clone)]
pub struct BenchArgs {
    /// Multiplications (and dot-product terms) per run [default: 1,000,000 on the insecure
    /// dealer, 50,000 with secure preprocessing, which each party generates first].
    #[arg(long)]
    pub count: Option<usize>,
    /// Outputs delivered to the client per run.
    #[arg(long, default_value_t = 100_000)]
    pub outputs: usize,
    /// Ring parameters.
    #[arg(long, value_enum, default_value = "K64S64")]
    pub params: ParamsArg,
    /// Only the proxied topology (skip the run where every party reaches the client).
    #[arg(long)]
    pub proxy_only: bool,
    /// Run the parties on INSECURE dealer preprocessing (a shared seed) instead of
    /// generating it securely: faster to start, for measuring the online phase alone. The
    /// timed online figures are the same either way (material is ready before the timers).
    #[arg(long)]
    pub allow_insecure_preprocessing: bool,
    /// Print the figures as one JSON object on stdout instead of text (for
    /// `scripts/plots.py`).
    #[arg(long)]
    pub json: bool,
}

/// `spdz2k bench --json`: the whole report.
#[derive(serde::Serialize, Debug)]
struct JsonReport {
    command: &'static str,
    params: String,
    count: usize,
    outputs: usize,
    /// The 1-minute load average when the bench ended (Linux), to judge the figures by.
    load_average: Option<f64>,
    unix_time: u64,
    runs: Vec<JsonRun>,
}

/// One topology's figures (`None` where a party printed no such figure).
#[derive(serde::Serialize, Debug)]
struct JsonRun {
    topology: &'static str,
    mul_seconds: Option<f64>,
    mul_per_second: Option<f64>,
    bytes_per_mul: Option<f64>,
    rounds: Option<f64>,
    dot_seconds: Option<f64>,
    dot_terms_per_second: Option<f64>,
    deliver_seconds: Option<f64>,
    end_to_end_seconds: Option<f64>,
}

fn json_run(a: &BenchArgs, direct: bool, f: &Figures) -> JsonRun {
    let deliver = match (rate(f, "0", "deliver"), rate(f, "1", "deliver")) {
        (Some((_, s0)), Some((_, s1))) => Some(s0.max(s1)),
        _ => None,
    };
    let first_start = f.deliver_start_us.iter().copied().reduce(f64::min);
    JsonRun {
        topology: if direct { "direct" } else { "proxied" },
        mul_seconds: rate(f, "0", "mul").map(|(_, s)| s),
        mul_per_second: rate(f, "0", "mul").map(|(r, _)| r),
        bytes_per_mul: f.mul_bytes.map(|b| b / count(a) as f64),
        rounds: f.mul_rounds,
        dot_seconds: rate(f, "0", "dot").map(|(_, s)| s),
        dot_terms_per_second: rate(f, "0", "dot").map(|(r, _)| r),
        deliver_seconds: deliver,
        end_to_end_seconds: first_start
            .zip(f.client_end_us)
            .map(|(start, end)| (end - start) / 1e6),
    }
}

fn print_json(a: &BenchArgs, runs: &[(bool, Figures)]) -> Result<ExitCode, CliError> {
    let report = JsonReport {
        command: "bench",
        params: format!("{:?}", a.params),
        count: count(a),
        outputs: a.outputs.min(count(a)),
        load_average: std::fs::read_to_string("/proc/loadavg")
            .ok()
            .and_then(|l| l.split_whitespace().next()?.parse().ok()),
        unix_time: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
        runs: runs.iter().map(|(d, f)| json_run(a, *d, f)).collect(),
    };
    let text = serde_json::to_string_pretty(&report)
        .map_err(|e| CliError::Failed(format!("writing the bench report as JSON: {e}")))?;
    println!("{text}");
    Ok(ExitCode::SUCCESS)
}

/// One run's measurements: kind -> (count, seconds) per party, plus bytes and rounds.
#[derive(Default, Debug)]
struct Figures {
    by_kind: HashMap<(String, String), (f64, f64)>,
    /// P0's offline-phase line, when the parties generated their material securely.
    offline: Option<String>,
    mul_bytes: Option<f64>,
    mul_rounds: Option<f64>,
    /// Wall clock (µs) at which each party began delivering, and the client had verified.
    deliver_start_us: Vec<f64>,
    client_end_us: Option<f64>,
}

fn parse_bench(line: &str, f: &mut Figures) {
    let kv: HashMap<&str, &str> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|t| t.split_once('='))
        .collect();
    if let Some(t) = kv.get("start_us").and_then(|t| t.parse::<f64>().ok()) {
        f.deliver_start_us.push(t);
    }
    if let Some(t) = kv.get("end_us").and_then(|t| t.parse::<f64>().ok()) {
        f.client_end_us = Some(t);
    }
    let (Some(party), Some(kind), Some(count), Some(secs)) = (
        kv.get("party"),
        kv.get("kind"),
        kv.get("count"),
        kv.get("seconds"),
    ) else {
        return;
    };
    let (Ok(count), Ok(secs)) = (count.parse::<f64>(), secs.parse::<f64>()) else {
        return;
    };
    f.by_kind
        .insert((party.to_string(), kind.to_string()), (count, secs));
    if *kind == "mul" && *party == "0" {
        f.mul_bytes = kv.get("bytes_sent").and_then(|b| b.parse().ok());
        f.mul_rounds = kv.get("rounds").and_then(|b| b.parse().ok());
    }
}

fn run_once(a: &BenchArgs, direct: bool, verbose: u8) -> Result<Figures, CliError> {
    let tmp = tempfile::tempdir().map_err(|source| CliError::Io {
        what: "creating a temporary folder".into(),
        source,
    })?;
    let params = super::setup::params_id(a.params);
    // The default timeouts: heartbeats keep a long computation alive.
    procs::loopback_deployment(tmp.path(), params, direct, false)?;
    let session = SessionId::random();
    let seed = hex::encode(spdz2k_prep::fresh_seed());
    let (tx, rx) = procs::lines();
    let mut children = Vec::new();
    for p in 0..2 {
        let name = format!("P{p}");
        let mut args = procs::node_args("party", verbose, tmp.path(), &name, &session, "mul-bench");
        if a.allow_insecure_preprocessing {
            args.extend([
                "--insecure-dealer-seed".into(),
                seed.clone(),
                "--allow-insecure-preprocessing".into(),
            ]);
        }
        args.extend([
            "--count".into(),
            count(a).to_string(),
            "--outputs".into(),
            a.outputs.to_string(),
        ]);
        children.push(procs::spawn(&name, &args, &tx)?);
    }
    let args = procs::node_args("client", verbose, tmp.path(), "C0", &session, "mul-bench");
    children.push(procs::spawn("C0", &args, &tx)?);
    drop(tx);
    let mut figures = Figures::default();
    let mut errors = Vec::new();
    let topology = if direct { "direct" } else { "proxied" };
    let mut progress = Progress::new(false, format!("{topology:>8} multiplications"));
    let results = procs::wait_all(
        children,
        rx,
        Duration::from_secs(600),
        |(name, is_err, line)| {
            if let Some(rest) = line.strip_prefix("PROGRESS ") {
                if name == "P0" {
                    progress.relay(rest);
                }
            } else if line.starts_with("BENCH ") {
                parse_bench(line, &mut figures);
            } else if name == "P0" && line.contains("offline phase done") {
                figures.offline = Some(line.clone());
            } else if *is_err {
                errors.push(format!("[{name}] {line}"));
            } else if verbose > 0 {
                println!("[{name}] {line}");
            }
        },
    );
    let failed: Vec<_> = results
        .iter()
        .filter(|(_, s)| !s.is_some_and(|s| s.success()))
        .map(|(n, _)| n.clone())
        .collect();
    if !failed.is_empty() {
        for e in &errors {
            eprintln!("{e}");
        }
        return Err(CliError::Failed(format!(
            "bench run ({topology}) failed in {}",
            failed.join(", ")
        )));
    }
    Ok(figures)
}

fn rate(f: &Figures, party: &str, kind: &str) -> Option<(f64, f64)> {
    f.by_kind
        .get(&(party.to_string(), kind.to_string()))
        .map(|&(c, s)| (c / s, s))
}

/// Multiplications per run: the flag, or the default for the preprocessing in use.
fn count(a: &BenchArgs) -> usize {
    a.count.unwrap_or(if a.allow_insecure_preprocessing {
        1_000_000
    } else {
        50_000
    })
}

/// Runs the benchmark and prints the figures.
pub fn run(mut a: BenchArgs, verbose: u8) -> Result<ExitCode, CliError> {
    a.count = Some(count(&a));
    if !a.json {
        let prep = if a.allow_insecure_preprocessing {
            "INSECURE dealer preprocessing"
        } else {
            "preprocessing generated securely by each session's OT-based offline phase first"
        };
        println!(
            "spdz2k bench: 2 parties + 1 client as separate processes, mutual TLS on 127.0.0.1, {:?}, online phase timed ({prep})",
            a.params
        );
    }
    let mut runs = vec![(false, run_once(&a, false, verbose)?)];
    if !a.proxy_only {
        runs.push((true, run_once(&a, true, verbose)?));
    }
    if a.json {
        return print_json(&a, &runs);
    }
    for (direct, f) in &runs {
        let topology = if *direct {
            "direct (every party reaches the client)"
        } else {
            "proxied (P1 -> P0 -> client)"
        };
        println!("{topology}:");
        if let Some(line) = &f.offline {
            println!("  {line}");
        }
        if let Some((r, s)) = rate(f, "0", "mul") {
            let bytes = f.mul_bytes.unwrap_or(0.0) / count(&a) as f64;
            println!(
                "  multiplications: {} in {s:.3} s = {:.2} M/s; {bytes:.1} bytes sent per multiplication per party (incl. MAC check), {} rounds",
                count(&a),
                r / 1e6,
                f.mul_rounds.unwrap_or(0.0)
            );
        }
        if let Some((r, s)) = rate(f, "0", "dot") {
            println!(
                "  dot product: {} terms in {s:.3} s = {:.2} M terms/s",
                count(&a),
                r / 1e6
            );
        }
        if let (Some((_, s0)), Some((_, s1))) = (rate(f, "0", "deliver"), rate(f, "1", "deliver")) {
            let s = s0.max(s1);
            let m = a.outputs.min(count(&a)) as f64;
            println!(
                "  outputs delivered: {m} in {s:.3} s = {:.0} outputs/s ({:.2} us per output, incl. output step, MAC check, sealing, signing)",
                m / s,
                s / m * 1e6
            );
        }
        let first_start = f.deliver_start_us.iter().copied().reduce(f64::min);
        if let (Some(start), Some(end)) = (first_start, f.client_end_us) {
            let s = (end - start) / 1e6;
            let m = a.outputs.min(count(&a)) as f64;
            println!(
                "  end to end, parties start delivering -> client verified all: {s:.3} s = {:.2} us per output",
                s / m * 1e6
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
