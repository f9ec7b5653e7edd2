//! Parameter sets: (k, s) and the word that holds an element of Z_2^(k+s).

use crate::encoding::DecodeError;
use crate::word::Word;
use core::fmt::{self, Debug};
use rand::Rng;

/// The (k, s) of a parameter set, as carried in file headers, handshakes and envelopes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ParamsId {
    /// Bits of the values computed on.
    pub k: u32,
    /// MAC headroom bits.
    pub s: u32,
}

impl fmt::Display for ParamsId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "k={},s={}", self.k, self.s)
    }
}

/// A SPDZ2k parameter set: values mod 2^k, shares mod 2^(k+s), MAC key shares mod 2^s.
///
/// All ring operations take and return canonical words (zero above bit k+s).
pub trait Params: Copy + Debug + Default + Eq + Send + Sync + 'static {
    /// Bits of the values computed on (at most 128 for sets read as integers; a check ring
    /// may have more, and then `to_unsigned`/`to_signed` read only the low 128 bits).
    const K: u32;
    /// MAC headroom: statistical security is about s - log2(s+1) bits.
    const S: u32;
    /// A short name, e.g. `"K64S64"`.
    const NAME: &'static str;
    /// The machine word; at least k+s bits wide.
    type Word: Word;
    /// k + s: the share width.
    const KS: u32 = Self::K + Self::S;
    /// Bytes of one encoded element of Z_2^(k+s).
    const BYTES: usize = Self::KS.div_ceil(8) as usize;
    /// Whether k+s fills the word, so that wrapping arithmetic needs no mask.
    const EXACT: bool = Self::KS == Self::Word::BITS;

    /// The (k, s) pair.
    fn id() -> ParamsId {
        ParamsId {
            k: Self::K,
            s: Self::S,
        }
    }

    /// Reduces a word mod 2^(k+s).
    #[inline(always)]
    fn reduce(w: Self::Word) -> Self::Word {
        if Self::EXACT {
            w
        } else {
            w.and(Self::Word::low_mask(Self::KS))
        }
    }
    /// Reduces a word mod 2^k.
    #[inline(always)]
    fn reduce_k(w: Self::Word) -> Self::Word {
        w.and(Self::Word::low_mask(Self::K))
    }
    /// Reduces a word mod 2^s.
    #[inline(always)]
    fn reduce_s(w: Self::Word) -> Self::Word {
        w.and(Self::Word::low_mask(Self::S))
    }
    /// a + b mod 2^(k+s).
    #[inline(always)]
    fn add(a: Self::Word, b: Self::Word) -> Self::Word {
        Self::reduce(a.wadd(b))
    }
    /// a - b mod 2^(k+s).
    #[inline(always)]
    fn sub(a: Self::Word, b: Self::Word) -> Self::Word {
        Self::reduce(a.wsub(b))
    }
    /// a * b mod 2^(k+s).
    #[inline(always)]
    fn mul(a: Self::Word, b: Self::Word) -> Self::Word {
        Self::reduce(a.wmul(b))
    }
    /// -a mod 2^(k+s).
    #[inline(always)]
    fn neg(a: Self::Word) -> Self::Word {
        Self::reduce(a.wneg())
    }
    /// a * 2^n mod 2^(k+s).
    #[inline(always)]
    fn shl(a: Self::Word, n: u32) -> Self::Word {
        Self::reduce(a.shl(n))
    }
    /// floor(a / 2^n) for a canonical a.
    #[inline(always)]
    fn shr(a: Self::Word, n: u32) -> Self::Word {
        a.shr(n)
    }
    /// 2^k * a mod 2^(k+s): the upper-bits mask of an opening.
    #[inline(always)]
    fn lift_to_top(a: Self::Word) -> Self::Word {
        Self::shl(a, Self::K)
    }

    /// The element v mod 2^(k+s).
    #[inline]
    fn from_u128(v: u128) -> Self::Word {
        Self::reduce(Self::Word::from_u128(v))
    }
    /// The element v mod 2^(k+s), negative values sign-extended.
    #[inline]
    fn from_i128(v: i128) -> Self::Word {
        let magnitude = Self::from_u128(v.unsigned_abs());
        if v < 0 {
            Self::neg(magnitude)
        } else {
            magnitude
        }
    }
    /// The low k bits as an unsigned integer.
    #[inline]
    fn to_unsigned(w: Self::Word) -> u128 {
        Self::reduce_k(w).low_u128()
    }
    /// The low k bits read as a k-bit two's-complement integer.
    #[inline]
    fn to_signed(w: Self::Word) -> i128 {
        let u = Self::to_unsigned(w);
        if Self::K >= 128 {
            u as i128
        } else if u >> (Self::K - 1) & 1 == 1 {
            (u as i128).wrapping_sub(1i128 << Self::K)
        } else {
            u as i128
        }
    }
    /// The 2-adic valuation of w as an element of Z_2^(k+s) (k+s for zero).
    #[inline]
    fn valuation(w: Self::Word) -> u32 {
        Self::reduce(w).trailing_zeros().min(Self::KS)
    }
    /// A uniform element of Z_2^(k+s).
    #[inline]
    fn random<R: Rng + ?Sized>(rng: &mut R) -> Self::Word {
        Self::reduce(Self::Word::random(rng))
    }
    /// A uniform element of Z_2^s (a MAC key share or a check coefficient).
    #[inline]
    fn random_s<R: Rng + ?Sized>(rng: &mut R) -> Self::Word {
        Self::reduce_s(Self::Word::random(rng))
    }
    /// A uniform element of Z_2^k.
    #[inline]
    fn random_k<R: Rng + ?Sized>(rng: &mut R) -> Self::Word {
        Self::reduce_k(Self::Word::random(rng))
    }

    /// Writes the canonical `BYTES`-byte little-endian encoding of w into `out[..BYTES]`.
    #[inline]
    fn encode(w: Self::Word, out: &mut [u8]) {
        if Self::BYTES == Self::Word::BYTES {
            w.write_le(out);
        } else {
            let mut buf = [0u8; 32];
            w.write_le(&mut buf);
            out[..Self::BYTES].copy_from_slice(&buf[..Self::BYTES]);
        }
    }
    /// Reads exactly `BYTES` bytes; rejects other lengths and bits set at or above k+s.
    #[inline]
    fn decode(bytes: &[u8]) -> Result<Self::Word, DecodeError> {
        if bytes.len() != Self::BYTES {
            return Err(DecodeError::Length {
                expected: Self::BYTES,
                got: bytes.len(),
            });
        }
        let spare = (Self::BYTES as u32) * 8 - Self::KS;
        if spare > 0 && bytes[Self::BYTES - 1] >> (8 - spare) != 0 {
            return Err(DecodeError::NonCanonical { bits: Self::KS });
        }
        Ok(Self::Word::read_le(bytes))
    }
    /// Appends the encodings of every element of `ws`.
    fn encode_slice(ws: &[Self::Word], out: &mut Vec<u8>) {
        // Appended word by word into reserved memory: zero-filling the whole range first
        // would write every byte twice (the openings of a multiplication pass through here).
        out.reserve(ws.len() * Self::BYTES);
        let mut buf = [0u8; 32];
        let one = &mut buf[..Self::BYTES];
        for &w in ws {
            Self::encode(w, one);
            out.extend_from_slice(one);
        }
    }
    /// Decodes a whole buffer of concatenated encodings.
    fn decode_slice(bytes: &[u8]) -> Result<Vec<Self::Word>, DecodeError> {
        if !bytes.len().is_multiple_of(Self::BYTES) {
            return Err(DecodeError::Length {
                expected: bytes.len().div_ceil(Self::BYTES) * Self::BYTES,
                got: bytes.len(),
            });
        }
        bytes.chunks_exact(Self::BYTES).map(Self::decode).collect()
    }
}

/// The sacrifice ring of a parameter set (PROTOCOL.md 1.6, 1.9): triples are authenticated
/// and sacrificed mod 2^(k+2s), and the online MAC check runs there unchanged with
/// k' = k+s and s' = s, so it certifies values mod 2^(k+s).
pub trait HasCheckRing: Params {
    /// The parameter set (k+s, s) whose shares live in Z_2^(k+2s).
    type Check: Params;

    /// x in Z_2^(k+s) read as an element of Z_2^(k+2s) (its canonical representative).
    #[inline]
    fn lift(w: Self::Word) -> <Self::Check as Params>::Word {
        convert_word(w)
    }
    /// x mod 2^(k+s) for an element of the check ring (a ring homomorphism).
    #[inline]
    fn lower(w: <Self::Check as Params>::Word) -> Self::Word {
        Self::reduce(convert_word(w))
    }
}

/// The low bits of `w` in another word type (truncating to the narrower of the two).
#[inline]
fn convert_word<A: Word, B: Word>(w: A) -> B {
    let mut buf = [0u8; 32];
    w.write_le(&mut buf);
    B::read_le(&buf[..A::BYTES.min(B::BYTES)])
}

/// Defines one parameter set type.
macro_rules! params_set {
    ($name:ident, $k:expr, $s:expr, $word:ty, $doc:expr) => {
        #[doc = $doc]
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        pub struct $name;
        impl Params for $name {
            const K: u32 = $k;
            const S: u32 = $s;
            const NAME: &'static str = stringify!($name);
            type Word = $word;
        }
    };
}

/// Defines every set of [`with_params_sets!`] with its check ring.
macro_rules! define_params_sets {
    ($($name:ident: ($k:expr, $s:expr, $word:ty, $doc:literal) => $check:ident: ($ck:expr, $cword:ty);)*) => {$(
        params_set!($name, $k, $s, $word, $doc);
        params_set!(
            $check, $ck, $s, $cword,
            concat!("The check (sacrifice) ring of [`", stringify!($name), "`]: k' = ",
                    stringify!($ck), ", s' = ", stringify!($s), ", shares mod 2^(k+2s).")
        );
        impl HasCheckRing for $name {
            type Check = $check;
        }
    )*};
}

/// THE list of parameter sets, in one place: calls `$callback!` with, for every set,
/// `Name: (k, s, word, "doc") => CheckName: (k+s, check word);`. The crate defines the
/// types from it; tests and dispatchers ([`crate::dispatch_params!`], [`ALL_PARAMS`]) iterate it
/// the same way.
#[macro_export]
macro_rules! with_params_sets {
    ($callback:ident) => {
        $crate::__params_list! { ($callback) [] }
    };
}

/// The list itself, behind [`with_params_sets!`]: calls the macro at the path in the first
/// group with the tokens of the second group, then the list.
#[doc(hidden)]
#[macro_export]
macro_rules! __params_list {
    (($($callback:tt)*) [$($args:tt)*]) => {
        $($callback)*! {
            $($args)*
            K32S32: (32, 32, u64,
                "k = 32, s = 32 on u64 (about 26 bits of statistical security).")
                => K32S32Check: (64, u128);
            K64S64: (64, 64, u128,
                "k = 64, s = 64 on u128 (about 57 bits of statistical security): the default.")
                => K64S64Check: (128, $crate::U192);
            K66S48: (66, 48, u128,
                "k = 66, s = 48 on u128: a masked set (114 of 128 bits) with two spare bits above 64.")
                => K66S48Check: (114, $crate::U192);
            K128S64: (128, 64, $crate::U192,
                "k = 128, s = 64 on a 192-bit `crypto-bigint` word.")
                => K128S64Check: (192, $crate::U256);
        }
    };
}

/// Picks the parameter set at run time: `dispatch_params!(id, P => body, else other)`
/// evaluates `body` with the type alias `P` bound to the set whose (k, s) is `id`, or
/// `other` if no set of [`with_params_sets!`] has it.
///
/// ```
/// use spdz2k_ring::{Params, ParamsId, dispatch_params};
/// let id = ParamsId { k: 66, s: 48 };
/// assert_eq!(dispatch_params!(id, P => Some(P::NAME), else None), Some("K66S48"));
/// assert_eq!(dispatch_params!(ParamsId { k: 1, s: 1 }, P => Some(P::NAME), else None), None);
/// ```
#[macro_export]
macro_rules! dispatch_params {
    ($id:expr, $P:ident => $body:expr, else $other:expr) => {
        $crate::__params_list!(($crate::__dispatch_params_arms) [($id) $P ($body) ($other)])
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __dispatch_params_arms {
    (($id:expr) $P:ident ($body:expr) ($other:expr)
     $($name:ident: ($k:expr, $s:expr, $word:ty, $doc:literal) => $check:ident: ($ck:expr, $cword:ty);)*) => {{
        let id: $crate::ParamsId = $id;
        match (id.k, id.s) {
            $(($k, $s) => {
                #[allow(dead_code)]
                type $P = $crate::$name;
                $body
            })*
            _ => $other,
        }
    }};
}

/// Defines [`ALL_PARAMS`] from the list.
macro_rules! define_all_params {
    ($($name:ident: ($k:expr, $s:expr, $word:ty, $doc:literal) => $check:ident: ($ck:expr, $cword:ty);)*) => {
        /// Every parameter set, in the order of [`with_params_sets!`]: what configs may
        /// name, the client reconstructs and the CLI dispatches.
        pub const ALL_PARAMS: &[ParamsId] = &[$(ParamsId { k: $k, s: $s }),*];
    };
}

with_params_sets!(define_params_sets);
with_params_sets!(define_all_params);

#[cfg(feature = "test-params")]
define_params_sets! {
    K8S4: (8, 4, u64, "INSECURE, tests only: k = 8, s = 4 on u64, to measure the 2^-s bounds.")
        => K8S4Check: (12, u64);
}
