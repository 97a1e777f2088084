//! BuildKit's JSON shapes for subrequest answers
//! (`frontend/subrequests/*.go`, and solver/pb's `Location` as Go's
//! encoding/json writes it: `omitempty` on every protobuf field), and the
//! text renderings BuildKit's `Print*` functions make of them.

use serde::Serialize;

/// `subrequests.Request`.
#[derive(Debug, Serialize)]
pub(super) struct Request {
    pub(super) name: &'static str,
    pub(super) version: &'static str,
    #[serde(rename = "type")]
    pub(super) kind: &'static str,
    pub(super) description: &'static str,
    pub(super) opts: Option<Vec<Named>>,
    pub(super) inputs: Option<Vec<Named>>,
    pub(super) metadata: Option<Vec<Named>>,
    pub(super) refs: Option<Vec<Named>>,
}

/// `subrequests.Named`.
#[derive(Debug, Serialize)]
pub(super) struct Named {
    pub(super) name: &'static str,
    pub(super) description: &'static str,
}

/// `pb.Location`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub(super) struct Location {
    #[serde(rename = "sourceIndex", skip_serializing_if = "is_zero")]
    pub(super) source_index: i32,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) ranges: Vec<Range>,
}

/// `pb.Range`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub(super) struct Range {
    pub(super) start: Position,
    pub(super) end: Position,
}

/// `pb.Position`: 1-based line, 0-based character.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub(super) struct Position {
    #[serde(skip_serializing_if = "is_zero")]
    pub(super) line: i32,
    #[serde(skip_serializing_if = "is_zero")]
    pub(super) character: i32,
}

pub(super) fn is_zero(n: &i32) -> bool {
    *n == 0
}

/// `pb.SourceInfo` (`data` is base64, as Go writes `[]byte`).
#[derive(Debug, Serialize)]
pub(super) struct SourceInfo {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub(super) filename: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub(super) data: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub(super) language: String,
}

/// `targets.List`.
#[derive(Debug, Serialize)]
pub(super) struct TargetList {
    pub(super) targets: Vec<TargetInfo>,
    pub(super) sources: Vec<String>,
}

/// `targets.Target`.
#[derive(Debug, Serialize)]
pub(super) struct TargetInfo {
    pub(super) name: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub(super) default: bool,
    pub(super) description: String,
}

/// `outline.Outline`.
#[derive(Debug, Serialize)]
pub(super) struct Outline {
    pub(super) name: String,
    pub(super) description: String,
    pub(super) args: Vec<Arg>,
    pub(super) sources: Vec<String>,
}

/// `outline.Arg`.
#[derive(Debug, Serialize)]
pub(super) struct Arg {
    pub(super) name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub(super) description: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub(super) value: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) location: Option<Location>,
}

/// `lint.LintResults`.
#[derive(Debug, Serialize)]
pub(super) struct LintResults {
    pub(super) warnings: Vec<Warning>,
    pub(super) sources: Vec<SourceInfo>,
    #[serde(rename = "buildError", skip_serializing_if = "Option::is_none")]
    pub(super) build_error: Option<BuildError>,
}

/// `lint.Warning`. Its location is never left out: buildx reads
/// `location.sourceIndex` of every warning.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub(super) struct Warning {
    #[serde(rename = "ruleName")]
    pub(super) rule_name: &'static str,
    pub(super) description: &'static str,
    pub(super) detail: String,
    pub(super) location: Location,
}

/// `lint.BuildError`.
#[derive(Debug, Serialize)]
pub(super) struct BuildError {
    pub(super) message: String,
    pub(super) location: Location,
}

/// Rows aligned in columns as Go's `tabwriter` aligns them (every cell but
/// the last padded to its column's width plus `padding`).
pub(super) fn columns(rows: &[Vec<String>], padding: usize) -> String {
    let mut widths: Vec<usize> = Vec::new();
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(row.len().saturating_sub(1)) {
            let w = cell.chars().count();
            match widths.get_mut(i) {
                Some(max) => *max = (*max).max(w),
                None => widths.push(w),
            }
        }
    }
    let mut out = String::new();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            out.push_str(cell);
            if i + 1 < row.len() {
                let width = widths.get(i).copied().unwrap_or(0) + padding;
                let pad = width.saturating_sub(cell.chars().count());
                out.push_str(&" ".repeat(pad));
            }
        }
        out.push('\n');
    }
    out
}

/// Standard base64 with padding, as Go's encoding/json writes `[]byte`.
pub(super) fn base64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
