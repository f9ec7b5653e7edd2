//! Writing a config: the file's layout as serde structs, rendered by `toml`.

use super::{NodeConfig, Role};
use serde::Serialize;
use std::path::Path;

#[derive(Serialize)]
struct FileOut<'a> {
    connection_timeout_secs: u64,
    idle_timeout_secs: u64,
    node: NodeOut<'a>,
    params: ParamsOut,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    parties: Vec<PartyOut<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    clients: Vec<ClientOut<'a>>,
}

#[derive(Serialize)]
struct NodeOut<'a> {
    name: &'a str,
    role: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    index: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    listen: Option<String>,
    key_file: String,
    cert_file: String,
}

#[derive(Serialize)]
struct ParamsOut {
    k: u32,
    s: u32,
}

#[derive(Serialize)]
struct PartyOut<'a> {
    index: usize,
    address: &'a str,
    public_key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    route: Option<String>,
}

#[derive(Serialize)]
struct ClientOut<'a> {
    name: &'a str,
    public_key: String,
    route: String,
}

/// Renders `config` as TOML in the documented layout, with a header comment. Key and
/// certificate paths inside the config's folder are written relative to it.
pub(super) fn render(config: &NodeConfig) -> String {
    let base = config.path.parent().unwrap_or(Path::new("."));
    let rel = |p: &Path| -> String {
        p.strip_prefix(base)
            .unwrap_or(p)
            .to_string_lossy()
            .into_owned()
    };
    let (role, index) = match config.role {
        Role::Party(i) => ("party", Some(i)),
        Role::Client => ("client", None),
    };
    let file = FileOut {
        connection_timeout_secs: config.connection_timeout.as_secs(),
        idle_timeout_secs: config.idle_timeout.as_secs(),
        node: NodeOut {
            name: &config.name,
            role,
            index,
            listen: config.listen.map(|l| l.to_string()),
            key_file: rel(&config.key_file),
            cert_file: rel(&config.cert_file),
        },
        params: ParamsOut {
            k: config.params.k,
            s: config.params.s,
        },
        parties: config
            .parties
            .iter()
            .map(|p| PartyOut {
                index: p.index,
                address: &p.address,
                public_key: p.public_key.to_hex(),
                route: p.route.map(|r| r.to_string()),
            })
            .collect(),
        clients: config
            .clients
            .iter()
            .map(|c| ClientOut {
                name: &c.name,
                public_key: c.public_key.to_hex(),
                route: c.route.to_string(),
            })
            .collect(),
    };
    // Every field is a string, an integer, a table or an array of tables: serialising it
    // cannot fail.
    let body = toml::to_string(&file).unwrap_or_default();
    format!("# spdz2k node configuration for {}\n{body}", config.name)
}
