//! require-labels: a validator. The functionConfig's `data` (a ConfigMap) maps label keys to
//! required values, `""` meaning "any value"; every item missing a label, or carrying another
//! value, gets an error result naming the resource and the field `metadata.labels.<key>`.
//! The Kptfile and `config.kubernetes.io/local-config: "true"` resources are not checked: they are
//! never deployed (kpt's validators, such as kubeconform, skip them too). Items are never changed; any error result makes the function exit with code 1. Messages do not
//! repeat the resource: the result's resourceRef names it (kpt shows both).

use krm_fn::fieldspec::is_meta_resource;
use krm_fn::{Error, KubeObject, Mapping, ResourceList, Value};

/// The `(key, value)` pairs of the functionConfig's `data`, in their written order.
fn requirements(rl: &ResourceList) -> Result<Vec<(String, String)>, Error> {
    let config = rl.function_config().map_err(|error| {
        Error::new(format!(
            "{}; want a ConfigMap whose data maps label keys to required values",
            error.message()
        ))
        .field("functionConfig")
    })?;
    let data = match config.get(&["data"]) {
        Some(Value::Mapping(data)) => data,
        None | Some(Value::Null) => {
            return Err(Error::new(format!(
                "functionConfig {config}: missing field data; want label keys mapped to \
                 required values (\"\" for any value)"
            ))
            .field("functionConfig.data"))
        }
        Some(_) => {
            return Err(Error::new(format!(
                "functionConfig {config}: field data is not a mapping"
            ))
            .field("functionConfig.data"))
        }
    };
    let mut wanted = Vec::new();
    for (key, value) in data {
        let key = match key.as_str() {
            Some(key) if !key.is_empty() => key.to_owned(),
            _ => {
                return Err(Error::new(format!(
                    "functionConfig {config}: data has a key that is not a label key: {key:?}"
                ))
                .field("functionConfig.data"))
            }
        };
        let value = match value {
            Value::String(text) => text.clone(),
            Value::Null => String::new(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.to_string(),
            _ => {
                return Err(Error::new(format!(
                    "functionConfig {config}: data.{key} is not a string"
                ))
                .field(format!("functionConfig.data.{key}")))
            }
        };
        wanted.push((key, value));
    }
    Ok(wanted)
}

/// The item's `metadata.labels`, or an error when it is there but not a mapping.
fn labels(item: &KubeObject) -> Result<Option<&Mapping>, Error> {
    match item.get(&["metadata", "labels"]) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Mapping(map)) => Ok(Some(map)),
        Some(_) => Err(Error::new("metadata.labels is not a mapping")
            .resource(item)
            .field("metadata.labels")),
    }
}

fn require_labels(rl: &mut ResourceList) -> Result<(), Error> {
    let wanted = requirements(rl)?;
    for item in rl.items.iter().filter(|item| !is_meta_resource(item)) {
        let found = match labels(item) {
            Ok(found) => found,
            Err(error) => {
                rl.results.push(error.into_result());
                continue;
            }
        };
        for (key, want) in &wanted {
            let field = format!("metadata.labels.{key}");
            let have = found.and_then(|map| map.get(&Value::String(key.clone())));
            let message = match have {
                None => Some(if want.is_empty() {
                    format!("missing label {key}")
                } else {
                    format!("missing label {key}={want}")
                }),
                Some(Value::String(value)) if want.is_empty() || value == want => None,
                Some(Value::String(value)) => {
                    Some(format!("label {key} is {value:?}, want {want:?}"))
                }
                Some(_) => Some(format!("label {key} is not a string")),
            };
            if let Some(message) = message {
                rl.results
                    .error(message)
                    .with_resource(item)
                    .with_field(field);
            }
        }
    }
    Ok(())
}

fn main() {
    krm_fn::as_main(require_labels);
}

#[cfg(test)]
mod tests {
    use super::*;
    use krm_fn::testing::{cases, run_case};
    use krm_fn::Format;
    use std::path::Path;

    /// The golden cases, natively. Unlike `check_golden`, results are compared without their
    /// `file` entries: the runner's golden test reads a package (so results name the file), while
    /// here the items carry no path annotations.
    #[test]
    fn golden() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        let strip = |values: Vec<Value>| -> String {
            let stripped: Vec<Value> = values
                .into_iter()
                .map(|mut v| {
                    if let Some(map) = v.as_mapping_mut() {
                        map.remove(&Value::String("file".into()));
                    }
                    v
                })
                .collect();
            serde_json::to_string(&stripped).unwrap()
        };
        let all = cases(dir);
        assert!(all.len() >= 2, "no golden cases");
        for case in all {
            let code: i32 = std::fs::read_to_string(case.join("expected-exit-code"))
                .map(|t| t.trim().parse().unwrap())
                .unwrap_or(0);
            for format in [Format::Json, Format::Yaml] {
                let got = run_case(require_labels, &case, format);
                assert_eq!(got.exit_code, code, "{}", case.display());
                let input = run_case(|_: &mut ResourceList| Ok(()), &case, format);
                // A validator never changes the items.
                assert_eq!(
                    serde_json::to_string(&got.items).unwrap(),
                    serde_json::to_string(&input.items).unwrap(),
                    "{}",
                    case.display()
                );
                if let Ok(text) = std::fs::read_to_string(case.join("expected-results.yaml")) {
                    let want: Vec<Value> = serde_yaml_docs(&text);
                    assert_eq!(strip(got.results), strip(want), "{}", case.display());
                }
            }
        }
    }

    fn serde_yaml_docs(text: &str) -> Vec<Value> {
        match serde_yaml::from_str(text).expect("expected-results.yaml is YAML") {
            Value::Sequence(seq) => seq,
            _ => Vec::new(),
        }
    }
}
