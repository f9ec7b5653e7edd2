//! The local halves of Beaver multiplication.
//!
//! To multiply [x] and [y] with a triple ([a], [b], [c] = [ab]): open e = x - a and
//! d = y - b (no top-bit mask needed: a and b are uniform in Z_2^(k+s)), then
//! [xy] = [c] + e[b] + d[a] + ed, where the last term is a public-constant addition.

use crate::check_share::check_term;
use crate::shares::{AuthShares, MacKeyShare};
use spdz2k_ring::{Params, Word};

/// One party's shares of a batch of multiplication triples.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Triples<P: Params> {
    /// Shares of a.
    pub a: AuthShares<P>,
    /// Shares of b.
    pub b: AuthShares<P>,
    /// Shares of c = a * b.
    pub c: AuthShares<P>,
}

impl<P: Params> Triples<P> {
    /// Number of triples.
    pub fn len(&self) -> usize {
        self.a.len()
    }
    /// Whether the batch is empty.
    pub fn is_empty(&self) -> bool {
        self.a.is_empty()
    }
    /// Removes and returns the first `n` triples.
    pub fn take_front(&mut self, n: usize) -> Self {
        Self {
            a: self.a.take_front(n),
            b: self.b.take_front(n),
            c: self.c.take_front(n),
        }
    }
    /// Appends another batch.
    pub fn extend(&mut self, other: &Self) {
        self.a.extend(&other.a);
        self.b.extend(&other.b);
        self.c.extend(&other.c);
    }
}

/// Borrowed shares: a range of an [`AuthShares`] (values and MAC shares of equal length).
#[derive(Clone, Copy)]
pub struct SharesRef<'a, P: Params> {
    values: &'a [P::Word],
    macs: &'a [P::Word],
}

impl<P: Params> core::fmt::Debug for SharesRef<'_, P> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Shares are secret: only their number is shown.
        f.debug_struct("SharesRef")
            .field("len", &self.values.len())
            .finish_non_exhaustive()
    }
}

impl<'a, P: Params> SharesRef<'a, P> {
    /// Elements `range` of `shares`. Panics if `range` is out of bounds (a caller's bug).
    pub fn of(shares: &'a AuthShares<P>, range: core::ops::Range<usize>) -> Self {
        Self {
            values: &shares.values()[range.clone()],
            macs: &shares.macs()[range],
        }
    }
    /// Number of elements.
    pub fn len(&self) -> usize {
        self.values.len()
    }
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// Borrowed triples: a range of a [`Triples`] batch.
#[derive(Clone, Copy)]
pub struct TriplesRef<'a, P: Params> {
    a: SharesRef<'a, P>,
    b: SharesRef<'a, P>,
    c: SharesRef<'a, P>,
}

impl<P: Params> core::fmt::Debug for TriplesRef<'_, P> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Triples are secret: only their number is shown.
        f.debug_struct("TriplesRef")
            .field("len", &self.a.values.len())
            .finish_non_exhaustive()
    }
}

impl<'a, P: Params> TriplesRef<'a, P> {
    /// Triples `range` of `t`. Panics if `range` is out of bounds (a caller's bug).
    pub fn of(t: &'a Triples<P>, range: core::ops::Range<usize>) -> Self {
        Self {
            a: SharesRef::of(&t.a, range.clone()),
            b: SharesRef::of(&t.b, range.clone()),
            c: SharesRef::of(&t.c, range),
        }
    }
    /// Number of triples.
    pub fn len(&self) -> usize {
        self.a.len()
    }
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.a.is_empty()
    }
}

/// This party's shares of the Beaver openings: e = x - a followed by d = y - b, as one
/// vector of 2n elements so the batch costs one message per peer.
pub fn beaver_openings<P: Params>(
    x: &AuthShares<P>,
    y: &AuthShares<P>,
    t: &Triples<P>,
) -> AuthShares<P> {
    let all = 0..t.len();
    let (mut values, mut macs) = (Vec::new(), Vec::new());
    beaver_openings_into(
        SharesRef::of(x, 0..x.len()),
        SharesRef::of(y, 0..y.len()),
        TriplesRef::of(t, all),
        &mut values,
        &mut macs,
    );
    AuthShares::from_parts(values, macs).expect("equal lengths by construction")
}

/// [`beaver_openings`] on borrowed ranges, written into `values` and `macs` (cleared first;
/// their memory is reused when large enough).
pub fn beaver_openings_into<P: Params>(
    x: SharesRef<'_, P>,
    y: SharesRef<'_, P>,
    t: TriplesRef<'_, P>,
    values: &mut Vec<P::Word>,
    macs: &mut Vec<P::Word>,
) {
    beaver_opening_values_into(x, y, t, values);
    differences::<P>(macs, (x.macs, t.a.macs), (y.macs, t.b.macs));
}

/// The values of [`beaver_openings_into`] only: this party's shares of e and d, which it
/// sends. Its MAC shares of them matter only to the MAC check, and
/// [`beaver_check_terms_into`] makes its check terms straight from the inputs' and triples'
/// MAC shares once e and d are open, without this intermediate vector.
pub fn beaver_opening_values_into<P: Params>(
    x: SharesRef<'_, P>,
    y: SharesRef<'_, P>,
    t: TriplesRef<'_, P>,
    values: &mut Vec<P::Word>,
) {
    assert!(
        x.len() == t.len() && y.len() == t.len(),
        "Beaver openings need one triple per multiplication"
    );
    differences::<P>(values, (x.values, t.a.values), (y.values, t.b.values));
}

/// out = (p - q) followed by (r - s), elementwise; out is cleared first.
fn differences<P: Params>(
    out: &mut Vec<P::Word>,
    (p, q): (&[P::Word], &[P::Word]),
    (r, s): (&[P::Word], &[P::Word]),
) {
    out.clear();
    out.reserve_exact(p.len() + r.len());
    out.extend(p.iter().zip(q).map(|(&a, &b)| P::sub(a, b)));
    out.extend(r.iter().zip(s).map(|(&a, &b)| P::sub(a, b)));
}

/// The check terms of a Beaver opening, once e and d are open: this party's MAC shares of
/// e = x - a and d = y - b, turned into terms m - alpha_i * opened as
/// [`check_terms_in_place`](crate::check_terms_in_place) does, written into `terms`
/// (cleared first) in one pass.
pub fn beaver_check_terms_into<P: Params>(
    x: SharesRef<'_, P>,
    y: SharesRef<'_, P>,
    t: TriplesRef<'_, P>,
    opened_ed: &[P::Word],
    key: &MacKeyShare<P>,
    terms: &mut Vec<P::Word>,
) {
    let n = t.len();
    assert!(
        x.len() == n && y.len() == n && opened_ed.len() == 2 * n,
        "Beaver openings need one triple per multiplication, and e and d for each"
    );
    let (e, d) = opened_ed.split_at(n);
    let alpha = key.expose();
    // The MAC share of e (or d) is m(x) - m(a) (or m(y) - m(b)).
    let term = |m: P::Word, m_triple: P::Word, opened: P::Word| {
        check_term::<P>(P::sub(m, m_triple), alpha, opened)
    };
    terms.clear();
    terms.reserve_exact(2 * n);
    terms.extend(
        x.macs
            .iter()
            .zip(t.a.macs)
            .zip(e)
            .map(|((&m, &ma), &o)| term(m, ma, o)),
    );
    terms.extend(
        y.macs
            .iter()
            .zip(t.b.macs)
            .zip(d)
            .map(|((&m, &mb), &o)| term(m, mb, o)),
    );
}

/// Combines the opened e (first n) and d (last n) with the triples into shares of x * y.
pub fn beaver_combine<P: Params>(
    t: &Triples<P>,
    opened_ed: &[P::Word],
    key: &MacKeyShare<P>,
    party: usize,
) -> AuthShares<P> {
    let (mut values, mut macs) = (Vec::with_capacity(t.len()), Vec::with_capacity(t.len()));
    beaver_combine_into(
        TriplesRef::of(t, 0..t.len()),
        opened_ed,
        key,
        party,
        &mut values,
        &mut macs,
    );
    AuthShares::from_parts(values, macs).expect("equal lengths by construction")
}

/// The operands of one combine: e, d and the triples' value and MAC shares, each sliced to
/// the number of triples (so that the loops over them need no bounds checks).
struct Operands<'a, W> {
    e: &'a [W],
    d: &'a [W],
    a: (&'a [W], &'a [W]),
    b: (&'a [W], &'a [W]),
    c: (&'a [W], &'a [W]),
}

impl<'a, W> Operands<'a, W> {
    fn of<P: Params<Word = W>>(t: &TriplesRef<'a, P>, opened_ed: &'a [W]) -> Self {
        let n = t.len();
        assert_eq!(
            opened_ed.len(),
            2 * n,
            "Beaver openings must hold e and d for every triple"
        );
        let (e, d) = opened_ed.split_at(n);
        let both = |s: &SharesRef<'a, P>| (&s.values[..n], &s.macs[..n]);
        Self {
            e,
            d,
            a: both(&t.a),
            b: both(&t.b),
            c: both(&t.c),
        }
    }
}

/// [`beaver_combine`] on borrowed triples, appending the products' shares to `values` and
/// `macs` (so sub-batches fill one output in order).
pub fn beaver_combine_into<P: Params>(
    t: TriplesRef<'_, P>,
    opened_ed: &[P::Word],
    key: &MacKeyShare<P>,
    party: usize,
    values: &mut Vec<P::Word>,
    macs: &mut Vec<P::Word>,
) {
    let Operands { e, d, a, b, c } = Operands::of(&t, opened_ed);
    let alpha = key.expose();
    values.reserve(e.len());
    macs.reserve(e.len());
    // One fused pass: z = c + e*b + d*a (+ e*d on party 0; alpha_i * e*d in every MAC).
    for j in 0..e.len() {
        let ed = P::mul(e[j], d[j]);
        let mut v = P::add(c.0[j], P::add(P::mul(e[j], b.0[j]), P::mul(d[j], a.0[j])));
        if party == 0 {
            v = P::add(v, ed);
        }
        values.push(v);
        let m = P::add(c.1[j], P::add(P::mul(e[j], b.1[j]), P::mul(d[j], a.1[j])));
        macs.push(P::add(m, P::mul(alpha, ed)));
    }
}

/// The sum of the products [`beaver_combine_into`] would append, as (value share, MAC
/// share): a dot product's sub-batch without its vector of products.
pub fn beaver_combine_sum<P: Params>(
    t: TriplesRef<'_, P>,
    opened_ed: &[P::Word],
    key: &MacKeyShare<P>,
    party: usize,
) -> (P::Word, P::Word) {
    let Operands { e, d, a, b, c } = Operands::of(&t, opened_ed);
    // Unreduced wrapping sums; reduction mod 2^(k+s) commutes with them. The e*d terms are
    // summed once and added to the value (party 0) and, times alpha_i, to the MAC.
    let zero = <P::Word as Word>::ZERO;
    let (mut v, mut m, mut ed) = (zero, zero, zero);
    for j in 0..e.len() {
        ed = ed.wadd(e[j].wmul(d[j]));
        v = v.wadd(c.0[j].wadd(e[j].wmul(b.0[j])).wadd(d[j].wmul(a.0[j])));
        m = m.wadd(c.1[j].wadd(e[j].wmul(b.1[j])).wadd(d[j].wmul(a.1[j])));
    }
    let ed = P::reduce(ed);
    let mut value = P::reduce(v);
    if party == 0 {
        value = P::add(value, ed);
    }
    let mac = P::add(P::reduce(m), P::mul(key.expose(), ed));
    (value, mac)
}
