//! The checks of the runtime image's settings: its healthcheck (Docker's
//! forms, Go durations), stop signal, volumes, and where the binaries go.
//! The keys' setters (in `keys`) call them; the files' and directories'
//! checks, which these share, are in `image_checks`.

use super::image_checks::without_slash;
use super::node::{Node, Value};
use super::schema::{Checker, suggestion};
use super::{Field, FieldMap, HealthcheckSpec, duration};

/// The keys of `runtime.healthcheck`.
const HEALTH_KEYS: &[&str] = &[
    "test",
    "interval",
    "timeout",
    "start_period",
    "start_interval",
    "retries",
];

/// Linux's signal names without `SIG`, as Docker reads a stop signal
/// (moby/sys/signal's `SignalMap`); `RTMIN+n` and `RTMAX-n` are checked
/// apart.
const SIGNALS: &[&str] = &[
    "ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL", "INT", "IO", "IOT", "KILL",
    "PIPE", "POLL", "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM", "TRAP", "TSTP",
    "TTIN", "TTOU", "URG", "USR1", "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ", "RTMIN", "RTMAX",
];

impl Checker<'_> {
    /// A duration of the healthcheck: Go's syntax, 0 or at least 1ms (as
    /// Docker takes them).
    fn duration(&mut self, node: &Node, at: &str) -> Option<Field<u64>> {
        let f = self.entry_string(node, at)?;
        let why = match duration::parse(&f.value) {
            Ok(ns) if ns == 0 || ns >= 1_000_000 => {
                return Some(Field {
                    value: ns,
                    origin: f.origin,
                });
            }
            Ok(_) => "Docker takes 0 (the default) or at least 1ms".to_string(),
            Err(duration::DurationError::Negative) => "it must not be negative".to_string(),
            Err(duration::DurationError::MissingUnit) => {
                "a number needs its unit (ns, us, ms, s, m, h)".to_string()
            }
            Err(duration::DurationError::TooLong) => {
                "that is longer than a Go duration holds (about 292 years)".to_string()
            }
            Err(duration::DurationError::Invalid) => {
                "write it as Go does, such as \"30s\", \"1m30s\" or \"500ms\"".to_string()
            }
        };
        let message = format!("{at} {:?} is not a duration Docker takes: {why}", f.value);
        self.problem_at(&f.origin, at, message);
        None
    }

    /// `runtime.healthcheck`: `{ test, interval, timeout, start_period,
    /// start_interval, retries }`; `test` as Docker's `Test`, or an argv
    /// (run without a shell), or a string (run by the image's shell).
    pub(super) fn healthcheck(&mut self, node: &Node) -> Option<Field<HealthcheckSpec>> {
        let at = self.key.clone();
        let e = self.entry(node, &at, HEALTH_KEYS)?;
        let test_at = format!("{at}.test");
        let test = match e.get("test") {
            None => {
                let message = format!(
                    "{at} needs test: the command that checks the container, such as [\"/usr/local/bin/app\", \"-health\"]"
                );
                self.problem_at(&node.origin, &at, message);
                None
            }
            Some(t) => self.health_test(t, &test_at),
        };
        let mut durations = Vec::new();
        let mut ok = true;
        for name in ["interval", "timeout", "start_period", "start_interval"] {
            durations.push(match e.get(name) {
                Some(d) => {
                    let got = self.duration(d, &format!("{at}.{name}"));
                    ok &= got.is_some();
                    got
                }
                None => None,
            });
        }
        let retries = match e.get("retries") {
            None => None,
            Some(r) => match &r.value {
                Value::Int(n) if (0..=i64::from(i32::MAX)).contains(n) => Some(Field {
                    value: u32::try_from(*n).unwrap_or(0),
                    origin: r.origin.clone(),
                }),
                other => {
                    let what = match other {
                        Value::Int(n) => format!("{n}"),
                        v => v.type_name().to_string(),
                    };
                    let message = format!(
                        "{at}.retries must be a whole number from 0 (Docker's default, 3) up, not {what}"
                    );
                    self.problem_at(&r.origin, &format!("{at}.retries"), message);
                    ok = false;
                    None
                }
            },
        };
        let test = test?;
        if test.value.first().map(String::as_str) == Some("NONE")
            && let Some((k, _)) = e.fields.iter().find(|(k, _)| k.name != "test")
        {
            let message = format!(
                "{at}.{} has no effect: test = [\"NONE\"] turns the base's healthcheck off",
                k.name
            );
            self.problem_at(&k.origin, &format!("{at}.{}", k.name), message);
            return None;
        }
        if !ok {
            return None;
        }
        let mut durations = durations.into_iter();
        let mut next = || durations.next().flatten();
        Some(Field {
            value: HealthcheckSpec {
                test,
                interval: next(),
                timeout: next(),
                start_period: next(),
                start_interval: next(),
                retries,
            },
            origin: node.origin.clone(),
        })
    }

    /// A healthcheck's test, as Docker's `Test` holds it.
    fn health_test(&mut self, node: &Node, at: &str) -> Option<Field<Vec<String>>> {
        let field = |value: Vec<String>| {
            Some(Field {
                value,
                origin: node.origin.clone(),
            })
        };
        let items = match &node.value {
            Value::Str(s) if s.trim().is_empty() => {
                let message = format!("{at} is empty; name the command that checks the container");
                self.problem_at(&node.origin, at, message);
                return None;
            }
            Value::Str(s) if s == "NONE" => return field(vec!["NONE".into()]),
            Value::Str(s) => return field(vec!["CMD-SHELL".into(), s.clone()]),
            Value::Array(_) => {
                let saved = std::mem::replace(&mut self.key, at.to_string());
                let list = self.list(node, false);
                self.key = saved;
                list?.value
            }
            other => {
                let message = format!(
                    "{at} must be an array of strings (run without a shell) or a string (run by the image's shell), not {}",
                    other.type_name()
                );
                self.problem_at(&node.origin, at, message);
                return None;
            }
        };
        let bad = match items.first().map(String::as_str) {
            None => Some("is empty; name the command that checks the container".to_string()),
            Some("NONE") if items.len() > 1 => Some("[\"NONE\"] takes nothing after it".into()),
            Some("NONE") => None,
            Some("CMD") if items.len() < 2 => {
                Some("[\"CMD\"] needs the program to run after it".into())
            }
            Some("CMD-SHELL") if items.len() != 2 => {
                Some("[\"CMD-SHELL\", COMMAND] takes one command string".into())
            }
            Some("CMD" | "CMD-SHELL") => None,
            Some(p) if p.trim().is_empty() => {
                Some("starts with an empty program name; name the program to run".into())
            }
            Some(_) => None,
        };
        if let Some(why) = bad {
            self.problem_at(&node.origin, at, format!("{at} {why}"));
            return None;
        }
        match items.first().map(String::as_str) {
            Some("NONE" | "CMD" | "CMD-SHELL") => field(items),
            _ => field(std::iter::once("CMD".to_string()).chain(items).collect()),
        }
    }

    /// A stop signal as Docker takes it: a name with or without `SIG`
    /// (any case) or a number; kept as `SIGNAME` or the number.
    pub(super) fn stop_signal(&mut self, f: Field<String>) -> Option<Field<String>> {
        let v = f.value.as_str();
        let canonical = if v.bytes().all(|b| b.is_ascii_digit()) && !v.is_empty() {
            v.parse::<u32>()
                .ok()
                .filter(|n| (1..=64).contains(n))
                .map(|n| n.to_string())
        } else {
            let upper = v.to_ascii_uppercase();
            let name = upper.strip_prefix("SIG").unwrap_or(&upper);
            // RTMIN+1 to RTMIN+15 and RTMAX-14 to RTMAX-1, spelt exactly.
            let realtime = (1..=15).any(|n| name == format!("RTMIN+{n}"))
                || (1..=14).any(|n| name == format!("RTMAX-{n}"));
            (SIGNALS.contains(&name) || realtime).then(|| format!("SIG{name}"))
        };
        match canonical {
            Some(value) => Some(Field {
                value,
                origin: f.origin,
            }),
            None => {
                let names = SIGNALS
                    .iter()
                    .map(|s| format!("SIG{s}"))
                    .collect::<Vec<_>>();
                let upper = v.to_ascii_uppercase();
                let hint = suggestion(&upper, names.iter().map(String::as_str));
                let message = format!(
                    "{} {:?} is not a signal: name one such as \"SIGTERM\" or \"SIGINT\", or give its number (1 to 64){hint}",
                    self.key, f.value
                );
                self.problem(&f.origin, message);
                None
            }
        }
    }

    /// Volumes: absolute paths, each once (a trailing `/` dropped).
    pub(super) fn volumes(&mut self, f: Field<Vec<String>>) -> Option<Field<Vec<String>>> {
        let mut out: Vec<String> = Vec::new();
        let at = self.key.clone();
        for v in &f.value {
            let path = self.image_path(
                Field {
                    value: without_slash(v),
                    origin: f.origin.clone(),
                },
                &at,
                false,
                "/var/lib/app",
            )?;
            if path.value == "/" {
                let message =
                    format!("{at} lists \"/\": a volume over the whole root hides the image");
                self.problem(&f.origin, message);
                return None;
            }
            if out.contains(&path.value) {
                let message = format!("{at} lists {:?} twice", path.value);
                self.problem(&f.origin, message);
                return None;
            }
            out.push(path.value);
        }
        Some(Field {
            value: out,
            origin: f.origin,
        })
    }

    /// A directory of the image (`runtime.bindir`), without a trailing `/`.
    pub(super) fn image_dir(&mut self, f: Field<String>) -> Option<Field<String>> {
        let at = self.key.clone();
        self.image_path(
            Field {
                value: without_slash(&f.value),
                origin: f.origin,
            },
            &at,
            false,
            "/usr/local/bin",
        )
    }

    /// `runtime.binaries`: binary name to its absolute path.
    pub(super) fn binary_paths(&mut self, m: FieldMap) -> FieldMap {
        let mut out = FieldMap::new();
        for (name, field) in m {
            let at = format!("{}.{name}", self.key);
            if name.is_empty() || name.contains('/') || name == "." || name == ".." {
                let message = format!("{at}: {name:?} is not a binary's name");
                self.problem_at(&field.origin, &at, message);
                continue;
            }
            let Some(path) = self.image_path(field, &at, false, &format!("/{name}")) else {
                continue;
            };
            if path.value == "/" {
                let message = format!(
                    "{at} must name the binary's own path, such as \"/{name}\", not the image's root"
                );
                self.problem_at(&path.origin, &at, message);
                continue;
            }
            out.insert(name, path);
        }
        out
    }
}
