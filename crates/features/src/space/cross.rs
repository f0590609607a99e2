//! The arithmetic of crosses: exact cell ids in mixed radix (first column most significant),
//! and the stable hash of hashed crosses.
//!
//! The hash is FNV-1a (64-bit) over the 8-byte little-endian encodings of the crossed bucket
//! indices, in the cross's column order, then MurmurHash3's 64-bit finalizer (`fmix64`, Appleby
//! 2011), reduced mod the number of buckets `B`. It is fixed here (not std's randomized
//! `DefaultHasher`) so hashed ids are the same in every run and version. Hashed categorical
//! columns use the same function over the value's UTF-8 bytes.
//!
//! Why the finalizer: FNV-1a's multiply carries bits upward only, so its low bits depend on the
//! low bits of the input bytes alone, and small indices with seven zero bytes each barely move
//! them. Reduced mod a power of two, 2,000 cells of an 8^8 cross collided about five times as
//! often as a random function would (16% of the cells shared one of 2^16 buckets against 3%);
//! `fmix64` mixes every input bit into every output bit, which brings the rate to the random
//! one (`the_hash_collides_like_a_random_function` checks it).

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
    fmix64(hash) % buckets
}

/// MurmurHash3's 64-bit finalizer: every input bit reaches every output bit (the module doc
/// says why hashed ids need it).
#[inline]
fn fmix64(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// The hash of a hashed categorical value: FNV-1a 64 of its UTF-8 bytes, finalized (the same
/// function as [`hashed_cell`], fed the text's bytes instead of bucket indices), before the
/// modulo.
#[inline]
pub(crate) fn hashed_text(text: &str) -> u64 {
    fmix64(text.bytes().fold(FNV_OFFSET, |h, byte| (h ^ u64::from(byte)).wrapping_mul(FNV_PRIME)))
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
    fn the_hash_collides_like_a_random_function() {
        // Every cell of a 4^8 cross (65,536 small-index combinations), into 2^14 buckets: a
        // random function leaves e^-4 of the buckets empty (about 1.8%); plain FNV-1a left far
        // more (its low bits see only the indices' low bits).
        let buckets = 1u64 << 14;
        let mut used = vec![false; buckets as usize];
        for cell in 0u64..1 << 16 {
            let digits = (0..8).map(|j| (cell >> (2 * j)) & 3);
            used[hashed_cell(digits, buckets) as usize] = true;
        }
        let empty = used.iter().filter(|u| !**u).count() as f64 / buckets as f64;
        let expected = (-4.0f64).exp();
        assert!((empty - expected).abs() < 0.004, "empty share {empty}, random {expected}");
    }

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
    fn hash_is_fixed_fnv1a_finalized() {
        // FNV-1a of eight zero bytes, worked out from the definition above, then fmix64.
        let mut h = FNV_OFFSET;
        for _ in 0..8 {
            h = h.wrapping_mul(FNV_PRIME);
        }
        assert_eq!(hashed_cell([0u64].into_iter(), u64::MAX), fmix64(h) % u64::MAX);
        // fmix64 is a bijection that maps 0 to 0 and moves everything else.
        assert_eq!(fmix64(0), 0);
        assert_ne!(fmix64(1), 1);
        let a = hashed_cell([1u64, 2].into_iter(), 1000);
        assert_eq!(a, hashed_cell([1u64, 2].into_iter(), 1000));
        assert_ne!(
            hashed_cell([1u64, 2].into_iter(), 1 << 40),
            hashed_cell([2u64, 1].into_iter(), 1 << 40)
        );
    }
}
