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
}

#[test]
fn a_pair_list_build_arg_that_is_not_json_is_named() {
    assert_eq!(
        err_with("", &[("GOFRONT_RUNTIME_LABELS", "[\"a=b\"")]),
        "build-arg GOFRONT_RUNTIME_LABELS: expected a JSON array of strings: EOF while parsing a list at line 1 column 6"
    );
}
