//! Opening data files: a missing file is its own error naming the full path; `.gz` files are
//! decompressed on the fly (multi-member gzip, as `gzip` and `zcat` accept).

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use flate2::read::MultiGzDecoder;

use crate::FeaturesError;

/// Opens `path`, distinguishing "not found" from other IO errors.
pub(crate) fn open_file(path: &Path) -> Result<File, FeaturesError> {
    File::open(path).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => FeaturesError::MissingFile { path: path.to_owned() },
        _ => FeaturesError::Io { path: path.to_owned(), source },
    })
}

/// A reader of the file's (decompressed, when it ends in `.gz`) bytes.
pub(crate) fn open_data(path: &Path) -> Result<Box<dyn Read>, FeaturesError> {
    let file = BufReader::with_capacity(1 << 16, open_file(path)?);
    let gzipped = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    Ok(if gzipped { Box::new(MultiGzDecoder::new(file)) } else { Box::new(file) })
}
