//! `Debug` for the public handles, from their public accessors only: names, indices,
//! addresses, session IDs and counters. No key, no certificate, no message.

use crate::tls::{ClientNode, Node, PeerChannel, SessionAbort, TlsSession};
use crate::{MemoryMesh, MemoryTransport, Transport};
use core::fmt;

impl fmt::Debug for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Node")
            .field("name", &self.name())
            .field("party", &self.party())
            .field("listen", &self.local_addr())
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for TlsSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        transport("TlsSession", self, f)
    }
}

impl fmt::Debug for MemoryTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        transport("MemoryTransport", self, f)
    }
}

fn transport(name: &str, t: &impl Transport, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    f.debug_struct(name)
        .field("party", &t.party())
        .field("n_parties", &t.n_parties())
        .field("session", t.session_id())
        .field("params", &t.params())
        .field("stats", &t.stats())
        .finish_non_exhaustive()
}

impl fmt::Debug for MemoryMesh {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MemoryMesh")
    }
}

impl fmt::Debug for PeerChannel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PeerChannel")
            .field("peer", &self.peer())
            .field("session", self.session())
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for ClientNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientNode")
            .field("name", &self.name())
            .field("session", self.session())
            .field("parties", &self.parties())
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for SessionAbort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionAbort").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_transports_show_their_identity_and_no_messages() {
        let sid = spdz2k_core::SessionId::new("dbg").unwrap();
        let t = MemoryMesh::connect(2, sid, std::time::Duration::from_secs(1));
        let text = format!("{:?} {:?}", MemoryMesh, t[1]);
        assert!(
            text.contains("MemoryTransport") && text.contains("party: 1"),
            "{text}"
        );
        assert!(text.contains("dbg"), "{text}");
    }
}
