"""The examples under ``crdt-harness check --adapter``: the PN-counter passes, the broken one is
caught. Needs a built harness: CRDT_HARNESS names it (.ci/kits-test.sh sets it); without it these
tests are skipped, and say so."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HARNESS = os.environ.get("CRDT_HARNESS")
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

pytestmark = pytest.mark.skipif(not HARNESS, reason="CRDT_HARNESS is not set")


def check(example, tmp_path, more=("--schedules", "100")):
    out = tmp_path / "report.json"
    adapter = f"{sys.executable} {EXAMPLES / example}"
    run = subprocess.run(
        [HARNESS, "check", "--adapter", adapter, "--seed", "3", *more, "--cases", "64",
         "--threads", "2", "--out", str(out)],
        capture_output=True, text=True, check=False,
    )
    report = json.loads(out.read_text()) if run.returncode in (0, 1) else None
    return run, report


def broken(report):
    found = set()
    for model in report["models"].values():
        found |= {name for name, law in model["laws"].items() if law.get("verdict") == "failed"}
        for run in model.get("runs", []):
            for shard in run["shards"].values():
                found |= {f["property"] for f in shard.get("findings", [])}
    return found


def test_the_pn_counter_passes(tmp_path):
    run, report = check("counter.py", tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert broken(report) == set()


def test_the_counter_whose_merge_adds_is_caught(tmp_path):
    run, report = check("broken_counter.py", tmp_path)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "join_idempotent" in broken(report)


# Every schedule with every fault, enough of them for a lost message to stay lost.
FAULTY = ("--schedules", "1000", "--faults", "all")


def test_the_sync_that_waits_for_confirmations_passes(tmp_path):
    run, report = check("sync_counter.py", tmp_path, FAULTY)
    assert run.returncode == 0, run.stdout + run.stderr
    assert broken(report) == set()


def test_the_sync_that_takes_what_it_sent_as_received_is_caught(tmp_path):
    run, report = check("broken_sync_counter.py", tmp_path, FAULTY)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "silent_disagreement" in broken(report)
