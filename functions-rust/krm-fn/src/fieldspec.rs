//! What kpt's catalog functions share with kustomize: field specs (`group`/`version`/`kind`
//! selecting resources, a `/`-separated `path` where `name[]` walks a list, `create`), the
//! apiVersion's group and version, local-config resources and the string maps of a functionConfig.

use serde_yaml::{Mapping, Value};

use crate::object::KubeObject;
use crate::yaml;

/// The annotation that marks a resource as the package's own configuration, not to be applied.
pub const LOCAL_CONFIG_ANNOTATION: &str = "config.kubernetes.io/local-config";

/// `apiVersion` split as Kubernetes does: `apps/v1` is group `apps`, version `v1`; `v1` is the
/// core group `""`.
pub fn group_version(api_version: &str) -> (&str, &str) {
    match api_version.split_once('/') {
        Some((group, version)) => (group, version),
        None => ("", api_version),
    }
}

/// True when `object` is local configuration: the annotation is set to anything but `false`
/// (kpt's Go SDK, `fn.IsLocalConfig`).
pub fn is_local_config(object: &KubeObject) -> bool {
    !matches!(
        object.annotation(LOCAL_CONFIG_ANNOTATION),
        None | Some("") | Some("false")
    )
}

/// True for kpt's meta resources, which describe the package rather than belong to it: the
/// Kptfile and local-config resources (function configs, the package context). kpt gives them
/// to functions; its catalog functions leave them alone.
pub fn is_meta_resource(object: &KubeObject) -> bool {
    is_gvk(object, "kpt.dev", "", "Kptfile") || is_local_config(object)
}

/// True when `object` matches `group`/`version`/`kind`, an empty one matching anything (kpt's Go
/// SDK `KubeObject.IsGVK` and kustomize's `Gvk.IsSelected` both work this way).
pub fn is_gvk(object: &KubeObject, group: &str, version: &str, kind: &str) -> bool {
    let (g, v) = group_version(object.api_version());
    (kind.is_empty() || object.kind() == kind)
        && (group.is_empty() || g == group)
        && (version.is_empty() || v == version)
}

/// A scalar as the text kyaml would give for it (`1` → "1", `true` → "true", null → "").
pub fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Null => Some(String::new()),
        _ => None,
    }
}

/// A mapping of scalars (a ConfigMap's `data`, a `labels:` field) as `(key, value)` pairs sorted
/// by key, as kpt's functions apply them. Missing or null: empty. `field` names it in errors.
pub fn string_map(value: Option<&Value>, field: &str) -> Result<Vec<(String, String)>, String> {
    let map = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Mapping(map)) => map,
        Some(other) => {
            return Err(format!(
                "field {field} is a {}, want a mapping of strings",
                yaml::type_name(other)
            ))
        }
    };
    let mut pairs = Vec::with_capacity(map.len());
    for (key, value) in map {
        let key = scalar_text(key)
            .ok_or_else(|| format!("field {field} has a key that is not a string"))?;
        let text = scalar_text(value).ok_or_else(|| {
            format!(
                "field {field}.{key} is a {}, want a string",
                yaml::type_name(value)
            )
        })?;
        pairs.push((key, text));
    }
    pairs.sort();
    Ok(pairs)
}

/// One kustomize field spec.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSpec {
    pub group: String,
    pub version: String,
    pub kind: String,
    /// `/`-separated; `containers[]` walks every element of the list `containers`.
    pub path: String,
    /// Create the missing mappings on the way (and the last field, as null) instead of skipping.
    pub create: bool,
}

impl FieldSpec {
    /// A spec for every resource.
    pub fn any(path: &str, create: bool) -> Self {
        FieldSpec {
            path: path.to_owned(),
            create,
            ..FieldSpec::default()
        }
    }

    /// A spec for resources of `kind` (and `group`/`version` when not empty).
    pub fn of(group: &str, version: &str, kind: &str, path: &str, create: bool) -> Self {
        FieldSpec {
            group: group.to_owned(),
            version: version.to_owned(),
            kind: kind.to_owned(),
            path: path.to_owned(),
            create,
        }
    }

    /// A list of field specs from a functionConfig field (`additionalLabelFields` and the like);
    /// `field` names it in errors.
    pub fn list_from(value: Option<&Value>, field: &str) -> Result<Vec<FieldSpec>, String> {
        let seq = match value {
            None | Some(Value::Null) => return Ok(Vec::new()),
            Some(Value::Sequence(seq)) => seq,
            Some(other) => {
                return Err(format!(
                    "field {field} is a {}, want a list of field specs",
                    yaml::type_name(other)
                ))
            }
        };
        let mut specs = Vec::with_capacity(seq.len());
        for (index, entry) in seq.iter().enumerate() {
            let at = format!("{field}[{index}]");
            let map = entry
                .as_mapping()
                .ok_or_else(|| format!("field {at} is not a mapping"))?;
            let text = |name: &str| -> Result<String, String> {
                match yaml::get(map, name) {
                    None | Some(Value::Null) => Ok(String::new()),
                    Some(Value::String(s)) => Ok(s.clone()),
                    Some(_) => Err(format!("field {at}.{name} is not a string")),
                }
            };
            let create = match yaml::get(map, "create") {
                None | Some(Value::Null) => false,
                Some(Value::Bool(b)) => *b,
                Some(_) => return Err(format!("field {at}.create is not a boolean")),
            };
            let spec = FieldSpec {
                group: text("group")?,
                version: text("version")?,
                kind: text("kind")?,
                path: text("path")?,
                create,
            };
            if spec.path.is_empty() {
                return Err(format!("field {at}.path is missing"));
            }
            specs.push(spec);
        }
        Ok(specs)
    }

    /// True when the spec applies to `object`.
    pub fn selects(&self, object: &KubeObject) -> bool {
        is_gvk(object, &self.group, &self.version, &self.kind)
    }

    /// Call `visit` with every value the path reaches in `root` (several through `name[]`
    /// steps). With `create`, missing mappings on the way are made and a missing last field is
    /// added as null for `visit` to fill; without, a missing step ends that branch quietly.
    /// A step through something that is not a mapping (or `name[]` not a list) is an error.
    pub fn visit<F>(&self, root: &mut Mapping, visit: &mut F) -> Result<(), String>
    where
        F: FnMut(&mut Value, &str) -> Result<(), String>,
    {
        let steps: Vec<&str> = self.path.split('/').filter(|s| !s.is_empty()).collect();
        walk(root, &steps, self.create, &mut String::new(), visit)
    }
}

fn walk<F>(
    map: &mut Mapping,
    steps: &[&str],
    create: bool,
    at: &mut String,
    visit: &mut F,
) -> Result<(), String>
where
    F: FnMut(&mut Value, &str) -> Result<(), String>,
{
    let (step, rest) = match steps.split_first() {
        Some(split) => split,
        None => return Ok(()),
    };
    let (name, is_list) = match step.strip_suffix("[]") {
        Some(name) => (name, true),
        None => (*step, false),
    };
    let start = at.len();
    if !at.is_empty() {
        at.push('.');
    }
    at.push_str(name);
    let missing = yaml::get(map, name).map_or(true, Value::is_null);
    if missing {
        // kustomize never creates lists; it creates mappings, and the last field, when asked.
        if !create || is_list {
            at.truncate(start);
            return Ok(());
        }
        let fresh = if rest.is_empty() {
            Value::Null
        } else {
            Value::Mapping(Mapping::new())
        };
        yaml::set(map, name, fresh);
    }
    let value = yaml::get_mut(map, name).expect("present or just set");
    let outcome = if is_list {
        match value {
            Value::Sequence(items) => {
                let mut outcome = Ok(());
                for item in items.iter_mut() {
                    outcome = if rest.is_empty() {
                        visit(item, at)
                    } else {
                        match item {
                            Value::Mapping(child) => walk(child, rest, create, at, visit),
                            _ => Ok(()),
                        }
                    };
                    if outcome.is_err() {
                        break;
                    }
                }
                outcome
            }
            other => Err(format!(
                "field {at} is a {}, want a list",
                yaml::type_name(other)
            )),
        }
    } else if rest.is_empty() {
        visit(value, at)
    } else {
        match value {
            Value::Mapping(child) => walk(child, rest, create, at, visit),
            other => Err(format!(
                "field {at} is a {}, want a mapping",
                yaml::type_name(other)
            )),
        }
    };
    at.truncate(start);
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(yaml_text: &str) -> KubeObject {
        KubeObject::from_value(serde_yaml::from_str(yaml_text).unwrap()).unwrap()
    }

    #[test]
    fn gvk_matching_treats_empty_as_any() {
        let deploy = object("apiVersion: apps/v1\nkind: Deployment\n");
        assert!(is_gvk(&deploy, "", "", "Deployment"));
        assert!(is_gvk(&deploy, "apps", "v1", "Deployment"));
        assert!(!is_gvk(&deploy, "batch", "", "Deployment"));
        assert!(!is_gvk(&deploy, "", "v2", ""));
        assert_eq!(group_version("v1"), ("", "v1"));
    }

    #[test]
    fn visit_walks_lists_and_creates_only_mappings() {
        let mut pod = object(
            "spec:\n  containers:\n  - image: a\n  - name: b\n  - image: c\n",
        );
        let mut seen = Vec::new();
        FieldSpec::any("spec/containers[]/image", true)
            .visit(pod.as_mapping_mut(), &mut |v, at| {
                seen.push((at.to_owned(), v.as_str().unwrap_or("").to_owned()));
                Ok(())
            })
            .unwrap();
        // The element without an image got one (null) because create is set.
        assert_eq!(seen.len(), 3);
        assert_eq!(seen[0], ("spec.containers.image".to_owned(), "a".to_owned()));

        let mut empty = object("kind: Pod\n");
        let mut calls = 0;
        FieldSpec::any("spec/initContainers[]/image", true)
            .visit(empty.as_mapping_mut(), &mut |_, _| {
                calls += 1;
                Ok(())
            })
            .unwrap();
        assert_eq!(calls, 0);
        assert!(empty.get(&["spec"]).is_some(), "mappings on the way are created");

        let mut bad = object("spec: 3\n");
        let err = FieldSpec::any("spec/x", false)
            .visit(bad.as_mapping_mut(), &mut |_, _| Ok(()))
            .unwrap_err();
        assert_eq!(err, "field spec is a number, want a mapping");
    }

    #[test]
    fn string_maps_are_sorted_and_typed() {
        let value: Value = serde_yaml::from_str("b: 1\na: x\nc: true\n").unwrap();
        let pairs = string_map(Some(&value), "data").unwrap();
        assert_eq!(pairs[0], ("a".to_owned(), "x".to_owned()));
        assert_eq!(pairs[1], ("b".to_owned(), "1".to_owned()));
        let nested: Value = serde_yaml::from_str("a: {b: c}\n").unwrap();
        assert_eq!(
            string_map(Some(&nested), "data").unwrap_err(),
            "field data.a is a mapping, want a string"
        );
    }
}
