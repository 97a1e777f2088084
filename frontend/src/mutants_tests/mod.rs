//! Tests written against surviving cargo-mutants mutants (see
//! docs/development.md, "Mutation testing", and
//! `frontend/mutants-equivalent.md`). Each drives behaviour through a
//! stable entry point: `spec::parse`, the `plan` functions, `lower::lower`
//! and the marshalled `Definition` decoded back into protobuf, checked
//! field by field.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod llb;
mod lower;
mod plan;
mod spec;

use std::collections::BTreeMap;

use prost::Message;

use crate::llb::SourceFile;
use crate::options::{Options, Platform};
use crate::plan::{ImageConfig, Plan, PlanError, PlanInputs, ProjectFiles};
use crate::proto::pb;

/// The inputs of one plan, with defaults for everything a test leaves out.
pub(crate) struct Case<'a> {
    pub spec: &'a str,
    pub go_mod: &'a str,
    pub go_work: Option<&'a str>,
    pub members: &'a [(&'a str, &'a str)],
    pub vendored: bool,
    pub dockerignore: Option<&'a str>,
    pub options: &'a [(&'a str, &'a str)],
    pub builder_config: Option<&'a str>,
    pub builder_digest: Option<&'a str>,
    pub runtime_config: Option<&'a str>,
    pub runtime_digest: Option<&'a str>,
    pub build_platform: Platform,
    pub target_platform: Option<Platform>,
    pub runnable: Vec<Platform>,
    pub merge: bool,
    pub now: i64,
    pub tool_image: Option<&'a str>,
}

impl Default for Case<'_> {
    fn default() -> Self {
        Case {
            spec: "# syntax=gofront:dev\n",
            go_mod: "module example.com/hello\n\ngo 1.24\n",
            go_work: None,
            members: &[],
            vendored: false,
            dockerignore: None,
            options: &[],
            builder_config: None,
            builder_digest: None,
            runtime_config: None,
            runtime_digest: None,
            build_platform: Platform::linux_amd64(),
            target_platform: None,
            runnable: vec![Platform::linux_amd64()],
            merge: false,
            now: 0,
            tool_image: None,
        }
    }
}

/// The go.mod of a module with one requirement (so it has a download step).
pub(crate) const GO_MOD_WITH_DEP: &str =
    "module example.com/withdep\n\ngo 1.24\n\nrequire golang.org/x/text v0.14.0\n";

pub(crate) fn platform(s: &str) -> Platform {
    Platform::parse(s).expect("platform")
}

fn image_config(json: Option<&str>, digest: Option<&str>) -> Option<ImageConfig> {
    json.map(|j| {
        let mut c = ImageConfig::from_json(j.as_bytes()).expect("config json");
        c.digest = digest.map(str::to_string);
        c
    })
}

impl Case<'_> {
    pub fn options(&self) -> Options {
        let mut all = vec![("filename", "gofront.toml")];
        all.extend_from_slice(self.options);
        Options::parse(all).expect("options")
    }

    /// spec → project → plan, as the driver runs them.
    pub fn plan(&self) -> Result<Plan, PlanError> {
        let options = self.options();
        let spec = crate::spec::parse("gofront.toml", self.spec, &options.build_args)?;
        let files = ProjectFiles {
            go_mod: (!self.go_mod.is_empty()).then(|| self.go_mod.to_string()),
            go_work: self.go_work.map(str::to_string),
            member_go_mods: self
                .members
                .iter()
                .map(|(d, t)| (d.to_string(), t.to_string()))
                .collect(),
            vendored: self.vendored,
            dockerignore: self.dockerignore.map(str::to_string),
        };
        let project = crate::plan::analyze(&files)?;
        let builder = image_config(self.builder_config, self.builder_digest);
        let runtime = image_config(self.runtime_config, self.runtime_digest);
        crate::plan::resolve(&PlanInputs {
            spec: &spec,
            spec_file: "gofront.toml",
            spec_text: self.spec,
            project: &project,
            dockerignore: self.dockerignore,
            options: &options,
            build_platform: self.build_platform.clone(),
            target_platform: self
                .target_platform
                .clone()
                .unwrap_or_else(|| self.build_platform.clone()),
            runnable_platforms: &self.runnable,
            builder_config: builder.as_ref(),
            runtime_config: runtime.as_ref(),
            session_id: "sess",
            merge_supported: self.merge,
            now: self.now,
            tool_image: self.tool_image,
        })
    }

    /// The plan, which must succeed.
    pub fn ok(&self) -> Plan {
        self.plan().expect("plan")
    }

    /// The plan's error, rendered.
    pub fn err(&self) -> String {
        self.plan().expect_err("a plan error").to_string()
    }

    /// The plan lowered and marshalled with the spec as source file.
    pub fn definition(&self) -> Llb {
        let plan = self.ok();
        Llb::of(&plan, self.spec)
    }
}

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

pub(crate) fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}
