//! The one online training loop: every caller (the runner's online runs, the benches, the peer
//! example, the tests) trains through [`train`]. It makes passes over a [`PassSource`] (rows
//! held in memory, a synthetic stream regenerated for every pass, a real file read again),
//! optionally reshuffled before each pass, or a number of steps cycling over it, and feeds
//! mini-batches to [`OnlineOptimizer::train_batch`]. It stops early when the optimizer has
//! diverged or its training state passed its memory cap ([`OnlineOptimizer::capped`]); the
//! periodic sweep (`sweep_every`) runs inside the learner's step.
//!
//! Cost per example: one `train_batch` step, plus a copy into the batch buffer when the rows
//! are shuffled, cycled by steps or streamed; nothing depends on the dimension. A streamed
//! source is read one batch at a time, so memory does not grow with the rows of a pass.

use std::convert::Infallible;

use features::synthetic::{SplitName, SyntheticProblem, SyntheticStream};
use features::SparseExample;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::OnlineOptimizer;

/// How many examples to train on, in which order and batches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Passes {
    /// Passes over the source (ignored when `steps` is set).
    pub epochs: u32,
    /// Mini-batches to train on instead, cycling over the source.
    pub steps: Option<u64>,
    /// Examples per mini-batch (0 is read as 1).
    pub batch_size: usize,
    /// Reshuffle the rows before each pass (held rows only).
    pub shuffle: bool,
    /// Seed of the shuffling.
    pub seed: u64,
}

impl Passes {
    /// One pass in order, in mini-batches of `batch_size`.
    pub fn once(batch_size: usize) -> Self {
        Self { epochs: 1, steps: None, batch_size, shuffle: false, seed: 0 }
    }
}

/// One pass over a [`PassSource`], read example by example.
pub trait Pass {
    /// What a failed read gives.
    type Error;

    /// Writes the next example into `example` (reusing its buffers); `Ok(false)` after the
    /// pass's last one.
    fn next_into(&mut self, example: &mut SparseExample) -> Result<bool, Self::Error>;
}

/// A training split that can be read pass after pass, each pass giving the same rows in the
/// same order.
pub trait PassSource {
    /// What a failed read gives (passed through by [`train`] as [`TrainError::Read`]).
    type Error;
    /// One pass.
    type Pass<'a>: Pass<Error = Self::Error>
    where
        Self: 'a;

    /// Rows in one pass.
    fn len(&self) -> u64;

    /// Whether a pass has no rows.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The rows, when they are held in memory: batches are then slices of them (nothing is
    /// copied) and the rows can be shuffled.
    fn held(&self) -> Option<&[SparseExample]> {
        None
    }

    /// Starts a pass.
    fn open(&self) -> Result<Self::Pass<'_>, Self::Error>;
}

/// A pass over held rows, copying each into the caller's buffer.
#[derive(Debug)]
pub struct HeldPass<'a>(std::slice::Iter<'a, SparseExample>);

impl Pass for HeldPass<'_> {
    type Error = Infallible;

    fn next_into(&mut self, example: &mut SparseExample) -> Result<bool, Infallible> {
        Ok(self.0.next().map(|row| copy_example(example, row)).is_some())
    }
}

impl PassSource for [SparseExample] {
    type Error = Infallible;
    type Pass<'a> = HeldPass<'a>;

    fn len(&self) -> u64 {
        <[SparseExample]>::len(self) as u64
    }

    fn held(&self) -> Option<&[SparseExample]> {
        Some(self)
    }

    fn open(&self) -> Result<HeldPass<'_>, Infallible> {
        Ok(HeldPass(self.iter()))
    }
}

impl Pass for SyntheticStream {
    type Error = Infallible;

    fn next_into(&mut self, example: &mut SparseExample) -> Result<bool, Infallible> {
        Ok(SyntheticStream::next_into(self, example))
    }
}

/// The first `n` rows of a synthetic problem's training stream, generated again for every pass
/// (what a streamed synthetic run, `[data] stream = true`, trains on).
#[derive(Debug, Clone, Copy)]
pub struct Regenerated<'a> {
    /// The generator.
    pub problem: &'a SyntheticProblem,
    /// Rows per pass.
    pub n: u64,
}

impl PassSource for Regenerated<'_> {
    type Error = Infallible;
    type Pass<'a>
        = SyntheticStream
    where
        Self: 'a;

    fn len(&self) -> u64 {
        self.n
    }

    fn open(&self) -> Result<SyntheticStream, Infallible> {
        Ok(self.problem.stream(SplitName::Train, self.n))
    }
}

/// What [`train`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Trained {
    /// Examples fed to the optimizer.
    pub examples: u64,
    /// Mini-batches (optimizer steps) fed; a pass's last one may be short.
    pub batches: u64,
    /// When training stopped at the memory cap: the bytes the training state would have held
    /// while its table grew ([`OnlineOptimizer::capped`]).
    pub capped: Option<u64>,
}

/// Why [`train`] could not finish.
#[derive(Debug, thiserror::Error)]
pub enum TrainError<E> {
    /// Reading a pass failed (e.g. a real file that broke since it was fitted).
    #[error(transparent)]
    Read(E),
    /// A pass after the first had no rows, where the source said it had some.
    #[error("a pass of the training split came back empty where it held {rows} rows")]
    EmptyPass {
        /// The rows the source reports per pass.
        rows: u64,
    },
    /// The thread reading ahead ([`super::train_reading_ahead`]) stopped before it handed over
    /// every example it was asked for.
    #[error("the thread reading the training split ahead stopped early")]
    ReaderStopped,
    /// Shuffling needs the rows held; a streamed split is read in its order.
    #[error(
        "shuffling needs the training rows held in memory; a streamed split cannot be shuffled"
    )]
    ShuffleNeedsHeldRows,
}

/// Trains `optimizer` on `source` per `passes`: `epochs` passes (or `steps` mini-batches
/// cycling over the rows), reshuffled before each pass when asked. Held rows without shuffling
/// or steps are fed as slices, each pass cut into batches on its own; otherwise batches are
/// filled example by example and run across pass boundaries. Stops once the optimizer has
/// diverged or passed its memory cap; a read error of the source ends training with it.
pub fn train<S: PassSource + ?Sized>(
    optimizer: &mut dyn OnlineOptimizer,
    source: &S,
    passes: &Passes,
) -> Result<Trained, TrainError<S::Error>> {
    let mut done = Trained::default();
    let rows = source.len();
    if rows == 0 {
        return Ok(done);
    }
    let batch_size = passes.batch_size.max(1);
    let total = total_examples(passes, rows);
    match (source.held(), passes.steps, passes.shuffle) {
        (Some(held), None, false) => {
            for _ in 0..passes.epochs {
                for batch in held.chunks(batch_size) {
                    if !step(optimizer, batch, &mut done) {
                        return Ok(done);
                    }
                }
            }
            Ok(done)
        }
        (Some(held), _, shuffle) => {
            let mut order = Order::new(held.len(), shuffle, passes.seed);
            let held = &held;
            let next: Next<'_, S::Error> = Box::new(move |slot| {
                copy_example(slot, &held[order.next_index()]);
                Ok(())
            });
            fill_batches(optimizer, total, batch_size, next, &mut done)?;
            Ok(done)
        }
        (None, _, true) => Err(TrainError::ShuffleNeedsHeldRows),
        (None, _, false) => {
            let mut pass = source.open().map_err(TrainError::Read)?;
            let next: Next<'_, S::Error> =
                Box::new(move |slot| next_streamed(source, &mut pass, slot));
            fill_batches(optimizer, total, batch_size, next, &mut done)?;
            Ok(done)
        }
    }
}

/// Examples [`train`] feeds in all: `epochs` passes of `rows`, or `steps` batches.
pub(crate) fn total_examples(passes: &Passes, rows: u64) -> u64 {
    match passes.steps {
        Some(steps) => steps.saturating_mul(passes.batch_size.max(1) as u64),
        None => u64::from(passes.epochs).saturating_mul(rows),
    }
}

/// Writes the next example of a streamed source into `slot`, starting the next pass (the same
/// rows again) when `pass` has ended.
pub(crate) fn next_streamed<'s, S: PassSource + ?Sized>(
    source: &'s S,
    pass: &mut S::Pass<'s>,
    slot: &mut SparseExample,
) -> Result<(), TrainError<S::Error>> {
    if !pass.next_into(slot).map_err(TrainError::Read)? {
        *pass = source.open().map_err(TrainError::Read)?;
        if !pass.next_into(slot).map_err(TrainError::Read)? {
            return Err(TrainError::EmptyPass { rows: source.len() });
        }
    }
    Ok(())
}

/// Writes the next example of a copied batch into its slot. Boxed, with the captures the
/// runner's loop had before it moved here: the box is part of the training heap a run measures
/// (`peak_heap_bytes`), which the move must not change.
pub(crate) type Next<'s, E> = Box<dyn FnMut(&mut SparseExample) -> Result<(), TrainError<E>> + 's>;

/// Feeds batches of `batch_size` examples written by `next` until `total` examples were fed or
/// [`step`] says stop (the last batch may be short).
pub(crate) fn fill_batches<E>(
    optimizer: &mut dyn OnlineOptimizer,
    total: u64,
    batch_size: usize,
    mut next: Next<'_, E>,
    done: &mut Trained,
) -> Result<(), TrainError<E>> {
    let mut batch: Vec<SparseExample> = Vec::with_capacity(batch_size.min(4096));
    while done.examples < total {
        let size = (total - done.examples).min(batch_size as u64) as usize;
        batch.resize_with(size, SparseExample::default);
        batch.iter_mut().try_for_each(&mut next)?;
        if !step(optimizer, &batch, done) {
            break;
        }
    }
    Ok(())
}

/// One optimizer step on `batch`, counted in `done`; false when training must stop (the
/// optimizer had diverged before it, so the batch was not fed, or it passed its memory cap).
fn step(optimizer: &mut dyn OnlineOptimizer, batch: &[SparseExample], done: &mut Trained) -> bool {
    if optimizer.diverged() {
        return false;
    }
    optimizer.train_batch(batch);
    done.examples += batch.len() as u64;
    done.batches += 1;
    done.capped = optimizer.capped();
    done.capped.is_none()
}

/// Examples in visiting order: passes over `0..n`, each pass reshuffled with the seed when
/// `shuffle` is on (the previous pass's order shuffled again, from one generator).
struct Order {
    n: usize,
    shuffle: bool,
    rng: ChaCha8Rng,
    pass: Vec<usize>,
    position: usize,
}

impl Order {
    fn new(n: usize, shuffle: bool, seed: u64) -> Self {
        Self { n, shuffle, rng: ChaCha8Rng::seed_from_u64(seed), pass: Vec::new(), position: n }
    }

    fn next_index(&mut self) -> usize {
        if self.position == self.n {
            self.position = 0;
            if self.shuffle {
                if self.pass.is_empty() {
                    self.pass = (0..self.n).collect();
                }
                self.pass.shuffle(&mut self.rng);
            }
        }
        let i = if self.shuffle { self.pass[self.position] } else { self.position };
        self.position += 1;
        i
    }
}

/// Copies `source` into `target`, reusing `target`'s buffers.
fn copy_example(target: &mut SparseExample, source: &SparseExample) {
    target.ids.clone_from(&source.ids);
    target.values.clone_from(&source.values);
    target.label = source.label;
    target.true_prob = source.true_prob;
}

#[cfg(test)]
mod tests {
    use features::synthetic::SyntheticConfig;

    use super::*;
    use crate::online::{build, OnlineConfig};

    fn problem() -> SyntheticProblem {
        match SyntheticProblem::new(SyntheticConfig { k: 3, seed: 2, ..Default::default() }) {
            Ok(problem) => problem,
            Err(e) => panic!("{e}"),
        }
    }

    fn ftrl() -> Box<dyn OnlineOptimizer> {
        let l1 = regularizers::L1::new(1e-3).expect("l1");
        build("ftrl", &l1, &OnlineConfig::default(), &toml::Table::new()).expect("ftrl")
    }

    /// A source whose passes after the first are empty (a file that was emptied).
    struct Vanishing<'a>(&'a [SparseExample], std::cell::Cell<bool>);

    impl PassSource for Vanishing<'_> {
        type Error = Infallible;
        type Pass<'a>
            = HeldPass<'a>
        where
            Self: 'a;

        fn len(&self) -> u64 {
            self.0.len() as u64
        }

        fn open(&self) -> Result<HeldPass<'_>, Infallible> {
            let first = !self.1.replace(true);
            Ok(HeldPass(if first { self.0.iter() } else { self.0[..0].iter() }))
        }
    }

    #[test]
    fn held_and_regenerated_rows_train_the_same_model() {
        let problem = problem();
        let stream = Regenerated { problem: &problem, n: 500 };
        let held: Vec<SparseExample> = problem.stream(SplitName::Train, 500).collect();
        for passes in [
            Passes { epochs: 2, ..Passes::once(1) },
            Passes { epochs: 2, ..Passes::once(100) },
            Passes { steps: Some(7), ..Passes::once(100) },
        ] {
            let (mut a, mut b) = (ftrl(), ftrl());
            let from_held = train(a.as_mut(), held.as_slice(), &passes).expect("held");
            let from_stream = train(b.as_mut(), &stream, &passes).expect("regenerated");
            assert_eq!(from_held, from_stream, "{passes:?}");
            assert_eq!(a.model(), b.model(), "{passes:?}");
        }
    }

    #[test]
    fn passes_steps_and_batches_are_counted_as_fed() {
        let held: Vec<SparseExample> = problem().stream(SplitName::Train, 250).collect();
        let count = |passes: Passes| train(ftrl().as_mut(), held.as_slice(), &passes);
        // Held passes in order are cut on their own: 3 batches of 100, 100, 50 per pass.
        let plain = count(Passes { epochs: 2, ..Passes::once(100) }).expect("held");
        assert_eq!((plain.examples, plain.batches, plain.capped), (500, 6, None));
        // Shuffled passes run batches across pass boundaries: 100, 100, 100, 100, 100.
        let shuffled = Passes { epochs: 2, shuffle: true, seed: 3, ..Passes::once(100) };
        assert_eq!(count(shuffled).expect("held").batches, 5);
        let steps = count(Passes { steps: Some(4), ..Passes::once(100) }).expect("held");
        assert_eq!((steps.examples, steps.batches), (400, 4));
        assert_eq!(count(Passes::once(0)).expect("held").batches, 250);
        let none: &[SparseExample] = &[];
        let nothing = train(ftrl().as_mut(), none, &Passes::once(1)).expect("held");
        assert_eq!(nothing, Trained::default());
    }

    #[test]
    fn a_streamed_source_refuses_shuffling_and_an_empty_later_pass() {
        let problem = problem();
        let stream = Regenerated { problem: &problem, n: 10 };
        let shuffled = Passes { shuffle: true, ..Passes::once(1) };
        let refused = train(ftrl().as_mut(), &stream, &shuffled);
        assert!(matches!(refused, Err(TrainError::ShuffleNeedsHeldRows)), "{refused:?}");
        let rows: Vec<SparseExample> = problem.stream(SplitName::Train, 10).collect();
        let vanishing = Vanishing(&rows, std::cell::Cell::new(false));
        let two = Passes { epochs: 2, ..Passes::once(1) };
        let emptied = train(ftrl().as_mut(), &vanishing, &two);
        assert!(matches!(emptied, Err(TrainError::EmptyPass { rows: 10 })), "{emptied:?}");
    }

    #[test]
    fn order_visits_every_index_once_per_pass() {
        let mut order = Order::new(5, true, 7);
        let mut pass: Vec<usize> = (0..5).map(|_| order.next_index()).collect();
        pass.sort_unstable();
        assert_eq!(pass, vec![0, 1, 2, 3, 4]);
        let mut plain = Order::new(3, false, 7);
        let seen: Vec<usize> = (0..7).map(|_| plain.next_index()).collect();
        assert_eq!(seen, vec![0, 1, 2, 0, 1, 2, 0]);
    }
}
