//! How interchange files write labels: peer tools want 0/1 (liblinear accepts any two values),
//! -1/+1 (Vowpal Wabbit's logistic loss) or the raw value (squared loss).

use serde::{Deserialize, Serialize};

/// Label encoding for LIBSVM and VW output. Binary styles map a label `> 0.5` to the positive
/// class, anything else to the negative one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LabelStyle {
    /// The label's own value, printed exactly.
    #[default]
    AsIs,
    /// `1` or `0`.
    ZeroOne,
    /// `1` or `-1`.
    PlusMinusOne,
}

impl LabelStyle {
    /// The label as the file should show it.
    pub fn apply(self, label: f64) -> f64 {
        let positive = label > 0.5;
        match self {
            LabelStyle::AsIs => label,
            LabelStyle::ZeroOne => f64::from(u8::from(positive)),
            LabelStyle::PlusMinusOne => {
                if positive {
                    1.0
                } else {
                    -1.0
                }
            }
        }
    }
}
