//! Where per-coordinate optimizer state lives, and the bytes it really holds.
//!
//! - [`StoreKind::Sparse`]: an `FxHashMap<PackedId, S>` ([`PackedId`] is the `u64` feature id
//!   as 8 bytes of alignment 1, hashed as the `u64`, so that a slot of a 2-byte-aligned compact
//!   state has no padding; with the 8-byte-aligned `f64` states the slot is as with a `u64` key). A coordinate exists only once it was admitted,
//!   and is removed again when its weight is exactly zero and it carries no other state. Its bytes
//!   are computed from the map's real allocation, following hashbrown's table layout: `buckets`
//!   slots of `size_of::<(PackedId, S)>()`, padded to 16, plus one control byte per bucket and 16
//!   trailing control bytes (one SSE2 group), where `buckets` is the power of two behind
//!   `capacity()` (`capacity + 1` below 8 buckets, else `capacity / 7 * 8`). This formula was
//!   checked against a counting global allocator for maps of 1 to 10^6 entries: equal to the byte.
//! - [`StoreKind::Dense`]: a `Vec<S>` of `dimension` entries, all held from the start.
//!
//! The learner reads and writes states through [`CoordinateStore`], which [`Store`] implements
//! by handing out its states as they are, and `compact::CompactStore` by decoding and encoding
//! narrower ones (16-bit coefficients).

use std::hash::{Hash, Hasher};

use rustc_hash::FxHashMap;

use super::config::{StoreKind, DENSE_STORE_MAX_BYTES};
use super::ledger::Ledger;
use super::rule::CoordinateState;
use super::OnlineError;

/// Memory an online optimizer holds, measured from its data structures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StoreMemory {
    /// Model bytes of the model the optimizer would export now: 12 per nonzero weight, the
    /// `(u64 id, f32 weight)` of a served sparse model ([`crate::model::SPARSE_ENTRY_BYTES`],
    /// where the definition and its reason are), so that it equals
    /// [`crate::LinearModel::sparse_bytes`] of that model. Not what training holds: see
    /// `state_bytes`.
    pub model_bytes: u64,
    /// Bytes of all training state: the store's real allocation (the hash table's slots of
    /// `(u64 id, state)` including empty ones, and its control bytes; or the dense vector) plus
    /// the admission filter.
    pub state_bytes: u64,
    /// Largest `state_bytes` seen after any mini-batch. (While hashbrown grows a table it holds
    /// the old and the new one for a moment, up to 1.5x the new size; that transient is not
    /// included.)
    pub peak_state_bytes: u64,
    /// Coordinates held now.
    pub coordinates: u64,
    /// Distinct features ever seen (HyperLogLog estimate, about 1% error; exact-ish when small).
    pub touched: u64,
    /// Fixed-size bookkeeping outside the training state: the distinct-feature sketch and the
    /// mini-batch scratch buffers.
    pub bookkeeping_bytes: u64,
}

/// A feature id as a hash-map key of alignment 1: the `u64`'s little-endian bytes, hashed as the
/// `u64` (so hashes, and the map's order, are those of a `u64` key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PackedId([u8; 8]);

impl PackedId {
    #[inline]
    pub(crate) fn new(id: u64) -> Self {
        Self(id.to_le_bytes())
    }

    #[inline]
    pub(crate) fn get(self) -> u64 {
        u64::from_le_bytes(self.0)
    }
}

impl Hash for PackedId {
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.get().hash(state);
    }
}

/// Per-coordinate states keyed by feature id.
#[derive(Debug, Clone)]
pub(crate) enum Store<S> {
    Sparse(FxHashMap<PackedId, S>),
    Dense(Vec<S>),
}

impl<S: Copy + Default> Store<S> {
    /// An empty store of the given kind; errors if a dense one would exceed the cap.
    pub(crate) fn new(kind: StoreKind) -> Result<Self, OnlineError> {
        match kind {
            StoreKind::Sparse => Ok(Store::Sparse(FxHashMap::default())),
            StoreKind::Dense { dimension } => {
                check_dense(dimension, std::mem::size_of::<S>())?;
                Ok(Store::Dense(vec![S::default(); dimension as usize]))
            }
        }
    }

    #[inline]
    pub(crate) fn get_mut(&mut self, id: u64) -> Option<&mut S> {
        match self {
            Store::Sparse(map) => map.get_mut(&PackedId::new(id)),
            Store::Dense(states) => states.get_mut(usize::try_from(id).ok()?),
        }
    }

    /// Creates the coordinate `id` with a fresh state; `None` if a dense store has no such id.
    #[inline]
    pub(crate) fn insert(&mut self, id: u64) -> Option<&mut S> {
        match self {
            Store::Sparse(map) => Some(map.entry(PackedId::new(id)).or_default()),
            Store::Dense(states) => states.get_mut(usize::try_from(id).ok()?),
        }
    }

    /// Forgets the coordinate (a dense store resets it to the fresh state).
    #[inline]
    pub(crate) fn remove(&mut self, id: u64) {
        match self {
            Store::Sparse(map) => {
                map.remove(&PackedId::new(id));
            }
            Store::Dense(states) => {
                if let Some(s) = usize::try_from(id).ok().and_then(|i| states.get_mut(i)) {
                    *s = S::default();
                }
            }
        }
    }

    /// Visits every held coordinate; those for which `keep` returns false are removed.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(u64, &mut S) -> bool) {
        match self {
            Store::Sparse(map) => map.retain(|id, s| keep(id.get(), s)),
            Store::Dense(states) => {
                for (id, s) in states.iter_mut().enumerate() {
                    if !keep(id as u64, s) {
                        *s = S::default();
                    }
                }
            }
        }
    }

    /// Visits every held coordinate without changing it.
    pub(crate) fn for_each(&self, mut visit: impl FnMut(&S)) {
        match self {
            Store::Sparse(map) => map.values().for_each(&mut visit),
            Store::Dense(states) => states.iter().for_each(&mut visit),
        }
    }

    /// Coordinates held.
    pub(crate) fn len(&self) -> u64 {
        match self {
            Store::Sparse(map) => map.len() as u64,
            Store::Dense(states) => states.len() as u64,
        }
    }

    /// The bytes held while the store grows to take one more coordinate (the old and the new
    /// table at once: hashbrown doubles its buckets, from 4 when empty), or `None` when one more
    /// fits without growing. With removed coordinates in it the table may instead be rehashed in
    /// place; this still reports the growth, so a cap acting on it may stop one growth early.
    pub(crate) fn growth_bytes(&self) -> Option<u64> {
        match self {
            Store::Sparse(map) if map.len() >= map.capacity() => {
                let entry = std::mem::size_of::<(PackedId, S)>();
                let buckets = buckets_of(map.capacity());
                let grown = if buckets == 0 { 4 } else { buckets * 2 };
                Some(table_bytes(buckets, entry) + table_bytes(grown, entry))
            }
            _ => None,
        }
    }

    /// Bytes allocated by the store.
    pub(crate) fn allocated_bytes(&self) -> u64 {
        match self {
            Store::Sparse(map) => {
                hash_table_bytes(map.capacity(), std::mem::size_of::<(PackedId, S)>())
            }
            Store::Dense(states) => (states.capacity() * std::mem::size_of::<S>()) as u64,
        }
    }
}

/// The per-coordinate states of a learner as it reads and writes them, whatever their encoding.
pub(crate) trait CoordinateStore<S: CoordinateState>: Send + 'static {
    /// Runs `f` on the state of `id` (created fresh first when `create` and it is not held) and
    /// keeps what `f` left; returns `f`'s result and whether the kept state is fresh again (the
    /// coordinate may then be removed). `None` when `id` is not held (without `create`) or is
    /// outside a dense store. `ledger` is the clock the state is brought up to date with.
    fn visit<T>(
        &mut self,
        id: u64,
        create: bool,
        ledger: &Ledger,
        f: impl FnOnce(&mut S) -> T,
    ) -> Option<(T, bool)>;

    /// Forgets the coordinate (a dense store resets it to the fresh state).
    fn remove(&mut self, id: u64);

    /// Visits every held coordinate, keeping what `keep` leaves; those for which it returns
    /// false, or whose kept state is fresh, are removed.
    fn retain(&mut self, ledger: &Ledger, keep: impl FnMut(u64, &mut S) -> bool);

    /// Visits every held coordinate's state without changing it.
    fn for_each(&self, visit: impl FnMut(&S));

    /// Multiplies every state's quantities in ledger units by `factor` (ledger rebase).
    fn rescale(&mut self, factor: f64);

    /// Coordinates held.
    fn len(&self) -> u64;

    /// Bytes allocated by the store.
    fn allocated_bytes(&self) -> u64;

    /// The bytes held while the table grows for one more coordinate, or `None` when one more
    /// fits without growing (see [`Store::growth_bytes`]).
    fn growth_bytes(&self) -> Option<u64>;

    /// The weight a served model holds for a learned weight `w`: `w` itself, unless the store
    /// keeps its coefficients narrower, in which case the model is served in that encoding too
    /// (deterministically, so that `memory()` counts the nonzeros the export will have).
    fn served_weight(&self, w: f64) -> f64 {
        w
    }
}

impl<S: CoordinateState> CoordinateStore<S> for Store<S> {
    #[inline]
    fn visit<T>(
        &mut self,
        id: u64,
        create: bool,
        _ledger: &Ledger,
        f: impl FnOnce(&mut S) -> T,
    ) -> Option<(T, bool)> {
        let state = if create { self.insert(id)? } else { self.get_mut(id)? };
        let out = f(state);
        Some((out, state.is_removable()))
    }

    #[inline]
    fn remove(&mut self, id: u64) {
        Store::remove(self, id);
    }

    fn retain(&mut self, _ledger: &Ledger, mut keep: impl FnMut(u64, &mut S) -> bool) {
        Store::retain(self, |id, state| keep(id, state) && !state.is_removable());
    }

    fn for_each(&self, visit: impl FnMut(&S)) {
        Store::for_each(self, visit);
    }

    fn rescale(&mut self, factor: f64) {
        Store::retain(self, |_, state| {
            state.rescale(factor);
            true
        });
    }

    fn len(&self) -> u64 {
        Store::len(self)
    }

    fn allocated_bytes(&self) -> u64 {
        Store::allocated_bytes(self)
    }

    fn growth_bytes(&self) -> Option<u64> {
        Store::growth_bytes(self)
    }
}

/// `Ok` when a dense store of `dimension` states of `state_bytes` each fits under
/// [`DENSE_STORE_MAX_BYTES`] (checked without allocating it).
pub(crate) fn check_dense(dimension: u64, state_bytes: usize) -> Result<(), OnlineError> {
    let bytes = dimension as u128 * state_bytes as u128;
    if bytes > DENSE_STORE_MAX_BYTES as u128 {
        return Err(OnlineError::DenseTooLarge { dimension, bytes, cap: DENSE_STORE_MAX_BYTES });
    }
    Ok(())
}

/// The most bytes a store of `kind` with states of `state_bytes` can hold once it has
/// `coordinates` coordinates: a dense store its whole vector; a sparse one the hashbrown table
/// that holds them at its largest (the power-of-two table after the last growth), plus the table
/// before that growth, which is held too while the entries move (hence up to 1.5 times a table).
pub(crate) fn store_bytes_bound(kind: StoreKind, coordinates: u64, state_bytes: usize) -> u64 {
    match kind {
        StoreKind::Dense { dimension } => dimension.saturating_mul(state_bytes as u64),
        StoreKind::Sparse => {
            if coordinates == 0 {
                return 0;
            }
            // hashbrown keeps at most 7/8 of its buckets full; buckets are a power of two.
            let buckets = coordinates
                .saturating_mul(8)
                .div_ceil(7)
                .checked_next_power_of_two()
                .unwrap_or(u64::MAX);
            let entry = (8 + state_bytes as u64).next_multiple_of(8);
            let table = buckets.saturating_mul(entry + 1).saturating_add(32);
            table.saturating_add(table / 2)
        }
    }
}

/// Bytes hashbrown allocates for a table of the given `capacity()` and entry size.
pub(crate) fn hash_table_bytes(capacity: usize, entry_bytes: usize) -> u64 {
    table_bytes(buckets_of(capacity), entry_bytes)
}

/// The buckets behind a table's `capacity()` (0 for an unallocated table).
fn buckets_of(capacity: usize) -> usize {
    match capacity {
        0 => 0,
        c if c < 8 => c + 1,
        c => c / 7 * 8,
    }
}

/// Bytes of a table of `buckets` buckets: the slots padded to one SSE2 group, a control byte
/// per bucket and one trailing group.
fn table_bytes(buckets: usize, entry_bytes: usize) -> u64 {
    const GROUP_WIDTH: usize = 16;
    if buckets == 0 {
        return 0;
    }
    let data = (buckets * entry_bytes).next_multiple_of(GROUP_WIDTH);
    (data + buckets + GROUP_WIDTH) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_count_inverts_hashbrown_capacity() {
        // hashbrown reports capacity 3, 7, 14, 28, 56 for 4, 8, 16, 32, 64 buckets.
        for (n, buckets) in [(1usize, 4usize), (5, 8), (10, 16), (20, 32), (50, 64)] {
            let map: FxHashMap<u64, f64> =
                FxHashMap::with_capacity_and_hasher(n, Default::default());
            let bytes = hash_table_bytes(map.capacity(), 16);
            assert_eq!(bytes as usize, buckets * 16 + buckets + 16, "n = {n}");
        }
    }

    #[test]
    fn growth_is_foreseen_exactly_before_the_insert_that_grows() {
        let mut store: Store<(f64, f64)> = Store::new(StoreKind::Sparse).expect("sparse store");
        let entry = std::mem::size_of::<(u64, (f64, f64))>();
        for id in 0..1000u64 {
            let before = store.allocated_bytes();
            let foreseen = store.growth_bytes();
            store.insert(id);
            let after = store.allocated_bytes();
            match foreseen {
                // Old and new table at once: the new one is exactly what the store then holds.
                Some(during) => assert_eq!(during, before + after, "id {id}"),
                None => assert_eq!(after, before, "id {id}: grew unforeseen"),
            }
            assert!(after >= hash_table_bytes(store.len() as usize, entry));
        }
    }

    #[test]
    fn the_bound_covers_a_grown_table() {
        for n in [1u64, 7, 8, 100, 1000, 100_000] {
            let mut map: FxHashMap<u64, (f64, f64)> = FxHashMap::default();
            for id in 0..n {
                map.insert(id, (1.0, 1.0));
            }
            let held = hash_table_bytes(map.capacity(), std::mem::size_of::<(u64, (f64, f64))>());
            let bound = store_bytes_bound(StoreKind::Sparse, n, 16);
            assert!(bound >= held + held / 2 - 64, "n = {n}: {bound} < 1.5 x {held}");
            assert!(bound <= 4 * held + 64, "n = {n}: {bound} far above {held}");
        }
        assert_eq!(store_bytes_bound(StoreKind::Dense { dimension: 10 }, 3, 8), 80);
    }

    #[test]
    fn dense_store_refuses_large_dimensions() {
        let err = Store::<(f64, f64)>::new(StoreKind::Dense { dimension: 1 << 40 });
        assert!(matches!(err, Err(OnlineError::DenseTooLarge { .. })));
        let mut ok =
            Store::<f64>::new(StoreKind::Dense { dimension: 4 }).map_err(|e| e.to_string());
        assert_eq!(ok.as_ref().map(|s| s.len()), Ok(4));
        if let Ok(store) = ok.as_mut() {
            assert!(store.insert(4).is_none());
            assert!(store.insert(3).is_some());
        }
    }
}
