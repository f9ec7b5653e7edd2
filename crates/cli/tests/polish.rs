//! The command line's conventions: exit statuses, one fingerprint format, JSON logs.

use std::time::Duration;

mod common;
use common::*;

#[test]
fn usage_errors_exit_2_like_clap_and_failures_exit_1() {
    // clap's own usage error.
    assert_eq!(run(&["party", "--no-such-flag"]).status.code(), Some(2));
    // One of ours, found after parsing.
    let o = run(&["demo", "--input", "1,2"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("three inputs"), "{}", text(&o));
    // A run that fails (no such config) is not a usage error.
    let o = run(&[
        "party",
        "--config",
        "/nonexistent/node.toml",
        "--session",
        "s1",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
}

/// Every `sha256:` fingerprint in `text`.
fn fingerprints(text: &str) -> Vec<String> {
    text.match_indices("sha256:")
        .map(|(i, _)| {
            text[i..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == ':')
                .collect()
        })
        .collect()
}

#[test]
fn setup_and_check_show_one_fingerprint_format() {
    let dir = tempfile::tempdir().unwrap();
    let o = setup(dir.path(), 2, 1, &["--base-port", "1"]);
    let setup = text(&o);
    assert!(o.status.success(), "{setup}");
    let cfg = dir.path().join("P0").join("node.toml");
    let check = text(&run(&["check", "--config", cfg.to_str().unwrap()]));
    assert!(!setup.contains("SHA256:") && !check.contains("SHA256:"));
    let (in_setup, in_check) = (fingerprints(&setup), fingerprints(&check));
    assert_eq!(in_setup.len(), 3, "{setup}");
    assert!(in_check.len() >= 2, "{check}"); // its own key and C0 (P1 is down)
    for fp in in_setup.iter().chain(&in_check) {
        assert_eq!(fp.len(), "sha256:".len() + 32, "{fp}");
    }
    // The same key shows the same fingerprint in both: P0's own, P1 pinned, C0.
    for fp in &in_check {
        assert!(
            in_setup.contains(fp),
            "{fp} of check not in setup's:\n{setup}\n{check}"
        );
    }
}

#[test]
fn log_format_json_writes_one_object_a_line() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_base_port();
    let o = setup(
        dir.path(),
        2,
        0,
        &["--base-port", &port, "--timeout-secs", "1"],
    );
    assert!(o.status.success(), "{}", text(&o));
    let cfg = dir.path().join("P0").join("node.toml");
    // P1 never comes: the node logs its start (info) and its failure (warn) as JSON.
    let child = spawn(&[
        "-v",
        "--log-format",
        "json",
        "party",
        "--config",
        cfg.to_str().unwrap(),
        "--session",
        "s1",
        "--program",
        "sum",
        "--input",
        "1",
    ]);
    let o = wait(child, Duration::from_secs(60));
    let stderr = String::from_utf8_lossy(&o.stderr);
    let logs: Vec<&str> = stderr
        .lines()
        .filter(|l| !l.starts_with("error:"))
        .collect();
    assert!(!logs.is_empty(), "{stderr}");
    for l in &logs {
        assert!(
            l.starts_with('{') && l.ends_with('}') && l.contains(r#""level":"#),
            "not a JSON log line: {l}"
        );
    }
    assert!(stderr.contains(r#""message":"node started""#), "{stderr}");
}

#[test]
fn bench_json_is_one_object_with_the_figures() {
    let o = run(&[
        "bench",
        "--count",
        "2000",
        "--outputs",
        "100",
        "--proxy-only",
        "--allow-insecure-preprocessing",
        "--json",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.trim_start().starts_with('{') && out.trim_end().ends_with('}'),
        "{out}"
    );
    for key in [
        r#""command": "bench""#,
        r#""count": 2000"#,
        r#""topology": "proxied""#,
        r#""mul_per_second": "#,
        r#""end_to_end_seconds": "#,
    ] {
        assert!(out.contains(key), "{key} missing: {out}");
    }
    assert!(!out.contains("null"), "every figure measured: {out}");
}
