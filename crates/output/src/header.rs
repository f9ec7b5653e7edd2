//! The envelope header: everything the client needs to check before it decrypts, encoded
//! canonically so that the same bytes serve as HPKE associated data and as signed data.
//!
//! Layout (integers little-endian):
//!
//! ```text
//! magic "SPDZ2KEV" (8) | version u8 | kind u8 | session (u8 len, bytes) | label (u8 len,
//! bytes) | client (u8 len, bytes) | sender u32 | k u32 | s u32 | value count u64 | seq u64
//! ```

use core::fmt;

use spdz2k_core::SessionId;
use spdz2k_ring::ParamsId;

use crate::error::{EnvelopeError, FieldError};
use crate::ids::{ClientId, Label};
use spdz2k_core::bytes::{Reader, Writer};

/// The first eight bytes of every envelope.
pub const ENVELOPE_MAGIC: [u8; 8] = *b"SPDZ2KEV";
/// The envelope format version this build writes and reads.
pub const ENVELOPE_VERSION: u8 = 1;

/// What an envelope carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EnvelopeKind {
    /// A party's shares (x^, b, w) of outputs for the client.
    OutputBundle,
    /// A party's shares (a, b, c) of the triples that mask a client's inputs.
    InputTriple,
}

impl EnvelopeKind {
    fn code(self) -> u8 {
        match self {
            Self::OutputBundle => 1,
            Self::InputTriple => 2,
        }
    }

    fn from_code(c: u8) -> Result<Self, EnvelopeError> {
        match c {
            1 => Ok(Self::OutputBundle),
            2 => Ok(Self::InputTriple),
            other => Err(EnvelopeError::UnknownKind(other)),
        }
    }
}

impl fmt::Display for EnvelopeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::OutputBundle => "output bundle",
            Self::InputTriple => "input triple bundle",
        })
    }
}

/// Who sends what to whom: the fields of a header that the sending party chooses. The kind,
/// parameters and value count come from the bundle being sealed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// The session the values belong to.
    pub session: SessionId,
    /// The output or input name.
    pub label: Label,
    /// The recipient client.
    pub client: ClientId,
    /// The sending party's index.
    pub sender: usize,
    /// The sender's delivery number for (session, label): 0, 1, 2, ...
    pub seq: u64,
}

/// A decoded envelope header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvelopeHeader {
    /// The format version.
    pub version: u8,
    /// What the envelope carries.
    pub kind: EnvelopeKind,
    /// The session the values belong to.
    pub session: SessionId,
    /// The output or input name.
    pub label: Label,
    /// The recipient client.
    pub client: ClientId,
    /// The sending party's index.
    pub sender: usize,
    /// The ring (k, s) of the shares.
    pub params: ParamsId,
    /// How many values the bundle holds.
    pub count: u64,
    /// The sender's delivery number for (session, label).
    pub seq: u64,
}

impl EnvelopeHeader {
    /// The header for sealing `count` values of `params` under `delivery`.
    pub fn new(delivery: &Delivery, kind: EnvelopeKind, params: ParamsId, count: u64) -> Self {
        Self {
            version: ENVELOPE_VERSION,
            kind,
            session: delivery.session.clone(),
            label: delivery.label.clone(),
            client: delivery.client.clone(),
            sender: delivery.sender,
            params,
            count,
            seq: delivery.seq,
        }
    }

    /// Appends the canonical encoding.
    pub(crate) fn encode(&self, w: &mut Writer) -> Result<(), EnvelopeError> {
        let sender = u32::try_from(self.sender).map_err(|_| FieldError {
            field: "sender index",
            reason: format!("{} does not fit in 32 bits", self.sender),
        })?;
        w.bytes(&ENVELOPE_MAGIC);
        w.u8(self.version);
        w.u8(self.kind.code());
        w.short_str(self.session.as_str());
        w.short_str(self.label.as_str());
        w.short_str(self.client.as_str());
        w.u32(sender);
        w.u32(self.params.k);
        w.u32(self.params.s);
        w.u64(self.count);
        w.u64(self.seq);
        Ok(())
    }

    /// Reads a header; rejects a foreign magic, an unknown version or kind, and invalid names.
    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<Self, EnvelopeError> {
        let magic: [u8; 8] = r.array("envelope magic")?;
        if magic != ENVELOPE_MAGIC {
            return Err(EnvelopeError::BadMagic {
                found: magic,
                expected: ENVELOPE_MAGIC,
            });
        }
        let version = r.u8("envelope version")?;
        if version != ENVELOPE_VERSION {
            return Err(EnvelopeError::UnsupportedVersion {
                found: version,
                supported: ENVELOPE_VERSION,
            });
        }
        let kind = EnvelopeKind::from_code(r.u8("envelope kind")?)?;
        let session = SessionId::new(r.short_str("session ID")?).map_err(|e| FieldError {
            field: "session ID",
            reason: e.to_string(),
        })?;
        let label = Label::new(r.short_str("label")?)?;
        let client = ClientId::new(r.short_str("client ID")?)?;
        let sender = r.u32("sender index")? as usize;
        let k = r.u32("k")?;
        let s = r.u32("s")?;
        let count = r.u64("value count")?;
        let seq = r.u64("sequence number")?;
        Ok(Self {
            version,
            kind,
            session,
            label,
            client,
            sender,
            params: ParamsId { k, s },
            count,
            seq,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_envelope_kind_code_decodes_to_the_kind_that_writes_it() {
        let decoded: Vec<_> = (0..=u8::MAX)
            .filter_map(|c| EnvelopeKind::from_code(c).ok().map(|k| (c, k)))
            .collect();
        assert!(decoded.iter().all(|&(c, k)| k.code() == c), "{decoded:?}");
        assert_eq!(decoded.len(), 2, "one code per kind: {decoded:?}");
        assert_eq!(
            EnvelopeKind::from_code(3),
            Err(EnvelopeError::UnknownKind(3))
        );
    }
}
