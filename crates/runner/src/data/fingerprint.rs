//! The fingerprint of a data set (the `data_fingerprint` column): what decides its examples,
//! hashed with FNV-1a 64 into 16 hex digits.
//!
//! - Synthetic: the generator configuration as the generator reads it (the `[data.synthetic]`
//!   table with every default filled in, k and the seed), and `n_train`, `n_validation`,
//!   `n_test`. Cheap: nothing is generated.
//! - Real: the bytes of the data file as stored (a `.gz` file's compressed bytes), streamed
//!   through the hasher in blocks, then those of `validation_file` and `test_file` when given
//!   (each after its key), then the `[data.real]` table as the loader reads it (file
//!   name, `max_rows`, schema, feature columns, split) with the split's seed set to the data
//!   set's. The file is read once per run of the runner however many seeds share it, and read
//!   even when every run is resumed: that is how a changed or damaged file is noticed.
//!
//! A real data set whose file is not there has no fingerprint (`None`): its rows cannot be
//! checked (a sweep has refused such a spec before it gets here, `data::locate_data_dir`).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use anyhow::Context;
use serde::Serialize;

use crate::plan::DatasetKey;
use crate::provenance::Fnv64;
use crate::spec::hash_grid::{real_at, synthetic_at};
use crate::spec::resolve::{real_spec, synthetic_config};
use crate::spec::ExperimentSpec;

/// Bytes read from a data file at a time.
const BLOCK: usize = 1 << 16;

/// What the synthetic fingerprint hashes (as JSON).
#[derive(Serialize)]
struct SyntheticData {
    generator: features::synthetic::SyntheticConfig,
    n_train: Option<u64>,
    n_validation: Option<u64>,
    n_test: Option<u64>,
}

/// `hasher` after the bytes of the file at `path`, read in blocks.
fn hash_file(path: &Path, mut hasher: Fnv64) -> anyhow::Result<Fnv64> {
    let mut file = std::fs::File::open(path)
        .with_context(|| format!("cannot open {} (to fingerprint it)", path.display()))?;
    let mut buffer = vec![0u8; BLOCK];
    let mut length: u64 = 0;
    loop {
        let n = match file.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(e)
                    .with_context(|| format!("cannot read {} (to fingerprint it)", path.display()))
            }
        };
        hasher.write(&buffer[..n]);
        length += n as u64;
    }
    hasher.write(&length.to_le_bytes());
    Ok(hasher)
}

/// The hasher after the bytes of every file of a real data set (`file` alone hashes as it did
/// before the other files existed); `None` when one is not there: as `data::real::build`, a path
/// that is not a file is a missing file.
pub fn hash_files(
    real: &features::real::RealDataSpec,
    data_dir: &Path,
) -> anyhow::Result<Option<Fnv64>> {
    let mut hasher = Fnv64::new().with(b"real data file\0");
    for (i, (_, key, file)) in real.files().into_iter().enumerate() {
        let path = data_dir.join(file);
        if !path.is_file() {
            return Ok(None);
        }
        if i > 0 {
            hasher = hasher.with(b"\0").with(key.as_bytes()).with(b"\0");
        }
        hasher = hash_file(&path, hasher)?;
    }
    Ok(Some(hasher))
}

/// The hash of `files` in `data_dir`, each after the first preceded by its name (`None` when
/// one is not there).
fn hash_paths(files: Vec<&str>, data_dir: &Path) -> anyhow::Result<Option<Fnv64>> {
    let mut hasher = Fnv64::new().with(b"libsvm data file\0");
    for (i, file) in files.into_iter().enumerate() {
        let path = data_dir.join(file);
        if !path.is_file() {
            return Ok(None);
        }
        if i > 0 {
            hasher = hasher.with(b"\0").with(file.as_bytes()).with(b"\0");
        }
        hasher = hash_file(&path, hasher)?;
    }
    Ok(Some(hasher))
}

/// The fingerprint of every data set of `datasets` (`None`: a real data file that is not
/// there). A real file is hashed once for all of them.
pub fn fingerprints(
    spec: &ExperimentSpec,
    datasets: &[DatasetKey],
    data_dir: &Path,
) -> anyhow::Result<BTreeMap<DatasetKey, Option<String>>> {
    fingerprints_with(spec, datasets, data_dir, None)
}

/// [`fingerprints`] with the real files' hash already taken (`known`, from
/// `data::identity::DataIdentity`), so a run reads them once at the start.
pub fn fingerprints_with(
    spec: &ExperimentSpec,
    datasets: &[DatasetKey],
    data_dir: &Path,
    known: Option<Fnv64>,
) -> anyhow::Result<BTreeMap<DatasetKey, Option<String>>> {
    let mut out = BTreeMap::new();
    let mut file_hash: Option<Option<Fnv64>> = known.map(Some);
    for &key in datasets {
        let fingerprint = if let (Some(table), Some(k)) = (&spec.data.synthetic, key.k) {
            let data = SyntheticData {
                generator: synthetic_config(&*synthetic_at(table, key.buckets)?, k, key.seed)?,
                n_train: key.n.or(spec.data.n_train),
                n_validation: spec.data.n_validation,
                n_test: spec.data.n_test,
            };
            let json = serde_json::to_string(&data)?;
            Some(Fnv64::new().with(b"synthetic\0").with(json.as_bytes()).hex())
        } else if let Some(table) = &spec.data.real {
            let mut real = real_spec(&*real_at(table, key.buckets)?)?;
            let file = match &file_hash {
                Some(hash) => *hash,
                None => {
                    let hash = hash_files(&real, data_dir)?;
                    file_hash = Some(hash);
                    hash
                }
            };
            match file {
                Some(hasher) => {
                    real.split.seed = key.seed;
                    let json = serde_json::to_string(&real)?;
                    Some(hasher.with(b"\0spec\0").with(json.as_bytes()).hex())
                }
                None => None,
            }
        } else if let Some(libsvm) = &spec.data.libsvm {
            if file_hash.is_none() {
                file_hash = Some(hash_paths(libsvm.files(), data_dir)?);
            }
            file_hash.flatten().map(|hasher| {
                let json = serde_json::to_string(libsvm).unwrap_or_default();
                let seed = key.seed.to_string();
                hasher.with(b"\0libsvm\0").with(json.as_bytes()).with(seed.as_bytes()).hex()
            })
        } else {
            anyhow::bail!("spec has no data source (not checked?)")
        };
        out.insert(key, fingerprint);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(text: &str) -> ExperimentSpec {
        toml::from_str(text).unwrap()
    }

    const SYNTHETIC: &str = "name = \"t\"\n[data]\nn_train = 10\nn_validation = 5\nn_test = 5\n\
        [data.synthetic]\n[grid]\nk = [2, 3]\nseeds = [1, 2]\n[[regularizer]]\nkind = \"l1\"\n\
        [[regularizer.optimizer]]\nonline = \"ftrl\"\n";

    #[test]
    fn synthetic_fingerprints_follow_k_seed_sizes_and_generator_keys() {
        let keys: Vec<DatasetKey> = [(2, 1), (2, 2), (3, 1)]
            .iter()
            .map(|&(k, seed)| DatasetKey { k: Some(k), seed, n: None, buckets: None })
            .collect();
        let dir = Path::new(".");
        let base = fingerprints(&spec(SYNTHETIC), &keys, dir).unwrap();
        let again = fingerprints(&spec(SYNTHETIC), &keys, dir).unwrap();
        assert_eq!(base, again);
        let distinct: std::collections::BTreeSet<_> = base.values().collect();
        assert_eq!(distinct.len(), 3, "{base:?}");
        let bigger =
            fingerprints(&spec(&SYNTHETIC.replace("n_train = 10", "n_train = 11")), &keys, dir);
        assert_ne!(bigger.unwrap()[&keys[0]], base[&keys[0]]);
        let other = SYNTHETIC.replace("[data.synthetic]\n", "[data.synthetic]\nbias = 0.5\n");
        assert_ne!(fingerprints(&spec(&other), &keys, dir).unwrap()[&keys[0]], base[&keys[0]]);
        // A default written out is the same configuration.
        let explicit = SYNTHETIC.replace("[data.synthetic]\n", "[data.synthetic]\nbias = 0.0\n");
        assert_eq!(fingerprints(&spec(&explicit), &keys, dir).unwrap(), base);
    }

    #[test]
    fn real_fingerprints_follow_every_byte_of_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let text = "name = \"r\"\n[data.real]\nfile = \"d.csv\"\n\
            [data.real.schema]\nlabel = { column = \"y\", rule = \"> 0\" }\ncolumns = { x = \"numeric\" }\n\
            [data.real.features]\nbucketized = [{ column = \"x\", quantiles = 2 }]\n\
            [data.real.split]\nfractions = { train = 0.5, validation = 0.25, test = 0.25 }\n\
            [grid]\nseeds = [1, 2]\n[[regularizer]]\nkind = \"l1\"\n\
            [[regularizer.optimizer]]\nonline = \"ftrl\"\n";
        let keys = [1, 2].map(|seed| DatasetKey { k: None, seed, n: None, buckets: None });
        let missing = fingerprints(&spec(text), &keys, dir.path()).unwrap();
        assert!(missing.values().all(Option::is_none));
        let body: String = (0..200_000).map(|i| format!("{},{}\n", i % 7, i % 2)).collect();
        let path = dir.path().join("d.csv");
        std::fs::write(&path, format!("x,y\n{body}")).unwrap();
        let base = fingerprints(&spec(text), &keys, dir.path()).unwrap();
        assert_ne!(base[&keys[0]], base[&keys[1]], "the seed shuffles the split");
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 2; // a byte in the last block
        bytes[last] = if bytes[last] == b'0' { b'1' } else { b'0' };
        std::fs::write(&path, &bytes).unwrap();
        let changed = fingerprints(&spec(text), &keys, dir.path()).unwrap();
        assert!(keys.iter().all(|k| changed[k] != base[k] && changed[k].is_some()));
        let fewer = fingerprints(
            &spec(&text.replace("file = \"d.csv\"", "file = \"d.csv\"\nmax_rows = 10")),
            &keys,
            dir.path(),
        )
        .unwrap();
        assert_ne!(fewer[&keys[0]], changed[&keys[0]]);
    }
}
