//! The edge to BuildKit: the `LLBBridge` gRPC client over stdio, options
//! from the environment, capability checks, and `Return`.
//!
//! Invariant: the only async/tonic code; everything it learns goes into the
//! pure pipeline through [`Host`](crate::driver::Host), and everything the
//! user must see goes back through `Return` (an error status with source
//! info) or `Warn`.

mod env;
mod host;
mod proc;
mod result;
mod sbom;
mod status;
mod stdio;
pub mod subrequests;

use tonic::transport::Channel;

pub use env::options_from_env;
use host::GatewayHost;
use proc::started;
use status::code;
pub use status::error_status;

use crate::driver::FrontendError;
use crate::options::Options;
use crate::proto::gateway as gw;
use crate::proto::google::rpc::Status;

async fn produce(host: &GatewayHost, options: &Options) -> Result<gw::Result, Status> {
    match &options.request_id {
        Some(req) => subrequests::answer(host, options, req)
            .await
            .map(subrequests::Answer::into_result)
            .map_err(|e| e.status()),
        None => result::build(host, options)
            .await
            .map_err(|e| error_status(&e)),
    }
}

/// Runs the frontend inside BuildKit, over stdio. Returns the exit code.
pub async fn serve() -> i32 {
    started();
    match stdio::connect().await {
        Ok(channel) => serve_on(channel, std::env::vars().collect()).await,
        Err(e) => {
            tracing::error!("cannot talk to BuildKit over stdio: {e}");
            1
        }
    }
}

/// Runs the frontend against the `LLBBridge` behind `channel`, with the
/// process environment `env`. Returns the exit code.
pub async fn serve_on(channel: Channel, env: Vec<(String, String)>) -> i32 {
    let session = env
        .iter()
        .find(|(k, _)| k == "BUILDKIT_SESSION_ID")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let opts = options_from_env(env);
    let mut host = match GatewayHost::connect(channel, session).await {
        Ok(h) => h,
        Err(e) => {
            tracing::error!("{e}");
            return 1;
        }
    };
    let outcome = match Options::parse(opts.iter().map(|(k, v)| (k.as_str(), v.as_str()))) {
        Ok(options) => {
            tracing::info!(target = options.target.name(), ignored = ?options.ignored, "options parsed");
            produce(&host, &options).await
        }
        Err(e) => Err(error_status(&FrontendError::Plan(e.into()))),
    };
    let req = match outcome {
        Ok(result) => gw::ReturnRequest {
            result: Some(result),
            error: None,
        },
        Err(status) => {
            tracing::info!(error = %status.message, "returning error to BuildKit");
            gw::ReturnRequest {
                result: None,
                error: Some(status),
            }
        }
    };
    match host.client.r#return(req).await {
        Ok(_) => 0,
        Err(e) => {
            tracing::error!(error = %e.message(), "Return failed");
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use prost::Message;

    use super::host::{build_platform, is_not_exist, tool_image_from};
    use super::*;
    use crate::driver::HostError;
    use crate::options::Platform;
    use crate::proto::pb;

    #[test]
    fn the_build_platform_is_the_first_workers_else_linux_amd64() {
        let arm = Platform::from(&pb::Platform {
            architecture: "arm64".into(),
            os: "linux".into(),
            ..pb::Platform::default()
        });
        assert_eq!(build_platform(&[arm.clone(), Platform::linux_amd64()]), arm);
        assert_eq!(build_platform(&[]), Platform::linux_amd64());
    }

    fn image_source_def(identifier: &str) -> Vec<u8> {
        let op = pb::Op {
            op: Some(pb::op::Op::Source(pb::SourceOp {
                identifier: identifier.to_string(),
                ..pb::SourceOp::default()
            })),
            ..pb::Op::default()
        };
        pb::Definition {
            def: vec![op.encode_to_vec()],
            ..pb::Definition::default()
        }
        .encode_to_vec()
    }

    #[test]
    fn the_tool_image_is_the_frontend_definitions_image_else_the_source_option() {
        let def = image_source_def("docker-image://docker.io/library/gofront:dev@sha256:abc");
        assert_eq!(
            tool_image_from(Some(&def), Some("gofront:dev")).as_deref(),
            Some("docker.io/library/gofront:dev@sha256:abc")
        );
        let local = image_source_def("local://context");
        assert_eq!(
            tool_image_from(Some(&local), Some("gofront:dev")).as_deref(),
            Some("gofront:dev")
        );
        assert_eq!(tool_image_from(Some(b"not a definition"), None), None);
        assert_eq!(tool_image_from(None, Some("")), None);
    }

    #[test]
    fn a_missing_file_is_told_by_code_or_by_buildkits_enoent_text() {
        use tonic::{Code, Status};
        assert!(is_not_exist(&Status::not_found("gone")));
        assert!(is_not_exist(&Status::unknown(
            "open go.work: no such file or directory"
        )));
        assert!(!is_not_exist(&Status::unknown(
            "open go.mod: permission denied"
        )));
        // Only an error of the read itself: another code is a failure even
        // when its message mentions a missing file.
        assert!(!is_not_exist(&Status::new(
            Code::Internal,
            "open /var/lib/buildkit/x: no such file or directory"
        )));
    }

    #[test]
    fn host_errors_keep_the_grpc_code() {
        let e = HostError::ReadFile {
            path: "go.mod".into(),
            code: tonic::Code::PermissionDenied,
            message: "open go.mod: permission denied".into(),
        };
        assert_eq!(
            FrontendError::from(e).to_string(),
            "cannot read go.mod from BuildKit: open go.mod: permission denied"
        );
    }
}
