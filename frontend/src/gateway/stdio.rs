//! A gRPC channel over the process's stdin/stdout, which is how BuildKit
//! talks to a frontend container.
//!
//! stdin is read by a thread of our own rather than `tokio::io::stdin()`:
//! tokio reads stdin on a blocking-pool thread that cannot be cancelled, and
//! BuildKit keeps the pipe open after `Return`, so the runtime would never
//! shut down. Our thread simply dies with the process.

use std::io::Read;
use std::pin::Pin;
use std::task::{Context, Poll};

use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, ReadBuf};
use tokio::sync::mpsc;
use tonic::transport::{Channel, Endpoint, Uri};

/// Chunks read from fd 0 by a dedicated thread.
struct StdinReader {
    rx: mpsc::Receiver<std::io::Result<Vec<u8>>>,
    pending: Vec<u8>,
    offset: usize,
}

impl StdinReader {
    fn spawn() -> Self {
        let (tx, rx) = mpsc::channel(16);
        std::thread::Builder::new()
            .name("gofront-stdin".into())
            .spawn(move || {
                let mut stdin = std::io::stdin().lock();
                let mut buf = vec![0u8; 64 * 1024];
                loop {
                    let msg = match stdin.read(&mut buf) {
                        Ok(0) => break,
                        Ok(n) => Ok(buf[..n].to_vec()),
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                        Err(e) => Err(e),
                    };
                    let failed = msg.is_err();
                    if tx.blocking_send(msg).is_err() || failed {
                        break;
                    }
                }
            })
            .ok();
        StdinReader {
            rx,
            pending: Vec::new(),
            offset: 0,
        }
    }
}

impl AsyncRead for StdinReader {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        loop {
            if self.offset < self.pending.len() {
                let n = buf.remaining().min(self.pending.len() - self.offset);
                let start = self.offset;
                buf.put_slice(&self.pending[start..start + n]);
                self.offset += n;
                return Poll::Ready(Ok(()));
            }
            match self.rx.poll_recv(cx) {
                Poll::Ready(Some(Ok(chunk))) => {
                    self.pending = chunk;
                    self.offset = 0;
                }
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Err(e)),
                // EOF.
                Poll::Ready(None) => return Poll::Ready(Ok(())),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

/// Connects a tonic channel over stdin/stdout. The URI is only a label: the
/// connector ignores it and hands out the stdio pipe, once.
pub async fn connect() -> Result<Channel, tonic::transport::Error> {
    let io = std::sync::Mutex::new(Some(tokio::io::join(
        StdinReader::spawn(),
        tokio::io::stdout(),
    )));
    Endpoint::from_static("http://buildkit.stdio")
        .connect_with_connector(tower::service_fn(move |_: Uri| {
            let taken = io.lock().ok().and_then(|mut g| g.take());
            async move {
                taken.map(TokioIo::new).ok_or_else(|| {
                    std::io::Error::new(
                        std::io::ErrorKind::NotConnected,
                        "the stdio pipe to BuildKit was already used",
                    )
                })
            }
        }))
        .await
}
