//! The session registry: the sessions multiplexed over a node's links (per-peer queues,
//! whether this node has claimed each), the sessions recently closed or reaped, and client
//! connections waiting for their channel. Plain data: the node's shared state holds it
//! under its lock.

use crate::tls::link::{Inbound, LinkHandle};
use spdz2k_core::SessionId;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::time::Instant;

/// How many closed sessions are remembered (to drop their late frames quietly).
const GONE_KEPT: usize = 4096;

/// Per-peer queue of one session.
pub(super) struct Inbox {
    pub tx: UnboundedSender<Inbound>,
    pub rx: Option<UnboundedReceiver<Inbound>>,
    pub hello_seen: bool,
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

/// One session known to this node.
pub(super) struct SessionState {
    pub claimed: bool,
    pub created: Instant,
    pub inboxes: HashMap<usize, Inbox>,
}

impl SessionState {
    fn new(created: Instant) -> Self {
        Self {
            claimed: false,
            created,
            inboxes: HashMap::new(),
        }
    }
}

/// A session that is no longer in the table.
pub(super) enum Gone {
    /// This node opened and closed it.
    ClosedHere,
    /// A peer opened it, this node never did, and it was closed after the timeout.
    Reaped(ReapedSession),
}

/// A session a peer opened and this node never did, closed here after the timeout.
pub(crate) struct ReapedSession {
    /// The (lowest-numbered) peer that opened it.
    pub peer: usize,
    /// When it became known here.
    pub opened: Instant,
    /// What the peers said when they gave up ("" or "; ...").
    pub peer_note: String,
}

/// A client connection waiting for [`crate::Node::client_channel`].
pub(super) struct PendingClient {
    pub link: Arc<LinkHandle>,
    pub rx: UnboundedReceiver<Inbound>,
}

/// Why a session could not be claimed.
pub(crate) enum ClaimError {
    Duplicate,
    /// A peer opened the session earlier; it was reaped here.
    Late(ReapedSession),
}

/// What reaping an unclaimed session found.
pub(super) struct Reaped {
    /// The peers that sent frames for it.
    pub peers: Vec<usize>,
    /// The sessions this node has open.
    pub mine: Vec<String>,
}

/// The sessions of one node.
#[derive(Default)]
pub(super) struct Registry {
    sessions: HashMap<SessionId, SessionState>,
    gone: HashMap<SessionId, Gone>,
    gone_order: VecDeque<SessionId>,
    pub clients: HashMap<(String, SessionId), PendingClient>,
}

impl Registry {
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

    /// Claims a session for this node and takes the queues of `peers`.
    pub fn claim(
        &mut self,
        sid: &SessionId,
        peers: &[usize],
    ) -> Result<HashMap<usize, UnboundedReceiver<Inbound>>, ClaimError> {
        match self.gone.remove(sid) {
            Some(Gone::Reaped(reaped)) => return Err(ClaimError::Late(reaped)),
            Some(Gone::ClosedHere) | None => {}
        }
        let st = self
            .sessions
            .entry(sid.clone())
            .or_insert_with(|| SessionState::new(Instant::now()));
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
    pub fn release(&mut self, sid: &SessionId) {
        self.sessions.remove(sid);
        self.bury(sid.clone(), Gone::ClosedHere);
    }

    /// Sessions that party `j` opened and this node has not: those still waiting, and those
    /// reaped within `window`.
    pub fn unclaimed_from(&self, j: usize, window: Duration) -> Vec<String> {
        let waiting = self
            .sessions
            .iter()
            .filter(|(_, st)| !st.claimed && st.inboxes.get(&j).is_some_and(|i| i.hello_seen))
            .map(|(sid, _)| sid.to_string());
        let recently_reaped = self.gone.iter().filter_map(|(sid, gone)| match gone {
            Gone::Reaped(r) if r.peer == j && r.opened.elapsed() <= window => Some(sid.to_string()),
            _ => None,
        });
        let mut v: Vec<String> = waiting.chain(recently_reaped).collect();
        v.sort();
        v.dedup();
        v
    }

    /// Sessions this node has open.
    fn claimed_sessions(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .sessions
            .iter()
            .filter(|(_, st)| st.claimed)
            .map(|(sid, _)| sid.to_string())
            .collect();
        v.sort();
        v
    }

    /// Whether this node has claimed `sid`.
    pub fn owns(&self, sid: &SessionId) -> bool {
        self.sessions.get(sid).is_some_and(|st| st.claimed)
    }

    /// Queues `item` from `peer` for session `sid`; the time the session became known if
    /// this frame made it so (the caller schedules its reaping).
    pub fn enqueue(&mut self, peer: usize, sid: &SessionId, item: Inbound) -> Option<Instant> {
        if self.gone.contains_key(sid) {
            // A late frame of a session this node closed: nobody will read it.
            return None;
        }
        let mut created = None;
        let st = self.sessions.entry(sid.clone()).or_insert_with(|| {
            let now = Instant::now();
            created = Some(now);
            SessionState::new(now)
        });
        let inbox = st.inboxes.entry(peer).or_insert_with(Inbox::new);
        if matches!(item, Inbound::Hello(_)) {
            inbox.hello_seen = true;
        }
        let _ = inbox.tx.send(item);
        created
    }

    /// Removes session `sid`, known since `created`, if this node has not claimed it.
    pub fn reap(&mut self, sid: &SessionId, created: Instant) -> Option<Reaped> {
        let st = self.sessions.get(sid)?;
        if st.claimed || st.created != created {
            return None;
        }
        let mut st = self.sessions.remove(sid)?;
        let mine = self.claimed_sessions();
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
        let peer_note = if peer_reasons.is_empty() {
            String::new()
        } else {
            format!("; {}", peer_reasons.join("; "))
        };
        let first = peers.iter().copied().min().unwrap_or_default();
        self.bury(
            sid.clone(),
            Gone::Reaped(ReapedSession {
                peer: first,
                opened: created,
                peer_note,
            }),
        );
        Some(Reaped { peers, mine })
    }

    /// Tells every session's queue for peer `j` that the link `link` ended.
    pub fn link_lost(&self, j: usize, link: u64, cause: &str) {
        for st in self.sessions.values() {
            if let Some(inbox) = st.inboxes.get(&j) {
                let _ = inbox.tx.send(Inbound::LinkLost {
                    link,
                    cause: cause.to_string(),
                });
            }
        }
    }

    /// Takes a client connection for `(client, session)` if one has arrived.
    pub fn take_client(
        &mut self,
        client: &str,
        sid: &SessionId,
    ) -> Option<(Arc<LinkHandle>, UnboundedReceiver<Inbound>)> {
        self.clients
            .remove(&(client.to_string(), sid.clone()))
            .map(|p| (p.link, p.rx))
    }
}
