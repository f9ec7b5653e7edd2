//! Length-prefixed frames: `u32 length | u8 kind | u8 sid length | session ID | payload`.
//!
//! `length` (little-endian, like every integer of the project's codecs, since wire version 3)
//! counts every byte after itself and is at most [`MAX_FRAME`].
//! Messages longer than one frame are sent as [`FrameKind::DataPart`] frames followed by
//! one [`FrameKind::Data`] frame, and reassembled by the reader; frames of one message are
//! never interleaved with other frames on the same connection.

use spdz2k_core::bytes::{CodecError, Reader, Writer};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// The largest frame, header included (16 MiB).
pub const MAX_FRAME: usize = 16 << 20;

/// The largest message (after reassembly) a reader accepts from a peer (1 GiB): a bound on
/// the memory one peer can make this node hold for a single message.
pub const MAX_MESSAGE: usize = 1 << 30;

/// The largest session ID a frame can carry.
const MAX_SID: usize = spdz2k_core::MAX_SESSION_ID_LEN;

/// Bytes of a frame's fixed header: length (u32), kind, session ID length.
const HEADER_LEN: usize = 6;

/// Payload bytes that always fit in one frame, whatever the session ID.
pub const MAX_PAYLOAD: usize = MAX_FRAME - 2 - MAX_SID;

/// The kinds of frames.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum FrameKind {
    /// Connection hello from the dialer (who it is, what for).
    Hello = 1,
    /// The acceptor's answer: accepted.
    HelloOk = 2,
    /// The acceptor's answer: rejected; payload is the reason (UTF-8). Connection closes.
    Reject = 3,
    /// Liveness probe; the payload is echoed in a [`FrameKind::Pong`].
    Ping = 4,
    /// Answer to a ping.
    Pong = 5,
    /// Session metadata, sent by both sides when they open a session.
    SessionHello = 6,
    /// The last (or only) piece of a session message.
    Data = 7,
    /// A piece of a session message; more pieces follow.
    DataPart = 8,
    /// The sender has closed the session; payload is the reason (UTF-8).
    SessionClose = 9,
    /// Liveness: the sender is alive (sent when a link has been quiet); no payload.
    Heartbeat = 10,
    /// The sender has sent its last message of the session and read every message it
    /// expected; the peer may end the session once it has sent its own.
    SessionDone = 11,
    /// The sender abandons the session; payload is a typed cause
    /// ([`crate::tls::AbortNotice`]).
    Abort = 12,
}

impl FrameKind {
    fn from_u8(b: u8) -> Option<Self> {
        Some(match b {
            1 => Self::Hello,
            2 => Self::HelloOk,
            3 => Self::Reject,
            4 => Self::Ping,
            5 => Self::Pong,
            6 => Self::SessionHello,
            7 => Self::Data,
            8 => Self::DataPart,
            9 => Self::SessionClose,
            10 => Self::Heartbeat,
            11 => Self::SessionDone,
            12 => Self::Abort,
            _ => return None,
        })
    }
}

/// A malformed frame or a failed read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FrameError {
    /// The underlying stream failed or ended.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The peer sent something that is not a valid frame.
    #[error("malformed frame: {0}")]
    Malformed(String),
}

/// A received frame header; the payload is read separately.
#[derive(Debug)]
pub struct FrameHeader {
    /// The kind.
    pub kind: FrameKind,
    /// The session ID bytes (empty for connection-level frames).
    pub sid: Vec<u8>,
    /// Bytes of payload that follow.
    pub payload_len: usize,
}

/// Writes one frame's header. The caller writes `payload_len` payload bytes after it.
pub async fn write_header<W: AsyncWrite + Unpin>(
    w: &mut W,
    kind: FrameKind,
    sid: &[u8],
    payload_len: usize,
) -> std::io::Result<()> {
    let sid_len = u8::try_from(sid.len())
        .ok()
        .filter(|&l| usize::from(l) <= MAX_SID)
        .ok_or_else(|| std::io::Error::other("session ID too long for a frame"))?;
    let len = 2 + sid.len() + payload_len;
    if len > MAX_FRAME {
        return Err(std::io::Error::other("frame larger than MAX_FRAME"));
    }
    let mut head = Writer::with_capacity(HEADER_LEN);
    head.u32(len as u32);
    head.u8(kind as u8);
    head.u8(sid_len);
    w.write_all(&head.into_vec()).await?;
    w.write_all(sid).await
}

/// Writes a whole small frame.
pub async fn write_frame<W: AsyncWrite + Unpin>(
    w: &mut W,
    kind: FrameKind,
    sid: &[u8],
    payload: &[u8],
) -> std::io::Result<()> {
    write_header(w, kind, sid, payload.len()).await?;
    w.write_all(payload).await
}

/// Writes a message of any length as `DataPart* Data` frames.
pub async fn write_message<W: AsyncWrite + Unpin>(
    w: &mut W,
    sid: &[u8],
    msg: &[u8],
) -> std::io::Result<()> {
    let mut rest = msg;
    while rest.len() > MAX_PAYLOAD {
        let (piece, tail) = rest.split_at(MAX_PAYLOAD);
        write_frame(w, FrameKind::DataPart, sid, piece).await?;
        rest = tail;
    }
    write_frame(w, FrameKind::Data, sid, rest).await
}

/// Reads the next frame header.
pub async fn read_header<R: AsyncRead + Unpin>(r: &mut R) -> Result<FrameHeader, FrameError> {
    let mut head = [0u8; HEADER_LEN];
    r.read_exact(&mut head).await?;
    let fields = |r: &mut Reader<'_>| {
        Ok::<_, CodecError>((
            r.u32("frame length")?,
            r.u8("frame kind")?,
            r.u8("session ID length")?,
        ))
    };
    let (len, kind_byte, sid_len) =
        fields(&mut Reader::new(&head)).map_err(|e| FrameError::Malformed(e.to_string()))?;
    let (len, sid_len) = (len as usize, usize::from(sid_len));
    if !(2..=MAX_FRAME).contains(&len) {
        let hint = if (2..=MAX_FRAME).contains(&((len as u32).swap_bytes() as usize)) {
            " (the peer writes big-endian frames: it runs wire version 2 or older; run the same spdz2k version on every node)"
        } else {
            ""
        };
        return Err(FrameError::Malformed(format!(
            "frame length {len} outside 2..={MAX_FRAME}{hint}"
        )));
    }
    let kind = FrameKind::from_u8(kind_byte)
        .ok_or_else(|| FrameError::Malformed(format!("unknown frame kind {kind_byte}")))?;
    if sid_len > MAX_SID || 2 + sid_len > len {
        return Err(FrameError::Malformed(format!(
            "session ID length {sid_len} invalid"
        )));
    }
    let mut sid = vec![0u8; sid_len];
    r.read_exact(&mut sid).await?;
    Ok(FrameHeader {
        kind,
        sid,
        payload_len: len - 2 - sid_len,
    })
}

/// Reads a payload of `len` bytes onto the end of `buf`: straight into its spare capacity,
/// with no intermediate copy and no zero-filling (this matters for 32 MB messages).
pub async fn read_payload_into<R: AsyncRead + Unpin>(
    r: &mut R,
    len: usize,
    buf: &mut Vec<u8>,
) -> Result<(), FrameError> {
    // Exact: a single-frame message is read into a buffer of its size (`reserve` could
    // double the capacity of a non-empty buffer).
    buf.reserve_exact(len);
    let mut limited = r.take(len as u64);
    let mut left = len;
    while left > 0 {
        let n = limited.read_buf(buf).await?;
        if n == 0 {
            return Err(FrameError::Io(std::io::ErrorKind::UnexpectedEof.into()));
        }
        left = left.saturating_sub(n);
    }
    Ok(())
}

/// Reassembles a message sent as `DataPart* Data` frames (see [`write_message`]).
///
/// A message of one frame is read into a buffer of exactly its size. A longer one is read
/// into a buffer reserved once, when its first piece arrives, for the size of the previous
/// long message on this connection (protocols repeat their message sizes), so that in the
/// steady state no piece reallocates and copies what came before it. Only a message longer
/// than the previous one grows its buffer.
#[derive(Debug, Default)]
pub struct Reassembly {
    partial: Vec<u8>,
    /// The length of the last message that took more than one frame.
    last_long: usize,
}

impl Reassembly {
    /// A reassembler with no message in progress.
    pub fn new() -> Self {
        Self::default()
    }

    /// Bytes of the message in progress.
    pub fn pending(&self) -> usize {
        self.partial.len()
    }

    /// Reads the payload of a `DataPart` or `Data` frame whose header is `header`; returns
    /// the whole message after its last piece.
    pub async fn read_piece<R: AsyncRead + Unpin>(
        &mut self,
        r: &mut R,
        header: &FrameHeader,
    ) -> Result<Option<Vec<u8>>, FrameError> {
        self.read_piece_with(r, header, |_| None).await
    }

    /// [`Reassembly::read_piece`], reading a new message into a spare buffer when `spare`
    /// has one: at a message's first piece it is asked for a buffer of at least the
    /// expected length (the whole message for a one-frame message). A buffer it returns
    /// that is too small is not used.
    pub async fn read_piece_with<R: AsyncRead + Unpin>(
        &mut self,
        r: &mut R,
        header: &FrameHeader,
        spare: impl FnOnce(usize) -> Option<Vec<u8>>,
    ) -> Result<Option<Vec<u8>>, FrameError> {
        let more = header.kind == FrameKind::DataPart;
        if self.partial.is_empty() {
            // The first piece: room for the whole message (if a long one is like the last).
            let expect = if more {
                self.last_long.clamp(header.payload_len, MAX_MESSAGE)
            } else {
                header.payload_len
            };
            if self.partial.capacity() < expect {
                self.partial = spare(expect)
                    .filter(|b| b.capacity() >= expect)
                    .unwrap_or_default();
                self.partial.clear();
                self.partial.reserve_exact(expect);
            }
        }
        let needed = self.partial.len() + header.payload_len;
        if needed > self.partial.capacity() {
            // Longer than expected: grow geometrically, as a vector would.
            let target = needed
                .max(2 * self.partial.capacity())
                .min(MAX_MESSAGE.max(needed));
            self.partial.reserve_exact(target - self.partial.len());
        }
        read_payload_into(r, header.payload_len, &mut self.partial).await?;
        if more {
            return Ok(None);
        }
        let msg = std::mem::take(&mut self.partial);
        if msg.len() > header.payload_len {
            self.last_long = msg.len();
        }
        Ok(Some(msg))
    }
}

/// Reads one whole frame (header and payload); for small control frames.
pub async fn read_frame<R: AsyncRead + Unpin>(
    r: &mut R,
) -> Result<(FrameHeader, Vec<u8>), FrameError> {
    let header = read_header(r).await?;
    let mut payload = Vec::new();
    read_payload_into(r, header.payload_len, &mut payload).await?;
    Ok((header, payload))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn long_messages_split_and_reassemble() {
        let msg: Vec<u8> = (0..(MAX_PAYLOAD * 2 + 10)).map(|i| i as u8).collect();
        let mut wire = Vec::new();
        write_message(&mut wire, b"s1", &msg).await.unwrap();
        write_frame(&mut wire, FrameKind::Ping, b"", b"x")
            .await
            .unwrap();
        let mut r = wire.as_slice();
        let mut got = Vec::new();
        let mut frames = 0;
        loop {
            let h = read_header(&mut r).await.unwrap();
            assert_eq!(h.sid, b"s1");
            assert!(h.payload_len <= MAX_PAYLOAD);
            read_payload_into(&mut r, h.payload_len, &mut got)
                .await
                .unwrap();
            frames += 1;
            if h.kind == FrameKind::Data {
                break;
            }
            assert_eq!(h.kind, FrameKind::DataPart);
        }
        assert_eq!(frames, 3);
        assert!(got == msg);
        let (h, p) = read_frame(&mut r).await.unwrap();
        assert_eq!((h.kind, p.as_slice()), (FrameKind::Ping, &b"x"[..]));
    }

    /// Reads every message on `wire` with one reassembler; returns (length, capacity) each.
    async fn reassemble(wire: &[u8], messages: usize) -> Vec<(usize, usize)> {
        let mut r = wire;
        let mut re = Reassembly::new();
        let mut out = Vec::new();
        while out.len() < messages {
            let h = read_header(&mut r).await.unwrap();
            if let Some(m) = re.read_piece(&mut r, &h).await.unwrap() {
                assert!(m.iter().enumerate().all(|(i, &b)| b == i as u8));
                out.push((m.len(), m.capacity()));
            }
        }
        out
    }

    #[tokio::test]
    async fn long_messages_after_the_first_are_reassembled_without_reallocation() {
        let long = MAX_PAYLOAD * 2 + 10;
        let mut wire = Vec::new();
        for len in [long, long, 5, long, long + 1] {
            let msg: Vec<u8> = (0..len).map(|i| i as u8).collect();
            write_message(&mut wire, b"s1", &msg).await.unwrap();
        }
        let got = reassemble(&wire, 5).await;
        // From the second long message on, the buffer is reserved once at its exact size
        // (piece-by-piece growth leaves a larger capacity behind, from each reallocation).
        assert_eq!(got[1], (long, long));
        assert_eq!(got[2], (5, 5), "a one-frame message is read at its size");
        assert_eq!(got[3], (long, long));
        assert_eq!(got[4].0, long + 1, "a longer message still arrives whole");
    }

    #[tokio::test]
    async fn a_new_message_is_read_into_a_spare_buffer_that_holds_it() {
        let long = MAX_PAYLOAD + 10;
        let mut wire = Vec::new();
        for len in [100, 100, long] {
            let msg: Vec<u8> = (0..len).map(|i| i as u8).collect();
            write_message(&mut wire, b"s1", &msg).await.unwrap();
        }
        let mut r = wire.as_slice();
        let mut re = Reassembly::new();
        let big = Vec::with_capacity(1000);
        let ptr = big.as_ptr();
        let h = read_header(&mut r).await.unwrap();
        let spare = |len| {
            assert_eq!(len, 100, "asked for the message's length");
            Some(big)
        };
        let m = re.read_piece_with(&mut r, &h, spare).await.unwrap();
        let m = m.unwrap();
        assert_eq!((m.as_ptr(), m.len(), m.capacity()), (ptr, 100, 1000));
        assert!(m.iter().enumerate().all(|(i, &b)| b == i as u8));
        let h = read_header(&mut r).await.unwrap();
        let small = |_| Some(Vec::with_capacity(10));
        let m = re
            .read_piece_with(&mut r, &h, small)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (m.len(), m.capacity()),
            (100, 100),
            "a spare too small is not used"
        );
        // A long message: the spare is asked for at the first piece only.
        let spare = Vec::with_capacity(long);
        let ptr = spare.as_ptr();
        let mut spare = Some(spare);
        let mut got = None;
        while got.is_none() {
            let h = read_header(&mut r).await.unwrap();
            got = re
                .read_piece_with(&mut r, &h, |_| spare.take())
                .await
                .unwrap();
        }
        let m = got.unwrap();
        assert_eq!((m.as_ptr(), m.len()), (ptr, long));
        assert!(m.iter().enumerate().all(|(i, &b)| b == i as u8));
    }

    #[tokio::test]
    async fn oversized_and_unknown_frames_are_rejected() {
        let mut wire = ((MAX_FRAME + 1) as u32).to_le_bytes().to_vec();
        wire.extend_from_slice(&[7, 0]);
        assert!(matches!(
            read_header(&mut wire.as_slice()).await,
            Err(FrameError::Malformed(_))
        ));
        let wire = [2, 0, 0, 0, 99, 0];
        assert!(matches!(
            read_header(&mut &wire[..]).await,
            Err(FrameError::Malformed(_))
        ));
        // A version-2 peer's big-endian frame is refused with the reason.
        let wire = [0, 0, 0, 2, 7, 0];
        match read_header(&mut &wire[..]).await {
            Err(FrameError::Malformed(m)) => assert!(m.contains("big-endian"), "{m}"),
            other => panic!("accepted a big-endian frame: {other:?}"),
        }
    }

    #[test]
    fn every_frame_kind_code_decodes_to_the_kind_that_writes_it() {
        let decoded: Vec<_> = (0..=u8::MAX)
            .filter_map(|b| FrameKind::from_u8(b).map(|k| (b, k)))
            .collect();
        assert!(decoded.iter().all(|&(b, k)| k as u8 == b), "{decoded:?}");
        assert_eq!(decoded.len(), 12, "one code per kind: {decoded:?}");
    }
}
