//! Writes the fuzz targets' seed corpora (`fuzz/seeds/<target>/`) from real messages and files
//! made by the engine's own encoders. Run it after a format change and commit the result:
//!
//! ```sh
//! cargo test --test fuzz_seeds -- --ignored
//! ```

use ed25519_dalek::SigningKey;
use spdz2k::layers::client::ClientSession;
use spdz2k::layers::core::commit::{Commitment, Nonce};
use spdz2k::layers::core::{KeySetId, SessionId, WireMsg};
use spdz2k::layers::net::tls::wire::{AbortKind, AbortNotice, ConnHello, Purpose, SessionHello};
use spdz2k::layers::output::{
    ClientId, ClientInput, Delivery, HpkeKeyPair, Label, OutputBundle, RunId, seal_output_bundle,
};
use spdz2k::layers::pki::SetupOptions;
use spdz2k::layers::prep::{
    DealId, PrepCounts, PrepFingerprint, PrepOrigin, PrepPosition, deal_insecure_files,
};
use spdz2k::layers::ring::{K64S64, ParamsId};
use std::path::{Path, PathBuf};

fn seeds(target: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/seeds")
        .join(target);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(target: &str, name: &str, bytes: &[u8]) {
    std::fs::write(seeds(target).join(name), bytes).unwrap();
}

#[test]
#[ignore = "writes fuzz/seeds; run by hand after a format change"]
fn write_fuzz_seeds() {
    let mut rng = spdz2k::layers::core::rng::seeded_rng([3; 32]);
    let sid = SessionId::new("fuzz-seed-session").unwrap();

    // Wire messages of every kind.
    let msgs: Vec<WireMsg<K64S64>> = vec![
        WireMsg::Opening(vec![1, 2, 3]),
        WireMsg::Input(vec![u128::MAX]),
        WireMsg::CoinCommit {
            commitment: Commitment([7; 32]),
            transcript: [9; 32],
        },
        WireMsg::CoinOpen {
            seed: [1; 32],
            nonce: Nonce([2; 32]),
        },
        WireMsg::ZCommit(Commitment([5; 32])),
        WireMsg::ZOpen {
            z: 42,
            nonce: Nonce([4; 32]),
        },
        WireMsg::Digest([6; 32]),
    ];
    for (i, m) in msgs.iter().enumerate() {
        write("core_wire", &format!("msg{i}"), &m.encode());
    }

    // Hellos, and the same bytes framed as the TLS stream carries them.
    let conn = ConnHello {
        version: spdz2k::layers::net::tls::PROTOCOL_VERSION,
        purpose: Purpose::Client,
        from: "C0".into(),
        to: 0,
        session: Some(sid.clone()),
    };
    let hello = SessionHello {
        version: spdz2k::layers::net::tls::PROTOCOL_VERSION,
        params: ParamsId { k: 64, s: 64 },
        parties: vec![0, 1],
        operation: "demo".into(),
    };
    write("net_hello", "conn", &conn.encode());
    write("net_hello", "session", &hello.encode());
    let mut frame = Vec::new();
    let payload = hello.encode();
    frame.extend_from_slice(&((2 + sid.as_str().len() + payload.len()) as u32).to_le_bytes());
    frame.push(1);
    frame.push(sid.as_str().len() as u8);
    frame.extend_from_slice(sid.as_str().as_bytes());
    frame.extend_from_slice(&payload);
    write("net_frame", "frame", &frame);

    // A sealed output envelope, a batch of two, a registration and a client input.
    let identity = SigningKey::from_bytes(&[7; 32]);
    let hpke = HpkeKeyPair::generate(&mut rng);
    let delivery = Delivery {
        session: sid.clone(),
        label: Label::new("results").unwrap(),
        client: ClientId::new("C0").unwrap(),
        sender: 1,
        seq: 0,
    };
    let bundle = OutputBundle::<K64S64> {
        x_hat: vec![1, 2],
        b: vec![3, 4],
        w: vec![3, 8],
    };
    let env = seal_output_bundle(&delivery, &bundle, hpke.public(), &identity, &mut rng).unwrap();
    write("output_envelope", "output", &env);
    write(
        "delivery_batch",
        "two",
        &spdz2k::delivery::encode_batch(&[env.clone(), b"x".to_vec()]),
    );
    let mut client = ClientSession::new(
        sid.clone(),
        ClientId::new("C0").unwrap(),
        identity.clone(),
        vec![identity.verifying_key(); 2],
    );
    let run = RunId([8; 32]);
    write("output_signed", "registration", &client.registration(run));
    let input = ClientInput::new::<K64S64>(
        sid.clone(),
        run,
        ClientId::new("C0").unwrap(),
        Label::new("c").unwrap(),
        0,
        &[5, 6],
    );
    write("output_signed", "input", &input.sign(&identity).unwrap());

    // A deployment's config and certificate.
    let dir = tempfile::tempdir().unwrap();
    let opts = SetupOptions::new(2, 1, &dir.path().join("deploy"));
    spdz2k::layers::pki::setup(&opts).unwrap();
    let p0 = dir.path().join("deploy/P0");
    write(
        "pki_config",
        "p0",
        &std::fs::read(p0.join("node.toml")).unwrap(),
    );
    for entry in std::fs::read_dir(&p0).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        if text.contains("BEGIN CERTIFICATE") {
            let (der, _) = spdz2k::layers::pki::cert::read_cert_file(&path).unwrap();
            write("pki_cert", "p0", &der);
        }
    }

    // A small preprocessing file.
    let counts = PrepCounts {
        triples: 2,
        randoms: 1,
        open_masks: 1,
        input_masks: vec![1, 1],
    };
    let paths = deal_insecure_files::<K64S64>(dir.path(), 2, &counts, [5; 32]).unwrap();
    write("prep_file", "p0", &std::fs::read(&paths[0]).unwrap());

    // A session's abort notice and preprocessing fingerprint.
    let notice = AbortNotice::new(AbortKind::Protocol, "MAC check failed in session s");
    write("net_abort", "protocol", &notice.encode());
    let fingerprint = PrepFingerprint {
        params: ParamsId { k: 64, s: 64 },
        n_parties: 2,
        party: 0,
        key_set: KeySetId([1; 16]),
        position: PrepPosition {
            origin: PrepOrigin::File,
            deal: DealId([2; 16]),
            total: counts.clone(),
            consumed: PrepCounts::uniform(2, 0),
        },
    };
    write("prep_fingerprint", "file", &fingerprint.encode());

    // The state-machine targets read their input as a script of choices in which a zero
    // byte means "honest": all-zero scripts run the protocols honestly end to end, and the
    // first bytes pick the party count, batch kind or OT variant.
    for (target, heads) in [
        ("mac_check", &[&[0u8, 3][..], &[1, 7], &[2, 5]][..]),
        ("client_session", &[&[0u8, 1, 0, 2], &[1, 2, 1, 3]]),
        (
            "ot_protocols",
            &[&[0u8, 0, 0, 4], &[1, 0, 1, 0], &[2, 0, 1, 2]],
        ),
        (
            "offline_party",
            &[&[0u8, 1, 1, 0], &[1, 2, 1, 1], &[0, 3, 0, 2, 1]],
        ),
        ("round_trip", &[&[0u8], &[2], &[3], &[4], &[5], &[6]]),
    ] {
        for (i, head) in heads.iter().enumerate() {
            let mut script = head.to_vec();
            script.resize(512, 0);
            write(target, &format!("honest{i}"), &script);
        }
    }
}
