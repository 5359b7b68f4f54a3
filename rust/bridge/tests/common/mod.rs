//! Helpers shared by the reconnect tests.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use godot_ai_bridge::{BridgeConfig, Dial, DialError, EditorIdentity, EditorSnapshot, Socket};
use godot_ai_executor::channel;
use tokio::sync::watch;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// A dialer for a server that is never there; it records when each attempt happened.
#[derive(Clone, Default)]
pub struct NobodyHome {
    pub attempts: Arc<Mutex<Vec<Instant>>>,
}

impl Dial for NobodyHome {
    async fn dial(&self) -> Result<Socket, DialError> {
        self.attempts.lock().unwrap().push(Instant::now());
        Err(DialError::Unreachable("connection refused".into()))
    }
}

pub fn config(shutdown: CancellationToken) -> BridgeConfig {
    let (executor, queue) = channel(4);
    std::mem::forget(queue); // never drained: no command arrives in these tests
    let (_publisher, snapshots) = watch::channel(EditorSnapshot::default());
    std::mem::forget(_publisher);
    BridgeConfig {
        identity: EditorIdentity {
            godot_version: "4.6.3-stable".into(),
            project_path: "/tmp/p/".into(),
            plugin_version: "0.1.0".into(),
            editor_pid: 1,
        },
        session_id: "p@0001".into(),
        executor,
        snapshots,
        shutdown,
        ack_timeout: Duration::from_secs(5),
        status: watch::channel(godot_ai_bridge::BridgeStatus::Off).0,
    }
}
