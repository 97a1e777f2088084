//! Rust bindings for the subset of `BuildKit`'s gRPC/protobuf protocol that
//! gofront speaks, generated at build time from the `.proto` files under
//! `proto/` (see `build.rs`).
//!
//! The module tree mirrors the protobuf package names so that the generated
//! cross-package references (`super::super::pb::Definition`, ...) resolve:
//!
//! | protobuf package              | Rust module                          |
//! |-------------------------------|--------------------------------------|
//! | `pb` (LLB ops)                | [`pb`]                               |
//! | `moby.buildkit.v1.frontend`   | [`moby::buildkit::v1::frontend`] ([`gateway`]) |
//! | `moby.buildkit.v1.apicaps`    | [`moby::buildkit::v1::apicaps`]      |
//! | `moby.buildkit.v1.types`      | [`moby::buildkit::v1::types`]        |
//! | `moby.buildkit.v1.sourcepolicy` | [`moby::buildkit::v1::sourcepolicy`] |
//! | `errdefs`                     | [`errdefs`]                          |
//! | `fsutil.types`                | [`fsutil::types`]                    |
//! | `google.rpc`                  | [`google::rpc`]                      |
//!
//! `google.protobuf.*` well-known types map to [`prost_types`].
//!
//! All map fields are `BTreeMap`s, so encoding is deterministic (keys in
//! sorted order) and op digests are stable. Fields are encoded in tag order,
//! as Go's deterministic marshaller does.
//!
//! One known byte-level difference from Go: inside a map entry prost leaves
//! out a key or value equal to its default (`attrs {"k": ""}` becomes
//! `12 03 0a 01 6b`, Go writes `12 05 0a 01 6b 12 00`). Both decode to the
//! same value, but if an op's digest must equal the one Go's `llb` package
//! would compute, avoid empty-string / `false` / zero values in maps inside
//! an `Op` (`SourceOp.attrs`, `BuildOp.attrs`, `BuildOp.inputs`).

/// LLB: ops, definitions and their metadata (protobuf package `pb`).
#[allow(missing_docs, clippy::all, clippy::pedantic, clippy::nursery)]
pub mod pb {
    tonic::include_proto!("pb");
}

/// Typed error details attached to `google.rpc.Status` (package `errdefs`).
#[allow(missing_docs, clippy::all, clippy::pedantic, clippy::nursery)]
pub mod errdefs {
    tonic::include_proto!("errdefs");
}

/// `moby.buildkit.*` packages.
pub mod moby {
    /// `moby.buildkit.*` packages.
    pub mod buildkit {
        /// `moby.buildkit.v1.*` packages.
        pub mod v1 {
            /// The frontend gateway API: the `LLBBridge` service.
            #[allow(missing_docs, clippy::all, clippy::pedantic, clippy::nursery)]
            pub mod frontend {
                tonic::include_proto!("moby.buildkit.v1.frontend");
            }

            /// API capability records.
            #[allow(missing_docs, clippy::all, clippy::pedantic, clippy::nursery)]
            pub mod apicaps {
                tonic::include_proto!("moby.buildkit.v1.apicaps");
            }

            /// Worker records returned by `Ping`.
            #[allow(missing_docs, clippy::all, clippy::pedantic, clippy::nursery)]
            pub mod types {
                tonic::include_proto!("moby.buildkit.v1.types");
            }

            /// Source policies referenced by solve/resolve requests.
            #[allow(missing_docs, clippy::all, clippy::pedantic, clippy::nursery)]
            pub mod sourcepolicy {
                tonic::include_proto!("moby.buildkit.v1.sourcepolicy");
            }
        }
    }
}

/// `fsutil.*` packages.
pub mod fsutil {
    /// File stat records used by `ReadDir` / `StatFile`.
    #[allow(missing_docs, clippy::all, clippy::pedantic, clippy::nursery)]
    pub mod types {
        tonic::include_proto!("fsutil.types");
    }
}

/// `google.*` packages.
pub mod google {
    /// The standard gRPC error status.
    #[allow(missing_docs, clippy::all, clippy::pedantic, clippy::nursery)]
    pub mod rpc {
        tonic::include_proto!("google.rpc");
    }
}

/// Short alias for the gateway package (`moby.buildkit.v1.frontend`).
pub use moby::buildkit::v1::frontend as gateway;
/// Client for the gateway's `LLBBridge` service.
pub use moby::buildkit::v1::frontend::llb_bridge_client::LlbBridgeClient;
/// Server side of the gateway's `LLBBridge` service (used by test fakes).
pub use moby::buildkit::v1::frontend::llb_bridge_server::{LlbBridge, LlbBridgeServer};

#[cfg(test)]
mod tests {
    use super::gateway;
    use super::{LlbBridge, LlbBridgeClient, LlbBridgeServer};
    use super::{errdefs, google, moby, pb};
    use prost::Message;
    use std::collections::BTreeMap;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    /// Fields must come out in tag order with the `op` oneof between
    /// `inputs` (1) and `platform` (10), exactly as Go's marshaller does.
    #[test]
    fn op_encodes_in_tag_order() -> TestResult {
        let op = pb::Op {
            inputs: vec![pb::Input {
                digest: "sha256:ab".into(),
                index: 0,
            }],
            op: Some(pb::op::Op::Exec(pb::ExecOp {
                meta: Some(pb::Meta {
                    args: vec!["true".into()],
                    ..Default::default()
                }),
                mounts: vec![pb::Mount {
                    input: 0,
                    dest: "/".into(),
                    output: 0,
                    ..Default::default()
                }],
                ..Default::default()
            })),
            platform: Some(pb::Platform {
                architecture: "amd64".into(),
                os: "linux".into(),
                ..Default::default()
            }),
            constraints: None,
        };
        let bytes = op.encode_to_vec();

        let mut want = vec![0x0a, 0x0b, 0x0a, 0x09];
        want.extend_from_slice(b"sha256:ab");
        want.extend_from_slice(&[0x12, 0x0d, 0x0a, 0x06, 0x0a, 0x04]);
        want.extend_from_slice(b"true");
        want.extend_from_slice(&[0x12, 0x03, 0x1a, 0x01, b'/']);
        want.extend_from_slice(&[0x52, 0x0e, 0x0a, 0x05]);
        want.extend_from_slice(b"amd64");
        want.extend_from_slice(&[0x12, 0x05]);
        want.extend_from_slice(b"linux");
        assert_eq!(bytes, want);

        assert_eq!(pb::Op::decode(bytes.as_slice())?, op);
        Ok(())
    }

    /// Map entries are emitted in sorted key order regardless of insertion
    /// order, so metadata (and any map inside an op) encodes deterministically.
    #[test]
    fn map_entries_are_sorted() -> TestResult {
        let mut caps = BTreeMap::new();
        caps.insert("z.cap".to_owned(), true);
        caps.insert("a.cap".to_owned(), true);
        let mut description = BTreeMap::new();
        description.insert("llb.customname".to_owned(), "b".to_owned());
        description.insert("com.example".to_owned(), "a".to_owned());
        let meta = pb::OpMetadata {
            ignore_cache: true,
            description,
            caps,
            ..Default::default()
        };
        let bytes = meta.encode_to_vec();

        let mut want = vec![0x08, 0x01];
        // description (field 2): key (1) + value (2) per entry
        want.extend_from_slice(&[0x12, 0x10, 0x0a, 0x0b]);
        want.extend_from_slice(b"com.example");
        want.extend_from_slice(&[0x12, 0x01, b'a']);
        want.extend_from_slice(&[0x12, 0x13, 0x0a, 0x0e]);
        want.extend_from_slice(b"llb.customname");
        want.extend_from_slice(&[0x12, 0x01, b'b']);
        // caps (field 5)
        want.extend_from_slice(&[0x2a, 0x09, 0x0a, 0x05]);
        want.extend_from_slice(b"a.cap");
        want.extend_from_slice(&[0x10, 0x01]);
        want.extend_from_slice(&[0x2a, 0x09, 0x0a, 0x05]);
        want.extend_from_slice(b"z.cap");
        want.extend_from_slice(&[0x10, 0x01]);
        assert_eq!(bytes, want);

        // Definition.metadata is keyed by op digest and sorted the same way.
        let mut metadata = BTreeMap::new();
        metadata.insert("sha256:bb".to_owned(), meta);
        metadata.insert("sha256:aa".to_owned(), pb::OpMetadata::default());
        let def = pb::Definition {
            def: vec![bytes],
            metadata,
            source: None,
        };
        let decoded = pb::Definition::decode(def.encode_to_vec().as_slice())?;
        assert_eq!(decoded, def);
        let keys: Vec<&str> = decoded.metadata.keys().map(String::as_str).collect();
        assert_eq!(keys, ["sha256:aa", "sha256:bb"]);
        Ok(())
    }

    /// A `google.rpc.Status` carrying a typed errdefs detail round-trips.
    #[test]
    fn status_with_any_detail_encodes() -> TestResult {
        let vertex = errdefs::Vertex {
            digest: "sha256:cd".into(),
        };
        let status = google::rpc::Status {
            code: 2,
            message: "boom".into(),
            details: vec![prost_types::Any {
                type_url: "type.googleapis.com/errdefs.Vertex".into(),
                value: vertex.encode_to_vec(),
            }],
        };
        let bytes = status.encode_to_vec();
        assert_eq!(
            &bytes[..8],
            &[0x08, 0x02, 0x12, 0x04, b'b', b'o', b'o', b'm']
        );
        assert_eq!(bytes[8], 0x1a);

        let back = google::rpc::Status::decode(bytes.as_slice())?;
        assert_eq!(back, status);
        let detail = back.details.first().ok_or("missing detail")?;
        assert_eq!(errdefs::Vertex::decode(detail.value.as_slice())?, vertex);

        let ret = gateway::ReturnRequest {
            result: None,
            error: Some(status),
        };
        assert_eq!(
            gateway::ReturnRequest::decode(ret.encode_to_vec().as_slice())?,
            ret
        );
        Ok(())
    }

    /// Fake gateway implementing only `Ping`; everything else uses the
    /// generated default stubs.
    struct PingOnly;

    #[tonic::async_trait]
    impl LlbBridge for PingOnly {
        async fn ping(
            &self,
            _request: tonic::Request<gateway::PingRequest>,
        ) -> Result<tonic::Response<gateway::PongResponse>, tonic::Status> {
            Ok(tonic::Response::new(gateway::PongResponse {
                frontend_api_caps: vec![moby::buildkit::v1::apicaps::ApiCap {
                    id: "solve.base".into(),
                    enabled: true,
                    ..Default::default()
                }],
                llb_caps: Vec::new(),
                workers: Vec::new(),
            }))
        }
    }

    #[tokio::test]
    async fn client_and_server_talk() -> TestResult {
        let incoming = tonic::transport::server::TcpIncoming::bind(([127, 0, 0, 1], 0).into())?;
        let addr = incoming.local_addr()?;
        let server = tokio::spawn(
            tonic::transport::Server::builder()
                .serve_with_incoming(LlbBridgeServer::new(PingOnly), incoming),
        );

        let mut client = LlbBridgeClient::connect(format!("http://{addr}")).await?;
        let pong = client.ping(gateway::PingRequest {}).await?.into_inner();
        assert_eq!(pong.frontend_api_caps.len(), 1);
        assert_eq!(
            pong.frontend_api_caps.first().map(|c| c.id.as_str()),
            Some("solve.base")
        );

        let err = client
            .solve(gateway::SolveRequest::default())
            .await
            .err()
            .ok_or("solve should be unimplemented")?;
        assert_eq!(err.code(), tonic::Code::Unimplemented);

        server.abort();
        Ok(())
    }
}

/// The serde forms of `pb` fields that are not plain Rust values (see
/// `build.rs`): enums by their protobuf name, file modes in octal, bytes as
/// text when they are UTF-8. Each module reads back what it writes, so a
/// rendered op decodes to the same bytes (`llb::debug`'s tests).
pub(crate) mod pb_serde {
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// An enum field (an `i32` in prost) by name; a value the enum does
    /// not know as its number.
    macro_rules! enum_by_name {
        ($($module:ident => $enum:ty),* $(,)?) => {$(
            pub(crate) mod $module {
                use super::*;

                pub(crate) fn serialize<S: Serializer>(v: &i32, s: S) -> Result<S::Ok, S::Error> {
                    match <$enum>::try_from(*v) {
                        Ok(e) => s.serialize_str(e.as_str_name()),
                        Err(_) => s.serialize_i32(*v),
                    }
                }

                pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i32, D::Error> {
                    match NameOrNumber::deserialize(d)? {
                        NameOrNumber::Name(n) => <$enum>::from_str_name(&n)
                            .map(|e| e as i32)
                            .ok_or_else(|| D::Error::custom(format!(
                                "unknown {} {n:?}", stringify!($enum)
                            ))),
                        NameOrNumber::Number(n) => Ok(n),
                    }
                }
            }
        )*};
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum NameOrNumber {
        Name(String),
        Number(i32),
    }

    enum_by_name! {
        net_mode => super::super::pb::NetMode,
        security_mode => super::super::pb::SecurityMode,
        mount_type => super::super::pb::MountType,
        mount_content_cache => super::super::pb::MountContentCache,
        cache_sharing => super::super::pb::CacheSharingOpt,
    }

    /// A file mode in octal (`"0o755"`); a negative one (`-1`: keep the
    /// source's mode) as its number.
    macro_rules! mode {
        ($($module:ident => $int:ty),* $(,)?) => {$(
            pub(crate) mod $module {
                use super::*;

                pub(crate) fn serialize<S: Serializer>(v: &$int, s: S) -> Result<S::Ok, S::Error> {
                    if i64::from(*v) < 0 {
                        v.serialize(s)
                    } else {
                        s.serialize_str(&format!("{v:#o}"))
                    }
                }

                pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<$int, D::Error> {
                    match OctalOrNumber::deserialize(d)? {
                        OctalOrNumber::Octal(text) => text
                            .strip_prefix("0o")
                            .and_then(|digits| <$int>::from_str_radix(digits, 8).ok())
                            .ok_or_else(|| D::Error::custom(format!("not an octal mode: {text:?}"))),
                        OctalOrNumber::Number(n) => <$int>::try_from(n).map_err(D::Error::custom),
                    }
                }
            }
        )*};
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OctalOrNumber {
        Octal(String),
        Number(i64),
    }

    mode! {
        mode_i32 => i32,
        mode_u32 => u32,
    }

    /// Bytes as text when they are UTF-8, else as a list of numbers.
    pub(crate) mod text_bytes {
        use super::*;

        #[derive(Serialize)]
        #[serde(untagged)]
        enum TextOrBytes<'a> {
            Text(&'a str),
            Bytes(&'a [u8]),
        }

        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Owned {
            Text(String),
            Bytes(Vec<u8>),
        }

        pub(crate) fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
            match std::str::from_utf8(v) {
                Ok(text) => TextOrBytes::Text(text).serialize(s),
                Err(_) => TextOrBytes::Bytes(v).serialize(s),
            }
        }

        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
            Ok(match Owned::deserialize(d)? {
                Owned::Text(t) => t.into_bytes(),
                Owned::Bytes(b) => b,
            })
        }
    }
}
