//! Go's test log, as the go command stores it in the cache (`# test log`,
//! then `getenv`, `stat`, `open`, `chdir` lines, cmd/go/internal/test and
//! internal/testlog): which files a test read outside the build context.
//! Go keys a cached test result by the files it opened only inside the
//! module (and GOPATH, GOROOT); a file elsewhere can change without the
//! result being run again, so the test step says which.

use std::path::Path;

/// The first line of every test log.
pub const HEADER: &str = "# test log\n";

/// Directories whose files a test may open without their content being an
/// input worth keying: devices, kernel views, and scratch space.
const IGNORED: &[&str] = &["/dev", "/proc", "/sys", "/tmp"];

/// The absolute paths a test log says were opened or stat'ed outside
/// `context` (and outside [`IGNORED`] and `also_ignored`), in log order,
/// each once. `None` when `text` is not a test log.
pub fn outside_reads(text: &str, context: &Path, also_ignored: &[&Path]) -> Option<Vec<String>> {
    let body = text.strip_prefix(HEADER)?;
    let mut out: Vec<String> = Vec::new();
    for line in body.lines() {
        let Some((op, path)) = line.split_once(' ') else {
            continue;
        };
        if !matches!(op, "open" | "stat") || !path.starts_with('/') {
            // A relative path is taken for one below the test's own
            // directory (a test that changes directory first is not
            // followed).
            continue;
        }
        let p = Path::new(path);
        let ignored = p.starts_with(context)
            || IGNORED.iter().any(|d| p.starts_with(d))
            || also_ignored.iter().any(|d| p.starts_with(d));
        if !ignored && !out.iter().any(|o| o == path) {
            out.push(path.to_string());
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_outside_the_context_are_listed_once_in_order() {
        let log = "# test log\ngetenv HOME\nopen testdata/x.json\nopen /src/a/b.txt\nstat /etc/hosts\nopen /etc/ssl/certs/ca.pem\nopen /etc/hosts\nopen /dev/null\nopen /proc/self/status\nopen /tmp/TestX123/f\nchdir /etc\nopen /go/pkg/mod/x\n";
        let got = outside_reads(log, Path::new("/src"), &[Path::new("/go")]);
        assert_eq!(
            got,
            Some(vec![
                "/etc/hosts".to_string(),
                "/etc/ssl/certs/ca.pem".to_string()
            ])
        );
    }

    #[test]
    fn only_a_test_log_is_read() {
        assert_eq!(
            outside_reads("open /etc/hosts\n", Path::new("/src"), &[]),
            None
        );
        assert_eq!(
            outside_reads("# test log\n", Path::new("/src"), &[]),
            Some(vec![])
        );
        // A path that only shares a prefix with the context is outside it.
        assert_eq!(
            outside_reads("# test log\nopen /srcx/a\n", Path::new("/src"), &[]),
            Some(vec!["/srcx/a".to_string()])
        );
    }
}
