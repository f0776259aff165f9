//! Resource arguments as kubectl reads them: `pods`, `po`, `deploy,rs,pods`,
//! `deployments.apps`, `all`, `TYPE NAME…` and `TYPE/NAME…`, resolved to [`Kind`]s with the
//! names kubectl's discovery would accept.

use crate::api::objects::Kind;

use super::error::KubectlError;

/// The kinds `kubectl get all` lists (the `all` category, for the kinds kubeplay serves).
pub const ALL_CATEGORY: [Kind; 5] = [
    Kind::Pod,
    Kind::ReplicationController,
    Kind::Service,
    Kind::Deployment,
    Kind::ReplicaSet,
];

/// What the resource arguments ask for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResourceSelection {
    /// Whole collections: every object of each kind (filtered by selectors), in this order.
    Kinds(Vec<Kind>),
    /// Named objects, in this order.
    Named(Vec<(Kind, String)>),
}

/// The resolved arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resources {
    /// What to read.
    pub selection: ResourceSelection,
    /// Whether several resource types were named (`NAME` gets a `kind/` prefix).
    pub multiple_types: bool,
}

/// Resolves one type name (`po`, `deployments.apps`).
pub fn resolve_kind(name: &str) -> Result<Kind, KubectlError> {
    Kind::from_cli_name(name).ok_or_else(|| KubectlError::UnknownResourceType(name.to_string()))
}

fn resolve_types(list: &str) -> Result<Vec<Kind>, KubectlError> {
    let mut kinds = Vec::new();
    for name in list.split(',').filter(|n| !n.is_empty()) {
        let resolved = if name == "all" {
            ALL_CATEGORY.to_vec()
        } else {
            vec![resolve_kind(name)?]
        };
        for kind in resolved {
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
    }
    Ok(kinds)
}

/// Reads resource arguments (`args` is never empty here).
pub fn resolve(args: &[String]) -> Result<Resources, KubectlError> {
    let slash_form = args.iter().any(|a| a.contains('/'));
    if slash_form {
        let mut named = Vec::new();
        let mut types: Vec<&str> = Vec::new();
        for arg in args {
            let Some((kind, name)) = arg.split_once('/') else {
                return Err(KubectlError::Usage("there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'".to_string()));
            };
            if kind.is_empty() || name.is_empty() || name.contains('/') {
                return Err(KubectlError::Usage(
                    "arguments in resource/name form must have a single resource and name"
                        .to_string(),
                ));
            }
            if !types.contains(&kind) {
                types.push(kind);
            }
            named.push((resolve_kind(kind)?, name.to_string()));
        }
        return Ok(Resources {
            selection: ResourceSelection::Named(named),
            multiple_types: types.len() > 1,
        });
    }
    let (first, names) = match args.split_first() {
        Some(split) => split,
        None => {
            return Err(KubectlError::Usage(
                "Required resource not specified.".to_string(),
            ))
        }
    };
    let kinds = resolve_types(first)?;
    let mut unique: Vec<&str> = Vec::new();
    for name in first.split(',').filter(|n| !n.is_empty()) {
        if !unique.contains(&name) {
            unique.push(name);
        }
    }
    let multiple_types = first == "all" || unique.len() > 1;
    if names.is_empty() {
        return Ok(Resources {
            selection: ResourceSelection::Kinds(kinds),
            multiple_types,
        });
    }
    let mut named = Vec::new();
    for kind in &kinds {
        for name in names {
            named.push((*kind, name.clone()));
        }
    }
    Ok(Resources {
        selection: ResourceSelection::Named(named),
        multiple_types,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn type_lists_names_and_slash_forms_resolve_like_kubectl() {
        let table = [
            (
                "deploy,rs,pods",
                ResourceSelection::Kinds(vec![Kind::Deployment, Kind::ReplicaSet, Kind::Pod]),
                true,
            ),
            ("po", ResourceSelection::Kinds(vec![Kind::Pod]), false),
            (
                "pods web api",
                ResourceSelection::Named(vec![
                    (Kind::Pod, "web".to_string()),
                    (Kind::Pod, "api".to_string()),
                ]),
                false,
            ),
            (
                "po/x deploy/y",
                ResourceSelection::Named(vec![
                    (Kind::Pod, "x".to_string()),
                    (Kind::Deployment, "y".to_string()),
                ]),
                true,
            ),
        ];
        for (line, selection, multiple) in table {
            let resources = resolve(&words(line)).unwrap();
            assert_eq!(resources.selection, selection, "{line}");
            assert_eq!(resources.multiple_types, multiple, "{line}");
        }
    }

    #[test]
    fn unknown_types_and_mixed_forms_are_errors_with_kubectl_texts() {
        assert_eq!(
            resolve(&words("pods,foo")).unwrap_err().to_string(),
            "error: the server doesn't have a resource type \"foo\""
        );
        assert!(resolve(&words("deploy web ns/default"))
            .unwrap_err()
            .to_string()
            .starts_with("error: there is no need to specify a resource type"));
        assert_eq!(
            resolve(&words("ns/")).unwrap_err().to_string(),
            "error: arguments in resource/name form must have a single resource and name"
        );
    }
}
