//! `plan::resolve` and friends through spec → project → plan, as the
//! driver runs them: every default, as the plan states it.

use serde_json::json;

use super::*;
use crate::platform::Platform;
use crate::testutil::case::{Case, GO_MOD_WITH_DEP, PlanParts, platform};

fn created(epoch: &str) -> String {
    let opts = [("build-arg:SOURCE_DATE_EPOCH", epoch)];
    let plan = Case {
        options: &opts,
        ..Case::default()
    }
    .ok();
    plan.runtime().config["created"]
        .as_str()
        .expect("created")
        .to_string()
}

#[test]
fn source_date_epoch_becomes_an_rfc3339_created_time() {
    // Checked against `date -u -d @N`: leap days, century years, the end
    // of a year (a negative epoch is refused by the options).
    for (epoch, date) in [
        ("0", "1970-01-01T00:00:00Z"),
        ("86399", "1970-01-01T23:59:59Z"),
        ("68169600", "1972-02-29T00:00:00Z"),
        ("946684799", "1999-12-31T23:59:59Z"),
        ("946684800", "2000-01-01T00:00:00Z"),
        ("951868799", "2000-02-29T23:59:59Z"),
        ("951868800", "2000-03-01T00:00:00Z"),
        ("978307199", "2000-12-31T23:59:59Z"),
        ("1078012800", "2004-02-29T00:00:00Z"),
        ("1234567890", "2009-02-13T23:31:30Z"),
        ("1709251199", "2024-02-29T23:59:59Z"),
        ("1709251200", "2024-03-01T00:00:00Z"),
        ("1735689599", "2024-12-31T23:59:59Z"),
        ("1740787200", "2025-03-01T00:00:00Z"),
        ("4102444799", "2099-12-31T23:59:59Z"),
        ("4107455999", "2100-02-27T23:59:59Z"),
        ("4107542399", "2100-02-28T23:59:59Z"),
        ("4107542400", "2100-03-01T00:00:00Z"),
        ("4110000000", "2100-03-29T10:40:00Z"),
        ("253402300799", "9999-12-31T23:59:59Z"),
    ] {
        assert_eq!(created(epoch), date, "SOURCE_DATE_EPOCH={epoch}");
    }
}

#[test]
fn without_source_date_epoch_created_is_now() {
    let plan = Case {
        now: 1_700_000_000,
        ..Case::default()
    }
    .ok();
    assert_eq!(plan.runtime().config["created"], "2023-11-14T22:13:20Z");
    assert_eq!(
        plan.runtime().config["history"][0]["created"],
        "2023-11-14T22:13:20Z"
    );
}

const BUILDER: &str = r#"{"config":{"User":"1000:1001","WorkingDir":"/go",
    "Env":["PATH=/usr/local/go/bin:/bin","GOLANG_VERSION=1.24.3","GOPATH=/go"]}}"#;

#[test]
fn the_builder_image_config_sets_user_owner_and_environment() {
    let plan = Case {
        builder_config: Some(BUILDER),
        ..Case::default()
    }
    .ok();
    assert_eq!(plan.builder_user, "1000:1001");
    assert_eq!(plan.owner, Owner::Ids(1000, 1001));
    assert_eq!(
        plan.builder_env,
        [
            "PATH=/usr/local/go/bin:/bin",
            "GOLANG_VERSION=1.24.3",
            "GOPATH=/go"
        ]
    );
    // The builder's env first, gofront's variables replacing or following.
    assert_eq!(
        plan.build().env,
        [
            "PATH=/usr/local/go/bin:/bin",
            "GOLANG_VERSION=1.24.3",
            "GOPATH=/go",
            "CGO_ENABLED=0",
            "GOARCH=amd64",
            "GOCACHE=/gofront/cache/go-build",
            "GOFLAGS=-mod=readonly",
            "GOMODCACHE=/gofront/mod",
            "GOOS=linux",
            "GOPROXY=off",
            "GOTOOLCHAIN=local",
        ]
    );

    // No config: root, and gofront's PATH.
    let plan = Case::default().ok();
    assert_eq!(plan.builder_user, "");
    assert_eq!(plan.owner, Owner::Ids(0, 0));
    assert_eq!(
        plan.builder_env,
        [
            "PATH=/usr/local/go/bin:/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        ]
    );
    // A config without Env or User: the same.
    let plan = Case {
        builder_config: Some(r#"{"config":{"Env":[]}}"#),
        ..Case::default()
    }
    .ok();
    assert_eq!(plan.builder_env.len(), 1);
    assert!(plan.builder_env[0].starts_with("PATH=/usr/local/go/bin:/go/bin:"));
}

#[test]
fn builder_owners_by_name_and_by_number() {
    let owner = |user: &str| {
        let config = json!({ "config": { "User": user } }).to_string();
        Case {
            builder_config: Some(&config),
            ..Case::default()
        }
        .ok()
        .owner
    };
    assert_eq!(owner("1000"), Owner::Ids(1000, 0));
    assert_eq!(owner("gopher"), Owner::Names("gopher".into(), None));
    assert_eq!(
        owner("gopher:staff"),
        Owner::Names("gopher".into(), Some("staff".into()))
    );
    assert_eq!(
        owner("1000:staff"),
        Owner::Names("1000".into(), Some("staff".into()))
    );
}

#[test]
fn a_builder_with_an_older_go_is_refused() {
    let config = r#"{"config":{"Env":["PATH=/bin","GOLANG_VERSION=1.22.5"]}}"#;
    let e = Case {
        spec: "[build]\nbuilder = \"golang:1.22\"\n",
        go_mod: "module example.com/hello\n\ngo 1.24.1\n",
        builder_config: Some(config),
        ..Case::default()
    }
    .err();
    assert_eq!(
        e,
        "go.mod asks for go 1.24.1, but the builder image golang:1.22 has Go 1.22.5; set build.builder to a newer image (e.g. golang:1.24) or lower the go line"
    );
    // The same builder for a go line it satisfies.
    Case {
        spec: "[build]\nbuilder = \"golang:1.22\"\n",
        go_mod: "module example.com/hello\n\ngo 1.22\n",
        builder_config: Some(config),
        ..Case::default()
    }
    .ok();
    // A workspace names go.work.
    let e = Case {
        go_mod: "",
        go_work: Some("go 1.24\n\nuse ./app\n"),
        members: &[("app", "module example.com/app\n\ngo 1.24\n")],
        spec: "[build]\npackages = [\"./app\"]\n",
        builder_config: Some(config),
        ..Case::default()
    }
    .err();
    assert!(
        e.starts_with("go.work asks for go 1.24, but the builder image golang:1.24 has Go 1.22.5;"),
        "{e}"
    );
    // A member that asks for more than go.work: the builder must satisfy
    // it too, and the sentence names its go.mod.
    let member = |config: Option<&'static str>| Case {
        go_mod: "",
        go_work: Some("go 1.22\ntoolchain go1.22.5\n\nuse (\n\t./app\n\t./lib\n\t./old\n)\n"),
        members: &[
            ("app", "module example.com/app\n\ngo 1.22\n"),
            ("lib", "module example.com/lib\n\ngo 1.24.2\n"),
            ("old", "module example.com/old\n\ngo 1.23\n"),
        ],
        spec: "[build]\npackages = [\"./app\"]\n",
        builder_config: config,
        ..Case::default()
    };
    assert_eq!(
        member(Some(config)).err(),
        "lib/go.mod asks for go 1.24.2, but the builder image golang:1.24 has Go 1.22.5; set build.builder to a newer image (e.g. golang:1.24) or lower the go line"
    );
    assert_eq!(member(None).ok().builder.name, "golang:1.24");
}

#[test]
fn the_default_builder_satisfies_every_go_line() {
    let builder = |go_work: &'static str, members: &'static [(&'static str, &'static str)]| {
        Case {
            go_mod: "",
            go_work: Some(go_work),
            members,
            spec: "[build]\npackages = [\"./a\"]\n",
            ..Case::default()
        }
        .ok()
        .builder
        .name
    };
    let a = |go: &'static str| -> &'static [(&'static str, &'static str)] {
        match go {
            "1.23" => &[("a", "module example.com/a\n\ngo 1.23\n")],
            "1.25.1" => &[("a", "module example.com/a\n\ngo 1.25.1\n")],
            _ => &[("a", "module example.com/a\n\ngo 1.24.0\n")],
        }
    };
    // go.work's toolchain, when it is new enough for every member.
    assert_eq!(
        builder("go 1.23\ntoolchain go1.24.3\nuse ./a\n", a("1.24.0")),
        "golang:1.24.3"
    );
    // A member's newer go line, else.
    assert_eq!(
        builder("go 1.23\ntoolchain go1.24.3\nuse ./a\n", a("1.25.1")),
        "golang:1.25"
    );
    assert_eq!(builder("go 1.22\nuse ./a\n", a("1.24.0")), "golang:1.24");
    // go.work's own line when it is the newest.
    assert_eq!(builder("go 1.24\nuse ./a\n", a("1.23")), "golang:1.24");
}

const BASE: &str = r#"{"architecture":"arm64","os":"linux","variant":"v8",
    "config":{"User":"nonroot","WorkingDir":"/home","Env":["HOME=/home","TZ=UTC"],
      "Labels":{"base":"1"},"ExposedPorts":{"22/tcp":{}},"Cmd":["sh"],"StopSignal":"SIGTERM"},
    "rootfs":{"type":"layers","diff_ids":["sha256:aa"]},"history":[{"created_by":"base"}]}"#;

#[test]
fn the_runtime_config_starts_from_the_base_image() {
    let plan = Case {
        spec: "[runtime]\nbase = \"alpine:3\"\nenv = { TZ = \"Europe/Paris\", PORT = \"80\" }\nexpose = [\"8080\"]\nlabels = { team = \"a\" }\n",
        runtime_config: Some(BASE),
        options: &[("label:extra", "b")],
        ..Case::default()
    }
    .ok();
    let c = &plan.runtime().config;
    assert_eq!(c["architecture"], "amd64");
    assert_eq!(c["os"], "linux");
    assert!(c.get("variant").is_none(), "{c}");
    assert_eq!(c["config"]["User"], "nonroot");
    assert_eq!(c["config"]["WorkingDir"], "/home");
    assert_eq!(
        c["config"]["Env"],
        json!([
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "HOME=/home",
            "TZ=Europe/Paris",
            "PORT=80"
        ])
    );
    assert_eq!(
        plan.runtime().base_env,
        [
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "HOME=/home",
            "TZ=UTC"
        ]
    );
    assert_eq!(c["config"]["Entrypoint"], json!(["/usr/local/bin/hello"]));
    assert!(
        c["config"].get("Cmd").is_none(),
        "gofront's entrypoint drops the base's cmd"
    );
    assert_eq!(c["config"]["StopSignal"], "SIGTERM");
    assert_eq!(
        c["config"]["Labels"],
        json!({
            "base": "1",
            "extra": "b",
            "org.opencontainers.image.created": "1970-01-01T00:00:00Z",
            "team": "a"
        })
    );
    assert_eq!(
        c["config"]["ExposedPorts"],
        json!({ "22/tcp": {}, "8080/tcp": {} })
    );
    assert_eq!(
        c["rootfs"],
        json!({"type":"layers","diff_ids":["sha256:aa"]})
    );
    assert_eq!(
        c["history"],
        json!([
            { "created_by": "base" },
            {
                "created": "1970-01-01T00:00:00Z",
                "created_by": "gofront: COPY hello /usr/local/bin/",
                "comment": "gofront"
            }
        ])
    );
}

#[test]
fn a_base_without_user_or_workdir_gets_gofronts() {
    let plan = Case {
        runtime_config: Some(r#"{"config":{"Env":["PATH=/x"]},"history":"junk","rootfs":3}"#),
        target_platform: Some(platform("linux/arm/v7")),
        runnable: vec![],
        ..Case::default()
    }
    .ok();
    let c = &plan.runtime().config;
    assert_eq!(c["config"]["User"], "65532:65532");
    assert_eq!(c["config"]["WorkingDir"], "/");
    assert_eq!(c["config"]["Env"], json!(["PATH=/x"]));
    assert_eq!(plan.runtime().base_env, ["PATH=/x"]);
    assert_eq!(c["variant"], "v7");
    assert_eq!(c["architecture"], "arm");
    assert_eq!(c["rootfs"], json!({"type":"layers","diff_ids":[]}));
    assert_eq!(c["history"].as_array().map(Vec::len), Some(1));
    assert!(c["config"].get("Labels").is_some());
    assert!(c["config"].get("ExposedPorts").is_none());

    // The spec's user and workdir win over the base's.
    let plan = Case {
        spec: "[runtime]\nuser = \"app\"\nworkdir = \"/srv\"\ncmd = [\"serve\"]\n",
        runtime_config: Some(BASE),
        ..Case::default()
    }
    .ok();
    let c = &plan.runtime().config;
    assert_eq!(c["config"]["User"], "app");
    assert_eq!(c["config"]["WorkingDir"], "/srv");
    assert_eq!(c["config"]["Cmd"], json!(["serve"]));
}

#[test]
fn a_scratch_runtime_has_no_base_config_and_numeric_users_only() {
    let plan = Case {
        spec: "[runtime]\nbase = \"scratch\"\n",
        runtime_config: Some(BASE),
        ..Case::default()
    }
    .ok();
    assert_eq!(plan.runtime().base, None);
    let c = &plan.runtime().config;
    assert_eq!(c["config"]["User"], "65532:65532");
    assert_eq!(c["config"].get("StopSignal"), None);
    assert_eq!(
        plan.runtime().base_env,
        ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]
    );
    let e = Case {
        spec: "[runtime]\nbase = \"scratch\"\nuser = \"app:1\"\n",
        ..Case::default()
    }
    .err();
    assert_eq!(
        e,
        "gofront.toml:3:8: runtime.user \"app:1\" is a name, but a scratch image has no /etc/passwd; use a numeric uid:gid such as \"65532:65532\""
    );
    for ok in ["1", "1:2"] {
        let spec = format!("[runtime]\nbase = \"scratch\"\nuser = \"{ok}\"\n");
        Case {
            spec: &spec,
            ..Case::default()
        }
        .ok();
    }
}

#[test]
fn images_default_from_the_go_line_the_toolchain_and_cgo() {
    let plan = Case::default().ok();
    assert_eq!(plan.builder.name, "golang:1.24");
    assert_eq!(
        plan.runtime().base.as_ref().map(|b| b.name.as_str()),
        Some("gcr.io/distroless/static-debian12:nonroot")
    );
    assert_eq!(plan.gocache_id, "gofront-gocache");
    let plan = Case {
        go_mod: "module example.com/hello\n\ngo 1.23.4\n\ntoolchain go1.24.2\n",
        spec: "[build]\ncgo = true\n",
        options: &[("build-arg:BUILDKIT_CACHE_MOUNT_NS", "ns-")],
        ..Case::default()
    }
    .ok();
    assert_eq!(plan.builder.name, "golang:1.24.2");
    assert_eq!(
        plan.runtime().base.as_ref().map(|b| b.name.as_str()),
        Some("gcr.io/distroless/base-debian12:nonroot")
    );
    assert_eq!(plan.gocache_id, "ns-gofront-gocache-cgo-golang:1.24.2");
    assert!(plan.build().env.contains(&"CGO_ENABLED=1".to_string()));
    // cgo = false is no cgo; a base named in the spec is used as is.
    let plan = Case {
        spec: "[build]\ncgo = false\n[runtime]\nbase = \"alpine:3\"\n",
        ..Case::default()
    }
    .ok();
    assert_eq!(
        plan.runtime().base.as_ref().map(|b| b.name.as_str()),
        Some("alpine:3")
    );
    assert_eq!(plan.gocache_id, "gofront-gocache");
    assert!(plan.build().env.contains(&"CGO_ENABLED=0".to_string()));
}

#[test]
fn cgo_for_another_platform_needs_a_cross_compiler() {
    let e = Case {
        spec: "[build]\ncgo = true\n",
        target_platform: Some(platform("linux/arm64")),
        ..Case::default()
    }
    .err();
    assert_eq!(
        e,
        "gofront.toml:2:7: build.cgo = true for linux/arm64 on a linux/amd64 builder needs a C cross compiler for linux/arm64: set build.env CC to one the builder image has (e.g. CC = \"aarch64-linux-gnu-gcc\"), or build on a native linux/arm64 builder"
    );
    let case = Case {
        spec: "[build]\ncgo = true\nenv = { CC = \"aarch64-linux-gnu-gcc\" }\n",
        target_platform: Some(platform("linux/arm64")),
        ..Case::default()
    };
    let plan = case.ok();
    assert!(
        plan.build()
            .env
            .contains(&"CC=aarch64-linux-gnu-gcc".to_string())
    );
    // Without cgo, cross-compiling needs nothing.
    Case {
        spec: "[build]\ncgo = false\n",
        target_platform: Some(platform("linux/arm64")),
        ..Case::default()
    }
    .ok();
}

#[test]
fn go_flags_follow_the_spec() {
    let case = Case::default();
    let plan = case.ok();
    let test = case.test_step();
    assert_eq!(
        plan.build().command.argv(),
        [
            "go",
            "build",
            "-v",
            "-buildvcs=false",
            "-trimpath",
            "-ldflags=-s -w",
            "-o",
            "/gofront/out/hello",
            "."
        ]
    );
    assert_eq!(
        test.command.argv(),
        [
            "go",
            "test",
            "-buildvcs=false",
            "-trimpath",
            "-ldflags=-s -w",
            "./..."
        ]
    );
    let case = Case {
        spec: "[build]\ntrimpath = false\nstrip = false\ntags = []\nldflags = \"  \"\npackages = [\"./cmd/a\", \"./cmd/b/\"]\n[test]\nflags = [\"-count=1\"]\npackages = [\"./cmd/...\"]\n",
        ..Case::default()
    };
    let plan = case.ok();
    let test = case.test_step();
    assert_eq!(
        plan.build().command.argv(),
        [
            "go",
            "build",
            "-v",
            "-buildvcs=false",
            "-o",
            "/gofront/out/",
            "./cmd/a",
            "./cmd/b/"
        ]
    );
    let names: Vec<String> = plan.binaries().into_iter().map(|b| b.name).collect();
    assert_eq!(names, ["a", "b"]);
    assert_eq!(
        test.command.argv(),
        ["go", "test", "-buildvcs=false", "-count=1", "./cmd/..."]
    );
    assert_eq!(plan.build().name, "[gofront] go build ./cmd/a ./cmd/b/");
    assert_eq!(test.name, "[gofront] go test ./cmd/...");
    let plan = Case {
        spec: "[build]\nstrip = true\ntrimpath = true\ntags = [\"a\", \"b\"]\nldflags = \"-X main.v={{.Version}}\"\n",
        options: &[("build-arg:GOFRONT_VERSION", "1.2.3")],
        ..Case::default()
    }
    .ok();
    assert_eq!(
        plan.build().command.argv()[3..7],
        [
            "-buildvcs=false",
            "-trimpath",
            "-tags=a,b",
            "-ldflags=-s -w -X main.v=1.2.3"
        ]
    );
    let e = Case {
        spec: "[build]\nldflags = \"-X main.v={{.Tag}}\"\n",
        ..Case::default()
    }
    .err();
    assert_eq!(
        e,
        "gofront.toml:2:11: build.ldflags: unknown template {{.Tag}}; templates are {{.Version}}, {{.Commit}}, {{.ShortCommit}}, {{.Date}}, {{.Env.NAME}}"
    );
}

#[test]
fn templates_that_name_nothing_are_refused() {
    let ldflags = |text: &str| {
        let spec = format!("[build]\nstrip = false\nldflags = {text:?}\n");
        Case {
            spec: &spec,
            options: &[("build-arg:NAME", "v")],
            ..Case::default()
        }
        .plan()
        .map(|p| {
            p.build()
                .command
                .argv()
                .iter()
                .find(|a| a.starts_with("-ldflags="))
                .cloned()
                .unwrap_or_default()
        })
        .map_err(|e| e.to_string())
    };
    assert_eq!(
        ldflags("a{{.Env.NAME}}b{{ .Env.NAME }}c").unwrap(),
        "-ldflags=avbvc"
    );
    assert_eq!(
        ldflags("{{.Env.}}").unwrap_err(),
        "gofront.toml:3:11: build.ldflags: unknown template {{.Env.}}; templates are {{.Version}}, {{.Commit}}, {{.ShortCommit}}, {{.Date}}, {{.Env.NAME}}"
    );
    assert_eq!(
        ldflags("{{.Env.NOPE}}").unwrap_err(),
        "gofront.toml:3:11: build.ldflags: {{.Env.NOPE}} names build arg NOPE, which is not set; pass --build-arg NOPE=..."
    );
}

#[test]
fn platform_variants_reach_go() {
    let env = |p: &str| {
        Case {
            target_platform: Some(platform(p)),
            runnable: vec![],
            ..Case::default()
        }
        .ok()
        .build()
        .env
        .clone()
    };
    let arm = env("linux/arm/v6");
    assert!(arm.contains(&"GOARM=6".to_string()), "{arm:?}");
    assert!(arm.contains(&"GOARCH=arm".to_string()));
    let amd = env("linux/amd64/v3");
    assert!(amd.contains(&"GOAMD64=v3".to_string()), "{amd:?}");
    let plain = env("linux/riscv64");
    assert!(
        !plain
            .iter()
            .any(|e| e.starts_with("GOARM") || e.starts_with("GOAMD64"))
    );
    let arm64 = env("linux/arm64/v8.2");
    assert!(arm64.contains(&"GOARM64=v8.2".to_string()), "{arm64:?}");
    // containerd's v9 is Go's v9.0; its v8 is no variant at all.
    assert!(env("linux/arm64/v9").contains(&"GOARM64=v9.0".to_string()));
    assert!(!env("linux/arm64/v8").iter().any(|e| e.starts_with("GOARM")));
    assert!(env("linux/ppc64le/power9").contains(&"GOPPC64=power9".to_string()));
    assert!(env("linux/riscv64/rva22u64").contains(&"GORISCV64=rva22u64".to_string()));
    assert!(env("linux/386/softfloat").contains(&"GO386=softfloat".to_string()));
    assert!(env("linux/mipsle/softfloat").contains(&"GOMIPS=softfloat".to_string()));
    assert!(env("linux/mips64/hardfloat").contains(&"GOMIPS64=hardfloat".to_string()));
}

#[test]
fn binaries_are_named_like_go_names_them() {
    let names = |go_mod: &str, spec: &str, p: &str| {
        Case {
            go_mod,
            spec,
            target_platform: Some(platform(p)),
            options: &[("target", "binaries")],
            ..Case::default()
        }
        .ok()
        .binaries()
        .iter()
        .map(|b| (b.package.clone(), b.name.clone()))
        .collect::<Vec<_>>()
    };
    assert_eq!(
        names(
            "module example.com/tool/v2\n\ngo 1.24\n",
            "",
            "windows/amd64"
        ),
        [(".".to_string(), "tool.exe".to_string())]
    );
    assert_eq!(
        names("module example.com/v2\n\ngo 1.24\n", "", "linux/amd64"),
        [(".".to_string(), "example.com".to_string())]
    );
    assert_eq!(
        names("module v2\n\ngo 1.24\n", "", "linux/amd64"),
        [(".".to_string(), "v2".to_string())]
    );
    assert_eq!(
        names("module example.com/x/v\n\ngo 1.24\n", "", "linux/amd64"),
        [(".".to_string(), "v".to_string())]
    );
    assert_eq!(
        names("module example.com/x/vx2\n\ngo 1.24\n", "", "linux/amd64"),
        [(".".to_string(), "vx2".to_string())]
    );
    assert_eq!(
        names(
            "module example.com/x\n\ngo 1.24\n",
            "[build]\npackages = [\"./cmd/srv\"]\noutput = \"server\"\n",
            "windows/arm64"
        ),
        [("./cmd/srv".to_string(), "server".to_string())]
    );
    let e = Case {
        spec: "[build]\npackages = [\"./a\", \"./b\"]\noutput = \"x\"\n",
        ..Case::default()
    }
    .err();
    assert_eq!(
        e,
        "gofront.toml:3:10: build.output can only be set when build.packages names one package"
    );
    let e = Case {
        spec: "[build]\npackages = [\"./a/app\", \"./b/app\"]\n",
        ..Case::default()
    }
    .err();
    assert_eq!(
        e,
        "gofront.toml:2:12: build.packages: two packages would both produce a binary named \"app\""
    );
}

const SERVICES: &str = "[build]\npackages = [\"./cmd/api\", \"./cmd/worker\", \"./cmd/test\"]\n\n[runtime]\nentrypoint = [\"/usr/local/bin/api\", \"serve\"]\ncmd = [\"--port=80\"]\nenv = { MODE = \"prod\" }\n";

#[test]
fn each_binary_is_a_target_the_image_of_it_alone_from_the_same_go_build() {
    let target = |t: &str| {
        let opts = [("target", t)];
        Case {
            spec: SERVICES,
            options: &opts,
            ..Case::default()
        }
        .ok()
    };
    let image = target("image");
    let worker = target("worker");
    // One go build of every binary, whichever target asks for it: the same
    // step, so the same LLB vertex.
    assert_eq!(worker.build(), image.build());
    assert_eq!(worker.target.name(), "worker");
    assert_eq!(image.target.name(), "image");
    let rt = worker.runtime();
    assert_eq!(
        rt.binaries,
        [ImageBinary {
            binary: Binary {
                package: "./cmd/worker".into(),
                name: "worker".into()
            },
            path: "/usr/local/bin/worker".into()
        }]
    );
    // runtime.entrypoint and runtime.cmd are the image target's; the rest
    // of [runtime] applies to every image.
    assert_eq!(
        rt.config["config"]["Entrypoint"],
        json!(["/usr/local/bin/worker"])
    );
    assert!(rt.config["config"].get("Cmd").is_none(), "{}", rt.config);
    assert!(
        rt.config["config"]["Env"]
            .as_array()
            .unwrap()
            .contains(&json!("MODE=prod"))
    );
    assert_eq!(
        image.runtime().config["config"]["Entrypoint"],
        json!(["/usr/local/bin/api", "serve"])
    );
    assert_eq!(image.runtime().binaries.len(), 3);
    // A binary named like a built-in target is NAME-image; the built-in
    // keeps its name.
    assert_eq!(
        target("test-image").runtime().binaries[0].binary.name,
        "test"
    );
    assert!(matches!(target("test").target, TargetPlan::Test { .. }));
}

#[test]
fn an_unknown_target_names_the_targets_there_are() {
    let opts = [("target", "wroker")];
    let e = Case {
        spec: SERVICES,
        options: &opts,
        ..Case::default()
    }
    .err();
    assert_eq!(
        e,
        "unknown target \"wroker\" (did you mean \"worker\"?); gofront builds image, binaries, test, gocache, test-report, and an image per binary: api, worker, test-image"
    );
    let opts = [("target", "xyz")];
    let e = Case {
        options: &opts,
        ..Case::default()
    }
    .err();
    assert_eq!(
        e,
        "unknown target \"xyz\"; gofront builds image, binaries, test, gocache, test-report, and an image per binary: hello"
    );
    // A spec with problems: those are what a build reports, even for a
    // target no binary has (the binaries may be what is wrong).
    let e = Case {
        spec: "[build]\npackages = [\"./cmd/a\", \"./x/a\"]\n",
        options: &opts,
        ..Case::default()
    }
    .err();
    assert!(e.starts_with("gofront.toml:2:12: build.packages: "), "{e}");
    let e = Case {
        spec: "[build]\npackages = [\"./cmd/test\", \"./x/test-image\"]\n",
        ..Case::default()
    }
    .err();
    assert_eq!(
        e,
        "gofront.toml:2:12: build.packages: the binaries \"test\" and \"test-image\" would both be the target \"test-image\" (a binary named like a built-in target is the target NAME-image); rename one"
    );
}

const IMAGES: &str = "[build]\npackages = [\"./cmd/api\", \"./cmd/worker\"]\n\n[runtime]\nentrypoint = [\"/usr/local/bin/api\", \"serve\"]\nenv = { MODE = \"prod\", LOG = \"info\" }\nexpose = [\"8080\"]\nlabels = { team = \"core\" }\n\n[images.worker]\nbase = \"scratch\"\ncmd = [\"--queue=jobs\"]\nenv = { LOG = \"debug\" }\nuser = \"1000:1000\"\nexpose = []\nlabels = { role = \"worker\" }\n";

#[test]
fn an_images_section_sets_a_binary_targets_own_image_over_runtime() {
    let target = |t: &str| {
        let opts = [("target", t)];
        Case {
            spec: IMAGES,
            options: &opts,
            ..Case::default()
        }
        .ok()
    };
    let worker = target("worker");
    let rt = worker.runtime();
    assert_eq!(rt.base, None, "images.worker.base = scratch");
    let c = &rt.config["config"];
    assert_eq!(c["Entrypoint"], json!(["/usr/local/bin/worker"]));
    assert_eq!(c["Cmd"], json!(["--queue=jobs"]));
    assert_eq!(c["User"], "1000:1000");
    let env = c["Env"].as_array().unwrap();
    assert!(env.contains(&json!("MODE=prod")) && env.contains(&json!("LOG=debug")));
    assert!(!env.contains(&json!("LOG=info")));
    assert!(c.get("ExposedPorts").is_none(), "{c}");
    assert_eq!(c["Labels"]["team"], "core");
    assert_eq!(c["Labels"]["role"], "worker");
    // The other binary's image has only [runtime], without the image
    // target's entrypoint and cmd; the base is [runtime]'s.
    let api = target("api");
    let c = &api.runtime().config["config"];
    assert_eq!(c["Entrypoint"], json!(["/usr/local/bin/api"]));
    assert!(c["ExposedPorts"].get("8080/tcp").is_some());
    assert!(api.runtime().base.is_some());
    assert!(c["Labels"].get("role").is_none());
    // The image target is [runtime] alone.
    let image = target("image");
    let c = &image.runtime().config["config"];
    assert_eq!(c["Entrypoint"], json!(["/usr/local/bin/api", "serve"]));
    assert!(c.get("Cmd").is_none());
}

#[test]
fn an_images_section_must_name_a_binary_target() {
    let e = Case {
        spec: "[build]\npackages = [\"./cmd/api\", \"./cmd/worker\"]\n\n[images.wroker]\nuser = \"1:1\"\n",
        ..Case::default()
    }
    .err();
    assert_eq!(
        e,
        "gofront.toml:4:9: [images.wroker] names no binary target (they are: api, worker); did you mean \"worker\"?"
    );
}

#[test]
fn binary_targets_are_listed_in_package_order() {
    let spec = crate::spec::parse("gofront.toml", SERVICES, &Default::default()).unwrap();
    let project = analyze(&ProjectFiles {
        go_mod: Some("module example.com/svc\n\ngo 1.24\n".into()),
        ..ProjectFiles::default()
    })
    .unwrap();
    assert_eq!(
        binary_targets(&spec, &project),
        [
            ("api".to_string(), "./cmd/api".to_string()),
            ("worker".into(), "./cmd/worker".into()),
            ("test-image".into(), "./cmd/test".into()),
        ]
    );
}

#[test]
fn a_workspace_needs_packages_and_tests_each_member() {
    let ws = |spec: &'static str| Case {
        go_mod: "",
        go_work: Some("go 1.24\n\nuse (\n\t.\n\t./app\n)\n"),
        members: &[
            (".", "module example.com/root\n\ngo 1.24\n"),
            ("app", "module example.com/app\n\ngo 1.24\n"),
        ],
        spec,
        ..Case::default()
    };
    assert_eq!(
        ws("# nothing\n").err(),
        "gofront.toml: build.packages must name the main package's directory (e.g. \"./app\") in a go.work workspace"
    );
    let case = ws("[build]\npackages = [\"./app\"]\n");
    let plan = case.ok();
    let test = case.test_step();
    assert_eq!(
        test.command.argv()[test.command.argv().len() - 2..],
        ["./...", "./app/..."]
    );
    assert!(plan.download.is_none(), "no module requires anything");
    let case = ws("[build]\npackages = [\"./app\"]\n[test]\npackages = [\"./app/...\"]\n");
    let test = case.test_step();
    assert_eq!(
        test.command.argv().last().map(String::as_str),
        Some("./app/...")
    );
}

#[test]
fn a_workspace_without_packages_builds_each_member_whose_root_is_main() {
    let ws = |spec: &'static str| Case {
        go_mod: "",
        go_work: Some("go 1.24\n\nuse (\n\t./services/api\n\t./services/worker\n\t./lib\n)\n"),
        members: &[
            ("services/api", "module example.com/api/v2\n\ngo 1.24\n"),
            ("services/worker", "module example.com/worker\n\ngo 1.24\n"),
            ("lib", "module example.com/lib\n\ngo 1.24\n"),
        ],
        go_files: &[
            ("services/api/main.go", "package main\n"),
            ("services/worker/main.go", "package main\n"),
            ("lib/lib.go", "package lib\n"),
        ],
        spec,
        ..Case::default()
    };
    let plan = ws("# nothing\n").ok();
    // Named as go build names them: by module path (`/v2` dropped).
    assert_eq!(
        plan.binaries(),
        [
            Binary {
                package: "./services/api".into(),
                name: "api".into()
            },
            Binary {
                package: "./services/worker".into(),
                name: "worker".into()
            },
        ]
    );
    assert_eq!(
        plan.build().command.argv()[plan.build().command.argv().len() - 2..],
        ["./services/api", "./services/worker"]
    );
    // Any member's main package, by its directory.
    let opts = [("target", "migrate")];
    let plan = Case {
        options: &opts,
        ..ws("[build]\npackages = [\"./services/api\", \"./lib/cmd/migrate\"]\n")
    }
    .ok();
    assert_eq!(plan.binaries()[0].package, "./lib/cmd/migrate");
}

#[test]
fn steps_point_at_their_spec_sections() {
    let case = Case {
        spec: "# syntax=gofront:dev\n[build]\n# a comment\ntags = [\"a\"]\n\n# trailing comment\n\n[runtime]\nuser = \"1\"\n\n[download]\n[test]\nflags = [\"-v\"]\n",
        go_mod: GO_MOD_WITH_DEP,
        ..Case::default()
    };
    let plan = case.ok();
    let test = case.test_step();
    let lines = |l: &Option<Vec<crate::llb::SourceRange>>| {
        l.as_ref()
            .map(|v| v.iter().map(|r| (r.start, r.end)).collect::<Vec<_>>())
    };
    assert_eq!(lines(&plan.build().location), Some(vec![(2, 4)]));
    assert_eq!(lines(&plan.runtime().location), Some(vec![(8, 9)]));
    assert_eq!(
        lines(&plan.download.as_ref().unwrap().location),
        Some(vec![(11, 11)])
    );
    assert_eq!(lines(&test.location), Some(vec![(12, 13)]));
    // A spec without sections: no location.
    let plan = Case::default().ok();
    assert_eq!(plan.build().location, None);
    assert_eq!(plan.runtime().location, None);
}

#[test]
fn the_download_step_only_when_there_is_something_to_download() {
    assert!(Case::default().ok().download.is_none(), "no requirements");
    assert!(
        Case {
            go_mod: GO_MOD_WITH_DEP,
            vendored: true,
            ..Case::default()
        }
        .ok()
        .download
        .is_none(),
        "vendored"
    );
    let plan = Case {
        go_mod: GO_MOD_WITH_DEP,
        vendored: true,
        ..Case::default()
    }
    .ok();
    assert!(
        plan.build()
            .env
            .contains(&"GOFLAGS=-mod=vendor".to_string())
    );
    // A local replace brings its own go.mod, and maybe requirements.
    let plan = Case {
        go_mod: "module example.com/a\n\ngo 1.24\n\nreplace example.com/b => ./b\n",
        ..Case::default()
    }
    .ok();
    let d = plan.download.expect("a download step");
    assert_eq!(d.files, ["b/go.mod", "b/go.sum", "go.mod", "go.sum"]);
}

#[test]
fn the_download_step_env_network_proxies_and_contexts() {
    let plan = Case {
        go_mod: GO_MOD_WITH_DEP,
        spec: "[download]\nnetwork = \"none\"\nenv = { GOPROXY = \"file:///goproxy\", GOPRIVATE = \"example.com\" }\ncontexts = { goproxy = \"/goproxy\", img = \"/img\" }\n",
        builder_config: Some(r#"{"config":{"Env":["PATH=/go/bin","GOPROXY=https://proxy.golang.org"]}}"#),
        options: &[
            ("context:goproxy", "local:gp"),
            ("context:img", "docker-image://alpine"),
            ("build-arg:https_proxy", "http://p:3128"),
            ("build-arg:NO_PROXY", "example.com"),
        ],
        ..Case::default()
    }
    .ok();
    let d = plan.download.expect("a download step");
    assert_eq!(d.network, crate::spec::Network::None);
    assert_eq!(d.args, ["go", "mod", "download"]);
    assert_eq!(d.module_cache, None);
    assert_eq!(
        d.env,
        [
            "PATH=/go/bin",
            "GOPROXY=file:///goproxy",
            "GOCACHE=/tmp/gofront-gocache",
            "GOMODCACHE=/gofront/dl/mod",
            "GOPRIVATE=example.com",
            "GOTOOLCHAIN=local",
        ]
    );
    let proxy = d.proxy.expect("proxies");
    assert_eq!(
        (proxy.https.as_str(), proxy.no.as_str(), proxy.http.as_str()),
        ("http://p:3128", "example.com", "")
    );
    let contexts: Vec<(&str, &str)> = d
        .contexts
        .iter()
        .map(|c| (c.name.as_str(), c.dest.as_str()))
        .collect();
    assert_eq!(contexts, [("goproxy", "/goproxy"), ("img", "/img")]);
    assert_eq!(
        d.contexts[0].source,
        crate::plan::ContextState::Local("gp".into())
    );

    let plan = Case {
        go_mod: GO_MOD_WITH_DEP,
        spec: "[download]\nnetwork = \"sandbox\"\n",
        ..Case::default()
    }
    .ok();
    let d = plan.download.expect("a download step");
    assert_eq!(d.network, crate::spec::Network::Sandbox);
    assert!(d.proxy.is_none());
}

#[test]
fn download_contexts_must_be_passed_and_supported() {
    let e = Case {
        go_mod: GO_MOD_WITH_DEP,
        spec: "[download]\ncontexts = { a = \"/a\", b = \"/b\", c = \"/c\" }\n",
        options: &[
            ("context:b", "oci-layout://store@sha256:abababababababababababababababababababababababababababababababab"),
            ("context:c", "git://example.com/x"),
        ],
        ..Case::default()
    }
    .err();
    assert_eq!(
        e,
        "gofront.toml:2:18: download.contexts.a: no build context named \"a\" was passed; add --build-context a=DIR\n\
         gofront.toml:2:28: download.contexts.b: build context \"store@sha256:abababababababababababababababababababababababababababababababab\" is not supported yet; pass a directory or a docker-image:// reference\n\
         gofront.toml:2:38: download.contexts.c: build context \"git://example.com/x\" is not supported yet; pass a directory or a docker-image:// reference"
    );
}

#[test]
fn with_the_tool_image_the_download_keeps_a_module_cache() {
    let plan = Case {
        go_mod: GO_MOD_WITH_DEP,
        tool_image: Some("gofront:dev"),
        options: &[("build-arg:BUILDKIT_CACHE_MOUNT_NS", "ns/")],
        ..Case::default()
    }
    .ok();
    assert!(mount_at(plan.build(), paths::SEED).is_none());
    let d = plan.download.expect("a download step");
    assert_eq!(
        d.args,
        [
            "/gofront/bin/gofront",
            "modcache",
            "--cache",
            "/gofront/moddl",
            "--modcache",
            "/gofront/dl/mod",
            "--",
            "go",
            "mod",
            "download"
        ]
    );
    let m = d.module_cache.as_ref().expect("a module cache");
    assert_eq!(m.id, "ns/gofront-gomod-download");
    assert_eq!(m.tool.reference, "gofront:dev");
    assert_eq!(m.tool.resolve_mode, crate::platform::ResolveMode::Local);
}

#[test]
fn the_gocache_target_exports_what_the_build_uses() {
    let case = Case {
        spec: "[build]\ntags = [\"t\"]\n",
        tool_image: Some("gofront:dev"),
        options: &[("target", "gocache")],
        ..Case::default()
    };
    let plan = case.ok();
    let g = plan.export().clone();
    assert_eq!(mount_at(plan.build(), paths::SEED), None);
    assert_eq!(modules_of(&g.step), None);
    match mount_at(&g.step, paths::TOOL_DIR) {
        Some(MountSource::Tool(t)) => assert_eq!(t.reference, "gofront:dev"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        g.step.output(),
        Some(&StepMount {
            target: paths::EXPORT.into(),
            source: MountSource::Output(OutputBase::Empty)
        })
    );
    assert_eq!(
        g.step.command.argv(),
        [
            "/gofront/bin/gofront",
            "gocache",
            "export",
            "--cache",
            "/gofront/cache/go-build",
            "--out",
            "/gofront/export",
            "--",
            "go",
            "list",
            "-export",
            "-deps",
            "-f",
            "{{if .Export}}{{.Export}}{{end}}",
            "-buildvcs=false",
            "-trimpath",
            "-tags=t",
            "-ldflags=-s -w",
            "."
        ]
    );
    assert_eq!(g.step.name, "[gofront] export the Go build cache of .");
    assert_eq!(g.step.env, plan.build().env);
    assert_eq!(
        g.image_config,
        json!({
            "architecture": "amd64",
            "os": "linux",
            "config": { "Labels": { "org.gofront.gocache": "1" } },
            "rootfs": { "type": "layers", "diff_ids": [] },
        })
    );
    assert_eq!(
        unkept(&plan.build().command.argv())[0],
        "go",
        "no seed: inside gofront keep, the build is not wrapped"
    );
    // The export needs the tool.
    let e = Case {
        options: &[("target", "gocache")],
        ..Case::default()
    }
    .err();
    assert_eq!(
        e,
        "gofront cannot tell which image it runs from, which the Go build cache export and seed need; run it through `# syntax=<gofront image>`"
    );
}

/// A seed's entries land in a GOCACHE of the project's own that no unseeded
/// build mounts, whatever `cache.scope` says: Go does not check a cache
/// entry's action-to-output mapping, so a crafted seed must not reach
/// another project's builds on a shared builder (issue 20).
#[test]
fn a_seeded_build_gets_a_cache_no_unseeded_build_mounts() {
    let case = |spec: &'static str, opts: &'static [(&'static str, &'static str)]| Case {
        go_mod: GO_MOD_WITH_DEP,
        tool_image: Some("gofront:dev"),
        spec,
        options: opts,
        ..Case::default()
    };
    let seed: &[(&str, &str)] = &[("context:gocache", "local:seed")];
    let scoped = "[cache]\nscope = \"project\"\n";
    let seeded = case("", seed).ok().gocache_id;
    assert_eq!(seeded, "gofront-gocache-seeded-example.com/withdep");
    assert_eq!(case(scoped, seed).ok().gocache_id, seeded);
    for unseeded in [case("", &[]).ok(), case(scoped, &[]).ok()] {
        assert_ne!(unseeded.gocache_id, seeded);
    }
    // The export of a seeded job reads the cache its seeded builds wrote.
    let export = case(
        "",
        &[("context:gocache", "local:seed"), ("target", "gocache")],
    )
    .ok();
    assert_eq!(export.gocache_id, seeded);
}

#[test]
fn a_seed_wraps_every_go_step_and_may_carry_modules() {
    let seeded = |opts: &'static [(&'static str, &'static str)]| Case {
        go_mod: GO_MOD_WITH_DEP,
        tool_image: Some("gofront:dev"),
        options: opts,
        ..Case::default()
    };
    let wrap = [
        "/gofront/bin/gofront",
        "gocache",
        "seed",
        "--from",
        "/gofront/seed",
        "--into",
        "/gofront/cache/go-build",
        "--",
    ];
    let case = seeded(&[("context:gocache", "local:seed")]);
    let plan = case.ok();
    let test = case.test_step();
    let used = ["--used", "/gofront/out/.gofront-used"];
    let build_argv = plan.build().command.argv();
    let build = unkept(&build_argv);
    assert_eq!(build[..7], wrap[..7]);
    assert_eq!(build[7..9], used);
    assert_eq!(build[9..13], ["--", "go", "build", "-v"]);
    assert_eq!(test.command.argv()[..7], wrap[..7]);
    assert_eq!(test.command.argv()[7..9], used);
    assert_eq!(
        test.command.argv()[9..17],
        [
            "--stamp",
            "/src",
            "--",
            "/gofront/bin/gofront",
            "testreport",
            "--out",
            "/gofront/out/report",
            "--"
        ]
    );
    assert_eq!(test.command.argv()[17..20], ["go", "test", "-json"]);
    assert_eq!(
        mount_at(plan.build(), paths::SEED),
        Some(&MountSource::Seed(crate::plan::ContextState::Local(
            "seed".into()
        )))
    );
    let d = plan.download.as_ref().expect("download");
    assert_eq!(d.module_cache.as_ref().and_then(|m| m.seed.as_ref()), None);
    assert!(!d.args.iter().any(|a| a == "--seed"));

    // Modules travel too: the export copies the module cache, the download
    // merges the seed's.
    let plan = seeded(&[
        ("context:gocache", "docker-image://reg/seed:1"),
        ("build-arg:GOFRONT_GOCACHE_MODULES", "true"),
        ("target", "gocache"),
    ])
    .ok();
    let g = plan.export();
    assert_eq!(modules_of(&g.step), Some("gofront-gomod-download"));
    assert_eq!(g.step.command.argv()[..8], wrap);
    assert_eq!(
        g.step.command.argv()[8..18],
        [
            "/gofront/bin/gofront",
            "gocache",
            "export",
            "--cache",
            "/gofront/cache/go-build",
            "--out",
            "/gofront/export",
            "--modules",
            "/gofront/moddl",
            "--used",
        ]
    );
    assert_eq!(
        g.step.command.argv()[18..20],
        ["/gofront/built/dir/.gofront-used", "--"]
    );
    let d = plan.download.as_ref().expect("download");
    assert!(d.module_cache.as_ref().is_some_and(|m| m.seed.is_some()));
    assert_eq!(
        d.args,
        [
            "/gofront/bin/gofront",
            "modcache",
            "--cache",
            "/gofront/moddl",
            "--modcache",
            "/gofront/dl/mod",
            "--seed",
            "/gofront/seed/modules",
            "--",
            "go",
            "mod",
            "download"
        ]
    );

    // Modules without a seed: exported, nothing merged.
    let plan = seeded(&[
        ("build-arg:GOFRONT_GOCACHE_MODULES", "true"),
        ("target", "gocache"),
    ])
    .ok();
    assert!(modules_of(&plan.export().step).is_some());
    assert!(
        plan.download
            .as_ref()
            .unwrap()
            .module_cache
            .as_ref()
            .unwrap()
            .seed
            .is_none()
    );
    // Modules without a download step: nothing to carry.
    let plan = Case {
        tool_image: Some("gofront:dev"),
        options: &[
            ("build-arg:GOFRONT_GOCACHE_MODULES", "true"),
            ("target", "gocache"),
        ],
        ..Case::default()
    }
    .ok();
    assert!(modules_of(&plan.export().step).is_none());

    // A seed of another kind is refused; a seed needs the tool.
    let e = seeded(&[("context:gocache", "https://example.com/x.tar")]).err();
    assert_eq!(
        e,
        "build context \"gocache\" is \"https://example.com/x.tar\"; gofront seeds the Go build cache from a directory, a docker-image:// or an oci-layout:// reference"
    );
    let e = Case {
        options: &[("context:gocache", "local:seed")],
        ..Case::default()
    }
    .err();
    assert!(
        e.starts_with("gofront cannot tell which image it runs from"),
        "{e}"
    );
}

/// What a tool reads from a step's argv, as `gofront` hands it over
/// (without the program).
/// The command `gofront keep` runs, for a kept build; `argv` otherwise.
/// The tool `argv` runs, if it runs one.
fn tool_reads_maybe(argv: &[String]) -> Option<crate::cachetool::Invocation> {
    (argv.first().map(String::as_str) == Some(paths::TOOL)).then(|| tool_reads(argv))
}

fn unkept(argv: &[String]) -> &[String] {
    match argv.get(1).map(String::as_str) {
        Some("keep") => match tool_reads(argv) {
            crate::cachetool::Invocation::Keep(_) => {
                let end = argv.iter().position(|a| a == "--").expect("--");
                &argv[end + 1..]
            }
            other => panic!("{other:?}"),
        },
        _ => argv,
    }
}

fn tool_reads(argv: &[String]) -> crate::cachetool::Invocation {
    assert_eq!(argv[0], crate::plan::paths::TOOL);
    crate::cachetool::Invocation::parse(&argv[1..])
        .expect("a cache tool's command line")
        .expect("one the tool reads")
}

#[test]
fn the_argv_the_plan_writes_is_what_the_tools_read() {
    use crate::cachetool::{ExportArgs, Invocation, ModcacheArgs, SeedArgs};
    use crate::plan::paths;
    let case = || Case {
        go_mod: GO_MOD_WITH_DEP,
        tool_image: Some("gofront:dev"),
        options: &[
            ("context:gocache", "local:seed"),
            ("build-arg:GOFRONT_GOCACHE_MODULES", "true"),
            ("target", "gocache"),
        ],
        ..Case::default()
    };
    let plan = case().ok();
    let test = case().test_step();
    let seed = |command: &[String], used: bool, stamp: bool| {
        Invocation::Seed(SeedArgs {
            from: paths::SEED.into(),
            into: paths::GOCACHE.into(),
            used: used.then(|| paths::USED_LIST.into()),
            stamp: stamp.then(|| paths::SRC.into()),
            command: command.to_vec(),
        })
    };
    // Each Go step: the seed, then the step's own command, which no tool
    // reads; each lists what it used, and the test step stamps the source.
    for (step, stamps) in [(plan.build(), false), (&test, true)] {
        let Invocation::Seed(s) = tool_reads(unkept(&step.command.argv())) else {
            panic!("{:?} is not seeded", step.command.argv());
        };
        // The test step's report tool runs inside the seed's.
        let inner = match tool_reads_maybe(&s.command) {
            Some(Invocation::TestReport(r)) => r.command,
            Some(other) => panic!("{other:?}"),
            None => s.command.clone(),
        };
        assert_eq!(inner[0], "go");
        assert_eq!(
            tool_reads(unkept(&step.command.argv())),
            seed(&s.command, true, stamps)
        );
        assert_eq!(
            mount_at(step, paths::SRC),
            Some(&MountSource::Context {
                throwaway: stamps,
                exclude: Vec::new()
            })
        );
        assert!(matches!(
            mount_at(step, paths::SEED),
            Some(MountSource::Seed(_))
        ));
    }
    // The export: the seed around the export around `go list`.
    let g = plan.export();
    let Invocation::Seed(outer) = tool_reads(&g.step.command.argv()) else {
        panic!("{:?}", g.step.command.argv());
    };
    let Invocation::Export(export) = tool_reads(&outer.command) else {
        panic!("{:?}", outer.command);
    };
    assert_eq!(
        export,
        ExportArgs {
            cache: paths::GOCACHE.into(),
            out: paths::EXPORT.into(),
            modules: Some(paths::MODDL.into()),
            used: vec![format!(
                "{}{}/{}",
                paths::BUILT,
                paths::OWNED_DIR,
                paths::USED_FILE
            )],
            command: export.command.clone(),
        }
    );
    assert_eq!(outer.used, None);
    assert_eq!(outer.stamp, None);
    assert_eq!(export.command[..4], ["go", "list", "-export", "-deps"]);
    // The download, with the seed's modules.
    let d = plan.download.as_ref().expect("download");
    assert_eq!(
        tool_reads(&d.args),
        Invocation::Modcache(ModcacheArgs {
            cache: paths::MODDL.into(),
            modcache: paths::DOWNLOAD_MODCACHE.into(),
            seed: Some(paths::SEED_MODULES.into()),
            command: vec!["go".into(), "mod".into(), "download".into()],
        })
    );
}

#[test]
fn the_context_leaves_out_git_unless_asked() {
    let plan = Case {
        dockerignore: Some("# c\nbuild/\n"),
        ..Case::default()
    }
    .ok();
    assert_eq!(plan.context_exclude, ["build", ".git"]);
    let plan = Case {
        options: &[("build-arg:BUILDKIT_CONTEXT_KEEP_GIT_DIR", "1")],
        ..Case::default()
    }
    .ok();
    assert!(plan.context_exclude.is_empty());
}

#[test]
fn image_labels_say_what_was_built() {
    let labels = |opts: &'static [(&'static str, &'static str)]| {
        Case {
            options: opts,
            ..Case::default()
        }
        .ok()
        .runtime()
        .settings
        .labels
        .clone()
    };
    let l = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        labels(&[("build-arg:GOFRONT_VERSION", "")]),
        l(&[("org.opencontainers.image.created", "1970-01-01T00:00:00Z")])
    );
    assert_eq!(
        labels(&[
            ("build-arg:GOFRONT_VERSION", "1.0"),
            ("vcs:revision", "abc"),
            ("vcs:source", "https://git/x"),
            ("label:org.opencontainers.image.version", "2.0"),
        ]),
        l(&[
            ("org.opencontainers.image.created", "1970-01-01T00:00:00Z"),
            ("org.opencontainers.image.version", "1.0"),
            ("org.opencontainers.image.revision", "abc"),
            ("org.opencontainers.image.source", "https://git/x"),
            ("org.opencontainers.image.version", "2.0"),
        ])
    );
}

#[test]
fn the_project_is_read_from_go_mod_or_go_work() {
    use crate::plan::{analyze, dockerignore_patterns, download_files, module_dirs_to_read};
    // Members outside the context are left for analyze to report.
    assert_eq!(
        module_dirs_to_read("go 1.24\nuse (\n\t.\n\t./a/../b\n\t../out\n\t/abs\n)\n").unwrap(),
        [".", "b"]
    );
    // A go.work that does not parse is reported, not read as no members.
    assert!(module_dirs_to_read("go 1.24\nuse (\n").is_err());

    let files = |go_mod: &str| ProjectFiles {
        go_mod: Some(go_mod.to_string()),
        vendored: true,
        ..ProjectFiles::default()
    };
    let p = analyze(&files("module example.com/a\n\ngo 1.24\n")).unwrap();
    assert!(!p.has_requirements);
    assert!(p.vendored);
    assert!(!p.workspace);
    assert_eq!(p.module.as_deref(), Some("example.com/a"));
    assert_eq!(p.module_dirs, ["."]);
    assert_eq!(p.module_paths["."], "example.com/a");
    assert_eq!(download_files(&p), ["go.mod", "go.sum"]);
    let p = analyze(&files(GO_MOD_WITH_DEP)).unwrap();
    assert!(p.has_requirements);

    // A workspace: go.work's replaces count, its own dir is no module, and
    // a requirement in any member means a download.
    let work = ProjectFiles {
        go_work: Some("go 1.23\n\nuse ./app\nuse ./lib\n\nreplace x => ./third/x\n".into()),
        member_go_mods: [
            ("app".to_string(), GO_MOD_WITH_DEP.to_string()),
            (
                "lib".to_string(),
                "module example.com/lib\n\ngo 1.23\n".to_string(),
            ),
        ]
        .into(),
        vendored: true,
        ..ProjectFiles::default()
    };
    let p = analyze(&work).unwrap();
    assert!(p.workspace);
    assert!(!p.vendored, "go.work ignores vendor/");
    assert!(p.has_requirements);
    assert_eq!(p.module, None);
    assert_eq!(p.go.to_string(), "1.23");
    assert_eq!(p.module_dirs, ["app", "lib", "third/x"]);
    assert_eq!(p.workspace_members, ["app", "lib"]);
    assert_eq!(
        download_files(&p),
        [
            "app/go.mod",
            "app/go.sum",
            "go.work",
            "go.work.sum",
            "lib/go.mod",
            "lib/go.sum",
            "third/x/go.mod",
            "third/x/go.sum"
        ]
    );
    // Only the requirement of the second member.
    let mut work = work;
    work.go_work = Some("go 1.23\n\nuse ./lib\nuse ./app\n".into());
    work.member_go_mods
        .insert("lib".into(), "module example.com/lib\n\ngo 1.23\n".into());
    assert!(analyze(&work).unwrap().has_requirements);
    work.member_go_mods
        .insert("app".into(), "module example.com/app\n\ngo 1.23\n".into());
    assert!(!analyze(&work).unwrap().has_requirements);
    // A member's go.mod that does not parse is named.
    work.member_go_mods
        .insert("app".into(), "module example.com/app\n\ngo x\n".into());
    assert_eq!(
        analyze(&work).unwrap_err().to_string(),
        "app/go.mod:3: invalid go version 'x': must match format 1.23.0"
    );
    let no_go = ProjectFiles {
        go_work: Some("use ./lib\n".into()),
        member_go_mods: [(
            "lib".to_string(),
            "module example.com/lib\n\ngo 1.23\n".to_string(),
        )]
        .into(),
        ..ProjectFiles::default()
    };
    assert_eq!(
        analyze(&no_go).unwrap_err().to_string(),
        "go.work has no go line; add one such as `go 1.24`"
    );

    assert_eq!(
        dockerignore_patterns("#c\n\n  \n!\n!/a/../b/\n./c/./d\n..\n/\n#!x\n"),
        // As BuildKit reads them; a pattern BuildKit refuses ("!" alone) is
        // refused with its line by the plan, not dropped here.
        ["!", "!b", "c/d", "..", "/"]
    );
}

#[test]
fn tests_run_where_the_builder_can_run_them() {
    let test_on = |p: &str, runnable: Vec<Platform>| {
        Case {
            options: &[("target", "test")],
            target_platform: Some(platform(p)),
            runnable,
            ..Case::default()
        }
        .plan()
        .map(|_| ())
        .map_err(|e| e.to_string())
    };
    // Unknown emulation: gofront lets the builder try.
    assert_eq!(test_on("linux/arm64", vec![]), Ok(()));
    assert_eq!(
        test_on("linux/arm64", vec![platform("linux/arm64")]),
        Ok(())
    );
    assert_eq!(
        test_on("linux/arm64", vec![Platform::linux_amd64(), platform("linux/386")]),
        Err("--target test --platform linux/arm64: this builder cannot run linux/arm64 programs (it runs linux/amd64, linux/386); build with --target binaries, or run the tests on a native or emulating builder (binfmt/QEMU installed)".to_string())
    );
    assert_eq!(
        test_on("windows/amd64", vec![]),
        Err("--platform windows/amd64: gofront's test target builds Linux images only; build windows binaries with --target binaries".to_string())
    );
    // Binaries for any port Go has, on any builder.
    let binaries = Case {
        options: &[("target", "binaries")],
        target_platform: Some(platform("darwin/arm64")),
        runnable: vec![Platform::linux_amd64()],
        ..Case::default()
    }
    .ok();
    assert!(binaries.build().env.contains(&"GOOS=darwin".to_string()));
    let e = Case {
        options: &[("target", "binaries")],
        target_platform: Some(platform("darwin/386")),
        ..Case::default()
    }
    .err();
    assert_eq!(
        e,
        "--platform darwin/386: Go does not build for darwin/386; it builds darwin/amd64, darwin/arm64"
    );
}

#[test]
fn the_netrc_secret_is_mounted_where_an_absolute_netrc_says() {
    let dests = |spec: &'static str| {
        let plan = Case {
            spec,
            go_mod: GO_MOD_WITH_DEP,
            ..Case::default()
        }
        .ok();
        plan.download
            .expect("a download step")
            .secrets
            .into_iter()
            .map(|s| (s.id, s.dest))
            .collect::<Vec<_>>()
    };
    // NETRC absolute: the netrc secret goes there, another id does not.
    assert_eq!(
        dests(
            "# syntax=x\n[download]\nsecrets = [\"netrc\", \"token\"]\nenv = { NETRC = \"/home/ci/.netrc\" }\n"
        ),
        [
            ("netrc".to_string(), "/home/ci/.netrc".to_string()),
            ("token".to_string(), "/run/secrets/token".to_string()),
        ]
    );
    // A relative NETRC, or none: the secret's own path.
    for spec in [
        "# syntax=x\n[download]\nsecrets = [\"netrc\"]\nenv = { NETRC = \"netrc\" }\n",
        "# syntax=x\n[download]\nsecrets = [\"netrc\"]\n",
    ] {
        assert_eq!(
            dests(spec),
            [("netrc".to_string(), "/run/secrets/netrc".to_string())],
            "{spec}"
        );
    }
}

#[test]
fn the_sbom_names_the_runtime_base_with_its_digest_when_resolved_with_one() {
    let base = |digest: Option<&'static str>| {
        let plan = Case {
            options: &[("attest:sbom", "type=sbom")],
            runtime_config: Some("{}"),
            runtime_digest: digest,
            ..Case::default()
        }
        .ok();
        let TargetPlan::Image { sbom: Some(s), .. } = &plan.target else {
            panic!("an image plan with an SBOM: {:?}", plan.target);
        };
        s.document.base.clone().expect("a base")
    };
    let d = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    assert_eq!(base(Some(d)).digest.as_deref(), Some(d));
    // Docker's classic store reports an empty digest: none is named.
    assert_eq!(base(Some("")).digest, None);
    assert_eq!(base(None).digest, None);
    assert_eq!(base(None).reference, crate::spec::defaults::STATIC_BASE);
}

#[test]
fn the_build_links_into_a_kept_directory_one_per_configuration() {
    use crate::cachetool::{Invocation, KeepArgs};
    use crate::plan::paths;
    let plan = |spec: &'static str, opts: &'static [(&'static str, &'static str)], tool| {
        Case {
            spec,
            options: opts,
            tool_image: tool,
            ..Case::default()
        }
        .ok()
    };
    let image = plan(SERVICES, &[], Some("gofront:dev"));
    let build = image.build();
    let kept = kept_id(build).expect("a kept directory");
    match mount_at(build, paths::TOOL_DIR) {
        Some(MountSource::Tool(t)) => assert_eq!(t.name, "gofront:dev"),
        other => panic!("{other:?}"),
    }
    let Invocation::Keep(k) = tool_reads(&build.command.argv()) else {
        panic!("{:?}", build.command.argv());
    };
    assert_eq!(
        k,
        KeepArgs {
            dir: paths::KEEP.into(),
            out: paths::OUT.into(),
            binary: vec!["api".into(), "worker".into(), "test".into()],
            command: k.command.clone(),
        }
    );
    // The build writes into the kept directory, the tool copies out.
    let o = k.command.iter().position(|a| a == "-o").expect("-o");
    assert_eq!(k.command[..2], ["go", "build"]);
    assert_eq!(k.command[o + 1], "/gofront/keep/");
    // One binary: its own path there.
    let hello = plan("", &[], Some("gofront:dev"));
    let Invocation::Keep(h) = tool_reads(&hello.build().command.argv()) else {
        panic!();
    };
    assert!(h.command.contains(&"/gofront/keep/hello".to_string()));
    assert_eq!(h.binary, ["hello"]);
    // Every target of the build shares it, and the id is stable.
    let worker = plan(SERVICES, &[("target", "worker")], Some("gofront:dev"));
    assert_eq!(worker.build(), build);
    assert!(kept.starts_with("gofront-keep-"), "{}", kept);
    assert_eq!(kept.len(), "gofront-keep-".len() + 12);
    // Another configuration (flags, platform, project), another directory;
    // the namespace prefixes it.
    let other = |p: Plan| kept_id(p.build()).expect("kept");
    assert_ne!(
        other(plan(
            SERVICES,
            &[("build-arg:GOFRONT_BUILD_TAGS", "x")],
            Some("gofront:dev")
        )),
        kept
    );
    assert_ne!(
        other(
            Case {
                spec: SERVICES,
                tool_image: Some("gofront:dev"),
                target_platform: Some(platform("linux/arm64")),
                ..Case::default()
            }
            .ok()
        ),
        kept
    );
    assert_ne!(other(plan("", &[], Some("gofront:dev"))), kept);
    assert!(
        other(plan(
            SERVICES,
            &[("build-arg:BUILDKIT_CACHE_MOUNT_NS", "ns-")],
            Some("gofront:dev")
        ))
        .starts_with("ns-gofront-keep-")
    );
    // No image of its own known: straight into the output, unwrapped.
    let bare = plan(SERVICES, &[], None);
    assert_eq!(bare.build().keep(), None);
    assert_eq!(kept_id(bare.build()), None);
    assert_eq!(bare.build().command.argv()[..2], ["go", "build"]);
    assert!(
        bare.build()
            .command
            .argv()
            .contains(&"/gofront/out/".to_string())
    );
    // The test step never keeps.
    let test = plan(SERVICES, &[("target", "test")], Some("gofront:dev"));
    assert_eq!(test.target.go_step().keep(), None);
    assert_eq!(kept_id(test.target.go_step()), None);
}

/// What a step mounts at `target`.
fn mount_at<'a>(step: &'a GoStep, target: &str) -> Option<&'a MountSource> {
    step.mounts
        .iter()
        .find(|m| m.target == target)
        .map(|m| &m.source)
}

/// The module download cache id a step mounts.
fn modules_of(step: &GoStep) -> Option<&str> {
    match mount_at(step, paths::MODDL) {
        Some(MountSource::Cache { id, .. }) => Some(id),
        _ => None,
    }
}

/// The kept directory's cache id, locked, when the step has one.
fn kept_id(step: &GoStep) -> Option<String> {
    match mount_at(step, paths::KEEP) {
        Some(MountSource::Cache {
            id,
            sharing: crate::plan::Sharing::Locked,
        }) => Some(id.clone()),
        _ => None,
    }
}

/// `test.race` on a platform the race detector does not run on is refused
/// at its line; on one it runs on, the test step gets `-race` and cgo,
/// the build keeps its own.
#[test]
fn race_needs_a_platform_the_detector_runs_on() {
    let case = |platform: &str| Case {
        spec: "[test]\nrace = true\n",
        options: &[("target", "test")],
        target_platform: Some(crate::testutil::case::platform(platform)),
        build_platform: crate::testutil::case::platform(platform),
        runnable: vec![crate::testutil::case::platform(platform)],
        ..Case::default()
    };
    assert_eq!(
        case("linux/386").err(),
        "gofront.toml:2:8: test.race = true for linux/386: Go's race detector runs only on linux/amd64, linux/arm64, linux/ppc64le and linux/s390x; set it false for this platform or test on one of those"
    );
    let test = case("linux/arm64").ok().target.go_step().clone();
    assert!(test.command.go.contains(&"-race".to_string()));
    assert!(test.env.contains(&"CGO_ENABLED=1".to_string()));
    let build = Case {
        spec: "[test]\nrace = true\n",
        ..Case::default()
    }
    .ok();
    assert!(build.build().env.contains(&"CGO_ENABLED=0".to_string()));
    assert!(!build.build().command.go.contains(&"-race".to_string()));
}

/// `test.shard` runs through gofront's tool with the count of package
/// patterns; without the tool it is refused rather than ignored.
#[test]
fn a_shard_is_picked_by_the_report_tool() {
    let plan = Case {
        spec: "[test]\nshard = \"2/4\"\npackages = [\"./a/...\", \"./b/...\"]\n",
        options: &[("target", "test")],
        tool_image: Some("gofront:dev"),
        ..Case::default()
    }
    .ok();
    let test = plan.target.go_step();
    match &test.command.tools[..] {
        [crate::cachetool::Invocation::TestReport(r)] => {
            assert_eq!(r.shard.as_deref(), Some("2/4"));
            assert_eq!(r.packages.as_deref(), Some("2"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        test.command.go[test.command.go.len() - 2..],
        ["./a/...", "./b/..."]
    );
    let e = Case {
        spec: "[test]\nshard = \"2/4\"\n",
        options: &[("target", "test")],
        ..Case::default()
    }
    .err();
    assert!(
        e.starts_with("gofront cannot tell which image it runs from"),
        "{e}"
    );
}
