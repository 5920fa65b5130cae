//! contract-probe: the Rust side of the SDK contract suite (`tests/contract/`).
//!
//! Reads the string `data.value` of its functionConfig and writes it to every item's
//! `contract-probe/value` annotation; then `data.mode` says how to end: `error` (a warning, then
//! `Err`), `panic`, `results` (an error, a warning and an info result per item), or normally.
//! The Kptfile and `config.kubernetes.io/local-config: "true"` items are left alone, as kpt's
//! catalog functions leave them. The Go and Python probes do the same with their SDKs; the suite
//! checks all three alike.

use krm_fn::fieldspec::is_meta_resource;
use krm_fn::{Error, KubeObject, ResourceList};

fn probe(rl: &mut ResourceList) -> Result<(), Error> {
    let value = rl.config_str(&["data", "value"])?.to_owned();
    let mode = rl
        .function_config()?
        .get_str(&["data", "mode"])
        .unwrap_or("")
        .to_owned();
    for item in rl.items.iter_mut().filter(|item| !is_meta_resource(item)) {
        item.set_annotation("contract-probe/value", &value)?;
    }
    match mode.as_str() {
        "error" => {
            rl.results.warning("probe: warning before failing");
            Err(Error::new("probe: failed"))
        }
        "panic" => panic!("probe: panicked"),
        "results" => {
            let items: Vec<KubeObject> = rl.items.iter().filter(|i| !is_meta_resource(i)).cloned().collect();
            for item in &items {
                rl.results
                    .error("probe: error finding")
                    .with_resource(item)
                    .with_field("metadata.name");
                rl.results.warning("probe: warning finding").with_resource(item);
                rl.results.info("probe: info finding").with_resource(item);
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn main() {
    krm_fn::as_main(probe);
}

#[cfg(test)]
mod tests {
    #[test]
    fn golden() {
        krm_fn::testing::check_golden(env!("CARGO_MANIFEST_DIR"), super::probe);
    }
}
