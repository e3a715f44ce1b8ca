"""What `learnstream timeline` reads: durations, times, event files, simulated sources, options.

Everything arrives as strings (a command line, a CSV or JSON Lines file) and
leaves as the `(key, timestamp)` pairs and windower that `build_timeline` takes,
or, for a join (a ``key,ts,side`` CSV, or the simulated ads), the
`(key, timestamp, side)` triples that `build_join_timeline` takes.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from learnstream.operators import windowing as win
from learnstream.timeline.build import build_timeline
from learnstream.timeline.joins import build_join_timeline
from learnstream.timeline.model import Timeline
from learnstream.timeline.words import US

DEFAULT_START = datetime(2024, 1, 1, tzinfo=UTC)
"""Where the simulated sources start, and what a bare number of seconds in an events file counts from."""

_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(h|ms|m|s|us|µs)")
_UNITS = {
    "h": timedelta(hours=1),
    "m": timedelta(minutes=1),
    "s": timedelta(seconds=1),
    "ms": timedelta(milliseconds=1),
    "us": US,
    "µs": US,
}


def parse_duration(text: str) -> timedelta:
    """``"10s"``, ``"1m30s"``, ``"500ms"``, ``"2h"`` or a bare number of seconds.

    >>> [parse_duration(t).total_seconds() for t in ("10s", "1m30s", "250ms", "1.5", "0")]
    [10.0, 90.0, 0.25, 1.5, 0.0]
    """
    text = text.strip().replace(" ", "")
    try:
        return timedelta(seconds=float(text))
    except ValueError:
        pass
    total, pos = timedelta(0), 0
    for match in _DURATION_PART.finditer(text):
        if match.start() != pos:
            break
        total += float(match[1]) * _UNITS[match[2]]
        pos = match.end()
    if pos != len(text) or not text:
        raise ValueError(
            f"not a duration: {text!r}; write e.g. 10s, 1m30s, 500ms, 2h or a number of seconds"
        )
    return total


def parse_time(text: str, start: datetime = DEFAULT_START) -> datetime:
    """An ISO-8601 time with its UTC offset, or a number of seconds after `start`.

    >>> parse_time("2024-01-01T00:00:10Z").isoformat()
    '2024-01-01T00:00:10+00:00'
    >>> parse_time("12.5").isoformat()
    '2024-01-01T00:00:12.500000+00:00'
    """
    text = text.strip()
    try:
        return start + timedelta(seconds=float(text))
    except ValueError:
        pass
    try:
        ts = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"not a time: {text!r}; write an ISO-8601 time with its offset "
            "(2024-01-01T00:00:10Z) or a number of seconds"
        ) from None
    if ts.utcoffset() is None:
        raise ValueError(
            f"{text!r} has no UTC offset; event time must be unambiguous: "
            f"write {text}Z (UTC) or {text}+01:00"
        )
    return ts


def read_events(
    path: str | Path, start: datetime = DEFAULT_START, text: str | None = None
) -> list[tuple[str, datetime]]:
    """Events from a CSV file (``key,ts`` rows, header optional) or JSON Lines.

    A JSON line is an object with ``key`` and ``ts`` (or ``timestamp``) or a
    ``[key, ts]`` pair. Times are ISO-8601 with an offset, or seconds after
    `start`. `text`, when given, is read instead of the file.

    >>> [(k, t.second) for k, t in read_events("e.csv", text="key,ts\\na,3\\nb,1\\n")]
    [('a', 3), ('b', 1)]
    >>> [(k, t.second) for k, t in read_events("e.jsonl", text='{"key": "a", "ts": 4}\\n["b", 7]\\n')]
    [('a', 4), ('b', 7)]
    """
    path = Path(path)
    if text is None:
        text = path.read_text(encoding="utf-8")
    events: list[tuple[str, datetime]] = []
    jsonl = path.suffix.lower() in (".jsonl", ".ndjson", ".json") or text.lstrip()[:1] in "{["
    lines = text.splitlines()
    if jsonl:
        rows: list[tuple[int, Any, Any]] = []
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as err:
                raise ValueError(f"{path.name}:{n}: not JSON: {err.msg}") from None
            if isinstance(obj, dict):
                rows.append((n, obj.get("key"), obj.get("ts", obj.get("timestamp"))))
            elif isinstance(obj, list) and len(obj) == 2:
                rows.append((n, obj[0], obj[1]))
            else:
                raise ValueError(f'{path.name}:{n}: write {{"key": ..., "ts": ...}} or [key, ts]')
    else:
        rows = [(n, *row[:2]) for n, row in enumerate(csv.reader(io.StringIO(text)), 1) if row]
        if rows and str(rows[0][1]).strip().lower() in ("key", "user", "sensor", "id"):
            rows = rows[1:]  # a header
    for n, key, ts in rows:
        if key is None or ts is None:
            raise ValueError(f"{path.name}:{n}: each event needs a key and a ts")
        try:
            events.append((str(key), parse_time(str(ts), start)))
        except ValueError as err:
            raise ValueError(f"{path.name}:{n}: {err}") from None
    return events


def simulated_events(
    source: str = "sensors",
    *,
    seed: int = 0,
    limit: int = 24,
    keys: int = 2,
    disorder: timedelta | None = None,
) -> list[tuple[str, datetime]]:
    """``(key, ts)`` of the course's simulated `SensorSource` or `ClickstreamSource`, in arrival order.

    `disorder` is how late an item may be delivered (default 15s for sensors,
    30s for clicks).

    >>> [(k, t.strftime("%M:%S")) for k, t in simulated_events(seed=1, limit=4)]
    [('sensor-1', '00:00'), ('sensor-0', '00:00'), ('sensor-1', '00:10'), ('sensor-0', '00:20')]
    """
    from learnstream.connectors.simulated import ClickstreamSource, SensorSource

    if source == "sensors":
        wait = timedelta(seconds=15) if disorder is None else disorder
        readings = SensorSource(sensors=keys, seed=seed, limit=limit, max_disorder=wait)
        return [(r["sensor"], r["ts"]) for r in readings]
    if source == "clicks":
        wait = timedelta(seconds=30) if disorder is None else disorder
        clicks = ClickstreamSource(users=keys, seed=seed, limit=limit, max_disorder=wait)
        return [(c["user"], c["ts"]) for c in clicks]
    raise ValueError(f"source must be 'sensors' or 'clicks', not {source!r}")


def simulated_join_events(
    *, seed: int = 0, limit: int = 24, keys: int = 2, disorder: timedelta | None = None
) -> list[tuple[str, datetime, int]]:
    """``(user, ts, side)`` of the simulated ad impressions (side 0) and their clicks (side 1).

    The two streams are read side by side, one item of each in turn, as the
    engine reads two sources: so the clicks, fewer than the impressions, run
    ahead of them in event time, and an impression can arrive after its
    user's watermark. `disorder` shuffles each stream (default 10s).

    >>> [(k, t.strftime("%M:%S"), s) for k, t, s in simulated_join_events(seed=1, limit=6)][:4]
    [('user-0', '00:00', 0), ('user-0', '00:21', 1), ('user-1', '00:05', 0), ('user-0', '00:18', 1)]
    """
    from learnstream.connectors.simulated import AdClickSource, AdImpressionSource

    shuffle = timedelta(seconds=10) if disorder is None else disorder
    shown = AdImpressionSource(users=keys, seed=seed, limit=limit, max_disorder=shuffle)
    clicks = AdClickSource(
        shown, click_rate=0.5, max_click_delay=timedelta(seconds=30), max_disorder=shuffle
    )
    sides = [[(i["user"], i["ts"], 0) for i in shown], [(c["user"], c["ts"], 1) for c in clicks]]
    merged = []
    for n in range(max(map(len, sides))):
        merged += [side[n] for side in sides if n < len(side)]
    return merged


def read_join_events(
    path: str | Path, text: str
) -> tuple[list[tuple[str, datetime, int]], list[str]]:
    """``key,ts,side`` CSV rows: the events of a join and its sides, in order of first appearance.

    >>> events, sides = read_join_events("j.csv", "key,ts,side\\na,3,views\\na,5,clicks\\n")
    >>> [(k, t.second, s) for k, t, s in events], sides
    ([('a', 3, 0), ('a', 5, 1)], ['views', 'clicks'])
    """
    path = Path(path)
    rows = [(n, row) for n, row in enumerate(csv.reader(io.StringIO(text)), 1) if row]
    if rows and rows[0][1][1].strip().lower() in ("ts", "time", "timestamp"):
        rows = rows[1:]
    sides: list[str] = []
    events = []
    for n, row in rows:
        if len(row) != 3:
            raise ValueError(f"{path.name}:{n}: a join's events are key,ts,side rows")
        key, ts, side = (cell.strip() for cell in row)
        if side not in sides:
            sides.append(side)
        try:
            events.append((key, parse_time(ts), sides.index(side)))
        except ValueError as err:
            raise ValueError(f"{path.name}:{n}: {err}") from None
    return events, sides


def _has_sides(text: str) -> bool:
    """A CSV whose rows have three cells (key, ts, side) holds a join's events."""
    first = next((row for row in csv.reader(io.StringIO(text)) if row), [])
    return len(first) == 3 and text.lstrip()[:1] not in "{["


def timeline_from_options(
    events: str | None = None,
    *,
    source: str = "sensors",
    seed: int = 0,
    limit: int = 24,
    keys: int = 2,
    disorder: str | None = None,
    tumbling: str | None = None,
    sliding: str | None = None,
    offset: str | None = None,
    session: str | None = None,
    align_to: str | None = None,
    wait: str = "0s",
    highlight: str | None = None,
    width: int = 72,
) -> Timeline:
    """The timeline `learnstream timeline` draws, from its options as strings.

    >>> tl = timeline_from_options(seed=1, limit=6, tumbling="20s", wait="10s")
    >>> [(w.key, w.window_id, len(w.seqs)) for w in tl.windows]
    [('sensor-0', 0, 2), ('sensor-0', 1, 1), ('sensor-1', 0, 2), ('sensor-1', 1, 1)]
    """
    joined: list[tuple[str, datetime, int]] | None = None
    sides: list[str] = []
    if events is None:
        gap = None if disorder is None else parse_duration(disorder)
        if source == "ads":
            joined = simulated_join_events(seed=seed, limit=limit, keys=keys, disorder=gap)
            sides = ["impressions", "clicks"]
            pairs = [(key, ts) for key, ts, _ in joined]
        else:
            pairs = simulated_events(source, seed=seed, limit=limit, keys=keys, disorder=gap)
    else:
        name = "stdin" if events == "-" else events
        text = sys.stdin.read() if events == "-" else Path(events).read_text(encoding="utf-8")
        if _has_sides(text):
            joined, sides = read_join_events(name, text)
            pairs = [(key, ts) for key, ts, _ in joined]
        else:
            pairs = read_events(name, text=text)
    if not pairs:
        raise ValueError("no events to draw")
    chosen = [
        name
        for name, value in (("tumbling", tumbling), ("sliding", sliding), ("session", session))
        if value is not None
    ]
    if len(chosen) > 1:
        raise ValueError(f"choose one kind of window, not {' and '.join(chosen)}")
    if offset is not None and sliding is None:
        raise ValueError("--offset goes with --sliding")
    first = min(ts for _, ts in pairs).astimezone(UTC)
    align = (
        parse_time(align_to)
        if align_to is not None
        else first.replace(hour=0, minute=0, second=0, microsecond=0)
    )
    windower: Any
    if session is not None:
        windower = win.SessionWindower(gap=parse_duration(session))
    elif sliding is not None:
        if offset is None:
            raise ValueError("--sliding needs --offset: how often a window starts (e.g. 10s)")
        windower = win.SlidingWindower(parse_duration(sliding), parse_duration(offset), align)
    else:
        windower = win.TumblingWindower(parse_duration(tumbling or "30s"), align)
    mark = None
    if highlight is not None:
        key, _, wid = highlight.rpartition(":")
        try:
            mark = (key, int(wid))
        except ValueError:
            raise ValueError(
                f"--highlight wants KEY:ID, e.g. sensor-0:2; got {highlight!r}"
            ) from None
    if joined is not None:
        if len(sides) < 2:
            raise ValueError(f"a join needs events of at least two sides, not only {sides}")
        return build_join_timeline(
            joined, windower, parse_duration(wait), sides=sides, highlight=mark
        )
    return build_timeline(pairs, windower, parse_duration(wait), highlight=mark)
