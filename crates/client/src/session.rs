//! The client's state for one session and the verification of delivered envelopes.
//!
//! Every envelope of a batch goes through the same checks in the same order, whichever
//! route carried it: parse; sender index pinned; signature under that party's pinned key;
//! no second envelope from the same party; header kind, session, client and label as
//! expected; sequence number exactly the next one for (kind, label, party). Then: an
//! envelope from every party; all parties on the same (k, s) and value count; decryption;
//! sum in Z_2^(k+s); the algebraic check on every value. Sequence numbers advance only when
//! the whole batch passed, so a refused batch leaves the state as it was.

use std::collections::HashMap;

use ed25519_dalek::{SigningKey, VerifyingKey};
use rand::CryptoRng;
use spdz2k_core::SessionId;
use spdz2k_output::{
    ClientId, Envelope, EnvelopeHeader, EnvelopeKind, HpkeKeyPair, HpkePublicKey,
    InputTripleBundle, Label, OutputBundle, Registration, RunId, VerifiedEnvelope,
};
use spdz2k_ring::{Params, ParamsId};

use crate::delivery_id::DeliveryId;
use crate::dispatch::with_params;
use crate::error::ClientError;
use crate::mask::InputMask;
use crate::outputs::ClientOutputs;
use crate::reconstruct::{OpenFailure, first_product_mismatch, open_and_sum};

/// A client's state for one session: identity, pinned party keys, its fresh HPKE key pair
/// and the sequence numbers it has accepted.
pub struct ClientSession {
    pub(crate) session: SessionId,
    pub(crate) client: ClientId,
    pub(crate) identity: SigningKey,
    party_keys: Vec<VerifyingKey>,
    hpke: HpkeKeyPair,
    expected_params: Option<ParamsId>,
    /// The run the parties announced, signed into the registration and every input.
    pub(crate) run: RunId,
    /// The next sequence number accepted per (kind, label, party); absent means 0. Every
    /// lower number was accepted before, so anything below it is a replay.
    next_seq: HashMap<(EnvelopeKind, Label, usize), u64>,
    /// The log span of this client in this session ([`SessionId::client_span`]).
    span: tracing::Span,
}

impl core::fmt::Debug for ClientSession {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ClientSession")
            .field("session", &self.session)
            .field("client", &self.client)
            .field("parties", &self.party_keys.len())
            .field("hpke_public_key", self.hpke.public())
            .field("expected_params", &self.expected_params)
            .finish_non_exhaustive()
    }
}

/// Envelopes of one batch that passed every per-envelope check, by party index.
struct Batch<'a> {
    label: Label,
    params: ParamsId,
    envelopes: Vec<VerifiedEnvelope<'a>>,
}

impl Batch<'_> {
    /// Which delivery the batch is. The replay check held every party to the same expected
    /// sequence number, so the first envelope's stands for all.
    fn delivery(&self) -> DeliveryId {
        DeliveryId {
            label: self.label.clone(),
            params: self.params,
            seq: self.envelopes.first().map_or(0, |e| e.header().seq),
        }
    }
}

impl ClientSession {
    /// A session with a fresh HPKE key pair from the operating system's CSPRNG.
    /// `party_keys[i]` is the pinned identity key of party i.
    pub fn new(
        session: SessionId,
        client: ClientId,
        identity: SigningKey,
        party_keys: Vec<VerifyingKey>,
    ) -> Self {
        Self::with_rng(
            session,
            client,
            identity,
            party_keys,
            &mut spdz2k_core::rng::secure_rng(),
        )
    }

    /// As [`ClientSession::new`], with the HPKE key pair drawn from `rng` (a CSPRNG).
    pub fn with_rng<R: CryptoRng>(
        session: SessionId,
        client: ClientId,
        identity: SigningKey,
        party_keys: Vec<VerifyingKey>,
        rng: &mut R,
    ) -> Self {
        Self {
            span: session.client_span(client.as_str()),
            session,
            client,
            identity,
            party_keys,
            hpke: HpkeKeyPair::generate(rng),
            expected_params: None,
            run: RunId::default(),
            next_seq: HashMap::new(),
        }
    }

    /// Requires every later delivery to use `params` (otherwise any supported set on which
    /// all parties agree is accepted).
    pub fn expect_params(&mut self, params: ParamsId) {
        self.expected_params = Some(params);
    }

    /// The session.
    pub fn session(&self) -> &SessionId {
        &self.session
    }

    /// This client's ID.
    pub fn client(&self) -> &ClientId {
        &self.client
    }

    /// The HPKE public key the parties seal to.
    pub fn hpke_public_key(&self) -> &HpkePublicKey {
        self.hpke.public()
    }

    /// How many parties are pinned.
    pub fn parties(&self) -> usize {
        self.party_keys.len()
    }

    /// The signed registration of this session's HPKE key for `run` (the run ID the parties
    /// announced at the start of this run), to send to every party (directly or through the
    /// proxy that serves it). Every later input is signed for the same run.
    pub fn registration(&mut self, run: RunId) -> Vec<u8> {
        self.run = run;
        Registration {
            session: self.session.clone(),
            client: self.client.clone(),
            run,
            hpke_public_key: self.hpke.public().clone(),
        }
        .sign(&self.identity)
    }

    /// Verifies, decrypts and reconstructs one output delivery: one envelope per party, in
    /// any order. Returns the values only if every check passed for every value.
    pub fn receive_outputs<E: AsRef<[u8]>>(
        &mut self,
        label: &str,
        envelopes: &[E],
    ) -> Result<ClientOutputs, ClientError> {
        let result = self.receive_outputs_inner(label, envelopes);
        match &result {
            Ok(out) => tracing::info!(
                parent: &self.span,
                label,
                params = %out.delivery.params,
                count = out.len(),
                seq = out.delivery.seq,
                "outputs verified and reconstructed"
            ),
            Err(e) => tracing::warn!(
                parent: &self.span,
                label,
                error = %e,
                "output delivery refused"
            ),
        }
        result
    }

    fn receive_outputs_inner<E: AsRef<[u8]>>(
        &mut self,
        label: &str,
        envelopes: &[E],
    ) -> Result<ClientOutputs, ClientError> {
        let label = Label::new(label).map_err(ClientError::InvalidLabel)?;
        let batch = self.verify_batch(EnvelopeKind::OutputBundle, &label, envelopes)?;
        let outputs = with_params!(
            batch.params,
            P => self.reconstruct_outputs::<P>(&batch)?,
            else return Err(self.unsupported(batch.params))
        );
        self.accept(EnvelopeKind::OutputBundle, &batch);
        Ok(outputs)
    }

    /// Verifies, decrypts and checks one delivery of input-mask triples (one envelope per
    /// party, any order). The returned mask is spent by [`ClientSession::input_message`].
    pub fn receive_input_triples<E: AsRef<[u8]>>(
        &mut self,
        label: &str,
        envelopes: &[E],
    ) -> Result<InputMask, ClientError> {
        let result = self.receive_input_triples_inner(label, envelopes);
        match &result {
            Ok(mask) => tracing::info!(
                parent: &self.span,
                label,
                params = %mask.delivery.params,
                count = mask.len(),
                "input triples verified"
            ),
            Err(e) => tracing::warn!(
                parent: &self.span,
                label,
                error = %e,
                "input triple delivery refused"
            ),
        }
        result
    }

    fn receive_input_triples_inner<E: AsRef<[u8]>>(
        &mut self,
        label: &str,
        envelopes: &[E],
    ) -> Result<InputMask, ClientError> {
        let label = Label::new(label).map_err(ClientError::InvalidLabel)?;
        let batch = self.verify_batch(EnvelopeKind::InputTriple, &label, envelopes)?;
        let mask = with_params!(
            batch.params,
            P => self.reconstruct_mask::<P>(&batch)?,
            else return Err(self.unsupported(batch.params))
        );
        self.accept(EnvelopeKind::InputTriple, &batch);
        Ok(mask)
    }

    fn unsupported(&self, params: ParamsId) -> ClientError {
        ClientError::UnsupportedParams {
            session: self.session.clone(),
            params,
        }
    }

    /// Every per-envelope check, then completeness and agreement on (k, s) and count.
    fn verify_batch<'a, E: AsRef<[u8]>>(
        &self,
        kind: EnvelopeKind,
        label: &Label,
        envelopes: &'a [E],
    ) -> Result<Batch<'a>, ClientError> {
        let n = self.party_keys.len();
        let label_str = || label.to_string();
        let mut by_party: Vec<Option<VerifiedEnvelope<'a>>> = (0..n).map(|_| None).collect();
        for (position, bytes) in envelopes.iter().enumerate() {
            let env = Envelope::parse(bytes.as_ref()).map_err(|source| ClientError::Malformed {
                session: self.session.clone(),
                label: label_str(),
                position,
                source: Box::new(source),
            })?;
            let sender = env.header().sender;
            let (Some(key), Some(slot)) = (self.party_keys.get(sender), by_party.get_mut(sender))
            else {
                return Err(ClientError::UnknownSender {
                    session: self.session.clone(),
                    label: label_str(),
                    position,
                    sender,
                    parties: n,
                });
            };
            let env = env.verify(key).map_err(|_| ClientError::BadSignature {
                session: self.session.clone(),
                label: label_str(),
                party: sender,
            })?;
            if slot.is_some() {
                return Err(ClientError::Duplicate {
                    session: self.session.clone(),
                    label: label_str(),
                    party: sender,
                });
            }
            self.check_header(kind, label, env.header())?;
            *slot = Some(env);
        }

        let mut verified = Vec::with_capacity(n);
        for (party, slot) in by_party.into_iter().enumerate() {
            verified.push(slot.ok_or_else(|| ClientError::Dropped {
                session: self.session.clone(),
                label: label_str(),
                party,
            })?);
        }
        let Some(first) = verified.first().map(|e| e.header().clone()) else {
            // No parties pinned: nothing can be verified.
            return Err(ClientError::Dropped {
                session: self.session.clone(),
                label: label_str(),
                party: 0,
            });
        };
        for env in &verified[1..] {
            let h = env.header();
            if h.params != first.params {
                return Err(ClientError::ParamsDisagreement {
                    session: self.session.clone(),
                    label: label_str(),
                    first_party: first.sender,
                    first: first.params,
                    party: h.sender,
                    got: h.params,
                });
            }
            if h.count != first.count {
                return Err(ClientError::CountDisagreement {
                    session: self.session.clone(),
                    label: label_str(),
                    first_party: first.sender,
                    first: first.count,
                    party: h.sender,
                    got: h.count,
                });
            }
        }
        if let Some(expected) = self.expected_params
            && expected != first.params
        {
            return Err(ClientError::UnexpectedParams {
                session: self.session.clone(),
                label: label_str(),
                expected,
                got: first.params,
            });
        }
        Ok(Batch {
            label: label.clone(),
            params: first.params,
            envelopes: verified,
        })
    }

    /// The signed header fields against what this client expects.
    fn check_header(
        &self,
        kind: EnvelopeKind,
        label: &Label,
        h: &EnvelopeHeader,
    ) -> Result<(), ClientError> {
        let mismatch = |field, expected: String, got: String| ClientError::HeaderMismatch {
            session: self.session.clone(),
            party: h.sender,
            field,
            expected,
            got,
        };
        if h.kind != kind {
            return Err(mismatch("kind", kind.to_string(), h.kind.to_string()));
        }
        if h.session != self.session {
            return Err(mismatch(
                "session",
                self.session.to_string(),
                h.session.to_string(),
            ));
        }
        if h.client != self.client {
            return Err(mismatch(
                "client",
                self.client.to_string(),
                h.client.to_string(),
            ));
        }
        if &h.label != label {
            return Err(mismatch(
                "label",
                format!("{:?}", label.as_str()),
                format!("{:?}", h.label.as_str()),
            ));
        }
        let expected = self.expected_seq(kind, label, h.sender);
        if h.seq != expected {
            return Err(ClientError::Replay {
                session: self.session.clone(),
                label: label.to_string(),
                party: h.sender,
                got: h.seq,
                expected,
            });
        }
        Ok(())
    }

    fn expected_seq(&self, kind: EnvelopeKind, label: &Label, party: usize) -> u64 {
        self.next_seq
            .get(&(kind, label.clone(), party))
            .copied()
            .unwrap_or(0)
    }

    /// Records the batch's sequence numbers as accepted.
    fn accept(&mut self, kind: EnvelopeKind, batch: &Batch<'_>) {
        for env in &batch.envelopes {
            let h = env.header();
            // 2^64 deliveries cannot happen; saturating keeps the arithmetic total.
            self.next_seq.insert(
                (kind, batch.label.clone(), h.sender),
                h.seq.saturating_add(1),
            );
        }
    }

    fn open_failure(&self, label: &Label, failure: OpenFailure) -> ClientError {
        match failure {
            OpenFailure::Decryption { party } => ClientError::Decryption {
                session: self.session.clone(),
                label: label.to_string(),
                party,
            },
            OpenFailure::Bundle(source) => ClientError::Bundle {
                session: self.session.clone(),
                label: label.to_string(),
                source: Box::new(source),
            },
        }
    }

    fn reconstruct_outputs<P: Params>(
        &self,
        batch: &Batch<'_>,
    ) -> Result<ClientOutputs, ClientError> {
        let [x_hat, b, w] = open_and_sum::<P, OutputBundle<P>>(&batch.envelopes, &self.hpke)
            .map_err(|f| self.open_failure(&batch.label, f))?;
        if let Some(index) = first_product_mismatch::<P>(&x_hat, &b, &w) {
            return Err(ClientError::Integrity {
                session: self.session.clone(),
                label: batch.label.to_string(),
                index,
            });
        }
        Ok(ClientOutputs {
            delivery: batch.delivery(),
            signed: x_hat.iter().map(|&x| P::to_signed(x)).collect(),
            unsigned: x_hat.iter().map(|&x| P::to_unsigned(x)).collect(),
        })
    }

    fn reconstruct_mask<P: Params>(&self, batch: &Batch<'_>) -> Result<InputMask, ClientError> {
        let [a, b, c] = open_and_sum::<P, InputTripleBundle<P>>(&batch.envelopes, &self.hpke)
            .map_err(|f| self.open_failure(&batch.label, f))?;
        if let Some(index) = first_product_mismatch::<P>(&a, &b, &c) {
            return Err(ClientError::TripleCheck {
                session: self.session.clone(),
                label: batch.label.to_string(),
                index,
            });
        }
        Ok(InputMask::new::<P>(
            self.session.clone(),
            batch.delivery(),
            &a,
        ))
    }
}
