"""Redis Streams through a real redis-server: consumer groups, acknowledgement, claims, outages.

Each test starts its own server (the `redis_server` fixture in conftest) and is
skipped, saying why, where redis-server is not installed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

redis = pytest.importorskip("redis", reason="redis-py is not installed: pip install -e '.[broker]'")

import learnstream.operators as op  # noqa: E402
from learnstream.connectors.redis import RedisStreamSink, RedisStreamSource  # noqa: E402
from learnstream.dataflow import Dataflow  # noqa: E402
from learnstream.errors import StepError  # noqa: E402
from learnstream.testing import TestingSink, run_main  # noqa: E402

# The flow `learnstream run` is given: doubles `n` from stream "in" into stream "out".
RELAY = """
import os
from datetime import timedelta

import learnstream.operators as op
from learnstream.connectors.redis import RedisStreamSink, RedisStreamSource
from learnstream.dataflow import Dataflow

url = os.environ["REDIS_URL"]
consumer = os.environ.get("CONSUMER", "relay")
flow = Dataflow("relay")
entries = op.input("inp", flow, RedisStreamSource(
    "in", "doublers", consumer, url=url, fields={"n": int}, batch_size=5,
    claim_idle=timedelta(seconds=float(os.environ.get("CLAIM_IDLE", "60"))),
    stop_after_idle=timedelta(seconds=float(os.environ.get("IDLE", "1"))),
))
slow = float(os.environ.get("SLOW", "0"))
if slow:
    import time
    entries = op.map("slowly", entries, lambda e: time.sleep(slow) or e)
doubled = op.map("double", entries, lambda e: {"n": e["n"], "twice": 2 * e["n"], "by": consumer})
op.output("out", doubled, RedisStreamSink("out", url=url))
"""


# A word count with state, for crash-and-resume: `count_final` emits the counts at the end.
COUNTER = """
import os
import time
from datetime import timedelta

import learnstream.operators as op
from learnstream.connectors.redis import RedisStreamSink, RedisStreamSource
from learnstream.dataflow import Dataflow

url = os.environ["REDIS_URL"]
flow = Dataflow("words")
source = RedisStreamSource(
    "words", "counters", "counter", url=url, batch_size=3, stop_after_idle=timedelta(seconds=1)
)
entries = op.map("slowly", op.input("inp", flow, source), lambda e: time.sleep(0.02) or e)
counted = op.count_final("count", entries, lambda e: e["word"])
op.output("out", op.map("fmt", counted, lambda kv: {"word": kv[0], "n": kv[1]}),
          RedisStreamSink("counts", url=url))
"""


def _relay(tmp_path: Path, server: Any, **env: str) -> subprocess.Popen[str]:
    (tmp_path / "relay.py").write_text(RELAY)
    return subprocess.Popen(
        [sys.executable, "-m", "learnstream", "run", "relay:flow"],
        cwd=tmp_path,
        env={**os.environ, "REDIS_URL": server.url, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _fill(client: Any, stream: str, numbers: range) -> None:
    for n in numbers:
        client.xadd(stream, {"n": n})


def _out(client: Any, stream: str = "out") -> list[dict[str, str]]:
    return [
        {k.decode(): v.decode() for k, v in fields.items()} for _, fields in client.xrange(stream)
    ]


def _pending(client: Any, stream: str = "in", group: str = "doublers") -> int:
    return int(client.xpending(stream, group)["pending"])


def _wait_for(condition: Any, *runs: subprocess.Popen[str], timeout: float = 60) -> None:
    """Wait until `condition()` holds; fail at once, with its errors, if one of `runs` ended."""
    deadline = time.monotonic() + timeout
    while not condition():
        for run in runs:
            if run.poll() is not None:
                raise AssertionError(f"the flow ended early: {run.communicate()[1]}")
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)


def test_learnstream_run_relays_one_stream_to_another_and_acknowledges(
    redis_server: Any, tmp_path: Path
) -> None:
    client = redis_server.client()
    _fill(client, "in", range(30))
    done = _relay(tmp_path, redis_server)
    _, err = done.communicate(timeout=60)
    assert done.returncode == 0, err
    assert _out(client) == [{"n": str(n), "twice": str(2 * n), "by": "relay"} for n in range(30)]
    assert _pending(client) == 0  # everything acknowledged once the input ended


def test_run_main_reads_several_streams_as_typed_dicts(redis_server: Any) -> None:
    client = redis_server.client()
    client.xadd("a", {"user": "ann", "amount": "9.5"})
    client.xadd("b", {"user": "bob", "amount": "1"})
    got: list[dict[str, Any]] = []
    flow = Dataflow("two")
    source = RedisStreamSource(
        ["a", "b"],
        "g",
        "c1",
        url=redis_server.url,
        fields={"amount": float},
        stop_after_idle=timedelta(milliseconds=300),
    )
    op.output("out", op.input("inp", flow, source), TestingSink(got))
    run_main(flow)
    assert sorted(got, key=lambda e: e["user"]) == [
        {"user": "ann", "amount": 9.5},
        {"user": "bob", "amount": 1.0},
    ]
    assert _pending(client, "a", "g") == _pending(client, "b", "g") == 0


def test_entries_wait_for_the_end_of_their_epoch_to_be_acknowledged(redis_server: Any) -> None:
    client = redis_server.client()
    _fill(client, "in", range(3))
    seen_pending: list[int] = []
    flow = Dataflow("epochs")
    source = RedisStreamSource(
        "in", "doublers", "c", url=redis_server.url, stop_after_idle=timedelta(seconds=0.5)
    )
    s = op.input("inp", flow, source)
    op.output("out", op.map("pending", s, lambda e: _pending(client)), TestingSink(seen_pending))
    run_main(flow, epoch_interval=timedelta(hours=1))
    # While the flow ran (one long epoch) all three stayed pending; the end acknowledged them.
    assert seen_pending == [3, 3, 3]
    assert _pending(client) == 0


def test_two_consumers_in_one_group_share_a_stream_each_entry_once(
    redis_server: Any, tmp_path: Path
) -> None:
    client = redis_server.client()
    client.xgroup_create("in", "doublers", id="0", mkstream=True)
    # Idle long enough that the first to start still reads when the other has started.
    runs = [_relay(tmp_path, redis_server, CONSUMER=name, IDLE="6") for name in ("a", "b")]
    # Both are reading (a consumer joins the group at its first read) before entries come.
    _wait_for(lambda: len(client.xinfo_consumers("in", "doublers")) == 2, *runs)
    for n in range(200):
        client.xadd("in", {"n": n})
        time.sleep(0.005)
    for run in runs:
        _, err = run.communicate(timeout=60)
        assert run.returncode == 0, err
    out = _out(client)
    assert sorted(int(e["n"]) for e in out) == list(range(200))  # each entry exactly once
    by = Counter(e["by"] for e in out)
    assert set(by) == {"a", "b"}, by  # both took part
    assert _pending(client) == 0


def test_a_killed_consumers_pending_entries_are_claimed_by_another(
    redis_server: Any, tmp_path: Path
) -> None:
    client = redis_server.client()
    _fill(client, "in", range(40))
    # One item every 0.05 s and a one-hour epoch: nothing is acknowledged before the kill.
    first = _relay(tmp_path, redis_server, CONSUMER="first", SLOW="0.05", IDLE="60")
    _wait_for(lambda: len(_out(client)) >= 5, first)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    left = client.xpending("in", "doublers")
    assert left["pending"] > 0 and {c["name"] for c in left["consumers"]} == {b"first"}
    survivor = _relay(tmp_path, redis_server, CONSUMER="second", IDLE="1.5", CLAIM_IDLE="0.3")
    _, err = survivor.communicate(timeout=60)
    assert survivor.returncode == 0, err
    out = _out(client)
    # At least once: every entry came out; those the first wrote before dying came out twice.
    assert set(int(e["n"]) for e in out) == set(range(40))
    assert _pending(client) == 0
    assert Counter(e["by"] for e in out)["second"] >= left["pending"]


def test_a_restarted_consumer_reads_its_own_pending_entries_first(
    redis_server: Any, tmp_path: Path
) -> None:
    client = redis_server.client()
    client.xgroup_create("in", "doublers", id="0", mkstream=True)
    _fill(client, "in", range(12))
    # Read as "relay" but never acknowledged: what a crash after reading leaves behind.
    client.xreadgroup("doublers", "relay", {"in": ">"}, count=7)
    again = _relay(tmp_path, redis_server, CLAIM_IDLE="0.3")  # its own come first, unclaimed
    _, err = again.communicate(timeout=60)
    assert again.returncode == 0, err
    assert [int(e["n"]) for e in _out(client)] == list(range(12))
    assert _pending(client) == 0


@pytest.mark.parametrize("backend", ["c", "python"])
def test_a_word_count_killed_mid_run_resumes_with_every_entry_counted_once(
    redis_server: Any, tmp_path: Path, backend: str
) -> None:
    """With recovery, an entry is acknowledged only after the snapshot holding its count."""
    client = redis_server.client()
    words = [f"w{i % 7}" for i in range(90)]
    client.xgroup_create("words", "counters", id="0", mkstream=True)
    for word in words:
        client.xadd("words", {"word": word})
    (tmp_path / "counter.py").write_text(COUNTER)
    db = tmp_path / "db"
    db.mkdir()
    subprocess.run([sys.executable, "-m", "learnstream.recovery", str(db), "1"], check=True)
    command = [sys.executable, "-m", "learnstream", "run", "counter:flow"]
    command += ["-r", str(db), "-s", "0", "-b", "0"]
    env = {**os.environ, "REDIS_URL": redis_server.url, "LEARNSTREAM_BACKEND": backend}

    def acknowledged() -> int:
        (group,) = client.xinfo_groups("words")
        return int(group["entries-read"] or 0) - int(group["pending"])

    first = subprocess.Popen(command, cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True)
    _wait_for(lambda: acknowledged() >= 30, first)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    assert acknowledged() < len(words)  # killed mid-run, with entries still to read or ack
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    counts = {e["word"]: int(e["n"]) for e in _out(client, "counts")}
    assert counts == Counter(words)  # nothing lost, nothing counted twice


def test_a_partition_resumed_from_its_snapshot_acks_what_it_holds_and_rereads_the_rest(
    redis_server: Any,
) -> None:
    """The contract the executor relies on, driven by hand: snapshot, "crash", resume."""
    client = redis_server.client()
    _fill(client, "in", range(5))
    source = RedisStreamSource("in", "g", "c", url=redis_server.url, batch_size=3)
    part = source.build_part("inp", "in", None)
    assert [e["n"] for e in part.next_batch()] == ["0", "1", "2"]
    state = part.snapshot()  # what the recovery store would commit at this epoch's end
    assert len(state) == 3
    assert [e["n"] for e in part.next_batch()] == ["3", "4"]
    assert _pending(client, "in", "g") == 5  # ...and then the process dies: nothing acked
    resumed = source.build_part("inp", "in", state)
    assert _pending(client, "in", "g") == 2  # the snapshot's three are in the resumed state
    assert [e["n"] for e in resumed.next_batch()] == ["3", "4"]  # read after it: again
    assert resumed.snapshot() == [i.decode() for i, _ in client.xrange("in")][3:]


def _doubling_flow(server: Any, sink: Any, on_item: Any, timeout: timedelta) -> Dataflow:
    flow = Dataflow("restarts")
    source = RedisStreamSource(
        "in",
        "g",
        "c",
        url=server.url,
        fields={"n": int},
        batch_size=50,
        reconnect_timeout=timeout,
        stop_after_idle=timedelta(seconds=1),
    )
    s = op.inspect("trigger", op.input("inp", flow, source), lambda _s, e: on_item(e["n"]))
    op.output("out", op.map("fmt", s, lambda e: {"n": e["n"]}), sink)
    return flow


def test_the_flow_waits_for_a_restarted_server_and_goes_on(redis_server: Any) -> None:
    """Waiting is the choice: a restart is routine, and nothing read is lost across it."""
    client = redis_server.client()
    _fill(client, "in", range(100))

    def restart_after(n: int) -> None:
        if n == 49:  # the server goes down while the flow holds 50 unwritten, unacked items
            redis_server.stop(save=True)
            threading.Timer(1.0, redis_server.start).start()

    sink = RedisStreamSink("out", url=redis_server.url, reconnect_timeout=timedelta(seconds=20))
    run_main(_doubling_flow(redis_server, sink, restart_after, timedelta(seconds=20)))
    client = redis_server.client()
    assert [int(e["n"]) for e in _out(client)] == list(range(100))
    assert _pending(client, "in", "g") == 0


def test_a_server_gone_for_good_stops_the_sink_naming_the_step_and_address(
    redis_server: Any,
) -> None:
    _fill(redis_server.client(), "in", range(3))
    sink = RedisStreamSink("out", url=redis_server.url, reconnect_timeout=timedelta(seconds=1))
    flow = _doubling_flow(redis_server, sink, lambda n: redis_server.stop(), timedelta(seconds=1))
    with pytest.raises(StepError) as caught:
        run_main(flow)
    message = str(caught.value)
    assert "step 'restarts.out' (output)" in message
    assert f"cannot reach Redis at {redis_server.address} for longer than reconnect_timeout" in (
        message
    )
    assert "redis-server" in message  # what to do


def test_a_server_gone_for_good_stops_the_source_naming_the_step_and_address(
    redis_server: Any,
) -> None:
    _fill(redis_server.client(), "in", range(3))
    flow = _doubling_flow(
        redis_server, TestingSink([]), lambda n: redis_server.stop(), timedelta(seconds=1)
    )
    with pytest.raises(StepError) as caught:
        run_main(flow)
    assert "step 'restarts.inp' (input)" in str(caught.value)
    assert f"cannot reach Redis at {redis_server.address} for longer" in str(caught.value)


def test_no_server_at_start_is_a_clear_error_at_once(redis_server: Any) -> None:
    redis_server.stop()
    flow = Dataflow("nobody")
    op.output(
        "out",
        op.input("inp", flow, RedisStreamSource("in", "g", "c", url=redis_server.url)),
        TestingSink([]),
    )
    started = time.monotonic()
    with pytest.raises(StepError, match=r"cannot reach Redis at 127\.0\.0\.1:\d+ at start-up"):
        run_main(flow)
    assert time.monotonic() - started < 5  # no reconnect_timeout wait before the first run


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({b"user": b"ann"}, "has no field 'n' (its fields: 'user')"),
        ({b"n": b"seven"}, "field 'n' is 'seven', which int() refused"),
        ({b"n": b"\xff"}, "is not UTF-8 text"),
    ],
)
def test_a_bad_entry_stops_the_flow_naming_step_stream_and_entry_and_stays_pending(
    redis_server: Any, fields: dict[bytes, bytes], problem: str
) -> None:
    client = redis_server.client()
    client.xadd("in", {"n": 1})
    bad_id = client.xadd("in", fields).decode()
    flow = Dataflow("bad")
    source = RedisStreamSource(
        "in", "g", "c", url=redis_server.url, fields={"n": int}, batch_size=1
    )
    op.output("out", op.input("inp", flow, source), TestingSink([]))
    with pytest.raises(StepError) as caught:
        run_main(flow)
    message = str(caught.value)
    assert message.startswith(
        f"step 'bad.inp' (input) cannot use entry {bad_id} of Redis stream 'in': "
    )
    assert problem in message
    assert f"XACK in g {bad_id}" in message
    pending = client.xpending_range("in", "g", min="-", max="+", count=10)
    assert bad_id in {p["message_id"].decode() for p in pending}  # not acknowledged: not lost


@pytest.mark.parametrize(
    ("item", "problem", "fix"),
    [
        (("k", {"n": 1}), "writes dicts as Redis stream entries, got tuple", "op.key_rm"),
        ({"n": [1, 2]}, "field 'n' is list", "json.dumps"),
        ({"ok": True}, "field 'ok' is bool", "str(value)"),
    ],
)
def test_the_sink_names_the_step_and_the_field_it_cannot_write(
    redis_server: Any, item: Any, problem: str, fix: str
) -> None:
    from learnstream.testing import TestingSource

    flow = Dataflow("sinking")
    s = op.input("inp", flow, TestingSource([item]))
    op.output("out", s, RedisStreamSink("out", url=redis_server.url))
    with pytest.raises(StepError) as caught:
        run_main(flow)
    assert str(caught.value).startswith(f"step 'sinking.out' (output) {problem}")
    assert fix in str(caught.value)
    assert redis_server.client().exists("out") == 0


def test_the_sink_trims_approximately_to_maxlen(redis_server: Any) -> None:
    from learnstream.testing import TestingSource

    flow = Dataflow("trim")
    s = op.input("inp", flow, TestingSource([{"n": n} for n in range(5000)]))
    op.output("out", s, RedisStreamSink("out", url=redis_server.url, maxlen=100))
    run_main(flow)
    client = redis_server.client()
    length = client.xlen("out")
    # "~": whole blocks of entries go, so a little more than 100 may stay, never fewer.
    assert 100 <= length < 1000
    assert _out(client)[-1] == {"n": "4999"}
