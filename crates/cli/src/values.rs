//! Input and output values in files: one decimal value a line, or little-endian binary words.
//!
//! Formats (the `--input-format` and `--output-format` flags):
//!
//! - `text`: one value per line, decimal, signed allowed (`-5`), surrounding spaces ignored;
//!   blank lines and lines starting with `#` are skipped.
//! - `le64`: consecutive 8-byte little-endian words, no header; each word is a value mod
//!   2^64 (so a two's-complement `i64` or a `u64` both work).
//! - `le128`: the same with 16-byte words (for k > 64).
//! - `json` (output only): one object, `{"node", "session", "program", "params", "count",
//!   "values"}`, the values as JSON integers.
//!
//! Every value is reduced mod 2^k by the protocol, as on the command line. Files are read and
//! written through buffers, one value at a time: millions of values never become one string.

use crate::CliError;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// How an input file is written.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum InputFormat {
    /// One decimal value per line (signed allowed; `#` comments and blank lines skipped).
    #[default]
    Text,
    /// Little-endian 8-byte words, no header.
    Le64,
    /// Little-endian 16-byte words, no header.
    Le128,
}

/// How results are written.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OutputFormat {
    /// One decimal value per line (the transcript line, when printed on stdout).
    #[default]
    Text,
    /// One JSON object with the values and what they are.
    Json,
    /// Little-endian 8-byte words (each value mod 2^64).
    Le64,
    /// Little-endian 16-byte words (each value mod 2^128).
    Le128,
}

/// Where and how a node writes the result it ends with.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OutputSpec {
    /// The file (`None` or `-`: stdout).
    pub path: Option<PathBuf>,
    /// The format.
    pub format: OutputFormat,
}

impl OutputSpec {
    /// Whether the result goes to stdout in a machine format, so that the transcript must go
    /// to stderr instead to keep stdout parseable.
    pub fn takes_stdout(&self) -> bool {
        self.to_stdout() && self.format != OutputFormat::Text
    }

    fn to_stdout(&self) -> bool {
        self.path.as_deref().is_none_or(|p| p == Path::new("-"))
    }

    /// Whether the result is written anywhere beyond the transcript line.
    pub fn is_set(&self) -> bool {
        self.path.is_some() || self.format != OutputFormat::Text
    }
}

fn io_err(what: String) -> impl FnOnce(io::Error) -> CliError {
    move |source| CliError::Io { what, source }
}

/// Reads the values of an input file.
pub fn read_values(path: &Path, format: InputFormat) -> Result<Vec<i128>, CliError> {
    let file = File::open(path).map_err(io_err(format!("opening {}", path.display())))?;
    read_from(BufReader::with_capacity(1 << 16, file), format, path)
}

/// Reads values from `reader` (`path` names it in errors).
pub fn read_from(
    mut reader: impl BufRead,
    format: InputFormat,
    path: &Path,
) -> Result<Vec<i128>, CliError> {
    let mut out = Vec::new();
    match format {
        InputFormat::Text => {
            let mut line = String::new();
            for number in 1.. {
                line.clear();
                let read = reader
                    .read_line(&mut line)
                    .map_err(io_err(format!("reading {}", path.display())))?;
                if read == 0 {
                    break;
                }
                let t = line.trim();
                if t.is_empty() || t.starts_with('#') {
                    continue;
                }
                let v = t.parse::<i128>().map_err(|e| {
                    CliError::Usage(format!(
                        "{}:{number}: {t:?} is not a decimal integer ({e}); input files hold one \
                         value per line (or pass --input-format le64/le128 for binary words)",
                        path.display()
                    ))
                })?;
                out.push(v);
            }
        }
        InputFormat::Le64 => read_words::<8>(&mut reader, path, &mut out, |w| {
            u64::from_le_bytes(w) as i128
        })?,
        InputFormat::Le128 => read_words::<16>(&mut reader, path, &mut out, |w| {
            u128::from_le_bytes(w) as i128
        })?,
    }
    Ok(out)
}

fn read_words<const W: usize>(
    reader: &mut impl Read,
    path: &Path,
    out: &mut Vec<i128>,
    word: impl Fn([u8; W]) -> i128,
) -> Result<(), CliError> {
    let mut buf = [0u8; W];
    loop {
        let mut filled = 0;
        while filled < W {
            match reader.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(io_err(format!("reading {}", path.display()))(e)),
            }
        }
        match filled {
            0 => return Ok(()),
            n if n == W => out.push(word(buf)),
            n => {
                return Err(CliError::Usage(format!(
                    "{}: ends with {n} stray bytes after {} whole {W}-byte words; is it the \
                     right --input-format?",
                    path.display(),
                    out.len()
                )));
            }
        }
    }
}

/// What a result is, for the JSON form.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ResultInfo<'a> {
    /// The node that writes it (`P0`, `C0`).
    pub node: &'a str,
    /// The session ID.
    pub session: String,
    /// The program.
    pub program: &'a str,
    /// The parameter set, `k=64,s=64`.
    pub params: String,
    /// The number of values.
    pub count: usize,
    /// The values, signed, reduced mod 2^k.
    pub values: &'a [i128],
}

/// Writes `info.values` as `spec` says. Returns a line for the transcript when the values
/// went to a file (`None` when they went to stdout).
pub fn write_result(spec: &OutputSpec, info: &ResultInfo<'_>) -> Result<Option<String>, CliError> {
    let what = match &spec.path {
        Some(p) if !spec.to_stdout() => p.display().to_string(),
        _ => "stdout".into(),
    };
    let err = |source| CliError::Io {
        what: format!("writing the result to {what}"),
        source,
    };
    let mut w: BufWriter<Box<dyn Write>> = BufWriter::with_capacity(
        1 << 16,
        match &spec.path {
            Some(p) if !spec.to_stdout() => {
                Box::new(File::create(p).map_err(io_err(format!("creating {}", p.display())))?)
            }
            _ => Box::new(io::stdout().lock()),
        },
    );
    match spec.format {
        OutputFormat::Text => {
            for v in info.values {
                writeln!(w, "{v}").map_err(err)?;
            }
        }
        OutputFormat::Json => {
            serde_json::to_writer(&mut w, info).map_err(|e| err(io::Error::other(e)))?;
            writeln!(w).map_err(err)?;
        }
        OutputFormat::Le64 => {
            for v in info.values {
                w.write_all(&(*v as u64).to_le_bytes()).map_err(err)?;
            }
        }
        OutputFormat::Le128 => {
            for v in info.values {
                w.write_all(&(*v as u128).to_le_bytes()).map_err(err)?;
            }
        }
    }
    w.flush().map_err(err)?;
    Ok((!spec.to_stdout()).then(|| {
        format!(
            "{} {} written to {what} ({:?})",
            info.count,
            if info.count == 1 { "value" } else { "values" },
            spec.format
        )
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8], f: InputFormat) -> Result<Vec<i128>, CliError> {
        read_from(bytes, f, Path::new("in.txt"))
    }

    #[test]
    fn text_takes_signed_values_comments_and_blank_lines() {
        let v = read(
            b"# header\n 3\n-5\n\n170141183460469231731687303715884105727\r\n",
            InputFormat::Text,
        );
        assert_eq!(v.unwrap(), vec![3, -5, i128::MAX]);
        let e = read(b"1\n2x\n", InputFormat::Text).unwrap_err().to_string();
        assert!(e.contains("in.txt:2") && e.contains("\"2x\""), "{e}");
    }

    #[test]
    fn binary_words_are_little_endian_and_whole() {
        let mut b = Vec::new();
        b.extend_from_slice(&7u64.to_le_bytes());
        b.extend_from_slice(&(-2i64).to_le_bytes());
        assert_eq!(
            read(&b, InputFormat::Le64).unwrap(),
            vec![7, u64::MAX as i128 - 1]
        );
        let mut w = (-9i128 as u128).to_le_bytes().to_vec();
        assert_eq!(read(&w, InputFormat::Le128).unwrap(), vec![-9]);
        w.push(1);
        let e = read(&w, InputFormat::Le128).unwrap_err().to_string();
        assert!(
            e.contains("1 stray bytes after 1 whole 16-byte words"),
            "{e}"
        );
    }

    #[test]
    fn results_round_trip_through_files() {
        let dir = tempfile::tempdir().unwrap();
        let values = [5i128, -1, 1 << 70];
        let info = ResultInfo {
            node: "C0",
            session: "s".into(),
            program: "sum",
            params: "k=128,s=64".into(),
            count: 3,
            values: &values,
        };
        for (format, input) in [
            (OutputFormat::Text, InputFormat::Text),
            (OutputFormat::Le128, InputFormat::Le128),
        ] {
            let path = dir.path().join(format!("{format:?}"));
            let spec = OutputSpec {
                path: Some(path.clone()),
                format,
            };
            let line = write_result(&spec, &info).unwrap().unwrap();
            assert!(line.starts_with("3 values written to"), "{line}");
            assert_eq!(read_values(&path, input).unwrap(), values);
        }
        let path = dir.path().join("r.json");
        let spec = OutputSpec {
            path: Some(path.clone()),
            format: OutputFormat::Json,
        };
        write_result(&spec, &info).unwrap();
        let json = std::fs::read_to_string(&path).unwrap();
        assert!(
            json.contains(r#""values":[5,-1,1180591620717411303424]"#),
            "{json}"
        );
    }
}
