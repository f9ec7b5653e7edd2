//! Helpers the examples share (not part of the library): starting a throw-away deployment
//! of TLS nodes on free ports, and generating an example's preprocessing securely.

// Each example uses only the helpers it needs.
#![allow(dead_code)]

use spdz2k::layers::pki::{SetupOptions, setup};
use spdz2k::layers::prep::MemoryStore;
use spdz2k::{
    K64S64, Node, NodeConfig, PrepCounts, SECURE_TRIPLE_BATCH, Transport, generate_secure,
};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

/// The examples' error type.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// Generates `counts` securely over `transport` with the OT-based SPDZ2k offline phase and
/// prints what it took; `how` says over what (e.g. " over TLS").
pub async fn generate_prep<T: Transport>(
    transport: &mut T,
    counts: &PrepCounts,
    how: &str,
) -> Result<MemoryStore<K64S64>, Error> {
    let start = Instant::now();
    let prep = generate_secure::<K64S64, _>(transport, counts, SECURE_TRIPLE_BATCH).await?;
    println!(
        "P{}: offline phase{how}: {} triples, {} opening masks, input masks {:?} \
         generated securely; {} bytes sent in {:.2} s",
        transport.party(),
        counts.triples,
        counts.open_masks,
        counts.input_masks,
        transport.stats().bytes_sent,
        start.elapsed().as_secs_f64()
    );
    Ok(prep)
}

/// Writes a deployment of two parties and one client into `dir`, as
/// `spdz2k setup --parties 2 --clients 1` would, and starts both party nodes.
pub async fn start_deployment(dir: &Path) -> Result<(Vec<Arc<Node>>, NodeConfig), Error> {
    let mut options = SetupOptions::new(2, 1, dir);
    options.connection_timeout = Duration::from_secs(10);
    let mut configs = Vec::new();
    for node in setup(&options)? {
        configs.push(NodeConfig::load(&node.config_file)?);
    }
    // `setup` writes fixed ports. So that this example never collides with anything else
    // running, bind port 0 instead and write the ports the OS picked into every config.
    let mut listeners = Vec::new();
    for _ in 0..2 {
        listeners.push(TcpListener::bind("127.0.0.1:0").await?);
    }
    for config in &mut configs {
        for party in &mut config.parties {
            party.address = listeners[party.index].local_addr()?.to_string();
        }
    }
    // `setup` lists P0, P1, then C0.
    let client = configs.pop().ok_or("setup wrote no client")?;
    let mut nodes = Vec::new();
    for (mut config, listener) in configs.into_iter().zip(listeners) {
        config.listen = Some(listener.local_addr()?);
        // A deployment calls `Node::start(config)`, which binds `config.listen` itself.
        nodes.push(Arc::new(Node::start_with_listener(config, listener).await?));
    }
    Ok((nodes, client))
}
