//! The playground: one simulated cluster, the learner's session, and the terminal's state.
//!
//! [`Playground`] owns a [`World`] on a virtual clock. The page's clock driver calls
//! [`Playground::tick`] with the wall-clock time that passed; the playground turns it into
//! virtual time at the chosen [`SPEEDS`] and advances the world. Lines from the terminal go
//! through [`Playground::run_line`]: `kubectl …` lines to the core's kubectl on the world's API
//! server ([`Playground::run_kubectl`]), `play …` lines (wait, advance, node faults, traffic,
//! dns, help) to the core's playground commands ([`kubeplay_core::play::Session`], which owns
//! the page's World here, so they print exactly what `kubeplay play` prints); both are recorded
//! in the [`Session`] with their virtual time. Any other line gets the playground's own error
//! and changes nothing. Open `get -w` watches are polled after every advance and their rows
//! appended to the scrollback.
//!
//! Going back in time ([`Playground::travel_to`]) builds a new world from the seed and
//! replays the recorded commands up to the chosen instant. The commands after it stay in the
//! session and are replayed again as the clock passes them (so one can step back and forth),
//! until the learner gives a new command: that starts a new branch and drops them. A `play`
//! line that moves time (`play wait`, `play advance`) is replayed whole: going back to an
//! instant inside it lands where it ended.
//!
//! Everything here is plain Rust, tested natively; the Yew components only render it.

use std::time::Duration;

use kubeplay_core::api::manifest::parse_manifests;
use kubeplay_core::kubectl::{self, GetWatch};
use kubeplay_core::play::{PlayConfig, Session as PlaySession};
use kubeplay_core::sim::clock::{Timestamp, SIM_EPOCH};
use kubeplay_core::sim::traffic::{TrafficError, TrafficReport};
use kubeplay_core::sim::world::{World, WorldConfig};

use crate::checkpoints::Checkpoints;
use crate::session::{Session, SessionAction};
use crate::traffic::TrafficSpec;

/// The speeds the clock runs at: virtual seconds per wall-clock second.
pub const SPEEDS: [f64; 9] = [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0];

/// The most wall-clock time one tick turns into virtual time: after a hidden tab or a long
/// pause of the browser the clock does not leap minutes ahead at once.
const MAX_WALL_MS_PER_TICK: f64 = 250.0;

/// How many scrollback lines the terminal keeps.
const SCROLLBACK_LINES: usize = 2_000;

/// How many commands the terminal's history keeps.
const HISTORY_LINES: usize = 200;

/// The default number of nodes of a new cluster.
pub const DEFAULT_NODES: usize = 3;

/// What kind of line the terminal shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineKind {
    /// A command the learner typed (shown after a prompt).
    Input,
    /// What a command printed on standard output.
    Stdout,
    /// What a command printed on standard error.
    Stderr,
    /// A note from the playground itself (time travel, a stopped watch).
    Info,
}

/// One line of the terminal's scrollback.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TerminalLine {
    /// What kind of line.
    pub kind: LineKind,
    /// The text, without its newline.
    pub text: String,
}

/// A note the playground writes into the terminal, translated by the view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice {
    /// The clock was moved back by replaying the session.
    Replayed,
    /// The open watches were stopped (Ctrl-C).
    WatchesStopped,
    /// The sample Deployment was applied.
    SampleApplied,
}

/// The Deployment the sample button creates: the same object as
/// `kubectl create deployment web --image=nginx --replicas=3`.
pub const SAMPLE_DEPLOYMENT: &str = "\
apiVersion: apps/v1
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
        image: nginx
";

/// The simulated cluster, its session and its terminal.
pub struct Playground {
    /// The core's playground session, which owns the page's World (`play` lines run on it).
    play: PlaySession,
    session: Session,
    /// How many session entries the world has seen (fewer than all after going back).
    applied: usize,
    watches: Vec<GetWatch>,
    scrollback: Vec<TerminalLine>,
    notices: Vec<(usize, Notice)>,
    history: Vec<String>,
    running: bool,
    speed_index: usize,
    /// Virtual milliseconds not yet advanced (fractions from slow speeds).
    carry_ms: f64,
    /// Bumped on every change the views show, so they re-render only when it moves.
    version: u64,
    /// The traffic view's last batch and its outcome.
    last_traffic: Option<(TrafficSpec, Result<TrafficReport, TrafficError>)>,
    /// Copies of the World to replay from when going back.
    checkpoints: Checkpoints,
    /// Whether the World is exactly what replaying the session builds (an open `get -w`
    /// polls the API server, which the trace records, so it is not: no checkpoints then).
    replayable: bool,
}

fn world_config(seed: u64, nodes: usize) -> WorldConfig {
    WorldConfig {
        seed,
        nodes,
        // The browser keeps the recent trace for the timeline; the hash still covers all.
        trace_records_kept: 20_000,
        ..WorldConfig::default()
    }
}

/// The core's playground session over a World (the page runs kubectl lines and its clock
/// itself; the session is there for `play` lines).
fn play_session(world: World) -> PlaySession {
    PlaySession::with_world_started(world, PlayConfig::default(), SIM_EPOCH)
}

/// A fresh World of the session's seed and size.
fn fresh_world(session: &Session) -> World {
    World::new(&world_config(session.seed, session.nodes))
}

impl Playground {
    /// A fresh cluster of `nodes` nodes from `seed`, paused at speed 1×.
    pub fn new(seed: u64, nodes: usize) -> Playground {
        let world = World::new(&world_config(seed, nodes));
        let session = Session::new(seed, nodes, world.now().as_millis());
        Playground::with(world, session)
    }

    /// The cluster of a saved session, replayed up to the time it was left at.
    pub fn restore(session: Session) -> Playground {
        let world = fresh_world(&session);
        let clock = Timestamp::from_millis(session.clock_ms);
        let mut playground = Playground::with(world, session);
        playground.history = playground
            .session
            .entries
            .iter()
            .filter_map(|entry| match &entry.action {
                SessionAction::Kubectl { line } | SessionAction::Play { line } => {
                    Some(line.clone())
                }
                SessionAction::Apply { .. }
                | SessionAction::KubectlApply { .. }
                | SessionAction::Traffic { .. } => None,
            })
            .collect();
        playground.advance_to(clock);
        playground
    }

    fn with(world: World, session: Session) -> Playground {
        Playground {
            play: play_session(world),
            session,
            applied: 0,
            watches: Vec::new(),
            scrollback: Vec::new(),
            notices: Vec::new(),
            history: Vec::new(),
            running: false,
            speed_index: 2,
            carry_ms: 0.0,
            version: 0,
            last_traffic: None,
            checkpoints: Checkpoints::default(),
            replayable: true,
        }
    }

    /// The world, to read (cluster view, inspector, timeline).
    pub fn world(&self) -> &World {
        self.play.world_ref()
    }

    /// The world, for reads that need the API server (which records reads in the trace).
    pub fn world_mut(&mut self) -> &mut World {
        self.play.world()
    }

    /// The session so far (to save).
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The current virtual time.
    pub fn now(&self) -> Timestamp {
        self.world().now()
    }

    /// The virtual time the cluster started at.
    pub fn start(&self) -> Timestamp {
        kubeplay_core::sim::clock::SIM_EPOCH
    }

    /// A number that changes whenever anything shown changes.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The terminal's lines, oldest first.
    pub fn scrollback(&self) -> &[TerminalLine] {
        &self.scrollback
    }

    /// The playground's own notes: (index in the scrollback, which note).
    pub fn notices(&self) -> &[(usize, Notice)] {
        &self.notices
    }

    /// The commands typed so far, oldest first (for ↑/↓).
    pub fn history(&self) -> &[String] {
        &self.history
    }

    /// Whether the clock runs.
    pub fn running(&self) -> bool {
        self.running
    }

    /// Starts or stops the clock.
    pub fn set_running(&mut self, running: bool) {
        self.running = running;
        self.carry_ms = 0.0;
        self.session.clock_ms = self.now().as_millis();
        self.version += 1;
    }

    /// The current speed (virtual seconds per wall second).
    pub fn speed(&self) -> f64 {
        SPEEDS.get(self.speed_index).copied().unwrap_or(1.0)
    }

    /// Sets the speed to the nearest of [`SPEEDS`].
    pub fn set_speed(&mut self, speed: f64) {
        let nearest = SPEEDS
            .iter()
            .enumerate()
            .min_by(|(_, a), (_, b)| (*a - speed).abs().total_cmp(&(*b - speed).abs()))
            .map_or(2, |(index, _)| index);
        self.speed_index = nearest;
        self.version += 1;
    }

    /// Whether some open `get -w` is streaming.
    pub fn watching(&self) -> bool {
        !self.watches.is_empty()
    }

    /// Whether the session has commands ahead of the clock (after going back).
    pub fn has_future(&self) -> bool {
        self.applied < self.session.entries.len()
    }

    /// The clock driver: `wall_ms` of wall-clock time passed. Advances the world by that times
    /// the speed when running; returns whether anything moved.
    pub fn tick(&mut self, wall_ms: f64) -> bool {
        if !self.running || !wall_ms.is_finite() || wall_ms <= 0.0 {
            return false;
        }
        self.carry_ms += wall_ms.min(MAX_WALL_MS_PER_TICK) * self.speed();
        let whole_ms = self.carry_ms.floor();
        if whole_ms < 1.0 {
            return false;
        }
        self.carry_ms -= whole_ms;
        // Bounded above by MAX_WALL_MS_PER_TICK × the top speed, so the cast is exact.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let step = Duration::from_millis(whole_ms as u64);
        let target = self.now().plus(step);
        self.advance_to(target);
        true
    }

    /// Moves the clock to the next instant some component wants to run at (or the next
    /// recorded command ahead), and lets the cluster react. Returns the new time.
    pub fn step(&mut self) -> Timestamp {
        let now = self.now();
        let wakeup = self
            .world_mut()
            .next_wakeup()
            .filter(|t| *t > now)
            .unwrap_or_else(|| now.plus(Duration::from_millis(1)));
        let next_entry = self
            .session
            .entries
            .get(self.applied)
            .map(|entry| Timestamp::from_millis(entry.at_ms).max(now));
        let target = next_entry.map_or(wakeup, |at| at.min(wakeup));
        self.advance_to(target);
        self.session.clock_ms = self.now().as_millis();
        self.now()
    }

    /// Records an action given at `now` (dropping the entries ahead of the clock, and the
    /// checkpoints of that abandoned branch).
    fn record(&mut self, now: Timestamp, action: SessionAction) {
        self.session.record(self.applied, now.as_millis(), action);
        self.checkpoints.forget_after(self.applied, now);
        self.applied = self.session.entries.len();
    }

    /// Keeps a checkpoint of the World when one is due and the World is still exactly what a
    /// replay of the session would build.
    fn offer_checkpoint(&mut self) {
        if self.replayable && self.checkpoints.due(self.now(), self.applied) {
            self.checkpoints.take(self.play.world_ref(), self.applied);
        }
    }

    /// Runs the world to `until` (no entry lies before it), taking the checkpoints that fall
    /// due on the way.
    fn run_to(&mut self, until: Timestamp) {
        self.offer_checkpoint();
        while self.replayable {
            let Some(due) = self
                .checkpoints
                .next_due(self.now())
                .filter(|due| *due < until)
            else {
                break;
            };
            self.world_mut().run_until(due, |_| false);
            self.offer_checkpoint();
        }
        self.world_mut().run_until(until, |_| false);
    }

    /// Advances the world to `target`, replaying recorded commands on the way.
    fn advance_to(&mut self, target: Timestamp) {
        while let Some(entry) = self.session.entries.get(self.applied) {
            let at = Timestamp::from_millis(entry.at_ms);
            if at > target {
                break;
            }
            let action = entry.action.clone();
            self.run_to(at);
            self.applied += 1;
            match action {
                SessionAction::Kubectl { line } => {
                    let world = self.world_mut();
                    let now = world.now();
                    let output = kubectl::run(world.api(), now, &line);
                    if let Some(watch) = output.watch {
                        watch.stop(world.api());
                    }
                }
                SessionAction::Play { line } => {
                    let _ = self.play.run_line(&line);
                }
                SessionAction::Apply { manifest } => {
                    let _ = apply_manifest(self.world_mut(), &manifest);
                }
                SessionAction::KubectlApply { manifest } => {
                    let _ = kubectl_apply_stdin(self.world_mut(), &manifest);
                }
                SessionAction::Traffic { spec } => {
                    let _ = self.world_mut().send_traffic(&spec.to_request());
                }
            }
            self.world_mut().settle();
        }
        self.run_to(target);
        self.offer_checkpoint();
        self.poll_watches();
        self.version += 1;
    }

    /// Appends the rows of open watches to the scrollback.
    fn poll_watches(&mut self) {
        let now = self.now();
        let mut lines = Vec::new();
        for watch in &mut self.watches {
            let output = watch.poll(self.play.world().api(), now);
            lines.push((LineKind::Stdout, output.stdout));
            lines.push((LineKind::Stderr, output.stderr));
        }
        for (kind, text) in lines {
            self.push_text(kind, &text);
        }
    }

    /// Runs one line typed in the terminal and shows its output: `kubectl …` as
    /// [`Playground::run_kubectl`], `play …` as [`Playground::run_play`]; a comment or any other
    /// line goes to the core's playground session too, which answers it as `kubeplay play`
    /// does (nothing, or its error) without touching the cluster, so it is not recorded.
    pub fn run_line(&mut self, line: &str) {
        let line = line.trim();
        if line.is_empty() {
            return;
        }
        match line.split_whitespace().next() {
            Some("kubectl") => self.run_kubectl(line),
            Some("play") => self.run_play(line),
            _ => {
                self.push_input(line);
                let output = self.play.run_line(line);
                self.push_text(LineKind::Stdout, &output.stdout);
                self.push_text(LineKind::Stderr, &output.stderr);
                self.version += 1;
            }
        }
    }

    /// Shows a typed line after the prompt and keeps it in the history.
    fn push_input(&mut self, line: &str) {
        self.push_line(LineKind::Input, line.to_string());
        if self.history.last().map(String::as_str) != Some(line) {
            self.history.push(line.to_string());
            if self.history.len() > HISTORY_LINES {
                self.history.remove(0);
            }
        }
    }

    /// Runs one kubectl command line, records it, and shows its output.
    pub fn run_kubectl(&mut self, line: &str) {
        let line = line.trim();
        if line.is_empty() {
            return;
        }
        self.push_input(line);
        let now = self.now();
        self.record(
            now,
            SessionAction::Kubectl {
                line: line.to_string(),
            },
        );
        self.session.clock_ms = now.as_millis();
        let output = kubectl::run(self.play.world().api(), now, line);
        self.push_text(LineKind::Stdout, &output.stdout);
        self.push_text(LineKind::Stderr, &output.stderr);
        if let Some(watch) = output.watch {
            self.watches.push(watch);
            self.replayable = false;
        }
        self.world_mut().settle();
        self.poll_watches();
        self.version += 1;
    }

    /// Runs one `play …` line with the core's playground commands, records it, and shows
    /// exactly what `kubeplay play` prints. `play wait` and `play advance` move the clock;
    /// open watches print the rows they saw after the line's own output.
    pub fn run_play(&mut self, line: &str) {
        let line = line.trim();
        self.push_input(line);
        let now = self.now();
        self.record(
            now,
            SessionAction::Play {
                line: line.to_string(),
            },
        );
        // As a replay does: the world settles before and after each recorded action.
        self.world_mut().settle();
        let output = self.play.run_line(line);
        self.world_mut().settle();
        self.session.clock_ms = self.now().as_millis();
        self.push_text(LineKind::Stdout, &output.stdout);
        self.push_text(LineKind::Stderr, &output.stderr);
        self.poll_watches();
        self.version += 1;
    }

    /// Applies the sample Deployment (the same as `kubectl create deployment web
    /// --image=nginx --replicas=3`), recorded like a command.
    pub fn apply_sample(&mut self) {
        self.apply(SAMPLE_DEPLOYMENT);
    }

    /// Applies a manifest, records it, and shows what was created or what failed.
    pub fn apply(&mut self, manifest: &str) {
        let now = self.now();
        self.record(
            now,
            SessionAction::Apply {
                manifest: manifest.to_string(),
            },
        );
        self.session.clock_ms = now.as_millis();
        self.push_notice(Notice::SampleApplied);
        for result in apply_manifest(self.world_mut(), manifest) {
            match result {
                Ok(text) => self.push_line(LineKind::Stdout, text),
                Err(text) => self.push_line(LineKind::Stderr, text),
            }
        }
        self.world_mut().settle();
        self.poll_watches();
        self.version += 1;
    }

    /// Applies the editor's text with `kubectl apply -f -` (the terminal's path: the same
    /// last-applied annotation, patches and trace), records it, and shows the command and its
    /// output in the terminal.
    pub fn apply_from_editor(&mut self, manifest: &str) {
        let now = self.now();
        self.record(
            now,
            SessionAction::KubectlApply {
                manifest: manifest.to_string(),
            },
        );
        self.session.clock_ms = now.as_millis();
        self.push_line(LineKind::Input, EDITOR_APPLY_LINE.to_string());
        // A replay settles the world before each recorded action (`run_until`); so does this,
        // or an apply right after a reset would meet a world that had not yet settled.
        self.world_mut().settle();
        let output = kubectl_apply_stdin(self.world_mut(), manifest);
        self.push_text(LineKind::Stdout, &output.stdout);
        self.push_text(LineKind::Stderr, &output.stderr);
        self.world_mut().settle();
        self.poll_watches();
        self.version += 1;
    }

    /// Tab completion of a terminal line against this cluster (see [`crate::completion`]).
    pub fn complete(&mut self, line: &str) -> crate::completion::Completion {
        crate::completion::complete(line, &mut crate::completion::WorldNames(self.play.world()))
    }

    /// Sends a batch of simulated requests now (the traffic view), records it like a
    /// command, and keeps the outcome for the view.
    pub fn send_traffic(&mut self, spec: TrafficSpec) {
        let now = self.now();
        self.record(now, SessionAction::Traffic { spec: spec.clone() });
        self.session.clock_ms = now.as_millis();
        // As a replay does: the world settles before and after each recorded action.
        self.world_mut().settle();
        let outcome = self.world_mut().send_traffic(&spec.to_request());
        self.world_mut().settle();
        self.last_traffic = Some((spec, outcome));
        self.version += 1;
    }

    /// The last batch the traffic view sent and what happened to it.
    pub fn last_traffic(&self) -> Option<&(TrafficSpec, Result<TrafficReport, TrafficError>)> {
        self.last_traffic.as_ref()
    }

    /// Stops every open watch (Ctrl-C).
    pub fn stop_watches(&mut self) {
        if self.watches.is_empty() {
            return;
        }
        for watch in self.watches.drain(..) {
            watch.stop(self.play.world().api());
        }
        self.push_notice(Notice::WatchesStopped);
        self.version += 1;
    }

    /// Moves the clock to `target`: forward by running, back by replaying the session from
    /// the seed. Open watches end (they belonged to the old timeline).
    pub fn travel_to(&mut self, target: Timestamp) {
        if target >= self.now() {
            self.advance_to(target);
        } else {
            self.watches.clear();
            self.last_traffic = None;
            match self.checkpoints.nearest(target) {
                Some(checkpoint) => {
                    self.play = play_session(checkpoint.world.clone());
                    self.applied = checkpoint.applied;
                }
                None => {
                    self.play = play_session(fresh_world(&self.session));
                    self.applied = 0;
                }
            }
            self.replayable = true;
            self.advance_to(target.max(self.now()));
            self.push_notice(Notice::Replayed);
        }
        self.session.clock_ms = self.now().as_millis();
        self.version += 1;
    }

    /// Turns replay checkpoints off (every going back replays from the seed), for comparing.
    #[cfg(test)]
    pub fn without_checkpoints(mut self) -> Playground {
        self.checkpoints = Checkpoints::disabled();
        self
    }

    /// How many replay checkpoints are kept now.
    #[cfg(test)]
    pub fn checkpoint_count(&self) -> usize {
        self.checkpoints.len()
    }

    /// Starts over: a new cluster from a new seed, an empty session.
    pub fn reset(&mut self, seed: u64) {
        *self = Playground::new(seed, self.session.nodes);
    }

    fn push_notice(&mut self, notice: Notice) {
        self.notices.push((self.scrollback.len(), notice));
        self.push_line(LineKind::Info, String::new());
    }

    fn push_text(&mut self, kind: LineKind, text: &str) {
        for line in text.lines() {
            self.push_line(kind, line.to_string());
        }
    }

    fn push_line(&mut self, kind: LineKind, text: String) {
        self.scrollback.push(TerminalLine { kind, text });
        if self.scrollback.len() > SCROLLBACK_LINES {
            let drop = self.scrollback.len() - SCROLLBACK_LINES;
            self.scrollback.drain(..drop);
            self.notices.retain(|(index, _)| *index >= drop);
            for (index, _) in &mut self.notices {
                *index -= drop;
            }
        }
    }
}

/// Creates every object of a manifest as the learner (`kubectl`), in the default namespace
/// when the object names none. One result line per object: `deployment.apps/web created`
/// or the API server's error.
fn apply_manifest(world: &mut World, manifest: &str) -> Vec<Result<String, String>> {
    let objects = match parse_manifests(manifest) {
        Ok(objects) => objects,
        Err(error) => return vec![Err(format!("error: {error}"))],
    };
    world.api().set_user("kubectl");
    let mut results = Vec::new();
    for object in objects {
        let namespace = object
            .metadata()
            .namespace
            .clone()
            .unwrap_or_else(|| "default".to_string());
        let kind = object.kind();
        match world.api().create(&namespace, object) {
            Ok(created) => results.push(Ok(format!(
                "{}/{} created",
                kind_resource(kind),
                created.name()
            ))),
            Err(error) => results.push(Err(format!("Error from server: {error}"))),
        }
    }
    results
}

/// The command line the editor's Apply runs (and the terminal shows).
pub const EDITOR_APPLY_LINE: &str = "kubectl apply -f -";

/// Runs [`EDITOR_APPLY_LINE`] with `manifest` as standard input.
fn kubectl_apply_stdin(world: &mut World, manifest: &str) -> kubectl::Output {
    let files = [("-".to_string(), manifest.to_string())].into();
    world.kubectl(&kubectl::Kubectl::default(), EDITOR_APPLY_LINE, files)
}

/// `deployment.apps`: how kubectl names a kind in its result lines.
fn kind_resource(kind: kubeplay_core::api::objects::Kind) -> String {
    let group = kind.group();
    let singular = kind.singular();
    if group.is_empty() {
        singular.to_string()
    } else {
        format!("{singular}.{group}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubeplay_core::api::objects::Kind;

    fn pods_running(playground: &mut Playground) -> usize {
        let now = playground.now();
        let output = kubectl::run(
            playground.world_mut().api(),
            now,
            "get pods --no-headers --field-selector status.phase=Running",
        );
        output.stdout.lines().count()
    }

    /// The playground its saved session (through its JSON form) brings back, as after a
    /// reload.
    fn restored_after_reload(playground: &Playground) -> Playground {
        let saved = Session::from_json(&playground.session().to_json());
        Playground::restore(saved.unwrap_or_else(|| Session::new(0, 3, 0)))
    }

    fn run_for(playground: &mut Playground, seconds: u64) {
        playground.set_running(true);
        for _ in 0..seconds * 4 {
            playground.tick(250.0);
        }
        playground.set_running(false);
    }

    #[test]
    fn a_paused_clock_does_not_move() {
        let mut playground = Playground::new(1, 3);
        let before = playground.now();
        assert!(!playground.tick(1_000.0));
        assert_eq!(playground.now(), before);
    }

    #[test]
    fn a_running_clock_moves_by_wall_time_times_the_speed() {
        let cases = [(0.25, 200.0, 50), (1.0, 100.0, 100), (64.0, 100.0, 6_400)];
        for (speed, wall_ms, virtual_ms) in cases {
            let mut playground = Playground::new(1, 3);
            let before = playground.now();
            playground.set_running(true);
            playground.set_speed(speed);
            playground.tick(wall_ms);
            assert_eq!(
                playground.now().as_millis() - before.as_millis(),
                virtual_ms,
                "speed {speed}"
            );
        }
    }

    #[test]
    fn slow_speeds_keep_the_fractions_of_a_millisecond() {
        let mut playground = Playground::new(1, 3);
        let before = playground.now();
        playground.set_running(true);
        playground.set_speed(0.25);
        for _ in 0..8 {
            playground.tick(1.0);
        }
        assert_eq!(playground.now().as_millis() - before.as_millis(), 2);
    }

    #[test]
    fn speeds_snap_to_the_nearest_offered_one() {
        let mut playground = Playground::new(1, 3);
        for (asked, got) in [(0.1, 0.25), (3.0, 2.0), (100.0, 64.0), (12.0, 8.0)] {
            playground.set_speed(asked);
            assert_eq!(playground.speed(), got, "asked {asked}");
        }
    }

    #[test]
    fn stepping_moves_to_the_next_wakeup_and_never_stays_put() {
        let mut playground = Playground::new(1, 3);
        let before = playground.now();
        let after = playground.step();
        assert!(after > before);
    }

    #[test]
    fn the_sample_deployment_runs_three_pods_after_some_seconds() {
        let mut playground = Playground::new(1, 3);
        playground.apply_sample();
        run_for(&mut playground, 30);
        assert_eq!(pods_running(&mut playground), 3);
        assert!(playground
            .scrollback()
            .iter()
            .any(|line| line.text == "deployment.apps/web created"));
    }

    #[test]
    fn kubectl_output_and_errors_reach_the_scrollback_and_the_history() {
        let mut playground = Playground::new(1, 3);
        playground.run_kubectl("kubectl get nodes");
        playground.run_kubectl("kubectl frobnicate");
        let kinds: Vec<_> = playground.scrollback().iter().map(|l| l.kind).collect();
        assert!(kinds.contains(&LineKind::Stdout));
        assert!(kinds.contains(&LineKind::Stderr));
        assert_eq!(
            playground.history(),
            ["kubectl get nodes", "kubectl frobnicate"]
        );
        assert_eq!(playground.session().entries.len(), 2);
    }

    #[test]
    fn get_watch_streams_rows_while_the_clock_runs_until_stopped() {
        let mut playground = Playground::new(1, 3);
        playground.run_kubectl("kubectl get pods -w");
        assert!(playground.watching());
        let before = playground.scrollback().len();
        playground.apply_sample();
        run_for(&mut playground, 20);
        let rows = playground.scrollback()[before..]
            .iter()
            .filter(|line| line.text.starts_with("web-"))
            .count();
        assert!(rows >= 6, "only {rows} watch rows");
        playground.stop_watches();
        assert!(!playground.watching());
    }

    #[test]
    fn going_back_replays_the_session_and_forward_again_redoes_it() {
        let mut playground = Playground::new(5, 3);
        run_for(&mut playground, 2);
        let before_sample = playground.now();
        playground.apply_sample();
        run_for(&mut playground, 30);
        assert_eq!(pods_running(&mut playground), 3);
        let end = playground.now();

        let back = Timestamp::from_millis(before_sample.as_millis() - 1);
        playground.travel_to(back);
        assert_eq!(playground.now(), back);
        assert!(playground.has_future());
        let deployments = playground.world_mut().api().list(
            Kind::Deployment,
            None,
            &kubeplay_core::apiserver::options::ListOptions::default(),
        );
        assert_eq!(deployments.map(|list| list.items.len()).ok(), Some(0));

        playground.travel_to(end);
        assert!(!playground.has_future());
        assert_eq!(pods_running(&mut playground), 3);
    }

    #[test]
    fn the_editor_applies_through_kubectl_apply_and_replays_the_same() {
        let mut playground = Playground::new(3, 3);
        playground.apply_from_editor(crate::editor::DEPLOYMENT_TEMPLATE);
        run_for(&mut playground, 30);
        let scaled = crate::editor::DEPLOYMENT_TEMPLATE.replace("replicas: 3", "replicas: 2");
        playground.apply_from_editor(&scaled);
        run_for(&mut playground, 30);
        let texts: Vec<&str> = playground
            .scrollback()
            .iter()
            .map(|l| l.text.as_str())
            .collect();
        assert!(texts.contains(&"deployment.apps/web created"), "{texts:?}");
        assert!(
            texts.contains(&"deployment.apps/web configured"),
            "{texts:?}"
        );
        // (`pods_running` reads through the API server, which the trace records: compare first.)
        let mut restored = restored_after_reload(&playground);
        assert_eq!(
            restored.world().trace().hash(),
            playground.world().trace().hash()
        );
        assert_eq!(pods_running(&mut playground), 2);
        assert_eq!(pods_running(&mut restored), 2);
    }

    #[test]
    fn a_restored_session_reaches_the_same_trace_as_the_original() {
        let mut playground = Playground::new(9, 3);
        run_for(&mut playground, 1);
        playground.apply_sample();
        run_for(&mut playground, 5);
        playground.run_kubectl("kubectl get pods");
        run_for(&mut playground, 5);
        let restored = restored_after_reload(&playground);
        assert_eq!(restored.now(), playground.now());
        assert_eq!(
            restored.world().trace().hash(),
            playground.world().trace().hash()
        );
    }

    fn texts(playground: &Playground, from: usize, kind: LineKind) -> Vec<String> {
        playground.scrollback()[from..]
            .iter()
            .filter(|line| line.kind == kind)
            .map(|line| line.text.clone())
            .collect()
    }

    #[test]
    fn play_lines_print_exactly_what_the_core_playground_session_prints() {
        let lines = [
            "play help",
            "play wait",
            "play time",
            "play nodes",
            "play node stop node-2",
            "play advance 30s",
            "play node frobnicate node-2",
            "play wiat",
        ];
        let mut playground = Playground::new(4, 3);
        playground.apply_from_editor(crate::editor::DEPLOYMENT_TEMPLATE);
        let mut reference = kubeplay_core::play::Session::with_world_started(
            World::new(&world_config(4, 3)),
            kubeplay_core::play::PlayConfig::default(),
            SIM_EPOCH,
        );
        reference.world().settle();
        let _ = kubectl_apply_stdin(reference.world(), crate::editor::DEPLOYMENT_TEMPLATE);
        reference.world().settle();
        for line in lines {
            let from = playground.scrollback().len();
            playground.run_line(line);
            let expected = reference.run_line(line);
            reference.world().settle();
            let lines_of = |text: &str| text.lines().map(str::to_string).collect::<Vec<_>>();
            assert_eq!(
                texts(&playground, from, LineKind::Stdout),
                lines_of(&expected.stdout),
                "{line}"
            );
            assert_eq!(
                texts(&playground, from, LineKind::Stderr),
                lines_of(&expected.stderr),
                "{line}"
            );
            assert_eq!(playground.now(), reference.world().now(), "{line}");
        }
        assert!(playground
            .scrollback()
            .iter()
            .any(|line| line.text.starts_with("cluster settled after ")));
        assert_eq!(pods_running(&mut playground), 3);
    }

    #[test]
    fn a_line_that_is_neither_kubectl_nor_play_gets_the_playground_error_and_is_not_recorded() {
        let mut playground = Playground::new(1, 3);
        for line in ["get pods", "kubeclt get pods", "# just a comment"] {
            playground.run_line(line);
        }
        let errors = texts(&playground, 0, LineKind::Stderr);
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(
            errors[0].starts_with("error: unknown command \"get\": a line is a kubectl command")
        );
        assert!(errors[1].starts_with("error: unknown command \"kubeclt\""));
        assert!(playground.session().entries.is_empty());
        assert_eq!(playground.history().len(), 3);
    }

    #[test]
    fn a_session_with_play_lines_restores_to_the_same_trace_and_history() {
        let mut playground = Playground::new(11, 3);
        playground.run_line("kubectl create deployment web --image=nginx --replicas=4");
        playground.run_line("play wait");
        playground.run_line("play node stop node-1");
        run_for(&mut playground, 3);
        playground.run_line("play advance 2m");
        playground.run_line("play traffic web");
        playground.run_line("play node start node-1");
        playground.run_line("play wait --timeout 10m");
        run_for(&mut playground, 2);
        let restored = restored_after_reload(&playground);
        assert_eq!(restored.now(), playground.now());
        assert_eq!(
            restored.world().trace().hash(),
            playground.world().trace().hash()
        );
        assert_eq!(restored.history(), playground.history());
        assert_eq!(restored.session().entries.len(), 7);
    }

    #[test]
    fn going_back_before_a_play_wait_and_forward_again_redoes_it_to_the_same_trace() {
        let mut playground = Playground::new(12, 3);
        playground.run_line("kubectl create deployment web --image=nginx --replicas=3");
        run_for(&mut playground, 1);
        let before_wait = playground.now();
        playground.run_line("play wait");
        let after_wait = playground.now();
        assert!(after_wait > before_wait);
        run_for(&mut playground, 2);
        let end = playground.now();
        let hash = playground.world().trace().hash();

        let just_before = Timestamp::from_millis(before_wait.as_millis() - 1);
        playground.travel_to(just_before);
        assert_eq!(playground.now(), just_before);
        assert!(playground.has_future());
        // The wait's own instant, or one inside it: the wait is one step, replayed whole.
        for inside in [
            before_wait,
            Timestamp::from_millis(before_wait.as_millis() + 1),
        ] {
            playground.travel_to(just_before);
            playground.travel_to(inside);
            assert_eq!(playground.now(), after_wait);
        }
        playground.travel_to(end);
        assert_eq!(playground.world().trace().hash(), hash);
    }

    /// A long session: `commands` lines (kubectl, play, the editor, traffic) spread over
    /// `minutes` of virtual time with the clock running between them.
    fn long_session(commands: usize, minutes: u64) -> Playground {
        let mut playground = Playground::new(21, 3);
        let gap_ms = minutes * 60_000 / commands as u64;
        for index in 0..commands {
            match index % 10 {
                0 => playground.run_line(&format!(
                    "kubectl create deployment app{index} --image=nginx --replicas=2"
                )),
                1 => playground.run_line("kubectl get pods -o wide"),
                2 => playground.run_line(&format!(
                    "kubectl scale deployment app{} --replicas=3",
                    index - 2
                )),
                3 => playground.run_line("play nodes"),
                4 => playground.run_line(&format!(
                    "kubectl expose deployment app{} --port=80",
                    index - 4
                )),
                5 => playground.run_line(&format!("play traffic app{} --requests 20", index - 5)),
                6 => playground.run_line("kubectl get deploy,rs,svc"),
                7 if index % 20 == 7 => playground.run_line("play node stop node-3"),
                7 => playground.run_line("play node start node-3"),
                8 => playground.run_line(&format!("kubectl delete deployment app{}", index - 8)),
                _ => playground.run_line("kubectl get events"),
            }
            playground.set_running(true);
            playground.set_speed(64.0);
            let mut left = gap_ms;
            while left > 0 {
                let wall = (left as f64 / 64.0).min(250.0);
                playground.tick(wall);
                left = left.saturating_sub((wall * 64.0) as u64);
            }
            playground.set_running(false);
        }
        playground
    }

    #[test]
    fn going_back_from_checkpoints_reaches_the_same_world_as_a_replay_from_the_seed() {
        let mut playground = long_session(60, 12);
        assert!(playground.checkpoint_count() > 0);
        let start = playground.start().as_millis();
        let end = playground.now().as_millis();
        let span = end - start;
        let targets = [
            end - 1,
            start + span / 2,
            start + span * 9 / 10,
            start + span / 7,
            start + span * 3 / 4,
            start + 5,
        ];
        for target in targets {
            let target = Timestamp::from_millis(target);
            playground.travel_to(target);
            let mut saved = playground.session().clone();
            saved.clock_ms = target.as_millis();
            let replayed = Playground::restore(saved);
            assert_eq!(replayed.now(), playground.now(), "{target}");
            assert_eq!(
                replayed.world().trace().hash(),
                playground.world().trace().hash(),
                "{target}"
            );
            assert_eq!(
                replayed.world().trace().len(),
                playground.world().trace().len()
            );
        }
        // Forward again to the end, then a new branch drops the checkpoints ahead of it.
        playground.travel_to(Timestamp::from_millis(end));
        playground.travel_to(Timestamp::from_millis(start + span / 3));
        playground.run_line("kubectl get pods");
        let branch_at = playground.now();
        assert!(playground
            .checkpoints
            .nearest(Timestamp::from_millis(end))
            .is_none_or(|c| c.at() <= branch_at));
    }

    /// The process's resident memory in KiB (Linux), 0 elsewhere.
    #[allow(clippy::disallowed_methods, clippy::disallowed_types)]
    fn resident_kib() -> u64 {
        std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|status| {
                status
                    .lines()
                    .find(|line| line.starts_with("VmRSS:"))
                    .and_then(|line| line.split_whitespace().nth(1))
                    .and_then(|kib| kib.parse().ok())
            })
            .unwrap_or(0)
    }

    /// The figures for BENCHMARKS.md: `cargo test -p kubeplay-web --release -- --ignored
    /// --nocapture replay_benchmark`.
    #[test]
    #[ignore = "a measurement, not a check: run it by name"]
    #[allow(clippy::disallowed_methods, clippy::disallowed_types)]
    fn replay_benchmark() {
        let built = std::time::Instant::now();
        let mut playground = long_session(200, 30);
        println!(
            "session: 200 commands, {} virtual, built in {:?}, {} checkpoints",
            playground.now().since(playground.start()).as_secs(),
            built.elapsed(),
            playground.checkpoint_count()
        );
        let rss_with = resident_kib();
        let session = playground.session().clone();
        let start = playground.start().as_millis();
        let span = playground.now().as_millis() - start;
        let targets: Vec<Timestamp> = [95, 75, 50, 25, 90]
            .iter()
            .map(|percent| Timestamp::from_millis(start + span * percent / 100))
            .collect();
        let timed = std::time::Instant::now();
        let copies: Vec<World> = (0..12).map(|_| playground.world().clone()).collect();
        let clone_time = timed.elapsed() / 12;
        let per_copy = resident_kib().saturating_sub(rss_with) / 12;
        println!(
            "one more World copy at the end: {clone_time:?}, ~{per_copy} KiB resident \
             (store values are shared); {} KiB resident in all before the copies",
            rss_with
        );
        drop(copies);
        let mut plain = Playground::restore(session).without_checkpoints();
        for target in targets {
            let timed = std::time::Instant::now();
            plain.travel_to(target);
            let without = timed.elapsed();
            let timed = std::time::Instant::now();
            playground.travel_to(target);
            let with = timed.elapsed();
            assert_eq!(
                plain.world().trace().hash(),
                playground.world().trace().hash()
            );
            println!(
                "back to {:>4}s: from the seed {without:?}, from a checkpoint {with:?}",
                target.since(playground.start()).as_secs()
            );
            playground.travel_to(Timestamp::from_millis(start + span));
            plain.travel_to(Timestamp::from_millis(start + span));
        }
    }
}
