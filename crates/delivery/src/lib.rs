//! Client I/O (DESIGN.md section 3) as a sans-IO protocol: registration, proxied or direct
//! output delivery, and client input.
//!
//! Every party seals and signs its bundle as an envelope whatever its route; the route only
//! decides who carries the bytes. A party routed `via P_j` hands its envelope to P_j over
//! the session; P_j verifies the signature (to blame the sender early) and forwards it
//! byte for byte next to its own, in one batch per delivery. The client verifies every
//! signature and header, decrypts, and checks w = x^ * b for every value, so the proxy can
//! neither read, alter, replay nor silently drop anything. Sealing on direct routes too is
//! deliberate:
//!
//! - *defence in depth*: the shares stay confidential and authenticated even if a TLS
//!   endpoint is misconfigured or terminated by something in between;
//! - *uniform verification*: the client runs one check sequence (signature, header,
//!   sequence number, decryption, w = x^ b) for every party, so there is no weaker path to
//!   attack and no second code path to get wrong;
//! - *no trust in links*: the client never needs to know which TLS link an envelope came
//!   on; the sender is the key that signed it.
//!
//! The parts:
//! - [`RoutePlan`]: every party's route, announced at the start ([`Announcement`]), checked
//!   (a proxy must itself be direct), and who carries whose envelopes;
//! - [`encode_batch`] / [`decode_batch`]: the framing of one delivery's envelopes;
//! - [`PortMachine`]: a party's end, a state machine that says which message to send or
//!   receive next ([`Step`]) and is fed what arrives;
//! - [`ClientMachine`]: the client's end, likewise ([`ClientStep`]).
//!
//! The machines touch no socket; [`ClientPort`] and [`RemoteClient`] (the `driver` module,
//! the only async code here) drive them over an engine session and TLS channels. The
//! facade re-exports them as `spdz2k::delivery`.
#![forbid(unsafe_code)]
#![warn(clippy::unwrap_used)]

mod batch;
mod client;
mod driver;
mod error;
mod plan;
mod port;

pub use batch::{decode_batch, encode_batch};
pub use client::{ClientMachine, ClientStep};
pub use driver::{ClientPort, RemoteClient};
pub use error::DeliveryError;
pub use plan::{Announcement, RoutePlan};
#[cfg(feature = "tamper-hooks")]
pub use port::{ClientMessageTamper, ForwardTamper};
pub use port::{PortMachine, Step};

/// What a party sends the client (through its proxy, if routed) once it has verified and
/// registered the client's session key; the client reports "registered" only after every
/// directly connected party has confirmed for itself and the parties it serves.
pub const REGISTRATION_CONFIRMED: &[u8] = b"spdz2k registration confirmed v1";
