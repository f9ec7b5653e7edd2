//! [`SessionAbort`]: a handle that sends a typed abort to the peers of a session or of a
//! client channel.

use super::link::{LinkHandle, send_abort};
use super::wire::{AbortKind, AbortNotice};
use spdz2k_core::SessionId;
use std::sync::Arc;

/// Sends a typed abort to the peers of a session or of a client channel, from outside the
/// code that owns it: a node takes one before it hands its session to the engine, so that
/// whatever fails later, every peer learns the cause before this node closes.
///
/// While a handle exists, the session's (or channel's) close on drop waits for it: an abort
/// sent through a handle after the owner was dropped still reaches the peers first.
#[derive(Clone)]
pub struct SessionAbort {
    session: SessionId,
    links: Vec<Arc<LinkHandle>>,
    _keep: Arc<dyn Send + Sync>,
}

impl SessionAbort {
    pub(crate) fn new(
        session: SessionId,
        links: Vec<Arc<LinkHandle>>,
        keep: Arc<dyn Send + Sync>,
    ) -> Self {
        Self {
            session,
            links,
            _keep: keep,
        }
    }

    /// Queues an abort frame with `kind` and `detail` (this node's error line) to every
    /// peer. Nodes flush queued frames when they shut down (`Node::shutdown`).
    pub fn abort(&self, kind: AbortKind, detail: &str) {
        send_abort(&self.links, &self.session, &AbortNotice::new(kind, detail));
    }
}
