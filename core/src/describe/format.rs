//! The small formatters every describer shares, each the counterpart of a kubectl or
//! apimachinery helper: dates in RFC 1123 with a numeric zone, ages (`HumanDuration`),
//! the multi-line `Labels:` / `Annotations:` / `Taints:` / `Tolerations:` blocks, label
//! selectors, quantities in canonical form and the `Controlled By:` owner.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Taint, Toleration};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, MicroTime, ObjectMeta, Time};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use k8s_openapi::jiff;

use crate::api::labels::Selector;
use crate::api::validation::quantity::ParsedQuantity;
use crate::printers::duration::human_duration_of_millis;
use crate::sim::clock::Timestamp;

use super::writer::{w, PrefixWriter, LEVEL_0};

/// The annotation kubectl never shows (`corev1.LastAppliedConfigAnnotation`).
const LAST_APPLIED_ANNOTATION: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Annotations longer than this (key, value and `: `) print on their own lines.
const MAX_ANNOTATION_LEN: usize = 140;

/// Go's zero `time.Time` in RFC 1123Z, which kubectl prints for a missing time.
const ZERO_TIME_RFC1123Z: &str = "Mon, 01 Jan 0001 00:00:00 +0000";

/// A time as Go's `time.RFC1123Z` prints it in UTC: `Wed, 01 Jan 2025 00:00:00 +0000`.
/// The core has no time zone, so the zone is always `+0000`.
pub(crate) fn rfc1123z(time: Option<&Time>) -> String {
    match time {
        Some(time) => jiff::fmt::strtime::format("%a, %d %b %Y %H:%M:%S +0000", time.0)
            .unwrap_or_else(|_| ZERO_TIME_RFC1123Z.to_string()),
        None => ZERO_TIME_RFC1123Z.to_string(),
    }
}

/// kubectl's `translateTimestampSince`: the age of a time, `<unknown>` when unset.
pub(crate) fn since(now: Timestamp, time: Option<&Time>) -> String {
    match time {
        Some(time) => age(now, time.0),
        None => "<unknown>".to_string(),
    }
}

/// kubectl's `translateMicroTimestampSince`.
pub(crate) fn since_micro(now: Timestamp, time: Option<&MicroTime>) -> String {
    match time {
        Some(time) => age(now, time.0),
        None => "<unknown>".to_string(),
    }
}

fn age(now: Timestamp, then: jiff::Timestamp) -> String {
    human_duration_of_millis(i128::from(now.as_millis()) - i128::from(then.as_millisecond()))
}

/// `printLabelsMultilineWithIndent`: `Labels:  a=b` then one `key=value` per line under it.
pub(crate) fn labels_multiline(
    w: &mut PrefixWriter,
    initial_indent: &str,
    title: &str,
    labels: Option<&BTreeMap<String, String>>,
) {
    let inner_indent = "\t";
    w!(w, LEVEL_0, "{initial_indent}{title}:{inner_indent}");
    let labels = labels.filter(|l| !l.is_empty());
    let Some(labels) = labels else {
        w.write_line("<none>");
        return;
    };
    for (i, (key, value)) in labels.iter().enumerate() {
        if i != 0 {
            w.write(LEVEL_0, initial_indent);
            w.write(LEVEL_0, inner_indent);
        }
        w!(w, LEVEL_0, "{key}={value}\n");
    }
}

/// `printAnnotationsMultiline`: like labels, without the last-applied configuration; long or
/// multi-line values go on indented lines of their own, each cut at 138 bytes.
pub(crate) fn annotations_multiline(
    w: &mut PrefixWriter,
    title: &str,
    annotations: Option<&BTreeMap<String, String>>,
) {
    w!(w, LEVEL_0, "{title}:\t");
    let shown: Vec<(&String, &String)> = annotations
        .into_iter()
        .flatten()
        .filter(|(key, _)| key.as_str() != LAST_APPLIED_ANNOTATION)
        .collect();
    if shown.is_empty() {
        w.write_line("<none>");
        return;
    }
    let indent = "\t";
    for (i, (key, value)) in shown.into_iter().enumerate() {
        if i != 0 {
            w.write(LEVEL_0, indent);
        }
        let value = value.strip_suffix('\n').unwrap_or(value);
        if value.len() + key.len() + 2 > MAX_ANNOTATION_LEN || value.contains('\n') {
            w!(w, LEVEL_0, "{key}:\n");
            for line in value.split('\n') {
                w!(
                    w,
                    LEVEL_0,
                    "{indent}  {}\n",
                    shorten(line, MAX_ANNOTATION_LEN - 2)
                );
            }
        } else {
            w!(w, LEVEL_0, "{key}: {value}\n");
        }
    }
}

/// kubectl's `shorten`: the first `max` bytes and `...` (cut back to a character boundary,
/// where Go would cut inside a UTF-8 sequence).
fn shorten(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &s[..end])
}

/// `printNodeTaintsMultiline`: sorted by effect then key, as `key=value:Effect`.
pub(crate) fn taints_multiline(w: &mut PrefixWriter, title: &str, taints: &[Taint]) {
    w!(w, LEVEL_0, "{title}:\t");
    if taints.is_empty() {
        w.write_line("<none>");
        return;
    }
    let mut sorted: Vec<&Taint> = taints.iter().collect();
    sorted.sort_by(|a, b| (&a.effect, &a.key).cmp(&(&b.effect, &b.key)));
    for (i, taint) in sorted.into_iter().enumerate() {
        if i != 0 {
            w.write(LEVEL_0, "\t");
        }
        w!(w, LEVEL_0, "{}\n", taint_string(taint));
    }
}

/// `Taint.ToString()`.
pub(crate) fn taint_string(taint: &Taint) -> String {
    match taint.value.as_deref().filter(|v| !v.is_empty()) {
        Some(value) => format!("{}={}:{}", taint.key, value, taint.effect),
        None => format!("{}:{}", taint.key, taint.effect),
    }
}

/// `printTolerationsMultilineWithIndent`, sorted by key.
pub(crate) fn tolerations_multiline(
    w: &mut PrefixWriter,
    initial_indent: &str,
    title: &str,
    tolerations: &[Toleration],
) {
    w!(w, LEVEL_0, "{initial_indent}{title}:\t");
    if tolerations.is_empty() {
        w.write_line("<none>");
        return;
    }
    let mut sorted: Vec<&Toleration> = tolerations.iter().collect();
    sorted.sort_by(|a, b| a.key.cmp(&b.key));
    for (i, toleration) in sorted.into_iter().enumerate() {
        if i != 0 {
            w.write(LEVEL_0, initial_indent);
            w.write(LEVEL_0, "\t");
        }
        let key = toleration.key.as_deref().unwrap_or("");
        let value = toleration.value.as_deref().unwrap_or("");
        let effect = toleration.effect.as_deref().unwrap_or("");
        let mut text = key.to_string();
        if !value.is_empty() {
            text.push('=');
            text.push_str(value);
        }
        if !effect.is_empty() {
            text.push(':');
            text.push_str(effect);
        }
        if toleration.operator.as_deref() == Some("Exists") && value.is_empty() {
            if !key.is_empty() || !effect.is_empty() {
                text.push_str(" op=Exists");
            } else {
                text.push_str("op=Exists");
            }
        }
        if let Some(seconds) = toleration.toleration_seconds {
            text.push_str(&format!(" for {seconds}s"));
        }
        w!(w, LEVEL_0, "{text}\n");
    }
}

/// `labels.FormatLabels`: `a=b,c=d`, or `<none>`.
pub(crate) fn format_labels(labels: Option<&BTreeMap<String, String>>) -> String {
    let text = labels
        .into_iter()
        .flatten()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",");
    if text.is_empty() {
        "<none>".to_string()
    } else {
        text
    }
}

/// A `LabelSelector` as its canonical string (`metav1.LabelSelectorAsSelector(…).String()`),
/// `None` when it does not convert (kubectl then prints `<error>` or fails).
pub(crate) fn selector_string(selector: Option<&LabelSelector>) -> Option<String> {
    Selector::from_label_selector(selector)
        .ok()
        .map(|s| s.to_string())
}

/// `metav1.FormatLabelSelector`: the selector string, `<none>` when empty, `<error>` when it
/// does not convert.
pub(crate) fn format_label_selector(selector: Option<&LabelSelector>) -> String {
    match selector_string(selector) {
        Some(text) if text.is_empty() => "<none>".to_string(),
        Some(text) => text,
        None => "<error>".to_string(),
    }
}

/// A quantity in canonical form (`resource.Quantity.String()`); text that does not parse is
/// shown as stored.
pub(crate) fn quantity(text: &str) -> String {
    ParsedQuantity::parse(text).map_or_else(|_| text.to_string(), |q| q.to_string())
}

/// `IntOrString.String()`.
pub(crate) fn int_or_string(value: &IntOrString) -> String {
    match value {
        IntOrString::Int(i) => i.to_string(),
        IntOrString::String(s) => s.clone(),
    }
}

/// `printController`: `Kind/name` of the controlling owner, if any.
pub(crate) fn controlled_by(meta: &ObjectMeta) -> Option<String> {
    meta.owner_references
        .iter()
        .flatten()
        .find(|r| r.controller == Some(true))
        .map(|r| format!("{}/{}", r.kind, r.name))
}

/// `printBool`.
pub(crate) fn print_bool(value: bool) -> &'static str {
    if value {
        "True"
    } else {
        "False"
    }
}

/// `stringOrNone`.
pub(crate) fn string_or_none(s: &str) -> &str {
    if s.is_empty() {
        "<none>"
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::clock::SIM_EPOCH;

    #[test]
    fn ages_read_like_kubectl_human_duration() {
        let cases: [(i64, &str); 14] = [
            (-5_000, "<invalid>"),
            (-1_500, "0s"),
            (0, "0s"),
            (10_000, "10s"),
            (119_000, "119s"),
            (123_000, "2m3s"),
            (180_000, "3m"),
            (15 * 60_000, "15m"),
            (179 * 60_000, "179m"),
            (200 * 60_000, "3h20m"),
            (10 * 3_600_000, "10h"),
            (53 * 3_600_000, "2d5h"),
            (400 * 86_400_000, "400d"),
            (750 * 86_400_000, "2y20d"),
        ];
        for (ms, want) in cases {
            assert_eq!(human_duration_of_millis(i128::from(ms)), want, "{ms}");
        }
    }

    #[test]
    fn dates_print_as_rfc1123z_in_utc_and_missing_ones_as_go_zero_time() {
        let time = SIM_EPOCH
            .plus(std::time::Duration::from_secs(3723))
            .to_k8s_time();
        assert_eq!(rfc1123z(Some(&time)), "Wed, 01 Jan 2025 01:02:03 +0000");
        assert_eq!(rfc1123z(None), "Mon, 01 Jan 0001 00:00:00 +0000");
    }

    #[test]
    fn long_annotations_go_on_their_own_lines_and_last_applied_is_hidden() {
        let long = "x".repeat(150);
        let annotations = BTreeMap::from([
            ("a".to_string(), "1".to_string()),
            ("b".to_string(), long.clone()),
            (LAST_APPLIED_ANNOTATION.to_string(), "{}".to_string()),
        ]);
        let mut w = PrefixWriter::new();
        annotations_multiline(&mut w, "Annotations", Some(&annotations));
        let want = format!(
            "Annotations:  a: 1\n              b:\n                {}...\n",
            &long[..138]
        );
        assert_eq!(w.finish(), want);
    }

    #[test]
    fn tolerations_print_key_value_effect_operator_and_seconds() {
        let toleration = |key: &str, op: &str, effect: &str, seconds: Option<i64>| Toleration {
            key: Some(key.to_string()).filter(|k| !k.is_empty()),
            operator: Some(op.to_string()),
            effect: Some(effect.to_string()).filter(|e| !e.is_empty()),
            toleration_seconds: seconds,
            value: None,
        };
        let mut w = PrefixWriter::new();
        tolerations_multiline(
            &mut w,
            "",
            "Tolerations",
            &[
                toleration(
                    "node.kubernetes.io/unreachable",
                    "Exists",
                    "NoExecute",
                    Some(300),
                ),
                toleration("", "Exists", "", None),
            ],
        );
        assert_eq!(
            w.finish(),
            "Tolerations:  op=Exists\n              node.kubernetes.io/unreachable:NoExecute op=Exists for 300s\n"
        );
    }
}
