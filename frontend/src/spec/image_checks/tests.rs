#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use crate::spec::{Setting, parse};

fn ok(text: &str) -> crate::spec::Spec {
    ok_with(text, &[])
}

fn ok_with(text: &str, args: &[(&str, &str)]) -> crate::spec::Spec {
    let args: BTreeMap<String, String> = args
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    parse("gofront.toml", text, &args).unwrap()
}

fn err(text: &str) -> String {
    parse("gofront.toml", text, &BTreeMap::new())
        .unwrap_err()
        .to_string()
}

#[test]
fn file_entries_are_cleaned_and_keep_their_spans() {
    let text = "[[runtime.files]]\nsrc = \"./config//app.yaml\"\ndest = \"/etc//app/\"\nmode = \"0o640\"\nowner = \"nonroot:1000\"\n\n[[runtime.files]]\nsrc = \"migrations/\"\ndest = \"/migrations\"\n";
    let spec = ok(text);
    let files = &spec.runtime.files.as_ref().unwrap().value;
    assert_eq!(files.len(), 2);
    assert_eq!(files[0].src.value, "config/app.yaml");
    assert_eq!(files[0].dest.value, "/etc/app/");
    assert_eq!(files[0].mode.as_ref().unwrap().value, 0o640);
    assert_eq!(files[0].owner.as_ref().unwrap().value, "nonroot:1000");
    assert_eq!(files[1].src.value, "migrations");
    assert_eq!(files[1].dest.value, "/migrations");
    assert_eq!(files[1].mode, None);
    // The source's span is the string as written.
    let crate::spec::Origin::File(r) = &files[0].src.origin else {
        panic!("a file origin")
    };
    assert_eq!(&text[r.clone()], "\"./config//app.yaml\"");
    // "." is the whole context; into "/" is refused then.
    let whole = ok("[[runtime.files]]\nsrc = \"./\"\ndest = \"/srv/\"\n");
    assert_eq!(whole.runtime.files.unwrap().value[0].src.value, ".");
    assert_eq!(
        err("[[runtime.files]]\nsrc = \".\"\ndest = \"/\"\n"),
        "gofront.toml:1:1: runtime.files[0] copies the whole build context over the image's root; name the files to copy"
    );
}

#[test]
fn each_bad_field_of_an_entry_is_reported() {
    assert_eq!(
        err(
            "[runtime]\nfiles = [{ src = \"a/../../b\", dest = \"x\", mode = \"8\", owner = \"\" }, \"c\"]\n"
        ),
        [
            "gofront.toml:2:18: runtime.files[0].src \"a/../../b\" leaves the build context; only files inside it can be copied",
            "gofront.toml:2:38: runtime.files[0].dest must be an absolute path in the image such as \"/etc/app/\", not \"x\"",
            "gofront.toml:2:50: runtime.files[0].mode must be an octal mode such as \"0644\" or \"0755\", not \"8\"",
            "gofront.toml:2:63: runtime.files[0].owner must be \"user\" or \"user:group\", each a number or a name such as \"nonroot\", not \"\"",
            "gofront.toml:2:69: runtime.files[1] must be a table, not a string",
        ]
        .join("\n")
    );
}

#[test]
fn healthchecks_take_dockers_forms() {
    let test = |t: &str| {
        ok(&format!("[runtime.healthcheck]\ntest = {t}\n"))
            .runtime
            .healthcheck
            .unwrap()
            .value
            .test
            .value
    };
    assert_eq!(test("[\"/app\", \"-health\"]"), ["CMD", "/app", "-health"]);
    assert_eq!(test("[\"CMD\", \"/app\"]"), ["CMD", "/app"]);
    assert_eq!(
        test("\"curl -f http://localhost/\""),
        ["CMD-SHELL", "curl -f http://localhost/"]
    );
    assert_eq!(test("[\"CMD-SHELL\", \"exit 0\"]"), ["CMD-SHELL", "exit 0"]);
    assert_eq!(test("[\"NONE\"]"), ["NONE"]);
    assert_eq!(test("\"NONE\""), ["NONE"]);
    let h = ok("[runtime.healthcheck]\ntest = [\"/app\"]\ninterval = \"1m30s\"\ntimeout = \"0\"\nstart_period = \"1.5s\"\nstart_interval = \"500ms\"\nretries = 0\n")
        .runtime
        .healthcheck
        .unwrap()
        .value;
    assert_eq!(h.interval.unwrap().value, 90_000_000_000);
    assert_eq!(h.timeout.unwrap().value, 0);
    assert_eq!(h.start_period.unwrap().value, 1_500_000_000);
    assert_eq!(h.start_interval.unwrap().value, 500_000_000);
    assert_eq!(h.retries.unwrap().value, 0);
    assert_eq!(
        err("[runtime.healthcheck]\ntest = []\n"),
        "gofront.toml:2:8: runtime.healthcheck.test is empty; name the command that checks the container"
    );
    assert_eq!(
        err("[runtime.healthcheck]\ntest = [\"CMD\"]\n"),
        "gofront.toml:2:8: runtime.healthcheck.test [\"CMD\"] needs the program to run after it"
    );
    assert_eq!(
        err("[runtime.healthcheck]\ntest = [\"NONE\", \"x\"]\n"),
        "gofront.toml:2:8: runtime.healthcheck.test [\"NONE\"] takes nothing after it"
    );
    assert_eq!(
        err("[runtime.healthcheck]\ntest = 1\n"),
        "gofront.toml:2:8: runtime.healthcheck.test must be an array of strings (run without a shell) or a string (run by the image's shell), not an integer"
    );
    assert_eq!(
        err("[runtime]\nhealthcheck = [\"/app\"]\n"),
        "gofront.toml:2:15: runtime.healthcheck must be a table, not an array"
    );
}

#[test]
fn stop_signals_are_read_as_docker_reads_them() {
    let signal = |s: &str| {
        ok(&format!("[runtime]\nstop_signal = \"{s}\"\n"))
            .runtime
            .stop_signal
            .unwrap()
            .value
    };
    assert_eq!(signal("SIGTERM"), "SIGTERM");
    assert_eq!(signal("term"), "SIGTERM");
    assert_eq!(signal("sigquit"), "SIGQUIT");
    assert_eq!(signal("RTMIN+3"), "SIGRTMIN+3");
    assert_eq!(signal("SIGRTMAX-1"), "SIGRTMAX-1");
    assert_eq!(signal("9"), "9");
    assert_eq!(signal("64"), "64");
    for bad in ["65", "RTMIN+16", "RTMIN+03", "SIG", "", "TERM "] {
        assert!(
            parse(
                "gofront.toml",
                &format!("[runtime]\nstop_signal = \"{bad}\"\n"),
                &BTreeMap::new()
            )
            .is_err(),
            "{bad:?} is no signal"
        );
    }
}

#[test]
fn volumes_bindir_and_binaries_are_paths() {
    let spec = ok(
        "[runtime]\nvolumes = [\"/data/\", \"/cache\"]\nbindir = \"/app/bin/\"\nbinaries = { manager = \"/manager\" }\n",
    );
    assert_eq!(spec.runtime.volumes.unwrap().value, ["/data", "/cache"]);
    assert_eq!(spec.runtime.bindir.unwrap().value, "/app/bin");
    assert_eq!(spec.runtime.binaries["manager"].value, "/manager");
    assert_eq!(
        err("[runtime]\nvolumes = [\"/data\", \"/data/\"]\n"),
        "gofront.toml:2:11: runtime.volumes lists \"/data\" twice"
    );
    assert_eq!(
        err("[runtime]\nbinaries = { manager = \"/\" }\n"),
        "gofront.toml:2:24: runtime.binaries.manager must name the binary's own path, such as \"/manager\", not the image's root"
    );
    assert_eq!(
        err("[runtime]\nbinaries = { manager = \"/bin/\" }\n"),
        "gofront.toml:2:24: runtime.binaries.manager \"/bin/\" ends with '/'; name the path itself, without the trailing '/'"
    );
}

#[test]
fn structured_build_args_are_json_and_outline_shows_them_so() {
    let spec = ok_with(
        "",
        &[
            (
                "GOFRONT_RUNTIME_FILES",
                r#"[{"src": "config", "dest": "/etc/app/", "mode": "0640", "owner": "65532"}]"#,
            ),
            (
                "GOFRONT_RUNTIME_HEALTHCHECK",
                r#"{"test": ["/app", "-health"], "interval": "10s", "retries": 2}"#,
            ),
            (
                "GOFRONT_RUNTIME_DIRS",
                r#"[{"path": "/data", "owner": "65532"}]"#,
            ),
            ("GOFRONT_RUNTIME_BINARIES", "manager=/manager"),
            ("GOFRONT_RUNTIME_VOLUMES", "/data"),
        ],
    );
    let files = spec.runtime.files.as_ref().unwrap();
    assert_eq!(
        files.origin,
        crate::spec::Origin::BuildArg("GOFRONT_RUNTIME_FILES".into())
    );
    assert_eq!(files.value[0].mode.as_ref().unwrap().value, 0o640);
    let shown = |key: &crate::spec::keys::Key| match key.setting(&spec) {
        Setting::Structured(v) => v.to_json().to_string(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        shown(&crate::spec::keys::RUNTIME_FILES),
        r#"[{"dest":"/etc/app/","mode":"0640","owner":"65532","src":"config"}]"#
    );
    assert_eq!(
        shown(&crate::spec::keys::RUNTIME_HEALTHCHECK),
        r#"{"interval":"10s","retries":2,"test":["CMD","/app","-health"]}"#
    );
    assert_eq!(
        shown(&crate::spec::keys::RUNTIME_DIRS),
        r#"[{"owner":"65532","path":"/data"}]"#
    );
    // What outline shows reads back as the same value.
    let again = ok_with(
        "",
        &[
            (
                "GOFRONT_RUNTIME_FILES",
                &shown(&crate::spec::keys::RUNTIME_FILES),
            ),
            (
                "GOFRONT_RUNTIME_HEALTHCHECK",
                &shown(&crate::spec::keys::RUNTIME_HEALTHCHECK),
            ),
        ],
    );
    assert_eq!(
        again.runtime.files.unwrap().value[0].src.value,
        files.value[0].src.value
    );
    assert_eq!(
        again.runtime.healthcheck.unwrap().value.test.value,
        ["CMD", "/app", "-health"]
    );
}

#[test]
fn an_image_adds_its_files_to_runtimes_and_keeps_its_own_healthcheck() {
    let spec = ok(
        "[runtime]\nstop_signal = \"SIGINT\"\nhealthcheck = { test = [\"/usr/local/bin/api\", \"-health\"] }\nbinaries = { api = \"/api\" }\n[[runtime.files]]\nsrc = \"a\"\ndest = \"/a\"\n[[runtime.dirs]]\npath = \"/data\"\n[images.worker]\nbinaries = { worker = \"/worker\" }\n[[images.worker.files]]\nsrc = \"w\"\ndest = \"/w\"\n",
    );
    let worker = spec.runtime_for(Some("worker"));
    let srcs: Vec<&str> = worker
        .files
        .as_ref()
        .unwrap()
        .value
        .iter()
        .map(|f| f.src.value.as_str())
        .collect();
    assert_eq!(srcs, ["a", "w"]);
    assert_eq!(worker.dirs.as_ref().unwrap().value.len(), 1);
    assert_eq!(worker.healthcheck, None);
    assert_eq!(worker.stop_signal.unwrap().value, "SIGINT");
    assert_eq!(
        worker.binaries.keys().collect::<Vec<_>>(),
        ["api", "worker"]
    );
    let image = spec.runtime_for(None);
    assert!(image.healthcheck.is_some());
    assert_eq!(image.files.unwrap().value.len(), 1);
}
