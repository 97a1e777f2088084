//! Golden Dockerfiles: what `gofront dockerfile` prints for each example,
//! reviewed with `cargo insta review`. The e2e crate builds them and checks
//! the binaries against gofront's (`e2e/tests/explain.rs`).

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use gofront::{ExplainError, dockerfile};

fn explain(name: &str, opts: &[(&str, &str)], merge: bool) -> Result<String, ExplainError> {
    let generated = common::only(common::generate(name, opts, merge).expect("pipeline"));
    dockerfile(&generated.plan, "gofront.toml")
}

fn check(snapshot: &str, name: &str, opts: &[(&str, &str)], merge: bool) {
    let text = explain(name, opts, merge).expect("a Dockerfile");
    insta::assert_snapshot!(snapshot, text);
}

#[test]
fn hello() {
    check("hello", "hello", &[], false);
}

#[test]
fn withdep() {
    check(
        "withdep",
        "withdep",
        &[
            ("context:goproxy", "local:goproxy"),
            ("build-arg:HTTPS_PROXY", "http://proxy.invalid:3128"),
        ],
        false,
    );
}

#[test]
fn multi_with_mergeop() {
    check(
        "multi_with_mergeop",
        "multi",
        &[("label:org.example.team", "platform")],
        true,
    );
}

#[test]
fn workspace() {
    check("workspace", "workspace", &[], false);
}

#[test]
fn layout() {
    check("layout", "layout", &[], false);
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
fn multi_test_target() {
    check("multi_test_target", "multi", &[("target", "test")], false);
}

#[test]
fn hello_arm64_seeded() {
    check(
        "hello_arm64_seeded",
        "hello",
        &[
            ("platform", "linux/arm64"),
            (
                "context:gocache",
                "docker-image://registry.example/app/gocache:main",
            ),
        ],
        false,
    );
}

#[test]
fn the_gocache_target_is_refused() {
    let err = explain("hello", &[("target", "gocache")], false).unwrap_err();
    assert_eq!(err, ExplainError::GocacheTarget);
}

#[test]
fn dataserver_with_mergeop() {
    check("dataserver_with_mergeop", "dataserver", &[], true);
}

#[test]
fn operator() {
    check("operator", "operator", &[], false);
}
