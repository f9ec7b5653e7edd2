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

    /// Sends the same message to every peer.
    fn broadcast(&mut self, msg: Vec<u8>) -> impl Future<Output = Result<(), NetError>> + Send {
        async move {
            let me = self.party();
            let peers: Vec<usize> = (0..self.n_parties()).filter(|&p| p != me).collect();
            if let Some((&last, rest)) = peers.split_last() {
                for &p in rest {
                    self.send(p, msg.clone()).await?;
                }
                // The last peer gets the original buffer: no copy for two parties.
                self.send(last, msg).await?;
            }
            Ok(())
        }
    }

    /// Receives one message from every peer; the entry for this party is `None`.
    fn recv_all(&mut self) -> impl Future<Output = Result<Vec<Option<Vec<u8>>>, NetError>> + Send {
        async move {
            let me = self.party();
            let mut out = Vec::with_capacity(self.n_parties());
            for p in 0..self.n_parties() {
                out.push(if p == me {
                    None
                } else {
                    Some(self.recv(p).await?)
                });
            }
            Ok(out)
        }
    }
}
