//! The same input gives byte-identical LLB, across processes and runs: no
//! hash-map order, clock, randomness or host default leaks into the
//! definition. The digest below is checked in; it changes only when the LLB
//! gofront emits for examples/multi changes, and then the golden snapshot
//! changes with it.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::process::Command;

use prost::Message;

const MULTI_DEFINITION_SHA256: &str =
    "cd6c4d1341b58c611b6b8163abfaa28e099fdfd4bf42e94ca7f98eae93610f5a";

fn llb_in_a_new_process() -> Vec<u8> {
    let dir = common::examples().join("multi");
    let out = Command::new(env!("CARGO_BIN_EXE_gofront"))
        .args(["llb", "--format", "pb", "--context"])
        .arg(&dir)
        .arg("-f")
        .arg(dir.join("gofront.toml"))
        .output()
        .expect("run gofront llb");
    assert!(
        out.status.success(),
        "gofront llb failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn two_processes_give_the_checked_in_bytes() {
    let first = llb_in_a_new_process();
    let second = llb_in_a_new_process();
    assert_eq!(first, second, "two runs differ");
    assert_eq!(common::sha256_hex(&first), MULTI_DEFINITION_SHA256);
}

#[test]
fn in_process_marshal_matches_the_binary() {
    let generated = common::only(common::generate("multi", &[], false).expect("pipeline"));
    assert_eq!(
        common::sha256_hex(&generated.definition.encode_to_vec()),
        MULTI_DEFINITION_SHA256
    );
}
