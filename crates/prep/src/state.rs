//! The lock on a preprocessing file and its state file beside it.
//!
//! The lock is an OS advisory lock (`flock`) on the preprocessing file itself, held by the
//! open handle: the kernel releases it when the process ends, however it ends (exit,
//! SIGINT, SIGTERM, kill -9), so a lock can never outlive its holder. Nothing is left on
//! disk to delete by hand.
//!
//! The state file `<file>.state` records which process holds the lock (for the error a
//! second opener shows) and the high-water mark of the file's cursors: two cursor slots
//! like those in the file (same encoding, bound to the file's header digest), written and
//! synced after the file's own slot and before items are handed out. A file restored from a
//! backup therefore has cursors behind its state file, and opening it skips forward to the
//! high-water mark instead of handing out used items again. Restoring the state file too
//! (or copying both elsewhere) defeats this local check; the session-start agreement then
//! still skips to the furthest cursor of any party, so only a restore of every party's
//! files and state files together goes unnoticed (see docs/PREPROCESSING.md).

use crate::counts::PrepCounts;
use crate::error::PrepError;
use crate::format;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// The first line of every state file.
const STATE_MAGIC: &str = "SPDZ2K-PREP-STATE 1";
/// Bytes of the text preamble (magic and holder pid), padded with spaces.
pub(crate) const PREAMBLE_LEN: usize = 64;

/// The state file of a preprocessing file: its name with `.state` appended. It holds the
/// pid of the process using the file.
pub fn state_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".state");
    PathBuf::from(s)
}

/// Takes the exclusive advisory lock on the open preprocessing file `file` at `path`.
///
/// # Errors
/// [`PrepError::Locked`] naming the holder's pid (if its state file records one) when
/// another open handle, in this process or another, holds the lock.
pub(crate) fn lock(path: &Path, file: &File) -> Result<(), PrepError> {
    match file.try_lock() {
        Ok(()) => Ok(()),
        Err(TryLockError::WouldBlock) => Err(PrepError::Locked {
            path: path.to_owned(),
            holder: recorded_holder(&state_path(path))
                .map_or_else(|| "holder unknown".to_owned(), |pid| format!("pid {pid}")),
        }),
        Err(TryLockError::Error(source)) => Err(PrepError::Io {
            path: path.to_owned(),
            action: "lock",
            source,
        }),
    }
}

/// The pid recorded in a state file, if it can be read.
fn recorded_holder(state: &Path) -> Option<u32> {
    let mut buf = [0u8; PREAMBLE_LEN];
    let mut f = File::open(state).ok()?;
    f.read_exact(&mut buf).ok()?;
    let text = core::str::from_utf8(&buf).ok()?;
    let mut lines = text.lines();
    (lines.next()? == STATE_MAGIC).then_some(())?;
    lines.next()?.strip_prefix("pid: ")?.trim().parse().ok()
}

/// The open state file of a locked preprocessing file.
#[derive(Debug)]
pub(crate) struct StateFile {
    path: PathBuf,
    file: File,
}

impl StateFile {
    /// The newest valid high-water mark for the file whose header digest is `digest`, if
    /// any: (sequence number, cursors).
    pub fn read_mark(
        &mut self,
        digest: &[u8; 32],
        totals: &PrepCounts,
    ) -> Option<(u64, PrepCounts)> {
        let n = totals.input_masks.len();
        let len = format::cursor_len(n);
        let mut slots = vec![0u8; 2 * len];
        self.file
            .seek(SeekFrom::Start(PREAMBLE_LEN as u64))
            .and_then(|_| self.file.read_exact(&mut slots))
            .ok()?;
        slots
            .chunks_exact(len)
            .filter_map(|s| format::decode_cursor(digest, s, n))
            .filter(|(_, c)| {
                c.input_masks.len() == n && totals.entries().all(|(kind, t)| c.get(kind) <= t)
            })
            .max_by_key(|(seq, _)| *seq)
    }

    /// Writes the high-water mark `consumed` with sequence number `seq` into slot `seq % 2`
    /// and syncs it.
    pub fn write_mark(
        &mut self,
        digest: &[u8; 32],
        seq: u64,
        consumed: &PrepCounts,
    ) -> Result<(), PrepError> {
        let slot = format::encode_cursor(digest, seq, consumed);
        let offset = PREAMBLE_LEN as u64 + (seq % 2) * slot.len() as u64;
        self.file
            .seek(SeekFrom::Start(offset))
            .and_then(|_| self.file.write_all(&slot))
            .and_then(|_| self.file.sync_data())
            .map_err(|source| PrepError::Io {
                path: self.path.clone(),
                action: "record the high-water mark in",
                source,
            })
    }
}

/// Opens (creating if needed, mode 0600) the state file of `path` and records this process
/// as the holder. Call it only while holding the lock.
pub(crate) fn open_state(path: &Path) -> Result<StateFile, PrepError> {
    let state = state_path(path);
    let io = |action| {
        let state = state.clone();
        move |source| PrepError::Io {
            path: state,
            action,
            source,
        }
    };
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&state).map_err(io("open the state file"))?;
    let mut preamble = format!("{STATE_MAGIC}\npid: {}\n", std::process::id()).into_bytes();
    preamble.resize(PREAMBLE_LEN - 1, b' ');
    preamble.push(b'\n');
    file.seek(SeekFrom::Start(0))
        .and_then(|_| file.write_all(&preamble))
        .map_err(io("record the holder in"))?;
    Ok(StateFile { path: state, file })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holder_pid_round_trips_and_garbage_is_unknown() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"x").unwrap();
        let _state = open_state(&path).unwrap();
        assert_eq!(
            recorded_holder(&state_path(&path)),
            Some(std::process::id())
        );
        std::fs::write(state_path(&path), b"nonsense").unwrap();
        assert_eq!(recorded_holder(&state_path(&path)), None);
    }
}
