//! Preprocessing read from one party's file, with consumption that survives restarts.
//!
//! Opening takes an exclusive OS lock on the file (released by the kernel when the process
//! ends, however it ends; see [`crate::state`]), checks the header against the
//! caller's parameters, party, number of parties and (optionally) key set, and reads the
//! consumption cursor stored in the file. Every request reads the next items with one
//! sequential read, then writes and syncs the advanced cursor, and only then returns the
//! items: a crash can lose items but never hand one out twice.
//!
//! After a failed check the engine retires the file's key set: [`Preprocessing::retire`]
//! writes and syncs a marker next to the file (`<file>.retired`), and opening refuses a
//! file with a marker, naming the session and the failed check.

use crate::counts::PrepCounts;
use crate::error::PrepError;
use crate::format::{self, Layout, PrepHeader};
use crate::kind::PrepKind;
use crate::origin::{PrepOrigin, PrepPosition};
use crate::retire::RetireCause;
use crate::source::{InputMasks, Preprocessing};
use crate::state::StateFile;
use spdz2k_core::{AuthShares, KeySetId, MacKeyShare, Triples};
use spdz2k_ring::Params;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Bytes decoded per block when reading a run of items.
const READ_BLOCK_BYTES: usize = 4 << 20;

/// Reads just the header of a preprocessing file (no lock, no checks against a run).
///
/// # Errors
/// [`PrepError::Io`] or [`PrepError::Corrupt`].
pub fn read_header(path: &Path) -> Result<PrepHeader, PrepError> {
    let mut file = File::open(path).map_err(|source| PrepError::Io {
        path: path.to_owned(),
        action: "open",
        source,
    })?;
    let (header, _) = read_header_from(path, &mut file)?;
    Ok(header)
}

fn read_header_from(path: &Path, file: &mut File) -> Result<(PrepHeader, usize), PrepError> {
    let io = |source| PrepError::Io {
        path: path.to_owned(),
        action: "read the header of",
        source,
    };
    let mut buf = Vec::with_capacity(4096);
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    file.take(format::MAX_HEADER_BYTES as u64)
        .read_to_end(&mut buf)
        .map_err(io)?;
    PrepHeader::parse(path, &buf)
}

/// One party's preprocessing from a file. See the module docs.
pub struct FileStore<P: Params> {
    path: PathBuf,
    file: File,
    header: PrepHeader,
    layout: Layout,
    mac_key: MacKeyShare<P>,
    consumed: PrepCounts,
    cursor_seq: u64,
    /// The state file beside the preprocessing file.
    state: StateFile,
    /// Items skipped when the file was opened (its cursors were behind the state file's
    /// high-water mark), reported with the next [`Preprocessing::skip_to`].
    skipped_at_open: PrepCounts,
}

impl<P: Params> core::fmt::Debug for FileStore<P> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("FileStore")
            .field("path", &self.path)
            .field("header", &self.header)
            .field("consumed", &self.consumed)
            .finish_non_exhaustive()
    }
}

impl<P: Params> FileStore<P> {
    /// Opens `path` for party `party` of `n_parties`, refusing material made for other
    /// parameters, another party or another number of parties.
    ///
    /// # Errors
    /// [`PrepError::Locked`] if the file is in use, [`PrepError::Mismatch`] naming the
    /// differing field, [`PrepError::Corrupt`] or [`PrepError::Io`].
    pub fn open(path: &Path, party: usize, n_parties: usize) -> Result<Self, PrepError> {
        Self::open_checked(path, party, n_parties, None)
    }

    /// Like [`FileStore::open`], and also refuses material made under another MAC key set.
    ///
    /// # Errors
    /// As [`FileStore::open`].
    pub fn open_with_key_set(
        path: &Path,
        party: usize,
        n_parties: usize,
        key_set: KeySetId,
    ) -> Result<Self, PrepError> {
        Self::open_checked(path, party, n_parties, Some(key_set))
    }

    fn open_checked(
        path: &Path,
        party: usize,
        n_parties: usize,
        key_set: Option<KeySetId>,
    ) -> Result<Self, PrepError> {
        crate::validate_parties(party, n_parties)?;
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .map_err(|source| PrepError::Io {
                path: path.to_owned(),
                action: "open (for reading, and writing the consumption cursor)",
                source,
            })?;
        // Lock before reading anything, so the cursor read below is ours alone. The lock
        // belongs to `file` and ends with it (or with the process).
        crate::state::lock(path, &file)?;
        let mut state = crate::state::open_state(path)?;
        let (header, header_len) = read_header_from(path, &mut file)?;
        let origin = || format!("preprocessing file {}", path.display());
        if let Some(cause) = crate::retire::read_marker(path) {
            return Err(PrepError::Retired {
                key_set: header.key_set,
                origin: origin(),
                cause,
            });
        }
        crate::ensure_not_retired(header.key_set, &origin())?;
        let mismatch = |field, expected: String, found: String| PrepError::Mismatch {
            path: path.to_owned(),
            field,
            expected,
            found,
        };
        if header.params != P::id() {
            return Err(mismatch(
                "parameters (k, s)",
                format!("{} ({})", P::id(), P::NAME),
                header.params.to_string(),
            ));
        }
        if header.n_parties != n_parties {
            return Err(mismatch(
                "number of parties",
                n_parties.to_string(),
                header.n_parties.to_string(),
            ));
        }
        if header.party != party {
            return Err(mismatch(
                "party index",
                party.to_string(),
                header.party.to_string(),
            ));
        }
        if let Some(expected) = key_set
            && header.key_set != expected
        {
            return Err(mismatch(
                "MAC key set ID",
                expected.to_string(),
                header.key_set.to_string(),
            ));
        }
        let corrupt = |detail: String| PrepError::Corrupt {
            path: path.to_owned(),
            detail,
        };
        let key = P::decode(&header.mac_key_share)
            .ok()
            .filter(|&w| P::reduce_s(w) == w)
            .ok_or_else(|| corrupt("the MAC key share is not an element of Z_2^s".into()))?;
        let layout = Layout::new(&header, header_len, P::BYTES)
            .ok_or_else(|| corrupt("the counts in the header are impossibly large".into()))?;
        let file_len = file
            .metadata()
            .map_err(|source| PrepError::Io {
                path: path.to_owned(),
                action: "read the size of",
                source,
            })?
            .len();
        if file_len != layout.total_len {
            return Err(corrupt(format!(
                "the file is {file_len} bytes but its header describes {} bytes (truncated or \
                 extended)",
                layout.total_len
            )));
        }
        let (file_seq, in_file) = read_cursor(path, &mut file, &header, &layout)?;
        let mark = state.read_mark(&header.digest, &header.counts);
        let consumed = match &mark {
            Some((_, mark)) => in_file.max(mark),
            None => in_file.clone(),
        };
        let skipped_at_open = consumed.saturating_sub(&in_file);
        if skipped_at_open.sum() > 0 {
            tracing::warn!(path = %path.display(), party, skipped = ?skipped_at_open,
                state = %crate::state_path(path).display(),
                "the file's cursors are behind its high-water mark (was it restored from a \
                 backup?): skipping those items so that none is used twice");
        } else if mark.is_none() && in_file.sum() > 0 {
            tracing::warn!(path = %path.display(), party,
                state = %crate::state_path(path).display(),
                "the file has been used but its state file has no high-water mark (deleted or \
                 damaged?): a restored copy of this file cannot be detected locally; the \
                 parties' cursors are still compared at session start");
        }
        crate::chunks::verify_unused(path, &mut file, &header, &layout, &consumed, P::BYTES)?;
        let cursor_seq = mark
            .as_ref()
            .map_or(file_seq, |(seq, _)| file_seq.max(*seq));

        if header.is_insecure() {
            tracing::warn!(path = %path.display(), party,
                "preprocessing file was made by the INSECURE dealer: whoever ran it knows every secret");
        }
        tracing::info!(path = %path.display(), party, n_parties, params = P::NAME,
            key_set = %header.key_set, source = %header.source,
            "opened preprocessing file");
        let synced = consumed == in_file && mark.is_some_and(|(_, m)| m == consumed);
        let mut store = Self {
            path: path.to_owned(),
            file,
            mac_key: MacKeyShare::new(key),
            header,
            layout,
            consumed: consumed.clone(),
            cursor_seq,
            state,
            skipped_at_open,
        };
        if !synced {
            store.write_cursor(&consumed)?;
        }
        Ok(store)
    }

    /// The file's header.
    pub fn header(&self) -> &PrepHeader {
        &self.header
    }
    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
    /// Items of each kind already handed out (by this or earlier stores on the file).
    pub fn consumed(&self) -> &PrepCounts {
        &self.consumed
    }

    fn origin(&self, kind: PrepKind) -> String {
        format!(
            "file {} ({} dealt, {} already used)",
            self.path.display(),
            self.header.counts.get(kind),
            self.consumed.get(kind)
        )
    }

    /// Takes the next `n` items of `kind`: their elements, one column per element of an
    /// item. The cursor is on disk before this returns.
    fn take(&mut self, kind: PrepKind, n: usize) -> Result<Vec<Vec<P::Word>>, PrepError> {
        let total = self.header.counts.get(kind);
        let used = self.consumed.get(kind);
        let left = total.saturating_sub(used);
        let (offset, elems) = self.layout.section(kind).ok_or(PrepError::UnknownOwner {
            owner: match kind {
                PrepKind::InputMasks { owner } => owner,
                _ => usize::MAX,
            },
            n_parties: self.header.n_parties,
        })?;
        if n as u64 > left {
            return Err(PrepError::Exhausted {
                party: self.header.party,
                kind,
                requested: n as u64,
                available: left,
                origin: self.origin(kind),
            });
        }
        if n == 0 {
            return Ok(vec![Vec::new(); elems]);
        }
        let columns = self.read_items(offset, used, n, elems)?;
        let mut consumed = self.consumed.clone();
        consumed.add(kind, n as u64);
        self.write_cursor(&consumed)?;
        self.consumed = consumed;
        tracing::debug!(path = %self.path.display(), %kind, n, "handed out preprocessing");
        Ok(columns)
    }

    /// Reads items `first..first + n` of a section, decoding block by block.
    fn read_items(
        &mut self,
        section: u64,
        first: u64,
        n: usize,
        elems: usize,
    ) -> Result<Vec<Vec<P::Word>>, PrepError> {
        let item_bytes = elems * P::BYTES;
        let overflow = || PrepError::Corrupt {
            path: self.path.clone(),
            detail: "item offset overflows".into(),
        };
        let start = first
            .checked_mul(item_bytes as u64)
            .and_then(|o| o.checked_add(section))
            .ok_or_else(overflow)?;
        self.file
            .seek(SeekFrom::Start(start))
            .map_err(|source| PrepError::Io {
                path: self.path.clone(),
                action: "seek in",
                source,
            })?;
        // `vec![Vec::with_capacity(n); elems]` would clone away the capacity.
        let mut columns: Vec<Vec<P::Word>> = (0..elems).map(|_| Vec::with_capacity(n)).collect();
        let block_items = (READ_BLOCK_BYTES / item_bytes).max(1);
        let mut buf = vec![0u8; block_items.min(n) * item_bytes];
        let mut done = 0;
        while done < n {
            let items = block_items.min(n - done);
            let bytes = &mut buf[..items * item_bytes];
            self.file
                .read_exact(bytes)
                .map_err(|source| PrepError::Io {
                    path: self.path.clone(),
                    action: "read items from",
                    source,
                })?;
            let words = P::decode_slice(bytes).map_err(|e| PrepError::Corrupt {
                path: self.path.clone(),
                detail: format!("bad ring element in the data: {e}"),
            })?;
            for item in words.chunks_exact(elems) {
                for (col, &w) in columns.iter_mut().zip(item) {
                    col.push(w);
                }
            }
            done += items;
        }
        Ok(columns)
    }

    /// Writes `consumed` into the older cursor slot of the file and then of the state file
    /// (the high-water mark), syncing each, before anything is handed out.
    fn write_cursor(&mut self, consumed: &PrepCounts) -> Result<(), PrepError> {
        let seq = self.cursor_seq.wrapping_add(1);
        let slot = format::encode_cursor(&self.header.digest, seq, consumed);
        let offset = self.layout.cursor_start + (seq % 2) * self.layout.cursor_len;
        let io = |source| PrepError::Io {
            path: self.path.clone(),
            action: "record consumption in",
            source,
        };
        self.file.seek(SeekFrom::Start(offset)).map_err(io)?;
        self.file.write_all(&slot).map_err(io)?;
        self.file.sync_data().map_err(io)?;
        self.state.write_mark(&self.header.digest, seq, consumed)?;
        self.cursor_seq = seq;
        Ok(())
    }

    fn shares(&self, mut columns: Vec<Vec<P::Word>>) -> Result<AuthShares<P>, PrepError> {
        let macs = columns.pop().unwrap_or_default();
        let values = columns.pop().unwrap_or_default();
        AuthShares::from_parts(values, macs).map_err(|e| PrepError::Corrupt {
            path: self.path.clone(),
            detail: e.to_string(),
        })
    }
}

/// Reads both cursor slots and returns the newest valid one.
fn read_cursor(
    path: &Path,
    file: &mut File,
    header: &PrepHeader,
    layout: &Layout,
) -> Result<(u64, PrepCounts), PrepError> {
    let mut slots = vec![0u8; 2 * layout.cursor_len as usize];
    file.seek(SeekFrom::Start(layout.cursor_start))
        .and_then(|_| file.read_exact(&mut slots))
        .map_err(|source| PrepError::Io {
            path: path.to_owned(),
            action: "read the consumption cursor of",
            source,
        })?;
    let (a, b) = slots.split_at(layout.cursor_len as usize);
    let within = |c: &PrepCounts| {
        header
            .counts
            .entries()
            .zip(c.entries())
            .all(|((_, total), (_, used))| used <= total)
    };
    [a, b]
        .into_iter()
        .filter_map(|s| format::decode_cursor(&header.digest, s, header.n_parties))
        .filter(|(_, c)| c.input_masks.len() == header.n_parties && within(c))
        .max_by_key(|(seq, _)| *seq)
        .ok_or_else(|| PrepError::Corrupt {
            path: path.to_owned(),
            detail: "both consumption cursor slots are damaged, so it is unknown which items \
                     were already used"
                .into(),
        })
}

impl<P: Params> Preprocessing<P> for FileStore<P> {
    fn party(&self) -> usize {
        self.header.party
    }
    fn n_parties(&self) -> usize {
        self.header.n_parties
    }
    fn key_set_id(&self) -> KeySetId {
        self.header.key_set
    }
    fn mac_key_share(&self) -> MacKeyShare<P> {
        self.mac_key
    }
    fn position(&self) -> PrepPosition {
        PrepPosition {
            origin: PrepOrigin::File,
            deal: self.header.deal,
            total: self.header.counts.clone(),
            consumed: self.consumed.clone(),
        }
    }
    fn skip_to(&mut self, cursor: &PrepCounts) -> Result<PrepCounts, PrepError> {
        // Never past the end: a cursor beyond it means every item is gone.
        let target = self.consumed.max(cursor);
        let over = target.saturating_sub(&self.header.counts);
        let target = target.saturating_sub(&over);
        let skipped = target.saturating_sub(&self.consumed);
        if skipped.sum() > 0 {
            self.write_cursor(&target)?;
            self.consumed = target;
        }
        let mut discarded = core::mem::replace(
            &mut self.skipped_at_open,
            PrepCounts::zero(self.header.n_parties),
        );
        for (kind, n) in skipped.entries() {
            discarded.add(kind, n);
        }
        if discarded.sum() > 0 {
            tracing::warn!(path = %self.path.display(), party = self.header.party,
                discarded = ?discarded, "skipped preprocessing that another party (or an \
                 earlier run) already used or lost, so that no item is used twice");
        }
        Ok(discarded)
    }
    fn available(&self) -> PrepCounts {
        let mut left = PrepCounts {
            input_masks: vec![0; self.header.n_parties],
            ..PrepCounts::default()
        };
        for (kind, total) in self.header.counts.entries() {
            left.add(kind, total.saturating_sub(self.consumed.get(kind)));
        }
        left
    }
    fn triples(&mut self, n: usize) -> Result<Triples<P>, PrepError> {
        let mut cols = self.take(PrepKind::Triples, n)?;
        let c = self.shares(cols.split_off(4))?;
        let b = self.shares(cols.split_off(2))?;
        let a = self.shares(cols)?;
        Ok(Triples { a, b, c })
    }
    fn randoms(&mut self, n: usize) -> Result<AuthShares<P>, PrepError> {
        let cols = self.take(PrepKind::Randoms, n)?;
        self.shares(cols)
    }
    fn open_masks(&mut self, n: usize) -> Result<AuthShares<P>, PrepError> {
        let cols = self.take(PrepKind::OpenMasks, n)?;
        self.shares(cols)
    }
    /// Records the retirement in this process and in the file's marker, synced to disk.
    fn retire(&mut self, cause: &RetireCause) -> Result<(), PrepError> {
        crate::retire_in_process(self.header.key_set, cause);
        crate::retire::write_marker(&self.path, self.header.key_set, cause)?;
        tracing::error!(path = %self.path.display(), key_set = %self.header.key_set,
            cause = %cause, "preprocessing file retired: its MAC key set is never used again");
        Ok(())
    }
    fn input_masks(&mut self, owner: usize, n: usize) -> Result<InputMasks<P>, PrepError> {
        let n_parties = self.header.n_parties;
        if owner >= n_parties {
            return Err(PrepError::UnknownOwner { owner, n_parties });
        }
        let mut cols = self.take(PrepKind::InputMasks { owner }, n)?;
        let clear = if owner == self.header.party {
            Some(cols.pop().unwrap_or_default())
        } else {
            None
        };
        Ok(InputMasks {
            shares: self.shares(cols)?,
            clear,
        })
    }
}
