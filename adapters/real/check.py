"""Checks the real libraries over the adapter protocol with ``crdt-harness check --adapter`` and
compares what the harness reports with what is recorded here (the README's results table).

    python adapters/real/check.py --harness target/release/crdt-harness [--markdown table.md]

Each line runs one adapter (a library's type, with the non-interleaving its algorithm is
declared to promise, or made to promise more) under a fixed seed, and reads the JSON report: the
laws that failed and the properties the schedules found broken. A line whose findings differ
from the recorded ones fails the check (exit 1), so a library upgrade that changes a verdict
is seen. ``--markdown`` writes the results table, with the shrunk counterexamples.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REAL = Path(__file__).resolve().parent


@dataclass
class Line:
    library: str
    args: list[str]
    #: Laws and schedule properties the harness reports broken, as recorded.
    expected: set[str] = field(default_factory=set)
    note: str = ""
    #: More options for the harness (schedules of three replicas, more of them).
    extra: list[str] = field(default_factory=list)
    #: Findings that may be reported besides the expected ones: two runs with the same seed and
    #: two threads have reported the Yjs line promised backward with and without it.
    maybe: set[str] = field(default_factory=set)

    def command(self, python: str) -> str:
        if self.args[0].endswith(".py"):
            return " ".join([python, str(REAL / "python" / self.args[0]), *self.args[1:]])
        return " ".join(["node", str(REAL / "js" / self.args[0]), *self.args[1:]])


SPEC_LWW = ("not Lamport LWW: a write of the value a key already shows makes no operation, so a concurrent "
            "write wins where Lamport LWW says it loses")
YJS_MAP = ("not Lamport LWW: A writes 0 twice, B writes 1 concurrently, and B's write wins (the key's writes "
           "are ordered as a YATA list, by client id, whatever the number of earlier writes)")
PENDING = "an update stays pending after its dependencies arrive: 6 of the 24 delivery orders of one author's 4 inserts diverge"
BACKWARD = ["--replicas", "3", "--schedules", "400", "--keep-going"]
# The libraries' own sync protocols (`--sync`, the adapter protocol's sync flavour): every schedule
# with every fault, the harness only delivering, losing, duplicating and reordering messages
# (Automerge's over connections, as its protocol assumes: in order, a loss breaks the connection).
SYNC = ["--faults", "all", "--schedules", "200"]
AUTOMERGE_DATAGRAMS = ("outside its contract (a reliable in-order connection, its sync states reloaded at a "
                       "reconnection): over datagrams a lost message is never recovered; both replicas then "
                       "send every round forever and one never gets the other's insert (automerge #772, #1284)")

LINES = [
    Line("yjs 13.6.33 Y.Text", ["yjs.js", "text"]),
    Line("yjs 13.6.33 Y.Text, promised backward", ["yjs.js", "text", "backward"],
         {"backward_interleaving"}, "the paper's Prop. C.4, in 4 steps", BACKWARD, {"contiguity"}),
    Line("yjs 13.6.33 Y.Array", ["yjs.js", "array"]),
    Line("yjs 13.6.33 Y.Map", ["yjs.js", "map"], {"specification", "value_matches_spec"}, YJS_MAP),
    Line("automerge 3.5.0 text", ["automerge.js", "text"]),
    Line("automerge 3.5.0 text, promised backward", ["automerge.js", "text", "backward"],
         {"backward_interleaving", "contiguity"}, "RGA splits a run typed backwards", BACKWARD),
    Line("automerge 3.5.0 list", ["automerge.js", "list"]),
    Line("automerge 3.5.0 map", ["automerge.js", "map"], {"specification"}, SPEC_LWW),
    Line("automerge 3.5.0 counter", ["automerge.js", "counter"]),
    Line("loro-crdt 1.17.1 text", ["loro.js", "text"]),
    Line("loro-crdt 1.17.1 list", ["loro.js", "list"]),
    Line("loro-crdt 1.17.1 movable list", ["loro.js", "movable-list"]),
    Line("loro-crdt 1.17.1 map", ["loro.js", "map"], {"specification"}, SPEC_LWW),
    Line("yjs 13.6.33 Y.Text through its sync", ["yjs.js", "text", "--sync"], extra=SYNC),
    Line("automerge 3.5.0 text through its sync", ["automerge.js", "text", "--sync"], extra=SYNC),
    Line("automerge 3.5.0 text through its sync, over datagrams", ["automerge.js", "text", "--sync", "--datagram"],
         {"silence"}, AUTOMERGE_DATAGRAMS, SYNC),
    Line("loro-crdt 1.17.1 text through its sync", ["loro.js", "text", "--sync"], extra=SYNC),
    Line("pycrdt 0.14.13 Text", ["pycrdt_adapter.py", "text"], {"convergence"}, PENDING),
    Line("pycrdt 0.14.13 Array", ["pycrdt_adapter.py", "array"], {"convergence"}, PENDING),
    Line("pycrdt 0.14.13 Map", ["pycrdt_adapter.py", "map"], {"convergence", "specification", "value_matches_spec"},
         "both: Yrs' pending updates, and Yjs' map order"),
]


@dataclass
class Result:
    line: Line
    status: int
    laws: tuple[int, int]  # passed, failed
    schedules: int
    broken: set[str]
    stories: list[str]
    seconds: float
    error: str = ""


def run(line: Line, args: argparse.Namespace, work: Path) -> Result:
    report = work / (re.sub(r"[^a-z0-9]+", "-", line.library.lower()) + ".json")
    schedules = [] if "--schedules" in line.extra else ["--schedules", str(args.schedules)]
    cmd = [
        args.harness, "check", "--adapter", line.command(args.python),
        "--seed", str(args.seed), *schedules, "--cases", str(args.cases),
        "--threads", str(args.threads), "--out", str(report), "--replay-dir", str(work / "replays"),
        *line.extra,
    ]
    start = time.monotonic()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    seconds = time.monotonic() - start
    if done.returncode not in (0, 1) or not report.exists():
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return Result(line, done.returncode, (0, 0), 0, set(), [], seconds, " / ".join(tail))
    data = json.loads(report.read_text())
    broken, stories, passed, failed, schedules = set(), [], 0, 0, 0
    for model in data["models"].values():
        for name, law in model["laws"].items():
            if law.get("verdict") == "passed":
                passed += 1
            elif law.get("verdict") == "failed":
                failed += 1
                broken.add(name)
        for run_ in model.get("runs", []):
            for shard in run_["shards"].values():
                schedules += shard.get("schedules", 0)
                for finding in shard.get("findings", []):
                    broken.add(finding["property"])
                    shrunk = f" ({finding['shrunk_steps']} steps)" if finding.get("shrunk_steps") else ""
                    stories.append(f"{finding['property']}{shrunk}: {finding['message']}")
    return Result(line, done.returncode, (passed, failed), schedules, broken, stories, seconds)


def markdown(results: list[Result], args: argparse.Namespace) -> str:
    rows = [
        f"Seed {args.seed}, {args.schedules} schedules and {args.cases} cases per law per line "
        f"(`python adapters/real/check.py --schedules {args.schedules} --cases {args.cases}`).",
        "",
        "| adapter | laws passed / failed | schedules | findings |",
        "|---|---|---|---|",
    ]
    for r in results:
        found = ", ".join(sorted(r.broken)) or "none: converges, matches its specification"
        if r.line.note:
            found += f" ({r.line.note})"
        rows.append(f"| {r.line.library} | {r.laws[0]} / {r.laws[1]} | {r.schedules} | {found} |")
    stories = [s for r in results for s in (f"- **{r.line.library}**: {t}" for t in r.stories)]
    if stories:
        rows += ["", "Shrunk counterexamples:", "", *stories]
    return "\n".join(rows) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--harness", default=os.environ.get("CRDT_HARNESS", "target/release/crdt-harness"))
    parser.add_argument("--python", default=sys.executable, help="the Python that runs pycrdt")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--schedules", type=int, default=50)
    parser.add_argument("--cases", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--only", help="run the lines whose adapter contains this text")
    parser.add_argument("--markdown", type=Path, help="write the results table here")
    args = parser.parse_args()
    lines = [l for l in LINES if args.only is None or args.only in l.library]
    mismatches = 0
    results = []
    with tempfile.TemporaryDirectory(prefix="crdt-real-") as tmp:
        for line in lines:
            r = run(line, args, Path(tmp))
            results.append(r)
            same = not r.error and line.expected <= r.broken <= line.expected | line.maybe
            mismatches += not same
            verdict = "as recorded" if same else f"DIFFERS (recorded: {sorted(line.expected) or 'none'})"
            found = r.error or (", ".join(sorted(r.broken)) or "nothing")
            print(f"{line.library}: laws {r.laws[0]} passed / {r.laws[1]} failed, {r.schedules} schedules, "
                  f"found {found} [{r.seconds:.1f} s] {verdict}", flush=True)
            for story in r.stories:
                print(f"    {story}")
    if args.markdown:
        args.markdown.write_text(markdown(results, args))
    print(f"{len(lines) - mismatches} passed, {mismatches} failed")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
