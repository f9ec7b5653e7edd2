//! The lock on a preprocessing file and its state file beside it.
//!
//! The lock is an OS advisory lock (`flock`) on the preprocessing file itself, held by the
//! open handle: the kernel releases it when the process ends, however it ends (exit,
//! SIGINT, SIGTERM, kill -9), so a lock can never outlive its holder. Nothing is left on
//! disk to delete by hand.
//!
//! The state file `<file>.state` records which process holds the lock (for the error a
//! second opener shows).

use crate::error::PrepError;
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

/// Opens (creating if needed, mode 0600) the state file of `path` and records this process
/// as the holder. Call it only while holding the lock.
pub(crate) fn open_state(path: &Path) -> Result<File, PrepError> {
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
    Ok(file)
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
