use super::*;

fn heads(files: &[(&str, &str)]) -> Heads {
    Heads {
        files: files
            .iter()
            .map(|(p, t)| (p.to_string(), t.as_bytes().to_vec()))
            .collect(),
        truncated: false,
    }
}

fn roots(r: &[&str]) -> Vec<String> {
    r.iter().map(|s| s.to_string()).collect()
}

const MAIN: &str = "package main\n";
const LIB: &str = "package lib\n";

#[test]
fn a_package_clause_is_read_after_comments() {
    let package = |n: &str| Clause::Package(n.to_string());
    for (text, clause) in [
        ("package main\n", package("main")),
        (
            "\u{feff}// Command x.\n/* a\n block */ package main // x\n",
            package("main"),
        ),
        ("//go:build linux\n\npackage main\n", package("main")),
        ("package main;", package("main")),
        ("package main// x", package("main")),
        ("package mainly\n", package("mainly")),
        ("package lib\n", package("lib")),
        ("/* unterminated package main\n", Clause::Unknown),
        ("// package main\npackage x\n", package("x")),
        ("// a licence\n// only", Clause::Unknown),
        ("package\n", Clause::Unknown),
        ("package 1x\n", Clause::Unknown),
        ("func main() {}\n", Clause::Unknown),
        ("", Clause::Unknown),
    ] {
        assert_eq!(package_clause(text), clause, "{text:?}");
    }
}

#[test]
fn a_build_constraint_no_build_satisfies_leaves_the_file_out() {
    for (constraint, out) in [
        ("//go:build ignore", true),
        ("//go:build ignore\r", true),
        ("//go:build  ( ignore )", true),
        ("//go:build linux && ignore", true),
        ("//go:build !(!ignore)", true),
        ("// +build ignore", true),
        ("//go:build !ignore", false),
        ("//go:build linux || ignore", false),
        ("//go:build tools", false),
        ("//go:build linux && (amd64 || arm64)", false),
        ("//go:build go1.22", false),
        // Not a constraint Go reads, or not one that parses: kept.
        ("//go:buildignore", false),
        ("//go:build ignore &&", false),
        ("//go:build (ignore", false),
        ("// +build ignore linux", false),
    ] {
        let text = format!("{constraint}\n\npackage main\n");
        let want = if out {
            Clause::Excluded
        } else {
            Clause::Package("main".into())
        };
        assert_eq!(package_clause(&text), want, "{constraint:?}");
    }
    let deep = format!(
        "//go:build {}ignore{}\n\npackage main\n",
        "(".repeat(100),
        ")".repeat(100)
    );
    assert_eq!(package_clause(&deep), Clause::Package("main".into()));
}

#[test]
fn the_module_root_wins_over_cmd() {
    let h = heads(&[("main.go", MAIN), ("cmd/tool/main.go", MAIN)]);
    assert_eq!(found(&roots(&["."]), &h).packages, ["."]);
}

#[test]
fn without_a_main_root_each_cmd_directory_with_package_main_is_built() {
    let h = heads(&[
        // A library root with a generator Go leaves out of every build.
        ("doc.go", "// Package lib.\npackage lib\n"),
        ("gen.go", "//go:build ignore\n\npackage main\n"),
        ("cmd/worker/main.go", MAIN),
        ("cmd/api/doc.go", "// Command api.\npackage main\n"),
        ("cmd/api/server.go", MAIN),
        // A library under cmd/, and one whose only main file is a test.
        ("cmd/shared/shared.go", LIB),
        ("cmd/probe/main_test.go", MAIN),
        // Directories Go's ./... skips, a file Go skips, one level too deep.
        ("cmd/_old/main.go", MAIN),
        ("cmd/.hidden/main.go", MAIN),
        ("cmd/testdata/main.go", MAIN),
        ("cmd/skip/_main.go", MAIN),
        ("cmd/api/internal/main.go", MAIN),
        // Not cmd/.
        ("tools/gen/main.go", MAIN),
    ]);
    let f = found(&roots(&["."]), &h);
    assert_eq!(f.packages, ["./cmd/api", "./cmd/worker"]);
    assert!(!f.incomplete);
}

#[test]
fn a_directory_with_any_main_file_counts() {
    let h = heads(&[("cmd/a/a.go", LIB), ("cmd/a/b.go", MAIN)]);
    assert_eq!(found(&roots(&["."]), &h).packages, ["./cmd/a"]);
}

#[test]
fn each_workspace_member_is_looked_at_in_its_order() {
    let h = heads(&[
        ("svc/cmd/api/main.go", MAIN),
        ("svc/cmd/migrate/main.go", MAIN),
        ("svc/svc.go", LIB),
        ("tool/main.go", MAIN),
        ("tool/cmd/other/main.go", MAIN),
        ("lib/lib.go", LIB),
        ("cmd/root/main.go", MAIN),
    ]);
    let f = found(&roots(&["tool", "svc", "lib"]), &h);
    assert_eq!(f.packages, ["./tool", "./svc/cmd/api", "./svc/cmd/migrate"]);
    // A member at the workspace's root is the module root.
    let f = found(&roots(&[".", "lib"]), &h);
    assert_eq!(f.packages, ["./cmd/root"]);
}

#[test]
fn nothing_found_is_an_empty_list_and_a_cut_listing_is_incomplete() {
    let none = found(&roots(&["."]), &heads(&[("lib.go", LIB)]));
    assert_eq!(none, Found::default());
    let mut cut = heads(&[("lib.go", LIB), ("cmd/a/main.go", MAIN)]);
    cut.truncated = true;
    let f = found(&roots(&["."]), &cut);
    assert_eq!(f.packages, ["./cmd/a"]);
    assert!(f.incomplete);
    // A main root does not need its cmd/ listed.
    cut.files.insert("main.go".into(), MAIN.as_bytes().to_vec());
    assert!(!found(&roots(&["."]), &cut).incomplete);
}

#[test]
fn a_scan_selects_each_roots_go_files_and_cmd_and_honours_dockerignore() {
    let s = scan(
        &roots(&[".", "svc", "odd[1]*"]),
        &["cmd/secret".to_string(), "!cmd/secret/keep.go".to_string()],
    );
    assert_eq!(
        s.include,
        [
            "*.go",
            "cmd/*/*.go",
            "odd\\[1\\]\\*/*.go",
            "odd\\[1\\]\\*/cmd/*/*.go",
            "svc/*.go",
            "svc/cmd/*/*.go"
        ]
    );
    // Test files are left out after .dockerignore's own patterns, so no
    // `!` brings one back.
    assert_eq!(
        s.exclude,
        ["cmd/secret", "!cmd/secret/keep.go", "**/*_test.go"]
    );
    let m = s.matcher().unwrap();
    for (path, selected) in [
        ("main.go", true),
        ("main_test.go", false),
        ("README.md", false),
        ("cmd/api/main.go", true),
        ("cmd/api/main_test.go", false),
        ("cmd/api/x/main.go", false),
        ("cmd/secret/main.go", false),
        ("cmd/secret/keep.go", true),
        ("internal/x.go", false),
        ("svc/cmd/api/main.go", true),
        ("odd[1]*/cmd/a/main.go", true),
        ("odd1x/cmd/a/main.go", false),
    ] {
        assert_eq!(m.selects(path), selected, "{path}");
    }
    for (dir, walked) in [
        ("cmd", true),
        ("cmd/api", true),
        ("cmd/api/x", false),
        ("internal", false),
        ("svc", true),
        ("svc/cmd", true),
        ("svc/internal", false),
        ("svc/cmd/a", true),
        ("svc/cmd/a/b", false),
        ("node_modules", false),
    ] {
        assert_eq!(m.may_hold(dir), walked, "{dir}");
    }
}

#[test]
fn a_scan_reads_a_few_files_of_each_directory_and_at_most_so_many_directories() {
    let s = Scan {
        files_per_dir: 2,
        max_dirs: 2,
        ..scan(&roots(&["."]), &[])
    };
    let files = ["c.go", "a.go", "b.go", "cmd/x/main.go", "cmd/y/main.go"];
    let (picked, truncated) = s.pick(files.iter().map(|f| f.to_string()));
    assert_eq!(picked, ["a.go", "b.go", "cmd/x/main.go"]);
    assert!(truncated);
    let (picked, truncated) = s.pick(files[..4].iter().map(|f| f.to_string()));
    assert_eq!(picked.len(), 3);
    assert!(!truncated);
}
