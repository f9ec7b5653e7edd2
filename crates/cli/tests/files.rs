//! Inputs and results in files, and the built-in programs' routing to the client, with the
//! parties and the client as separate processes.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

mod common;
use common::*;

const SEED: &str = "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a";

fn deployment(dir: &Path, clients: usize) {
    let o = setup(dir, 2, clients, &["--base-port", &free_base_port()]);
    assert!(o.status.success(), "{}", text(&o));
}

fn cfg(dir: &Path, node: &str) -> String {
    dir.join(node).join("node.toml").display().to_string()
}

fn session() -> String {
    String::from_utf8(run(&["session-id"]).stdout)
        .unwrap()
        .trim()
        .to_string()
}

/// `party` with the insecure seed (the preprocessing is not what these tests are about).
fn party(dir: &Path, p: usize, sid: &str, extra: &[&str]) -> std::process::Child {
    let config = cfg(dir, &format!("P{p}"));
    let mut a = vec![
        "party",
        "--config",
        &config,
        "--session",
        sid,
        "--insecure-dealer-seed",
        SEED,
        "--allow-insecure-preprocessing",
    ];
    a.extend_from_slice(extra);
    spawn(&a)
}

fn client(dir: &Path, sid: &str, extra: &[&str]) -> std::process::Child {
    let config = cfg(dir, "C0");
    let mut a = vec!["client", "--config", &config, "--session", sid];
    a.extend_from_slice(extra);
    spawn(&a)
}

fn all_succeed(children: Vec<std::process::Child>, secs: u64) -> Vec<std::process::Output> {
    let outs: Vec<_> = children
        .into_iter()
        .map(|c| wait(c, Duration::from_secs(secs)))
        .collect();
    for o in &outs {
        assert!(o.status.success(), "{}", text(o));
    }
    outs
}

#[test]
fn dot_of_a_million_values_per_party_from_files_reaches_the_client() {
    const N: i64 = 1_000_000;
    let dir = tempfile::tempdir().unwrap();
    deployment(dir.path(), 1);
    let a = |i: i64| (i % 2001) - 1000;
    let b = |i: i64| i.wrapping_mul(0x9e37_79b9_7f4a_7c15_u64 as i64); // wraps mod 2^64
    // P0's values as text, P1's as little-endian 64-bit words.
    let (fa, fb) = (dir.path().join("a.txt"), dir.path().join("b.bin"));
    let mut w = std::io::BufWriter::new(std::fs::File::create(&fa).unwrap());
    writeln!(w, "# P0's vector, one value a line").unwrap();
    for i in 0..N {
        writeln!(w, "{}", a(i)).unwrap();
    }
    drop(w);
    let mut w = std::io::BufWriter::new(std::fs::File::create(&fb).unwrap());
    for i in 0..N {
        w.write_all(&b(i).to_le_bytes()).unwrap();
    }
    drop(w);
    let expect = (0..N).fold(0i64, |acc, i| acc.wrapping_add(a(i).wrapping_mul(b(i))));
    let sid = session();
    let (fa, fb, json) = (
        fa.display().to_string(),
        fb.display().to_string(),
        dir.path().join("result.json").display().to_string(),
    );
    let p0 = party(
        dir.path(),
        0,
        &sid,
        &["--program", "dot", "--input-file", &fa],
    );
    let p1 = party(
        dir.path(),
        1,
        &sid,
        &[
            "--program",
            "dot",
            "--input-file",
            &fb,
            "--input-format",
            "le64",
        ],
    );
    let c = client(
        dir.path(),
        &sid,
        &["--program", "dot", "--json", "--output-file", &json],
    );
    let outs = all_succeed(vec![p0, p1, c], 300);
    assert!(
        text(&outs[0]).contains("dot of 1000000 values delivered toward C0"),
        "{}",
        text(&outs[0])
    );
    let result = std::fs::read_to_string(&json).unwrap();
    assert!(
        result.contains(&format!(r#""count":1,"values":[{expect}]"#))
            && result.contains(r#""program":"dot""#),
        "expected {expect}: {result}"
    );
}

#[test]
fn every_program_delivers_to_the_configured_client_unless_told_not_to() {
    let dir = tempfile::tempdir().unwrap();
    deployment(dir.path(), 1);
    // No --client: the config's client gets the sum; its JSON on stdout, transcript on stderr.
    let sid = session();
    let p0 = party(
        dir.path(),
        0,
        &sid,
        &["--program", "sum", "--input", "1,-2"],
    );
    let p1 = party(dir.path(), 1, &sid, &["--program", "sum", "--input", "5,7"]);
    let c = client(dir.path(), &sid, &["--program", "sum", "--json"]);
    let outs = all_succeed(vec![p0, p1, c], 60);
    let stdout = String::from_utf8_lossy(&outs[2].stdout).to_string();
    assert!(
        stdout.starts_with('{') && stdout.contains(r#""values":[6,5]"#),
        "{stdout}"
    );
    assert_eq!(
        stdout.lines().count(),
        1,
        "only the JSON on stdout: {stdout}"
    );
    assert!(text(&outs[2]).contains("C0: verified sum: [6, 5]"));

    // --no-client: the parties open it to each other and write it.
    let sid = session();
    let out = dir.path().join("p0.txt");
    let out_arg = out.display().to_string();
    let common = ["--program", "product", "--no-client"];
    let p0 = party(
        dir.path(),
        0,
        &sid,
        &[&common[..], &["--input", "3,-4", "--output-file", &out_arg]].concat(),
    );
    let p1 = party(
        dir.path(),
        1,
        &sid,
        &[&common[..], &["--input", "5,6"]].concat(),
    );
    all_succeed(vec![p0, p1], 60);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "15\n-24\n");
}

#[test]
fn bad_input_files_are_named_with_the_line() {
    let dir = tempfile::tempdir().unwrap();
    deployment(dir.path(), 0);
    let f = dir.path().join("in.txt");
    std::fs::write(&f, "1\n2\nthree\n").unwrap();
    let f = f.display().to_string();
    let o = wait(
        party(
            dir.path(),
            0,
            "s",
            &["--program", "sum", "--input-file", &f],
        ),
        Duration::from_secs(30),
    );
    assert!(!o.status.success());
    let t = text(&o);
    assert!(t.contains("in.txt:3") && t.contains("\"three\""), "{t}");
}

#[test]
fn a_missing_client_is_named_by_the_parties() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_base_port();
    let o = setup(
        dir.path(),
        2,
        1,
        &["--base-port", &port, "--timeout-secs", "2"],
    );
    assert!(o.status.success(), "{}", text(&o));
    // The config lists C0, so `sum` delivers to it; C0 never starts.
    let sid = session();
    let p0 = party(dir.path(), 0, &sid, &["--program", "sum", "--input", "1"]);
    let p1 = party(dir.path(), 1, &sid, &["--program", "sum", "--input", "2"]);
    for o in [p0, p1].map(|c| wait(c, Duration::from_secs(60))) {
        let t = text(&o);
        assert!(!o.status.success(), "{t}");
        let last = t
            .lines()
            .rev()
            .find(|l| l.starts_with("error:"))
            .unwrap_or("");
        assert!(last.contains("waiting for C0"), "{t}");
    }
}
