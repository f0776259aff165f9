//! Scenario tests of the writing commands: a script run against a [`World`], with files and
//! pod logs from a test [`Host`], compared with `core/tests/golden/kubectl_write.txt`. Lines
//! `play advance N` let the cluster react for N seconds between commands.

use std::collections::BTreeMap;
use std::time::Duration;

use super::*;
use crate::sim::world::{World, WorldConfig};

const WEB: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
";

const WEB_CHANGED: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  color: blue
";

/// Logs of a test runtime: every container says hello three times.
struct FakeLogs;

impl PodLogs for FakeLogs {
    fn logs(
        &mut self,
        _api: &mut dyn KubectlApi,
        _namespace: &str,
        pod: &str,
        container: Option<&str>,
        previous: bool,
    ) -> Result<String, String> {
        if previous {
            return Err(format!(
                "previous terminated container \"{}\" in pod \"{pod}\" not found",
                container.unwrap_or("")
            ));
        }
        Ok(format!(
            "hello 1 from {pod}/{c}\nhello 2 from {pod}/{c}\nhello 3 from {pod}/{c}\n",
            c = container.unwrap_or("")
        ))
    }
}

fn transcript(world: &mut World, lines: &[&str]) -> String {
    let mut files = BTreeMap::new();
    files.insert("web.yaml".to_string(), WEB.to_string());
    files.insert("web-v2.yaml".to_string(), WEB_CHANGED.to_string());
    files.insert("broken.yaml".to_string(), "kind: [".to_string());
    let mut logs = FakeLogs;
    let mut text = String::new();
    for line in lines {
        if let Some(seconds) = line.strip_prefix("play advance ") {
            world.advance(Duration::from_secs(seconds.parse().unwrap_or(1)));
            text.push_str(&format!("$ {line}\n\n"));
            continue;
        }
        let now = world.now();
        let mut host = Host {
            files: files.clone(),
            logs: if line.contains("--no-logs") {
                None
            } else {
                Some(&mut logs)
            },
        };
        let line = line.replace(" --no-logs", "");
        let output = Kubectl::default().run_with_host(world.api(), now, &line, &mut host);
        text.push_str(&format!("$ {line}\n{}", output.stdout));
        for error_line in output.stderr.lines() {
            text.push_str(&format!("! {error_line}\n"));
        }
        if output.exit_code != 0 {
            text.push_str(&format!("[exit {}]\n", output.exit_code));
        }
        text.push('\n');
        world.settle();
    }
    text
}

const WRITE_SCRIPT: &[&str] = &[
    "kubectl apply -f web.yaml",
    "play advance 30",
    "kubectl apply -f web.yaml",
    "kubectl get deploy web -o jsonpath={.metadata.annotations}",
    "kubectl label deploy web owner=ops",
    "kubectl apply -f web-v2.yaml",
    "play advance 30",
    "kubectl get deploy web --show-labels",
    "kubectl apply",
    "kubectl apply -f missing.yaml",
    "kubectl apply -f broken.yaml",
    "kubectl create -f web.yaml",
    "kubectl create deployment api --image=nginx:1.25 --replicas=2 --port=80",
    "kubectl create deployment api --image=nginx",
    "kubectl create deployment x",
    "kubectl create deployment --image=x",
    "kubectl create service clusterip api --tcp=80:8080",
    "kubectl create service clusterip api --tcp=80:8080",
    "kubectl create service nodeport np --tcp=80",
    "kubectl create service clusterip s2",
    "kubectl create service foo x",
    "kubectl create namespace team",
    "kubectl create ns team",
    "kubectl create",
    "kubectl run one --image=busybox --restart=Never --labels=a=b --port=80",
    "kubectl run one --image=busybox",
    "kubectl run two",
    "kubectl run --image=x",
    "kubectl expose deployment web --port=80 --target-port=8080 --name=web2",
    "kubectl expose deployment web",
    "kubectl expose deployment web --port=80",
    "kubectl expose deployment nope --port=80",
    "kubectl expose pod one",
    "kubectl expose",
    "kubectl get svc",
    "play advance 30",
    "kubectl scale deploy/web --replicas=4",
    "kubectl scale deploy web --replicas=4",
    "kubectl scale deploy/web",
    "kubectl scale deploy/web --replicas=-1",
    "kubectl scale deploy/nope --replicas=1",
    "kubectl scale --replicas=2",
    "kubectl label deploy web tier=front",
    "kubectl label deploy web tier=back",
    "kubectl label deploy web tier=back --overwrite",
    "kubectl label deploy web tier-",
    "kubectl label deploy web tier-",
    "kubectl label deploy web",
    "kubectl label pods --all x=y",
    "kubectl label pods -l app=nothing z=1",
    "kubectl annotate deploy web note=hi",
    "kubectl annotate deploy web note=ho",
    "kubectl annotate deploy web note-",
    "kubectl annotate deploy web",
    "kubectl rollout status deploy/web",
    "play advance 60",
    "kubectl rollout status deploy/web",
    "kubectl set image deploy/web nginx=nginx:1.27",
    "kubectl set image deploy/web nginx=nginx:1.27",
    "kubectl set image deploy/web foo=nginx:1.27",
    "kubectl set image deploy/web",
    "kubectl rollout status deploy/web",
    "play advance 120",
    "kubectl rollout status deploy/web",
    "kubectl rollout history deploy/web",
    "kubectl rollout history deploy/web --revision=1",
    "kubectl rollout undo deploy/web --to-revision=42",
    "kubectl rollout undo deploy/web",
    "play advance 120",
    "kubectl get deploy web -o jsonpath={.spec.template.spec.containers[0].image}",
    "kubectl rollout undo deploy/web --to-revision=3",
    "kubectl rollout pause deploy/web",
    "kubectl rollout pause deploy/web",
    "kubectl rollout restart deploy/web",
    "kubectl rollout resume deploy/web",
    "kubectl rollout resume deploy/web",
    "kubectl rollout restart deploy/web",
    "kubectl rollout history pod/one",
    "kubectl rollout status deploy/nope",
    "kubectl rollout foo deploy/web",
    "kubectl rollout status",
    "play advance 120",
    "kubectl logs one",
    "kubectl logs one --tail 1",
    "kubectl logs deploy/api -c nginx",
    "kubectl logs one -c other",
    "kubectl logs one --previous",
    "kubectl logs nope",
    "kubectl logs",
    "kubectl logs one --no-logs",
    "kubectl cordon node-1",
    "kubectl cordon node-1",
    "kubectl uncordon node-1",
    "kubectl uncordon node-1",
    "kubectl cordon nope",
    "kubectl cordon",
    "kubectl drain node-1",
    "kubectl drain node-2 --force",
    "play advance 60",
    "kubectl get pods -o wide",
    "kubectl delete pod one --wait=false",
    "kubectl delete pod one",
    "kubectl delete pod",
    "kubectl delete",
    "kubectl delete svc api np web2 --wait=false",
    "kubectl delete deploy -l app=nothing",
    "kubectl delete deploy api --cascade=foo",
    "kubectl delete deploy api --now --grace-period=3",
    "kubectl delete pod x -l a=b",
    "kubectl delete pods -l a=b --all",
    "kubectl delete deploy api --cascade=orphan",
    "kubectl delete pods -l app=api --grace-period=0 --force",
    "kubectl delete -f web-v2.yaml",
    "kubectl delete -f web-v2.yaml",
    "kubectl delete ns team",
];

#[test]
fn writing_commands_change_the_cluster_and_print_as_kubectl_does() {
    let mut world = World::new(&WorldConfig {
        nodes: 2,
        ..WorldConfig::default()
    });
    let actual = transcript(&mut world, WRITE_SCRIPT);
    let expected = include_str!("../../tests/golden/kubectl_write.txt");
    if actual != expected {
        println!("---- actual transcript ----\n{actual}---- end ----");
    }
    assert_eq!(actual, expected);
}
