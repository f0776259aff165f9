//! Command-line flags with pflag's semantics (the library kubectl's cobra commands use):
//! `--name=value`, `--name value`, `-n value`, `-nvalue`, `-n=value`, grouped booleans
//! (`-Aw`), `--flag=false`, `--` ending the flags, and flags anywhere between arguments.
//!
//! Our own parser rather than a crate because kubectl's exact messages matter to a learner
//! comparing with a real cluster (`unknown shorthand flag: 'z' in -z`, `flag needs an
//! argument: 'n' in -n`), and no Rust argument parser reproduces pflag's texts.

use std::collections::BTreeMap;

/// What a flag takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlagKind {
    /// A boolean: present means true; `--flag=false` sets false.
    Bool,
    /// One value; the last occurrence wins.
    String,
    /// A list of values, comma-separated and repeatable (`-L a,b -L c`).
    StringSlice,
    /// A list of values, repeatable, commas kept (`--field-selector` is a plain string, but
    /// `-f` takes files one by one).
    StringArray,
}

/// One flag a command accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlagSpec {
    /// The long name, without dashes (`namespace`).
    pub long: &'static str,
    /// The one-letter shorthand (`n`), if any.
    pub short: Option<char>,
    /// What the flag takes.
    pub kind: FlagKind,
    /// One line of help.
    pub usage: &'static str,
}

/// Why a command line's flags could not be parsed; messages are pflag's.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FlagError {
    /// A `--name` that the command does not know.
    #[error("unknown flag: --{0}")]
    UnknownFlag(String),
    /// A `-x` that the command does not know, within the word it appeared in.
    #[error("unknown shorthand flag: '{letter}' in -{word}")]
    UnknownShorthand {
        /// The unknown letter.
        letter: char,
        /// The word without its leading dash.
        word: String,
    },
    /// A value flag at the end of the line, given as `--name`.
    #[error("flag needs an argument: --{0}")]
    LongNeedsArgument(String),
    /// A value flag at the end of the line, given as `-x`.
    #[error("flag needs an argument: '{letter}' in -{word}")]
    ShortNeedsArgument {
        /// The flag's letter.
        letter: char,
        /// The word without its leading dash.
        word: String,
    },
    /// A boolean flag given something other than true or false.
    #[error("invalid argument \"{value}\" for \"{flag}\" flag: strconv.ParseBool: parsing \"{value}\": invalid syntax")]
    InvalidBool {
        /// How pflag names the flag: `-w, --watch` or `--watch`.
        flag: String,
        /// The value given.
        value: String,
    },
    /// A word like `---x` or `--=x` that pflag refuses.
    #[error("bad flag syntax: {0}")]
    BadSyntax(String),
}

/// A parsed command line: the values of the flags given, and the arguments in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParsedArgs {
    /// The positional arguments (flags removed).
    pub args: Vec<String>,
    values: BTreeMap<&'static str, Vec<String>>,
}

impl ParsedArgs {
    /// Whether a boolean flag is set (its last value is true).
    pub fn bool(&self, long: &str) -> bool {
        self.values
            .get(long)
            .and_then(|v| v.last())
            .is_some_and(|v| v == "true")
    }

    /// The last value of a flag, if it was given.
    pub fn string(&self, long: &str) -> Option<&str> {
        self.values
            .get(long)
            .and_then(|v| v.last())
            .map(String::as_str)
    }

    /// Every value of a list flag, in order.
    pub fn strings(&self, long: &str) -> Vec<String> {
        self.values.get(long).cloned().unwrap_or_default()
    }

    /// Whether the flag appeared at all.
    pub fn given(&self, long: &str) -> bool {
        self.values.contains_key(long)
    }
}

fn parse_bool(spec: &FlagSpec, value: &str) -> Result<String, FlagError> {
    match value {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok("true".to_string()),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok("false".to_string()),
        _ => Err(FlagError::InvalidBool {
            flag: match spec.short {
                Some(letter) => format!("-{letter}, --{}", spec.long),
                None => format!("--{}", spec.long),
            },
            value: value.to_string(),
        }),
    }
}

fn store(
    values: &mut BTreeMap<&'static str, Vec<String>>,
    spec: &FlagSpec,
    value: String,
) -> Result<(), FlagError> {
    let entry = values.entry(spec.long).or_default();
    match spec.kind {
        FlagKind::Bool => entry.push(parse_bool(spec, &value)?),
        FlagKind::String | FlagKind::StringArray => entry.push(value),
        FlagKind::StringSlice => {
            entry.extend(value.split(',').map(str::to_string));
        }
    }
    Ok(())
}

/// Parses words (the command name already removed) against the flags a command accepts.
pub fn parse(specs: &[&[FlagSpec]], words: &[String]) -> Result<ParsedArgs, FlagError> {
    let find_long = |name: &str| specs.iter().flat_map(|s| s.iter()).find(|s| s.long == name);
    let find_short = |letter: char| {
        specs
            .iter()
            .flat_map(|s| s.iter())
            .find(|s| s.short == Some(letter))
    };
    let mut parsed = ParsedArgs::default();
    let mut index = 0;
    while let Some(word) = words.get(index) {
        index += 1;
        if word == "--" {
            parsed.args.extend(words.iter().skip(index).cloned());
            break;
        }
        if let Some(rest) = word.strip_prefix("--") {
            if rest.starts_with('-') || rest.starts_with('=') {
                return Err(FlagError::BadSyntax(word.clone()));
            }
            let (name, inline) = match rest.split_once('=') {
                Some((name, value)) => (name, Some(value.to_string())),
                None => (rest, None),
            };
            let spec = find_long(name).ok_or_else(|| FlagError::UnknownFlag(name.to_string()))?;
            let value = match (inline, spec.kind) {
                (Some(value), _) => value,
                (None, FlagKind::Bool) => "true".to_string(),
                (None, _) => {
                    let value = words
                        .get(index)
                        .ok_or_else(|| FlagError::LongNeedsArgument(name.to_string()))?;
                    index += 1;
                    value.clone()
                }
            };
            store(&mut parsed.values, spec, value)?;
            continue;
        }
        let Some(group) = word.strip_prefix('-').filter(|g| !g.is_empty()) else {
            parsed.args.push(word.clone());
            continue;
        };
        let letters: Vec<char> = group.chars().collect();
        let mut position = 0;
        while let Some(&letter) = letters.get(position) {
            position += 1;
            let spec = find_short(letter).ok_or_else(|| FlagError::UnknownShorthand {
                letter,
                word: group.to_string(),
            })?;
            let rest: String = letters.iter().skip(position).collect();
            match spec.kind {
                FlagKind::Bool => {
                    if let Some(value) = rest.strip_prefix('=') {
                        store(&mut parsed.values, spec, value.to_string())?;
                        break;
                    }
                    store(&mut parsed.values, spec, "true".to_string())?;
                }
                FlagKind::String | FlagKind::StringSlice | FlagKind::StringArray => {
                    let value = if let Some(value) = rest.strip_prefix('=') {
                        value.to_string()
                    } else if !rest.is_empty() {
                        rest
                    } else {
                        let value =
                            words
                                .get(index)
                                .ok_or_else(|| FlagError::ShortNeedsArgument {
                                    letter,
                                    word: group.to_string(),
                                })?;
                        index += 1;
                        value.clone()
                    };
                    store(&mut parsed.values, spec, value)?;
                    break;
                }
            }
        }
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPECS: &[FlagSpec] = &[
        FlagSpec {
            long: "namespace",
            short: Some('n'),
            kind: FlagKind::String,
            usage: "",
        },
        FlagSpec {
            long: "all-namespaces",
            short: Some('A'),
            kind: FlagKind::Bool,
            usage: "",
        },
        FlagSpec {
            long: "watch",
            short: Some('w'),
            kind: FlagKind::Bool,
            usage: "",
        },
        FlagSpec {
            long: "label-columns",
            short: Some('L'),
            kind: FlagKind::StringSlice,
            usage: "",
        },
    ];

    fn run(line: &str) -> Result<ParsedArgs, FlagError> {
        let words: Vec<String> = line.split_whitespace().map(str::to_string).collect();
        parse(&[SPECS], &words)
    }

    #[test]
    fn values_are_read_in_every_form_pflag_accepts() {
        for line in ["-n ns", "-nns", "-n=ns", "--namespace ns", "--namespace=ns"] {
            let parsed = run(line).unwrap();
            assert_eq!(parsed.string("namespace"), Some("ns"), "{line}");
        }
    }

    #[test]
    fn grouped_booleans_and_a_trailing_value_flag_are_split() {
        let parsed = run("pods -Awn x web").unwrap();
        assert!(parsed.bool("all-namespaces"));
        assert!(parsed.bool("watch"));
        assert_eq!(parsed.string("namespace"), Some("x"));
        assert_eq!(parsed.args, vec!["pods", "web"]);
    }

    #[test]
    fn slices_split_on_commas_and_accumulate() {
        let parsed = run("-L a,b --label-columns c").unwrap();
        assert_eq!(parsed.strings("label-columns"), vec!["a", "b", "c"]);
    }

    #[test]
    fn a_double_dash_ends_the_flags() {
        let parsed = run("-w -- -n x").unwrap();
        assert_eq!(parsed.args, vec!["-n", "x"]);
        assert_eq!(parsed.string("namespace"), None);
    }

    #[test]
    fn errors_use_pflag_texts() {
        let table = [
            ("--foo", "unknown flag: --foo"),
            ("-z", "unknown shorthand flag: 'z' in -z"),
            ("-Az", "unknown shorthand flag: 'z' in -Az"),
            ("-n", "flag needs an argument: 'n' in -n"),
            ("--namespace", "flag needs an argument: --namespace"),
            (
                "--watch=x",
                "invalid argument \"x\" for \"-w, --watch\" flag: strconv.ParseBool: parsing \"x\": invalid syntax",
            ),
        ];
        for (line, message) in table {
            assert_eq!(run(line).unwrap_err().to_string(), message, "{line}");
        }
    }
}
