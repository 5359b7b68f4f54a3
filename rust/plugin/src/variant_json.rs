//! Godot `Variant` -> JSON, in the shapes godot-ai's plugin uses, so agents read the same
//! values from either plugin.
//!
//! Vectors become `{x, y[, z[, w]]}`, colours `{r, g, b, a}`, rects and AABBs
//! `{position, size}`, transforms their basis columns and origin, arrays and packed arrays JSON
//! arrays, dictionaries objects with stringified keys. A resource saved to a path becomes that
//! path; any other object, and everything without a JSON form (RID, Callable, ...), becomes
//! Godot's own text for it. Non-finite floats (JSON has none) become `null`.

use godot::builtin::AnyArray;
use godot::classes::Resource;
use godot::prelude::*;
use serde_json::{Value, json};

/// Deepest nesting converted; deeper containers become their text form (guards cycles).
const MAX_DEPTH: usize = 16;

/// Most values converted for one property; the rest become `null` (guards huge or
/// self-referencing containers).
const MAX_VALUES: usize = 100_000;

/// Converts `variant` to JSON.
pub fn to_json(variant: &Variant) -> Value {
    let mut budget = MAX_VALUES;
    convert(variant, 0, &mut budget)
}

fn convert(variant: &Variant, depth: usize, budget: &mut usize) -> Value {
    if *budget == 0 {
        return Value::Null;
    }
    *budget -= 1;
    if depth > MAX_DEPTH {
        return Value::String(variant.stringify().to_string());
    }
    let ty = variant.get_type();
    match ty {
        VariantType::NIL => Value::Null,
        VariantType::BOOL => Value::Bool(variant.to::<bool>()),
        VariantType::INT => json!(variant.to::<i64>()),
        VariantType::FLOAT => float(variant.to::<f64>()),
        VariantType::STRING | VariantType::STRING_NAME | VariantType::NODE_PATH => {
            Value::String(variant.stringify().to_string())
        }
        VariantType::VECTOR2 => vector2(variant.to::<Vector2>()),
        VariantType::VECTOR2I => {
            let v = variant.to::<Vector2i>();
            json!({"x": v.x, "y": v.y})
        }
        VariantType::VECTOR3 => vector3(variant.to::<Vector3>()),
        VariantType::VECTOR3I => {
            let v = variant.to::<Vector3i>();
            json!({"x": v.x, "y": v.y, "z": v.z})
        }
        VariantType::VECTOR4 => vector4(variant.to::<Vector4>()),
        VariantType::VECTOR4I => {
            let v = variant.to::<Vector4i>();
            json!({"x": v.x, "y": v.y, "z": v.z, "w": v.w})
        }
        VariantType::QUATERNION => {
            let q = variant.to::<Quaternion>();
            json!({"x": float(q.x.into()), "y": float(q.y.into()), "z": float(q.z.into()), "w": float(q.w.into())})
        }
        VariantType::COLOR => color(variant.to::<Color>()),
        VariantType::RECT2 => {
            let r = variant.to::<Rect2>();
            json!({"position": vector2(r.position), "size": vector2(r.size)})
        }
        VariantType::RECT2I => {
            let r = variant.to::<Rect2i>();
            json!({"position": {"x": r.position.x, "y": r.position.y},
                   "size": {"x": r.size.x, "y": r.size.y}})
        }
        VariantType::AABB => {
            let b = variant.to::<Aabb>();
            json!({"position": vector3(b.position), "size": vector3(b.size)})
        }
        VariantType::PLANE => {
            let p = variant.to::<Plane>();
            json!({"normal": vector3(p.normal), "d": float(p.d.into())})
        }
        VariantType::BASIS => basis(variant.to::<Basis>()),
        VariantType::TRANSFORM2D => {
            let t = variant.to::<Transform2D>();
            json!({"x": vector2(t.a), "y": vector2(t.b), "origin": vector2(t.origin)})
        }
        VariantType::TRANSFORM3D => {
            let t = variant.to::<Transform3D>();
            json!({"basis": basis(t.basis), "origin": vector3(t.origin)})
        }
        VariantType::PROJECTION => {
            let p = variant.to::<Projection>();
            json!({"x": vector4(p.cols[0]), "y": vector4(p.cols[1]),
                   "z": vector4(p.cols[2]), "w": vector4(p.cols[3])})
        }
        VariantType::OBJECT => object(variant),
        VariantType::DICTIONARY => {
            let dictionary = variant.to::<VarDictionary>();
            let map = dictionary
                .iter_shared()
                .map(|(key, value)| {
                    (
                        key.stringify().to_string(),
                        convert(&value, depth + 1, budget),
                    )
                })
                .collect();
            Value::Object(map)
        }
        VariantType::ARRAY => {
            // Typed or untyped alike.
            let array = variant.to::<AnyArray>();
            Value::Array(
                array
                    .iter_shared()
                    .map(|item| convert(&item, depth + 1, budget))
                    .collect(),
            )
        }
        VariantType::PACKED_BYTE_ARRAY => {
            list(variant.to::<PackedByteArray>().as_slice(), |b| json!(b))
        }
        VariantType::PACKED_INT32_ARRAY => {
            list(variant.to::<PackedInt32Array>().as_slice(), |i| json!(i))
        }
        VariantType::PACKED_INT64_ARRAY => {
            list(variant.to::<PackedInt64Array>().as_slice(), |i| json!(i))
        }
        VariantType::PACKED_FLOAT32_ARRAY => {
            list(variant.to::<PackedFloat32Array>().as_slice(), |f| {
                float(f64::from(*f))
            })
        }
        VariantType::PACKED_FLOAT64_ARRAY => {
            list(variant.to::<PackedFloat64Array>().as_slice(), |f| float(*f))
        }
        VariantType::PACKED_STRING_ARRAY => {
            list(variant.to::<PackedStringArray>().as_slice(), |s| {
                json!(s.to_string())
            })
        }
        VariantType::PACKED_VECTOR2_ARRAY => {
            list(variant.to::<PackedVector2Array>().as_slice(), |v| {
                vector2(*v)
            })
        }
        VariantType::PACKED_VECTOR3_ARRAY => {
            list(variant.to::<PackedVector3Array>().as_slice(), |v| {
                vector3(*v)
            })
        }
        VariantType::PACKED_COLOR_ARRAY => {
            list(variant.to::<PackedColorArray>().as_slice(), |c| color(*c))
        }
        _ => Value::String(variant.stringify().to_string()),
    }
}

fn list<T>(items: &[T], convert: impl Fn(&T) -> Value) -> Value {
    Value::Array(items.iter().map(convert).collect())
}

fn object(variant: &Variant) -> Value {
    if let Ok(resource) = variant.try_to::<Gd<Resource>>() {
        let path = resource.get_path();
        if !path.is_empty() {
            return Value::String(path.to_string());
        }
    }
    Value::String(variant.stringify().to_string())
}

/// A float as JSON. Most engine floats are stored in 32 bits (`0.8` comes back as
/// `0.800000011920929`): a value a 32-bit float holds exactly is written as that float's
/// shortest decimal, which reads back as the same 32-bit value.
fn float(value: f64) -> Value {
    let single = value as f32;
    let shown = if f64::from(single) == value {
        single.to_string().parse().unwrap_or(value)
    } else {
        value
    };
    serde_json::Number::from_f64(shown).map_or(Value::Null, Value::Number)
}

fn vector2(v: Vector2) -> Value {
    json!({"x": float(v.x.into()), "y": float(v.y.into())})
}

fn vector3(v: Vector3) -> Value {
    json!({"x": float(v.x.into()), "y": float(v.y.into()), "z": float(v.z.into())})
}

fn vector4(v: Vector4) -> Value {
    json!({"x": float(v.x.into()), "y": float(v.y.into()), "z": float(v.z.into()), "w": float(v.w.into())})
}

fn color(c: Color) -> Value {
    json!({"r": float(c.r.into()), "g": float(c.g.into()), "b": float(c.b.into()), "a": float(c.a.into())})
}

fn basis(b: Basis) -> Value {
    json!({"x": vector3(b.col_a()), "y": vector3(b.col_b()), "z": vector3(b.col_c())})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_stored_in_32_bits_read_as_their_shortest_decimal() {
        assert_eq!(float(f64::from(0.8f32)), json!(0.8));
        assert_eq!(float(f64::from(0.1f32)), json!(0.1));
        assert_eq!(float(2.5), json!(2.5));
        // A 64-bit value no 32-bit float holds stays exact.
        assert_eq!(float(0.1), json!(0.1));
        assert_eq!(float(1.0 / 3.0), json!(1.0 / 3.0));
        assert_eq!(float(f64::NAN), Value::Null);
    }
}
