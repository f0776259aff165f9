//! The learner's session: the seed and every command with the virtual time it was given at.
//!
//! A session is all it takes to rebuild the cluster: a new [`kubeplay_core::sim::world::World`] from
//! the seed, fed the same commands at the same virtual times, reaches the same state (the
//! core is deterministic). The playground appends an entry per command
//! ([`crate::playground`]), the app saves the session as JSON in the browser's
//! `localStorage` under [`STORAGE_KEY`] after each change, and loads it back at start, so
//! nothing is lost on a reload or a closed tab. Going back in time replays the entries up to
//! the chosen instant.

use serde::{Deserialize, Serialize};

/// The `localStorage` key the session is saved under (versioned: a later format gets a new
/// key instead of misreading this one).
pub const STORAGE_KEY: &str = "kubeplay.session.v1";

/// What the learner did at one instant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum SessionAction {
    /// A kubectl command line, as typed in the terminal.
    Kubectl {
        /// The line (`kubectl get pods -o wide`).
        line: String,
    },
    /// A playground command line (`play wait`, `play node stop node-2`), run by the core's
    /// playground session; it may move virtual time.
    Play {
        /// The line (`play wait --timeout 10m`).
        line: String,
    },
    /// A manifest applied as a whole (the sample button).
    Apply {
        /// The YAML or JSON text.
        manifest: String,
    },
    /// The editor's text applied with `kubectl apply -f -` (last-applied kept, updates
    /// patched, as from the terminal).
    KubectlApply {
        /// The YAML or JSON text given as standard input.
        manifest: String,
    },
    /// A batch of simulated requests from the traffic view (it moves the data plane's
    /// random stream, so a replay must send it again).
    Traffic {
        /// What was sent.
        spec: crate::traffic::TrafficSpec,
    },
}

/// One action and when it happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionEntry {
    /// The virtual time, in milliseconds since the Unix epoch (a core `Timestamp`).
    pub at_ms: u64,
    /// What was done.
    pub action: SessionAction,
}

/// Everything needed to rebuild the learner's cluster.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    /// The seed of the simulated cluster.
    pub seed: u64,
    /// How many nodes the cluster has.
    pub nodes: usize,
    /// The actions in the order they were taken (their times never decrease).
    pub entries: Vec<SessionEntry>,
    /// The virtual time the learner last saw, in milliseconds since the Unix epoch; a restore
    /// replays up to it.
    pub clock_ms: u64,
}

impl Session {
    /// A fresh session with no commands, its clock at `start_ms`.
    pub fn new(seed: u64, nodes: usize, start_ms: u64) -> Session {
        Session {
            seed,
            nodes,
            entries: Vec::new(),
            clock_ms: start_ms,
        }
    }

    /// The session as JSON, for `localStorage`.
    pub fn to_json(&self) -> String {
        // A struct of strings and integers always serializes.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The session saved as JSON, or None when the text is not a session (an older format,
    /// or edited by hand): the app then starts a fresh one rather than failing.
    pub fn from_json(text: &str) -> Option<Session> {
        let session: Session = serde_json::from_str(text).ok()?;
        let ordered = session
            .entries
            .windows(2)
            .all(|pair| matches!(pair, [a, b] if a.at_ms <= b.at_ms));
        (ordered && session.nodes > 0).then_some(session)
    }

    /// Appends an action at `at_ms`, first dropping every entry after the first `kept` ones:
    /// a command given after going back in time starts a new branch of history.
    pub fn record(&mut self, kept: usize, at_ms: u64, action: SessionAction) {
        self.entries.truncate(kept);
        let at_ms = self
            .entries
            .last()
            .map_or(at_ms, |last| at_ms.max(last.at_ms));
        self.entries.push(SessionEntry { at_ms, action });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kubectl(line: &str) -> SessionAction {
        SessionAction::Kubectl {
            line: line.to_string(),
        }
    }

    #[test]
    fn a_session_survives_the_round_trip_through_json() {
        let mut session = Session::new(7, 3, 1_000);
        session.record(0, 1_500, kubectl("kubectl get pods"));
        session.record(
            1,
            2_000,
            SessionAction::Apply {
                manifest: "kind: Pod".to_string(),
            },
        );
        session.record(
            2,
            2_500,
            SessionAction::Play {
                line: "play wait".to_string(),
            },
        );
        session.clock_ms = 3_000;
        assert_eq!(Session::from_json(&session.to_json()), Some(session));
    }

    #[test]
    fn text_that_is_not_a_session_gives_none_instead_of_an_error() {
        let cases = [
            "",
            "{}",
            "null",
            r#"{"seed":1,"nodes":0,"entries":[],"clockMs":0}"#,
            r#"{"seed":1,"nodes":3,"entries":[{"atMs":5,"action":{"type":"kubectl","line":"a"}},{"atMs":4,"action":{"type":"kubectl","line":"b"}}],"clockMs":0}"#,
        ];
        for text in cases {
            assert_eq!(Session::from_json(text), None, "{text:?}");
        }
    }

    #[test]
    fn recording_after_going_back_drops_the_entries_that_were_ahead() {
        let mut session = Session::new(1, 3, 0);
        session.record(0, 10, kubectl("a"));
        session.record(1, 20, kubectl("b"));
        session.record(2, 30, kubectl("c"));
        session.record(1, 15, kubectl("d"));
        let lines: Vec<_> = session
            .entries
            .iter()
            .map(|e| match &e.action {
                SessionAction::Kubectl { line } | SessionAction::Play { line } => line.as_str(),
                SessionAction::Apply { manifest } | SessionAction::KubectlApply { manifest } => {
                    manifest.as_str()
                }
                SessionAction::Traffic { .. } => "traffic",
            })
            .collect();
        assert_eq!(lines, ["a", "d"]);
    }

    #[test]
    fn entries_never_go_back_in_time() {
        let mut session = Session::new(1, 3, 0);
        session.record(0, 10, kubectl("a"));
        session.record(1, 5, kubectl("b"));
        assert_eq!(session.entries.last().map(|e| e.at_ms), Some(10));
    }
}
