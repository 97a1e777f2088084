//! The OCI image config of the runtime image, derived from the base image's
//! config and the plan.

use serde_json::{Map, Value, json};

use crate::platform::Platform;

/// Default PATH for Linux images, as Docker and BuildKit use it.
pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// The parts of an image config gofront reads.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImageConfig {
    /// The whole config JSON, kept to inherit fields gofront does not touch.
    pub raw: Value,
    /// The digest the reference resolved to, when the engine knows one (a
    /// local image on Docker's classic store has none).
    pub digest: Option<String>,
}

impl ImageConfig {
    /// Parses the config JSON BuildKit returns from `ResolveImageConfig`.
    pub fn from_json(bytes: &[u8]) -> Result<Self, serde_json::Error> {
        let raw: Value = serde_json::from_slice(bytes)?;
        Ok(ImageConfig { raw, digest: None })
    }

    fn config_field(&self, key: &str) -> Option<&Value> {
        self.raw.get("config").and_then(|c| c.get(key))
    }

    /// `config.Env`.
    pub fn env(&self) -> Vec<String> {
        string_list(self.config_field("Env"))
    }

    /// One variable of `config.Env`.
    pub fn env_var(&self, name: &str) -> Option<String> {
        self.env().into_iter().find_map(|kv| {
            kv.split_once('=')
                .filter(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        })
    }

    /// `config.User` (empty when unset).
    pub fn user(&self) -> String {
        self.config_field("User")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    }

    /// `config.WorkingDir` (empty when unset).
    pub fn workdir(&self) -> String {
        self.config_field("WorkingDir")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    }
}

fn string_list(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Overlays `KEY=value` pairs onto an environment list: existing keys are
/// replaced in place, new ones appended in the order given.
pub fn overlay_env<'a>(
    base: &[String],
    ours: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Vec<String> {
    let mut out: Vec<String> = base.to_vec();
    for (k, v) in ours {
        let entry = format!("{k}={v}");
        match out
            .iter_mut()
            .find(|e| e.split_once('=').map_or(e.as_str(), |(ek, _)| ek) == k)
        {
            Some(slot) => *slot = entry,
            None => out.push(entry),
        }
    }
    out
}

/// Everything the runtime image config says, resolved.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RuntimeConfig {
    /// Environment.
    pub env: Vec<String>,
    /// Entrypoint.
    pub entrypoint: Vec<String>,
    /// Cmd (`None`: unset).
    pub cmd: Option<Vec<String>>,
    /// User.
    pub user: String,
    /// Working directory.
    pub workdir: String,
    /// Labels.
    pub labels: Vec<(String, String)>,
    /// Exposed ports, `port/proto`.
    pub expose: Vec<String>,
    /// The history line for gofront's layer.
    pub created_by: String,
    /// The history lines of the layers under the binaries' (files and
    /// directories), in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub layers_created_by: Vec<String>,
    /// Volumes gofront adds to the base's.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub volumes: Vec<String>,
    /// The healthcheck, replacing the base's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<Healthcheck>,
    /// The stop signal, replacing the base's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop_signal: Option<String>,
}

/// The image config's `Healthcheck`, as Docker writes it (moby's
/// `HealthcheckConfig`: durations in nanoseconds, zero left out, meaning
/// Docker's default).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Healthcheck {
    /// `["CMD", argv...]`, `["CMD-SHELL", command]` or `["NONE"]`.
    pub test: Vec<String>,
    /// Between checks.
    pub interval: u64,
    /// How long one check may take.
    pub timeout: u64,
    /// How long the container may take to start.
    pub start_period: u64,
    /// Between checks in the start period.
    pub start_interval: u64,
    /// Failures in a row that make the container unhealthy.
    pub retries: u32,
}

impl Healthcheck {
    /// As the image config holds it: `Test`, and each other field when
    /// it is not zero (Go's `omitempty`).
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("Test".into(), json!(self.test));
        for (k, v) in [
            ("Interval", self.interval),
            ("Timeout", self.timeout),
            ("StartPeriod", self.start_period),
            ("StartInterval", self.start_interval),
        ] {
            if v != 0 {
                m.insert(k.into(), json!(v));
            }
        }
        if self.retries != 0 {
            m.insert("Retries".into(), json!(self.retries));
        }
        Value::Object(m)
    }
}

/// Builds the final config JSON: the base's config (or an empty one for
/// scratch) with gofront's settings, platform, `created` and one history
/// entry for the layer gofront adds. BuildKit's exporter fills in the
/// layer digests.
pub fn runtime_image_config(
    base: Option<&ImageConfig>,
    platform: &Platform,
    rc: &RuntimeConfig,
    created: &str,
) -> Value {
    let mut img = base
        .map(|b| b.raw.clone())
        .filter(Value::is_object)
        .unwrap_or_else(|| json!({}));
    let Some(obj) = img.as_object_mut() else {
        return img;
    };
    obj.insert("architecture".into(), json!(platform.architecture));
    obj.insert("os".into(), json!(platform.os));
    if platform.variant.is_empty() {
        obj.remove("variant");
    } else {
        obj.insert("variant".into(), json!(platform.variant));
    }
    obj.insert("created".into(), json!(created));
    let config = obj.entry("config").or_insert_with(|| json!({}));
    if !config.is_object() {
        *config = json!({});
    }
    if let Some(c) = config.as_object_mut() {
        c.insert("Env".into(), json!(rc.env));
        c.insert("Entrypoint".into(), json!(rc.entrypoint));
        match &rc.cmd {
            Some(cmd) => c.insert("Cmd".into(), json!(cmd)),
            None => c.remove("Cmd"),
        };
        c.insert("User".into(), json!(rc.user));
        c.insert("WorkingDir".into(), json!(rc.workdir));
        let mut labels = c
            .get("Labels")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        for (k, v) in &rc.labels {
            labels.insert(k.clone(), json!(v));
        }
        if labels.is_empty() {
            c.remove("Labels");
        } else {
            c.insert("Labels".into(), Value::Object(labels));
        }
        let mut ports = c
            .get("ExposedPorts")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        for p in &rc.expose {
            ports.insert(p.clone(), json!({}));
        }
        if ports.is_empty() {
            c.remove("ExposedPorts");
        } else {
            c.insert("ExposedPorts".into(), Value::Object(ports));
        }
        if !rc.volumes.is_empty() {
            let mut volumes = c
                .get("Volumes")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            for v in &rc.volumes {
                volumes.insert(v.clone(), json!({}));
            }
            c.insert("Volumes".into(), Value::Object(volumes));
        }
        if let Some(h) = &rc.healthcheck {
            c.insert("Healthcheck".into(), h.to_json());
        }
        if let Some(s) = &rc.stop_signal {
            c.insert("StopSignal".into(), json!(s));
        }
    }
    if !obj.get("rootfs").is_some_and(Value::is_object) {
        obj.insert("rootfs".into(), json!({ "type": "layers", "diff_ids": [] }));
    }
    let history = obj.entry("history").or_insert_with(|| json!([]));
    if !history.is_array() {
        *history = json!([]);
    }
    if let Some(h) = history.as_array_mut() {
        // One entry a layer, in the order the layers are stacked.
        for line in rc.layers_created_by.iter().chain([&rc.created_by]) {
            let mut entry = Map::new();
            entry.insert("created".into(), json!(created));
            entry.insert("created_by".into(), json!(line));
            entry.insert("comment".into(), json!("gofront"));
            h.push(Value::Object(entry));
        }
    }
    img
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlays_env_in_place() {
        let base = vec!["PATH=/bin".to_string(), "A=1".to_string()];
        assert_eq!(
            overlay_env(&base, [("A", "2"), ("B", "3")]),
            vec!["PATH=/bin", "A=2", "B=3"]
        );
    }

    #[test]
    fn inherits_base_and_appends_history() {
        let base = ImageConfig::from_json(
            br#"{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/x"],"Labels":{"a":"1"},"StopSignal":"SIGTERM"},
                "rootfs":{"type":"layers","diff_ids":["sha256:aa"]},"history":[{"created_by":"base"}]}"#,
        )
        .unwrap();
        let rc = RuntimeConfig {
            env: vec!["PATH=/x".into()],
            entrypoint: vec!["/app".into()],
            cmd: None,
            user: "65532:65532".into(),
            workdir: "/".into(),
            labels: vec![("b".into(), "2".into())],
            expose: vec!["8080/tcp".into()],
            created_by: "gofront: copy app".into(),
            layers_created_by: Vec::new(),
            volumes: Vec::new(),
            healthcheck: None,
            stop_signal: None,
        };
        let img = runtime_image_config(
            Some(&base),
            &Platform::linux_amd64(),
            &rc,
            "2023-11-14T22:13:20Z",
        );
        assert_eq!(img["config"]["StopSignal"], "SIGTERM");
        assert_eq!(img["config"]["Labels"], json!({"a":"1","b":"2"}));
        assert_eq!(img["config"]["ExposedPorts"], json!({"8080/tcp":{}}));
        assert_eq!(img["rootfs"]["diff_ids"][0], "sha256:aa");
        assert_eq!(img["history"].as_array().unwrap().len(), 2);
        assert_eq!(img["history"][1]["created"], "2023-11-14T22:13:20Z");
        assert!(img["config"].get("Cmd").is_none());
    }
}
