//! Shared helpers: run the whole pipeline on an example, offline.

#![allow(dead_code, clippy::expect_used, clippy::unwrap_used)]

use std::path::PathBuf;

use gofront::{FrontendError, Generated, LocalHost, Options, PlatformBuild};

/// The repository's `examples/` directory.
pub fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

/// Runs parse → plan → lower → marshal on `examples/<name>` with the given
/// frontend options (as BuildKit would pass them).
pub fn generate(
    name: &str,
    opts: &[(&str, &str)],
    merge: bool,
) -> Result<Generated, FrontendError> {
    let dir = examples().join(name);
    generate_in(dir.clone(), dir.join("gofront.toml"), opts, merge)
}

/// Same, for any context directory and spec path.
pub fn generate_in(
    context: PathBuf,
    spec: PathBuf,
    opts: &[(&str, &str)],
    merge: bool,
) -> Result<Generated, FrontendError> {
    let mut all: Vec<(&str, &str)> = vec![("filename", "gofront.toml")];
    all.extend_from_slice(opts);
    let options = Options::parse(all).map_err(|e| FrontendError::Plan(e.into()))?;
    let host = LocalHost {
        context,
        spec,
        merge,
    };
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime")
        .block_on(gofront::generate(&host, &options))
}

/// The one platform's build of a single-platform result.
pub fn only(g: Generated) -> PlatformBuild {
    assert!(!g.multi_platform, "expected a single-platform result");
    let mut builds = g.builds;
    assert_eq!(builds.len(), 1, "expected one platform");
    builds.remove(0)
}
