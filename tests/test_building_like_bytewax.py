"""Building a flow fails and draws as in Bytewax 0.21.1: same error types, same pictures.

Each check builds the same flow with both libraries (Bytewax is the oracle).
"""

import json
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import bytewax.dataflow as bw_dataflow
import bytewax.operators as bw_op
import bytewax.operators.windowing as bw_win
import bytewax.testing as bw_testing
import bytewax.visualize as bw_visualize
import pytest

import learnstream.dataflow as ls_dataflow
import learnstream.operators as ls_op
import learnstream.operators.windowing as ls_win
import learnstream.testing as ls_testing
import learnstream.visualize as ls_visualize
from learnstream.connectors.files import DirSource

ROOT = Path(__file__).resolve().parents[1]
T0 = datetime(2024, 1, 1, tzinfo=UTC)
LIBS = {
    "bytewax": (bw_op, bw_win, bw_dataflow, bw_testing),
    "learnstream": (ls_op, ls_win, ls_dataflow, ls_testing),
}


def mistake(lib: str, kind: str) -> BaseException:
    op, _, df, testing = LIBS[lib]
    flow = df.Dataflow("df")
    inp = op.input("inp", flow, testing.TestingSource([1]))
    attempts: dict[str, Any] = {
        "step id not a str": lambda: op.input(1, flow, testing.TestingSource([])),
        "step id with a period": lambda: op.map("a.b", inp, str),
        "not a stream": lambda: op.map("m", 1, str),
        "not a stream in *args": lambda: op.merge("mg", inp, 2),
        "branch result unpacked wrongly": lambda: op.map("m", op.branch("b", inp, bool), str),
        "too few arguments": lambda: op.map("m", inp),
    }
    try:
        attempts[kind]()
    except BaseException as exc:  # the point: compare what each library raises
        return exc
    raise AssertionError(f"{lib} accepted: {kind}")


@pytest.mark.parametrize(
    ("kind", "wording"),
    [
        ("step id not a str", "must be a `str`"),
        ("step id with a period", "can't contain any periods"),
        ("not a stream", "must be a `Stream`"),
        ("not a stream in *args", "*args all must be a `Stream`"),
        ("branch result unpacked wrongly", "must be a `Stream`"),
        ("too few arguments", "called incorrectly"),
    ],
)
def test_building_mistakes_raise_what_bytewax_raises(kind: str, wording: str) -> None:
    ours, theirs = mistake("learnstream", kind), mistake("bytewax", kind)
    assert type(theirs).__name__ in [c.__name__ for c in type(ours).__mro__]
    assert wording in str(ours) and wording in str(theirs)


def nested_stream_operator(lib: str) -> Any:
    op, _, df, _ = LIBS[lib]

    @df.operator
    def merge_all(step_id: str, up: df.Stream, others: list[df.Stream]) -> df.Stream:
        return op.merge("merge", up, *others)

    @df.operator
    def merge_args(step_id: str, up: df.Stream, *others: df.Stream) -> df.Stream:
        return op.merge("merge", up, *others)

    return merge_all, merge_args


@pytest.mark.parametrize("lib", ["bytewax", "learnstream"])
def test_streams_nested_in_a_list_are_refused_but_star_args_work(lib: str) -> None:
    op, _, df, testing = LIBS[lib]
    merge_all, merge_args = nested_stream_operator(lib)
    flow = df.Dataflow("df")
    a = op.input("a", flow, testing.TestingSource([1]))
    b = op.input("b", flow, testing.TestingSource([2]))
    with pytest.raises(AssertionError, match="inconsistent stream scoping"):
        merge_all("nested", a, [b])
    out: list[int] = []
    op.output("out", merge_args("star", a, b), testing.TestingSink(out))
    testing.run_main(flow)
    assert sorted(out) == [1, 2]


@pytest.mark.parametrize("lib", ["bytewax", "learnstream"])
def test_a_stream_captured_from_outside_an_operator_is_refused(lib: str) -> None:
    op, _, df, testing = LIBS[lib]
    flow = df.Dataflow("df")
    outside = op.input("outside", flow, testing.TestingSource([1]))

    @df.operator
    def sneaky(step_id: str, up: df.Stream) -> df.Stream:
        return op.merge("merge", up, outside)

    with pytest.raises(AssertionError, match="inconsistent stream scoping"):
        sneaky("sneaky", op.input("inp", flow, testing.TestingSource([2])))


def shapes(lib: str) -> dict[str, Any]:
    """Flows whose operators are built the same way in both libraries."""
    op, _, df, testing = LIBS[lib]
    flows = {}
    linear = df.Dataflow("linear")
    s = op.input("inp", linear, testing.TestingSource([1]))
    op.output("out", op.map("add_one", s, lambda x: x + 1), testing.TestingSink([]))
    flows["linear"] = linear
    fan = df.Dataflow("fan")
    nums = op.input("nums", fan, testing.TestingSource([1]))
    op.output("o1", op.map("one", nums, str), testing.TestingSink([]))
    op.output("o2", op.map("two", nums, bool), testing.TestingSink([]))
    flows["fan"] = fan
    merged = df.Dataflow("merged")
    a = op.input("a", merged, testing.TestingSource([1]))
    b = op.input("b", merged, testing.TestingSource([2]))
    split = op.branch("split", op.merge("merge", a, b), lambda x: x > 1)
    op.output("t", split.trues, testing.TestingSink([]))
    op.inspect("f", split.falses)
    flows["merged"] = merged
    keyed = df.Dataflow("keyed")
    pairs = op.input("pairs", keyed, testing.TestingSource([("a", 1)]))
    op.output("out", op.stateful_map("sm", pairs, lambda s, v: (s, v)), testing.TestingSink([]))
    flows["stateful_map"] = keyed  # nested three deep: stateful_flat_map > stateful > ...
    return flows


@pytest.mark.parametrize("name", ["linear", "fan", "merged", "stateful_map"])
def test_to_json_is_bytewax_s(name: str) -> None:
    ours = json.loads(ls_visualize.to_json(shapes("learnstream")[name]))
    theirs = json.loads(bw_visualize.to_json(shapes("bytewax")[name]))
    assert ours == theirs


def busy_flow(lib: str) -> Any:
    """Every kind of top-level wiring: fan-in, branch fields, keyed and windowed steps."""
    op, win, df, testing = LIBS[lib]
    flow = df.Dataflow("busy")
    a = op.input("a", flow, testing.TestingSource([1]))
    b = op.input("b", flow, testing.TestingSource([2]))
    br = op.branch("br", op.merge("m", a, b), lambda x: x > 1)
    keyed = op.key_on("k", br.trues, str)
    counts = op.count_final("c", br.falses, str)
    state = op.stateful_map("sm", keyed, lambda s, v: (s, v))
    joined = op.join("j", keyed, state)
    clock = win.EventClock(lambda x: T0, timedelta(0))
    windows = win.count_window(
        "cw", keyed, clock, win.TumblingWindower(timedelta(seconds=1), T0), lambda v: "x"
    )
    op.output("o1", windows.down, testing.TestingSink([]))
    op.output("o2", joined, testing.TestingSink([]))
    op.inspect("o3", op.flatten("fl", op.map("ml", counts, lambda x: [x])))
    op.output("o4", op.collect("col", keyed, timedelta(1), 3), testing.TestingSink([]))
    return flow


def test_to_mermaid_is_bytewax_s() -> None:
    ours = ls_visualize.to_mermaid(busy_flow("learnstream"))
    assert ours == bw_visualize.to_mermaid(busy_flow("bytewax"))
    assert ours.splitlines()[:2] == ["flowchart TD", 'subgraph "busy (Dataflow)"']
    assert 'busy.br -- "trues → up" --> busy.k' in ours


def test_visualize_cli_draws_bytewax_s_mermaid_and_json() -> None:
    def cli(fmt: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", "learnstream", "visualize", "wordcount", "--format", fmt],
            cwd=ROOT / "examples",
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    sys.path.insert(0, str(ROOT / "examples"))
    try:
        import wordcount  # the seed program, built with learnstream
    finally:
        sys.path.pop(0)
    assert isinstance(wordcount, ModuleType)
    assert cli("mermaid") == ls_visualize.to_mermaid(wordcount.flow) + "\n"
    assert json.loads(cli("json"))["flow_id"] == "wordcount"
    assert "count (count_final)" in cli("text")


def test_dir_source_says_what_is_wrong_with_the_path(tmp_path: Path) -> None:
    from bytewax.connectors.files import DirSource as BwDirSource

    missing, a_file = tmp_path / "nope", tmp_path / "f.txt"
    a_file.write_text("x\n")
    for path, wording in [(missing, "does not exist"), (a_file, "is not a directory")]:
        with pytest.raises(ValueError, match=wording):
            DirSource(path)
        with pytest.raises(ValueError, match=wording):
            BwDirSource(path)


@pytest.mark.parametrize("name", ["linear", "fan", "merged", "stateful_map"])
@pytest.mark.parametrize("recursive", [False, True])
def test_to_plantuml_is_bytewax_s(name: str, recursive: bool) -> None:
    ours = ls_visualize.to_plantuml(shapes("learnstream")[name], recursive)
    assert ours == bw_visualize.to_plantuml(shapes("bytewax")[name], recursive)


def test_python_m_visualize_takes_bytewax_s_flags() -> None:
    def run(*flags: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", "learnstream.visualize", "wordcount", *flags],
            cwd=ROOT / "examples",
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    assert run().startswith('flowchart TD\nsubgraph "wordcount (Dataflow)"')
    assert json.loads(run("-o", "json"))["typ"] == "RenderedDataflow"
    plant = run("-o", "plantuml", "-r")
    assert plant.startswith("@startuml") and "wordcount.count" in plant


def test_f_repr_names_the_function_as_bytewax_does() -> None:
    def double(x: int) -> int:
        return 2 * x

    assert ls_dataflow.f_repr(double) == bw_dataflow.f_repr(double)
    assert ls_dataflow.f_repr(len) == bw_dataflow.f_repr(len)


def test_tracing_takes_bytewax_s_arguments_and_logs_the_run_s_spans_locally() -> None:
    """A flow script that sets up Bytewax's tracing runs unchanged: the configs and
    `setup_tracing` take the same arguments, and the spans come out as log lines on
    stderr (learnstream has no collector to send them to). Each library in its own
    process: Bytewax's tracer is global to the process."""
    script = """
import sys
lib = sys.argv[1]
tracing = __import__(lib + ".tracing", fromlist=["x"])
op = __import__(lib + ".operators", fromlist=["x"])
Dataflow = __import__(lib + ".dataflow", fromlist=["x"]).Dataflow
testing = __import__(lib + ".testing", fromlist=["x"])
config = tracing.OtlpTracingConfig(service_name="wordcount", url="grpc://127.0.0.1:4317")
assert (config.service_name, config.url, config.sampling_ratio) == (
    "wordcount", "grpc://127.0.0.1:4317", 1.0)
jaeger = tracing.JaegerConfig("wordcount", endpoint="127.0.0.1:6831", sampling_ratio=0.5)
assert (jaeger.endpoint, jaeger.sampling_ratio) == ("127.0.0.1:6831", 0.5)
tracer = tracing.setup_tracing(log_level="INFO")
flow = Dataflow("df")
out = []
op.output("out", op.input("inp", flow, testing.TestingSource([1, 2])), testing.TestingSink(out))
testing.run_main(flow)
print(out)
"""
    runs = {
        lib: subprocess.run(
            [sys.executable, "-c", script, lib], capture_output=True, text=True, timeout=120
        )
        for lib in LIBS
    }
    for lib, done in runs.items():
        assert done.returncode == 0, (lib, done.stderr)
        # Bytewax writes its log lines on stdout; learnstream keeps stdout for the flow's output.
        assert done.stdout.endswith("[1, 2]\n"), lib
    assert runs["learnstream"].stdout == "[1, 2]\n"
    logged = runs["learnstream"].stderr.splitlines()
    assert logged[0] == "learnstream INFO learnstream.engine: run of flow 'df' started at epoch 1"
    assert logged[-1].startswith("learnstream INFO learnstream.engine: run ended in epoch 1")


def test_tracing_refuses_an_unknown_level_and_is_quiet_by_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from learnstream import tracing

    with pytest.raises(ValueError, match="Unknown log level: 'LOUD'"):
        tracing.setup_tracing(log_level="LOUD")
    tracer = tracing.setup_tracing()  # ERROR: a run's spans are not errors
    try:
        flow = ls_dataflow.Dataflow("df")
        ls_op.output(
            "out",
            ls_op.input("inp", flow, ls_testing.TestingSource([1])),
            ls_testing.TestingSink([]),
        )
        ls_testing.run_main(flow)
    finally:
        tracer.close()
    assert capsys.readouterr().err == ""


class _Trickle:
    """A source of `(key, n)` items, one per batch, `gap` seconds apart (either library)."""

    def __init__(self, inputs: ModuleType, items: list[Any], gap: float) -> None:
        outer = self

        class Part(inputs.StatelessSourcePartition):  # type: ignore[misc,name-defined]
            def __init__(self) -> None:
                self.left = list(items)

            def next_batch(self) -> list[Any]:
                if not self.left:
                    raise StopIteration
                if len(self.left) < len(items):
                    time.sleep(outer.gap)
                return [self.left.pop(0)]

        class Source(inputs.DynamicSource):  # type: ignore[misc,name-defined]
            def build(self, step_id: str, worker_index: int, worker_count: int) -> Part:
                return Part()

        self.gap = gap
        self.source = Source()


def test_collect_s_timeout_restarts_with_each_value() -> None:
    """Bytewax 0.21.1 sets a key's deadline to `timeout` after its latest value: values
    0.3 s apart never time out a 1.5 s collect, however long the key's list grows."""
    import bytewax.inputs as bw_inputs

    import learnstream.inputs as ls_inputs

    items = [("a", n) for n in range(8)]  # 2.1 s from the first to the last
    outs = {}
    for lib, inputs in [("bytewax", bw_inputs), ("learnstream", ls_inputs)]:
        op, _, df, testing = LIBS[lib]
        flow = df.Dataflow("df")
        s = op.input("inp", flow, _Trickle(inputs, items, 0.3).source)
        out: list[Any] = []
        op.output(
            "out",
            op.collect("c", s, timeout=timedelta(seconds=1.5), max_size=100),
            testing.TestingSink(out),
        )
        testing.run_main(flow)
        outs[lib] = out
    assert outs["learnstream"] == outs["bytewax"] == [("a", list(range(8)))]


KEY_ORDER_INPUT = [("c", 1), ("a", 2), ("b", 3), ("a", 4), ("c", 5), ("b10", 6), ("B", 7)]


@pytest.mark.parametrize("operator", ["stateful_map", "collect", "timers"])
def test_one_batch_hands_its_keys_over_in_key_order(operator: str) -> None:
    """Within one batch, Bytewax's `stateful_batch` gives each key its values (and fires
    due timers) in key order, not in the order the keys arrived."""
    outs = {}
    for lib in LIBS:
        op, _, df, testing = LIBS[lib]
        flow = df.Dataflow("df")
        s = op.input("inp", flow, testing.TestingSource(KEY_ORDER_INPUT, batch_size=10))
        if operator == "stateful_map":
            s = op.stateful_map("sm", s, lambda total, v: ((total or 0) + v, (total or 0) + v))
        elif operator == "collect":
            s = op.collect("co", s, timeout=timedelta(seconds=10), max_size=2)
        else:
            s = op.stateful("st", s, lambda resume, op=op: _fires_once(op))
        out: list[Any] = []
        op.output("out", s, testing.TestingSink(out))
        testing.run_main(flow)
        outs[lib] = out
    assert outs["learnstream"] == outs["bytewax"]


def _fires_once(op: ModuleType) -> Any:
    """A logic of `op`'s library with a timer long past: it fires at once."""

    class FiresOnce(op.StatefulLogic):  # type: ignore[misc,name-defined]
        def __init__(self) -> None:
            self.fired = False

        def on_item(self, value: Any) -> tuple[list[Any], bool]:
            return [("item", value)], False

        def on_notify(self) -> tuple[list[Any], bool]:
            self.fired = True
            return [("notify",)], False

        def on_eof(self) -> tuple[list[Any], bool]:
            return [("eof",)], True

        def notify_at(self) -> datetime | None:
            return None if self.fired else T0  # long past: due at once

        def snapshot(self) -> None:
            return None

    return FiresOnce()


def port_view(port: Any) -> tuple[str, str, list[Any]]:
    return type(port).__name__, port.port_id, list(port.stream_ids)


def record_view(step: Any) -> tuple[Any, ...]:
    """What a user reads off an operator record: its type, ids, ports and a flow argument.

    A stream's id names the step inside an operator that made it, whose nesting is
    each library's own (Bytewax's key_on is a map over flat_map_batch): ports are
    compared by kind, id and stream names (`to_rendered` links them, tested below).
    """
    ports = {name: port_view(getattr(step, name)) for name in step.ups_names + step.dwn_names}
    flow_ref = getattr(step, "flow", None)
    return (
        type(step).__name__,
        step.step_name,
        step.step_id,
        list(step.ups_names),
        list(step.dwn_names),
        ports,
        None if flow_ref is None else (type(flow_ref).__name__, flow_ref.flow_id),
    )


def test_operator_records_are_bytewax_s() -> None:
    ours, theirs = busy_flow("learnstream"), busy_flow("bytewax")
    assert [record_view(s) for s in ours.substeps] == [record_view(s) for s in theirs.substeps]
    # The records hold the calls' other arguments too, and their nested calls.
    for lib_flow, df in [(ours, ls_dataflow), (theirs, bw_dataflow)]:
        inp, _, merge, branch = lib_flow.substeps[:4]
        assert isinstance(inp, df.Operator) and isinstance(inp.down, df.SinglePort)
        assert inp.flow == df.DataflowId("busy") and type(inp.source).__name__ == "TestingSource"
        assert isinstance(merge.ups, df.MultiPort) and merge.ups.stream_ids == {
            0: "busy.a.down",
            1: "busy.b.down",
        }
        assert branch.predicate(2) is True
        ml = next(s for s in lib_flow.substeps if s.step_name == "ml")
        assert [sub.step_id for sub in ml.substeps] == ["busy.ml.flat_map_batch"]
        assert isinstance(ml.down, df.Port) and ml.down.stream_id == "busy.ml.flat_map_batch.down"


@pytest.mark.parametrize("name", ["linear", "fan", "merged", "stateful_map"])
def test_rendered_records_are_bytewax_s(name: str) -> None:
    import dataclasses

    ours = ls_visualize.to_rendered(shapes("learnstream")[name])
    theirs = bw_visualize.to_rendered(shapes("bytewax")[name])
    assert type(ours).__name__ == type(theirs).__name__ == "RenderedDataflow"
    assert dataclasses.asdict(ours) == dataclasses.asdict(theirs)
    step, their_step = ours.substeps[-1], theirs.substeps[-1]
    assert isinstance(step, ls_visualize.RenderedOperator)
    assert isinstance(step.inp_ports[0], ls_visualize.RenderedPort)
    assert step.inp_ports[0] == ls_visualize.RenderedPort(
        **dataclasses.asdict(their_step.inp_ports[0])
    )


@pytest.mark.parametrize("lib", LIBS)
def test_a_stream_names_its_flow_by_the_method_bytewax_has(lib: str) -> None:
    """`stream.flow()` is the flow, so top-level steps can be added from a stream alone."""
    op, _, df, testing = LIBS[lib]
    flow = df.Dataflow("df")
    nums = op.input("nums", flow, testing.TestingSource([1, 2]))
    assert nums.flow() is flow
    more = op.input("more", op.map("m", nums, str).flow(), testing.TestingSource([3]))
    out: list[int] = []
    op.output("out", op.merge("merge", nums, more), testing.TestingSink(out))
    testing.run_main(flow)
    assert sorted(out) == [1, 2, 3]


@pytest.mark.parametrize("lib", LIBS)
@pytest.mark.parametrize("name", ["substeps", "step_name", "ups_names"])
def test_an_operator_parameter_may_not_hide_the_record_s_own_names(lib: str, name: str) -> None:
    """Bytewax refuses such an operator with a TypeError naming the parameter; so does learnstream."""
    _, _, df, _ = LIBS[lib]
    namespace: dict[str, Any] = {}
    exec(f"def shadowing(step_id, up, {name}):\n    return up", namespace)
    with pytest.raises(TypeError, match=repr(name)):
        df.operator(namespace["shadowing"])
