//! The runtime image: the base, a layer a `runtime.files` or
//! `runtime.dirs` entry (each from only its files of the build context,
//! merged onto the base with MergeOp or applied in order), the binaries.

use super::{image, meta};
use crate::llb::{self, Chown, CopyOptions, FileOp, Local, State, UserRef};
use crate::plan::{FileOwner, IdOrName, Plan, RuntimeLayer, RuntimePlan, binaries_dir, paths};

/// A user or group of the runtime image: a name is looked up in the
/// base's `/etc/passwd` and `/etc/group` (BuildKit reads only those files
/// of it, so only they are in the layer's cache key).
fn image_user(u: &IdOrName, base: &State) -> UserRef {
    match u {
        IdOrName::Id(n) => UserRef::Id(*n),
        IdOrName::Name(name) => UserRef::Name {
            name: name.clone(),
            lookup_in: base.clone(),
        },
    }
}

fn image_chown(o: &FileOwner, base: &State) -> Chown {
    Chown {
        user: image_user(&o.user, base),
        group: o.group.as_ref().map(|g| image_user(g, base)),
    }
}

/// One layer of files or directories, on `onto` (scratch for MergeOp).
fn runtime_layer(
    plan: &Plan,
    rt: &RuntimePlan,
    l: &RuntimeLayer,
    onto: &State,
    base: &State,
) -> State {
    let mut op = FileOp::on(onto, &plan.build_platform);
    for d in &l.dirs {
        op = op.mkdir_at(
            &d.path,
            i32::try_from(d.mode).unwrap_or(0o755),
            false,
            Some(image_chown(&d.owner, base)),
            rt.dir_time,
        );
    }
    if let Some(c) = &l.copy {
        // Only the copied paths are transferred: the layer's cache key is
        // their content alone.
        let whole = c.src == ".";
        let files = Local::new(&plan.context_local, &plan.session_id, &plan.build_platform)
            .include(if whole {
                Vec::new()
            } else {
                vec![c.src.clone()]
            })
            .exclude(plan.context_exclude.clone())
            .shared_key_hint(&format!("gofront-file:{}", c.src))
            .build(&meta(
                plan,
                &format!("[gofront] load {} from the build context", c.src),
                None,
            ));
        op = op.copy_with(
            &files,
            &c.source_pattern(),
            &c.dest,
            CopyOptions {
                owner: Some(image_chown(&c.owner, base)),
                mode: c.mode,
                contents: true,
                wildcard: c.wildcard || c.optional,
                allow_empty_wildcard: c.optional,
                follow_symlink: true,
            },
        );
    }
    op.build(&meta(plan, &l.name, l.location.clone()))
}

pub(super) fn runtime(plan: &Plan, rt: &RuntimePlan, out: &State) -> State {
    let base = match &rt.base {
        Some(r) => image(
            r,
            &plan.target_platform,
            &meta(plan, &format!("[gofront] runtime base {}", r.name), None),
        ),
        None => State::scratch(),
    };
    let root = Chown {
        user: UserRef::Id(0),
        group: Some(UserRef::Id(0)),
    };
    let name = match binaries_dir(&rt.binaries) {
        Some(dir) => {
            let names: Vec<&str> = rt.binaries.iter().map(|b| b.binary.name.as_str()).collect();
            let dir = match dir.trim_end_matches('/') {
                "" => "/",
                d => d,
            };
            format!("[gofront] copy {} to {dir}", names.join(", "))
        }
        None => {
            let each: Vec<String> = rt
                .binaries
                .iter()
                .map(|b| format!("{} to {}", b.binary.name, b.path))
                .collect();
            format!("[gofront] copy {}", each.join(", "))
        }
    };
    let copy_onto = |onto: &State| {
        rt.binaries
            .iter()
            .fold(FileOp::on(onto, &plan.build_platform), |f, b| {
                f.copy(
                    out,
                    &format!("{}/{}", paths::OWNED_DIR, b.binary.name),
                    &b.path,
                    Some(root.clone()),
                )
            })
            .build(&meta(plan, &name, rt.location.clone()))
    };
    if rt.merge {
        // Each layer is its own, independent of the base and of the
        // others: a new base or an edited file rebuilds only its layer,
        // and each can be rebased cheaply. The binaries go last, over
        // anything a file layer put at their paths.
        let scratch = State::scratch();
        let mut inputs = vec![base.clone()];
        inputs.extend(
            rt.layers
                .iter()
                .map(|l| runtime_layer(plan, rt, l, &scratch, &base)),
        );
        inputs.push(copy_onto(&scratch));
        llb::merge(
            &inputs,
            &meta(plan, "[gofront] runtime image", None),
            &plan.build_platform,
        )
    } else {
        let files = rt.layers.iter().fold(base.clone(), |onto, l| {
            runtime_layer(plan, rt, l, &onto, &base)
        });
        copy_onto(&files)
    }
}
