//! Secure preprocessing over real processes: `spdz2k prep` at both parties writes a file
//! per party, then two `spdz2k party --prep FILE` processes and a client compute on it
//! without any insecure opt-in.

use std::path::Path;
use std::process::Child;
use std::time::Duration;

mod common;
use common::*;

fn cfg(dir: &Path, node: &str) -> String {
    dir.join(node).join("node.toml").display().to_string()
}

#[test]
fn prep_files_from_the_offline_phase_feed_parties_and_a_client() {
    let dir = tempfile::tempdir().unwrap();
    let o = setup(dir.path(), 2, 1, &["--base-port", &free_base_port()]);
    assert!(o.status.success(), "{}", text(&o));
    let file = |i: usize| dir.path().join(format!("P{i}.prep")).display().to_string();

    // Both parties generate: 3 dot-product terms delivered to C0 need 3 + 1 triples, one
    // open mask and 3 input masks each for P0 and P1. Make a few more.
    let preps: Vec<Child> = (0..2)
        .map(|i| {
            spawn(&[
                "prep",
                "--config",
                &cfg(dir.path(), &format!("P{i}")),
                "--session",
                "prep-session",
                "--triples",
                "4100",
                "--open-masks",
                "5",
                "--randoms",
                "2",
                "--input-masks",
                "5,5",
                "--out",
                &file(i),
            ])
        })
        .collect();
    for (i, p) in preps.into_iter().enumerate() {
        let o = wait(p, Duration::from_secs(300));
        let t = text(&o);
        assert!(o.status.success(), "P{i}: {t}");
        assert!(t.contains("securely generated"), "{t}");
        assert!(t.contains("BENCH party="), "{t}");
        assert!(!t.contains("INSECURE"), "{t}");
    }

    let party = |i: usize, xs: &[&str]| {
        let c = cfg(dir.path(), &format!("P{i}"));
        let f = file(i);
        let mut args = vec![
            "party",
            "--config",
            &c,
            "--session",
            "dot-on-file",
            "--program",
            "dot",
            "--client",
            "C0",
            "--prep",
            &f,
        ];
        for x in xs {
            args.extend(["--input", x]);
        }
        spawn(&args)
    };
    let a = party(0, &["1", "2", "3"]);
    let b = party(1, &["4", "5", "-6"]);
    let c = spawn(&[
        "client",
        "--config",
        &cfg(dir.path(), "C0"),
        "--session",
        "dot-on-file",
        "--program",
        "dot",
    ]);
    for (name, o) in [
        ("P0", wait(a, Duration::from_secs(120))),
        ("P1", wait(b, Duration::from_secs(120))),
        ("C0", wait(c, Duration::from_secs(120))),
    ] {
        let t = text(&o);
        assert!(o.status.success(), "{name}: {t}");
        assert!(!t.contains("INSECURE"), "{name}: {t}");
        if name == "C0" {
            assert!(t.contains("verified dot: [-4]"), "{t}");
        } else {
            assert!(t.contains("preprocessing: file"), "{t}");
        }
    }
}
