//! The embedding API of a session: inputs, linear operations, openings and outputs
//! (multiplications are in `multiply`).

use crate::error::EngineError;
use crate::phase::Phase;
use crate::rounds::{Digest, InputMsg};
use crate::secret::Secret;
use crate::session::Session;
use spdz2k_core::{AuthShares, WireMsg, mask_for_opening, unmask_opened};
use spdz2k_net::Transport;
use spdz2k_prep::Preprocessing;
use spdz2k_ring::{self as ring, Params};

impl<P: Params, T: Transport, Pr: Preprocessing<P>> Session<P, T, Pr> {
    /// Secret-shares `len` values owned by party `owner`. The owner passes `Some(values)`
    /// (interpreted mod 2^k); every other party passes `None`. One round: the owner
    /// broadcasts x - r for input masks r only it knows.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/doc/two_parties.rs"));
    /// # fn main() {
    /// // P0 inputs two values, P1 one; every party learns only its shares.
    /// let sums = two_parties(|mut s: S| async move {
    ///     let me = s.party();
    ///     let x = s.input(0, (me == 0).then_some(&[3u128, 4][..]), 2).await?;
    ///     let y = s.input(1, (me == 1).then_some(&[10u128][..]), 1).await?;
    ///     let total = s.add(&s.sum(&x), &y)?;
    ///     let v = s.open(&total).await?;
    ///     s.finish().await?;
    ///     Ok(v)
    /// });
    /// assert_eq!(sums, vec![vec![17], vec![17]]);
    /// # }
    /// ```
    pub async fn input(
        &mut self,
        owner: usize,
        values: Option<&[P::Word]>,
        len: usize,
    ) -> Result<Secret<P>, EngineError> {
        self.live()?;
        let r = self.input_inner(owner, values, len).await;
        self.guarded(r)
    }

    async fn input_inner(
        &mut self,
        owner: usize,
        values: Option<&[P::Word]>,
        len: usize,
    ) -> Result<Secret<P>, EngineError> {
        if owner >= self.n {
            return Err(self.usage(format!(
                "no party {owner} in a session of {} parties",
                self.n
            )));
        }
        self.ensure_agreed().await?;
        let masks = self.draw_input_masks(owner, len)?;
        let own = if owner == self.party {
            let values = values.ok_or_else(|| {
                self.usage(format!("party {owner} owns this input but gave no values"))
            })?;
            if values.len() != len {
                return Err(self.usage(format!(
                    "{} input values given, {len} declared",
                    values.len()
                )));
            }
            let clear = masks
                .clear
                .as_ref()
                .ok_or_else(|| self.usage("input masks without the owner's clear values"))?;
            let eps: Vec<P::Word> = values
                .iter()
                .zip(clear)
                .map(|(&x, &r)| P::sub(P::reduce(x), r))
                .collect();
            Some(WireMsg::Input(eps))
        } else {
            None
        };
        let msg = self.broadcast_round(Phase::Input, owner, own).await?;
        let InputMsg(eps) = self.expect(Phase::Input, owner, msg, Some(len))?;
        let mut shares = masks.shares;
        shares.add_public(&eps, &self.key, self.party);
        Ok(Secret::new(shares))
    }

    /// [`Session::input`] for signed integers (taken mod 2^k).
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/doc/two_parties.rs"));
    /// # fn main() {
    /// let v = two_parties(|mut s: S| async move {
    ///     let x = s.input_signed(0, (s.party() == 0).then_some(&[-5i128][..]), 1).await?;
    ///     let v = s.open_signed(&x).await?;
    ///     s.finish().await?;
    ///     Ok(v)
    /// });
    /// assert_eq!(v[1], vec![-5]);
    /// # }
    /// ```
    pub async fn input_signed(
        &mut self,
        owner: usize,
        values: Option<&[i128]>,
        len: usize,
    ) -> Result<Secret<P>, EngineError> {
        let words: Option<Vec<P::Word>> =
            values.map(|v| v.iter().map(|&x| P::from_i128(x)).collect());
        self.input(owner, words.as_deref(), len).await
    }

    /// [`Session::open`], read as k-bit two's-complement integers.
    pub async fn open_signed(&mut self, a: &Secret<P>) -> Result<Vec<i128>, EngineError> {
        Ok(self.open(a).await?.into_iter().map(P::to_signed).collect())
    }

    /// \[a\] + \[b\].
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/doc/two_parties.rs"));
    /// # fn main() {
    /// let v = two_parties(|mut s: S| async move {
    ///     let me = s.party();
    ///     let a = s.input_signed(0, (me == 0).then_some(&[1i128, 2][..]), 2).await?;
    ///     let b = s.input_signed(1, (me == 1).then_some(&[10i128, 20][..]), 2).await?;
    ///     let c = s.add(&a, &b)?; // local: no message is sent
    ///     let v = s.open_signed(&c).await?;
    ///     s.finish().await?;
    ///     Ok(v)
    /// });
    /// assert_eq!(v[0], vec![11, 22]);
    /// # }
    /// ```
    pub fn add(&self, a: &Secret<P>, b: &Secret<P>) -> Result<Secret<P>, EngineError> {
        self.same_len(a, b)?;
        Ok(Secret::new(a.shares.add(&b.shares)))
    }
    /// \[a\] - \[b\].
    pub fn sub(&self, a: &Secret<P>, b: &Secret<P>) -> Result<Secret<P>, EngineError> {
        self.same_len(a, b)?;
        Ok(Secret::new(a.shares.sub(&b.shares)))
    }
    /// -\[a\].
    pub fn neg(&self, a: &Secret<P>) -> Secret<P> {
        Secret::new(a.shares.neg())
    }
    /// \[a\] + c elementwise for public c.
    pub fn add_public(&self, a: &Secret<P>, c: &[P::Word]) -> Result<Secret<P>, EngineError> {
        if c.len() != a.len() {
            return Err(self.usage(format!("{} constants for {} values", c.len(), a.len())));
        }
        let mut s = a.shares.clone();
        s.add_public(c, &self.key, self.party);
        Ok(Secret::new(s))
    }
    /// c * \[a\] elementwise for public c.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/doc/two_parties.rs"));
    /// # fn main() {
    /// let v = two_parties(|mut s: S| async move {
    ///     let a = s.input(0, (s.party() == 0).then_some(&[3u128, 5][..]), 2).await?;
    ///     let b = s.mul_public(&a, &[2, 7])?;
    ///     let v = s.open(&b).await?;
    ///     s.finish().await?;
    ///     Ok(v)
    /// });
    /// assert_eq!(v[0], vec![6, 35]);
    /// # }
    /// ```
    pub fn mul_public(&self, a: &Secret<P>, c: &[P::Word]) -> Result<Secret<P>, EngineError> {
        if c.len() != a.len() {
            return Err(self.usage(format!("{} constants for {} values", c.len(), a.len())));
        }
        let mut s = a.shares.clone();
        s.mul_public(c);
        Ok(Secret::new(s))
    }
    /// c * \[a\] for one public constant.
    pub fn scale(&self, a: &Secret<P>, c: P::Word) -> Secret<P> {
        let mut s = a.shares.clone();
        s.scale(c);
        Secret::new(s)
    }
    /// A public vector as a secret (no communication).
    pub fn constant(&self, c: &[P::Word]) -> Secret<P> {
        let mut s = AuthShares::zeros(c.len());
        s.add_public(c, &self.key, self.party);
        Secret::new(s)
    }

    /// Opens values to every party, after a passing MAC check over everything pending.
    /// Returns the values mod 2^k.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/doc/two_parties.rs"));
    /// # fn main() {
    /// // Opening 2^64 - 1 + 2 wraps mod 2^64.
    /// let v = two_parties(|mut s: S| async move {
    ///     let a = s.input(0, (s.party() == 0).then_some(&[u64::MAX as u128][..]), 1).await?;
    ///     let b = s.add_public(&a, &[2])?;
    ///     let v = s.open(&b).await?;
    ///     s.finish().await?;
    ///     Ok(v)
    /// });
    /// assert_eq!(v[0], vec![1]);
    /// # }
    /// ```
    pub async fn open(&mut self, a: &Secret<P>) -> Result<Vec<P::Word>, EngineError> {
        self.live()?;
        let r = self.open_inner(a).await;
        self.guarded(r)
    }

    async fn open_inner(&mut self, a: &Secret<P>) -> Result<Vec<P::Word>, EngineError> {
        self.ensure_agreed().await?;
        let masks = self.draw_open_masks(a.len())?;
        let (v, m) = mask_for_opening(&a.shares, &masks).into_parts();
        let values = self
            .open_raw(Phase::MaskedOpening, v, m, unmask_opened::<P>)
            .await?;
        self.check_inner().await?;
        Ok(values)
    }

    /// Opens values to party `to` only, after a passing MAC check: `to` gets `Some(values)`
    /// mod 2^k, every other party `None`.
    ///
    /// Per value it uses one of `to`'s input masks r and one fresh opening mask r' and opens
    /// (x - r) + 2^k r' (PROTOCOL.md 1.2, pattern 1). The r hides x from everyone but `to`;
    /// the r' hides the top s bits of x - r from `to`, who would otherwise learn x mod
    /// 2^(k+s), i.e. the overflow of the products x was computed from.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/doc/two_parties.rs"));
    /// # fn main() {
    /// // P1's secret goes to P0 only.
    /// let v = two_parties(|mut s: S| async move {
    ///     let x = s.input(1, (s.party() == 1).then_some(&[42u128][..]), 1).await?;
    ///     let out = s.output_to(0, &x).await?;
    ///     s.finish().await?;
    ///     Ok(out)
    /// });
    /// assert_eq!(v, vec![Some(vec![42]), None]);
    /// # }
    /// ```
    pub async fn output_to(
        &mut self,
        to: usize,
        a: &Secret<P>,
    ) -> Result<Option<Vec<P::Word>>, EngineError> {
        self.live()?;
        let r = self.output_inner(to, a).await;
        self.guarded(r)
    }

    async fn output_inner(
        &mut self,
        to: usize,
        a: &Secret<P>,
    ) -> Result<Option<Vec<P::Word>>, EngineError> {
        if to >= self.n {
            return Err(self.usage(format!("no party {to} in a session of {} parties", self.n)));
        }
        self.ensure_agreed().await?;
        let masks = self.draw_input_masks(to, a.len())?;
        let top = self.draw_open_masks(a.len())?;
        let (v, m) = mask_for_opening(&a.shares.sub(&masks.shares), &top).into_parts();
        let opened = self
            .open_raw(Phase::OutputOpening, v, m, <[P::Word]>::to_vec)
            .await?;
        self.check_inner().await?;
        Ok(masks.clear.map(|r| {
            let mut x = opened;
            ring::add_assign::<P>(&mut x, &r);
            x.into_iter().map(P::reduce_k).collect()
        }))
    }

    /// Sends an application message (e.g. a sealed envelope for a proxy) to party `to` over
    /// the session's transport. Both sides must agree on when such messages flow.
    pub async fn send_bytes(
        &mut self,
        to: usize,
        phase: &'static str,
        bytes: Vec<u8>,
    ) -> Result<(), EngineError> {
        self.live()?;
        self.transport.begin_round(phase);
        let r = self
            .transport
            .send(to, bytes)
            .await
            .map_err(EngineError::from);
        self.guarded(r)
    }

    /// Receives an application message from party `from` (see [`Session::send_bytes`]).
    pub async fn recv_bytes(
        &mut self,
        from: usize,
        phase: &'static str,
    ) -> Result<Vec<u8>, EngineError> {
        self.live()?;
        self.transport.begin_round(phase);
        let r = self.transport.recv(from).await.map_err(EngineError::from);
        self.guarded(r)
    }

    /// A start barrier: every party sends one short message and waits for every peer's, so
    /// that timers started after it on every party measure the same interval (to within
    /// one message's latency). Nothing secret is sent and nothing is opened.
    pub async fn barrier(&mut self) -> Result<(), EngineError> {
        self.live()?;
        let r = self.barrier_inner().await;
        self.guarded(r)
    }

    async fn barrier_inner(&mut self) -> Result<(), EngineError> {
        let msgs = self
            .exchange(Phase::Barrier, &WireMsg::Digest([0; 32]), false)
            .await?;
        for (p, m) in msgs.into_iter().enumerate() {
            if let Some(m) = m {
                let Digest(_) = self.expect(Phase::Barrier, p, m, None)?;
            }
        }
        Ok(())
    }

    pub(crate) fn same_len(&self, a: &Secret<P>, b: &Secret<P>) -> Result<(), EngineError> {
        if a.len() == b.len() {
            Ok(())
        } else {
            Err(self.usage(format!(
                "vectors of different lengths: {} and {}",
                a.len(),
                b.len()
            )))
        }
    }
}
