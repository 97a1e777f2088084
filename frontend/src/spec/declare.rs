//! What a spec key is: its declaration ([`Key`]), its default as shown
//! ([`KeyDefault`]), how its value is checked and stored ([`Setter`]), its
//! value in a parsed spec ([`Setting`]) and its kind. The keys themselves
//! are declared in `keys`.

use super::node::{Node, Origin};
use super::schema::Checker;
use super::{CacheScope, DirSpec, Field, FieldMap, FileSpec, HealthcheckSpec, Network, Spec};
use crate::target::Target;

/// One spec key.
pub struct Key {
    /// Its section, e.g. `build`.
    pub section: &'static str,
    /// Its name inside the section, e.g. `tags`.
    pub name: &'static str,
    /// What gofront does when it is unset: the value it uses, if it has
    /// one, and the README's words.
    pub default: KeyDefault,
    /// What it means (Markdown, as in the README).
    pub meaning: &'static str,
    /// The `--target`s it has an effect on.
    pub targets: &'static [Target],
    /// How a value is checked and stored.
    pub(super) set: Setter,
    /// Where the value lives in a parsed [`Spec`].
    pub(super) get: fn(&Spec) -> Setting<'_>,
}

/// What gofront does when a key is unset.
#[derive(Debug, Clone, Copy)]
pub struct KeyDefault {
    /// The README's words (Markdown); each `{}` stands for the next of
    /// `values`, written as the spec would write it, in backquotes.
    pub text: &'static str,
    /// The values gofront uses (from [`defaults`]).
    pub values: &'static [Value],
}

/// A default value, as the spec would write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    /// A boolean.
    Bool(bool),
    /// A string.
    Str(&'static str),
    /// An array of strings.
    List(&'static [&'static str]),
}

impl KeyDefault {
    /// A default gofront holds no value for (it adds nothing, or works
    /// the value out from the project or the images).
    pub(super) const fn text(text: &'static str) -> KeyDefault {
        KeyDefault { text, values: &[] }
    }
}

/// The README's words, each value in backquotes.
impl std::fmt::Display for KeyDefault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut values = self.values.iter();
        let mut parts = self.text.split("{}");
        if let Some(first) = parts.next() {
            f.write_str(first)?;
        }
        for part in parts {
            match values.next() {
                Some(Value::Bool(b)) => write!(f, "`{b}`")?,
                Some(Value::Str(s)) => write!(f, "`{s}`")?,
                Some(Value::List(items)) => {
                    let quoted: Vec<String> = items.iter().map(|i| format!("{i:?}")).collect();
                    write!(f, "`[{}]`", quoted.join(", "))?;
                }
                None => f.write_str("{}")?,
            }
            f.write_str(part)?;
        }
        Ok(())
    }
}

/// How a key's value is checked and stored: one variant per kind of value,
/// each with the function that checks it and sets the key's field.
pub(super) enum Setter {
    /// A string.
    Str(fn(&mut Checker<'_>, &mut Spec, Field<String>)),
    /// A boolean (`true`/`false`; build args also `1`/`0`, `yes`/`no`, ...).
    Bool(fn(&mut Spec, Field<bool>)),
    /// An array of strings.
    List(fn(&mut Checker<'_>, &mut Spec, Field<Vec<String>>)),
    /// An array of ports: strings, integers accepted too.
    Ports(fn(&mut Checker<'_>, &mut Spec, Field<Vec<String>>)),
    /// A table of environment variables; build arg `..._<NAME>` per entry.
    EnvMap(fn(&mut Checker<'_>, &mut Spec, FieldMap)),
    /// A table of arbitrary names; build arg is a `name=value,...` list.
    PairMap(fn(&mut Checker<'_>, &mut Spec, FieldMap)),
    /// A table or an array of tables, checked whole by its setter; build
    /// arg is the value as JSON.
    Structured(fn(&mut Checker<'_>, &mut Spec, &Node)),
}

/// A key's value in a parsed spec.
#[derive(Debug, Clone, Copy)]
pub enum Setting<'a> {
    /// Not set.
    Unset,
    /// A string.
    Str(&'a Field<String>),
    /// A boolean.
    Bool(&'a Field<bool>),
    /// A list.
    List(&'a Field<Vec<String>>),
    /// The download network.
    Network(&'a Field<Network>),
    /// The cache scope.
    Scope(&'a Field<CacheScope>),
    /// A table (empty when unset).
    Map(&'a FieldMap),
    /// A table or an array of tables.
    Structured(&'a dyn Structured),
}

/// A structured value (a table or an array of tables), as its build arg
/// writes it.
pub trait Structured: std::fmt::Debug {
    /// Where it is written.
    fn origin(&self) -> &Origin;
    /// The value as the build arg takes it (JSON).
    fn to_json(&self) -> serde_json::Value;
}

/// An optional field or a value in JSON.
fn opt_json<T: serde::Serialize>(f: &Option<Field<T>>) -> Option<serde_json::Value> {
    f.as_ref().and_then(|f| serde_json::to_value(&f.value).ok())
}

/// A mode as the spec writes it: an octal string.
fn mode_json(f: &Option<Field<u32>>) -> Option<serde_json::Value> {
    f.as_ref()
        .map(|m| serde_json::Value::String(format!("{:04o}", m.value)))
}

/// An object of the entries that are set.
fn object(entries: Vec<(&str, Option<serde_json::Value>)>) -> serde_json::Value {
    serde_json::Value::Object(
        entries
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k.to_string(), v)))
            .collect(),
    )
}

impl Structured for Field<Vec<FileSpec>> {
    fn origin(&self) -> &Origin {
        &self.origin
    }
    fn to_json(&self) -> serde_json::Value {
        serde_json::Value::Array(
            self.value
                .iter()
                .map(|f| {
                    object(vec![
                        ("src", Some(f.src.value.clone().into())),
                        ("dest", Some(f.dest.value.clone().into())),
                        ("mode", mode_json(&f.mode)),
                        ("owner", opt_json(&f.owner)),
                        ("embed", opt_json(&f.embed)),
                    ])
                })
                .collect(),
        )
    }
}

impl Structured for Field<Vec<DirSpec>> {
    fn origin(&self) -> &Origin {
        &self.origin
    }
    fn to_json(&self) -> serde_json::Value {
        serde_json::Value::Array(
            self.value
                .iter()
                .map(|d| {
                    object(vec![
                        ("path", Some(d.path.value.clone().into())),
                        ("mode", mode_json(&d.mode)),
                        ("owner", opt_json(&d.owner)),
                    ])
                })
                .collect(),
        )
    }
}

impl Structured for Field<HealthcheckSpec> {
    fn origin(&self) -> &Origin {
        &self.origin
    }
    fn to_json(&self) -> serde_json::Value {
        let h = &self.value;
        let duration = |d: &Option<Field<u64>>| {
            d.as_ref()
                .map(|d| serde_json::Value::String(super::duration::format(d.value)))
        };
        object(vec![
            ("test", serde_json::to_value(&h.test.value).ok()),
            ("interval", duration(&h.interval)),
            ("timeout", duration(&h.timeout)),
            ("start_period", duration(&h.start_period)),
            ("start_interval", duration(&h.start_interval)),
            ("retries", opt_json(&h.retries)),
        ])
    }
}

impl<'a> Setting<'a> {
    /// A structured value, or unset.
    pub(super) fn structured<T>(f: &'a Option<Field<T>>) -> Self
    where
        Field<T>: Structured,
    {
        f.as_ref().map_or(Setting::Unset, |f| {
            Setting::Structured(f as &dyn Structured)
        })
    }
}

impl<'a> From<&'a Option<Field<String>>> for Setting<'a> {
    fn from(f: &'a Option<Field<String>>) -> Self {
        f.as_ref().map_or(Setting::Unset, Setting::Str)
    }
}

impl<'a> From<&'a Option<Field<bool>>> for Setting<'a> {
    fn from(f: &'a Option<Field<bool>>) -> Self {
        f.as_ref().map_or(Setting::Unset, Setting::Bool)
    }
}

impl<'a> From<&'a Option<Field<Vec<String>>>> for Setting<'a> {
    fn from(f: &'a Option<Field<Vec<String>>>) -> Self {
        f.as_ref().map_or(Setting::Unset, Setting::List)
    }
}

impl<'a> From<&'a Option<Field<CacheScope>>> for Setting<'a> {
    fn from(f: &'a Option<Field<CacheScope>>) -> Self {
        f.as_ref().map_or(Setting::Unset, Setting::Scope)
    }
}

impl<'a> From<&'a Option<Field<Network>>> for Setting<'a> {
    fn from(f: &'a Option<Field<Network>>) -> Self {
        f.as_ref().map_or(Setting::Unset, Setting::Network)
    }
}

/// The kinds of values, for build-arg parsing and documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A string.
    Str,
    /// A boolean.
    Bool,
    /// A list (build arg: comma-separated or a JSON array).
    List,
    /// A table of environment variables (build arg per entry).
    EnvMap,
    /// A table of names (build arg: `name=value,...`).
    PairMap,
    /// A table or an array of tables (build arg: JSON).
    Json,
}

impl Key {
    /// `section.name`.
    pub fn dotted(&self) -> String {
        format!("{}.{}", self.section, self.name)
    }

    /// The kind of value it takes.
    pub fn kind(&self) -> Kind {
        match self.set {
            Setter::Str(_) => Kind::Str,
            Setter::Bool(_) => Kind::Bool,
            Setter::List(_) | Setter::Ports(_) => Kind::List,
            Setter::EnvMap(_) => Kind::EnvMap,
            Setter::PairMap(_) => Kind::PairMap,
            Setter::Structured(_) => Kind::Json,
        }
    }

    /// The build arg that sets it: `GOFRONT_<SECTION>_<NAME>`; for a table
    /// of environment variables, the prefix of one arg per entry (ends
    /// in `_`).
    pub fn build_arg(&self) -> String {
        let name = format!(
            "{}{}_{}",
            crate::options::BUILD_ARG_PREFIX,
            self.section.to_ascii_uppercase(),
            self.name.to_ascii_uppercase()
        );
        match self.kind() {
            Kind::EnvMap => format!("{name}_"),
            _ => name,
        }
    }

    /// Its value in `spec`.
    pub fn setting<'a>(&self, spec: &'a Spec) -> Setting<'a> {
        (self.get)(spec)
    }

    /// Whether it affects `target`.
    pub fn affects(&self, target: Target) -> bool {
        self.targets.contains(&target)
    }
}
