//! Key set identifiers.

/// A 16-byte identifier of one MAC key set, so stored material made under another key is
/// refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeySetId(pub [u8; 16]);

impl core::fmt::Display for KeySetId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}
