//! Source ops: container images and the client's local directories.

use std::collections::BTreeMap;

use super::{Caps, OpMeta, State, finish};
use crate::platform::{Platform, ResolveMode};
use crate::proto::pb;

/// Normalises an image reference the way Docker does: `golang:1.24` becomes
/// `docker.io/library/golang:1.24`, a missing tag becomes `latest`. BuildKit
/// requires the normalised form in `docker-image://` identifiers.
pub fn normalize_image_ref(reference: &str) -> String {
    let (name, digest) = match reference.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (reference, None),
    };
    let first = name.split('/').next().unwrap_or(name);
    let has_domain =
        name.contains('/') && (first.contains('.') || first.contains(':') || first == "localhost");
    let mut full = if has_domain {
        name.to_string()
    } else if name.contains('/') {
        format!("docker.io/{name}")
    } else {
        format!("docker.io/library/{name}")
    };
    let last = full.rsplit('/').next().unwrap_or_default();
    if digest.is_none() && !last.contains(':') {
        full.push_str(":latest");
    }
    if let Some(d) = digest {
        full.push('@');
        full.push_str(d);
    }
    full
}

/// An image source (`docker-image://<ref>`) for one platform.
pub fn image(reference: &str, platform: &Platform, mode: ResolveMode, meta: &OpMeta) -> State {
    let mut attrs = BTreeMap::new();
    let mut caps = Caps::default();
    caps.add("source.image");
    if mode != ResolveMode::Default {
        attrs.insert("image.resolvemode".to_string(), mode.attr().to_string());
        caps.add("source.image.resolvemode");
    }
    let op = pb::Op {
        op: Some(pb::op::Op::Source(pb::SourceOp {
            identifier: format!("docker-image://{}", normalize_image_ref(reference)),
            attrs,
        })),
        ..pb::Op::default()
    };
    State::from_node(finish(op, Vec::new(), Some(platform), caps, meta), 0)
}

/// An image from an OCI layout the client holds (`--build-context
/// NAME=oci-layout://...`): `reference` is `name@digest`, `store` the
/// client's store id, `session` the build session.
pub fn oci_layout(
    reference: &str,
    store: &str,
    session: &str,
    platform: &Platform,
    meta: &OpMeta,
) -> State {
    let mut attrs = BTreeMap::new();
    attrs.insert("oci.session".to_string(), session.to_string());
    attrs.insert("oci.store".to_string(), store.to_string());
    let mut caps = Caps::default();
    caps.add("source.ocilayout");
    let op = pb::Op {
        op: Some(pb::op::Op::Source(pb::SourceOp {
            identifier: format!("oci-layout://{}", normalize_image_ref(reference)),
            attrs,
        })),
        ..pb::Op::default()
    };
    State::from_node(finish(op, Vec::new(), Some(platform), caps, meta), 0)
}

/// A local directory synced from the client (`local://<name>`).
#[derive(Debug, Clone)]
pub struct Local {
    name: String,
    session: String,
    platform: Platform,
    include: Vec<String>,
    exclude: Vec<String>,
    follow: Vec<String>,
    shared_key_hint: Option<String>,
}

impl Local {
    /// The local named `name` in the build session `session`. A session id
    /// is required: without one BuildKit cannot find the files, and Go's
    /// client would add a random id that breaks determinism.
    /// `platform` goes on the op as BuildKit's Go client puts it (the
    /// engine's platform): an op without one is rewritten by BuildKit, and
    /// its vertex digest then matches no digest gofront knows.
    pub fn new(name: &str, session: &str, platform: &Platform) -> Self {
        Local {
            name: name.to_string(),
            session: session.to_string(),
            platform: platform.clone(),
            include: Vec::new(),
            exclude: Vec::new(),
            follow: Vec::new(),
            shared_key_hint: None,
        }
    }

    /// Also transfer what symbolic links at these paths point to (inside
    /// the local only, as BuildKit resolves them).
    pub fn follow_paths(mut self, paths: Vec<String>) -> Self {
        self.follow = paths;
        self
    }

    /// Only transfer paths matching these patterns.
    pub fn include(mut self, patterns: Vec<String>) -> Self {
        self.include = patterns;
        self
    }

    /// Never transfer paths matching these patterns (`.dockerignore` syntax).
    pub fn exclude(mut self, patterns: Vec<String>) -> Self {
        self.exclude = patterns;
        self
    }

    /// Lets BuildKit reuse an earlier transfer with the same hint.
    pub fn shared_key_hint(mut self, hint: &str) -> Self {
        self.shared_key_hint = Some(hint.to_string());
        self
    }

    /// Marshals the source op.
    pub fn build(self, meta: &OpMeta) -> State {
        let mut attrs = BTreeMap::new();
        let mut caps = Caps::default();
        caps.add("source.local");
        attrs.insert("local.session".to_string(), self.session);
        caps.add("source.local.sessionid");
        // Pattern lists travel as JSON arrays (pb.AttrIncludePatterns).
        if !self.include.is_empty() {
            attrs.insert("local.includepattern".to_string(), json_list(&self.include));
            caps.add("source.local.includepatterns");
        }
        if !self.exclude.is_empty() {
            attrs.insert(
                "local.excludepatterns".to_string(),
                json_list(&self.exclude),
            );
            caps.add("source.local.excludepatterns");
        }
        if !self.follow.is_empty() {
            attrs.insert("local.followpaths".to_string(), json_list(&self.follow));
            caps.add("source.local.followpaths");
        }
        if let Some(hint) = self.shared_key_hint {
            attrs.insert("local.sharedkeyhint".to_string(), hint);
            caps.add("source.local.sharedkeyhint");
        }
        let op = pb::Op {
            op: Some(pb::op::Op::Source(pb::SourceOp {
                identifier: format!("local://{}", self.name),
                attrs,
            })),
            ..pb::Op::default()
        };
        State::from_node(finish(op, Vec::new(), Some(&self.platform), caps, meta), 0)
    }
}

fn json_list(items: &[String]) -> String {
    serde_json::Value::from(items.to_vec()).to_string()
}

#[cfg(test)]
mod tests {
    use super::normalize_image_ref as n;

    #[test]
    fn normalises_like_docker() {
        assert_eq!(n("golang:1.24"), "docker.io/library/golang:1.24");
        assert_eq!(n("busybox"), "docker.io/library/busybox:latest");
        assert_eq!(
            n("gofront-test/golang-uid1000:1.24"),
            "docker.io/gofront-test/golang-uid1000:1.24"
        );
        assert_eq!(
            n("gcr.io/distroless/static-debian12:nonroot"),
            "gcr.io/distroless/static-debian12:nonroot"
        );
        assert_eq!(n("localhost:5000/app"), "localhost:5000/app:latest");
        assert_eq!(n("localhost/app:1"), "localhost/app:1");
        assert_eq!(
            n("alpine@sha256:abc"),
            "docker.io/library/alpine@sha256:abc"
        );
    }
}
