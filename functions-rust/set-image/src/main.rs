//! set-image, after kpt's catalog function (functions/go/set-image v0.1.x, kustomize's imagetag
//! filter with its default `images` field specs): every image field whose image is `image.name`
//! (with any tag or digest) becomes `newName` (or the old name) plus `:newTag` or `@digest` (or
//! the old tag/digest). The fields are the containers and initContainers of pods and pod
//! templates, plus the config's `additionalImageFields`; CustomResourceDefinitions are never
//! changed. Every resource is looked at, local-config ones too, as kpt's does.

use krm_fn::fieldspec::{is_gvk, scalar_text, FieldSpec};
use krm_fn::mapping;
use krm_fn::{Error, KubeObject, Mapping, ResourceList, Value};

const FN_GROUP: &str = "fn.kpt.dev";
const FN_VERSION: &str = "v1alpha1";
const FN_KIND: &str = "SetImage";

/// kustomize's `images` field specs (api/konfig/builtinpluginconsts/images.go).
fn default_fields() -> Vec<FieldSpec> {
    [
        "spec/containers[]/image",
        "spec/initContainers[]/image",
        "spec/template/spec/containers[]/image",
        "spec/template/spec/initContainers[]/image",
    ]
    .iter()
    // kustomize's image filter never creates a field, whatever `create` says.
    .map(|path| FieldSpec::any(path, false))
    .collect()
}

#[derive(Debug, Default)]
struct Image {
    name: String,
    new_name: String,
    new_tag: String,
    digest: String,
}

impl Image {
    fn from_mapping(map: &Mapping, at: &str) -> Result<Image, String> {
        let text = |name: &str| -> Result<String, String> {
            match mapping::get(map, name) {
                None => Ok(String::new()),
                Some(value) => scalar_text(value).ok_or_else(|| {
                    format!(
                        "field {at}{name} is a {}, want a string",
                        mapping::type_name(value)
                    )
                }),
            }
        };
        Ok(Image {
            name: text("name")?,
            new_name: text("newName")?,
            new_tag: text("newTag")?,
            digest: text("digest")?,
        })
    }

    /// kpt's `validateInput`.
    fn validate(&self) -> Result<(), &'static str> {
        if self.name.is_empty() {
            return Err("missing image name");
        }
        if self.new_name.is_empty() && self.new_tag.is_empty() && self.digest.is_empty() {
            return Err("missing image newName, newTag, or digest");
        }
        if !self.new_tag.is_empty() && !self.digest.is_empty() {
            return Err("image newTag and digest both set");
        }
        Ok(())
    }

    /// The new value for image `value`, or None when it is not this image (kustomize's
    /// `image.IsImageMatched`: the name, an optional `@sha256`, an optional `:tag`).
    fn replace(&self, value: &str) -> Option<String> {
        let rest = value.strip_prefix(self.name.as_str())?;
        let rest = rest.strip_prefix("@sha256").unwrap_or(rest);
        let tag_ok = match rest.strip_prefix(':') {
            Some(tag) => tag
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_.{}-".contains(&b)),
            None => rest.is_empty(),
        };
        if !tag_ok {
            return None;
        }
        let (name, old_tag) = split(value);
        let mut out = if self.new_name.is_empty() {
            name.to_owned()
        } else {
            self.new_name.clone()
        };
        if !self.new_tag.is_empty() {
            out.push(':');
            out.push_str(&self.new_tag);
        } else if !self.digest.is_empty() {
            out.push('@');
            out.push_str(&self.digest);
        } else {
            out.push_str(old_tag);
        }
        Some(out)
    }
}

/// kustomize's `image.Split`: the name and the `:tag` / `@digest` part (with its delimiter); a
/// `:` before the first `/` is a registry port, not a tag.
fn split(image: &str) -> (&str, &str) {
    let colon = match image.find('/') {
        None => image.rfind(':'),
        Some(slash) => image[slash..].rfind(':').filter(|&i| i > 0).map(|i| slash + i),
    };
    let at = image.rfind('@').filter(|&i| i > 0);
    match at.or(colon) {
        Some(i) => (&image[..i], &image[i..]),
        None => (image, ""),
    }
}

struct Config {
    image: Image,
    fields: Vec<FieldSpec>,
}

fn configure(rl: &ResourceList) -> Result<Config, Error> {
    let config = match rl.function_config_opt() {
        Some(config) if !config.as_mapping().is_empty() => config,
        _ => {
            return Err(Error::new(format!(
                "functionConfig is missing; want a `ConfigMap` or `{FN_KIND}` naming the image"
            ))
            .field("functionConfig"))
        }
    };
    let bad = |problem: String| Error::new(problem).resource(config);
    let (image, mut fields) = if is_gvk(config, "", "v1", "ConfigMap") {
        let data = match config.get(&["data"]) {
            Some(Value::Mapping(data)) => data.clone(),
            _ => Mapping::new(),
        };
        (Image::from_mapping(&data, "data.").map_err(bad)?, Vec::new())
    } else if is_gvk(config, FN_GROUP, FN_VERSION, FN_KIND) {
        let image = match config.get(&["image"]) {
            Some(Value::Mapping(image)) => Image::from_mapping(image, "image.").map_err(bad)?,
            None | Some(Value::Null) => Image::default(),
            Some(_) => return Err(bad("field image is not a mapping".to_owned()).field("image")),
        };
        let fields =
            FieldSpec::list_from(config.get(&["additionalImageFields"]), "additionalImageFields")
                .map_err(|p| bad(p).field("additionalImageFields"))?;
        (image, fields)
    } else {
        return Err(bad(format!(
            "`functionConfig` must be a `ConfigMap` or `{FN_KIND}`"
        ))
        .field("functionConfig"));
    };
    image.validate().map_err(|p| bad(p.to_owned()))?;
    fields.extend(default_fields());
    Ok(Config { image, fields })
}

/// Change the matching images of `object`; returns (field, old, new) for each change.
fn set_images(object: &mut KubeObject, config: &Config) -> Result<Vec<(String, String, String)>, String> {
    let mut changes = Vec::new();
    if is_gvk(object, "", "", "CustomResourceDefinition") {
        return Ok(changes);
    }
    let selected: Vec<&FieldSpec> = config.fields.iter().filter(|f| f.selects(object)).collect();
    for spec in selected {
        spec.visit(object.as_mapping_mut(), &mut |slot, at| {
            let old = match slot {
                Value::String(s) => s.clone(),
                Value::Null => return Ok(()),
                other => {
                    return Err(format!(
                        "field {at} is a {}, want a string",
                        mapping::type_name(other)
                    ))
                }
            };
            if let Some(new) = config.image.replace(&old) {
                if new != old {
                    *slot = Value::String(new.clone());
                }
                changes.push((at.to_owned(), old, new));
            }
            Ok(())
        })?;
    }
    Ok(changes)
}

fn set_image(rl: &mut ResourceList) -> Result<(), Error> {
    let config = configure(rl)?;
    let mut report = Vec::new();
    for item in &mut rl.items {
        let changes = set_images(item, &config)
            .map_err(|problem| Error::new(problem).resource(item))?;
        for change in changes {
            report.push((item.clone(), change));
        }
    }
    if report.is_empty() {
        rl.results.info("no images changed");
    }
    for (item, (field, old, new)) in report {
        rl.results
            .info(format!("set image from {old} to {new}"))
            .with_resource(&item)
            .with_field(field);
    }
    Ok(())
}

fn main() {
    krm_fn::as_main(set_image);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden() {
        krm_fn::testing::check_golden(env!("CARGO_MANIFEST_DIR"), set_image);
    }

    #[test]
    fn splits_and_matches_as_kustomize_does() {
        assert_eq!(split("nginx:1.20"), ("nginx", ":1.20"));
        assert_eq!(split("localhost:5000/nginx"), ("localhost:5000/nginx", ""));
        assert_eq!(split("localhost:5000/nginx:1"), ("localhost:5000/nginx", ":1"));
        assert_eq!(split("nginx@sha256:abc"), ("nginx", "@sha256:abc"));
        let image = Image {
            name: "nginx".into(),
            new_tag: "2".into(),
            ..Image::default()
        };
        assert_eq!(image.replace("nginx").as_deref(), Some("nginx:2"));
        assert_eq!(image.replace("nginx:1.20.2").as_deref(), Some("nginx:2"));
        assert_eq!(image.replace("nginx@sha256:0f").as_deref(), Some("nginx:2"));
        assert_eq!(image.replace("nginx-extra:1"), None);
        assert_eq!(image.replace("my/nginx:1"), None);
    }
}
