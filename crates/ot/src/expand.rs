//! Where the 128 columns of an extension chunk come from.
//!
//! - **KOS15**: column `i` is `G(k_i0)` at the receiver and `G(k_{i,Δ_i}) ⊕ Δ_i·u_i` at the
//!   sender; the receiver sends `u_i = G(k_i0) ⊕ G(k_i1) ⊕ x` for all 128 columns.
//! - **SoftSpokenOT** (Roy, CRYPTO 2022) with `d | 128`: the columns come in `128/d` groups
//!   of `d`. Per group, a GGM tree of depth `d` built by the receiver over `d` base OTs
//!   gives the receiver all `2^d` leaf seeds and the sender all but the leaf `Δ_g` (the
//!   group's `d` bits of Δ): a small-field VOLE over GF(2^d). With `r_x = G(leaf_x)` the
//!   receiver has `u_g = Σ_x r_x` and `v_{g,i} = Σ_x x_i·r_x`, the sender
//!   `w_{g,i} = Σ_x (x ⊕ Δ_g)_i·r_x = v_{g,i} ⊕ Δ_{g,i}·u_g` (the missing leaf has weight
//!   zero). The receiver sends `c_g = u_g ⊕ x`, the sender adds `Δ_{g,i}·c_g`, and both
//!   hold KOS-shaped columns `q_i = t_i ⊕ Δ_i·x` from `128/d` instead of 128 columns of
//!   traffic, at `2^d/d` PRG blocks per OT instead of 2.

use crate::block::Block;
use crate::cipher::{AesPrg, tccr_hash_in_place};

/// The computational security parameter: base OTs and the width of Δ.
pub const KAPPA: usize = 128;

/// Which extension protocol an instance runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variant {
    /// KOS15: 128 bits per OT on the wire, 2 (receiver) / 1 (sender) PRG blocks per OT.
    Kos,
    /// SoftSpokenOT with `d` ∈ {1, 2, 4, 8}: 128/d bits per OT, about 2^d/d PRG blocks.
    SoftSpoken {
        /// Bits per small-field VOLE group.
        d: u8,
    },
}

impl Variant {
    /// Whether the parameters are supported.
    pub fn is_valid(self) -> bool {
        match self {
            Variant::Kos => true,
            Variant::SoftSpoken { d } => matches!(d, 1 | 2 | 4 | 8),
        }
    }

    /// Columns the receiver sends per chunk: 128 for KOS, 128/d for SoftSpokenOT.
    pub fn sent_columns(self) -> usize {
        match self {
            Variant::Kos => KAPPA,
            Variant::SoftSpoken { d } => KAPPA / d as usize,
        }
    }

    /// The base-OT choice bit for column `i` at the sender: Δ_i for KOS, and for
    /// SoftSpokenOT the bit that reveals the sibling *off* Δ's path in the GGM tree.
    pub(crate) fn base_choice(self, delta: Block, i: usize) -> bool {
        match self {
            Variant::Kos => delta.bit(i),
            Variant::SoftSpoken { .. } => !delta.bit(i),
        }
    }
}

/// The GGM length-doubling PRG: children `(H(s, 0), H(s, 1))` of the tweakable CR hash
/// with the level in the tweak.
fn expand_level(nodes: &[u128], level: usize) -> Vec<u128> {
    let mut next = Vec::with_capacity(nodes.len() * 2);
    for &n in nodes {
        next.push(n);
        next.push(n);
    }
    // Bit 127 set: disjoint from the OT pad tweaks (index | lane << 64, lane < 2).
    let base = (1u128 << 127) | ((level as u128) << 64);
    tccr_hash_in_place(&mut next, |p| base | (p & 1) as u128);
    next
}

/// The receiver's GGM tree for one group: all `2^d` leaves and, per level, the XOR of the
/// left children and of the right children.
pub(crate) fn ggm_build(root: u128, d: usize) -> (Vec<u128>, Vec<[u128; 2]>) {
    let mut nodes = vec![root];
    let mut sums = Vec::with_capacity(d);
    for level in 0..d {
        nodes = expand_level(&nodes, level);
        let mut s = [0u128; 2];
        for (k, n) in nodes.iter().enumerate() {
            s[k & 1] ^= n;
        }
        sums.push(s);
    }
    (nodes, sums)
}

/// The sender's punctured tree: from the level sums on the side off the path of `point`
/// (`off_sums[ℓ]` = sum of the level-ℓ+1 nodes whose last bit is `1 - point_ℓ`), all
/// leaves except `point` (that entry holds garbage, and is used with weight zero). Runs in
/// the same time whatever `point` is.
pub(crate) fn ggm_punctured(point: usize, d: usize, off_sums: &[u128]) -> Vec<u128> {
    let mut nodes = vec![0u128];
    for (level, &sum) in off_sums.iter().enumerate().take(d) {
        let path = point >> (d - level); // path node at this level
        let bit = (point >> (d - 1 - level)) & 1;
        let mut next = expand_level(&nodes, level);
        // The off-path child of the path node is the level sum minus every other node on
        // that side; the garbage child from the path node is cancelled by XORing it back.
        let target = 2 * path + (1 - bit);
        let mut acc = sum;
        for (k, n) in next.iter().enumerate() {
            let side = 0u128.wrapping_sub(((k & 1) == 1 - bit) as u128);
            let not_target = !0u128.wrapping_sub((k == target) as u128);
            acc ^= n & side & not_target;
        }
        for (k, n) in next.iter_mut().enumerate() {
            let is_target = 0u128.wrapping_sub((k == target) as u128);
            *n = (*n & !is_target) | (acc & is_target);
        }
        nodes = next;
    }
    nodes
}

/// The receiver's column source.
pub(crate) enum ReceiverExpander {
    Kos(Vec<(AesPrg, AesPrg)>),
    /// Per group, one PRG per leaf.
    Soft {
        d: usize,
        leaves: Vec<Vec<AesPrg>>,
    },
}

/// The sender's column source.
pub(crate) enum SenderExpander {
    Kos(Vec<AesPrg>),
    /// Per group, the group's Δ bits and one PRG per leaf (the punctured one keyed by garbage).
    Soft {
        d: usize,
        leaves: Vec<(usize, Vec<AesPrg>)>,
    },
}

impl ReceiverExpander {
    /// Fills `cols` (128 columns of `nb` words) with `t` and appends the matrix message
    /// (little-endian words) for choice words `x`.
    pub(crate) fn columns(&mut self, x: &[u128], nb: usize, cols: &mut [u128], out: &mut Vec<u8>) {
        match self {
            ReceiverExpander::Kos(prgs) => {
                let mut t1 = vec![0u128; nb];
                for (i, (p0, p1)) in prgs.iter_mut().enumerate() {
                    let col = &mut cols[i * nb..(i + 1) * nb];
                    p0.fill(col);
                    p1.fill(&mut t1);
                    for ((c, t), xw) in col.iter().zip(&t1).zip(x) {
                        out.extend_from_slice(&(c ^ t ^ xw).to_le_bytes());
                    }
                }
            }
            ReceiverExpander::Soft { d, leaves } => {
                let d = *d;
                let mut bufs = vec![vec![0u128; nb]; d + 1];
                for (g, prgs) in leaves.iter_mut().enumerate() {
                    let group = &mut cols[g * d * nb..(g + 1) * d * nb];
                    group.fill(0);
                    subtree_sums(prgs, d, nb, 0, 0, group, &mut bufs);
                    // c_g = u_g ⊕ x, with u_g the sum of all leaves.
                    for (u, xw) in bufs[0].iter().zip(x) {
                        out.extend_from_slice(&(u ^ xw).to_le_bytes());
                    }
                }
            }
        }
    }
}

/// Sums of the PRG outputs of the leaves below the node at `level` whose first leaf is
/// `first`: the node's sum lands in `bufs[level]`, and the sum of every right child at
/// level ℓ+1 is added to `v[ℓ]` (so `v[ℓ] = Σ_x x_ℓ·r_x`, bit ℓ counted from the root).
/// 2·(2^d − 1) vector XORs per tree instead of d·2^(d−1).
fn subtree_sums(
    prgs: &mut [AesPrg],
    d: usize,
    nb: usize,
    level: usize,
    first: usize,
    v: &mut [u128],
    bufs: &mut [Vec<u128>],
) {
    if level == d {
        prgs[first].fill(&mut bufs[d]);
        return;
    }
    let half = 1 << (d - level - 1);
    subtree_sums(prgs, d, nb, level + 1, first, v, bufs);
    let (here, below) = bufs.split_at_mut(level + 1);
    here[level].copy_from_slice(&below[0]);
    subtree_sums(prgs, d, nb, level + 1, first + half, v, bufs);
    let (here, below) = bufs.split_at_mut(level + 1);
    for ((s, r), vw) in here[level]
        .iter_mut()
        .zip(&below[0])
        .zip(&mut v[level * nb..(level + 1) * nb])
    {
        *s ^= r;
        *vw ^= r;
    }
}

impl SenderExpander {
    /// Fills `cols` with `q` from the receiver's matrix message `msg` (exact length
    /// checked by the caller).
    pub(crate) fn columns(&mut self, delta: Block, msg: &[u8], nb: usize, cols: &mut [u128]) {
        let word =
            |k: usize| u128::from_le_bytes(msg[k * 16..k * 16 + 16].try_into().unwrap_or_default());
        match self {
            SenderExpander::Kos(prgs) => {
                for (i, prg) in prgs.iter_mut().enumerate() {
                    let col = &mut cols[i * nb..(i + 1) * nb];
                    prg.fill(col);
                    let mask = 0u128.wrapping_sub(delta.bit(i) as u128);
                    for (b, c) in col.iter_mut().enumerate() {
                        *c ^= word(i * nb + b) & mask;
                    }
                }
            }
            SenderExpander::Soft { d, leaves } => {
                // w_i = Σ_x (x ⊕ Δ_g)_i·r_x = v'_i ⊕ Δ_{g,i}·u' over all leaves (the
                // punctured leaf's garbage cancels), then add Δ_{g,i}·c_g.
                let d = *d;
                let mut bufs = vec![vec![0u128; nb]; d + 1];
                for (g, (_, prgs)) in leaves.iter_mut().enumerate() {
                    let group = &mut cols[g * d * nb..(g + 1) * d * nb];
                    group.fill(0);
                    subtree_sums(prgs, d, nb, 0, 0, group, &mut bufs);
                    for (b, u) in bufs[0].iter_mut().enumerate() {
                        *u ^= word(g * nb + b);
                    }
                    for i in 0..d {
                        let mask = 0u128.wrapping_sub(delta.bit(g * d + i) as u128);
                        for (a, u) in group[i * nb..(i + 1) * nb].iter_mut().zip(&bufs[0]) {
                            *a ^= u & mask;
                        }
                    }
                }
            }
        }
    }
}

/// The group's Δ bits as a leaf index (level-0 bit most significant).
pub(crate) fn group_point(delta: Block, g: usize, d: usize) -> usize {
    (0..d).fold(0, |acc, i| (acc << 1) | delta.bit(g * d + i) as usize)
}

/// AES-CTR generators for a list of seeds.
pub(crate) fn prgs(seeds: &[u128]) -> Vec<AesPrg> {
    seeds.iter().map(|&s| AesPrg::new(Block(s))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn punctured_tree_matches_the_full_tree_off_the_point() {
        for d in [1usize, 2, 4, 8] {
            for point in [0usize, 1, (1 << d) - 1, (1 << d) / 3] {
                let (leaves, sums) = ggm_build(0xfeed_beef ^ d as u128, d);
                let off: Vec<u128> = (0..d)
                    .map(|l| sums[l][1 - ((point >> (d - 1 - l)) & 1)])
                    .collect();
                let got = ggm_punctured(point, d, &off);
                for x in 0..1usize << d {
                    if x != point {
                        assert_eq!(got[x], leaves[x], "d = {d}, point {point}, leaf {x}");
                    } else {
                        assert_ne!(
                            got[x], leaves[x],
                            "d = {d}: the punctured leaf stays hidden"
                        );
                    }
                }
            }
        }
    }
}
