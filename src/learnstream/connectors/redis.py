"""Read and write Redis Streams: a consumer-group source and an `XADD` sink (extra `broker`).

`RedisStreamSource` reads one or more streams as one consumer of a consumer
group (`XREADGROUP`), so several processes in the same group share the entries
of a stream, each entry going to one of them. Entries reach the flow as plain
dicts of str: every field name and value is decoded from UTF-8 (Redis keeps
bytes); `fields={"amount": float}` requires those fields and converts them.

When an entry is acknowledged (`XACK`), the group forgets it: that must only
happen once nothing is lost if the process dies. An entry is acknowledged when
the epoch that read it ends (the run's `epoch_interval`, `-s` on the command
line): every step has processed it by then and, in a run with recovery (`-r`),
the snapshot holding its effects is committed — the executor writes it before
the next epoch starts. The partition's snapshot is the list of entry ids read
and not yet acknowledged; a run resuming from it acknowledges them (their
effects are in the state it resumes) and reads this consumer's other pending
entries again. Without recovery, the end of the input acknowledges the last
epoch's entries; with it, they wait for the run that resumes from the final
snapshot.

Until acknowledged, an entry stays *pending* in the group under this
consumer's name, so a crash loses nothing: a run restarted under the same
consumer name reads its own pending entries again first, and any other consumer
of the group claims entries that stayed pending longer than `claim_idle`
(`XAUTOCLAIM`). Entries may then be processed twice: output is at-least-once,
so make sinks idempotent. Keep `claim_idle` well above the epoch interval: a live consumer holds its
entries pending for up to an epoch, and a shorter `claim_idle` would let the
others take them from it (each would then be processed twice).

If the server goes away mid-run (a restart, a failover), the source and the
sink wait and retry with growing pauses for up to `reconnect_timeout`, then stop
the flow with an error naming the step and the address. At start-up they fail
at once: a server that was never there is a wrong address, not a restart.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

try:
    import redis
except ImportError as exc:  # the extra is optional: say how to get it
    raise ImportError(
        "learnstream.connectors.redis needs redis-py: pip install 'learnstream[broker]'"
    ) from exc

from learnstream.engine import clock, resume
from learnstream.errors import StepError
from learnstream.inputs import FixedPartitionedSource, StatefulSourcePartition
from learnstream.outputs import DynamicSink, StatelessSinkPartition

__all__ = ["RedisStreamSink", "RedisStreamSource", "decode_entry"]

# What a restart or a failover looks like from the client.
_DOWN = (redis.ConnectionError, redis.TimeoutError)
_FIRST_PAUSE = timedelta(milliseconds=50)
_LONGEST_PAUSE = timedelta(seconds=2)


def decode_entry(
    entry_id: str, raw: Mapping[bytes, bytes], fields: Mapping[str, Callable[[str], Any]]
) -> dict[str, Any]:
    """An entry's fields as a dict of str, with `fields` required and converted.

    Returns the problem as a `ValueError` naming the entry and the field; the
    source turns it into a step error.

    >>> decode_entry("1-0", {b"user": b"ann", b"amount": b"9.5"}, {"amount": float})
    {'user': 'ann', 'amount': 9.5}
    >>> decode_entry("1-1", {b"user": b"bob"}, {"amount": float})
    Traceback (most recent call last):
    ...
    ValueError: entry 1-1 has no field 'amount' (its fields: 'user')
    >>> decode_entry("1-2", {b"amount": b"lots"}, {"amount": float})
    Traceback (most recent call last):
    ...
    ValueError: entry 1-2: field 'amount' is 'lots', which float() refused: could not convert string to float: 'lots'
    """
    try:
        entry = {k.decode(): v.decode() for k, v in raw.items()}
    except UnicodeDecodeError as exc:
        raise ValueError(f"entry {entry_id} is not UTF-8 text ({exc})") from exc
    for name, convert in fields.items():
        if name not in entry:
            have = ", ".join(repr(k) for k in entry) or "none"
            raise ValueError(f"entry {entry_id} has no field {name!r} (its fields: {have})")
        try:
            entry[name] = convert(entry[name])
        except Exception as exc:
            kind = getattr(convert, "__name__", repr(convert))
            raise ValueError(
                f"entry {entry_id}: field {name!r} is {entry[name]!r}, which {kind}() "
                f"refused: {exc}"
            ) from exc
    return entry


def _address(client: redis.Redis) -> str:
    kwargs = client.connection_pool.connection_kwargs
    return f"{kwargs.get('host', 'localhost')}:{kwargs.get('port', 6379)}"


def _connect(url: str) -> redis.Redis:
    # Timeouts so a server that stops answering is noticed instead of hanging the flow.
    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)


def _unreachable(step_id: str, operator: str, address: str, exc: Exception, why: str) -> StepError:
    return StepError(
        step_id,
        operator,
        address,
        f"cannot reach Redis at {address} {why}: {exc}",
        f"start redis-server (e.g. `redis-server --port {address.rsplit(':', 1)[-1]}`) or "
        "pass the right url='redis://HOST:PORT/DB'",
    )


class _Outage:
    """Tracks one outage of the server: the pause before the next try, and the deadline."""

    def __init__(self, timeout: timedelta) -> None:
        self.timeout = timeout
        self.since: datetime | None = None
        self.pause = _FIRST_PAUSE

    def failed(self, now: datetime) -> bool:
        """Record a failed call; True while there is time left to retry."""
        if self.since is None:
            self.since, self.pause = now, _FIRST_PAUSE
        else:
            self.pause = min(self.pause * 2, _LONGEST_PAUSE)
        return now - self.since < self.timeout

    def over(self) -> None:
        self.since = None


class _StreamPartition(StatefulSourcePartition[dict[str, Any], list[str]]):
    """One stream read through the group; remembers which entries it must still acknowledge."""

    def __init__(
        self, source: RedisStreamSource, step_id: str, stream: str, resume_state: list[str] | None
    ) -> None:
        self.source = source
        self.step_id = step_id
        self.stream = stream
        self.client = _connect(source.url)
        self.address = _address(self.client)
        self.outage = _Outage(source.reconnect_timeout)
        # Entries read but not yet acknowledged, by the epoch that read them.
        self.unacked: list[tuple[int, list[bytes]]] = []
        self.held: set[bytes] = set()
        # "0" reads this consumer's own pending entries (left by a crash) before new ones.
        self.read_from: bytes | str = "0"
        now = clock.now()
        self.awake: datetime | None = None
        self.last_entry = now
        self.next_claim = now
        # With recovery, the last epoch's entries wait for the run resuming its final snapshot.
        self.ack_at_close = not resume.recording()
        try:
            self._create_group()
            if resume_state:  # read before the snapshot we resume from: their effects are in it
                self._ack([entry_id.encode() for entry_id in resume_state])
        except _DOWN as exc:
            raise _unreachable(step_id, "input", self.address, exc, "at start-up") from exc

    def _create_group(self) -> None:
        try:
            self.client.xgroup_create(self.stream, self.source.group, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):  # the group exists already: join it
                raise

    def next_batch(self) -> list[dict[str, Any]]:
        now = clock.now()
        try:
            self._ack_ended_epochs()
            batch = self._claim(now) + self._read()
        except _DOWN as exc:
            if not self.outage.failed(now):
                raise _unreachable(
                    self.step_id,
                    "input",
                    self.address,
                    exc,
                    f"for longer than reconnect_timeout ({self.outage.timeout})",
                ) from exc
            self.awake = now + self.outage.pause
            return []
        except redis.ResponseError as exc:
            if "NOGROUP" not in str(exc):
                raise
            # A server restarted without persistence lost the group (and the stream).
            self._create_group()
            return []
        self.outage.over()
        if batch:
            self.last_entry = now
            self.awake = None
        elif (
            self.source.stop_after_idle is not None
            and now - self.last_entry >= self.source.stop_after_idle
        ):
            raise StopIteration
        else:
            self.awake = now + self.source.poll_interval
        return batch

    def _read(self) -> list[dict[str, Any]]:
        entries = []
        if self.read_from != ">":  # re-reading own pending entries, a page at a time
            entries = self._xreadgroup(self.read_from, self.source.batch_size)
            if len(entries) == self.source.batch_size:
                self.read_from = entries[-1][0]
                return self._take(entries)
            self.read_from = ">"  # all re-read: the rest of the batch is new entries
        entries += self._xreadgroup(">", self.source.batch_size - len(entries))
        return self._take(entries)

    def _xreadgroup(self, after: bytes | str, count: int) -> list[Any]:
        replies = self.client.xreadgroup(
            self.source.group, self.source.consumer, {self.stream: after}, count=count
        )
        return replies[0][1] if replies else []

    def _claim(self, now: datetime) -> list[dict[str, Any]]:
        """Take over entries another consumer read but left pending for longer than claim_idle."""
        if now < self.next_claim:
            return []
        self.next_claim = now + self.source.claim_idle / 2
        idle_ms = int(self.source.claim_idle.total_seconds() * 1000)
        reply = self.client.xautoclaim(
            self.stream,
            self.source.group,
            self.source.consumer,
            idle_ms,
            count=self.source.batch_size,
        )
        claimed, gone = reply[1], reply[2] if len(reply) > 2 else []
        if gone:  # pending ids whose entries were trimmed away: nothing left to process
            self._ack(gone)
        return self._take(claimed)

    def _take(self, entries: list[tuple[bytes, dict[bytes, bytes]]]) -> list[dict[str, Any]]:
        # An entry already held came back through a claim; one with no fields was trimmed away.
        entries = [(i, f) for i, f in entries if i is not None and i not in self.held]
        gone = [i for i, f in entries if not f]
        if gone:
            self._ack(gone)
            entries = [(i, f) for i, f in entries if f]
        if not entries:
            return []
        ids = [entry_id for entry_id, _ in entries]
        self.held.update(ids)
        self.unacked.append((clock.epoch(), ids))
        out = []
        for entry_id, raw in entries:
            try:
                out.append(decode_entry(entry_id.decode(), raw, self.source.fields))
            except ValueError as exc:
                raise StepError(
                    self.step_id,
                    "input",
                    {
                        k.decode(errors="replace"): v.decode(errors="replace")
                        for k, v in raw.items()
                    },
                    f"cannot use entry {entry_id.decode()} of Redis stream {self.stream!r}: {exc}",
                    "fix what writes to the stream; to skip this entry, acknowledge it "
                    f"(XACK {self.stream} {self.source.group} {entry_id.decode()}) and run again",
                ) from exc
        return out

    def _ack_ended_epochs(self) -> None:
        """Acknowledge what earlier epochs read: every step has processed those entries."""
        current = clock.epoch()
        done = [ids for epoch, ids in self.unacked if epoch < current]
        if done:
            self._ack([i for ids in done for i in ids])
            self.unacked = [(epoch, ids) for epoch, ids in self.unacked if epoch >= current]

    def _ack(self, ids: list[bytes]) -> None:
        if not ids:
            return
        self.client.xack(self.stream, self.source.group, *ids)
        self.held.difference_update(ids)

    def next_awake(self) -> datetime | None:
        return self.awake

    def snapshot(self) -> list[str]:
        """The ids read and not yet acknowledged (the group on the server keeps the rest)."""
        return [entry_id.decode() for _, ids in self.unacked for entry_id in ids]

    def close(self) -> None:
        if self.ack_at_close:  # the input ended, so every entry read went through every step
            self._ack([i for _, ids in self.unacked for i in ids])
            self.unacked = []
        self.client.close()


class RedisStreamSource(FixedPartitionedSource[dict[str, Any], list[str]]):
    """Entries of Redis streams read as `consumer` of consumer `group`, as dicts of str.

    One partition per stream. The group is created (with the stream, if
    missing) from the start of the stream. `fields` maps field names to a
    conversion (`{"amount": float}`); an entry without one of them, or whose
    value does not convert, stops the flow with an error naming the step, the
    stream and the entry id. The input is endless unless `stop_after_idle` is
    given: then it ends once that long passed with nothing new to read.
    """

    def __init__(
        self,
        streams: str | Iterable[str],
        group: str,
        consumer: str | None = None,
        *,
        url: str = "redis://localhost:6379/0",
        fields: Mapping[str, Callable[[str], Any]] | None = None,
        batch_size: int = 1000,
        poll_interval: timedelta = timedelta(milliseconds=50),
        claim_idle: timedelta = timedelta(seconds=60),
        reconnect_timeout: timedelta = timedelta(seconds=30),
        stop_after_idle: timedelta | None = None,
    ) -> None:
        self.streams = [streams] if isinstance(streams, str) else list(streams)
        self.group = group
        # A stable name lets a restarted run find its own pending entries again.
        self.consumer = consumer if consumer is not None else socket.gethostname()
        self.url = url
        self.fields = dict(fields or {})
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.claim_idle = claim_idle
        self.reconnect_timeout = reconnect_timeout
        self.stop_after_idle = stop_after_idle

    def list_parts(self) -> list[str]:
        return list(self.streams)

    def build_part(
        self, step_id: str, for_part: str, resume_state: list[str] | None
    ) -> _StreamPartition:
        return _StreamPartition(self, step_id, for_part, resume_state)


class _XAddPartition(StatelessSinkPartition[dict[str, Any]]):
    def __init__(self, sink: RedisStreamSink, step_id: str) -> None:
        self.sink = sink
        self.step_id = step_id
        self.client = _connect(sink.url)
        self.address = _address(self.client)
        try:
            self.client.ping()
        except _DOWN as exc:
            raise _unreachable(step_id, "output", self.address, exc, "at start-up") from exc

    def _check(self, item: Any) -> None:
        if not isinstance(item, dict):
            fix = "make each item a dict of field -> str/int/float/bytes"
            if isinstance(item, tuple) and len(item) == 2:
                fix += " (drop the key first: op.key_rm('unkey', stream))"
            raise StepError(
                self.step_id,
                "output",
                item,
                f"writes dicts as Redis stream entries, got {type(item).__name__}",
                fix,
            )
        for name, value in item.items():
            if not isinstance(value, str | int | float | bytes) or isinstance(value, bool):
                raise StepError(
                    self.step_id,
                    "output",
                    item,
                    f"field {name!r} is {type(value).__name__}; Redis stream fields hold "
                    "str, int, float or bytes",
                    "format it first, e.g. json.dumps(value) or str(value), in an op.map",
                )

    def write_batch(self, items: list[dict[str, Any]]) -> None:
        for item in items:
            self._check(item)
        outage = _Outage(self.sink.reconnect_timeout)
        while True:
            pipe = self.client.pipeline(transaction=False)
            for item in items:
                pipe.xadd(self.sink.stream, item, maxlen=self.sink.maxlen, approximate=True)
            try:
                pipe.execute()
                return
            except _DOWN as exc:
                # Written again in full: entries that got through before the failure repeat.
                if not outage.failed(clock.now()):
                    raise _unreachable(
                        self.step_id,
                        "output",
                        self.address,
                        exc,
                        f"for longer than reconnect_timeout ({outage.timeout})",
                    ) from exc
                # A sink cannot hand the wait back to the executor: it waits here.
                time.sleep(outage.pause.total_seconds())

    def close(self) -> None:
        self.client.close()


class RedisStreamSink(DynamicSink[dict[str, Any]]):
    """Append each item, a dict of field -> str/int/float/bytes, to `stream` with `XADD`.

    `maxlen` caps the stream's length with approximate trimming (`MAXLEN ~`),
    which Redis does cheaply in whole blocks, so a stream may hold a little more.
    """

    def __init__(
        self,
        stream: str,
        *,
        url: str = "redis://localhost:6379/0",
        maxlen: int | None = None,
        reconnect_timeout: timedelta = timedelta(seconds=30),
    ) -> None:
        self.stream = stream
        self.url = url
        self.maxlen = maxlen
        self.reconnect_timeout = reconnect_timeout

    def build(self, step_id: str, worker_index: int, worker_count: int) -> _XAddPartition:
        return _XAddPartition(self, step_id)
