//! Mutual TLS between nodes.
//!
//! * A node's identity is its Ed25519 key; the peer's identity is the key it proves in the
//!   TLS 1.3 handshake, compared with the pin in this node's config ([`verify`]). A hello
//!   after the handshake only *claims* a name, and is refused if it differs.
//! * One connection per pair of parties: the lower index dials and redials, retrying until
//!   it succeeds; TCP_NODELAY; frames of at most [`crate::frame::MAX_FRAME`] bytes.
//! * Sessions are multiplexed over those connections by session ID ([`Node::open_session`]),
//!   each opened with a handshake comparing session ID, parameters, party set, operation
//!   and version.
//! * Clients dial the parties they have a direct route to ([`ClientNode`]); parties answer
//!   with [`Node::client_channel`].
//! * [`check()`] is `spdz2k check`.

mod abort;
mod check;
mod client;
mod connect;
mod link;
mod node;
mod session;
mod session_io;
mod tasks;
pub mod verify;
/// The hello messages a node exchanges before any protocol traffic; public so the fuzz targets
/// (`fuzz/`) can reach their decoders.
pub mod wire;

pub use abort::SessionAbort;
pub use check::{CheckLine, CheckReport, CheckStatus, check};
pub use client::{ClientNode, PeerChannel};
pub use node::Node;
pub use session::{SessionSpec, TlsSession};
pub use wire::{AbortKind, AbortNotice, PROTOCOL_VERSION};
