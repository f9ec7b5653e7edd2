//! The sans-IO core of SPDZ2k: authenticated shares, local operations, Beaver steps,
//! openings, commitments, coin tossing and the batched MAC check, as synchronous functions
//! and state machines over typed messages. No I/O, no async.
//!
//! Two parties multiply with dealt material and check the opening, all in one process:
//!
//! ```
//! use spdz2k_core::{CommitContext, InsecureDealer, PendingLog, SessionId, WireMsg,
//!                   beaver_combine, beaver_openings, reconstruct, reconstruct_opening,
//!                   rng::secure_rng, start_mac_check};
//! use spdz2k_ring::{K64S64, Params};
//!
//! let mut dealer = InsecureDealer::<K64S64>::new(2, [1; 32]);
//! let x = dealer.share(&[K64S64::from_i128(-6)]);
//! let y = dealer.share(&[K64S64::from_i128(7)]);
//! let t = dealer.triples(1);
//! // Each party forms its shares of (x - a, y - b); all shares are exchanged and summed.
//! let ed: Vec<_> = (0..2).map(|i| beaver_openings(&x[i], &y[i], &t[i])).collect();
//! let opened = reconstruct_opening::<K64S64>(ed[0].values(), &[ed[1].values()]);
//! let z: Vec<_> = (0..2)
//!     .map(|i| beaver_combine(&t[i], &opened, &dealer.mac_key_share(i), i))
//!     .collect();
//! assert_eq!(K64S64::to_signed(reconstruct(&z)[0]), -42);
//!
//! // The MAC check over the opened e, d: four rounds of messages.
//! let mut rng = secure_rng();
//! // Commitments are bound to this check (number 0) of this session.
//! let ctx = CommitContext::new(&SessionId::new("doc").unwrap(), 0);
//! let (s0, m0) = start_mac_check(0, 2, dealer.mac_key_share(0), log(&opened, &ed[0]), [0; 32], ctx, &mut rng);
//! let (s1, m1) = start_mac_check(1, 2, dealer.mac_key_share(1), log(&opened, &ed[1]), [0; 32], ctx, &mut rng);
//! let (s0, m0n) = s0.receive(&[None, Some(m1)]).unwrap();
//! let (s1, m1n) = s1.receive(&[Some(m0), None]).unwrap();
//! let (s0, m0) = s0.receive(&[None, Some(m1n)]).unwrap();
//! let (s1, m1) = s1.receive(&[Some(m0n), None]).unwrap();
//! let (s0, m0n) = s0.receive(&[None, Some(m1)]).unwrap();
//! let (s1, m1n) = s1.receive(&[Some(m0), None]).unwrap();
//! assert_eq!(s0.receive(&[None, Some(m1n)]), Ok(2));
//! assert_eq!(s1.receive(&[Some(m0n), None]), Ok(2));
//!
//! fn log(opened: &[u128], mine: &spdz2k_core::AuthShares<K64S64>) -> PendingLog<K64S64> {
//!     let mut l = PendingLog::new();
//!     l.push(opened, mine.macs());
//!     l
//! }
//! # let _: WireMsg<K64S64> = WireMsg::Digest([0; 32]);
//! ```
#![forbid(unsafe_code)]
#![warn(clippy::unwrap_used)]
#![warn(missing_docs)]

mod abort;
mod beaver;
pub mod bytes;
mod check_share;
pub mod commit;
#[cfg(feature = "insecure-dealer")]
mod dealer;
mod key_set;
mod mac_check;
pub mod name;
mod open;
pub mod rng;
mod session_id;
mod shares;
mod transcript;
mod wire;

pub use abort::AbortReason;
pub use beaver::{
    SharesRef, Triples, TriplesRef, beaver_check_terms_into, beaver_combine, beaver_combine_into,
    beaver_combine_sum, beaver_opening_values_into, beaver_openings, beaver_openings_into,
};
pub use check_share::{check_terms_in_place, local_check_share, local_check_share_chunks};
pub use commit::{CommitContext, Commitment, Nonce};
#[cfg(feature = "insecure-dealer")]
pub use dealer::InsecureDealer;
pub use key_set::KeySetId;
pub use mac_check::{
    AwaitingCoinCommits, AwaitingCoinOpens, AwaitingZCommits, AwaitingZOpens, start_mac_check,
};
pub use name::{MAX_NAME_LEN, Name, NameError};
pub use open::{LogChunk, PendingLog, mask_for_opening, reconstruct_opening, unmask_opened};
pub use session_id::{MAX_SESSION_ID_LEN, SessionId, SessionIdError};
pub use shares::{AuthShares, LengthMismatch, MacKeyShare, macs_consistent, reconstruct};
pub use transcript::BroadcastTranscript;
pub use wire::{WireError, WireMsg};
