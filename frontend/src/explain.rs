//! Turns a [`Plan`] into the equivalent Dockerfile, for review: the second
//! renderer of a plan, beside `lower` (plan to LLB).
//!
//! Same images, same Go env and flags, same steps, mounts, cache ids,
//! users and image config. Where gofront does something a Dockerfile cannot
//! say (its cache tools, a read-only root, MergeOp without `COPY --link`,
//! cache owners by name), the nearest equivalent is written with a `#`
//! comment saying what differs. No `# syntax=` line: the engine's built-in
//! Dockerfile frontend builds it.
//!
//! Invariant: pure, and no decisions: every value comes from the plan.

use std::collections::BTreeMap;

use thiserror::Error;

use crate::plan::{GoStep, MountSource, Owner, Plan, Sharing, TargetPlan, paths};
use crate::spec::Network;
use crate::testreport::files;

mod image;
use image::image_stage;

/// Stage names of the generated Dockerfile.
pub mod stages {
    /// `go mod download`.
    pub const MODULES: &str = "modules";
    /// The builder with the Go env, which the Go steps start from.
    pub const TOOLCHAIN: &str = "toolchain";
    /// `go build`.
    pub const BUILD: &str = "build";
    /// The binaries alone, like `--target binaries`.
    pub const BINARIES: &str = "binaries";
    /// `go test`, like `--target test`.
    pub const TEST: &str = "test";
    /// The test report, like `--target test-report`.
    pub const TEST_REPORT: &str = "test-report";
    /// The runtime image, like `--target image`.
    pub const IMAGE: &str = "image";
    /// An empty directory, copied to create one (`runtime.dirs`).
    pub const EMPTY: &str = "empty";
}

/// What cannot be written as a Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ExplainError {
    /// `--target gocache` is gofront's own cache tool.
    #[error(
        "--target gocache exports the Go build cache with gofront's own tool, which a Dockerfile cannot run; explain --target image, binaries or test"
    )]
    GocacheTarget,
}

/// The Dockerfile equivalent to `plan`, whose spec is `spec_file`.
pub fn dockerfile(plan: &Plan, spec_file: &str) -> Result<String, ExplainError> {
    if let TargetPlan::Gocache { .. } = plan.target {
        return Err(ExplainError::GocacheTarget);
    }
    let mut d = Doc::default();
    header(&mut d, plan, spec_file);
    if plan.download.is_some() {
        modules_stage(&mut d, plan);
    }
    toolchain_stage(&mut d, plan);
    match &plan.target {
        TargetPlan::Test { test, report } => {
            test_stage(&mut d, plan, test);
            if let Some(r) = report {
                report_stage(&mut d, r);
            }
        }
        TargetPlan::Binaries { build, .. } | TargetPlan::Gocache { build, .. } => {
            build_stage(&mut d, plan, build);
            binaries_stage(&mut d);
        }
        TargetPlan::Image { build, runtime, .. } => {
            build_stage(&mut d, plan, build);
            binaries_stage(&mut d);
            image_stage(&mut d, runtime);
        }
    }
    Ok(d.text)
}

fn header(d: &mut Doc, plan: &Plan, spec_file: &str) {
    d.comment(&format!(
        "The Dockerfile equivalent of gofront's plan for {spec_file} (`gofront dockerfile`, --target {}, {}), for review. Build it with the engine's own Dockerfile frontend and the same build contexts. Comments say where gofront does something a Dockerfile cannot.",
        plan.target.name(),
        plan.target_platform,
    ));
    let contexts: Vec<String> = plan
        .download
        .iter()
        .flat_map(|dl| &dl.contexts)
        .map(|c| format!("--build-context {}=DIR", c.name))
        .collect();
    if !contexts.is_empty() {
        d.comment(&format!(
            "It needs the named build contexts the spec uses: {}",
            contexts.join(" ")
        ));
    }
    if plan.target_platform != plan.build_platform
        && !matches!(plan.target, TargetPlan::Test { .. })
    {
        d.comment(&format!(
            "The Go steps run on the build platform and cross-compile for {0} (GOOS/GOARCH below); build with --platform {0} so that the runtime base matches.",
            plan.target_platform
        ));
    }
    d.blank();
}

/// The `FROM` of a stage that starts from the builder image.
fn from_builder(d: &mut Doc, plan: &Plan, stage: &str) {
    d.line(&format!(
        "FROM --platform=$BUILDPLATFORM {} AS {stage}",
        word(&plan.builder.reference)
    ));
    if !plan.builder_user.is_empty() {
        d.line(&format!("USER {}", word(&plan.builder_user)));
    }
}

fn modules_stage(d: &mut Doc, plan: &Plan) {
    let Some(dl) = &plan.download else {
        return;
    };
    d.comment("go mod download, in a layer keyed only by the go.mod and go.sum files.");
    from_builder(d, plan, stages::MODULES);
    env_lines(d, &env_diff(&dl.env, &plan.builder_env));
    // The build stage mounts the directory, which must exist even when
    // there is no module to download.
    if plan.builder_is_root {
        d.comment(&format!(
            "WORKDIR creates {} even when there is no module to download, as gofront does.",
            paths::DOWNLOAD_MODCACHE
        ));
    } else {
        d.comment(&format!(
            "WORKDIR creates the directory owned by the builder's user, as gofront's {} is.",
            paths::DOWNLOAD_MODCACHE
        ));
    }
    d.line(&format!("WORKDIR {}", paths::DOWNLOAD_MODCACHE));
    d.line(&format!("WORKDIR {}", paths::SRC));
    // One COPY per directory keeps the layout; a go.sum may not exist yet,
    // and a wildcard that matches nothing copies nothing.
    let mut by_dir: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for f in &dl.files {
        let (dir, name) = f.rsplit_once('/').unwrap_or(("", f));
        let pattern = match name.strip_suffix('m') {
            Some(stem) if name.ends_with(".sum") => format!("{stem}[m]"),
            _ => name.to_string(),
        };
        let src = if dir.is_empty() {
            pattern
        } else {
            format!("{dir}/{pattern}")
        };
        by_dir.entry(dir).or_default().push(src);
    }
    if dl.files.iter().any(|f| f.ends_with(".sum")) {
        d.comment("go.su[m]: copied when it exists.");
    }
    for (dir, srcs) in &by_dir {
        let dest = if dir.is_empty() {
            "./".to_string()
        } else {
            format!("{dir}/")
        };
        let words: Vec<String> = srcs.iter().map(|s| word(s)).collect();
        d.line(&format!("COPY {} {}", words.join(" "), word(&dest)));
    }

    let (tool, args) = untool(&dl.args);
    if let (Some(tool), Some(id)) = (tool, dl.module_cache.as_ref().map(|m| &m.id)) {
        d.comment(&format!(
            "gofront runs this through its {tool} tool, which first tries Go's module download cache kept on the cache mount {id} (a go.mod edit fetches only the new modules); a Dockerfile runs go mod download alone, which fetches every module again."
        ));
    }
    d.comment(&format!(
        "gofront runs it on a read-only root with go.mod and go.sum on a throwaway mount at {}: only {} becomes the layer.",
        paths::SRC,
        paths::DOWNLOAD_MODCACHE
    ));
    if let Some(proxy) = &dl.proxy {
        let names = proxy.names();
        d.comment(&format!(
            "gofront was given {}: pass the same --build-arg; BuildKit hands these predefined args to RUN outside the cache key, as gofront does.",
            names.join(", ")
        ));
    }
    let mut flags = Vec::new();
    match dl.network {
        Network::Sandbox => {}
        Network::None => flags.push("--network=none".to_string()),
        Network::Host => flags.push("--network=host".to_string()),
    }
    for s in &dl.secrets {
        flags.push(format!(
            "--mount={}",
            csv(&[("type", "secret"), ("id", &s.id), ("target", &s.dest)])
        ));
    }
    for s in &dl.ssh {
        flags.push(format!(
            "--mount={}",
            csv(&[("type", "ssh"), ("id", &s.id), ("target", &s.dest)])
        ));
    }
    for c in &dl.contexts {
        flags.push(format!(
            "--mount={}",
            csv(&[("type", "bind"), ("from", &c.name), ("target", &c.dest)])
        ));
    }
    flags.push(tmpfs());
    d.run(&flags, args);
    d.blank();
}

fn toolchain_stage(d: &mut Doc, plan: &Plan) {
    d.comment("The builder with the Go env of every Go step.");
    from_builder(d, plan, stages::TOOLCHAIN);
    env_lines(d, &env_diff(&plan.go_env, &plan.builder_env));
    if !plan.builder_is_root {
        d.comment(&format!(
            "WORKDIR creates the directory owned by the builder's user, as gofront's {} is.",
            paths::OUT
        ));
        d.line(&format!("WORKDIR {}", paths::OUT));
    }
    d.line(&format!("WORKDIR {}", paths::SRC));
    d.blank();
}

/// The flags of a Go step's `RUN`, one for each of its mounts a
/// Dockerfile can say, with a comment for those it cannot.
fn go_flags(d: &mut Doc, plan: &Plan, step: &GoStep) -> Vec<String> {
    let mut flags = vec!["--network=none".to_string()];
    for m in &step.mounts {
        let t = m.target.as_str();
        match &m.source {
            MountSource::Context { .. } => {
                d.comment(&format!(
                    "The source is bind-mounted read-only at {t}: .dockerignore is honoured (the Dockerfile frontend reads it too){}.",
                    if plan.context_exclude.iter().any(|p| p == ".git") {
                        "; gofront also leaves .git out (add it to .dockerignore for the same; -buildvcs=false keeps it out of the binaries either way)"
                    } else {
                        ""
                    }
                ));
                flags.push(format!(
                    "--mount={}",
                    csv(&[("type", "bind"), ("target", t)])
                ));
            }
            MountSource::Builder => d.comment(&format!(
                "gofront runs Go steps on a read-only root (a tmpfs at /tmp); a RUN's root is writable, and what it writes outside the mounts stays in the stage. BuildKit keys a cache mount by its base as well as its id: this is not the cache gofront's steps use, though its id ({}) is the same.",
                plan.gocache_id
            )),
            MountSource::Modules => flags.push(format!(
                "--mount={}",
                csv(&[
                    ("type", "bind"),
                    ("from", stages::MODULES),
                    ("source", paths::DOWNLOAD_MODCACHE),
                    ("target", t),
                ])
            )),
            MountSource::Cache { id, sharing } => {
                if let (Sharing::Shared, Owner::Names(u, g)) = (sharing, &plan.owner) {
                    d.comment(&format!(
                        "gofront owns the cache by {}{} from the builder's /etc/passwd; a cache mount takes numeric uid and gid only.",
                        u,
                        g.as_ref().map(|g| format!(":{g}")).unwrap_or_default()
                    ));
                }
                if *sharing == Sharing::Locked && step.keep().is_some() {
                    d.comment(&format!(
                        "gofront links into a kept directory ({t}, a cache mount one build uses at a time) and copies the binaries from there: Go does not link a binary again that is already there with the build ID it would link."
                    ));
                }
                flags.push(cache_mount(plan, id, t, sharing));
            }
            MountSource::Tmpfs => flags.push(format!(
                "--mount={}",
                csv(&[("type", "tmpfs"), ("target", t)])
            )),
            MountSource::Seed(_) => d.comment(
                "gofront first merges --build-context gocache=... into GOCACHE with its gocache tool; a Dockerfile cannot, so this starts from the cache mount as it is.",
            ),
            // gofront's own image holds its tools, which a Dockerfile does
            // not run; the stage itself is the output; a gocache export,
            // which reads other steps, is never explained.
            MountSource::Tool(_) | MountSource::Output(_) | MountSource::Step(_) => {}
        }
    }
    flags
}

/// `--mount=type=cache,...` for a cache at `target`, owned by the
/// builder's user when its ids are known.
fn cache_mount(plan: &Plan, id: &str, target: &str, sharing: &Sharing) -> String {
    let sharing = match sharing {
        Sharing::Shared => "shared",
        Sharing::Locked => "locked",
    };
    let mut fields = vec![
        ("type", "cache".to_string()),
        ("id", id.to_string()),
        ("target", target.to_string()),
        ("sharing", sharing.to_string()),
    ];
    if let Owner::Ids(u, g) = &plan.owner {
        fields.push(("uid", u.to_string()));
        fields.push(("gid", g.to_string()));
    }
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    format!("--mount={}", csv(&fields))
}

fn build_stage(d: &mut Doc, plan: &Plan, build: &GoStep) {
    d.comment("go build: the binaries land in /gofront/out.");
    d.line(&format!("FROM {} AS {}", stages::TOOLCHAIN, stages::BUILD));
    let flags = go_flags(d, plan, build);
    let go = &build.command.go;
    match build.keep() {
        None => d.run(&flags, go),
        Some(k) => {
            let build: Vec<String> = go.iter().map(|a| sh_word(a)).collect();
            let from: Vec<String> = k
                .binary
                .iter()
                .map(|n| sh_word(&format!("{}/{n}", k.dir)))
                .collect();
            d.run_shell(
                &flags,
                &format!(
                    "{} && mkdir -p {out} && cp {} {out}/",
                    build.join(" "),
                    from.join(" "),
                    out = sh_word(&k.out)
                ),
            );
        }
    }
    d.blank();
}

/// A word for `sh`: as [`word`], with a backtick escaped too.
fn sh_word(s: &str) -> String {
    let w = word(s);
    if w.starts_with('"') {
        w.replace('`', "\\`")
    } else {
        w
    }
}

fn test_stage(d: &mut Doc, plan: &Plan, test: &GoStep) {
    d.comment("go test with the same caches; a failing test fails the build.");
    d.line(&format!("FROM {} AS {}", stages::TOOLCHAIN, stages::TEST));
    env_lines(d, &env_diff(&test.env, &plan.go_env));
    let flags = go_flags(d, plan, test);
    d.run(&flags, &test.command.go);
}

/// The report stage of `--target test-report`, or a comment on the
/// report `--target test` reads.
fn report_stage(d: &mut Doc, r: &crate::plan::ReportPlan) {
    d.blank();
    d.comment(&format!(
        "gofront runs go test -json through its testreport tool, which writes the report ({}, {}, {} and {}) into {} and exits 0 whenever the tests ran; {} A Dockerfile's RUN fails on a failing test and then exports nothing.",
        files::JSON,
        files::JUNIT,
        files::EXIT_CODE,
        files::SUMMARY,
        paths::REPORT,
        if r.export {
            "--target test-report exports it whatever it says."
        } else {
            "--target test then fails the build with the summary when the tests failed."
        }
    ));
    if r.export {
        d.line(&format!("FROM scratch AS {}", stages::TEST_REPORT));
        d.line(&format!(
            "COPY --from={} {}/ /",
            stages::TEST,
            paths::REPORT
        ));
    }
}

fn binaries_stage(d: &mut Doc) {
    d.comment("The binaries alone, for --output type=local (like --target binaries).");
    d.line(&format!("FROM scratch AS {}", stages::BINARIES));
    d.line(&format!("COPY --from={} {}/ /", stages::BUILD, paths::OUT));
    d.blank();
}

/// `(tool name, argv without the wrapper)` when argv runs gofront's tool
/// (`/gofront/bin/gofront TOOL ... -- ARGV`), else `(None, argv)`.
fn untool(args: &[String]) -> (Option<&str>, &[String]) {
    if args.first().map(String::as_str) != Some(paths::TOOL) {
        return (None, args);
    }
    match args.iter().position(|a| a == "--") {
        Some(i) => (args.get(1).map(String::as_str), &args[i + 1..]),
        None => (None, args),
    }
}

/// Variables of `env` that `base` does not already set to the same value,
/// in `env`'s order.
fn env_diff(env: &[String], base: &[String]) -> Vec<(String, String)> {
    env.iter()
        .filter(|e| !base.contains(e))
        .map(|e| match e.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (e.clone(), String::new()),
        })
        .collect()
}

fn env_lines(d: &mut Doc, vars: &[(String, String)]) {
    if vars.is_empty() {
        return;
    }
    let items: Vec<String> = vars
        .iter()
        .map(|(k, v)| format!("{k}={}", word(v)))
        .collect();
    d.continued("ENV", &items);
}

fn tmpfs() -> String {
    format!("--mount={}", csv(&[("type", "tmpfs"), ("target", "/tmp")]))
}

fn json_array(items: &[String]) -> String {
    let parts: Vec<String> = items
        .iter()
        .map(|s| serde_json::Value::String(s.clone()).to_string())
        .collect();
    format!("[{}]", parts.join(", "))
}

fn plain(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:,+@%=[]".contains(c))
}

/// A word of an instruction that expands variables (ENV, LABEL, COPY,
/// WORKDIR, USER, FROM): bare when it has no special character, else
/// double-quoted with `\`, `"` and `$` escaped.
fn word(s: &str) -> String {
    if plain(s) { s.to_string() } else { quoted(s) }
}

fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if matches!(c, '"' | '\\' | '$') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// `--mount` options, CSV as BuildKit reads them: a field with a comma or
/// a quote is quoted.
fn csv(fields: &[(&str, &str)]) -> String {
    let parts: Vec<String> = fields
        .iter()
        .map(|(k, v)| {
            let f = format!("{k}={v}");
            if f.contains([',', '"']) {
                format!("\"{}\"", f.replace('"', "\"\""))
            } else {
                f
            }
        })
        .collect();
    parts.join(",")
}

/// The text being written.
#[derive(Default)]
struct Doc {
    text: String,
}

const WIDTH: usize = 78;

impl Doc {
    fn line(&mut self, l: &str) {
        self.text.push_str(l);
        self.text.push('\n');
    }

    fn blank(&mut self) {
        self.text.push('\n');
    }

    /// A `#` comment, wrapped.
    fn comment(&mut self, text: &str) {
        let mut line = String::from("#");
        for w in text.split_whitespace() {
            if line.len() > 1 && line.len() + 1 + w.len() > WIDTH {
                self.line(&line);
                line = String::from("#");
            }
            line.push(' ');
            line.push_str(w);
        }
        self.line(&line);
    }

    /// `INSTR a \` then one item a line.
    fn continued(&mut self, instruction: &str, items: &[String]) {
        let indent = " ".repeat(instruction.len() + 1);
        let body = items.join(&format!(" \\\n{indent}"));
        self.line(&format!("{instruction} {body}"));
    }

    /// `RUN` with one flag a line and the exec form.
    fn run(&mut self, flags: &[String], args: &[String]) {
        let mut items: Vec<String> = flags.to_vec();
        items.push(json_array(args));
        let body = items.join(" \\\n    ");
        self.line(&format!("RUN {body}"));
    }

    /// `RUN FLAGS... COMMAND` in shell form.
    fn run_shell(&mut self, flags: &[String], command: &str) {
        let mut items: Vec<String> = flags.to_vec();
        items.push(command.to_string());
        let body = items.join(" \\\n    ");
        self.line(&format!("RUN {body}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_quoted_when_needed() {
        assert_eq!(word("golang:1.24"), "golang:1.24");
        assert_eq!(word("a b"), "\"a b\"");
        assert_eq!(word("$HOME"), "\"\\$HOME\"");
        assert_eq!(word(""), "\"\"");
    }

    #[test]
    fn tool_wrappers_are_stripped() {
        let args: Vec<String> = [paths::TOOL, "modcache", "--cache", "x", "--", "go", "mod"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let (tool, rest) = untool(&args);
        assert_eq!(tool, Some("modcache"));
        assert_eq!(rest, ["go".to_string(), "mod".to_string()]);
        let plain = vec!["go".to_string()];
        assert_eq!(untool(&plain), (None, plain.as_slice()));
    }

    #[test]
    fn env_diff_keeps_only_what_changes() {
        let base = vec!["PATH=/bin".to_string(), "A=1".to_string()];
        let env = vec!["PATH=/bin".into(), "A=2".into(), "B=3".into()];
        assert_eq!(
            env_diff(&env, &base),
            vec![("A".into(), "2".into()), ("B".into(), "3".into())]
        );
    }

    #[test]
    fn csv_quotes_commas() {
        assert_eq!(csv(&[("id", "a,b")]), "\"id=a,b\"");
        assert_eq!(csv(&[("type", "tmpfs")]), "type=tmpfs");
    }
}
