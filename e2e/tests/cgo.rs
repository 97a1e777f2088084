//! cgo on a real engine: `examples/cgo` builds with the testbed's cgo
//! builder (`scripts/testbed images --cgo`), runs on the glibc base gofront
//! defaults to, and passes its tests; the Go build cache is one per builder
//! image with cgo and one for all without; cgo for another platform without
//! a C cross compiler is refused in one sentence.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::fs;
use std::path::{Path, PathBuf};

use gofront_e2e::{
    Build, CGO_BUILDER, Scratch, Status, build, cgo_enabled, copy_example, docker_ok,
    fresh_namespace, repo, run_id, run_image,
};

const BUILD_STEP: &str = "[gofront] go build";
const TEST_STEP: &str = "[gofront] go test";

/// The packages `go build -v` compiled (the tool's own lines left out).
fn compiled(b: &Build) -> Vec<String> {
    b.lines(BUILD_STEP)
        .into_iter()
        .filter(|l| !l.starts_with("gofront "))
        .collect()
}

/// A copy of `examples/<name>` and a cache mount namespace that no earlier
/// build used: every cache starts empty without pruning the engine. BuildKit
/// leaves cache mount ids out of a step's cache key, so the copy's main
/// package gets a new variable too, or the build step would come from the
/// cache of an earlier run.
fn fresh_copy(name: &str, t: &Scratch) -> (PathBuf, String) {
    let run = run_id();
    let app = t.join(name);
    copy_example(name, &app);
    append(
        &app.join("main.go"),
        &format!("\nvar gofrontRun = \"{run}\"\n"),
    );
    (app, fresh_namespace(name))
}

fn append(file: &Path, text: &str) {
    let mut all = fs::read_to_string(file).unwrap();
    all.push_str(text);
    fs::write(file, all).unwrap();
}

/// `to`: the image `from` with one more label, so another image (another
/// digest and name) with the same files and user.
fn relabel(from: &str, to: &str, t: &Scratch) {
    let dir = t.join(&format!("relabel-{}", to.replace(['/', ':'], "-")));
    fs::create_dir_all(&dir).unwrap();
    fs::write(
        dir.join("Dockerfile"),
        format!("FROM {from}\nLABEL org.gofront.e2e.relabel=\"{to}\"\n"),
    )
    .unwrap();
    let ctx = dir.display().to_string();
    docker_ok(&[
        "build",
        "-q",
        "--network",
        "none",
        "--provenance=false",
        "-t",
        to,
        &ctx,
    ]);
}

/// `--target binaries` of `app` with the given builder, into `out`.
fn build_with(app: &Path, builder: &str, ns: &str, out: &Path) -> Build {
    let builder = format!("GOFRONT_BUILD_BUILDER={builder}");
    let dest = format!("type=local,dest={}", out.display());
    let b = build(
        app,
        &[
            "--build-arg",
            &builder,
            "--build-arg",
            ns,
            "--target",
            "binaries",
            "--output",
            &dest,
        ],
    );
    b.assert_ok(&format!("build with {builder}"));
    assert_eq!(b.status(BUILD_STEP), Status::Done, "{builder}: not built");
    b
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn cgo_example_builds_runs_and_passes_its_tests() {
    if !cgo_enabled("cgo_example_builds_runs_and_passes_its_tests") {
        return;
    }
    let app = repo().join("examples/cgo");
    build(&app, &["-t", "e2e-cgo:1"]).assert_ok("examples/cgo");
    // glibc 2.36: the runtime base's (Debian 12), not the builder's (2.41):
    // the binary is linked dynamically and runs on the base's C library.
    assert_eq!(
        run_image("e2e-cgo:1").trim(),
        "2 + 3 = 5, computed in C; glibc 2.36"
    );
    let user = docker_ok(&["image", "inspect", "-f", "{{.Config.User}}", "e2e-cgo:1"]);
    assert_eq!(user.trim(), "65532:65532");

    let b = build(&app, &["--target", "test"]);
    b.assert_ok("examples/cgo --target test");
    let lines = b.lines(TEST_STEP);
    if b.status(TEST_STEP) == Status::Done {
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("ok") && l.contains("example.com/cgo")),
            "go test printed: {lines:?}"
        );
    } else {
        // An earlier run passed the same test step: BuildKit cached it.
        assert_eq!(b.status(TEST_STEP), Status::Cached, "{}", b.log);
    }
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn cgo_builds_with_two_builder_images_use_two_caches() {
    if !cgo_enabled("cgo_builds_with_two_builder_images_use_two_caches") {
        return;
    }
    let t = Scratch::new("cgo-caches");
    let other = "gofront-test/golang-cgo:1.24-relabelled";
    relabel(CGO_BUILDER, other, &t);
    let (app, ns) = fresh_copy("cgo", &t);

    let a = compiled(&build_with(&app, CGO_BUILDER, &ns, &t.join("a")));
    assert!(
        a.iter().any(|p| p == "runtime/cgo") && a.iter().any(|p| p == "example.com/cgo"),
        "an empty cache compiled {a:?}"
    );
    // Builder B: the same files, another image, so another cache: Go
    // compiles everything again.
    let b = compiled(&build_with(&app, other, &ns, &t.join("b")));
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    assert_eq!(
        sorted(b),
        sorted(a.clone()),
        "{other} did not start from an empty cache"
    );
    // A's cache is still there: after an edit, A compiles main alone.
    append(&app.join("main.go"), "\nvar gofrontEdit = 1\n");
    let again = compiled(&build_with(&app, CGO_BUILDER, &ns, &t.join("a2")));
    assert_eq!(again, ["example.com/cgo"], "{CGO_BUILDER}'s cache was lost");
    eprintln!("cgo, empty cache: {} packages compiled: {a:?}", a.len());
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn builds_without_cgo_share_one_cache_across_builder_images() {
    if !cgo_enabled("builds_without_cgo_share_one_cache_across_builder_images") {
        return;
    }
    let t = Scratch::new("nocgo-caches");
    // Same user (root) as golang:1.24, so the same cache mount base.
    let other = "gofront-test/golang:1.24-relabelled";
    relabel("golang:1.24", other, &t);
    let (app, ns) = fresh_copy("hello", &t);

    let a = compiled(&build_with(&app, "golang:1.24", &ns, &t.join("a")));
    assert!(
        a.iter().any(|p| p == "fmt") && a.iter().any(|p| p == "example.com/hello"),
        "an empty cache compiled {a:?}"
    );
    let b = compiled(&build_with(&app, other, &ns, &t.join("b")));
    assert!(
        b.is_empty(),
        "{other} recompiled {b:?}: it did not share golang:1.24's cache"
    );
    eprintln!("no cgo: {} packages, then none", a.len());
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn cgo_for_another_platform_is_refused() {
    if !cgo_enabled("cgo_for_another_platform_is_refused") {
        return;
    }
    let app = repo().join("examples/cgo");
    let b = build(&app, &["--platform", "linux/arm64"]);
    assert!(!b.ok, "a cgo build for linux/arm64 succeeded:\n{}", b.log);
    let want = "gofront.toml:11:7: build.cgo = true for linux/arm64 on a linux/amd64 builder needs a C cross compiler for linux/arm64: set build.env CC to one the builder image has (e.g. CC = \"aarch64-linux-gnu-gcc\"), or build on a native linux/arm64 builder";
    assert!(
        b.log.lines().any(|l| l.ends_with(want)),
        "no refusal naming the spec line in:\n{}",
        b.log
    );
}
