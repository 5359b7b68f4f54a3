//! Running a custom tool: `custom_tool:<name>` calls the handler an addon registered, with the
//! params as they came and an `McpCallContext`, and answers what the handler returns.
//!
//! A handler returns godot-ai's plugin envelope: `{"data": {...}}`, or
//! `{"error": {"code", "message", "data"?}}`. A deferred tool may instead return
//! `{"_deferred": true}` and answer later, within its `timeout_ms`, with
//! `ctx.send_deferred(envelope)`.

use std::time::Duration;

use godot::classes::{Object, RefCounted};
use godot::prelude::*;
use godot_ai_protocol::{CommandError, CommandResult, ErrorCode, JsonObject};
use serde_json::Value;

use super::registry::{self, Registered};
use crate::commands::script_instance::fresh_instance;
use crate::commands::settle::{Pending, Settle, Step};
use crate::editor_log;
use crate::json_variant::plain;
use crate::variant_json::to_json;

/// What a tool's handler is given besides its params: who called, until when it may answer,
/// and (for a deferred tool) where to send the answer.
#[derive(GodotClass)]
#[class(base = RefCounted, init, tool)]
pub struct McpCallContext {
    base: Base<RefCounted>,
    #[var]
    tool_name: GString,
    /// `Time.get_ticks_msec()` by which the answer must be sent.
    #[var]
    deadline_msec: i64,
    answer: Option<VarDictionary>,
}

#[godot_api]
impl McpCallContext {
    /// Whether the caller has stopped waiting.
    #[func]
    fn is_expired(&self) -> bool {
        godot::classes::Time::singleton().get_ticks_msec() as i64 > self.deadline_msec
    }

    /// A deferred tool's answer (the same envelope a handler returns); only the first counts.
    #[func]
    fn send_deferred(&mut self, answer: VarDictionary) -> bool {
        if self.answer.is_some() {
            return false;
        }
        self.answer = Some(answer);
        true
    }
}

/// `custom_tool:<name>` with `params`.
pub fn invoke(name: &str, params: &JsonObject) -> Step {
    match start(name, params) {
        Ok(step) => step,
        Err(error) => Step::Done(Err(error)),
    }
}

fn start(name: &str, params: &JsonObject) -> Result<Step, CommandError> {
    let Some((enabled, deferred, timeout)) = registry::with_tool(name, |tool| {
        (
            tool.definition.enabled,
            tool.definition.deferred,
            tool.definition.reply_wait() - Duration::from_secs(2),
        )
    }) else {
        return Err(not_found(name));
    };
    if !enabled {
        return Err(CommandError::new(
            ErrorCode::CustomToolDisabled,
            format!("Custom tool '{name}' is disabled; switch it on in the project's addons"),
        ));
    }
    let (mut handler, method) = handler(name)?;
    let mut context = McpCallContext::new_gd();
    context.bind_mut().tool_name = name.into();
    context.bind_mut().deadline_msec =
        godot::classes::Time::singleton().get_ticks_msec() as i64 + timeout.as_millis() as i64;
    let mut arguments = VarDictionary::new();
    for (key, value) in params {
        if key != "_request_id" {
            arguments.set(key.as_str(), &plain(value));
        }
    }

    let log_mark = editor_log::mark();
    let returned = handler
        .try_call(&method, &[arguments.to_variant(), context.to_variant()])
        .map_err(|error| {
            CommandError::internal(format!(
                "Custom tool '{name}' could not call its handler: {error}"
            ))
        })?;
    let Ok(reply) = returned.try_to::<VarDictionary>() else {
        return Err(bad_reply(name, &returned, log_mark));
    };
    if reply.get("_deferred").is_some_and(|flag| flag.booleanize()) {
        if !deferred {
            return Err(CommandError::internal(format!(
                "Custom tool '{name}' answered later but is not registered as deferred; set \
                 deferred = true on its spec"
            )));
        }
        return Ok(Step::Wait(Pending::new(DeferredAnswer {
            name: name.to_owned(),
            context,
            timeout,
        })));
    }
    Ok(Step::Done(envelope(name, &reply)))
}

/// The tool's handler and method, made on the first call.
fn handler(name: &str) -> Result<(Gd<Object>, StringName), CommandError> {
    let (existing, script_path, method) = registry::with_tool(name, |tool: &mut Registered| {
        (
            tool.handler.clone(),
            tool.script_path.clone(),
            tool.method.clone(),
        )
    })
    .ok_or_else(|| not_found(name))?;
    if let Some(handler) = existing.filter(|handler| handler.is_instance_valid()) {
        return Ok((handler, method));
    }
    let (_, handler) = fresh_instance(&script_path).map_err(|reason| {
        CommandError::internal(format!(
            "Custom tool '{name}': its handler {script_path} cannot be used: {reason}"
        ))
    })?;
    if !handler.has_method(&method) {
        return Err(CommandError::internal(format!(
            "Custom tool '{name}': its handler {script_path} has no method '{method}'"
        )));
    }
    registry::with_tool(name, |tool| tool.handler = Some(handler.clone()));
    Ok((handler, method))
}

fn not_found(name: &str) -> CommandError {
    let names = registry::names();
    let similar = godot_ai_protocol::suggest::closest(name, names.iter().map(String::as_str), 3);
    let mut error = CommandError::new(
        ErrorCode::UnknownCommand,
        format!(
            "Custom tool '{name}' not found; custom_manage op=list shows the tools the \
             project's addons registered"
        ),
    );
    if !similar.is_empty() {
        error = error.with_data("did_you_mean", similar);
    }
    error
}

/// A handler that returned something other than a Dictionary (a script error returns
/// nothing): says so, with the script error when there was one.
fn bad_reply(name: &str, returned: &Variant, log_mark: u64) -> CommandError {
    let script_error = editor_log::entries_since(log_mark)
        .into_iter()
        .find(|entry| entry.is_script_error());
    match script_error {
        Some(error) => CommandError::internal(format!(
            "Custom tool '{name}' stopped on a script error: {} ({}:{})",
            error.text, error.file, error.line
        ))
        .with_data("file", error.file)
        .with_data("line", error.line),
        None => CommandError::internal(format!(
            "Custom tool '{name}' returned {:?}, not a Dictionary ({{\"data\": ...}} or \
             {{\"error\": ...}})",
            returned.get_type()
        )),
    }
}

/// A handler's envelope as the command's result.
fn envelope(name: &str, reply: &VarDictionary) -> CommandResult {
    let reply = match to_json(&reply.to_variant()) {
        Value::Object(reply) => reply,
        _ => JsonObject::new(),
    };
    if let Some(error) = reply.get("error") {
        return Err(tool_error(name, error, reply.get("data")));
    }
    if reply.get("status").and_then(Value::as_str) == Some("error") {
        let message = reply
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("the tool reported an error");
        return Err(CommandError::internal(format!(
            "Custom tool '{name}': {message}"
        )));
    }
    match reply.get("data") {
        Some(Value::Object(data)) => Ok(data.clone()),
        Some(other) => Ok(JsonObject::from_iter([(
            "result".to_owned(),
            other.clone(),
        )])),
        None => Ok(reply),
    }
}

/// `{"code", "message", "data"?}` (or a bare message) as the error it names; a code this
/// protocol does not know becomes `INTERNAL_ERROR`, keeping the tool's code in `data`.
fn tool_error(name: &str, error: &Value, outer_data: Option<&Value>) -> CommandError {
    let message = error
        .get("message")
        .and_then(Value::as_str)
        .or(error.as_str())
        .unwrap_or("the tool reported an error")
        .to_owned();
    let code_text = error.get("code").and_then(Value::as_str);
    let code = code_text.and_then(|code| serde_json::from_value(Value::from(code)).ok());
    let mut command_error = CommandError::new(code.unwrap_or(ErrorCode::InternalError), message);
    if code.is_none()
        && let Some(code_text) = code_text
    {
        command_error = command_error.with_data("tool_code", code_text);
    }
    if let Some(Value::Object(data)) = error.get("data").or(outer_data) {
        for (key, value) in data {
            command_error = command_error.with_data(key, value.clone());
        }
    }
    command_error.with_data("custom_tool", name)
}

/// A deferred tool's answer, awaited on later frames.
struct DeferredAnswer {
    name: String,
    context: Gd<McpCallContext>,
    timeout: Duration,
}

impl Settle for DeferredAnswer {
    fn poll(&mut self) -> Option<CommandResult> {
        let answer = self.context.bind_mut().answer.take()?;
        Some(envelope(&self.name, &answer))
    }

    fn waiting_for(&self) -> String {
        format!("custom tool '{}' to send its deferred answer", self.name)
    }

    fn time_allowed(&self) -> Duration {
        self.timeout
    }

    fn give_up(&mut self, waited: Duration) -> CommandResult {
        Err(
            crate::commands::settle::timed_out(&self.waiting_for(), waited)
                .with_data("timeout_ms", self.timeout.as_millis() as u64),
        )
    }
}
