//! Which images a build needs (known before any is resolved), and the
//! sources images, gofront's own tool and named contexts come from.

use super::go::*;
use crate::options::ContextSource;
use crate::plan::project::Project;
use crate::plan::types::{ContextState, ImageSource};
use crate::platform::ResolveMode;
use crate::spec::{Spec, defaults};
use crate::target::Target;

/// The images a build needs, known before anything is resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRefs {
    /// The builder image.
    pub builder: String,
    /// The runtime base (`None`: scratch).
    pub runtime: Option<String>,
}

impl ImageRefs {
    /// The runtime base to resolve for `target`: only the image target
    /// has one (`--target binaries` for windows never touches a Linux base).
    pub fn runtime_for(&self, target: Target) -> Option<&str> {
        match target {
            Target::Image => self.runtime.as_deref(),
            Target::Binaries | Target::Test | Target::TestReport | Target::Gocache => None,
        }
    }
}

/// Which images to resolve: the spec's, else defaults from the go line;
/// the runtime base of the image `binary_target` names (`None`: `image`).
pub fn image_refs(spec: &Spec, project: &Project, binary_target: Option<&str>) -> ImageRefs {
    let builder = match &spec.build.builder {
        Some(b) => b.value.clone(),
        // A toolchain line names an exact release; a go line is a minimum,
        // which the newest patch of its release line satisfies.
        None => match project.default_go() {
            go if Some(go) == project.toolchain.as_ref() => format!("golang:{go}"),
            go => format!("golang:{}", go.minor_line()),
        },
    };
    let cgo = cgo_enabled(spec);
    let runtime = match &spec.runtime_for(binary_target).base {
        Some(b) if b.value == "scratch" => None,
        Some(b) => Some(b.value.clone()),
        None if cgo => Some(defaults::CGO_BASE.to_string()),
        None => Some(defaults::STATIC_BASE.to_string()),
    };
    ImageRefs { builder, runtime }
}

/// An image the frontend resolved in this build, pinned to that digest.
/// It is taken from the engine's store when it is there (the digest names
/// the very same image) instead of asking the registry a second time in
/// the same build; `--pull` still pulls.
pub(super) fn pinned_image(name: &str, digest: Option<&str>, mode: ResolveMode) -> ImageSource {
    let reference = match digest {
        Some(d) if !name.contains('@') => format!("{name}@{d}"),
        _ => name.to_string(),
    };
    ImageSource {
        name: name.to_string(),
        reference,
        resolve_mode: match (mode, digest) {
            (ResolveMode::Default, Some(_)) => ResolveMode::Local,
            _ => mode,
        },
    }
}

/// gofront's own image, for its tool, from the engine's own store:
/// BuildKit just ran it as the frontend. (In the default mode the
/// containerd image store asks the registry for it again first.)
pub(super) fn tool_source(image: &str) -> ImageSource {
    ImageSource {
        name: image.to_string(),
        reference: image.to_string(),
        resolve_mode: ResolveMode::Local,
    }
}

/// A named build context as a source; what gofront cannot mount is
/// handed back.
pub(super) fn context_state(
    source: ContextSource,
    mode: ResolveMode,
) -> Result<ContextState, ContextSource> {
    match source {
        ContextSource::Local(local) => Ok(ContextState::Local(local)),
        ContextSource::Image(r) => Ok(ContextState::Image(ImageSource {
            name: r.clone(),
            reference: r,
            resolve_mode: mode,
        })),
        ContextSource::OciLayout { store, reference } => match reference.split_once('@') {
            Some((_, digest)) => Ok(ContextState::OciLayout {
                digest: digest.to_string(),
                store,
            }),
            None => Err(ContextSource::OciLayout { store, reference }),
        },
        other @ ContextSource::Other(_) => Err(other),
    }
}
