//! Opening data files: a missing file and a directory are their own errors naming the full path;
//! `.gz` files are decompressed on the fly, member after member (multi-member gzip, as `gzip`
//! and `zcat` accept), and anything after the last member that is not gzip is an error saying
//! where the gzip data ends ([`GzipProblem`]), never a bare "unexpected end of file".

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use flate2::bufread::GzDecoder;

use crate::error::GzipProblem;
use crate::FeaturesError;

/// Opens `path`, distinguishing "not found" and "is a directory" from other IO errors.
pub(crate) fn open_file(path: &Path) -> Result<File, FeaturesError> {
    let file = File::open(path).map_err(|source| match source.kind() {
        io::ErrorKind::NotFound => FeaturesError::MissingFile { path: path.to_owned() },
        _ => FeaturesError::Io { path: path.to_owned(), source },
    })?;
    // Opening a directory succeeds on Linux; reading it would fail with a bare OS error.
    match file.metadata() {
        Ok(meta) if meta.is_dir() => Err(FeaturesError::IsADirectory { path: path.to_owned() }),
        Ok(_) => Ok(file),
        Err(source) => Err(FeaturesError::Io { path: path.to_owned(), source }),
    }
}

/// A reader of the file's (decompressed, when it ends in `.gz`) bytes. Its IO errors are turned
/// into [`FeaturesError`]s by [`io_error`].
pub(crate) fn open_data(path: &Path) -> Result<Box<dyn Read>, FeaturesError> {
    let file = BufReader::with_capacity(1 << 16, open_file(path)?);
    let gzipped = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    Ok(if gzipped { Box::new(GzMembers::new(file)) } else { Box::new(file) })
}

/// The [`FeaturesError`] of an IO error met reading `path`: a gzip problem raised by
/// [`GzMembers`] becomes [`FeaturesError::Gzip`], anything else [`FeaturesError::Io`].
pub(crate) fn io_error(path: &Path, source: io::Error) -> FeaturesError {
    match source.get_ref().and_then(|inner| inner.downcast_ref::<GzipProblem>()) {
        Some(problem) => FeaturesError::Gzip { path: path.to_owned(), problem: problem.clone() },
        None => FeaturesError::Io { path: path.to_owned(), source },
    }
}

/// A buffered reader that counts the bytes consumed from it (the offset in the compressed file).
struct Counted<R> {
    inner: R,
    offset: u64,
}

impl<R: BufRead> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.offset += n as u64;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counted<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        self.offset += amt as u64;
        self.inner.consume(amt);
    }
}

/// Where the reader is: inside a member, between members (or before the first), or done.
enum State<R> {
    Member(Box<GzDecoder<Counted<R>>>),
    Between(Counted<R>),
    Done,
}

/// Decompresses gzip members one after the other. After a member ends, the next bytes must be
/// the end of the file or another gzip header (magic byte `0x1f`); anything else is
/// [`GzipProblem::TrailingGarbage`]. A member the file ends inside is
/// [`GzipProblem::Truncated`]. Problems travel as the inner error of an [`io::Error`] of kind
/// `InvalidData` (see [`io_error`]).
pub(crate) struct GzMembers<R> {
    state: State<R>,
    /// Members started so far.
    members: u64,
    /// Offset of the current member's first byte.
    member_start: u64,
}

/// First bytes of `bytes`, escaped for a message.
fn head_of(bytes: &[u8]) -> String {
    bytes.iter().take(12).flat_map(|b| b.escape_ascii()).map(char::from).collect()
}

fn problem(problem: GzipProblem) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, problem)
}

impl<R: BufRead> GzMembers<R> {
    pub(crate) fn new(inner: R) -> Self {
        Self { state: State::Between(Counted { inner, offset: 0 }), members: 0, member_start: 0 }
    }

    /// The problem of a decoder error inside the current member: truncated when the file ends
    /// there, corrupt otherwise; errors of the file itself pass through.
    fn member_error(&self, error: io::Error, at_end: bool) -> io::Error {
        let (member, offset) = (self.members, self.member_start);
        if at_end {
            return problem(GzipProblem::Truncated { member, offset });
        }
        match error.kind() {
            io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput => {
                problem(GzipProblem::Corrupt { member, offset, message: error.to_string() })
            }
            _ => error,
        }
    }
}

impl<R: BufRead> Read for GzMembers<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            match std::mem::replace(&mut self.state, State::Done) {
                State::Done => return Ok(0),
                State::Member(mut decoder) => match decoder.read(buf) {
                    Ok(0) => self.state = State::Between(decoder.into_inner()),
                    Ok(n) => {
                        self.state = State::Member(decoder);
                        return Ok(n);
                    }
                    Err(error) => {
                        let at_end = decoder.get_mut().fill_buf().is_ok_and(|b| b.is_empty());
                        return Err(self.member_error(error, at_end));
                    }
                },
                State::Between(mut reader) => {
                    let head = match reader.fill_buf() {
                        Ok(head) => head,
                        Err(error) => {
                            self.state = State::Between(reader);
                            return Err(error);
                        }
                    };
                    if head.is_empty() {
                        return Ok(0);
                    }
                    if head[0] != 0x1f {
                        let head = head_of(head);
                        return Err(problem(if self.members == 0 {
                            GzipProblem::NotGzip { head }
                        } else {
                            GzipProblem::TrailingGarbage {
                                offset: reader.offset,
                                members: self.members,
                                head,
                            }
                        }));
                    }
                    // A header that starts like gzip but is not is reported by the decoder
                    // (`Corrupt`, naming this member).
                    self.members += 1;
                    self.member_start = reader.offset;
                    self.state = State::Member(Box::new(GzDecoder::new(reader)));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn gzip(text: &str) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(text.as_bytes()).expect("write to a Vec");
        encoder.finish().expect("finish a Vec")
    }

    fn decompress(bytes: &[u8]) -> Result<String, GzipProblem> {
        let mut out = String::new();
        match GzMembers::new(bytes).read_to_string(&mut out) {
            Ok(_) => Ok(out),
            Err(e) => Err(e
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<GzipProblem>())
                .cloned()
                .unwrap_or_else(|| panic!("not a gzip problem: {e}"))),
        }
    }

    #[test]
    fn members_are_concatenated_and_an_empty_file_is_empty() {
        let mut bytes = gzip("a,b\n1,2\n");
        bytes.extend(gzip("3,4\n"));
        assert_eq!(decompress(&bytes), Ok("a,b\n1,2\n3,4\n".to_string()));
        assert_eq!(decompress(&[]), Ok(String::new()));
    }

    #[test]
    fn trailing_garbage_says_where_the_gzip_data_ends() {
        let clean = gzip("a,b\n1,2\n");
        for garbage in [&b"xx\n"[..], &[0u8; 100][..], &b"not gzip at all"[..]] {
            let mut bytes = clean.clone();
            bytes.extend_from_slice(garbage);
            match decompress(&bytes) {
                Err(GzipProblem::TrailingGarbage { offset, members: 1, .. }) => {
                    assert_eq!(offset, clean.len() as u64);
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn truncated_corrupt_and_plain_files_are_named() {
        let clean = gzip(&"a,b\n1,2\n".repeat(200));
        assert_eq!(
            decompress(&clean[..clean.len() / 2]),
            Err(GzipProblem::Truncated { member: 1, offset: 0 })
        );
        let mut second_bad = clean.clone();
        second_bad.extend_from_slice(&[0x1f, 0x00, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        assert!(
            matches!(decompress(&second_bad), Err(GzipProblem::Corrupt { member: 2, offset, .. }) if offset == clean.len() as u64)
        );
        assert!(
            matches!(decompress(b"a,b\n1,2\n"), Err(GzipProblem::NotGzip { head }) if head == "a,b\\n1,2\\n")
        );
    }
}
