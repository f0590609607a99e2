//! A training split that is read again on every pass instead of held (`[data] stream`): the
//! synthetic generator's training stream, regenerated from its seed, or the training rows of a
//! real file, read and encoded by the fitted pipeline. A pass gives the examples the held split
//! would hold, in the same order; only a real file's pass can fail (the file changed or broke
//! since it was fitted), with the typed error naming file, line and column. A real file's size
//! and modification time are checked against those the run started with
//! ([`DataIdentity::check_stat`]) when a pass starts and when it ends: a file changed under the
//! run ends it with an error naming the file. The library's training loop reads it as a
//! [`PassSource`].

use features::real::{TrainPass, TrainRows};
use features::synthetic::{SplitName, SyntheticProblem, SyntheticStream};
use features::{FeaturesError, SparseExample};
use optimizers::online::{self, PassSource};

use crate::data::identity::DataIdentity;

/// Where a streamed training split comes from.
#[derive(Debug)]
pub enum TrainStream {
    /// The first `n` rows of the generator's training stream.
    Synthetic {
        /// The generator (boxed: its config alone is a few hundred bytes).
        problem: Box<SyntheticProblem>,
        /// Training rows.
        n: u64,
    },
    /// Training rows of a real file (boxed: they are larger still), and its
    /// files as the run found them (checked at each pass; `None`: not checked).
    Real(Box<TrainRows>, Option<Box<DataIdentity>>),
}

/// One pass over a [`TrainStream`].
#[derive(Debug)]
pub enum Pass<'a> {
    /// The generator's stream.
    Synthetic(SyntheticStream),
    /// A real file being read, checked at its end.
    Real(TrainPass<'a>, Option<&'a DataIdentity>),
}

impl TrainStream {
    /// Training rows of one pass.
    pub fn len(&self) -> u64 {
        match self {
            TrainStream::Synthetic { n, .. } => *n,
            TrainStream::Real(rows, _) => rows.len(),
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
            TrainStream::Real(rows, identity) => {
                check(identity.as_deref())?;
                Pass::Real(rows.open()?, identity.as_deref())
            }
        })
    }

    /// Whether a real file is still as the run found it (size and modification time).
    pub fn check(&self) -> Result<(), FeaturesError> {
        match self {
            TrainStream::Synthetic { .. } => Ok(()),
            TrainStream::Real(_, identity) => check(identity.as_deref()),
        }
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
            Pass::Real(pass, identity) => {
                let more = pass.next_into(example)?;
                if !more {
                    check(*identity)?;
                }
                Ok(more)
            }
        }
    }
}

/// [`DataIdentity::check_stat`] as the typed error of a read (naming the file).
fn check(identity: Option<&DataIdentity>) -> Result<(), FeaturesError> {
    let Some(identity) = identity else { return Ok(()) };
    identity.check_stat().map_err(|source| FeaturesError::Io {
        path: identity.paths().next().map(Into::into).unwrap_or_default(),
        source,
    })
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
