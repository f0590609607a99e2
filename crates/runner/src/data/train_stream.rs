//! A training split that is read again on every pass instead of held (`[data] stream`): the
//! synthetic generator's training stream, regenerated from its seed, or the training rows of a
//! real file, read and encoded by the fitted pipeline. A pass gives the examples the held split
//! would hold, in the same order; only a real file's pass can fail (the file changed or broke
//! since it was fitted), with the typed error naming file, line and column. The library's
//! training loop reads it as a [`PassSource`].

use features::real::{TrainPass, TrainRows};
use features::synthetic::{SplitName, SyntheticProblem, SyntheticStream};
use features::{FeaturesError, SparseExample};
use optimizers::online::{self, PassSource};

/// Where a streamed training split comes from.
#[derive(Debug)]
pub enum TrainStream {
    /// The first `n` rows of the generator's training stream.
    Synthetic {
        /// The generator.
        problem: SyntheticProblem,
        /// Training rows.
        n: u64,
    },
    /// Training rows of a real file (boxed: it is much larger than the generator).
    Real(Box<TrainRows>),
}

/// One pass over a [`TrainStream`].
#[derive(Debug)]
pub enum Pass<'a> {
    /// The generator's stream.
    Synthetic(SyntheticStream),
    /// A real file being read.
    Real(TrainPass<'a>),
}

impl TrainStream {
    /// Training rows of one pass.
    pub fn len(&self) -> u64 {
        match self {
            TrainStream::Synthetic { n, .. } => *n,
            TrainStream::Real(rows) => rows.len(),
        }
    }

    /// Whether a pass has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Starts a pass.
    pub fn open(&self) -> Result<Pass<'_>, FeaturesError> {
        Ok(match self {
            TrainStream::Synthetic { problem, n } => {
                Pass::Synthetic(problem.stream(SplitName::Train, *n))
            }
            TrainStream::Real(rows) => Pass::Real(rows.open()?),
        })
    }

    /// Every example of one pass, held (for the fits that need the split whole).
    pub fn collect(&self) -> Result<Vec<SparseExample>, FeaturesError> {
        if let TrainStream::Synthetic { problem, n } = self {
            return Ok(problem.stream(SplitName::Train, *n).collect());
        }
        let mut pass = self.open()?;
        let mut examples = Vec::with_capacity(usize::try_from(self.len()).unwrap_or(0));
        let mut example = SparseExample::default();
        while pass.next_into(&mut example)? {
            examples.push(std::mem::take(&mut example));
        }
        Ok(examples)
    }
}

impl Pass<'_> {
    /// Writes the next example into `example` (reusing its buffers); `Ok(false)` after the
    /// pass's last one.
    pub fn next_into(&mut self, example: &mut SparseExample) -> Result<bool, FeaturesError> {
        match self {
            Pass::Synthetic(stream) => Ok(stream.next_into(example)),
            Pass::Real(pass) => pass.next_into(example),
        }
    }
}

impl online::Pass for Pass<'_> {
    type Error = FeaturesError;

    fn next_into(&mut self, example: &mut SparseExample) -> Result<bool, FeaturesError> {
        Pass::next_into(self, example)
    }
}

impl PassSource for TrainStream {
    type Error = FeaturesError;
    type Pass<'a> = Pass<'a>;

    fn len(&self) -> u64 {
        TrainStream::len(self)
    }

    fn open(&self) -> Result<Pass<'_>, FeaturesError> {
        TrainStream::open(self)
    }
}
