//! KOS15 and SoftSpokenOT extension as state machines in one process: correctness of every output kind,
//! the correlation check against a cheating receiver, refusal of replayed and truncated
//! messages, and retirement after a failure.

use spdz2k_core::SessionId;
use spdz2k_core::rng::seeded_rng;
use spdz2k_ot::words::{self, MAX_L_BITS};
use spdz2k_ot::{ExtReceiver, ExtReceiverSetup, ExtSender, OtContext, OtError, Variant, wire};

const VARIANTS: [Variant; 5] = [
    Variant::Kos,
    Variant::SoftSpoken { d: 1 },
    Variant::SoftSpoken { d: 2 },
    Variant::SoftSpoken { d: 4 },
    Variant::SoftSpoken { d: 8 },
];

type Rng = rand::rngs::ChaCha20Rng;

fn ctx() -> OtContext {
    OtContext::new(SessionId::new("kos-test").unwrap(), 0, 1, 3)
}

fn setup(rng: &mut Rng) -> (ExtSender, ExtReceiver) {
    setup_v(Variant::Kos, rng)
}

fn setup_v(variant: Variant, rng: &mut Rng) -> (ExtSender, ExtReceiver) {
    let (r, m1) = ExtReceiverSetup::start(&ctx(), variant, rng);
    let (s, m2) = ExtSender::setup(&ctx(), variant, &m1, rng).unwrap();
    let (r, m3) = r.finish(&m2, rng).unwrap();
    (s.finish(&m3).unwrap(), r)
}

/// One honest chunk; `tamper` may alter the matrix message.
fn chunk(
    s: &mut ExtSender,
    r: &mut ExtReceiver,
    m: usize,
    rng: &mut Rng,
    tamper: impl FnOnce(&mut Vec<u8>),
) -> Result<(spdz2k_ot::SenderCots, spdz2k_ot::ReceiverCots), OtError> {
    let mut m1 = r.extend_random(m, rng)?;
    tamper(&mut m1);
    let m2 = s.respond(&m1, m, rng)?;
    let (rc, m3) = r.finish(&m2)?;
    let sc = s.finish(&m3)?;
    Ok((sc, rc))
}

#[test]
fn correlated_and_random_ots_hold_over_several_chunks_for_every_variant() {
    let mut rng = seeded_rng([1; 32]);
    for variant in VARIANTS {
        correlated_and_random(variant, &mut rng);
    }
}

fn correlated_and_random(variant: Variant, rng: &mut Rng) {
    let (mut s, mut r) = setup_v(variant, rng);
    let mut next = 0;
    for m in [1, 127, 128, 1000, 4096] {
        let (sc, rc) = chunk(&mut s, &mut r, m, rng, |_| {}).unwrap();
        assert_eq!((sc.len(), rc.len()), (m, m));
        assert_eq!((sc.first_index(), rc.first_index()), (next, next));
        next += m as u64;
        let delta = sc.delta();
        let mut ones = 0;
        for j in 0..m {
            let x = rc.choice(j);
            ones += x as usize;
            let want = if x { sc.q(j) ^ delta } else { sc.q(j) };
            assert_eq!(rc.t(j), want, "{variant:?}: chunk of {m}, OT {j}");
        }
        if m >= 1000 {
            assert!(
                ones > m / 3 && ones < 2 * m / 3,
                "random choices: {ones} of {m}"
            );
        }
        let (choices, got) = rc.into_random_ots();
        let pads = sc.into_random_ots();
        for j in 0..m {
            let x = (choices[j / 128] >> (j % 128)) & 1 == 1;
            assert_eq!(got[j], pads[j][x as usize]);
            assert_ne!(got[j], pads[j][!x as usize]);
        }
    }
}

fn check_words<const L: usize>(l_bits: usize, per_ot: bool, rng: &mut Rng) {
    let variant = VARIANTS[l_bits % VARIANTS.len()];
    let (mut s, mut r) = setup_v(variant, rng);
    let m = 300;
    let (sc, rc) = chunk(&mut s, &mut r, m, rng, |_| {}).unwrap();
    let choices: Vec<bool> = (0..m).map(|j| rc.choice(j)).collect();
    let b: Vec<[u64; L]> = (0..if per_ot { m } else { 1 })
        .map(|_| words::mask(std::array::from_fn(|_| rand::Rng::next_u64(rng)), l_bits))
        .collect();
    let (z, msg) = sc.send_words::<L>(l_bits, &b).unwrap();
    assert_eq!(msg.len(), wire::HEADER_LEN + m * l_bits.div_ceil(8));
    let y = rc.receive_words::<L>(l_bits, &msg).unwrap();
    for j in 0..m {
        let sum = words::add(&y[j], &z[j], l_bits);
        let want = if choices[j] {
            b[if per_ot { j } else { 0 }]
        } else {
            [0; L]
        };
        assert_eq!(sum, want, "{variant:?}: l = {l_bits}, OT {j}");
    }
}

#[test]
fn correlated_ot_over_z2l_gives_additive_shares_of_a_times_b() {
    let mut rng = seeded_rng([2; 32]);
    check_words::<1>(64, false, &mut rng);
    check_words::<1>(13, true, &mut rng);
    check_words::<2>(128, true, &mut rng);
    check_words::<3>(192, false, &mut rng);
    check_words::<4>(MAX_L_BITS, true, &mut rng);
    check_words::<4>(130, true, &mut rng);
}

/// Flips OT `j`'s bit in the matrix columns `cols` (as if the receiver used a different
/// choice bit in those columns).
fn flip_columns(msg: &mut [u8], m: usize, j: usize, cols: std::ops::Range<usize>) {
    let nb = m.div_ceil(128) + spdz2k_ot::ext::CHECK_OTS / 128;
    for i in cols {
        let byte = wire::HEADER_LEN + 32 + (i * nb + j / 128) * 16 + (j % 128) / 8;
        msg[byte] ^= 1 << (j % 8);
    }
}

#[test]
fn inconsistent_matrix_rows_fail_the_correlation_check_and_retire_the_sender() {
    let mut rng = seeded_rng([3; 32]);
    let (mut s, mut r) = setup(&mut rng);
    let m = 1024;
    // Half of the columns carry a different choice bit for OT 5: caught unless Δ is zero
    // on all 64 of them (2^-64).
    let err = chunk(&mut s, &mut r, m, &mut rng, |msg| {
        flip_columns(msg, m, 5, 0..64)
    })
    .unwrap_err();
    assert!(
        matches!(
            err,
            OtError::CheckFailed {
                party: 0,
                peer: 1,
                check: "KOS15 correlation check",
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("kos-test"), "{err}");
    assert!(s.is_retired());
    // The retired sender refuses everything, even an honest next chunk.
    let m1 = r.extend_random(128, &mut rng).unwrap();
    assert!(matches!(
        s.respond(&m1, 128, &mut rng),
        Err(OtError::Retired { .. })
    ));
}

#[test]
fn an_inconsistent_softspoken_correction_fails_the_check() {
    // SoftSpokenOT d = 4: the receiver's correction for group g carries a different
    // choice bit for OT 5 in 16 of the 32 groups. Caught unless Δ is zero on all 64
    // columns of those groups.
    let mut rng = seeded_rng([8; 32]);
    let (mut s, mut r) = setup_v(Variant::SoftSpoken { d: 4 }, &mut rng);
    let m = 512;
    let err = chunk(&mut s, &mut r, m, &mut rng, |msg| {
        flip_columns(msg, m, 5, 0..16)
    })
    .unwrap_err();
    assert!(
        matches!(
            err,
            OtError::CheckFailed {
                check: "KOS15 correlation check",
                ..
            }
        ),
        "{err}"
    );
    assert!(s.is_retired());
}

#[test]
fn a_softspoken_receiver_sending_a_bad_ggm_tree_fails_the_first_check() {
    // Both masked level sums of one base OT altered: the sender's punctured tree is wrong
    // below that level, its columns for that group become garbage, and the check fails.
    let mut rng = seeded_rng([10; 32]);
    let variant = Variant::SoftSpoken { d: 8 };
    let (r, m1) = ExtReceiverSetup::start(&ctx(), variant, &mut rng);
    let (s, m2) = ExtSender::setup(&ctx(), variant, &m1, &mut rng).unwrap();
    let (mut r, mut m3) = r.finish(&m2, &mut rng).unwrap();
    let i = 8 * 5 + 2; // group 5, level 2
    m3[wire::HEADER_LEN + 32 * i] ^= 1;
    m3[wire::HEADER_LEN + 32 * i + 16] ^= 1;
    let mut s = s.finish(&m3).unwrap();
    let err = chunk(&mut s, &mut r, 128, &mut rng, |_| {}).unwrap_err();
    assert!(matches!(err, OtError::CheckFailed { .. }), "{err}");
}

#[test]
fn one_flipped_column_is_caught_exactly_when_that_bit_of_delta_is_one() {
    // The selective-failure leak KOS bounds: one bit of Δ per abort, and an abort retires
    // the key set. Over several fresh setups, the outcome must match Δ_i.
    let mut rng = seeded_rng([4; 32]);
    let (mut caught, runs) = (0, 12);
    for run in 0..runs {
        let (mut s, mut r) = setup(&mut rng);
        let col = run * 7 % 128;
        // Peek at Δ through an honest chunk first.
        let (sc, _) = chunk(&mut s, &mut r, 128, &mut rng, |_| {}).unwrap();
        let bit = sc.delta().bit(col);
        let res = chunk(&mut s, &mut r, 256, &mut rng, |msg| {
            flip_columns(msg, 256, 9, col..col + 1)
        });
        assert_eq!(res.is_err(), bit, "run {run}");
        caught += res.is_err() as usize;
    }
    assert!(caught > 0 && caught < runs, "{caught} of {runs}");
}

#[test]
fn replayed_truncated_and_misrouted_messages_are_refused() {
    let mut rng = seeded_rng([5; 32]);
    // Truncated matrix.
    let (mut s, mut r) = setup(&mut rng);
    let m1 = r.extend_random(256, &mut rng).unwrap();
    let err = s.respond(&m1[..m1.len() - 16], 256, &mut rng).unwrap_err();
    assert!(err.to_string().contains("truncated"), "{err}");
    assert!(s.is_retired());

    // A replayed matrix from the previous chunk has the old sequence number.
    let (mut s, mut r) = setup(&mut rng);
    let m1 = r.extend_random(256, &mut rng).unwrap();
    let m2 = s.respond(&m1, 256, &mut rng).unwrap();
    let (_, m3) = r.finish(&m2).unwrap();
    s.finish(&m3).unwrap();
    let err = s.respond(&m1, 256, &mut rng).unwrap_err();
    assert!(err.to_string().contains("replayed"), "{err}");

    // A replayed seed message at the receiver, and a truncated check message.
    let (mut s, mut r) = setup(&mut rng);
    let m1 = r.extend_random(128, &mut rng).unwrap();
    let m2 = s.respond(&m1, 128, &mut rng).unwrap();
    let (_, m3) = r.finish(&m2).unwrap();
    s.finish(&m3).unwrap();
    r.extend_random(128, &mut rng).unwrap();
    assert!(matches!(r.finish(&m2), Err(OtError::BadMessage { .. })));
    assert!(r.is_retired());

    let (mut s, mut r) = setup(&mut rng);
    let m1 = r.extend_random(128, &mut rng).unwrap();
    let m2 = s.respond(&m1, 128, &mut rng).unwrap();
    let (_, m3) = r.finish(&m2).unwrap();
    assert!(matches!(
        s.finish(&m3[..m3.len() - 1]),
        Err(OtError::BadMessage { .. })
    ));

    // A message of another instance (another pair or session) is refused.
    let other = OtContext::new(SessionId::new("kos-test").unwrap(), 1, 0, 3);
    let (r2, m1) = ExtReceiverSetup::start(&other, Variant::Kos, &mut rng);
    assert!(ExtSender::setup(&ctx(), Variant::Kos, &m1, &mut rng).is_err());
    drop(r2);
}

#[test]
fn a_wrong_coin_opening_fails_the_commitment_check() {
    let mut rng = seeded_rng([6; 32]);
    let (mut s, mut r) = setup(&mut rng);
    let m1 = r.extend_random(128, &mut rng).unwrap();
    let m2 = s.respond(&m1, 128, &mut rng).unwrap();
    let (_, mut m3) = r.finish(&m2).unwrap();
    m3[wire::HEADER_LEN] ^= 1; // the receiver's seed, no longer what it committed to
    let err = s.finish(&m3).unwrap_err();
    assert!(
        matches!(
            err,
            OtError::CheckFailed {
                check: "coin commitment opening",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn a_sender_choosing_its_coin_seed_learns_nothing_from_the_check_values() {
    // A malicious sender fixes its coin seed to zero. The receiver's check value x̃ must
    // still not reveal its choices: with all-zero and all-one choices x̃ looks the same
    // (its low bit is 1 about half of the time either way), thanks to the check OTs.
    let mut rng = seeded_rng([7; 32]);
    let (_s, mut r) = setup(&mut rng);
    let mut low_bits = [0usize; 2];
    let runs = 60;
    for run in 0..runs {
        let all = (run % 2) as usize;
        let choices = vec![if all == 1 { u128::MAX } else { 0 }; 2];
        r.extend(&choices, 256, &mut rng).unwrap();
        let mut seed_msg = wire::begin(r.context(), wire::Kind::ExtSeed, run as u64, 16);
        seed_msg.extend_from_slice(&[0; 16]);
        let (_, m3) = r.finish(&seed_msg).unwrap();
        let x_sum = u128::from_le_bytes(
            m3[wire::HEADER_LEN + 48..wire::HEADER_LEN + 64]
                .try_into()
                .unwrap(),
        );
        low_bits[all] += (x_sum & 1) as usize;
    }
    for (all, &ones) in low_bits.iter().enumerate() {
        assert!(
            (5..=25).contains(&ones),
            "choices all {all}: low bit set {ones} of {}",
            runs / 2
        );
    }
}

/// Both sides refuse a chunk beyond `MAX_PENDING` in flight and a finish with no chunk
/// pending, and either refusal retires the side.
#[test]
fn chunks_beyond_the_pending_limit_or_finishes_without_a_chunk_retire_either_side() {
    use spdz2k_ot::ext::MAX_PENDING;
    let mut rng = seeded_rng([9; 32]);
    let (mut s, mut r) = setup(&mut rng);
    let mut matrices = Vec::new();
    for _ in 0..MAX_PENDING {
        matrices.push(r.extend_random(128, &mut rng).unwrap());
    }
    let err = r.extend_random(128, &mut rng).unwrap_err();
    assert!(err.to_string().contains("chunks in flight"), "{err}");
    assert!(r.is_retired());
    for m1 in &matrices {
        s.respond(m1, 128, &mut rng).unwrap();
    }
    // The fifth matrix is refused before it is read: the count alone is over the limit.
    let err = s.respond(&matrices[0], 128, &mut rng).unwrap_err();
    assert!(err.to_string().contains("chunks in flight"), "{err}");
    assert!(s.is_retired());

    let (mut s, mut r) = setup(&mut rng);
    let err = s.finish(&[0; 96]).unwrap_err();
    assert!(err.to_string().contains("no chunk is pending"), "{err}");
    assert!(s.is_retired());
    let err = r.finish(&[0; 16]).unwrap_err();
    assert!(err.to_string().contains("no chunk is pending"), "{err}");
    assert!(r.is_retired());
}
