//! `features.md`: what the feature columns of each real data set became when they were fitted on
//! its training split: every bucketizer's boundaries, every vocabulary's size, every group's
//! number of ids, and the loader's warnings (columns with fewer buckets than asked).

use std::fmt::Write;

use features::space::ColumnEncoding;
use features::{FeatureSpace, GroupKind};

/// The section of one data set, without its title.
pub fn section(space: &FeatureSpace, warnings: &[String]) -> String {
    let mut md = String::new();
    for warning in warnings {
        let _ = writeln!(md, "**Warning:** {warning}\n");
    }
    let _ = writeln!(md, "| column | encoding | buckets | boundaries / vocabulary |");
    let _ = writeln!(md, "|---|---|---:|---|");
    for column in space.columns() {
        let (kind, detail) = match &column.encoding {
            ColumnEncoding::Buckets(b) => {
                let shown: Vec<String> = b.boundaries().iter().map(|x| format!("{x}")).collect();
                let missing = if b.has_missing_bucket() { " + missing bucket" } else { "" };
                ("buckets", format!("{}{missing}", shown.join(", ")))
            }
            ColumnEncoding::Categorical(v) => {
                let missing = if v.has_missing_bucket() { " + missing bucket" } else { "" };
                ("vocabulary", format!("{} values + OOV{missing}", v.values().len()))
            }
            ColumnEncoding::Hashed(h) => {
                let missing = if h.has_missing_bucket() { " + missing bucket" } else { "" };
                ("hashed", format!("{} hash buckets{missing}", h.buckets()))
            }
        };
        let _ = writeln!(md, "| {} | {kind} | {} | {detail} |", column.name, column.size());
    }
    let _ = writeln!(md, "\n| group | kind | ids |");
    let _ = writeln!(md, "|---|---|---:|");
    for group in space.groups() {
        let kind = match &group.kind {
            GroupKind::Column(_) => "one-hot".to_string(),
            GroupKind::ExactCross(c) => format!("exact cross of {}", c.len()),
            GroupKind::HashedCross { columns, buckets } => {
                format!("cross of {} hashed into {buckets}", columns.len())
            }
        };
        let _ = writeln!(md, "| {} | {kind} | {} |", group.name, group.size);
    }
    let _ = writeln!(md, "\nDimension {}.\n", space.dimension());
    md
}

/// The whole file from its sections, each `(title, body)` with a title such as
/// `california_housing_train, seed 1` (a body identical to an earlier one, e.g. of seeds that see
/// the same data, is not repeated).
pub fn render(experiment: &str, sections: &[(String, String)]) -> String {
    let mut md = format!(
        "# {experiment}: fitted feature columns\n\nFitted on each data set's training split \
         only. A bucket `[a,b)` holds a <= x < b; a quantile column whose value repeats (a mass \
         point) gives that value a bucket of its own.\n\n"
    );
    for (i, (title, body)) in sections.iter().enumerate() {
        match sections[..i].iter().find(|(_, earlier)| earlier == body) {
            Some((first, _)) => {
                let _ = writeln!(md, "## {title}\n\nSame as {first}.\n");
            }
            None => {
                let _ = write!(md, "## {title}\n\n{body}");
            }
        }
    }
    md
}
