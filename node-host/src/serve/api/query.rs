//! Query parameters of an API request, and the core's list and watch options read from them.

use kubeplay_core::apiserver::options::ResourceVersionMatch;
use kubeplay_core::apiserver::{ListOptions, WatchOptions};

use super::status::StatusError;

/// The decoded query string, in order; the first value of a repeated name counts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Params(Vec<(String, String)>);

impl Params {
    /// Parameters from decoded pairs.
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Params {
        Params(pairs)
    }

    /// The value of `name`, if given.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// A boolean parameter as Kubernetes reads it: `true` or `1` (and `watch` alone).
    pub fn flag(&self, name: &str) -> bool {
        matches!(self.get(name), Some("true" | "1" | "True" | "TRUE"))
    }

    /// Whether this is a watch request (`watch=true` or `watch=1`).
    pub fn is_watch(&self) -> bool {
        self.flag("watch")
    }

    /// `labelSelector`, `fieldSelector`, `limit`, `continue`, `resourceVersion`,
    /// `resourceVersionMatch` as the core's list options.
    pub fn list_options(&self) -> Result<ListOptions, StatusError> {
        let limit = match self.get("limit") {
            None | Some("") => None,
            Some(text) => {
                let limit = text.parse::<i64>().map_err(|_| {
                    StatusError::bad_request(format!("limit: Invalid value: {text:?}"))
                })?;
                usize::try_from(limit).ok().filter(|&n| n > 0)
            }
        };
        let resource_version_match = match self.get("resourceVersionMatch") {
            None | Some("") => None,
            Some("Exact") => Some(ResourceVersionMatch::Exact),
            Some("NotOlderThan") => Some(ResourceVersionMatch::NotOlderThan),
            Some(other) => {
                return Err(StatusError::bad_request(format!(
                    "resourceVersionMatch: Unsupported value: \"{other}\": supported values: \"Exact\", \"NotOlderThan\""
                )))
            }
        };
        Ok(ListOptions {
            label_selector: self.non_empty("labelSelector"),
            field_selector: self.non_empty("fieldSelector"),
            limit,
            continue_token: self.non_empty("continue"),
            resource_version: self.non_empty("resourceVersion"),
            resource_version_match,
        })
    }

    /// The core's watch options.
    pub fn watch_options(&self) -> WatchOptions {
        WatchOptions {
            label_selector: self.non_empty("labelSelector"),
            field_selector: self.non_empty("fieldSelector"),
            resource_version: self.non_empty("resourceVersion"),
            allow_watch_bookmarks: self.flag("allowWatchBookmarks"),
        }
    }

    fn non_empty(&self, name: &str) -> Option<String> {
        self.get(name)
            .filter(|value| !value.is_empty())
            .map(str::to_string)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        Params::from_pairs(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
                .collect(),
        )
    }

    #[test]
    fn watch_is_true_for_true_and_1_only() {
        for (value, expected) in [("true", true), ("1", true), ("false", false), ("0", false)] {
            assert_eq!(params(&[("watch", value)]).is_watch(), expected, "{value}");
        }
        assert!(!params(&[]).is_watch());
    }

    #[test]
    fn list_options_read_selectors_limit_and_continue() {
        let options = params(&[
            ("labelSelector", "app=web"),
            ("limit", "500"),
            ("continue", ""),
            ("resourceVersion", "0"),
        ])
        .list_options()
        .unwrap();
        assert_eq!(options.label_selector.as_deref(), Some("app=web"));
        assert_eq!(options.limit, Some(500));
        assert_eq!(options.continue_token, None);
        assert_eq!(options.resource_version.as_deref(), Some("0"));
        assert!(params(&[("limit", "many")]).list_options().is_err());
    }
}
