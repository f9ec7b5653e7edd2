//! The project's one binary reader and writer: fixed-width **little-endian** integers and
//! length-prefixed byte strings, read by a cursor that checks every length, names the field
//! it was reading in its error, and (via [`Reader::finish`]) refuses trailing bytes.
//!
//! Every binary codec of the project (envelopes, TLS control frames, OT and offline frames,
//! preprocessing fingerprints and cursor slots, delivery batches) writes and reads with
//! these two types, so integers have one byte order everywhere and every message has one
//! encoding. Protocol code decides what a field means; this module only moves bytes.
//!
//! ```
//! use spdz2k_core::bytes::{CodecError, Reader, Writer};
//!
//! let mut w = Writer::new();
//! w.u16(3);
//! w.short_str("P1");
//! let bytes = w.into_vec();
//! assert_eq!(bytes, [3, 0, 2, b'P', b'1']);
//!
//! let mut r = Reader::new(&bytes);
//! assert_eq!(r.u16("version")?, 3);
//! assert_eq!(r.short_str("name")?, "P1");
//! r.finish("hello")?;
//! assert!(matches!(Reader::new(&bytes[..1]).u16("version"),
//!                  Err(CodecError::Truncated { what: "version", .. })));
//! # Ok::<(), CodecError>(())
//! ```

/// Bytes that are not a canonical encoding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CodecError {
    /// The input ends before a field is complete.
    #[error("truncated {what}: needed {needed} more bytes, {available} left")]
    Truncated {
        /// The field being read.
        what: &'static str,
        /// Bytes the field needs.
        needed: usize,
        /// Bytes that were left.
        available: usize,
    },
    /// Bytes follow the end of the message.
    #[error("{count} trailing bytes after the end of the {what}")]
    TrailingBytes {
        /// The message being read.
        what: &'static str,
        /// How many bytes were left over.
        count: usize,
    },
    /// A string field is not UTF-8.
    #[error("{what} is not valid UTF-8")]
    NotUtf8 {
        /// The field being read.
        what: &'static str,
    },
}

/// Appends canonical encodings to a byte vector.
#[derive(Debug, Default)]
pub struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    /// An empty writer.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty writer with room for `n` bytes.
    pub fn with_capacity(n: usize) -> Self {
        Self {
            buf: Vec::with_capacity(n),
        }
    }

    /// A writer appending to `buf` (its contents and spare capacity are kept).
    pub fn append_to(buf: Vec<u8>) -> Self {
        Self { buf }
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// Whether nothing was written.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Raw bytes, no length prefix.
    pub fn bytes(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }

    /// One byte.
    pub fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }

    /// A u16, little-endian.
    pub fn u16(&mut self, v: u16) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    /// A u32, little-endian.
    pub fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    /// A u64, little-endian.
    pub fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    /// A u128, little-endian.
    pub fn u128(&mut self, v: u128) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    /// A `usize` as a u64 (lossless on every supported target).
    pub fn usize(&mut self, v: usize) {
        self.u64(v as u64);
    }

    /// A string of at most 255 bytes, prefixed by its length as one byte. Callers validate
    /// lengths before writing; a longer string is cut to 255 bytes (debug builds assert).
    pub fn short_str(&mut self, s: &str) {
        debug_assert!(s.len() <= usize::from(u8::MAX), "short string too long");
        let b = s.as_bytes();
        let b = b.get(..usize::from(u8::MAX)).unwrap_or(b);
        self.u8(b.len() as u8);
        self.bytes(b);
    }

    /// A string prefixed by its length as a u16; a longer string is cut to 65535 bytes
    /// (callers bound their strings first).
    pub fn str(&mut self, s: &str) {
        let b = s.as_bytes();
        let b = b.get(..usize::from(u16::MAX)).unwrap_or(b);
        self.u16(b.len() as u16);
        self.bytes(b);
    }

    /// A byte string prefixed by its length as a u32.
    pub fn long_bytes(&mut self, b: &[u8]) {
        debug_assert!(u32::try_from(b.len()).is_ok(), "long byte string too long");
        self.u32(b.len() as u32);
        self.bytes(b);
    }

    /// The bytes written.
    pub fn into_vec(self) -> Vec<u8> {
        self.buf
    }
}

/// Reads canonical encodings from a byte slice; every read names the field it reads.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    /// Bytes consumed so far.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Bytes not yet read.
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// The next `n` bytes.
    pub fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], CodecError> {
        let available = self.remaining();
        if n > available {
            return Err(CodecError::Truncated {
                what,
                needed: n,
                available,
            });
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    /// Every byte not yet read.
    pub fn rest(&mut self) -> &'a [u8] {
        let s = &self.buf[self.pos..];
        self.pos = self.buf.len();
        s
    }

    /// The next `N` bytes as an array.
    pub fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], CodecError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N, what)?);
        Ok(out)
    }

    /// One byte.
    pub fn u8(&mut self, what: &'static str) -> Result<u8, CodecError> {
        Ok(self.array::<1>(what)?[0])
    }

    /// A little-endian u16.
    pub fn u16(&mut self, what: &'static str) -> Result<u16, CodecError> {
        Ok(u16::from_le_bytes(self.array(what)?))
    }

    /// A little-endian u32.
    pub fn u32(&mut self, what: &'static str) -> Result<u32, CodecError> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    /// A little-endian u64.
    pub fn u64(&mut self, what: &'static str) -> Result<u64, CodecError> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }

    /// A little-endian u128.
    pub fn u128(&mut self, what: &'static str) -> Result<u128, CodecError> {
        Ok(u128::from_le_bytes(self.array(what)?))
    }

    /// A one-byte-length-prefixed UTF-8 string.
    pub fn short_str(&mut self, what: &'static str) -> Result<&'a str, CodecError> {
        let n = usize::from(self.u8(what)?);
        self.utf8(n, what)
    }

    /// A u16-length-prefixed UTF-8 string.
    pub fn str(&mut self, what: &'static str) -> Result<&'a str, CodecError> {
        let n = usize::from(self.u16(what)?);
        self.utf8(n, what)
    }

    fn utf8(&mut self, n: usize, what: &'static str) -> Result<&'a str, CodecError> {
        core::str::from_utf8(self.take(n, what)?).map_err(|_| CodecError::NotUtf8 { what })
    }

    /// A u32-length-prefixed byte string.
    pub fn long_bytes(&mut self, what: &'static str) -> Result<&'a [u8], CodecError> {
        let n = self.u32(what)? as usize;
        self.take(n, what)
    }

    /// Succeeds only if every byte was consumed.
    pub fn finish(self, what: &'static str) -> Result<(), CodecError> {
        match self.remaining() {
            0 => Ok(()),
            count => Err(CodecError::TrailingBytes { what, count }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn round_trip_and_rejections() {
        let mut w = Writer::default();
        w.u8(7);
        w.u16(0xbeef);
        w.u32(0xdead_beef);
        w.u64(u64::MAX - 1);
        w.u128(u128::MAX - 2);
        w.short_str("héllo");
        w.str("wörld");
        w.long_bytes(&[1, 2, 3]);
        let bytes = w.into_vec();
        assert_eq!(&bytes[1..3], &[0xef, 0xbe], "little-endian");

        let mut r = Reader::new(&bytes);
        assert_eq!(r.u8("a").unwrap(), 7);
        assert_eq!(r.u16("b").unwrap(), 0xbeef);
        assert_eq!(r.u32("c").unwrap(), 0xdead_beef);
        assert_eq!(r.u64("d").unwrap(), u64::MAX - 1);
        assert_eq!(r.u128("d2").unwrap(), u128::MAX - 2);
        assert_eq!(r.short_str("e").unwrap(), "héllo");
        assert_eq!(r.str("e2").unwrap(), "wörld");
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
        r.u8("a").unwrap();
        assert_eq!(
            r.u32("x"),
            Err(CodecError::Truncated {
                what: "x",
                needed: 4,
                available: 2
            })
        );
        assert_eq!(r.position(), 1, "a failed read consumes nothing");

        let mut r = Reader::new(&[2, 0xff, 0xfe]);
        assert_eq!(r.short_str("s"), Err(CodecError::NotUtf8 { what: "s" }));
        let mut r = Reader::new(&[0xff, 0xff, 0xff, 0xff]);
        assert!(matches!(
            r.long_bytes("huge"),
            Err(CodecError::Truncated { what: "huge", .. })
        ));
    }

    #[test]
    fn long_strings_are_cut_not_misframed() {
        let s = "a".repeat(70_000);
        let mut w = Writer::new();
        w.str(&s);
        w.u8(9);
        let bytes = w.into_vec();
        let mut r = Reader::new(&bytes);
        assert_eq!(r.str("s").unwrap().len(), usize::from(u16::MAX));
        assert_eq!(r.u8("after").unwrap(), 9);
        r.finish("message").unwrap();
    }

    #[derive(Debug, Clone)]
    enum Field {
        U8(u8),
        U16(u16),
        U32(u32),
        U64(u64),
        U128(u128),
        Short(String),
        Str(String),
        Long(Vec<u8>),
    }

    fn field() -> impl Strategy<Value = Field> {
        prop_oneof![
            any::<u8>().prop_map(Field::U8),
            any::<u16>().prop_map(Field::U16),
            any::<u32>().prop_map(Field::U32),
            any::<u64>().prop_map(Field::U64),
            any::<u128>().prop_map(Field::U128),
            "[a-zé0-9]{0,60}".prop_map(Field::Short),
            ".{0,80}".prop_map(Field::Str),
            proptest::collection::vec(any::<u8>(), 0..100).prop_map(Field::Long),
        ]
    }

    fn write(fields: &[Field]) -> Vec<u8> {
        let mut w = Writer::new();
        for f in fields {
            match f {
                Field::U8(v) => w.u8(*v),
                Field::U16(v) => w.u16(*v),
                Field::U32(v) => w.u32(*v),
                Field::U64(v) => w.u64(*v),
                Field::U128(v) => w.u128(*v),
                Field::Short(s) => w.short_str(s),
                Field::Str(s) => w.str(s),
                Field::Long(b) => w.long_bytes(b),
            }
        }
        w.into_vec()
    }

    /// Reads `fields`' shapes back; the values read are compared by re-encoding.
    fn read(fields: &[Field], bytes: &[u8]) -> Result<Vec<Field>, CodecError> {
        let mut r = Reader::new(bytes);
        let mut out = Vec::new();
        for f in fields {
            out.push(match f {
                Field::U8(_) => Field::U8(r.u8("u8")?),
                Field::U16(_) => Field::U16(r.u16("u16")?),
                Field::U32(_) => Field::U32(r.u32("u32")?),
                Field::U64(_) => Field::U64(r.u64("u64")?),
                Field::U128(_) => Field::U128(r.u128("u128")?),
                Field::Short(_) => Field::Short(r.short_str("short")?.to_owned()),
                Field::Str(_) => Field::Str(r.str("str")?.to_owned()),
                Field::Long(_) => Field::Long(r.long_bytes("long")?.to_vec()),
            });
        }
        r.finish("message")?;
        Ok(out)
    }

    proptest! {
        #[test]
        fn any_sequence_of_fields_round_trips(fields in proptest::collection::vec(field(), 0..12)) {
            let bytes = write(&fields);
            let back = read(&fields, &bytes).unwrap();
            prop_assert_eq!(write(&back), bytes);
        }

        #[test]
        fn cut_or_padded_input_is_refused(
            fields in proptest::collection::vec(field(), 1..12),
            cut in any::<prop::sample::Index>(),
        ) {
            let bytes = write(&fields);
            prop_assume!(!bytes.is_empty());
            let at = cut.index(bytes.len());
            prop_assert!(read(&fields, &bytes[..at]).is_err());
            let mut padded = bytes.clone();
            padded.push(0);
            let trailing = matches!(
                read(&fields, &padded),
                Err(CodecError::TrailingBytes { count: 1, .. })
            );
            prop_assert!(trailing);
        }
    }
}
