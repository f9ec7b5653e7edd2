//! Drawing preprocessing for a session: ahead of time into the stock ([`Session::preload`]),
//! so that a timed online phase neither deals nor reads files, or when an operation needs it.
//! Items drawn ahead are used first, in the order drawn, so the parties consume the same
//! items whether or not (and however much) they preloaded.

use crate::error::EngineError;
use crate::session::Session;
use crate::stock::{HeldTriples, empty_triples};
use spdz2k_core::{AuthShares, Triples};
use spdz2k_net::Transport;
use spdz2k_prep::{InputMasks, PrepCounts, Preprocessing};
use spdz2k_ring::Params;

impl<P: Params, T: Transport, Pr: Preprocessing<P>> Session<P, T, Pr> {
    /// Draws `counts` triples, opening masks and input masks (randoms are not used online)
    /// from the preprocessing now, so that the computation after it does not wait for a
    /// dealer or a file. Runs the preprocessing agreement first if it has not run. Items
    /// drawn ahead are used first, in order; what is drawn ahead and never used is lost
    /// like any item drawn (never handed out twice).
    pub async fn preload(&mut self, counts: &PrepCounts) -> Result<(), EngineError> {
        self.live()?;
        let r = self.preload_inner(counts).await;
        self.guarded(r)
    }

    async fn preload_inner(&mut self, counts: &PrepCounts) -> Result<(), EngineError> {
        self.ensure_agreed().await?;
        let size = |c: u64| usize::try_from(c).unwrap_or(usize::MAX);
        let t = self
            .prep
            .triples(size(counts.triples))
            .map_err(|e| self.prep_err(e))?;
        let stock = &mut self.stock;
        let rest = stock.triples.len() - stock.triples_used;
        stock.triples = append(&stock.triples, stock.triples_used, rest, t);
        stock.triples_used = 0;
        let m = self
            .prep
            .open_masks(size(counts.open_masks))
            .map_err(|e| self.prep_err(e))?;
        let stock = &mut self.stock;
        stock.open_masks = append_shares(&stock.open_masks, stock.open_masks_used, m);
        stock.open_masks_used = 0;
        for (owner, &c) in counts.input_masks.iter().enumerate() {
            if c == 0 {
                continue;
            }
            let m = self
                .prep
                .input_masks(owner, size(c))
                .map_err(|e| self.prep_err(e))?;
            let Some((held, used)) = self.stock.input_masks.get_mut(owner) else {
                continue;
            };
            let clear = match (&held.clear, m.clear) {
                (_, None) => None,
                (None, Some(c)) => Some(c),
                (Some(old), Some(c)) => Some([&old[*used..], &c[..]].concat()),
            };
            *held = InputMasks {
                shares: append_shares(&held.shares, *used, m.shares),
                clear,
            };
            *used = 0;
        }
        self.warm_log_memory(size(counts.triples));
        Ok(())
    }

    /// Maps the memory that `products` multiplications will hold in the pending log (their
    /// check terms, up to the check bound) and in flight, so that the computation takes
    /// recycled buffers instead of fresh pages.
    fn warm_log_memory(&mut self, products: usize) {
        let per_opening = 2 * self.sub_batch;
        let logged = products.saturating_mul(2).min(self.options.check_bound);
        // Two sub-batches' own shares are in flight besides the logged terms.
        let buffers = logged.div_ceil(per_opening).saturating_add(2);
        if products > 0 {
            self.pool.words.warm(buffers, per_opening);
        }
    }

    /// `n` triples for a multiplication: a range of the stock when it holds them all, else
    /// whatever the stock holds followed by fresh ones.
    pub(crate) fn hold_triples(&mut self, n: usize) -> Result<HeldTriples<P>, EngineError> {
        let s = &mut self.stock;
        if s.triples.len() - s.triples_used >= n {
            let at = s.triples_used;
            s.triples_used += n;
            return Ok(HeldTriples {
                triples: std::mem::replace(&mut s.triples, empty_triples()),
                at,
                from_stock: true,
            });
        }
        Ok(HeldTriples {
            triples: self.draw_triples(n)?,
            at: 0,
            from_stock: false,
        })
    }

    /// Gives the stock back its triples after a multiplication.
    pub(crate) fn release_triples(&mut self, held: HeldTriples<P>) {
        if held.from_stock {
            self.stock.triples = held.triples;
        }
    }

    /// The next `n` triples, owned.
    pub(crate) fn draw_triples(&mut self, n: usize) -> Result<Triples<P>, EngineError> {
        let s = &mut self.stock;
        let from_stock = n.min(s.triples.len() - s.triples_used);
        let range = s.triples_used..s.triples_used + from_stock;
        s.triples_used += from_stock;
        let mut t = Triples {
            a: s.triples.a.slice(range.clone()),
            b: s.triples.b.slice(range.clone()),
            c: s.triples.c.slice(range),
        };
        if from_stock < n {
            let fresh = self
                .prep
                .triples(n - from_stock)
                .map_err(|e| self.prep_err(e))?;
            t.extend(&fresh);
        }
        Ok(t)
    }

    /// The next `n` opening masks.
    pub(crate) fn draw_open_masks(&mut self, n: usize) -> Result<AuthShares<P>, EngineError> {
        let s = &mut self.stock;
        let from_stock = n.min(s.open_masks.len() - s.open_masks_used);
        let mut m = s
            .open_masks
            .slice(s.open_masks_used..s.open_masks_used + from_stock);
        s.open_masks_used += from_stock;
        if from_stock < n {
            let fresh = self
                .prep
                .open_masks(n - from_stock)
                .map_err(|e| self.prep_err(e))?;
            m.extend(&fresh);
        }
        Ok(m)
    }

    /// The next `n` input masks of `owner` (an owner index the caller checked).
    pub(crate) fn draw_input_masks(
        &mut self,
        owner: usize,
        n: usize,
    ) -> Result<InputMasks<P>, EngineError> {
        let (shares, clear, from_stock) = match self.stock.input_masks.get_mut(owner) {
            Some((held, used)) => {
                let k = n.min(held.shares.len() - *used);
                let r = *used..*used + k;
                *used += k;
                let clear = held.clear.as_ref().map(|c| c[r.clone()].to_vec());
                (held.shares.slice(r), clear, k)
            }
            None => (AuthShares::default(), None, 0),
        };
        let mut masks = InputMasks { shares, clear };
        if from_stock < n {
            let fresh = self
                .prep
                .input_masks(owner, n - from_stock)
                .map_err(|e| self.prep_err(e))?;
            masks.shares.extend(&fresh.shares);
            masks.clear = match (masks.clear, fresh.clear) {
                (Some(mut c), Some(f)) => {
                    c.extend_from_slice(&f);
                    Some(c)
                }
                (None, f) if from_stock == 0 => f,
                (c, _) => c,
            };
        }
        Ok(masks)
    }
}

/// The unused part of `old` (from `used`) followed by `new`.
fn append<P: Params>(old: &Triples<P>, used: usize, rest: usize, new: Triples<P>) -> Triples<P> {
    if rest == 0 {
        return new;
    }
    let mut t = Triples {
        a: old.a.slice(used..used + rest),
        b: old.b.slice(used..used + rest),
        c: old.c.slice(used..used + rest),
    };
    t.extend(&new);
    t
}

fn append_shares<P: Params>(old: &AuthShares<P>, used: usize, new: AuthShares<P>) -> AuthShares<P> {
    if used == old.len() {
        return new;
    }
    let mut s = old.slice(used..old.len());
    s.extend(&new);
    s
}
