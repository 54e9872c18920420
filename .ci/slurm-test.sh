#!/usr/bin/env bash
# End to end on a real Slurm: installs Debian's Slurm and MUNGE, starts a one-node cluster on
# this machine (no systemd), submits a 4-task array of `check all` shards and the dependent
# merge job (deploy/slurm/submit.sh), waits for the queue to empty, and checks that the merged
# report equals the single-machine run: the same models, laws, schedule and step counts and
# findings (times aside). Stops the daemons it started, by their pid files. Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
started_at=$(date +%s)

# Small enough for the CI budget, large enough that every shard runs schedules of every model.
CHECK_ARGS=${CRDT_SLURM_CHECK_ARGS:-all --schedules 512 --cases 32 --seed 5}

need=()
for tool in slurmctld slurmd sbatch munged; do
  command -v "$tool" >/dev/null || need=(slurmctld slurmd slurm-client munge)
done
if [ "${#need[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi

cargo build --release -q -p crdt-cli
bin=$root/target/release/crdt-harness

work=$(mktemp -d /tmp/crdt-slurm.XXXXXX)
chmod 755 "$work"
conf=$work/slurm.conf
export SLURM_CONF=$conf

cleanup() {
  # Only what this script started: slurmctld and slurmd by `scontrol shutdown` (then by
  # their pid files if they are still there), munged by its pid file.
  if [ -f "$work/slurmctld.pid" ]; then
    scontrol shutdown >/dev/null 2>&1 || true
    for _ in $(seq 50); do
      [ -e "/proc/$(cat "$work/slurmctld.pid" 2>/dev/null)" ] || break
      sleep 0.1
    done
  fi
  for pidfile in "$work/slurmctld.pid" "$work/slurmd.pid" /run/munge/crdt-test-munged.pid; do
    if [ -f "$pidfile" ]; then
      pid=$(cat "$pidfile")
      if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null || true; fi
    fi
  done
  rm -f /run/munge/crdt-test-munged.pid
}
trap cleanup EXIT

# MUNGE: the package makes its key but does not start the daemon; /run/munge must belong to
# munge before munged starts as that user.
mkdir -p /run/munge
chown munge:munge /run/munge
chmod 755 /run/munge
if ! munge -n >/dev/null 2>&1; then
  runuser -u munge -- /usr/sbin/munged --pid-file=/run/munge/crdt-test-munged.pid
  for _ in $(seq 50); do munge -n >/dev/null 2>&1 && break; sleep 0.1; done
fi
munge -n | unmunge >/dev/null

node=$(hostname -s)
cpus=$(nproc)
mkdir -p "$work/state" "$work/spool" "$work/reports"
cat >"$conf" <<CONF
ClusterName=crdt-test
SlurmctldHost=$node
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
MailProg=/bin/true
DependencyParameters=kill_invalid_depend
ReturnToService=2
NodeName=$node CPUs=$cpus State=UNKNOWN
PartitionName=test Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF

slurmctld -f "$conf"
slurmd -f "$conf"
for _ in $(seq 100); do
  state=$(sinfo -h -n "$node" -o %T 2>/dev/null || true)
  [ "$state" = idle ] && break
  sleep 0.2
done
[ "$state" = idle ] || { echo "slurm-test: the node is ${state:-unknown}, not idle" >&2; exit 1; }
echo "slurm-test: cluster up ($node, $cpus CPUs) in $(( $(date +%s) - started_at )) s"

# The campaign: 4 shard tasks of one CPU each, then the merge.
export CRDT_HARNESS=$bin CRDT_REPORTS=$work/reports CRDT_CHECK_ARGS=$CHECK_ARGS
(cd "$work" && "$root/deploy/slurm/submit.sh" 4 --cpus-per-task=1 --chdir="$work")

deadline=$(( $(date +%s) + 240 ))
while [ -n "$(squeue -h 2>/dev/null)" ]; do
  if [ "$(date +%s)" -ge "$deadline" ]; then
    squeue >&2
    echo "slurm-test: the jobs did not finish in 240 s" >&2
    exit 1
  fi
  sleep 1
done
cat "$work"/crdt-merge-*.out
for f in "$work"/crdt-campaign-*.out; do
  if grep -q "error" "$f"; then cat "$f" >&2; fi
done
[ -f "$work/reports/merged.json" ] && [ -f "$work/reports/merged.html" ] || {
  echo "slurm-test: the merge job wrote no report" >&2
  tail -n 20 "$work/slurmctld.log" >&2
  exit 1
}
ls "$work/reports"

# The same work on one machine, one thread (as each task had).
# shellcheck disable=SC2086 # the arguments are words
"$bin" check $CHECK_ARGS --threads 1 --out "$work/single.json" >/dev/null || [ $? -eq 1 ]
python3 - "$work/single.json" "$work/reports/merged.json" <<'PY'
import json, sys

def models(path):
    def strip(v):
        if isinstance(v, dict):
            return {k: strip(x) for k, x in v.items() if k != "duration_us"}
        if isinstance(v, list):
            return [strip(x) for x in v]
        return v
    with open(path) as f:
        return strip(json.load(f)["models"])

def totals(ms):
    out = {}
    for name, m in ms.items():
        for run in m["runs"]:
            shards = run["shards"].values()
            out[name] = (
                sum(s["schedules"] for s in shards),
                sum(s["steps"] for s in shards),
                sum(len(s["findings"]) for s in shards),
                len(m["laws"]),
            )
    return out

single, merged = models(sys.argv[1]), models(sys.argv[2])
if sorted(single) != sorted(merged):
    sys.exit(f"slurm-test: models differ: {sorted(single)} vs {sorted(merged)}")
for name in single:
    if single[name]["laws"] != merged[name]["laws"]:
        sys.exit(f"slurm-test: {name}: the laws differ")
if totals(single) != totals(merged):
    sys.exit(f"slurm-test: counts differ:\n{totals(single)}\n{totals(merged)}")
for name in single:
    def findings(m):
        return sorted(json.dumps(f, sort_keys=True)
                      for run in m["runs"] for s in run["shards"].values()
                      for f in s["findings"])
    if findings(single[name]) != findings(merged[name]):
        sys.exit(f"slurm-test: {name}: the findings differ")
t = totals(merged)
print(f"slurm-test: merged report of 4 shards equals the single-machine run: "
      f"{len(t)} models, {sum(x[3] for x in t.values())} law results, "
      f"{sum(x[0] for x in t.values())} schedules, {sum(x[1] for x in t.values())} steps, "
      f"{sum(x[2] for x in t.values())} findings")
PY
echo "slurm-test: passed in $(( $(date +%s) - started_at )) s"
