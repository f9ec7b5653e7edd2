//! Routes from a party to a client.
//!
//! Every party seals and signs its bundle as an envelope whatever its route; the route only
//! decides who carries the bytes. A party with a direct route sends its envelope over its own
//! TLS link to the client; a party routed through a proxy sends it to the proxy party, which
//! checks it with [`crate::check_forwarded_envelope`] and forwards it byte for byte next to
//! its own envelope. Sealing on direct routes too is deliberate:
//!
//! - *defence in depth*: the shares stay confidential and authenticated even if a TLS
//!   endpoint is misconfigured or terminated by something in between;
//! - *uniform verification*: the client runs one check sequence (signature, header, sequence
//!   number, decryption, w = x^ b) for every party, so there is no weaker path to attack and
//!   no second code path to get wrong;
//! - *no trust in links*: the client never needs to know which TLS link an envelope came
//!   on; the sender is the key that signed it, and replays or swaps between sessions, labels
//!   or sequence numbers fail the header checks wherever the bytes travelled.
//!
//! The price is one X25519 operation and one signature per party and delivery, which is
//! small next to the per-value cost of a large bundle (see the `envelope` bench).

use core::fmt;

/// How a party's envelopes reach one client.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Route {
    /// The party sends to the client over its own connection.
    Direct,
    /// The party hands its envelopes to the proxy party with this index, which forwards them.
    Via {
        /// The proxy party's index.
        proxy: usize,
    },
}

impl Route {
    /// The party whose connection to the client carries `party`'s envelopes.
    pub fn carrier(&self, party: usize) -> usize {
        match *self {
            Self::Direct => party,
            Self::Via { proxy } => proxy,
        }
    }
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Direct => f.write_str("direct"),
            Self::Via { proxy } => write!(f, "via party {proxy}"),
        }
    }
}
