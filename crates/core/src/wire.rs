//! Typed wire messages with one canonical binary encoding.
//!
//! Layout: a one-byte tag, then the body. Vectors of ring elements carry a u64 little-endian
//! count followed by `count * P::BYTES` canonical element encodings. Decoding rejects unknown
//! tags, truncated or trailing bytes, counts that do not match the body, and non-canonical
//! elements, so every message has exactly one encoding.

use crate::bytes::{Reader, Writer};
use crate::commit::{Commitment, Nonce};
use spdz2k_ring::{DecodeError, Params};

/// A protocol message between parties.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WireMsg<P: Params> {
    /// This party's shares of values being opened (Beaver openings, masked openings).
    Opening(Vec<P::Word>),
    /// An input owner's broadcast epsilon = x - r.
    Input(Vec<P::Word>),
    /// MAC check round 1: commitment to a coin seed, and the running hash of all broadcasts.
    CoinCommit {
        /// Commitment to this party's 32-byte coin seed.
        commitment: Commitment,
        /// Hash of every broadcast this party has seen since the last check.
        transcript: [u8; 32],
    },
    /// MAC check round 2: the coin seed and its nonce.
    CoinOpen {
        /// The seed.
        seed: [u8; 32],
        /// The commitment nonce.
        nonce: Nonce,
    },
    /// MAC check round 3: commitment to z_i.
    ZCommit(Commitment),
    /// MAC check round 4: z_i and its nonce.
    ZOpen {
        /// This party's z_i.
        z: P::Word,
        /// The commitment nonce.
        nonce: Nonce,
    },
    /// A 32-byte digest for comparing what parties received (e.g. a client's input).
    Digest([u8; 32]),
}

/// Why bytes are not a valid message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WireError {
    /// The message is empty.
    #[error("empty message")]
    Empty,
    /// An unknown tag byte.
    #[error("unknown message tag {0}")]
    UnknownTag(u8),
    /// The body has the wrong length for its tag.
    #[error("{kind} message: expected {expected} bytes, got {got}")]
    Length {
        /// The message kind.
        kind: &'static str,
        /// Expected body length.
        expected: u64,
        /// Actual body length.
        got: u64,
    },
    /// A ring element is not canonical.
    #[error("{kind} message: {source}")]
    Element {
        /// The message kind.
        kind: &'static str,
        /// The element error.
        source: DecodeError,
    },
}

const TAG_OPENING: u8 = 1;
const TAG_INPUT: u8 = 2;
const TAG_COIN_COMMIT: u8 = 3;
const TAG_COIN_OPEN: u8 = 4;
const TAG_Z_COMMIT: u8 = 5;
const TAG_Z_OPEN: u8 = 6;
const TAG_DIGEST: u8 = 7;

impl<P: Params> WireMsg<P> {
    /// The message kind, for errors and logs.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Opening(_) => "opening",
            Self::Input(_) => "input",
            Self::CoinCommit { .. } => "coin commitment",
            Self::CoinOpen { .. } => "coin opening",
            Self::ZCommit(_) => "MAC check commitment",
            Self::ZOpen { .. } => "MAC check opening",
            Self::Digest(_) => "digest",
        }
    }

    /// The canonical encoding.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new();
        match self {
            Self::Opening(v) => return Self::values(TAG_OPENING, v),
            Self::Input(v) => return Self::values(TAG_INPUT, v),
            Self::CoinCommit {
                commitment,
                transcript,
            } => {
                w.u8(TAG_COIN_COMMIT);
                w.bytes(&commitment.0);
                w.bytes(transcript);
            }
            Self::CoinOpen { seed, nonce } => {
                w.u8(TAG_COIN_OPEN);
                w.bytes(seed);
                w.bytes(&nonce.0);
            }
            Self::ZCommit(c) => {
                w.u8(TAG_Z_COMMIT);
                w.bytes(&c.0);
            }
            Self::ZOpen { z, nonce } => {
                w.u8(TAG_Z_OPEN);
                let mut elem = vec![0u8; P::BYTES];
                P::encode(*z, &mut elem);
                w.bytes(&elem);
                w.bytes(&nonce.0);
            }
            Self::Digest(d) => {
                w.u8(TAG_DIGEST);
                w.bytes(d);
            }
        }
        w.into_vec()
    }

    /// Writes the encoding of `WireMsg::Opening(values)` into `out`, cleared first (its
    /// memory is reused), without building the message.
    pub fn encode_opening_into(values: &[P::Word], out: &mut Vec<u8>) {
        out.clear();
        Self::encode_values(TAG_OPENING, values, out);
    }

    /// Adds the values of an encoded opening to `acc` in place, without decoding them
    /// into a vector (the receive path of every opening). Returns `Ok(true)` when `bytes`
    /// is an opening of exactly `acc.len()` values, each canonical as [`WireMsg::decode`]
    /// requires; `Ok(false)`, with `acc` unchanged, for any other message or count (decode
    /// it to report what came instead). A non-canonical element is the decoder's error, and
    /// `acc` is then partly summed: discard it.
    pub fn add_opening_to(bytes: &[u8], acc: &mut [P::Word]) -> Result<bool, WireError> {
        let Some((&TAG_OPENING, body)) = bytes.split_first() else {
            return Ok(false);
        };
        let mut r = Reader::new(body);
        let Ok(count) = r.u64("element count") else {
            return Ok(false);
        };
        let elems = r.rest();
        let fits = acc.len().checked_mul(P::BYTES) == Some(elems.len());
        if count != acc.len() as u64 || !fits {
            return Ok(false);
        }
        for (a, e) in acc.iter_mut().zip(elems.chunks_exact(P::BYTES)) {
            let w = P::decode(e).map_err(|source| WireError::Element {
                kind: "opening",
                source,
            })?;
            *a = P::add(*a, w);
        }
        Ok(true)
    }

    fn values(tag: u8, v: &[P::Word]) -> Vec<u8> {
        let mut out = Vec::new();
        Self::encode_values(tag, v, &mut out);
        out
    }

    fn encode_values(tag: u8, v: &[P::Word], out: &mut Vec<u8>) {
        out.reserve(9 + v.len() * P::BYTES);
        let mut w = Writer::append_to(core::mem::take(out));
        w.u8(tag);
        w.usize(v.len());
        *out = w.into_vec();
        P::encode_slice(v, out);
    }

    /// Decodes a message, accepting only the canonical encoding.
    pub fn decode(bytes: &[u8]) -> Result<Self, WireError> {
        Self::decode_reusing(bytes, &mut Vec::new())
    }

    /// [`WireMsg::decode`], with the elements of an opening or input decoded into `spare`
    /// (cleared first; its memory is reused when large enough), which is then taken. For
    /// other messages `spare` is left as it was.
    pub fn decode_reusing(bytes: &[u8], spare: &mut Vec<P::Word>) -> Result<Self, WireError> {
        let (&tag, body) = bytes.split_first().ok_or(WireError::Empty)?;
        let fixed = |kind: &'static str, len: usize| -> Result<&[u8], WireError> {
            if body.len() == len {
                Ok(body)
            } else {
                Err(WireError::Length {
                    kind,
                    expected: len as u64,
                    got: body.len() as u64,
                })
            }
        };
        let arr32 = |b: &[u8]| -> [u8; 32] {
            let mut a = [0u8; 32];
            a.copy_from_slice(b);
            a
        };
        match tag {
            TAG_OPENING | TAG_INPUT => {
                let kind = if tag == TAG_OPENING {
                    "opening"
                } else {
                    "input"
                };
                let short = || WireError::Length {
                    kind,
                    expected: 8,
                    got: body.len() as u64,
                };
                let mut r = Reader::new(body);
                let count = r.u64("element count").map_err(|_| short())?;
                let elems = r.rest();
                let expected = count.checked_mul(P::BYTES as u64);
                if expected != Some(elems.len() as u64) {
                    return Err(WireError::Length {
                        kind,
                        expected: expected.unwrap_or(u64::MAX),
                        got: elems.len() as u64,
                    });
                }
                spare.clear();
                spare.reserve_exact(elems.len() / P::BYTES);
                for e in elems.chunks_exact(P::BYTES) {
                    spare.push(P::decode(e).map_err(|source| WireError::Element { kind, source })?);
                }
                let v = core::mem::take(spare);
                Ok(if tag == TAG_OPENING {
                    Self::Opening(v)
                } else {
                    Self::Input(v)
                })
            }
            TAG_COIN_COMMIT => {
                let b = fixed("coin commitment", 64)?;
                Ok(Self::CoinCommit {
                    commitment: Commitment(arr32(&b[..32])),
                    transcript: arr32(&b[32..]),
                })
            }
            TAG_COIN_OPEN => {
                let b = fixed("coin opening", 64)?;
                Ok(Self::CoinOpen {
                    seed: arr32(&b[..32]),
                    nonce: Nonce(arr32(&b[32..])),
                })
            }
            TAG_Z_COMMIT => Ok(Self::ZCommit(Commitment(arr32(fixed(
                "MAC check commitment",
                32,
            )?)))),
            TAG_Z_OPEN => {
                let kind = "MAC check opening";
                let b = fixed(kind, P::BYTES + 32)?;
                let z = P::decode(&b[..P::BYTES])
                    .map_err(|source| WireError::Element { kind, source })?;
                Ok(Self::ZOpen {
                    z,
                    nonce: Nonce(arr32(&b[P::BYTES..])),
                })
            }
            TAG_DIGEST => Ok(Self::Digest(arr32(fixed("digest", 32)?))),
            other => Err(WireError::UnknownTag(other)),
        }
    }
}
