//! Turns a [`Plan`] into LLB. The only module that knows both the plan's Go
//! vocabulary and the LLB builder.
//!
//! Invariant: no decisions here: every choice was made by `plan`; this only
//! wires states together.

use crate::llb::{self, Chown, Exec, FileOp, Local, Mount, NetMode, OpMeta, State, UserRef};
use crate::options::{GOCACHE_CONTEXT, Platform};
use crate::plan::{
    ContextState, ExportOutput, GoStep, ImageSource, Owner, Plan, SbomPlan, TargetPlan, paths,
};
use crate::proto::pb;
use crate::spec::Network;

mod runtime;
use runtime::runtime;

/// The LLB of a plan: the state to return, and the image config when the
/// target is an image.
#[derive(Debug, Clone)]
pub struct Lowered {
    /// The result.
    pub state: State,
    /// `containerimage.config`, for the image target.
    pub image_config: Option<serde_json::Value>,
    /// The go build's output, when the gateway reads the binaries for
    /// the SBOM (`SbomPlan::read_from`).
    pub built: Option<State>,
}

fn meta(plan: &Plan, name: &str, location: Option<Vec<llb::SourceRange>>) -> OpMeta {
    OpMeta {
        name: Some(name.to_string()),
        ignore_cache: plan.no_cache,
        location,
    }
}

/// An image source as the plan decided it.
fn image(source: &ImageSource, platform: &Platform, meta: &OpMeta) -> State {
    llb::image(&source.reference, platform, source.resolve_mode, meta)
}

fn tool_state(plan: &Plan, tool: &ImageSource) -> State {
    image(
        tool,
        &plan.build_platform,
        &meta(plan, &format!("[gofront] tool {}", tool.name), None),
    )
}

/// A plan that breaks an invariant `plan` guarantees: a bug in gofront.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("internal error in gofront: {0}")]
pub struct LowerError(&'static str);

/// Lowers the plan for its target.
pub fn lower(plan: &Plan) -> Result<Lowered, LowerError> {
    let builder = image(
        &plan.builder,
        &plan.build_platform,
        &meta(
            plan,
            &format!("[gofront] builder {}", plan.builder.name),
            None,
        ),
    );
    // One base for every cache and output directory, owned by the builder's
    // user. It must be the very same op everywhere: BuildKit keys a cache
    // mount by its base as well as its id, so a different base splits it.
    let owned = owned_dir(plan, &builder);
    let source = Local::new(&plan.context_local, &plan.session_id, &plan.build_platform)
        .exclude(plan.context_exclude.clone())
        .shared_key_hint(&plan.context_local)
        .build(&meta(plan, "[gofront] load build context", None));
    let seed = plan.seed.as_ref().map(|s| {
        (
            context_state(plan, GOCACHE_CONTEXT, &s.source),
            tool_state(plan, &s.tool),
        )
    });
    let modcache = match &plan.download {
        Some(d) => Some(download(plan, d, &builder, &owned)?),
        None => None,
    };

    // Every Go step sees the same filesystem: the builder, the source, the
    // module cache and GOCACHE (plus the tool and the seed when seeded).
    let go_exec = |step: &GoStep| {
        let mut exec = Exec::new(step.args.clone(), &plan.build_platform)
            .env(step.env.clone())
            .cwd(paths::SRC)
            .user(&plan.builder_user)
            .network(NetMode::None)
            // A read-only root gets a throwaway layer for mount points;
            // scratch space is a tmpfs (BuildKit mounts a non-output
            // writable root read-only anyway, see container.PrepareMounts).
            .mount(Mount::readonly("/", &builder))
            .mount(Mount::tmpfs("/tmp", 0))
            .mount({
                // The go build leaves out what only the runtime image copies.
                let source = if step.source_exclude.is_empty() {
                    source.clone()
                } else {
                    let mut exclude = step.source_exclude.clone();
                    exclude.extend(plan.context_exclude.iter().cloned());
                    Local::new(&plan.context_local, &plan.session_id, &plan.build_platform)
                        .exclude(exclude)
                        .shared_key_hint(&plan.context_local)
                        .build(&meta(
                            plan,
                            "[gofront] load build context without the runtime files",
                            None,
                        ))
                };
                if step.stamps_source {
                    Mount::layer(paths::SRC, &source).discard_changes()
                } else {
                    Mount::readonly(paths::SRC, &source)
                }
            })
            .mount(
                Mount::cache(paths::GOCACHE, &plan.gocache_id)
                    .base(&owned)
                    .selector(paths::OWNED_DIR),
            );
        if let Some(mc) = &modcache {
            exec =
                exec.mount(Mount::readonly(paths::MODCACHE, mc).selector(paths::MODCACHE_SELECTOR));
        }
        // The tool only where it runs: a build without a seed must be the
        // very op the image target runs, so `--target gocache` reuses it.
        if let Some((s, t)) = &seed {
            exec = exec
                .mount(Mount::readonly(paths::SEED, s))
                .mount(Mount::readonly(paths::TOOL_DIR, t));
        }
        if let Some(k) = &step.keep {
            if seed.is_none() {
                exec = exec.mount(Mount::readonly(paths::TOOL_DIR, &tool_state(plan, &k.tool)));
            }
            exec = exec.mount(
                Mount::locked_cache(paths::KEEP, &k.id)
                    .base(&owned)
                    .selector(paths::OWNED_DIR),
            );
        }
        exec
    };

    // A Go step with its output at paths::OUT (with its used list there,
    // when it records one).
    let run_go = |step: &GoStep| -> Result<State, LowerError> {
        go_exec(step)
            .mount(Mount::layer(paths::OUT, &owned).selector(paths::OWNED_DIR))
            .run(&meta(plan, &step.name, step.location.clone()))
            .output(paths::OUT)
            .ok_or(LowerError("the Go step has no output at /gofront/out"))
    };
    let step = plan.target.go_step();
    let out = run_go(step)?;

    Ok(match &plan.target {
        // Returning the step's output makes BuildKit run it; what a test
        // run leaves there does not matter.
        TargetPlan::Test { .. } => Lowered {
            state: out,
            image_config: None,
            built: None,
        },
        // Seeded, the output also holds the used list, and through
        // `gofront keep` the digests: copy the binaries by name then.
        TargetPlan::Binaries { build, binaries } => Lowered {
            state: if build.records_used || build.keep.is_some() {
                binaries.iter().fold(
                    FileOp::on(&State::scratch(), &plan.build_platform),
                    |f, b| {
                        f.copy(
                            &out,
                            &format!("{}/{}", paths::OWNED_DIR, b.name),
                            &format!("/{}", b.name),
                            None,
                        )
                    },
                )
            } else {
                FileOp::on(&State::scratch(), &plan.build_platform).copy_contents(
                    &out,
                    paths::OWNED_DIR,
                    "/",
                    None,
                )
            }
            .build(&meta(plan, "[gofront] collect binaries", None)),
            image_config: None,
            built: None,
        },
        TargetPlan::Image {
            runtime: rt, sbom, ..
        } => Lowered {
            state: runtime(plan, rt, &out),
            image_config: Some(rt.config.clone()),
            built: sbom.as_ref().map(|_| out.clone()),
        },
        TargetPlan::Gocache {
            export: g, test, ..
        } => {
            // The build's output is an input, so the export runs after the
            // build and again whenever the build's result changes (a cache
            // mount's contents are in no cache key).
            let mut export = go_exec(&g.step);
            if seed.is_none() {
                export = export.mount(Mount::readonly(paths::TOOL_DIR, &tool_state(plan, &g.tool)));
            }
            if let Some(id) = &g.modules {
                export = export.mount(
                    Mount::cache(paths::MODDL, id)
                        .base(&owned)
                        .selector(paths::OWNED_DIR),
                );
            }
            let out_mount = match g.output {
                ExportOutput::Direct => Mount::scratch_output(paths::EXPORT),
                ExportOutput::OwnedDir => {
                    Mount::layer(paths::EXPORT, &owned).selector(paths::OWNED_DIR)
                }
            };
            // The test step's output holds its used list, where the
            // export's argv names it (the build's is in `out`).
            if let Some(t) = test {
                export = export.mount(Mount::readonly(paths::TESTED, &run_go(t)?));
            }
            let exported = export
                .mount(Mount::readonly(paths::BUILT, &out))
                .mount(out_mount)
                .run(&meta(plan, &g.step.name, g.step.location.clone()))
                .output(paths::EXPORT)
                .ok_or(LowerError("the export step has no output"))?;
            Lowered {
                state: match g.output {
                    ExportOutput::Direct => exported,
                    ExportOutput::OwnedDir => FileOp::on(&State::scratch(), &plan.build_platform)
                        .copy_contents(&exported, paths::OWNED_DIR, "/", None)
                        .build(&meta(plan, "[gofront] collect the Go build cache", None)),
                },
                image_config: Some(g.image_config.clone()),
                built: None,
            }
        }
    })
}

/// The SBOM's own ref: the SPDX document the gateway wrote from the
/// solved image, as one file at the root of an empty state (a file op: no
/// container runs). The same document gives the same op, so BuildKit
/// caches it.
pub fn sbom_document(plan: &Plan, s: &SbomPlan, document: Vec<u8>) -> State {
    FileOp::on(&State::scratch(), &plan.build_platform)
        .mkfile(
            &format!("/{}", crate::sbom::ATTESTATION_PATH),
            0o644,
            document,
        )
        .build(&meta(plan, &s.name, None))
}

/// The state of a named build context.
fn context_state(plan: &Plan, name: &str, source: &ContextState) -> State {
    match source {
        ContextState::Local(local) => Local::new(local, &plan.session_id, &plan.build_platform)
            .shared_key_hint(local)
            .build(&meta(
                plan,
                &format!("[gofront] load build context {name}"),
                None,
            )),
        ContextState::Image(r) => image(
            r,
            &plan.build_platform,
            &meta(
                plan,
                &format!("[gofront] build context {name}: {}", r.name),
                None,
            ),
        ),
        // As BuildKit's own frontend names it: the context's name with
        // the layout's digest; the store attribute says where it is.
        ContextState::OciLayout { store, digest } => llb::oci_layout(
            &format!("{name}@{digest}"),
            store,
            &plan.session_id,
            &plan.build_platform,
            &meta(
                plan,
                &format!("[gofront] build context {name}: OCI layout"),
                None,
            ),
        ),
    }
}

fn owned_dir(plan: &Plan, builder: &State) -> State {
    let chown = owner_chown(plan, builder);
    let who = match &plan.owner {
        Owner::Ids(u, g) => format!("{u}:{g}"),
        Owner::Names(u, _) => u.clone(),
    };
    FileOp::on(&State::scratch(), &plan.build_platform)
        .mkdir(paths::OWNED_DIR, 0o755, false, Some(chown))
        // Never ignore_cache, even with --no-cache: BuildKit keys a cache
        // mount by its base's snapshot, so re-running this op would start
        // every cache from empty.
        .build(&OpMeta {
            name: Some(format!("[gofront] cache directory owned by {who}")),
            ..OpMeta::default()
        })
}

/// The go.mod/go.sum files `go mod download` reads, as a local source. The
/// gateway reads go.mod through this very op (same bytes, same vertex), so
/// the final build finds the transfer already done.
pub fn module_files(
    context_local: &str,
    session: &str,
    platform: &crate::options::Platform,
    files: Vec<String>,
    no_cache: bool,
) -> State {
    Local::new(context_local, session, platform)
        .include(files.clone())
        .follow_paths(files)
        .shared_key_hint("gofront-modfiles")
        .build(&OpMeta {
            name: Some("[gofront] load go.mod and go.sum".to_string()),
            ignore_cache: no_cache,
            location: None,
        })
}

fn download(
    plan: &Plan,
    d: &crate::plan::DownloadPlan,
    builder: &State,
    owned: &State,
) -> Result<State, LowerError> {
    let mod_files = module_files(
        &plan.context_local,
        &plan.session_id,
        &plan.build_platform,
        d.files.clone(),
        plan.no_cache,
    );
    // A layer that holds only the module cache, starting from the owned dir.
    let dl_base = FileOp::on(owned, &plan.build_platform)
        .mkdir(
            paths::MODCACHE_SELECTOR,
            0o755,
            false,
            Some(owner_chown(plan, builder)),
        )
        .build(&meta(plan, "[gofront] module cache directory", None));
    let proxy = d.proxy.as_ref().map(|p| pb::ProxyEnv {
        http_proxy: p.http.clone(),
        https_proxy: p.https.clone(),
        ftp_proxy: p.ftp.clone(),
        no_proxy: p.no.clone(),
        all_proxy: p.all.clone(),
    });
    let mut exec = Exec::new(d.args.clone(), &plan.build_platform)
        .env(d.env.clone())
        .cwd(paths::SRC)
        .user(&plan.builder_user)
        .network(match d.network {
            Network::Sandbox => NetMode::Sandbox,
            Network::None => NetMode::None,
            Network::Host => NetMode::Host,
        })
        .proxy_env(proxy)
        .mount(Mount::readonly("/", builder))
        .mount(Mount::tmpfs("/tmp", 0))
        // Writable so Go may touch go.sum; the change is thrown away.
        .mount(Mount::layer(paths::SRC, &mod_files).discard_changes())
        .mount(Mount::layer(paths::DOWNLOAD, &dl_base).selector(paths::OWNED_DIR));
    if let Some(m) = &d.module_cache {
        exec = exec
            .mount(Mount::readonly(paths::TOOL_DIR, &tool_state(plan, &m.tool)))
            .mount(
                Mount::cache(paths::MODDL, &m.id)
                    .base(owned)
                    .selector(paths::OWNED_DIR),
            );
        if let Some(seed) = &m.seed {
            exec = exec.mount(Mount::readonly(
                paths::SEED,
                &context_state(plan, GOCACHE_CONTEXT, seed),
            ));
        }
    }
    for c in &d.contexts {
        exec = exec.mount(Mount::readonly(
            &c.dest,
            &context_state(plan, &c.name, &c.source),
        ));
    }
    // Optional: without `--secret` the step runs, and a module that needs
    // credentials fails with the tool's sentence about them.
    for s in &d.secrets {
        exec = exec.mount(Mount::secret(&s.dest, &s.id, s.uid, s.gid, s.mode, true));
    }
    for s in &d.ssh {
        exec = exec.mount(Mount::ssh(&s.dest, &s.id, s.uid, s.gid, s.mode, true));
    }
    exec.run(&meta(plan, "[gofront] go mod download", d.location.clone()))
        .output(paths::DOWNLOAD)
        .ok_or(LowerError("the download step has no output"))
}

fn owner_chown(plan: &Plan, builder: &State) -> Chown {
    match &plan.owner {
        Owner::Ids(uid, gid) => Chown {
            user: UserRef::Id(*uid),
            group: Some(UserRef::Id(*gid)),
        },
        Owner::Names(user, group) => Chown {
            user: UserRef::Name {
                name: user.clone(),
                lookup_in: builder.clone(),
            },
            group: group.as_ref().map(|g| UserRef::Name {
                name: g.clone(),
                lookup_in: builder.clone(),
            }),
        },
    }
}

#[cfg(test)]
mod tests;
