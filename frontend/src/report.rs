//! The frontend's result as data: the spec with its own source map, the
//! project, the warnings (each with its location) and one plan per target
//! platform. `lower`, `explain`, `--call outline|targets|check` and the
//! warnings the gateway sends to BuildKit are views of it.
//!
//! Invariant: pure; `driver::generate` builds it once, and nothing parses
//! or resolves again after it.

use serde::Serialize;

use crate::gomod::GoVersion;
use crate::llb::SourceFile;
use crate::options::{GOCACHE_CONTEXT, GOCACHE_TESTS_ARG, Options};
use crate::plan::{self, Plan, Project};
use crate::spec::{self, KEYS, Language, LineCol, Origin, Setting, Spec};
use crate::target::Target;
use crate::testflags::{self, Uncacheable};

/// Everything the frontend decided for one build.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The spec, parsed, with its source map.
    pub spec: SpecReport,
    /// The project.
    pub project: ProjectReport,
    /// What the user should know that is not an error.
    pub warnings: Vec<Warning>,
    /// One plan per target platform, in `--platform` order.
    pub plans: Vec<Plan>,
    /// Return a map of per-platform results (several platforms, or
    /// `multi-platform=true`), rather than one result.
    pub multi_platform: bool,
}

/// The spec file as the user wrote it: its name, its text (a byte order
/// mark dropped, which every offset of the spec counts from) and its
/// language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceMap {
    /// The file's name as the user knows it.
    pub file: String,
    /// Its text, without a byte order mark.
    pub text: String,
    /// Its language.
    pub language: Language,
}

impl SourceMap {
    /// The spec file `file` with this text: a byte order mark dropped, the
    /// language decided.
    pub fn new(file: &str, text: &str) -> SourceMap {
        let text = spec::strip_bom(text).to_string();
        SourceMap {
            file: file.to_string(),
            language: spec::language(&text),
            text,
        }
    }

    /// The 1-based line and column of a byte offset of the text.
    pub fn line_col(&self, offset: usize) -> LineCol {
        spec::line_col(&self.text, offset)
    }

    /// As the source file LLB source locations point into.
    pub fn to_llb(&self) -> SourceFile {
        SourceFile {
            filename: self.file.clone(),
            data: self.text.clone().into_bytes(),
            language: self.language.as_str().to_string(),
        }
    }
}

/// The spec, parsed, beside its source map.
#[derive(Debug, Clone, Serialize)]
pub struct SpecReport {
    /// The file.
    pub source: SourceMap,
    /// What it says (with build args merged), each value with its span.
    pub spec: Spec,
}

/// The project, as read from the build context.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectReport {
    /// The module layout, vendoring and workspace.
    pub layout: Project,
    /// `.dockerignore`, if there is one.
    pub dockerignore: Option<String>,
}

/// gofront's rules, reported as warnings (and by `--call check`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Rule {
    /// A `[download]` key without a download step.
    DownloadKeyWithoutDownload,
    /// cgo binaries on a scratch base.
    CgoOnScratch,
    /// `.dockerignore` hides a file the Go steps need.
    DockerignoreExcludesModuleFiles,
    /// A credential in `download.env`.
    CredentialsInDownloadEnv,
    /// A build arg nobody reads.
    UnknownBuildArg,
    /// `test.flags` that keep Go from reusing cached test results.
    UncacheableTestFlags,
    /// `GOFRONT_GOCACHE_TESTS` on an export that has no seed.
    GocacheTestsWithoutSeed,
    /// `.dockerignore` hides a file the runtime image copies.
    DockerignoreExcludesRuntimeFiles,
    /// A shell healthcheck on a distroless base, which has no shell.
    ShellHealthcheckWithoutShell,
}

impl Rule {
    /// The rule's name, as `--call check` shows it.
    pub fn name(self) -> &'static str {
        match self {
            Rule::DownloadKeyWithoutDownload => "DownloadKeyWithoutDownload",
            Rule::CgoOnScratch => "CgoOnScratch",
            Rule::DockerignoreExcludesModuleFiles => "DockerignoreExcludesModuleFiles",
            Rule::CredentialsInDownloadEnv => "CredentialsInDownloadEnv",
            Rule::UnknownBuildArg => "UnknownBuildArg",
            Rule::UncacheableTestFlags => "UncacheableTestFlags",
            Rule::GocacheTestsWithoutSeed => "GocacheTestsWithoutSeed",
            Rule::DockerignoreExcludesRuntimeFiles => "DockerignoreExcludesRuntimeFiles",
            Rule::ShellHealthcheckWithoutShell => "ShellHealthcheckWithoutShell",
        }
    }

    /// What the rule is about.
    pub fn description(self) -> &'static str {
        match self {
            Rule::DownloadKeyWithoutDownload => {
                "A [download] key has no effect when there is no go mod download step"
            }
            Rule::CgoOnScratch => {
                "A cgo binary needs a C library that a scratch image does not have"
            }
            Rule::DockerignoreExcludesModuleFiles => {
                ".dockerignore must not exclude the files Go needs to resolve modules"
            }
            Rule::CredentialsInDownloadEnv => {
                "download.env values are written into the build definition, its cache and its provenance"
            }
            Rule::UnknownBuildArg => "A build arg that gofront does not read",
            Rule::UncacheableTestFlags => {
                "A test flag outside the set Go caches makes go test run every test each time"
            }
            Rule::GocacheTestsWithoutSeed => {
                "Only a seeded Go build cache export holds test results"
            }
            Rule::DockerignoreExcludesRuntimeFiles => {
                "A file the runtime image copies must not be excluded by .dockerignore"
            }
            Rule::ShellHealthcheckWithoutShell => {
                "A healthcheck given as a string runs with /bin/sh, which distroless bases do not have"
            }
        }
    }
}

/// One warning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// The rule.
    pub rule: Rule,
    /// What is wrong, and what to do.
    pub detail: String,
    /// Where, when it is somewhere.
    pub location: Option<Location>,
}

impl Warning {
    /// One line for the build's output: the location first, as errors say
    /// it; control characters from the input escaped.
    pub fn message(&self) -> String {
        let line = match &self.location {
            Some(at) => format!(
                "{}:{}:{}: {}",
                at.file, at.start.line, at.start.column, self.detail
            ),
            None => self.detail.clone(),
        };
        line.chars()
            .map(|c| {
                if c.is_control() {
                    c.escape_default().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect()
    }
}

/// A span of a file: the spec or `.dockerignore`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    /// The file's name as the user knows it.
    pub file: String,
    /// Where the span starts.
    pub start: LineCol,
    /// Where it ends.
    pub end: LineCol,
}

/// The warnings of a build, from what is known of it: the spec when it
/// parsed, the project when it was read, whether the plans have a
/// download step when there are plans, the builder image's Go version
/// when it says.
pub fn warnings(
    options: &Options,
    source: &SourceMap,
    spec: Option<&Spec>,
    project: Option<&ProjectReport>,
    downloads: Option<bool>,
    builder_go: Option<&GoVersion>,
) -> Vec<Warning> {
    let mut out = Vec::new();
    let at = |origin: &Origin| match origin {
        Origin::File(r) => Some(Location {
            file: source.file.clone(),
            start: source.line_col(r.start),
            end: source.line_col(r.end.max(r.start)),
        }),
        Origin::BuildArg(_) | Origin::Unknown => None,
    };
    if let Some(spec) = spec {
        // [download] keys without a download step.
        if downloads == Some(false) {
            let why = if project.is_some_and(|p| p.layout.vendored) {
                "the project is vendored (vendor/modules.txt), so gofront runs no go mod download step"
            } else {
                "go.mod requires no modules, so gofront runs no go mod download step"
            };
            for key in KEYS
                .iter()
                .filter(|k| k.section == crate::spec::keys::section::DOWNLOAD)
            {
                let Some(origin) = setting_origin(key.setting(spec)) else {
                    continue;
                };
                out.push(Warning {
                    rule: Rule::DownloadKeyWithoutDownload,
                    detail: format!("{} has no effect: {why}", key.dotted()),
                    location: at(origin),
                });
            }
        }
        if let (Some(cgo), Some(base)) = (&spec.build.cgo, &spec.runtime.base)
            && cgo.value
            && base.value == "scratch"
        {
            out.push(Warning {
                rule: Rule::CgoOnScratch,
                detail: format!(
                    "build.cgo = true links the binaries against the C library, which runtime.base = \"scratch\" does not have; use a base with libc (the default for cgo is {})",
                    crate::spec::defaults::CGO_BASE
                ),
                location: at(&base.origin),
            });
        }
        for (name, field) in &spec.download.env {
            if let Some(detail) = spec::credential_in_env(name, &field.value) {
                out.push(Warning {
                    rule: Rule::CredentialsInDownloadEnv,
                    detail,
                    location: at(&field.origin),
                });
            }
        }
        // test.flags matter to the test target, and to a check of the
        // whole spec (the one subrequest that asks for warnings).
        let key = &crate::spec::keys::TEST_FLAGS;
        if let Some(flags) = &spec.test.flags
            && (key.targets.contains(&options.target) || options.request_id.is_some())
        {
            // The builder's Go, else the one gofront picks for the project.
            let go = builder_go.or(project.map(|p| p.layout.default_go()));
            for found in testflags::uncacheable(&flags.value, go) {
                out.push(Warning {
                    rule: Rule::UncacheableTestFlags,
                    detail: uncacheable_detail(key.dotted(), &found, go),
                    location: at(&flags.origin),
                });
            }
        }
    }
    if let Some(ProjectReport {
        layout,
        dockerignore: Some(ignore),
    }) = project
    {
        for (what, line) in plan::dockerignore_hides(ignore, layout) {
            let keep = what.trim_end_matches('/');
            let pos = LineCol { line, column: 1 };
            out.push(Warning {
                rule: Rule::DockerignoreExcludesModuleFiles,
                detail: format!(
                    ".dockerignore excludes {what}, which the go steps need; remove the pattern on line {line} or add !{keep}"
                ),
                location: Some(Location {
                    file: ".dockerignore".to_string(),
                    start: pos,
                    end: pos,
                }),
            });
        }
    }
    // The export records what Go steps used only when they run seeded
    // (plan::resolve's gocache_plan): without a seed, no test results.
    if options.target == Target::Gocache
        && options.gocache_tests
        && options.named_context(GOCACHE_CONTEXT).is_none()
    {
        out.push(Warning {
            rule: Rule::GocacheTestsWithoutSeed,
            detail: format!(
                "build-arg {GOCACHE_TESTS_ARG}=true adds test results only to the export of a seeded build, and this one has no --build-context {GOCACHE_CONTEXT}=...: the export holds no test results, so the next runner runs every test again; pass --build-context {GOCACHE_CONTEXT}=DIR (an empty directory the first time) to this build and the ones before it"
            ),
            location: None,
        });
    }
    if let (Some(spec), Some(ignore)) = (spec, project.and_then(|p| p.dockerignore.as_deref())) {
        for (entry, src, origin, line) in runtime_files_hidden(spec, ignore) {
            out.push(Warning {
                rule: Rule::DockerignoreExcludesRuntimeFiles,
                detail: format!(
                    "{entry} copies {src:?} into the image, but .dockerignore excludes it (line {line}), so the build fails not finding it; remove the pattern or add !{src} to .dockerignore"
                ),
                location: at(origin),
            });
        }
    }
    if let Some(spec) = spec {
        let images = std::iter::once(None).chain(spec.images.keys().map(|k| Some(k.as_str())));
        for name in images {
            let rt = spec.runtime_for(name);
            let Some(h) = &rt.healthcheck else { continue };
            let test = &h.value.test;
            let base = rt.base.as_ref().map(|b| b.value.as_str());
            // Unset, the base is distroless (either default).
            let shell_less = base.is_none_or(|b| b.starts_with("gcr.io/distroless/"));
            if test.value.first().map(String::as_str) == Some("CMD-SHELL") && shell_less {
                let key = match name {
                    None => "runtime.healthcheck.test".to_string(),
                    Some(n) => format!("images.{n}.healthcheck.test"),
                };
                out.push(Warning {
                    rule: Rule::ShellHealthcheckWithoutShell,
                    detail: format!(
                        "{key} is a string, which Docker runs with /bin/sh, but the base {} has no shell, so the container never turns healthy; give the command as an array, such as [\"/usr/local/bin/app\", \"-health\"]",
                        base.unwrap_or("(distroless, the default)")
                    ),
                    location: at(&test.origin),
                });
            }
        }
    }
    for detail in options.unused_build_args() {
        out.push(Warning {
            rule: Rule::UnknownBuildArg,
            detail,
            location: None,
        });
    }
    out
}

/// The `runtime.files` entries (of `[runtime]` and each `[images.NAME]`)
/// whose source `.dockerignore` excludes: the entry, its source, where the
/// source is written and the pattern's line. A glob is checked by the
/// directory it lists.
fn runtime_files_hidden<'s>(
    spec: &'s Spec,
    ignore: &str,
) -> Vec<(String, &'s str, &'s Origin, usize)> {
    let Ok(matcher) = crate::dockerignore::Matcher::new(&crate::dockerignore::read(ignore)) else {
        return Vec::new();
    };
    let sections = std::iter::once(("runtime".to_string(), &spec.runtime)).chain(
        spec.images
            .iter()
            .map(|(name, i)| (format!("images.{name}"), &i.runtime)),
    );
    let mut out = Vec::new();
    for (section, rt) in sections {
        let Some(files) = &rt.files else { continue };
        for (i, f) in files.value.iter().enumerate() {
            let src = f.src.value.as_str();
            if src == "." {
                continue;
            }
            let literal = match src.find(['*', '?', '[']) {
                Some(n) => src[..n].rsplit_once('/').map_or("", |(dir, _)| dir),
                None => src,
            };
            if literal.is_empty() {
                continue;
            }
            if let Some(line) = matcher.excluded_by(literal) {
                out.push((format!("{section}.files[{i}]"), src, &f.src.origin, line));
            }
        }
    }
    out
}

/// What an uncacheable entry of `test.flags` does, and what to do.
fn uncacheable_detail(key: String, found: &Uncacheable, go: Option<&GoVersion>) -> String {
    let flag = found.written();
    let remedy = "remove it to let --target test reuse the results of unchanged packages";
    match found {
        Uncacheable::Flag { .. } => {
            let which = go.map_or("Go".to_string(), |v| format!("Go {}", v.minor_line()));
            let cacheable = testflags::cacheable_flags(go).join(", ");
            format!(
                "{key}: {flag} makes go test run every test each time: {which} reuses a cached result only when every test flag is one of {cacheable}; {remedy}"
            )
        }
        Uncacheable::Unknown { .. } => format!(
            "{key}: go test does not know {flag}, so it passes it to the test binary and runs every test each time; {remedy}"
        ),
        Uncacheable::NotAFlag { .. } => format!(
            "{key}: {flag} is not a flag: go test takes it for a package to test, or passes it to the test binary and runs every test each time; remove it"
        ),
        Uncacheable::Args { .. } => format!(
            "{key}: {flag} passes the rest of the go test command line, test.packages included, to the test binary, so go test tests only the package in its working directory and never reuses a result; remove it"
        ),
        Uncacheable::Exec { .. } => format!(
            "{key}: {flag} runs the test binary through another program, and go test never saves the result of such a run; {remedy}"
        ),
    }
}

/// Where a key is set, if it is (a table's first entry stands for it).
pub fn setting_origin(setting: Setting<'_>) -> Option<&Origin> {
    match setting {
        Setting::Unset => None,
        Setting::Str(f) => Some(&f.origin),
        Setting::Bool(f) => Some(&f.origin),
        Setting::Network(f) => Some(&f.origin),
        Setting::Scope(f) => Some(&f.origin),
        Setting::List(f) => Some(&f.origin),
        Setting::Structured(v) => Some(v.origin()),
        Setting::Map(m) => m.values().next().map(|f| &f.origin),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn source(text: &str) -> SourceMap {
        SourceMap::new("gofront.toml", text)
    }

    fn options(pairs: &[(&str, &str)]) -> Options {
        let mut all = vec![("filename", "gofront.toml")];
        all.extend_from_slice(pairs);
        Options::parse(all).unwrap()
    }

    #[test]
    fn credentials_in_download_env_are_warned_about_with_their_line() {
        let text = "[download]\nenv = { GOPROXY = \"https://bob:pw@proxy.example\", GOPRIVATE = \"example.com\" }\n";
        let src = source(text);
        let spec = spec::parse("gofront.toml", &src.text, &Default::default()).unwrap();
        let w = warnings(&options(&[]), &src, Some(&spec), None, None, None);
        let messages: Vec<String> = w.iter().map(Warning::message).collect();
        assert_eq!(
            messages,
            [
                "gofront.toml:2:19: download.env.GOPROXY holds a URL with a user name or password; they end up in the build definition, the cache and provenance attestations; pass credentials as a BuildKit secret instead: download.secrets = [\"netrc\"] and --secret id=netrc,src=$HOME/.netrc"
            ]
        );
        assert_eq!(w[0].rule, Rule::CredentialsInDownloadEnv);
    }

    fn test_flag_warnings(text: &str, pairs: &[(&str, &str)], go: Option<&str>) -> Vec<String> {
        let src = source(text);
        let spec = spec::parse("gofront.toml", &src.text, &Default::default()).unwrap();
        let go = go.map(|v| GoVersion::parse(v).unwrap());
        warnings(&options(pairs), &src, Some(&spec), None, None, go.as_ref())
            .iter()
            .filter(|w| w.rule == Rule::UncacheableTestFlags)
            .map(Warning::message)
            .collect()
    }

    const COUNT_ONE: &str = "[test]\nflags = [\"-v\", \"-count=1\", \"-skip=TestSlow\"]\n";

    #[test]
    fn uncacheable_test_flags_are_warned_about_on_their_line_for_the_test_target() {
        let messages = test_flag_warnings(COUNT_ONE, &[("target", "test")], Some("1.24.4"));
        assert_eq!(
            messages,
            [
                "gofront.toml:2:9: test.flags: -count=1 makes go test run every test each time: Go 1.24 reuses a cached result only when every test flag is one of -benchtime, -cpu, -failfast, -fullpath, -list, -parallel, -run, -short, -timeout, -v; remove it to let --target test reuse the results of unchanged packages",
                "gofront.toml:2:9: test.flags: -skip=TestSlow makes go test run every test each time: Go 1.24 reuses a cached result only when every test flag is one of -benchtime, -cpu, -failfast, -fullpath, -list, -parallel, -run, -short, -timeout, -v; remove it to let --target test reuse the results of unchanged packages",
            ]
        );
        // Go 1.25 caches -skip.
        let messages = test_flag_warnings(COUNT_ONE, &[("target", "test")], Some("1.26.10"));
        assert_eq!(messages.len(), 1);
        assert!(messages[0].starts_with("gofront.toml:2:9: test.flags: -count=1 "));
        assert!(messages[0].contains("Go 1.26 reuses"));
    }

    #[test]
    fn test_flags_are_checked_by_the_check_and_the_test_target_only() {
        let image = test_flag_warnings(COUNT_ONE, &[], Some("1.26"));
        assert_eq!(image, Vec::<String>::new());
        let binaries = test_flag_warnings(COUNT_ONE, &[("target", "binaries")], Some("1.26"));
        assert_eq!(binaries, Vec::<String>::new());
        let check = test_flag_warnings(COUNT_ONE, &[("requestid", "frontend.lint")], Some("1.26"));
        assert_eq!(check.len(), 1);
        let clean = "[test]\nflags = [\"-v\", \"-race\", \"-run=TestA\", \"-timeout\", \"-5m\"]\n";
        assert_eq!(
            test_flag_warnings(clean, &[("target", "test")], Some("1.24")),
            Vec::<String>::new()
        );
    }

    #[test]
    fn args_and_exec_in_test_flags_are_explained() {
        let text = "[test]\nflags = [\n  \"-exec=qemu-aarch64\",\n  \"-args\", \"-x\"]\n";
        assert_eq!(
            test_flag_warnings(text, &[("target", "test")], None),
            [
                "gofront.toml:2:9: test.flags: -exec=qemu-aarch64 runs the test binary through another program, and go test never saves the result of such a run; remove it to let --target test reuse the results of unchanged packages",
                "gofront.toml:2:9: test.flags: -args passes the rest of the go test command line, test.packages included, to the test binary, so go test tests only the package in its working directory and never reuses a result; remove it",
            ]
        );
        let unknown = "[test]\nflags = [\"-myflag=1\"]\n";
        assert_eq!(
            test_flag_warnings(unknown, &[("target", "test")], None),
            [
                "gofront.toml:2:9: test.flags: go test does not know -myflag=1, so it passes it to the test binary and runs every test each time; remove it to let --target test reuse the results of unchanged packages"
            ]
        );
    }

    #[test]
    fn a_byte_order_mark_is_no_part_of_the_source_and_json_is_json() {
        let src = source("\u{feff}[build]\ntags = [\"a\"]\n");
        assert_eq!(src.text, "[build]\ntags = [\"a\"]\n");
        assert_eq!(src.language, Language::Toml);
        assert_eq!(src.to_llb().language, "toml");
        let src = source("\u{feff}{\"syntax\": \"gofront:dev\"}\n");
        assert_eq!(src.language, Language::Json);
        assert_eq!(src.to_llb().language, "json");
    }

    #[test]
    fn a_runtime_file_dockerignore_excludes_is_warned_about_on_its_line() {
        let text = "[[runtime.files]]\nsrc = \"config/app.yaml\"\ndest = \"/etc/app/\"\n[[runtime.files]]\nsrc = \"docs/*.md\"\ndest = \"/doc/\"\n[[runtime.files]]\nsrc = \"web\"\ndest = \"/web\"\n";
        let src = source(text);
        let spec = spec::parse("gofront.toml", &src.text, &Default::default()).unwrap();
        let project = ProjectReport {
            layout: plan::layout(&plan::ProjectFiles {
                go_mod: Some("module example.com/app\n\ngo 1.24\n".into()),
                ..Default::default()
            })
            .unwrap(),
            dockerignore: Some("config\n*.md\ndocs\n!web\n".into()),
        };
        let w = warnings(&options(&[]), &src, Some(&spec), Some(&project), None, None);
        let messages: Vec<String> = w
            .iter()
            .filter(|w| w.rule == Rule::DockerignoreExcludesRuntimeFiles)
            .map(Warning::message)
            .collect();
        assert_eq!(
            messages,
            [
                "gofront.toml:2:7: runtime.files[0] copies \"config/app.yaml\" into the image, but .dockerignore excludes it (line 1), so the build fails not finding it; remove the pattern or add !config/app.yaml to .dockerignore",
                "gofront.toml:5:7: runtime.files[1] copies \"docs/*.md\" into the image, but .dockerignore excludes it (line 3), so the build fails not finding it; remove the pattern or add !docs/*.md to .dockerignore",
            ]
        );
    }

    #[test]
    fn a_shell_healthcheck_on_distroless_is_warned_about() {
        let text = "[runtime]\nhealthcheck = { test = \"curl -f localhost\" }\n[images.api]\nbase = \"alpine:3\"\nhealthcheck = { test = \"wget -q localhost\" }\n";
        let src = source(text);
        let spec = spec::parse("gofront.toml", &src.text, &Default::default()).unwrap();
        let w = warnings(&options(&[]), &src, Some(&spec), None, None, None);
        let messages: Vec<String> = w.iter().map(Warning::message).collect();
        assert_eq!(
            messages,
            [
                "gofront.toml:2:24: runtime.healthcheck.test is a string, which Docker runs with /bin/sh, but the base (distroless, the default) has no shell, so the container never turns healthy; give the command as an array, such as [\"/usr/local/bin/app\", \"-health\"]"
            ]
        );
    }

    #[test]
    fn unknown_build_args_are_warned_about_without_a_location() {
        let src = source("");
        let w = warnings(
            &options(&[("build-arg:UNUSED", "1")]),
            &src,
            None,
            None,
            None,
            None,
        );
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].rule, Rule::UnknownBuildArg);
        assert_eq!(w[0].location, None);
        assert_eq!(
            w[0].message(),
            "build arg UNUSED is not used by gofront; spec keys are set with GOFRONT_* build args"
        );
    }

    #[test]
    fn test_results_asked_of_an_unseeded_export_are_warned_about() {
        let src = source("");
        let of = |pairs: &[(&str, &str)]| -> Vec<String> {
            warnings(&options(pairs), &src, None, None, None, None)
                .iter()
                .map(|w| format!("{}: {}", w.rule.name(), w.message()))
                .collect()
        };
        let tests = ("build-arg:GOFRONT_GOCACHE_TESTS", "true");
        assert_eq!(
            of(&[("target", "gocache"), tests]),
            [
                "GocacheTestsWithoutSeed: build-arg GOFRONT_GOCACHE_TESTS=true adds test results only to the export of a seeded build, and this one has no --build-context gocache=...: the export holds no test results, so the next runner runs every test again; pass --build-context gocache=DIR (an empty directory the first time) to this build and the ones before it"
            ]
        );
        // Seeded, off, or another target: nothing to say.
        let seeded = ("context:gocache", "input:seed");
        assert!(of(&[("target", "gocache"), tests, seeded]).is_empty());
        assert!(
            of(&[
                ("target", "gocache"),
                ("build-arg:GOFRONT_GOCACHE_TESTS", "false")
            ])
            .is_empty()
        );
        assert!(of(&[("target", "test"), tests]).is_empty());
    }
}
