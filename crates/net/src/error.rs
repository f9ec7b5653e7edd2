//! Transport errors. Each names this party, the peer, the session and the protocol phase,
//! and says what to check.

use spdz2k_core::SessionId;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// A transport failure.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NetError {
    /// A peer sent nothing within the timeout.
    #[error(
        "party {party}: timed out after {waited:?} waiting for party {peer} in session {session} \
         (phase: {phase}); check that party {peer} is running this session with the same session ID"
    )]
    Timeout {
        /// This party.
        party: usize,
        /// The silent peer.
        peer: usize,
        /// The session.
        session: SessionId,
        /// The protocol phase.
        phase: &'static str,
        /// How long we waited.
        waited: Duration,
    },
    /// The peer's side of the session went away (EOF).
    #[error(
        "party {party}: party {peer} closed the connection in session {session} (phase: {phase}); \
         check party {peer}'s log for the error that stopped it"
    )]
    Closed {
        /// This party.
        party: usize,
        /// The peer that went away.
        peer: usize,
        /// The session.
        session: SessionId,
        /// The protocol phase.
        phase: &'static str,
    },
    /// A peer index outside the session, or this party's own index.
    #[error("party {party}: no peer {peer} in session {session} of {n} parties")]
    NoSuchPeer {
        /// This party.
        party: usize,
        /// The bad index.
        peer: usize,
        /// Parties in the session.
        n: usize,
        /// The session.
        session: SessionId,
    },

    // ---- Mutual TLS channels (the `tls` module). Each names this node, the peer (index or
    // name and address), the session and the likely fix. `docs/TROUBLESHOOTING.md` lists them.
    /// This node's key, certificate or config cannot be used.
    #[error("{node}: {source}")]
    Identity {
        /// This node.
        node: String,
        /// What is wrong.
        source: spdz2k_pki::PkiError,
    },
    /// The listen address cannot be bound.
    #[error(
        "{node}: cannot listen on {addr}: {source}; another process (perhaps another spdz2k \
         node) already uses this address, or it is not an address of this machine: stop that \
         process or change [node] listen in {}", config.display()
    )]
    Bind {
        /// This node.
        node: String,
        /// The listen address.
        addr: std::net::SocketAddr,
        /// The config that names it.
        config: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// Not every peer was connected within the connection timeout.
    #[error(
        "{node}: session {session}: timed out after {waited:?} creating channels; missing {}: {}{}",
        if missing.len() == 1 { "peer" } else { "peers" },
        missing.iter().map(|m| m.to_string()).collect::<Vec<_>>().join("; "),
        if refused_incoming.is_empty() { String::new() } else {
            format!(". Recently refused incoming connections: {}", refused_incoming.join("; "))
        }
    )]
    PeersMissing {
        /// This node.
        node: String,
        /// The session being opened.
        session: SessionId,
        /// How long we waited.
        waited: Duration,
        /// Every peer that is not connected, with what we know.
        missing: Vec<MissingPeer>,
        /// Incoming connections this node refused lately (often the missing peer's attempts).
        refused_incoming: Vec<String>,
    },
    /// The peer proved a key different from its pin.
    #[error(
        "{node}: session {session}: {peer} at {address} presented key {presented_fp} but {} pins \
         {expected_fp} for it in {entry}{}. If {peer}'s key was regenerated on purpose, confirm \
         {presented_fp} with its operator and set {entry} = \"{presented_hex}\"",
        config.display(),
        presented_is.as_ref().map(|o| format!(" (the presented key is the one pinned for {o}: the address may point at the wrong node)")).unwrap_or_default()
    )]
    PinMismatch {
        /// This node.
        node: String,
        /// The peer (`P1`).
        peer: String,
        /// The address dialled.
        address: String,
        /// The session.
        session: SessionId,
        /// The pinned fingerprint.
        expected_fp: String,
        /// The presented fingerprint.
        presented_fp: String,
        /// Hex of the presented key.
        presented_hex: String,
        /// Another configured node that owns the presented key, if any.
        presented_is: Option<String>,
        /// This node's config.
        config: PathBuf,
        /// The config entry to change, e.g. `parties[1].public_key`.
        entry: String,
    },
    /// This node dialled its own listener.
    #[error(
        "{node}: session {session}: the address {address} configured for {peer} ({entry} in {}) \
         reaches this node itself; set it to {peer}'s address",
        config.display()
    )]
    SelfDial {
        /// This node.
        node: String,
        /// The peer it meant to dial.
        peer: String,
        /// The address.
        address: String,
        /// The session.
        session: SessionId,
        /// This node's config.
        config: PathBuf,
        /// The entry, e.g. `parties[1].address`.
        entry: String,
    },
    /// The peer's certificate is expired or not yet valid.
    #[error(
        "{node}: session {session}: {peer} at {address} presented a certificate that is not \
         valid now: {detail}; {peer}'s operator must renew it with \
         `spdz2k renew-cert --config <{peer}'s node.toml>` (its key and pins stay the same), \
         or fix the clock of whichever machine is wrong"
    )]
    PeerCertInvalid {
        /// This node.
        node: String,
        /// The peer.
        peer: String,
        /// The peer's address.
        address: String,
        /// The session.
        session: SessionId,
        /// What is wrong with it.
        detail: String,
    },
    /// The peer refused this node's connection.
    #[error("{node}: session {session}: {peer} at {address} refused this node: {reason}")]
    Rejected {
        /// This node.
        node: String,
        /// The peer.
        peer: String,
        /// The peer's address.
        address: String,
        /// The session.
        session: SessionId,
        /// Why (the peer's words or the meaning of its TLS alert).
        reason: String,
    },
    /// The peer did not open the session within the timeout.
    #[error(
        "{node}: session {session}: {peer} at {address} did not open session {session} within \
         {waited:?}; {}",
        if peer_sessions.is_empty() {
            format!("it has opened no other session either: check that {peer} was started for this session, with the same session ID, within the connection timeout")
        } else {
            format!("it opened session(s) {} instead, which this node was not asked to open: check that every node was given the same session ID", peer_sessions.join(", "))
        }
    )]
    SessionNotOpened {
        /// This node.
        node: String,
        /// The peer.
        peer: String,
        /// The peer's address.
        address: String,
        /// The session this node waited for.
        session: SessionId,
        /// How long.
        waited: Duration,
        /// Sessions the peer opened that this node has not.
        peer_sessions: Vec<String>,
    },
    /// The peer closed the session (before or during the handshake), e.g. because it gave up.
    #[error(
        "{node}: session {session}: {peer} at {address} closed session {session}: {reason}; \
         {hint}"
    )]
    SessionClosedByPeer {
        /// This node.
        node: String,
        /// The peer.
        peer: String,
        /// The peer's address.
        address: String,
        /// The session.
        session: SessionId,
        /// The peer's reason.
        reason: String,
        /// What to do.
        hint: String,
    },
    /// The two sides of a session disagree on its metadata.
    #[error(
        "{node}: session {session}: {peer} at {address} disagrees on the session's {field}: \
         this node has {ours}, {peer} has {theirs}; start every node of the session with the \
         same {field}"
    )]
    SessionMismatch {
        /// This node.
        node: String,
        /// The peer.
        peer: String,
        /// The peer's address.
        address: String,
        /// The session.
        session: SessionId,
        /// Which field: "parameters", "party set", "operation", "version".
        field: &'static str,
        /// This node's value.
        ours: String,
        /// The peer's value.
        theirs: String,
    },
    /// This node was called so late that a peer's attempt to open the session had already
    /// been closed here.
    #[error(
        "{node}: session {session}: this node was called too late: {peer} at {address} opened \
         session {session} {opened_ago:?} before this node did, and it was closed here after \
         the connection timeout ({waited:?}){peer_note}; start every node of a session within \
         the connection timeout of each other, with a fresh session ID"
    )]
    SessionTooLate {
        /// This node.
        node: String,
        /// The peer that opened it first.
        peer: String,
        /// Its address.
        address: String,
        /// The session.
        session: SessionId,
        /// How long before this node's call the peer opened it.
        opened_ago: Duration,
        /// The connection timeout.
        waited: Duration,
        /// What the peer said when it gave up, if it did (starts with "; ").
        peer_note: String,
    },
    /// This node already has the session open.
    #[error("{node}: session {session} is already open on this node; session IDs must be unique")]
    DuplicateSession {
        /// This node.
        node: String,
        /// The session.
        session: SessionId,
    },
    /// The session spec does not fit this node's config.
    #[error("{node}: session {session}: {detail}")]
    BadSession {
        /// This node.
        node: String,
        /// The session.
        session: SessionId,
        /// What is wrong.
        detail: String,
    },
    /// The connection to a peer broke during a session (EOF, reset, TLS error).
    #[error(
        "party {party}: the connection to party {peer} at {address} was lost in session \
         {session} (phase: {phase}): {cause}; check party {peer}'s log for the error that \
         stopped it, and the network between the two"
    )]
    ConnectionLost {
        /// This party.
        party: usize,
        /// The peer.
        peer: usize,
        /// The peer's address.
        address: String,
        /// The session.
        session: SessionId,
        /// The protocol phase.
        phase: &'static str,
        /// What happened.
        cause: String,
    },
    /// A peer sent something this node cannot parse or did not expect.
    #[error("{node}: session {session}: protocol error from {peer} at {address}: {detail}")]
    Protocol {
        /// This node.
        node: String,
        /// The peer.
        peer: String,
        /// The peer's address.
        address: String,
        /// The session.
        session: SessionId,
        /// What was wrong.
        detail: String,
    },
    /// A party-client channel: nothing arrived within the timeout.
    #[error(
        "{node}: session {session}: timed out after {waited:?} waiting for {peer} ({address}); \
         {hint}"
    )]
    ChannelTimeout {
        /// This node.
        node: String,
        /// The peer (`C0` or `P1`).
        peer: String,
        /// Its address (or "incoming" for a client that dials us).
        address: String,
        /// The session.
        session: SessionId,
        /// How long.
        waited: Duration,
        /// What to check.
        hint: String,
    },
    /// A party-client channel closed.
    #[error(
        "{node}: session {session}: {peer} ({address}) closed the channel (phase: {phase}): {cause}; check {peer}'s log"
    )]
    ChannelClosed {
        /// This node.
        node: String,
        /// The peer.
        peer: String,
        /// Its address.
        address: String,
        /// The session.
        session: SessionId,
        /// The phase of this node.
        phase: &'static str,
        /// What happened.
        cause: String,
    },
    /// The client this node waits for tried to connect and was refused.
    #[error("{node}: session {session}: {client} tried to connect and was refused: {detail}")]
    ClientRefused {
        /// This node.
        node: String,
        /// The client.
        client: String,
        /// The session.
        session: SessionId,
        /// The refusal, as logged when it happened.
        detail: String,
    },
    /// A connected peer sent nothing, not even a heartbeat, for the idle timeout: its process
    /// is stopped or hung, or the network between the two is cut.
    #[error(
        "{node}: session {session}: {peer} at {address} has sent nothing, not even a heartbeat, \
         for {silent:.1?} (idle timeout {idle:?}; phase: {phase}): its process is stopped or hung, \
         or the network is cut; check {peer}'s process and log"
    )]
    PeerSilent {
        /// This node.
        node: String,
        /// The silent peer.
        peer: String,
        /// Its address.
        address: String,
        /// The session.
        session: SessionId,
        /// The phase of this node.
        phase: &'static str,
        /// How long the peer has been silent.
        silent: Duration,
        /// The idle timeout.
        idle: Duration,
    },
    /// A peer abandoned the session and sent its cause.
    #[error(
        "{node}: session {session}: {peer} at {address} aborted the session ({kind}; phase here: \
         {phase}): {cause}"
    )]
    PeerAborted {
        /// This node.
        node: String,
        /// The peer that aborted.
        peer: String,
        /// Its address.
        address: String,
        /// The session.
        session: SessionId,
        /// The phase of this node.
        phase: &'static str,
        /// The kind of fault.
        kind: crate::tls::AbortKind,
        /// The peer's own error line.
        cause: String,
    },
}

impl NetError {
    /// Whether the peer is gone: [`NetError::Closed`] (it ended the session) or
    /// [`NetError::ConnectionLost`] (the connection broke).
    pub fn is_peer_gone(&self) -> bool {
        matches!(
            self,
            NetError::Closed { .. } | NetError::ConnectionLost { .. }
        )
    }

    /// The kind of fault, for the abort frame this node sends its peers.
    pub fn abort_kind(&self) -> crate::tls::AbortKind {
        use crate::tls::AbortKind;
        match self {
            NetError::SessionMismatch { .. }
            | NetError::SessionNotOpened { .. }
            | NetError::SessionTooLate { .. } => AbortKind::Mismatch,
            NetError::PeerAborted { kind, .. } => *kind,
            NetError::Protocol { .. } => AbortKind::Protocol,
            NetError::ChannelTimeout { .. }
            | NetError::ChannelClosed { .. }
            | NetError::ClientRefused { .. } => AbortKind::Client,
            _ => AbortKind::Network,
        }
    }
}

/// One peer missing when channels were created, and what is known about why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingPeer {
    /// The peer (`P2`).
    pub peer: String,
    /// Its configured address.
    pub address: String,
    /// What we know: the last dial error, or who should have dialled whom.
    pub detail: String,
}

impl fmt::Display for MissingPeer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {} ({})", self.peer, self.address, self.detail)
    }
}
