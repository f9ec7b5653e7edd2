//! An INSECURE trusted dealer for tests and benchmarks.
//!
//! It knows the MAC key and every secret it deals, so whoever runs it can forge anything.
//! Never use it where real secrets are computed on: the real preprocessing is OT-based.
//!
//! Each kind of material comes from its own ChaCha20 stream keyed by SHA-256(seed, kind),
//! and every element is dealt in sequence, so two processes with the same seed deal the
//! same material whatever batch sizes they ask for. That lets separate party processes
//! each derive only their own shares from a shared seed.

use crate::beaver::Triples;
use crate::key_set::KeySetId;
use crate::rng::seeded_rng;
use crate::shares::{AuthShares, MacKeyShare};
use rand::rngs::ChaCha20Rng;
use sha2::{Digest, Sha256};
use spdz2k_ring::{Params, Word};
use std::collections::BTreeMap;

/// The insecure dealer. See the module docs.
pub struct InsecureDealer<P: Params> {
    n: usize,
    seed: [u8; 32],
    alpha_shares: Vec<P::Word>,
    alpha: P::Word,
    streams: BTreeMap<String, ChaCha20Rng>,
}

impl<P: Params> core::fmt::Debug for InsecureDealer<P> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "InsecureDealer<{}>(n = {}, INSECURE)", P::NAME, self.n)
    }
}

impl<P: Params> InsecureDealer<P> {
    /// A dealer for `n` parties from a 32-byte seed.
    pub fn new(n: usize, seed: [u8; 32]) -> Self {
        let mut key_rng = Self::stream_for(&seed, "mac-key");
        let alpha_shares: Vec<P::Word> = (0..n).map(|_| P::random_s(&mut key_rng)).collect();
        let alpha = alpha_shares
            .iter()
            .fold(P::Word::ZERO, |a, &x| P::add(a, x));
        Self {
            n,
            seed,
            alpha_shares,
            alpha,
            streams: BTreeMap::new(),
        }
    }

    fn stream_for(seed: &[u8; 32], kind: &str) -> ChaCha20Rng {
        let mut h = Sha256::new();
        h.update(b"spdz2k-insecure-dealer-v1");
        h.update(seed);
        h.update(kind.as_bytes());
        seeded_rng(h.finalize().into())
    }

    fn stream(&mut self, kind: &str) -> &mut ChaCha20Rng {
        let seed = self.seed;
        self.streams
            .entry(kind.to_owned())
            .or_insert_with(|| Self::stream_for(&seed, kind))
    }

    /// Number of parties.
    pub fn n_parties(&self) -> usize {
        self.n
    }
    /// Party i's MAC key share.
    pub fn mac_key_share(&self, party: usize) -> MacKeyShare<P> {
        MacKeyShare::new(self.alpha_shares[party])
    }
    /// The global MAC key alpha (tests only).
    pub fn mac_key(&self) -> P::Word {
        self.alpha
    }
    /// The ID of this dealer's key set (a hash of the seed; reveals nothing of the key).
    pub fn key_set_id(&self) -> KeySetId {
        let mut h = Sha256::new();
        h.update(b"spdz2k-key-set-id-v1");
        h.update(self.seed);
        let d: [u8; 32] = h.finalize().into();
        let mut id = [0u8; 16];
        id.copy_from_slice(&d[..16]);
        KeySetId(id)
    }

    /// Authenticates and shares `secrets` using the stream `kind`: one share vector per
    /// party, or only party `only`'s when it is `Some` (the stream is consumed the same way,
    /// so the shares are the same; the other parties' are just not kept).
    fn share_with(
        &mut self,
        kind: &str,
        secrets: &[P::Word],
        only: Option<usize>,
    ) -> Vec<AuthShares<P>> {
        let n = self.n;
        let alpha = self.alpha;
        let rng = self.stream(kind);
        let kept = |i: usize| only.is_none_or(|p| p == i);
        // One allocation per kept vector, sized up front (`vec![v; n]` would clone `v`
        // without its capacity, and the vectors would regrow while filling).
        let fresh = |i: usize| Vec::with_capacity(if kept(i) { secrets.len() } else { 0 });
        let mut values: Vec<Vec<P::Word>> = (0..n).map(fresh).collect();
        let mut macs: Vec<Vec<P::Word>> = (0..n).map(fresh).collect();
        for &x in secrets {
            let mut rest_v = x;
            let mut rest_m = P::mul(alpha, x);
            for i in 0..n - 1 {
                let (v, m) = (P::random(rng), P::random(rng));
                if kept(i) {
                    values[i].push(v);
                    macs[i].push(m);
                }
                rest_v = P::sub(rest_v, v);
                rest_m = P::sub(rest_m, m);
            }
            if kept(n - 1) {
                values[n - 1].push(rest_v);
                macs[n - 1].push(rest_m);
            }
        }
        values
            .into_iter()
            .zip(macs)
            .enumerate()
            .filter(|&(i, _)| kept(i))
            .map(|(_, (v, m))| AuthShares::from_parts(v, m).expect("equal lengths by construction"))
            .collect()
    }

    /// Authenticated shares of given secrets (tests), one vector per party.
    pub fn share(&mut self, secrets: &[P::Word]) -> Vec<AuthShares<P>> {
        self.share_with("given", secrets, None)
    }

    /// `count` authenticated uniform randoms: (the secrets, one share vector per party).
    pub fn randoms(&mut self, count: usize) -> (Vec<P::Word>, Vec<AuthShares<P>>) {
        self.randoms_in("random", count)
    }

    /// Like [`InsecureDealer::randoms`], from the independent stream `stream` (so that,
    /// e.g., opening masks and general randoms are consumed independently).
    pub fn randoms_in(&mut self, stream: &str, count: usize) -> (Vec<P::Word>, Vec<AuthShares<P>>) {
        let (values, shares) = (format!("{stream}-values"), format!("{stream}-shares"));
        self.randoms_for(&values, &shares, count, None)
    }

    /// [`InsecureDealer::randoms_in`] keeping only party `party`'s shares: the same shares,
    /// without building the other parties'.
    pub fn randoms_in_for(
        &mut self,
        stream: &str,
        count: usize,
        party: usize,
    ) -> (Vec<P::Word>, AuthShares<P>) {
        let (values, shares) = (format!("{stream}-values"), format!("{stream}-shares"));
        let (secrets, mut shares) = self.randoms_for(&values, &shares, count, Some(party));
        (secrets, shares.pop().unwrap_or_default())
    }

    /// Secrets from the stream `values`, shared with the stream `shares`.
    fn randoms_for(
        &mut self,
        values: &str,
        shares: &str,
        count: usize,
        only: Option<usize>,
    ) -> (Vec<P::Word>, Vec<AuthShares<P>>) {
        let secrets: Vec<P::Word> = {
            let rng = self.stream(values);
            (0..count).map(|_| P::random(rng)).collect()
        };
        let shares = self.share_with(shares, &secrets, only);
        (secrets, shares)
    }

    /// `count` input masks for `owner`: (the clear masks, which only the owner may learn,
    /// and one share vector per party).
    pub fn input_masks(
        &mut self,
        owner: usize,
        count: usize,
    ) -> (Vec<P::Word>, Vec<AuthShares<P>>) {
        let (values, shares) = Self::input_mask_streams(owner);
        self.randoms_for(&values, &shares, count, None)
    }

    /// [`InsecureDealer::input_masks`] keeping only party `party`'s shares.
    pub fn input_masks_for(
        &mut self,
        owner: usize,
        count: usize,
        party: usize,
    ) -> (Vec<P::Word>, AuthShares<P>) {
        let (values, shares) = Self::input_mask_streams(owner);
        let (secrets, mut shares) = self.randoms_for(&values, &shares, count, Some(party));
        (secrets, shares.pop().unwrap_or_default())
    }

    fn input_mask_streams(owner: usize) -> (String, String) {
        (
            format!("input-mask-values-{owner}"),
            format!("input-mask-shares-{owner}"),
        )
    }

    /// `count` multiplication triples, one batch per party.
    pub fn triples(&mut self, count: usize) -> Vec<Triples<P>> {
        self.triples_inner(count, None)
    }

    /// [`InsecureDealer::triples`] keeping only party `party`'s shares.
    pub fn triples_for(&mut self, count: usize, party: usize) -> Triples<P> {
        let mut t = self.triples_inner(count, Some(party));
        t.pop().unwrap_or_else(|| Triples {
            a: AuthShares::default(),
            b: AuthShares::default(),
            c: AuthShares::default(),
        })
    }

    fn triples_inner(&mut self, count: usize, only: Option<usize>) -> Vec<Triples<P>> {
        let (a, b): (Vec<P::Word>, Vec<P::Word>) = {
            let rng = self.stream("triple-values");
            (0..count).map(|_| (P::random(rng), P::random(rng))).unzip()
        };
        let c: Vec<P::Word> = a.iter().zip(&b).map(|(&x, &y)| P::mul(x, y)).collect();
        let sa = self.share_with("triple-shares-a", &a, only);
        let sb = self.share_with("triple-shares-b", &b, only);
        let sc = self.share_with("triple-shares-c", &c, only);
        sa.into_iter()
            .zip(sb)
            .zip(sc)
            .map(|((a, b), c)| Triples { a, b, c })
            .collect()
    }
}
