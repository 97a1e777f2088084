//! Everything that can stop planning.

use thiserror::Error;

use crate::options::OptionsError;
use crate::spec::SpecError;

/// Everything that can stop planning.
#[derive(Debug, Error)]
pub enum PlanError {
    /// The spec (or a build arg) is wrong; carries locations.
    #[error(transparent)]
    Spec(#[from] SpecError),
    /// A frontend option cannot be honoured.
    #[error(transparent)]
    Options(#[from] OptionsError),
    /// No go.mod.
    #[error(
        "no go.mod or go.work at the root of the build context; gofront builds Go modules (run `go mod init` first)"
    )]
    NoGoMod,
    /// go.mod or go.work could not be parsed.
    #[error("{file}:{line}: {message}")]
    GoFile {
        /// File name.
        file: String,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
        /// The file's text, for the source-location detail.
        text: String,
    },
    /// A go.mod has no `module` line (Go refuses it too).
    #[error(
        "{file} has no module line; add one such as `module example.com/app` (go mod init writes it)"
    )]
    NoModuleLine {
        /// File name.
        file: String,
    },
    /// go.mod or go.work has no `go` line.
    #[error("{file} has no go line; add one such as `go 1.24`")]
    NoGoLine {
        /// File name.
        file: String,
    },
    /// A `replace` or `use` points outside the context.
    #[error(
        "{file}:{line}: replace target {target:?} is outside the build context; move it inside or build from a parent directory"
    )]
    ReplaceOutside {
        /// File name.
        file: String,
        /// 1-based line.
        line: usize,
        /// The target as written.
        target: String,
        /// The file's text.
        text: String,
    },
    /// A go.work `use` directory is outside the context.
    #[error(
        "go.work:{line}: use directory {dir:?} is outside the build context; move it inside or build from a parent directory"
    )]
    UseOutside {
        /// The directory as written.
        dir: String,
        /// 1-based line.
        line: usize,
        /// go.work's text.
        text: String,
    },
    /// A go.work `use` directory has no go.mod.
    #[error("go.work:{line}: use directory {dir:?} has no go.mod in the build context")]
    MissingMemberGoMod {
        /// The directory as written.
        dir: String,
        /// 1-based line.
        line: usize,
        /// go.work's text.
        text: String,
    },
    /// `.dockerignore` hides a file the Go steps need, or has a pattern
    /// BuildKit refuses.
    #[error(".dockerignore:{line}: {message}")]
    Dockerignore {
        /// 1-based line of the pattern.
        line: usize,
        /// What is wrong, and what to do.
        message: String,
        /// The file's text.
        text: String,
    },
    /// The project needs a newer Go than the builder image has.
    #[error(
        "{file} asks for go {wanted}, but the builder image {builder} has Go {have}; set build.builder to a newer image (e.g. golang:{wanted_line}) or lower the go line"
    )]
    GoTooNew {
        /// go.mod or go.work.
        file: String,
        /// The go line's version.
        wanted: String,
        /// Its major.minor.
        wanted_line: String,
        /// The builder image.
        builder: String,
        /// The builder's Go version.
        have: String,
    },
    /// The Go build cache seed is of a kind gofront cannot mount.
    #[error(
        "build context {name:?} is {value:?}; gofront seeds the Go build cache from a directory, a docker-image:// or an oci-layout:// reference"
    )]
    SeedKind {
        /// The context's name.
        name: String,
        /// Its value.
        value: String,
    },
    /// Go has no port for the platform.
    #[error(transparent)]
    UnsupportedPlatform(#[from] crate::platform::PlatformError),
    /// An image or test target for a platform that is not Linux.
    #[error(
        "--platform {platform}: gofront's {target} target builds Linux images only; build {os} binaries with --target binaries",
        os = platform.split('/').next().unwrap_or_default()
    )]
    NotLinux {
        /// The platform asked for.
        platform: String,
        /// The target.
        target: &'static str,
    },
    /// Tests for a platform the builder cannot execute.
    #[error(
        "--target test --platform {platform}: this builder cannot run {platform} programs (it runs {runnable}); build with --target binaries, or run the tests on a native or emulating builder (binfmt/QEMU installed)"
    )]
    CannotRunTests {
        /// The platform asked for.
        platform: String,
        /// What the builder runs.
        runnable: String,
    },
    /// `--target` names neither a built-in target nor a binary.
    #[error(
        "unknown target {name:?}{hint}; gofront builds {builtin}, and an image per binary: {binaries}",
        hint = suggestion.as_ref().map(|s| format!(" (did you mean {s:?}?)")).unwrap_or_default(),
        builtin = crate::target::Target::names(),
        binaries = if binaries.is_empty() { "none here".to_string() } else { binaries.join(", ") }
    )]
    UnknownTarget {
        /// The name asked for.
        name: String,
        /// The closest target name, if one is close.
        suggestion: Option<String>,
        /// The binary targets the spec has.
        binaries: Vec<String>,
    },
    /// The cache tool needs gofront's own image, and none is known.
    #[error(
        "gofront cannot tell which image it runs from, which the Go build cache export and seed need; run it through `# syntax=<gofront image>`"
    )]
    NoToolImage,
    /// An image config from BuildKit is not JSON.
    #[error("the config of image {image} is not valid JSON: {message}")]
    ImageConfig {
        /// The image.
        image: String,
        /// The parse error.
        message: String,
    },
}

impl PlanError {
    /// The project file and line at fault, when there is one: the file's
    /// name as the user knows it, its text and the 1-based line.
    pub fn file_line(&self) -> Option<(&str, &str, usize)> {
        match self {
            PlanError::GoFile {
                file, line, text, ..
            }
            | PlanError::ReplaceOutside {
                file, line, text, ..
            } => Some((file, text, *line)),
            PlanError::UseOutside { line, text, .. }
            | PlanError::MissingMemberGoMod { line, text, .. } => Some(("go.work", text, *line)),
            PlanError::Dockerignore { line, text, .. } => Some((".dockerignore", text, *line)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_project_file_error_names_its_file_and_line() {
        let text = || "go 1.24\nuse ./a\n".to_string();
        let cases = [
            (
                PlanError::UseOutside {
                    dir: "../x".into(),
                    line: 2,
                    text: text(),
                },
                "go.work",
            ),
            (
                PlanError::MissingMemberGoMod {
                    dir: "./a".into(),
                    line: 2,
                    text: text(),
                },
                "go.work",
            ),
            (
                PlanError::Dockerignore {
                    line: 2,
                    message: "hides go.mod".into(),
                    text: text(),
                },
                ".dockerignore",
            ),
        ];
        for (e, file) in cases {
            assert_eq!(e.file_line(), Some((file, "go 1.24\nuse ./a\n", 2)), "{e}");
        }
        assert_eq!(PlanError::NoToolImage.file_line(), None);
    }
}
