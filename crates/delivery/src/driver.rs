//! The async driver of the sans-IO client I/O protocol: [`ClientPort`] moves a
//! [`PortMachine`]'s messages over an engine session and the party's channel to the
//! client, [`RemoteClient`] moves a [`ClientMachine`]'s over a [`ClientNode`]. Neither
//! holds protocol logic: what to send, when, and every check is the machines'.

use crate::{ClientMachine, ClientStep, DeliveryError, PortMachine, Step};
use ed25519_dalek::SigningKey;
use spdz2k_client::ClientOutputs;
use spdz2k_core::SessionId;
use spdz2k_engine::{Secret, Session};
use spdz2k_net::{ClientNode, Node, PeerChannel, Transport};
use spdz2k_pki::{NodeConfig, Route};
use spdz2k_prep::Preprocessing;
use spdz2k_ring::Params;

/// A party's end of one client's I/O in one session: a [`PortMachine`] (its methods are
/// reachable through `Deref`) and this party's connection to the client, if direct.
pub struct ClientPort {
    m: PortMachine,
    channel: Option<PeerChannel>,
}

impl std::fmt::Debug for ClientPort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientPort")
            .field("machine", &self.m)
            .field("channel", &self.channel)
            .finish()
    }
}

impl ClientPort {
    /// Opens client I/O for `client`: every party announces its route and a contribution
    /// to the run ID, the direct parties send the run ID to the client, and its
    /// registration is verified (see [`PortMachine::open`]). `channel` is this party's
    /// connection to the client when its route is direct.
    pub async fn open<P: Params, T: Transport, Pr: Preprocessing<P>>(
        s: &mut Session<P, T, Pr>,
        config: &NodeConfig,
        identity: SigningKey,
        client: &str,
        channel: Option<PeerChannel>,
    ) -> Result<Self, DeliveryError> {
        let (me, n, sid) = (s.party(), s.n_parties(), s.session_id().clone());
        let m = PortMachine::open(me, n, sid, config, identity, client, channel.is_some())?;
        let mut port = Self { m, channel };
        port.run(s).await?;
        Ok(port)
    }

    /// [`ClientPort::open`] with its arguments taken from this party's running `node`: the
    /// node's config and identity, and, when the config gives this party a direct route to
    /// `client`, the node's connection to it (waiting up to the connection timeout for the
    /// client to connect). A party routed through another party passes no channel.
    ///
    /// ```no_run
    /// # use spdz2k_delivery::ClientPort;
    /// # use spdz2k_engine::Session;
    /// # use spdz2k_net::{Node, TlsSession};
    /// # use spdz2k_prep::MemoryStore;
    /// # use spdz2k_ring::K64S64;
    /// # async fn run(
    /// #     node: &Node,
    /// #     mut s: Session<K64S64, TlsSession, MemoryStore<K64S64>>,
    /// # ) -> Result<(), Box<dyn std::error::Error>> {
    /// let mut port = ClientPort::open_on_node(&mut s, node, "C0").await?;
    /// let x = port.receive_input(&mut s, "x", 3).await?;
    /// let y = s.mul(&x, &x).await?;
    /// port.deliver(&mut s, "x squared", &y).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn open_on_node<P: Params, T: Transport, Pr: Preprocessing<P>>(
        s: &mut Session<P, T, Pr>,
        node: &Node,
        client: &str,
    ) -> Result<Self, DeliveryError> {
        let config = node.config();
        let channel = match config.client(client).map(|c| c.route) {
            Some(Route::Direct) => Some(node.client_channel(s.session_id(), client).await?),
            _ => None,
        };
        let identity = config.load_identity()?;
        Self::open(s, config, identity.signing_key, client, channel).await
    }

    /// Ends client I/O: on a direct route, the closing handshake with the client. Call it
    /// before `Session::finish`, so the parties routed through this one finish after the
    /// client has their envelopes too.
    pub async fn close(&mut self) -> Result<(), DeliveryError> {
        if let Some(ch) = self.channel.as_mut() {
            ch.close().await?;
        }
        Ok(())
    }

    /// Delivers `x` to the client under `label`: the output step and MAC check run first,
    /// then every party's sealed bundle travels along its route.
    pub async fn deliver<P: Params, T: Transport, Pr: Preprocessing<P>>(
        &mut self,
        s: &mut Session<P, T, Pr>,
        label: &str,
        x: &Secret<P>,
    ) -> Result<(), DeliveryError> {
        let label = self.m.begin(label)?;
        let shares = s.prepare_client_output(x).await?;
        self.m.deliver(label, shares)?;
        self.run(s).await
    }

    /// Receives `len` input values from the client under `label`.
    pub async fn receive_input<P: Params, T: Transport, Pr: Preprocessing<P>>(
        &mut self,
        s: &mut Session<P, T, Pr>,
        label: &str,
        len: usize,
    ) -> Result<Secret<P>, DeliveryError> {
        let label = self.m.begin(label)?;
        let mask = s.client_input_mask(len).await?;
        self.m.request_input(label, &mask)?;
        self.run(s).await?;
        let (y, digest) = self.m.take_input::<P>()?;
        Ok(s.client_input(mask, &y, digest).await?)
    }

    async fn run<P: Params, T: Transport, Pr: Preprocessing<P>>(
        &mut self,
        s: &mut Session<P, T, Pr>,
    ) -> Result<(), DeliveryError> {
        let no_channel = || DeliveryError::Config("direct route without a connection".into());
        loop {
            match self.m.poll()? {
                Step::ToParty { party, what, bytes } => s.send_bytes(party, what, bytes).await?,
                Step::FromParty { party, what } => {
                    self.m.received(s.recv_bytes(party, what).await?)?
                }
                Step::ToClient { phase, bytes } => {
                    let ch = self.channel.as_mut().ok_or_else(no_channel)?;
                    if let Some(p) = phase {
                        ch.set_phase(p);
                    }
                    ch.send(bytes)?;
                }
                Step::FromClient { what } => {
                    let ch = self.channel.as_mut().ok_or_else(no_channel)?;
                    ch.set_phase(what);
                    self.m.received(ch.recv().await?)?;
                }
                Step::Done => return Ok(()),
            }
        }
    }
}

/// A client connected to the parties it has a direct route to: a [`ClientMachine`] (its
/// methods are reachable through `Deref`) driven over a [`ClientNode`].
pub struct RemoteClient {
    node: ClientNode,
    m: ClientMachine,
}

impl std::fmt::Debug for RemoteClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteClient")
            .field("node", &self.node)
            .field("machine", &self.m)
            .finish()
    }
}

impl RemoteClient {
    /// Connects (within the configured timeout) and registers this session's HPKE key with
    /// every party, through the routes in `config`.
    pub async fn connect(config: NodeConfig, session: &SessionId) -> Result<Self, DeliveryError> {
        let mut m = ClientMachine::new(&config, config.load_identity()?, session)?;
        let node = ClientNode::connect(config, session).await?;
        m.connected(node.parties());
        let mut client = Self { node, m };
        match client.run().await {
            Ok(()) => Ok(client),
            Err(e) => Err(client.abort(e).await),
        }
    }

    /// Ends the session cleanly: the closing handshake with every directly connected party
    /// (each has everything this client sent), then the connections close.
    pub async fn close(mut self) -> Result<(), DeliveryError> {
        for p in self.m.direct().to_vec() {
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

    /// Receives, verifies, decrypts and checks one output delivery.
    pub async fn receive_outputs(&mut self, label: &str) -> Result<ClientOutputs, DeliveryError> {
        self.m.expect_batches("outputs");
        self.run().await?;
        self.m.outputs(label)
    }

    /// Gives `values` as input under `label`: receives and checks the parties' triples, then
    /// sends the signed, masked values to every party (through the routes).
    pub async fn send_input(&mut self, label: &str, values: &[i128]) -> Result<(), DeliveryError> {
        self.m.expect_batches("input");
        self.run().await?;
        self.m.answer_input(label, values)?;
        self.run().await
    }

    async fn run(&mut self) -> Result<(), DeliveryError> {
        loop {
            match self.m.poll()? {
                ClientStep::Send { party, bytes } => {
                    if let Some(ch) = self.node.channel(party) {
                        ch.send(bytes)?;
                    }
                }
                ClientStep::Recv { party, phase } => {
                    let ch = (self.node.channel(party)).ok_or_else(|| {
                        DeliveryError::Config(format!("no connection to P{party}"))
                    })?;
                    if let Some(p) = phase {
                        ch.set_phase(p);
                    }
                    self.m.received(ch.recv().await?)?;
                }
                ClientStep::Done => return Ok(()),
            }
        }
    }
}

impl core::ops::Deref for ClientPort {
    type Target = PortMachine;
    fn deref(&self) -> &PortMachine {
        &self.m
    }
}

impl core::ops::DerefMut for ClientPort {
    fn deref_mut(&mut self) -> &mut PortMachine {
        &mut self.m
    }
}

impl core::ops::Deref for RemoteClient {
    type Target = ClientMachine;
    fn deref(&self) -> &ClientMachine {
        &self.m
    }
}
