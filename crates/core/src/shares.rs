//! Authenticated share vectors and the local (communication-free) operations on them.

use core::fmt;
use spdz2k_ring::{self as ring, Params, Word};

/// Party i's share alpha_i of the global MAC key alpha = sum alpha_i, an element of Z_2^s.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct MacKeyShare<P: Params>(P::Word);

impl<P: Params> MacKeyShare<P> {
    /// Wraps a key share, reducing it mod 2^s.
    pub fn new(alpha_i: P::Word) -> Self {
        Self(P::reduce_s(alpha_i))
    }
    /// The key share. It is secret: never log it.
    pub fn expose(&self) -> P::Word {
        self.0
    }
}

impl<P: Params> fmt::Debug for MacKeyShare<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MacKeyShare(<redacted>)")
    }
}

/// One party's shares of a vector of secrets: value shares x_i and MAC shares m_i, with
/// sum_i m_i = alpha * sum_i x_i mod 2^(k+s). Stored as two arrays so every operation is a
/// straight loop over contiguous words.
#[derive(Clone, PartialEq, Eq)]
pub struct AuthShares<P: Params> {
    values: Vec<P::Word>,
    macs: Vec<P::Word>,
}

/// The value and MAC arrays of an [`AuthShares`] differ in length.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("share vector has {values} values but {macs} MACs")]
pub struct LengthMismatch {
    /// Number of value shares.
    pub values: usize,
    /// Number of MAC shares.
    pub macs: usize,
}

impl<P: Params> fmt::Debug for AuthShares<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AuthShares<{}>(len {})", P::NAME, self.len())
    }
}

impl<P: Params> Default for AuthShares<P> {
    fn default() -> Self {
        Self {
            values: Vec::new(),
            macs: Vec::new(),
        }
    }
}

impl<P: Params> AuthShares<P> {
    /// Builds shares from value and MAC arrays of equal length.
    pub fn from_parts(values: Vec<P::Word>, macs: Vec<P::Word>) -> Result<Self, LengthMismatch> {
        if values.len() != macs.len() {
            return Err(LengthMismatch {
                values: values.len(),
                macs: macs.len(),
            });
        }
        Ok(Self { values, macs })
    }
    /// `n` shares of zero (a valid sharing of the zero vector). The zeros are written, not
    /// taken from a zeroed allocation: such an allocation maps its pages only when they are
    /// first used, which would put that cost inside whatever reads these shares next.
    pub fn zeros(n: usize) -> Self {
        let written = || {
            let mut v = Vec::with_capacity(n);
            v.resize(n, <P::Word as Word>::ZERO);
            v
        };
        Self {
            values: written(),
            macs: written(),
        }
    }
    /// Number of secrets.
    pub fn len(&self) -> usize {
        self.values.len()
    }
    /// Whether the vector is empty.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
    /// The value shares.
    pub fn values(&self) -> &[P::Word] {
        &self.values
    }
    /// The MAC shares.
    pub fn macs(&self) -> &[P::Word] {
        &self.macs
    }
    /// Splits into (values, macs).
    pub fn into_parts(self) -> (Vec<P::Word>, Vec<P::Word>) {
        (self.values, self.macs)
    }
    /// The shares of elements `range`.
    pub fn slice(&self, range: core::ops::Range<usize>) -> Self {
        Self {
            values: self.values[range.clone()].to_vec(),
            macs: self.macs[range].to_vec(),
        }
    }
    /// Removes and returns the first `n` elements.
    pub fn take_front(&mut self, n: usize) -> Self {
        let rest_v = self.values.split_off(n);
        let rest_m = self.macs.split_off(n);
        Self {
            values: core::mem::replace(&mut self.values, rest_v),
            macs: core::mem::replace(&mut self.macs, rest_m),
        }
    }
    /// Appends another share vector.
    pub fn extend(&mut self, other: &Self) {
        self.values.extend_from_slice(&other.values);
        self.macs.extend_from_slice(&other.macs);
    }

    /// \[x\] + \[y\], elementwise.
    pub fn add(&self, other: &Self) -> Self {
        let mut out = self.clone();
        out.add_assign(other);
        out
    }
    /// \[x\] += \[y\], elementwise.
    pub fn add_assign(&mut self, other: &Self) {
        ring::add_assign::<P>(&mut self.values, &other.values);
        ring::add_assign::<P>(&mut self.macs, &other.macs);
    }
    /// \[x\] - \[y\], elementwise.
    pub fn sub(&self, other: &Self) -> Self {
        let mut out = self.clone();
        out.sub_assign(other);
        out
    }
    /// \[x\] -= \[y\], elementwise.
    pub fn sub_assign(&mut self, other: &Self) {
        ring::sub_assign::<P>(&mut self.values, &other.values);
        ring::sub_assign::<P>(&mut self.macs, &other.macs);
    }
    /// -\[x\].
    pub fn neg(&self) -> Self {
        let mut out = self.clone();
        ring::neg_assign::<P>(&mut out.values);
        ring::neg_assign::<P>(&mut out.macs);
        out
    }
    /// c * \[x\] for one public constant c.
    pub fn scale(&mut self, c: P::Word) {
        ring::scale::<P>(&mut self.values, c);
        ring::scale::<P>(&mut self.macs, c);
    }
    /// c_j * \[x_j\] for a public vector c.
    pub fn mul_public(&mut self, c: &[P::Word]) {
        assert_eq!(
            c.len(),
            self.len(),
            "public vector length differs from share vector"
        );
        for ((v, m), &cj) in self.values.iter_mut().zip(self.macs.iter_mut()).zip(c) {
            *v = P::mul(*v, cj);
            *m = P::mul(*m, cj);
        }
    }
    /// \[x_j\] + c_j for a public vector c: party 0 adds c_j to its value share, and every
    /// party adds alpha_i * c_j to its MAC share, so the MAC relation holds for x + c.
    pub fn add_public(&mut self, c: &[P::Word], key: &MacKeyShare<P>, party: usize) {
        assert_eq!(
            c.len(),
            self.len(),
            "public vector length differs from share vector"
        );
        if party == 0 {
            ring::add_assign::<P>(&mut self.values, c);
        }
        ring::axpy::<P>(&mut self.macs, key.expose(), c);
    }
    /// \[x_j\] + c for one public constant c (see [`AuthShares::add_public`]).
    pub fn add_public_scalar(&mut self, c: P::Word, key: &MacKeyShare<P>, party: usize) {
        let mac_term = P::mul(key.expose(), c);
        if party == 0 {
            for v in &mut self.values {
                *v = P::add(*v, c);
            }
        }
        for m in &mut self.macs {
            *m = P::add(*m, mac_term);
        }
    }
    /// The sum of all elements as one shared secret.
    pub fn sum(&self) -> Self {
        let add_all = |xs: &[P::Word]| {
            xs.iter()
                .fold(<P::Word as Word>::ZERO, |a, &x| P::add(a, x))
        };
        Self {
            values: vec![add_all(&self.values)],
            macs: vec![add_all(&self.macs)],
        }
    }
}

/// Sums the value shares of every party: the secrets (for tests and the dealer).
pub fn reconstruct<P: Params>(shares: &[AuthShares<P>]) -> Vec<P::Word> {
    let mut out = vec![<P::Word as Word>::ZERO; shares.first().map_or(0, AuthShares::len)];
    for s in shares {
        ring::add_assign::<P>(&mut out, s.values());
    }
    out
}

/// Whether the MAC shares of every party authenticate the secrets under `alpha` (tests).
pub fn macs_consistent<P: Params>(shares: &[AuthShares<P>], alpha: P::Word) -> bool {
    let mut macs = vec![<P::Word as Word>::ZERO; shares.first().map_or(0, AuthShares::len)];
    for s in shares {
        ring::add_assign::<P>(&mut macs, s.macs());
    }
    let values = reconstruct(shares);
    values
        .iter()
        .zip(&macs)
        .all(|(&x, &m)| P::mul(alpha, x) == m)
}
