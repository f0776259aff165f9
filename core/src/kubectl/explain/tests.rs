//! Table tests of the explain renderer over a small hand-made docs table, and of the embedded
//! table for the paths the playground's lessons use.

use super::docs::Docs;
use super::*;

const TABLE: &str = "K\tWidget\tio.example.Widget
T\tio.example.Gear\tGear turns.
F\tteeth\tinteger\t1\t\to\tHow many teeth the gear has.
T\tio.example.Widget\tWidget is a thing.
F\tgears\t[]Gear\t0\tio.example.Gear\tb\tThe gears of the widget.
F\tname\tstring\t0\t\to\t
";

fn path(fields: &[&str]) -> Vec<String> {
    fields.iter().map(|f| f.to_string()).collect()
}

fn run(fields: &[&str], recursive: bool) -> Result<String, ExplainError> {
    let docs = Docs::parse(TABLE).unwrap();
    let field_path = path(fields);
    explain_with(
        &docs,
        &ExplainRequest {
            group: "example.io",
            version: "v1",
            kind: "Widget",
            field_path: &field_path,
            recursive,
        },
    )
}

#[test]
fn a_kind_prints_its_header_description_and_fields() {
    assert_eq!(
        run(&[], false).unwrap(),
        "GROUP:      example.io\nKIND:       Widget\nVERSION:    v1\n\nDESCRIPTION:\n    Widget is a thing.\n    \nFIELDS:\n  gears\t<[]Gear>\n    The gears of the widget.\n\n  name\t<string>\n    <no description>\n\n\n"
    );
}

#[test]
fn a_field_prints_its_own_description_then_its_types_each_on_its_lines() {
    assert_eq!(
        run(&["gears"], false).unwrap(),
        "GROUP:      example.io\nKIND:       Widget\nVERSION:    v1\n\nFIELD: gears <[]Gear>\n\n\nDESCRIPTION:\n    The gears of the widget.\n    Gear turns.\n    \nFIELDS:\n  teeth\t<integer> -required-\n    How many teeth the gear has.\n\n\n"
    );
}

#[test]
fn recursive_prints_the_tree_of_names() {
    assert_eq!(
        run(&[], true).unwrap(),
        "GROUP:      example.io\nKIND:       Widget\nVERSION:    v1\n\nDESCRIPTION:\n    Widget is a thing.\n    \nFIELDS:\n  gears\t<[]Gear>\n    teeth\t<integer> -required-\n  name\t<string>\n\n"
    );
}

#[test]
fn an_unknown_field_names_the_last_element_of_the_path_after_the_header() {
    let table = [
        (vec!["nope"], "field \"nope\" does not exist"),
        (vec!["nope", "deeper"], "field \"deeper\" does not exist"),
        (vec!["name", "deeper"], "field \"deeper\" does not exist"),
    ];
    for (fields, message) in table {
        let error = run(&fields, false).unwrap_err();
        assert_eq!(error.to_string(), message, "{fields:?}");
        let ExplainError::FieldNotFound { printed, .. } = error else {
            panic!("{error:?}");
        };
        assert_eq!(
            printed,
            "GROUP:      example.io\nKIND:       Widget\nVERSION:    v1\n\n"
        );
    }
}

#[test]
fn the_embedded_table_explains_a_pods_containers() {
    let field_path = path(&["spec", "containers"]);
    let text = explain(&ExplainRequest {
        group: "",
        version: "v1",
        kind: "Pod",
        field_path: &field_path,
        recursive: false,
    })
    .unwrap();
    assert!(
        text.starts_with(
            "KIND:       Pod\nVERSION:    v1\n\nFIELD: containers <[]Container>\n\n\n"
        ),
        "{text}"
    );
    assert!(text.contains("\n  image\t<string>\n"), "{text}");
}
