//! The `pods/eviction` subresource: what `kubectl drain` posts to take a pod off its node.
//!
//! A host decodes the `policy/v1` (or `policy/v1beta1`) `Eviction` body and calls
//! [`ApiServer::evict`]; the eviction checks that the body names the pod of the URL, turns
//! its `deleteOptions` into [`DeleteOptions`] and deletes the pod through the same path as a
//! `DELETE` (preconditions, grace period, finalizers). kube-apiserver first asks the pod's
//! PodDisruptionBudget whether one more disruption is allowed and answers 429 when it is not;
//! kubeplay has no PodDisruptionBudget kind, so no budget can ever refuse and every eviction
//! is allowed, as kube-apiserver allows the eviction of a pod no budget selects.

use k8s_openapi::api::policy::v1::Eviction;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::DeleteOptions as WireDeleteOptions;

use crate::api::objects::{Kind, Object};
use crate::api::validation::{FieldError, FieldPath};
use crate::store::KvStore;

use super::error::ApiError;
use super::options::{DeleteOptions, PropagationPolicy};
use super::{ApiServer, DeleteOutcome};

/// kube-apiserver's answer when the Eviction's name is not the pod's name in the URL.
const NAME_MISMATCH: &str = "name in URL does not match name in Eviction object";

/// kubeplay's answer to a server-side dry run inside the Eviction, as for every other write.
const DRY_RUN_UNSUPPORTED: &str =
    "dryRun=All (kubectl --dry-run=server) is not supported by kubeplay yet; use --dry-run=client";

impl<S: KvStore<Object>> ApiServer<S> {
    /// Evicts pod `name` (`POST pods/<name>/eviction`): deletes it with the Eviction's
    /// `deleteOptions`. A pod on a node is deleted gracefully, so its controller sees it
    /// terminating and replaces it while the kubelet stops it.
    pub fn evict(
        &mut self,
        namespace: &str,
        name: &str,
        eviction: &Eviction,
    ) -> Result<DeleteOutcome, ApiError> {
        let result = self.evict_inner(namespace, name, eviction);
        self.traced(
            "create",
            "pods/eviction".to_string(),
            namespace,
            name,
            result,
        )
    }

    fn evict_inner(
        &mut self,
        namespace: &str,
        name: &str,
        eviction: &Eviction,
    ) -> Result<DeleteOutcome, ApiError> {
        if eviction.metadata.name.as_deref().unwrap_or("") != name {
            return Err(ApiError::BadRequest(NAME_MISMATCH.to_string()));
        }
        let options = delete_options_of(eviction.delete_options.as_ref())?;
        // No PodDisruptionBudget kind exists in kubeplay: there is no budget to check or
        // decrement, so the eviction always goes ahead as the pod's delete.
        self.delete_inner(Kind::Pod, namespace, name, &options)
    }
}

/// The options of the delete an Eviction asks for; none given is a plain delete.
fn delete_options_of(wire: Option<&WireDeleteOptions>) -> Result<DeleteOptions, ApiError> {
    let Some(wire) = wire else {
        return Ok(DeleteOptions::default());
    };
    if wire.dry_run.as_ref().is_some_and(|d| !d.is_empty()) {
        return Err(ApiError::BadRequest(DRY_RUN_UNSUPPORTED.to_string()));
    }
    let propagation_policy = match wire.propagation_policy.as_deref() {
        Some(policy) => {
            Some(
                PropagationPolicy::parse(policy).ok_or_else(|| ApiError::Invalid {
                    group: "meta.k8s.io",
                    kind: "DeleteOptions",
                    name: String::new(),
                    errors: vec![FieldError::not_supported(
                        &FieldPath::new("propagationPolicy"),
                        policy,
                        &["Foreground", "Background", "Orphan"],
                    )],
                })?,
            )
        }
        None => wire.orphan_dependents.map(|orphan| {
            if orphan {
                PropagationPolicy::Orphan
            } else {
                PropagationPolicy::Background
            }
        }),
    };
    let preconditions = wire.preconditions.as_ref();
    Ok(DeleteOptions {
        grace_period_seconds: wire.grace_period_seconds,
        propagation_policy,
        precondition_uid: preconditions.and_then(|p| p.uid.clone()),
        precondition_resource_version: preconditions.and_then(|p| p.resource_version.clone()),
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use k8s_openapi::api::core::v1::{Binding, ObjectReference};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Preconditions};
    use serde_json::json;

    use super::*;
    use crate::sim::clock::{Timestamp, SIM_EPOCH};

    /// A cluster with pod `web` in `default`, bound to `node-1` (so its delete is graceful).
    fn cluster_with_a_running_pod() -> ApiServer {
        let mut api = ApiServer::new(7, SIM_EPOCH);
        let pod = Object::from_value(json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "web"},
            "spec": {"containers": [{"name": "app", "image": "nginx:1.25"}]}
        }))
        .expect("a valid pod");
        api.create("default", pod).expect("create web");
        let binding = Binding {
            metadata: ObjectMeta {
                name: Some("web".into()),
                ..ObjectMeta::default()
            },
            target: ObjectReference {
                kind: Some("Node".into()),
                name: Some("node-1".into()),
                ..ObjectReference::default()
            },
        };
        api.bind("default", &binding).expect("bind web");
        api
    }

    fn eviction(name: &str, options: Option<WireDeleteOptions>) -> Eviction {
        Eviction {
            metadata: ObjectMeta {
                name: Some(name.into()),
                namespace: Some("default".into()),
                ..ObjectMeta::default()
            },
            delete_options: options,
        }
    }

    /// What happened to `web`: gone, or terminating with this grace period.
    #[derive(Debug, PartialEq)]
    enum After {
        Gone,
        Terminating { grace_seconds: i64 },
    }

    fn after(api: &mut ApiServer) -> After {
        match api.get(Kind::Pod, "default", "web") {
            Err(error) if error.code() == 404 => After::Gone,
            Ok(pod) => {
                let meta = pod.metadata();
                assert!(meta.deletion_timestamp.is_some(), "web is not terminating");
                After::Terminating {
                    grace_seconds: meta.deletion_grace_period_seconds.unwrap_or(-1),
                }
            }
            Err(other) => panic!("unexpected error reading web: {other}"),
        }
    }

    #[test]
    fn an_eviction_deletes_the_pod_as_its_delete_options_say_or_answers_why_not() {
        struct Case {
            what: &'static str,
            url_name: &'static str,
            eviction: Eviction,
            expected: Result<After, (u16, &'static str)>,
        }
        let uid_precondition = |uid: &str| WireDeleteOptions {
            preconditions: Some(Preconditions {
                uid: Some(uid.into()),
                resource_version: None,
            }),
            ..WireDeleteOptions::default()
        };
        let cases = [
            Case {
                what: "no deleteOptions: the pod's default grace period",
                url_name: "web",
                eviction: eviction("web", None),
                expected: Ok(After::Terminating { grace_seconds: 30 }),
            },
            Case {
                what: "gracePeriodSeconds 5 (kubectl drain --grace-period=5)",
                url_name: "web",
                eviction: eviction(
                    "web",
                    Some(WireDeleteOptions {
                        grace_period_seconds: Some(5),
                        ..WireDeleteOptions::default()
                    }),
                ),
                expected: Ok(After::Terminating { grace_seconds: 5 }),
            },
            Case {
                what: "gracePeriodSeconds 0 deletes at once",
                url_name: "web",
                eviction: eviction(
                    "web",
                    Some(WireDeleteOptions {
                        grace_period_seconds: Some(0),
                        ..WireDeleteOptions::default()
                    }),
                ),
                expected: Ok(After::Gone),
            },
            Case {
                what: "a body naming another pod",
                url_name: "web",
                eviction: eviction("db", None),
                expected: Err((400, NAME_MISMATCH)),
            },
            Case {
                what: "a missing pod",
                url_name: "ghost",
                eviction: eviction("ghost", None),
                expected: Err((404, "pods \"ghost\" not found")),
            },
            Case {
                what: "a uid precondition that does not hold",
                url_name: "web",
                eviction: eviction("web", Some(uid_precondition("not-the-uid"))),
                expected: Err((409, "Operation cannot be fulfilled on pods \"web\": Precondition failed: UID in precondition: not-the-uid, UID in object meta: ")),
            },
            Case {
                what: "a resourceVersion precondition that does not hold",
                url_name: "web",
                eviction: eviction(
                    "web",
                    Some(WireDeleteOptions {
                        preconditions: Some(Preconditions {
                            uid: None,
                            resource_version: Some("1".into()),
                        }),
                        ..WireDeleteOptions::default()
                    }),
                ),
                expected: Err((409, "Operation cannot be fulfilled on pods \"web\": Precondition failed: ResourceVersion in precondition: 1, ResourceVersion in object meta: ")),
            },
            Case {
                what: "an unknown propagation policy",
                url_name: "web",
                eviction: eviction(
                    "web",
                    Some(WireDeleteOptions {
                        propagation_policy: Some("Sideways".into()),
                        ..WireDeleteOptions::default()
                    }),
                ),
                expected: Err((422, "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: \"Sideways\": supported values: \"Foreground\", \"Background\", \"Orphan\"")),
            },
            Case {
                what: "a server-side dry run",
                url_name: "web",
                eviction: eviction(
                    "web",
                    Some(WireDeleteOptions {
                        dry_run: Some(vec!["All".into()]),
                        ..WireDeleteOptions::default()
                    }),
                ),
                expected: Err((400, DRY_RUN_UNSUPPORTED)),
            },
        ];
        for case in cases {
            let mut api = cluster_with_a_running_pod();
            let result = api.evict("default", case.url_name, &case.eviction);
            match (result, case.expected) {
                (Ok(_), Ok(expected)) => assert_eq!(after(&mut api), expected, "{}", case.what),
                (Err(error), Err((code, message))) => {
                    assert_eq!(error.code(), code, "{}", case.what);
                    // Messages naming the pod's uid or revision end with them; compare the rest.
                    assert!(
                        error.to_string().starts_with(message),
                        "{}: {error}",
                        case.what
                    );
                    if case.url_name == "web" {
                        let pod = api.get(Kind::Pod, "default", "web").expect("web stays");
                        assert!(pod.metadata().deletion_timestamp.is_none(), "{}", case.what);
                    }
                }
                (got, expected) => panic!("{}: got {got:?}, expected {expected:?}", case.what),
            }
        }
    }

    #[test]
    fn an_eviction_with_matching_preconditions_deletes_and_is_traced_as_a_create() {
        let mut api = cluster_with_a_running_pod();
        let pod = api.get(Kind::Pod, "default", "web").expect("web");
        let uid = pod.metadata().uid.clone();
        let rv = pod.resource_version().map(str::to_string);
        api.poll_trace();
        let options = WireDeleteOptions {
            preconditions: Some(Preconditions {
                uid,
                resource_version: rv,
            }),
            ..WireDeleteOptions::default()
        };
        let outcome = api
            .evict("default", "web", &eviction("web", Some(options)))
            .expect("the eviction is allowed");
        let DeleteOutcome::Pending(marked) = outcome else {
            panic!("a pod on a node is deleted gracefully")
        };
        let deadline = marked
            .metadata()
            .deletion_timestamp
            .as_ref()
            .expect("marked");
        assert_eq!(
            Timestamp::from_k8s_time(deadline),
            SIM_EPOCH.plus(Duration::from_secs(30))
        );
        let traced = format!("{:?}", api.poll_trace());
        assert!(traced.contains("pods/eviction"), "{traced}");
    }
}
