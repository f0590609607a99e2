//! Online optimizers (filled in by the online-optimizers work).
