//! The caches: the GOCACHE id and its scope, the cache tools' steps
//! (seed, export, module download cache) and the download step.

use std::collections::BTreeMap;

use super::go::*;
use super::images::*;
use super::located::*;
use crate::cachetool::{ExportArgs, Invocation, KeepArgs, ModcacheArgs, SeedArgs};
use crate::options::{ContextSource, GOCACHE_CONTEXT};
use crate::plan::error::PlanError;
use crate::plan::image::overlay_env;
use crate::plan::project::{Project, dockerignore_patterns, download_files};
use crate::plan::types::{
    Binary, ContextMount, ContextState, DownloadPlan, IdMount, ModuleCache, Owner, PlanInputs,
    paths,
};
use crate::spec::keys::{self, section};
use crate::spec::{CacheScope, Problem, Spec, defaults, managed};
use crate::target::Target;

/// The command the export tool runs: `go list -export -deps` with the
/// build's flags and packages, whose export files name the cache entries
/// they use.
pub(super) fn export_list(flags: &[String], packages: &[String]) -> Vec<String> {
    let mut args = strings(&[
        "go",
        "list",
        "-export",
        "-deps",
        "-f",
        "{{if .Export}}{{.Export}}{{end}}",
    ]);
    args.extend(flags.iter().cloned());
    args.extend(packages.iter().cloned());
    args
}

/// The tool that merges the seed into GOCACHE, then runs the command:
/// seeding happens exactly when a Go step runs, so a result taken from an
/// imported layer cache never skips it. `used`: Go runs through the cache
/// program, which lists what it used at `paths::USED_LIST`; `stamp`: the
/// source's times come from its content first.
pub(super) fn seed_tool(used: bool, stamp: bool) -> Invocation {
    Invocation::Seed(SeedArgs {
        from: paths::SEED.into(),
        into: paths::GOCACHE.into(),
        used: used.then(|| paths::USED_LIST.into()),
        stamp: stamp.then(|| paths::SRC.into()),
        command: Vec::new(),
    })
}

/// `gofront testreport`, which writes the test step's report into its
/// output.
/// With `shard`, the tool runs that shard of the command's last
/// `packages` words (the package patterns).
pub(super) fn report_tool(shard: Option<&str>, packages: usize) -> Invocation {
    Invocation::TestReport(crate::cachetool::TestReportArgs {
        out: paths::REPORT.into(),
        shard: shard.map(str::to_string),
        packages: shard.map(|_| packages.to_string()),
        command: Vec::new(),
    })
}

/// `gofront keep`, which copies `binaries` from the kept directory into
/// the output once the build succeeds.
pub(super) fn keep_tool(binaries: &[Binary]) -> Invocation {
    Invocation::Keep(KeepArgs {
        dir: paths::KEEP.into(),
        out: paths::OUT.into(),
        binary: binaries.iter().map(|b| b.name.clone()).collect(),
        command: Vec::new(),
    })
}

/// The kept directory's cache id: one per build configuration (the
/// builder, the project, the build's argv and environment, hence its
/// platform), so builds of different configurations never take turns
/// overwriting each other's binaries (each would link them all again).
pub(super) fn keep_id(
    inp: &PlanInputs<'_>,
    builder: &str,
    args: &[String],
    env: &[String],
) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for part in [builder, &project_names(inp.project)]
        .into_iter()
        .chain(args.iter().map(String::as_str))
        .chain(env.iter().map(String::as_str))
    {
        h.update(part.as_bytes());
        h.update([0]);
    }
    let hex: String = h.finalize()[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{}gofront-keep-{hex}", inp.options.cache_namespace)
}

/// `go mod download` through the module download cache tool, which merges
/// `seed` (module files of a gocache seed) first.
pub(super) fn download_with_cache(seed: Option<&str>) -> Vec<String> {
    ModcacheArgs {
        cache: paths::MODDL.into(),
        modcache: paths::DOWNLOAD_MODCACHE.into(),
        seed: seed.map(str::to_string),
        command: go_mod_download(),
    }
    .to_argv(paths::TOOL)
}

pub(super) fn go_mod_download() -> Vec<String> {
    strings(&["go", "mod", "download"])
}

/// Carrying the Go build cache: a seed (`--build-context gocache=...`),
/// the export step of `--target gocache` (`export` unwrapped), or neither.
/// With `GOFRONT_GOCACHE_MODULES` the module download cache travels too:
/// the export copies it, and a seed's modules join it before the download.
/// What [`gocache_plan`] decides.
pub(super) struct GocachePlan {
    /// `--build-context gocache=...`.
    pub(super) seed: Option<ContextState>,
    /// The export tool (`--target gocache`), which runs the build's `go
    /// list -export`.
    pub(super) export: Invocation,
    /// The image config of the `gocache` target.
    pub(super) image_config: serde_json::Value,
    /// The module download cache id the export copies too.
    pub(super) modules: Option<String>,
    /// The test step runs too and the export copies its entries.
    pub(super) with_tests: bool,
}

pub(super) fn gocache_plan(
    inp: &PlanInputs<'_>,
    download: &mut Option<DownloadPlan>,
) -> Result<Option<GocachePlan>, PlanError> {
    let opts = inp.options;
    let seed = match opts.named_context(GOCACHE_CONTEXT) {
        None => None,
        Some(source) => match context_state(source, opts.resolve_mode) {
            Ok(state) => Some(state),
            Err(
                ContextSource::Other(value)
                | ContextSource::OciLayout {
                    reference: value, ..
                }
                | ContextSource::Local(value)
                | ContextSource::Image(value),
            ) => {
                return Err(PlanError::SeedKind {
                    name: GOCACHE_CONTEXT.into(),
                    value,
                });
            }
        },
    };
    if seed.is_none() && opts.target != Target::Gocache {
        return Ok(None);
    }
    if inp.tool_image.is_none() {
        return Err(PlanError::NoToolImage);
    }
    let modules = download
        .as_ref()
        .and_then(|d| d.module_cache.as_ref())
        .filter(|_| opts.gocache_modules)
        .map(|m| m.id.clone());
    // Seeded, the Go steps list what they used and the export copies that
    // (the test step's too with GOFRONT_GOCACHE_TESTS); else, or when no
    // list was written (Go before 1.24 has no GOCACHEPROG), go list's.
    let with_tests = seed.is_some() && opts.gocache_tests;
    let mut used = Vec::new();
    if seed.is_some() {
        used.push(format!(
            "{}{}/{}",
            paths::BUILT,
            paths::OWNED_DIR,
            paths::USED_FILE
        ));
    }
    if with_tests {
        used.push(format!(
            "{}{}/{}",
            paths::TESTED,
            paths::OWNED_DIR,
            paths::USED_FILE
        ));
    }
    let export = Invocation::Export(ExportArgs {
        cache: paths::GOCACHE.into(),
        out: paths::EXPORT.into(),
        modules: modules.as_ref().map(|_| paths::MODDL.into()),
        used,
        command: Vec::new(),
    });
    // A module download cache means the download runs through the tool.
    if modules.is_some()
        && let Some(seed) = &seed
        && let Some(d) = download.as_mut()
        && let Some(m) = d.module_cache.as_mut()
    {
        d.args = download_with_cache(Some(paths::SEED_MODULES));
        m.seed = Some(seed.clone());
    }
    Ok(Some(GocachePlan {
        export,
        with_tests,
        seed,
        image_config: serde_json::json!({
            "architecture": inp.build_platform.architecture,
            "os": inp.build_platform.os,
            "config": { "Labels": { "org.gofront.gocache": "1" } },
            "rootfs": { "type": "layers", "diff_ids": [] },
        }),
        modules,
    }))
}

/// `.dockerignore`'s patterns, and `.git` unless `BUILDKIT_CONTEXT_KEEP_GIT_DIR`.
pub(super) fn context_exclude(inp: &PlanInputs<'_>) -> Vec<String> {
    let mut exclude = inp
        .dockerignore
        .map_or_else(Vec::new, dockerignore_patterns);
    if !inp.options.keep_git_dir {
        exclude.push(".git".to_string());
    }
    exclude
}

/// The GOCACHE mount's id: one for every project, target and platform (Go
/// keys its cache itself) unless `cache.scope` says otherwise, one per
/// builder image with cgo. A seeded build (`--build-context gocache=...`)
/// gets a cache of its project's own that no unseeded build mounts: Go
/// trusts a cache entry's action-to-output mapping without checking it, so
/// a seed's entries must never reach another project's builds on a shared
/// builder.
pub(super) fn gocache_id(inp: &PlanInputs<'_>, cgo: bool, seeded: bool, builder: &str) -> String {
    let ns = &inp.options.cache_namespace;
    let scope = if seeded {
        format!("-seeded-{}", project_names(inp.project))
    } else {
        cache_scope(inp.spec, inp.project)
    };
    if cgo {
        // Go does not see C libraries change: never share cgo objects across
        // builder images.
        format!("{ns}gofront-gocache{scope}-cgo-{builder}")
    } else {
        format!("{ns}gofront-gocache{scope}")
    }
}

/// What the cache ids add for `cache.scope`: nothing for `builder`, the
/// module path(s) for `project`.
pub(super) fn cache_scope(spec: &Spec, project: &Project) -> String {
    match spec
        .cache
        .scope
        .as_ref()
        .map_or(defaults::SCOPE, |f| f.value)
    {
        CacheScope::Builder => String::new(),
        CacheScope::Project => format!("-project-{}", project_names(project)),
    }
}

/// The project's module path, or its workspace members' joined by `+`.
pub(super) fn project_names(project: &Project) -> String {
    match &project.module {
        Some(m) => m.clone(),
        None => project
            .module_paths
            .values()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join("+"),
    }
}

pub(super) fn download_plan(
    inp: &PlanInputs<'_>,
    builder_env: &[String],
    owner: &Owner,
    problems: &mut Vec<Problem>,
) -> Option<DownloadPlan> {
    let project = inp.project;
    if project.vendored || !project.has_requirements {
        return None;
    }
    let d = &inp.spec.download;
    let mut contexts = Vec::new();
    for (name, dest) in &d.contexts {
        match inp.options.named_context(name) {
            Some(source @ (ContextSource::Local(_) | ContextSource::Image(_))) => {
                if let Ok(source) = context_state(source, inp.options.resolve_mode) {
                    contexts.push(ContextMount {
                        name: name.clone(),
                        dest: dest.value.clone(),
                        source,
                    })
                }
            }
            Some(ContextSource::OciLayout { reference: other, .. } | ContextSource::Other(other)) => problems.push(problem(
                dest,
                &keys::DOWNLOAD_CONTEXTS,
                format!(
                    "download.contexts.{name}: build context {other:?} is not supported yet; pass a directory or a docker-image:// reference"
                ),
            )),
            None => problems.push(problem(
                dest,
                &keys::DOWNLOAD_CONTEXTS,
                format!(
                    "download.contexts.{name}: no build context named {name:?} was passed; add --build-context {name}=DIR"
                ),
            )),
        }
    }
    let mut ours: BTreeMap<String, String> = BTreeMap::new();
    let user_env = |k: &str| d.env.get(k).map(|f| f.value.clone());
    let ids = |f: &Option<crate::spec::Field<Vec<String>>>| {
        f.as_ref().map_or_else(Vec::new, |f| f.value.clone())
    };
    // Secrets and agent sockets belong to the step's user; a user known
    // only by name gets modes anyone in the step may use (BuildKit needs
    // numbers). Optional: without `--secret` the step runs, and a module
    // that needs credentials fails with the tool's sentence about them.
    let (uid, gid, secret_mode, ssh_mode) = match owner {
        Owner::Ids(u, g) => (*u, *g, 0o400, 0o600),
        Owner::Names(..) => (0, 0, 0o444, 0o666),
    };
    let secrets: Vec<IdMount> = ids(&d.secrets)
        .into_iter()
        .map(|id| {
            // Go reads credentials from $NETRC: the netrc secret is mounted
            // where the user's NETRC says, else at its /run/secrets path.
            let dest = match user_env("NETRC") {
                Some(p) if id == paths::NETRC_SECRET && p.starts_with('/') => p,
                _ => format!("{}/{id}", paths::SECRETS),
            };
            IdMount {
                id,
                dest,
                uid,
                gid,
                mode: secret_mode,
            }
        })
        .collect();
    if let Some(netrc) = secrets.iter().find(|s| s.id == paths::NETRC_SECRET) {
        ours.insert("NETRC".into(), netrc.dest.clone());
    }
    let ssh: Vec<IdMount> = ids(&d.ssh)
        .into_iter()
        .enumerate()
        .map(|(i, id)| IdMount {
            id,
            dest: format!("{}.{i}", paths::SSH_AGENT),
            uid,
            gid,
            mode: ssh_mode,
        })
        .collect();
    if let Some(first) = ssh.first() {
        ours.insert("SSH_AUTH_SOCK".into(), first.dest.clone());
    }
    ours.insert(managed::GOTOOLCHAIN.name.into(), "local".into());
    ours.insert(
        managed::GOMODCACHE.name.into(),
        paths::DOWNLOAD_MODCACHE.into(),
    );
    // The download step has no use for a build cache; keep it off any mount.
    ours.insert(managed::GOCACHE.name.into(), "/tmp/gofront-gocache".into());
    for (k, v) in &d.env {
        ours.insert(k.clone(), v.value.clone());
    }
    let proxy = inp.options.proxies();
    // With gofront's image at hand, its tool runs the download against the
    // module download cache first: a go.mod edit fetches only what is new.
    let (args, module_cache) = match inp.tool_image {
        Some(tool) => (
            download_with_cache(None),
            Some(ModuleCache {
                id: format!(
                    "{}gofront-gomod-download{}",
                    inp.options.cache_namespace,
                    cache_scope(inp.spec, project)
                ),
                tool: tool_source(tool),
                seed: None,
            }),
        ),
        None => (go_mod_download(), None),
    };
    Some(DownloadPlan {
        files: download_files(project),
        args,
        module_cache,
        env: overlay_env(
            builder_env,
            ours.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        ),
        network: d.network.as_ref().map_or(defaults::NETWORK, |n| n.value),
        secrets,
        ssh,
        proxy,
        contexts,
        location: section_lines(inp, section::DOWNLOAD),
    })
}
