//! The external client of a SPDZ2k computation: registers a fresh HPKE key for a session,
//! receives the parties' sealed output bundles (directly or forwarded by a proxy party),
//! verifies every signature and header, decrypts, requires all parties to agree on (k, s),
//! sums the shares in Z_2^(k+s), checks w = x^ * b mod 2^(k+s) for every value and returns
//! the values mod 2^k. It also receives input-mask triples, checks a * b = c, and signs
//! its masked inputs y = x + a for the parties.
//!
//! Sans-IO: the caller moves the bytes (any transport); nothing here depends on tokio.
//!
//! ```
//! use ed25519_dalek::SigningKey;
//! use spdz2k_client::ClientSession;
//! use spdz2k_core::{SessionId, rng::secure_rng};
//! use spdz2k_output::{ClientId, Delivery, ExpectedClient, Label, OutputBundle, Registration, RunId, seal_output_bundle};
//! use spdz2k_ring::{K64S64, Params};
//!
//! let mut rng = secure_rng();
//! let session = SessionId::new("demo-1").unwrap();
//! let client_id = ClientId::new("C0").unwrap();
//! let parties: Vec<SigningKey> = (0..2).map(|_| SigningKey::generate(&mut rng)).collect();
//! let client_identity = SigningKey::generate(&mut rng);
//! let mut client = ClientSession::new(
//!     session.clone(),
//!     client_id.clone(),
//!     client_identity.clone(),
//!     parties.iter().map(|k| k.verifying_key()).collect(),
//! );
//!
//! // Every party verifies the registration against the client's pinned key.
//! // The parties announce this run's ID; the client signs it into its registration.
//! let run = RunId::derive(&session, &[[1; 32], [2; 32]]);
//! let expected = ExpectedClient {
//!     client: &client_id,
//!     key: &client_identity.verifying_key(),
//!     session: &session,
//!     run: &run,
//! };
//! let registered = Registration::verify(&client.registration(run), &expected).unwrap();
//!
//! // Two parties hold additive shares of x^ = -5 (+ 2^64 r), b and w = x^ * b.
//! let x_hat = K64S64::add(K64S64::from_i128(-5), K64S64::lift_to_top(99));
//! let b = K64S64::random(&mut rng);
//! let w = K64S64::mul(x_hat, b);
//! let r: Vec<u128> = (0..3).map(|_| K64S64::random(&mut rng)).collect();
//! let shares = [
//!     OutputBundle::<K64S64> { x_hat: vec![r[0]], b: vec![r[1]], w: vec![r[2]] },
//!     OutputBundle::<K64S64> {
//!         x_hat: vec![K64S64::sub(x_hat, r[0])],
//!         b: vec![K64S64::sub(b, r[1])],
//!         w: vec![K64S64::sub(w, r[2])],
//!     },
//! ];
//! let envelopes: Vec<Vec<u8>> = (0..2)
//!     .map(|i| {
//!         let delivery = Delivery { session: session.clone(), label: Label::new("out").unwrap(),
//!                                   client: client_id.clone(), sender: i, seq: 0 };
//!         seal_output_bundle(&delivery, &shares[i], registered.hpke_public_key(), &parties[i],
//!                            &mut rng).unwrap()
//!     })
//!     .collect();
//!
//! let out = client.receive_outputs("out", &envelopes).unwrap();
//! assert_eq!(out.signed(), &[-5]);
//! assert_eq!(out.delivery().params, K64S64::id());
//! // The same envelopes again are a replay.
//! assert!(client.receive_outputs("out", &envelopes).unwrap_err().to_string().starts_with("replay check failed"));
//! ```
#![forbid(unsafe_code)]
#![warn(clippy::unwrap_used)]
#![warn(missing_docs)]

mod delivery_id;
mod dispatch;
mod error;
mod input;
mod mask;
mod outputs;
mod reconstruct;
mod session;

pub use delivery_id::DeliveryId;
pub use dispatch::SUPPORTED_PARAMS;
pub use error::ClientError;
pub use mask::InputMask;
pub use outputs::ClientOutputs;
pub use session::ClientSession;
