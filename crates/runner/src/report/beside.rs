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
    let pairs = shared_charts(report_charts(left)?, report_charts(right)?);
    let mut written = Vec::new();
    for (chart, other) in &pairs {
        written.extend(plots::render_beside(out, &chart.stem, chart, other)?);
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

/// The charts both lists have (same stem), in the left list's order.
fn shared_charts(left: Vec<Chart>, right: Vec<Chart>) -> Vec<(Chart, Chart)> {
    let mut right = right;
    left.into_iter()
        .filter_map(|chart| {
            let at = right.iter().position(|c| c.stem == chart.stem)?;
            Some((chart, right.swap_remove(at)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::RunRecord;

    /// A report directory under the temporary directory holding `runs.csv` of one method at
    /// k = 2 and 3, its model `bytes` at each k.
    fn report(name: &str, bytes: [u64; 2]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("beside-{}-{name}", std::process::id()));
        let rows: Vec<RunRecord> = [2u32, 3]
            .iter()
            .zip(bytes)
            .map(|(&k, b)| {
                let mut r = RunRecord::placeholder();
                (r.k, r.regularizer, r.optimizer) = (Some(k), "l1".into(), "ftrl".into());
                (r.selected, r.seed, r.lambda) = (true, 1, 0.1);
                (r.model_bytes_sparse, r.model_bytes_dense) = (b, 4 * u64::from(k).pow(k));
                (r.nonzero_weights, r.features_touched, r.log_loss) = (b / 16, b / 8, 0.5);
                r
            })
            .collect();
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("runs.csv"), record::to_csv(&rows).unwrap()).unwrap();
        dir
    }

    #[test]
    fn the_charts_both_reports_draw_are_paired_with_their_titles() {
        let (left, right) = (report("uniform", [160, 320]), report("long_tail", [1600, 32000]));
        let mut long_tail = report_charts(&right).unwrap();
        // A chart only one report has is left out.
        long_tail.retain(|c| c.stem != "accuracy_vs_k");
        let pairs = shared_charts(report_charts(&left).unwrap(), long_tail);
        let stems: Vec<&str> = pairs.iter().map(|(a, _)| a.stem.as_str()).collect();
        assert!(stems.contains(&"memory_vs_k") && stems.contains(&"path_k02"), "{stems:?}");
        assert!(!stems.contains(&"accuracy_vs_k"));
        for (a, b) in &pairs {
            assert_eq!(a.stem, b.stem);
            assert!(a.title.contains("-uniform: ") && b.title.contains("-long_tail: "));
        }
        for dir in [left, right] {
            std::fs::remove_dir_all(dir).unwrap();
        }
    }

    #[test]
    fn a_missing_report_names_its_directory() {
        let missing = Path::new("/nonexistent/report_a");
        let err = write_beside(missing, missing, Path::new("/tmp/unused")).unwrap_err();
        assert!(format!("{err:#}").contains("report_a"), "{err:#}");
    }
}
