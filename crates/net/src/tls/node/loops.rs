//! A node's accept and dial loops: the listener answers peers, pings and clients; the
//! dialers keep one connection to every higher-indexed party.

use super::registry::PendingClient;
use super::shared::{MeshSink, Shared};
use crate::frame::FrameKind;
use crate::tls::connect::{self, Accepted, PeerId};
use crate::tls::link::{Out, PingSink, heartbeat_interval, spawn_channel_link, spawn_link};
use crate::tls::wire::Purpose;
use std::net::SocketAddr;
use std::sync::{Arc, Weak};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::time::Instant;
use tracing::{debug, info, warn};

/// Accepts connections until the node stops.
pub(super) async fn accept_loop(shared: Weak<Shared>, listener: TcpListener) {
    loop {
        let (tcp, from) = match listener.accept().await {
            Ok(x) => x,
            Err(e) => {
                // Out of file descriptors and the like: keep serving.
                warn!("accept failed: {e}");
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
                    warn!("{}", f.0);
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
            debug!("ping connection from {peer} at {from}");
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
            let (link, rx) = spawn_channel_link(
                stream,
                name.clone(),
                from.to_string(),
                &session,
                &shared.tasks,
                shared.idle,
            );
            info!(session = %session, "client {name} connected from {from}");
            shared
                .state()
                .registry
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
                    let owned = s.state().registry.owns(&session);
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
                    warn!(session = %session, "unclaimed client connection from {name} for session {session} closed after {wait:?}; check that this party was asked to run session {session}");
                }
            });
        }
        // accept() already refused every other combination.
        (_, peer) => debug!("ignoring connection from {peer}"),
    }
}

/// Keeps a connection to higher-indexed party `j`: dial, retry with backoff, redial when
/// the connection ends.
pub(super) async fn dial_loop(shared: Weak<Shared>, j: usize) {
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
                    warn!(peer = j, address = %entry.address, "dialling P{j} at {}: {line}", entry.address);
                } else {
                    debug!(peer = j, "dialling P{j} again: {line}");
                }
                drop(s);
                // A retry delay, not synchronisation: the next attempt is a fresh dial.
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(1));
            }
        }
    }
}
