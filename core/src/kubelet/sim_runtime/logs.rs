//! What simulated containers print: a small deterministic log model, kept per container run.
//!
//! A real container runtime writes each container's stdout and stderr to a file per run
//! (`/var/log/pods/…/<container>/<restart>.log`); the kubelet reads the current run's file for
//! `kubectl logs` and the previous run's for `kubectl logs --previous`. Here the
//! [`SimRuntime`](super::SimRuntime) keeps a [`ContainerRuns`] in its record of each
//! container: when it creates a container it chooses the run's [`LogScript`] from the image
//! and command ([`script_for`]; a [`ScriptShelf`] shares equal scripts between runs), when
//! the process starts the script's start lines are written with the start time, and when it
//! ends the stop or crash lines are written and the run is marked finished. Runs are found by
//! their container id (`containerd://<pod uid>-<container>-<instance>`), the id the kubelet
//! reports in the pod's status, so the caller picks the current or previous run exactly as
//! the kubelet does. Only the last [`RUNS_KEPT_PER_CONTAINER`] runs of each container are
//! kept, and a pod's runs go when its sandbox is removed.
//!
//! | image or command | start lines | end lines |
//! |---|---|---|
//! | `nginx` | the docker-entrypoint configuration lines and nginx's startup notices | on stop: the SIGQUIT shutdown notices |
//! | `echo TEXT` in the command (busybox, alpine…) | TEXT, once per `echo` | |
//! | `date` in the command | the start time as `date` prints it | |
//! | `hello-world` | its greeting | |
//! | `kubeplay/crash` | a start line | on its own exit: the fatal error it dies of |
//! | `redis` | redis's startup lines | |
//! | anything else | nothing (many servers print nothing until they serve a request) | |

use std::sync::Arc;

use k8s_openapi::api::core::v1::Container;
use k8s_openapi::jiff;

use super::images::normalize_reference;
use crate::api::objects::StoredPod;
use crate::sim::clock::Timestamp;

/// How many runs of one container the log book keeps (the kubelet shows the current one and,
/// with `--previous`, the one before).
pub const RUNS_KEPT_PER_CONTAINER: usize = 2;

/// One line a container printed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    /// When it was written.
    pub time: Timestamp,
    /// The text, without the newline.
    pub text: String,
}

/// The log of one container run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContainerLog {
    /// Every line so far, oldest first.
    pub lines: Vec<LogLine>,
    /// Whether the run's process still runs (more lines may come).
    pub running: bool,
}

/// What a container prints, chosen when it is created.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogScript {
    /// Lines printed when the process starts.
    on_start: Vec<ScriptLine>,
    /// Lines printed when it is stopped (SIGTERM or the image's stop signal).
    on_stop: Vec<ScriptLine>,
    /// Lines printed when it dies on its own with a non-zero exit code.
    on_crash: Vec<ScriptLine>,
}

/// A line of a script, possibly carrying the time the way the program formats it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum ScriptLine {
    /// Printed as is.
    Text(String),
    /// nginx's error log prefix: `2025/01/01 00:00:00 [notice] 1#1: ` then the text.
    NginxNotice(String),
    /// `date`'s default output (`Wed Jan  1 00:00:00 UTC 2025`).
    Date,
}

impl ScriptLine {
    fn render(&self, at: Timestamp) -> String {
        let time = at.to_k8s_time().0;
        match self {
            ScriptLine::Text(text) => text.clone(),
            ScriptLine::NginxNotice(text) => {
                let stamp =
                    jiff::fmt::strtime::format("%Y/%m/%d %H:%M:%S", time).unwrap_or_default();
                format!("{stamp} [notice] 1#1: {text}")
            }
            ScriptLine::Date => {
                jiff::fmt::strtime::format("%a %b %e %H:%M:%S UTC %Y", time).unwrap_or_default()
            }
        }
    }
}

/// How a run ended, for the lines it prints at the end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunEnd {
    /// The kubelet stopped it.
    Stopped,
    /// Its process ended by itself with this exit code.
    Exited(i32),
}

/// The repository without registry and tag (`library/nginx`, `kubeplay/crash`).
fn repository(image: &str) -> String {
    let full = normalize_reference(image);
    let without_digest = full.split_once('@').map_or(full.as_str(), |(n, _)| n);
    let without_tag = match without_digest.rsplit_once(':') {
        // A colon after the last slash separates the tag; one before it is a registry port.
        Some((name, tag)) if !tag.contains('/') => name,
        _ => without_digest,
    };
    without_tag
        .strip_prefix("docker.io/")
        .unwrap_or(without_tag)
        .to_string()
}

/// The tag of an image reference (`latest` when none is given).
fn tag(image: &str) -> String {
    let full = normalize_reference(image);
    if full.contains('@') {
        return "latest".to_string();
    }
    match full.rsplit_once(':') {
        Some((_, tag)) if !tag.contains('/') => tag.to_string(),
        _ => "latest".to_string(),
    }
}

/// The text each `echo` in a shell command line prints (quotes removed).
fn echoed(line: &str) -> Vec<String> {
    line.split([';', '\n'])
        .flat_map(|part| part.split("&&"))
        .filter_map(|part| {
            // `sh -c echo hi` as separate words: the echo may follow the shell.
            let words: Vec<&str> = part
                .split_whitespace()
                .map(|w| w.trim_start_matches(['"', '\'']))
                .skip_while(|w| *w != "echo")
                .skip(1)
                .skip_while(|w| *w == "-n" || *w == "-e")
                .collect();
            if !part
                .split_whitespace()
                .any(|w| w.trim_start_matches(['"', '\'']) == "echo")
            {
                return None;
            }
            let text = words.join(" ");
            Some(text.trim_matches(|c| c == '"' || c == '\'').to_string())
        })
        .collect()
}

/// The lines nginx's official image prints when it starts.
fn nginx_start(version: &str) -> Vec<ScriptLine> {
    let text = |s: &str| ScriptLine::Text(s.to_string());
    let notice = |s: &str| ScriptLine::NginxNotice(s.to_string());
    vec![
        text("/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration"),
        text("/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/"),
        text("/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh"),
        text("10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf"),
        text("10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf"),
        text("/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh"),
        text("/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh"),
        text("/docker-entrypoint.sh: Configuration complete; ready for start up"),
        notice("using the \"epoll\" event method"),
        notice(&format!("nginx/{version}")),
        notice("OS: Linux"),
        notice("start worker processes"),
        notice("start worker process 29"),
    ]
}

/// Chooses what a container prints from its image, command and args.
pub fn script_for(image: &str, command: &[String], args: &[String]) -> LogScript {
    let repo = repository(image);
    let line = command
        .iter()
        .chain(args)
        .cloned()
        .collect::<Vec<_>>()
        .join(" ");
    let notice = |s: &str| ScriptLine::NginxNotice(s.to_string());
    if !line.is_empty() {
        let mut on_start: Vec<ScriptLine> =
            echoed(&line).into_iter().map(ScriptLine::Text).collect();
        if line
            .split_whitespace()
            .any(|w| w.trim_end_matches(';') == "date")
        {
            on_start.push(ScriptLine::Date);
        }
        return LogScript {
            on_start,
            ..LogScript::default()
        };
    }
    match repo.as_str() {
        "library/nginx" => {
            let version = tag(image);
            LogScript {
                on_start: nginx_start(&version),
                on_stop: vec![
                    notice("signal 3 (SIGQUIT) received, shutting down"),
                    notice("gracefully shutting down"),
                    notice("exit"),
                ],
                on_crash: Vec::new(),
            }
        }
        "library/hello-world" => LogScript {
            on_start: [
                "",
                "Hello from Docker!",
                "This message shows that your installation appears to be working correctly.",
            ]
            .iter()
            .map(|s| ScriptLine::Text((*s).to_string()))
            .collect(),
            ..LogScript::default()
        },
        "library/redis" => LogScript {
            on_start: vec![
                ScriptLine::Text("1:C * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo".into()),
                ScriptLine::Text("1:M * Server initialized".into()),
                ScriptLine::Text("1:M * Ready to accept connections tcp".into()),
            ],
            ..LogScript::default()
        },
        "kubeplay/crash" => LogScript {
            on_start: vec![ScriptLine::Text("starting up".into())],
            on_stop: Vec::new(),
            on_crash: vec![ScriptLine::Text(
                "fatal: configuration file /etc/app/config.yaml not found; exiting with code 1"
                    .into(),
            )],
        },
        _ => LogScript::default(),
    }
}

/// One kept run of a container: which run (the runtime's instance number, part of its
/// container id), its script and when it started and ended. The lines are rendered when
/// someone reads the log (`kubectl logs`), not kept: at 150,000 nginx pods the rendered start
/// lines alone would be ~750 MB, and a log nobody reads costs two timestamps.
#[derive(Clone, Debug)]
struct Run {
    instance: u64,
    script: Arc<LogScript>,
    started: Option<Timestamp>,
    ended: Option<(Timestamp, RunEnd)>,
}

impl Run {
    /// The lines the run printed so far, as they would be in its log file.
    fn render(&self) -> ContainerLog {
        let mut lines = Vec::new();
        if let Some(at) = self.started {
            lines.extend(printed(&self.script.on_start, at));
        }
        if let Some((at, end)) = self.ended {
            let script: &[ScriptLine] = match end {
                RunEnd::Stopped => &self.script.on_stop,
                RunEnd::Exited(0) => &[],
                RunEnd::Exited(_) => &self.script.on_crash,
            };
            lines.extend(printed(script, at));
        }
        ContainerLog {
            lines,
            running: self.started.is_some() && self.ended.is_none(),
        }
    }
}

/// The lines a script prints at `at`.
fn printed(script: &[ScriptLine], at: Timestamp) -> impl Iterator<Item = LogLine> + '_ {
    script.iter().map(move |l| LogLine {
        time: at,
        text: l.render(at),
    })
}

/// How many distinct scripts a [`ScriptShelf`] shares (one per image and command in
/// practice; past this many, new scripts are simply not shared).
const SHARED_SCRIPTS: usize = 32;

/// The distinct scripts of one node's runs, so the pods of one Deployment share one.
#[derive(Clone, Debug, Default)]
pub struct ScriptShelf {
    scripts: Vec<Arc<LogScript>>,
}

impl ScriptShelf {
    /// `script`, shared with the runs that print the same.
    pub fn share(&mut self, script: LogScript) -> Arc<LogScript> {
        match self.scripts.iter().find(|known| ***known == script) {
            Some(known) => Arc::clone(known),
            None => {
                let script = Arc::new(script);
                if self.scripts.len() < SHARED_SCRIPTS {
                    self.scripts.push(Arc::clone(&script));
                }
                script
            }
        }
    }
}

/// The kept runs of one container, by the runtime's instance number of each run: the last
/// [`RUNS_KEPT_PER_CONTAINER`] (the current one and the one before). The runtime keeps
/// them in its record of the container, so they go with the pod's sandbox.
#[derive(Clone, Debug, Default)]
pub struct ContainerRuns {
    /// Oldest first; `None` until that many runs were created.
    runs: [Option<Run>; RUNS_KEPT_PER_CONTAINER],
}

impl ContainerRuns {
    /// A run of the container was created: it will print `script`. Forgets the oldest kept
    /// run beyond [`RUNS_KEPT_PER_CONTAINER`].
    pub fn handle_created(&mut self, instance: u64, script: Arc<LogScript>) {
        let run = Run {
            instance,
            script,
            started: None,
            ended: None,
        };
        match self.runs.iter_mut().find(|slot| slot.is_none()) {
            Some(free) => *free = Some(run),
            None => {
                self.runs.rotate_left(1);
                if let Some(last) = self.runs.last_mut() {
                    *last = Some(run);
                }
            }
        }
    }

    fn run_mut(&mut self, instance: u64) -> Option<&mut Run> {
        self.runs
            .iter_mut()
            .flatten()
            .find(|run| run.instance == instance)
    }

    /// The run's process started at `at`: it prints its start lines.
    pub fn handle_started(&mut self, instance: u64, at: Timestamp) {
        if let Some(run) = self.run_mut(instance) {
            run.started = Some(at);
        }
    }

    /// The run's process ended at `at`, as `end` says.
    pub fn handle_ended(&mut self, instance: u64, at: Timestamp, end: RunEnd) {
        if let Some(run) = self.run_mut(instance) {
            if run.ended.is_none() {
                run.ended = Some((at, end));
            }
        }
    }

    /// The log of a kept run, by its instance number.
    pub fn log(&self, instance: u64) -> Option<ContainerLog> {
        self.runs
            .iter()
            .flatten()
            .find(|run| run.instance == instance)
            .map(Run::render)
    }
}

/// Why `kubectl logs` gets no log, with the API server's and the kubelet's words.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LogsError {
    /// No such pod (404).
    #[error("pods \"{0}\" not found")]
    PodNotFound(String),
    /// The pod has several containers and the request named none (400).
    #[error("a container name must be specified for pod {pod}, choose one of: [{}]{}", .containers.join(" "), init_hint(.init_containers))]
    ContainerNameRequired {
        /// The pod.
        pod: String,
        /// Its containers.
        containers: Vec<String>,
        /// Its init containers.
        init_containers: Vec<String>,
    },
    /// The pod has no container of this name (400).
    #[error("container {container} is not valid for pod {pod}")]
    ContainerNotValid {
        /// The container asked for.
        container: String,
        /// The pod.
        pod: String,
    },
    /// `--previous`, but the container has not been restarted (400).
    #[error("previous terminated container \"{container}\" in pod \"{pod}\" not found")]
    PreviousNotFound {
        /// The container.
        container: String,
        /// The pod.
        pod: String,
    },
    /// The kubelet has not reported the container yet (400).
    #[error("container \"{container}\" in pod \"{pod}\" is not available")]
    NotAvailable {
        /// The container.
        container: String,
        /// The pod.
        pod: String,
    },
    /// It ended without a run to read (400).
    #[error("container \"{container}\" in pod \"{pod}\" is terminated")]
    Terminated {
        /// The container.
        container: String,
        /// The pod.
        pod: String,
    },
    /// It has not started yet; `detail` is the waiting reason as the kubelet words it (400).
    #[error("container \"{container}\" in pod \"{pod}\" is waiting to start: {detail}")]
    WaitingToStart {
        /// The container.
        container: String,
        /// The pod.
        pod: String,
        /// `ContainerCreating`, `image can't be pulled`, …
        detail: String,
    },
    /// No state at all yet (400).
    #[error("container \"{container}\" in pod \"{pod}\" is waiting to start - no logs yet")]
    NoLogsYet {
        /// The container.
        container: String,
        /// The pod.
        pod: String,
    },
}

impl LogsError {
    /// Whether this is a 404 (the pod is missing) rather than a 400 (a bad request).
    pub fn is_not_found(&self) -> bool {
        matches!(self, LogsError::PodNotFound(_))
    }
}

fn init_hint(init_containers: &[String]) -> String {
    if init_containers.is_empty() {
        String::new()
    } else {
        format!(
            " or one of the init containers: [{}]",
            init_containers.join(" ")
        )
    }
}

/// Which container's log a request reads: the container the request names (or the pod's only
/// one), as kube-apiserver's `LogLocation` checks it. Returns its name.
pub fn choose_container(pod: &StoredPod, container: Option<&str>) -> Result<String, LogsError> {
    let pod_name = pod.metadata.name.clone().unwrap_or_default();
    let spec = pod.spec.as_ref();
    let names = |list: Option<&Vec<Container>>| -> Vec<String> {
        list.map(|l| l.iter().map(|c| c.name.clone()).collect())
            .unwrap_or_default()
    };
    let containers = names(spec.map(|s| &s.containers));
    let init_containers = names(spec.and_then(|s| s.init_containers.as_ref()));
    match container.filter(|c| !c.is_empty()) {
        Some(name) => {
            if containers.iter().chain(&init_containers).any(|c| c == name) {
                Ok(name.to_string())
            } else {
                Err(LogsError::ContainerNotValid {
                    container: name.to_string(),
                    pod: pod_name,
                })
            }
        }
        None => match containers.as_slice() {
            [only] => Ok(only.clone()),
            _ => Err(LogsError::ContainerNameRequired {
                pod: pod_name,
                containers,
                init_containers,
            }),
        },
    }
}

/// Which run of `container` a request reads, from the pod's status, as the kubelet's
/// `validateContainerLogStatus` picks it: the previous run's id for `previous`, else the
/// running run's, else the last terminated one's.
pub fn choose_run(pod: &StoredPod, container: &str, previous: bool) -> Result<String, LogsError> {
    let pod_name = pod.metadata.name.clone().unwrap_or_default();
    let who = || (container.to_string(), pod_name.clone());
    let found = pod
        .status
        .iter()
        .flat_map(|s| s.container_statuses().chain(s.init_container_statuses()))
        .find(|s| s.name() == container)
        .map(|s| s.to_container_status());
    let Some(found) = found else {
        let (container, pod) = who();
        return Err(LogsError::NotAvailable { container, pod });
    };
    let last_terminated_id = found
        .last_state
        .as_ref()
        .and_then(|s| s.terminated.as_ref())
        .map(|t| t.container_id.clone().unwrap_or_default());
    let state = found.state.clone().unwrap_or_default();
    let terminated = || {
        let (container, pod) = who();
        LogsError::Terminated { container, pod }
    };
    if previous {
        return match last_terminated_id.filter(|id| !id.is_empty()) {
            Some(id) => Ok(id),
            None => {
                let (container, pod) = who();
                Err(LogsError::PreviousNotFound { container, pod })
            }
        };
    }
    if state.running.is_some() {
        return Ok(found.container_id.clone().unwrap_or_default());
    }
    if let Some(t) = &state.terminated {
        return match t.container_id.clone().filter(|id| !id.is_empty()) {
            Some(id) => Ok(id),
            None => last_terminated_id
                .filter(|id| !id.is_empty())
                .ok_or_else(terminated),
        };
    }
    if let Some(id) = last_terminated_id {
        return if id.is_empty() {
            Err(terminated())
        } else {
            Ok(id)
        };
    }
    if let Some(waiting) = &state.waiting {
        let reason = waiting.reason.clone().unwrap_or_default();
        let detail = match reason.as_str() {
            "ErrImagePull" => "image can't be pulled".to_string(),
            "ImagePullBackOff" => "trying and failing to pull image".to_string(),
            _ => reason,
        };
        let (container, pod) = who();
        return Err(LogsError::WaitingToStart {
            container,
            pod,
            detail,
        });
    }
    let (container, pod) = who();
    Err(LogsError::NoLogsYet { container, pod })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::clock::SIM_EPOCH;
    use std::time::Duration;

    fn words(line: &str) -> Vec<String> {
        line.split(' ').map(str::to_string).collect()
    }

    fn texts(log: &ContainerLog) -> Vec<String> {
        log.lines.iter().map(|l| l.text.clone()).collect()
    }

    #[test]
    fn nginx_prints_its_entrypoint_lines_and_version_when_it_starts() {
        let mut book = ContainerRuns::default();
        book.handle_created(1, Arc::new(script_for("nginx:1.25", &[], &[])));
        book.handle_started(1, SIM_EPOCH);
        let log = book.log(1).unwrap();
        assert!(log.running);
        let lines = texts(&log);
        assert_eq!(
            lines.first().map(String::as_str),
            Some("/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration")
        );
        assert!(
            lines
                .iter()
                .any(|l| l == "2025/01/01 00:00:00 [notice] 1#1: nginx/1.25"),
            "{lines:?}"
        );
    }

    #[test]
    fn scripts_follow_the_image_and_command() {
        let cases: Vec<(&str, &str, Vec<&str>)> = vec![
            ("busybox", "sh -c echo hello; sleep 3600", vec!["hello"]),
            (
                "busybox",
                "sh -c echo \"one two\" && echo three",
                vec!["one two", "three"],
            ),
            ("busybox", "date", vec!["Wed Jan  1 00:00:00 UTC 2025"]),
            ("python:3.12", "", vec![]),
            ("kubeplay/crash", "", vec!["starting up"]),
        ];
        for (image, line, expected) in cases {
            let command = if line.is_empty() { vec![] } else { words(line) };
            let mut book = ContainerRuns::default();
            book.handle_created(1, Arc::new(script_for(image, &command, &[])));
            book.handle_started(1, SIM_EPOCH);
            assert_eq!(texts(&book.log(1).unwrap()), expected, "{image} {line}");
        }
    }

    #[test]
    fn a_crash_prints_its_last_words_and_a_stop_prints_the_shutdown() {
        let later = SIM_EPOCH.plus(Duration::from_secs(3));
        let mut book = ContainerRuns::default();
        book.handle_created(1, Arc::new(script_for("kubeplay/crash", &[], &[])));
        book.handle_started(1, SIM_EPOCH);
        book.handle_ended(1, later, RunEnd::Exited(1));
        let log = book.log(1).unwrap();
        assert!(!log.running);
        assert!(
            texts(&log).last().unwrap().starts_with("fatal: "),
            "{log:?}"
        );

        let mut book = ContainerRuns::default();
        book.handle_created(2, Arc::new(script_for("nginx", &[], &[])));
        book.handle_started(2, SIM_EPOCH);
        book.handle_ended(2, later, RunEnd::Stopped);
        let lines = texts(&book.log(2).unwrap());
        assert_eq!(
            lines.last().map(String::as_str),
            Some("2025/01/01 00:00:03 [notice] 1#1: exit")
        );
    }

    #[test]
    fn only_the_last_two_runs_of_a_container_are_kept() {
        let mut runs = ContainerRuns::default();
        let mut shelf = ScriptShelf::default();
        for instance in [1, 2, 3] {
            runs.handle_created(instance, shelf.share(script_for("nginx", &[], &[])));
        }
        assert!(runs.log(1).is_none());
        assert!(runs.log(2).is_some() && runs.log(3).is_some());
        assert_eq!(shelf.scripts.len(), 1, "the three runs share one script");
    }

    fn pod(value: serde_json::Value) -> StoredPod {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn a_pod_with_two_containers_needs_a_container_name() {
        let two = pod(serde_json::json!({
            "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "a"}, {"name": "b"}]}
        }));
        let error = choose_container(&two, None).unwrap_err();
        assert_eq!(
            error.to_string(),
            "a container name must be specified for pod p, choose one of: [a b]"
        );
        assert_eq!(choose_container(&two, Some("b")).unwrap(), "b");
        assert_eq!(
            choose_container(&two, Some("c")).unwrap_err().to_string(),
            "container c is not valid for pod p"
        );
    }

    #[test]
    fn the_run_read_follows_the_containers_status_as_the_kubelet_picks_it() {
        let restarted = pod(serde_json::json!({
            "metadata": {"name": "p"},
            "status": {"containerStatuses": [{
                "name": "c", "image": "i", "imageID": "", "ready": true, "restartCount": 1,
                "containerID": "containerd://now",
                "state": {"running": {}},
                "lastState": {"terminated": {"exitCode": 1, "containerID": "containerd://before"}}
            }]}
        }));
        assert_eq!(
            choose_run(&restarted, "c", false).unwrap(),
            "containerd://now"
        );
        assert_eq!(
            choose_run(&restarted, "c", true).unwrap(),
            "containerd://before"
        );
        let fresh = pod(serde_json::json!({
            "metadata": {"name": "p"},
            "status": {"containerStatuses": [{
                "name": "c", "image": "i", "imageID": "", "ready": false, "restartCount": 0,
                "state": {"waiting": {"reason": "ContainerCreating"}}, "lastState": {}
            }]}
        }));
        assert_eq!(
            choose_run(&fresh, "c", true).unwrap_err().to_string(),
            "previous terminated container \"c\" in pod \"p\" not found"
        );
        assert_eq!(
            choose_run(&fresh, "c", false).unwrap_err().to_string(),
            "container \"c\" in pod \"p\" is waiting to start: ContainerCreating"
        );
        assert_eq!(
            choose_run(&fresh, "d", false).unwrap_err().to_string(),
            "container \"d\" in pod \"p\" is not available"
        );
    }

    #[test]
    fn a_world_serves_the_current_and_previous_run_of_a_crashed_container() {
        use crate::api::manifest::parse_manifests;
        use crate::api::objects::Kind;
        use crate::apiserver::ListOptions;
        use crate::sim::world::{World, WorldConfig};
        let mut world = World::new(&WorldConfig {
            nodes: 1,
            ..WorldConfig::default()
        });
        let manifest = "
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
  - {name: nginx, image: 'nginx:1.25'}
";
        let object = parse_manifests(manifest).unwrap().remove(0);
        world.api().create("default", object).unwrap();
        assert_eq!(
            world.container_logs("default", "nope", None, false),
            Err(LogsError::PodNotFound("nope".into()))
        );
        world.advance(Duration::from_secs(30));
        let current = world.container_logs("default", "web", None, false).unwrap();
        assert!(current.running);
        assert!(
            texts(&current)
                .iter()
                .any(|l| l == "/docker-entrypoint.sh: Configuration complete; ready for start up"),
            "{current:?}"
        );
        assert!(matches!(
            world.container_logs("default", "web", None, true),
            Err(LogsError::PreviousNotFound { .. })
        ));
        world.crash_container("default", "web", "nginx").unwrap();
        world.advance(Duration::from_secs(30));
        let pods = world
            .api()
            .list(Kind::Pod, Some("default"), &ListOptions::default())
            .unwrap();
        let restarts = pods.items[0].to_value()["status"]["containerStatuses"][0]["restartCount"]
            .as_i64()
            .unwrap();
        assert_eq!(restarts, 1);
        let previous = world.container_logs("default", "web", None, true).unwrap();
        assert!(!previous.running);
        assert!(
            world
                .container_logs("default", "web", Some("nginx"), false)
                .unwrap()
                .running
        );
    }
}
