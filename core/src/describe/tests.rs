//! Whole-output tests of `describe` on objects a real simulated cluster produced: a
//! Deployment with a Service, and a ReplicationController whose pod has resources, a probe,
//! environment, a command and a volume. Names, IPs and times come from the seeded `World`,
//! so every output is stable.

use std::time::Duration;

use k8s_openapi::api::core::v1::{Event, EventSource, ObjectReference};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::api::manifest::parse_manifests;
use crate::api::objects::{Kind, Object};
use crate::apiserver::{ApiError, ListOptions};
use crate::sim::world::{World, WorldConfig};

use super::{describe, describe_all};

const WEB: &str = "
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: nginx
        image: 'nginx:1.25'
        ports: [{name: http, containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
";

const API: &str = "
apiVersion: v1
kind: ReplicationController
metadata: {name: api}
spec:
  replicas: 1
  selector: {app: api}
  template:
    metadata: {labels: {app: api, tier: backend}}
    spec:
      containers:
      - name: api
        image: 'busybox:1.36'
        command: [sh, -c, 'sleep 3600']
        ports: [{containerPort: 8080}, {containerPort: 9090, protocol: UDP}]
        env:
        - {name: MODE, value: demo}
        - name: POD_NAME
          valueFrom: {fieldRef: {fieldPath: metadata.name}}
        resources:
          requests: {cpu: 100m, memory: 128Mi}
          limits: {memory: 256Mi}
        readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 5}
        volumeMounts: [{name: cache, mountPath: /cache}]
      volumes:
      - name: cache
        emptyDir: {}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, labels: {app: api}}
data:
  mode: demo
  greeting: |
    hello
    world
";

fn apply(world: &mut World, manifests: &str) {
    world.api().set_user("kubectl");
    for object in parse_manifests(manifests).unwrap() {
        let namespace = if object.namespace().is_empty() {
            "default".to_string()
        } else {
            object.namespace().to_string()
        };
        world.api().create(&namespace, object).unwrap();
    }
}

/// A three-node cluster a minute after `WEB` and `API` were applied.
fn cluster() -> World {
    let mut world = World::new(&WorldConfig {
        scheduler_annotations: false,
        ..WorldConfig::default()
    });
    apply(&mut world, WEB);
    apply(&mut world, API);
    world.advance(Duration::from_secs(60));
    world
}

fn first_name(world: &mut World, kind: Kind, selector: &str) -> String {
    let list = world
        .api()
        .list(
            kind,
            Some("default"),
            &ListOptions::with_label_selector(selector),
        )
        .unwrap();
    list.items[0].name().to_string()
}

fn described(world: &mut World, kind: Kind, namespace: &str, name: &str) -> String {
    let now = world.now();
    describe(world.api(), kind, namespace, name, now).unwrap()
}

/// The generated names in this seeded cluster, checked so a change of naming shows up here
/// and not as a diff in every output.
struct Names {
    api_pod: String,
    rs: String,
    slice: String,
}

fn names(world: &mut World) -> Names {
    let names = Names {
        api_pod: first_name(world, Kind::Pod, "app=api"),
        rs: first_name(world, Kind::ReplicaSet, "app=web"),
        slice: first_name(world, Kind::EndpointSlice, "kubernetes.io/service-name=web"),
    };
    assert_eq!(names.api_pod, "api-zft5v");
    assert_eq!(names.rs, "web-6d47589b67");
    assert_eq!(names.slice, "web-rzcrm");
    names
}

#[test]
fn a_running_pod_shows_its_node_owner_containers_conditions_volumes_and_events() {
    let mut world = cluster();
    let n = names(&mut world);
    let _ = &n;
    let want = r#"Name:             api-zft5v
Namespace:        default
Priority:         0
Service Account:  default
Node:             node-3/192.168.49.5
Start Time:       Wed, 01 Jan 2025 00:00:00 +0000
Labels:           app=api
                  tier=backend
Annotations:      <none>
Status:           Running
IP:               10.244.2.2
IPs:
  IP:           10.244.2.2
Controlled By:  ReplicationController/api
Containers:
  api:
    Container ID:  containerd://fed59aed-e9e4-468a-85fe-3b2b402dfb23-api-1
    Image:         busybox:1.36
    Image ID:      docker.io/library/busybox@sha256:b2c3d4e5f6a71829304b5c6d7e8f9a01
    Ports:         8080/TCP, 9090/UDP
    Host Ports:    0/TCP, 0/UDP
    Command:
      sh
      -c
      sleep 3600
    State:          Running
      Started:      Wed, 01 Jan 2025 00:00:01 +0000
    Ready:          True
    Restart Count:  0
    Limits:
      memory:  256Mi
    Requests:
      cpu:      100m
      memory:   128Mi
    Readiness:  tcp-socket :8080 delay=0s timeout=1s period=5s #success=1 #failure=3
    Environment:
      MODE:      demo
      POD_NAME:  api-zft5v (v1:metadata.name)
    Mounts:
      /cache from cache (rw)
Conditions:
  Type                        Status
  PodReadyToStartContainers   True 
  Initialized                 True 
  Ready                       True 
  ContainersReady             True 
  PodScheduled                True 
Volumes:
  cache:
    Type:        EmptyDir (a temporary directory that shares a pod's lifetime)
    Medium:      
    SizeLimit:   <unset>
QoS Class:       Burstable
Node-Selectors:  <none>
Tolerations:     node.kubernetes.io/not-ready:NoExecute op=Exists for 300s
                 node.kubernetes.io/unreachable:NoExecute op=Exists for 300s
Events:
  Type    Reason     Age   From               Message
  ----    ------     ----  ----               -------
  Normal  Scheduled  60s   default-scheduler  Successfully assigned default/api-zft5v to node-3
  Normal  Pulling    59s   kubelet            Pulling image "busybox:1.36"
  Normal  Pulled     59s   kubelet            Successfully pulled image "busybox:1.36" in 355ms (355ms including waiting). Image size: 2200000 bytes.
  Normal  Created    58s   kubelet            Created container: api
  Normal  Started    58s   kubelet            Started container api
"#;
    assert_eq!(
        described(&mut world, Kind::Pod, "default", &n.api_pod),
        want
    );
}

#[test]
fn a_replica_set_shows_its_owner_pod_counts_template_and_events() {
    let mut world = cluster();
    let n = names(&mut world);
    let _ = &n;
    let want = r#"Name:           web-6d47589b67
Namespace:      default
Selector:       app=web,pod-template-hash=6d47589b67
Labels:         app=web
                pod-template-hash=6d47589b67
Annotations:    deployment.kubernetes.io/desired-replicas: 3
                deployment.kubernetes.io/max-replicas: 4
                deployment.kubernetes.io/revision: 1
Controlled By:  Deployment/web
Replicas:       3 current / 3 desired
Pods Status:    3 Running / 0 Waiting / 0 Succeeded / 0 Failed
Pod Template:
  Labels:  app=web
           pod-template-hash=6d47589b67
  Containers:
   nginx:
    Image:         nginx:1.25
    Port:          8080/TCP
    Host Port:     0/TCP
    Environment:   <none>
    Mounts:        <none>
  Volumes:         <none>
  Node-Selectors:  <none>
  Tolerations:     <none>
Events:
  Type    Reason            Age   From                   Message
  ----    ------            ----  ----                   -------
  Normal  SuccessfulCreate  60s   replicaset-controller  Created pod: web-6d47589b67-n7jp9
  Normal  SuccessfulCreate  60s   replicaset-controller  Created pod: web-6d47589b67-zclv4
  Normal  SuccessfulCreate  60s   replicaset-controller  Created pod: web-6d47589b67-4xhzt
"#;
    assert_eq!(
        described(&mut world, Kind::ReplicaSet, "default", &n.rs),
        want
    );
}

#[test]
fn a_replication_controller_shows_its_equality_selector_and_template_with_unresolved_field_refs() {
    let mut world = cluster();
    let n = names(&mut world);
    let _ = &n;
    let want = r#"Name:         api
Namespace:    default
Selector:     app=api
Labels:       app=api
              tier=backend
Annotations:  <none>
Replicas:     1 current / 1 desired
Pods Status:  1 Running / 0 Waiting / 0 Succeeded / 0 Failed
Pod Template:
  Labels:  app=api
           tier=backend
  Containers:
   api:
    Image:       busybox:1.36
    Ports:       8080/TCP, 9090/UDP
    Host Ports:  0/TCP, 0/UDP
    Command:
      sh
      -c
      sleep 3600
    Limits:
      memory:  256Mi
    Requests:
      cpu:      100m
      memory:   128Mi
    Readiness:  tcp-socket :8080 delay=0s timeout=1s period=5s #success=1 #failure=3
    Environment:
      MODE:      demo
      POD_NAME:   (v1:metadata.name)
    Mounts:
      /cache from cache (rw)
  Volumes:
   cache:
    Type:          EmptyDir (a temporary directory that shares a pod's lifetime)
    Medium:        
    SizeLimit:     <unset>
  Node-Selectors:  <none>
  Tolerations:     <none>
Events:
  Type    Reason            Age   From                    Message
  ----    ------            ----  ----                    -------
  Normal  SuccessfulCreate  60s   replication-controller  Created pod: api-zft5v
"#;
    assert_eq!(
        described(&mut world, Kind::ReplicationController, "default", "api"),
        want
    );
}

#[test]
fn a_deployment_shows_replicas_strategy_conditions_and_its_new_replica_set() {
    let mut world = cluster();
    let n = names(&mut world);
    let _ = &n;
    let want = r#"Name:                   web
Namespace:              default
CreationTimestamp:      Wed, 01 Jan 2025 00:00:00 +0000
Labels:                 app=web
Annotations:            deployment.kubernetes.io/revision: 1
Selector:               app=web
Replicas:               3 desired | 3 updated | 3 total | 3 available | 0 unavailable
StrategyType:           RollingUpdate
MinReadySeconds:        0
RollingUpdateStrategy:  25% max unavailable, 25% max surge
Pod Template:
  Labels:  app=web
  Containers:
   nginx:
    Image:         nginx:1.25
    Port:          8080/TCP
    Host Port:     0/TCP
    Environment:   <none>
    Mounts:        <none>
  Volumes:         <none>
  Node-Selectors:  <none>
  Tolerations:     <none>
Conditions:
  Type           Status  Reason
  ----           ------  ------
  Available      True    MinimumReplicasAvailable
  Progressing    True    NewReplicaSetAvailable
OldReplicaSets:  <none>
NewReplicaSet:   web-6d47589b67 (3/3 replicas created)
Events:
  Type    Reason             Age   From                   Message
  ----    ------             ----  ----                   -------
  Normal  ScalingReplicaSet  60s   deployment-controller  Scaled up replica set web-6d47589b67 from 0 to 3
"#;
    assert_eq!(
        described(&mut world, Kind::Deployment, "default", "web"),
        want
    );
}

#[test]
fn a_service_lists_the_ready_endpoints_of_its_port_from_the_slices() {
    let mut world = cluster();
    let n = names(&mut world);
    let _ = &n;
    let want = r#"Name:                     web
Namespace:                default
Labels:                   <none>
Annotations:              <none>
Selector:                 app=web
Type:                     ClusterIP
IP Family Policy:         SingleStack
IP Families:              IPv4
IP:                       10.96.0.2
IPs:                      10.96.0.2
Port:                     http  80/TCP
TargetPort:               http/TCP
Endpoints:                10.244.0.3:8080,10.244.1.2:8080,10.244.0.2:8080
Session Affinity:         None
Internal Traffic Policy:  Cluster
Events:                   <none>
"#;
    assert_eq!(described(&mut world, Kind::Service, "default", "web"), want);
}

#[test]
fn endpoints_list_ready_and_not_ready_addresses_and_ports_per_subset() {
    let mut world = cluster();
    let n = names(&mut world);
    let _ = &n;
    let want = r#"Name:         web
Namespace:    default
Labels:       <none>
Annotations:  endpoints.kubernetes.io/last-change-trigger-time: 2025-01-01T00:00:03Z
Subsets:
  Addresses:          10.244.0.2,10.244.0.3,10.244.1.2
  NotReadyAddresses:  <none>
  Ports:
    Name  Port  Protocol
    ----  ----  --------
    http  8080  TCP

Events:  <none>
"#;
    assert_eq!(
        described(&mut world, Kind::Endpoints, "default", "web"),
        want
    );
}

#[test]
fn an_endpoint_slice_lists_each_endpoint_with_its_conditions_and_target() {
    let mut world = cluster();
    let n = names(&mut world);
    let _ = &n;
    let want = r#"Name:         web-rzcrm
Namespace:    default
Labels:       endpointslice.kubernetes.io/managed-by=endpointslice-controller.k8s.io
              kubernetes.io/service-name=web
Annotations:  endpoints.kubernetes.io/last-change-trigger-time: 2025-01-01T00:00:03Z
AddressType:  IPv4
Ports:
  Name  Port  Protocol
  ----  ----  --------
  http  8080  TCP
Endpoints:
  - Addresses:  10.244.0.3
    Conditions:
      Ready:    true
    Hostname:   <unset>
    TargetRef:  Pod/web-6d47589b67-4xhzt
    NodeName:   node-1
    Zone:       <unset>
  - Addresses:  10.244.1.2
    Conditions:
      Ready:    true
    Hostname:   <unset>
    TargetRef:  Pod/web-6d47589b67-n7jp9
    NodeName:   node-2
    Zone:       <unset>
  - Addresses:  10.244.0.2
    Conditions:
      Ready:    true
    Hostname:   <unset>
    TargetRef:  Pod/web-6d47589b67-zclv4
    NodeName:   node-1
    Zone:       <unset>
Events:         <none>
"#;
    assert_eq!(
        described(&mut world, Kind::EndpointSlice, "default", &n.slice),
        want
    );
}

#[test]
fn a_namespace_shows_its_status_and_no_quota_or_limit_range() {
    let mut world = cluster();
    let n = names(&mut world);
    let _ = &n;
    let want = r#"Name:         default
Labels:       kubernetes.io/metadata.name=default
Annotations:  <none>
Status:       Active

No resource quota.

No LimitRange resource.
"#;
    assert_eq!(described(&mut world, Kind::Namespace, "", "default"), want);
}

#[test]
fn a_node_shows_lease_conditions_capacity_and_the_requests_of_its_pods() {
    let mut world = cluster();
    let n = names(&mut world);
    let _ = &n;
    let want = r#"Name:               node-3
Roles:              <none>
Labels:             beta.kubernetes.io/arch=amd64
                    beta.kubernetes.io/os=linux
                    kubernetes.io/arch=amd64
                    kubernetes.io/hostname=node-3
                    kubernetes.io/os=linux
Annotations:        <none>
CreationTimestamp:  Wed, 01 Jan 2025 00:00:00 +0000
Taints:             <none>
Unschedulable:      false
Lease:
  HolderIdentity:  node-3
  AcquireTime:     <unset>
  RenewTime:       Wed, 01 Jan 2025 00:01:00 +0000
Conditions:
  Type             Status  LastHeartbeatTime                 LastTransitionTime                Reason                       Message
  ----             ------  -----------------                 ------------------                ------                       -------
  MemoryPressure   False   Wed, 01 Jan 2025 00:00:00 +0000   Wed, 01 Jan 2025 00:00:00 +0000   KubeletHasSufficientMemory   kubelet has sufficient memory available
  DiskPressure     False   Wed, 01 Jan 2025 00:00:00 +0000   Wed, 01 Jan 2025 00:00:00 +0000   KubeletHasNoDiskPressure     kubelet has no disk pressure
  PIDPressure      False   Wed, 01 Jan 2025 00:00:00 +0000   Wed, 01 Jan 2025 00:00:00 +0000   KubeletHasSufficientPID      kubelet has sufficient PID available
  Ready            True    Wed, 01 Jan 2025 00:00:00 +0000   Wed, 01 Jan 2025 00:00:00 +0000   KubeletReady                 kubelet is posting ready status
Addresses:
  InternalIP:  192.168.49.5
  Hostname:    node-3
Capacity:
  cpu:                2
  ephemeral-storage:  100Gi
  memory:             4Gi
  pods:               110
Allocatable:
  cpu:                2
  ephemeral-storage:  100Gi
  memory:             4Gi
  pods:               110
System Info:
  Machine ID:                 node-3
  System UUID:                node-3
  Boot ID:                    node-3
  Kernel Version:             6.8.0
  OS Image:                   kubeplay simulated node
  Operating System:           linux
  Architecture:               amd64
  Container Runtime Version:  containerd://2.0.0
  Kubelet Version:            v1.33.0
  Kube-Proxy Version:         v1.33.0
PodCIDR:                      10.244.2.0/24
PodCIDRs:                     10.244.2.0/24
Non-terminated Pods:          (1 in total)
  Namespace                   Name         CPU Requests  CPU Limits  Memory Requests  Memory Limits  Age
  ---------                   ----         ------------  ----------  ---------------  -------------  ---
  default                     api-zft5v    100m (5%)     0 (0%)      128Mi (3%)       256Mi (6%)     60s
Allocated resources:
  (Total limits may be over 100 percent, i.e., overcommitted.)
  Resource           Requests    Limits
  --------           --------    ------
  cpu                100m (5%)   0 (0%)
  memory             128Mi (3%)  256Mi (6%)
  ephemeral-storage  0 (0%)      0 (0%)
Events:              <none>
"#;
    assert_eq!(described(&mut world, Kind::Node, "", "node-3"), want);
}

#[test]
fn a_config_map_shows_each_key_under_a_rule() {
    let mut world = cluster();
    let n = names(&mut world);
    let _ = &n;
    let want = r#"Name:         settings
Namespace:    default
Labels:       app=api
Annotations:  <none>

Data
====
greeting:
----
hello
world


mode:
----
demo


BinaryData
====

Events:  <none>
"#;
    assert_eq!(
        described(&mut world, Kind::ConfigMap, "default", "settings"),
        want
    );
}

#[test]
fn repeated_events_show_their_count_and_span_and_sort_by_last_timestamp() {
    let mut world = cluster();
    let now = world.now();
    let config_map = world
        .api()
        .get(Kind::ConfigMap, "default", "settings")
        .unwrap();
    let at = |seconds_ago: u64| {
        crate::sim::clock::Timestamp(now.as_millis() - seconds_ago * 1000).to_k8s_time()
    };
    let event = |name: &str, reason: &str, count: i32, first: u64, last: u64| Event {
        metadata: ObjectMeta {
            name: Some(name.to_string()),
            namespace: Some("default".to_string()),
            ..ObjectMeta::default()
        },
        involved_object: ObjectReference {
            api_version: Some("v1".to_string()),
            kind: Some("ConfigMap".to_string()),
            name: Some("settings".to_string()),
            namespace: Some("default".to_string()),
            uid: config_map.metadata().uid.clone(),
            ..ObjectReference::default()
        },
        reason: Some(reason.to_string()),
        message: Some(format!("  {reason} happened\n")),
        type_: Some("Warning".to_string()),
        source: Some(EventSource {
            component: Some("lesson".to_string()),
            host: None,
        }),
        first_timestamp: Some(at(first)),
        last_timestamp: Some(at(last)),
        count: Some(count),
        ..Event::default()
    };
    world.api().set_user("kubectl");
    for e in [
        event("settings.2", "Reloaded", 3, 125, 10),
        event("settings.1", "Invalid", 1, 300, 300),
    ] {
        world.api().create("default", Object::from(e)).unwrap();
    }
    let out = described(&mut world, Kind::ConfigMap, "default", "settings");
    let events = out.split_once("Events:\n").map(|(_, e)| e).unwrap();
    assert_eq!(
        events,
        "  Type     Reason    Age                 From    Message
  ----     ------    ----                ----    -------
  Warning  Invalid   5m                  lesson  Invalid happened
  Warning  Reloaded  10s (x3 over 2m5s)  lesson  Reloaded happened
"
    );
}

#[test]
fn describing_several_objects_separates_them_by_a_blank_line() {
    let mut world = cluster();
    let now = world.now();
    let pods = world
        .api()
        .list(
            Kind::Pod,
            Some("default"),
            &ListOptions::with_label_selector("app=web"),
        )
        .unwrap();
    let names: Vec<String> = pods.items.iter().map(|p| p.name().to_string()).collect();
    assert_eq!(names.len(), 3);
    let each: Vec<String> = names
        .iter()
        .map(|name| described(&mut world, Kind::Pod, "default", name))
        .collect();
    let all = describe_all(world.api(), Kind::Pod, Some("default"), "app=web", now).unwrap();
    assert_eq!(all, each.join("\n\n"));
    assert!(all.contains("Events:\n  Type    Reason     Age   From               Message\n"));
    let none = describe_all(world.api(), Kind::Pod, Some("default"), "app=nothing", now);
    assert_eq!(none, Ok(String::new()));
}

#[test]
fn describing_what_is_not_there_or_not_describable_fails_with_a_clear_error() {
    let mut world = cluster();
    let now = world.now();
    let missing = describe(world.api(), Kind::Pod, "default", "nope", now).unwrap_err();
    assert_eq!(missing.to_string(), "pods \"nope\" not found");
    let bad_selector = describe_all(world.api(), Kind::Pod, Some("default"), "a in (", now);
    assert!(bad_selector.is_err());
    let event = describe(world.api(), Kind::Event, "default", "x", now).unwrap_err();
    assert!(matches!(event, ApiError::BadRequest(_)), "{event:?}");
}

#[test]
fn a_deleted_pod_shows_terminating_until_its_grace_period_ends() {
    let mut world = cluster();
    let n = names(&mut world);
    world.api().set_user("kubectl");
    world
        .api()
        .delete(Kind::Pod, "default", &n.api_pod, &Default::default())
        .unwrap();
    world.advance(Duration::from_millis(1500));
    let out = described(&mut world, Kind::Pod, "default", &n.api_pod);
    // deletionTimestamp is when the grace period ends, still in the future: kubectl's age of
    // it is negative, and it really prints `<invalid>` here.
    assert!(
        out.contains(
            "Status:                    Terminating (lasts <invalid>)\nTermination Grace Period:  30s\n"
        ),
        "{out}"
    );
}
