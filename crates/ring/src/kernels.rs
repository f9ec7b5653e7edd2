//! Slice kernels over Z_2^(k+s). Simple indexed loops over equal-length slices so that
//! LLVM vectorises them; lengths are checked once, up front.

use crate::params::Params;
use crate::word::Word;

#[inline(always)]
fn check_len(a: usize, b: usize) {
    assert_eq!(a, b, "ring kernel on slices of different lengths");
}

/// `dst[i] += src[i]`.
#[inline]
pub fn add_assign<P: Params>(dst: &mut [P::Word], src: &[P::Word]) {
    check_len(dst.len(), src.len());
    for (d, &s) in dst.iter_mut().zip(src) {
        *d = P::add(*d, s);
    }
}

/// `dst[i] -= src[i]`.
#[inline]
pub fn sub_assign<P: Params>(dst: &mut [P::Word], src: &[P::Word]) {
    check_len(dst.len(), src.len());
    for (d, &s) in dst.iter_mut().zip(src) {
        *d = P::sub(*d, s);
    }
}

/// `dst[i] = -dst[i]`.
#[inline]
pub fn neg_assign<P: Params>(dst: &mut [P::Word]) {
    for d in dst.iter_mut() {
        *d = P::neg(*d);
    }
}

/// `dst[i] *= c`.
#[inline]
pub fn scale<P: Params>(dst: &mut [P::Word], c: P::Word) {
    for d in dst.iter_mut() {
        *d = P::mul(*d, c);
    }
}

/// `dst[i] += a * x[i]`.
#[inline]
pub fn axpy<P: Params>(dst: &mut [P::Word], a: P::Word, x: &[P::Word]) {
    check_len(dst.len(), x.len());
    for (d, &xi) in dst.iter_mut().zip(x) {
        *d = P::add(*d, P::mul(a, xi));
    }
}

/// `sum_i a[i] * b[i] mod 2^(k+s)`.
#[inline]
pub fn inner_product<P: Params>(a: &[P::Word], b: &[P::Word]) -> P::Word {
    check_len(a.len(), b.len());
    // Accumulate unreduced: wrapping ops commute with the final reduction.
    let mut acc = <P::Word as Word>::ZERO;
    for (&x, &y) in a.iter().zip(b) {
        acc = acc.wadd(x.wmul(y));
    }
    P::reduce(acc)
}
