//! A go.mod edit downloads only what changed: the download step keeps Go's
//! module download cache on a cache mount and tries it before the proxy.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::fs;
use std::process::Command;

use gofront_e2e::{
    Scratch, Status, build, copy_example, enabled, goproxy, prune_engine, repo, run_image,
};

const DOWNLOAD: &str = "[gofront] go mod download";

fn summary(lines: &[String]) -> String {
    lines
        .iter()
        .find(|l| l.starts_with("gofront modcache:"))
        .cloned()
        .unwrap_or_default()
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn a_new_dependency_fetches_only_that_module() {
    if !enabled("a_new_dependency_fetches_only_that_module") {
        return;
    }
    let t = Scratch::new("modcache");
    let app = t.join("withdep");
    copy_example("withdep", &app);
    let proxy = format!("goproxy={}", goproxy().display());
    // A pruned engine: the first download starts from an empty module
    // download cache, whatever ran before.
    prune_engine();

    let b = build(&app, &["--build-context", &proxy, "-t", "e2e-modcache:1"]);
    b.assert_ok("first build");
    assert_eq!(b.status(DOWNLOAD), Status::Done);
    assert_eq!(
        summary(&b.lines(DOWNLOAD)),
        "gofront modcache: fetched 1 module(s) not in the download cache: gofront.test/greet@v1.0.0; kept 4 file(s), 0.0 MB"
    );

    // Add gofront.test/shout: go.mod, go.sum and a use of it.
    let gomod = app.join("go.mod");
    let mut text = fs::read_to_string(&gomod).unwrap();
    text.push_str("\nrequire gofront.test/shout v1.0.0\n");
    fs::write(&gomod, text).unwrap();
    let sums = Command::new(repo().join("scripts/make-goproxy"))
        .arg("--sums")
        .output()
        .expect("make-goproxy --sums");
    let shout: String = String::from_utf8_lossy(&sums.stdout)
        .lines()
        .filter(|l| l.starts_with("gofront.test/shout v1.0.0"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(!shout.is_empty());
    let gosum = app.join("go.sum");
    let mut sum = fs::read_to_string(&gosum).unwrap();
    sum.push_str(&shout);
    fs::write(&gosum, sum).unwrap();
    let main = app.join("main.go");
    let code = fs::read_to_string(&main)
        .unwrap()
        .replace(
            "\"gofront.test/greet\"",
            "\"gofront.test/greet\"\n\t\"gofront.test/shout\"",
        )
        .replace(
            "return text.Clean(greet.Hello(\"gofront\"))",
            "return shout.Shout(text.Clean(greet.Hello(\"gofront\")))",
        );
    fs::write(&main, code).unwrap();

    let b = build(&app, &["--build-context", &proxy, "-t", "e2e-modcache:2"]);
    b.assert_ok("build with a new dependency");
    assert_eq!(b.status(DOWNLOAD), Status::Done);
    // greet came from the download cache; only shout was fetched.
    assert_eq!(
        summary(&b.lines(DOWNLOAD)),
        "gofront modcache: fetched 1 module(s) not in the download cache: gofront.test/shout@v1.0.0; kept 4 file(s), 0.0 MB"
    );
    assert_eq!(run_image("e2e-modcache:2").trim(), "HELLO, GOFRONT!!");

    // --no-cache runs the download again. BuildKit gives a --no-cache
    // build fresh cache mounts (for every frontend: a Dockerfile
    // `RUN --mount=type=cache` sees an empty one too), but it does not
    // empty the ones normal builds use: after it, a go.mod edit still
    // finds both modules in the download cache.
    let b = build(
        &app,
        &[
            "--build-context",
            &proxy,
            "--no-cache",
            "-t",
            "e2e-modcache:3",
        ],
    );
    b.assert_ok("--no-cache build");
    assert_eq!(b.status(DOWNLOAD), Status::Done);
    let gomod = app.join("go.mod");
    let mut text = fs::read_to_string(&gomod).unwrap();
    text.push_str("// an edit that changes no requirement\n");
    fs::write(&gomod, text).unwrap();
    let b = build(&app, &["--build-context", &proxy, "-t", "e2e-modcache:4"]);
    b.assert_ok("build after --no-cache");
    assert_eq!(b.status(DOWNLOAD), Status::Done);
    assert_eq!(
        summary(&b.lines(DOWNLOAD)),
        "gofront modcache: fetched 0 module(s) not in the download cache; kept 0 file(s), 0.0 MB"
    );
    assert_eq!(run_image("e2e-modcache:4").trim(), "HELLO, GOFRONT!!");
}
