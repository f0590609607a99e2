//! Where a result comes from: the fingerprint of the code this binary was built from and its git
//! state (taken at build time by `build.rs`, never from the checkout at run time), and the
//! FNV-1a hasher that every fingerprint of the runner uses (run ids, data fingerprints).
//!
//! A `runs.csv` row is reused by a later run only when its run id, its `code_version` (this
//! module's [`CODE_VERSION`]) and its `data_fingerprint` all match (see `sweep::resume`).
//!
//! The bottom layer: uses no other module of the runner.

/// Fingerprint of the code that computes results: FNV-1a 64 (16 hex digits) of the sources and
/// manifests of `features`, `regularizers`, `optimizers` and `runner`, the runner's build script
/// and `Cargo.lock`, taken when this binary was built (`unknown` if they were not found).
pub const CODE_VERSION: &str = env!("SPARSECROSS_CODE_VERSION");

/// `git rev-parse HEAD` when this binary was built, or `unknown`.
pub const GIT_COMMIT: &str = env!("SPARSECROSS_GIT_COMMIT");

/// `true` when the fingerprinted paths had uncommitted changes when this binary was built,
/// `false` when they had none, `unknown` without git.
pub const GIT_DIRTY: &str = env!("SPARSECROSS_GIT_DIRTY");

/// [`GIT_DIRTY`] as a flag (`None` when unknown).
pub fn git_dirty() -> Option<bool> {
    match GIT_DIRTY {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// FNV-1a, 64 bits: the same value on every build and platform, fed in pieces (a file is hashed
/// as it is read, never held whole).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fnv64(u64);

impl Default for Fnv64 {
    fn default() -> Self {
        Self::new()
    }
}

impl Fnv64 {
    /// The hasher before any byte (the FNV offset basis).
    pub const fn new() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }

    /// Feeds `bytes`.
    pub fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
    }

    /// Feeds `bytes` and returns the hasher (for chains).
    pub fn with(mut self, bytes: &[u8]) -> Self {
        self.write(bytes);
        self
    }

    /// The hash so far.
    pub fn finish(&self) -> u64 {
        self.0
    }

    /// The hash so far as 16 hex digits.
    pub fn hex(&self) -> String {
        format!("{:016x}", self.0)
    }
}

/// FNV-1a 64 of `bytes`.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    Fnv64::new().with(bytes).finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_is_stable() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        let mut pieces = Fnv64::new();
        pieces.write(b"ab");
        pieces.write(b"c");
        assert_eq!(pieces.finish(), fnv1a(b"abc"));
        assert_eq!(Fnv64::new().hex(), "cbf29ce484222325");
    }

    #[test]
    fn the_build_recorded_its_code_and_git_state() {
        assert!(
            CODE_VERSION == "unknown"
                || (CODE_VERSION.len() == 16
                    && CODE_VERSION.bytes().all(|b| b.is_ascii_hexdigit())),
            "{CODE_VERSION}"
        );
        assert!(["true", "false", "unknown"].contains(&GIT_DIRTY), "{GIT_DIRTY}");
        assert!(!GIT_COMMIT.is_empty());
        assert_eq!(git_dirty().is_none(), GIT_DIRTY == "unknown");
    }
}
