//! The machinery behind the schema declared in [`super::keys`]: the
//! merged document converted into a [`Spec`] key by key, and the checks on
//! values that the keys' setters call. (`GOFRONT_*` build args are merged
//! before, in `build_args`.)

use super::declare::Setter;
use super::keys::{self, KEYS, section};
use super::node::{Node, Origin, Value};
use super::suggest::closest;
use super::{CacheScope, Field, FieldMap, ImageSpec, Network, Problem, Spec};

/// Top-level keys that are allowed but mean nothing to gofront.
const IGNORED_TOP_LEVEL: &[&str] = &["syntax"];

/// Converts the merged document into a typed [`Spec`], collecting problems.
pub fn convert(root: &Node, problems: &mut Vec<Problem>) -> Spec {
    let mut spec = Spec::default();
    let Some(top) = root.value.as_table() else {
        problems.push(Problem::at(
            &root.origin,
            "",
            format!(
                "the spec must be a table of sections (a JSON object), not {}",
                root.value.type_name()
            ),
        ));
        return spec;
    };
    for (key, node) in top {
        if IGNORED_TOP_LEVEL.contains(&key.name.as_str()) {
            continue;
        }
        if key.name == section::IMAGES {
            images(&mut spec, node, problems);
            continue;
        }
        let sections = keys::sections();
        let Some(section) = sections.iter().copied().find(|s| *s == key.name) else {
            let hint = suggestion(&key.name, sections.iter().copied().chain([section::IMAGES]));
            problems.push(Problem::at(
                &key.origin,
                &key.name,
                format!("unknown section [{}]{hint}", key.name),
            ));
            continue;
        };
        let Some(entries) = node.value.as_table() else {
            problems.push(Problem::at(
                &node.origin,
                section,
                format!("{section} must be a table, not {}", node.value.type_name()),
            ));
            continue;
        };
        for (k, v) in entries {
            let Some(spec_key) = keys::find(section, &k.name) else {
                let names = KEYS.iter().filter(|d| d.section == section);
                let hint = suggestion(&k.name, names.map(|d| d.name));
                problems.push(Problem::at(
                    &k.origin,
                    &format!("{section}.{}", k.name),
                    format!("unknown key \"{}\" in [{section}]{hint}", k.name),
                ));
                continue;
            };
            let mut c = Checker {
                key: format!("{section}.{}", k.name),
                problems,
            };
            c.assign(&mut spec, spec_key, v);
        }
    }
    spec
}

/// `[images.NAME]` tables: each holds `[runtime]`'s keys, checked by the
/// same setters (on a spec of its own, whose runtime is kept).
fn images(spec: &mut Spec, node: &Node, problems: &mut Vec<Problem>) {
    let images = section::IMAGES;
    let Some(tables) = node.value.as_table() else {
        problems.push(Problem::at(
            &node.origin,
            images,
            format!(
                "{images} must be a table of images by target name ([{images}.api]), not {}",
                node.value.type_name()
            ),
        ));
        return;
    };
    for (name, table) in tables {
        let prefix = format!("{images}.{}", name.name);
        let Some(entries) = table.value.as_table() else {
            problems.push(Problem::at(
                &table.origin,
                &prefix,
                format!(
                    "{prefix} must be a table of [{}] keys, not {}",
                    section::RUNTIME,
                    table.value.type_name()
                ),
            ));
            continue;
        };
        let mut own = Spec::default();
        for (k, v) in entries {
            let Some(spec_key) = keys::find(section::RUNTIME, &k.name) else {
                let names = KEYS.iter().filter(|d| d.section == section::RUNTIME);
                let hint = suggestion(&k.name, names.map(|d| d.name));
                problems.push(Problem::at(
                    &k.origin,
                    &format!("{prefix}.{}", k.name),
                    format!(
                        "unknown key \"{}\" in [{prefix}] (it takes [{}]'s keys){hint}",
                        k.name,
                        section::RUNTIME
                    ),
                ));
                continue;
            };
            let mut c = Checker {
                key: format!("{prefix}.{}", k.name),
                problems,
            };
            c.assign(&mut own, spec_key, v);
        }
        spec.images.insert(
            name.name.clone(),
            ImageSpec {
                origin: name.origin.clone(),
                runtime: own.runtime,
            },
        );
    }
}

pub(super) fn suggestion<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest(input, candidates)
        .map(|s| format!("; did you mean \"{s}\"?"))
        .unwrap_or_default()
}

/// Checks values of one key and collects what is wrong with them; the
/// keys' setters call its checks.
pub(super) struct Checker<'p> {
    pub(super) key: String,
    pub(super) problems: &'p mut Vec<Problem>,
}

impl Checker<'_> {
    pub(super) fn problem(&mut self, origin: &Origin, message: String) {
        self.problems.push(Problem::at(origin, &self.key, message));
    }

    pub(super) fn wrong_type(&mut self, node: &Node, expected: &str) {
        let message = format!(
            "{} must be {expected}, not {}",
            self.key,
            node.value.type_name()
        );
        self.problem(&node.origin, message);
    }

    /// A NUL byte cannot reach a program argument, an environment variable
    /// or a label: refused wherever a spec string is read.
    pub(super) fn no_nul(&mut self, origin: &Origin, s: &str) -> bool {
        let ok = !s.contains('\0');
        if !ok {
            let message = format!(
                "{} contains a NUL byte, which no program argument, environment variable or label can hold",
                self.key
            );
            self.problem(origin, message);
        }
        ok
    }

    pub(super) fn string(&mut self, node: &Node) -> Option<Field<String>> {
        match &node.value {
            Value::Str(s) if !self.no_nul(&node.origin, s) => None,
            Value::Str(s) => Some(Field {
                value: s.clone(),
                origin: node.origin.clone(),
            }),
            _ => {
                self.wrong_type(node, "a string");
                None
            }
        }
    }

    pub(super) fn boolean(&mut self, node: &Node) -> Option<Field<bool>> {
        let value = match &node.value {
            Value::Bool(b) => Some(*b),
            // Build args are always strings.
            Value::Str(s) if matches!(node.origin, Origin::BuildArg(_)) => {
                match s.to_ascii_lowercase().as_str() {
                    "true" | "1" | "yes" | "on" => Some(true),
                    "false" | "0" | "no" | "off" => Some(false),
                    _ => None,
                }
            }
            _ => None,
        };
        if value.is_none() {
            match &node.value {
                // A build arg is always a string: say which one was given.
                Value::Str(s) if matches!(node.origin, Origin::BuildArg(_)) => {
                    let message = format!(
                        "{} must be true or false (or 1, 0, yes, no, on, off), not {s:?}",
                        self.key
                    );
                    self.problem(&node.origin, message);
                }
                _ => self.wrong_type(node, "a boolean (true or false)"),
            }
        }
        value.map(|value| Field {
            value,
            origin: node.origin.clone(),
        })
    }

    pub(super) fn list(&mut self, node: &Node, port_like: bool) -> Option<Field<Vec<String>>> {
        let Value::Array(items) = &node.value else {
            self.wrong_type(node, "an array of strings");
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            match &item.value {
                Value::Str(s) if !self.no_nul(&item.origin, s) => return None,
                Value::Str(s) => out.push(s.clone()),
                Value::Int(i) if port_like => out.push(i.to_string()),
                _ => {
                    let message = format!(
                        "{} must be an array of strings, but an element is {}",
                        self.key,
                        item.value.type_name()
                    );
                    self.problem(&item.origin, message);
                    return None;
                }
            }
        }
        Some(Field {
            value: out,
            origin: node.origin.clone(),
        })
    }

    fn map(&mut self, node: &Node, env_names: bool) -> FieldMap {
        let mut out = FieldMap::new();
        let Some(entries) = node.value.as_table() else {
            self.wrong_type(node, "a table of strings");
            return out;
        };
        for (k, v) in entries {
            if !self.no_nul(&k.origin, &k.name) {
                continue;
            }
            if env_names && !is_env_name(&k.name) {
                let message = format!(
                    "{}: {:?} is not a valid environment variable name (letters, digits and '_', not starting with a digit)",
                    self.key, k.name
                );
                self.problem(&k.origin, message);
                continue;
            }
            match &v.value {
                Value::Str(s) if !self.no_nul(&v.origin, s) => {}
                Value::Str(s) => {
                    out.insert(
                        k.name.clone(),
                        Field {
                            value: s.clone(),
                            origin: v.origin.clone(),
                        },
                    );
                }
                _ => {
                    let message = format!(
                        "{}.{} must be a string, not {}",
                        self.key,
                        k.name,
                        v.value.type_name()
                    );
                    self.problem(&v.origin, message);
                }
            }
        }
        out
    }

    fn assign(&mut self, spec: &mut Spec, key: &keys::Key, v: &Node) {
        match key.set {
            Setter::Str(set) => {
                if let Some(f) = self.string(v) {
                    set(self, spec, f);
                }
            }
            Setter::Bool(set) => {
                if let Some(f) = self.boolean(v) {
                    set(spec, f);
                }
            }
            Setter::List(set) => {
                if let Some(f) = self.list(v, false) {
                    set(self, spec, f);
                }
            }
            Setter::Ports(set) => {
                if let Some(f) = self.list(v, true) {
                    set(self, spec, f);
                }
            }
            Setter::EnvMap(set) => {
                let m = self.map(v, true);
                set(self, spec, m);
            }
            Setter::PairMap(set) => {
                let m = self.map(v, false);
                set(self, spec, m);
            }
            Setter::Structured(set) => set(self, spec, v),
        }
    }

    /// A file name: no `/`, not `.` or `..`.
    pub(super) fn file_name(&mut self, f: &Field<String>) -> bool {
        let v = &f.value;
        let ok = !(v.is_empty()
            || v.contains('/')
            || v == "."
            || v == ".."
            || v.contains(char::is_control));
        if !ok {
            let message = format!("{} must be a file name without '/', not {v:?}", self.key);
            self.problem(&f.origin, message);
        }
        ok
    }

    /// `sandbox` (or `default`), `none` or `host`.
    pub(super) fn network(&mut self, f: Field<String>) -> Option<Field<Network>> {
        let net = match f.value.as_str() {
            "sandbox" | "default" => Network::Sandbox,
            "none" => Network::None,
            "host" => Network::Host,
            other => {
                let message = format!(
                    "{} must be \"sandbox\", \"none\" or \"host\", not {other:?}",
                    self.key
                );
                self.problem(&f.origin, message);
                return None;
            }
        };
        Some(Field {
            value: net,
            origin: f.origin,
        })
    }

    /// `builder` or `project`.
    /// `I/N`: the I-th of N shards, 1 <= I <= N <= 1000.
    pub(super) fn shard(&mut self, f: &Field<String>) -> bool {
        let ok = f
            .value
            .split_once('/')
            .and_then(|(i, n)| Some((i.parse::<u32>().ok()?, n.parse::<u32>().ok()?)))
            .is_some_and(|(i, n)| (1..=n).contains(&i) && n <= 1000)
            && f.value.bytes().all(|b| b.is_ascii_digit() || b == b'/');
        if !ok {
            let message = format!(
                "{} must be I/N, the I-th of N shards (1 <= I <= N <= 1000), e.g. \"2/4\", not {:?}",
                self.key, f.value
            );
            self.problem(&f.origin, message);
        }
        ok
    }

    pub(super) fn cache_scope(&mut self, f: Field<String>) -> Option<Field<CacheScope>> {
        let scope = match f.value.as_str() {
            "builder" => CacheScope::Builder,
            "project" => CacheScope::Project,
            other => {
                let message = format!(
                    "{} must be \"builder\" or \"project\", not {other:?}",
                    self.key
                );
                self.problem(&f.origin, message);
                return None;
            }
        };
        Some(Field {
            value: scope,
            origin: f.origin,
        })
    }

    /// Secret or SSH ids as BuildKit's client accepts them: letters,
    /// digits, `-`, `_`, `.`; each once.
    pub(super) fn mount_ids(&mut self, f: &Field<Vec<String>>) -> bool {
        let mut ok = true;
        for (i, id) in f.value.iter().enumerate() {
            let valid = !id.is_empty()
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
            if (id == "." || id == "..") && self.key.ends_with("secrets") {
                // A secret is mounted at /run/secrets/<id>: these are the
                // directory itself and /run.
                let message = format!(
                    "{} cannot list {id:?}: the id names the file under /run/secrets; use letters, digits, '-', '_' and '.'",
                    self.key
                );
                self.problem(&f.origin, message);
                ok = false;
            } else if !valid {
                let message = format!(
                    "{} must list ids made of letters, digits, '-', '_' and '.', not {id:?}",
                    self.key
                );
                self.problem(&f.origin, message);
                ok = false;
            } else if f.value[..i].contains(id) {
                let message = format!("{} lists {id:?} twice", self.key);
                self.problem(&f.origin, message);
                ok = false;
            }
        }
        ok
    }

    /// `user` or `user:group`.
    pub(super) fn user(&mut self, f: &Field<String>) -> bool {
        let v = &f.value;
        let ok = !(v.is_empty()
            || v.split(':').count() > 2
            || v.contains(|c: char| c.is_whitespace() || c.is_control()));
        if !ok {
            let message = format!("{} must be \"user\" or \"user:group\", not {v:?}", self.key);
            self.problem(&f.origin, message);
        }
        ok
    }

    /// An absolute path.
    pub(super) fn absolute_path(&mut self, f: &Field<String>) -> bool {
        let ok = f.value.starts_with('/');
        if !ok {
            let message = format!("{} must be an absolute path, not {:?}", self.key, f.value);
            self.problem(&f.origin, message);
        }
        ok
    }

    /// An image reference by BuildKit's grammar (or `scratch` when
    /// allowed).
    pub(super) fn image_ref(&mut self, f: &Field<String>, allow_scratch: bool) -> bool {
        let v = &f.value;
        let ok = crate::options::reference::check(v).is_ok() && (allow_scratch || v != "scratch");
        if !ok {
            let what = if allow_scratch {
                "an image reference such as \"ubuntu:24.04\", or \"scratch\""
            } else {
                "an image reference such as \"golang:1.24\""
            };
            self.problem(&f.origin, format!("{} must be {what}, not {v:?}", self.key));
        }
        ok
    }

    /// Build tags: letters, digits, `_` and `.`.
    pub(super) fn build_tags(&mut self, f: &Field<Vec<String>>) -> bool {
        let Some(bad) = f.value.iter().find(|t| !is_build_tag(t)) else {
            return true;
        };
        let message = format!(
            "{}: {bad:?} is not a valid build tag (letters, digits, '_' and '.')",
            self.key
        );
        self.problem(&f.origin, message);
        false
    }

    /// Ports, normalised to `port/proto`.
    pub(super) fn ports(&mut self, f: Field<Vec<String>>) -> Option<Field<Vec<String>>> {
        let mut ports = Vec::new();
        for p in &f.value {
            match normalize_port(p) {
                Some(n) => ports.push(n),
                None => {
                    let message = format!(
                        "{}: {p:?} is not a port such as \"8080\" or \"53/udp\"",
                        self.key
                    );
                    self.problem(&f.origin, message);
                    return None;
                }
            }
        }
        Some(Field {
            value: ports,
            origin: f.origin,
        })
    }

    /// `go test` flags, read as go test reads them: a flag's value may be
    /// the next entry (`"-run", "TestX"`); a word go test would take for a
    /// package, or a last flag without its value, is refused.
    pub(super) fn test_flags(&mut self, f: &Field<Vec<String>>) -> bool {
        use crate::testflags::{Misplaced, misplaced};
        let message = match misplaced(&f.value) {
            None => return true,
            Some(Misplaced::Package(bad)) => format!(
                "{}: {bad:?} is not a flag; list packages in test.packages instead",
                self.key
            ),
            Some(Misplaced::NoValue(flag)) => format!(
                "{}: {flag:?} takes a value and none follows it, so go test would take the first package for it; add the value ({flag:?}, \"VALUE\" or \"{flag}=VALUE\")",
                self.key
            ),
        };
        self.problem(&f.origin, message);
        false
    }

    /// Package paths inside the context; patterns only when allowed.
    pub(super) fn packages(&mut self, f: &Field<Vec<String>>, allow_wildcard: bool) -> bool {
        if f.value.is_empty() {
            self.problem(
                &f.origin,
                format!("{} must list at least one package", self.key),
            );
            return false;
        }
        for p in &f.value {
            let relative = p == "." || p.starts_with("./");
            let escapes = p.split('/').any(|seg| seg == "..");
            let wildcard = p.contains("...");
            let message = if !relative || escapes {
                Some(format!(
                    "{}: {p:?} must be a path inside the build context starting with \"./\"",
                    self.key
                ))
            } else if wildcard && !allow_wildcard {
                Some(format!(
                    "{}: {p:?} is a pattern; list each main package, e.g. \"./cmd/server\"",
                    self.key
                ))
            } else {
                None
            };
            if let Some(message) = message {
                self.problem(&f.origin, message);
                return false;
            }
        }
        true
    }

    /// Reports entries of `build.env` that gofront manages itself.
    pub(super) fn unmanaged_build_env(&mut self, m: &FieldMap) {
        for (name, field) in m {
            if let Some(why) = super::managed::build_reason(name) {
                let message = format!("{}.{name} cannot be set: {why}", self.key);
                self.problem(&field.origin, message);
            }
        }
    }

    /// Reports entries of `download.env` that gofront manages itself (the
    /// module options a private module needs pass through).
    pub(super) fn unmanaged_download_env(&mut self, m: &FieldMap) {
        for (name, field) in m {
            if let Some(why) = super::managed::download_reason(name) {
                let message = format!("{}.{name} cannot be set: {why}", self.key);
                self.problem(&field.origin, message);
            }
        }
    }

    /// The labels whose keys `=`, blanks or control characters do not
    /// break; the others are problems.
    pub(super) fn label_keys(&mut self, m: FieldMap) -> FieldMap {
        let mut out = FieldMap::new();
        for (name, field) in m {
            match crate::options::bad_label_key(&name) {
                Some(why) => {
                    let message = format!("{}: {name:?}: {why}", self.key);
                    self.problem(&field.origin, message);
                }
                None => {
                    out.insert(name, field);
                }
            }
        }
        out
    }

    /// Reports entries that do not map a context name to a mount path.
    pub(super) fn context_mounts(&mut self, m: &FieldMap) {
        for (name, field) in m {
            let name_ok = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
            // A mount path is cleaned by BuildKit: "/a/.." would be "/".
            let path_ok = field.value.starts_with('/')
                && field.value != "/"
                && !field.value.split('/').any(|seg| seg == "." || seg == "..")
                && !field.value.contains(char::is_control);
            if !name_ok || !path_ok {
                let message = format!(
                    "{}.{name} must map a build context name (letters, digits, '-', '_', '.') to an absolute mount path without . or .. such as \"/goproxy\", not {:?}",
                    self.key, field.value
                );
                self.problem(&field.origin, message);
            }
        }
    }
}

fn is_env_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn is_build_tag(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
}

fn normalize_port(p: &str) -> Option<String> {
    let (port, proto) = p.split_once('/').unwrap_or((p, "tcp"));
    let proto = proto.to_ascii_lowercase();
    let n: u16 = port.parse().ok()?;
    (n != 0 && matches!(proto.as_str(), "tcp" | "udp" | "sctp")).then(|| format!("{n}/{proto}"))
}
