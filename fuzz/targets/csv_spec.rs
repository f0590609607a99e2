//! AFL++ target: A `[data.real]` table (schema, features, split) loaded over a small fixed CSV: `fuzz_targets::csv_spec`.
//!
//! Build and run: see `fuzz/README.md`. Without AFL++ the binary runs one input from stdin.

fn main() {
    let scratch = fuzz_targets::Scratch::new();
    afl::fuzz!(|data: &[u8]| {
        fuzz_targets::csv_spec(&scratch, data);
    });
}
