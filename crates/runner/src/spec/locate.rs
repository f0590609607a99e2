//! Where in a spec's text an error is: `line:column` of a byte offset, of a key inside a table,
//! and of the `[[regularizer]]` or `[[regularizer.optimizer]]` entry a dotted path
//! (`regularizer[1].optimizer[0]`) names, so that errors found on parsed tables (which keep no positions) still give a line.

/// A 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    /// The line.
    pub line: usize,
    /// The column.
    pub column: usize,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// The location of byte `offset` of `text`.
pub fn of_offset(text: &str, offset: usize) -> Location {
    let before = &text[..floor_boundary(text, offset)];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Location {
        line: before.matches('\n').count() + 1,
        column: before[line_start..].chars().count() + 1,
    }
}

fn floor_boundary(text: &str, offset: usize) -> usize {
    let mut at = offset.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Byte offsets of the lines of `text` from the line holding `from`, with their text.
fn lines_from(text: &str, from: usize) -> impl Iterator<Item = (usize, &str)> {
    let start = text[..floor_boundary(text, from)].rfind('\n').map_or(0, |i| i + 1);
    text[start..].split_inclusive('\n').scan(start, |at, line| {
        let here = *at;
        *at += line.len();
        Some((here, line))
    })
}

/// A table header line (`[name]` or `[[name]]`) with its name, spaces removed.
fn header_name(line: &str) -> Option<String> {
    let line = line.split('#').next().unwrap_or("").trim();
    let inner = line.strip_prefix('[')?.strip_suffix(']')?;
    Some(inner.trim_matches(['[', ']']).chars().filter(|c| !c.is_whitespace()).collect())
}

/// The offset of the line (after its indentation) setting `key` in the table whose header (or
/// first line) holds `from`, before the next header.
pub fn key_in_table(text: &str, from: usize, key: &str) -> Option<usize> {
    for (n, (at, line)) in lines_from(text, from).enumerate() {
        if n > 0 && header_name(line).is_some() {
            return None;
        }
        let trimmed = line.trim_start();
        let name = trimmed.split('=').next().unwrap_or("").trim().trim_matches(['"', '\'']);
        if trimmed.contains('=') && name == key {
            return Some(at + line.len() - trimmed.len());
        }
    }
    None
}

/// The offset of the header of regularizer entry `r`, or of its optimizer entry `o`.
pub fn entry(text: &str, r: usize, o: Option<usize>) -> Option<usize> {
    let (mut reg, mut opt) = (None::<usize>, 0);
    for (at, line) in lines_from(text, 0) {
        match header_name(line).as_deref() {
            Some("regularizer") => {
                (reg, opt) = (Some(reg.map_or(0, |x| x + 1)), 0);
                if o.is_none() && reg == Some(r) {
                    return Some(at);
                }
            }
            Some("regularizer.optimizer") if reg == Some(r) => {
                if Some(opt) == o {
                    return Some(at);
                }
                opt += 1;
            }
            _ => {}
        }
    }
    None
}

/// Where the error `message` is, when it starts with the dotted path of a regularizer or
/// optimizer entry (`` `regularizer[R]``, `` `regularizer[R].optimizer[O]`` or ``….KEY` ``):
/// the line of the key (the path's, or the first of the entry's keys, `keys_of(R, O)`, the
/// message names), else the entry's header.
pub fn of_entry_error(
    text: &str,
    message: &str,
    keys_of: &dyn Fn(usize, Option<usize>) -> Vec<String>,
) -> Option<Location> {
    let path = message.strip_prefix('`')?.split('`').next()?;
    let (r, mut rest) = path.strip_prefix("regularizer[")?.split_once(']')?;
    let r = r.parse().ok()?;
    let mut o = None;
    if let Some((index, after)) = rest.strip_prefix(".optimizer[").and_then(|x| x.split_once(']')) {
        (o, rest) = (Some(index.parse().ok()?), after);
    }
    let entry = entry(text, r, o)?;
    let named = rest.strip_prefix('.').map(|k| k.split(['.', '[']).next().unwrap_or(k));
    let key = named.map(str::to_string).or_else(|| first_named(message, &keys_of(r, o)));
    let at = key.and_then(|k| key_in_table(text, entry, &k)).unwrap_or(entry);
    Some(of_offset(text, at))
}

/// Of `keys`, the one the message names first (as `` `KEY` ``).
fn first_named(message: &str, keys: &[String]) -> Option<String> {
    keys.iter()
        .filter_map(|k| message.find(&format!("`{k}`")).map(|at| (at, k)))
        .min()
        .map(|(_, k)| k.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = "name = \"x\"\n[grid]\nk = [2]\n  seedz = [1]\n[[regularizer]]\n\
        kind = \"l1\"\n[[regularizer.optimizer]]\nonline = \"ftrl\"\n[[regularizer]]\n\
        kind = \"l2\"\n[[ regularizer.optimizer ]]\nonline = \"ftrl\"\n\"lamdas\" = [1.0]\n";

    #[test]
    fn keys_and_entries_are_found_by_line() {
        let grid = SPEC.find("[grid]").unwrap();
        let seedz = key_in_table(SPEC, grid, "seedz").unwrap();
        assert_eq!(of_offset(SPEC, seedz), Location { line: 4, column: 3 });
        assert_eq!(key_in_table(SPEC, grid, "kind"), None, "not past the next header");
        let second = entry(SPEC, 1, Some(0)).unwrap();
        assert_eq!(of_offset(SPEC, entry(SPEC, 1, None).unwrap()).line, 9);
        assert_eq!(of_offset(SPEC, second).line, 11);
        let keys = |_, _| vec!["online".to_string(), "lamdas".to_string()];
        let message = "`regularizer[1].optimizer[0]`: unknown field `lamdas`, expected `online`";
        assert_eq!(of_entry_error(SPEC, message, &keys).unwrap().line, 13);
        let typed = "`regularizer[1].optimizer[0].lamdas`: invalid type";
        assert_eq!(of_entry_error(SPEC, typed, &|_, _| Vec::new()).unwrap().line, 13);
        assert_eq!(of_entry_error(SPEC, "`grid.k`: bad", &keys), None);
    }
}
