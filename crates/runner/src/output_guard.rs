//! Refuses a command whose output would replace one of its inputs, or whose two outputs are the
//! same file: `predict --out` equal to the model or the data, `split --train-out` equal to the
//! input or to `--test-out`. Paths are compared after resolving `.`, `..` and symlinks (an output
//! that does not exist yet is resolved through its parent directory), so `./a.csv`, `a.csv` and a
//! symlink to it are one file.
//!
//! Uses nothing.

use std::path::{Path, PathBuf};

/// A path named on the command line, with the option (or argument) that named it.
#[derive(Debug, Clone, Copy)]
pub struct Named<'a> {
    /// The option or argument, e.g. `--out` or `DATA`.
    pub option: &'a str,
    /// The path it names.
    pub path: &'a Path,
}

/// The file `path` resolves to; for a path that does not exist, its resolved parent joined with
/// its file name (a dangling symlink resolves to nothing better than itself).
pub fn resolved(path: &Path) -> PathBuf {
    if let Ok(real) = path.canonicalize() {
        return real;
    }
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    match (parent.canonicalize(), path.file_name()) {
        (Ok(dir), Some(name)) => dir.join(name),
        _ => path.to_path_buf(),
    }
}

/// Errors when an output is one of the inputs or when two outputs are one file.
pub fn check_outputs(outputs: &[Named<'_>], inputs: &[Named<'_>]) -> anyhow::Result<()> {
    for (i, out) in outputs.iter().enumerate() {
        let target = resolved(out.path);
        if let Some(input) = inputs.iter().find(|input| resolved(input.path) == target) {
            anyhow::bail!(
                "{} {} is the input {} ({}): writing it would destroy the input; name another file",
                out.option,
                out.path.display(),
                input.option,
                input.path.display()
            );
        }
        if let Some(other) = outputs[..i].iter().find(|other| resolved(other.path) == target) {
            anyhow::bail!(
                "{} and {} name the same file ({}): one output would overwrite the other",
                other.option,
                out.option,
                out.path.display()
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named<'a>(option: &'a str, path: &'a Path) -> Named<'a> {
        Named { option, path }
    }

    #[test]
    fn an_output_equal_to_an_input_through_another_spelling_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let input = dir.path().join("data.csv");
        std::fs::write(&input, "a\n1\n").expect("write");
        let spelled = dir.path().join(".").join("data.csv");
        let error = check_outputs(&[named("--out", &spelled)], &[named("DATA", &input)])
            .expect_err("same file");
        assert!(error.to_string().contains("--out"), "{error}");
        assert!(error.to_string().contains("DATA"), "{error}");
    }

    #[test]
    fn two_outputs_that_do_not_exist_yet_are_still_compared() {
        let dir = tempfile::tempdir().expect("temp dir");
        let a = dir.path().join("new.csv");
        let b = dir.path().join("sub/../new.csv");
        std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
        let error = check_outputs(&[named("--train-out", &a), named("--test-out", &b)], &[])
            .expect_err("same output");
        assert!(error.to_string().contains("--train-out and --test-out"), "{error}");
        check_outputs(&[named("--train-out", &a)], &[named("DATA", &b.with_file_name("x"))])
            .expect("distinct files pass");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_to_the_input_is_the_input() {
        let dir = tempfile::tempdir().expect("temp dir");
        let input = dir.path().join("model.json");
        std::fs::write(&input, "{}").expect("write");
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&input, &link).expect("symlink");
        assert!(check_outputs(&[named("--out", &link)], &[named("MODEL", &input)]).is_err());
    }
}
