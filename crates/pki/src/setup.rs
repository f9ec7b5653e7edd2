//! Whole-deployment setup (`spdz2k setup`) and certificate renewal (`spdz2k renew-cert`).
//!
//! Layout written by [`setup`]: `DIR/P0/{key.pem,cert.pem,node.toml}`, ..., and the same
//! for every client `DIR/C0/...`. Party `i` listens on `host:base_port+i`.

use crate::cert::{issue_for_days, read_cert_file};
use crate::config::{
    ClientEntry, DEFAULT_CONNECTION_TIMEOUT, DEFAULT_IDLE_TIMEOUT, NodeConfig, PartyEntry, Role,
    Route,
};
use crate::error::PkiError;
use crate::identity::{PublicKey, generate_key, read_key_file, write_file, write_key_file};
use spdz2k_ring::ParamsId;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// File names inside each node's folder.
pub const KEY_FILE: &str = "key.pem";
/// See [`KEY_FILE`].
pub const CERT_FILE: &str = "cert.pem";
/// See [`KEY_FILE`].
pub const CONFIG_FILE: &str = "node.toml";

/// Options of [`setup`].
#[derive(Clone, Debug)]
pub struct SetupOptions {
    /// Number of parties (at least 2).
    pub parties: usize,
    /// Number of clients.
    pub clients: usize,
    /// Output folder.
    pub out: PathBuf,
    /// Host or IP the parties are reached at (default 127.0.0.1).
    pub host: String,
    /// Port of party 0; party i gets `base_port + i` (default 7100).
    pub base_port: u16,
    /// Ring parameters (default k=64, s=64).
    pub params: ParamsId,
    /// Certificate lifetime in days (default 365).
    pub validity_days: u32,
    /// Every party reaches every client directly (default: only P0 does; the others go via P0).
    pub direct_clients: bool,
    /// Overwrite an existing deployment.
    pub force: bool,
    /// `connection_timeout_secs` written into every config.
    pub connection_timeout: Duration,
    /// `idle_timeout_secs` written into every config.
    pub idle_timeout: Duration,
}

impl SetupOptions {
    /// Defaults for `parties` parties and `clients` clients under `out`.
    pub fn new(parties: usize, clients: usize, out: &Path) -> Self {
        Self {
            parties,
            clients,
            out: out.to_path_buf(),
            host: "127.0.0.1".into(),
            base_port: 7100,
            params: ParamsId { k: 64, s: 64 },
            validity_days: 365,
            direct_clients: false,
            force: false,
            connection_timeout: DEFAULT_CONNECTION_TIMEOUT,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
        }
    }
}

/// One node written by [`setup`] or [`renew_certificate`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeSummary {
    /// `P0`, `C0`, ...
    pub name: String,
    /// Its config file.
    pub config_file: PathBuf,
    /// Its public key.
    pub public_key: PublicKey,
    /// Where it listens (parties).
    pub address: Option<String>,
}

impl std::fmt::Display for NodeSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:<4} {}  {}",
            self.name,
            self.public_key.fingerprint(),
            self.config_file.display()
        )?;
        if let Some(a) = &self.address {
            write!(f, "  listens on {a}")?;
        }
        Ok(())
    }
}

fn create_dir(dir: &Path) -> Result<(), PkiError> {
    std::fs::create_dir_all(dir).map_err(|source| PkiError::Io {
        path: dir.to_path_buf(),
        action: "create",
        source,
    })
}

/// Writes keys, certificates and configs for a deployment of `opts.parties` parties and
/// `opts.clients` clients, and returns each node's summary (with its fingerprint).
pub fn setup(opts: &SetupOptions) -> Result<Vec<NodeSummary>, PkiError> {
    let n = opts.parties;
    if opts.validity_days == 0 {
        return Err(PkiError::CertNotValidWhenWritten {
            name: "every node".into(),
            detail: "--validity-days 0 ends the window at the moment of writing".into(),
        });
    }
    if !(2..=64).contains(&n) {
        return Err(PkiError::Options(format!(
            "--parties must be 2 to 64, got {n}"
        )));
    }
    if opts.clients > 1000 {
        return Err(PkiError::Options(format!(
            "--clients must be at most 1000, got {}",
            opts.clients
        )));
    }
    if usize::from(opts.base_port) + n > 65536 || opts.base_port == 0 {
        return Err(PkiError::Options(format!(
            "--base-port {} leaves no room for {n} ports",
            opts.base_port
        )));
    }
    if opts.host.is_empty() || opts.host.contains(':') && opts.host.parse::<IpAddr>().is_err() {
        return Err(PkiError::Options(format!(
            "--host {:?} is not a host name or IP",
            opts.host
        )));
    }
    if !crate::config::SUPPORTED_PARAMS.contains(&opts.params) {
        return Err(PkiError::Options(format!(
            "unsupported parameters {}",
            opts.params
        )));
    }
    let names: Vec<String> = (0..n)
        .map(|i| format!("P{i}"))
        .chain((0..opts.clients).map(|c| format!("C{c}")))
        .collect();
    if !opts.force {
        for name in &names {
            for file in [CONFIG_FILE, KEY_FILE, CERT_FILE] {
                let found = opts.out.join(name).join(file);
                if found.exists() {
                    return Err(PkiError::Exists {
                        dir: opts.out.clone(),
                        found,
                    });
                }
            }
        }
    }

    let keys: Vec<_> = names.iter().map(|_| generate_key()).collect();
    let public: Vec<PublicKey> = keys.iter().map(PublicKey::from).collect();
    let address = |i: usize| {
        let port = usize::from(opts.base_port) + i;
        match opts.host.parse::<IpAddr>() {
            Ok(IpAddr::V6(ip)) => format!("[{ip}]:{port}"),
            _ => format!("{}:{port}", opts.host),
        }
    };
    let listen = |i: usize| -> SocketAddr {
        let port = u16::try_from(usize::from(opts.base_port) + i).unwrap_or(opts.base_port);
        match opts.host.parse::<IpAddr>() {
            Ok(ip) => SocketAddr::new(ip, port),
            // A host name: listen on every interface.
            Err(_) => SocketAddr::new(IpAddr::from([0, 0, 0, 0]), port),
        }
    };
    let reaches_directly = |party: usize| opts.direct_clients || party == 0;

    let mut summaries = vec![];
    for (pos, name) in names.iter().enumerate() {
        let dir = opts.out.join(name);
        create_dir(&dir)?;
        let (role, node_listen) = if pos < n {
            (Role::Party(pos), Some(listen(pos)))
        } else {
            (Role::Client, None)
        };
        let parties = (0..n)
            .map(|i| PartyEntry {
                index: i,
                address: address(i),
                public_key: public[i],
                route: (role == Role::Client).then(|| {
                    if reaches_directly(i) {
                        Route::Direct
                    } else {
                        Route::Via(0)
                    }
                }),
                position: i,
            })
            .collect();
        let clients = match role {
            Role::Party(i) => (0..opts.clients)
                .map(|c| ClientEntry {
                    name: format!("C{c}"),
                    public_key: public[n + c],
                    route: if reaches_directly(i) {
                        Route::Direct
                    } else {
                        Route::Via(0)
                    },
                    position: c,
                })
                .collect(),
            Role::Client => vec![],
        };
        let config = NodeConfig {
            path: dir.join(CONFIG_FILE),
            name: name.clone(),
            role,
            listen: node_listen,
            key_file: dir.join(KEY_FILE),
            cert_file: dir.join(CERT_FILE),
            params: opts.params,
            connection_timeout: opts.connection_timeout,
            idle_timeout: opts.idle_timeout,
            parties,
            clients,
        };
        let key = &keys[pos];
        write_key_file(&config.key_file, key)?;
        let cert = issue_for_days(key, name, opts.validity_days)?;
        write_file(&config.cert_file, cert.pem.as_bytes(), 0o644)?;
        write_file(&config.path, config.to_toml().as_bytes(), 0o644)?;
        summaries.push(NodeSummary {
            name: name.clone(),
            config_file: config.path.clone(),
            public_key: public[pos],
            address: (pos < n).then(|| address(pos)),
        });
    }
    Ok(summaries)
}

/// Issues a fresh certificate for the node of `config_path` over its existing key, valid
/// for `validity_days` days, replacing its certificate file. The key, and so every peer's
/// pin, stays the same.
pub fn renew_certificate(config_path: &Path, validity_days: u32) -> Result<NodeSummary, PkiError> {
    let config = NodeConfig::load(config_path)?;
    let key = read_key_file(&config.key_file)?;
    let public_key = PublicKey::from(&key);
    if let Some(i) = config.party_index()
        && let Some(own) = config.party(i)
        && own.public_key != public_key
    {
        return Err(PkiError::KeyPinMismatch {
            config_file: config.path.clone(),
            key_file: config.key_file.clone(),
            entry: config.party_pin_field(i),
            key_fp: public_key.fingerprint(),
            pinned_fp: own.public_key.fingerprint(),
            key_hex: public_key.to_hex(),
        });
    }
    let cert = issue_for_days(&key, &config.name, validity_days)?;
    write_file(&config.cert_file, cert.pem.as_bytes(), 0o644)?;
    // Prove the file we wrote reads back as intended.
    let (_, info) = read_cert_file(&config.cert_file)?;
    debug_assert_eq!(info.public_key, public_key);
    Ok(NodeSummary {
        name: config.name.clone(),
        config_file: config.path.clone(),
        public_key,
        address: config
            .party_index()
            .and_then(|i| config.party(i))
            .map(|p| p.address.clone()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cert::{ValidityStatus, issue_certificate};
    use crate::identity::file_mode;
    use std::time::SystemTime;

    #[test]
    fn setup_writes_consistent_deployment() {
        let dir = tempfile::tempdir().unwrap();
        let nodes = setup(&SetupOptions::new(3, 1, dir.path())).unwrap();
        assert_eq!(
            nodes.iter().map(|n| n.name.as_str()).collect::<Vec<_>>(),
            ["P0", "P1", "P2", "C0"]
        );
        for (i, node) in nodes.iter().enumerate().take(3) {
            let cfg = NodeConfig::load(&node.config_file).unwrap();
            let id = cfg.load_identity().unwrap();
            id.require_valid_cert(SystemTime::now()).unwrap();
            assert_eq!(id.public_key, node.public_key);
            assert_eq!(cfg.parties.len(), 3);
            assert_eq!(cfg.clients[0].public_key, nodes[3].public_key);
            assert_eq!(cfg.listen.unwrap().port(), 7100 + i as u16);
            let expected = if i == 0 { Route::Direct } else { Route::Via(0) };
            assert_eq!(cfg.clients[0].route, expected);
            #[cfg(unix)]
            assert_eq!(file_mode(&cfg.key_file), Some(0o600));
        }
        let client = NodeConfig::load(&nodes[3].config_file).unwrap();
        assert_eq!(client.role, Role::Client);
        assert_eq!(client.parties[0].route, Some(Route::Direct));
        assert_eq!(client.parties[2].route, Some(Route::Via(0)));
        client.load_identity().unwrap();

        let err = setup(&SetupOptions::new(3, 1, dir.path()))
            .unwrap_err()
            .to_string();
        assert!(err.contains("--force"), "{err}");
        let mut opts = SetupOptions::new(3, 1, dir.path());
        opts.force = true;
        opts.direct_clients = true;
        let again = setup(&opts).unwrap();
        assert_ne!(again[0].public_key, nodes[0].public_key);
        let p2 = NodeConfig::load(&again[2].config_file).unwrap();
        assert_eq!(p2.clients[0].route, Route::Direct);
    }

    #[test]
    fn renew_replaces_an_expired_certificate_with_the_same_key() {
        let dir = tempfile::tempdir().unwrap();
        let nodes = setup(&SetupOptions::new(2, 0, dir.path())).unwrap();
        let cfg = NodeConfig::load(&nodes[1].config_file).unwrap();
        let key = read_key_file(&cfg.key_file).unwrap();
        let day = Duration::from_secs(86_400);
        let now = SystemTime::now();
        let old = issue_certificate(&key, "P1", now - 3 * day, now - day).unwrap();
        std::fs::write(&cfg.cert_file, old.pem).unwrap();
        let err = cfg
            .load_identity()
            .unwrap()
            .require_valid_cert(now)
            .unwrap_err()
            .to_string();
        assert!(err.contains("renew-cert"), "{err}");
        let renewed = renew_certificate(&cfg.path, 30).unwrap();
        assert_eq!(renewed.public_key, nodes[1].public_key);
        let id = cfg.load_identity().unwrap();
        assert!(matches!(id.validity.status(now), ValidityStatus::Valid(_)));
    }

    #[test]
    fn wrong_own_index_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let nodes = setup(&SetupOptions::new(3, 0, dir.path())).unwrap();
        let mut cfg = NodeConfig::load(&nodes[1].config_file).unwrap();
        cfg.role = Role::Party(2);
        cfg.name = "P2".into();
        let err = cfg.load_identity().unwrap_err().to_string();
        assert!(
            err.contains("configured as party 2") && err.contains("pinned for party 1"),
            "{err}"
        );
    }
}
