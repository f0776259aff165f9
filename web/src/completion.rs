//! Tab completion for the terminal, as bash completion does it for kubectl.
//!
//! The terminal hands [`complete`] the line up to the cursor and a [`CompletionSource`] that
//! reads object names from the cluster; it gets back a [`Completion`]: the word being
//! completed and its candidates. The words before it decide what is offered — the first word
//! (`kubectl`, `play`), kubectl's verbs ([`commands::COMMANDS`]), the resource kinds with
//! their plural, singular and short names, the flags of the verb (and the global ones), the
//! names of objects of the kind named earlier in the line (`kubectl get po web-<TAB>`, or
//! `pod/web-<TAB>`), namespaces after `-n`, and the `play` subcommands and their arguments.
//! [`Completion::apply`] then does what one Tab does (the single candidate and a space, or the
//! candidates' longest common prefix); the terminal lists the candidates on a second Tab.

use kubeplay_core::api::objects::Kind;
use kubeplay_core::apiserver::registry::list_prefix;
use kubeplay_core::kubectl::commands::{self, GLOBAL_FLAGS};
use kubeplay_core::kubectl::flags::{FlagKind, FlagSpec};
use kubeplay_core::play::commands as play_commands;
use kubeplay_core::sim::world::World;
use kubeplay_core::store::{KeyRange, KvStore, RangeRequest};

/// Where the names of live objects come from.
pub trait CompletionSource {
    /// The names of the objects of `kind` in `namespace` (ignored for cluster-scoped kinds),
    /// sorted.
    fn names(&mut self, kind: Kind, namespace: &str) -> Vec<String>;
}

/// The names of a world's objects, read from its store (no request: the trace stays as it
/// is, so completing never changes what a replay reproduces).
pub struct WorldNames<'w>(pub &'w mut World);

impl CompletionSource for WorldNames<'_> {
    fn names(&mut self, kind: Kind, namespace: &str) -> Vec<String> {
        let namespace = kind.namespaced().then_some(namespace);
        let request = RangeRequest::new(KeyRange::prefix(list_prefix(kind, namespace)));
        let mut names: Vec<String> = self
            .0
            .api()
            .store()
            .range(&request)
            .map(|response| {
                response
                    .kvs
                    .into_iter()
                    .map(|kv| kv.value.name().to_string())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }
}

/// The word being completed and what it may become.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Completion {
    /// The byte offset in the line where the word being completed starts.
    pub word_start: usize,
    /// The full words the word may become, sorted, without duplicates.
    pub candidates: Vec<String>,
}

impl Completion {
    /// The longest prefix every candidate shares.
    pub fn common_prefix(&self) -> String {
        let mut candidates = self.candidates.iter();
        let Some(first) = candidates.next() else {
            return String::new();
        };
        let mut prefix = first.as_str();
        for candidate in candidates {
            let shared = prefix
                .char_indices()
                .zip(candidate.chars())
                .find(|((_, a), b)| a != b)
                .map_or(prefix.len().min(candidate.len()), |((at, _), _)| at);
            prefix = prefix.get(..shared).unwrap_or("");
        }
        prefix.to_string()
    }

    /// The line after one Tab: the word replaced by the only candidate and a space (none
    /// after a `/` or `=` that expects more), or extended to the candidates' common prefix.
    pub fn apply(&self, line: &str) -> String {
        let head = line.get(..self.word_start).unwrap_or(line);
        let word = line.get(self.word_start..).unwrap_or("");
        match self.candidates.as_slice() {
            [] => line.to_string(),
            [only] => {
                let space = if only.ends_with('/') || only.ends_with('=') {
                    ""
                } else {
                    " "
                };
                format!("{head}{only}{space}")
            }
            _ => {
                let prefix = self.common_prefix();
                if prefix.len() > word.len() {
                    format!("{head}{prefix}")
                } else {
                    line.to_string()
                }
            }
        }
    }
}

/// kubectl's verbs that take `TYPE [NAME…]` or `TYPE/NAME`.
const RESOURCE_VERBS: [&str; 7] = [
    "get", "describe", "delete", "label", "annotate", "scale", "expose",
];

/// `kubectl rollout` subcommands.
const ROLLOUT_SUBCOMMANDS: [&str; 6] = ["history", "pause", "restart", "resume", "status", "undo"];

/// `kubectl create` subcommands the playground has.
const CREATE_SUBCOMMANDS: [&str; 3] = ["deployment", "namespace", "service"];

/// `kubectl create service` types the playground has.
const SERVICE_TYPES: [&str; 2] = ["clusterip", "nodeport"];

/// `kubectl set` subcommands the playground has.
const SET_SUBCOMMANDS: [&str; 1] = ["image"];

/// `-o` formats.
const OUTPUT_FORMATS: [&str; 7] = [
    "custom-columns=",
    "json",
    "jsonpath=",
    "name",
    "wide",
    "yaml",
    "go-template=",
];

/// `play node` subcommands.
const PLAY_NODE_SUBCOMMANDS: [&str; 5] = ["add", "cut-off", "heal", "start", "stop"];

/// The candidates for the last word of `line` (the text before the cursor).
pub fn complete(line: &str, source: &mut dyn CompletionSource) -> Completion {
    let word_start = line.rfind(char::is_whitespace).map_or(0, |at| {
        at + line[at..].chars().next().map_or(1, char::len_utf8)
    });
    let word = line.get(word_start..).unwrap_or("");
    let before: Vec<&str> = line
        .get(..word_start)
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let mut candidates = match before.split_first() {
        None => vec!["kubectl".to_string(), "play".to_string()],
        Some((&"kubectl", rest)) => kubectl_candidates(rest, word, source),
        Some((&"play", rest)) => play_candidates(rest, word, source),
        Some(_) => Vec::new(),
    };
    candidates.retain(|candidate| candidate.starts_with(word));
    candidates.sort();
    candidates.dedup();
    Completion {
        word_start,
        candidates,
    }
}

/// The flags `flags` offers as `--long` words.
fn flag_words(flags: &[&[FlagSpec]]) -> Vec<String> {
    flags
        .iter()
        .flat_map(|list| list.iter())
        .map(|flag| format!("--{}", flag.long))
        .collect()
}

/// Whether `word` is a flag that takes its value from the next word.
fn takes_value(word: &str, flags: &[&[FlagSpec]]) -> bool {
    if word.contains('=') || !word.starts_with('-') {
        return false;
    }
    let found =
        flags
            .iter()
            .flat_map(|list| list.iter())
            .find(|flag| match word.strip_prefix("--") {
                Some(long) => flag.long == long,
                None => word.len() == 2 && word.ends_with(|c| flag.short == Some(c)),
            });
    found.is_some_and(|flag| match flag.kind {
        FlagKind::Bool => false,
        FlagKind::String | FlagKind::StringSlice | FlagKind::StringArray => true,
    })
}

/// The long name of the flag `word` (`-n` → `namespace`), among `flags`.
fn flag_name<'a>(word: &str, flags: &[&'a [FlagSpec]]) -> Option<&'a str> {
    flags.iter().flat_map(|list| list.iter()).find_map(|flag| {
        let matches = match word.strip_prefix("--") {
            Some(long) => flag.long == long,
            None => word.len() == 2 && word.ends_with(|c| flag.short == Some(c)),
        };
        matches.then_some(flag.long)
    })
}

/// The positional words of `words` (flags and their values left out) and the namespace of
/// `-n`, if given.
fn positionals<'w>(words: &[&'w str], flags: &[&[FlagSpec]]) -> (Vec<&'w str>, Option<&'w str>) {
    let mut args = Vec::new();
    let mut namespace = None;
    let mut iter = words.iter();
    while let Some(word) = iter.next() {
        if let Some(value) = word.strip_prefix("--namespace=") {
            namespace = Some(value);
        } else if takes_value(word, flags) {
            let value = iter.next();
            if flag_name(word, flags) == Some("namespace") {
                namespace = value.copied();
            }
        } else if !word.starts_with('-') {
            args.push(*word);
        }
    }
    (args, namespace)
}

/// Every name a kind goes by on the command line: plural, singular, short names.
fn kind_words() -> Vec<String> {
    Kind::all()
        .iter()
        .flat_map(|kind| {
            [kind.plural(), kind.singular()]
                .into_iter()
                .chain(kind.short_names().iter().copied())
                .map(str::to_string)
        })
        .collect()
}

/// The names of objects of `kind`, each with `prefix` (`pod/`).
fn object_names(
    source: &mut dyn CompletionSource,
    kind: Kind,
    namespace: &str,
    prefix: &str,
) -> Vec<String> {
    source
        .names(kind, namespace)
        .into_iter()
        .map(|name| format!("{prefix}{name}"))
        .collect()
}

/// Candidates for the value of the flag `flag` (the long name).
fn flag_values(flag: &str, namespace: &str, source: &mut dyn CompletionSource) -> Vec<String> {
    match flag {
        "namespace" => source.names(Kind::Namespace, ""),
        "output" => OUTPUT_FORMATS.iter().map(|f| f.to_string()).collect(),
        "from" => source.names(Kind::Pod, namespace),
        _ => Vec::new(),
    }
}

/// Candidates after `kubectl`, `words` being the complete words after it.
fn kubectl_candidates(
    words: &[&str],
    word: &str,
    source: &mut dyn CompletionSource,
) -> Vec<String> {
    let verb_at = words.iter().position(|w| !w.starts_with('-'));
    // `kubectl -n x get`: the words before the verb are global flags and their values.
    let verb_at = verb_at.filter(|at| {
        let previous = at.checked_sub(1).and_then(|p| words.get(p));
        !previous.is_some_and(|p| takes_value(p, &[GLOBAL_FLAGS]))
    });
    let spec = verb_at
        .and_then(|at| words.get(at))
        .and_then(|verb| commands::find(verb));
    let flags: Vec<&[FlagSpec]> = match spec {
        Some(spec) => vec![GLOBAL_FLAGS, spec.flags],
        None => vec![GLOBAL_FLAGS],
    };
    let (args, namespace) = positionals(words, &flags);
    let namespace = namespace.unwrap_or("default");
    if let Some(previous) = words.last().filter(|p| takes_value(p, &flags)) {
        let flag = flag_name(previous, &flags).unwrap_or("");
        return flag_values(flag, namespace, source);
    }
    if word.starts_with('-') {
        if let Some((flag, _)) = word.split_once('=') {
            let long = flag.trim_start_matches('-');
            return flag_values(long, namespace, source)
                .into_iter()
                .map(|value| format!("{flag}={value}"))
                .collect();
        }
        return flag_words(&flags);
    }
    let Some(spec) = spec else {
        return commands::COMMANDS
            .iter()
            .map(|command| command.name.to_string())
            .collect();
    };
    // args[0] is the verb itself.
    let args = args.get(1..).unwrap_or(&[]);
    let verb = spec.name;
    match verb {
        "rollout" => match args {
            [] => ROLLOUT_SUBCOMMANDS.iter().map(|s| s.to_string()).collect(),
            [_, rest @ ..] => resource_candidates(rest, word, namespace, source),
        },
        "create" => match args {
            [] => CREATE_SUBCOMMANDS.iter().map(|s| s.to_string()).collect(),
            ["service" | "svc"] => SERVICE_TYPES.iter().map(|s| s.to_string()).collect(),
            _ => Vec::new(),
        },
        "set" => match args {
            [] => SET_SUBCOMMANDS.iter().map(|s| s.to_string()).collect(),
            [_, rest @ ..] => resource_candidates(rest, word, namespace, source),
        },
        "logs" => match args {
            [] => object_names(source, Kind::Pod, namespace, ""),
            _ => Vec::new(),
        },
        "cordon" | "uncordon" | "drain" => object_names(source, Kind::Node, "", ""),
        _ if RESOURCE_VERBS.contains(&verb) => resource_candidates(args, word, namespace, source),
        _ => Vec::new(),
    }
}

/// Candidates for `TYPE [NAME…]` or `TYPE/NAME`, `args` being the complete ones before.
fn resource_candidates(
    args: &[&str],
    word: &str,
    namespace: &str,
    source: &mut dyn CompletionSource,
) -> Vec<String> {
    if let Some((kind_word, _)) = word.split_once('/') {
        return Kind::from_cli_name(kind_word).map_or_else(Vec::new, |kind| {
            object_names(source, kind, namespace, &format!("{kind_word}/"))
        });
    }
    match args.first() {
        None => kind_words(),
        Some(first) if first.contains('/') => {
            // `get pod/a <TAB>`: more TYPE/NAME words; offer the kinds again.
            kind_words()
        }
        Some(first) => match Kind::from_cli_name(first) {
            Some(kind) => object_names(source, kind, namespace, ""),
            None => Vec::new(),
        },
    }
}

/// Candidates after `play`, `words` being the complete words after it.
fn play_candidates(words: &[&str], word: &str, source: &mut dyn CompletionSource) -> Vec<String> {
    let Some((name, rest)) = words.split_first() else {
        return play_commands::COMMANDS
            .iter()
            .map(|command| command.name.to_string())
            .collect();
    };
    let Some(command) = play_commands::find(name) else {
        return Vec::new();
    };
    let flags: Vec<&[FlagSpec]> = vec![command.flags];
    let (args, namespace) = positionals(rest, &flags);
    let namespace = namespace.unwrap_or("default");
    if let Some(previous) = rest.last().filter(|p| takes_value(p, &flags)) {
        let flag = flag_name(previous, &flags).unwrap_or("");
        // `play traffic -n` takes a count, not a namespace.
        return match (command.name, flag) {
            ("crash", "namespace") => source.names(Kind::Namespace, ""),
            (_, "from") => source.names(Kind::Pod, namespace),
            _ => Vec::new(),
        };
    }
    if word.starts_with('-') {
        let mut words = flag_words(&flags);
        words.push("--help".to_string());
        return words;
    }
    match (command.name, args.as_slice()) {
        ("node", []) => PLAY_NODE_SUBCOMMANDS
            .iter()
            .map(|s| s.to_string())
            .collect(),
        ("node", ["stop" | "start" | "cut-off" | "heal"]) => {
            object_names(source, Kind::Node, "", "")
        }
        ("crash", []) => object_names(source, Kind::Pod, namespace, ""),
        ("traffic" | "dns", []) => object_names(source, Kind::Service, namespace, ""),
        ("help", []) => play_commands::COMMANDS
            .iter()
            .map(|command| command.name.to_string())
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cluster with two pods in default, one in shop, three nodes and two namespaces.
    struct Fixture;

    impl CompletionSource for Fixture {
        fn names(&mut self, kind: Kind, namespace: &str) -> Vec<String> {
            let names: &[&str] = match (kind, namespace) {
                (Kind::Pod, "default") => &["web-7d4b9-abcde", "web-7d4b9-fghij", "db-0"],
                (Kind::Pod, "shop") => &["cart-0"],
                (Kind::Node, _) => &["node-1", "node-2", "node-3"],
                (Kind::Namespace, _) => &["default", "kube-system", "shop"],
                (Kind::Deployment, "default") => &["web"],
                (Kind::Service, "default") => &["kubernetes", "web"],
                _ => &[],
            };
            names.iter().map(|n| n.to_string()).collect()
        }
    }

    fn candidates(line: &str) -> Vec<String> {
        complete(line, &mut Fixture).candidates
    }

    fn after_tab(line: &str) -> String {
        complete(line, &mut Fixture).apply(line)
    }

    #[test]
    fn one_tab_completes_a_single_candidate_or_the_common_prefix() {
        let cases = [
            ("", ""),
            ("k", "kubectl "),
            ("kubectl ge", "kubectl get "),
            ("kubectl get po web-", "kubectl get po web-7d4b9-"),
            ("kubectl get po d", "kubectl get po db-0 "),
            ("kubectl get pod/d", "kubectl get pod/db-0 "),
            ("kubectl get deploy", "kubectl get deploy"),
            ("kubectl get deployments", "kubectl get deployments "),
            ("kubectl -n sh", "kubectl -n shop "),
            (
                "kubectl get pods -n kube",
                "kubectl get pods -n kube-system ",
            ),
            (
                "kubectl get pods -n shop c",
                "kubectl get pods -n shop cart-0 ",
            ),
            (
                "kubectl get pods --namespace=sh",
                "kubectl get pods --namespace=shop ",
            ),
            ("kubectl logs w", "kubectl logs web-7d4b9-"),
            ("kubectl cordon node-3", "kubectl cordon node-3 "),
            ("kubectl rollout st", "kubectl rollout status "),
            (
                "kubectl rollout status deployment/",
                "kubectl rollout status deployment/web ",
            ),
            ("kubectl scale --repl", "kubectl scale --replicas "),
            ("play cr", "play crash "),
            ("play node st", "play node st"),
            ("play node stop node-2", "play node stop node-2 "),
            ("play traffic w", "play traffic web "),
            ("frobnicate x", "frobnicate x"),
        ];
        for (line, want) in cases {
            assert_eq!(after_tab(line), want, "{line:?}");
        }
    }

    #[test]
    fn candidates_depend_on_the_words_before() {
        let cases: [(&str, &[&str]); 9] = [
            ("", &["kubectl", "play"]),
            (
                "kubectl rollout ",
                &["history", "pause", "restart", "resume", "status", "undo"],
            ),
            ("kubectl create ", &["deployment", "namespace", "service"]),
            (
                "kubectl get po web",
                &["web-7d4b9-abcde", "web-7d4b9-fghij"],
            ),
            ("kubectl get svc ", &["kubernetes", "web"]),
            ("kubectl get pods -o j", &["json", "jsonpath="]),
            ("kubectl get pods --show", &["--show-kind", "--show-labels"]),
            ("play node ", &["add", "cut-off", "heal", "start", "stop"]),
            ("play node st", &["start", "stop"]),
        ];
        for (line, want) in cases {
            assert_eq!(candidates(line), want, "{line:?}");
        }
    }

    #[test]
    fn verbs_kinds_and_flags_come_from_the_core() {
        let verbs = candidates("kubectl ");
        for verb in ["apply", "get", "describe", "logs", "rollout", "scale"] {
            assert!(verbs.iter().any(|v| v == verb), "{verb} in {verbs:?}");
        }
        let kinds = candidates("kubectl get ");
        for kind in [
            "po",
            "pods",
            "pod",
            "deploy",
            "svc",
            "nodes",
            "rs",
            "configmaps",
        ] {
            assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
        }
        let flags = candidates("kubectl get -");
        for flag in ["--namespace", "--output", "--selector", "--watch", "--help"] {
            assert!(flags.iter().any(|f| f == flag), "{flag} in {flags:?}");
        }
        let play = candidates("play ");
        for command in ["wait", "advance", "node", "crash", "traffic", "help"] {
            assert!(play.iter().any(|c| c == command), "{command} in {play:?}");
        }
    }

    #[test]
    fn names_come_from_the_world_store_without_touching_the_trace() {
        let mut world = World::new(&kubeplay_core::sim::world::WorldConfig {
            seed: 1,
            nodes: 2,
            ..kubeplay_core::sim::world::WorldConfig::default()
        });
        let before = world.trace().hash();
        let completion = complete("kubectl cordon ", &mut WorldNames(&mut world));
        assert_eq!(completion.candidates.len(), 2, "{completion:?}");
        let namespaces = complete("kubectl get pods -n kube-", &mut WorldNames(&mut world));
        assert!(namespaces.candidates.contains(&"kube-system".to_string()));
        assert_eq!(world.trace().hash(), before);
    }

    #[test]
    fn the_common_prefix_stops_at_the_first_difference() {
        let completion = Completion {
            word_start: 0,
            candidates: vec!["stop".to_string(), "start".to_string()],
        };
        assert_eq!(completion.common_prefix(), "st");
        assert_eq!(Completion::default().common_prefix(), "");
    }
}
