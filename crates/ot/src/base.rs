//! Base OT: Masny–Rindal "endemic OT" (CCS 2019, §5 and Fig. 5/6) on ristretto255, batched
//! (one message per flight for all OTs of a batch).
//!
//! The sender sends `A = a·G` (one key for the whole batch). For OT `i` with choice `c` the
//! receiver draws `b`, sets `B = b·G`, draws a uniform group element `r_{1-c}` and sets
//! `r_c = B − H_c(r_{1-c})`, and sends `(r_0, r_1)`. The function
//! `F(r_0, r_1; j) = r_j + H_j(r_{1-j})` is the programmable-once public function: the
//! receiver can know the discrete logarithm of `F(·; j)` for at most one `j` (both would
//! let it program the random oracle `H` twice), while `(r_0, r_1)` is uniform whatever `c`
//! is. Keys: `k_j = KDF(ctx, i, j, A, r_0, r_1, a·F(r; j))` for the sender,
//! `k_c = KDF(ctx, i, c, A, r_0, r_1, b·A)` for the receiver.

use crate::block::Block;
use crate::context::{OtContext, Role};
use crate::error::OtError;
use crate::wire::{self, Kind};
use curve25519_dalek::constants::RISTRETTO_BASEPOINT_TABLE;
use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::Identity;
use sha2::{Digest, Sha256, Sha512};

const PHASE_SENDER: &str = "base OT (sender key)";
const PHASE_RECEIVER: &str = "base OT (receiver points)";

/// Hash to ristretto255: SHA-512 over the instance tag, OT index, slot and point, then
/// the RFC 9496 one-way map (`from_uniform_bytes`).
fn hash_to_group(ctx: &OtContext, i: u64, slot: u8, point: &[u8; 32]) -> RistrettoPoint {
    let mut h = Sha512::new();
    h.update(b"spdz2k-ot base OT H v1");
    h.update(ctx.tag());
    h.update(i.to_le_bytes());
    h.update([slot]);
    h.update(point);
    let wide: [u8; 64] = h.finalize().into();
    RistrettoPoint::from_uniform_bytes(&wide)
}

fn kdf(
    ctx: &OtContext,
    i: u64,
    slot: u8,
    a: &[u8; 32],
    r: &[u8],
    shared: &RistrettoPoint,
) -> Block {
    let mut h = Sha256::new();
    h.update(b"spdz2k-ot base OT KDF v1");
    h.update(ctx.tag());
    h.update(i.to_le_bytes());
    h.update([slot]);
    h.update(a);
    h.update(r);
    h.update(shared.compress().as_bytes());
    let d: [u8; 32] = h.finalize().into();
    let mut k = [0u8; 16];
    k.copy_from_slice(&d[..16]);
    Block::from_bytes(k)
}

fn decode(bytes: &[u8]) -> Option<RistrettoPoint> {
    CompressedRistretto::from_slice(bytes).ok()?.decompress()
}

/// The base-OT sender after its first message: it knows `a` and waits for the receiver's
/// points.
pub struct BaseOtSender {
    ctx: OtContext,
    n: usize,
    a: Scalar,
    big_a: [u8; 32],
}

impl core::fmt::Debug for BaseOtSender {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("BaseOtSender")
            .field("n", &self.n)
            .finish_non_exhaustive()
    }
}

impl BaseOtSender {
    /// Starts `n` base OTs as the sender of `ctx`; returns the state and the message `A`.
    pub fn start<R: rand::CryptoRng + ?Sized>(
        ctx: &OtContext,
        n: usize,
        rng: &mut R,
    ) -> (Self, Vec<u8>) {
        let a = Scalar::random(rng);
        let big_a = (&a * RISTRETTO_BASEPOINT_TABLE).compress().to_bytes();
        let mut msg = wire::begin(ctx, Kind::BaseSender, 0, 32);
        msg.extend_from_slice(&big_a);
        (
            BaseOtSender {
                ctx: ctx.clone(),
                n,
                a,
                big_a,
            },
            msg,
        )
    }

    /// Takes the receiver's points and returns both keys `(k_0, k_1)` of every OT.
    pub fn finish(self, msg: &[u8]) -> Result<Vec<[Block; 2]>, OtError> {
        let body = wire::open(
            &self.ctx,
            Role::Sender,
            PHASE_RECEIVER,
            msg,
            Kind::BaseReceiver,
            0,
            64 * self.n,
        )?;
        let mut out = Vec::with_capacity(self.n);
        for (i, r) in body.chunks_exact(64).enumerate() {
            let i = i as u64;
            let (r0b, r1b) = (&r[..32], &r[32..]);
            let (Some(r0), Some(r1)) = (decode(r0b), decode(r1b)) else {
                return Err(self.ctx.bad_message(
                    Role::Sender,
                    PHASE_RECEIVER,
                    format!("OT {i}: not a valid ristretto255 encoding"),
                ));
            };
            let f0 = r0 + hash_to_group(&self.ctx, i, 0, r1b.try_into().unwrap_or(&[0; 32]));
            let f1 = r1 + hash_to_group(&self.ctx, i, 1, r0b.try_into().unwrap_or(&[0; 32]));
            out.push([
                kdf(&self.ctx, i, 0, &self.big_a, r, &(self.a * f0)),
                kdf(&self.ctx, i, 1, &self.big_a, r, &(self.a * f1)),
            ]);
        }
        Ok(out)
    }
}

/// The base-OT receiver: one step, from the sender's `A` to its keys and its message.
#[derive(Debug)]
pub struct BaseOtReceiver;

impl BaseOtReceiver {
    /// Runs the receiver's side for `choices` against the sender's message; returns the
    /// chosen keys `k_{c_i}` and the message of points for the sender.
    pub fn receive<R: rand::CryptoRng + ?Sized>(
        ctx: &OtContext,
        choices: &[bool],
        msg: &[u8],
        rng: &mut R,
    ) -> Result<(Vec<Block>, Vec<u8>), OtError> {
        let body = wire::open(
            ctx,
            Role::Receiver,
            PHASE_SENDER,
            msg,
            Kind::BaseSender,
            0,
            32,
        )?;
        let big_a = match decode(body) {
            Some(p) if p != RistrettoPoint::identity() => p,
            _ => {
                return Err(ctx.bad_message(
                    Role::Receiver,
                    PHASE_SENDER,
                    "the sender's key is not a valid non-identity ristretto255 point".into(),
                ));
            }
        };
        let a_bytes: [u8; 32] = body.try_into().unwrap_or([0; 32]);
        let mut out = wire::begin(ctx, Kind::BaseReceiver, 0, 64 * choices.len());
        let mut keys = Vec::with_capacity(choices.len());
        for (i, &c) in choices.iter().enumerate() {
            let i = i as u64;
            let b = Scalar::random(rng);
            let big_b = &b * RISTRETTO_BASEPOINT_TABLE;
            let mut wide = [0u8; 64];
            rng.fill_bytes(&mut wide);
            let other = RistrettoPoint::from_uniform_bytes(&wide)
                .compress()
                .to_bytes();
            // r_c = B - H_c(r_{1-c}); the slot index of H is c.
            let mine = (big_b - hash_to_group(ctx, i, c as u8, &other))
                .compress()
                .to_bytes();
            let (r0, r1) = if c { (other, mine) } else { (mine, other) };
            let mut r = [0u8; 64];
            r[..32].copy_from_slice(&r0);
            r[32..].copy_from_slice(&r1);
            keys.push(kdf(ctx, i, c as u8, &a_bytes, &r, &(b * big_a)));
            out.extend_from_slice(&r);
        }
        Ok((keys, out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use spdz2k_core::SessionId;

    fn ctx() -> OtContext {
        OtContext::new(SessionId::new("base-ot").unwrap(), 0, 1, 7)
    }

    #[test]
    fn receiver_gets_exactly_the_chosen_key() {
        let mut rng = spdz2k_core::rng::seeded_rng([1; 32]);
        let choices: Vec<bool> = (0..40).map(|i| i % 3 == 1).collect();
        let (s, m1) = BaseOtSender::start(&ctx(), choices.len(), &mut rng);
        let (got, m2) = BaseOtReceiver::receive(&ctx(), &choices, &m1, &mut rng).unwrap();
        let pairs = s.finish(&m2).unwrap();
        for ((p, k), &c) in pairs.iter().zip(&got).zip(&choices) {
            assert_eq!(p[c as usize], *k);
            assert_ne!(p[1 - c as usize], *k);
        }
    }

    #[test]
    fn truncated_or_foreign_messages_are_refused() {
        let mut rng = spdz2k_core::rng::seeded_rng([2; 32]);
        let (s, m1) = BaseOtSender::start(&ctx(), 4, &mut rng);
        let other = OtContext::new(SessionId::new("base-ot").unwrap(), 0, 1, 8);
        assert!(matches!(
            BaseOtReceiver::receive(&other, &[true; 4], &m1, &mut rng),
            Err(OtError::BadMessage { .. })
        ));
        let (_, m2) = BaseOtReceiver::receive(&ctx(), &[true; 4], &m1, &mut rng).unwrap();
        let err = s.finish(&m2[..m2.len() - 1]).unwrap_err();
        assert!(err.to_string().contains("truncated"), "{err}");
        // An invalid point encoding is refused with the OT index.
        let (s, m1) = BaseOtSender::start(&ctx(), 1, &mut rng);
        let (_, mut m2) = BaseOtReceiver::receive(&ctx(), &[false], &m1, &mut rng).unwrap();
        m2[wire::HEADER_LEN..wire::HEADER_LEN + 32].fill(0xff);
        assert!(s.finish(&m2).unwrap_err().to_string().contains("OT 0"));
    }

    #[test]
    fn a_sender_with_a_chosen_key_learns_nothing_about_the_choices() {
        // The sender deviates: its key is A = 1·G, so it knows every Diffie–Hellman value
        // and both keys. It still cannot tell the choice from (r_0, r_1): over 200 random
        // choices, guesses from the receiver's message are right about half of the time.
        let mut rng = spdz2k_core::rng::seeded_rng([9; 32]);
        let mut msg = wire::begin(&ctx(), Kind::BaseSender, 0, 32);
        msg.extend_from_slice(RISTRETTO_BASEPOINT_TABLE.basepoint().compress().as_bytes());
        let runs = 200;
        let mut right = [0usize; 3];
        for _ in 0..runs {
            let c = rand::Rng::next_u32(&mut rng) & 1 == 1;
            let (_, reply) = BaseOtReceiver::receive(&ctx(), &[c], &msg, &mut rng).unwrap();
            let r = &reply[wire::HEADER_LEN..];
            let r0 = decode(&r[..32]).unwrap();
            let r1 = decode(&r[32..]).unwrap();
            let guesses = [
                r[0] & 1 == 1,
                r[0] > r[32],
                // Which slot's F(r; j) is "closer" to a multiple of G it can recognise.
                (r0 + hash_to_group(&ctx(), 0, 0, r[32..].try_into().unwrap()))
                    .compress()
                    .as_bytes()[0]
                    < (r1 + hash_to_group(&ctx(), 0, 1, r[..32].try_into().unwrap()))
                        .compress()
                        .as_bytes()[0],
            ];
            for (k, &g) in guesses.iter().enumerate() {
                right[k] += (g == c) as usize;
            }
        }
        for (k, &n) in right.iter().enumerate() {
            assert!(
                (65..=135).contains(&n),
                "guess {k} right {n} of {runs} times"
            );
        }
    }

    fn unhex(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    #[test]
    fn rfc_9496_ristretto255_vectors() {
        // RFC 9496 A.1: encodings of B, 2B, 3B, 4B (and 0).
        let multiples = [
            "0000000000000000000000000000000000000000000000000000000000000000",
            "e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76",
            "6a493210f7499cd17fecb510ae0cea23a110e8d5b901f8acadd3095c73a3b919",
            "94741f5d5d52755ece4f23f044ee27d5d1ea1e2bd196b462166b16152a9d0259",
            "da80862773358b466ffadfe0b3293ab3d9fd53c5ea6c955358f568322daf6a57",
        ];
        for (k, want) in multiples.iter().enumerate() {
            let p = &Scalar::from(k as u64) * RISTRETTO_BASEPOINT_TABLE;
            assert_eq!(p.compress().as_bytes().to_vec(), unhex(want), "{k}B");
            assert_eq!(decode(&unhex(want)), Some(p));
        }
        // RFC 9496 A.3: the one-way map on SHA-512 of the labels (as `hash_to_group` uses it).
        let labels = [
            (
                "Ristretto is traditionally a short shot of espresso coffee",
                "3066f82a1a747d45120d1740f14358531a8f04bbffe6a819f86dfe50f44a0a46",
            ),
            (
                "by using a finer grind.",
                "f8f0c87cf237953c5890aec3998169005dae3eca1fbb04548c635953c817f92a",
            ),
        ];
        for (label, want) in labels {
            let wide: [u8; 64] = Sha512::digest(label.as_bytes()).into();
            let p = RistrettoPoint::from_uniform_bytes(&wide);
            assert_eq!(p.compress().as_bytes().to_vec(), unhex(want), "{label}");
        }
        // A.2-style invalid encoding: a non-canonical field element is refused.
        assert!(
            decode(&unhex(
                "00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
            ))
            .is_none()
        );
    }
}
