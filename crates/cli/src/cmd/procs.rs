//! Child processes of this same binary, with their output streamed back line by line.

use crate::CliError;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{Duration, Instant};

/// A line printed by a child: (node name, is stderr, text).
pub type Line = (String, bool, String);

/// A running child node.
pub struct Node {
    /// `P0`, `C0`, ...
    pub name: String,
    child: Child,
}

impl std::fmt::Debug for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Node")
            .field("name", &self.name)
            .field("pid", &self.child.id())
            .finish()
    }
}

/// Spawns this binary with `args`, streaming its stdout and stderr into `lines`.
pub fn spawn(name: &str, args: &[String], lines: &Sender<Line>) -> Result<Node, CliError> {
    let exe = std::env::current_exe().map_err(|source| CliError::Io {
        what: "finding the spdz2k executable".into(),
        source,
    })?;
    let mut child = Command::new(exe)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|source| CliError::Io {
            what: format!("starting {name}"),
            source,
        })?;
    for (is_err, pipe) in [
        (
            false,
            child
                .stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
        ),
        (
            true,
            child
                .stderr
                .take()
                .map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
        ),
    ] {
        if let Some(pipe) = pipe {
            let tx = lines.clone();
            let n = name.to_owned();
            std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                    if tx.send((n.clone(), is_err, line)).is_err() {
                        break;
                    }
                }
            });
        }
    }
    Ok(Node {
        name: name.to_owned(),
        child,
    })
}

/// Passes every line to `on_line` until all children exit or `deadline` passes (then the
/// rest are killed). Returns each child's exit status (`None` if it was killed).
pub fn wait_all(
    mut nodes: Vec<Node>,
    lines: Receiver<Line>,
    deadline: Duration,
    mut on_line: impl FnMut(&Line),
) -> Vec<(String, Option<ExitStatus>)> {
    let start = Instant::now();
    let mut done: Vec<Option<Option<ExitStatus>>> = vec![None; nodes.len()];
    loop {
        while let Ok(l) = lines.recv_timeout(Duration::from_millis(20)) {
            on_line(&l);
        }
        for (i, n) in nodes.iter_mut().enumerate() {
            if done[i].is_none()
                && let Ok(Some(status)) = n.child.try_wait()
            {
                done[i] = Some(Some(status));
            }
        }
        if done.iter().all(Option::is_some) {
            break;
        }
        if start.elapsed() > deadline {
            for (i, n) in nodes.iter_mut().enumerate() {
                if done[i].is_none() {
                    let _ = n.child.kill();
                    let _ = n.child.wait();
                    done[i] = Some(None);
                }
            }
            break;
        }
    }
    // Drain what the readers still hold.
    while let Ok(l) = lines.recv_timeout(Duration::from_millis(100)) {
        on_line(&l);
    }
    nodes
        .into_iter()
        .zip(done)
        .map(|(n, d)| (n.name, d.flatten()))
        .collect()
}

/// A port p such that p and p + 1 are free on 127.0.0.1 right now.
pub fn free_port_pair() -> Result<u16, CliError> {
    free_ports(2)
}

/// A port p such that p, p + 1, ..., p + count - 1 are free on 127.0.0.1 right now.
pub fn free_ports(count: usize) -> Result<u16, CliError> {
    for _ in 0..50 {
        let a = TcpListener::bind("127.0.0.1:0").map_err(|source| CliError::Io {
            what: "finding a free port".into(),
            source,
        })?;
        let port = a
            .local_addr()
            .map_err(|source| CliError::Io {
                what: "finding a free port".into(),
                source,
            })?
            .port();
        // Hold every port found free until all of them are.
        let rest: Vec<_> = (1..count)
            .map_while(|i| u16::try_from(usize::from(port) + i).ok())
            .map_while(|p| TcpListener::bind(("127.0.0.1", p)).ok())
            .collect();
        if rest.len() + 1 == count {
            return Ok(port);
        }
    }
    Err(CliError::Failed(format!(
        "could not find {count} consecutive free ports on 127.0.0.1"
    )))
}

/// A fresh channel for child output.
pub fn lines() -> (Sender<Line>, Receiver<Line>) {
    channel()
}

/// A deployment of two parties and one client on free loopback ports in `dir` (what
/// `demo` and `bench` run), with the same connection and idle timeouts as `setup`'s
/// defaults. Returns the nodes' summaries.
pub fn loopback_deployment(
    dir: &Path,
    params: spdz2k::ParamsId,
    direct_clients: bool,
    force: bool,
) -> Result<Vec<spdz2k_pki::NodeSummary>, CliError> {
    let mut opts = spdz2k_pki::SetupOptions::new(2, 1, dir);
    opts.base_port = free_port_pair()?;
    opts.params = params;
    opts.direct_clients = direct_clients;
    opts.force = force;
    Ok(spdz2k_pki::setup(&opts)?)
}

/// A deployment of `n` parties and no client on free loopback ports in `dir` (what
/// `bench-offline` runs), with `setup`'s default timeouts. Returns the nodes' summaries.
pub fn loopback_parties(
    dir: &Path,
    params: spdz2k::ParamsId,
    n: usize,
) -> Result<Vec<spdz2k_pki::NodeSummary>, CliError> {
    let mut opts = spdz2k_pki::SetupOptions::new(n, 0, dir);
    opts.base_port = free_ports(n)?;
    opts.params = params;
    Ok(spdz2k_pki::setup(&opts)?)
}

/// The arguments of node `name` of a deployment in `dir`:
/// `<command> [-v ...] --config DIR/NAME/node.toml --session SID --program PROGRAM`.
pub fn node_args(
    command: &str,
    verbose: u8,
    dir: &Path,
    name: &str,
    session: &spdz2k::SessionId,
    program: &str,
) -> Vec<String> {
    let mut v = vec![command.to_string()];
    v.extend((0..verbose).map(|_| "-v".to_string()));
    v.extend([
        "--config".into(),
        dir.join(name).join("node.toml").display().to_string(),
        "--session".into(),
        session.to_string(),
        "--program".into(),
        program.to_string(),
    ]);
    v
}
