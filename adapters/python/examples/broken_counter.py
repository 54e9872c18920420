"""A broken PN-counter: ``merge`` adds the other replica's counts instead of taking the maximum,
so a state received twice (or merged back into itself) counts twice. crdt-harness finds it:
merge is not idempotent, and replicas that exchange states end up with different counts."""
from crdt_verify_adapter import serve


class AddingCounter:
    def new(self, actor):
        return {"inc": {}, "dec": {}}

    def apply(self, state, op, dot):
        side, n = ("inc", op["increment"]) if "increment" in op else ("dec", op["decrement"])
        state[side][dot["actor"]] = state[side].get(dot["actor"], 0) + n

    def merge(self, into, from_):
        for side in ("inc", "dec"):
            for actor, n in from_[side].items():
                into[side][actor] = into[side].get(actor, 0) + n  # the bug: + instead of max

    def value(self, state):
        return sum(state["inc"].values()) - sum(state["dec"].values())


if __name__ == "__main__":
    serve(AddingCounter(), name="adding counter (python, broken)", vocabulary={"kind": "counter"})
