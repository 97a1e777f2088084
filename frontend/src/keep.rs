//! `gofront keep`: the `go build` step's wrapper. The build writes its
//! binaries into a kept directory (a cache mount) and this copies them into
//! the step's output. Go does not link a binary again when the file at its
//! `-o` path already carries the build ID it would link (cmd/go compares
//! the action ID in the existing file's build ID), so when an edit changes
//! one service of several, or nothing any binary links (a test file, a
//! README), the other links are skipped; the step's output starts empty
//! every time, so without the kept directory Go links every binary anew.
//!
//! Beside the binaries it writes their digests (`sbom::sums`), for
//! `--sbom`; a binary Go did not link keeps the digests recorded for its
//! build ID in the kept directory, so only a new link is hashed.

use std::fs;
use std::path::Path;
use std::process::{Command, ExitCode};

use crate::cachetool::{KeepArgs, ToolError, failed_exit, io_err, split_command};
use crate::sbom::FileDigests;
use crate::sbom::sums::{self, Entry};

/// Runs the build, then copies each `--binary` from `--dir` to `--out`.
/// The build's exit code when it fails (its own output says why).
pub fn run(args: &KeepArgs) -> Result<ExitCode, ToolError> {
    let (program, rest) = split_command(&args.command)?;
    check(args)?;
    let dir = Path::new(&args.dir);
    let before = build_ids(dir, &args.binary);
    let status = Command::new(program)
        .args(rest)
        .status()
        .map_err(|source| ToolError::Spawn {
            command: program.clone(),
            source,
        })?;
    if !status.success() {
        return Ok(failed_exit(status));
    }
    let after = build_ids(dir, &args.binary);
    let linked = linked(&args.binary, &before, &after);
    // One write, so the line reaches BuildKit's log in one piece (the
    // macros write each argument separately to unbuffered stderr).
    let line = format!("gofront keep: {}\n", summary(&linked, args.binary.len()));
    let _ = std::io::Write::write_all(&mut std::io::stderr().lock(), line.as_bytes());
    let out = Path::new(&args.out);
    let entries = copy_binaries(dir, out, &args.binary, after)?;
    let text = sums::render(&entries);
    for d in [out, dir] {
        write_new(&d.join(sums::FILE), &text)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Refuses, before the build runs, a command line whose copies would
/// leave `--out` or copy a binary onto itself. The plan never writes one;
/// the tool is the last line.
fn check(args: &KeepArgs) -> Result<(), ToolError> {
    for name in &args.binary {
        if name.is_empty() || name == "." || name == ".." || name.contains(['/', '\0']) {
            return Err(ToolError::NotAFileName {
                flag: "--binary",
                value: name.clone(),
                dir: "--out",
            });
        }
        if name == sums::FILE {
            return Err(ToolError::Reserved {
                flag: "--binary",
                value: name.clone(),
                what: "gofront keep writes the binaries' digests to",
            });
        }
    }
    let (dir, out) = (Path::new(&args.dir), Path::new(&args.out));
    let same_on_disk = || {
        use std::os::unix::fs::MetadataExt;
        match (fs::metadata(dir), fs::metadata(out)) {
            (Ok(d), Ok(o)) => (d.dev(), d.ino()) == (o.dev(), o.ino()),
            _ => false,
        }
    };
    if dir.components().eq(out.components()) || same_on_disk() {
        return Err(ToolError::SameDirectory {
            first: "--dir",
            second: "--out",
            path: args.out.clone(),
            why: "each binary would be copied onto itself and emptied",
        });
    }
    Ok(())
}

/// The metadata of `path` when it is a regular file itself (not a link,
/// a named pipe, a device or a directory), `None` when there is nothing
/// there; checked without opening it, so nothing can block.
fn regular(path: &Path, why: &'static str) -> Result<Option<fs::Metadata>, ToolError> {
    let refuse = |what| ToolError::NotRegular {
        path: path.display().to_string(),
        what,
        why,
    };
    match fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_err(path)(e)),
        Ok(m) if m.file_type().is_symlink() => Err(refuse("a symbolic link")),
        Ok(m) => match crate::local::not_a_file(&m) {
            Some(what) => Err(refuse(what)),
            None => Ok(Some(m)),
        },
    }
}

const BINARY: &str = "gofront keep copies only the regular files go build writes";

/// Writes `text` to `path` through a new file renamed over it: whatever
/// was at `path` (a named pipe, a link) is replaced, never opened.
fn write_new(path: &Path, text: &str) -> Result<(), ToolError> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.gofront-{}", std::process::id()));
    let _ = fs::remove_file(&tmp);
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(io_err(&tmp))?;
    fs::rename(&tmp, path).map_err(io_err(path))
}

/// Where a Go executable holds its build ID, in its first 32 KiB (where
/// cmd/go looks): an ELF note of type 4 named `Go`, or for other formats
/// (Mach-O, PE) a quoted string after this mark at the start of the text.
const BUILD_ID_MARK: &[u8] = b"\xff Go build ID: \"";
const ELF_NOTE_NAME: &[u8] = b"Go\0\0";
const ELF_NOTE_TYPE: u32 = 4;

/// The Go build ID of each binary, `None` when it is missing or has none.
fn build_ids(dir: &Path, names: &[String]) -> Vec<Option<Vec<u8>>> {
    names.iter().map(|n| build_id(&dir.join(n))).collect()
}

fn build_id(path: &Path) -> Option<Vec<u8>> {
    use std::io::Read;
    // Only a regular file is opened (a named pipe would block).
    regular(path, BINARY).ok()??;
    let mut head = Vec::with_capacity(32 * 1024);
    fs::File::open(path)
        .ok()?
        .take(32 * 1024)
        .read_to_end(&mut head)
        .ok()?;
    elf_note_id(&head).or_else(|| raw_id(&head))
}

/// The desc of the first ELF note `namesz=4, descsz, type=4, "Go\0\0"`.
fn elf_note_id(head: &[u8]) -> Option<Vec<u8>> {
    let word = |at: usize| -> Option<u32> {
        let b: [u8; 4] = head.get(at..at + 4)?.try_into().ok()?;
        Some(u32::from_le_bytes(b))
    };
    let mut from = 12;
    while let Some(i) = head
        .get(from..)?
        .windows(ELF_NOTE_NAME.len())
        .position(|w| w == ELF_NOTE_NAME)
        .map(|p| p + from)
    {
        if word(i - 12) == Some(4) && word(i - 4) == Some(ELF_NOTE_TYPE) {
            let len = word(i - 8)? as usize;
            let start = i + ELF_NOTE_NAME.len();
            return head.get(start..start + len).map(<[u8]>::to_vec);
        }
        from = i + 1;
    }
    None
}

/// The quoted id after [`BUILD_ID_MARK`].
fn raw_id(head: &[u8]) -> Option<Vec<u8>> {
    let start = head
        .windows(BUILD_ID_MARK.len())
        .position(|w| w == BUILD_ID_MARK)?
        + BUILD_ID_MARK.len();
    let len = head.get(start..)?.iter().position(|&b| b == b'"')?;
    Some(head[start..start + len].to_vec())
}

/// The binaries Go linked: a binary linked again has a new build ID; one
/// Go found up to date keeps its own (Go still updates its time, as `go
/// install` does, so times say nothing). One without an id before was
/// written now.
fn linked<'a>(
    names: &'a [String],
    before: &[Option<Vec<u8>>],
    after: &[Option<Vec<u8>>],
) -> Vec<&'a str> {
    names
        .iter()
        .zip(before.iter().zip(after))
        .filter(|(_, (b, a))| b.is_none() || b != a)
        .map(|(n, _)| n.as_str())
        .collect()
}

/// `linked 1 of 3 binaries (api), 2 already up to date`.
fn summary(linked: &[&str], total: usize) -> String {
    let noun = if total == 1 { "binary" } else { "binaries" };
    let mut s = format!("linked {} of {total} {noun}", linked.len());
    if !linked.is_empty() {
        s.push_str(&format!(" ({})", linked.join(", ")));
    }
    if linked.len() < total {
        s.push_str(&format!(", {} already up to date", total - linked.len()));
    }
    s
}

/// Copies `names` from `dir` to `out` (created if missing), mode bits
/// included, and returns their digests: those the kept directory's sums
/// file holds for the same build ID, else hashed from the bytes copied.
/// A missing binary is an error: the build was told to write it.
fn copy_binaries(
    dir: &Path,
    out: &Path,
    names: &[String],
    ids: Vec<Option<Vec<u8>>>,
) -> Result<Vec<Entry>, ToolError> {
    fs::create_dir_all(out).map_err(io_err(out))?;
    // A sums file that is missing, unreadable or not a regular file only
    // means hashing again.
    let sums_path = dir.join(sums::FILE);
    let known = regular(&sums_path, BINARY)
        .ok()
        .flatten()
        .and_then(|_| fs::read_to_string(&sums_path).ok())
        .and_then(|t| sums::parse(&t).ok())
        .into_iter()
        .flatten()
        .collect::<Vec<_>>();
    names
        .iter()
        .zip(ids)
        .map(|(name, build_id)| {
            let (from, to) = (dir.join(name), out.join(name));
            // Neither end is opened unless it is a regular file (or, for
            // the copy, absent): a named pipe or device would block or
            // take the bytes.
            if regular(&from, BINARY)?.is_none() {
                return Err(io_err(&from)(std::io::ErrorKind::NotFound.into()));
            }
            regular(&to, "gofront keep writes the binaries there")?;
            let same = known
                .iter()
                .find(|e| &e.name == name && build_id.is_some() && e.build_id == build_id);
            let digests = match same {
                Some(e) => {
                    fs::copy(&from, &to).map_err(io_err(&from))?;
                    e.digests.clone()
                }
                // The copy (in the kernel) beside the hashing: a 23 MB
                // binary costs ~20 ms more than the copy alone, not ~45.
                None => std::thread::scope(|s| {
                    let copy = s.spawn(|| fs::copy(&from, &to));
                    let digests = fs::read(&from).map(|b| FileDigests::of(&b));
                    let copied = copy
                        .join()
                        .unwrap_or_else(|_| Err(std::io::Error::other("the copy panicked")));
                    copied.and(digests).map_err(io_err(&from))
                })?,
            };
            Ok(Entry {
                name: name.clone(),
                build_id,
                digests,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::os::unix::fs::PermissionsExt;

    use super::*;
    use crate::testutil::TempDir;

    fn args(dir: &Path, out: &Path, binary: &[&str], command: &[&str]) -> KeepArgs {
        KeepArgs {
            dir: dir.display().to_string(),
            out: out.display().to_string(),
            binary: binary.iter().map(|s| s.to_string()).collect(),
            command: command.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn copies_the_named_binaries_with_their_mode_after_the_build() {
        let t = TempDir::new("keep");
        let (dir, out) = (t.0.join("keep"), t.0.join("out"));
        fs::create_dir(&dir).unwrap();
        for (name, body) in [("api", "A"), ("worker", "W"), ("stale", "S")] {
            fs::write(dir.join(name), body).unwrap();
            fs::set_permissions(dir.join(name), fs::Permissions::from_mode(0o755)).unwrap();
        }
        // The "build" rewrites api, as go build does when it links.
        let script = format!("echo A2 > {}/api", dir.display());
        let code = run(&args(
            &dir,
            &out,
            &["api", "worker"],
            &["sh", "-c", &script],
        ))
        .unwrap();
        assert_eq!(code, ExitCode::SUCCESS);
        assert_eq!(fs::read_to_string(out.join("api")).unwrap(), "A2\n");
        assert_eq!(fs::read_to_string(out.join("worker")).unwrap(), "W");
        let mode = fs::metadata(out.join("worker"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o755);
        // Only what the plan names: an old binary in the kept directory stays out.
        assert!(!out.join("stale").exists());
    }

    #[test]
    fn the_build_id_is_read_from_an_elf_note_or_the_raw_mark() {
        let mut elf = vec![0u8; 100];
        // A decoy: the name without the note's header words.
        elf.extend_from_slice(b"Go\0\0xxxx");
        for w in [4u32, 5, 4] {
            elf.extend_from_slice(&w.to_le_bytes());
        }
        elf.extend_from_slice(b"Go\0\0ab/cdEXTRA");
        assert_eq!(elf_note_id(&elf), Some(b"ab/cd".to_vec()));
        assert_eq!(raw_id(&elf), None);
        let mut note_of_another_type = elf.clone();
        note_of_another_type[116..120].copy_from_slice(&3u32.to_le_bytes());
        assert_eq!(elf_note_id(&note_of_another_type), None);
        let mut raw = b"text".to_vec();
        raw.extend_from_slice(BUILD_ID_MARK);
        raw.extend_from_slice(b"x/y/z\"\n");
        assert_eq!(raw_id(&raw), Some(b"x/y/z".to_vec()));
        assert_eq!(elf_note_id(&raw), None);
        assert_eq!(elf_note_id(b"Go\0\0"), None);
    }

    #[test]
    fn linked_are_the_new_and_the_changed() {
        let names: Vec<String> = ["new", "same", "changed"].map(String::from).to_vec();
        let id = |s: &str| Some(s.as_bytes().to_vec());
        assert_eq!(
            linked(
                &names,
                &[None, id("1"), id("2")],
                &[id("0"), id("1"), id("3")]
            ),
            ["new", "changed"]
        );
        assert!(
            linked(
                &names,
                &[id("0"), id("1"), id("2")],
                &[id("0"), id("1"), id("2")]
            )
            .is_empty()
        );
    }

    #[test]
    fn the_summary_names_what_was_linked() {
        assert_eq!(
            summary(&["api"], 3),
            "linked 1 of 3 binaries (api), 2 already up to date"
        );
        assert_eq!(
            summary(&[], 1),
            "linked 0 of 1 binary, 1 already up to date"
        );
        assert_eq!(summary(&["a", "b"], 2), "linked 2 of 2 binaries (a, b)");
    }

    #[test]
    fn a_binary_is_linked_when_its_build_id_changes_or_it_appears() {
        let t = TempDir::new("keep-ids");
        let names = vec!["a".to_string(), "b".to_string(), "c".to_string()];
        let exe = |id: &str| {
            let mut b = vec![0u8; 4096];
            b.extend_from_slice(BUILD_ID_MARK);
            b.extend_from_slice(id.as_bytes());
            b.extend_from_slice(b"\"\n \xff");
            b.extend(vec![7u8; 100_000]);
            b
        };
        fs::write(t.0.join("a"), exe("aa/bb/cc/dd")).unwrap();
        fs::write(t.0.join("c"), b"no id here").unwrap();
        let before = build_ids(&t.0, &names);
        assert_eq!(
            before,
            [Some(b"aa/bb/cc/dd".to_vec()), None, None],
            "a missing file or one without an id has none"
        );
        let dir = t.0.display().to_string();
        // The "build" writes b and leaves a alone (it only touches it).
        let script = format!(
            "touch {dir}/a; printf '\\377 Go build ID: \"x/y\"' > {dir}/b; cp {dir}/b {dir}/c"
        );
        let out = t.0.join("out");
        let code = run(&args(&t.0, &out, &["a", "b", "c"], &["sh", "-c", &script])).unwrap();
        assert_eq!(code, ExitCode::SUCCESS);
        assert_eq!(build_ids(&t.0, &names)[1], Some(b"x/y".to_vec()));
        // A new id in a: linked.
        fs::write(t.0.join("a"), exe("aa/bb/cc/ee")).unwrap();
        assert_ne!(build_ids(&t.0, &names)[0], before[0]);
    }

    #[test]
    fn the_digests_are_written_beside_the_binaries_and_hashed_only_for_a_new_build_id() {
        let t = TempDir::new("keep-sums");
        let (dir, out) = (t.0.join("keep"), t.0.join("out"));
        fs::create_dir(&dir).unwrap();
        let exe = |id: &str| {
            let mut b = BUILD_ID_MARK.to_vec();
            b.extend_from_slice(id.as_bytes());
            b.extend_from_slice(b"\"\n");
            b
        };
        fs::write(dir.join("same"), exe("s/1")).unwrap();
        fs::write(dir.join("relinked"), exe("r/1")).unwrap();
        // What an earlier run recorded: made-up digests, so that a reuse
        // shows (a hash of the file would give others).
        let recorded = |name: &str, id: &str| Entry {
            name: name.into(),
            build_id: Some(id.as_bytes().to_vec()),
            digests: FileDigests {
                sha256: "1".repeat(64),
                sha1: "2".repeat(40),
            },
        };
        fs::write(
            dir.join(sums::FILE),
            sums::render(&[recorded("same", "s/1"), recorded("relinked", "r/1")]),
        )
        .unwrap();
        let script = format!(
            "printf '\\377 Go build ID: \"r/2\"' > {}/relinked; printf 'no id' > {}/new",
            dir.display(),
            dir.display()
        );
        let code = run(&args(
            &dir,
            &out,
            &["same", "relinked", "new"],
            &["sh", "-c", &script],
        ))
        .unwrap();
        assert_eq!(code, ExitCode::SUCCESS);
        let written = sums::parse(&fs::read_to_string(out.join(sums::FILE)).unwrap()).unwrap();
        let hashed = |name: &str| FileDigests::of(&fs::read(out.join(name)).unwrap());
        assert_eq!(
            written,
            [
                recorded("same", "s/1"),
                Entry {
                    name: "relinked".into(),
                    build_id: Some(b"r/2".to_vec()),
                    digests: hashed("relinked"),
                },
                Entry {
                    name: "new".into(),
                    build_id: None,
                    digests: hashed("new"),
                },
            ]
        );
        assert_eq!(
            hashed("new").sha256,
            // sha256("no id")
            crate::sbom::lower_hex(&<sha2::Sha256 as sha2::Digest>::digest(b"no id"))
        );
        assert_eq!(
            fs::read(out.join("relinked")).unwrap(),
            fs::read(dir.join("relinked")).unwrap()
        );
        // The kept directory records the same, for the next run.
        assert_eq!(
            fs::read_to_string(dir.join(sums::FILE)).unwrap(),
            sums::render(&written)
        );
    }

    #[test]
    fn a_failing_build_keeps_its_exit_code_and_copies_nothing() {
        let t = TempDir::new("keep");
        let (dir, out) = (t.0.join("keep"), t.0.join("out"));
        fs::create_dir(&dir).unwrap();
        fs::write(dir.join("api"), "old").unwrap();
        let code = run(&args(&dir, &out, &["api"], &["sh", "-c", "exit 3"])).unwrap();
        assert_eq!(code, ExitCode::from(3));
        assert!(!out.join("api").exists());
    }

    #[test]
    fn binary_names_that_leave_out_are_refused_before_the_build() {
        let t = TempDir::new("keep-names");
        let (dir, out) = (t.0.join("keep"), t.0.join("out"));
        fs::create_dir(&dir).unwrap();
        let ran = t.0.join("ran");
        let script = format!("touch {}", ran.display());
        for name in ["../x", "/etc/passwd", "a/b", "", ".", "..", "a\0b"] {
            let err = run(&args(&dir, &out, &[name], &["sh", "-c", &script])).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!(
                    "--binary {name:?} is not a file name (it must not be empty, \".\" or \"..\", nor hold '/'), so it would leave --out"
                )
            );
        }
        let err = run(&args(
            &dir,
            &out,
            &[".gofront-sums"],
            &["sh", "-c", &script],
        ))
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "--binary \".gofront-sums\" is the name of the file gofront keep writes the binaries' digests to"
        );
        assert!(!ran.exists(), "the build ran");
        assert!(!out.exists());
    }

    #[test]
    fn the_kept_directory_cannot_be_the_output() {
        let t = TempDir::new("keep-same");
        let dir = t.0.join("keep");
        fs::create_dir(&dir).unwrap();
        fs::write(dir.join("api"), "binary").unwrap();
        std::os::unix::fs::symlink(&dir, t.0.join("link")).unwrap();
        let same = [
            dir.display().to_string(),
            format!("{}/", dir.display()),
            format!("{}/./", dir.display()),
            t.0.join("link").display().to_string(),
            format!("{}/../keep", dir.display()),
        ];
        for out in same {
            let a = KeepArgs {
                out: out.clone(),
                ..args(&dir, &dir, &["api"], &["true"])
            };
            let err = run(&a).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!(
                    "--dir and --out are the same directory ({out}), so each binary would be copied onto itself and emptied"
                )
            );
        }
        // The binary was not emptied.
        assert_eq!(fs::read_to_string(dir.join("api")).unwrap(), "binary");
    }

    fn mkfifo(path: &Path) {
        let made = Command::new("mkfifo").arg(path).status().unwrap();
        assert!(made.success(), "mkfifo {}", path.display());
    }

    #[test]
    fn a_named_pipe_where_a_binary_is_expected_is_refused_without_opening_it() {
        let t = TempDir::new("keep-fifo");
        let (dir, out) = (t.0.join("keep"), t.0.join("out"));
        fs::create_dir(&dir).unwrap();
        mkfifo(&dir.join("api"));
        // Read before and after the build, and copied: each would block.
        let err = run(&args(&dir, &out, &["api"], &["true"])).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{}/api is a named pipe, not a regular file; gofront keep copies only the regular files go build writes",
                dir.display()
            )
        );
        // A device behind a link.
        fs::remove_file(dir.join("api")).unwrap();
        std::os::unix::fs::symlink("/dev/zero", dir.join("api")).unwrap();
        let err = run(&args(&dir, &out, &["api"], &["true"])).unwrap_err();
        assert!(err.to_string().ends_with("/api is a symbolic link, not a regular file; gofront keep copies only the regular files go build writes"), "{err}");
        // A pipe where the copy goes.
        fs::remove_file(dir.join("api")).unwrap();
        fs::write(dir.join("api"), "binary").unwrap();
        fs::create_dir_all(&out).unwrap();
        mkfifo(&out.join("api"));
        let err = run(&args(&dir, &out, &["api"], &["true"])).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{}/api is a named pipe, not a regular file; gofront keep writes the binaries there",
                out.display()
            )
        );
        // A pipe named like the digests file is replaced, never read.
        fs::remove_file(out.join("api")).unwrap();
        mkfifo(&dir.join(sums::FILE));
        mkfifo(&out.join(sums::FILE));
        assert_eq!(
            run(&args(&dir, &out, &["api"], &["true"])).unwrap(),
            ExitCode::SUCCESS
        );
        for d in [&dir, &out] {
            let text = fs::read_to_string(d.join(sums::FILE)).unwrap();
            assert!(text.starts_with("api "), "{text}");
        }
    }

    #[test]
    fn a_binary_the_build_did_not_write_is_an_error_naming_it() {
        let t = TempDir::new("keep");
        let (dir, out) = (t.0.join("keep"), t.0.join("out"));
        let err = run(&args(&dir, &out, &["api"], &["true"])).unwrap_err();
        assert!(err.to_string().contains("keep/api"), "{err}");
        let err = run(&args(&dir, &out, &["api"], &["/no/such/go"])).unwrap_err();
        assert!(
            err.to_string().starts_with("cannot run /no/such/go"),
            "{err}"
        );
    }
}
