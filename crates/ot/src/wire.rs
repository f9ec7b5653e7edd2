//! Message framing: every OT message starts with a header naming its kind, its sequence
//! number within the instance and the first 8 bytes of the instance tag, so a replayed,
//! reordered, truncated or misrouted message is refused before it is parsed.

use crate::context::{OtContext, Role};
use crate::error::OtError;
use spdz2k_core::bytes::{CodecError, Reader, Writer};

/// Header length in bytes: version, kind, sequence number (u64), tag prefix (8 bytes).
pub const HEADER_LEN: usize = 18;
const VERSION: u8 = 1;

/// The kinds of OT messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Kind {
    /// Base OT: the base-OT sender's group element.
    BaseSender = 1,
    /// Base OT: the base-OT receiver's pairs of group elements.
    BaseReceiver = 2,
    /// Extension: the receiver's matrix and coin commitment.
    ExtMatrix = 3,
    /// Extension: the sender's coin seed.
    ExtSeed = 4,
    /// Extension: the receiver's coin opening and check values.
    ExtCheck = 5,
    /// Correlated OT over Z_2^l: the sender's corrections.
    WordCorrections = 6,
    /// Extension setup: the receiver's GGM tree sums (SoftSpokenOT) or nothing (KOS).
    SetupTrees = 7,
}

/// Starts a message: the header, with room for `payload` more bytes.
pub fn begin(ctx: &OtContext, kind: Kind, seq: u64, payload: usize) -> Vec<u8> {
    let mut w = Writer::with_capacity(HEADER_LEN + payload);
    w.u8(VERSION);
    w.u8(kind as u8);
    w.u64(seq);
    w.bytes(&ctx.tag()[..8]);
    w.into_vec()
}

/// Checks the header and the exact payload length; returns the payload.
pub fn open<'a>(
    ctx: &OtContext,
    role: Role,
    phase: &'static str,
    msg: &'a [u8],
    kind: Kind,
    seq: u64,
    payload: usize,
) -> Result<&'a [u8], OtError> {
    let bad = |d: String| Err(ctx.bad_message(role, phase, d));
    let mut r = Reader::new(msg);
    let header = |r: &mut Reader<'a>| -> Result<(u8, u8, u64, [u8; 8]), CodecError> {
        Ok((
            r.u8("version")?,
            r.u8("kind")?,
            r.u64("sequence number")?,
            r.array("tag")?,
        ))
    };
    let Ok((version, got_kind, got, tag)) = header(&mut r) else {
        return bad(format!("{} bytes is shorter than a header", msg.len()));
    };
    if version != VERSION {
        return bad(format!("version {version} (expected {VERSION})"));
    }
    if got_kind != kind as u8 {
        return bad(format!("message kind {got_kind} (expected {kind:?})"));
    }
    if tag != ctx.tag()[..8] {
        return bad("it belongs to another session, pair or instance".into());
    }
    if got != seq {
        return bad(format!(
            "sequence number {got}, expected {seq} (a replayed or reordered message)"
        ));
    }
    let body = r.rest();
    if body.len() != payload {
        return bad(format!(
            "payload of {} bytes, expected {payload} (truncated or padded)",
            body.len()
        ));
    }
    Ok(body)
}

/// Reads little-endian u128 words from bytes (length a multiple of 16).
pub fn read_blocks(bytes: &[u8], out: &mut Vec<u128>) {
    out.extend(
        bytes
            .chunks_exact(16)
            .map(|c| u128::from_le_bytes(c.try_into().unwrap_or_default())),
    );
}

/// Appends u128 words as little-endian bytes.
pub fn write_blocks(words: &[u128], out: &mut Vec<u8>) {
    for w in words {
        out.extend_from_slice(&w.to_le_bytes());
    }
}
