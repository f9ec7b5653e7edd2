//! One validator per section of the config file, each turning raw TOML values into checked
//! ones or a located error. [`super::NodeConfig::parse`] calls them in file order.

use super::raw::{Locator, RawConfig, RawNode, RawParams};
use super::{ClientEntry, PartyEntry, Role, Route, SUPPORTED_PARAMS};
use crate::error::ConfigError;
use crate::identity::PublicKey;
use spdz2k_core::Name;
use spdz2k_ring::ParamsId;
use std::collections::HashSet;
use std::net::SocketAddr;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;
use toml::Spanned;

/// `connection_timeout_secs` or `idle_timeout_secs`: 1 to 3600 seconds, or `default`.
pub(super) fn seconds(
    loc: &Locator<'_>,
    raw: &Option<Spanned<i64>>,
    field: &str,
    default: Duration,
) -> Result<Duration, ConfigError> {
    let Some(t) = raw else {
        return Ok(default);
    };
    let secs = *t.get_ref();
    if !(1..=3600).contains(&secs) {
        return Err(loc.at(
            t.span(),
            field,
            format!("must be 1 to 3600 seconds, got {secs}"),
        ));
    }
    Ok(Duration::from_secs(secs.unsigned_abs()))
}

/// `[params]`: one of the supported (k, s).
pub(super) fn params(loc: &Locator<'_>, raw: &RawParams) -> Result<ParamsId, ConfigError> {
    let (k, s) = (*raw.k.get_ref(), *raw.s.get_ref());
    let supported = SUPPORTED_PARAMS
        .iter()
        .find(|p| i64::from(p.k) == k && i64::from(p.s) == s);
    let Some(&id) = supported else {
        let list: Vec<String> = SUPPORTED_PARAMS
            .iter()
            .map(|p| format!("({},{})", p.k, p.s))
            .collect();
        return Err(loc.at(
            raw.k.span(),
            "params",
            format!(
                "(k, s) = ({k}, {s}) is not supported; use one of {}",
                list.join(", ")
            ),
        ));
    };
    Ok(id)
}

/// `[node]`, checked.
pub(super) struct NodeSection {
    pub name: String,
    pub role: Role,
    pub listen: Option<SocketAddr>,
    pub key_file: PathBuf,
    pub cert_file: PathBuf,
}

/// `[node]`: role and index, name, listen address, key and certificate paths (resolved
/// against `base`).
pub(super) fn node(
    loc: &Locator<'_>,
    raw: &Spanned<RawNode>,
    base: &Path,
) -> Result<NodeSection, ConfigError> {
    let node = raw.get_ref();
    let role = match node.role.get_ref().as_str() {
        "party" => {
            let Some(index) = &node.index else {
                return Err(loc.at(raw.span(), "node.index", "a party needs an index"));
            };
            let i = usize::try_from(*index.get_ref())
                .map_err(|_| loc.at(index.span(), "node.index", "must be 0 or greater"))?;
            Role::Party(i)
        }
        "client" => {
            if let Some(index) = &node.index {
                return Err(loc.at(index.span(), "node.index", "clients have no index"));
            }
            Role::Client
        }
        other => {
            return Err(loc.at(
                node.role.span(),
                "node.role",
                format!("must be \"party\" or \"client\", got {other:?}"),
            ));
        }
    };

    let name = node.name.get_ref().clone();
    match role {
        Role::Party(i) if name != format!("P{i}") => {
            return Err(loc.at(
                node.name.span(),
                "node.name",
                format!("party {i} must be named \"P{i}\", got {name:?}"),
            ));
        }
        Role::Client => {
            if let Err(e) = Name::new(name.as_str()) {
                return Err(loc.at(node.name.span(), "node.name", format!("a client name {e}")));
            }
        }
        _ => {}
    }

    let listen = match (role, &node.listen) {
        (Role::Party(_), None) => {
            return Err(loc.at(raw.span(), "node.listen", "a party needs a listen address"));
        }
        (Role::Party(_), Some(l)) => Some(l.get_ref().parse::<SocketAddr>().map_err(|_| {
            loc.at(
                l.span(),
                "node.listen",
                format!("{:?} is not an IP:port socket address", l.get_ref()),
            )
        })?),
        (Role::Client, Some(l)) => {
            return Err(loc.at(l.span(), "node.listen", "clients do not listen"));
        }
        (Role::Client, None) => None,
    };

    let resolve = |p: &Spanned<String>, field: &str| -> Result<PathBuf, ConfigError> {
        if p.get_ref().is_empty() {
            return Err(loc.at(p.span(), field, "must not be empty"));
        }
        Ok(base.join(p.get_ref()))
    };
    Ok(NodeSection {
        name,
        role,
        listen,
        key_file: resolve(&node.key_file, "node.key_file")?,
        cert_file: resolve(&node.cert_file, "node.cert_file")?,
    })
}

/// The keys pinned so far: every node needs its own.
#[derive(Default)]
pub(super) struct KeyPins(Vec<(PublicKey, String)>);

impl KeyPins {
    /// Parses the key at `field` and refuses one already pinned.
    fn pin(
        &mut self,
        loc: &Locator<'_>,
        key: &Spanned<String>,
        field: String,
    ) -> Result<PublicKey, ConfigError> {
        let pk =
            PublicKey::from_hex(key.get_ref()).map_err(|m| loc.at(key.span(), field.clone(), m))?;
        if let Some((_, other)) = self.0.iter().find(|(k, _)| *k == pk) {
            return Err(loc.at(
                key.span(),
                field,
                format!("the same key is already pinned by {other}; every node needs its own key"),
            ));
        }
        self.0.push((pk, field));
        Ok(pk)
    }
}

/// `[[parties]]`: each entry, then the index set (exactly `0..n`, n >= 2, this node's own
/// index among them), then the routes of a client config. Sorted by index.
pub(super) fn parties(
    loc: &Locator<'_>,
    raw: &RawConfig,
    role: Role,
    pins: &mut KeyPins,
) -> Result<Vec<PartyEntry>, ConfigError> {
    let mut parties = vec![];
    for (pos, p) in raw.parties.iter().enumerate() {
        let p = p.get_ref();
        let field = |f: &str| format!("parties[{pos}].{f}");
        let index = usize::try_from(*p.index.get_ref())
            .map_err(|_| loc.at(p.index.span(), field("index"), "must be 0 or greater"))?;
        valid_address(p.address.get_ref())
            .map_err(|m| loc.at(p.address.span(), field("address"), m))?;
        let public_key = pins.pin(loc, &p.public_key, field("public_key"))?;
        let route = match (role, &p.route) {
            (Role::Party(_), Some(r)) => {
                return Err(loc.at(
                    r.span(),
                    field("route"),
                    "routes to parties belong in client configs only",
                ));
            }
            (Role::Party(_), None) => None,
            (Role::Client, None) => {
                return Err(loc.at(
                    raw.parties[pos].span(),
                    field("route"),
                    "a client config needs a route for every party (\"direct\" or \"via P<j>\")",
                ));
            }
            (Role::Client, Some(r)) => Some(route(loc, r, field("route"))?),
        };
        parties.push((
            p.index.span(),
            PartyEntry {
                index,
                address: p.address.get_ref().clone(),
                public_key,
                route,
                position: pos,
            },
        ));
    }
    let n = parties.len();
    let mut seen = HashSet::new();
    for (span, p) in &parties {
        let problem = if p.index >= n {
            format!(
                "index {} is out of range: with {n} [[parties]] entries the indices are 0 to {}",
                p.index,
                n.saturating_sub(1)
            )
        } else if !seen.insert(p.index) {
            format!("index {} appears more than once", p.index)
        } else {
            continue;
        };
        return Err(loc.at(
            span.clone(),
            format!("parties[{}].index", p.position),
            problem,
        ));
    }
    parties.sort_by_key(|(_, p)| p.index);
    let parties: Vec<PartyEntry> = parties.into_iter().map(|(_, p)| p).collect();
    if parties.len() < 2 {
        return Err(loc.at(
            0..0,
            "parties",
            format!(
                "at least 2 [[parties]] entries are needed, found {}",
                parties.len()
            ),
        ));
    }
    if let Role::Party(i) = role
        && i >= parties.len()
    {
        let node = raw.node.get_ref();
        let span = node.index.as_ref().map(|s| s.span()).unwrap_or(0..0);
        return Err(loc.at(
            span,
            "node.index",
            format!(
                "index {i} has no [[parties]] entry (there are {} parties)",
                parties.len()
            ),
        ));
    }
    for p in &parties {
        if let (Some(r), Some(raw_route)) = (p.route, &raw.parties[p.position].get_ref().route) {
            let field = format!("parties[{}].route", p.position);
            check_via(loc, r, raw_route.span(), field, role, parties.len())?;
        }
    }
    Ok(parties)
}

/// `[[clients]]` (party configs only): unique valid names, own keys, routes through
/// existing other parties.
pub(super) fn clients(
    loc: &Locator<'_>,
    raw: &RawConfig,
    role: Role,
    n: usize,
    pins: &mut KeyPins,
) -> Result<Vec<ClientEntry>, ConfigError> {
    let mut clients = vec![];
    let mut names = HashSet::new();
    for (pos, c) in raw.clients.iter().enumerate() {
        let c = c.get_ref();
        let field = |f: &str| format!("clients[{pos}].{f}");
        if role == Role::Client {
            return Err(loc.at(
                c.name.span(),
                field("name"),
                "client configs list parties only",
            ));
        }
        let name = c.name.get_ref().clone();
        if !valid_client_name(&name) || !names.insert(name.clone()) {
            return Err(loc.at(
                c.name.span(),
                field("name"),
                format!("{name:?} is not a valid, unique client name"),
            ));
        }
        let public_key = pins.pin(loc, &c.public_key, field("public_key"))?;
        let route = route(loc, &c.route, field("route"))?;
        check_via(loc, route, c.route.span(), field("route"), role, n)?;
        clients.push(ClientEntry {
            name,
            public_key,
            route,
            position: pos,
        });
    }
    Ok(clients)
}

/// A route `"direct"` or `"via P<j>"`.
fn route(loc: &Locator<'_>, r: &Spanned<String>, field: String) -> Result<Route, ConfigError> {
    parse_route(r.get_ref()).ok_or_else(|| {
        loc.at(
            r.span(),
            field,
            format!("must be \"direct\" or \"via P<j>\", got {:?}", r.get_ref()),
        )
    })
}

/// A `via P<j>` route must name another party of the deployment.
fn check_via(
    loc: &Locator<'_>,
    route: Route,
    span: Range<usize>,
    field: String,
    role: Role,
    n: usize,
) -> Result<(), ConfigError> {
    if let Route::Via(j) = route {
        if j >= n {
            return Err(loc.at(
                span,
                field,
                format!("P{j} is not a party of this deployment"),
            ));
        }
        if role == Role::Party(j) {
            return Err(loc.at(
                span,
                field,
                format!("this node is P{j}; its own route must be \"direct\""),
            ));
        }
    }
    Ok(())
}

/// Parses `P<i>` / `via P<i>` party references.
pub(super) fn parse_party_ref(s: &str) -> Option<usize> {
    let digits = s.strip_prefix('P')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

fn parse_route(s: &str) -> Option<Route> {
    if s == "direct" {
        return Some(Route::Direct);
    }
    s.strip_prefix("via ")
        .and_then(parse_party_ref)
        .map(Route::Via)
}

/// Checks `host:port` without resolving the host.
fn valid_address(s: &str) -> Result<(), String> {
    let (host, port) = s
        .rsplit_once(':')
        .ok_or_else(|| format!("{s:?} is not host:port"))?;
    if host.is_empty() {
        return Err(format!("{s:?} has no host"));
    }
    port.parse::<u16>()
        .map_err(|_| format!("{s:?} has no valid port"))?;
    Ok(())
}

/// A client name follows the one rule for names ([`spdz2k_core::Name`]): 1 to 64
/// characters from `[A-Za-z0-9._-]`, as client IDs in envelopes do.
fn valid_client_name(s: &str) -> bool {
    Name::new(s).is_ok()
}
