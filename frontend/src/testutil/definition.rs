//! A marshalled `Definition` decoded back into protobuf, and the bodies
//! of its ops, for tests that check LLB field by field.

use prost::Message;

use crate::llb::SourceFile;
use crate::plan::Plan;
use crate::proto::pb;

/// A marshalled definition, decoded.
pub(crate) struct Llb {
    pub def: pb::Definition,
    pub image_config: Option<serde_json::Value>,
    /// Every op but the terminal one, in definition order, with its digest.
    pub ops: Vec<(String, pb::Op)>,
}

impl Llb {
    pub fn of(plan: &Plan, spec: &str) -> Llb {
        let lowered = crate::lower::lower(plan).expect("lower");
        let source = SourceFile {
            filename: "gofront.toml".into(),
            data: spec.as_bytes().to_vec(),
            language: "toml".into(),
        };
        Llb::from_def(lowered.state.marshal(Some(&source)), lowered.image_config)
    }

    pub fn from_def(def: pb::Definition, image_config: Option<serde_json::Value>) -> Llb {
        let n = def.def.len() - 1;
        let ops = def.def[..n]
            .iter()
            .map(|b| {
                (
                    crate::llb::digest_of(b),
                    pb::Op::decode(b.as_slice()).expect("op"),
                )
            })
            .collect();
        Llb {
            def,
            image_config,
            ops,
        }
    }

    /// The terminal op (no body, one input: the result).
    pub fn terminal(&self) -> pb::Op {
        pb::Op::decode(self.def.def.last().expect("terminal").as_slice()).expect("op")
    }

    /// The metadata of the op with this digest.
    pub fn meta(&self, digest: &str) -> &pb::OpMetadata {
        &self.def.metadata[digest]
    }

    /// The progress name of an op.
    pub fn name(&self, digest: &str) -> Option<&str> {
        self.meta(digest)
            .description
            .get("llb.customname")
            .map(String::as_str)
    }

    /// The op named `name` (`llb.customname`), with its digest.
    pub fn named(&self, name: &str) -> (&str, &pb::Op) {
        self.ops
            .iter()
            .find(|(d, _)| self.name(d) == Some(name))
            .map(|(d, op)| (d.as_str(), op))
            .unwrap_or_else(|| panic!("no op named {name:?} in {:?}", self.names()))
    }

    /// Every op's name, in order.
    pub fn names(&self) -> Vec<String> {
        self.ops
            .iter()
            .map(|(d, _)| self.name(d).unwrap_or("").to_string())
            .collect()
    }

    /// The op with this digest.
    pub fn op(&self, digest: &str) -> &pb::Op {
        self.ops
            .iter()
            .find(|(d, _)| d == digest)
            .map(|(_, op)| op)
            .unwrap_or_else(|| panic!("no op {digest}"))
    }

    /// The name of the op an input points at.
    pub fn input_name(&self, input: &pb::Input) -> String {
        self.name(&input.digest).unwrap_or("").to_string()
    }
}

/// The exec body of an op.
pub(crate) fn exec(op: &pb::Op) -> &pb::ExecOp {
    match &op.op {
        Some(pb::op::Op::Exec(e)) => e,
        other => panic!("not an exec: {other:?}"),
    }
}

/// The file body of an op.
pub(crate) fn file(op: &pb::Op) -> &pb::FileOp {
    match &op.op {
        Some(pb::op::Op::File(f)) => f,
        other => panic!("not a file op: {other:?}"),
    }
}

/// The source body of an op.
pub(crate) fn source(op: &pb::Op) -> &pb::SourceOp {
    match &op.op {
        Some(pb::op::Op::Source(s)) => s,
        other => panic!("not a source: {other:?}"),
    }
}

/// The mount of an exec at `dest`.
pub(crate) fn mount<'a>(e: &'a pb::ExecOp, dest: &str) -> &'a pb::Mount {
    e.mounts
        .iter()
        .find(|m| m.dest == dest)
        .unwrap_or_else(|| panic!("no mount at {dest}"))
}

/// The sorted caps of an op's metadata.
pub(crate) fn caps(md: &pb::OpMetadata) -> Vec<&str> {
    md.caps.keys().map(String::as_str).collect()
}
