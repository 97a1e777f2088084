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
mod runtime;

use crate::plan::error::PlanError;
use crate::plan::image::{DEFAULT_PATH, overlay_env};
use crate::plan::types::{
    ExportOutput, ExportPlan, GoStep, Kept, Owner, Plan, PlanInputs, Seed, TargetPlan, paths,
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
use runtime::*;

/// Each binary's own `--target` and its package, in `build.packages`
/// order (`--call targets`); empty when the packages have problems, which
/// a build reports.
pub fn binary_targets(
    spec: &crate::spec::Spec,
    project: &crate::plan::project::Project,
) -> Vec<(String, String)> {
    let mut problems = Vec::new();
    // Images are Linux: their binaries have no `.exe`.
    let linux = crate::options::Platform {
        os: "linux".into(),
        architecture: "amd64".into(),
        variant: String::new(),
    };
    let found = binaries(
        spec,
        project,
        &build_packages(spec, project),
        &linux,
        &mut problems,
    );
    if !problems.is_empty() {
        return Vec::new();
    }
    found
        .into_iter()
        .map(|b| (binary_target(&b.name), b.package))
        .collect()
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
    let binaries = binaries(spec, project, &packages, &target_platform, &mut problems);
    if let Some(c) = spec.build.cgo.as_ref().filter(|c| c.value)
        && let Some(message) = cgo_cross_problem(&inp.build_platform, &target_platform, spec)
    {
        problems.push(problem(c, &keys::BUILD_CGO, message));
    }
    let flags = go_flags(spec, opts, &created, &mut problems);
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
    images_problems(spec, &binaries, &mut problems);
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
            keep: None,
            source_exclude: Vec::new(),
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
        keep: None,
        source_exclude: Vec::new(),
    };
    // What only the runtime images copy stays out of the go build's source
    // (the same for every target, so they share the one go build).
    let build_exclude = go_build_exclude(spec, &binaries);
    // With gofront's tool at hand, the build links into a kept directory
    // (`gofront keep`); without it (no image of its own known), into the
    // output directly.
    let keep = tool.as_ref().map(|tool| Kept {
        id: keep_id(
            inp,
            &refs.builder,
            &build_args(&flags, &packages, &binaries, paths::KEEP),
            &env,
        ),
        tool: tool.clone(),
    });
    let build = || {
        let out_dir = if keep.is_some() {
            paths::KEEP
        } else {
            paths::OUT
        };
        let mut step = go_step(
            build_args(&flags, &packages, &binaries, out_dir),
            format!("[gofront] go build {}", packages.join(" ")),
            build_location.clone(),
            false,
        );
        if let Some(k) = &keep {
            step.args = with_keep(step.args, &binaries);
            step.keep = Some(k.clone());
        }
        step.source_exclude = build_exclude.clone();
        step
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

#[cfg(test)]
mod tests;
