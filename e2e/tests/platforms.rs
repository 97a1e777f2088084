//! Multi-platform images and release builds: `--platform` lists cross-compile
//! on the build platform, and the result is an image index with the right
//! binary and config per platform; stamped versions; reproducible output.
//! The image and OCI outputs need the containerd image store.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use gofront_e2e::{
    Build, Scratch, Status, build, classic_store, copy_example, docker_ok, enabled, prune_engine,
    sha256_file,
};

const PLATFORMS: &str = "linux/amd64,linux/arm64,linux/arm/v7";

fn containerd_store() -> bool {
    !classic_store("this platforms test", "buildx has no multi-platform output")
}

fn untar(archive: &Path, dest: &Path) {
    fs::create_dir_all(dest).unwrap();
    let ok = Command::new("tar")
        .arg("-xf")
        .arg(archive)
        .arg("-C")
        .arg(dest)
        .status()
        .expect("tar runs")
        .success();
    assert!(ok, "cannot extract {}", archive.display());
}

fn blob(layout: &Path, digest: &str) -> PathBuf {
    let (algo, hex) = digest.split_once(':').unwrap();
    layout.join("blobs").join(algo).join(hex)
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&fs::read(path).unwrap()).unwrap()
}

/// One platform of an OCI layout: its config and its root filesystem.
struct PlatformImage {
    platform: String,
    config: serde_json::Value,
    rootfs: PathBuf,
}

/// Reads an OCI layout written by `--output type=oci,tar=false`: the index's
/// manifests, each platform's config, and its layers unpacked in order.
fn read_layout(layout: &Path, work: &Path) -> Vec<PlatformImage> {
    let index = json(&layout.join("index.json"));
    let mut top = index["manifests"][0].clone();
    // buildx writes an index whose one entry is the image index.
    if top["mediaType"] == "application/vnd.oci.image.index.v1+json" {
        let inner = json(&blob(layout, top["digest"].as_str().unwrap()));
        top = serde_json::json!({ "manifests": inner["manifests"] });
    } else {
        top = index.clone();
    }
    let mut out = Vec::new();
    for m in top["manifests"].as_array().unwrap() {
        let p = &m["platform"];
        let id = match p["variant"].as_str() {
            Some(v) => format!(
                "{}/{}/{v}",
                p["os"].as_str().unwrap(),
                p["architecture"].as_str().unwrap()
            ),
            None => format!(
                "{}/{}",
                p["os"].as_str().unwrap(),
                p["architecture"].as_str().unwrap()
            ),
        };
        let manifest = json(&blob(layout, m["digest"].as_str().unwrap()));
        let config = json(&blob(
            layout,
            manifest["config"]["digest"].as_str().unwrap(),
        ));
        let rootfs = work.join(id.replace('/', "_"));
        for layer in manifest["layers"].as_array().unwrap() {
            untar(&blob(layout, layer["digest"].as_str().unwrap()), &rootfs);
        }
        out.push(PlatformImage {
            platform: id,
            config,
            rootfs,
        });
    }
    out
}

/// ELF e_machine of a binary: 62 x86-64, 183 AArch64, 40 ARM.
fn elf_machine(path: &Path) -> u16 {
    let b = fs::read(path).unwrap();
    assert_eq!(&b[..4], b"\x7fELF", "{} is not an ELF file", path.display());
    u16::from_le_bytes([b[18], b[19]])
}

fn machine_of(platform: &str) -> u16 {
    match platform {
        "linux/amd64" => 62,
        "linux/arm64" => 183,
        "linux/arm/v7" => 40,
        other => panic!("no ELF machine for {other}"),
    }
}

fn check_index(layout: &Path, work: &Path, binaries: &[&str]) {
    let images = read_layout(layout, work);
    let mut ids: Vec<&str> = images.iter().map(|i| i.platform.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["linux/amd64", "linux/arm/v7", "linux/arm64"]);
    for img in &images {
        let (arch, variant) = match img.platform.as_str() {
            "linux/amd64" => ("amd64", None),
            "linux/arm64" => ("arm64", None),
            _ => ("arm", Some("v7")),
        };
        assert_eq!(img.config["architecture"], arch, "{}", img.platform);
        assert_eq!(img.config["variant"].as_str(), variant, "{}", img.platform);
        for bin in binaries {
            let path = img.rootfs.join("usr/local/bin").join(bin);
            assert_eq!(
                elf_machine(&path),
                machine_of(&img.platform),
                "{} {bin}",
                img.platform
            );
        }
    }
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn three_platforms_give_an_index_with_the_right_binaries() {
    if !enabled("three_platforms_give_an_index_with_the_right_binaries") || !containerd_store() {
        return;
    }
    let t = Scratch::new("platforms");
    for (example, binaries) in [("hello", &["hello"][..]), ("multi", &["server", "cli"][..])] {
        let app = t.join(example);
        copy_example(example, &app);
        let layout = t.join(&format!("{example}-oci"));
        let b = build(
            &app,
            &[
                "--platform",
                PLATFORMS,
                "--output",
                &format!("type=oci,dest={},tar=false", layout.display()),
            ],
        );
        b.assert_ok(example);
        assert!(
            !b.log.contains("does not match result platform"),
            "buildx warned about the result's platform:\n{}",
            b.log
        );
        check_index(&layout, &t.join(&format!("{example}-rootfs")), binaries);
    }
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn binaries_target_writes_a_directory_per_platform() {
    if !enabled("binaries_target_writes_a_directory_per_platform") || !containerd_store() {
        return;
    }
    let t = Scratch::new("platform-bins");
    let app = t.join("hello");
    copy_example("hello", &app);
    let out = t.join("out");
    build(
        &app,
        &[
            "--platform",
            PLATFORMS,
            "--target",
            "binaries",
            "--output",
            &format!("type=local,dest={}", out.display()),
        ],
    )
    .assert_ok("binaries for three platforms");
    for (dir, platform) in [
        ("linux_amd64", "linux/amd64"),
        ("linux_arm64", "linux/arm64"),
        ("linux_arm_v7", "linux/arm/v7"),
    ] {
        assert_eq!(
            elf_machine(&out.join(dir).join("hello")),
            machine_of(platform),
            "{dir}"
        );
    }
    // One platform keeps the flat layout, and buildx does not warn that the
    // result's platform differs from the one asked for.
    let flat = t.join("flat");
    let b = build(
        &app,
        &[
            "--platform",
            "linux/arm64",
            "--target",
            "binaries",
            "--output",
            &format!("type=local,dest={}", flat.display()),
        ],
    );
    b.assert_ok("binaries for one platform");
    assert_eq!(elf_machine(&flat.join("hello")), 183);
    assert!(
        !b.log.contains("does not match result platform"),
        "{}",
        b.log
    );
}

/// The runtime base every Linux image of these tests gets: in the testbed a
/// stand-in index of linux/amd64, linux/arm64 and linux/arm/v7 (on the
/// containerd store), as the real `gcr.io/distroless/static-debian12` is an
/// index of Linux platforms only.
const RUNTIME_BASE: &str = "gcr.io/distroless/static-debian12:nonroot";

/// Asserts that a build resolved its builder but never the runtime base:
/// a `--target binaries` build puts no binary on it.
fn assert_no_runtime_base(b: &Build) {
    assert_ne!(
        b.status("[gofront] resolve image config for golang:"),
        Status::Missing,
        "the builder's resolution is not in the progress (has its name changed?):\n{}",
        b.log
    );
    assert_eq!(
        b.status(&format!(
            "[gofront] resolve image config for {RUNTIME_BASE}"
        )),
        Status::Missing,
        "a binaries build resolved the runtime base:\n{}",
        b.log
    );
}

/// The first bytes of an executable: `MZ` (PE, Windows), or Mach-O's
/// 64-bit magic and its CPU type (arm64: 0x0100000c).
fn is_pe(path: &Path) -> bool {
    fs::read(path).unwrap().starts_with(b"MZ")
}

fn is_macho_arm64(path: &Path) -> bool {
    let b = fs::read(path).unwrap();
    b.len() > 8 && b[..4] == [0xcf, 0xfa, 0xed, 0xfe] && b[4..8] == [0x0c, 0x00, 0x00, 0x01]
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn binaries_for_windows_and_darwin_resolve_no_linux_base() {
    if !enabled("binaries_for_windows_and_darwin_resolve_no_linux_base") || !containerd_store() {
        return;
    }
    // The stand-in is an index without windows or darwin members: resolving
    // it for those platforms would fail with "no match for platform in
    // manifest".
    for p in ["linux/amd64", "linux/arm64", "linux/arm/v7"] {
        let config = docker_ok(&[
            "image",
            "inspect",
            "--platform",
            p,
            "--format",
            "{{.Os}}/{{.Architecture}}{{with .Variant}}/{{.}}{{end}}",
            RUNTIME_BASE,
        ]);
        assert_eq!(config.trim(), p, "{RUNTIME_BASE}'s {p} member");
    }
    let t = Scratch::new("platform-foreign-os");
    let app = t.join("hello");
    copy_example("hello", &app);
    let out = t.join("out");
    let b = build(
        &app,
        &[
            "--platform",
            "windows/amd64,darwin/arm64",
            "--target",
            "binaries",
            "--output",
            &format!("type=local,dest={}", out.display()),
        ],
    );
    b.assert_ok("binaries for windows/amd64 and darwin/arm64");
    assert_no_runtime_base(&b);
    let exe = out.join("windows_amd64/hello.exe");
    assert!(is_pe(&exe), "{} is not a Windows executable", exe.display());
    let mac = out.join("darwin_arm64/hello");
    assert!(
        is_macho_arm64(&mac),
        "{} is not an arm64 Mach-O executable",
        mac.display()
    );
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn a_windows_binary_resolves_no_linux_base() {
    // One platform: on the classic store too (Docker 26), where the base is
    // a linux/amd64 image and a mismatch sends BuildKit to the (offline)
    // registry.
    if !enabled("a_windows_binary_resolves_no_linux_base") {
        return;
    }
    let t = Scratch::new("platform-windows");
    let app = t.join("hello");
    copy_example("hello", &app);
    let out = t.join("out");
    let b = build(
        &app,
        &[
            "--platform",
            "windows/amd64",
            "--target",
            "binaries",
            "--output",
            &format!("type=local,dest={}", out.display()),
        ],
    );
    b.assert_ok("binaries for windows/amd64");
    assert_no_runtime_base(&b);
    let exe = out.join("hello.exe");
    assert!(is_pe(&exe), "{} is not a Windows executable", exe.display());
}

const STAMPED_MAIN: &str = r#"package main

import "fmt"

var (
	version = "unset"
	commit  = "unset"
	date    = "unset"
)

func main() {
	fmt.Println(version, commit, date)
}
"#;

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn a_stamped_release_is_reproducible_across_pruned_builds() {
    if !enabled("a_stamped_release_is_reproducible_across_pruned_builds") || !containerd_store() {
        return;
    }
    let t = Scratch::new("platform-release");
    let app = t.join("hello");
    copy_example("hello", &app);
    fs::write(app.join("main.go"), STAMPED_MAIN).unwrap();
    fs::remove_file(app.join("hello_test.go")).ok();
    let spec = "# syntax=gofront:dev\n[build]\nldflags = \"-X main.version={{.Version}} -X main.commit={{.Env.GIT_COMMIT}} -X main.date={{.Date}}\"\n";
    fs::write(app.join("gofront.toml"), spec).unwrap();
    let args = |dest: &Path| {
        vec![
            "--platform".to_string(),
            PLATFORMS.to_string(),
            "--build-arg".to_string(),
            "GOFRONT_VERSION=1.4.0".to_string(),
            "--build-arg".to_string(),
            "GIT_COMMIT=0123abc".to_string(),
            "--build-arg".to_string(),
            "SOURCE_DATE_EPOCH=1700000000".to_string(),
            "--output".to_string(),
            format!("type=oci,dest={},rewrite-timestamp=true", dest.display()),
        ]
    };
    let first = t.join("first.tar");
    let a = args(&first);
    build(&app, &a.iter().map(String::as_str).collect::<Vec<_>>()).assert_ok("first release build");
    prune_engine();
    let second = t.join("second.tar");
    let a = args(&second);
    build(&app, &a.iter().map(String::as_str).collect::<Vec<_>>())
        .assert_ok("second release build");
    assert_eq!(
        sha256_file(&first),
        sha256_file(&second),
        "two pruned builds differ"
    );

    // The amd64 binary prints what it was stamped with.
    let layout = t.join("layout");
    untar(&first, &layout);
    let images = read_layout(&layout, &t.join("rootfs"));
    let amd = images.iter().find(|i| i.platform == "linux/amd64").unwrap();
    assert_eq!(
        amd.config["config"]["Labels"]["org.opencontainers.image.version"],
        "1.4.0"
    );
    assert_eq!(amd.config["created"], "2023-11-14T22:13:20Z");
    let out = Command::new(amd.rootfs.join("usr/local/bin/hello"))
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "1.4.0 0123abc 2023-11-14T22:13:20Z"
    );
}
