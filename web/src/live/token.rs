//! The way into live mode: the token form's logic and what the server's first answer means.
//!
//! The learner pastes the server's admin token (the `token` file or the kubeconfig's `token:`
//! of the data directory). [`clean_token`] accepts it with or without a `Bearer ` prefix and
//! refuses an empty one or one with spaces inside. The page then asks
//! `GET /kubeplay/v1/info` with it; [`read_info_answer`] turns the HTTP status and body into
//! the server's [`LiveInfo`] or a [`ConnectError`] the form shows (401: wrong token; 404: this
//! page is not served by `kubeplay serve`; no answer: unreachable).
//!
//! Where the token is kept: only in memory while live, and in `sessionStorage` (this tab only,
//! gone when the tab closes) under [`SESSION_TOKEN_KEY`] so a reload can fill the form again;
//! the form's "forget" button removes it. Never in the URL, never in `localStorage`.

use serde::Deserialize;

/// The `sessionStorage` key the token is kept under for this tab.
pub const SESSION_TOKEN_KEY: &str = "kubeplay.live.token";

/// The path of the server's description.
pub const INFO_PATH: &str = "/kubeplay/v1/info";

/// What `GET /kubeplay/v1/info` says about the server.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LiveInfo {
    /// kubeplay's version.
    pub version: String,
    /// The names of the server's nodes.
    pub nodes: Vec<String>,
    /// How many trace records the server keeps.
    pub trace_kept: u64,
    /// How many pods the server's cluster has (0 from a server that does not say).
    pub pods: usize,
}

/// Why the page could not go live.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConnectError {
    /// The token field is empty.
    #[error("enter the server's token")]
    EmptyToken,
    /// The token has spaces or line breaks inside.
    #[error("a token is one word without spaces")]
    TokenHasSpaces,
    /// The server refused the token (401 or 403).
    #[error("the server refused the token")]
    Unauthorized,
    /// No answer (the server is down, or the page is opened from a file).
    #[error("the server did not answer: {0}")]
    Unreachable(String),
    /// 404: whoever serves this page has no live endpoints (not `kubeplay serve`).
    #[error("this page is not served by kubeplay serve")]
    NotServe,
    /// Another status.
    #[error("the server answered {0}")]
    Status(u16),
    /// A 200 whose body is not the info document.
    #[error("the server's answer is not kubeplay's info: {0}")]
    BadAnswer(String),
}

/// The token as typed, trimmed and without a `Bearer ` prefix; an error for an empty one or
/// one with whitespace inside.
pub fn clean_token(input: &str) -> Result<String, ConnectError> {
    let trimmed = input.trim();
    let token = match trimmed.split_once(char::is_whitespace) {
        Some((first, rest)) if first.eq_ignore_ascii_case("bearer") => rest.trim(),
        _ if trimmed.eq_ignore_ascii_case("bearer") => "",
        _ => trimmed,
    };
    if token.is_empty() {
        return Err(ConnectError::EmptyToken);
    }
    if token.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(ConnectError::TokenHasSpaces);
    }
    Ok(token.to_string())
}

/// The `Authorization` header value for `token`.
pub fn authorization(token: &str) -> String {
    format!("Bearer {token}")
}

/// What the info request's answer means: `status` 0 with `body` the browser's error when no
/// answer came.
pub fn read_info_answer(status: u16, body: &str) -> Result<LiveInfo, ConnectError> {
    match status {
        0 => Err(ConnectError::Unreachable(body.to_string())),
        200 => serde_json::from_str::<LiveInfo>(body)
            .map_err(|error| ConnectError::BadAnswer(error.to_string())),
        401 | 403 => Err(ConnectError::Unauthorized),
        404 => Err(ConnectError::NotServe),
        other => Err(ConnectError::Status(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_trimmed_and_lose_a_bearer_prefix_and_empty_or_spaced_ones_are_refused() {
        let cases = [
            ("abc123", Ok("abc123")),
            ("  abc123\n", Ok("abc123")),
            ("Bearer abc123", Ok("abc123")),
            ("bearer  abc123 ", Ok("abc123")),
            ("", Err(ConnectError::EmptyToken)),
            ("   ", Err(ConnectError::EmptyToken)),
            ("Bearer ", Err(ConnectError::EmptyToken)),
            ("abc 123", Err(ConnectError::TokenHasSpaces)),
            ("abc\n123", Err(ConnectError::TokenHasSpaces)),
        ];
        for (input, expected) in cases {
            assert_eq!(
                clean_token(input),
                expected.map(str::to_string),
                "{input:?}"
            );
        }
    }

    #[test]
    fn the_info_answer_is_the_server_or_says_what_went_wrong() {
        let info = read_info_answer(
            200,
            r#"{"version":"0.4.0","nodes":["node-1","node-2"],"traceKept":20000,"pods":31}"#,
        );
        assert_eq!(
            info,
            Ok(LiveInfo {
                version: "0.4.0".to_string(),
                nodes: vec!["node-1".to_string(), "node-2".to_string()],
                trace_kept: 20_000,
                pods: 31,
            })
        );
        let cases = [
            (401, "{}", ConnectError::Unauthorized),
            (403, "", ConnectError::Unauthorized),
            (404, "not found", ConnectError::NotServe),
            (502, "", ConnectError::Status(502)),
            (
                0,
                "TypeError: Failed to fetch",
                ConnectError::Unreachable("TypeError: Failed to fetch".to_string()),
            ),
        ];
        for (status, body, error) in cases {
            assert_eq!(read_info_answer(status, body), Err(error), "{status}");
        }
        assert!(matches!(
            read_info_answer(200, "<html>"),
            Err(ConnectError::BadAnswer(_))
        ));
    }

    #[test]
    fn the_header_carries_the_token_as_a_bearer() {
        assert_eq!(authorization("abc"), "Bearer abc");
    }
}
