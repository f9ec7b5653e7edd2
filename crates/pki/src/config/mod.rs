//! The node configuration file (TOML), one per node.
//!
//! ```toml
//! # spdz2k node configuration (written by `spdz2k setup`)
//! connection_timeout_secs = 10       # optional; how long connecting and opening a session may take
//! idle_timeout_secs = 10             # optional; how long a connected peer may stay silent
//!
//! [node]
//! name = "P1"                        # P<index> for parties, C<id> for clients
//! role = "party"                     # "party" or "client"
//! index = 1                          # parties only
//! listen = "127.0.0.1:7101"          # parties only: where peers dial this node
//! key_file = "key.pem"               # relative paths are resolved against this file's folder
//! cert_file = "cert.pem"
//!
//! [params]                           # ring parameters: (32,32), (64,64), (66,48) or (128,64)
//! k = 64
//! s = 64
//!
//! [[parties]]                        # every party of the deployment, this node included
//! index = 0
//! address = "127.0.0.1:7100"         # host:port
//! public_key = "<64 hex>"            # the raw Ed25519 public key this party must prove
//! # route = "direct"                 # client configs only: "direct" or "via P<j>"
//!
//! [[clients]]                        # party configs only
//! name = "C0"
//! public_key = "<64 hex>"
//! route = "via P0"                   # how this party reaches the client: "direct" or "via P<j>"
//! ```
//!
//! Every error names the file, the line and the field, e.g.
//! `p1.toml:7: field parties[0].public_key: not 64 hex characters (got 12)`.

mod raw;
mod validate;
mod write;

use crate::cert::read_cert_file;
use crate::error::{ConfigError, PkiError};
use crate::identity::{NodeIdentity, PublicKey, read_key_file};
use raw::{Locator, RawConfig};
use spdz2k_ring::ParamsId;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The ring parameter sets a config may name: all of them (`spdz2k_ring::with_params_sets!`).
pub const SUPPORTED_PARAMS: &[ParamsId] = spdz2k_ring::ALL_PARAMS;

/// The default for `connection_timeout_secs`.
pub const DEFAULT_CONNECTION_TIMEOUT: Duration = Duration::from_secs(10);

/// The default for `idle_timeout_secs`.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(10);

/// Whether a node is a computing party or an external client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Party with this index.
    Party(usize),
    /// An external client.
    Client,
}

/// How a party reaches a client (in a party's config), or how a party's messages reach a
/// client (in a client's config).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// Over a direct TLS connection between the two.
    Direct,
    /// Through this proxy party.
    Via(usize),
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Route::Direct => f.write_str("direct"),
            Route::Via(p) => write!(f, "via P{p}"),
        }
    }
}

/// A party as pinned in a config.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartyEntry {
    /// The party's index.
    pub index: usize,
    /// Where to dial it, `host:port`.
    pub address: String,
    /// The key it must prove.
    pub public_key: PublicKey,
    /// In a client's config: how this party's messages reach the client. `None` in parties'
    /// configs.
    pub route: Option<Route>,
    /// Position of the entry in the file (for messages: `parties[pos]`).
    pub position: usize,
}

/// A client as pinned in a party's config.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientEntry {
    /// The client's name, e.g. `C0`.
    pub name: String,
    /// The key it must prove.
    pub public_key: PublicKey,
    /// How this party reaches it.
    pub route: Route,
    /// Position of the entry in the file (for messages: `clients[pos]`).
    pub position: usize,
}

/// A node's configuration, validated, with file paths resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeConfig {
    /// The file this was loaded from (named in messages).
    pub path: PathBuf,
    /// This node's name (`P1`, `C0`).
    pub name: String,
    /// Party (with index) or client.
    pub role: Role,
    /// Where a party listens. `None` for clients.
    pub listen: Option<SocketAddr>,
    /// The identity key file (resolved).
    pub key_file: PathBuf,
    /// The certificate file (resolved).
    pub cert_file: PathBuf,
    /// Ring parameters.
    pub params: ParamsId,
    /// Bound on connecting to peers and opening a session (and on a client connecting).
    pub connection_timeout: Duration,
    /// How long a connected peer may stay silent (no message, no heartbeat) before it is
    /// reported as stopped or cut off. Peers send heartbeats while they compute, so this
    /// bounds silence, not the length of a computation.
    pub idle_timeout: Duration,
    /// All parties, sorted by index (indices are exactly `0..n`).
    pub parties: Vec<PartyEntry>,
    /// Clients (party configs only).
    pub clients: Vec<ClientEntry>,
}

impl NodeConfig {
    /// Reads and validates a config file.
    pub fn load(path: &Path) -> Result<NodeConfig, PkiError> {
        let bytes = crate::error::read_bounded(path, crate::error::MAX_CONFIG_BYTES)?;
        let text = String::from_utf8(bytes).map_err(|e| PkiError::Io {
            path: path.to_path_buf(),
            action: "read",
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, e.utf8_error()),
        })?;
        Ok(Self::parse(path, &text)?)
    }

    /// Validates config text; `path` names the file in errors and anchors relative paths.
    /// The sections are checked in file order, one validator each.
    pub fn parse(path: &Path, text: &str) -> Result<NodeConfig, ConfigError> {
        let loc = Locator { path, text };
        let raw = RawConfig::parse(&loc)?;
        let base = path.parent().unwrap_or(Path::new("."));
        let connection_timeout = validate::seconds(
            &loc,
            &raw.connection_timeout_secs,
            "connection_timeout_secs",
            DEFAULT_CONNECTION_TIMEOUT,
        )?;
        let idle_timeout = validate::seconds(
            &loc,
            &raw.idle_timeout_secs,
            "idle_timeout_secs",
            DEFAULT_IDLE_TIMEOUT,
        )?;
        let params = validate::params(&loc, raw.params.get_ref())?;
        let node = validate::node(&loc, &raw.node, base)?;
        let mut pins = validate::KeyPins::default();
        let parties = validate::parties(&loc, &raw, node.role, &mut pins)?;
        let clients = validate::clients(&loc, &raw, node.role, parties.len(), &mut pins)?;
        Ok(NodeConfig {
            path: path.to_path_buf(),
            name: node.name,
            role: node.role,
            listen: node.listen,
            key_file: node.key_file,
            cert_file: node.cert_file,
            params,
            connection_timeout,
            idle_timeout,
            parties,
            clients,
        })
    }

    /// This node's party index, if it is a party.
    pub fn party_index(&self) -> Option<usize> {
        match self.role {
            Role::Party(i) => Some(i),
            Role::Client => None,
        }
    }

    /// The entry of party `index`.
    pub fn party(&self, index: usize) -> Option<&PartyEntry> {
        self.parties.get(index)
    }

    /// The entry of client `name`.
    pub fn client(&self, name: &str) -> Option<&ClientEntry> {
        self.clients.iter().find(|c| c.name == name)
    }

    /// The name of the config field that pins party `index`, e.g. `parties[1].public_key`.
    pub fn party_pin_field(&self, index: usize) -> String {
        let pos = self.party(index).map_or(index, |p| p.position);
        format!("parties[{pos}].public_key")
    }

    /// Loads this node's key and certificate, and checks that they match each other and
    /// (for a party) the key its own config pins for it. Does not check the validity window:
    /// see [`NodeIdentity::require_valid_cert`].
    pub fn load_identity(&self) -> Result<NodeIdentity, PkiError> {
        let signing_key = read_key_file(&self.key_file)?;
        let public_key = PublicKey::from(&signing_key);
        let (cert_der, info) = read_cert_file(&self.cert_file)?;
        if info.public_key != public_key {
            return Err(PkiError::KeyCertMismatch {
                key_file: self.key_file.clone(),
                cert_file: self.cert_file.clone(),
                config_file: self.path.clone(),
                key_fp: public_key.fingerprint(),
                cert_fp: info.public_key.fingerprint(),
            });
        }
        if let Role::Party(index) = self.role
            && let Some(own) = self.party(index)
            && own.public_key != public_key
        {
            if let Some(actual) = self.parties.iter().find(|p| p.public_key == public_key) {
                return Err(PkiError::WrongOwnIndex {
                    config_file: self.path.clone(),
                    key_file: self.key_file.clone(),
                    index,
                    actual: actual.index,
                    key_fp: public_key.fingerprint(),
                });
            }
            return Err(PkiError::KeyPinMismatch {
                config_file: self.path.clone(),
                key_file: self.key_file.clone(),
                entry: self.party_pin_field(index),
                key_fp: public_key.fingerprint(),
                pinned_fp: own.public_key.fingerprint(),
                key_hex: public_key.to_hex(),
            });
        }
        Ok(NodeIdentity {
            name: self.name.clone(),
            signing_key,
            public_key,
            cert_der,
            validity: info.validity,
            key_file: self.key_file.clone(),
            cert_file: self.cert_file.clone(),
            config_file: self.path.clone(),
        })
    }

    /// Renders this config as TOML in the documented layout. Key and certificate paths inside
    /// the config's folder are written relative to it.
    pub fn to_toml(&self) -> String {
        write::render(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::generate_key;

    fn key() -> String {
        PublicKey::from(&generate_key()).to_hex()
    }

    fn party_config(extra: &str) -> String {
        format!(
            "connection_timeout_secs = 5\n\n[node]\nname = \"P1\"\nrole = \"party\"\nindex = 1\n\
             listen = \"127.0.0.1:7101\"\nkey_file = \"key.pem\"\ncert_file = \"cert.pem\"\n\n\
             [params]\nk = 64\ns = 64\n\n[[parties]]\nindex = 0\naddress = \"127.0.0.1:7100\"\n\
             public_key = \"{}\"\n\n[[parties]]\nindex = 1\naddress = \"127.0.0.1:7101\"\n\
             public_key = \"{}\"\n{extra}",
            key(),
            key()
        )
    }

    #[test]
    fn parses_and_round_trips() {
        let text = party_config(&format!(
            "\n[[clients]]\nname = \"C0\"\npublic_key = \"{}\"\nroute = \"via P0\"\n",
            key()
        ));
        let path = Path::new("/deploy/P1/node.toml");
        let cfg = NodeConfig::parse(path, &text).unwrap();
        assert_eq!(cfg.role, Role::Party(1));
        assert_eq!(cfg.key_file, Path::new("/deploy/P1/key.pem"));
        assert_eq!(cfg.connection_timeout, Duration::from_secs(5));
        assert_eq!(cfg.idle_timeout, DEFAULT_IDLE_TIMEOUT);
        assert_eq!(cfg.clients[0].route, Route::Via(0));
        assert_eq!(cfg.params, ParamsId { k: 64, s: 64 });
        let again = NodeConfig::parse(path, &cfg.to_toml()).unwrap();
        assert_eq!(again, cfg);
    }

    /// Client names follow the one rule for names (`spdz2k_core::Name`), as the client IDs
    /// in envelopes do: a name the data path accepts is accepted here too (before, configs
    /// allowed 32 characters without '.').
    #[test]
    fn client_names_follow_the_name_rule() {
        let with = |name: &str| {
            party_config(&format!(
                "\n[[clients]]\nname = \"{name}\"\npublic_key = \"{}\"\nroute = \"via P0\"\n",
                key()
            ))
        };
        let long = format!("client.{}", "x".repeat(57));
        assert_eq!(long.len(), 64);
        let cfg = NodeConfig::parse(Path::new("p1.toml"), &with(&long)).unwrap();
        assert_eq!(cfg.clients[0].name, long);
        for bad in ["C 0", "", &"x".repeat(65)] {
            let err = NodeConfig::parse(Path::new("p1.toml"), &with(bad)).unwrap_err();
            assert_eq!(
                err.field.as_deref(),
                Some("clients[0].name"),
                "{bad:?}: {err}"
            );
        }
    }

    #[test]
    fn errors_name_file_line_and_field() {
        let text = party_config("").replacen("public_key = \"", "public_key = \"abc", 1);
        let err = NodeConfig::parse(Path::new("p1.toml"), &text).unwrap_err();
        assert_eq!(err.line, Some(18), "{err}");
        assert_eq!(err.field.as_deref(), Some("parties[0].public_key"));
        let msg = err.to_string();
        assert!(
            msg.starts_with("p1.toml:18: field parties[0].public_key: not 64 hex"),
            "{msg}"
        );

        let text = party_config("").replace("s = 64", "s = 40");
        let err = NodeConfig::parse(Path::new("p1.toml"), &text)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("p1.toml:12:") && err.contains("(64, 40)"),
            "{err}"
        );

        let text = party_config("").replace("role = \"party\"", "role = \"king\"");
        let err = NodeConfig::parse(Path::new("p1.toml"), &text)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("p1.toml:5: field node.role"), "{err}");

        let text = party_config("").replace("index = 0", "index = 2");
        let err = NodeConfig::parse(Path::new("p1.toml"), &text)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("parties[0].index") && err.contains(":16:"),
            "{err}"
        );

        let text = party_config("").replace("[params]", "[params]\nbogus = 1");
        let err = NodeConfig::parse(Path::new("p1.toml"), &text)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("p1.toml:12:") && err.contains("bogus"),
            "{err}"
        );

        let text = party_config("\nroute = \"direct\"\n");
        let err = NodeConfig::parse(Path::new("p1.toml"), &text)
            .unwrap_err()
            .to_string();
        assert!(err.contains("parties[1].route"), "{err}");
    }
}
