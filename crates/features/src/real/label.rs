//! The label rule: `numeric` (the column's value, for squared loss), a comparison with a
//! threshold (`> 265000`, `>= 15`, `< 0`, `<= 1`, `== 1`, `!= 0`) giving 1 when it holds, else 0,
//! or the texts of the two classes (`positive = ["yes"]`, `negative = ["no"]`).

use super::spec::LabelSpec;
use crate::error::{invalid, FeaturesError};

/// The texts of the two classes, normalized (trimmed, one trailing `.` dropped if asked).
#[derive(Debug, Clone, PartialEq)]
pub struct LabelClasses {
    positive: Vec<String>,
    negative: Vec<String>,
    ignore_trailing_dot: bool,
}

impl LabelClasses {
    fn normalize<'a>(&self, text: &'a str) -> &'a str {
        let text = text.trim();
        match self.ignore_trailing_dot {
            true => text.strip_suffix('.').unwrap_or(text),
            false => text,
        }
    }

    /// 1 for a positive text, 0 for a negative one, `None` for anything else.
    pub fn label_of(&self, text: &str) -> Option<f64> {
        let text = self.normalize(text);
        if self.positive.iter().any(|p| p == text) {
            Some(1.0)
        } else if self.negative.iter().any(|n| n == text) {
            Some(0.0)
        } else {
            None
        }
    }

    /// `positive [">50K"], negative ["<=50K"]`, for error messages.
    pub fn describe(&self) -> String {
        format!("positive {:?}, negative {:?}", self.positive, self.negative)
    }
}

/// A parsed label rule.
#[derive(Debug, Clone, PartialEq)]
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
    /// 1 for a text of the positive class, 0 for one of the negative class.
    Classes(LabelClasses),
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
    /// The rule of a label spec: exactly one of `rule` and the pair `positive`/`negative`. Errors
    /// name the field.
    pub fn from_spec(spec: &LabelSpec) -> Result<Self, FeaturesError> {
        match (&spec.rule, &spec.positive, &spec.negative) {
            (Some(rule), None, None) => Self::parse(rule),
            (None, Some(positive), Some(negative)) => {
                let mut classes = LabelClasses {
                    positive: Vec::new(),
                    negative: Vec::new(),
                    ignore_trailing_dot: spec.ignore_trailing_dot,
                };
                let normalized = |field: &str, texts: &[String]| {
                    if texts.is_empty() {
                        return Err(invalid(
                            format!("schema.label.{field}"),
                            "list at least one text of the class",
                        ));
                    }
                    Ok(texts.iter().map(|t| classes.normalize(t).to_owned()).collect::<Vec<_>>())
                };
                let (p, n) = (normalized("positive", positive)?, normalized("negative", negative)?);
                if let Some(both) = p.iter().find(|t| n.contains(t)) {
                    return Err(invalid(
                        "schema.label",
                        format!("`{both}` is in both `positive` and `negative`"),
                    ));
                }
                (classes.positive, classes.negative) = (p, n);
                Ok(Self::Classes(classes))
            }
            (None, Some(_), None) | (None, None, Some(_)) => Err(invalid(
                "schema.label",
                "set both `positive` and `negative` (the texts of each class; any other value \
                 is an error naming its line)",
            )),
            _ => Err(invalid(
                "schema.label",
                "set exactly one of `rule` (numeric labels) and `positive` + `negative` \
                 (text labels)",
            )),
        }
    }

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
        matches!(self, Self::Compare { .. } | Self::Classes(_))
    }

    /// The label of a number (a text rule gives it back unchanged: use [`LabelClasses`]).
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

    fn label(
        rule: Option<&str>,
        pos: Option<&[&str]>,
        neg: Option<&[&str]>,
        dot: bool,
    ) -> LabelSpec {
        let texts = |t: Option<&[&str]>| t.map(|t| t.iter().map(|s| s.to_string()).collect());
        LabelSpec {
            column: "y".into(),
            rule: rule.map(str::to_owned),
            positive: texts(pos),
            negative: texts(neg),
            ignore_trailing_dot: dot,
        }
    }

    #[test]
    fn text_classes_are_trimmed_and_may_ignore_a_trailing_dot() {
        let spec = label(None, Some(&[">50K"]), Some(&["<=50K"]), true);
        let LabelRule::Classes(classes) = LabelRule::from_spec(&spec).unwrap() else {
            panic!("classes")
        };
        assert_eq!(classes.label_of(" >50K."), Some(1.0));
        assert_eq!(classes.label_of("<=50K"), Some(0.0));
        assert_eq!(classes.label_of("50K"), None);
        let strict = label(None, Some(&["yes"]), Some(&["no"]), false);
        let LabelRule::Classes(classes) = LabelRule::from_spec(&strict).unwrap() else {
            panic!("classes")
        };
        assert_eq!((classes.label_of(" yes "), classes.label_of("yes.")), (Some(1.0), None));
    }

    #[test]
    fn label_specs_need_one_kind_of_rule() {
        for (spec, field) in [
            (label(Some("> 1"), Some(&["a"]), Some(&["b"]), false), "exactly one"),
            (label(None, Some(&["a"]), None, false), "set both"),
            (label(None, None, None, false), "exactly one"),
            (label(None, Some(&["a"]), Some(&["a "]), false), "in both"),
            (label(None, Some(&[]), Some(&["b"]), false), "schema.label.positive"),
        ] {
            let err = LabelRule::from_spec(&spec).unwrap_err().to_string();
            assert!(err.contains(field), "{err}");
        }
    }
}
