//! Errors from preprocessing sources. Each message says what went wrong and what to do.

use crate::kind::PrepKind;
use spdz2k_core::KeySetId;
use std::path::PathBuf;

/// Why preprocessing could not be opened, dealt or handed out.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PrepError {
    /// A request asked for more items of one kind than the source has left.
    #[error(
        "party {party} ran out of {kind}: requested {requested}, only {available} left in \
         {origin}; deal or generate more preprocessing (used items are never handed out again)"
    )]
    Exhausted {
        /// This party's index.
        party: usize,
        /// The kind that ran out.
        kind: PrepKind,
        /// Items requested.
        requested: u64,
        /// Items left.
        available: u64,
        /// Where the material comes from, e.g. `file /x/prep-P0.spdz2kprep (...)`.
        origin: String,
    },
    /// Before a run: the available material does not cover what the run needs.
    #[error(
        "not enough preprocessing: the run needs {needed} {kind} but only {available} are \
         available; deal or generate at least {} more",
        needed.saturating_sub(*available)
    )]
    Insufficient {
        /// The first kind that falls short.
        kind: PrepKind,
        /// Items the run needs.
        needed: u64,
        /// Items available.
        available: u64,
    },
    /// At session start: two parties' preprocessing does not belong together.
    #[error(
        "the preprocessing of P{party} and P{peer} does not belong together: the {field} \
         differs (P{party}: {ours}; P{peer}: {theirs}); nothing was used. Fix: {}",
        fix_for(field)
    )]
    Unpaired {
        /// This party.
        party: usize,
        /// The peer whose material differs.
        peer: usize,
        /// What differs, e.g. `deal`.
        field: &'static str,
        /// This party's value.
        ours: String,
        /// The peer's value.
        theirs: String,
    },
    /// At session start: one party's material left does not cover what the run needs.
    #[error(
        "not enough preprocessing at P{party}: the run needs {needed} {kind} but P{party} has \
         only {available} left; refused before any input was taken and nothing was used. \
         Deal or generate at least {} more", needed.saturating_sub(*available)
    )]
    PartyShort {
        /// The party that falls short.
        party: usize,
        /// The first kind that falls short.
        kind: PrepKind,
        /// Items the run needs.
        needed: u64,
        /// Items that party has left (after skipping to the furthest cursor).
        available: u64,
    },
    /// At session start: a peer's preprocessing fingerprint could not be read.
    #[error("P{peer} sent a malformed preprocessing fingerprint: {detail}")]
    BadFingerprint {
        /// The peer.
        peer: usize,
        /// What is wrong with it.
        detail: String,
    },
    /// A source was asked to skip to a cursor it cannot reach.
    #[error("{origin} cannot skip to another party's cursor {cursor}: {detail}")]
    CannotSkip {
        /// The source.
        origin: String,
        /// The cursor asked for.
        cursor: String,
        /// Why not.
        detail: String,
    },
    /// A preprocessing file was made for other parameters, another party or key set.
    #[error(
        "preprocessing file {path} was made for {field} {found}, but this run expects \
         {expected}; use the file made for this party and run, or deal new preprocessing"
    )]
    Mismatch {
        /// The file.
        path: PathBuf,
        /// The header field that differs, e.g. `party index`.
        field: &'static str,
        /// What the caller expects.
        expected: String,
        /// What the file says.
        found: String,
    },
    /// The file was written in a format version this build does not read.
    #[error(
        "preprocessing file {path} has format version {found}, but this build reads only \
         version {supported}; deal or generate the preprocessing again with this build \
         (e.g. `spdz2k deal-insecure`)"
    )]
    UnsupportedVersion {
        /// The file.
        path: PathBuf,
        /// The file's version.
        found: u32,
        /// The version this build reads.
        supported: u32,
    },
    /// Another process (or another store in this process) has the file open.
    #[error(
        "preprocessing file {path} is in use by another process ({holder}): two users of one \
         file would hand out the same items. Wait for that process to end or stop it; its lock \
         ends with it, even if it is killed"
    )]
    Locked {
        /// The preprocessing file.
        path: PathBuf,
        /// Who holds the lock, e.g. `pid 4242` (from the state file), or `holder unknown`.
        holder: String,
    },
    /// Dealing would overwrite an existing file, whose material may already be in use.
    #[error(
        "refusing to overwrite the existing preprocessing file {path}: its items may already \
         have been used. Move it away or choose another output directory"
    )]
    AlreadyExists {
        /// The existing file.
        path: PathBuf,
    },
    /// The MAC key set was retired after a failed check: using it again would let a cheater
    /// learn the key one abort at a time.
    #[error(
        "the MAC key set {key_set} of {origin} is retired: a check failed in {cause}. A \
         cheater could learn the MAC key from repeated aborts, so this key set is never used \
         again; generate fresh preprocessing (a new key set)"
    )]
    Retired {
        /// The retired key set.
        key_set: KeySetId,
        /// Where the material comes from, e.g. `preprocessing file /x/prep-P0.spdz2kprep`.
        origin: String,
        /// The session, party and failed check that retired it.
        cause: String,
    },
    /// A file could not be read or written.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What was being done, e.g. `read the header of`.
        action: &'static str,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A file is damaged, truncated or not a preprocessing file.
    #[error(
        "preprocessing file {path} is corrupt: {detail}; deal or generate it again (do not \
         repair it by hand)"
    )]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// A party index outside 0..n.
    #[error("party index {party} is out of range for {n_parties} parties (valid: 0..{n_parties})")]
    InvalidParty {
        /// The index given.
        party: usize,
        /// The number of parties.
        n_parties: usize,
    },
    /// Input masks were requested for an owner outside 0..n.
    #[error(
        "input masks were requested for party {owner}, but there are only {n_parties} parties \
         (valid owners: 0..{n_parties})"
    )]
    UnknownOwner {
        /// The owner asked for.
        owner: usize,
        /// The number of parties.
        n_parties: usize,
    },
    /// A number of parties that is zero or too large.
    #[error("{n_parties} parties is not supported: the number of parties must be 1..={max}")]
    InvalidPartyCount {
        /// The number given.
        n_parties: usize,
        /// The largest supported number.
        max: usize,
    },
    /// Counts to deal list input masks for a different number of owners than parties.
    #[error(
        "the counts to deal list input masks for {listed} owners, but there are {n_parties} \
         parties: give one count per party"
    )]
    InputMaskOwners {
        /// Owners listed in the counts.
        listed: usize,
        /// The number of parties.
        n_parties: usize,
    },
}

/// The fix for a [`PrepError::Unpaired`] on `field`.
pub(crate) fn fix_for(field: &str) -> &'static str {
    match field {
        "parameters (k, s)" => {
            "start every party with the same parameter set and preprocessing made for it"
        }
        "number of parties" => "use preprocessing dealt for this number of parties",
        "party index of the material" => "give each party the file made for its own index",
        "items dealt" => {
            "the files claim one deal but hold different amounts: one was altered; deal again"
        }
        _ => FIX_SAME_DEAL,
    }
}

/// The fix for preprocessing that does not belong together.
const FIX_SAME_DEAL: &str = "give every party its own file from one deal (the prep-P<i> files \
     of one `spdz2k deal-insecure --out DIR` run), or the same --insecure-dealer-seed to every \
     party; never mix files of two deals, or a file with a seed";
