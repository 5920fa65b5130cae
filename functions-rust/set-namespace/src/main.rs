//! set-namespace: sets `metadata.namespace` of every item to the functionConfig's
//! `data.namespace` (a ConfigMap).

use krm_fn::{Error, ResourceList};

/// Longest namespace Kubernetes accepts (an RFC 1123 label).
const MAX_NAMESPACE: usize = 63;

fn check_namespace(namespace: &str) -> Result<(), String> {
    let label_chars = namespace
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if namespace.is_empty()
        || namespace.len() > MAX_NAMESPACE
        || !label_chars
        || namespace.starts_with('-')
        || namespace.ends_with('-')
    {
        return Err(format!(
            "{namespace:?} is not a valid namespace: want 1-{MAX_NAMESPACE} lowercase letters, \
             digits or '-', starting and ending with a letter or digit"
        ));
    }
    Ok(())
}

fn set_namespace(rl: &mut ResourceList) -> Result<(), Error> {
    let namespace = rl.config_str(&["data", "namespace"])?.to_owned();
    if let Err(problem) = check_namespace(&namespace) {
        let config = rl.function_config()?;
        let message = format!("functionConfig {config}: field data.namespace: {problem}");
        return Err(Error::new(message).resource(config).field("data.namespace"));
    }
    for item in &mut rl.items {
        // One bad item (metadata not a mapping) is reported; the others are still set.
        if let Err(error) = item.set_namespace(&namespace) {
            rl.results.push(error.into_result());
        }
    }
    Ok(())
}

fn main() {
    krm_fn::as_main(set_namespace);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden() {
        krm_fn::testing::check_golden(env!("CARGO_MANIFEST_DIR"), set_namespace);
    }

    #[test]
    fn rejects_invalid_namespaces() {
        for bad in ["", "Prod", "-prod", "prod-", "a_b", &"x".repeat(64)] {
            assert!(check_namespace(bad).is_err(), "{bad:?} accepted");
        }
        assert!(check_namespace("team-1").is_ok());
    }
}
