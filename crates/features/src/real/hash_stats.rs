//! The collisions of a real data set's hashed crosses, measured on its training rows: each
//! row's buckets, from the table's row encoder, go to `space::hash_stats::CrossCollisions`.
//! (Hashed categorical columns are measured when they are fitted, on their training values:
//! `columns::fit_from`.)

use super::columns::RowEncoder;
use crate::space::hash_stats::CrossCollisions;

/// Adds the `rows` of the table `encoder` reads to `crosses` (nothing without a hashed cross).
pub(crate) fn add_rows(
    crosses: &mut CrossCollisions,
    encoder: &RowEncoder<'_>,
    rows: impl Iterator<Item = usize>,
) {
    if crosses.is_empty() {
        return;
    }
    let mut buckets = Vec::new();
    for row in rows {
        encoder.buckets(row, &mut buckets);
        crosses.add_row(&buckets);
    }
}
