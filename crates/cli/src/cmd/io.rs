//! The flags that `party` and `client` share: the job (config, session, program) and the
//! node's inputs and result.

use crate::CliError;
use crate::program::Program;
use crate::values::{InputFormat, OutputFormat, OutputSpec, read_values};
use spdz2k::SessionId;
use std::path::PathBuf;

/// The job a `party` or `client` node takes part in, and its inputs and result.
#[derive(clap::Args, Debug, Clone)]
pub struct JobArgs {
    /// This node's config file (from `spdz2k setup`).
    #[arg(long)]
    pub config: PathBuf,
    /// The session ID; every node of the session must be given the same one.
    #[arg(long, value_parser = super::parse_session)]
    pub session: SessionId,
    /// The built-in program: demo, sum, product, dot or mul-bench. Every node of the
    /// session runs the same one.
    #[arg(long, default_value = "demo")]
    pub program: Program,
    /// Inputs and the result.
    #[command(flatten)]
    pub io: IoArgs,
}

/// Inputs and outputs of one node: values on the command line or in a file, the result to
/// stdout or a file, as text, JSON or binary words.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct IoArgs {
    /// This node's input values: `--input 3,-5,7` or the flag repeated.
    #[arg(
        long = "input",
        value_name = "V[,V...]",
        value_delimiter = ',',
        allow_negative_numbers = true
    )]
    pub inputs: Vec<i128>,
    /// Read this node's input values from a file (after any `--input` values): one decimal
    /// value per line, or binary words with `--input-format`.
    #[arg(long, value_name = "FILE")]
    pub input_file: Option<PathBuf>,
    /// The input file's format: text (one value a line), le64 or le128 (little-endian words,
    /// no header).
    #[arg(long, value_enum, default_value = "text", value_name = "FORMAT")]
    pub input_format: InputFormat,
    /// Write the result this node ends with to a file (`-` for stdout).
    #[arg(long, value_name = "FILE")]
    pub output_file: Option<PathBuf>,
    /// The result's format: text (one value a line), json, le64 or le128 (little-endian
    /// words). With json or binary on stdout, the transcript goes to stderr.
    #[arg(long, value_enum, default_value = "text", value_name = "FORMAT")]
    pub output_format: OutputFormat,
    /// Short for `--output-format json`.
    #[arg(long, conflicts_with = "output_format")]
    pub json: bool,
}

impl IoArgs {
    /// The input values: the `--input` values, then the file's.
    pub fn values(&self) -> Result<Vec<i128>, CliError> {
        let mut v = self.inputs.clone();
        if let Some(path) = &self.input_file {
            v.extend(read_values(path, self.input_format)?);
        }
        Ok(v)
    }

    /// Where the result goes; sends the transcript to stderr when stdout carries the result.
    pub fn output(&self) -> OutputSpec {
        let spec = OutputSpec {
            path: self.output_file.clone(),
            format: if self.json {
                OutputFormat::Json
            } else {
                self.output_format
            },
        };
        crate::run::transcript_to_stderr(spec.takes_stdout());
        spec
    }
}
