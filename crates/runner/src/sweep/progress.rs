//! Progress of a sweep: a bar with ETA on a terminal, one plain line per finished unit
//! otherwise (logs, CI, tests).

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

/// Reports finished units; safe to share between threads.
pub struct Progress {
    bar: Option<ProgressBar>,
    total: AtomicU64,
    done: AtomicU64,
    started: Instant,
}

impl Progress {
    /// Progress over `total` units, drawn as a bar only when stderr is a terminal.
    pub fn new(total: u64) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(total);
            let style = ProgressStyle::with_template(
                "{elapsed_precise} [{bar:40}] {pos}/{len} runs, ETA {eta} {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            bar.set_style(style);
            bar
        });
        Self { bar, total: AtomicU64::new(total), done: AtomicU64::new(0), started: Instant::now() }
    }

    /// Records one finished unit described by `what`.
    pub fn finish_one(&self, what: &str) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        match &self.bar {
            Some(bar) => {
                bar.set_message(what.to_string());
                bar.inc(1);
            }
            None => {
                let elapsed = self.started.elapsed().as_secs_f64();
                let eta = elapsed / done as f64
                    * (self.total.load(Ordering::Relaxed).saturating_sub(done)) as f64;
                eprintln!(
                    "[{done}/{}] {what} (elapsed {elapsed:.0}s, ETA {eta:.0}s)",
                    self.total.load(Ordering::Relaxed)
                );
            }
        }
    }

    /// Counts `n` more units to run (added by the lambda search).
    pub fn add_units(&self, n: u64) {
        self.total.fetch_add(n, Ordering::Relaxed);
        if let Some(bar) = &self.bar {
            bar.inc_length(n);
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
