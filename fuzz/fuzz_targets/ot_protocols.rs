//! The OT state machines (crates/ot) with every message between the two sides attacked as
//! the fuzzer chooses (dropped, replaced, bit-flipped, truncated, extended) and steps taken
//! out of order: the base OT / VOLE seed setup, and OT extension (KOS or SoftSpokenOT with
//! any `d`, valid or not) through setup, up to three chunks and correlated OT over Z_2^64.
//! Every failure is a typed `OtError`; a failed extension state is retired and refuses every
//! later call; with every message honest, each step succeeds and the outputs are correlated
//! (`k_{c_u}` = the chosen seed, `t_j = q_j ^ x_j Δ`, `y_j + z_j = x_j b mod 2^64`).
#![no_main]
mod common;

use common::{Script, tamper};
use libfuzzer_sys::fuzz_target;
use rand::SeedableRng;
use rand::rngs::ChaCha20Rng;
use spdz2k_core::SessionId;
use spdz2k_ot::{ExtReceiverSetup, ExtSender, OtContext, Variant, VoleSeedChoices, VoleSeedSetup};

/// Delivers `msg` through the adversary; records whether it arrived unchanged.
fn send(script: &mut Script<'_>, msg: &[u8], honest: &mut bool) -> Vec<u8> {
    let got = tamper(script, msg);
    *honest &= got.as_deref() == Some(msg);
    got.unwrap_or_default()
}

fn vole_seeds(script: &mut Script<'_>, ctx: &OtContext, rng: &mut ChaCha20Rng) {
    let s = 1 + (script.byte() % 8) as usize;
    let bits: Vec<bool> = (0..s).map(|_| script.byte() & 1 == 1).collect();
    let mut honest = true;
    let (setup, m1) = VoleSeedSetup::start(ctx, s, rng);
    let m1 = send(script, &m1, &mut honest);
    let (choices, m2) = match VoleSeedChoices::receive(ctx, &bits, &m1, rng) {
        Ok(r) => r,
        Err(e) => return assert!(!honest, "honest base-OT message refused: {e}"),
    };
    let m2 = send(script, &m2, &mut honest);
    match setup.finish(&m2) {
        Ok(pairs) if honest => {
            assert_eq!(pairs.len(), s);
            for (u, &c) in bits.iter().enumerate() {
                assert_eq!(
                    pairs.pair(u)[c as usize],
                    choices.seed(u),
                    "seed {u} differs"
                );
            }
        }
        Ok(_) => {}
        Err(e) => assert!(!honest, "honest base-OT reply refused: {e}"),
    }
}

fn extension(script: &mut Script<'_>, ctx: &OtContext, rng: &mut ChaCha20Rng) {
    let variant = match script.byte() % 6 {
        0 => Variant::Kos,
        5 => Variant::SoftSpoken { d: script.byte() },
        v => Variant::SoftSpoken {
            d: [1, 2, 4, 8][v as usize - 1],
        },
    };
    let mut honest = variant.is_valid();
    let (rsetup, m1) = ExtReceiverSetup::start(ctx, variant, rng);
    let m1 = send(script, &m1, &mut honest);
    let (ssetup, m2) = match ExtSender::setup(ctx, variant, &m1, rng) {
        Ok(r) => r,
        Err(e) => return assert!(!honest, "honest setup refused: {e}"),
    };
    let m2 = send(script, &m2, &mut honest);
    let (mut receiver, m3) = match rsetup.finish(&m2, rng) {
        Ok(r) => r,
        Err(e) => return assert!(!honest, "honest setup reply refused: {e}"),
    };
    let m3 = send(script, &m3, &mut honest);
    let mut sender = match ssetup.finish(&m3) {
        Ok(s) => s,
        Err(e) => return assert!(!honest, "honest trees refused: {e}"),
    };
    for _ in 0..3 {
        if script.is_empty() {
            break;
        }
        let m = 1 + (script.u16() % 700) as usize;
        let step = script.byte();
        // Out of order: the sender finishes a chunk that was never started.
        if step == 0xff {
            assert!(sender.finish(&[]).is_err());
            assert!(sender.is_retired());
            return;
        }
        let a = match receiver.extend_random(m, rng) {
            Ok(a) => a,
            Err(e) => return assert!(!honest && receiver.is_retired(), "extend failed: {e}"),
        };
        let a = send(script, &a, &mut honest);
        let b = match sender.respond(&a, m, rng) {
            Ok(b) => b,
            Err(e) => {
                assert!(!honest, "honest matrix refused: {e}");
                assert!(sender.is_retired() && sender.respond(&a, m, rng).is_err());
                return;
            }
        };
        let b = send(script, &b, &mut honest);
        let (rcots, c) = match receiver.finish(&b) {
            Ok(r) => r,
            Err(e) => {
                assert!(!honest, "honest seed refused: {e}");
                assert!(receiver.is_retired() && receiver.extend_random(m, rng).is_err());
                return;
            }
        };
        let c = send(script, &c, &mut honest);
        let scots = match sender.finish(&c) {
            Ok(s) => s,
            Err(e) => {
                assert!(!honest, "honest check refused: {e}");
                assert!(sender.is_retired() && sender.finish(&c).is_err());
                return;
            }
        };
        if honest {
            assert_eq!((rcots.len(), scots.len()), (m, m));
            let delta = scots.delta().0;
            for j in 0..m {
                let x = if rcots.choice(j) { delta } else { 0 };
                assert_eq!(rcots.t(j).0, scots.q(j).0 ^ x, "OT {j} is not correlated");
            }
        }
        let choices: Vec<bool> = (0..rcots.len()).map(|j| rcots.choice(j)).collect();
        let b_word = script.u64();
        let (z, d) = match scots.send_words::<1>(64, &[[b_word]]) {
            Ok(r) => r,
            Err(e) => return assert!(!honest, "honest correlation refused: {e}"),
        };
        let d = send(script, &d, &mut honest);
        match rcots.receive_words::<1>(64, &d) {
            Ok(y) if honest => {
                for (j, (y, z)) in y.iter().zip(&z).enumerate() {
                    let want = if choices[j] { b_word } else { 0 };
                    assert_eq!(y[0].wrapping_add(z[0]), want, "Gilboa OT {j} is wrong");
                }
            }
            Ok(_) => {}
            Err(e) => assert!(!honest, "honest corrections refused: {e}"),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mut script = Script::new(data);
    let mut rng = ChaCha20Rng::from_seed([script.byte(); 32]);
    let session = SessionId::new("fuzz").expect("valid session");
    let ctx = OtContext::new(session, 0, 1, u64::from(script.byte()));
    if script.byte() & 1 == 0 {
        vole_seeds(&mut script, &ctx, &mut rng);
    } else {
        extension(&mut script, &ctx, &mut rng);
    }
});
