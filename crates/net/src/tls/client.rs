//! Party-client channels: [`PeerChannel`] (either end) and [`ClientNode`] (the client,
//! which dials every party it has a direct route to).

use super::connect::{self, TlsContext};
use super::link::{Inbound, LinkHandle, Out, spawn_link};
use super::node::{ChannelSink, Tasks};
use super::wire::Purpose;
use crate::error::{MissingPeer, NetError};
use crate::frame::FrameKind;
use crate::transport::TrafficStats;
use spdz2k_core::SessionId;
use spdz2k_pki::{NodeConfig, PkiError, Role, Route};
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};
use tokio::time::{Instant, timeout_at};
use tracing::{info, warn};

/// A framed, ordered, bidirectional message channel between a party and a client for one
/// session. Every `recv` waits at most the connection timeout.
pub struct PeerChannel {
    node: String,
    peer: String,
    session: SessionId,
    timeout: Duration,
    link: Arc<LinkHandle>,
    rx: UnboundedReceiver<Inbound>,
    stats: TrafficStats,
    ended: Option<String>,
}

impl PeerChannel {
    pub(crate) fn new(
        node: String,
        peer: String,
        session: SessionId,
        timeout: Duration,
        link: Arc<LinkHandle>,
        rx: UnboundedReceiver<Inbound>,
    ) -> Self {
        Self {
            node,
            peer,
            session,
            timeout,
            link,
            rx,
            stats: TrafficStats::default(),
            ended: None,
        }
    }

    /// The peer's name (`C0`, `P1`).
    pub fn peer(&self) -> &str {
        &self.peer
    }

    /// The session.
    pub fn session(&self) -> &SessionId {
        &self.session
    }

    /// Counters so far (`rounds` stays 0).
    pub fn stats(&self) -> TrafficStats {
        self.stats
    }

    fn closed(&self, cause: String) -> NetError {
        NetError::ChannelClosed {
            node: self.node.clone(),
            peer: self.peer.clone(),
            address: self.link.address.clone(),
            session: self.session.clone(),
            cause,
        }
    }

    /// Queues one message (never waits for the peer).
    pub fn send(&mut self, msg: Vec<u8>) -> Result<(), NetError> {
        if let Some(cause) = self.ended.clone().or_else(|| self.link.cause()) {
            return Err(self.closed(cause));
        }
        let len = msg.len() as u64;
        if !self.link.send(Out::Message {
            sid: self.session.as_bytes().to_vec(),
            msg,
        }) {
            return Err(self.closed("the connection is closed".into()));
        }
        self.stats.bytes_sent += len;
        self.stats.messages_sent += 1;
        Ok(())
    }

    /// Receives the next message.
    pub async fn recv(&mut self) -> Result<Vec<u8>, NetError> {
        let deadline = Instant::now() + self.timeout;
        loop {
            if let Some(cause) = self.ended.clone() {
                return Err(self.closed(cause));
            }
            match timeout_at(deadline, self.rx.recv()).await {
                Err(_) => {
                    let err = NetError::ChannelTimeout {
                        node: self.node.clone(),
                        peer: self.peer.clone(),
                        address: self.link.address.clone(),
                        session: self.session.clone(),
                        waited: self.timeout,
                        hint: format!("{} sent nothing; check its log", self.peer),
                    };
                    warn!(session = %self.session, "{err}");
                    return Err(err);
                }
                Ok(Some(Inbound::Data(msg))) => {
                    self.stats.bytes_received += msg.len() as u64;
                    return Ok(msg);
                }
                Ok(Some(Inbound::Closed(reason))) => {
                    self.ended = Some(format!("it closed the session: {reason}"))
                }
                Ok(Some(Inbound::LinkLost { cause, .. })) => self.ended = Some(cause),
                Ok(Some(Inbound::Hello(_))) => {
                    self.ended = Some("protocol error: unexpected session hello".into())
                }
                Ok(None) => self.ended = Some("the channel closed".into()),
            }
        }
    }
}

impl Drop for PeerChannel {
    fn drop(&mut self) {
        self.link.send(Out::Frame {
            kind: FrameKind::SessionClose,
            sid: self.session.as_bytes().to_vec(),
            payload: format!("{} closed the channel", self.node).into_bytes(),
        });
        self.link.send(Out::Shutdown);
    }
}

/// A client: dials every party its config gives a direct route, for one session.
pub struct ClientNode {
    name: String,
    session: SessionId,
    channels: Vec<Option<PeerChannel>>,
    tasks: Tasks,
}

impl ClientNode {
    /// Loads the client's identity and connects to every party with a `route = "direct"`,
    /// retrying until the connection timeout.
    pub async fn connect(config: NodeConfig, session: &SessionId) -> Result<ClientNode, NetError> {
        let node = config.name.clone();
        if config.role != Role::Client {
            return Err(NetError::Identity {
                node,
                source: PkiError::Options(format!(
                    "{} is not a client config (role = \"client\"); parties use Node",
                    config.path.display()
                )),
            });
        }
        let identity = config
            .load_identity()
            .map_err(|source| NetError::Identity {
                node: node.clone(),
                source,
            })?;
        identity
            .require_valid_cert(SystemTime::now())
            .map_err(|source| NetError::Identity {
                node: node.clone(),
                source,
            })?;
        let timeout = config.connection_timeout;
        let direct: Vec<_> = config
            .parties
            .iter()
            .filter(|p| p.route == Some(Route::Direct))
            .cloned()
            .collect();
        let n = config.parties.len();
        let ctx = TlsContext::new(config, &identity)?;
        let tasks = Tasks::default();
        let start = Instant::now();
        let deadline = start + timeout;
        let mut channels: Vec<Option<PeerChannel>> = (0..n).map(|_| None).collect();
        let mut missing = vec![];
        for entry in direct {
            let peer = format!("P{}", entry.index);
            let prefix = format!("parties[{}]", entry.position);
            let mut backoff = Duration::from_millis(50);
            let stream = loop {
                match connect::dial(
                    &ctx,
                    entry.public_key,
                    &entry.address,
                    Purpose::Client,
                    entry.index,
                    Some(session),
                    deadline,
                )
                .await
                {
                    Ok(s) => break Some(s),
                    Err(f) if f.is_fatal() => {
                        let err = f.to_error(&ctx, &peer, &entry.address, session, &prefix);
                        warn!(node = %node, session = %session, "{err}");
                        return Err(err);
                    }
                    Err(f) => {
                        if Instant::now() + backoff >= deadline {
                            missing.push(MissingPeer {
                                peer: peer.clone(),
                                address: entry.address.clone(),
                                detail: f.describe(&peer, &format!("{prefix}.address")),
                            });
                            break None;
                        }
                        // A retry delay before a fresh dial, not synchronisation.
                        tokio::time::sleep(backoff).await;
                        backoff = (backoff * 2).min(Duration::from_secs(1));
                    }
                }
            };
            let Some(stream) = stream else { continue };
            let (tx, rx) = unbounded_channel();
            let sink = Arc::new(ChannelSink {
                session: session.clone(),
                tx,
            });
            let link = spawn_link(stream, peer.clone(), entry.address.clone(), sink, &tasks);
            info!(node = %node, session = %session, "connected to {peer} at {}", entry.address);
            if let Some(slot) = channels.get_mut(entry.index) {
                *slot = Some(PeerChannel::new(
                    node.clone(),
                    peer,
                    session.clone(),
                    timeout,
                    link,
                    rx,
                ));
            }
        }
        if !missing.is_empty() {
            let err = NetError::PeersMissing {
                node,
                session: session.clone(),
                waited: start.elapsed(),
                missing,
                refused_incoming: vec![],
            };
            warn!(session = %session, "{err}");
            return Err(err);
        }
        Ok(ClientNode {
            name: node,
            session: session.clone(),
            channels,
            tasks,
        })
    }

    /// The channel to party `party`, if this client has a direct route to it.
    pub fn channel(&mut self, party: usize) -> Option<&mut PeerChannel> {
        self.channels.get_mut(party).and_then(Option::as_mut)
    }

    /// Indices of the parties this client is connected to.
    pub fn parties(&self) -> Vec<usize> {
        self.channels
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.as_ref().map(|_| i))
            .collect()
    }

    /// This client's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The session.
    pub fn session(&self) -> &SessionId {
        &self.session
    }
}

impl Drop for ClientNode {
    fn drop(&mut self) {
        // The channels queue their close frames; the tasks then finish on their own.
        self.channels.clear();
        self.tasks.detach_all();
    }
}
