"""Redis Streams delivery through faults, on a real redis-server: nothing lost, nothing twice.

Replies cut mid-way by a TCP relay (`redis_relay.Relay`: the server ran the
command, the client never sees the answer), redis-server stopped with SIGTERM
and started again with its append-only file on the same port, a dead
consumer's entries claimed and then a blip. Each run's output is compared
entry by entry with the input: one process reads every entry exactly once,
and with recovery (`-r`) and an exactly-once sink (`FileSink`) so does a run
killed and resumed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

redis = pytest.importorskip("redis", reason="redis-py is not installed: pip install -e '.[broker]'")

from redis_relay import Decide, Relay, every  # noqa: E402

import learnstream.operators as op  # noqa: E402
from learnstream.connectors.redis import RedisStreamSource  # noqa: E402
from learnstream.dataflow import Dataflow  # noqa: E402
from learnstream.testing import TestingSink, run_main  # noqa: E402


@pytest.fixture
def relay_to(redis_server: Any) -> Iterator[Any]:
    """Opens relays to the test's server, closing them at the end."""
    relays: list[Relay] = []

    def open_relay(cut: Decide) -> Relay:
        relays.append(Relay(redis_server.port, cut))
        return relays[-1]

    yield open_relay
    for relay in relays:
        relay.close()


def _fill(client: Any, numbers: range, stream: str = "in") -> None:
    pipe = client.pipeline(transaction=False)
    for n in numbers:
        pipe.xadd(stream, {"n": n})
    pipe.execute()


def _pending(client: Any, stream: str = "in", group: str = "g") -> int:
    return int(client.xpending(stream, group)["pending"])


def _read_all(url: str, **options: Any) -> list[int]:
    """Run a flow reading stream "in" as consumer "c" of group "g"; the numbers it saw."""
    got: list[int] = []
    flow = Dataflow("delivery")
    options = {"batch_size": 40, "stop_after_idle": timedelta(seconds=1), **options}
    source = RedisStreamSource("in", "g", "c", url=url, fields={"n": int}, **options)
    op.output("out", op.map("n", op.input("inp", flow, source), lambda e: e["n"]), TestingSink(got))
    run_main(flow, epoch_interval=timedelta(0))  # an epoch per tick: acknowledgements all along
    return got


def _each_once(got: list[int], numbers: range) -> None:
    counts = Counter(got)
    assert not [n for n in numbers if counts[n] == 0], "entries lost"
    assert not [n for n, k in counts.items() if k > 1], "entries read twice"
    assert sorted(got) == list(numbers)


def either(*decisions: Decide) -> Decide:
    return lambda command, reply: any(decide(command, reply) for decide in decisions)


def test_replies_cut_mid_way_lose_no_entry_and_repeat_none(
    redis_server: Any, relay_to: Any
) -> None:
    """Every third read that carries entries and every third acknowledgement loses its reply."""
    client = redis_server.client()
    _fill(client, range(3000))
    relay = relay_to(either(every(3, "XREADGROUP"), every(3, "XACK", longer_than=0)))
    got = _read_all(relay.url)
    _each_once(got, range(3000))
    assert _pending(client) == 0
    assert relay.cuts["XREADGROUP"] >= 20 and relay.cuts["XACK"] >= 20, relay.cuts


def test_rereading_pages_of_held_entries_is_not_idle_time(redis_server: Any, relay_to: Any) -> None:
    """A long epoch holds a thousand entries pending; the reply to the last read is cut.

    After it, the source re-reads its pending entries ten at a time: ninety-nine
    pages the flow already holds, then the page whose reply was lost. Were each
    page a quiet poll (50 ms apart), a second of `stop_after_idle` would end
    the input before that last page.
    """
    client = redis_server.client()
    _fill(client, range(1000))
    relay = relay_to(every(100, "XREADGROUP", times=1))
    got: list[int] = []
    flow = Dataflow("pages")
    source = RedisStreamSource(
        "in", "g", "c", url=relay.url, fields={"n": int}, batch_size=10,
        stop_after_idle=timedelta(seconds=1),
    )  # fmt: skip
    op.output("out", op.map("n", op.input("inp", flow, source), lambda e: e["n"]), TestingSink(got))
    run_main(flow, epoch_interval=timedelta(hours=1))
    assert relay.cuts["XREADGROUP"] == 1
    _each_once(got, range(1000))
    assert _pending(client) == 0


def test_a_dead_consumers_claimed_entries_survive_a_blip_in_the_read_after_the_claim(
    redis_server: Any, relay_to: Any
) -> None:
    client = redis_server.client()
    client.xgroup_create("in", "g", id="0", mkstream=True)
    _fill(client, range(300))
    client.xreadgroup("g", "dead", {"in": ">"}, count=120)  # ...and its process dies
    time.sleep(0.3)
    claimed = [0]

    def cut_the_read_after_a_claim(command: str, reply: bytes) -> bool:
        if command == "XAUTOCLAIM" and len(reply) > 40:  # it carries entries
            claimed[0] += 1
            return False
        return command == "XREADGROUP" and claimed[0] > 0 and claimed[0] <= 3

    relay = relay_to(cut_the_read_after_a_claim)
    got = _read_all(relay.url, batch_size=50, claim_idle=timedelta(milliseconds=200))
    _each_once(got, range(300))
    assert _pending(client) == 0
    assert claimed[0] >= 3 and relay.cuts["XREADGROUP"] >= 3, (claimed, relay.cuts)


def test_a_server_restarted_mid_run_again_and_again_loses_nothing(
    persistent_redis_server: Any,
) -> None:
    """SIGTERM, then the server comes back with its append-only file on the same port.

    Another thread restarts it while the flow runs, so a restart may cut a
    reply of a thousand entries on its way (the flow's time goes to reading).
    """
    server = persistent_redis_server
    client = server.client()
    total = 30_000
    pipe = client.pipeline(transaction=False)
    for n in range(total):
        pipe.xadd("in", {"n": n, "pad": "x" * 200})
    pipe.execute()
    got: list[int] = []

    def restart_as_it_goes() -> None:
        for at_least in (5000, 11_000, 17_000, 23_000):
            while len(got) < at_least:
                time.sleep(0.001)
            server.terminate()
            time.sleep(0.2)
            server.start()

    restarter = threading.Thread(target=restart_as_it_goes)
    restarter.start()
    flow = Dataflow("restarts")
    source = RedisStreamSource(
        "in", "g", "c", url=server.url, fields={"n": int}, batch_size=1000,
        stop_after_idle=timedelta(seconds=1),
    )  # fmt: skip
    op.output("out", op.map("n", op.input("inp", flow, source), lambda e: e["n"]), TestingSink(got))
    run_main(flow, epoch_interval=timedelta(0))
    restarter.join(timeout=30)
    _each_once(got, range(total))
    assert _pending(server.client()) == 0


# `learnstream run` with recovery: numbers from stream "in" to a file, one line each.
COPY = """
import os
import time
from datetime import timedelta

import learnstream.operators as op
from learnstream.connectors.files import FileSink
from learnstream.connectors.redis import RedisStreamSource
from learnstream.dataflow import Dataflow

flow = Dataflow("copy")
source = RedisStreamSource(
    "in", "g", "copier", url=os.environ["REDIS_URL"], fields={"n": int}, batch_size=100,
    stop_after_idle=timedelta(seconds=1.5),
)
slow = op.map("slowly", op.input("inp", flow, source), lambda e: time.sleep(0.0005) or e)
op.output("out", op.map("line", slow, lambda e: ("k", str(e["n"]))), FileSink("out.txt"))
"""


def test_killed_and_resumed_under_restarts_with_recovery_every_entry_is_written_once(
    persistent_redis_server: Any, tmp_path: Path
) -> None:
    """Restarts of the server, a SIGKILL of the flow, a resumed run: the file has each once."""
    server = persistent_redis_server
    client = server.client()
    total = 8000
    client.xgroup_create("in", "g", id="0", mkstream=True)
    _fill(client, range(total))
    (tmp_path / "copier.py").write_text(COPY)
    db = tmp_path / "db"
    db.mkdir()
    subprocess.run([sys.executable, "-m", "learnstream.recovery", str(db), "1"], check=True)
    command = [sys.executable, "-m", "learnstream", "run", "copier:flow"]
    command += ["-r", str(db), "-s", "0", "-b", "0"]
    env = {**os.environ, "REDIS_URL": server.url}

    def written() -> int:  # (the group's entries-read is not kept across a restart)
        out = tmp_path / "out.txt"
        return out.read_bytes().count(b"\n") if out.exists() else 0

    def reading(run: subprocess.Popen[str], at_least: int) -> None:
        deadline = time.monotonic() + 60
        while written() < at_least:
            if run.poll() is not None:
                raise AssertionError(f"the flow ended early: {run.communicate()[1]}")
            assert time.monotonic() < deadline, "the flow did not get that far"
            time.sleep(0.01)

    def restart() -> None:
        server.terminate()
        time.sleep(0.3)
        server.start()

    first = subprocess.Popen(command, cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True)
    for at_least in (1500, 3000):
        reading(first, at_least)
        restart()
    reading(first, 4000)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    assert written() < total
    second = subprocess.Popen(command, cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True)
    reading(second, 6500)
    restart()
    _, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    lines = (tmp_path / "out.txt").read_text().split()
    _each_once([int(line) for line in lines], range(total))
    # The run ended normally: its last epoch is acknowledged once its snapshot is committed.
    assert _pending(server.client()) == 0


def test_a_run_that_ends_under_recovery_acknowledges_its_last_epoch(
    redis_server: Any, tmp_path: Path
) -> None:
    """One long epoch: everything is acknowledged at the end, after the final snapshot."""
    client = redis_server.client()
    client.xgroup_create("in", "g", id="0", mkstream=True)
    _fill(client, range(500))
    (tmp_path / "copier.py").write_text(COPY)
    db = tmp_path / "db"
    db.mkdir()
    subprocess.run([sys.executable, "-m", "learnstream.recovery", str(db), "1"], check=True)
    command = [sys.executable, "-m", "learnstream", "run", "copier:flow"]
    command += ["-r", str(db), "-s", "3600", "-b", "0"]
    env = {**os.environ, "REDIS_URL": redis_server.url}
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert _pending(client) == 0
    again = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr  # resumed from the final snapshot: nothing new
    lines = (tmp_path / "out.txt").read_text().split()
    _each_once([int(line) for line in lines], range(500))


def test_time_spent_reconnecting_is_not_idle_time(redis_server: Any) -> None:
    """Down for longer than stop_after_idle; entries written after it is back are still read."""
    client = redis_server.client()
    _fill(client, range(50))

    def back_with_more() -> None:
        redis_server.start()
        time.sleep(0.3)
        _fill(redis_server.client(), range(50, 80))

    def outage_at(n: int) -> None:
        if n == 49:
            redis_server.stop(save=True)
            threading.Timer(1.5, back_with_more).start()

    got: list[int] = []
    flow = Dataflow("outage")
    source = RedisStreamSource(
        "in", "g", "c", url=redis_server.url, fields={"n": int},
        stop_after_idle=timedelta(seconds=1),
    )  # fmt: skip
    s = op.map("n", op.input("inp", flow, source), lambda e: e["n"])
    op.output("out", op.inspect("outage", s, lambda _s, n: outage_at(n)), TestingSink(got))
    run_main(flow)
    _each_once(got, range(80))


def test_entries_that_do_not_convert_go_to_the_dead_letter_stream_once_and_the_run_goes_on(
    redis_server: Any, relay_to: Any
) -> None:
    client = redis_server.client()
    bad = {7: {b"n": b"seven"}, 23: {b"user": b"ann"}, 31: {b"n": b"\xff"}}
    ids = {}
    for n in range(40):
        ids[n] = client.xadd("in", bad.get(n, {"n": n})).decode()
    # Every transaction that writes dead letters and acknowledges them loses its reply once.
    relay = relay_to(lambda command, reply: command == "MULTI" and relay.cuts["MULTI"] < 2)
    got = _read_all(relay.url, batch_size=5, dead_letters="dead")
    good = [n for n in range(40) if n not in bad]
    assert sorted(got) == good
    letters = [{k.decode(): v for k, v in fields.items()} for _, fields in client.xrange("dead")]
    assert [letter["entry_id"].decode() for letter in letters] == [ids[n] for n in bad]
    assert relay.cuts["MULTI"] == 2
    first, second, third = letters
    assert first["step_id"] == b"delivery.inp" and first["stream"] == b"in"
    assert first["error"].decode() == (
        f"entry {ids[7]}: field 'n' is 'seven', which int() refused: "
        "invalid literal for int() with base 10: 'seven'"
    )
    assert first["entry.n"] == b"seven"
    assert second["error"].decode() == f"entry {ids[23]} has no field 'n' (its fields: 'user')"
    assert second["entry.user"] == b"ann"
    assert third["entry.n"] == b"\xff"  # the entry's own bytes, kept as they were
    assert "is not UTF-8 text" in third["error"].decode()
    assert _pending(client) == 0
