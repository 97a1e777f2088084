//! Package URLs (github.com/package-url/purl-spec) for Go modules and OCI
//! images. Every character but the unreserved `A-Z a-z 0-9 . - _ ~` is
//! percent-encoded in names and versions (so `v2.0.0+incompatible` is
//! `v2.0.0%2Bincompatible` and a digest is `sha256%3A...`, as the spec's
//! `oci` example writes it); `/` separates a Go module path's segments and
//! stays in qualifier values, as in the spec's examples.

fn encode(s: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~') || keep.contains(&b)
        {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `pkg:golang/<module path>@<version>`.
pub fn golang(path: &str, version: &str) -> String {
    let segments: Vec<String> = path.split('/').map(|s| encode(s, &[])).collect();
    format!("pkg:golang/{}@{}", segments.join("/"), encode(version, &[]))
}

/// An image reference split the way a purl needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// Everything before the tag and digest (`gcr.io/distroless/static`).
    pub repository: String,
    /// The tag, if the reference has one.
    pub tag: Option<String>,
    /// The digest written into the reference (`@sha256:...`), if any.
    pub digest: Option<String>,
}

impl ImageRef {
    /// Splits `registry/path:tag@digest`; a `:` before the last `/` is a
    /// registry port, not a tag.
    pub fn parse(reference: &str) -> ImageRef {
        let (rest, digest) = match reference.split_once('@') {
            Some((r, d)) => (r, Some(d.to_string())),
            None => (reference, None),
        };
        let last_slash = rest.rfind('/').unwrap_or(0);
        let (repository, tag) = match rest[last_slash..].rfind(':') {
            Some(i) => (
                rest[..last_slash + i].to_string(),
                Some(rest[last_slash + i + 1..].to_string()),
            ),
            None => (rest.to_string(), None),
        };
        ImageRef {
            repository,
            tag,
            digest,
        }
    }
}

/// `pkg:oci/<name>@<digest>?repository_url=<repository>&tag=<tag>`; the
/// name is the repository's last segment, lowercased as the spec says.
pub fn oci(image: &ImageRef, digest: Option<&str>) -> String {
    let name = image
        .repository
        .rsplit('/')
        .next()
        .unwrap_or(&image.repository)
        .to_ascii_lowercase();
    let mut out = format!("pkg:oci/{}", encode(&name, &[]));
    if let Some(d) = digest.or(image.digest.as_deref()) {
        out.push('@');
        out.push_str(&encode(d, &[]));
    }
    // Qualifiers sorted by key, as the spec's canonical form wants.
    out.push_str("?repository_url=");
    out.push_str(&encode(&image.repository, b"/"));
    if let Some(tag) = &image.tag {
        out.push_str("&tag=");
        out.push_str(&encode(tag, &[]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golang_purls() {
        assert_eq!(
            golang("github.com/BurntSushi/toml", "v1.3.2"),
            "pkg:golang/github.com/BurntSushi/toml@v1.3.2"
        );
        assert_eq!(
            golang("github.com/x/y", "v2.0.0+incompatible"),
            "pkg:golang/github.com/x/y@v2.0.0%2Bincompatible"
        );
        assert_eq!(golang("stdlib", "1.22.5"), "pkg:golang/stdlib@1.22.5");
    }

    #[test]
    fn image_refs() {
        let r = ImageRef::parse("localhost:5000/distroless/static:nonroot@sha256:ab");
        assert_eq!(r.repository, "localhost:5000/distroless/static");
        assert_eq!(r.tag.as_deref(), Some("nonroot"));
        assert_eq!(r.digest.as_deref(), Some("sha256:ab"));
        let r = ImageRef::parse("localhost:5000/busybox");
        assert_eq!(r.repository, "localhost:5000/busybox");
        assert_eq!(r.tag, None);
        assert_eq!(
            oci(
                &ImageRef::parse("gcr.io/distroless/Static:nonroot"),
                Some("sha256:ab")
            ),
            "pkg:oci/static@sha256%3Aab?repository_url=gcr.io/distroless/Static&tag=nonroot"
        );
        assert_eq!(
            oci(&ImageRef::parse("alpine"), None),
            "pkg:oci/alpine?repository_url=alpine"
        );
    }
}
