//! Tests of the lesson module: the format's errors, every goal kind met and not met, the run
//! and its terminal output, and every shipped lesson played through its own commands.

use crate::play::{PlayConfig, Session};

use super::format::{parse, LessonError, LessonFile};
use super::goal::{Goal, StepBaseline};
use super::index::{self, LESSONS};
use super::play::LessonSession;
use super::run::{LessonRun, RunState};
use super::Lang;

/// A small valid lesson; `steps` replaces its steps block.
fn lesson_yaml(steps: &str) -> String {
    format!(
        "id: demo\ntitle: {{ko: 데모, en: Demo}}\nsummary: {{ko: 요약, en: Summary}}\nsteps:\n{steps}"
    )
}

const ONE_STEP: &str = "  - title: {ko: 파드, en: Pod}
    text: {ko: 파드를 만드세요, en: Make a pod}
    commands: [kubectl run hello --image=nginx:1.25]
    goal:
      podRunning: {name: hello}
";

fn parse_error(yaml: &str) -> String {
    match parse("01-demo", yaml, Vec::new()) {
        Ok(lesson) => panic!("expected an error, parsed {lesson:?}"),
        Err(error) => error.to_string(),
    }
}

#[test]
fn a_valid_lesson_parses_with_default_nodes_and_namespaces() {
    let lesson = parse("01-demo", &lesson_yaml(ONE_STEP), Vec::new()).expect("valid");
    assert_eq!(lesson.id, "demo");
    assert_eq!(lesson.nodes, 3);
    assert_eq!(lesson.title.get(Lang::Ko), "데모");
    let Some(Goal::PodRunning(goal)) = lesson.steps.first().map(|s| &s.goal) else {
        panic!("one podRunning step: {lesson:?}");
    };
    assert_eq!(goal.namespace, "default");
    assert_eq!(goal.ready_containers, None);
}

#[test]
fn each_parse_error_names_the_file_and_the_field() {
    let cases: &[(&str, String, &str)] = &[
        (
            "yaml that does not parse",
            "id: 'demo\n".to_string(),
            "lessons/01-demo/lesson.yaml: id: found unexpected end of stream",
        ),
        (
            "an unknown field in a step",
            lesson_yaml(&ONE_STEP.replace("    commands:", "    command: [x]\n    commands:")),
            "lessons/01-demo/lesson.yaml: steps[0].command: unknown field `command`",
        ),
        (
            "an unknown goal kind",
            lesson_yaml(&ONE_STEP.replace("podRunning", "podFlying")),
            "lessons/01-demo/lesson.yaml: steps[0].goal.podFlying: unknown variant `podFlying`, expected one of `podRunning`",
        ),
        (
            "a goal missing a field",
            lesson_yaml(&ONE_STEP.replace("{name: hello}", "{namespace: x}")),
            "lessons/01-demo/lesson.yaml: steps[0].goal.podRunning: missing field `name` at line 9",
        ),
        (
            "an empty English text",
            lesson_yaml(&ONE_STEP.replace("en: Make a pod", "en: \"\"")),
            "lessons/01-demo/lesson.yaml: steps[0].text.en: must not be empty",
        ),
        (
            "an id that does not match the folder",
            lesson_yaml(ONE_STEP).replace("id: demo", "id: other"),
            "lessons/01-demo/lesson.yaml: id: the id \"other\" does not match the folder \"01-demo\": write id: demo",
        ),
        (
            "no steps",
            lesson_yaml("  []\n").replace("steps:\n  []", "steps: []"),
            "lessons/01-demo/lesson.yaml: steps: a lesson needs at least one step",
        ),
        (
            "a command that is neither kubectl nor play",
            lesson_yaml(&ONE_STEP.replace("[kubectl run", "[docker run")),
            "lessons/01-demo/lesson.yaml: steps[0].commands[0]: \"docker run hello --image=nginx:1.25\" is not a kubectl or play command",
        ),
        (
            "a command naming a file the lesson does not ship",
            lesson_yaml(&ONE_STEP.replace(
                "[kubectl run hello --image=nginx:1.25]",
                "[kubectl apply -f web.yaml]",
            )),
            "lessons/01-demo/lesson.yaml: steps[0].commands[0]: \"kubectl apply -f web.yaml\" names the file \"web.yaml\", which the lesson does not ship (its files: none)",
        ),
        (
            "a selector that does not parse",
            lesson_yaml(&ONE_STEP.replace(
                "podRunning: {name: hello}",
                "podsRunning: {selector: \"app in (web\", count: 1}",
            )),
            "lessons/01-demo/lesson.yaml: steps[0].goal.podsRunning.selector: \"app in (web\" is not a label selector",
        ),
        (
            "a kind kubeplay does not know, inside allOf",
            lesson_yaml(&ONE_STEP.replace(
                "podRunning: {name: hello}",
                "allOf: [{objectExists: {kind: widget, name: a}}]",
            )),
            "lessons/01-demo/lesson.yaml: steps[0].goal.allOf[0].objectExists.kind: \"widget\" is not a kind kubeplay knows",
        ),
        (
            "an empty allOf",
            lesson_yaml(&ONE_STEP.replace("podRunning: {name: hello}", "allOf: []")),
            "lessons/01-demo/lesson.yaml: steps[0].goal.allOf: lists no goals",
        ),
    ];
    for (case, yaml, expected) in cases {
        let error = parse_error(yaml);
        assert!(
            error.starts_with(expected),
            "{case}:\n  got:      {error}\n  expected: {expected}…"
        );
    }
}

#[test]
fn a_folder_not_named_nn_id_is_refused() {
    let error = parse("demo", &lesson_yaml(ONE_STEP), Vec::new()).expect_err("bad folder");
    assert_eq!(
        error.to_string(),
        "lessons/demo/lesson.yaml: id: the folder \"demo\" is not named NN-id (01-pods)"
    );
}

#[test]
fn a_command_naming_a_shipped_file_is_accepted() {
    let yaml = lesson_yaml(&ONE_STEP.replace(
        "[kubectl run hello --image=nginx:1.25]",
        "[kubectl apply -f web.yaml]",
    ));
    let files = vec![LessonFile {
        name: "web.yaml".to_string(),
        text: String::new(),
    }];
    assert!(parse("01-demo", &yaml, files).is_ok());
}

#[test]
fn an_unknown_lesson_id_lists_the_available_ones() {
    let error = index::find("nope").expect_err("no such lesson");
    assert_eq!(
        error,
        LessonError::NotFound {
            id: "nope".to_string(),
            available: vec![
                "pods".to_string(),
                "deployments".to_string(),
                "services".to_string()
            ],
        }
    );
    assert_eq!(
        error.to_string(),
        "lesson \"nope\" not found; available lessons: pods, deployments, services"
    );
}

#[test]
fn a_lesson_is_found_by_id_or_by_folder_name() {
    assert_eq!(index::find("pods").map(|l| l.id), Ok("pods".to_string()));
    assert_eq!(index::find("01-pods").map(|l| l.id), Ok("pods".to_string()));
    assert_eq!(index::next_after("pods"), Some("deployments"));
    assert_eq!(index::next_after("services"), None);
}

#[test]
fn every_indexed_lesson_parses() {
    for source in LESSONS {
        if let Err(error) = source.parse() {
            panic!("{error}");
        }
    }
}

/// Reads the lessons folder from disk: the index must list every folder and every file in it.
#[cfg(not(target_arch = "wasm32"))]
#[test]
#[allow(clippy::disallowed_methods, clippy::disallowed_types)]
fn every_folder_under_lessons_is_in_the_index_with_all_its_files() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../lessons");
    let mut folders = Vec::new();
    for entry in std::fs::read_dir(&root).expect("lessons/ is readable") {
        let entry = entry.expect("a directory entry");
        if !entry.path().is_dir() {
            continue;
        }
        let folder = entry.file_name().to_string_lossy().into_owned();
        let Some(source) = LESSONS.iter().find(|s| s.folder == folder) else {
            panic!("lessons/{folder} is not in core/src/lesson/index.rs");
        };
        let mut on_disk: Vec<String> = std::fs::read_dir(entry.path())
            .expect("a lesson folder is readable")
            .map(|file| {
                file.expect("an entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .filter(|name| name != "lesson.yaml")
            .collect();
        on_disk.sort();
        let mut indexed: Vec<String> = source.files.iter().map(|(n, _)| n.to_string()).collect();
        indexed.sort();
        assert_eq!(on_disk, indexed, "the files of lessons/{folder}");
        let yaml = std::fs::read_to_string(entry.path().join("lesson.yaml")).expect("lesson.yaml");
        assert_eq!(yaml, source.yaml, "lessons/{folder}/lesson.yaml");
        folders.push(folder);
    }
    folders.sort();
    let mut indexed: Vec<&str> = LESSONS.iter().map(|s| s.folder).collect();
    indexed.sort();
    assert_eq!(folders, indexed, "folders under lessons/ and the index");
}

fn goal(yaml: &str) -> Goal {
    let deserializer = serde_yaml_ng::Deserializer::from_str(yaml);
    serde_yaml_ng::with::singleton_map_recursive::deserialize(deserializer)
        .unwrap_or_else(|error| panic!("{yaml}: {error}"))
}

fn run_ok(session: &mut Session, line: &str) {
    let output = session.run_line(line);
    assert_eq!(output.exit_code, 0, "{line}: {}", output.stderr);
}

/// Three nodes; Deployment web (3 × nginx:1.25) behind Service web; pod hello labelled
/// tier=frontend; node-3 cordoned.
fn scenario() -> Session {
    let mut session = Session::new(PlayConfig::default());
    for line in [
        "kubectl create deployment web --image=nginx:1.25 --replicas=3",
        "kubectl expose deployment web --port=80",
        "kubectl run hello --image=nginx:1.25",
        "kubectl label pod hello tier=frontend",
        "play wait",
        "kubectl cordon node-3",
    ] {
        run_ok(&mut session, line);
    }
    session
}

#[test]
fn each_goal_kind_is_met_by_the_state_it_names_and_not_by_another() {
    let mut session = scenario();
    let baseline = StepBaseline {
        succeeded_lines: vec![vec!["play".into(), "traffic".into(), "web".into()]],
        ..StepBaseline::capture(session.world())
    };
    let cases: &[(&str, bool)] = &[
        ("podRunning: {name: hello}", true),
        ("podRunning: {name: nope}", false),
        ("podRunning: {name: hello, namespace: kube-system}", false),
        ("podRunning: {name: hello, readyContainers: 1}", true),
        ("podRunning: {name: hello, readyContainers: 2}", false),
        ("podRestarted: {name: hello}", false),
        ("podsRunning: {selector: app=web, count: 3}", true),
        ("podsRunning: {selector: app=web, count: 4}", false),
        (
            "podsRunning: {selector: 'tier in (frontend)', count: 1}",
            true,
        ),
        ("podsReplaced: {selector: app=web, count: 3}", false),
        ("podOnEveryNode: {selector: app=web}", true),
        ("podOnEveryNode: {selector: run=hello}", false),
        ("deploymentAvailable: {name: web, replicas: 3}", true),
        ("deploymentAvailable: {name: web, replicas: 4}", false),
        ("deploymentAvailable: {name: nope, replicas: 3}", false),
        ("deploymentImage: {name: web, image: 'nginx:1.25'}", true),
        (
            "deploymentImage: {name: web, image: 'nginx:1.25', container: nginx}",
            true,
        ),
        (
            "deploymentImage: {name: web, image: 'nginx:1.25', container: other}",
            false,
        ),
        ("deploymentImage: {name: web, image: 'nginx:1.27'}", false),
        ("serviceEndpoints: {name: web, count: 3}", true),
        ("serviceEndpoints: {name: web, count: 2}", false),
        ("serviceEndpoints: {name: nope, count: 0}", false),
        ("nodeCordoned: {name: node-3}", true),
        ("nodeCordoned: {name: node-1}", false),
        ("nodeCordoned: {name: node-9}", false),
        ("nodeSchedulable: {name: node-1}", true),
        ("nodeSchedulable: {name: node-3}", false),
        ("nodeNotReady: {name: node-1}", false),
        ("nodeNotReady: {name: node-9}", false),
        ("objectExists: {kind: svc, name: web}", true),
        ("objectExists: {kind: deployment, name: nope}", false),
        ("objectAbsent: {kind: pod, name: nope}", true),
        ("objectAbsent: {kind: pod, name: hello}", false),
        (
            "labels: {kind: pod, name: hello, selector: 'tier=frontend,run=hello'}",
            true,
        ),
        (
            "labels: {kind: pod, name: hello, selector: tier=backend}",
            false,
        ),
        (
            "labels: {kind: pod, name: nope, selector: tier=frontend}",
            false,
        ),
        ("ranCommand: {command: play traffic}", true),
        ("ranCommand: {command: play traffic web}", true),
        ("ranCommand: {command: play traffic other}", false),
        ("ranCommand: {command: play dns}", false),
        (
            "allOf: [{podRunning: {name: hello}}, {nodeCordoned: {name: node-3}}]",
            true,
        ),
        (
            "allOf: [{podRunning: {name: hello}}, {nodeCordoned: {name: node-1}}]",
            false,
        ),
    ];
    let mut wrong = Vec::new();
    for (yaml, expected) in cases {
        if goal(yaml).is_met(session.world(), &baseline) != *expected {
            wrong.push(format!(
                "{yaml} should be {}",
                if *expected { "met" } else { "unmet" }
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn pods_replaced_is_met_once_the_replicaset_replaces_deleted_pods() {
    let mut session = scenario();
    let baseline = StepBaseline::capture(session.world());
    let replaced = goal("podsReplaced: {selector: app=web, count: 3}");
    run_ok(&mut session, "kubectl delete pod -l app=web");
    run_ok(&mut session, "play wait");
    assert!(replaced.is_met(session.world(), &baseline));
    let now = StepBaseline::capture(session.world());
    assert!(!replaced.is_met(session.world(), &now));
}

#[test]
fn pod_restarted_is_met_when_the_crashed_container_runs_again() {
    let mut session = scenario();
    let none = StepBaseline::default();
    let restarted = goal("podRestarted: {name: hello, restarts: 1}");
    run_ok(&mut session, "play crash hello");
    assert!(!restarted.is_met(session.world(), &none), "not running yet");
    // `play wait` counts a Running pod with a crashed container as quiet; let time pass.
    run_ok(&mut session, "play advance 10s");
    assert!(restarted.is_met(session.world(), &none));
    assert!(!goal("podRestarted: {name: hello, restarts: 2}").is_met(session.world(), &none));
}

#[test]
fn node_not_ready_is_met_once_the_control_plane_stops_hearing_from_the_node() {
    let mut session = scenario();
    let none = StepBaseline::default();
    let not_ready = goal("nodeNotReady: {name: node-1}");
    run_ok(&mut session, "play node stop node-1");
    assert!(
        !not_ready.is_met(session.world(), &none),
        "within the grace period"
    );
    run_ok(&mut session, "play advance 1m");
    assert!(not_ready.is_met(session.world(), &none));
}

#[test]
fn deployment_image_waits_for_the_rollout_to_finish() {
    let mut session = scenario();
    let none = StepBaseline::default();
    let rolled = goal("deploymentImage: {name: web, image: 'nginx:1.27'}");
    run_ok(
        &mut session,
        "kubectl set image deployment/web nginx=nginx:1.27",
    );
    assert!(
        !rolled.is_met(session.world(), &none),
        "the rollout has only begun"
    );
    run_ok(&mut session, "play wait");
    assert!(rolled.is_met(session.world(), &none));
}

#[test]
fn goals_describe_themselves_in_both_languages() {
    let goal = goal("deploymentAvailable: {name: web, replicas: 3}");
    assert_eq!(
        goal.describe(Lang::En),
        "Deployment web has 3 available replicas"
    );
    assert_eq!(
        goal.describe(Lang::Ko),
        "디플로이먼트 web의 사용 가능한 레플리카가 3개"
    );
}

#[test]
fn a_run_moves_on_only_when_the_goal_is_met_and_can_finish_several_steps_at_once() {
    let lesson = index::find("pods").expect("the pods lesson");
    let mut session = Session::new(PlayConfig::default());
    let mut run = LessonRun::start(lesson, Lang::En, session.world());
    assert_eq!(run.state(), RunState::OnStep(0));
    let progress = run.check(session.world());
    assert!(!progress.advanced());
    // Step 1 and step 2's goals at once: the pod runs and carries tier=frontend.
    run_ok(
        &mut session,
        "kubectl run hello --image=nginx:1.25 --labels=tier=frontend",
    );
    run_ok(&mut session, "play wait");
    let progress = run.check(session.world());
    assert_eq!(progress.completed, vec![0, 1]);
    assert_eq!(progress.state, RunState::OnStep(2));
    assert_eq!(run.steps_done(), 2);
    assert_eq!(run.current_step().map(|(i, _)| i), Some(2));
}

#[test]
fn a_lesson_session_prints_steps_done_the_current_step_and_the_end() {
    let lesson = index::find("pods").expect("the pods lesson");
    let mut lesson_session = LessonSession::start(lesson, Lang::En, None, 1);
    let intro = lesson_session.intro();
    assert!(
        intro.starts_with("=== Pods: the smallest thing Kubernetes deploys ===\n"),
        "{intro}"
    );
    assert!(intro.contains("\n[1/5] Run your first pod\n"), "{intro}");
    assert!(
        intro.contains("  $ kubectl run hello --image=nginx:1.25\n"),
        "{intro}"
    );
    assert!(
        intro.ends_with("\nGoal: pod hello is Running and Ready\n"),
        "{intro}"
    );

    let again = lesson_session.run_line("play lesson");
    assert_eq!(again.exit_code, 0);
    assert!(
        again.stdout.starts_with("\n[1/5] Run your first pod\n"),
        "{}",
        again.stdout
    );

    let created = lesson_session.run_line("kubectl run hello --image=nginx:1.25");
    assert_eq!(
        created.stdout, "pod/hello created\n",
        "not running yet: no step done"
    );
    let waited = lesson_session.run_line("play wait");
    assert!(
        waited
            .stdout
            .contains("\n✓ step 1/5 done: Run your first pod\n\n[2/5] Label it\n"),
        "{}",
        waited.stdout
    );
    assert_eq!(lesson_session.run().steps_done(), 1);
}

#[test]
fn play_lesson_without_a_lesson_says_how_to_start_one() {
    let mut session = Session::new(PlayConfig::default());
    let output = session.run_line("play lesson");
    assert_eq!(output.exit_code, 1);
    assert_eq!(
        output.stderr,
        "error: no lesson is running: start one with kubeplay play --lesson ID (lessons: pods, deployments, services)\n"
    );
}

/// Every shipped lesson, played through its own suggested commands: each command succeeds,
/// no step's goal is already met when the step begins, and each step is done by the end of
/// its commands — so a change to kubeplay that breaks a lesson fails here.
#[test]
fn every_lesson_is_completed_by_its_own_commands_in_order() {
    for source in LESSONS {
        let lesson = source.parse().unwrap_or_else(|error| panic!("{error}"));
        let steps = lesson.steps.clone();
        for lang in Lang::ALL {
            let mut lesson_session = LessonSession::start(lesson.clone(), lang, None, 1);
            for (index, step) in steps.iter().enumerate() {
                assert_eq!(
                    lesson_session.run().state(),
                    RunState::OnStep(index),
                    "lesson {}: step {} began with its goal already met",
                    lesson.id,
                    index + 1
                );
                for command in &step.commands {
                    let output = lesson_session.run_line(command);
                    assert_eq!(
                        output.exit_code,
                        0,
                        "lesson {} step {}: `{command}` failed:\n{}",
                        lesson.id,
                        index + 1,
                        output.stderr
                    );
                }
                assert!(
                    lesson_session.run().steps_done() > index,
                    "lesson {} step {}: its commands do not reach the goal: {}",
                    lesson.id,
                    index + 1,
                    step.goal.describe(Lang::En)
                );
            }
            assert_eq!(lesson_session.run().state(), RunState::Finished);
            let again = lesson_session.run_line("play lesson");
            assert!(
                again.stdout.contains(match lang {
                    Lang::Ko => "★ 레슨 완료",
                    Lang::En => "★ Lesson complete",
                }),
                "{}",
                again.stdout
            );
        }
    }
}
