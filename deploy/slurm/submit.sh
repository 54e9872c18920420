#!/usr/bin/env bash
# Queues a campaign: an array of N shard tasks, then the merge, which waits for all of them
# (--dependency=afterok). Usage: submit.sh N [sbatch options...]
# Environment: CRDT_HARNESS (the binary), CRDT_REPORTS (a directory every node sees),
# CRDT_CHECK_ARGS (what to check, e.g. "all --schedules 1000000 --seed 7").
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
shards=${1:?usage: submit.sh N [sbatch options...]}
shift
array=$(sbatch --parsable --export=ALL --array="0-$((shards - 1))" "$@" "$here/campaign.sbatch")
array=${array%%;*}
merge=$(sbatch --parsable --export=ALL --dependency="afterok:$array" "$@" "$here/merge.sbatch")
merge=${merge%%;*}
echo "array job $array ($shards shards), merge job $merge"
