//! `McpToolRegistry`: where the project's addons register custom tools, and the catalog it
//! publishes to the endpoint and the bridge.
//!
//! An addon reaches it with `ClassDB.class_call_static("McpToolRegistry", "get_instance")`
//! (so the addon still parses where this plugin is absent) and registers
//! [`McpCustomToolSpec`]s. The registry exists as soon as the library is loaded, whether or not
//! the plugin is enabled yet, so addons need not care which loads first.
//!
//! Invariants:
//! - The registry's state is main-thread only; other threads see only the published
//!   [`CustomToolCatalog`], which is replaced (with a new revision) on every change.
//! - No borrow of the state is held while an addon's script runs (a handler may register).
//! - Everything Godot-owned it holds is released by [`forget_all`] before the engine goes.

use std::cell::RefCell;
use std::sync::{Arc, LazyLock};

use godot::classes::{ConfigFile, EditorInterface, Object, RefCounted};
use godot::prelude::*;
use godot_ai_protocol::custom_tools::{CustomToolCatalog, CustomToolDefinition};
use tokio::sync::watch;

use super::spec::McpCustomToolSpec;

/// EditorSettings project metadata where switched-off tools are remembered.
const SETTINGS_SECTION: &str = "godot_ai_native";
const SETTINGS_KEY: &str = "disabled_custom_tools";

/// A registered tool: what was published, and how to run it.
pub struct Registered {
    pub definition: CustomToolDefinition,
    pub script_path: String,
    pub method: StringName,
    /// The registering addon's identity (its plugin.cfg, else the handler script).
    pub source_path: String,
    /// The handler, made on the first call.
    pub handler: Option<Gd<Object>>,
}

#[derive(Default)]
struct State {
    tools: Vec<Registered>,
    revision: u64,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
    static INSTANCE: RefCell<Option<Gd<McpToolRegistry>>> = const { RefCell::new(None) };
}

/// The published catalog (any thread may watch it).
static CATALOG: LazyLock<watch::Sender<CustomToolCatalog>> =
    LazyLock::new(|| watch::channel(CustomToolCatalog::default()).0);

/// Watches the published catalog.
pub fn catalog() -> watch::Receiver<CustomToolCatalog> {
    CATALOG.subscribe()
}

/// The catalog as published now.
pub fn current_catalog() -> CustomToolCatalog {
    CATALOG.borrow().clone()
}

/// Runs `read` on the registered tool `name`, if there is one.
pub fn with_tool<T>(name: &str, read: impl FnOnce(&mut Registered) -> T) -> Option<T> {
    STATE.with(|state| {
        let mut state = state.borrow_mut();
        state
            .tools
            .iter_mut()
            .find(|tool| tool.definition.name == name)
            .map(read)
    })
}

/// The registered tools' names.
pub fn names() -> Vec<String> {
    STATE.with(|state| {
        state
            .borrow()
            .tools
            .iter()
            .map(|tool| tool.definition.name.clone())
            .collect()
    })
}

/// Drops every tool and handler (the library is being unloaded).
pub fn forget_all() {
    let tools = STATE.with(|state| std::mem::take(&mut state.borrow_mut().tools));
    drop(tools);
    INSTANCE.with(|instance| instance.borrow_mut().take());
}

/// The registry addons talk to (see the module docs). Its state lives in this module; the
/// object carries the methods and signals.
#[derive(GodotClass)]
#[class(base = RefCounted, init, tool)]
pub struct McpToolRegistry {
    base: Base<RefCounted>,
}

#[godot_api]
impl McpToolRegistry {
    /// Emitted after every change to the registered tools.
    #[signal]
    fn tools_changed();

    /// The registry (made on first use).
    #[func]
    fn get_instance() -> Gd<McpToolRegistry> {
        INSTANCE.with(|instance| {
            instance
                .borrow_mut()
                .get_or_insert_with(McpToolRegistry::new_gd)
                .clone()
        })
    }

    /// Whether tools can be registered now (always, while the library is loaded).
    #[func]
    fn is_ready(&self) -> bool {
        true
    }

    /// Registers `spec`, or replaces the tool of that name from the same addon. An invalid
    /// spec, or a name another addon holds, is refused with an error in the Output panel.
    #[func]
    fn register(&mut self, spec: Gd<McpCustomToolSpec>) -> bool {
        self.batch_register(varray![&spec])
    }

    /// Registers every spec (`McpCustomToolSpec`s), or none if any is refused (one change for
    /// all).
    #[func]
    fn batch_register(&mut self, specs: VarArray) -> bool {
        let mut accepted = Vec::new();
        for (index, spec) in specs.iter_shared().enumerate() {
            let checked = spec
                .try_to::<Gd<McpCustomToolSpec>>()
                .map_err(|_| format!("specs[{index}] is not an McpCustomToolSpec"))
                .and_then(|spec| checked(&spec.bind(), &accepted));
            match checked {
                Ok(registered) => accepted.push(registered),
                Err(reason) => {
                    tracing::error!("A custom tool was not registered: {reason}.");
                    return false;
                }
            }
        }
        let names: Vec<String> = accepted
            .iter()
            .map(|tool| tool.definition.name.clone())
            .collect();
        STATE.with(|state| {
            let mut state = state.borrow_mut();
            for tool in accepted {
                state
                    .tools
                    .retain(|old| old.definition.name != tool.definition.name);
                state.tools.push(tool);
            }
        });
        tracing::info!("Custom tools registered: {}.", names.join(", "));
        self.changed();
        true
    }

    /// Unregisters the tool `name`; false when there is none.
    #[func]
    fn unregister(&mut self, name: GString) -> bool {
        let name = name.to_string();
        let removed = remove_where(|tool| tool.definition.name == name);
        if removed > 0 {
            self.changed();
        }
        removed > 0
    }

    /// Unregisters every tool the addon at `source_path` registered; how many there were.
    #[func]
    fn unregister_source(&mut self, source_path: GString) -> i64 {
        let source_path = source_path.to_string();
        let removed = remove_where(|tool| tool.source_path == source_path);
        if removed > 0 {
            self.changed();
        }
        removed as i64
    }

    /// The registered tools' names, switched on or not.
    #[func]
    fn all(&self) -> PackedStringArray {
        names()
            .iter()
            .map(|name| GString::from(name.as_str()))
            .collect()
    }

    /// The switched-on tools' names.
    #[func]
    fn enabled(&self) -> PackedStringArray {
        let catalog = current_catalog();
        catalog
            .tools
            .iter()
            .filter(|tool| tool.enabled)
            .map(|tool| GString::from(tool.name.as_str()))
            .collect()
    }

    #[func]
    fn is_tool_enabled(&self, name: GString) -> bool {
        let name = name.to_string();
        with_tool(&name, |tool| tool.definition.enabled).unwrap_or(false)
    }

    /// Switches a tool on or off; remembered for this project in the editor's settings.
    #[func]
    fn set_tool_enabled(&mut self, name: GString, enabled: bool) -> bool {
        let name = name.to_string();
        let Some(was) = with_tool(&name, |tool| {
            std::mem::replace(&mut tool.definition.enabled, enabled)
        }) else {
            return false;
        };
        remember_switch(&name, enabled);
        if was != enabled {
            self.changed();
        }
        true
    }
}

impl McpToolRegistry {
    /// Publishes the new catalog and tells the addons.
    fn changed(&mut self) {
        publish();
        self.signals().tools_changed().emit();
    }
}

/// Publishes the registry's tools as a new catalog revision.
fn publish() {
    let catalog = STATE.with(|state| {
        let mut state = state.borrow_mut();
        state.revision += 1;
        let tools: Vec<CustomToolDefinition> = state
            .tools
            .iter()
            .map(|tool| tool.definition.clone())
            .collect();
        CustomToolCatalog {
            revision: state.revision,
            tools: Arc::from(tools),
        }
    });
    CATALOG.send_replace(catalog);
    crate::change_watch::publish(godot_ai_mcp::EditorEvent::Changed(
        godot_ai_mcp::Topic::CustomTools,
    ));
}

fn remove_where(which: impl Fn(&Registered) -> bool) -> usize {
    let removed: Vec<Registered> = STATE.with(|state| {
        let mut state = state.borrow_mut();
        let (gone, kept) = std::mem::take(&mut state.tools)
            .into_iter()
            .partition(|tool| which(tool));
        state.tools = kept;
        gone
    });
    removed.len()
}

/// The tool `spec` registers, or why it may not (`batch` holds the batch's earlier specs).
fn checked(spec: &McpCustomToolSpec, batch: &[Registered]) -> Result<Registered, String> {
    let name = spec.name.to_string();
    let problems = spec.problems();
    if !problems.is_empty() {
        return Err(format!("'{name}': {}", problems.join("; ")));
    }
    let script_path = spec.script_path.to_string();
    let source_path = match spec.source_path.to_string() {
        path if path.is_empty() => script_path.clone(),
        path => path,
    };
    if batch.iter().any(|tool| tool.definition.name == name) {
        return Err(format!("'{name}' appears twice in one batch"));
    }
    let holder = with_tool(&name, |tool| tool.source_path.clone());
    if let Some(holder) = holder
        && holder != source_path
    {
        return Err(format!(
            "'{name}' is already registered by {holder}; pick another name"
        ));
    }
    let source = match spec.source.to_string() {
        source if !source.is_empty() => source,
        _ => addon_name(&spec.source_path.to_string()),
    };
    let enabled = !remembered_off(&name);
    Ok(Registered {
        definition: spec.definition(source, enabled),
        script_path,
        method: spec.method.clone(),
        source_path,
        handler: None,
    })
}

/// The `name` an addon's plugin.cfg gives, or "" without one.
fn addon_name(plugin_cfg: &str) -> String {
    if plugin_cfg.is_empty() {
        return String::new();
    }
    let mut config = ConfigFile::new_gd();
    if config.load(plugin_cfg) != godot::global::Error::OK {
        return String::new();
    }
    config
        .get_value_ex("plugin", "name")
        .default(&"".to_variant())
        .done()
        .to_string()
}

fn switched_off() -> PackedStringArray {
    EditorInterface::singleton()
        .get_editor_settings()
        .map(|settings| {
            settings
                .get_project_metadata_ex(SETTINGS_SECTION, SETTINGS_KEY)
                .default(&PackedStringArray::new().to_variant())
                .done()
        })
        .and_then(|value| value.try_to::<PackedStringArray>().ok())
        .unwrap_or_default()
}

fn remembered_off(name: &str) -> bool {
    switched_off().as_slice().iter().any(|off| *off == name)
}

fn remember_switch(name: &str, enabled: bool) {
    let Some(mut settings) = EditorInterface::singleton().get_editor_settings() else {
        return;
    };
    let mut off: Vec<GString> = switched_off()
        .as_slice()
        .iter()
        .filter(|off| **off != name)
        .cloned()
        .collect();
    if !enabled {
        off.push(GString::from(name));
    }
    let off: PackedStringArray = off.into_iter().collect();
    settings.set_project_metadata(SETTINGS_SECTION, SETTINGS_KEY, &off.to_variant());
}
