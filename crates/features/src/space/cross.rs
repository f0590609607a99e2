//! The arithmetic of crosses: exact cell ids in mixed radix (first column most significant),
//! and the stable hash of hashed crosses.
//!
//! The hash is FNV-1a (64-bit) over the 8-byte little-endian encodings of the crossed bucket
//! indices, in the cross's column order, reduced mod the number of buckets `B`. It is fixed here
//! (not std's randomized `DefaultHasher`) so hashed ids are the same in every run and version.
//! Hashed categorical columns use the same function over the value's UTF-8 bytes.

use crate::error::FeaturesError;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// Place values of an exact cross of columns with the given sizes: `strides[j]` is the product
/// of the sizes after `j`, so cell = `sum_j index_j * strides[j]`. Fails when the product of the
/// sizes (the cross's number of cells) overflows `u64`; returns the strides and that product.
pub(crate) fn mixed_radix(cross: &str, sizes: &[u64]) -> Result<(Vec<u64>, u64), FeaturesError> {
    let mut strides = vec![1u64; sizes.len()];
    let mut total = 1u64;
    for (j, &size) in sizes.iter().enumerate().rev() {
        strides[j] = total;
        total = total.checked_mul(size).ok_or_else(|| FeaturesError::CrossTooLarge {
            cross: cross.to_owned(),
            columns: sizes.len(),
            size: describe_size(sizes),
        })?;
    }
    Ok((strides, total))
}

/// The cell of an exact cross.
#[inline]
pub(crate) fn exact_cell(indices: impl Iterator<Item = u64>, strides: &[u64]) -> u64 {
    indices.zip(strides).map(|(i, s)| i * s).sum()
}

/// The digits of a cell, inverse of [`exact_cell`].
pub(crate) fn cell_digits(mut cell: u64, strides: &[u64]) -> Vec<u64> {
    strides
        .iter()
        .map(|&s| {
            let digit = cell / s;
            cell %= s;
            digit
        })
        .collect()
}

/// The bucket of a hashed cross: FNV-1a of the indices mod `buckets` (see the module doc).
#[inline]
pub(crate) fn hashed_cell(indices: impl Iterator<Item = u64>, buckets: u64) -> u64 {
    let hash = indices.fold(FNV_OFFSET, |h, index| {
        index.to_le_bytes().iter().fold(h, |h, &byte| (h ^ u64::from(byte)).wrapping_mul(FNV_PRIME))
    });
    hash % buckets
}

/// The hash of a hashed categorical value: FNV-1a 64 of its UTF-8 bytes (the same function as
/// [`hashed_cell`], fed the text's bytes instead of bucket indices), before the modulo.
#[inline]
pub(crate) fn hashed_text(text: &str) -> u64 {
    text.bytes().fold(FNV_OFFSET, |h, byte| (h ^ u64::from(byte)).wrapping_mul(FNV_PRIME))
}

/// `20^20 ≈ 1.000e26` when all sizes are equal, else `51 x 51 x 11 ≈ 2.861e4`.
fn describe_size(sizes: &[u64]) -> String {
    let approx: f64 = sizes.iter().map(|&s| s as f64).product();
    let exact = match sizes {
        [first, rest @ ..] if rest.iter().all(|s| s == first) => {
            format!("{first}^{}", sizes.len())
        }
        _ => sizes.iter().map(u64::to_string).collect::<Vec<_>>().join(" x "),
    };
    format!("{exact} ≈ {approx:.3e}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mixed_radix_round_trips() {
        let (strides, total) = mixed_radix("c", &[3, 4, 5]).unwrap();
        assert_eq!(strides, [20, 5, 1]);
        assert_eq!(total, 60);
        let cell = exact_cell([2u64, 1, 4].into_iter(), &strides);
        assert_eq!(cell, 2 * 20 + 5 + 4);
        assert_eq!(cell_digits(cell, &strides), [2, 1, 4]);
    }

    #[test]
    fn overflow_names_the_cross_and_its_size() {
        let err = mixed_radix("big", &[20; 20]).unwrap_err().to_string();
        assert!(err.contains("`big`") && err.contains("20^20"), "{err}");
        let err = mixed_radix("mixed", &[u64::MAX, 2]).unwrap_err().to_string();
        assert!(err.contains("x 2"), "{err}");
    }

    #[test]
    fn hash_is_fixed_fnv1a() {
        // FNV-1a of eight zero bytes, worked out from the definition above.
        let mut h = FNV_OFFSET;
        for _ in 0..8 {
            h = h.wrapping_mul(FNV_PRIME);
        }
        assert_eq!(hashed_cell([0u64].into_iter(), u64::MAX), h % u64::MAX);
        let a = hashed_cell([1u64, 2].into_iter(), 1000);
        assert_eq!(a, hashed_cell([1u64, 2].into_iter(), 1000));
        assert_ne!(
            hashed_cell([1u64, 2].into_iter(), 1 << 40),
            hashed_cell([2u64, 1].into_iter(), 1 << 40)
        );
    }
}
