//! The reconnect loop against a server that never answers, in paused tokio time: a simulated
//! day takes well under a second of real time.
//!
//! This file holds one test on purpose: `tracing`'s per-callsite interest cache is global, so a
//! concurrent test without a subscriber could switch the captured log lines off.

mod common;

use std::time::Duration;

use std::sync::{Arc, Mutex};

use common::{NobodyHome, config};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing_subscriber::layer::SubscriberExt;

/// Collects the text of every log event.
#[derive(Clone, Default)]
struct Lines(Arc<Mutex<Vec<String>>>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Lines {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        struct Message(String);
        impl tracing::field::Visit for Message {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                if field.name() == "message" {
                    self.0 = format!("{value:?}");
                }
            }
        }
        if *event.metadata().level() <= tracing::Level::INFO {
            let mut message = Message(String::new());
            event.record(&mut message);
            self.0.lock().unwrap().push(message.0);
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_day_without_a_server_follows_the_schedule_with_few_log_lines() {
    let lines = Lines::default();
    let _guard =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(lines.clone()));
    let real_start = std::time::Instant::now();
    let start = Instant::now();

    let dial = NobodyHome::default();
    let shutdown = CancellationToken::new();
    let bridge = tokio::spawn(godot_ai_bridge::run(dial.clone(), config(shutdown.clone())));
    tokio::time::sleep(Duration::from_secs(24 * 60 * 60)).await;
    shutdown.cancel();
    bridge.await.unwrap();

    let attempts: Vec<u64> = dial
        .attempts
        .lock()
        .unwrap()
        .iter()
        .map(|at| (*at - start).as_secs())
        .collect();
    assert_eq!(&attempts[..10], [0, 1, 3, 7, 15, 31, 61, 121, 181, 241]);
    assert!(
        attempts
            .windows(2)
            .skip(7)
            .all(|pair| pair[1] - pair[0] == 60)
    );
    assert_eq!(attempts.len(), 1445, "the first dial plus 1444 retries");

    let lines = lines.0.lock().unwrap();
    let reconnecting: Vec<&String> = lines
        .iter()
        .filter(|l| l.starts_with("reconnecting"))
        .collect();
    assert_eq!(
        reconnecting[0],
        "reconnecting (attempt 1; next retry in 2s if needed)"
    );
    assert_eq!(
        reconnecting[5],
        "reconnecting (attempt 10; next retry in 60s if needed)"
    );
    assert!(reconnecting.len() <= 150, "{} lines", reconnecting.len());
    assert_eq!(
        lines.len(),
        reconnecting.len(),
        "nothing else is printed: {lines:?}"
    );
    assert!(
        real_start.elapsed() < Duration::from_secs(1),
        "{:?}",
        real_start.elapsed()
    );
}
