//! Multiplication and the dot product: Beaver openings in pipelined sub-batches, combined
//! into every product's shares or only into their sum.

use crate::error::EngineError;
use crate::phase::Phase;
use crate::secret::Secret;
use crate::session::Session;
use crate::stock::HeldTriples;
use core::ops::Range;
use spdz2k_core::{
    AuthShares, SharesRef, TriplesRef, beaver_check_terms_into, beaver_combine_into,
    beaver_combine_sum, beaver_opening_values_into,
};
use spdz2k_net::Transport;
use spdz2k_prep::Preprocessing;
use spdz2k_ring::{Params, Word};
use std::collections::VecDeque;

impl<P: Params, T: Transport, Pr: Preprocessing<P>> Session<P, T, Pr> {
    /// \[a\] * \[b\] elementwise: one round for the whole batch (2 openings per product).
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/doc/two_parties.rs"));
    /// # fn main() {
    /// // A million products take one round per sub-batch; here, three.
    /// let v = two_parties(|mut s: S| async move {
    ///     let me = s.party();
    ///     let a = s.input_signed(0, (me == 0).then_some(&[2i128, -3, 4][..]), 3).await?;
    ///     let b = s.input_signed(1, (me == 1).then_some(&[5i128, 6, -7][..]), 3).await?;
    ///     let c = s.mul(&a, &b).await?;
    ///     let v = s.open_signed(&c).await?;
    ///     s.finish().await?;
    ///     Ok(v)
    /// });
    /// assert_eq!(v[0], vec![10, -18, -28]);
    /// # }
    /// ```
    pub async fn mul(&mut self, a: &Secret<P>, b: &Secret<P>) -> Result<Secret<P>, EngineError> {
        self.live()?;
        let r = self.mul_inner(a, b).await;
        self.guarded(r)
    }

    async fn mul_inner(&mut self, a: &Secret<P>, b: &Secret<P>) -> Result<Secret<P>, EngineError> {
        let n = a.len();
        let (mut values, mut macs) = (Vec::with_capacity(n), Vec::with_capacity(n));
        let (key, party) = (self.key, self.party);
        self.multiply(a, b, |t, opened| {
            beaver_combine_into(t, opened, &key, party, &mut values, &mut macs);
        })
        .await?;
        let z = AuthShares::from_parts(values, macs).expect("equal lengths by construction");
        Ok(Secret::new(z))
    }

    /// The products of `a` and `b`, each sub-batch's opened e and d handed with its triples
    /// to `combine`; then the MAC check if one is due.
    async fn multiply(
        &mut self,
        a: &Secret<P>,
        b: &Secret<P>,
        combine: impl FnMut(TriplesRef<'_, P>, &[P::Word]),
    ) -> Result<(), EngineError> {
        self.same_len(a, b)?;
        self.ensure_agreed().await?;
        let held = self.hold_triples(a.len())?;
        let r = self.mul_batches(a, b, &held, combine).await;
        self.release_triples(held);
        r?;
        self.check_if_due().await
    }

    /// The Beaver openings of a multiplication in pipelined sub-batches: sub-batch i+1 is
    /// sent before sub-batch i is received and combined, so the network and the arithmetic
    /// overlap. The values sent are the same whatever the sub-batch size (which every party
    /// must share), cut into messages of 2 x sub-batch values.
    async fn mul_batches(
        &mut self,
        a: &Secret<P>,
        b: &Secret<P>,
        held: &HeldTriples<P>,
        mut combine: impl FnMut(TriplesRef<'_, P>, &[P::Word]),
    ) -> Result<(), EngineError> {
        let n = a.len();
        let (key, phase) = (self.key, Phase::BeaverOpening);
        let step = self.sub_batch;
        // At least one (possibly empty) opening, as for any multiplication.
        let batches: Vec<Range<usize>> = (0..n.max(1))
            .step_by(step)
            .map(|s| s..s.saturating_add(step).min(n))
            .collect();
        self.transport.begin_round(phase.name());
        let operands = |r: &Range<usize>| {
            (
                SharesRef::of(&a.shares, r.clone()),
                SharesRef::of(&b.shares, r.clone()),
                TriplesRef::of(&held.triples, held.at + r.start..held.at + r.end),
            )
        };
        let mut in_flight = VecDeque::with_capacity(2);
        let mut next = 0;
        for r in &batches {
            // Keep one sub-batch ahead: sub-batches 0 and 1 go out before 0 comes back.
            while next < batches.len() && in_flight.len() < 2 {
                let (x, y, t) = operands(&batches[next]);
                let mut ev = self.pool.words.get();
                beaver_opening_values_into(x, y, t, &mut ev);
                in_flight.push_back(self.send_opening(phase, ev).await?);
                next += 1;
            }
            let Some(sent) = in_flight.pop_front() else {
                break;
            };
            let opened = self.recv_opening(phase, sent).await?;
            let (x, y, t) = operands(r);
            combine(t, &opened);
            // The log keeps check terms, made from the MAC shares of the inputs and triples;
            // the opened values' memory serves the next openings.
            let mut terms = self.pool.words.get();
            beaver_check_terms_into(x, y, t, &opened, &key, &mut terms);
            self.pending.push_terms(terms);
            self.pool.words.put(opened);
        }
        Ok(())
    }

    /// sum_j \[a_j\] * \[b_j\]: one round, a secret vector of length 1.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/doc/two_parties.rs"));
    /// # fn main() {
    /// let v = two_parties(|mut s: S| async move {
    ///     let me = s.party();
    ///     let a = s.input_signed(0, (me == 0).then_some(&[1i128, 2, 3][..]), 3).await?;
    ///     let b = s.input_signed(1, (me == 1).then_some(&[4i128, 5, 6][..]), 3).await?;
    ///     let d = s.dot(&a, &b).await?;
    ///     let v = s.open_signed(&d).await?;
    ///     s.finish().await?;
    ///     Ok(v)
    /// });
    /// assert_eq!(v[1], vec![32]);
    /// # }
    /// ```
    pub async fn dot(&mut self, a: &Secret<P>, b: &Secret<P>) -> Result<Secret<P>, EngineError> {
        self.live()?;
        let r = self.dot_inner(a, b).await;
        self.guarded(r)
    }

    /// The products are summed as they are combined: no vector of products is made.
    async fn dot_inner(&mut self, a: &Secret<P>, b: &Secret<P>) -> Result<Secret<P>, EngineError> {
        let (key, party) = (self.key, self.party);
        let (mut value, mut mac) = (<P::Word as Word>::ZERO, <P::Word as Word>::ZERO);
        self.multiply(a, b, |t, opened| {
            let (v, m) = beaver_combine_sum(t, opened, &key, party);
            value = P::add(value, v);
            mac = P::add(mac, m);
        })
        .await?;
        let z = AuthShares::from_parts(vec![value], vec![mac]).expect("one value, one MAC");
        Ok(Secret::new(z))
    }
}
