//! `--sbom`: once a platform's image is solved, each binary's bytes are
//! read from it through ranged `ReadFile`s (hashed as they stream, the
//! build info from the ELF sections `sbom::binary` names), the SPDX
//! document is written by a file op, and that op's ref is what the
//! platform's attestation points at. No container runs, and the image's
//! own LLB is the same with and without `--sbom`.

use super::host::{FileReader, GatewayHost, READ_CHUNK};
use crate::driver::{FrontendError, Host};
use crate::options::Options;
use crate::plan::{Plan, SbomPlan};
use crate::sbom::binary::{self, Elf, HEADER_BYTES, MAX_SECTION_BYTES};
use crate::sbom::buildinfo::BuildInfo;
use crate::sbom::{Digester, FileDigests, spdx};

/// Writes the SBOM of the solved image `image` and returns the ref of the
/// document's file op.
pub(super) async fn write(
    host: &GatewayHost,
    options: &Options,
    plan: &Plan,
    s: &SbomPlan,
    image: &str,
) -> Result<String, FrontendError> {
    let reader = host.reader();
    let reads = s
        .document
        .binaries
        .iter()
        .map(|path| read_binary(&reader, image, path));
    let (read, go_sum) = tokio::join!(
        futures_util::future::try_join_all(reads),
        go_sum(host, options)
    );
    let input = s.document.input(read?, go_sum?);
    let bytes = spdx::document(&input).map_err(|e| FrontendError::SbomJson(e.to_string()))?;
    let def = crate::lower::sbom_document(plan, s, bytes).marshal(None);
    host.check_llb_caps(&def)?;
    Ok(host.solve(def, Vec::new()).await?)
}

/// go.sum of the build context: the hashes a vendored build's info lacks.
async fn go_sum(host: &GatewayHost, options: &Options) -> Result<Option<String>, FrontendError> {
    let files = host
        .read_context(options, &[crate::plan::GO_SUM.to_string()])
        .await?;
    Ok(files
        .get(crate::plan::GO_SUM)
        .map(|b| String::from_utf8_lossy(b).into_owned()))
}

async fn read_binary(
    r: &FileReader,
    image: &str,
    path: &str,
) -> Result<(FileDigests, BuildInfo), FrontendError> {
    let (digests, info) = tokio::join!(digest(r, image, path), build_info(r, image, path));
    Ok((digests?, info?))
}

/// The binary's SHA-256 and SHA-1, read in chunks.
async fn digest(r: &FileReader, image: &str, path: &str) -> Result<FileDigests, FrontendError> {
    let mut d = Digester::default();
    let mut offset = 0;
    loop {
        let chunk = r.read_range(image, path, offset, READ_CHUNK).await?;
        d.update(&chunk);
        if (chunk.len() as u64) < READ_CHUNK {
            return Ok(d.finish());
        }
        offset += chunk.len() as u64;
    }
}

/// The build info, from the four small ranges of the ELF file it takes.
async fn build_info(r: &FileReader, image: &str, path: &str) -> Result<BuildInfo, FrontendError> {
    let read = |(offset, length): binary::Range| r.read_range(image, path, offset, length);
    let elf = Elf::parse(path, &read((0, HEADER_BYTES)).await?)?;
    let sections = elf.sections(path, &read(elf.section_table()).await?)?;
    let names_at = elf.names_section(path, &sections)?.range(MAX_SECTION_BYTES);
    let names = read(names_at).await?;
    let section = binary::buildinfo_section(path, &sections, &names)?;
    let bytes = read(section.range(MAX_SECTION_BYTES)).await?;
    Ok(binary::decode(path, &bytes)?)
}
