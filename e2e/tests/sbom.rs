//! `--sbom=true`: gofront writes the SPDX document itself, from `go version
//! -m` of the binaries it built, so BuildKit never pulls its scanner image
//! (the testbed has no network: a scanner pull would fail the build).

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;
use std::process::Command;

use gofront_e2e::{
    Scratch, build, classic_store, copy_example, docker, docker_ok, enabled, goproxy, registry,
    registry_get, registry_manifest, run_id, sha256_file,
};

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
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
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

/// The pushed index's attestation layers, by the platform of the image they
/// describe: `platform -> (predicate type -> (layer digest, bytes))`, read
/// from the registry itself.
fn attestations(
    reg: &str,
    repo: &str,
    tag: &str,
) -> BTreeMap<String, BTreeMap<String, (String, Vec<u8>)>> {
    let (index, _) = registry_manifest(reg, repo, tag);
    let members = index["manifests"]
        .as_array()
        .unwrap_or_else(|| panic!("{repo}:{tag} is no index: {index}"));
    let platform_of = |digest: &str| {
        members
            .iter()
            .find(|m| m["digest"] == digest)
            .map(|m| {
                let p = &m["platform"];
                [&p["os"], &p["architecture"], &p["variant"]]
                    .iter()
                    .filter_map(|v| v.as_str())
                    .collect::<Vec<_>>()
                    .join("/")
            })
            .unwrap_or_else(|| panic!("no image {digest} in {index}"))
    };
    let mut out = BTreeMap::new();
    for m in members {
        let ann = &m["annotations"];
        if ann["vnd.docker.reference.type"] != "attestation-manifest" {
            continue;
        }
        let subject = ann["vnd.docker.reference.digest"]
            .as_str()
            .expect("subject");
        let (manifest, _) = registry_manifest(reg, repo, m["digest"].as_str().expect("digest"));
        let mut layers = BTreeMap::new();
        for l in manifest["layers"].as_array().expect("layers") {
            let kind = l["annotations"]["in-toto.io/predicate-type"]
                .as_str()
                .expect("a predicate type")
                .to_string();
            let digest = l["digest"].as_str().expect("digest").to_string();
            let blob = registry_get(reg, &format!("{repo}/blobs/{digest}"));
            assert_eq!(blob.status, 200, "{repo}: no blob {digest}");
            layers.insert(kind, (digest, blob.body));
        }
        out.insert(platform_of(subject), layers);
    }
    out
}

/// `docker buildx imagetools inspect IMAGE --format '{{json .FIELD}}'`.
fn imagetools_json(image: &str, field: &str) -> serde_json::Value {
    let format = format!("{{{{json .{field}}}}}");
    let text = docker_ok(&[
        "buildx",
        "imagetools",
        "inspect",
        image,
        "--format",
        &format,
    ]);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("imagetools {field}: {e}: {text}"))
}

/// Copies `path` out of `image` for `platform` (from the engine's store,
/// pulled from the registry) to `dest`.
fn copy_out(image: &str, platform: &str, path: &str, dest: &Path) {
    let id = docker_ok(&["create", "--platform", platform, image]);
    let id = id.trim();
    docker_ok(&["cp", &format!("{id}:{path}"), &dest.display().to_string()]);
    docker_ok(&["rm", id]);
}

/// The sha256 SPDX records for the file named `name`.
fn spdx_file_sha256(doc: &serde_json::Value, name: &str) -> String {
    doc["files"]
        .as_array()
        .expect("files")
        .iter()
        .find(|f| f["fileName"] == name)
        .unwrap_or_else(|| panic!("no file {name} in the SBOM"))["checksums"]
        .as_array()
        .expect("checksums")
        .iter()
        .find(|c| c["algorithm"] == "SHA256")
        .and_then(|c| c["checksumValue"].as_str())
        .expect("a SHA256")
        .to_string()
}

fn holds(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

const SPDX: &str = "https://spdx.dev/Document";
const SLSA: &str = "https://slsa.dev/provenance/v0.2";

/// A release job: `--sbom=true --provenance=mode=max --push` of withdep
/// (with a secret its download step mounts) and of the three-platform multi
/// example. In the registry: one SPDX document per platform, written by
/// gofront, whose modules are exactly `go version -m` of that platform's
/// pushed binaries; the same bytes when built again; BuildKit's provenance
/// naming the frontend and the build args and holding no secret value.
#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn sbom_and_provenance_push_to_the_registry() {
    let test = "sbom_and_provenance_push_to_the_registry";
    if !enabled(test) || classic_store(test, "buildx's docker driver refuses attestations") {
        return;
    }
    let Some(reg) = registry(test) else { return };
    let t = Scratch::new("sbom-push");
    let id = run_id();

    // withdep, its download step mounting a netrc secret.
    let app = t.join("withdep");
    copy_example("withdep", &app);
    let spec = app.join("gofront.toml");
    let text = fs::read_to_string(&spec).unwrap();
    fs::write(
        &spec,
        text.replace("[download]\n", "[download]\nsecrets = [\"netrc\"]\n"),
    )
    .unwrap();
    let token = format!("gft0k3n{id}");
    let netrc = t.join("netrc");
    fs::write(
        &netrc,
        format!("machine example.invalid login x password {token}\n"),
    )
    .unwrap();
    let secret = format!("id=netrc,src={}", netrc.display());
    let proxy = format!("goproxy={}", goproxy().display());
    let push = |tag: &str| {
        let image = format!("{reg}/e2e/withdep-sbom:{tag}");
        let b = build(
            &app,
            &[
                "--sbom=true",
                "--provenance=mode=max",
                "--secret",
                &secret,
                "--build-context",
                &proxy,
                "--build-arg",
                "SOURCE_DATE_EPOCH=1700000000",
                "--build-arg",
                "GOFRONT_VERSION=1.2.3",
                "-t",
                &image,
                "--push",
            ],
        );
        b.assert_ok(&format!(
            "--sbom=true --provenance=mode=max --push of {image}"
        ));
        assert!(!b.log.contains("syft"), "{}", b.log);
        image
    };
    let one = push(&format!("{id}-1"));
    let two = push(&format!("{id}-2"));
    let a1 = attestations(&reg, "e2e/withdep-sbom", &format!("{id}-1"));
    let a2 = attestations(&reg, "e2e/withdep-sbom", &format!("{id}-2"));
    assert_eq!(a1.keys().collect::<Vec<_>>(), ["linux/amd64"], "{a1:?}");
    // The same build twice: the same image and the same document. (The
    // statements' subjects name the tag, so the layers differ in that.)
    let (_, bytes1) = &a1["linux/amd64"][SPDX];
    let (_, bytes2) = &a2["linux/amd64"][SPDX];
    let statement: serde_json::Value = serde_json::from_slice(bytes1).unwrap();
    let again: serde_json::Value = serde_json::from_slice(bytes2).unwrap();
    assert_eq!(
        statement["subject"][0]["digest"],
        again["subject"][0]["digest"]
    );
    assert_eq!(
        statement["predicate"], again["predicate"],
        "the same build gave another SBOM"
    );
    // gofront wrote it (BuildKit's scanner names itself syft).
    let creators = statement["predicate"]["creationInfo"]["creators"].to_string();
    assert!(creators.contains("gofront-"), "{creators}");
    // imagetools shows that document, and its modules are the pushed binary's.
    let doc = &imagetools_json(&one, "SBOM")["SPDX"];
    assert_eq!(doc, &statement["predicate"]);
    remove_local(&one);
    let bin = t.join("withdep.bin");
    copy_out(&one, "linux/amd64", "/usr/local/bin/withdep", &bin);
    assert_eq!(
        spdx_file_sha256(doc, "./usr/local/bin/withdep"),
        sha256_file(&bin)
    );
    let want = go_version_m(&bin, "1.2.3");
    assert!(
        want.contains(&("example.com/withdep".to_string(), "1.2.3".to_string()))
            && want.contains(&("gofront.test/greet".to_string(), "v1.0.0".to_string())),
        "{want:?}"
    );
    assert_eq!(spdx_modules(doc), want);

    // Provenance: BuildKit's, naming gofront and the build args; the secret
    // by its id at most, its value nowhere.
    let (_, prov) = &a1["linux/amd64"][SLSA];
    assert!(
        !holds(prov, token.as_bytes()),
        "the token is in the provenance"
    );
    assert!(!holds(bytes1, token.as_bytes()), "the token is in the SBOM");
    let slsa = &imagetools_json(&two, "Provenance")["SLSA"];
    let params = &slsa["invocation"]["parameters"];
    assert_eq!(params["frontend"], "gateway.v0", "{params}");
    assert_eq!(params["args"]["source"], "gofront:dev", "{params}");
    assert_eq!(
        params["args"]["build-arg:GOFRONT_VERSION"], "1.2.3",
        "{params}"
    );
    assert_eq!(
        slsa["buildType"], "https://mobyproject.org/buildkit@v1",
        "{slsa}"
    );
    let materials = slsa["materials"].to_string();
    assert!(materials.contains("pkg:docker/gofront@dev"), "{materials}");
    assert!(
        slsa["metadata"]["https://mobyproject.org/buildkit@v1#metadata"]["layers"].is_object()
            || slsa["buildConfig"].is_object(),
        "mode=max records the build's steps: {slsa}"
    );
    let all = docker_ok(&["buildx", "imagetools", "inspect", &two, "--raw"]);
    assert!(!all.contains(&token));

    // The three-platform multi example: one document per platform, each
    // listing what go version -m reports for that platform's binaries.
    let multi = t.join("multi");
    copy_example("multi", &multi);
    let image = format!("{reg}/e2e/multi-sbom:{id}");
    build(
        &multi,
        &[
            "--sbom=true",
            "--platform",
            "linux/amd64,linux/arm64,linux/arm/v7",
            "--build-arg",
            "SOURCE_DATE_EPOCH=1700000000",
            "--build-arg",
            "GOFRONT_VERSION=2.0.0",
            "-t",
            &image,
            "--push",
        ],
    )
    .assert_ok("three-platform --sbom=true --push");
    let per_platform = imagetools_json(&image, "SBOM");
    let platforms: Vec<&String> = per_platform.as_object().expect("a map").keys().collect();
    assert_eq!(platforms, ["linux/amd64", "linux/arm/v7", "linux/arm64"]);
    let pushed = attestations(&reg, "e2e/multi-sbom", &id);
    remove_local(&image);
    for (platform, sbom) in per_platform.as_object().unwrap() {
        let doc = &sbom["SPDX"];
        let (_, bytes) = &pushed[platform.as_str()][SPDX];
        let statement: serde_json::Value = serde_json::from_slice(bytes).unwrap();
        assert_eq!(doc, &statement["predicate"], "{platform}");
        let mut want = BTreeSet::new();
        for name in ["server", "cli"] {
            let bin = t.join(&format!("{name}-{}", platform.replace('/', "-")));
            copy_out(&image, platform, &format!("/usr/local/bin/{name}"), &bin);
            assert_eq!(
                spdx_file_sha256(doc, &format!("./usr/local/bin/{name}")),
                sha256_file(&bin),
                "{platform} {name}"
            );
            want.extend(go_version_m(&bin, "2.0.0"));
        }
        assert!(
            want.contains(&("example.com/multi".to_string(), "2.0.0".to_string())),
            "{platform}: {want:?}"
        );
        assert_eq!(spdx_modules(doc), want, "{platform}");
    }
    // BuildKit's scanner never came into the engine.
    let images = docker_ok(&["image", "ls", "--format", "{{.Repository}}"]);
    assert!(!images.contains("syft"), "{images}");
}

fn remove_local(image: &str) {
    if docker(&["image", "inspect", image]).status.success() {
        docker_ok(&["image", "rm", image]);
    }
}
