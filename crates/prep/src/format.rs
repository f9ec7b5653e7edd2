//! The preprocessing file format, version 2.
//!
//! A file holds one party's material and is laid out as:
//!
//! 1. A text header, one `key: value` line per field in a fixed order, ending with
//!    `header-sha256: <hex>` over every byte before that line:
//!    ```text
//!    SPDZ2K-PREP 2
//!    source: INSECURE-DEALER
//!    note: INSECURE: the dealer that made this file knew every secret and MAC key; ...
//!    k: 64
//!    s: 64
//!    parties: 2
//!    party: 0
//!    key-set: 5f0c...
//!    deal: 81be...
//!    triples: 1000
//!    randoms: 1000
//!    open-masks: 1000
//!    input-masks: 1000,1000
//!    chunk-bytes: 1048576
//!    chunks-sha256: <hex>
//!    mac-key-share: <hex, secret>
//!    header-sha256: <hex>
//!    ```
//! 2. Two consumption-cursor slots, each: the tag `PREPCUR1`, a sequence number, the items
//!    used of each kind (all u64 little-endian, in [`PrepCounts::entries`] order), and
//!    SHA-256 over the header digest and those bytes. Updates alternate between the slots,
//!    so a write torn by a crash leaves the other, older slot valid. Items are returned
//!    only after the new slot is synced, so a torn write belongs to a request that returned
//!    nothing, and falling back to the older slot hands out nothing twice. (A slot damaged
//!    later, after a successful write, is outside this model, like any other disk damage.)
//! 3. The sections: triples, randoms, open masks, then input masks by owner. Items are
//!    stored whole and in order (a triple is a, MAC(a), b, MAC(b), c, MAC(c); an input mask
//!    is the value share, the MAC share and, in the owner's file, the clear mask), so any run
//!    of items is one contiguous read. Elements are `Params::encode`d, `P::BYTES` each.
//! 4. The chunk table: SHA-256 of every `chunk-bytes` chunk of the sections (the last one
//!    shorter), in order; `chunks-sha256` in the header is SHA-256 over the table. A flipped
//!    bit in the data is reported as a corrupt file naming the chunk, before any of it is
//!    used (see [`crate::FileStore::open`]).
//!
//! The `deal` ID is fresh for every deal: files dealt together share it, and the parties
//! compare it (with the key set, the parameters and the cursors) when a session starts.
//! Version 1 files (no deal ID, no chunk table) are refused with the fix: deal again.

use crate::counts::PrepCounts;
use crate::error::PrepError;
use crate::kind::PrepKind;
use crate::origin::DealId;
use sha2::{Digest, Sha256};
use spdz2k_core::KeySetId;
use spdz2k_core::bytes::{Reader, Writer};
use spdz2k_ring::ParamsId;
use std::path::Path;
use subtle::ConstantTimeEq;

/// The first word of every preprocessing file.
pub const MAGIC: &str = "SPDZ2K-PREP";
/// The format version this build reads and writes.
pub const FORMAT_VERSION: u32 = 2;
/// Bytes of data covered by one entry of the chunk table (the last chunk may be shorter).
pub const CHUNK_BYTES: u64 = 1 << 20;
/// The `source` of files made by the insecure dealer.
pub const INSECURE_DEALER_SOURCE: &str = "INSECURE-DEALER";
/// The note written into insecure dealer files.
#[cfg_attr(not(feature = "insecure-dealer"), allow(dead_code))]
pub(crate) const INSECURE_NOTE: &str = "INSECURE: the dealer that made this file knew every \
     secret and MAC key; use it for tests and benchmarks only";
/// The header must end within this many bytes.
pub const MAX_HEADER_BYTES: usize = 64 * 1024;

const CHECKSUM_KEY: &str = "header-sha256: ";
const CURSOR_TAG: &[u8; 8] = b"PREPCUR1";

/// The self-describing header of a preprocessing file.
#[derive(Clone, PartialEq, Eq)]
pub struct PrepHeader {
    /// The format version.
    pub version: u32,
    /// What made the file, e.g. [`INSECURE_DEALER_SOURCE`].
    pub source: String,
    /// A human-readable note from the maker.
    pub note: String,
    /// The parameter set (k, s).
    pub params: ParamsId,
    /// The number of parties.
    pub n_parties: usize,
    /// The party whose shares the file holds.
    pub party: usize,
    /// The MAC key set the material is authenticated under.
    pub key_set: KeySetId,
    /// The deal (or generation run) the file belongs to; every party's file of one deal
    /// carries the same ID.
    pub deal: DealId,
    /// Items of each kind in the file (used or not).
    pub counts: PrepCounts,
    /// Bytes per entry of the chunk table.
    pub chunk_bytes: u64,
    /// SHA-256 over the chunk table.
    pub(crate) chunks_digest: [u8; 32],
    /// This party's MAC key share, `Params::encode`d. Secret.
    pub(crate) mac_key_share: Vec<u8>,
    /// SHA-256 of the header; identifies the file's contents.
    pub(crate) digest: [u8; 32],
}

impl core::fmt::Debug for PrepHeader {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PrepHeader")
            .field("version", &self.version)
            .field("source", &self.source)
            .field("params", &self.params)
            .field("n_parties", &self.n_parties)
            .field("party", &self.party)
            .field("key_set", &self.key_set.to_string())
            .field("deal", &self.deal.to_string())
            .field("counts", &self.counts)
            .field("mac_key_share", &"<redacted>")
            .finish()
    }
}

impl PrepHeader {
    /// Whether the file was made by the insecure dealer.
    pub fn is_insecure(&self) -> bool {
        self.source == INSECURE_DEALER_SOURCE
    }

    /// The header's bytes, checksum line included. Sets `digest`. (Only the insecure
    /// dealer writes files so far.)
    #[cfg_attr(not(feature = "insecure-dealer"), allow(dead_code))]
    pub(crate) fn encode(&mut self) -> Vec<u8> {
        let masks: Vec<String> = self.counts.input_masks.iter().map(u64::to_string).collect();
        let body = format!(
            "{MAGIC} {}\nsource: {}\nnote: {}\nk: {}\ns: {}\nparties: {}\nparty: {}\n\
             key-set: {}\ndeal: {}\ntriples: {}\nrandoms: {}\nopen-masks: {}\n\
             input-masks: {}\nchunk-bytes: {}\nchunks-sha256: {}\nmac-key-share: {}\n",
            self.version,
            self.source,
            self.note,
            self.params.k,
            self.params.s,
            self.n_parties,
            self.party,
            self.key_set,
            self.deal,
            self.counts.triples,
            self.counts.randoms,
            self.counts.open_masks,
            masks.join(","),
            self.chunk_bytes,
            hex::encode(self.chunks_digest),
            hex::encode(&self.mac_key_share),
        );
        self.digest = Sha256::digest(body.as_bytes()).into();
        let mut out = body.into_bytes();
        out.extend_from_slice(CHECKSUM_KEY.as_bytes());
        out.extend_from_slice(hex::encode(self.digest).as_bytes());
        out.push(b'\n');
        out
    }

    /// Parses a header from the start of `buf`: (header, its length in bytes).
    pub(crate) fn parse(path: &Path, buf: &[u8]) -> Result<(Self, usize), PrepError> {
        let corrupt = |detail: String| PrepError::Corrupt {
            path: path.to_owned(),
            detail,
        };
        let magic = format!("{MAGIC} ");
        if !buf.starts_with(magic.as_bytes()) {
            return Err(corrupt(format!(
                "it does not start with {MAGIC}: not a preprocessing file"
            )));
        }
        let first_line_end = find(buf, b"\n").ok_or_else(|| corrupt("no header".into()))?;
        let version_text = buf
            .get(magic.len()..first_line_end)
            .and_then(|b| core::str::from_utf8(b).ok())
            .ok_or_else(|| corrupt("unreadable format version".into()))?;
        let version: u32 = version_text
            .parse()
            .map_err(|_| corrupt(format!("unreadable format version {version_text:?}")))?;
        if version != FORMAT_VERSION {
            return Err(PrepError::UnsupportedVersion {
                path: path.to_owned(),
                found: version,
                supported: FORMAT_VERSION,
            });
        }

        // The body ends where the checksum line starts.
        let marker = format!("\n{CHECKSUM_KEY}");
        let body_len = find(buf, marker.as_bytes())
            .map(|pos| pos + 1)
            .ok_or_else(|| {
                corrupt(format!(
                    "no header checksum line within the first {} bytes (truncated header?)",
                    buf.len()
                ))
            })?;
        let digest_start = body_len + CHECKSUM_KEY.len();
        let header_len = digest_start + 64 + 1;
        let digest_hex = buf
            .get(digest_start..digest_start + 64)
            .ok_or_else(|| corrupt("header checksum is cut short".into()))?;
        if buf.get(header_len - 1) != Some(&b'\n') {
            return Err(corrupt("header checksum line is malformed".into()));
        }
        let mut stored = [0u8; 32];
        hex::decode_to_slice(digest_hex, &mut stored)
            .map_err(|_| corrupt("header checksum is not hexadecimal".into()))?;
        let body = buf
            .get(..body_len)
            .ok_or_else(|| corrupt("header is cut short".into()))?;
        let digest: [u8; 32] = Sha256::digest(body).into();
        if !bool::from(digest.ct_eq(&stored)) {
            return Err(corrupt(
                "the header checksum does not match (the header was changed or damaged)".into(),
            ));
        }

        let text = core::str::from_utf8(body).map_err(|_| corrupt("header is not UTF-8".into()))?;
        let mut lines = text.lines().skip(1);
        let mut field = |key: &str| -> Result<&str, PrepError> {
            let line = lines.next().unwrap_or("");
            line.strip_prefix(key)
                .and_then(|rest| rest.strip_prefix(": "))
                .ok_or_else(|| corrupt(format!("expected header field {key:?}, found {line:?}")))
        };
        let number = |key: &str, v: &str| -> Result<u64, PrepError> {
            v.parse()
                .map_err(|_| corrupt(format!("header field {key:?} is not a number: {v:?}")))
        };
        let source = field("source")?.to_owned();
        let note = field("note")?.to_owned();
        let k = number("k", field("k")?)?;
        let s = number("s", field("s")?)?;
        let n_parties = number("parties", field("parties")?)?;
        let party = number("party", field("party")?)?;
        let key_hex = field("key-set")?;
        let deal_hex = field("deal")?;
        let triples = number("triples", field("triples")?)?;
        let randoms = number("randoms", field("randoms")?)?;
        let open_masks = number("open-masks", field("open-masks")?)?;
        let masks_text = field("input-masks")?;
        let chunk_bytes = number("chunk-bytes", field("chunk-bytes")?)?;
        let chunks_hex = field("chunks-sha256")?;
        let mac_hex = field("mac-key-share")?;
        if chunk_bytes == 0 {
            return Err(corrupt("header field \"chunk-bytes\" is 0".into()));
        }
        let mut deal = [0u8; 16];
        hex::decode_to_slice(deal_hex, &mut deal)
            .map_err(|_| corrupt("header field \"deal\" is not 32 hex digits".into()))?;
        let mut chunks_digest = [0u8; 32];
        hex::decode_to_slice(chunks_hex, &mut chunks_digest)
            .map_err(|_| corrupt("header field \"chunks-sha256\" is not 64 hex digits".into()))?;

        let small = |key: &str, v: u64| -> Result<u32, PrepError> {
            u32::try_from(v).map_err(|_| corrupt(format!("header field {key:?} is too large: {v}")))
        };
        let params = ParamsId {
            k: small("k", k)?,
            s: small("s", s)?,
        };
        let n_parties = usize::try_from(n_parties)
            .ok()
            .filter(|&n| (1..=crate::MAX_PARTIES).contains(&n))
            .ok_or_else(|| corrupt(format!("unsupported number of parties {n_parties}")))?;
        let party = usize::try_from(party)
            .ok()
            .filter(|&p| p < n_parties)
            .ok_or_else(|| corrupt(format!("party {party} is out of range for {n_parties}")))?;
        let mut key_set = [0u8; 16];
        hex::decode_to_slice(key_hex, &mut key_set)
            .map_err(|_| corrupt("header field \"key-set\" is not 32 hex digits".into()))?;
        let input_masks = if masks_text.is_empty() {
            Vec::new()
        } else {
            masks_text
                .split(',')
                .map(|v| number("input-masks", v))
                .collect::<Result<Vec<u64>, _>>()?
        };
        if input_masks.len() != n_parties {
            return Err(corrupt(format!(
                "header lists input masks for {} owners but {n_parties} parties",
                input_masks.len()
            )));
        }
        let mac_key_share = hex::decode(mac_hex)
            .map_err(|_| corrupt("header field \"mac-key-share\" is not hexadecimal".into()))?;
        Ok((
            Self {
                version,
                source,
                note,
                params,
                n_parties,
                party,
                key_set: KeySetId(key_set),
                deal: DealId(deal),
                counts: PrepCounts {
                    triples,
                    randoms,
                    open_masks,
                    input_masks,
                },
                chunk_bytes,
                chunks_digest,
                mac_key_share,
                digest,
            },
            header_len,
        ))
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Where everything lives in one party's file.
#[derive(Clone, Debug)]
pub(crate) struct Layout {
    /// Offset of the first cursor slot.
    pub cursor_start: u64,
    /// Bytes of one cursor slot.
    pub cursor_len: u64,
    /// Offset of each section, in [`PrepCounts::entries`] order.
    sections: Vec<(PrepKind, u64, usize)>,
    /// Where the sections start (after the cursor slots).
    pub data_start: u64,
    /// Where the sections end and the chunk table starts.
    pub data_end: u64,
    /// Entries of the chunk table.
    pub chunks: u64,
    /// Expected file length.
    pub total_len: u64,
}

impl Layout {
    /// The layout for `header` whose encoding is `header_len` bytes and whose elements are
    /// `elem_bytes` each; `None` if it overflows.
    pub fn new(header: &PrepHeader, header_len: usize, elem_bytes: usize) -> Option<Self> {
        let cursor_len = cursor_len(header.n_parties) as u64;
        let cursor_start = header_len as u64;
        let data_start = cursor_start.checked_add(cursor_len.checked_mul(2)?)?;
        let mut offset = data_start;
        let mut sections = Vec::new();
        for (kind, count) in header.counts.entries() {
            let elems = item_elems(kind, header.party);
            sections.push((kind, offset, elems));
            let item_bytes = (elems as u64).checked_mul(elem_bytes as u64)?;
            offset = offset.checked_add(count.checked_mul(item_bytes)?)?;
        }
        let chunks = (offset - data_start).div_ceil(header.chunk_bytes.max(1));
        Some(Self {
            cursor_start,
            cursor_len,
            sections,
            data_start,
            data_end: offset,
            chunks,
            total_len: offset.checked_add(chunks.checked_mul(32)?)?,
        })
    }

    /// The byte ranges of the items not yet used, given the items `used` of each kind.
    pub fn unused_ranges(
        &self,
        header: &PrepHeader,
        used: &PrepCounts,
        elem_bytes: usize,
    ) -> Vec<core::ops::Range<u64>> {
        self.sections
            .iter()
            .map(|&(kind, off, elems)| {
                let item = (elems * elem_bytes) as u64;
                let total = header.counts.get(kind);
                let used = used.get(kind).min(total);
                off.saturating_add(used.saturating_mul(item))
                    ..off.saturating_add(total.saturating_mul(item))
            })
            .filter(|r| !r.is_empty())
            .collect()
    }

    /// The kind whose section holds byte `offset`, for error messages.
    pub fn kind_at(&self, offset: u64) -> Option<PrepKind> {
        self.sections
            .iter()
            .rev()
            .find(|&&(_, off, _)| off <= offset)
            .map(|&(kind, _, _)| kind)
    }

    /// (offset, elements per item) of the section of `kind`.
    pub fn section(&self, kind: PrepKind) -> Option<(u64, usize)> {
        self.sections
            .iter()
            .find(|(k, _, _)| *k == kind)
            .map(|&(_, off, elems)| (off, elems))
    }
}

/// Ring elements per stored item of `kind` in party `party`'s file.
pub(crate) fn item_elems(kind: PrepKind, party: usize) -> usize {
    match kind {
        PrepKind::Triples => 6,
        PrepKind::Randoms | PrepKind::OpenMasks => 2,
        PrepKind::InputMasks { owner } if owner == party => 3,
        PrepKind::InputMasks { .. } => 2,
    }
}

/// Bytes of one cursor slot for `n` parties: tag, sequence number, triples, randoms,
/// open masks, input masks per owner (all u64 little-endian), then SHA-256 over the header
/// digest and the preceding slot bytes.
pub(crate) fn cursor_len(n_parties: usize) -> usize {
    8 + 8 + 3 * 8 + 8 * n_parties + 32
}

/// Encodes a cursor slot for the file whose header digest is `file_digest`.
pub(crate) fn encode_cursor(file_digest: &[u8; 32], seq: u64, consumed: &PrepCounts) -> Vec<u8> {
    let mut w = Writer::with_capacity(cursor_len(consumed.input_masks.len()));
    w.bytes(CURSOR_TAG);
    w.u64(seq);
    for (_, c) in consumed.entries() {
        w.u64(c);
    }
    let mut out = w.into_vec();
    let mut h = Sha256::new();
    h.update(file_digest);
    h.update(&out);
    out.extend_from_slice(&h.finalize());
    out
}

/// Decodes a cursor slot; `None` if it is torn, damaged or belongs to another header.
pub(crate) fn decode_cursor(
    file_digest: &[u8; 32],
    slot: &[u8],
    n_parties: usize,
) -> Option<(u64, PrepCounts)> {
    if slot.len() != cursor_len(n_parties) {
        return None;
    }
    let (body, mac) = slot.split_at(slot.len() - 32);
    let mut h = Sha256::new();
    h.update(file_digest);
    h.update(body);
    let digest: [u8; 32] = h.finalize().into();
    if !bool::from(digest.ct_eq(mac)) || !body.starts_with(CURSOR_TAG) {
        return None;
    }
    let mut r = Reader::new(body.get(CURSOR_TAG.len()..)?);
    let seq = r.u64("cursor sequence number").ok()?;
    let mut next = || r.u64("cursor").ok();
    let triples = next()?;
    let randoms = next()?;
    let open_masks = next()?;
    let input_masks = (0..n_parties)
        .map(|_| next())
        .collect::<Option<Vec<u64>>>()?;
    r.finish("cursor slot").ok()?;
    Some((
        seq,
        PrepCounts {
            triples,
            randoms,
            open_masks,
            input_masks,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> PrepHeader {
        PrepHeader {
            version: FORMAT_VERSION,
            source: INSECURE_DEALER_SOURCE.into(),
            note: INSECURE_NOTE.into(),
            params: ParamsId { k: 64, s: 64 },
            n_parties: 3,
            party: 1,
            key_set: KeySetId([9; 16]),
            deal: DealId([7; 16]),
            counts: PrepCounts::of(5, 4, 3, &[2, 1, 0]),
            chunk_bytes: CHUNK_BYTES,
            chunks_digest: [5; 32],
            mac_key_share: vec![1; 16],
            digest: [0; 32],
        }
    }

    #[test]
    fn header_round_trips_and_reads_as_text() {
        let mut h = header();
        let mut bytes = h.encode();
        let len = bytes.len();
        bytes.extend_from_slice(b"trailing data");
        let (parsed, parsed_len) = PrepHeader::parse(Path::new("f"), &bytes).unwrap();
        assert_eq!(parsed, h);
        assert_eq!(parsed_len, len);
        let text = String::from_utf8_lossy(&bytes[..len]);
        assert!(text.contains("source: INSECURE-DEALER\n"));
        assert!(text.contains("input-masks: 2,1,0\n"));
        assert!(text.contains(&format!("deal: {}\n", "07".repeat(16))));
        assert!(
            !format!("{parsed:?}").contains("01010101"),
            "key share redacted"
        );
    }

    #[test]
    fn any_header_byte_change_is_detected() {
        let mut h = header();
        let bytes = h.encode();
        for i in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[i] ^= 0x04;
            assert!(PrepHeader::parse(Path::new("f"), &bad).is_err(), "byte {i}");
        }
    }

    #[test]
    fn cursor_round_trips_and_rejects_damage() {
        let digest = [3; 32];
        let c = PrepCounts::of(1, 2, 3, &[4, 5]);
        let slot = encode_cursor(&digest, 7, &c);
        assert_eq!(slot.len(), cursor_len(2));
        assert_eq!(decode_cursor(&digest, &slot, 2), Some((7, c)));
        assert_eq!(decode_cursor(&[4; 32], &slot, 2), None, "other file");
        let mut torn = slot.clone();
        torn[20] ^= 1;
        assert_eq!(decode_cursor(&digest, &torn, 2), None);
    }
}
