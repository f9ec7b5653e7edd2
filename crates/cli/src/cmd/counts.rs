//! The item counts that `deal-insecure` and `prep` both take.

use spdz2k_prep::PrepCounts;

/// How many triples, randoms and opening masks to make (the input masks each command takes
/// in its own form).
#[derive(clap::Args, Debug, Clone)]
pub struct CountArgs {
    /// Multiplication triples.
    #[arg(long, default_value_t = 0)]
    pub triples: u64,
    /// Authenticated randoms.
    #[arg(long, default_value_t = 0)]
    pub randoms: u64,
    /// Randoms that mask openings.
    #[arg(long, default_value_t = 0)]
    pub open_masks: u64,
}

impl CountArgs {
    /// These counts with `input_masks` (one count per owner).
    pub fn with_input_masks(&self, input_masks: Vec<u64>) -> PrepCounts {
        PrepCounts {
            triples: self.triples,
            randoms: self.randoms,
            open_masks: self.open_masks,
            input_masks,
        }
    }
}
