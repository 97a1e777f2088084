#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use super::go::*;
use super::*;
use crate::options::{Options, Platform};
use crate::plan::types::paths;
use crate::spec::{Spec, managed};

fn spec(text: &str) -> Spec {
    crate::spec::parse("gofront.toml", text, &BTreeMap::new()).unwrap()
}

/// One row per variable the Go steps get: the case, the variable, the
/// value it must have (`None`: unset), and why.
struct EnvRow {
    spec: &'static str,
    vendored: bool,
    platform: &'static str,
    var: &'static str,
    want: Option<&'static str>,
    why: &'static str,
}

const DEFAULT: &str = "# syntax=gofront:dev\n";

const fn row(var: &'static str, want: &'static str, why: &'static str) -> EnvRow {
    EnvRow {
        spec: DEFAULT,
        vendored: false,
        platform: "linux/amd64",
        var,
        want: Some(want),
        why,
    }
}

#[test]
fn go_env_table() {
    let rows = [
        row(
            "GOTOOLCHAIN",
            "local",
            "the builder image's Go, never a downloaded one: Go steps have no network, and the image is the choice of toolchain",
        ),
        row(
            "GOCACHE",
            paths::GOCACHE,
            "the build cache mount, shared by every project, target and platform",
        ),
        row(
            "GOMODCACHE",
            paths::MODCACHE,
            "the module cache the download step filled, mounted read-only",
        ),
        row(
            "GOPROXY",
            "off",
            "the build never fetches a module: everything came through the download step, keyed by go.mod and go.sum",
        ),
        row(
            "GOFLAGS",
            "-mod=readonly",
            "go.mod and go.sum are never rewritten by a build: a missing requirement fails as in CI",
        ),
        EnvRow {
            vendored: true,
            ..row(
                "GOFLAGS",
                "-mod=vendor",
                "a vendored project builds from vendor/, and has no download step",
            )
        },
        row(
            "CGO_ENABLED",
            "0",
            "static binaries by default, for the distroless static base",
        ),
        EnvRow {
            spec: "[build]\ncgo = true\n",
            ..row(
                "CGO_ENABLED",
                "1",
                "build.cgo = true, with the distroless base (glibc) as runtime",
            )
        },
        EnvRow {
            platform: "windows/arm64",
            ..row("GOOS", "windows", "the target platform's OS (--platform)")
        },
        EnvRow {
            platform: "linux/arm64",
            ..row("GOARCH", "arm64", "the target platform's architecture")
        },
        EnvRow {
            platform: "linux/arm/v7",
            ..row(
                "GOARM",
                "7",
                "an arm variant, without its v, as Go spells it",
            )
        },
        EnvRow {
            platform: "linux/amd64/v3",
            ..row(
                "GOAMD64",
                "v3",
                "an amd64 variant, as written: Go spells it v3 too",
            )
        },
        EnvRow {
            want: None,
            ..row(
                "GOAMD64",
                "",
                "no variant, no variable: Go's own default (v1) stays",
            )
        },
        EnvRow {
            spec: "[build]\nenv = { CC = \"zig cc\" }\n",
            ..row("CC", "zig cc", "build.env passes through")
        },
    ];
    for r in rows {
        let platform = Platform::parse(r.platform).unwrap();
        let env = go_env(&spec(r.spec), r.vendored, &platform);
        assert_eq!(
            env.get(r.var).map(String::as_str),
            r.want,
            "{} ({}, {}): {}",
            r.var,
            r.platform,
            r.spec.trim(),
            r.why
        );
    }
    // And nothing else by default.
    let default = go_env(&spec(DEFAULT), false, &Platform::linux_amd64());
    let names: Vec<&str> = default.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "CGO_ENABLED",
            "GOARCH",
            "GOCACHE",
            "GOFLAGS",
            "GOMODCACHE",
            "GOOS",
            "GOPROXY",
            "GOTOOLCHAIN"
        ]
    );
}

#[test]
fn every_variable_the_build_step_sets_is_one_build_env_may_not() {
    for platform in [
        "linux/amd64",
        "linux/arm/v7",
        "linux/amd64/v3",
        "windows/arm64",
    ] {
        let platform = Platform::parse(platform).unwrap();
        for vendored in [false, true] {
            for name in go_env(&spec(DEFAULT), vendored, &platform).keys() {
                let refused = crate::spec::parse(
                    "gofront.toml",
                    &format!("[build.env]\n{name} = \"x\"\n"),
                    &BTreeMap::new(),
                );
                assert!(
                    refused.is_err() && managed::build_reason(name).is_some(),
                    "gofront sets {name} for {platform}, but build.env may set it too"
                );
            }
        }
    }
}

#[test]
fn go_flags_table() {
    // The spec, build args, the flags wanted, and why.
    type Row = (
        &'static str,
        &'static [(&'static str, &'static str)],
        &'static [&'static str],
        &'static str,
    );
    let rows: [Row; 6] = [
        (
            DEFAULT,
            &[],
            &["-buildvcs=false", "-trimpath", "-ldflags=-s -w"],
            "no VCS stamping (.git is not in the context), no build paths in binaries, no symbol table or DWARF",
        ),
        (
            "[build]\ntrimpath = false\n",
            &[],
            &["-buildvcs=false", "-ldflags=-s -w"],
            "build.trimpath = false keeps paths",
        ),
        (
            "[build]\nstrip = false\n",
            &[],
            &["-buildvcs=false", "-trimpath"],
            "build.strip = false: no -ldflags at all",
        ),
        (
            "[build]\ntags = [\"netgo\", \"osusergo\"]\n",
            &[],
            &[
                "-buildvcs=false",
                "-trimpath",
                "-tags=netgo,osusergo",
                "-ldflags=-s -w",
            ],
            "build.tags joined with commas, as go build takes them",
        ),
        (
            "[build]\ntags = []\n",
            &[],
            &["-buildvcs=false", "-trimpath", "-ldflags=-s -w"],
            "no tags, no -tags",
        ),
        (
            "[build]\nldflags = \"-X main.version={{.Version}}\"\n",
            &[("GOFRONT_VERSION", "1.2.3")],
            &[
                "-buildvcs=false",
                "-trimpath",
                "-ldflags=-s -w -X main.version=1.2.3",
            ],
            "build.ldflags after -s -w, templates expanded",
        ),
    ];
    for (text, args, want, why) in rows {
        let build_args: Vec<(String, String)> = args
            .iter()
            .map(|(k, v)| (format!("build-arg:{k}"), v.to_string()))
            .collect();
        let opts = Options::parse(
            build_args
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .chain([("filename", "gofront.toml")]),
        )
        .unwrap();
        let spec = crate::spec::parse("gofront.toml", text, &opts.build_args).unwrap();
        let mut problems = Vec::new();
        let flags = go_flags(&spec, &opts, "1970-01-01T00:00:00Z", &mut problems);
        assert!(problems.is_empty(), "{why}: {problems:?}");
        assert_eq!(flags, want, "{}: {why}", text.trim());
    }
}

#[test]
fn owners() {
    assert_eq!(owner_of(""), Owner::Ids(0, 0));
    assert_eq!(owner_of("1000:1000"), Owner::Ids(1000, 1000));
    assert_eq!(owner_of("1000"), Owner::Ids(1000, 0));
    assert_eq!(owner_of("gopher"), Owner::Names("gopher".into(), None));
}

#[test]
fn binary_names_follow_go() {
    // cmd/go's DefaultExecName in module mode (exeFromImportPath with
    // isVersionElement): import path, name.
    let cases = [
        ("example.com/hello", "hello"),
        ("hello", "hello"),
        // A major-version suffix names the element before it...
        ("example.com/tool/v2", "tool"),
        ("example.com/tool/v10", "tool"),
        ("example.com/x/cmd/v2", "cmd"),
        ("example.com/tool/v2/cmd/v3", "cmd"),
        ("v2/v3", "v2"),
        // ... unless it is the whole path,
        ("v2", "v2"),
        // and v1, v0, a leading zero or a letter are no suffix.
        ("example.com/tool/v1", "v1"),
        ("example.com/tool/v0", "v0"),
        ("example.com/tool/v02", "v02"),
        ("example.com/tool/v2x", "v2x"),
        ("example.com/tool/v", "v"),
        ("example.com/tool/V2", "V2"),
        ("example.com/tool/v11", "tool"),
        ("example.com/tool.v2", "tool.v2"),
    ];
    for (path, name) in cases {
        assert_eq!(exec_name(path), name, "{path}");
    }
}

#[test]
fn binaries_are_named_by_their_import_path() {
    use crate::plan::project::{ProjectFiles, layout};
    let names = |files: ProjectFiles, packages: &str| -> Vec<String> {
        let project = layout(&files).unwrap();
        let spec = spec(&format!("[build]\npackages = {packages}\n"));
        let mut problems = Vec::new();
        let found = binaries(
            &spec,
            &project,
            &build_packages(&spec, &project),
            &Platform::linux_amd64(),
            &mut problems,
        );
        assert!(problems.is_empty(), "{problems:?}");
        found.into_iter().map(|b| b.name).collect()
    };
    let module = |path: &str| ProjectFiles {
        go_mod: Some(format!("module {path}\n\ngo 1.24\n")),
        ..Default::default()
    };
    assert_eq!(
        names(module("example.com/x"), r#"["./cmd/v2", "./cmd/api", "."]"#),
        ["cmd", "api", "x"]
    );
    assert_eq!(names(module("example.com/x"), r#"["./v3"]"#), ["x"]);
    assert_eq!(names(module("example.com/foo/v1"), r#"["."]"#), ["v1"]);
    assert_eq!(names(module("example.com/foo/v2"), r#"["./"]"#), ["foo"]);
    assert_eq!(names(module("example.com/foo/v2"), r#"["./v2"]"#), ["v2"]);
    // In a workspace, by the innermost member holding the package.
    let work = ProjectFiles {
        go_work: Some("go 1.24\nuse ./svc\nuse ./svc/inner\n".into()),
        member_go_mods: [
            (
                "svc".to_string(),
                "module example.com/svc/v3\n\ngo 1.24\n".to_string(),
            ),
            (
                "svc/inner".to_string(),
                "module example.com/inner/v1\n\ngo 1.24\n".to_string(),
            ),
        ]
        .into(),
        ..Default::default()
    };
    assert_eq!(
        names(work.clone(), r#"["./svc", "./svc/cmd/v2", "./svc/inner"]"#),
        ["svc", "cmd", "v1"]
    );
    assert_eq!(names(work.clone(), r#"["./svc/v4"]"#), ["v3"]);
    // A member one letter long is nearer than the root member.
    let root = ProjectFiles {
        go_work: Some("go 1.24\nuse ./b\nuse .\n".into()),
        go_mod: Some("module example.com/root\n\ngo 1.24\n".into()),
        member_go_mods: [
            (
                ".".to_string(),
                "module example.com/root\n\ngo 1.24\n".to_string(),
            ),
            (
                "b".to_string(),
                "module example.com/b/v2\n\ngo 1.24\n".to_string(),
            ),
        ]
        .into(),
        ..Default::default()
    };
    assert_eq!(names(root.clone(), r#"["./b/v3"]"#), ["v2"]);
    assert_eq!(names(root, r#"["./c/v3"]"#), ["c"]);
    assert_eq!(names(work, r#"["./svc/inner/v2"]"#), ["v1"]);
}

#[test]
fn sections_are_located_from_the_parsed_spec() {
    let lines = |text: &str, section: &str| -> Vec<(u32, u32)> {
        let spec = crate::spec::parse("gofront.toml", text, &BTreeMap::new()).unwrap();
        spec.section_spans(section)
            .iter()
            .map(|r| {
                (
                    crate::spec::line_col(text, r.start).line as u32,
                    crate::spec::line_col(text, r.end.saturating_sub(1).max(r.start)).line as u32,
                )
            })
            .collect()
    };
    let t = "# syntax=x\n[build] # the build\ntags = []\n\n[runtime]\nuser = \"1\"\n[runtime.env]\nA = \"b\"\n\n[test]\nflags = [\n  \"-v\",\n]\n[runtime.labels]\nx = \"y\"\n";
    assert_eq!(lines(t, "build"), [(2, 3)]);
    assert_eq!(lines(t, "runtime"), [(5, 8), (14, 15)]);
    assert_eq!(lines(t, "test"), [(10, 13)]);
    assert_eq!(lines(t, "download"), []);
    let j = "{\n  \"syntax\": \"x\",\n  \"build\": {\n    \"tags\": [\n      \"a\"\n    ]\n  },\n  \"runtime\": { \"user\": \"1\" }\n}\n";
    assert_eq!(lines(j, "build"), [(3, 7)]);
    assert_eq!(lines(j, "runtime"), [(8, 8)]);
}
