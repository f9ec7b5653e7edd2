//! Client I/O over real routes: registration, proxied or direct output delivery, and
//! client input (DESIGN.md section 3).
//!
//! Every party seals and signs its bundle as an envelope whatever its route; the route only
//! decides who carries the bytes. A party routed `via P_j` hands its envelope to P_j over
//! the session; P_j verifies the signature (to blame the sender early) and forwards it
//! byte for byte next to its own, in one batch per delivery. The client verifies every
//! signature and header, decrypts, and checks w = x^ * b for every value, so the proxy can
//! neither read, alter, replay nor silently drop anything.

use crate::{EngineError, Secret, Session};
use ed25519_dalek::{SigningKey, VerifyingKey};
use spdz2k_client::{ClientError, ClientOutputs, ClientSession};
use spdz2k_core::SessionId;
use spdz2k_net::{ClientNode, NetError, PeerChannel, Transport};
use spdz2k_output::{
    ClientId, ClientInput, ClientRegistry, Delivery, EnvelopeError, InputTripleBundle, Label,
    OutputBundle, Registration, RunId, check_forwarded_envelope, seal_input_triples,
    seal_output_bundle,
};
use spdz2k_pki::{NodeConfig, PkiError, Route};
use spdz2k_prep::Preprocessing;
use spdz2k_ring::Params;
use std::collections::HashMap;

/// A failure of client I/O, naming the party, the session and what to check.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// The online engine failed or aborted (no value was released).
    #[error(transparent)]
    Engine(Box<EngineError>),
    /// The network failed.
    #[error(transparent)]
    Net(Box<NetError>),
    /// Keys or configuration could not be loaded.
    #[error(transparent)]
    Pki(Box<PkiError>),
    /// A party's envelope failed verification at the proxy.
    #[error("party {party}: session {session}: envelope from party {from} refused: {source}")]
    Envelope {
        /// This party.
        party: usize,
        /// The session.
        session: SessionId,
        /// The sender.
        from: usize,
        /// Why.
        source: EnvelopeError,
    },
    /// The client's registration or input was refused.
    #[error("party {party}: session {session}: client {client}: {detail}")]
    ClientMessage {
        /// This party.
        party: usize,
        /// The session.
        session: SessionId,
        /// The client.
        client: String,
        /// Why.
        detail: String,
    },
    /// The client refused what the parties delivered.
    #[error(transparent)]
    Client(Box<ClientError>),
    /// The configuration does not describe a usable route.
    #[error("{0}")]
    Config(String),
}

/// What a party sends the client (through its proxy, if routed) once it has verified and
/// registered the client's session key; the client reports "registered" only after every
/// directly connected party has confirmed for itself and the parties it serves.
pub const REGISTRATION_CONFIRMED: &[u8] = b"spdz2k registration confirmed v1";

/// Frames several envelopes as one message: u32 count, then u64 length + bytes each.
pub fn encode_batch(items: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(4 + items.iter().map(|i| 8 + i.len()).sum::<usize>());
    out.extend_from_slice(&(items.len() as u32).to_le_bytes());
    for i in items {
        out.extend_from_slice(&(i.len() as u64).to_le_bytes());
        out.extend_from_slice(i);
    }
    out
}

/// Splits a batch made by [`encode_batch`]; `None` if it is malformed.
pub fn decode_batch(bytes: &[u8]) -> Option<Vec<Vec<u8>>> {
    let (count, mut rest) = bytes.split_first_chunk::<4>()?;
    let count = u32::from_le_bytes(*count) as usize;
    // Every item takes at least its 8-byte length: the count cannot size more than the input.
    let mut out = Vec::with_capacity(count.min(rest.len() / 8));
    for _ in 0..count {
        let (len, r) = rest.split_first_chunk::<8>()?;
        let len = usize::try_from(u64::from_le_bytes(*len)).ok()?;
        if r.len() < len {
            return None;
        }
        out.push(r[..len].to_vec());
        rest = &r[len..];
    }
    rest.is_empty().then_some(out)
}

fn verifying_key(pk: &spdz2k_pki::PublicKey, what: &str) -> Result<VerifyingKey, DeliveryError> {
    VerifyingKey::from_bytes(&pk.0).map_err(|_| {
        DeliveryError::Config(format!(
            "{what}: pinned public key is not a valid Ed25519 key"
        ))
    })
}

/// Every party's pinned identity key from a config, indexed by party.
fn pinned_party_keys(config: &NodeConfig) -> Result<Vec<VerifyingKey>, DeliveryError> {
    config
        .parties
        .iter()
        .map(|p| verifying_key(&p.public_key, &format!("P{}", p.index)))
        .collect()
}

/// Alters the batch a proxy sends to the client (adversarial tests and `demo --tamper`; the
/// `tamper-hooks` feature):
/// entry 0 is the proxy's own envelope, then the forwarded ones in party order. It may
/// change, reorder, replace or drop envelopes.
#[cfg(feature = "tamper-hooks")]
pub type ForwardTamper = Box<dyn FnMut(&mut Vec<Vec<u8>>) + Send>;

/// Alters a message from the client (registration or input) that a proxy receives, before
/// it uses it and forwards it (adversarial tests only): `what` names the message.
#[cfg(feature = "tamper-hooks")]
pub type ClientMessageTamper = Box<dyn FnMut(&'static str, &mut Vec<u8>) + Send>;

/// A party's end of one client's I/O in one session.
pub struct ClientPort {
    me: usize,
    session: SessionId,
    client: ClientId,
    client_key: VerifyingKey,
    party_keys: Vec<VerifyingKey>,
    /// routes[p]: how party p reaches the client (learned from every party at `open`).
    routes: Vec<Route>,
    channel: Option<PeerChannel>,
    registry: ClientRegistry,
    identity: SigningKey,
    seq: HashMap<String, u64>,
    /// This run's ID, from every party's fresh contribution: the client signs it into its
    /// registration and inputs, so nothing recorded in another run is accepted.
    run: RunId,
    #[cfg(feature = "tamper-hooks")]
    tamper: Option<ForwardTamper>,
    #[cfg(feature = "tamper-hooks")]
    client_tamper: Option<ClientMessageTamper>,
}

impl ClientPort {
    /// Opens client I/O for `client` in this session: every party announces its route and a
    /// fresh 32-byte contribution to the run ID, the parties with a direct route send the
    /// run ID to the client, and the client's registration for this run arrives (directly,
    /// or forwarded by the proxy) and is verified against the pinned client key. `channel`
    /// is this party's connection to the client when its route is direct.
    pub async fn open<P: Params, T: Transport, Pr: Preprocessing<P>>(
        session: &mut Session<P, T, Pr>,
        config: &NodeConfig,
        identity: SigningKey,
        client: &str,
        channel: Option<PeerChannel>,
    ) -> Result<Self, DeliveryError> {
        let me = session.party();
        let sid = session.session_id().clone();
        let entry = config.client(client).ok_or_else(|| {
            DeliveryError::Config(format!(
                "party {me}: session {sid}: no client {client:?} in {}; add a [[clients]] entry (spdz2k setup writes one)",
                config.path.display()
            ))
        })?;
        let client_key = verifying_key(&entry.public_key, client)?;
        let party_keys = pinned_party_keys(config)?;
        if matches!(entry.route, Route::Direct) != channel.is_some() {
            return Err(DeliveryError::Config(format!(
                "party {me}: session {sid}: route to {client} is {} but a client connection was{} given",
                entry.route,
                if channel.is_some() { "" } else { " not" }
            )));
        }
        // Every party tells every other how it reaches the client, with its fresh
        // contribution to the run ID.
        let route = match entry.route {
            Route::Direct => u64::MAX,
            Route::Via(p) => p as u64,
        };
        let contribution = spdz2k_core::rng::fresh_bytes();
        let mut mine = route.to_le_bytes().to_vec();
        mine.extend_from_slice(&contribution);
        let n = session.n_parties();
        for p in (0..n).filter(|&p| p != me) {
            session.send_bytes(p, "client routes", mine.clone()).await?;
        }
        let mut routes = vec![entry.route; n];
        let mut contributions = vec![contribution; n];
        for (p, route) in routes.iter_mut().enumerate().filter(|(p, _)| *p != me) {
            let b = session.recv_bytes(p, "client routes").await?;
            let malformed = || {
                DeliveryError::Config(format!(
                    "party {me}: session {sid}: malformed route from party {p}"
                ))
            };
            let (v, c) = b.split_first_chunk::<8>().ok_or_else(malformed)?;
            contributions[p] = c.try_into().map_err(|_| malformed())?;
            let v = u64::from_le_bytes(*v);
            *route = if v == u64::MAX {
                Route::Direct
            } else {
                Route::Via(v as usize)
            };
        }
        for (p, r) in routes.iter().enumerate() {
            if let Route::Via(q) = r
                && (*q >= n || routes[*q] != Route::Direct)
            {
                return Err(DeliveryError::Config(format!(
                    "session {sid}: party {p} routes to {client} via P{q}, which has no direct route; \
                     give P{q} `route = \"direct\"` for {client} or change P{p}'s route"
                )));
            }
        }
        let client_id = ClientId::new(client)
            .map_err(|e| DeliveryError::Config(format!("client name {client:?}: {e}")))?;
        let run = RunId::derive(&sid, &contributions);
        let mut channel = channel;
        if let Some(ch) = channel.as_mut() {
            ch.send(run.0.to_vec())?;
        }
        let mut port = Self {
            me,
            session: sid,
            client: client_id,
            client_key,
            party_keys,
            routes,
            channel,
            registry: ClientRegistry::new(),
            identity,
            seq: HashMap::new(),
            run,
            #[cfg(feature = "tamper-hooks")]
            tamper: None,
            #[cfg(feature = "tamper-hooks")]
            client_tamper: None,
        };
        port.register(session).await?;
        Ok(port)
    }

    /// Makes this party alter every batch it carries to the client (adversarial tests only).
    #[cfg(feature = "tamper-hooks")]
    pub fn set_forward_tamper(&mut self, f: ForwardTamper) {
        self.tamper = Some(f);
    }

    /// Makes this party alter every message it receives from the client before using and
    /// forwarding it (adversarial tests only).
    #[cfg(feature = "tamper-hooks")]
    pub fn set_client_message_tamper(&mut self, f: ClientMessageTamper) {
        self.client_tamper = Some(f);
    }

    /// This run's ID (see [`RunId`]).
    pub fn run_id(&self) -> &RunId {
        &self.run
    }

    /// Parties whose envelopes this party carries.
    fn dependents(&self) -> Vec<usize> {
        (0..self.routes.len())
            .filter(|&p| self.routes[p] == Route::Via(self.me))
            .collect()
    }

    fn client_err(&self, detail: impl Into<String>) -> DeliveryError {
        DeliveryError::ClientMessage {
            party: self.me,
            session: self.session.clone(),
            client: self.client.as_str().to_owned(),
            detail: detail.into(),
        }
    }

    /// Receives a message from the client: over our own connection, or forwarded by our
    /// proxy. A direct party forwards it to the parties it serves.
    async fn receive_from_client<P: Params, T: Transport, Pr: Preprocessing<P>>(
        &mut self,
        session: &mut Session<P, T, Pr>,
        what: &'static str,
    ) -> Result<Vec<u8>, DeliveryError> {
        let bytes = match (self.routes[self.me], self.channel.as_mut()) {
            (Route::Direct, Some(ch)) => {
                ch.set_phase(what);
                ch.recv().await?
            }
            (Route::Via(proxy), _) => session.recv_bytes(proxy, what).await?,
            (Route::Direct, None) => {
                return Err(self.client_err("direct route without a connection"));
            }
        };
        #[cfg(feature = "tamper-hooks")]
        let bytes = {
            let mut bytes = bytes;
            if let Some(t) = self.client_tamper.as_mut() {
                t(what, &mut bytes);
            }
            bytes
        };
        for p in self.dependents() {
            session.send_bytes(p, what, bytes.clone()).await?;
        }
        Ok(bytes)
    }

    async fn register<P: Params, T: Transport, Pr: Preprocessing<P>>(
        &mut self,
        session: &mut Session<P, T, Pr>,
    ) -> Result<(), DeliveryError> {
        let bytes = self
            .receive_from_client(session, "client registration")
            .await?;
        let verified = Registration::verify(
            &bytes,
            &self.client,
            &self.client_key,
            &self.session,
            &self.run,
        )
        .map_err(|e| self.client_err(format!("registration refused: {e}")))?;
        self.registry
            .register(&verified)
            .map_err(|e| self.client_err(e.to_string()))?;
        // The registry logs `client public key for session <sid> registered`. Confirm it:
        // a proxy waits for the parties it serves, then tells the client.
        const WHAT: &str = "client registration confirmation";
        match self.routes[self.me] {
            Route::Via(proxy) => {
                session
                    .send_bytes(proxy, WHAT, REGISTRATION_CONFIRMED.to_vec())
                    .await?
            }
            Route::Direct => {
                for p in self.dependents() {
                    if session.recv_bytes(p, WHAT).await? != REGISTRATION_CONFIRMED {
                        return Err(self.client_err(format!(
                            "party {p} sent something else than its registration confirmation"
                        )));
                    }
                }
                if let Some(ch) = self.channel.as_mut() {
                    ch.send(REGISTRATION_CONFIRMED.to_vec())?;
                }
            }
        }
        Ok(())
    }

    /// Ends client I/O cleanly: on a direct route, the closing handshake with the client
    /// (it returns once the client has everything this party sent it). Call it before
    /// `Session::finish`, so that the parties routed through this one finish only after
    /// the client has their envelopes too.
    pub async fn close(&mut self) -> Result<(), DeliveryError> {
        if let Some(ch) = self.channel.as_mut() {
            ch.close().await?;
        }
        Ok(())
    }

    fn next_delivery(&mut self, label: &Label) -> Delivery {
        let seq = self.seq.entry(label.as_str().to_owned()).or_insert(0);
        let d = Delivery {
            session: self.session.clone(),
            label: label.clone(),
            client: self.client.clone(),
            sender: self.me,
            seq: *seq,
        };
        *seq += 1;
        d
    }

    /// Carries this party's envelope to the client: to the proxy, or (direct) together with
    /// every envelope forwarded by the parties this one serves, each verified first.
    async fn carry<P: Params, T: Transport, Pr: Preprocessing<P>>(
        &mut self,
        session: &mut Session<P, T, Pr>,
        own: Vec<u8>,
        what: &'static str,
    ) -> Result<(), DeliveryError> {
        match self.routes[self.me] {
            Route::Via(proxy) => Ok(session.send_bytes(proxy, what, own).await?),
            Route::Direct => {
                let mut batch = vec![own];
                for p in self.dependents() {
                    let env = session.recv_bytes(p, what).await?;
                    check_forwarded_envelope(&env, p, &self.party_keys[p], &self.session).map_err(
                        |source| DeliveryError::Envelope {
                            party: self.me,
                            session: self.session.clone(),
                            from: p,
                            source,
                        },
                    )?;
                    batch.push(env);
                }
                #[cfg(feature = "tamper-hooks")]
                if let Some(t) = self.tamper.as_mut() {
                    t(&mut batch);
                }
                let ch = self.channel.as_mut().ok_or_else(|| {
                    DeliveryError::Config("direct route without a connection".into())
                })?;
                ch.set_phase(what);
                ch.send(encode_batch(&batch))?;
                Ok(())
            }
        }
    }

    fn hpke_key(&self) -> Result<&spdz2k_output::HpkePublicKey, DeliveryError> {
        self.registry
            .hpke_key(&self.session, &self.client)
            .map_err(|e| self.client_err(e.to_string()))
    }

    /// Delivers `x` to the client under `label`: the output step and MAC check run first,
    /// then every party's sealed bundle travels along its route.
    pub async fn deliver<P: Params, T: Transport, Pr: Preprocessing<P>>(
        &mut self,
        session: &mut Session<P, T, Pr>,
        label: &str,
        x: &Secret<P>,
    ) -> Result<(), DeliveryError> {
        let label =
            Label::new(label).map_err(|e| self.client_err(format!("label {label:?}: {e}")))?;
        // Fail before any protocol work if the client never registered.
        self.hpke_key()?;
        let shares = session.prepare_client_output(x).await?;
        let bundle = OutputBundle::<P> {
            x_hat: shares.x_hat,
            b: shares.b,
            w: shares.w,
        };
        let delivery = self.next_delivery(&label);
        let mut rng = spdz2k_core::rng::secure_rng();
        let env = seal_output_bundle(
            &delivery,
            &bundle,
            self.hpke_key()?,
            &self.identity,
            &mut rng,
        )
        .map_err(|e| self.client_err(format!("sealing failed: {e}")))?;
        self.carry(session, env, "client output").await
    }

    /// Receives `len` input values from the client under `label`.
    pub async fn receive_input<P: Params, T: Transport, Pr: Preprocessing<P>>(
        &mut self,
        session: &mut Session<P, T, Pr>,
        label: &str,
        len: usize,
    ) -> Result<Secret<P>, DeliveryError> {
        let label =
            Label::new(label).map_err(|e| self.client_err(format!("label {label:?}: {e}")))?;
        self.hpke_key()?;
        let mask = session.client_input_mask(len).await?;
        let t = mask.triples();
        let bundle = InputTripleBundle::<P> {
            a: t.a.values().to_vec(),
            b: t.b.values().to_vec(),
            c: t.c.values().to_vec(),
        };
        let delivery = self.next_delivery(&label);
        let seq = delivery.seq;
        let mut rng = spdz2k_core::rng::secure_rng();
        let env = seal_input_triples(
            &delivery,
            &bundle,
            self.hpke_key()?,
            &self.identity,
            &mut rng,
        )
        .map_err(|e| self.client_err(format!("sealing failed: {e}")))?;
        self.carry(session, env, "client input masks").await?;
        let bytes = self.receive_from_client(session, "client input").await?;
        // Signed by the client, for this session and this run, answering exactly this
        // delivery: nothing replayed from another run or reordered within this one.
        let input = ClientInput::verify(
            &bytes,
            &self.client,
            &self.client_key,
            &self.session,
            &self.run,
        )
        .and_then(|input| input.check_delivery(&label, seq).map(|()| input))
        .map_err(|e| self.client_err(format!("input refused: {e}")))?;
        let y = input
            .values::<P>()
            .map_err(|e| self.client_err(format!("input refused: {e}")))?;
        Ok(session.client_input(mask, &y, input.digest()).await?)
    }
}

/// A client connected to the parties it has a direct route to.
pub struct RemoteClient {
    node: ClientNode,
    inner: ClientSession,
    direct: Vec<usize>,
}

impl RemoteClient {
    /// Connects (within the configured timeout) and registers this session's HPKE key with
    /// every party, through the routes in `config`.
    pub async fn connect(config: NodeConfig, session: &SessionId) -> Result<Self, DeliveryError> {
        let identity = config.load_identity()?;
        let party_keys = pinned_party_keys(&config)?;
        let client = ClientId::new(config.name.clone())
            .map_err(|e| DeliveryError::Config(format!("client name {:?}: {e}", config.name)))?;
        let params = config.params;
        let node = ClientNode::connect(config, session).await?;
        let mut inner =
            ClientSession::new(session.clone(), client, identity.signing_key, party_keys);
        inner.expect_params(params);
        let direct = node.parties();
        let mut client = Self {
            node,
            inner,
            direct,
        };
        let run = match client.receive_run_id().await {
            Ok(run) => run,
            Err(e) => return Err(client.abort(e).await),
        };
        let registration = client.inner.registration(run);
        let confirmed = async {
            client.send_to_direct_parties(&registration)?;
            for &p in &client.direct {
                let ch = client
                    .node
                    .channel(p)
                    .ok_or_else(|| DeliveryError::Config(format!("no connection to P{p}")))?;
                ch.set_phase("registration");
                if ch.recv().await? != REGISTRATION_CONFIRMED {
                    return Err(DeliveryError::Config(format!(
                        "P{p} did not confirm the registration of this session's key"
                    )));
                }
            }
            Ok(())
        }
        .await;
        match confirmed {
            Ok(()) => Ok(client),
            Err(e) => Err(client.abort(e).await),
        }
    }

    /// Ends the session cleanly: the closing handshake with every directly connected party
    /// (each has everything this client sent), then the connections close.
    pub async fn close(mut self) -> Result<(), DeliveryError> {
        for p in self.direct.clone() {
            if let Some(ch) = self.node.channel(p)
                && let Err(e) = ch.close().await
            {
                return Err(self.abort(e.into()).await);
            }
        }
        self.node.shutdown().await;
        Ok(())
    }

    /// Tells every directly connected party this client abandons the session because of
    /// `err` (so that they name the same cause), closes the connections and returns `err`.
    pub async fn abort(mut self, err: DeliveryError) -> DeliveryError {
        let kind = match &err {
            DeliveryError::Net(e) => e.abort_kind(),
            _ => spdz2k_net::AbortKind::Client,
        };
        self.node.abort(kind, &err.to_string());
        self.node.shutdown().await;
        err
    }

    /// The run ID every directly connected party announces; they must agree.
    async fn receive_run_id(&mut self) -> Result<RunId, DeliveryError> {
        let mut run: Option<(usize, RunId)> = None;
        for &p in &self.direct {
            let ch = self
                .node
                .channel(p)
                .ok_or_else(|| DeliveryError::Config(format!("no connection to P{p}")))?;
            let bytes = ch.recv().await?;
            let got = RunId(bytes.as_slice().try_into().map_err(|_| {
                DeliveryError::Config(format!(
                    "P{p} sent a malformed run ID ({} bytes, 32 expected)",
                    bytes.len()
                ))
            })?);
            match run {
                None => run = Some((p, got)),
                Some((q, first)) if !first.matches(&got) => {
                    return Err(DeliveryError::Config(format!(
                        "P{q} and P{p} announced different run IDs ({first} and {got}) for \
                         session {}; a party is misconfigured or cheating",
                        self.inner.session()
                    )));
                }
                Some(_) => {}
            }
        }
        run.map(|(_, r)| r)
            .ok_or_else(|| DeliveryError::Config("no direct connection to any party".into()))
    }

    /// Sends `msg` to every party this client has a connection to; the routes carry it on.
    fn send_to_direct_parties(&mut self, msg: &[u8]) -> Result<(), DeliveryError> {
        for &p in &self.direct {
            if let Some(ch) = self.node.channel(p) {
                ch.send(msg.to_vec())?;
            }
        }
        Ok(())
    }

    async fn receive_batches(
        &mut self,
        phase: &'static str,
    ) -> Result<Vec<Vec<u8>>, DeliveryError> {
        let mut envelopes = Vec::new();
        for &p in &self.direct {
            let ch = self
                .node
                .channel(p)
                .ok_or_else(|| DeliveryError::Config(format!("no connection to P{p}")))?;
            ch.set_phase(phase);
            let bytes = ch.recv().await?;
            let batch = decode_batch(&bytes).ok_or_else(|| {
                DeliveryError::Config(format!("P{p} sent a malformed delivery batch"))
            })?;
            envelopes.extend(batch);
        }
        Ok(envelopes)
    }

    /// Receives, verifies, decrypts and checks one output delivery.
    pub async fn receive_outputs(&mut self, label: &str) -> Result<ClientOutputs, DeliveryError> {
        let envelopes = self.receive_batches("outputs").await?;
        Ok(self.inner.receive_outputs(label, &envelopes)?)
    }

    /// Gives `values` as input under `label`: receives and checks the parties' triples, then
    /// sends the signed, masked values to every party (through the routes).
    pub async fn send_input(&mut self, label: &str, values: &[i128]) -> Result<(), DeliveryError> {
        let envelopes = self.receive_batches("input").await?;
        let mask = self.inner.receive_input_triples(label, &envelopes)?;
        let msg = self.inner.input_message(mask, values)?;
        self.send_to_direct_parties(&msg)
    }

    /// The underlying verification session.
    pub fn verifier(&self) -> &ClientSession {
        &self.inner
    }
}

impl From<NetError> for DeliveryError {
    fn from(e: NetError) -> Self {
        DeliveryError::Net(Box::new(e))
    }
}

impl From<EngineError> for DeliveryError {
    fn from(e: EngineError) -> Self {
        DeliveryError::Engine(Box::new(e))
    }
}

impl From<PkiError> for DeliveryError {
    fn from(e: PkiError) -> Self {
        DeliveryError::Pki(Box::new(e))
    }
}

impl From<ClientError> for DeliveryError {
    fn from(e: ClientError) -> Self {
        DeliveryError::Client(Box::new(e))
    }
}
