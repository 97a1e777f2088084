//! `spec::parse`: what it reads, where problems are reported, and what
//! they say.

use super::*;

fn args(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn ok(text: &str) -> Spec {
    parse("gofront.toml", text, &BTreeMap::new()).unwrap()
}

/// Every rendered problem, one per line.
fn err(text: &str) -> String {
    err_with(text, &[])
}

fn err_with(text: &str, build_args: &[(&str, &str)]) -> String {
    parse("gofront.toml", text, &args(build_args))
        .unwrap_err()
        .to_string()
}

#[test]
fn empty_spec_is_valid_and_sets_nothing() {
    assert_eq!(ok("# syntax=gofront:dev\n"), Spec::default());
}

#[test]
fn full_spec_parses() {
    let s = ok(r#"# syntax=gofront:dev
[build]
packages = ["./cmd/server", "./cmd/cli"]
tags = ["netgo", "osusergo"]
ldflags = "-s -w"
cgo = false
trimpath = true
env = { GOEXPERIMENT = "loopvar" }
builder = "golang:1.24"

[download]
network = "none"
env = { GOPROXY = "file:///goproxy" }
contexts = { goproxy = "/goproxy" }

[runtime]
base = "scratch"
entrypoint = ["/usr/local/bin/server"]
cmd = ["--verbose"]
user = "65532:65532"
workdir = "/data"
env = { PORT = "8080" }
expose = ["8080", 9090, "53/UDP"]
labels = { "org.opencontainers.image.title" = "multi" }

[test]
packages = ["./..."]
flags = ["-count=1", "-race"]
"#);
    assert_eq!(
        s.build.packages.unwrap().value,
        vec!["./cmd/server", "./cmd/cli"]
    );
    assert!(!s.build.cgo.unwrap().value);
    assert_eq!(s.download.network.unwrap().value, Network::None);
    assert_eq!(s.download.contexts["goproxy"].value, "/goproxy");
    assert_eq!(
        s.runtime.expose.unwrap().value,
        vec!["8080/tcp", "9090/tcp", "53/udp"]
    );
    assert_eq!(
        s.runtime.labels["org.opencontainers.image.title"].value,
        "multi"
    );
    assert_eq!(s.test.flags.unwrap().value, vec!["-count=1", "-race"]);
}

#[test]
fn origins_point_at_the_value() {
    let s = ok("[build]\ntags = [\"a\"]\n");
    let Origin::File(range) = s.build.tags.unwrap().origin else {
        panic!("no file origin")
    };
    assert_eq!(
        line_col("[build]\ntags = [\"a\"]\n", range.start),
        LineCol { line: 2, column: 8 }
    );
}

#[test]
fn json_spec_with_syntax_key_parses() {
    let s = ok(r#"{
  "syntax": "gofront:dev",
  "build": { "tags": ["netgo"] },
  "runtime": { "base": "scratch" }
}"#);
    assert_eq!(s.build.tags.unwrap().value, vec!["netgo"]);
    assert_eq!(s.runtime.base.unwrap().value, "scratch");
}

#[test]
fn unknown_keys_get_a_suggestion_and_a_location() {
    assert_eq!(
        err("[build]\ntgas = [\"netgo\"]\n"),
        "gofront.toml:2:1: unknown key \"tgas\" in [build]; did you mean \"tags\"?"
    );
    assert_eq!(
        err("[runtim]\nbase = \"scratch\"\n"),
        "gofront.toml:1:2: unknown section [runtim]; did you mean \"runtime\"?"
    );
    assert_eq!(
        err("[build]\nfrobnicate = 1\n"),
        "gofront.toml:2:1: unknown key \"frobnicate\" in [build]"
    );
}

#[test]
fn wrong_types_name_the_key_and_both_types() {
    assert_eq!(
        err("[build]\ncgo = \"yes\"\n"),
        "gofront.toml:2:7: build.cgo must be a boolean (true or false), not a string"
    );
    assert_eq!(
        err("[build]\ntags = \"netgo\"\n"),
        "gofront.toml:2:8: build.tags must be an array of strings, not a string"
    );
    assert_eq!(
        err("[runtime]\nenv = { PORT = 8080 }\n"),
        "gofront.toml:2:16: runtime.env.PORT must be a string, not an integer"
    );
    assert_eq!(
        err("build = 3\n"),
        "gofront.toml:1:9: build must be a table, not an integer"
    );
}

#[test]
fn impossible_values_are_rejected() {
    assert_eq!(
        err("[build]\npackages = [\"../other\"]\n"),
        "gofront.toml:2:12: build.packages: \"../other\" must be a path inside the build context starting with \"./\""
    );
    assert_eq!(
        err("[build]\npackages = [\"./...\"]\n"),
        "gofront.toml:2:12: build.packages: \"./...\" is a pattern; list each main package, e.g. \"./cmd/server\""
    );
    assert_eq!(
        err("[build]\npackages = []\n"),
        "gofront.toml:2:12: build.packages must list at least one package"
    );
    assert_eq!(
        err("[runtime]\nexpose = [\"http\"]\n"),
        "gofront.toml:2:10: runtime.expose: \"http\" is not a port such as \"8080\" or \"53/udp\""
    );
    assert_eq!(
        err("[runtime]\nworkdir = \"app\"\n"),
        "gofront.toml:2:11: runtime.workdir must be an absolute path, not \"app\""
    );
    assert_eq!(
        err("[download]\nnetwork = \"bridge\"\n"),
        "gofront.toml:2:11: download.network must be \"sandbox\", \"none\" or \"host\", not \"bridge\""
    );
    assert_eq!(
        err("[download]\nsecrets = [\"netrc\", \"net rc\", \"netrc\"]\n"),
        "gofront.toml:2:11: download.secrets must list ids made of letters, digits, '-', '_' and '.', not \"net rc\"\n\
         gofront.toml:2:11: download.secrets lists \"netrc\" twice"
    );
    assert_eq!(
        err("[cache]\nscope = \"global\"\n"),
        "gofront.toml:2:9: cache.scope must be \"builder\" or \"project\", not \"global\""
    );
    assert_eq!(
        err("[build]\nenv = { GOOS = \"windows\" }\n"),
        "gofront.toml:2:16: build.env.GOOS cannot be set: it comes from --platform"
    );
    assert_eq!(
        err("[build]\nbuilder = \"scratch\"\n"),
        "gofront.toml:2:11: build.builder must be an image reference such as \"golang:1.24\", not \"scratch\""
    );
    assert_eq!(
        err("[test]\nflags = [\"./pkg\"]\n"),
        "gofront.toml:2:9: test.flags: \"./pkg\" is not a flag; list packages in test.packages instead"
    );
}

#[test]
fn private_module_keys_and_the_cache_scope_parse() {
    let s = ok(
        "[download]\nnetwork = \"host\"\nsecrets = [\"netrc\"]\nssh = [\"default\"]\n[cache]\nscope = \"project\"\n",
    );
    assert_eq!(s.download.network.map(|f| f.value), Some(Network::Host));
    assert_eq!(
        s.download.secrets.map(|f| f.value),
        Some(vec!["netrc".to_string()])
    );
    assert_eq!(
        s.download.ssh.map(|f| f.value),
        Some(vec!["default".to_string()])
    );
    assert_eq!(s.cache.scope.map(|f| f.value), Some(CacheScope::Project));
    let s = parse(
        "gofront.toml",
        "",
        &args(&[
            ("GOFRONT_DOWNLOAD_SECRETS", "netrc,npmrc"),
            ("GOFRONT_CACHE_SCOPE", "builder"),
        ]),
    )
    .unwrap();
    assert_eq!(
        s.download.secrets.map(|f| f.value),
        Some(vec!["netrc".to_string(), "npmrc".to_string()])
    );
    assert_eq!(s.cache.scope.map(|f| f.value), Some(CacheScope::Builder));
}

#[test]
fn every_problem_is_reported_in_document_order() {
    assert_eq!(
        err("[build]\ncgo = 1\ntgas = []\n[runtime]\nuser = \"\"\n"),
        "gofront.toml:2:7: build.cgo must be a boolean (true or false), not an integer\n\
         gofront.toml:3:1: unknown key \"tgas\" in [build]; did you mean \"tags\"?\n\
         gofront.toml:5:8: runtime.user must be \"user\" or \"user:group\", not \"\""
    );
}

#[test]
fn syntax_errors_point_at_the_spot() {
    assert_eq!(
        err("[build]\ntags = [\"a\"\n"),
        "gofront.toml:2:12: invalid TOML: unclosed array, expected `]`"
    );
    assert!(err("{ \"build\": ").starts_with("gofront.toml:1:"));
}

#[test]
fn build_args_override_spec_keys() {
    let s = parse(
        "gofront.toml",
        "[build]\ntags = [\"a\"]\ncgo = true\n[download]\nenv = { GONOSUMDB = \"-x\" }\n",
        &args(&[
            ("GOFRONT_BUILD_TAGS", "netgo, osusergo"),
            ("GOFRONT_BUILD_CGO", "false"),
            ("GOFRONT_DOWNLOAD_NETWORK", "none"),
            ("GOFRONT_DOWNLOAD_ENV_GOPROXY", "file:///goproxy"),
            ("GOFRONT_DOWNLOAD_CONTEXTS", "goproxy=/goproxy"),
            ("GOFRONT_RUNTIME_ENTRYPOINT", r#"["/app", "--flag=a,b"]"#),
            ("UNRELATED", "x"),
        ]),
    )
    .unwrap();
    let tags = s.build.tags.unwrap();
    assert_eq!(tags.value, vec!["netgo", "osusergo"]);
    assert_eq!(tags.origin, Origin::BuildArg("GOFRONT_BUILD_TAGS".into()));
    assert!(!s.build.cgo.unwrap().value);
    assert_eq!(s.download.network.unwrap().value, Network::None);
    assert_eq!(s.download.env["GOPROXY"].value, "file:///goproxy");
    assert_eq!(s.download.env["GONOSUMDB"].value, "-x");
    assert_eq!(s.download.contexts["goproxy"].value, "/goproxy");
    assert_eq!(
        s.runtime.entrypoint.unwrap().value,
        vec!["/app", "--flag=a,b"]
    );
}

#[test]
fn bad_build_args_are_named() {
    assert_eq!(
        err_with("", &[("GOFRONT_BUILD_TAG", "x")]),
        "build-arg GOFRONT_BUILD_TAG: gofront has no build arg named GOFRONT_BUILD_TAG; did you mean GOFRONT_BUILD_TAGS?"
    );
    assert_eq!(
        err_with("", &[("GOFRONT_BUILD_CGO", "maybe")]),
        "build-arg GOFRONT_BUILD_CGO: build.cgo must be true or false (or 1, 0, yes, no, on, off), not \"maybe\""
    );
    assert_eq!(
        err_with(
            "",
            &[
                ("GOFRONT_RUNTIME_LABELS", "novalue"),
                ("GOFRONT_TEST_FLAGS", "[1]"),
                ("GOFRONT_ZZZZZZZZZZZZ", "x"),
            ]
        ),
        "build-arg GOFRONT_RUNTIME_LABELS: expected name=value pairs separated by commas, got \"novalue\"\n\
         build-arg GOFRONT_TEST_FLAGS: expected a JSON array of strings: invalid type: integer `1`, expected a string at line 1 column 2\n\
         build-arg GOFRONT_ZZZZZZZZZZZZ: gofront has no build arg named GOFRONT_ZZZZZZZZZZZZ; see the README for the names gofront reads"
    );
}

#[test]
fn a_pair_list_build_arg_that_is_not_json_is_named() {
    assert_eq!(
        err_with("", &[("GOFRONT_RUNTIME_LABELS", "[\"a=b\"")]),
        "build-arg GOFRONT_RUNTIME_LABELS: expected a JSON array of strings: EOF while parsing a list at line 1 column 6"
    );
}

#[test]
fn a_json_syntax_error_names_its_line_and_column_once() {
    // serde_json says "... at line 3 column 14"; the sentence starts with
    // the position instead, and does not repeat it.
    let text = "{\n  \"syntax\": \"gofront:dev\",\n  \"build\": { x }\n}\n";
    assert_eq!(
        err(text),
        "gofront.toml:3:14: invalid JSON: key must be a string"
    );
    let text = "{\"build\": {\"tags\": [\"a\",]}}";
    assert_eq!(
        err(text),
        "gofront.toml:1:25: invalid JSON: a comma before a closing bracket (JSON allows no trailing comma); remove the comma"
    );
    let text = "{\"build\": {\"tags\": ]}}";
    assert_eq!(err(text), "gofront.toml:1:20: invalid JSON: expected value");
}

/// Each spec, with the one sentence `parse` answers.
fn refused(cases: &[(&str, &str)]) {
    for (text, message) in cases {
        assert_eq!(&err(text), message, "for {text:?}");
    }
}

/// Each spec parses.
fn accepted(texts: &[&str]) {
    for text in texts {
        if let Err(e) = parse("gofront.toml", text, &BTreeMap::new()) {
            panic!("{text:?} was refused: {e}");
        }
    }
}

#[test]
fn output_names_a_file() {
    refused(&[
        (
            "[build]\noutput = \"\"\n",
            "gofront.toml:2:10: build.output must be a file name without '/', not \"\"",
        ),
        (
            "[build]\noutput = \"bin/app\"\n",
            "gofront.toml:2:10: build.output must be a file name without '/', not \"bin/app\"",
        ),
        (
            "[build]\noutput = \".\"\n",
            "gofront.toml:2:10: build.output must be a file name without '/', not \".\"",
        ),
        (
            "[build]\noutput = \"..\"\n",
            "gofront.toml:2:10: build.output must be a file name without '/', not \"..\"",
        ),
    ]);
    let s = parse(
        "gofront.toml",
        "[build]\noutput = \"app.v2\"\n",
        &BTreeMap::new(),
    )
    .unwrap();
    assert_eq!(s.build.output.unwrap().value, "app.v2");
}

#[test]
fn users_are_user_or_user_group() {
    refused(&[
        (
            "[runtime]\nuser = \"a:b:c\"\n",
            "gofront.toml:2:8: runtime.user must be \"user\" or \"user:group\", not \"a:b:c\"",
        ),
        (
            "[runtime]\nuser = \"my user\"\n",
            "gofront.toml:2:8: runtime.user must be \"user\" or \"user:group\", not \"my user\"",
        ),
    ]);
    let s = parse(
        "gofront.toml",
        "[runtime]\nuser = \"app:staff\"\n",
        &BTreeMap::new(),
    )
    .unwrap();
    assert_eq!(s.runtime.user.unwrap().value, "app:staff");
    accepted(&["[runtime]\nuser = \"app\"\n"]);
}

#[test]
fn images_are_references() {
    refused(&[
        (
            "[build]\nbuilder = \"\"\n",
            "gofront.toml:2:11: build.builder must be an image reference such as \"golang:1.24\", not \"\"",
        ),
        (
            "[build]\nbuilder = \"golang 1.24\"\n",
            "gofront.toml:2:11: build.builder must be an image reference such as \"golang:1.24\", not \"golang 1.24\"",
        ),
        (
            "[runtime]\nbase = \"docker-image://alpine\"\n",
            "gofront.toml:2:8: runtime.base must be an image reference such as \"ubuntu:24.04\", or \"scratch\", not \"docker-image://alpine\"",
        ),
        (
            "[runtime]\nbase = \"alpine\\t3\"\n",
            "gofront.toml:2:8: runtime.base must be an image reference such as \"ubuntu:24.04\", or \"scratch\", not \"alpine\\t3\"",
        ),
    ]);
    let s = parse(
        "gofront.toml",
        "[build]\nbuilder = \"golang:1.24\"\n[runtime]\nbase = \"scratch\"\n",
        &BTreeMap::new(),
    )
    .unwrap();
    assert_eq!(s.build.builder.unwrap().value, "golang:1.24");
    assert_eq!(s.runtime.base.unwrap().value, "scratch");
}

#[test]
fn build_tags_are_words() {
    refused(&[
        (
            "[build]\ntags = [\"ok\", \"no-dash\"]\n",
            "gofront.toml:2:8: build.tags: \"no-dash\" is not a valid build tag (letters, digits, '_' and '.')",
        ),
        (
            "[build]\ntags = [\"\"]\n",
            "gofront.toml:2:8: build.tags: \"\" is not a valid build tag (letters, digits, '_' and '.')",
        ),
    ]);
    let s = parse(
        "gofront.toml",
        "[build]\ntags = [\"go1.22\", \"net_go\", \"X9\"]\n",
        &BTreeMap::new(),
    )
    .unwrap();
    assert_eq!(s.build.tags.unwrap().value, ["go1.22", "net_go", "X9"]);
}

#[test]
fn ports_are_normalised_or_refused() {
    let s = parse(
        "gofront.toml",
        "[runtime]\nexpose = [\"80\", 443, \"53/UDP\", \"9/sctp\", \"65535/tcp\"]\n",
        &BTreeMap::new(),
    )
    .unwrap();
    assert_eq!(
        s.runtime.expose.unwrap().value,
        ["80/tcp", "443/tcp", "53/udp", "9/sctp", "65535/tcp"]
    );
    for bad in ["0", "65536", "80/http", "-1", "80/"] {
        let text = format!("[runtime]\nexpose = [\"{bad}\"]\n");
        assert_eq!(
            err(&text),
            format!(
                "gofront.toml:2:10: runtime.expose: \"{bad}\" is not a port such as \"8080\" or \"53/udp\""
            )
        );
    }
    // Integers only where ports are expected.
    refused(&[(
        "[build]\ntags = [1]\n",
        "gofront.toml:2:9: build.tags must be an array of strings, but an element is an integer",
    )]);
}

#[test]
fn packages_stay_inside_the_context() {
    refused(&[
        (
            "[build]\npackages = [\"cmd/app\"]\n",
            "gofront.toml:2:12: build.packages: \"cmd/app\" must be a path inside the build context starting with \"./\"",
        ),
        (
            "[build]\npackages = [\"./a/../../b\"]\n",
            "gofront.toml:2:12: build.packages: \"./a/../../b\" must be a path inside the build context starting with \"./\"",
        ),
        (
            "[test]\npackages = [\"./...\", \"pkg/...\"]\n",
            "gofront.toml:2:12: test.packages: \"pkg/...\" must be a path inside the build context starting with \"./\"",
        ),
        (
            "[test]\npackages = []\n",
            "gofront.toml:2:12: test.packages must list at least one package",
        ),
    ]);
    let s = parse(
        "gofront.toml",
        "[build]\npackages = [\".\", \"./cmd/app\"]\n[test]\npackages = [\"./...\", \"./pkg\"]\n",
        &BTreeMap::new(),
    )
    .unwrap();
    assert_eq!(s.build.packages.unwrap().value, [".", "./cmd/app"]);
    assert_eq!(s.test.packages.unwrap().value, ["./...", "./pkg"]);
}

#[test]
fn managed_build_env_names_are_refused_with_the_reason() {
    for (name, why) in [
        ("GOOS", "it comes from --platform"),
        ("GOARCH", "it comes from --platform"),
        (
            "GOARM",
            "it comes from --platform's variant (e.g. linux/arm/v6, linux/ppc64le/power9)",
        ),
        (
            "GOAMD64",
            "it comes from --platform's variant (e.g. linux/arm/v6, linux/ppc64le/power9)",
        ),
        (
            "GOARM64",
            "it comes from --platform's variant (e.g. linux/arm/v6, linux/ppc64le/power9)",
        ),
        (
            "GO386",
            "it comes from --platform's variant (e.g. linux/arm/v6, linux/ppc64le/power9)",
        ),
        (
            "GOMIPS",
            "it comes from --platform's variant (e.g. linux/arm/v6, linux/ppc64le/power9)",
        ),
        (
            "GOMIPS64",
            "it comes from --platform's variant (e.g. linux/arm/v6, linux/ppc64le/power9)",
        ),
        (
            "GOPPC64",
            "it comes from --platform's variant (e.g. linux/arm/v6, linux/ppc64le/power9)",
        ),
        (
            "GORISCV64",
            "it comes from --platform's variant (e.g. linux/arm/v6, linux/ppc64le/power9)",
        ),
        ("CGO_ENABLED", "use build.cgo"),
        (
            "GOTOOLCHAIN",
            "gofront always uses the builder image's Go (GOTOOLCHAIN=local)",
        ),
        (
            "GOPROXY",
            "the build step runs offline; set module options in [download] env",
        ),
        (
            "GOFLAGS",
            "the build step runs offline; set module options in [download] env",
        ),
        ("GOCACHE", "gofront manages the Go caches"),
        ("GOMODCACHE", "gofront manages the Go caches"),
    ] {
        let text = format!("[build]\nenv = {{ {name} = \"x\" }}\n");
        let col = 9 + name.len() + 3;
        assert_eq!(
            err(&text),
            format!("gofront.toml:2:{col}: build.env.{name} cannot be set: {why}")
        );
    }
    let s = parse(
        "gofront.toml",
        "[build]\nenv = { GOEXPERIMENT = \"x\", _A1 = \"y\" }\n",
        &BTreeMap::new(),
    )
    .unwrap();
    assert_eq!(s.build.env["GOEXPERIMENT"].value, "x");
    assert_eq!(s.build.env["_A1"].value, "y");
}

#[test]
fn env_names_are_checked_in_env_tables_only() {
    refused(&[
        (
            "[runtime]\nenv = { 1A = \"x\" }\n",
            "gofront.toml:2:9: runtime.env: \"1A\" is not a valid environment variable name (letters, digits and '_', not starting with a digit)",
        ),
        (
            "[download]\nenv = { \"A-B\" = \"x\" }\n",
            "gofront.toml:2:9: download.env: \"A-B\" is not a valid environment variable name (letters, digits and '_', not starting with a digit)",
        ),
        (
            "[runtime]\nenv = { \"\" = \"x\" }\n",
            "gofront.toml:2:9: runtime.env: \"\" is not a valid environment variable name (letters, digits and '_', not starting with a digit)",
        ),
        (
            "[runtime]\nlabels = { a = 1 }\n",
            "gofront.toml:2:16: runtime.labels.a must be a string, not an integer",
        ),
        (
            "[runtime]\nlabels = \"a=b\"\n",
            "gofront.toml:2:10: runtime.labels must be a table of strings, not a string",
        ),
    ]);
    // Labels take any name.
    let s = parse(
        "gofront.toml",
        "[runtime]\nlabels = { \"org.example/a-b\" = \"1\" }\n",
        &BTreeMap::new(),
    )
    .unwrap();
    assert_eq!(s.runtime.labels["org.example/a-b"].value, "1");
}

#[test]
fn download_contexts_map_names_to_mount_paths() {
    for (entry, name, path) in [
        ("\"bad name\" = \"/p\"", "bad name", "/p"),
        ("\"\" = \"/p\"", "", "/p"),
        ("proxy = \"p\"", "proxy", "p"),
        ("proxy = \"/\"", "proxy", "/"),
        ("proxy = \"/a/..\"", "proxy", "/a/.."),
        ("proxy = \"/./a\"", "proxy", "/./a"),
        ("proxy = \"/a\\nb\"", "proxy", "/a\\nb"),
    ] {
        let text = format!("[download]\ncontexts = {{ {entry} }}\n");
        let e = err(&text);
        assert!(
            e.ends_with(&format!(
                ": download.contexts.{name} must map a build context name (letters, digits, '-', '_', '.') to an absolute mount path without . or .. such as \"/goproxy\", not \"{path}\""
            )),
            "{entry}: {e}"
        );
    }
    let s = parse(
        "gofront.toml",
        "[download]\ncontexts = { \"go-proxy_1.x\" = \"/goproxy\" }\n",
        &BTreeMap::new(),
    )
    .unwrap();
    assert_eq!(s.download.contexts["go-proxy_1.x"].value, "/goproxy");
}

#[test]
fn network_and_booleans() {
    let s = parse(
        "gofront.toml",
        "[download]\nnetwork = \"default\"\n[build]\nstrip = false\ntrimpath = false\ncgo = true\n",
        &BTreeMap::new(),
    )
    .unwrap();
    assert_eq!(
        s.download.network.unwrap().value,
        crate::spec::Network::Sandbox
    );
    assert!(!s.build.strip.unwrap().value);
    assert!(!s.build.trimpath.unwrap().value);
    assert!(s.build.cgo.unwrap().value);
    // A string is no boolean in the spec; in a build arg it is the only way.
    refused(&[(
        "[build]\nstrip = \"false\"\n",
        "gofront.toml:2:9: build.strip must be a boolean (true or false), not a string",
    )]);
    for (raw, value) in [
        ("true", true),
        ("1", true),
        ("YES", true),
        ("on", true),
        ("False", false),
        ("0", false),
        ("no", false),
        ("off", false),
    ] {
        let s = parse(
            "gofront.toml",
            "[build]\ncgo = true\nstrip = true\n",
            &args(&[("GOFRONT_BUILD_CGO", raw), ("GOFRONT_BUILD_STRIP", raw)]),
        )
        .unwrap();
        assert_eq!(s.build.cgo.unwrap().value, value, "{raw}");
        assert_eq!(s.build.strip.unwrap().value, value, "{raw}");
    }
}

#[test]
fn build_args_set_every_kind_of_key() {
    let s = parse(
        "gofront.toml",
        "[runtime]\nenv = \"not a table\"\nlabels = { keep = \"1\", over = \"spec\" }\n",
        &args(&[
            ("GOFRONT_RUNTIME_ENV_PORT", "9000"),
            ("GOFRONT_BUILD_ENV_GOEXPERIMENT", "x"),
            ("GOFRONT_RUNTIME_LABELS", "over = arg, b=c=d"),
            ("GOFRONT_TEST_FLAGS", "-v, ,-count=1,"),
            ("GOFRONT_RUNTIME_BASE", "alpine:3"),
            ("GOFRONT_VERSION", "1.0.0"),
            ("GOFRONT_GOCACHE_MODULES", "true"),
            ("OTHER", "x"),
        ]),
    )
    .unwrap();
    let port = &s.runtime.env["PORT"];
    assert_eq!(port.value, "9000");
    assert_eq!(
        port.origin,
        Origin::BuildArg("GOFRONT_RUNTIME_ENV_PORT".into())
    );
    assert_eq!(s.runtime.env.len(), 1);
    assert_eq!(s.build.env["GOEXPERIMENT"].value, "x");
    let labels: Vec<(&str, &str)> = s
        .runtime
        .labels
        .iter()
        .map(|(k, v)| (k.as_str(), v.value.as_str()))
        .collect();
    assert_eq!(labels, [("b", "c=d"), ("keep", "1"), ("over", "arg")]);
    assert_eq!(s.test.flags.unwrap().value, ["-v", "-count=1"]);
    let base = s.runtime.base.unwrap();
    assert_eq!(base.value, "alpine:3");
    assert_eq!(base.origin, Origin::BuildArg("GOFRONT_RUNTIME_BASE".into()));
}

#[test]
fn a_build_arg_for_a_section_that_is_no_table_reports_the_section() {
    assert_eq!(
        err_with("build = 1\n", &[("GOFRONT_BUILD_TAGS", "a")]),
        "gofront.toml:1:9: build must be a table, not an integer"
    );
    assert_eq!(
        err_with("build = 1\n", &[("GOFRONT_BUILD_ENV_A", "a")]),
        "gofront.toml:1:9: build must be a table, not an integer"
    );
}

#[test]
fn suggestions_are_the_nearest_plausible_typo() {
    use crate::spec::suggest::closest;
    // Exact, one edit of each kind, an adjacent swap (one edit too).
    // The input itself is never a suggestion.
    assert_eq!(closest("tags", ["tags"]), None);
    assert_eq!(closest("tag", ["tags"]), Some("tags"));
    assert_eq!(closest("tagss", ["tags"]), Some("tags"));
    assert_eq!(closest("tgas", ["tags"]), Some("tags"));
    assert_eq!(closest("atgs", ["tags"]), Some("tags"));
    assert_eq!(closest("tasg", ["tags"]), Some("tags"));
    assert_eq!(closest("taxs", ["tags"]), Some("tags"));
    // Case does not count; the candidate comes back as written.
    assert_eq!(closest("LDFLAGS", ["ldflags"]), Some("ldflags"));
    assert_eq!(closest("ldflags", ["LdFlags"]), Some("LdFlags"));
    // At most a third of the input's length (at least 1) may differ.
    assert_eq!(closest("abcdef", ["abcd"]), Some("abcd"));
    assert_eq!(closest("abcdef", ["abc"]), None);
    assert_eq!(closest("abcdefg", ["abcdeXY"]), Some("abcdeXY"));
    assert_eq!(closest("abcdefg", ["abcdXYZ"]), None);
    assert_eq!(closest("abcdefghi", ["abcXefXhX"]), Some("abcXefXhX"));
    assert_eq!(closest("abcdefghi", ["aXcXeXgXi"]), None);
    assert_eq!(closest("abc", ["abxc"]), Some("abxc"));
    assert_eq!(closest("abc", ["axbxc"]), None);
    assert_eq!(closest("abcdefg", ["xyz"]), None);
    assert_eq!(closest("ab", ["ba"]), Some("ba"));
    assert_eq!(closest("ab", ["xy"]), None);
    // Two swaps are two edits.
    assert_eq!(closest("abcd", ["badc"]), None);
    assert_eq!(closest("abcdef", ["badcef"]), Some("badcef"));
    assert_eq!(closest("abcdef", ["badcfe"]), None);
    // The nearest wins; among equals, the first.
    assert_eq!(
        closest(
            "packages",
            ["pockets", "packagesxy", "packages2", "package"]
        ),
        Some("packages2")
    );
    assert_eq!(closest("network", ["packages", "tags"]), None);
    assert_eq!(closest("x", []), None);
}

#[test]
fn unknown_sections_and_keys_are_suggested_through_parse() {
    refused(&[
        (
            "[biuld]\n",
            "gofront.toml:1:2: unknown section [biuld]; did you mean \"build\"?",
        ),
        (
            "[test]\nflgas = []\n",
            "gofront.toml:2:1: unknown key \"flgas\" in [test]; did you mean \"flags\"?",
        ),
        (
            "[runtime]\nentrypiont = []\n",
            "gofront.toml:2:1: unknown key \"entrypiont\" in [runtime]; did you mean \"entrypoint\"?",
        ),
        (
            "[download]\ntags = []\n",
            "gofront.toml:2:1: unknown key \"tags\" in [download]",
        ),
    ]);
    // `syntax` is the one top-level key that is not a section.
    accepted(&["syntax = \"gofront:dev\"\n"]);
    refused(&[(
        "syntx = \"gofront:dev\"\n",
        "gofront.toml:1:1: unknown section [syntx]",
    )]);
}

#[test]
fn json_problems_point_at_their_keys() {
    // Each problem points at the value at fault.
    let text = "{\n  \"build\": {\n    \"cgo\": \"yes\",\n    \"env\": { \"A\": \"1\" },\n    \"tags\": \"a\"\n  },\n  \"runtime\": {\n    \"env\": { \"1A\": \"x\" },\n    \"expose\": [8080, \"http\"],\n    \"labels\": [],\n    \"user\": \"\"\n  },\n  \"syntax\": \"gofront:dev\",\n  \"tset\": {}\n}\n";
    assert_eq!(
        err(text),
        "gofront.toml:3:12: build.cgo must be a boolean (true or false), not a string\n\
         gofront.toml:5:13: build.tags must be an array of strings, not a string\n\
         gofront.toml:8:14: runtime.env: \"1A\" is not a valid environment variable name (letters, digits and '_', not starting with a digit)\n\
         gofront.toml:9:15: runtime.expose: \"http\" is not a port such as \"8080\" or \"53/udp\"\n\
         gofront.toml:10:15: runtime.labels must be a table of strings, not an array\n\
         gofront.toml:11:13: runtime.user must be \"user\" or \"user:group\", not \"\"\n\
         gofront.toml:14:3: unknown section [tset]; did you mean \"test\"?"
    );
    let s = parse(
        "gofront.toml",
        "{\"build\": {\"cgo\": true, \"env\": {\"A\": \"1\"}}, \"runtime\": {\"expose\": [80]}}",
        &BTreeMap::new(),
    )
    .unwrap();
    assert!(s.build.cgo.unwrap().value);
    assert_eq!(s.build.env["A"].value, "1");
    assert_eq!(s.runtime.expose.unwrap().value, ["80/tcp"]);
    // JSON values that are no spec value at all.
    refused(&[(
        "{\"build\": {\"cgo\": null, \"output\": 1.5}}",
        "gofront.toml:1:19: build.cgo must be a boolean (true or false), not null\n\
         gofront.toml:1:35: build.output must be a string, not a float",
    )]);
}

#[test]
fn toml_values_that_are_no_spec_value() {
    refused(&[
        (
            "[build]\noutput = 1.5\n",
            "gofront.toml:2:10: build.output must be a string, not a float",
        ),
        (
            "[build]\noutput = 1979-05-27\n",
            "gofront.toml:2:10: build.output must be a string, not a date",
        ),
        (
            "[build]\noutput = 99999999999999999999\n",
            "gofront.toml:2:10: build.output must be a string, not an integer out of range",
        ),
        (
            "[build]\noutput = true\n",
            "gofront.toml:2:10: build.output must be a string, not a boolean",
        ),
        (
            "[build]\noutput = []\n",
            "gofront.toml:2:10: build.output must be a string, not an array",
        ),
        (
            "[build]\noutput = {}\n",
            "gofront.toml:2:10: build.output must be a string, not a table",
        ),
    ]);
    let s = parse(
        "gofront.toml",
        "[runtime]\nexpose = [0x50, 1_000]\n",
        &BTreeMap::new(),
    )
    .unwrap();
    assert_eq!(s.runtime.expose.unwrap().value, ["80/tcp", "1000/tcp"]);
}

#[test]
fn columns_count_characters_not_bytes() {
    refused(&[(
        "[runtime]\nlabels = { \"é\" = 1 }\n",
        "gofront.toml:2:18: runtime.labels.é must be a string, not an integer",
    )]);
    let text = "[build]\r\ncgo = 1\r\n";
    assert_eq!(
        err(text),
        "gofront.toml:2:7: build.cgo must be a boolean (true or false), not an integer"
    );
}

#[test]
fn each_key_says_which_targets_it_affects_and_where_its_value_is() {
    use crate::spec::{KEYS, Kind, Setting};
    use crate::target::Target;
    let affected = |t: Target| -> Vec<String> {
        KEYS.iter()
            .filter(|k| k.affects(t))
            .map(|k| k.dotted())
            .collect()
    };
    let common = [
        "build.tags",
        "build.ldflags",
        "build.strip",
        "build.cgo",
        "build.trimpath",
        "build.env",
        "build.builder",
        "download.network",
        "download.env",
        "download.contexts",
        "download.secrets",
        "download.ssh",
    ];
    let mut test: Vec<String> = common.iter().map(|s| s.to_string()).collect();
    test.extend(
        [
            "test.packages",
            "test.flags",
            "test.coverage",
            "test.coverpkg",
            "test.race",
            "test.shard",
        ]
        .map(String::from),
    );
    test.push("cache.scope".to_string());
    assert_eq!(affected(Target::Test), test);
    assert_eq!(affected(Target::TestReport), test);
    let mut gocache = vec!["build.packages".to_string()];
    gocache.extend(common.iter().map(|s| s.to_string()));
    gocache.push("cache.scope".to_string());
    assert_eq!(affected(Target::Gocache), gocache);
    let mut binaries = vec!["build.packages".to_string(), "build.output".to_string()];
    binaries.extend(common.iter().map(|s| s.to_string()));
    binaries.push("cache.scope".to_string());
    assert_eq!(affected(Target::Binaries), binaries);
    // Every key but the test section's.
    assert_eq!(affected(Target::Image).len(), KEYS.len() - 6);

    let kinds: Vec<(String, Kind)> = KEYS
        .iter()
        .filter(|k| k.section == "runtime")
        .map(|k| (k.build_arg(), k.kind()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("GOFRONT_RUNTIME_BASE".to_string(), Kind::Str),
            ("GOFRONT_RUNTIME_ENTRYPOINT".to_string(), Kind::List),
            ("GOFRONT_RUNTIME_CMD".to_string(), Kind::List),
            ("GOFRONT_RUNTIME_USER".to_string(), Kind::Str),
            ("GOFRONT_RUNTIME_WORKDIR".to_string(), Kind::Str),
            ("GOFRONT_RUNTIME_ENV_".to_string(), Kind::EnvMap),
            ("GOFRONT_RUNTIME_EXPOSE".to_string(), Kind::List),
            ("GOFRONT_RUNTIME_LABELS".to_string(), Kind::PairMap),
            ("GOFRONT_RUNTIME_FILES".to_string(), Kind::Json),
            ("GOFRONT_RUNTIME_DIRS".to_string(), Kind::Json),
            ("GOFRONT_RUNTIME_VOLUMES".to_string(), Kind::List),
            ("GOFRONT_RUNTIME_HEALTHCHECK".to_string(), Kind::Json),
            ("GOFRONT_RUNTIME_STOP_SIGNAL".to_string(), Kind::Str),
            ("GOFRONT_RUNTIME_BINDIR".to_string(), Kind::Str),
            ("GOFRONT_RUNTIME_BINARIES".to_string(), Kind::PairMap),
            ("GOFRONT_RUNTIME_KODATA".to_string(), Kind::Bool),
        ]
    );
    let strip = KEYS.iter().find(|k| k.dotted() == "build.strip").unwrap();
    assert_eq!(strip.kind(), Kind::Bool);

    let spec = parse(
        "gofront.toml",
        "[build]\nstrip = false\noutput = \"app\"\ntags = [\"a\"]\n[download]\nnetwork = \"none\"\n[runtime]\nenv = { A = \"1\" }\n",
        &BTreeMap::new(),
    )
    .unwrap();
    let setting = |dotted: &str| {
        let key = KEYS.iter().find(|k| k.dotted() == dotted).unwrap();
        match key.setting(&spec) {
            Setting::Unset => "unset".to_string(),
            Setting::Str(f) => format!("str {}", f.value),
            Setting::Bool(f) => format!("bool {}", f.value),
            Setting::List(f) => format!("list {}", f.value.join(",")),
            Setting::Network(f) => format!("network {:?}", f.value),
            Setting::Scope(f) => format!("scope {:?}", f.value),
            Setting::Map(m) => format!("map {}", m.keys().cloned().collect::<Vec<_>>().join(",")),
            Setting::Structured(v) => format!("json {}", v.to_json()),
        }
    };
    assert_eq!(setting("build.strip"), "bool false");
    assert_eq!(setting("build.cgo"), "unset");
    assert_eq!(setting("build.output"), "str app");
    assert_eq!(setting("build.builder"), "unset");
    assert_eq!(setting("build.tags"), "list a");
    assert_eq!(setting("build.packages"), "unset");
    assert_eq!(setting("download.network"), "network None");
    assert_eq!(setting("runtime.env"), "map A");
    assert_eq!(setting("runtime.labels"), "map ");
    let empty = Spec::default();
    let unset = KEYS
        .iter()
        .filter(|k| matches!(k.setting(&empty), Setting::Unset))
        .count();
    let maps = KEYS
        .iter()
        .filter(|k| matches!(k.setting(&empty), Setting::Map(m) if m.is_empty()))
        .count();
    assert_eq!((unset, maps), (KEYS.len() - 6, 6));
}

#[test]
fn toml_problems_come_in_document_order_not_key_order() {
    assert_eq!(
        err("[test]\nflags = [\"x\"]\n[runtime]\nuser = \"\"\n[build]\ncgo = 1\n"),
        "gofront.toml:2:9: test.flags: \"x\" is not a flag; list packages in test.packages instead\n\
         gofront.toml:4:8: runtime.user must be \"user\" or \"user:group\", not \"\"\n\
         gofront.toml:6:7: build.cgo must be a boolean (true or false), not an integer"
    );
    assert_eq!(
        err("[build]\ntrimpath = 1\ncgo = 2\n"),
        "gofront.toml:2:12: build.trimpath must be a boolean (true or false), not an integer\n\
         gofront.toml:3:7: build.cgo must be a boolean (true or false), not an integer"
    );
}

#[test]
fn a_json_problem_highlights_the_one_line_of_its_key() {
    use crate::driver::FrontendError;
    let text = "{\n  \"build\": {\n    \"tgas\": []\n  },\n  \"runtime\": {}\n}\n";
    let e = FrontendError::from(parse("gofront.toml", text, &BTreeMap::new()).unwrap_err());
    assert_eq!(
        e.to_string(),
        "gofront.toml:3:5: unknown key \"tgas\" in [build]; did you mean \"tags\"?"
    );
    let (_, range) = e.spec_location().expect("a location");
    assert_eq!((range.start, range.end), (3, 3));
}

#[test]
fn a_json_table_where_a_string_belongs_is_located() {
    // The element has no key of its own: it is located from where its
    // array starts.
    assert_eq!(
        err("{\"build\": {\"tags\": [{\"a\": \"b\"}]}}"),
        "gofront.toml:1:21: build.tags must be an array of strings, but an element is a table"
    );
}

#[test]
fn exactly_the_most_problems_are_listed_without_a_count_line() {
    let problem = |i: usize| Problem {
        origin: Origin::Unknown,
        key: format!("k{i}"),
        message: "bad".into(),
    };
    let at_cap = capped((0..MAX_PROBLEMS).map(problem).collect());
    assert_eq!(at_cap.len(), MAX_PROBLEMS);
    assert_eq!(at_cap.last().map(|p| p.key.as_str()), Some("k19"));
    let over = capped((0..=MAX_PROBLEMS).map(problem).collect());
    assert_eq!(over.len(), MAX_PROBLEMS + 1);
    assert_eq!(
        over.last().map(|p| p.message.as_str()),
        Some("1 more problems like these are not shown")
    );
}

#[test]
fn exactly_the_most_entries_and_the_longest_string_and_key_are_read() {
    let tags: Vec<String> = (0..node::MAX_ENTRIES)
        .map(|i| format!("\"t{i}\""))
        .collect();
    let s = ok(&format!(
        "[build]\ntags = [{}]\nldflags = \"{}\"\n",
        tags.join(","),
        "x".repeat(node::MAX_STRING_BYTES)
    ));
    assert_eq!(s.build.tags.unwrap().value.len(), 1_000);
    assert_eq!(s.build.ldflags.unwrap().value.len(), 32 * 1024);
    // A key of the longest length is read, and found unknown.
    let key = "k".repeat(node::MAX_KEY_BYTES);
    assert_eq!(
        err(&format!("[build]\n{key} = 1\n")),
        format!("gofront.toml:2:1: unknown key {key:?} in [build]")
    );
}

#[test]
fn exactly_the_most_gofront_build_args_and_label_pairs_are_read() {
    let many: BTreeMap<String, String> = (0..node::MAX_ENTRIES)
        .map(|i| (format!("GOFRONT_BUILD_ENV_K{i}"), "v".to_string()))
        .collect();
    let s = parse("gofront.toml", "", &many).unwrap();
    assert_eq!(s.build.env.len(), 1_000);
    let pairs: Vec<String> = (0..node::MAX_ENTRIES).map(|i| format!("k{i}=v")).collect();
    let s = parse(
        "gofront.toml",
        "",
        &args(&[("GOFRONT_RUNTIME_LABELS", &pairs.join(","))]),
    )
    .unwrap();
    assert_eq!(s.runtime.labels.len(), 1_000);
}

#[test]
fn json_depth_is_counted_outside_strings_only() {
    let open = |n: usize| "[".repeat(n);
    // The first bracket past the limit is named, braces count as brackets,
    // closed ones count no more.
    assert_eq!(node::too_deep_json(&open(33)), Some(32));
    assert_eq!(
        node::too_deep_json(&format!("{{\"a\": {}", open(33))),
        Some(37)
    );
    assert_eq!(node::too_deep_json(&"[]".repeat(40)), None);
    assert_eq!(node::too_deep_json(&"{}".repeat(40)), None);
    // Brackets in a string are text, also after an escaped quote; an
    // escaped backslash ends no string.
    assert_eq!(node::too_deep_json(&format!("\"{}\"", open(40))), None);
    assert_eq!(node::too_deep_json(&format!("\"\\\"{}\"", open(40))), None);
    assert_eq!(
        node::too_deep_json(&format!("\"\\\\\"{}", open(33))),
        Some(36)
    );
}

#[test]
fn json_strings_with_escapes_are_read_whole() {
    let s = ok(r#"{"runtime": {"labels": {"\"q\"": "\"hi\" \\ \u00e9", "b\\": "x"}}}"#);
    let labels: Vec<(&str, &str)> = s
        .runtime
        .labels
        .iter()
        .map(|(k, v)| (k.as_str(), v.value.as_str()))
        .collect();
    assert_eq!(labels, [("\"q\"", "\"hi\" \\ é"), ("b\\", "x")]);
}

#[test]
fn images_sections_take_the_runtime_keys_checked_the_same_way() {
    let s = ok(
        "[images.api]\nuser = \"10:10\"\nenv = { A = \"1\" }\n\n[images.worker]\ncmd = [\"run\"]\n",
    );
    assert_eq!(s.images.len(), 2);
    assert_eq!(
        s.images["api"]
            .runtime
            .user
            .as_ref()
            .map(|u| u.value.as_str()),
        Some("10:10")
    );
    assert_eq!(s.images["api"].runtime.env["A"].value, "1");
    assert_eq!(
        s.images["worker"]
            .runtime
            .cmd
            .as_ref()
            .map(|c| c.value.clone()),
        Some(vec!["run".to_string()])
    );
    assert!(s.runtime.user.is_none(), "[runtime] is left alone");
    assert_eq!(
        err("[images.api]\nentrypiont = [\"/x\"]\n"),
        "gofront.toml:2:1: unknown key \"entrypiont\" in [images.api] (it takes [runtime]'s keys); did you mean \"entrypoint\"?"
    );
    assert_eq!(
        err("[images.api]\nuser = 3\n"),
        "gofront.toml:2:8: images.api.user must be a string, not an integer"
    );
    assert_eq!(
        err("images = 3\n"),
        "gofront.toml:1:10: images must be a table of images by target name ([images.api]), not an integer"
    );
    assert_eq!(
        err("[imags.api]\n"),
        "gofront.toml:1:2: unknown section [imags]; did you mean \"images\"?"
    );
    // JSON too.
    let s = ok(r#"{"images": {"api": {"expose": [80]}}}"#);
    assert_eq!(
        s.images["api"]
            .runtime
            .expose
            .as_ref()
            .map(|e| e.value.clone()),
        Some(vec!["80/tcp".to_string()])
    );
}
