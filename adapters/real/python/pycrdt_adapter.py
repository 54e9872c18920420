"""pycrdt (Text, Array, Map) over the adapter protocol: ``python pycrdt_adapter.py text|array|map``.

A replica is a ``pycrdt.Doc`` whose client id is the harness's actor. A local edit is one
transaction; its message is ``get_update`` since the state vector before it. A remote update
goes to ``apply_update``, which keeps updates whose dependencies have not arrived and skips what
it has: any order, duplicates. ``get_update()`` of a whole document leaves out those pending
updates, so a copy (fork, snapshot) replays every update the replica applied, in order, into a
new document with the same client id: the same inputs, the same document.
"""
import base64
import sys

from crdt_verify_adapter import serve
from pycrdt import Array, Doc, Map, Text

# pycrdt's text indices and len() count UTF-8 bytes (Yrs' default offset kind): a letter is 1
# byte and its tag 4. An index inside a character is not refused: the edit shows locally, but
# the update it ships places the element at a position other replicas cannot reconstruct.
UNITS = 5


def list_edit(op, length):
    """The edit ``op`` makes on a list of ``length`` elements (indices modulo the length)."""
    if "insert" in op:
        return ("insert", op["insert"]["at"] % (length + 1), op["insert"]["text"])
    return None if length == 0 else ("delete", op["delete"]["at"] % length, None)


def plain(value):
    """pycrdt reads numbers back as floats: the vocabulary's integers as integers."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


class TextType:
    vocabulary = {"kind": "text", "interleaving": "forward"}
    root = ("text", Text)

    def edit(self, text, op):
        e = list_edit(op, len(text) // UNITS)
        if e and e[0] == "insert":
            text.insert(e[1] * UNITS, e[2])
        elif e:
            del text[e[1] * UNITS:(e[1] + 1) * UNITS]

    def value(self, text):
        return str(text)


class ArrayType:
    vocabulary = {"kind": "list", "interleaving": "forward"}
    root = ("array", Array)

    def edit(self, array, op):
        e = list_edit(op, len(array))
        if e and e[0] == "insert":
            array.insert(e[1], e[2])
        elif e:
            del array[e[1]]

    def value(self, array):
        return array.to_py()


class MapType:
    vocabulary = {"kind": "map", "values": {"kind": "register", "semantics": "lww"}}
    root = ("map", Map)

    def edit(self, map_, op):
        map_[op["update"]["key"]] = op["update"]["op"]["set"]

    def value(self, map_):
        return plain(map_.to_py())


class Replica:
    """A document and every update it applied, in order (what a copy replays)."""

    def __init__(self, actor, updates=()):
        self.doc = Doc(client_id=actor)
        self.updates = []
        for update in updates:
            self.apply(update)

    def apply(self, update):
        self.doc.apply_update(update)
        self.updates.append(update)


class Pycrdt:
    def __init__(self, kind):
        self.kind = kind

    def shared(self, replica):
        name, cls = self.kind.root
        return replica.doc.get(name, type=cls)

    def new(self, actor):
        return Replica(actor)

    def local(self, replica, op, dot):
        shared = self.shared(replica)
        before = replica.doc.get_state()
        with replica.doc.transaction():
            self.kind.edit(shared, op)
        update = replica.doc.get_update(before)
        replica.updates.append(update)
        return update

    def effect(self, replica, update):
        replica.apply(update)

    def value(self, replica):
        return self.kind.value(self.shared(replica))

    def fork(self, replica):
        return Replica(replica.doc.client_id, replica.updates)

    def snapshot(self, replica):
        return [base64.b64encode(u).decode("ascii") for u in replica.updates]

    def restore(self, actor, snapshot):
        return Replica(actor, [base64.b64decode(u) for u in snapshot])


TYPES = {"text": TextType, "array": ArrayType, "map": MapType}

if __name__ == "__main__":
    if len(sys.argv) not in (2, 3) or sys.argv[1] not in TYPES:
        sys.exit(f"usage: pycrdt_adapter.py {'|'.join(TYPES)} [none|forward|backward|maximal]")
    kind = TYPES[sys.argv[1]]()
    vocabulary = dict(kind.vocabulary)
    if len(sys.argv) == 3:
        vocabulary["interleaving"] = sys.argv[2]
    serve(Pycrdt(kind), name=f"pycrdt {sys.argv[1].capitalize()}", vocabulary=vocabulary, delivery="duplicating")
