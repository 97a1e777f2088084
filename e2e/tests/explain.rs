//! `gofront dockerfile` says what gofront does: for every example, the
//! binaries gofront builds (`--target binaries`) and those the generated
//! Dockerfile builds with the engine's own Dockerfile frontend are the same
//! bytes (same builder, Go env, flags and module versions).

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::fs;

use gofront_e2e::{
    Scratch, build, build_file, cgo_enabled, enabled, files, gofront_ok, goproxy, repo, sha256_file,
};

/// Builds `examples/<name>` both ways and compares every file of the output.
fn same_binaries(name: &str, contexts: &[String]) {
    let dir = repo().join("examples").join(name);
    let t = Scratch::new(&format!("explain-{name}"));
    let mut extra: Vec<&str> = Vec::new();
    for c in contexts {
        extra.extend(["--build-context", c.as_str()]);
    }

    let spec = dir.join("gofront.toml").display().to_string();
    let context = dir.display().to_string();
    let mut cli = vec![
        "dockerfile",
        "--context",
        &context,
        "-f",
        &spec,
        "--target",
        "binaries",
    ];
    cli.extend(&extra);
    let text = gofront_ok(&cli);
    assert!(
        !text.lines().any(|l| l.starts_with("# syntax=")),
        "the engine's own frontend must build it:\n{text}"
    );
    let dockerfile = t.join("Dockerfile");
    fs::write(&dockerfile, &text).unwrap();

    let ours = t.join("gofront");
    let dest = format!("type=local,dest={}", ours.display());
    let mut args = vec!["--target", "binaries", "--output", &dest];
    args.extend(&extra);
    build(&dir, &args).assert_ok(&format!("gofront build of {name}"));

    let theirs = t.join("dockerfile");
    let dest = format!("type=local,dest={}", theirs.display());
    let mut args = vec!["--target", "binaries", "--output", &dest];
    args.extend(&extra);
    build_file(&dockerfile, &dir, &args).assert_ok(&format!("Dockerfile build of {name}:\n{text}"));

    let (a, b) = (files(&ours), files(&theirs));
    assert!(!a.is_empty(), "gofront built no binary for {name}");
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "{name}: the same binaries"
    );
    for f in a.keys() {
        assert_eq!(
            sha256_file(&ours.join(f)),
            sha256_file(&theirs.join(f)),
            "{name}: {f} differs between gofront and its Dockerfile"
        );
    }
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn hello_dockerfile_builds_the_same_binary() {
    if !enabled("hello_dockerfile_builds_the_same_binary") {
        return;
    }
    same_binaries("hello", &[]);
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn withdep_dockerfile_builds_the_same_binary() {
    if !enabled("withdep_dockerfile_builds_the_same_binary") {
        return;
    }
    same_binaries("withdep", &[format!("goproxy={}", goproxy().display())]);
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn multi_dockerfile_builds_the_same_binaries() {
    if !enabled("multi_dockerfile_builds_the_same_binaries") {
        return;
    }
    same_binaries("multi", &[]);
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn workspace_dockerfile_builds_the_same_binary() {
    if !enabled("workspace_dockerfile_builds_the_same_binary") {
        return;
    }
    same_binaries("workspace", &[]);
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn layout_dockerfile_builds_the_same_binaries() {
    if !enabled("layout_dockerfile_builds_the_same_binaries") {
        return;
    }
    same_binaries("layout", &[]);
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn layout_work_dockerfile_builds_the_same_binaries() {
    if !enabled("layout_work_dockerfile_builds_the_same_binaries") {
        return;
    }
    same_binaries("layout-work", &[]);
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn cgo_dockerfile_builds_the_same_binary() {
    if !cgo_enabled("cgo_dockerfile_builds_the_same_binary") {
        return;
    }
    same_binaries("cgo", &[]);
}
