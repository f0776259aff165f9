//! Table tests for label selectors, taken from the Kubernetes "Labels and Selectors" page and
//! from `k8s.io/apimachinery/pkg/labels/selector_test.go`.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, LabelSelectorRequirement};
use proptest::prelude::*;

use super::*;

/// (selector, object labels, whether it matches)
type MatchCase = (&'static str, &'static [(&'static str, &'static str)], bool);

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn selectors_from_the_kubernetes_docs_match_as_documented() {
    let prod_front = labels(&[("environment", "production"), ("tier", "frontend")]);
    let qa_back = labels(&[
        ("environment", "qa"),
        ("tier", "backend"),
        ("partition", "a"),
    ]);
    let dev_cache = labels(&[("environment", "dev"), ("tier", "cache")]);
    let unlabeled = labels(&[]);
    // (selector, [prod_front, qa_back, dev_cache, unlabeled])
    let cases: &[(&str, [bool; 4])] = &[
        ("environment = production", [true, false, false, false]),
        ("environment == production", [true, false, false, false]),
        ("tier != frontend", [false, true, true, true]),
        (
            "environment in (production, qa)",
            [true, true, false, false],
        ),
        ("tier notin (frontend, backend)", [false, false, true, true]),
        ("partition", [false, true, false, false]),
        ("!partition", [true, false, true, true]),
        (
            "environment=production,tier=frontend",
            [true, false, false, false],
        ),
        (
            "environment in (production, qa),!partition",
            [true, false, false, false],
        ),
        (
            "partition,environment notin (qa)",
            [false, false, false, false],
        ),
        (
            "environment,environment notin (frontend)",
            [true, true, true, false],
        ),
        ("", [true, true, true, true]),
    ];
    let objects = [&prod_front, &qa_back, &dev_cache, &unlabeled];
    for (input, want) in cases {
        let selector = parse(input).unwrap_or_else(|e| panic!("{input:?} should parse: {e}"));
        for (object, want) in objects.iter().zip(want) {
            assert_eq!(
                selector.matches(*object),
                *want,
                "{input:?} against {object:?}"
            );
        }
    }
}

#[test]
fn selector_with_notin_or_not_equals_matches_objects_without_the_key() {
    let no_tier = labels(&[("app", "web")]);
    assert!(parse("tier notin (frontend)").unwrap().matches(&no_tier));
    assert!(parse("tier!=frontend").unwrap().matches(&no_tier));
    assert!(!parse("tier in (frontend)").unwrap().matches(&no_tier));
    assert!(!parse("tier=frontend").unwrap().matches(&no_tier));
}

#[test]
fn greater_and_less_than_need_the_key_with_an_integer_value() {
    let cases: &[MatchCase] = &[
        ("x>1", &[("x", "2")], true),
        ("x>1", &[("x", "1")], false),
        ("x>1", &[("x", "0")], false),
        ("x<1", &[("x", "0")], true),
        ("x<1", &[("x", "2")], false),
        ("x>1", &[], false),
        ("x<1", &[], false),
        ("x>1", &[("x", "two")], false),
        ("x<1", &[("x", "")], false),
        ("x>-1", &[("x", "0")], false), // "-1" is not a valid label value: parse fails below
    ];
    for (input, object, want) in cases {
        let Ok(selector) = parse(input) else {
            assert_eq!(
                *input, "x>-1",
                "only the negative value should fail to parse"
            );
            continue;
        };
        assert_eq!(
            selector.matches(&labels(object)),
            *want,
            "{input:?} against {object:?}"
        );
    }
}

#[test]
fn apimachinery_match_table_holds() {
    let cases: &[MatchCase] = &[
        ("", &[("x", "y")], true),
        ("x=y", &[("x", "y")], true),
        ("x=y,z=w", &[("x", "y"), ("z", "w")], true),
        ("x!=y,z!=w", &[("x", "z"), ("z", "a")], true),
        ("notin=in", &[("notin", "in")], true),
        ("x", &[("x", "z")], true),
        ("!x", &[("y", "z")], true),
        ("x=z", &[], false),
        ("x=y", &[("x", "z")], false),
        ("x=y,z=w", &[("x", "w"), ("z", "w")], false),
        ("x!=y,z!=w", &[("x", "z"), ("z", "w")], false),
        ("x", &[("y", "z")], false),
        ("!x", &[("x", "z")], false),
        (
            "foo=bar,foobar=bar,baz=blah",
            &[("foo", "bar"), ("baz", "blah")],
            false,
        ),
        ("x in ()", &[("x", "")], true),
        ("x notin ()", &[("x", "")], false),
        ("x=", &[("x", "")], true),
    ];
    for (input, object, want) in cases {
        let selector = parse(input).unwrap_or_else(|e| panic!("{input:?} should parse: {e}"));
        assert_eq!(
            selector.matches(&labels(object)),
            *want,
            "{input:?} against {object:?}"
        );
    }
}

#[test]
fn parsed_selectors_print_in_canonical_form_sorted_by_key() {
    let cases = [
        ("x=a,y=b,z=c", "x=a,y=b,z=c"),
        ("", ""),
        ("x!=a,y=b", "x!=a,y=b"),
        ("x=", "x="),
        ("x= ", "x="),
        ("x=,z= ", "x=,z="),
        ("x= ,z= ", "x=,z="),
        ("!x", "!x"),
        ("x>1", "x>1"),
        ("x>1,z<5", "x>1,z<5"),
        ("x==a", "x==a"),
        ("z=a,a=z", "a=z,z=a"),
        (
            "tier notin (frontend, backend)",
            "tier notin (backend,frontend)",
        ),
        ("env in (qa,prod,qa)", "env in (prod,qa)"),
        (
            "x in (foo,,baz),y,z notin ()",
            "x in (,baz,foo),y,z notin ()",
        ),
        ("x in (a,)", "x in (,a)"),
        ("x in (a,,)", "x in (,a)"),
        ("  partition  ,  !gpu ", "!gpu,partition"),
        (
            "in in (in), notin notin (notin)",
            "in in (in),notin notin (notin)",
        ),
        ("example.com/app=web", "example.com/app=web"),
    ];
    for (input, want) in cases {
        let selector = parse(input).unwrap_or_else(|e| panic!("{input:?} should parse: {e}"));
        assert_eq!(selector.to_string(), want, "printing {input:?}");
    }
}

#[test]
fn parse_errors_use_kubernetes_wording() {
    const NAME_PART: &str = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
    let value_err = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
    let cases: Vec<(&str, String)> = vec![
        (
            "x=a||y=b",
            format!("unable to parse requirement: values[0][x]: Invalid value: \"a||y\": {value_err}"),
        ),
        (
            "x==a==b",
            "found '==', expected: ',' or 'end of string'".to_string(),
        ),
        (
            "!x=a",
            "found '=', expected: ',' or 'end of string'".to_string(),
        ),
        (
            "x<a",
            "unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, the value must be an integer".to_string(),
        ),
        (
            "x in a",
            "unable to parse requirement: found 'a' expected: '('".to_string(),
        ),
        (
            "x in (a b)",
            "unable to parse requirement: found 'b', expected: ',' or ')'".to_string(),
        ),
        (
            "x in (a",
            "unable to parse requirement: found '', expected: ',' or ')'".to_string(),
        ),
        (
            "x in (=)",
            "unable to parse requirement: found '=', expected: ',', ')' or identifier".to_string(),
        ),
        (
            "x in (a,=)",
            "unable to parse requirement: found '=', expected: ',', or identifier".to_string(),
        ),
        (
            "x y",
            "unable to parse requirement: found 'y', expected: in, notin, =, ==, !=, gt, lt".to_string(),
        ),
        (
            "x=(",
            "unable to parse requirement: found '(', expected: identifier".to_string(),
        ),
        ("x,", "found '', expected: identifier after ','".to_string()),
        ("x,,y", "found ',', expected: identifier after ','".to_string()),
        (
            ",x",
            "found ',', expected: !, identifier, or 'end of string'".to_string(),
        ),
        (
            "!",
            "unable to parse requirement: found '', expected: identifier".to_string(),
        ),
        (
            "Bad Key=x",
            "unable to parse requirement: found 'Key', expected: in, notin, =, ==, !=, gt, lt".to_string(),
        ),
        (
            "-bad=x",
            format!("unable to parse requirement: <nil>: Invalid value: \"-bad\": {NAME_PART}"),
        ),
        (
            "/x=y",
            "unable to parse requirement: <nil>: Invalid value: \"/x\": prefix part must be non-empty".to_string(),
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
fn everything_matches_all_and_nothing_matches_none() {
    let object = labels(&[("x", "y")]);
    assert!(Selector::everything().matches(&object));
    assert!(Selector::everything().is_empty());
    assert!(!Selector::nothing().matches(&object));
    assert!(!Selector::nothing().matches(&labels(&[])));
    assert!(!Selector::nothing().is_empty());
    assert!(Selector::nothing().is_nothing());
    assert_eq!(Selector::nothing().to_string(), "");
}

#[test]
fn set_selectors_require_every_pair() {
    let object = labels(&[("foo", "bar"), ("baz", "blah")]);
    let cases: &[(&[(&str, &str)], bool)] = &[
        (&[], true),
        (&[("foo", "bar")], true),
        (&[("baz", "blah")], true),
        (&[("foo", "bar"), ("baz", "blah")], true),
        (&[("foo", "blah")], false),
        (&[("foo", "bar"), ("other", "x")], false),
    ];
    for (set, want) in cases {
        let selector = Selector::from_set(&labels(set));
        assert_eq!(selector.matches(&object), *want, "set {set:?}");
    }
    assert_eq!(
        Selector::from_set(&labels(&[("tier", "web"), ("app", "nginx")])).to_string(),
        "app=nginx,tier=web"
    );
    assert!(Selector::from_set(&labels(&[])).is_empty());
}

#[test]
fn validated_set_selector_rejects_bad_values() {
    let err = Selector::validated_from_set(&labels(&[("app", "-x")])).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("values[0][app]: Invalid value: \"-x\": a valid label must be"),
        "{err}"
    );
    assert!(Selector::validated_from_set(&labels(&[("app", "x")])).is_ok());
}

fn expression(key: &str, operator: &str, values: Option<&[&str]>) -> LabelSelectorRequirement {
    LabelSelectorRequirement {
        key: key.to_string(),
        operator: operator.to_string(),
        values: values.map(|v| v.iter().map(|s| s.to_string()).collect()),
    }
}

#[test]
fn label_selector_objects_convert_like_label_selector_as_selector() {
    assert!(Selector::from_label_selector(None).unwrap().is_nothing());
    assert!(
        Selector::from_label_selector(Some(&LabelSelector::default()))
            .unwrap()
            .is_empty()
    );
    let selector = LabelSelector {
        match_labels: Some(labels(&[("app", "web")])),
        match_expressions: Some(vec![
            expression("tier", "In", Some(&["frontend", "cache"])),
            expression("env", "NotIn", Some(&["dev"])),
            expression("canary", "DoesNotExist", None),
            expression("zone", "Exists", Some(&[])),
        ]),
    };
    let selector = Selector::from_label_selector(Some(&selector)).unwrap();
    assert_eq!(
        selector.to_string(),
        "app=web,!canary,env notin (dev),tier in (cache,frontend),zone"
    );
    assert!(selector.matches(&labels(&[("app", "web"), ("tier", "cache"), ("zone", "a")])));
    assert!(!selector.matches(&labels(&[("app", "web"), ("tier", "cache")])));
}

#[test]
fn label_selector_object_errors_use_kubernetes_wording() {
    let cases = [
        (
            expression("tier", "In", None),
            "values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty",
        ),
        (
            expression("tier", "NotIn", Some(&[])),
            "values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty",
        ),
        (
            expression("tier", "Exists", Some(&["a"])),
            "values: Invalid value: [\"a\"]: values set must be empty for exists and does not exist",
        ),
        (
            expression("tier", "DoesNotExist", Some(&["a", "b"])),
            "values: Invalid value: [\"a\",\"b\"]: values set must be empty for exists and does not exist",
        ),
        (
            expression("tier", "Gt", Some(&["1"])),
            "\"Gt\" is not a valid label selector operator",
        ),
        (
            expression("tier", "in", Some(&["a"])),
            "\"in\" is not a valid label selector operator",
        ),
        (
            expression("-tier", "Exists", None),
            "key: Invalid value: \"-tier\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
        ),
    ];
    for (expr, want) in cases {
        let selector = LabelSelector {
            match_labels: None,
            match_expressions: Some(vec![expr.clone()]),
        };
        let err = Selector::from_label_selector(Some(&selector)).unwrap_err();
        assert_eq!(err.to_string(), want, "error for {expr:?}");
    }
}

#[test]
fn several_requirement_errors_are_aggregated_in_brackets() {
    let err = Requirement::new("-k", Operator::In, vec![]).unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("[key: Invalid value: \"-k\": name part"),
        "{text}"
    );
    assert!(
        text.ends_with(", values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty]"),
        "{text}"
    );
}

#[test]
fn exact_match_value_reports_pinned_values_only() {
    let cases: &[(&str, &str, Option<&str>)] = &[
        ("app=web", "app", Some("web")),
        ("app==web", "app", Some("web")),
        ("app in (web)", "app", Some("web")),
        ("app in (web,db)", "app", None),
        ("app!=web", "app", None),
        ("app", "app", None),
        ("tier=x", "app", None),
        ("", "app", None),
    ];
    for (input, key, want) in cases {
        assert_eq!(
            parse(input).unwrap().exact_match_value(key),
            *want,
            "{input:?} / {key}"
        );
    }
}

#[test]
fn labels_in_object_metadata_can_be_absent() {
    let none: Option<BTreeMap<String, String>> = None;
    assert!(parse("!app").unwrap().matches(&none));
    assert!(!parse("app").unwrap().matches(&none));
    assert!(parse("app=web")
        .unwrap()
        .matches(&Some(labels(&[("app", "web")]))));
}

proptest! {
    #[test]
    fn parse_never_panics_on_arbitrary_strings(input in any::<String>()) {
        let _ = parse(&input);
    }

    #[test]
    fn parse_never_panics_on_selector_like_strings(input in "[a-c!=<>(), ]{0,24}|(in|notin|[a-c]|[!=<>(),]| )*") {
        let _ = parse(&input);
    }

    #[test]
    fn printing_a_parsed_selector_parses_back_to_the_same_selector(
        input in "(!?[a-c](=|==|!=|>|<| in | notin )?(\\(?[0-9ab]?(,[0-9ab]?)?\\)?)?)(,(!?[a-c](=|==|!=|>|<| in | notin )?(\\(?[0-9ab]?(,[0-9ab]?)?\\)?)?)){0,3}"
    ) {
        if let Ok(selector) = parse(&input) {
            let printed = selector.to_string();
            let reparsed = parse(&printed);
            prop_assert_eq!(reparsed.as_ref(), Ok(&selector), "printed as {:?}", printed);
        }
    }
}
