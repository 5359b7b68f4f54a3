//! `tracing` events -> the editor Output panel, prefixed `MCP | `, from any thread.
//!
//! Info events print as plain lines, warnings with `godot_warn!` and errors with
//! `godot_error!`, so the editor colours them. Only our crates print, at info and above;
//! dependencies' (hyper, rmcp, ...) warnings and errors are kept in the plugin log only, so the
//! Output says what a person needs and nothing of a library's internals.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};

use godot::global::{godot_error, godot_print, godot_warn};
use godot_ai_mcp::{EditorEvent, Severity};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;

/// The prefix of every line the plugin prints, like godot-ai's.
pub const PREFIX: &str = "MCP | ";

/// Set when the engine is shutting down: from then on events go to stderr, never into an
/// engine that may already be gone (a straggling runtime thread could still log).
static ENGINE_GONE: AtomicBool = AtomicBool::new(false);

/// Stops printing through Godot (called when the main loop is torn down).
pub fn detach_from_engine() {
    ENGINE_GONE.store(true, Ordering::SeqCst);
}

/// The crates whose events are sentences for a person (the Output panel); everything else is a
/// library's.
const OUR_CRATES: [&str; 5] = [
    "godot_ai_native",
    "godot_ai_mcp",
    "godot_ai_executor",
    "godot_ai_bridge",
    "godot_ai_clients",
];

/// Installs the subscriber once per process; later calls do nothing. Our crates' events at info
/// and above go to the Output panel (and the plugin log); libraries' warnings and errors (rmcp
/// answering a client's optional method with "method not found", hyper's connection resets)
/// are library-internal detail: they go to the plugin log only, marked `[debug]`.
pub fn install() {
    let ours = OUR_CRATES.iter().fold(
        Targets::new().with_default(LevelFilter::OFF),
        |targets, name| targets.with_target(*name, LevelFilter::INFO),
    );
    let libraries = OUR_CRATES.iter().fold(
        Targets::new().with_default(LevelFilter::WARN),
        |targets, name| targets.with_target(*name, LevelFilter::OFF),
    );
    // Fails only if a subscriber is already installed (library loaded twice): keep that one.
    let _ = tracing_subscriber::registry()
        .with(OutputPanel.with_filter(ours))
        .with(LibraryEvents.with_filter(libraries))
        .try_init();
}

/// A layer printing each event as one Output line.
struct OutputPanel;

impl<S: Subscriber> Layer<S> for OutputPanel {
    fn on_event(&self, event: &Event<'_>, _context: Context<'_, S>) {
        let mut line = LineBuilder::default();
        event.record(&mut line);
        let line = line.finish();
        let text = format!("{PREFIX}{line}");
        crate::plugin_log::record(text.clone());
        crate::change_watch::publish(EditorEvent::plugin_line(
            severity(*event.metadata().level()),
            line,
        ));
        if ENGINE_GONE.load(Ordering::SeqCst) {
            eprintln!("{text}");
            return;
        }
        match *event.metadata().level() {
            Level::ERROR => godot_error!("{text}"),
            Level::WARN => godot_warn!("{text}"),
            _ => godot_print!("{text}"),
        }
    }
}

/// The MCP severity of a `tracing` level.
fn severity(level: Level) -> Severity {
    match level {
        Level::ERROR => Severity::Error,
        Level::WARN => Severity::Warning,
        Level::INFO => Severity::Info,
        _ => Severity::Debug,
    }
}

/// A layer keeping libraries' events in the plugin log only, as `[debug] <target>: <event>`.
struct LibraryEvents;

impl<S: Subscriber> Layer<S> for LibraryEvents {
    fn on_event(&self, event: &Event<'_>, _context: Context<'_, S>) {
        let mut line = LineBuilder::default();
        event.record(&mut line);
        let target = event.metadata().target();
        crate::plugin_log::record(format!("{PREFIX}[debug] {target}: {}", line.finish()));
    }
}

/// Collects an event's `message` and its other fields as ` key=value`.
#[derive(Default)]
struct LineBuilder {
    message: String,
    fields: String,
}

impl LineBuilder {
    fn finish(self) -> String {
        self.message + &self.fields
    }
}

impl Visit for LineBuilder {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            let _ = write!(self.fields, " {}={value}", field.name());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.fields, " {}={value:?}", field.name());
        }
    }
}
