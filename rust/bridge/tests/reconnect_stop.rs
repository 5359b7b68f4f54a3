//! Stopping the bridge while it waits to retry.

mod common;

use std::time::Duration;

use common::{NobodyHome, config};
use tokio_util::sync::CancellationToken;

#[tokio::test(start_paused = true)]
async fn stopping_cancels_the_retry_timer_at_once() {
    let dial = NobodyHome::default();
    let shutdown = CancellationToken::new();
    let bridge = tokio::spawn(godot_ai_bridge::run(dial.clone(), config(shutdown.clone())));
    tokio::time::sleep(Duration::from_secs(200)).await;
    let before = dial.attempts.lock().unwrap().len();
    shutdown.cancel();
    tokio::time::timeout(Duration::from_millis(1), bridge)
        .await
        .expect("the bridge ends without waiting for its timer")
        .unwrap();
    tokio::time::sleep(Duration::from_secs(600)).await;
    assert_eq!(dial.attempts.lock().unwrap().len(), before);
}
