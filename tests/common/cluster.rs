//! n party nodes on loopback mutual TLS, each started in its own task: listeners bound on
//! port 0, configs written by `spdz2k_pki::setup` into a tempdir and pointed at those
//! ports. Sessions come and go over the nodes' connections.
#![allow(dead_code)]

use spdz2k::Node;
use spdz2k::layers::pki::{NodeConfig, SetupOptions, setup};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

/// The running nodes of one deployment.
pub struct Cluster {
    /// Party i's node at index i.
    pub nodes: Vec<Arc<Node>>,
    /// Keys, certificates and configs; removed when the cluster is dropped.
    _dir: tempfile::TempDir,
}

impl Cluster {
    /// Starts n party nodes (no clients); every network wait gives up after `timeout`.
    pub async fn start(n: usize, timeout: Duration) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut opts = SetupOptions::new(n, 0, dir.path());
        opts.connection_timeout = timeout;
        let written = setup(&opts).unwrap();
        let mut listeners = Vec::new();
        for _ in 0..n {
            listeners.push(TcpListener::bind("127.0.0.1:0").await.unwrap());
        }
        let addrs: Vec<_> = listeners.iter().map(|l| l.local_addr().unwrap()).collect();
        let mut starting = JoinSet::new();
        for (i, (summary, listener)) in written.iter().zip(listeners).enumerate() {
            // The configs say base_port + i; point them at the ports bound above.
            let mut config = NodeConfig::load(&summary.config_file).unwrap();
            config.listen = Some(addrs[i]);
            for p in &mut config.parties {
                p.address = addrs[p.index].to_string();
            }
            starting.spawn(async move {
                let node = Node::start_with_listener(config, listener).await.unwrap();
                (i, node)
            });
        }
        let mut nodes: Vec<Option<Arc<Node>>> = (0..n).map(|_| None).collect();
        while let Some(joined) = starting.join_next().await {
            let (i, node) = joined.unwrap();
            assert_eq!(node.party(), i);
            nodes[i] = Some(Arc::new(node));
        }
        Cluster {
            nodes: nodes.into_iter().map(Option::unwrap).collect(),
            _dir: dir,
        }
    }

    /// The number of parties.
    pub fn n(&self) -> usize {
        self.nodes.len()
    }
}
