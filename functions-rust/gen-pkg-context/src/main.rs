//! gen-pkg-context: kpt's built-in `builtins/gen-pkg-context` (kpt's internal/builtins/
//! pkg_context.go), as a wasm function. For every Kptfile among the items it adds a ConfigMap
//! `kptfile.kpt.dev` (`config.kubernetes.io/local-config: "true"`, `data.name`: the package's
//! name) in `package-context.yaml` next to that Kptfile, with an info result naming the file;
//! package contexts already among the items are dropped first, so the output has exactly one per
//! package. Functions such as set-namespace and apply-replacements read it.

use krm_fn::{Error, KubeObject, Mapping, ResourceList, Value};

const CONTEXT_NAME: &str = "kptfile.kpt.dev";
const CONTEXT_FILE: &str = "package-context.yaml";
const PATH: &str = "internal.config.kubernetes.io/path";
const LEGACY_PATH: &str = "config.kubernetes.io/path";

fn is_context(item: &KubeObject) -> bool {
    item.is("v1", "ConfigMap") && item.name() == CONTEXT_NAME
}

fn is_kptfile(item: &KubeObject) -> bool {
    item.api_version().starts_with("kpt.dev/") && item.kind() == "Kptfile"
}

/// `package-context.yaml` in the directory of `kptfile_path` (kpt's path.Join(path.Dir(p), f)).
fn context_path(kptfile_path: &str) -> String {
    match kptfile_path.rfind('/') {
        Some(slash) => format!("{}/{CONTEXT_FILE}", &kptfile_path[..slash]),
        None => CONTEXT_FILE.to_owned(),
    }
}

fn context_for(kptfile: &KubeObject) -> Result<(KubeObject, String), Error> {
    let kptfile_path = kptfile
        .annotation(PATH)
        .or_else(|| kptfile.annotation(LEGACY_PATH))
        .unwrap_or("");
    let path = context_path(kptfile_path);
    let mut context = KubeObject::new(Mapping::new());
    context.set_str(&["apiVersion"], "v1")?;
    context.set_str(&["kind"], "ConfigMap")?;
    context.set_name(CONTEXT_NAME)?;
    context.set_annotation("config.kubernetes.io/local-config", "true")?;
    context.set_annotation(PATH, &path)?;
    let mut data = Mapping::new();
    data.insert(
        Value::String("name".into()),
        Value::String(kptfile.name().to_owned()),
    );
    context.set(&["data"], Value::Mapping(data))?;
    Ok((context, path))
}

fn gen_pkg_context(rl: &mut ResourceList) -> Result<(), Error> {
    rl.items.retain(|item| !is_context(item));
    let mut generated = Vec::new();
    for kptfile in rl.items.iter().filter(|item| is_kptfile(item)) {
        generated.push(context_for(kptfile)?);
    }
    for (context, path) in generated {
        rl.results
            .info("generated package context")
            .with_file(path, None);
        rl.items.push(context);
    }
    Ok(())
}

fn main() {
    krm_fn::as_main(gen_pkg_context);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden() {
        krm_fn::testing::check_golden(env!("CARGO_MANIFEST_DIR"), gen_pkg_context);
    }

    #[test]
    fn one_context_next_to_each_kptfile() {
        let input = r#"{"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": [
            {"apiVersion": "kpt.dev/v1", "kind": "Kptfile", "metadata": {"name": "app",
             "annotations": {"internal.config.kubernetes.io/path": "Kptfile"}}},
            {"apiVersion": "kpt.dev/v1", "kind": "Kptfile", "metadata": {"name": "db",
             "annotations": {"config.kubernetes.io/path": "db/Kptfile"}}},
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "kptfile.kpt.dev"},
             "data": {"name": "stale"}}]}"#;
        let (mut rl, _) = ResourceList::parse(input).unwrap();
        gen_pkg_context(&mut rl).unwrap();
        let contexts: Vec<(String, String)> = rl
            .items
            .iter()
            .filter(|item| is_context(item))
            .map(|item| {
                (
                    item.annotation(PATH).unwrap().to_owned(),
                    item.get_str(&["data", "name"]).unwrap().to_owned(),
                )
            })
            .collect();
        assert_eq!(
            contexts,
            vec![
                ("package-context.yaml".to_owned(), "app".to_owned()),
                ("db/package-context.yaml".to_owned(), "db".to_owned()),
            ]
        );
        assert_eq!(rl.items.len(), 4);
        assert_eq!(rl.results.len(), 2);
        for context in rl.items.iter().filter(|item| is_context(item)) {
            assert_eq!(context.annotation("config.kubernetes.io/local-config"), Some("true"));
        }
    }
}
