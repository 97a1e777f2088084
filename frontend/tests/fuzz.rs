//! Issue 10's property harness: generated specs (TOML and JSON, with
//! `[images.NAME]` sections), go.mod, go.work (workspaces whose members
//! share a directory, a module path or a newer go line), .dockerignore,
//! build args and options, each run through the whole pipeline
//! (`driver::generate` on an in-memory host). Every case must finish
//! without a panic, quickly (no hang), within bounded memory, and an error
//! must name the file at fault (with its line where it has one), one
//! sentence a line. A second test feeds command lines that are not UTF-8
//! to the argument reader, and a share of them to the binary.
//!
//! CI runs a short slice with a fixed seed. The bench mode is the same test
//! with more cases: `GOFRONT_FUZZ_CASES=1000000 cargo test -p gofront
//! --test fuzz -- --nocapture` (optionally `GOFRONT_FUZZ_SEED=<n>`).

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::print_stdout)]

mod common;

use std::time::{Duration, Instant};

use gofront::FrontendError;
use gofront::KEYS;
use gofront::PlanError;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};

/// Cases in CI: a few seconds.
const CI_CASES: u32 = 4_000;
/// No case may take longer (a debug build on a busy 2-core machine).
const CASE_LIMIT: Duration = Duration::from_secs(5);
/// The process's peak resident memory may not pass this.
const PEAK_RSS_LIMIT_KIB: u64 = 1 << 20;

/// One generated input.
#[derive(Debug, Clone)]
struct Input {
    spec: String,
    files: Vec<(String, Vec<u8>)>,
    opts: Vec<(String, String)>,
}

const SPEC_PIECES: &[&str] = &[
    "# syntax=gofront:dev\n",
    "[build]\n",
    "[build] # c\n",
    "[download]\n",
    "[runtime]\n",
    "[test]\n",
    "[runtime.env]\n",
    "[build.env]\n",
    "[download.env]\n",
    "[runtime.labels]\n",
    "[download.contexts]\n",
    "[[build]]\n",
    "[biuld]\n",
    "packages = [\"./\"]\n",
    "packages = [\".\", \"./cmd/a\"]\n",
    "packages = []\n",
    "packages = [\"../x\"]\n",
    "output = \"app\"\n",
    "output = \"a/b\"\n",
    "tags = [\"netgo\", \"a-b\"]\n",
    "tags = [\"x\", 1]\n",
    "ldflags = \"-X main.v={{.Version}} {{.Env.X}}\"\n",
    "ldflags = \"{{.Nope}}\"\n",
    "ldflags = \"\\u0000\"\n",
    "cgo = true\n",
    "cgo = \"yes\"\n",
    "strip = false\n",
    "trimpath = 1.5\n",
    "builder = \"golang:1.24\"\n",
    "builder = \"\"\n",
    "network = \"none\"\n",
    "network = \"host\"\n",
    "GOPROXY = \"off\"\n",
    "GOFLAGS = \"-mod=mod\"\n",
    "GOPRIVATE = \"example.com\"\n",
    "GOTOOLCHAIN = \"auto\"\n",
    "\"1X\" = \"y\"\n",
    "goproxy = \"/goproxy\"\n",
    "base = \"scratch\"\n",
    "base = \"https://x\"\n",
    "entrypoint = []\n",
    "entrypoint = [\"\"]\n",
    "entrypoint = [\"/app\", \"--x\"]\n",
    "cmd = [\"serve\"]\n",
    "user = \"nobody\"\n",
    "user = \"1:2:3\"\n",
    "workdir = \"rel\"\n",
    "expose = [\"8080\", 53, \"0\", \"53/udp\"]\n",
    "flags = [\"-v\", \"x\"]\n",
    "env = { A = \"b\" }\n",
    "labels = { a = \"b\" }\n",
    "cgo = true\ncgo = false\n",
    "[images.app]\n",
    "[images.worker]\n",
    "[images.cmd]\n",
    "[images.app.env]\n",
    "[images.app.labels]\n",
    "[images]\n",
    "[images.\"\"]\n",
    "[images.\"a.exe\"]\n",
    "packages = [\"./cmd/v2\", \"./v3\"]\n",
    "packages = [\"./app\", \"./lib\"]\n",
    "packages = [\"./app\", \"./app/\"]\n",
    "output = \".gofront-sums\"\n",
    "output = \".gofront-used\"\n",
    "flags = [\"-run\", \"TestX\"]\n",
    "flags = [\"-run\"]\n",
    "flags = [\"-v\", \"-count\", \"1\", \"./x\"]\n",
    "builder = \"Golang:1.24\"\n",
    "builder = \"golang@sha256:abc\"\n",
    "a = [[[[[[[[[[[[[[[[[[[[\n",
    "x = 99999999999999999999\n",
    "d = 1979-05-27\n",
    "\n",
];

const JSON_PIECES: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"build\"",
    "\"runtime\"",
    "\"download\"",
    "\"test\"",
    "\"syntax\"",
    "\"tags\"",
    "\"cgo\"",
    "\"env\"",
    "\"packages\"",
    "\"entrypoint\"",
    "\"x\"",
    "\"./\"",
    "1",
    "-2.5e3",
    "18446744073709551616",
    "null",
    "true",
    "false",
    "\"\\u0000\"",
    "\"\\ud800\"",
    "\n",
    " ",
    "\u{feff}",
];

const GO_MOD_LINES: &[&str] = &[
    "module example.com/app",
    "module \"example.com/q\"",
    "module",
    "go 1.24",
    "go 1.25rc1",
    "go 1.24.x",
    "go 1",
    "toolchain go1.24.3",
    "toolchain go1.24.0-vendor",
    "toolchain default",
    "toolchain local",
    "require (",
    ")",
    "\texample.com/dep v1.0.0 // indirect",
    "require example.com/dep v1.0.0",
    "require x",
    "replace example.com/dep => ./lib",
    "replace example.com/dep => ../out",
    "replace a v1 => b v2",
    "replace a => b",
    "replace (",
    "exclude a v1.0.0",
    "retract [v1.0.0, v1.0.5]",
    "godebug default=go1.21",
    "godebug x",
    "tool example.com/t",
    "ignore ./web",
    "use ./app",
    "// comment",
    "\"unterminated",
    "`raw`",
    "hello world",
    "",
];

const GO_WORK_LINES: &[&str] = &[
    "go 1.24",
    "go 1.26",
    "go 1.22",
    "toolchain go1.24.3",
    "use ./app",
    "use ./app",
    "use app/",
    "use ./lib",
    "use ./app/../lib",
    "use .",
    "use ../x",
    "use (",
    "\t./app",
    "\t./lib",
    ")",
    "toolchain default",
    "godebug x=1",
    "replace a => ./lib",
    "require a v1",
    "",
];

const IGNORE_LINES: &[&str] = &[
    "*.mod",
    "go.sum",
    "!go.mod",
    "!go.sum",
    "vendor",
    "vendor/**",
    "**/*.go",
    "**",
    "go.[ms]*",
    "go.[mod",
    "a[b-a]",
    "\\",
    "!",
    "#c",
    "  # x",
    "../go.mod",
    "\u{feff}secret",
    "/",
    "app",
    "*",
    "",
];

const ARG_NAMES: &[&str] = &[
    "GOFRONT_BUILD_TAGS",
    "GOFRONT_BUILD_PACKAGES",
    "GOFRONT_BUILD_CGO",
    "GOFRONT_BUILD_LDFLAGS",
    "GOFRONT_BUILD_ENV_CC",
    "GOFRONT_RUNTIME_ENTRYPOINT",
    "GOFRONT_RUNTIME_BASE",
    "GOFRONT_RUNTIME_LABELS",
    "GOFRONT_DOWNLOAD_ENV_GOPROXY",
    "GOFRONT_DOWNLOAD_ENV_",
    "GOFRONT_DOWNLOAD_ENV_GOFLAGS",
    "GOFRONT_DOWNLOAD_CONTEXTS",
    "GOFRONT_DOWNLOAD_NETWORK",
    "GOFRONT_TEST_FLAGS",
    "GOFRONT_VERSION",
    "GOFRONT_GOCACHE_MODULES",
    "GOFRONT_BUILD_TGAS",
    "SOURCE_DATE_EPOCH",
    "BUILDKIT_CACHE_MOUNT_NS",
    "BUILDKIT_MULTI_PLATFORM",
    "HTTP_PROXY",
    "UNUSED",
];

const ARG_VALUES: &[&str] = &[
    "",
    "true",
    "maybe",
    "a,b",
    "[\"/x\", \"a,b\"]",
    "[1]",
    "[",
    "goproxy=/goproxy",
    "x=",
    "./app",
    "./",
    "{{.Version}}",
    "{{.Env.X}}",
    "-1",
    "0",
    "253402300799",
    "253402300800",
    "scratch",
    "none",
    "-v",
    "a\0b",
];

const OPTIONS: &[(&str, &str)] = &[
    ("target", "image"),
    ("target", "binaries"),
    ("target", "test"),
    ("target", "gocache"),
    ("target", "imgae"),
    ("platform", "linux/arm64"),
    ("platform", "linux/amd64,linux/arm/v7"),
    ("platform", "windows/amd64"),
    ("platform", "linux"),
    ("platform", "js/wasm"),
    ("multi-platform", "true"),
    ("multi-platform", "false"),
    ("multi-platform", "yes"),
    ("image-resolve-mode", "pull"),
    ("image-resolve-mode", "never"),
    (
        "cache-imports",
        "[{\"Type\":\"local\",\"Attrs\":{\"src\":\"/c\"}}]",
    ),
    ("cache-imports", "nope"),
    ("no-cache", ""),
    ("label:a", "b"),
    ("label:a", "b\0"),
    ("context:goproxy", "local:goproxy"),
    ("context:gocache", "local:gocache"),
    ("context:gocache", "git://x"),
    ("vcs:revision", "0123456789abcdef"),
    ("vcs:revision", "a\nb"),
    ("context:gocache", "oci-layout:///dir"),
    ("context:gocache", "oci-layout://s@sha256:0000"),
    ("label:a=b", "c"),
    ("label:", "c"),
    ("platform", "linux/arm/v9"),
    ("platform", "linux/amd64,linux/x86_64/v1"),
    ("platform", "linux/arm64/v9.5,linux/ppc64le/power10"),
    ("build-arg:GOFRONT_VERSION", "1.0\n2"),
    ("target", "app"),
    ("target", "lib"),
    ("target", "cmd"),
    ("target", "worker"),
    ("target", "app.exe"),
    ("context:gocache", "docker-image://"),
    ("context:gocache", "docker-image://Reg.io/Team/x:"),
    ("context:gocache", "docker-image://reg.io/team/gocache:main"),
    ("context:gocache", "docker-image://[::1]:5000/x@sha256:00"),
    (
        "context:seed",
        "docker-image://a@md5:0123456789abcdef0123456789abcdef",
    ),
    ("build-arg:GOFRONT_GOCACHE_TESTS", "true"),
];

/// Characters that break parsers: quotes, brackets, escapes, controls, a
/// byte order mark, multi-byte characters.
const SHARP: &[char] = &[
    '[', ']', '{', '}', '"', '\'', '`', '\\', '\n', '\r', '\t', '\0', '=', ',', ':', '#', '!', '*',
    '?', '/', '.', '-', '\u{feff}', 'é', '🦀', ' ',
];

fn junk() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            3 => prop::sample::select(SHARP),
            1 => any::<char>(),
            2 => prop::char::range('a', 'z'),
        ],
        0..12,
    )
    .prop_map(String::from_iter)
}

/// Pieces of `pool` with a little junk between them: mostly junk would
/// stop every case at the parser.
fn pieces(pool: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            20 => prop::sample::select(pool).prop_map(str::to_string),
            1 => junk(),
        ],
        0..max,
    )
    .prop_map(|v| v.concat())
}

fn lines(pool: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            6 => prop::sample::select(pool).prop_map(str::to_string),
            1 => junk(),
        ],
        0..max,
    )
    .prop_map(|v| v.join("\n") + "\n")
}

/// Lines a valid go.mod may have besides its module and go lines.
const GO_MOD_EXTRAS: &[&str] = &[
    "toolchain go1.24.3",
    "toolchain go1.24.0-vendor",
    "require example.com/dep v1.0.0",
    "require (\n\texample.com/dep v1.0.0 // indirect\n)",
    "replace example.com/dep => ./lib",
    "godebug default=go1.21",
    "tool example.com/t",
    "ignore ./web",
    "retract v0.1.0",
    "// comment",
];

/// A go.mod Go accepts, or a random one.
fn go_mod_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::collection::vec(prop::sample::select(GO_MOD_EXTRAS), 0..4).prop_map(|extra| {
            format!("module example.com/app\n\ngo 1.24\n{}\n", extra.join("\n"))
        }),
        1 => lines(GO_MOD_LINES, 10),
    ]
}

/// Module paths a workspace member may have: distinct, shared with
/// another member, with major-version suffixes (v1 is none).
const MEMBER_MODULES: &[&str] = &[
    "example.com/app",
    "example.com/lib",
    "example.com/lib/v2",
    "example.com/tool/v1",
    "v2",
];

/// Go lines a member may have, some above go.work's.
const MEMBER_GO: &[&str] = &["1.22", "1.24", "1.24.0", "1.25.3", "1.26", "1.30"];

/// A workspace member's go.mod: its module path and go line vary.
fn member_go_mod() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => (prop::sample::select(MEMBER_MODULES), prop::sample::select(MEMBER_GO))
            .prop_map(|(m, go)| format!("module {m}\n\ngo {go}\n")),
        1 => go_mod_text(),
    ]
}

/// A go.work Go would read: a go line, maybe a toolchain, and `use`s of
/// the members (a directory twice, or in two spellings, at times).
fn workspace_text() -> impl Strategy<Value = String> {
    (
        prop::sample::select(&["1.22", "1.24", "1.26"][..]),
        prop::option::weighted(0.3, prop::sample::select(&["go1.24.3", "go1.27.1"][..])),
        prop::collection::vec(
            prop::sample::select(&["./app", "./lib", "app/", "./app/../lib", "."][..]),
            1..4,
        ),
        any::<bool>(),
    )
        .prop_map(|(go, toolchain, uses, block)| {
            let mut text = format!("go {go}\n");
            if let Some(t) = toolchain {
                text.push_str(&format!("toolchain {t}\n"));
            }
            if block {
                text.push_str(&format!("\nuse (\n\t{}\n)\n", uses.join("\n\t")));
            } else {
                for u in uses {
                    text.push_str(&format!("use {u}\n"));
                }
            }
            text
        })
}

/// A well-formed spec as a JSON value, so that the checks behind the
/// parsers run too.
fn spec_value() -> impl Strategy<Value = serde_json::Value> {
    // Values of every kind a key takes, a few right for most keys.
    let value = prop_oneof![
        Just(serde_json::json!(["./", "./cmd/a"])),
        Just(serde_json::json!(["./cmd/a"])),
        Just(serde_json::json!(["netgo", "-v"])),
        Just(serde_json::json!(["8080", 53])),
        Just(serde_json::json!(true)),
        Just(serde_json::json!(false)),
        Just(serde_json::json!("golang:1.24")),
        Just(serde_json::json!("scratch")),
        Just(serde_json::json!("none")),
        Just(serde_json::json!("/srv")),
        Just(serde_json::json!("65532:65532")),
        Just(serde_json::json!("-X main.v={{.Version}}")),
        Just(serde_json::json!({ "A": "b", "CC": "gcc" })),
        Just(serde_json::json!({ "GOPRIVATE": "example.com", "GOFLAGS": "-x" })),
        Just(serde_json::json!({ "goproxy": "/goproxy" })),
        Just(serde_json::json!([])),
        Just(serde_json::json!(null)),
        Just(serde_json::json!(1.5)),
        junk().prop_map(serde_json::Value::from),
    ];
    // Real keys mostly (from the schema itself), a misspelt one at times.
    let key = prop_oneof![
        12 => (0..KEYS.len()).prop_map(|i| KEYS.get(i).map_or(("build", "cgo"), |k| (k.section, k.name))),
        1 => Just(("build", "tgas")),
        1 => Just(("biuld", "cgo")),
    ];
    // At times, [images.NAME] with one of [runtime]'s keys (or another).
    let image = prop::option::weighted(
        0.25,
        (
            prop::sample::select(&["app", "lib", "cmd", "worker", "app.exe", ""][..]),
            prop::sample::select(
                &[
                    "entrypoint",
                    "cmd",
                    "user",
                    "base",
                    "env",
                    "expose",
                    "labels",
                    "workdir",
                    "tags",
                ][..],
            ),
            prop_oneof![
                Just(serde_json::json!([])),
                Just(serde_json::json!([""])),
                Just(serde_json::json!(["/app", "-x"])),
                Just(serde_json::json!("bob")),
                Just(serde_json::json!("scratch")),
                Just(serde_json::json!("Bad Ref")),
                Just(serde_json::json!({ "A": "b" })),
                Just(serde_json::json!(["8080"])),
            ],
        ),
    );
    (prop::collection::vec((key, value), 0..6), image).prop_map(|(entries, image)| {
        let mut doc = serde_json::Map::new();
        doc.insert("syntax".into(), "gofront:dev".into());
        for ((section, name), v) in entries {
            let table = doc
                .entry(section.to_string())
                .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
            if let Some(t) = table.as_object_mut() {
                t.insert(name.to_string(), v);
            }
        }
        if let Some((name, key, v)) = image {
            doc.insert("images".into(), serde_json::json!({ name: { key: v } }));
        }
        serde_json::Value::Object(doc)
    })
}

fn json_spec() -> impl Strategy<Value = String> {
    spec_value().prop_map(|v| serde_json::to_string_pretty(&v).unwrap_or_default())
}

/// The same, written as TOML (a value TOML cannot hold leaves it empty).
fn toml_spec() -> impl Strategy<Value = String> {
    spec_value().prop_map(|v| toml::to_string(&v).unwrap_or_default())
}

/// A text with a piece of junk put in at some character, or cut there.
fn mutated(text: impl Strategy<Value = String>) -> impl Strategy<Value = String> {
    (text, any::<prop::sample::Index>(), junk(), 0..6u8).prop_map(|(t, at, j, how)| {
        let chars: Vec<char> = t.chars().collect();
        let i = if chars.is_empty() {
            0
        } else {
            at.index(chars.len() + 1)
        };
        let (head, tail) = chars.split_at(i.min(chars.len()));
        let head: String = head.iter().collect();
        let tail: String = tail.iter().collect();
        match how {
            0 => head,
            1 => format!("{head}{j}{tail}"),
            _ => t,
        }
    })
}

/// Sizes around the spec's limits (depth 32, 1,000 entries, keys of 256
/// and strings of 32 KiB bytes) and, rarely (they are slow to make),
/// far past them.
const DEPTHS: &[usize] = &[1, 2, 3, 4, 31, 32, 33, 200];
const HUGE_DEPTHS: &[usize] = &[5_000, 100_000];
const COUNTS: &[usize] = &[0, 1, 2, 999, 1_000, 1_001];
const HUGE_COUNTS: &[usize] = &[20_000];
const LENGTHS: &[usize] = &[0, 1, 255, 256, 257, 32_767, 32_768, 32_769];
const HUGE_LENGTHS: &[usize] = &[300_000];

/// One of `near`, or at times one of `huge`.
fn size(near: &'static [usize], huge: &'static [usize]) -> impl Strategy<Value = usize> + Clone {
    prop_oneof![
        40 => prop::sample::select(near),
        1 => prop::sample::select(huge),
    ]
}

/// Characters that are valid Unicode and odd in a key or a value:
/// combining marks, bidirectional overrides, zero widths, separators,
/// non-characters, full-width and astral letters, a C1 control.
const ODD: &[char] = &[
    '\u{301}',
    '\u{202e}',
    '\u{200b}',
    '\u{200d}',
    '\u{2028}',
    '\u{2029}',
    '\u{85}',
    '\u{9b}',
    '\u{fffd}',
    '\u{ffff}',
    '\u{fdd0}',
    '\u{10ffff}',
    '\u{ff21}',
    '\u{1d400}',
    '\u{e0041}',
    '\u{feff}',
    'ı',
    'ß',
    '\u{130}',
    '\u{3000}',
];

/// A name or value of odd characters, sometimes around a real word.
fn odd_text() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(prop::sample::select(ODD), 1..6),
        prop::sample::select(&["", "cgo", "tags", "A", "build", "GOFLAGS", "./", "a=b"][..]),
    )
        .prop_map(|(odd, word)| {
            let half = odd.len() / 2;
            let (a, b) = odd.split_at(half);
            format!("{}{word}{}", String::from_iter(a), String::from_iter(b))
        })
}

/// A JSON text: a value of the given kind at the given depth.
fn nested_json(depth: usize, array: bool, leaf: &str) -> String {
    let (open, close) = if array { ("[", "]") } else { ("{\"a\":", "}") };
    format!("{}{leaf}{}", open.repeat(depth), close.repeat(depth))
}

/// The same nesting in TOML: arrays, inline tables or dotted keys.
fn nested_toml(depth: usize, how: u8) -> String {
    match how % 4 {
        0 => format!(
            "[build]\ntags = {}1{}\n",
            "[".repeat(depth),
            "]".repeat(depth)
        ),
        1 => format!(
            "[build]\nenv = {}1{}\n",
            "{a = ".repeat(depth),
            "}".repeat(depth)
        ),
        2 => format!("[build]\n{} = 1\n", vec!["a"; depth.max(1)].join(".")),
        _ => format!("[{}]\n", vec!["build"; depth.max(1)].join(".")),
    }
}

/// Specs shaped to reach the parsers' limits: deep nesting, very long keys
/// and strings, many entries, odd Unicode, in JSON and TOML.
fn structured_spec() -> impl Strategy<Value = String> {
    let depth = size(DEPTHS, HUGE_DEPTHS);
    let count = size(COUNTS, HUGE_COUNTS);
    let length = size(LENGTHS, HUGE_LENGTHS);
    let section =
        prop::sample::select(&["build", "download", "runtime", "test", "cache", "zz"][..]);
    let key = prop::sample::select(
        &[
            "env",
            "labels",
            "tags",
            "packages",
            "ldflags",
            "entrypoint",
            "contexts",
            "secrets",
            "x",
        ][..],
    );
    prop_oneof![
        // Deep JSON, in a key that takes an array or a table, or at the top.
        (depth.clone(), any::<bool>(), key.clone()).prop_map(|(d, array, k)| {
            format!(
                "{{\"syntax\":\"x\",\"build\":{{\"{k}\":{}}}}}",
                nested_json(d, array, "\"./\"")
            )
        }),
        depth.clone().prop_map(|d| nested_json(d, false, "1")),
        (depth, any::<u8>()).prop_map(|(d, how)| nested_toml(d, how)),
        // Many entries in a table or an array, as JSON or TOML.
        (
            count.clone(),
            section.clone(),
            key.clone(),
            any::<bool>(),
            any::<bool>()
        )
            .prop_map(|(n, sec, k, json, array)| {
                let body: Vec<String> = (0..n)
                    .map(|i| {
                        if array {
                            format!("\"./c{i}\"")
                        } else if json {
                            format!("\"K{i}\":\"v\"")
                        } else {
                            format!("K{i} = \"v\"")
                        }
                    })
                    .collect();
                match (json, array) {
                    (true, true) => format!("{{\"{sec}\":{{\"{k}\":[{}]}}}}", body.join(",")),
                    (true, false) => format!("{{\"{sec}\":{{\"{k}\":{{{}}}}}}}", body.join(",")),
                    (false, true) => format!("[{sec}]\n{k} = [{}]\n", body.join(", ")),
                    (false, false) => format!("[{sec}.{k}]\n{}\n", body.join("\n")),
                }
            }),
        // A long key or a long string, in a real key or an unknown one.
        (length.clone(), section.clone(), key.clone(), 0..4u8).prop_map(|(n, sec, k, how)| {
            let long = "x".repeat(n);
            match how {
                0 => format!("[{sec}]\n{long} = 1\n"),
                1 => format!("[{sec}]\n{k} = \"{long}\"\n"),
                2 => format!("[{sec}.{k}]\nA = \"{long}\"\n"),
                _ => format!("{{\"{sec}\":{{\"{k}\":[\"{long}\"]}}}}"),
            }
        }),
        // Odd Unicode as a section, a key, an entry's name or a value.
        (odd_text(), section, key, 0..4u8).prop_map(|(odd, sec, k, how)| {
            let quoted = serde_json::to_string(&odd).unwrap_or_default();
            match how {
                0 => format!("[{quoted}]\n"),
                1 => format!("[{sec}]\n{quoted} = 1\n"),
                2 => format!("[{sec}.{k}]\n{quoted} = {quoted}\n"),
                _ => format!("{{\"{sec}\":{{\"{k}\":{quoted}}}}}"),
            }
        }),
    ]
}

/// go.mod and go.work files of the same shapes: many lines, long lines,
/// odd Unicode, blocks opened and never closed.
fn structured_go_file() -> impl Strategy<Value = String> {
    prop_oneof![
        size(COUNTS, HUGE_COUNTS).prop_map(|n| {
            let reqs: String = (0..n)
                .map(|i| format!("\texample.com/m{i} v1.0.{i}\n"))
                .collect();
            format!("module example.com/app\n\ngo 1.24\n\nrequire (\n{reqs})\n")
        }),
        size(LENGTHS, HUGE_LENGTHS)
            .prop_map(|n| format!("module example.com/{}\n\ngo 1.24\n", "a".repeat(n))),
        odd_text().prop_map(|odd| format!("module example.com/{odd}\n\ngo 1.24\nuse ./{odd}\n")),
        size(COUNTS, HUGE_COUNTS).prop_map(|n| format!(
            "module example.com/app\ngo 1.24\n{}",
            "require (\n".repeat(n)
        )),
    ]
}

/// Build args and options of the same shapes: long lists, long values,
/// odd Unicode, long platform lists.
fn structured_opts() -> impl Strategy<Value = Vec<(String, String)>> {
    let name = prop::sample::select(ARG_NAMES);
    prop_oneof![
        (name.clone(), size(COUNTS, HUGE_COUNTS)).prop_map(|(k, n)| {
            let items: Vec<String> = (0..n).map(|i| format!("t{i}")).collect();
            vec![(format!("build-arg:{k}"), items.join(","))]
        }),
        (name.clone(), size(LENGTHS, HUGE_LENGTHS))
            .prop_map(|(k, n)| vec![(format!("build-arg:{k}"), "v".repeat(n))]),
        (name, odd_text()).prop_map(|(k, v)| vec![(format!("build-arg:{k}"), v)]),
        (odd_text(), odd_text()).prop_map(|(k, v)| vec![(format!("build-arg:GOFRONT_{k}"), v)]),
        (odd_text(), odd_text()).prop_map(|(k, v)| vec![(format!("label:{k}"), v)]),
        (size(COUNTS, HUGE_COUNTS), prop::sample::select(PLATFORMS))
            .prop_map(|(n, p)| { vec![("platform".to_string(), vec![p; n.max(1)].join(","))] }),
    ]
}

const PLATFORMS: &[&str] = &[
    "linux/amd64",
    "linux/amd64/v3",
    "linux/amd64/v5",
    "linux/arm/v7",
    "linux/arm/v9",
    "linux/arm64/v8.2",
    "linux/386",
    "linux/riscv64",
    "linux/ppc64le",
    "linux/mips64le",
    "linux/s390x",
];

/// Go files where gofront looks for main packages (the module root, its
/// cmd/*, the workspace member app's), and what they may say.
const GO_PATHS: &[&str] = &[
    "main.go",
    "doc.go",
    "cmd/api/main.go",
    "cmd/worker/a.go",
    "cmd/api/main_test.go",
    "cmd/.hidden/main.go",
    "app/main.go",
    "app/cmd/tool/main.go",
    "lib/lib.go",
];

const GO_TEXTS: &[&str] = &[
    "package main\n",
    "package lib\n",
    "//go:build ignore\n\npackage main\n",
    "//go:build linux && !ignore\n\npackage main\n",
    "// Command x.\n/* block */\npackage main // x\n",
    "/* never closed\npackage main\n",
    "//go:build ((((ignore\npackage main\n",
    "\u{feff}package main;",
    "",
];

/// The Go files: most projects have a main package at their root.
fn go_sources() -> impl Strategy<Value = Vec<(String, String)>> {
    let root = prop::option::weighted(
        0.8,
        Just(("main.go".to_string(), "package main\n".to_string())),
    );
    let text = prop_oneof![
        4 => prop::sample::select(GO_TEXTS).prop_map(str::to_string),
        1 => odd_text(),
    ];
    let more = prop::collection::vec((prop::sample::select(GO_PATHS), text), 0..4);
    (root, more).prop_map(|(root, more)| {
        root.into_iter()
            .chain(more.into_iter().map(|(p, t)| (p.to_string(), t)))
            .collect()
    })
}

fn input() -> impl Strategy<Value = Input> {
    let spec = prop_oneof![
        3 => pieces(SPEC_PIECES, 12),
        3 => mutated(toml_spec()),
        3 => mutated(json_spec()),
        1 => pieces(JSON_PIECES, 16).prop_map(|t| format!("{{{t}")),
        1 => structured_spec(),
    ];
    let go_mod = prop::option::weighted(
        0.95,
        prop_oneof![12 => go_mod_text(), 1 => structured_go_file()],
    );
    let go_work = prop::option::weighted(
        0.2,
        prop_oneof![
            6 => lines(GO_WORK_LINES, 8),
            6 => workspace_text(),
            1 => structured_go_file(),
        ],
    );
    let member = prop::option::weighted(0.3, member_go_mod());
    let lib = prop::option::weighted(0.3, member_go_mod());
    let ignore = prop::option::weighted(0.4, lines(IGNORE_LINES, 5));
    let vendored = prop::bool::weighted(0.2);
    let arg = (
        prop::sample::select(ARG_NAMES),
        prop_oneof![4 => prop::sample::select(ARG_VALUES).prop_map(str::to_string), 1 => junk()],
    );
    // Most builds pass no build arg and no option: those that do are
    // mostly refused early, and the deeper checks need clean runs.
    let args = prop_oneof![
        2 => Just(Vec::new()),
        1 => prop::collection::vec(arg, 1..4),
    ];
    let opts = prop_oneof![
        3 => Just(Vec::new()),
        1 => prop::collection::vec(prop::sample::select(OPTIONS), 1..3)
            .prop_map(|v| v.into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()),
        1 => structured_opts(),
    ];
    (
        spec,
        go_mod,
        go_work,
        member,
        lib,
        ignore,
        vendored,
        args,
        opts,
        go_sources(),
    )
        .prop_map(
            |(spec, go_mod, go_work, member, lib, ignore, vendored, args, opts, sources)| {
                let mut files: Vec<(String, Vec<u8>)> = Vec::new();
                let mut put = |path: &str, text: Option<String>| {
                    if let Some(t) = text {
                        files.push((path.to_string(), t.into_bytes()));
                    }
                };
                put("go.mod", go_mod);
                put("go.work", go_work);
                put("app/go.mod", member);
                put("lib/go.mod", lib);
                put(".dockerignore", ignore);
                if vendored {
                    put("vendor/modules.txt", Some(String::new()));
                }
                for (path, text) in sources {
                    put(&path, Some(text));
                }
                let mut all: Vec<(String, String)> = opts;
                all.extend(args.into_iter().map(|(k, v)| (format!("build-arg:{k}"), v)));
                Input {
                    spec,
                    files,
                    opts: all,
                }
            },
        )
}

/// Files an error may name.
const FILES: &[&str] = &[
    "gofront.toml",
    "go.mod",
    "go.work",
    "app/go.mod",
    "lib/go.mod",
    ".dockerignore",
    "vendor/modules.txt",
];

/// Messages that are about an option or a build arg, not a file: they name
/// the option instead.
const OPTION_PREFIXES: &[&str] = &[
    "build-arg ",
    "label ",
    "unknown target ",
    "invalid platform ",
    "--platform ",
    "--target test --platform ",
    "invalid multi-platform ",
    "invalid image-resolve-mode ",
    "invalid cache-imports ",
    "build context \"",
    "vcs:revision ",
    "no go.mod or go.work at the root of the build context",
];

/// `name:LINE:` or `name:LINE:COL:` at the start of `line`, or `name ` /
/// `name: ` for a whole-file problem.
fn names_a_file(line: &str) -> Option<(&'static str, Option<usize>)> {
    for f in FILES {
        let Some(rest) = line.strip_prefix(f) else {
            continue;
        };
        if rest.starts_with(' ') || rest.starts_with(": ") {
            return Some((f, None));
        }
        let rest = rest.strip_prefix(':')?;
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let n: usize = digits.parse().ok()?;
        return (n > 0).then_some((f, Some(n)));
    }
    None
}

/// Every error names its file (with the line where there is one) or its
/// option, one sentence a line.
fn check_error(e: &FrontendError) -> Result<(), String> {
    let msg = e.to_string();
    if msg.contains("internal error") {
        return Err(format!("an input reached an internal error: {msg:?}"));
    }
    if msg.is_empty() || msg.ends_with('\n') {
        return Err(format!("empty or trailing newline: {msg:?}"));
    }
    for line in msg.lines() {
        let named =
            names_a_file(line).is_some() || OPTION_PREFIXES.iter().any(|p| line.starts_with(p));
        if !named {
            return Err(format!("names no file or option: {line:?}"));
        }
    }
    // A project file's line, when the error has one, is in the message
    // and in the source location BuildKit gets.
    if let FrontendError::Plan(p) = e
        && let Some((file, _, line)) = p.file_line()
    {
        if !msg.starts_with(&format!("{file}:{line}: ")) {
            return Err(format!("{msg:?} does not start with {file}:{line}"));
        }
        if e.source_location().is_none() {
            return Err(format!("{msg:?} has no source location"));
        }
    }
    // Spec problems point into the file or at a build arg; only a default
    // (build.packages in a workspace) has no place in the file.
    if let FrontendError::Plan(PlanError::Spec(s)) = e {
        for p in &s.problems {
            let count_of_the_rest = p
                .message
                .ends_with("more problems like these are not shown");
            if matches!(p.origin, gofront::Origin::Unknown)
                && p.key != "build.packages"
                && !count_of_the_rest
            {
                return Err(format!("{} has no location", s.render(p)));
            }
        }
    }
    Ok(())
}

/// Peak resident memory of this process, in KiB (Linux).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn generated_inputs_never_panic_hang_or_go_unnamed() {
    let cases: u32 = std::env::var("GOFRONT_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(CI_CASES);
    let seed: u64 = std::env::var("GOFRONT_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let config = Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 2_000,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(
        config,
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes),
    );
    let rt = common::runtime();
    let started = Instant::now();
    let counts = std::cell::Cell::new((0u64, 0u64));
    let slowest = std::cell::Cell::new(Duration::ZERO);
    // What refused the inputs, by the message's first words (digits out).
    let kinds = std::cell::RefCell::new(std::collections::BTreeMap::<String, u64>::new());
    let result = runner.run(&input(), |inp| {
        let files: Vec<(&str, &[u8])> = inp
            .files
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_slice()))
            .collect();
        let opts: Vec<(&str, &str)> = inp
            .opts
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let t = Instant::now();
        let outcome = common::generate_memory(&rt, inp.spec.as_bytes(), &files, &opts);
        let took = t.elapsed();
        slowest.set(slowest.get().max(took));
        prop_assert!(took < CASE_LIMIT, "a case took {took:?}");
        let (ok, err) = counts.get();
        match outcome {
            Ok(g) => {
                prop_assert!(!g.builds.is_empty());
                counts.set((ok + 1, err));
            }
            Err(e) => {
                check_error(&e).map_err(TestCaseError::fail)?;
                let kind: String = e
                    .to_string()
                    .chars()
                    .filter(|c| !c.is_ascii_digit())
                    .take(48)
                    .collect();
                *kinds.borrow_mut().entry(kind).or_default() += 1;
                counts.set((ok, err + 1));
            }
        }
        if (ok + err) % 10_000 == 0
            && let Some(kib) = peak_rss_kib()
        {
            prop_assert!(kib < PEAK_RSS_LIMIT_KIB, "peak memory {kib} KiB");
        }
        Ok(())
    });
    let (ok, err) = counts.get();
    let peak = peak_rss_kib().unwrap_or(0);
    println!(
        "gofront fuzz: {} cases (seed {seed}) in {:.1} s: {ok} built, {err} refused; slowest case {:?}; peak RSS {} MiB",
        ok + err,
        started.elapsed().as_secs_f64(),
        slowest.get(),
        peak / 1024
    );
    if std::env::var_os("GOFRONT_FUZZ_STATS").is_some() {
        let mut top: Vec<(String, u64)> = kinds.into_inner().into_iter().collect();
        top.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
        for (kind, n) in top.iter().take(25) {
            println!("{n:>8}  {kind}");
        }
    }
    if let Err(e) = result {
        panic!("{e}");
    }
    assert!(peak < PEAK_RSS_LIMIT_KIB, "peak memory {peak} KiB");
}

/// Words a command line is made of, and bytes that are not UTF-8.
const ARGV_WORDS: &[&str] = &[
    "llb",
    "dockerfile",
    "keep",
    "modcache",
    "gocache",
    "seed",
    "--context",
    "-f",
    "--target",
    "--platform",
    "--build-arg",
    "--build-context",
    "--binary",
    "--dir",
    "--out",
    "--",
    "-",
    "app",
    "café",
];

fn argv_arg() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        6 => prop::sample::select(ARGV_WORDS).prop_map(|w| w.as_bytes().to_vec()),
        1 => prop::collection::vec(any::<u8>(), 0..8),
        1 => Just(b"caf\xe9".to_vec()),
        1 => Just(b"app\xff".to_vec()),
        1 => Just(b"\xc3".to_vec()),
    ]
}

/// Command lines with bytes that are not UTF-8 (a Latin-1 directory
/// name, a stray 0xFF): each is read as text or refused naming its first
/// such argument, never a panic; a share of the refused ones run through
/// the binary (the local commands' and the tools' argv alike), which exits
/// 1 with that one sentence and prints nothing on stdout.
#[test]
fn command_lines_that_are_not_utf8_are_refused_by_name() {
    use std::ffi::OsString;
    use std::os::unix::ffi::OsStringExt;

    let cases: u32 = std::env::var("GOFRONT_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(CI_CASES);
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(
        config,
        TestRng::from_seed(RngAlgorithm::ChaCha, &[11u8; 32]),
    );
    let started = Instant::now();
    let seen = std::cell::Cell::new((0u64, 0u64, 0u64));
    let result = runner.run(&prop::collection::vec(argv_arg(), 0..6), |args| {
        let (n, refused, spawned) = seen.get();
        let os: Vec<OsString> = args.iter().cloned().map(OsString::from_vec).collect();
        let first_bad = args.iter().position(|a| std::str::from_utf8(a).is_err());
        match (gofront::utf8_args(os.clone()), first_bad) {
            (Ok(got), None) => {
                let want: Vec<String> = args
                    .iter()
                    .map(|a| String::from_utf8(a.clone()).unwrap())
                    .collect();
                prop_assert_eq!(got, want);
                seen.set((n + 1, refused, spawned));
            }
            (Err(e), Some(i)) => {
                let flag = i
                    .checked_sub(1)
                    .map(|p| String::from_utf8_lossy(&args[p]).into_owned())
                    .filter(|p| p.starts_with('-') && p.len() > 1);
                let which = match flag {
                    Some(f) => format!("the value of {f} (argument {})", i + 1),
                    None => format!("argument {}", i + 1),
                };
                prop_assert_eq!(&e.which, &which);
                // Every 50th refusal, through the binary: nothing runs
                // before the arguments are read (no argument of a process
                // can hold a NUL byte).
                let mut spawned = spawned;
                if refused % 50 == 0 && !args.iter().any(|a| a.contains(&0)) {
                    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gofront"))
                        .args(&os)
                        .output()
                        .unwrap();
                    let tool = args
                        .first()
                        .and_then(|a| std::str::from_utf8(a).ok())
                        .filter(|a| ["gocache", "modcache", "keep"].contains(a))
                        .map(|a| format!(" {a}"))
                        .unwrap_or_default();
                    prop_assert_eq!(out.status.code(), Some(1));
                    prop_assert!(out.stdout.is_empty());
                    prop_assert_eq!(
                        String::from_utf8_lossy(&out.stderr).into_owned(),
                        format!("gofront{tool}: {e}\n")
                    );
                    spawned += 1;
                }
                seen.set((n + 1, refused + 1, spawned));
            }
            (got, bad) => {
                return Err(TestCaseError::fail(format!(
                    "{args:?}: read as {got:?}, first argument not UTF-8 at {bad:?}"
                )));
            }
        }
        Ok(())
    });
    let (n, refused, spawned) = seen.get();
    println!(
        "gofront argv fuzz: {n} command lines in {:.1} s: {refused} refused ({spawned} through the binary)",
        started.elapsed().as_secs_f64()
    );
    if let Err(e) = result {
        panic!("{e}");
    }
}
