//! set-namespace: replaces the namespace of a package's resources, with the semantics of kpt's
//! catalog function `gcr.io/kpt-fn/set-namespace:v0.4.1` (its `transformer/namespace.go`).
//! tests/conformance runs this build against kpt's own.
//!
//! The namespace fields, each counted when its value differs from the new namespace:
//! `metadata.namespace` of namespace-scoped resources (built-in kinds by kpt's table, other kinds
//! when they have one), `metadata.name` of a v1 `Namespace`, the service namespace of a v1 CRD's
//! conversion webhook and of a v1 `APIService` (set even when absent, as kpt v0.4.1 does), and
//! the `namespace` of RoleBinding/ClusterRoleBinding subjects that have one. Then
//! `config.kubernetes.io/depends-on` annotations naming a visited resource in an old namespace.
//! Local-config resources are left alone.

mod scopes;

use std::collections::{BTreeSet, HashSet};

use krm_fn::fieldspec::is_local_config;
use krm_fn::{Error, KubeObject, ResourceList, Value};

const DEPENDS_ON: &str = "config.kubernetes.io/depends-on";
const CRD_SERVICE: &[&str] = &[
    "spec",
    "conversion",
    "webhook",
    "clientConfig",
    "service",
    "namespace",
];
const API_SERVICE: &[&str] = &["spec", "service", "namespace"];
const NAMESPACE: &[&str] = &["metadata", "namespace"];
const NAME: &[&str] = &["metadata", "name"];

fn namespace_key() -> Value {
    Value::String("namespace".to_owned())
}

/// Where a namespace value lives in an object.
enum Field {
    Path(&'static [&'static str]),
    Subject(usize),
}

/// The new namespace from the functionConfig: a v1 ConfigMap's `data.namespace` (the package
/// context `kptfile.kpt.dev`: `data.name`) or a `fn.kpt.dev/v1alpha1` SetNamespace's `namespace`.
fn config_namespace(rl: &ResourceList) -> Result<String, Error> {
    let config = match rl.function_config_opt() {
        Some(config) if !config.as_mapping().is_empty() => config,
        _ => return Err(Error::new(
            "functionConfig is missing: want a ConfigMap with data.namespace, or a SetNamespace",
        )
        .field("functionConfig")),
    };
    let read = |path: &[&str]| -> Result<String, Error> {
        let field = path.join(".");
        let label = format!("functionConfig {}/{}", config.kind(), config.name());
        match config.get(path) {
            Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
            None | Some(Value::Null) | Some(Value::String(_)) => Err(Error::new(format!(
                "{label}: field {field} is missing or empty"
            ))),
            Some(_) => Err(Error::new(format!(
                "{label}: field {field} is not a string"
            ))),
        }
        .map_err(|error| error.resource(config).field(field.clone()))
    };
    match (config.api_version(), config.kind()) {
        ("v1", "ConfigMap") => {
            let namespace = config.get_str(&["data", "namespace"]).unwrap_or("");
            if namespace.is_empty() && config.name() == "kptfile.kpt.dev" {
                read(&["data", "name"]) // the package context (kpt pkg get --for-deployment)
            } else {
                read(&["data", "namespace"])
            }
        }
        ("fn.kpt.dev/v1alpha1", "SetNamespace") => read(&["namespace"]),
        (api_version, kind) => Err(Error::new(format!(
            "functionConfig {api_version} {kind}/{} is not supported: want a v1 ConfigMap or a \
             fn.kpt.dev/v1alpha1 SetNamespace",
            config.name()
        ))
        .resource(config)
        .field("kind")),
    }
}

/// kpt's `IsNamespaceScoped`: its table for built-in kinds, else "has metadata.namespace".
fn is_namespace_scoped(object: &KubeObject) -> bool {
    let (api_version, kind) = (object.api_version(), object.kind());
    match scopes::BUILT_IN_SCOPES
        .iter()
        .find(|(a, k, _)| *a == api_version && *k == kind)
    {
        Some((_, _, scoped)) => *scoped,
        None => !matches!(object.get(NAMESPACE), None | Some(Value::Null)),
    }
}

fn is_binding(object: &KubeObject) -> bool {
    matches!(object.kind(), "RoleBinding" | "ClusterRoleBinding")
}

/// The namespace fields of `object`, in kpt's order.
fn fields(object: &KubeObject) -> Vec<Field> {
    let mut found = Vec::new();
    if is_local_config(object) {
        return found;
    }
    match (object.api_version(), object.kind()) {
        ("v1", "Namespace") => found.push(Field::Path(NAME)),
        ("apiextensions.k8s.io/v1", "CustomResourceDefinition") => {
            found.push(Field::Path(CRD_SERVICE))
        }
        ("apiregistration.k8s.io/v1", "APIService") => found.push(Field::Path(API_SERVICE)),
        _ if is_binding(object) => {
            if let Some(Value::Sequence(subjects)) = object.get(&["subjects"]) {
                for (index, subject) in subjects.iter().enumerate() {
                    let namespace = subject.as_mapping().and_then(|s| s.get(&namespace_key()));
                    if !matches!(namespace, None | Some(Value::Null)) {
                        found.push(Field::Subject(index));
                    }
                }
            }
        }
        _ => {}
    }
    if is_namespace_scoped(object) {
        found.push(Field::Path(NAMESPACE));
    }
    found
}

fn describe(field: &Field) -> String {
    match field {
        Field::Path(path) => path.join("."),
        Field::Subject(index) => format!("subjects[{index}].namespace"),
    }
}

/// The value at `field` ("" when absent), or an error when it is not a string.
fn read(object: &KubeObject, field: &Field) -> Result<String, Error> {
    let value = match field {
        Field::Path(path) => object.get(path),
        Field::Subject(index) => object
            .get(&["subjects"])
            .and_then(|s| s.as_sequence())
            .and_then(|s| s.get(*index))
            .and_then(|s| s.as_mapping())
            .and_then(|s| s.get(&namespace_key())),
    };
    match value {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(Error::new(format!(
            "{object}: field {} is not a string",
            describe(field)
        ))
        .resource(object)
        .field(describe(field))),
    }
}

fn write(object: &mut KubeObject, field: &Field, value: &str) -> Result<(), Error> {
    match field {
        Field::Path(path) => object.set_str(path, value),
        Field::Subject(index) => {
            let subject = object
                .get_mut(&["subjects"])
                .and_then(Value::as_sequence_mut)
                .and_then(|s| s.get_mut(*index))
                .and_then(Value::as_mapping_mut)
                .expect("fields() found this subject");
            subject.insert(namespace_key(), Value::String(value.to_owned()));
            Ok(())
        }
    }
}

/// kpt's key of a visited resource: "<apiVersion up to the first '/'>/<kind>/<name>", so a
/// core-group depends-on reference ("/namespaces/...") never matches one (its key is "v1/...").
fn visited_key(object: &KubeObject) -> String {
    let api_version = object.api_version();
    let group = api_version.split('/').next().unwrap_or("");
    format!("{group}/{}/{}", object.kind(), object.name())
}

/// The segments of a single namespaced dependency `<group>/namespaces/<ns>/<kind>/<name>`
/// (kpt's pattern: each segment of `[-._A-Za-z0-9]`), or None.
fn namespaced_dependency(annotation: &str) -> Option<Vec<&str>> {
    let segments: Vec<&str> = annotation.split('/').collect();
    let word = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_')
    };
    if segments.len() == 5 && segments[1] == "namespaces" && segments.iter().all(|s| word(s)) {
        Some(segments)
    } else {
        None
    }
}

fn set_namespace(rl: &mut ResourceList) -> Result<(), Error> {
    let namespace = config_namespace(rl)?;
    let mut old: BTreeSet<String> = BTreeSet::new();
    let mut count = 0;
    let mut visited = HashSet::new();
    for object in &mut rl.items {
        let found = fields(object);
        for field in &found {
            let value = read(object, field)?;
            if value != namespace {
                old.insert(value);
                count += 1;
            }
            write(object, field, &namespace)?;
        }
        if is_binding(object) && !is_local_config(object) {
            // kpt writes the list back, so a binding without subjects gets `subjects: []`.
            if let None | Some(Value::Null) = object.get(&["subjects"]) {
                object.set(&["subjects"], Value::Sequence(Vec::new()))?;
            }
        }
        if !found.is_empty() {
            visited.insert(visited_key(object));
        }
    }
    for object in &mut rl.items {
        if fields(object).is_empty() {
            continue;
        }
        let updated = match object
            .annotation(DEPENDS_ON)
            .and_then(namespaced_dependency)
        {
            Some(s)
                if old.contains(s[2])
                    && visited.contains(&format!("{}/{}/{}", s[0], s[3], s[4])) =>
            {
                Some(format!("{}/namespaces/{namespace}/{}/{}", s[0], s[3], s[4]))
            }
            _ => None,
        };
        if let Some(annotation) = updated {
            object.set_annotation(DEPENDS_ON, &annotation)?;
        }
    }
    if let Some(duplicate) = first_duplicate(&rl.items) {
        rl.results
            .error(format!(
                "more than one {duplicate} after setting the namespace"
            ))
            .with_resource(duplicate);
        return Ok(());
    }
    let message = if count == 0 {
        format!("all namespaces are already {namespace:?}. no value changed")
    } else {
        let names: Vec<String> = old.iter().map(|ns| format!("{ns:?}")).collect();
        format!(
            "namespace {} updated to {namespace:?}, {count} value(s) changed",
            names.join(",")
        )
    };
    rl.results.info(message);
    Ok(())
}

/// The first object whose apiVersion, kind, namespace and name another object already has.
fn first_duplicate(items: &[KubeObject]) -> Option<&KubeObject> {
    let mut seen = HashSet::new();
    items.iter().find(|o| {
        !seen.insert((
            o.api_version().to_owned(),
            o.kind().to_owned(),
            o.namespace().to_owned(),
            o.name().to_owned(),
        ))
    })
}

fn main() {
    krm_fn::as_main(set_namespace);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden() {
        krm_fn::testing::check_golden(env!("CARGO_MANIFEST_DIR"), set_namespace);
    }

    #[test]
    fn only_single_namespaced_dependencies_match() {
        assert!(namespaced_dependency("apps/namespaces/old/Deployment/web").is_some());
        assert!(namespaced_dependency("/namespaces/old/ConfigMap/settings").is_some());
        for other in [
            "rbac.authorization.k8s.io/ClusterRole/reader",
            "apps/namespaces/old/Deployment/web,batch/namespaces/old/Job/seed",
            "apps/namespaces/old/Deployment/we b",
        ] {
            assert!(namespaced_dependency(other).is_none(), "{other:?} matched");
        }
    }
}
