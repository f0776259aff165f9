//! `kubeplay play` end to end: a script piped into the binary prints the session's output
//! on stdout and stderr, and the exit code says whether a line failed.

mod common;

use common::play;

#[test]
fn a_piped_script_prints_the_settled_cluster_and_exits_0() {
    let output = play(
        &["--nodes", "2", "--seed", "3"],
        "# two nodes, nothing deployed\nplay wait\nkubectl get nodes\nplay nodes\n",
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        stdout,
        "cluster settled after 0s\n\
NAME     STATUS   ROLES    AGE   VERSION\n\
node-1   Ready    <none>   0s    v1.33.0\n\
node-2   Ready    <none>   0s    v1.33.0\n\
NAME     FAULT   READY\n\
node-1   none    True\n\
node-2   none    True\n"
    );
    assert!(output.stderr.is_empty());
}

#[test]
fn a_failing_line_goes_to_stderr_and_the_script_exits_1() {
    let output = play(&["--nodes", "1"], "kubectl get foo\nplay time\n");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "error: the server doesn't have a resource type \"foo\"\n"
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("since the cluster started"));
}

#[test]
fn an_unknown_lesson_exits_2_with_a_message() {
    let output = play(&["--lesson", "pods-101"], "");
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "error: lesson \"pods-101\" not found; available lessons: pods, deployments, services\n"
    );
}
