//! Sessions over the party mesh: the handshake that compares metadata, and [`TlsSession`],
//! the [`Transport`] the online engine runs on.

use super::link::{Inbound, LinkHandle, Out};
use super::node::{ClaimError, Node, Shared};
use super::wire::{PROTOCOL_VERSION, SessionHello};
use crate::error::{MissingPeer, NetError};
use crate::frame::FrameKind;
use crate::transport::{TrafficStats, Transport};
use spdz2k_core::SessionId;
use spdz2k_ring::ParamsId;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::time::{Instant, timeout_at};
use tracing::{info, warn};

/// What a session is: every party must open it with the same spec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionSpec {
    /// The session ID.
    pub session: SessionId,
    /// Ring parameters.
    pub params: ParamsId,
    /// Parties taking part: `0..n` for some `n` up to the deployment's party count.
    pub parties: Vec<usize>,
    /// The operation (program) name.
    pub operation: String,
}

impl SessionSpec {
    /// A spec for parties `0..n`.
    pub fn new(
        session: SessionId,
        params: ParamsId,
        n: usize,
        operation: impl Into<String>,
    ) -> Self {
        Self {
            session,
            params,
            parties: (0..n).collect(),
            operation: operation.into(),
        }
    }
}

struct SessionPeer {
    link: Arc<LinkHandle>,
    rx: UnboundedReceiver<Inbound>,
    address: String,
    /// Set once the peer closed the session or the link broke; later calls fail the same way.
    ended: Option<Ended>,
}

#[derive(Clone)]
enum Ended {
    Closed(String),
    Lost(String),
}

/// Releases a claimed session and tells the peers, unless disarmed by a successful open.
struct Claim {
    shared: Arc<Shared>,
    session: SessionId,
    links: Vec<Arc<LinkHandle>>,
    reason: String,
}

impl Claim {
    fn close(&mut self) {
        for link in self.links.drain(..) {
            link.send(Out::Frame {
                kind: FrameKind::SessionClose,
                sid: self.session.as_bytes().to_vec(),
                payload: self.reason.as_bytes().to_vec(),
            });
        }
        self.shared.release(&self.session);
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        self.close();
    }
}

/// One party's end of an open session over mutual TLS. Implements [`Transport`]; dropping
/// it closes the session (peers see [`NetError::Closed`] once they have read everything
/// sent before).
pub struct TlsSession {
    /// Held for its `Drop`, which closes the session.
    _claim: Claim,
    spec: SessionSpec,
    party: usize,
    timeout: Duration,
    phase: &'static str,
    stats: TrafficStats,
    peers: Vec<Option<SessionPeer>>,
}

impl Node {
    /// Opens a session with every other party of `spec`: waits (up to the connection
    /// timeout) until connected to each, exchanges and compares the session metadata, and
    /// returns the transport. Every party of the session must call this with the same spec.
    pub async fn open_session(&self, spec: SessionSpec) -> Result<TlsSession, NetError> {
        let shared = &self.shared;
        let node = shared.ctx.node.clone();
        let me = shared.me;
        let sid = spec.session.clone();
        let n = spec.parties.len();
        let bad = |detail: String| NetError::BadSession {
            node: node.clone(),
            session: sid.clone(),
            detail,
        };
        if spec.parties.iter().copied().ne(0..n) || n < 2 {
            return Err(bad(format!(
                "the party set must be 0..n with n >= 2, got {:?}",
                spec.parties
            )));
        }
        if n > shared.ctx.config.parties.len() {
            return Err(bad(format!(
                "the party set {:?} is larger than the {} parties in {}",
                spec.parties,
                shared.ctx.config.parties.len(),
                shared.ctx.config.path.display()
            )));
        }
        if me >= n {
            return Err(bad(format!(
                "this node (P{me}) is not in the party set {:?}",
                spec.parties
            )));
        }
        let peers: Vec<usize> = (0..n).filter(|&j| j != me).collect();
        let start = Instant::now();
        let deadline = start + shared.timeout;
        let mut queues = match shared.claim(&sid, &peers) {
            Ok(q) => q,
            Err(ClaimError::Duplicate) => {
                return Err(NetError::DuplicateSession { node, session: sid });
            }
            Err(ClaimError::Late {
                peer,
                opened_ago,
                peer_note,
            }) => {
                let err = NetError::SessionTooLate {
                    node,
                    peer: format!("P{peer}"),
                    address: shared.address_of(peer),
                    session: sid,
                    opened_ago,
                    waited: shared.timeout,
                    peer_note,
                };
                warn!(session = %spec.session, "{err}");
                return Err(err);
            }
        };
        let mut claim = Claim {
            shared: shared.clone(),
            session: sid.clone(),
            links: vec![],
            reason: format!("{node} gave up opening session {sid}"),
        };
        info!(node = %node, session = %sid, operation = %spec.operation, "opening session with parties {:?}", spec.parties);

        // 1. A connection to every peer.
        let mut changed = shared.subscribe();
        let links: Vec<(usize, Arc<LinkHandle>)> = loop {
            for &j in &peers {
                if let Some(f) = shared.fatal_failure(j) {
                    let entry = format!(
                        "parties[{}]",
                        shared.ctx.config.party(j).map_or(j, |p| p.position)
                    );
                    let err = f.to_error(
                        &shared.ctx,
                        &format!("P{j}"),
                        &shared.address_of(j),
                        &sid,
                        &entry,
                    );
                    warn!(node = %node, session = %sid, "{err}");
                    claim.reason = format!("{node} could not connect to P{j}");
                    return Err(err);
                }
            }
            let have: Vec<(usize, Arc<LinkHandle>)> = peers
                .iter()
                .filter_map(|&j| shared.link(j).map(|l| (j, l)))
                .collect();
            if have.len() == peers.len() {
                break have;
            }
            if timeout_at(deadline, changed.changed()).await.is_err() {
                let missing: Vec<MissingPeer> = peers
                    .iter()
                    .filter(|&&j| shared.link(j).is_none())
                    .map(|&j| MissingPeer {
                        peer: format!("P{j}"),
                        address: shared.address_of(j),
                        detail: shared.missing_detail(j),
                    })
                    .collect();
                claim.reason = format!(
                    "{node} gave up opening session {sid}: not connected to {}",
                    missing
                        .iter()
                        .map(|m| m.peer.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                claim.links = have.into_iter().map(|(_, l)| l).collect();
                let err = NetError::PeersMissing {
                    node: node.clone(),
                    session: sid.clone(),
                    waited: start.elapsed(),
                    missing,
                    refused_incoming: shared.refused_incoming(),
                };
                warn!(node = %node, session = %sid, "{err}");
                return Err(err);
            }
        };
        claim.links = links.iter().map(|(_, l)| l.clone()).collect();

        // 2. Exchange and compare metadata.
        let ours = SessionHello {
            version: PROTOCOL_VERSION,
            params: spec.params,
            parties: spec.parties.clone(),
            operation: spec.operation.clone(),
        };
        let encoded = ours.encode();
        for (_, link) in &links {
            link.send(Out::Frame {
                kind: FrameKind::SessionHello,
                sid: sid.as_bytes().to_vec(),
                payload: encoded.clone(),
            });
        }
        let mut session_peers: Vec<Option<SessionPeer>> = (0..n).map(|_| None).collect();
        for (j, link) in links {
            let address = shared.address_of(j);
            let Some(mut rx) = queues.remove(&j) else {
                return Err(bad(format!("internal: no queue for P{j}")));
            };
            let result = loop {
                match timeout_at(deadline, rx.recv()).await {
                    Err(_) => {
                        break Err(NetError::SessionNotOpened {
                            node: node.clone(),
                            peer: format!("P{j}"),
                            address: address.clone(),
                            session: sid.clone(),
                            waited: start.elapsed(),
                            peer_sessions: shared.unclaimed_from(j),
                        });
                    }
                    Ok(Some(Inbound::Hello(theirs))) => {
                        break compare(&node, j, &address, &sid, &ours, &theirs);
                    }
                    Ok(Some(Inbound::Closed(reason))) => {
                        break Err(NetError::SessionClosedByPeer {
                            node: node.clone(),
                            peer: format!("P{j}"),
                            address: address.clone(),
                            session: sid.clone(),
                            reason,
                            hint: "check that every node was given the same session ID and was started within the connection timeout of the others".into(),
                        });
                    }
                    Ok(Some(Inbound::LinkLost { link: id, .. })) if id != link.id => continue,
                    Ok(Some(Inbound::LinkLost { cause, .. })) => {
                        break Err(NetError::ConnectionLost {
                            party: me,
                            peer: j,
                            address: address.clone(),
                            session: sid.clone(),
                            phase: "session handshake",
                            cause,
                        });
                    }
                    Ok(Some(Inbound::Data(_))) => {
                        break Err(NetError::Protocol {
                            node: node.clone(),
                            peer: format!("P{j}"),
                            address: address.clone(),
                            session: sid.clone(),
                            detail: "data before the session hello".into(),
                        });
                    }
                    Ok(None) => {
                        break Err(bad(format!("internal: queue of P{j} closed")));
                    }
                }
            };
            if let Err(err) = result {
                warn!(node = %node, session = %sid, "{err}");
                claim.reason = match &err {
                    NetError::SessionNotOpened { waited, .. } => {
                        format!("{node} waited {waited:?} for P{j} to open it, then gave up")
                    }
                    NetError::SessionMismatch { field, .. } => {
                        format!("{node} found a different {field}")
                    }
                    _ => format!("{node} could not open it"),
                };
                return Err(err);
            }
            if let Some(slot) = session_peers.get_mut(j) {
                *slot = Some(SessionPeer {
                    link,
                    rx,
                    address,
                    ended: None,
                });
            }
        }
        info!(node = %node, session = %sid, "session open with parties {:?} after {:?}", spec.parties, start.elapsed());
        claim.reason = format!("{node} closed session {sid}");
        Ok(TlsSession {
            _claim: claim,
            party: me,
            timeout: shared.timeout,
            phase: "setup",
            stats: TrafficStats::default(),
            peers: session_peers,
            spec,
        })
    }
}

fn compare(
    node: &str,
    j: usize,
    address: &str,
    sid: &SessionId,
    ours: &SessionHello,
    theirs: &SessionHello,
) -> Result<(), NetError> {
    let mismatch = |field: &'static str, a: String, b: String| NetError::SessionMismatch {
        node: node.to_string(),
        peer: format!("P{j}"),
        address: address.to_string(),
        session: sid.clone(),
        field,
        ours: a,
        theirs: b,
    };
    if ours.version != theirs.version {
        return Err(mismatch(
            "protocol version",
            ours.version.to_string(),
            theirs.version.to_string(),
        ));
    }
    if ours.params != theirs.params {
        return Err(mismatch(
            "parameters",
            format!("({})", ours.params),
            format!("({})", theirs.params),
        ));
    }
    if ours.parties != theirs.parties {
        return Err(mismatch(
            "party set",
            format!("{:?}", ours.parties),
            format!("{:?}", theirs.parties),
        ));
    }
    if ours.operation != theirs.operation {
        return Err(mismatch(
            "operation",
            format!("{:?}", ours.operation),
            format!("{:?}", theirs.operation),
        ));
    }
    Ok(())
}

impl TlsSession {
    /// The spec the session was opened with.
    pub fn spec(&self) -> &SessionSpec {
        &self.spec
    }

    /// The protocol phase set by the last [`Transport::begin_round`].
    pub fn phase(&self) -> &'static str {
        self.phase
    }

    fn no_such_peer(&self, peer: usize) -> NetError {
        NetError::NoSuchPeer {
            party: self.party,
            peer,
            n: self.spec.parties.len(),
            session: self.spec.session.clone(),
        }
    }

    fn ended_error(&self, peer: usize, address: &str, ended: &Ended) -> NetError {
        match ended {
            Ended::Closed(_) => NetError::Closed {
                party: self.party,
                peer,
                session: self.spec.session.clone(),
                phase: self.phase,
            },
            Ended::Lost(cause) => NetError::ConnectionLost {
                party: self.party,
                peer,
                address: address.to_string(),
                session: self.spec.session.clone(),
                phase: self.phase,
                cause: cause.clone(),
            },
        }
    }
}

impl Transport for TlsSession {
    fn party(&self) -> usize {
        self.party
    }
    fn n_parties(&self) -> usize {
        self.spec.parties.len()
    }
    fn session_id(&self) -> &SessionId {
        &self.spec.session
    }
    fn begin_round(&mut self, phase: &'static str) {
        self.phase = phase;
        self.stats.rounds += 1;
    }
    async fn send(&mut self, to: usize, msg: Vec<u8>) -> Result<(), NetError> {
        let len = msg.len() as u64;
        let Some(peer) = self.peers.get(to).and_then(Option::as_ref) else {
            return Err(self.no_such_peer(to));
        };
        if let Some(ended) = &peer.ended {
            return Err(self.ended_error(to, &peer.address, ended));
        }
        let sent = peer.link.send(Out::Message {
            sid: self.spec.session.as_bytes().to_vec(),
            msg,
        });
        if !sent || peer.link.cause().is_some() {
            let cause = peer
                .link
                .cause()
                .unwrap_or_else(|| "the connection is closed".into());
            return Err(self.ended_error(to, &peer.address, &Ended::Lost(cause)));
        }
        self.stats.bytes_sent += len;
        self.stats.messages_sent += 1;
        Ok(())
    }
    async fn recv(&mut self, from: usize) -> Result<Vec<u8>, NetError> {
        let deadline = Instant::now() + self.timeout;
        let (party, phase, timeout) = (self.party, self.phase, self.timeout);
        let session = self.spec.session.clone();
        let Some(peer) = self.peers.get_mut(from).and_then(Option::as_mut) else {
            return Err(self.no_such_peer(from));
        };
        let outcome = loop {
            if let Some(ended) = &peer.ended {
                break Err(ended.clone());
            }
            match timeout_at(deadline, peer.rx.recv()).await {
                Err(_) => {
                    return Err(NetError::Timeout {
                        party,
                        peer: from,
                        session,
                        phase,
                        waited: timeout,
                    });
                }
                Ok(Some(Inbound::Data(msg))) => break Ok(msg),
                Ok(Some(Inbound::Closed(reason))) => peer.ended = Some(Ended::Closed(reason)),
                Ok(Some(Inbound::LinkLost { link, cause })) if link == peer.link.id => {
                    peer.ended = Some(Ended::Lost(cause))
                }
                Ok(Some(Inbound::LinkLost { .. })) => continue,
                Ok(Some(Inbound::Hello(_))) => {
                    peer.ended = Some(Ended::Lost("protocol error: a second session hello".into()))
                }
                Ok(None) => peer.ended = Some(Ended::Lost("the session queue closed".into())),
            }
        };
        match outcome {
            Ok(msg) => {
                self.stats.bytes_received += msg.len() as u64;
                Ok(msg)
            }
            Err(ended) => {
                let address = self
                    .peers
                    .get(from)
                    .and_then(Option::as_ref)
                    .map(|p| p.address.clone())
                    .unwrap_or_default();
                let err = self.ended_error(from, &address, &ended);
                if let Ended::Closed(reason) = &ended {
                    warn!(session = %session, party, peer = from, phase, "P{from} closed the session: {reason}");
                } else {
                    warn!(session = %session, party, peer = from, phase, "{err}");
                }
                Err(err)
            }
        }
    }
    fn stats(&self) -> TrafficStats {
        self.stats
    }
}
