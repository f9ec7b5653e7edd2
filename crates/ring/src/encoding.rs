//! Errors from decoding ring elements.

/// Why bytes are not the canonical encoding of an element.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The byte string has the wrong length.
    #[error("expected {expected} bytes of ring elements, got {got}")]
    Length {
        /// Bytes expected.
        expected: usize,
        /// Bytes received.
        got: usize,
    },
    /// A bit at or above k+s is set.
    #[error("non-canonical ring element: a bit at or above bit {bits} is set")]
    NonCanonical {
        /// k + s.
        bits: u32,
    },
}
