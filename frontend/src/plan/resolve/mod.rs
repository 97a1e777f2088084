//! The defaults, resolved.
//!
//! `resolve` walks the spec section by section; `go` decides the Go steps
//! (env, flags, packages, binaries, the builder's owner), `cache` the cache
//! ids, the cache tools' steps and the download step, `images` which images
//! a build needs and the sources images and named contexts come from,
//! `runtime` the runtime image and its SBOM step, `located` where in the spec
//! a step's section and a problem's key are.

pub use images::image_refs;

mod cache;
mod go;
mod images;
mod layers;
mod located;
mod mounts;
mod runtime;

use crate::plan::error::PlanError;
use crate::plan::image::{DEFAULT_PATH, overlay_env};
use crate::plan::types::{
    Collect, Command, ExportPlan, GoStep, OutputBase, Owner, Plan, PlanInputs, ReportPlan, Seed,
    Sharing, StepRef, TargetPlan, paths,
};
use crate::rfc3339::rfc3339;
use crate::sbom::SbomRequest;
use crate::spec::SpecError;
use crate::spec::keys::{self, section};
use crate::target::{Target, binary_target};
use cache::*;
use go::*;
use images::*;
use layers::go_build_exclude;
use located::*;
use mounts::*;
use runtime::*;

/// Each binary's own `--target` and its package, in `build.packages`
/// order (`--call targets`); empty when the packages have problems, which
/// a build reports.
pub fn binary_targets(
    spec: &crate::spec::Spec,
    project: &crate::plan::project::Project,
) -> Vec<(String, String)> {
    let mut problems = Vec::new();
    let found = binaries_in_images(spec, project, &mut problems);
    if !problems.is_empty() {
        return Vec::new();
    }
    found
        .into_iter()
        .map(|b| (binary_target(&b.name), b.package))
        .collect()
}

/// The binaries as an image holds them, whatever the platform built:
/// images are Linux, so their binaries have no `.exe`. Binary targets and
/// `[images.NAME]` are named after these.
fn binaries_in_images(
    spec: &crate::spec::Spec,
    project: &crate::plan::project::Project,
    problems: &mut Vec<crate::spec::Problem>,
) -> Vec<crate::plan::types::Binary> {
    let linux = crate::platform::Platform::linux_amd64();
    binaries(
        spec,
        project,
        &build_packages(spec, project),
        &linux,
        problems,
    )
}

/// Resolves every default into a [`Plan`].
pub fn resolve(inp: &PlanInputs<'_>) -> Result<Plan, PlanError> {
    let spec = inp.spec;
    let opts = inp.options;
    let project = inp.project;
    let refs = image_refs(spec, project, opts.binary_target.as_deref());
    let target_platform = inp.target_platform.clone();
    crate::plan::platforms::check(&target_platform, opts.target, inp.runnable_platforms)?;
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
    let packages = build_packages(spec, project);
    // Every target but test builds binaries.
    if !opts.target.runs_tests() {
        problems.extend(no_packages(spec, project));
    }
    let binaries = binaries(spec, project, &packages, &target_platform, &mut problems);
    if let Some(c) = spec.build.cgo.as_ref().filter(|c| c.value)
        && let Some(message) = cgo_cross_problem(&inp.build_platform, &target_platform, spec)
    {
        problems.push(problem(c, &keys::BUILD_CGO, message));
    }
    let flags = go_flags(spec, opts, &created, &mut problems);
    if opts.target.runs_tests()
        && let Some(race) = spec.test.race.as_ref().filter(|r| r.value)
        && let Some(message) = race_problem(&target_platform)
    {
        problems.push(problem(race, &keys::TEST_RACE, message));
    }
    let owner = owner_of(&builder_user);
    let mut download = download_plan(inp, &builder_env, &owner, &mut problems);
    // A binary's own target: the image of that binary alone, from the very
    // same go build (every binary), so its LLB vertex is shared.
    let only = match &opts.binary_target {
        None => None,
        Some(name) => match binaries.iter().find(|b| binary_target(&b.name) == *name) {
            Some(b) => Some(b.clone()),
            None if !problems.is_empty() => None,
            None => return Err(unknown_target(name, &binaries)),
        },
    };
    let image_binaries = only.clone().map_or_else(|| binaries.clone(), |b| vec![b]);
    // Checked against the names in an image: a windows build of the
    // binaries target names them app.exe, and its [images.app] still names
    // app's image (the packages' problems are reported above).
    images_problems(
        spec,
        &binaries_in_images(spec, project, &mut Vec::new()),
        &mut problems,
    );
    let runtime = runtime_plan(
        inp,
        &refs,
        &target_platform,
        (&image_binaries, &binaries),
        &spec.runtime_for(opts.binary_target.as_deref()),
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
    let gocache = gocache_plan(inp, &mut download)?;
    let tool = inp.tool_image.map(tool_source);
    let seed = match (gocache.as_ref().and_then(|g| g.seed.clone()), &tool) {
        (Some(source), Some(tool)) => Some(Seed {
            source,
            tool: tool.clone(),
        }),
        _ => None,
    };
    let gocache_id = gocache_id(inp, cgo, seed.is_some(), &refs.builder);
    let fs = GoFs {
        modules: download.is_some(),
        gocache_id: &gocache_id,
        seed: seed.as_ref(),
    };
    // Seeded, every Go step records the cache entries it used (the export
    // copies them) and the test step keys test inputs by content.
    let seeded = seed.is_some();
    let go_step = |mut command: Command, name: String, location, stamps: bool| {
        if seeded {
            command = command.through(seed_tool(true, stamps));
        }
        GoStep {
            command,
            env: env.clone(),
            name,
            location,
            mounts: go_mounts(&fs, seeded && stamps),
        }
    };
    // What only the runtime images copy stays out of the go build's source
    // (the same for every target, so they share the one go build).
    let build_exclude = go_build_exclude(spec, &binaries);
    // With gofront's tool at hand, the build links into a kept directory
    // (`gofront keep`, a cache mount one build uses at a time); without it
    // (no image of its own known), into the output directly.
    let keep = tool.as_ref().map(|tool| {
        (
            keep_id(
                inp,
                &refs.builder,
                &build_args(&flags, &packages, &binaries, paths::KEEP),
                &env,
            ),
            tool.clone(),
        )
    });
    let build = || {
        let out_dir = if keep.is_some() {
            paths::KEEP
        } else {
            paths::OUT
        };
        let mut step = go_step(
            Command::go(build_args(&flags, &packages, &binaries, out_dir)),
            format!("[gofront] go build {}", packages.join(" ")),
            build_location.clone(),
            false,
        );
        if let Some((id, tool)) = &keep {
            step.command = step.command.through(keep_tool(&binaries));
            with_tool(&mut step.mounts, tool);
            with_cache(&mut step.mounts, paths::KEEP, id, Sharing::Locked);
        }
        with_context_exclude(&mut step.mounts, &build_exclude);
        with_output(&mut step.mounts, paths::OUT, OutputBase::Owned);
        step
    };
    // With gofront's tool at hand, the test step runs `go test -json`
    // through `gofront testreport`, which writes the report and exits 0
    // whenever the tests ran (the report says how), so a failing run's
    // report is a result BuildKit keeps; `--target test` fails on it.
    let report_tool_image = tool.clone();
    let report = report_tool_image.is_some();
    let test = || {
        let test_packages = test_packages(spec, project);
        let mut command = Command::go(test_args(spec, &flags, &test_packages, report));
        if report {
            let shard = spec.test.shard.as_ref().map(|s| s.value.as_str());
            command = command.through(report_tool(shard, test_packages.len()));
        }
        let mut step = go_step(
            command,
            format!("[gofront] go test {}", test_packages.join(" ")),
            section_lines(inp, section::TEST),
            true,
        );
        if let Some(tool) = &report_tool_image {
            with_tool(&mut step.mounts, tool);
        }
        if race_enabled(spec) {
            // The race detector needs cgo: on for the tests alone.
            step.env = overlay_env(&step.env, [(crate::spec::managed::CGO_ENABLED.name, "1")]);
        }
        with_output(&mut step.mounts, paths::OUT, OutputBase::Owned);
        step
    };
    // A shard is picked by gofront's tool, which lists the packages.
    if !report && spec.test.shard.is_some() && opts.target.runs_tests() {
        return Err(PlanError::NoToolImage);
    }
    let report_plan = |export| {
        report.then(|| ReportPlan {
            dir: paths::REPORT_IN_OUTPUT.into(),
            export,
        })
    };
    let builder_is_root = owner == Owner::Ids(0, 0);
    // `generator=IMAGE`: BuildKit runs that scanner, as for any frontend;
    // other targets: BuildKit's scanner too (docs/sbom.md).
    let sbom = match (opts.target, &opts.sbom) {
        (Target::Image, Some(SbomRequest::Gofront)) => Some(Box::new(sbom_plan(
            inp,
            &refs,
            &runtime.binaries,
            keep.is_some(),
        ))),
        _ => None,
    };
    let target = match (opts.target, gocache, tool) {
        (Target::Image, ..) => TargetPlan::Image {
            build: build(),
            runtime,
            sbom,
            binary_target: only.map(|b| binary_target(&b.name)),
        },
        (Target::Binaries, ..) => TargetPlan::Binaries {
            build: build(),
            // Seeded, the output also holds the used list, and through
            // `gofront keep` the digests: the binaries are taken by name.
            collect: if seeded || keep.is_some() {
                Collect::Named(binaries.iter().map(|b| b.name.clone()).collect())
            } else {
                Collect::Whole
            },
            binaries,
        },
        (Target::Test, ..) => TargetPlan::Test {
            test: test(),
            report: report_plan(false),
        },
        (Target::TestReport, _, Some(_)) => TargetPlan::Test {
            test: test(),
            report: report_plan(true),
        },
        (Target::TestReport, ..) => return Err(PlanError::NoToolImage),
        (Target::Gocache, Some(g), Some(tool)) => {
            // A root builder writes the export straight into an empty
            // layer; another user only below the owned directory, whose
            // contents are then copied out.
            let output = if builder_is_root {
                OutputBase::Empty
            } else {
                OutputBase::Owned
            };
            TargetPlan::Gocache {
                build: build(),
                test: g.with_tests.then(test),
                export: ExportPlan {
                    step: export_step(
                        &fs,
                        g.export,
                        export_list(&flags, &packages),
                        &ExportStep {
                            env: env.clone(),
                            name: format!(
                                "[gofront] export the Go build cache of {}",
                                packages.join(" ")
                            ),
                            location: build_location.clone(),
                            tool,
                            modules: g.modules,
                            with_tests: g.with_tests,
                            output,
                        },
                    ),
                    image_config: g.image_config,
                },
            }
        }
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
        gocache_id,
    })
}

/// The export step's parts besides its command.
struct ExportStep {
    env: Vec<String>,
    name: String,
    location: Option<Vec<crate::llb::SourceRange>>,
    tool: crate::plan::types::ImageSource,
    /// The module download cache id it copies too.
    modules: Option<String>,
    /// The test step's used list is read too.
    with_tests: bool,
    output: OutputBase,
}

/// The export step of `--target gocache`: `go list -export` through the
/// export tool (through the seed's when seeded, which records nothing),
/// with the build's output as an input, so it runs after the build and
/// again whenever the build's result changes (a cache mount's contents are
/// in no cache key); the test step's output holds its used list.
fn export_step(
    fs: &GoFs<'_>,
    export: crate::cachetool::Invocation,
    go: Vec<String>,
    e: &ExportStep,
) -> GoStep {
    let mut command = Command::go(go).through(export);
    if fs.seed.is_some() {
        command = command.through(seed_tool(false, false));
    }
    let mut mounts = go_mounts(fs, false);
    with_tool(&mut mounts, &e.tool);
    if let Some(id) = &e.modules {
        with_cache(&mut mounts, paths::MODDL, id, Sharing::Shared);
    }
    if e.with_tests {
        with_step(&mut mounts, paths::TESTED, StepRef::Test);
    }
    with_step(&mut mounts, paths::BUILT, StepRef::Build);
    with_output(&mut mounts, paths::EXPORT, e.output);
    GoStep {
        command,
        env: e.env.clone(),
        name: e.name.clone(),
        location: e.location.clone(),
        mounts,
    }
}

#[cfg(test)]
mod tests;
