//! The runtime image's stage of the Dockerfile: the base, a `COPY` a
//! layer of files or directories (an empty stage's directory copied where
//! gofront makes one without `RUN`), the binaries, and the image config's
//! instructions.

use super::{Doc, env_diff, env_lines, json_array, quoted, stages, word};
use crate::plan::image::Healthcheck;
use crate::plan::{FileOwner, MadeDir, RuntimeLayer, RuntimePlan, binaries_dir, paths};

/// The empty directory the `empty` stage holds, which `runtime.dirs`
/// copies to create a directory without `RUN`.
const EMPTY_DIR: &str = "/empty";

fn empty_stage(d: &mut Doc) {
    d.comment(&format!(
        "An empty directory: copying it creates a directory with its owner and mode without RUN (the base may have no shell), as gofront's mkdir does ({} in this stage).",
        EMPTY_DIR
    ));
    d.line(&format!("FROM scratch AS {}", stages::EMPTY));
    d.line(&format!("WORKDIR {EMPTY_DIR}"));
    d.blank();
}

/// `--chown=...` when not root, `--chmod=...` when set.
fn owner_mode_flags(owner: &FileOwner, mode: Option<u32>) -> String {
    let mut out = String::new();
    if *owner != FileOwner::root() {
        out.push_str(&format!("--chown={} ", word(&owner.to_string())));
    }
    if let Some(m) = mode {
        out.push_str(&format!("--chmod={m:04o} "));
    }
    out
}

/// A directory as gofront makes it unless `runtime.dirs` says: root's,
/// 0755 (what COPY makes of a missing parent without --chown or --chmod).
fn plain_dir(m: &MadeDir) -> bool {
    m.mode == 0o755 && m.owner == FileOwner::root()
}

/// `COPY --from=empty` lines that make `dirs` one by one as gofront does:
/// a run of plain directories with one line (COPY makes the missing ones
/// above its destination root-owned 0755), each other with its own.
fn dir_lines(d: &mut Doc, dirs: &[MadeDir], link: &str) {
    let mut run: Option<&str> = None;
    let emit = |d: &mut Doc, path: &str, flags: String| {
        d.line(&format!(
            "COPY {link}--from={} {flags}{EMPTY_DIR}/ {}",
            stages::EMPTY,
            word(&format!("{path}/"))
        ));
    };
    for m in dirs {
        if plain_dir(m) {
            run = Some(&m.path);
            continue;
        }
        if let Some(p) = run.take() {
            emit(d, p, String::new());
        }
        emit(d, &m.path, owner_mode_flags(&m.owner, Some(m.mode)));
    }
    if let Some(p) = run {
        emit(d, p, String::new());
    }
}

/// Whether a layer's directories must be made apart: a COPY makes the
/// missing directories above its destination with its own --chown and
/// --chmod, where gofront makes them root-owned 0755 (or as declared).
fn needs_dir_lines(l: &RuntimeLayer) -> bool {
    match &l.copy {
        None => true,
        Some(c) => {
            c.mode.is_some() || c.owner != FileOwner::root() || !l.dirs.iter().all(plain_dir)
        }
    }
}

/// Which comments of the image stage are written already (each once).
#[derive(Default)]
struct Said {
    names: bool,
    together: bool,
    dirs: bool,
}

/// The `COPY` lines of one layer of files or directories.
fn layer_lines(d: &mut Doc, rt: &RuntimePlan, l: &RuntimeLayer, said: &mut Said) {
    let named = l.dirs.iter().any(|m| m.owner.has_names())
        || l.copy.as_ref().is_some_and(|c| c.owner.has_names());
    let apart = needs_dir_lines(l) && !l.dirs.is_empty();
    let link = match (rt.merge, named, apart) {
        (false, ..) => "",
        (true, false, false) => "--link ",
        (true, true, _) => {
            if !said.names {
                d.comment(
                    "gofront looks an owner's name up in the base's /etc/passwd and still makes a layer of its own (MergeOp); COPY --link cannot look a name up, so such COPYs are not --link.",
                );
                said.names = true;
            }
            ""
        }
        (true, false, true) => {
            if !said.together {
                d.comment(
                    "gofront makes a layer's directories and files in one layer of its own (MergeOp); COPY --link would give each line a layer whose missing parents it makes anew, so such COPYs are not --link.",
                );
                said.together = true;
            }
            ""
        }
    };
    if apart {
        if !said.dirs {
            d.comment(
                "Directories first, as gofront makes them (root-owned 0755 unless runtime.dirs declares one), from the empty stage; a COPY alone would make missing ones with its own --chown and --chmod.",
            );
            said.dirs = true;
        }
        dir_lines(d, &l.dirs, link);
    }
    let Some(c) = &l.copy else {
        return;
    };
    if c.optional {
        d.comment(&format!(
            "ko's convention: {} goes to {} when it exists; a one-letter class in its first name makes COPY copy nothing when it does not.",
            c.src, c.dest
        ));
    }
    let pattern = c.source_pattern();
    let src = match pattern.strip_prefix('/') {
        Some("") | None => ".",
        Some(p) => p,
    };
    d.line(&format!(
        "COPY {link}{}{} {}",
        owner_mode_flags(&c.owner, c.mode),
        word(src),
        word(&c.dest)
    ));
}

fn healthcheck_line(d: &mut Doc, h: &Healthcheck) {
    let mut flags = String::new();
    for (flag, ns) in [
        ("interval", h.interval),
        ("timeout", h.timeout),
        ("start-period", h.start_period),
        ("start-interval", h.start_interval),
    ] {
        if ns != 0 {
            flags.push_str(&format!("--{flag}={} ", crate::spec::duration::format(ns)));
        }
    }
    if h.retries != 0 {
        flags.push_str(&format!("--retries={} ", h.retries));
    }
    match h.test.split_first() {
        Some((kind, rest)) if kind == "CMD" => {
            d.line(&format!("HEALTHCHECK {flags}CMD {}", json_array(rest)));
        }
        Some((kind, [command])) if kind == "CMD-SHELL" && !command.contains('\n') => {
            d.line(&format!("HEALTHCHECK {flags}CMD {command}"));
        }
        Some((kind, _)) if kind == "CMD-SHELL" => d.comment(
            "The healthcheck runs a shell command of several lines, which a HEALTHCHECK line cannot hold; gofront writes it into the image config as it is.",
        ),
        _ => d.line("HEALTHCHECK NONE"),
    }
}

pub(super) fn image_stage(d: &mut Doc, rt: &RuntimePlan) {
    let s = &rt.settings;
    if rt
        .layers
        .iter()
        .any(|l| needs_dir_lines(l) && !l.dirs.is_empty())
    {
        empty_stage(d);
    }
    let placed = match binaries_dir(&rt.binaries) {
        Some("/") => "root-owned, in /".to_string(),
        Some(dir) => format!("root-owned, in {}", dir.trim_end_matches('/')),
        None => "root-owned, each at its path".to_string(),
    };
    if rt.layers.is_empty() {
        d.comment(&format!(
            "The runtime image: the base plus the binaries, {placed}."
        ));
    } else {
        d.comment(&format!(
            "The runtime image: the base, the directories and files the spec names (each a layer of its own, from only its files of the build context), and the binaries, {placed}."
        ));
    }
    let base = match &rt.base {
        Some(b) => word(&b.reference),
        None => "scratch".to_string(),
    };
    d.line(&format!("FROM {base} AS {}", stages::IMAGE));
    if rt.layers.iter().any(|l| l.copy.is_some()) {
        d.comment(
            "gofront's go build does not see what only the image copies (so editing it runs no Go step); the build stage's RUN binds the whole context.",
        );
    }
    let mut said = Said::default();
    for l in &rt.layers {
        layer_lines(d, rt, l, &mut said);
    }
    let link = if rt.merge {
        d.comment(
            "COPY --link is what gofront's MergeOp does: the binaries are a layer of their own, which a new base does not rebuild.",
        );
        "--link "
    } else {
        ""
    };
    match binaries_dir(&rt.binaries) {
        Some(dir) => {
            let srcs: Vec<String> = rt
                .binaries
                .iter()
                .map(|b| word(&format!("{}/{}", paths::OUT, b.binary.name)))
                .collect();
            d.line(&format!(
                "COPY {link}--from={} --chown=0:0 {} {}",
                stages::BUILD,
                srcs.join(" "),
                word(dir)
            ));
        }
        None => {
            d.comment("gofront copies the binaries in one layer; a Dockerfile takes a COPY each.");
            for b in &rt.binaries {
                d.line(&format!(
                    "COPY {link}--from={} --chown=0:0 {} {}",
                    stages::BUILD,
                    word(&format!("{}/{}", paths::OUT, b.binary.name)),
                    word(&b.path)
                ));
            }
        }
    }
    env_lines(d, &env_diff(&s.env, &rt.base_env));
    d.line(&format!("USER {}", word(&s.user)));
    if s.workdir != "/" {
        d.comment("WORKDIR also creates the directory when the base has none; gofront only sets it in the config.");
    }
    d.line(&format!("WORKDIR {}", word(&s.workdir)));
    if !s.expose.is_empty() {
        let ports: Vec<String> = s.expose.iter().map(|p| word(p)).collect();
        d.line(&format!("EXPOSE {}", ports.join(" ")));
    }
    if !s.volumes.is_empty() {
        d.line(&format!("VOLUME {}", json_array(&s.volumes)));
    }
    if let Some((_, created)) = s
        .labels
        .iter()
        .find(|(k, _)| k == "org.opencontainers.image.created")
    {
        d.comment(&format!(
            "gofront sets this label and the image's created time to {created}: SOURCE_DATE_EPOCH, else the build's start (`gofront dockerfile` has a fixed clock at 0). Pass --build-arg SOURCE_DATE_EPOCH=N for the image's created time."
        ));
    }
    if !s.labels.is_empty() {
        let labels: Vec<String> = s
            .labels
            .iter()
            .map(|(k, v)| format!("{}={}", quoted(k), quoted(v)))
            .collect();
        d.continued("LABEL", &labels);
    }
    if let Some(h) = &s.healthcheck {
        healthcheck_line(d, h);
    }
    if let Some(sig) = &s.stop_signal {
        d.line(&format!("STOPSIGNAL {sig}"));
    }
    d.line(&format!("ENTRYPOINT {}", json_array(&s.entrypoint)));
    if let Some(cmd) = &s.cmd {
        d.line(&format!("CMD {}", json_array(cmd)));
    }
}
