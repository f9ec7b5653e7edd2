//! The `spdz2k` binary's channel commands end to end: setup, check (failing and passing,
//! against real nodes on loopback), config errors, renew-cert.

use std::path::Path;
use std::process::Output;

mod common;
use common::{run, text};

/// A two-party, one-client deployment on the default ports, with a 2 s timeout.
fn setup(dir: &Path, extra: &[&str]) -> Output {
    common::setup(dir, 2, 1, &[&["--timeout-secs", "2"], extra].concat())
}

#[test]
fn setup_prints_fingerprints_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let o = setup(dir.path(), &[]);
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    for name in ["P0", "P1", "C0"] {
        let cfg = spdz2k_pki::NodeConfig::load(&dir.path().join(name).join("node.toml")).unwrap();
        let fp = cfg.load_identity().unwrap().public_key.fingerprint();
        assert!(t.contains(&fp), "{name} {fp} not in {t}");
    }
    assert!(t.contains("127.0.0.1:7101"), "{t}");
    let o = setup(dir.path(), &[]);
    assert!(!o.status.success());
    assert!(text(&o).contains("--force"), "{}", text(&o));
    assert!(setup(dir.path(), &["--force"]).status.success());
}

#[test]
fn check_fails_for_an_unreachable_peer_and_names_config_errors() {
    let dir = tempfile::tempdir().unwrap();
    assert!(setup(dir.path(), &["--base-port", "1"]).status.success());
    let cfg = dir.path().join("P0/node.toml");
    let o = run(&["check", "--config", cfg.to_str().unwrap()]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains("ok   key"), "{t}");
    assert!(t.contains("ok   certificate"), "{t}");
    assert!(t.contains("FAIL P1") && t.contains("127.0.0.1:2"), "{t}");

    let broken = std::fs::read_to_string(&cfg)
        .unwrap()
        .replace("k = 64", "k = 65");
    std::fs::write(&cfg, broken).unwrap();
    let o = run(&["check", "--config", cfg.to_str().unwrap()]);
    let t = text(&o);
    // A config that cannot be loaded: the check could not run (docs: exit status 2).
    assert_eq!(o.status.code(), Some(2), "{t}");
    assert!(
        t.contains("node.toml:") && t.contains("field params") && t.contains("(65, 64)"),
        "{t}"
    );
}

#[test]
fn check_passes_when_every_peer_answers() {
    let dir = tempfile::tempdir().unwrap();
    assert!(setup(dir.path(), &[]).status.success());
    let rt = tokio::runtime::Runtime::new().unwrap();
    // Real ports: bind first, then write them into both party configs.
    let listeners: Vec<_> = (0..2)
        .map(|_| {
            rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
                .unwrap()
        })
        .collect();
    let addrs: Vec<_> = listeners.iter().map(|l| l.local_addr().unwrap()).collect();
    let mut configs = vec![];
    for name in ["P0", "P1", "C0"] {
        let path = dir.path().join(name).join("node.toml");
        let mut cfg = spdz2k_pki::NodeConfig::load(&path).unwrap();
        if let Some(i) = cfg.party_index() {
            cfg.listen = Some(addrs[i]);
        }
        for p in cfg.parties.iter_mut() {
            p.address = addrs[p.index].to_string();
        }
        std::fs::write(&path, cfg.to_toml()).unwrap();
        configs.push(cfg);
    }
    let mut listeners = listeners.into_iter();
    let _p0 = rt
        .block_on(spdz2k_net::Node::start_with_listener(
            configs[0].clone(),
            listeners.next().unwrap(),
        ))
        .unwrap();
    let _p1 = rt
        .block_on(spdz2k_net::Node::start_with_listener(
            configs[1].clone(),
            listeners.next().unwrap(),
        ))
        .unwrap();
    for name in ["P0", "P1", "C0"] {
        let cfg = dir.path().join(name).join("node.toml");
        let o = run(&["check", "--config", cfg.to_str().unwrap()]);
        let t = text(&o);
        assert!(o.status.success(), "{name}: {t}");
        assert!(t.contains("rtt"), "{t}");
    }
}

#[test]
fn renew_cert_keeps_the_key() {
    let dir = tempfile::tempdir().unwrap();
    assert!(setup(dir.path(), &[]).status.success());
    let cfg = dir.path().join("P1/node.toml");
    let before = spdz2k_pki::NodeConfig::load(&cfg)
        .unwrap()
        .load_identity()
        .unwrap();
    let o = run(&[
        "renew-cert",
        "--config",
        cfg.to_str().unwrap(),
        "--validity-days",
        "40",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let after = spdz2k_pki::NodeConfig::load(&cfg)
        .unwrap()
        .load_identity()
        .unwrap();
    assert_eq!(before.public_key, after.public_key);
    assert_ne!(before.cert_der, after.cert_der);
    assert!(text(&o).contains(&before.public_key.fingerprint()));
}

#[test]
fn expired_certificates_are_never_written() {
    let dir = tempfile::tempdir().unwrap();
    let o = setup(dir.path(), &["--validity-days", "0"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("not valid now"), "{}", text(&o));
    assert!(!dir.path().join("P0").exists(), "setup wrote files anyway");

    assert!(setup(dir.path(), &[]).status.success());
    let cfg = dir.path().join("P0/node.toml");
    let cert = dir.path().join("P0/cert.pem");
    let before = std::fs::read(&cert).unwrap();
    let o = run(&[
        "renew-cert",
        "--config",
        cfg.to_str().unwrap(),
        "--validity-days",
        "0",
    ]);
    assert!(!o.status.success());
    assert!(
        text(&o).contains("refusing to write a certificate for P0"),
        "{}",
        text(&o)
    );
    assert_eq!(
        std::fs::read(&cert).unwrap(),
        before,
        "the certificate changed"
    );
}

#[cfg(unix)]
#[test]
fn a_key_file_readable_by_others_is_refused_with_the_chmod_fix() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    assert!(setup(dir.path(), &[]).status.success());
    let key = dir.path().join("P0/key.pem");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let cfg = dir.path().join("P0/node.toml");
    let o = run(&[
        "party",
        "--config",
        cfg.to_str().unwrap(),
        "--session",
        "s1",
        "--program",
        "sum",
        "--input",
        "1",
        "--insecure-dealer-seed",
        &"00".repeat(32),
        "--allow-insecure-preprocessing",
    ]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains(&format!("chmod 600 {}", key.display())), "{t}");
    let o = run(&["check", "--config", cfg.to_str().unwrap()]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains("FAIL key") && t.contains("chmod 600"), "{t}");
}
