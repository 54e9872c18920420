"""Small adapters for the harness's tests of the adapter protocol (docs/protocol.md).

python3 toy.py KIND [MISBEHAVIOUR [ARG]]

KIND: orset (state-based add-wins set), lww-broken (a "set" keeping the last write it merged:
not commutative), counter (op-based PN-counter, causal delivery), gcounter-delta (delta-state
grow-only counter), register-max (a register showing the largest concurrent value, declared
"any" winner), register-max-as-lww (the same declared last-writer-wins), register-first (a
register showing its first write, overwritten or not, declared "any").
MISBEHAVIOUR (triggered by an add or increment of ARG): crash, hang, babble, refuse, noise
(writes to stderr only: not a misbehaviour); or version N / no-fork / no-pipeline at the
handshake (it declares `pipeline` otherwise: it answers each line before it reads the next).
"""

import copy
import json
import sys
import time

kind = sys.argv[1]
misbehaviour = sys.argv[2] if len(sys.argv) > 2 else None
arg = int(sys.argv[3]) if len(sys.argv) > 3 else None


def trigger(op):
    if misbehaviour not in ("crash", "hang", "babble", "refuse", "noise"):
        return
    value = op.get("add", op.get("increment"))
    if value != arg:
        return
    sys.stderr.write("toy adapter: about to %s on %s\n" % (misbehaviour, json.dumps(op)))
    sys.stderr.flush()
    if misbehaviour == "crash":
        sys.exit(3)
    if misbehaviour == "hang":
        time.sleep(3600)
    if misbehaviour == "babble":
        sys.stdout.write("Traceback (most recent call last): oops\n")
        sys.stdout.flush()
        time.sleep(3600)
    if misbehaviour == "refuse":
        raise ValueError("the library rejected %s" % json.dumps(op))


class OrSet:
    """Tagged adds and removed tags."""

    def new(self, actor):
        return {"adds": set(), "removed": set()}

    def apply(self, s, op, dot):
        if "add" in op:
            s["adds"].add((op["add"], dot["actor"], dot["seq"]))
        else:
            x = op["remove"]
            s["removed"] |= {(a, q) for (e, a, q) in s["adds"] if e == x}

    def merge(self, into, frm):
        into["adds"] |= frm["adds"]
        into["removed"] |= frm["removed"]

    def value(self, s):
        return sorted({e for (e, a, q) in s["adds"] if (a, q) not in s["removed"]})


class LwwBroken(OrSet):
    """Merge takes the other side's whole state: the last merged wins, not commutative."""

    def merge(self, into, frm):
        into["adds"] = set(frm["adds"])
        into["removed"] = set(frm["removed"])


class MaxRegister:
    """Every write with the writes it saw; shows the largest value no write overwrote: a
    deterministic winner among concurrent writes, but not the last writer."""

    def new(self, actor):
        return {}

    def apply(self, s, op, dot):
        s[(dot["actor"], dot["seq"])] = (op["set"], frozenset(s))

    def merge(self, into, frm):
        into.update(frm)

    def value(self, s):
        overwritten = set().union(*(saw for (_, saw) in s.values()))
        live = [v for d, (v, _) in s.items() if d not in overwritten]
        return max(live) if live else None


class FirstRegister(MaxRegister):
    """Broken: shows the write of the smallest (actor, seq), overwritten or not."""

    def value(self, s):
        return s[min(s)][0] if s else None


class Counter:
    def new(self, actor):
        return {"n": 0}

    def local(self, s, op, dot):
        d = op.get("increment", 0) - op.get("decrement", 0)
        s["n"] += d
        return d

    def effect(self, s, m):
        s["n"] += m

    def value(self, s):
        return s["n"]


class GCounterDelta:
    def new(self, actor):
        return {}

    def apply(self, s, op, dot):
        a = str(dot["actor"])
        s[a] = s.get(a, 0) + op.get("increment", 0)
        return {a: s[a]}

    def merge(self, into, frm):
        for k, v in frm.items():
            into[k] = max(into.get(k, 0), v)

    def value(self, s):
        return sum(s.values())


class RgaText:
    """Op-based RGA over the tagged elements the harness sends: each insert names the element
    before it (its origin) and a (lamport, actor) id; concurrent inserts after one origin are
    ordered by descending id. Deletes leave tombstones."""

    def new(self, actor):
        return {"elems": [], "clock": 0}

    def visible(self, s):
        return [e for e in s["elems"] if not e["deleted"]]

    def local(self, s, op, dot):
        shown = self.visible(s)
        if "insert" in op:
            at = op["insert"]["at"] % (len(shown) + 1)
            origin = shown[at - 1]["id"] if at > 0 else None
            s["clock"] += 1
            m = {"insert": op["insert"]["text"], "origin": origin, "id": [s["clock"], dot["actor"]]}
        elif shown:
            m = {"delete": shown[op["delete"]["at"] % len(shown)]["id"]}
        else:
            m = {"nothing": None}
        self.effect(s, m)
        return m

    def effect(self, s, m):
        elems = s["elems"]
        if "insert" in m:
            s["clock"] = max(s["clock"], m["id"][0])
            i = 0
            if m["origin"] is not None:
                i = next(k for k, e in enumerate(elems) if e["id"] == m["origin"]) + 1
            while i < len(elems) and self.rank(s, elems[i]["id"]) > self.rank(s, m["id"]):
                i += 1
            elems.insert(i, {"id": m["id"], "text": m["insert"], "deleted": False})
        elif "delete" in m:
            for e in elems:
                if e["id"] == m["delete"]:
                    e["deleted"] = True

    def rank(self, s, ident):
        """The order of concurrent inserts after one origin: the highest first."""
        return ident

    def value(self, s):
        return "".join(e["text"] for e in self.visible(s))


class RgaOwnFirst(RgaText):
    """Broken RGA: each replica puts its own concurrent inserts first, so two replicas show
    concurrent inserts in opposite orders (and never converge)."""

    def new(self, actor):
        return {"elems": [], "clock": 0, "actor": actor}

    def rank(self, s, ident):
        return (ident[1] == s["actor"], ident)


class RgaShifted(RgaText):
    """Broken RGA: an insert inside the text lands one element further than asked (an
    off-by-one in the index translation, as between UTF-16 units and characters). Every
    replica agrees and converges; only the strong list specification sees it."""

    def local(self, s, op, dot):
        if "insert" in op:
            n = len(self.visible(s))
            at = op["insert"]["at"] % (n + 1)
            if 0 < at < n:
                op = {"insert": dict(op["insert"], at=at + 1)}
        return super().local(s, op, dot)


crdts = {
    "rga-text": (RgaText(), "op", {"kind": "text", "interleaving": "forward"}),
    # RGA sold as backward non-interleaving: the sequence oracles catch the promise.
    "rga-text-backward": (RgaText(), "op", {"kind": "text", "interleaving": "backward"}),
    # Concurrent inserts in a replica-dependent order: the sequence order oracle catches it.
    "rga-text-own-first": (RgaOwnFirst(), "op", {"kind": "text", "interleaving": "forward"}),
    # Inserts one place off: converges in one order, caught by the strong list specification.
    "rga-text-shifted": (RgaShifted(), "op", {"kind": "text", "interleaving": "forward"}),
    "orset": (OrSet(), "state", {"kind": "set", "wins": "add"}),
    "lww-broken": (LwwBroken(), "state", {"kind": "set", "wins": "add"}),
    "counter": (Counter(), "op", {"kind": "counter"}),
    "register-max": (MaxRegister(), "state", {"kind": "register", "semantics": "any"}),
    "register-max-as-lww": (MaxRegister(), "state", {"kind": "register", "semantics": "lww"}),
    "register-first": (FirstRegister(), "state", {"kind": "register", "semantics": "any"}),
    "gcounter-delta": (GCounterDelta(), "delta", {"kind": "counter", "decrements": False}),
}
crdt, flavour, vocabulary = crdts[kind]
replicas = {}
messages = {}


def answer(req):
    t = req["type"]
    if t == "hello":
        hello = {
            "ok": True,
            "protocol": arg if misbehaviour == "version" else 1,
            "name": "toy " + kind,
            "flavour": flavour,
            "vocabulary": vocabulary,
            "capabilities": {
                "fork": misbehaviour != "no-fork",
                "equal": flavour != "op",
                "pipeline": misbehaviour != "no-pipeline",
            },
        }
        if flavour == "op":
            hello["delivery"] = "causal"
        return hello
    if t == "new":
        replicas[req["replica"]] = crdt.new(req["actor"])
    elif t == "local":
        trigger(req["op"])
        s = replicas[req["replica"]]
        if flavour == "op":
            messages[req["message"]] = crdt.local(s, req["op"], req["dot"])
        elif flavour == "delta":
            replicas[req["out"]] = crdt.apply(s, req["op"], req["dot"])
        else:
            crdt.apply(s, req["op"], req["dot"])
    elif t == "deliver":
        crdt.effect(replicas[req["replica"]], messages[req["message"]])
    elif t == "merge":
        crdt.merge(replicas[req["into"]], replicas[req["from"]])
    elif t == "value":
        return {"ok": True, "value": crdt.value(replicas[req["replica"]])}
    elif t == "values":
        return {"ok": True, "values": [crdt.value(replicas[h]) for h in req["replicas"]]}
    elif t == "fork":
        replicas[req["out"]] = copy.deepcopy(replicas[req["replica"]])
    elif t == "equal":
        return {"ok": True, "equal": replicas[req["replica"]] == replicas[req["other"]]}
    elif t == "drop":
        for h in req.get("replicas", []):
            replicas.pop(h, None)
        for h in req.get("messages", []):
            messages.pop(h, None)
    elif t == "reset":
        replicas.clear()
        messages.clear()
    elif t == "batch":
        results = []
        for i, sub in enumerate(req["requests"]):
            try:
                results.append(answer(sub))
            except Exception as e:  # the user's code failed: an error answer, not a crash
                return {"ok": False, "error": repr(e), "index": i, "results": results}
        return {"ok": True, "results": results}
    else:
        raise ValueError("unknown request type %r" % t)
    return {"ok": True}


for line in sys.stdin:
    try:
        response = answer(json.loads(line))
    except Exception as e:
        response = {"ok": False, "error": repr(e)}
    sys.stdout.write(json.dumps(response) + "\n")
    sys.stdout.flush()
