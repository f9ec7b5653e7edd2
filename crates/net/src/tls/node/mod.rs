//! A running party node: its listener, the dialers that keep one connection to every
//! higher-indexed party, the table of links, and the registry of sessions multiplexed over
//! them. By job: [`shared`] (the state every task shares, under one lock), [`links`] (the
//! link table), [`registry`] (the sessions), [`loops`] (accepting and dialling), and here
//! the public [`Node`]; the task supervisor is `tls::tasks`.

mod links;
mod loops;
mod registry;
mod shared;

pub(crate) use registry::ClaimError;
pub(crate) use shared::{NO_SESSION, Shared};

use super::client::PeerChannel;
use super::connect::TlsContext;
use super::link::LinkHandle;
use super::link::send_abort;
use super::tasks::LINGER;
use super::wire::{AbortKind, AbortNotice};
use crate::error::NetError;
use loops::{accept_loop, dial_loop};
use spdz2k_core::SessionId;
use spdz2k_pki::{NodeConfig, PkiError, Role, Route};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::SystemTime;
use tokio::net::TcpListener;
use tokio::time::{Instant, timeout_at};
use tracing::{info, warn};

/// A running party node: a listener that answers peers (and `spdz2k check` pings), one
/// connection to every other party (the lower index dials, retrying until it succeeds), and
/// any number of sessions multiplexed over those connections.
///
/// [`Node::shutdown`] sends what is queued, then closes every connection; dropping the node
/// does the same in the background without waiting.
///
/// # Example
///
/// Two parties on loopback: keys, certificates and configs from [`spdz2k_pki::setup()`], each
/// node started on a listener bound to port 0, one session opened on both, a message each
/// way, and a clean end:
///
/// ```
/// use spdz2k_core::SessionId;
/// use spdz2k_net::{Node, SessionSpec, Transport};
/// use spdz2k_pki::{NodeConfig, SetupOptions, setup};
/// use spdz2k_ring::ParamsId;
/// use tokio::net::TcpListener;
///
/// # #[tokio::main]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let dir = tempfile::tempdir()?;
/// let written = setup(&SetupOptions::new(2, 0, dir.path()))?;
/// // Let the system choose the ports, and point both configs at them.
/// let listeners = [TcpListener::bind("127.0.0.1:0").await?, TcpListener::bind("127.0.0.1:0").await?];
/// let addrs = [listeners[0].local_addr()?, listeners[1].local_addr()?];
/// let mut nodes = Vec::new();
/// for (i, (summary, listener)) in written.iter().zip(listeners).enumerate() {
///     let mut config = NodeConfig::load(&summary.config_file)?;
///     config.listen = Some(addrs[i]);
///     for p in &mut config.parties {
///         p.address = addrs[p.index].to_string();
///     }
///     nodes.push(Node::start_with_listener(config, listener).await?);
/// }
///
/// let spec = SessionSpec::new(SessionId::new("example")?, ParamsId { k: 64, s: 64 }, 2, "ping");
/// let (mut p0, mut p1) =
///     tokio::try_join!(nodes[0].open_session(spec.clone()), nodes[1].open_session(spec))?;
/// p0.send(1, b"hello".to_vec()).await?;
/// p1.send(0, b"hi".to_vec()).await?;
/// assert_eq!(p1.recv(0).await?, b"hello");
/// assert_eq!(p0.recv(1).await?, b"hi");
/// // Both ends confirm they have everything before either reports success.
/// tokio::try_join!(p0.close(), p1.close())?;
/// for node in nodes {
///     node.shutdown().await;
/// }
/// # Ok(())
/// # }
/// ```
pub struct Node {
    pub(crate) shared: Arc<Shared>,
}

impl Node {
    /// Loads this party's identity, refuses an expired or not-yet-valid certificate, binds
    /// `config.listen` and starts connecting to the other parties.
    ///
    /// ```no_run
    /// # use spdz2k_net::Node;
    /// # use spdz2k_pki::NodeConfig;
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// // A config written by `spdz2k setup` (or `spdz2k_pki::setup`).
    /// let config = NodeConfig::load(std::path::Path::new("deploy/P0/node.toml"))?;
    /// let node = Node::start(config).await?;
    /// println!("{} listens on {:?}", node.name(), node.local_addr());
    /// # Ok(())
    /// # }
    /// ```
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
        let local_addr = listener.local_addr().ok();
        let shared = Arc::new(Shared::new(ctx, me, timeout, idle, local_addr));
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
            .registry
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
