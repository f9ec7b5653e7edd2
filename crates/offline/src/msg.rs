//! The frame every offline message travels in, and decoding helpers.
//!
//! Layout: batch (u64 LE), flight (u8), part count (u8), then per part a u32 LE length and
//! the bytes. A frame is [`FRAME_HEADER`] + 4 bytes per part + the parts.

use crate::error::Cause;
use spdz2k_ring::Params;

/// Bytes of a frame header.
pub const FRAME_HEADER: u64 = 10;
/// Bytes of a part's length prefix.
pub const PART_HEADER: u64 = 4;

/// The flight number of an abort notice.
pub(crate) const ABORT_FLIGHT: u8 = 0xFF;

/// Encodes one frame.
pub(crate) fn encode_frame(batch: u64, flight: u8, parts: &[Vec<u8>]) -> Vec<u8> {
    let len: usize = parts.iter().map(|p| 4 + p.len()).sum();
    let mut out = Vec::with_capacity(10 + len);
    out.extend_from_slice(&batch.to_le_bytes());
    out.push(flight);
    out.push(parts.len() as u8);
    for p in parts {
        out.extend_from_slice(&(p.len() as u32).to_le_bytes());
        out.extend_from_slice(p);
    }
    out
}

/// Decodes a frame from `peer`, requiring the batch, flight and part count expected.
pub(crate) fn decode_frame(
    peer: usize,
    bytes: Vec<u8>,
    batch: u64,
    flight: u8,
    parts: usize,
) -> Result<crate::batch::Parts, Cause> {
    let bad = |detail: String| Cause::Malformed {
        peer,
        what: "offline frame",
        detail,
    };
    if bytes.len() < 10 {
        return Err(bad(format!("{} bytes, shorter than a header", bytes.len())));
    }
    let mut b8 = [0u8; 8];
    b8.copy_from_slice(&bytes[..8]);
    let got_batch = u64::from_le_bytes(b8);
    if bytes[8] == ABORT_FLIGHT && bytes.len() == 15 {
        return Err(Cause::PeerAborted {
            peer,
            check: crate::error::CheckKind::from_code(bytes[14]),
        });
    }
    if got_batch != batch || bytes[8] != flight || bytes[9] as usize != parts {
        return Err(bad(format!(
            "expected batch {batch} flight {flight} with {parts} parts, got batch {got_batch} \
             flight {} with {} parts",
            bytes[8], bytes[9]
        )));
    }
    let mut at = 10;
    let mut out = Vec::with_capacity(parts);
    for i in 0..parts {
        if bytes.len() - at < 4 {
            return Err(bad(format!("part {i} truncated")));
        }
        let mut b4 = [0u8; 4];
        b4.copy_from_slice(&bytes[at..at + 4]);
        let len = u32::from_le_bytes(b4) as usize;
        at += 4;
        if bytes.len() - at < len {
            return Err(bad(format!("part {i} truncated")));
        }
        out.push(at..at + len);
        at += len;
    }
    if at != bytes.len() {
        return Err(bad(format!("{} trailing bytes", bytes.len() - at)));
    }
    Ok(crate::batch::Parts::new(bytes, out))
}

/// Encodes ring elements.
pub(crate) fn encode_words<Q: Params>(ws: &[Q::Word]) -> Vec<u8> {
    let mut out = Vec::with_capacity(ws.len() * Q::BYTES);
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
