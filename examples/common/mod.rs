//! Helpers the examples share (not part of the library): starting a throw-away deployment
//! of TLS nodes on free ports, and generating an example's preprocessing securely.

// Each example uses only the helpers it needs.
#![allow(dead_code)]

use spdz2k::layers::pki::{SetupOptions, setup};
use spdz2k::layers::prep::MemoryStore;
use spdz2k::{
    K64S64, Node, NodeConfig, Params, Party, PrepCounts, SECURE_TRIPLE_BATCH, Session, SessionId,
    SessionSpec, TlsSession, Transport, generate_secure,
};
use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tempfile::TempDir;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

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

/// The party sessions' preprocessing source in the examples.
pub type Prep = MemoryStore<K64S64>;

/// A throw-away deployment (see [`start_deployment`]) whose party nodes each run one
/// party's side of a fresh session in its own task; the client's side is the example's.
pub struct Running {
    /// The client's config.
    pub client_config: NodeConfig,
    /// The session every node of the computation joins.
    pub sid: SessionId,
    nodes: Vec<Arc<Node>>,
    parties: Vec<JoinHandle<Result<(), Error>>>,
    _dir: TempDir,
}

/// Starts a deployment of two parties and one client and runs `run_party(node, sid)` for
/// every party node, each in its own task (in a deployment: its own process and machine).
pub async fn run_parties<F, Fut>(run_party: F) -> Result<Running, Error>
where
    F: Fn(Arc<Node>, SessionId) -> Fut,
    Fut: Future<Output = Result<(), Error>> + Send + 'static,
{
    let dir = tempfile::tempdir()?;
    let (nodes, client_config) = start_deployment(dir.path()).await?;
    let sid = SessionId::random();
    println!("session {sid}: P0 and P1 over mutual TLS; C0 reachable by P0 only");
    let parties = nodes
        .iter()
        .map(|node| tokio::spawn(run_party(node.clone(), sid.clone())))
        .collect();
    Ok(Running {
        client_config,
        sid,
        nodes,
        parties,
        _dir: dir,
    })
}

impl Running {
    /// Waits for every party's task, then stops the nodes (closes their connections).
    pub async fn finish(self) -> Result<(), Error> {
        for party in self.parties {
            party.await??;
        }
        for node in self.nodes {
            if let Some(node) = Arc::into_inner(node) {
                node.shutdown().await;
            }
        }
        Ok(())
    }
}

/// Opens session `sid` for `operation` on `node` with every other party, generates
/// `counts` securely over it ([`generate_prep`]) and joins the session with that
/// preprocessing.
pub async fn join_with_prep(
    node: &Node,
    sid: &SessionId,
    operation: &str,
    counts: &PrepCounts,
) -> Result<Session<K64S64, TlsSession, Prep>, Error> {
    let n = node.config().parties.len();
    // Opening checks that every party agreed on the session ID, the ring (k, s), the party
    // set and the operation name.
    let spec = SessionSpec::new(sid.clone(), K64S64::id(), n, operation);
    let mut transport = node.open_session(spec).await?;
    let prep = generate_prep(&mut transport, counts, " over TLS").await?;
    Ok(Party::new(prep).join(transport)?)
}

/// Fails unless party `me` consumed all its preprocessing (`available` is what its session
/// has left).
pub fn check_all_used(me: usize, available: PrepCounts) -> Result<(), Error> {
    if available != PrepCounts::uniform(available.input_masks.len(), 0) {
        return Err(format!("P{me}: preprocessing left over: {available:?}").into());
    }
    Ok(())
}
