"""A broken sync: a replica takes a state it sent as received and never asks for a confirmation,
so a lost message is never sent again. crdt-harness finds it: after a loss the sync falls silent
while the replicas show different counts (silent_disagreement)."""
from crdt_verify_adapter import serve


class ForgetfulCounter:
    def new(self, actor):
        return {}

    def apply(self, state, op, dot):
        key = str(dot["actor"])
        state[key] = state.get(key, 0) + op["increment"]

    def merge(self, into, from_):
        for actor, n in from_.items():
            into[actor] = max(into.get(actor, 0), n)

    def value(self, state):
        return sum(state.values())

    def new_sync(self, actor, replicas):
        return {}  # per peer: the state last sent

    def message(self, state, sync, peer):
        if sync.get(peer) == state:
            return None
        sync[peer] = dict(state)  # the bug: what was sent counts as received
        return {"state": state}

    def receive(self, state, sync, peer, message):
        self.merge(state, message["state"])


serve(ForgetfulCounter(), name="forgetful sync counter (python, broken)",
      vocabulary={"kind": "counter", "decrements": False},
      sync={"durable": False, "silence": {"rounds": 4}})
