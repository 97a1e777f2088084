//! Image references, read by the grammar BuildKit reads them with
//! (github.com/distribution/reference: `ParseNormalizedNamed`, which a
//! `docker-image://` named context and an image source go through), so a
//! reference BuildKit would refuse is refused before the build, in its
//! words:
//!
//! ```text
//! reference   := name [ ":" tag ] [ "@" digest ]
//! name        := [domain '/'] path-component ['/' path-component]*
//! domain      := host [':' port-number]
//! host        := domain-name | '[' IPv6 hex and ':' ']'
//! domain-name := domain-component ['.' domain-component]*
//! domain-component := /([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])/
//! port-number := /[0-9]+/
//! path-component := /[a-z0-9]+/ [separator /[a-z0-9]+/]*
//! separator   := /[_.]|__|[-]+/
//! tag         := /[\w][\w.-]{0,127}/
//! digest      := algorithm ":" hex   (sha256, sha384 or sha512, lowercase)
//! ```
//!
//! A first element without `.` or `:` that is neither `localhost` nor has
//! an upper-case letter is a path on Docker Hub (`ubuntu` is
//! `docker.io/library/ubuntu`); the repository path is lower case and at
//! most 255 characters; a bare 64-hex-digit name is refused (it reads as
//! an image id). Pure.

use thiserror::Error;

/// Why a reference does not parse, in distribution/reference's words.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ReferenceError {
    /// Empty.
    #[error("the reference is empty")]
    Empty,
    /// Not of the grammar.
    #[error("invalid reference format")]
    Format,
    /// A repository path with an upper-case letter.
    #[error("invalid reference format: repository name ({0}) must be lowercase")]
    Uppercase(String),
    /// A repository path past 255 characters.
    #[error("repository name must not be more than 255 characters")]
    TooLong,
    /// 64 hex digits alone: an image id, not a name.
    #[error("invalid repository name ({0}), cannot specify 64-byte hexadecimal strings")]
    Identifier(String),
    /// A digest of an algorithm BuildKit does not have.
    #[error("unsupported digest algorithm")]
    DigestAlgorithm,
    /// A digest of the wrong length for its algorithm.
    #[error("invalid checksum digest length")]
    DigestLength,
    /// A digest that is not lowercase hex.
    #[error("invalid checksum digest format")]
    DigestFormat,
}

/// The longest repository path.
const MAX_PATH: usize = 255;

/// Reads `s` as BuildKit's `reference.ParseNormalizedNamed` does.
pub fn check(s: &str) -> Result<(), ReferenceError> {
    if s.is_empty() {
        return Err(ReferenceError::Empty);
    }
    if s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(ReferenceError::Identifier(s.to_string()));
    }
    let (domain, remainder) = split_docker_domain(s);
    let remote = remainder.split(':').next().unwrap_or(&remainder);
    if remote.to_lowercase() != remote {
        return Err(ReferenceError::Uppercase(remote.to_string()));
    }
    parse(&format!("{domain}/{remainder}"))
}

/// `splitDockerDomain`: the registry and the rest, Docker Hub's
/// `library/` added to a one-element name.
fn split_docker_domain(name: &str) -> (&str, String) {
    const DEFAULT: &str = "docker.io";
    let Some((first, rest)) = name.split_once('/') else {
        return (DEFAULT, format!("library/{name}"));
    };
    let (domain, remote) =
        if first == "localhost" || first.contains(['.', ':']) || first.to_lowercase() != first {
            (
                if first == "index.docker.io" {
                    DEFAULT
                } else {
                    first
                },
                rest,
            )
        } else {
            (DEFAULT, name)
        };
    if domain == DEFAULT && !remote.contains('/') {
        return (domain, format!("library/{remote}"));
    }
    (domain, remote.to_string())
}

/// `reference.Parse`: the whole grammar, then the path's length and the
/// digest.
fn parse(s: &str) -> Result<(), ReferenceError> {
    if !matches(s) {
        let lower = s.to_lowercase();
        if lower != s && matches(&lower) {
            return Err(ReferenceError::Uppercase(s.to_string()));
        }
        return Err(ReferenceError::Format);
    }
    let (rest, digest) = match s.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (s, None),
    };
    let name = strip_tag(rest).0;
    // The path: what follows a first element that reads as a domain.
    let path = match name.split_once('/') {
        Some((first, path)) if is_domain_and_port(first) => path,
        _ => name,
    };
    if path.len() > MAX_PATH {
        return Err(ReferenceError::TooLong);
    }
    match digest {
        Some(d) => check_digest(d),
        None => Ok(()),
    }
}

/// Whether `s` is `name [":" tag] ["@" digest]` of the grammar.
fn matches(s: &str) -> bool {
    let (rest, digest) = match s.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (s, None),
    };
    if digest.is_some_and(|d| !is_digest_syntax(d)) {
        return false;
    }
    let (name, tag) = strip_tag(rest);
    if tag.is_some_and(|t| !is_tag(t)) {
        return false;
    }
    is_remote_name(name)
        || name
            .split_once('/')
            .is_some_and(|(first, path)| is_domain_and_port(first) && is_remote_name(path))
}

/// `name` and the tag after its last `:`, when no `/` follows that `:`
/// (a name holds `:` only in its domain's port, before a `/`).
fn strip_tag(s: &str) -> (&str, Option<&str>) {
    match s.rsplit_once(':') {
        Some((name, tag)) if !tag.contains('/') => (name, Some(tag)),
        _ => (s, None),
    }
}

/// `[\w][\w.-]{0,127}`.
fn is_tag(t: &str) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let b = t.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && word(b[0])
        && b[1..].iter().all(|&c| word(c) || c == b'.' || c == b'-')
}

/// Path components joined by `/`.
fn is_remote_name(s: &str) -> bool {
    s.split('/').all(is_path_component)
}

/// `[a-z0-9]+` runs joined by `.`, `_`, `__` or dashes.
fn is_path_component(s: &str) -> bool {
    let alnum = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    if !s.starts_with(alnum) || !s.ends_with(alnum) {
        return false;
    }
    s.split(alnum)
        .filter(|sep| !sep.is_empty())
        .all(|sep| matches!(sep, "." | "_" | "__") || sep.bytes().all(|b| b == b'-'))
        && s.chars().all(|c| alnum(c) || matches!(c, '.' | '_' | '-'))
}

/// `host [':' port]`.
fn is_domain_and_port(s: &str) -> bool {
    let (host, port) = if let Some(v6) = s.strip_prefix('[') {
        match v6.split_once(']') {
            Some((inner, rest)) => {
                let ok =
                    !inner.is_empty() && inner.chars().all(|c| c.is_ascii_hexdigit() || c == ':');
                if !ok {
                    return false;
                }
                match rest {
                    "" => return true,
                    _ => match rest.strip_prefix(':') {
                        Some(port) => ("[v6]", Some(port)),
                        None => return false,
                    },
                }
            }
            None => return false,
        }
    } else {
        match s.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (s, None),
        }
    };
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    port_ok && (host == "[v6]" || host.split('.').all(is_domain_component))
}

/// `[a-zA-Z0-9]` or `[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]`.
fn is_domain_component(s: &str) -> bool {
    let alnum = |c: char| c.is_ascii_alphanumeric();
    s.starts_with(alnum) && s.ends_with(alnum) && s.chars().all(|c| alnum(c) || c == '-')
}

/// `[A-Za-z][A-Za-z0-9]*([-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}`.
fn is_digest_syntax(d: &str) -> bool {
    let Some((algorithm, hex)) = d.split_once(':') else {
        return false;
    };
    let component = |c: &str| {
        c.starts_with(|ch: char| ch.is_ascii_alphabetic())
            && c.chars().all(|ch| ch.is_ascii_alphanumeric())
    };
    algorithm.split(['-', '_', '+', '.']).all(component)
        && hex.len() >= 32
        && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

/// go-digest's `Validate` for the algorithms BuildKit has.
fn check_digest(d: &str) -> Result<(), ReferenceError> {
    let (algorithm, hex) = d.split_once(':').ok_or(ReferenceError::DigestFormat)?;
    let len = match algorithm {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => return Err(ReferenceError::DigestAlgorithm),
    };
    if hex.len() != len {
        return Err(ReferenceError::DigestLength);
    }
    if !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(ReferenceError::DigestFormat);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_buildkit_pulls_are_accepted() {
        let sha = "a".repeat(64);
        for r in [
            "ubuntu",
            "ubuntu:24.04",
            "library/ubuntu",
            "docker.io/library/golang:1.24",
            "index.docker.io/library/golang",
            "ghcr.io/acme/team/gocache:main",
            "localhost/gocache",
            "localhost:5000/gocache:v1",
            "127.0.0.1:46565/e2e/withdep:t1",
            "[::1]:5000/gocache",
            "[fe80::1]/x",
            "Registry.Example.com/x",
            "my-registry.local/a__b/c.d/e---f_g",
            "gcr.io/distroless/static-debian12:nonroot",
            "scratch",
            "a:TAG_1.x-y",
            &format!("golang:1.24@sha256:{sha}"),
            &format!("golang@sha256:{sha}"),
            &format!("golang@sha512:{}", "0".repeat(128)),
            &format!("x/{}", "a".repeat(253)),
        ] {
            assert_eq!(check(r), Ok(()), "{r}");
        }
    }

    #[test]
    fn references_buildkit_refuses_are_refused_in_its_words() {
        let sha = "a".repeat(64);
        let cases = [
            ("", "the reference is empty"),
            (":", "invalid reference format"),
            ("ubuntu:", "invalid reference format"),
            ("/ubuntu", "invalid reference format"),
            ("ubuntu/", "invalid reference format"),
            ("a//b", "invalid reference format"),
            ("a b", "invalid reference format"),
            ("-a", "invalid reference format"),
            ("a-", "invalid reference format"),
            ("a..b", "invalid reference format"),
            ("a___b", "invalid reference format"),
            ("a._b", "invalid reference format"),
            ("docker-image://alpine", "invalid reference format"),
            ("a:-tag", "invalid reference format"),
            (
                &format!("a:{}", "t".repeat(129)),
                "invalid reference format",
            ),
            ("a@", "invalid reference format"),
            ("a@sha256:abc", "invalid reference format"),
            ("a@@sha256:x", "invalid reference format"),
            ("host:port/x", "invalid reference format"),
            ("[zz]/x", "invalid reference format"),
            ("-host.io/x", "invalid reference format"),
            (
                "Ubuntu",
                "invalid reference format: repository name (library/Ubuntu) must be lowercase",
            ),
            (
                "ghcr.io/Acme/x:tag",
                "invalid reference format: repository name (Acme/x) must be lowercase",
            ),
            (
                &sha,
                &format!(
                    "invalid repository name ({sha}), cannot specify 64-byte hexadecimal strings"
                ),
            ),
            (
                &format!("x/{}", "a".repeat(254)),
                "repository name must not be more than 255 characters",
            ),
            (
                &format!("a@md5:{}", "0".repeat(32)),
                "unsupported digest algorithm",
            ),
            (
                &format!("a@sha256:{}", "0".repeat(63)),
                "invalid checksum digest length",
            ),
            (
                &format!("a@sha256:{}", "A".repeat(64)),
                "invalid checksum digest format",
            ),
        ];
        for (r, want) in cases {
            assert_eq!(
                check(r).map_err(|e| e.to_string()),
                Err(want.to_string()),
                "{r}"
            );
        }
    }
}
