//! decode(encode(x)) == x for values built from the fuzzer's bytes, for every decoder with an
//! encoder: core wire messages, the proxy's batch framing, connection and session hellos,
//! abort notices and preprocessing fingerprints. (The byte-level targets check the other
//! direction, encode(decode(b)) == b for every accepted b.)
#![no_main]
mod common;

use common::Script;
use libfuzzer_sys::fuzz_target;
use spdz2k_core::{Commitment, KeySetId, Nonce, SessionId, WireMsg};
use spdz2k_net::tls::wire::{AbortKind, AbortNotice, ConnHello, Purpose, SessionHello};
use spdz2k_prep::{DealId, PrepCounts, PrepFingerprint, PrepOrigin, PrepPosition};
use spdz2k_ring::{K64S64, K128S64, Params, ParamsId, Word};

fn arr<const N: usize>(s: &mut Script<'_>) -> [u8; N] {
    core::array::from_fn(|_| s.byte())
}

fn words<P: Params>(s: &mut Script<'_>) -> Vec<P::Word> {
    (0..s.byte() % 6)
        .map(|_| {
            P::reduce(P::Word::from_u128(
                (u128::from(s.u64()) << 64) | u128::from(s.u64()),
            ))
        })
        .collect()
}

fn wire<P: Params>(s: &mut Script<'_>) {
    let msg = match s.byte() % 7 {
        0 => WireMsg::<P>::Opening(words::<P>(s)),
        1 => WireMsg::Input(words::<P>(s)),
        2 => WireMsg::CoinCommit {
            commitment: Commitment(arr(s)),
            transcript: arr(s),
        },
        3 => WireMsg::CoinOpen {
            seed: arr(s),
            nonce: Nonce(arr(s)),
        },
        4 => WireMsg::ZCommit(Commitment(arr(s))),
        5 => WireMsg::ZOpen {
            z: words::<P>(s).pop().unwrap_or(P::Word::ZERO),
            nonce: Nonce(arr(s)),
        },
        _ => WireMsg::Digest(arr(s)),
    };
    assert_eq!(
        WireMsg::<P>::decode(&msg.encode()).as_ref(),
        Ok(&msg),
        "{}",
        P::NAME
    );
}

/// A string of up to `max` bytes, mixing one- and multi-byte characters.
fn text(s: &mut Script<'_>, max: usize) -> String {
    let mut out = String::new();
    for _ in 0..s.byte() % 24 {
        let c = ['a', 'Z', '0', '-', '_', 'é', '€', '𝄞', ' '][(s.byte() % 9) as usize];
        let reps = 1 + s.u16() as usize % 64;
        for _ in 0..reps {
            if out.len() + c.len_utf8() > max {
                return out;
            }
            out.push(c);
        }
    }
    out
}

fn counts(s: &mut Script<'_>) -> PrepCounts {
    PrepCounts {
        triples: s.u64(),
        randoms: s.u64(),
        open_masks: s.u64(),
        input_masks: (0..s.byte() % 5).map(|_| s.u64()).collect(),
    }
}

fuzz_target!(|data: &[u8]| {
    let mut s = Script::new(data);
    match s.byte() % 7 {
        0 => wire::<K64S64>(&mut s),
        1 => wire::<K128S64>(&mut s),
        2 => {
            let items: Vec<Vec<u8>> = (0..s.byte() % 5).map(|_| s.bytes().to_vec()).collect();
            let bytes = spdz2k::delivery::encode_batch(&items);
            assert_eq!(spdz2k::delivery::decode_batch(&bytes), Some(items));
        }
        3 => {
            let session = text(&mut s, 64);
            let h = ConnHello {
                version: s.u16(),
                purpose: [Purpose::Mesh, Purpose::Ping, Purpose::Client][(s.byte() % 3) as usize],
                from: text(&mut s, usize::from(u16::MAX)),
                to: s.u64() as u32,
                session: SessionId::new(session).ok(),
            };
            assert_eq!(ConnHello::decode(&h.encode()), Ok(h));
        }
        4 => {
            let mut parties: Vec<usize> = (0..s.byte() % 6).map(|_| s.u16() as usize).collect();
            parties.sort_unstable();
            parties.dedup();
            let h = SessionHello {
                version: s.u16(),
                params: ParamsId {
                    k: s.u16().into(),
                    s: s.u16().into(),
                },
                parties,
                operation: text(&mut s, usize::from(u16::MAX)),
            };
            assert_eq!(SessionHello::decode(&h.encode()), Ok(h));
        }
        5 => {
            let kinds = [
                AbortKind::Mismatch,
                AbortKind::Protocol,
                AbortKind::Network,
                AbortKind::Client,
                AbortKind::Preprocessing,
                AbortKind::Other,
            ];
            let n = AbortNotice::new(kinds[(s.byte() % 6) as usize], text(&mut s, 8000));
            assert_eq!(AbortNotice::decode(&n.encode()), Ok(n));
        }
        _ => {
            let origins = [
                PrepOrigin::File,
                PrepOrigin::InsecureSeed,
                PrepOrigin::Memory,
                PrepOrigin::Other,
            ];
            let f = PrepFingerprint {
                params: ParamsId {
                    k: s.u16().into(),
                    s: s.u16().into(),
                },
                n_parties: (s.byte() % 8) as usize,
                party: (s.byte() % 8) as usize,
                key_set: KeySetId(arr(&mut s)),
                position: PrepPosition {
                    origin: origins[(s.byte() % 4) as usize],
                    deal: DealId(arr(&mut s)),
                    total: counts(&mut s),
                    consumed: counts(&mut s),
                },
            };
            assert_eq!(PrepFingerprint::decode(&f.encode()), Ok(f));
        }
    }
});
