//! Tests of the `run` core: formats, field order, results, config errors, panics, bad input.

use krm_fn::{run, Error, Format, KubeObject, ResourceList, Severity, Value};

const JSON_INPUT: &str = r#"{"apiVersion":"config.kubernetes.io/v1","kind":"ResourceList","items":[{"kind":"Pod","apiVersion":"v1","metadata":{"name":"a","annotations":{"internal.config.kubernetes.io/path":"pods.yaml","internal.config.kubernetes.io/index":"2"}},"spec":{"z":1,"a":[1.5,true,null]}}],"functionConfig":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg"},"data":{"namespace":"prod"}}}"#;

const YAML_INPUT: &str = "\
kind: ResourceList
apiVersion: config.kubernetes.io/v1
extra: kept
items:
- kind: Pod
  metadata:
    name: a
  spec:
    z: 1
    a: 'yes'
functionConfig:
  kind: ConfigMap
  metadata:
    name: cfg
  data:
    namespace: prod
";

fn set_namespace(rl: &mut ResourceList) -> Result<(), Error> {
    let namespace = rl.config_str(&["data", "namespace"])?.to_owned();
    for item in &mut rl.items {
        item.set_namespace(&namespace)?;
    }
    Ok(())
}

fn noop(_: &mut ResourceList) -> Result<(), Error> {
    Ok(())
}

fn parse(output: &str) -> Value {
    match Format::detect(output) {
        Format::Json => serde_json::from_str(output).expect("output is JSON"),
        Format::Yaml => serde_yaml::from_str(output).expect("output is YAML"),
    }
}

fn results(output: &str) -> Vec<Value> {
    match parse(output).get("results") {
        Some(Value::Sequence(seq)) => seq.clone(),
        _ => Vec::new(),
    }
}

#[test]
fn json_in_json_out_keeps_field_order() {
    let (output, code) = run(set_namespace, JSON_INPUT).unwrap();
    assert_eq!(code, 0);
    let want = JSON_INPUT.replace(r#"/index":"2"}}"#, r#"/index":"2"},"namespace":"prod"}"#);
    assert_eq!(output, format!("{want}\n"));
}

#[test]
fn yaml_in_yaml_out_keeps_order_and_unknown_fields() {
    let (output, code) = run(set_namespace, YAML_INPUT).unwrap();
    assert_eq!(code, 0, "{output}");
    assert_eq!(Format::detect(&output), Format::Yaml);
    let top: Vec<&str> = output
        .lines()
        .filter(|l| !l.starts_with(' ') && !l.starts_with('-'))
        .collect();
    assert_eq!(
        top,
        [
            "kind: ResourceList",
            "apiVersion: config.kubernetes.io/v1",
            "extra: kept",
            "items:",
            "functionConfig:"
        ]
    );
    let value = parse(&output);
    let item = &value["items"][0];
    assert_eq!(item["metadata"]["namespace"], Value::String("prod".into()));
    // a quoted 'yes' stays a string
    assert_eq!(item["spec"]["a"], Value::String("yes".into()));
    let spec: Vec<&str> = item["spec"]
        .as_mapping()
        .unwrap()
        .iter()
        .map(|(k, _)| k.as_str().unwrap())
        .collect();
    assert_eq!(spec, ["z", "a"]);
}

#[test]
fn byte_order_mark_is_ignored() {
    let (output, code) = run(noop, &format!("\u{feff}{JSON_INPUT}")).unwrap();
    assert_eq!((output.trim_end(), code), (JSON_INPUT, 0));
}

#[test]
fn noop_round_trips_json_exactly() {
    let (output, code) = run(noop, JSON_INPUT).unwrap();
    assert_eq!((output.trim_end(), code), (JSON_INPUT, 0));
}

#[test]
fn missing_config_is_an_error_result_and_items_are_written() {
    let input = r#"{"apiVersion":"config.kubernetes.io/v1","kind":"ResourceList","items":[{"kind":"Pod","metadata":{"name":"a"}}]}"#;
    let (output, code) = run(set_namespace, input).unwrap();
    assert_eq!(code, 1);
    let value = parse(&output);
    assert_eq!(
        value["items"][0]["metadata"].as_mapping().unwrap().len(),
        1,
        "items unchanged"
    );
    let got = results(&output);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["severity"], Value::String("error".into()));
    assert_eq!(
        got[0]["field"]["path"],
        Value::String("functionConfig".into())
    );
    assert!(got[0]["message"]
        .as_str()
        .unwrap()
        .contains("data.namespace"));
}

#[test]
fn malformed_config_names_the_field_and_object() {
    for (config, want) in [
        (
            r#"{"kind":"ConfigMap","metadata":{"name":"c"},"data":{}}"#,
            "functionConfig ConfigMap/c: missing field data.namespace",
        ),
        (
            r#"{"kind":"ConfigMap","metadata":{"name":"c"},"data":{"namespace":[1]}}"#,
            "functionConfig ConfigMap/c: field data.namespace is a sequence, want a string",
        ),
    ] {
        let input = format!(
            r#"{{"apiVersion":"config.kubernetes.io/v1","kind":"ResourceList","items":[],"functionConfig":{config}}}"#
        );
        let (output, code) = run(set_namespace, &input).unwrap();
        assert_eq!(code, 1, "{config}");
        let got = results(&output);
        let message = got[0]["message"].as_str().unwrap();
        assert!(message.starts_with(want), "want {want:?}, got {message:?}");
        // the functionConfig is written back as it came
        assert_eq!(
            parse(&output)["functionConfig"],
            parse(&input)["functionConfig"]
        );
    }
}

#[test]
fn config_that_is_not_a_mapping_is_an_input_error() {
    // As kpt's Go SDK: no output, the message names the field (the contract, docs/sdk.md).
    let input = r#"{"apiVersion":"config.kubernetes.io/v1","kind":"ResourceList","items":[],"functionConfig":"just a string"}"#;
    let error = run(set_namespace, input).unwrap_err();
    assert_eq!(
        error.message,
        "input field functionConfig is a string, want a mapping"
    );
}

#[test]
fn kind_list_and_missing_kind_are_input_errors() {
    for (input, want) in [
        (r#"{"kind":"List","items":[]}"#, "input has kind List, want ResourceList"),
        (r#"{"items":[]}"#, "input has no kind, want kind: ResourceList"),
    ] {
        assert_eq!(run(noop, input).unwrap_err().message, want);
    }
}

#[test]
fn err_writes_the_input_items_unchanged_with_the_results_so_far() {
    let fail = |rl: &mut ResourceList| -> Result<(), Error> {
        rl.items[0].set_namespace("half-done")?;
        rl.results.warning("before failing");
        Err(Error::new("failed"))
    };
    let (output, code) = run(fail, JSON_INPUT).unwrap();
    assert_eq!(code, 1);
    assert_eq!(parse(&output)["items"], parse(JSON_INPUT)["items"]);
    let got = results(&output);
    let messages: Vec<_> = got.iter().map(|r| r["message"].as_str().unwrap()).collect();
    assert_eq!(messages, ["before failing", "failed"]);
}

#[test]
fn results_carry_resource_ref_field_and_file() {
    let warn = |rl: &mut ResourceList| -> Result<(), Error> {
        let item = rl.items[0].clone();
        rl.results
            .warning("replicas not set")
            .with_resource(&item)
            .with_field("spec.replicas")
            .with_tag("rule", "r1");
        rl.results.info("looked at 1 item");
        Ok(())
    };
    let (output, code) = run(warn, JSON_INPUT).unwrap();
    assert_eq!(code, 0, "warnings do not fail");
    let want: Value = serde_yaml::from_str(
        "
- message: replicas not set
  severity: warning
  resourceRef: {apiVersion: v1, kind: Pod, name: a}
  field: {path: spec.replicas}
  file: {path: pods.yaml, index: 2}
  tags: {rule: r1}
- message: looked at 1 item
  severity: info
",
    )
    .unwrap();
    assert_eq!(Value::Sequence(results(&output)), want);
}

#[test]
fn prior_results_are_kept_and_count() {
    let input = r#"{"kind":"ResourceList","items":[],"results":[{"message":"earlier","severity":"error"}]}"#;
    let (output, code) = run(noop, input).unwrap();
    assert_eq!(code, 1);
    assert_eq!(results(&output).len(), 1);
}

#[test]
fn processor_error_keeps_resource_and_field() {
    let fail = |rl: &mut ResourceList| -> Result<(), Error> {
        let item = &rl.items[0];
        Err(Error::new("bad replicas")
            .resource(item)
            .field("spec.replicas"))
    };
    let (output, code) = run(fail, JSON_INPUT).unwrap();
    assert_eq!(code, 1);
    let got = &results(&output)[0];
    assert_eq!(got["resourceRef"]["name"], Value::String("a".into()));
    assert_eq!(got["field"]["path"], Value::String("spec.replicas".into()));
    assert_eq!(
        got["severity"],
        Value::String(Severity::Error.as_str().into())
    );
}

#[test]
fn panic_gives_unchanged_items_and_an_error_result() {
    let boom = |rl: &mut ResourceList| -> Result<(), Error> {
        rl.items[0].set_namespace("half-done")?;
        panic!("boom");
    };
    let (output, code) = run(boom, YAML_INPUT).unwrap();
    assert_eq!(code, 1);
    let value = parse(&output);
    assert!(
        value["items"][0]["metadata"].get("namespace").is_none(),
        "{output}"
    );
    assert_eq!(
        results(&output)[0]["message"],
        Value::String("function panicked: boom".into())
    );
}

#[test]
fn unparseable_input_is_an_input_error() {
    for (input, want) in [
        ("{not json", "input is not valid JSON"),
        ("a: [", "input is not valid YAML"),
        ("- 1", "input is a sequence, want a ResourceList mapping"),
        (
            "kind: Deployment",
            "input has kind Deployment, want ResourceList",
        ),
        (
            "kind: ResourceList\nitems: [1]",
            "input items[0] is a number, want a mapping",
        ),
        (
            "kind: ResourceList\nitems: {}",
            "input field items is a mapping, want a sequence",
        ),
    ] {
        let error = run(noop, input).unwrap_err();
        assert!(
            error.message.starts_with(want),
            "{input:?}: want {want:?}, got {:?}",
            error.message
        );
    }
}

#[test]
fn set_creates_mappings_and_refuses_non_mappings() {
    let mut object = KubeObject::from_value(
        serde_yaml::from_str("kind: Pod\nmetadata: {name: p}\nspec: 3").unwrap(),
    )
    .unwrap();
    object.set_label("app", "web").unwrap();
    assert_eq!(object.label("app"), Some("web"));
    let error = object.set_str(&["spec", "replicas"], "2").unwrap_err();
    assert_eq!(
        error.to_string(),
        "Pod/p: field spec is a number, want a mapping (Pod/p, field spec)"
    );
    assert_eq!(
        object.get(&["spec"]),
        Some(&Value::Number(3.into())),
        "unchanged after a failed set"
    );
    object.set_str(&["metadata", "namespace"], "ns").unwrap();
    assert!(object.remove(&["metadata", "labels"]).is_some());
    let keys: Vec<&str> = object
        .get(&["metadata"])
        .unwrap()
        .as_mapping()
        .unwrap()
        .iter()
        .map(|(k, _)| k.as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        ["name", "namespace"],
        "remove keeps the other keys in order"
    );
    object.set_str(&["metadata", "name"], "q").unwrap();
    let keys: Vec<&str> = object
        .get(&["metadata"])
        .unwrap()
        .as_mapping()
        .unwrap()
        .iter()
        .map(|(k, _)| k.as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        ["name", "namespace"],
        "setting an existing key keeps its place"
    );
    assert_eq!(object.remove(&["metadata", "nope"]), None);
    object.set_name("p").unwrap();
    assert_eq!(object.to_string(), "Pod/ns/p");
}

#[test]
fn empty_items_and_missing_items_are_written_as_a_list() {
    let (output, code) = run(
        noop,
        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n",
    )
    .unwrap();
    assert_eq!(code, 0);
    assert_eq!(parse(&output)["items"], Value::Sequence(Vec::new()));
}
