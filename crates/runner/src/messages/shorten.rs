//! Quoted values cut to a readable length: an error that quotes a field of a data or spec file
//! (`"…"` or `` `…` ``) must not echo a 1 GiB field whole.

/// Characters of a quoted value kept in a message.
pub const QUOTED_CHARS: usize = 100;

/// Characters of one line of a message kept (a long unquoted run, e.g. a parser's echo).
pub const LINE_CHARS: usize = 2000;

/// `text` with every quoted value longer than [`QUOTED_CHARS`] characters cut to them followed
/// by `… (N bytes)`, and every line longer than [`LINE_CHARS`] cut the same way.
pub fn shorten_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(4 * LINE_CHARS));
    let mut rest = text;
    while let Some(open) = rest.find(['"', '`']) {
        out.push_str(&rest[..=open]);
        let quote = rest.as_bytes()[open] as char;
        let after = &rest[open + 1..];
        let Some(close) = after.find(quote) else {
            rest = after;
            break;
        };
        out.push_str(&cut(&after[..close], QUOTED_CHARS));
        out.push(quote);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out.split('\n').map(|line| cut(line, LINE_CHARS)).collect::<Vec<_>>().join("\n")
}

/// `value` whole when it has at most `keep` characters, else its first `keep` and the size.
fn cut(value: &str, keep: usize) -> String {
    match value.char_indices().nth(keep) {
        None => value.to_string(),
        Some((end, _)) => format!("{}… ({} bytes)", &value[..end], value.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_quoted_values_are_cut_and_short_ones_kept() {
        let long = "x".repeat(5000);
        let text = shorten_quoted(&format!("field `{long}` in \"{long}\" of `a.csv`"));
        let cut = format!("{}… (5000 bytes)", "x".repeat(100));
        assert_eq!(text, format!("field `{cut}` in \"{cut}\" of `a.csv`"));
        assert_eq!(shorten_quoted("an `unclosed quote"), "an `unclosed quote");
        assert!(shorten_quoted(&"y".repeat(9000)).ends_with("… (9000 bytes)"));
    }
}
