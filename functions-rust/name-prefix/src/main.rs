//! name-prefix: prepends the functionConfig's `data.prefix` (a ConfigMap) to `metadata.name`
//! of every item but kpt's meta resources: the Kptfile and `config.kubernetes.io/local-config:
//! "true"` resources (function configs, package context) keep their names, as kpt's catalog
//! functions (ensure-name-substring) leave them.

use krm_fn::fieldspec::is_meta_resource;
use krm_fn::{Error, KubeObject, ResourceList};

fn name_prefix(rl: &mut ResourceList) -> Result<(), Error> {
    let prefix = rl.config_str(&["data", "prefix"])?.to_owned();
    for item in &mut rl.items {
        if is_meta_resource(item) {
            continue;
        }
        let name = item.name();
        if name.is_empty() {
            rl.results
                .warning(format!("{item}: no metadata.name to prefix; left as it is"))
                .with_resource(item)
                .with_field("metadata.name");
            continue;
        }
        let renamed = format!("{prefix}{name}");
        if let Err(error) = item.set_name(&renamed) {
            rl.results.push(error.into_result());
        }
    }
    Ok(())
}

fn main() {
    krm_fn::as_main(name_prefix);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden() {
        krm_fn::testing::check_golden(env!("CARGO_MANIFEST_DIR"), name_prefix);
    }
}
