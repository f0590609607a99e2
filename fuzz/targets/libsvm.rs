//! AFL++ target: LIBSVM bytes read, written and read back: `fuzz_targets::libsvm`.
//!
//! Build and run: see `fuzz/README.md`. Without AFL++ the binary runs one input from stdin.

fn main() {
    let scratch = fuzz_targets::Scratch::new();
    afl::fuzz!(|data: &[u8]| {
        fuzz_targets::libsvm(&scratch, data);
    });
}
