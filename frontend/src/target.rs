//! The build targets: what a build returns. Spec keys say which targets
//! they affect, options read `--target`, plan builds one. Besides the
//! built-in targets, each binary is a target of its own: the runtime image
//! with only that binary (see [`binary_target`]).

/// What the build returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Target {
    /// The runtime image (the default).
    #[default]
    Image,
    /// Just the binaries, for `--output type=local`.
    Binaries,
    /// `go test` with the same caches.
    Test,
    /// The report of the `go test` run (JSON, JUnit XML, coverage), exported
    /// whether the tests pass or fail.
    TestReport,
    /// The Go build cache entries the build uses, for a fresh runner to seed
    /// from (`--build-context gocache=...`).
    Gocache,
}

impl Target {
    /// Every target, the default first.
    pub const ALL: [Target; 5] = [
        Target::Image,
        Target::Binaries,
        Target::Test,
        Target::Gocache,
        Target::TestReport,
    ];

    /// What it builds, in one sentence (`--call targets`).
    pub fn description(self) -> &'static str {
        match self {
            Target::Image => "The runtime image: the base plus the binaries in /usr/local/bin",
            Target::Binaries => "Just the binaries, for --output type=local",
            Target::Test => "go test with the same caches; a failing test fails the build",
            Target::TestReport => {
                "The report of the go test run (test.json, junit.xml, coverage.out, exit-code), exported whether the tests pass or fail"
            }
            Target::Gocache => {
                "The Go build cache entries the build uses, to seed a fresh builder with --build-context gocache=DIR"
            }
        }
    }

    /// The target a `--target` value names (empty: the default).
    pub fn parse(s: &str) -> Option<Self> {
        if s.is_empty() {
            return Some(Target::default());
        }
        Target::ALL.into_iter().find(|t| t.name() == s)
    }

    /// Every target name, the default first, for messages.
    pub fn names() -> String {
        Target::ALL.map(Target::name).join(", ")
    }

    /// Whether it runs `go test` (and builds no binary).
    pub const fn runs_tests(self) -> bool {
        matches!(self, Target::Test | Target::TestReport)
    }

    /// The name a user passes to `--target`: the only place target names
    /// are spelled.
    pub const fn name(self) -> &'static str {
        match self {
            Target::Image => "image",
            Target::Binaries => "binaries",
            Target::Test => "test",
            Target::TestReport => "test-report",
            Target::Gocache => "gocache",
        }
    }
}

/// The `--target` name of the image that holds only binary `name`: the
/// binary's name, unless a built-in target has it (`test`, ...); then
/// `NAME-image`, so that `--target test` keeps meaning `go test`.
pub fn binary_target(name: &str) -> String {
    match Target::parse(name) {
        Some(_) if !name.is_empty() => format!("{name}-image"),
        _ => name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_binary_target_is_the_binary_name_unless_a_built_in_target_has_it() {
        assert_eq!(binary_target("api"), "api");
        assert_eq!(binary_target("image-builder"), "image-builder");
        for t in Target::ALL {
            assert_eq!(binary_target(t.name()), format!("{}-image", t.name()));
        }
        // The empty --target means image, but names no binary's target.
        assert_eq!(Target::parse(""), Some(Target::Image));
        assert_eq!(binary_target(""), "");
    }
}
