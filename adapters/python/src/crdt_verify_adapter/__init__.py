"""Turn a small CRDT class into an adapter for ``crdt-harness check --adapter '<command>'``.

The adapter speaks the adapter protocol (``docs/protocol.md``, version 1): JSON Lines on stdin
and stdout, one process holding many replicas. The class gives one of four shapes, and the
flavour is read from the methods it has:

- sync: the state-based methods, and its own sync protocol: ``new_sync(actor, replicas)``,
  ``message(state, sync, peer) -> message or None``, ``receive(state, sync, peer, message)``,
  and over connections ``reconnect(sync, peer)`` (with ``sync={"durable": bool, "silence":
  {"rounds": n}}`` and optionally ``"transport": "connection"``, ``docs/protocol.md``)
- state-based: ``new(actor)``, ``apply(state, op, dot)``, ``merge(into, from_)``, ``value(state)``
- delta-state: ``new(actor)``, ``delta(state, op, dot) -> delta``, ``merge``, ``value``
- op-based: ``new(actor)``, ``local(state, op, dot) -> message``, ``effect(state, message)``,
  ``value(state)``

and optionally ``fork(state)``, ``snapshot(state)`` with ``restore(actor, snapshot)``,
``equal(a, b)`` and ``leq(a, b)`` (the state order; without it, derived from ``merge`` and
``equal`` in the adapter). ``apply``, ``merge`` and ``effect`` change the state in place, or return the
new state (anything but ``None``).

    from crdt_verify_adapter import serve

    class GCounter:
        def new(self, actor): return {}
        def apply(self, state, op, dot):
            state[dot["actor"]] = state.get(dot["actor"], 0) + op["increment"]
        def merge(self, into, from_):
            for actor, n in from_.items(): into[actor] = max(into.get(actor, 0), n)
        def value(self, state): return sum(state.values())

    serve(GCounter(), name="g-counter", vocabulary={"kind": "counter", "decrements": False})
"""

from __future__ import annotations

import copy
import json
import sys
from typing import Any, BinaryIO, Optional

__all__ = ["PROTOCOL", "Adapter", "RequestError", "flavour_of", "serve"]

PROTOCOL = 1
"""The protocol version this kit speaks."""

_FLAVOURS = {
    "sync": ("new", "apply", "merge", "value", "new_sync", "message", "receive"),
    "op": ("new", "local", "effect", "value"),
    "delta": ("new", "delta", "merge", "value"),
    "state": ("new", "apply", "merge", "value"),
}


def flavour_of(crdt: Any) -> str:
    """The flavour a CRDT object's methods give: ``"sync"``, ``"op"``, ``"delta"`` or ``"state"``."""
    for flavour, methods in _FLAVOURS.items():
        if all(callable(getattr(crdt, m, None)) for m in methods):
            return flavour
    wanted = ", or ".join("/".join(ms) for ms in _FLAVOURS.values())
    raise TypeError(f"the CRDT has none of the method sets {wanted}")


class RequestError(Exception):
    """A request the adapter cannot carry out; answered with ``ok: false``."""

    def __init__(self, message: str, index: Optional[int] = None, results: Optional[list] = None):
        super().__init__(message)
        self.index = index
        self.results = results


def _need(request: dict, field: str) -> Any:
    if field not in request:
        raise RequestError(f'{request.get("type")}: missing field "{field}"')
    return request[field]


def _one_line(error: BaseException) -> str:
    text = str(error) if isinstance(error, RequestError) else f"{type(error).__name__}: {error}"
    return " ".join(text.split()) or "error"


class _Replica:
    __slots__ = ("actor", "state")

    def __init__(self, actor: int, state: Any):
        self.actor = actor
        self.state = state


class Adapter:
    """The protocol's requests over one CRDT: ``handle(request)`` answers one parsed request
    with its response; ``serve`` feeds it lines, tests may call it directly."""

    def __init__(
        self,
        crdt: Any,
        *,
        vocabulary: dict,
        name: Optional[str] = None,
        delivery: Optional[str] = None,
        flavour: Optional[str] = None,
        sync: Optional[dict] = None,
    ):
        self.crdt = crdt
        self.flavour = flavour or flavour_of(crdt)
        self.name = name or type(crdt).__name__
        self.vocabulary = vocabulary
        self.delivery = delivery
        if self.flavour == "op" and delivery is None:
            raise TypeError("an op-based CRDT needs delivery=")
        self.sync = sync
        if self.flavour == "sync" and not (
            isinstance(sync, dict) and isinstance(sync.get("durable"), bool) and isinstance(sync.get("silence"), dict)
        ):
            raise TypeError('a CRDT with its own sync needs sync={"durable": bool, "silence": {"rounds": n}}')
        if self.flavour == "sync" and sync.get("transport", "datagram") not in ("datagram", "connection"):
            raise TypeError('sync["transport"] must be "datagram" or "connection"')
        self.syncs: dict[int, Any] = {}
        self.can_snapshot = callable(getattr(crdt, "snapshot", None)) and callable(
            getattr(crdt, "restore", None)
        )
        self.can_equal = callable(getattr(crdt, "equal", None))
        # The state order, for the state and delta flavours: the class's own, or merge's
        # (a <= b iff a merged with b is b) from a copy, merge and equal, done here rather than
        # in round trips.
        self.can_leq = self.flavour in ("state", "delta") and (
            callable(getattr(crdt, "leq", None)) or self.can_equal
        )
        self.replicas: dict[int, _Replica] = {}
        self.messages: dict[int, Any] = {}
        self.greeted = False

    def _replica(self, handle: int) -> _Replica:
        try:
            return self.replicas[handle]
        except (KeyError, TypeError):
            raise RequestError(f"unknown replica {handle}") from None

    def _message(self, handle: int) -> Any:
        try:
            return self.messages[handle]
        except (KeyError, TypeError):
            raise RequestError(f"unknown message {handle}") from None

    def _sync_state(self, handle: int) -> Any:
        try:
            return self.syncs[handle]
        except (KeyError, TypeError):
            raise RequestError(f"unknown sync state {handle}") from None

    def _need_sync(self, kind: str) -> None:
        if self.flavour != "sync":
            raise RequestError(f'"{kind}" in the {self.flavour} flavour')

    def _update(self, handle: int, method: str, *args: Any) -> None:
        replica = self._replica(handle)
        new = getattr(self.crdt, method)(replica.state, *args)
        if new is not None:
            replica.state = new

    def _copy(self, state: Any) -> Any:
        fork = getattr(self.crdt, "fork", None)
        return fork(state) if callable(fork) else copy.deepcopy(state)

    def _leq(self, a: Any, b: Any) -> bool:
        """a <= b: the class's order, or merge's (a merged with b is b) on a copy of a."""
        leq = getattr(self.crdt, "leq", None)
        if callable(leq):
            return bool(leq(a, b))
        copy_of_a = self._copy(a)
        joined = self.crdt.merge(copy_of_a, b)
        return bool(self.crdt.equal(copy_of_a if joined is None else joined, b))

    def _value(self, handle: int) -> Any:
        return self.crdt.value(self._replica(handle).state)

    def handle(self, request: Any) -> dict:
        """Answers one request (a parsed JSON object) with its response object."""
        try:
            if not isinstance(request, dict):
                raise RequestError("a request must be a JSON object")
            if not self.greeted and request.get("type") != "hello":
                raise RequestError(f'"{request.get("type")}" before "hello"')
            return {"ok": True, **self._dispatch(request, in_batch=False)}
        except Exception as error:  # noqa: BLE001 - every failure is an answer, never an exit
            response = {"ok": False, "error": _one_line(error)}
            if isinstance(error, RequestError) and error.index is not None:
                response.update(index=error.index, results=error.results)
            return response

    def line(self, text: str) -> str:
        """Answers one line of input with one line of output (without its newline)."""
        try:
            request = json.loads(text)
        except ValueError as error:
            return json.dumps({"ok": False, "error": f"not JSON: {_one_line(error)}"}, separators=(",", ":"))
        return json.dumps(self.handle(request), ensure_ascii=False, separators=(",", ":"))

    def _dispatch(self, request: dict, in_batch: bool) -> dict:
        kind = request.get("type")
        crdt = self.crdt
        if kind == "hello":
            if in_batch:
                raise RequestError('"hello" inside a batch')
            asked = _need(request, "protocol")
            if asked != PROTOCOL:
                raise RequestError(f"protocol {asked} asked, this kit speaks {PROTOCOL}")
            self.greeted = True
            hello = {
                "protocol": PROTOCOL,
                "name": self.name,
                "flavour": self.flavour,
                "vocabulary": self.vocabulary,
                "capabilities": {
                    "fork": True,
                    "snapshot": self.can_snapshot,
                    "equal": self.can_equal,
                    "leq": self.can_leq,
                    # `serve` answers each line before it reads the next.
                    "pipeline": True,
                },
            }
            if self.flavour == "op":
                hello["delivery"] = self.delivery
            if self.flavour == "sync":
                hello["sync"] = self.sync
            return hello
        if kind == "new":
            actor = _need(request, "actor")
            self.replicas[_need(request, "replica")] = _Replica(actor, crdt.new(actor))
            return {}
        if kind == "local":
            handle, op, dot = (_need(request, f) for f in ("replica", "op", "dot"))
            if self.flavour in ("state", "sync"):
                self._update(handle, "apply", op, dot)
            elif self.flavour == "delta":
                out = _need(request, "out")
                replica = self._replica(handle)
                delta = crdt.delta(replica.state, op, dot)
                self._update(handle, "merge", delta)
                self.replicas[out] = _Replica(replica.actor, delta)
            else:
                message = _need(request, "message")
                self.messages[message] = crdt.local(self._replica(handle).state, op, dot)
            return {}
        if kind == "deliver":
            if self.flavour != "op":
                raise RequestError(f'"deliver" in the {self.flavour} flavour')
            message = self._message(_need(request, "message"))
            self._update(_need(request, "replica"), "effect", message)
            return {}
        if kind == "merge":
            if self.flavour == "op":
                raise RequestError('"merge" in the op flavour')
            from_ = self._replica(_need(request, "from"))
            self._update(_need(request, "into"), "merge", from_.state)
            return {}
        if kind == "sync_new":
            self._need_sync(kind)
            out, actor, replicas = (_need(request, f) for f in ("out", "actor", "replicas"))
            self.syncs[out] = crdt.new_sync(actor, replicas)
            return {}
        if kind == "sync_message":
            self._need_sync(kind)
            replica = self._replica(_need(request, "replica"))
            sync = self._sync_state(_need(request, "sync"))
            return {"value": crdt.message(replica.state, sync, _need(request, "peer"))}
        if kind == "sync_reconnect":
            # The connection to `peer` broke and was opened again: `reconnect` changes the sync
            # state in place (returning None) or returns the new one; without it, nothing changes.
            self._need_sync(kind)
            handle = _need(request, "sync")
            sync = self._sync_state(handle)
            reconnect = getattr(crdt, "reconnect", None)
            if callable(reconnect):
                new = reconnect(sync, _need(request, "peer"))
                if new is not None:
                    self.syncs[handle] = new
            return {}
        if kind == "sync_receive":
            self._need_sync(kind)
            sync = self._sync_state(_need(request, "sync"))
            peer, message = _need(request, "peer"), _need(request, "message")
            self._update(_need(request, "replica"), "receive", sync, peer, message)
            return {}
        if kind == "value":
            return {"value": self._value(_need(request, "replica"))}
        if kind == "values":
            return {"values": [self._value(h) for h in _need(request, "replicas")]}
        if kind == "fork":
            replica = self._replica(_need(request, "replica"))
            self.replicas[_need(request, "out")] = _Replica(replica.actor, self._copy(replica.state))
            return {}
        if kind == "snapshot":
            if not self.can_snapshot:
                raise RequestError('"snapshot": the CRDT has no snapshot/restore')
            return {"snapshot": crdt.snapshot(self._replica(_need(request, "replica")).state)}
        if kind == "restore":
            if not self.can_snapshot:
                raise RequestError('"restore": the CRDT has no snapshot/restore')
            out, actor, snapshot = (_need(request, f) for f in ("out", "actor", "snapshot"))
            self.replicas[out] = _Replica(actor, crdt.restore(actor, snapshot))
            return {}
        if kind == "equal":
            if not self.can_equal:
                raise RequestError('"equal": the CRDT has no equal')
            a = self._replica(_need(request, "replica"))
            b = self._replica(_need(request, "other"))
            return {"equal": bool(crdt.equal(a.state, b.state))}
        if kind == "leq":
            if not self.can_leq:
                raise RequestError(f'"leq": the CRDT has no leq (and no equal) in the {self.flavour} flavour')
            a = self._replica(_need(request, "replica"))
            b = self._replica(_need(request, "other"))
            return {"leq": self._leq(a.state, b.state)}
        if kind == "drop":
            for h in _need(request, "replicas"):
                self.replicas.pop(h, None)
            for h in request.get("messages") or []:
                self.messages.pop(h, None)
            for h in request.get("syncs") or []:
                self.syncs.pop(h, None)
            return {}
        if kind == "reset":
            self.replicas.clear()
            self.messages.clear()
            self.syncs.clear()
            return {}
        if kind == "batch":
            return self._batch(_need(request, "requests"), in_batch)
        raise RequestError(f"unknown request type {json.dumps(kind)}")

    def _batch(self, requests: list, in_batch: bool) -> dict:
        if in_batch:
            raise RequestError('"batch" inside a batch')
        results = []
        for index, request in enumerate(requests):
            try:
                if not isinstance(request, dict):
                    raise RequestError("a request must be a JSON object")
                results.append({"ok": True, **self._dispatch(request, in_batch=True)})
            except Exception as error:  # noqa: BLE001
                raise RequestError(_one_line(error), index, results) from error
        return {"results": results}


def serve(
    crdt: Any,
    *,
    vocabulary: dict,
    name: Optional[str] = None,
    delivery: Optional[str] = None,
    flavour: Optional[str] = None,
    sync: Optional[dict] = None,
    input: Optional[BinaryIO] = None,
    output: Optional[BinaryIO] = None,
) -> Adapter:
    """Serves ``crdt`` over the protocol on stdin and stdout until stdin closes.

    ``input`` and ``output`` (binary streams) replace stdin and stdout, for tests."""
    adapter = Adapter(crdt, vocabulary=vocabulary, name=name, delivery=delivery, flavour=flavour, sync=sync)
    source = input if input is not None else sys.stdin.buffer
    sink = output if output is not None else sys.stdout.buffer
    if output is None:
        # Stdout carries the protocol only: what the CRDT or its library prints goes to stderr.
        sys.stdout = sys.stderr
    for raw in source:
        text = raw.decode("utf-8", errors="replace").strip()
        if text:
            sink.write(adapter.line(text).encode("utf-8", errors="backslashreplace") + b"\n")
            sink.flush()
    return adapter
