//! An object's properties as the inspector shows them, for the commands that read them back.

use godot::prelude::*;
use godot::register::info::PropertyUsageFlags;

/// One property the inspector shows, with its value.
pub struct Shown {
    pub name: String,
    /// The declared type (`VariantType` ordinal; 0 when any type is allowed).
    pub declared: i64,
    pub value: Variant,
}

/// `object`'s editor-visible properties, in the inspector's order. A typed property that holds
/// nothing (an empty resource slot) is left out, as godot-ai lists them.
pub fn editor_visible(object: &Gd<Object>) -> Vec<Shown> {
    let editor_flag = PropertyUsageFlags::EDITOR.ord() as i64;
    object
        .get_property_list()
        .iter_shared()
        .filter_map(|info| {
            let number = |key: &str| {
                info.get(key)
                    .and_then(|v| v.try_to::<i64>().ok())
                    .unwrap_or(0)
            };
            if number("usage") & editor_flag == 0 {
                return None;
            }
            let name = info.get("name")?.stringify().to_string();
            let value = object.get(name.as_str());
            let declared = number("type");
            (!value.is_nil() || declared == 0).then_some(Shown {
                name,
                declared,
                value,
            })
        })
        .collect()
}

/// Whether `object` has the property `property`.
pub fn has(object: &Gd<Object>, property: &str) -> bool {
    object.get_property_list().iter_shared().any(|info| {
        info.get("name")
            .is_some_and(|name| name.stringify() == property)
    })
}
