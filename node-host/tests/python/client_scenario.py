"""The official Kubernetes Python client against `kubeplay serve`.

Run by node-host/tests/python_client.rs with KUBECONFIG pointing at the server's kubeconfig.
Each step prints `ok: <step>`; the first failure raises, and the interpreter exits non-zero
with the traceback, which the Rust test shows.
"""

import os
import sys
import time

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

NS = "default"
TIMEOUT = 60.0


def step(name):
    print("ok: " + name, flush=True)


def wait_for(what, check, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(0.2)
    raise AssertionError("timed out waiting for " + what)


def rollout_complete(apps, name):
    def check():
        d = apps.read_namespaced_deployment_status(name, NS)
        s = d.status
        want = d.spec.replicas
        return (
            s.observed_generation is not None
            and s.observed_generation >= d.metadata.generation
            and (s.updated_replicas or 0) == want
            and (s.replicas or 0) == want
            and (s.available_replicas or 0) == want
        )

    wait_for("deployment/%s to roll out" % name, check)


def deployment(image, replicas):
    container = client.V1Container(
        name="nginx", image=image, ports=[client.V1ContainerPort(container_port=80)]
    )
    return client.V1Deployment(
        metadata=client.V1ObjectMeta(name="web", labels={"app": "web"}),
        spec=client.V1DeploymentSpec(
            replicas=replicas,
            selector=client.V1LabelSelector(match_labels={"app": "web"}),
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels={"app": "web"}),
                spec=client.V1PodSpec(containers=[container]),
            ),
        ),
    )


def replica_sets_by_revision(apps):
    sets = apps.list_namespaced_replica_set(NS, label_selector="app=web").items
    return {
        int(rs.metadata.annotations["deployment.kubernetes.io/revision"]): rs for rs in sets
    }


def live(pods):
    """Pods not being deleted (a rollout leaves old pods terminating for their grace period)."""
    return [pod for pod in pods if pod.metadata.deletion_timestamp is None]


def expect_status(code, call):
    try:
        call()
    except ApiException as error:
        assert error.status == code, "expected HTTP %d, got %d: %s" % (
            code,
            error.status,
            error.body,
        )
        return error
    raise AssertionError("expected HTTP %d, the call succeeded" % code)


def main():
    config.load_kube_config(os.environ["KUBECONFIG"])
    apps = client.AppsV1Api()
    core = client.CoreV1Api()

    nodes = core.list_node().items
    assert nodes, "the server has no nodes (start it with --sim-nodes)"
    step("list nodes (%d)" % len(nodes))

    apps.create_namespaced_deployment(NS, deployment("nginx:1.25", 3))
    core.create_namespaced_service(
        NS,
        client.V1Service(
            metadata=client.V1ObjectMeta(name="web"),
            spec=client.V1ServiceSpec(
                selector={"app": "web"}, ports=[client.V1ServicePort(port=80, target_port=80)]
            ),
        ),
    )
    step("create a Deployment and a Service")

    service = core.read_namespaced_service("web", NS)
    assert service.spec.cluster_ip, "the Service got no ClusterIP"
    rollout_complete(apps, "web")
    step("rollout status")

    def endpoints_ready():
        e = core.read_namespaced_endpoints("web", NS)
        return e.subsets and len(e.subsets[0].addresses or []) == 3

    wait_for("3 ready endpoints", endpoints_ready)
    step("the Service has 3 endpoints")

    apps.patch_namespaced_deployment_scale("web", NS, {"spec": {"replicas": 4}})
    rollout_complete(apps, "web")
    pods = live(core.list_namespaced_pod(NS, label_selector="app=web").items)
    assert len(pods) == 4, "expected 4 pods after scaling, got %d" % len(pods)
    step("scale to 4")

    apps.patch_namespaced_deployment(
        "web",
        NS,
        {"spec": {"template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.26"}]}}}},
    )
    rollout_complete(apps, "web")
    history = replica_sets_by_revision(apps)
    assert sorted(history) == [1, 2], "expected revisions 1 and 2, got %s" % sorted(history)
    assert history[2].spec.template.spec.containers[0].image == "nginx:1.26"
    step("set image; history has revisions 1 and 2")

    # What `kubectl rollout undo` does: copy the previous revision's pod template back.
    previous = history[1].spec.template
    labels = dict(previous.metadata.labels)
    labels.pop("pod-template-hash", None)
    template = client.ApiClient().sanitize_for_serialization(previous)
    template["metadata"]["labels"] = labels
    apps.patch_namespaced_deployment("web", NS, {"spec": {"template": template}})
    rollout_complete(apps, "web")
    d = apps.read_namespaced_deployment("web", NS)
    assert d.spec.template.spec.containers[0].image == "nginx:1.25"
    history = replica_sets_by_revision(apps)
    assert sorted(history) == [2, 3], "expected revisions 2 and 3 after undo, got %s" % sorted(history)
    step("undo to revision 1 (now revision 3)")

    pods = live(core.list_namespaced_pod(NS, label_selector="app=web,tier notin (db)").items)
    assert len(pods) == 4, "set-based selector found %d pods" % len(pods)
    none = core.list_namespaced_pod(NS, label_selector="app=db").items
    assert none == [], "app=db matched %d pods" % len(none)
    expect_status(400, lambda: core.list_namespaced_pod(NS, label_selector="app in ("))
    step("label selectors (and 400 for a bad one)")

    listed = core.list_namespaced_pod(NS, label_selector="app=web")
    victim = live(listed.items)[0].metadata.name
    core.delete_namespaced_pod(victim, NS)
    seen = []
    stream = watch.Watch().stream(
        core.list_namespaced_pod,
        NS,
        label_selector="app=web",
        resource_version=listed.metadata.resource_version,
        timeout_seconds=20,
    )
    for event in stream:
        seen.append((event["type"], event["object"].metadata.name))
        deleted = ("DELETED", victim) in seen
        added = any(kind == "ADDED" and name != victim for kind, name in seen)
        if deleted and added:
            break
    assert ("DELETED", victim) in seen, "the watch never showed the deletion: %s" % seen
    assert any(kind == "ADDED" for kind, _ in seen), "no replacement pod was watched: %s" % seen
    step("watch shows the deleted pod and its replacement")

    rollout_complete(apps, "web")
    pod = live(core.list_namespaced_pod(NS, label_selector="app=web").items)[0].metadata.name
    log = core.read_namespaced_pod_log(pod, NS)
    assert log.strip(), "pod %s has an empty log" % pod
    step("logs")

    cm = core.create_namespaced_config_map(
        NS, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="settings"), data={"a": "1"})
    )
    cm.data = {"a": "2"}
    core.replace_namespaced_config_map("settings", NS, cm)
    cm.data = {"a": "3"}
    expect_status(409, lambda: core.replace_namespaced_config_map("settings", NS, cm))
    expect_status(404, lambda: core.read_namespaced_config_map("missing", NS))
    expect_status(409, lambda: core.create_namespaced_config_map(
        NS, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="settings"))
    ))
    step("conflicts are 409, missing objects 404")

    apps.delete_namespaced_deployment("web", NS, propagation_policy="Foreground")
    wait_for(
        "the Deployment, its ReplicaSets and pods to go",
        lambda: not apps.list_namespaced_deployment(NS).items
        and not apps.list_namespaced_replica_set(NS, label_selector="app=web").items
        and not core.list_namespaced_pod(NS, label_selector="app=web").items,
    )
    core.delete_namespaced_service("web", NS)
    step("delete with cascade")
    return 0


if __name__ == "__main__":
    sys.exit(main())
