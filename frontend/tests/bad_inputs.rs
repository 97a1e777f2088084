//! Issue 10's table: bad inputs, each run through the whole pipeline
//! (`driver::generate`, as inside BuildKit and `gofront llb`), each with
//! the one message it must produce, word for word. A second table runs the
//! local mode on special files of a real directory.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};

use common::{generate_in, generate_memory, only, runtime};

struct Case {
    name: &'static str,
    spec: &'static [u8],
    files: &'static [(&'static str, &'static [u8])],
    opts: &'static [(&'static str, &'static str)],
    message: &'static str,
}

const CASES: &[Case] = &[
    Case {
        name: "toml_unknown_key",
        spec: "[build]\ntgas = [\"x\"]\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:1: unknown key \"tgas\" in [build]; did you mean \"tags\"?",
    },
    Case {
        name: "toml_unknown_section",
        spec: "[biuld]\ncgo = true\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:1:2: unknown section [biuld]; did you mean \"build\"?",
    },
    Case {
        name: "toml_wrong_type",
        spec: "[build]\ncgo = \"yes\"\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:7: build.cgo must be a boolean (true or false), not a string",
    },
    Case {
        name: "toml_syntax",
        spec: "[build\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:1:7: invalid TOML: unclosed table, expected `]`",
    },
    Case {
        name: "toml_duplicate_key",
        spec: "[build]\ncgo = true\ncgo = false\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:3:1: invalid TOML: duplicate key cgo",
    },
    Case {
        name: "toml_float",
        spec: "[build]\ncgo = 1.5\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:7: build.cgo must be a boolean (true or false), not a float",
    },
    Case {
        name: "toml_array_element_type",
        spec: "[build]\ntags = [\"a\", 1]\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:14: build.tags must be an array of strings, but an element is an integer",
    },
    Case {
        name: "toml_section_not_table",
        spec: "build = 1\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:1:9: build must be a table, not an integer",
    },
    Case {
        name: "nul_in_ldflags",
        spec: "[build]\nldflags = \"-X main.v=\\u0000\"\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:11: build.ldflags contains a NUL byte, which no program argument, environment variable or label can hold",
    },
    Case {
        name: "nul_in_entrypoint",
        spec: "[runtime]\nentrypoint = [\"/app\", \"a\\u0000b\"]\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:23: runtime.entrypoint contains a NUL byte, which no program argument, environment variable or label can hold",
    },
    Case {
        name: "nul_in_label_name",
        spec: "[runtime.labels]\n\"a\\u0000\" = \"b\"\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:1: runtime.labels contains a NUL byte, which no program argument, environment variable or label can hold",
    },
    Case {
        name: "nul_in_env_value",
        spec: "[runtime.env]\nA = \"\\u0000\"\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:5: runtime.env contains a NUL byte, which no program argument, environment variable or label can hold",
    },
    Case {
        name: "download_env_goflags",
        spec: "[download.env]\nGOFLAGS = \"-mod=mod\"\n".as_bytes(),
        files: &[(
            "go.mod",
            b"module example.com/app\n\ngo 1.24\n\nrequire example.com/dep v1.0.0\n",
        )],
        opts: &[],
        message: "gofront.toml:2:11: download.env.GOFLAGS cannot be set: go mod download runs with gofront's flags; set module options such as GOPROXY, GOPRIVATE, GONOSUMDB or GOINSECURE by name",
    },
    Case {
        name: "download_env_gotoolchain",
        spec: "[download.env]\nGOTOOLCHAIN = \"auto\"\n".as_bytes(),
        files: &[(
            "go.mod",
            b"module example.com/app\n\ngo 1.24\n\nrequire example.com/dep v1.0.0\n",
        )],
        opts: &[],
        message: "gofront.toml:2:15: download.env.GOTOOLCHAIN cannot be set: gofront always uses the builder image's Go (GOTOOLCHAIN=local); choose the Go version with build.builder",
    },
    Case {
        name: "download_env_gomodcache",
        spec: "[download]\nenv = { GOMODCACHE = \"/tmp/m\" }\n".as_bytes(),
        files: &[(
            "go.mod",
            b"module example.com/app\n\ngo 1.24\n\nrequire example.com/dep v1.0.0\n",
        )],
        opts: &[],
        message: "gofront.toml:2:22: download.env.GOMODCACHE cannot be set: gofront manages the Go caches and keeps the module cache as the download step's layer",
    },
    Case {
        name: "download_env_gocache",
        spec: "[download.env]\nGOCACHE = \"/tmp/c\"\n".as_bytes(),
        files: &[(
            "go.mod",
            b"module example.com/app\n\ngo 1.24\n\nrequire example.com/dep v1.0.0\n",
        )],
        opts: &[],
        message: "gofront.toml:2:11: download.env.GOCACHE cannot be set: gofront manages the Go caches and keeps the module cache as the download step's layer",
    },
    Case {
        name: "download_env_gowork",
        spec: "[download.env]\nGOWORK = \"off\"\n".as_bytes(),
        files: &[(
            "go.mod",
            b"module example.com/app\n\ngo 1.24\n\nrequire example.com/dep v1.0.0\n",
        )],
        opts: &[],
        message: "gofront.toml:2:10: download.env.GOWORK cannot be set: gofront builds the go.work or go.mod at the root of the build context",
    },
    Case {
        name: "build_env_gowork",
        spec: "[build.env]\nGOWORK = \"off\"\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:10: build.env.GOWORK cannot be set: gofront builds the go.work or go.mod at the root of the build context",
    },
    Case {
        name: "build_env_goproxy",
        spec: "[build.env]\nGOPROXY = \"direct\"\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:11: build.env.GOPROXY cannot be set: the build step runs offline; set module options in [download] env",
    },
    Case {
        name: "build_env_bad_name",
        spec: "[build.env]\n\"1X\" = \"y\"\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:1: build.env: \"1X\" is not a valid environment variable name (letters, digits and '_', not starting with a digit)",
    },
    Case {
        name: "entrypoint_empty",
        spec: "[runtime]\nentrypoint = []\n".as_bytes(),
        files: &[
            ("go.mod", b"module example.com/app\n\ngo 1.24\n"),
            ("main.go", b"package main\n"),
        ],
        opts: &[],
        message: "gofront.toml:2:14: runtime.entrypoint is empty and runtime.cmd is unset, so the image has nothing to run; leave runtime.entrypoint out to run the first binary, or name a program",
    },
    Case {
        name: "entrypoint_empty_program",
        spec: "[runtime]\nentrypoint = [\"\"]\ncmd = [\"x\"]\n".as_bytes(),
        files: &[
            ("go.mod", b"module example.com/app\n\ngo 1.24\n"),
            ("main.go", b"package main\n"),
        ],
        opts: &[],
        message: "gofront.toml:2:14: runtime.entrypoint starts with an empty program name; name the program to run, e.g. \"/usr/local/bin/app\"",
    },
    Case {
        name: "packages_outside",
        spec: "[build]\npackages = [\"../x\"]\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:12: build.packages: \"../x\" must be a path inside the build context starting with \"./\"",
    },
    Case {
        name: "packages_empty",
        spec: "[build]\npackages = []\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:12: build.packages must list at least one package",
    },
    Case {
        name: "packages_pattern",
        spec: "[build]\npackages = [\"./...\"]\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:12: build.packages: \"./...\" is a pattern; list each main package, e.g. \"./cmd/server\"",
    },
    Case {
        name: "test_flags_not_flag",
        spec: "[test]\nflags = [\"x\"]\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:9: test.flags: \"x\" is not a flag; list packages in test.packages instead",
    },
    Case {
        name: "user_with_space",
        spec: "[runtime]\nuser = \"a b\"\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:8: runtime.user must be \"user\" or \"user:group\", not \"a b\"",
    },
    Case {
        name: "workdir_relative",
        spec: "[runtime]\nworkdir = \"app\"\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:11: runtime.workdir must be an absolute path, not \"app\"",
    },
    Case {
        name: "expose_zero",
        spec: "[runtime]\nexpose = [\"0\"]\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:10: runtime.expose: \"0\" is not a port such as \"8080\" or \"53/udp\"",
    },
    Case {
        name: "base_url",
        spec: "[runtime]\nbase = \"https://x/y\"\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:8: runtime.base must be an image reference such as \"ubuntu:24.04\", or \"scratch\", not \"https://x/y\"",
    },
    Case {
        name: "output_with_slash",
        spec: "[build]\noutput = \"a/b\"\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:10: build.output must be a file name without '/', not \"a/b\"",
    },
    Case {
        name: "output_with_two_packages",
        spec: "[build]\npackages = [\"./a\", \"./b\"]\noutput = \"x\"\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:3:10: build.output can only be set when build.packages names one package",
    },
    Case {
        name: "network_bridge",
        spec: "[download]\nnetwork = \"bridge\"\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:11: download.network must be \"sandbox\", \"none\" or \"host\", not \"bridge\"",
    },
    Case {
        name: "tag_with_dash",
        spec: "[build]\ntags = [\"a-b\"]\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:8: build.tags: \"a-b\" is not a valid build tag (letters, digits, '_' and '.')",
    },
    Case {
        name: "ldflags_unknown_template",
        spec: "[build]\nldflags = \"-X main.v={{.Nope}}\"\n".as_bytes(),
        files: &[
            ("go.mod", b"module example.com/app\n\ngo 1.24\n"),
            ("main.go", b"package main\n"),
        ],
        opts: &[],
        message: "gofront.toml:2:11: build.ldflags: unknown template {{.Nope}}; templates are {{.Version}}, {{.Commit}}, {{.ShortCommit}}, {{.Date}}, {{.Env.NAME}}",
    },
    Case {
        name: "user_name_on_scratch",
        spec: "[runtime]\nbase = \"scratch\"\nuser = \"nobody\"\n".as_bytes(),
        files: &[
            ("go.mod", b"module example.com/app\n\ngo 1.24\n"),
            ("main.go", b"package main\n"),
        ],
        opts: &[],
        message: "gofront.toml:3:8: runtime.user \"nobody\" is a name, but a scratch image has no /etc/passwd; use a numeric uid:gid such as \"65532:65532\"",
    },
    Case {
        name: "json_bom_typo",
        spec: "\u{feff}{\"build\": {\"tgas\": []}}".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:1:12: unknown key \"tgas\" in [build]; did you mean \"tags\"?",
    },
    Case {
        name: "json_top_level_array",
        spec: "[1, 2]".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:1:1: the spec must be a table of sections (a JSON object), not an array",
    },
    Case {
        name: "json_top_level_array_of_objects",
        spec: "[{\"build\": {}}]".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:1:1: the spec must be a table of sections (a JSON object), not an array",
    },
    Case {
        name: "json_syntax",
        spec: "{\"build\": }".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:1:11: invalid JSON: expected value",
    },
    Case {
        name: "json_broken_array",
        spec: "[{\"build\": ".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:1:11: invalid JSON: EOF while parsing a value",
    },
    Case {
        name: "json_duplicate_key",
        spec: "{\"build\": {\"cgo\": true,\n \"cgo\": false}}".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:2: duplicate key \"build.cgo\" (first set on line 1); JSON keys must be unique",
    },
    Case {
        name: "json_duplicate_section",
        spec: "{\"build\": {},\n\"build\": {\"cgo\": true}}".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:1: duplicate key \"build\" (first set on line 1); JSON keys must be unique",
    },
    Case {
        name: "json_array_element",
        spec: "{\n \"build\": {\n  \"tags\": [\n   \"a\",\n   1\n  ]\n }\n}".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:5:4: build.tags must be an array of strings, but an element is an integer",
    },
    Case {
        name: "json_null",
        spec: "{\"build\": {\"cgo\": null}}".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:1:19: build.cgo must be a boolean (true or false), not null",
    },
    Case {
        name: "json_section_array",
        spec: "{\"build\": []}".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:1:11: build must be a table, not an array",
    },
    Case {
        name: "json_big_integer",
        spec: "{\"runtime\": {\"expose\": [18446744073709551615]}}".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:1:25: runtime.expose must be an array of strings, but an element is an integer out of range",
    },
    Case {
        name: "arg_typo",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("build-arg:GOFRONT_BUILD_TGAS", "x")],
        message: "build-arg GOFRONT_BUILD_TGAS: gofront has no build arg named GOFRONT_BUILD_TGAS; did you mean GOFRONT_BUILD_TAGS?",
    },
    Case {
        name: "arg_env_prefix_alone",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("build-arg:GOFRONT_DOWNLOAD_ENV_", "x")],
        message: "build-arg GOFRONT_DOWNLOAD_ENV_: GOFRONT_DOWNLOAD_ENV_ names no variable; pass one per variable, as GOFRONT_DOWNLOAD_ENV_<NAME>=value",
    },
    Case {
        name: "arg_env_prefix_without_underscore",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("build-arg:GOFRONT_DOWNLOAD_ENV", "x")],
        message: "build-arg GOFRONT_DOWNLOAD_ENV: gofront has no build arg named GOFRONT_DOWNLOAD_ENV; did you mean GOFRONT_DOWNLOAD_ENV_<NAME>?",
    },
    Case {
        name: "arg_managed_download_env",
        spec: "".as_bytes(),
        files: &[(
            "go.mod",
            b"module example.com/app\n\ngo 1.24\n\nrequire example.com/dep v1.0.0\n",
        )],
        opts: &[("build-arg:GOFRONT_DOWNLOAD_ENV_GOFLAGS", "-mod=mod")],
        message: "build-arg GOFRONT_DOWNLOAD_ENV_GOFLAGS: download.env.GOFLAGS cannot be set: go mod download runs with gofront's flags; set module options such as GOPROXY, GOPRIVATE, GONOSUMDB or GOINSECURE by name",
    },
    Case {
        name: "arg_bool",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("build-arg:GOFRONT_BUILD_CGO", "maybe")],
        message: "build-arg GOFRONT_BUILD_CGO: build.cgo must be true or false (or 1, 0, yes, no, on, off), not \"maybe\"",
    },
    Case {
        name: "arg_json_list",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("build-arg:GOFRONT_RUNTIME_ENTRYPOINT", "[1]")],
        message: "build-arg GOFRONT_RUNTIME_ENTRYPOINT: expected a JSON array of strings: invalid type: integer `1`, expected a string at line 1 column 2",
    },
    Case {
        name: "arg_pairs",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("build-arg:GOFRONT_DOWNLOAD_CONTEXTS", "noequals")],
        message: "build-arg GOFRONT_DOWNLOAD_CONTEXTS: expected name=value pairs separated by commas, got \"noequals\"",
    },
    Case {
        name: "arg_nul",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("build-arg:GOFRONT_VERSION", "a\0b")],
        message: "build-arg GOFRONT_VERSION contains a NUL byte, which no program argument, environment variable or label can hold",
    },
    Case {
        name: "arg_newline_in_name",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("build-arg:GOFRONT_DOWNLOAD_CONTEXTS", ":\na=")],
        message: "build-arg GOFRONT_DOWNLOAD_CONTEXTS: download.contexts.:\\na must map a build context name (letters, digits, '-', '_', '.') to an absolute mount path without . or .. such as \"/goproxy\", not \"\"",
    },
    Case {
        name: "go_work_quoted_use_outside",
        spec: "".as_bytes(),
        files: &[("go.work", b"go 1.24\nuse \"\\x2e./x\"\n")],
        opts: &[],
        message: "go.work:2: use directory \"../x\" is outside the build context; move it inside or build from a parent directory",
    },
    Case {
        name: "label_nul",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("label:a", "b\0")],
        message: "label \"a\" contains a NUL byte, which no program argument, environment variable or label can hold",
    },
    Case {
        name: "epoch_too_late",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("build-arg:SOURCE_DATE_EPOCH", "99999999999999")],
        message: "build-arg SOURCE_DATE_EPOCH must be between 0 and 253402300799 (9999-12-31T23:59:59Z), not 99999999999999",
    },
    Case {
        name: "epoch_negative",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("build-arg:SOURCE_DATE_EPOCH", "-1")],
        message: "build-arg SOURCE_DATE_EPOCH must be between 0 and 253402300799 (9999-12-31T23:59:59Z), not -1",
    },
    Case {
        name: "epoch_words",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("build-arg:SOURCE_DATE_EPOCH", "yesterday")],
        message: "build-arg SOURCE_DATE_EPOCH must be a number of seconds since 1970, not \"yesterday\"",
    },
    Case {
        name: "gocache_modules",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("build-arg:GOFRONT_GOCACHE_MODULES", "maybe")],
        message: "build-arg GOFRONT_GOCACHE_MODULES must be true or false, not \"maybe\"",
    },
    Case {
        name: "option_target",
        spec: "".as_bytes(),
        files: &[
            ("go.mod", b"module example.com/app\n\ngo 1.24\n"),
            ("main.go", b"package main\n"),
        ],
        opts: &[("target", "imgae")],
        message: "unknown target \"imgae\" (did you mean \"image\"?); gofront builds image, binaries, test, gocache, test-report, and an image per binary: app",
    },
    Case {
        name: "test_shard_out_of_range",
        spec: "[test]\nshard = \"5/4\"\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("target", "test")],
        message: "gofront.toml:2:9: test.shard must be I/N, the I-th of N shards (1 <= I <= N <= 1000), e.g. \"2/4\", not \"5/4\"",
    },
    Case {
        name: "test_shard_build_arg",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("target", "test"), ("build-arg:GOFRONT_TEST_SHARD", "+1/2")],
        message: "build-arg GOFRONT_TEST_SHARD: test.shard must be I/N, the I-th of N shards (1 <= I <= N <= 1000), e.g. \"2/4\", not \"+1/2\"",
    },
    Case {
        name: "option_platform",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("platform", "linux")],
        message: "invalid platform \"linux\"; expected os/arch[/variant], e.g. linux/arm64",
    },
    Case {
        name: "option_platform_no_port",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("platform", "linux/riscv32")],
        message: "--platform linux/riscv32: Go does not build for linux/riscv32; it builds linux/386, linux/amd64, linux/arm, linux/arm64, linux/loong64, linux/mips, linux/mips64, linux/mips64le, linux/mipsle, linux/ppc64, linux/ppc64le, linux/riscv64, linux/s390x",
    },
    Case {
        name: "option_multi_platform",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("multi-platform", "yes")],
        message: "invalid multi-platform value \"yes\"; expected true or false",
    },
    Case {
        name: "option_resolve_mode",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("image-resolve-mode", "never")],
        message: "invalid image-resolve-mode \"never\"; expected default, pull or local",
    },
    Case {
        name: "option_cache_imports",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("cache-imports", "notjson")],
        message: "invalid cache-imports option: expected ident at line 1 column 2",
    },
    Case {
        name: "no_go_mod",
        spec: "".as_bytes(),
        files: &[],
        opts: &[],
        message: "no go.mod or go.work at the root of the build context; gofront builds Go modules (run `go mod init` first)",
    },
    Case {
        name: "go_mod_garbage",
        spec: "".as_bytes(),
        files: &[("go.mod", b"hello world\n")],
        opts: &[],
        message: "go.mod:1: unknown directive: hello",
    },
    Case {
        name: "go_mod_no_module",
        spec: "".as_bytes(),
        files: &[("go.mod", b"go 1.24\n")],
        opts: &[],
        message: "go.mod has no module line; add one such as `module example.com/app` (go mod init writes it)",
    },
    Case {
        name: "go_mod_no_go_line",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n")],
        opts: &[],
        message: "go.mod has no go line; add one such as `go 1.24`",
    },
    Case {
        name: "go_mod_bad_go_version",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module a\ngo 1.24.x\n")],
        opts: &[],
        message: "go.mod:2: invalid go version '1.24.x': must match format 1.23.0",
    },
    Case {
        name: "go_mod_repeated_go",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module a\ngo 1.24\ngo 1.25\n")],
        opts: &[],
        message: "go.mod:3: repeated go statement",
    },
    Case {
        name: "go_mod_unclosed_block",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module a\ngo 1.24\nrequire (\n\tx v1.0.0\n")],
        opts: &[],
        message: "go.mod:3: the require ( block is never closed with )",
    },
    Case {
        name: "go_mod_replace_outside",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module a\ngo 1.24\nreplace x => ../x\n")],
        opts: &[],
        message: "go.mod:3: replace target \"../x\" is outside the build context; move it inside or build from a parent directory",
    },
    Case {
        name: "go_mod_replace_module_without_version",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module a\ngo 1.24\nreplace x => y\n")],
        opts: &[],
        message: "go.mod:3: replacement module without version must be directory path (rooted or starting with . or ..)",
    },
    Case {
        name: "go_mod_toolchain_local",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module a\ngo 1.24\ntoolchain local\n")],
        opts: &[],
        message: "go.mod:3: invalid toolchain version 'local': must match format go1.23.0 or default",
    },
    Case {
        name: "go_mod_use",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module a\ngo 1.24\nuse ./x\n")],
        opts: &[],
        message: "go.mod:3: unknown directive: use",
    },
    Case {
        name: "go_mod_unterminated_quote",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module \"a\ngo 1.24\n")],
        opts: &[],
        message: "go.mod:1: unterminated quoted string",
    },
    Case {
        name: "go_mod_not_utf8",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module a\xff\ngo 1.24\n")],
        opts: &[],
        message: "go.mod is not UTF-8 text",
    },
    Case {
        name: "go_mod_godebug_usage",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module a\ngo 1.24\ngodebug x\n")],
        opts: &[],
        message: "go.mod:3: usage: godebug key=value",
    },
    Case {
        name: "go_work_use_outside",
        spec: "".as_bytes(),
        files: &[("go.work", b"go 1.24\nuse ../x\n")],
        opts: &[],
        message: "go.work:2: use directory \"../x\" is outside the build context; move it inside or build from a parent directory",
    },
    Case {
        name: "go_work_member_missing",
        spec: "".as_bytes(),
        files: &[("go.work", b"go 1.24\nuse ./app\n")],
        opts: &[],
        message: "go.work:2: use directory \"./app\" has no go.mod in the build context",
    },
    Case {
        name: "go_work_require",
        spec: "".as_bytes(),
        files: &[("go.work", b"go 1.24\nrequire a v1.0.0\n")],
        opts: &[],
        message: "go.work:2: unknown directive: require",
    },
    Case {
        name: "go_work_no_go_line",
        spec: "".as_bytes(),
        files: &[
            ("go.work", b"use ./app\n"),
            ("app/go.mod", b"module example.com/app\n\ngo 1.24\n"),
        ],
        opts: &[],
        message: "go.work has no go line; add one such as `go 1.24`",
    },
    Case {
        name: "go_work_member_no_module",
        spec: "".as_bytes(),
        files: &[
            ("go.work", b"go 1.24\nuse ./app\n"),
            ("app/go.mod", b"go 1.24\n"),
        ],
        opts: &[],
        message: "app/go.mod has no module line; add one such as `module example.com/app` (go mod init writes it)",
    },
    Case {
        name: "go_work_root_package",
        spec: "[build]\npackages = [\".\"]\n".as_bytes(),
        files: &[
            ("go.work", b"go 1.24\nuse ./app\n"),
            ("app/go.mod", b"module example.com/app\n\ngo 1.24\n"),
        ],
        opts: &[],
        message: "gofront.toml:2:12: build.packages must name the main package's directory (e.g. \"./app\") in a go.work workspace",
    },
    Case {
        name: "no_main_package",
        spec: "# syntax=gofront:dev\n".as_bytes(),
        files: &[
            ("go.mod", b"module example.com/app\n\ngo 1.24\n"),
            // A library root, with a generator Go leaves out of builds.
            ("doc.go", b"// Package app.\npackage app\n"),
            ("gen.go", b"//go:build ignore\n\npackage main\n"),
            // A library in cmd/, a test, one level too deep, not cmd/.
            ("cmd/shared/shared.go", b"package shared\n"),
            ("cmd/probe/main_test.go", b"package main\n"),
            ("cmd/tool/internal/main.go", b"package main\n"),
            ("tools/gen/main.go", b"package main\n"),
        ],
        opts: &[],
        message: "gofront.toml: no main package found: the module root has none and there is no cmd/<name> directory with package main; set build.packages to the main packages' directories (e.g. [\"./app\"])",
    },
    Case {
        name: "no_main_package_dockerignored",
        spec: "".as_bytes(),
        files: &[
            ("go.mod", b"module example.com/app\n\ngo 1.24\n"),
            (".dockerignore", b"cmd/hidden\n"),
            ("cmd/hidden/main.go", b"package main\n"),
        ],
        opts: &[("target", "binaries")],
        message: "gofront.toml: no main package found: the module root has none and there is no cmd/<name> directory with package main; set build.packages to the main packages' directories (e.g. [\"./app\"])",
    },
    Case {
        name: "no_main_package_named_target",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("target", "api"), ("filename", "build/app.toml")],
        message: "build/app.toml: no main package found: the module root has none and there is no cmd/<name> directory with package main; set build.packages to the main packages' directories (e.g. [\"./app\"])",
    },
    Case {
        name: "no_main_package_in_workspace",
        spec: "".as_bytes(),
        files: &[
            ("go.work", b"go 1.24\nuse ./lib\n"),
            ("lib/go.mod", b"module example.com/lib\n\ngo 1.24\n"),
            ("lib/lib.go", b"package lib\n"),
            ("cmd/api/main.go", b"package main\n"),
        ],
        opts: &[],
        message: "gofront.toml: no main package found: no go.work member's root has one and no member has a cmd/<name> directory with package main; set build.packages to the main packages' directories (e.g. [\"./app\"])",
    },
    Case {
        name: "dockerignore_hides_go_mod",
        spec: "".as_bytes(),
        files: &[
            ("go.mod", b"module example.com/app\n\ngo 1.24\n"),
            (".dockerignore", b"# comment\n*.mod\n"),
        ],
        opts: &[],
        message: ".dockerignore:2: the pattern \"*.mod\" leaves go.mod out of the build, which the go steps need; remove it or add !go.mod after it",
    },
    Case {
        name: "dockerignore_hides_go_sum",
        spec: "".as_bytes(),
        files: &[
            (
                "go.mod",
                b"module example.com/app\n\ngo 1.24\n\nrequire example.com/dep v1.0.0\n",
            ),
            (".dockerignore", b"go.sum\n"),
        ],
        opts: &[],
        message: ".dockerignore:1: the pattern \"go.sum\" leaves go.sum out of the build, which the go steps need; remove it or add !go.sum after it",
    },
    Case {
        name: "dockerignore_hides_vendor",
        spec: "".as_bytes(),
        files: &[
            (
                "go.mod",
                b"module example.com/app\n\ngo 1.24\n\nrequire example.com/dep v1.0.0\n",
            ),
            ("vendor/modules.txt", b""),
            (".dockerignore", b"vendor/\n"),
        ],
        opts: &[],
        message: ".dockerignore:1: the pattern \"vendor\" leaves vendor/ out of the build, which the go steps need; remove it or add !vendor after it",
    },
    Case {
        name: "dockerignore_hides_go_work",
        spec: "".as_bytes(),
        files: &[
            ("go.work", b"go 1.24\nuse ./app\n"),
            ("app/go.mod", b"module example.com/app\n\ngo 1.24\n"),
            (".dockerignore", b"go.work\n"),
        ],
        opts: &[("build-arg:GOFRONT_BUILD_PACKAGES", "./app")],
        message: ".dockerignore:1: the pattern \"go.work\" leaves go.work out of the build, which the go steps need; remove it or add !go.work after it",
    },
    Case {
        name: "dockerignore_bang_alone",
        spec: "".as_bytes(),
        files: &[
            ("go.mod", b"module example.com/app\n\ngo 1.24\n"),
            (".dockerignore", b"!\n"),
        ],
        opts: &[],
        message: ".dockerignore:1: \"!\" alone is not a pattern; write the path to keep after it, e.g. !go.mod",
    },
    Case {
        name: "dockerignore_bad_class",
        spec: "".as_bytes(),
        files: &[
            ("go.mod", b"module example.com/app\n\ngo 1.24\n"),
            (".dockerignore", b"go.[mod\n"),
        ],
        opts: &[],
        message: ".dockerignore:1: \"go.[mod\" is not a valid pattern (an unclosed '[' or a '\\' at its end)",
    },
    Case {
        name: "dockerignore_bom",
        spec: "".as_bytes(),
        files: &[
            ("go.mod", b"module example.com/app\n\ngo 1.24\n"),
            (".dockerignore", b"\xef\xbb\xbfgo.mod\n"),
        ],
        opts: &[],
        message: ".dockerignore:1: the pattern \"go.mod\" leaves go.mod out of the build, which the go steps need; remove it or add !go.mod after it",
    },
    Case {
        name: "spec_not_utf8",
        spec: b"[build]\ncgo = \xff\n",
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml is not UTF-8 text",
    },
    // Issue 20: platforms, contexts, control characters, ids, JSON words.
    Case {
        name: "platform_arm_v9",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("platform", "linux/arm/v9")],
        message: "--platform linux/arm/v9: Go does not build for linux/arm/v9; it builds linux/arm/v5, linux/arm/v6, linux/arm/v7 (the variant sets GOARM; none keeps Go's default)",
    },
    Case {
        name: "platform_arm_v8",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("platform", "linux/arm/v8")],
        message: "--platform linux/arm/v8: Go does not build for linux/arm/v8; it builds linux/arm/v5, linux/arm/v6, linux/arm/v7 (the variant sets GOARM; none keeps Go's default)",
    },
    Case {
        name: "platform_amd64_v5",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("platform", "linux/amd64/v5")],
        message: "--platform linux/amd64/v5: Go does not build for linux/amd64/v5; it builds linux/amd64, linux/amd64/v2, linux/amd64/v3, linux/amd64/v4 (the variant sets GOAMD64; none keeps Go's default)",
    },
    Case {
        name: "platform_arm64_v10",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("platform", "linux/arm64/v10")],
        message: "--platform linux/arm64/v10: Go does not build for linux/arm64/v10; it builds linux/arm64, linux/arm64/v8.1, linux/arm64/v8.2, linux/arm64/v8.3, linux/arm64/v8.4, linux/arm64/v8.5, linux/arm64/v8.6, linux/arm64/v8.7, linux/arm64/v8.8, linux/arm64/v8.9, linux/arm64/v9, linux/arm64/v9.1, linux/arm64/v9.2, linux/arm64/v9.3, linux/arm64/v9.4, linux/arm64/v9.5 (the variant sets GOARM64; none keeps Go's default)",
    },
    Case {
        name: "platform_arm64_v9_6",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("platform", "linux/arm64/v9.6")],
        message: "--platform linux/arm64/v9.6: Go does not build for linux/arm64/v9.6; it builds linux/arm64, linux/arm64/v8.1, linux/arm64/v8.2, linux/arm64/v8.3, linux/arm64/v8.4, linux/arm64/v8.5, linux/arm64/v8.6, linux/arm64/v8.7, linux/arm64/v8.8, linux/arm64/v8.9, linux/arm64/v9, linux/arm64/v9.1, linux/arm64/v9.2, linux/arm64/v9.3, linux/arm64/v9.4, linux/arm64/v9.5 (the variant sets GOARM64; none keeps Go's default)",
    },
    Case {
        name: "platform_s390x_variant",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("platform", "linux/s390x/z15")],
        message: "--platform linux/s390x/z15: Go does not build for linux/s390x/z15; it builds linux/s390x (Go has no variants of s390x)",
    },
    Case {
        name: "platform_ppc64le_power11",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("platform", "linux/ppc64le/power11")],
        message: "--platform linux/ppc64le/power11: Go does not build for linux/ppc64le/power11; it builds linux/ppc64le, linux/ppc64le/power8, linux/ppc64le/power9, linux/ppc64le/power10 (the variant sets GOPPC64; none keeps Go's default)",
    },
    Case {
        name: "platform_riscv64_rva24",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("platform", "linux/riscv64/rva24u64")],
        message: "--platform linux/riscv64/rva24u64: Go does not build for linux/riscv64/rva24u64; it builds linux/riscv64, linux/riscv64/rva20u64, linux/riscv64/rva22u64, linux/riscv64/rva23u64 (the variant sets GORISCV64; none keeps Go's default)",
    },
    Case {
        name: "platform_386_sse",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("platform", "linux/386/sse")],
        message: "--platform linux/386/sse: Go does not build for linux/386/sse; it builds linux/386, linux/386/sse2, linux/386/softfloat (the variant sets GO386; none keeps Go's default)",
    },
    Case {
        name: "platform_mips64_variant",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("platform", "linux/mips64le/v2")],
        message: "--platform linux/mips64le/v2: Go does not build for linux/mips64le/v2; it builds linux/mips64le, linux/mips64le/hardfloat, linux/mips64le/softfloat (the variant sets GOMIPS64; none keeps Go's default)",
    },
    Case {
        name: "platform_list_second_bad",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("platform", "linux/amd64,linux/arm/v8")],
        message: "--platform linux/arm/v8: Go does not build for linux/arm/v8; it builds linux/arm/v5, linux/arm/v6, linux/arm/v7 (the variant sets GOARM; none keeps Go's default)",
    },
    Case {
        name: "platform_list_empty_part",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("platform", "linux/amd64,linux")],
        message: "invalid platform \"linux\"; expected os/arch[/variant], e.g. linux/arm64",
    },
    Case {
        name: "platform_windows_variant",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("platform", "windows/amd64/v9"), ("target", "binaries")],
        message: "--platform windows/amd64/v9: Go does not build for windows/amd64/v9; it builds windows/amd64, windows/amd64/v2, windows/amd64/v3, windows/amd64/v4 (the variant sets GOAMD64; none keeps Go's default)",
    },
    Case {
        name: "platform_dup_then_multi_false",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[
            ("platform", "linux/arm64,linux/aarch64/v8,linux/amd64"),
            ("multi-platform", "false"),
        ],
        message: "--platform lists linux/arm64,linux/amd64, but multi-platform=false asks for a single-platform result",
    },
    Case {
        name: "platform_too_many_parts",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("platform", "linux/arm/v7/x")],
        message: "invalid platform \"linux/arm/v7/x\"; expected os/arch[/variant], e.g. linux/arm64",
    },
    Case {
        name: "oci_layout_without_digest",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("context:gocache", "oci-layout:///dir")],
        message: "build context \"gocache\" is \"oci-layout:///dir\", an OCI layout reference without a valid digest; BuildKit loads a layout by digest: pass gocache=oci-layout://STORE[:TAG]@sha256:<64 hex digits> (buildx adds it for --build-context gocache=oci-layout:///DIR)",
    },
    Case {
        name: "oci_layout_short_digest",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("context:gocache", "oci-layout://store@sha256:abc")],
        message: "build context \"gocache\" is \"oci-layout://store@sha256:abc\", an OCI layout reference without a valid digest; BuildKit loads a layout by digest: pass gocache=oci-layout://STORE[:TAG]@sha256:<64 hex digits> (buildx adds it for --build-context gocache=oci-layout:///DIR)",
    },
    Case {
        name: "oci_layout_md5_digest",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[(
            "context:gocache",
            "oci-layout://store@md5:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        )],
        message: "build context \"gocache\" is \"oci-layout://store@md5:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\", an OCI layout reference without a valid digest; BuildKit loads a layout by digest: pass gocache=oci-layout://STORE[:TAG]@sha256:<64 hex digits> (buildx adds it for --build-context gocache=oci-layout:///DIR)",
    },
    Case {
        name: "gocache_seed_git",
        spec: "".as_bytes(),
        files: &[
            ("go.mod", b"module example.com/app\n\ngo 1.24\n"),
            ("main.go", b"package main\n"),
        ],
        opts: &[("context:gocache", "git://example.com/x")],
        message: "build context \"gocache\" is \"git://example.com/x\"; gofront seeds the Go build cache from a directory, a docker-image:// or an oci-layout:// reference",
    },
    Case {
        name: "gocache_seed_https",
        spec: "".as_bytes(),
        files: &[
            ("go.mod", b"module example.com/app\n\ngo 1.24\n"),
            ("main.go", b"package main\n"),
        ],
        opts: &[("context:gocache", "https://example.com/x.tar")],
        message: "build context \"gocache\" is \"https://example.com/x.tar\"; gofront seeds the Go build cache from a directory, a docker-image:// or an oci-layout:// reference",
    },
    Case {
        name: "gocache_modules_maybe",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("build-arg:GOFRONT_GOCACHE_MODULES", "maybe")],
        message: "build-arg GOFRONT_GOCACHE_MODULES must be true or false, not \"maybe\"",
    },
    Case {
        name: "download_context_oci_layout",
        spec: "[download]\ncontexts = { p = \"/p\" }\n".as_bytes(),
        files: &[
            (
                "go.mod",
                b"module example.com/app\n\ngo 1.24\n\nrequire example.com/dep v1.0.0\n",
            ),
            ("main.go", b"package main\n"),
        ],
        opts: &[(
            "context:p",
            "oci-layout://store@sha256:abababababababababababababababababababababababababababababababab",
        )],
        message: "gofront.toml:2:18: download.contexts.p: build context \"store@sha256:abababababababababababababababababababababababababababababababab\" is not supported yet; pass a directory or a docker-image:// reference",
    },
    Case {
        name: "download_context_missing",
        spec: "[download]\ncontexts = { p = \"/p\" }\n".as_bytes(),
        files: &[
            (
                "go.mod",
                b"module example.com/app\n\ngo 1.24\n\nrequire example.com/dep v1.0.0\n",
            ),
            ("main.go", b"package main\n"),
        ],
        opts: &[],
        message: "gofront.toml:2:18: download.contexts.p: no build context named \"p\" was passed; add --build-context p=DIR",
    },
    Case {
        name: "download_context_dotdot",
        spec: "[download]\ncontexts = { p = \"/a/..\" }\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:18: download.contexts.p must map a build context name (letters, digits, '-', '_', '.') to an absolute mount path without . or .. such as \"/goproxy\", not \"/a/..\"",
    },
    Case {
        name: "download_context_relative",
        spec: "[download]\ncontexts = { p = \"goproxy\" }\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:18: download.contexts.p must map a build context name (letters, digits, '-', '_', '.') to an absolute mount path without . or .. such as \"/goproxy\", not \"goproxy\"",
    },
    Case {
        name: "version_newline",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("build-arg:GOFRONT_VERSION", "1.0\n-X main.evil=1")],
        message: "build-arg GOFRONT_VERSION is \"1.0\\n-X main.evil=1\", which holds a line break; a version is one word of printable characters (it is stamped into -ldflags and the org.opencontainers.image.version label)",
    },
    Case {
        name: "version_blank",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("build-arg:GOFRONT_VERSION", "1.0 beta")],
        message: "build-arg GOFRONT_VERSION is \"1.0 beta\", which holds a blank; a version is one word of printable characters (it is stamped into -ldflags and the org.opencontainers.image.version label)",
    },
    Case {
        name: "version_escape",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("build-arg:GOFRONT_VERSION", "1.0\u{1b}[31m")],
        message: "build-arg GOFRONT_VERSION is \"1.0\\u{1b}[31m\", which holds a control character; a version is one word of printable characters (it is stamped into -ldflags and the org.opencontainers.image.version label)",
    },
    Case {
        name: "vcs_revision_newline",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("vcs:revision", "abc\ndef")],
        message: "vcs:revision is \"abc\\ndef\", which holds a line break; a revision is one word such as a git commit hash (it is stamped by {{.Commit}} and a label)",
    },
    Case {
        name: "ldflags_env_newline",
        spec: "[build]\nldflags = \"-X main.x={{.Env.X}}\"\n".as_bytes(),
        files: &[
            ("go.mod", b"module example.com/app\n\ngo 1.24\n"),
            ("main.go", b"package main\n"),
        ],
        opts: &[("build-arg:X", "a\nb")],
        message: "gofront.toml:2:11: build.ldflags: {{.Env.X}} is build arg X, \"a\\nb\", which holds a control character; -ldflags takes printable text",
    },
    Case {
        name: "ldflags_unclosed_template",
        spec: "[build]\nldflags = \"-X main.v={{.Version\"\n".as_bytes(),
        files: &[
            ("go.mod", b"module example.com/app\n\ngo 1.24\n"),
            ("main.go", b"package main\n"),
        ],
        opts: &[],
        message: "gofront.toml:2:11: build.ldflags: a template opened with {{ is never closed; templates are {{.Version}}, {{.Commit}}, {{.ShortCommit}}, {{.Date}}, {{.Env.NAME}}",
    },
    Case {
        name: "ldflags_env_unset",
        spec: "[build]\nldflags = \"-X main.v={{.Env.NOPE}}\"\n".as_bytes(),
        files: &[
            ("go.mod", b"module example.com/app\n\ngo 1.24\n"),
            ("main.go", b"package main\n"),
        ],
        opts: &[],
        message: "gofront.toml:2:11: build.ldflags: {{.Env.NOPE}} names build arg NOPE, which is not set; pass --build-arg NOPE=...",
    },
    Case {
        name: "ldflags_empty_env_name",
        spec: "[build]\nldflags = \"{{.Env.}}\"\n".as_bytes(),
        files: &[
            ("go.mod", b"module example.com/app\n\ngo 1.24\n"),
            ("main.go", b"package main\n"),
        ],
        opts: &[],
        message: "gofront.toml:2:11: build.ldflags: unknown template {{.Env.}}; templates are {{.Version}}, {{.Commit}}, {{.ShortCommit}}, {{.Date}}, {{.Env.NAME}}",
    },
    Case {
        name: "label_option_key_with_eq",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("label:a=b", "c")],
        message: "label \"a=b\": a label key cannot hold '=' (it would read as key=value)",
    },
    Case {
        name: "label_option_empty_key",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("label:", "c")],
        message: "label \"\": a label key cannot be empty",
    },
    Case {
        name: "label_option_key_with_newline",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("label:a\nb", "c")],
        message: "label \"a\\nb\": a label key cannot hold blanks or control characters",
    },
    Case {
        name: "spec_label_key_with_eq",
        spec: "[runtime.labels]\n\"a=b\" = \"c\"\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:9: runtime.labels: \"a=b\": a label key cannot hold '=' (it would read as key=value)",
    },
    Case {
        name: "spec_label_key_with_space",
        spec: "[runtime.labels]\n\"a b\" = \"c\"\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:9: runtime.labels: \"a b\": a label key cannot hold blanks or control characters",
    },
    Case {
        name: "arg_label_key_empty",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("build-arg:GOFRONT_RUNTIME_LABELS", "=x")],
        message: "build-arg GOFRONT_RUNTIME_LABELS: runtime.labels: \"\": a label key cannot be empty",
    },
    Case {
        name: "env_name_with_eq",
        spec: "[runtime.env]\n\"A=B\" = \"c\"\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:1: runtime.env: \"A=B\" is not a valid environment variable name (letters, digits and '_', not starting with a digit)",
    },
    Case {
        name: "arg_env_name_with_eq",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("build-arg:GOFRONT_BUILD_ENV_A=B", "c")],
        message: "build-arg GOFRONT_BUILD_ENV_A=B: build.env: \"A=B\" is not a valid environment variable name (letters, digits and '_', not starting with a digit)",
    },
    Case {
        name: "arg_env_name_newline",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("build-arg:GOFRONT_RUNTIME_ENV_A\nB", "c")],
        message: "build-arg GOFRONT_RUNTIME_ENV_A\\nB: runtime.env: \"A\\nB\" is not a valid environment variable name (letters, digits and '_', not starting with a digit)",
    },
    Case {
        name: "output_with_newline",
        spec: "[build]\noutput = \"app\\nx\"\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:10: build.output must be a file name without '/', not \"app\\nx\"",
    },
    Case {
        name: "user_with_tab",
        spec: "[runtime]\nuser = \"app\\tx\"\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:8: runtime.user must be \"user\" or \"user:group\", not \"app\\tx\"",
    },
    Case {
        name: "secrets_dotdot",
        spec: "[download]\nsecrets = [\"..\"]\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:11: download.secrets cannot list \"..\": the id names the file under /run/secrets; use letters, digits, '-', '_' and '.'",
    },
    Case {
        name: "secrets_dot",
        spec: "[download]\nsecrets = [\".\"]\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:11: download.secrets cannot list \".\": the id names the file under /run/secrets; use letters, digits, '-', '_' and '.'",
    },
    Case {
        name: "secrets_slash",
        spec: "[download]\nsecrets = [\"a/b\"]\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:11: download.secrets must list ids made of letters, digits, '-', '_' and '.', not \"a/b\"",
    },
    Case {
        name: "secrets_twice",
        spec: "[download]\nsecrets = [\"netrc\", \"netrc\"]\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:11: download.secrets lists \"netrc\" twice",
    },
    Case {
        name: "ssh_blank_id",
        spec: "[download]\nssh = [\"my key\"]\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:7: download.ssh must list ids made of letters, digits, '-', '_' and '.', not \"my key\"",
    },
    Case {
        name: "arg_secrets_dotdot",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("build-arg:GOFRONT_DOWNLOAD_SECRETS", "netrc,..")],
        message: "build-arg GOFRONT_DOWNLOAD_SECRETS: download.secrets cannot list \"..\": the id names the file under /run/secrets; use letters, digits, '-', '_' and '.'",
    },
    Case {
        name: "network_bad",
        spec: "[download]\nnetwork = \"bridge0\"\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:11: download.network must be \"sandbox\", \"none\" or \"host\", not \"bridge0\"",
    },
    Case {
        name: "arg_network_bad",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("build-arg:GOFRONT_DOWNLOAD_NETWORK", "none ")],
        message: "build-arg GOFRONT_DOWNLOAD_NETWORK: download.network must be \"sandbox\", \"none\" or \"host\", not \"none \"",
    },
    Case {
        name: "cache_scope_bad",
        spec: "[cache]\nscope = \"global\"\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:9: cache.scope must be \"builder\" or \"project\", not \"global\"",
    },
    Case {
        name: "cache_scope_type",
        spec: "[cache]\nscope = true\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:9: cache.scope must be a string, not a boolean",
    },
    Case {
        name: "cache_unknown_key",
        spec: "[cache]\nscpoe = \"project\"\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:1: unknown key \"scpoe\" in [cache]; did you mean \"scope\"?",
    },
    Case {
        name: "build_env_goppc64",
        spec: "[build.env]\nGOPPC64 = \"power9\"\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:11: build.env.GOPPC64 cannot be set: it comes from --platform's variant (e.g. linux/arm/v6, linux/ppc64le/power9)",
    },
    Case {
        name: "build_env_goarm64",
        spec: "[build.env]\nGOARM64 = \"v9.0\"\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:11: build.env.GOARM64 cannot be set: it comes from --platform's variant (e.g. linux/arm/v6, linux/ppc64le/power9)",
    },
    Case {
        name: "json_trailing_comma_object",
        spec: "{\"build\": {\"cgo\": true,}}".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:1:24: invalid JSON: a comma before a closing bracket (JSON allows no trailing comma); remove the comma",
    },
    Case {
        name: "json_trailing_comma_array",
        spec: "{\"build\": {\"tags\": [\"a\",\n]}}".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:1: invalid JSON: a comma before a closing bracket (JSON allows no trailing comma); remove the comma",
    },
    Case {
        name: "json_trailing_comma_top",
        spec: "{\"syntax\": \"x\",\n}\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:1: invalid JSON: a comma before a closing bracket (JSON allows no trailing comma); remove the comma",
    },
    Case {
        name: "toml_dotted_deep",
        spec: "[build]\na.b.c.d = 1\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:1: unknown key \"a\" in [build]",
    },
    Case {
        name: "arg_bool_strip",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("build-arg:GOFRONT_BUILD_STRIP", "nope")],
        message: "build-arg GOFRONT_BUILD_STRIP: build.strip must be true or false (or 1, 0, yes, no, on, off), not \"nope\"",
    },
    Case {
        name: "arg_bool_empty",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("build-arg:GOFRONT_BUILD_TRIMPATH", "")],
        message: "build-arg GOFRONT_BUILD_TRIMPATH: build.trimpath must be true or false (or 1, 0, yes, no, on, off), not \"\"",
    },
    Case {
        name: "output_is_the_sums_file",
        spec: "[build]\noutput = \".gofront-sums\"\n".as_bytes(),
        files: &[
            ("go.mod", b"module example.com/app\n\ngo 1.24\n"),
            ("main.go", b"package main\n"),
        ],
        opts: &[],
        message: "gofront.toml:2:10: build.output cannot be \".gofront-sums\": gofront writes the binaries' digests to a file of that name beside the binaries; choose another name",
    },
    Case {
        name: "output_is_the_used_list",
        spec: "".as_bytes(),
        files: &[
            ("go.mod", b"module example.com/app\n\ngo 1.24\n"),
            ("main.go", b"package main\n"),
        ],
        opts: &[("build-arg:GOFRONT_BUILD_OUTPUT", ".gofront-used")],
        message: "build-arg GOFRONT_BUILD_OUTPUT: build.output cannot be \".gofront-used\": gofront writes the Go build cache entries a seeded build used to a file of that name beside the binaries; choose another name",
    },
    Case {
        name: "package_named_like_the_sums_file",
        spec: "[build]\npackages = [\"./a\", \"./.gofront-sums\"]\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:12: build.packages: the binary of \"./.gofront-sums\" would be named \".gofront-sums\", the file gofront writes the binaries' digests to beside the binaries; rename the directory",
    },
    Case {
        name: "image_entrypoint_empty",
        spec: "[runtime]\ncmd = [\"x\"]\n\n[images.app]\nentrypoint = []\n".as_bytes(),
        files: &[
            ("go.mod", b"module example.com/app\n\ngo 1.24\n"),
            ("main.go", b"package main\n"),
        ],
        opts: &[("target", "app")],
        message: "gofront.toml:5:14: images.app.entrypoint is empty and images.app.cmd is unset, so the image has nothing to run; leave images.app.entrypoint out to run the binary app, or name a program",
    },
    Case {
        name: "image_entrypoint_blank_program",
        spec: "[images.app]\nentrypoint = [\" \"]\n".as_bytes(),
        files: &[
            ("go.mod", b"module example.com/app\n\ngo 1.24\n"),
            ("main.go", b"package main\n"),
        ],
        opts: &[("target", "app")],
        message: "gofront.toml:2:14: images.app.entrypoint starts with an empty program name; name the program to run, e.g. \"/usr/local/bin/app\"",
    },
    Case {
        name: "image_user_name_on_scratch",
        spec: "[runtime]\nbase = \"scratch\"\n\n[images.app]\nuser = \"bob\"\n".as_bytes(),
        files: &[
            ("go.mod", b"module example.com/app\n\ngo 1.24\n"),
            ("main.go", b"package main\n"),
        ],
        opts: &[("target", "app")],
        message: "gofront.toml:5:8: images.app.user \"bob\" is a name, but a scratch image has no /etc/passwd; use a numeric uid:gid such as \"65532:65532\"",
    },
    Case {
        name: "runtime_user_name_on_an_images_scratch",
        spec: "[runtime]\nuser = \"bob\"\n\n[images.app]\nbase = \"scratch\"\n".as_bytes(),
        files: &[
            ("go.mod", b"module example.com/app\n\ngo 1.24\n"),
            ("main.go", b"package main\n"),
        ],
        opts: &[("target", "app")],
        message: "gofront.toml:2:8: runtime.user \"bob\" is a name, but a scratch image has no /etc/passwd; use a numeric uid:gid such as \"65532:65532\"",
    },
    Case {
        name: "go_work_uses_a_directory_twice",
        spec: "".as_bytes(),
        files: &[
            ("go.work", b"go 1.24\n\nuse (\n\t./a\n\ta/\n)\n"),
            ("a/go.mod", b"module example.com/a\n\ngo 1.24\n"),
        ],
        opts: &[],
        message: "go.work:5: path a/ appears multiple times in workspace",
    },
    Case {
        name: "go_work_uses_one_module_path_twice",
        spec: "".as_bytes(),
        files: &[
            ("go.work", b"go 1.24\n\nuse ./a\nuse ./b\n"),
            ("a/go.mod", b"module example.com/a\n\ngo 1.24\n"),
            ("b/go.mod", b"module example.com/a\n\ngo 1.24\n"),
        ],
        opts: &[],
        message: "go.work:4: module example.com/a appears multiple times in workspace (used by ./a and ./b)",
    },
    Case {
        name: "test_flags_word_after_a_boolean_flag",
        spec: "[test]\nflags = [\"-v\", \"TestX\"]\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("target", "test")],
        message: "gofront.toml:2:9: test.flags: \"TestX\" is not a flag; list packages in test.packages instead",
    },
    Case {
        name: "test_flags_value_missing",
        spec: "[test]\nflags = [\"-v\", \"-run\"]\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("target", "test")],
        message: "gofront.toml:2:9: test.flags: \"-run\" takes a value and none follows it, so go test would take the first package for it; add the value (\"-run\", \"VALUE\" or \"-run=VALUE\")",
    },
    Case {
        name: "gocache_image_empty",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("context:gocache", "docker-image://")],
        message: "build context \"gocache\" is \"docker-image://\", which is not an image reference (the reference is empty); pass gocache=docker-image://REF with REF such as registry.example.com/team/image:tag",
    },
    Case {
        name: "gocache_image_malformed",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[(
            "context:gocache",
            "docker-image://reg.example.com/Team/cache:",
        )],
        message: "build context \"gocache\" is \"docker-image://reg.example.com/Team/cache:\", which is not an image reference (invalid reference format: repository name (Team/cache) must be lowercase); pass gocache=docker-image://REF with REF such as registry.example.com/team/image:tag",
    },
    Case {
        name: "gocache_image_bad_tag",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("context:gocache", "docker-image://reg.example.com/cache:")],
        message: "build context \"gocache\" is \"docker-image://reg.example.com/cache:\", which is not an image reference (invalid reference format); pass gocache=docker-image://REF with REF such as registry.example.com/team/image:tag",
    },
    Case {
        name: "builder_upper_case",
        spec: "[build]\nbuilder = \"Golang:1.24\"\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:11: build.builder must be an image reference such as \"golang:1.24\", not \"Golang:1.24\"",
    },
    Case {
        name: "go_work_no_use",
        spec: "".as_bytes(),
        files: &[("go.work", b"go 1.24\n")],
        opts: &[],
        message: "go.work:1: the workspace uses no module, and Go builds nothing in it (no modules were found in the current workspace); add a `use ./dir` line for each module, or remove go.work to build the go.mod",
    },
    Case {
        name: "go_work_empty_use_block",
        spec: "".as_bytes(),
        files: &[("go.work", b"go 1.24\nuse (\n)\n")],
        opts: &[],
        message: "go.work:1: the workspace uses no module, and Go builds nothing in it (no modules were found in the current workspace); add a `use ./dir` line for each module, or remove go.work to build the go.mod",
    },
    Case {
        name: "files_src_leaves_context",
        spec: "[[runtime.files]]\nsrc = \"../secrets/key.pem\"\ndest = \"/etc/app/\"\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:7: runtime.files[0].src \"../secrets/key.pem\" leaves the build context; only files inside it can be copied",
    },
    Case {
        name: "files_src_absolute",
        spec: "[[runtime.files]]\nsrc = \"/etc/passwd\"\ndest = \"/etc/app/\"\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:7: runtime.files[0].src \"/etc/passwd\" is absolute; name the path relative to the build context's root, such as \"config/app.yaml\"",
    },
    Case {
        name: "files_dest_relative",
        spec: "[[runtime.files]]\nsrc = \"config\"\ndest = \"etc/app\"\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:3:8: runtime.files[0].dest must be an absolute path in the image such as \"/etc/app/\", not \"etc/app\"",
    },
    Case {
        name: "files_dest_dotdot",
        spec: "[[runtime.files]]\nsrc = \"config\"\ndest = \"/etc/../app\"\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:3:8: runtime.files[0].dest \"/etc/../app\" holds . or ..; write the path without them",
    },
    Case {
        name: "files_glob_dest_not_dir",
        spec: "[[runtime.files]]\nsrc = \"config/*.yaml\"\ndest = \"/etc/app\"\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:3:8: runtime.files[0].dest \"/etc/app\" must end with '/' for the glob \"config/*.yaml\": the files it matches go into that directory",
    },
    Case {
        name: "files_unknown_key",
        spec: "[[runtime.files]]\nsrc = \"config\"\ndst = \"/etc/app/\"\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:3:1: unknown key \"dst\" in runtime.files[0] (it takes src, dest, mode, owner, embed); did you mean \"dest\"?",
    },
    Case {
        name: "files_missing_src",
        spec: "[[runtime.files]]\ndest = \"/etc/app/\"\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:1:1: runtime.files[0] needs src",
    },
    Case {
        name: "files_not_array",
        spec: "[runtime.files]\nsrc = \"config\"\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:1:1: runtime.files must be an array of tables, not a table",
    },
    Case {
        name: "files_mode_integer",
        spec: "[[runtime.files]]\nsrc = \"config\"\ndest = \"/etc/app/\"\nmode = 644\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:4:8: runtime.files[0].mode must be an octal string such as \"0644\", not an integer (TOML reads 644 as a decimal number)",
    },
    Case {
        name: "files_mode_too_big",
        spec: "[[runtime.files]]\nsrc = \"config\"\ndest = \"/etc/app/\"\nmode = \"17777\"\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:4:8: runtime.files[0].mode \"17777\" is more than 07777, the most a mode holds (the permissions, setuid, setgid and sticky bits)",
    },
    Case {
        name: "files_mode_not_octal",
        spec: "[[runtime.files]]\nsrc = \"config\"\ndest = \"/etc/app/\"\nmode = \"0648\"\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:4:8: runtime.files[0].mode must be an octal mode such as \"0644\" or \"0755\", not \"0648\"",
    },
    Case {
        name: "files_owner_bad",
        spec: "[[runtime.files]]\nsrc = \"config\"\ndest = \"/etc/app/\"\nowner = \"a:b:c\"\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:4:9: runtime.files[0].owner must be \"user\" or \"user:group\", each a number or a name such as \"nonroot\", not \"a:b:c\"",
    },
    Case {
        name: "files_owner_name_on_scratch",
        spec: "[runtime]\nbase = \"scratch\"\n[[runtime.files]]\nsrc = \"config\"\ndest = \"/etc/app/\"\nowner = \"nonroot\"\n".as_bytes(),
        files: &[
            ("go.mod", b"module example.com/app\n\ngo 1.24\n"),
            ("main.go", b"package main\n"),
        ],
        opts: &[],
        message: "gofront.toml:6:9: runtime.files[0].owner \"nonroot\" is a name, but a scratch image has no /etc/passwd to look it up in; use a numeric uid:gid such as \"65532:65532\"",
    },
    Case {
        name: "dirs_mode_sticky",
        spec: "[[runtime.dirs]]\npath = \"/data\"\nmode = \"1777\"\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:3:8: runtime.dirs[0].mode \"1777\" is more than 0777: a directory gofront creates takes permission bits only (no setuid, setgid or sticky bit)",
    },
    Case {
        name: "dirs_twice",
        spec: "[[runtime.dirs]]\npath = \"/data\"\n[[runtime.dirs]]\npath = \"/data/\"\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:4:8: runtime.dirs[1].path \"/data\" is listed twice (also at runtime.dirs[0].path)",
    },
    Case {
        name: "dirs_root",
        spec: "[[runtime.dirs]]\npath = \"/\"\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:8: runtime.dirs[0].path is the image's root, which always exists",
    },
    Case {
        name: "volumes_relative",
        spec: "[runtime]\nvolumes = [\"data\"]\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:11: runtime.volumes must be an absolute path in the image such as \"/var/lib/app\", not \"data\"",
    },
    Case {
        name: "healthcheck_no_test",
        spec: "[runtime.healthcheck]\ninterval = \"30s\"\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:1:1: runtime.healthcheck needs test: the command that checks the container, such as [\"/usr/local/bin/app\", \"-health\"]",
    },
    Case {
        name: "healthcheck_bad_duration",
        spec: "[runtime.healthcheck]\ntest = [\"/app\", \"-health\"]\ninterval = \"30\"\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:3:12: runtime.healthcheck.interval \"30\" is not a duration Docker takes: a number needs its unit (ns, us, ms, s, m, h)",
    },
    Case {
        name: "healthcheck_tiny_duration",
        spec: "[runtime.healthcheck]\ntest = [\"/app\", \"-health\"]\ntimeout = \"10us\"\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:3:11: runtime.healthcheck.timeout \"10us\" is not a duration Docker takes: Docker takes 0 (the default) or at least 1ms",
    },
    Case {
        name: "healthcheck_negative_retries",
        spec: "[runtime.healthcheck]\ntest = [\"/app\", \"-health\"]\nretries = -1\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:3:11: runtime.healthcheck.retries must be a whole number from 0 (Docker's default, 3) up, not -1",
    },
    Case {
        name: "healthcheck_none_with_interval",
        spec: "[runtime.healthcheck]\ntest = [\"NONE\"]\ninterval = \"30s\"\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:3:1: runtime.healthcheck.interval has no effect: test = [\"NONE\"] turns the base's healthcheck off",
    },
    Case {
        name: "healthcheck_cmd_shell_two",
        spec: "[runtime.healthcheck]\ntest = [\"CMD-SHELL\", \"a\", \"b\"]\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:8: runtime.healthcheck.test [\"CMD-SHELL\", COMMAND] takes one command string",
    },
    Case {
        name: "healthcheck_unknown_key",
        spec: "[runtime.healthcheck]\ntest = [\"/app\"]\nintervall = \"30s\"\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:3:1: unknown key \"intervall\" in runtime.healthcheck (it takes test, interval, timeout, start_period, start_interval, retries); did you mean \"interval\"?",
    },
    Case {
        name: "healthcheck_shell_on_scratch",
        spec: "[runtime]\nbase = \"scratch\"\nhealthcheck = { test = \"curl -f localhost\" }\n".as_bytes(),
        files: &[
            ("go.mod", b"module example.com/app\n\ngo 1.24\n"),
            ("main.go", b"package main\n"),
        ],
        opts: &[],
        message: "gofront.toml:3:24: runtime.healthcheck.test is a string, which Docker runs with /bin/sh, but a scratch image has no shell; give the command as an array, such as [\"/usr/local/bin/app\", \"-health\"]",
    },
    Case {
        name: "stop_signal_bad",
        spec: "[runtime]\nstop_signal = \"SIGTREM\"\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:15: runtime.stop_signal \"SIGTREM\" is not a signal: name one such as \"SIGTERM\" or \"SIGINT\", or give its number (1 to 64); did you mean \"SIGTERM\"?",
    },
    Case {
        name: "stop_signal_zero",
        spec: "[runtime]\nstop_signal = \"0\"\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:15: runtime.stop_signal \"0\" is not a signal: name one such as \"SIGTERM\" or \"SIGINT\", or give its number (1 to 64)",
    },
    Case {
        name: "binaries_unknown",
        spec: "[runtime]\nbinaries = { mangaer = \"/manager\" }\n".as_bytes(),
        files: &[
            ("go.mod", b"module example.com/app\n\ngo 1.24\n"),
            ("main.go", b"package main\n"),
        ],
        opts: &[],
        message: "gofront.toml:2:24: runtime.binaries names \"mangaer\", which is not a binary of the build (they are: app)",
    },
    Case {
        name: "binaries_same_path",
        spec: "[build]\npackages = [\"./cmd/a\", \"./cmd/b\"]\n[runtime]\nbinaries = { a = \"/app\", b = \"/app\" }\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:4:30: binaries a and b would both be at /app; give one its own path in runtime.binaries",
    },
    Case {
        name: "bindir_relative",
        spec: "[runtime]\nbindir = \"bin\"\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:2:10: runtime.bindir must be an absolute path in the image such as \"/usr/local/bin\", not \"bin\"",
    },
    Case {
        name: "arg_files_not_json",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("build-arg:GOFRONT_RUNTIME_FILES", "config:/etc/app")],
        message: "build-arg GOFRONT_RUNTIME_FILES: expected JSON such as [{\"src\": \"config/\", \"dest\": \"/etc/app/\"}]: expected value at line 1 column 1",
    },
    Case {
        name: "arg_files_bad_dest",
        spec: "".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[("build-arg:GOFRONT_RUNTIME_FILES", "[{\"src\": \"config\", \"dest\": \"app\"}]")],
        message: "build-arg GOFRONT_RUNTIME_FILES: runtime.files[0].dest must be an absolute path in the image such as \"/etc/app/\", not \"app\"",
    },
    Case {
        name: "images_files_leaves_context",
        spec: "[build]\npackages = [\"./cmd/a\", \"./cmd/b\"]\n[[images.a.files]]\nsrc = \"..\"\ndest = \"/x/\"\n".as_bytes(),
        files: &[("go.mod", b"module example.com/app\n\ngo 1.24\n")],
        opts: &[],
        message: "gofront.toml:4:7: images.a.files[0].src \"..\" leaves the build context; only files inside it can be copied",
    },
];

#[test]
fn every_bad_input_gets_its_one_message() {
    assert!(CASES.len() >= 60, "issue 10 asks for at least 60 rows");
    let rt = runtime();
    let mut wrong = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for c in CASES {
        assert!(seen.insert(c.name), "two rows are named {}", c.name);
        let got = match generate_memory(&rt, c.spec, c.files, c.opts) {
            Ok(_) => "(no error)".to_string(),
            Err(e) => e.to_string(),
        };
        if got != c.message {
            wrong.push(format!("{}:\n  want: {}\n  got:  {got}", c.name, c.message));
        }
    }
    if std::env::var_os("GOFRONT_PRINT_TABLE").is_some() {
        for c in CASES {
            let got = match generate_memory(&rt, c.spec, c.files, c.opts) {
                Ok(_) => "(no error)".to_string(),
                Err(e) => e.to_string(),
            };
            println!("{}\t{}", c.name, got.replace('\n', "\\n"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

const GO_MOD: &[u8] = b"module example.com/app\n\ngo 1.24\n";
/// A main package at the module root, which a spec without
/// `build.packages` builds.
const MAIN_GO: (&str, &[u8]) = ("main.go", b"package main\n");

/// What was accepted but wrong is now right.
#[test]
fn accepted_inputs_now_do_what_they_say() {
    let rt = runtime();
    let entrypoint = |spec: &[u8], files: &[(&str, &[u8])]| {
        let b = only(generate_memory(&rt, spec, files, &[]).unwrap());
        let cfg: serde_json::Value =
            serde_json::from_slice(b.image_config.as_deref().unwrap()).unwrap();
        cfg["config"]["Entrypoint"].clone()
    };
    // Package `./` is the module's root package.
    assert_eq!(
        entrypoint(b"[build]\npackages = [\"./\"]\n", &[("go.mod", GO_MOD)]),
        serde_json::json!(["/usr/local/bin/app"])
    );
    // A JSON spec with a byte order mark; equal keys in different objects.
    assert_eq!(
        entrypoint(
            "\u{feff}{\"syntax\": \"x\", \"build\": {\"env\": {\"A\": \"1\"}}, \"runtime\": {\"env\": {\"A\": \"2\"}}}"
                .as_bytes(),
            &[("go.mod", GO_MOD), MAIN_GO]
        ),
        serde_json::json!(["/usr/local/bin/app"])
    );
    // Every directive Go accepts; a toolchain with a custom suffix names
    // its release for the builder image.
    let go_mod = b"module example.com/app\n\ngo 1.24\ntoolchain go1.24.3-vendor\ngodebug default=go1.21\ntool example.com/t\nignore ./web\nretract v0.1.0\nexclude x v1.0.0\n";
    let b = only(generate_memory(&rt, b"", &[("go.mod", go_mod), MAIN_GO], &[]).unwrap());
    assert_eq!(b.plan.builder.name, "golang:1.24.3");
    // `../` in .dockerignore matches nothing inside the context.
    let b = only(
        generate_memory(
            &rt,
            b"",
            &[
                ("go.mod", GO_MOD),
                MAIN_GO,
                (".dockerignore", b"../go.mod\n  # kept\n"),
            ],
            &[],
        )
        .unwrap(),
    );
    assert_eq!(b.plan.context_exclude, ["../go.mod", "# kept", ".git"]);
    // SOURCE_DATE_EPOCH at the last second RFC 3339 can say.
    let b = only(
        generate_memory(
            &rt,
            b"",
            &[("go.mod", GO_MOD), MAIN_GO],
            &[("build-arg:SOURCE_DATE_EPOCH", "253402300799")],
        )
        .unwrap(),
    );
    let cfg: serde_json::Value =
        serde_json::from_slice(b.image_config.as_deref().unwrap()).unwrap();
    assert_eq!(cfg["created"], "9999-12-31T23:59:59Z");
    // test.flags as go test spells them: a flag, then its value.
    let b = only(
        generate_memory(
            &rt,
            b"[test]\nflags = [\"-run\", \"TestX\", \"-timeout\", \"30s\"]\n",
            &[("go.mod", GO_MOD), MAIN_GO],
            &[("target", "test")],
        )
        .unwrap(),
    );
    let gofront::TargetPlan::Test { test, .. } = &b.plan.target else {
        panic!("not the test target: {:?}", b.plan.target);
    };
    assert_eq!(
        test.command.go[test.command.go.len() - 5..],
        ["-run", "TestX", "-timeout", "30s", "./..."]
    );
    // [images.NAME] names the image of a binary, not the windows binary
    // of the binaries target (app.exe).
    let b = only(
        generate_memory(
            &rt,
            b"[images.app]\ncmd = [\"--serve\"]\n",
            &[("go.mod", GO_MOD), MAIN_GO],
            &[("platform", "windows/amd64"), ("target", "binaries")],
        )
        .unwrap(),
    );
    let gofront::TargetPlan::Binaries { binaries, .. } = &b.plan.target else {
        panic!("not the binaries target: {:?}", b.plan.target);
    };
    assert_eq!(binaries[0].name, "app.exe");
    // ... and a misspelt one is still refused there.
    let e = generate_memory(
        &rt,
        b"[images.ap]\ncmd = [\"--serve\"]\n",
        &[("go.mod", GO_MOD), MAIN_GO],
        &[("platform", "windows/amd64"), ("target", "binaries")],
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "gofront.toml:1:9: [images.ap] names no binary target (they are: app); did you mean \"app\"?"
    );
}

/// A file longer than gofront reads is refused by name.
#[test]
fn a_file_past_the_cap_is_refused() {
    let rt = runtime();
    let big = vec![b'\n'; gofront::MAX_FILE_BYTES + 10];
    let e = generate_memory(
        &rt,
        b"",
        &[("go.mod", GO_MOD), (".dockerignore", &big)],
        &[],
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        ".dockerignore is larger than 4 MiB, the most gofront reads of a spec or project file"
    );
    let long = format!("# a long line\n{}\n", "x".repeat(70_000));
    let e = generate_memory(
        &rt,
        b"",
        &[("go.mod", GO_MOD), (".dockerignore", long.as_bytes())],
        &[],
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        ".dockerignore:2: the line is longer than 65535 bytes, which BuildKit cannot read; split the pattern"
    );
    let e = generate_memory(&rt, &big, &[("go.mod", GO_MOD)], &[]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "gofront.toml is larger than 4 MiB, the most gofront reads of a spec or project file"
    );
}

/// A fresh directory under the system's temporary directory.
fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("gofront-bad-inputs-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("go.mod"), GO_MOD).unwrap();
    std::fs::write(dir.join(MAIN_GO.0), MAIN_GO.1).unwrap();
    std::fs::write(dir.join("gofront.toml"), "").unwrap();
    dir
}

fn local_error(dir: &Path) -> String {
    match generate_in(dir.to_path_buf(), dir.join("gofront.toml"), &[], false) {
        Ok(_) => "(no error)".to_string(),
        Err(e) => e.to_string(),
    }
}

/// The local mode finds the main packages under cmd/ as BuildKit sends
/// them: no symbolic link followed, no special file read (a named pipe
/// would hang), a hidden directory and a test left out.
#[test]
fn the_local_mode_finds_cmd_directories_without_following_links() {
    use std::os::unix::fs::symlink;

    let dir = scratch("layout");
    std::fs::remove_file(dir.join(MAIN_GO.0)).unwrap();
    std::fs::write(dir.join(".dockerignore"), "cmd/hidden\n").unwrap();
    for (path, text) in [
        ("lib.go", "package app\n"),
        ("cmd/api/main.go", "// Command api.\npackage main\n"),
        ("cmd/hidden/main.go", "package main\n"),
        ("cmd/probe/main_test.go", "package main\n"),
        ("cmd/worker/worker.go", "package main\n"),
    ] {
        std::fs::create_dir_all(dir.join(path).parent().unwrap()).unwrap();
        std::fs::write(dir.join(path), text).unwrap();
    }
    symlink("api", dir.join("cmd/linked")).unwrap();
    std::fs::create_dir(dir.join("cmd/piped")).unwrap();
    let piped = std::process::Command::new("mkfifo")
        .arg(dir.join("cmd/piped/main.go"))
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(piped || !dir.join("cmd/piped/main.go").exists());
    let b = only(generate_in(dir.clone(), dir.join("gofront.toml"), &[], false).unwrap());
    let cfg: serde_json::Value =
        serde_json::from_slice(b.image_config.as_deref().unwrap()).unwrap();
    assert_eq!(
        cfg["config"]["Entrypoint"],
        serde_json::json!(["/usr/local/bin/api"])
    );
    let gofront::TargetPlan::Image { build, .. } = &b.plan.target else {
        panic!("an image plan");
    };
    assert_eq!(
        build.command.go[build.command.go.len() - 2..],
        ["./cmd/api", "./cmd/worker"]
    );
}

/// The local mode (`gofront llb`) on special files: no hang, no unbounded
/// read, no escape from the context, one sentence each.
#[test]
fn the_local_mode_refuses_special_files() {
    use std::os::unix::fs::symlink;

    let dir = scratch("fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(dir.join("go.work"))
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if made {
        assert_eq!(
            local_error(&dir),
            "go.work is a named pipe; gofront reads only regular files"
        );
    }

    let dir = scratch("zero");
    symlink("/dev/zero", dir.join("go.work")).unwrap();
    assert_eq!(
        local_error(&dir),
        "go.work is a symbolic link to /dev/zero, outside the build context; gofront follows links only inside it, as BuildKit does"
    );

    let dir = scratch("outside");
    let elsewhere = scratch("elsewhere");
    std::fs::remove_file(dir.join("go.mod")).unwrap();
    symlink(elsewhere.join("go.mod"), dir.join("go.mod")).unwrap();
    let real = std::fs::canonicalize(elsewhere.join("go.mod")).unwrap();
    assert_eq!(
        local_error(&dir),
        format!(
            "go.mod is a symbolic link to {}, outside the build context; gofront follows links only inside it, as BuildKit does",
            real.display()
        )
    );

    let dir = scratch("inside");
    std::fs::create_dir(dir.join("real")).unwrap();
    std::fs::rename(dir.join("go.mod"), dir.join("real/go.mod")).unwrap();
    symlink("real/go.mod", dir.join("go.mod")).unwrap();
    assert_eq!(
        local_error(&dir),
        "(no error)",
        "a link inside the context is followed"
    );

    let dir = scratch("dir");
    std::fs::create_dir(dir.join("go.work")).unwrap();
    assert_eq!(
        local_error(&dir),
        "go.work is a directory; gofront reads only regular files"
    );

    let missing = std::env::temp_dir().join("gofront-bad-inputs-no-such-dir");
    assert_eq!(
        local_error(&missing),
        format!("the build context {} does not exist", missing.display())
    );

    for name in ["fifo", "zero", "outside", "elsewhere", "inside", "dir"] {
        let _ = std::fs::remove_dir_all(
            std::env::temp_dir().join(format!("gofront-bad-inputs-{}-{name}", std::process::id())),
        );
    }
}

/// Issue 20: inputs too large to write as literals, each refused in one
/// sentence at its place (the JSON one used to overflow the stack).
#[test]
fn structure_limits_are_one_sentence_each() {
    let rt = runtime();
    let deep = |n: usize| "[".repeat(n) + &"]".repeat(n);
    let env = |n: usize| {
        (0..n)
            .map(|i| format!("\"K{i}\":\"v\""))
            .collect::<Vec<_>>()
            .join(",")
    };
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "json_100000_deep",
            format!(
                "{{\"syntax\":\"x\",\"build\":{{\"tags\":{}}}}}",
                deep(100_000)
            ),
            "gofront.toml:1:61: invalid JSON: arrays and objects nested more than 32 levels deep; a spec nests at most 3 (a section, a table in it, a value)",
        ),
        (
            "json_33_deep",
            format!("{{\"build\":{{\"tags\":{}}}}}", deep(31)),
            "gofront.toml:1:48: invalid JSON: arrays and objects nested more than 32 levels deep; a spec nests at most 3 (a section, a table in it, a value)",
        ),
        (
            "json_32_deep_is_a_type_error",
            format!("{{\"build\":{{\"tags\":{}}}}}", deep(30)),
            "gofront.toml:1:19: build.tags must be an array of strings, but an element is an array",
        ),
        (
            "toml_100000_deep",
            format!("[build]\ntags = {}\n", deep(100_000)),
            "gofront.toml:2:88: invalid TOML: tables, arrays or dotted keys nested too deeply for the TOML reader; a spec nests at most 3 levels (a section, a table in it, a value)",
        ),
        (
            "toml_dotted_100000",
            format!("[build]\n{} = 1\n", vec!["a"; 100_000].join(".")),
            "gofront.toml:1:1: invalid TOML: tables, arrays or dotted keys nested too deeply for the TOML reader; a spec nests at most 3 levels (a section, a table in it, a value)",
        ),
        (
            "json_1001_entries",
            format!("{{\"build\":{{\"env\":{{{}}}}}}}", env(1_001)),
            "gofront.toml:1:17: build.env is a table of 1001 entries; gofront reads at most 1000 in one table or array",
        ),
        (
            "toml_1001_tags",
            format!(
                "[build]\ntags = [{}]\n",
                (0..1_001)
                    .map(|i| format!("\"t{i}\""))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            "gofront.toml:2:8: build.tags is an array of 1001 entries; gofront reads at most 1000 in one table or array",
        ),
        (
            "toml_long_key",
            format!("[build]\n{} = 1\n", "k".repeat(257)),
            "gofront.toml:2:1: build has a key of 257 bytes (\"kkkkkkkkkkkkkkkkkkkkkkkk\"...); gofront takes keys of at most 256 bytes",
        ),
        (
            "toml_long_string",
            format!("[build]\nldflags = \"{}\"\n", "x".repeat(32_769)),
            "gofront.toml:2:11: build.ldflags is a string of 32769 bytes (\"xxxxxxxxxxxxxxxxxxxxxxxx\"...); gofront takes strings of at most 32768 bytes",
        ),
    ];
    let mut wrong = Vec::new();
    for (name, spec, want) in &cases {
        let got = match generate_memory(&rt, spec.as_bytes(), &[("go.mod", GO_MOD)], &[]) {
            Ok(_) => "(no error)".to_string(),
            Err(e) => e.to_string(),
        };
        if got != *want {
            wrong.push(format!("{name}:\n  want: {want}\n  got:  {got}"));
        }
    }
    // Build args: many of them, or many pairs in one.
    let pairs: String = (0..1_001).map(|i| format!("k{i}=v,")).collect();
    let names: Vec<String> = (0..1_001)
        .map(|i| format!("build-arg:GOFRONT_BUILD_ENV_K{i}"))
        .collect();
    let many_args: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "v")).collect();
    for (name, opts, want) in [
        (
            "arg_1001_label_pairs",
            vec![("build-arg:GOFRONT_RUNTIME_LABELS", pairs.as_str())],
            "build-arg GOFRONT_RUNTIME_LABELS: GOFRONT_RUNTIME_LABELS lists 1001 pairs; gofront reads at most 1000 in one table",
        ),
        (
            "arg_1001_gofront_args",
            many_args,
            "build-arg GOFRONT_*: 1001 build args start with GOFRONT_; gofront reads at most 1000",
        ),
    ] {
        let got = match generate_memory(&rt, b"", &[("go.mod", GO_MOD)], &opts) {
            Ok(_) => "(no error)".to_string(),
            Err(e) => e.to_string(),
        };
        if got != want {
            wrong.push(format!("{name}:\n  want: {want}\n  got:  {got}"));
        }
    }
    // Twenty problems are listed; the rest are counted.
    let many: String = (0..25).map(|i| format!("x{i} = 1\n")).collect();
    let got = generate_memory(
        &rt,
        format!("[build]\n{many}").as_bytes(),
        &[("go.mod", GO_MOD)],
        &[],
    )
    .err()
    .map(|e| e.to_string())
    .unwrap_or_default();
    let lines: Vec<&str> = got.lines().collect();
    assert_eq!(lines.len(), 21, "{got}");
    assert_eq!(lines[0], "gofront.toml:2:1: unknown key \"x0\" in [build]");
    assert_eq!(
        lines[20],
        "gofront.toml: 5 more problems like these are not shown"
    );
    // A long misspelt key is answered at once, without a suggestion.
    let t = std::time::Instant::now();
    let got = generate_memory(
        &rt,
        format!("[build]\n\"{}\" = 1\n", "tags".repeat(60)).as_bytes(),
        &[("go.mod", GO_MOD)],
        &[],
    )
    .err()
    .map(|e| e.to_string())
    .unwrap_or_default();
    assert!(
        got.starts_with("gofront.toml:2:1: unknown key \"tagstags"),
        "{got}"
    );
    assert!(!got.contains("did you mean"), "{got}");
    assert!(t.elapsed() < std::time::Duration::from_secs(2));
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// `gofront llb` and `gofront dockerfile` refuse bad arguments in one
/// sentence on stderr, exit 1, and print nothing on stdout.
#[test]
fn the_local_commands_refuse_bad_arguments_in_one_sentence() {
    let dir = common::examples().join("hello");
    let ctx = dir.to_str().unwrap();
    let spec = dir.join("gofront.toml");
    let spec = spec.to_str().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &["dockerfile", "--target", "nope"],
            "gofront: unknown target \"nope\"; gofront builds image, binaries, test, gocache, test-report, and an image per binary: hello",
        ),
        (
            &["dockerfile", "--target", "gocache"],
            "gofront: --target gocache exports the Go build cache with gofront's own tool, which a Dockerfile cannot run; explain --target image, binaries or test",
        ),
        (
            &["dockerfile", "--platform", "linux/arm/v9"],
            "gofront: --platform linux/arm/v9: Go does not build for linux/arm/v9; it builds linux/arm/v5, linux/arm/v6, linux/arm/v7 (the variant sets GOARM; none keeps Go's default)",
        ),
        (
            &["dockerfile", "--platform", "linux/amd64,linux/arm64"],
            "gofront: gofront dockerfile writes one Dockerfile for one platform: pass one --platform",
        ),
        (
            &["llb", "--format", "yaml"],
            "gofront: unknown --format \"yaml\"; use json or pb",
        ),
        (
            &[
                "llb",
                "--format",
                "pb",
                "--platform",
                "linux/amd64,linux/arm64",
            ],
            "gofront: --format pb writes one definition: pass one --platform",
        ),
        (
            &["llb", "--label", "=x"],
            "gofront: label \"\": a label key cannot be empty",
        ),
        (
            &["llb", "--build-context", "gocache=oci-layout:///x"],
            "gofront: build context \"gocache\" is \"oci-layout:///x\", an OCI layout reference without a valid digest; BuildKit loads a layout by digest: pass gocache=oci-layout://STORE[:TAG]@sha256:<64 hex digits> (buildx adds it for --build-context gocache=oci-layout:///DIR)",
        ),
        (
            &["llb", "--build-context", "nameonly"],
            "gofront: --build-context takes NAME=VALUE, not \"nameonly\"",
        ),
    ];
    for (args, want) in cases {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_gofront"))
            .args(&args[..1])
            .args(["--context", ctx, "-f", spec])
            .args(&args[1..])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?} printed on stdout");
        assert_eq!(stderr.trim_end(), *want, "{args:?}");
    }
}

/// Arguments that are not UTF-8 (a Latin-1 directory name, a stray 0xFF)
/// are refused in one sentence naming them, by the local commands and by
/// the tools build steps run (std::env::args panicked on them).
#[test]
fn arguments_that_are_not_utf8_are_refused_by_name() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;

    let raw = |b: &'static [u8]| OsStr::from_bytes(b);
    let cases: &[(&[&OsStr], &str)] = &[
        (
            &[raw(b"llb"), raw(b"--target"), raw(b"app\xff")],
            "gofront: the value of --target (argument 3) is not UTF-8 text (\"app\\xFF\"); gofront reads its command line as UTF-8, so pass the value in UTF-8 (rename a directory whose name is in another encoding)",
        ),
        (
            &[raw(b"dockerfile"), raw(b"--context"), raw(b"caf\xe9")],
            "gofront: the value of --context (argument 3) is not UTF-8 text (\"caf\\xE9\"); gofront reads its command line as UTF-8, so pass the value in UTF-8 (rename a directory whose name is in another encoding)",
        ),
        (
            &[
                raw(b"keep"),
                raw(b"--dir"),
                raw(b"/k"),
                raw(b"--out"),
                raw(b"/o"),
                raw(b"--binary"),
                raw(b"\xff"),
                raw(b"--"),
                raw(b"true"),
            ],
            "gofront keep: the value of --binary (argument 7) is not UTF-8 text (\"\\xFF\"); gofront reads its command line as UTF-8, so pass the value in UTF-8 (rename a directory whose name is in another encoding)",
        ),
        (
            &[raw(b"\xfe")],
            "gofront: argument 1 is not UTF-8 text (\"\\xFE\"); gofront reads its command line as UTF-8, so pass the value in UTF-8 (rename a directory whose name is in another encoding)",
        ),
    ];
    for (args, want) in cases {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_gofront"))
            .args(*args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?} printed on stdout");
        assert_eq!(stderr.trim_end(), *want, "{args:?}");
    }
}

/// "Did you mean" over 1,000 binaries with long names and a misspelt
/// --target as long (the search once ran for minutes): a name past the
/// suggestion's length cap gets none, a shorter one its nearest.
#[test]
fn did_you_mean_is_bounded_for_many_long_names() {
    let rt = runtime();
    let spec = |len: usize| {
        let packages: Vec<String> = (0..1_000)
            .map(|i| format!("\"./cmd/{}{i:04}\"", "x".repeat(len - 4)))
            .collect();
        format!("[build]\npackages = [{}]\n", packages.join(", "))
    };
    let target = |len: usize| format!("{}0x12", "x".repeat(len - 4));
    let unknown = |len: usize| {
        let t = target(len);
        generate_memory(
            &rt,
            spec(len).as_bytes(),
            &[("go.mod", GO_MOD)],
            &[("target", t.as_str())],
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default()
    };
    let got = unknown(3_000);
    let head = format!(
        "unknown target \"{}\"; gofront builds image, binaries, test, gocache, test-report, and an image per binary: {}0000, ",
        target(3_000),
        "x".repeat(2_996)
    );
    assert!(got.starts_with(&head), "{}", &got[..200.min(got.len())]);
    let got = unknown(100);
    let head = format!(
        "unknown target \"{}\" (did you mean \"{}0012\"?); gofront builds",
        target(100),
        "x".repeat(96)
    );
    assert!(got.starts_with(&head), "{}", &got[..300.min(got.len())]);
}
