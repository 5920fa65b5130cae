//! set-labels, after kpt's catalog function (functions/go/set-labels, `setlabels/transformer.go`
//! of the SDK-based v0.2 line): the labels go on `metadata.labels` of every resource that is not
//! local configuration, and on the selectors and templates of the built-in kinds that have them.
//!
//! Keys are applied in sorted order; a selector that kpt only updates (`create` false below) gets
//! the labels it already has set to the new values and no new keys.

use krm_fn::fieldspec::{is_gvk, is_local_config, string_map};
use krm_fn::mapping;
use krm_fn::{Error, KubeObject, Mapping, ResourceList, Value};

type Labels = [(String, String)];

const FN_GROUP: &str = "fn.kpt.dev";
const FN_VERSION: &str = "v1alpha1";
const FN_KIND: &str = "SetLabels";

/// The labels the functionConfig asks for, sorted by key.
fn labels_from_config(rl: &ResourceList) -> Result<Vec<(String, String)>, Error> {
    let config = match rl.function_config_opt() {
        Some(config) if !config.as_mapping().is_empty() => config,
        _ => {
            return Err(Error::new(
                "functionConfig is missing; want a ConfigMap whose data holds the labels, or a \
                 SetLabels (fn.kpt.dev/v1alpha1) with `labels`",
            )
            .field("functionConfig"))
        }
    };
    let (field, value) = if is_gvk(config, "", "v1", "ConfigMap") {
        ("data", config.get(&["data"]))
    } else if is_gvk(config, FN_GROUP, FN_VERSION, FN_KIND) {
        ("labels", config.get(&["labels"]))
    } else {
        // kpt's words (fn SDK, runnerProcessor.config).
        return Err(Error::new(format!(
            "unknown FunctionConfig `{}`, expect {FN_KIND} or `ConfigMap`",
            config.kind()
        ))
        .resource(config)
        .field("functionConfig"));
    };
    string_map(value, field).map_err(|problem| {
        Error::new(format!("functionConfig {config}: {problem}"))
            .resource(config)
            .field(field)
    })
}

/// The value of `key` under the mappings `path` of `map`: `Ok(None)` when a step is missing.
fn nested_string(map: &Mapping, path: &[&str], key: &str) -> Result<Option<String>, String> {
    let mut here = map;
    for (depth, step) in path.iter().enumerate() {
        match mapping::get(here, step) {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::Mapping(child)) => here = child,
            Some(other) => {
                return Err(format!(
                    "field {} is a {}, want a mapping",
                    path[..=depth].join("."),
                    mapping::type_name(other)
                ))
            }
        }
    }
    match mapping::get(here, key) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => krm_fn::fieldspec::scalar_text(value).map(Some).ok_or_else(|| {
            format!(
                "field {}.{key} is a {}, want a string",
                path.join("."),
                mapping::type_name(value)
            )
        }),
    }
}

/// Set `key` under `path`, creating the mappings on the way (checked by `nested_string` first).
fn set_nested(map: &mut Mapping, path: &[&str], key: &str, value: &str) {
    let mut here = map;
    for step in path {
        if mapping::get(here, step).map_or(true, Value::is_null) {
            mapping::set(here, step, Value::Mapping(Mapping::new()));
        }
        here = mapping::get_mut(here, step)
            .and_then(Value::as_mapping_mut)
            .expect("a mapping: checked or just made");
    }
    mapping::set(here, key, Value::String(value.to_owned()));
}

/// The mapping under `key`, when there is one.
fn child<'a>(map: &'a mut Mapping, key: &str) -> Option<&'a mut Mapping> {
    mapping::get_mut(map, key).and_then(Value::as_mapping_mut)
}

/// The mappings of the list under `key` (other elements are skipped, as kpt's SDK does).
fn children<'a>(map: &'a mut Mapping, key: &str) -> Vec<&'a mut Mapping> {
    match mapping::get_mut(map, key) {
        Some(Value::Sequence(items)) => items.iter_mut().filter_map(Value::as_mapping_mut).collect(),
        _ => Vec::new(),
    }
}

struct Setter<'l> {
    labels: &'l Labels,
    /// How many label keys were looked at, for kpt's "set N labels in total".
    count: usize,
}

impl Setter<'_> {
    /// Set every label under `path` of `map`: an existing key is updated, a missing one added
    /// only with `create` (kpt's `updateLabels`).
    fn update(&mut self, map: Option<&mut Mapping>, path: &[&str], create: bool) -> Result<(), String> {
        let map = match map {
            Some(map) => map,
            None => return Ok(()),
        };
        for (key, value) in self.labels {
            let old = nested_string(map, path, key)?;
            let changed = match &old {
                Some(old) => old != value,
                None => create,
            };
            if changed {
                set_nested(map, path, key, value);
            }
            self.count += 1;
        }
        Ok(())
    }

    fn meta(&mut self, map: Option<&mut Mapping>) -> Result<(), String> {
        self.update(map, &["metadata", "labels"], true)
    }

    fn pod_template(&mut self, template: Option<&mut Mapping>) -> Result<(), String> {
        let template = match template {
            Some(template) => template,
            None => return Ok(()),
        };
        self.meta(Some(template))?;
        let spec = match child(template, "spec") {
            Some(spec) => spec,
            None => return Ok(()),
        };
        for constraint in children(spec, "topologySpreadConstraints") {
            self.update(Some(constraint), &["labelSelector", "matchLabels"], false)?;
        }
        // kpt looks for the affinity terms directly under `affinity` (not under podAffinity /
        // podAntiAffinity), once for each of the two that is present; done the same way here.
        if let Some(affinity) = child(spec, "affinity") {
            for kind in ["podAffinity", "podAntiAffinity"] {
                if child(affinity, kind).is_none() {
                    continue;
                }
                for term in children(affinity, "preferredDuringSchedulingIgnoredDuringExecution") {
                    let term = child(term, "podAffinityTerm");
                    self.update(term, &["labelSelector", "matchLabels"], false)?;
                }
                for term in children(affinity, "requiredDuringSchedulingIgnoredDuringExecution") {
                    self.update(Some(term), &["labelSelector", "matchLabels"], false)?;
                }
            }
        }
        Ok(())
    }

    /// Every place of `object` kpt's set-labels writes, in kpt's order.
    fn object(&mut self, object: &mut KubeObject) -> Result<(), String> {
        let is = |g: &str, v: &str, k: &str| is_gvk(object, g, v, k);
        let spec_selector = is("", "v1", "Service") || is("", "v1", "ReplicationController");
        let label_selector = if is("", "", "Deployment")
            || is("", "", "ReplicaSet")
            || is("", "", "DaemonSet")
            || is("apps", "", "StatefulSet")
        {
            Some(true)
        } else if is("batch", "", "Job") || is("policy", "", "PodDisruptionBudget") {
            Some(false)
        } else {
            None
        };
        let network_policy = is("networking.k8s.io", "", "NetworkPolicy");
        let pod_spec = is("", "v1", "ReplicationController")
            || is("", "", "Deployment")
            || is("", "", "ReplicaSet")
            || is("", "", "DaemonSet")
            || is("apps", "", "StatefulSet")
            || is("batch", "", "Job");
        let cron_job = is("batch", "", "CronJob");
        let stateful_set = is("apps", "", "StatefulSet");

        let root = object.as_mapping_mut();
        self.meta(Some(root))?;
        if spec_selector {
            self.update(Some(root), &["spec", "selector"], true)?;
        }
        if let Some(create) = label_selector {
            self.update(Some(root), &["spec", "selector", "matchLabels"], create)?;
        }
        if network_policy {
            self.update(Some(root), &["spec", "podSelector", "matchLabels"], false)?;
        }
        let spec = match child(root, "spec") {
            Some(spec) => spec,
            None => return Ok(()),
        };
        // kpt drops an error from the pod template and stops with this object (`return nil`).
        if pod_spec && self.pod_template(child(spec, "template")).is_err() {
            return Ok(());
        }
        if cron_job {
            if let Some(job) = child(spec, "jobTemplate") {
                self.meta(Some(job))?;
                if let Some(job_spec) = child(job, "spec") {
                    self.update(Some(job_spec), &["selector", "matchLabels"], false)?;
                    self.pod_template(child(job_spec, "template"))?;
                }
            }
        }
        if stateful_set {
            match mapping::get(spec, "volumeClaimTemplates") {
                None | Some(Value::Null) | Some(Value::Sequence(_)) => {}
                Some(other) => {
                    return Err(format!(
                        "field spec.volumeClaimTemplates is a {}, want a list",
                        mapping::type_name(other)
                    ))
                }
            }
            for claim in children(spec, "volumeClaimTemplates") {
                self.meta(Some(claim))?;
                self.update(Some(claim), &["selector", "matchLabels"], false)?;
            }
        }
        if network_policy {
            for (rules, peers) in [("ingress", "from"), ("egress", "to")] {
                for rule in children(spec, rules) {
                    for peer in children(rule, peers) {
                        self.update(Some(peer), &["podSelector", "matchLabels"], false)?;
                    }
                }
            }
        }
        Ok(())
    }
}

fn set_labels(rl: &mut ResourceList) -> Result<(), Error> {
    let labels = labels_from_config(rl)?;
    if !rl.items.iter().any(|item| !is_local_config(item)) {
        rl.results.info("no input resources");
        return Ok(());
    }
    if labels.is_empty() {
        rl.results
            .warning("no `labels` arguments are given in FunctionConfig");
        return Ok(());
    }
    let mut setter = Setter {
        labels: &labels,
        count: 0,
    };
    let mut failed = Vec::new();
    for item in rl.items.iter_mut().filter(|item| !is_local_config(item)) {
        if let Err(problem) = setter.object(item) {
            failed.push((problem, item.clone()));
        }
    }
    let count = setter.count;
    for (problem, item) in failed {
        rl.results.error(problem).with_resource(&item);
    }
    rl.results.info(format!("set {count} labels in total"));
    Ok(())
}

fn main() {
    krm_fn::as_main(set_labels);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden() {
        krm_fn::testing::check_golden(env!("CARGO_MANIFEST_DIR"), set_labels);
    }
}
