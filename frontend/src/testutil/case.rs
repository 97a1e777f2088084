//! One plan's inputs with defaults for what a test leaves out, run
//! through spec → project → plan as the driver runs them, and the parts of
//! a plan its target carries.

use std::collections::BTreeMap;

use super::definition::Llb;
use crate::options::{Options, Platform};
use crate::plan::{ImageConfig, Plan, PlanError, PlanInputs, ProjectFiles};

/// The inputs of one plan, with defaults for everything a test leaves out.
pub(crate) struct Case<'a> {
    pub spec: &'a str,
    pub go_mod: &'a str,
    pub go_work: Option<&'a str>,
    pub members: &'a [(&'a str, &'a str)],
    /// The start of the Go files the driver reads when the spec sets no
    /// `build.packages` (path, text): by default a root `main.go`.
    pub go_files: &'a [(&'a str, &'a str)],
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
            go_files: &[("main.go", "package main\n")],
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
    fn options_with(&self, extra: &[(&str, &str)]) -> Options {
        let mut all = vec![("filename", "gofront.toml")];
        all.extend_from_slice(self.options);
        all.extend_from_slice(extra);
        Options::parse(all).expect("options")
    }

    /// spec → project → plan, as the driver runs them.
    pub fn plan(&self) -> Result<Plan, PlanError> {
        self.plan_with(&[])
    }

    /// The same, with more options.
    fn plan_with(&self, extra: &[(&str, &str)]) -> Result<Plan, PlanError> {
        let options = self.options_with(extra);
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
            // As the driver reads them: only to find the main packages.
            heads: spec.build.packages.is_none().then(|| crate::plan::Heads {
                files: self
                    .go_files
                    .iter()
                    .map(|(p, t)| (p.to_string(), t.as_bytes().to_vec()))
                    .collect(),
                truncated: false,
            }),
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

pub(crate) fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The parts of a plan its target carries, for tests that read them.
pub(crate) trait PlanParts {
    /// The runtime image of an image plan.
    fn runtime(&self) -> &crate::plan::RuntimePlan;
    /// `go build` (or `go test` for the test target).
    fn build(&self) -> &crate::plan::GoStep;
    /// The export step of a gocache plan.
    fn export(&self) -> &crate::plan::ExportPlan;
    /// The binaries of an image or binaries plan.
    fn binaries(&self) -> Vec<crate::plan::Binary>;
}

impl PlanParts for Plan {
    fn export(&self) -> &crate::plan::ExportPlan {
        match &self.target {
            crate::plan::TargetPlan::Gocache { export, .. } => export,
            other => panic!("not a gocache plan: {other:?}"),
        }
    }

    fn runtime(&self) -> &crate::plan::RuntimePlan {
        match &self.target {
            crate::plan::TargetPlan::Image { runtime, .. } => runtime,
            other => panic!("not an image plan: {other:?}"),
        }
    }

    fn build(&self) -> &crate::plan::GoStep {
        self.target.go_step()
    }

    fn binaries(&self) -> Vec<crate::plan::Binary> {
        match &self.target {
            crate::plan::TargetPlan::Binaries { binaries, .. } => binaries.clone(),
            _ => self
                .runtime()
                .binaries
                .iter()
                .map(|b| b.binary.clone())
                .collect(),
        }
    }
}

impl Case<'_> {
    /// The `go test` step of the same case with `--target test`.
    pub fn test_step(&self) -> crate::plan::GoStep {
        match self.plan_with(&[("target", "test")]).expect("plan").target {
            crate::plan::TargetPlan::Test { test, .. } => test,
            other => panic!("not a test plan: {other:?}"),
        }
    }
}
