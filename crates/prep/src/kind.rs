//! The kinds of preprocessed material (a leaf module: counts and errors both name them).

use core::fmt;

/// One kind of preprocessed material.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PrepKind {
    /// Multiplication triples (`[a]`, `[b]`, `[c] = [ab]`).
    Triples,
    /// Authenticated uniform randoms for general use.
    Randoms,
    /// Authenticated randoms that mask the top bits of a non-Beaver opening.
    OpenMasks,
    /// Input masks `[r]` whose clear value r only `owner` knows.
    InputMasks {
        /// The party that learns r and may input with it.
        owner: usize,
    },
}

impl fmt::Display for PrepKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Triples => f.write_str("triples"),
            Self::Randoms => f.write_str("randoms"),
            Self::OpenMasks => f.write_str("open masks"),
            Self::InputMasks { owner } => write!(f, "input masks of party {owner}"),
        }
    }
}
