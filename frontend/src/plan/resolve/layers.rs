//! What the runtime image holds besides its base: the binaries at their
//! paths, and the layers of files and directories (`runtime.files`,
//! `runtime.dirs`, ko's `kodata/`), each with its owner and mode.

use std::collections::BTreeMap;

use super::located::*;
use crate::plan::image::Healthcheck;
use crate::plan::types::{
    Binary, CopyLayer, FileOwner, IdOrName, ImageBinary, MadeDir, PlanInputs, RuntimeLayer, paths,
};
use crate::spec::image_checks::is_glob;
use crate::spec::keys::{self, Key};
use crate::spec::{Field, Origin, Problem, RuntimeSpec, defaults};

/// The mode of a directory gofront creates unless `runtime.dirs` says.
const DIR_MODE: u32 = 0o755;

/// `user[:group]` as the spec checked it: numbers, or names (`root` is 0,
/// as BuildKit's client reads it).
pub(super) fn owner_of(s: &str) -> FileOwner {
    let part = |p: &str| match p.parse::<u32>() {
        Ok(n) => IdOrName::Id(n),
        Err(_) if p == "root" => IdOrName::Id(0),
        Err(_) => IdOrName::Name(p.to_string()),
    };
    match s.split_once(':') {
        Some((u, g)) => FileOwner {
            user: part(u),
            group: Some(part(g)),
        },
        None => FileOwner {
            user: part(s),
            group: None,
        },
    }
}

/// The owner a spec entry names (root when it names none); a name on a
/// base without `/etc/passwd` (scratch) is a problem.
fn entry_owner(
    owner: &Option<Field<String>>,
    key: &Key,
    at: &str,
    scratch: bool,
    problems: &mut Vec<Problem>,
) -> FileOwner {
    let Some(o) = owner else {
        return FileOwner::root();
    };
    let parsed = owner_of(&o.value);
    if scratch && parsed.has_names() {
        problems.push(problem(
            o,
            key,
            format!(
                "{at}.owner {:?} is a name, but a scratch image has no /etc/passwd to look it up in; use a numeric uid:gid such as \"65532:65532\"",
                o.value
            ),
        ));
    }
    parsed
}

/// Each binary of the image at its path: `runtime.binaries`' own, else
/// in `runtime.bindir`. `all` are the build's binaries (a name of
/// `runtime.binaries` must be one of them).
pub(super) fn image_binaries(
    binaries: &[Binary],
    all: &[Binary],
    r: &RuntimeSpec,
    problems: &mut Vec<Problem>,
) -> Vec<ImageBinary> {
    let dir = r
        .bindir
        .as_ref()
        .map_or(defaults::BINDIR, |d| d.value.as_str());
    for (name, field) in &r.binaries {
        if all.iter().any(|b| &b.name == name) {
            continue;
        }
        let names: Vec<&str> = all.iter().map(|b| b.name.as_str()).collect();
        let hint = crate::spec::suggest::closest(name, names.iter().copied())
            .map(|s| format!("; did you mean \"{s}\"?"))
            .unwrap_or_default();
        problems.push(problem(
            field,
            &keys::RUNTIME_BINARIES,
            format!(
                "runtime.binaries names {name:?}, which is not a binary of the build (they are: {}){hint}",
                names.join(", ")
            ),
        ));
    }
    let placed: Vec<ImageBinary> = binaries
        .iter()
        .map(|b| ImageBinary {
            binary: b.clone(),
            path: match r.binaries.get(&b.name) {
                Some(p) => p.value.clone(),
                None => joined(dir, &b.name),
            },
        })
        .collect();
    for (i, b) in placed.iter().enumerate() {
        // Two binaries of one name are build.packages' problem already.
        if let Some(other) = placed[..i]
            .iter()
            .find(|o| o.path == b.path && o.binary.name != b.binary.name)
        {
            let message = format!(
                "binaries {} and {} would both be at {}; give one its own path in runtime.binaries",
                other.binary.name, b.binary.name, b.path
            );
            match r
                .binaries
                .get(&b.binary.name)
                .or(r.binaries.get(&other.binary.name))
            {
                Some(f) => problems.push(problem(f, &keys::RUNTIME_BINARIES, message)),
                None => problems.push(Problem {
                    origin: Origin::Unknown,
                    key: keys::RUNTIME_BINARIES.dotted(),
                    message,
                }),
            }
        }
    }
    placed
}

/// `dir/name`.
fn joined(dir: &str, name: &str) -> String {
    format!("{}/{name}", dir.trim_end_matches('/'))
}

/// Every ancestor directory of `path` (not `/`), outermost first, and
/// `path` itself when `with_self`.
fn ancestors(path: &str, with_self: bool) -> Vec<String> {
    let trimmed = path.trim_end_matches('/');
    let segs: Vec<&str> = trimmed.split('/').filter(|s| !s.is_empty()).collect();
    let upto = if with_self {
        segs.len()
    } else {
        segs.len().saturating_sub(1)
    };
    (1..=upto)
        .map(|n| format!("/{}", segs[..n].join("/")))
        .collect()
}

/// The directories a layer creates for `path` (and for `path` itself
/// when `with_self`, owned by `own`): each as `runtime.dirs` declares it,
/// else root-owned 0755.
fn made_dirs(
    path: &str,
    with_self: Option<&FileOwner>,
    declared: &BTreeMap<String, (u32, FileOwner)>,
) -> Vec<MadeDir> {
    ancestors(path, with_self.is_some())
        .into_iter()
        .map(|p| {
            let (mode, owner) = match declared.get(&p) {
                Some((m, o)) => (*m, o.clone()),
                None if Some(p.as_str()) == Some(path.trim_end_matches('/')) => {
                    (DIR_MODE, with_self.cloned().unwrap_or_else(FileOwner::root))
                }
                None => (DIR_MODE, FileOwner::root()),
            };
            MadeDir {
                path: p,
                mode,
                owner,
            }
        })
        .collect()
}

/// `--chmod=0644 --chown=u:g ` as the history and progress write them.
fn flags(mode: Option<u32>, owner: &FileOwner) -> String {
    let mut out = String::new();
    if let Some(m) = mode {
        out.push_str(&format!("--chmod={m:04o} "));
    }
    if *owner != FileOwner::root() {
        out.push_str(&format!("--chown={owner} "));
    }
    out
}

/// The layers of files and directories, in the order they are stacked:
/// `runtime.dirs`, `runtime.files`, then ko's `kodata/` of each binary's
/// package.
pub(super) fn runtime_layers(
    inp: &PlanInputs<'_>,
    r: &RuntimeSpec,
    binaries: &[ImageBinary],
    scratch: bool,
    problems: &mut Vec<Problem>,
) -> Vec<RuntimeLayer> {
    let location = |origin: &Origin| origin_lines(inp, origin);
    // An entry's lines: a `[[runtime.files]]` header's span is the header
    // alone, so its values' spans are joined to it.
    let entry_location = |origins: &[Option<&Origin>]| {
        let ranges: Vec<_> = origins
            .iter()
            .flatten()
            .filter_map(|o| match o {
                Origin::File(r) => Some(r.clone()),
                _ => None,
            })
            .collect();
        let start = ranges.iter().map(|r| r.start).min()?;
        let end = ranges.iter().map(|r| r.end).max()?;
        origin_lines(inp, &Origin::File(start..end))
    };
    let mut declared: BTreeMap<String, (u32, FileOwner)> = BTreeMap::new();
    let dirs = r.dirs.as_ref().map_or(&[][..], |d| d.value.as_slice());
    let files = r.files.as_ref().map_or(&[][..], |f| f.value.as_slice());
    let mut owners = Vec::new();
    for (i, d) in dirs.iter().enumerate() {
        let at = format!("runtime.dirs[{i}]");
        let owner = entry_owner(&d.owner, &keys::RUNTIME_DIRS, &at, scratch, problems);
        let mode = d.mode.as_ref().map_or(DIR_MODE, |m| m.value);
        declared.insert(d.path.value.clone(), (mode, owner.clone()));
        owners.push((mode, owner));
    }
    let mut layers = Vec::new();
    for (d, (mode, owner)) in dirs.iter().zip(owners) {
        let path = &d.path.value;
        let made = made_dirs(path, Some(&owner), &declared);
        let shown = flags(Some(mode), &owner);
        layers.push(RuntimeLayer {
            dirs: made,
            copy: None,
            name: format!("[gofront] directory {path}"),
            created_by: format!("gofront: mkdir {shown}{path}"),
            location: entry_location(&[
                Some(&d.origin),
                Some(&d.path.origin),
                d.mode.as_ref().map(|m| &m.origin),
                d.owner.as_ref().map(|o| &o.origin),
            ]),
        });
    }
    for (i, f) in files.iter().enumerate() {
        let at = format!("runtime.files[{i}]");
        let owner = entry_owner(&f.owner, &keys::RUNTIME_FILES, &at, scratch, problems);
        let mode = f.mode.as_ref().map(|m| m.value);
        layers.push(copy_layer(
            CopyLayer {
                src: f.src.value.clone(),
                dest: f.dest.value.clone(),
                wildcard: is_glob(&f.src.value),
                optional: false,
                mode,
                owner,
            },
            &declared,
            entry_location(&[
                Some(&f.origin),
                Some(&f.src.origin),
                Some(&f.dest.origin),
                f.mode.as_ref().map(|m| &m.origin),
                f.owner.as_ref().map(|o| &o.origin),
            ]),
        ));
    }
    if r.kodata.as_ref().is_some_and(|k| k.value) {
        let mut seen = Vec::new();
        for b in binaries {
            let src = kodata_src(&b.binary.package);
            if seen.contains(&src) {
                continue;
            }
            seen.push(src.clone());
            layers.push(copy_layer(
                CopyLayer {
                    src,
                    dest: format!("{}/", paths::KODATA),
                    wildcard: false,
                    optional: true,
                    mode: None,
                    owner: FileOwner::root(),
                },
                &declared,
                r.kodata.as_ref().and_then(|k| location(&k.origin)),
            ));
        }
    }
    layers
}

fn copy_layer(
    copy: CopyLayer,
    declared: &BTreeMap<String, (u32, FileOwner)>,
    location: Option<Vec<crate::llb::SourceRange>>,
) -> RuntimeLayer {
    let into = copy.dest.ends_with('/');
    let dirs = made_dirs(&copy.dest, into.then_some(&copy.owner), declared);
    let shown = flags(copy.mode, &copy.owner);
    let why = if copy.optional { " (ko's kodata)" } else { "" };
    RuntimeLayer {
        dirs,
        name: format!("[gofront] copy {} to {}{why}", copy.src, copy.dest),
        created_by: format!("gofront: COPY {shown}{} {}", copy.src, copy.dest),
        location,
        copy: Some(copy),
    }
}

/// The files of Go's own that the go build must see even inside a path
/// only the runtime image copies: sources, cgo and assembly files, module
/// files (cmd/go's list of source file extensions).
const GO_FILES: &[&str] = &[
    "go", "c", "cc", "cpp", "cxx", "h", "hh", "hpp", "hxx", "m", "s", "S", "sx", "f", "F", "for",
    "f90", "swig", "swigcxx", "syso",
];

/// What the go build does not see of the build context: each
/// `runtime.files` source (of `[runtime]` and every `[images.NAME]`, so
/// every target shares one go build) and each main package's `kodata/`
/// when ko's convention is on, unless the entry says the binary embeds it;
/// Go's own files in them are kept. Empty when nothing is copied.
pub(super) fn go_build_exclude(spec: &crate::spec::Spec, binaries: &[Binary]) -> Vec<String> {
    let sections = std::iter::once(&spec.runtime).chain(spec.images.values().map(|i| &i.runtime));
    let mut out: Vec<String> = Vec::new();
    let mut kodata = false;
    for rt in sections {
        kodata |= rt.kodata.as_ref().is_some_and(|k| k.value);
        for f in rt.files.iter().flat_map(|f| &f.value) {
            let src = &f.src.value;
            if src != "." && !f.embed.as_ref().is_some_and(|e| e.value) && !out.contains(src) {
                out.push(src.clone());
            }
        }
    }
    if kodata {
        for b in binaries {
            let src = kodata_src(&b.package);
            if !out.contains(&src) {
                out.push(src);
            }
        }
    }
    if out.is_empty() {
        return out;
    }
    out.extend(["go.mod", "go.sum", "go.work", "vendor/modules.txt"].map(|f| format!("!**/{f}")));
    out.extend(GO_FILES.iter().map(|e| format!("!**/*.{e}")));
    out
}

/// A main package's `kodata/` directory in the build context.
fn kodata_src(package: &str) -> String {
    match package.trim_start_matches("./") {
        "" | "." => paths::KODATA_DIR.to_string(),
        d => format!("{}/{}", d.trim_end_matches('/'), paths::KODATA_DIR),
    }
}

/// The healthcheck the image config gets, from the spec's; a shell
/// command on a scratch image, which has no shell, is a problem.
pub(super) fn healthcheck(
    r: &RuntimeSpec,
    scratch: bool,
    problems: &mut Vec<Problem>,
) -> Option<Healthcheck> {
    let h = r.healthcheck.as_ref()?;
    let v = &h.value;
    if scratch && v.test.value.first().map(String::as_str) == Some("CMD-SHELL") {
        problems.push(problem(
            &v.test,
            &keys::RUNTIME_HEALTHCHECK,
            "runtime.healthcheck.test is a string, which Docker runs with /bin/sh, but a scratch image has no shell; give the command as an array, such as [\"/usr/local/bin/app\", \"-health\"]".into(),
        ));
    }
    let ns = |d: &Option<Field<u64>>| d.as_ref().map_or(0, |d| d.value);
    Some(Healthcheck {
        test: v.test.value.clone(),
        interval: ns(&v.interval),
        timeout: ns(&v.timeout),
        start_period: ns(&v.start_period),
        start_interval: ns(&v.start_interval),
        retries: v.retries.as_ref().map_or(0, |r| r.value),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ancestors_are_outermost_first() {
        assert_eq!(ancestors("/etc/app/", true), ["/etc", "/etc/app"]);
        assert_eq!(ancestors("/etc/app/x.yaml", false), ["/etc", "/etc/app"]);
        assert_eq!(ancestors("/manager", false), Vec::<String>::new());
        assert_eq!(ancestors("/", true), Vec::<String>::new());
    }

    #[test]
    fn owners_are_read_as_buildkit_reads_them() {
        assert_eq!(
            owner_of("65532"),
            FileOwner {
                user: IdOrName::Id(65532),
                group: None
            }
        );
        assert_eq!(owner_of("root:root"), FileOwner::root());
        assert_eq!(
            owner_of("nonroot:1000"),
            FileOwner {
                user: IdOrName::Name("nonroot".into()),
                group: Some(IdOrName::Id(1000))
            }
        );
        assert_eq!(owner_of("nonroot:nonroot").to_string(), "nonroot:nonroot");
    }

    #[test]
    fn a_declared_directory_keeps_its_owner_and_mode_in_every_layer() {
        let nonroot = owner_of("nonroot");
        let declared = BTreeMap::from([("/var/lib/app".to_string(), (0o750, nonroot.clone()))]);
        let made = made_dirs("/var/lib/app/seed/", Some(&FileOwner::root()), &declared);
        let shown: Vec<(&str, u32, String)> = made
            .iter()
            .map(|d| (d.path.as_str(), d.mode, d.owner.to_string()))
            .collect();
        assert_eq!(
            shown,
            [
                ("/var", 0o755, "0:0".to_string()),
                ("/var/lib", 0o755, "0:0".to_string()),
                ("/var/lib/app", 0o750, "nonroot".to_string()),
                ("/var/lib/app/seed", 0o755, "0:0".to_string()),
            ]
        );
    }
}
