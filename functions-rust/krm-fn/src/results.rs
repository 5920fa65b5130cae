//! Results: what a function reports (kpt's `results` format) and the `Error` a processor returns.

use std::fmt;

use serde_yaml::{Mapping, Value};

use crate::object::KubeObject;
use crate::yaml;

/// How bad a result is; any `Error` makes the function exit with code 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    /// The spelling used in the `severity` field.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// Which resource a result is about (`resourceRef`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceRef {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub namespace: String,
}

impl fmt::Display for ResourceRef {
    /// `Kind/name`, or `Kind/namespace/name` for a namespaced resource.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.kind.is_empty() {
            "<no kind>"
        } else {
            &self.kind
        };
        let name = if self.name.is_empty() {
            "<no name>"
        } else {
            &self.name
        };
        if self.namespace.is_empty() {
            write!(f, "{kind}/{name}")
        } else {
            write!(f, "{kind}/{}/{name}", self.namespace)
        }
    }
}

/// Which file a resource came from (`file`), when the orchestrator told us.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileRef {
    pub path: String,
    pub index: Option<i64>,
}

/// One entry of `results`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultItem {
    pub message: String,
    pub severity: Severity,
    pub resource_ref: Option<ResourceRef>,
    /// A dotted field path such as `spec.template.metadata.labels`.
    pub field: Option<String>,
    pub file: Option<FileRef>,
    pub tags: Vec<(String, String)>,
}

impl ResultItem {
    /// A result with only a message and a severity.
    pub fn new(severity: Severity, message: impl Into<String>) -> Self {
        ResultItem {
            message: message.into(),
            severity,
            resource_ref: None,
            field: None,
            file: None,
            tags: Vec::new(),
        }
    }

    /// Point the result at `object`: its resourceRef, and its file when the object carries
    /// the `internal.config.kubernetes.io/path` / `index` annotations.
    pub fn with_resource(&mut self, object: &KubeObject) -> &mut Self {
        self.resource_ref = Some(object.resource_ref());
        self.file = object.file_ref();
        self
    }

    /// Set the dotted field path the result is about.
    pub fn with_field(&mut self, path: impl Into<String>) -> &mut Self {
        self.field = Some(path.into());
        self
    }

    /// Set the file the result is about.
    pub fn with_file(&mut self, path: impl Into<String>, index: Option<i64>) -> &mut Self {
        self.file = Some(FileRef {
            path: path.into(),
            index,
        });
        self
    }

    /// Add a tag (`tags: {key: value}`).
    pub fn with_tag(&mut self, key: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.tags.push((key.into(), value.into()));
        self
    }

    /// The result in kpt's layout, empty parts left out.
    pub fn to_value(&self) -> Value {
        let mut map = Mapping::new();
        map.insert(yaml::key("message"), Value::String(self.message.clone()));
        map.insert(
            yaml::key("severity"),
            Value::String(self.severity.as_str().into()),
        );
        if let Some(r) = &self.resource_ref {
            let mut rref = Mapping::new();
            for (name, value) in [
                ("apiVersion", &r.api_version),
                ("kind", &r.kind),
                ("name", &r.name),
                ("namespace", &r.namespace),
            ] {
                if !value.is_empty() {
                    rref.insert(yaml::key(name), Value::String(value.clone()));
                }
            }
            map.insert(yaml::key("resourceRef"), Value::Mapping(rref));
        }
        if let Some(path) = &self.field {
            let mut field = Mapping::new();
            field.insert(yaml::key("path"), Value::String(path.clone()));
            map.insert(yaml::key("field"), Value::Mapping(field));
        }
        if let Some(f) = &self.file {
            let mut file = Mapping::new();
            file.insert(yaml::key("path"), Value::String(f.path.clone()));
            if let Some(index) = f.index {
                file.insert(yaml::key("index"), Value::Number(index.into()));
            }
            map.insert(yaml::key("file"), Value::Mapping(file));
        }
        if !self.tags.is_empty() {
            let mut tags = Mapping::new();
            for (k, v) in &self.tags {
                tags.insert(Value::String(k.clone()), Value::String(v.clone()));
            }
            map.insert(yaml::key("tags"), Value::Mapping(tags));
        }
        Value::Mapping(map)
    }
}

/// The `results` of a ResourceList: those it arrived with (kept as they were) and new ones.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Results {
    prior: Vec<Value>,
    items: Vec<ResultItem>,
}

impl Results {
    pub(crate) fn with_prior(prior: Vec<Value>) -> Self {
        Results {
            prior,
            items: Vec::new(),
        }
    }

    /// Add a result; returns it so that `with_*` calls can follow.
    pub fn push(&mut self, item: ResultItem) -> &mut ResultItem {
        self.items.push(item);
        self.items.last_mut().expect("just pushed")
    }

    /// Add an error result (the function will exit with code 1).
    pub fn error(&mut self, message: impl Into<String>) -> &mut ResultItem {
        self.push(ResultItem::new(Severity::Error, message))
    }

    /// Add a warning result.
    pub fn warning(&mut self, message: impl Into<String>) -> &mut ResultItem {
        self.push(ResultItem::new(Severity::Warning, message))
    }

    /// Add an info result.
    pub fn info(&mut self, message: impl Into<String>) -> &mut ResultItem {
        self.push(ResultItem::new(Severity::Info, message))
    }

    /// The results added during this run (not those the input carried).
    pub fn iter(&self) -> std::slice::Iter<'_, ResultItem> {
        self.items.iter()
    }

    /// How many results the output will carry (prior ones included).
    pub fn len(&self) -> usize {
        self.prior.len() + self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True when any result, prior ones included, has severity error (as kpt's Go SDK does).
    pub fn has_errors(&self) -> bool {
        let prior_error = self.prior.iter().any(|r| {
            r.as_mapping()
                .and_then(|m| yaml::get(m, "severity"))
                .and_then(Value::as_str)
                == Some("error")
        });
        prior_error || self.items.iter().any(|r| r.severity == Severity::Error)
    }

    /// 1 when there is an error result, else 0.
    pub fn exit_code(&self) -> i32 {
        i32::from(self.has_errors())
    }

    pub(crate) fn to_value(&self) -> Value {
        let mut all = self.prior.clone();
        all.extend(self.items.iter().map(ResultItem::to_value));
        Value::Sequence(all)
    }
}

/// What a processor returns when it cannot go on; it becomes an error result.
///
/// ```
/// use krm_fn::Error;
/// let err = Error::new("replicas must be positive").field("spec.replicas");
/// assert_eq!(err.to_string(), "replicas must be positive (field spec.replicas)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    // Boxed: a `Result<_, Error>` stays one pointer wide on the happy path.
    item: Box<ResultItem>,
}

impl Error {
    pub fn new(message: impl Into<String>) -> Self {
        Error {
            item: Box::new(ResultItem::new(Severity::Error, message)),
        }
    }

    /// The resource the error is about.
    pub fn resource(mut self, object: &KubeObject) -> Self {
        self.item.with_resource(object);
        self
    }

    /// The dotted field path the error is about.
    pub fn field(mut self, path: impl Into<String>) -> Self {
        self.item.with_field(path);
        self
    }

    pub fn message(&self) -> &str {
        &self.item.message
    }

    /// The error as a result entry.
    pub fn into_result(self) -> ResultItem {
        *self.item
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.item.message)?;
        match (&self.item.resource_ref, &self.item.field) {
            (Some(r), Some(path)) => write!(f, " ({r}, field {path})"),
            (Some(r), None) => write!(f, " ({r})"),
            (None, Some(path)) => write!(f, " (field {path})"),
            (None, None) => Ok(()),
        }
    }
}

impl std::error::Error for Error {}

impl From<String> for Error {
    fn from(message: String) -> Self {
        Error::new(message)
    }
}

impl From<&str> for Error {
    fn from(message: &str) -> Self {
        Error::new(message)
    }
}

impl From<Error> for ResultItem {
    fn from(error: Error) -> Self {
        *error.item
    }
}
