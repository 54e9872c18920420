"""A broken PN-counter: ``merge`` adds the other replica's counts instead of taking the maximum,
so a state received twice (or merged back into itself) counts twice. crdt-harness finds it:
merge is not idempotent, and a replica's value leaves its specification."""
from counter import PnCounter

from crdt_verify_adapter import serve


class AddingCounter(PnCounter):
    def merge(self, into, from_):
        for side in ("inc", "dec"):
            for actor, n in from_[side].items():
                into[side][actor] = into[side].get(actor, 0) + n  # the bug: + instead of max


if __name__ == "__main__":
    serve(AddingCounter(), name="adding counter (python, broken)", vocabulary={"kind": "counter"})
