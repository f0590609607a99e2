//! Online optimizers: one example or mini-batch at a time, O(active features) per example.
//!
//! Every optimizer is one file implementing the per-coordinate rule trait of `rule.rs` (its
//! state, "weight after catching up", "update with gradient g"). The one generic learner of
//! `learner.rs` owns the weight store (`store.rs`), mini-batching, gradient-norm clipping,
//! feature admission (`admission.rs`, its filter sized by `bloom_size.rs`), the unpenalized bias, divergence detection and the
//! lazy-penalty clock (`ledger.rs`). The registry below lists them (one line per
//! optimizer, see `registry.rs`) and [`train`] (`train.rs`) is the one training loop: passes,
//! shuffling and steps over a [`PassSource`], stopping at divergence or the memory cap. Adding an
//! optimizer is one file plus two lines below: its `mod` line and its entry in that list.
//!
//! | optimizer | update (sources in each file) | none | l1 | l2 | elastic_net | l0 | state / coordinate | zero weights held? |
//! |---|---|---|---|---|---|---|---|---|
//! | `sgd_subgradient` | `w(1-eta c) - eta(g + l1 sign w)` | yes | yes | yes | yes | no | 16 B | dropped |
//! | `truncated_gradient` | SGD step, every K steps `S(w, K eta l1)` (Langford 2009) | yes | yes | yes (gradient) | yes | no | 16 B | dropped |
//! | `cumulative_penalty` | SGD step, Tsuruoka 2009 clipping with `u`, `q`; owed penalty also charged when read and at export | yes | yes | yes (gradient) | yes | no | 16 B | kept (`q` is state) |
//! | `fobos` | `S(w - eta g, eta l1) / (1 + eta c)` | yes | yes | yes (prox) | yes | no | 16 B | dropped |
//! | `rda` | dual average, Xiao 2010 | yes | yes | yes | yes | no | 8 B | kept (gradient sum) |
//! | `ftrl` | McMahan 2013 Algorithm 1 | yes | yes | yes | yes | no | 16 B | kept (`z`, `n`) |
//! | `hard_threshold` | SGD step, then `v if abs(v) > sqrt(2 eta l0)` | yes | no | no | no | yes | 8 B | dropped |
//! | `sgd_adagrad` | `sgd_subgradient` with `eta_i = alpha / (beta + sqrt(sum g_i^2))` | yes | yes | no | no | no | 24 B | kept (`g2`) |
//! | `fobos_adagrad` | `fobos` with that rate | yes | yes | no | no | no | 24 B | kept (`g2`) |
//! | `rda_adagrad` | dual average with that rate, Duchi et al. 2011 | yes | yes | no | no | no | 16 B | kept (sums) |
//!
//! `c` is the L2 gradient coefficient of [`regularizers::PenaltyParts`] (so the L2 convention is
//! the regularizer's), `S` soft thresholding. Unsupported pairs, and penalties that are not a
//! mix of L1, L2 and L0 parts (MCP), are [`OnlineError::Unsupported`] naming both.
//! The SGD-type rules use the [`Schedule`]; FTRL uses its settings `ftrl_alpha`, `ftrl_beta`,
//! RDA `rda_gamma` and the `_adagrad` rules `adagrad_alpha`, `adagrad_beta` (`adagrad.rs`) instead (each optimizer's settings are documented in its file). Rules taking L2 as a gradient step require `eta_1 * c < 1`.
//!
//! Strength scale: the SGD-type rules and RDA minimize the *mean* loss plus the penalty. FTRL by
//! default reads `lambda1`, `lambda2` as McMahan's Algorithm 1 and TensorFlow do, against the
//! *sum* of per-step losses ([`FtrlPenalty::Total`], needed to reproduce the Crash Course);
//! [`FtrlPenalty::PerStep`] puts it on the mean-loss scale of the others. Reports comparing
//! optimizers at equal strength must use `per_step`.
//!
//! Memory: [`OnlineOptimizer::memory`] reports what the data structures really hold (see
//! [`StoreMemory`] and the store module for how map bytes are computed).
//!
//! Coefficients: with [`Coefficients::Q2_13`] the store keeps each coordinate's state with its
//! coefficient in 16 bits (McMahan et al. 2013, section 4.2), with [`Coefficients::F32`] in a
//! 32-bit float, for `hard_threshold`, the SGD-type rules with a ledger mark and `ftrl`;
//! `cumulative_penalty` and `rda` refuse both (their state is a penalty or gradient total, not a
//! coefficient). The encodings and their bytes are in
//! `compact.rs`, the rounding in `coefficients.rs`.

mod adagrad;
mod admission;
pub mod bloom_size;
mod coefficients;
mod compact;
mod config;
pub mod distinct;
mod error;
mod hash;
mod learner;
mod ledger;
pub mod read_ahead;
pub mod registry;
mod rule;
mod store;
mod train;

// One file per optimizer: its `mod` line here, its entry in the list below.
mod cumulative_penalty;
mod fobos;
mod fobos_adagrad;
mod ftrl;
mod hard_threshold;
mod rda;
mod rda_adagrad;
mod sgd_adagrad;
mod sgd_subgradient;
mod truncated_gradient;

registry::online_optimizer_list! {
    sgd_subgradient::SgdSubgradient,
    truncated_gradient::TruncatedGradient,
    cumulative_penalty::CumulativePenalty,
    fobos::Fobos,
    rda::Rda,
    ftrl::Ftrl,
    hard_threshold::HardThreshold,
    sgd_adagrad::SgdAdaGrad,
    fobos_adagrad::FobosAdaGrad,
    rda_adagrad::RdaAdaGrad,
}

use features::SparseExample;

pub use bloom_size::BloomCounters;
pub use coefficients::{Coefficients, Q2_13_MAX, Q2_13_MIN};
pub use config::{
    Admission, FtrlPenalty, OnlineConfig, Schedule, StoreKind, StoreLayout, DEFAULT_SCHEDULE,
    DENSE_STORE_MAX_BYTES, MAX_BLOOM_COUNTERS,
};
pub use distinct::DistinctCounter;
pub use error::OnlineError;
pub use read_ahead::train_reading_ahead;
pub use registry::{build, lookup, OnlineEntry};
pub use store::StoreMemory;
pub use train::{train, HeldPass, Pass, PassSource, Passes, Regenerated, TrainError, Trained};

use crate::LinearModel;

/// A learner that consumes mini-batches and can be asked for its model and memory at any time.
pub trait OnlineOptimizer: Send {
    /// Which optimizer this is (its registry name).
    fn name(&self) -> &'static str;

    /// One step on a mini-batch: the gradient is the mean over the batch.
    fn train_batch(&mut self, batch: &[SparseExample]);

    /// `b + w . x` with the current weights (catching up the coordinates it reads).
    fn predict_margin(&mut self, example: &SparseExample) -> f64;

    /// The current model: every pending lazy penalty is caught up first; exact zeros dropped.
    fn model(&mut self) -> LinearModel;

    /// Bytes and coordinates held now.
    fn memory(&self) -> StoreMemory;

    /// Bytes of the training state held now (`memory().state_bytes`) in O(1): cheap enough to
    /// watch a memory cap during training, where `memory` visits every coordinate.
    fn state_bytes(&self) -> u64;

    /// Whether a NaN or infinity was met (training then stops changing the model).
    fn diverged(&self) -> bool;

    /// With `memory_cap`: the bytes the training state would have held (while its table grew)
    /// when it passed the cap; training then stops changing the model. `None` otherwise.
    fn capped(&self) -> Option<u64> {
        None
    }

    /// Feature occurrences ignored because their id is outside a dense store.
    fn ignored_features(&self) -> u64 {
        0
    }
}
