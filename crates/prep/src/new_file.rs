//! A preprocessing file being created, shared by the insecure dealer ([`crate::deal`]) and
//! the streaming writer of the secure offline phase ([`crate::PrepFileWriter`]): the header
//! with a placeholder chunk digest and two cursor slots go first, the section data follows,
//! and [`NewFile::finish`] appends the chunk table and rewrites the header with its digest.

use crate::chunks::ChunkHasher;
use crate::counts::PrepCounts;
use crate::error::PrepError;
use crate::format::{self, CHUNK_BYTES, FORMAT_VERSION, PrepHeader};
use crate::origin::DealId;
use spdz2k_core::KeySetId;
use spdz2k_ring::Params;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// The header of a new file of `party` for `counts` items (one input-mask count per party,
/// so `counts.input_masks.len()` is the number of parties), made by `source` (with `note`)
/// under `key_set` with the encoded MAC key share `mac_key_share`. Its chunk digest is a
/// placeholder of the right length until [`NewFile::finish`].
pub(crate) fn new_header<P: Params>(
    (source, note): (&str, &str),
    party: usize,
    counts: &PrepCounts,
    key_set: KeySetId,
    deal: DealId,
    mac_key_share: Vec<u8>,
) -> PrepHeader {
    PrepHeader {
        version: FORMAT_VERSION,
        source: source.into(),
        note: note.into(),
        params: P::id(),
        n_parties: counts.input_masks.len(),
        party,
        key_set,
        deal,
        counts: counts.clone(),
        chunk_bytes: CHUNK_BYTES,
        // A placeholder of the same length, rewritten once the data is hashed.
        chunks_digest: [0; 32],
        mac_key_share,
        digest: [0; 32],
    }
}

/// One preprocessing file being written.
pub(crate) struct NewFile {
    path: PathBuf,
    w: BufWriter<File>,
    /// The file's header (its chunk digest is set by [`Self::finish`]).
    pub(crate) header: PrepHeader,
    chunks: ChunkHasher,
}

impl NewFile {
    /// Creates `path` (mode 0600; refused if it exists) and writes `header` and the cursor
    /// slots. If that write fails the file is removed again.
    pub(crate) fn create(path: &Path, header: PrepHeader) -> Result<Self, PrepError> {
        let file = create_secret_file(path)?;
        let mut me = Self {
            path: path.to_owned(),
            w: BufWriter::with_capacity(1 << 20, file),
            header,
            chunks: ChunkHasher::new(CHUNK_BYTES),
        };
        let start = me.start();
        if let Err(e) = me.put(&start) {
            let _ = std::fs::remove_file(path);
            return Err(e);
        }
        Ok(me)
    }

    /// The header (encoding it sets its digest) and the two initial cursor slots, as they
    /// start the file.
    fn start(&mut self) -> Vec<u8> {
        let mut start = self.header.encode();
        start.extend_from_slice(&initial_cursors(&self.header.digest, self.header.n_parties));
        start
    }

    fn io(&self, action: &'static str) -> impl FnOnce(std::io::Error) -> PrepError + '_ {
        move |source| PrepError::Io {
            path: self.path.clone(),
            action,
            source,
        }
    }

    fn put(&mut self, bytes: &[u8]) -> Result<(), PrepError> {
        let r = self.w.write_all(bytes);
        r.map_err(self.io("write"))
    }

    /// Writes section data, which the chunk table covers.
    pub(crate) fn put_data(&mut self, bytes: &[u8]) -> Result<(), PrepError> {
        self.chunks.update(bytes);
        self.put(bytes)
    }

    /// Appends the chunk table, then rewrites the header (now with the table's digest; same
    /// length) and the cursor slots (bound to the header digest), and syncs the file.
    pub(crate) fn finish(mut self) -> Result<(), PrepError> {
        let chunks = core::mem::replace(&mut self.chunks, ChunkHasher::new(1));
        let (table, digest) = chunks.finish();
        self.put(&table)?;
        self.header.chunks_digest = digest;
        let start = self.start();
        let path = self.path;
        let mut file = self.w.into_inner().map_err(|e| PrepError::Io {
            path: path.clone(),
            action: "write",
            source: e.into_error(),
        })?;
        let io = |action| {
            let path = path.clone();
            move |source| PrepError::Io {
                path,
                action,
                source,
            }
        };
        file.seek(SeekFrom::Start(0))
            .and_then(|_| file.write_all(&start))
            .map_err(io("write the header of"))?;
        file.sync_all().map_err(io("sync"))
    }
}

/// Two valid cursor slots, nothing used; the newer (seq 1) sits in slot 1 = seq % 2.
fn initial_cursors(header_digest: &[u8; 32], n_parties: usize) -> Vec<u8> {
    let zero = PrepCounts {
        input_masks: vec![0; n_parties],
        ..PrepCounts::default()
    };
    let mut out = format::encode_cursor(header_digest, 0, &zero);
    out.extend_from_slice(&format::encode_cursor(header_digest, 1, &zero));
    out
}

/// Creates `path` for writing with mode 0600 (on Unix), refusing an existing file.
fn create_secret_file(path: &Path) -> Result<File, PrepError> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map_err(|source| PrepError::Io {
        path: path.to_owned(),
        action: "create",
        source,
    })
}
