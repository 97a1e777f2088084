//! The gofront binary: a BuildKit frontend when BuildKit starts it, and
//! `gofront llb` to print the LLB for a project without any engine, and
//! `gofront dockerfile` to print the equivalent Dockerfile.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use gofront::{
    DEFAULT_SPEC_FILE, LocalHost, LocalOptions, Options, PlatformBuild, Report, debug_json,
    dockerfile, generate, lower_all,
};
use prost::Message;

const USAGE: &str = "usage:
  gofront                 run as a BuildKit frontend (BuildKit starts it for `# syntax=`)
  gofront llb --context DIR -f SPEC [--target image|binaries|test|gocache]
              [--build-arg K=V]... [--build-context NAME=DIR|docker-image://REF]...
              [--platform os/arch[,os/arch...]] [--label K=V]... [--merge] [--format json|pb]
                          print the LLB definition gofront would send, without an engine
  gofront dockerfile --context DIR -f SPEC [--target image|binaries|test]
              [--build-arg K=V]... [--build-context NAME=DIR|docker-image://REF]...
              [--platform os/arch] [--label K=V]... [--merge]
                          print the Dockerfile equivalent to gofront's plan, for review
  gofront --version       print the version
  gofront --help          print this help
  gofront gocache seed|export|prog|stamp ...
  gofront modcache ...
  gofront keep ...
                          the tools that build steps run (not for direct use)";

/// The first words of the tools build steps run.
const TOOLS: [&str; 3] = ["gocache", "modcache", "keep"];

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("GOFRONT_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    // Arguments that are not UTF-8 are refused by name (std::env::args
    // would panic on them).
    let args = match gofront::utf8_args(std::env::args_os().skip(1)) {
        Ok(args) => args,
        Err(e) => {
            // The tools' messages start with their name, as their others do.
            let first = std::env::args_os().nth(1);
            let tool = first
                .as_ref()
                .and_then(|a| a.to_str())
                .filter(|a| TOOLS.contains(a))
                .map(|a| format!(" {a}"))
                .unwrap_or_default();
            eprintln!("gofront{tool}: {e}");
            return ExitCode::from(1);
        }
    };
    // The GOCACHEPROG server and the mtime stamper (cacheprog.rs).
    if args.first().is_some_and(|a| a == "gocache")
        && args.get(1).is_some_and(|a| a == "prog" || a == "stamp")
    {
        return gofront::cacheprog_main(&args[1..]);
    }
    // The cache tools, run inside build steps (see cachetool/).
    if let Some(code) = gofront::cache_tool_main(&args) {
        return code;
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("gofront: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match args.first().map(String::as_str) {
        None => {
            // The first line gofront writes to the engine's log.
            tracing::info!(version = env!("CARGO_PKG_VERSION"), "gofront starting");
            let code = runtime.block_on(gofront::serve());
            // Exit at once: BuildKit keeps stdin open after Return, and only
            // the process ending releases the build.
            std::process::exit(code);
        }
        Some(sub @ ("llb" | "dockerfile")) => {
            let result = if sub == "llb" {
                runtime.block_on(llb_command(&args[1..]))
            } else {
                runtime.block_on(dockerfile_command(&args[1..]))
            };
            match result {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("gofront: {e}");
                    ExitCode::from(1)
                }
            }
        }
        Some("--version" | "-V" | "version") => {
            let _ = writeln!(std::io::stdout(), "gofront {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Some("--help" | "-h" | "help") => {
            let _ = writeln!(
                std::io::stdout(),
                "gofront {}\n\n{USAGE}",
                env!("CARGO_PKG_VERSION")
            );
            ExitCode::SUCCESS
        }
        Some(_) => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// Which local subcommand is parsing: they share every option but the
/// output format.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Command {
    Llb,
    Dockerfile,
}

/// `gofront llb` and `gofront dockerfile`: the same pipeline on the local
/// disk, from the same arguments.
struct LocalRun {
    host: LocalHost,
    options: Options,
    format: String,
}

fn parse_local(command: Command, args: &[String]) -> Result<LocalRun, String> {
    let mut context = PathBuf::from(".");
    let mut spec: Option<PathBuf> = None;
    let mut format = "json".to_string();
    let mut merge = false;
    let mut opts = LocalOptions::default();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            "--context" => context = PathBuf::from(value("--context")?),
            "-f" | "--file" => spec = Some(PathBuf::from(value("-f")?)),
            "--format" if command == Command::Llb => {
                format = value("--format")?;
                if !matches!(format.as_str(), "json" | "pb") {
                    return Err(format!("unknown --format {format:?}; use json or pb"));
                }
            }
            "--merge" => merge = true,
            "--target" => opts.target(value("--target")?),
            "--platform" => opts.platform(value("--platform")?),
            "--build-context" => {
                let kv = value("--build-context")?;
                let (name, v) = kv
                    .split_once('=')
                    .ok_or_else(|| format!("--build-context takes NAME=VALUE, not {kv:?}"))?;
                opts.build_context(name, v);
            }
            "--build-arg" | "--label" => {
                let kv = value(arg)?;
                let (k, v) = kv.split_once('=').unwrap_or((kv.as_str(), ""));
                if arg == "--label" {
                    opts.label(k, v);
                } else {
                    opts.build_arg(k, v);
                }
            }
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    let spec = spec.unwrap_or_else(|| context.join(DEFAULT_SPEC_FILE));
    let filename = spec
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| DEFAULT_SPEC_FILE.into());
    opts.filename(filename);
    let options = opts.parse().map_err(|e| e.to_string())?;
    Ok(LocalRun {
        host: LocalHost {
            context,
            spec,
            merge,
        },
        options,
        format,
    })
}

/// The report of a local run, its warnings logged.
async fn report(run: &LocalRun) -> Result<Report, String> {
    let report = generate(&run.host, &run.options).await.map_err(|f| {
        for w in &f.warnings {
            tracing::warn!("{}", w.message());
        }
        f.error.to_string()
    })?;
    for w in &report.warnings {
        tracing::warn!("{}", w.message());
    }
    Ok(report)
}

async fn dockerfile_command(args: &[String]) -> Result<(), String> {
    let run = parse_local(Command::Dockerfile, args)?;
    let report = report(&run).await?;
    let [one] = report.plans.as_slice() else {
        return Err(
            "gofront dockerfile writes one Dockerfile for one platform: pass one --platform"
                .to_string(),
        );
    };
    let text = dockerfile(one, &run.options.filename).map_err(|e| e.to_string())?;
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .map_err(|e| format!("cannot write output: {e}"))
}

async fn llb_command(args: &[String]) -> Result<(), String> {
    let run = parse_local(Command::Llb, args)?;
    let format = run.format.clone();
    let generated = lower_all(&report(&run).await?).map_err(|e| e.to_string())?;
    let mut out = std::io::stdout().lock();
    let render = |b: &PlatformBuild| -> Result<serde_json::Value, String> {
        let mut doc = debug_json(&b.definition).map_err(|e| e.to_string())?;
        if let Some(cfg) = &b.image_config {
            doc["image_config"] = serde_json::from_slice(cfg).map_err(|e| e.to_string())?;
        }
        Ok(doc)
    };
    let written = match (format.as_str(), generated.builds.as_slice()) {
        // One platform: the definition itself.
        ("json", [one]) if !generated.multi_platform => {
            serde_json::to_writer_pretty(&mut out, &render(one)?)
                .map_err(|e| e.to_string())
                .and_then(|()| writeln!(out).map_err(|e| e.to_string()))
        }
        // Several: one definition per platform id.
        ("json", builds) => {
            let mut doc = serde_json::Map::new();
            for b in builds {
                doc.insert(b.platform.to_string(), render(b)?);
            }
            serde_json::to_writer_pretty(&mut out, &serde_json::json!({ "platforms": doc }))
                .map_err(|e| e.to_string())
                .and_then(|()| writeln!(out).map_err(|e| e.to_string()))
        }
        ("pb", [one]) => out
            .write_all(&one.definition.encode_to_vec())
            .map_err(|e| e.to_string()),
        ("pb", _) => {
            return Err("--format pb writes one definition: pass one --platform".to_string());
        }
        (other, _) => return Err(format!("unknown --format {other:?}; use json or pb")),
    };
    written.map_err(|e| format!("cannot write output: {e}"))
}
