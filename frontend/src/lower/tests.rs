//! `lower::lower`: the plan's decisions, as they reach the LLB.

use crate::proto::pb;
use crate::testutil::case::{Case, GO_MOD_WITH_DEP, map};
use crate::testutil::definition::{exec, file, mount, source};

const EMPTY_CONFIG: &str = r#"{"config":{}}"#;

#[test]
fn images_are_pinned_to_their_resolved_digest_once() {
    let d = Case {
        spec: "[build]\nbuilder = \"golang:1.24\"\n[runtime]\nbase = \"alpine:3\"\n",
        builder_config: Some(EMPTY_CONFIG),
        builder_digest: Some("sha256:b1"),
        runtime_config: Some(EMPTY_CONFIG),
        runtime_digest: Some("sha256:r1"),
        ..Case::default()
    }
    .definition();
    let (_, op) = d.named("[gofront] builder golang:1.24");
    assert_eq!(
        source(op).identifier,
        "docker-image://docker.io/library/golang:1.24@sha256:b1"
    );
    // Resolved once in this build: the pinned ops take the engine's copy.
    assert_eq!(source(op).attrs["image.resolvemode"], "local");
    let (_, op) = d.named("[gofront] runtime base alpine:3");
    assert_eq!(
        source(op).identifier,
        "docker-image://docker.io/library/alpine:3@sha256:r1"
    );
    assert_eq!(source(op).attrs["image.resolvemode"], "local");

    // A reference that already names a digest is used as written.
    let (b0, r0) = ("b0".repeat(32), "0f".repeat(32));
    let spec = format!(
        "[build]\nbuilder = \"golang@sha256:{b0}\"\n[runtime]\nbase = \"alpine@sha256:{r0}\"\n"
    );
    let d = Case {
        spec: &spec,
        builder_config: Some(EMPTY_CONFIG),
        builder_digest: Some("sha256:b1"),
        runtime_config: Some(EMPTY_CONFIG),
        runtime_digest: Some("sha256:r1"),
        ..Case::default()
    }
    .definition();
    let (_, op) = d.named(&format!("[gofront] builder golang@sha256:{b0}"));
    assert_eq!(
        source(op).identifier,
        format!("docker-image://docker.io/library/golang@sha256:{b0}")
    );
    let (_, op) = d.named(&format!("[gofront] runtime base alpine@sha256:{r0}"));
    assert_eq!(
        source(op).identifier,
        format!("docker-image://docker.io/library/alpine@sha256:{r0}")
    );
}

#[test]
fn only_an_image_pinned_in_this_build_skips_the_registry() {
    let spec = "[runtime]\nbase = \"alpine:3\"\n";
    // No digest (a host that cannot resolve): BuildKit resolves as usual.
    let d = Case {
        spec,
        ..Case::default()
    }
    .definition();
    let (_, op) = d.named("[gofront] runtime base alpine:3");
    assert!(source(op).attrs.is_empty(), "{:?}", source(op).attrs);
    // --pull asks the registry again, digest or not.
    let d = Case {
        spec,
        options: &[("image-resolve-mode", "pull")],
        builder_config: Some(EMPTY_CONFIG),
        builder_digest: Some("sha256:b1"),
        runtime_config: Some(EMPTY_CONFIG),
        runtime_digest: Some("sha256:r1"),
        ..Case::default()
    }
    .definition();
    for name in [
        "[gofront] builder golang:1.24",
        "[gofront] runtime base alpine:3",
    ] {
        let (_, op) = d.named(name);
        assert_eq!(source(op).attrs["image.resolvemode"], "pull", "{name}");
    }
}

#[test]
fn the_tool_comes_from_the_engines_store() {
    let d = Case {
        go_mod: GO_MOD_WITH_DEP,
        tool_image: Some("docker.io/library/gofront:dev@sha256:t1"),
        ..Case::default()
    }
    .definition();
    let (_, op) = d.named("[gofront] tool docker.io/library/gofront:dev@sha256:t1");
    assert_eq!(source(op).attrs["image.resolvemode"], "local");
}

const USER_BUILDER: &str = r#"{"config":{"User":"gopher:staff","Env":["PATH=/bin"]}}"#;

#[test]
fn caches_are_owned_by_the_builders_user_by_name() {
    let d = Case {
        go_mod: GO_MOD_WITH_DEP,
        builder_config: Some(USER_BUILDER),
        ..Case::default()
    }
    .definition();
    let (_, builder) = d.named("[gofront] builder golang:1.24");
    let builder_digest = d
        .ops
        .iter()
        .find(|(_, op)| op == builder)
        .map(|(dg, _)| dg.clone())
        .unwrap();
    let (_, owned) = d.named("[gofront] cache directory owned by gopher");
    assert_eq!(owned.inputs.len(), 1);
    assert_eq!(owned.inputs[0].digest, builder_digest);
    let f = file(owned);
    let Some(pb::file_action::Action::Mkdir(mkdir)) = &f.actions[0].action else {
        panic!("not a mkdir")
    };
    let by_name = |name: &str| {
        Some(pb::UserOpt {
            user: Some(pb::user_opt::User::ByName(pb::NamedUserOpt {
                name: name.into(),
                input: 0,
            })),
        })
    };
    assert_eq!(mkdir.path, "/dir");
    assert_eq!(
        mkdir.owner,
        Some(pb::ChownOpt {
            user: by_name("gopher"),
            group: by_name("staff"),
        })
    );
    // The download step runs as that user, and so does the build.
    let (_, dl) = d.named("[gofront] go mod download");
    assert_eq!(exec(dl).meta.as_ref().unwrap().user, "gopher:staff");
    let (_, build) = d.named("[gofront] go build .");
    assert_eq!(exec(build).meta.as_ref().unwrap().user, "gopher:staff");
    let (_, moddir) = d.named("[gofront] module cache directory");
    let Some(pb::file_action::Action::Mkdir(mkdir)) = &file(moddir).actions[0].action else {
        panic!("not a mkdir")
    };
    assert_eq!(mkdir.path, "/dir/mod");
    assert_eq!(
        mkdir.owner.as_ref().and_then(|o| o.user.clone()),
        Some(pb::UserOpt {
            user: Some(pb::user_opt::User::ByName(pb::NamedUserOpt {
                name: "gopher".into(),
                input: 1,
            })),
        })
    );
}

#[test]
fn a_non_root_builder_exports_the_gocache_below_its_own_directory() {
    let d = Case {
        builder_config: Some(r#"{"config":{"User":"1000"}}"#),
        tool_image: Some("gofront:dev"),
        options: &[("target", "gocache")],
        ..Case::default()
    }
    .definition();
    let (export_digest, export) = d.named("[gofront] export the Go build cache of .");
    let e = exec(export);
    let out = mount(e, "/gofront/export");
    assert_eq!(out.selector, "/dir");
    assert!(out.input >= 0);
    assert_eq!(
        d.input_name(&export.inputs[out.input as usize]),
        "[gofront] cache directory owned by 1000:0"
    );
    assert_eq!(
        d.input_name(&export.inputs[mount(e, "/gofront/bin").input as usize]),
        "[gofront] tool gofront:dev"
    );
    assert_eq!(
        d.input_name(&export.inputs[mount(e, "/gofront/built").input as usize]),
        "[gofront] go build ."
    );
    let (collect_digest, collect) = d.named("[gofront] collect the Go build cache");
    assert_eq!(collect.inputs.len(), 1);
    assert_eq!(collect.inputs[0].digest, export_digest);
    let Some(pb::file_action::Action::Copy(copy)) = &file(collect).actions[0].action else {
        panic!("not a copy")
    };
    assert_eq!((copy.src.as_str(), copy.dest.as_str()), ("/dir", "/"));
    assert!(copy.dir_copy_contents);
    assert_eq!(d.terminal().inputs[0].digest, collect_digest);
    assert_eq!(
        d.image_config.as_ref().unwrap()["config"]["Labels"]["org.gofront.gocache"],
        "1"
    );

    // A root builder writes the export straight into the result.
    let d = Case {
        tool_image: Some("gofront:dev"),
        options: &[("target", "gocache")],
        ..Case::default()
    }
    .definition();
    let (export_digest, export) = d.named("[gofront] export the Go build cache of .");
    let out = mount(exec(export), "/gofront/export");
    assert_eq!((out.input, out.selector.as_str()), (-1, ""));
    assert_eq!(d.terminal().inputs[0].digest, export_digest);
    assert!(
        !d.names()
            .iter()
            .any(|n| n == "[gofront] collect the Go build cache")
    );
}

#[test]
fn a_seed_from_an_oci_layout_is_loaded_by_its_digest() {
    let d = Case {
        tool_image: Some("gofront:dev"),
        options: &[("context:gocache", "oci-layout://mystore:v1@sha256:abababababababababababababababababababababababababababababababab")],
        ..Case::default()
    }
    .definition();
    let (digest, op) = d.named("[gofront] build context gocache: OCI layout");
    let s = source(op);
    assert_eq!(
        s.identifier,
        "oci-layout://docker.io/library/gocache@sha256:abababababababababababababababababababababababababababababababab"
    );
    assert_eq!(
        s.attrs,
        map(&[("oci.session", "sess"), ("oci.store", "mystore")])
    );
    let (_, build) = d.named("[gofront] go build .");
    let seed = mount(exec(build), "/gofront/seed");
    assert!(seed.readonly);
    assert_eq!(build.inputs[seed.input as usize].digest, digest);
    assert!(d.op(digest).inputs.is_empty());
}

#[test]
fn download_contexts_are_mounted_read_only() {
    let d = Case {
        go_mod: GO_MOD_WITH_DEP,
        spec: "[download]\ncontexts = { goproxy = \"/goproxy\", base = \"/base\" }\n",
        options: &[
            ("context:goproxy", "local:gp"),
            ("context:base", "docker-image://alpine:3"),
            ("image-resolve-mode", "pull"),
        ],
        ..Case::default()
    }
    .definition();
    let (_, dl) = d.named("[gofront] go mod download");
    let e = exec(dl);
    let gp = mount(e, "/goproxy");
    assert!(gp.readonly);
    assert_eq!(
        d.input_name(&dl.inputs[gp.input as usize]),
        "[gofront] load build context goproxy"
    );
    let base = mount(e, "/base");
    assert!(base.readonly);
    assert_eq!(
        d.input_name(&dl.inputs[base.input as usize]),
        "[gofront] build context base: alpine:3"
    );
    let (_, local) = d.named("[gofront] load build context goproxy");
    assert_eq!(source(local).identifier, "local://gp");
    assert_eq!(source(local).attrs["local.sharedkeyhint"], "gp");
    let (_, img) = d.named("[gofront] build context base: alpine:3");
    assert_eq!(source(img).attrs["image.resolvemode"], "pull");
}

#[test]
fn the_sbom_document_is_one_file_written_on_an_empty_state() {
    let plan = Case {
        options: &[("attest:sbom", "type=sbom"), ("platform", "linux/arm64")],
        ..Case::default()
    }
    .ok();
    let crate::plan::TargetPlan::Image { sbom: Some(s), .. } = &plan.target else {
        panic!("an image plan with an SBOM: {:?}", plan.target);
    };
    let st = crate::lower::sbom_document(&plan, s, b"{\"spdxVersion\":\"SPDX-2.3\"}".to_vec());
    let d = crate::testutil::definition::Llb::from_def(st.marshal(None), None);
    assert_eq!(d.names(), ["[gofront] SBOM of hello"]);
    let (digest, op) = d.named("[gofront] SBOM of hello");
    // On scratch: the op has no input, and runs on the build platform.
    assert!(op.inputs.is_empty());
    assert_eq!(
        op.platform.as_ref().map(|p| p.architecture.as_str()),
        Some(plan.build_platform.architecture.as_str())
    );
    assert_eq!(
        d.meta(digest).caps.keys().collect::<Vec<_>>(),
        ["file.base"]
    );
    let f = file(op);
    assert_eq!(f.actions.len(), 1);
    assert_eq!((f.actions[0].input, f.actions[0].output), (-1, 0));
    assert_eq!(
        f.actions[0].action,
        Some(pb::file_action::Action::Mkfile(pb::FileActionMkFile {
            path: "/sbom.spdx.json".into(),
            mode: 0o644,
            data: b"{\"spdxVersion\":\"SPDX-2.3\"}".to_vec(),
            owner: None,
            timestamp: -1,
        }))
    );
}

/// Each mount the plan gives a Go step is one LLB mount at its target, and
/// the exec has no other: lower adds and drops nothing.
#[test]
fn a_go_steps_mounts_are_the_plans_one_to_one() {
    for (options, tool) in [
        (&[][..], None),
        (&[][..], Some("gofront:dev")),
        (&[("target", "test")][..], Some("gofront:dev")),
        (
            &[("context:gocache", "local:seed")][..],
            Some("gofront:dev"),
        ),
        (
            &[("context:gocache", "local:seed"), ("target", "gocache")][..],
            Some("gofront:dev"),
        ),
    ] {
        let case = Case {
            go_mod: GO_MOD_WITH_DEP,
            tool_image: tool,
            options,
            ..Case::default()
        };
        let plan = case.ok();
        let d = case.definition();
        let mut steps = vec![plan.target.go_step().clone()];
        if let crate::plan::TargetPlan::Gocache { export, .. } = &plan.target {
            steps.push(export.step.clone());
        }
        for step in steps {
            let (_, op) = d.named(&step.name);
            let mut want: Vec<&str> = step.mounts.iter().map(|m| m.target.as_str()).collect();
            want.sort_unstable();
            let got: Vec<&str> = exec(op).mounts.iter().map(|m| m.dest.as_str()).collect();
            assert_eq!(got, want, "{options:?}: {}", step.name);
        }
    }
}

/// A plan whose step mounts what no step of it makes is a bug in gofront,
/// reported as one, never lowered into a half-wired graph.
#[test]
fn a_step_that_mounts_what_the_plan_lacks_is_an_internal_error() {
    use crate::plan::{MountSource, StepMount, StepRef, TargetPlan};
    let mut plan = Case::default().ok();
    let TargetPlan::Image { build, .. } = &mut plan.target else {
        panic!("not an image plan");
    };
    build.mounts.push(StepMount {
        target: "/x".into(),
        source: MountSource::Modules,
    });
    assert_eq!(
        crate::lower::lower(&plan).unwrap_err().to_string(),
        "internal error in gofront: a Go step mounts modules no step downloads"
    );
    let TargetPlan::Image { build, .. } = &mut plan.target else {
        panic!("not an image plan");
    };
    build.mounts.pop();
    build.mounts.push(StepMount {
        target: "/x".into(),
        source: MountSource::Step(StepRef::Test),
    });
    assert_eq!(
        crate::lower::lower(&plan).unwrap_err().to_string(),
        "internal error in gofront: a Go step reads a step the target does not run"
    );
    let TargetPlan::Image { build, .. } = &mut plan.target else {
        panic!("not an image plan");
    };
    build
        .mounts
        .retain(|m| !matches!(m.source, MountSource::Output(_) | MountSource::Step(_)));
    assert_eq!(
        crate::lower::lower(&plan).unwrap_err().to_string(),
        "internal error in gofront: a Go step has no output mount"
    );
}
