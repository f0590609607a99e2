//! The Slurm recipe on a real Slurm: a one-node cluster (slurmctld and slurmd from Debian's
//! `slurm-wlm`, `auth/none`, its state, spool and logs in a temporary directory, ports of its
//! own) started by the test, `deploy/slurm/submit.sh` submitting the job array and the
//! dependent merge job with `sbatch`, and the merged report checked. CI installs `slurm-wlm`
//! (`.ci/run`) and runs it; elsewhere, without Slurm, the test says so and passes.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::text;

/// Four data sets, two methods: seconds in a debug build.
const SPEC: &str = "name = \"tiny\"\n[data]\nn_train = 500\nn_validation = 200\n\
    n_test = 200\n[data.synthetic]\n[grid]\nk = [2, 3]\nseeds = [1, 2]\n\
    [selection]\nsearch = { max_steps = 1 }\n\
    [[regularizer]]\nkind = \"l1\"\n\
    [[regularizer.optimizer]]\nonline = \"ftrl\"\nlambdas = [1e-4, 1e-3]\n";

/// The daemons of the test cluster, stopped when dropped.
struct Cluster {
    conf: PathBuf,
    daemons: Vec<Child>,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for daemon in &mut self.daemons {
            let _ = daemon.kill();
            let _ = daemon.wait();
        }
    }
}

/// `program` on PATH or in /usr/sbin (where Debian puts the daemons).
fn find(program: &str) -> Option<PathBuf> {
    let path = std::env::var("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin")])
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

fn output_of(program: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().unwrap();
    text(&out.stdout).trim().to_string()
}

/// A one-node cluster's `slurm.conf` in `dir` (ports from this process's id, so two test runs
/// do not meet).
fn write_conf(dir: &Path) -> PathBuf {
    let (host, user) = (output_of("hostname", &["-s"]), output_of("id", &["-un"]));
    let port = 20_000 + (std::process::id() % 20_000) * 2;
    let d = dir.display();
    let conf = format!(
        "ClusterName=sparsecross-test\nSlurmctldHost={host}\nSlurmctldPort={port}\n\
         SlurmdPort={}\nAuthType=auth/none\nCredType=cred/none\nSlurmUser={user}\n\
         SlurmdUser={user}\nStateSaveLocation={d}/state\nSlurmdSpoolDir={d}/spool\n\
         SlurmctldPidFile={d}/slurmctld.pid\nSlurmdPidFile={d}/slurmd.pid\n\
         SlurmctldLogFile={d}/slurmctld.log\nSlurmdLogFile={d}/slurmd.log\n\
         ProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\nSelectType=select/cons_tres\n\
         SelectTypeParameters=CR_CPU\nMpiDefault=none\nReturnToService=2\n\
         SchedulerType=sched/builtin\nJobCompType=jobcomp/none\n\
         AccountingStorageType=accounting_storage/none\nMinJobAge=600\n\
         NodeName={host} CPUs=2 RealMemory=2000 State=UNKNOWN\n\
         PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP\n",
        port + 1
    );
    for sub in ["state", "spool"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    let path = dir.join("slurm.conf");
    std::fs::write(&path, conf).unwrap();
    path
}

/// Starts slurmctld and slurmd in the foreground (`-D`) and waits for the node to be idle.
fn start(dir: &Path, slurmctld: &Path, slurmd: &Path) -> Cluster {
    let conf = write_conf(dir);
    let spawn = |daemon: &Path, extra: &[&str]| {
        Command::new(daemon)
            .args(["-D", "-f"])
            .arg(&conf)
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut cluster = Cluster { conf: conf.clone(), daemons: vec![spawn(slurmctld, &["-c"])] };
    cluster.daemons.push(spawn(slurmd, &[]));
    let deadline = Instant::now() + Duration::from_secs(60);
    while slurm(&cluster, "sinfo", &["-h", "-o", "%T"]) != "idle" {
        assert!(Instant::now() < deadline, "the node never became idle: {}", log(dir));
        std::thread::sleep(Duration::from_millis(500));
    }
    cluster
}

fn log(dir: &Path) -> String {
    ["slurmctld.log", "slurmd.log"]
        .iter()
        .map(|f| std::fs::read_to_string(dir.join(f)).unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

/// A Slurm client command against the test cluster; its trimmed standard output.
fn slurm(cluster: &Cluster, program: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).env("SLURM_CONF", &cluster.conf).output().unwrap();
    text(&out.stdout).trim().to_string()
}

/// The job's state (`COMPLETED`, `FAILED`, ...) once it has ended.
fn wait_for_job(cluster: &Cluster, job: &str, dir: &Path) -> String {
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let shown = slurm(cluster, "scontrol", &["show", "job", job]);
        let state = shown
            .split_whitespace()
            .find_map(|w| w.strip_prefix("JobState="))
            .unwrap_or("UNKNOWN")
            .to_string();
        if !["PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "UNKNOWN"].contains(&state.as_str())
        {
            return state;
        }
        assert!(Instant::now() < deadline, "job {job} still {state}: {}", log(dir));
        std::thread::sleep(Duration::from_millis(500));
    }
}

#[test]
fn the_slurm_recipe_runs_its_array_and_merge_on_a_real_slurm() {
    let (Some(slurmctld), Some(slurmd), Some(_)) =
        (find("slurmctld"), find("slurmd"), find("sbatch"))
    else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI installs slurm-wlm (.ci/run), but slurmctld, slurmd or sbatch is missing"
        );
        eprintln!("skipped: no Slurm here (apt-get install slurm-wlm to run this test)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let cluster = start(dir.path(), &slurmctld, &slurmd);
    let spec = dir.path().join("tiny.toml");
    std::fs::write(&spec, SPEC).unwrap();
    let (shards, results) = (dir.path().join("shards"), dir.path().join("results"));
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap();
    let logs = format!("--cpus-per-task=1 --mem=200M --output={}/job-%j.log", dir.path().display());
    let submitted = Command::new("bash")
        .arg(repo.join("deploy/slurm/submit.sh"))
        .args([spec.to_str().unwrap(), "3", "--no-plots"])
        .env("SLURM_CONF", &cluster.conf)
        .env("RUNNER", env!("CARGO_BIN_EXE_runner"))
        .env("SHARD_ROOT", &shards)
        .env("RESULTS", &results)
        .env("SBATCH_EXTRA", &logs)
        .env_remove("SPARSECROSS_DATA_DIR")
        .output()
        .unwrap();
    let said = text(&submitted.stdout);
    assert!(submitted.status.success(), "{said}\n{}", text(&submitted.stderr));
    let merge_job = said.split_whitespace().last().unwrap().to_string();
    let state = wait_for_job(&cluster, &merge_job, dir.path());
    let job_logs: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("job-"))
        .map(|p| std::fs::read_to_string(p).unwrap_or_default())
        .collect();
    assert_eq!(state, "COMPLETED", "{said}\n{job_logs:?}\n{}", log(dir.path()));
    assert!(shards.join("2-of-3/tiny-shard-2-of-3/runs.csv").is_file(), "{job_logs:?}");
    crate::deploy::assert_merged(&results);
}
