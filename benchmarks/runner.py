"""Run the workloads on every system, alternating, and report medians and ratios.

`python -m benchmarks [--quick] [--only W1,W3] [--repeats N] [--markdown FILE]`
(or `learnstream bench ...`). Every measurement is a fresh child process
(`benchmarks.child`), so each one's peak RSS is its own and no system warms a
cache for the next. Each child is timed twice: from the outside, as a whole
process (start-up, imports, input, the work: what a user meets), and from the
inside, the work alone (the *inner* figure). Round `r` runs every system of a
workload once, starting from a different system each round; ratios are taken
within a round (paired) and then their median is reported, because on a shared
machine two programs measured side by side drift together while absolute times
drift by 20-30 %. W1-W3 run at the sizes of the performance targets
(course/reference/architecture.md) and at everyday sizes.

The exit status is 1, with a message naming the systems, when any two systems
disagree on a workload's checksum or a measurement fails; missing a
performance target is reported, never an error (`--quick` sizes are too small
to mean anything but correctness).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import resource
import site
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import data
from benchmarks.child import FLOW_IMPORTS, import_snippet
from benchmarks.report import LABELS, machine, report

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Workload:
    """One thing to measure, on several systems."""

    name: str
    title: str
    systems: tuple[str, ...]
    full: int  # size of a real run (bytes of text, events, items or keys): the targets'
    quick: int  # size for --quick: correctness only
    floor_title: str = ""
    make_input: Callable[[int], Path] | None = None
    everyday: int = 0  # a second, everyday size (0: none)
    micro: bool = False  # judged on the inner figure (the whole process is mostly set-up)
    unit: str = ""  # what a size counts, for the report ("bytes", "events", "ints")

    def sizes(self, quick: bool, scale: float) -> list[int]:
        if quick:
            return [self.quick]
        everyday = [int(self.everyday * scale)] if self.everyday else []
        return [int(self.full * scale), *everyday]


WORKLOADS: dict[str, Workload] = {
    w.name: w
    for w in (
        Workload(
            "W1",
            "word count, Zipf text",
            ("floor", "learnstream", "twin", "snapshots", "bytewax"),
            50_000_000,
            200_000,
            "Counter.update(re.findall(...)) per line",
            data.zipf_text,
            everyday=10_000_000,
            unit="bytes",
        ),
        Workload(
            "W2",
            "windowed count, 10 s tumbling, 1,000 keys",
            ("floor", "learnstream", "twin", "snapshots", "bytewax"),
            2_000_000,
            20_000,
            "the same datetime parse, then a dict keyed by (key, window)",
            data.events,
            everyday=500_000,
            unit="events",
        ),
        Workload(
            "W3",
            "ints -> map(x*2) -> filter(x%3==0) -> counting sink",
            ("floor", "genexpr", "learnstream", "twin", "bytewax"),
            5_000_000,
            50_000,
            "builtin map/filter with the same functions",
            everyday=2_000_000,
            unit="ints",
        ),
        Workload(
            "W4",
            "join last/complete: orders with their payments (3,000 behind, some disorder)",
            ("floor", "learnstream", "twin", "bytewax"),
            1_000_000,
            20_000,
            "two plain dicts over the same batches",
            everyday=200_000,
            unit="pairs",
        ),
        Workload(
            "W4b",
            "the same through join_window, 10 s tumbling windows on event time",
            ("floor", "learnstream", "twin", "bytewax"),
            1_000_000,
            20_000,
            "two plain dicts keyed by (key, window) over the same batches",
            unit="pairs",
        ),
        Workload(
            "W5",
            "prequential StandardScaler | LogisticRegression (River) on Agrawal",
            ("floor", "learnstream", "bytewax"),
            100_000,
            2_000,
            "the plain River loop: predict_one, Accuracy.update, learn_one, Accuracy.get",
            unit="examples",
        ),
        Workload(
            "W6",
            "count_final over 3 million distinct keys (keyed state dominates)",
            ("floor", "learnstream", "twin"),
            3_000_000,
            20_000,
            "Counter.update per batch of 1,000, then sorted(items)",
            everyday=500_000,
            unit="keys",
        ),
        Workload(
            "keyed_count",
            "micro: KeyCounter.add, Zipf words (each its own str) in batches of 10,000",
            ("learnstream", "twin"),
            1_500_000,
            20_000,
            micro=True,
        ),
        Workload(
            "keyed_count_shared",
            "micro: KeyCounter.add, the same words as the vocabulary's shared strs",
            ("learnstream", "twin"),
            1_500_000,
            20_000,
            micro=True,
        ),
        Workload(
            "key_slots",
            "micro: KeyTable.slots, Zipf words in batches of 10,000",
            ("learnstream", "twin"),
            1_500_000,
            20_000,
            micro=True,
        ),
        Workload(
            "window_assign",
            "micro: WindowCore.process, W2's events in batches of 10,000",
            ("learnstream", "twin"),
            2_000_000,
            20_000,
            micro=True,
        ),
        Workload(
            "join_state",
            "micro: JoinCore.join_batch, W4's batches (the join step's whole work)",
            ("learnstream", "twin"),
            1_000_000,
            20_000,
            micro=True,
        ),
        Workload(
            "import",
            "what a flow imports (operators, windowing, files, testing), fresh interpreter",
            ("bare", "learnstream"),
            0,
            0,
        ),
    )
}


class BenchmarkError(Exception):
    """A measurement failed or two systems disagreed: the run proves nothing."""


@dataclass
class Measurement:
    seconds: float  # inner: the work alone, timed by the child
    checksum: str
    rss_kb: int
    wall: float = 0.0  # whole process: the child timed from the outside
    cpu: float = 0.0  # whole process: the child's CPU time (user + system)


@dataclass
class WorkloadResult:
    workload: Workload
    size: int
    rounds: list[dict[str, Measurement]] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The workload, with its size when it runs at more than one."""
        wl = self.workload
        if not wl.everyday:
            return wl.name
        return f"{wl.name} ({data.human_size(self.size, wl.unit)})"

    def systems(self) -> list[str]:
        seen = {s for r in self.rounds for s in r}
        return [s for s in self.workload.systems if s in seen]

    def times(self, system: str, whole: bool = False) -> list[float]:
        return [r[system].wall if whole else r[system].seconds for r in self.rounds if system in r]

    def median(self, system: str, whole: bool = False) -> float:
        return statistics.median(self.times(system, whole))

    def peak_rss_kb(self, system: str) -> int:
        return max(r[system].rss_kb for r in self.rounds if system in r)

    def paired_ratio(self, num: str, den: str, whole: bool = False) -> float | None:
        """Median over rounds of num's time / den's time, measured side by side."""
        pairs = [(r[num], r[den]) for r in self.rounds if num in r and den in r]
        if whole:
            ratios = [n.wall / d.wall for n, d in pairs]
        else:
            ratios = [n.seconds / d.seconds for n, d in pairs]
        return statistics.median(ratios) if ratios else None

    def paired_difference(self, num: str, den: str, field: str = "wall") -> float | None:
        """Median over rounds of num's - den's `wall`, `cpu` or (inner) `seconds`."""
        pairs = [(r[num], r[den]) for r in self.rounds if num in r and den in r]
        diffs = [getattr(n, field) - getattr(d, field) for n, d in pairs]
        return statistics.median(diffs) if diffs else None

    def checksums(self) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for r in self.rounds:
            for system, m in r.items():
                found.setdefault(system, set()).add(m.checksum)
        return found


def disagreements(result: WorkloadResult) -> list[str]:
    """One line per system whose checksum differs from the first system's (or varies)."""
    found = result.checksums()
    if not found:
        return []
    systems = result.systems()
    reference = found[systems[0]]
    problems = []
    for system in systems:
        sums = found[system]
        if len(sums) > 1 or sums != reference:
            problems.append(
                f"{result.name}: {LABELS[system]} gave {sorted(sums)}, "
                f"{LABELS[systems[0]]} gave {sorted(reference)}"
            )
    return problems


def child_env(system: str) -> dict[str, str]:
    """The environment of a measurement: this checkout's code, the system's backend."""
    import learnstream

    env = dict(os.environ)
    # The child must import the same learnstream and benchmarks as this process.
    paths = [str(ROOT), str(Path(learnstream.__file__).resolve().parents[1])]
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env.pop("LEARNSTREAM_BACKEND", None)
    if system in ("learnstream", "snapshots"):
        env["LEARNSTREAM_BACKEND"] = "c"
    elif system == "twin":
        env["LEARNSTREAM_BACKEND"] = "python"
    return env


def measure(workload: str, system: str, size: int, path: Path | None) -> Measurement:
    """Run one measurement in a child process, timing it whole, and read its JSON line.

    The import figures run with `python -S` (site-packages on `PYTHONPATH`, no
    `.pth` hooks): a site hook that imports modules at start-up (some
    environments install one) would make bare Python carry part of the cost
    being measured.
    """
    env = child_env(system)
    if workload == "import":
        snippet = import_snippet(FLOW_IMPORTS if system != "bare" else "pass")
        cmd = [sys.executable, "-S", "-c", snippet]
        env["PYTHONPATH"] = os.pathsep.join([env["PYTHONPATH"], *site.getsitepackages()])
    else:
        cmd = [sys.executable, "-m", "benchmarks.child", workload, system, str(size)]
        if path is not None:
            cmd.append(str(path))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
        raise BenchmarkError(
            f"{workload} on {LABELS[system]} failed (exit status {proc.returncode}):\n{tail}"
        )
    got = json.loads(lines[-1])
    return Measurement(got["seconds"], got["checksum"], got["rss_kb"], wall, cpu)


def compile_sources() -> None:
    """Write the bytecode caches of learnstream and the benchmarks before measuring.

    An installed package has them (pip compiles on install) and a checkout
    writes them on first import, unless `PYTHONDONTWRITEBYTECODE` is set: then
    every child would compile learnstream's sources again, a start-up cost no
    installed user pays.
    """
    import learnstream

    for folder in (Path(learnstream.__file__).resolve().parent, ROOT / "benchmarks"):
        compileall.compile_dir(folder, quiet=1)


def bytewax_importable() -> bool:
    """Whether Bytewax imports in a child (it supports Python <= 3.12 only)."""
    proc = subprocess.run(
        [sys.executable, "-c", "import bytewax.operators.windowing"],
        capture_output=True,
        check=False,
    )
    return proc.returncode == 0


def run_workload(
    workload: Workload,
    size: int,
    repeats: int,
    bytewax_repeats: int,
    systems: tuple[str, ...],
    log: Callable[[str], None],
) -> WorkloadResult:
    path = workload.make_input(size) if workload.make_input else None
    result = WorkloadResult(workload, size)
    for r in range(repeats):
        # Rotate the order each round so no system always runs first (or right
        # after the slowest one).
        order = systems[r % len(systems) :] + systems[: r % len(systems)]
        measured: dict[str, Measurement] = {}
        for system in order:
            if system == "bytewax" and r >= bytewax_repeats:
                continue
            m = measure(workload.name, system, size, path)
            measured[system] = m
            log(
                f"  {result.name} round {r + 1}/{repeats} {LABELS[system]:27s} "
                f"{m.wall:9.3f} s whole {m.seconds:9.3f} s inner "
                f"{m.rss_kb / 1024:8.1f} MB  {m.checksum}"
            )
        result.rounds.append(measured)
        problems = disagreements(result)
        if problems:  # stop at once: every later figure would be of a wrong result
            raise BenchmarkError("checksums disagree:\n" + "\n".join(problems))
    return result


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Measure learnstream (C core and Python twin) against the plain-Python "
        "floor and Bytewax 0.21.1, alternating them, and report medians and paired ratios.",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="tiny sizes, one round: checks "
        "that every system computes the same result (for CI), times mean nothing",
    )
    parser.add_argument(
        "--only", default="", help="comma-separated workloads: " + ",".join(WORKLOADS)
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=None,
        help="rounds per workload (default 5, or 1 with --quick)",
    )
    parser.add_argument(
        "--bytewax-repeats",
        type=int,
        default=3,
        help="rounds that include Bytewax, the slowest system (default 3)",
    )
    parser.add_argument("--no-bytewax", action="store_true", help="leave Bytewax out")
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="multiply every full size by this (e.g. 0.2 for a faster pass)",
    )
    parser.add_argument(
        "--sizes",
        choices=("both", "design", "everyday"),
        default="both",
        help="W1-W3 at the targets' sizes (50 MB, 2M events, 5M ints), at everyday "
        "sizes (10 MB, 500k events, 2M ints), or both (the default)",
    )
    parser.add_argument("--markdown", type=Path, help="also write the report to this file")
    parser.add_argument("--json", type=Path, help="also write every measurement to this file")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    names = [n.strip() for n in args.only.split(",") if n.strip()] or list(WORKLOADS)
    unknown = [n for n in names if n not in WORKLOADS]
    if unknown:
        print(f"unknown workload(s) {unknown}; choose from {list(WORKLOADS)}", file=sys.stderr)
        return 2
    repeats = args.repeats or (1 if args.quick else 5)
    with_bytewax = not args.no_bytewax and bytewax_importable()

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    compile_sources()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    header = (
        f"Measured {started} on {machine()}. "
        f"{repeats} round(s) per workload"
        + (f", Bytewax in {min(args.bytewax_repeats, repeats)}" if with_bytewax else ", no Bytewax")
        + (" — QUICK sizes: correctness only, the times mean nothing." if args.quick else ".")
    )
    log(header)
    results: list[WorkloadResult] = []
    try:
        for name in names:
            wl = WORKLOADS[name]
            sizes = wl.sizes(args.quick, args.scale)
            if wl.everyday and not args.quick and args.sizes != "both":
                sizes = sizes[:1] if args.sizes == "design" else sizes[1:]
            systems = tuple(s for s in wl.systems if with_bytewax or s != "bytewax")
            for size in sizes:
                log(f"{name}: {wl.title} (size {size:,})")
                results.append(run_workload(wl, size, repeats, args.bytewax_repeats, systems, log))
    except BenchmarkError as err:
        print(f"\nBENCHMARK FAILED: {err}", file=sys.stderr)
        return 1
    text = report(results, header)
    print(text)
    print("\nAll systems agree on every checksum.")
    if args.markdown:
        args.markdown.write_text(text + "\n", encoding="utf-8")
    if args.json:
        raw: dict[str, list[dict[str, object]]] = {}
        for r in results:
            rounds = [{s: vars(m) for s, m in rnd.items()} for rnd in r.rounds]
            raw.setdefault(r.workload.name, []).append({"size": r.size, "rounds": rounds})
        args.json.write_text(json.dumps(raw, indent=1), encoding="utf-8")
    return 0
