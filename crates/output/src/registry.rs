//! The parties' record of which HPKE key each client registered for each session.

use std::collections::HashMap;

use ed25519_dalek::SigningKey;
use rand::CryptoRng;
use spdz2k_core::SessionId;
use spdz2k_ring::Params;

use crate::bundle::{InputTripleBundle, OutputBundle};
use crate::envelope::{seal_input_triples, seal_output_bundle};
use crate::error::EnvelopeError;
use crate::header::Delivery;
use crate::hpke_keys::HpkePublicKey;
use crate::ids::ClientId;
use crate::registration::RegisteredClient;

/// Asked to deliver to a client that never registered a key for the session.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "client {client} is not registered for session {session}: no HPKE public key was \
     received from it for this session, so nothing can be sealed to it (check that the client \
     sent its registration to every party, directly or through its proxy, before the output)"
)]
pub struct UnregisteredClient {
    /// The session.
    pub session: SessionId,
    /// The client.
    pub client: ClientId,
}

/// A second registration for the same (session, client) with a different key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "client {client} already registered a different HPKE public key for session {session}; \
     the new registration is refused (keys are fixed for a session)"
)]
pub struct ConflictingRegistration {
    /// The session.
    pub session: SessionId,
    /// The client.
    pub client: ClientId,
}

/// Why a party could not seal a delivery.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DeliveryError {
    /// The recipient never registered a key for the session.
    #[error(transparent)]
    Unregistered(#[from] UnregisteredClient),
    /// Sealing failed.
    #[error(transparent)]
    Envelope(#[from] EnvelopeError),
}

/// Registered client keys per (session, client).
#[derive(Debug, Default, Clone)]
pub struct ClientRegistry {
    keys: HashMap<(SessionId, ClientId), HpkePublicKey>,
}

impl ClientRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a verified registration and logs
    /// `client public key for session <sid> registered`. Registering the same key again is
    /// a no-op; a different key for the same (session, client) is refused.
    pub fn register(&mut self, reg: &RegisteredClient) -> Result<(), ConflictingRegistration> {
        let key = (reg.session().clone(), reg.client().clone());
        if let Some(existing) = self.keys.get(&key) {
            if existing == reg.hpke_public_key() {
                return Ok(());
            }
            return Err(ConflictingRegistration {
                session: key.0,
                client: key.1,
            });
        }
        tracing::info!(
            session = %reg.session(),
            client = %reg.client(),
            "client public key for session {} registered",
            reg.session()
        );
        self.keys.insert(key, reg.hpke_public_key().clone());
        Ok(())
    }

    /// The key `client` registered for `session`.
    pub fn hpke_key(
        &self,
        session: &SessionId,
        client: &ClientId,
    ) -> Result<&HpkePublicKey, UnregisteredClient> {
        self.keys
            .get(&(session.clone(), client.clone()))
            .ok_or_else(|| UnregisteredClient {
                session: session.clone(),
                client: client.clone(),
            })
    }

    /// Seals an output bundle to the key `delivery.client` registered for
    /// `delivery.session`; fails with [`UnregisteredClient`] if there is none.
    pub fn seal_output_bundle<P: Params, R: CryptoRng>(
        &self,
        delivery: &Delivery,
        bundle: &OutputBundle<P>,
        identity: &SigningKey,
        rng: &mut R,
    ) -> Result<Vec<u8>, DeliveryError> {
        let key = self.hpke_key(&delivery.session, &delivery.client)?;
        Ok(seal_output_bundle(delivery, bundle, key, identity, rng)?)
    }

    /// Seals input-mask triples to the key `delivery.client` registered for
    /// `delivery.session`; fails with [`UnregisteredClient`] if there is none.
    pub fn seal_input_triples<P: Params, R: CryptoRng>(
        &self,
        delivery: &Delivery,
        bundle: &InputTripleBundle<P>,
        identity: &SigningKey,
        rng: &mut R,
    ) -> Result<Vec<u8>, DeliveryError> {
        let key = self.hpke_key(&delivery.session, &delivery.client)?;
        Ok(seal_input_triples(delivery, bundle, key, identity, rng)?)
    }

    /// Forgets every key of a finished session.
    pub fn end_session(&mut self, session: &SessionId) {
        self.keys.retain(|(s, _), _| s != session);
    }
}
