//! Requests that stop half-way are closed within seconds, on a real socket; open SSE streams
//! are not.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use godot_ai_executor::channel;
use godot_ai_mcp::{
    AppConfig, BODY_IDLE_TIMEOUT, BoundEndpoint, HEADER_READ_TIMEOUT, ServeTimeouts, app,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_util::sync::CancellationToken;

const SHORT: ServeTimeouts = ServeTimeouts {
    header_read: Duration::from_millis(300),
    body_idle: Duration::from_millis(300),
};

/// Longest a test waits for the server to act.
const PATIENCE: Duration = Duration::from_secs(5);

struct Served {
    address: SocketAddr,
    stop: CancellationToken,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl Drop for Served {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

fn serve(timeouts: ServeTimeouts) -> Served {
    let (executor, _queue) = channel(4);
    let stop = CancellationToken::new();
    let router = app(
        executor,
        AppConfig {
            shutdown: stop.clone(),
            ..AppConfig::default()
        },
    );
    let endpoint = BoundEndpoint::bind(0).unwrap();
    let address = endpoint.address();
    let task = tokio::spawn(endpoint.serve_with(router, stop.clone(), timeouts));
    Served {
        address,
        stop,
        task: Some(task),
    }
}

/// Reads until the server closes the connection; returns what it sent and when it closed.
async fn read_until_closed(stream: &mut TcpStream) -> (String, Instant) {
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match tokio::time::timeout(PATIENCE, stream.read(&mut buffer)).await {
            Err(_) => panic!(
                "the server kept the connection open for {PATIENCE:?}; it sent {:?}",
                String::from_utf8_lossy(&received)
            ),
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(read)) => received.extend_from_slice(&buffer[..read]),
        }
    }
    (
        String::from_utf8_lossy(&received).into_owned(),
        Instant::now(),
    )
}

#[test]
fn the_default_limits_close_stalled_requests_within_seconds() {
    assert!(HEADER_READ_TIMEOUT <= Duration::from_secs(5));
    assert!(BODY_IDLE_TIMEOUT <= Duration::from_secs(10));
    assert_eq!(
        ServeTimeouts::default(),
        ServeTimeouts {
            header_read: HEADER_READ_TIMEOUT,
            body_idle: BODY_IDLE_TIMEOUT
        }
    );
}

#[tokio::test]
async fn a_request_that_stops_mid_headers_is_closed_after_the_header_timeout() {
    let served = serve(SHORT);
    let mut stream = TcpStream::connect(served.address).await.unwrap();
    let sent = Instant::now();
    stream
        .write_all(b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: appl")
        .await
        .unwrap();
    let (_, closed) = read_until_closed(&mut stream).await;
    let waited = closed - sent;
    assert!(waited >= SHORT.header_read, "closed too early: {waited:?}");
    assert!(waited < PATIENCE, "{waited:?}");
}

#[tokio::test]
async fn many_stalled_requests_are_all_closed() {
    let served = serve(SHORT);
    let mut streams = Vec::new();
    for _ in 0..50 {
        let mut stream = TcpStream::connect(served.address).await.unwrap();
        stream.write_all(b"GET /mcp HTTP/1.1\r\nHo").await.unwrap();
        streams.push(stream);
    }
    for stream in &mut streams {
        read_until_closed(stream).await;
    }
}

#[tokio::test]
async fn a_request_body_that_stalls_is_answered_with_an_error_and_closed() {
    let served = serve(SHORT);
    let mut stream = TcpStream::connect(served.address).await.unwrap();
    let head = format!(
        "POST /mcp HTTP/1.1\r\nHost: {}\r\nAccept: application/json, text/event-stream\r\n\
         Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"jsonrpc\":",
        served.address
    );
    let sent = Instant::now();
    stream.write_all(head.as_bytes()).await.unwrap();
    let (answer, closed) = read_until_closed(&mut stream).await;
    assert!(closed - sent >= SHORT.body_idle, "{:?}", closed - sent);
    assert!(
        answer.starts_with("HTTP/1.1 408") && answer.contains("sent nothing for"),
        "{answer}"
    );
}

#[tokio::test]
async fn an_idle_kept_alive_connection_is_closed_after_the_header_timeout() {
    let served = serve(SHORT);
    let mut stream = TcpStream::connect(served.address).await.unwrap();
    let request = format!("GET /nope HTTP/1.1\r\nHost: {}\r\n\r\n", served.address);
    stream.write_all(request.as_bytes()).await.unwrap();
    let (answer, _) = read_until_closed(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 404"), "{answer}");
}

/// Opens a session over raw HTTP and returns its id.
async fn open_session(address: SocketAddr) -> String {
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}"#;
    let request = format!(
        "POST /mcp HTTP/1.1\r\nHost: {address}\r\nAccept: application/json, text/event-stream\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let (answer, _) = read_until_closed(&mut stream).await;
    answer
        .lines()
        .find_map(|line| {
            line.to_ascii_lowercase()
                .strip_prefix("mcp-session-id:")
                .map(|id| id.trim().to_owned())
        })
        .unwrap_or_else(|| panic!("no session id in {answer}"))
}

#[tokio::test]
async fn an_open_sse_stream_outlives_both_timeouts() {
    let served = serve(SHORT);
    let session = open_session(served.address).await;
    let mut stream = TcpStream::connect(served.address).await.unwrap();
    let request = format!(
        "GET /mcp HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\nMcp-Session-Id: {session}\r\n\
         Mcp-Protocol-Version: 2025-06-18\r\n\r\n",
        served.address
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut buffer = [0u8; 4096];
    let read = tokio::time::timeout(PATIENCE, stream.read(&mut buffer))
        .await
        .expect("the stream's head arrives")
        .unwrap();
    let head = String::from_utf8_lossy(&buffer[..read]).into_owned();
    assert!(
        head.starts_with("HTTP/1.1 200") && head.contains("text/event-stream"),
        "{head}"
    );
    // Well past both limits, the stream is still open (no end, no error).
    let later = tokio::time::timeout(SHORT.header_read * 4, async {
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(_) => continue, // SSE bytes (priming, keep-alive) are fine
            }
        }
    })
    .await;
    assert!(later.is_err(), "the SSE stream was closed");
}

#[tokio::test]
async fn shutdown_frees_the_port_and_serve_returns() {
    let mut served = serve(ServeTimeouts::default());
    let address = served.address;
    // An idle connection must not hold the shutdown up.
    let _idle = TcpStream::connect(address).await.unwrap();
    served.stop.cancel();
    let task = served.task.take().unwrap();
    tokio::time::timeout(PATIENCE, task)
        .await
        .expect("serve returns")
        .unwrap()
        .unwrap();
    std::net::TcpListener::bind(address).expect("the port is free again");
}
