//! Tests of the SBOM from `go version -m` output: one real capture
//! (testdata/go1.19.8-version-m.txt, Debian's Go 1.19.8 on binaries built
//! with a file:// module proxy), and samples written to the format of
//! today's Go (runtime/debug/mod.go `BuildInfo.String`,
//! cmd/go/internal/version): a module line without a replacement ends
//! with a tab and its sum (empty for the main module); a replaced one ends
//! at its version and is followed by `=>` and, as `String` writes two
//! newlines there, a line holding only the indenting tab.

use serde_json::Value;

use super::binary::{Elf, read_in_memory, synthetic_blob, synthetic_elf, synthetic_framed};
use super::buildinfo::{Module, parse_go_version_m};
use super::gosum::h1_to_sha256_hex;
use super::spdx::{BaseImage, BinaryFile, SbomInput, document};
use super::{Digester, DocumentPlan, SbomRequest, csv_fields};

/// A module-mode build with -trimpath and cgo off (what gofront does by
/// default): a dependency, a +incompatible one, one replaced by another
/// module version and one replaced by a directory.
const WITHDEP: &str = "/out/app: go1.22.5
\tpath\texample.com/withdep/cmd/app
\tmod\texample.com/withdep\t(devel)\t
\tdep\tgithub.com/google/uuid\tv1.6.0\th1:dWZmmbd9tjH1dgQegQKlW0Z1jAG4B+rK4PFwkwq1mz0=
\tdep\tgithub.com/old/thing\tv2.0.0+incompatible\th1:3iNpZ1cAyeWiBSsosIAU4ggdV68oRVDLbDf7LRqo+vw=
\tdep\tgolang.org/x/text\tv0.14.0
\t=>\tgolang.org/x/text\tv0.15.0\th1:T92QJH6ft+u2P+DCtoJ9J8s5zzdoEmZB5J2d5hybm0Y=
\t
\tdep\texample.com/local\tv0.0.0-00010101000000-000000000000
\t=>\t../local\t(devel)\t
\t
\tbuild\t-buildmode=exe
\tbuild\t-compiler=gc
\tbuild\t-trimpath=true
\tbuild\tCGO_ENABLED=0
\tbuild\tGOARCH=amd64
\tbuild\tGOOS=linux
\tbuild\tGOAMD64=v1
";

/// cgo on, no -trimpath (so Go records -ldflags and the CGO_ flags, some
/// quoted), build tags, GOARM.
const CGO_ARM: &str = "/out/server: go1.23.4
\tpath\texample.com/cgo
\tmod\texample.com/cgo\t(devel)\t
\tbuild\t-buildmode=exe
\tbuild\t-compiler=gc
\tbuild\t-ldflags=\"-s -w -X main.version=1.2.3\"
\tbuild\t-tags=netgo,osusergo
\tbuild\tDefaultGODEBUG=asynctimerchan=1
\tbuild\tCGO_ENABLED=1
\tbuild\tCGO_CFLAGS=\"-O2 -g\"
\tbuild\tCGO_CPPFLAGS=
\tbuild\tCGO_CXXFLAGS=
\tbuild\tCGO_LDFLAGS=\"-O2 -g\"
\tbuild\tGOARCH=arm
\tbuild\tGOOS=linux
\tbuild\tGOARM=7
";

/// A `-mod=vendor` build of today's Go, which records no sums then
/// (`setBuildInfo`: `cfg.BuildMod != "vendor"`; Go 1.19 still did); and a
/// main module with a real version (Go 1.24 stamps one from a VCS tag).
const VENDORED: &str = "/out/tool: go1.24.1
\tpath\texample.com/vend/cmd/tool
\tmod\texample.com/vend\tv1.4.0\t
\tdep\texample.com/a\tv1.0.0
\tdep\texample.com/b\tv0.3.1
\tbuild\t-buildmode=exe
\tbuild\t-compiler=gc
\tbuild\t-trimpath=true
\tbuild\tCGO_ENABLED=0
\tbuild\tGOARCH=arm64
\tbuild\tGOOS=linux
\tbuild\tvcs=git
\tbuild\tvcs.revision=0123456789abcdef0123456789abcdef01234567
\tbuild\tvcs.time=2025-01-02T03:04:05Z
\tbuild\tvcs.modified=false
";

const VENDORED_GO_SUM: &str = "example.com/a v1.0.0 h1:vk+y+ub4oFZ/0P2XKc+4GkXH/JCn/o3OTl/F9RYxAM8=
example.com/a v1.0.0/go.mod h1:zJKM/M05MUeGzK4434bVp/3pr6RcH5sQH+1AWhBWY7k=
example.com/b v0.3.1/go.mod h1:dWZmmbd9tjH1dgQegQKlW0Z1jAG4B+rK4PFwkwq1mz0=
";

const BASE_DIGEST: &str = "sha256:aa00000000000000000000000000000000000000000000000000000000000001";

fn binary(file: &str, text: &str, sha: &str) -> BinaryFile {
    let mut parsed = parse_go_version_m(text).unwrap();
    assert_eq!(parsed.len(), 1);
    let b = parsed.remove(0);
    BinaryFile {
        path: file.to_string(),
        sha256: sha.repeat(64 / sha.len()),
        sha1: sha.repeat(40 / sha.len()),
        info: b.info,
    }
}

fn input(binaries: Vec<BinaryFile>) -> SbomInput {
    SbomInput {
        name: "example.com/withdep".to_string(),
        created: 1_700_000_000,
        tool: "gofront-0.0.0-test".to_string(),
        binaries,
        base: Some(BaseImage {
            reference: "gcr.io/distroless/static-debian12:nonroot".to_string(),
            digest: Some(BASE_DIGEST.to_string()),
        }),
        main_version: Some("1.2.3".to_string()),
        go_sum: None,
    }
}

fn doc(input: &SbomInput) -> Value {
    serde_json::from_slice(&document(input).unwrap()).unwrap()
}

/// The package with this name and version.
fn package<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no package {name} in {doc:#}"))
}

fn purl(p: &Value) -> Option<&str> {
    p["externalRefs"].as_array().and_then(|refs| {
        refs.iter()
            .find(|r| r["referenceType"] == "purl")
            .and_then(|r| r["referenceLocator"].as_str())
    })
}

fn has_relationship(doc: &Value, from: &str, kind: &str, to: &str) -> bool {
    doc["relationships"].as_array().unwrap().iter().any(|r| {
        r["spdxElementId"] == from && r["relationshipType"] == kind && r["relatedSpdxElement"] == to
    })
}

#[test]
fn parses_modules_replacements_and_settings() {
    let [b] = parse_go_version_m(WITHDEP).unwrap().try_into().unwrap();
    assert_eq!(b.file, "/out/app");
    assert_eq!(b.info.go_version, "go1.22.5");
    assert_eq!(b.info.path, "example.com/withdep/cmd/app");
    let main = b.info.main.as_ref().unwrap();
    assert_eq!(
        (main.path.as_str(), main.version.as_str()),
        ("example.com/withdep", "(devel)")
    );
    assert_eq!(main.sum, None);
    let paths: Vec<&str> = b.info.deps.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "github.com/google/uuid",
            "github.com/old/thing",
            "golang.org/x/text",
            "example.com/local"
        ]
    );
    let text = &b.info.deps[2];
    assert_eq!(
        text.sum, None,
        "a replaced module carries no sum of its own"
    );
    assert_eq!(
        text.replace.as_deref(),
        Some(&Module {
            path: "golang.org/x/text".into(),
            version: "v0.15.0".into(),
            sum: Some("h1:T92QJH6ft+u2P+DCtoJ9J8s5zzdoEmZB5J2d5hybm0Y=".into()),
            replace: None,
        })
    );
    assert!(b.info.deps[3].effective().is_directory());
    assert_eq!(b.info.setting("-trimpath"), Some("true"));
    assert_eq!(b.info.setting("GOAMD64"), Some("v1"));
    assert_eq!(b.info.settings.len(), 7);
}

const REAL_GO119: &str = include_str!("testdata/go1.19.8-version-m.txt");

#[test]
fn reads_a_real_go_version_m_capture() {
    let parsed = parse_go_version_m(REAL_GO119).unwrap();
    let files: Vec<&str> = parsed.iter().map(|b| b.file.as_str()).collect();
    assert_eq!(files, ["app", "cgo", "arm app", "app2"]);
    let app = &parsed[0].info;
    assert_eq!(app.go_version, "go1.19.8");
    let local = &app.deps[0];
    assert_eq!(local.path, "example.com/local");
    assert_eq!(local.effective().path, "../local");
    assert!(local.effective().is_directory());
    assert_eq!(app.setting("-trimpath"), Some("true"));
    let cgo = &parsed[1].info;
    assert_eq!(cgo.setting("CGO_ENABLED"), Some("1"));
    assert_eq!(cgo.setting("-tags"), Some("usecgo,netgo"));
    assert_eq!(cgo.setting("-ldflags"), Some("-s -w -X main.version=1.2.3"));
    assert_eq!(cgo.setting("-trimpath"), None);
    assert_eq!(parsed[2].info.setting("GOARM"), Some("7"));
    let app2 = &parsed[3].info;
    let deps: Vec<(&str, &str, Option<&str>)> = app2
        .deps
        .iter()
        .map(|d| {
            let e = d.effective();
            (e.path.as_str(), e.version.as_str(), e.sum.as_deref())
        })
        .collect();
    assert_eq!(
        deps,
        [
            (
                "example.com/dep",
                "v1.0.0",
                Some("h1:m38JgiK0cBFsQBX9Iy2mQQDaA0Sk9ZN6hjpUF5juHjE=")
            ),
            (
                "example.com/new",
                "v1.1.0",
                Some("h1:WPHq2M/vHytRNeR0GxsbKStJ4Umcbc9pV1LoUnH/eFg=")
            ),
        ]
    );

    // The document lists exactly those modules, under what was linked.
    let bins = parsed
        .into_iter()
        .map(|b| BinaryFile {
            path: format!("/{}", b.file.replace(' ', "_")),
            sha256: "00".repeat(32),
            sha1: "00".repeat(20),
            info: b.info,
        })
        .collect();
    let mut i = input(bins);
    i.main_version = None;
    let d = doc(&i);
    // An empty `{{.Version}}` stamps nothing either.
    i.main_version = Some(String::new());
    assert_eq!(doc(&i), d);
    let mut modules: Vec<String> = d["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["primaryPackagePurpose"] != "CONTAINER")
        .map(|p| {
            format!(
                "{} {}",
                p["name"].as_str().unwrap(),
                p["versionInfo"].as_str().unwrap_or("-")
            )
        })
        .collect();
    modules.sort();
    assert_eq!(
        modules,
        [
            "example.com/app -",
            "example.com/app2 -",
            "example.com/dep v1.0.0",
            "example.com/local -",
            "example.com/new v1.1.0",
            "stdlib go1.19.8",
        ]
    );
    assert!(
        package(&d, "example.com/new")["comment"]
            .as_str()
            .unwrap()
            .starts_with("replaces example.com/old v1.0.0")
    );
}

#[test]
fn a_binary_built_outside_module_mode_still_lists_its_toolchain() {
    // `go build main.go`: the main package is command-line-arguments and
    // there is no mod line.
    let text = "/out/x: go1.22.5\n\tpath\tcommand-line-arguments\n\tbuild\tCGO_ENABLED=0\n";
    let mut i = input(vec![binary("/x", text, "ab")]);
    i.base = None;
    let d = doc(&i);
    let names: Vec<&str> = d["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["example.com/withdep", "stdlib"]);
    assert!(
        !d["relationships"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["relationshipType"] == "GENERATES")
    );
}

#[test]
fn parses_quoted_settings_and_several_binaries() {
    let both = format!("{CGO_ARM}{VENDORED}");
    let parsed = parse_go_version_m(&both).unwrap();
    let files: Vec<&str> = parsed.iter().map(|b| b.file.as_str()).collect();
    assert_eq!(files, ["/out/server", "/out/tool"]);
    let cgo = &parsed[0].info;
    assert_eq!(cgo.setting("-ldflags"), Some("-s -w -X main.version=1.2.3"));
    assert_eq!(cgo.setting("CGO_CFLAGS"), Some("-O2 -g"));
    assert_eq!(cgo.setting("CGO_CPPFLAGS"), Some(""));
    assert_eq!(cgo.setting("DefaultGODEBUG"), Some("asynctimerchan=1"));
    assert_eq!(cgo.setting("GOARM"), Some("7"));
    assert!(cgo.deps.is_empty());
    let vend = &parsed[1].info;
    assert_eq!(vend.main.as_ref().unwrap().version, "v1.4.0");
    assert!(vend.deps.iter().all(|d| d.sum.is_none()));
}

#[test]
fn reports_malformed_lines_with_their_number() {
    let cases = [
        ("\tdep\tx\tv1\n", 1, "before any"),
        (
            "/b: go1.22\n\t=>\tx\tv1\th1:x\n",
            2,
            "follows no mod or dep",
        ),
        (
            "/b: go1.22\n\tdep\tx\tv1\n\tbuild\tGOOS=linux\n\t=>\ty\tv2\th1:y\n",
            4,
            "follows no",
        ),
        ("/b: go1.22\n\tdep\tx\n", 2, "2 or 3"),
        (
            "/b: go1.22\n\tdep\tx\tv1\n\t=>\ty\tv2\n",
            3,
            "3 tab-separated",
        ),
        ("/b: go1.22\n\tbuild\t-ldflags=-s -w\n", 2, "must be quoted"),
        ("/b: go1.22\n\tbuild\tGOOS\n", 2, "no = in"),
        ("no colon here\n", 1, "FILE: GOVERSION"),
    ];
    for (text, line, problem) in cases {
        let e = parse_go_version_m(text).unwrap_err();
        assert_eq!(e.line, line, "{text:?}: {e}");
        assert!(e.problem.contains(problem), "{text:?}: {e}");
        assert!(
            e.to_string()
                .starts_with(&format!("go version -m output, line {line}: "))
        );
    }
    // Lines a newer Go might add are skipped, as Go's own parser does.
    let [b] = parse_go_version_m("/b: go1.30\n\tfuture\tthing\n\tpath\tp\n")
        .unwrap()
        .try_into()
        .unwrap();
    assert_eq!(b.info.path, "p");
}

#[test]
fn h1_hashes_become_sha256_checksums_as_syft_writes_them() {
    // Syft's own test vector (syft/format/internal/spdxutil/helpers).
    assert_eq!(
        h1_to_sha256_hex("h1:8QqcDgzrUqlUb/G2PQTWiueGozuR1884gddMywk6iLU=").as_deref(),
        Some("f10a9c0e0ceb52a9546ff1b63d04d68ae786a33b91d7cf3881d74ccb093a88b5")
    );
    assert_eq!(
        h1_to_sha256_hex("h12:8QqcDgzrUqlUb/G2PQTWiueGozuR1884gddMywk6iLU="),
        None
    );
    assert_eq!(h1_to_sha256_hex("h1:AAAA"), None, "not 32 bytes");
    assert_eq!(h1_to_sha256_hex("h1:!!!!"), None);
    // Base64 as go.sum writes it: a multiple of 4 characters, at most two
    // of them padding.
    let sum = "8QqcDgzrUqlUb/G2PQTWiueGozuR1884gddMywk6iLU";
    assert_eq!(h1_to_sha256_hex(&format!("h1:{sum}")), None, "unpadded");
    assert_eq!(h1_to_sha256_hex(&format!("h1:{sum}=====")), None);
}

#[test]
fn lists_every_module_as_what_is_linked() {
    let d = doc(&input(vec![binary("/app", WITHDEP, "ab")]));
    let names: Vec<(&str, Option<&str>)> = d["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].as_str().unwrap(), p["versionInfo"].as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("example.com/withdep", None),
            ("gcr.io/distroless/static-debian12", Some("nonroot")),
            ("example.com/local", None),
            ("example.com/withdep", Some("1.2.3")),
            ("github.com/google/uuid", Some("v1.6.0")),
            ("github.com/old/thing", Some("v2.0.0+incompatible")),
            ("golang.org/x/text", Some("v0.15.0")),
            ("stdlib", Some("go1.22.5")),
        ]
    );

    let main = &d["packages"][3];
    assert_eq!(main["primaryPackagePurpose"], "APPLICATION");
    assert_eq!(purl(main), Some("pkg:golang/example.com/withdep@1.2.3"));
    assert!(
        main["comment"]
            .as_str()
            .unwrap()
            .contains("Go recorded (devel)")
    );

    let uuid = package(&d, "github.com/google/uuid");
    assert_eq!(purl(uuid), Some("pkg:golang/github.com/google/uuid@v1.6.0"));
    assert_eq!(
        uuid["checksums"][0]["checksumValue"],
        "75666699b77db631f576041e8102a55b46758c01b807eacae0f170930ab59b3d"
    );
    assert_eq!(uuid["checksums"][0]["algorithm"], "SHA256");
    assert_eq!(
        uuid["comment"],
        "go.sum h1:dWZmmbd9tjH1dgQegQKlW0Z1jAG4B+rK4PFwkwq1mz0="
    );
    assert_eq!(
        purl(package(&d, "github.com/old/thing")),
        Some("pkg:golang/github.com/old/thing@v2.0.0%2Bincompatible")
    );

    // Replaced: the replacement's path, version and sum; the original named.
    let text = package(&d, "golang.org/x/text");
    assert_eq!(purl(text), Some("pkg:golang/golang.org/x/text@v0.15.0"));
    assert_eq!(
        text["checksums"][0]["checksumValue"],
        "4fdd90247e9fb7ebb63fe0c2b6827d27cb39cf3768126641e49d9de61c9b9b46"
    );
    assert!(
        text["comment"]
            .as_str()
            .unwrap()
            .starts_with("replaces golang.org/x/text v0.14.0")
    );
    // A directory has no version and no purl; the module it stands for is named.
    let local = package(&d, "example.com/local");
    assert_eq!(purl(local), None);
    assert_eq!(local["comment"], "replaced by the directory ../local");

    let std = package(&d, "stdlib");
    assert_eq!(purl(std), Some("pkg:golang/stdlib@1.22.5"));

    let base = package(&d, "gcr.io/distroless/static-debian12");
    assert_eq!(
        purl(base),
        Some(
            "pkg:oci/static-debian12@sha256%3Aaa00000000000000000000000000000000000000000000000000000000000001?repository_url=gcr.io/distroless/static-debian12&tag=nonroot"
        )
    );
    assert_eq!(base["checksums"][0]["checksumValue"], &BASE_DIGEST[7..]);
}

#[test]
fn relates_each_binary_to_its_modules() {
    let d = doc(&input(vec![
        binary("/app", WITHDEP, "ab"),
        binary("/server", CGO_ARM, "cd"),
    ]));
    let id = |name: &str, version: Option<&str>| -> String {
        d["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name && p["versionInfo"].as_str() == version)
            .unwrap_or_else(|| panic!("no {name} {version:?}"))["SPDXID"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let file = |name: &str| -> String {
        d["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["fileName"] == name)
            .unwrap()["SPDXID"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (app, server) = (file("./app"), file("./server"));
    let image = "SPDXRef-Package-image";
    assert!(has_relationship(&d, "SPDXRef-DOCUMENT", "DESCRIBES", image));
    assert!(has_relationship(&d, image, "CONTAINS", &app));
    assert!(has_relationship(&d, image, "CONTAINS", &server));
    let base = id("gcr.io/distroless/static-debian12", Some("nonroot"));
    assert!(has_relationship(&d, image, "DESCENDANT_OF", &base));
    // SPDX: a package that CONTAINS files is analyzed, lists them and has
    // the verification code, the SHA1 of its files' sorted SHA1s.
    let img = &d["packages"][0];
    assert_eq!(img["SPDXID"], image);
    assert_eq!(img["filesAnalyzed"], true);
    let mut has: Vec<&str> = img["hasFiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    has.sort_unstable();
    let mut want = vec![app.as_str(), server.as_str()];
    want.sort_unstable();
    assert_eq!(has, want);
    let code = super::sha1::hex(format!("{}{}", "ab".repeat(20), "cd".repeat(20)).as_bytes());
    assert_eq!(
        img["packageVerificationCode"]["packageVerificationCodeValue"],
        code.as_str()
    );
    let uuid = id("github.com/google/uuid", Some("v1.6.0"));
    assert!(has_relationship(&d, &app, "CONTAINS", &uuid));
    assert!(!has_relationship(&d, &server, "CONTAINS", &uuid));
    let withdep = id("example.com/withdep", Some("1.2.3"));
    assert!(has_relationship(&d, &withdep, "GENERATES", &app));
    assert!(has_relationship(&d, &withdep, "DEPENDS_ON", &uuid));
    // Each binary links its own toolchain's standard library.
    assert!(has_relationship(
        &d,
        &app,
        "CONTAINS",
        &id("stdlib", Some("go1.22.5"))
    ));
    assert!(has_relationship(
        &d,
        &server,
        "CONTAINS",
        &id("stdlib", Some("go1.23.4"))
    ));
    // Every relationship names elements the document has.
    let mut ids: Vec<String> = vec!["SPDXRef-DOCUMENT".into()];
    for list in ["packages", "files"] {
        for e in d[list].as_array().unwrap() {
            ids.push(e["SPDXID"].as_str().unwrap().to_string());
        }
    }
    for r in d["relationships"].as_array().unwrap() {
        for end in ["spdxElementId", "relatedSpdxElement"] {
            assert!(ids.iter().any(|i| r[end] == i.as_str()), "{r}");
        }
    }
    // The SPDX 2.3 rules spdx-tools enforced on an earlier version: every
    // file relative with a SHA1; a package that contains files is analyzed.
    let files = d["files"].as_array().unwrap();
    for f in files {
        assert!(f["fileName"].as_str().unwrap().starts_with("./"), "{f}");
        assert!(
            f["checksums"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["algorithm"] == "SHA1"),
            "{f}"
        );
    }
    for r in d["relationships"].as_array().unwrap() {
        let to_file = files.iter().any(|f| f["SPDXID"] == r["relatedSpdxElement"]);
        if r["relationshipType"] == "CONTAINS" && to_file {
            let owner = d["packages"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["SPDXID"] == r["spdxElementId"])
                .unwrap();
            assert_eq!(owner["filesAnalyzed"], true, "{r}");
        }
    }
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "SPDXIDs are unique");
}

#[test]
fn records_build_settings_on_each_binary() {
    let d = doc(&input(vec![binary("/server", CGO_ARM, "cd")]));
    let f = &d["files"][0];
    assert_eq!(f["fileName"], "./server");
    assert_eq!(f["checksums"][0]["algorithm"], "SHA1");
    assert_eq!(f["checksums"][0]["checksumValue"], "cd".repeat(20));
    assert_eq!(f["checksums"][1]["algorithm"], "SHA256");
    assert_eq!(f["checksums"][1]["checksumValue"], "cd".repeat(32));
    let notes: Vec<&str> = f["annotations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["comment"].as_str().unwrap())
        .collect();
    for want in [
        "path example.com/cgo",
        "build -tags=netgo,osusergo",
        "build CGO_ENABLED=1",
        "build CGO_CFLAGS=-O2 -g",
        "build GOOS=linux",
        "build GOARCH=arm",
        "build GOARM=7",
        "build -ldflags=-s -w -X main.version=1.2.3",
    ] {
        assert!(notes.contains(&want), "{want} not in {notes:?}");
    }
    let a = &f["annotations"][0];
    assert_eq!(a["annotationType"], "OTHER");
    assert_eq!(a["annotator"], "Tool: gofront-0.0.0-test");
    assert_eq!(a["annotationDate"], "2023-11-14T22:13:20Z");
}

#[test]
fn vendored_builds_take_their_hashes_from_go_sum() {
    let mut i = input(vec![binary("/tool", VENDORED, "ef")]);
    i.base = None;
    let without = doc(&i);
    assert!(package(&without, "example.com/a")["checksums"].is_null());
    i.go_sum = Some(VENDORED_GO_SUM.to_string());
    let d = doc(&i);
    let a = package(&d, "example.com/a");
    assert_eq!(
        a["checksums"][0]["checksumValue"],
        "be4fb2fae6f8a0567fd0fd9729cfb81a45c7fc90a7fe8dce4e5fc5f5163100cf",
        "the module's hash, not its go.mod's"
    );
    // go.sum has only b's go.mod line: no hash is better than a wrong one.
    assert!(package(&d, "example.com/b")["checksums"].is_null());
    // A version Go recorded stays; {{.Version}} only stands in for (devel).
    let main = package(&d, "example.com/vend");
    assert_eq!(main["versionInfo"], "v1.4.0");
    assert_eq!(purl(main), Some("pkg:golang/example.com/vend@v1.4.0"));
    // Scratch: no base package, the image describes only its binary.
    assert_eq!(
        d["packages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["primaryPackagePurpose"] == "CONTAINER")
            .count(),
        1
    );
}

#[test]
fn same_input_same_bytes_whatever_the_order() {
    let a = input(vec![
        binary("/app", WITHDEP, "ab"),
        binary("/server", CGO_ARM, "cd"),
    ]);
    let b = input(vec![
        binary("/server", CGO_ARM, "cd"),
        binary("/app", WITHDEP, "ab"),
    ]);
    let bytes = document(&a).unwrap();
    assert_eq!(bytes, document(&a).unwrap());
    assert_eq!(bytes, document(&b).unwrap());
    // A different binary is a different document, with its own namespace.
    let c = input(vec![
        binary("/app", WITHDEP, "ac"),
        binary("/server", CGO_ARM, "cd"),
    ]);
    let (da, dc) = (doc(&a), doc(&c));
    assert_ne!(da["documentNamespace"], dc["documentNamespace"]);
    let ns = da["documentNamespace"].as_str().unwrap();
    assert!(
        ns.starts_with("https://spdx.org/spdxdocs/gofront-example.com-withdep-"),
        "{ns}"
    );
    assert_eq!(da["creationInfo"]["created"], "2023-11-14T22:13:20Z");
}

#[test]
fn bytes_are_compact_and_escaped_as_go_marshals_them() {
    let text = WITHDEP.replace("GOAMD64=v1", "GOAMD64=v1\n\tbuild\tX=<a&b>");
    let bytes = document(&input(vec![binary("/app", &text, "ab")])).unwrap();
    let s = String::from_utf8(bytes.clone()).unwrap();
    assert!(!s.contains('<') && !s.contains('>') && !s.contains('&'));
    assert!(s.contains(r"build X=\u003ca\u0026b\u003e"));
    assert!(
        !s.contains('\n') && !s.contains("\": ") && !s.contains(", \""),
        "compact"
    );
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    assert!(
        v["files"][0]["annotations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["comment"] == "build X=<a&b>")
    );
}

#[test]
fn golden_document() {
    let mut i = input(vec![
        binary("/app", WITHDEP, "ab"),
        binary("/server", CGO_ARM, "cd"),
    ]);
    i.go_sum = None;
    insta::assert_json_snapshot!("withdep_and_cgo", doc(&i));
}

#[test]
fn the_attestation_message_buildkit_reads() {
    use crate::proto::gateway as gw;
    use prost::Message;
    let a = super::attestation("ref-1");
    // Field by field, as gateway.proto numbers them: kind 1 (InToto = 0,
    // so absent on the wire), metadata 2, ref 3, path 4, predicate type 5.
    let bytes = a.encode_to_vec();
    let back = gw::Attestation::decode(bytes.as_slice()).unwrap();
    assert_eq!(back.kind, 0);
    assert_eq!(
        back.metadata.get("reason").map(Vec::as_slice),
        Some(&b"sbom"[..])
    );
    assert_eq!(back.r#ref.as_ref().map(|r| r.id.as_str()), Some("ref-1"));
    assert_eq!(back.path, "sbom.spdx.json");
    assert_eq!(back.in_toto_predicate_type, "https://spdx.dev/Document");
    assert!(back.in_toto_subjects.is_empty());
    assert!(
        !back.metadata.contains_key("sbom-core"),
        "BuildKit would re-encode the document"
    );
    // Field 4 (path) is length-delimited: tag byte 0x22.
    assert!(bytes.windows(2).any(|w| w == [0x22, 14]), "{bytes:02x?}");
}

#[test]
fn attest_sbom_option_values() {
    assert_eq!(SbomRequest::parse(""), SbomRequest::Gofront);
    assert_eq!(SbomRequest::parse("type=sbom"), SbomRequest::Gofront);
    assert_eq!(
        SbomRequest::parse("type=sbom,generator="),
        SbomRequest::Gofront
    );
    match SbomRequest::parse("type=sbom,generator=example.com/scanner:1,scan-context=true") {
        SbomRequest::Generator { image, params } => {
            assert_eq!(image, "example.com/scanner:1");
            assert_eq!(params.get("scan-context").map(String::as_str), Some("true"));
            assert!(!params.contains_key("type"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        csv_fields(r#"a=1,"b=x,y",c="q""q""#),
        ["a=1", "b=x,y", r#"c=q"q"#]
    );
}

#[test]
fn reads_build_info_from_an_elf_binary_as_go_version_m_does() {
    // The module info Go embeds is `go version -m`'s text without the
    // header line and the indenting tabs (a `go` line, if any, dropped).
    let text: String = WITHDEP
        .lines()
        .skip(1)
        .map(|l| format!("{}\n", l.strip_prefix('\t').unwrap_or(l)))
        .collect();
    let elf = synthetic_elf("go1.22.5", &format!("go\tgo1.22.5\n{text}"));
    let info = read_in_memory("/usr/local/bin/app", &elf).unwrap();
    let expected = parse_go_version_m(WITHDEP).unwrap().remove(0).info;
    assert_eq!(info, expected);
    assert_eq!(info.go_version, "go1.22.5");

    // Whatever is wrong names the binary and says what.
    let err = |file: &[u8]| match read_in_memory("/bin/x", file) {
        Ok(info) => panic!("read {info:?}"),
        Err(e) => e.to_string(),
    };
    assert_eq!(
        err(b"#!/bin/sh\necho hi\n"),
        "/bin/x is not an ELF binary gofront can read: it does not start with the ELF magic"
    );
    let mut no_section = elf.clone();
    let at = no_section
        .windows(13)
        .position(|w| w == b".go.buildinfo")
        .unwrap();
    no_section[at + 1] = b'X';
    assert_eq!(
        err(&no_section),
        "/bin/x has no Go build info (no .go.buildinfo section); is it a Go binary built in module mode?"
    );
    let mut old = elf.clone();
    let magic = old
        .windows(14)
        .position(|w| w == b"\xff Go buildinf:")
        .unwrap();
    old[magic + 15] = 0;
    assert_eq!(
        err(&old),
        "/bin/x was built by a Go older than 1.18, whose build info gofront does not read"
    );
    // The blob one byte later in the same section: off Go's 16-byte grid.
    let mut misaligned = elf.clone();
    let table_at = u64::from_le_bytes(elf[0x28..0x30].try_into().unwrap()) as usize;
    misaligned[magic..table_at].rotate_right(1);
    assert!(err(&misaligned).contains("no build info blob"));
    let outside = synthetic_elf("go1.22.5", "");
    assert!(err(&outside).contains("built outside module mode"));
    let cut = &elf[..40];
    assert!(err(cut).contains("cut short"), "{}", err(cut));
    let bad_line = synthetic_elf("go1.22.5", "path\tx\ndep\tx\n");
    assert!(err(&bad_line).starts_with("/bin/x: go version -m output, line 3"));
    // A section table that points past the file: cut short, never a panic.
    let mut past = elf.clone();
    past[0x28..0x30].copy_from_slice(&(1u64 << 40).to_le_bytes());
    assert!(err(&past).contains("cut short"), "{}", err(&past));
}

#[test]
fn the_elf_header_and_section_table_are_checked_at_their_bounds() {
    let elf = synthetic_elf("go1.22.5", "path\tx\nmod\tx\t(devel)\t\n");
    let parse = |b: &[u8]| Elf::parse("/bin/x", b).map_err(|e| e.to_string());
    let says = |b: &[u8], why: &str| {
        assert_eq!(
            parse(b),
            Err(format!(
                "/bin/x is not an ELF binary gofront can read: {why}"
            ))
        )
    };
    // The 16 bytes of ELF ident, then the whole header.
    says(&elf[..15], "it does not start with the ELF magic");
    says(&elf[..16], "the ELF header is cut short");
    says(&elf[..63], "the ELF header is cut short");
    assert!(parse(&elf[..64]).is_ok());
    let with = |at: usize, bytes: &[u8]| {
        let mut h = elf[..64].to_vec();
        h[at..at + bytes.len()].copy_from_slice(bytes);
        h
    };
    // Either of no table offset and no sections is no table.
    says(
        &with(0x28, &0u64.to_le_bytes()),
        "it has no section headers",
    );
    says(
        &with(0x3c, &0u16.to_le_bytes()),
        "it has no section headers",
    );
    // At most 4096 sections, and the names' index among them.
    let sections = |n: u16, names: u16| {
        let mut h = with(0x3c, &n.to_le_bytes());
        h[0x3e..0x40].copy_from_slice(&names.to_le_bytes());
        h
    };
    assert!(parse(&sections(4096, 1)).is_ok());
    says(&sections(4097, 1), "its section table is out of range");
    says(&sections(3, 3), "its section table is out of range");
    assert!(parse(&sections(3, 2)).is_ok());
    // The table must be there whole: 3 headers of 64 bytes.
    let header = Elf::parse("/bin/x", &elf[..64]).unwrap();
    let (at, len) = header.section_table();
    assert_eq!(len, 192);
    let table = &elf[at as usize..];
    assert_eq!(header.sections("/bin/x", table).unwrap().len(), 3);
    assert_eq!(
        header
            .sections("/bin/x", &table[..191])
            .map_err(|e| e.to_string()),
        Err("/bin/x is not an ELF binary gofront can read: its section table is cut short".into())
    );
}

/// A `.go.buildinfo` section: the blob, then `trailing` zero bytes.
fn buildinfo_blob(version: &[u8], module_info: &[u8], trailing: usize) -> Vec<u8> {
    let mut b = synthetic_blob(version, module_info);
    b.extend(std::iter::repeat_n(0, trailing));
    b
}

#[test]
fn the_build_info_strings_are_read_as_gos_decode_string_reads_them() {
    use super::binary::decode;
    let framed = synthetic_framed(b"path\tx\nmod\tx\t(devel)\t\n");
    let read = |section: &[u8]| decode("/bin/x", section).map_err(|e| e.to_string());
    let info = read(&buildinfo_blob(b"go1.24.4", &framed, 1)).unwrap();
    assert_eq!(info.go_version, "go1.24.4");
    assert_eq!(info.main.map(|m| m.path).as_deref(), Some("x"));
    // Go's decodeString refuses a string that reaches the very end of the
    // data (`u >= len(data)-n`), and so does gofront.
    assert_eq!(
        read(&buildinfo_blob(b"go1.24.4", &framed, 0)),
        Err(format!(
            "/bin/x has Go build info that does not read: its module info of {} bytes runs past the end of .go.buildinfo ({} bytes there)",
            framed.len(),
            framed.len()
        ))
    );
    // Module info too short to hold both sentinels: none, never a panic.
    for short in [&b""[..], b"path\tx\n", &framed[..32]] {
        assert_eq!(
            read(&buildinfo_blob(b"go1.24.4", short, 1)),
            Err("/bin/x has no Go build info (no module info (built outside module mode?)); is it a Go binary built in module mode?".into()),
            "{short:?}"
        );
    }
}

#[test]
fn module_info_past_what_gofront_reads_is_refused_as_too_large() {
    use super::binary::{MAX_SECTION_BYTES, decode};
    // A 5 MiB module info: its section is read up to the cap, where the
    // string is cut.
    let big = synthetic_framed(&vec![b'x'; 5 << 20]);
    let mut section = buildinfo_blob(b"go1.24.4", &big, 1);
    section.truncate(MAX_SECTION_BYTES as usize);
    assert_eq!(
        decode("/bin/x", &section).map_err(|e| e.to_string()),
        Err(format!(
            "/bin/x holds a module info of {} bytes, more than the 4 MiB of its .go.buildinfo section gofront reads, so gofront cannot write its SBOM; use --sbom=generator=IMAGE for BuildKit's scanner",
            big.len()
        ))
    );
    // A blob whose strings have no length at all has no build info.
    let mut none = buildinfo_blob(b"", b"", 0);
    none.truncate(32);
    assert_eq!(
        decode("/bin/x", &none).map_err(|e| e.to_string()),
        Err("/bin/x has no Go build info (no toolchain version); is it a Go binary built in module mode?".into())
    );
}

#[test]
fn a_module_info_of_a_two_byte_length_reads() {
    // 456 framed bytes: a length whose low seven bits have their top bit
    // set, so its first byte is 0x80 | 0x48.
    let line = "build\tvcs.revision=0123456789abcdef0123456789abcdef01234567\n";
    let mut text = String::from("path\tx\nmod\tx\t(devel)\t\n");
    while text.len() + line.len() <= 424 {
        text.push_str(line);
    }
    text.push_str(&format!(
        "build\tpad={}\n",
        "p".repeat(424 - text.len() - 11)
    ));
    assert_eq!(text.len() + 32, 456);
    let info = read_in_memory("/bin/x", &synthetic_elf("go1.24.4", &text)).unwrap();
    assert_eq!(info.settings.last().map(|(k, _)| k.as_str()), Some("pad"));
}

#[test]
fn a_big_endian_32_bit_header_reads_too() {
    let mut h = vec![0u8; 52];
    h[..6].copy_from_slice(b"\x7fELF\x01\x02");
    h[0x20..0x24].copy_from_slice(&0x1000u32.to_be_bytes());
    h[0x2e..0x30].copy_from_slice(&40u16.to_be_bytes());
    h[0x30..0x32].copy_from_slice(&3u16.to_be_bytes());
    h[0x32..0x34].copy_from_slice(&2u16.to_be_bytes());
    let elf = Elf::parse("b", &h).unwrap();
    assert_eq!(elf.section_table(), (0x1000, 120));
    let mut table = vec![0u8; 120];
    table[80..84].copy_from_slice(&7u32.to_be_bytes());
    table[96..100].copy_from_slice(&0x2000u32.to_be_bytes());
    table[100..104].copy_from_slice(&0x30u32.to_be_bytes());
    let sections = elf.sections("b", &table).unwrap();
    assert_eq!(
        elf.names_section("b", &sections).unwrap().range(16),
        (0x2000, 16)
    );
    h[0x2e..0x30].copy_from_slice(&64u16.to_be_bytes());
    assert!(Elf::parse("b", &h).is_err());
}

#[test]
fn the_document_plan_and_the_digests_make_the_input() {
    let plan = DocumentPlan {
        name: "img".into(),
        created: 7,
        base: Some(BaseImage {
            reference: "gcr.io/x/y:1".into(),
            digest: Some("sha256:ab".into()),
        }),
        main_version: Some("v9".into()),
        binaries: vec!["/usr/local/bin/app".into(), "/usr/local/bin/cli".into()],
    };
    let info = |t: &str| parse_go_version_m(t).unwrap().remove(0).info;
    let mut d = Digester::default();
    d.update(b"a");
    d.update(b"bc");
    let abc = d.finish();
    // The well-known digests of "abc".
    assert_eq!(
        abc.sha256,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(abc.sha1, "a9993e364706816aba3e25717850c26c9cd0d89d");
    let input = plan.input(
        vec![(abc.clone(), info(WITHDEP)), (abc, info(CGO_ARM))],
        Some("go.sum text".into()),
    );
    assert_eq!(input.name, "img");
    assert_eq!(input.created, 7);
    assert_eq!(input.binaries[0].path, "/usr/local/bin/app");
    assert_eq!(input.binaries[1].path, "/usr/local/bin/cli");
    assert_eq!(input.binaries[1].info.go_version, "go1.23.4");
    assert_eq!(input.main_version.as_deref(), Some("v9"));
    assert_eq!(input.base, plan.base);
    assert_eq!(input.go_sum.as_deref(), Some("go.sum text"));
    assert!(input.tool.starts_with("gofront-"));
}
