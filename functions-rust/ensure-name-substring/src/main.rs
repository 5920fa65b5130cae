//! ensure-name-substring, after kpt's catalog function (functions/go/ensure-name-substring v0.2.x):
//! prepends (default) or appends `substring` to `metadata.name` and to the config's extra name
//! fields, leaving names that already contain it alone, and skipping CustomResourceDefinitions,
//! APIServices and Namespaces. References to a renamed resource follow the new name (see
//! nameref.rs). Like kpt's (its kustomize resource factory includes local configs), local-config
//! resources and the Kptfile are renamed too.

use krm_fn::fieldspec::{group_version, is_gvk, scalar_text, string_map, FieldSpec};
use krm_fn::mapping;
use krm_fn::{Error, KubeObject, ResourceList, Value};

mod nameref;

const FN_API_VERSION: &str = "fn.kpt.dev/v1alpha1";
const FN_KIND: &str = "EnsureNameSubstring";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EditMode {
    Prepend,
    Append,
}

impl EditMode {
    fn parse(text: &str) -> Option<EditMode> {
        match text {
            "prepend" => Some(EditMode::Prepend),
            "append" => Some(EditMode::Append),
            _ => None,
        }
    }

    fn apply(self, substring: &str, value: &str) -> String {
        match self {
            EditMode::Prepend => format!("{substring}{value}"),
            EditMode::Append => format!("{value}{substring}"),
        }
    }
}

struct Config {
    substring: String,
    mode: EditMode,
    /// Name fields besides `metadata.name`.
    fields: Vec<FieldSpec>,
}

/// `group/version, Kind=kind`, as Go's `schema.GroupVersionKind.String` writes it.
fn gvk_string(api_version: &str, kind: &str) -> String {
    let (group, version) = group_version(api_version);
    format!("{group}/{version}, Kind={kind}")
}

fn configure(rl: &ResourceList) -> Result<Config, Error> {
    let load = |message: String| Error::new(format!("failed to load the `functionConfig`: {message}"));
    let empty = || {
        Error::new("failed validation: substring must not be empty").field("functionConfig")
    };
    let config = match rl.function_config_opt() {
        Some(config) if !config.as_mapping().is_empty() => config,
        // kpt's loads nothing, then finds the substring empty.
        _ => return Err(empty()),
    };
    let (api_version, kind) = (config.api_version(), config.kind());
    let parsed = if api_version == "v1" && kind == "ConfigMap" {
        let data = string_map(config.get(&["data"]), "data")
            .map_err(|p| load(p).resource(config).field("data"))?;
        if data.len() != 1 {
            return Err(load(format!(
                "only 1 entry is allowed in the ConfigMap, but got: {}",
                data.len()
            ))
            .resource(config)
            .field("data"));
        }
        let (key, substring) = data.into_iter().next().expect("one entry");
        let mode = EditMode::parse(&key).ok_or_else(|| {
            load(format!(
                "unknown editMode: {key}, only prepend and append are allowed"
            ))
            .resource(config)
            .field(format!("data.{key}"))
        })?;
        Config {
            substring,
            mode,
            fields: Vec::new(),
        }
    } else if api_version == FN_API_VERSION && kind == FN_KIND {
        let text = |name: &str| -> Result<String, Error> {
            match config.get(&[name]) {
                None => Ok(String::new()),
                Some(value) => scalar_text(value).ok_or_else(|| {
                    load(format!("field {name} is a {}, want a string", mapping::type_name(value)))
                        .resource(config)
                        .field(name)
                }),
            }
        };
        let substring = text("substring")?;
        let mode_text = text("editMode")?;
        // kpt's does nothing for an unknown editMode; an error says why nothing happens.
        let mode = if mode_text.is_empty() {
            EditMode::Prepend
        } else {
            EditMode::parse(&mode_text).ok_or_else(|| {
                load(format!(
                    "unknown editMode: {mode_text}, only prepend and append are allowed"
                ))
                .resource(config)
                .field("editMode")
            })?
        };
        let mut fields = Vec::new();
        // `fieldSpecs` is what kpt's code reads; `additionalNameFields` what its README names.
        for name in ["fieldSpecs", "additionalNameFields"] {
            fields.extend(
                FieldSpec::list_from(config.get(&[name]), name)
                    .map_err(|p| load(p).resource(config).field(name))?,
            );
        }
        Config {
            substring,
            mode,
            fields,
        }
    } else {
        return Err(load(format!(
            "function config must be either {} or {}, but we got: {}",
            gvk_string("v1", "ConfigMap"),
            gvk_string(FN_API_VERSION, FN_KIND),
            gvk_string(api_version, kind)
        ))
        .resource(config)
        .field("functionConfig"));
    };
    if parsed.substring.is_empty() {
        return Err(empty().resource(config));
    }
    Ok(parsed)
}

/// Kinds kpt never renames (its `prefixSuffixFieldSpecsToSkip`).
fn skipped(object: &KubeObject) -> bool {
    is_gvk(object, "", "", "CustomResourceDefinition")
        || is_gvk(object, "apiregistration.k8s.io", "", "APIService")
        || is_gvk(object, "", "", "Namespace")
}

fn ensure_name_substring(rl: &mut ResourceList) -> Result<(), Error> {
    let config = configure(rl)?;
    let fail = |problem: String, item: &KubeObject| {
        Error::new(format!("failed to transform name substring: {problem}")).resource(item)
    };
    let mut renames = Vec::new();
    for item in rl.items.iter_mut().filter(|item| !skipped(item)) {
        let name = item.name().to_owned();
        if !name.contains(&config.substring) {
            let new = config.mode.apply(&config.substring, &name);
            item.set_name(&new)?;
            renames.extend(nameref::rename_of(item, &name, &new));
        }
        let selected: Vec<FieldSpec> = config
            .fields
            .iter()
            .filter(|f| f.selects(item))
            .cloned()
            .collect();
        for spec in selected {
            spec.visit(item.as_mapping_mut(), &mut |slot, at| {
                let text = scalar_text(slot).ok_or_else(|| {
                    format!("field {at} is a {}, want a string", mapping::type_name(slot))
                })?;
                if !slot.is_null() && !text.contains(&config.substring) {
                    *slot = Value::String(config.mode.apply(&config.substring, &text));
                }
                Ok(())
            })
            .map_err(|problem| fail(problem, item))?;
        }
    }
    for item in &mut rl.items {
        nameref::fix_references(item, &renames).map_err(|problem| fail(problem, item))?;
    }
    Ok(())
}

fn main() {
    krm_fn::as_main(ensure_name_substring);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden() {
        krm_fn::testing::check_golden(env!("CARGO_MANIFEST_DIR"), ensure_name_substring);
    }

    #[test]
    fn gvk_strings_read_as_go_writes_them() {
        assert_eq!(gvk_string("v1", "ConfigMap"), "/v1, Kind=ConfigMap");
        assert_eq!(
            gvk_string(FN_API_VERSION, FN_KIND),
            "fn.kpt.dev/v1alpha1, Kind=EnsureNameSubstring"
        );
    }
}
