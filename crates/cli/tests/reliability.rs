//! Every run ends the same way on every side, with the `spdz2k` binary as separate
//! processes on loopback, while the machine is busy: sequential clean runs where every
//! process must exit 0 every time, a session-ID mismatch named on both sides, and a party
//! stopped in the middle of a session named by the survivors.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

mod common;

const BIN: &str = env!("CARGO_BIN_EXE_spdz2k");

/// A bound on any one process, far above a clean run; hitting it is a failure.
const DEADLINE: Duration = Duration::from_secs(120);

fn spawn(args: &[String], env: &[(&str, &str)]) -> Child {
    let mut c = Command::new(BIN);
    c.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        c.env(k, v);
    }
    c.spawn().expect("spawn spdz2k")
}

/// Waits for a child; kills it past the deadline (its output then shows it was killed).
fn wait(mut child: Child) -> Output {
    let start = Instant::now();
    while child.try_wait().expect("waiting for a child").is_none() {
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(20)); // polling a child, not synchronising
    }
    child.wait_with_output().expect("collect output")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn args(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// A two-party, one-client deployment on free loopback ports with short timeouts.
fn deployment(dir: &Path, timeout: &str, idle: &str) {
    let port = common::free_base_port();
    let o = common::setup(
        dir,
        2,
        1,
        &[
            "--base-port",
            &port,
            "--timeout-secs",
            timeout,
            "--idle-timeout-secs",
            idle,
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
}

fn node_args(dir: &Path, cmd: &str, node: &str, session: &str, program: &str) -> Vec<String> {
    args(&[
        cmd,
        "--config",
        &dir.join(node).join("node.toml").display().to_string(),
        "--session",
        session,
        "--program",
        program,
    ])
}

fn party(dir: &Path, node: &str, session: &str, program: &str, inputs: &[&str]) -> Vec<String> {
    let mut a = node_args(dir, "party", node, session, program);
    a.extend(args(&[
        "--client",
        "C0",
        "--insecure-dealer-seed",
        &"5a".repeat(32),
        "--allow-insecure-preprocessing",
    ]));
    for i in inputs {
        a.extend(args(&["--input", i]));
    }
    a
}

#[test]
fn twenty_sequential_demo_runs_exit_zero_on_every_process() {
    let mut failures = vec![];
    for run in 0..20 {
        // `demo` exits 0 only if P0, P1 and C0 all exited 0 and C0 verified the results.
        let o = wait(spawn(&args(&["demo"]), &[]));
        if !o.status.success() || !text(&o).contains("demo succeeded") {
            failures.push(format!("run {run}: {}\n{}", o.status, text(&o)));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of 20 runs failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn ten_sequential_dot_sessions_exit_zero_on_every_process() {
    let dir = tempfile::tempdir().unwrap();
    deployment(dir.path(), "10", "5");
    let mut failures = vec![];
    for run in 0..10 {
        let session = format!("dot-{run}");
        let children = [
            (
                "P0",
                spawn(
                    &party(dir.path(), "P0", &session, "dot", &["1", "2", "3"]),
                    &[],
                ),
            ),
            (
                "P1",
                spawn(
                    &party(dir.path(), "P1", &session, "dot", &["4", "5", "-6"]),
                    &[],
                ),
            ),
            (
                "C0",
                spawn(&node_args(dir.path(), "client", "C0", &session, "dot"), &[]),
            ),
        ];
        for (name, child) in children {
            let o = wait(child);
            let t = text(&o);
            if !o.status.success() || (name == "C0" && !t.contains("verified dot: [-4]")) {
                failures.push(format!("run {run} {name}: {}\n{t}", o.status));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failed processes:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn different_session_ids_are_named_on_both_sides() {
    let dir = tempfile::tempdir().unwrap();
    deployment(dir.path(), "2", "2");
    let p0 = spawn(&party(dir.path(), "P0", "alpha-id", "sum", &["1"]), &[]);
    let p1 = spawn(&party(dir.path(), "P1", "beta-id", "sum", &["2"]), &[]);
    for (name, o) in [("P0", wait(p0)), ("P1", wait(p1))] {
        let t = text(&o);
        assert!(!o.status.success(), "{name}: {t}");
        let error = t.lines().find(|l| l.starts_with("error:")).unwrap_or("");
        for needle in ["alpha-id", "beta-id", "same session ID"] {
            assert!(error.contains(needle), "{name} misses {needle:?}: {t}");
        }
    }
}

/// P1 stops itself (SIGSTOP) before the MAC check: P0 and the client each end with one
/// line naming the silent party, the phase and the session, within the idle timeout
/// plus one second of the stop (bounded generously here for a busy machine).
#[test]
fn a_stopped_party_is_named_by_every_survivor() {
    let dir = tempfile::tempdir().unwrap();
    deployment(dir.path(), "5", "2");
    let session = "stopped-p1";
    let p0 = spawn(&party(dir.path(), "P0", session, "demo", &["7"]), &[]);
    let mut p1 = spawn(
        &party(dir.path(), "P1", session, "demo", &["6"]),
        &[("SPDZ2K_FAULT_AT", "mac-check")],
    );
    let client = spawn(
        &[
            node_args(dir.path(), "client", "C0", session, "demo"),
            args(&["--input", "5"]),
        ]
        .concat(),
        &[],
    );
    // Read P1's stdout up to the fault point.
    let out = p1.stdout.take().expect("P1 stdout");
    let stopped = BufReader::new(out)
        .lines()
        .map_while(Result::ok)
        .any(|l| l.starts_with("FAULT-POINT mac-check"));
    assert!(stopped, "P1 never reached the fault point");
    let t = Instant::now();
    let (o0, oc) = (wait(p0), wait(client));
    let elapsed = t.elapsed();
    let _ = p1.kill();
    let _ = p1.wait();
    assert!(elapsed < Duration::from_secs(15), "{elapsed:?}");
    let t0 = text(&o0);
    assert_eq!(o0.status.code(), Some(1), "{t0}");
    let line = t0.lines().find(|l| l.starts_with("error:")).unwrap_or("");
    for needle in [
        "P1",
        "stopped-p1",
        "MAC check",
        "stopped or hung",
        "heartbeat",
    ] {
        assert!(line.contains(needle), "P0 misses {needle:?}: {t0}");
    }
    let tc = text(&oc);
    assert_eq!(oc.status.code(), Some(1), "{tc}");
    let line = tc.lines().find(|l| l.starts_with("error:")).unwrap_or("");
    for needle in ["stopped-p1", "P1"] {
        assert!(line.contains(needle), "C0 misses {needle:?}: {tc}");
    }
    assert!(
        !tc.contains("verified results"),
        "an output was released: {tc}"
    );
}
