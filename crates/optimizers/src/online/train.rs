//! The one training loop shared by every online optimizer: cuts a stream of examples into
//! mini-batches and feeds them to [`OnlineOptimizer::train_batch`].

use features::SparseExample;

use super::OnlineOptimizer;

/// What [`train`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TrainStats {
    /// Examples consumed.
    pub examples: u64,
    /// Mini-batches (optimizer steps) taken; the last one may be short.
    pub batches: u64,
}

/// Trains `optimizer` on `examples` in mini-batches of `batch_size` (0 is read as 1), holding one
/// batch at a time. Stops early once the optimizer has diverged.
pub fn train(
    optimizer: &mut dyn OnlineOptimizer,
    examples: impl Iterator<Item = SparseExample>,
    batch_size: usize,
) -> TrainStats {
    let batch_size = batch_size.max(1);
    // Capacity grows with the data, so an absurd batch size cannot allocate up front.
    let mut batch = Vec::with_capacity(batch_size.min(4096));
    let mut stats = TrainStats::default();
    let mut examples = examples.peekable();
    while examples.peek().is_some() && !optimizer.diverged() {
        batch.clear();
        batch.extend(examples.by_ref().take(batch_size));
        optimizer.train_batch(&batch);
        stats.examples += batch.len() as u64;
        stats.batches += 1;
    }
    stats
}
