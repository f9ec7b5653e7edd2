//! `spdz2k bench-offline` over real processes: N `spdz2k prep` children over loopback
//! mutual TLS, their figures as text and as JSON.

use std::time::Duration;

mod common;
use common::*;

/// The figures every party must report, in the JSON `bench-offline` writes.
fn check_json(json: &serde_json::Value, parties: usize, triples: u64) {
    assert_eq!(json["params"], "K64S64", "{json}");
    assert_eq!(json["parties"], parties, "{json}");
    assert_eq!(json["triples"], triples, "{json}");
    assert!(json["seconds"].as_f64().is_some_and(|s| s > 0.0), "{json}");
    assert!(
        json["triples_per_s"].as_f64().is_some_and(|r| r > 0.0),
        "{json}"
    );
    let per_party = json["per_party"].as_array().expect("per_party");
    assert_eq!(per_party.len(), parties, "{json}");
    for (i, p) in per_party.iter().enumerate() {
        assert_eq!(p["party"], i, "{json}");
        assert!(p["triples_per_s"].as_f64().is_some_and(|r| r > 0.0), "{p}");
        // Every party sends OT extension, Gilboa and VOLE rows: thousands of bytes a triple.
        assert!(
            p["bytes_per_triple"].as_f64().is_some_and(|b| b > 1000.0),
            "{p}"
        );
        assert!(
            p["bytes_sent"].as_u64().is_some_and(|b| b > 1000 * triples),
            "{p}"
        );
        if cfg!(target_os = "linux") {
            // A process that ran TLS and OT extension holds at least a megabyte.
            assert!(
                p["peak_rss_bytes"].as_u64().is_some_and(|b| b > 1 << 20),
                "{p}"
            );
            assert!(
                json["load_average"]
                    .as_array()
                    .is_some_and(|l| l.len() == 3),
                "{json}"
            );
        }
    }
}

#[test]
fn three_parties_report_their_figures_as_text_and_into_a_json_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("figures.json");
    let o = wait(
        spawn(&[
            "bench-offline",
            "--parties",
            "3",
            "--triples",
            "100",
            "--batch",
            "64",
            "--json",
            &file.display().to_string(),
        ]),
        Duration::from_secs(300),
    );
    assert!(o.status.success(), "{}", text(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("3 parties as separate processes"),
        "{stdout}"
    );
    for p in 0..3 {
        let line = stdout
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("P{p}: 100 triples")))
            .unwrap_or_else(|| panic!("no line for P{p}: {stdout}"));
        assert!(
            line.contains("triples/s") && line.contains("bytes per triple"),
            "{line}"
        );
        if cfg!(target_os = "linux") {
            assert!(line.contains("MiB") && !line.contains("n/a"), "{line}");
        }
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    check_json(&json, 3, 100);
}

#[test]
fn json_alone_goes_to_stdout_and_the_text_to_stderr() {
    let o = wait(
        spawn(&[
            "bench-offline",
            "--triples",
            "20",
            "--batch",
            "16",
            "--json",
        ]),
        Duration::from_secs(300),
    );
    assert!(o.status.success(), "{}", text(&o));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON alone ({e}): {}", text(&o)));
    check_json(&json, 2, 20);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("2 parties as separate processes"),
        "{stderr}"
    );
    assert!(stderr.contains("P1: 20 triples"), "{stderr}");
}

#[test]
fn fewer_than_two_parties_is_a_usage_error() {
    let o = run(&["bench-offline", "--parties", "1", "--triples", "1"]);
    assert!(!o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("--parties"), "{}", text(&o));
}
