"""Table 1 of "The Art of the Fugue" (arXiv 2305.00583) through the protocol, by hand, for
pycrdt (Yrs, the Rust port of Yjs): what it shows, whatever the harness's oracles say."""
import json
import subprocess
import sys
from pathlib import Path

ADAPTER = Path(__file__).resolve().parent / "pycrdt_adapter.py"


def tag(actor, seq):
    return chr(0xF0000 + actor * 256 + seq)


def letters(value):
    text = "".join(value) if isinstance(value, list) else value
    return "".join(c for c in text if ord(c) < 0xF0000)


class Script:
    def __init__(self, replicas):
        self.replicas = replicas
        self.steps = [{"type": "new", "replica": r, "actor": r} for r in range(replicas)]
        self.seqs = [0] * replicas
        self.messages = 0

    def insert(self, replica, at, letter):
        self.seqs[replica] += 1
        seq, message = self.seqs[replica], self.messages
        self.messages += 1
        self.steps.append({
            "type": "local", "replica": replica, "dot": {"actor": replica, "seq": seq}, "message": message,
            "op": {"insert": {"at": at, "text": letter + tag(replica, seq)}},
        })
        return message

    def deliver(self, replica, *messages):
        self.steps += [{"type": "deliver", "replica": replica, "message": m} for m in messages]

    def values(self, kind):
        requests = [{"type": "hello", "protocol": 1}, *self.steps,
                    {"type": "values", "replicas": list(range(self.replicas))}]
        run = subprocess.run(
            [sys.executable, str(ADAPTER), kind], capture_output=True, check=False,
            input="".join(json.dumps(r) + "\n" for r in requests).encode(),
        )
        assert run.returncode == 0, run.stderr.decode()
        responses = [json.loads(line) for line in run.stdout.decode().splitlines()]
        assert all(r["ok"] for r in responses), responses
        values = [letters(v) for v in responses[-1]["values"]]
        assert len(set(values)) == 1, f"diverged: {values}"
        return values[0]


def backward_runs():
    s = Script(2)
    a = [s.insert(0, 0, c) for c in "cba"]
    b = [s.insert(1, 0, c) for c in "zyx"]
    s.deliver(0, *b)
    s.deliver(1, *a)
    return s


def proposition_c4():
    s = Script(3)
    c = s.insert(2, 0, "c")
    s.deliver(0, c)
    a = s.insert(0, 0, "a")
    b = s.insert(1, 0, "b")
    s.deliver(0, b)
    s.deliver(1, c, a)
    s.deliver(2, a, b)
    return s


def test_edits_land_at_element_indices_taken_modulo_the_length():
    s = Script(1)
    for at, letter in ((0, "a"), (1, "b"), (1, "c"), (7, "d")):
        s.insert(0, at, letter)
    s.steps.append({"type": "local", "replica": 0, "op": {"delete": {"at": 5}}, "dot": {"actor": 0, "seq": 5}, "message": 4})
    for kind in ("text", "array"):
        assert s.values(kind) == "abd"


def test_pycrdt_keeps_two_backward_runs_together():
    for kind in ("text", "array"):
        assert backward_runs().values(kind) in ("abcxyz", "xyzabc")


def test_pycrdt_interleaves_in_the_three_replica_case_like_yjs():
    for kind in ("text", "array"):
        assert proposition_c4().values(kind) == "abc"


def test_a_fork_keeps_updates_still_pending():
    s = Script(2)
    first = s.insert(0, 0, "x")
    second = s.insert(0, 1, "y")
    s.deliver(1, second)
    s.steps.append({"type": "fork", "replica": 1, "out": 2})
    s.deliver(2, first)
    s.steps.append({"type": "drop", "replicas": [1]})
    s.steps.append({"type": "new", "replica": 1, "actor": 1})
    s.deliver(1, first, second)
    s.replicas = 3
    assert s.values("text") == "xy"
