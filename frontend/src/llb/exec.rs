//! Exec ops: run a command with a root filesystem and mounts.

use std::sync::Arc;

use super::{Caps, Inputs, Node, OpMeta, Output, State, finish};
use crate::platform::Platform;
use crate::proto::pb;

/// Network mode of an exec (`pb.NetMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NetMode {
    /// BuildKit's sandbox network.
    #[default]
    Sandbox,
    /// The host's network (needs an entitlement).
    Host,
    /// No network.
    None,
}

#[derive(Debug, Clone)]
enum Kind {
    Bind,
    Cache { id: String, locked: bool },
    Tmpfs { size: i64 },
    Secret(pb::SecretOpt),
    Ssh(pb::SshOpt),
}

/// One mount of an exec.
#[derive(Debug, Clone)]
pub struct Mount {
    dest: String,
    kind: Kind,
    source: State,
    selector: String,
    readonly: bool,
    no_output: bool,
}

impl Mount {
    fn new(dest: &str, kind: Kind, source: State) -> Self {
        Mount {
            dest: dest.to_string(),
            kind,
            source,
            selector: String::new(),
            readonly: false,
            no_output: false,
        }
    }

    /// A writable layer whose result is an output of the exec.
    pub fn layer(dest: &str, source: &State) -> Self {
        Self::new(dest, Kind::Bind, source.clone())
    }

    /// A writable, initially empty directory whose result is an output.
    pub fn scratch_output(dest: &str) -> Self {
        Self::new(dest, Kind::Bind, State::scratch())
    }

    /// A read-only bind of `source`.
    pub fn readonly(dest: &str, source: &State) -> Self {
        Mount {
            readonly: true,
            ..Self::new(dest, Kind::Bind, source.clone())
        }
    }

    /// A persistent cache directory shared between builds by `id`, with
    /// sharing mode shared: many builds use it at once, which is safe for
    /// Go's caches.
    pub fn cache(dest: &str, id: &str) -> Self {
        Self::new(
            dest,
            Kind::Cache {
                id: id.to_string(),
                locked: false,
            },
            State::scratch(),
        )
    }

    /// A cache directory one build uses at a time (sharing mode locked:
    /// another build waits), for files that are rewritten in place.
    pub fn locked_cache(dest: &str, id: &str) -> Self {
        Self::new(
            dest,
            Kind::Cache {
                id: id.to_string(),
                locked: true,
            },
            State::scratch(),
        )
    }

    /// An in-memory filesystem (size 0 = BuildKit's default).
    pub fn tmpfs(dest: &str, size: i64) -> Self {
        Self::new(dest, Kind::Tmpfs { size }, State::scratch())
    }

    /// A secret file from the client's session (`--secret id=...`).
    pub fn secret(dest: &str, id: &str, uid: u32, gid: u32, mode: u32, optional: bool) -> Self {
        Self::new(
            dest,
            Kind::Secret(pb::SecretOpt {
                id: id.to_string(),
                uid,
                gid,
                mode,
                optional,
            }),
            State::scratch(),
        )
    }

    /// An SSH agent socket from the client's session (`--ssh id`).
    pub fn ssh(dest: &str, id: &str, uid: u32, gid: u32, mode: u32, optional: bool) -> Self {
        Self::new(
            dest,
            Kind::Ssh(pb::SshOpt {
                id: id.to_string(),
                uid,
                gid,
                mode,
                optional,
            }),
            State::scratch(),
        )
    }

    /// Mount only this path of the source.
    pub fn selector(mut self, path: &str) -> Self {
        self.selector = path.to_string();
        self
    }

    /// For a cache: the directory it starts from (e.g. one owned by a uid).
    /// BuildKit keys the cache by this base as well as by its id.
    pub fn base(mut self, base: &State) -> Self {
        self.source = base.clone();
        self
    }

    /// Writable, but its changes are thrown away (no output).
    pub fn discard_changes(mut self) -> Self {
        self.no_output = true;
        self
    }

    fn has_output(&self) -> bool {
        matches!(self.kind, Kind::Bind) && !self.readonly && !self.no_output
    }

    /// The mount as `pb.Mount`, with the op input and output indices it
    /// was given; adds the caps it uses.
    fn to_pb(&self, input: i64, output: i64, caps: &mut Caps) -> pb::Mount {
        if !self.selector.is_empty() {
            caps.add("exec.mount.selector");
        }
        let mut pm = pb::Mount {
            input,
            selector: self.selector.clone(),
            dest: self.dest.clone(),
            output,
            readonly: self.readonly,
            ..pb::Mount::default()
        };
        match &self.kind {
            Kind::Bind => {
                if input >= 0 {
                    caps.add("exec.mount.bind");
                }
                if self.no_output && !self.readonly {
                    caps.add("exec.mount.bind.readwrite-nooutput");
                }
            }
            Kind::Cache { id, locked } => {
                caps.add("exec.mount.cache");
                caps.add("exec.mount.cache.sharing");
                pm.set_mount_type(pb::MountType::Cache);
                let mut opt = pb::CacheOpt {
                    id: id.clone(),
                    ..pb::CacheOpt::default()
                };
                opt.set_sharing(if *locked {
                    pb::CacheSharingOpt::Locked
                } else {
                    pb::CacheSharingOpt::Shared
                });
                pm.cache_opt = Some(opt);
            }
            Kind::Tmpfs { size } => {
                caps.add("exec.mount.tmpfs");
                if *size > 0 {
                    caps.add("exec.mount.tmpfs.size");
                }
                pm.set_mount_type(pb::MountType::Tmpfs);
                pm.tmpfs_opt = Some(pb::TmpfsOpt { size: *size });
            }
            Kind::Secret(opt) => {
                caps.add("exec.mount.secret");
                pm.set_mount_type(pb::MountType::Secret);
                pm.secret_opt = Some(opt.clone());
            }
            Kind::Ssh(opt) => {
                caps.add("exec.mount.ssh");
                pm.set_mount_type(pb::MountType::Ssh);
                pm.ssh_opt = Some(opt.clone());
            }
        }
        pm
    }
}

/// A command to run.
#[derive(Debug, Clone)]
pub struct Exec {
    args: Vec<String>,
    env: Vec<String>,
    cwd: String,
    user: String,
    network: NetMode,
    proxy_env: Option<pb::ProxyEnv>,
    mounts: Vec<Mount>,
    platform: Platform,
}

/// The outputs of a marshalled exec, found by mount destination.
#[derive(Debug, Clone)]
pub struct ExecOutputs {
    node: Arc<Node>,
    outputs: Vec<(String, i64)>,
}

impl ExecOutputs {
    /// The state a writable mount at `dest` ends in, if that mount has an output.
    pub fn output(&self, dest: &str) -> Option<State> {
        self.outputs
            .iter()
            .find(|(d, _)| d == dest)
            .map(|(_, index)| State {
                output: Some(Output {
                    node: self.node.clone(),
                    index: *index,
                }),
            })
    }
}

impl Exec {
    /// Runs `args` (an argv vector, never a shell string) on `platform`.
    pub fn new(args: Vec<String>, platform: &Platform) -> Self {
        Exec {
            args,
            env: Vec::new(),
            cwd: "/".to_string(),
            user: String::new(),
            network: NetMode::Sandbox,
            proxy_env: None,
            mounts: Vec::new(),
            platform: platform.clone(),
        }
    }

    /// The full environment, `KEY=value` entries, in the order given.
    pub fn env(mut self, env: Vec<String>) -> Self {
        self.env = env;
        self
    }

    /// Working directory.
    pub fn cwd(mut self, cwd: &str) -> Self {
        self.cwd = cwd.to_string();
        self
    }

    /// User to run as (empty: the root mount's default).
    pub fn user(mut self, user: &str) -> Self {
        self.user = user.to_string();
        self
    }

    /// Network mode.
    pub fn network(mut self, network: NetMode) -> Self {
        self.network = network;
        self
    }

    /// Proxy variables that BuildKit passes in without putting them into the
    /// cache key (what the Dockerfile frontend does with `HTTP_PROXY` args).
    pub fn proxy_env(mut self, proxy: Option<pb::ProxyEnv>) -> Self {
        self.proxy_env = proxy;
        self
    }

    /// Adds a mount.
    pub fn mount(mut self, mount: Mount) -> Self {
        self.mounts.push(mount);
        self
    }

    /// Marshals the op. Mounts are sorted by destination first, and output
    /// indices are given in that order, as BuildKit's own client does.
    pub fn run(mut self, meta: &OpMeta) -> ExecOutputs {
        self.mounts.sort_by(|a, b| a.dest.cmp(&b.dest));
        let mut caps = self.meta_caps();
        let mut inputs = Inputs::default();
        let mut pb_mounts = Vec::with_capacity(self.mounts.len());
        let mut outputs = Vec::new();
        for m in &self.mounts {
            let output = if m.has_output() {
                let index = outputs.len() as i64;
                outputs.push((m.dest.clone(), index));
                index
            } else {
                -1
            };
            pb_mounts.push(m.to_pb(inputs.index(&m.source), output, &mut caps));
        }
        let mut exec = pb::ExecOp {
            meta: Some(pb::Meta {
                args: self.args,
                env: self.env,
                cwd: self.cwd,
                user: self.user,
                proxy_env: self.proxy_env,
                // What Go's client always sets: stubs for mount points that
                // did not exist are removed again after the run.
                remove_mount_stubs_recursive: true,
                ..pb::Meta::default()
            }),
            mounts: pb_mounts,
            ..pb::ExecOp::default()
        };
        exec.set_network(match self.network {
            NetMode::Sandbox => pb::NetMode::Unset,
            NetMode::Host => pb::NetMode::Host,
            NetMode::None => pb::NetMode::None,
        });
        let (input_list, nodes) = inputs.into_parts();
        let op = pb::Op {
            inputs: input_list,
            op: Some(pb::op::Op::Exec(exec)),
            ..pb::Op::default()
        };
        let node = Arc::new(finish(op, nodes, Some(&self.platform), caps, meta));
        ExecOutputs { node, outputs }
    }

    /// The caps of the exec's own settings (the mounts add theirs).
    fn meta_caps(&self) -> Caps {
        let mut caps = Caps::default();
        caps.add("exec.meta.base");
        if self.network != NetMode::Sandbox {
            caps.add("exec.meta.network");
        }
        if self.proxy_env.is_some() {
            caps.add("exec.meta.proxyenv");
        }
        caps
    }
}
