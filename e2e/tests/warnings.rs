//! What a user must see that is not an error reaches buildx on the step it
//! belongs to, as the Dockerfile frontend's warnings do.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use gofront_e2e::{Scratch, build, copy_example, enabled};

#[test]
fn an_unused_build_arg_is_a_warning_on_the_spec_step() {
    if !enabled("an_unused_build_arg_is_a_warning_on_the_spec_step") {
        return;
    }
    let t = Scratch::new("warnings");
    let app = t.join("hello");
    copy_example("hello", &app);
    let b = build(&app, &["--build-arg", "UNUSEDX=1"]);
    b.assert_ok("build with an unused build arg");
    let lines = b.lines("[internal] load build definition from gofront.toml");
    assert!(
        lines.iter().any(|l| l
            == "WARN: build arg UNUSEDX is not used by gofront; spec keys are set with GOFRONT_* build args"),
        "the warning is not on gofront's spec step: {lines:?}\n{}",
        b.log
    );
}
