//! An in-memory mesh: n parties in one process, one unbounded channel per ordered pair.

use crate::error::NetError;
use crate::transport::{TrafficStats, Transport};
use spdz2k_core::SessionId;
use std::time::Duration;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

/// Builds the endpoints of an in-memory mesh.
pub struct MemoryMesh;

impl MemoryMesh {
    /// Creates `n` connected transports for `session`, each waiting at most `timeout` per
    /// receive. Endpoint i is party i.
    pub fn connect(n: usize, session: SessionId, timeout: Duration) -> Vec<MemoryTransport> {
        let mut senders: Vec<Vec<Option<UnboundedSender<Vec<u8>>>>> = vec![];
        let mut receivers: Vec<Vec<Option<UnboundedReceiver<Vec<u8>>>>> =
            (0..n).map(|_| (0..n).map(|_| None).collect()).collect();
        for from in 0..n {
            let mut row = vec![];
            for (to, inbox) in receivers.iter_mut().enumerate() {
                if from == to {
                    row.push(None);
                } else {
                    let (tx, rx) = unbounded_channel();
                    row.push(Some(tx));
                    inbox[from] = Some(rx);
                }
            }
            senders.push(row);
        }
        senders
            .into_iter()
            .zip(receivers)
            .enumerate()
            .map(|(party, (to, from))| MemoryTransport {
                party,
                n,
                session: session.clone(),
                timeout,
                to,
                from,
                phase: "setup",
                stats: TrafficStats::default(),
            })
            .collect()
    }
}

/// One party's endpoint of a [`MemoryMesh`].
pub struct MemoryTransport {
    party: usize,
    n: usize,
    session: SessionId,
    timeout: Duration,
    to: Vec<Option<UnboundedSender<Vec<u8>>>>,
    from: Vec<Option<UnboundedReceiver<Vec<u8>>>>,
    phase: &'static str,
    stats: TrafficStats,
}

impl MemoryTransport {
    fn no_such_peer(&self, peer: usize) -> NetError {
        NetError::NoSuchPeer {
            party: self.party,
            peer,
            n: self.n,
            session: self.session.clone(),
        }
    }
    fn closed(&self, peer: usize) -> NetError {
        NetError::Closed {
            party: self.party,
            peer,
            session: self.session.clone(),
            phase: self.phase,
        }
    }
}

impl Transport for MemoryTransport {
    fn party(&self) -> usize {
        self.party
    }
    fn n_parties(&self) -> usize {
        self.n
    }
    fn session_id(&self) -> &SessionId {
        &self.session
    }
    fn begin_round(&mut self, phase: &'static str) {
        self.phase = phase;
        self.stats.rounds += 1;
    }
    async fn send(&mut self, to: usize, msg: Vec<u8>) -> Result<(), NetError> {
        let len = msg.len() as u64;
        let tx = self
            .to
            .get(to)
            .and_then(Option::as_ref)
            .ok_or_else(|| self.no_such_peer(to))?;
        tx.send(msg).map_err(|_| self.closed(to))?;
        self.stats.bytes_sent += len;
        self.stats.messages_sent += 1;
        Ok(())
    }
    async fn recv(&mut self, from: usize) -> Result<Vec<u8>, NetError> {
        let timeout = self.timeout;
        let Some(rx) = self.from.get_mut(from).and_then(Option::as_mut) else {
            return Err(self.no_such_peer(from));
        };
        // Errors are built only on failure (the session ID is not cloned per message).
        match tokio::time::timeout(timeout, rx.recv()).await {
            Ok(Some(msg)) => {
                self.stats.bytes_received += msg.len() as u64;
                Ok(msg)
            }
            Ok(None) => Err(self.closed(from)),
            Err(_) => Err(NetError::Timeout {
                party: self.party,
                peer: from,
                session: self.session.clone(),
                phase: self.phase,
                waited: timeout,
            }),
        }
    }
    fn stats(&self) -> TrafficStats {
        self.stats
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sid() -> SessionId {
        SessionId::new("mesh-test").unwrap()
    }

    #[tokio::test]
    async fn messages_arrive_in_order_and_are_counted() {
        let mut mesh = MemoryMesh::connect(3, sid(), Duration::from_secs(5));
        let mut p2 = mesh.pop().unwrap();
        let mut p1 = mesh.pop().unwrap();
        let mut p0 = mesh.pop().unwrap();
        p0.begin_round("test");
        p0.send(2, vec![1]).await.unwrap();
        p0.send(2, vec![2, 3]).await.unwrap();
        p1.broadcast(vec![9]).await.unwrap();
        assert_eq!(p2.recv(0).await.unwrap(), vec![1]);
        assert_eq!(p2.recv(0).await.unwrap(), vec![2, 3]);
        assert_eq!(p2.recv(1).await.unwrap(), vec![9]);
        assert_eq!(p0.recv(1).await.unwrap(), vec![9]);
        assert_eq!(p0.stats().bytes_sent, 3);
        assert_eq!(p0.stats().rounds, 1);
        assert!(matches!(
            p0.send(0, vec![]).await,
            Err(NetError::NoSuchPeer { .. })
        ));
    }

    #[tokio::test(start_paused = true)]
    async fn silent_peer_times_out_and_dropped_peer_reports_closed() {
        let mut mesh = MemoryMesh::connect(2, sid(), Duration::from_secs(3));
        let p1 = mesh.pop().unwrap();
        let mut p0 = mesh.pop().unwrap();
        p0.begin_round("coin toss");
        let err = p0.recv(1).await.unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, NetError::Timeout { peer: 1, .. }), "{text}");
        assert!(
            text.contains("mesh-test") && text.contains("coin toss"),
            "{text}"
        );
        drop(p1);
        assert!(matches!(
            p0.recv(1).await,
            Err(NetError::Closed { peer: 1, .. })
        ));
    }
}
