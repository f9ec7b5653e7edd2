//! Establishing connections: TLS 1.3 configs over the node's identity, dialling with a
//! connection hello, and accepting (identifying the peer by the key it proved).

use super::verify::{PinVerifier, Pins, VerifyFailure, alert_of, explain_alert};
use super::wire::{ConnHello, PROTOCOL_VERSION, Purpose};
use crate::error::NetError;
use crate::frame::{self, FrameKind};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use spdz2k_core::SessionId;
use spdz2k_pki::cert::TLS_SERVER_NAME;
use spdz2k_pki::{NodeConfig, NodeIdentity, PublicKey};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout_at};
use tokio_rustls::{TlsAcceptor, TlsConnector, TlsStream};

/// A node's TLS material and config, shared by its tasks.
pub(crate) struct TlsContext {
    /// This node's name (`P0`, `C0`).
    pub node: String,
    /// Its config.
    pub config: NodeConfig,
    /// Its public key.
    pub own_key: PublicKey,
    cert: CertificateDer<'static>,
    key_der: Vec<u8>,
    acceptor: TlsAcceptor,
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn tls_error(node: &str, e: rustls::Error) -> NetError {
    NetError::Identity {
        node: node.to_string(),
        source: spdz2k_pki::PkiError::Certificate(format!("building the TLS configuration: {e}")),
    }
}

/// Loads the identity of `config`'s node and requires its certificate to be valid now.
pub(crate) fn load_valid_identity(config: &NodeConfig) -> Result<NodeIdentity, NetError> {
    let fail = |source| NetError::Identity {
        node: config.name.clone(),
        source,
    };
    let identity = config.load_identity().map_err(fail)?;
    identity
        .require_valid_cert(std::time::SystemTime::now())
        .map_err(fail)?;
    Ok(identity)
}

impl TlsContext {
    /// Builds the acceptor (accepting any pinned peer) over the node's identity.
    pub fn new(config: NodeConfig, identity: &NodeIdentity) -> Result<Self, NetError> {
        let own_key = identity.public_key;
        let cert = CertificateDer::from(identity.cert_der.clone());
        let key_der = identity.pkcs8_der();
        let pins: Vec<PublicKey> = config
            .parties
            .iter()
            .filter(|p| Some(p.index) != config.party_index())
            .map(|p| p.public_key)
            .chain(config.clients.iter().map(|c| c.public_key))
            .collect();
        let verifier = Arc::new(PinVerifier::new(Pins::AnyOf(pins), own_key));
        let server = rustls::ServerConfig::builder_with_provider(provider())
            .with_protocol_versions(&[&rustls::version::TLS13])
            .map_err(|e| tls_error(&config.name, e))?
            .with_client_cert_verifier(verifier)
            .with_single_cert(
                vec![cert.clone()],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key_der.clone())),
            )
            .map_err(|e| tls_error(&config.name, e))?;
        Ok(Self {
            node: config.name.clone(),
            config,
            own_key,
            cert,
            key_der,
            acceptor: TlsAcceptor::from(Arc::new(server)),
        })
    }

    fn connector(&self, pin: PublicKey) -> Result<TlsConnector, rustls::Error> {
        let verifier = Arc::new(PinVerifier::new(Pins::Exactly(pin), self.own_key));
        let client = rustls::ClientConfig::builder_with_provider(provider())
            .with_protocol_versions(&[&rustls::version::TLS13])?
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_client_auth_cert(
                vec![self.cert.clone()],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key_der.clone())),
            )?;
        Ok(TlsConnector::from(Arc::new(client)))
    }

    /// The configured node that owns `key`, if any (`P1`, `C0`).
    pub fn owner_of(&self, key: &PublicKey) -> Option<String> {
        if *key == self.own_key {
            return Some(format!("{} (this node)", self.node));
        }
        self.config
            .parties
            .iter()
            .find(|p| p.public_key == *key)
            .map(|p| format!("P{}", p.index))
            .or_else(|| {
                self.config
                    .clients
                    .iter()
                    .find(|c| c.public_key == *key)
                    .map(|c| c.name.clone())
            })
    }
}

/// Why a dial failed.
#[derive(Clone, Debug)]
pub(crate) enum DialFailure {
    /// The host name did not resolve.
    Resolve(String),
    /// TCP connect failed (refused, unreachable...).
    Connect(String),
    /// A stage did not finish before the deadline.
    Timeout(&'static str),
    /// The peer's certificate was refused.
    Verify(VerifyFailure),
    /// The peer sent a TLS alert (it refused ours).
    Alert(rustls::AlertDescription),
    /// The peer refused our hello, with its reason.
    Rejected(String),
    /// Some other TLS or I/O failure.
    Other(String),
}

impl DialFailure {
    /// Failures that retrying will not fix until someone changes a config, key or certificate.
    pub fn is_fatal(&self) -> bool {
        matches!(self, Self::Verify(_) | Self::Alert(_) | Self::Rejected(_))
    }

    /// A short description for lists of missing peers.
    pub fn describe(&self, peer: &str, entry: &str) -> String {
        match self {
            Self::Resolve(e) => format!("cannot resolve its address: {e}; check {entry}"),
            Self::Connect(e) => format!(
                "cannot connect: {e}; is {peer} running and listening there? check {entry} and firewalls"
            ),
            Self::Timeout(stage) => format!(
                "no answer ({stage} timed out): the address may be unreachable or filtered; check {entry}"
            ),
            Self::Verify(v) => format!("its certificate was refused: {v}"),
            Self::Alert(a) => format!("{} (TLS alert {a:?})", explain_alert(*a)),
            Self::Rejected(r) => format!("it refused this node: {r}"),
            Self::Other(e) => format!("TLS handshake failed: {e}"),
        }
    }

    /// The error for a fatal failure dialling party/peer `peer_name` at `address`.
    pub fn to_error(
        &self,
        ctx: &TlsContext,
        peer_name: &str,
        address: &str,
        session: &SessionId,
        entry_prefix: &str,
    ) -> NetError {
        let node = ctx.node.clone();
        let session = session.clone();
        let (peer, address) = (peer_name.to_string(), address.to_string());
        match self {
            Self::Verify(VerifyFailure::Mismatch {
                expected,
                presented,
            }) => NetError::PinMismatch {
                node,
                peer,
                address,
                session,
                expected_fp: expected.fingerprint(),
                presented_fp: presented.fingerprint(),
                presented_hex: presented.to_hex(),
                presented_is: ctx.owner_of(presented),
                config: ctx.config.path.clone(),
                entry: format!("{entry_prefix}.public_key"),
            },
            Self::Verify(VerifyFailure::OwnKey) => NetError::SelfDial {
                node,
                peer,
                address,
                session,
                config: ctx.config.path.clone(),
                entry: format!("{entry_prefix}.address"),
            },
            Self::Verify(
                v @ (VerifyFailure::Expired { .. } | VerifyFailure::NotYetValid { .. }),
            ) => NetError::PeerCertInvalid {
                node,
                peer,
                address,
                session,
                detail: v.to_string(),
            },
            Self::Rejected(reason) => NetError::Rejected {
                node,
                peer,
                address,
                session,
                reason: reason.clone(),
            },
            Self::Alert(a) => NetError::Rejected {
                node,
                peer,
                address,
                session,
                reason: format!(
                    "{} (TLS alert {a:?}); this node is {}",
                    explain_alert(*a),
                    ctx.own_key.fingerprint()
                ),
            },
            other => NetError::Rejected {
                node,
                reason: other.describe(&peer, &format!("{entry_prefix}.address")),
                peer,
                address,
                session,
            },
        }
    }
}

fn classify_tls_io(e: std::io::Error) -> DialFailure {
    if let Some(v) = VerifyFailure::from_io(&e) {
        return DialFailure::Verify(v);
    }
    if let Some(a) = alert_of(&e) {
        return DialFailure::Alert(a);
    }
    DialFailure::Other(e.to_string())
}

/// Dials `address`, requires the peer to prove `pin`, sends `hello` and waits for the
/// peer's answer (a rejected client certificate shows only here, pitfall 6).
pub(crate) async fn dial(
    ctx: &TlsContext,
    pin: PublicKey,
    address: &str,
    purpose: Purpose,
    to: usize,
    session: Option<&SessionId>,
    deadline: Instant,
) -> Result<TlsStream<TcpStream>, DialFailure> {
    let addrs = timeout_at(deadline, tokio::net::lookup_host(address))
        .await
        .map_err(|_| DialFailure::Timeout("name resolution"))?
        .map_err(|e| DialFailure::Resolve(e.to_string()))?;
    let mut last = DialFailure::Resolve(format!("{address} resolved to no address"));
    let mut tcp = None;
    for addr in addrs {
        match timeout_at(deadline, TcpStream::connect(addr)).await {
            Err(_) => {
                last = DialFailure::Timeout("TCP connect");
                break;
            }
            Ok(Err(e)) => last = DialFailure::Connect(e.to_string()),
            Ok(Ok(s)) => {
                tcp = Some(s);
                break;
            }
        }
    }
    let tcp = tcp.ok_or(last)?;
    tcp.set_nodelay(true)
        .map_err(|e| DialFailure::Other(e.to_string()))?;
    let connector = ctx
        .connector(pin)
        .map_err(|e| DialFailure::Other(e.to_string()))?;
    let name =
        ServerName::try_from(TLS_SERVER_NAME).map_err(|e| DialFailure::Other(e.to_string()))?;
    let mut tls = timeout_at(deadline, connector.connect(name, tcp))
        .await
        .map_err(|_| DialFailure::Timeout("TLS handshake"))?
        .map_err(classify_tls_io)?;
    let hello = ConnHello {
        version: PROTOCOL_VERSION,
        purpose,
        from: ctx.node.clone(),
        to: u32::try_from(to).unwrap_or(u32::MAX),
        session: session.cloned(),
    };
    let send = async {
        frame::write_frame(&mut tls, FrameKind::Hello, b"", &hello.encode()).await?;
        tls.flush().await
    };
    timeout_at(deadline, send)
        .await
        .map_err(|_| DialFailure::Timeout("sending hello"))?
        .map_err(classify_tls_io)?;
    let answer = timeout_at(deadline, frame::read_frame(&mut tls))
        .await
        .map_err(|_| DialFailure::Timeout("waiting for the peer's hello"))?;
    match answer {
        Ok((h, _)) if h.kind == FrameKind::HelloOk => Ok(TlsStream::Client(tls)),
        Ok((h, payload)) if h.kind == FrameKind::Reject => Err(DialFailure::Rejected(
            String::from_utf8_lossy(&payload).into_owned(),
        )),
        Ok((h, _)) => Err(DialFailure::Other(format!(
            "expected a hello answer, got {:?}",
            h.kind
        ))),
        Err(frame::FrameError::Io(e)) => Err(classify_tls_io(e)),
        Err(e) => Err(DialFailure::Other(e.to_string())),
    }
}

/// Who an accepted connection proved to be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PeerId {
    /// Party with this index.
    Party(usize),
    /// Client with this name.
    Client(String),
}

impl std::fmt::Display for PeerId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PeerId::Party(i) => write!(f, "P{i}"),
            PeerId::Client(c) => f.write_str(c),
        }
    }
}

/// An accepted, identified connection and its hello.
pub(crate) struct Accepted {
    pub stream: TlsStream<TcpStream>,
    pub peer: PeerId,
    pub hello: ConnHello,
}

/// Why an incoming connection was refused; logged and kept for diagnostics.
pub(crate) struct AcceptFailure(pub String);

/// Runs the server side of the TLS handshake and reads the dialer's hello; checks that the
/// claimed identity is the proven one and fits the purpose. Answers rejections itself.
pub(crate) async fn accept(
    ctx: &TlsContext,
    tcp: TcpStream,
    from: std::net::SocketAddr,
    wait: Duration,
) -> Result<Accepted, AcceptFailure> {
    let deadline = Instant::now() + wait;
    let _ = tcp.set_nodelay(true);
    let tls = timeout_at(deadline, ctx.acceptor.accept(tcp))
        .await
        .map_err(|_| AcceptFailure(format!("{from}: TLS handshake timed out")))?;
    let mut tls = tls.map_err(|e| {
        let detail = match VerifyFailure::from_io(&e) {
            Some(VerifyFailure::Unknown { presented }) => {
                // The parties that dial this node: one of them is probably the sender.
                let diallers: Vec<String> = ctx
                    .config
                    .parties
                    .iter()
                    .filter(|p| ctx.config.party_index().is_some_and(|me| p.index < me))
                    .map(|p| format!("parties[{}].public_key (P{}) pins {}", p.position, p.index, p.public_key.short_fingerprint()))
                    .collect();
                format!(
                    "presented key {presented} which no [[parties]] or [[clients]] entry of {} \
                     pins; if a node's key was regenerated, confirm the fingerprint with its \
                     operator and update its entry there{}",
                    ctx.config.path.display(),
                    if diallers.is_empty() { String::new() } else { format!(" ({})", diallers.join(", ")) }
                )
            }
            Some(VerifyFailure::OwnKey) => {
                "proved this node's own key: this node dialled itself; check the [[parties]] addresses".into()
            }
            Some(v) => v.to_string(),
            None => match alert_of(&e) {
                Some(a) => format!(
                    "{} (TLS alert {a:?}); this node is {}",
                    explain_alert(a),
                    ctx.own_key.fingerprint()
                ),
                None => e.to_string(),
            },
        };
        AcceptFailure(format!("incoming connection from {from}: {detail}"))
    })?;
    let key = tls
        .get_ref()
        .1
        .peer_certificates()
        .and_then(|c| c.first())
        .and_then(|c| spdz2k_pki::cert::parse_certificate(c).ok())
        .map(|info| info.public_key)
        .ok_or_else(|| AcceptFailure(format!("{from}: no usable client certificate")))?;
    let peer = if let Some(p) = ctx.config.parties.iter().find(|p| p.public_key == key) {
        PeerId::Party(p.index)
    } else if let Some(c) = ctx.config.clients.iter().find(|c| c.public_key == key) {
        PeerId::Client(c.name.clone())
    } else {
        return Err(AcceptFailure(format!("{from}: key {key} is not pinned")));
    };
    let hello = match timeout_at(deadline, frame::read_frame(&mut tls)).await {
        Err(_) => {
            return Err(AcceptFailure(format!(
                "{peer} at {from}: no hello before the timeout"
            )));
        }
        Ok(Err(e)) => {
            return Err(AcceptFailure(format!(
                "{peer} at {from}: reading hello: {e}"
            )));
        }
        Ok(Ok((h, payload))) if h.kind == FrameKind::Hello => ConnHello::decode(&payload)
            .map_err(|e| AcceptFailure(format!("{peer} at {from}: bad hello: {e}")))?,
        Ok(Ok((h, _))) => {
            return Err(AcceptFailure(format!(
                "{peer} at {from}: expected a hello, got {:?}",
                h.kind
            )));
        }
    };
    let me = ctx.config.party_index();
    let refusal = if hello.version != PROTOCOL_VERSION {
        Some(format!(
            "wire version {} differs from this node's {PROTOCOL_VERSION}; run the same spdz2k version on every node",
            hello.version
        ))
    } else if hello.from != peer.to_string() {
        Some(format!(
            "you proved the key pinned for {peer} but say you are {}: {peer}'s config has the wrong [node] index/name",
            hello.from
        ))
    } else if hello.purpose != Purpose::Ping && me.map(|m| m as u32) != Some(hello.to) {
        Some(format!(
            "you dialled party {} but reached {} at this address: your parties[{}].address points at the wrong node",
            hello.to, ctx.node, hello.to
        ))
    } else {
        match (&peer, hello.purpose, me) {
            (PeerId::Party(j), Purpose::Mesh, Some(m)) if *j >= m => Some(format!(
                "dial rule: the lower index dials, but P{j} dialled P{m}; the two configs disagree about party indices"
            )),
            (PeerId::Client(_), Purpose::Mesh, _) => {
                Some("clients may not join the party mesh".into())
            }
            (PeerId::Party(_), Purpose::Client, _) => {
                Some("parties may not open client channels".into())
            }
            (PeerId::Client(c), Purpose::Client, _) => match ctx.config.client(c) {
                Some(entry) if entry.route != spdz2k_pki::Route::Direct => Some(format!(
                    "{} reaches {c} {} (clients[{}].route), not directly; connect to that proxy only, or change the route",
                    ctx.node, entry.route, entry.position
                )),
                _ if hello.session.is_none() => {
                    Some("a client connection needs a session ID".into())
                }
                _ => None,
            },
            _ => None,
        }
    };
    if let Some(reason) = refusal {
        let _ = timeout_at(deadline, async {
            frame::write_frame(&mut tls, FrameKind::Reject, b"", reason.as_bytes()).await?;
            tls.shutdown().await
        })
        .await;
        return Err(AcceptFailure(format!("refused {peer} at {from}: {reason}")));
    }
    let ok = async {
        frame::write_frame(&mut tls, FrameKind::HelloOk, b"", ctx.node.as_bytes()).await?;
        tls.flush().await
    };
    match timeout_at(deadline, ok).await {
        Ok(Ok(())) => Ok(Accepted {
            stream: TlsStream::Server(tls),
            peer,
            hello,
        }),
        _ => Err(AcceptFailure(format!(
            "{peer} at {from}: could not answer its hello"
        ))),
    }
}
