//! `KubeObject`: one Kubernetes resource as an ordered YAML mapping, with typed helpers.

use std::fmt;

use serde_yaml::{Mapping, Value};

use crate::results::{Error, FileRef, ResourceRef};
use crate::yaml;

/// Annotations through which the orchestrator says where a resource came from.
const PATH_ANNOTATIONS: [&str; 2] = [
    "internal.config.kubernetes.io/path",
    "config.kubernetes.io/path",
];
const INDEX_ANNOTATIONS: [&str; 2] = [
    "internal.config.kubernetes.io/index",
    "config.kubernetes.io/index",
];

/// A Kubernetes resource. Field order is kept: setting a field that exists keeps its place,
/// a new field goes last.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KubeObject {
    map: Mapping,
}

impl KubeObject {
    pub fn new(map: Mapping) -> Self {
        KubeObject { map }
    }

    /// The object when `value` is a mapping; the value back otherwise.
    pub fn from_value(value: Value) -> Result<Self, Value> {
        match value {
            Value::Mapping(map) => Ok(KubeObject { map }),
            other => Err(other),
        }
    }

    pub fn as_mapping(&self) -> &Mapping {
        &self.map
    }

    pub fn as_mapping_mut(&mut self) -> &mut Mapping {
        &mut self.map
    }

    pub fn into_value(self) -> Value {
        Value::Mapping(self.map)
    }

    /// The value at `path` (e.g. `&["spec", "replicas"]`), if every step exists.
    pub fn get(&self, path: &[&str]) -> Option<&Value> {
        let (first, rest) = path.split_first()?;
        let mut value = yaml::get(&self.map, first)?;
        for step in rest {
            value = yaml::get(value.as_mapping()?, step)?;
        }
        Some(value)
    }

    /// Mutable access to the value at `path`.
    pub fn get_mut(&mut self, path: &[&str]) -> Option<&mut Value> {
        let (first, rest) = path.split_first()?;
        let mut value = yaml::get_mut(&mut self.map, first)?;
        for step in rest {
            value = yaml::get_mut(value.as_mapping_mut()?, step)?;
        }
        Some(value)
    }

    /// The string at `path`, if there is one.
    pub fn get_str(&self, path: &[&str]) -> Option<&str> {
        self.get(path).and_then(Value::as_str)
    }

    /// The string at `path`, or an error naming this object and the field when it is missing
    /// or not a string.
    pub fn require_str(&self, path: &[&str]) -> Result<&str, Error> {
        self.require_str_as(path, &self.to_string())
    }

    /// [`KubeObject::require_str`] with `label` naming the object in messages.
    pub(crate) fn require_str_as(&self, path: &[&str], label: &str) -> Result<&str, Error> {
        let field = path.join(".");
        match self.get(path) {
            Some(Value::String(s)) => Ok(s),
            None | Some(Value::Null) => Err(Error::new(format!("{label}: missing field {field}"))
                .resource(self)
                .field(field)),
            Some(other) => Err(Error::new(format!(
                "{label}: field {field} is a {}, want a string",
                yaml::type_name(other)
            ))
            .resource(self)
            .field(field)),
        }
    }

    /// Set the value at `path`, creating missing mappings on the way. Fails, naming the field,
    /// when a step exists but is not a mapping.
    pub fn set(&mut self, path: &[&str], value: Value) -> Result<(), Error> {
        // (no let-else: rustc 1.63 does not have it)
        let (last, parents) = match path.split_last() {
            Some(split) => split,
            None => return Err(Error::new("empty field path")),
        };
        // Check the whole path first so that a failure changes nothing.
        let mut map = &self.map;
        for (depth, step) in parents.iter().enumerate() {
            match yaml::get(map, step) {
                None | Some(Value::Null) => break,
                Some(Value::Mapping(child)) => map = child,
                Some(other) => {
                    let field = path[..=depth].join(".");
                    return Err(Error::new(format!(
                        "{self}: field {field} is a {}, want a mapping",
                        yaml::type_name(other)
                    ))
                    .resource(self)
                    .field(field));
                }
            }
        }
        let mut map = &mut self.map;
        for step in parents {
            if yaml::get(map, step).map_or(true, Value::is_null) {
                yaml::set(map, step, Value::Mapping(Mapping::new()));
            }
            map = yaml::get_mut(map, step)
                .and_then(Value::as_mapping_mut)
                .expect("checked above");
        }
        yaml::set(map, last, value);
        Ok(())
    }

    /// Set a string at `path` (see [`KubeObject::set`]).
    pub fn set_str(&mut self, path: &[&str], value: &str) -> Result<(), Error> {
        self.set(path, Value::String(value.to_owned()))
    }

    /// Remove the field at `path`, returning its value.
    pub fn remove(&mut self, path: &[&str]) -> Option<Value> {
        let (last, parents) = path.split_last()?;
        let map = if parents.is_empty() {
            &mut self.map
        } else {
            self.get_mut(parents)?.as_mapping_mut()?
        };
        yaml::remove(map, last)
    }

    /// `apiVersion`, or "" when missing.
    pub fn api_version(&self) -> &str {
        self.get_str(&["apiVersion"]).unwrap_or("")
    }

    /// `kind`, or "" when missing.
    pub fn kind(&self) -> &str {
        self.get_str(&["kind"]).unwrap_or("")
    }

    /// `metadata.name`, or "" when missing.
    pub fn name(&self) -> &str {
        self.get_str(&["metadata", "name"]).unwrap_or("")
    }

    /// `metadata.namespace`, or "" when missing.
    pub fn namespace(&self) -> &str {
        self.get_str(&["metadata", "namespace"]).unwrap_or("")
    }

    pub fn set_name(&mut self, name: &str) -> Result<(), Error> {
        self.set_str(&["metadata", "name"], name)
    }

    pub fn set_namespace(&mut self, namespace: &str) -> Result<(), Error> {
        self.set_str(&["metadata", "namespace"], namespace)
    }

    /// `metadata.annotations[key]`, when it is a string.
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.get_str(&["metadata", "annotations", key])
    }

    pub fn set_annotation(&mut self, key: &str, value: &str) -> Result<(), Error> {
        self.set_str(&["metadata", "annotations", key], value)
    }

    /// `metadata.labels[key]`, when it is a string.
    pub fn label(&self, key: &str) -> Option<&str> {
        self.get_str(&["metadata", "labels", key])
    }

    pub fn set_label(&mut self, key: &str, value: &str) -> Result<(), Error> {
        self.set_str(&["metadata", "labels", key], value)
    }

    /// True when `kind` matches and `apiVersion` is `api_version` (or any when it is "").
    pub fn is(&self, api_version: &str, kind: &str) -> bool {
        self.kind() == kind && (api_version.is_empty() || self.api_version() == api_version)
    }

    /// This object as a results `resourceRef`.
    pub fn resource_ref(&self) -> ResourceRef {
        ResourceRef {
            api_version: self.api_version().to_owned(),
            kind: self.kind().to_owned(),
            name: self.name().to_owned(),
            namespace: self.namespace().to_owned(),
        }
    }

    /// The file this object came from, from the orchestrator's path/index annotations.
    pub fn file_ref(&self) -> Option<FileRef> {
        let path = PATH_ANNOTATIONS.iter().find_map(|k| self.annotation(k))?;
        let index = INDEX_ANNOTATIONS
            .iter()
            .find_map(|k| self.annotation(k))
            .and_then(|i| i.parse().ok());
        Some(FileRef {
            path: path.to_owned(),
            index,
        })
    }
}

impl fmt::Display for KubeObject {
    /// `Kind/name` or `Kind/namespace/name`, for messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.resource_ref().fmt(f)
    }
}
