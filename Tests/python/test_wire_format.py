"""A subscriber written from docs/events.md alone: proves the wire format is documented.

Starts `pacer-bus demo-publisher` (a real Pacer publisher: outbox, relay, replay server), subscribes
live, then replays the whole stream, and decodes every event.
"""
import json
import os
import re
import subprocess
import tempfile
import time
from datetime import datetime

import zmq

BIN = os.environ.get("PACER_BIN_DIR", os.path.join(os.path.dirname(__file__), "..", "..", ".build", "debug"))
COUNT = 250
HEADER = re.compile(rb"^1 ([A-Za-z0-9._:-]+) ([A-Za-z0-9._:-]+) ([A-Za-z0-9._:-]+) (\d+) ([A-Za-z0-9._:$-]+) ([A-Za-z0-9._:$-]+)$")
INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def parse_header(frame):
    match = HEADER.match(frame)
    assert match, frame
    publisher, epoch, stream, seq, event_id, type_ = (g.decode() for g in match.groups())
    return {"publisher": publisher, "epoch": epoch, "stream": stream, "seq": int(seq), "eventId": event_id, "type": type_}


def check_envelope(header, body):
    envelope = json.loads(body)
    assert envelope["eventId"] == header["eventId"]
    assert envelope["type"] == header["type"] == "counter.incremented"
    assert envelope["seq"] == header["seq"]
    assert envelope["stream"] == header["stream"] == "bench"
    assert envelope["schemaVersion"] == 1
    assert envelope["source"] == {"service": "demo", "instance": "py-demo"}
    assert INSTANT.match(envelope["occurredAt"]), envelope["occurredAt"]
    datetime.strptime(envelope["occurredAt"], "%Y-%m-%dT%H:%M:%S.%fZ")
    amount = envelope["payload"]["amount"]
    assert amount["currency"] == "RUB" and isinstance(amount["kopecks"], int)
    return envelope


def replay(dealer, stream, from_seq):
    """All events from from_seq to the head, page by page, as (header, body)."""
    events = []
    while True:
        dealer.send_multipart([b"REPLAY", stream.encode(), str(from_seq).encode(), b"100"])
        while True:
            assert dealer.poll(5000), "no replay answer"
            frames = dealer.recv_multipart()
            if frames[0] == b"EVENT":
                header = parse_header(frames[1])
                assert header["seq"] == from_seq
                events.append((header, frames[2]))
                from_seq += 1
            elif frames[0] == b"END":
                publisher, epoch, stream_, head = (f.decode() for f in frames[1:])
                break
            else:
                raise AssertionError(frames)
        if int(head) < from_seq:
            return events, int(head)


def test_subscribe_live_and_replay_everything():
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.Popen(
            [os.path.join(BIN, "pacer-bus"), "demo-publisher", "--database", os.path.join(tmp, "demo.sqlite"),
             "--count", str(COUNT), "--instance", "py-demo"],
            stdout=subprocess.PIPE, text=True)
        try:
            endpoints = json.loads(proc.stdout.readline())
            ctx = zmq.Context()
            sub = ctx.socket(zmq.SUB)
            sub.setsockopt(zmq.LINGER, 0)
            sub.setsockopt(zmq.SUBSCRIBE, b"bench/")
            sub.connect(endpoints["publish"])
            dealer = ctx.socket(zmq.DEALER)
            dealer.setsockopt(zmq.LINGER, 0)
            dealer.connect(endpoints["replay"])

            live = {}
            heartbeat = None
            deadline = time.time() + 20
            while time.time() < deadline and heartbeat is None:
                if not sub.poll(200):
                    continue
                topic, header_frame, body = sub.recv_multipart()
                header = parse_header(header_frame)
                assert topic.decode() == f"{header['stream']}/{header['type']}"
                if header["type"] == "$heartbeat":
                    assert body == b"" and header["eventId"] == "-"
                    if header["seq"] == COUNT:
                        heartbeat = header
                    continue
                live[header["seq"]] = body

            assert heartbeat is not None, "no heartbeat with the final head"

            dealer.send_multipart([b"STATUS"])
            assert dealer.poll(5000)
            kind, status = dealer.recv_multipart()
            assert kind == b"STATUS"
            status = json.loads(status)
            assert status["publisher"] == "py-demo" and status["streams"] == {"bench": COUNT}
            assert status["epoch"] == heartbeat["epoch"]

            events, head = replay(dealer, "bench", 1)
            assert head == COUNT
            assert [h["seq"] for h, _ in events] == list(range(1, COUNT + 1))
            total = 0
            for header, body in events:
                envelope = check_envelope(header, body)
                total += envelope["payload"]["amount"]["kopecks"]
                if header["seq"] in live:          # what arrived live is byte-identical to the replay
                    assert live[header["seq"]] == body
            assert total == sum((1 + i % 1000) * 100 for i in range(COUNT))
            assert len({h["eventId"] for h, _ in events}) == COUNT

            dealer.send_multipart([b"REPLAY", b"bench", b"0", b"10"])
            assert dealer.poll(5000)
            assert dealer.recv_multipart()[0] == b"ERROR"
            ctx.destroy(linger=0)
        finally:
            proc.terminate()
            assert proc.wait(timeout=10) == 0
