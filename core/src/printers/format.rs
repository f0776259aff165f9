//! Cell formatting shared by several kinds: container names and images of a pod template,
//! label maps (`labels.FormatLabels`) and label selectors as `LabelSelectorAsSelector` prints
//! them.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::PodSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

pub(crate) fn container_names(spec: Option<&PodSpec>) -> String {
    spec.map(|s| {
        s.containers
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(",")
    })
    .unwrap_or_default()
}

pub(crate) fn container_images(spec: Option<&PodSpec>) -> String {
    spec.map(|s| {
        s.containers
            .iter()
            .map(|c| c.image.as_deref().unwrap_or(""))
            .collect::<Vec<_>>()
            .join(",")
    })
    .unwrap_or_default()
}

/// `labels.FormatLabels`: `k=v,k2=v2` in key order, or `empty` for none.
pub fn format_labels(labels: Option<&BTreeMap<String, String>>, empty: &str) -> String {
    match labels {
        Some(labels) if !labels.is_empty() => labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(","),
        _ => empty.to_string(),
    }
}

/// `metav1.LabelSelectorAsSelector(s).String()`: requirements sorted by key.
pub fn label_selector_string(selector: Option<&LabelSelector>) -> String {
    let Some(selector) = selector else {
        return "<none>".to_string();
    };
    let mut requirements: Vec<(String, String)> = Vec::new();
    for (key, value) in selector.match_labels.iter().flatten() {
        requirements.push((key.clone(), format!("{key}={value}")));
    }
    for expression in selector.match_expressions.iter().flatten() {
        let mut values = expression.values.clone().unwrap_or_default();
        values.sort();
        let key = &expression.key;
        let text = match expression.operator.as_str() {
            "In" => format!("{key} in ({})", values.join(",")),
            "NotIn" => format!("{key} notin ({})", values.join(",")),
            "Exists" => key.clone(),
            "DoesNotExist" => format!("!{key}"),
            other => format!("{key} {other}"),
        };
        requirements.push((key.clone(), text));
    }
    requirements.sort();
    if requirements.is_empty() {
        return String::new();
    }
    requirements
        .into_iter()
        .map(|(_, text)| text)
        .collect::<Vec<_>>()
        .join(",")
}
