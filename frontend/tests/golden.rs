//! Golden LLB: the readable rendering of each example's definition, reviewed
//! with `cargo insta review`. A change in any op, mount, env, cap or digest
//! shows up here as a diff.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use gofront::debug_json;
use gofront::proto::pb;
use prost::Message;

/// The rendering of `def`, checked to leave nothing out: every op, its
/// metadata and source locations read back from the JSON into the same
/// values.
fn rendered(def: &pb::Definition) -> serde_json::Value {
    let doc = debug_json(def).expect("render");
    let ops = doc["ops"].as_array().expect("ops");
    assert_eq!(ops.len(), def.def.len());
    for (bytes, entry) in def.def.iter().zip(ops) {
        let digest = entry["digest"].as_str().expect("digest");
        let op: pb::Op = serde_json::from_value(entry["op"].clone()).expect("op reads back");
        // Equal as values (the marshaller orders fields as Go does, so the
        // bytes prost writes back may differ in order only).
        let decoded = pb::Op::decode(bytes.as_slice()).expect("op decodes");
        assert_eq!(op, decoded, "op {digest} reads back");
        let md: Option<pb::OpMetadata> =
            serde_json::from_value(entry["metadata"].clone()).expect("metadata reads back");
        assert_eq!(
            md.as_ref(),
            def.metadata.get(digest),
            "metadata of {digest}"
        );
        let locs: Option<pb::Locations> =
            serde_json::from_value(entry["source_locations"].clone()).expect("locations read back");
        let want = def.source.as_ref().and_then(|s| s.locations.get(digest));
        assert_eq!(locs.as_ref(), want, "locations of {digest}");
    }
    // Nothing keyed by a digest that is not an op (it would not show).
    let digests: Vec<&str> = ops.iter().filter_map(|e| e["digest"].as_str()).collect();
    let keyed = def
        .metadata
        .keys()
        .chain(def.source.iter().flat_map(|s| s.locations.keys()));
    for k in keyed {
        assert!(digests.contains(&k.as_str()), "{k} is not an op");
    }
    let infos: Option<Vec<pb::SourceInfo>> =
        serde_json::from_value(doc["source_infos"].clone()).expect("source infos read back");
    assert_eq!(infos, def.source.as_ref().map(|s| s.infos.clone()));
    doc
}

fn check(snapshot: &str, name: &str, opts: &[(&str, &str)], merge: bool) {
    let generated = common::only(common::generate(name, opts, merge).expect("pipeline"));
    let mut doc = rendered(&generated.definition);
    if let Some(cfg) = &generated.image_config {
        doc["image_config"] = serde_json::from_slice(cfg).expect("config json");
    }
    insta::assert_json_snapshot!(snapshot, doc);
}

#[test]
fn hello() {
    check("hello", "hello", &[], false);
}

#[test]
fn hello_with_mergeop() {
    check("hello_with_mergeop", "hello", &[], true);
}

#[test]
fn withdep_download_layer() {
    check(
        "withdep_download_layer",
        "withdep",
        &[
            ("context:goproxy", "local:goproxy"),
            ("build-arg:HTTPS_PROXY", "http://proxy.invalid:3128"),
        ],
        false,
    );
}

/// `--sbom`: the image's definition is the very one built without it
/// (the document is written after the image is solved, from its
/// binaries); the plan says what goes in the document, reviewed here.
#[test]
fn withdep_sbom_plan() {
    let opts = [
        ("context:goproxy", "local:goproxy"),
        ("build-arg:SOURCE_DATE_EPOCH", "1700000000"),
        ("build-arg:GOFRONT_VERSION", "1.2.3"),
    ];
    let mut with: Vec<(&str, &str)> = opts.to_vec();
    with.push(("attest:sbom", "type=sbom"));
    let plain = common::only(common::generate("withdep", &opts, false).expect("pipeline"));
    let sbom = common::only(common::generate("withdep", &with, false).expect("pipeline"));
    assert_eq!(sbom_of(&plain), None);
    assert_eq!(plain.definition, sbom.definition);
    assert_eq!(plain.image_config, sbom.image_config);
    let plan = sbom_of(&sbom).expect("an SBOM plan");
    insta::assert_json_snapshot!("withdep_sbom_plan", plan);
    // A generator of the user's: BuildKit runs it, gofront writes none.
    let mut generator: Vec<(&str, &str)> = opts.to_vec();
    generator.push(("attest:sbom", "type=sbom,generator=example/scanner"));
    let g = common::only(common::generate("withdep", &generator, false).expect("pipeline"));
    assert_eq!(sbom_of(&g), None);
    assert_eq!(g.definition, plain.definition);
    // Other targets: none of gofront's (BuildKit's scanner, as for any
    // frontend).
    for target in ["binaries", "test", "gocache"] {
        let mut t = with.clone();
        t.push(("target", target));
        let g = common::only(common::generate("withdep", &t, false).expect("pipeline"));
        assert_eq!(sbom_of(&g), None, "{target}");
    }
}

/// The image plan's SBOM, if it has one, as JSON.
fn sbom_of(g: &gofront::PlatformBuild) -> Option<serde_json::Value> {
    match &g.plan.target {
        gofront::TargetPlan::Image { sbom: Some(s), .. } => {
            Some(serde_json::to_value(s).expect("json"))
        }
        _ => None,
    }
}

/// Private modules: a netrc secret, an SSH agent, the host's network, and
/// caches kept per project.
#[test]
fn withdep_private_modules_with_secrets_and_ssh() {
    check(
        "withdep_private_modules_with_secrets_and_ssh",
        "withdep",
        &[
            ("context:goproxy", "local:goproxy"),
            ("build-arg:GOFRONT_DOWNLOAD_SECRETS", "netrc,ca"),
            ("build-arg:GOFRONT_DOWNLOAD_SSH", "default"),
            ("build-arg:GOFRONT_DOWNLOAD_NETWORK", "host"),
            ("build-arg:GOFRONT_DOWNLOAD_ENV_GONOSUMDB", "gofront.test"),
            ("build-arg:GOFRONT_CACHE_SCOPE", "project"),
        ],
        false,
    );
}

#[test]
fn multi_two_binaries() {
    check(
        "multi_two_binaries",
        "multi",
        &[("label:org.example.team", "platform")],
        true,
    );
}

#[test]
fn workspace_go_work() {
    check("workspace_go_work", "workspace", &[], false);
}

/// A spec of its `# syntax=` line only, the binaries under cmd/: one go
/// build of the four the scan found, the image holds them all.
#[test]
fn layout_cmd_directories() {
    check("layout_cmd_directories", "layout", &[], true);
}

/// One of them, as its own target: the same go build, an image of it alone.
#[test]
fn layout_worker_target() {
    check(
        "layout_worker_target",
        "layout",
        &[("target", "worker")],
        true,
    );
}

/// The same layout inside a go.work member.
#[test]
fn layout_work_member_cmd_directories() {
    check(
        "layout_work_member_cmd_directories",
        "layout-work",
        &[],
        false,
    );
}

#[test]
fn hello_binaries_target() {
    check(
        "hello_binaries_target",
        "hello",
        &[("target", "binaries")],
        false,
    );
}

#[test]
fn multi_test_target_no_cache() {
    check(
        "multi_test_target_no_cache",
        "multi",
        &[("target", "test"), ("no-cache", "")],
        false,
    );
}

#[test]
fn hello_arm64_cross_compile() {
    check(
        "hello_arm64_cross_compile",
        "hello",
        &[
            ("platform", "linux/arm64"),
            ("build-arg:SOURCE_DATE_EPOCH", "1700000000"),
        ],
        false,
    );
}

/// A vendored module downloads nothing and builds with -mod=vendor.
#[test]
fn vendored_project_skips_the_download() {
    let dir = std::env::temp_dir().join(format!("gofront-vendored-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("vendor")).expect("mkdir");
    std::fs::write(
        dir.join("go.mod"),
        "module example.com/v\n\ngo 1.24\n\nrequire gofront.test/greet v1.0.0\n",
    )
    .expect("go.mod");
    std::fs::write(
        dir.join("vendor/modules.txt"),
        "# gofront.test/greet v1.0.0\n",
    )
    .expect("modules.txt");
    std::fs::write(dir.join("main.go"), "package main\n").expect("main.go");
    std::fs::write(dir.join("gofront.toml"), "# syntax=gofront:dev\n").expect("spec");
    let generated = common::only(
        common::generate_in(dir.clone(), dir.join("gofront.toml"), &[], false).expect("pipeline"),
    );
    std::fs::remove_dir_all(&dir).ok();
    let doc = debug_json(&generated.definition)
        .expect("render")
        .to_string();
    assert!(
        !doc.contains("go mod download"),
        "a vendored build downloads nothing"
    );
    assert!(doc.contains("GOFLAGS=-mod=vendor"), "{doc}");
}

/// A JSON spec (with its `syntax` key) gives the same LLB as the TOML one.
#[test]
fn json_spec_is_equivalent_to_toml() {
    let dir = std::env::temp_dir().join(format!("gofront-json-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let hello = common::examples().join("hello");
    std::fs::copy(hello.join("go.mod"), dir.join("go.mod")).expect("go.mod");
    std::fs::copy(hello.join("main.go"), dir.join("main.go")).expect("main.go");
    std::fs::write(
        dir.join("gofront.toml"),
        "# syntax=gofront:dev\n[build]\ntags = [\"netgo\"]\n[runtime]\nexpose = [\"8080\"]\n",
    )
    .expect("toml");
    std::fs::write(
        dir.join("gofront.json"),
        r#"{"syntax": "gofront:dev", "build": {"tags": ["netgo"]}, "runtime": {"expose": ["8080"]}}"#,
    )
    .expect("json");
    let toml = common::only(
        common::generate_in(dir.clone(), dir.join("gofront.toml"), &[], false).expect("toml"),
    );
    let json = common::only(
        common::generate_in(dir.clone(), dir.join("gofront.json"), &[], false).expect("json"),
    );
    std::fs::remove_dir_all(&dir).ok();
    // Same ops; only the source map's file contents differ.
    assert_eq!(toml.definition.def, json.definition.def);
    assert_eq!(toml.image_config, json.image_config);
}

#[test]
fn withdep_gocache_export_seeded_from_a_directory() {
    check(
        "withdep_gocache_export_seeded_from_a_directory",
        "withdep",
        &[
            ("target", "gocache"),
            ("context:goproxy", "local:goproxy"),
            ("context:gocache", "local:gocache"),
        ],
        false,
    );
}

#[test]
fn hello_seeded_from_an_image() {
    check(
        "hello_seeded_from_an_image",
        "hello",
        &[(
            "context:gocache",
            "docker-image://registry.example/app/gocache:main",
        )],
        true,
    );
}

/// Several platforms: one definition per platform id, each reviewed.
fn check_platforms(snapshot: &str, name: &str, opts: &[(&str, &str)]) {
    let generated = common::generate(name, opts, true).expect("pipeline");
    assert!(generated.multi_platform);
    let mut doc = serde_json::Map::new();
    for b in &generated.builds {
        let mut one = rendered(&b.definition);
        if let Some(cfg) = &b.image_config {
            one["image_config"] = serde_json::from_slice(cfg).expect("config json");
        }
        doc.insert(b.platform.to_string(), one);
    }
    insta::assert_json_snapshot!(snapshot, doc);
}

#[test]
fn hello_three_platforms_stamped_release() {
    check_platforms(
        "hello_three_platforms_stamped_release",
        "hello",
        &[
            ("platform", "linux/amd64,linux/arm64,linux/arm/v7"),
            (
                "build-arg:GOFRONT_BUILD_LDFLAGS",
                "-X main.version={{.Version}} -X main.commit={{.ShortCommit}} -X main.date={{.Date}}",
            ),
            ("build-arg:GOFRONT_VERSION", "1.2.3"),
            ("build-arg:SOURCE_DATE_EPOCH", "1700000000"),
            ("vcs:revision", "0123456789abcdef0123456789abcdef01234567"),
            ("vcs:source", "https://example.com/hello.git"),
        ],
    );
}

#[test]
fn windows_binaries_are_named_like_go_names_them() {
    let g = common::only(
        common::generate(
            "multi",
            &[("platform", "windows/amd64"), ("target", "binaries")],
            false,
        )
        .expect("pipeline"),
    );
    let gofront::TargetPlan::Binaries { binaries, .. } = &g.plan.target else {
        panic!("a binaries plan: {:?}", g.plan.target);
    };
    let names: Vec<&str> = binaries.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(names, ["server.exe", "cli.exe"]);
    let doc = debug_json(&g.definition).expect("render").to_string();
    assert!(doc.contains("GOOS=windows"), "{doc}");
}

#[test]
fn ldflags_templates_are_checked_and_strip_can_be_turned_off() {
    let err = common::generate(
        "hello",
        &[("build-arg:GOFRONT_BUILD_LDFLAGS", "-X main.v={{.Tag}}")],
        false,
    )
    .expect_err("an unknown template is an error");
    assert_eq!(
        err.to_string(),
        "build-arg GOFRONT_BUILD_LDFLAGS: build.ldflags: unknown template {{.Tag}}; templates are {{.Version}}, {{.Commit}}, {{.ShortCommit}}, {{.Date}}, {{.Env.NAME}}"
    );
    let g = common::only(
        common::generate(
            "hello",
            &[("build-arg:GOFRONT_BUILD_STRIP", "false")],
            false,
        )
        .expect("pipeline"),
    );
    let args = &g.plan.target.go_step().command.argv();
    assert!(!args.iter().any(|a| a.starts_with("-ldflags")));
}

#[test]
fn cgo_for_another_platform_needs_a_cross_compiler() {
    let dir = std::env::temp_dir().join(format!("gofront-cgo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::copy(common::examples().join("hello/go.mod"), dir.join("go.mod")).expect("go.mod");
    std::fs::copy(
        common::examples().join("hello/main.go"),
        dir.join("main.go"),
    )
    .expect("main.go");
    let spec = "# syntax=gofront:dev\n[build]\ncgo = true\n";
    std::fs::write(dir.join("gofront.toml"), spec).expect("spec");
    type Case<'a> = (&'a [(&'a str, &'a str)], Option<&'a str>);
    let cases: [Case; 4] = [
        (
            &[("platform", "linux/arm64")],
            Some(
                "gofront.toml:3:7: build.cgo = true for linux/arm64 on a linux/amd64 builder needs a C cross compiler for linux/arm64: set build.env CC to one the builder image has (e.g. CC = \"aarch64-linux-gnu-gcc\"), or build on a native linux/arm64 builder",
            ),
        ),
        (
            &[("platform", "linux/arm/v7")],
            Some(
                "gofront.toml:3:7: build.cgo = true for linux/arm/v7 on a linux/amd64 builder needs a C cross compiler for linux/arm/v7: set build.env CC to one the builder image has (e.g. CC = \"aarch64-linux-gnu-gcc\"), or build on a native linux/arm/v7 builder",
            ),
        ),
        (
            &[
                ("platform", "linux/arm64"),
                ("build-arg:GOFRONT_BUILD_ENV_CC", "aarch64-linux-gnu-gcc"),
            ],
            None,
        ),
        (&[("platform", "linux/amd64")], None),
    ];
    for (opts, want) in cases {
        let got = common::generate_in(dir.clone(), dir.join("gofront.toml"), opts, false)
            .err()
            .map(|e| e.to_string());
        assert_eq!(got.as_deref(), want, "{opts:?}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// The SBOM plan follows the build: every binary by its path in the
/// image, no base for scratch, the image's created time, and the main
/// module's version only when the build states one.
#[test]
fn sbom_plan_follows_the_build() {
    let plan = |name: &str, opts: &[(&str, &str)]| {
        let mut all = opts.to_vec();
        all.push(("attest:sbom", "type=sbom"));
        let g = common::only(common::generate(name, &all, false).expect("pipeline"));
        sbom_of(&g).expect("an image plan with an SBOM")
    };
    assert_eq!(
        plan("multi", &[("build-arg:GOFRONT_RUNTIME_BASE", "scratch")]),
        serde_json::json!({
            "document": {
                "name": "example.com/multi",
                "created": 0,
                "base": null,
                "main_version": null,
                "binaries": ["/usr/local/bin/server", "/usr/local/bin/cli"],
            },
            "read_from": ["/dir/server", "/dir/cli"],
            // The build runs through gofront keep, which writes the digests.
            "sums": "/dir/.gofront-sums",
            "name": "[gofront] SBOM of server, cli",
        })
    );
    assert_eq!(
        plan(
            "hello",
            &[
                ("build-arg:GOFRONT_BUILD_LDFLAGS", "-X main.v={{.Version}}"),
                ("vcs:revision", "0123456789abcdef"),
                ("build-arg:SOURCE_DATE_EPOCH", "1700000000"),
            ]
        )["document"],
        serde_json::json!({
            "name": "example.com/hello",
            "created": 1700000000,
            "base": {"reference": "gcr.io/distroless/static-debian12:nonroot", "digest": null},
            "main_version": "0.0.0-dev+0123456",
            "binaries": ["/usr/local/bin/hello"],
        })
    );
}

#[test]
fn withdep_gocache_export_with_tests_seeded() {
    check(
        "withdep_gocache_export_with_tests_seeded",
        "withdep",
        &[
            ("target", "gocache"),
            ("context:goproxy", "local:goproxy"),
            ("context:gocache", "local:gocache"),
            ("build-arg:GOFRONT_GOCACHE_TESTS", "true"),
        ],
        false,
    );
}

#[test]
fn withdep_test_seeded() {
    check(
        "withdep_test_seeded",
        "withdep",
        &[
            ("target", "test"),
            ("context:goproxy", "local:goproxy"),
            ("context:gocache", "local:gocache"),
        ],
        false,
    );
}

#[test]
fn withdep_binaries_seeded() {
    check(
        "withdep_binaries_seeded",
        "withdep",
        &[
            ("target", "binaries"),
            ("context:goproxy", "local:goproxy"),
            ("context:gocache", "local:gocache"),
        ],
        false,
    );
}

/// Files, an owned directory and ko's kodata, each a layer of its own over
/// the base (MergeOp), from only its files of the context; the binaries'
/// layer as before; the healthcheck, volume and stop signal in the config.
#[test]
fn dataserver_files_each_a_layer_with_mergeop() {
    check(
        "dataserver_files_each_a_layer_with_mergeop",
        "dataserver",
        &[("build-arg:SOURCE_DATE_EPOCH", "1700000000")],
        true,
    );
}

/// Without MergeOp the same layers are applied onto the base in order.
#[test]
fn dataserver_files_without_mergeop() {
    check("dataserver_files_without_mergeop", "dataserver", &[], false);
}

/// A kubebuilder-style operator: its one binary at /manager, the entrypoint.
#[test]
fn operator_manager_at_its_own_path() {
    check("operator_manager_at_its_own_path", "operator", &[], true);
}
