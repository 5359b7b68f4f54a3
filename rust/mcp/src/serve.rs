//! Binding the loopback port and serving the app until shutdown.
//!
//! Binding is split from serving so the caller learns at once, synchronously, whether the port
//! was free, and can say so in one clear line; serving then runs as a task on the caller's
//! tokio runtime until the shutdown token is cancelled.
//!
//! Every connection is bounded in time where a client could otherwise hold it forever:
//! - **Headers**: a request's headers must arrive within [`HEADER_READ_TIMEOUT`] of the
//!   connection becoming ready for them, else the connection is closed. The same clock runs
//!   while a kept-alive connection waits for its next request, so idle connections close
//!   after that long too (as uvicorn's 5 s keep-alive does for godot-ai's server); clients
//!   open a new one transparently.
//! - **Bodies**: a request body that sends nothing for [`BODY_IDLE_TIMEOUT`] fails; the
//!   request is answered with an error and the connection closed.
//! - **Responses are not timed**: an SSE stream stays open as long as the client listens
//!   (rmcp sends a keep-alive comment every 15 s and ends every stream at shutdown). The
//!   header clock does not run while a response is being sent.

use std::future::Future;
use std::io;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, TcpListener as StdTcpListener};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use bytes::Bytes;
use http::Request;
use http_body::{Body as HttpBody, Frame, SizeHint};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::task::JoinSet;
use tokio::time::{Instant, Sleep};
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

use crate::app::MCP_PATH;

/// Longest wait for a request's headers (and for the next request on a kept-alive
/// connection).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);

/// Longest silence within a request body.
pub const BODY_IDLE_TIMEOUT: Duration = Duration::from_secs(10);

/// Pause after a failed `accept` (out of file descriptors, say) before trying again, so a
/// persistent failure does not spin a core.
const ACCEPT_RETRY: Duration = Duration::from_millis(100);

/// Why the endpoint could not start.
#[derive(Debug, thiserror::Error)]
pub enum BindError {
    #[error("port {port} on 127.0.0.1 is already in use by another program")]
    PortInUse { port: u16 },
    #[error("could not listen on 127.0.0.1:{port}: {source}")]
    Other { port: u16, source: io::Error },
}

/// The time limits of a served connection (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServeTimeouts {
    /// Longest wait for a request's headers.
    pub header_read: Duration,
    /// Longest silence within a request body.
    pub body_idle: Duration,
}

impl Default for ServeTimeouts {
    fn default() -> Self {
        Self {
            header_read: HEADER_READ_TIMEOUT,
            body_idle: BODY_IDLE_TIMEOUT,
        }
    }
}

/// A listening socket on 127.0.0.1, not yet serving.
/// A listening socket kept open between two endpoints (see [`BoundEndpoint::keep`]).
/// Dropping it frees the port, once no endpoint serves it.
#[derive(Debug)]
pub struct KeptListener {
    listener: StdTcpListener,
    address: SocketAddr,
}

impl KeptListener {
    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.address.port()
    }
}

#[derive(Debug)]
pub struct BoundEndpoint {
    listener: StdTcpListener,
    address: SocketAddr,
}

impl BoundEndpoint {
    /// Binds `127.0.0.1:port` (port 0 picks a free port). Never binds another interface.
    pub fn bind(port: u16) -> Result<Self, BindError> {
        let address = SocketAddrV4::new(Ipv4Addr::LOCALHOST, port);
        let listener = StdTcpListener::bind(address).map_err(|source| match source.kind() {
            io::ErrorKind::AddrInUse => BindError::PortInUse { port },
            _ => BindError::Other { port, source },
        })?;
        listener
            .set_nonblocking(true)
            .map_err(|source| BindError::Other { port, source })?;
        let address = listener
            .local_addr()
            .map_err(|source| BindError::Other { port, source })?;
        Ok(Self { listener, address })
    }

    /// The bound address (with the real port when 0 was asked for).
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The URL MCP clients connect to.
    pub fn url(&self) -> String {
        format!("http://{}{MCP_PATH}", self.address)
    }

    /// A second handle on the same listening socket. While it lives the port stays bound and
    /// the kernel keeps queueing connections, even after the endpoint serving the first
    /// handle has stopped; [`BoundEndpoint::from_kept`] serves it again (a plugin reload).
    pub fn keep(&self) -> io::Result<KeptListener> {
        Ok(KeptListener {
            listener: self.listener.try_clone()?,
            address: self.address,
        })
    }

    /// Serves a socket kept with [`BoundEndpoint::keep`].
    pub fn from_kept(kept: KeptListener) -> Self {
        Self {
            listener: kept.listener,
            address: kept.address,
        }
    }

    /// Serves `app` with the default [`ServeTimeouts`] until `shutdown` is cancelled, then
    /// stops accepting (the port is free at once), lets in-flight requests finish, and returns.
    /// Must be called within a tokio runtime.
    pub async fn serve(self, app: Router, shutdown: CancellationToken) -> io::Result<()> {
        self.serve_with(app, shutdown, ServeTimeouts::default())
            .await
    }

    /// [`BoundEndpoint::serve`] with the given time limits.
    pub async fn serve_with(
        self,
        app: Router,
        shutdown: CancellationToken,
        timeouts: ServeTimeouts,
    ) -> io::Result<()> {
        let listener = tokio::net::TcpListener::from_std(self.listener)?;
        let mut connections = JoinSet::new();
        loop {
            let accepted = tokio::select! {
                biased;
                () = shutdown.cancelled() => break,
                Some(_) = connections.join_next(), if !connections.is_empty() => continue,
                accepted = listener.accept() => accepted,
            };
            let stream = match accepted {
                Ok((stream, _peer)) => stream,
                Err(error) => {
                    tracing::debug!("could not accept an MCP connection: {error}");
                    tokio::time::sleep(ACCEPT_RETRY).await;
                    continue;
                }
            };
            // Small request/response exchanges: without TCP_NODELAY a client that writes
            // headers and body separately waits ~40 ms for a delayed ACK (Nagle).
            if let Err(error) = stream.set_nodelay(true) {
                tracing::debug!("could not set TCP_NODELAY: {error}");
            }
            connections.spawn(serve_connection(
                stream,
                app.clone(),
                timeouts,
                shutdown.clone(),
            ));
        }
        drop(listener);
        while connections.join_next().await.is_some() {}
        Ok(())
    }
}

/// Serves one connection until it ends; on shutdown, finishes the request in flight (if any)
/// and closes.
async fn serve_connection(
    stream: tokio::net::TcpStream,
    app: Router,
    timeouts: ServeTimeouts,
    shutdown: CancellationToken,
) {
    let body_idle = timeouts.body_idle;
    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
        let request = request.map(|body| Body::new(StallLimitedBody::new(body, body_idle)));
        app.clone().oneshot(request)
    });
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(timeouts.header_read);
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    let mut connection = std::pin::pin!(connection);
    tokio::select! {
        result = connection.as_mut() => {
            if let Err(error) = result {
                tracing::debug!("MCP connection ended: {error}");
            }
        }
        () = shutdown.cancelled() => {
            connection.as_mut().graceful_shutdown();
            if let Err(error) = connection.await {
                tracing::debug!("MCP connection ended at shutdown: {error}");
            }
        }
    }
}

/// A request body that fails once it has sent nothing for its idle limit.
struct StallLimitedBody {
    inner: Incoming,
    idle: Duration,
    deadline: Pin<Box<Sleep>>,
}

impl StallLimitedBody {
    fn new(inner: Incoming, idle: Duration) -> Self {
        Self {
            inner,
            idle,
            deadline: Box::pin(tokio::time::sleep(idle)),
        }
    }
}

/// The error a stalled body fails with.
#[derive(Debug, thiserror::Error)]
#[error("the request body sent nothing for {0:?}; giving up on it")]
pub(crate) struct BodyStalled(Duration);

impl HttpBody for StallLimitedBody {
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(frame) => {
                let next = Instant::now() + this.idle;
                this.deadline.as_mut().reset(next);
                Poll::Ready(frame.map(|frame| frame.map_err(Into::into)))
            }
            Poll::Pending => match this.deadline.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Some(Err(BodyStalled(this.idle).into()))),
                Poll::Pending => Poll::Pending,
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_taken_port_is_reported_as_in_use() {
        let first = BoundEndpoint::bind(0).unwrap();
        let port = first.address().port();
        match BoundEndpoint::bind(port) {
            Err(BindError::PortInUse { port: reported }) => assert_eq!(reported, port),
            other => panic!("expected PortInUse, got {other:?}"),
        }
    }

    #[test]
    fn binds_loopback_only_and_builds_the_mcp_url() {
        let endpoint = BoundEndpoint::bind(0).unwrap();
        assert!(endpoint.address().ip().is_loopback());
        assert_eq!(
            endpoint.url(),
            format!("http://127.0.0.1:{}/mcp", endpoint.address().port())
        );
    }
}
