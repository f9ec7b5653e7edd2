//! The protocol rounds, as named in errors, logs and transport counters.

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
    /// A start barrier: every party sends one short message and waits for every peer's, so
    /// that timers started after it measure the same interval.
    Barrier,
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
            Phase::Barrier => "start barrier",
        }
    }
}

impl core::fmt::Display for Phase {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}
