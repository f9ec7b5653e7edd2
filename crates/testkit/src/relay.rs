//! A TCP relay that can freeze, to make a peer look stopped or hung from the network.

use tokio::net::TcpListener;

/// A TCP relay in front of `target` that can be frozen: it then stops moving bytes in
/// both directions but keeps every connection open, which is what a stopped (SIGSTOP) or
/// hung peer looks like from the network.
pub struct Relay {
    /// Where the relay listens: point a party at it instead of the target.
    pub addr: std::net::SocketAddr,
    frozen: tokio::sync::watch::Sender<bool>,
}

impl Relay {
    /// Starts relaying every connection to `target`.
    pub async fn start(target: String) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("a bound address");
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
