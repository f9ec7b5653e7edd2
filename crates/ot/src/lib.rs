//! Oblivious transfer for spdz2k: maliciously secure base OT, KOS15 OT extension, and the
//! seed pairs of the MAC VOLE, as sans-IO state machines (message in, message out) plus a
//! thin async [`driver`] over `spdz2k_net::Transport`, so the same code runs over the
//! in-memory mesh and over the mutual-TLS nodes.
//!
//! # Parts
//! - [`block`], [`cipher`], [`gf128`], [`coin`]: a 128-bit [`Block`]; fixed-key AES (AES-NI
//!   or VAES through the `aes` crate, batched); the tweakable correlation-robust hash
//!   `H(x, i) = π(π(x) ⊕ i) ⊕ π(x)` of Guo–Katz–Wang–Yu; an AES-CTR PRG; GF(2^128)
//!   multiplication (PCLMULQDQ when present, portable otherwise); coin tossing with
//!   SHA-256 commitments bound to the instance, the committing party, a purpose and a
//!   sequence number.
//! - [`base`]: Masny–Rindal endemic OT on ristretto255 (see *Security*).
//! - [`ext`]: OT extension, KOS15 or SoftSpokenOT with d ∈ {1, 2, 4, 8} ([`Variant`]), in
//!   chunks ([`ext::MAX_CHUNK`] at most, e.g. 2^16 OTs each); only the PRG states persist
//!   between chunks, so nothing grows with the total. The receiver sends 128/d bits per OT
//!   (KOS: 128) plus the check's share ([`ext::CHECK_OTS`] extra OTs per chunk).
//! - Outputs of a chunk: [`SenderCots`] (`q_j`, Δ) and [`ReceiverCots`] (`x_j`, `t_j` with
//!   `t_j = q_j ⊕ x_j·Δ`), which convert (consuming the chunk) into random OT or into
//!   correlated OT over Z_2^l.
//! - [`vole`]: s base OTs on the bits of a MAC key share, kept as expandable seed pairs.
//!
//! # Interface for the offline phase
//! **Correlated OT over Z_2^l (Gilboa).** Words are little-endian `[u64; L]` limbs with
//! `l ≤ 64·L ≤ 256` ([`words`] has `add`, `sub`, `neg`, `mask`, and `from_ring_word` /
//! `to_ring_word` for `spdz2k_ring::Word`). After a chunk of `m` OTs
//! in which the receiver (P_i) used random choice bits `a_h`
//! ([`ExtReceiver::extend_random`], or [`driver::extend_receiver`] with `None`):
//! ```text
//! sender  (P_j, holds b):   let (z, msg) = sender_cots.send_words::<L>(l, &[b])?;   // or one b per h
//! receiver(P_i, holds a_h): let y = receiver_cots.receive_words::<L>(l, &msg)?;
//! // y_h + z_h = a_h · b  (mod 2^l);  z_h = −m_h0,  d_h = m_h0 − m_h1 + b,
//! // y_h = m_{h,a_h} + a_h·d_h, with m_h0, m_h1 the random-OT pads expanded to l bits.
//! ```
//! The bits `a_h` are `receiver_cots.choice(h)` (or `choices_packed()`), read before
//! `receive_words` consumes the chunk. One message, `ceil(l/8)` bytes per OT plus an
//! 18-byte header. Over the transport: [`driver::send_words`] / [`driver::receive_words`].
//!
//! **VOLE seed pairs.** For the MAC VOLE from P_i to P_j with `ctx = OtContext::new(session,
//! i, j, instance)`: P_i runs [`VoleSeedSetup`] (or [`driver::vole_seeds_sender`]) and
//! gets [`VoleSeedPairs`] `(k_u0, k_u1)`; P_j runs [`VoleSeedChoices::receive`] (or
//! [`driver::vole_seeds_receiver`]) with the bits of α_j and gets `k_{u,α_u}`. Each seed
//! expands into l-bit words with [`words::expand`]`(seed, l, count)` or, chunk by chunk,
//! with a [`SeedStream`].
//!
//! **Instances.** An [`OtContext`] names the session, the OT sender (Δ holder), the OT
//! receiver and an instance number; every hash, commitment and message header is bound to
//! it, so use one instance number per purpose and pair. [`driver::setup_all_pairs`] sets
//! up one instance for every ordered pair of an n-party session.
//!
//! # Security
//! **Base OT.** Masny–Rindal (CCS 2019) endemic OT from Diffie–Hellman key agreement over
//! ristretto255 and a programmable-once public function built from a hash to the group
//! (RFC 9496 one-way map on SHA-512). It is proven UC-secure against *malicious*
//! adversaries in the random-oracle model under CDH, for the endemic OT functionality (a
//! corrupt party picks its own outputs), which is what OT extension needs: the base OTs
//! only seed PRGs. Unlike Chou–Orlandi, a corrupt receiver cannot learn both keys (it can
//! know the discrete log of `F(r; j)` for at most one `j`), and a corrupt sender learns
//! nothing about the choice, because `(r_0, r_1)` is uniform for either choice. We chose
//! it over Canetti–Sarkar–Wang (PKC 2020), which needs an extra challenge–response
//! round, for lack of time to implement and test CSW as well; both are maliciously secure
//! and Masny–Rindal is the base OT libOTe ships by default. 128 base OTs take one
//! variable-base and one fixed-base multiplication per OT at the receiver and two
//! variable-base ones at the sender (a few tens of ms, once per key set).
//!
//! **Extension.** KOS15 with its correlation check: `χ` comes from a coin toss in which the
//! receiver commits to its seed together with the matrix and the sender sends its seed
//! only after the matrix is fixed, so neither side controls `χ`. Each chunk carries
//! [`ext::CHECK_OTS`] = 256 ≥ κ + s extra random OTs that mask `x̃`. Security: κ = 128
//! bits computational (AES as an ideal cipher for the hash and PRG) and statistical
//! security about 2^-s with s = 64 from the check, as analysed in KOS15 (a cheating
//! receiver that passes the check learns only a few bits of Δ, each at the risk of an
//! abort; the analysis was revisited in later work, which we did not re-derive here). The hash is the tweakable
//! circular correlation-robust function of Guo–Katz–Wang–Yu (S&P 2020), with the OT's
//! global index (and a lane) as tweak, so no pad input repeats within an instance.
//!
//! **SoftSpokenOT.** Per group of d base OTs, a GGM tree punctured at the sender's d bits
//! of Δ gives a small-field VOLE over GF(2^d) (Roy 2022, §3–4); the groups are glued into
//! KOS-shaped correlated OTs by the receiver's corrections, and the same coin-tossed
//! correlation check runs on the rows. Roy proves the maliciously secure variant with a
//! check of this shape; a cheating receiver can at best try to guess a whole group's d
//! bits of Δ at the risk of an abort, so the statistical bound degrades with d (see Roy
//! 2022 for the exact bound; we did not re-derive it here). The GGM trees are not checked on their own: a wrong tree makes the
//! sender's columns inconsistent and fails the first check (tested).
//!
//! **No reuse after failure.** Any failed check, refused message or malformed input
//! retires the state ([`ExtSender::is_retired`]): it drops the PRG seeds, and every later
//! call returns [`OtError::Retired`]. A selective-failure attacker therefore learns at
//! most what one failed check reveals about Δ before the base OTs are gone. The VOLE seed
//! pairs carry no check of their own; the offline phase's VOLE check must drop them on
//! failure in the same way.
//!
//! **Messages.** Each starts with an 18-byte header (version, kind, sequence number, 8
//! bytes of the instance tag), checked before parsing together with the exact length: a
//! replayed, reordered, truncated or misrouted message is refused with
//! [`OtError::BadMessage`], which also retires the state.
#![deny(unsafe_code)]
#![warn(clippy::unwrap_used)]
#![warn(missing_docs)]

pub mod block;
pub mod cipher;
pub mod coin;
mod context;
mod error;
pub mod gf128;
pub mod wire;

pub use block::Block;
pub use context::{OtContext, Role};
pub use error::OtError;
pub mod base;
mod expand;
pub mod ext;
mod output;
pub mod transpose;
pub mod words;

pub use base::{BaseOtReceiver, BaseOtSender};
pub use expand::Variant;
pub use ext::{ExtReceiver, ExtReceiverSetup, ExtSender, ExtSenderSetup};
pub use output::{ReceiverCots, SenderCots};
pub mod driver;
pub mod vole;

pub use vole::{VoleSeedChoices, VoleSeedPairs, VoleSeedSetup};
pub use words::SeedStream;
