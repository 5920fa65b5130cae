//! set-annotations, after kpt's catalog function (functions/go/set-annotations v0.1.x, kustomize's
//! annotations filter with its `commonAnnotations` field specs): the annotations go on
//! `metadata.annotations` of every resource and on the pod templates of the built-in workloads,
//! plus the config's `additionalAnnotationFields`. Like kpt's (its kustomize resource factory
//! includes local configs), it annotates local-config resources and the Kptfile too.

use krm_fn::fieldspec::{string_map, FieldSpec};
use krm_fn::mapping;
use krm_fn::{Error, KubeObject, Mapping, ResourceList, Value};

const FN_API_VERSION: &str = "fn.kpt.dev/v1alpha1";
const FN_KIND: &str = "SetAnnotations";
const LEGACY_FN_KIND: &str = "SetAnnotationConfig";

/// kustomize's `commonAnnotations` field specs (api/konfig/builtinpluginconsts).
fn default_fields() -> Vec<FieldSpec> {
    let template = "spec/template/metadata/annotations";
    vec![
        FieldSpec::any("metadata/annotations", true),
        FieldSpec::of("", "v1", "ReplicationController", template, true),
        FieldSpec::of("", "", "Deployment", template, true),
        FieldSpec::of("", "", "ReplicaSet", template, true),
        FieldSpec::of("", "", "DaemonSet", template, true),
        FieldSpec::of("", "", "StatefulSet", template, true),
        FieldSpec::of("batch", "", "Job", template, true),
        FieldSpec::of("batch", "", "CronJob", "spec/jobTemplate/metadata/annotations", true),
        FieldSpec::of(
            "batch",
            "",
            "CronJob",
            "spec/jobTemplate/spec/template/metadata/annotations",
            true,
        ),
    ]
}

struct Config {
    annotations: Vec<(String, String)>,
    fields: Vec<FieldSpec>,
}

fn configure(rl: &ResourceList) -> Result<Config, Error> {
    // kpt prefixes every configuration error so.
    let fail = |message: String| Error::new(format!("failed to configure function: {message}"));
    let config = match rl.function_config_opt() {
        Some(config) if !config.as_mapping().is_empty() => config,
        _ => {
            return Err(fail(format!(
                "`functionConfig` must be a `ConfigMap` or `{FN_KIND}`"
            ))
            .field("functionConfig"))
        }
    };
    let bad = |problem: String| fail(format!("{problem}")).resource(config);
    let kind = config.kind();
    let (annotations, mut fields) = if config.api_version() == "v1" && kind == "ConfigMap" {
        let annotations = string_map(config.get(&["data"]), "data").map_err(bad)?;
        (annotations, Vec::new())
    } else if config.api_version() == FN_API_VERSION && (kind == FN_KIND || kind == LEGACY_FN_KIND)
    {
        let annotations =
            string_map(config.get(&["annotations"]), "annotations").map_err(bad)?;
        let additional = config.get(&["additionalAnnotationFields"]);
        let deprecated = config.get(&["fieldSpecs"]);
        if additional.map_or(false, |v| !v.is_null()) && deprecated.map_or(false, |v| !v.is_null())
        {
            return Err(bad(
                "`fieldSpecs` has been deprecated, please rename it to `additionalAnnotationFields`"
                    .to_owned(),
            )
            .field("fieldSpecs"));
        }
        let (field, value) = match additional {
            Some(value) if !value.is_null() => ("additionalAnnotationFields", Some(value)),
            _ => ("fieldSpecs", deprecated),
        };
        let fields = FieldSpec::list_from(value, field).map_err(bad)?;
        (annotations, fields)
    } else {
        return Err(fail(format!(
            "`functionConfig` must be a `ConfigMap` or `{FN_KIND}`"
        ))
        .resource(config)
        .field("functionConfig"));
    };
    if annotations.is_empty() {
        return Err(fail("input annotation list cannot be empty".to_owned()).resource(config));
    }
    fields.extend(default_fields());
    Ok(Config {
        annotations,
        fields,
    })
}

fn annotate(object: &mut KubeObject, config: &Config) -> Result<(), String> {
    let selected: Vec<&FieldSpec> = config.fields.iter().filter(|f| f.selects(object)).collect();
    for spec in selected {
        spec.visit(object.as_mapping_mut(), &mut |slot, at| {
            if slot.is_null() {
                *slot = Value::Mapping(Mapping::new());
            }
            let map = match slot {
                Value::Mapping(map) => map,
                other => {
                    return Err(format!(
                        "field {at} is a {}, want a mapping",
                        mapping::type_name(other)
                    ))
                }
            };
            for (key, value) in &config.annotations {
                mapping::set(map, key, Value::String(value.clone()));
            }
            Ok(())
        })?;
    }
    Ok(())
}

fn set_annotations(rl: &mut ResourceList) -> Result<(), Error> {
    let config = configure(rl)?;
    for item in &mut rl.items {
        // kustomize stops at the first resource it cannot change: so does this.
        annotate(item, &config).map_err(|problem| {
            Error::new(format!("failed to run function: {problem}")).resource(item)
        })?;
    }
    Ok(())
}

fn main() {
    krm_fn::as_main(set_annotations);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden() {
        krm_fn::testing::check_golden(env!("CARGO_MANIFEST_DIR"), set_annotations);
    }
}
