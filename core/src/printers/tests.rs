//! Table tests of each kind's cells and of kubectl's human-readable layout.

use super::*;
use crate::api::manifest::parse_manifests;

fn object(yaml: &str) -> Object {
    parse_manifests(yaml).unwrap().remove(0)
}

#[test]
fn human_duration_prints_ages_as_kubectl_does() {
    let cases = [
        (0, "0s"),
        (59, "59s"),
        (119, "119s"),
        (120, "2m"),
        (150, "2m30s"),
        (600, "10m"),
        (3 * 3600, "3h"),
        (3 * 3600 + 300, "3h5m"),
        (30 * 3600, "30h"),
        (50 * 3600, "2d2h"),
        (10 * 86400, "10d"),
        (800 * 86400, "2y70d"),
    ];
    let then = Timestamp::from_millis(1_000_000_000_000);
    for (seconds, expected) in cases {
        let now = Timestamp::from_millis(then.as_millis() + seconds * 1000);
        assert_eq!(human_duration(now, then), expected, "{seconds}s");
    }
}

#[test]
fn a_new_pod_row_shows_zero_ready_pending_and_none_for_node_and_ip() {
    let pod = object(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: a\n    image: nginx\n  - name: b\n    image: busybox\nstatus:\n  phase: Pending\n",
    );
    let cells = cells(&pod, Timestamp::from_millis(0));
    assert_eq!(
        cells,
        vec![
            Cell::from("web"),
            Cell::from("0/2"),
            Cell::from("Pending"),
            Cell::from("0"),
            Cell::from("<unknown>"),
            Cell::from("<none>"),
            Cell::from("<none>"),
            Cell::from("<none>"),
            Cell::from("<none>")
        ]
    );
}

#[test]
fn a_service_row_shows_type_ip_ports_with_node_ports_and_selector() {
    let service = object(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  type: NodePort\n  clusterIP: 10.96.0.10\n  selector:\n    app: web\n  ports:\n  - port: 80\n    nodePort: 30080\n    protocol: TCP\n",
    );
    let cells = cells(&service, Timestamp::from_millis(0));
    assert_eq!(cells[1], Cell::from("NodePort"));
    assert_eq!(cells[2], Cell::from("10.96.0.10"));
    assert_eq!(cells[3], Cell::from("<none>"));
    assert_eq!(cells[4], Cell::from("80:30080/TCP"));
    assert_eq!(cells[6], Cell::from("app=web"));
}

#[test]
fn a_deployment_selector_prints_labels_and_expressions_sorted_by_key() {
    let deployment = object(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n  selector:\n    matchLabels:\n      tier: front\n    matchExpressions:\n    - key: app\n      operator: In\n      values: [web, api]\n  template:\n    metadata:\n      labels:\n        app: web\n        tier: front\n    spec:\n      containers:\n      - name: nginx\n        image: nginx:1.25\n",
    );
    let cells = cells(&deployment, Timestamp::from_millis(0));
    assert_eq!(cells[1], Cell::from("0/3"));
    assert_eq!(cells[5], Cell::from("nginx"));
    assert_eq!(cells[6], Cell::from("nginx:1.25"));
    assert_eq!(cells[7], Cell::from("app in (api,web),tier=front"));
}

#[test]
fn a_wide_table_of_several_kinds_prefixes_names_and_adds_namespace_and_label_columns() {
    let service = Arc::new(object(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: shop\n  labels:\n    app: web\nspec:\n  clusterIP: 10.96.0.10\n  selector:\n    app: web\n  ports:\n  - port: 80\n    protocol: TCP\n",
    ));
    let table = table(Kind::Service, &[service], Timestamp::from_millis(0));
    let options = HumanPrintOptions {
        wide: true,
        show_labels: true,
        label_columns: vec!["example.com/app".to_string()],
        with_namespace: true,
        with_kind: true,
        no_headers: false,
    };
    let text = align_columns(&print_table(&table, &options));
    assert_eq!(
        text,
        "NAMESPACE   NAME          TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE         SELECTOR   APP   LABELS\n\
         shop        service/web   ClusterIP   10.96.0.10   <none>        80/TCP    <unknown>   app=web          app=web\n"
    );
}

#[test]
fn a_narrow_table_hides_the_wide_columns() {
    let namespace = Arc::new(object(
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\nstatus:\n  phase: Active\n",
    ));
    let table = table(Kind::Namespace, &[namespace], Timestamp::from_millis(0));
    let text = align_columns(&print_table(&table, &HumanPrintOptions::default()));
    assert_eq!(text, "NAME   STATUS   AGE\nshop   Active   <unknown>\n");
}
