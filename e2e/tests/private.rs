//! Private modules: a module proxy that wants basic auth over HTTPS, on the
//! host's loopback, reached by the download step on the host network. The
//! credentials travel only as a BuildKit secret (`download.secrets =
//! ["netrc"]`, `--secret id=netrc,...`): the build fails without it in one
//! sentence, succeeds with it, and the token is found nowhere in what the
//! build leaves behind.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use gofront_e2e::{
    Scratch, Status, as_refs, build, build_rawjson, copy_example, docker, docker_ok, enabled,
    files, fresh_namespace, gofront_ok, goproxy, repo, run_id, run_image,
};

const DOWNLOAD: &str = "[gofront] go mod download";

/// The HTTPS proxy, stopped when the test ends however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Every file below `dir` that holds `needle`, as relative paths.
fn files_holding(dir: &Path, needle: &[u8]) -> Vec<String> {
    files(dir)
        .into_keys()
        .filter(|rel| holds(&fs::read(dir.join(rel)).expect("read"), needle))
        .collect()
}

fn holds(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn a_private_proxy_needs_the_netrc_secret_and_the_token_leaks_nowhere() {
    if !enabled("a_private_proxy_needs_the_netrc_secret_and_the_token_leaks_nowhere") {
        return;
    }
    let t = Scratch::new("private");
    // A string that exists nowhere else: any match below is a leak.
    let token = format!("gft0k3n{}", run_id());
    let work = t.join("server");
    fs::create_dir_all(&work).unwrap();
    let token_file = work.join("token");
    fs::write(&token_file, &token).unwrap();
    let mut child = Command::new(repo().join("scripts/serve-goproxy"))
        .arg(goproxy())
        .arg(&work)
        .arg("gofront")
        .arg(&token_file)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve-goproxy starts");
    let mut port = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut port)
        .expect("the port");
    let _server = Server(child);
    let port = port.trim().to_string();
    assert!(
        port.parse::<u16>().is_ok(),
        "serve-goproxy printed {port:?}"
    );

    let certs = t.join("certs");
    fs::create_dir_all(&certs).unwrap();
    fs::copy(work.join("ca.pem"), certs.join("ca.pem")).unwrap();
    // Go matches a netrc machine against the proxy URL's host and port.
    let netrc = t.join("netrc");
    fs::write(
        &netrc,
        format!("machine 127.0.0.1:{port}\nlogin gofront\npassword {token}\n"),
    )
    .unwrap();

    let app = t.join("app");
    copy_example("withdep", &app);
    fs::write(
        app.join("gofront.toml"),
        format!(
            "# syntax=gofront:dev\n\
             [download]\n\
             network = \"host\"\n\
             env = {{ GOPROXY = \"https://127.0.0.1:{port}\", GONOSUMDB = \"gofront.test\", SSL_CERT_FILE = \"/certs/ca.pem\" }}\n\
             contexts = {{ certs = \"/certs\" }}\n\
             secrets = [\"netrc\"]\n"
        ),
    )
    .unwrap();
    // A cache namespace of its own: the module download cache starts empty,
    // so the module must come from the private proxy.
    let ns = fresh_namespace("private");
    let certs_ctx = format!("certs={}", certs.display());
    let secret = format!("id=netrc,src={}", netrc.display());
    let common = [
        "--allow",
        "network.host",
        "--build-context",
        &certs_ctx,
        "--build-arg",
        &ns,
    ];
    let with = |extra: &[&str]| -> Vec<String> {
        common.iter().chain(extra).map(|s| s.to_string()).collect()
    };

    // Without the secret: one sentence that names the module and what to pass.
    let args = with(&["-t", "e2e-private:1"]);
    let b = build(&app, &as_refs(&args));
    assert!(!b.ok, "a build without the secret succeeded:\n{}", b.log);
    assert_eq!(b.status(DOWNLOAD), Status::Error);
    let sentence = "gofront: go mod download could not fetch gofront.test/greet@v1.0.0: the server answered 401 Unauthorized: the spec mounts the netrc secret but the build was not given it; pass --secret id=netrc,src=$HOME/.netrc";
    assert!(
        b.lines(DOWNLOAD).iter().any(|l| l == sentence),
        "no sentence in:\n{}",
        b.lines(DOWNLOAD).join("\n")
    );

    // With it: the build succeeds; raw progress and step logs hold no token.
    let args = with(&["--secret", &secret, "-t", "e2e-private:1"]);
    let run = build_rawjson(&app, &as_refs(&args));
    let (ok, raw, logs) = (run.ok, run.raw.clone(), run.logs());
    assert!(ok, "the build with the secret failed:\n{raw}");
    assert!(!raw.contains(&token), "the token is in --progress=rawjson");
    assert!(
        !holds(&logs, token.as_bytes()),
        "the token is in a step's log"
    );
    assert!(
        String::from_utf8_lossy(&logs).contains(
            "gofront modcache: fetched 1 module(s) not in the download cache: gofront.test/greet@v1.0.0"
        ),
        "the module did not come from the private proxy"
    );
    assert_eq!(run_image("e2e-private:1").trim(), "Hello, gofront!");

    // The plain progress of a run that downloads again (--no-cache).
    let args = with(&["--secret", &secret, "--no-cache", "-t", "e2e-private:1"]);
    let b = build(&app, &as_refs(&args));
    b.assert_ok("the --no-cache build with the secret");
    assert_eq!(b.status(DOWNLOAD), Status::Done);
    assert!(
        !b.log.contains(&token),
        "the token is in the progress output"
    );

    // The image: docker save, an uncompressed OCI tar, the image config.
    let saved = t.join("saved.tar");
    docker_ok(&["save", "-o", &saved.display().to_string(), "e2e-private:1"]);
    assert!(
        !holds(&fs::read(&saved).unwrap(), token.as_bytes()),
        "the token is in docker save"
    );
    // (The classic image store has no OCI exporter.)
    if std::env::var("GOFRONT_TESTBED_STORE").as_deref() != Ok("classic") {
        let oci = t.join("oci.tar");
        let out = format!("type=oci,dest={},compression=uncompressed", oci.display());
        let args = with(&["--secret", &secret, "--output", &out]);
        build(&app, &as_refs(&args)).assert_ok("the OCI export");
        assert!(
            !holds(&fs::read(&oci).unwrap(), token.as_bytes()),
            "the token is in the OCI tar"
        );
    }
    let inspect = docker(&["image", "inspect", "e2e-private:1"]);
    assert!(
        !holds(&inspect.stdout, token.as_bytes()),
        "the token is in the image config"
    );

    // The LLB gofront sends.
    let llb = gofront_ok(&[
        "llb",
        "--context",
        &app.display().to_string(),
        "-f",
        &app.join("gofront.toml").display().to_string(),
        "--build-context",
        &certs_ctx,
    ]);
    assert!(
        llb.contains("\"secret_opt\": {") && llb.contains("\"id\": \"netrc\""),
        "no secret mount in:\n{llb}"
    );
    assert!(!llb.contains(&token), "the token is in the LLB");

    // The Go build cache export.
    let gc = t.join("gocache");
    let out = format!("type=local,dest={}", gc.display());
    let args = with(&["--secret", &secret, "--target", "gocache", "--output", &out]);
    build(&app, &as_refs(&args)).assert_ok("the gocache export");
    assert!(gc.join("gofront-gocache.json").exists());
    assert_eq!(files_holding(&gc, token.as_bytes()), Vec::<String>::new());
}
