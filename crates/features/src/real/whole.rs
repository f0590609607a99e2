//! Reading a data file through once without parsing its rows ([`read_whole`]): what a run that
//! uses only the first rows of a file (`--quick`, `max_rows`) still needs to know about the rest.
//! The (decompressed) bytes are streamed through, so a broken gzip stream (cut, corrupt, trailing
//! garbage) is the same [`FeaturesError::Gzip`] a full load gives; the line breaks are counted
//! and the header line and the last line kept, so the caller can tell whether the file ends
//! inside a record. Memory: one buffer and those two lines.

use std::io::Read;
use std::path::Path;

use super::source::{io_error, open_data};
use crate::FeaturesError;

/// What reading a file through found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WholeFile {
    /// Data rows: lines after the header (a last line without a line break counts).
    pub rows: u64,
    /// The header line (without its line break).
    pub header: Vec<u8>,
    /// The last non-empty line (without its line break).
    pub last_line: Vec<u8>,
    /// Whether the file's last byte is a line break.
    pub ends_with_newline: bool,
}

/// Reads the file at `path` (decompressed when `.gz`) to its end; see [`WholeFile`].
pub fn read_whole(path: &Path) -> Result<WholeFile, FeaturesError> {
    let mut reader = open_data(path)?;
    let mut buffer = vec![0u8; 1 << 16];
    let (mut lines, mut header, mut current, mut last) = (0u64, None, Vec::new(), Vec::new());
    loop {
        let n = match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io_error(path, e)),
        };
        let mut rest = &buffer[..n];
        while let Some(at) = rest.iter().position(|&b| b == b'\n') {
            current.extend_from_slice(&rest[..at]);
            lines += 1;
            if header.is_none() {
                header = Some(std::mem::take(&mut current));
            } else if !current.is_empty() {
                last = std::mem::take(&mut current);
            }
            current.clear();
            rest = &rest[at + 1..];
        }
        current.extend_from_slice(rest);
    }
    let ends_with_newline = current.is_empty();
    if !ends_with_newline {
        lines += 1;
        match header {
            None => header = Some(std::mem::take(&mut current)),
            Some(_) => last = current,
        }
    }
    Ok(WholeFile {
        rows: lines.saturating_sub(1),
        header: header.unwrap_or_default(),
        last_line: last,
        ends_with_newline,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_line_and_the_rows_are_found_across_buffers() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("d.csv");
        let body: String = (0..50_000).map(|i| format!("{i},{}\n", i % 2)).collect();
        std::fs::write(&path, format!("x,y\n{body}49999,1")).expect("write");
        let whole = read_whole(&path).expect("read");
        assert_eq!(whole.rows, 50_001);
        assert_eq!(
            (whole.header.as_slice(), whole.last_line.as_slice()),
            (&b"x,y"[..], &b"49999,1"[..])
        );
        assert!(!whole.ends_with_newline);
        std::fs::write(&path, format!("x,y\n{body}")).expect("write");
        let whole = read_whole(&path).expect("read");
        assert_eq!((whole.rows, whole.ends_with_newline), (50_000, true));
        assert_eq!(whole.last_line, b"49999,1");
    }
}
