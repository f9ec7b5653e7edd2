//! Party-client channels: [`PeerChannel`] (either end) and [`ClientNode`] (the client,
//! which dials every party it has a direct route to).

use super::abort::SessionAbort;
use super::connect::{self, TlsContext};
use super::link::send_abort;
use super::link::{Inbound, LinkHandle, Out, next_inbound, spawn_channel_link};
use super::tasks::{LINGER, Tasks};
use super::wire::{AbortKind, AbortNotice, Purpose};
use crate::error::{MissingPeer, NetError};
use crate::frame::FrameKind;
use crate::transport::TrafficStats;
use spdz2k_core::SessionId;
use spdz2k_pki::{NodeConfig, PkiError, Role, Route};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::time::Instant;
use tracing::{Instrument, info, warn};

/// A framed, ordered, bidirectional message channel between a party and a client for one
/// session. A `recv` waits as long as the peer is heard from (it sends heartbeats while it
/// works) and fails once it has been silent for the idle timeout.
pub struct PeerChannel {
    node: String,
    peer: String,
    session: SessionId,
    idle: Duration,
    phase: &'static str,
    link: Arc<LinkHandle>,
    rx: UnboundedReceiver<Inbound>,
    stats: TrafficStats,
    ended: Option<NetError>,
    /// Closes the channel when this channel and every abort handle are gone.
    closer: Arc<ChannelCloser>,
}

/// Closes a channel's connection on drop: with a close frame, unless the closing handshake
/// was done. Shared with the channel's abort handles, so that an abort sent through a
/// handle after the channel was dropped still precedes the close.
struct ChannelCloser {
    node: String,
    session: SessionId,
    link: Arc<LinkHandle>,
    handshake_done: std::sync::atomic::AtomicBool,
}

impl Drop for ChannelCloser {
    fn drop(&mut self) {
        if !self
            .handshake_done
            .load(std::sync::atomic::Ordering::SeqCst)
        {
            self.link.send(Out::Frame {
                kind: FrameKind::SessionClose,
                sid: self.session.as_bytes().to_vec(),
                payload: format!("{} closed the channel", self.node).into_bytes(),
            });
        }
        self.link.send(Out::Shutdown);
    }
}

impl PeerChannel {
    pub(crate) fn new(
        node: String,
        peer: String,
        session: SessionId,
        idle: Duration,
        link: Arc<LinkHandle>,
        rx: UnboundedReceiver<Inbound>,
    ) -> Self {
        let closer = Arc::new(ChannelCloser {
            node: node.clone(),
            session: session.clone(),
            link: link.clone(),
            handshake_done: false.into(),
        });
        Self {
            node,
            peer,
            session,
            idle,
            phase: "client I/O",
            link,
            rx,
            stats: TrafficStats::default(),
            ended: None,
            closer,
        }
    }

    /// Names what this node is doing on the channel, for errors.
    pub fn set_phase(&mut self, phase: &'static str) {
        self.phase = phase;
    }

    /// A handle that can abort this channel from elsewhere (see [`SessionAbort`]).
    pub fn abort_handle(&self) -> SessionAbort {
        SessionAbort::new(
            self.session.clone(),
            vec![self.link.clone()],
            self.closer.clone(),
        )
    }

    /// Tells the peer this node abandons the session, and why.
    pub fn abort(&mut self, kind: AbortKind, detail: &str) {
        send_abort(
            std::slice::from_ref(&self.link),
            &self.session,
            &AbortNotice::new(kind, detail),
        );
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
            phase: self.phase,
            cause,
        }
    }

    /// The error for how the channel ended (kept: later calls fail the same way).
    fn ended_error(&self) -> Option<NetError> {
        let e = self.ended.as_ref()?;
        Some(match e {
            NetError::PeerAborted {
                node,
                peer,
                address,
                session,
                kind,
                cause,
                ..
            } => NetError::PeerAborted {
                node: node.clone(),
                peer: peer.clone(),
                address: address.clone(),
                session: session.clone(),
                phase: self.phase,
                kind: *kind,
                cause: cause.clone(),
            },
            NetError::PeerSilent { silent, idle, .. } => NetError::PeerSilent {
                node: self.node.clone(),
                peer: self.peer.clone(),
                address: self.link.address.clone(),
                session: self.session.clone(),
                phase: self.phase,
                silent: *silent,
                idle: *idle,
            },
            other => self.closed(match other {
                NetError::ChannelClosed { cause, .. } => cause.clone(),
                other => other.to_string(),
            }),
        })
    }

    /// The next item, or how the channel ended.
    async fn next(&mut self) -> Result<Inbound, NetError> {
        loop {
            if let Some(err) = self.ended_error() {
                return Err(err);
            }
            let ended = match next_inbound(&mut self.rx, &self.link, self.idle).await {
                Err(silent) => NetError::PeerSilent {
                    node: self.node.clone(),
                    peer: self.peer.clone(),
                    address: self.link.address.clone(),
                    session: self.session.clone(),
                    phase: self.phase,
                    silent,
                    idle: self.idle,
                },
                Ok(Some(Inbound::Closed(reason))) => {
                    self.closed(format!("it closed the session: {reason}"))
                }
                Ok(Some(Inbound::Aborted(n))) => NetError::PeerAborted {
                    node: self.node.clone(),
                    peer: self.peer.clone(),
                    address: self.link.address.clone(),
                    session: self.session.clone(),
                    phase: self.phase,
                    kind: n.kind,
                    cause: n.detail,
                },
                Ok(Some(Inbound::LinkLost { cause, .. })) => self.closed(cause),
                Ok(Some(Inbound::Hello(_))) => {
                    self.closed("protocol error: unexpected session hello".into())
                }
                Ok(None) => self.closed("the channel closed".into()),
                Ok(Some(item)) => return Ok(item),
            };
            warn!(session = %self.session, "{ended}");
            self.ended = Some(ended);
        }
    }

    /// Ends the channel cleanly: tells the peer this node has sent its last message, then
    /// waits (as long as the peer is heard from) until the peer says the same, which it
    /// does only after reading everything it expected.
    pub async fn close(&mut self) -> Result<(), NetError> {
        self.phase = "closing";
        self.link.send(Out::Frame {
            kind: FrameKind::SessionDone,
            sid: self.session.as_bytes().to_vec(),
            payload: vec![],
        });
        match self.next().await? {
            Inbound::Done => {
                self.closer
                    .handshake_done
                    .store(true, std::sync::atomic::Ordering::SeqCst);
                Ok(())
            }
            _ => {
                let err =
                    self.closed("protocol error: it sent a message this node never read".into());
                self.ended = Some(
                    self.closed("protocol error: it sent a message this node never read".into()),
                );
                Err(err)
            }
        }
    }

    /// Queues one message (never waits for the peer).
    pub fn send(&mut self, msg: Vec<u8>) -> Result<(), NetError> {
        if let Some(err) = self.ended_error() {
            return Err(err);
        }
        if let Some(cause) = self.link.cause() {
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
        match self.next().await? {
            Inbound::Data(msg) => {
                self.stats.bytes_received += msg.len() as u64;
                Ok(msg)
            }
            _ => {
                let err = self.closed(
                    "it finished the session while this node still expected a message".into(),
                );
                warn!(session = %self.session, "{err}");
                self.ended = Some(self.closed(
                    "it finished the session while this node still expected a message".into(),
                ));
                Err(err)
            }
        }
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
        let span = session.client_span(&config.name);
        Self::connect_in_span(config, session)
            .instrument(span)
            .await
    }

    async fn connect_in_span(
        config: NodeConfig,
        session: &SessionId,
    ) -> Result<ClientNode, NetError> {
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
        let identity = connect::load_valid_identity(&config)?;
        let timeout = config.connection_timeout;
        let idle = config.idle_timeout;
        let direct: Vec<_> = config
            .parties
            .iter()
            .filter(|p| p.route == Some(Route::Direct))
            .cloned()
            .collect();
        let n = config.parties.len();
        let ctx = TlsContext::new(config, &identity)?;
        let tasks = Tasks::in_span(tracing::Span::current());
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
                        warn!("{err}");
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
            let (link, rx) = spawn_channel_link(
                stream,
                peer.clone(),
                entry.address.clone(),
                session,
                &tasks,
                idle,
            );
            info!("connected to {peer} at {}", entry.address);
            if let Some(slot) = channels.get_mut(entry.index) {
                *slot = Some(PeerChannel::new(
                    node.clone(),
                    peer,
                    session.clone(),
                    idle,
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
            warn!("{err}");
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

    /// Tells every connected party this client abandons the session, and why.
    pub fn abort(&mut self, kind: AbortKind, detail: &str) {
        for ch in self.channels.iter_mut().flatten() {
            ch.abort(kind, detail);
        }
    }

    /// Closes every channel's connection cleanly (queued frames, TLS close_notify, the
    /// party's close_notify, within a short linger) and stops every task.
    pub async fn shutdown(mut self) {
        self.channels.clear();
        self.tasks.stop_gracefully(LINGER).await;
    }
}

impl Drop for ClientNode {
    fn drop(&mut self) {
        // The channels queue their close frames; the tasks then finish on their own.
        self.channels.clear();
        self.tasks.stop_in_background();
    }
}
