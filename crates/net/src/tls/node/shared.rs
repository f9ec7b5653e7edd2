//! What a node's tasks share: the TLS context, the bounds, the task supervisor, and under
//! one lock the link table and the session registry; plus the sink that feeds a party
//! link's session traffic into the registry.

use super::links::LinkTable;
use super::registry::{ClaimError, Registry};
use crate::frame::FrameKind;
use crate::tls::connect::{DialFailure, TlsContext};
use crate::tls::link::{Inbound, LinkHandle, Out, Sink};
use crate::tls::tasks::Tasks;
use spdz2k_core::SessionId;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::sync::watch;
use tokio::time::Instant;
use tracing::{info, warn};

/// Placeholder for the session field of log lines about connections, not sessions.
const NO_SESSION: &str = "-";

/// The state behind the node's lock.
#[derive(Default)]
pub(super) struct State {
    pub links: LinkTable,
    pub registry: Registry,
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
    /// The shared state of a node that has just started.
    pub(super) fn new(
        ctx: TlsContext,
        me: usize,
        timeout: Duration,
        idle: Duration,
        local_addr: Option<SocketAddr>,
    ) -> Self {
        // Connection-level lines belong to no session: `session=-` (docs/TROUBLESHOOTING.md).
        let span = tracing::error_span!("node", node = %ctx.node, session = NO_SESSION);
        Self {
            ctx,
            me,
            timeout,
            idle,
            tasks: Tasks::in_span(span),
            local_addr,
            state: Mutex::new(State::default()),
            changed: watch::channel(0).0,
        }
    }

    pub(super) fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Wakes everyone waiting for links, dial results or client connections.
    pub(super) fn bump(&self) {
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

    // ---- links ----

    /// The live link to party `j`, if any.
    pub fn link(&self, j: usize) -> Option<Arc<LinkHandle>> {
        self.state().links.live(j)
    }

    /// The last fatal dial failure for party `j`.
    pub fn fatal_failure(&self, j: usize) -> Option<DialFailure> {
        self.state()
            .links
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
            return match state.links.dial_failures.get(&j) {
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
        self.state().links.refused_incoming()
    }

    pub(super) fn install_link(self: &Arc<Self>, j: usize, link: Arc<LinkHandle>) {
        let old = self.state().links.install(j, link.clone());
        if let Some(old) = old {
            old.send(Out::Shutdown);
        }
        info!(peer = %link.peer, address = %link.address, "connected to {}", link.peer);
        self.bump();
    }

    fn link_lost(&self, j: usize, link: &LinkHandle, cause: &str) {
        let mut state = self.state();
        state.links.remove(j, link);
        state.registry.link_lost(j, link.id, cause);
        drop(state);
        info!(peer = %link.peer, address = %link.address, "connection to {} ended: {cause}", link.peer);
        self.bump();
    }

    pub(super) fn record_dial_failure(&self, j: usize, failure: DialFailure) -> bool {
        let changed = self.state().links.record_dial_failure(j, failure);
        self.bump();
        changed
    }

    pub(super) fn record_incoming_failure(&self, msg: String) {
        self.state().links.record_incoming_failure(msg);
        self.bump();
    }

    // ---- sessions ----

    /// Claims a session for this node and takes the queues of `peers`.
    pub fn claim(
        &self,
        sid: &SessionId,
        peers: &[usize],
    ) -> Result<HashMap<usize, UnboundedReceiver<Inbound>>, ClaimError> {
        self.state().registry.claim(sid, peers)
    }

    /// Removes a session this node had claimed.
    pub fn release(&self, sid: &SessionId) {
        self.state().registry.release(sid);
    }

    /// Sessions that party `j` opened and this node has not: those still waiting, and those
    /// reaped within the last timeout (the reaper and a session's own timeout fire at about
    /// the same moment when two nodes were given different IDs, so the waiting one may
    /// already be gone when the timed-out session asks).
    pub fn unclaimed_from(&self, j: usize) -> Vec<String> {
        self.state().registry.unclaimed_from(j, self.timeout * 2)
    }

    fn deliver(self: &Arc<Self>, peer: usize, sid: &[u8], item: Inbound) -> Result<(), String> {
        let sid = std::str::from_utf8(sid)
            .ok()
            .and_then(|s| SessionId::new(s).ok())
            .ok_or_else(|| "invalid session ID in a frame".to_string())?;
        let created = self.state().registry.enqueue(peer, &sid, item);
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
        let Some(reaped) = state.registry.reap(sid, created) else {
            return;
        };
        let links: Vec<Arc<LinkHandle>> = (reaped.peers.iter())
            .filter_map(|&p| state.links.get(p).cloned())
            .collect();
        drop(state);
        let names = (reaped.peers.iter())
            .map(|p| format!("P{p}"))
            .collect::<Vec<_>>()
            .join(", ");
        let open = if reaped.mine.is_empty() {
            "it has no session open".to_string()
        } else {
            format!("it has session(s) {} open", reaped.mine.join(", "))
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
            session = %sid,
            "unclaimed session {sid} opened by {names} closed after {:?}: this node was not asked \
             to open it ({open}); check that every node was given the same session ID and was \
             started within the connection timeout",
            self.timeout
        );
    }

    /// Takes a client connection for `(client, session)` if one has arrived.
    pub fn take_client(
        &self,
        client: &str,
        sid: &SessionId,
    ) -> Option<(Arc<LinkHandle>, UnboundedReceiver<Inbound>)> {
        self.state().registry.take_client(client, sid)
    }
}

/// Sends a party's session traffic to the session registry.
pub(super) struct MeshSink {
    pub shared: Weak<Shared>,
    pub peer: usize,
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
