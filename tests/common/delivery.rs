//! The loopback TLS deployment shared by the client delivery suites (on the test kit's
//! `Deployment`): P0 and P1 as running nodes (P1 reaches the client only through P0, unless `with_routes(true)`), the client's
//! config, and helpers to run a session of both parties and a client.
#![allow(dead_code)]

use ed25519_dalek::VerifyingKey;
use spdz2k::layers::client::{ClientError, ClientOutputs, ClientSession};
use spdz2k::layers::net::ClientNode;
use spdz2k::layers::output::{ClientId, RunId};
use spdz2k::layers::pki::Route;
use spdz2k::{
    ClientPort, DeliveryError, InsecureDealerSource, Node, NodeConfig, Params, Party, RemoteClient,
    Session, SessionId, SessionSpec, TlsSession,
};
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// `connection_timeout_secs` in every config: the bound on each network wait.
pub const NET_TIMEOUT: Duration = Duration::from_secs(10);
/// The bound on a whole session (parties and client together).
pub const TEST_BOUND: Duration = Duration::from_secs(120);
/// INSECURE shared dealer seed: test preprocessing only.
pub const SEED: [u8; 32] = [42; 32];
/// The client every party config lists (P0 direct, P1 via P0).
pub const CLIENT: &str = "C0";
/// The large case of the issue.
pub const LARGE: usize = 100_000;

pub type Sess<P> = Session<P, TlsSession, InsecureDealerSource<P>>;

/// A throw-away deployment of P0, P1 and C0 with both nodes running.
pub struct Deployment {
    pub _dir: tempfile::TempDir,
    pub parties: Vec<NodeConfig>,
    pub client: NodeConfig,
    pub nodes: Vec<Node>,
}

impl Deployment {
    /// The topology under test: P1 reaches the client only through P0.
    pub async fn new() -> Self {
        Self::with_routes(false).await
    }

    /// `direct`: every party reaches the client over its own connection.
    pub async fn with_routes(direct: bool) -> Self {
        let mut d = spdz2k_testkit::Deployment::with(2, 1, direct, NET_TIMEOUT).await;
        let nodes = vec![d.start(0).await, d.start(1).await];
        let client = d.config(2);
        assert_eq!(client.name, CLIENT);
        Deployment {
            parties: vec![d.config(0), d.config(1)],
            client,
            nodes,
            _dir: d.dir,
        }
    }

    /// Stops both nodes and starts them again from the same configs (same keys and
    /// addresses), as an operator restarting the parties would: a node remembers the
    /// sessions it closed, so a second run under one session ID needs fresh nodes.
    pub async fn restart(&mut self) {
        for node in self.nodes.drain(..) {
            node.shutdown().await;
        }
        for cfg in &self.parties {
            self.nodes.push(Node::start(cfg.clone()).await.unwrap());
        }
    }

    pub fn party_keys(&self) -> Vec<VerifyingKey> {
        self.client
            .parties
            .iter()
            .map(|p| VerifyingKey::from_bytes(&p.public_key.0).unwrap())
            .collect()
    }
}

/// The run ID a party announces to the client at the start of client I/O.
pub fn run_id(bytes: Vec<u8>) -> RunId {
    RunId(bytes.try_into().expect("a 32-byte run ID"))
}

/// The dealer seed of session `sid`: each session deals under its own key set, since a
/// session whose MAC check fails retires its key set for the rest of the process.
pub fn seed_for(sid: &SessionId) -> [u8; 32] {
    let mut seed = SEED;
    for (i, b) in sid.as_str().bytes().enumerate() {
        seed[i % 32] ^= b;
    }
    seed
}

/// One party's whole session: open it over TLS, open the client port (P0 with its direct
/// client connection, P1 through P0), run `program`, finish.
pub async fn run_party<P: Params, R>(
    node: &Node,
    sid: &SessionId,
    program: &impl AsyncFn(&mut Sess<P>, &mut ClientPort) -> Result<R, DeliveryError>,
) -> Result<R, DeliveryError> {
    let config = node.config().clone();
    let me = node.party();
    let identity = config.load_identity()?;
    let spec = SessionSpec::new(sid.clone(), P::id(), 2, "client-delivery-test");
    let transport = node.open_session(spec).await?;
    let prep = InsecureDealerSource::<P>::new(me, 2, seed_for(sid)).unwrap();
    let mut s = Party::new(prep).join(transport)?;
    let channel = match config.client(CLIENT).unwrap().route {
        Route::Direct => Some(node.client_channel(sid, CLIENT).await?),
        Route::Via(_) => None,
    };
    let mut port = ClientPort::open(&mut s, &config, identity.signing_key, CLIENT, channel).await?;
    let r = program(&mut s, &mut port).await?;
    s.finish().await?;
    Ok(r)
}

/// Runs P0, P1 (both running `program`) and `client` concurrently in one session.
pub async fn run_session<P: Params, R, C: Future>(
    d: &Deployment,
    sid: &SessionId,
    program: impl AsyncFn(&mut Sess<P>, &mut ClientPort) -> Result<R, DeliveryError>,
    client: C,
) -> ([Result<R, DeliveryError>; 2], C::Output) {
    let all = async {
        tokio::join!(
            run_party(&d.nodes[0], sid, &program),
            run_party(&d.nodes[1], sid, &program),
            client
        )
    };
    let (r0, r1, c) = tokio::time::timeout(TEST_BOUND, all)
        .await
        .expect("the session ended within the test bound");
    ([r0, r1], c)
}

/// A client that receives the outputs of `labels`, in order.
pub async fn receive(
    d: &Deployment,
    sid: &SessionId,
    labels: &[&str],
) -> Result<Vec<ClientOutputs>, DeliveryError> {
    let mut c = RemoteClient::connect(d.client.clone(), sid).await?;
    let mut outs = Vec::new();
    for label in labels {
        outs.push(c.receive_outputs(label).await?);
    }
    Ok(outs)
}

/// Asserts both parties finished without error.
pub fn assert_parties_ok<R: std::fmt::Debug>(results: [Result<R, DeliveryError>; 2]) -> [R; 2] {
    results.map(|r| r.unwrap_or_else(|e| panic!("a party failed: {e}")))
}

/// The client's refusal: a [`ClientError`] whose message starts with the check's name and
/// names the session.
pub fn client_refusal<T: std::fmt::Debug>(
    r: Result<T, DeliveryError>,
    check: &str,
    sid: &SessionId,
) -> ClientError {
    let err = r.expect_err("the client must refuse the delivery");
    let DeliveryError::Client(e) = err else {
        panic!("expected a refusal by the client's checks, got: {err}");
    };
    let msg = e.to_string();
    assert!(msg.starts_with(check), "expected {check:?}, got: {msg}");
    assert!(
        msg.contains(sid.as_str()),
        "message lacks the session: {msg}"
    );
    *e
}

/// P0 in a session with a forwarding tamper: calls `tamper` on each of P1's envelopes.
pub fn set_tamper_on_proxy(
    s: &Sess<impl Params>,
    port: &mut ClientPort,
    mut tamper: impl FnMut(&mut Vec<u8>) + Send + 'static,
) {
    set_batch_tamper_on_proxy(s, port, move |batch: &mut Vec<Vec<u8>>| {
        // Entry 0 is P0's own envelope; the forwarded ones follow.
        batch.iter_mut().skip(1).for_each(&mut tamper)
    });
}

/// P0 in a session with a tamper over the whole batch it sends to the client.
pub fn set_batch_tamper_on_proxy(
    s: &Sess<impl Params>,
    port: &mut ClientPort,
    tamper: impl FnMut(&mut Vec<Vec<u8>>) + Send + 'static,
) {
    if s.party() == 0 {
        port.set_forward_tamper(Box::new(tamper));
    }
}

/// Envelopes P0 forwarded so far, recorded by a tamper that changes nothing.
pub type Recorded = Arc<Mutex<Vec<Vec<u8>>>>;

pub fn recorder(rec: &Recorded) -> impl FnMut(&mut Vec<u8>) + Send + 'static {
    let rec = rec.clone();
    move |env: &mut Vec<u8>| rec.lock().unwrap().push(env.clone())
}

/// A client that speaks the wire protocol itself (to misbehave): connected to P0 only.
pub async fn raw_client(d: &Deployment, sid: &SessionId) -> (ClientNode, ClientSession) {
    let node = ClientNode::connect(d.client.clone(), sid).await.unwrap();
    let identity = d.client.load_identity().unwrap();
    let session = ClientSession::new(
        sid.clone(),
        ClientId::new(CLIENT).unwrap(),
        identity.signing_key,
        d.party_keys(),
    );
    (node, session)
}
