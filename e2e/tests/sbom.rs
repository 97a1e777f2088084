//! `--sbom=true`: gofront writes the SPDX document itself, from `go version
//! -m` of the binaries it built, so BuildKit never pulls its scanner image
//! (the testbed has no network: a scanner pull would fail the build).

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::process::Command;

use gofront_e2e::{Scratch, build, classic_store, copy_example, docker_ok, enabled, goproxy};

/// `go ARGS BIN` in the builder image (the host need not have Go; the
/// binary goes in on stdin, as the engine may not see the host's /tmp).
fn go(args: &[&str], bin: &Path) -> std::process::Output {
    use std::io::Write;
    let name = bin.file_name().expect("a file").to_string_lossy();
    let script = format!("cat > /tmp/{name} && go {} /tmp/{name}", args.join(" "));
    let mut child = Command::new("docker")
        .args([
            "run",
            "--rm",
            "-i",
            "--network",
            "none",
            "golang:1.24",
            "sh",
            "-c",
        ])
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("docker runs");
    let bytes = fs::read(bin).expect("the binary");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&bytes)
        .expect("binary to stdin");
    child.wait_with_output().expect("docker run ends")
}

/// `(module path, version)` of every module `go version -m` lists for
/// `bin`: the main module (with `main_version` for Go's `(devel)`) and each
/// dependency as linked (a replacement's path and version).
fn go_version_m(bin: &Path, main_version: &str) -> BTreeSet<(String, String)> {
    let out = go(&["version", "-m"], bin);
    assert!(
        out.status.success(),
        "go version -m: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut modules = BTreeSet::new();
    let mut last: Option<(String, String)> = None;
    for line in text.lines() {
        let f: Vec<&str> = line.trim_start_matches('\t').split('\t').collect();
        match f.as_slice() {
            ["mod", path, version, ..] => {
                let v = if *version == "(devel)" {
                    main_version
                } else {
                    version
                };
                last = Some((path.to_string(), v.to_string()));
                modules.insert((path.to_string(), v.to_string()));
            }
            ["dep", path, version, ..] => {
                last = Some((path.to_string(), version.to_string()));
                modules.insert((path.to_string(), version.to_string()));
            }
            ["=>", path, version, ..] => {
                if let Some(old) = last.take() {
                    modules.remove(&old);
                }
                modules.insert((path.to_string(), version.to_string()));
            }
            _ => {}
        }
    }
    modules
}

/// The modules the SPDX document lists, as `(name, versionInfo)`.
fn spdx_modules(doc: &serde_json::Value) -> BTreeSet<(String, String)> {
    doc["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .filter(|p| {
            p["SPDXID"]
                .as_str()
                .is_some_and(|id| id.starts_with("SPDXRef-Package-go-module-"))
        })
        .map(|p| {
            (
                p["name"].as_str().unwrap_or_default().to_string(),
                p["versionInfo"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn sbom_true_writes_gofronts_spdx_document_without_a_scanner() {
    let test = "sbom_true_writes_gofronts_spdx_document_without_a_scanner";
    if !enabled(test) || classic_store(test, "buildx's docker driver refuses attestations") {
        return;
    }
    let t = Scratch::new("sbom");
    let app = t.join("withdep");
    copy_example("withdep", &app);
    let proxy = format!("goproxy={}", goproxy().display());
    let export = |name: &str| {
        let out = t.join(name);
        let dest = format!("type=local,dest={}", out.display());
        let b = build(
            &app,
            &[
                "--sbom=true",
                "--build-context",
                &proxy,
                "--build-arg",
                "SOURCE_DATE_EPOCH=1700000000",
                "--build-arg",
                "GOFRONT_VERSION=1.2.3",
                "--output",
                &dest,
            ],
        );
        b.assert_ok(&format!("--sbom=true build into {name}"));
        // No scanner ran (the testbed could not pull one anyway).
        assert!(!b.log.contains("syft"), "{}", b.log);
        assert!(b.log.contains("[gofront] SBOM of withdep"), "{}", b.log);
        out
    };
    let first = export("one");
    // The local exporter writes the attestation as an in-toto statement
    // named after the attestation's path; the predicate is gofront's file.
    let statement: serde_json::Value =
        serde_json::from_slice(&fs::read(first.join("sbom.spdx.json")).expect("sbom.spdx.json"))
            .expect("statement json");
    assert_eq!(statement["predicateType"], "https://spdx.dev/Document");
    let doc = &statement["predicate"];
    assert_eq!(doc["spdxVersion"], "SPDX-2.3");
    assert_eq!(doc["creationInfo"]["created"], "2023-11-14T22:13:20Z");
    let creators = doc["creationInfo"]["creators"].to_string();
    assert!(creators.contains("gofront-"), "{creators}");
    // Its modules are those Go recorded in the binary.
    let want = go_version_m(&first.join("usr/local/bin/withdep"), "1.2.3");
    assert!(
        want.contains(&("gofront.test/greet".to_string(), "v1.0.0".to_string())),
        "{want:?}"
    );
    assert_eq!(spdx_modules(doc), want);
    // And the toolchain Go recorded, as the stdlib package.
    let go = go(&["version"], &first.join("usr/local/bin/withdep"));
    let go = String::from_utf8_lossy(&go.stdout).into_owned();
    let recorded = go.split(": ").nth(1).unwrap_or_default().trim();
    let stdlib: Vec<&str> = doc["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .filter(|p| p["name"] == "stdlib")
        .filter_map(|p| p["versionInfo"].as_str())
        .collect();
    assert_eq!(stdlib, [recorded], "{go}");

    // The same build again: the same bytes.
    let second = export("two");
    assert_eq!(
        fs::read(first.join("sbom.spdx.json")).unwrap(),
        fs::read(second.join("sbom.spdx.json")).unwrap()
    );
    // BuildKit's scanner never came into the engine.
    let images = docker_ok(&["image", "ls", "--format", "{{.Repository}}"]);
    assert!(!images.contains("syft"), "{images}");
}
