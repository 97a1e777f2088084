//! The runtime image's files, directories, settings and binary paths: what
//! the plan decides, and how `lower` and `explain` render it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::json;

use super::*;
use crate::proto::pb;
use crate::testutil::case::{Case, PlanParts};
use crate::testutil::definition::{file, source};

const DISTROLESS: &str = r#"{"config":{"User":"65532:65532","Env":["PATH=/usr/bin"],"Volumes":{"/base":{}},"Healthcheck":{"Test":["CMD","/base"]}}}"#;

fn layer_names(rt: &RuntimePlan) -> Vec<&str> {
    rt.layers.iter().map(|l| l.name.as_str()).collect()
}

#[test]
fn binaries_go_to_bindir_or_their_own_path_and_the_entrypoint_follows() {
    let plan = Case {
        spec: "[build]\npackages = [\"./cmd/manager\", \"./cmd/tool\"]\n[runtime]\nbindir = \"/opt/bin\"\nbinaries = { manager = \"/manager\" }\n",
        ..Case::default()
    }
    .ok();
    let rt = plan.runtime();
    let paths: Vec<&str> = rt.binaries.iter().map(|b| b.path.as_str()).collect();
    assert_eq!(paths, ["/manager", "/opt/bin/tool"]);
    assert_eq!(rt.settings.entrypoint, ["/manager"]);
    assert_eq!(
        rt.settings.created_by,
        "gofront: COPY manager /manager, tool /opt/bin/tool"
    );
    assert_eq!(binaries_dir(&rt.binaries), None);
    // The SBOM names each binary at its path.
    let plan = Case {
        spec: "[build]\npackages = [\"./cmd/manager\"]\n[runtime]\nbinaries = { manager = \"/manager\" }\n",
        options: &[("attest:sbom", "")],
        ..Case::default()
    }
    .ok();
    let TargetPlan::Image { sbom: Some(s), .. } = &plan.target else {
        panic!("an SBOM plan")
    };
    assert_eq!(s.document.binaries, ["/manager"]);
    // The LLB copies each binary to its path, in one op.
    let d = Case {
        spec: "[build]\npackages = [\"./cmd/manager\", \"./cmd/tool\"]\n[runtime]\nbinaries = { manager = \"/manager\" }\n",
        ..Case::default()
    }
    .definition();
    let (_, op) = d.named("[gofront] copy manager to /manager, tool to /usr/local/bin/tool");
    let dests: Vec<&str> = file(op)
        .actions
        .iter()
        .map(|a| match &a.action {
            Some(pb::file_action::Action::Copy(c)) => c.dest.as_str(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(dests, ["/manager", "/usr/local/bin/tool"]);
}

#[test]
fn the_image_config_gets_volumes_healthcheck_and_stop_signal() {
    let plan = Case {
        spec: "[runtime]\nvolumes = [\"/data\"]\nstop_signal = \"int\"\nhealthcheck = { test = [\"/usr/local/bin/hello\", \"-health\"], interval = \"10s\", retries = 2 }\n",
        runtime_config: Some(DISTROLESS),
        ..Case::default()
    }
    .ok();
    let c = &plan.runtime().config["config"];
    assert_eq!(c["Volumes"], json!({"/base": {}, "/data": {}}));
    assert_eq!(c["StopSignal"], "SIGINT");
    assert_eq!(
        c["Healthcheck"],
        json!({"Test": ["CMD", "/usr/local/bin/hello", "-health"], "Interval": 10_000_000_000u64, "Retries": 2})
    );
    // Unset, the base's stay as they are.
    let plan = Case {
        runtime_config: Some(DISTROLESS),
        ..Case::default()
    }
    .ok();
    let c = &plan.runtime().config["config"];
    assert_eq!(c["Volumes"], json!({"/base": {}}));
    assert_eq!(c["Healthcheck"], json!({"Test": ["CMD", "/base"]}));
    assert!(c.get("StopSignal").is_none());
}

#[test]
fn a_binary_target_keeps_its_own_healthcheck_only() {
    let spec = "[build]\npackages = [\"./cmd/api\", \"./cmd/worker\"]\n[runtime]\nhealthcheck = { test = [\"/usr/local/bin/api\", \"-health\"] }\n[[runtime.files]]\nsrc = \"shared.yaml\"\ndest = \"/etc/app/\"\n[[images.worker.files]]\nsrc = \"worker.yaml\"\ndest = \"/etc/app/\"\n";
    let worker = Case {
        spec,
        options: &[("target", "worker")],
        ..Case::default()
    }
    .ok();
    let rt = worker.runtime();
    assert_eq!(rt.settings.healthcheck, None);
    assert_eq!(
        layer_names(rt),
        [
            "[gofront] copy shared.yaml to /etc/app/",
            "[gofront] copy worker.yaml to /etc/app/"
        ]
    );
    let image = Case {
        spec,
        ..Case::default()
    }
    .ok();
    assert!(image.runtime().settings.healthcheck.is_some());
    assert_eq!(image.runtime().layers.len(), 1);
}

#[test]
fn layers_make_their_directories_as_declared_and_stack_dirs_files_then_kodata() {
    let plan = Case {
        spec: "[runtime]\nkodata = true\n[[runtime.files]]\nsrc = \"seed/*.db\"\ndest = \"/var/lib/app/seed/\"\nowner = \"nonroot\"\n[[runtime.dirs]]\npath = \"/var/lib/app\"\nmode = \"0700\"\nowner = \"65532:65532\"\n",
        options: &[("build-arg:SOURCE_DATE_EPOCH", "10")],
        ..Case::default()
    }
    .ok();
    let rt = plan.runtime();
    assert_eq!(
        layer_names(rt),
        [
            "[gofront] directory /var/lib/app",
            "[gofront] copy seed/*.db to /var/lib/app/seed/",
            "[gofront] copy kodata to /var/run/ko/ (ko's kodata)",
        ]
    );
    let dirs = |l: &RuntimeLayer| -> Vec<(String, u32, String)> {
        l.dirs
            .iter()
            .map(|d| (d.path.clone(), d.mode, d.owner.to_string()))
            .collect()
    };
    let s = |p: &str, m: u32, o: &str| (p.to_string(), m, o.to_string());
    assert_eq!(
        dirs(&rt.layers[0]),
        [
            s("/var", 0o755, "0:0"),
            s("/var/lib", 0o755, "0:0"),
            s("/var/lib/app", 0o700, "65532:65532")
        ]
    );
    // The copy's layer holds /var/lib/app as declared, and the directory it
    // copies into with the copy's owner.
    assert_eq!(
        dirs(&rt.layers[1]),
        [
            s("/var", 0o755, "0:0"),
            s("/var/lib", 0o755, "0:0"),
            s("/var/lib/app", 0o700, "65532:65532"),
            s("/var/lib/app/seed", 0o755, "nonroot"),
        ]
    );
    let copy = rt.layers[1].copy.as_ref().unwrap();
    assert!(copy.wildcard && !copy.optional);
    let ko = rt.layers[2].copy.as_ref().unwrap();
    assert_eq!(
        (ko.src.as_str(), ko.dest.as_str()),
        ("kodata", "/var/run/ko/")
    );
    assert!(ko.optional);
    assert!(
        rt.settings
            .env
            .contains(&"KO_DATA_PATH=/var/run/ko".to_string())
    );
    assert_eq!(rt.dir_time, Some(10_000_000_000));
    assert_eq!(
        rt.settings.layers_created_by,
        [
            "gofront: mkdir --chmod=0700 --chown=65532:65532 /var/lib/app",
            "gofront: COPY --chown=nonroot seed/*.db /var/lib/app/seed/",
            "gofront: COPY kodata /var/run/ko/",
        ]
    );
    // One history entry a layer, the binaries' last.
    let history = rt.config["history"].as_array().unwrap();
    let lines: Vec<&str> = history
        .iter()
        .map(|h| h["created_by"].as_str().unwrap())
        .collect();
    assert_eq!(
        lines[lines.len() - 4..],
        [
            "gofront: mkdir --chmod=0700 --chown=65532:65532 /var/lib/app",
            "gofront: COPY --chown=nonroot seed/*.db /var/lib/app/seed/",
            "gofront: COPY kodata /var/run/ko/",
            "gofront: COPY hello /usr/local/bin/",
        ]
    );
}

#[test]
fn kodata_is_each_packages_own_and_the_specs_env_wins() {
    let plan = Case {
        spec: "[build]\npackages = [\"./cmd/a\", \"./cmd/b\"]\n[runtime]\nkodata = true\nenv = { KO_DATA_PATH = \"/srv\" }\n",
        ..Case::default()
    }
    .ok();
    let rt = plan.runtime();
    let srcs: Vec<&str> = rt
        .layers
        .iter()
        .map(|l| l.copy.as_ref().unwrap().src.as_str())
        .collect();
    assert_eq!(srcs, ["cmd/a/kodata", "cmd/b/kodata"]);
    assert!(rt.settings.env.contains(&"KO_DATA_PATH=/srv".to_string()));
    assert!(
        !rt.settings
            .env
            .contains(&"KO_DATA_PATH=/var/run/ko".to_string())
    );
}

#[test]
fn each_layer_transfers_only_its_files_and_looks_names_up_in_the_base() {
    let spec = "[runtime]\nbase = \"distroless:nonroot\"\n[[runtime.files]]\nsrc = \"config\"\ndest = \"/etc/app/\"\nmode = \"0640\"\nowner = \"nonroot\"\n";
    for merge in [true, false] {
        let d = Case {
            spec,
            runtime_config: Some(DISTROLESS),
            runtime_digest: Some("sha256:r1"),
            dockerignore: Some("secret.txt\n"),
            merge,
            ..Case::default()
        }
        .definition();
        let (_, local) = d.named("[gofront] load config from the build context");
        let attrs = &source(local).attrs;
        assert_eq!(attrs["local.includepattern"], "[\"config\"]");
        assert_eq!(attrs["local.excludepatterns"], "[\"secret.txt\",\".git\"]");
        let (_, op) = d.named("[gofront] copy config to /etc/app/");
        let actions = &file(op).actions;
        let copy = match actions.last().and_then(|a| a.action.as_ref()) {
            Some(pb::file_action::Action::Copy(c)) => c,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            (copy.src.as_str(), copy.dest.as_str()),
            ("/config", "/etc/app/")
        );
        assert_eq!(copy.mode, 0o640);
        assert!(copy.dir_copy_contents && copy.follow_symlink && !copy.allow_wildcard);
        // The owner's name is looked up in the base's /etc/passwd.
        let user = copy.owner.as_ref().unwrap().user.as_ref().unwrap();
        let Some(pb::user_opt::User::ByName(named)) = &user.user else {
            panic!("{user:?}")
        };
        assert_eq!(named.name, "nonroot");
        let lookup = &op.inputs[usize::try_from(named.input).unwrap()];
        assert_eq!(
            d.input_name(lookup),
            "[gofront] runtime base distroless:nonroot"
        );
        // Merged, the layer starts from scratch; else from the base.
        let first = &actions[0];
        assert_eq!(first.input == -1, merge, "merge {merge}");
        let terminal = d.terminal();
        let image = d.op(&terminal.inputs[0].digest);
        match (&image.op, merge) {
            (Some(pb::op::Op::Merge(m)), true) => assert_eq!(m.inputs.len(), 3),
            (Some(pb::op::Op::File(_)), false) => {}
            (other, _) => panic!("merge {merge}: {other:?}"),
        }
    }
}

#[test]
fn scratch_takes_numeric_owners_and_no_shell_healthcheck() {
    let e = Case {
        spec: "[runtime]\nbase = \"scratch\"\n[[runtime.dirs]]\npath = \"/data\"\nowner = \"65532:nonroot\"\n",
        ..Case::default()
    }
    .err();
    assert_eq!(
        e,
        "gofront.toml:5:9: runtime.dirs[0].owner \"65532:nonroot\" is a name, but a scratch image has no /etc/passwd to look it up in; use a numeric uid:gid such as \"65532:65532\""
    );
    let plan = Case {
        spec: "[runtime]\nbase = \"scratch\"\n[[runtime.dirs]]\npath = \"/data\"\nowner = \"root:65532\"\n",
        ..Case::default()
    }
    .ok();
    assert_eq!(
        plan.runtime().layers[0].dirs[0].owner.to_string(),
        "0:65532"
    );
}

#[test]
fn explain_renders_every_part() {
    let plan = Case {
        spec: "[runtime]\nvolumes = [\"/data\"]\nstop_signal = \"SIGQUIT\"\nhealthcheck = { test = \"wget -q localhost\", timeout = \"2s\", start_interval = \"1s\" }\nbinaries = { hello = \"/hello\" }\n[[runtime.files]]\nsrc = \"web\"\ndest = \"/srv/web\"\n",
        merge: true,
        ..Case::default()
    }
    .ok();
    let text = crate::explain::dockerfile(&plan, "gofront.toml").unwrap();
    for line in [
        "COPY --link web /srv/web",
        "COPY --link --from=build --chown=0:0 /gofront/out/hello /",
        "VOLUME [\"/data\"]",
        "HEALTHCHECK --timeout=2s --start-interval=1s CMD wget -q localhost",
        "STOPSIGNAL SIGQUIT",
        "ENTRYPOINT [\"/hello\"]",
    ] {
        assert!(text.lines().any(|l| l == line), "{line:?} not in:\n{text}");
    }
    // No empty stage without a directory to make.
    assert!(!text.contains("AS empty"), "{text}");
    let none = Case {
        spec: "[runtime]\nhealthcheck = { test = [\"NONE\"] }\n",
        ..Case::default()
    }
    .ok();
    let text = crate::explain::dockerfile(&none, "gofront.toml").unwrap();
    assert!(text.lines().any(|l| l == "HEALTHCHECK NONE"), "{text}");
}

#[test]
fn the_go_build_does_not_see_what_only_the_images_copy() {
    let spec = "[build]\npackages = [\"./cmd/api\", \"./cmd/worker\"]\n[runtime]\nkodata = true\n[[runtime.files]]\nsrc = \"migrations\"\ndest = \"/m/\"\n[[runtime.files]]\nsrc = \"web/dist\"\ndest = \"/web/\"\nembed = true\n[[images.worker.files]]\nsrc = \"worker.yaml\"\ndest = \"/etc/\"\n";
    let build = |target: &str| {
        let opts = [("target", target)];
        Case {
            spec,
            options: &opts,
            ..Case::default()
        }
        .ok()
        .build()
        .clone()
    };
    let image = build("image");
    // Every runtime file of every image, kodata of each package; not what
    // Go embeds; Go's own files kept.
    assert_eq!(
        context_exclude(&image)[..4],
        [
            "migrations",
            "worker.yaml",
            "cmd/api/kodata",
            "cmd/worker/kodata"
        ]
    );
    assert!(context_exclude(&image).contains(&"!**/*.go".to_string()));
    assert!(!context_exclude(&image).iter().any(|p| p.contains("web")));
    // The same go build for every target.
    assert_eq!(build("worker"), image);
    assert_eq!(build("binaries"), image);
    // go test sees everything.
    let test = Case {
        spec,
        ..Case::default()
    }
    .test_step();
    assert!(context_exclude(&test).is_empty());
    // Nothing copied, nothing left out: the go build is the one it was.
    let plain = Case::default().ok();
    assert!(context_exclude(plain.build()).is_empty());
}

#[test]
fn an_optional_source_is_a_glob_from_the_root() {
    let copy = |src: &str, optional: bool| CopyLayer {
        src: src.into(),
        dest: "/var/run/ko/".into(),
        wildcard: false,
        optional,
        mode: None,
        owner: FileOwner::root(),
    };
    assert_eq!(copy("kodata", true).source_pattern(), "/kodat[a]");
    assert_eq!(
        copy("cmd/app/kodata", true).source_pattern(),
        "/cm[d]/app/kodata"
    );
    assert_eq!(
        copy("cmd/app/kodata", false).source_pattern(),
        "/cmd/app/kodata"
    );
    assert_eq!(copy(".", false).source_pattern(), "/");
}

/// What a Go step's context mount leaves out besides `.dockerignore`.
fn context_exclude(step: &crate::plan::GoStep) -> Vec<String> {
    step.mounts
        .iter()
        .find_map(|m| match &m.source {
            crate::plan::MountSource::Context { exclude, .. } => Some(exclude.clone()),
            _ => None,
        })
        .unwrap_or_default()
}
