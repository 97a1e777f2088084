//! A readable JSON rendering of a `Definition`, in the spirit of
//! `buildctl debug dump-llb`: one entry per op, in definition order, with its
//! digest, inputs, decoded op and metadata. Used by `gofront llb` and the
//! golden tests.

use prost::Message;
use serde_json::{Map, Value, json};

use super::digest_of;
use crate::proto::pb;

/// Decodes every op of `def` into readable JSON. Ops that fail to decode
/// are shown as such rather than hidden.
pub fn debug_json(def: &pb::Definition) -> Value {
    let ops: Vec<Value> = def
        .def
        .iter()
        .map(|bytes| {
            let digest = digest_of(bytes);
            let mut entry = Map::new();
            entry.insert("digest".into(), json!(digest));
            match pb::Op::decode(bytes.as_slice()) {
                Ok(op) => render_op(&op, &mut entry),
                Err(e) => {
                    entry.insert("error".into(), json!(e.to_string()));
                }
            }
            if let Some(md) = def.metadata.get(&digest) {
                if let Some(name) = md.description.get("llb.customname") {
                    entry.insert("name".into(), json!(name));
                }
                if md.ignore_cache {
                    entry.insert("ignore_cache".into(), json!(true));
                }
                let caps: Vec<&String> = md.caps.keys().collect();
                entry.insert("caps".into(), json!(caps));
            }
            if let Some(src) = &def.source
                && let Some(locs) = src.locations.get(&digest)
            {
                let lines: Vec<String> = locs
                    .locations
                    .iter()
                    .flat_map(|l| &l.ranges)
                    .map(|r| {
                        let line = |p: &Option<pb::Position>| p.as_ref().map_or(0, |p| p.line);
                        format!("{}-{}", line(&r.start), line(&r.end))
                    })
                    .collect();
                entry.insert("source_lines".into(), json!(lines));
            }
            Value::Object(entry)
        })
        .collect();
    json!({ "ops": ops })
}

fn render_op(op: &pb::Op, entry: &mut Map<String, Value>) {
    let inputs: Vec<String> = op
        .inputs
        .iter()
        .map(|i| format!("{}[{}]", i.digest, i.index))
        .collect();
    entry.insert("inputs".into(), json!(inputs));
    if let Some(p) = &op.platform {
        let mut s = format!("{}/{}", p.os, p.architecture);
        if !p.variant.is_empty() {
            s.push('/');
            s.push_str(&p.variant);
        }
        entry.insert("platform".into(), json!(s));
    }
    let body = match &op.op {
        None => json!({ "terminal": true }),
        Some(pb::op::Op::Source(s)) => {
            json!({ "source": { "identifier": s.identifier, "attrs": s.attrs } })
        }
        Some(pb::op::Op::Exec(e)) => json!({ "exec": render_exec(e) }),
        Some(pb::op::Op::File(f)) => {
            json!({ "file": f.actions.iter().map(render_action).collect::<Vec<_>>() })
        }
        Some(pb::op::Op::Merge(m)) => {
            json!({ "merge": m.inputs.iter().map(|i| i.input).collect::<Vec<_>>() })
        }
        Some(_) => json!({ "other": true }),
    };
    if let Value::Object(m) = body {
        entry.extend(m);
    }
}

fn render_exec(e: &pb::ExecOp) -> Value {
    let meta = e.meta.clone().unwrap_or_default();
    let mounts: Vec<Value> = e
        .mounts
        .iter()
        .map(|m| {
            let mut o = Map::new();
            o.insert("dest".into(), json!(m.dest));
            o.insert(
                "type".into(),
                json!(m.mount_type().as_str_name().to_ascii_lowercase()),
            );
            o.insert("input".into(), json!(m.input));
            if !m.selector.is_empty() {
                o.insert("selector".into(), json!(m.selector));
            }
            if m.readonly {
                o.insert("readonly".into(), json!(true));
            }
            o.insert("output".into(), json!(m.output));
            if let Some(c) = &m.cache_opt {
                o.insert("cache_id".into(), json!(c.id));
                o.insert(
                    "sharing".into(),
                    json!(c.sharing().as_str_name().to_ascii_lowercase()),
                );
            }
            if let Some(s) = &m.secret_opt {
                o.insert("secret_id".into(), json!(s.id));
            }
            if let Some(s) = &m.ssh_opt {
                o.insert("ssh_id".into(), json!(s.id));
            }
            Value::Object(o)
        })
        .collect();
    let mut out = json!({
        "args": meta.args,
        "env": meta.env,
        "cwd": meta.cwd,
        "network": e.network().as_str_name().to_ascii_lowercase(),
        "mounts": mounts,
    });
    if !meta.user.is_empty() {
        out["user"] = json!(meta.user);
    }
    if meta.proxy_env.is_some() {
        out["proxy_env"] = json!(true);
    }
    out
}

fn render_action(a: &pb::FileAction) -> Value {
    let owner = |o: &Option<pb::ChownOpt>| -> Value {
        let user = |u: &Option<pb::UserOpt>| match u.as_ref().and_then(|u| u.user.as_ref()) {
            Some(pb::user_opt::User::ById(id)) => json!(id),
            Some(pb::user_opt::User::ByName(n)) => {
                json!(format!("{} (from input {})", n.name, n.input))
            }
            None => Value::Null,
        };
        match o {
            Some(c) => json!({ "user": user(&c.user), "group": user(&c.group) }),
            None => Value::Null,
        }
    };
    let body = match &a.action {
        Some(pb::file_action::Action::Mkdir(m)) => json!({
            "mkdir": { "path": m.path, "mode": format!("{:o}", m.mode), "parents": m.make_parents, "owner": owner(&m.owner) }
        }),
        Some(pb::file_action::Action::Mkfile(m)) => json!({
            "mkfile": { "path": m.path, "mode": format!("{:o}", m.mode), "data": String::from_utf8_lossy(&m.data), "owner": owner(&m.owner) }
        }),
        Some(pb::file_action::Action::Copy(c)) => json!({
            "copy": { "src": c.src, "dest": c.dest, "owner": owner(&c.owner), "create_dest_path": c.create_dest_path }
        }),
        Some(_) => json!({ "other": true }),
        None => Value::Null,
    };
    json!({ "input": a.input, "secondary_input": a.secondary_input, "output": a.output, "action": body })
}
