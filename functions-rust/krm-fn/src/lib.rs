//! Write KRM functions in Rust, after kpt's Go `fn` SDK.
//!
//! A function is a [`Processor`]: any `FnMut(&mut ResourceList) -> Result<(), Error>`. It changes
//! `rl.items` and reports findings in `rl.results`; `Err` becomes an error result.
//! [`run`] is the pure core (input text in, output text and exit code out); [`as_main`] wraps it
//! for stdin/stdout and the process exit code.
//!
//! ```
//! use krm_fn::{run, Error, ResourceList};
//!
//! fn set_namespace(rl: &mut ResourceList) -> Result<(), Error> {
//!     let namespace = rl.function_config()?.require_str(&["data", "namespace"])?.to_owned();
//!     for item in &mut rl.items {
//!         item.set_namespace(&namespace)?;
//!     }
//!     Ok(())
//! }
//!
//! let input = r#"{"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList",
//!   "items": [{"kind": "Pod", "metadata": {"name": "a"}}],
//!   "functionConfig": {"kind": "ConfigMap", "data": {"namespace": "prod"}}}"#;
//! let (output, code) = run(set_namespace, input).unwrap();
//! assert_eq!(code, 0);
//! assert!(output.contains(r#""metadata":{"name":"a","namespace":"prod"}"#));
//! ```
//!
//! Input is JSON when it starts with `{` (parsed by serde_json), YAML otherwise; the output uses
//! the input's format. Every mapping keeps its key order (values are `serde_yaml::Value`, whose
//! `Mapping` is ordered in serde_yaml 0.8 and 0.9 alike).

pub mod fieldspec;
mod object;
mod resource_list;
mod results;
mod run;
pub mod testing;
mod yaml;

pub use object::KubeObject;
pub use resource_list::{Format, InputError, ResourceList};
pub use results::{Error, FileRef, ResourceRef, ResultItem, Results, Severity};
pub use run::{as_main, run, Processor};
pub use serde_yaml::{Mapping, Value};

/// Lookups on a `Mapping` that keep key order and compile with serde_yaml 0.8 and 0.9.
pub mod mapping {
    pub use crate::yaml::{get, get_mut, key, set, type_name};
}

// The workspace README's Rust example is compiled as a doctest.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
