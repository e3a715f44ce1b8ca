"""One measurement in a fresh process: `python -m benchmarks.child WORKLOAD SYSTEM SIZE [PATH]`.

Prints one JSON line: the seconds the work took (the *inner* figure: imports,
input data and the flow are prepared before the clock starts), its checksum,
and the process's peak resident memory. The runner times the whole child from
the outside as well (the figure a user meets: start-up, imports and all). The
runner sets `LEARNSTREAM_BACKEND` for the `learnstream` and `twin` systems;
after the run the child checks it got the backend it was asked for, so a C core
that failed to load can never pass for the C figures.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BACKEND_OF = {"learnstream": "c", "twin": "python", "snapshots": "c"}

INNER = {"keyed_count": 3, "keyed_count_shared": 3, "key_slots": 3}
"""The keyed micros take a fraction of a second, so a child runs each three
times on fresh state and reports the fastest (as `timeit` does): on a shared
machine one short run is mostly the neighbours' noise. Everything else runs
once per child (the twin's window assignment alone takes seconds)."""

FLOW_IMPORTS = (
    "import learnstream.operators, learnstream.operators.windowing, "
    "learnstream.connectors.files, learnstream.testing"
)
"""What a flow imports (course/reference/architecture.md: ≤ 30 ms over bare Python)."""


def import_snippet(imports: str) -> str:
    """What the runner runs with `python -c` to time `imports` (`pass` for bare Python).

    Nothing but `time` is imported before the clock starts, so the inner figure
    includes every module the imports pull in; the whole process adds the
    interpreter's own start-up.
    """
    return (
        f"import time; t = time.perf_counter(); {imports}; "
        "t = time.perf_counter() - t; import json, resource; "
        "print(json.dumps({'seconds': t, 'checksum': 'imported', "
        "'rss_kb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))"
    )


def _check_backend(system: str) -> None:
    import learnstream

    wanted = BACKEND_OF[system]
    if learnstream.BACKEND != wanted:
        raise SystemExit(f"{system}: asked for backend {wanted!r}, got {learnstream.BACKEND!r}")


def _window_module(system: str) -> object:
    """The window core of the backend under test; the C one must really be C."""
    from learnstream.engine import backend

    if system == "learnstream" and backend.windows.__name__ != "learnstream.engine.windows_c":
        raise SystemExit(
            "learnstream: the C window core is not loaded (the extension was built "
            "without csrc/windows.c?); reinstall with `pip install -e .`"
        )
    return backend.windows


def _with_recovery(api: Any) -> Any:
    """`api` whose `run_main` snapshots every second into a fresh store (as `run -r DB -s 1 -b 0`)."""
    import atexit
    import dataclasses
    import shutil
    import tempfile
    from datetime import timedelta

    from learnstream.recovery import RecoveryConfig, init_db_dir

    db = Path(tempfile.mkdtemp(prefix="learnstream-bench-db-"))
    atexit.register(shutil.rmtree, db, ignore_errors=True)  # the store is measured, not kept
    init_db_dir(db, 1)
    config = RecoveryConfig(db, timedelta(0))

    def run_main(flow: Any) -> None:
        api.run_main(flow, epoch_interval=timedelta(seconds=1), recovery_config=config)

    return dataclasses.replace(api, run_main=run_main)


def prepare(workload: str, system: str, size: int, path: str | None) -> Callable[[], str]:
    """Everything before the clock starts: imports, input data, flow construction."""
    from benchmarks import workloads as w

    if workload in ("W1", "W2"):
        assert path is not None, f"{workload} needs its input file"
        source = Path(path)
        if system == "floor":
            floor = w.w1_floor if workload == "W1" else w.w2_floor
            return lambda: floor(source)
        api = w.bytewax_api() if system == "bytewax" else w.learnstream_api()
        if system == "snapshots":
            api = _with_recovery(api)
        engine = w.w1_engine if workload == "W1" else w.w2_engine
        return lambda: engine(api, source)
    if workload == "W3":
        from benchmarks.data import ints

        data = ints(size)
        if system == "floor":
            return lambda: w.w3_floor(data)
        if system == "genexpr":
            return lambda: w.w3_genexpr(data)
        api = w.bytewax_api() if system == "bytewax" else w.learnstream_api()
        return lambda: w.w3_engine(api, data)
    if workload in ("W4", "W4b", "join_state"):
        from benchmarks.data import orders_and_payments

        orders, payments = orders_and_payments(size)
        if workload == "join_state":
            from benchmarks import micro
            from learnstream.engine import backend

            sides = w.w4_sides(orders, payments)
            return lambda: micro.join_state(backend.joins, sides)
        timed = workload == "W4b"
        sides = (w.w4b_sides if timed else w.w4_sides)(orders, payments)
        if system == "floor":
            floor = w.w4b_floor if timed else w.w4_floor
            return lambda: floor(sides)
        api = w.bytewax_api() if system == "bytewax" else w.learnstream_api()
        engine = w.w4b_engine if timed else w.w4_engine
        return lambda: engine(api, sides)
    if workload == "W6":
        from benchmarks.data import distinct_keys

        keys = distinct_keys(size)
        if system == "floor":
            return lambda: w.w6_floor(keys)
        return lambda: w.w6_engine(w.learnstream_api(), keys)
    if workload == "W5":
        data = w.agrawal(size)
        if system == "floor":
            return lambda: w.w5_floor(data)
        api = w.bytewax_api() if system == "bytewax" else w.learnstream_api()
        return lambda: w.w5_engine(api, data)
    from benchmarks import micro

    if workload == "window_assign":
        windows = _window_module(system)
        slots, micros = micro.window_input(size)
        return lambda: micro.window_assign(windows, slots, micros)  # type: ignore[arg-type]
    from learnstream.engine.backend import core

    keys = micro.zipf_keys(size, shared=workload.endswith("_shared"))
    bench = micro.KEYED[workload]
    return lambda: bench(core, keys)


def main(argv: list[str]) -> None:
    workload, system, size = argv[0], argv[1], int(argv[2])
    path = argv[3] if len(argv) > 3 else None
    run = prepare(workload, system, size, path)
    best = float("inf")
    for _ in range(INNER.get(workload, 1)):
        started = time.perf_counter()
        checksum = run()
        best = min(best, time.perf_counter() - started)
    if system in BACKEND_OF:
        _check_backend(system)
    result = {
        "seconds": best,
        "checksum": checksum,
        "rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "pid": os.getpid(),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
