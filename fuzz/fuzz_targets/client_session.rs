//! The client's session state machine (crates/client) fed a script of deliveries: output
//! bundles and input-mask triples sealed and signed by the pinned parties (so that the fuzzer
//! reaches decryption, agreement and the algebraic checks), with shares, labels, senders and
//! sequence numbers of its choosing, then tampered with, reordered, duplicated or dropped;
//! accepted masks are spent on input messages. Every refusal is a typed `ClientError`; bytes
//! changed after signing are never accepted; an honest delivery is always accepted and
//! reconstructs the dealt values; a refused delivery leaves the state as it was.
#![no_main]
mod common;

use common::{Script, tamper};
use libfuzzer_sys::fuzz_target;
use rand::SeedableRng;
use rand::rngs::ChaCha20Rng;
use spdz2k_client::ClientSession;
use spdz2k_core::SessionId;
use spdz2k_output::ed25519_dalek::SigningKey;
use spdz2k_output::{
    ClientId, ClientInput, Delivery, InputTripleBundle, Label, OutputBundle, RunId,
    seal_input_triples, seal_output_bundle,
};
use spdz2k_ring::{K64S64, Params};

type P = K64S64;

/// Additive shares of `x` for `n` parties; the fuzzer may replace any share.
fn split(script: &mut Script<'_>, x: u128, n: usize, honest: &mut bool) -> Vec<u128> {
    let mut rest = x;
    (0..n)
        .map(|i| {
            let mut share = if i + 1 == n {
                rest
            } else {
                P::from_u128(script.u64() as u128)
            };
            rest = P::sub(rest, share);
            if script.byte() == 0xfe {
                share = P::from_u128(script.u64() as u128);
                *honest = false;
            }
            share
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let mut script = Script::new(data);
    let n = 2 + (script.byte() % 2) as usize;
    let mut rng = ChaCha20Rng::from_seed([script.byte(); 32]);
    let session = SessionId::new("fuzz").expect("valid session");
    let client_id = ClientId::new("C0").expect("valid client");
    let parties: Vec<SigningKey> = (0..n)
        .map(|i| SigningKey::from_bytes(&[i as u8 + 1; 32]))
        .collect();
    let identity = SigningKey::from_bytes(&[99; 32]);
    let mut client = ClientSession::with_rng(
        session.clone(),
        client_id.clone(),
        identity.clone(),
        parties.iter().map(|k| k.verifying_key()).collect(),
        &mut rng,
    );
    let run = RunId::derive(&session, &[[1; 32], [2; 32]]);
    let _ = client.registration(run);
    let recipient = client.hpke_public_key().clone();
    let labels = ["out", "in", "x"];
    // The next sequence number the client should accept per (kind, label).
    let mut next = [[0u64; 3]; 2];

    for _ in 0..4 {
        if script.is_empty() {
            break;
        }
        let op = script.byte();
        let triples = op & 1 == 1;
        let li = (op >> 1) as usize % labels.len();
        let label = Label::new(labels[li]).expect("valid label");
        let count = (script.byte() % 4) as usize;
        let mut honest = true;
        let mut seq = next[triples as usize][li];
        if script.byte() == 0xfd {
            seq = script.u64();
            honest &= seq == next[triples as usize][li];
        }
        // Clear values and their shares.
        let xs: Vec<i128> = (0..count).map(|_| script.u64() as i64 as i128).collect();
        let mut cols = [Vec::new(), Vec::new(), Vec::new()];
        for &x in &xs {
            let a = P::from_i128(x);
            let b = P::from_u128(script.u64() as u128);
            let (first, c) = if triples {
                (a, P::mul(a, b))
            } else {
                let x_hat = P::add(a, P::lift_to_top(P::from_u128(script.u64() as u128)));
                (x_hat, P::mul(x_hat, b))
            };
            for (col, v) in cols.iter_mut().zip([first, b, c]) {
                col.push(split(&mut script, v, n, &mut honest));
            }
        }
        let share = |col: &Vec<Vec<u128>>, i: usize| col.iter().map(|s| s[i]).collect::<Vec<_>>();
        let mut envelopes = Vec::new();
        let mut untouched = true;
        for (i, key) in parties.iter().enumerate() {
            let delivery = Delivery {
                session: session.clone(),
                label: label.clone(),
                client: client_id.clone(),
                sender: i,
                seq,
            };
            let sealed = if triples {
                let bundle = InputTripleBundle::<P> {
                    a: share(&cols[0], i),
                    b: share(&cols[1], i),
                    c: share(&cols[2], i),
                };
                seal_input_triples(&delivery, &bundle, &recipient, key, &mut rng)
            } else {
                let bundle = OutputBundle::<P> {
                    x_hat: share(&cols[0], i),
                    b: share(&cols[1], i),
                    w: share(&cols[2], i),
                };
                seal_output_bundle(&delivery, &bundle, &recipient, key, &mut rng)
            };
            let sealed = sealed.expect("sealing a small bundle");
            match tamper(&mut script, &sealed) {
                Some(b) => {
                    untouched &= b == sealed;
                    envelopes.push(b);
                }
                None => untouched = false,
            }
        }
        match script.byte() % 4 {
            1 => envelopes.reverse(),
            2 if !envelopes.is_empty() => {
                envelopes.push(envelopes[0].clone());
                untouched = false;
            }
            _ => {}
        }
        let asked = if script.byte() == 0xfc {
            labels[(li + 1) % labels.len()]
        } else {
            labels[li]
        };
        honest &= untouched && asked == labels[li];
        if triples {
            match client.receive_input_triples(asked, &envelopes) {
                Ok(mask) => {
                    assert!(untouched, "accepted input triples changed after signing");
                    assert_eq!(mask.len(), count);
                    next[1][li] = seq + 1;
                    let msg = client
                        .input_message(mask, &xs)
                        .expect("values fit in k bits");
                    let input = ClientInput::decode_unverified(&msg).expect("own input decodes");
                    assert_eq!(input.values::<P>().expect("own values decode").len(), count);
                }
                Err(e) => {
                    assert!(!honest, "honest input triples refused: {e}");
                    let _ = e.to_string();
                }
            }
        } else {
            match client.receive_outputs(asked, &envelopes) {
                Ok(out) => {
                    assert!(untouched, "accepted outputs changed after signing");
                    next[0][li] = seq + 1;
                    if honest {
                        assert_eq!(out.signed(), &xs[..]);
                    }
                }
                Err(e) => {
                    assert!(!honest, "honest outputs refused: {e}");
                    let _ = e.to_string();
                }
            }
        }
    }
});
