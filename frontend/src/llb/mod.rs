//! A small typed builder for BuildKit's LLB.
//!
//! A [`State`] is an immutable value: the output of an op, or scratch.
//! Builders ([`Exec`], [`FileOp`], sources, [`merge`]) marshal their op as
//! soon as they are built, so every op's digest is known and fixed, and
//! [`State::marshal`] only walks the graph.
//!
//! Invariants: knows nothing of Go or of the spec; no I/O, clock, randomness
//! or host defaults (the platform is always passed in); map fields are
//! `BTreeMap`s and mounts are sorted, so the same graph always marshals to
//! the same bytes; callers never write an input or output index by hand.

mod debug;
mod exec;
mod file;
mod marshal;
mod source;

use std::collections::BTreeSet;
use std::sync::Arc;

use prost::Message;
use sha2::{Digest, Sha256};

pub use debug::debug_json;
pub use exec::{Exec, Mount, NetMode};
pub use file::{Chown, CopyOptions, FileOp, UserRef};
pub use marshal::{SourceFile, SourceRange};
pub use source::{Local, image, oci_layout};

use crate::platform::Platform;
use crate::proto::pb;

/// Op metadata every builder accepts: a progress name, cache bypass and a
/// source location in the spec file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpMeta {
    /// The vertex name shown by buildx (`llb.customname`).
    pub name: Option<String>,
    /// Never reuse a cached result of this op (`--no-cache`).
    pub ignore_cache: bool,
    /// Lines of the spec this op comes from.
    pub location: Option<Vec<SourceRange>>,
}

/// One marshalled op and the ops it depends on.
#[derive(Debug)]
pub(crate) struct Node {
    digest: String,
    bytes: Vec<u8>,
    metadata: pb::OpMetadata,
    inputs: Vec<Arc<Node>>,
    location: Option<Vec<SourceRange>>,
}

/// The output of an op: which node, and which of its outputs.
#[derive(Debug, Clone)]
pub(crate) struct Output {
    node: Arc<Node>,
    index: i64,
}

/// A filesystem state: scratch, or one output of an op.
#[derive(Debug, Clone, Default)]
pub struct State {
    output: Option<Output>,
}

impl State {
    /// The empty filesystem.
    pub fn scratch() -> Self {
        State { output: None }
    }

    /// Whether this is scratch.
    pub fn is_scratch(&self) -> bool {
        self.output.is_none()
    }

    /// The digest of the op behind this state (`None` for scratch).
    pub fn digest(&self) -> Option<&str> {
        self.output.as_ref().map(|o| o.node.digest.as_str())
    }

    fn from_node(node: Node, index: i64) -> Self {
        State {
            output: Some(Output {
                node: Arc::new(node),
                index,
            }),
        }
    }

    fn to_input(&self) -> Option<pb::Input> {
        self.output.as_ref().map(|o| pb::Input {
            digest: o.node.digest.clone(),
            index: o.index,
        })
    }
}

/// An op's inputs, each once: the states its mounts, actions or merge
/// read, and the nodes behind them.
#[derive(Debug, Default)]
pub(crate) struct Inputs {
    list: Vec<pb::Input>,
    nodes: Vec<Arc<Node>>,
}

impl Inputs {
    /// The index of `state` among the op's inputs (added if new); -1 for
    /// scratch.
    fn index(&mut self, state: &State) -> i64 {
        let (Some(input), Some(out)) = (state.to_input(), state.output.as_ref()) else {
            return -1;
        };
        if let Some(pos) = self.list.iter().position(|i| *i == input) {
            return pos as i64;
        }
        self.list.push(input);
        self.nodes.push(out.node.clone());
        (self.list.len() - 1) as i64
    }

    /// How many inputs there are.
    fn len(&self) -> usize {
        self.list.len()
    }

    /// `Op.inputs`, and the nodes behind them in the same order.
    fn into_parts(self) -> (Vec<pb::Input>, Vec<Arc<Node>>) {
        (self.list, self.nodes)
    }
}

/// Collects the caps an op uses; turned into `OpMetadata.caps`.
#[derive(Debug, Default)]
pub(crate) struct Caps(BTreeSet<&'static str>);

impl Caps {
    fn add(&mut self, cap: &'static str) {
        self.0.insert(cap);
    }
}

/// sha256 of the exact bytes, as `sha256:<hex>`: how BuildKit names an op.
pub fn digest_of(bytes: &[u8]) -> String {
    let sum = Sha256::digest(bytes);
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256:");
    for b in sum.iter() {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// Marshals `op` into a node; every builder ends here.
pub(crate) fn finish(
    mut op: pb::Op,
    inputs: Vec<Arc<Node>>,
    platform: Option<&Platform>,
    caps: Caps,
    meta: &OpMeta,
) -> Node {
    op.platform = platform.map(pb::Platform::from);
    // Go's client always sets an (empty) WorkerConstraints; do the same so
    // digests match what the Go client would produce for the same op.
    op.constraints = Some(pb::WorkerConstraints::default());
    let bytes = marshal_op(op);
    let mut metadata = pb::OpMetadata {
        ignore_cache: meta.ignore_cache,
        caps: caps.0.into_iter().map(|c| (c.to_string(), true)).collect(),
        ..pb::OpMetadata::default()
    };
    if let Some(name) = &meta.name {
        metadata
            .description
            .insert("llb.customname".to_string(), name.clone());
    }
    Node {
        digest: digest_of(&bytes),
        bytes,
        metadata,
        inputs,
        location: meta.location.clone(),
    }
}

/// An op's bytes as Go's protobuf writes them: BuildKit re-marshals every op
/// it loads (deterministic Go protobuf) and names its vertex by the digest
/// of those bytes. Go writes the fields of a oneof after all other fields,
/// where prost would write them in field-number order (the `op` oneof,
/// numbers 2-8, before `platform` and `constraints`); writing the oneof
/// last makes our digest the vertex digest BuildKit reports, so a warning
/// sent for an op lands on its step.
fn marshal_op(mut op: pb::Op) -> Vec<u8> {
    let body = op.op.take();
    let mut bytes = op.encode_to_vec();
    if let Some(body) = body {
        body.encode(&mut bytes);
    }
    bytes
}

/// Merges states into one filesystem (`MergeOp`); scratch inputs are
/// dropped, and a single input is returned as is. Only use it when the
/// engine lists the `mergeop` cap.
pub fn merge(inputs: &[State], meta: &OpMeta, platform: &Platform) -> State {
    let real: Vec<&State> = inputs.iter().filter(|s| !s.is_scratch()).collect();
    match real.as_slice() {
        [] => return State::scratch(),
        [one] => return (*one).clone(),
        _ => {}
    }
    let mut op_inputs = Inputs::default();
    let merge = pb::MergeOp {
        inputs: real
            .iter()
            .map(|s| pb::MergeInput {
                input: op_inputs.index(s),
            })
            .collect(),
    };
    let (list, nodes) = op_inputs.into_parts();
    let op = pb::Op {
        inputs: list,
        op: Some(pb::op::Op::Merge(merge)),
        ..pb::Op::default()
    };
    let mut caps = Caps::default();
    caps.add("mergeop");
    State::from_node(finish(op, nodes, Some(platform), caps, meta), 0)
}

#[cfg(test)]
mod tests;
