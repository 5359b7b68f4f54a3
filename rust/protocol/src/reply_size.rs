//! Fitting a successful reply under a byte budget without turning it into a failure.
//!
//! Many write commands echo what they wrote: `set_node_property` answers with the new `value`
//! (and the `old_value`), so a 5 MiB `editor_description` makes a reply of 5 to 10 MiB. The
//! write has happened by then; refusing the reply (godot-ai's plugin answers `INTERNAL_ERROR`
//! when a reply exceeds its 4 MiB outbound limit) tells the agent a success was a failure, and
//! it retries a write that already took effect.
//!
//! [`fit_reply`] instead replaces the largest values with a short summary that says what was
//! left out, and lists what it replaced under [`SUMMARISED_KEY`], so the reply stays small and
//! truthful: the command succeeded, and these values were not echoed.
//!
//! Rules:
//! - A reply that fits is returned unchanged (no [`SUMMARISED_KEY`]).
//! - Strings are summarised first, largest first: the first [`PREFIX_CHARS`] characters
//!   followed by `… (N characters, not echoed)`. Only when that is not enough are arrays and
//!   objects (never the reply itself) replaced, largest first, by a string such as
//!   `… (array of N items, M bytes of JSON, not echoed)`.
//! - Values smaller than [`MIN_SUMMARISED_BYTES`] are never touched: their summary would
//!   save little and lose information.
//! - Values under a key in [`KEPT_WHOLE`] are never cut (a cut image is no image).
//! - [`SUMMARISED_KEY`] lists the replaced values as JSON Pointers (RFC 6901, e.g. `/value`,
//!   `/properties/theme_override_colors~1font_color`), in the order they were chosen.
//! - When even the most summarised reply exceeds the budget, [`fit_reply`] says so and gives
//!   the reply back untouched: the caller decides (send it whole, or report the size).
//!
//! Sizes are bytes of compact JSON (what `serde_json::to_string` writes), computed exactly.

use serde_json::Value;

use crate::JsonObject;

/// The size limit both front doors apply to a reply's `data`, in bytes of compact JSON:
/// godot-ai's outbound limit (its server also refuses inbound frames above it).
pub const MAX_REPLY_BYTES: usize = 4 * 1024 * 1024;

/// The key listing the JSON Pointers of summarised values in a fitted reply.
pub const SUMMARISED_KEY: &str = "summarised";

/// Characters of a summarised string kept at its start.
pub const PREFIX_CHARS: usize = 100;

/// Values smaller than this (in bytes of JSON) are never summarised.
pub const MIN_SUMMARISED_BYTES: usize = 1024;

/// Keys whose values are never summarised, at any depth: binary payloads that are useless
/// when cut (`image_base64` carries a screenshot's PNG).
pub const KEPT_WHOLE: &[&str] = &["image_base64"];

/// A reply that does not fit its budget even with every eligible value summarised.
#[derive(Debug, Clone, PartialEq)]
pub struct Oversized {
    /// The reply, unchanged.
    pub data: JsonObject,
    /// Its size in bytes of compact JSON.
    pub bytes: usize,
    /// The smallest size summarising could reach.
    pub smallest_bytes: usize,
}

/// Returns `data` unchanged when it is at most `budget` bytes of compact JSON, else a copy
/// with its largest values summarised (see the module rules) that fits `budget`, or
/// [`Oversized`] when no summary fits.
pub fn fit_reply(data: JsonObject, budget: usize) -> Result<JsonObject, Oversized> {
    let mut candidates = Vec::new();
    let total = object_size(&data, &mut String::new(), &mut candidates);
    if total <= budget {
        return Ok(data);
    }
    let plan = plan(total, budget, candidates);
    if plan.size > budget {
        return Err(Oversized {
            data,
            bytes: total,
            smallest_bytes: plan.size,
        });
    }
    let mut value = Value::Object(data);
    let mut pointers = Vec::with_capacity(plan.chosen.len());
    for candidate in plan.chosen {
        if let Some(slot) = value.pointer_mut(&candidate.pointer) {
            *slot = Value::String(candidate.summary);
        }
        pointers.push(Value::String(candidate.pointer));
    }
    let Value::Object(mut data) = value else {
        unreachable!("the reply stays an object");
    };
    data.insert(SUMMARISED_KEY.to_owned(), Value::Array(pointers));
    Ok(data)
}

/// Bytes of compact JSON `value` serializes to.
pub fn json_size(value: &Value) -> usize {
    let mut counter = ByteCounter(0);
    serde_json::to_writer(&mut counter, value).expect("counting never fails");
    counter.0
}

/// A value that may be summarised.
#[derive(Debug)]
struct Candidate {
    pointer: String,
    /// Bytes of JSON it takes now.
    size: usize,
    /// Its replacement.
    summary: String,
    /// Bytes of JSON the replacement takes.
    summary_size: usize,
    is_string: bool,
}

#[derive(Debug)]
struct Plan {
    chosen: Vec<Candidate>,
    /// Size of the reply with every chosen value summarised and the pointer list added.
    size: usize,
}

/// Greedy choice: strings largest first, then containers largest first (equals in document
/// order), until the reply
/// (with its pointer list) fits. A container chosen after values inside it replaces them.
fn plan(total: usize, budget: usize, mut candidates: Vec<Candidate>) -> Plan {
    // Stable: equally large values go in document order.
    candidates.sort_by(|a, b| {
        b.is_string
            .cmp(&a.is_string)
            .then_with(|| b.size.cmp(&a.size))
    });
    let mut chosen: Vec<Candidate> = Vec::new();
    // Size of the reply with the chosen values summarised, without the pointer list.
    let mut current = total;
    for candidate in candidates {
        if current + pointer_list_size(&chosen) <= budget {
            break;
        }
        if chosen
            .iter()
            .any(|taken| is_within(&candidate.pointer, &taken.pointer))
        {
            continue; // already gone with a container
        }
        // What a container takes now: values inside it may be summarised already.
        let now = chosen
            .iter()
            .filter(|taken| is_within(&taken.pointer, &candidate.pointer))
            .fold(candidate.size, |size, taken| {
                size - (taken.size - taken.summary_size)
            });
        if candidate.summary_size >= now {
            continue; // the values inside were cut enough already
        }
        chosen.retain(|taken| !is_within(&taken.pointer, &candidate.pointer));
        current = current - now + candidate.summary_size;
        chosen.push(candidate);
    }
    let size = current + pointer_list_size(&chosen);
    Plan { chosen, size }
}

/// Bytes the pointer list adds: `,"summarised":[...]`.
fn pointer_list_size(chosen: &[Candidate]) -> usize {
    if chosen.is_empty() {
        return 0;
    }
    let list: Vec<Value> = chosen
        .iter()
        .map(|candidate| Value::String(candidate.pointer.clone()))
        .collect();
    // A comma (the reply is never empty when something was summarised), the key, a colon.
    1 + json_size(&Value::String(SUMMARISED_KEY.to_owned())) + 1 + json_size(&Value::Array(list))
}

/// True when `pointer` names `ancestor` itself or a value inside it.
fn is_within(pointer: &str, ancestor: &str) -> bool {
    pointer == ancestor
        || (pointer.starts_with(ancestor) && pointer.as_bytes().get(ancestor.len()) == Some(&b'/'))
}

/// Size of an object, collecting the candidates inside it (`pointer` names the object).
fn object_size(object: &JsonObject, pointer: &mut String, out: &mut Vec<Candidate>) -> usize {
    let mut size = 2 + object.len().saturating_sub(1);
    for (key, child) in object {
        size += string_size(key) + 1;
        let length = pointer.len();
        pointer.push('/');
        push_escaped(pointer, key);
        size += if KEPT_WHOLE.contains(&key.as_str()) {
            json_size(child)
        } else {
            value_size(child, pointer, out)
        };
        pointer.truncate(length);
    }
    size
}

/// Size of `value`, collecting it (when big enough) and the candidates inside it.
fn value_size(value: &Value, pointer: &mut String, out: &mut Vec<Candidate>) -> usize {
    let size = match value {
        Value::Array(items) => {
            let mut size = 2 + items.len().saturating_sub(1);
            for (index, item) in items.iter().enumerate() {
                let length = pointer.len();
                pointer.push('/');
                pointer.push_str(&index.to_string());
                size += value_size(item, pointer, out);
                pointer.truncate(length);
            }
            size
        }
        Value::Object(object) => object_size(object, pointer, out),
        other => json_size(other),
    };
    if size >= MIN_SUMMARISED_BYTES {
        let summary = summary_of(value, size);
        out.push(Candidate {
            pointer: pointer.clone(),
            size,
            summary_size: string_size(&summary),
            summary,
            is_string: value.is_string(),
        });
    }
    size
}

/// The replacement text for `value`, whose JSON takes `size` bytes.
fn summary_of(value: &Value, size: usize) -> String {
    match value {
        Value::String(text) => {
            let characters = text.chars().count();
            let prefix: String = text.chars().take(PREFIX_CHARS).collect();
            format!("{prefix}… ({characters} characters, not echoed)")
        }
        Value::Array(items) => format!(
            "… (array of {} items, {size} bytes of JSON, not echoed)",
            items.len()
        ),
        Value::Object(object) => format!(
            "… (object with {} keys, {size} bytes of JSON, not echoed)",
            object.len()
        ),
        // Numbers, booleans and null are never big enough to be candidates.
        other => format!("… ({size} bytes of JSON, not echoed: {})", other),
    }
}

fn string_size(text: &str) -> usize {
    let mut counter = ByteCounter(0);
    serde_json::to_writer(&mut counter, text).expect("counting never fails");
    counter.0
}

/// Appends `key` escaped as one JSON Pointer reference token (`~` -> `~0`, `/` -> `~1`).
fn push_escaped(pointer: &mut String, key: &str) {
    for character in key.chars() {
        match character {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            other => pointer.push(other),
        }
    }
}

struct ByteCounter(usize);

impl std::io::Write for ByteCounter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0 += bytes.len();
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests;
