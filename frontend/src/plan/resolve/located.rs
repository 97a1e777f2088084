//! Where in the spec: the lines of a section, a problem at a key.

use crate::llb::SourceRange;
use crate::plan::types::PlanInputs;
use crate::spec::keys::Key;
use crate::spec::{Field, Origin, Problem};

/// The spec lines where `section` is written, from the parsed spec's
/// spans (TOML or JSON); `None` when the spec file does not write it.
pub(super) fn section_lines(inp: &PlanInputs<'_>, section: &str) -> Option<Vec<SourceRange>> {
    let ranges: Vec<SourceRange> = inp
        .spec
        .section_spans(section)
        .iter()
        .map(|r| SourceRange {
            start: crate::spec::line_col(inp.spec_text, r.start).line as u32,
            end: crate::spec::line_col(inp.spec_text, r.end.saturating_sub(1).max(r.start)).line
                as u32,
        })
        .collect();
    (!ranges.is_empty()).then_some(ranges)
}

/// The spec lines a value is written on; `None` for a build arg.
pub(super) fn origin_lines(inp: &PlanInputs<'_>, origin: &Origin) -> Option<Vec<SourceRange>> {
    let Origin::File(r) = origin else {
        return None;
    };
    let line = |offset: usize| crate::spec::line_col(inp.spec_text, offset).line as u32;
    Some(vec![SourceRange {
        start: line(r.start),
        end: line(r.end.saturating_sub(1).max(r.start)),
    }])
}

pub(super) fn problem<T>(field: &Field<T>, key: &Key, message: String) -> Problem {
    Problem {
        origin: field.origin.clone(),
        key: key.dotted(),
        message,
    }
}
