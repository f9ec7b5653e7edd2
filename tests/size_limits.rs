//! Size limits are enforced before allocation, for every decoder that reads bytes from a peer,
//! a client, a file or a user: a header that announces a huge length is refused without
//! allocating it.
//!
//! A counting global allocator records the largest single allocation a decoder asks for on
//! this thread. For the binary formats, every field of a real message is overwritten in turn
//! with huge values (so every length, count and size field is hit without this file knowing
//! the layout), and no decode may allocate more than a small multiple of the message; for
//! files, the announced size (or the file's own size) is huge and the read must stay small.
//! One test per decoder.
// The allocator below is the only unsafe code: it forwards to `System` unchanged.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::Path;

use ed25519_dalek::SigningKey;
use spdz2k::layers::client::ClientSession;
use spdz2k::layers::core::{KeySetId, SessionId, WireMsg};
use spdz2k::layers::net::frame::{MAX_FRAME, read_frame, read_header};
use spdz2k::layers::net::tls::wire::{AbortKind, AbortNotice, ConnHello, Purpose, SessionHello};
use spdz2k::layers::output::{
    ClientId, ClientInput, Delivery, Envelope, HpkeKeyPair, Label, OutputBundle, Registration,
    RunId, seal_output_bundle,
};
use spdz2k::layers::prep::{
    DealId, FileStore, PrepCounts, PrepFingerprint, PrepOrigin, PrepPosition,
};
use spdz2k::layers::ring::{K64S64, ParamsId};

/// Forwards to `System`, noting the largest request of the current thread.
struct Largest;

thread_local! {
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

fn note(size: usize) {
    let _ = LARGEST.try_with(|l| l.set(l.get().max(size)));
}

// SAFETY: every call forwards to `System` with the caller's arguments unchanged.
unsafe impl GlobalAlloc for Largest {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        // SAFETY: forwarded unchanged.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        // SAFETY: forwarded unchanged.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size);
        // SAFETY: forwarded unchanged.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Largest = Largest;

/// Runs `f` and returns its result and the largest allocation it asked for.
fn largest_alloc<T>(f: impl FnOnce() -> T) -> (T, usize) {
    LARGEST.with(|l| l.set(0));
    let out = f();
    (out, LARGEST.with(Cell::get))
}

/// Huge values in every width a length field has (LE and BE alike).
const PATTERNS: &[&[u8]] = &[
    &[0xff; 2],
    &[0xff; 4],
    &[0xff; 8],
    &[0x00, 0x00, 0x00, 0x40],
    &[0x40, 0x00, 0x00, 0x00],
    &[0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40],
    &[0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00],
];

/// Overwrites every position of `valid` with every huge pattern; `decode` (true if it
/// accepted) must never allocate more than `4 * len + 4 KiB`. Returns how many were refused.
fn every_field_huge(name: &str, valid: &[u8], decode: impl Fn(&[u8]) -> bool) -> usize {
    assert!(decode(valid), "{name}: the valid message is refused");
    let budget = 4 * valid.len() + 4096;
    let mut refused = 0;
    for at in 0..valid.len() {
        for p in PATTERNS {
            let mut bytes = valid.to_vec();
            let end = (at + p.len()).min(bytes.len());
            bytes[at..end].copy_from_slice(&p[..end - at]);
            let (accepted, largest) = largest_alloc(|| decode(&bytes));
            assert!(
                largest <= budget,
                "{name}: {largest} bytes allocated for a {}-byte message with {p:02x?} at {at}",
                valid.len()
            );
            refused += usize::from(!accepted);
        }
    }
    assert!(refused > 0, "{name}: nothing was refused");
    refused
}

fn sid() -> SessionId {
    SessionId::new("size-limits").unwrap()
}

#[test]
fn core_wire_messages() {
    let valid = WireMsg::<K64S64>::Opening(vec![1, 2, 3]).encode();
    every_field_huge("WireMsg", &valid, |b| WireMsg::<K64S64>::decode(b).is_ok());
    // A count of 2^61 elements with no body.
    let mut huge = vec![valid[0]];
    huge.extend_from_slice(&(1u64 << 61).to_le_bytes());
    let (r, largest) = largest_alloc(|| WireMsg::<K64S64>::decode(&huge));
    assert!(r.is_err() && largest < 1024, "{largest}");
}

#[test]
fn net_frame_headers() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    // A header announcing 4 GiB (and one just over MAX_FRAME) is refused before any buffer.
    for len in [u32::MAX, MAX_FRAME as u32 + 1] {
        let mut wire = len.to_le_bytes().to_vec();
        wire.extend_from_slice(&[7, 0, 1, 2, 3]);
        let (r, largest) = largest_alloc(|| rt.block_on(read_frame(&mut wire.as_slice())));
        assert!(r.is_err() && largest < 1024, "{len}: {largest}");
        let (r, _) = largest_alloc(|| rt.block_on(read_header(&mut wire.as_slice())));
        assert!(r.is_err());
    }
    // Within the limit, a truncated frame reserves at most the announced MAX_FRAME bytes
    // (peers are authenticated by mutual TLS before any frame is read).
    let mut wire = (MAX_FRAME as u32).to_le_bytes().to_vec();
    wire.extend_from_slice(&[7, 0, 1, 2, 3]);
    let (r, largest) = largest_alloc(|| rt.block_on(read_frame(&mut wire.as_slice())));
    assert!(r.is_err() && largest <= MAX_FRAME, "{largest}");
}

#[test]
fn net_hellos_and_abort_notices() {
    let conn = ConnHello {
        version: 2,
        purpose: Purpose::Client,
        from: "C0".into(),
        to: 1,
        session: Some(sid()),
    };
    every_field_huge("ConnHello", &conn.encode(), |b| {
        ConnHello::decode(b).is_ok()
    });
    let hello = SessionHello {
        version: 2,
        params: ParamsId { k: 64, s: 64 },
        parties: vec![0, 1, 2],
        operation: "demo".into(),
    };
    every_field_huge("SessionHello", &hello.encode(), |b| {
        SessionHello::decode(b).is_ok()
    });
    let notice = AbortNotice::new(AbortKind::Protocol, "MAC check failed");
    every_field_huge("AbortNotice", &notice.encode(), |b| {
        AbortNotice::decode(b).is_ok()
    });
}

/// A sealed envelope, a registration and a client input, as a client and parties send them.
fn signed_messages() -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let mut rng = spdz2k::layers::core::rng::seeded_rng([3; 32]);
    let identity = SigningKey::from_bytes(&[7; 32]);
    let hpke = HpkeKeyPair::generate(&mut rng);
    let delivery = Delivery {
        session: sid(),
        label: Label::new("out").unwrap(),
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
    let mut client = ClientSession::new(
        sid(),
        ClientId::new("C0").unwrap(),
        identity.clone(),
        vec![identity.verifying_key(); 2],
    );
    let run = RunId([8; 32]);
    let reg = client.registration(run);
    let input = ClientInput::new::<K64S64>(
        sid(),
        run,
        ClientId::new("C0").unwrap(),
        Label::new("in").unwrap(),
        0,
        &[5, 6],
    )
    .sign(&identity)
    .unwrap();
    (env, reg, input)
}

#[test]
fn output_envelopes() {
    let (env, _, _) = signed_messages();
    every_field_huge("Envelope", &env, |b| Envelope::parse(b).is_ok());
}

#[test]
fn client_registrations() {
    let (_, reg, _) = signed_messages();
    every_field_huge("Registration", &reg, |b| {
        Registration::decode_unverified(b).is_ok()
    });
}

#[test]
fn client_inputs() {
    let (_, _, input) = signed_messages();
    every_field_huge("ClientInput", &input, |b| {
        ClientInput::decode_unverified(b).is_ok_and(|i| i.values::<K64S64>().is_ok())
    });
}

#[test]
fn client_session_deliveries() {
    // The client reads the envelope header's value count before decrypting: a count of
    // 2^64 - 1 in a delivery must not size anything.
    let (env, _, _) = signed_messages();
    let identity = SigningKey::from_bytes(&[7; 32]);
    let client = std::cell::RefCell::new(ClientSession::new(
        sid(),
        ClientId::new("C0").unwrap(),
        identity.clone(),
        vec![identity.verifying_key(); 2],
    ));
    every_field_huge("client delivery", &env, |b| {
        // One envelope of two is refused after parsing and the signature check; "accepted"
        // here means "parsed", to keep the helper's sanity check.
        let _ = client.borrow_mut().receive_outputs("out", &[b]);
        Envelope::parse(b).is_ok()
    });
}

#[test]
fn delivery_batches() {
    let valid = spdz2k::delivery::encode_batch(&[b"first".to_vec(), b"second".to_vec()]);
    every_field_huge("delivery batch", &valid, |b| {
        spdz2k::delivery::decode_batch(b).is_some()
    });
    // 2^32 - 1 items announced, none present: nothing is reserved for them (this reserved
    // 24 KiB, 1024 slots, whatever the input's length, before the fix).
    let (r, largest) = largest_alloc(|| spdz2k::delivery::decode_batch(&[0xff; 4]));
    assert!(r.is_none() && largest < 64, "{largest}");
}

#[test]
fn prep_fingerprints() {
    let f = PrepFingerprint {
        params: ParamsId { k: 64, s: 64 },
        n_parties: 3,
        party: 1,
        key_set: KeySetId([3; 16]),
        position: PrepPosition {
            origin: PrepOrigin::File,
            deal: DealId([4; 16]),
            total: PrepCounts::uniform(3, 10),
            consumed: PrepCounts::uniform(3, 1),
        },
    };
    every_field_huge("PrepFingerprint", &f.encode(), |b| {
        PrepFingerprint::decode(b).is_ok()
    });
}

/// Rewrites a preprocessing file's header line `key: value` and its checksum.
fn rewrite_header(file: &Path, key: &str, value: &str) {
    use sha2::{Digest, Sha256};
    let bytes = std::fs::read(file).unwrap();
    let marker = b"\nheader-sha256: ";
    let body_end = bytes
        .windows(marker.len())
        .position(|w| w == marker)
        .unwrap()
        + 1;
    let header_end = body_end + marker.len() - 1 + 64 + 1;
    let body = std::str::from_utf8(&bytes[..body_end]).unwrap();
    let prefix = format!("{key}: ");
    let body: String = body
        .lines()
        .map(|l| {
            if l.starts_with(&prefix) {
                format!("{prefix}{value}\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    let mut out = body.clone().into_bytes();
    out.extend_from_slice(b"header-sha256: ");
    out.extend_from_slice(hex::encode(Sha256::digest(body.as_bytes())).as_bytes());
    out.push(b'\n');
    out.extend_from_slice(&bytes[header_end..]);
    std::fs::write(file, out).unwrap();
}

#[test]
fn prep_files() {
    let dir = tempfile::tempdir().unwrap();
    let counts = PrepCounts {
        triples: 2,
        randoms: 1,
        open_masks: 1,
        input_masks: vec![1, 1],
    };
    let paths =
        spdz2k::layers::prep::deal_insecure_files::<K64S64>(dir.path(), 2, &counts, [5; 32])
            .unwrap();
    let path = &paths[0];
    let (r, _) = largest_alloc(|| FileStore::<K64S64>::open(path, 0, 2));
    assert!(r.is_ok(), "the valid file is refused");
    // A header (with a correct checksum) announcing 2^40 triples, 2^62 randoms, 1024 owners.
    for (key, value) in [
        ("triples", "1099511627776"),
        ("randoms", "4611686018427387904"),
        ("open-masks", "18446744073709551615"),
        ("parties", "1024"),
    ] {
        let copy = dir.path().join(format!("huge-{key}.prep"));
        std::fs::copy(path, &copy).unwrap();
        rewrite_header(&copy, key, value);
        let (r, largest) = largest_alloc(|| FileStore::<K64S64>::open(&copy, 0, 2));
        assert!(r.is_err(), "{key}: {value} accepted");
        assert!(largest <= 256 << 10, "{key}: {largest} bytes allocated");
    }
    // A "header" that never ends: 64 MiB without a checksum line (sparse, so cheap).
    let endless = dir.path().join("endless.prep");
    let f = std::fs::File::create(&endless).unwrap();
    f.set_len(64 << 20).unwrap();
    let (r, largest) = largest_alloc(|| spdz2k::layers::prep::read_header(&endless));
    assert!(r.is_err() && largest <= 256 << 10, "{largest}");
}

/// A sparse file of 64 MiB, `mode` 0600, that starts with `head`.
fn huge_file(dir: &Path, name: &str, head: &[u8]) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, head).unwrap();
    let f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    f.set_len(64 << 20).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    path
}

#[test]
fn pki_config_files() {
    use spdz2k::layers::pki::{MAX_CONFIG_BYTES, NodeConfig};
    let dir = tempfile::tempdir().unwrap();
    let path = huge_file(dir.path(), "node.toml", b"# a config\n");
    let (r, largest) = largest_alloc(|| NodeConfig::load(&path).map_err(|e| e.to_string()));
    let err = r.unwrap_err();
    assert!(err.contains("limit"), "{err}");
    assert!(largest <= 4 * MAX_CONFIG_BYTES as usize, "{largest}");
}

#[test]
fn pki_certificates_and_keys() {
    use spdz2k::layers::pki::cert::{parse_certificate, read_cert_file};
    use spdz2k::layers::pki::identity::read_key_file;
    use spdz2k::layers::pki::{MAX_PEM_BYTES, SetupOptions};
    let dir = tempfile::tempdir().unwrap();
    let pem = b"-----BEGIN CERTIFICATE-----\n";
    let path = huge_file(dir.path(), "cert.pem", pem);
    let (r, largest) = largest_alloc(|| read_cert_file(&path).is_ok());
    assert!(!r && largest <= 4 * MAX_PEM_BYTES as usize, "{largest}");
    let path = huge_file(dir.path(), "key.pem", b"-----BEGIN PRIVATE KEY-----\n");
    let (r, largest) = largest_alloc(|| read_key_file(&path).is_ok());
    assert!(!r && largest <= 4 * MAX_PEM_BYTES as usize, "{largest}");

    // DER length fields of a real certificate.
    let opts = SetupOptions::new(2, 1, &dir.path().join("deploy"));
    spdz2k::layers::pki::setup(&opts).unwrap();
    let p0 = dir.path().join("deploy/P0");
    let der = std::fs::read_dir(&p0)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            std::fs::read_to_string(p)
                .unwrap_or_default()
                .contains("BEGIN CERTIFICATE")
        })
        .map(|p| read_cert_file(&p).unwrap().0)
        .unwrap();
    every_field_huge("certificate", &der, |b| parse_certificate(b).is_ok());
}

#[test]
fn offline_frames() {
    use spdz2k_offline::KeySetup;
    let rng = |i: u8| <rand::rngs::ChaCha20Rng as rand::SeedableRng>::from_seed([i; 32]);
    let (_, out) = KeySetup::start(1, 2, sid(), rng(1)).unwrap();
    let valid = out[0].clone().unwrap();
    every_field_huge("offline frame", &valid, |b| {
        let (mut me, _) = KeySetup::start(0, 2, sid(), rng(0)).unwrap();
        me.receive_commitments(&[None, Some(b.to_vec())]).is_ok()
    });
}

#[test]
fn ot_messages() {
    use spdz2k_ot::{OtContext, VoleSeedChoices, VoleSeedSetup};
    let rng = || <rand::rngs::ChaCha20Rng as rand::SeedableRng>::from_seed([9; 32]);
    let ctx = OtContext::new(sid(), 0, 1, 0);
    let bits = [true, false, true, true];
    let (_, first) = VoleSeedSetup::start(&ctx, bits.len(), &mut rng());
    let (_, reply) = VoleSeedChoices::receive(&ctx, &bits, &first, &mut rng()).unwrap();
    every_field_huge("base-OT sender message", &first, |b| {
        VoleSeedChoices::receive(&ctx, &bits, b, &mut rng()).is_ok()
    });
    every_field_huge("base-OT receiver message", &reply, |b| {
        let (setup, _) = VoleSeedSetup::start(&ctx, bits.len(), &mut rng());
        setup.finish(b).is_ok()
    });
}
