//! Dealing INSECURE preprocessing files for every party at once.

use crate::counts::PrepCounts;
use crate::dealer_source::{OPEN_MASK_STREAM, RANDOM_STREAM};
use crate::error::PrepError;
use crate::format::{INSECURE_DEALER_SOURCE, INSECURE_NOTE};
use crate::kind::PrepKind;
use crate::new_file::{NewFile, new_header};
use crate::origin::DealId;
use crate::writer::encode_items;
use spdz2k_core::{AuthShares, InsecureDealer};
use spdz2k_ring::Params;
use std::fs::File;
use std::path::{Path, PathBuf};

/// Items dealt per batch, so memory stays bounded whatever the counts.
const DEAL_BATCH: usize = 1 << 15;

use crate::party_file_name;

/// A fresh 32-byte dealer seed from the operating system's CSPRNG.
pub fn fresh_seed() -> [u8; 32] {
    let mut seed = [0u8; 32];
    rand::Rng::fill_bytes(&mut spdz2k_core::rng::secure_rng(), &mut seed);
    seed
}

/// Deals INSECURE preprocessing for `n_parties` parties from `seed` and writes one file per
/// party (`prep-P<i>.spdz2kprep`, mode 0600) into `dir`, creating `dir` if needed.
/// `counts.input_masks` gives the masks per owner and must list every party.
///
/// The files hold exactly what [`crate::InsecureDealerSource`] with the same seed hands out,
/// in the same order. Whoever knows the seed, or ran this, knows every secret.
///
/// # Errors
/// [`PrepError::AlreadyExists`] if any file exists (nothing is written then),
/// [`PrepError::InvalidPartyCount`], [`PrepError::InputMaskOwners`] or [`PrepError::Io`];
/// on an I/O error the files written so far are removed.
pub fn deal_insecure_files<P: Params>(
    dir: &Path,
    n_parties: usize,
    counts: &PrepCounts,
    seed: [u8; 32],
) -> Result<Vec<PathBuf>, PrepError> {
    crate::validate_parties(0, n_parties)?;
    if counts.input_masks.len() != n_parties {
        return Err(PrepError::InputMaskOwners {
            listed: counts.input_masks.len(),
            n_parties,
        });
    }
    std::fs::create_dir_all(dir).map_err(|source| PrepError::Io {
        path: dir.to_owned(),
        action: "create the output directory",
        source,
    })?;
    let paths: Vec<PathBuf> = (0..n_parties)
        .map(|i| dir.join(party_file_name(i)))
        .collect();
    if let Some(existing) = paths.iter().find(|p| p.exists()) {
        return Err(PrepError::AlreadyExists {
            path: existing.clone(),
        });
    }
    let mut created = Vec::new();
    let result = write_all::<P>(&paths, n_parties, counts, seed, &mut created);
    if result.is_err() {
        for p in &created {
            let _ = std::fs::remove_file(p);
        }
    }
    result?;
    tracing::warn!(dir = %dir.display(), n_parties, params = P::NAME,
        "dealt INSECURE preprocessing files: the dealer knew every secret");
    Ok(paths)
}

fn write_all<P: Params>(
    paths: &[PathBuf],
    n_parties: usize,
    counts: &PrepCounts,
    seed: [u8; 32],
    created: &mut Vec<PathBuf>,
) -> Result<(), PrepError> {
    let mut dealer = InsecureDealer::<P>::new(n_parties, seed);
    let deal = DealId::fresh();
    let mut outs = Vec::with_capacity(n_parties);
    for (party, path) in paths.iter().enumerate() {
        let mut key = vec![0u8; P::BYTES];
        P::encode(dealer.mac_key_share(party).expose(), &mut key);
        let source = (INSECURE_DEALER_SOURCE, INSECURE_NOTE);
        let header = new_header::<P>(source, party, counts, dealer.key_set_id(), deal, key);
        let out = NewFile::create(path, header)?;
        created.push(path.clone());
        outs.push(out);
    }

    let mut buf = Vec::new();
    for (kind, count) in counts.entries() {
        let mut left = count;
        while left > 0 {
            let batch = usize::try_from(left).map_or(DEAL_BATCH, |l| l.min(DEAL_BATCH));
            left -= batch as u64;
            let dealt = deal_batch(&mut dealer, kind, batch);
            for (party, (out, parts)) in outs.iter_mut().zip(&dealt.per_party).enumerate() {
                let own_clear = match &dealt.clear {
                    Some((owner, r)) if *owner == party => Some(r.as_slice()),
                    _ => None,
                };
                buf.clear();
                let parts: Vec<&AuthShares<P>> = parts.iter().collect();
                encode_items::<P>(&parts, own_clear, batch, &mut buf);
                out.put_data(&buf)?;
            }
        }
    }

    for out in outs {
        out.finish()?;
    }
    if let Some(dir) = paths.first().and_then(|p| p.parent()) {
        // Make the new directory entries durable too (best effort: not every platform can).
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

/// One batch of one kind from the dealer.
struct DealtBatch<P: Params> {
    /// Per party, the share vectors making up each item, in the stored order.
    per_party: Vec<Vec<AuthShares<P>>>,
    /// For input masks: (owner, the clear masks).
    clear: Option<(usize, Vec<P::Word>)>,
}

fn deal_batch<P: Params>(
    dealer: &mut InsecureDealer<P>,
    kind: PrepKind,
    batch: usize,
) -> DealtBatch<P> {
    let single = |s: Vec<AuthShares<P>>| s.into_iter().map(|s| vec![s]).collect();
    match kind {
        PrepKind::Triples => DealtBatch {
            per_party: dealer
                .triples(batch)
                .into_iter()
                .map(|t| vec![t.a, t.b, t.c])
                .collect(),
            clear: None,
        },
        PrepKind::Randoms => DealtBatch {
            per_party: single(dealer.randoms_in(RANDOM_STREAM, batch).1),
            clear: None,
        },
        PrepKind::OpenMasks => DealtBatch {
            per_party: single(dealer.randoms_in(OPEN_MASK_STREAM, batch).1),
            clear: None,
        },
        PrepKind::InputMasks { owner } => {
            let (r, s) = dealer.input_masks(owner, batch);
            DealtBatch {
                per_party: single(s),
                clear: Some((owner, r)),
            }
        }
    }
}
