//! Errors of key, certificate and config handling. Each names the file involved and, where
//! there is one, the command or config entry that fixes it.

use std::fmt;
use std::path::PathBuf;

/// A config file problem: file, line (when known), field (when known) and what is wrong.
///
/// Displays as `p1.toml:7: field parties[0].public_key: not 64 hex characters`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The config file.
    pub path: PathBuf,
    /// 1-based line number.
    pub line: Option<usize>,
    /// The field, as a path like `parties[0].public_key`.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": field {field}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ConfigError {}

/// Key, certificate, config and setup failures.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PkiError {
    /// Reading or writing a file failed.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// "read", "write", "create".
        action: &'static str,
        /// The OS error.
        source: std::io::Error,
    },
    /// The config file is invalid.
    #[error("invalid config {0}")]
    Config(#[from] ConfigError),
    /// The key file holds no usable Ed25519 key.
    #[error("key file {}: {reason}", path.display())]
    BadKeyFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The key file can be read by group or others; it is refused, as ssh refuses such keys.
    #[error(
        "key file {} has mode {mode:03o}: group or others can read it, so this node refuses to \
         use it (as ssh does); run `chmod 600 {}`", path.display(), path.display()
    )]
    KeyFileExposed {
        /// The file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The certificate to be written would not be valid now.
    #[error(
        "refusing to write a certificate for {name} that is not valid now ({detail}); give \
         --validity-days 1 or more, and check this machine's clock"
    )]
    CertNotValidWhenWritten {
        /// The node.
        name: String,
        /// Its window and why it is not valid now.
        detail: String,
    },
    /// The certificate file holds no usable certificate.
    #[error("certificate file {}: {reason}", path.display())]
    BadCertFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The certificate is for a different key than the key file.
    #[error(
        "certificate {} is for key {cert_fp} but key file {} holds key {key_fp}; \
         issue a matching certificate with `spdz2k renew-cert --config {}`",
        cert_file.display(), key_file.display(), config_file.display()
    )]
    KeyCertMismatch {
        /// The key file.
        key_file: PathBuf,
        /// The certificate file.
        cert_file: PathBuf,
        /// The node config.
        config_file: PathBuf,
        /// Fingerprint of the key file's key.
        key_fp: String,
        /// Fingerprint of the certificate's key.
        cert_fp: String,
    },
    /// The config's own index is wrong: the key file holds the key pinned for another party.
    #[error(
        "{}: this node is configured as party {index} ([node] index), but its key file {} \
         holds the key pinned for party {actual} (parties[{actual}], {key_fp}); \
         set [node] index = {actual} and name = \"P{actual}\", or use party {index}'s key file",
        config_file.display(), key_file.display()
    )]
    WrongOwnIndex {
        /// The node config.
        config_file: PathBuf,
        /// The key file.
        key_file: PathBuf,
        /// The configured index.
        index: usize,
        /// The index whose pin matches the key.
        actual: usize,
        /// The key's fingerprint.
        key_fp: String,
    },
    /// The node's own key is not the one its own config (and so its peers) pin.
    #[error(
        "{}: key file {} holds key {key_fp} but the config pins {pinned_fp} for this node in \
         {entry}; peers would reject this node. Use the right key file, or update {entry} in \
         every node's config to {key_hex}",
        config_file.display(), key_file.display()
    )]
    KeyPinMismatch {
        /// The node config.
        config_file: PathBuf,
        /// The key file.
        key_file: PathBuf,
        /// The entry that pins this node, e.g. `parties[1].public_key`.
        entry: String,
        /// Fingerprint of the key in the key file.
        key_fp: String,
        /// Fingerprint pinned in the config.
        pinned_fp: String,
        /// Hex of the key file's public key.
        key_hex: String,
    },
    /// This node's certificate has expired.
    #[error(
        "certificate {} expired at {not_after}; renew it with `spdz2k renew-cert --config {}` \
         (the key and every pin stay the same)",
        cert_file.display(), config_file.display()
    )]
    CertExpired {
        /// The certificate file.
        cert_file: PathBuf,
        /// When it expired.
        not_after: String,
        /// The node config.
        config_file: PathBuf,
    },
    /// This node's certificate is not valid yet.
    #[error(
        "certificate {} is not valid before {not_before}; check this machine's clock, or \
         re-issue it with `spdz2k renew-cert --config {}`",
        cert_file.display(), config_file.display()
    )]
    CertNotYetValid {
        /// The certificate file.
        cert_file: PathBuf,
        /// When it becomes valid.
        not_before: String,
        /// The node config.
        config_file: PathBuf,
    },
    /// Creating a key or certificate failed.
    #[error("{0}")]
    Certificate(String),
    /// `setup` would overwrite an existing deployment.
    #[error(
        "{} already holds a deployment (found {}); refusing to overwrite keys. \
         Choose another --out directory or pass --force",
        dir.display(), found.display()
    )]
    Exists {
        /// The output directory.
        dir: PathBuf,
        /// The file that exists.
        found: PathBuf,
    },
    /// Invalid setup options.
    #[error("invalid setup options: {0}")]
    Options(String),
}

/// The largest config file [`crate::NodeConfig::load`] reads (1 MiB; real ones are a few KiB).
pub const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// The largest PEM file (certificate or key) this crate reads (64 KiB; real ones are < 1 KiB).
pub const MAX_PEM_BYTES: u64 = 64 << 10;

/// Reads a whole file of at most `max` bytes; a longer one (or a device that never ends) is
/// refused after reading `max + 1` bytes, so a wrong path cannot make a node allocate
/// without bound.
pub(crate) fn read_bounded(path: &std::path::Path, max: u64) -> Result<Vec<u8>, PkiError> {
    use std::io::Read;
    let io = |source| PkiError::Io {
        path: path.to_path_buf(),
        action: "read",
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut buf = Vec::new();
    file.take(max + 1).read_to_end(&mut buf).map_err(io)?;
    if buf.len() as u64 > max {
        return Err(io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("the file is larger than the {max}-byte limit"),
        )));
    }
    Ok(buf)
}
