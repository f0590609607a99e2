//! `[data.libsvm]`: a LIBSVM / SVMlight file as the data source (ids as given), read by
//! `features::libsvm_data`: the training file shuffled by each grid seed into training and
//! validation (and test, without `test_file`), labels made 0/1 for the logistic loss, feature
//! names from an optional names file.

use std::path::Path;

use serde::{Deserialize, Serialize};

/// The `[data.libsvm]` table.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LibsvmSpec {
    /// The training file, relative to the data directory (or beside the spec).
    pub file: String,
    /// The test file, kept whole; without it `test_fraction` of `file` is the test split.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_file: Option<String>,
    /// Share of `file`'s rows for validation.
    #[serde(default = "default_fraction")]
    pub validation_fraction: f64,
    /// Share of `file`'s rows for test (only without `test_file`).
    #[serde(default = "default_fraction")]
    pub test_fraction: f64,
    /// One feature name per line: line i names index i.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub names: Option<String>,
    /// Read at most this many rows of each file (`--quick` sets it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_rows: Option<u64>,
}

fn default_fraction() -> f64 {
    0.2
}

impl LibsvmSpec {
    /// Every file the source reads, relative to the data directory.
    pub fn files(&self) -> Vec<&str> {
        [Some(self.file.as_str()), self.test_file.as_deref(), self.names.as_deref()]
            .into_iter()
            .flatten()
            .collect()
    }

    /// The loader's source in `data_dir` for `seed`; `binary` for the logistic loss.
    pub fn source(
        &self,
        data_dir: &Path,
        seed: u64,
        binary: bool,
    ) -> features::libsvm_data::LibsvmSource {
        features::libsvm_data::LibsvmSource {
            file: data_dir.join(&self.file),
            test_file: self.test_file.as_ref().map(|f| data_dir.join(f)),
            validation_fraction: self.validation_fraction,
            test_fraction: self.test_fraction,
            names: self.names.as_ref().map(|f| data_dir.join(f)),
            max_rows: self.max_rows,
            binary,
            seed,
        }
    }

    /// The fractions and `max_rows` in range (the files are read when the data set is built).
    pub fn check(&self) -> anyhow::Result<()> {
        let open = |v: f64| v > 0.0 && v < 1.0;
        if !open(self.validation_fraction) {
            anyhow::bail!(
                "`data.libsvm.validation_fraction` must be in (0, 1), got {}",
                self.validation_fraction
            );
        }
        if self.test_file.is_none()
            && !(open(self.test_fraction) && self.test_fraction + self.validation_fraction < 1.0)
        {
            anyhow::bail!(
                "`data.libsvm.test_fraction` must be in (0, 1) and leave training rows with \
                 `validation_fraction` (their sum below 1), got {} and {}; or give `test_file`",
                self.test_fraction,
                self.validation_fraction
            );
        }
        if self.max_rows == Some(0) {
            anyhow::bail!("`data.libsvm.max_rows` must be >= 1");
        }
        Ok(())
    }
}
