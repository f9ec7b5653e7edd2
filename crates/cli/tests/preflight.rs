//! `spdz2k check --listen`: every node preflights before the run, as separate processes.

use std::path::Path;
use std::time::Duration;

mod common;
use common::*;

fn deployment(dir: &Path, parties: usize, clients: usize) {
    let port = free_base_port();
    let o = setup(
        dir,
        parties,
        clients,
        &["--base-port", &port, "--timeout-secs", "20"],
    );
    assert!(o.status.success(), "{}", text(&o));
}

fn listen(dir: &Path, node: &str) -> std::process::Child {
    let cfg = dir.join(node).join("node.toml").display().to_string();
    spawn(&["check", "--listen", "--config", &cfg])
}

#[test]
fn every_node_passes_the_preflight_once_all_are_up() {
    let dir = tempfile::tempdir().unwrap();
    deployment(dir.path(), 2, 1);
    // Nothing else listens: the nodes find each other only through their own preflight.
    let children: Vec<_> = ["C0", "P1", "P0"]
        .iter()
        .map(|n| listen(dir.path(), n))
        .collect();
    for (name, child) in ["C0", "P1", "P0"].iter().zip(children) {
        let o = wait(child, Duration::from_secs(60));
        let t = text(&o);
        assert!(o.status.success(), "{name}: {t}");
        assert!(t.contains("preflight passed"), "{name}: {t}");
        assert!(!t.contains("FAIL"), "{name}: {t}");
    }
}

#[test]
fn a_missing_node_fails_the_preflight_and_is_named() {
    let dir = tempfile::tempdir().unwrap();
    deployment(dir.path(), 2, 0);
    // Shorten the wait: P1 never comes.
    let cfg = dir.path().join("P0").join("node.toml");
    let text_cfg = std::fs::read_to_string(&cfg).unwrap();
    let short = text_cfg.replace(
        "connection_timeout_secs = 20",
        "connection_timeout_secs = 2",
    );
    assert_ne!(short, text_cfg, "the config names its timeout");
    std::fs::write(&cfg, short).unwrap();
    let o = wait(listen(dir.path(), "P0"), Duration::from_secs(60));
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains("P1") && !t.contains("preflight passed"), "{t}");
}
