//! Coin tossing between two parties: one commits to a seed (SHA-256 through
//! `spdz2k_core::commit`, bound to the instance tag, the committing party, a purpose label
//! and a sequence number), the other answers with its seed in the clear, the first opens;
//! the XOR of the two seeds keys an AES-CTR stream. Neither party alone controls it.

use crate::block::Block;
use crate::cipher::AesPrg;
use crate::context::OtContext;
use spdz2k_core::commit::{self, Commitment, Nonce};

/// A committed coin share, opened later.
pub struct CommittedCoin {
    seed: Block,
    nonce: Nonce,
    commitment: Commitment,
}

impl core::fmt::Debug for CommittedCoin {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CommittedCoin")
            .field("commitment", &self.commitment)
            .finish_non_exhaustive()
    }
}

fn value(ctx: &OtContext, purpose: &[u8], seq: u64, seed: Block) -> Vec<u8> {
    let mut v = Vec::with_capacity(32 + purpose.len() + 8 + 8 + 16);
    v.extend_from_slice(ctx.tag());
    v.extend_from_slice(&(purpose.len() as u64).to_le_bytes());
    v.extend_from_slice(purpose);
    v.extend_from_slice(&seq.to_le_bytes());
    v.extend_from_slice(&seed.to_bytes());
    v
}

/// The commitment context: the session and the toss number (the value committed binds the
/// pair, the instance and the purpose as well).
fn commit_context(ctx: &OtContext, seq: u64) -> commit::CommitContext {
    commit::CommitContext::for_protocol("ot-coins", ctx.session(), seq)
}

impl CommittedCoin {
    /// Draws a fresh seed and commits `committer` to it for (`ctx`, `purpose`, `seq`).
    pub fn new<R: rand::Rng + ?Sized>(
        ctx: &OtContext,
        committer: usize,
        purpose: &[u8],
        seq: u64,
        rng: &mut R,
    ) -> Self {
        let seed = Block::random(rng);
        let (commitment, nonce) = commit::commit(
            &commit_context(ctx, seq),
            committer,
            &value(ctx, purpose, seq, seed),
            rng,
        );
        CommittedCoin {
            seed,
            nonce,
            commitment,
        }
    }
    /// The commitment to send first.
    pub fn commitment(&self) -> Commitment {
        self.commitment
    }
    /// The seed and nonce to send after the peer's seed has arrived.
    pub fn opening(&self) -> (Block, Nonce) {
        (self.seed, self.nonce)
    }
}

/// Whether (`seed`, `nonce`) opens `commitment` made by `committer` for (`ctx`, `purpose`,
/// `seq`); compared in constant time.
pub fn verify_opening(
    ctx: &OtContext,
    committer: usize,
    purpose: &[u8],
    seq: u64,
    seed: Block,
    nonce: &Nonce,
    commitment: &Commitment,
) -> bool {
    commit::verify(
        &commit_context(ctx, seq),
        committer,
        &value(ctx, purpose, seq, seed),
        nonce,
        commitment,
    )
}

/// The public coin stream keyed by the XOR of both seeds.
pub fn coin_stream(committed_seed: Block, clear_seed: Block) -> AesPrg {
    AesPrg::new(committed_seed ^ clear_seed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use spdz2k_core::SessionId;

    #[test]
    fn opening_binds_seed_party_purpose_and_sequence() {
        let ctx = OtContext::new(SessionId::new("coin").unwrap(), 0, 1, 0);
        let mut rng = spdz2k_core::rng::seeded_rng([3; 32]);
        let c = CommittedCoin::new(&ctx, 1, b"kos-chi", 4, &mut rng);
        let (seed, nonce) = c.opening();
        let com = c.commitment();
        assert!(verify_opening(&ctx, 1, b"kos-chi", 4, seed, &nonce, &com));
        assert!(!verify_opening(&ctx, 0, b"kos-chi", 4, seed, &nonce, &com));
        assert!(!verify_opening(&ctx, 1, b"kos-chj", 4, seed, &nonce, &com));
        assert!(!verify_opening(&ctx, 1, b"kos-chi", 5, seed, &nonce, &com));
        assert!(!verify_opening(
            &ctx,
            1,
            b"kos-chi",
            4,
            seed ^ Block(1),
            &nonce,
            &com
        ));
        let other = OtContext::new(SessionId::new("coin").unwrap(), 0, 1, 1);
        assert!(!verify_opening(
            &other, 1, b"kos-chi", 4, seed, &nonce, &com
        ));
        let mut a = coin_stream(seed, Block(9));
        let mut b = coin_stream(seed, Block(9));
        assert_eq!(a.blocks(4), b.blocks(4));
    }
}
