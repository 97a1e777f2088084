//! The Report of each example (railpack's habit): the spec with its source
//! map, the project, the warnings and the plan, as reviewed JSON snapshots
//! beside the LLB golden files. Every directory of `examples/` with a
//! `gofront.toml` is one case, so a new example is one directory.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use gofront::{LocalHost, Options};

/// The examples, sorted by name.
fn examples() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(common::examples())
        .expect("examples/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.join("gofront.toml").is_file())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn every_example_has_a_reviewed_report() {
    let names = examples();
    assert!(names.len() >= 5, "examples found: {names:?}");
    let rt = common::runtime();
    for name in names {
        let dir = common::examples().join(&name);
        let host = LocalHost {
            context: dir.clone(),
            spec: dir.join("gofront.toml"),
            merge: true,
        };
        // The named contexts the example's e2e.json says it is built with.
        let expected: serde_json::Value = std::fs::read(dir.join("e2e.json"))
            .map(|b| serde_json::from_slice(&b).expect("e2e.json"))
            .unwrap_or_default();
        let contexts: Vec<(String, String)> = expected["contexts"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c.as_str())
            .map(|c| (format!("context:{c}"), format!("local:{c}")))
            .collect();
        let options = Options::parse(
            std::iter::once(("filename", "gofront.toml"))
                .chain(contexts.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
        )
        .expect("options");
        let report = rt
            .block_on(gofront::generate(&host, &options))
            .unwrap_or_else(|f| panic!("{name}: {}", f.error));
        // The report is the plan lowered: the same LLB the golden files hold.
        gofront::lower_all(&report).expect("lower");
        insta::assert_json_snapshot!(format!("report_{name}"), report);
    }
}
