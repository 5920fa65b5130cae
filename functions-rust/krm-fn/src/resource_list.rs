//! `ResourceList`: parsing the input (JSON or YAML) and writing the output in the same format.

use std::fmt;

use serde_yaml::{Mapping, Value};

use crate::object::KubeObject;
use crate::results::{Error, Results};
use crate::yaml;

/// The one kind accepted as input, as kpt's Go SDK (`fn.ParseResourceList`) accepts only it.
const KIND: &str = "ResourceList";

/// The wire format of the input, and so of the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Yaml,
}

impl Format {
    /// JSON when the first non-blank character is `{`, YAML otherwise (JSON is YAML, but
    /// serde_json is much faster and lets the output be JSON too).
    pub fn detect(input: &str) -> Format {
        match input
            .trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
            .chars()
            .next()
        {
            Some('{') => Format::Json,
            _ => Format::Yaml,
        }
    }
}

/// The input cannot be read as a ResourceList: no output can be written (stderr, exit 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    pub message: String,
}

impl InputError {
    fn new(message: impl Into<String>) -> Self {
        InputError {
            message: message.into(),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for InputError {}

/// A ResourceList: the items, the functionConfig and the results. Every other top-level field
/// (apiVersion, kind, anything unknown) is written back as it came, in its place.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceList {
    pub items: Vec<KubeObject>,
    pub results: Results,
    function_config: Option<KubeObject>,
    /// The input's top level, with items/functionConfig/results taken out (left as null).
    top: Mapping,
}

impl ResourceList {
    /// Parse `input`, detecting JSON or YAML; returns the list and the format to write back.
    pub fn parse(input: &str) -> Result<(ResourceList, Format), InputError> {
        // serde_json rejects a byte-order mark; it carries no meaning here.
        let input = input.trim_start_matches('\u{feff}');
        let format = Format::detect(input);
        let value: Value = match format {
            Format::Json => serde_json::from_str(input)
                .map_err(|e| InputError::new(format!("input is not valid JSON: {e}")))?,
            Format::Yaml => serde_yaml::from_str(input)
                .map_err(|e| InputError::new(format!("input is not valid YAML: {e}")))?,
        };
        Ok((ResourceList::from_value(value)?, format))
    }

    /// Check that `value` is a ResourceList and split it into its parts.
    pub fn from_value(value: Value) -> Result<ResourceList, InputError> {
        let mut top = match value {
            Value::Mapping(map) => map,
            other => {
                return Err(InputError::new(format!(
                    "input is a {}, want a ResourceList mapping",
                    yaml::type_name(&other)
                )))
            }
        };
        match yaml::get(&top, "kind") {
            Some(Value::String(kind)) if kind == KIND => {}
            Some(Value::String(kind)) => {
                return Err(InputError::new(format!(
                    "input has kind {kind}, want ResourceList"
                )))
            }
            _ => {
                return Err(InputError::new(
                    "input has no kind, want kind: ResourceList",
                ))
            }
        }

        let items = match yaml::take(&mut top, "items") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Sequence(seq)) => {
                let mut items = Vec::with_capacity(seq.len());
                for (index, item) in seq.into_iter().enumerate() {
                    items.push(KubeObject::from_value(item).map_err(|other| {
                        InputError::new(format!(
                            "input items[{index}] is a {}, want a mapping (a Kubernetes object)",
                            yaml::type_name(&other)
                        ))
                    })?);
                }
                items
            }
            Some(other) => {
                return Err(InputError::new(format!(
                    "input field items is a {}, want a sequence",
                    yaml::type_name(&other)
                )))
            }
        };

        let function_config = match yaml::take(&mut top, "functionConfig") {
            None | Some(Value::Null) => None,
            Some(Value::Mapping(map)) => Some(KubeObject::new(map)),
            Some(other) => {
                return Err(InputError::new(format!(
                    "input field functionConfig is a {}, want a mapping",
                    yaml::type_name(&other)
                )))
            }
        };

        let prior = match yaml::take(&mut top, "results") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Sequence(seq)) => seq,
            Some(other) => {
                return Err(InputError::new(format!(
                    "input field results is a {}, want a sequence",
                    yaml::type_name(&other)
                )))
            }
        };

        Ok(ResourceList {
            items,
            results: Results::with_prior(prior),
            function_config,
            top,
        })
    }

    /// The functionConfig, or an error saying it is missing (field `functionConfig`).
    pub fn function_config(&self) -> Result<&KubeObject, Error> {
        match &self.function_config {
            Some(config) => Ok(config),
            None => Err(Error::new("functionConfig is missing").field("functionConfig")),
        }
    }

    /// The string at `path` in the functionConfig, e.g. `&["data", "namespace"]` of a ConfigMap;
    /// the error says what is missing or wrong and what is wanted.
    pub fn config_str(&self, path: &[&str]) -> Result<&str, Error> {
        let field = path.join(".");
        match self.function_config() {
            Ok(config) => config.require_str_as(path, &format!("functionConfig {config}")),
            Err(error) => Err(Error::new(format!(
                "{}; want an object with a string field {field}, such as a ConfigMap",
                error.message()
            ))
            .field("functionConfig")),
        }
    }

    /// The functionConfig, when it is present and an object.
    pub fn function_config_opt(&self) -> Option<&KubeObject> {
        self.function_config.as_ref()
    }

    /// The ResourceList as one value, top-level fields in their input order; `items` (and
    /// `results`, when there are any) are added at the end when the input had none.
    pub fn into_value(self) -> Value {
        let ResourceList {
            items,
            results,
            function_config,
            top,
            ..
        } = self;
        let mut items = Some(Value::Sequence(
            items.into_iter().map(KubeObject::into_value).collect(),
        ));
        let mut config = function_config.map(KubeObject::into_value);
        let mut results = if results.is_empty() {
            None
        } else {
            Some(results.to_value())
        };
        let mut out = Mapping::with_capacity(top.len() + 2);
        for (key, value) in top {
            let replacement = match key.as_str() {
                Some("items") => items.take(),
                Some("functionConfig") => config.take().or(Some(value)),
                Some("results") => Some(results.take().unwrap_or(Value::Sequence(Vec::new()))),
                _ => Some(value),
            };
            if let Some(value) = replacement {
                out.insert(key, value);
            }
        }
        for (name, rest) in [
            ("items", items),
            ("functionConfig", config),
            ("results", results),
        ] {
            if let Some(value) = rest {
                out.insert(yaml::key(name), value);
            }
        }
        Value::Mapping(out)
    }

    /// Write the ResourceList in `format` (JSON: one line; YAML: one document).
    pub fn render(self, format: Format) -> Result<String, String> {
        let value = self.into_value();
        match format {
            Format::Json => serde_json::to_string(&value)
                .map(|mut text| {
                    text.push('\n');
                    text
                })
                .map_err(|e| format!("cannot write JSON: {e}")),
            Format::Yaml => yaml::to_yaml(&value),
        }
    }
}
