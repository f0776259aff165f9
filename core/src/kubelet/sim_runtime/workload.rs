//! What a simulated container does once started, chosen by conventions on its image and
//! command so a lesson can ask for a behaviour with an ordinary manifest.
//!
//! | convention | behaviour |
//! |---|---|
//! | image `kubeplay/crash`, or a command with `exit N` (N ≠ 0) | exits with code N (1 for the image) after the `sleep S` in the command, or [`CRASH_AFTER`] |
//! | image `kubeplay/oom`, or a command with `stress`/`oom` | killed by the kernel (`OOMKilled`, exit 137) after [`OOM_AFTER`] |
//! | image `kubeplay/job`, `hello-world`, or a command with `exit 0`, `true`, `echo` (and no `sleep infinity`) | exits 0 after the `sleep S` in the command, or [`JOB_DURATION`] |
//! | a command that is only `sleep S` | runs S seconds, exits 0 |
//! | `busybox`, `alpine`, `debian`, `ubuntu` with no command | the shell finds no terminal and exits 0 at once (the classic CrashLoopBackOff with `Completed`) |
//! | image `kubeplay/unready` | serves, but its readiness probe always fails |
//! | image `kubeplay/unhealthy` | serves, but its liveness probe fails from [`UNHEALTHY_AFTER`] on |
//! | anything else (nginx, python, the Spring app…) | serves until stopped |
//!
//! On SIGTERM, serving containers exit 0 after [`SIGTERM_EXIT_DELAY`]; a `sleep` running as
//! PID 1 ignores SIGTERM (as it does in a real container) and is killed when the grace period
//! ends (exit 137).

use std::time::Duration;

use super::images::normalize_reference;
use crate::kubelet::runtime::ExitReason;

/// How long a crashing container runs before it exits, unless its command says.
pub const CRASH_AFTER: Duration = Duration::from_secs(3);
/// How long an out-of-memory container runs before the kernel kills it.
pub const OOM_AFTER: Duration = Duration::from_secs(2);
/// How long a job-like container runs, unless its command says.
pub const JOB_DURATION: Duration = Duration::from_secs(1);
/// When an `unhealthy` container starts failing its liveness probe.
pub const UNHEALTHY_AFTER: Duration = Duration::from_secs(15);
/// How long a serving container takes to exit after SIGTERM.
pub const SIGTERM_EXIT_DELAY: Duration = Duration::from_millis(300);

/// What a container does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Workload {
    /// How its main process ends on its own, if it does.
    pub exit: Option<PlannedExit>,
    /// Whether readiness probes fail.
    pub fails_readiness: bool,
    /// Liveness probes fail from this long after start on.
    pub fails_liveness_after: Option<Duration>,
    /// Whether SIGTERM ends it (false: only SIGKILL at the end of the grace period does).
    pub honours_sigterm: bool,
}

/// How and when a container ends by itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlannedExit {
    /// After this long running.
    pub after: Duration,
    /// With this exit code.
    pub exit_code: i32,
    /// And this reason.
    pub reason: ExitReason,
}

impl Workload {
    fn serving() -> Workload {
        Workload {
            exit: None,
            fails_readiness: false,
            fails_liveness_after: None,
            honours_sigterm: true,
        }
    }

    fn exits(after: Duration, exit_code: i32) -> Workload {
        let reason = if exit_code == 0 {
            ExitReason::Completed
        } else {
            ExitReason::Error
        };
        Workload {
            exit: Some(PlannedExit {
                after,
                exit_code,
                reason,
            }),
            ..Workload::serving()
        }
    }
}

/// The repository name without registry and tag (`kubeplay/crash`, `library/nginx`).
fn repository(image: &str) -> String {
    let full = normalize_reference(image);
    let without_tag = full
        .split_once('@')
        .map(|(n, _)| n.to_string())
        .unwrap_or_else(|| {
            full.rsplit_once(':')
                .map_or(full.clone(), |(n, _)| n.to_string())
        });
    without_tag
        .strip_prefix("docker.io/")
        .map_or(without_tag.clone(), str::to_string)
}

/// The number after `word` in the words of a command line (`sleep 30` → 30).
fn number_after(words: &[&str], word: &str) -> Option<u64> {
    words
        .windows(2)
        .find(|w| {
            w.first()
                .is_some_and(|first| first.trim_end_matches(';') == word)
        })
        .and_then(|w| w.get(1))
        .and_then(|n| n.trim_end_matches(';').parse().ok())
}

/// Decides a container's behaviour from its image and command line.
pub fn workload_for(image: &str, command: &[String], args: &[String]) -> Workload {
    let repo = repository(image);
    let line: Vec<String> = command.iter().chain(args).cloned().collect();
    let joined = line.join(" ");
    let words: Vec<&str> = joined
        .split(|c: char| c.is_whitespace() || c == '&' || c == '|')
        .filter(|w| !w.is_empty())
        .collect();
    let sleep = number_after(&words, "sleep").map(Duration::from_secs);
    let sleeps_forever = words.windows(2).any(|w| w == ["sleep", "infinity"]);
    let exit_code = number_after(&words, "exit");

    match repo.as_str() {
        "kubeplay/crash" => return Workload::exits(sleep.unwrap_or(CRASH_AFTER), 1),
        "kubeplay/oom" => {
            return Workload {
                exit: Some(PlannedExit {
                    after: OOM_AFTER,
                    exit_code: 137,
                    reason: ExitReason::OomKilled,
                }),
                ..Workload::serving()
            }
        }
        "kubeplay/job" | "library/hello-world" => {
            return Workload::exits(sleep.unwrap_or(JOB_DURATION), 0)
        }
        "kubeplay/unready" => {
            return Workload {
                fails_readiness: true,
                ..Workload::serving()
            }
        }
        "kubeplay/unhealthy" => {
            return Workload {
                fails_liveness_after: Some(UNHEALTHY_AFTER),
                ..Workload::serving()
            }
        }
        _ => {}
    }
    if words.iter().any(|w| *w == "stress" || *w == "oom") {
        return Workload {
            exit: Some(PlannedExit {
                after: OOM_AFTER,
                exit_code: 137,
                reason: ExitReason::OomKilled,
            }),
            ..Workload::serving()
        };
    }
    if let Some(code) = exit_code {
        let code = i32::try_from(code).unwrap_or(1);
        let default = if code == 0 { JOB_DURATION } else { CRASH_AFTER };
        return Workload::exits(sleep.unwrap_or(default), code);
    }
    if sleeps_forever {
        return Workload {
            honours_sigterm: false,
            ..Workload::serving()
        };
    }
    if let Some(after) = sleep {
        let only_sleep = words.iter().all(|w| {
            matches!(*w, "sleep" | "sh" | "-c" | "/bin/sh" | "bash") || w.parse::<u64>().is_ok()
        });
        if only_sleep {
            return Workload {
                honours_sigterm: false,
                ..Workload::exits(after, 0)
            };
        }
        return Workload::exits(after, 0);
    }
    if words
        .iter()
        .any(|w| *w == "true" || *w == "echo" || *w == "date")
    {
        return Workload::exits(JOB_DURATION, 0);
    }
    let shell_image = matches!(
        repo.as_str(),
        "library/busybox" | "library/alpine" | "library/debian" | "library/ubuntu"
    );
    if shell_image && line.is_empty() {
        return Workload::exits(Duration::ZERO, 0);
    }
    Workload::serving()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<String> {
        line.split(' ').map(str::to_string).collect()
    }

    /// How a container ends: after seconds, with exit code, for reason.
    type Ending = Option<(u64, i32, ExitReason)>;

    #[test]
    fn behaviours_follow_the_image_and_command_conventions() {
        let cases: Vec<(&str, &str, Ending)> = vec![
            ("nginx:1.25", "", None),
            ("kubeplay/crash", "", Some((3, 1, ExitReason::Error))),
            (
                "busybox",
                "sh -c sleep 5; exit 2",
                Some((5, 2, ExitReason::Error)),
            ),
            ("kubeplay/oom", "", Some((2, 137, ExitReason::OomKilled))),
            ("busybox", "sleep 30", Some((30, 0, ExitReason::Completed))),
            ("busybox", "", Some((0, 0, ExitReason::Completed))),
            ("busybox", "sleep infinity", None),
            (
                "busybox:1.36",
                "echo hello",
                Some((1, 0, ExitReason::Completed)),
            ),
            ("python:3.12", "", None),
        ];
        for (image, line, expected) in cases {
            let command = if line.is_empty() { vec![] } else { words(line) };
            let workload = workload_for(image, &command, &[]);
            let got = workload
                .exit
                .map(|e| (e.after.as_secs(), e.exit_code, e.reason));
            assert_eq!(got, expected, "{image} {line}");
        }
    }

    #[test]
    fn a_sleeping_pid_one_ignores_sigterm() {
        assert!(!workload_for("busybox", &words("sleep 3600"), &[]).honours_sigterm);
        assert!(workload_for("nginx", &[], &[]).honours_sigterm);
    }
}
