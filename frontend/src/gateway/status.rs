//! Errors as the `google.rpc.Status` `Return` carries.

use prost::Message;

use crate::driver::FrontendError;
use crate::proto::errdefs;
use crate::proto::google::rpc::Status;
use crate::proto::pb;

/// gRPC status codes used in `Return`.
pub(super) mod code {
    pub const UNKNOWN: i32 = 2;
}

/// Builds the `google.rpc.Status` for an error, with BuildKit's
/// source-location detail when a line of the spec, go.mod, go.work or
/// .dockerignore is at fault, so that buildx shows that line instead of
/// the `# syntax=` line.
pub fn error_status(e: &FrontendError) -> Status {
    let mut details = Vec::new();
    if let Some(at) = e.source_location() {
        let src = errdefs::Source {
            info: Some(pb::SourceInfo {
                filename: at.file,
                data: at.data,
                definition: None,
                language: at.language,
            }),
            ranges: vec![at.range.to_pb()],
        };
        details.push(prost_types::Any {
            // What BuildKit's typeurl gives this message: its full name.
            type_url: "errdefs.Source".to_string(),
            value: src.encode_to_vec(),
        });
    }
    // Always Unknown: BuildKit prefixes any other code's name to the message
    // once per hop ("InvalidArgument: InvalidArgument: ..."), which buries the
    // one sentence the user needs.
    Status {
        code: code::UNKNOWN,
        message: e.to_string(),
        details,
    }
}
