//! The lock on a preprocessing file dies with a killed process. In its own test binary:
//! spawning a child process briefly duplicates every descriptor the test process has open,
//! so in a binary whose other tests hold locked files the child would hold their locks too
//! until it execs (one of them then saw its own file "locked by" its own pid).

use spdz2k_prep::FileStore;
use spdz2k_ring::K64S64;
use std::path::Path;

mod common;
use common::deal;

/// Not a test on its own: the child process of `lock_dies_with_a_killed_process`. It opens
/// the file named by `SPDZ2K_LOCK_CHILD_FILE`, says so, and waits for stdin to close.
#[test]
#[ignore = "helper process for lock_dies_with_a_killed_process"]
fn lock_holder_child() {
    let Some(path) = std::env::var_os("SPDZ2K_LOCK_CHILD_FILE") else {
        return;
    };
    let _store = FileStore::<K64S64>::open(Path::new(&path), 0, 2).unwrap();
    println!("LOCKED");
    let mut sink = String::new();
    let _ = std::io::Read::read_to_string(&mut std::io::stdin(), &mut sink);
}

#[test]
fn lock_dies_with_a_killed_process() {
    use std::io::BufRead;
    use std::process::{Command, Stdio};
    let (_dir, paths) = deal::<K64S64>(2);
    // SIGKILL runs no destructor in the child; SIGTERM and SIGINT end it by default too.
    for signal in ["-KILL", "-TERM", "-INT"] {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--ignored", "--exact", "lock_holder_child", "--nocapture"])
            .env("SPDZ2K_LOCK_CHILD_FILE", &paths[0])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
        assert!(
            lines.any(|l| l.unwrap().contains("LOCKED")),
            "child locked the file"
        );
        let err = FileStore::<K64S64>::open(&paths[0], 0, 2).unwrap_err();
        assert!(
            err.to_string().contains(&format!("pid {}", child.id())),
            "{err}"
        );
        let killed = Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        assert!(!child.wait().unwrap().success(), "{signal} ended the child");
        FileStore::<K64S64>::open(&paths[0], 0, 2)
            .unwrap_or_else(|e| panic!("the lock died with its process ({signal}): {e}"));
    }
}
