//! `spdz2k prep`: every party runs it at the same time with the same session and counts;
//! the parties generate the material securely over their mutual-TLS session (the OT-based
//! SPDZ2k offline phase) and each writes its own preprocessing file, batch by batch, for
//! later `spdz2k party --prep FILE` runs.

use super::counts::CountArgs;
use crate::CliError;
use crate::progress::Progress;
use spdz2k::{Node, NodeConfig, SessionId, SessionSpec, TlsSession, Transport};
use spdz2k_offline::{
    DEFAULT_VARIANT, IN_FLIGHT, Material, SECURE_TRIPLE_BATCH, SecureOffline, plan,
};
use spdz2k_prep::{PrepCounts, PrepError, PrepFileWriter, PrepKind, party_file_name};
use spdz2k_ring::HasCheckRing;
use std::path::PathBuf;
use std::time::Instant;

/// Arguments of `spdz2k prep`.
#[derive(clap::Args, Debug, Clone)]
pub struct PrepArgs {
    /// This party's config file (from `spdz2k setup`).
    #[arg(long)]
    pub config: PathBuf,
    /// The session ID; every party must be given the same one (and the same counts).
    #[arg(long, value_parser = super::parse_session)]
    pub session: SessionId,
    /// Triples, randoms and opening masks to generate.
    #[command(flatten)]
    pub counts: CountArgs,
    /// Input masks per owner, one count per party: `--input-masks 10,10`.
    #[arg(long, value_delimiter = ',')]
    pub input_masks: Vec<u64>,
    /// The file to write (default: `prep-P<i>.spdz2kprep` in the current folder).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Items per offline batch.
    #[arg(long, default_value_t = SECURE_TRIPLE_BATCH)]
    pub batch: usize,
    /// Print `PROGRESS done total` lines on stdout instead of drawing a bar (for `bench`).
    #[arg(long, hide = true)]
    pub progress_lines: bool,
}

/// Runs `spdz2k prep`.
pub fn run(a: PrepArgs) -> Result<(), CliError> {
    let config = NodeConfig::load(&a.config)?;
    super::runtime()?
        .block_on(async move { crate::with_params!(config.params, prep_with(a, config)) })
}

/// What one party did.
struct Done {
    path: PathBuf,
    key_set: String,
    bytes: u64,
    ot_bytes: u64,
    secs: f64,
}

async fn prep_with<P: HasCheckRing>(a: PrepArgs, config: NodeConfig) -> Result<(), CliError> {
    let me = config.party_index().ok_or_else(|| {
        CliError::Usage(format!(
            "{} is a client config; `spdz2k prep` runs on the parties",
            config.path.display()
        ))
    })?;
    let n = config.parties.len();
    let input_masks = if a.input_masks.is_empty() {
        vec![0; n]
    } else {
        a.input_masks.clone()
    };
    if input_masks.len() != n || a.batch == 0 {
        return Err(CliError::Usage(format!(
            "--input-masks lists {} counts for {n} parties (give one per party, e.g. {}); \
             --batch {} (must be at least 1)",
            input_masks.len(),
            vec!["10"; n].join(","),
            a.batch
        )));
    }
    let counts = a.counts.with_input_masks(input_masks);
    let path = a.out.clone().unwrap_or_else(|| party_file_name(me).into());
    if path.exists() {
        return Err(PrepError::AlreadyExists { path }.into());
    }
    let node = Node::start(config.clone()).await?;
    let spec = SessionSpec::new(a.session.clone(), P::id(), n, "prep");
    let mut t = node.open_session(spec).await?;
    let abort = t.abort_handle();
    println!(
        "P{me}: session {} open over mutual TLS 1.3; generating {} triples, {} randoms, {} open \
         masks, input masks {:?} securely (OT-based SPDZ2k offline phase, {})",
        a.session,
        counts.triples,
        counts.randoms,
        counts.open_masks,
        counts.input_masks,
        P::NAME
    );
    let result = match generate_file::<P>(&mut t, &counts, &path, &a).await {
        Ok(done) => t.close().await.map(|()| done).map_err(CliError::from),
        Err(e) => Err(e),
    };
    match &result {
        Ok(d) => {
            let per = |x: u64| x as f64 / counts.triples.max(1) as f64;
            println!(
                "P{me}: wrote {} (securely generated, key set {}): {} triples, {} randoms, {} \
                 open masks, input masks {:?}",
                d.path.display(),
                d.key_set,
                counts.triples,
                counts.randoms,
                counts.open_masks,
                counts.input_masks
            );
            println!(
                "P{me}: sent {} bytes ({} of them OT extension) in {:.2} s: {:.0} triples/s, \
                 {:.0} bytes per triple",
                d.bytes,
                d.ot_bytes,
                d.secs,
                counts.triples as f64 / d.secs,
                per(d.bytes)
            );
            let rss = peak_rss_kib();
            println!(
                "P{me}: peak RSS {}",
                rss.map_or("n/a".into(), |kib| format!(
                    "{:.1} MiB",
                    kib as f64 / 1024.0
                ))
            );
            println!(
                "BENCH party={me} kind=offline count={} seconds={:.6} bytes_sent={} ot_bytes={} \
                 peak_rss_kib={}",
                counts.triples,
                d.secs,
                d.bytes,
                d.ot_bytes,
                rss.map_or("n/a".into(), |kib| kib.to_string())
            );
        }
        Err(e) => abort.abort(e.abort_kind(), &e.to_string()),
    }
    drop(t);
    node.shutdown().await;
    result.map(|_| ())
}

async fn generate_file<P: HasCheckRing>(
    t: &mut TlsSession,
    counts: &PrepCounts,
    path: &std::path::Path,
    a: &PrepArgs,
) -> Result<Done, CliError> {
    let (me, n) = (t.party(), t.n_parties());
    let (before, start) = (t.stats().bytes_sent, Instant::now());
    let mut off = SecureOffline::<P>::setup(t, DEFAULT_VARIANT).await?;
    let keys = off.key_set();
    let key_set = keys.id().to_string();
    let mut w = PrepFileWriter::<P>::create(path, me, n, counts, keys.id(), &keys.mac_key_share())?;
    let plan = plan(counts, a.batch);
    let total = plan.len();
    let mut done = 0;
    let mut progress = Progress::new(a.progress_lines, format!("P{me} offline phase"));
    progress.update(0, total);
    for group in plan.chunks(IN_FLIGHT) {
        let kinds: Vec<_> = group.iter().map(|(_, k)| *k).collect();
        let mats = off.run(t, &kinds).await?;
        for ((kind, _), m) in group.iter().zip(mats) {
            match (*kind, m) {
                (PrepKind::Triples, Material::Triples(x)) => w.triples(&x)?,
                (k @ (PrepKind::Randoms | PrepKind::OpenMasks), Material::Randoms(r)) => {
                    w.randoms(k, &r)?
                }
                (PrepKind::InputMasks { .. }, Material::InputMasks { owner, masks }) => {
                    w.input_masks(owner, &masks)?
                }
                _ => {
                    return Err(CliError::Usage(
                        "internal: a batch returned material of another kind".into(),
                    ));
                }
            }
        }
        done += group.len();
        progress.update(done, total);
    }
    let path = w.finish()?;
    Ok(Done {
        path,
        key_set,
        bytes: t.stats().bytes_sent - before,
        ot_bytes: off.ot_bytes_sent(),
        secs: start.elapsed().as_secs_f64(),
    })
}

/// This process's peak resident set size in KiB (`VmHWM` in `/proc/self/status`); `None`
/// where there is no such file (not Linux) or it cannot be read.
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find_map(|l| l.strip_prefix("VmHWM:"))?;
    line.trim().strip_suffix("kB")?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn peak_rss_is_read_on_linux() {
        let rss = super::peak_rss_kib();
        if cfg!(target_os = "linux") {
            // This test process holds more than a megabyte at its peak.
            assert!(rss.is_some_and(|kib| kib > 1024), "{rss:?}");
        }
    }
}
