"""Scale-out: the same learnstream flow on Bytewax 0.21.1 (threads, processes) gives the same results.

Results are compared as multisets: the order of outputs across keys and
workers is Bytewax's to choose.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import zlib
from collections import Counter
from pathlib import Path

import pytest
import scaleout_flows as flows
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import learnstream.operators as op
from learnstream.connectors.files import DirSink, DirSource, FileSink
from learnstream.dataflow import Dataflow
from learnstream.errors import KeyedItemError, UserFunctionError
from learnstream.scaleout.placement import shard_names, worker_of
from learnstream.scaleout.translate import UnsupportedOnBytewax, to_bytewax
from learnstream.testing import TestingSink, TestingSource, cluster_main, run_main

ROOT = Path(__file__).resolve().parent.parent
CONNECTING = "error connecting to worker"  # Bytewax's note while processes find each other


@pytest.mark.parametrize("name", sorted(flows.FLOWS))
def test_two_worker_threads_give_learnstreams_results(name: str, tmp_path: Path) -> None:
    expected = flows.on_learnstream(name, tmp_path / "learnstream")
    assert expected, "the flow wrote nothing: the comparison would prove nothing"
    got = flows.on_bytewax_threads(name, tmp_path / "bytewax", workers=2)
    assert got == expected


@pytest.mark.parametrize("name", sorted(flows.FLOWS))
def test_two_processes_give_learnstreams_results(name: str, tmp_path: Path) -> None:
    expected = flows.on_learnstream(name, tmp_path / "learnstream")
    got = flows.on_bytewax_processes(name, tmp_path / "bytewax", processes=2)
    assert got == expected
    writers = {path.name.split("-")[1] for path in (tmp_path / "bytewax").glob("*.txt")}
    # Flows with many keys; the 4 sensors of `tumbling` all hash to one process
    # (as Bytewax itself would place them), so that one writes from one process only.
    if name in ("wordcount", "joins", "partitioned_files"):
        assert len(writers) == 2, "both processes should have written part of the output"


def test_the_late_flows_do_have_late_items(tmp_path: Path) -> None:
    late = flows.on_learnstream("late_edges", tmp_path / "edges")["late"]
    assert sum(late.values()) == 3  # 59.999999 s, and two readings of "b"
    counts = flows.on_learnstream("late", tmp_path / "late")["late"]
    assert sum(int(line.rsplit(", ", 1)[1].rstrip(")")) for line in counts.elements()) > 10


keyed_items = st.lists(
    st.tuples(st.sampled_from("abcdefgh"), st.integers(-5, 5)), min_size=1, max_size=40
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=keyed_items, batch_size=st.integers(1, 6))
def test_stateful_operators_agree_on_arbitrary_streams(
    items: list[tuple[str, int]], batch_size: int
) -> None:
    def build(out: list[object]) -> Dataflow:
        flow = Dataflow("stateful_agree")
        s = op.input("inp", flow, TestingSource(items, batch_size=batch_size))
        op.output("sums", op.reduce_final("sum", s, lambda a, b: a + b), TestingSink(out))
        op.output(
            "runs",
            op.stateful_map("run", s, lambda n, v: ((n or 0) + v, (n or 0) + v)),
            TestingSink(out),
        )
        counted = op.count_final("count", s, lambda kv: kv[0])
        op.output("counts", counted, TestingSink(out))
        return flow

    expected: list[object] = []
    run_main(build(expected))
    got: list[object] = []
    cluster_main(build(got), [], 0, worker_count_per_proc=3)
    assert Counter(map(repr, got)) == Counter(map(repr, expected))


def test_each_item_is_read_once_from_partitioned_files(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    for i in range(5):
        (inputs / f"part{i}.txt").write_text("".join(f"{i}-{n}\n" for n in range(40)))
    expected = Counter(f"{i}-{n}" for i in range(5) for n in range(40))

    flow = Dataflow("files")
    lines = op.input("inp", flow, DirSource(inputs))
    keyed = op.key_on("key", lines, lambda line: line.split("-")[0])
    op.output("dir", keyed, DirSink(tmp_path / "out", 3))
    op.output("one", keyed, FileSink(tmp_path / "one.txt"))
    cluster_main(flow, [], 0, worker_count_per_proc=2)

    written = Counter()
    for path in (tmp_path / "out").iterdir():
        written.update(path.read_text().splitlines())
    assert written == expected
    assert Counter((tmp_path / "one.txt").read_text().splitlines()) == expected


def test_keyed_steps_are_sharded_by_worker_count() -> None:
    flow = Dataflow("shards")
    s = op.input("inp", flow, TestingSource([("a", 1)]))
    op.output("out", op.count_final("count", s, lambda kv: kv[0]), TestingSink([]))
    names = [step.step_id for step in to_bytewax(flow, 2).flow.substeps]
    assert names == [
        "shards.inp",
        "shards.count/route",
        "shards.count",
        "shards.count/unshard",
        "shards.out",
    ]


def _bytewax_workers_of(keys: list[str], workers: int) -> dict[str, int]:
    """The worker Bytewax itself runs each key of a stateful step on."""
    import bytewax.operators as bw_op
    from bytewax.dataflow import Dataflow as BytewaxDataflow
    from bytewax.testing import TestingSource as BytewaxSource
    from bytewax.testing import cluster_main as bytewax_cluster_main

    class Echo(bw_op.StatefulBatchLogic[str, str, None]):
        def on_batch(self, values: list[str]) -> tuple[list[str], bool]:
            return values, self.RETAIN

        def snapshot(self) -> None:
            return None

    found: dict[str, int] = {}
    flow = BytewaxDataflow("placement")
    keyed = bw_op.key_on("key", bw_op.input("inp", flow, BytewaxSource(keys)), lambda k: k)
    held = bw_op.stateful_batch("echo", keyed, lambda _resume: Echo())
    bw_op.inspect_debug("where", held, lambda _s, kv, _e, worker: found.update({kv[0]: worker}))
    bytewax_cluster_main(flow, [], 0, worker_count_per_proc=workers)
    return found


@pytest.mark.parametrize("workers", [2, 3, 4, 5])
def test_placement_predicts_where_bytewax_runs_a_key(workers: int) -> None:
    keys = [f"key{n}" for n in range(200)] + shard_names(workers) + ["", "é", "x" * 17]
    assert _bytewax_workers_of(keys, workers) == {key: worker_of(key, workers) for key in keys}
    assert [worker_of(name, workers) for name in shard_names(workers)] == list(range(workers))


def test_a_keyed_step_runs_each_key_on_the_worker_of_its_shard() -> None:
    """One shard per worker, each on its own worker: keys spread as their hash says."""
    keys = [f"k{n}" for n in range(64)]
    seen: dict[str, set[int]] = {}

    def note(_step: str, item: tuple[str, int], _epoch: int, worker: int) -> None:
        seen.setdefault(item[0], set()).add(worker)

    flow = Dataflow("placed")
    s = op.input("inp", flow, TestingSource([(key, 1) for key in keys * 3], batch_size=50))
    totals = op.stateful_map("sum", s, lambda n, v: ((n or 0) + v, (n or 0) + v))
    op.inspect_debug("where", totals, note)
    cluster_main(flow, [], 0, worker_count_per_proc=3)
    assert seen == {key: {zlib.crc32(key.encode()) % 3} for key in keys}


def test_redistribute_spreads_items_over_bytewax_workers() -> None:
    seen: list[tuple[int, int]] = []

    def build(out: list[int]) -> Dataflow:
        flow = Dataflow("spread")
        s = op.redistribute("spread", op.input("inp", flow, TestingSource(range(200))))
        s = op.inspect_debug("where", s, lambda _sid, x, _epoch, worker: seen.append((worker, x)))
        op.output("out", op.map("square", s, lambda x: x * x), TestingSink(out))
        return flow

    expected: list[int] = []
    run_main(build(expected))
    seen.clear()
    got: list[int] = []
    cluster_main(build(got), [], 0, worker_count_per_proc=2)
    assert Counter(got) == Counter(expected)
    # One partition is read by one worker: only redistribute brings worker 1 any items.
    assert {worker for worker, _ in seen} == {0, 1}


# --- errors -------------------------------------------------------------------------


def _failing_flow(out: list[object]) -> Dataflow:
    flow = Dataflow("failing")
    s = op.input("inp", flow, TestingSource(["1", "2", "x"]))
    op.output("out", op.map("parse", s, int), TestingSink(out))
    return flow


def test_an_error_in_a_step_is_learnstreams_error_on_bytewax() -> None:
    with pytest.raises(UserFunctionError, match=r"step 'failing.parse' \(map\)") as info:
        cluster_main(_failing_flow([]), [], 0, worker_count_per_proc=2)
    assert isinstance(info.value.__cause__, ValueError)


def test_a_failing_key_function_is_reported_by_its_step_not_by_the_routing() -> None:
    def key(word: str) -> str:
        return {"a": "A"}[word]

    flow = Dataflow("keys")
    s = op.input("inp", flow, TestingSource(["a", "a", "b"], batch_size=3))
    op.output("out", op.count_final("count", s, key), TestingSink([]))
    with pytest.raises(UserFunctionError, match=r"step 'keys.count' \(count_final\).*key\(\)"):
        cluster_main(flow, [], 0, worker_count_per_proc=2)


def test_a_non_keyed_item_gets_learnstreams_message_on_bytewax() -> None:
    flow = Dataflow("unkeyed")
    s = op.input("inp", flow, TestingSource([("a", 1), 7]))
    op.output("out", op.reduce_final("sum", s, lambda a, b: a + b), TestingSink([]))
    with pytest.raises(KeyedItemError, match="each item must be a \\(key, value\\) 2-tuple"):
        cluster_main(flow, [], 0, worker_count_per_proc=2)


def test_a_core_step_without_translation_is_named() -> None:
    flow = Dataflow("odd")
    s = op.input("inp", flow, TestingSource([1]))
    op.output("out", op.flat_map_batch("warp", s, list), TestingSink([]))
    flow.steps[1].operator = "teleport"  # a core operator learnstream might add one day
    with pytest.raises(UnsupportedOnBytewax, match=r"step 'odd.warp' .*'teleport'"):
        cluster_main(flow, [], 0)


def test_an_abort_on_several_workers_is_refused_instead_of_hanging() -> None:
    flow = Dataflow("aborting")
    s = op.input("inp", flow, TestingSource([1, 2, TestingSource.ABORT(), 3]))
    got: list[int] = []
    op.output("out", s, TestingSink(got))
    with pytest.raises(UnsupportedOnBytewax, match=r"step 'aborting.inp' \(input\).*ABORT"):
        cluster_main(flow, [], 0, worker_count_per_proc=2)
    cluster_main(flow, [], 0)  # one worker: Bytewax stops the run, as learnstream does
    assert got == [1, 2]


def _cli(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, timeout=180, env={**os.environ, **env}
    )


def test_cli_says_how_to_install_bytewax_when_it_is_missing(tmp_path: Path) -> None:
    # A `bytewax` package that cannot be found, shadowing the installed one.
    hide = tmp_path / "hide"
    hide.mkdir()
    (hide / "sitecustomize.py").write_text(
        "import importlib.metadata as m\n"
        "real = m.version\n"
        "def version(name):\n"
        "    if name == 'bytewax':\n"
        "        raise m.PackageNotFoundError(name)\n"
        "    return real(name)\n"
        "m.version = version\n"
    )
    done = _cli(
        [sys.executable, "-m", "learnstream.run", "wordcount", "--engine", "bytewax"],
        ROOT / "examples",
        PYTHONPATH=str(hide),
    )
    assert done.returncode == 2
    assert 'Bytewax is not installed; install it with: pip install "learnstream[bytewax]"' in (
        done.stderr
    )


def test_python_313_is_told_bytewax_has_no_wheels(monkeypatch: pytest.MonkeyPatch) -> None:
    from learnstream.scaleout import BytewaxUnavailable, require_bytewax

    monkeypatch.setattr(sys, "version_info", (3, 13, 0, "final", 0))
    with pytest.raises(BytewaxUnavailable, match=r"no wheels for Python 3\.13"):
        require_bytewax()


# --- the command line ------------------------------------------------------------------


def _lines(done: subprocess.CompletedProcess[str]) -> Counter[str]:
    assert done.returncode == 0, done.stdout + done.stderr
    return Counter(line for line in done.stdout.splitlines() if CONNECTING not in line)


@pytest.mark.parametrize("module", ["wordcount", "late_readings"])
@pytest.mark.parametrize(
    "command",
    [
        ["learnstream", "run"],
        [sys.executable, "-m", "learnstream.run"],
        [sys.executable, "-m", "learnstream.testing"],
    ],
    ids=["learnstream run", "python -m learnstream.run", "python -m learnstream.testing"],
)
@pytest.mark.parametrize("scale", [["-w", "2"], ["-p", "2"]])
def test_cli_runs_the_examples_on_bytewax(
    module: str, command: list[str], scale: list[str]
) -> None:
    cwd = ROOT / "examples"
    expected = _lines(_cli([*command, module], cwd))
    assert expected
    got = _lines(_cli([*command, module, "--engine", "bytewax", *scale], cwd))
    assert got == expected


JOIN_MODULE = """
    import learnstream.operators as op
    from learnstream.connectors.files import FileSource
    from learnstream.connectors.stdio import StdOutSink
    from learnstream.dataflow import Dataflow
    from learnstream.testing import TestingSource

    flow = Dataflow("cli_join")
    users = op.key_on("by_id", op.input("users", flow, FileSource("users.txt")),
                      lambda line: line.split(",")[0])
    visits = op.input("visits", flow, TestingSource([(str(i % 30), i) for i in range(90)]))
    totals = op.reduce_final("total", visits, lambda a, b: a + b)
    joined = op.join("join", users, totals)
    op.output("out", op.map("show", joined, lambda kv: f"{kv[1][0]} {kv[1][1]}"), StdOutSink())
"""


def test_cli_runs_a_join_on_local_processes_and_on_an_explicit_cluster(tmp_path: Path) -> None:
    (tmp_path / "cli_join.py").write_text(textwrap.dedent(JOIN_MODULE))
    (tmp_path / "users.txt").write_text("".join(f"{i},user{i}\n" for i in range(0, 40, 2)))
    expected = _lines(_cli(["learnstream", "run", "cli_join"], tmp_path))
    assert len(expected) == 15
    assert (
        _lines(_cli(["learnstream", "run", "cli_join", "--engine", "bytewax", "-p", "2"], tmp_path))
        == expected
    )

    from learnstream.scaleout.launch import loopback_addresses

    addresses = ";".join(loopback_addresses(2))
    procs = [
        subprocess.Popen(
            [
                "learnstream",
                "run",
                "cli_join",
                "--engine",
                "bytewax",
                "-i",
                str(i),
                "-a",
                addresses,
                "-w",
                "2",
            ],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    got: Counter[str] = Counter()
    for proc in procs:
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, out + err
        got.update(line for line in out.splitlines() if CONNECTING not in line)
    assert got == expected


def test_cli_reports_a_failing_step_once_with_learnstreams_message(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text(
        textwrap.dedent("""
        import learnstream.operators as op
        from learnstream.connectors.stdio import StdOutSink
        from learnstream.dataflow import Dataflow
        from learnstream.testing import TestingSource

        def parse(text):
            return int(text)

        flow = Dataflow("broken")
        op.output("out", op.map("parse", op.input("inp", flow, TestingSource(["1", "x"])), parse),
                  StdOutSink())
    """)
    )
    done = _cli(["learnstream", "run", "broken", "--engine", "bytewax", "-p", "2"], tmp_path)
    assert done.returncode == 1
    assert done.stderr.count("learnstream: step 'broken.parse' (map) your function parse()") == 1
    assert "item: 'x'" in done.stderr


def test_cli_runs_three_local_processes() -> None:
    """`-p 3`: processes 1 and 2 are forks of process 0; process 2 connects to both
    others, so its gate waits for both to listen."""
    plain = _cli(["learnstream", "run", "wordcount"], ROOT / "examples")
    done = _cli(
        ["learnstream", "run", "wordcount", "--engine", "bytewax", "-p", "3"], ROOT / "examples"
    )
    assert done.returncode == 0, done.stderr
    assert sorted(done.stdout.splitlines()) == sorted(plain.stdout.splitlines())


def test_cli_resumes_keyed_state_on_bytewax_processes(tmp_path: Path) -> None:
    """`-r` with `--engine bytewax -p 2`: the word count's counts are snapshotted on
    Bytewax; run again, it resumes at its end and prints nothing (as on learnstream)."""
    db = tmp_path / "db"
    assert _cli(["python", "-m", "learnstream.recovery", str(db), "2"], tmp_path).returncode == 0
    flags = ["--engine", "bytewax", "-p", "2", "-r", str(db), "-s", "0", "-b", "0"]
    plain = _cli(["learnstream", "run", "wordcount"], ROOT / "examples")
    first = _cli(["learnstream", "run", "wordcount", *flags], ROOT / "examples")
    assert first.returncode == 0, first.stderr
    assert sorted(first.stdout.splitlines()) == sorted(plain.stdout.splitlines())
    again = _cli(["learnstream", "run", "wordcount", *flags], ROOT / "examples")
    assert again.returncode == 0, again.stderr
    assert again.stdout == ""
