//! [`TlsSession`] at work: sending and receiving with liveness (a wait fails only when the
//! peer is silent for the idle timeout), the closing handshake, and typed aborts.

use super::abort::SessionAbort;
use super::link::{Inbound, LinkHandle, Out, next_inbound, send_abort};
use super::session::{Ended, SessionPeer, SessionSpec, TlsSession};
use super::wire::{AbortKind, AbortNotice};
use crate::error::NetError;
use crate::frame::FrameKind;
use crate::transport::{TrafficStats, Transport};
use spdz2k_core::SessionId;
use std::sync::Arc;
use tracing::{debug, warn};

impl TlsSession {
    /// The spec the session was opened with.
    pub fn spec(&self) -> &SessionSpec {
        &self.spec
    }

    /// The protocol phase set by the last [`Transport::begin_round`].
    pub fn phase(&self) -> &'static str {
        self.phase
    }

    /// A handle that can abort this session after it was handed to the engine.
    pub fn abort_handle(&self) -> SessionAbort {
        SessionAbort::new(self.spec.session.clone(), self.links(), self.claim.clone())
    }

    fn links(&self) -> Vec<Arc<LinkHandle>> {
        self.peers
            .iter()
            .flatten()
            .map(|p| p.link.clone())
            .collect()
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
        let session = self.spec.session.clone();
        let (node, peer_name) = (format!("P{}", self.party), format!("P{peer}"));
        match ended {
            Ended::Closed(_) => NetError::Closed {
                party: self.party,
                peer,
                session,
                phase: self.phase,
            },
            Ended::Lost(cause) => NetError::ConnectionLost {
                party: self.party,
                peer,
                address: address.to_string(),
                session,
                phase: self.phase,
                cause: cause.clone(),
            },
            Ended::Aborted(n) => NetError::PeerAborted {
                node,
                peer: peer_name,
                address: address.to_string(),
                session,
                phase: self.phase,
                kind: n.kind,
                cause: n.detail.clone(),
            },
            Ended::Silent(silent) => NetError::PeerSilent {
                node,
                peer: peer_name,
                address: address.to_string(),
                session,
                phase: self.phase,
                silent: *silent,
                idle: self.idle,
            },
            Ended::Unread => NetError::Protocol {
                node,
                peer: peer_name,
                address: address.to_string(),
                session,
                detail: "it sent a message this node never read before the end of the \
                         session; the two ran different programs or inputs of different sizes"
                    .into(),
            },
            Ended::Done => NetError::Protocol {
                node,
                peer: peer_name,
                address: address.to_string(),
                session,
                detail: format!(
                    "it finished the session while this node still expected a message \
                     (phase: {}); the two ran different programs or inputs of different sizes",
                    self.phase
                ),
            },
        }
    }

    /// The next item from peer `from` that is not about an older connection.
    async fn next(peer: &mut SessionPeer, idle: std::time::Duration) -> Result<Inbound, Ended> {
        loop {
            if let Some(ended) = &peer.ended {
                return Err(ended.clone());
            }
            let ended = match next_inbound(&mut peer.rx, &peer.link, idle).await {
                Err(silent) => Ended::Silent(silent),
                Ok(Some(Inbound::LinkLost { link, .. })) if link != peer.link.id => continue,
                Ok(Some(Inbound::LinkLost { cause, .. })) => Ended::Lost(cause),
                Ok(Some(Inbound::Closed(reason))) => Ended::Closed(reason),
                Ok(Some(Inbound::Aborted(n))) => Ended::Aborted(n),
                Ok(Some(Inbound::Hello(_))) => {
                    Ended::Lost("protocol error: a second session hello".into())
                }
                Ok(None) => Ended::Lost("the session queue closed".into()),
                Ok(Some(item)) => return Ok(item),
            };
            peer.ended = Some(ended);
        }
    }

    fn fail(&self, from: usize, ended: &Ended) -> NetError {
        let address = self
            .peers
            .get(from)
            .and_then(Option::as_ref)
            .map(|p| p.address.clone())
            .unwrap_or_default();
        let err = self.ended_error(from, &address, ended);
        let phase = self.phase;
        match ended {
            Ended::Closed(reason) => {
                warn!(parent: &self.span, peer = from, phase, "P{from} closed the session: {reason}")
            }
            _ => warn!(parent: &self.span, peer = from, phase, "{err}"),
        }
        err
    }

    /// Ends the session cleanly: tells every peer this party has sent its last message,
    /// then waits (as long as each is heard from) until every peer says the same. A peer
    /// sends that only after it has read everything it expected, so when this returns every
    /// peer has everything this party sent, and this party has everything they sent.
    pub async fn close(&mut self) -> Result<(), NetError> {
        self.phase = "closing";
        let sid = self.spec.session.as_bytes().to_vec();
        for link in self.links() {
            link.send(Out::Frame {
                kind: FrameKind::SessionDone,
                sid: sid.clone(),
                payload: vec![],
            });
        }
        let idle = self.idle;
        for from in 0..self.peers.len() {
            let Some(peer) = self.peers.get_mut(from).and_then(Option::as_mut) else {
                continue;
            };
            let outcome = match Self::next(peer, idle).await {
                Ok(Inbound::Done) => Ok(()),
                Ok(Inbound::Data(_)) => Err(Ended::Unread),
                Ok(_) => Err(Ended::Lost("protocol error: unexpected frame".into())),
                Err(Ended::Done) => Ok(()),
                Err(e) => Err(e),
            };
            match outcome {
                Ok(()) => peer.ended = Some(Ended::Done),
                Err(ended) => {
                    peer.ended = Some(ended.clone());
                    let err = self.fail(from, &ended);
                    self.abort(err.abort_kind(), &err.to_string());
                    return Err(err);
                }
            }
        }
        // Nothing left to tell the peers: the session is released without a close frame.
        let mut claim = self.claim.lock().unwrap_or_else(|e| e.into_inner());
        claim.links.clear();
        claim.reason = format!("P{} finished", self.party);
        drop(claim);
        debug!(parent: &self.span, "session closed by handshake");
        Ok(())
    }

    /// Tells every peer this party abandons the session, and why.
    pub fn abort(&mut self, kind: AbortKind, detail: &str) {
        send_abort(
            &self.links(),
            &self.spec.session,
            &AbortNotice::new(kind, detail),
        );
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
    fn params(&self) -> Option<spdz2k_ring::ParamsId> {
        Some(self.spec.params)
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
        let idle = self.idle;
        let Some(peer) = self.peers.get_mut(from).and_then(Option::as_mut) else {
            return Err(self.no_such_peer(from));
        };
        let outcome = match Self::next(peer, idle).await {
            Ok(Inbound::Data(msg)) => Ok(msg),
            Ok(Inbound::Done) => Err(Ended::Done),
            Ok(_) => Err(Ended::Lost("protocol error: unexpected frame".into())),
            Err(e) => Err(e),
        };
        match outcome {
            Ok(msg) => {
                self.stats.bytes_received += msg.len() as u64;
                Ok(msg)
            }
            Err(ended) => {
                if let Some(peer) = self.peers.get_mut(from).and_then(Option::as_mut) {
                    peer.ended = Some(ended.clone());
                }
                Err(self.fail(from, &ended))
            }
        }
    }
    fn stats(&self) -> TrafficStats {
        self.stats
    }
    async fn close(&mut self) -> Result<(), NetError> {
        TlsSession::close(self).await
    }
    fn abort(&mut self, kind: AbortKind, cause: &str) {
        TlsSession::abort(self, kind, cause);
    }
}
