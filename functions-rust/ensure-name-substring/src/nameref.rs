//! Following renames into the fields that name other resources, after the `namereference` field
//! specs of kustomize (api/konfig/builtinpluginconsts/namereference.go) that kpt's
//! ensure-name-substring applies (its `nameref.FixNameBackReference`).
//!
//! A reference follows a rename when it names the old name and the referrer can see the target:
//! the same namespace for a namespaced target (`""` and `default` are one), any for a
//! cluster-scoped one. Where the reference carries its own `namespace` (RBAC subjects, APIService
//! and webhook services) that namespace is compared instead; where it carries a `kind` (roleRef,
//! scaleTargetRef, subjects) the kind must be the target's. Not followed: `rules/resourceNames`
//! of Roles, Node config sources and the Ingress annotations kustomize also lists.

use krm_fn::fieldspec::{group_version, FieldSpec};
use krm_fn::mapping;
use krm_fn::{KubeObject, Mapping, Value};

/// A resource whose name changed.
pub struct Rename {
    pub group: String,
    pub kind: String,
    pub namespace: String,
    pub old: String,
    pub new: String,
}

/// Where a pod spec lives in each kind that has one.
const POD_SPECS: [(&str, &str); 9] = [
    ("Pod", "spec"),
    ("PodTemplate", "template/spec"),
    ("Deployment", "spec/template/spec"),
    ("ReplicaSet", "spec/template/spec"),
    ("DaemonSet", "spec/template/spec"),
    ("StatefulSet", "spec/template/spec"),
    ("Job", "spec/template/spec"),
    ("ReplicationController", "spec/template/spec"),
    ("CronJob", "spec/jobTemplate/spec/template/spec"),
];

/// One kind of target: its group (None: any), kind, scope, and the references to it, each as
/// (referrer kind, or "" for every kind with a pod spec; path of the mapping; name key).
struct Target {
    group: Option<&'static str>,
    kind: &'static str,
    namespaced: bool,
    in_pod_spec: &'static [(&'static str, &'static str)],
    /// Kinds with a pod spec whose references to this target kustomize does not list.
    not_in: &'static [&'static str],
    elsewhere: &'static [(&'static str, &'static str, &'static str)],
}

const SCALE_TARGET: &[(&str, &str, &str)] =
    &[("HorizontalPodAutoscaler", "spec/scaleTargetRef", "name")];

const TARGETS: &[Target] = &[
    Target {
        group: Some(""),
        kind: "ConfigMap",
        namespaced: true,
        in_pod_spec: &[
            ("volumes[]/configMap", "name"),
            ("volumes[]/projected/sources[]/configMap", "name"),
            ("containers[]/env[]/valueFrom/configMapKeyRef", "name"),
            ("initContainers[]/env[]/valueFrom/configMapKeyRef", "name"),
            ("containers[]/envFrom[]/configMapRef", "name"),
            ("initContainers[]/envFrom[]/configMapRef", "name"),
        ],
        not_in: &["ReplicationController"],
        elsewhere: &[],
    },
    Target {
        group: Some(""),
        kind: "Secret",
        namespaced: true,
        in_pod_spec: &[
            ("volumes[]/secret", "secretName"),
            ("volumes[]/projected/sources[]/secret", "name"),
            ("containers[]/env[]/valueFrom/secretKeyRef", "name"),
            ("initContainers[]/env[]/valueFrom/secretKeyRef", "name"),
            ("containers[]/envFrom[]/secretRef", "name"),
            ("initContainers[]/envFrom[]/secretRef", "name"),
            ("imagePullSecrets[]", "name"),
        ],
        not_in: &["ReplicationController"],
        elsewhere: &[
            ("ServiceAccount", "imagePullSecrets[]", "name"),
            ("Ingress", "spec/tls[]", "secretName"),
            ("StorageClass", "parameters", "secretName"),
            ("StorageClass", "parameters", "adminSecretName"),
            ("StorageClass", "parameters", "userSecretName"),
            ("StorageClass", "parameters", "secretRef"),
            ("PersistentVolume", "spec/azureFile", "secretName"),
        ],
    },
    Target {
        group: Some(""),
        kind: "ServiceAccount",
        namespaced: true,
        in_pod_spec: &[("", "serviceAccountName")],
        not_in: &["ReplicaSet", "PodTemplate"],
        elsewhere: &[
            ("RoleBinding", "subjects[]", "name"),
            ("ClusterRoleBinding", "subjects[]", "name"),
        ],
    },
    Target {
        group: Some(""),
        kind: "PersistentVolumeClaim",
        namespaced: true,
        in_pod_spec: &[("volumes[]/persistentVolumeClaim", "claimName")],
        not_in: &["ReplicaSet", "PodTemplate"],
        elsewhere: &[],
    },
    Target {
        group: Some(""),
        kind: "Service",
        namespaced: true,
        in_pod_spec: &[],
        not_in: &[],
        elsewhere: &[
            ("StatefulSet", "spec", "serviceName"),
            ("Ingress", "spec/rules[]/http/paths[]/backend", "serviceName"),
            ("Ingress", "spec/rules[]/http/paths[]/backend/service", "name"),
            ("Ingress", "spec/backend", "serviceName"),
            ("Ingress", "spec/defaultBackend/service", "name"),
            ("APIService", "spec/service", "name"),
            ("ValidatingWebhookConfiguration", "webhooks[]/clientConfig/service", "name"),
            ("MutatingWebhookConfiguration", "webhooks[]/clientConfig/service", "name"),
        ],
    },
    Target {
        group: None,
        kind: "Deployment",
        namespaced: true,
        in_pod_spec: &[],
        not_in: &[],
        elsewhere: SCALE_TARGET,
    },
    Target {
        group: None,
        kind: "ReplicaSet",
        namespaced: true,
        in_pod_spec: &[],
        not_in: &[],
        elsewhere: SCALE_TARGET,
    },
    Target {
        group: None,
        kind: "StatefulSet",
        namespaced: true,
        in_pod_spec: &[],
        not_in: &[],
        elsewhere: SCALE_TARGET,
    },
    Target {
        group: None,
        kind: "ReplicationController",
        namespaced: true,
        in_pod_spec: &[],
        not_in: &[],
        elsewhere: SCALE_TARGET,
    },
    Target {
        group: Some("rbac.authorization.k8s.io"),
        kind: "Role",
        namespaced: true,
        in_pod_spec: &[],
        not_in: &[],
        elsewhere: &[("RoleBinding", "roleRef", "name")],
    },
    Target {
        group: Some("rbac.authorization.k8s.io"),
        kind: "ClusterRole",
        namespaced: false,
        in_pod_spec: &[],
        not_in: &[],
        elsewhere: &[
            ("RoleBinding", "roleRef", "name"),
            ("ClusterRoleBinding", "roleRef", "name"),
        ],
    },
    Target {
        group: Some("scheduling.k8s.io"),
        kind: "PriorityClass",
        namespaced: false,
        in_pod_spec: &[("", "priorityClassName")],
        not_in: &["ReplicaSet", "PodTemplate"],
        elsewhere: &[],
    },
    Target {
        group: Some("storage.k8s.io"),
        kind: "StorageClass",
        namespaced: false,
        in_pod_spec: &[],
        not_in: &[],
        elsewhere: &[
            ("PersistentVolume", "spec", "storageClassName"),
            ("PersistentVolumeClaim", "spec", "storageClassName"),
            ("StatefulSet", "spec/volumeClaimTemplates[]/spec", "storageClassName"),
        ],
    },
    Target {
        group: Some(""),
        kind: "PersistentVolume",
        namespaced: false,
        in_pod_spec: &[],
        not_in: &[],
        elsewhere: &[("PersistentVolumeClaim", "spec", "volumeName")],
    },
];

fn target_of(object: &KubeObject) -> Option<&'static Target> {
    let (group, _) = group_version(object.api_version());
    TARGETS
        .iter()
        .find(|t| t.kind == object.kind() && t.group.map_or(true, |g| g == group))
}

/// The rename of `object`, when something can refer to its kind.
pub fn rename_of(object: &KubeObject, old: &str, new: &str) -> Option<Rename> {
    let target = target_of(object)?;
    Some(Rename {
        group: group_version(object.api_version()).0.to_owned(),
        kind: target.kind.to_owned(),
        namespace: object.namespace().to_owned(),
        old: old.to_owned(),
        new: new.to_owned(),
    })
}

/// Kinds whose objects have no namespace: a reference from one sees targets in any namespace
/// (kustomize's `SubsetThatCouldBeReferencedByResource`).
const CLUSTER_SCOPED: [&str; 9] = [
    "ClusterRole",
    "ClusterRoleBinding",
    "StorageClass",
    "PersistentVolume",
    "APIService",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "PriorityClass",
    "Node",
];

fn same_namespace(a: &str, b: &str) -> bool {
    let norm = |ns: &str| if ns.is_empty() { "default" } else { ns }.to_owned();
    norm(a) == norm(b)
}

/// Point the reference in `map[key]` at the new name of the rename it names, if any.
fn fix(map: &mut Mapping, key: &str, referrer_ns: Option<&str>, target: &Target, renames: &[&Rename]) {
    let name = match mapping::get(map, key) {
        Some(Value::String(name)) => name.clone(),
        _ => return,
    };
    if let Some(Value::String(kind)) = mapping::get(map, "kind") {
        if kind != target.kind {
            return;
        }
    }
    // None: a cluster-scoped referrer without a namespace of its own sees every namespace.
    let ns = match mapping::get(map, "namespace") {
        Some(Value::String(ns)) => Some(ns.clone()),
        _ => referrer_ns.map(str::to_owned),
    };
    let found = renames.iter().find(|r| {
        r.old == name
            && (!target.namespaced || ns.as_deref().map_or(true, |ns| same_namespace(&r.namespace, ns)))
    });
    if let Some(rename) = found {
        mapping::set(map, key, Value::String(rename.new.clone()));
    }
}

/// Visit every mapping at `path` of `root` (the root itself for "").
fn each_map(root: &mut Mapping, path: &str, apply: &mut dyn FnMut(&mut Mapping)) -> Result<(), String> {
    if path.is_empty() {
        apply(root);
        return Ok(());
    }
    FieldSpec::any(path, false).visit(root, &mut |value, _| {
        if let Value::Mapping(map) = value {
            apply(map);
        }
        Ok(())
    })
}

/// Fix every reference in `object` to a renamed resource.
pub fn fix_references(object: &mut KubeObject, renames: &[Rename]) -> Result<(), String> {
    let kind = object.kind().to_owned();
    let referrer_ns = if CLUSTER_SCOPED.contains(&kind.as_str()) {
        None
    } else {
        Some(object.namespace().to_owned())
    };
    let pod_spec = POD_SPECS.iter().find(|(k, _)| *k == kind).map(|(_, p)| *p);
    for target in TARGETS {
        let renames: Vec<&Rename> = renames
            .iter()
            .filter(|r| r.kind == target.kind && target.group.map_or(true, |g| g == r.group))
            .collect();
        if renames.is_empty() {
            continue;
        }
        let mut paths: Vec<(String, &str)> = Vec::new();
        if let Some(base) = pod_spec.filter(|_| !target.not_in.contains(&kind.as_str())) {
            for (path, key) in target.in_pod_spec {
                let full = if path.is_empty() {
                    base.to_owned()
                } else {
                    format!("{base}/{path}")
                };
                paths.push((full, key));
            }
        }
        for (referrer, path, key) in target.elsewhere {
            if *referrer == kind {
                paths.push(((*path).to_owned(), key));
            }
        }
        for (path, key) in paths {
            each_map(object.as_mapping_mut(), &path, &mut |map| {
                fix(map, key, referrer_ns.as_deref(), target, &renames)
            })?;
        }
    }
    Ok(())
}
