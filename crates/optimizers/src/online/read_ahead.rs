//! Training with the read on a second thread: [`train_reading_ahead`] feeds the optimizer the
//! examples [`train`] would feed it, in the same order and batches (so the model is the same to
//! the bit), while a reader thread reads and encodes a streamed source's passes ahead of it.
//! The two meet at a bounded channel of blocks of [`BLOCK_EXAMPLES`] examples, at most
//! [`BLOCKS_IN_FLIGHT`] of them waiting, so memory does not grow with the rows of a pass; spent
//! blocks go back to the reader and their buffers are reused. The reader reads exactly the
//! examples training asks for: it never opens a pass training would not start. When training
//! stops early (diverged, memory cap) the trainer drops its end of the channel and the reader
//! ends at its next hand-over. A read error reaches the trainer after the examples read before
//! it, where the single-threaded loop would have met it.
//!
//! Held rows and shuffled passes have nothing to read ahead: they go to [`train`] as they are.

use std::sync::mpsc::{self, Receiver, SyncSender};

use features::SparseExample;

use super::train::{fill_batches, next_streamed, total_examples, Next};
use super::{train, OnlineOptimizer, PassSource, Passes, TrainError, Trained};

/// Examples per block handed from the reader to the trainer: large enough that a hand-over
/// costs nothing per example, small enough that a block stays in the cache.
pub const BLOCK_EXAMPLES: usize = 1024;

/// Blocks read ahead and not yet trained on, at most.
pub const BLOCKS_IN_FLIGHT: usize = 4;

/// A block of read examples, or the error that ended the read.
type Block<E> = Result<Vec<SparseExample>, TrainError<E>>;

/// [`train`], with a streamed source's passes read on a second thread while this one trains.
/// Same examples, order, batches and stopping rules, hence the same model and [`Trained`].
pub fn train_reading_ahead<S>(
    optimizer: &mut dyn OnlineOptimizer,
    source: &S,
    passes: &Passes,
) -> Result<Trained, TrainError<S::Error>>
where
    S: PassSource + Sync + ?Sized,
    S::Error: Send,
{
    if source.held().is_some() || passes.shuffle || source.is_empty() {
        return train(optimizer, source, passes);
    }
    let total = total_examples(passes, source.len());
    std::thread::scope(|scope| {
        let (full_tx, full_rx) = mpsc::sync_channel::<Block<S::Error>>(BLOCKS_IN_FLIGHT);
        let (spent_tx, spent_rx) = mpsc::channel::<Vec<SparseExample>>();
        scope.spawn(move || read_blocks(source, total, &full_tx, &spent_rx));
        let mut block: Vec<SparseExample> = Vec::new();
        let mut position = 0;
        let next: Next<'_, S::Error> = Box::new(move |slot| {
            if position == block.len() {
                let read = full_rx.recv().map_err(|_| TrainError::ReaderStopped)??;
                // The reader may be done and gone: then the buffers are simply dropped.
                let _ = spent_tx.send(std::mem::replace(&mut block, read));
                position = 0;
            }
            // Swapped, not copied: the slot's old buffers go back to the reader for reuse.
            std::mem::swap(slot, &mut block[position]);
            position += 1;
            Ok(())
        });
        let mut done = Trained::default();
        fill_batches(optimizer, total, passes.batch_size.max(1), next, &mut done)?;
        Ok(done)
    })
}

/// The reader thread: reads `total` examples of `source`'s passes into blocks and sends them;
/// on a read error sends what it read before it, then the error. Ends early when the trainer
/// has gone.
fn read_blocks<S: PassSource + ?Sized>(
    source: &S,
    total: u64,
    full: &SyncSender<Block<S::Error>>,
    spent: &Receiver<Vec<SparseExample>>,
) {
    let mut pass = match source.open() {
        Ok(pass) => pass,
        Err(e) => {
            let _ = full.send(Err(TrainError::Read(e)));
            return;
        }
    };
    let mut sent = 0u64;
    while sent < total {
        let size = (total - sent).min(BLOCK_EXAMPLES as u64) as usize;
        let mut block = spent.try_recv().unwrap_or_default();
        block.resize_with(size, SparseExample::default);
        for (filled, slot) in block.iter_mut().enumerate() {
            if let Err(e) = next_streamed(source, &mut pass, slot) {
                block.truncate(filled);
                if !block.is_empty() {
                    let _ = full.send(Ok(block));
                }
                let _ = full.send(Err(e));
                return;
            }
        }
        sent += size as u64;
        if full.send(Ok(block)).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use features::synthetic::{SplitName, SyntheticConfig, SyntheticProblem};

    use super::*;
    use crate::online::{build, HeldPass, OnlineConfig, Regenerated};

    fn problem() -> SyntheticProblem {
        match SyntheticProblem::new(SyntheticConfig { k: 4, seed: 5, ..Default::default() }) {
            Ok(problem) => problem,
            Err(e) => panic!("{e}"),
        }
    }

    fn ftrl() -> Box<dyn OnlineOptimizer> {
        let l1 = regularizers::L1::new(1e-3).expect("l1");
        build("ftrl", &l1, &OnlineConfig::default(), &toml::Table::new()).expect("ftrl")
    }

    #[test]
    fn reading_ahead_trains_the_model_of_the_one_thread_loop() {
        let problem = problem();
        // 2,500 rows: two full blocks and a short one per pass, passes ending mid-block.
        let stream = Regenerated { problem: &problem, n: 2500 };
        for passes in [
            Passes::once(1),
            Passes { epochs: 3, ..Passes::once(1) },
            Passes { epochs: 2, ..Passes::once(100) },
            Passes { steps: Some(77), ..Passes::once(64) },
        ] {
            let (mut a, mut b) = (ftrl(), ftrl());
            let one_thread = train(a.as_mut(), &stream, &passes).expect("one thread");
            let read_ahead = train_reading_ahead(b.as_mut(), &stream, &passes).expect("ahead");
            assert_eq!(one_thread, read_ahead, "{passes:?}");
            assert_eq!(a.model(), b.model(), "{passes:?}");
            assert_eq!(a.memory().coordinates, b.memory().coordinates, "{passes:?}");
        }
    }

    /// Rows read from a "file" that breaks at row `broken` of its second pass.
    struct Breaking<'a> {
        rows: &'a [SparseExample],
        broken: usize,
        opened: std::sync::atomic::AtomicUsize,
    }

    struct BreakingPass<'a> {
        rows: HeldPass<'a>,
        left: Option<usize>,
    }

    impl crate::online::Pass for BreakingPass<'_> {
        type Error = String;

        fn next_into(&mut self, example: &mut SparseExample) -> Result<bool, String> {
            if let Some(left) = &mut self.left {
                if *left == 0 {
                    return Err("line 7: bad field".to_string());
                }
                *left -= 1;
            }
            self.rows.next_into(example).map_err(|e: Infallible| match e {})
        }
    }

    impl PassSource for Breaking<'_> {
        type Error = String;
        type Pass<'a>
            = BreakingPass<'a>
        where
            Self: 'a;

        fn len(&self) -> u64 {
            self.rows.len() as u64
        }

        fn open(&self) -> Result<BreakingPass<'_>, String> {
            let opened = self.opened.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let left = (opened == 1).then_some(self.broken);
            let Ok(rows) = <[SparseExample] as PassSource>::open(self.rows);
            Ok(BreakingPass { rows, left })
        }
    }

    #[test]
    fn a_read_error_ends_training_where_the_one_thread_loop_meets_it() {
        let rows: Vec<SparseExample> = problem().stream(SplitName::Train, 3000).collect();
        let breaking = || Breaking { rows: &rows, broken: 1500, opened: Default::default() };
        let passes = Passes { epochs: 2, ..Passes::once(1) };
        let (mut a, mut b) = (ftrl(), ftrl());
        let one_thread = train(a.as_mut(), &breaking(), &passes);
        let read_ahead = train_reading_ahead(b.as_mut(), &breaking(), &passes);
        assert!(matches!(&one_thread, Err(TrainError::Read(e)) if e.contains("line 7")));
        assert!(matches!(&read_ahead, Err(TrainError::Read(e)) if e.contains("line 7")));
        // Both trained on the 3,000 + 1,500 rows before the error.
        assert_eq!(a.model(), b.model());
    }

    #[test]
    fn training_that_stops_early_stops_the_reader() {
        let problem = problem();
        let stream = Regenerated { problem: &problem, n: 100_000 };
        let capped = OnlineConfig { memory_cap: Some(4096), ..OnlineConfig::default() };
        let l1 = regularizers::L1::new(1e-3).expect("l1");
        let mut a = build("ftrl", &l1, &capped, &toml::Table::new()).expect("ftrl");
        let mut b = build("ftrl", &l1, &capped, &toml::Table::new()).expect("ftrl");
        let passes = Passes { epochs: 5, ..Passes::once(1) };
        let one_thread = train(a.as_mut(), &stream, &passes).expect("one thread");
        let read_ahead = train_reading_ahead(b.as_mut(), &stream, &passes).expect("ahead");
        assert!(one_thread.capped.is_some() && one_thread.examples < 100_000, "{one_thread:?}");
        assert_eq!(one_thread, read_ahead);
        assert_eq!(a.model(), b.model());
    }
}
