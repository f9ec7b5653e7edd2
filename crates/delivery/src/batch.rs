//! The framing of one delivery: the envelopes a directly connected party sends the client
//! in one message (its own first, then the forwarded ones in party order).

use spdz2k_core::bytes::{Reader, Writer};

/// Frames several envelopes as one message: u32 count, then u64 length + bytes each.
pub fn encode_batch(items: &[Vec<u8>]) -> Vec<u8> {
    let mut w = Writer::with_capacity(4 + items.iter().map(|i| 8 + i.len()).sum::<usize>());
    w.u32(items.len() as u32);
    for i in items {
        w.usize(i.len());
        w.bytes(i);
    }
    w.into_vec()
}

/// Splits a batch made by [`encode_batch`]; `None` if it is malformed.
pub fn decode_batch(bytes: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut r = Reader::new(bytes);
    let count = r.u32("envelope count").ok()? as usize;
    // Every item takes at least its 8-byte length: no more slots than the input can fill.
    let mut out = Vec::with_capacity(count.min(r.remaining() / 8));
    for _ in 0..count {
        let len = usize::try_from(r.u64("envelope length").ok()?).ok()?;
        out.push(r.take(len, "envelope").ok()?.to_vec());
    }
    r.finish("delivery batch").ok()?;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_trailing_or_short_input() {
        let items = vec![b"one".to_vec(), Vec::new(), vec![7; 300]];
        let bytes = encode_batch(&items);
        assert_eq!(decode_batch(&bytes), Some(items));
        let mut long = bytes.clone();
        long.push(0);
        assert_eq!(decode_batch(&long), None);
        assert_eq!(decode_batch(&bytes[..bytes.len() - 1]), None);
        assert_eq!(decode_batch(&[]), None);
    }
}
