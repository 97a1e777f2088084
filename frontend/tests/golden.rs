//! Golden LLB: the readable rendering of each example's definition, reviewed
//! with `cargo insta review`. A change in any op, mount, env, cap or digest
//! shows up here as a diff.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use gofront::llb::debug_json;

fn check(snapshot: &str, name: &str, opts: &[(&str, &str)], merge: bool) {
    let generated = common::generate(name, opts, merge).expect("pipeline");
    let mut doc = debug_json(&generated.definition);
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
