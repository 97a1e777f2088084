//! `--sbom`: once a platform's go build has run, each binary's build info
//! is read from its output through ranged `ReadFile`s of the ELF sections
//! `sbom::binary` names while BuildKit puts the image together; the
//! digests come from the sums file `gofront keep` wrote beside them, or,
//! for a build that does not run through it, from the binary's bytes read
//! and hashed as they stream. The SPDX
//! document is written by a file op, and that op's ref is what the
//! platform's attestation points at. No container runs, and the image's
//! own LLB is the same with and without `--sbom`.

use super::host::{FileReader, GatewayHost, READ_CHUNK};

/// The range one read of a binary asks for.
const CHUNK: u64 = READ_CHUNK / 2;
/// How many of those are in flight at once.
const IN_FLIGHT: usize = 4;
use crate::driver::{FrontendError, Host, HostError};
use crate::options::Options;
use crate::plan::{Plan, SbomPlan};
use crate::sbom::binary::{self, Elf, HEADER_BYTES, MAX_SECTION_BYTES};
use crate::sbom::buildinfo::BuildInfo;
use crate::sbom::sums::{self, Entry};
use crate::sbom::{Digester, FileDigests, spdx};
use std::time::Instant;

/// Writes the SBOM from the solved go build output `built` and returns
/// the ref of the document's file op.
pub(super) async fn write(
    host: &GatewayHost,
    options: &Options,
    plan: &Plan,
    s: &SbomPlan,
    built: &str,
) -> Result<String, FrontendError> {
    let start = Instant::now();
    let reader = host.reader();
    let reads = s
        .read_from
        .iter()
        .zip(&s.document.binaries)
        .map(|(here, there)| read_binary(&reader, built, here, there, s.sums.is_none()));
    let (read, sums, go_sum) = tokio::join!(
        futures_util::future::try_join_all(reads),
        read_sums(&reader, built, s.sums.as_deref()),
        go_sum(host, options)
    );
    let read = with_sums(s, read?, sums?)?;
    let read_ms = start.elapsed().as_millis() as u64;
    let (read, built_at): (Vec<_>, Vec<_>) = read.into_iter().unzip();
    let input = s.document.input(read, go_sum?);
    let bytes = spdx::document(&input).map_err(|e| FrontendError::SbomJson(e.to_string()))?;
    let size = bytes.len();
    let def = crate::lower::sbom_document(plan, s, bytes).marshal(None);
    host.check_llb_caps(&def)?;
    let id = host.solve(def, Vec::new()).await?;
    // What the SBOM adds to the build: from the go build's output being
    // there (its first header read answered) to the document solved.
    let after_build_ms = built_at
        .iter()
        .min()
        .map_or(0, |t| t.elapsed().as_millis() as u64);
    tracing::info!(
        binaries = s.document.binaries.len(),
        bytes = size,
        read_ms,
        after_build_ms,
        total_ms = start.elapsed().as_millis() as u64,
        "SBOM written"
    );
    Ok(id)
}

/// What is read of one binary: its digests `D` and build info, and when
/// its header arrived.
type Read<D> = ((D, BuildInfo), Instant);

/// The digests `gofront keep` wrote beside the binaries, when the plan says
/// it did (a read that waits for the go build, as the binaries' do).
async fn read_sums(
    r: &FileReader,
    built: &str,
    at: Option<&str>,
) -> Result<Option<Vec<Entry>>, FrontendError> {
    let Some(at) = at else {
        return Ok(None);
    };
    let bytes = r.read_range(built, at, 0, READ_CHUNK).await?;
    Ok(Some(sums::parse(&String::from_utf8_lossy(&bytes))?))
}

/// Each binary's digests and build info: the digests hashed from its
/// bytes, or taken from the sums file by the binary's file name.
fn with_sums(
    s: &SbomPlan,
    read: Vec<Read<Option<FileDigests>>>,
    sums: Option<Vec<Entry>>,
) -> Result<Vec<Read<FileDigests>>, FrontendError> {
    read.into_iter()
        .zip(&s.read_from)
        .map(|(((digests, info), at), here)| {
            let name = here.rsplit('/').next().unwrap_or(here);
            let digests = match digests {
                Some(d) => d,
                None => sums
                    .iter()
                    .flatten()
                    .find(|e| e.name == name)
                    .map(|e| e.digests.clone())
                    .ok_or_else(|| FrontendError::SbomNoSums {
                        name: name.to_string(),
                    })?,
            };
            Ok(((digests, info), at))
        })
        .collect()
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

/// One binary's bytes: the file `here` of the solved ref `built`, named
/// `path` (its path in the image) in what gofront reports.
struct Ranges<'a> {
    r: &'a FileReader,
    built: &'a str,
    here: &'a str,
    path: &'a str,
}

impl Ranges<'_> {
    async fn read(&self, (offset, length): binary::Range) -> Result<Vec<u8>, FrontendError> {
        Ok(self
            .r
            .read_range(self.built, self.here, offset, length)
            .await?)
    }
}

/// One binary, read at `here` in `built` and named by its path in the
/// image, `path`; hashed when `hash` (else only its build info is read);
/// with the instant its header arrived (the go build done).
async fn read_binary(
    r: &FileReader,
    built: &str,
    here: &str,
    path: &str,
    hash: bool,
) -> Result<Read<Option<FileDigests>>, FrontendError> {
    let bin = Ranges {
        r,
        built,
        here,
        path,
    };
    // The header first (this read waits for the go build): it says where
    // the section table is, which Go's linker writes last, so the file's
    // length is known before the rest is read.
    let elf = Elf::parse(path, &bin.read((0, HEADER_BYTES)).await?)?;
    let built_at = Instant::now();
    let (table_at, table_len) = elf.section_table();
    let digests = async {
        if hash {
            digest(&bin, table_at.saturating_add(table_len))
                .await
                .map(Some)
        } else {
            Ok(None)
        }
    };
    let (digests, info) = tokio::join!(digests, build_info(&bin, &elf));
    Ok(((digests?, info?), built_at))
}

/// The binary's SHA-256 and SHA-1: its first `expected` bytes read
/// [`IN_FLIGHT`] ranges at a time, then on to the end if it is longer
/// (`expected` is the header's word: never trusted to stop early or late).
/// A blocking thread hashes while the runtime receives the next ranges.
async fn digest(bin: &Ranges<'_>, expected: u64) -> Result<FileDigests, FrontendError> {
    use futures_util::stream::{self, StreamExt, TryStreamExt};
    let start = Instant::now();
    let (tx, rx) = std::sync::mpsc::channel::<Vec<u8>>();
    let hasher = tokio::task::spawn_blocking(move || {
        let mut d = Digester::default();
        for chunk in rx {
            d.update(&chunk);
        }
        d.finish()
    });
    let offsets = (0..expected.div_ceil(CHUNK)).map(|i| i * CHUNK);
    let mut chunks = stream::iter(offsets.map(|o| bin.read((o, CHUNK)))).buffered(IN_FLIGHT);
    let (mut offset, mut last) = (0, CHUNK);
    // A header that claims more than the file holds gets empty ranges past
    // its end (and its build info does not read).
    while let Some(chunk) = chunks.try_next().await? {
        (offset, last) = (offset + chunk.len() as u64, chunk.len() as u64);
        // The hasher only stops when this sender is dropped.
        let _ = tx.send(chunk);
    }
    // A file longer than the header said is read on to its end.
    while last == CHUNK {
        let chunk = bin.read((offset, CHUNK)).await?;
        (offset, last) = (offset + chunk.len() as u64, chunk.len() as u64);
        let _ = tx.send(chunk);
    }
    drop(tx);
    let digests = hasher.await.map_err(HostError::from)?;
    tracing::info!(
        path = bin.path,
        bytes = offset,
        ms = start.elapsed().as_millis() as u64,
        "binary read and hashed"
    );
    Ok(digests)
}

/// The build info, from the three more small ranges of the ELF file it
/// takes.
async fn build_info(bin: &Ranges<'_>, elf: &Elf) -> Result<BuildInfo, FrontendError> {
    let path = bin.path;
    let sections = elf.sections(path, &bin.read(elf.section_table()).await?)?;
    let names_at = elf.names_section(path, &sections)?.range(MAX_SECTION_BYTES);
    let names = bin.read(names_at).await?;
    let section = binary::buildinfo_section(path, &sections, &names)?;
    let bytes = bin.read(section.range(MAX_SECTION_BYTES)).await?;
    Ok(binary::decode(path, &bytes)?)
}
