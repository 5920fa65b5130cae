//! Golden tests for a function crate, natively: every `testdata/<case>/` of the function is run
//! through [`crate::run`] with JSON and with YAML input.
//!
//! A case holds `resources.yaml` (the items), optional `fn-config.yaml`, and either
//! `expected.yaml` (the output items) or `expected-results.yaml` (the results) with
//! `expected-exit-code`. Items and results are compared as parsed values *with* their key order
//! (via their JSON text), so a function that reorders fields fails; quoting and layout do not matter.

use std::fs;
use std::path::{Path, PathBuf};

use serde_yaml::{Mapping, Value};

use crate::resource_list::Format;
use crate::run::{run, Processor};
use crate::yaml;

/// The outcome of running one case in one format.
#[derive(Debug)]
pub struct CaseRun {
    pub exit_code: i32,
    pub items: Vec<Value>,
    pub results: Vec<Value>,
}

fn read(path: &Path) -> Option<String> {
    fs::read_to_string(path).ok()
}

fn docs(path: &Path) -> Vec<Value> {
    read(path)
        .map(|text| yaml::documents(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .unwrap_or_default()
}

/// The input ResourceList of a case, as a value.
pub fn case_input(case: &Path) -> Value {
    let mut rl = Mapping::new();
    rl.insert(
        yaml::key("apiVersion"),
        Value::String("config.kubernetes.io/v1".into()),
    );
    rl.insert(yaml::key("kind"), Value::String("ResourceList".into()));
    rl.insert(
        yaml::key("items"),
        Value::Sequence(docs(&case.join("resources.yaml"))),
    );
    if let Some(config) = docs(&case.join("fn-config.yaml")).into_iter().next() {
        rl.insert(yaml::key("functionConfig"), config);
    }
    Value::Mapping(rl)
}

/// Run `processor` on a case's input written in `format`.
pub fn run_case<P: Processor>(processor: P, case: &Path, format: Format) -> CaseRun {
    let input = case_input(case);
    let text = match format {
        Format::Json => serde_json::to_string(&input).expect("case input as JSON"),
        Format::Yaml => yaml::to_yaml(&input).expect("case input as YAML"),
    };
    let (output, exit_code) = run(processor, &text)
        .unwrap_or_else(|e| panic!("{}: the function rejected its input: {e}", case.display()));
    assert_eq!(
        Format::detect(&output),
        format,
        "{}: output format differs from input",
        case.display()
    );
    let value: Value = match format {
        Format::Json => serde_json::from_str(&output).expect("output is JSON"),
        Format::Yaml => serde_yaml::from_str(&output).expect("output is YAML"),
    };
    let field = |name: &str| match value.as_mapping().and_then(|m| yaml::get(m, name)) {
        Some(Value::Sequence(seq)) => seq.clone(),
        _ => Vec::new(),
    };
    CaseRun {
        exit_code,
        items: field("items"),
        results: field("results"),
    }
}

/// The case directories under `<function_dir>/testdata`, sorted.
pub fn cases(function_dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = fs::read_dir(function_dir.join("testdata"))
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

/// Values compared with key order: serde_yaml 0.9's `Mapping` equality ignores order, 0.8's not.
fn same(want: &[Value], got: &[Value]) -> bool {
    let json = |values: &[Value]| serde_json::to_string(values).unwrap_or_default();
    json(want) == json(got)
}

fn show(values: &[Value]) -> String {
    yaml::to_yaml(&Value::Sequence(values.to_vec())).unwrap_or_else(|e| e)
}

/// Check every golden case of the function in `function_dir` (use `env!("CARGO_MANIFEST_DIR")`);
/// panics with want/got on the first mismatch.
pub fn check_golden<P: Processor + Clone>(function_dir: &str, processor: P) {
    let dir = Path::new(function_dir);
    let all = cases(dir);
    assert!(
        !all.is_empty(),
        "{}: no testdata/<case>/ directories",
        dir.display()
    );
    for case in all {
        let want_code: i32 = read(&case.join("expected-exit-code"))
            .map(|t| t.trim().parse().expect("expected-exit-code holds a number"))
            .unwrap_or(0);
        for format in [Format::Json, Format::Yaml] {
            let got = run_case(processor.clone(), &case, format);
            let at = format!("{} ({format:?} input)", case.display());
            assert_eq!(
                got.exit_code,
                want_code,
                "{at}: exit code; results:\n{}",
                show(&got.results)
            );
            if case.join("expected.yaml").exists() {
                let want = docs(&case.join("expected.yaml"));
                assert!(
                    same(&want, &got.items),
                    "{at}: items differ\n--- want\n{}--- got\n{}",
                    show(&want),
                    show(&got.items)
                );
            }
            if case.join("expected-results.yaml").exists() {
                let want = match docs(&case.join("expected-results.yaml")).into_iter().next() {
                    Some(Value::Sequence(seq)) => seq,
                    _ => Vec::new(),
                };
                assert!(
                    same(&want, &got.results),
                    "{at}: results differ\n--- want\n{}--- got\n{}",
                    show(&want),
                    show(&got.results)
                );
            }
        }
    }
}
