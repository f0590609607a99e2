//! "Did you mean" added to the messages of misspelled names: serde's `unknown field `X`,
//! expected one of `a`, `b``, the registries' `unknown … `X` (expected one of: a, b)` and the
//! like; the candidates are the names the message lists (and any the caller adds).

use features::did_you_mean;

/// `message` with `; did you mean `NAME`?` appended when it names an unknown `X` and a listed
/// (or `extra`) name is close to it; unchanged otherwise.
pub fn with_suggestion(message: &str, extra: &[&str]) -> String {
    if message.contains("did you mean") {
        return message.to_string();
    }
    let Some((word, listed)) = unknown_and_listed(message) else {
        return message.to_string();
    };
    let hint = did_you_mean::hint(word, listed.iter().copied().chain(extra.iter().copied()));
    format!("{message}{hint}")
}

/// The unknown name (the first backticked one after "unknown") and the names listed after it:
/// backticked, or comma-separated after "one of: " or "keys: ".
fn unknown_and_listed(message: &str) -> Option<(&str, Vec<&str>)> {
    let after = &message[message.find("unknown ")?..];
    let start = after.find('`')? + 1;
    let len = after[start..].find('`')?;
    let word = &after[start..start + len];
    let rest = &after[start + len + 1..];
    let mut listed: Vec<&str> = rest.split('`').skip(1).step_by(2).collect();
    for marker in ["one of: ", "keys: "] {
        if let Some(at) = rest.find(marker) {
            let list = &rest[at + marker.len()..];
            let end = list.find([')', ';', '(']).unwrap_or(list.len());
            listed.extend(list[..end].split(',').map(str::trim).filter(|s| !s.is_empty()));
        }
    }
    Some((word, listed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_closest_listed_name_is_suggested() {
        let serde = "unknown field `lamdas`, expected one of `online`, `lambdas`";
        assert!(with_suggestion(serde, &[]).ends_with("; did you mean `lambdas`?"));
        let registry = "unknown online optimizer `ftrll` (expected one of: sgd, ftrl, rda)";
        assert!(with_suggestion(registry, &[]).ends_with("did you mean `ftrl`?"));
        let own = "unknown field `ftrl_alpa`, expected `x`; its own keys: ftrl_alpha, ftrl_beta";
        assert!(with_suggestion(own, &[]).ends_with("did you mean `ftrl_alpha`?"));
        let none = "unknown field `lamdas`, there are no fields";
        assert!(with_suggestion(none, &["lambdas"]).ends_with("did you mean `lambdas`?"));
        assert_eq!(with_suggestion(none, &[]), none);
        assert_eq!(
            with_suggestion("unknown field `zzz`, expected `k`", &[]),
            "unknown field `zzz`, expected `k`"
        );
    }
}
