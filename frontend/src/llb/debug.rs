//! A readable JSON rendering of a `Definition`, in the spirit of
//! `buildctl debug dump-llb`: one entry per op, in definition order, with
//! its digest, the whole decoded op, its whole metadata and its source
//! locations. Used by `gofront llb` and the golden tests.
//!
//! Every field is rendered: the ops and metadata are the protobuf types
//! themselves through serde (derived in `build.rs`), so a field gofront
//! starts to set, or a value it changes, shows up in the golden diffs; the
//! tests (here and in `tests/golden.rs`) read the rendering back into the
//! same values. Enums are
//! written by name, modes in octal, UTF-8 bytes as text
//! (`proto::pb_serde`).

use prost::Message;
use serde::Serialize;
use serde_json::Value;

use super::digest_of;
use crate::proto::pb;

/// One op of a definition as rendered.
#[derive(Serialize)]
struct OpEntry<'a> {
    /// The op's digest (of its marshalled bytes).
    digest: String,
    /// The decoded op, or why it did not decode.
    #[serde(flatten)]
    op: Decoded,
    /// `Definition.metadata` for this digest.
    metadata: Option<&'a pb::OpMetadata>,
    /// `Definition.source.locations` for this digest.
    source_locations: Option<&'a pb::Locations>,
}

#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
enum Decoded {
    Op(Box<pb::Op>),
    DecodeError(String),
}

/// The rendered definition.
#[derive(Serialize)]
struct Rendered<'a> {
    ops: Vec<OpEntry<'a>>,
    /// `Definition.source.infos`: the files the locations point into.
    source_infos: Option<&'a [pb::SourceInfo]>,
}

/// Renders every op of `def` as JSON. An op that fails to decode is shown
/// as such rather than hidden.
pub fn debug_json(def: &pb::Definition) -> Result<Value, serde_json::Error> {
    let ops = def
        .def
        .iter()
        .map(|bytes| {
            let digest = digest_of(bytes);
            let op = match pb::Op::decode(bytes.as_slice()) {
                Ok(op) => Decoded::Op(Box::new(op)),
                Err(e) => Decoded::DecodeError(e.to_string()),
            };
            OpEntry {
                metadata: def.metadata.get(&digest),
                source_locations: def.source.as_ref().and_then(|s| s.locations.get(&digest)),
                digest,
                op,
            }
        })
        .collect();
    serde_json::to_value(Rendered {
        ops,
        source_infos: def.source.as_ref().map(|s| s.infos.as_slice()),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::llb::{FileOp, OpMeta, State};
    use crate::platform::Platform;

    fn copy_definition(flip: impl FnOnce(&mut pb::FileActionCopy)) -> pb::Definition {
        let from = State::scratch();
        let st = FileOp::on(&State::scratch(), &Platform::linux_amd64())
            .copy(&from, "/out", "/usr/local/bin", None)
            .build(&OpMeta::default());
        let mut def = st.marshal(None);
        // Change one field of the copy action, as a code change would.
        let (i, mut op) = def
            .def
            .iter()
            .enumerate()
            .find_map(|(i, b)| {
                let op = pb::Op::decode(b.as_slice()).unwrap();
                matches!(op.op, Some(pb::op::Op::File(_))).then_some((i, op))
            })
            .unwrap();
        let Some(pb::op::Op::File(f)) = &mut op.op else {
            unreachable!()
        };
        let Some(pb::file_action::Action::Copy(c)) = &mut f.actions[0].action else {
            panic!("not a copy")
        };
        flip(c);
        def.def[i] = op.encode_to_vec();
        def
    }

    /// The issue this rendering fixes: flipping one flag of a copy changed
    /// only digests in the old snapshots; now the field itself shows.
    #[test]
    fn one_flipped_copy_flag_shows_as_that_field() {
        let text =
            |d: &pb::Definition| serde_json::to_string_pretty(&debug_json(d).unwrap()).unwrap();
        let before = text(&copy_definition(|_| {}));
        for (field, flip) in [
            (
                "\"dir_copy_contents\": true",
                (|c: &mut pb::FileActionCopy| c.dir_copy_contents = !c.dir_copy_contents)
                    as fn(&mut pb::FileActionCopy),
            ),
            ("\"mode\": \"0o755\"", |c| c.mode = 0o755),
            ("\"follow_symlink\": true", |c| {
                c.follow_symlink = !c.follow_symlink
            }),
        ] {
            let after = text(&copy_definition(flip));
            assert!(after.contains(field), "{field} not in {after}");
            assert!(!before.contains(field), "{field} already in {before}");
        }
    }

    /// Renders `def` and reads every op and its metadata back: nothing is
    /// left out if the values come back the same.
    fn assert_round_trips(def: &pb::Definition) {
        let doc = debug_json(def).unwrap();
        let ops = doc["ops"].as_array().unwrap();
        assert_eq!(ops.len(), def.def.len());
        for (bytes, entry) in def.def.iter().zip(ops) {
            let op: pb::Op = serde_json::from_value(entry["op"].clone()).unwrap();
            let decoded = pb::Op::decode(bytes.as_slice()).unwrap();
            assert_eq!(op, decoded, "op {}", entry["digest"]);
            let digest = digest_of(bytes);
            let md: Option<pb::OpMetadata> =
                serde_json::from_value(entry["metadata"].clone()).unwrap();
            assert_eq!(md.as_ref(), def.metadata.get(&digest));
            let locs: Option<pb::Locations> =
                serde_json::from_value(entry["source_locations"].clone()).unwrap();
            assert_eq!(
                locs.as_ref(),
                def.source.as_ref().and_then(|s| s.locations.get(&digest))
            );
        }
        let infos: Option<Vec<pb::SourceInfo>> =
            serde_json::from_value(doc["source_infos"].clone()).unwrap();
        assert_eq!(infos, def.source.as_ref().map(|s| s.infos.clone()));
    }

    #[test]
    fn the_rendering_reads_back_into_the_same_bytes() {
        assert_round_trips(&copy_definition(|c| {
            c.mode = 0o640;
            c.dir_copy_contents = true;
        }));
        assert_round_trips(&copy_definition(|c| c.mode = -1));
    }

    /// The serde forms that are not plain values read back too: an enum
    /// value the enum does not know (its number), bytes that are not UTF-8
    /// (a list of numbers), a mode with no octal form (-1).
    #[test]
    fn odd_values_read_back() {
        let exec = pb::ExecOp {
            mounts: vec![pb::Mount {
                mount_type: 99,
                ..pb::Mount::default()
            }],
            network: 2,
            ..pb::ExecOp::default()
        };
        let json = serde_json::to_value(&exec).unwrap();
        assert_eq!(json["mounts"][0]["mount_type"], 99);
        assert_eq!(json["network"], "NONE");
        let back: pb::ExecOp = serde_json::from_value(json).unwrap();
        assert_eq!(back, exec);

        let mkfile = pb::FileActionMkFile {
            path: "/f".into(),
            mode: 0o644,
            data: vec![0xff, 0x00, 0x80],
            ..pb::FileActionMkFile::default()
        };
        let json = serde_json::to_value(&mkfile).unwrap();
        assert_eq!(json["mode"], "0o644");
        assert_eq!(json["data"], serde_json::json!([255, 0, 128]));
        let back: pb::FileActionMkFile = serde_json::from_value(json).unwrap();
        assert_eq!(back, mkfile);
    }
}
