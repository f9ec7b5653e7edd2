//! `spdz2k bench-offline`: the offline phase's throughput for N parties as separate
//! processes over loopback mutual TLS: each runs `spdz2k prep` into a temporary file, and
//! the figures are what each reports (triples per second, bytes sent per triple, peak RSS),
//! as text and, with `--json`, as JSON for plotting.

use super::deal_insecure::ParamsArg;
use super::procs;
use crate::CliError;
use crate::progress::Progress;
use serde::Serialize;
use spdz2k::SessionId;
use std::collections::BTreeMap;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
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
    /// Parties, each a separate `spdz2k prep` process (at least 2).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u16).range(2..=64))]
    pub parties: u16,
    /// Also write the figures as JSON to FILE; `--json` alone (or `--json -`) writes them to
    /// stdout and the text report to stderr.
    #[arg(long, value_name = "FILE", num_args = 0..=1, default_missing_value = "-")]
    pub json: Option<PathBuf>,
}

/// One party's figures from its BENCH line.
#[derive(Debug, Default, Clone, Copy)]
struct Figures {
    count: f64,
    seconds: f64,
    bytes: f64,
    ot_bytes: f64,
    /// `None` where the child could not measure it (`peak_rss_kib=n/a`).
    peak_rss_kib: Option<f64>,
}

fn parse(line: &str) -> Option<(usize, Figures)> {
    let kv: HashMap<&str, &str> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|t| t.split_once('='))
        .collect();
    let num = |k: &str| kv.get(k).and_then(|v| v.parse::<f64>().ok());
    Some((
        kv.get("party")?.parse().ok()?,
        Figures {
            count: num("count")?,
            seconds: num("seconds")?,
            bytes: num("bytes_sent")?,
            ot_bytes: num("ot_bytes").unwrap_or(0.0),
            peak_rss_kib: num("peak_rss_kib"),
        },
    ))
}

/// The figures of one run, as `--json` writes them.
#[derive(Debug, Serialize)]
struct Report {
    /// The parameter set, e.g. `K64S64`.
    params: String,
    parties: usize,
    triples: u64,
    batch: usize,
    /// The slowest party's time (key-set setup included).
    seconds: f64,
    /// `triples / seconds`.
    triples_per_s: f64,
    /// Start of the first process to exit of the last.
    wall_seconds: f64,
    /// `/proc/loadavg` (1, 5, 15 minutes) when the run started; `null` where unavailable.
    load_average: Option<[f64; 3]>,
    /// CPUs available to this process.
    cpus: Option<usize>,
    per_party: Vec<PartyReport>,
}

/// One party's figures in a [`Report`].
#[derive(Debug, Serialize)]
struct PartyReport {
    party: usize,
    seconds: f64,
    triples_per_s: f64,
    bytes_sent: u64,
    bytes_per_triple: f64,
    /// The part of `bytes_per_triple` that is OT extension.
    ot_bytes_per_triple: f64,
    /// Peak resident set size in bytes (`VmHWM`); `null` where unavailable.
    peak_rss_bytes: Option<u64>,
}

/// The 1, 5 and 15 minute load averages from `/proc/loadavg` (Linux only).
fn load_average() -> Option<[f64; 3]> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    let mut it = text.split_whitespace().map(|t| t.parse::<f64>().ok());
    Some([it.next()??, it.next()??, it.next()??])
}

/// The `prep` command line of party `p` in the deployment in `dir`.
fn prep_args(
    a: &BenchOfflineArgs,
    verbose: u8,
    dir: &Path,
    p: usize,
    sid: &SessionId,
) -> Vec<String> {
    let name = format!("P{p}");
    let mut args = vec!["prep".to_string()];
    args.extend((0..verbose).map(|_| "-v".to_string()));
    args.extend([
        "--config".into(),
        dir.join(&name).join("node.toml").display().to_string(),
        "--session".into(),
        sid.to_string(),
        "--triples".into(),
        a.triples.to_string(),
        "--batch".into(),
        a.batch.to_string(),
        "--out".into(),
        dir.join(format!("{name}.prep")).display().to_string(),
        "--progress-lines".into(),
    ]);
    args
}

/// Runs the benchmark and prints the figures.
pub fn run(a: BenchOfflineArgs, verbose: u8) -> Result<ExitCode, CliError> {
    let n = usize::from(a.parties);
    let json_to_stdout = a.json.as_deref() == Some(Path::new("-"));
    // With the JSON on stdout, the text goes to stderr.
    let say = |s: String| {
        if json_to_stdout {
            eprintln!("{s}");
        } else {
            println!("{s}");
        }
    };
    let tmp = tempfile::tempdir().map_err(|source| CliError::Io {
        what: "creating a temporary folder".into(),
        source,
    })?;
    let params = super::setup::params_id(a.params);
    procs::loopback_parties(tmp.path(), params, n)?;
    let session = SessionId::random();
    let load = load_average();
    say(format!(
        "spdz2k bench-offline: {n} parties as separate processes, mutual TLS on 127.0.0.1, \
         {:?}, {} triples (OT-based SPDZ2k offline phase, SoftSpokenOT d = 4, files written); \
         load average at start {}",
        a.params,
        a.triples,
        load.map_or("n/a".into(), |l| format!("{} {} {}", l[0], l[1], l[2]))
    ));
    let (tx, rx) = procs::lines();
    let mut children = Vec::new();
    for p in 0..n {
        let args = prep_args(&a, verbose, tmp.path(), p, &session);
        children.push(procs::spawn(&format!("P{p}"), &args, &tx)?);
    }
    drop(tx);
    let start = Instant::now();
    let mut figures: BTreeMap<usize, Figures> = BTreeMap::new();
    let mut errors = Vec::new();
    let mut progress = Progress::new(false, "P0 offline phase");
    let results = procs::wait_all(
        children,
        rx,
        Duration::from_secs(3600),
        |(name, is_err, line)| {
            if let Some(rest) = line.strip_prefix("PROGRESS ") {
                // P0's `PROGRESS done total` lines, drawn as `prep` draws its bar.
                if name == "P0" {
                    progress.relay(rest);
                }
            } else if line.starts_with("BENCH ") {
                if let Some((p, f)) = parse(line) {
                    figures.insert(p, f);
                }
            } else if *is_err {
                errors.push(format!("[{name}] {line}"));
            } else if verbose > 0 {
                say(format!("[{name}] {line}"));
            }
        },
    );
    let wall = start.elapsed().as_secs_f64();
    let failed: Vec<_> = results
        .iter()
        .filter(|(_, s)| !s.is_some_and(|s| s.success()))
        .map(|(n, _)| n.clone())
        .collect();
    if !failed.is_empty() || figures.len() != n {
        for e in &errors {
            eprintln!("{e}");
        }
        return Err(CliError::Usage(format!(
            "bench-offline failed in {} ({} of {n} parties reported figures)",
            if failed.is_empty() {
                "no process".into()
            } else {
                failed.join(", ")
            },
            figures.len()
        )));
    }
    let per_party: Vec<PartyReport> = figures
        .iter()
        .map(|(&party, f)| PartyReport {
            party,
            seconds: f.seconds,
            triples_per_s: f.count / f.seconds,
            bytes_sent: f.bytes as u64,
            bytes_per_triple: f.bytes / f.count.max(1.0),
            ot_bytes_per_triple: f.ot_bytes / f.count.max(1.0),
            peak_rss_bytes: f.peak_rss_kib.map(|k| k as u64 * 1024),
        })
        .collect();
    for p in &per_party {
        say(format!(
            "  P{}: {} triples in {:.2} s (key-set setup included) = {:.0} triples/s; sent {:.0} \
             bytes per triple ({:.0} of them OT extension); peak RSS {}",
            p.party,
            a.triples,
            p.seconds,
            p.triples_per_s,
            p.bytes_per_triple,
            p.ot_bytes_per_triple,
            p.peak_rss_bytes.map_or("n/a".into(), |b| format!(
                "{:.1} MiB",
                b as f64 / (1 << 20) as f64
            ))
        ));
    }
    say(format!(
        "  wall clock for all {n} processes, start to exit: {wall:.2} s"
    ));
    if let Some(path) = &a.json {
        let seconds = per_party.iter().map(|p| p.seconds).fold(0.0, f64::max);
        let report = Report {
            params: format!("{:?}", a.params),
            parties: n,
            triples: a.triples,
            batch: a.batch,
            seconds,
            triples_per_s: a.triples as f64 / seconds,
            wall_seconds: wall,
            load_average: load,
            cpus: std::thread::available_parallelism().ok().map(usize::from),
            per_party,
        };
        write_json(path, &report)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes `report` as pretty JSON to `path` (`-`: stdout).
fn write_json(path: &Path, report: &Report) -> Result<(), CliError> {
    let io = |source: std::io::Error| CliError::Io {
        what: format!("writing the JSON figures to {}", path.display()),
        source,
    };
    let mut text = serde_json::to_string_pretty(report).map_err(|e| io(e.into()))?;
    text.push('\n');
    if path == Path::new("-") {
        std::io::stdout().write_all(text.as_bytes()).map_err(io)
    } else {
        std::fs::write(path, text).map_err(io)
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn bench_lines_parse_with_and_without_a_peak_rss() {
        let (p, f) = parse(
            "BENCH party=2 kind=offline count=10 seconds=1.5 bytes_sent=100 ot_bytes=5 \
             peak_rss_kib=2048",
        )
        .unwrap();
        assert_eq!(
            (p, f.count, f.seconds, f.bytes, f.ot_bytes),
            (2, 10.0, 1.5, 100.0, 5.0)
        );
        assert_eq!(f.peak_rss_kib, Some(2048.0));
        let (_, f) = parse(
            "BENCH party=0 kind=offline count=10 seconds=1 bytes_sent=1 ot_bytes=0 \
             peak_rss_kib=n/a",
        )
        .unwrap();
        assert_eq!(f.peak_rss_kib, None);
        assert!(parse("BENCH party=x count=1 seconds=1 bytes_sent=1").is_none());
        assert!(parse("BENCH party=0 count=1 bytes_sent=1").is_none());
    }
}
