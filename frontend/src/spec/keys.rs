//! Every spec key, declared once: its section and name, how a value is
//! checked and stored, where it is read back from, its default and meaning
//! (as the README table says them), and the targets it affects.
//!
//! Invariant: nothing else lists keys. Parsing, the `GOFRONT_*` build-arg
//! names, "did you mean", the README table and the `--call` answers are all
//! derived from [`KEYS`].

use super::declare::Setter;
pub use super::declare::{Key, KeyDefault, Kind, Setting, Value};
use crate::target::Target;

/// The values gofront uses for unset keys, each declared once: shown on
/// its key in [`KEYS`] (so in the README and `--call outline`) and read by
/// `plan`.
pub mod defaults {
    use crate::spec::{CacheScope, Network};

    /// `build.strip`.
    pub const STRIP: bool = true;
    /// `build.cgo`.
    pub const CGO: bool = false;
    /// `build.trimpath`.
    pub const TRIMPATH: bool = true;
    /// `download.network`.
    pub const NETWORK: Network = Network::Sandbox;
    /// `runtime.base` when cgo is off: static, non-root.
    pub const STATIC_BASE: &str = "gcr.io/distroless/static-debian12:nonroot";
    /// `runtime.base` when cgo is on: has glibc, non-root.
    pub const CGO_BASE: &str = "gcr.io/distroless/base-debian12:nonroot";
    /// `runtime.user` when the base sets none.
    pub const USER: &str = "65532:65532";
    /// `runtime.workdir` when the base sets none.
    pub const WORKDIR: &str = "/";
    /// `test.packages` outside a workspace: every package of the module.
    pub const TEST_PACKAGES: &[&str] = &["./..."];
    /// `cache.scope`.
    pub const SCOPE: CacheScope = CacheScope::Builder;
    /// `test.coverage`.
    pub const COVERAGE: bool = false;
    /// `test.race`.
    pub const RACE: bool = false;
    /// `runtime.bindir`: where the binaries go in the image.
    pub const BINDIR: &str = "/usr/local/bin";
    /// `runtime.kodata`.
    pub const KODATA: bool = false;
}

/// Every target.
const ALL: &[Target] = &Target::ALL;
/// The targets that compile the main packages.
const BUILT: &[Target] = &[Target::Image, Target::Binaries, Target::Gocache];
/// The targets that write the binaries out.
const BINARIES: &[Target] = &[Target::Image, Target::Binaries];
/// The runtime image only.
const IMAGE: &[Target] = &[Target::Image];
/// `go test` only.
const TEST: &[Target] = &[Target::Test, Target::TestReport];

/// The sections' names.
pub mod section {
    /// `[build]`.
    pub const BUILD: &str = "build";
    /// `[download]`.
    pub const DOWNLOAD: &str = "download";
    /// `[runtime]`.
    pub const RUNTIME: &str = "runtime";
    /// `[test]`.
    pub const TEST: &str = "test";
    /// `[cache]`.
    pub const CACHE: &str = "cache";
    /// `[images.NAME]`: a table per binary target, each with `[runtime]`'s
    /// keys (no key of its own is declared: it holds RUNTIME's).
    pub const IMAGES: &str = "images";
}

/// `build.packages`.
pub const BUILD_PACKAGES: Key = Key {
    section: section::BUILD,
    name: "packages",
    default: KeyDefault::text(
        "the module root if it is `package main`, else each `cmd/<name>` directory that is (in a workspace: the same in each member)",
    ),
    meaning: "main packages (`./dir`, in any workspace member), one binary and target each, named like `go build` names them",
    targets: BUILT,
    set: Setter::List(|c, s, f| {
        if c.packages(&f, false) {
            s.build.packages = Some(f);
        }
    }),
    get: |s| (&s.build.packages).into(),
};

/// `build.output`.
pub const BUILD_OUTPUT: Key = Key {
    section: section::BUILD,
    name: "output",
    default: KeyDefault::text("package name"),
    meaning: "binary name (one package only)",
    targets: BINARIES,
    set: Setter::Str(|c, s, f| {
        if c.file_name(&f) {
            s.build.output = Some(f);
        }
    }),
    get: |s| (&s.build.output).into(),
};

/// `build.tags`.
pub const BUILD_TAGS: Key = Key {
    section: section::BUILD,
    name: "tags",
    default: KeyDefault::text("none"),
    meaning: "build tags",
    targets: ALL,
    set: Setter::List(|c, s, f| {
        if c.build_tags(&f) {
            s.build.tags = Some(f);
        }
    }),
    get: |s| (&s.build.tags).into(),
};

/// `build.ldflags`.
pub const BUILD_LDFLAGS: Key = Key {
    section: section::BUILD,
    name: "ldflags",
    default: KeyDefault::text("none"),
    meaning: "`-ldflags`, one string; templates `{{.Version}}`, `{{.Commit}}`, `{{.ShortCommit}}`, `{{.Date}}`, `{{.Env.NAME}}` (see Release builds)",
    targets: ALL,
    set: Setter::Str(|_, s, f| s.build.ldflags = Some(f)),
    get: |s| (&s.build.ldflags).into(),
};

/// `build.strip`.
pub const BUILD_STRIP: Key = Key {
    section: section::BUILD,
    name: "strip",
    default: KeyDefault {
        text: "{}",
        values: &[Value::Bool(defaults::STRIP)],
    },
    meaning: "`-ldflags=-s -w`: no symbol table or DWARF (smaller, faster to link; panics still print function names and lines)",
    targets: ALL,
    set: Setter::Bool(|s, f| s.build.strip = Some(f)),
    get: |s| (&s.build.strip).into(),
};

/// `build.cgo`.
pub const BUILD_CGO: Key = Key {
    section: section::BUILD,
    name: "cgo",
    default: KeyDefault {
        text: "{}",
        values: &[Value::Bool(defaults::CGO)],
    },
    meaning: "`CGO_ENABLED`",
    targets: ALL,
    set: Setter::Bool(|s, f| s.build.cgo = Some(f)),
    get: |s| (&s.build.cgo).into(),
};

/// `build.trimpath`.
pub const BUILD_TRIMPATH: Key = Key {
    section: section::BUILD,
    name: "trimpath",
    default: KeyDefault {
        text: "{}",
        values: &[Value::Bool(defaults::TRIMPATH)],
    },
    meaning: "`-trimpath`",
    targets: ALL,
    set: Setter::Bool(|s, f| s.build.trimpath = Some(f)),
    get: |s| (&s.build.trimpath).into(),
};

/// `build.env`.
pub const BUILD_ENV: Key = Key {
    section: section::BUILD,
    name: "env",
    default: KeyDefault::text("none"),
    meaning: "extra env for build and test (`GOOS`, `GOARCH`, `GOFLAGS`, `GOPROXY`, ... are managed and refused)",
    targets: ALL,
    set: Setter::EnvMap(|c, s, m| {
        c.unmanaged_build_env(&m);
        s.build.env = m;
    }),
    get: |s| Setting::Map(&s.build.env),
};

/// `build.builder`.
pub const BUILD_BUILDER: Key = Key {
    section: section::BUILD,
    name: "builder",
    default: KeyDefault::text("`golang:<toolchain or go line's major.minor>`"),
    meaning: "builder image",
    targets: ALL,
    set: Setter::Str(|c, s, f| {
        if c.image_ref(&f, false) {
            s.build.builder = Some(f);
        }
    }),
    get: |s| (&s.build.builder).into(),
};

/// `download.network`.
pub const DOWNLOAD_NETWORK: Key = Key {
    section: section::DOWNLOAD,
    name: "network",
    default: KeyDefault {
        text: "{}",
        values: &[Value::Str(defaults::NETWORK.as_str())],
    },
    meaning: "`sandbox`, `none`, or `host` (needs `--allow network.host`) for `go mod download`",
    targets: ALL,
    set: Setter::Str(|c, s, f| s.download.network = c.network(f)),
    get: |s| (&s.download.network).into(),
};

/// `download.env`.
pub const DOWNLOAD_ENV: Key = Key {
    section: section::DOWNLOAD,
    name: "env",
    default: KeyDefault::text("none"),
    meaning: "e.g. `GOPROXY`, `GOPRIVATE`, `GONOSUMDB` (`GOFLAGS`, `GOTOOLCHAIN`, `GOMODCACHE`, ... are managed and refused)",
    targets: ALL,
    set: Setter::EnvMap(|c, s, m| {
        c.unmanaged_download_env(&m);
        s.download.env = m;
    }),
    get: |s| Setting::Map(&s.download.env),
};

/// `download.contexts`.
pub const DOWNLOAD_CONTEXTS: Key = Key {
    section: section::DOWNLOAD,
    name: "contexts",
    default: KeyDefault::text("none"),
    meaning: "`{ name = \"/path\" }`: mount `--build-context name=...` read-only into the download step (an air-gapped module proxy, say)",
    targets: ALL,
    set: Setter::PairMap(|c, s, m| {
        c.context_mounts(&m);
        s.download.contexts = m;
    }),
    get: |s| Setting::Map(&s.download.contexts),
};

/// `download.secrets`.
pub const DOWNLOAD_SECRETS: Key = Key {
    section: section::DOWNLOAD,
    name: "secrets",
    default: KeyDefault::text("none"),
    meaning: "BuildKit secret ids (`--secret id=ID,src=FILE`) mounted at `/run/secrets/ID` in the download step only; `netrc` also sets `NETRC`, where Go reads module proxy credentials. Never in the cache key or the image",
    targets: ALL,
    set: Setter::List(|c, s, f| {
        if c.mount_ids(&f) {
            s.download.secrets = Some(f);
        }
    }),
    get: |s| (&s.download.secrets).into(),
};

/// `download.ssh`.
pub const DOWNLOAD_SSH: Key = Key {
    section: section::DOWNLOAD,
    name: "ssh",
    default: KeyDefault::text("none"),
    meaning: "SSH agent ids (`--ssh default`) forwarded into the download step for modules fetched with git over ssh; sets `SSH_AUTH_SOCK`",
    targets: ALL,
    set: Setter::List(|c, s, f| {
        if c.mount_ids(&f) {
            s.download.ssh = Some(f);
        }
    }),
    get: |s| (&s.download.ssh).into(),
};

/// `runtime.base`.
pub const RUNTIME_BASE: Key = Key {
    section: section::RUNTIME,
    name: "base",
    default: KeyDefault {
        text: "{} (cgo off) / {} (cgo on)",
        values: &[
            Value::Str(defaults::STATIC_BASE),
            Value::Str(defaults::CGO_BASE),
        ],
    },
    meaning: "base image, or `scratch`",
    targets: IMAGE,
    set: Setter::Str(|c, s, f| {
        if c.image_ref(&f, true) {
            s.runtime.base = Some(f);
        }
    }),
    get: |s| (&s.runtime.base).into(),
};

/// `runtime.entrypoint`.
pub const RUNTIME_ENTRYPOINT: Key = Key {
    section: section::RUNTIME,
    name: "entrypoint",
    default: KeyDefault::text("`[\"/usr/local/bin/<first binary>\"]`"),
    meaning: "entrypoint",
    targets: IMAGE,
    set: Setter::List(|_, s, f| s.runtime.entrypoint = Some(f)),
    get: |s| (&s.runtime.entrypoint).into(),
};

/// `runtime.cmd`.
pub const RUNTIME_CMD: Key = Key {
    section: section::RUNTIME,
    name: "cmd",
    default: KeyDefault::text("unset"),
    meaning: "cmd",
    targets: IMAGE,
    set: Setter::List(|_, s, f| s.runtime.cmd = Some(f)),
    get: |s| (&s.runtime.cmd).into(),
};

/// `runtime.user`.
pub const RUNTIME_USER: Key = Key {
    section: section::RUNTIME,
    name: "user",
    default: KeyDefault {
        text: "the base's user, else {}",
        values: &[Value::Str(defaults::USER)],
    },
    meaning: "`user[:group]`; numeric for `scratch`",
    targets: IMAGE,
    set: Setter::Str(|c, s, f| {
        if c.user(&f) {
            s.runtime.user = Some(f);
        }
    }),
    get: |s| (&s.runtime.user).into(),
};

/// `runtime.workdir`.
pub const RUNTIME_WORKDIR: Key = Key {
    section: section::RUNTIME,
    name: "workdir",
    default: KeyDefault {
        text: "the base's, else {}",
        values: &[Value::Str(defaults::WORKDIR)],
    },
    meaning: "working directory",
    targets: IMAGE,
    set: Setter::Str(|c, s, f| {
        if c.absolute_path(&f) {
            s.runtime.workdir = Some(f);
        }
    }),
    get: |s| (&s.runtime.workdir).into(),
};

/// `runtime.env`.
pub const RUNTIME_ENV: Key = Key {
    section: section::RUNTIME,
    name: "env",
    default: KeyDefault::text("the base's"),
    meaning: "extra environment",
    targets: IMAGE,
    set: Setter::EnvMap(|_, s, m| s.runtime.env = m),
    get: |s| Setting::Map(&s.runtime.env),
};

/// `runtime.expose`.
pub const RUNTIME_EXPOSE: Key = Key {
    section: section::RUNTIME,
    name: "expose",
    default: KeyDefault::text("none"),
    meaning: "ports, `8080` or `53/udp`",
    targets: IMAGE,
    set: Setter::Ports(|c, s, f| s.runtime.expose = c.ports(f)),
    get: |s| (&s.runtime.expose).into(),
};

/// `runtime.labels`.
pub const RUNTIME_LABELS: Key = Key {
    section: section::RUNTIME,
    name: "labels",
    default: KeyDefault::text("none"),
    meaning: "labels (`--label` adds more)",
    targets: IMAGE,
    set: Setter::PairMap(|c, s, m| s.runtime.labels = c.label_keys(m)),
    get: |s| Setting::Map(&s.runtime.labels),
};

/// `runtime.files`.
pub const RUNTIME_FILES: Key = Key {
    section: section::RUNTIME,
    name: "files",
    default: KeyDefault::text("none"),
    meaning: "`[{ src, dest, mode, owner, embed }]`: a file, directory or glob of the context copied to `dest` (`dir/`: into it); `mode` octal, `owner` `user[:group]` (root), `embed` if Go embeds it too",
    targets: IMAGE,
    set: Setter::Structured(|c, s, n| {
        if let Some(f) = c.files(n) {
            s.runtime.files = Some(f);
        }
    }),
    get: |s| Setting::structured(&s.runtime.files),
};

/// `runtime.dirs`.
pub const RUNTIME_DIRS: Key = Key {
    section: section::RUNTIME,
    name: "dirs",
    default: KeyDefault::text("none"),
    meaning: "`[{ path, mode, owner }]`: empty directories (`0755`, root, unless set)",
    targets: IMAGE,
    set: Setter::Structured(|c, s, n| {
        if let Some(f) = c.dirs(n) {
            s.runtime.dirs = Some(f);
        }
    }),
    get: |s| Setting::structured(&s.runtime.dirs),
};

/// `runtime.volumes`.
pub const RUNTIME_VOLUMES: Key = Key {
    section: section::RUNTIME,
    name: "volumes",
    default: KeyDefault::text("the base's"),
    meaning: "volumes, absolute paths (`VOLUME`)",
    targets: IMAGE,
    set: Setter::List(|c, s, f| s.runtime.volumes = c.volumes(f)),
    get: |s| (&s.runtime.volumes).into(),
};

/// `runtime.healthcheck`.
pub const RUNTIME_HEALTHCHECK: Key = Key {
    section: section::RUNTIME,
    name: "healthcheck",
    default: KeyDefault::text("the base's"),
    meaning: "`{ test, interval, timeout, start_period, start_interval, retries }` (`HEALTHCHECK`): `test` an argv, a string for the shell, or `[\"NONE\"]`; durations as `\"30s\"`",
    targets: IMAGE,
    set: Setter::Structured(|c, s, n| {
        if let Some(f) = c.healthcheck(n) {
            s.runtime.healthcheck = Some(f);
        }
    }),
    get: |s| Setting::structured(&s.runtime.healthcheck),
};

/// `runtime.stop_signal`.
pub const RUNTIME_STOP_SIGNAL: Key = Key {
    section: section::RUNTIME,
    name: "stop_signal",
    default: KeyDefault::text("the base's"),
    meaning: "`SIGTERM`, `SIGINT`, ... or a number (`STOPSIGNAL`)",
    targets: IMAGE,
    set: Setter::Str(|c, s, f| s.runtime.stop_signal = c.stop_signal(f)),
    get: |s| (&s.runtime.stop_signal).into(),
};

/// `runtime.bindir`.
pub const RUNTIME_BINDIR: Key = Key {
    section: section::RUNTIME,
    name: "bindir",
    default: KeyDefault {
        text: "{}",
        values: &[Value::Str(defaults::BINDIR)],
    },
    meaning: "where the binaries go",
    targets: IMAGE,
    set: Setter::Str(|c, s, f| s.runtime.bindir = c.image_dir(f)),
    get: |s| (&s.runtime.bindir).into(),
};

/// `runtime.binaries`.
pub const RUNTIME_BINARIES: Key = Key {
    section: section::RUNTIME,
    name: "binaries",
    default: KeyDefault::text("none"),
    meaning: "`{ name = \"/path\" }`: a binary's own path, e.g. a kubebuilder operator's `manager = \"/manager\"`",
    targets: IMAGE,
    set: Setter::PairMap(|c, s, m| s.runtime.binaries = c.binary_paths(m)),
    get: |s| Setting::Map(&s.runtime.binaries),
};

/// `runtime.kodata`.
pub const RUNTIME_KODATA: Key = Key {
    section: section::RUNTIME,
    name: "kodata",
    default: KeyDefault {
        text: "{}",
        values: &[Value::Bool(defaults::KODATA)],
    },
    meaning: "ko's convention: each main package's `kodata/` goes to `/var/run/ko`, and `KO_DATA_PATH` is set",
    targets: IMAGE,
    set: Setter::Bool(|s, f| s.runtime.kodata = Some(f)),
    get: |s| (&s.runtime.kodata).into(),
};

/// `test.packages`.
pub const TEST_PACKAGES: Key = Key {
    section: section::TEST,
    name: "packages",
    default: KeyDefault {
        text: "{} (each member's `./dir/...` in a workspace)",
        values: &[Value::List(defaults::TEST_PACKAGES)],
    },
    meaning: "packages for `--target test`",
    targets: TEST,
    set: Setter::List(|c, s, f| {
        if c.packages(&f, true) {
            s.test.packages = Some(f);
        }
    }),
    get: |s| (&s.test.packages).into(),
};

/// `test.flags`.
pub const TEST_FLAGS: Key = Key {
    section: section::TEST,
    name: "flags",
    default: KeyDefault::text("none"),
    meaning: "extra `go test` flags",
    targets: TEST,
    set: Setter::List(|c, s, f| {
        if c.test_flags(&f) {
            s.test.flags = Some(f);
        }
    }),
    get: |s| (&s.test.flags).into(),
};

/// `test.coverage`.
pub const TEST_COVERAGE: Key = Key {
    section: section::TEST,
    name: "coverage",
    default: KeyDefault {
        text: "{}",
        values: &[Value::Bool(defaults::COVERAGE)],
    },
    meaning: "`-coverprofile`: the merged coverage profile, `coverage.out` in `--target test-report` (Go caches a run with it from Go 1.25)",
    targets: TEST,
    set: Setter::Bool(|s, f| s.test.coverage = Some(f)),
    get: |s| (&s.test.coverage).into(),
};

/// `test.coverpkg`.
pub const TEST_COVERPKG: Key = Key {
    section: section::TEST,
    name: "coverpkg",
    default: KeyDefault::text("the tested packages"),
    meaning: "`-coverpkg`: the packages coverage counts (with `test.coverage`)",
    targets: TEST,
    set: Setter::List(|c, s, f| {
        if c.packages(&f, true) {
            s.test.coverpkg = Some(f);
        }
    }),
    get: |s| (&s.test.coverpkg).into(),
};

/// `test.race`.
pub const TEST_RACE: Key = Key {
    section: section::TEST,
    name: "race",
    default: KeyDefault {
        text: "{}",
        values: &[Value::Bool(defaults::RACE)],
    },
    meaning: "`go test -race` (cgo on for the tests only: the builder needs a C compiler, as the `golang` images have)",
    targets: TEST,
    set: Setter::Bool(|s, f| s.test.race = Some(f)),
    get: |s| (&s.test.race).into(),
};

/// `test.shard`.
pub const TEST_SHARD: Key = Key {
    section: section::TEST,
    name: "shard",
    default: KeyDefault::text("every package"),
    meaning: "`I/N`: the I-th of N shards of the tested packages (sorted by import path, every N-th from the I-th), e.g. `2/4` or `GOFRONT_TEST_SHARD=2/4`",
    targets: TEST,
    set: Setter::Str(|c, s, f| {
        if c.shard(&f) {
            s.test.shard = Some(f);
        }
    }),
    get: |s| (&s.test.shard).into(),
};

/// `cache.scope`.
pub const CACHE_SCOPE: Key = Key {
    section: section::CACHE,
    name: "scope",
    default: KeyDefault {
        text: "{}",
        values: &[Value::Str(defaults::SCOPE.as_str())],
    },
    meaning: "which builds share the Go build cache and the module download cache: `builder` (every project on the builder) or `project` (only builds of the same module path)",
    targets: ALL,
    set: Setter::Str(|c, s, f| s.cache.scope = c.cache_scope(f)),
    get: |s| (&s.cache.scope).into(),
};

/// Every key, in the order the README lists them.
pub const KEYS: &[Key] = &[
    BUILD_PACKAGES,
    BUILD_OUTPUT,
    BUILD_TAGS,
    BUILD_LDFLAGS,
    BUILD_STRIP,
    BUILD_CGO,
    BUILD_TRIMPATH,
    BUILD_ENV,
    BUILD_BUILDER,
    DOWNLOAD_NETWORK,
    DOWNLOAD_ENV,
    DOWNLOAD_CONTEXTS,
    DOWNLOAD_SECRETS,
    DOWNLOAD_SSH,
    RUNTIME_BASE,
    RUNTIME_ENTRYPOINT,
    RUNTIME_CMD,
    RUNTIME_USER,
    RUNTIME_WORKDIR,
    RUNTIME_ENV,
    RUNTIME_EXPOSE,
    RUNTIME_LABELS,
    RUNTIME_FILES,
    RUNTIME_DIRS,
    RUNTIME_VOLUMES,
    RUNTIME_HEALTHCHECK,
    RUNTIME_STOP_SIGNAL,
    RUNTIME_BINDIR,
    RUNTIME_BINARIES,
    RUNTIME_KODATA,
    TEST_PACKAGES,
    TEST_FLAGS,
    TEST_COVERAGE,
    TEST_COVERPKG,
    TEST_RACE,
    TEST_SHARD,
    CACHE_SCOPE,
];

/// The sections, in the order of [`KEYS`].
pub fn sections() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for k in KEYS {
        if !out.contains(&k.section) {
            out.push(k.section);
        }
    }
    out
}

/// The key `section.name`, if there is one.
pub fn find(section: &str, name: &str) -> Option<&'static Key> {
    KEYS.iter().find(|k| k.section == section && k.name == name)
}

/// The README's spec table (Markdown), one row per key.
#[cfg(test)]
fn readme_table() -> String {
    let mut out = String::from("| key | default | meaning |\n| --- | --- | --- |\n");
    for k in KEYS {
        out.push_str(&format!(
            "| `{}` | {} | {} |\n",
            k.dotted(),
            k.default,
            k.meaning
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used, clippy::unwrap_used)]

    use super::*;

    /// The README's table is generated from [`KEYS`]; regenerate it with
    /// `GOFRONT_WRITE_README=1 cargo test -p gofront readme_table`.
    #[test]
    fn readme_table_is_generated_from_the_keys() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md");
        let readme = std::fs::read_to_string(path).expect("README.md");
        let header = "| key | default | meaning |\n";
        let start = readme.find(header).expect("the spec table in README.md");
        let len = readme[start..].find("\n\n").expect("end of the table") + 1;
        let table = readme_table();
        if std::env::var_os("GOFRONT_WRITE_README").is_some() {
            let new = format!("{}{}{}", &readme[..start], table, &readme[start + len..]);
            std::fs::write(path, new).expect("write README.md");
            return;
        }
        assert_eq!(
            &readme[start..start + len],
            table,
            "README.md's spec table differs from spec::keys::KEYS; regenerate it with GOFRONT_WRITE_README=1 cargo test -p gofront readme_table"
        );
    }

    #[test]
    fn each_default_value_stands_in_its_words() {
        for k in KEYS {
            let d = &k.default;
            assert_eq!(
                d.text.matches("{}").count(),
                d.values.len(),
                "{}: one {{}} per value",
                k.dotted()
            );
        }
        let base = find("runtime", "base").unwrap();
        assert_eq!(
            base.default.to_string(),
            format!(
                "`{}` (cgo off) / `{}` (cgo on)",
                defaults::STATIC_BASE,
                defaults::CGO_BASE
            )
        );
        assert_eq!(
            find("build", "strip").unwrap().default.to_string(),
            "`true`"
        );
    }

    #[test]
    fn build_arg_names_are_derived() {
        let names: Vec<String> = KEYS.iter().map(Key::build_arg).collect();
        assert!(names.contains(&"GOFRONT_BUILD_TAGS".to_string()));
        assert!(names.contains(&"GOFRONT_DOWNLOAD_ENV_".to_string()));
        assert!(names.contains(&"GOFRONT_DOWNLOAD_CONTEXTS".to_string()));
        assert_eq!(
            sections(),
            ["build", "download", "runtime", "test", "cache"]
        );
    }
}
