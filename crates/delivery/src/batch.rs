//! The framing of one delivery: the envelopes a directly connected party sends the client
//! in one message (its own first, then the forwarded ones in party order).

/// Frames several envelopes as one message: u32 count, then u64 length + bytes each.
pub fn encode_batch(items: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(4 + items.iter().map(|i| 8 + i.len()).sum::<usize>());
    out.extend_from_slice(&(items.len() as u32).to_le_bytes());
    for i in items {
        out.extend_from_slice(&(i.len() as u64).to_le_bytes());
        out.extend_from_slice(i);
    }
    out
}

/// Splits a batch made by [`encode_batch`]; `None` if it is malformed.
pub fn decode_batch(bytes: &[u8]) -> Option<Vec<Vec<u8>>> {
    let (count, mut rest) = bytes.split_first_chunk::<4>()?;
    let count = u32::from_le_bytes(*count) as usize;
    // Every item takes at least its 8-byte length: no more slots than the input can fill.
    let mut out = Vec::with_capacity(count.min(rest.len() / 8));
    for _ in 0..count {
        let (len, r) = rest.split_first_chunk::<8>()?;
        let len = usize::try_from(u64::from_le_bytes(*len)).ok()?;
        if r.len() < len {
            return None;
        }
        out.push(r[..len].to_vec());
        rest = &r[len..];
    }
    rest.is_empty().then_some(out)
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
