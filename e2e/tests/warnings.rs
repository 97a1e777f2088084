//! What a user must see that is not an error reaches buildx on the step it
//! belongs to, as the Dockerfile frontend's warnings do.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use gofront_e2e::{Scratch, build_rawjson, copy_example, enabled};

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn an_unused_build_arg_is_a_warning_on_the_spec_step() {
    if !enabled("an_unused_build_arg_is_a_warning_on_the_spec_step") {
        return;
    }
    let t = Scratch::new("warnings");
    let app = t.join("hello");
    copy_example("hello", &app);
    // BuildKit's status stream says which vertex a warning is on (whether
    // buildx's plain output prints it inline depends on timing).
    let b = build_rawjson(&app, &["--build-arg", "UNUSEDX=1"]);
    assert!(b.ok, "build with an unused build arg failed:\n{}", b.raw);
    assert_eq!(
        b.warnings(),
        [(
            "[internal] load build definition from gofront.toml".to_string(),
            "build arg UNUSEDX is not used by gofront; spec keys are set with GOFRONT_* build args"
                .to_string()
        )],
        "{}",
        b.raw
    );
}
