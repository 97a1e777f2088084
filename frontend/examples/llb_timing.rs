//! Times gofront's LLB generation in-process (parse → plan → lower →
//! marshal) for every example, without process start-up or an engine:
//!
//!     cargo run --release -p gofront --example llb_timing [ITERATIONS]
//!
//! Prints one line per example with the median and the fastest iteration.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use gofront::{LocalHost, Options, generate, lower_all};

fn main() -> Result<(), String> {
    let iterations: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse().map_err(|e| format!("bad iteration count: {e}")))
        .transpose()?
        .unwrap_or(2000);
    let examples = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|e| e.to_string())?;
    let options = Options::parse([
        ("filename", "gofront.toml"),
        ("context:goproxy", "local:goproxy"),
    ])
    .map_err(|e| e.to_string())?;
    let mut out = String::new();
    for name in ["hello", "withdep", "multi", "workspace"] {
        let dir = examples.join(name);
        let mut times: Vec<Duration> = Vec::with_capacity(iterations);
        for _ in 0..iterations {
            let host = LocalHost {
                context: dir.clone(),
                spec: dir.join("gofront.toml"),
                merge: true,
            };
            let t = Instant::now();
            let report = rt
                .block_on(generate(&host, &options))
                .map_err(|f| format!("{name}: {}", f.error))?;
            let generated = lower_all(&report).map_err(|e| format!("{name}: {e}"))?;
            times.push(t.elapsed());
            std::hint::black_box(generated);
        }
        times.sort();
        out.push_str(&format!(
            "{name:<10} median {:>7.1} µs   min {:>7.1} µs   ({iterations} runs, includes reading the spec and go.mod from disk)\n",
            times[times.len() / 2].as_secs_f64() * 1e6,
            times[0].as_secs_f64() * 1e6,
        ));
    }
    eprint!("{out}");
    Ok(())
}
