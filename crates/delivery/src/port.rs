//! A party's end of one client's I/O in one session, as a state machine: [`PortMachine::poll`]
//! says what to send or receive next, [`PortMachine::received`] takes what arrived. The
//! caller (the facade's `ClientPort`) moves the bytes over the engine session and the
//! party's connection to the client.

use crate::plan::{pinned_party_keys, verifying_key};
use crate::{Announcement, DeliveryError, REGISTRATION_CONFIRMED, RoutePlan, encode_batch};
use ed25519_dalek::{SigningKey, VerifyingKey};
use spdz2k_core::SessionId;
use spdz2k_engine::{ClientInputMask, ClientOutputShares};
use spdz2k_output::{
    Bundle, ClientId, ClientInput, ClientRegistry, Delivery, EnvelopeKind, ExpectedClient,
    HpkePublicKey, InputTripleBundle, Label, OutputBundle, Registration, RunId, SequenceCounter,
    check_forwarded_envelope, seal_bundle,
};
use spdz2k_pki::{NodeConfig, Route};
use spdz2k_ring::Params;
use std::collections::VecDeque;

/// Alters the batch a proxy sends to the client (adversarial tests and `demo --tamper`; the
/// `tamper-hooks` feature): entry 0 is the proxy's own envelope, then the forwarded ones in
/// party order. It may change, reorder, replace or drop envelopes.
#[cfg(feature = "tamper-hooks")]
pub type ForwardTamper = Box<dyn FnMut(&mut Vec<Vec<u8>>) + Send>;

/// Alters a message from the client (registration or input) that a proxy receives, before
/// it uses it and forwards it (adversarial tests only): `what` names the message.
#[cfg(feature = "tamper-hooks")]
pub type ClientMessageTamper = Box<dyn FnMut(&'static str, &mut Vec<u8>) + Send>;

/// What a party's client I/O needs done next.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// Send `bytes` to party `party` over the session, as the message `what`.
    ToParty {
        /// The receiving party.
        party: usize,
        /// What the message is (for diagnostics).
        what: &'static str,
        /// The message.
        bytes: Vec<u8>,
    },
    /// Receive the message `what` from party `party` and pass it to
    /// [`PortMachine::received`].
    FromParty {
        /// The sending party.
        party: usize,
        /// What the message is.
        what: &'static str,
    },
    /// Send `bytes` to the client over this party's own connection, after naming the
    /// channel's phase if `phase` is set.
    ToClient {
        /// The channel phase to set first, if any.
        phase: Option<&'static str>,
        /// The message.
        bytes: Vec<u8>,
    },
    /// Receive the message `what` from the client over this party's own connection (its
    /// channel phase) and pass it to [`PortMachine::received`].
    FromClient {
        /// What the message is, and the channel phase.
        what: &'static str,
    },
    /// The current operation is complete.
    Done,
}

/// A message the client sends the parties.
#[derive(Debug)]
enum ClientMsg {
    Registration,
    Input { label: Label, seq: u64 },
}

impl ClientMsg {
    fn what(&self) -> &'static str {
        match self {
            Self::Registration => "client registration",
            Self::Input { .. } => "client input",
        }
    }
}

const ROUTES: &str = "client routes";
const CONFIRMATION: &str = "client registration confirmation";

/// A message this party waits for.
#[derive(Debug)]
enum Wait {
    /// Party p's route announcement.
    Announcement(usize),
    /// A message from the client, directly or forwarded by the proxy.
    Client(ClientMsg),
    /// A dependent's registration confirmation.
    Confirmation(usize),
    /// A dependent's envelope, to verify and carry.
    Envelope(usize, &'static str),
}

/// The machine's work list, done in order.
#[derive(Debug)]
enum Task {
    Emit(Step),
    Await(Wait),
    /// Every announcement is in: check the plan, derive the run ID, await the registration.
    Plan,
    /// A client message was received and forwarded: verify and use it.
    Handle(ClientMsg, Vec<u8>),
    /// Every dependent's envelope is in: send the batch.
    SendBatch(&'static str),
}

/// A party's end of one client's I/O in one session (sans-IO).
pub struct PortMachine {
    me: usize,
    session: SessionId,
    client: ClientId,
    client_key: VerifyingKey,
    party_keys: Vec<VerifyingKey>,
    own_route: Route,
    announcements: Vec<Option<Announcement>>,
    plan: Option<RoutePlan>,
    registry: ClientRegistry,
    identity: SigningKey,
    seq: SequenceCounter,
    run: Option<RunId>,
    tasks: VecDeque<Task>,
    batch: Vec<Vec<u8>>,
    input: Option<ClientInput>,
    #[cfg(feature = "tamper-hooks")]
    tamper: Option<ForwardTamper>,
    #[cfg(feature = "tamper-hooks")]
    client_tamper: Option<ClientMessageTamper>,
}

impl std::fmt::Debug for PortMachine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The signing key and the client's input shares are never shown.
        f.debug_struct("PortMachine")
            .field("party", &self.me)
            .field("session", &self.session)
            .field("client", &self.client)
            .field("route", &self.own_route)
            .field("pending_tasks", &self.tasks.len())
            .finish_non_exhaustive()
    }
}

impl PortMachine {
    /// Starts client I/O for `client` in this session as party `me` of `n`: announce this
    /// party's route and a fresh contribution to the run ID to every other party, learn
    /// theirs, check the plan, send the run ID to the client (direct route), then receive
    /// and verify the client's registration. `has_channel` says whether this party has its
    /// own connection to the client, which it must have exactly when its route is direct.
    pub fn open(
        me: usize,
        n: usize,
        session: SessionId,
        config: &NodeConfig,
        identity: SigningKey,
        client: &str,
        has_channel: bool,
    ) -> Result<Self, DeliveryError> {
        let entry = config.client(client).ok_or_else(|| {
            DeliveryError::Config(format!(
                "party {me}: session {session}: no client {client:?} in {}; add a [[clients]] entry (spdz2k setup writes one)",
                config.path.display()
            ))
        })?;
        let client_key = verifying_key(&entry.public_key, client)?;
        let party_keys = pinned_party_keys(config)?;
        if matches!(entry.route, Route::Direct) != has_channel {
            return Err(DeliveryError::Config(format!(
                "party {me}: session {session}: route to {client} is {} but a client connection was{} given",
                entry.route,
                if has_channel { "" } else { " not" }
            )));
        }
        let client_id = ClientId::new(client)
            .map_err(|e| DeliveryError::Config(format!("client name {client:?}: {e}")))?;
        let mine = Announcement {
            route: entry.route,
            contribution: spdz2k_core::rng::fresh_bytes(),
        };
        let others = || (0..n).filter(move |&p| p != me);
        let mut tasks: VecDeque<Task> = others()
            .map(|party| {
                Task::Emit(Step::ToParty {
                    party,
                    what: ROUTES,
                    bytes: mine.encode(),
                })
            })
            .collect();
        tasks.extend(others().map(|p| Task::Await(Wait::Announcement(p))));
        tasks.push_back(Task::Plan);
        let mut announcements = vec![None; n];
        announcements[me] = Some(mine);
        Ok(Self {
            me,
            session,
            client: client_id,
            client_key,
            party_keys,
            own_route: entry.route,
            announcements,
            plan: None,
            registry: ClientRegistry::new(),
            identity,
            seq: SequenceCounter::new(),
            run: None,
            tasks,
            batch: Vec::new(),
            input: None,
            #[cfg(feature = "tamper-hooks")]
            tamper: None,
            #[cfg(feature = "tamper-hooks")]
            client_tamper: None,
        })
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

    /// This run's ID (see [`RunId`]), known once every party's announcement is in.
    pub fn run_id(&self) -> Option<&RunId> {
        self.run.as_ref()
    }

    /// The next thing to do: a message to send (the machine has moved on), a message to
    /// receive (pass it to [`Self::received`]), or [`Step::Done`].
    pub fn poll(&mut self) -> Result<Step, DeliveryError> {
        while let Some(task) = self.tasks.pop_front() {
            match task {
                Task::Emit(step) => return Ok(step),
                Task::Await(wait) => {
                    let step = self.receive_step(&wait);
                    self.tasks.push_front(Task::Await(wait));
                    return Ok(step);
                }
                Task::Plan => self.plan()?,
                Task::Handle(msg, bytes) => self.handle(msg, &bytes)?,
                Task::SendBatch(what) => {
                    let batch = std::mem::take(&mut self.batch);
                    #[cfg(feature = "tamper-hooks")]
                    let batch = {
                        let mut batch = batch;
                        if let Some(t) = self.tamper.as_mut() {
                            t(&mut batch);
                        }
                        batch
                    };
                    return Ok(Step::ToClient {
                        phase: Some(what),
                        bytes: encode_batch(&batch),
                    });
                }
            }
        }
        Ok(Step::Done)
    }

    fn receive_step(&self, wait: &Wait) -> Step {
        let (party, what) = match wait {
            Wait::Announcement(p) => (*p, ROUTES),
            Wait::Confirmation(p) => (*p, CONFIRMATION),
            Wait::Envelope(p, what) => (*p, *what),
            Wait::Client(msg) => match self.own_route {
                Route::Direct => return Step::FromClient { what: msg.what() },
                Route::Via(proxy) => (proxy, msg.what()),
            },
        };
        Step::FromParty { party, what }
    }

    /// Takes the message that the last [`Step::FromParty`] or [`Step::FromClient`] asked
    /// for.
    pub fn received(&mut self, bytes: Vec<u8>) -> Result<(), DeliveryError> {
        let Some(Task::Await(wait)) = self.tasks.pop_front() else {
            return Err(self.client_err("a message arrived that nothing waited for"));
        };
        match wait {
            Wait::Announcement(p) => {
                let a = Announcement::decode(&bytes).ok_or_else(|| {
                    DeliveryError::Config(format!(
                        "party {}: session {}: malformed route from party {p}",
                        self.me, self.session
                    ))
                })?;
                self.announcements[p] = Some(a);
            }
            Wait::Confirmation(p) => {
                if bytes != REGISTRATION_CONFIRMED {
                    return Err(self.client_err(format!(
                        "party {p} sent something else than its registration confirmation"
                    )));
                }
            }
            Wait::Envelope(p, _) => {
                check_forwarded_envelope(&bytes, p, &self.party_keys[p], &self.session).map_err(
                    |source| DeliveryError::Envelope {
                        party: self.me,
                        session: self.session.clone(),
                        from: p,
                        source,
                    },
                )?;
                self.batch.push(bytes);
            }
            Wait::Client(msg) => {
                let what = msg.what();
                #[cfg(feature = "tamper-hooks")]
                let bytes = {
                    let mut bytes = bytes;
                    if let Some(t) = self.client_tamper.as_mut() {
                        t(what, &mut bytes);
                    }
                    bytes
                };
                // Forward first, then verify: the parties this one serves see the same
                // bytes and reach their own verdict.
                self.tasks.push_front(Task::Handle(msg, bytes.clone()));
                for party in self.dependents().into_iter().rev() {
                    let bytes = bytes.clone();
                    let step = Step::ToParty { party, what, bytes };
                    self.tasks.push_front(Task::Emit(step));
                }
            }
        }
        Ok(())
    }

    /// Every announcement is in: check the plan, derive the run ID, send it to the client
    /// (direct route) and wait for the registration.
    fn plan(&mut self) -> Result<(), DeliveryError> {
        let announcements: Vec<Announcement> =
            self.announcements.iter().flatten().copied().collect();
        if announcements.len() != self.announcements.len() {
            return Err(self.client_err("an announcement is missing"));
        }
        let routes = announcements.iter().map(|a| a.route).collect();
        let plan = RoutePlan::new(routes, &self.session, self.client.as_str())?;
        let contributions: Vec<[u8; 32]> = announcements.iter().map(|a| a.contribution).collect();
        let run = RunId::derive(&self.session, &contributions);
        if plan.route(self.me) == Route::Direct {
            self.tasks.push_back(Task::Emit(Step::ToClient {
                phase: None,
                bytes: run.0.to_vec(),
            }));
        }
        self.plan = Some(plan);
        self.run = Some(run);
        self.tasks
            .push_back(Task::Await(Wait::Client(ClientMsg::Registration)));
        Ok(())
    }

    /// Verifies and uses a message from the client (already forwarded to the dependents).
    fn handle(&mut self, msg: ClientMsg, bytes: &[u8]) -> Result<(), DeliveryError> {
        let run = self.run_or_err()?;
        let expected = ExpectedClient {
            client: &self.client,
            key: &self.client_key,
            session: &self.session,
            run: &run,
        };
        match msg {
            ClientMsg::Registration => {
                let verified = Registration::verify(bytes, &expected)
                    .map_err(|e| self.client_err(format!("registration refused: {e}")))?;
                self.registry
                    .register(&verified)
                    .map_err(|e| self.client_err(e.to_string()))?;
                // The registry logs `client public key for session <sid> registered`. Confirm
                // it: a proxy waits for the parties it serves, then tells the client.
                match self.own_route {
                    Route::Via(party) => self.tasks.push_back(Task::Emit(Step::ToParty {
                        party,
                        what: CONFIRMATION,
                        bytes: REGISTRATION_CONFIRMED.to_vec(),
                    })),
                    Route::Direct => {
                        for p in self.dependents() {
                            self.tasks.push_back(Task::Await(Wait::Confirmation(p)));
                        }
                        self.tasks.push_back(Task::Emit(Step::ToClient {
                            phase: None,
                            bytes: REGISTRATION_CONFIRMED.to_vec(),
                        }));
                    }
                }
            }
            ClientMsg::Input { label, seq } => {
                // Signed by the client, for this session and this run, answering exactly
                // this delivery: nothing replayed from another run or reordered within it.
                let input = ClientInput::verify(bytes, &expected)
                    .and_then(|input| input.check_delivery(&label, seq).map(|()| input))
                    .map_err(|e| self.client_err(format!("input refused: {e}")))?;
                self.input = Some(input);
            }
        }
        Ok(())
    }

    fn run_or_err(&self) -> Result<RunId, DeliveryError> {
        self.run
            .ok_or_else(|| self.client_err("client I/O used before the run ID was agreed"))
    }

    /// Parties whose envelopes this party carries.
    fn dependents(&self) -> Vec<usize> {
        self.plan
            .as_ref()
            .map(|plan| plan.dependents(self.me))
            .unwrap_or_default()
    }

    fn client_err(&self, detail: impl Into<String>) -> DeliveryError {
        DeliveryError::ClientMessage {
            party: self.me,
            session: self.session.clone(),
            client: self.client.as_str().to_owned(),
            detail: detail.into(),
        }
    }

    fn hpke_key(&self) -> Result<&HpkePublicKey, DeliveryError> {
        self.registry
            .hpke_key(&self.session, &self.client)
            .map_err(|e| self.client_err(e.to_string()))
    }

    /// Checks `label` and that the client has registered, before any protocol work for a
    /// delivery or an input.
    pub fn begin(&self, label: &str) -> Result<Label, DeliveryError> {
        let label =
            Label::new(label).map_err(|e| self.client_err(format!("label {label:?}: {e}")))?;
        self.hpke_key()?;
        Ok(label)
    }

    fn delivery(&mut self, kind: EnvelopeKind, label: &Label) -> Delivery {
        let seq = self.seq.next(&self.session, &self.client, kind, label);
        Delivery {
            session: self.session.clone(),
            label: label.clone(),
            client: self.client.clone(),
            sender: self.me,
            seq,
        }
    }

    /// Seals this party's output shares (checked by the engine) for the client and plans
    /// their carriage; then [`Self::poll`] until [`Step::Done`].
    pub fn deliver<P: Params>(
        &mut self,
        label: Label,
        shares: ClientOutputShares<P>,
    ) -> Result<(), DeliveryError> {
        let bundle = OutputBundle::<P> {
            x_hat: shares.x_hat,
            b: shares.b,
            w: shares.w,
        };
        let delivery = self.delivery(EnvelopeKind::OutputBundle, &label);
        self.seal_and_carry::<P, _>(&delivery, &bundle, "client output")
    }

    /// Seals `bundle` to the client under `delivery`, signed by this party, and plans its
    /// carriage.
    fn seal_and_carry<P: Params, B: Bundle<P>>(
        &mut self,
        delivery: &Delivery,
        bundle: &B,
        what: &'static str,
    ) -> Result<(), DeliveryError> {
        let mut rng = spdz2k_core::rng::secure_rng();
        let env =
            seal_bundle::<P, _, _>(delivery, bundle, self.hpke_key()?, &self.identity, &mut rng)
                .map_err(|e| self.client_err(format!("sealing failed: {e}")))?;
        self.carry(env, what);
        Ok(())
    }

    /// Seals this party's shares of the input triples for the client, plans their carriage
    /// and the client's answer; then [`Self::poll`] until [`Step::Done`] and
    /// [`Self::take_input`].
    pub fn request_input<P: Params>(
        &mut self,
        label: Label,
        mask: &ClientInputMask<P>,
    ) -> Result<(), DeliveryError> {
        let t = mask.triples();
        let bundle = InputTripleBundle::<P> {
            a: t.a.values().to_vec(),
            b: t.b.values().to_vec(),
            c: t.c.values().to_vec(),
        };
        let delivery = self.delivery(EnvelopeKind::InputTriple, &label);
        let seq = delivery.seq;
        self.seal_and_carry::<P, _>(&delivery, &bundle, "client input masks")?;
        self.tasks
            .push_back(Task::Await(Wait::Client(ClientMsg::Input { label, seq })));
        Ok(())
    }

    /// The client's verified masked input y and its digest, once received.
    pub fn take_input<P: Params>(&mut self) -> Result<(Vec<P::Word>, [u8; 32]), DeliveryError> {
        let input = self
            .input
            .take()
            .ok_or_else(|| self.client_err("no input has been received"))?;
        let y = input
            .values::<P>()
            .map_err(|e| self.client_err(format!("input refused: {e}")))?;
        Ok((y, input.digest()))
    }

    /// Plans carrying this party's envelope to the client: to the proxy, or (direct)
    /// together with every envelope forwarded by the parties this one serves, each
    /// verified first.
    fn carry(&mut self, own: Vec<u8>, what: &'static str) {
        match self.own_route {
            Route::Via(party) => self.tasks.push_back(Task::Emit(Step::ToParty {
                party,
                what,
                bytes: own,
            })),
            Route::Direct => {
                self.batch = vec![own];
                for p in self.dependents() {
                    self.tasks.push_back(Task::Await(Wait::Envelope(p, what)));
                }
                self.tasks.push_back(Task::SendBatch(what));
            }
        }
    }
}
