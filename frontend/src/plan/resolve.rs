//! The defaults, resolved.

use std::collections::BTreeMap;

use super::error::PlanError;
use super::image::{DEFAULT_PATH, RuntimeConfig, overlay_env, rfc3339, runtime_image_config};
use super::project::{Project, dockerignore_patterns, download_files};
use super::stamp::Stamp;
use super::types::{
    Binary, ContextMount, ContextState, DownloadPlan, ExportOutput, ExportPlan, GoStep, IdMount,
    ImageSource, ModuleCache, Owner, Plan, PlanInputs, RuntimePlan, SbomPlan, Seed, TargetPlan,
    paths,
};
use crate::cachetool::{ExportArgs, ModcacheArgs, SeedArgs};
use crate::llb::SourceRange;
use crate::options::{
    ContextSource, GOCACHE_CONTEXT, Options, Platform, ResolveMode, Target, VERSION_ARG,
};
use crate::sbom::SbomRequest;
use crate::sbom::spdx::BaseImage;
use crate::sbom::tool::Args as SbomArgs;
use crate::spec::keys::{self, Key, section};
use crate::spec::{CacheScope, Field, Origin, Problem, Spec, SpecError, defaults, managed};

/// The images a build needs, known before anything is resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRefs {
    /// The builder image.
    pub builder: String,
    /// The runtime base (`None`: scratch).
    pub runtime: Option<String>,
}

impl ImageRefs {
    /// The runtime base to resolve for `target`: only the image target
    /// has one (`--target binaries` for windows never touches a Linux base).
    pub fn runtime_for(&self, target: Target) -> Option<&str> {
        match target {
            Target::Image => self.runtime.as_deref(),
            Target::Binaries | Target::Test | Target::Gocache => None,
        }
    }
}

/// Which images to resolve: the spec's, else defaults from the go line.
pub fn image_refs(spec: &Spec, project: &Project) -> ImageRefs {
    let builder = match &spec.build.builder {
        Some(b) => b.value.clone(),
        None => match &project.toolchain {
            // A toolchain line names an exact release; a go line is a minimum,
            // which the newest patch of its release line satisfies.
            Some(t) => format!("golang:{t}"),
            None => format!("golang:{}", project.go.minor_line()),
        },
    };
    let cgo = cgo_enabled(spec);
    let runtime = match &spec.runtime.base {
        Some(b) if b.value == "scratch" => None,
        Some(b) => Some(b.value.clone()),
        None if cgo => Some(defaults::CGO_BASE.to_string()),
        None => Some(defaults::STATIC_BASE.to_string()),
    };
    ImageRefs { builder, runtime }
}

/// Resolves every default into a [`Plan`].
pub fn resolve(inp: &PlanInputs<'_>) -> Result<Plan, PlanError> {
    let spec = inp.spec;
    let opts = inp.options;
    let project = inp.project;
    let refs = image_refs(spec, project);
    let target_platform = inp.target_platform.clone();
    super::platforms::check(&target_platform, opts.target, inp.runnable_platforms)?;
    check_go_version(inp, &refs.builder)?;

    let builder_user = inp.builder_config.map(|c| c.user()).unwrap_or_default();
    let builder_env = match inp.builder_config {
        Some(c) if !c.env().is_empty() => c.env(),
        _ => vec![format!("PATH=/usr/local/go/bin:/go/bin:{DEFAULT_PATH}")],
    };
    let cgo = cgo_enabled(spec);
    let created = rfc3339(opts.source_date_epoch.unwrap_or(inp.now));

    // Every spec problem, in the order of the spec's sections.
    let mut problems = Vec::new();
    let packages = build_packages(spec);
    let binaries = binaries(spec, project, &packages, &target_platform, &mut problems);
    if let Some(c) = spec.build.cgo.as_ref().filter(|c| c.value)
        && let Some(message) = cgo_cross_problem(&inp.build_platform, &target_platform, spec)
    {
        problems.push(problem(c, &keys::BUILD_CGO, message));
    }
    let flags = go_flags(spec, opts, &created, &mut problems);
    let owner = owner_of(&builder_user);
    let mut download = download_plan(inp, &builder_env, &owner, &mut problems);
    let runtime = runtime_plan(
        inp,
        &refs,
        &target_platform,
        &binaries,
        &created,
        &mut problems,
    );
    if !problems.is_empty() {
        return Err(SpecError {
            file: inp.spec_file.to_string(),
            language: spec.language,
            text: inp.spec_text.to_string(),
            problems,
        }
        .into());
    }

    let go_env = go_env(spec, project.vendored, &target_platform);
    let env = overlay_env(
        &builder_env,
        go_env.iter().map(|(k, v)| (k.as_str(), v.as_str())),
    );
    let build_location = section_lines(inp, section::BUILD);
    let gocache = gocache_plan(
        inp,
        GoStep {
            args: export_list(&flags, &packages),
            env: env.clone(),
            name: format!(
                "[gofront] export the Go build cache of {}",
                packages.join(" ")
            ),
            location: build_location.clone(),
            records_used: false,
            stamps_source: false,
        },
        &mut download,
    )?;
    let tool = inp.tool_image.map(tool_source);
    let seed = match (gocache.as_ref().and_then(|g| g.seed.clone()), &tool) {
        (Some(source), Some(tool)) => Some(Seed {
            source,
            tool: tool.clone(),
        }),
        _ => None,
    };
    // Seeded, every Go step records the cache entries it used (the export
    // copies them) and the test step keys test inputs by content.
    let seeded = seed.is_some();
    let go_step = |args: Vec<String>, name: String, location, stamps: bool| GoStep {
        args: if seeded {
            with_seed(args, true, stamps)
        } else {
            args
        },
        env: env.clone(),
        name,
        location,
        records_used: seeded,
        stamps_source: seeded && stamps,
    };
    let build = || {
        go_step(
            build_args(&flags, &packages, &binaries),
            format!("[gofront] go build {}", packages.join(" ")),
            build_location.clone(),
            false,
        )
    };
    let test = || {
        let test_packages = test_packages(spec, project);
        go_step(
            test_args(spec, &flags, &test_packages),
            format!("[gofront] go test {}", test_packages.join(" ")),
            section_lines(inp, section::TEST),
            true,
        )
    };
    let builder_is_root = owner == Owner::Ids(0, 0);
    let sbom = match (opts.target, &opts.sbom, &tool) {
        (Target::Image, Some(SbomRequest::Gofront), Some(tool)) => Some(Box::new(sbom_plan(
            inp,
            &refs,
            &binaries,
            &env,
            tool.clone(),
        ))),
        (Target::Image, Some(SbomRequest::Gofront), None) => {
            return Err(PlanError::SbomNoToolImage);
        }
        // `generator=IMAGE`: BuildKit runs that scanner, as for any
        // frontend; other targets: BuildKit's scanner too (docs/sbom.md).
        _ => None,
    };
    let target = match (opts.target, gocache, tool) {
        (Target::Image, ..) => TargetPlan::Image {
            build: build(),
            runtime,
            sbom,
        },
        (Target::Binaries, ..) => TargetPlan::Binaries {
            build: build(),
            binaries,
        },
        (Target::Test, ..) => TargetPlan::Test { test: test() },
        (Target::Gocache, Some(g), Some(tool)) => TargetPlan::Gocache {
            build: build(),
            test: g.with_tests.then(test),
            export: ExportPlan {
                step: g.export,
                tool,
                modules: g.modules,
                output: if builder_is_root {
                    ExportOutput::Direct
                } else {
                    ExportOutput::OwnedDir
                },
                image_config: g.image_config,
            },
        },
        (Target::Gocache, ..) => return Err(PlanError::NoToolImage),
    };

    Ok(Plan {
        target,
        build_platform: inp.build_platform.clone(),
        target_platform,
        session_id: inp.session_id.to_string(),
        no_cache: opts.no_cache,
        builder: pinned_image(
            &refs.builder,
            inp.builder_config.and_then(|c| c.digest.as_deref()),
            opts.resolve_mode,
        ),
        owner,
        builder_is_root,
        builder_user,
        builder_env,
        go_env: env,
        context_local: opts.context_local.clone(),
        context_exclude: context_exclude(inp),
        download,
        gocache_id: gocache_id(inp, cgo, seed.is_some(), &refs.builder),
        seed,
    })
}

/// The SBOM step: `gofront sbom` over the build's binaries, named as they
/// are in the image, with the runtime base as resolved and the image's own
/// creation time (SOURCE_DATE_EPOCH, else the build's start).
fn sbom_plan(
    inp: &PlanInputs<'_>,
    refs: &super::ImageRefs,
    binaries: &[Binary],
    env: &[String],
    tool: ImageSource,
) -> SbomPlan {
    let opts = inp.options;
    let created = opts.source_date_epoch.unwrap_or(inp.now);
    let version_arg = opts
        .build_args
        .get(VERSION_ARG)
        .map(String::as_str)
        .filter(|v| !v.is_empty());
    // The build's version names the main module (Go records `(devel)`)
    // when the build states one: GOFRONT_VERSION, or ldflags stamping it.
    let stamps_version = version_arg.is_some()
        || inp
            .spec
            .build
            .ldflags
            .as_ref()
            .is_some_and(|l| l.value.contains(".Version"));
    let main_version = stamps_version
        .then(|| Stamp::new(version_arg, opts.vcs_revision.as_deref(), String::new()).version);
    let base = refs.runtime.as_ref().map(|r| BaseImage {
        reference: r.clone(),
        digest: inp
            .runtime_config
            .and_then(|c| c.digest.clone())
            .filter(|d| !d.is_empty()),
    });
    let args = SbomArgs {
        out: format!("{}/{}", paths::SBOM, crate::sbom::ATTESTATION_PATH).into(),
        name: project_names(inp.project),
        created,
        base,
        main_version,
        go_sum: Some(format!("{}/go.sum", paths::SRC).into()),
        go: "go".to_string(),
        binaries: binaries
            .iter()
            .map(|b| {
                (
                    format!("{}/{}", paths::BUILT, b.name).into(),
                    format!("{}/{}", paths::BIN, b.name),
                )
            })
            .collect(),
    };
    let names: Vec<&str> = binaries.iter().map(|b| b.name.as_str()).collect();
    SbomPlan {
        args: args.to_argv(paths::TOOL),
        env: env.to_vec(),
        user: "0:0".to_string(),
        tool,
        name: format!("[gofront] SBOM of {}", names.join(", ")),
    }
}

/// An image the frontend resolved in this build, pinned to that digest.
/// It is taken from the engine's store when it is there (the digest names
/// the very same image) instead of asking the registry a second time in
/// the same build; `--pull` still pulls.
fn pinned_image(name: &str, digest: Option<&str>, mode: ResolveMode) -> ImageSource {
    let reference = match digest {
        Some(d) if !name.contains('@') => format!("{name}@{d}"),
        _ => name.to_string(),
    };
    ImageSource {
        name: name.to_string(),
        reference,
        resolve_mode: match (mode, digest) {
            (ResolveMode::Default, Some(_)) => ResolveMode::Local,
            _ => mode,
        },
    }
}

/// gofront's own image, for its tool, from the engine's own store:
/// BuildKit just ran it as the frontend. (In the default mode the
/// containerd image store asks the registry for it again first.)
fn tool_source(image: &str) -> ImageSource {
    ImageSource {
        name: image.to_string(),
        reference: image.to_string(),
        resolve_mode: ResolveMode::Local,
    }
}

/// A named build context as a source; what gofront cannot mount is
/// handed back.
fn context_state(source: ContextSource, mode: ResolveMode) -> Result<ContextState, ContextSource> {
    match source {
        ContextSource::Local(local) => Ok(ContextState::Local(local)),
        ContextSource::Image(r) => Ok(ContextState::Image(ImageSource {
            name: r.clone(),
            reference: r,
            resolve_mode: mode,
        })),
        ContextSource::OciLayout { store, reference } => match reference.split_once('@') {
            Some((_, digest)) => Ok(ContextState::OciLayout {
                digest: digest.to_string(),
                store,
            }),
            None => Err(ContextSource::OciLayout { store, reference }),
        },
        other @ ContextSource::Other(_) => Err(other),
    }
}

/// `build.packages`, else the module's root package.
fn build_packages(spec: &Spec) -> Vec<String> {
    spec.build
        .packages
        .as_ref()
        .map_or_else(|| strings(defaults::BUILD_PACKAGES), |p| p.value.clone())
}

/// `build.cgo`, else its default.
fn cgo_enabled(spec: &Spec) -> bool {
    spec.build.cgo.as_ref().map_or(defaults::CGO, |c| c.value)
}

/// The Go variables the build and test steps set over the builder image's
/// environment: `build.env` first, then gofront's own, which win (the spec
/// refuses managed names in `build.env`).
fn go_env(spec: &Spec, vendored: bool, target: &Platform) -> BTreeMap<String, String> {
    let mut env: BTreeMap<String, String> = spec
        .build
        .env
        .iter()
        .map(|(k, v)| (k.clone(), v.value.clone()))
        .collect();
    let ours = [
        (managed::GOTOOLCHAIN, "local"),
        (managed::GOCACHE, paths::GOCACHE),
        (managed::GOMODCACHE, paths::MODCACHE),
        (managed::GOPROXY, "off"),
        (
            managed::GOFLAGS,
            if vendored {
                "-mod=vendor"
            } else {
                "-mod=readonly"
            },
        ),
        (
            managed::CGO_ENABLED,
            if cgo_enabled(spec) { "1" } else { "0" },
        ),
        (managed::GOOS, &target.os),
        (managed::GOARCH, &target.architecture),
    ];
    env.extend(ours.map(|(k, v)| (k.name.to_string(), v.to_string())));
    if let Some((k, v)) = variant_env(target) {
        env.insert(k.name.into(), v);
    }
    env
}

/// The flags `go build`, `go test` and the export's `go list` share: the
/// same flags give the same cache keys, so the export finds the build's
/// entries.
fn go_flags(
    spec: &Spec,
    opts: &Options,
    created: &str,
    problems: &mut Vec<Problem>,
) -> Vec<String> {
    let mut flags = vec!["-buildvcs=false".to_string()];
    if spec
        .build
        .trimpath
        .as_ref()
        .map_or(defaults::TRIMPATH, |t| t.value)
    {
        flags.push("-trimpath".into());
    }
    if let Some(tags) = spec.build.tags.as_ref().filter(|t| !t.value.is_empty()) {
        flags.push(format!("-tags={}", tags.value.join(",")));
    }
    let stamp = Stamp::new(
        opts.build_args.get(VERSION_ARG).map(String::as_str),
        opts.vcs_revision.as_deref(),
        created.to_string(),
    );
    let mut ldflags = Vec::new();
    if spec
        .build
        .strip
        .as_ref()
        .map_or(defaults::STRIP, |s| s.value)
    {
        ldflags.push("-s -w".to_string());
    }
    if let Some(ld) = &spec.build.ldflags {
        match super::stamp::expand(&ld.value, &stamp, &opts.build_args) {
            Ok(v) if !v.trim().is_empty() => ldflags.push(v),
            Ok(_) => {}
            Err(message) => problems.push(problem(
                ld,
                &keys::BUILD_LDFLAGS,
                format!("build.ldflags: {message}"),
            )),
        }
    }
    if !ldflags.is_empty() {
        flags.push(format!("-ldflags={}", ldflags.join(" ")));
    }
    flags
}

/// `go build -v FLAGS -o OUT PACKAGES`: one binary into `/out/NAME`,
/// several into `/out/`.
fn build_args(flags: &[String], packages: &[String], binaries: &[Binary]) -> Vec<String> {
    let out = match binaries {
        [one] => format!("{}/{}", paths::OUT, one.name),
        _ => format!("{}/", paths::OUT),
    };
    let mut args = strings(&["go", "build", "-v"]);
    args.extend(flags.iter().cloned());
    args.extend(["-o".to_string(), out]);
    args.extend(packages.iter().cloned());
    args
}

/// `test.packages`, else every package of the module (of each member, in a
/// workspace).
fn test_packages(spec: &Spec, project: &Project) -> Vec<String> {
    match &spec.test.packages {
        Some(p) => p.value.clone(),
        // `go test ./...` at the root of a workspace matches no module: list
        // each member's packages instead.
        None if project.workspace => project
            .workspace_members
            .iter()
            .map(|d| {
                if d == "." {
                    "./...".to_string()
                } else {
                    format!("./{d}/...")
                }
            })
            .collect(),
        None => strings(defaults::TEST_PACKAGES),
    }
}

/// `go test FLAGS TEST_FLAGS PACKAGES`.
fn test_args(spec: &Spec, flags: &[String], test_packages: &[String]) -> Vec<String> {
    let mut args = strings(&["go", "test"]);
    args.extend(flags.iter().cloned());
    if let Some(f) = &spec.test.flags {
        args.extend(f.value.iter().cloned());
    }
    args.extend(test_packages.iter().cloned());
    args
}

/// The command the export tool runs: `go list -export -deps` with the
/// build's flags and packages, whose export files name the cache entries
/// they use.
fn export_list(flags: &[String], packages: &[String]) -> Vec<String> {
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

/// `args` run by the tool after it merges the seed into GOCACHE: seeding
/// happens exactly when a Go step runs, so a result taken from an imported
/// layer cache never skips it. `used`: Go runs through the cache program,
/// which lists what it used at `paths::USED_LIST`; `stamp`: the source's
/// times come from its content first.
fn with_seed(args: Vec<String>, used: bool, stamp: bool) -> Vec<String> {
    SeedArgs {
        from: paths::SEED.into(),
        into: paths::GOCACHE.into(),
        used: used.then(|| paths::USED_LIST.into()),
        stamp: stamp.then(|| paths::SRC.into()),
        command: args,
    }
    .to_argv(paths::TOOL)
}

/// `go mod download` through the module download cache tool, which merges
/// `seed` (module files of a gocache seed) first.
fn download_with_cache(seed: Option<&str>) -> Vec<String> {
    ModcacheArgs {
        cache: paths::MODDL.into(),
        modcache: paths::DOWNLOAD_MODCACHE.into(),
        seed: seed.map(str::to_string),
        command: go_mod_download(),
    }
    .to_argv(paths::TOOL)
}

fn go_mod_download() -> Vec<String> {
    strings(&["go", "mod", "download"])
}

/// Carrying the Go build cache: a seed (`--build-context gocache=...`),
/// the export step of `--target gocache` (`export` unwrapped), or neither.
/// With `GOFRONT_GOCACHE_MODULES` the module download cache travels too:
/// the export copies it, and a seed's modules join it before the download.
/// What [`gocache_plan`] decides.
struct GocachePlan {
    /// `--build-context gocache=...`.
    seed: Option<ContextState>,
    /// The export step (`--target gocache`).
    export: GoStep,
    /// The image config of the `gocache` target.
    image_config: serde_json::Value,
    /// The module download cache id the export copies too.
    modules: Option<String>,
    /// The test step runs too and the export copies its entries.
    with_tests: bool,
}

fn gocache_plan(
    inp: &PlanInputs<'_>,
    export: GoStep,
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
    let args = ExportArgs {
        cache: paths::GOCACHE.into(),
        out: paths::EXPORT.into(),
        modules: modules.as_ref().map(|_| paths::MODDL.into()),
        used,
        command: export.args,
    }
    .to_argv(paths::TOOL);
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
        export: GoStep {
            args: if seed.is_some() {
                with_seed(args, false, false)
            } else {
                args
            },
            ..export
        },
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
fn context_exclude(inp: &PlanInputs<'_>) -> Vec<String> {
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
fn gocache_id(inp: &PlanInputs<'_>, cgo: bool, seeded: bool, builder: &str) -> String {
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

/// cgo for another platform needs a C compiler for that platform, which no
/// builder image has by default: refuse unless `build.env` names one.
fn cgo_cross_problem(build: &Platform, target: &Platform, spec: &Spec) -> Option<String> {
    if build == target || spec.build.env.contains_key("CC") {
        return None;
    }
    Some(format!(
        "build.cgo = true for {target} on a {build} builder needs a C cross compiler for {target}: set build.env CC to one the builder image has (e.g. CC = \"aarch64-linux-gnu-gcc\"), or build on a native {target} builder"
    ))
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn check_go_version(inp: &PlanInputs<'_>, builder: &str) -> Result<(), PlanError> {
    let Some(have) = inp
        .builder_config
        .and_then(|c| c.env_var("GOLANG_VERSION"))
        .and_then(|v| crate::gomod::GoVersion::parse(&v))
    else {
        // The image does not say; Go itself fails clearly with GOTOOLCHAIN=local.
        return Ok(());
    };
    let wanted = &inp.project.go;
    if have.satisfies(wanted) {
        return Ok(());
    }
    Err(PlanError::GoTooNew {
        file: if inp.project.workspace {
            "go.work"
        } else {
            "go.mod"
        }
        .into(),
        wanted: wanted.to_string(),
        wanted_line: wanted.minor_line(),
        builder: builder.to_string(),
        have: have.to_string(),
    })
}

/// `uid[:gid]` or `name[:group]` of the builder image; empty means root.
fn owner_of(user: &str) -> Owner {
    let (u, g) = user.split_once(':').unwrap_or((user, ""));
    match (u.parse::<u32>(), g.parse::<u32>()) {
        _ if u.is_empty() => Owner::Ids(0, 0),
        (Ok(uid), Ok(gid)) => Owner::Ids(uid, gid),
        (Ok(uid), Err(_)) if g.is_empty() => Owner::Ids(uid, 0),
        _ => Owner::Names(u.to_string(), (!g.is_empty()).then(|| g.to_string())),
    }
}

fn variant_env(p: &Platform) -> Option<(managed::GoVar, String)> {
    // Checked before planning: an unknown variant never gets here.
    super::platforms::go_variant(p).ok().flatten()
}

fn problem<T>(field: &Field<T>, key: &Key, message: String) -> Problem {
    Problem {
        origin: field.origin.clone(),
        key: key.dotted(),
        message,
    }
}

fn binaries(
    spec: &Spec,
    project: &Project,
    packages: &[String],
    platform: &Platform,
    problems: &mut Vec<Problem>,
) -> Vec<Binary> {
    // Both package problems point at build.packages (or nowhere, if defaulted).
    let packages_problem = |message: String| Problem {
        origin: spec
            .build
            .packages
            .as_ref()
            .map_or(Origin::Unknown, |p| p.origin.clone()),
        key: keys::BUILD_PACKAGES.dotted(),
        message,
    };
    let mut out: Vec<Binary> = Vec::new();
    for pkg in packages {
        // `./`, `./.` and `.` are the module's root package.
        let cleaned = super::project::clean_rel("", pkg).unwrap_or_else(|| pkg.clone());
        let name = if cleaned == "." {
            match &project.module {
                Some(m) => module_binary_name(m),
                None => {
                    problems.push(packages_problem(
                        "build.packages must name the main package's directory (e.g. \"./app\") in a go.work workspace".into(),
                    ));
                    continue;
                }
            }
        } else {
            cleaned.rsplit('/').next().unwrap_or(&cleaned).to_string()
        };
        out.push(Binary {
            package: pkg.clone(),
            // As `go build` names executables (app.exe for windows).
            name: format!("{name}{}", super::platforms::exe_suffix(platform)),
        });
    }
    if let Some(output) = &spec.build.output {
        if out.len() == 1 {
            out[0].name = output.value.clone();
        } else {
            problems.push(problem(
                output,
                &keys::BUILD_OUTPUT,
                "build.output can only be set when build.packages names one package".into(),
            ));
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for b in &out {
        if !seen.insert(b.name.clone()) {
            problems.push(packages_problem(format!(
                "build.packages: two packages would both produce a binary named {:?}",
                b.name
            )));
        }
    }
    out
}

/// The binary name `go build` gives a module's root package: the last path
/// element, skipping a major-version suffix such as `/v2`.
fn module_binary_name(module: &str) -> String {
    let mut parts = module.rsplit('/');
    let last = parts.next().unwrap_or(module);
    let is_major =
        last.len() > 1 && last.starts_with('v') && last[1..].chars().all(|c| c.is_ascii_digit());
    match (is_major, parts.next()) {
        (true, Some(prev)) => prev.to_string(),
        _ => last.to_string(),
    }
}

/// What the cache ids add for `cache.scope`: nothing for `builder`, the
/// module path(s) for `project`.
fn cache_scope(spec: &Spec, project: &Project) -> String {
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
fn project_names(project: &Project) -> String {
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

fn download_plan(
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

fn runtime_plan(
    inp: &PlanInputs<'_>,
    refs: &super::ImageRefs,
    platform: &Platform,
    binaries: &[Binary],
    created: &str,
    problems: &mut Vec<Problem>,
) -> RuntimePlan {
    let r = &inp.spec.runtime;
    let opts: &Options = inp.options;
    let base_cfg = refs.runtime.as_ref().and(inp.runtime_config);
    let user = match &r.user {
        Some(u) => {
            let numeric = u
                .value
                .split(':')
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
            if refs.runtime.is_none() && !numeric {
                problems.push(problem(
                    u,
                    &keys::RUNTIME_USER,
                    format!(
                        "runtime.user {:?} is a name, but a scratch image has no /etc/passwd; use a numeric uid:gid such as \"65532:65532\"",
                        u.value
                    ),
                ));
            }
            u.value.clone()
        }
        None => base_cfg
            .map(|c| c.user())
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| defaults::USER.to_string()),
    };
    let workdir = r
        .workdir
        .as_ref()
        .map(|w| w.value.clone())
        .or_else(|| base_cfg.map(|c| c.workdir()).filter(|w| !w.is_empty()))
        .unwrap_or_else(|| defaults::WORKDIR.to_string());
    let entrypoint = match &r.entrypoint {
        Some(e) => e.value.clone(),
        None => binaries
            .first()
            .map(|b| vec![format!("{}/{}", paths::BIN, b.name)])
            .unwrap_or_default(),
    };
    let cmd = r.cmd.as_ref().map(|c| c.value.clone());
    if let Some(e) = &r.entrypoint {
        let program = e.value.first().or(cmd.as_ref().and_then(|c| c.first()));
        match program {
            None => problems.push(problem(
                e,
                &keys::RUNTIME_ENTRYPOINT,
                "runtime.entrypoint is empty and runtime.cmd is unset, so the image has nothing to run; leave runtime.entrypoint out to run the first binary, or name a program".into(),
            )),
            Some(p) if p.trim().is_empty() => problems.push(problem(
                e,
                &keys::RUNTIME_ENTRYPOINT,
                "runtime.entrypoint starts with an empty program name; name the program to run, e.g. \"/usr/local/bin/app\"".into(),
            )),
            Some(_) => {}
        }
    }
    let mut base_env = base_cfg.map(|c| c.env()).unwrap_or_default();
    if !base_env.iter().any(|e| e.starts_with("PATH=")) {
        base_env.insert(0, format!("PATH={DEFAULT_PATH}"));
    }
    let env = overlay_env(
        &base_env,
        r.env.iter().map(|(k, v)| (k.as_str(), v.value.as_str())),
    );
    // gofront's OCI labels first: a label the spec or --label sets wins.
    let mut labels: Vec<(String, String)> = vec![(
        "org.opencontainers.image.created".into(),
        created.to_string(),
    )];
    if let Some(v) = opts.build_args.get(VERSION_ARG).filter(|v| !v.is_empty()) {
        labels.push(("org.opencontainers.image.version".into(), v.clone()));
    }
    if let Some(rev) = &opts.vcs_revision {
        labels.push(("org.opencontainers.image.revision".into(), rev.clone()));
    }
    if let Some(src) = &opts.vcs_source {
        labels.push(("org.opencontainers.image.source".into(), src.clone()));
    }
    labels.extend(r.labels.iter().map(|(k, v)| (k.clone(), v.value.clone())));
    labels.extend(opts.labels.iter().map(|(k, v)| (k.clone(), v.clone())));
    let names: Vec<&str> = binaries.iter().map(|b| b.name.as_str()).collect();
    let rc = RuntimeConfig {
        env,
        entrypoint,
        cmd,
        user,
        workdir,
        labels,
        expose: r
            .expose
            .as_ref()
            .map(|e| e.value.clone())
            .unwrap_or_default(),
        created_by: format!("gofront: COPY {} {}/", names.join(" "), paths::BIN),
    };
    RuntimePlan {
        base: refs.runtime.as_ref().map(|r| {
            pinned_image(
                r,
                base_cfg.and_then(|c| c.digest.as_deref()),
                opts.resolve_mode,
            )
        }),
        binaries: binaries.to_vec(),
        merge: inp.merge_supported && refs.runtime.is_some(),
        config: runtime_image_config(base_cfg, platform, &rc, created),
        settings: rc,
        base_env,
        location: section_lines(inp, section::RUNTIME),
    }
}

/// The spec lines where `section` is written, from the parsed spec's
/// spans (TOML or JSON); `None` when the spec file does not write it.
fn section_lines(inp: &PlanInputs<'_>, section: &str) -> Option<Vec<SourceRange>> {
    let ranges: Vec<SourceRange> = inp
        .spec
        .section_spans(section)
        .iter()
        .map(|r| SourceRange {
            start: crate::spec::line_col(inp.spec_text, r.start).line as u32,
            end: crate::spec::line_col(inp.spec_text, r.end.saturating_sub(1).max(r.start)).line
                as u32,
        })
        .collect();
    (!ranges.is_empty()).then_some(ranges)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn spec(text: &str) -> Spec {
        crate::spec::parse("gofront.toml", text, &BTreeMap::new()).unwrap()
    }

    /// One row per variable the Go steps get: the case, the variable, the
    /// value it must have (`None`: unset), and why.
    struct EnvRow {
        spec: &'static str,
        vendored: bool,
        platform: &'static str,
        var: &'static str,
        want: Option<&'static str>,
        why: &'static str,
    }

    const DEFAULT: &str = "# syntax=gofront:dev\n";

    const fn row(var: &'static str, want: &'static str, why: &'static str) -> EnvRow {
        EnvRow {
            spec: DEFAULT,
            vendored: false,
            platform: "linux/amd64",
            var,
            want: Some(want),
            why,
        }
    }

    #[test]
    fn go_env_table() {
        let rows = [
            row(
                "GOTOOLCHAIN",
                "local",
                "the builder image's Go, never a downloaded one: Go steps have no network, and the image is the choice of toolchain",
            ),
            row(
                "GOCACHE",
                paths::GOCACHE,
                "the build cache mount, shared by every project, target and platform",
            ),
            row(
                "GOMODCACHE",
                paths::MODCACHE,
                "the module cache the download step filled, mounted read-only",
            ),
            row(
                "GOPROXY",
                "off",
                "the build never fetches a module: everything came through the download step, keyed by go.mod and go.sum",
            ),
            row(
                "GOFLAGS",
                "-mod=readonly",
                "go.mod and go.sum are never rewritten by a build: a missing requirement fails as in CI",
            ),
            EnvRow {
                vendored: true,
                ..row(
                    "GOFLAGS",
                    "-mod=vendor",
                    "a vendored project builds from vendor/, and has no download step",
                )
            },
            row(
                "CGO_ENABLED",
                "0",
                "static binaries by default, for the distroless static base",
            ),
            EnvRow {
                spec: "[build]\ncgo = true\n",
                ..row(
                    "CGO_ENABLED",
                    "1",
                    "build.cgo = true, with the distroless base (glibc) as runtime",
                )
            },
            EnvRow {
                platform: "windows/arm64",
                ..row("GOOS", "windows", "the target platform's OS (--platform)")
            },
            EnvRow {
                platform: "linux/arm64",
                ..row("GOARCH", "arm64", "the target platform's architecture")
            },
            EnvRow {
                platform: "linux/arm/v7",
                ..row(
                    "GOARM",
                    "7",
                    "an arm variant, without its v, as Go spells it",
                )
            },
            EnvRow {
                platform: "linux/amd64/v3",
                ..row(
                    "GOAMD64",
                    "v3",
                    "an amd64 variant, as written: Go spells it v3 too",
                )
            },
            EnvRow {
                want: None,
                ..row(
                    "GOAMD64",
                    "",
                    "no variant, no variable: Go's own default (v1) stays",
                )
            },
            EnvRow {
                spec: "[build]\nenv = { CC = \"zig cc\" }\n",
                ..row("CC", "zig cc", "build.env passes through")
            },
        ];
        for r in rows {
            let platform = Platform::parse(r.platform).unwrap();
            let env = go_env(&spec(r.spec), r.vendored, &platform);
            assert_eq!(
                env.get(r.var).map(String::as_str),
                r.want,
                "{} ({}, {}): {}",
                r.var,
                r.platform,
                r.spec.trim(),
                r.why
            );
        }
        // And nothing else by default.
        let default = go_env(&spec(DEFAULT), false, &Platform::linux_amd64());
        let names: Vec<&str> = default.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            [
                "CGO_ENABLED",
                "GOARCH",
                "GOCACHE",
                "GOFLAGS",
                "GOMODCACHE",
                "GOOS",
                "GOPROXY",
                "GOTOOLCHAIN"
            ]
        );
    }

    #[test]
    fn every_variable_the_build_step_sets_is_one_build_env_may_not() {
        for platform in [
            "linux/amd64",
            "linux/arm/v7",
            "linux/amd64/v3",
            "windows/arm64",
        ] {
            let platform = Platform::parse(platform).unwrap();
            for vendored in [false, true] {
                for name in go_env(&spec(DEFAULT), vendored, &platform).keys() {
                    let refused = crate::spec::parse(
                        "gofront.toml",
                        &format!("[build.env]\n{name} = \"x\"\n"),
                        &BTreeMap::new(),
                    );
                    assert!(
                        refused.is_err() && managed::build_reason(name).is_some(),
                        "gofront sets {name} for {platform}, but build.env may set it too"
                    );
                }
            }
        }
    }

    #[test]
    fn go_flags_table() {
        // The spec, build args, the flags wanted, and why.
        type Row = (
            &'static str,
            &'static [(&'static str, &'static str)],
            &'static [&'static str],
            &'static str,
        );
        let rows: [Row; 6] = [
            (
                DEFAULT,
                &[],
                &["-buildvcs=false", "-trimpath", "-ldflags=-s -w"],
                "no VCS stamping (.git is not in the context), no build paths in binaries, no symbol table or DWARF",
            ),
            (
                "[build]\ntrimpath = false\n",
                &[],
                &["-buildvcs=false", "-ldflags=-s -w"],
                "build.trimpath = false keeps paths",
            ),
            (
                "[build]\nstrip = false\n",
                &[],
                &["-buildvcs=false", "-trimpath"],
                "build.strip = false: no -ldflags at all",
            ),
            (
                "[build]\ntags = [\"netgo\", \"osusergo\"]\n",
                &[],
                &[
                    "-buildvcs=false",
                    "-trimpath",
                    "-tags=netgo,osusergo",
                    "-ldflags=-s -w",
                ],
                "build.tags joined with commas, as go build takes them",
            ),
            (
                "[build]\ntags = []\n",
                &[],
                &["-buildvcs=false", "-trimpath", "-ldflags=-s -w"],
                "no tags, no -tags",
            ),
            (
                "[build]\nldflags = \"-X main.version={{.Version}}\"\n",
                &[("GOFRONT_VERSION", "1.2.3")],
                &[
                    "-buildvcs=false",
                    "-trimpath",
                    "-ldflags=-s -w -X main.version=1.2.3",
                ],
                "build.ldflags after -s -w, templates expanded",
            ),
        ];
        for (text, args, want, why) in rows {
            let build_args: Vec<(String, String)> = args
                .iter()
                .map(|(k, v)| (format!("build-arg:{k}"), v.to_string()))
                .collect();
            let opts = Options::parse(
                build_args
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .chain([("filename", "gofront.toml")]),
            )
            .unwrap();
            let spec = crate::spec::parse("gofront.toml", text, &opts.build_args).unwrap();
            let mut problems = Vec::new();
            let flags = go_flags(&spec, &opts, "1970-01-01T00:00:00Z", &mut problems);
            assert!(problems.is_empty(), "{why}: {problems:?}");
            assert_eq!(flags, want, "{}: {why}", text.trim());
        }
    }

    #[test]
    fn owners() {
        assert_eq!(owner_of(""), Owner::Ids(0, 0));
        assert_eq!(owner_of("1000:1000"), Owner::Ids(1000, 1000));
        assert_eq!(owner_of("1000"), Owner::Ids(1000, 0));
        assert_eq!(owner_of("gopher"), Owner::Names("gopher".into(), None));
    }

    #[test]
    fn binary_names_follow_go() {
        assert_eq!(module_binary_name("example.com/hello"), "hello");
        assert_eq!(module_binary_name("example.com/tool/v2"), "tool");
        assert_eq!(module_binary_name("hello"), "hello");
    }

    #[test]
    fn sections_are_located_from_the_parsed_spec() {
        let lines = |text: &str, section: &str| -> Vec<(u32, u32)> {
            let spec = crate::spec::parse("gofront.toml", text, &BTreeMap::new()).unwrap();
            spec.section_spans(section)
                .iter()
                .map(|r| {
                    (
                        crate::spec::line_col(text, r.start).line as u32,
                        crate::spec::line_col(text, r.end.saturating_sub(1).max(r.start)).line
                            as u32,
                    )
                })
                .collect()
        };
        let t = "# syntax=x\n[build] # the build\ntags = []\n\n[runtime]\nuser = \"1\"\n[runtime.env]\nA = \"b\"\n\n[test]\nflags = [\n  \"-v\",\n]\n[runtime.labels]\nx = \"y\"\n";
        assert_eq!(lines(t, "build"), [(2, 3)]);
        assert_eq!(lines(t, "runtime"), [(5, 8), (14, 15)]);
        assert_eq!(lines(t, "test"), [(10, 13)]);
        assert_eq!(lines(t, "download"), []);
        let j = "{\n  \"syntax\": \"x\",\n  \"build\": {\n    \"tags\": [\n      \"a\"\n    ]\n  },\n  \"runtime\": { \"user\": \"1\" }\n}\n";
        assert_eq!(lines(j, "build"), [(3, 7)]);
        assert_eq!(lines(j, "runtime"), [(8, 8)]);
    }
}
