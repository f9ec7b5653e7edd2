//! `spdz2k demo`: two parties and a client as separate processes on loopback.

use super::deal_insecure::ParamsArg;
use super::procs;
use crate::CliError;
use spdz2k::SessionId;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Arguments of `spdz2k demo`.
#[derive(clap::Args, Debug, Clone)]
pub struct DemoArgs {
    /// Ring parameters.
    #[arg(long, value_enum, default_value = "K64S64")]
    pub params: ParamsArg,
    /// The three secret inputs: P0's a, P1's b and the client's c, as `A,B,C` (or the flag
    /// repeated). Computed mod 2^k: the client verifies the results reduced mod 2^k.
    #[arg(
        long = "input",
        value_name = "A,B,C",
        value_delimiter = ',',
        num_args = 1..,
        allow_negative_numbers = true,
        default_values_t = [7i128, 6, 5],
    )]
    pub inputs: Vec<i128>,
    /// P0's input a (older spelling of the first `--input` value).
    #[arg(long, hide = true, allow_negative_numbers = true)]
    pub a: Option<i128>,
    /// P1's input b (older spelling of the second `--input` value).
    #[arg(long, hide = true, allow_negative_numbers = true)]
    pub b: Option<i128>,
    /// The client's input c (older spelling of the third `--input` value).
    #[arg(long, hide = true, allow_negative_numbers = true)]
    pub c: Option<i128>,
    /// Make P0 alter P1's envelope on its way to the client: the client must reject it.
    #[arg(long)]
    pub tamper: bool,
    /// Keep the generated deployment in this folder instead of a temporary one.
    #[arg(long)]
    pub keep: Option<PathBuf>,
}

impl DemoArgs {
    /// The inputs (a, b, c): `--input A,B,C`, with `--a/--b/--c` overriding single values.
    pub fn abc(&self) -> Result<[i128; 3], CliError> {
        let [a, b, c] = self.inputs[..] else {
            return Err(CliError::Usage(format!(
                "the demo takes three inputs (P0's, P1's and the client's), as --input A,B,C; got {}",
                self.inputs.len()
            )));
        };
        Ok([
            self.a.unwrap_or(a),
            self.b.unwrap_or(b),
            self.c.unwrap_or(c),
        ])
    }
}

/// What C0 printed as its verified results (the text after `verified results: `).
const VERIFIED: &str = "verified results: ";

/// A child's transcript line as the demo shows it: `[P0] text`, without the child's own
/// `P0: ` prefix (which names it for stand-alone runs). `None` for lines the demo's header
/// already said: the insecure-dealer notice and each party's preprocessing line.
fn display_line(name: &str, line: &str) -> Option<String> {
    if line.contains("INSECURE") || line.starts_with("preprocessing:") {
        return None;
    }
    let own = format!("{name}: ");
    let text = line.strip_prefix(&own).unwrap_or(line);
    Some(format!("[{name}] {text}"))
}

/// Runs the demo and prints the transcript.
pub fn run(a: DemoArgs, verbose: u8) -> Result<ExitCode, CliError> {
    let [in_a, in_b, in_c] = a.abc()?;
    let tmp = tempfile::tempdir().map_err(|source| CliError::Io {
        what: "creating a temporary folder".into(),
        source,
    })?;
    let dir = a.keep.clone().unwrap_or_else(|| tmp.path().to_path_buf());
    let params = super::setup::params_id(a.params);
    let nodes = procs::loopback_deployment(&dir, params, false, a.keep.is_some())?;
    let session = SessionId::random();
    println!(
        "spdz2k demo: 2 parties and 1 client on 127.0.0.1, mutual TLS, {:?} (arithmetic mod 2^{})",
        a.params, params.k
    );
    println!(
        "deployment: {} (fresh Ed25519 identities and certificates)",
        dir.display()
    );
    for n in &nodes {
        println!("  {n}");
    }
    println!("session: {session}");
    println!(
        "inputs: P0 a = {in_a}, P1 b = {in_b}, C0 c = {in_c}; C0 receives a+b+c, a*b*c, (a+b+c)^2"
    );
    println!("routes: P0 reaches C0 directly; P1 has no route to C0 and sends through P0");
    println!("preprocessing: generated securely (OT-based SPDZ2k offline phase)");
    if a.tamper {
        println!("tamper: P0 will flip a byte of P1's envelope before forwarding it");
    }
    println!();
    let (tx, rx) = procs::lines();
    let mut children = Vec::new();
    for (p, input) in [(0, in_a), (1, in_b)] {
        let name = format!("P{p}");
        let mut args = procs::node_args("party", verbose, &dir, &name, &session, "demo");
        args.extend(["--input".into(), input.to_string()]);
        if a.tamper && p == 0 {
            args.push("--tamper-forward".into());
        }
        children.push(procs::spawn(&name, &args, &tx)?);
    }
    let mut args = procs::node_args("client", verbose, &dir, "C0", &session, "demo");
    args.extend(["--input".into(), in_c.to_string()]);
    children.push(procs::spawn("C0", &args, &tx)?);
    drop(tx);
    let mut client_error = None;
    let mut verified = None;
    let results = procs::wait_all(
        children,
        rx,
        Duration::from_secs(120),
        |(name, is_err, line)| {
            if name == "C0"
                && let Some((_, v)) = line.split_once(VERIFIED)
            {
                verified = Some(v.to_owned());
            }
            let Some(shown) = display_line(name, line) else {
                return;
            };
            if *is_err {
                if name == "C0" && line.starts_with("error:") {
                    client_error = Some(line.clone());
                }
                eprintln!("{shown}");
            } else {
                println!("{shown}");
            }
        },
    );
    println!();
    let failed: Vec<String> = results
        .iter()
        .filter(|(_, s)| !s.is_some_and(|s| s.success()))
        .map(|(n, s)| match s {
            Some(s) => format!("{n} exited with {s}"),
            None => format!("{n} did not finish within 120 s and was stopped"),
        })
        .collect();
    match (failed.is_empty(), &verified) {
        (true, Some(v)) => {
            println!(
                "demo succeeded: C0 verified {v} (mod 2^{}, from a = {in_a}, b = {in_b}, c = {in_c})",
                params.k
            );
            return Ok(ExitCode::SUCCESS);
        }
        (true, None) => {
            println!("demo failed: every node exited 0 but C0 printed no verified results");
            return Ok(ExitCode::FAILURE);
        }
        (false, _) => {}
    }
    match (&client_error, a.tamper) {
        (Some(e), true) => {
            println!("demo --tamper: C0 rejected P1's envelope altered by P0, as it must: {e}")
        }
        (Some(e), false) => println!("demo failed: C0 reported {e}"),
        (None, _) => println!("demo failed: {}", failed.join("; ")),
    }
    Ok(ExitCode::FAILURE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_drops_the_doubled_prefix_and_repeated_notices() {
        assert_eq!(
            display_line("P0", "P0: inputs secret-shared").as_deref(),
            Some("[P0] inputs secret-shared")
        );
        assert_eq!(
            display_line("C0", "error: x").as_deref(),
            Some("[C0] error: x")
        );
        assert_eq!(display_line("P1", "preprocessing: generated"), None);
        assert_eq!(display_line("P1", "the INSECURE dealer"), None);
    }
}
