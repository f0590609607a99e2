//! A 64-bit mixer for the sketches (admission filter, distinct-feature count): feature ids are
//! often consecutive, so they must be scrambled before their bits are used.

/// splitmix64's finalizer applied to `x + golden ratio` (so that 0 does not map to 0).
#[inline]
pub(crate) fn mix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}
