//! The parties' delivery numbering: per (session, kind, label) a party numbers its
//! deliveries to a client 0, 1, 2, ...; the client accepts exactly the next number, which
//! is what makes replays and silent drops visible.

use std::collections::HashMap;

use spdz2k_core::SessionId;

use crate::header::EnvelopeKind;
use crate::ids::{ClientId, Label};

/// Next sequence number per (session, client, kind, label), kept by each party.
#[derive(Debug, Default, Clone)]
pub struct SequenceCounter {
    next: HashMap<(SessionId, ClientId, EnvelopeKind, Label), u64>,
}

impl SequenceCounter {
    /// A counter with every sequence at 0.
    pub fn new() -> Self {
        Self::default()
    }

    /// The number for the next delivery of `label` to `client` in `session`, and advances.
    pub fn next(
        &mut self,
        session: &SessionId,
        client: &ClientId,
        kind: EnvelopeKind,
        label: &Label,
    ) -> u64 {
        let slot = self
            .next
            .entry((session.clone(), client.clone(), kind, label.clone()))
            .or_insert(0);
        let seq = *slot;
        // 2^64 deliveries cannot happen; saturating keeps the arithmetic total.
        *slot = slot.saturating_add(1);
        seq
    }

    /// Forgets every counter of a finished session.
    pub fn end_session(&mut self, session: &SessionId) {
        self.next.retain(|(s, ..), _| s != session);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_label_and_kind() {
        let mut c = SequenceCounter::new();
        let s = SessionId::new("s").unwrap();
        let c0 = ClientId::new("C0").unwrap();
        let a = Label::new("a").unwrap();
        let b = Label::new("b").unwrap();
        assert_eq!(c.next(&s, &c0, EnvelopeKind::OutputBundle, &a), 0);
        assert_eq!(c.next(&s, &c0, EnvelopeKind::OutputBundle, &a), 1);
        assert_eq!(c.next(&s, &c0, EnvelopeKind::OutputBundle, &b), 0);
        assert_eq!(c.next(&s, &c0, EnvelopeKind::InputTriple, &a), 0);
        c.end_session(&s);
        assert_eq!(c.next(&s, &c0, EnvelopeKind::OutputBundle, &a), 0);
    }
}
