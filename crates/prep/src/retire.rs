//! Retiring a MAC key set after a failed check.
//!
//! A cheater who adds an error to the top bits of an opened value learns one bit of the MAC
//! key from whether the check fails; about s aborted sessions would reveal the whole key.
//! So a key set whose check failed is never used again (MP-SPDZ deletes the key file for the
//! same reason):
//!
//! - within a process, a registry of retired [`KeySetId`]s, which every source consults
//!   when it is made and the engine consults when a session starts;
//! - across processes, a marker file next to a preprocessing file (`<file>.retired`),
//!   synced to disk before the abort is reported, which [`crate::FileStore`] refuses to open
//!   past.

use crate::error::PrepError;
use spdz2k_core::{KeySetId, SessionId};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Why a key set was retired: the session, the party that retired it and the failed check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetireCause {
    /// The session whose check failed.
    pub session: String,
    /// The party that retired the key set.
    pub party: usize,
    /// What failed, e.g. `MAC check failed over 4 opened values ... (phase: MAC check: openings)`.
    pub reason: String,
}

impl RetireCause {
    /// A cause for `session`, seen by `party`.
    pub fn new(session: &SessionId, party: usize, reason: impl Into<String>) -> Self {
        Self {
            session: session.to_string(),
            party,
            reason: reason.into(),
        }
    }
}

impl core::fmt::Display for RetireCause {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "session {} (party {}): {}",
            self.session, self.party, self.reason
        )
    }
}

static RETIRED: Mutex<Vec<(KeySetId, RetireCause)>> = Mutex::new(Vec::new());

/// Records in this process that `key_set` is retired. Idempotent: the first cause is kept.
pub fn retire_in_process(key_set: KeySetId, cause: &RetireCause) {
    let mut retired = RETIRED.lock().unwrap_or_else(|p| p.into_inner());
    if !retired.iter().any(|(id, _)| *id == key_set) {
        retired.push((key_set, cause.clone()));
    }
}

/// Why `key_set` was retired in this process, if it was.
pub fn retired_in_process(key_set: KeySetId) -> Option<RetireCause> {
    let retired = RETIRED.lock().unwrap_or_else(|p| p.into_inner());
    retired
        .iter()
        .find(|(id, _)| *id == key_set)
        .map(|(_, c)| c.clone())
}

/// Fails with [`PrepError::Retired`] if `key_set` was retired in this process.
///
/// # Errors
/// [`PrepError::Retired`], naming the session and cause and the fix.
pub fn ensure_not_retired(key_set: KeySetId, origin: &str) -> Result<(), PrepError> {
    match retired_in_process(key_set) {
        None => Ok(()),
        Some(cause) => Err(PrepError::Retired {
            key_set,
            origin: origin.to_owned(),
            cause: cause.to_string(),
        }),
    }
}

/// The retirement marker of a preprocessing file: its name with `.retired` appended.
pub fn retired_marker_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".retired");
    PathBuf::from(s)
}

/// Writes the retirement marker of `path` and syncs it (and its directory) to disk.
pub(crate) fn write_marker(
    path: &Path,
    key_set: KeySetId,
    cause: &RetireCause,
) -> Result<(), PrepError> {
    let marker = retired_marker_path(path);
    let io = |action| {
        let marker = marker.clone();
        move |source| PrepError::Io {
            path: marker,
            action,
            source,
        }
    };
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&marker)
        .map_err(io("create the retirement marker"))?;
    // One line per field; the reason is a single line (errors never contain newlines).
    let text = format!(
        "spdz2k retired key set\nkey set: {key_set}\nsession: {}\nparty: {}\ncause: {}\n",
        cause.session,
        cause.party,
        cause.reason.replace('\n', " ")
    );
    f.write_all(text.as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(io("write the retirement marker"))?;
    if let Some(dir) = marker.parent().filter(|d| !d.as_os_str().is_empty()) {
        // Makes the marker's directory entry durable too (not possible on every platform).
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

/// Reads the retirement marker of `path`, if there is one: `Some(cause)`.
pub(crate) fn read_marker(path: &Path) -> Option<String> {
    let marker = retired_marker_path(path);
    if !marker.exists() {
        return None;
    }
    let text = std::fs::read_to_string(&marker).unwrap_or_default();
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .map(str::trim)
            .unwrap_or("unknown")
            .to_owned()
    };
    Some(format!(
        "session {} (party {}): {}",
        field("session:"),
        field("party:"),
        field("cause:")
    ))
}
