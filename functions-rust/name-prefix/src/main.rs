//! name-prefix: prepends the functionConfig's `data.prefix` (a ConfigMap) to `metadata.name`
//! of every item.

use krm_fn::{Error, ResourceList};

fn name_prefix(rl: &mut ResourceList) -> Result<(), Error> {
    let prefix = rl.config_str(&["data", "prefix"])?.to_owned();
    for item in &mut rl.items {
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
