//! The chunk table of a preprocessing file: SHA-256 per [`CHUNK_BYTES`] of data, so that
//! damage to the data is found when the file is opened, and named by chunk, instead of
//! surfacing later as a failed MAC check that looks like cheating.
//!
//! [`CHUNK_BYTES`]: crate::format::CHUNK_BYTES

use crate::counts::PrepCounts;
use crate::error::PrepError;
use crate::format::{Layout, PrepHeader};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use subtle::ConstantTimeEq;

/// Hashes data as it is written, one table entry per `chunk_bytes`.
pub(crate) struct ChunkHasher {
    chunk_bytes: u64,
    current: Sha256,
    filled: u64,
    table: Vec<u8>,
}

impl ChunkHasher {
    /// A hasher for chunks of `chunk_bytes` (at least 1).
    pub fn new(chunk_bytes: u64) -> Self {
        Self {
            chunk_bytes: chunk_bytes.max(1),
            current: Sha256::new(),
            filled: 0,
            table: Vec::new(),
        }
    }

    /// Feeds the next data bytes.
    pub fn update(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let room = usize::try_from(self.chunk_bytes - self.filled).unwrap_or(usize::MAX);
            let (now, rest) = bytes.split_at(room.min(bytes.len()));
            self.current.update(now);
            self.filled += now.len() as u64;
            bytes = rest;
            if self.filled == self.chunk_bytes {
                self.close_chunk();
            }
        }
    }

    fn close_chunk(&mut self) {
        let digest = core::mem::take(&mut self.current).finalize();
        self.table.extend_from_slice(&digest);
        self.filled = 0;
    }

    /// The chunk table (closing a last, shorter chunk) and SHA-256 over it.
    pub fn finish(mut self) -> (Vec<u8>, [u8; 32]) {
        if self.filled > 0 {
            self.close_chunk();
        }
        let digest = Sha256::digest(&self.table).into();
        (self.table, digest)
    }
}

/// Checks the chunk table against the header, then every chunk that holds an item not yet
/// used (per `used`). Used items are never read again, so damage there does not matter.
///
/// # Errors
/// [`PrepError::Corrupt`] naming the damaged chunk (its number, bytes and kind), or
/// [`PrepError::Io`].
pub(crate) fn verify_unused(
    path: &Path,
    file: &mut File,
    header: &PrepHeader,
    layout: &Layout,
    used: &PrepCounts,
    elem_bytes: usize,
) -> Result<(), PrepError> {
    let io = |source| PrepError::Io {
        path: path.to_owned(),
        action: "read the data of",
        source,
    };
    let corrupt = |detail: String| PrepError::Corrupt {
        path: path.to_owned(),
        detail,
    };
    let table_len = usize::try_from(layout.chunks.saturating_mul(32))
        .map_err(|_| corrupt("the chunk table is impossibly large".into()))?;
    let mut table = vec![0u8; table_len];
    file.seek(SeekFrom::Start(layout.data_end))
        .and_then(|_| file.read_exact(&mut table))
        .map_err(io)?;
    let digest: [u8; 32] = Sha256::digest(&table).into();
    if !bool::from(digest.ct_eq(&header.chunks_digest)) {
        return Err(corrupt(
            "the chunk table does not match its checksum in the header (damaged on disk or \
             in a copy)"
                .into(),
        ));
    }
    let size = header.chunk_bytes;
    let mut wanted = vec![false; table_len / 32];
    for r in layout.unused_ranges(header, used, elem_bytes) {
        let first = (r.start - layout.data_start) / size;
        let last = (r.end - 1 - layout.data_start) / size;
        for c in first..=last {
            if let Some(w) = usize::try_from(c).ok().and_then(|c| wanted.get_mut(c)) {
                *w = true;
            }
        }
    }
    let mut buf =
        vec![0u8; usize::try_from(size.min(layout.data_end - layout.data_start)).unwrap_or(0)];
    for (c, expected) in table.chunks_exact(32).enumerate() {
        if !wanted.get(c).copied().unwrap_or(false) {
            continue;
        }
        let start = layout.data_start + c as u64 * size;
        let end = (start + size).min(layout.data_end);
        let bytes = &mut buf[..(end - start) as usize];
        file.seek(SeekFrom::Start(start))
            .and_then(|_| file.read_exact(bytes))
            .map_err(io)?;
        let digest: [u8; 32] = Sha256::digest(&*bytes).into();
        if !bool::from(digest.ct_eq(expected)) {
            let kind = match (layout.kind_at(start), layout.kind_at(end - 1)) {
                (Some(a), Some(b)) if a != b => format!(", holding {a} through {b}"),
                (Some(a), _) => format!(", holding {a}"),
                _ => String::new(),
            };
            return Err(corrupt(format!(
                "data chunk {c} of {} (bytes {start}..{end}{kind}) does not match its SHA-256 \
                 in the chunk table: the data was damaged on disk or in a copy. This is \
                 damage, not cheating; no item of it was used",
                layout.chunks
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_has_one_entry_per_chunk_and_ignores_write_boundaries() {
        let data: Vec<u8> = (0..2500u32).map(|i| i as u8).collect();
        let mut a = ChunkHasher::new(1000);
        a.update(&data);
        let mut b = ChunkHasher::new(1000);
        for piece in data.chunks(7) {
            b.update(piece);
        }
        let (ta, da) = a.finish();
        let (tb, db) = b.finish();
        assert_eq!((ta.len(), &ta, da), (3 * 32, &tb, db));
        assert_eq!(&ta[32..64], Sha256::digest(&data[1000..2000]).as_slice());
        assert_eq!(&ta[64..], Sha256::digest(&data[2000..]).as_slice());
        assert!(ChunkHasher::new(1000).finish().0.is_empty());
    }
}
