//! Loads a real-data spec and prints what came out: rows per split, positives, the feature
//! groups with their sizes, a few feature names, and the load time. For checking a spec before
//! putting it in an experiment.
//!
//! `cargo run --release -p features --example inspect_spec -- <data_dir> <spec.toml>`

use std::path::PathBuf;
use std::time::Instant;

use features::real::{self, RealDataSpec};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args_os().skip(1);
    let (Some(data_dir), Some(spec_path)) = (args.next(), args.next()) else {
        return Err("usage: inspect_spec <data_dir> <spec.toml>".into());
    };
    let spec_path = PathBuf::from(spec_path);
    let text = std::fs::read_to_string(&spec_path)
        .map_err(|err| format!("{}: {err}", spec_path.display()))?;
    let spec: RealDataSpec =
        toml::from_str(&text).map_err(|err| format!("{}: {err}", spec_path.display()))?;
    let start = Instant::now();
    let data = real::load(&PathBuf::from(data_dir), &spec)?;
    let seconds = start.elapsed().as_secs_f64();
    println!("{}: {} rows read in {seconds:.2} s", spec.file, data.rows_read);
    for (split, rows) in
        [("train", &data.train), ("validation", &data.validation), ("test", &data.test)]
    {
        let positives = rows.iter().filter(|e| e.label == 1.0).count();
        println!("  {split}: {} rows, {positives} labelled 1", rows.len());
    }
    println!("  dimension {}", data.space.dimension());
    for group in data.space.groups() {
        println!(
            "  group {} ({:?}): ids {}..{}",
            group.name,
            group.kind,
            group.first,
            group.first + group.size
        );
    }
    if let Some(first) = data.train.first() {
        for &id in &first.ids {
            println!("  first training row: {id} = {}", data.space.name(id)?);
        }
    }
    Ok(())
}
