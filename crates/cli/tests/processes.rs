//! The CLI as a newcomer runs it: separate processes of the `spdz2k` binary on loopback.

use std::path::Path;
use std::time::Duration;

mod common;
use common::*;

#[test]
fn demo_succeeds_and_prints_the_transcript() {
    let o = run(&["demo"]);
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    for fact in [
        "session:",
        "mutual TLS",
        "registration arrived through P0 and verified",
        "MAC check passed",
        "verified results: sum = 18, product = 210, square of sum = 324",
        "demo succeeded",
        "rounds",
        "bytes",
        // Secure preprocessing, generated in the session; no insecure dealer.
        "preprocessing: generated securely (OT-based SPDZ2k offline phase)",
        "[P0] offline phase done: 7 triples",
        "[P1] offline phase done: 7 triples",
        "[P0] finished: 2 MAC checks passed",
    ] {
        assert!(t.contains(fact), "missing {fact:?} in:\n{t}");
    }
    // A clean transcript: no doubled names, the preprocessing said once.
    assert!(!t.contains("[P0] P0:") && !t.contains("[C0] C0:"), "{t}");
    assert_eq!(t.matches("preprocessing: generated").count(), 1, "{t}");
    assert!(
        !t.contains("INSECURE"),
        "the demo uses no insecure dealer:\n{t}"
    );
}

#[test]
fn demo_with_other_inputs_and_parameters() {
    let o = run(&[
        "demo",
        "--params",
        "K128S64",
        "--a",
        "-3",
        "--b",
        "1000000000000",
        "--c",
        "2",
    ]);
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    assert!(
        t.contains("sum = 999999999999, product = -6000000000000"),
        "{t}"
    );
}

/// The closing line of a demo run: what C0 verified, mod 2^k.
fn closing_line(t: &str) -> &str {
    let line = t.lines().find(|l| l.starts_with("demo succeeded:"));
    line.unwrap_or_else(|| panic!("no closing line in:\n{t}"))
}

#[test]
fn demo_closing_line_is_what_the_client_verified_mod_2k() {
    // a = b = 2^40: a*b*c overflows both rings; c = 5.
    for (params, expect) in [
        // sum = 2^41 + 5; 5 * 2^80 = 0 mod 2^64; (2^41 + 5)^2 = 10 * 2^41 + 25 mod 2^64.
        (
            "K64S64",
            "sum = 2199023255557, product = 0, square of sum = 21990232555545",
        ),
        // 2^40 = 0 mod 2^32: only c remains.
        ("K32S32", "sum = 5, product = 0, square of sum = 25"),
    ] {
        let o = run(&[
            "demo",
            "--params",
            params,
            "--input",
            "1099511627776,1099511627776,5",
        ]);
        let t = text(&o);
        assert!(o.status.success(), "{t}");
        assert!(
            t.contains(&format!("[C0] verified results: {expect}")),
            "{t}"
        );
        let closing = closing_line(&t);
        assert!(
            closing.contains(&format!("C0 verified {expect} (mod 2^")),
            "{t}"
        );
    }
}

#[test]
fn demo_tamper_is_rejected_by_the_client() {
    let o = run(&["demo", "--tamper"]);
    let t = text(&o);
    assert!(!o.status.success(), "tampered demo must fail:\n{t}");
    assert!(t.contains("signature check failed"), "{t}");
    assert!(t.contains("C0 rejected P1's envelope altered by P0"), "{t}");
    assert!(
        !t.contains("verified results"),
        "no result may be shown:\n{t}"
    );
}

fn cfg(dir: &Path, node: &str) -> String {
    dir.join(node).join("node.toml").display().to_string()
}

#[test]
fn setup_then_two_parties_and_a_client_as_processes() {
    let dir = tempfile::tempdir().unwrap();
    let o = setup(dir.path(), 2, 1, &["--base-port", &free_base_port()]);
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    assert!(t.contains("sha256:"), "setup prints fingerprints: {t}");
    let session = String::from_utf8(run(&["session-id"]).stdout)
        .unwrap()
        .trim()
        .to_string();
    assert_eq!(session.len(), 32);
    let seed = "ab".repeat(32);
    let (c0, c1, cc) = (
        cfg(dir.path(), "P0"),
        cfg(dir.path(), "P1"),
        cfg(dir.path(), "C0"),
    );
    let common = |c: &str| {
        vec![
            "--config".to_string(),
            c.to_string(),
            "--session".into(),
            session.clone(),
        ]
    };
    let party = |c: &str, inputs: &[&str]| {
        let mut a = vec!["party".to_string()];
        a.extend(common(c));
        a.extend(
            [
                "--program",
                "sum",
                "--client",
                "C0",
                "--insecure-dealer-seed",
                &seed,
                "--allow-insecure-preprocessing",
            ]
            .map(String::from),
        );
        for i in inputs {
            a.extend(["--input".to_string(), i.to_string()]);
        }
        spawn(&a.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let p0 = party(&c0, &["1", "-2", "3"]);
    let p1 = party(&c1, &["10", "20", "-30"]);
    let mut ca = vec!["client".to_string()];
    ca.extend(common(&cc));
    ca.extend(["--program".to_string(), "sum".to_string()]);
    let client = spawn(&ca.iter().map(String::as_str).collect::<Vec<_>>());
    let (o0, o1, oc) = (
        wait(p0, Duration::from_secs(60)),
        wait(p1, Duration::from_secs(60)),
        wait(client, Duration::from_secs(60)),
    );
    for o in [&o0, &o1, &oc] {
        assert!(o.status.success(), "{}", text(o));
    }
    assert!(
        text(&oc).contains("verified sum: [11, 18, -27]"),
        "{}",
        text(&oc)
    );
    assert!(text(&o0).contains("MAC check"), "{}", text(&o0));
}

#[test]
fn parties_alone_open_the_result_to_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let o = setup(dir.path(), 2, 0, &["--base-port", &free_base_port()]);
    assert!(o.status.success(), "{}", text(&o));
    let session = "two-parties-only";
    let seed = "cd".repeat(32);
    let spawn_party = |node: &str, x: &str| {
        spawn(&[
            "party",
            "--config",
            &cfg(dir.path(), node),
            "--session",
            session,
            "--program",
            "dot",
            "--input",
            x,
            "--input",
            "4",
            "--insecure-dealer-seed",
            &seed,
            "--allow-insecure-preprocessing",
        ])
    };
    let (a, b) = (spawn_party("P0", "3"), spawn_party("P1", "-5"));
    let (oa, ob) = (
        wait(a, Duration::from_secs(60)),
        wait(b, Duration::from_secs(60)),
    );
    for o in [&oa, &ob] {
        assert!(o.status.success(), "{}", text(o));
        assert!(text(o).contains("dot (MAC-checked) = [1]"), "{}", text(o)); // 3*-5 + 4*4
    }
}

#[test]
fn every_subcommand_has_help() {
    for sub in [
        "demo",
        "setup",
        "check",
        "renew-cert",
        "party",
        "client",
        "session-id",
        "deal-insecure",
        "bench",
        "prep",
        "bench-offline",
    ] {
        let o = run(&[sub, "--help"]);
        assert!(o.status.success(), "{sub} --help: {}", text(&o));
        let help = String::from_utf8_lossy(&o.stdout);
        assert!(help.contains("Usage"), "{sub}");
        // An "about" line first, and examples after the flags.
        assert!(
            !help.starts_with("Usage") && help.lines().next().is_some_and(|l| l.len() > 10),
            "{sub} has no about: {help}"
        );
        assert!(help.contains("Example"), "{sub} has no examples: {help}");
    }
    let o = run(&["deal-insecure", "--help"]);
    assert!(text(&o).to_lowercase().contains("insecure"));
}

#[test]
fn failures_exit_non_zero_with_one_clear_line() {
    let o = run(&[
        "party",
        "--config",
        "/nonexistent/node.toml",
        "--session",
        "s1",
        "--program",
        "demo",
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    let lines: Vec<_> = err.lines().collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(
        lines[0].starts_with("error:") && lines[0].contains("/nonexistent/node.toml"),
        "{err}"
    );
    let o = run(&[
        "party",
        "--config",
        "x",
        "--session",
        "bad id!",
        "--program",
        "demo",
    ]);
    assert!(!o.status.success());
    let o = run(&[
        "party",
        "--config",
        "x",
        "--session",
        "s",
        "--program",
        "nope",
    ]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("built-in programs"));
}

#[test]
fn insecure_preprocessing_needs_an_explicit_opt_in() {
    let dir = tempfile::tempdir().unwrap();
    let prep = dir.path().join("prep");
    let prep_s = prep.display().to_string();
    let o = run(&[
        "deal-insecure",
        "--parties",
        "2",
        "--triples",
        "1",
        "--out",
        &prep_s,
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let file = prep.join("prep-P0.spdz2kprep").display().to_string();
    let seed = "ab".repeat(32);
    // The refusal comes before the config is even read.
    let party = |source: [&str; 2]| {
        let mut a = vec![
            "party",
            "--config",
            "/nonexistent/node.toml",
            "--session",
            "s1",
        ];
        a.extend(["--program", "sum"]);
        a.extend(source);
        run(&a)
    };
    for (o, names) in [
        (party(["--prep", &file]), file.as_str()),
        (
            party(["--insecure-dealer-seed", &seed]),
            "--insecure-dealer-seed",
        ),
    ] {
        assert!(!o.status.success());
        let err = String::from_utf8_lossy(&o.stderr);
        let lines: Vec<_> = err.lines().collect();
        assert_eq!(lines.len(), 1, "{err}");
        assert!(
            lines[0].starts_with("error: refusing INSECURE preprocessing")
                && lines[0].contains(names)
                && lines[0].contains("--allow-insecure-preprocessing"),
            "{err}"
        );
    }
    // With the opt-in, the party gets past the check (and fails on the missing config).
    let mut a = vec![
        "party",
        "--config",
        "/nonexistent/node.toml",
        "--session",
        "s1",
    ];
    a.extend([
        "--program",
        "sum",
        "--prep",
        &file,
        "--allow-insecure-preprocessing",
    ]);
    let opted = run(&a);
    assert!(String::from_utf8_lossy(&opted.stderr).contains("/nonexistent/node.toml"));
}

#[test]
fn deal_insecure_files_feed_the_parties() {
    let dir = tempfile::tempdir().unwrap();
    let o = setup(dir.path(), 2, 0, &["--base-port", &free_base_port()]);
    assert!(o.status.success(), "{}", text(&o));
    let prep = dir.path().join("prep");
    let prep_s = prep.display().to_string();
    let o = run(&[
        "deal-insecure",
        "--parties",
        "2",
        "--triples",
        "10",
        "--open-masks",
        "10",
        "--input-masks",
        "10",
        "--out",
        &prep_s,
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("INSECURE"), "{}", text(&o));
    let spawn_party = |i: usize, x: &str| {
        let c = cfg(dir.path(), &format!("P{i}"));
        let f = prep
            .join(format!("prep-P{i}.spdz2kprep"))
            .display()
            .to_string();
        spawn(&[
            "party",
            "--config",
            &c,
            "--session",
            "filed",
            "--program",
            "product",
            "--input",
            x,
            "--prep",
            &f,
            "--allow-insecure-preprocessing",
        ])
    };
    let (a, b) = (spawn_party(0, "6"), spawn_party(1, "-7"));
    for o in [
        wait(a, Duration::from_secs(60)),
        wait(b, Duration::from_secs(60)),
    ] {
        assert!(o.status.success(), "{}", text(&o));
        assert!(
            text(&o).contains("product (MAC-checked) = [-42]"),
            "{}",
            text(&o)
        );
    }
}

/// `spdz2k bench` without the opt-in runs on securely generated material: every party makes
/// what the benchmark consumes with the OT-based offline phase before the timers, and the
/// report says so and shows the offline line.
#[test]
fn bench_generates_its_preprocessing_securely_by_default() {
    let o = run(&[
        "bench",
        "--count",
        "3000",
        "--outputs",
        "100",
        "--proxy-only",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("generated securely"), "{out}");
    assert!(out.contains("offline phase done"), "{out}");
    assert!(out.contains("multiplications: 3000"), "{out}");
    assert!(!out.contains("INSECURE"), "{out}");
}
