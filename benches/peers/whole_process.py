#!/usr/bin/env python3
"""The whole process, a text file in and a saved model out, ours against Vowpal Wabbit on the
same rows, timed in one run of this script; and training alone, like for like.

For each k (`--k`) and training size (`--sizes`) the data are the synthetic problem's (k
marginals plus the full k^k cross, seed 1) exported once by `peer_data --export-only`:
`train.svm` (ours), `train.vw` (VW, our ids as names) and 10,000 test rows. VW also gets the
same rows with the ids renumbered by rank (`train_compact.vw`, names as short as our ids: see
`small_names`), so that they fit its smallest collision-free table (`-b` = the smallest b with
2^b > distinct ids); the raw ids run at `--bits` (default 24) too, where they may share slots
(counted).

Every timed run is its own process, one at a time; wall seconds are taken by this script
around the process, peak RSS is the process's own `VmHWM` (read by the process at its end: a
parent's `wait4` figure would start at the parent's size).
- ours, `whole`: `whole_process --train train.svm` (count the rows, then every pass reads and
  parses the file while training, one thread) and `whole_ahead` (`--read-ahead`: parsing on a
  second thread, as VW parses on a thread of its own); the model written as binary.
- VW, `text`: `-d train.vw -f model` from its text format (with `--passes` > 1 VW needs a cache:
  `-c --cache_file`, written during the first pass, as a user would run it); `cache`: from a
  cache built beforehand (the build timed apart as `cache_build`). VW runs in a Python child
  (`vowpalwabbit.Workspace`: the wheel has no `vw` program); the child's start-up (interpreter,
  import, a workspace without data) is measured alone as `startup` and subtracted from VW's
  times before any ratio (in VW's favour).
- training only: ours `--held` (the file parsed into memory first, untimed; training from the
  rows, as the runner's held data); VW from its cache minus a test-only pass over the same cache
  (`-t`: reading, decoding and predicting every example, so VW's figure loses its prediction
  work too: in VW's favour).

Our three modes must save the same model file, byte for byte (the script stops otherwise).
Learners: FTRL-L1 and SGD-L2 at `--lambda` on the mean-loss scale, set exactly as
`online_peers.py` sets them (its `vw_settings`, and `peer_data`'s grid on our side). Each side's
test log loss on the test rows and nonzero weights are reported beside the times.

Usage: python3 benches/peers/whole_process.py [--k 8 10] [--sizes 1000000 10000000]
    [--passes 1 3] [--bits 24] [--lambda 1e-6] [--dir /tmp/sparsecross_whole] [--prepare-only]
    [--no-raw-text-at N] [--no-results] [--results DIR]
Writes results/peers/whole_process.csv, .json (machine, date, load before and after, data facts)
and .md (by experiments/tools/findings_whole_process.py).
"""
import argparse
import csv
import hashlib
import json
import math
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import online_peers as peers  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "results" / "peers"
LEARNERS = {"ftrl_l1": ("ftrl", "l1"), "sgd_l2": ("sgd", "l2")}
N_TEST = 10_000

# VW in a child: the options, then it prints its own examples and peak RSS.
VW_CHILD = """import sys, vowpalwabbit
w = vowpalwabbit.Workspace(sys.argv[1])
n = w.get_weighted_examples()
w.finish()
hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM:')][0].split()[1]
print(n, int(hwm) * 1024)
"""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--k", type=int, nargs="+", default=[8, 10])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--passes", type=int, nargs="+", default=[1, 3])
    parser.add_argument("--learners", nargs="+", default=list(LEARNERS), choices=list(LEARNERS))
    parser.add_argument("--bits", type=int, default=24, help="VW -b of the run on our raw ids")
    parser.add_argument("--lambda", dest="lam", type=float, default=1e-6)
    parser.add_argument("--dir", default="/tmp/sparsecross_whole")
    parser.add_argument("--no-raw-text-at", type=int, default=None,
                        help="from this many rows on, run the raw ids at --bits from the cache only")
    parser.add_argument("--prepare-only", action="store_true")
    parser.add_argument("--no-results", action="store_true")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where the results go")
    return parser.parse_args()


def load():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def timed_child(command):
    """(wall seconds, stdout) of one child process; a failure stops the script."""
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit("%s failed:\n%s" % (" ".join(map(str, command)), done.stderr[-2000:]))
    return wall, done.stdout


def vw(arguments):
    """(wall seconds, examples, peak RSS bytes) of VW run with `arguments` in a child."""
    wall, out = timed_child([sys.executable, "-c", VW_CHILD, arguments])
    examples, rss = out.split()[-2:]
    return wall, float(examples), int(rss)


def prepare(args, k, n):
    """The data directory of (k, n): exported files, renumbered VW text, facts."""
    directory = Path(args.dir) / ("k%d_n%d" % (k, n))
    facts_path = directory / "facts.json"
    if facts_path.exists():
        return directory, json.loads(facts_path.read_text())
    directory.mkdir(parents=True, exist_ok=True)
    meta_path = directory / "meta.json"
    if not (meta_path.exists() and json.loads(meta_path.read_text())["n_train"] == n):
        subprocess.run(["cargo", "run", "--release", "-q", "-p", "benches", "--example",
                        "peer_data", "--", "--k", str(k), "--n-train", str(n), "--n-test",
                        str(N_TEST), "--seed", "1", "--out", str(directory), "--export-only"],
                       cwd=ROOT, check=True)
    meta = json.loads(meta_path.read_text())
    ids = np.unique(np.concatenate([vw_ids(directory / "train.vw"),
                                    vw_ids(directory / "test.vw")]))
    bits, names = small_names(ids)
    for split in ("train", "test"):
        peers.write_renamed_vw(directory / ("%s.vw" % split),
                               directory / ("%s_compact.vw" % split), names)
    renamed = np.array(sorted(names.values()), dtype=np.int64)
    facts = {"k": k, "n_train": n, "n_test": N_TEST, "dimension": meta["dimension"],
             "distinct_ids": int(len(ids)), "compact_bits": bits,
             "hashing": {"compact": slot_sharing(renamed, bits),
                         "raw": slot_sharing(ids, args.bits)},
             "train_svm_bytes": (directory / "train.svm").stat().st_size,
             "train_vw_bytes": (directory / "train_compact.vw").stat().st_size}
    compact = facts["hashing"]["compact"]
    if compact["ids_sharing_a_slot"] or compact["ids_on_constant_slot"]:
        sys.exit("renumbered ids collide at -b %d" % bits)
    facts_path.write_text(json.dumps(facts, indent=1))
    return directory, facts


def small_names(ids):
    """The smallest `-b` that holds `ids` apart, and each id's new feature name there: its rank,
    skipping the one name that would land on the constant's slot. Names `0 .. m` are as short as
    names can be (the marginals' ids, the smallest, keep one or two digits as in our file), and
    a numeric name n takes slot (n + hash('f')) mod 2^b, so distinct names below 2^b never share
    a slot; m ids need 2^b >= m + 1."""
    bits = max(1, math.ceil(math.log2(len(ids) + 1)))
    mask = (1 << bits) - 1
    on_constant = (peers.VW_CONSTANT_HASH - peers.namespace_hash(bits)) & mask
    return bits, {int(i): rank + (rank >= on_constant) for rank, i in enumerate(ids)}


def vw_ids(path):
    """Distinct feature names (our ids) of a VW text file `label |f id id ...`."""
    ids = set()
    with open(path) as lines:
        for text in lines:
            ids.update(map(int, text.split("|f", 1)[1].split()))
    return np.fromiter(ids, dtype=np.int64, count=len(ids))


def slot_sharing(ids, bits):
    """How many of `ids` share a VW slot at `-b bits` (numeric names hash to name + hash('f')),
    and how many land on the constant's."""
    mask = (1 << bits) - 1
    slots = (ids.astype(np.int64) + peers.namespace_hash(bits)) & mask
    return {"bits": bits, "ids": int(len(ids)),
            "ids_sharing_a_slot": int(len(ids) - len(np.unique(slots))),
            "ids_on_constant_slot": int(np.count_nonzero(slots == peers.VW_CONSTANT_HASH & mask))}


def ours(directory, learner, lam, passes, mode):
    """One run of our whole_process example; its JSON plus the wall time around it."""
    example = ROOT / "target" / "release" / "examples" / "whole_process"
    command = [str(example), "--train", str(directory / "train.svm"),
               "--model", str(directory / "ours_model.bin"), "--learner", learner,
               "--lambda", repr(lam), "--passes", str(passes),
               "--test", str(directory / "test.svm")]
    command += {"whole": [], "whole_ahead": ["--read-ahead"], "held": ["--held"]}[mode]
    wall, out = timed_child(command)
    result = json.loads(out.strip().splitlines()[-1])
    result["wall"] = wall
    return result


def vw_scored(directory, stem, bits):
    """Test log loss and nonzero weights of the model VW saved last (untimed)."""
    model = directory / "vw_model.bin"
    predictions = directory / "vw_test.pred"
    readable = directory / "vw_model.txt"
    vw("-i %s -t -d %s -p %s --link logistic --quiet --readable_model %s"
       % (model, directory / ("test%s.vw" % stem), predictions, readable))
    y = np.array([line.split()[0] == "1" for line in open(directory / "test.svm")], dtype=float)
    p = np.clip(np.loadtxt(predictions, usecols=0, ndmin=1), 1e-15, 1 - 1e-15)
    test_log_loss = float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
    return test_log_loss, peers.count_readable_nonzeros(readable, bits)


def vw_runs(directory, facts, learner, lam, passes, stem, bits, with_text):
    """VW from text (when `with_text`) and from its cache, the cache build and, on the renumbered
    ids (`stem`), the model's test score and the test-only pass over the cache; rows of the
    results."""
    meta = {"n_train": facts["n_train"], "passes": passes, "ftrl_alpha": 0.1, "ftrl_beta": 1.0,
            "eta0": 0.5}
    options = next(o for a, p, o in peers.vw_settings(meta, lam) if (a, p) == LEARNERS[learner])
    text = directory / ("train%s.vw" % stem)
    cache = directory / ("train%s_b%d.cache" % (stem, bits))
    common = "-b %d --loss_function logistic --quiet --holdout_off --passes %d %s" % (
        bits, passes, options)
    save = "-f %s --predict_only_model" % (directory / "vw_model.bin")
    tool = "vw_b%d%s" % (bits, "" if stem else "_raw")
    rows = []
    if with_text:
        fresh = directory / ("text_run_b%d.cache" % bits)
        fresh.unlink(missing_ok=True)
        via = " -c --cache_file %s" % fresh if passes > 1 else ""
        wall, examples, rss = vw("-d %s%s %s %s" % (text, via, common, save))
        fresh.unlink(missing_ok=True)
        rows.append(dict(tool=tool, mode="text", wall=wall, rss=rss, examples=examples))
    if not cache.exists():
        wall, _, rss = vw("-d %s --cache_file %s -k -t -b %d --quiet" % (text, cache, bits))
        rows.append(dict(tool=tool, mode="cache_build", wall=wall, rss=rss, examples=facts["n_train"]))
    wall, examples, rss = vw("-d %s --cache_file %s %s %s" % (text, cache, common, save))
    rows.append(dict(tool=tool, mode="cache", wall=wall, rss=rss, examples=examples))
    test_log_loss, nnz = None, None
    if stem:  # the collision-free table: scored, and its reading floor measured
        test_log_loss, nnz = vw_scored(directory, stem, bits)
        wall, _, rss = vw("-d %s --cache_file %s -b %d -t --quiet --passes %d --holdout_off"
                          % (text, cache, bits, passes))
        rows.append(dict(tool=tool, mode="read_only", wall=wall, rss=rss, examples=examples))
    for r in rows:
        r.update(test_log_loss=test_log_loss if r["mode"] in ("text", "cache") else None,
                 nnz=nnz if r["mode"] in ("text", "cache") else None, options=common)
    return rows


def measure(args, directory, facts, learner, passes):
    """Every row of one (k, n, learner, passes)."""
    common = dict(k=facts["k"], n_train=facts["n_train"], learner=learner, passes=passes)
    rows = []
    models = set()
    for mode in ("whole", "whole_ahead", "held"):
        r = ours(directory, learner, args.lam, passes, mode)
        models.add(hashlib.sha256((directory / "ours_model.bin").read_bytes()).hexdigest())
        rows.append(dict(common, tool="sparsecross", mode=mode, wall=r["wall"],
                         train=r["train_seconds"], rss=r["peak_rss_bytes"],
                         examples=r["examples"], nnz=r["nonzero_weights"],
                         test_log_loss=r["test_log_loss"], options=""))
    if len(models) != 1:
        sys.exit("our three modes saved different models: %s %s p%d" % (directory, learner, passes))
    raw_text = args.no_raw_text_at is None or facts["n_train"] < args.no_raw_text_at
    for stem, bits, text in (("_compact", facts["compact_bits"], True), ("", args.bits, raw_text)):
        for r in vw_runs(directory, facts, learner, args.lam, passes, stem, bits, text):
            rows.append(dict(common, train=None, **r))
    for r in rows:
        print("%(k)s %(n_train)s %(learner)s p%(passes)s %(tool)s %(mode)s %(wall).2f s" % r,
              flush=True)
    return rows


def startup():
    """VW's child start-up alone: interpreter, import, a workspace without data."""
    walls, rss = [], []
    for _ in range(3):
        start = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", VW_CHILD.replace("n = w.get_weighted_examples()",
                                                                     "n = 0"), "--quiet -b 18"],
                             capture_output=True, text=True, check=True).stdout
        walls.append(time.perf_counter() - start)
        rss.append(int(out.split()[-1]))
    return {"wall": float(np.median(walls)), "rss": int(np.median(rss))}


FIELDS = ["k", "n_train", "learner", "passes", "tool", "mode", "wall", "train", "rss",
          "examples", "nnz", "test_log_loss", "options"]


def write_csv(path, rows):
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS, extrasaction="ignore")
        writer.writeheader()
        for r in rows:
            writer.writerow(r)


def main():
    args = parse_args()
    prepared = {(k, n): prepare(args, k, n) for k in args.k for n in args.sizes}
    if args.prepare_only:
        return 0
    build = subprocess.run(["cargo", "build", "--release", "-q", "-p", "benches", "--example",
                            "whole_process"], cwd=ROOT)
    if build.returncode != 0:
        return 1
    facts = {"machine": peers.machine(), "load_before": load(), "lambda": args.lam,
             "bits": args.bits, "startup": startup(), "data": {}}
    rows = []
    for (k, n), (directory, data_facts) in prepared.items():
        facts["data"]["k%d_n%d" % (k, n)] = data_facts
        for learner in args.learners:
            for passes in args.passes:
                rows.extend(measure(args, directory, data_facts, learner, passes))
    facts["load_after"] = load()
    if args.no_results:
        return 0
    args.results.mkdir(parents=True, exist_ok=True)
    write_csv(args.results / "whole_process.csv", rows)
    (args.results / "whole_process.json").write_text(json.dumps(facts, indent=1) + "\n")
    subprocess.run([sys.executable, str(ROOT / "experiments" / "tools" / "findings_whole_process.py"),
                    str(args.results), "--out", str(args.results / "whole_process.md")], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
