//! The frame every offline message travels in, and decoding helpers.
//!
//! Layout: the parts in reverse order (last part first), then a trailer: per part, in
//! order, a u32 LE length; the batch (u64 LE); the flight (u8); the part count (u8). A frame
//! is [`FRAME_HEADER`] + 4 bytes per part + the parts.
//!
//! Why a trailer and reversed parts: the large part of a flight (Gilboa corrections, VOLE
//! rows: 12 to 16 MB per batch) is the last one, so the frame is that part's own buffer
//! with the small parts and the trailer appended — no copy of the bulk on the way out (it
//! cost about a tenth of the offline phase's time). Decoding slices the parts out of the
//! received buffer, again without a copy.

use crate::error::{Cause, OfflineError};
use spdz2k_core::bytes::{CodecError, Reader, Writer};
use spdz2k_ring::Params;

/// Bytes of a frame's fixed trailer (batch, flight, part count).
pub const FRAME_HEADER: u64 = 10;
/// Bytes of a part's length field.
pub const PART_HEADER: u64 = 4;
/// Spare capacity a large part reserves so that the frame's small parts and trailer are
/// appended without moving it.
pub(crate) const FRAME_SLACK: usize = 1024;

/// The flight number of an abort notice.
pub(crate) const ABORT_FLIGHT: u8 = 0xFF;

/// One message per party, indexed by party (`None` for this party or for nothing).
pub type PeerMessages = Vec<Option<Vec<u8>>>;

/// Encodes one frame, reusing the last part's buffer.
pub(crate) fn encode_frame(batch: u64, flight: u8, mut parts: Vec<Vec<u8>>) -> Vec<u8> {
    let lens: Vec<u32> = parts.iter().map(|p| p.len() as u32).collect();
    let count = parts.len() as u8;
    let mut out = parts.pop().unwrap_or_default();
    let rest: usize = parts.iter().map(Vec::len).sum();
    out.reserve(rest + 4 * lens.len() + FRAME_HEADER as usize);
    let mut w = Writer::append_to(out);
    for p in parts.iter().rev() {
        w.bytes(p);
    }
    for l in lens {
        w.u32(l);
    }
    w.u64(batch);
    w.u8(flight);
    w.u8(count);
    w.into_vec()
}

/// The check code of an abort notice, if `bytes` is one (a frame of flight
/// [`ABORT_FLIGHT`] with one one-byte part).
pub(crate) fn abort_code(bytes: &[u8]) -> Option<u8> {
    (bytes.len() == 15
        && bytes[13] == ABORT_FLIGHT
        && bytes[14] == 1
        && bytes[1..5] == [1, 0, 0, 0])
    // Lazily: an empty message must not be indexed (`then_some` would evaluate bytes[0]).
    .then(|| bytes[0])
}

/// Decodes a frame from `peer`, requiring the batch, flight and part count expected.
pub(crate) fn decode_frame(
    peer: usize,
    bytes: Vec<u8>,
    batch: u64,
    flight: u8,
    parts: usize,
) -> Result<Parts, Cause> {
    let bad = |detail: String| Cause::Malformed {
        peer,
        what: "offline frame",
        detail,
    };
    if let Some(code) = abort_code(&bytes) {
        return Err(Cause::PeerAborted {
            peer,
            check: crate::error::CheckKind::from_code(code),
        });
    }
    let fixed = FRAME_HEADER as usize;
    if bytes.len() < fixed {
        return Err(bad(format!(
            "{} bytes, shorter than a trailer",
            bytes.len()
        )));
    }
    let tail = bytes.len() - fixed;
    let mut trailer = Reader::new(&bytes[tail..]);
    let trailer = (|| -> Result<_, CodecError> {
        Ok((
            trailer.u64("batch")?,
            trailer.u8("flight")?,
            trailer.u8("part count")?,
        ))
    })();
    let (got_batch, got_flight, got_parts) = trailer.map_err(|e| bad(e.to_string()))?;
    if got_batch != batch || got_flight != flight || got_parts as usize != parts {
        return Err(bad(format!(
            "expected batch {batch} flight {flight} with {parts} parts, got batch {got_batch} \
             flight {got_flight} with {got_parts} parts"
        )));
    }
    let Some(lens_at) = tail.checked_sub(4 * parts) else {
        return Err(bad("the part lengths are truncated".into()));
    };
    let mut lens = Reader::new(&bytes[lens_at..tail]);
    let lens: Vec<usize> = (0..parts)
        .map(|_| lens.u32("part length").map(|l| l as usize))
        .collect::<Result<_, _>>()
        .map_err(|e| bad(e.to_string()))?;
    // Parts are stored last first: part parts-1 starts at 0.
    let mut ranges = vec![0..0; parts];
    let mut at = 0usize;
    for i in (0..parts).rev() {
        let len = lens[i];
        if lens_at - at < len {
            return Err(bad(format!("part {i} truncated")));
        }
        ranges[i] = at..at + len;
        at += len;
    }
    if at != lens_at {
        return Err(bad(format!("{} stray bytes", lens_at - at)));
    }
    Ok(Parts::new(bytes, ranges))
}

/// The parts of one received frame, sliced out of the message without copying.
#[derive(Default)]
pub(crate) struct Parts {
    buf: Vec<u8>,
    ranges: Vec<core::ops::Range<usize>>,
}

impl Parts {
    pub(crate) fn new(buf: Vec<u8>, ranges: Vec<core::ops::Range<usize>>) -> Self {
        Self { buf, ranges }
    }
    pub(crate) fn get(&self, i: usize) -> Option<&[u8]> {
        self.ranges.get(i).map(|r| &self.buf[r.clone()])
    }
}

impl core::ops::Index<usize> for Parts {
    type Output = [u8];
    fn index(&self, i: usize) -> &[u8] {
        &self.buf[self.ranges[i].clone()]
    }
}

/// The same part for every peer (a broadcast), plus per-peer parts.
pub(crate) fn per_peer(
    n: usize,
    me: usize,
    mut make: impl FnMut(usize) -> Vec<Vec<u8>>,
) -> Vec<Vec<Vec<u8>>> {
    (0..n)
        .map(|p| if p == me { Vec::new() } else { make(p) })
        .collect()
}

/// Encodes ring elements.
pub(crate) fn encode_words<Q: Params>(ws: &[Q::Word]) -> Vec<u8> {
    let mut out = Vec::with_capacity(ws.len() * Q::BYTES + FRAME_SLACK);
    Q::encode_slice(ws, &mut out);
    out
}

/// Decodes exactly `count` canonical ring elements.
pub(crate) fn decode_words<Q: Params>(
    peer: usize,
    what: &'static str,
    bytes: &[u8],
    count: usize,
) -> Result<Vec<Q::Word>, Cause> {
    if bytes.len() != count * Q::BYTES {
        return Err(Cause::Malformed {
            peer,
            what,
            detail: format!("expected {} bytes, got {}", count * Q::BYTES, bytes.len()),
        });
    }
    Q::decode_slice(bytes).map_err(|e| Cause::Malformed {
        peer,
        what,
        detail: e.to_string(),
    })
}

// The abort notice is a frame: it is built here, next to the frame format (error.rs, a
// leaf, names nothing of the crate).
impl OfflineError {
    /// The abort notice to send every peer after this error, so that every honest party
    /// aborts with a typed cause (best effort: `None` where nothing is to be told).
    pub fn notice(&self) -> Option<Vec<u8>> {
        match self {
            Self::CheckFailed { batch, check, .. } => {
                Some(encode_frame(*batch, ABORT_FLIGHT, vec![vec![check.code()]]))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the `offline_party` fuzz target: an empty (or short) message made
    /// `abort_code` index byte 0 before checking the length.
    #[test]
    fn short_and_empty_messages_are_refused_without_a_panic() {
        for len in 0..40 {
            let bytes = vec![0xFFu8; len];
            assert_eq!(abort_code(&bytes[..len.min(14)]), None);
            assert!(decode_frame(1, bytes, 3, 1, 2).is_err());
        }
    }

    #[test]
    fn frames_round_trip_and_abort_notices_are_recognised() {
        let parts = vec![vec![1, 2, 3], Vec::new(), vec![9; 300]];
        let f = encode_frame(7, 4, parts.clone());
        let got = decode_frame(1, f, 7, 4, 3).expect("decodes");
        for (i, p) in parts.iter().enumerate() {
            assert_eq!(&got[i], &p[..]);
        }
        let notice = encode_frame(7, ABORT_FLIGHT, vec![vec![5]]);
        assert_eq!(abort_code(&notice), Some(5));
        assert!(matches!(
            decode_frame(1, notice, 7, 4, 3),
            Err(Cause::PeerAborted { peer: 1, .. })
        ));
    }
}
