//! Shared test helpers: a deployment in a tempdir with every party on 127.0.0.1:<ephemeral>,
//! and log capture.
#![allow(dead_code)]

use spdz2k_core::SessionId;
use spdz2k_net::SessionSpec;
use spdz2k_pki::{NodeConfig, SetupOptions, setup};
use spdz2k_ring::ParamsId;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

/// The connection timeout used by the tests.
pub const TIMEOUT: Duration = Duration::from_secs(2);
/// What every diagnostic must beat: the timeout plus a second.
pub const BOUND: Duration = Duration::from_secs(3);

pub struct Deployment {
    pub dir: tempfile::TempDir,
    /// Party configs, then client configs, with real loopback ports filled in.
    pub configs: Vec<NodeConfig>,
    /// One bound listener per party (take it to start the node).
    pub listeners: Vec<Option<TcpListener>>,
    pub n: usize,
}

impl Deployment {
    pub async fn new(n: usize, clients: usize) -> Self {
        Self::with(n, clients, false).await
    }

    pub async fn with(n: usize, clients: usize, direct_clients: bool) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut opts = SetupOptions::new(n, clients, dir.path());
        opts.connection_timeout = TIMEOUT;
        opts.direct_clients = direct_clients;
        let nodes = setup(&opts).unwrap();
        let mut configs: Vec<NodeConfig> = nodes
            .iter()
            .map(|s| NodeConfig::load(&s.config_file).unwrap())
            .collect();
        let mut listeners = vec![];
        let mut addrs = vec![];
        for _ in 0..n {
            let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
            addrs.push(l.local_addr().unwrap());
            listeners.push(Some(l));
        }
        for (i, cfg) in configs.iter_mut().enumerate() {
            if i < n {
                cfg.listen = Some(addrs[i]);
            }
            for p in cfg.parties.iter_mut() {
                p.address = addrs[p.index].to_string();
            }
        }
        Deployment {
            dir,
            configs,
            listeners,
            n,
        }
    }

    pub fn config(&self, i: usize) -> NodeConfig {
        self.configs[i].clone()
    }

    pub fn address(&self, i: usize) -> String {
        self.configs[0].parties[i].address.clone()
    }

    pub fn listener(&mut self, i: usize) -> TcpListener {
        self.listeners[i].take().unwrap()
    }

    pub async fn start(&mut self, i: usize) -> spdz2k_net::Node {
        let l = self.listener(i);
        spdz2k_net::Node::start_with_listener(self.config(i), l)
            .await
            .unwrap()
    }
}

pub fn sid(s: &str) -> SessionId {
    SessionId::new(s).unwrap()
}

pub fn spec(s: &str, n: usize) -> SessionSpec {
    SessionSpec::new(sid(s), ParamsId { k: 64, s: 64 }, n, "test-op")
}

/// Log capture: every formatted log line is sent to a channel, so a test can wait for a
/// specific line (instead of sleeping). Works with `#[tokio::test]` (one thread).
pub struct Logs {
    rx: UnboundedReceiver<String>,
    _guard: tracing::subscriber::DefaultGuard,
}

#[derive(Clone)]
struct LineWriter(UnboundedSender<String>);

impl std::io::Write for LineWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let _ = self.0.send(String::from_utf8_lossy(buf).into_owned());
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Logs {
    pub fn capture() -> Self {
        let (tx, rx) = unbounded_channel();
        let writer = LineWriter(tx);
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_max_level(tracing::Level::INFO)
            .with_writer(move || writer.clone())
            .finish();
        Logs {
            rx,
            _guard: tracing::subscriber::set_default(subscriber),
        }
    }

    /// Waits up to `wait` for a line containing every one of `needles`; returns it.
    pub async fn wait_for(&mut self, needles: &[&str], wait: Duration) -> Option<String> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(line)) if needles.iter().all(|n| line.contains(n)) => return Some(line),
                Ok(Some(_)) => continue,
                _ => return None,
            }
        }
    }
}

/// A TCP relay in front of `target` that can be frozen: it then stops moving bytes in
/// both directions but keeps every connection open, which is what a stopped (SIGSTOP) or
/// hung peer looks like from the network.
pub struct Relay {
    pub addr: std::net::SocketAddr,
    frozen: tokio::sync::watch::Sender<bool>,
}

impl Relay {
    pub async fn start(target: String) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let frozen = tokio::sync::watch::channel(false).0;
        let watch = frozen.clone();
        tokio::spawn(async move {
            while let Ok((inbound, _)) = listener.accept().await {
                let Ok(outbound) = tokio::net::TcpStream::connect(&target).await else {
                    continue;
                };
                let (ri, wi) = inbound.into_split();
                let (ro, wo) = outbound.into_split();
                tokio::spawn(pump(ri, wo, watch.subscribe()));
                tokio::spawn(pump(ro, wi, watch.subscribe()));
            }
        });
        Relay { addr, frozen }
    }

    /// Stops moving bytes; connections stay open.
    pub fn freeze(&self) {
        self.frozen.send_replace(true);
    }
}

async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    mut frozen: tokio::sync::watch::Receiver<bool>,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        // While frozen, hold the bytes (and the connection) forever.
        if frozen.wait_for(|f| !*f).await.is_err() {
            return;
        }
        if to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}
