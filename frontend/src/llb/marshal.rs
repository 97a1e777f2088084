//! Walks a graph of states into a `pb.Definition`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use prost::Message;

use super::{Node, State, digest_of};
use crate::proto::pb;

/// A file that source locations point into (the spec), sent along so that
/// BuildKit and buildx can show the lines of a failing step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// The file name as the user knows it.
    pub filename: String,
    /// Its contents.
    pub data: Vec<u8>,
    /// A language hint for highlighting, e.g. `toml`.
    pub language: String,
}

/// A range of lines (1-based, inclusive) of the [`SourceFile`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct SourceRange {
    /// First line.
    pub start: u32,
    /// Last line.
    pub end: u32,
}

impl SourceRange {
    /// As `pb.Range`.
    pub fn to_pb(self) -> pb::Range {
        pb::Range {
            start: Some(pb::Position {
                line: self.start as i32,
                character: 0,
            }),
            end: Some(pb::Position {
                line: self.end as i32,
                character: 0,
            }),
        }
    }
}

impl State {
    /// Marshals the graph that ends in this state into a `Definition`: ops in
    /// dependency order, each once, then a final op pointing at the result.
    pub fn marshal(&self, source: Option<&SourceFile>) -> pb::Definition {
        let mut def = pb::Definition::default();
        let mut seen = BTreeSet::new();
        let mut locations: BTreeMap<String, pb::Locations> = BTreeMap::new();
        let mut used_caps: BTreeSet<&'static str> = BTreeSet::new();
        if let Some(out) = &self.output {
            walk(
                &out.node,
                &mut def,
                &mut seen,
                &mut locations,
                &mut used_caps,
            );
        }
        // The terminal op has a single input (the result) and no op of its own.
        let terminal = pb::Op {
            inputs: self.to_input().into_iter().collect(),
            ..pb::Op::default()
        };
        let bytes = terminal.encode_to_vec();
        let caps: BTreeMap<String, bool> = ["constraints", "platform"]
            .into_iter()
            .chain(used_caps)
            .map(|c| (c.to_string(), true))
            .collect();
        def.metadata.insert(
            digest_of(&bytes),
            pb::OpMetadata {
                caps,
                ..pb::OpMetadata::default()
            },
        );
        def.def.push(bytes);
        if let Some(src) = source
            && !locations.is_empty()
        {
            def.source = Some(pb::Source {
                locations,
                infos: vec![pb::SourceInfo {
                    filename: src.filename.clone(),
                    data: src.data.clone(),
                    definition: None,
                    language: src.language.clone(),
                }],
            });
        }
        def
    }
}

fn walk(
    node: &Arc<Node>,
    def: &mut pb::Definition,
    seen: &mut BTreeSet<String>,
    locations: &mut BTreeMap<String, pb::Locations>,
    used_caps: &mut BTreeSet<&'static str>,
) {
    if seen.contains(&node.digest) {
        return;
    }
    for input in &node.inputs {
        walk(input, def, seen, locations, used_caps);
    }
    seen.insert(node.digest.clone());
    def.def.push(node.bytes.clone());
    def.metadata
        .insert(node.digest.clone(), node.metadata.clone());
    // Mirror Go's client: the definition-level caps say which metadata
    // features any op uses.
    if node.metadata.ignore_cache {
        used_caps.insert("meta.ignorecache");
    }
    if !node.metadata.description.is_empty() {
        used_caps.insert("meta.description");
    }
    if let Some(ranges) = &node.location {
        locations.insert(
            node.digest.clone(),
            pb::Locations {
                locations: vec![pb::Location {
                    source_index: 0,
                    ranges: ranges.iter().map(|r| r.to_pb()).collect(),
                }],
            },
        );
    }
}
