//! gofront: a BuildKit frontend that builds container images for Go projects.
//!
//! The pipeline is `spec` (parse + validate) → `plan` (every default
//! resolved) → `lower` (plan to LLB) → `llb` (typed builder, marshals a
//! `Definition`); `gateway` is the only part that talks to BuildKit. See
//! ARCHITECTURE.md.

pub mod driver;
pub mod explain;
pub mod gateway;
pub mod gocache;
pub mod gomod;
pub mod llb;
pub mod local;
pub mod lower;
pub mod modcache;
pub mod options;
pub mod plan;
pub mod proto;
pub mod spec;

#[cfg(test)]
mod mutants_tests;
