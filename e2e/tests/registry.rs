//! Builds that push to and pull from a registry: the testbed's loopback
//! registry (`scripts/testbed up` runs Debian's `docker-registry` on
//! 127.0.0.1 and writes its address to `GOFRONT_TESTBED_REGISTRY`; dockerd
//! treats 127.0.0.0/8 as insecure, plain HTTP). Each test checks what the
//! registry then holds through its HTTP API, and each uses names of its own
//! run, so nothing an earlier run pushed can answer for it.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::fs;
use std::path::Path;

use gofront_e2e::{
    Build, Scratch, Status, build, build_file, classic_store, copy_example, copy_example_fresh,
    docker, docker_ok, enabled, goproxy, prune_engine, registry, registry_config,
    registry_manifest, run_id,
};

const BUILD_STEP: &str = "[gofront] go build";

fn image_exists(image: &str) -> bool {
    docker(&["image", "inspect", image]).status.success()
}

/// Removes a tag from the engine's store and checks it is gone.
fn remove_local(image: &str) {
    if image_exists(image) {
        docker_ok(&["image", "rm", image]);
    }
    assert!(
        !image_exists(image),
        "{image} is still in the engine's store"
    );
}

/// The packages `go build -v` compiled (the cache tool's own lines left out).
fn compiled(b: &Build) -> Vec<String> {
    b.lines(BUILD_STEP)
        .into_iter()
        .filter(|l| !l.starts_with("gofront gocache:"))
        .collect()
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn push_then_pull_and_run() {
    let test = "push_then_pull_and_run";
    if !enabled(test) {
        return;
    }
    let Some(reg) = registry(test) else { return };
    let t = Scratch::new("registry-push");
    let app = t.join("hello");
    copy_example_fresh("hello", &app);
    let tag = format!("push-{}", run_id());
    let image = format!("{reg}/e2e/hello:{tag}");
    build(&app, &["-t", &image, "--push"]).assert_ok("build --push");

    // The registry holds the image gofront made: the runtime base's user and
    // the spec's label.
    let config = registry_config(&reg, "e2e/hello", &tag);
    assert_eq!(config["config"]["User"], "65532:65532", "{config}");
    assert_eq!(
        config["config"]["Labels"]["org.opencontainers.image.title"], "hello",
        "{config}"
    );
    assert_eq!(config["os"], "linux");
    assert_eq!(config["architecture"], "amd64");

    // What runs is what the registry gives back.
    remove_local(&image);
    docker_ok(&["pull", "-q", &image]);
    let out = docker_ok(&["run", "--rm", "--network", "none", &image]);
    assert_eq!(out.trim(), "Hello from gofront!");
    remove_local(&image);
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn multi_platform_push_gives_an_index() {
    let test = "multi_platform_push_gives_an_index";
    if !enabled(test) {
        return;
    }
    let Some(reg) = registry(test) else { return };
    if classic_store(test, "buildx has no multi-platform output") {
        return;
    }
    let t = Scratch::new("registry-multi");
    let app = t.join("hello");
    copy_example_fresh("hello", &app);
    let tag = format!("multi-{}", run_id());
    let image = format!("{reg}/e2e/hello:{tag}");
    build(
        &app,
        &[
            "--platform",
            "linux/amd64,linux/arm64,linux/arm/v7",
            "-t",
            &image,
            "--push",
        ],
    )
    .assert_ok("three-platform build --push");

    // An index, each member's config on its own platform, on the runtime
    // base's user (the stand-in is an index of the same three).
    let (index, _) = registry_manifest(&reg, "e2e/hello", &tag);
    let members = index["manifests"]
        .as_array()
        .unwrap_or_else(|| panic!("e2e/hello:{tag} is no index: {index}"));
    let mut platforms = Vec::new();
    for m in members {
        let p = &m["platform"];
        let id = [&p["os"], &p["architecture"], &p["variant"]]
            .iter()
            .filter_map(|v| v.as_str())
            .collect::<Vec<_>>()
            .join("/");
        let (manifest, _) = registry_manifest(&reg, "e2e/hello", m["digest"].as_str().unwrap());
        let config = gofront_e2e::registry_get(
            &reg,
            &format!(
                "e2e/hello/blobs/{}",
                manifest["config"]["digest"].as_str().unwrap()
            ),
        )
        .json();
        assert_eq!(config["architecture"], p["architecture"], "{id}");
        assert_eq!(config["config"]["User"], "65532:65532", "{id}");
        platforms.push(id);
    }
    platforms.sort();
    assert_eq!(platforms, ["linux/amd64", "linux/arm/v7", "linux/arm64"]);
    remove_local(&image);
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn registry_cache_warms_a_pruned_engine() {
    let test = "registry_cache_warms_a_pruned_engine";
    if !enabled(test) {
        return;
    }
    let Some(reg) = registry(test) else { return };
    if classic_store(test, "buildx's docker driver exports no build cache") {
        return;
    }
    let t = Scratch::new("registry-cache");
    let app = t.join("hello");
    copy_example_fresh("hello", &app);
    let tag = format!("cache-{}", run_id());
    let cache = format!("{reg}/e2e/cache:{tag}");
    let out = |n: &str| format!("type=local,dest={}", t.join(n).display());
    let first = build(
        &app,
        &[
            "--target",
            "binaries",
            "--output",
            &out("first"),
            "--cache-to",
            &format!("type=registry,ref={cache},mode=max"),
        ],
    );
    first.assert_ok("build --cache-to type=registry");
    assert_eq!(first.status(BUILD_STEP), Status::Done, "{}", first.log);

    // The registry holds BuildKit's cache: a manifest (or an index) whose
    // config is a cache config, with the layers it names.
    let (manifest, _) = registry_manifest(&reg, "e2e/cache", &tag);
    let text = manifest.to_string();
    assert!(
        text.contains("application/vnd.buildkit.cacheconfig.v0"),
        "the registry's e2e/cache:{tag} is no build cache: {text}"
    );
    assert!(
        manifest["layers"].as_array().is_some_and(|l| !l.is_empty())
            || manifest["manifests"]
                .as_array()
                .is_some_and(|l| l.len() > 1),
        "the cache names no layer: {text}"
    );

    // A fresh runner: nothing local, every step from the registry's cache.
    prune_engine();
    let second = build(
        &app,
        &[
            "--target",
            "binaries",
            "--output",
            &out("second"),
            "--cache-from",
            &format!("type=registry,ref={cache}"),
        ],
    );
    second.assert_ok("build --cache-from type=registry");
    assert_eq!(second.status(BUILD_STEP), Status::Cached, "{}", second.log);
    assert_eq!(
        fs::read(t.join("first/hello")).unwrap(),
        fs::read(t.join("second/hello")).unwrap(),
        "the cached binary differs"
    );
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn gocache_seed_only_the_registry_holds() {
    let test = "gocache_seed_only_the_registry_holds";
    if !enabled(test) {
        return;
    }
    let Some(reg) = registry(test) else { return };
    // On the classic store too: the seed is pulled from the registry, never
    // from the engine's store.
    let t = Scratch::new("registry-seed");
    let app = t.join("withdep");
    copy_example("withdep", &app);
    let proxy = format!("goproxy={}", goproxy().display());
    let tag = format!("seed-{}", run_id());
    let seed = format!("{reg}/e2e/gocache-seed:{tag}");

    // An empty engine: the export compiles every package, then pushes.
    prune_engine();
    let export = build(
        &app,
        &[
            "--build-context",
            &proxy,
            "--target",
            "gocache",
            "-t",
            &seed,
            "--push",
        ],
    );
    export.assert_ok("push the gocache target");
    let cold = compiled(&export);
    assert!(
        cold.len() > 1 && cold.contains(&"example.com/withdep".to_string()),
        "the cold export compiled {cold:?}"
    );
    let config = registry_config(&reg, "e2e/gocache-seed", &tag);
    assert_eq!(
        config["config"]["Labels"]["org.gofront.gocache"], "1",
        "the registry's seed is no gofront gocache image: {config}"
    );

    // Only the registry has it now; a fresh runner seeded from there
    // compiles main alone.
    remove_local(&seed);
    prune_engine();
    let main = app.join("main.go");
    let mut text = fs::read_to_string(&main).unwrap();
    text.push_str(&format!("\nvar gofrontRegistrySeed = \"{tag}\"\n"));
    fs::write(&main, text).unwrap();
    let b = build(
        &app,
        &[
            "--build-context",
            &proxy,
            "--build-context",
            &format!("gocache=docker-image://{seed}"),
            "--target",
            "binaries",
            "--output",
            &format!("type=local,dest={}", t.join("out").display()),
        ],
    );
    b.assert_ok("build seeded from the registry");
    assert_eq!(
        compiled(&b),
        ["example.com/withdep"],
        "the seeded build compiled more than main (the cold one: {cold:?})"
    );
    assert!(
        b.lines(BUILD_STEP)
            .iter()
            .any(|l| l.starts_with("gofront gocache: seeded")),
        "{}",
        b.log
    );
    assert!(t.join("out/withdep").is_file());
    assert!(
        !image_exists(&seed),
        "the seeded build loaded {seed} locally"
    );
}

/// Puts `gofront:dev` back from the registry when dropped, so that a
/// failing test leaves the engine as the other tests need it.
struct Restore {
    pushed: String,
}

impl Drop for Restore {
    fn drop(&mut self) {
        if !image_exists("gofront:dev") {
            let pulled = docker(&["pull", "-q", &self.pushed]);
            let tagged = docker(&["tag", &self.pushed, "gofront:dev"]);
            let _ = docker(&["image", "rm", &self.pushed]);
            assert!(
                pulled.status.success() && tagged.status.success(),
                "cannot put gofront:dev back from {}: {}",
                self.pushed,
                String::from_utf8_lossy(&pulled.stderr)
            );
        }
    }
}

/// The spec of `dir` with its `# syntax=` line pointing at `frontend`.
fn spec_with_syntax(dir: &Path, frontend: &str) -> std::path::PathBuf {
    let spec = fs::read_to_string(dir.join("gofront.toml")).unwrap();
    let rest = spec
        .strip_prefix("# syntax=gofront:dev\n")
        .expect("the example's spec starts with # syntax=gofront:dev");
    let file = dir.join("registry.gofront.toml");
    fs::write(&file, format!("# syntax={frontend}\n{rest}")).unwrap();
    file
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn gofront_itself_from_the_registry() {
    let test = "gofront_itself_from_the_registry";
    if !enabled(test) {
        return;
    }
    let Some(reg) = registry(test) else { return };
    let tag = format!("dev-{}", run_id());
    let frontend = format!("{reg}/gofront:{tag}");
    docker_ok(&["tag", "gofront:dev", &frontend]);
    docker_ok(&["push", "-q", &frontend]);
    let _restore = Restore {
        pushed: frontend.clone(),
    };
    let config = registry_config(&reg, "gofront", &tag);
    assert_eq!(
        config["config"]["Labels"]["moby.buildkit.frontend.network.none"], "true",
        "the registry's gofront:{tag} is not the frontend image: {config}"
    );

    // The engine's store has no gofront now: BuildKit must pull it.
    remove_local(&frontend);
    remove_local("gofront:dev");
    let t = Scratch::new("registry-syntax");
    let app = t.join("hello");
    copy_example("hello", &app);
    let spec = spec_with_syntax(&app, &frontend);
    let b = build_file(
        &spec,
        &app,
        &[
            "--target",
            "binaries",
            "--output",
            &format!("type=local,dest={}", t.join("out").display()),
        ],
    );
    b.assert_ok("build with # syntax= from the registry");
    assert_eq!(
        b.status(&format!(
            "resolve image config for docker-image://{frontend}"
        )),
        Status::Done,
        "{}",
        b.log
    );
    assert_ne!(b.status(BUILD_STEP), Status::Missing, "{}", b.log);
    let out = std::process::Command::new(t.join("out/hello"))
        .output()
        .expect("the binary runs on the host");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "Hello from gofront!"
    );
}
