"""The kit's side of the protocol (docs/protocol.md), request by request, without the harness."""
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from crdt_verify_adapter import PROTOCOL, Adapter, flavour_of, serve

SET = {"kind": "set", "wins": "grow"}
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def dot(actor, seq):
    return {"actor": actor, "seq": seq}


class StateSet:
    """A grow-only set of integers, small enough to read."""

    def new(self, actor):
        return set()

    def apply(self, state, op, dot):
        state.add(op["add"])

    def merge(self, into, from_):
        into |= from_

    def value(self, state):
        return sorted(state)

    def equal(self, a, b):
        return a == b


class DeltaSet:
    def new(self, actor):
        return set()

    def delta(self, state, op, dot):
        return {op["add"]}

    def merge(self, into, from_):
        into |= from_

    def value(self, state):
        return sorted(state)


class OpSet:
    def new(self, actor):
        return set()

    def local(self, state, op, dot):
        state.add(op["add"])
        return op["add"]

    def effect(self, state, message):
        state.add(message)

    def value(self, state):
        return sorted(state)


class ImmutableCounter:
    """State-based, returning new states instead of changing them."""

    def new(self, actor):
        return ()

    def apply(self, state, op, dot):
        return state + ((dot["actor"], dot["seq"], op["increment"]),)

    def merge(self, into, from_):
        return tuple(sorted(set(into) | set(from_)))

    def value(self, state):
        return sum(n for _, _, n in state)


def greeted(crdt, **options):
    adapter = Adapter(crdt, vocabulary=options.pop("vocabulary", SET), delivery="causal", **options)
    assert adapter.handle({"type": "hello", "protocol": PROTOCOL})["ok"]
    return adapter


def ok(adapter, request):
    response = adapter.handle(request)
    assert response["ok"], f"{request} -> {response}"
    return response


def test_hello_gives_flavour_vocabulary_and_capabilities():
    adapter = Adapter(StateSet(), name="g-set", vocabulary=SET)
    assert adapter.handle({"type": "hello", "protocol": 1}) == {
        "ok": True,
        "protocol": 1,
        "name": "g-set",
        "flavour": "state",
        "vocabulary": SET,
        "capabilities": {"fork": True, "snapshot": False, "equal": True, "leq": True, "pipeline": True},
    }
    hello = Adapter(OpSet(), vocabulary=SET, delivery="unordered").handle({"type": "hello", "protocol": 1})
    assert (hello["flavour"], hello["delivery"]) == ("op", "unordered")


def test_hello_refuses_another_version_and_requests_before_it():
    adapter = Adapter(StateSet(), vocabulary=SET)
    assert "before" in adapter.handle({"type": "new", "replica": 0, "actor": 0})["error"]
    assert "protocol 2 asked" in adapter.handle({"type": "hello", "protocol": 2})["error"]
    assert adapter.handle({"type": "hello", "protocol": 1})["ok"]


def test_flavour_is_read_from_the_methods():
    assert [flavour_of(c) for c in (StateSet(), DeltaSet(), OpSet())] == ["state", "delta", "op"]
    with pytest.raises(TypeError, match="none of the method sets"):
        flavour_of(object())
    with pytest.raises(TypeError, match="delivery"):
        Adapter(OpSet(), vocabulary=SET)


def test_state_flavour_applies_forks_independently_merges_and_reads_values():
    a = greeted(StateSet())
    ok(a, {"type": "new", "replica": 0, "actor": 0})
    ok(a, {"type": "new", "replica": 1, "actor": 1})
    ok(a, {"type": "local", "replica": 0, "op": {"add": 3}, "dot": dot(0, 1)})
    ok(a, {"type": "fork", "replica": 0, "out": 2})
    ok(a, {"type": "local", "replica": 0, "op": {"add": 1}, "dot": dot(0, 2)})
    assert ok(a, {"type": "value", "replica": 2})["value"] == [3]
    ok(a, {"type": "merge", "into": 1, "from": 2})
    ok(a, {"type": "local", "replica": 1, "op": {"add": 2}, "dot": dot(1, 1)})
    assert ok(a, {"type": "values", "replicas": [0, 1, 2]})["values"] == [[1, 3], [2, 3], [3]]
    assert ok(a, {"type": "equal", "replica": 0, "other": 1})["equal"] is False
    assert "state flavour" in a.handle({"type": "deliver", "replica": 0, "message": 0})["error"]


class OwnOrderSet(StateSet):
    """The state order given by the class, and no equality."""

    equal = None

    def leq(self, a, b):
        return a <= b


class NoOrderSet(StateSet):
    equal = None


def test_leq_is_the_class_order_or_merges_from_equal_and_changes_nothing():
    for crdt in (StateSet(), OwnOrderSet(), ImmutableCounter()):
        a = greeted(crdt, vocabulary=SET)
        op = (lambda x: {"increment": x}) if isinstance(crdt, ImmutableCounter) else (lambda x: {"add": x})
        ok(a, {"type": "new", "replica": 0, "actor": 0})
        ok(a, {"type": "local", "replica": 0, "op": op(3), "dot": dot(0, 1)})
        ok(a, {"type": "fork", "replica": 0, "out": 1})
        ok(a, {"type": "local", "replica": 1, "op": op(4), "dot": dot(0, 2)})
        before = ok(a, {"type": "values", "replicas": [0, 1]})["values"]
        if isinstance(crdt, ImmutableCounter):
            # No equality and no order: no leq.
            assert "no leq" in a.handle({"type": "leq", "replica": 0, "other": 1})["error"]
            continue
        assert ok(a, {"type": "leq", "replica": 0, "other": 1})["leq"] is True
        assert ok(a, {"type": "leq", "replica": 1, "other": 0})["leq"] is False
        assert ok(a, {"type": "leq", "replica": 1, "other": 1})["leq"] is True
        assert ok(a, {"type": "values", "replicas": [0, 1]})["values"] == before
    none = Adapter(NoOrderSet(), vocabulary=SET).handle({"type": "hello", "protocol": 1})
    assert none["capabilities"]["leq"] is False
    op_based = Adapter(OpSet(), vocabulary=SET, delivery="causal").handle({"type": "hello", "protocol": 1})
    assert op_based["capabilities"]["leq"] is False


def test_methods_may_return_the_new_state():
    a = greeted(ImmutableCounter(), vocabulary={"kind": "counter"})
    ok(a, {"type": "new", "replica": 0, "actor": 0})
    ok(a, {"type": "new", "replica": 1, "actor": 1})
    ok(a, {"type": "local", "replica": 0, "op": {"increment": 2}, "dot": dot(0, 1)})
    ok(a, {"type": "merge", "into": 1, "from": 0})
    ok(a, {"type": "merge", "into": 1, "from": 0})
    assert ok(a, {"type": "values", "replicas": [0, 1]})["values"] == [2, 2]


def test_errors_are_answers_and_the_adapter_keeps_serving():
    a = greeted(StateSet())
    assert "no snapshot" in a.handle({"type": "snapshot", "replica": 0})["error"]
    assert a.handle({"type": "value", "replica": 4})["error"] == "unknown replica 4"
    assert 'missing field "dot"' in a.handle({"type": "local", "replica": 0, "op": {"add": 1}})["error"]
    assert "unknown request type" in a.handle({"type": "frobnicate"})["error"]
    ok(a, {"type": "new", "replica": 4, "actor": 0})
    assert ok(a, {"type": "value", "replica": 4})["value"] == []


def test_an_exception_in_user_code_is_an_error_of_one_line():
    class Failing(StateSet):
        def value(self, state):
            raise ValueError("no\nway")

    a = greeted(Failing())
    ok(a, {"type": "new", "replica": 0, "actor": 0})
    assert a.handle({"type": "value", "replica": 0}) == {"ok": False, "error": "ValueError: no way"}


def test_drop_and_reset_forget_replicas_and_messages():
    a = greeted(OpSet())
    ok(a, {"type": "new", "replica": 0, "actor": 0})
    ok(a, {"type": "new", "replica": 1, "actor": 1})
    ok(a, {"type": "local", "replica": 0, "op": {"add": 1}, "dot": dot(0, 1), "message": 0})
    ok(a, {"type": "drop", "replicas": [0, 7], "messages": [0]})
    assert not a.handle({"type": "value", "replica": 0})["ok"]
    assert a.handle({"type": "deliver", "replica": 1, "message": 0})["error"] == "unknown message 0"
    ok(a, {"type": "reset"})
    assert not a.handle({"type": "value", "replica": 1})["ok"]


def test_delta_flavour_keeps_the_delta_as_a_replica():
    a = greeted(DeltaSet())
    ok(a, {"type": "new", "replica": 0, "actor": 0})
    ok(a, {"type": "new", "replica": 1, "actor": 1})
    ok(a, {"type": "local", "replica": 0, "op": {"add": 5}, "dot": dot(0, 1), "out": 2})
    ok(a, {"type": "local", "replica": 0, "op": {"add": 6}, "dot": dot(0, 2), "out": 3})
    assert ok(a, {"type": "values", "replicas": [0, 2, 3]})["values"] == [[5, 6], [5], [6]]
    ok(a, {"type": "merge", "into": 2, "from": 3})
    ok(a, {"type": "merge", "into": 1, "from": 2})
    assert ok(a, {"type": "value", "replica": 1})["value"] == [5, 6]


def test_op_flavour_delivers_a_message_any_number_of_times():
    a = greeted(OpSet())
    ok(a, {"type": "new", "replica": 0, "actor": 0})
    ok(a, {"type": "new", "replica": 1, "actor": 1})
    ok(a, {"type": "local", "replica": 0, "op": {"add": 2}, "dot": dot(0, 1), "message": 0})
    ok(a, {"type": "deliver", "replica": 1, "message": 0})
    ok(a, {"type": "deliver", "replica": 1, "message": 0})
    ok(a, {"type": "fork", "replica": 1, "out": 2})
    ok(a, {"type": "local", "replica": 1, "op": {"add": 1}, "dot": dot(1, 1), "message": 1})
    assert ok(a, {"type": "values", "replicas": [0, 1, 2]})["values"] == [[2], [1, 2], [2]]
    assert "op flavour" in a.handle({"type": "merge", "into": 0, "from": 1})["error"]


def test_batch_stops_at_the_first_failure_with_its_index():
    a = greeted(StateSet())
    response = a.handle({"type": "batch", "requests": [
        {"type": "new", "replica": 0, "actor": 0},
        {"type": "values", "replicas": [0]},
        {"type": "merge", "into": 0, "from": 9},
        {"type": "new", "replica": 1, "actor": 1},
    ]})
    assert response == {
        "ok": False, "error": "unknown replica 9", "index": 2,
        "results": [{"ok": True}, {"ok": True, "values": [[]]}],
    }
    assert not a.handle({"type": "value", "replica": 1})["ok"], "the sub-request after the failure ran"
    assert "inside a batch" in a.handle({"type": "batch", "requests": [{"type": "hello", "protocol": 1}]})["error"]
    assert "inside a batch" in a.handle({"type": "batch", "requests": [{"type": "batch", "requests": []}]})["error"]


def test_serve_answers_line_by_line_and_keeps_characters_outside_the_bmp():
    # Every line is in the input before the first answer is read: what a harness sends to an
    # adapter declaring `pipeline`; the answers come in order.
    class Text(StateSet):
        def new(self, actor):
            return [""]

        def apply(self, state, op, dot):
            state[0] += op["insert"]["text"]

        def value(self, state):
            return state[0]

    lines = [
        '{"type":"hello","protocol":1}',
        "",
        '{"type":"new","replica":0,"actor":0}',
        "not json",
        "[1]",
        '{"type":"local","replica":0,"op":{"insert":{"at":0,"text":"a\\udb80\\udc03"}},"dot":{"actor":0,"seq":1}}',
        '{"type":"local","replica":0,"op":{"insert":{"at":0,"text":"b\U000f0004"}},"dot":{"actor":0,"seq":2}}',
        '{"type":"value","replica":0}',
    ]
    out = io.BytesIO()
    serve(Text(), vocabulary={"kind": "text"}, input=io.BytesIO("\n".join(lines).encode()), output=out)
    answers = [json.loads(l) for l in out.getvalue().decode("utf-8").splitlines()]
    assert len(answers) == 7
    assert answers[2]["error"].startswith("not JSON")
    assert answers[3]["error"] == "a request must be a JSON object"
    assert [ord(c) for c in answers[6]["value"]] == [0x61, 0xF0003, 0x62, 0xF0004]


def test_the_example_runs_as_a_process_and_exits_0_at_the_end_of_its_input():
    requests = [
        {"type": "hello", "protocol": 1},
        {"type": "new", "replica": 0, "actor": 0},
        {"type": "local", "replica": 0, "op": {"increment": 3}, "dot": dot(0, 1)},
        {"type": "local", "replica": 0, "op": {"decrement": 1}, "dot": dot(0, 2)},
        {"type": "snapshot", "replica": 0},
        {"type": "restore", "out": 1, "actor": 0, "snapshot": {"inc": {"0": 3}, "dec": {"0": 1}}},
        {"type": "merge", "into": 1, "from": 0},
        {"type": "values", "replicas": [0, 1]},
    ]
    run = subprocess.run(
        [sys.executable, str(EXAMPLES / "counter.py")],
        input="".join(json.dumps(r) + "\n" for r in requests),
        capture_output=True, text=True, check=False,
    )
    assert run.returncode == 0, run.stderr
    answers = [json.loads(l) for l in run.stdout.splitlines()]
    assert answers[4] == {"ok": True, "snapshot": {"inc": {"0": 3}, "dec": {"0": 1}}}
    assert answers[7] == {"ok": True, "values": [2, 2]}


def test_stdout_carries_the_protocol_only_a_print_goes_to_stderr():
    source = (
        "from crdt_verify_adapter import serve\n"
        "class Chatty:\n"
        "    def new(self, actor): print('chatty'); return 0\n"
        "    def apply(self, s, op, dot): pass\n"
        "    def merge(self, a, b): pass\n"
        "    def value(self, s): return s\n"
        "serve(Chatty(), vocabulary={'kind': 'counter'})\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", source], capture_output=True, text=True, check=False,
        input='{"type":"hello","protocol":1}\n{"type":"new","replica":0,"actor":0}\n',
    )
    assert run.returncode == 0, run.stderr
    assert [json.loads(l)["ok"] for l in run.stdout.splitlines()] == [True, True]
    assert "chatty" in run.stderr


class SyncSet(StateSet):
    """A grow-only set with a (chatty) sync of its own: a replica sends its items, when it has some."""

    def new_sync(self, actor, replicas):
        return {"actor": actor, "replicas": replicas}

    def message(self, state, sync, peer):
        return {"items": sorted(state)} if state else None

    def receive(self, state, sync, peer, message):
        self.merge(state, set(message["items"]))


SYNC = {"durable": True, "silence": {"messages": 10}}


def test_the_sync_flavour_is_read_from_the_methods_and_declares_its_terms():
    assert flavour_of(SyncSet()) == "sync"
    hello = Adapter(SyncSet(), vocabulary=SET, sync=SYNC).handle({"type": "hello", "protocol": 1})
    assert (hello["flavour"], hello["sync"]) == ("sync", SYNC)
    with pytest.raises(TypeError, match="sync="):
        Adapter(SyncSet(), vocabulary=SET)


def test_sync_states_make_receive_and_drop_messages():
    adapter = greeted(SyncSet(), sync=SYNC)
    ok(adapter, {"type": "new", "replica": 0, "actor": 0})
    ok(adapter, {"type": "new", "replica": 1, "actor": 1})
    ok(adapter, {"type": "sync_new", "out": 2, "actor": 0, "replicas": 2})
    ok(adapter, {"type": "sync_new", "out": 3, "actor": 1, "replicas": 2})
    assert ok(adapter, {"type": "sync_message", "replica": 0, "sync": 2, "peer": 1})["value"] is None
    ok(adapter, {"type": "local", "replica": 0, "op": {"add": 4}, "dot": dot(0, 1)})
    message = ok(adapter, {"type": "sync_message", "replica": 0, "sync": 2, "peer": 1})["value"]
    assert message == {"items": [4]}
    ok(adapter, {"type": "sync_receive", "replica": 1, "sync": 3, "peer": 0, "message": message})
    assert ok(adapter, {"type": "value", "replica": 1})["value"] == [4]
    ok(adapter, {"type": "drop", "replicas": [], "syncs": [2]})
    gone = adapter.handle({"type": "sync_message", "replica": 0, "sync": 2, "peer": 1})
    assert gone == {"ok": False, "error": "unknown sync state 2"}


def test_a_sync_state_is_told_of_a_reconnection_in_place_or_by_a_new_state():
    class Reconnecting(SyncSet):
        def reconnect(self, sync, peer):
            if sync.get("replaced"):
                return {**sync, "reconnected": [peer]}
            sync.setdefault("reconnected", []).append(peer)
            return None

    sync = {**SYNC, "transport": "connection"}
    adapter = greeted(Reconnecting(), sync=sync)
    assert adapter.handle({"type": "hello", "protocol": 1})["sync"] == sync
    ok(adapter, {"type": "sync_new", "out": 2, "actor": 0, "replicas": 3})
    ok(adapter, {"type": "sync_reconnect", "sync": 2, "peer": 1})
    ok(adapter, {"type": "sync_reconnect", "sync": 2, "peer": 2})
    assert adapter.syncs[2]["reconnected"] == [1, 2]
    adapter.syncs[2]["replaced"] = True
    ok(adapter, {"type": "sync_reconnect", "sync": 2, "peer": 0})
    assert adapter.syncs[2]["reconnected"] == [0]
    # Without a reconnect method the state is kept as it is.
    plain = greeted(SyncSet(), sync=sync)
    ok(plain, {"type": "sync_new", "out": 0, "actor": 0, "replicas": 2})
    ok(plain, {"type": "sync_reconnect", "sync": 0, "peer": 1})
    assert plain.syncs[0] == {"actor": 0, "replicas": 2}


def test_an_unknown_transport_is_refused():
    with pytest.raises(TypeError, match="transport"):
        Adapter(SyncSet(), vocabulary=SET, sync={**SYNC, "transport": "carrier pigeon"})


def test_sync_requests_are_refused_in_another_flavour():
    adapter = greeted(StateSet())
    answer = adapter.handle({"type": "sync_new", "out": 0, "actor": 0, "replicas": 2})
    assert answer == {"ok": False, "error": '"sync_new" in the state flavour'}
