//! The small control messages carried in frames: the connection hello, the session hello
//! and the abort notice, written with the project's one codec ([`spdz2k_core::bytes`]:
//! little-endian integers, u16-length-prefixed strings).

use spdz2k_core::SessionId;
use spdz2k_core::bytes::{CodecError, Reader, Writer};
use spdz2k_ring::ParamsId;

/// Version of this wire format and handshake; both sides must agree.
/// Version 2 added heartbeats, the closing handshake and abort frames; version 3 writes
/// every integer (frame lengths, hello fields) little-endian, where version 2 wrote them
/// big-endian.
pub const PROTOCOL_VERSION: u16 = 3;

/// What a dialer wants from a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// The long-lived party-to-party link that carries sessions.
    Mesh,
    /// `spdz2k check`: pings only.
    Ping,
    /// A client's link to a party for one session.
    Client,
}

/// The first frame a dialer sends after the TLS handshake.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnHello {
    /// Wire format version.
    pub version: u16,
    /// What the connection is for.
    pub purpose: Purpose,
    /// The name the dialer claims (`P0`, `C0`); checked against the key it proved.
    pub from: String,
    /// The party index the dialer believes it has reached.
    pub to: u32,
    /// For [`Purpose::Client`]: the session.
    pub session: Option<SessionId>,
}

/// Session metadata both sides exchange and compare when opening a session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionHello {
    /// Wire format version.
    pub version: u16,
    /// Ring parameters.
    pub params: ParamsId,
    /// Sorted party indices taking part.
    pub parties: Vec<usize>,
    /// The operation (program) name.
    pub operation: String,
}

/// What kind of fault made a node abandon a session; carried in an abort frame so that
/// every side names the same cause.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AbortKind {
    /// The nodes were started with different session IDs, parameters or programs.
    Mismatch,
    /// A protocol check failed or a peer misbehaved (MAC check, malformed message...).
    Protocol,
    /// A connection was lost or a peer went silent.
    Network,
    /// The client was refused, or refused what it received.
    Client,
    /// Preprocessing ran out, did not match or could not be read.
    Preprocessing,
    /// Anything else (configuration, usage).
    Other,
}

impl AbortKind {
    fn code(self) -> u8 {
        match self {
            Self::Mismatch => 1,
            Self::Protocol => 2,
            Self::Network => 3,
            Self::Client => 4,
            Self::Preprocessing => 5,
            Self::Other => 0,
        }
    }
    /// The kind of `c`; `None` for a code no version defines, so that every accepted notice
    /// has one encoding (an unknown code is not read as `Other`).
    fn from_code(c: u8) -> Option<Self> {
        Some(match c {
            0 => Self::Other,
            1 => Self::Mismatch,
            2 => Self::Protocol,
            3 => Self::Network,
            4 => Self::Client,
            5 => Self::Preprocessing,
            _ => return None,
        })
    }
}

impl std::fmt::Display for AbortKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Mismatch => "session mismatch",
            Self::Protocol => "protocol abort",
            Self::Network => "network failure",
            Self::Client => "client fault",
            Self::Preprocessing => "preprocessing",
            Self::Other => "error",
        })
    }
}

/// The payload of an abort frame: the kind of fault and the sender's own error line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AbortNotice {
    /// What kind of fault.
    pub kind: AbortKind,
    /// The sender's error message (no secrets: error messages never carry shares or keys).
    pub detail: String,
}

/// The longest detail an abort frame carries (longer ones are cut at a character boundary).
const MAX_ABORT_DETAIL: usize = 4000;

impl AbortNotice {
    /// A notice; `detail` is cut to a bounded length.
    pub fn new(kind: AbortKind, detail: impl Into<String>) -> Self {
        let mut detail = detail.into();
        if detail.len() > MAX_ABORT_DETAIL {
            let mut cut = MAX_ABORT_DETAIL;
            while !detail.is_char_boundary(cut) {
                cut -= 1;
            }
            detail.truncate(cut);
        }
        Self { kind, detail }
    }
    /// Encodes the notice.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(3 + self.detail.len());
        w.u8(self.kind.code());
        w.str(&self.detail);
        w.into_vec()
    }
    /// Decodes a notice.
    pub fn decode(bytes: &[u8]) -> Result<Self, String> {
        let mut r = Reader::new(bytes);
        let code = r.u8("abort kind").map_err(|e| e.to_string())?;
        let kind =
            AbortKind::from_code(code).ok_or_else(|| format!("unknown abort kind {code}"))?;
        let detail = r.str("abort detail").map_err(|e| e.to_string())?.to_owned();
        r.finish("abort notice").map_err(|e| e.to_string())?;
        Ok(Self { kind, detail })
    }
}

impl ConnHello {
    /// Encodes the hello.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(64);
        w.u16(self.version);
        w.u8(match self.purpose {
            Purpose::Mesh => 0,
            Purpose::Ping => 1,
            Purpose::Client => 2,
        });
        w.str(&self.from);
        w.u32(self.to);
        w.str(self.session.as_ref().map_or("", |s| s.as_str()));
        w.into_vec()
    }
    /// Decodes a hello.
    pub fn decode(bytes: &[u8]) -> Result<Self, String> {
        let mut r = Reader::new(bytes);
        let bad = |e: CodecError| e.to_string();
        let version = r.u16("version").map_err(bad)?;
        let purpose = match r.u8("connection purpose").map_err(bad)? {
            0 => Purpose::Mesh,
            1 => Purpose::Ping,
            2 => Purpose::Client,
            other => return Err(format!("unknown connection purpose {other}")),
        };
        let from = r.str("dialer name").map_err(bad)?.to_owned();
        let to = r.u32("party index").map_err(bad)?;
        let session = r.str("session ID").map_err(bad)?;
        r.finish("connection hello").map_err(bad)?;
        let session = match session {
            "" => None,
            s => Some(SessionId::new(s).map_err(|e| e.to_string())?),
        };
        Ok(Self {
            version,
            purpose,
            from,
            to,
            session,
        })
    }
}

impl SessionHello {
    /// Encodes the hello.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(18 + 4 * self.parties.len() + self.operation.len());
        w.u16(self.version);
        w.u32(self.params.k);
        w.u32(self.params.s);
        w.u32(u32::try_from(self.parties.len()).unwrap_or(u32::MAX));
        for &p in &self.parties {
            w.u32(u32::try_from(p).unwrap_or(u32::MAX));
        }
        w.str(&self.operation);
        w.into_vec()
    }
    /// Decodes a hello.
    pub fn decode(bytes: &[u8]) -> Result<Self, String> {
        let mut r = Reader::new(bytes);
        let bad = |e: CodecError| e.to_string();
        let version = r.u16("version").map_err(bad)?;
        let params = ParamsId {
            k: r.u32("k").map_err(bad)?,
            s: r.u32("s").map_err(bad)?,
        };
        let n = r.u32("party count").map_err(bad)? as usize;
        if n > 4096 {
            return Err(format!("party set of {n} entries is too large"));
        }
        let parties = (0..n)
            .map(|_| r.u32("party index").map(|p| p as usize))
            .collect::<Result<_, _>>()
            .map_err(bad)?;
        let operation = r.str("operation").map_err(bad)?.to_owned();
        r.finish("session hello").map_err(bad)?;
        Ok(Self {
            version,
            params,
            parties,
            operation,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hellos_round_trip_and_reject_garbage() {
        let h = ConnHello {
            version: PROTOCOL_VERSION,
            purpose: Purpose::Client,
            from: "C0".into(),
            to: 1,
            session: Some(SessionId::new("s-1").unwrap()),
        };
        assert_eq!(ConnHello::decode(&h.encode()).unwrap(), h);
        let s = SessionHello {
            version: PROTOCOL_VERSION,
            params: ParamsId { k: 64, s: 64 },
            parties: vec![0, 1, 2],
            operation: "demo".into(),
        };
        assert_eq!(SessionHello::decode(&s.encode()).unwrap(), s);
        let enc = s.encode();
        assert!(SessionHello::decode(&enc[..enc.len() - 1]).is_err());
        assert!(ConnHello::decode(&[0, 1, 7]).is_err());
        let a = AbortNotice::new(AbortKind::Mismatch, "P0 was given session a, P1 b");
        assert_eq!(AbortNotice::decode(&a.encode()).unwrap(), a);
        let long = AbortNotice::new(AbortKind::Other, "é".repeat(5000));
        assert!(long.detail.len() <= MAX_ABORT_DETAIL);
        assert_eq!(AbortNotice::decode(&long.encode()).unwrap(), long);
    }

    #[test]
    fn every_abort_kind_code_decodes_to_the_kind_that_writes_it() {
        let decoded: Vec<_> = (0..=u8::MAX)
            .filter_map(|c| AbortKind::from_code(c).map(|k| (c, k)))
            .collect();
        assert!(decoded.iter().all(|&(c, k)| k.code() == c), "{decoded:?}");
        assert_eq!(decoded.len(), 6, "one code per kind: {decoded:?}");
    }
}
