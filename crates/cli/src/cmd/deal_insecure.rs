//! `spdz2k deal-insecure`: deals INSECURE preprocessing files for every party.
//!
//! One process plays a trusted dealer: it knows every MAC key share and every secret it
//! deals, so whoever runs it (or knows the seed) can read all inputs and forge any result.
//! For tests and benchmarks only. The work is done by [`spdz2k_prep::deal_insecure_files`].

use spdz2k_prep::{PrepCounts, PrepError, deal_insecure_files};
use spdz2k_ring::{Params, ParamsId};
use std::path::{Path, PathBuf};

use super::counts::CountArgs;

/// A parameter set, by its name (`K64S64`): any set of `spdz2k_ring::with_params_sets!`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ParamsArg(pub ParamsId);

/// Every set as a [`ParamsArg`], from the one list.
macro_rules! params_args {
    ($($name:ident: ($k:expr, $s:expr, $word:ty, $doc:literal) => $check:ident: ($ck:expr, $cword:ty);)*) => {
        const PARAMS_ARGS: &[ParamsArg] = &[$(ParamsArg(ParamsId { k: $k, s: $s })),*];
    };
}
spdz2k_ring::with_params_sets!(params_args);

impl ParamsArg {
    /// The set's name, e.g. `K64S64`.
    pub fn name(self) -> &'static str {
        spdz2k_ring::dispatch_params!(self.0, P => P::NAME, else "unsupported")
    }
}

impl std::fmt::Debug for ParamsArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl clap::ValueEnum for ParamsArg {
    fn value_variants<'a>() -> &'a [Self] {
        PARAMS_ARGS
    }
    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        let help = format!("k = {}, s = {}", self.0.k, self.0.s);
        Some(clap::builder::PossibleValue::new(self.name()).help(help))
    }
}

/// Deal INSECURE preprocessing files for every party (tests and benchmarks only: the dealer
/// knows every secret).
#[derive(clap::Args, Debug, Clone)]
pub struct DealInsecureArgs {
    /// Number of parties.
    #[arg(long)]
    pub parties: usize,
    /// Parameter set.
    #[arg(long, value_enum, default_value = "K64S64")]
    pub params: ParamsArg,
    /// Triples, randoms and opening masks.
    #[command(flatten)]
    pub counts: CountArgs,
    /// Input masks for each party (this many per owner).
    #[arg(long, default_value_t = 0)]
    pub input_masks: u64,
    /// Directory to write `prep-P<i>.spdz2kprep` into (created if missing).
    #[arg(long)]
    pub out: PathBuf,
    /// Dealer seed, 64 hex digits (default: fresh from the OS). Whoever knows it knows
    /// every secret.
    #[arg(long, value_parser = parse_seed)]
    pub seed: Option<[u8; 32]>,
}

/// Parses a 32-byte seed from 64 hex digits.
pub fn parse_seed(text: &str) -> Result<[u8; 32], String> {
    let mut seed = [0u8; 32];
    hex::decode_to_slice(text.trim(), &mut seed)
        .map_err(|e| format!("the seed must be 64 hex digits (32 bytes): {e}"))?;
    Ok(seed)
}

/// Runs the subcommand: deals the files and prints where they are, with the warning.
///
/// # Errors
/// Whatever [`deal_insecure_files`] reports (existing files, bad counts, I/O).
pub fn run(args: DealInsecureArgs) -> Result<(), PrepError> {
    let paths = deal(&args)?;
    print!("{}", report(&args, &paths));
    Ok(())
}

/// Deals the files `args` describe and returns their paths, one per party.
///
/// # Errors
/// As [`run`].
pub fn deal(args: &DealInsecureArgs) -> Result<Vec<PathBuf>, PrepError> {
    let counts = args
        .counts
        .with_input_masks(vec![args.input_masks; args.parties]);
    let seed = args.seed.unwrap_or_else(spdz2k_prep::fresh_seed);
    let out = args.out.as_path();
    spdz2k_ring::dispatch_params!(
        args.params.0,
        P => deal_with::<P>(out, args.parties, &counts, seed),
        else Err(PrepError::Io {
            path: out.to_path_buf(),
            action: "deal into",
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("unsupported parameters {}", args.params.0),
            ),
        })
    )
}

fn deal_with<P: Params>(
    out: &Path,
    n: usize,
    counts: &PrepCounts,
    seed: [u8; 32],
) -> Result<Vec<PathBuf>, PrepError> {
    deal_insecure_files::<P>(out, n, counts, seed)
}

/// The text printed after dealing: a loud warning, the counts and one line per file.
pub fn report(args: &DealInsecureArgs, paths: &[PathBuf]) -> String {
    let mut text = String::from(
        "INSECURE PREPROCESSING: these files come from an INSECURE trusted dealer.\n\
         INSECURE: the dealer knew every MAC key share and every secret it dealt; whoever ran \
         this command or knows the seed can read all inputs and forge any result.\n\
         INSECURE: use these files for tests and benchmarks only, never for real data.\n",
    );
    text.push_str(&format!(
        "dealt {:?} for {} parties: {} triples, {} randoms, {} open masks, {} input masks per \
         party\n",
        args.params,
        args.parties,
        args.counts.triples,
        args.counts.randoms,
        args.counts.open_masks,
        args.input_masks
    ));
    for (party, path) in paths.iter().enumerate() {
        text.push_str(&format!(
            "party {party}: {} (INSECURE; secret, mode 0600: give it to party {party} only)\n",
            path.display()
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;
    use spdz2k_prep::{FileStore, Preprocessing};

    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        args: DealInsecureArgs,
    }

    fn parse(extra: &[&str]) -> Result<DealInsecureArgs, clap::Error> {
        Cli::try_parse_from(["deal-insecure"].iter().chain(extra)).map(|c| c.args)
    }

    #[test]
    fn deals_files_every_party_can_open() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("prep");
        let args = parse(&[
            "--parties",
            "3",
            "--params",
            "K32S32",
            "--triples",
            "10",
            "--randoms",
            "2",
            "--open-masks",
            "3",
            "--input-masks",
            "4",
            "--out",
            out.to_str().unwrap(),
            "--seed",
            &"ab".repeat(32),
        ])
        .unwrap();
        let paths = deal(&args).unwrap();
        assert_eq!(paths.len(), 3);
        for (i, p) in paths.iter().enumerate() {
            let s = FileStore::<spdz2k_ring::K32S32>::open(p, i, 3).unwrap();
            assert_eq!(s.available().triples, 10);
            assert_eq!(s.available().input_masks, vec![4, 4, 4]);
        }
        let text = report(&args, &paths);
        assert!(text.starts_with("INSECURE"));
        assert!(text.contains("the dealer knew every"));
        assert!(text.contains("prep-P2.spdz2kprep"));
        // Dealing again into the same directory is refused.
        assert!(matches!(deal(&args), Err(PrepError::AlreadyExists { .. })));
    }

    #[test]
    fn bad_seed_and_params_are_refused_by_the_parser() {
        let bad_seed = parse(&["--parties", "2", "--out", "x", "--seed", "abc"]);
        assert!(bad_seed.unwrap_err().to_string().contains("64 hex digits"));
        assert!(parse(&["--parties", "2", "--out", "x", "--params", "K1S1"]).is_err());
        let ok = parse(&["--parties", "2", "--out", "x"]).unwrap();
        assert_eq!(ok.params.0, spdz2k_ring::K64S64::id());
        assert_eq!(ok.seed, None);
    }
}
