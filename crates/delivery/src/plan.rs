//! The routing plan: how each party reaches one client, learned from every party at the
//! start of client I/O (a party's config holds only its own route), and who therefore
//! carries whose envelopes.

use crate::DeliveryError;
use ed25519_dalek::VerifyingKey;
use spdz2k_core::SessionId;
use spdz2k_core::bytes::{Reader, Writer};
use spdz2k_pki::{NodeConfig, PublicKey, Route};

/// What each party announces to every other at the start of client I/O: its route to the
/// client and its fresh 32-byte contribution to the run ID.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Announcement {
    /// How the announcing party reaches the client.
    pub route: Route,
    /// Its contribution to [`spdz2k_output::RunId::derive`].
    pub contribution: [u8; 32],
}

const DIRECT: u8 = 0;
const VIA: u8 = 1;
/// tag, proxy index (u64, 0 for a direct route), contribution.
const ANNOUNCEMENT_LEN: usize = 1 + 8 + 32;

impl Announcement {
    /// The wire form: a tag byte (0 direct, 1 via), the proxy's index as u64 LE (0 when
    /// direct), then the contribution.
    pub fn encode(&self) -> Vec<u8> {
        let (tag, proxy) = match self.route {
            Route::Direct => (DIRECT, 0u64),
            Route::Via(p) => (VIA, p as u64),
        };
        let mut w = Writer::with_capacity(ANNOUNCEMENT_LEN);
        w.u8(tag);
        w.u64(proxy);
        w.bytes(&self.contribution);
        w.into_vec()
    }

    /// Parses [`Announcement::encode`]'s form; `None` if malformed.
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        let mut r = Reader::new(bytes);
        let tag = r.u8("route tag").ok()?;
        let proxy = r.u64("proxy index").ok()?;
        let contribution = r.array("run ID contribution").ok()?;
        r.finish("route announcement").ok()?;
        let route = match tag {
            DIRECT if proxy == 0 => Route::Direct,
            VIA => Route::Via(usize::try_from(proxy).ok()?),
            _ => return None,
        };
        Some(Self {
            route,
            contribution,
        })
    }
}

/// Every party's route to one client, checked: a proxy must have a direct route itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoutePlan {
    routes: Vec<Route>,
}

impl RoutePlan {
    /// The plan from every party's route (index = party); refused, with the fix, if a party
    /// is routed through one that is out of range or not direct.
    pub fn new(
        routes: Vec<Route>,
        session: &SessionId,
        client: &str,
    ) -> Result<Self, DeliveryError> {
        let n = routes.len();
        for (p, r) in routes.iter().enumerate() {
            if let Route::Via(q) = *r
                && (q >= n || routes[q] != Route::Direct)
            {
                return Err(DeliveryError::Config(format!(
                    "session {session}: party {p} routes to {client} via P{q}, which has no direct route; \
                     give P{q} `route = \"direct\"` for {client} or change P{p}'s route"
                )));
            }
        }
        Ok(Self { routes })
    }

    /// Party `p`'s route.
    pub fn route(&self, p: usize) -> Route {
        self.routes[p]
    }

    /// The party whose connection to the client carries `p`'s envelopes.
    pub fn carrier(&self, p: usize) -> usize {
        match self.routes[p] {
            Route::Direct => p,
            Route::Via(q) => q,
        }
    }

    /// The parties whose envelopes `p` carries besides its own, in party order.
    pub fn dependents(&self, p: usize) -> Vec<usize> {
        (0..self.routes.len())
            .filter(|&q| self.routes[q] == Route::Via(p))
            .collect()
    }
}

/// A pinned Ed25519 key, refused with `what` named if it is not a valid point.
pub(crate) fn verifying_key(pk: &PublicKey, what: &str) -> Result<VerifyingKey, DeliveryError> {
    VerifyingKey::from_bytes(&pk.0).map_err(|_| {
        DeliveryError::Config(format!(
            "{what}: pinned public key is not a valid Ed25519 key"
        ))
    })
}

/// Every party's pinned identity key from a config, indexed by party.
pub(crate) fn pinned_party_keys(config: &NodeConfig) -> Result<Vec<VerifyingKey>, DeliveryError> {
    config
        .parties
        .iter()
        .map(|p| verifying_key(&p.public_key, &format!("P{}", p.index)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn announcements_round_trip_and_refuse_malformed_forms() {
        for route in [Route::Direct, Route::Via(0), Route::Via(4)] {
            let a = Announcement {
                route,
                contribution: [9; 32],
            };
            assert_eq!(Announcement::decode(&a.encode()), Some(a));
        }
        let mut bad_tag = Announcement {
            route: Route::Direct,
            contribution: [0; 32],
        }
        .encode();
        bad_tag[0] = 2;
        assert_eq!(Announcement::decode(&bad_tag), None);
        let mut direct_with_proxy = bad_tag.clone();
        direct_with_proxy[0] = DIRECT;
        direct_with_proxy[1] = 1;
        assert_eq!(Announcement::decode(&direct_with_proxy), None);
        assert_eq!(Announcement::decode(&bad_tag[..40]), None);
    }

    #[test]
    fn a_proxy_must_be_direct_and_in_range() {
        let sid = SessionId::new("s").unwrap();
        let plan = RoutePlan::new(
            vec![Route::Direct, Route::Via(0), Route::Via(0)],
            &sid,
            "C0",
        )
        .unwrap();
        assert_eq!(plan.dependents(0), vec![1, 2]);
        assert_eq!(plan.carrier(2), 0);
        assert_eq!(plan.carrier(0), 0);
        for bad in [
            vec![Route::Via(1), Route::Via(0)],
            vec![Route::Direct, Route::Via(5)],
        ] {
            let err = RoutePlan::new(bad, &sid, "C0").unwrap_err().to_string();
            assert!(err.contains("which has no direct route"), "{err}");
        }
    }
}
