//! The link table: the live link to every other party, the last dial failure per party,
//! and the incoming connections refused lately. Plain data: the node's shared state holds
//! it under its lock.

use crate::tls::connect::DialFailure;
use crate::tls::link::LinkHandle;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

/// How many refused incoming connections are remembered for diagnostics.
const INCOMING_FAILURES_KEPT: usize = 8;

/// A node's connections to the other parties.
#[derive(Default)]
pub(super) struct LinkTable {
    links: HashMap<usize, Arc<LinkHandle>>,
    pub dial_failures: HashMap<usize, DialFailure>,
    incoming_failures: VecDeque<String>,
}

impl LinkTable {
    /// The live link to party `j`, if any.
    pub fn live(&self, j: usize) -> Option<Arc<LinkHandle>> {
        self.links.get(&j).filter(|l| l.is_open()).cloned()
    }

    /// The link to party `j`, open or not.
    pub fn get(&self, j: usize) -> Option<&Arc<LinkHandle>> {
        self.links.get(&j)
    }

    /// Installs `link` as the link to `j`; returns the one it replaces.
    pub fn install(&mut self, j: usize, link: Arc<LinkHandle>) -> Option<Arc<LinkHandle>> {
        self.dial_failures.remove(&j);
        self.links.insert(j, link)
    }

    /// Forgets the link to `j` if it is still `link`.
    pub fn remove(&mut self, j: usize, link: &LinkHandle) {
        if self.links.get(&j).is_some_and(|l| l.id == link.id) {
            self.links.remove(&j);
        }
    }

    /// Records why dialling `j` failed; whether the kind of failure changed.
    pub fn record_dial_failure(&mut self, j: usize, failure: DialFailure) -> bool {
        let changed = self
            .dial_failures
            .get(&j)
            .is_none_or(|old| std::mem::discriminant(old) != std::mem::discriminant(&failure));
        self.dial_failures.insert(j, failure);
        changed
    }

    /// Records a refused incoming connection, one line per distinct reason.
    pub fn record_incoming_failure(&mut self, msg: String) {
        // Retries repeat the same refusal: keep one line per distinct reason.
        let reason = |m: &str| {
            m.split_once(": ")
                .map(|(_, r)| r.to_string())
                .unwrap_or_default()
        };
        let key = reason(&msg);
        self.incoming_failures.retain(|old| reason(old) != key);
        self.incoming_failures.push_back(msg);
        while self.incoming_failures.len() > INCOMING_FAILURES_KEPT {
            self.incoming_failures.pop_front();
        }
    }

    /// Incoming connections refused lately.
    pub fn refused_incoming(&self) -> Vec<String> {
        self.incoming_failures.iter().cloned().collect()
    }
}
