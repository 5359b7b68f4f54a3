//! Typed params of the `*_manage` ops whose params godot-ai's server binds as keyword
//! arguments and rebuilds before sending (`game_manage`'s ops, `editor_manage` `game_eval` and
//! `logs_clear`, `custom_manage` `invoke`).
//!
//! After [`bind`] succeeds, every declared param is present (given, or its default) with its
//! declared kind, and no undeclared key remains; so an op's builder reads params without
//! failing. Errors name the tool, the op and the param: an unexpected key or a mistyped value is
//! `INVALID_PARAMS`, a missing required param is `MISSING_REQUIRED_PARAM` (as for a tool's own
//! arguments, see [`Arguments`](crate::arguments::Arguments)).

use godot_ai_protocol::{CommandError, ErrorCode, JsonObject, json_type_name};
use serde_json::Value;

use super::op_params::unexpected_param;
use crate::arguments::{ArgKind, PickParams, decode_json_text, normalize};

/// One param an op takes.
pub(super) struct OpParam {
    pub name: &'static str,
    pub kind: ArgKind,
    /// `None` for a required param, else its default.
    pub default: Option<fn() -> Value>,
}

/// A param the op cannot run without.
pub(super) const fn required(name: &'static str, kind: ArgKind) -> OpParam {
    OpParam {
        name,
        kind,
        default: None,
    }
}

/// A param with a default.
pub(super) const fn optional(name: &'static str, kind: ArgKind, default: fn() -> Value) -> OpParam {
    OpParam {
        name,
        kind,
        default: Some(default),
    }
}

/// Default `true`.
pub(super) fn yes() -> Value {
    Value::Bool(true)
}

/// Default `false`.
pub(super) fn no() -> Value {
    Value::Bool(false)
}

/// One op's params after [`bind`]: every declared param, in declaration order.
#[derive(Debug)]
pub(super) struct Bound {
    tool: &'static str,
    op: String,
    values: JsonObject,
}

impl PickParams for Bound {
    /// The named params (each declared one has a value or its default).
    fn pick(&self, names: &[&str]) -> JsonObject {
        names
            .iter()
            .map(|name| ((*name).to_owned(), self.value(name).clone()))
            .collect()
    }
}

impl Bound {
    /// A declared param's value (null only where the param's kind allows null).
    pub fn value(&self, name: &str) -> &Value {
        self.values
            .get(name)
            .unwrap_or_else(|| panic!("'{name}' is not a declared param of {}", self.op))
    }

    /// A declared string param.
    pub fn string(&self, name: &str) -> &str {
        self.value(name).as_str().unwrap_or_default()
    }

    /// Every declared param, in declaration order.
    pub fn into_params(self) -> JsonObject {
        self.values
    }

    /// `INVALID_PARAMS` about the param `param` of this op, e.g.
    /// `game_manage.input_sequence: steps must be a non-empty list`.
    pub fn invalid(&self, param: &str, message: &str) -> CommandError {
        invalid_param(self.tool, &self.op, param, message)
    }
}

/// `INVALID_PARAMS` `"<tool>.<op>: <message>"`, with the tool, op and param in its data.
pub(super) fn invalid_param(tool: &str, op: &str, param: &str, message: &str) -> CommandError {
    CommandError::new(ErrorCode::InvalidParams, format!("{tool}.{op}: {message}"))
        .with_data("tool", tool)
        .with_data("op", op)
        .with_data("param", param)
}

/// Checks `params` against `spec` and fills in defaults. A null counts as not given, except for
/// kinds that allow null. JSON text given for an object or array param is decoded, as godot-ai
/// does.
pub(super) fn bind(
    tool: &'static str,
    op: &str,
    spec: &[OpParam],
    mut params: JsonObject,
) -> Result<Bound, CommandError> {
    let names: Vec<&str> = spec.iter().map(|param| param.name).collect();
    if let Some(unexpected) = params.keys().find(|key| !names.contains(&key.as_str())) {
        return Err(unexpected_param(tool, op, unexpected, &names, &params));
    }
    let mut values = JsonObject::new();
    for param in spec {
        let given = params
            .remove(param.name)
            .filter(|value| !value.is_null() || param.kind.accepts(&Value::Null));
        let value = match (given, param.default) {
            (Some(value), _) => decode_json_text(param.kind, value),
            (None, Some(default)) => default(),
            (None, None) => {
                return Err(CommandError::new(
                    ErrorCode::MissingRequiredParam,
                    format!(
                        "{tool}.{op}: missing required param '{}'. It takes: {}.",
                        param.name,
                        names.join(", ")
                    ),
                )
                .with_data("tool", tool)
                .with_data("op", op)
                .with_data("param", param.name));
            }
        };
        if !param.kind.accepts(&value) {
            let message = format!(
                "param '{}' must be {}, got {}",
                param.name,
                param.kind.with_article(),
                json_type_name(&value)
            );
            return Err(invalid_param(tool, op, param.name, &message));
        }
        values.insert(param.name.to_owned(), normalize(param.kind, value));
    }
    Ok(Bound {
        tool,
        op: op.to_owned(),
        values,
    })
}
