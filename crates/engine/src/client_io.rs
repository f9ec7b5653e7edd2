//! The parties' side of client output and client input (DESIGN.md section 3).
//!
//! Output: x^ = x + 2^k r re-randomises the top bits; with a triple (a, b, c) the parties
//! open e = x^ - a and set [w] = [c] + e[b], so w = x^ * b for a uniform b that is never
//! opened. Only after a passing MAC check does each party release (x^_i, b_i, w_i); the
//! client sums them and checks w = x^ * b mod 2^(k+s), which any altered share fails except
//! with probability 2^-(s+1).
//!
//! Input: each party gives the client its shares of a triple (a, b, c); the client checks
//! a * b = c and sends y = x + a to every party; the parties compare digests of the y they
//! received and set [x] = y - [a].

use crate::error::EngineError;
use crate::phase::Phase;
use crate::rounds::Digest;
use crate::secret::Secret;
use crate::session::Session;
use spdz2k_core::{AbortReason, Triples, WireMsg, mask_for_opening};
use spdz2k_net::Transport;
use spdz2k_prep::Preprocessing;
use spdz2k_ring::Params;
use subtle::ConstantTimeEq;

/// This party's shares of a client output, safe to release to the client: the MAC check has
/// passed. `Debug` prints the length only: the shares are for the client alone.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientOutputShares<P: Params> {
    /// Shares of x^ = x + 2^k r.
    pub x_hat: Vec<P::Word>,
    /// Shares of the uniform, never-opened b.
    pub b: Vec<P::Word>,
    /// Shares of w = x^ * b.
    pub w: Vec<P::Word>,
}

impl<P: Params> core::fmt::Debug for ClientOutputShares<P> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "ClientOutputShares<{}>(len {}, shares redacted)",
            P::NAME,
            self.x_hat.len()
        )
    }
}

/// A triple reserved for one client input: its value shares go to the client.
#[derive(Debug)]
pub struct ClientInputMask<P: Params> {
    triples: Triples<P>,
}

impl<P: Params> ClientInputMask<P> {
    /// Number of input values this mask covers.
    pub fn len(&self) -> usize {
        self.triples.len()
    }
    /// Whether it covers no values.
    pub fn is_empty(&self) -> bool {
        self.triples.is_empty()
    }
    /// The reserved triples: their value shares (a_i, b_i, c_i) go to the client.
    pub fn triples(&self) -> &Triples<P> {
        &self.triples
    }
}

impl<P: Params, T: Transport, Pr: Preprocessing<P>> Session<P, T, Pr> {
    /// The output step for a client: re-randomise, one opening per value, MAC check; then
    /// this party's releasable shares. One round plus the check.
    pub async fn prepare_client_output(
        &mut self,
        x: &Secret<P>,
    ) -> Result<ClientOutputShares<P>, EngineError> {
        self.live()?;
        let r = self.client_output_inner(x).await;
        r.map_err(|e| self.fail(e))
    }

    async fn client_output_inner(
        &mut self,
        x: &Secret<P>,
    ) -> Result<ClientOutputShares<P>, EngineError> {
        let n = x.len();
        self.ensure_agreed().await?;
        let r = self.draw_open_masks(n)?;
        let t = self.draw_triples(n)?;
        let x_hat = mask_for_opening(&x.shares, &r);
        let (v, m) = x_hat.sub(&t.a).into_parts();
        let mut w = t.b.clone();
        self.open_raw(Phase::ClientOutputOpening, v, m, |e| w.mul_public(e))
            .await?;
        w.add_assign(&t.c);
        self.check_inner().await?;
        Ok(ClientOutputShares {
            x_hat: x_hat.values().to_vec(),
            b: t.b.values().to_vec(),
            w: w.values().to_vec(),
        })
    }

    /// Reserves a triple per client input value; send the value shares of `triples()` to the client.
    pub async fn client_input_mask(
        &mut self,
        len: usize,
    ) -> Result<ClientInputMask<P>, EngineError> {
        self.live()?;
        let r = self.ensure_agreed().await;
        r.map_err(|e| self.fail(e))?;
        let t = self.draw_triples(len);
        let triples = t.map_err(|e| self.fail(e))?;
        Ok(ClientInputMask { triples })
    }

    /// Completes a client input with the y = x + a this party received. `digest` identifies
    /// the message y came in (the facade passes the SHA-256 of the client's signed input,
    /// which binds session, client, label, sequence number, parameters and y); all parties
    /// compare their digests in one round before using y, then \[x\] = y - \[a\].
    pub async fn client_input(
        &mut self,
        mask: ClientInputMask<P>,
        y: &[P::Word],
        digest: [u8; 32],
    ) -> Result<Secret<P>, EngineError> {
        self.live()?;
        let r = self.client_input_inner(mask, y, digest).await;
        r.map_err(|e| self.fail(e))
    }

    async fn client_input_inner(
        &mut self,
        mask: ClientInputMask<P>,
        y: &[P::Word],
        digest: [u8; 32],
    ) -> Result<Secret<P>, EngineError> {
        if y.len() != mask.len() {
            return Err(self.usage(format!(
                "client sent {} values for {} reserved",
                y.len(),
                mask.len()
            )));
        }
        let msgs = self
            .exchange(Phase::ClientInputDigest, &WireMsg::Digest(digest), false)
            .await?;
        for (p, m) in msgs.into_iter().enumerate() {
            let Some(m) = m else { continue };
            let Digest(d) = self.expect(Phase::ClientInputDigest, p, m, None)?;
            if !bool::from(d.ct_eq(&digest)) {
                return Err(self.abort(
                    Phase::ClientInputDigest,
                    AbortReason::Disagreement {
                        party: p,
                        what: "client input (y differs between parties)",
                    },
                ));
            }
        }
        let mut x = mask.triples.a.neg();
        x.add_public(y, &self.key, self.party());
        Ok(Secret::new(x))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use spdz2k_ring::K64S64;

    #[test]
    fn client_output_shares_debug_prints_lengths_not_shares() {
        let secret = 0x1234_5678_9abc_u128;
        let shares = ClientOutputShares::<K64S64> {
            x_hat: vec![secret],
            b: vec![secret],
            w: vec![secret],
        };
        let text = format!("{shares:?}");
        assert!(
            text.contains("len 1") && text.contains("redacted"),
            "{text}"
        );
        assert!(!text.contains(&secret.to_string()), "{text}");
    }
}
