//! A thin async driver: runs the state machines between two parties of a session over any
//! [`Transport`] (the in-memory mesh or mutual TLS), pairwise in an n-party session.

use crate::context::OtContext;
use crate::error::OtError;
use crate::expand::Variant;
use crate::ext::{ExtReceiver, ExtReceiverSetup, ExtSender};
use crate::output::{ReceiverCots, SenderCots};
use crate::vole::{VoleSeedChoices, VoleSeedPairs, VoleSeedSetup};
use spdz2k_net::Transport;

/// Extension setup, sender side (Δ holder): answers the receiver's base-OT message, then
/// takes its tree message. Both sides must use the same `variant`.
pub async fn setup_sender<T: Transport, R: rand::CryptoRng + Send + ?Sized>(
    t: &mut T,
    ctx: &OtContext,
    variant: Variant,
    rng: &mut R,
) -> Result<ExtSender, OtError> {
    t.begin_round("OT setup (base OT)");
    let m1 = t.recv(ctx.receiver()).await?;
    let (s, m2) = ExtSender::setup(ctx, variant, &m1, rng)?;
    t.send(ctx.receiver(), m2).await?;
    let m3 = t.recv(ctx.receiver()).await?;
    s.finish(&m3)
}

/// Extension setup, receiver side.
pub async fn setup_receiver<T: Transport, R: rand::CryptoRng + Send + ?Sized>(
    t: &mut T,
    ctx: &OtContext,
    variant: Variant,
    rng: &mut R,
) -> Result<ExtReceiver, OtError> {
    t.begin_round("OT setup (base OT)");
    let (r, m1) = ExtReceiverSetup::start(ctx, variant, rng);
    t.send(ctx.sender(), m1).await?;
    let m2 = t.recv(ctx.sender()).await?;
    let (r, m3) = r.finish(&m2, rng)?;
    t.send(ctx.sender(), m3).await?;
    Ok(r)
}

/// One extension chunk of `m` OTs, sender side.
pub async fn extend_sender<T: Transport, R: rand::Rng + Send + ?Sized>(
    t: &mut T,
    s: &mut ExtSender,
    m: usize,
    rng: &mut R,
) -> Result<SenderCots, OtError> {
    let peer = s.context().receiver();
    t.begin_round("OT extension");
    let m1 = t.recv(peer).await?;
    let m2 = s.respond(&m1, m, rng)?;
    t.send(peer, m2).await?;
    let m3 = t.recv(peer).await?;
    s.finish(&m3)
}

/// One extension chunk of `m` OTs, receiver side, with the given packed choice bits or
/// (with `None`) uniformly random ones.
pub async fn extend_receiver<T: Transport, R: rand::Rng + Send + ?Sized>(
    t: &mut T,
    r: &mut ExtReceiver,
    choices: Option<&[u128]>,
    m: usize,
    rng: &mut R,
) -> Result<ReceiverCots, OtError> {
    let peer = r.context().sender();
    t.begin_round("OT extension");
    let m1 = match choices {
        Some(c) => r.extend(c, m, rng)?,
        None => r.extend_random(m, rng)?,
    };
    t.send(peer, m1).await?;
    let m2 = t.recv(peer).await?;
    let (cots, m3) = r.finish(&m2)?;
    t.send(peer, m3).await?;
    Ok(cots)
}

/// Chunks kept in flight by [`extend_pipelined`] (at most [`crate::ext::MAX_PENDING`]).
pub const PIPELINE_DEPTH: usize = 2;

/// Streams `chunks` chunks of `m` OTs on one side of an instance (the receiver with random
/// choice bits, or the sender) with [`PIPELINE_DEPTH`] chunks in flight: the receiver
/// builds chunk k+1's matrix while the sender works on chunk k. Each chunk's output goes to
/// `sink`, in order, as soon as it is complete; nothing else is kept. The other side runs
/// the same function with the same `m` and `chunks`.
pub async fn extend_pipelined<T, S, R, F>(
    t: &mut T,
    side: &mut S,
    m: usize,
    chunks: usize,
    rng: &mut R,
    mut sink: F,
) -> Result<(), OtError>
where
    T: Transport,
    S: ChunkSide,
    R: rand::Rng + Send + ?Sized,
    F: FnMut(S::Cots) -> Result<(), OtError> + Send,
{
    let peer = side.peer();
    t.begin_round("OT extension (pipelined)");
    let (mut started, mut finished) = (0, 0);
    while finished < chunks {
        while started < chunks && started - finished < PIPELINE_DEPTH {
            let msg = if S::ANSWERS {
                t.recv(peer).await?
            } else {
                Vec::new()
            };
            let out = side.start_chunk(&msg, m, rng)?;
            t.send(peer, out).await?;
            started += 1;
        }
        let msg = t.recv(peer).await?;
        let (cots, reply) = side.finish_chunk(&msg)?;
        if let Some(reply) = reply {
            t.send(peer, reply).await?;
        }
        sink(cots)?;
        finished += 1;
    }
    Ok(())
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for crate::ext::ExtReceiver {}
    impl Sealed for crate::ext::ExtSender {}
}

/// One side of an extension instance as [`extend_pipelined`] runs it: [`ExtReceiver`]
/// (with random choice bits) or [`ExtSender`]. Sealed; the steps are the sides' own.
pub trait ChunkSide: sealed::Sealed {
    /// A chunk's correlated OTs on this side.
    type Cots;
    /// Whether a chunk starts with the peer's message (the sender answers the matrix).
    const ANSWERS: bool;
    /// The other party of the instance.
    fn peer(&self) -> usize;
    /// Starts a chunk of `m` OTs, answering `msg` (empty for the receiver); returns the
    /// message for the peer.
    fn start_chunk<R: rand::Rng + ?Sized>(
        &mut self,
        msg: &[u8],
        m: usize,
        rng: &mut R,
    ) -> Result<Vec<u8>, OtError>;
    /// Finishes the oldest chunk with the peer's message; returns its OTs and the reply
    /// for the peer, if any.
    fn finish_chunk(&mut self, msg: &[u8]) -> Result<(Self::Cots, Option<Vec<u8>>), OtError>;
}

impl ChunkSide for ExtReceiver {
    type Cots = ReceiverCots;
    const ANSWERS: bool = false;
    fn peer(&self) -> usize {
        self.context().sender()
    }
    fn start_chunk<R: rand::Rng + ?Sized>(
        &mut self,
        _msg: &[u8],
        m: usize,
        rng: &mut R,
    ) -> Result<Vec<u8>, OtError> {
        self.extend_random(m, rng)
    }
    fn finish_chunk(&mut self, msg: &[u8]) -> Result<(ReceiverCots, Option<Vec<u8>>), OtError> {
        let (cots, check) = self.finish(msg)?;
        Ok((cots, Some(check)))
    }
}

impl ChunkSide for ExtSender {
    type Cots = SenderCots;
    const ANSWERS: bool = true;
    fn peer(&self) -> usize {
        self.context().receiver()
    }
    fn start_chunk<R: rand::Rng + ?Sized>(
        &mut self,
        msg: &[u8],
        m: usize,
        rng: &mut R,
    ) -> Result<Vec<u8>, OtError> {
        self.respond(msg, m, rng)
    }
    fn finish_chunk(&mut self, msg: &[u8]) -> Result<(SenderCots, Option<Vec<u8>>), OtError> {
        Ok((self.finish(msg)?, None))
    }
}

/// Correlated OT over Z_2^l, sender side: sends the corrections, returns `z_j`.
pub async fn send_words<T: Transport, const L: usize>(
    t: &mut T,
    peer: usize,
    cots: SenderCots,
    l_bits: usize,
    b: &[[u64; L]],
) -> Result<Vec<[u64; L]>, OtError> {
    t.begin_round("correlated OT over Z_2^l");
    let (z, msg) = cots.send_words::<L>(l_bits, b)?;
    t.send(peer, msg).await?;
    Ok(z)
}

/// Correlated OT over Z_2^l, receiver side: returns `y_j`.
pub async fn receive_words<T: Transport, const L: usize>(
    t: &mut T,
    peer: usize,
    cots: ReceiverCots,
    l_bits: usize,
) -> Result<Vec<[u64; L]>, OtError> {
    t.begin_round("correlated OT over Z_2^l");
    let msg = t.recv(peer).await?;
    cots.receive_words::<L>(l_bits, &msg)
}

/// VOLE seed pairs, party i (`ctx.sender()`): `s` pairs.
pub async fn vole_seeds_sender<T: Transport, R: rand::CryptoRng + Send + ?Sized>(
    t: &mut T,
    ctx: &OtContext,
    s: usize,
    rng: &mut R,
) -> Result<VoleSeedPairs, OtError> {
    t.begin_round("VOLE seed base OT");
    let (setup, m1) = VoleSeedSetup::start(ctx, s, rng);
    t.send(ctx.receiver(), m1).await?;
    let m2 = t.recv(ctx.receiver()).await?;
    setup.finish(&m2)
}

/// VOLE seed pairs, party j (`ctx.receiver()`): chooses with the bits of its key share.
pub async fn vole_seeds_receiver<T: Transport, R: rand::CryptoRng + Send + ?Sized>(
    t: &mut T,
    ctx: &OtContext,
    key_bits: &[bool],
    rng: &mut R,
) -> Result<VoleSeedChoices, OtError> {
    t.begin_round("VOLE seed base OT");
    let m1 = t.recv(ctx.sender()).await?;
    let (choices, m2) = VoleSeedChoices::receive(ctx, key_bits, &m1, rng)?;
    t.send(ctx.sender(), m2).await?;
    Ok(choices)
}

/// This party's extension instances with every peer of an n-party session: as sender to
/// each peer and as receiver from each peer (index = peer; this party's own entry is `None`).
#[derive(Debug)]
pub struct PairwiseOt {
    /// `senders[p]`: this party sends (holds Δ) to peer p.
    pub senders: Vec<Option<ExtSender>>,
    /// `receivers[p]`: this party receives from peer p.
    pub receivers: Vec<Option<ExtReceiver>>,
}

/// Sets up extension instance `instance` for every ordered pair of the session, visiting
/// the pairs in one global order so that no two parties wait on each other.
pub async fn setup_all_pairs<T: Transport, R: rand::CryptoRng + Send + ?Sized>(
    t: &mut T,
    instance: u64,
    variant: Variant,
    rng: &mut R,
) -> Result<PairwiseOt, OtError> {
    let (me, n) = (t.party(), t.n_parties());
    let session = t.session_id().clone();
    let mut out = PairwiseOt {
        senders: (0..n).map(|_| None).collect(),
        receivers: (0..n).map(|_| None).collect(),
    };
    for s in 0..n {
        for r in (0..n).filter(|&r| r != s) {
            let ctx = OtContext::new(session.clone(), s, r, instance);
            if me == s {
                out.senders[r] = Some(setup_sender(t, &ctx, variant, rng).await?);
            } else if me == r {
                out.receivers[s] = Some(setup_receiver(t, &ctx, variant, rng).await?);
            }
        }
    }
    Ok(out)
}
