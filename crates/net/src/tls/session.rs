//! Sessions over the party mesh: the handshake that compares metadata, and [`TlsSession`],
//! the [`Transport`] the online engine runs on.

use super::link::{Inbound, LinkHandle, Out};
use super::node::{ClaimError, Node, Shared};
use super::wire::{AbortKind, AbortNotice, PROTOCOL_VERSION, SessionHello};
use crate::error::{MissingPeer, NetError};
use crate::frame::FrameKind;
use crate::transport::TrafficStats;
use spdz2k_core::SessionId;
use spdz2k_ring::ParamsId;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::time::{Instant, timeout_at};
use tracing::{Instrument, info, warn};

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

pub(super) struct SessionPeer {
    pub link: Arc<LinkHandle>,
    pub rx: UnboundedReceiver<Inbound>,
    pub address: String,
    /// Set once the peer closed the session or the link broke; later calls fail the same way.
    pub ended: Option<Ended>,
}

/// How a peer's side of a session ended.
#[derive(Clone)]
pub(super) enum Ended {
    /// It closed the session without finishing it (dropped), with its reason.
    Closed(String),
    /// The connection broke.
    Lost(String),
    /// It aborted, with its cause.
    Aborted(AbortNotice),
    /// It has been silent this long.
    Silent(Duration),
    /// It finished the session (sent its closing frame).
    Done,
    /// It sent a message this node never read (found when closing).
    Unread,
}

/// Releases a claimed session and tells the peers (unless the session ended with the
/// closing handshake, which empties `links`).
pub(super) struct Claim {
    shared: Arc<Shared>,
    session: SessionId,
    pub links: Vec<Arc<LinkHandle>>,
    pub reason: String,
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

/// One party's end of an open session over mutual TLS. Implements [`Transport`](crate::Transport); dropping
/// it closes the session (peers see [`NetError::Closed`] once they have read everything
/// sent before).
pub struct TlsSession {
    /// Held for its `Drop`, which closes the session once this session and every abort
    /// handle are gone (so an abort sent through a handle always precedes the close).
    pub(super) claim: Arc<Mutex<Claim>>,
    pub(super) spec: SessionSpec,
    pub(super) party: usize,
    /// Bound on a peer's silence.
    pub(super) idle: Duration,
    pub(super) phase: &'static str,
    pub(super) stats: TrafficStats,
    pub(super) peers: Vec<Option<SessionPeer>>,
    /// This party's log span in the session (see [`SessionId::span`]).
    pub(super) span: tracing::Span,
}

impl Node {
    /// Opens a session with every other party of `spec`: waits (up to the connection
    /// timeout) until connected to each, exchanges and compares the session metadata, and
    /// returns the transport. Every party of the session must call this with the same spec.
    ///
    /// A spec that differs between the parties is refused on every side, naming the field;
    /// see the example on [`Node`] for a whole session.
    ///
    /// ```no_run
    /// # use spdz2k_core::SessionId;
    /// # use spdz2k_net::{Node, SessionSpec, Transport};
    /// # use spdz2k_ring::ParamsId;
    /// # async fn run(node: Node) -> Result<(), Box<dyn std::error::Error>> {
    /// let spec = SessionSpec::new(SessionId::new("run-42")?, ParamsId { k: 64, s: 64 }, 2, "sum");
    /// let mut session = node.open_session(spec).await?;
    /// session.send(1 - node.party(), b"ready".to_vec()).await?;
    /// session.close().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn open_session(&self, spec: SessionSpec) -> Result<TlsSession, NetError> {
        let span = spec.session.span(self.shared.me);
        self.open_in_span(spec, span.clone()).instrument(span).await
    }

    /// [`Node::open_session`], logging inside `span`.
    async fn open_in_span(
        &self,
        spec: SessionSpec,
        span: tracing::Span,
    ) -> Result<TlsSession, NetError> {
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
            Err(ClaimError::Late(reaped)) => {
                let err = NetError::SessionTooLate {
                    node,
                    peer: format!("P{}", reaped.peer),
                    address: shared.address_of(reaped.peer),
                    session: sid,
                    opened_ago: reaped.opened.elapsed(),
                    waited: shared.timeout,
                    peer_note: reaped.peer_note,
                };
                warn!("{err}");
                return Err(err);
            }
        };
        let mut claim = Claim {
            shared: shared.clone(),
            session: sid.clone(),
            links: vec![],
            reason: format!("{node} gave up opening session {sid}"),
        };
        info!(operation = %spec.operation, "opening session with parties {:?}", spec.parties);

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
                    warn!("{err}");
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
                warn!("{err}");
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
                    Ok(Some(Inbound::Aborted(notice))) => {
                        break Err(NetError::PeerAborted {
                            node: node.clone(),
                            peer: format!("P{j}"),
                            address: address.clone(),
                            session: sid.clone(),
                            phase: "session handshake",
                            kind: notice.kind,
                            cause: notice.detail,
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
                    Ok(Some(Inbound::Data(_) | Inbound::Done)) => {
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
                warn!("{err}");
                tell_mismatch(&err, &link, &sid);
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
        info!(
            "session open with parties {:?} after {:?}",
            spec.parties,
            start.elapsed()
        );
        claim.reason = format!("{node} closed session {sid}");
        Ok(TlsSession {
            claim: Arc::new(Mutex::new(claim)),
            party: me,
            idle: shared.idle,
            phase: "setup",
            stats: TrafficStats::default(),
            peers: session_peers,
            span,
            spec,
        })
    }
}

/// The peer opened other sessions than this one: tell it on those, so that it names both
/// session IDs too instead of seeing this node go away.
fn tell_mismatch(err: &NetError, link: &LinkHandle, sid: &SessionId) {
    if let NetError::SessionNotOpened { peer_sessions, .. } = err {
        let notice = AbortNotice::new(
            AbortKind::Mismatch,
            format!("{err}; this node was given session ID {sid}"),
        );
        for other in peer_sessions {
            link.send(Out::Frame {
                kind: FrameKind::Abort,
                sid: other.as_bytes().to_vec(),
                payload: notice.encode(),
            });
        }
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
