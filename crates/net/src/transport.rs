//! The transport contract between the online engine and the network.

use crate::error::NetError;
use crate::tls::AbortKind;
use spdz2k_core::SessionId;
use std::future::Future;

/// Bytes, messages and rounds one party has moved in one session.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TrafficStats {
    /// Payload bytes sent to all peers (without framing).
    pub bytes_sent: u64,
    /// Payload bytes received from all peers.
    pub bytes_received: u64,
    /// Messages sent.
    pub messages_sent: u64,
    /// Protocol rounds begun (see [`Transport::begin_round`]).
    pub rounds: u64,
}

/// Point-to-point, ordered, reliable messages between the parties of one session.
///
/// Messages from one peer arrive in the order sent. `send` queues and does not wait for the
/// peer to read, so "send to everyone, then receive from everyone" cannot deadlock. Every
/// `recv` is bounded by the transport's timeout and fails with an error naming this party,
/// the peer, the session and the protocol phase.
pub trait Transport: Send {
    /// This party's index.
    fn party(&self) -> usize;
    /// Number of parties in the session.
    fn n_parties(&self) -> usize;
    /// The session this transport carries.
    fn session_id(&self) -> &SessionId;
    /// Marks the start of a protocol round; `phase` names it in errors and logs.
    fn begin_round(&mut self, phase: &'static str);
    /// Queues one message to a peer.
    fn send(
        &mut self,
        to: usize,
        msg: Vec<u8>,
    ) -> impl Future<Output = Result<(), NetError>> + Send;
    /// Receives the next message from a peer.
    fn recv(&mut self, from: usize) -> impl Future<Output = Result<Vec<u8>, NetError>> + Send;
    /// Counters so far.
    fn stats(&self) -> TrafficStats;

    /// The parameter set the session was agreed for, if the transport knows it (a TLS
    /// session does, from its spec): the engine refuses to run a party of another set on it.
    fn params(&self) -> Option<spdz2k_ring::ParamsId> {
        None
    }

    /// Ends the session cleanly after this party's last message: returns once every peer
    /// has said it has everything it expected (the closing handshake), so that no party
    /// exits or reports success before its peers have its last message. The default (for
    /// transports that cannot lose queued messages) does nothing.
    fn close(&mut self) -> impl Future<Output = Result<(), NetError>> + Send {
        async { Ok(()) }
    }

    /// Tells every peer that this party abandons the session, and why, so that every side
    /// reports the same cause. The default does nothing.
    fn abort(&mut self, kind: AbortKind, cause: &str) {
        let _ = (kind, cause);
    }

    /// Sends the same message to every peer. The last peer gets the original buffer (no
    /// copy with two parties); nothing else is allocated.
    fn broadcast(&mut self, msg: Vec<u8>) -> impl Future<Output = Result<(), NetError>> + Send {
        async move {
            let (me, n) = (self.party(), self.n_parties());
            // The highest index that is not this party's.
            let Some(last) = (0..n).rev().find(|&p| p != me) else {
                return Ok(());
            };
            for p in (0..last).filter(|&p| p != me) {
                self.send(p, msg.clone()).await?;
            }
            self.send(last, msg).await
        }
    }

    /// Receives one message from every peer; the entry for this party is `None`.
    fn recv_all(&mut self) -> impl Future<Output = Result<Vec<Option<Vec<u8>>>, NetError>> + Send {
        async move {
            let mut out = Vec::with_capacity(self.n_parties());
            self.recv_all_into(&mut out).await?;
            Ok(out)
        }
    }

    /// [`Transport::recv_all`] into `out` (cleared first, then one entry per party): a
    /// caller that keeps `out` between rounds allocates nothing here.
    fn recv_all_into(
        &mut self,
        out: &mut Vec<Option<Vec<u8>>>,
    ) -> impl Future<Output = Result<(), NetError>> + Send {
        async move {
            out.clear();
            let me = self.party();
            for p in 0..self.n_parties() {
                out.push(if p == me {
                    None
                } else {
                    Some(self.recv(p).await?)
                });
            }
            Ok(())
        }
    }
}
