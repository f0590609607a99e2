//! The label rule: `numeric` (the column's value, for squared loss) or a comparison with a
//! threshold (`> 265000`, `>= 15`, `< 0`, `<= 1`, `== 1`, `!= 0`) giving 1 when it holds, else 0.

use crate::error::{invalid, FeaturesError};

/// A parsed label rule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LabelRule {
    /// The value itself.
    Numeric,
    /// 1 when `value <op> threshold` holds, else 0.
    Compare {
        /// The comparison.
        op: Comparison,
        /// The threshold.
        threshold: f64,
    },
}

/// Comparison operators of a binary label rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// `>`
    Greater,
    /// `>=`
    GreaterOrEqual,
    /// `<`
    Less,
    /// `<=`
    LessOrEqual,
    /// `==`
    Equal,
    /// `!=`
    NotEqual,
}

impl LabelRule {
    /// Parses a rule; the error names `schema.label.rule` and shows what is accepted.
    pub fn parse(rule: &str) -> Result<Self, FeaturesError> {
        let rule = rule.trim();
        if rule == "numeric" {
            return Ok(Self::Numeric);
        }
        // Two-character operators first, so `>=` is not read as `>` followed by `=...`.
        let ops = [
            (">=", Comparison::GreaterOrEqual),
            ("<=", Comparison::LessOrEqual),
            ("==", Comparison::Equal),
            ("!=", Comparison::NotEqual),
            (">", Comparison::Greater),
            ("<", Comparison::Less),
        ];
        let parsed = ops.iter().find_map(|&(text, op)| {
            let threshold = rule.strip_prefix(text)?.trim().parse::<f64>().ok()?;
            threshold.is_finite().then_some(Self::Compare { op, threshold })
        });
        parsed.ok_or_else(|| {
            invalid(
                "schema.label.rule",
                format!(
                    "cannot parse `{rule}`: expected `numeric` or one of >, >=, <, <=, ==, != \
                     followed by a finite number, e.g. `> 265000`"
                ),
            )
        })
    }

    /// Whether labels are 0/1.
    pub fn is_binary(&self) -> bool {
        matches!(self, Self::Compare { .. })
    }

    /// The label of a value.
    #[inline]
    pub fn apply(&self, value: f64) -> f64 {
        let Self::Compare { op, threshold } = *self else { return value };
        let holds = match op {
            Comparison::Greater => value > threshold,
            Comparison::GreaterOrEqual => value >= threshold,
            Comparison::Less => value < threshold,
            Comparison::LessOrEqual => value <= threshold,
            Comparison::Equal => value == threshold,
            Comparison::NotEqual => value != threshold,
        };
        f64::from(u8::from(holds))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_parse_and_apply() {
        let rule = LabelRule::parse("> 265000").unwrap();
        assert_eq!((rule.apply(265000.0), rule.apply(265000.5)), (0.0, 1.0));
        let rule = LabelRule::parse(">=15").unwrap();
        assert_eq!((rule.apply(14.0), rule.apply(15.0)), (0.0, 1.0));
        assert_eq!(LabelRule::parse("!= 0").unwrap().apply(2.0), 1.0);
        assert_eq!(LabelRule::parse("numeric").unwrap().apply(-3.5), -3.5);
        assert!(!LabelRule::parse("numeric").unwrap().is_binary());
        for bad in ["=> 3", "> abc", "", "> inf", "265000"] {
            let err = LabelRule::parse(bad).unwrap_err().to_string();
            assert!(err.contains("schema.label.rule"), "{err}");
        }
    }
}
