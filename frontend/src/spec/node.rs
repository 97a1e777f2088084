//! A format-neutral value tree with byte spans, built from TOML or JSON.
//!
//! Invariant: every node remembers where it came from (a byte range in the
//! spec file, or the build argument that set it), so that every later error
//! can name the file, line, column and key at fault.

use std::ops::Range;

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A byte range of the spec file.
    File(Range<usize>),
    /// A `--build-arg NAME=...`.
    BuildArg(String),
    /// Nowhere in particular (used for the whole document).
    Unknown,
}

/// A scalar or compound value with its origin.
#[derive(Debug, Clone)]
pub struct Node {
    /// The value itself.
    pub value: Value,
    /// Where the value was written.
    pub origin: Origin,
}

/// The kinds of values a spec can hold.
#[derive(Debug, Clone)]
pub enum Value {
    /// A string.
    Str(String),
    /// An integer.
    Int(i64),
    /// A boolean.
    Bool(bool),
    /// A float, a date or anything else the spec never accepts.
    Other(&'static str),
    /// An array.
    Array(Vec<Node>),
    /// A table: keys keep their own origin, in document order.
    Table(Vec<(Key, Node)>),
}

/// A table key with its origin.
#[derive(Debug, Clone)]
pub struct Key {
    /// The key text.
    pub name: String,
    /// Where the key was written.
    pub origin: Origin,
}

impl Value {
    /// The user-facing name of this value's type.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "a string",
            Value::Int(_) => "an integer",
            Value::Bool(_) => "a boolean",
            Value::Other(kind) => kind,
            Value::Array(_) => "an array",
            Value::Table(_) => "a table",
        }
    }
}

/// Converts a parsed TOML document into a [`Node`].
pub fn from_toml(table: &toml::Spanned<toml::de::DeTable<'_>>) -> Node {
    Node {
        value: toml_table(table.get_ref()),
        origin: Origin::File(table.span()),
    }
}

fn toml_table(table: &toml::de::DeTable<'_>) -> Value {
    let mut entries: Vec<(Key, Node)> = table
        .iter()
        .map(|(k, v)| {
            (
                Key {
                    name: k.get_ref().to_string(),
                    origin: Origin::File(k.span()),
                },
                toml_value(v),
            )
        })
        .collect();
    // toml's map is sorted by key; report problems in document order instead.
    entries.sort_by_key(|(k, _)| match &k.origin {
        Origin::File(r) => r.start,
        _ => usize::MAX,
    });
    Value::Table(entries)
}

fn toml_value(v: &toml::Spanned<toml::de::DeValue<'_>>) -> Node {
    use toml::de::DeValue;
    let value = match v.get_ref() {
        DeValue::String(s) => Value::Str(s.to_string()),
        DeValue::Integer(i) => match i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()) {
            Ok(n) => Value::Int(n),
            Err(_) => Value::Other("an integer out of range"),
        },
        DeValue::Float(_) => Value::Other("a float"),
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(_) => Value::Other("a date"),
        DeValue::Array(a) => Value::Array(a.iter().map(toml_value).collect()),
        DeValue::Table(t) => toml_table(t),
    };
    Node {
        value,
        origin: Origin::File(v.span()),
    }
}

/// Converts a JSON document into a [`Node`], locating keys in `text` so that
/// errors can still point at a line.
pub fn from_json(value: &serde_json::Value, text: &str) -> Node {
    let mut cursor = 0;
    json_value(value, text, &mut cursor)
}

fn json_value(value: &serde_json::Value, text: &str, cursor: &mut usize) -> Node {
    use serde_json::Value as J;
    let start = *cursor;
    let value = match value {
        J::Null => Value::Other("null"),
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Other("a float"),
        },
        J::String(s) => Value::Str(s.clone()),
        J::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| json_value(item, text, cursor))
                .collect(),
        ),
        J::Object(map) => {
            let mut entries = Vec::with_capacity(map.len());
            for (k, v) in map {
                // serde_json keeps no positions; find the quoted key after the
                // previous one. Good enough to point at the right line.
                let needle = format!("\"{k}\"");
                let found = text
                    .get(*cursor..)
                    .and_then(|rest| rest.find(&needle))
                    .map(|off| *cursor + off);
                let origin = match found {
                    Some(pos) => {
                        *cursor = pos + needle.len();
                        Origin::File(pos..pos + needle.len())
                    }
                    None => Origin::Unknown,
                };
                let child = json_value(v, text, cursor);
                let child = match (&child.origin, &origin) {
                    (Origin::Unknown, Origin::File(r)) => Node {
                        origin: Origin::File(r.clone()),
                        ..child
                    },
                    _ => child,
                };
                entries.push((
                    Key {
                        name: k.clone(),
                        origin,
                    },
                    child,
                ));
            }
            Value::Table(entries)
        }
    };
    let origin = if start < *cursor {
        Origin::File(start..*cursor)
    } else {
        Origin::Unknown
    };
    Node { value, origin }
}
