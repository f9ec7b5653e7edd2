//! Secret vectors: this party's authenticated shares of a vector of values in Z_2^k.

use spdz2k_core::AuthShares;
use spdz2k_ring::Params;

/// A vector of secret values, held as this party's authenticated shares. Only a
/// [`Session`](crate::Session) operates on it; nothing about the values can be read from it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Secret<P: Params> {
    pub(crate) shares: AuthShares<P>,
}

impl<P: Params> Secret<P> {
    pub(crate) fn new(shares: AuthShares<P>) -> Self {
        Self { shares }
    }
    /// Number of values.
    pub fn len(&self) -> usize {
        self.shares.len()
    }
    /// Whether the vector is empty.
    pub fn is_empty(&self) -> bool {
        self.shares.is_empty()
    }
    /// Elements `range` as a new secret vector.
    pub fn slice(&self, range: core::ops::Range<usize>) -> Self {
        Self::new(self.shares.slice(range))
    }
    /// Concatenation of several secret vectors.
    pub fn concat(parts: &[&Secret<P>]) -> Self {
        let mut out = AuthShares::default();
        for p in parts {
            out.extend(&p.shares);
        }
        Self::new(out)
    }
    /// Wraps raw shares (for protocol extensions and adversarial tests; the `tamper-hooks`
    /// feature, off by default). The caller vouches
    /// that they are this party's part of a valid authenticated sharing; if not, the next
    /// MAC check aborts the session.
    #[cfg(feature = "tamper-hooks")]
    pub fn from_shares(shares: AuthShares<P>) -> Self {
        Self::new(shares)
    }
    /// This party's raw shares (for protocol extensions and tests; the `tamper-hooks`
    /// feature, off by default).
    #[cfg(feature = "tamper-hooks")]
    pub fn shares(&self) -> &AuthShares<P> {
        &self.shares
    }
}
