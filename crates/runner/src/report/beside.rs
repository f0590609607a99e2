//! Two reports' charts side by side (`runner beside LEFT RIGHT`): each chart that both reports
//! draw (same file stem, e.g. `memory_vs_k`), left panel from the first report's `runs.csv`,
//! right from the second's, on shared axes, each panel's title prefixed with its report's
//! directory name. Used to set the uniform and the long-tail k sweeps against each other.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::record;
use crate::report::plots::{self, Chart};

/// The charts of the report in `dir` (from its `runs.csv`), titles prefixed with its name.
fn report_charts(dir: &Path) -> anyhow::Result<Vec<Chart>> {
    let runs = dir.join("runs.csv");
    let rows = record::read_csv(&runs)
        .with_context(|| format!("cannot read the report {}", dir.display()))?;
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(plots::charts(&rows)
        .into_iter()
        .map(|mut chart| {
            chart.title = format!("{name}: {}", chart.title);
            chart
        })
        .collect())
}

/// Draws every chart both reports have into `out` (SVG and PNG each); returns the files
/// written. An error when the reports share no chart.
pub fn write_beside(left: &Path, right: &Path, out: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let (left_charts, right_charts) = (report_charts(left)?, report_charts(right)?);
    let mut written = Vec::new();
    for chart in &left_charts {
        if let Some(other) = right_charts.iter().find(|c| c.stem == chart.stem) {
            written.extend(plots::render_beside(out, &chart.stem, chart, other)?);
        }
    }
    if written.is_empty() {
        anyhow::bail!(
            "{} and {} have no chart in common (no runs over the same k?)",
            left.display(),
            right.display()
        );
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_report_names_its_directory() {
        let missing = Path::new("/nonexistent/report_a");
        let err = write_beside(missing, missing, Path::new("/tmp/unused")).unwrap_err();
        assert!(format!("{err:#}").contains("report_a"), "{err:#}");
    }
}
