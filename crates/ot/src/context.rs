//! Who runs an OT instance: the session, the two parties and an instance number. Every
//! hash, commitment and message header is bound to it.

use crate::error::OtError;
use sha2::{Digest, Sha256};
use spdz2k_core::SessionId;

/// One directed OT instance between two parties of a session: `sender` holds the OT
/// sender's role (the global Δ in OT extension), `receiver` the choice bits. `instance`
/// separates several instances between the same pair (e.g. one per purpose).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OtContext {
    session: SessionId,
    sender: usize,
    receiver: usize,
    instance: u64,
    tag: [u8; 32],
}

/// Which side of an [`OtContext`] a state machine plays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The OT sender.
    Sender,
    /// The OT receiver.
    Receiver,
}

impl OtContext {
    /// The context of instance `instance` from `sender` to `receiver` in `session`.
    /// Use instance numbers below 2^63: an extension instance runs its base OTs under
    /// the reversed pair with bit 63 of the instance set.
    pub fn new(session: SessionId, sender: usize, receiver: usize, instance: u64) -> Self {
        let mut h = Sha256::new();
        h.update(b"spdz2k-ot context v1");
        h.update((session.as_bytes().len() as u64).to_le_bytes());
        h.update(session.as_bytes());
        h.update((sender as u64).to_le_bytes());
        h.update((receiver as u64).to_le_bytes());
        h.update(instance.to_le_bytes());
        OtContext {
            session,
            sender,
            receiver,
            instance,
            tag: h.finalize().into(),
        }
    }

    /// The session.
    pub fn session(&self) -> &SessionId {
        &self.session
    }
    /// The OT sender's party index.
    pub fn sender(&self) -> usize {
        self.sender
    }
    /// The OT receiver's party index.
    pub fn receiver(&self) -> usize {
        self.receiver
    }
    /// The instance number.
    pub fn instance(&self) -> u64 {
        self.instance
    }
    /// A 32-byte digest of (session, sender, receiver, instance) for domain separation.
    pub fn tag(&self) -> &[u8; 32] {
        &self.tag
    }

    /// (this party, the peer) for `role`.
    pub fn parties(&self, role: Role) -> (usize, usize) {
        match role {
            Role::Sender => (self.sender, self.receiver),
            Role::Receiver => (self.receiver, self.sender),
        }
    }

    /// The error for a failed `check` (logged as a warning), as seen by `role`.
    pub fn check_failed(&self, role: Role, phase: &'static str, check: &'static str) -> OtError {
        let (party, peer) = self.parties(role);
        tracing::warn!(party, peer, session = %self.session, phase, check, "OT check failed; key set retired");
        OtError::CheckFailed {
            party,
            peer,
            session: self.session.clone(),
            phase,
            check,
        }
    }

    /// The error for a refused message (logged as a warning), as seen by `role`.
    pub fn bad_message(&self, role: Role, phase: &'static str, detail: String) -> OtError {
        let (party, peer) = self.parties(role);
        tracing::warn!(party, peer, session = %self.session, phase, %detail, "OT message refused");
        OtError::BadMessage {
            party,
            peer,
            session: self.session.clone(),
            phase,
            detail,
        }
    }

    /// The error for use of a retired state, as seen by `role`.
    pub fn retired(&self, role: Role, phase: &'static str) -> OtError {
        let (party, peer) = self.parties(role);
        OtError::Retired {
            party,
            peer,
            session: self.session.clone(),
            phase,
        }
    }
}
