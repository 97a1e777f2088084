//! The command line as text: gofront reads its arguments (and the cache
//! tools theirs, inside build steps) as UTF-8, and refuses one that is not
//! in one sentence naming it, rather than panicking as `std::env::args`
//! does. Imports nothing.

use std::ffi::OsString;

use thiserror::Error;

/// An argument that is not UTF-8 (a Latin-1 directory name, a stray
/// `0xFF` byte).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "{which} is not UTF-8 text ({shown}); gofront reads its command line as UTF-8, so pass the value in UTF-8 (rename a directory whose name is in another encoding)"
)]
pub struct NotUtf8 {
    /// `the value of --context (argument 3)` or `argument 2`.
    pub which: String,
    /// The argument, its bytes that are not UTF-8 escaped (`"caf\xE9"`).
    pub shown: String,
}

/// `args` (without the program) as strings, or the first that is not UTF-8,
/// named by its position and the flag it is the value of (the argument
/// before it, when that starts with `-`).
pub fn utf8_args(args: impl IntoIterator<Item = OsString>) -> Result<Vec<String>, NotUtf8> {
    let mut out: Vec<String> = Vec::new();
    for (i, arg) in args.into_iter().enumerate() {
        match arg.into_string() {
            Ok(s) => out.push(s),
            Err(raw) => {
                let position = i + 1;
                let which = match out.last().filter(|p| p.starts_with('-') && p.len() > 1) {
                    Some(flag) => format!("the value of {flag} (argument {position})"),
                    None => format!("argument {position}"),
                };
                return Err(NotUtf8 {
                    which,
                    // Debug escapes the bytes that are not UTF-8 (`\xE9`).
                    shown: format!("{raw:?}"),
                });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::os::unix::ffi::OsStringExt;

    use super::*;

    fn os(b: &[u8]) -> OsString {
        OsString::from_vec(b.to_vec())
    }

    #[test]
    fn an_argument_that_is_not_utf8_is_named_in_one_sentence() {
        assert_eq!(
            utf8_args([os(b"llb"), os(b"--context"), os(b"caf\xe9")])
                .unwrap_err()
                .to_string(),
            "the value of --context (argument 3) is not UTF-8 text (\"caf\\xE9\"); gofront reads its command line as UTF-8, so pass the value in UTF-8 (rename a directory whose name is in another encoding)"
        );
        assert_eq!(
            utf8_args([os(b"keep"), os(b"\xff")]).unwrap_err(),
            NotUtf8 {
                which: "argument 2".into(),
                shown: "\"\\xFF\"".into(),
            }
        );
        // A lone `-` is a value, not a flag.
        assert_eq!(
            utf8_args([os(b"-"), os(b"\xff")]).unwrap_err().which,
            "argument 2"
        );
        assert_eq!(
            utf8_args([os(b"llb"), os("café".as_bytes())]).unwrap(),
            ["llb", "café"]
        );
        assert_eq!(utf8_args([]).unwrap(), Vec::<String>::new());
    }
}
