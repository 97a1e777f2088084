//! gofront: a BuildKit frontend that builds container images for Go projects.
//!
//! The pipeline is `spec` (parse + validate) → `plan` (every default
//! resolved) → `lower` (plan to LLB) → `llb` (typed builder, marshals a
//! `Definition`); `gateway` is the only part that talks to BuildKit. See
//! ARCHITECTURE.md.

pub(crate) mod argv;
pub(crate) mod cacheprog;
pub(crate) mod cachetool;
pub(crate) mod dockerignore;
pub(crate) mod driver;
pub(crate) mod explain;
pub(crate) mod gateway;
pub(crate) mod gocache;
pub(crate) mod gomod;
pub(crate) mod keep;
pub(crate) mod llb;
pub(crate) mod local;
pub(crate) mod lower;
pub(crate) mod modcache;
pub(crate) mod mtimes;
pub(crate) mod options;
pub(crate) mod plan;
pub(crate) mod platform;
pub mod proto;
pub(crate) mod report;
pub(crate) mod rfc3339;
pub(crate) mod sbom;
pub(crate) mod spec;
pub(crate) mod target;
pub(crate) mod testflags;
pub(crate) mod testreport;

#[cfg(test)]
mod testutil;

// The public surface, for the `gofront` binary, the integration tests and
// the examples; everything else is crate-private so rustc reports dead code.
// `proto` stays public: the fake gateway test serves the generated types.
pub use argv::{NotUtf8, utf8_args};
pub use driver::{
    Failure, FrontendError, Generated, Host, HostError, HostFacts, MAX_FILE_BYTES, PlatformBuild,
    Resolved, generate, lower_all,
};
pub use explain::{ExplainError, dockerfile};
pub use gateway::{serve, serve_on};
pub use llb::debug_json;
pub use local::LocalHost;
pub use options::{DEFAULT_SPEC_FILE, LocalOptions, Options, Platform};
pub use plan::{Heads, PlanError, Scan, TargetPlan};
pub use report::{Report, Warning};
pub use spec::{KEYS, Origin};

/// `gofront gocache prog|stamp ...`: the GOCACHEPROG server and the
/// content-mtime tool build steps run.
pub use cacheprog::main as cacheprog_main;
#[doc(hidden)]
pub use sbom::binary::synthetic_elf;

/// `gofront gocache seed|export ...`, `gofront modcache ...` and `gofront
/// keep ...`: the tools that build steps run (`args` without the program). The exit code,
/// or `None` when `args` name no tool.
pub fn cache_tool_main(args: &[String]) -> Option<std::process::ExitCode> {
    use cachetool::{Invocation, ToolError};
    let invocation = match Invocation::parse(args)? {
        Ok(i) => i,
        Err(e) => {
            let tool = e.tool;
            eprintln!("gofront {tool}: {}", ToolError::from(e));
            return Some(std::process::ExitCode::from(1));
        }
    };
    let result = match &invocation {
        Invocation::Seed(a) => gocache::run_seed(a).map(|()| std::process::ExitCode::SUCCESS),
        Invocation::Export(a) => gocache::run_export(a).map(|()| std::process::ExitCode::SUCCESS),
        Invocation::Modcache(a) => modcache::run(a),
        Invocation::Keep(a) => keep::run(a),
        Invocation::TestReport(a) => testreport::run(a),
    };
    Some(result.unwrap_or_else(|e| {
        eprintln!("gofront {}: {e}", invocation.tool());
        std::process::ExitCode::from(1)
    }))
}
