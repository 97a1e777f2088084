//! The build: the report's warnings sent, every plan lowered, solved at
//! once, and the `Result` BuildKit's exporters expect.

use std::collections::BTreeMap;

use super::host::{GatewayHost, WarnFiles};
use super::proc::{peak_rss_kb, started};
use crate::driver::{self, FrontendError};
use crate::options::{Options, Platform};
use crate::proto::gateway as gw;
use crate::sbom;

/// The gateway cap a result with attestations needs
/// (frontend/gateway/pb/caps.go, `CapAttestations`).
const ATTESTATIONS_CAP: &str = "reference.attestations";

pub(super) async fn build(
    host: &GatewayHost,
    options: &Options,
) -> Result<gw::Result, FrontendError> {
    let report = match driver::generate(host, options).await {
        Ok(report) => report,
        Err(failure) => {
            let files = WarnFiles {
                spec: failure.source.as_ref(),
                dockerignore: failure
                    .project
                    .as_ref()
                    .and_then(|p| p.dockerignore.as_deref()),
            };
            for w in &failure.warnings {
                host.warn(options, &files, w).await;
            }
            return Err(failure.error);
        }
    };
    let files = WarnFiles {
        spec: Some(&report.spec.source),
        dockerignore: report.project.dockerignore.as_deref(),
    };
    for w in &report.warnings {
        host.warn(options, &files, w).await;
    }
    let generated = driver::lower_all(&report)?;
    for b in &generated.builds {
        host.check_llb_caps(&b.definition)
            .map_err(FrontendError::Host)?;
        if sbom_plan(b).is_some() {
            host.check_api_caps(&[ATTESTATIONS_CAP])
                .map_err(FrontendError::Host)?;
        }
    }
    tracing::info!(
        platforms = generated.builds.len(),
        ops = generated
            .builds
            .iter()
            .map(|b| b.definition.def.len())
            .sum::<usize>(),
        since_start_ms = started().elapsed().as_millis() as u64,
        peak_rss_kb = peak_rss_kb(),
        "final solve requested"
    );
    let cache_imports: Vec<gw::CacheOptionsEntry> = options
        .cache_imports
        .iter()
        .map(|c| gw::CacheOptionsEntry {
            r#type: c.kind.clone(),
            attrs: c.attrs.clone(),
        })
        .collect();
    // One Solve per platform, all at once (BuildKit runs identical
    // vertices, the module download and the builder, once for all), and
    // each platform's SBOM written from its image as soon as that is built.
    // With an SBOM, the binaries are read from the go build's output
    // while BuildKit assembles the image (which it is asked to build now,
    // not at export).
    let solves = generated.builds.iter().map(|b| async {
        match (sbom_plan(b), &b.built) {
            (Some(s), Some(built)) => {
                let image = host.solve_evaluated(b.definition.clone(), cache_imports.clone());
                let sbom = async {
                    let built = host.solve(built.clone(), cache_imports.clone()).await?;
                    super::sbom::write(host, options, &b.plan, s, &built).await
                };
                let (id, sbom) = tokio::join!(image, sbom);
                Ok::<_, FrontendError>((id?, Some(sbom?)))
            }
            _ => Ok((
                host.solve(b.definition.clone(), cache_imports.clone())
                    .await?,
                None,
            )),
        }
    });
    let ids = futures_util::future::join_all(solves)
        .await
        .into_iter()
        .collect::<Result<Vec<_>, FrontendError>>()?;
    for (b, (id, _)) in generated.builds.iter().zip(&ids) {
        if let crate::plan::TargetPlan::Test {
            report: Some(r), ..
        } = &b.plan.target
            && !r.export
        {
            tests_passed(host, id, &r.dir, &b.platform, generated.multi_platform).await?;
        }
    }
    let solved: Vec<Solved> = generated
        .builds
        .into_iter()
        .zip(ids)
        .map(|(b, (id, sbom))| Solved {
            platform: b.platform,
            id,
            image_config: b.image_config,
            sbom,
        })
        .collect();
    Ok(result(solved, generated.multi_platform))
}

/// Fails the build with the report's summary when the tests it recorded
/// failed (`gofront testreport` exits 0 whenever they ran, so that a
/// failing run's report can be exported by `--target test-report`).
async fn tests_passed(
    host: &GatewayHost,
    id: &str,
    dir: &str,
    platform: &Platform,
    multi_platform: bool,
) -> Result<(), FrontendError> {
    use crate::testreport::files;
    let reader = host.reader();
    let path = |name: &str| format!("{dir}/{name}");
    let exit = reader
        .read_file(id, &path(files::EXIT_CODE))
        .await?
        .ok_or_else(|| FrontendError::NoTestReport(path(files::EXIT_CODE)))?;
    let summary = reader
        .read_file(id, &path(files::SUMMARY))
        .await?
        .unwrap_or_default();
    match crate::testreport::recorded(&exit, &summary) {
        (Some(0), _) => Ok(()),
        (Some(_), summary) => Err(FrontendError::TestsFailed {
            platform: if multi_platform {
                format!(" for {platform}")
            } else {
                String::new()
            },
            summary,
        }),
        (None, _) => Err(FrontendError::NoTestReport(path(files::EXIT_CODE))),
    }
}

/// The SBOM gofront writes for a build, when it writes one.
fn sbom_plan(b: &driver::PlatformBuild) -> Option<&crate::plan::SbomPlan> {
    match &b.plan.target {
        crate::plan::TargetPlan::Image { sbom, .. } => sbom.as_deref(),
        _ => None,
    }
}

/// One platform's solved result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Solved {
    /// Its platform.
    pub platform: Platform,
    /// The ref BuildKit returned.
    pub id: String,
    /// `containerimage.config`, when the target is an image.
    pub image_config: Option<Vec<u8>>,
    /// The ref of its SBOM document, when gofront wrote one.
    pub sbom: Option<String>,
}

/// The `Result` BuildKit's exporters expect, as the Dockerfile frontend's
/// result builder makes it: one ref, or a ref per platform id with
/// `containerimage.config/<id>`, and `refs.platforms` either way (without
/// it, BuildKit warns that the result's platform does not match).
pub fn result(solved: Vec<Solved>, multi_platform: bool) -> gw::Result {
    let platforms = serde_json::json!({
        "Platforms": solved.iter().map(|s| {
            let mut p = serde_json::json!({
                "architecture": s.platform.architecture,
                "os": s.platform.os,
            });
            if !s.platform.variant.is_empty() {
                p["variant"] = s.platform.variant.clone().into();
            }
            serde_json::json!({ "ID": s.platform.to_string(), "Platform": p })
        }).collect::<Vec<_>>()
    });
    // Keyed by the platform ids of `refs.platforms`, for a single ref too
    // (exptypes.ParsePlatforms reads them there).
    let attestations: BTreeMap<String, gw::Attestations> = solved
        .iter()
        .filter_map(|s| {
            let id = s.sbom.as_deref()?;
            Some((
                s.platform.to_string(),
                gw::Attestations {
                    attestation: vec![sbom::attestation(id)],
                },
            ))
        })
        .collect();
    let mut metadata = BTreeMap::new();
    metadata.insert(
        "refs.platforms".to_string(),
        platforms.to_string().into_bytes(),
    );
    let single = match (multi_platform, solved.as_slice()) {
        (false, [one]) => Some(one.clone()),
        _ => None,
    };
    let result = match single {
        Some(one) => {
            if let Some(cfg) = one.image_config {
                metadata.insert("containerimage.config".to_string(), cfg);
            }
            gw::result::Result::Ref(gw::Ref {
                id: one.id,
                def: None,
            })
        }
        None => {
            let mut refs = BTreeMap::new();
            for s in solved {
                let id = s.platform.to_string();
                if let Some(cfg) = s.image_config {
                    metadata.insert(format!("containerimage.config/{id}"), cfg);
                }
                refs.insert(
                    id,
                    gw::Ref {
                        id: s.id,
                        def: None,
                    },
                );
            }
            gw::result::Result::Refs(gw::RefMap { refs })
        }
    };
    gw::Result {
        result: Some(result),
        metadata,
        attestations,
    }
}
