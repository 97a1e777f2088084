//! A format-neutral value tree with byte spans, built from TOML or JSON.
//!
//! Invariant: every node remembers where it came from (a byte range in the
//! spec file, or the build argument that set it), so that every later error
//! can name the file, line, column and key at fault.

use std::collections::BTreeMap;
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

/// A JSON object key written twice at the same level.
#[derive(Debug, Clone)]
pub struct Duplicate {
    /// The dotted path of the key, e.g. `build.tags`.
    pub path: String,
    /// Where it is written the second time.
    pub origin: Origin,
    /// Where it was written first.
    pub first: Origin,
}

/// Converts a JSON document that `serde_json` has accepted into a [`Node`]
/// whose every value and key keeps its byte span, and lists the keys
/// written twice (JSON allows them; a spec must not silently keep the last).
/// `None` only if the text is not JSON after all.
pub fn from_json(text: &str) -> Option<(Node, Vec<Duplicate>)> {
    // The scanner recurses once per level: deeper text is refused first.
    if too_deep_json(text).is_some() {
        return None;
    }
    let mut sc = Scanner {
        text,
        pos: 0,
        duplicates: Vec::new(),
    };
    let node = sc.value("")?;
    sc.skip_ws();
    (sc.pos == text.len()).then_some((node, sc.duplicates))
}

/// The deepest a spec's arrays and tables nest (the document, a section,
/// a table in it and a value take 3; the rest is room for a clear
/// "wrong type" answer instead of this limit's).
pub const MAX_DEPTH: usize = 32;
/// The most entries one table or array of a spec holds.
pub const MAX_ENTRIES: usize = 1_000;
/// The longest key of a spec, in bytes.
pub const MAX_KEY_BYTES: usize = 256;
/// The longest string of a spec, in bytes (a program argument of Linux may
/// hold 128 KiB, and all of them with the environment 2 MiB).
pub const MAX_STRING_BYTES: usize = 32 * 1024;

/// The byte offset of the first `[` or `{` of a JSON text that opens more
/// than [`MAX_DEPTH`] levels, if one does. Reads bytes only (strings
/// skipped), so it works on any text and never recurses.
pub fn too_deep_json(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, b) in text.bytes().enumerate() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// A limit of the spec's shape that `node` passes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Oversized {
    /// Where it is.
    pub origin: Origin,
    /// The dotted path of the key or value.
    pub path: String,
    /// What is too large and what gofront takes.
    pub message: String,
}

/// Every table or array with more than [`MAX_ENTRIES`] entries, key longer
/// than [`MAX_KEY_BYTES`] and string longer than [`MAX_STRING_BYTES`], in
/// document order (the depth is bounded by the parsers).
pub fn oversized(root: &Node) -> Vec<Oversized> {
    let mut out = Vec::new();
    walk_sizes(root, "", &mut out);
    out
}

fn shown(path: &str) -> String {
    if path.is_empty() {
        "the spec".to_string()
    } else {
        path.to_string()
    }
}

/// The first characters of a long text, for a message.
fn head(s: &str) -> String {
    let h: String = s.chars().take(24).collect();
    format!("{h:?}...")
}

fn walk_sizes(node: &Node, path: &str, out: &mut Vec<Oversized>) {
    let mut too_many = |n: usize, what: &str| {
        if n > MAX_ENTRIES {
            out.push(Oversized {
                origin: node.origin.clone(),
                path: path.to_string(),
                message: format!(
                    "{} is {what} of {n} entries; gofront reads at most {MAX_ENTRIES} in one table or array",
                    shown(path)
                ),
            });
        }
    };
    match &node.value {
        Value::Str(s) if s.len() > MAX_STRING_BYTES => out.push(Oversized {
            origin: node.origin.clone(),
            path: path.to_string(),
            message: format!(
                "{} is a string of {} bytes ({}); gofront takes strings of at most {MAX_STRING_BYTES} bytes",
                shown(path),
                s.len(),
                head(s)
            ),
        }),
        Value::Array(items) => {
            too_many(items.len(), "an array");
            for item in items.iter().take(MAX_ENTRIES) {
                walk_sizes(item, path, out);
            }
        }
        Value::Table(entries) => {
            too_many(entries.len(), "a table");
            for (k, v) in entries.iter().take(MAX_ENTRIES) {
                if k.name.len() > MAX_KEY_BYTES {
                    out.push(Oversized {
                        origin: k.origin.clone(),
                        path: path.to_string(),
                        message: format!(
                            "{} has a key of {} bytes ({}); gofront takes keys of at most {MAX_KEY_BYTES} bytes",
                            shown(path),
                            k.name.len(),
                            head(&k.name)
                        ),
                    });
                    continue;
                }
                let child = if path.is_empty() {
                    k.name.clone()
                } else {
                    format!("{path}.{}", k.name)
                };
                walk_sizes(v, &child, out);
            }
        }
        _ => {}
    }
}

/// A JSON reader over text already known to be valid and at most
/// [`MAX_DEPTH`] deep; it only finds spans and decodes tokens.
struct Scanner<'a> {
    text: &'a str,
    pos: usize,
    duplicates: Vec<Duplicate>,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, b: u8) -> bool {
        self.skip_ws();
        let ok = self.peek() == Some(b);
        if ok {
            self.pos += 1;
        }
        ok
    }

    /// The items of an object or array whose opening bracket is read:
    /// `item` reads each, up to `close`, with commas between them.
    fn separated(
        &mut self,
        close: u8,
        mut item: impl FnMut(&mut Self) -> Option<()>,
    ) -> Option<()> {
        if self.eat(close) {
            return Some(());
        }
        loop {
            item(self)?;
            if self.eat(close) {
                return Some(());
            }
            if !self.eat(b',') {
                return None;
            }
        }
    }

    /// A string token's span, quotes included.
    fn string_span(&mut self) -> Option<std::ops::Range<usize>> {
        self.skip_ws();
        let start = self.pos;
        if self.peek() != Some(b'"') {
            return None;
        }
        self.pos += 1;
        loop {
            match self.peek()? {
                b'\\' => self.pos += 2,
                b'"' => {
                    self.pos += 1;
                    return Some(start..self.pos);
                }
                _ => self.pos += 1,
            }
        }
    }

    fn decode(&self, span: &std::ops::Range<usize>) -> Option<String> {
        serde_json::from_str(self.text.get(span.clone())?).ok()
    }

    fn value(&mut self, path: &str) -> Option<Node> {
        self.skip_ws();
        let start = self.pos;
        let value = match self.peek()? {
            b'{' => {
                self.pos += 1;
                let mut entries: Vec<(Key, Node)> = Vec::new();
                // Each key's index in `entries`, so that a wide object is
                // read in linear time.
                let mut seen: std::collections::HashMap<String, usize> =
                    std::collections::HashMap::new();
                self.separated(b'}', |sc| {
                    let span = sc.string_span()?;
                    let name = sc.decode(&span)?;
                    if !sc.eat(b':') {
                        return None;
                    }
                    let child_path = if path.is_empty() {
                        name.clone()
                    } else {
                        format!("{path}.{name}")
                    };
                    let child = sc.value(&child_path)?;
                    let origin = Origin::File(span);
                    match seen.get(&name).and_then(|&i| entries.get(i)) {
                        Some((first, _)) => sc.duplicates.push(Duplicate {
                            path: child_path,
                            origin,
                            first: first.origin.clone(),
                        }),
                        None => {
                            seen.insert(name.clone(), entries.len());
                            entries.push((Key { name, origin }, child));
                        }
                    }
                    Some(())
                })?;
                Value::Table(entries)
            }
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                self.separated(b']', |sc| {
                    items.push(sc.value(path)?);
                    Some(())
                })?;
                Value::Array(items)
            }
            b'"' => {
                let span = self.string_span()?;
                Value::Str(self.decode(&span)?)
            }
            b't' | b'f' | b'n' => {
                let rest = self.text.get(self.pos..)?;
                let (word, value) = [
                    ("true", Value::Bool(true)),
                    ("false", Value::Bool(false)),
                    ("null", Value::Other("null")),
                ]
                .into_iter()
                .find(|(w, _)| rest.starts_with(w))?;
                self.pos += word.len();
                value
            }
            _ => {
                while matches!(
                    self.peek(),
                    Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                ) {
                    self.pos += 1;
                }
                let n: serde_json::Number =
                    serde_json::from_str(self.text.get(start..self.pos)?).ok()?;
                match n.as_i64() {
                    Some(i) => Value::Int(i),
                    None if n.is_u64() => Value::Other("an integer out of range"),
                    None => Value::Other("a float"),
                }
            }
        };
        Some(Node {
            value,
            origin: Origin::File(start..self.pos),
        })
    }
}

/// Where each top-level table (a spec section) is written: the byte spans
/// of its key, its header and everything inside it, merged wherever no
/// other section is written in between (`[runtime]` and a later
/// `[runtime.env]` are one range unless another section comes between).
pub fn section_spans(root: &Node) -> BTreeMap<String, Vec<Range<usize>>> {
    let mut out = BTreeMap::new();
    let Value::Table(top) = &root.value else {
        return out;
    };
    let mut all: Vec<(Range<usize>, usize)> = Vec::new();
    for (i, (key, node)) in top.iter().enumerate() {
        let mut spans = Vec::new();
        spans_of(&key.origin, &mut spans);
        node_spans(node, &mut spans);
        all.extend(spans.into_iter().map(|r| (r, i)));
    }
    all.sort_by_key(|(r, i)| (r.start, *i));
    for (i, (key, _)) in top.iter().enumerate() {
        let mut merged: Vec<Range<usize>> = Vec::new();
        let mut open = false;
        for (r, j) in &all {
            if *j != i {
                open = false;
                continue;
            }
            match merged.last_mut() {
                Some(last) if open => last.end = last.end.max(r.end),
                _ => merged.push(r.clone()),
            }
            open = true;
        }
        if !merged.is_empty() {
            out.insert(key.name.clone(), merged);
        }
    }
    out
}

fn spans_of(origin: &Origin, out: &mut Vec<Range<usize>>) {
    if let Origin::File(r) = origin {
        out.push(r.clone());
    }
}

fn node_spans(node: &Node, out: &mut Vec<Range<usize>>) {
    spans_of(&node.origin, out);
    match &node.value {
        Value::Array(items) => items.iter().for_each(|n| node_spans(n, out)),
        Value::Table(entries) => entries.iter().for_each(|(k, n)| {
            spans_of(&k.origin, out);
            node_spans(n, out);
        }),
        _ => {}
    }
}
