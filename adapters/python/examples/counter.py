"""A state-based PN-counter, served to crdt-harness: ``crdt-harness check --adapter 'python counter.py'``."""
from crdt_verify_adapter import serve


class PnCounter:
    def new(self, actor):
        return {"inc": {}, "dec": {}}

    def apply(self, state, op, dot):
        side, n = ("inc", op["increment"]) if "increment" in op else ("dec", op["decrement"])
        state[side][dot["actor"]] = state[side].get(dot["actor"], 0) + n

    def merge(self, into, from_):
        for side in ("inc", "dec"):
            for actor, n in from_[side].items():
                into[side][actor] = max(into[side].get(actor, 0), n)

    def value(self, state):
        return sum(state["inc"].values()) - sum(state["dec"].values())

    def snapshot(self, state):  # JSON object keys are strings: actors go back to ints in restore
        return state

    def restore(self, actor, snapshot):
        return {side: {int(a): n for a, n in counts.items()} for side, counts in snapshot.items()}


if __name__ == "__main__":
    serve(PnCounter(), name="pn-counter (python)", vocabulary={"kind": "counter"})
