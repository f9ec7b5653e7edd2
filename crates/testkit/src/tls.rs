//! n parties as real TLS nodes on loopback: keys, certificates and configs written by
//! `spdz2k_pki::setup` into a tempdir, every party's listener bound on 127.0.0.1 port 0 and
//! the configs pointed at those ports.
//!
//! [`Deployment`] holds the configs and the bound listeners (start the nodes yourself, e.g. to
//! put a relay in front of one); [`Cluster`] starts every party's node, each in its own task,
//! and runs engine sessions over them ([`Cluster::run`]).

use crate::mesh::fresh_dealer_seed;
use spdz2k_core::SessionId;
use spdz2k_engine::{EngineError, Session, SessionOptions};
use spdz2k_net::{Node, SessionSpec, TlsSession};
use spdz2k_pki::{NodeConfig, SetupOptions, setup};
use spdz2k_prep::InsecureDealerSource;
use spdz2k_ring::{Params, ParamsId};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

/// The connection timeout of [`Deployment::new`] (short: the diagnostic tests wait for it).
pub const TIMEOUT: Duration = Duration::from_secs(2);
/// What every diagnostic must beat: [`TIMEOUT`] plus a second.
pub const BOUND: Duration = Duration::from_secs(3);

/// An engine session over TLS on INSECURE dealer preprocessing.
pub type TlsTestSession<P> = Session<P, TlsSession, InsecureDealerSource<P>>;

/// A throw-away deployment: configs with real loopback ports filled in, and one bound
/// listener per party.
pub struct Deployment {
    /// Keys, certificates and configs; removed when the deployment is dropped.
    pub dir: tempfile::TempDir,
    /// Party configs, then client configs, with real loopback ports filled in.
    pub configs: Vec<NodeConfig>,
    /// One bound listener per party (take it to start the node).
    pub listeners: Vec<Option<TcpListener>>,
    /// The number of parties.
    pub n: usize,
}

impl Deployment {
    /// `n` parties and `clients` clients reached through party 0, with [`TIMEOUT`].
    pub async fn new(n: usize, clients: usize) -> Self {
        Self::with(n, clients, false, TIMEOUT).await
    }

    /// `direct_clients`: every party reaches every client over its own connection;
    /// `timeout`: the configs' `connection_timeout_secs`, the bound on each network wait.
    pub async fn with(n: usize, clients: usize, direct_clients: bool, timeout: Duration) -> Self {
        let dir = tempfile::tempdir().expect("a tempdir");
        let mut opts = SetupOptions::new(n, clients, dir.path());
        opts.connection_timeout = timeout;
        opts.direct_clients = direct_clients;
        let nodes = setup(&opts).expect("setup writes a deployment");
        let mut configs: Vec<NodeConfig> = nodes
            .iter()
            .map(|s| NodeConfig::load(&s.config_file).expect("setup's config loads"))
            .collect();
        let mut listeners = vec![];
        let mut addrs = vec![];
        for _ in 0..n {
            let l = TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind loopback");
            addrs.push(l.local_addr().expect("a bound address"));
            listeners.push(Some(l));
        }
        // Setup wrote base_port + i; point every config at the ports bound above.
        for (i, cfg) in configs.iter_mut().enumerate() {
            if i < n {
                cfg.listen = Some(addrs[i]);
            }
            for p in cfg.parties.iter_mut() {
                p.address = addrs[p.index].to_string();
            }
        }
        Deployment {
            dir,
            configs,
            listeners,
            n,
        }
    }

    /// Node `i`'s config (parties first, then clients).
    pub fn config(&self, i: usize) -> NodeConfig {
        self.configs[i].clone()
    }

    /// Party `i`'s address as the configs list it.
    pub fn address(&self, i: usize) -> String {
        self.configs[0].parties[i].address.clone()
    }

    /// Takes party `i`'s bound listener (panics the second time).
    pub fn listener(&mut self, i: usize) -> TcpListener {
        self.listeners[i]
            .take()
            .expect("the listener was not taken yet")
    }

    /// Starts party `i`'s node on its listener.
    pub async fn start(&mut self, i: usize) -> Node {
        let l = self.listener(i);
        Node::start_with_listener(self.config(i), l)
            .await
            .unwrap_or_else(|e| panic!("party {i}'s node starts: {e}"))
    }
}

/// A session spec for the K64S64 set (the network ignores the parameters).
pub fn spec(s: &str, n: usize) -> SessionSpec {
    SessionSpec::new(crate::sid(s), ParamsId { k: 64, s: 64 }, n, "test-op")
}

/// The running nodes of one deployment (no clients). Sessions come and go over the nodes'
/// connections.
pub struct Cluster {
    /// Party i's node at index i.
    pub nodes: Vec<Arc<Node>>,
    /// Keys, certificates and configs; removed when the cluster is dropped.
    _deployment: Deployment,
}

impl Cluster {
    /// Starts n party nodes concurrently, each in its own task; every network wait gives up
    /// after `timeout`.
    pub async fn start(n: usize, timeout: Duration) -> Self {
        let mut d = Deployment::with(n, 0, false, timeout).await;
        let mut starting = JoinSet::new();
        for i in 0..n {
            let (config, listener) = (d.config(i), d.listener(i));
            starting.spawn(async move {
                let node = Node::start_with_listener(config, listener)
                    .await
                    .unwrap_or_else(|e| panic!("party {i}'s node starts: {e}"));
                (i, node)
            });
        }
        let mut nodes: Vec<Option<Arc<Node>>> = (0..n).map(|_| None).collect();
        while let Some(joined) = starting.join_next().await {
            let (i, node) = joined.expect("a node's start task did not panic");
            assert_eq!(node.party(), i);
            nodes[i] = Some(Arc::new(node));
        }
        Cluster {
            nodes: nodes
                .into_iter()
                .map(|n| n.expect("every node started"))
                .collect(),
            _deployment: d,
        }
    }

    /// The number of parties.
    pub fn n(&self) -> usize {
        self.nodes.len()
    }

    /// Runs `body(i, transport)` for every party in its own task, on a fresh TLS session
    /// `spec` opened on party i's node; returns the results in party order.
    pub async fn on_sessions<R, F, Fut>(&self, spec: SessionSpec, body: F) -> Vec<R>
    where
        R: Send + 'static,
        F: Fn(usize, TlsSession) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = R> + Send + 'static,
    {
        let n = self.n();
        let body = Arc::new(body);
        let mut tasks = JoinSet::new();
        for (i, node) in self.nodes.iter().enumerate() {
            let (node, body, spec) = (node.clone(), body.clone(), spec.clone());
            tasks.spawn(async move {
                let transport = node
                    .open_session(spec)
                    .await
                    .unwrap_or_else(|e| panic!("party {i} opens the session: {e}"));
                (i, body(i, transport).await)
            });
        }
        let mut out: Vec<Option<R>> = (0..n).map(|_| None).collect();
        while let Some(joined) = tasks.join_next().await {
            let (i, r) = joined.expect("party task did not panic");
            out[i] = Some(r);
        }
        out.into_iter()
            .map(|r| r.expect("every party ran"))
            .collect()
    }

    /// Runs `body` for every party in session `sid` (one task per party: open the TLS
    /// session, start the engine session with INSECURE dealer preprocessing under a fresh key
    /// set from `seed`, run); returns each party's result in party order.
    pub async fn run<P: Params, R: Send + 'static, F, Fut>(
        &self,
        sid: &str,
        seed: u8,
        options: SessionOptions,
        body: F,
    ) -> Vec<Result<R, EngineError>>
    where
        F: Fn(usize, TlsTestSession<P>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<R, EngineError>> + Send + 'static,
    {
        let n = self.n();
        let dealer_seed = fresh_dealer_seed(seed);
        let spec = SessionSpec::new(
            SessionId::new(sid).expect("a valid session ID"),
            P::id(),
            n,
            "tls-test",
        );
        let body = Arc::new(body);
        self.on_sessions(spec, move |i, transport| {
            let (body, options) = (body.clone(), options.clone());
            async move {
                let prep =
                    InsecureDealerSource::<P>::new(i, n, dealer_seed).expect("a valid party index");
                body(i, Session::new(transport, prep, options)?).await
            }
        })
        .await
    }
}
