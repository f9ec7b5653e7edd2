//! Canonical binary encoding: fixed-width little-endian integers and length-prefixed byte
//! strings, read by a cursor that refuses short input and (via [`Reader::finish`]) trailing
//! bytes. Every message of this crate is written and read with these two types, so there is
//! exactly one byte string for each value.

use crate::error::CodecError;

/// Appends canonical encodings to a byte vector.
#[derive(Debug, Default)]
pub(crate) struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    pub(crate) fn with_capacity(n: usize) -> Self {
        Self {
            buf: Vec::with_capacity(n),
        }
    }

    pub(crate) fn bytes(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }

    pub(crate) fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }

    pub(crate) fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    pub(crate) fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    /// A string of at most 255 bytes, prefixed by its length as one byte.
    /// Callers validate lengths before writing (see the types in `ids`).
    pub(crate) fn short_str(&mut self, s: &str) {
        debug_assert!(s.len() <= u8::MAX as usize);
        self.u8(s.len() as u8);
        self.bytes(s.as_bytes());
    }

    /// A byte string prefixed by its length as a u32.
    pub(crate) fn long_bytes(&mut self, b: &[u8]) {
        debug_assert!(b.len() <= u32::MAX as usize);
        self.u32(b.len() as u32);
        self.bytes(b);
    }

    pub(crate) fn into_vec(self) -> Vec<u8> {
        self.buf
    }
}

/// Reads canonical encodings from a byte slice.
#[derive(Debug)]
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    /// Bytes consumed so far.
    pub(crate) fn position(&self) -> usize {
        self.pos
    }

    pub(crate) fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], CodecError> {
        let end = self.pos.checked_add(n).ok_or(CodecError::Truncated {
            what,
            needed: n,
            available: self.buf.len() - self.pos,
        })?;
        match self.buf.get(self.pos..end) {
            Some(s) => {
                self.pos = end;
                Ok(s)
            }
            None => Err(CodecError::Truncated {
                what,
                needed: n,
                available: self.buf.len() - self.pos,
            }),
        }
    }

    pub(crate) fn array<const N: usize>(
        &mut self,
        what: &'static str,
    ) -> Result<[u8; N], CodecError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N, what)?);
        Ok(out)
    }

    pub(crate) fn u8(&mut self, what: &'static str) -> Result<u8, CodecError> {
        Ok(self.array::<1>(what)?[0])
    }

    pub(crate) fn u32(&mut self, what: &'static str) -> Result<u32, CodecError> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    pub(crate) fn u64(&mut self, what: &'static str) -> Result<u64, CodecError> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }

    /// A one-byte-length-prefixed UTF-8 string.
    pub(crate) fn short_str(&mut self, what: &'static str) -> Result<&'a str, CodecError> {
        let n = self.u8(what)? as usize;
        let bytes = self.take(n, what)?;
        core::str::from_utf8(bytes).map_err(|_| CodecError::NotUtf8 { what })
    }

    /// A u32-length-prefixed byte string.
    pub(crate) fn long_bytes(&mut self, what: &'static str) -> Result<&'a [u8], CodecError> {
        let n = self.u32(what)? as usize;
        self.take(n, what)
    }

    /// Succeeds only if every byte was consumed.
    pub(crate) fn finish(self, what: &'static str) -> Result<(), CodecError> {
        let rest = self.buf.len() - self.pos;
        if rest == 0 {
            Ok(())
        } else {
            Err(CodecError::TrailingBytes { what, count: rest })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_rejections() {
        let mut w = Writer::default();
        w.u8(7);
        w.u32(0xdead_beef);
        w.u64(u64::MAX - 1);
        w.short_str("héllo");
        w.long_bytes(&[1, 2, 3]);
        let bytes = w.into_vec();

        let mut r = Reader::new(&bytes);
        assert_eq!(r.u8("a").unwrap(), 7);
        assert_eq!(r.u32("c").unwrap(), 0xdead_beef);
        assert_eq!(r.u64("d").unwrap(), u64::MAX - 1);
        assert_eq!(r.short_str("e").unwrap(), "héllo");
        assert_eq!(r.long_bytes("f").unwrap(), &[1, 2, 3]);
        r.finish("all").unwrap();

        let mut longer = bytes.clone();
        longer.push(0);
        let mut r = Reader::new(&longer);
        r.take(bytes.len(), "prefix").unwrap();
        assert_eq!(
            r.finish("all"),
            Err(CodecError::TrailingBytes {
                what: "all",
                count: 1
            })
        );

        let mut r = Reader::new(&bytes[..3]);
        assert!(matches!(
            r.u32("x"),
            Err(CodecError::Truncated { what: "x", .. })
        ));

        let mut r = Reader::new(&[2, 0xff, 0xfe]);
        assert_eq!(r.short_str("s"), Err(CodecError::NotUtf8 { what: "s" }));
    }
}
