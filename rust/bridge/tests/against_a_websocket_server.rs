//! The bridge against an in-test WebSocket server on loopback: handshake, commands, replies,
//! events, bad frames, close codes, keepalive while the main thread is busy, clean stop.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use godot_ai_bridge::{BridgeConfig, BridgeStatus, EditorIdentity, EditorSnapshot, TcpDial};
use godot_ai_executor::{JobQueue, channel};
use godot_ai_protocol::JsonObject;
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_util::sync::CancellationToken;

const WAIT: Duration = Duration::from_secs(10);

/// The server side of the test.
struct Server {
    listener: TcpListener,
}

struct Peer {
    socket: WebSocketStream<TcpStream>,
}

impl Server {
    async fn start() -> Self {
        Self {
            listener: TcpListener::bind("127.0.0.1:0").await.unwrap(),
        }
    }

    fn url(&self) -> String {
        format!("ws://{}", self.listener.local_addr().unwrap())
    }

    async fn accept(&self) -> Peer {
        let (stream, _) = tokio::time::timeout(WAIT, self.listener.accept())
            .await
            .expect("the bridge connects")
            .unwrap();
        Peer {
            socket: tokio_tungstenite::accept_async(stream).await.unwrap(),
        }
    }

    /// Accepts, reads the handshake, acknowledges it, and reads the event that tells the
    /// server which scene is open (the handshake does not carry it).
    async fn accept_and_ack(&self) -> (Peer, Value) {
        let mut peer = self.accept().await;
        let handshake = peer.recv().await;
        peer.send(json!({"type": "handshake_ack", "server_version": "2.4.2"}))
            .await;
        assert_eq!(
            peer.recv().await,
            json!({"type": "event", "event": "scene_changed",
                   "data": {"current_scene": "res://main.tscn"}}),
            "right after the acknowledgement the server learns the open scene"
        );
        (peer, handshake)
    }
}

impl Peer {
    async fn send(&mut self, frame: Value) {
        self.socket
            .send(Message::text(frame.to_string()))
            .await
            .unwrap();
    }

    async fn send_raw(&mut self, text: &str) {
        self.socket.send(Message::text(text)).await.unwrap();
    }

    /// The next JSON text frame (pings and pongs skipped).
    async fn recv(&mut self) -> Value {
        loop {
            let message = tokio::time::timeout(WAIT, self.socket.next())
                .await
                .expect("a frame arrives")
                .expect("the connection is open")
                .unwrap();
            if let Message::Text(text) = message {
                return serde_json::from_str(&text).unwrap();
            }
        }
    }

    /// The next message of any kind.
    async fn recv_message(&mut self) -> Message {
        tokio::time::timeout(WAIT, self.socket.next())
            .await
            .expect("a message arrives")
            .expect("the connection is open")
            .unwrap()
    }
}

/// A stand-in for Godot's main thread: answers `echo` with its params, `big` with 5 MiB of
/// text, `big_image` with a 5 MiB screenshot, and can be paused (busy) to check that the link
/// survives.
struct MainThread {
    busy: Arc<AtomicBool>,
    stop: CancellationToken,
}

impl MainThread {
    fn spawn(mut queue: JobQueue) -> Self {
        let busy = Arc::new(AtomicBool::new(false));
        let stop = CancellationToken::new();
        let (thread_busy, thread_stop) = (busy.clone(), stop.clone());
        std::thread::spawn(move || {
            while !thread_stop.is_cancelled() {
                if thread_busy.load(Ordering::SeqCst) {
                    std::thread::sleep(Duration::from_millis(5));
                    continue;
                }
                match queue.try_next() {
                    Some(job) => {
                        job.run(|command| match command.name.as_str() {
                            "big" => {
                                let mut data = JsonObject::new();
                                data.insert("blob".into(), json!("x".repeat(5 * 1024 * 1024)));
                                Ok(data)
                            }
                            "big_image" => {
                                let mut data = JsonObject::new();
                                data.insert(
                                    "image_base64".into(),
                                    json!("i".repeat(5 * 1024 * 1024)),
                                );
                                Ok(data)
                            }
                            _ => Ok(command.params.clone()),
                        });
                    }
                    None => std::thread::sleep(Duration::from_millis(1)),
                }
            }
        });
        Self { busy, stop }
    }
}

impl Drop for MainThread {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

struct Bridge {
    task: JoinHandle<()>,
    shutdown: CancellationToken,
    snapshots: watch::Sender<EditorSnapshot>,
    status: watch::Receiver<BridgeStatus>,
    main: MainThread,
}

fn ready_snapshot() -> EditorSnapshot {
    EditorSnapshot {
        current_scene: "res://main.tscn".into(),
        playing: false,
        readiness: "ready".into(),
        ..EditorSnapshot::default()
    }
}

fn config(
    executor: godot_ai_executor::ExecutorHandle,
    snapshots: watch::Receiver<EditorSnapshot>,
    shutdown: CancellationToken,
    ack_timeout: Duration,
    status: watch::Sender<BridgeStatus>,
) -> BridgeConfig {
    BridgeConfig {
        identity: EditorIdentity {
            godot_version: "4.6.3-stable (debian)".into(),
            project_path: "/work/My Game_2".into(),
            plugin_version: "0.1.0".into(),
            editor_pid: 4242,
        },
        session_id: "my-game-2@beef".into(),
        executor,
        snapshots,
        shutdown,
        ack_timeout,
        status,
    }
}

fn start_bridge(server: &Server, ack_timeout: Duration) -> Bridge {
    let (executor, queue) = channel(16);
    let main = MainThread::spawn(queue);
    let (snapshots, receiver) = watch::channel(ready_snapshot());
    let shutdown = CancellationToken::new();
    let (status_sender, status) = watch::channel(BridgeStatus::Off);
    let config = config(
        executor,
        receiver,
        shutdown.clone(),
        ack_timeout,
        status_sender,
    );
    let dial = TcpDial {
        url: server.url(),
        timeout: Duration::from_secs(2),
    };
    Bridge {
        task: tokio::spawn(godot_ai_bridge::run(dial, config)),
        shutdown,
        snapshots,
        status,
        main,
    }
}

#[tokio::test]
async fn the_first_frame_is_a_complete_handshake() {
    let server = Server::start().await;
    let mut bridge = start_bridge(&server, Duration::from_secs(5));
    let (_peer, handshake) = server.accept_and_ack().await;
    let connected = BridgeStatus::Connected {
        server_version: Some("2.4.2".into()),
    };
    tokio::time::timeout(WAIT, bridge.status.wait_for(|status| *status == connected))
        .await
        .expect("the dock learns the server's version")
        .unwrap();
    assert_eq!(
        handshake,
        json!({"type": "handshake", "session_id": "my-game-2@beef",
               "godot_version": "4.6.3-stable (debian)", "project_path": "/work/My Game_2/",
               "plugin_version": "0.1.0", "protocol_version": 1, "readiness": "ready",
               "editor_pid": 4242, "server_launch_mode": "unknown"})
    );
}

#[tokio::test]
async fn commands_run_on_the_main_thread_and_are_answered_by_request_id() {
    let server = Server::start().await;
    let _bridge = start_bridge(&server, Duration::from_secs(5));
    let (mut peer, _) = server.accept_and_ack().await;
    peer.send(json!({"request_id": "r1", "command": "echo", "params": {"depth": 3}}))
        .await;
    assert_eq!(
        peer.recv().await,
        json!({"request_id": "r1", "status": "ok", "data": {"depth": 3}})
    );
}

#[tokio::test]
async fn malformed_and_non_object_frames_are_ignored_and_the_link_goes_on() {
    let server = Server::start().await;
    let _bridge = start_bridge(&server, Duration::from_secs(5));
    let (mut peer, _) = server.accept_and_ack().await;
    peer.send_raw("{this is not json").await;
    peer.send_raw("[1, 2, 3]").await;
    peer.send_raw("42").await;
    peer.send(json!({"request_id": "bad", "command": "echo", "params": "nope"}))
        .await;
    let invalid = peer.recv().await;
    assert_eq!(invalid["request_id"], "bad");
    assert_eq!(invalid["error"]["code"], "INVALID_PARAMS");
    peer.send(json!({"request_id": "r2", "command": "echo"}))
        .await;
    assert_eq!(peer.recv().await["request_id"], "r2");
}

#[tokio::test]
async fn an_oversized_success_is_summarised_instead_of_reported_as_a_failure() {
    let server = Server::start().await;
    let _bridge = start_bridge(&server, Duration::from_secs(5));
    let (mut peer, _) = server.accept_and_ack().await;
    peer.send(json!({"request_id": "huge", "command": "big"}))
        .await;
    let reply = peer.recv().await;
    assert_eq!(reply["request_id"], "huge");
    assert_eq!(reply["status"], "ok");
    assert_eq!(reply["data"]["summarised"], json!(["/blob"]));
    assert!(
        reply["data"]["blob"]
            .as_str()
            .unwrap()
            .ends_with("(5242880 characters, not echoed)")
    );
}

#[tokio::test]
async fn an_oversized_reply_that_cannot_be_summarised_becomes_an_internal_error_reply() {
    let server = Server::start().await;
    let _bridge = start_bridge(&server, Duration::from_secs(5));
    let (mut peer, _) = server.accept_and_ack().await;
    peer.send(json!({"request_id": "huge", "command": "big_image"}))
        .await;
    let reply = peer.recv().await;
    assert_eq!(reply["request_id"], "huge");
    assert_eq!(reply["status"], "error");
    assert_eq!(reply["error"]["code"], "INTERNAL_ERROR");
    assert_eq!(reply["error"]["data"]["limit_bytes"], 4 * 1024 * 1024);
}

#[tokio::test]
async fn events_are_sent_only_for_values_that_changed() {
    let server = Server::start().await;
    let bridge = start_bridge(&server, Duration::from_secs(5));
    let (mut peer, _) = server.accept_and_ack().await;
    bridge.snapshots.send_modify(|snapshot| {
        snapshot.playing = true;
        snapshot.readiness = "playing".into();
    });
    assert_eq!(
        peer.recv().await,
        json!({"type": "event", "event": "play_state_changed", "data": {"play_state": "playing"}})
    );
    assert_eq!(
        peer.recv().await,
        json!({"type": "event", "event": "readiness_changed", "data": {"readiness": "playing"}})
    );
    bridge
        .snapshots
        .send_modify(|snapshot| snapshot.current_scene = "res://other.tscn".into());
    assert_eq!(
        peer.recv().await,
        json!({"type": "event", "event": "scene_changed", "data": {"current_scene": "res://other.tscn"}})
    );
}

#[tokio::test]
async fn pings_are_answered_while_the_main_thread_is_busy() {
    let server = Server::start().await;
    let bridge = start_bridge(&server, Duration::from_secs(5));
    let (mut peer, _) = server.accept_and_ack().await;
    bridge.main.busy.store(true, Ordering::SeqCst);
    peer.send(json!({"request_id": "slow", "command": "echo", "params": {"n": 1}}))
        .await;
    for round in 0..20u8 {
        peer.socket
            .send(Message::Ping(vec![round].into()))
            .await
            .unwrap();
        match peer.recv_message().await {
            Message::Pong(payload) => assert_eq!(payload.as_ref(), [round]),
            other => panic!("expected a pong, got {other:?}"),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bridge.main.busy.store(false, Ordering::SeqCst);
    let reply = peer.recv().await;
    assert_eq!(reply["request_id"], "slow");
    assert_eq!(reply["data"], json!({"n": 1}));
}

#[tokio::test]
async fn after_a_server_close_the_bridge_is_back_within_about_a_second() {
    let server = Server::start().await;
    let _bridge = start_bridge(&server, Duration::from_secs(5));
    let (mut peer, _) = server.accept_and_ack().await;
    peer.socket
        .close(Some(CloseFrame {
            code: CloseCode::Away,
            reason: "restarting".into(),
        }))
        .await
        .unwrap();
    let closed_at = tokio::time::Instant::now();
    let (_again, handshake) = server.accept_and_ack().await;
    let waited = closed_at.elapsed();
    assert!(waited < Duration::from_millis(2500), "{waited:?}");
    assert_eq!(
        handshake["session_id"], "my-game-2@beef",
        "same id across reconnects"
    );
}

#[tokio::test]
async fn a_duplicate_session_close_reconnects_under_a_new_id() {
    let server = Server::start().await;
    let _bridge = start_bridge(&server, Duration::from_secs(5));
    let mut peer = server.accept().await;
    let first = peer.recv().await;
    peer.socket
        .close(Some(CloseFrame {
            code: CloseCode::from(4001),
            reason: "session id already registered".into(),
        }))
        .await
        .unwrap();
    let (_again, second) = server.accept_and_ack().await;
    assert_eq!(first["session_id"], "my-game-2@beef");
    let renamed = second["session_id"].as_str().unwrap();
    assert!(
        renamed.starts_with("my-game-2@") && renamed != "my-game-2@beef",
        "{renamed}"
    );
}

#[tokio::test]
async fn no_acknowledgement_blocks_the_bridge_instead_of_retrying() {
    let server = Server::start().await;
    let bridge = start_bridge(&server, Duration::from_millis(300));
    let mut peer = server.accept().await;
    let _handshake = peer.recv().await;
    match peer.recv_message().await {
        Message::Close(Some(frame)) => assert_eq!(frame.code, CloseCode::Normal),
        other => panic!("expected a close, got {other:?}"),
    }
    let retried = tokio::time::timeout(Duration::from_secs(3), server.listener.accept()).await;
    assert!(retried.is_err(), "a blocked bridge does not dial again");
    assert!(
        !bridge.task.is_finished(),
        "it waits for the plugin to stop"
    );
}

#[tokio::test]
async fn an_incompatible_server_version_blocks_the_bridge() {
    let server = Server::start().await;
    let mut bridge = start_bridge(&server, Duration::from_secs(5));
    let mut peer = server.accept().await;
    let _handshake = peer.recv().await;
    peer.send(json!({"type": "handshake_ack", "server_version": "4.1.0"}))
        .await;
    assert!(matches!(peer.recv_message().await, Message::Close(_)));
    let blocked = tokio::time::timeout(
        WAIT,
        bridge.status.wait_for(
            |status| matches!(status, BridgeStatus::Blocked { reason } if reason.contains("4.1.0")),
        ),
    )
    .await
    .is_ok_and(|seen| seen.is_ok());
    assert!(blocked, "the dock says why the bridge stopped");
    let retried = tokio::time::timeout(Duration::from_secs(3), server.listener.accept()).await;
    assert!(retried.is_err());
}

#[tokio::test]
async fn stopping_closes_with_1000_plugin_unloading_and_ends_the_task() {
    let server = Server::start().await;
    let bridge = start_bridge(&server, Duration::from_secs(5));
    let (mut peer, _) = server.accept_and_ack().await;
    bridge.shutdown.cancel();
    match peer.recv_message().await {
        Message::Close(Some(frame)) => {
            assert_eq!(frame.code, CloseCode::Normal);
            assert_eq!(frame.reason.as_str(), "Plugin unloading");
        }
        other => panic!("expected a close, got {other:?}"),
    }
    tokio::time::timeout(WAIT, bridge.task)
        .await
        .expect("the bridge task ends")
        .unwrap();
}

#[tokio::test]
async fn a_dial_that_hangs_is_bounded_and_retried_with_a_fresh_socket() {
    // A server that accepts TCP but never answers the WebSocket upgrade.
    let silent = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (executor, _queue) = channel(4);
    let (_snapshots, receiver) = watch::channel(ready_snapshot());
    let shutdown = CancellationToken::new();
    let status = watch::channel(BridgeStatus::Off).0;
    let config = config(
        executor,
        receiver,
        shutdown.clone(),
        Duration::from_secs(5),
        status,
    );
    let dial = TcpDial {
        url: format!("ws://{}", silent.local_addr().unwrap()),
        timeout: Duration::from_millis(300),
    };
    let bridge = tokio::spawn(godot_ai_bridge::run(dial, config));
    let (first, _) = tokio::time::timeout(WAIT, silent.accept())
        .await
        .unwrap()
        .unwrap();
    let (second, _) = tokio::time::timeout(WAIT, silent.accept())
        .await
        .unwrap()
        .unwrap();
    assert_ne!(
        first.peer_addr().unwrap(),
        second.peer_addr().unwrap(),
        "each attempt uses a new socket"
    );
    shutdown.cancel();
    tokio::time::timeout(WAIT, bridge).await.unwrap().unwrap();
}

#[tokio::test]
async fn a_server_that_drops_every_link_at_once_is_retried_on_the_schedule_not_every_second() {
    let server = Server::start().await;
    let _bridge = start_bridge(&server, Duration::from_secs(5));
    let mut dropped_at = Vec::new();
    for _ in 0..3 {
        let (mut peer, _) = server.accept_and_ack().await;
        peer.socket.close(None).await.unwrap();
        dropped_at.push(tokio::time::Instant::now());
    }
    let (_peer, _) = server.accept_and_ack().await;
    let third_gap = dropped_at[2].elapsed();
    let second_gap = dropped_at[2] - dropped_at[1];
    // Delays 1, 2, 4 s: the schedule keeps growing because no link was stable.
    assert!(second_gap >= Duration::from_millis(1800), "{second_gap:?}");
    assert!(third_gap >= Duration::from_millis(3800), "{third_gap:?}");
}

#[tokio::test]
async fn a_refused_godot_version_blocks_instead_of_retrying() {
    let server = Server::start().await;
    let _bridge = start_bridge(&server, Duration::from_secs(5));
    let mut peer = server.accept().await;
    let _handshake = peer.recv().await;
    peer.socket
        .close(Some(CloseFrame {
            code: CloseCode::from(4002),
            reason: "godot_version below 4.7".into(),
        }))
        .await
        .unwrap();
    let retried = tokio::time::timeout(Duration::from_secs(3), server.listener.accept()).await;
    assert!(retried.is_err(), "a refused editor does not dial again");
}
