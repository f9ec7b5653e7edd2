//! One established connection: a writer task fed by an unbounded queue (so sending never
//! waits for the peer) and a reader task that reassembles messages and hands them on.
//!
//! Liveness: the writer sends a heartbeat frame whenever it has been quiet for a
//! heartbeat interval, and the reader notes when it last received any byte. A wait on a
//! link therefore fails only when the peer has been *silent* for the idle timeout (stopped,
//! hung or cut off), however long its computation takes ([`next_inbound`]).

use super::wire::{AbortNotice, SessionHello};
use crate::frame::{self, FrameError, FrameKind};
use spdz2k_core::SessionId;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWriteExt, BufReader, BufWriter, ReadBuf, ReadHalf, WriteHalf};
use tokio::net::TcpStream;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::sync::watch;
use tokio::time::{Instant, timeout_at};
use tokio_rustls::TlsStream;

/// Heartbeats go out at this fraction of the idle timeout, so that a live peer is heard
/// several times per idle period.
const HEARTBEATS_PER_IDLE: u32 = 4;

/// The heartbeat interval for an idle timeout.
pub(crate) fn heartbeat_interval(idle: Duration) -> Duration {
    (idle / HEARTBEATS_PER_IDLE).max(Duration::from_millis(10))
}

/// Socket buffer sizes: large enough that a 32 MB message moves in big TLS records.
const IO_BUFFER: usize = 256 * 1024;

/// At most this many sent messages' buffers are kept for the reader's next messages.
const SPARE_BUFFERS: usize = 8;
/// Smaller messages are read into buffers of their exact size (cheap to allocate), so that
/// a large spare is not spent on a short message.
const SPARE_MIN: usize = 64 * 1024;

static NEXT_LINK_ID: AtomicU64 = AtomicU64::new(1);

/// Something the writer task sends.
pub(crate) enum Out {
    /// One control frame.
    Frame {
        kind: FrameKind,
        sid: Vec<u8>,
        payload: Vec<u8>,
    },
    /// One session message, split into frames as needed.
    Message { sid: Vec<u8>, msg: Vec<u8> },
    /// Flush, send TLS close_notify and stop.
    Shutdown,
}

/// Something the reader task received for a session.
#[derive(Debug)]
pub(crate) enum Inbound {
    /// The peer's session metadata.
    Hello(SessionHello),
    /// A whole message.
    Data(Vec<u8>),
    /// The peer closed the session; its reason.
    Closed(String),
    /// The peer has sent its last message of the session.
    Done,
    /// The peer abandoned the session, with its cause.
    Aborted(AbortNotice),
    /// The connection ended.
    LinkLost { link: u64, cause: String },
}

/// Where a link's session traffic goes.
pub(crate) trait Sink: Send + Sync + 'static {
    /// Delivers one item for session `sid` (raw bytes from the wire). An error closes the
    /// link with that reason.
    fn deliver(&self, link: &LinkHandle, sid: &[u8], item: Inbound) -> Result<(), String>;
    /// The link ended with `cause`.
    fn lost(&self, link: &LinkHandle, cause: &str);
}

/// A handle to a running link.
pub(crate) struct LinkHandle {
    /// Unique per connection, so a session can tell its link from a later reconnection.
    pub id: u64,
    /// The peer's name (`P1`, `C0`).
    pub peer: String,
    /// The peer's address as configured (dialled) or as seen (accepted).
    pub address: String,
    tx: UnboundedSender<Out>,
    cause: Mutex<Option<String>>,
    ended: watch::Sender<bool>,
    /// When the reader last received a byte.
    heard: Mutex<Instant>,
    /// Buffers of session messages the writer has sent, at most [`SPARE_BUFFERS`]: the
    /// reader reads the next large messages into them, so that in the steady state (as many
    /// bytes received as sent, in messages of repeating sizes) a message costs no fresh
    /// memory and no page faults. They hold only what this party sent, and are overwritten
    /// by the next message before anyone reads them.
    spare: Mutex<Vec<Vec<u8>>>,
}

impl LinkHandle {
    /// Queues an item; false if the link is gone.
    pub fn send(&self, out: Out) -> bool {
        self.tx.send(out).is_ok()
    }
    /// Whether the writer is still running.
    pub fn is_open(&self) -> bool {
        !self.tx.is_closed() && self.cause().is_none()
    }
    /// Why the link ended, if it did.
    pub fn cause(&self) -> Option<String> {
        self.cause.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
    /// Resolves once the reader has stopped.
    pub async fn closed(&self) {
        let mut rx = self.ended.subscribe();
        let _ = rx.wait_for(|&ended| ended).await;
    }
    /// When a byte last arrived from the peer (heartbeats included).
    pub fn last_heard(&self) -> Instant {
        *self.heard.lock().unwrap_or_else(|e| e.into_inner())
    }
    fn touch(&self) {
        *self.heard.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
    }
    fn set_cause(&self, cause: String) {
        let mut slot = self.cause.lock().unwrap_or_else(|e| e.into_inner());
        slot.get_or_insert(cause);
    }
    /// Keeps a sent message's buffer for a later received message (see `spare`).
    fn give_spare(&self, buf: Vec<u8>) {
        if buf.capacity() < SPARE_MIN {
            return;
        }
        let mut spare = self.spare.lock().unwrap_or_else(|e| e.into_inner());
        if spare.len() < SPARE_BUFFERS {
            spare.push(buf);
        }
    }
    /// The smallest kept buffer that holds `len` bytes, for a message of at least
    /// [`SPARE_MIN`] bytes.
    fn take_spare(&self, len: usize) -> Option<Vec<u8>> {
        if len < SPARE_MIN {
            return None;
        }
        let mut spare = self.spare.lock().unwrap_or_else(|e| e.into_inner());
        let best = spare
            .iter()
            .enumerate()
            .filter(|(_, b)| b.capacity() >= len)
            .min_by_key(|(_, b)| b.capacity())
            .map(|(i, _)| i)?;
        Some(spare.swap_remove(best))
    }
}

/// The next item of a session queue on `link`, waiting as long as the peer is heard from:
/// fails with how long the peer has been silent once that reaches `idle`.
pub(crate) async fn next_inbound(
    rx: &mut UnboundedReceiver<Inbound>,
    link: &LinkHandle,
    idle: Duration,
) -> Result<Option<Inbound>, Duration> {
    loop {
        let deadline = link.last_heard() + idle;
        match timeout_at(deadline, rx.recv()).await {
            Ok(item) => return Ok(item),
            Err(_) => {
                let quiet = link.last_heard().elapsed();
                if quiet >= idle {
                    return Err(quiet);
                }
            }
        }
    }
}

/// A reader that notes every received byte on its link (liveness).
struct Touch<R> {
    inner: R,
    link: Arc<LinkHandle>,
}

impl<R: AsyncRead + Unpin> AsyncRead for Touch<R> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let r = Pin::new(&mut this.inner).poll_read(cx, buf);
        if matches!(r, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            this.link.touch();
        }
        r
    }
}

/// Starts the reader and writer tasks of a connection whose hellos are done. The writer
/// sends a heartbeat after `heartbeat` of quiet.
pub(crate) fn spawn_link(
    stream: TlsStream<TcpStream>,
    peer: String,
    address: String,
    sink: Arc<dyn Sink>,
    tasks: &super::tasks::Tasks,
    heartbeat: Duration,
) -> Arc<LinkHandle> {
    let (tx, rx) = unbounded_channel();
    let handle = Arc::new(LinkHandle {
        id: NEXT_LINK_ID.fetch_add(1, Ordering::Relaxed),
        peer,
        address,
        tx,
        cause: Mutex::new(None),
        ended: watch::channel(false).0,
        heard: Mutex::new(Instant::now()),
        spare: Mutex::new(Vec::new()),
    });
    let (read, write) = tokio::io::split(stream);
    let writer_handle = handle.clone();
    tasks.spawn_writer(move |closing| async move {
        if let Err(e) = write_loop(write, rx, closing, heartbeat, &writer_handle).await {
            writer_handle.set_cause(format!("write failed: {e}"));
        }
    });
    let reader_handle = handle.clone();
    tasks.spawn_reader(async move {
        let read = Touch {
            inner: read,
            link: reader_handle.clone(),
        };
        let cause = read_loop(read, &reader_handle, sink.as_ref()).await;
        reader_handle.set_cause(cause.clone());
        // Wake the writer (it may be idle) so it notices and the socket closes.
        let _ = reader_handle.tx.send(Out::Shutdown);
        sink.lost(&reader_handle, &cause);
        reader_handle.ended.send_replace(true);
    });
    handle
}

async fn write_loop(
    write: WriteHalf<TlsStream<TcpStream>>,
    mut rx: UnboundedReceiver<Out>,
    mut closing: watch::Receiver<bool>,
    heartbeat: Duration,
    link: &LinkHandle,
) -> std::io::Result<()> {
    let mut w = BufWriter::with_capacity(IO_BUFFER, write);
    let mut beat = tokio::time::interval_at(Instant::now() + heartbeat, heartbeat);
    beat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let out = tokio::select! {
            biased;
            out = rx.recv() => out,
            // The node is stopping: send what is already queued, then close.
            () = async { let _ = closing.wait_for(|&c| c).await; } => rx.try_recv().ok(),
            _ = beat.tick() => {
                frame::write_frame(&mut w, FrameKind::Heartbeat, b"", b"").await?;
                w.flush().await?;
                continue;
            }
        };
        // Anything written counts as a sign of life: the next heartbeat can wait.
        beat.reset();
        let Some(out) = out else { break };
        match out {
            Out::Frame { kind, sid, payload } => {
                frame::write_frame(&mut w, kind, &sid, &payload).await?
            }
            Out::Message { sid, msg } => {
                frame::write_message(&mut w, &sid, &msg).await?;
                link.give_spare(msg);
            }
            Out::Shutdown => break,
        }
        // Flush only when nothing else is queued: batches small frames into few records.
        if rx.is_empty() {
            w.flush().await?;
        }
    }
    w.flush().await?;
    w.shutdown().await
}

/// Reads frames until the connection ends; returns why it ended.
async fn read_loop(
    read: Touch<ReadHalf<TlsStream<TcpStream>>>,
    link: &LinkHandle,
    sink: &dyn Sink,
) -> String {
    let mut r = BufReader::with_capacity(IO_BUFFER, read);
    // Pieces of the message being reassembled; frames of one message are consecutive.
    let mut partial = frame::Reassembly::new();
    loop {
        let header = match frame::read_header(&mut r).await {
            Ok(h) => h,
            Err(e) => return describe_read_error(&e),
        };
        let result = match header.kind {
            FrameKind::DataPart | FrameKind::Data => {
                if partial.pending().saturating_add(header.payload_len) > frame::MAX_MESSAGE {
                    return format!(
                        "protocol error: a message larger than {} bytes",
                        frame::MAX_MESSAGE
                    );
                }
                let spare = |len| link.take_spare(len);
                match partial.read_piece_with(&mut r, &header, spare).await {
                    Err(e) => return describe_read_error(&e),
                    Ok(None) => continue,
                    Ok(Some(msg)) => sink.deliver(link, &header.sid, Inbound::Data(msg)),
                }
            }
            kind => {
                let mut payload = Vec::new();
                if let Err(e) =
                    frame::read_payload_into(&mut r, header.payload_len, &mut payload).await
                {
                    return describe_read_error(&e);
                }
                match kind {
                    FrameKind::Ping => {
                        link.send(Out::Frame {
                            kind: FrameKind::Pong,
                            sid: header.sid,
                            payload,
                        });
                        Ok(())
                    }
                    FrameKind::Pong | FrameKind::Heartbeat => Ok(()),
                    FrameKind::SessionDone => sink.deliver(link, &header.sid, Inbound::Done),
                    FrameKind::Abort => match AbortNotice::decode(&payload) {
                        Ok(n) => sink.deliver(link, &header.sid, Inbound::Aborted(n)),
                        Err(e) => Err(format!("bad abort frame: {e}")),
                    },
                    FrameKind::SessionHello => match SessionHello::decode(&payload) {
                        Ok(h) => sink.deliver(link, &header.sid, Inbound::Hello(h)),
                        Err(e) => Err(format!("bad session hello: {e}")),
                    },
                    FrameKind::SessionClose => {
                        let reason = String::from_utf8_lossy(&payload).into_owned();
                        sink.deliver(link, &header.sid, Inbound::Closed(reason))
                    }
                    other => Err(format!("unexpected {other:?} frame on an established link")),
                }
            }
        };
        if let Err(reason) = result {
            return format!("protocol error: {reason}");
        }
    }
}

/// Words for how a connection ended.
pub(crate) fn describe_read_error(e: &FrameError) -> String {
    match e {
        FrameError::Io(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            "the peer closed the connection (EOF)".into()
        }
        FrameError::Io(io) if io.kind() == std::io::ErrorKind::ConnectionReset => {
            "the connection was reset by the peer".into()
        }
        FrameError::Io(io) => format!("connection error: {io}"),
        FrameError::Malformed(m) => format!("protocol error: {m}"),
    }
}

/// Spawns a party-client link that carries one session's traffic; returns the link and the
/// channel its frames arrive on.
pub(crate) fn spawn_channel_link(
    stream: TlsStream<TcpStream>,
    peer: String,
    address: String,
    session: &SessionId,
    tasks: &super::tasks::Tasks,
    idle: Duration,
) -> (Arc<LinkHandle>, UnboundedReceiver<Inbound>) {
    let (tx, rx) = unbounded_channel();
    let sink = Arc::new(ChannelSink {
        session: session.clone(),
        tx,
    });
    let link = spawn_link(stream, peer, address, sink, tasks, heartbeat_interval(idle));
    (link, rx)
}

/// Sends one session's traffic to one channel (party-client links).
pub(crate) struct ChannelSink {
    pub session: SessionId,
    pub tx: UnboundedSender<Inbound>,
}

impl Sink for ChannelSink {
    fn deliver(&self, _link: &LinkHandle, sid: &[u8], item: Inbound) -> Result<(), String> {
        if sid != self.session.as_bytes() {
            return Err(format!(
                "frame for session {} on a channel of session {}",
                String::from_utf8_lossy(sid),
                self.session
            ));
        }
        let _ = self.tx.send(item);
        Ok(())
    }
    fn lost(&self, link: &LinkHandle, cause: &str) {
        let _ = self.tx.send(Inbound::LinkLost {
            link: link.id,
            cause: cause.to_string(),
        });
    }
}

/// Links that only answer pings (`spdz2k check`).
pub(crate) struct PingSink;

impl Sink for PingSink {
    fn deliver(&self, _link: &LinkHandle, _sid: &[u8], _item: Inbound) -> Result<(), String> {
        Err("session traffic on a ping-only connection".into())
    }
    fn lost(&self, _link: &LinkHandle, _cause: &str) {}
}

/// Queues an abort frame for `session` on every link in `links`.
pub(crate) fn send_abort(links: &[Arc<LinkHandle>], session: &SessionId, notice: &AbortNotice) {
    let payload = notice.encode();
    for link in links {
        link.send(Out::Frame {
            kind: FrameKind::Abort,
            sid: session.as_bytes().to_vec(),
            payload: payload.clone(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spare_buffers_are_bounded_and_matched_by_size() {
        let h = LinkHandle {
            id: 0,
            peer: "P1".into(),
            address: "test".into(),
            tx: unbounded_channel().0,
            cause: Mutex::new(None),
            ended: watch::channel(false).0,
            heard: Mutex::new(Instant::now()),
            spare: Mutex::new(Vec::new()),
        };
        h.give_spare(Vec::with_capacity(SPARE_MIN - 1));
        assert!(
            h.take_spare(SPARE_MIN).is_none(),
            "small buffers are not kept"
        );
        for i in 0..2 * SPARE_BUFFERS {
            h.give_spare(Vec::with_capacity(SPARE_MIN * (i + 1)));
        }
        assert_eq!(h.spare.lock().unwrap().len(), SPARE_BUFFERS);
        assert!(
            h.take_spare(SPARE_MIN - 1).is_none(),
            "small messages get buffers of their size"
        );
        let b = h.take_spare(SPARE_MIN * 2 + 1).unwrap();
        assert_eq!(
            b.capacity(),
            SPARE_MIN * 3,
            "the smallest that holds the message"
        );
        assert!(h.take_spare(SPARE_MIN * 100).is_none());
        assert_eq!(h.spare.lock().unwrap().len(), SPARE_BUFFERS - 1);
    }
}
