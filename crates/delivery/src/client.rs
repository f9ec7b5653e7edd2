//! The client's end of client I/O, as a state machine over its connections to the parties
//! with a direct route: agree on the run ID, register, receive delivery batches, answer
//! input requests. [`ClientMachine::poll`] says what to send or receive next,
//! [`ClientMachine::received`] takes what arrived; verification is the
//! [`ClientSession`]'s.

use crate::plan::pinned_party_keys;
use crate::{DeliveryError, REGISTRATION_CONFIRMED, decode_batch};
use spdz2k_client::{ClientOutputs, ClientSession};
use spdz2k_core::SessionId;
use spdz2k_output::{ClientId, RunId};
use spdz2k_pki::{NodeConfig, NodeIdentity};
use std::collections::VecDeque;

/// What the client needs done next.
#[derive(Debug, PartialEq, Eq)]
pub enum ClientStep {
    /// Send `bytes` to party `party` (if the client has a connection to it).
    Send {
        /// The receiving party.
        party: usize,
        /// The message.
        bytes: Vec<u8>,
    },
    /// Receive the next message from party `party`, after naming the channel's phase if
    /// `phase` is set, and pass it to [`ClientMachine::received`].
    Recv {
        /// The sending party.
        party: usize,
        /// The channel phase to set first, if any.
        phase: Option<&'static str>,
    },
    /// The current operation is complete.
    Done,
}

#[derive(Debug)]
enum Wait {
    RunId(usize),
    Confirmation(usize),
    Batch(usize, &'static str),
}

#[derive(Debug)]
enum Task {
    Emit(ClientStep),
    Await(Wait),
    /// Every run ID is in: register.
    Register,
}

/// The client's end of client I/O in one session (sans-IO).
pub struct ClientMachine {
    inner: ClientSession,
    direct: Vec<usize>,
    run: Option<(usize, RunId)>,
    tasks: VecDeque<Task>,
    envelopes: Vec<Vec<u8>>,
}

impl std::fmt::Debug for ClientMachine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientMachine")
            .field("session", &self.inner)
            .field("direct", &self.direct)
            .field("pending_tasks", &self.tasks.len())
            .finish_non_exhaustive()
    }
}

impl ClientMachine {
    /// The client named in `config` (with its loaded `identity`) in `session`; it starts
    /// once [`Self::connected`] names the parties it reaches.
    pub fn new(
        config: &NodeConfig,
        identity: NodeIdentity,
        session: &SessionId,
    ) -> Result<Self, DeliveryError> {
        let party_keys = pinned_party_keys(config)?;
        let client = ClientId::new(config.name.clone())
            .map_err(|e| DeliveryError::Config(format!("client name {:?}: {e}", config.name)))?;
        let mut inner =
            ClientSession::new(session.clone(), client, identity.signing_key, party_keys);
        inner.expect_params(config.params);
        Ok(Self {
            inner,
            direct: Vec::new(),
            run: None,
            tasks: VecDeque::new(),
            envelopes: Vec::new(),
        })
    }

    /// The client is connected to the parties `direct`: plans receiving the run ID from
    /// each of them and registering this session's key; then [`Self::poll`] until
    /// [`ClientStep::Done`].
    pub fn connected(&mut self, direct: Vec<usize>) {
        self.tasks
            .extend(direct.iter().map(|&p| Task::Await(Wait::RunId(p))));
        self.tasks.push_back(Task::Register);
        self.direct = direct;
    }

    /// The parties this client has a connection to.
    pub fn direct(&self) -> &[usize] {
        &self.direct
    }

    /// The next thing to do: a message to send (the machine has moved on), a message to
    /// receive (pass it to [`Self::received`]), or [`ClientStep::Done`].
    pub fn poll(&mut self) -> Result<ClientStep, DeliveryError> {
        while let Some(task) = self.tasks.pop_front() {
            match task {
                Task::Emit(step) => return Ok(step),
                Task::Await(wait) => {
                    let (party, phase) = match wait {
                        Wait::RunId(p) => (p, None),
                        Wait::Confirmation(p) => (p, Some("registration")),
                        Wait::Batch(p, phase) => (p, Some(phase)),
                    };
                    self.tasks.push_front(Task::Await(wait));
                    return Ok(ClientStep::Recv { party, phase });
                }
                Task::Register => {
                    let (_, run) = self.run.ok_or_else(|| {
                        DeliveryError::Config("no direct connection to any party".into())
                    })?;
                    let registration = self.inner.registration(run);
                    self.send_to_direct_parties(&registration);
                    for &p in &self.direct {
                        self.tasks.push_back(Task::Await(Wait::Confirmation(p)));
                    }
                }
            }
        }
        Ok(ClientStep::Done)
    }

    /// Takes the message that the last [`ClientStep::Recv`] asked for.
    pub fn received(&mut self, bytes: Vec<u8>) -> Result<(), DeliveryError> {
        let Some(Task::Await(wait)) = self.tasks.pop_front() else {
            return Err(DeliveryError::Config(
                "a message arrived that nothing waited for".into(),
            ));
        };
        match wait {
            Wait::RunId(p) => {
                let got = RunId(bytes.as_slice().try_into().map_err(|_| {
                    DeliveryError::Config(format!(
                        "P{p} sent a malformed run ID ({} bytes, 32 expected)",
                        bytes.len()
                    ))
                })?);
                match self.run {
                    None => self.run = Some((p, got)),
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
            Wait::Confirmation(p) => {
                if bytes != REGISTRATION_CONFIRMED {
                    return Err(DeliveryError::Config(format!(
                        "P{p} did not confirm the registration of this session's key"
                    )));
                }
            }
            Wait::Batch(p, _) => {
                let batch = decode_batch(&bytes).ok_or_else(|| {
                    DeliveryError::Config(format!("P{p} sent a malformed delivery batch"))
                })?;
                self.envelopes.extend(batch);
            }
        }
        Ok(())
    }

    fn send_to_direct_parties(&mut self, msg: &[u8]) {
        for &party in &self.direct {
            let bytes = msg.to_vec();
            self.tasks
                .push_back(Task::Emit(ClientStep::Send { party, bytes }));
        }
    }

    /// Plans receiving one batch from every directly connected party (channel phase
    /// `phase`); then [`Self::poll`] until [`ClientStep::Done`].
    pub fn expect_batches(&mut self, phase: &'static str) {
        self.envelopes.clear();
        for &p in &self.direct {
            self.tasks.push_back(Task::Await(Wait::Batch(p, phase)));
        }
    }

    /// Verifies, decrypts and checks the output delivery received under `label`.
    pub fn outputs(&mut self, label: &str) -> Result<ClientOutputs, DeliveryError> {
        let envelopes = std::mem::take(&mut self.envelopes);
        Ok(self.inner.receive_outputs(label, &envelopes)?)
    }

    /// Checks the input triples received under `label` and plans sending the signed,
    /// masked `values` to every directly connected party (the routes carry them on).
    pub fn answer_input(&mut self, label: &str, values: &[i128]) -> Result<(), DeliveryError> {
        let envelopes = std::mem::take(&mut self.envelopes);
        let mask = self.inner.receive_input_triples(label, &envelopes)?;
        let msg = self.inner.input_message(mask, values)?;
        self.send_to_direct_parties(&msg);
        Ok(())
    }

    /// The underlying verification session.
    pub fn verifier(&self) -> &ClientSession {
        &self.inner
    }
}
