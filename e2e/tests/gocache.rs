//! The Go build cache travels to a fresh builder: `--target gocache`
//! exports it, `--build-context gocache=...` seeds it. Each test prunes the
//! engine (`docker builder prune -af`, which also removes cache mounts) to
//! stand in for a fresh CI runner.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::fs;
use std::path::Path;

use gofront_e2e::{
    Build, Scratch, Status, build, cache_mount_records, classic_store, copy_example, docker_ok,
    enabled, files, goproxy, prune_engine, run_image, sha256_file,
};

const BUILD_STEP: &str = "[gofront] go build";
const EXPORT_STEP: &str = "[gofront] export the Go build cache";
const MANIFEST: &str = "gofront-gocache.json";

fn proxy_arg() -> String {
    format!("goproxy={}", goproxy().display())
}

/// The packages `go build -v` compiled (the tool's own line left out).
fn compiled(b: &Build) -> Vec<String> {
    b.lines(BUILD_STEP)
        .into_iter()
        .filter(|l| !l.starts_with("gofront gocache:"))
        .collect()
}

fn seeded_line(b: &Build) -> String {
    b.lines(BUILD_STEP)
        .into_iter()
        .find(|l| l.starts_with("gofront gocache: seeded"))
        .unwrap_or_default()
}

fn prune() {
    prune_engine();
    assert_eq!(cache_mount_records(), 0, "cache mounts left after prune");
}

/// A change that makes Go recompile main and relink.
fn edit_main(app: &Path, n: usize) {
    let main = app.join("main.go");
    let mut text = fs::read_to_string(&main).unwrap();
    text.push_str(&format!("\nvar gofrontEdit{n} = {n}\n"));
    fs::write(&main, text).unwrap();
}

/// A fresh runner: prune the engine, edit main, build `app` seeded with
/// `seed` (a `gocache=...` build context) as image `tag`, and check that
/// only the main package compiled and the image runs.
fn seeded_rebuild(app: &Path, proxy: &str, seed: &str, tag: &str, edit: usize) -> Build {
    prune();
    edit_main(app, edit);
    let b = build(
        app,
        &["--build-context", proxy, "--build-context", seed, "-t", tag],
    );
    b.assert_ok(&format!("build seeded with {seed}"));
    assert_eq!(
        compiled(&b),
        ["example.com/withdep"],
        "the seeded build compiled more than main"
    );
    assert_eq!(run_image(tag).trim(), "Hello, gofront!");
    b
}

/// What an export directory holds: the manifest and Go cache entries only.
fn check_export(dir: &Path) -> (usize, u64) {
    let all = files(dir);
    assert!(
        all.contains_key(MANIFEST),
        "no {MANIFEST} in {}",
        dir.display()
    );
    let mut entries = 0;
    let mut bytes = 0;
    for (path, size) in &all {
        if path == MANIFEST {
            continue;
        }
        let (d, name) = path.split_once('/').expect("entries live in a 2-hex dir");
        let (hex, kind) = name.split_once('-').expect("entry name");
        assert!(
            d.len() == 2 && hex.starts_with(d) && hex.len() == 64 && (kind == "a" || kind == "d"),
            "export holds {path}, which is not a Go cache entry"
        );
        entries += 1;
        bytes += size;
    }
    (entries, bytes)
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn directory_seed_rebuilds_a_pruned_engine_warm() {
    if !enabled("directory_seed_rebuilds_a_pruned_engine_warm") {
        return;
    }
    let t = Scratch::new("gocache-dir");
    let app = t.join("withdep");
    copy_example("withdep", &app);
    let proxy = proxy_arg();
    let export = t.join("gocache");
    let export_arg = format!("type=local,dest={}", export.display());

    build(&app, &["--build-context", &proxy, "-t", "e2e-gocache:1"]).assert_ok("first build");
    let b = build(
        &app,
        &[
            "--build-context",
            &proxy,
            "--target",
            "gocache",
            "--output",
            &export_arg,
        ],
    );
    b.assert_ok("export");
    assert_eq!(
        b.status(BUILD_STEP),
        Status::Cached,
        "the export re-ran the build"
    );
    assert_eq!(b.status(EXPORT_STEP), Status::Done);
    let (entries, bytes) = check_export(&export);
    assert!(entries > 20, "only {entries} entries exported");
    eprintln!("export: {entries} entries, {bytes} bytes");

    let seed = format!("gocache={}", export.display());
    let b = seeded_rebuild(&app, &proxy, &seed, "e2e-gocache:2", 1);
    assert!(
        seeded_line(&b).contains(&format!("of {entries} in the seed")),
        "{}",
        seeded_line(&b)
    );

    // An unchanged seed re-runs nothing.
    let b = build(
        &app,
        &[
            "--build-context",
            &proxy,
            "--build-context",
            &seed,
            "-t",
            "e2e-gocache:2",
        ],
    );
    b.assert_ok("same seed again");
    assert_eq!(b.status(BUILD_STEP), Status::Cached);
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn image_seed_rebuilds_a_pruned_engine_warm() {
    if !enabled("image_seed_rebuilds_a_pruned_engine_warm") {
        return;
    }
    if classic_store(
        "image_seed_rebuilds_a_pruned_engine_warm",
        "the image flavour has no OCI image export",
    ) {
        return;
    }
    let t = Scratch::new("gocache-img");
    let app = t.join("withdep");
    copy_example("withdep", &app);
    let proxy = proxy_arg();
    build(
        &app,
        &[
            "--build-context",
            &proxy,
            "--target",
            "gocache",
            "-t",
            "e2e-gocache-seed:withdep",
        ],
    )
    .assert_ok("export as an image");
    let labels = docker_ok(&[
        "image",
        "inspect",
        "-f",
        "{{index .Config.Labels \"org.gofront.gocache\"}}",
        "e2e-gocache-seed:withdep",
    ]);
    assert_eq!(labels.trim(), "1");

    seeded_rebuild(
        &app,
        &proxy,
        "gocache=docker-image://e2e-gocache-seed:withdep",
        "e2e-gocache:3",
        2,
    );
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn another_projects_seed_changes_nothing() {
    if !enabled("another_projects_seed_changes_nothing") {
        return;
    }
    let t = Scratch::new("gocache-other");
    let hello = t.join("hello");
    let app = t.join("withdep");
    copy_example("hello", &hello);
    copy_example("withdep", &app);
    let proxy = proxy_arg();
    let hello_export = t.join("hello-gocache");
    build(
        &hello,
        &[
            "--target",
            "gocache",
            "--output",
            &format!("type=local,dest={}", hello_export.display()),
        ],
    )
    .assert_ok("hello export");
    check_export(&hello_export);

    let plain = t.join("plain");
    build(
        &app,
        &[
            "--build-context",
            &proxy,
            "--target",
            "binaries",
            "--output",
            &format!("type=local,dest={}", plain.display()),
        ],
    )
    .assert_ok("withdep binaries");
    prune();
    let seeded = t.join("seeded");
    build(
        &app,
        &[
            "--build-context",
            &proxy,
            "--build-context",
            &format!("gocache={}", hello_export.display()),
            "--target",
            "binaries",
            "--output",
            &format!("type=local,dest={}", seeded.display()),
        ],
    )
    .assert_ok("withdep seeded with hello's cache");
    assert_eq!(
        sha256_file(&plain.join("withdep")),
        sha256_file(&seeded.join("withdep")),
        "a foreign seed changed the binary"
    );
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn export_stays_bounded_over_twenty_edits() {
    if !enabled("export_stays_bounded_over_twenty_edits") {
        return;
    }
    let t = Scratch::new("gocache-bound");
    let app = t.join("hello");
    copy_example("hello", &app);
    prune();
    build(&app, &["-t", "e2e-gocache-bound"]).assert_ok("cold build");
    let first = t.join("first");
    build(
        &app,
        &[
            "--target",
            "gocache",
            "--output",
            &format!("type=local,dest={}", first.display()),
        ],
    )
    .assert_ok("first export");
    let (n1, s1) = check_export(&first);
    for n in 1..=20 {
        edit_main(&app, n);
        build(&app, &["-t", "e2e-gocache-bound"]).assert_ok("leaf rebuild");
    }
    let last = t.join("last");
    build(
        &app,
        &[
            "--target",
            "gocache",
            "--output",
            &format!("type=local,dest={}", last.display()),
        ],
    )
    .assert_ok("export after 20 edits");
    let (n20, s20) = check_export(&last);
    eprintln!(
        "export after a cold build: {n1} entries, {s1} bytes; after 20 edits: {n20} entries, {s20} bytes"
    );
    assert!(s20 * 2 <= s1 * 3, "export grew from {s1} to {s20} bytes");
    assert_eq!(
        n1, n20,
        "the export's entry count changed with edits to main"
    );
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn a_directory_that_is_not_an_export_is_refused() {
    if !enabled("a_directory_that_is_not_an_export_is_refused") {
        return;
    }
    let t = Scratch::new("gocache-bad");
    let app = t.join("hello");
    copy_example("hello", &app);
    let junk = t.join("junk");
    fs::create_dir_all(&junk).unwrap();
    fs::write(junk.join("notes.txt"), "hello").unwrap();
    let b = build(
        &app,
        &["--build-context", &format!("gocache={}", junk.display())],
    );
    assert!(!b.ok, "a junk seed was accepted");
    assert!(
        b.log
            .contains("the gocache build context has files but no gofront-gocache.json"),
        "{}",
        b.log
    );
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn oci_layout_seed_rebuilds_a_pruned_engine_warm() {
    if !enabled("oci_layout_seed_rebuilds_a_pruned_engine_warm") {
        return;
    }
    if classic_store(
        "oci_layout_seed_rebuilds_a_pruned_engine_warm",
        "the docker driver writes no OCI output",
    ) {
        return;
    }
    let t = Scratch::new("gocache-oci");
    let app = t.join("withdep");
    copy_example("withdep", &app);
    let proxy = proxy_arg();
    let layout = t.join("layout");
    build(
        &app,
        &[
            "--build-context",
            &proxy,
            "--target",
            "gocache",
            "--output",
            &format!(
                "type=oci,dest={},tar=false,name=gocache:withdep",
                layout.display()
            ),
        ],
    )
    .assert_ok("export as an OCI layout");
    let index: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(layout.join("index.json")).unwrap()).unwrap();
    let digest = index["manifests"][0]["digest"]
        .as_str()
        .unwrap()
        .to_string();

    let seed = format!("gocache=oci-layout://{}@{digest}", layout.display());
    seeded_rebuild(&app, &proxy, &seed, "e2e-gocache:4", 3);
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn modules_travel_with_the_go_cache_when_asked() {
    if !enabled("modules_travel_with_the_go_cache_when_asked") {
        return;
    }
    let t = Scratch::new("gocache-modules");
    let app = t.join("withdep");
    copy_example("withdep", &app);
    let proxy = proxy_arg();
    let export = t.join("gocache");
    let with_modules = "GOFRONT_GOCACHE_MODULES=true";
    let b = build(
        &app,
        &[
            "--build-context",
            &proxy,
            "--build-arg",
            with_modules,
            "--target",
            "gocache",
            "--output",
            &format!("type=local,dest={}", export.display()),
        ],
    );
    b.assert_ok("export with modules");
    let all = files(&export);
    let modules: Vec<&String> = all.keys().filter(|k| k.starts_with("modules/")).collect();
    assert_eq!(
        modules,
        [
            "modules/gofront.test/greet/@v/v1.0.0.info",
            "modules/gofront.test/greet/@v/v1.0.0.mod",
            "modules/gofront.test/greet/@v/v1.0.0.zip",
            "modules/gofront.test/greet/@v/v1.0.0.ziphash",
        ]
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(export.join(MANIFEST)).unwrap()).unwrap();
    assert_eq!(manifest["modules"]["files"], 4);
    assert!(
        b.lines(EXPORT_STEP)
            .iter()
            .any(|l| l.contains("and 4 module file(s)")),
        "{:?}",
        b.lines(EXPORT_STEP)
    );

    // A fresh runner: the seed's modules fill the download cache, so the
    // download fetches nothing from the proxy.
    prune();
    edit_main(&app, 5);
    let seed = format!("gocache={}", export.display());
    let b = build(
        &app,
        &[
            "--build-context",
            &proxy,
            "--build-context",
            &seed,
            "--build-arg",
            with_modules,
            "-t",
            "e2e-gocache:5",
        ],
    );
    b.assert_ok("build seeded with modules");
    let download = b.lines("[gofront] go mod download");
    assert!(
        download
            .iter()
            .any(|l| l == "gofront modcache: seeded 4 module file(s), 0.0 MB"),
        "{download:?}"
    );
    assert!(
        download.iter().any(|l| l
            == "gofront modcache: fetched 0 module(s) not in the download cache; kept 0 file(s), 0.0 MB"),
        "{download:?}"
    );
    assert_eq!(compiled(&b), ["example.com/withdep"]);
    assert_eq!(run_image("e2e-gocache:5").trim(), "Hello, gofront!");
}

/// Rewrites every action entry of an export whose output is a compiled
/// package archive to point at the next such entry's archive (its size
/// too), so each compile action, the shared dependency's and the standard
/// library's included, maps to other object code. Go does not check that
/// mapping when it reads its cache. Returns how many entries it rewrote.
fn poison(export: &Path) -> usize {
    let mut archives = Vec::new();
    for path in files(export).into_keys() {
        if !path.ends_with("-a") {
            continue;
        }
        let text = fs::read_to_string(export.join(&path)).unwrap();
        // `v1 <action> <output> <size> <time>`, as cmd/go writes it.
        let fields: Vec<&str> = text.split_whitespace().collect();
        assert_eq!(fields.len(), 5, "{path}: {text:?}");
        let output = fields[2];
        let data = export.join(&output[..2]).join(format!("{output}-d"));
        let Ok(bytes) = fs::read(&data) else {
            continue;
        };
        if bytes.starts_with(b"!<arch>\n") {
            archives.push((
                path,
                fields[1].to_string(),
                output.to_string(),
                fields[3].to_string(),
                fields[4].to_string(),
            ));
        }
    }
    let n = archives.len();
    for (i, (path, action, _, _, time)) in archives.iter().enumerate() {
        let (_, _, output, size, _) = &archives[(i + 1) % n];
        let size: u64 = size.parse().unwrap();
        let time: u64 = time.parse().unwrap();
        fs::write(
            export.join(path),
            format!("v1 {action} {output} {size:20} {time:20}\n"),
        )
        .unwrap();
    }
    n
}

/// Project `b`: withdep under another module path, so it shares only the
/// dependency gofront.test/greet (and the standard library) with withdep.
fn other_project(dir: &Path) {
    copy_example("withdep", dir);
    for f in ["go.mod", "main.go"] {
        let p = dir.join(f);
        let text = fs::read_to_string(&p)
            .unwrap()
            .replace("example.com/withdep", "example.com/other");
        fs::write(&p, text).unwrap();
    }
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn a_crafted_seed_never_reaches_another_projects_build() {
    if !enabled("a_crafted_seed_never_reaches_another_projects_build") {
        return;
    }
    let t = Scratch::new("gocache-crafted");
    let a = t.join("withdep");
    let b = t.join("other");
    copy_example("withdep", &a);
    other_project(&b);
    let proxy = proxy_arg();
    let binaries = |dir: &Path, out: &Path, extra: &[&str]| {
        let dest = format!("type=local,dest={}", out.display());
        let mut args = vec!["--build-context", &proxy, "--target", "binaries"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--output", &dest]);
        build(dir, &args)
    };

    // Each project built alone, on an empty builder.
    prune();
    binaries(&b, &t.join("b-alone"), &[]).assert_ok("b alone");
    let b_alone = sha256_file(&t.join("b-alone/other"));
    prune();
    binaries(&a, &t.join("a-alone"), &[]).assert_ok("a alone");
    let a_alone = sha256_file(&t.join("a-alone/withdep"));

    // A's cache, crafted: every compile action mapped to other object code.
    let export = t.join("a-gocache");
    build(
        &a,
        &[
            "--build-context",
            &proxy,
            "--target",
            "gocache",
            "--output",
            &format!("type=local,dest={}", export.display()),
        ],
    )
    .assert_ok("a export");
    let rewritten = poison(&export);
    assert!(rewritten > 20, "only {rewritten} archive entries to poison");

    // A seeded with it on an empty builder links the crafted objects: the
    // seed is real poison for the cache it lands in.
    prune();
    let seed = format!("gocache={}", export.display());
    let a_seeded = binaries(&a, &t.join("a-seeded"), &["--build-context", &seed]);
    let a_poisoned = !a_seeded.ok || sha256_file(&t.join("a-seeded/withdep")) != a_alone;
    assert!(
        a_poisoned,
        "the crafted seed changed nothing in A's own build:\n{}",
        a_seeded.log
    );

    // B next, on the same builder: built from its own compiles, byte for
    // byte what it is alone.
    let b_after = binaries(&b, &t.join("b-after"), &[]);
    b_after.assert_ok("b after a's crafted seed");
    assert_eq!(
        sha256_file(&t.join("b-after/other")),
        b_alone,
        "a crafted seed of another project changed B's binary"
    );
}
