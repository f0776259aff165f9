//! The playground's own commands, `play …`: what kubectl cannot do to a simulated cluster
//! (move virtual time, wait until it is quiet, inject faults, add nodes).
//!
//! [`COMMANDS`] lists each command's name, usage, help and flags; `Session::run_play` parses
//! the words with the same pflag rules as kubectl ([`crate::kubectl::flags`]) and runs the
//! command against the session's [`World`](crate::sim::world::World). Every failure is a
//! [`PlayError`] with kubectl's style of message.

use std::time::Duration;

use crate::api::objects::{Kind, Object};
use crate::kubectl::flags::{self, FlagKind, FlagSpec, ParsedArgs};
use crate::kubelet::sim_runtime::logs::choose_container;
use crate::sim::world::{FaultError, NodeFault};

use super::error::PlayError;
use super::quiet;
use super::units::{format_duration, parse_bandwidth, parse_duration, UnitError};
use super::Session;

/// One playground command.
#[derive(Clone, Copy, Debug)]
pub struct PlayCommand {
    /// The word after `play` (`wait`).
    pub name: &'static str,
    /// One line saying what it does.
    pub short: &'static str,
    /// What it does in more words, and examples.
    pub long: &'static str,
    /// The usage line.
    pub usage: &'static str,
    /// The flags it takes besides `--help`.
    pub flags: &'static [FlagSpec],
}

const HELP_FLAG: FlagSpec = FlagSpec {
    long: "help",
    short: Some('h'),
    kind: FlagKind::Bool,
    usage: "help for the command",
};

const NAMESPACE_FLAG: FlagSpec = FlagSpec {
    long: "namespace",
    short: Some('n'),
    kind: FlagKind::String,
    usage: "The namespace of the pod (default: default)",
};

const NAMESPACE_FLAG_TRAFFIC: FlagSpec = FlagSpec {
    long: "namespace",
    short: Some('n'),
    kind: FlagKind::String,
    usage: "The namespace of the pod and of a short Service name (default: default)",
};

/// Every playground command, in the order `play help` lists them.
pub const COMMANDS: &[PlayCommand] = &[
    PlayCommand {
        name: "wait",
        short: "Advance virtual time until the cluster is quiet",
        long: "Runs the simulated cluster until every Deployment has rolled out, every ReplicaSet \
and ReplicationController has its replicas ready, no pod is Pending, ContainerCreating, \
waiting for a crashed container to restart, or Terminating (pods on stopped or cut-off nodes \
aside: they wait for their node), and nothing is \
due at the current instant. Gives up after --timeout of virtual time and says what still moves.\n\n\
Examples:\n  play wait\n  play wait --timeout 10m",
        usage: "play wait [--timeout=5m0s]",
        flags: &[FlagSpec {
            long: "timeout",
            short: None,
            kind: FlagKind::String,
            usage: "How much virtual time to wait at most (30s, 5m, 1h)",
        }],
    },
    PlayCommand {
        name: "advance",
        short: "Advance virtual time",
        long: "Moves the simulated cluster's clock forward: every controller, kubelet and \
container runs as it would in that time.\n\nExamples:\n  play advance 30s\n  play advance 6m",
        usage: "play advance DURATION",
        flags: &[],
    },
    PlayCommand {
        name: "time",
        short: "Print the virtual clock",
        long: "Prints the simulated cluster's current time and how long it has run.",
        usage: "play time",
        flags: &[],
    },
    PlayCommand {
        name: "nodes",
        short: "List the simulated nodes and their faults",
        long: "Prints each node's injected fault (none, stopped, cut-off) beside the Ready \
condition the control plane sees.",
        usage: "play nodes",
        flags: &[],
    },
    PlayCommand {
        name: "node",
        short: "Stop, start, cut off, heal or add nodes",
        long: "  play node stop NAME      the node's kubelet and containers freeze (a powered-off \
machine)\n  play node start NAME     a stopped node carries on where it was\n  play node cut-off NAME   \
a network partition: the node runs on, but the control plane hears nothing from it\n  play node \
heal NAME      the partition ends\n  play node add [N]        adds N nodes (1 by default) that \
register at once\n\nThe node lifecycle controller marks a silent node Unknown after 50s \
(node-monitor-grace-period) and evicts its pods 5m later (the default unreachable \
toleration).\n\nExamples:\n  play node stop node-2\n  play node add 2",
        usage: "play node (stop|start|cut-off|heal) NAME | play node add [N]",
        flags: &[],
    },
    PlayCommand {
        name: "crash",
        short: "Crash a container of a pod",
        long: "The container exits now with code 1 (Error); the kubelet restarts it by the \
pod's restartPolicy, with back-off.\n\nExamples:\n  play crash web-5865b67bdb-hsm6t\n  play crash \
db-0 -c sidecar -n shop",
        usage: "play crash POD [-c CONTAINER] [-n NAMESPACE]",
        flags: &[
            FlagSpec {
                long: "container",
                short: Some('c'),
                kind: FlagKind::String,
                usage: "The container to crash (needed when the pod has several)",
            },
            NAMESPACE_FLAG,
        ],
    },
    PlayCommand {
        name: "registry-bandwidth",
        short: "Set how fast every node pulls images",
        long: "A slow registry makes image pulls, and so ContainerCreating, take longer. \
The default is 50MB/s.\n\nExamples:\n  play registry-bandwidth 10MB/s\n  play registry-bandwidth 512KiB/s",
        usage: "play registry-bandwidth RATE",
        flags: &[],
    },
    PlayCommand {
        name: "traffic",
        short: "Send requests to a service and show which pods answer",
        long: "Sends --requests requests at the current instant and prints how many each pod \
answered, the ones that failed and why (connection refused: the Service has no ready \
endpoint; connection timed out: no local endpoint, or the pod's node is stopped; NXDOMAIN: \
the name does not resolve), the DNS queries the lookups cost and the latency the cluster \
added. Virtual time does not move.\n\n\
From a pod (--from), each request resolves the name through cluster DNS (the pod's search \
path and ndots:5) and its node's kube-proxy rules pick an endpoint. With --node-port, a \
client outside the cluster dials a node's NodePort of the Service (the first node unless \
--node names one).\n\n\
TARGET is a Service (svc/web, web, web.other, web.other.svc.cluster.local) or, from a pod, \
an address and port (10.96.0.20:80).\n\n\
Examples:\n  play traffic svc/web --from pod/client --requests 1000\n  play traffic web \
--node-port --requests 300\n  play traffic web.shop --from client -n default --port 8080",
        usage: "play traffic TARGET (--from POD | --node-port [--node NODE]) [--requests N] [--port PORT] [-n NAMESPACE]",
        flags: &[
            FlagSpec {
                long: "requests",
                short: None,
                kind: FlagKind::String,
                usage: "How many requests to send (1 to 1000000; default 100)",
            },
            FlagSpec {
                long: "from",
                short: None,
                kind: FlagKind::String,
                usage: "The pod the requests come from (pod/NAME or NAME)",
            },
            FlagSpec {
                long: "node-port",
                short: None,
                kind: FlagKind::Bool,
                usage: "Send from outside the cluster to a node's NodePort of the Service",
            },
            FlagSpec {
                long: "node",
                short: None,
                kind: FlagKind::String,
                usage: "With --node-port: the node dialled (default: the first node)",
            },
            FlagSpec {
                long: "port",
                short: None,
                kind: FlagKind::String,
                usage: "The Service port, by number or name (default: its first port)",
            },
            NAMESPACE_FLAG_TRAFFIC,
        ],
    },
    PlayCommand {
        name: "dns",
        short: "Resolve a DNS name as a pod would",
        long: "Resolves NAME (A records) as the resolver of a pod does: the search path of the \
pod's namespace and ndots:5, so a short name is tried in each search domain in turn. Prints \
every query sent and its answer, the records returned, and how many queries each CoreDNS \
replica has answered: DNS load grows with every lookup, and a short name costs several \
queries.\n\n\
Examples:\n  play dns web\n  play dns web.default.svc.cluster.local --from pod/client\n  play dns \
api.shop -n default",
        usage: "play dns NAME [--from POD] [-n NAMESPACE]",
        flags: &[
            FlagSpec {
                long: "from",
                short: None,
                kind: FlagKind::String,
                usage: "The pod whose resolver asks (pod/NAME or NAME; its namespace's search path is used)",
            },
            NAMESPACE_FLAG_TRAFFIC,
        ],
    },
    PlayCommand {
        name: "lesson",
        short: "Show the lesson's current step again",
        long: "With a lesson running (kubeplay play --lesson ID), prints the current step: its \
text, the commands to try and the goal that completes it. Steps move on by themselves when \
the cluster reaches the goal.",
        usage: "play lesson",
        flags: &[],
    },
    PlayCommand {
        name: "help",
        short: "List the playground's commands",
        long: "",
        usage: "play help [COMMAND]",
        flags: &[],
    },
];

/// `play help`: every playground command.
pub fn root_help() -> String {
    let mut text = String::from(
        "Playground commands: what kubectl cannot do to the simulated cluster.\n\nAvailable Commands:\n",
    );
    let width = COMMANDS.iter().map(|c| c.name.len()).max().unwrap_or(0);
    for command in COMMANDS {
        text.push_str(&format!("  {:width$}   {}\n", command.name, command.short));
    }
    text.push_str(
        "\nUsage:\n  play COMMAND [options]\n\nUse \"play <command> --help\" for more information \
about a given command.\nOther lines: kubectl commands (kubectl get pods); '#' starts a comment.\n",
    );
    text
}

/// `play CMD --help`.
pub fn help(command: &PlayCommand) -> String {
    let mut text = format!("{}\n\n", command.short);
    if !command.long.is_empty() {
        text.push_str(command.long);
        text.push_str("\n\n");
    }
    text.push_str("Options:\n");
    for flag in command.flags.iter().chain([&HELP_FLAG]) {
        let names = match flag.short {
            Some(letter) => format!("-{letter}, --{}", flag.long),
            None => format!("    --{}", flag.long),
        };
        text.push_str(&format!("    {names}:\n\t{}\n\n", flag.usage));
    }
    text.push_str(&format!("Usage:\n  {}\n", command.usage));
    text
}

/// The command a word names.
pub fn find(name: &str) -> Option<&'static PlayCommand> {
    COMMANDS.iter().find(|c| c.name == name)
}

fn suggestions(word: &str) -> Vec<String> {
    COMMANDS
        .iter()
        .filter(|c| {
            edit_distance(word, c.name) <= 2 || (!word.is_empty() && c.name.starts_with(word))
        })
        .map(|c| c.name.to_string())
        .collect()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous.get(j).copied().unwrap_or(0) + usize::from(ca != *cb);
            let deletion = previous.get(j + 1).copied().unwrap_or(0) + 1;
            let insertion = current.get(j).copied().unwrap_or(0) + 1;
            current.push(substitution.min(deletion).min(insertion));
        }
        previous = current;
    }
    previous.last().copied().unwrap_or(0)
}

pub(super) fn usage(command: &str, message: impl Into<String>) -> PlayError {
    PlayError::Usage {
        command: command.to_string(),
        message: message.into(),
    }
}

fn unit_error(command: &str, error: UnitError) -> PlayError {
    usage(command, error.to_string())
}

/// Exactly the positional arguments a command takes, or a usage error.
pub(super) fn expect_args<'a>(
    command: &str,
    parsed: &'a ParsedArgs,
    min: usize,
    max: usize,
    what: &str,
) -> Result<&'a [String], PlayError> {
    let count = parsed.args.len();
    if count < min {
        return Err(usage(command, format!("{what} is required")));
    }
    if count > max {
        let extra = parsed.args.get(max).cloned().unwrap_or_default();
        return Err(usage(command, format!("unexpected argument \"{extra}\"")));
    }
    Ok(&parsed.args)
}

/// What a command printed on success.
pub(super) type CommandResult = Result<String, PlayError>;

impl Session {
    /// Runs the words after `play`.
    pub(super) fn run_play(&mut self, words: &[String]) -> CommandResult {
        let Some((name, rest)) = words.split_first() else {
            return Ok(root_help());
        };
        if name == "--help" || name == "-h" {
            return Ok(root_help());
        }
        let Some(command) = find(name) else {
            return Err(PlayError::UnknownCommand {
                name: name.clone(),
                suggestions: suggestions(name),
            });
        };
        let parsed = flags::parse(&[command.flags, &[HELP_FLAG]], rest).map_err(|error| {
            PlayError::Flag {
                command: command.name.to_string(),
                error,
            }
        })?;
        if parsed.bool("help") {
            return Ok(help(command));
        }
        match command.name {
            "wait" => self.play_wait(&parsed),
            "advance" => self.play_advance(&parsed),
            "time" => {
                expect_args("time", &parsed, 0, 0, "nothing")?;
                Ok(self.play_time())
            }
            "nodes" => {
                expect_args("nodes", &parsed, 0, 0, "nothing")?;
                Ok(self.play_nodes())
            }
            "node" => self.play_node(&parsed),
            "crash" => self.play_crash(&parsed),
            "registry-bandwidth" => self.play_registry_bandwidth(&parsed),
            "traffic" => self.play_traffic(&parsed),
            "dns" => self.play_dns(&parsed),
            // A lesson's session answers `play lesson` before the line gets here.
            "lesson" => Err(PlayError::NoLesson {
                lessons: crate::lesson::index::ids().join(", "),
            }),
            "help" => {
                let args = expect_args("help", &parsed, 0, 1, "nothing")?;
                match args.first() {
                    None => Ok(root_help()),
                    Some(name) => find(name)
                        .map(help)
                        .ok_or_else(|| PlayError::UnknownCommand {
                            name: name.clone(),
                            suggestions: suggestions(name),
                        }),
                }
            }
            other => Err(PlayError::UnknownCommand {
                name: other.to_string(),
                suggestions: Vec::new(),
            }),
        }
    }

    fn play_wait(&mut self, parsed: &ParsedArgs) -> CommandResult {
        expect_args("wait", parsed, 0, 0, "nothing")?;
        let timeout = match parsed.string("timeout") {
            Some(text) => parse_duration(text).map_err(|error| {
                usage(
                    "wait",
                    format!("invalid argument \"{text}\" for \"--timeout\" flag: {error}"),
                )
            })?,
            None => self.config.wait_timeout,
        };
        let started = self.world.now();
        let deadline = started.plus(timeout);
        if self.run_watching(deadline, quiet::is_quiet) {
            let took = self.world.now().since(started);
            Ok(format!("cluster settled after {}\n", format_duration(took)))
        } else {
            Err(PlayError::WaitTimedOut {
                after: format_duration(timeout),
                unsettled: quiet::unsettled(&mut self.world),
            })
        }
    }

    fn play_advance(&mut self, parsed: &ParsedArgs) -> CommandResult {
        let args = expect_args("advance", parsed, 1, 1, "a duration (30s, 5m)")?;
        let text = args.first().map(String::as_str).unwrap_or_default();
        let duration = parse_duration(text).map_err(|e| unit_error("advance", e))?;
        let deadline = self.world.now().plus(duration);
        self.run_watching(deadline, |_| false);
        Ok(format!(
            "advanced {}; virtual time is {}\n",
            format_duration(duration),
            self.world.now()
        ))
    }

    fn play_time(&self) -> String {
        let now = self.world.now();
        format!(
            "{now} ({} since the cluster started)\n",
            format_duration(now.since(self.started))
        )
    }

    fn play_nodes(&mut self) -> String {
        let mut rows = vec![vec![
            "NAME".to_string(),
            "FAULT".to_string(),
            "READY".to_string(),
        ]];
        for name in self.world.node_names() {
            let fault = match self.world.node_fault(&name) {
                Some(NodeFault::None) | None => "none",
                Some(NodeFault::Stopped) => "stopped",
                Some(NodeFault::CutOff) => "cut-off",
            };
            let ready = self
                .world
                .api()
                .get(Kind::Node, "", &name)
                .ok()
                .and_then(|object| match object.as_ref() {
                    Object::Node(node) => node
                        .status
                        .as_ref()
                        .and_then(|s| s.conditions.as_ref())
                        .and_then(|c| c.iter().find(|c| c.type_ == "Ready"))
                        .map(|c| c.status.clone()),
                    _ => None,
                })
                .unwrap_or_else(|| "<unknown>".to_string());
            rows.push(vec![name, fault.to_string(), ready]);
        }
        crate::printers::align_columns(&rows)
    }

    fn play_node(&mut self, parsed: &ParsedArgs) -> CommandResult {
        let (action, rest) = parsed.args.split_first().ok_or_else(|| {
            usage(
                "node",
                "an action is required: stop, start, cut-off, heal or add",
            )
        })?;
        if action == "add" {
            let count = match rest {
                [] => 1,
                [count] => count
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=100).contains(n))
                    .ok_or_else(|| {
                        usage(
                            "node",
                            format!("invalid node count \"{count}\": give a number from 1 to 100"),
                        )
                    })?,
                [_, extra, ..] => {
                    return Err(usage("node", format!("unexpected argument \"{extra}\"")))
                }
            };
            let added = self.world.add_nodes(count);
            return Ok(added
                .iter()
                .map(|name| format!("node/{name} added\n"))
                .collect());
        }
        let name = match rest {
            [name] => name,
            [] => {
                return Err(usage(
                    "node",
                    format!("a node name is required: play node {action} NAME"),
                ))
            }
            [_, extra, ..] => {
                return Err(usage("node", format!("unexpected argument \"{extra}\"")))
            }
        };
        let (result, done) = match action.as_str() {
            "stop" => (
                self.world.stop_node(name),
                "stopped: its kubelet and containers are frozen",
            ),
            "start" => (self.world.start_node(name), "started"),
            "cut-off" => (
                self.world.cut_off_node(name),
                "cut off from the control plane: it runs on, unheard",
            ),
            "heal" => (self.world.heal_node(name), "healed: back in touch"),
            other => {
                return Err(usage(
                    "node",
                    format!("unknown action \"{other}\": use stop, start, cut-off, heal or add"),
                ))
            }
        };
        result.map_err(|error| self.fault_error(error))?;
        self.world.settle();
        Ok(format!("node/{name} {done}\n"))
    }

    fn fault_error(&self, error: FaultError) -> PlayError {
        match error {
            FaultError::NodeNotFound(name) => PlayError::NodeNotFound {
                name,
                known: self.world.node_names(),
            },
            other @ (FaultError::PodNotFound(..) | FaultError::PodNotOnNode(_)) => {
                PlayError::Fault(other.to_string())
            }
        }
    }

    fn play_crash(&mut self, parsed: &ParsedArgs) -> CommandResult {
        let args = expect_args("crash", parsed, 1, 1, "a pod name")?;
        let pod_name = args.first().cloned().unwrap_or_default();
        let namespace = parsed
            .string("namespace")
            .filter(|n| !n.is_empty())
            .unwrap_or(&self.kubectl.default_namespace)
            .to_string();
        let object = self.world.api().get(Kind::Pod, &namespace, &pod_name)?;
        let Object::Pod(pod) = object.as_ref() else {
            return Err(PlayError::Fault(format!("pods \"{pod_name}\" not found")));
        };
        let container = choose_container(pod, parsed.string("container"))
            .map_err(|error| PlayError::Fault(error.to_string()))?;
        self.world
            .crash_container(&namespace, &pod_name, &container)
            .map_err(|error| self.fault_error(error))?;
        self.world.settle();
        Ok(format!(
            "container \"{container}\" of pod/{pod_name} crashed (exit code 1)\n"
        ))
    }

    fn play_registry_bandwidth(&mut self, parsed: &ParsedArgs) -> CommandResult {
        let args = expect_args("registry-bandwidth", parsed, 1, 1, "a rate (10MB/s)")?;
        let text = args.first().map(String::as_str).unwrap_or_default();
        let bytes_per_sec =
            parse_bandwidth(text).map_err(|e| unit_error("registry-bandwidth", e))?;
        self.world.set_registry_bandwidth(bytes_per_sec);
        Ok(format!(
            "every node now pulls images at {text} ({bytes_per_sec} bytes/s)\n"
        ))
    }
}

/// The default `--timeout` of `play wait`.
pub const DEFAULT_WAIT_TIMEOUT: Duration = Duration::from_secs(300);
