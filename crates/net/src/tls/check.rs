//! `spdz2k check`: validates a node's config, key and certificate, and reaches every peer.

use super::connect::{self, TlsContext};
use super::wire::Purpose;
use crate::frame::{self, FrameKind};
use spdz2k_pki::cert::{EXPIRY_WARNING, utc};
use spdz2k_pki::{NodeConfig, Role, Route, ValidityStatus};
use std::fmt;
use std::time::{Duration, SystemTime};
use tokio::io::AsyncWriteExt;
use tokio::time::{Instant, timeout_at};

/// The outcome of one check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckStatus {
    /// Fine.
    Ok,
    /// Works, but needs attention soon.
    Warn,
    /// Broken.
    Fail,
}

/// One line of a check report.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckLine {
    /// Outcome.
    pub status: CheckStatus,
    /// What was checked: `config`, `key`, `certificate`, `P1`...
    pub subject: String,
    /// What was found.
    pub detail: String,
    /// For a peer reached: the ping round-trip time.
    pub rtt: Option<Duration>,
}

impl fmt::Display for CheckLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let status = match self.status {
            CheckStatus::Ok => "ok  ",
            CheckStatus::Warn => "WARN",
            CheckStatus::Fail => "FAIL",
        };
        write!(f, "{status} {:<12} {}", self.subject, self.detail)
    }
}

/// Every line of a check, in order.
#[derive(Clone, Debug, Default)]
pub struct CheckReport {
    /// The lines.
    pub lines: Vec<CheckLine>,
}

impl CheckReport {
    /// True when no line failed (warnings allowed).
    pub fn ok(&self) -> bool {
        self.lines.iter().all(|l| l.status != CheckStatus::Fail)
    }
    fn push(&mut self, status: CheckStatus, subject: impl Into<String>, detail: impl Into<String>) {
        self.lines.push(CheckLine {
            status,
            subject: subject.into(),
            detail: detail.into(),
            rtt: None,
        });
    }
}

impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for line in &self.lines {
            writeln!(f, "{line}")?;
        }
        Ok(())
    }
}

/// Checks the node of `config`: its key against the pin its peers use, its certificate's
/// validity (warning 30 days ahead), its key file's permissions, and that every peer it
/// dials answers a ping over mutual TLS (each within the connection timeout).
pub async fn check(config: &NodeConfig) -> CheckReport {
    let mut report = CheckReport::default();
    let role = match config.role {
        Role::Party(i) => format!("party {i} of {}", config.parties.len()),
        Role::Client => format!("client of {} parties", config.parties.len()),
    };
    report.push(
        CheckStatus::Ok,
        "config",
        format!(
            "{}: {} ({role}), ring {}, timeout {:?}",
            config.path.display(),
            config.name,
            config.params,
            config.connection_timeout
        ),
    );
    let identity = match config.load_identity() {
        Ok(id) => id,
        Err(e) => {
            report.push(CheckStatus::Fail, "key", e.to_string());
            return report;
        }
    };
    let pinned_as = match config.party_index() {
        Some(i) => format!("matches the pin for P{i} ({})", config.party_pin_field(i)),
        None => "is what the parties must pin in their [[clients]] entry for this client".into(),
    };
    report.push(
        CheckStatus::Ok,
        "key",
        format!(
            "{} {pinned_as}; public key {}",
            identity.public_key.fingerprint(),
            identity.public_key.to_hex()
        ),
    );
    // A key file readable by others was already refused by `load_identity` (with the fix).
    let now = SystemTime::now();
    let renew = format!("spdz2k renew-cert --config {}", config.path.display());
    match identity.validity.status(now) {
        ValidityStatus::Valid(left) if left < EXPIRY_WARNING => report.push(
            CheckStatus::Warn,
            "certificate",
            format!(
                "{} expires in {} days ({}); renew it with `{renew}`",
                config.cert_file.display(),
                left.as_secs() / 86_400,
                utc(identity.validity.not_after)
            ),
        ),
        ValidityStatus::Valid(left) => report.push(
            CheckStatus::Ok,
            "certificate",
            format!(
                "{} valid until {} ({} days)",
                config.cert_file.display(),
                utc(identity.validity.not_after),
                left.as_secs() / 86_400
            ),
        ),
        _ => {
            let err = identity
                .require_valid_cert(now)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            report.push(CheckStatus::Fail, "certificate", err);
            return report;
        }
    }
    let ctx = match TlsContext::new(config.clone(), &identity) {
        Ok(c) => c,
        Err(e) => {
            report.push(CheckStatus::Fail, "tls", e.to_string());
            return report;
        }
    };
    let targets: Vec<_> = config
        .parties
        .iter()
        .filter(|p| Some(p.index) != config.party_index())
        .filter(|p| config.role != Role::Client || p.route == Some(Route::Direct))
        .collect();
    let session = spdz2k_core::SessionId::new("check").ok();
    let pings = targets
        .iter()
        .map(|p| ping(&ctx, p, config.connection_timeout));
    let results = join_all(pings).await;
    for (p, result) in targets.iter().zip(results) {
        let subject = format!("P{}", p.index);
        match result {
            Ok(rtt) => report.lines.push(CheckLine {
                status: CheckStatus::Ok,
                subject,
                detail: format!(
                    "{} reachable, key {} verified, rtt {:.2} ms",
                    p.address,
                    p.public_key.short_fingerprint(),
                    rtt.as_secs_f64() * 1000.0
                ),
                rtt: Some(rtt),
            }),
            Err(f) => {
                let prefix = format!("parties[{}]", p.position);
                let detail = match (&session, f.is_fatal()) {
                    (Some(sid), true) => f
                        .to_error(&ctx, &subject, &p.address, sid, &prefix)
                        .to_string(),
                    _ => format!(
                        "{}: {}",
                        p.address,
                        f.describe(&subject, &format!("{prefix}.address"))
                    ),
                };
                report.push(CheckStatus::Fail, subject, detail);
            }
        }
    }
    // Peers this node does not dial still get a line, saying why they are not pinged.
    for c in &config.clients {
        report.push(
            CheckStatus::Ok,
            c.name.clone(),
            format!(
                "client, key {}, route {}: clients dial the parties, so it is not pinged from here",
                c.public_key.short_fingerprint(),
                c.route
            ),
        );
    }
    if config.role == Role::Client {
        for p in config
            .parties
            .iter()
            .filter(|p| p.route != Some(Route::Direct))
        {
            let route = p.route.map_or_else(|| "-".to_string(), |r| r.to_string());
            report.push(
                CheckStatus::Ok,
                format!("P{}", p.index),
                format!("reached {route}, not dialled by this client"),
            );
        }
    }
    report
}

/// Runs futures concurrently on this task and collects their outputs in order.
async fn join_all<F: std::future::Future>(futs: impl Iterator<Item = F>) -> Vec<F::Output> {
    let mut pinned: Vec<_> = futs.map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = pinned.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (fut, slot) in pinned.iter_mut().zip(out.iter_mut()) {
            if slot.is_none() {
                match fut.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => *slot = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.into_iter().flatten().collect()
}

/// Connects to one party as this node (mutual TLS, pinned key), sends a ping and times the
/// pong.
async fn ping(
    ctx: &TlsContext,
    p: &spdz2k_pki::PartyEntry,
    wait: Duration,
) -> Result<Duration, connect::DialFailure> {
    let deadline = Instant::now() + wait;
    let mut tls = connect::dial(
        ctx,
        p.public_key,
        &p.address,
        Purpose::Ping,
        p.index,
        None,
        deadline,
    )
    .await?;
    let nonce = rand_nonce();
    let sent = Instant::now();
    let io = |e: std::io::Error| connect::DialFailure::Other(format!("ping: {e}"));
    timeout_at(deadline, async {
        frame::write_frame(&mut tls, FrameKind::Ping, b"", &nonce).await?;
        tls.flush().await
    })
    .await
    .map_err(|_| connect::DialFailure::Timeout("ping"))?
    .map_err(io)?;
    loop {
        match timeout_at(deadline, frame::read_frame(&mut tls)).await {
            Err(_) => return Err(connect::DialFailure::Timeout("waiting for pong")),
            Ok(Err(e)) => return Err(connect::DialFailure::Other(format!("ping: {e}"))),
            Ok(Ok((h, payload))) if h.kind == FrameKind::Pong && payload == nonce => {
                let rtt = sent.elapsed();
                let _ = tls.shutdown().await;
                return Ok(rtt);
            }
            Ok(Ok(_)) => continue,
        }
    }
}

fn rand_nonce() -> [u8; 8] {
    use rand::Rng;
    let mut n = [0u8; 8];
    spdz2k_core::rng::secure_rng().fill_bytes(&mut n);
    n
}
