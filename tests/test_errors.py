"""Each mistake a learner makes gets one short message they can act on."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import learnstream.operators as op
from learnstream.dataflow import Dataflow
from learnstream.errors import DataflowError, KeyedItemError, StepError, UserFunctionError
from learnstream.testing import TestingSink, TestingSource, run_main


def keyed_flow(items: list[object]) -> Dataflow:
    flow = Dataflow("errs")
    s = op.input("inp", flow, TestingSource(items))
    op.output("out", op.reduce_final("total", s, lambda a, b: a + b), TestingSink([]))
    return flow


def test_bare_ints_into_a_keyed_step_name_the_step_and_the_fix() -> None:
    with pytest.raises(KeyedItemError) as info:
        run_main(keyed_flow([1, 2, 3]))
    message = str(info.value)
    assert "errs.total" in message
    assert "(key, value) 2-tuple" in message
    assert "item: 1" in message
    assert "key_on" in message
    assert len(message.splitlines()) <= 5


def test_a_non_str_key_is_named() -> None:
    with pytest.raises(KeyedItemError) as info:
        run_main(keyed_flow([(1, 2)]))
    assert "with a str key, but got a key of type int" in str(info.value)
    assert "item: (1, 2)" in str(info.value)


def test_count_final_with_a_non_str_key() -> None:
    flow = Dataflow("count_errs")
    s = op.input("inp", flow, TestingSource([3, 4]))
    op.output("out", op.count_final("count", s, lambda x: x), TestingSink([]))
    with pytest.raises(KeyedItemError, match=r"count_errs\.count") as info:
        run_main(flow)
    assert "keys must be str" in str(info.value)


def test_key_on_returning_a_non_str() -> None:
    flow = Dataflow("key_errs")
    s = op.input("inp", flow, TestingSource([{"id": 7}]))
    op.output("out", op.key_on("by_id", s, lambda e: e["id"]), TestingSink([]))
    with pytest.raises(StepError, match=r"key_errs\.by_id.*keys must be str"):
        run_main(flow)


def test_exception_in_a_mapper_names_step_operator_item_and_keeps_the_cause() -> None:
    def parse(line: str) -> int:
        return int(line)

    flow = Dataflow("parse_errs")
    s = op.input("inp", flow, TestingSource(["1", "2", "three", "4"], batch_size=4))
    op.output("out", op.map("parse", s, parse), TestingSink([]))
    with pytest.raises(UserFunctionError) as info:
        run_main(flow)
    err = info.value
    assert err.step_id == "parse_errs.parse"
    assert err.operator == "map"
    assert err.item == "three"
    assert "parse() raised ValueError" in str(err)
    assert isinstance(err.__cause__, ValueError)


@pytest.mark.parametrize(
    ("build", "opname", "item"),
    [
        (lambda s: op.filter("f", s, lambda x: 1 / x > 0), "filter", 0),
        (lambda s: op.flat_map("f", s, lambda x: [1 / x]), "flat_map", 0),
        (lambda s: op.filter_map("f", s, lambda x: 1 / x), "filter_map", 0),
        (lambda s: op.key_on("f", s, lambda x: str(1 / x)), "key_on", 0),
        (lambda s: op.count_final("f", s, lambda x: str(1 / x)), "count_final", 0),
        (
            lambda s: op.stateful_map("f", op.key_on("k", s, str), lambda st, x: (st, 1 / x)),
            "stateful_map",
            ("0", 0),  # the value the mapper raised on, not its key's whole batch
        ),
    ],
)
def test_every_operator_reports_the_failing_item(build, opname: str, item: object) -> None:
    flow = Dataflow("op_errs")
    s = op.input("inp", flow, TestingSource([1, 2, 0, 3], batch_size=4))
    op.output("out", build(s), TestingSink([]))
    with pytest.raises(UserFunctionError) as info:
        run_main(flow)
    assert info.value.operator == opname
    assert info.value.item == item
    assert "ZeroDivisionError" in str(info.value)


def test_filter_predicate_must_return_a_bool() -> None:
    flow = Dataflow("pred_errs")
    s = op.input("inp", flow, TestingSource([1]))
    op.output("out", op.filter("f", s, lambda x: None), TestingSink([]))
    with pytest.raises(StepError, match="not a bool"):
        run_main(flow)


def test_duplicate_step_id() -> None:
    flow = Dataflow("dups")
    s = op.input("inp", flow, TestingSource([1]))
    op.map("double", s, lambda x: x * 2)
    with pytest.raises(DataflowError, match=r"duplicate step id 'double' in 'dups'"):
        op.map("double", s, lambda x: x * 3)


def test_the_same_id_in_different_scopes_is_fine() -> None:
    flow = Dataflow("scopes")
    s = op.input("inp", flow, TestingSource([1]))
    a = op.map("a", s, str)
    b = op.map("b", s, str)  # both contain a substep named flat_map_batch
    assert {st.step_id for st in flow.steps} >= {
        "scopes.a.flat_map_batch",
        "scopes.b.flat_map_batch",
    }
    assert a.stream_id != b.stream_id


def test_stream_from_another_dataflow() -> None:
    one, two = Dataflow("one"), Dataflow("two")
    s = op.input("inp", one, TestingSource([1]))
    t = op.input("inp", two, TestingSource([1]))
    with pytest.raises(DataflowError, match="Stream from Dataflow 'two'"):
        op.merge("m", s, t)


def test_flow_without_output_says_what_to_add() -> None:
    flow = Dataflow("no_out")
    op.map("m", op.input("inp", flow, TestingSource([1])), str)
    with pytest.raises(RuntimeError, match=r"op\.output") as info:
        run_main(flow)
    # As in Bytewax: a RuntimeError caused by a ValueError saying what is missing.
    assert isinstance(info.value.__cause__, DataflowError)
    assert "at least one output or inspect step" in str(info.value.__cause__)


LEARNER_FLOW = textwrap.dedent(
    """
    import learnstream.operators as op
    from learnstream.dataflow import Dataflow
    from learnstream.connectors.stdio import StdOutSink
    from learnstream.testing import TestingSource

    def to_celsius(reading):
        return (reading["temp_f"] - 32) * 5 / 9

    flow = Dataflow("learner")
    s = op.input("inp", flow, TestingSource([{"temp_f": 50}, {"temp": 60}]))
    op.output("out", op.map("convert", s, to_celsius), StdOutSink())
    """
)


def run_cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LEARNSTREAM_BACKEND": "python"}
    return subprocess.run(
        [sys.executable, "-m", "learnstream.run", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_run_shows_the_learners_frame_and_hides_the_engine(tmp_path: Path) -> None:
    (tmp_path / "myflow.py").write_text(LEARNER_FLOW)
    proc = run_cli(tmp_path, "myflow")
    assert proc.returncode == 1
    assert proc.stdout == "10.0\n"
    err = proc.stderr
    assert "myflow.py" in err and "to_celsius" in err
    assert "KeyError: 'temp_f'" in err
    assert "step 'learner.convert' (map)" in err
    assert "item: {'temp': 60}" in err
    assert "learnstream/engine" not in err and "operators/__init__" not in err
    assert len(err.splitlines()) < 25
    debug = run_cli(tmp_path, "myflow", "--debug")
    assert "learnstream/engine/" in debug.stderr  # --debug keeps the engine's frames


def test_run_missing_module_says_where_it_looked(tmp_path: Path) -> None:
    proc = run_cli(tmp_path, "nosuchmodule")
    assert proc.returncode == 2
    assert "no module named 'nosuchmodule'" in proc.stderr
    assert str(tmp_path) in proc.stderr
    assert "Traceback" not in proc.stderr


def test_run_missing_attribute_lists_the_flows_it_has(tmp_path: Path) -> None:
    (tmp_path / "myflow.py").write_text(LEARNER_FLOW)
    proc = run_cli(tmp_path, "myflow:flw")
    assert proc.returncode == 2
    assert "has no attribute 'flw'" in proc.stderr
    assert "Dataflows it defines: flow" in proc.stderr
