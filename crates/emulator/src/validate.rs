//! Request-body checks shared by the emulated families, worded like Bedrock's JSON-schema
//! validation: `Malformed input request: #/key: …, please reformat your input and try again.`

use super::family::malformed;
use serde_json::{Map, Value};

/// The JSON type name Bedrock's validator uses.
pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "Null",
        Value::Bool(_) => "Boolean",
        Value::Number(_) => "Number",
        Value::String(_) => "String",
        Value::Array(_) => "JSONArray",
        Value::Object(_) => "JSONObject",
    }
}

/// The body as an object whose keys are all in `allowed`.
pub fn object<'a>(body: &'a Value, allowed: &[&str]) -> Result<&'a Map<String, Value>, String> {
    let object = body.as_object().ok_or_else(|| {
        malformed(&format!(
            "#: expected type: JSONObject, found: {}",
            kind(body)
        ))
    })?;
    keys_allowed(object, "#", allowed)?;
    Ok(object)
}

/// Refuses keys not in `allowed` (`#: extraneous key [x] is not permitted`).
pub(crate) fn keys_allowed(
    object: &Map<String, Value>,
    at: &str,
    allowed: &[&str],
) -> Result<(), String> {
    match object.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(key) => Err(malformed(&format!(
            "{at}: extraneous key [{key}] is not permitted"
        ))),
        None => Ok(()),
    }
}

/// A member that must be present.
pub fn required<'a>(
    object: &'a Map<String, Value>,
    at: &str,
    key: &str,
) -> Result<&'a Value, String> {
    match object.get(key) {
        Some(v) => Ok(v),
        None => Err(malformed(&format!("{at}: required key [{key}] not found"))),
    }
}

/// A required string member.
pub(crate) fn required_str<'a>(
    object: &'a Map<String, Value>,
    at: &str,
    key: &str,
) -> Result<&'a str, String> {
    let value = required(object, at, key)?;
    value.as_str().ok_or_else(|| {
        malformed(&format!(
            "{at}/{key}: expected type: String, found: {}",
            kind(value)
        ))
    })
}

/// An optional string member.
pub(crate) fn optional_str<'a>(
    object: &'a Map<String, Value>,
    at: &str,
    key: &str,
) -> Result<Option<&'a str>, String> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(v) => Err(malformed(&format!(
            "{at}/{key}: expected type: String, found: {}",
            kind(v)
        ))),
    }
}

/// An optional number within `[min, max]`.
pub(crate) fn number_in(
    object: &Map<String, Value>,
    at: &str,
    key: &str,
    min: f64,
    max: f64,
) -> Result<Option<f64>, String> {
    ranged(object, at, key, "Number", Value::as_f64, min, max)
}

/// An optional integer within `[min, max]`.
pub(crate) fn integer_in(
    object: &Map<String, Value>,
    at: &str,
    key: &str,
    min: u64,
    max: u64,
) -> Result<Option<u64>, String> {
    ranged(object, at, key, "Integer", Value::as_u64, min, max)
}

/// An optional member read by `read` (which names its type `type_name`), within `[min, max]`.
fn ranged<T: PartialOrd + std::fmt::Display + Copy>(
    object: &Map<String, Value>,
    at: &str,
    key: &str,
    type_name: &str,
    read: fn(&Value) -> Option<T>,
    min: T,
    max: T,
) -> Result<Option<T>, String> {
    let Some(v) = object.get(key).filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let n = read(v).ok_or_else(|| {
        malformed(&format!(
            "{at}/{key}: expected type: {type_name}, found: {}",
            kind(v)
        ))
    })?;
    if n < min {
        return Err(malformed(&format!(
            "{at}/{key}: {n} is not greater or equal to {min}"
        )));
    }
    if n > max {
        return Err(malformed(&format!(
            "{at}/{key}: {n} is not less or equal to {max}"
        )));
    }
    Ok(Some(n))
}

/// An optional boolean.
pub(crate) fn optional_bool(
    object: &Map<String, Value>,
    at: &str,
    key: &str,
) -> Result<Option<bool>, String> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(v) => Err(malformed(&format!(
            "{at}/{key}: expected type: Boolean, found: {}",
            kind(v)
        ))),
    }
}

/// An optional list of strings with at most `max_items` entries.
pub(crate) fn string_list(
    object: &Map<String, Value>,
    at: &str,
    key: &str,
    max_items: usize,
) -> Result<Vec<String>, String> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => {
            if items.len() > max_items {
                return Err(malformed(&format!(
                    "{at}/{key}: expected maximum item count: {max_items}, found: {}",
                    items.len()
                )));
            }
            items
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    s.as_str().map(str::to_string).ok_or_else(|| {
                        malformed(&format!(
                            "{at}/{key}/{i}: expected type: String, found: {}",
                            kind(s)
                        ))
                    })
                })
                .collect()
        }
        Some(v) => Err(malformed(&format!(
            "{at}/{key}: expected type: JSONArray, found: {}",
            kind(v)
        ))),
    }
}

/// An optional nested object whose keys are all in `allowed`.
pub(crate) fn nested<'a>(
    object: &'a Map<String, Value>,
    at: &str,
    key: &str,
    allowed: &[&str],
) -> Result<Option<&'a Map<String, Value>>, String> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(inner)) => {
            keys_allowed(inner, &format!("{at}/{key}"), allowed)?;
            Ok(Some(inner))
        }
        Some(v) => Err(malformed(&format!(
            "{at}/{key}: expected type: JSONObject, found: {}",
            kind(v)
        ))),
    }
}

/// A required, non-empty array.
pub(crate) fn required_array<'a>(
    object: &'a Map<String, Value>,
    at: &str,
    key: &str,
) -> Result<&'a Vec<Value>, String> {
    let value = required(object, at, key)?;
    let array = value.as_array().ok_or_else(|| {
        malformed(&format!(
            "{at}/{key}: expected type: JSONArray, found: {}",
            kind(value)
        ))
    })?;
    if array.is_empty() {
        return Err(malformed(&format!(
            "{at}/{key}: expected minimum item count: 1, found: 0"
        )));
    }
    Ok(array)
}
