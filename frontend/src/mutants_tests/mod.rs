//! Tests written against surviving cargo-mutants mutants (see
//! docs/development.md, "Mutation testing", and
//! `frontend/mutants-equivalent.md`). Each drives behaviour through a
//! stable entry point: `spec::parse`, the `plan` functions, `lower::lower`
//! and the marshalled `Definition` decoded back into protobuf, checked
//! field by field.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod plan;


pub(crate) use crate::options::Platform;
pub(crate) use crate::plan::ProjectFiles;
pub(crate) use crate::testutil::case::*;
