//! Live mode: the page's views attached to a running `kubeplay serve` instead of the in-page
//! simulation, after the learner gives the server's token.
//!
//! Data flow: the header's live control ([`view::LiveControl`]) checks the token with
//! `GET /kubeplay/v1/info` ([`token`]); on success the app makes a [`LiveState`] and starts
//! the driver (`client`, wasm32 only), which fills it from the server: the object mirror
//! ([`mirror`]: list + watch of Nodes, Pods, Events, ReplicaSets and Deployments, resuming
//! from the last resourceVersion and listing again on 410 Gone; the other kinds are listed
//! again when the trace shows a commit of theirs), the
//! trace ([`trace`]: pages of `/kubeplay/v1/trace`), and the terminal's answers
//! (`POST /kubeplay/v1/exec`). Each change bumps [`LiveState::version`]; the app's clock
//! driver sees the bump and re-renders. Views read objects through
//! [`crate::cluster::ObjectSource`], which is either the simulation's world or this state, so
//! the cluster view, inspector, scheduler explanation and images read the same way in both
//! modes. Leaving live mode drops the state and aborts every open request; the simulation and
//! its saved session were never touched.
//!
//! Everything but `client` and `view` is plain Rust, tested natively and on wasm32.

#[cfg(target_arch = "wasm32")]
pub mod client;
pub mod lines;
pub mod mirror;
pub mod slices;
pub mod summary;
pub mod token;
pub mod trace;
pub mod view;

use kubeplay_core::api::objects::Kind;
use kubeplay_core::sim::clock::Timestamp;
use serde::Deserialize;

use crate::playground::{LineKind, TerminalLine};
pub use mirror::ObjectMirror;
pub use summary::{MirrorMode, SummaryMirror};
pub use token::LiveInfo;
pub use trace::LiveTrace;

/// The most watch streams live mode keeps open at once (the browser's six connections to
/// one server over HTTP/1.1, less one for everything else; see [`WATCHED_KINDS`]).
pub const MAX_WATCHES: usize = 5;

/// Kinds kept current by a watch stream: the cluster view's (Nodes, Pods), the inspector's
/// events, and the owners a pod's colour and owner chain come from (Deployment → ReplicaSet →
/// Pod), which change with every rollout and scale.
///
/// `kubeplay serve` offers HTTP/2, over which a browser multiplexes every stream on one
/// connection; but behind a proxy that speaks HTTP/1.1 each watch holds one of the six
/// connections a browser opens to one server, so at most [`MAX_WATCHES`]: the last
/// connection is left to the short requests (trace pages, lists of the polled kinds, the
/// terminal's exec), which would otherwise wait for a watch to end.
pub const WATCHED_KINDS: [Kind; MAX_WATCHES] = [
    Kind::Node,
    Kind::Pod,
    Kind::Event,
    Kind::ReplicaSet,
    Kind::Deployment,
];

/// Kinds kept current by a watch stream next to the summary stream in
/// [`MirrorMode::Summary`]: only the owners a pod's owner chain goes through, which stay few
/// however many pods there are (Nodes and Pods come as summaries, Events only for the
/// inspected object). With the summary stream that is three of [`MAX_WATCHES`].
pub const SUMMARY_WATCHED_KINDS: [Kind; 2] = [Kind::ReplicaSet, Kind::Deployment];

/// Kinds listed again when the trace shows a commit of theirs (and right after a terminal
/// command, and every half minute).
pub const POLLED_KINDS: [Kind; 6] = [
    Kind::Namespace,
    Kind::ReplicationController,
    Kind::Service,
    Kind::Endpoints,
    Kind::ConfigMap,
    Kind::PriorityClass,
];

/// Every this many trace polls every polled kind is listed, whatever the trace said (a
/// server with its trace off).
pub const FULL_RELIST_ROUNDS: u32 = 30;

/// When trace records were left out, every polled kind is listed again after at most this
/// many polls (not at every poll: on a cluster that busy that was six lists a second, one of
/// them a 1,000-pod Service's Endpoints, decoded on the page's main thread).
pub const MISSED_RELIST_ROUNDS: u32 = 5;

/// Whether trace poll number `round` lists every polled kind: the first poll and every
/// [`FULL_RELIST_ROUNDS`]th; when every kind is named anyway (`changed` of them committed,
/// or the trace could not be read); and when records were `missed` (left out by the server)
/// since the last full listing at round `last_full`, once [`MISSED_RELIST_ROUNDS`] polls
/// have passed since it. Otherwise only the `changed` kinds are listed.
pub fn lists_every_polled_kind(round: u32, changed: usize, missed: bool, last_full: u32) -> bool {
    round % FULL_RELIST_ROUNDS == 0
        || changed >= POLLED_KINDS.len()
        || (missed && round.wrapping_sub(last_full) >= MISSED_RELIST_ROUNDS)
}

/// In [`MirrorMode::Summary`] a polled kind is listed again at most every this many trace
/// polls, however often the trace shows commits of it (a terminal command still lists every
/// kind at once: `client::refresh`). A churning big cluster commits its Endpoints at every
/// poll, and a list of a 1,000-pod Service's Endpoints took 42 ms to decode on a quiet
/// machine (one task: a single object cannot be split), once a second; the page needs the
/// polled kinds there only for tab completion's names and the traffic view's Services.
pub const SUMMARY_RELIST_ROUNDS: u32 = 10;

/// Which polled kinds a trace poll lists again: those whose commits the trace showed (or all
/// of them, [`lists_every_polled_kind`]), at once in a full mirror, and in a summary mirror
/// at most every [`SUMMARY_RELIST_ROUNDS`] polls per kind: a kind changed sooner is owed and
/// listed when its time comes, so no change is left unlisted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PolledListing {
    /// Per polled kind (in [`POLLED_KINDS`]' order): the poll it was last listed at.
    last: [Option<u32>; POLLED_KINDS.len()],
    /// Per polled kind: changed since it was last listed.
    owed: [bool; POLLED_KINDS.len()],
}

impl PolledListing {
    /// The kinds poll number `round` lists, given the kinds the trace showed `changed`
    /// (`all`: every kind), in `mode`; records them as listed.
    pub fn due(&mut self, mode: MirrorMode, round: u32, changed: &[Kind], all: bool) -> Vec<Kind> {
        let mut due = Vec::new();
        for (index, kind) in POLLED_KINDS.iter().enumerate() {
            self.owed[index] |= all || changed.contains(kind);
            let rested = match (mode, self.last[index]) {
                (MirrorMode::Full, _) | (_, None) => true,
                (MirrorMode::Summary, Some(last)) => {
                    round.wrapping_sub(last) >= SUMMARY_RELIST_ROUNDS
                }
            };
            if self.owed[index] && rested {
                self.owed[index] = false;
                self.last[index] = Some(round);
                due.push(*kind);
            }
        }
        due
    }
}

/// How often a live page renders again even when nothing changed (ages move on), in ms.
pub const LIVE_REFRESH_MS: f64 = 1_000.0;

/// The least time between two renders for the cluster's own changes in
/// [`MirrorMode::Summary`], in ms: a big cluster's canvas moves four times a second, and the
/// frames between stay free for scrolling and clicks.
pub const SUMMARY_RENDER_GAP_MS: f64 = 250.0;

/// How often the trace is read, in wall-clock milliseconds.
pub const POLL_INTERVAL_MS: u32 = 1_000;

/// The path the terminal posts its lines to.
pub const EXEC_PATH: &str = "/kubeplay/v1/exec";

/// How many scrollback lines the live terminal keeps.
const SCROLLBACK_LINES: usize = 2_000;

/// What `POST /kubeplay/v1/exec` answers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ExecOutput {
    /// What the command printed.
    pub stdout: String,
    /// Its errors.
    pub stderr: String,
    /// Its exit code.
    pub exit_code: i32,
}

/// The JSON body of `POST /kubeplay/v1/exec`: the line, and the text of `-f -` when given
/// (`"files": {"-": …}`).
pub fn exec_body(line: &str, stdin: Option<&str>) -> String {
    match stdin {
        Some(text) => serde_json::json!({ "line": line, "files": { "-": text } }),
        None => serde_json::json!({ "line": line }),
    }
    .to_string()
}

/// How the connection to the server is doing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LiveHealth {
    /// Every stream is open or being opened.
    Connected,
    /// A request failed; the driver retries.
    Reconnecting(String),
    /// The server refused the token: live mode stopped reading.
    Refused,
}

/// The live terminal: its lines and history (the simulation's terminal keeps its own).
#[derive(Clone, Debug, Default)]
pub struct LiveTerminal {
    /// The scrollback, oldest first.
    pub scrollback: Vec<TerminalLine>,
    /// The lines typed, oldest first.
    pub history: Vec<String>,
    /// Whether a command is running on the server.
    pub busy: bool,
}

impl LiveTerminal {
    /// Records a typed line (shown after a prompt) and remembers it for ↑/↓.
    pub fn push_input(&mut self, line: &str) {
        self.push(LineKind::Input, line);
        if self.history.last().map(String::as_str) != Some(line) {
            self.history.push(line.to_string());
        }
        self.busy = true;
    }

    /// Records a line run for another part of the page (the editor's `kubectl apply -f -`):
    /// shown after a prompt like a typed line, but not kept for ↑/↓ (it needs the editor's
    /// text as its input).
    pub fn push_run_for_page(&mut self, line: &str) {
        self.push(LineKind::Input, line);
        self.busy = true;
    }

    /// Shows a command's answer.
    pub fn push_output(&mut self, output: &ExecOutput) {
        for line in output.stdout.lines() {
            self.push(LineKind::Stdout, line);
        }
        for line in output.stderr.lines() {
            self.push(LineKind::Stderr, line);
        }
        self.busy = false;
    }

    /// Shows that the command could not be sent.
    pub fn push_failure(&mut self, message: &str) {
        self.push(LineKind::Stderr, message);
        self.busy = false;
    }

    fn push(&mut self, kind: LineKind, text: &str) {
        self.scrollback.push(TerminalLine {
            kind,
            text: text.to_string(),
        });
        if self.scrollback.len() > SCROLLBACK_LINES {
            let drop = self.scrollback.len() - SCROLLBACK_LINES;
            self.scrollback.drain(..drop);
        }
    }
}

/// Everything live mode shows, filled by the driver.
#[derive(Clone, Debug)]
pub struct LiveState {
    /// The token (memory only while live).
    pub token: String,
    /// What the server said about itself.
    pub info: LiveInfo,
    /// What is mirrored: full objects, or summaries for a big cluster.
    pub mode: MirrorMode,
    /// The mirrored objects (in [`MirrorMode::Summary`]: the owners, and the inspected
    /// object with its events).
    pub mirror: ObjectMirror,
    /// The node and pod summaries ([`MirrorMode::Summary`] only).
    pub summary: SummaryMirror,
    /// The object the inspector asked for and the summary resourceVersion it was fetched at
    /// ([`MirrorMode::Summary`]: fetched again when the summary moves).
    pub inspected: Option<(crate::inspector::ObjectRef, String)>,
    /// The pod the scheduler-explain view asked for and the summary resourceVersion it was
    /// fetched at ([`MirrorMode::Summary`], like `inspected`, without its events).
    pub explained: Option<(crate::inspector::ObjectRef, String)>,
    /// The Service (`namespace`, `name`) whose EndpointSlices the mirror holds, read on
    /// demand for the traffic view (EndpointSlices are not mirrored otherwise).
    pub sliced: Option<(String, String)>,
    /// The node whose image cache and pulls the images view read on demand, and what the
    /// server answered (both modes).
    pub node_images: Option<crate::images::NodeImages>,
    /// The server's trace as read so far.
    pub trace: LiveTrace,
    /// The live terminal.
    pub terminal: LiveTerminal,
    /// How the connection is doing.
    pub health: LiveHealth,
    /// The wall-clock time (the server's cluster runs on it), set by the clock driver.
    pub now: Timestamp,
    version: u64,
    /// The version of the last change the learner waits for ([`LiveState::touch_now`]).
    urgent: u64,
}

impl LiveState {
    /// A fresh live state for a server that accepted `token`.
    pub fn new(token: String, info: LiveInfo, now: Timestamp) -> LiveState {
        LiveState {
            token,
            mode: MirrorMode::for_cluster(info.nodes.len(), info.pods),
            info,
            mirror: ObjectMirror::new(),
            summary: SummaryMirror::new(),
            inspected: None,
            explained: None,
            sliced: None,
            node_images: None,
            trace: LiveTrace::new(),
            terminal: LiveTerminal::default(),
            health: LiveHealth::Connected,
            now,
            version: 0,
            urgent: 0,
        }
    }

    /// A number that moves whenever something shown changed.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Marks a change the views should show (the cluster's own changes: a big cluster's
    /// are shown at most every [`SUMMARY_RENDER_GAP_MS`], see [`LiveState::render_due`]).
    pub fn touch(&mut self) {
        self.version += 1;
    }

    /// Marks a change the learner waits for (a command's answer, a fetched object, the first
    /// list, the connection's health): shown at the next tick whatever the mode.
    pub fn touch_now(&mut self) {
        self.version += 1;
        self.urgent = self.version;
    }

    /// Sets the connection's health (shown at once) unless it is already that, or the server
    /// refused the token (that stays).
    pub fn set_health(&mut self, health: LiveHealth) {
        if self.health != health && self.health != LiveHealth::Refused {
            self.health = health;
            self.touch_now();
        }
    }

    /// Whether the page should render again at `now_ms`, having last rendered version
    /// `seen.0` at `seen.1` ms: at once for a change the learner waits for; for the cluster's
    /// own changes at once in a full mirror but at most every [`SUMMARY_RENDER_GAP_MS`] in a
    /// summary mirror (a big cluster changes all the time, and each render reads every pod
    /// summary and redraws the canvas on the main thread); and every [`LIVE_REFRESH_MS`]
    /// anyway, for the ages.
    pub fn render_due(&self, seen: (u64, f64), now_ms: f64) -> bool {
        let elapsed = now_ms - seen.1;
        if elapsed >= LIVE_REFRESH_MS || (self.urgent > seen.0 && seen.0 != u64::MAX) {
            return true;
        }
        let gap = match self.mode {
            MirrorMode::Full => 0.0,
            MirrorMode::Summary => SUMMARY_RENDER_GAP_MS,
        };
        self.version != seen.0 && elapsed >= gap
    }

    /// Whether a full mirror now holds a cluster big enough for summaries (the app then
    /// connects again in [`MirrorMode::Summary`]).
    pub fn outgrown(&self) -> bool {
        let nodes = self.mirror.count(Kind::Node);
        let pods = self.mirror.count(Kind::Pod);
        self.mode.outgrown(nodes, pods)
    }

    /// The summary resourceVersion of the object the inspector shows (pods and nodes; empty
    /// for other kinds), so the driver knows when to fetch it again.
    pub fn summary_version_of(&self, target: &crate::inspector::ObjectRef) -> String {
        match target.kind {
            Kind::Pod => self
                .summary
                .pod(&target.namespace, &target.name)
                .map(|p| p.resource_version.clone()),
            Kind::Node => self
                .summary
                .node(&target.name)
                .map(|n| n.resource_version.clone()),
            _ => None,
        }
        .unwrap_or_default()
    }

    /// What the node names ([`LiveState::node_names`]) are current at, when a number says it:
    /// in [`MirrorMode::Summary`] the summary's nodes version (it moves with every node line
    /// and list, and only then); None for a full mirror (read afresh each time: a small
    /// cluster).
    pub fn node_names_version(&self) -> Option<u64> {
        match self.mode {
            MirrorMode::Summary => Some(self.summary.nodes_version()),
            MirrorMode::Full => None,
        }
    }

    /// The nodes' names, from the mirrored Nodes or summaries (the info's list before the
    /// first list).
    pub fn node_names(&self) -> Vec<String> {
        if self.mode == MirrorMode::Summary {
            if self.summary.listed() {
                return self.summary.node_names();
            }
            return self.info.nodes.clone();
        }
        if self.mirror.listed(Kind::Node) {
            self.mirror.names(Kind::Node, "")
        } else {
            self.info.nodes.clone()
        }
    }
    /// How many nodes [`LiveState::node_names`] names, counted without copying the names (the
    /// cluster view asks at every render).
    pub fn node_count(&self) -> usize {
        if self.mode == MirrorMode::Summary {
            if self.summary.listed() {
                return self.summary.node_count();
            }
            return self.info.nodes.len();
        }
        if self.mirror.listed(Kind::Node) {
            self.mirror.count(Kind::Node)
        } else {
            self.info.nodes.len()
        }
    }

    /// The node an object picked in the cluster view stands for: a Node itself, or a Pod's
    /// node (from its summary in [`MirrorMode::Summary`], else from the mirrored Pod); None
    /// for other kinds and for pods not bound yet.
    pub fn node_of(&self, picked: &crate::inspector::ObjectRef) -> Option<String> {
        match picked.kind {
            Kind::Node => Some(picked.name.clone()),
            Kind::Pod if self.mode == MirrorMode::Summary => self
                .summary
                .pod(&picked.namespace, &picked.name)
                .and_then(|p| p.node_name.clone()),
            Kind::Pod => self
                .mirror
                .get(Kind::Pod, &picked.namespace, &picked.name)
                .and_then(|object| match object.as_ref() {
                    kubeplay_core::api::objects::Object::Pod(pod) => {
                        pod.node_name().map(str::to_string)
                    }
                    _ => None,
                }),
            _ => None,
        }
        .filter(|node| !node.is_empty())
    }
}

/// A wall-clock time as the live timeline shows it: `12:03:04.567` (UTC).
pub fn wall_clock(at: Timestamp) -> String {
    let ms = at.as_millis();
    let day_ms = ms % 86_400_000;
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        day_ms / 3_600_000,
        (day_ms / 60_000) % 60,
        (day_ms / 1_000) % 60,
        day_ms % 1_000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_live_terminal_shows_commands_and_their_answers_in_order() {
        let mut terminal = LiveTerminal::default();
        terminal.push_input("kubectl get pods");
        assert!(terminal.busy);
        terminal.push_output(&ExecOutput {
            stdout: "NAME  READY\nweb-1 1/1\n".to_string(),
            stderr: "warning\n".to_string(),
            exit_code: 0,
        });
        assert!(!terminal.busy);
        let kinds: Vec<_> = terminal.scrollback.iter().map(|l| l.kind).collect();
        assert_eq!(
            kinds,
            [
                LineKind::Input,
                LineKind::Stdout,
                LineKind::Stdout,
                LineKind::Stderr
            ]
        );
        assert_eq!(terminal.history, ["kubectl get pods"]);
    }

    #[test]
    fn the_editors_apply_shows_in_the_live_terminal_but_not_in_its_history() {
        let mut terminal = LiveTerminal::default();
        terminal.push_run_for_page("kubectl apply -f -");
        assert!(terminal.busy);
        terminal.push_output(&ExecOutput {
            stdout: "service/web created\n".to_string(),
            ..ExecOutput::default()
        });
        let texts: Vec<&str> = terminal
            .scrollback
            .iter()
            .map(|l| l.text.as_str())
            .collect();
        assert_eq!(texts, ["kubectl apply -f -", "service/web created"]);
        assert!(terminal.history.is_empty());
        assert!(!terminal.busy);
    }

    #[test]
    fn exec_bodies_carry_the_line_and_the_editors_text_as_the_file_dash() {
        let plain: serde_json::Value =
            serde_json::from_str(&exec_body("kubectl get pods", None)).unwrap_or_default();
        assert_eq!(plain, serde_json::json!({ "line": "kubectl get pods" }));
        let yaml = "kind: Service\nmetadata:\n  name: \"web\"\n";
        let with_stdin: serde_json::Value =
            serde_json::from_str(&exec_body("kubectl apply -f -", Some(yaml))).unwrap_or_default();
        assert_eq!(
            with_stdin,
            serde_json::json!({ "line": "kubectl apply -f -", "files": { "-": yaml } })
        );
    }

    #[test]
    fn owners_are_watched_within_the_browsers_connections_and_never_also_polled() {
        for owner in [Kind::Deployment, Kind::ReplicaSet, Kind::Pod, Kind::Node] {
            assert!(WATCHED_KINDS.contains(&owner), "{owner:?}");
        }
        for kind in POLLED_KINDS {
            assert!(
                !WATCHED_KINDS.contains(&kind),
                "{kind:?} is watched and polled"
            );
        }
    }

    #[test]
    fn exec_answers_read_with_defaults_for_missing_fields() {
        let output: Result<ExecOutput, _> =
            serde_json::from_str(r#"{"stdout":"ok\n","exitCode":1}"#);
        assert_eq!(
            output.ok(),
            Some(ExecOutput {
                stdout: "ok\n".to_string(),
                stderr: String::new(),
                exit_code: 1
            })
        );
    }

    #[test]
    fn a_picked_pod_stands_for_its_node_from_the_mirror_or_the_summaries() {
        let picked = |kind: Kind, name: &str| crate::inspector::ObjectRef {
            kind,
            namespace: if kind == Kind::Pod { "default" } else { "" }.to_string(),
            name: name.to_string(),
        };
        let mut live = LiveState::new(
            "t".to_string(),
            LiveInfo::default(),
            Timestamp::from_millis(0),
        );
        assert_eq!(live.mode, MirrorMode::Full);
        let pods = r#"{"items":[
            {"metadata":{"namespace":"default","name":"web-1"},"spec":{"nodeName":"node-2","containers":[{"name":"c","image":"nginx"}]}},
            {"metadata":{"namespace":"default","name":"pending"},"spec":{"containers":[{"name":"c","image":"nginx"}]}}],
            "metadata":{"resourceVersion":"9"}}"#;
        assert_eq!(live.mirror.apply_list(Kind::Pod, pods), Ok(()));
        let summary = r#"{"resourceVersion":"9","nodes":[{"name":"node-3","ready":"True","resourceVersion":"1"}],
            "pods":[{"namespace":"default","name":"web-1","nodeName":"node-3","status":"Running","resourceVersion":"8"}]}"#;
        assert_eq!(live.summary.apply_list(summary), Ok(()));
        let cases = [
            (Kind::Pod, "web-1", Some("node-2")),
            (Kind::Pod, "pending", None),
            (Kind::Pod, "gone", None),
            (Kind::Node, "node-1", Some("node-1")),
            (Kind::Service, "web", None),
        ];
        for (kind, name, node) in cases {
            assert_eq!(
                live.node_of(&picked(kind, name)).as_deref(),
                node,
                "{kind:?} {name}"
            );
        }
        // A big cluster reads the pod's node from its summary.
        live.mode = MirrorMode::Summary;
        assert_eq!(
            live.node_of(&picked(Kind::Pod, "web-1")).as_deref(),
            Some("node-3")
        );
    }

    #[test]
    fn polled_kinds_are_all_listed_first_then_when_records_were_missed_at_most_every_few_polls() {
        // The first poll, and every FULL_RELIST_ROUNDS.
        assert!(lists_every_polled_kind(0, 0, false, 0));
        assert!(!lists_every_polled_kind(1, 0, false, 0));
        assert!(lists_every_polled_kind(FULL_RELIST_ROUNDS, 0, false, 0));
        // Some kinds committed: only those; all of them (or an unreadable trace): all.
        assert!(!lists_every_polled_kind(1, 2, false, 0));
        assert!(lists_every_polled_kind(1, POLLED_KINDS.len(), false, 0));
        // Records left out at every poll: all kinds every MISSED_RELIST_ROUNDS polls, not
        // at every poll.
        let mut last_full = 0;
        let full: Vec<u32> = (1..=12)
            .filter(|&round| {
                let full = lists_every_polled_kind(round, 1, true, last_full);
                if full {
                    last_full = round;
                }
                full
            })
            .collect();
        assert_eq!(full, [MISSED_RELIST_ROUNDS, 2 * MISSED_RELIST_ROUNDS]);
    }

    #[test]
    fn node_names_come_from_the_info_until_nodes_are_listed() {
        let info = LiveInfo {
            nodes: vec!["a".to_string()],
            ..LiveInfo::default()
        };
        let mut live = LiveState::new("t".to_string(), info, Timestamp::from_millis(0));
        assert_eq!(live.node_names(), ["a"]);
        let list = r#"{"items":[{"metadata":{"name":"n2"}},{"metadata":{"name":"n1"}}],"metadata":{"resourceVersion":"3"}}"#;
        assert_eq!(live.mirror.apply_list(Kind::Node, list), Ok(()));
        assert_eq!(live.node_names(), ["n1", "n2"]);
        assert_eq!(live.node_count(), 2);
    }

    #[test]
    fn the_node_count_is_the_number_of_node_names_in_either_mode() {
        let info = LiveInfo {
            nodes: vec!["a".to_string()],
            pods: summary::SUMMARY_POD_THRESHOLD,
            ..LiveInfo::default()
        };
        let mut live = LiveState::new("t".to_string(), info, Timestamp::from_millis(0));
        assert_eq!(live.mode, MirrorMode::Summary);
        assert_eq!((live.node_count(), live.node_names().len()), (1, 1));
        let list = r#"{"resourceVersion":"4","nodes":[{"name":"n1"},{"name":"n2"},{"name":"n3"}],"pods":[]}"#;
        assert_eq!(live.summary.apply_list(list), Ok(()));
        assert_eq!((live.node_count(), live.node_names().len()), (3, 3));
    }

    fn live_with_pods(pods: usize) -> LiveState {
        let info = LiveInfo {
            pods,
            ..LiveInfo::default()
        };
        LiveState::new("t".to_string(), info, Timestamp::from_millis(0))
    }

    #[test]
    fn a_big_clusters_own_changes_render_at_most_every_gap_but_answers_at_once() {
        let mut live = live_with_pods(summary::SUMMARY_POD_THRESHOLD);
        assert_eq!(live.mode, MirrorMode::Summary);
        let never = (u64::MAX, 0.0);
        // Nothing rendered yet: render.
        assert!(live.render_due(never, 10_000.0));
        let seen = (live.version(), 10_000.0);
        // Nothing changed: only the once-a-second refresh.
        assert!(!live.render_due(seen, 10_500.0));
        assert!(live.render_due(seen, 10_000.0 + LIVE_REFRESH_MS));
        // Summary lines: not before the gap has passed.
        for _ in 0..100 {
            live.touch();
        }
        assert!(!live.render_due(seen, 10_050.0));
        assert!(!live.render_due(seen, 10_000.0 + SUMMARY_RENDER_GAP_MS - 1.0));
        assert!(live.render_due(seen, 10_000.0 + SUMMARY_RENDER_GAP_MS));
        // A command's answer: at the next tick.
        live.touch_now();
        assert!(live.render_due(seen, 10_050.0));
        // Once rendered, later summary lines wait again.
        let seen = (live.version(), 10_050.0);
        live.touch();
        assert!(!live.render_due(seen, 10_100.0));
    }

    #[test]
    fn a_full_mirror_lists_a_changed_polled_kind_at_once() {
        let mut listing = PolledListing::default();
        assert_eq!(
            listing.due(MirrorMode::Full, 0, &[], true),
            POLLED_KINDS.to_vec()
        );
        for round in 1..5 {
            assert_eq!(
                listing.due(MirrorMode::Full, round, &[Kind::Endpoints], false),
                [Kind::Endpoints]
            );
        }
        assert!(listing.due(MirrorMode::Full, 5, &[], false).is_empty());
    }

    #[test]
    fn a_summary_mirror_lists_each_polled_kind_at_most_every_few_polls_and_owes_no_change() {
        let mut listing = PolledListing::default();
        let summary = MirrorMode::Summary;
        // The first poll lists everything.
        assert_eq!(listing.due(summary, 0, &[], true), POLLED_KINDS.to_vec());
        // Endpoints change at every poll: listed again only after SUMMARY_RELIST_ROUNDS.
        let mut listed_at = Vec::new();
        for round in 1..=25 {
            if listing
                .due(summary, round, &[Kind::Endpoints], false)
                .contains(&Kind::Endpoints)
            {
                listed_at.push(round);
            }
        }
        assert_eq!(
            listed_at,
            [SUMMARY_RELIST_ROUNDS, 2 * SUMMARY_RELIST_ROUNDS]
        );
        // A Service changed once, early: owed, and listed when its time comes, once.
        let mut listing = PolledListing::default();
        assert_eq!(listing.due(summary, 0, &[], true).len(), POLLED_KINDS.len());
        assert!(listing.due(summary, 3, &[Kind::Service], false).is_empty());
        assert!(listing.due(summary, 9, &[], false).is_empty());
        assert_eq!(
            listing.due(summary, SUMMARY_RELIST_ROUNDS, &[], false),
            [Kind::Service]
        );
        assert!(listing.due(summary, 40, &[], false).is_empty());
        // A kind not listed for long goes at once; "all" lists every rested kind.
        assert_eq!(
            listing.due(summary, 41, &[Kind::ConfigMap], false),
            [Kind::ConfigMap]
        );
        assert_eq!(
            listing.due(summary, 42, &[], true).len(),
            POLLED_KINDS.len() - 1,
            "ConfigMap, listed a poll ago, waits"
        );
        assert_eq!(
            listing.due(summary, 41 + SUMMARY_RELIST_ROUNDS, &[], false),
            [Kind::ConfigMap]
        );
    }

    #[test]
    fn a_full_mirror_renders_every_change_at_the_next_tick() {
        let mut live = live_with_pods(10);
        assert_eq!(live.mode, MirrorMode::Full);
        let seen = (live.version(), 10_000.0);
        assert!(!live.render_due(seen, 10_050.0));
        live.touch();
        assert!(live.render_due(seen, 10_050.0));
    }

    #[test]
    fn wall_clock_times_read_as_hours_minutes_seconds_and_millis() {
        assert_eq!(wall_clock(Timestamp::from_millis(0)), "00:00:00.000");
        assert_eq!(
            wall_clock(Timestamp::from_millis(86_400_000 + 3_723_456)),
            "01:02:03.456"
        );
    }

    /// The objects of `kind` in a simulated cluster, as the server's list answer.
    fn list_body(world: &mut kubeplay_core::sim::world::World, kind: Kind, rv: &str) -> String {
        let items: Vec<serde_json::Value> = crate::cluster::stored_objects(world, kind)
            .iter()
            .map(|object| object.to_value())
            .collect();
        serde_json::json!({ "items": items, "metadata": { "resourceVersion": rv } }).to_string()
    }

    /// A live state mirroring a simulated cluster that runs the sample Deployment: Nodes,
    /// Pods and ReplicaSets listed, the Deployment arriving on its watch.
    fn mirrored_sample() -> LiveState {
        let mut playground = crate::playground::Playground::new(1, 3);
        playground.apply_sample();
        playground.set_running(true);
        for _ in 0..120 {
            playground.tick(250.0);
        }
        let world = playground.world_mut();
        let mut live = LiveState::new(
            "t".to_string(),
            LiveInfo::default(),
            Timestamp::from_millis(0),
        );
        for kind in [Kind::Node, Kind::Pod, Kind::ReplicaSet] {
            assert_eq!(
                live.mirror.apply_list(kind, &list_body(world, kind, "10")),
                Ok(())
            );
        }
        assert_eq!(
            live.mirror.apply_list(
                Kind::Deployment,
                r#"{"items":[],"metadata":{"resourceVersion":"10"}}"#
            ),
            Ok(())
        );
        for object in crate::cluster::stored_objects(world, Kind::Deployment) {
            let line =
                serde_json::json!({ "type": "ADDED", "object": object.to_value() }).to_string();
            assert_eq!(
                live.mirror.apply_watch_line(Kind::Deployment, &line),
                Ok(mirror::WatchOutcome::Changed)
            );
        }
        live
    }

    #[test]
    fn a_live_pods_owner_chain_runs_from_the_watched_deployment_through_its_replica_set() {
        let live = mirrored_sample();
        let pods = live.mirror.objects(Kind::Pod);
        let pod = pods.iter().find(|p| p.name().starts_with("web-"));
        let Some(pod) = pod else {
            panic!("no web pod was mirrored");
        };
        let target = crate::inspector::ObjectRef {
            kind: Kind::Pod,
            namespace: pod.namespace().to_string(),
            name: pod.name().to_string(),
        };
        let inspection = crate::inspector::Inspection::read(&live, &target);
        let chain: Vec<String> = inspection
            .map(|i| {
                i.owners
                    .iter()
                    .map(|o| format!("{}/{}", o.kind.kind_name(), o.name))
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(chain.len(), 3, "{chain:?}");
        assert_eq!(chain.first().map(String::as_str), Some("Deployment/web"));
        assert!(
            chain
                .get(1)
                .is_some_and(|rs| rs.starts_with("ReplicaSet/web-")),
            "{chain:?}"
        );
        assert_eq!(chain.get(2), Some(&format!("Pod/{}", pod.name())));
    }

    #[test]
    fn live_pods_are_coloured_by_their_owner_on_the_cluster_view() {
        let live = mirrored_sample();
        let snapshot = crate::cluster::ClusterSnapshot::read(&live);
        let chips: Vec<_> = snapshot.nodes.iter().flat_map(|n| n.chips.iter()).collect();
        assert_eq!(chips.len(), 3);
        assert!(chips
            .iter()
            .all(|c| c.group == "web" && c.hue == crate::cluster::hue("web")));
    }
}
