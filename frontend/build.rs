//! Generates the `BuildKit` protocol bindings from the `.proto` files under
//! `../proto`.
//!
//! `protox` parses the files in pure Rust, so no system `protoc` is needed.
//! Map fields are generated as `BTreeMap`s so they are encoded in sorted key
//! order, which keeps marshalled ops (and therefore their digests)
//! deterministic.

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

    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        // Unimplemented RPCs answer `Unimplemented`, so test fakes only
        // need to implement the calls they exercise.
        .generate_default_stubs(true)
        .btree_map(".")
        .compile_fds(fds)?;
    Ok(())
}

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
