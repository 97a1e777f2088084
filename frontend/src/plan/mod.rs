//! From a [`Spec`], the project files and the options to a [`Plan`]: every
//! default resolved (images, platforms, Go env and flags, cache ids, paths,
//! the image config). After this, nothing makes decisions.
//!
//! Invariant: pure. The gateway gathers the inputs (files, image configs,
//! engine caps, the clock) and hands them in.

mod error;
pub mod image;
pub mod mains;
pub mod platforms;
mod project;
mod resolve;
pub mod stamp;
mod types;

pub use error::PlanError;
pub use image::ImageConfig;
pub use mains::{Heads, Scan};
pub use project::{
    GO_SUM, MODULE_FILES, Project, ProjectFiles, check_dockerignore, dockerignore_hides, layout,
    mains_scan, module_dirs_to_read,
};
#[cfg(test)]
pub use project::{analyze, dockerignore_patterns, download_files};
pub use resolve::{binary_targets, image_refs, resolve};
pub use types::*;

#[cfg(test)]
mod runtime_tests;
#[cfg(test)]
mod tests;
