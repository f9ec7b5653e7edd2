//! Running one node of a deployment: a party (`spdz2k party`) or a client (`spdz2k client`).
//!
//! Each prints a short transcript on stdout, one fact a line, so that `spdz2k demo` can show
//! what happened in every process. Lines starting with `BENCH ` carry measurements as
//! `key=value` pairs for `spdz2k bench`.

use crate::CliError;
use crate::program::{Program, RunShape};
use crate::secure_prep::{Generate, MakePrep, Ready};
use crate::usage::Usage;
use crate::values::{OutputSpec, ResultInfo, write_result};
use spdz2k::{
    ClientPort, EngineError, FileStore, InsecureDealerSource, Node, NodeConfig, Params, Party,
    PrepCounts, Preprocessing, Secret, Session, SessionAbort, SessionId, SessionSpec, TlsSession,
};
use spdz2k_pki::Route;
use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

pub use crate::client_run::{ClientRun, run_client};

static TRANSCRIPT_TO_STDERR: AtomicBool = AtomicBool::new(false);

/// Sends the transcript to stderr (`true`), for a node whose stdout carries a JSON or binary
/// result.
pub fn transcript_to_stderr(on: bool) {
    TRANSCRIPT_TO_STDERR.store(on, Ordering::Relaxed);
}

/// Prints one transcript line (use the `say!` macro).
pub fn say_line(line: fmt::Arguments<'_>) {
    if TRANSCRIPT_TO_STDERR.load(Ordering::Relaxed) {
        eprintln!("{line}");
    } else {
        println!("{line}");
    }
}

/// Values for a transcript line: all of them up to 10, else the first 5 and the count.
pub fn show_values(v: &[i128]) -> String {
    if v.len() <= 10 {
        return format!("{v:?}");
    }
    format!(
        "{:?} ... ({} values; --output-file writes them all)",
        &v[..5],
        v.len()
    )
}

/// Where a party's preprocessing comes from.
#[derive(Clone, Debug)]
pub enum PrepChoice {
    /// INSECURE: every party derives its shares from this shared seed (tests and demos).
    InsecureSeed([u8; 32]),
    /// A file from `spdz2k prep` (secure) or `spdz2k deal-insecure`.
    File(PathBuf),
    /// Generated securely inside the session, before the online phase, by the OT-based
    /// SPDZ2k offline phase over the session's own TLS transport (the default).
    Generate,
}

/// Everything `spdz2k party` needs.
#[derive(Clone, Debug)]
pub struct PartyRun {
    /// The node's config.
    pub config: NodeConfig,
    /// The session every node was given.
    pub session: SessionId,
    /// The program to run.
    pub program: Program,
    /// This party's input values.
    pub inputs: Vec<i128>,
    /// Preprocessing source.
    pub prep: PrepChoice,
    /// The client to deliver to (default: the config's first client, if it lists one).
    pub client: Option<String>,
    /// Open the result to the parties even though the config lists a client.
    pub no_client: bool,
    /// Where the result goes when the parties open it (no client).
    pub output: OutputSpec,
    /// Alter every forwarded envelope (demo of the client rejecting a cheating proxy).
    pub tamper_forward: bool,
    /// For `mul-bench`: multiplications to run.
    pub bench_count: usize,
    /// For `mul-bench`: outputs to deliver to the client.
    pub bench_outputs: usize,
    /// For `mul-bench`: products per pipelined sub-batch (the engine's default if `None`).
    pub bench_sub_batch: Option<usize>,
}

fn party_index(config: &NodeConfig) -> Result<usize, CliError> {
    config.party_index().ok_or_else(|| {
        CliError::Usage(format!(
            "{} is a client config; run `spdz2k client --config {}` instead",
            config.path.display(),
            config.path.display()
        ))
    })
}

/// Runs one party to the end of the program; dispatches on the config's parameters.
pub async fn run_party(run: PartyRun) -> Result<(), CliError> {
    crate::with_params!(run.config.params, run_party_with(run))
}

async fn run_party_with<P: spdz2k_ring::HasCheckRing>(run: PartyRun) -> Result<(), CliError> {
    let me = party_index(&run.config)?;
    let n = run.config.parties.len();
    match &run.prep {
        PrepChoice::InsecureSeed(seed) => {
            let prep = InsecureDealerSource::<P>::new(me, n, *seed)?;
            say!("preprocessing: INSECURE dealer from a shared seed (for tests and demos only)");
            run_party_prep::<P, _>(run, Ready(prep)).await
        }
        PrepChoice::Generate => {
            say!(
                "preprocessing: generated securely in this session (OT-based SPDZ2k offline phase)"
            );
            run_party_prep::<P, _>(run, Generate).await
        }
        PrepChoice::File(path) => {
            let prep = FileStore::<P>::open(path, me, n)?;
            say!(
                "preprocessing: file {} ({} triples left)",
                path.display(),
                prep.available().triples
            );
            run_party_prep::<P, _>(run, Ready(prep)).await
        }
    }
}

async fn run_party_prep<P: Params, M: MakePrep<P>>(run: PartyRun, prep: M) -> Result<(), CliError> {
    let identity = run.config.load_identity()?;
    let node = Node::start(run.config.clone()).await?;
    fault_point("connect");
    // Handles to tell the peers and the client why this party stops, whatever fails. The
    // session and the client port live out here, so that the abort goes out before they
    // are dropped (dropping them closes the session without a cause).
    let mut aborts = Vec::new();
    let mut session = None;
    let mut port = None;
    let result = party_session(
        &run,
        prep,
        &node,
        &identity,
        &mut aborts,
        &mut session,
        &mut port,
    )
    .await;
    let result = match result {
        Ok(()) => match session.take() {
            Some(s) => finish(s).await,
            None => Ok(()),
        },
        Err(e) => Err(e),
    };
    if let Err(e) = &result {
        let (kind, line) = (e.abort_kind(), e.to_string());
        for a in &aborts {
            a.abort(kind, &line);
        }
        // A client that connected before this party failed learns the cause too.
        node.abort_waiting_clients(&run.session, kind, &line);
    }
    drop(session);
    drop(port);
    // Queued frames (the closing handshake's, or the abort) go out before the connections
    // close, and the peers' close_notify is awaited: nothing is cut off.
    node.shutdown().await;
    result
}

/// The final MAC check and the closing handshake with every peer.
async fn finish<P: Params, Pr: Preprocessing<P>>(
    s: Session<P, TlsSession, Pr>,
) -> Result<(), CliError> {
    let me = s.party();
    let report = s.finish().await?;
    say!(
        "P{me}: finished: {} passed over {}; sent {} bytes, received {} bytes, {}; {} discarded at start; every peer confirmed the end of the session",
        plural(report.checks, "MAC check"),
        plural(report.values_checked, "opened value"),
        report.bytes_sent,
        report.bytes_received,
        plural(report.rounds, "round"),
        plural(report.prep_discarded, "preprocessing item"),
    );
    Ok(())
}

/// `1 round`, `2 rounds`: a count and its noun, singular or plural.
pub fn plural(n: impl Into<u64>, noun: &str) -> String {
    match n.into() {
        1 => format!("1 {noun}"),
        n => format!("{n} {noun}s"),
    }
}

#[allow(clippy::too_many_arguments)]
async fn party_session<P: Params, M: MakePrep<P>>(
    run: &PartyRun,
    prep: M,
    node: &Node,
    identity: &spdz2k_pki::NodeIdentity,
    aborts: &mut Vec<SessionAbort>,
    session: &mut Option<Session<P, TlsSession, M::Store>>,
    port_slot: &mut Option<Port>,
) -> Result<(), CliError> {
    let (me, n) = (party_index(&run.config)?, run.config.parties.len());
    let spec = SessionSpec::new(run.session.clone(), P::id(), n, run.program.name());
    let mut transport = node.open_session(spec).await?;
    aborts.push(transport.abort_handle());
    let peers: Vec<String> = (0..n)
        .filter(|&p| p != me)
        .map(|p| format!("P{p}"))
        .collect();
    say!(
        "P{me}: session {} open with {} over mutual TLS 1.3 (keys pinned, metadata agreed: {}, program {})",
        run.session,
        peers.join(", "),
        P::NAME,
        run.program
    );
    // Every program delivers to the client when the config lists one (the first, unless
    // named), so that a client started for any program gets its result.
    let client = match (&run.client, run.no_client) {
        (Some(name), _) => Some(name.clone()),
        (None, true) => None,
        (None, false) => run.config.clients.first().map(|c| c.name.clone()),
    };
    let needs = run.program.needs(RunShape {
        n_parties: n,
        len: run.inputs.len(),
        client: client.is_some(),
        bench_count: run.bench_count,
        bench_outputs: run.bench_outputs,
    });
    // Generating takes longer than a client waits unclaimed: take its direct connection
    // first (it then waits, hearing heartbeats, until this party registers it).
    let route = |name: &str| run.config.client(name).map(|c| c.route);
    let mut early_channel = match &client {
        Some(name)
            if matches!(run.prep, PrepChoice::Generate) && route(name) == Some(Route::Direct) =>
        {
            let ch = node.client_channel(&run.session, name).await?;
            aborts.push(ch.abort_handle());
            Some(ch)
        }
        _ => None,
    };
    let prep = prep.make(&mut transport, &needs).await?;
    let s = session.insert(Party::new(prep).join(transport)?);
    // Before any client or input: the parties agree that their preprocessing belongs
    // together, skip to the furthest cursor and check that everyone has enough for the run.
    let discarded = match s.agree(&needs).await {
        Ok(discarded) => discarded,
        // The caller tells the peers why and drains what was queued (our fingerprint), so
        // that every peer can also name the refusal itself.
        Err(e) => return Err(e.into()),
    };
    say!(
        "P{me}: preprocessing agreed with {} (same deal, parameters and cursors; enough for \
         this run); {} items discarded that an earlier run used or lost",
        peers.join(", "),
        discarded.sum()
    );
    *port_slot = match &client {
        None => None,
        Some(name) => {
            let route = route(name);
            let channel = match (route, early_channel.take()) {
                (_, Some(ch)) => Some(ch),
                (Some(Route::Direct), None) => {
                    let ch = node.client_channel(&run.session, name).await?;
                    aborts.push(ch.abort_handle());
                    Some(ch)
                }
                _ => None,
            };
            let mut port =
                ClientPort::open(s, &run.config, identity.signing_key.clone(), name, channel)
                    .await?;
            if run.tamper_forward {
                say!(
                    "TAMPER: this party will flip one byte of every envelope it forwards to {name}"
                );
                // Entry 0 is this party's own envelope; the rest are forwarded.
                port.set_forward_tamper(Box::new(|batch: &mut Vec<Vec<u8>>| {
                    for env in batch.iter_mut().skip(1) {
                        if let Some(at) = env.len().checked_sub(100) {
                            env[at] ^= 0x01;
                        }
                    }
                }));
            }
            match route {
                Some(Route::Direct) => say!(
                    "P{me}: {name} connected directly; its session key is registered and confirmed to it"
                ),
                Some(Route::Via(p)) => say!(
                    "P{me}: no route to {name}; its registration arrived through P{p} and verified; confirmed to {name} through P{p}"
                ),
                None => {}
            }
            Some((name.clone(), port))
        }
    };
    let port = port_slot.as_mut();
    match run.program {
        Program::Demo => demo(me, s, port, &run.inputs).await?,
        Program::Sum | Program::Product | Program::Dot => {
            vector_program(me, s, port, run, &run.inputs).await?
        }
        Program::MulBench => mul_bench(me, s, port, run).await?,
    }
    // The client first: the parties routed through this one finish only after it has
    // everything (their closing handshake waits for this party's).
    if let Some((_, port)) = port_slot.as_mut() {
        port.close().await?;
    }
    Ok(())
}

/// Test-only fault injection for `scripts/faults.sh`: when the environment variable
/// `SPDZ2K_FAULT_AT` names `phase` (connect, input, multiplication, mac-check, delivery),
/// this process prints `FAULT-POINT <phase> pid=<pid>` and stops itself (SIGSTOP), so that
/// the script can kill it, or leave it stopped, at exactly that phase.
pub(crate) fn fault_point(phase: &str) {
    if std::env::var("SPDZ2K_FAULT_AT").ok().as_deref() != Some(phase) {
        return;
    }
    let pid = std::process::id();
    println!("FAULT-POINT {phase} pid={pid}");
    let _ = std::io::Write::flush(&mut std::io::stdout());
    let _ = std::process::Command::new("kill")
        .args(["-STOP", &pid.to_string()])
        .status();
}

type Port = (String, ClientPort);

fn one_input(inputs: &[i128], me: usize, owner: usize) -> Result<Option<Vec<i128>>, CliError> {
    if me != owner {
        return Ok(None);
    }
    match inputs {
        [v] => Ok(Some(vec![*v])),
        _ => Err(CliError::Usage(format!(
            "P{me} must give exactly one --input for this program"
        ))),
    }
}

async fn demo<P: Params, Pr: Preprocessing<P>>(
    me: usize,
    s: &mut Session<P, TlsSession, Pr>,
    port: Option<&mut Port>,
    inputs: &[i128],
) -> Result<(), CliError> {
    let (name, port) = port
        .ok_or_else(|| CliError::Usage("the demo program needs a client in the config".into()))?;
    let a_in = one_input(inputs, me, 0)?;
    let b_in = one_input(inputs, me, 1)?;
    fault_point("input");
    let a = s.input_signed(0, a_in.as_deref(), 1).await?;
    let b = s.input_signed(1, b_in.as_deref(), 1).await?;
    say!("P{me}: inputs of P0 and P1 secret-shared");
    let c = port.receive_input(s, "c", 1).await?;
    say!("P{me}: input of {name} received, signature verified, digests agree across parties");
    let sum = s.add(&s.add(&a, &b)?, &c)?;
    fault_point("multiplication");
    let ab = s.mul(&a, &b).await?;
    let abc = s.mul(&ab, &c).await?;
    let square = s.mul(&sum, &sum).await?;
    let results = Secret::concat(&[&sum, &abc, &square]);
    fault_point("mac-check");
    s.check().await?;
    fault_point("delivery");
    port.deliver(s, "results", &results).await?;
    say!(
        "P{me}: MAC check passed; sealed, signed results (sum, product, square of sum) sent toward {name}"
    );
    Ok(())
}

async fn vector_program<P: Params, Pr: Preprocessing<P>>(
    me: usize,
    s: &mut Session<P, TlsSession, Pr>,
    port: Option<&mut Port>,
    run: &PartyRun,
    inputs: &[i128],
) -> Result<(), CliError> {
    let program = run.program;
    if inputs.is_empty() {
        return Err(CliError::Usage(format!(
            "P{me}: give this party's vector with --input V[,V...] or --input-file FILE"
        )));
    }
    let len = inputs.len();
    let owners: Vec<usize> = if program == Program::Dot {
        vec![0, 1]
    } else {
        (0..s.n_parties()).collect()
    };
    let mut vectors = Vec::new();
    for &owner in &owners {
        vectors.push(
            s.input_signed(owner, (owner == me).then_some(inputs), len)
                .await?,
        );
    }
    let mut acc = vectors[0].clone();
    for v in &vectors[1..] {
        acc = match program {
            Program::Sum => s.add(&acc, v)?,
            Program::Product => s.mul(&acc, v).await?,
            _ => s.dot(&acc, v).await?,
        };
    }
    match port {
        Some((name, port)) => {
            port.deliver(s, "result", &acc).await?;
            say!("P{me}: {program} of {len} values delivered toward {name}");
        }
        None => {
            let out = s.open_signed(&acc).await?;
            say!("P{me}: {program} (MAC-checked) = {}", show_values(&out));
            if run.output.is_set() {
                let info = ResultInfo {
                    node: &run.config.name,
                    session: run.session.to_string(),
                    program: program.name(),
                    params: P::id().to_string(),
                    count: out.len(),
                    values: &out,
                };
                if let Some(line) = write_result(&run.output, &info)? {
                    say!("P{me}: {line}");
                }
            }
        }
    }
    Ok(())
}

async fn mul_bench<P: Params, Pr: Preprocessing<P>>(
    me: usize,
    s: &mut Session<P, TlsSession, Pr>,
    port: Option<&mut Port>,
    run: &PartyRun,
) -> Result<(), CliError> {
    let (count, outputs) = (run.bench_count, run.bench_outputs);
    if let Some(products) = run.bench_sub_batch {
        s.set_sub_batch(products);
    }
    let x = s.constant(&vec![P::from_i128(3); count]);
    let y = s.constant(&vec![P::from_i128(-5); count]);
    // Everything the timed phases use is dealt or read now: the multiplications, the dot,
    // its opening and the delivery to the client.
    let m = if port.is_some() {
        outputs.min(count)
    } else {
        0
    };
    let mut needs = PrepCounts::zero(s.n_parties());
    needs.triples = (2 * count + m) as u64;
    needs.open_masks = (1 + m) as u64;
    let loading = Instant::now();
    s.preload(&needs).await?;
    println!(
        "BENCH party={me} kind=preload count={} seconds={:.6}",
        needs.triples,
        loading.elapsed().as_secs_f64()
    );
    // Both parties start their timers together.
    s.barrier().await?;
    let before = s.report();
    let usage = Usage::now();
    let start = Instant::now();
    // One call: the engine pipelines its sub-batches over borrowed inputs.
    drop(s.mul(&x, &y).await?);
    println!("PROGRESS 1 1");
    s.check().await?;
    let mul_secs = start.elapsed().as_secs_f64();
    let mul_usage = spent_since(usage);
    let after = s.report();
    println!(
        "BENCH party={me} kind=mul count={count} seconds={mul_secs:.6} bytes_sent={} rounds={}{mul_usage}",
        after.bytes_sent - before.bytes_sent,
        after.rounds - before.rounds
    );
    s.barrier().await?;
    let usage = Usage::now();
    let start = Instant::now();
    let d = s.dot(&x, &y).await?;
    s.check().await?;
    let dot_secs = start.elapsed().as_secs_f64();
    let dot_usage = spent_since(usage);
    let expect = P::from_i128(-15 * count as i128);
    let opened = s.open(&d).await?;
    if P::reduce_k(expect) != opened[0] {
        return Err(EngineError::Usage {
            party: me,
            session: s.session_id().clone(),
            detail: "benchmark dot product came out wrong".into(),
        }
        .into());
    }
    println!("BENCH party={me} kind=dot count={count} seconds={dot_secs:.6}{dot_usage}");
    if let Some((name, port)) = port {
        let m = outputs.min(count);
        let (start, started_us) = (Instant::now(), unix_micros());
        port.deliver(s, "bench", &x.slice(0..m)).await?;
        println!(
            "BENCH party={me} kind=deliver count={m} seconds={:.6} start_us={started_us} client={name}",
            start.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// ` cpu_s=… minflt=…` for a benchmark line: the CPU time (all threads) and minor page
/// faults of this process since `start`, or nothing where they cannot be read.
fn spent_since(start: Option<Usage>) -> String {
    match (start, Usage::now()) {
        (Some(a), Some(b)) => {
            let d = b.since(a);
            format!(" cpu_s={:.6} minflt={}", d.cpu_seconds, d.minor_faults)
        }
        _ => String::new(),
    }
}

/// Microseconds since the Unix epoch (0 if the clock is before it).
pub(crate) fn unix_micros() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros())
}
