//! Model export: a trained sparse model as CSV (`feature,weight`), the bias first as
//! `(bias)`, then the nonzero weights by id with their readable feature names.

use std::path::Path;

use features::FeatureSpace;
use optimizers::LinearModel;

use crate::report::atomic_write::write_atomic;

/// Writes `model` to `path` atomically. Names that cannot be resolved are written as `#<id>`.
pub fn write_model(path: &Path, model: &LinearModel, space: &FeatureSpace) -> anyhow::Result<()> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(["feature", "weight"])?;
    writer.write_record(["(bias)".to_string(), model.bias.to_string()])?;
    for &(id, weight) in &model.weights {
        let name = space.name(id).unwrap_or_else(|_| format!("#{id}"));
        writer.write_record([name, weight.to_string()])?;
    }
    let bytes = writer.into_inner().map_err(|e| anyhow::anyhow!("cannot render model CSV: {e}"))?;
    write_atomic(path, &bytes)
}
