//! The Go steps: packages, env, flags, argv, binaries, and the builder
//! image's Go and user.

use std::collections::BTreeMap;

use super::located::*;
use crate::options::{Options, VERSION_ARG};
use crate::plan::error::PlanError;
use crate::plan::project::Project;
use crate::plan::stamp::Stamp;
use crate::plan::types::{Binary, Owner, PlanInputs, paths};
use crate::platform::Platform;
use crate::spec::keys::{self};
use crate::spec::{Origin, Problem, Spec, defaults, managed};
use crate::target::{Target, binary_target};

/// `build.packages`, else the main packages found in the module root or
/// its `cmd/*` (each member's, in a workspace); none when none was found.
pub(super) fn build_packages(spec: &Spec, project: &Project) -> Vec<String> {
    match (&spec.build.packages, &project.mains) {
        (Some(p), _) => p.value.clone(),
        (None, Some(found)) => found.packages.clone(),
        (None, None) => Vec::new(),
    }
}

/// Without `build.packages`: no main package found where Go developers
/// put them, or not every directory looked at.
pub(super) fn no_packages(spec: &Spec, project: &Project) -> Option<Problem> {
    if spec.build.packages.is_some() {
        return None;
    }
    let found = project.mains.clone().unwrap_or_default();
    let message = if found.incomplete {
        format!(
            "cannot tell which main packages to build: there are more than {} directories where gofront looks for them (the module root and cmd/*)",
            crate::plan::mains::MAX_DIRS
        )
    } else if !found.packages.is_empty() {
        return None;
    } else if project.workspace {
        "no main package found: no go.work member's root has one and no member has a cmd/<name> directory with package main".to_string()
    } else {
        "no main package found: the module root has none and there is no cmd/<name> directory with package main".to_string()
    };
    Some(Problem {
        origin: Origin::Unknown,
        key: keys::BUILD_PACKAGES.dotted(),
        message: format!(
            "{message}; set build.packages to the main packages' directories (e.g. [\"./app\"])"
        ),
    })
}

/// `build.cgo`, else its default.
pub(super) fn cgo_enabled(spec: &Spec) -> bool {
    spec.build.cgo.as_ref().map_or(defaults::CGO, |c| c.value)
}

/// The Go variables the build and test steps set over the builder image's
/// environment: `build.env` first, then gofront's own, which win (the spec
/// refuses managed names in `build.env`).
pub(super) fn go_env(spec: &Spec, vendored: bool, target: &Platform) -> BTreeMap<String, String> {
    let mut env: BTreeMap<String, String> = spec
        .build
        .env
        .iter()
        .map(|(k, v)| (k.clone(), v.value.clone()))
        .collect();
    let ours = [
        (managed::GOTOOLCHAIN, "local"),
        (managed::GOCACHE, paths::GOCACHE),
        (managed::GOMODCACHE, paths::MODCACHE),
        (managed::GOPROXY, "off"),
        (
            managed::GOFLAGS,
            if vendored {
                "-mod=vendor"
            } else {
                "-mod=readonly"
            },
        ),
        (
            managed::CGO_ENABLED,
            if cgo_enabled(spec) { "1" } else { "0" },
        ),
        (managed::GOOS, &target.os),
        (managed::GOARCH, &target.architecture),
    ];
    env.extend(ours.map(|(k, v)| (k.name.to_string(), v.to_string())));
    if let Some((k, v)) = variant_env(target) {
        env.insert(k.name.into(), v);
    }
    env
}

/// The flags `go build`, `go test` and the export's `go list` share: the
/// same flags give the same cache keys, so the export finds the build's
/// entries.
pub(super) fn go_flags(
    spec: &Spec,
    opts: &Options,
    created: &str,
    problems: &mut Vec<Problem>,
) -> Vec<String> {
    let mut flags = vec!["-buildvcs=false".to_string()];
    if spec
        .build
        .trimpath
        .as_ref()
        .map_or(defaults::TRIMPATH, |t| t.value)
    {
        flags.push("-trimpath".into());
    }
    if let Some(tags) = spec.build.tags.as_ref().filter(|t| !t.value.is_empty()) {
        flags.push(format!("-tags={}", tags.value.join(",")));
    }
    let stamp = Stamp::new(
        opts.build_args.get(VERSION_ARG).map(String::as_str),
        opts.vcs_revision.as_deref(),
        created.to_string(),
    );
    let mut ldflags = Vec::new();
    if spec
        .build
        .strip
        .as_ref()
        .map_or(defaults::STRIP, |s| s.value)
    {
        ldflags.push("-s -w".to_string());
    }
    if let Some(ld) = &spec.build.ldflags {
        match crate::plan::stamp::expand(&ld.value, &stamp, &opts.build_args) {
            Ok(v) if !v.trim().is_empty() => ldflags.push(v),
            Ok(_) => {}
            Err(message) => problems.push(problem(
                ld,
                &keys::BUILD_LDFLAGS,
                format!("build.ldflags: {message}"),
            )),
        }
    }
    if !ldflags.is_empty() {
        flags.push(format!("-ldflags={}", ldflags.join(" ")));
    }
    flags
}

/// `go build -v FLAGS -o DIR PACKAGES`: one binary into `DIR/NAME`,
/// several into `DIR/`.
pub(super) fn build_args(
    flags: &[String],
    packages: &[String],
    binaries: &[Binary],
    dir: &str,
) -> Vec<String> {
    let out = match binaries {
        [one] => format!("{dir}/{}", one.name),
        _ => format!("{dir}/"),
    };
    let mut args = strings(&["go", "build", "-v"]);
    args.extend(flags.iter().cloned());
    args.extend(["-o".to_string(), out]);
    args.extend(packages.iter().cloned());
    args
}

/// `test.packages`, else every package of the module (of each member, in a
/// workspace).
pub(super) fn test_packages(spec: &Spec, project: &Project) -> Vec<String> {
    match &spec.test.packages {
        Some(p) => p.value.clone(),
        // `go test ./...` at the root of a workspace matches no module: list
        // each member's packages instead.
        None if project.workspace => project
            .workspace_members
            .iter()
            .map(|d| {
                if d == "." {
                    "./...".to_string()
                } else {
                    format!("./{d}/...")
                }
            })
            .collect(),
        None => strings(defaults::TEST_PACKAGES),
    }
}

/// `go test FLAGS TEST_FLAGS PACKAGES`.
/// `go test`'s argv; with `report` (run through `gofront testreport`),
/// `-json` and the coverage profile into the report directory.
pub(super) fn test_args(
    spec: &Spec,
    flags: &[String],
    test_packages: &[String],
    report: bool,
) -> Vec<String> {
    let mut args = strings(&["go", "test"]);
    if report {
        args.push("-json".into());
    }
    args.extend(flags.iter().cloned());
    if report && spec.test.coverage.as_ref().is_some_and(|c| c.value) {
        args.push(format!(
            "-coverprofile={}/{}",
            paths::REPORT,
            crate::testreport::files::COVERAGE
        ));
        if let Some(p) = &spec.test.coverpkg {
            args.push(format!("-coverpkg={}", p.value.join(",")));
        }
    }
    if race_enabled(spec) {
        args.push("-race".into());
    }
    if let Some(f) = &spec.test.flags {
        args.extend(f.value.iter().cloned());
    }
    args.extend(test_packages.iter().cloned());
    args
}

/// `test.race`.
pub(super) fn race_enabled(spec: &Spec) -> bool {
    spec.test
        .race
        .as_ref()
        .map_or(crate::spec::defaults::RACE, |r| r.value)
}

/// The platforms Go's race detector runs on, as linux/ARCH (Go's
/// `internal/platform.RaceDetectorSupported`, the Linux ports every Go
/// release since 1.19 has).
const RACE_ARCHES: &[&str] = &["amd64", "arm64", "ppc64le", "s390x"];

/// `test.race` for a platform the race detector does not run on.
pub(super) fn race_problem(target: &Platform) -> Option<String> {
    if target.os == "linux" && RACE_ARCHES.contains(&target.architecture.as_str()) {
        return None;
    }
    Some(format!(
        "test.race = true for {target}: Go's race detector runs only on linux/amd64, linux/arm64, linux/ppc64le and linux/s390x; set it false for this platform or test on one of those"
    ))
}

/// cgo for another platform needs a C compiler for that platform, which no
/// builder image has by default: refuse unless `build.env` names one.
pub(super) fn cgo_cross_problem(
    build: &Platform,
    target: &Platform,
    spec: &Spec,
) -> Option<String> {
    if build == target || spec.build.env.contains_key("CC") {
        return None;
    }
    Some(format!(
        "build.cgo = true for {target} on a {build} builder needs a C cross compiler for {target}: set build.env CC to one the builder image has (e.g. CC = \"aarch64-linux-gnu-gcc\"), or build on a native {target} builder"
    ))
}

pub(super) fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

pub(super) fn check_go_version(inp: &PlanInputs<'_>, builder: &str) -> Result<(), PlanError> {
    let Some(have) = inp
        .builder_config
        .and_then(|c| c.env_var("GOLANG_VERSION"))
        .and_then(|v| crate::gomod::GoVersion::parse(&v))
    else {
        // The image does not say; Go itself fails clearly with GOTOOLCHAIN=local.
        return Ok(());
    };
    let (file, wanted) = inp.project.needed_go();
    if have.satisfies(wanted) {
        return Ok(());
    }
    Err(PlanError::GoTooNew {
        file: file.into(),
        wanted: wanted.to_string(),
        wanted_line: wanted.minor_line(),
        builder: builder.to_string(),
        have: have.to_string(),
    })
}

/// `uid[:gid]` or `name[:group]` of the builder image; empty means root.
pub(super) fn owner_of(user: &str) -> Owner {
    let (u, g) = user.split_once(':').unwrap_or((user, ""));
    match (u.parse::<u32>(), g.parse::<u32>()) {
        _ if u.is_empty() => Owner::Ids(0, 0),
        (Ok(uid), Ok(gid)) => Owner::Ids(uid, gid),
        (Ok(uid), Err(_)) if g.is_empty() => Owner::Ids(uid, 0),
        _ => Owner::Names(u.to_string(), (!g.is_empty()).then(|| g.to_string())),
    }
}

pub(super) fn variant_env(p: &Platform) -> Option<(managed::GoVar, String)> {
    // Checked before planning: an unknown variant never gets here.
    crate::plan::platforms::go_variant(p).ok().flatten()
}

/// The files gofront writes beside the binaries (in the build's output
/// and the kept directory), and what they hold: no binary may take their
/// names.
const WRITTEN_BESIDE: [(&str, &str); 2] = [
    (crate::sbom::sums::FILE, "the binaries' digests"),
    (
        paths::USED_FILE,
        "the Go build cache entries a seeded build used",
    ),
];

pub(super) fn binaries(
    spec: &Spec,
    project: &Project,
    packages: &[String],
    platform: &Platform,
    problems: &mut Vec<Problem>,
) -> Vec<Binary> {
    // Both package problems point at build.packages (or nowhere, if defaulted).
    let packages_problem = |message: String| Problem {
        origin: spec
            .build
            .packages
            .as_ref()
            .map_or(Origin::Unknown, |p| p.origin.clone()),
        key: keys::BUILD_PACKAGES.dotted(),
        message,
    };
    let mut out: Vec<Binary> = Vec::new();
    for pkg in packages {
        // `./`, `./.` and `.` are the module's root package.
        let cleaned = crate::plan::project::clean_rel("", pkg).unwrap_or_else(|| pkg.clone());
        // Named as `go build` names it: by its import path.
        let name = if cleaned == "." {
            match &project.module {
                Some(m) => exec_name(m).to_string(),
                None => {
                    problems.push(packages_problem(
                        "build.packages must name the main package's directory (e.g. \"./app\") in a go.work workspace".into(),
                    ));
                    continue;
                }
            }
        } else {
            match import_path(project, &cleaned) {
                Some(path) => exec_name(&path).to_string(),
                // In no module (Go refuses it): named by its directory.
                None => exec_name(&cleaned).to_string(),
            }
        };
        out.push(Binary {
            package: pkg.clone(),
            // As `go build` names executables (app.exe for windows).
            name: format!("{name}{}", crate::platform::exe_suffix(platform)),
        });
    }
    if let Some(output) = &spec.build.output {
        if out.len() == 1 {
            out[0].name = output.value.clone();
        } else {
            problems.push(problem(
                output,
                &keys::BUILD_OUTPUT,
                "build.output can only be set when build.packages names one package".into(),
            ));
        }
    }
    // The files gofront writes beside the binaries keep their names.
    for b in &out {
        let Some((_, what)) = WRITTEN_BESIDE.iter().find(|(n, _)| *n == b.name) else {
            continue;
        };
        problems.push(match spec.build.output.as_ref().filter(|_| out.len() == 1) {
            Some(output) => problem(
                output,
                &keys::BUILD_OUTPUT,
                format!(
                    "build.output cannot be {:?}: gofront writes {what} to a file of that name beside the binaries; choose another name",
                    b.name
                ),
            ),
            None => packages_problem(format!(
                "build.packages: the binary of {:?} would be named {:?}, the file gofront writes {what} to beside the binaries; rename the directory",
                b.package, b.name
            )),
        });
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut targets: BTreeMap<String, &str> = BTreeMap::new();
    for b in &out {
        if !seen.insert(b.name.clone()) {
            problems.push(packages_problem(format!(
                "build.packages: two packages would both produce a binary named {:?}",
                b.name
            )));
            continue;
        }
        let target = binary_target(&b.name);
        if let Some(other) = targets.insert(target.clone(), &b.name) {
            problems.push(packages_problem(format!(
                "build.packages: the binaries {other:?} and {:?} would both be the target {target:?} (a binary named like a built-in target is the target NAME-image); rename one",
                b.name
            )));
        }
    }
    out
}

/// Each `[images.NAME]` must name a binary target.
pub(super) fn images_problems(spec: &Spec, binaries: &[Binary], problems: &mut Vec<Problem>) {
    let names: Vec<String> = binaries.iter().map(|b| binary_target(&b.name)).collect();
    for (name, image) in &spec.images {
        if names.contains(name) {
            continue;
        }
        let hint = crate::spec::suggest::closest(name, names.iter().map(String::as_str))
            .map(|s| format!("; did you mean \"{s}\"?"))
            .unwrap_or_default();
        problems.push(Problem {
            origin: image.origin.clone(),
            key: format!("{}.{name}", keys::section::IMAGES),
            message: format!(
                "[{}.{name}] names no binary target (they are: {}){hint}",
                keys::section::IMAGES,
                names.join(", ")
            ),
        });
    }
}

/// `--target NAME` for a NAME that is neither built in nor a binary's.
pub(super) fn unknown_target(name: &str, binaries: &[Binary]) -> PlanError {
    let names: Vec<String> = binaries.iter().map(|b| binary_target(&b.name)).collect();
    let builtin = Target::ALL.map(Target::name);
    let suggestion = crate::spec::suggest::closest(
        name,
        builtin
            .iter()
            .copied()
            .chain(names.iter().map(String::as_str)),
    )
    .map(str::to_string);
    PlanError::UnknownTarget {
        name: name.to_string(),
        suggestion,
        binaries: names,
    }
}

/// The import path of the package in directory `dir` (clean, relative to
/// the context): the path of the innermost module holding it (a go.work
/// member, else the root go.mod's) joined with the rest of `dir`.
pub(super) fn import_path(project: &Project, dir: &str) -> Option<String> {
    project
        .module_paths
        .iter()
        .filter(|(m, _)| {
            if project.workspace {
                project.workspace_members.contains(m)
            } else {
                m.as_str() == "."
            }
        })
        .filter_map(|(m, path)| {
            let rest = if m == "." {
                Some(dir).filter(|d| *d != ".")
            } else if dir == m {
                None
            } else {
                Some(dir.strip_prefix(m.as_str())?.strip_prefix('/')?)
            };
            // Every module here holds `dir`: the longest is the innermost.
            let depth = if m == "." { 0 } else { m.len() };
            Some((depth, path, rest))
        })
        .max_by_key(|(depth, ..)| *depth)
        .map(|(_, path, rest)| match rest {
            Some(rest) => format!("{path}/{rest}"),
            None => path.clone(),
        })
}

/// The name `go build` gives the binary of the main package at
/// `import_path`, by cmd/go's rule (`load.Package.DefaultExecName`, its
/// `exeFromImportPath` in module mode; `go build -o DIR/` names each
/// binary so, with `.exe` for windows): the path's last element, or the
/// element before it when the last is a major-version suffix (`v2`, `v10`;
/// not `v1`, `v0` or `v02`) and not the whole path. So `./cmd/v2` of
/// module `example.com/x` is `cmd`, a module `example.com/tool/v2` is
/// `tool`, and a module `example.com/tool/v1` is `v1`. The one place
/// gofront names a binary: the plan's names are what `gofront keep`
/// copies and what the image and the Dockerfile name.
pub(super) fn exec_name(import_path: &str) -> &str {
    let (dir, elem) = import_path.rsplit_once('/').unwrap_or(("", import_path));
    if elem != import_path && is_version_element(elem) {
        // path.Dir cleans the rest first.
        let dir = dir.trim_end_matches('/');
        return dir.rsplit_once('/').map_or(dir, |(_, last)| last);
    }
    elem
}

/// Whether `s` is a major-version path element, as cmd/go's
/// `isVersionElement`: `v` then digits, not starting with `0`, and not
/// `v1` (which a module path never needs).
fn is_version_element(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2
        && b[0] == b'v'
        && b[1] != b'0'
        && !(b[1] == b'1' && b.len() == 2)
        && b[1..].iter().all(u8::is_ascii_digit)
}
