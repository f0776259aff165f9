//! The default `imagePullPolicy` of a container, from its image reference.
//!
//! Kubernetes parses the image with the distribution reference grammar: a tag of `latest`, or no
//! tag and no digest, means `Always`; any other tag or a digest means `IfNotPresent`; an image
//! that does not parse gets `IfNotPresent` too (the parse error is ignored, validation reports
//! it).

/// `Always`: pull on every container start.
pub const PULL_ALWAYS: &str = "Always";
/// `IfNotPresent`: pull only when the node does not have the image.
pub const PULL_IF_NOT_PRESENT: &str = "IfNotPresent";

/// The pull policy Kubernetes gives a container with this image and no policy of its own.
pub fn default_image_pull_policy(image: &str) -> &'static str {
    match image_tag(image) {
        Some("latest") => PULL_ALWAYS,
        _ => PULL_IF_NOT_PRESENT,
    }
}

/// The tag of a reference as Kubernetes' ParseImageName gives it: `latest` when there is neither
/// tag nor digest, `""` (here `Some("")`) for a digest alone, `None` when it does not parse.
fn image_tag(image: &str) -> Option<&str> {
    let (name_and_tag, digest) = match image.split_once('@') {
        Some((name, digest)) => (name, Some(digest)),
        None => (image, None),
    };
    if let Some(digest) = digest {
        if !is_valid_digest(digest) {
            return None;
        }
    }
    let last_slash = name_and_tag.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match name_and_tag
        .get(last_slash..)
        .and_then(|last| last.rfind(':'))
    {
        Some(colon) => {
            let at = last_slash + colon;
            (name_and_tag.get(..at)?, Some(name_and_tag.get(at + 1..)?))
        }
        None => (name_and_tag, None),
    };
    if !is_valid_name(name) {
        return None;
    }
    match (tag, digest) {
        (Some(tag), _) if is_valid_tag(tag) => Some(tag),
        (Some(_), _) => None,
        (None, Some(_)) => Some(""),
        (None, None) => Some("latest"),
    }
}

/// `[\w][\w.-]{0,127}`
fn is_valid_tag(tag: &str) -> bool {
    let mut chars = tag.chars();
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    tag.len() <= 128
        && chars.next().is_some_and(word)
        && chars.all(|c| word(c) || c == '.' || c == '-')
}

/// `algorithm:hex`, with the hex length of the algorithms Kubernetes links in.
fn is_valid_digest(digest: &str) -> bool {
    let Some((algorithm, hex)) = digest.split_once(':') else {
        return false;
    };
    let want_len = match algorithm {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => return false,
    };
    hex.len() == want_len
        && hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// An optional registry domain, then lowercase path components joined by `/`.
fn is_valid_name(name: &str) -> bool {
    if name.is_empty() || name.len() > 255 {
        return false;
    }
    let mut components: Vec<&str> = name.split('/').collect();
    if components.len() > 1 {
        let first = components.first().copied().unwrap_or("");
        let is_domain = first.contains('.')
            || first.contains(':')
            || first == "localhost"
            || first.bytes().any(|b| b.is_ascii_uppercase());
        if is_domain {
            if !is_valid_domain(first) {
                return false;
            }
            components.remove(0);
        }
    }
    // A bare 64-hex string would be read as an image ID, which a reference may not be.
    let is_image_id = components.len() == 1
        && name.len() == 64
        && name
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    !is_image_id && components.iter().all(|c| is_valid_path_component(c))
}

/// `host[:port]`, host being dot-separated alphanumeric labels (hyphens inside) or `[ipv6]`.
fn is_valid_domain(domain: &str) -> bool {
    let (host, port) = match domain.rsplit_once(':') {
        Some((host, port)) if !domain.ends_with(']') => (host, Some(port)),
        _ => (domain, None),
    };
    if let Some(port) = port {
        if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
    }
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return !inner.is_empty() && inner.bytes().all(|b| b.is_ascii_hexdigit() || b == b':');
    }
    !host.is_empty()
        && host.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`
fn is_valid_path_component(component: &str) -> bool {
    let bytes = component.as_bytes();
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
        return false;
    };
    if !alnum(first) || !alnum(last) {
        return false;
    }
    let mut separator = String::new();
    for &b in bytes {
        if alnum(b) {
            if !matches!(separator.as_str(), "" | "." | "_" | "__")
                && !separator.bytes().all(|s| s == b'-')
            {
                return false;
            }
            separator.clear();
        } else if matches!(b, b'.' | b'_' | b'-') {
            separator.push(char::from(b));
        } else {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGEST: &str = "sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31";

    #[test]
    fn pull_policy_follows_the_tag_like_kubernetes() {
        let with_digest = format!("nginx@{DIGEST}");
        let latest_with_digest = format!("nginx:latest@{DIGEST}");
        let table: Vec<(&str, &str)> = vec![
            ("nginx", PULL_ALWAYS),
            ("nginx:latest", PULL_ALWAYS),
            ("nginx:1.25", PULL_IF_NOT_PRESENT),
            (&with_digest, PULL_IF_NOT_PRESENT),
            (&latest_with_digest, PULL_ALWAYS),
            ("nginx@sha256:tooshort", PULL_IF_NOT_PRESENT),
            ("registry.k8s.io/pause:3.10", PULL_IF_NOT_PRESENT),
            ("localhost:5000/busybox", PULL_ALWAYS),
            ("localhost:5000/busybox:1.36", PULL_IF_NOT_PRESENT),
            (
                "us-docker.pkg.dev/google-samples/containers/gke/gb-frontend:v5",
                PULL_IF_NOT_PRESENT,
            ),
            ("my_org/my-app__x", PULL_ALWAYS),
            ("NGINX", PULL_IF_NOT_PRESENT),
            ("nginx:", PULL_IF_NOT_PRESENT),
            ("", PULL_IF_NOT_PRESENT),
            ("nginx:-bad", PULL_IF_NOT_PRESENT),
        ];
        for (image, want) in table {
            assert_eq!(default_image_pull_policy(image), want, "{image:?}");
        }
    }
}
