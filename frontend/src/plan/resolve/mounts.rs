//! What each Go step sees: its mounts, decided once here, so that `lower`
//! and `explain` map them one to one.

use crate::plan::types::{
    ImageSource, MountSource, OutputBase, Seed, Sharing, StepMount, StepRef, paths,
};

/// What every Go step of a plan mounts.
pub(super) struct GoFs<'a> {
    /// The download step runs, so its module cache is mounted.
    pub(super) modules: bool,
    /// GOCACHE's cache mount id.
    pub(super) gocache_id: &'a str,
    /// The Go build cache seed, merged by the tool before Go runs.
    pub(super) seed: Option<&'a Seed>,
}

fn mount(target: &str, source: MountSource) -> StepMount {
    StepMount {
        target: target.to_string(),
        source,
    }
}

/// A Go step's mounts: the builder as a read-only root, the source, the
/// module cache, GOCACHE and a tmpfs at /tmp; seeded, the seed and the
/// tool that merges it. `stamps`: the tool changes the source's file times,
/// so the source is writable and its changes thrown away.
///
/// A step without a seed mounts no tool of its own: the build must be the
/// very op the image target runs, so `--target gocache` reuses it.
pub(super) fn go_mounts(fs: &GoFs<'_>, stamps: bool) -> Vec<StepMount> {
    let mut mounts = vec![
        mount(
            paths::SRC,
            MountSource::Context {
                throwaway: stamps,
                exclude: Vec::new(),
            },
        ),
        // A read-only root gets a throwaway layer for mount points; scratch
        // space is a tmpfs (BuildKit mounts a non-output writable root
        // read-only anyway, see container.PrepareMounts).
        mount("/", MountSource::Builder),
    ];
    if fs.modules {
        mounts.push(mount(paths::MODCACHE, MountSource::Modules));
    }
    mounts.push(mount(
        paths::GOCACHE,
        MountSource::Cache {
            id: fs.gocache_id.to_string(),
            sharing: Sharing::Shared,
        },
    ));
    mounts.push(mount("/tmp", MountSource::Tmpfs));
    if let Some(seed) = fs.seed {
        mounts.push(mount(paths::SEED, MountSource::Seed(seed.source.clone())));
        with_tool(&mut mounts, &seed.tool);
    }
    mounts
}

/// Mounts gofront's image for its tools, unless the step has it already.
pub(super) fn with_tool(mounts: &mut Vec<StepMount>, tool: &ImageSource) {
    if !mounts.iter().any(|m| m.target == paths::TOOL_DIR) {
        mounts.push(mount(paths::TOOL_DIR, MountSource::Tool(tool.clone())));
    }
}

/// A cache mount at `target`.
pub(super) fn with_cache(mounts: &mut Vec<StepMount>, target: &str, id: &str, sharing: Sharing) {
    mounts.push(mount(
        target,
        MountSource::Cache {
            id: id.to_string(),
            sharing,
        },
    ));
}

/// Another step's output, read-only at `target`.
pub(super) fn with_step(mounts: &mut Vec<StepMount>, target: &str, step: StepRef) {
    mounts.push(mount(target, MountSource::Step(step)));
}

/// The step's output directory at `target`.
pub(super) fn with_output(mounts: &mut Vec<StepMount>, target: &str, base: OutputBase) {
    mounts.push(mount(target, MountSource::Output(base)));
}

/// The step does not see these context paths (the files only the runtime
/// image copies), besides `.dockerignore`'s.
pub(super) fn with_context_exclude(mounts: &mut [StepMount], patterns: &[String]) {
    for m in mounts {
        if let MountSource::Context { exclude, .. } = &mut m.source {
            exclude.extend(patterns.iter().cloned());
        }
    }
}
