//! The runtime image and its SBOM step.

use super::cache::*;
use super::images::*;
use super::layers::*;
use super::located::*;
use crate::options::{Options, VERSION_ARG};
use crate::plan::image::{DEFAULT_PATH, RuntimeConfig, overlay_env, runtime_image_config};
use crate::plan::stamp::Stamp;
use crate::plan::types::{Binary, ImageBinary, PlanInputs, RuntimePlan, SbomPlan, paths};
use crate::platform::Platform;
use crate::sbom::DocumentPlan;
use crate::sbom::spdx::BaseImage;
use crate::spec::keys::Key;
use crate::spec::keys::{self, section};
use crate::spec::{Problem, RuntimeSpec, defaults};

/// The SBOM: the build's binaries as they are named in the image, the
/// runtime base as resolved and the image's own creation time
/// (SOURCE_DATE_EPOCH, else the build's start).
pub(super) fn sbom_plan(
    inp: &PlanInputs<'_>,
    refs: &ImageRefs,
    binaries: &[ImageBinary],
    kept: bool,
) -> SbomPlan {
    let opts = inp.options;
    let created = opts.source_date_epoch.unwrap_or(inp.now);
    let version_arg = opts
        .build_args
        .get(VERSION_ARG)
        .map(String::as_str)
        .filter(|v| !v.is_empty());
    // The build's version names the main module (Go records `(devel)`)
    // when the build states one: GOFRONT_VERSION, or ldflags stamping it.
    let stamps_version = version_arg.is_some()
        || inp
            .spec
            .build
            .ldflags
            .as_ref()
            .is_some_and(|l| l.value.contains(".Version"));
    let main_version = stamps_version
        .then(|| Stamp::new(version_arg, opts.vcs_revision.as_deref(), String::new()).version);
    let base = refs.runtime.as_ref().map(|r| BaseImage {
        reference: r.clone(),
        digest: inp
            .runtime_config
            .and_then(|c| c.digest.clone())
            .filter(|d| !d.is_empty()),
    });
    let names: Vec<&str> = binaries.iter().map(|b| b.binary.name.as_str()).collect();
    SbomPlan {
        document: DocumentPlan {
            name: project_names(inp.project),
            created,
            base,
            main_version,
            binaries: binaries.iter().map(|b| b.path.clone()).collect(),
        },
        read_from: binaries
            .iter()
            .map(|b| format!("{}/{}", paths::OWNED_DIR, b.binary.name))
            .collect(),
        sums: kept.then(|| format!("{}/{}", paths::OWNED_DIR, crate::sbom::sums::FILE)),
        name: format!("[gofront] SBOM of {}", names.join(", ")),
    }
}

pub(super) fn runtime_plan(
    inp: &PlanInputs<'_>,
    refs: &ImageRefs,
    platform: &Platform,
    (binaries, all): (&[Binary], &[Binary]),
    r: &RuntimeSpec,
    created: &str,
    problems: &mut Vec<Problem>,
) -> RuntimePlan {
    let opts: &Options = inp.options;
    let base_cfg = refs.runtime.as_ref().and(inp.runtime_config);
    // Where each setting was written: a binary's image takes its
    // entrypoint and cmd from [images.NAME] only, the rest from there when
    // that section sets them, else from [runtime] (Spec::runtime_for).
    let image = opts.binary_target.as_deref();
    let own = image.and_then(|name| inp.spec.images.get(name));
    let written = |key: &Key, in_own: bool| -> String {
        match image {
            Some(name) if in_own => format!("{}.{name}.{}", section::IMAGES, key.name),
            _ => key.dotted(),
        }
    };
    let scratch = refs.runtime.is_none();
    let binaries = image_binaries(binaries, all, r, problems);
    let layers = runtime_layers(inp, r, &binaries, scratch, problems);
    let healthcheck = healthcheck(r, scratch, problems);
    let user = match &r.user {
        Some(u) => {
            let numeric = u
                .value
                .split(':')
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
            if refs.runtime.is_none() && !numeric {
                let key = written(
                    &keys::RUNTIME_USER,
                    own.is_some_and(|o| o.runtime.user.is_some()),
                );
                problems.push(Problem {
                    origin: u.origin.clone(),
                    message: format!(
                        "{key} {:?} is a name, but a scratch image has no /etc/passwd; use a numeric uid:gid such as \"65532:65532\"",
                        u.value
                    ),
                    key,
                });
            }
            u.value.clone()
        }
        None => base_cfg
            .map(|c| c.user())
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| defaults::USER.to_string()),
    };
    let workdir = r
        .workdir
        .as_ref()
        .map(|w| w.value.clone())
        .or_else(|| base_cfg.map(|c| c.workdir()).filter(|w| !w.is_empty()))
        .unwrap_or_else(|| defaults::WORKDIR.to_string());
    let entrypoint = match &r.entrypoint {
        Some(e) => e.value.clone(),
        None => binaries
            .first()
            .map(|b| vec![b.path.clone()])
            .unwrap_or_default(),
    };
    let cmd = r.cmd.as_ref().map(|c| c.value.clone());
    if let Some(e) = &r.entrypoint {
        let program = e
            .value
            .first()
            .or(r.cmd.as_ref().and_then(|c| c.value.first()));
        let key = written(&keys::RUNTIME_ENTRYPOINT, own.is_some());
        let cmd = written(&keys::RUNTIME_CMD, own.is_some());
        let message = match program {
            None => Some(format!(
                "{key} is empty and {cmd} is unset, so the image has nothing to run; leave {key} out to run {}, or name a program",
                match image {
                    Some(name) => format!("the binary {name}"),
                    None => "the first binary".to_string(),
                }
            )),
            Some(p) if p.trim().is_empty() => Some(format!(
                "{key} starts with an empty program name; name the program to run, e.g. \"/usr/local/bin/app\""
            )),
            Some(_) => None,
        };
        if let Some(message) = message {
            problems.push(Problem {
                origin: e.origin.clone(),
                key,
                message,
            });
        }
    }
    let mut base_env = base_cfg.map(|c| c.env()).unwrap_or_default();
    if !base_env.iter().any(|e| e.starts_with("PATH=")) {
        base_env.insert(0, format!("PATH={DEFAULT_PATH}"));
    }
    // ko's variable first: the spec's env may set it otherwise.
    let kodata = r.kodata.as_ref().is_some_and(|k| k.value);
    let env = overlay_env(
        &base_env,
        kodata
            .then_some((KO_DATA_PATH, paths::KODATA))
            .into_iter()
            .chain(r.env.iter().map(|(k, v)| (k.as_str(), v.value.as_str()))),
    );
    // gofront's OCI labels first: a label the spec or --label sets wins.
    let mut labels: Vec<(String, String)> = vec![(
        "org.opencontainers.image.created".into(),
        created.to_string(),
    )];
    if let Some(v) = opts.build_args.get(VERSION_ARG).filter(|v| !v.is_empty()) {
        labels.push(("org.opencontainers.image.version".into(), v.clone()));
    }
    if let Some(rev) = &opts.vcs_revision {
        labels.push(("org.opencontainers.image.revision".into(), rev.clone()));
    }
    if let Some(src) = &opts.vcs_source {
        labels.push(("org.opencontainers.image.source".into(), src.clone()));
    }
    labels.extend(r.labels.iter().map(|(k, v)| (k.clone(), v.value.clone())));
    labels.extend(opts.labels.iter().map(|(k, v)| (k.clone(), v.clone())));
    let rc = RuntimeConfig {
        env,
        entrypoint,
        cmd,
        user,
        workdir,
        labels,
        expose: r
            .expose
            .as_ref()
            .map(|e| e.value.clone())
            .unwrap_or_default(),
        created_by: binaries_created_by(&binaries),
        layers_created_by: layers.iter().map(|l| l.created_by.clone()).collect(),
        volumes: r
            .volumes
            .as_ref()
            .map(|v| v.value.clone())
            .unwrap_or_default(),
        healthcheck,
        stop_signal: r.stop_signal.as_ref().map(|s| s.value.clone()),
    };
    RuntimePlan {
        base: refs.runtime.as_ref().map(|r| {
            pinned_image(
                r,
                base_cfg.and_then(|c| c.digest.as_deref()),
                opts.resolve_mode,
            )
        }),
        binaries,
        layers,
        dir_time: opts
            .source_date_epoch
            .map(|s| s.saturating_mul(1_000_000_000)),
        merge: inp.merge_supported && refs.runtime.is_some(),
        config: runtime_image_config(base_cfg, platform, &rc, created),
        settings: rc,
        base_env,
        location: section_lines(inp, section::RUNTIME),
    }
}

/// ko's variable for where a main package's `kodata/` is in the image.
const KO_DATA_PATH: &str = "KO_DATA_PATH";

/// The binaries' layer in the image history: `COPY a b DIR/` when they
/// share a directory and their names, else one `SRC DEST` a binary.
pub(super) fn binaries_created_by(binaries: &[ImageBinary]) -> String {
    match crate::plan::types::binaries_dir(binaries) {
        Some(dir) => {
            let names: Vec<&str> = binaries.iter().map(|b| b.binary.name.as_str()).collect();
            format!(
                "gofront: COPY {} {}/",
                names.join(" "),
                dir.trim_end_matches('/')
            )
        }
        None => {
            let each: Vec<String> = binaries
                .iter()
                .map(|b| format!("{} {}", b.binary.name, b.path))
                .collect();
            format!("gofront: COPY {}", each.join(", "))
        }
    }
}
