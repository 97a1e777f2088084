//! The LLB builder through its API: every op marshalled, decoded back
//! into protobuf and checked field by field, caps included.

use super::*;
use crate::llb;
use crate::platform::ResolveMode;
use crate::testutil::case::{map, platform};
use crate::testutil::definition::{Llb, caps, exec, file, mount, source};

fn amd64() -> Platform {
    Platform::linux_amd64()
}

fn meta(name: &str) -> OpMeta {
    OpMeta {
        name: Some(name.to_string()),
        ..OpMeta::default()
    }
}

fn decode(def: &pb::Definition, i: usize) -> pb::Op {
    pb::Op::decode(def.def[i].as_slice()).unwrap()
}

#[test]
fn mounts_are_sorted_and_outputs_numbered_in_that_order() {
    let img = image(
        "golang:1.24",
        &amd64(),
        crate::platform::ResolveMode::Default,
        &meta("img"),
    );
    let src = Local::new("context", "sess", &Platform::linux_amd64()).build(&OpMeta::default());
    let run = Exec::new(vec!["go".into(), "build".into()], &amd64())
        .mount(Mount::scratch_output("/out"))
        .mount(Mount::readonly("/src", &src))
        .mount(Mount::cache("/cache", "gocache"))
        .mount(Mount::layer("/", &img))
        .run(&meta("build"));
    let out = run.output("/out").unwrap();
    let root = run.output("/").unwrap();
    assert!(run.output("/src").is_none());
    assert!(run.output("/cache").is_none());
    let def = out.marshal(None);
    let exec = decode(&def, 2);
    let Some(pb::op::Op::Exec(e)) = exec.op else {
        panic!("not an exec")
    };
    let dests: Vec<&str> = e.mounts.iter().map(|m| m.dest.as_str()).collect();
    assert_eq!(dests, ["/", "/cache", "/out", "/src"]);
    let outputs: Vec<i64> = e.mounts.iter().map(|m| m.output).collect();
    assert_eq!(outputs, [0, -1, 1, -1]);
    // The terminal op points at output 1 (the /out mount), root at 0.
    let terminal = decode(&def, def.def.len() - 1);
    assert_eq!(terminal.inputs[0].index, 1);
    assert_eq!(root.to_input().unwrap().index, 0);
}

#[test]
fn shared_inputs_appear_once_and_in_dependency_order() {
    let img = image(
        "busybox",
        &amd64(),
        crate::platform::ResolveMode::Default,
        &OpMeta::default(),
    );
    let a = FileOp::on(&img, &Platform::linux_amd64())
        .mkdir("/a", 0o755, false, None)
        .build(&OpMeta::default());
    let b = FileOp::on(&img, &Platform::linux_amd64())
        .mkdir("/b", 0o755, false, None)
        .build(&OpMeta::default());
    let merged = merge(&[a, b], &OpMeta::default(), &Platform::linux_amd64());
    let def = merged.marshal(None);
    // image, a, b, merge, terminal
    assert_eq!(def.def.len(), 5);
    assert_eq!(def.metadata.len(), 5);
    let first = decode(&def, 0);
    assert!(matches!(first.op, Some(pb::op::Op::Source(_))));
}

#[test]
fn same_graph_marshals_to_same_bytes() {
    let build = || {
        let img = image(
            "golang:1.24",
            &amd64(),
            crate::platform::ResolveMode::Pull,
            &meta("x"),
        );
        let owned = FileOp::on(&State::scratch(), &Platform::linux_amd64())
            .mkdir(
                "/cache",
                0o755,
                true,
                Some(Chown {
                    user: UserRef::Id(1000),
                    group: Some(UserRef::Id(1000)),
                }),
            )
            .build(&OpMeta::default());
        Exec::new(vec!["true".into()], &amd64())
            .mount(Mount::layer("/", &img))
            .mount(Mount::cache("/c", "id").base(&owned).selector("/cache"))
            .run(&meta("run"))
            .output("/")
            .unwrap()
            .marshal(None)
            .encode_to_vec()
    };
    assert_eq!(build(), build());
}

#[test]
fn merge_of_one_input_is_that_input() {
    let img = image(
        "busybox",
        &amd64(),
        crate::platform::ResolveMode::Default,
        &OpMeta::default(),
    );
    let merged = merge(
        &[State::scratch(), img.clone()],
        &OpMeta::default(),
        &Platform::linux_amd64(),
    );
    assert_eq!(merged.digest(), img.digest());
    assert!(merge(&[], &OpMeta::default(), &Platform::linux_amd64()).is_scratch());
}

/// Merge takes its inputs through the same de-duplication as exec and
/// file ops: one op input per state, read as often as it is listed.
#[test]
fn merge_lists_a_repeated_input_once() {
    let img = |name: &str| {
        image(
            name,
            &amd64(),
            crate::platform::ResolveMode::Default,
            &OpMeta::default(),
        )
    };
    let (a, b) = (img("busybox"), img("golang"));
    let merged = merge(
        &[a.clone(), b, a],
        &OpMeta::default(),
        &Platform::linux_amd64(),
    );
    let def = merged.marshal(None);
    let op = def
        .def
        .iter()
        .map(|bytes| pb::Op::decode(bytes.as_slice()).unwrap())
        .find(|op| matches!(op.op, Some(pb::op::Op::Merge(_))))
        .unwrap();
    assert_eq!(op.inputs.len(), 2);
    let Some(pb::op::Op::Merge(m)) = op.op else {
        unreachable!()
    };
    let read: Vec<i64> = m.inputs.iter().map(|i| i.input).collect();
    assert_eq!(read, [0, 1, 0]);
}

#[test]
fn file_actions_chain_through_relative_inputs() {
    let img = image(
        "busybox",
        &amd64(),
        crate::platform::ResolveMode::Default,
        &OpMeta::default(),
    );
    let other = image(
        "golang",
        &amd64(),
        crate::platform::ResolveMode::Default,
        &OpMeta::default(),
    );
    let st = FileOp::on(&img, &Platform::linux_amd64())
        .mkdir("/app", 0o755, true, None)
        .copy(&other, "/usr/bin/go", "/app/go", None)
        .build(&OpMeta::default());
    let def = st.marshal(None);
    let op = decode(&def, 2);
    let Some(pb::op::Op::File(f)) = op.op else {
        panic!("not a file op")
    };
    assert_eq!(op.inputs.len(), 2);
    assert_eq!(
        (
            f.actions[0].input,
            f.actions[0].secondary_input,
            f.actions[0].output
        ),
        (0, -1, -1)
    );
    // Second action works on the first one's result: index 2 = inputs + 0.
    assert_eq!(
        (
            f.actions[1].input,
            f.actions[1].secondary_input,
            f.actions[1].output
        ),
        (2, 1, 0)
    );
}

fn busybox() -> State {
    llb::image("busybox", &amd64(), ResolveMode::Default, &meta("busybox"))
}

fn decoded(state: &State) -> Llb {
    Llb::from_def(state.marshal(None), None)
}

#[test]
fn a_state_digest_is_the_digest_of_its_marshalled_op() {
    let img = busybox();
    let def = decoded(&img);
    assert_eq!(def.ops.len(), 1);
    assert_eq!(img.digest(), Some(def.ops[0].0.as_str()));
    assert_eq!(
        img.digest(),
        Some(digest_of(&def.def.def[0]).as_str()),
        "BuildKit names a vertex by the sha256 of its op's bytes"
    );
    assert!(img.digest().unwrap().starts_with("sha256:"));
    assert_eq!(State::scratch().digest(), None);
    assert!(State::scratch().is_scratch());
    assert!(!img.is_scratch());
}

#[test]
fn an_exec_with_plain_mounts_lists_only_the_caps_it_uses() {
    let out = Exec::new(vec!["true".into()], &amd64())
        .mount(Mount::layer("/", &busybox()))
        .run(&meta("run"))
        .output("/")
        .unwrap();
    let d = decoded(&out);
    let (digest, op) = d.named("run");
    assert_eq!(caps(d.meta(digest)), ["exec.meta.base", "exec.mount.bind"]);
    let e = exec(op);
    assert_eq!(e.network(), pb::NetMode::Unset);
    let m = mount(e, "/");
    assert_eq!((m.input, m.output, m.readonly), (0, 0, false));
    assert_eq!(m.selector, "");
    assert_eq!(m.mount_type(), pb::MountType::Bind);
    let meta = e.meta.as_ref().unwrap();
    assert_eq!(meta.cwd, "/");
    assert_eq!(meta.user, "");
    assert!(meta.proxy_env.is_none());
    assert!(meta.remove_mount_stubs_recursive);
}

#[test]
fn every_kind_of_mount_marshals_with_its_options_and_caps() {
    let img = busybox();
    let src = Local::new("context", "sess", &amd64()).build(&meta("context"));
    let proxy = pb::ProxyEnv {
        http_proxy: "http://proxy:3128".into(),
        ..pb::ProxyEnv::default()
    };
    let run = Exec::new(vec!["sh".into(), "-c".into(), "x".into()], &amd64())
        .env(vec!["A=1".into(), "B=2".into()])
        .cwd("/work")
        .user("1000:1000")
        .network(NetMode::Host)
        .proxy_env(Some(proxy.clone()))
        .mount(Mount::layer("/", &img))
        .mount(Mount::readonly("/src", &src).selector("/sub"))
        .mount(Mount::layer("/scratch", &src).discard_changes())
        .mount(Mount::tmpfs("/tmp", 64 << 20))
        .mount(Mount::cache("/c/private", "p"))
        .mount(Mount::cache("/c/locked", "l").base(&img))
        .mount(Mount::secret("/run/secrets/tok", "tok", 1, 2, 0o400, true))
        .mount(Mount::ssh("/run/ssh", "default", 3, 4, 0o600, false))
        .mount(Mount::scratch_output("/out"))
        .run(&meta("run"));
    let d = decoded(&run.output("/out").unwrap());
    let (digest, op) = d.named("run");
    assert_eq!(
        caps(d.meta(digest)),
        [
            "exec.meta.base",
            "exec.meta.network",
            "exec.meta.proxyenv",
            "exec.mount.bind",
            "exec.mount.bind.readwrite-nooutput",
            "exec.mount.cache",
            "exec.mount.cache.sharing",
            "exec.mount.secret",
            "exec.mount.selector",
            "exec.mount.ssh",
            "exec.mount.tmpfs",
            "exec.mount.tmpfs.size",
        ]
    );
    let e = exec(op);
    assert_eq!(e.network(), pb::NetMode::Host);
    let meta = e.meta.as_ref().unwrap();
    assert_eq!(meta.args, ["sh", "-c", "x"]);
    assert_eq!(meta.env, ["A=1", "B=2"]);
    assert_eq!(meta.cwd, "/work");
    assert_eq!(meta.user, "1000:1000");
    assert_eq!(meta.proxy_env, Some(proxy));

    // Two inputs, each once: the image (root, cache base) and the context.
    let inputs: Vec<String> = op.inputs.iter().map(|i| d.input_name(i)).collect();
    assert_eq!(inputs, ["busybox", "context"]);
    let dests: Vec<&str> = e.mounts.iter().map(|m| m.dest.as_str()).collect();
    assert_eq!(
        dests,
        [
            "/",
            "/c/locked",
            "/c/private",
            "/out",
            "/run/secrets/tok",
            "/run/ssh",
            "/scratch",
            "/src",
            "/tmp"
        ]
    );
    // (input, output, readonly, selector) per mount, in that order.
    let fields: Vec<(i64, i64, bool, &str)> = e
        .mounts
        .iter()
        .map(|m| (m.input, m.output, m.readonly, m.selector.as_str()))
        .collect();
    assert_eq!(
        fields,
        [
            (0, 0, false, ""),
            (0, -1, false, ""),
            (-1, -1, false, ""),
            (-1, 1, false, ""),
            (-1, -1, false, ""),
            (-1, -1, false, ""),
            (1, -1, false, ""),
            (1, -1, true, "/sub"),
            (-1, -1, false, ""),
        ]
    );
    let locked = mount(e, "/c/locked");
    assert_eq!(locked.mount_type(), pb::MountType::Cache);
    let opt = locked.cache_opt.as_ref().unwrap();
    // gofront's caches are always shared: Go locks its own caches.
    assert_eq!(
        (opt.id.as_str(), opt.sharing()),
        ("l", pb::CacheSharingOpt::Shared)
    );
    let opt = mount(e, "/c/private").cache_opt.as_ref().unwrap();
    assert_eq!(
        (opt.id.as_str(), opt.sharing()),
        ("p", pb::CacheSharingOpt::Shared)
    );
    let tmp = mount(e, "/tmp");
    assert_eq!(tmp.mount_type(), pb::MountType::Tmpfs);
    assert_eq!(tmp.tmpfs_opt.as_ref().unwrap().size, 64 << 20);
    let secret = mount(e, "/run/secrets/tok");
    assert_eq!(secret.mount_type(), pb::MountType::Secret);
    assert_eq!(
        secret.secret_opt,
        Some(pb::SecretOpt {
            id: "tok".into(),
            uid: 1,
            gid: 2,
            mode: 0o400,
            optional: true,
        })
    );
    let ssh = mount(e, "/run/ssh");
    assert_eq!(ssh.mount_type(), pb::MountType::Ssh);
    assert_eq!(
        ssh.ssh_opt,
        Some(pb::SshOpt {
            id: "default".into(),
            uid: 3,
            gid: 4,
            mode: 0o600,
            optional: false,
        })
    );
    // Only writable binds have outputs; each is found by its destination.
    assert!(run.output("/").is_some());
    for dest in ["/src", "/scratch", "/tmp", "/c/locked", "/run/ssh", "/nope"] {
        assert!(run.output(dest).is_none(), "{dest} has no output");
    }
    assert_eq!(d.terminal().inputs[0].index, 1);
    let root = decoded(&run.output("/").unwrap());
    assert_eq!(root.terminal().inputs[0].index, 0);
    assert_eq!(root.terminal().inputs[0].digest, digest);
}

#[test]
fn a_default_tmpfs_and_the_sandbox_network_need_no_extra_caps() {
    let out = Exec::new(vec!["true".into()], &amd64())
        .network(NetMode::Sandbox)
        .proxy_env(None)
        .mount(Mount::readonly("/", &busybox()))
        .mount(Mount::tmpfs("/tmp", 0))
        .mount(Mount::cache("/c", "id"))
        .mount(Mount::scratch_output("/out"))
        .run(&meta("run"))
        .output("/out")
        .unwrap();
    let d = decoded(&out);
    let (digest, op) = d.named("run");
    assert_eq!(
        caps(d.meta(digest)),
        [
            "exec.meta.base",
            "exec.mount.bind",
            "exec.mount.cache",
            "exec.mount.cache.sharing",
            "exec.mount.tmpfs",
        ]
    );
    let e = exec(op);
    assert_eq!(e.network(), pb::NetMode::Unset);
    let opt = mount(e, "/c").cache_opt.as_ref().unwrap();
    assert_eq!(opt.sharing(), pb::CacheSharingOpt::Shared);
    assert_eq!(mount(e, "/tmp").tmpfs_opt.as_ref().unwrap().size, 0);
    let root = mount(e, "/");
    assert_eq!((root.input, root.output, root.readonly), (0, -1, true));
    assert_eq!(mount(e, "/out").output, 0);
    assert_eq!(mount(e, "/out").input, -1);

    let none = Exec::new(vec!["true".into()], &amd64())
        .network(NetMode::None)
        .mount(Mount::scratch_output("/out"))
        .run(&meta("none"))
        .output("/out")
        .unwrap();
    let d = decoded(&none);
    let (digest, op) = d.named("none");
    assert_eq!(exec(op).network(), pb::NetMode::None);
    assert_eq!(
        caps(d.meta(digest)),
        ["exec.meta.base", "exec.meta.network"]
    );
}

#[test]
fn a_file_op_chains_its_actions_and_numbers_every_input_once() {
    let img = busybox();
    let other = llb::image("golang", &amd64(), ResolveMode::Default, &meta("golang"));
    let by_name = Chown {
        user: UserRef::Name {
            name: "gopher".into(),
            lookup_in: other.clone(),
        },
        group: Some(UserRef::Name {
            name: "staff".into(),
            lookup_in: img.clone(),
        }),
    };
    let by_id = Chown {
        user: UserRef::Id(1000),
        group: None,
    };
    let st = FileOp::on(&img, &amd64())
        .mkdir("/app", 0o750, true, Some(by_id))
        .mkdir("/app/cfg", 0o640, false, Some(by_name))
        .copy(&other, "/usr/bin/go", "/app/go", None)
        .copy_contents(&img, "/etc", "/app/etc", None)
        .build(&meta("files"));
    let d = decoded(&st);
    assert_eq!(d.names(), ["busybox", "golang", "files"]);
    let (digest, op) = d.named("files");
    assert_eq!(caps(d.meta(digest)), ["file.base"]);
    let inputs: Vec<String> = op.inputs.iter().map(|i| d.input_name(i)).collect();
    assert_eq!(inputs, ["busybox", "golang"]);
    let f = file(op);
    let links: Vec<(i64, i64, i64)> = f
        .actions
        .iter()
        .map(|a| (a.input, a.secondary_input, a.output))
        .collect();
    // The first action works on input 0 (the base); each later one on the
    // previous action's result, numbered after the 2 real inputs.
    assert_eq!(links, [(0, -1, -1), (2, -1, -1), (3, 1, -1), (4, 0, 0)]);
    let action = |i: usize| f.actions[i].action.clone().unwrap();
    use pb::file_action::Action;
    let Action::Mkdir(mkdir) = action(0) else {
        panic!("not a mkdir")
    };
    assert_eq!(
        mkdir,
        pb::FileActionMkDir {
            path: "/app".into(),
            mode: 0o750,
            make_parents: true,
            owner: Some(pb::ChownOpt {
                user: Some(pb::UserOpt {
                    user: Some(pb::user_opt::User::ById(1000)),
                }),
                group: None,
            }),
            timestamp: -1,
        }
    );
    let Action::Mkdir(named) = action(1) else {
        panic!("not a mkdir")
    };
    let named_user = |name: &str, input: i64| {
        Some(pb::UserOpt {
            user: Some(pb::user_opt::User::ByName(pb::NamedUserOpt {
                name: name.into(),
                input,
            })),
        })
    };
    assert_eq!(
        named,
        pb::FileActionMkDir {
            path: "/app/cfg".into(),
            mode: 0o640,
            make_parents: false,
            owner: Some(pb::ChownOpt {
                user: named_user("gopher", 1),
                group: named_user("staff", 0),
            }),
            timestamp: -1,
        }
    );
    let Action::Copy(copy) = action(2) else {
        panic!("not a copy")
    };
    assert_eq!(
        copy,
        pb::FileActionCopy {
            src: "/usr/bin/go".into(),
            dest: "/app/go".into(),
            owner: None,
            mode: -1,
            create_dest_path: true,
            dir_copy_contents: false,
            allow_wildcard: false,
            timestamp: -1,
            ..pb::FileActionCopy::default()
        }
    );
    let Action::Copy(contents) = action(3) else {
        panic!("not a copy")
    };
    assert_eq!(
        (
            contents.src.as_str(),
            contents.dest.as_str(),
            contents.dir_copy_contents,
            contents.create_dest_path,
            contents.mode,
        ),
        ("/etc", "/app/etc", true, true, -1)
    );
}

#[test]
fn a_file_op_on_scratch_has_no_base_input() {
    let img = busybox();
    let st = FileOp::on(&State::scratch(), &amd64())
        .copy(&img, "/bin/sh", "/sh", None)
        .build(&meta("copy"));
    let d = decoded(&st);
    let (_, op) = d.named("copy");
    assert_eq!(op.inputs.len(), 1);
    let a = &file(op).actions[0];
    assert_eq!((a.input, a.secondary_input, a.output), (-1, 0, 0));
    let p = op.platform.as_ref().unwrap();
    assert_eq!((p.os.as_str(), p.architecture.as_str()), ("linux", "amd64"));

    // Nothing to do: the base itself, no op.
    let same = FileOp::on(&img, &amd64()).build(&meta("nothing"));
    assert_eq!(same, img);
    assert_eq!(same.digest(), img.digest());
    assert_ne!(st, img);
}

#[test]
fn sources_carry_their_attributes_caps_and_platform() {
    let arm = platform("linux/arm/v7");
    let pulled = llb::image("golang:1.24", &arm, ResolveMode::Pull, &meta("pulled"));
    let d = decoded(&pulled);
    let (digest, op) = d.named("pulled");
    let s = source(op);
    assert_eq!(s.identifier, "docker-image://docker.io/library/golang:1.24");
    assert_eq!(s.attrs, map(&[("image.resolvemode", "pull")]));
    assert_eq!(
        caps(d.meta(digest)),
        ["source.image", "source.image.resolvemode"]
    );
    assert_eq!(
        op.platform,
        Some(pb::Platform {
            architecture: "arm".into(),
            os: "linux".into(),
            variant: "v7".into(),
            ..pb::Platform::default()
        })
    );
    assert_eq!(op.constraints, Some(pb::WorkerConstraints::default()));

    let default = busybox();
    let d = decoded(&default);
    let (digest, op) = d.named("busybox");
    assert!(source(op).attrs.is_empty());
    assert_eq!(caps(d.meta(digest)), ["source.image"]);

    let layout = llb::oci_layout("seed@sha256:ab", "store1", "sess1", &amd64(), &meta("oci"));
    let d = decoded(&layout);
    let (digest, op) = d.named("oci");
    let s = source(op);
    assert_eq!(
        s.identifier,
        "oci-layout://docker.io/library/seed@sha256:ab"
    );
    assert_eq!(
        s.attrs,
        map(&[("oci.session", "sess1"), ("oci.store", "store1")])
    );
    assert_eq!(caps(d.meta(digest)), ["source.ocilayout"]);

    let local = Local::new("ctx", "sess1", &amd64())
        .include(vec!["go.mod".into(), "go.sum".into()])
        .exclude(vec![".git".into()])
        .shared_key_hint("hint")
        .build(&meta("local"));
    let d = decoded(&local);
    let (digest, op) = d.named("local");
    let s = source(op);
    assert_eq!(s.identifier, "local://ctx");
    assert_eq!(
        s.attrs,
        map(&[
            ("local.excludepatterns", r#"[".git"]"#),
            ("local.includepattern", r#"["go.mod","go.sum"]"#),
            ("local.session", "sess1"),
            ("local.sharedkeyhint", "hint"),
        ])
    );
    assert_eq!(
        caps(d.meta(digest)),
        [
            "source.local",
            "source.local.excludepatterns",
            "source.local.includepatterns",
            "source.local.sessionid",
            "source.local.sharedkeyhint",
        ]
    );
    let bare = Local::new("ctx", "sess1", &amd64()).build(&meta("bare"));
    let d = decoded(&bare);
    let (digest, op) = d.named("bare");
    assert_eq!(source(op).attrs, map(&[("local.session", "sess1")]));
    assert_eq!(
        caps(d.meta(digest)),
        ["source.local", "source.local.sessionid"]
    );
}

#[test]
fn image_references_are_normalised_like_docker_does() {
    let id = |r: &str| {
        let st = llb::image(r, &amd64(), ResolveMode::Default, &meta("i"));
        let d = decoded(&st);
        source(d.named("i").1).identifier.clone()
    };
    assert_eq!(
        id("golang"),
        "docker-image://docker.io/library/golang:latest"
    );
    assert_eq!(id("me/app"), "docker-image://docker.io/me/app:latest");
    assert_eq!(id("me/app:1"), "docker-image://docker.io/me/app:1");
    assert_eq!(id("ghcr.io/me/app"), "docker-image://ghcr.io/me/app:latest");
    assert_eq!(id("host:5000/app:2"), "docker-image://host:5000/app:2");
    assert_eq!(id("localhost/app"), "docker-image://localhost/app:latest");
    // A dot or a colon only makes a domain in the first of several parts.
    assert_eq!(
        id("my.app"),
        "docker-image://docker.io/library/my.app:latest"
    );
    assert_eq!(id("me/my.app"), "docker-image://docker.io/me/my.app:latest");
    assert_eq!(
        id("me/app@sha256:cd"),
        "docker-image://docker.io/me/app@sha256:cd"
    );
    assert_eq!(
        id("me/app:1@sha256:cd"),
        "docker-image://docker.io/me/app:1@sha256:cd"
    );
}

#[test]
fn the_definition_lists_each_op_once_with_its_metadata_and_source_lines() {
    let spec = SourceFile {
        filename: "gofront.toml".into(),
        data: b"[build]\ntags = []\n".to_vec(),
        language: "toml".into(),
    };
    let img = busybox();
    let a = FileOp::on(&img, &amd64())
        .mkdir("/a", 0o755, false, None)
        .build(&OpMeta {
            name: None,
            ignore_cache: true,
            location: Some(vec![
                SourceRange { start: 1, end: 2 },
                SourceRange { start: 4, end: 4 },
            ]),
        });
    let b = FileOp::on(&img, &amd64())
        .mkdir("/b", 0o755, false, None)
        .build(&OpMeta::default());
    let merged = merge(
        &[a.clone(), State::scratch(), b.clone()],
        &meta("merge"),
        &amd64(),
    );
    let def = merged.marshal(Some(&spec));
    let d = Llb::from_def(def.clone(), None);
    // busybox, a, b, merge, then the terminal op.
    assert_eq!(def.def.len(), 5);
    assert_eq!(d.ops[0].0, img.digest().unwrap());
    assert_eq!(d.ops[1].0, a.digest().unwrap());
    assert_eq!(d.ops[2].0, b.digest().unwrap());
    assert_eq!(d.ops[3].0, merged.digest().unwrap());
    let (digest, op) = d.named("merge");
    assert_eq!(caps(d.meta(digest)), ["mergeop"]);
    let Some(pb::op::Op::Merge(m)) = &op.op else {
        panic!("not a merge")
    };
    let inputs: Vec<i64> = m.inputs.iter().map(|i| i.input).collect();
    assert_eq!(inputs, [0, 1]);
    assert_eq!(op.inputs[0].digest, a.digest().unwrap());
    assert_eq!(op.inputs[1].digest, b.digest().unwrap());

    let a_meta = d.meta(a.digest().unwrap());
    assert!(a_meta.ignore_cache);
    assert!(a_meta.description.is_empty());
    assert!(!d.meta(b.digest().unwrap()).ignore_cache);

    // The terminal op: only an input, the result; the definition's caps.
    let terminal = d.terminal();
    assert!(terminal.op.is_none());
    assert_eq!(terminal.inputs.len(), 1);
    assert_eq!(terminal.inputs[0].digest, merged.digest().unwrap());
    let terminal_digest = digest_of(def.def.last().unwrap());
    assert_eq!(
        caps(&def.metadata[&terminal_digest]),
        [
            "constraints",
            "meta.description",
            "meta.ignorecache",
            "platform"
        ]
    );
    assert_eq!(def.metadata.len(), 5);

    // Source lines, for the one op that has a location.
    let source = def.source.as_ref().unwrap();
    assert_eq!(
        source.infos,
        [pb::SourceInfo {
            filename: "gofront.toml".into(),
            data: spec.data.clone(),
            definition: None,
            language: "toml".into(),
        }]
    );
    assert_eq!(source.locations.len(), 1);
    let at = |line| Some(pb::Position { line, character: 0 });
    assert_eq!(
        source.locations[a.digest().unwrap()].locations,
        [pb::Location {
            source_index: 0,
            ranges: vec![
                pb::Range {
                    start: at(1),
                    end: at(2)
                },
                pb::Range {
                    start: at(4),
                    end: at(4)
                },
            ],
        }]
    );
    // Without a file to point into, or without locations, no source.
    assert!(merged.marshal(None).source.is_none());
    assert!(b.marshal(Some(&spec)).source.is_none());
}

#[test]
fn a_plain_definition_needs_only_the_base_caps() {
    let img = llb::image(
        "busybox",
        &amd64(),
        ResolveMode::Default,
        &OpMeta::default(),
    );
    let def = img.marshal(None);
    let terminal_digest = digest_of(def.def.last().unwrap());
    assert_eq!(
        caps(&def.metadata[&terminal_digest]),
        ["constraints", "platform"]
    );
    assert!(def.metadata[img.digest().unwrap()].description.is_empty());

    // Scratch: just a terminal op with no input.
    let def = State::scratch().marshal(None);
    assert_eq!(def.def.len(), 1);
    let terminal = pb::Op::decode(def.def[0].as_slice()).unwrap();
    assert!(terminal.inputs.is_empty());
}

#[test]
fn merging_fewer_than_two_states_makes_no_op() {
    let img = busybox();
    assert_eq!(
        merge(&[State::scratch(), img.clone()], &meta("m"), &amd64()),
        img
    );
    assert!(merge(&[State::scratch()], &meta("m"), &amd64()).is_scratch());
    assert!(merge(&[], &meta("m"), &amd64()).is_scratch());
}

#[test]
fn a_mkfile_writes_its_bytes_after_the_actions_before_it() {
    let st = FileOp::on(&State::scratch(), &amd64())
        .mkdir("/d", 0o755, false, None)
        .mkfile("/d/f.json", 0o600, b"{}".to_vec())
        .build(&meta("write"));
    let d = decoded(&st);
    let (digest, op) = d.named("write");
    assert_eq!(caps(d.meta(digest)), ["file.base"]);
    let f = file(op);
    let links: Vec<(i64, i64, i64)> = f
        .actions
        .iter()
        .map(|a| (a.input, a.secondary_input, a.output))
        .collect();
    assert_eq!(links, [(-1, -1, -1), (0, -1, 0)]);
    assert_eq!(
        f.actions[1].action,
        Some(pb::file_action::Action::Mkfile(pb::FileActionMkFile {
            path: "/d/f.json".into(),
            mode: 0o600,
            data: b"{}".to_vec(),
            owner: None,
            timestamp: -1,
        }))
    );
}
