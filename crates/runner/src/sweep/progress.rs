//! Progress of a sweep: a bar with ETA on a terminal, one plain line per finished unit
//! otherwise (logs, CI, tests).
//!
//! The total is the units planned to run; the lambda search adds points as it goes, which the
//! line says (`[5/6, +2 from the search]`). When every unit counted so far is done but the
//! search may still add some, the ETA is not 0 s: the line says it waits on the search.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

/// Reports finished units; safe to share between threads.
pub struct Progress {
    bar: Option<ProgressBar>,
    total: AtomicU64,
    added: AtomicU64,
    done: AtomicU64,
    may_grow: bool,
    started: Instant,
}

impl Progress {
    /// Progress over `total` units, drawn as a bar only when stderr is a terminal; `may_grow`:
    /// whether the lambda search may add units.
    pub fn new(total: u64, may_grow: bool) -> Self {
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
        Self {
            bar,
            total: AtomicU64::new(total),
            added: AtomicU64::new(0),
            done: AtomicU64::new(0),
            may_grow,
            started: Instant::now(),
        }
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
                let (total, added) =
                    (self.total.load(Ordering::Relaxed), self.added.load(Ordering::Relaxed));
                eprintln!(
                    "{}",
                    line(Line { done, total, added, elapsed, what, may_grow: self.may_grow })
                );
            }
        }
    }

    /// Counts `n` more units to run (added by the lambda search).
    pub fn add_units(&self, n: u64) {
        self.total.fetch_add(n, Ordering::Relaxed);
        self.added.fetch_add(n, Ordering::Relaxed);
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

/// What one plain progress line shows.
struct Line<'a> {
    done: u64,
    total: u64,
    added: u64,
    elapsed: f64,
    what: &'a str,
    may_grow: bool,
}

/// `[done/total, +added from the search] what (elapsed Ns, ETA ...)`.
fn line(l: Line<'_>) -> String {
    let added = if l.added > 0 { format!(", +{} from the search", l.added) } else { String::new() };
    let left = l.total.saturating_sub(l.done);
    let eta = if left == 0 && l.may_grow {
        "ETA: until the lambda search stops adding points".to_string()
    } else {
        let seconds = l.elapsed / l.done.max(1) as f64 * left as f64;
        match (left, seconds < 1.0) {
            (0, _) => "done".to_string(),
            (_, true) => "ETA <1s".to_string(),
            _ => format!("ETA {seconds:.0}s"),
        }
    };
    format!("[{}/{}{added}] {} (elapsed {:.0}s, {eta})", l.done, l.total, l.what, l.elapsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_says_what_the_search_added_and_never_a_false_zero_eta() {
        let at = |done, total, added, may_grow| {
            line(Line { done, total, added, elapsed: 10.0, what: "u", may_grow })
        };
        assert_eq!(at(2, 4, 0, true), "[2/4] u (elapsed 10s, ETA 10s)");
        assert_eq!(at(5, 6, 2, true), "[5/6, +2 from the search] u (elapsed 10s, ETA 2s)");
        assert!(at(6, 6, 2, true).contains("until the lambda search stops"));
        assert!(at(4, 4, 0, false).ends_with("done)"));
    }
}
