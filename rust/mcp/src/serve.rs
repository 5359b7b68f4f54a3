//! Binding the loopback port and serving the app until shutdown.
//!
//! Binding is split from serving so the caller learns at once, synchronously, whether the port
//! was free, and can say so in one clear line; serving then runs as a task on the caller's
//! tokio runtime until the shutdown token is cancelled.

use std::io;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, TcpListener as StdTcpListener};

use axum::Router;
use axum::serve::ListenerExt;
use tokio_util::sync::CancellationToken;

use crate::app::MCP_PATH;

/// Why the endpoint could not start.
#[derive(Debug, thiserror::Error)]
pub enum BindError {
    #[error("port {port} on 127.0.0.1 is already in use by another program")]
    PortInUse { port: u16 },
    #[error("could not listen on 127.0.0.1:{port}: {source}")]
    Other { port: u16, source: io::Error },
}

/// A listening socket on 127.0.0.1, not yet serving.
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

    /// Serves `app` until `shutdown` is cancelled, then stops accepting, lets in-flight
    /// requests finish, and returns. Must be called within a tokio runtime.
    pub async fn serve(self, app: Router, shutdown: CancellationToken) -> io::Result<()> {
        // Small request/response exchanges: without TCP_NODELAY a client that writes headers
        // and body separately waits ~40 ms for a delayed ACK (Nagle).
        let listener = tokio::net::TcpListener::from_std(self.listener)?.tap_io(|stream| {
            if let Err(error) = stream.set_nodelay(true) {
                tracing::debug!("could not set TCP_NODELAY: {error}");
            }
        });
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown.cancelled_owned())
            .await
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
