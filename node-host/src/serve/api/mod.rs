//! The Kubernetes REST API over the core's API server.
//!
//! A request flows: [`handle`] parses the URL ([`path`]) and the query ([`query`]) → discovery
//! paths answer from [`discovery`]; resource paths pick the verb from the method, the name and
//! the subresource → the body is read and decoded ([`body`]) → one call on the core's
//! [`ApiServer`](kubeplay_core::apiserver::ApiServer) through the [`Cluster`] actor → the
//! answer is the object (or list) as JSON, or a server-side [`table`] when kubectl asks for
//! one, or a [`status::StatusError`]. Watches stream newline-delimited events ([`watch`]);
//! `pods/{name}/log` answers plain text, streamed with `follow` ([`logs`]).

pub mod body;
pub mod discovery;
pub mod logs;
pub mod path;
pub mod protobuf;
pub mod query;
pub mod status;
pub mod table;
pub mod watch;

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use k8s_openapi::api::autoscaling::v1::Scale;
use k8s_openapi::api::core::v1::Binding;
use kubeplay_core::api::objects::{Kind, Object};
use kubeplay_core::api::patch::{apply_patch, PatchType};
use kubeplay_core::apiserver::{ApiError, DeleteOptions, ListOptions, ObjectList};
use serde_json::Value;

use self::path::{ApiPath, ResourcePath, Subresource};
use self::query::Params;
use self::status::StatusError;
use self::table::TableRequest;
use super::cluster::Cluster;

/// What the API handlers share.
#[derive(Clone, Debug)]
pub struct ApiState {
    /// The API server actor.
    pub cluster: Cluster,
    /// Watch event lines encoded once and shared by every watch stream.
    pub encoded_events: Arc<watch::EncodedEvents>,
}

impl ApiState {
    /// The handlers' state over `cluster`.
    pub fn new(cluster: Cluster) -> ApiState {
        ApiState {
            cluster,
            encoded_events: Arc::default(),
        }
    }
}

/// Handles every request under `/api` and `/apis`.
pub async fn handle(
    State(state): State<ApiState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    query: Result<Query<Vec<(String, String)>>, axum::extract::rejection::QueryRejection>,
    body: Body,
) -> Response {
    let params = match query {
        Ok(Query(pairs)) => Params::from_pairs(pairs),
        Err(rejection) => return StatusError::bad_request(rejection.body_text()).into_response(),
    };
    let path = match path::parse(uri.path()) {
        Ok(path) => path,
        Err(_) => return StatusError::not_found_path().into_response(),
    };
    let result = match path {
        ApiPath::CoreVersions => only_get(&method).map(|()| discovery::core_versions(&headers)),
        ApiPath::Groups => only_get(&method).map(|()| discovery::groups()),
        ApiPath::GroupVersion { group, version } => {
            only_get(&method).map(|()| discovery::resources(&group, &version))
        }
        ApiPath::Resource(resource) => {
            on_resource(&state, &method, resource, &params, &headers, body).await
        }
    };
    result.unwrap_or_else(IntoResponse::into_response)
}

fn only_get(method: &Method) -> Result<(), StatusError> {
    if method == Method::GET {
        Ok(())
    } else {
        Err(StatusError::method_not_allowed(method.as_str()))
    }
}

/// A JSON answer.
pub fn json_response(code: StatusCode, value: &Value) -> Response {
    (
        code,
        [(header::CONTENT_TYPE, "application/json")],
        value.to_string(),
    )
        .into_response()
}

/// The verbs on one resource path.
async fn on_resource(
    state: &ApiState,
    method: &Method,
    resource: ResourcePath,
    params: &Params,
    headers: &HeaderMap,
    body: Body,
) -> Result<Response, StatusError> {
    let cluster = &state.cluster;
    let kind = resource.kind;
    let namespace = resource.namespace.clone().unwrap_or_default();
    let table = TableRequest::from_request(headers, params);
    if method != Method::GET {
        refuse_dry_run(params)?;
    }
    match (method.clone(), resource.name.clone(), resource.subresource) {
        (Method::GET, None, None) if params.is_watch() => {
            let encoded = Arc::clone(&state.encoded_events);
            watch::start(
                cluster.clone(),
                kind,
                resource.namespace,
                params,
                table,
                encoded,
            )
            .await
        }
        (Method::GET, None, None) => {
            let options = params.list_options()?;
            let ns = resource.namespace.clone();
            let list = call(cluster, move |api| api.list(kind, ns.as_deref(), &options)).await?;
            Ok(list_response(&list, table.as_ref()))
        }
        (Method::GET, Some(name), None | Some(Subresource::Status)) => {
            let object = call(cluster, move |api| api.get(kind, &namespace, &name)).await?;
            Ok(object_response(StatusCode::OK, &object, table.as_ref()))
        }
        (Method::GET, Some(name), Some(Subresource::Log)) => {
            logs::get(cluster.clone(), namespace, name, params).await
        }
        (Method::GET, Some(name), Some(Subresource::Scale)) => {
            let scale = call(cluster, move |api| api.get_scale(kind, &namespace, &name)).await?;
            Ok(typed_response(StatusCode::OK, &scale))
        }
        (Method::POST, None, None) if kind.namespaced() && resource.namespace.is_none() => {
            Err(StatusError::method_not_allowed(method.as_str()))
        }
        (Method::POST, None, None) => {
            let validation = body::FieldValidation::from_params(params)?;
            let bytes = body::read(headers, body).await?;
            let decoded =
                body::decode_object_checked(kind, &body::media_type(headers), &bytes, validation)?;
            let object = decoded.object;
            let created = call(cluster, move |api| api.create(&namespace, object)).await?;
            Ok(with_warnings(
                object_response(StatusCode::CREATED, &created, None),
                &decoded.warnings,
            ))
        }
        (Method::POST, Some(name), Some(Subresource::Binding)) => {
            let bytes = body::read(headers, body).await?;
            let mut binding: Binding = body::decode_typed(&body::media_type(headers), &bytes)?;
            if binding.metadata.name.as_deref().unwrap_or("").is_empty() {
                binding.metadata.name = Some(name.clone());
            }
            if binding.metadata.name.as_deref() != Some(name.as_str()) {
                return Err(StatusError::bad_request(format!(
                    "the name of the object ({}) does not match the name on the URL ({name})",
                    binding.metadata.name.as_deref().unwrap_or("")
                )));
            }
            call(cluster, move |api| api.bind(&namespace, &binding)).await?;
            Ok(json_response(
                StatusCode::CREATED,
                &serde_json::json!({
                    "kind": "Status", "apiVersion": "v1", "metadata": {},
                    "status": "Success", "code": 201
                }),
            ))
        }
        (Method::POST, Some(name), Some(Subresource::Eviction)) => {
            let bytes = body::read(headers, body).await?;
            let eviction = body::decode_eviction(&body::media_type(headers), &bytes)?;
            call(cluster, move |api| api.evict(&namespace, &name, &eviction)).await?;
            // kube-apiserver answers an allowed eviction with a Success Status, code 201.
            Ok(json_response(
                StatusCode::CREATED,
                &serde_json::json!({
                    "kind": "Status", "apiVersion": "v1", "metadata": {},
                    "status": "Success", "code": 201
                }),
            ))
        }
        (Method::PUT, Some(name), None | Some(Subresource::Status)) => {
            let validation = body::FieldValidation::from_params(params)?;
            let bytes = body::read(headers, body).await?;
            let decoded =
                body::decode_object_checked(kind, &body::media_type(headers), &bytes, validation)?;
            let object = decoded.object;
            check_name(&object, &name)?;
            let status = resource.subresource == Some(Subresource::Status);
            let updated = call(cluster, move |api| {
                if status {
                    api.update_status(&namespace, object)
                } else {
                    api.update(&namespace, object)
                }
            })
            .await?;
            Ok(with_warnings(
                object_response(StatusCode::OK, &updated, None),
                &decoded.warnings,
            ))
        }
        (Method::PUT, Some(name), Some(Subresource::Scale)) => {
            let bytes = body::read(headers, body).await?;
            let scale: Scale = body::decode_typed(&body::media_type(headers), &bytes)?;
            let updated = call(cluster, move |api| {
                api.update_scale(kind, &namespace, &name, &scale)
            })
            .await?;
            Ok(typed_response(StatusCode::OK, &updated))
        }
        (Method::PATCH, Some(name), subresource) => {
            let media_type = body::media_type(headers);
            let patch_type = PatchType::from_content_type(&media_type).ok_or_else(|| {
                let accepted: Vec<&str> = PatchType::ALL.iter().map(|t| t.content_type()).collect();
                StatusError::unsupported_media_type(&accepted)
            })?;
            if patch_type == PatchType::ApplyPatch {
                return Err(StatusError::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "UnsupportedMediaType",
                    "server-side apply (application/apply-patch+yaml) is not supported by kubeplay yet; use kubectl apply without --server-side",
                ));
            }
            let bytes = body::read(headers, body).await?;
            let patch: Value = serde_json::from_slice(&bytes).map_err(|error| {
                StatusError::bad_request(format!("error decoding patch: {error}"))
            })?;
            match subresource {
                None | Some(Subresource::Status) => {
                    let status = subresource.is_some();
                    let validation = body::FieldValidation::from_params(params)?;
                    let (patched, warnings) = call(cluster, move |api| {
                        let warnings = match validation {
                            body::FieldValidation::Ignore => Vec::new(),
                            body::FieldValidation::Strict | body::FieldValidation::Warn => {
                                let current = api.get(kind, &namespace, &name)?.to_value();
                                let (patched, unknown) = body::unknown_fields_after_patch(
                                    kind, patch_type, &current, &patch,
                                );
                                match body::judge_patch(
                                    validation, patch_type, &patch, &patched, &unknown,
                                ) {
                                    Ok(warnings) => warnings,
                                    Err(refused) => return Ok(Err(refused)),
                                }
                            }
                        };
                        api.patch(kind, &namespace, &name, patch_type, &patch, status)
                            .map(|patched| Ok((patched, warnings)))
                    })
                    .await??;
                    Ok(with_warnings(
                        object_response(StatusCode::OK, &patched, None),
                        &warnings,
                    ))
                }
                Some(Subresource::Scale) => {
                    let scale = call(cluster, move |api| {
                        patch_scale(api, kind, &namespace, &name, patch_type, &patch)
                    })
                    .await?;
                    Ok(typed_response(StatusCode::OK, &scale))
                }
                Some(Subresource::Binding | Subresource::Log | Subresource::Eviction) => {
                    Err(StatusError::method_not_allowed("PATCH"))
                }
            }
        }
        (Method::DELETE, Some(name), None) => {
            let bytes = body::read(headers, body).await?;
            let options = body::delete_options(&body::media_type(headers), &bytes, params)?;
            let outcome = call(cluster, move |api| {
                api.delete(kind, &namespace, &name, &options)
            })
            .await?;
            Ok(object_response(StatusCode::OK, outcome.object(), None))
        }
        (Method::DELETE, None, None) => {
            let bytes = body::read(headers, body).await?;
            let options = body::delete_options(&body::media_type(headers), &bytes, params)?;
            let list_options = params.list_options()?;
            let ns = resource.namespace.clone();
            let list = call(cluster, move |api| {
                delete_collection(api, kind, ns.as_deref(), &list_options, &options)
            })
            .await?;
            Ok(list_response(&list, None))
        }
        _ => Err(StatusError::method_not_allowed(method.as_str())),
    }
}

/// `dryRun=All` (`kubectl --dry-run=server`) must never write; until the core can run a
/// request without committing it, such requests are refused instead of silently written.
fn refuse_dry_run(params: &Params) -> Result<(), StatusError> {
    match params.get("dryRun") {
        None | Some("") => Ok(()),
        Some("All") => Err(StatusError::bad_request(
            "dryRun=All (kubectl --dry-run=server) is not supported by kubeplay yet; use --dry-run=client",
        )),
        Some(other) => Err(StatusError::bad_request(format!(
            "dryRun: Unsupported value: \"{other}\": supported values: \"All\""
        ))),
    }
}

/// Runs one core call on the actor, turning both failure kinds into a Status.
async fn call<T, F>(cluster: &Cluster, f: F) -> Result<T, StatusError>
where
    T: Send + 'static,
    F: FnOnce(&mut crate::serve::cluster::ClusterApi) -> Result<T, ApiError> + Send + 'static,
{
    match cluster.call(f).await {
        Ok(result) => result.map_err(StatusError::from),
        Err(_) => Err(StatusError::stopped()),
    }
}

/// kube-apiserver refuses a PUT whose body names another object than the URL.
fn check_name(object: &Object, url_name: &str) -> Result<(), StatusError> {
    if object.name() == url_name {
        Ok(())
    } else {
        Err(StatusError::bad_request(format!(
            "the name of the object ({}) does not match the name on the URL ({url_name})",
            object.name()
        )))
    }
}

/// PATCH on `…/scale` (what `kubectl scale` sends): read the Scale, patch it, write it.
fn patch_scale(
    api: &mut crate::serve::cluster::ClusterApi,
    kind: Kind,
    namespace: &str,
    name: &str,
    patch_type: PatchType,
    patch: &Value,
) -> Result<Scale, ApiError> {
    let current = api.get_scale(kind, namespace, name)?;
    let current_value =
        serde_json::to_value(&current).map_err(|e| ApiError::Internal(e.to_string()))?;
    let patched = apply_patch(patch_type, &current_value, patch, "Scale")
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let scale: Scale = serde_json::from_value(patched)
        .map_err(|e| ApiError::BadRequest(format!("the patched Scale is invalid: {e}")))?;
    api.update_scale(kind, namespace, name, &scale)
}

/// DELETE on a collection: deletes every selected object, answers the deleted ones as a list.
fn delete_collection(
    api: &mut crate::serve::cluster::ClusterApi,
    kind: Kind,
    namespace: Option<&str>,
    list_options: &ListOptions,
    options: &DeleteOptions,
) -> Result<ObjectList, ApiError> {
    let mut list = api.list(kind, namespace, list_options)?;
    let mut deleted = Vec::with_capacity(list.items.len());
    for item in &list.items {
        let outcome = api.delete(kind, item.namespace(), item.name(), options)?;
        deleted.push(Arc::clone(outcome.object()));
    }
    list.items = deleted;
    list.continue_token = None;
    list.remaining_item_count = None;
    list.resource_version = api.current_revision();
    Ok(list)
}

/// Adds one `Warning: 299 - "…"` header per message, as kube-apiserver reports unknown
/// fields under `fieldValidation=Warn`; kubectl prints each as `Warning: …`.
fn with_warnings(mut response: Response, warnings: &[String]) -> Response {
    for warning in warnings {
        let escaped = warning.replace('\\', "\\\\").replace('"', "\\\"");
        if let Ok(value) = header::HeaderValue::from_str(&format!("299 - \"{escaped}\"")) {
            response.headers_mut().append(header::WARNING, value);
        }
    }
    response
}

fn object_response(code: StatusCode, object: &Object, table: Option<&TableRequest>) -> Response {
    match table {
        Some(request) => json_response(code, &table::object_table(object, request)),
        None => json_response(code, &object.to_value()),
    }
}

fn list_response(list: &ObjectList, table: Option<&TableRequest>) -> Response {
    match table {
        Some(request) => json_response(StatusCode::OK, &table::list_table(list, request)),
        None => json_response(StatusCode::OK, &list.to_value()),
    }
}

fn typed_response<T: serde::Serialize>(code: StatusCode, value: &T) -> Response {
    match serde_json::to_value(value) {
        Ok(value) => json_response(code, &value),
        Err(error) => StatusError::from(ApiError::Internal(error.to_string())).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_side_dry_run_is_refused_rather_than_written() {
        let params = |value: &str| Params::from_pairs(vec![("dryRun".into(), value.into())]);
        assert!(refuse_dry_run(&Params::default()).is_ok());
        assert!(refuse_dry_run(&params("")).is_ok());
        assert_eq!(
            refuse_dry_run(&params("All")).unwrap_err().code,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            refuse_dry_run(&params("Some")).unwrap_err().code,
            StatusCode::BAD_REQUEST
        );
    }
}
