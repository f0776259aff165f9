//! ConfigMap validation (Kubernetes' `ValidateConfigMap`): keys are config keys, no key appears in
//! both `data` and `binaryData`, the total size is at most 1 MiB, and an `immutable` ConfigMap
//! keeps its data.

use k8s_openapi::api::core::v1::ConfigMap;

use super::field::{ErrorList, FieldError, FieldPath};
use super::names::{is_config_map_key, NameRule};
use super::object_meta::{validate_object_meta, validate_object_meta_update, Scope};

/// The largest total size of a ConfigMap's values (Kubernetes' `MaxSecretSize`, 1 MiB).
pub const MAX_CONFIG_MAP_SIZE_BYTES: usize = 1024 * 1024;

/// Validates a new ConfigMap.
pub fn validate_config_map(config_map: &ConfigMap) -> ErrorList {
    let mut errs = validate_object_meta(
        &config_map.metadata,
        Scope::Namespaced,
        NameRule::Dns1123Subdomain,
        &FieldPath::new("metadata"),
    );
    let mut total = 0usize;
    let binary = config_map.binary_data.clone().unwrap_or_default();
    for (key, value) in config_map.data.iter().flatten() {
        let path = FieldPath::new("data").key(key);
        for msg in is_config_map_key(key) {
            errs.push(FieldError::invalid(&path, key.as_str(), msg));
        }
        if binary.contains_key(key) {
            errs.push(FieldError::invalid(
                &path,
                key.as_str(),
                "duplicate of key present in binaryData",
            ));
        }
        total += value.len();
    }
    for (key, value) in &binary {
        let path = FieldPath::new("binaryData").key(key);
        for msg in is_config_map_key(key) {
            errs.push(FieldError::invalid(&path, key.as_str(), msg));
        }
        total += value.0.len();
    }
    if total > MAX_CONFIG_MAP_SIZE_BYTES {
        errs.push(FieldError::too_long(
            &FieldPath::new(""),
            MAX_CONFIG_MAP_SIZE_BYTES,
        ));
    }
    errs
}

/// Validates an update of a ConfigMap: an immutable one may not change its data or flag.
pub fn validate_config_map_update(new: &ConfigMap, old: &ConfigMap) -> ErrorList {
    let mut errs =
        validate_object_meta_update(&new.metadata, &old.metadata, &FieldPath::new("metadata"));
    if old.immutable == Some(true) {
        let message = "field is immutable when `immutable` is set";
        if new.immutable != Some(true) {
            errs.push(FieldError::forbidden(&FieldPath::new("immutable"), message));
        }
        if new.data != old.data {
            errs.push(FieldError::forbidden(&FieldPath::new("data"), message));
        }
        if new.binary_data != old.binary_data {
            errs.push(FieldError::forbidden(
                &FieldPath::new("binaryData"),
                message,
            ));
        }
    }
    errs.extend(validate_config_map(new));
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::validation::object_meta::tests::meta;
    use std::collections::BTreeMap;

    fn config_map(data: &[(&str, String)]) -> ConfigMap {
        ConfigMap {
            metadata: meta("settings", Some("default")),
            data: Some(
                data.iter()
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .collect::<BTreeMap<_, _>>(),
            ),
            ..ConfigMap::default()
        }
    }

    #[test]
    fn config_map_keys_and_size_are_checked_like_kubernetes() {
        let cases: Vec<(&str, ConfigMap, Vec<&str>)> = vec![
            ("file-like keys are valid", config_map(&[("app.properties", "a=b".into())]), vec![]),
            ("a key with a slash is invalid", config_map(&[("conf/app", "x".into())]),
                vec!["data[conf/app]: Invalid value: \"conf/app\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"]),
            ("more than 1 MiB of data is too long", config_map(&[("big", "x".repeat(MAX_CONFIG_MAP_SIZE_BYTES + 1))]),
                vec![": Too long: may not be more than 1048576 bytes"]),
        ];
        for (name, cm, want) in cases {
            let got: Vec<String> = validate_config_map(&cm)
                .iter()
                .map(ToString::to_string)
                .collect();
            assert_eq!(got, want, "{name}");
        }
    }

    #[test]
    fn an_immutable_config_map_keeps_its_data() {
        let mut old = config_map(&[("a", "1".into())]);
        old.immutable = Some(true);
        let mut new = config_map(&[("a", "2".into())]);
        new.immutable = Some(true);
        new.metadata.resource_version = Some("2".into());
        let got: Vec<String> = validate_config_map_update(&new, &old)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            got,
            vec!["data: Forbidden: field is immutable when `immutable` is set"]
        );
    }
}
