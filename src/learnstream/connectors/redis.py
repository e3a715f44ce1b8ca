"""Read and write Redis Streams: a consumer-group source and an `XADD` sink (extra `broker`).

`RedisStreamSource` reads one or more streams as one consumer of a consumer
group (`XREADGROUP`), so several processes in the same group share the entries
of a stream, each entry going to one of them. Entries reach the flow as plain
dicts of str: every field name and value is decoded from UTF-8 (Redis keeps
bytes); `fields={"amount": float}` requires those fields and converts them.

When an entry is acknowledged (`XACK`), the group forgets it: that must only
happen once nothing is lost if the process dies. An entry is acknowledged only
once it reached the flow (`next_batch` returned it) and the epoch that read it
ended (the run's `epoch_interval`, `-s` on the command line): every step has
processed it by then and, in a run with recovery (`-r`), the snapshot holding
its effects is committed — the executor writes it before the next epoch starts.
The last epoch's entries are acknowledged when the run completes, after its
final snapshot (`close`). The partition's snapshot is the list of entry ids
read and not yet acknowledged; a run resuming from it acknowledges them (their
effects are in the state it resumes) and reads this consumer's other pending
entries again.

Until acknowledged, an entry stays *pending* in the group under this
consumer's name, so neither a crash nor a dropped connection loses it. A run
restarted under the same consumer name reads its own pending entries again
first (`XREADGROUP` with ID `0`), and so does a running source after any call
that failed on the connection: the reply may have been cut off on its way
(a server restart, a network blip) with entries the server already counts as
handed to this consumer. Any other consumer of the group claims entries that
stayed pending longer than `claim_idle` (`XAUTOCLAIM`). Entries may then be
processed twice: output is at-least-once, so make sinks idempotent. Keep
`claim_idle` well above the epoch interval: a live consumer holds its entries
pending for up to an epoch, and a shorter `claim_idle` would let the others
take them from it (each would then be processed twice).

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
    from redis.backoff import NoBackoff
    from redis.retry import Retry
except ImportError as exc:  # the extra is optional: say how to get it
    raise ImportError(
        "learnstream.connectors.redis needs redis-py: pip install 'learnstream[broker]'"
    ) from exc

from learnstream.engine import clock
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
    # Timeouts so a server that stops answering is noticed instead of hanging the flow. No
    # retries inside redis-py: a command retried there after a lost reply would hide the loss
    # (the entries that reply carried stay pending, and only a re-read from ID 0 finds them).
    return redis.Redis.from_url(
        url, socket_timeout=5, socket_connect_timeout=2, retry=Retry(NoBackoff(), 0)
    )


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


Entry = tuple[bytes, dict[bytes, bytes]]


class _StreamPartition(StatefulSourcePartition[dict[str, Any], list[str]]):
    """One stream read through the group; remembers which entries it must still acknowledge.

    An entry *reaches the flow* when `next_batch` returns it; only then is it
    registered, under the current epoch, for acknowledgement once that epoch
    has ended (and, with recovery, its snapshot is committed). Any call that
    fails on the connection may have lost its reply — entries the server handed
    to this consumer, or claimed for it, that never arrived — so the next read
    starts again from this consumer's own pending entries (ID `0`), skipping
    those the flow already holds.
    """

    def __init__(
        self, source: RedisStreamSource, step_id: str, stream: str, resume_state: list[str] | None
    ) -> None:
        self.source = source
        self.step_id = step_id
        self.stream = stream
        self.client = _connect(source.url)
        self.address = _address(self.client)
        self.outage = _Outage(source.reconnect_timeout)
        # Entries that reached the flow and are not yet acknowledged, by the epoch that read them.
        self.unacked: list[tuple[int, list[bytes]]] = []
        self.held: set[bytes] = set()
        # "0": this consumer's own pending entries (left by a crash or a lost reply) come first.
        self.read_from: bytes | str = "0"
        self.claim_from: bytes | str = "0-0"
        now = clock.now()
        self.awake: datetime | None = None
        self.last_entry = now
        self.next_claim = now
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
            entries = self._fresh(self._claim(now) + self._read())
            batch, dead = self._convert(entries)
        except _DOWN as exc:
            self.read_from = "0"  # a reply may be lost: re-read own pending entries first
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
            self.read_from = "0"
            return []
        if self.outage.since is not None:  # time spent reconnecting is not idle time
            self.last_entry = now
        self.outage.over()
        # Every entry of the batch now reaches the flow: only now may it be acknowledged later.
        ids = [entry_id for entry_id, _ in entries if entry_id not in dead]
        if ids:
            self.held.update(ids)
            self.unacked.append((clock.epoch(), ids))
        if entries:
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

    def _read(self) -> list[Entry]:
        """This consumer's own pending entries, page by page, then new ones (`>`).

        Pages of entries the flow already holds are read through in the same
        call, so a long pending list never looks like a quiet stream.
        """
        size = self.source.batch_size
        entries: list[Entry] = []
        while self.read_from != ">" and len(entries) < size:
            page = self._xreadgroup(self.read_from, size)
            self.read_from = page[-1][0] if len(page) == size else ">"
            entries += [e for e in page if e[0] not in self.held]
        if len(entries) < size:
            entries += self._xreadgroup(">", size - len(entries))
        return entries

    def _xreadgroup(self, after: bytes | str, count: int) -> list[Entry]:
        replies = self.client.xreadgroup(
            self.source.group, self.source.consumer, {self.stream: after}, count=count
        )
        return replies[0][1] if replies else []

    def _claim(self, now: datetime) -> list[Entry]:
        """Take over entries another consumer read but left pending for longer than claim_idle."""
        if now < self.next_claim:
            return []
        idle_ms = int(self.source.claim_idle.total_seconds() * 1000)
        reply = self.client.xautoclaim(
            self.stream,
            self.source.group,
            self.source.consumer,
            idle_ms,
            start_id=self.claim_from,
            count=self.source.batch_size,
        )
        # A cursor other than 0-0 means more to claim: go on at the next call.
        self.claim_from = reply[0]
        if self.claim_from in (b"0-0", "0-0"):
            self.next_claim = now + self.source.claim_idle / 2
        claimed, gone = reply[1], reply[2] if len(reply) > 2 else []
        if gone:  # pending ids whose entries were trimmed away: nothing left to process
            self._ack(gone)
        return claimed

    def _fresh(self, entries: list[Entry]) -> list[Entry]:
        """Entries not already in the flow (a claim and a re-read may return the same one)."""
        fresh: dict[bytes, dict[bytes, bytes]] = {}
        gone = []
        for entry_id, fields in entries:
            if entry_id is None or entry_id in self.held or entry_id in fresh:
                continue
            if fields:
                fresh[entry_id] = fields
            else:  # trimmed away since it was handed out: nothing left to process
                gone.append(entry_id)
        self._ack(gone)
        return list(fresh.items())

    def _convert(self, entries: list[Entry]) -> tuple[list[dict[str, Any]], set[bytes]]:
        """Each entry decoded, and the ids of those that did not convert and were dead-lettered.

        Without `dead_letters`, an entry that does not convert stops the flow.
        """
        out = []
        dead: set[bytes] = set()
        letters = []
        for entry_id, raw in entries:
            try:
                out.append(decode_entry(entry_id.decode(), raw, self.source.fields))
            except ValueError as exc:
                if self.source.dead_letters is None:
                    raise self._bad_entry(entry_id, raw, exc) from exc
                dead.add(entry_id)
                letters.append(self._dead_letter(entry_id, raw, exc))
        if letters:
            # Written and acknowledged in one transaction: each bad entry once in the dead letters.
            pipe = self.client.pipeline(transaction=True)
            for letter in letters:
                pipe.xadd(self.source.dead_letters, letter)
            pipe.xack(self.stream, self.source.group, *dead)
            pipe.execute()
        return out, dead

    def _dead_letter(
        self, entry_id: bytes, raw: dict[bytes, bytes], exc: ValueError
    ) -> dict[bytes | str, bytes | str]:
        letter: dict[bytes | str, bytes | str] = {
            "step_id": self.step_id,
            "stream": self.stream,
            "entry_id": entry_id,
            "error": str(exc),
        }
        letter.update({b"entry." + name: value for name, value in raw.items()})
        return letter

    def _bad_entry(self, entry_id: bytes, raw: dict[bytes, bytes], exc: ValueError) -> StepError:
        return StepError(
            self.step_id,
            "input",
            {k.decode(errors="replace"): v.decode(errors="replace") for k, v in raw.items()},
            f"cannot use entry {entry_id.decode()} of Redis stream {self.stream!r}: {exc}",
            "fix what writes to the stream; to skip this entry, acknowledge it "
            f"(XACK {self.stream} {self.source.group} {entry_id.decode()}) and run again, "
            "or give the source dead_letters='STREAM' to set such entries aside",
        )

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
        """The run completed, its final snapshot (if any) committed: acknowledge the rest."""
        outage = _Outage(self.source.reconnect_timeout)
        while self.unacked:
            try:
                self._ack([i for _, ids in self.unacked for i in ids])
                self.unacked = []
            except _DOWN as exc:
                if not outage.failed(clock.now()):
                    raise _unreachable(
                        self.step_id,
                        "input",
                        self.address,
                        exc,
                        f"for longer than reconnect_timeout ({outage.timeout})",
                    ) from exc
                time.sleep(outage.pause.total_seconds())
        self.client.close()


class RedisStreamSource(FixedPartitionedSource[dict[str, Any], list[str]]):
    """Entries of Redis streams read as `consumer` of consumer `group`, as dicts of str.

    One partition per stream. The group is created (with the stream, if
    missing) from the start of the stream. `fields` maps field names to a
    conversion (`{"amount": float}`); an entry without one of them, or whose
    value does not convert, stops the flow with an error naming the step, the
    stream and the entry id — unless `dead_letters` names a stream: then such an
    entry is appended there (fields `step_id`, `stream`, `entry_id`, `error`, and
    its own fields prefixed with `entry.`), acknowledged, and the run goes on.
    The input is endless unless `stop_after_idle` is given: then it ends once
    that long passed with nothing new to read (time spent reconnecting does not
    count).
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
        dead_letters: str | None = None,
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
        self.dead_letters = dead_letters

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
