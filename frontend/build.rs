//! Generates the `BuildKit` protocol bindings from the `.proto` files under
//! `../proto`.
//!
//! `protox` parses the files in pure Rust, so no system `protoc` is needed.
//! Map fields are generated as `BTreeMap`s so they are encoded in sorted key
//! order, which keeps marshalled ops (and therefore their digests)
//! deterministic.
//!
//! The LLB types (package `pb`) also derive serde's `Serialize` and
//! `Deserialize`, so `gofront llb` and the golden tests render whole ops,
//! every field, and can read them back (see `llb::debug`). Enum fields are
//! written by name, file modes in octal, bytes as text when they are UTF-8
//! (`proto::pb_serde`). This changes nothing on the wire.

use std::error::Error;
use std::path::{Path, PathBuf};

fn main() -> Result<(), Box<dyn Error>> {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let proto_root = manifest_dir.join("..").join("proto");

    println!("cargo:rerun-if-changed={}", proto_root.display());
    println!("cargo:rerun-if-changed=build.rs");

    let mut files = Vec::new();
    collect_protos(&proto_root, &mut files)?;
    files.sort();
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
    }

    let fds = protox::compile(&files, [&proto_root])?;

    let mut config = tonic_prost_build::configure()
        .type_attribute(".pb", "#[derive(serde::Serialize, serde::Deserialize)]")
        // Oneof variants (`exec`, `copy`, ...) in the fields' own case.
        .type_attribute(".pb", "#[serde(rename_all = \"snake_case\")]")
        // Rendered op by op by `llb::debug`, decoded.
        .field_attribute(".pb.Definition.def", "#[serde(skip)]");
    for (field, with) in PB_SERDE_FIELDS {
        config = config.field_attribute(
            field,
            format!("#[serde(with = \"crate::proto::pb_serde::{with}\")]"),
        );
    }
    config
        .build_client(true)
        .build_server(true)
        // Unimplemented RPCs answer `Unimplemented`, so test fakes only
        // need to implement the calls they exercise.
        .generate_default_stubs(true)
        .btree_map(".")
        .compile_fds(fds)?;
    Ok(())
}

/// `pb` fields whose serde form is not prost's Rust type: enums (an `i32`
/// in Rust) by name, modes in octal, bytes as text. Each names a module of
/// `frontend/src/proto.rs`'s `pb_serde`.
const PB_SERDE_FIELDS: [(&str, &str); 12] = [
    (".pb.ExecOp.network", "net_mode"),
    (".pb.ExecOp.security", "security_mode"),
    (".pb.Mount.mountType", "mount_type"),
    (".pb.Mount.contentCache", "mount_content_cache"),
    (".pb.CacheOpt.sharing", "cache_sharing"),
    (".pb.SecretOpt.mode", "mode_u32"),
    (".pb.SSHOpt.mode", "mode_u32"),
    (".pb.FileActionCopy.mode", "mode_i32"),
    (".pb.FileActionMkFile.mode", "mode_i32"),
    (".pb.FileActionMkDir.mode", "mode_i32"),
    (".pb.FileActionMkFile.data", "text_bytes"),
    (".pb.SourceInfo.data", "text_bytes"),
];

/// Recursively collects every `*.proto` file below `dir`.
fn collect_protos(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Box<dyn Error>> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            collect_protos(&path, out)?;
        } else if path.extension().is_some_and(|ext| ext == "proto") {
            out.push(path);
        }
    }
    Ok(())
}
