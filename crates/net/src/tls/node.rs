//! A running party node: its listener, the dialers that keep one connection to every
//! higher-indexed party, the table of links, and the registry of sessions multiplexed over
//! them.

use super::client::PeerChannel;
use super::connect::{self, Accepted, DialFailure, PeerId, TlsContext};
use super::link::{Inbound, LinkHandle, Out, Sink, heartbeat_interval, spawn_link};
use super::session_io::send_abort;
pub(crate) use super::tasks::{LINGER, Tasks};
use super::wire::{AbortKind, AbortNotice, Purpose};
use crate::error::NetError;
use crate::frame::FrameKind;
use spdz2k_core::SessionId;
use spdz2k_pki::{NodeConfig, PkiError, Role, Route};
use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, SystemTime};
use tokio::net::TcpListener;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::sync::watch;
use tokio::time::{Instant, timeout_at};
use tracing::{debug, info, warn};

/// Placeholder for the session field of log lines about connections, not sessions.
pub(crate) const NO_SESSION: &str = "-";

/// How many refused incoming connections are remembered for diagnostics.
const INCOMING_FAILURES_KEPT: usize = 8;
/// How many closed sessions are remembered (to drop their late frames quietly).
const GONE_KEPT: usize = 4096;

/// Per-peer queue of one session.
struct Inbox {
    tx: UnboundedSender<Inbound>,
    rx: Option<UnboundedReceiver<Inbound>>,
    hello_seen: bool,
}

impl Inbox {
    fn new() -> Self {
        let (tx, rx) = unbounded_channel();
        Self {
            tx,
            rx: Some(rx),
            hello_seen: false,
        }
    }
}

struct SessionState {
    claimed: bool,
    created: Instant,
    inboxes: HashMap<usize, Inbox>,
}

/// A session that is no longer in the table.
enum Gone {
    /// This node opened and closed it.
    ClosedHere,
    /// A peer opened it, this node never did, and it was closed after the timeout.
    Reaped {
        peer: usize,
        opened: Instant,
        peer_note: String,
    },
}

/// A client connection waiting for [`super::Node::client_channel`].
struct PendingClient {
    link: Arc<LinkHandle>,
    rx: UnboundedReceiver<Inbound>,
}

#[derive(Default)]
struct State {
    links: HashMap<usize, Arc<LinkHandle>>,
    dial_failures: HashMap<usize, DialFailure>,
    incoming_failures: VecDeque<String>,
    sessions: HashMap<SessionId, SessionState>,
    gone: HashMap<SessionId, Gone>,
    gone_order: VecDeque<SessionId>,
    clients: HashMap<(String, SessionId), PendingClient>,
}

impl State {
    fn bury(&mut self, sid: SessionId, gone: Gone) {
        if self.gone.insert(sid.clone(), gone).is_none() {
            self.gone_order.push_back(sid);
        }
        while self.gone_order.len() > GONE_KEPT {
            if let Some(old) = self.gone_order.pop_front() {
                self.gone.remove(&old);
            }
        }
    }
}

/// Why a session could not be claimed.
pub(crate) enum ClaimError {
    Duplicate,
    /// A peer opened the session this long ago; it was reaped here. `peer_note` is what
    /// the peer said when it gave up ("" or "; ...").
    Late {
        peer: usize,
        opened_ago: Duration,
        peer_note: String,
    },
}

/// Everything a node's tasks share.
pub(crate) struct Shared {
    pub ctx: TlsContext,
    pub me: usize,
    /// Bound on connecting and opening sessions.
    pub timeout: Duration,
    /// Bound on a connected peer's silence.
    pub idle: Duration,
    pub tasks: Tasks,
    pub local_addr: Option<SocketAddr>,
    state: Mutex<State>,
    changed: watch::Sender<u64>,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Wakes everyone waiting for links, dial results or client connections.
    fn bump(&self) {
        self.changed.send_modify(|v| *v = v.wrapping_add(1));
    }

    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.changed.subscribe()
    }

    /// The configured address of party `j`.
    pub fn address_of(&self, j: usize) -> String {
        self.ctx
            .config
            .party(j)
            .map_or_else(|| "?".into(), |p| p.address.clone())
    }

    /// The live link to party `j`, if any.
    pub fn link(&self, j: usize) -> Option<Arc<LinkHandle>> {
        self.state().links.get(&j).filter(|l| l.is_open()).cloned()
    }

    /// The last fatal dial failure for party `j`.
    pub fn fatal_failure(&self, j: usize) -> Option<DialFailure> {
        self.state()
            .dial_failures
            .get(&j)
            .filter(|f| f.is_fatal())
            .cloned()
    }

    /// What is known about why party `j` is not connected.
    pub fn missing_detail(&self, j: usize) -> String {
        let state = self.state();
        let entry = format!(
            "parties[{}].address",
            self.ctx.config.party(j).map_or(j, |p| p.position)
        );
        if j > self.me {
            return match state.dial_failures.get(&j) {
                Some(f) => f.describe(&format!("P{j}"), &entry),
                None => "dialling, no answer yet".into(),
            };
        }
        let listen = self
            .local_addr
            .map_or_else(|| self.address_of(self.me), |a| a.to_string());
        format!(
            "P{j} dials this node (the lower index dials) at {listen} but has not connected: \
             is P{j} running, and does its config give parties[{}].address = {}?",
            self.me,
            self.address_of(self.me)
        )
    }

    /// Incoming connections refused lately, one line per distinct reason.
    pub fn refused_incoming(&self) -> Vec<String> {
        self.state().incoming_failures.iter().cloned().collect()
    }

    // ---- sessions ----

    /// Claims a session for this node and takes the queues of `peers`.
    pub fn claim(
        &self,
        sid: &SessionId,
        peers: &[usize],
    ) -> Result<HashMap<usize, UnboundedReceiver<Inbound>>, ClaimError> {
        let mut state = self.state();
        match state.gone.remove(sid) {
            Some(Gone::Reaped {
                peer,
                opened,
                peer_note,
            }) => {
                return Err(ClaimError::Late {
                    peer,
                    opened_ago: opened.elapsed(),
                    peer_note,
                });
            }
            Some(Gone::ClosedHere) | None => {}
        }
        let st = state
            .sessions
            .entry(sid.clone())
            .or_insert_with(|| SessionState {
                claimed: false,
                created: Instant::now(),
                inboxes: HashMap::new(),
            });
        if st.claimed {
            return Err(ClaimError::Duplicate);
        }
        st.claimed = true;
        let mut out = HashMap::new();
        for &p in peers {
            let inbox = st.inboxes.entry(p).or_insert_with(Inbox::new);
            if let Some(rx) = inbox.rx.take() {
                out.insert(p, rx);
            }
        }
        Ok(out)
    }

    /// Removes a session this node had claimed.
    pub fn release(&self, sid: &SessionId) {
        let mut state = self.state();
        state.sessions.remove(sid);
        state.bury(sid.clone(), Gone::ClosedHere);
    }

    /// Sessions that party `j` opened and this node has not: those still waiting, and those
    /// reaped within the last timeout (the reaper and a session's own timeout fire at about
    /// the same moment when two nodes were given different IDs, so the waiting one may
    /// already be gone when the timed-out session asks).
    pub fn unclaimed_from(&self, j: usize) -> Vec<String> {
        let state = self.state();
        let waiting = state
            .sessions
            .iter()
            .filter(|(_, st)| !st.claimed && st.inboxes.get(&j).is_some_and(|i| i.hello_seen))
            .map(|(sid, _)| sid.to_string());
        let recently_reaped = state.gone.iter().filter_map(|(sid, gone)| match gone {
            Gone::Reaped { peer, opened, .. }
                if *peer == j && opened.elapsed() <= self.timeout * 2 =>
            {
                Some(sid.to_string())
            }
            _ => None,
        });
        let mut v: Vec<String> = waiting.chain(recently_reaped).collect();
        v.sort();
        v.dedup();
        v
    }

    /// Sessions this node has open.
    fn claimed_sessions(state: &State) -> Vec<String> {
        let mut v: Vec<String> = state
            .sessions
            .iter()
            .filter(|(_, st)| st.claimed)
            .map(|(sid, _)| sid.to_string())
            .collect();
        v.sort();
        v
    }

    fn deliver(self: &Arc<Self>, peer: usize, sid: &[u8], item: Inbound) -> Result<(), String> {
        let sid = std::str::from_utf8(sid)
            .ok()
            .and_then(|s| SessionId::new(s).ok())
            .ok_or_else(|| "invalid session ID in a frame".to_string())?;
        let mut state = self.state();
        if state.gone.contains_key(&sid) {
            // A late frame of a session this node closed: nobody will read it.
            return Ok(());
        }
        let mut created = None;
        let st = state.sessions.entry(sid.clone()).or_insert_with(|| {
            let now = Instant::now();
            created = Some(now);
            SessionState {
                claimed: false,
                created: now,
                inboxes: HashMap::new(),
            }
        });
        let inbox = st.inboxes.entry(peer).or_insert_with(Inbox::new);
        if matches!(item, Inbound::Hello(_)) {
            inbox.hello_seen = true;
        }
        let _ = inbox.tx.send(item);
        drop(state);
        if let Some(created) = created {
            let weak = Arc::downgrade(self);
            let wait = self.timeout;
            self.tasks.spawn(async move {
                tokio::time::sleep_until(created + wait).await;
                if let Some(shared) = weak.upgrade() {
                    shared.reap(&sid, created);
                }
            });
        }
        Ok(())
    }

    /// Closes a session a peer opened if this node has not claimed it by now.
    fn reap(&self, sid: &SessionId, created: Instant) {
        let mut state = self.state();
        let Some(st) = state.sessions.get(sid) else {
            return;
        };
        if st.claimed || st.created != created {
            return;
        }
        let Some(mut st) = state.sessions.remove(sid) else {
            return;
        };
        let mine = Self::claimed_sessions(&state);
        let peers: Vec<usize> = st.inboxes.keys().copied().collect();
        let mut peer_reasons = vec![];
        for (p, inbox) in st.inboxes.iter_mut() {
            if let Some(rx) = inbox.rx.as_mut() {
                while let Ok(item) = rx.try_recv() {
                    if let Inbound::Closed(r) = item {
                        peer_reasons.push(format!("P{p} gave up: {r}"));
                    }
                }
            }
        }
        let names = peers
            .iter()
            .map(|p| format!("P{p}"))
            .collect::<Vec<_>>()
            .join(", ");
        let peer_note = if peer_reasons.is_empty() {
            String::new()
        } else {
            format!("; {}", peer_reasons.join("; "))
        };
        let first = peers.iter().copied().min().unwrap_or_default();
        state.bury(
            sid.clone(),
            Gone::Reaped {
                peer: first,
                opened: created,
                peer_note,
            },
        );
        let links: Vec<Arc<LinkHandle>> = peers
            .iter()
            .filter_map(|p| state.links.get(p).cloned())
            .collect();
        drop(state);
        let open = if mine.is_empty() {
            "it has no session open".to_string()
        } else {
            format!("it has session(s) {} open", mine.join(", "))
        };
        let note = format!(
            "{} did not open session {sid} within {:?} of receiving it; {open}",
            self.ctx.node, self.timeout
        );
        for link in links {
            link.send(Out::Frame {
                kind: FrameKind::SessionClose,
                sid: sid.as_bytes().to_vec(),
                payload: note.as_bytes().to_vec(),
            });
        }
        warn!(
            node = %self.ctx.node,
            session = %sid,
            "unclaimed session {sid} opened by {names} closed after {:?}: this node was not asked \
             to open it ({open}); check that every node was given the same session ID and was \
             started within the connection timeout",
            self.timeout
        );
    }

    // ---- links ----

    fn install_link(self: &Arc<Self>, j: usize, link: Arc<LinkHandle>) {
        let old = {
            let mut state = self.state();
            state.dial_failures.remove(&j);
            state.links.insert(j, link.clone())
        };
        if let Some(old) = old {
            old.send(Out::Shutdown);
        }
        info!(node = %self.ctx.node, session = NO_SESSION, peer = %link.peer, address = %link.address, "connected to {}", link.peer);
        self.bump();
    }

    fn link_lost(&self, j: usize, link: &LinkHandle, cause: &str) {
        let mut state = self.state();
        if state.links.get(&j).is_some_and(|l| l.id == link.id) {
            state.links.remove(&j);
        }
        for st in state.sessions.values() {
            if let Some(inbox) = st.inboxes.get(&j) {
                let _ = inbox.tx.send(Inbound::LinkLost {
                    link: link.id,
                    cause: cause.to_string(),
                });
            }
        }
        drop(state);
        info!(node = %self.ctx.node, session = NO_SESSION, peer = %link.peer, address = %link.address, "connection to {} ended: {cause}", link.peer);
        self.bump();
    }

    fn record_dial_failure(&self, j: usize, failure: DialFailure) -> bool {
        let mut state = self.state();
        let changed = state
            .dial_failures
            .get(&j)
            .is_none_or(|old| std::mem::discriminant(old) != std::mem::discriminant(&failure));
        state.dial_failures.insert(j, failure);
        drop(state);
        self.bump();
        changed
    }

    fn record_incoming_failure(&self, msg: String) {
        let mut state = self.state();
        // Retries repeat the same refusal: keep one line per distinct reason.
        let reason = |m: &str| {
            m.split_once(": ")
                .map(|(_, r)| r.to_string())
                .unwrap_or_default()
        };
        let key = reason(&msg);
        state.incoming_failures.retain(|old| reason(old) != key);
        state.incoming_failures.push_back(msg);
        while state.incoming_failures.len() > INCOMING_FAILURES_KEPT {
            state.incoming_failures.pop_front();
        }
        drop(state);
        self.bump();
    }

    /// Takes a client connection for `(client, session)` if one has arrived.
    pub fn take_client(
        &self,
        client: &str,
        sid: &SessionId,
    ) -> Option<(Arc<LinkHandle>, UnboundedReceiver<Inbound>)> {
        self.state()
            .clients
            .remove(&(client.to_string(), sid.clone()))
            .map(|p| (p.link, p.rx))
    }
}

/// Sends a party's session traffic to the session registry.
struct MeshSink {
    shared: Weak<Shared>,
    peer: usize,
}

impl Sink for MeshSink {
    fn deliver(&self, _link: &LinkHandle, sid: &[u8], item: Inbound) -> Result<(), String> {
        match self.shared.upgrade() {
            Some(shared) => shared.deliver(self.peer, sid, item),
            None => Err("node stopped".into()),
        }
    }
    fn lost(&self, link: &LinkHandle, cause: &str) {
        if let Some(shared) = self.shared.upgrade() {
            shared.link_lost(self.peer, link, cause);
        }
    }
}

/// Sends one session's traffic to one channel (party-client links).
pub(crate) struct ChannelSink {
    pub session: SessionId,
    pub tx: UnboundedSender<Inbound>,
}

impl Sink for ChannelSink {
    fn deliver(&self, _link: &LinkHandle, sid: &[u8], item: Inbound) -> Result<(), String> {
        if sid != self.session.as_bytes() {
            return Err(format!(
                "frame for session {} on a channel of session {}",
                String::from_utf8_lossy(sid),
                self.session
            ));
        }
        let _ = self.tx.send(item);
        Ok(())
    }
    fn lost(&self, link: &LinkHandle, cause: &str) {
        let _ = self.tx.send(Inbound::LinkLost {
            link: link.id,
            cause: cause.to_string(),
        });
    }
}

/// Links that only answer pings (`spdz2k check`).
struct PingSink;

impl Sink for PingSink {
    fn deliver(&self, _link: &LinkHandle, _sid: &[u8], _item: Inbound) -> Result<(), String> {
        Err("session traffic on a ping-only connection".into())
    }
    fn lost(&self, _link: &LinkHandle, _cause: &str) {}
}

/// A running party node: a listener that answers peers (and `spdz2k check` pings), one
/// connection to every other party (the lower index dials, retrying until it succeeds), and
/// any number of sessions multiplexed over those connections.
///
/// [`Node::shutdown`] sends what is queued, then closes every connection; dropping the node
/// does the same in the background without waiting.
pub struct Node {
    pub(crate) shared: Arc<Shared>,
}

impl Node {
    /// Loads this party's identity, refuses an expired or not-yet-valid certificate, binds
    /// `config.listen` and starts connecting to the other parties.
    pub async fn start(config: NodeConfig) -> Result<Node, NetError> {
        let Some(addr) = config.listen else {
            return Err(not_a_party(&config));
        };
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| NetError::Bind {
                node: config.name.clone(),
                addr,
                config: config.path.clone(),
                source,
            })?;
        Self::start_with_listener(config, listener).await
    }

    /// Like [`Node::start`] on a listener the caller bound (tests bind port 0 and write the
    /// ports into the configs).
    pub async fn start_with_listener(
        config: NodeConfig,
        listener: TcpListener,
    ) -> Result<Node, NetError> {
        let Role::Party(me) = config.role else {
            return Err(not_a_party(&config));
        };
        let node = config.name.clone();
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
        let idle = config.idle_timeout;
        let ctx = TlsContext::new(config, &identity)?;
        let shared = Arc::new(Shared {
            ctx,
            me,
            timeout,
            idle,
            tasks: Tasks::default(),
            local_addr: listener.local_addr().ok(),
            state: Mutex::new(State::default()),
            changed: watch::channel(0).0,
        });
        info!(node = %node, session = NO_SESSION, listen = ?shared.local_addr, key = %identity.public_key.short_fingerprint(), "node started");
        let weak = Arc::downgrade(&shared);
        shared.tasks.spawn(accept_loop(weak, listener));
        let higher: Vec<usize> = shared
            .ctx
            .config
            .parties
            .iter()
            .map(|p| p.index)
            .filter(|&j| j > me)
            .collect();
        for j in higher {
            shared.tasks.spawn(dial_loop(Arc::downgrade(&shared), j));
        }
        Ok(Node { shared })
    }

    /// The address the listener is bound to.
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.shared.local_addr
    }

    /// This node's name (`P0`).
    pub fn name(&self) -> &str {
        &self.shared.ctx.node
    }

    /// This node's party index.
    pub fn party(&self) -> usize {
        self.shared.me
    }

    /// The config the node runs with.
    pub fn config(&self) -> &NodeConfig {
        &self.shared.ctx.config
    }

    /// A framed, bidirectional message channel to `client` for one session. Needs a direct
    /// route to the client; waits up to the connection timeout for the client to connect.
    pub async fn client_channel(
        &self,
        session: &SessionId,
        client: &str,
    ) -> Result<PeerChannel, NetError> {
        let shared = &self.shared;
        let node = shared.ctx.node.clone();
        let entry = shared
            .ctx
            .config
            .client(client)
            .ok_or_else(|| NetError::BadSession {
                node: node.clone(),
                session: session.clone(),
                detail: format!(
                    "no client {client:?} in {}",
                    shared.ctx.config.path.display()
                ),
            })?;
        if entry.route != Route::Direct {
            return Err(NetError::BadSession {
                node,
                session: session.clone(),
                detail: format!(
                    "this node reaches {client} {} (clients[{}].route), not directly; only parties with a direct route open a client channel",
                    entry.route, entry.position
                ),
            });
        }
        let deadline = Instant::now() + shared.timeout;
        let mut changed = shared.subscribe();
        let earlier = shared.refused_incoming();
        let named = format!("refused {client} at ");
        loop {
            let refused: Vec<String> = shared
                .refused_incoming()
                .into_iter()
                .filter(|r| !earlier.contains(r))
                .collect();
            if let Some(r) = refused.iter().find(|r| r.starts_with(&named)) {
                let err = NetError::ClientRefused {
                    node,
                    client: client.to_string(),
                    session: session.clone(),
                    detail: r.clone(),
                };
                warn!(session = %session, "{err}");
                return Err(err);
            }
            if let Some((link, rx)) = shared.take_client(client, session) {
                return Ok(PeerChannel::new(
                    node,
                    client.to_string(),
                    session.clone(),
                    shared.idle,
                    link,
                    rx,
                ));
            }
            if timeout_at(deadline, changed.changed()).await.is_err() {
                return Err(NetError::ChannelTimeout {
                    node,
                    peer: client.to_string(),
                    address: "a client, which dials this node".into(),
                    session: session.clone(),
                    waited: shared.timeout,
                    hint: format!(
                        "{client} has not connected for this session: is it running with session ID {session}, and does its config give this node a \"direct\" route at {}?{}",
                        shared.address_of(shared.me),
                        if refused.is_empty() {
                            String::new()
                        } else {
                            format!(
                                " Refused incoming connections meanwhile (perhaps {client}'s): {}",
                                refused.join("; ")
                            )
                        }
                    ),
                });
            }
        }
    }

    /// Tells every client connected for `session` that this node has not taken into a
    /// channel yet (it failed before) why it abandons the session.
    pub fn abort_waiting_clients(&self, session: &SessionId, kind: AbortKind, detail: &str) {
        let links: Vec<Arc<LinkHandle>> = self
            .shared
            .state()
            .clients
            .iter()
            .filter(|((_, sid), _)| sid == session)
            .map(|(_, p)| p.link.clone())
            .collect();
        send_abort(&links, session, &AbortNotice::new(kind, detail));
    }

    /// Closes every connection cleanly (queued frames, then TLS close_notify, then the
    /// peer's close_notify, within a short linger) and stops every task.
    pub async fn shutdown(self) {
        self.shared.tasks.stop_gracefully(LINGER).await;
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        // Queued messages still go out (the writers drain in the background); prefer
        // `shutdown().await`, which also waits for them.
        self.shared.tasks.stop_in_background();
    }
}

fn not_a_party(config: &NodeConfig) -> NetError {
    NetError::Identity {
        node: config.name.clone(),
        source: PkiError::Options(format!(
            "{} is not a party config (role = \"party\" with a listen address); clients use ClientNode",
            config.path.display()
        )),
    }
}

async fn accept_loop(shared: Weak<Shared>, listener: TcpListener) {
    loop {
        let (tcp, from) = match listener.accept().await {
            Ok(x) => x,
            Err(e) => {
                // Out of file descriptors and the like: keep serving.
                warn!(session = NO_SESSION, "accept failed: {e}");
                tokio::task::yield_now().await;
                continue;
            }
        };
        let Some(s) = shared.upgrade() else { return };
        let weak = shared.clone();
        s.tasks.spawn(async move {
            let Some(s) = weak.upgrade() else { return };
            match connect::accept(&s.ctx, tcp, from, s.timeout).await {
                Ok(accepted) => on_accepted(&s, accepted, from),
                Err(f) => {
                    warn!(node = %s.ctx.node, session = NO_SESSION, "{}", f.0);
                    s.record_incoming_failure(f.0);
                }
            }
        });
    }
}

fn on_accepted(shared: &Arc<Shared>, accepted: Accepted, from: SocketAddr) {
    let Accepted {
        stream,
        peer,
        hello,
    } = accepted;
    match (hello.purpose, peer) {
        (Purpose::Mesh, PeerId::Party(j)) => {
            let sink = Arc::new(MeshSink {
                shared: Arc::downgrade(shared),
                peer: j,
            });
            let link = spawn_link(
                stream,
                format!("P{j}"),
                shared.address_of(j),
                sink,
                &shared.tasks,
                heartbeat_interval(shared.idle),
            );
            shared.install_link(j, link);
        }
        (Purpose::Ping, peer) => {
            debug!(node = %shared.ctx.node, session = NO_SESSION, "ping connection from {peer} at {from}");
            spawn_link(
                stream,
                peer.to_string(),
                from.to_string(),
                Arc::new(PingSink),
                &shared.tasks,
                heartbeat_interval(shared.idle),
            );
        }
        (Purpose::Client, PeerId::Client(name)) => {
            let Some(session) = hello.session else { return };
            let (tx, rx) = unbounded_channel();
            let sink = Arc::new(ChannelSink {
                session: session.clone(),
                tx,
            });
            let link = spawn_link(
                stream,
                name.clone(),
                from.to_string(),
                sink,
                &shared.tasks,
                heartbeat_interval(shared.idle),
            );
            info!(node = %shared.ctx.node, session = %session, "client {name} connected from {from}");
            shared
                .state()
                .clients
                .insert((name.clone(), session.clone()), PendingClient { link, rx });
            shared.bump();
            // A client connection nobody asks for is closed after the timeout; while this
            // node is opening or running that session, its owner takes it or tells the
            // client why not.
            let weak = Arc::downgrade(shared);
            let wait = shared.timeout;
            shared.tasks.spawn(async move {
                loop {
                    tokio::time::sleep(wait).await;
                    let Some(s) = weak.upgrade() else { return };
                    let owned = s
                        .state()
                        .sessions
                        .get(&session)
                        .is_some_and(|st| st.claimed);
                    if !owned {
                        break;
                    }
                }
                let Some(s) = weak.upgrade() else { return };
                if let Some((link, _)) = s.take_client(&name, &session) {
                    link.send(Out::Frame {
                        kind: FrameKind::SessionClose,
                        sid: session.as_bytes().to_vec(),
                        payload: format!("{} did not open a channel to {name} for session {session} within {wait:?}", s.ctx.node).into_bytes(),
                    });
                    link.send(Out::Shutdown);
                    warn!(node = %s.ctx.node, session = %session, "unclaimed client connection from {name} for session {session} closed after {wait:?}; check that this party was asked to run session {session}");
                }
            });
        }
        // accept() already refused every other combination.
        (_, peer) => debug!(session = NO_SESSION, "ignoring connection from {peer}"),
    }
}

/// Keeps a connection to higher-indexed party `j`: dial, retry with backoff, redial when
/// the connection ends.
async fn dial_loop(shared: Weak<Shared>, j: usize) {
    let mut backoff = Duration::from_millis(50);
    loop {
        let Some(s) = shared.upgrade() else { return };
        let Some(entry) = s.ctx.config.party(j).cloned() else {
            return;
        };
        let deadline = Instant::now() + s.timeout;
        match connect::dial(
            &s.ctx,
            entry.public_key,
            &entry.address,
            Purpose::Mesh,
            j,
            None,
            deadline,
        )
        .await
        {
            Ok(stream) => {
                backoff = Duration::from_millis(50);
                let sink = Arc::new(MeshSink {
                    shared: shared.clone(),
                    peer: j,
                });
                let link = spawn_link(
                    stream,
                    format!("P{j}"),
                    entry.address.clone(),
                    sink,
                    &s.tasks,
                    heartbeat_interval(s.idle),
                );
                s.install_link(j, link.clone());
                drop(s);
                link.closed().await;
            }
            Err(failure) => {
                let line = failure.describe(
                    &format!("P{j}"),
                    &format!("parties[{}].address", entry.position),
                );
                // A refused connection is normal while a peer starts or after it finished;
                // if it lasts, the timeout error names the missing peer and the fix.
                let fatal = failure.is_fatal();
                if s.record_dial_failure(j, failure) && fatal {
                    warn!(node = %s.ctx.node, session = NO_SESSION, peer = j, address = %entry.address, "dialling P{j} at {}: {line}", entry.address);
                } else {
                    debug!(node = %s.ctx.node, session = NO_SESSION, peer = j, "dialling P{j} again: {line}");
                }
                drop(s);
                // A retry delay, not synchronisation: the next attempt is a fresh dial.
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(1));
            }
        }
    }
}
