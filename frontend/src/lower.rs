//! Turns a [`Plan`] into LLB. The only module that knows both the plan's Go
//! vocabulary and the LLB builder.
//!
//! Invariant: no decisions here: every choice was made by `plan`; this only
//! wires states together.

use crate::llb::{self, Chown, Exec, FileOp, Local, Mount, NetMode, OpMeta, State, UserRef};
use crate::options::GOCACHE_CONTEXT;
use crate::plan::{
    Collect, ContextState, GoStep, ImageSource, MountSource, OutputBase, Owner, Plan, SbomPlan,
    Sharing, StepRef, TargetPlan, paths,
};
use crate::platform::Platform;
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
    let modcache = match &plan.download {
        Some(d) => Some(download(plan, d, &builder, &owned)?),
        None => None,
    };
    let fs = GoFs {
        plan,
        builder: &builder,
        owned: &owned,
        source: &source,
        modcache: modcache.as_ref(),
    };
    let step = plan.target.go_step();
    let out = fs.run(step, &[])?;

    Ok(match &plan.target {
        // The report alone, whatever it says.
        TargetPlan::Test {
            report: Some(r), ..
        } if r.export => Lowered {
            state: FileOp::on(&State::scratch(), &plan.build_platform)
                .copy_contents(&out, &r.dir, "/", None)
                .build(&meta(plan, "[gofront] collect the test report", None)),
            image_config: None,
            built: None,
        },
        // Returning the step's output makes BuildKit run it; the gateway
        // reads the report's exit code from it when there is one.
        TargetPlan::Test { .. } => Lowered {
            state: out,
            image_config: None,
            built: None,
        },
        TargetPlan::Binaries { collect, .. } => Lowered {
            state: match collect {
                Collect::Named(names) => names.iter().fold(
                    FileOp::on(&State::scratch(), &plan.build_platform),
                    |f, name| {
                        f.copy(
                            &out,
                            &format!("{}/{name}", paths::OWNED_DIR),
                            &format!("/{name}"),
                            None,
                        )
                    },
                ),
                Collect::Whole => FileOp::on(&State::scratch(), &plan.build_platform)
                    .copy_contents(&out, paths::OWNED_DIR, "/", None),
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
            let mut outputs = vec![(StepRef::Build, out)];
            if let Some(t) = test {
                outputs.push((StepRef::Test, fs.run(t, &[])?));
            }
            let exported = fs.run(&g.step, &outputs)?;
            Lowered {
                state: match g.step.output().map(|m| &m.source) {
                    Some(MountSource::Output(OutputBase::Owned)) => {
                        FileOp::on(&State::scratch(), &plan.build_platform)
                            .copy_contents(&exported, paths::OWNED_DIR, "/", None)
                            .build(&meta(plan, "[gofront] collect the Go build cache", None))
                    }
                    _ => exported,
                },
                image_config: Some(g.image_config.clone()),
                built: None,
            }
        }
    })
}

/// What the Go steps' mounts are made from.
struct GoFs<'a> {
    plan: &'a Plan,
    builder: &'a State,
    /// The cache-ownership base: one op for every cache and output
    /// directory (BuildKit keys a cache mount by its base as well as its
    /// id, so a different base would split it).
    owned: &'a State,
    source: &'a State,
    modcache: Option<&'a State>,
}

impl GoFs<'_> {
    /// Runs a Go step, each of its mounts mapped as the plan says, and
    /// returns its output; `steps` are the outputs of the plan's other steps
    /// it may read.
    fn run(&self, step: &GoStep, steps: &[(StepRef, State)]) -> Result<State, LowerError> {
        let plan = self.plan;
        let mut exec = Exec::new(step.command.argv(), &plan.build_platform)
            .env(step.env.clone())
            .cwd(paths::SRC)
            .user(&plan.builder_user)
            .network(NetMode::None);
        for m in &step.mounts {
            let t = m.target.as_str();
            exec = exec.mount(match &m.source {
                MountSource::Builder => Mount::readonly(t, self.builder),
                MountSource::Tmpfs => Mount::tmpfs(t, 0),
                MountSource::Context { throwaway, exclude } => {
                    // The go build leaves out what only the runtime image
                    // copies: a context source of its own.
                    let source = if exclude.is_empty() {
                        self.source.clone()
                    } else {
                        let mut all = exclude.clone();
                        all.extend(plan.context_exclude.iter().cloned());
                        Local::new(&plan.context_local, &plan.session_id, &plan.build_platform)
                            .exclude(all)
                            .shared_key_hint(&plan.context_local)
                            .build(&meta(
                                plan,
                                "[gofront] load build context without the runtime files",
                                None,
                            ))
                    };
                    if *throwaway {
                        Mount::layer(t, &source).discard_changes()
                    } else {
                        Mount::readonly(t, &source)
                    }
                }
                MountSource::Modules => Mount::readonly(
                    t,
                    self.modcache
                        .ok_or(LowerError("a Go step mounts modules no step downloads"))?,
                )
                .selector(paths::MODCACHE_SELECTOR),
                MountSource::Cache { id, sharing } => match sharing {
                    Sharing::Shared => Mount::cache(t, id),
                    Sharing::Locked => Mount::locked_cache(t, id),
                }
                .base(self.owned)
                .selector(paths::OWNED_DIR),
                MountSource::Tool(tool) => Mount::readonly(t, &tool_state(plan, tool)),
                MountSource::Seed(seed) => {
                    Mount::readonly(t, &context_state(plan, GOCACHE_CONTEXT, seed))
                }
                MountSource::Step(which) => Mount::readonly(
                    t,
                    steps
                        .iter()
                        .find(|(w, _)| w == which)
                        .map(|(_, s)| s)
                        .ok_or(LowerError("a Go step reads a step the target does not run"))?,
                ),
                MountSource::Output(OutputBase::Owned) => {
                    Mount::layer(t, self.owned).selector(paths::OWNED_DIR)
                }
                MountSource::Output(OutputBase::Empty) => Mount::scratch_output(t),
            });
        }
        let output = step
            .output()
            .ok_or(LowerError("a Go step has no output mount"))?;
        exec.run(&meta(plan, &step.name, step.location.clone()))
            .output(&output.target)
            .ok_or(LowerError("a Go step has no output at its output mount"))
    }
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
    platform: &crate::platform::Platform,
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
