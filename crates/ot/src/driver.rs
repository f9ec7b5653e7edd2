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

/// Chunks kept in flight by the pipelined drivers (at most [`crate::ext::MAX_PENDING`]).
pub const PIPELINE_DEPTH: usize = 2;

/// Streams `chunks` chunks of `m` random-choice OTs, receiver side, with
/// [`PIPELINE_DEPTH`] chunks in flight: the receiver builds chunk k+1's matrix while the
/// sender works on chunk k. Each chunk's output goes to `sink`, in order, as soon as it is
/// complete; nothing else is kept. The sender runs [`extend_sender_pipelined`] with the
/// same `m` and `chunks`.
pub async fn extend_receiver_pipelined<T, R, F>(
    t: &mut T,
    r: &mut ExtReceiver,
    m: usize,
    chunks: usize,
    rng: &mut R,
    mut sink: F,
) -> Result<(), OtError>
where
    T: Transport,
    R: rand::Rng + Send + ?Sized,
    F: FnMut(ReceiverCots) -> Result<(), OtError> + Send,
{
    let peer = r.context().sender();
    t.begin_round("OT extension (pipelined)");
    let (mut started, mut finished) = (0, 0);
    while finished < chunks {
        while started < chunks && started - finished < PIPELINE_DEPTH {
            let m1 = r.extend_random(m, rng)?;
            t.send(peer, m1).await?;
            started += 1;
        }
        let m2 = t.recv(peer).await?;
        let (cots, m3) = r.finish(&m2)?;
        t.send(peer, m3).await?;
        sink(cots)?;
        finished += 1;
    }
    Ok(())
}

/// The sender's side of [`extend_receiver_pipelined`].
pub async fn extend_sender_pipelined<T, R, F>(
    t: &mut T,
    s: &mut ExtSender,
    m: usize,
    chunks: usize,
    rng: &mut R,
    mut sink: F,
) -> Result<(), OtError>
where
    T: Transport,
    R: rand::Rng + Send + ?Sized,
    F: FnMut(SenderCots) -> Result<(), OtError> + Send,
{
    let peer = s.context().receiver();
    t.begin_round("OT extension (pipelined)");
    let (mut responded, mut finished) = (0, 0);
    while finished < chunks {
        while responded < chunks && responded - finished < PIPELINE_DEPTH {
            let m1 = t.recv(peer).await?;
            let m2 = s.respond(&m1, m, rng)?;
            t.send(peer, m2).await?;
            responded += 1;
        }
        let m3 = t.recv(peer).await?;
        sink(s.finish(&m3)?)?;
        finished += 1;
    }
    Ok(())
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
