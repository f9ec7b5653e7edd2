//! Running the `spdz2k` binary as a child process: the helpers every process test uses.
#![allow(dead_code)] // each test binary uses its own subset

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_spdz2k");

/// Waits for a child with a deadline; kills it past the deadline.
pub fn wait(mut child: Child, deadline: Duration) -> Output {
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if start.elapsed() > deadline => {
                let _ = child.kill();
                break;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)), // polling a child, not synchronising
            Err(e) => panic!("waiting for a child: {e}"),
        }
    }
    child.wait_with_output().expect("collect output")
}

/// Starts the binary with `args`, no stdin, output captured.
pub fn spawn(args: &[&str]) -> Child {
    Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn spdz2k")
}

/// Runs the binary to the end (at most 120 s).
pub fn run(args: &[&str]) -> Output {
    wait(spawn(args), Duration::from_secs(120))
}

/// Stdout then stderr, as text.
pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A free pair of loopback ports, for `setup --base-port` when the nodes will run.
pub fn free_base_port() -> String {
    spdz2k_cli::cmd::procs::free_port_pair()
        .expect("free ports")
        .to_string()
}

/// Runs `spdz2k setup --parties <parties> --clients <clients> --out <dir>` followed by
/// `extra` (e.g. `--base-port`, `--timeout-secs`), to the end; the caller checks the result.
pub fn setup(dir: &Path, parties: usize, clients: usize, extra: &[&str]) -> Output {
    let (parties, clients, out) = (
        parties.to_string(),
        clients.to_string(),
        dir.display().to_string(),
    );
    let mut args = vec![
        "setup",
        "--parties",
        &parties,
        "--clients",
        &clients,
        "--out",
        &out,
    ];
    args.extend_from_slice(extra);
    run(&args)
}
