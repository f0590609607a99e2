//! AFL++ target: an experiment spec parsed, checked and expanded into runs:
//! `fuzz_targets::spec`.
//!
//! Build and run: see `fuzz/README.md`. Without AFL++ the binary runs one input from stdin.

fn main() {
    afl::fuzz!(|data: &[u8]| {
        fuzz_targets::spec(data);
    });
}
