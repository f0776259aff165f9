//! Name and label syntax checks, as Kubernetes' `apimachinery/pkg/util/validation` does them.
//!
//! Each check returns the list of problems in Kubernetes' own words (empty when the value is
//! fine), so that callers can wrap them in field errors with a path. The patterns are small
//! enough that they are matched by hand here instead of pulling a regex engine into the
//! browser build.

/// Longest DNS-1123 label (RFC 1123): namespace names, service names, container names.
pub const DNS1123_LABEL_MAX_LENGTH: usize = 63;
/// Longest DNS-1123 subdomain: most object names.
pub const DNS1123_SUBDOMAIN_MAX_LENGTH: usize = 253;
/// Longest name part of a qualified name (label and annotation keys).
pub const QUALIFIED_NAME_MAX_LENGTH: usize = 63;
/// Longest label value.
pub const LABEL_VALUE_MAX_LENGTH: usize = 63;

const DNS1123_LABEL_FMT: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_SUBDOMAIN_FMT: &str =
    "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const QUALIFIED_NAME_FMT: &str = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const LABEL_VALUE_FMT: &str = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
const QUALIFIED_NAME_ERR: &str = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

/// Builds Kubernetes' `RegexError` text: the message, examples, and the pattern used.
fn regex_error(msg: &str, fmt: &str, examples: &[&str]) -> String {
    let mut out = String::from(msg);
    if examples.is_empty() {
        out.push_str(" (regex used for validation is '");
    } else {
        out.push_str(" (e.g. ");
        for (i, example) in examples.iter().enumerate() {
            if i > 0 {
                out.push_str(" or ");
            }
            out.push('\'');
            out.push_str(example);
            out.push_str("', ");
        }
        out.push_str("regex used for validation is '");
    }
    out.push_str(fmt);
    out.push_str("')");
    out
}

/// Kubernetes' `MaxLenError` text.
pub fn max_len_error(length: usize) -> String {
    format!("must be no more than {length} characters")
}

fn is_lower_alnum(c: u8) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

fn matches_dns1123_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && is_lower_alnum(b[0])
        && is_lower_alnum(b[b.len() - 1])
        && b.iter().all(|&c| is_lower_alnum(c) || c == b'-')
}

fn matches_dns1123_subdomain(s: &str) -> bool {
    !s.is_empty() && s.split('.').all(matches_dns1123_label)
}

/// `[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?` — the name part of a qualified name, and a
/// non-empty label value.
fn matches_qualified_name_part(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|&c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_' || c == b'.')
}

/// Checks a DNS-1123 label: lowercase alphanumerics and '-', at most 63 characters
/// (namespace names, Service names, container and port names).
pub fn is_dns1123_label(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > DNS1123_LABEL_MAX_LENGTH {
        errs.push(max_len_error(DNS1123_LABEL_MAX_LENGTH));
    }
    if !matches_dns1123_label(value) {
        if matches_dns1123_subdomain(value) {
            errs.push("must not contain dots".to_string());
            return errs;
        }
        errs.push(regex_error(
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
            DNS1123_LABEL_FMT,
            &["my-name", "123-abc"],
        ));
    }
    errs
}

/// Checks a DNS-1123 subdomain: dot-separated DNS-1123 labels, at most 253 characters (the
/// names of most objects: Pods, Deployments, ConfigMaps, Nodes…).
pub fn is_dns1123_subdomain(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > DNS1123_SUBDOMAIN_MAX_LENGTH {
        errs.push(max_len_error(DNS1123_SUBDOMAIN_MAX_LENGTH));
    }
    if !matches_dns1123_subdomain(value) {
        errs.push(regex_error(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
            DNS1123_SUBDOMAIN_FMT,
            &["example.com"],
        ));
    }
    errs
}

/// Checks a qualified name such as a label or annotation key: an optional DNS-1123 subdomain
/// prefix and '/', then a name part of at most 63 characters.
pub fn is_qualified_name(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    let mut parts = value.split('/');
    let parts = (parts.next(), parts.next(), parts.next());
    let name = match parts {
        (Some(name), None, _) => name,
        (Some(prefix), Some(name), None) => {
            if prefix.is_empty() {
                errs.push("prefix part must be non-empty".to_string());
            } else {
                for msg in is_dns1123_subdomain(prefix) {
                    errs.push(format!("prefix part {msg}"));
                }
            }
            name
        }
        _ => {
            errs.push(format!(
                "a qualified name {} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
                regex_error(
                    QUALIFIED_NAME_ERR,
                    QUALIFIED_NAME_FMT,
                    &["MyName", "my.name", "123-abc"]
                )
            ));
            return errs;
        }
    };
    if name.is_empty() {
        errs.push("name part must be non-empty".to_string());
    } else if name.len() > QUALIFIED_NAME_MAX_LENGTH {
        errs.push(format!(
            "name part {}",
            max_len_error(QUALIFIED_NAME_MAX_LENGTH)
        ));
    }
    if !matches_qualified_name_part(name) {
        errs.push(format!(
            "name part {}",
            regex_error(
                QUALIFIED_NAME_ERR,
                QUALIFIED_NAME_FMT,
                &["MyName", "my.name", "123-abc"]
            )
        ));
    }
    errs
}

/// Checks a label value: empty, or alphanumerics with '-', '_' and '.' inside, at most 63
/// characters.
pub fn is_valid_label_value(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > LABEL_VALUE_MAX_LENGTH {
        errs.push(max_len_error(LABEL_VALUE_MAX_LENGTH));
    }
    if !value.is_empty() && !matches_qualified_name_part(value) {
        errs.push(regex_error(
            "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
            LABEL_VALUE_FMT,
            &["MyValue", "my_value", "12345"],
        ));
    }
    errs
}

/// Longest DNS-1035 label (Service names).
pub const DNS1035_LABEL_MAX_LENGTH: usize = 63;
const DNS1035_LABEL_FMT: &str = "[a-z]([-a-z0-9]*[a-z0-9])?";

/// Checks a DNS-1035 label: like a DNS-1123 label but starting with a letter (Service names).
pub fn is_dns1035_label(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > DNS1035_LABEL_MAX_LENGTH {
        errs.push(max_len_error(DNS1035_LABEL_MAX_LENGTH));
    }
    let starts_with_letter = value.bytes().next().is_some_and(|c| c.is_ascii_lowercase());
    if !starts_with_letter || !matches_dns1123_label(value) {
        errs.push(regex_error(
            "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
            DNS1035_LABEL_FMT,
            &["my-name", "abc-123"],
        ));
    }
    errs
}

/// Kubernetes' `InclusiveRangeError` text.
pub fn inclusive_range_error(lo: i64, hi: i64) -> String {
    format!("must be between {lo} and {hi}, inclusive")
}

/// Checks a port number: 1 to 65535.
pub fn is_valid_port_num(port: i64) -> Vec<String> {
    if (1..=65535).contains(&port) {
        Vec::new()
    } else {
        vec![inclusive_range_error(1, 65535)]
    }
}

/// Checks an IANA_SVC_NAME port name: at most 15 characters, lowercase alphanumerics and '-',
/// at least one letter, no '--', no '-' at either end.
pub fn is_valid_port_name(port: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if port.len() > 15 {
        errs.push(max_len_error(15));
    }
    if port.is_empty() || !port.bytes().all(|c| is_lower_alnum(c) || c == b'-') {
        errs.push(
            "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)".to_string(),
        );
    }
    if !port.bytes().any(|c| c.is_ascii_lowercase()) {
        errs.push("must contain at least one letter (a-z)".to_string());
    }
    if port.contains("--") {
        errs.push("must not contain consecutive hyphens".to_string());
    }
    if port.starts_with('-') || port.ends_with('-') {
        errs.push("must not begin or end with a hyphen".to_string());
    }
    errs
}

/// Checks a ConfigMap or Secret key: `[-._a-zA-Z0-9]+`, at most 253 characters, not `.`, `..`
/// or starting with `..`.
pub fn is_config_map_key(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > DNS1123_SUBDOMAIN_MAX_LENGTH {
        errs.push(max_len_error(DNS1123_SUBDOMAIN_MAX_LENGTH));
    }
    if value.is_empty()
        || !value
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'.' || c == b'_')
    {
        errs.push(regex_error(
            "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
            "[-._a-zA-Z0-9]+",
            &["key.name", "KEY_NAME", "key-name"],
        ));
    }
    if value == "." {
        errs.push("must not be '.'".to_string());
    } else if value == ".." {
        errs.push("must not be '..'".to_string());
    } else if value.starts_with("..") {
        errs.push("must not start with '..'".to_string());
    }
    errs
}

/// Checks a percent string such as `25%`.
pub fn is_valid_percent(value: &str) -> Vec<String> {
    let digits = value.strip_suffix('%').unwrap_or("");
    if !digits.is_empty() && digits.bytes().all(|c| c.is_ascii_digit()) {
        Vec::new()
    } else {
        vec![regex_error(
            "a valid percent string must be a numeric string followed by an ending '%'",
            "[0-9]+%",
            &["1%", "93%"],
        )]
    }
}

/// Checks an IP address (IPv4 or IPv6); the message is Kubernetes' for unparsable addresses.
pub fn is_valid_ip(value: &str) -> Vec<String> {
    match value.parse::<core::net::IpAddr>() {
        Ok(ip) if is_canonical(ip, value) => Vec::new(),
        Ok(ip) => vec![format!("must be in canonical form (\"{ip}\")")],
        Err(_) => {
            vec!["must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)".to_string()]
        }
    }
}

/// Whether `text`, which parsed as `ip`, is the address's canonical spelling. An IPv4 address
/// always is (the parser refuses leading zeros and out-of-range octets, the only other
/// spellings); an IPv6 one is compared with its printed form, printed without allocating
/// (every pod status write checks its IPs).
fn is_canonical(ip: core::net::IpAddr, text: &str) -> bool {
    use std::fmt::Write as _;
    match ip {
        core::net::IpAddr::V4(_) => true,
        core::net::IpAddr::V6(v6) => {
            let mut printed = FixedText::default();
            write!(printed, "{v6}").is_ok() && printed.as_str() == Some(text)
        }
    }
}

/// A short text printed into a fixed buffer (the longest IPv6 address, 45 bytes, fits).
struct FixedText {
    bytes: [u8; 64],
    len: usize,
}

impl Default for FixedText {
    fn default() -> Self {
        FixedText {
            bytes: [0; 64],
            len: 0,
        }
    }
}

impl FixedText {
    fn as_str(&self) -> Option<&str> {
        self.bytes
            .get(..self.len)
            .and_then(|b| std::str::from_utf8(b).ok())
    }
}

impl std::fmt::Write for FixedText {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        let slot = self.bytes.get_mut(self.len..end).ok_or(std::fmt::Error)?;
        slot.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Replaces a trailing '-' so that a `generateName` prefix such as `web-` passes a name check
/// (Kubernetes' `maskTrailingDash`).
fn mask_trailing_dash(name: &str) -> String {
    if name.len() > 1 && name.ends_with('-') {
        let cut = name.len() - 2;
        format!("{}a", name.get(..cut).unwrap_or(""))
    } else {
        name.to_string()
    }
}

/// Which name syntax a kind uses for `metadata.name` (Kubernetes' `ValidateNameFunc`s).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameRule {
    /// DNS-1123 subdomain: most kinds (Pod, Deployment, ConfigMap, Node…).
    Dns1123Subdomain,
    /// DNS-1123 label: Namespace.
    Dns1123Label,
    /// DNS-1035 label: Service.
    Dns1035Label,
}

impl NameRule {
    /// Checks `name`; `prefix` is true for a `generateName` prefix, where a trailing '-' is fine.
    pub fn check(self, name: &str, prefix: bool) -> Vec<String> {
        let name = if prefix {
            mask_trailing_dash(name)
        } else {
            name.to_string()
        };
        match self {
            NameRule::Dns1123Subdomain => is_dns1123_subdomain(&name),
            NameRule::Dns1123Label => is_dns1123_label(&name),
            NameRule::Dns1035Label => is_dns1035_label(&name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns1123_labels_accept_lowercase_names_and_reject_the_rest() {
        for ok in ["a", "abc", "a-b", "0", "123-abc", &"a".repeat(63)] {
            assert!(is_dns1123_label(ok).is_empty(), "{ok} should be valid");
        }
        for bad in ["", "A", "-a", "a-", "a.b", "a_b", &"a".repeat(64)] {
            assert!(!is_dns1123_label(bad).is_empty(), "{bad} should be invalid");
        }
    }

    #[test]
    fn dns1123_label_error_reads_like_kubernetes() {
        assert_eq!(
            is_dns1123_label("My_Name"),
            vec!["a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')".to_string()]
        );
        assert_eq!(is_dns1123_label(&"a".repeat(64)), vec![max_len_error(63)]);
    }

    #[test]
    fn dns1123_subdomains_allow_dots_between_labels() {
        for ok in [
            "example.com",
            "a",
            "a.b.c",
            "nginx-deployment",
            &"a".repeat(253),
        ] {
            assert!(is_dns1123_subdomain(ok).is_empty(), "{ok} should be valid");
        }
        for bad in ["", ".a", "a.", "a..b", "Nginx", "a_b", &"a".repeat(254)] {
            assert!(
                !is_dns1123_subdomain(bad).is_empty(),
                "{bad} should be invalid"
            );
        }
    }

    #[test]
    fn qualified_names_take_an_optional_dns_prefix() {
        for ok in [
            "app",
            "App_1.x",
            "example.com/app",
            "kubernetes.io/hostname",
            "a/b",
        ] {
            assert!(is_qualified_name(ok).is_empty(), "{ok} should be valid");
        }
        for bad in [
            "",
            "/a",
            "a/",
            "a/b/c",
            "-a",
            "Example.com/a",
            "a b",
            &"a".repeat(64),
        ] {
            assert!(
                !is_qualified_name(bad).is_empty(),
                "{bad} should be invalid"
            );
        }
        assert_eq!(
            is_qualified_name("/a"),
            vec!["prefix part must be non-empty"]
        );
    }

    #[test]
    fn label_values_may_be_empty_but_not_malformed() {
        for ok in ["", "v1", "my_value", "1.2.3", &"a".repeat(63)] {
            assert!(is_valid_label_value(ok).is_empty(), "{ok} should be valid");
        }
        for bad in ["-a", "a-", "a b", "a/b", &"a".repeat(64)] {
            assert!(
                !is_valid_label_value(bad).is_empty(),
                "{bad} should be invalid"
            );
        }
    }
    #[test]
    fn dns1123_label_with_dots_says_it_must_not_contain_dots() {
        assert_eq!(is_dns1123_label("a.b"), vec!["must not contain dots"]);
    }

    #[test]
    fn service_names_must_start_with_a_letter() {
        assert!(is_dns1035_label("web").is_empty());
        assert_eq!(
            is_dns1035_label("1web"),
            vec!["a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"]
        );
    }

    #[test]
    fn port_names_follow_iana_svc_name_rules() {
        assert!(is_valid_port_name("http").is_empty());
        assert!(is_valid_port_name("web-8080").is_empty());
        assert_eq!(
            is_valid_port_name("8080"),
            vec!["must contain at least one letter (a-z)"]
        );
        assert_eq!(
            is_valid_port_name("a--b"),
            vec!["must not contain consecutive hyphens"]
        );
        assert_eq!(
            is_valid_port_name("verylongportname"),
            vec!["must be no more than 15 characters"]
        );
        assert_eq!(
            is_valid_port_name("HTTP"),
            vec![
                "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
                "must contain at least one letter (a-z)"
            ]
        );
    }

    #[test]
    fn config_keys_allow_dots_dashes_and_underscores() {
        for ok in ["a", "KEY_NAME", "key-name", "file.properties", ".hidden"] {
            assert!(is_config_map_key(ok).is_empty(), "{ok} should be valid");
        }
        assert_eq!(is_config_map_key(".."), vec!["must not be '..'"]);
        assert_eq!(is_config_map_key("a/b").len(), 1);
    }

    #[test]
    fn percents_need_digits_and_a_percent_sign() {
        assert!(is_valid_percent("25%").is_empty());
        assert_eq!(is_valid_percent("25").len(), 1);
        assert_eq!(is_valid_percent("%").len(), 1);
    }

    #[test]
    fn generate_name_prefixes_may_end_with_a_dash() {
        assert!(NameRule::Dns1123Subdomain.check("web-", true).is_empty());
        assert!(!NameRule::Dns1123Subdomain.check("web-", false).is_empty());
    }

    #[test]
    fn ip_addresses_must_parse() {
        assert!(is_valid_ip("10.0.0.1").is_empty());
        assert!(is_valid_ip("2001:db8::1").is_empty());
        assert_eq!(is_valid_ip("10.0.0").len(), 1);
    }

    #[test]
    fn an_ip_address_is_valid_only_in_its_canonical_spelling() {
        let cases: [(&str, &[&str]); 7] = [
            ("192.168.0.10", &[]),
            ("::ffff:10.1.2.3", &[]),
            (
                "2001:DB8::1",
                &["must be in canonical form (\"2001:db8::1\")"],
            ),
            (
                "2001:db8:0:0:0:0:0:1",
                &["must be in canonical form (\"2001:db8::1\")"],
            ),
            // IPv4 has no other spelling: leading zeros and octets above 255 do not parse.
            (
                "010.0.0.1",
                &["must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"],
            ),
            (
                "10.0.0.256",
                &["must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"],
            ),
            (
                "",
                &["must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"],
            ),
        ];
        for (ip, want) in cases {
            assert_eq!(is_valid_ip(ip), want, "{ip}");
        }
    }

    #[test]
    fn a_qualified_name_has_at_most_one_prefix() {
        assert!(is_qualified_name("example.com/MyName").is_empty());
        assert!(is_qualified_name("Ready").is_empty());
        assert_eq!(is_qualified_name("a/b/c").len(), 1);
        assert_eq!(
            is_qualified_name("/name"),
            vec!["prefix part must be non-empty".to_string()]
        );
    }
}
