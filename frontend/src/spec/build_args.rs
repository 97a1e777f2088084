//! `GOFRONT_*` build args merged into the parsed document, each naming
//! the key it sets (from [`super::keys`]); an unknown name is a typo.

use std::collections::BTreeMap;

use super::Problem;
use super::keys::{self, KEYS, Kind};
use super::node::{Key, Node, Origin, Value};
use super::suggest::closest;
use crate::options::BUILD_ARG_PREFIX;

/// Every build-arg name (or name prefix, ending in `_`) that overrides a key.
pub fn build_arg_names() -> Vec<String> {
    KEYS.iter().map(keys::Key::build_arg).collect()
}

/// Overlays `GOFRONT_*` build args onto the parsed document. Unknown
/// `GOFRONT_*` names are problems (with a suggestion): they can only be typos.
pub fn merge_build_args(
    root: &mut Node,
    build_args: &BTreeMap<String, String>,
    problems: &mut Vec<Problem>,
) {
    // Each build arg is merged in a table's worth of time: a bound on
    // their number keeps the whole merge short.
    let ours = build_args
        .keys()
        .filter(|n| n.starts_with(BUILD_ARG_PREFIX))
        .count();
    if ours > super::node::MAX_ENTRIES {
        problems.push(Problem::at(
            &Origin::BuildArg(format!("{BUILD_ARG_PREFIX}*")),
            "",
            format!(
                "{ours} build args start with {BUILD_ARG_PREFIX}; gofront reads at most {}",
                super::node::MAX_ENTRIES
            ),
        ));
        return;
    }
    for (name, raw) in build_args {
        if !name.starts_with(BUILD_ARG_PREFIX)
            || crate::options::OTHER_BUILD_ARGS
                .iter()
                .any(|a| a.name == name)
        {
            continue;
        }
        let origin = Origin::BuildArg(name.clone());
        let Some((spec_key, entry)) = lookup_build_arg(name) else {
            let message = if KEYS
                .iter()
                .any(|k| k.kind() == Kind::EnvMap && k.build_arg() == *name)
            {
                format!("{name} names no variable; pass one per variable, as {name}<NAME>=value")
            } else {
                let all = build_arg_names();
                let hint = closest(name, all.iter().map(String::as_str))
                    .map(|s| match s.strip_suffix('_') {
                        Some(prefix) => format!("; did you mean {prefix}_<NAME>?"),
                        None => format!("; did you mean {s}?"),
                    })
                    .unwrap_or_else(|| "; see the README for the names gofront reads".to_string());
                format!("gofront has no build arg named {name}{hint}")
            };
            problems.push(Problem::at(&origin, name, message));
            continue;
        };
        let str_node = |s: &str| Node {
            value: Value::Str(s.to_string()),
            origin: origin.clone(),
        };
        let (section, key) = (spec_key.section, spec_key.name);
        let value = match spec_key.kind() {
            Kind::Str | Kind::Bool => str_node(raw),
            Kind::List => match split_list(raw) {
                Ok(items) => Node {
                    value: Value::Array(items.iter().map(|s| str_node(s)).collect()),
                    origin: origin.clone(),
                },
                Err(e) => {
                    problems.push(Problem::at(&origin, name, e));
                    continue;
                }
            },
            Kind::Json => match json_node(raw, &origin) {
                Ok(node) => node,
                Err(e) => {
                    problems.push(Problem::at(&origin, name, e));
                    continue;
                }
            },
            Kind::EnvMap => {
                let Some(entry) = entry else { continue };
                set_entry(root, section, key, &entry, str_node(raw), &origin);
                continue;
            }
            Kind::PairMap => {
                let pairs = match split_list(raw) {
                    Ok(pairs) if pairs.len() > super::node::MAX_ENTRIES => {
                        let message = format!(
                            "{name} lists {} pairs; gofront reads at most {} in one table",
                            pairs.len(),
                            super::node::MAX_ENTRIES
                        );
                        problems.push(Problem::at(&origin, name, message));
                        continue;
                    }
                    Ok(pairs) => pairs,
                    Err(e) => {
                        problems.push(Problem::at(&origin, name, e));
                        continue;
                    }
                };
                for pair in pairs {
                    match pair.split_once('=') {
                        Some((k, v)) => {
                            set_entry(root, section, key, k.trim(), str_node(v.trim()), &origin)
                        }
                        None => problems.push(Problem::at(
                            &origin,
                            name,
                            format!("expected name=value pairs separated by commas, got {pair:?}"),
                        )),
                    }
                }
                continue;
            }
        };
        set_key(root, section, key, value, &origin);
    }
}

/// The key a `GOFRONT_*` build arg sets, and for a table of environment
/// variables the entry it names.
fn lookup_build_arg(name: &str) -> Option<(&'static keys::Key, Option<String>)> {
    KEYS.iter().find_map(|key| {
        let arg = key.build_arg();
        match key.kind() {
            Kind::EnvMap => name
                .strip_prefix(&arg)
                .filter(|entry| !entry.is_empty())
                .map(|entry| (key, Some(entry.to_string()))),
            _ => (name == arg).then_some((key, None)),
        }
    })
}

/// A build arg that holds a table or an array of tables, as JSON: its
/// tree with every value's origin the build arg.
fn json_node(raw: &str, origin: &Origin) -> Result<Node, String> {
    let trimmed = raw.trim();
    if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(trimmed) {
        return Err(format!(
            "expected JSON such as [{{\"src\": \"config/\", \"dest\": \"/etc/app/\"}}]: {e}"
        ));
    }
    let (mut node, duplicates) = super::node::from_json(trimmed).ok_or_else(|| {
        format!(
            "expected JSON nested at most {} levels",
            super::node::MAX_DEPTH
        )
    })?;
    if let Some(d) = duplicates.first() {
        return Err(format!("the JSON sets {:?} twice", d.path));
    }
    fn relabel(node: &mut Node, origin: &Origin) {
        node.origin = origin.clone();
        match &mut node.value {
            Value::Array(items) => items.iter_mut().for_each(|n| relabel(n, origin)),
            Value::Table(entries) => entries.iter_mut().for_each(|(k, n)| {
                k.origin = origin.clone();
                relabel(n, origin);
            }),
            _ => {}
        }
    }
    relabel(&mut node, origin);
    Ok(node)
}

/// A build-arg list: a JSON array of strings, or comma-separated words.
fn split_list(raw: &str) -> Result<Vec<String>, String> {
    let trimmed = raw.trim();
    if trimmed.starts_with('[') {
        return serde_json::from_str::<Vec<String>>(trimmed)
            .map_err(|e| format!("expected a JSON array of strings: {e}"));
    }
    Ok(trimmed
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect())
}

fn section_entries<'a>(
    root: &'a mut Node,
    section: &str,
    origin: &Origin,
) -> Option<&'a mut Vec<(Key, Node)>> {
    let Value::Table(top) = &mut root.value else {
        return None;
    };
    if !top.iter().any(|(k, _)| k.name == section) {
        top.push((
            Key {
                name: section.to_string(),
                origin: origin.clone(),
            },
            Node {
                value: Value::Table(Vec::new()),
                origin: origin.clone(),
            },
        ));
    }
    let (_, node) = top.iter_mut().find(|(k, _)| k.name == section)?;
    match &mut node.value {
        Value::Table(t) => Some(t),
        _ => None,
    }
}

fn set_key(root: &mut Node, section: &str, key: &str, value: Node, origin: &Origin) {
    let Some(entries) = section_entries(root, section, origin) else {
        return;
    };
    entries.retain(|(k, _)| k.name != key);
    entries.push((
        Key {
            name: key.to_string(),
            origin: origin.clone(),
        },
        value,
    ));
}

fn set_entry(root: &mut Node, section: &str, key: &str, entry: &str, value: Node, origin: &Origin) {
    let Some(entries) = section_entries(root, section, origin) else {
        return;
    };
    if !entries
        .iter()
        .any(|(k, n)| k.name == key && matches!(n.value, Value::Table(_)))
    {
        entries.retain(|(k, _)| k.name != key);
        entries.push((
            Key {
                name: key.to_string(),
                origin: origin.clone(),
            },
            Node {
                value: Value::Table(Vec::new()),
                origin: origin.clone(),
            },
        ));
    }
    if let Some((
        _,
        Node {
            value: Value::Table(map),
            ..
        },
    )) = entries.iter_mut().find(|(k, _)| k.name == key)
    {
        map.retain(|(k, _)| k.name != entry);
        map.push((
            Key {
                name: entry.to_string(),
                origin: origin.clone(),
            },
            value,
        ));
    }
}
