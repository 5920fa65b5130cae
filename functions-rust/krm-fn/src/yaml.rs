//! Small helpers over `serde_yaml::Value` that compile with serde_yaml 0.8 (Debian 12) and 0.9
//! (Debian 13). The two differ in `Mapping::get`'s argument type and in 0.9's extra `Tagged`
//! variant, so lookups go through these helpers rather than the crate's own methods.

use serde_yaml::{Mapping, Value};

/// A string key as a YAML value.
pub fn key(name: &str) -> Value {
    Value::String(name.to_owned())
}

/// The value under the string key `name`, without allocating a key.
pub fn get<'a>(map: &'a Mapping, name: &str) -> Option<&'a Value> {
    map.iter().find_map(|(k, v)| match k {
        Value::String(s) if s == name => Some(v),
        _ => None,
    })
}

/// Mutable access to the value under the string key `name`.
pub fn get_mut<'a>(map: &'a mut Mapping, name: &str) -> Option<&'a mut Value> {
    map.iter_mut().find_map(|(k, v)| match k {
        Value::String(s) if s == name => Some(v),
        _ => None,
    })
}

/// Set `name` to `value`, keeping the key's position when it exists (serde_yaml 0.8's
/// `Mapping::insert` moves an existing key to the end, which would reorder fields).
pub fn set(map: &mut Mapping, name: &str, value: Value) {
    if let Some(slot) = get_mut(map, name) {
        *slot = value;
    } else {
        map.insert(key(name), value);
    }
}

/// Take the value out of `name`, leaving `Null` in its place (the key keeps its position).
pub(crate) fn take(map: &mut Mapping, name: &str) -> Option<Value> {
    get_mut(map, name).map(|slot| std::mem::replace(slot, Value::Null))
}

/// Remove `name`, keeping the order of the other keys (serde_yaml 0.9's `Mapping::remove` is a
/// swap_remove, which moves the last key into the gap).
pub(crate) fn remove(map: &mut Mapping, name: &str) -> Option<Value> {
    get(map, name)?;
    let mut removed = None;
    for (k, v) in std::mem::take(map) {
        match k {
            Value::String(ref s) if s == name => removed = Some(v),
            _ => {
                map.insert(k, v);
            }
        }
    }
    removed
}

/// A short name of the value's type for error messages ("string", "mapping", ...).
#[allow(unreachable_patterns)] // serde_yaml 0.9 adds Value::Tagged; 0.8 does not have it
pub fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Sequence(_) => "sequence",
        Value::Mapping(_) => "mapping",
        _ => "tagged value",
    }
}

/// Serialize as one YAML document without the `---` line that serde_yaml 0.8 puts first
/// (0.9 does not), so both versions give the same shape of output.
pub(crate) fn to_yaml(value: &Value) -> Result<String, String> {
    let text = serde_yaml::to_string(value).map_err(|e| format!("cannot write YAML: {e}"))?;
    Ok(match text.strip_prefix("---\n") {
        Some(rest) => rest.to_owned(),
        None => text,
    })
}

/// Every document of a multi-document YAML stream; empty documents are skipped.
pub(crate) fn documents(text: &str) -> Result<Vec<Value>, String> {
    use serde::Deserialize;
    let mut docs = Vec::new();
    for (index, doc) in serde_yaml::Deserializer::from_str(text).enumerate() {
        let value = Value::deserialize(doc).map_err(|e| format!("document {index}: {e}"))?;
        if !value.is_null() {
            docs.push(value);
        }
    }
    Ok(docs)
}
