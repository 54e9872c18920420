"""A grow-only counter with its own sync protocol: a replica sends its state to a peer until the
peer confirms holding it. ``crdt-harness check --adapter 'python sync_counter.py'`` drives the
sync over a faulty network (loss, duplication, reordering, partitions, crashes)."""
from crdt_verify_adapter import serve


class GossipCounter:
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

    # Per peer: the state it confirmed holding, and whether it asked us to confirm.
    def new_sync(self, actor, replicas):
        return {}

    def message(self, state, sync, peer):
        confirmed, owed = sync.setdefault(peer, [None, False])
        if confirmed != state:
            return {"state": state, "ask": True}
        if owed:
            sync[peer][1] = False
            return {"state": state, "ask": False}
        return None  # nothing to say: the sync falls silent

    def receive(self, state, sync, peer, message):
        self.merge(state, message["state"])
        confirmed = sync.setdefault(peer, [None, False])
        if state == message["state"]:
            confirmed[0] = dict(state)
        confirmed[1] = confirmed[1] or message["ask"]


serve(GossipCounter(), name="gossip counter (python)",
      vocabulary={"kind": "counter", "decrements": False},
      sync={"durable": False, "silence": {"rounds": 4}})
