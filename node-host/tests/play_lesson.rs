//! `kubeplay play --lesson ID` end to end: a script piped into the binary completes a lesson,
//! and the transcript shows each step, its `✓ step done` line and the completion message.

mod common;

use common::play;

/// The pods lesson's own commands, with a `play lesson` in the middle.
const PODS_SCRIPT: &str = "\
kubectl run hello --image=nginx:1.25
play wait
play lesson
kubectl label pod hello tier=frontend
kubectl apply -f sidecar.yaml
play wait
play crash hello
kubectl get pod hello
play wait
kubectl delete pod hello
";

#[test]
fn a_piped_script_completes_the_pods_lesson_in_english() {
    let output = play(&["--lesson", "pods", "--lang", "en"], PODS_SCRIPT);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    assert!(
        stdout.starts_with("=== Pods: the smallest thing Kubernetes deploys ===\n"),
        "{stdout}"
    );
    // Each step is announced, then done, in order; `play lesson` repeats step 2.
    let milestones = [
        "[1/5] Run your first pod",
        "pod/hello created",
        "✓ step 1/5 done: Run your first pod",
        "[2/5] Label it",
        "[2/5] Label it",
        "pod/hello labeled",
        "✓ step 2/5 done: Label it",
        "[3/5] A sidecar container",
        "pod/web-with-sidecar created",
        "✓ step 3/5 done: A sidecar container",
        "[4/5] When a container dies",
        "✓ step 4/5 done: When a container dies",
        "[5/5] Delete the pod",
        "pod \"hello\" deleted",
        "✓ step 5/5 done: Delete the pod",
        "★ Lesson complete: Pods: the smallest thing Kubernetes deploys. Well done!",
        "Next lesson: kubeplay play --lesson deployments",
    ];
    let mut rest = stdout.as_ref();
    for milestone in milestones {
        let Some(at) = rest.find(milestone) else {
            panic!("\"{milestone}\" missing (or out of order) in:\n{stdout}");
        };
        rest = &rest[at + milestone.len()..];
    }
}

#[test]
fn the_lesson_speaks_korean_by_default() {
    let output = play(
        &["--lesson", "01-pods"],
        "kubectl run hello --image=nginx:1.25\nplay wait\n",
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(
        stdout.starts_with("=== 파드: 쿠버네티스의 가장 작은 배포 단위 ===\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("\n목표: 파드 hello: Running, Ready\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("\n✓ 1/5단계 완료: 첫 파드 실행하기\n\n[2/5] 레이블 붙이기\n"),
        "{stdout}"
    );
}

#[test]
fn an_unknown_lesson_lists_the_available_ones_and_exits_2() {
    let output = play(&["--lesson", "nope"], "");
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "error: lesson \"nope\" not found; available lessons: pods, deployments, services\n"
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn an_unknown_language_is_a_usage_error() {
    let output = play(&["--lesson", "pods", "--lang", "fr"], "");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("\"fr\" is not a lesson language (ko or en)"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
