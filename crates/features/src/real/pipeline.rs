//! The fitted feature pipeline of a real data set as plain, serializable data: the schema, the
//! feature-column spec (crosses, hash sizes) and every fitted column (bucket boundaries,
//! vocabularies, missing buckets). [`FeaturePipeline::space`] rebuilds the very same
//! [`FeatureSpace`] (same ids) with the code that built it at training time, and
//! [`FeaturePipeline::read`] turns a new file with the same schema into examples exactly as the
//! training files were, so a saved model scores new data as it scored its test split.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::columns::build_space;
use super::label::LabelRule;
use super::spec::{FeatureColumnsSpec, Schema};
use super::table::{read_table, LabelColumn, TableFile};
use crate::error::FeaturesError;
use crate::space::{Bucketizer, Column, ColumnEncoding, HashedColumn, Vocabulary};
use crate::{FeatureSpace, SparseExample};

/// Everything that turns a CSV row into the ids of a fitted feature space.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeaturePipeline {
    /// Columns, their types, the label rule, missing markers.
    pub schema: Schema,
    /// Which columns are emitted and crossed, hash sizes.
    pub features: FeatureColumnsSpec,
    /// The fitted columns, in the space's column order.
    pub columns: Vec<FittedColumn>,
}

/// One fitted column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FittedColumn {
    /// The column's name (a declared or derived column).
    pub name: String,
    /// What was fitted.
    pub encoding: FittedEncoding,
}

/// What was fitted for one column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum FittedEncoding {
    /// Bucket boundaries (sorted, distinct).
    Buckets {
        /// The boundaries.
        boundaries: Vec<f64>,
        /// Whether a last bucket holds missing values.
        missing_bucket: bool,
    },
    /// The kept categories (an OOV bucket follows them).
    Vocabulary {
        /// The categories, sorted.
        values: Vec<String>,
        /// Whether a last bucket holds missing values.
        missing_bucket: bool,
    },
    /// Hash buckets (`hash_buckets` of a categorical column; nothing fitted).
    Hashed {
        /// The number of hash buckets.
        buckets: u64,
        /// Whether a last bucket holds missing values.
        missing_bucket: bool,
    },
}

/// Examples read from a file by a pipeline.
#[derive(Debug, Clone)]
pub struct ReadExamples {
    /// One example per data row, in file order.
    pub examples: Vec<SparseExample>,
    /// Whether the file had the label column (otherwise every label is NaN).
    pub labelled: bool,
}

impl FeaturePipeline {
    /// The pipeline of a space fitted on data with this schema and feature spec.
    pub fn new(schema: &Schema, features: &FeatureColumnsSpec, space: &FeatureSpace) -> Self {
        let columns = space
            .columns()
            .iter()
            .map(|c| FittedColumn {
                name: c.name.clone(),
                encoding: match &c.encoding {
                    ColumnEncoding::Buckets(b) => FittedEncoding::Buckets {
                        boundaries: b.boundaries().to_vec(),
                        missing_bucket: b.has_missing_bucket(),
                    },
                    ColumnEncoding::Categorical(v) => FittedEncoding::Vocabulary {
                        values: v.values().to_vec(),
                        missing_bucket: v.has_missing_bucket(),
                    },
                    ColumnEncoding::Hashed(h) => FittedEncoding::Hashed {
                        buckets: h.buckets(),
                        missing_bucket: h.has_missing_bucket(),
                    },
                },
            })
            .collect();
        Self { schema: schema.clone(), features: features.clone(), columns }
    }

    /// The feature space, rebuilt (a damaged file is an error naming what is wrong).
    pub fn space(&self) -> Result<FeatureSpace, FeaturesError> {
        let columns = self
            .columns
            .iter()
            .map(|c| {
                let encoding = match &c.encoding {
                    FittedEncoding::Buckets { boundaries, missing_bucket } => {
                        let b = Bucketizer::from_boundaries(boundaries.clone())?;
                        ColumnEncoding::Buckets(if *missing_bucket {
                            b.with_missing_bucket()
                        } else {
                            b
                        })
                    }
                    FittedEncoding::Vocabulary { values, missing_bucket } => {
                        let v = Vocabulary::from_values(values.clone());
                        ColumnEncoding::Categorical(if *missing_bucket {
                            v.with_missing_bucket()
                        } else {
                            v
                        })
                    }
                    FittedEncoding::Hashed { buckets, missing_bucket } => {
                        let h = HashedColumn::new(*buckets)?;
                        ColumnEncoding::Hashed(if *missing_bucket {
                            h.with_missing_bucket()
                        } else {
                            h
                        })
                    }
                };
                Ok(Column { name: c.name.clone(), encoding })
            })
            .collect::<Result<Vec<_>, FeaturesError>>()?;
        build_space(columns, &self.features)
    }

    /// Reads `path` (named `name` in errors), every row, with this pipeline's schema, and
    /// encodes it by the fitted space; the label column is read when the header has it.
    pub fn read(&self, path: &Path, name: &str) -> Result<ReadExamples, FeaturesError> {
        let rule = LabelRule::from_spec(&self.schema.label)?;
        super::validate_schema(&self.schema)?;
        let space = self.space()?;
        let table = read_table(
            &[TableFile { path, name }],
            &self.schema,
            &rule,
            None,
            LabelColumn::IfPresent,
        )?;
        let labelled = table.labels.first().is_some_and(|l| !l.is_nan());
        let rows: Vec<usize> = (0..table.rows()).collect();
        let examples = super::encode(&table, &space, &rows)?;
        Ok(ReadExamples { examples, labelled })
    }
}
