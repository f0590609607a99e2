//! AFL++ target: CSV data bytes (after a selector byte) loaded with a fixed schema: `fuzz_targets::csv_data`.
//!
//! Build and run: see `fuzz/README.md`. Without AFL++ the binary runs one input from stdin.

fn main() {
    let scratch = fuzz_targets::Scratch::new();
    afl::fuzz!(|data: &[u8]| {
        fuzz_targets::csv_data(&scratch, data);
    });
}
