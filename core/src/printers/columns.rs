//! The column definitions of each kind's table, as kube-apiserver's printers declare them
//! (`pkg/printers/internalversion/printers.go`): name, type, priority (0 always shown, 1 only
//! with `-o wide`) and the description the server sends in `columnDefinitions`.

use crate::api::objects::Kind;

use super::TableColumn;

const fn column(
    name: &'static str,
    column_type: &'static str,
    priority: u8,
    description: &'static str,
) -> TableColumn {
    TableColumn {
        name,
        column_type,
        priority,
        description,
    }
}

const NAME: TableColumn = column(
    "Name",
    "string",
    0,
    "Name must be unique within a namespace.",
);
const AGE: TableColumn = column(
    "Age",
    "string",
    0,
    "CreationTimestamp is a timestamp representing the server time when this object was created.",
);
const CONTAINERS: TableColumn = column(
    "Containers",
    "string",
    1,
    "Names of each container in the template.",
);
const IMAGES: TableColumn = column(
    "Images",
    "string",
    1,
    "Images referenced by each container in the template.",
);

/// The columns of a kind's table, wide columns included.
pub fn columns(kind: Kind) -> Vec<TableColumn> {
    match kind {
        Kind::Pod => vec![
            NAME,
            column("Ready", "string", 0, "The aggregate readiness state of this pod for accepting traffic."),
            column("Status", "string", 0, "The aggregate status of the containers in this pod."),
            column("Restarts", "string", 0, "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
            AGE,
            column("IP", "string", 1, "IP address allocated to the pod."),
            column("Node", "string", 1, "NodeName is a request to schedule this pod onto a specific node."),
            column("Nominated Node", "string", 1, "nominatedNodeName is set only when this pod preempts other pods on the node."),
            column("Readiness Gates", "string", 1, "If specified, all readiness gates will be evaluated for pod readiness."),
        ],
        Kind::Deployment => vec![
            NAME,
            column("Ready", "string", 0, "Number of the pod with ready state"),
            column("Up-to-date", "integer", 0, "Total number of non-terminating pods targeted by this deployment that have the desired template spec."),
            column("Available", "integer", 0, "Total number of available non-terminating pods (ready for at least minReadySeconds) targeted by this deployment."),
            AGE,
            CONTAINERS,
            IMAGES,
            column("Selector", "string", 1, "Label selector for pods."),
        ],
        Kind::ReplicaSet | Kind::ReplicationController => vec![
            NAME,
            column("Desired", "integer", 0, "Replicas is the number of desired pods."),
            column("Current", "integer", 0, "Replicas is the most recently observed number of non-terminating pods."),
            column("Ready", "integer", 0, "The number of non-terminating pods targeted by this replica set with a Ready Condition."),
            AGE,
            CONTAINERS,
            IMAGES,
            column("Selector", "string", 1, "Selector is a label query over pods that should match the replica count."),
        ],
        Kind::Service => vec![
            NAME,
            column("Type", "string", 0, "type determines how the Service is exposed."),
            column("Cluster-IP", "string", 0, "clusterIP is the IP address of the service."),
            column("External-IP", "string", 0, "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service."),
            column("Port(s)", "string", 0, "The list of ports that are exposed by this service."),
            AGE,
            column("Selector", "string", 1, "Route service traffic to pods with label keys and values matching this selector."),
        ],
        Kind::Node => vec![
            NAME,
            column("Status", "string", 0, "The status of the node"),
            column("Roles", "string", 0, "The roles of the node"),
            AGE,
            column("Version", "string", 0, "Kubelet Version reported by the node."),
            column("Internal-IP", "string", 1, "List of addresses reachable to the node."),
            column("External-IP", "string", 1, "List of addresses reachable to the node."),
            column("OS-Image", "string", 1, "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy))."),
            column("Kernel-Version", "string", 1, "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64)."),
            column("Container-Runtime", "string", 1, "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2)."),
        ],
        Kind::Namespace => vec![
            NAME,
            column("Status", "string", 0, "The status of the namespace"),
            AGE,
        ],
        Kind::Endpoints => vec![
            NAME,
            column("Endpoints", "string", 0, "The set of all endpoints is the union of all subsets."),
            AGE,
        ],
        Kind::EndpointSlice => vec![
            NAME,
            column("AddressType", "string", 0, "addressType specifies the type of address carried by this EndpointSlice."),
            column("Ports", "string", 0, "ports specifies the list of network ports exposed by each endpoint in this slice."),
            column("Endpoints", "string", 0, "endpoints is a list of unique endpoints in this slice."),
            AGE,
        ],
        Kind::ConfigMap => vec![
            NAME,
            column("Data", "integer", 0, "Data contains the configuration data."),
            AGE,
        ],
        Kind::Event => vec![
            column("Last Seen", "string", 0, "The time at which the most recent occurrence of this event was recorded."),
            column("Type", "string", 0, "Type of this event (Normal, Warning), new types could be added in the future"),
            column("Reason", "string", 0, "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
            column("Object", "string", 0, "The object that this event is about."),
            column("Subobject", "string", 1, "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement."),
            column("Source", "string", 1, "The component reporting this event. Should be a short machine understandable string."),
            column("Message", "string", 0, "A human-readable description of the status of this operation."),
            column("First Seen", "string", 1, "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)"),
            column("Count", "string", 1, "The number of times this event has occurred."),
            column("Name", "string", 1, "Name must be unique within a namespace."),
        ],
        Kind::PriorityClass => vec![
            NAME,
            column("Value", "integer", 0, "value represents the integer value of this priority class."),
            column("Global-Default", "boolean", 0, "globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class."),
            AGE,
            column("PreemptionPolicy", "string", 0, "preemptionPolicy is the Policy for preempting pods with lower priority."),
        ],
        Kind::Lease => vec![
            NAME,
            column("Holder", "string", 0, "holderIdentity contains the identity of the holder of a current lease."),
            AGE,
        ],
    }
}
