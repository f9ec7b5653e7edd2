//! The `spdz2k` binary. Every subcommand lives in its own module under `cmd/`.
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = spdz2k_cli::cmd::Cli::parse();
    spdz2k_cli::init_logging(cli.verbose);
    match spdz2k_cli::cmd::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
