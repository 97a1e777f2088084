//! gofront: a BuildKit frontend that builds container images for Go projects.
//!
//! The pipeline is `spec` (parse + validate) → `plan` (every default
//! resolved) → `lower` (plan to LLB) → `llb` (typed builder, marshals a
//! `Definition`); `gateway` is the only part that talks to BuildKit. See
//! ARCHITECTURE.md.

pub(crate) mod cacheprog;
pub(crate) mod dockerignore;
pub(crate) mod driver;
pub(crate) mod explain;
pub(crate) mod gateway;
pub(crate) mod gocache;
pub(crate) mod gomod;
pub(crate) mod llb;
pub(crate) mod local;
pub(crate) mod lower;
pub(crate) mod modcache;
pub(crate) mod mtimes;
pub(crate) mod options;
pub(crate) mod plan;
pub mod proto;
pub(crate) mod spec;

#[cfg(test)]
mod mutants_tests;

// The public surface, for the `gofront` binary, the integration tests and
// the examples; everything else is crate-private so rustc reports dead code.
// `proto` stays public: the fake gateway test serves the generated types.
pub use driver::{
    FrontendError, Generated, Host, HostError, MAX_FILE_BYTES, PlatformBuild, Resolved, generate,
};
pub use explain::{ExplainError, dockerfile};
pub use gateway::{serve, serve_on};
pub use llb::debug_json;
pub use local::LocalHost;
pub use options::{Options, Platform};
pub use plan::PlanError;
pub use spec::{KEYS, Origin};

/// `gofront gocache prog|stamp ...`: the GOCACHEPROG server and the
/// content-mtime tool build steps run.
pub use cacheprog::main as cacheprog_main;
/// `gofront gocache ...`: the Go build cache tool build steps run.
pub use gocache::main as gocache_main;
/// `gofront modcache ...`: the module download cache tool.
pub use modcache::main as modcache_main;
