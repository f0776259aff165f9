//! API errors and their Kubernetes `Status` form.
//!
//! Every failed request ends as one [`ApiError`]. Its [`ApiError::to_status`] gives the
//! `Status` object the real API server would answer with — the same `reason`, `code`,
//! `details` and, above all, the same `message`, because that is the line a learner sees in
//! `kubectl` and compares with a real cluster.

use crate::api::objects::Kind;
use crate::api::validation::FieldError;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Status, StatusCause, StatusDetails};

/// Why a request failed, with what the Status message needs.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// The named object does not exist (404 NotFound).
    #[error("{} \"{name}\" not found", qualified_resource(*kind))]
    NotFound {
        /// The kind that was looked up.
        kind: Kind,
        /// The name that was looked up.
        name: String,
    },
    /// The namespace of a request does not exist (404 NotFound on `namespaces`).
    #[error("namespaces \"{namespace}\" not found")]
    NamespaceNotFound {
        /// The missing namespace.
        namespace: String,
    },
    /// An object with this name already exists (409 AlreadyExists).
    #[error("{} \"{name}\" already exists", qualified_resource(*kind))]
    AlreadyExists {
        /// The kind created.
        kind: Kind,
        /// The name taken.
        name: String,
    },
    /// A write lost an optimistic-concurrency race or broke a precondition (409 Conflict).
    #[error("Operation cannot be fulfilled on {}{} \"{name}\": {detail}", qualified_resource(*kind), subresource.map(|s| format!("/{s}")).unwrap_or_default())]
    Conflict {
        /// The kind written.
        kind: Kind,
        /// The subresource written, when not the main resource (`binding`).
        subresource: Option<&'static str>,
        /// The object's name.
        name: String,
        /// What conflicted, e.g. "the object has been modified; please apply your changes to
        /// the latest version and try again".
        detail: String,
    },
    /// The object failed validation (422 Invalid), with one cause per field error.
    #[error(
        "{} \"{name}\" is invalid: {}",
        group_kind(group, kind),
        join_field_errors(errors)
    )]
    Invalid {
        /// The API group of the kind validated ("" for core, "autoscaling" for Scale).
        group: &'static str,
        /// The kind validated (`Deployment`, `Scale`).
        kind: &'static str,
        /// The object's name (may be empty when only generateName was given).
        name: String,
        /// The field errors, in the order validation found them.
        errors: Vec<FieldError>,
    },
    /// The request itself is malformed (400 BadRequest).
    #[error("{0}")]
    BadRequest(String),
    /// The request is understood but refused (403 Forbidden), e.g. writing into a namespace
    /// that is being terminated, or an image the policy does not trust.
    #[error("{message}")]
    Forbidden {
        /// The kind the request was for.
        kind: Kind,
        /// The object's name, when known.
        name: String,
        /// The full message.
        message: String,
    },
    /// A resource version that has been compacted away (410 Gone, reason Expired).
    #[error("{0}")]
    Expired(String),
    /// The verb is not supported on this resource (405 MethodNotAllowed).
    #[error("{0}")]
    MethodNotAllowed(String),
    /// Something went wrong inside kubeplay (500 InternalError). Never the user's fault.
    #[error("Internal error occurred: {0}")]
    Internal(String),
}

/// `pods`, `deployments.apps`: how Kubernetes names a resource in messages.
pub fn qualified_resource(kind: Kind) -> String {
    if kind.group().is_empty() {
        kind.plural().to_string()
    } else {
        format!("{}.{}", kind.plural(), kind.group())
    }
}

/// `Pod`, `Deployment.apps`: how Kubernetes names a kind in "is invalid" messages.
pub fn group_kind(group: &str, kind: &str) -> String {
    if group.is_empty() {
        kind.to_string()
    } else {
        format!("{kind}.{group}")
    }
}

/// One error bare, several in brackets, as `ErrorList.ToAggregate()` prints them.
fn join_field_errors(errors: &[FieldError]) -> String {
    let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
    match messages.as_slice() {
        [one] => one.clone(),
        _ => format!("[{}]", messages.join(", ")),
    }
}

impl ApiError {
    /// The HTTP status code.
    pub fn code(&self) -> u16 {
        match self {
            ApiError::NotFound { .. } | ApiError::NamespaceNotFound { .. } => 404,
            ApiError::AlreadyExists { .. } | ApiError::Conflict { .. } => 409,
            ApiError::Invalid { .. } => 422,
            ApiError::BadRequest(_) => 400,
            ApiError::Forbidden { .. } => 403,
            ApiError::Expired(_) => 410,
            ApiError::MethodNotAllowed(_) => 405,
            ApiError::Internal(_) => 500,
        }
    }

    /// The machine-readable `reason` (`metav1.StatusReason`).
    pub fn reason(&self) -> &'static str {
        match self {
            ApiError::NotFound { .. } | ApiError::NamespaceNotFound { .. } => "NotFound",
            ApiError::AlreadyExists { .. } => "AlreadyExists",
            ApiError::Conflict { .. } => "Conflict",
            ApiError::Invalid { .. } => "Invalid",
            ApiError::BadRequest(_) => "BadRequest",
            ApiError::Forbidden { .. } => "Forbidden",
            ApiError::Expired(_) => "Expired",
            ApiError::MethodNotAllowed(_) => "MethodNotAllowed",
            ApiError::Internal(_) => "InternalError",
        }
    }

    /// The validation failure of an object of `kind`.
    pub fn invalid(kind: Kind, name: &str, errors: Vec<FieldError>) -> ApiError {
        ApiError::Invalid {
            group: kind.group(),
            kind: kind.kind_name(),
            name: name.to_string(),
            errors,
        }
    }

    /// The conflict every lost optimistic-concurrency race reports.
    pub fn modified(kind: Kind, name: &str) -> ApiError {
        ApiError::Conflict {
            kind,
            subresource: None,
            name: name.to_string(),
            detail: "the object has been modified; please apply your changes to the latest version and try again".to_string(),
        }
    }

    fn details(&self) -> Option<StatusDetails> {
        let resource_details = |kind: Kind, name: &str| StatusDetails {
            name: Some(name.to_string()),
            group: Some(kind.group().to_string()),
            kind: Some(kind.plural().to_string()),
            ..Default::default()
        };
        match self {
            ApiError::NotFound { kind, name }
            | ApiError::AlreadyExists { kind, name }
            | ApiError::Conflict { kind, name, .. }
            | ApiError::Forbidden { kind, name, .. } => Some(resource_details(*kind, name)),
            ApiError::NamespaceNotFound { namespace } => {
                Some(resource_details(Kind::Namespace, namespace))
            }
            ApiError::Invalid {
                group,
                kind,
                name,
                errors,
            } => Some(StatusDetails {
                name: Some(name.clone()),
                group: Some(group.to_string()),
                kind: Some(kind.to_string()),
                causes: Some(
                    errors
                        .iter()
                        .map(|e| StatusCause {
                            reason: Some(e.error_type.reason().to_string()),
                            message: Some(e.body()),
                            field: Some(e.field.clone()),
                        })
                        .collect(),
                ),
                ..Default::default()
            }),
            ApiError::BadRequest(_)
            | ApiError::Expired(_)
            | ApiError::MethodNotAllowed(_)
            | ApiError::Internal(_) => None,
        }
    }

    /// The Kubernetes `Status` object for this error.
    pub fn to_status(&self) -> Status {
        Status {
            status: Some("Failure".to_string()),
            message: Some(self.to_string()),
            reason: Some(self.reason().to_string()),
            details: self.details(),
            code: Some(i32::from(self.code())),
            ..Default::default()
        }
    }
}
