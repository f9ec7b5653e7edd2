//! Protocol phases, and the hook adversarial tests use to make one party cheat.

#[cfg(feature = "tamper-hooks")]
use spdz2k_core::WireMsg;
#[cfg(feature = "tamper-hooks")]
use spdz2k_ring::Params;

/// A protocol round, as named in errors, logs and transport counters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Phase {
    /// An input owner broadcasts x - r.
    Input,
    /// Beaver openings x - a, y - b of a multiplication or dot product.
    BeaverOpening,
    /// A masked opening x + 2^k r of values opened to all.
    MaskedOpening,
    /// The opening (x - r) + 2^k r' of a private output to one party.
    OutputOpening,
    /// The opening x^ - a of a client output.
    ClientOutputOpening,
    /// MAC check round 1: coin commitments and transcript hashes.
    CoinCommit,
    /// MAC check round 2: coin seeds.
    CoinOpen,
    /// MAC check round 3: commitments to z_i.
    ZCommit,
    /// MAC check round 4: z_i.
    ZOpen,
    /// Parties compare digests of a client's input.
    ClientInputDigest,
    /// Session start: parties compare their preprocessing (deal, parameters, cursors).
    PrepAgreement,
}

impl Phase {
    /// A short name.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Input => "input",
            Phase::BeaverOpening => "multiplication (Beaver opening)",
            Phase::MaskedOpening => "opening",
            Phase::OutputOpening => "private output",
            Phase::ClientOutputOpening => "client output",
            Phase::CoinCommit => "MAC check: coin commitments",
            Phase::CoinOpen => "MAC check: coin opening",
            Phase::ZCommit => "MAC check: commitments",
            Phase::ZOpen => "MAC check: openings",
            Phase::ClientInputDigest => "client input digest comparison",
            Phase::PrepAgreement => "preprocessing agreement",
        }
    }
}

impl core::fmt::Display for Phase {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

/// Lets a test party alter what it sends (the `tamper-hooks` feature, off by default): called once per recipient for every message, so
/// a test can also send different messages to different parties. Honest code never sets one;
/// it exists so that every cheating path has a test proving it is caught.
#[cfg(feature = "tamper-hooks")]
pub trait TamperHook<P: Params>: Send {
    /// May change `msg` before it is sent to party `to` in `phase`.
    fn tamper(&mut self, phase: Phase, to: usize, msg: &mut WireMsg<P>);
}

#[cfg(feature = "tamper-hooks")]
impl<P: Params, F: FnMut(Phase, usize, &mut WireMsg<P>) + Send> TamperHook<P> for F {
    fn tamper(&mut self, phase: Phase, to: usize, msg: &mut WireMsg<P>) {
        self(phase, to, msg)
    }
}
