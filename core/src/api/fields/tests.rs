//! Table tests for field selectors, after `k8s.io/apimachinery/pkg/fields/selector_test.go`
//! and the Kubernetes "Field Selectors" page.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;

fn fields(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn field_selectors_print_sorted_with_double_equals_as_equals() {
    let cases = [
        ("", ""),
        ("x=a", "x=a"),
        ("x=a,y=b,z=c", "x=a,y=b,z=c"),
        ("z=c,x=a", "x=a,z=c"),
        ("x==a", "x=a"),
        ("x!=a,y=b", "x!=a,y=b"),
        ("x=", "x="),
        ("x=,z=", "x=,z="),
        ("x=a,", "x=a"),
        (",x=a", "x=a"),
        ("=", ""),
        ("x=a\\,b", "x=a\\,b"),
        ("x=a\\=b", "x=a\\=b"),
        ("x=a\\\\b", "x=a\\\\b"),
        ("x=a!b", "x=a!b"),
        (
            "metadata.name=my-service,metadata.namespace!=default",
            "metadata.name=my-service,metadata.namespace!=default",
        ),
    ];
    for (input, want) in cases {
        let selector = parse(input).unwrap_or_else(|e| panic!("{input:?} should parse: {e}"));
        assert_eq!(selector.to_string(), want, "printing {input:?}");
    }
}

#[test]
fn escaped_values_are_unescaped_in_requirements() {
    let selector = parse("a=x\\,y\\=z\\\\").unwrap();
    assert_eq!(
        selector.requirements(),
        &[FieldRequirement {
            field: "a".to_string(),
            operator: FieldOperator::Equals,
            value: "x,y=z\\".to_string(),
        }]
    );
}

#[test]
fn field_selector_errors_use_kubernetes_wording() {
    let cases = [
        ("x", "invalid selector: 'x'; can't understand 'x'"),
        ("x||y", "invalid selector: 'x||y'; can't understand 'x||y'"),
        ("a=b,c", "invalid selector: 'a=b,c'; can't understand 'c'"),
        (
            "x=a=b",
            "invalid field selector: unescaped character in value: 61",
        ),
        (
            "x==a==b",
            "invalid field selector: unescaped character in value: 61",
        ),
        (
            "x=a\\b",
            "invalid field selector: invalid escape sequence: \\b",
        ),
        (
            "x=a\\",
            "invalid field selector: invalid escape sequence: \\",
        ),
        (
            "a\\=b=c",
            "invalid field selector: unescaped character in value: 61",
        ),
    ];
    for (input, want) in cases {
        match parse(input) {
            Ok(selector) => panic!("{input:?} should not parse, got {selector}"),
            Err(err) => assert_eq!(err.to_string(), want, "error for {input:?}"),
        }
    }
}

#[test]
fn field_selectors_match_missing_fields_as_empty_strings() {
    let pending = fields(&[("metadata.name", "web"), ("status.phase", "Pending")]);
    let running = fields(&[
        ("metadata.name", "db"),
        ("status.phase", "Running"),
        ("spec.nodeName", "node-1"),
    ]);
    let cases: &[(&str, [bool; 2])] = &[
        ("", [true, true]),
        ("status.phase=Running", [false, true]),
        ("status.phase==Running", [false, true]),
        ("status.phase!=Running", [true, false]),
        ("spec.nodeName=", [true, false]),
        ("spec.nodeName!=", [false, true]),
        ("spec.nodeName=node-1,status.phase=Running", [false, true]),
        ("metadata.name=web,status.phase!=Running", [true, false]),
    ];
    for (input, want) in cases {
        let selector = parse(input).unwrap();
        assert_eq!(
            selector.matches(&pending),
            want[0],
            "{input:?} against pending"
        );
        assert_eq!(
            selector.matches(&running),
            want[1],
            "{input:?} against running"
        );
    }
}

#[test]
fn exact_match_value_finds_equality_terms_only() {
    let selector = parse("spec.nodeName=node-1,status.phase!=Failed").unwrap();
    assert_eq!(selector.exact_match_value("spec.nodeName"), Some("node-1"));
    assert_eq!(selector.exact_match_value("status.phase"), None);
    assert_eq!(
        FieldSelector::everything().exact_match_value("spec.nodeName"),
        None
    );
    assert_eq!(
        FieldSelector::one_term_equal("spec.nodeName", "n").to_string(),
        "spec.nodeName=n"
    );
}

#[test]
fn supported_field_labels_follow_the_api_server() {
    let cases: &[(&str, &[&str], &[&str])] = &[
        (
            "Pod",
            &[
                "metadata.name",
                "metadata.namespace",
                "spec.nodeName",
                "spec.restartPolicy",
                "spec.schedulerName",
                "spec.serviceAccountName",
                "spec.hostNetwork",
                "status.phase",
                "status.podIP",
                "status.podIPs",
                "status.nominatedNodeName",
            ],
            &["spec.containers", "status.hostIP"],
        ),
        (
            "Node",
            &["metadata.name", "spec.unschedulable"],
            &["metadata.namespace", "status.phase"],
        ),
        (
            "Namespace",
            &["metadata.name", "status.phase"],
            &["metadata.namespace"],
        ),
        (
            "Event",
            &[
                "involvedObject.kind",
                "involvedObject.name",
                "involvedObject.uid",
                "reason",
                "source",
                "type",
                "reportingComponent",
                "metadata.namespace",
            ],
            &["message"],
        ),
        (
            "ReplicationController",
            &["metadata.name", "metadata.namespace", "status.replicas"],
            &["spec.replicas"],
        ),
        (
            "Service",
            &[
                "metadata.name",
                "metadata.namespace",
                "spec.clusterIP",
                "spec.type",
            ],
            &["spec.selector"],
        ),
        (
            "ReplicaSet",
            &["metadata.name", "metadata.namespace"],
            &["status.replicas"],
        ),
        (
            "Deployment",
            &["metadata.name", "metadata.namespace"],
            &["spec.replicas"],
        ),
        (
            "Endpoints",
            &["metadata.name", "metadata.namespace"],
            &["subsets"],
        ),
        (
            "EndpointSlice",
            &["metadata.name", "metadata.namespace"],
            &["addressType"],
        ),
        (
            "ConfigMap",
            &["metadata.name", "metadata.namespace"],
            &["data"],
        ),
        (
            "Lease",
            &["metadata.name", "metadata.namespace"],
            &["spec.holderIdentity"],
        ),
    ];
    for (kind, accepted, rejected) in cases {
        for label in *accepted {
            assert!(
                supported_field_labels(kind).contains(label),
                "{kind} should accept {label}"
            );
            assert_eq!(
                convert_field_label(kind, label),
                Ok(*label),
                "{kind} {label}"
            );
        }
        for label in *rejected {
            assert!(
                !supported_field_labels(kind).contains(label),
                "{kind} should reject {label}"
            );
            assert!(convert_field_label(kind, label).is_err(), "{kind} {label}");
        }
    }
}

#[test]
fn unsupported_field_labels_get_the_api_servers_message() {
    let cases = [
        ("Pod", "foo", "field label not supported: foo"),
        ("Node", "metadata.namespace", "field label not supported: metadata.namespace"),
        ("Event", "message", "field label not supported: message"),
        (
            "ReplicaSet",
            "status.replicas",
            "\"status.replicas\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"",
        ),
        (
            "Ingress",
            "foo.bar",
            "\"foo.bar\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"",
        ),
    ];
    for (kind, label, want) in cases {
        let err = convert_field_label(kind, label).unwrap_err();
        assert_eq!(err.to_string(), want, "{kind} {label}");
    }
}

#[test]
fn pod_spec_host_is_read_as_spec_node_name() {
    let selector = parse("spec.host=node-1")
        .unwrap()
        .convert_for_kind("Pod")
        .unwrap();
    assert_eq!(selector.to_string(), "spec.nodeName=node-1");
    assert_eq!(
        parse("status.phase=Running,foo=bar")
            .unwrap()
            .convert_for_kind("Pod")
            .unwrap_err(),
        UnsupportedFieldLabel::NotSupported {
            label: "foo".to_string()
        }
    );
}

proptest! {
    #[test]
    fn parse_never_panics_on_arbitrary_strings(input in any::<String>()) {
        let _ = parse(&input);
    }

    #[test]
    fn printing_a_parsed_field_selector_parses_back_to_the_same_selector(
        input in "([a-c.]{0,3}(=|==|!=)([a-c!]|\\\\[,=\\\\])*)(,[a-c.]{0,3}(=|==|!=)([a-c!]|\\\\[,=\\\\])*){0,3}"
    ) {
        if let Ok(selector) = parse(&input) {
            let printed = selector.to_string();
            // Kubernetes sorts terms by their escaped text, so the order may change once
            // (`==a` before `=\\`, then `=\\` before `=a`); the terms themselves do not.
            let mut want = selector.requirements().to_vec();
            let reparsed = parse(&printed);
            prop_assert!(reparsed.is_ok(), "printed as {:?}", printed);
            let mut got = reparsed.map(|s| s.requirements().to_vec()).unwrap_or_default();
            want.sort_by(|a, b| (&a.field, a.operator, &a.value).cmp(&(&b.field, b.operator, &b.value)));
            got.sort_by(|a, b| (&a.field, a.operator, &a.value).cmp(&(&b.field, b.operator, &b.value)));
            prop_assert_eq!(got, want, "printed as {:?}", printed);
        }
    }
}
