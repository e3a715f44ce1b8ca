"""Files, simulated streams, TestingSource sentinels and timers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import learnstream.operators as op
from learnstream.connectors.files import CSVSource, DirSink, DirSource, FileSink, FileSource
from learnstream.connectors.simulated import ClickstreamSource, RandomIntSource, SensorSource
from learnstream.dataflow import Dataflow
from learnstream.testing import TestingSink, TestingSource, TimeTestingGetter, run_main

lines_st = st.lists(
    st.text(
        alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\r\n"),
        max_size=20,
    ),
    max_size=30,
)


def collect_from(source: Any) -> list[Any]:
    flow = Dataflow("read")
    out: list[Any] = []
    op.output("out", op.input("inp", flow, source), TestingSink(out))
    run_main(flow)
    return out


@settings(max_examples=50)
@given(lines_st, st.integers(1, 7))
def test_file_source_reads_every_line_whatever_the_batch_size(
    tmp_path_factory: pytest.TempPathFactory, lines: list[str], batch_size: int
) -> None:
    path = tmp_path_factory.mktemp("f") / "in.txt"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    assert collect_from(FileSource(path, batch_size=batch_size)) == lines


@settings(max_examples=80)
@given(
    st.lists(
        st.text(alphabet=st.sampled_from(["a", "é", " ", "\r", "\n", "\u2028", "\x0c"])),
        max_size=12,
    ),
    st.integers(1, 5),
)
def test_file_source_splits_only_at_newlines_and_drops_one_carriage_return(
    tmp_path_factory: pytest.TempPathFactory, pieces: list[str], batch_size: int
) -> None:
    """Model: Python's binary line iteration, each line without its "\n" then one "\r"."""
    path = tmp_path_factory.mktemp("f") / "in.txt"
    path.write_bytes("".join(pieces).encode())
    with open(path, "rb") as f:
        model = [line.decode().removesuffix("\n").removesuffix("\r") for line in f]
    assert collect_from(FileSource(path, batch_size=batch_size)) == model


def test_file_source_resumes_from_its_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "in.txt"
    path.write_text("a\nb\nc\nd\n")
    source = FileSource(path, batch_size=2)
    (part_name,) = source.list_parts()
    part = source.build_part("inp", part_name, None)
    assert part.next_batch() == ["a", "b"]
    resumed = source.build_part("inp", part_name, part.snapshot())
    assert resumed.next_batch() == ["c", "d"]
    with pytest.raises(StopIteration):
        resumed.next_batch()


def test_missing_file_says_where_it_looked(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="no file at"):
        collect_from(FileSource(tmp_path / "nope.txt"))


def test_csv_source(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text('city,temp\nOslo,-3\n"Rio, BR",31\n')
    assert collect_from(CSVSource(path)) == [
        {"city": "Oslo", "temp": "-3"},
        {"city": "Rio, BR", "temp": "31"},
    ]


def test_dir_source_reads_each_file(tmp_path: Path) -> None:
    (tmp_path / "a.log").write_text("1\n2\n")
    (tmp_path / "b.log").write_text("3\n")
    (tmp_path / "skip.txt").write_text("x\n")
    assert sorted(collect_from(DirSource(tmp_path, glob_pat="*.log"))) == ["1", "2", "3"]


def test_file_and_dir_sinks_write_values(tmp_path: Path) -> None:
    flow = Dataflow("sinks")
    s = op.input("inp", flow, TestingSource([("k1", "one"), ("k2", "two"), ("k1", "three")]))
    op.output("file", s, FileSink(tmp_path / "out.txt"))
    op.output("dir", s, DirSink(tmp_path / "parts", file_count=2))
    run_main(flow)
    assert (tmp_path / "out.txt").read_text() == "one\ntwo\nthree\n"
    written = [
        line for p in sorted((tmp_path / "parts").iterdir()) for line in p.read_text().splitlines()
    ]
    assert sorted(written) == ["one", "three", "two"]


def test_testing_source_eof_and_abort() -> None:
    assert collect_from(TestingSource([1, 2, TestingSource.EOF(), 3])) == [1, 2]
    flow = Dataflow("abort")
    out: list[Any] = []
    s = op.input("inp", flow, TestingSource([("a", 1), TestingSource.ABORT(), ("a", 2)]))
    op.output("out", op.fold_final("f", s, list, lambda acc, v: [*acc, v]), TestingSink(out))
    run_main(flow)
    assert out == []  # aborted: no EOF, so nothing is flushed


def test_simulated_sources_are_deterministic_and_bounded() -> None:
    nums = collect_from(RandomIntSource(low=5, high=9, seed=3, limit=500))
    assert len(nums) == 500 and set(nums) == set(range(5, 10))
    assert nums == collect_from(RandomIntSource(low=5, high=9, seed=3, limit=500, batch_size=7))
    assert nums == list(RandomIntSource(low=5, high=9, seed=3, limit=500))


@given(st.integers(0, 10_000), st.integers(0, 30))
def test_sensor_disorder_is_bounded(seed: int, disorder_s: int) -> None:
    bound = timedelta(seconds=disorder_s)
    readings = list(SensorSource(sensors=3, seed=seed, limit=200, max_disorder=bound))
    assert len(readings) == 200
    newest = readings[0]["ts"]
    for r in readings:
        assert r["ts"].tzinfo is not None
        assert newest - r["ts"] <= bound
        newest = max(newest, r["ts"])
    if disorder_s == 0:
        assert [r["ts"] for r in readings] == sorted(r["ts"] for r in readings)


def test_clickstream_sessions_start_with_a_view() -> None:
    events = list(ClickstreamSource(users=4, seed=11, limit=300))
    first_seen: dict[str, str] = {}
    for e in events:
        first_seen.setdefault(e["user"], e["action"])
    assert set(first_seen.values()) == {"view"}
    assert [e["ts"] for e in events] == sorted(e["ts"] for e in events)


def test_simulated_source_resumes_from_snapshot() -> None:
    source = SensorSource(seed=5, batch_size=4)
    part = source.build_part("inp", "simulated", None)
    part.next_batch()
    state = part.snapshot()
    expected = part.next_batch()
    assert source.build_part("inp", "simulated", state).next_batch() == expected


def test_collect_times_out_on_a_fake_clock() -> None:
    """Each value restarts its key's timer (as in Bytewax 0.21.1): values 0.6 s apart
    keep a 1 s collect open past 1 s after its first value; a longer pause closes it."""
    from learnstream.inputs import DynamicSource, StatelessSourcePartition

    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    clock = TimeTestingGetter(t0)
    # One poll per tick, each 0.3 s after the last; None: nothing this time.
    polls = [("a", 1), None, ("a", 2), None, ("a", 3), None, ("a", 4)]
    polls += [None] * 5 + [("a", 5)]

    class Part(StatelessSourcePartition[Any]):
        def next_batch(self) -> list[Any]:
            if not polls:
                raise StopIteration
            clock.advance(timedelta(seconds=0.3))
            item = polls.pop(0)
            return [] if item is None else [item]

    class Polled(DynamicSource[Any]):
        def build(self, step_id: str, worker_index: int, worker_count: int) -> Part:
            return Part()

    flow = Dataflow("timeouts")
    out: list[Any] = []
    s = op.input("inp", flow, Polled())
    op.output("out", op.collect("c", s, timedelta(seconds=1), max_size=10), TestingSink(out))
    run_main(flow, now_getter=clock.get)
    # 1 to 4 arrive 0.6 s apart (t0+0.3 to t0+2.1): each restarts the timer, so the
    # list outlives its first value's second; 1.5 s of silence after 4 closes it.
    assert out == [("a", [1, 2, 3, 4]), ("a", [5])]


def test_notify_at_and_on_eof_of_a_stateful_logic() -> None:
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    clock = TimeTestingGetter(t0)

    class Alarm(op.StatefulLogic):
        def __init__(self) -> None:
            self.at: datetime | None = None

        def on_item(self, value: Any) -> tuple[list[str], bool]:
            self.at = clock.get() + timedelta(seconds=value)
            return [f"set {value}s"], self.RETAIN

        def on_notify(self) -> tuple[list[str], bool]:
            self.at = None
            return ["ring"], self.RETAIN

        def on_eof(self) -> tuple[list[str], bool]:
            return ["eof"], self.DISCARD

        def notify_at(self) -> datetime | None:
            return self.at

        def snapshot(self) -> Any:
            return self.at

    def tick(item: Any) -> Any:
        clock.advance(timedelta(seconds=1))
        return item

    flow = Dataflow("alarm")
    out: list[Any] = []
    s = op.map(
        "tick", op.input("inp", flow, TestingSource([("k", 2), ("j", 9), ("j", 9), ("j", 9)])), tick
    )
    op.output("out", op.stateful("alarm", s, lambda _: Alarm()), TestingSink(out))
    run_main(flow, now_getter=clock.get)
    # k's alarm is due at t0+3s: the tick starting then rings before j's item
    # (as Bytewax fires a due timer before the next items). At EOF every key
    # still held gets on_eof, in key order.
    assert out == [
        ("k", "set 2s"),
        ("j", "set 9s"),
        ("j", "set 9s"),
        ("k", "ring"),
        ("j", "set 9s"),
        ("j", "eof"),
        ("k", "eof"),
    ]


def test_pause_and_timeout_on_the_system_clock() -> None:
    flow = Dataflow("real_time")
    out: list[Any] = []
    items = [("a", 1), TestingSource.PAUSE(timedelta(milliseconds=300)), ("a", 2)]
    s = op.input("inp", flow, TestingSource(items))
    op.output("out", op.collect("c", s, timedelta(milliseconds=50), max_size=10), TestingSink(out))
    run_main(flow)
    assert out == [("a", [1]), ("a", [2])]


def test_a_fake_clock_that_never_moves_is_reported_not_hung() -> None:
    clock = TimeTestingGetter(datetime(2024, 1, 1, tzinfo=UTC))
    flow = Dataflow("stuck")
    s = op.input("inp", flow, TestingSource([1, TestingSource.PAUSE(timedelta(seconds=5)), 2]))
    op.output("out", s, TestingSink([]))
    with pytest.raises(Exception, match="test clock"):
        run_main(flow, now_getter=clock.get)
