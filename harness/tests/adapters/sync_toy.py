"""A grow-only counter with its own sync protocol, speaking the adapter protocol's sync flavour
raw (no kit), for `tests/adapter_sync.rs`.

Usage: python3 sync_toy.py MODE, where MODE is
- correct: a replica sends its state to a peer until the peer has confirmed holding it, and
  confirms what it receives when asked;
- forgetful: a replica takes a state it sent as received and never asks for an answer (a lost
  message is never resent);
- connected: the forgetful sync over connections (`transport: connection`), which forgets what
  it sent a peer when told the connection broke (`sync_reconnect`): correct;
- deaf: the same, deaf to `sync_reconnect`;
- chatty: a replica sends its state to every peer at every chance (it never falls silent);
- crash, hang, mute: a sync that, asked for its first message, exits, never answers, or answers
  without a `value` (containment).
- no-terms: a correct sync whose handshake forgets to declare its terms (`sync`).
"""

import json
import sys

MODE = sys.argv[1]
replicas = {}  # handle -> {actor: count}
syncs = {}  # handle -> {peer: [confirmed state or None, owes an answer]}


def merged(a, b):
    out = dict(a)
    for k, v in b.items():
        out[k] = max(out.get(k, 0), v)
    return out


def message(req):
    state = replicas[req["replica"]]
    peer = syncs[req["sync"]].setdefault(req["peer"], [None, False])
    if MODE in ("crash", "hang", "mute"):
        sys.stderr.write(f"sync_toy: {MODE} on purpose\n")
        sys.stderr.flush()
    if MODE == "crash":
        sys.exit(3)
    if MODE == "hang":
        __import__("time").sleep(3600)
    if MODE == "chatty":
        return {"state": state, "ask": False}
    if MODE in ("forgetful", "connected", "deaf"):
        # What was sent counts as confirmed, and nothing is ever asked back.
        fresh = peer[0] != state
        peer[0] = dict(state)
        return {"state": state, "ask": False} if fresh else None
    if peer[0] != state:
        return {"state": state, "ask": True}
    if peer[1]:
        peer[1] = False
        return {"state": state, "ask": False}
    return None


def receive(req):
    h = req["replica"]
    m = req["message"]
    replicas[h] = merged(replicas[h], m["state"])
    peer = syncs[req["sync"]].setdefault(req["peer"], [None, False])
    if MODE not in ("forgetful", "connected", "deaf") and replicas[h] == m["state"]:
        peer[0] = dict(replicas[h])
    peer[1] = peer[1] or m["ask"]


def handle(req):
    t = req["type"]
    if t == "hello":
        hello = {"protocol": 1, "name": "sync-toy " + MODE, "flavour": "sync",
                 "vocabulary": {"kind": "counter", "decrements": False},
                 "capabilities": {"fork": True, "equal": True},
                 "sync": {"durable": False, "silence": {"rounds": 4}}}
        if MODE == "no-terms":
            del hello["sync"]
        if MODE in ("connected", "deaf"):
            hello["sync"]["transport"] = "connection"
        return hello
    if t == "new":
        replicas[req["replica"]] = {}
    elif t == "local":
        h, dot = req["replica"], req["dot"]
        key = str(dot["actor"])
        replicas[h] = dict(replicas[h])
        replicas[h][key] = replicas[h].get(key, 0) + req["op"]["increment"]
    elif t == "merge":
        replicas[req["into"]] = merged(replicas[req["into"]], replicas[req["from"]])
    elif t == "fork":
        replicas[req["out"]] = dict(replicas[req["replica"]])
    elif t == "equal":
        return {"equal": replicas[req["replica"]] == replicas[req["other"]]}
    elif t == "value":
        return {"value": sum(replicas[req["replica"]].values())}
    elif t == "values":
        return {"values": [sum(replicas[h].values()) for h in req["replicas"]]}
    elif t == "sync_new":
        syncs[req["out"]] = {}
    elif t == "sync_message":
        m = message(req)
        return {} if MODE == "mute" else {"value": m}
    elif t == "sync_receive":
        receive(req)
    elif t == "sync_reconnect":
        if MODE == "connected":
            syncs[req["sync"]].pop(req["peer"], None)
    elif t == "drop":
        for h in req.get("replicas", []):
            replicas.pop(h, None)
        for h in req.get("syncs", []):
            syncs.pop(h, None)
    elif t == "reset":
        replicas.clear()
        syncs.clear()
    else:
        raise ValueError("unknown request " + t)
    return {}


def answer(req):
    try:
        return {"ok": True, **handle(req)}
    except (KeyError, ValueError) as e:
        return {"ok": False, "error": repr(e)}


for line in sys.stdin:
    req = json.loads(line)
    if req["type"] == "batch":
        results = []
        out = {"ok": True, "results": results}
        for i, sub in enumerate(req["requests"]):
            r = answer(sub)
            if not r["ok"]:
                out = {"ok": False, "error": r["error"], "index": i, "results": results}
                break
            results.append(r)
    else:
        out = answer(req)
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()
