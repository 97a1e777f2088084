#![allow(clippy::expect_used, clippy::unwrap_used)]

use super::*;

const HELLO: &str = include_str!("../../../../examples/hello/gofront.toml");

fn json(a: &Answer) -> String {
    String::from_utf8(a.metadata[meta::JSON].clone()).unwrap()
}

fn txt(a: &Answer) -> String {
    String::from_utf8(a.metadata[meta::TXT].clone()).unwrap()
}

fn args(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn spec_report(text: &str, build_args: &BTreeMap<String, String>) -> SpecReport {
    let source = source(text);
    let spec = spec::parse("gofront.toml", &source.text, build_args).unwrap();
    SpecReport { source, spec }
}

#[test]
fn describe_lists_the_requests_gofront_answers() {
    let a = describe().unwrap();
    assert_eq!(a.metadata[meta::VERSION], b"1.0.0");
    insta::assert_snapshot!("describe_json", json(&a));
    insta::assert_snapshot!("describe_txt", txt(&a));
}

#[test]
fn targets_marks_the_default() {
    let a = targets(&source(HELLO), &[]).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&a.metadata[meta::JSON]).unwrap();
    assert_eq!(v["targets"][0]["name"], "image");
    assert_eq!(v["targets"][0]["default"], true);
    assert!(v["targets"][1].get("default").is_none());
    assert_eq!(v["sources"][0], base64(HELLO.as_bytes()));
    insta::assert_snapshot!("targets_hello_txt", txt(&a));
}

#[test]
fn targets_lists_each_binarys_own_image_after_the_built_in_ones() {
    let binaries = [
        ("server".to_string(), "./cmd/server".to_string()),
        ("test-image".to_string(), "./cmd/test".to_string()),
    ];
    let a = targets(&source(HELLO), &binaries).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&a.metadata[meta::JSON]).unwrap();
    let names: Vec<&str> = v["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "image",
            "binaries",
            "test",
            "gocache",
            "test-report",
            "server",
            "test-image"
        ]
    );
    assert_eq!(
        v["targets"][6]["description"],
        "The runtime image with only the binary of ./cmd/test, its entrypoint"
    );
    assert!(v["targets"][4].get("default").is_none());
    let text = String::from_utf8(a.metadata[meta::TXT].clone()).unwrap();
    assert!(
        text.ends_with(
            "server          The runtime image with only the binary of ./cmd/server, its entrypoint\n\
             test-image      The runtime image with only the binary of ./cmd/test, its entrypoint\n"
        ),
        "{text}"
    );
}

#[test]
fn outline_of_hello_lists_every_arg_with_its_value_default_and_line() {
    let spec = spec_report(
        HELLO,
        &args(&[
            ("GOFRONT_BUILD_CGO", "1"),
            ("SOURCE_DATE_EPOCH", "1700000000"),
        ]),
    );
    let a = outline(
        Target::Image,
        None,
        &spec,
        &args(&[
            ("GOFRONT_BUILD_CGO", "1"),
            ("SOURCE_DATE_EPOCH", "1700000000"),
        ]),
        // The packages gofront found: build.packages' value.
        &[".".to_string()],
    )
    .unwrap();
    let mut v: serde_json::Value = serde_json::from_slice(&a.metadata[meta::JSON]).unwrap();
    // The spec's bytes are checked above; keep the snapshot readable.
    v["sources"] = serde_json::json!(["<gofront.toml>"]);
    insta::assert_json_snapshot!("outline_hello_json", v);
    insta::assert_snapshot!("outline_hello_txt", txt(&a));
}

#[test]
fn outline_of_the_test_target_lists_only_what_it_reads() {
    let spec = spec_report(
        "[build]\nenv = { GOEXPERIMENT = \"loopvar\" }\n[test]\nflags = [\"-count=1\"]\n",
        &BTreeMap::new(),
    );
    let a = outline(Target::Test, None, &spec, &BTreeMap::new(), &[]).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&a.metadata[meta::JSON]).unwrap();
    let names: Vec<&str> = v["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"GOFRONT_TEST_FLAGS"));
    assert!(names.contains(&"GOFRONT_BUILD_ENV_GOEXPERIMENT"));
    assert!(!names.iter().any(|n| n.starts_with("GOFRONT_RUNTIME_")));
    assert!(!names.contains(&"GOFRONT_BUILD_PACKAGES"));
    let flags = v["args"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "GOFRONT_TEST_FLAGS")
        .unwrap();
    assert_eq!(flags["value"], "-count=1");
    assert_eq!(
        flags["location"],
        serde_json::json!({"ranges": [{"start": {"line": 4, "character": 8}, "end": {"line": 4, "character": 20}}]})
    );
}

fn source(text: &str) -> SourceMap {
    SourceMap::new("gofront.toml", text)
}

fn lint_of(
    source: &SourceMap,
    dockerignore: Option<&str>,
    warnings: &[crate::report::Warning],
    error: Option<&FrontendError>,
) -> (serde_json::Value, String, String) {
    let a = lint(source, dockerignore, warnings, error).unwrap();
    let mut v: serde_json::Value = serde_json::from_slice(&a.metadata[meta::JSON]).unwrap();
    for s in v["sources"].as_array_mut().unwrap() {
        s["data"] = "<base64>".into();
    }
    let status = String::from_utf8(a.metadata[meta::STATUS].clone()).unwrap();
    (v, txt(&a), status)
}

/// The check's answer when the build itself fails with `err`.
fn lint_of_error(spec_text: &str, err: &FrontendError) -> (serde_json::Value, String, String) {
    lint_of(&source(spec_text), None, &[], Some(err))
}

/// The warnings of a spec, a project and build args, as the driver finds
/// them for `--call check`.
fn warnings_of(
    spec_text: &str,
    files: &crate::plan::ProjectFiles,
    build_args: &[(&str, &str)],
    downloads: Option<bool>,
) -> Vec<crate::report::Warning> {
    let mut opts = vec![
        ("filename".to_string(), "gofront.toml".to_string()),
        ("requestid".to_string(), names::LINT.to_string()),
    ];
    opts.extend(
        build_args
            .iter()
            .map(|(k, v)| (format!("build-arg:{k}"), v.to_string())),
    );
    let options = Options::parse(opts.iter().map(|(k, v)| (k.as_str(), v.as_str()))).unwrap();
    let src = source(spec_text);
    let spec = spec::parse("gofront.toml", &src.text, &options.build_args).unwrap();
    let project = crate::report::ProjectReport {
        layout: crate::plan::layout(files).unwrap(),
        dockerignore: files.dockerignore.clone(),
    };
    crate::report::warnings(&options, &src, Some(&spec), Some(&project), downloads, None)
}

#[test]
fn a_clean_project_passes_the_check() {
    let files = crate::plan::ProjectFiles {
        go_mod: Some(
            "module example.com/hello
go 1.24
"
            .into(),
        ),
        dockerignore: Some("secret.txt\n".into()),
        ..crate::plan::ProjectFiles::default()
    };
    let warnings = warnings_of(HELLO, &files, &[], Some(false));
    let (v, text, status) = lint_of(&source(HELLO), Some("secret.txt\n"), &warnings, None);
    assert_eq!(status, "0");
    assert_eq!(v["warnings"], serde_json::json!([]));
    assert!(v.get("buildError").is_none());
    assert_eq!(text, "");
}

const TROUBLED: &str = "# syntax=gofront:dev
[build]
cgo = true

[download]
env = { GOPROXY = \"https://bob:hunter2@proxy.example\", GITHUB_TOKEN = \"x\" }

[runtime]
base = \"scratch\"
";

#[test]
fn the_check_warns_with_rule_detail_and_location() {
    let ignore = "# nothing of Go's\n*.sum\nvendor\n!vendor/modules.txt\n!go.mod\n";
    let files = crate::plan::ProjectFiles {
        go_mod: Some("module example.com/hello\ngo 1.24\nrequire example.com/dep v1.0.0\n".into()),
        vendored: true,
        dockerignore: Some(ignore.into()),
        ..crate::plan::ProjectFiles::default()
    };
    let warnings = warnings_of(
        TROUBLED,
        &files,
        &[("VERSION", "1.0"), ("GOFRONT_VERSION", "1.0")],
        Some(false),
    );
    let (v, text, status) = lint_of(&source(TROUBLED), Some(ignore), &warnings, None);
    assert_eq!(status, "1");
    insta::assert_json_snapshot!("lint_troubled_json", v);
    insta::assert_snapshot!("lint_troubled_txt", text);
}

const COUNT_ONE: &str = "# syntax=gofront:dev
[test]
packages = [\"./...\"]
flags = [\"-race\", \"-count=1\"]
";

#[test]
fn the_check_warns_on_the_test_flags_line_when_they_defeat_the_test_cache() {
    let files = crate::plan::ProjectFiles {
        go_mod: Some("module example.com/hello\ngo 1.24\n".into()),
        ..crate::plan::ProjectFiles::default()
    };
    let warnings = warnings_of(COUNT_ONE, &files, &[], Some(false));
    let (v, text, status) = lint_of(&source(COUNT_ONE), None, &warnings, None);
    assert_eq!(status, "1");
    let detail = "test.flags: -count=1 makes go test run every test each time: Go 1.24 reuses a cached result only when every test flag is one of -benchtime, -cpu, -failfast, -fullpath, -list, -parallel, -run, -short, -timeout, -v; remove it to let --target test reuse the results of unchanged packages";
    assert_eq!(
        warnings.iter().map(|w| w.message()).collect::<Vec<_>>(),
        [format!("gofront.toml:4:9: {detail}")]
    );
    assert_eq!(
        v["warnings"],
        serde_json::json!([{
            "ruleName": "UncacheableTestFlags",
            "description": "A test flag outside the set Go caches makes go test run every test each time",
            "detail": detail,
            "location": {"ranges": [{
                "start": {"line": 4, "character": 8},
                "end": {"line": 4, "character": 29},
            }]},
        }])
    );
    assert_eq!(
        text,
        format!(
            "\nWARNING: UncacheableTestFlags\n{detail}\ngofront.toml:4\n--------------------\n   2 |     [test]\n   3 |     packages = [\"./...\"]\n   4 | >>> flags = [\"-race\", \"-count=1\"]\n   5 |     \n--------------------\n"
        )
    );
}

#[test]
fn a_build_error_is_reported_with_its_spec_line() {
    let text = "[build]\ntgas = [\"x\"]\n";
    let err: FrontendError = spec::parse("gofront.toml", text, &BTreeMap::new())
        .unwrap_err()
        .into();
    let (v, _, status) = lint_of_error(text, &err);
    assert_eq!(status, "1");
    assert_eq!(
        v["buildError"],
        serde_json::json!({
            "message": "gofront.toml:2:1: unknown key \"tgas\" in [build]; did you mean \"tags\"?",
            "location": {"ranges": [{"start": {"line": 2}, "end": {"line": 2}}]}
        })
    );
}

#[test]
fn a_go_mod_build_error_points_at_its_go_mod_line() {
    let files = crate::plan::ProjectFiles {
        go_mod: Some("module a\ngo 1.24\nrequires x v1\n".into()),
        ..crate::plan::ProjectFiles::default()
    };
    let err: FrontendError = crate::plan::analyze(&files).unwrap_err().into();
    let (v, _, status) = lint_of_error("", &err);
    assert_eq!(status, "1");
    assert_eq!(
        v["buildError"],
        serde_json::json!({
            "message": "go.mod:3: unknown directive: requires",
            "location": {"sourceIndex": 1, "ranges": [{"start": {"line": 3}, "end": {"line": 3}}]}
        })
    );
    assert_eq!(v["sources"][1]["filename"], "go.mod");
}

#[test]
fn unknown_requests_are_refused_in_buildkits_words() {
    let e = SubrequestError::Unsupported("frontend.nope".into());
    let s = e.status();
    assert_eq!(s.message, "unsupported request frontend.nope");
    assert_eq!(
        s.details[0].type_url,
        "github.com/moby/buildkit/errdefs.Subrequest+json"
    );
    assert_eq!(s.details[0].value, br#"{"name":"frontend.nope"}"#);
}

#[test]
fn base64_is_standard_with_padding() {
    assert_eq!(base64(b""), "");
    assert_eq!(base64(b"f"), "Zg==");
    assert_eq!(base64(b"fo"), "Zm8=");
    assert_eq!(base64(b"foo"), "Zm9v");
    assert_eq!(base64(b"foobar\n"), "Zm9vYmFyCg==");
}

#[test]
fn columns_pad_every_cell_but_the_last_of_its_row() {
    let row = |cells: &[&str]| cells.iter().map(|c| c.to_string()).collect::<Vec<_>>();
    assert_eq!(
        columns(&[row(&["a", "bb", "c"]), row(&["ddd", "e"])], 2),
        "a    bb  c\nddd  e\n"
    );
}

#[test]
fn outline_of_a_binary_target_names_it_and_its_package() {
    let spec = spec_report("[build]\npackages = [\"./cmd/api\"]\n", &BTreeMap::new());
    let image = outline(Target::Image, None, &spec, &BTreeMap::new(), &[]).unwrap();
    let api = outline(
        Target::Image,
        Some(("api", binary_description("./cmd/api"))),
        &spec,
        &BTreeMap::new(),
        &[],
    )
    .unwrap();
    let json = |a: &Answer| -> serde_json::Value {
        serde_json::from_slice(&a.metadata[meta::JSON]).unwrap()
    };
    let (image, api) = (json(&image), json(&api));
    assert_eq!(api["name"], "api");
    assert_eq!(
        api["description"],
        "The runtime image with only the binary of ./cmd/api, its entrypoint"
    );
    assert_eq!(image["name"], "image");
    // The same build args as image: one go build for every binary target.
    assert_eq!(api["args"], image["args"]);
}
