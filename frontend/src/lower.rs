//! Turns a [`Plan`] into LLB. The only module that knows both the plan's Go
//! vocabulary and the LLB builder.
//!
//! Invariant: no decisions here: every choice was made by `plan`; this only
//! wires states together.

use crate::llb::{
    self, CacheSharing, Chown, Exec, FileOp, Local, Mount, NetMode, OpMeta, State, UserRef,
};
use crate::options::Target;
use crate::plan::{ContextSource, Owner, Plan, paths};
use crate::proto::pb;

/// The LLB of a plan: the state to return, and the image config when the
/// target is an image.
#[derive(Debug, Clone)]
pub struct Lowered {
    /// The result.
    pub state: State,
    /// `containerimage.config`, for the image target.
    pub image_config: Option<serde_json::Value>,
}

fn meta(plan: &Plan, name: &str, location: Option<Vec<llb::SourceRange>>) -> OpMeta {
    OpMeta {
        name: Some(name.to_string()),
        ignore_cache: plan.no_cache,
        location,
    }
}

/// `ref@digest` when the digest is known, else the reference as written.
fn pinned(reference: &str, digest: Option<&str>) -> String {
    match digest {
        Some(d) if !reference.contains('@') => format!("{reference}@{d}"),
        _ => reference.to_string(),
    }
}

/// Lowers the plan for its target.
pub fn lower(plan: &Plan) -> Lowered {
    let builder = llb::image(
        &pinned(&plan.builder, plan.builder_digest.as_deref()),
        &plan.build_platform,
        plan.resolve_mode,
        &meta(plan, &format!("[gofront] builder {}", plan.builder), None),
    );
    // One base for every cache and output directory, owned by the builder's
    // user. It must be the very same op everywhere: BuildKit keys a cache
    // mount by its base as well as its id, so a different base splits it.
    let owned = owned_dir(plan, &builder);
    let source = Local::new(&plan.context_local, &plan.session_id)
        .exclude(plan.context_exclude.clone())
        .shared_key_hint(&plan.context_local)
        .build(&meta(plan, "[gofront] load build context", None));
    let modcache = plan
        .download
        .as_ref()
        .map(|d| download(plan, d, &builder, &owned));

    let step = match plan.target {
        Target::Test => &plan.test,
        Target::Image | Target::Binaries => &plan.build,
    };
    let mut exec = Exec::new(step.args.clone(), &plan.build_platform)
        .env(step.env.clone())
        .cwd(paths::SRC)
        .user(&plan.builder_user)
        .network(NetMode::None)
        // A read-only root gets a throwaway layer for mount points; scratch
        // space is a tmpfs (BuildKit mounts a non-output writable root
        // read-only anyway, see container.PrepareMounts).
        .mount(Mount::readonly("/", &builder))
        .mount(Mount::tmpfs("/tmp", 0))
        .mount(Mount::readonly(paths::SRC, &source))
        .mount(
            Mount::cache(paths::GOCACHE, &plan.gocache_id, CacheSharing::Shared)
                .base(&owned)
                .selector(paths::OWNED_DIR),
        )
        .mount(Mount::layer(paths::OUT, &owned).selector(paths::OWNED_DIR));
    if let Some(mc) = &modcache {
        exec = exec.mount(Mount::readonly(paths::MODCACHE, mc).selector(paths::MODCACHE_SELECTOR));
    }
    let outputs = exec.run(&meta(plan, &step.name, step.location.clone()));
    // Output exists: the /gofront/out mount is a writable layer.
    let out = outputs.output(paths::OUT).unwrap_or_default();

    match plan.target {
        // Returning the step's output makes BuildKit run it; what a test
        // run leaves there does not matter.
        Target::Test => Lowered {
            state: out,
            image_config: None,
        },
        Target::Binaries => Lowered {
            state: FileOp::on(&State::scratch())
                .copy_contents(&out, paths::OWNED_DIR, "/", None)
                .build(&meta(plan, "[gofront] collect binaries", None)),
            image_config: None,
        },
        Target::Image => Lowered {
            state: runtime(plan, &out),
            image_config: Some(plan.runtime.config.clone()),
        },
    }
}

fn owned_dir(plan: &Plan, builder: &State) -> State {
    let chown = owner_chown(plan, builder);
    let who = match &plan.owner {
        Owner::Ids(u, g) => format!("{u}:{g}"),
        Owner::Names(u, _) => u.clone(),
    };
    FileOp::on(&State::scratch())
        .mkdir(paths::OWNED_DIR, 0o755, false, Some(chown))
        // Never ignore_cache, even with --no-cache: BuildKit keys a cache
        // mount by its base's snapshot, so re-running this op would start
        // every cache from empty.
        .build(&OpMeta {
            name: Some(format!("[gofront] cache directory owned by {who}")),
            ..OpMeta::default()
        })
}

fn download(plan: &Plan, d: &crate::plan::DownloadPlan, builder: &State, owned: &State) -> State {
    let mod_files = Local::new(&plan.context_local, &plan.session_id)
        .include(d.files.clone())
        .shared_key_hint("gofront-modfiles")
        .build(&meta(plan, "[gofront] load go.mod and go.sum", None));
    // A layer that holds only the module cache, starting from the owned dir.
    let dl_base = FileOp::on(owned)
        .mkdir(
            paths::MODCACHE_SELECTOR,
            0o755,
            false,
            Some(owner_chown(plan, builder)),
        )
        .build(&meta(plan, "[gofront] module cache directory", None));
    let proxy = (!d.proxy.is_empty()).then(|| pb::ProxyEnv {
        http_proxy: d.proxy.get("HTTP_PROXY").cloned().unwrap_or_default(),
        https_proxy: d.proxy.get("HTTPS_PROXY").cloned().unwrap_or_default(),
        ftp_proxy: d.proxy.get("FTP_PROXY").cloned().unwrap_or_default(),
        no_proxy: d.proxy.get("NO_PROXY").cloned().unwrap_or_default(),
        all_proxy: d.proxy.get("ALL_PROXY").cloned().unwrap_or_default(),
    });
    let mut exec = Exec::new(d.args.clone(), &plan.build_platform)
        .env(d.env.clone())
        .cwd(paths::SRC)
        .user(&plan.builder_user)
        .network(if d.network_none {
            NetMode::None
        } else {
            NetMode::Sandbox
        })
        .proxy_env(proxy)
        .mount(Mount::readonly("/", builder))
        .mount(Mount::tmpfs("/tmp", 0))
        // Writable so Go may touch go.sum; the change is thrown away.
        .mount(Mount::layer(paths::SRC, &mod_files).discard_changes())
        .mount(Mount::layer(paths::DOWNLOAD, &dl_base).selector(paths::OWNED_DIR));
    for c in &d.contexts {
        let st = match &c.source {
            ContextSource::Local(name) => Local::new(name, &plan.session_id)
                .shared_key_hint(name)
                .build(&meta(
                    plan,
                    &format!("[gofront] load build context {name}"),
                    None,
                )),
            ContextSource::Image(r) => llb::image(
                r,
                &plan.build_platform,
                plan.resolve_mode,
                &meta(plan, &format!("[gofront] {r}"), None),
            ),
        };
        exec = exec.mount(Mount::readonly(&c.dest, &st));
    }
    let outputs = exec.run(&meta(plan, "[gofront] go mod download", d.location.clone()));
    outputs.output(paths::DOWNLOAD).unwrap_or_default()
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

fn runtime(plan: &Plan, out: &State) -> State {
    let base = match &plan.runtime.base {
        Some(r) => llb::image(
            &pinned(r, plan.runtime.base_digest.as_deref()),
            &plan.target_platform,
            plan.resolve_mode,
            &meta(plan, &format!("[gofront] runtime base {r}"), None),
        ),
        None => State::scratch(),
    };
    let root = Chown {
        user: UserRef::Id(0),
        group: Some(UserRef::Id(0)),
    };
    let names: Vec<&str> = plan.binaries.iter().map(|b| b.name.as_str()).collect();
    let name = format!("[gofront] copy {} to {}", names.join(", "), paths::BIN);
    let copy_onto = |onto: &State| {
        plan.binaries
            .iter()
            .fold(FileOp::on(onto), |f, b| {
                f.copy(
                    out,
                    &format!("{}/{}", paths::OWNED_DIR, b.name),
                    &format!("{}/{}", paths::BIN, b.name),
                    Some(root.clone()),
                )
            })
            .build(&meta(plan, &name, plan.runtime.location.clone()))
    };
    if plan.use_merge && !base.is_scratch() {
        // The binaries become a layer of their own, independent of the base:
        // a new base does not invalidate it, and it can be rebased cheaply.
        let binaries = copy_onto(&State::scratch());
        llb::merge(
            &[base, binaries],
            &meta(plan, "[gofront] runtime image", None),
        )
    } else {
        copy_onto(&base)
    }
}
