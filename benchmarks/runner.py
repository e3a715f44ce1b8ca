"""Run the workloads on every system, alternating, and report medians and ratios.

`python -m benchmarks [--quick] [--only W1,W3] [--repeats N] [--markdown FILE]`
(or `learnstream bench ...`). Every measurement is a fresh child process
(`benchmarks.child`), so each one's peak RSS is its own and no system warms a
cache for the next. Round `r` runs every system of a workload once, starting
from a different system each round; ratios are taken within a round (paired)
and then their median is reported, because on a shared machine two programs
measured side by side drift together while absolute times drift by 20-30 %.

The exit status is 1, with a message naming the systems, when any two systems
disagree on a workload's checksum or a measurement fails; missing a
performance target is reported, never an error (`--quick` sizes are too small
to mean anything but correctness).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import data
from benchmarks.child import IMPORT_SNIPPET

ROOT = Path(__file__).resolve().parents[1]

LABELS = {
    "floor": "plain Python",
    "genexpr": "generator expressions",
    "learnstream": "learnstream (C core)",
    "twin": "learnstream (Python twin)",
    "bytewax": "Bytewax 0.21.1",
}


@dataclass(frozen=True)
class Workload:
    """One thing to measure, on several systems."""

    name: str
    title: str
    systems: tuple[str, ...]
    full: int  # size of a real run (bytes of text, events, items or keys)
    quick: int  # size for --quick: correctness only
    floor_title: str = ""
    make_input: Callable[[int], Path] | None = None


WORKLOADS: dict[str, Workload] = {
    w.name: w
    for w in (
        Workload(
            "W1",
            "word count, Zipf text",
            ("floor", "learnstream", "twin", "bytewax"),
            50_000_000,
            200_000,
            "Counter.update(re.findall(...)) per line",
            data.zipf_text,
        ),
        Workload(
            "W2",
            "windowed count, 10 s tumbling, 1,000 keys",
            ("floor", "learnstream", "twin", "bytewax"),
            2_000_000,
            20_000,
            "the same datetime parse, then a dict keyed by (key, window)",
            data.events,
        ),
        Workload(
            "W3",
            "ints -> map(x*2) -> filter(x%3==0) -> counting sink",
            ("floor", "genexpr", "learnstream", "twin", "bytewax"),
            5_000_000,
            50_000,
            "builtin map/filter with the same functions",
        ),
        Workload(
            "keyed_count",
            "micro: KeyCounter.add, Zipf words in batches of 10,000",
            ("learnstream", "twin"),
            1_500_000,
            20_000,
        ),
        Workload(
            "key_slots",
            "micro: KeyTable.slots, Zipf words in batches of 10,000",
            ("learnstream", "twin"),
            1_500_000,
            20_000,
        ),
        Workload(
            "window_assign",
            "micro: WindowCore.process, W2's events in batches of 10,000",
            ("learnstream", "twin"),
            2_000_000,
            20_000,
        ),
        Workload(
            "import", "`import learnstream` in a fresh interpreter", ("learnstream", "twin"), 0, 0
        ),
    )
}

# Targets from DESIGN.md ("Performance: workloads and targets"): (numerator,
# denominator, bound, True when the ratio must be at most the bound).
TARGETS: dict[str, list[tuple[str, str, float, bool]]] = {
    "W1": [("learnstream", "floor", 1.15, True), ("bytewax", "learnstream", 6.0, False)],
    "W2": [("learnstream", "floor", 1.25, True), ("bytewax", "learnstream", 12.0, False)],
    "W3": [("learnstream", "floor", 1.25, True), ("bytewax", "learnstream", 1.6, False)],
    "keyed_count": [("twin", "learnstream", 2.0, False)],
    "window_assign": [("twin", "learnstream", 2.0, False)],
}
RSS_BOUND = 1.5  # learnstream's peak RSS / the floor's
IMPORT_BOUND_MS = 150.0


class BenchmarkError(Exception):
    """A measurement failed or two systems disagreed: the run proves nothing."""


@dataclass
class Measurement:
    seconds: float
    checksum: str
    rss_kb: int


@dataclass
class WorkloadResult:
    workload: Workload
    size: int
    rounds: list[dict[str, Measurement]] = field(default_factory=list)

    def systems(self) -> list[str]:
        seen = {s for r in self.rounds for s in r}
        return [s for s in self.workload.systems if s in seen]

    def times(self, system: str) -> list[float]:
        return [r[system].seconds for r in self.rounds if system in r]

    def median(self, system: str) -> float:
        return statistics.median(self.times(system))

    def peak_rss_kb(self, system: str) -> int:
        return max(r[system].rss_kb for r in self.rounds if system in r)

    def paired_ratio(self, num: str, den: str) -> float | None:
        """Median over rounds of num's time / den's time, measured side by side."""
        ratios = [r[num].seconds / r[den].seconds for r in self.rounds if num in r and den in r]
        return statistics.median(ratios) if ratios else None

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
                f"{result.workload.name}: {LABELS[system]} gave {sorted(sums)}, "
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
    if system == "learnstream":
        env["LEARNSTREAM_BACKEND"] = "c"
    elif system == "twin":
        env["LEARNSTREAM_BACKEND"] = "python"
    return env


def measure(workload: str, system: str, size: int, path: Path | None) -> Measurement:
    """Run one measurement in a child process and read its JSON line."""
    if workload == "import":
        cmd = [sys.executable, "-c", IMPORT_SNIPPET]
    else:
        cmd = [sys.executable, "-m", "benchmarks.child", workload, system, str(size)]
        if path is not None:
            cmd.append(str(path))
    proc = subprocess.run(
        cmd, env=child_env(system), cwd=ROOT, capture_output=True, text=True, check=False
    )
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
        raise BenchmarkError(
            f"{workload} on {LABELS[system]} failed (exit status {proc.returncode}):\n{tail}"
        )
    got = json.loads(lines[-1])
    return Measurement(got["seconds"], got["checksum"], got["rss_kb"])


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
                f"  {workload.name} round {r + 1}/{repeats} {LABELS[system]:27s} "
                f"{m.seconds:9.3f} s {m.rss_kb / 1024:8.1f} MB  {m.checksum}"
            )
        result.rounds.append(measured)
        problems = disagreements(result)
        if problems:  # stop at once: every later figure would be of a wrong result
            raise BenchmarkError("checksums disagree:\n" + "\n".join(problems))
    return result


# --- the report -------------------------------------------------------------


def _ratio(value: float) -> str:
    # Three decimals near the bounds, so "met" never disagrees with the figure shown.
    return f"{value:.3f}×" if value < 10 else f"{value:.1f}×"


def _seconds(value: float) -> str:
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return (
        f"{platform.system()} {platform.machine()}, {cpu}, {os.cpu_count()} cores; "
        f"Python {platform.python_version()}; load average at start {load}"
    )


def report(results: list[WorkloadResult], header: str) -> str:
    """The figures as Markdown: medians per system, then the paired ratios."""
    out = [
        header,
        "",
        "| workload | system | median | runs | peak RSS |",
        "|---|---|---:|---:|---:|",
    ]
    for res in results:
        for system in res.systems():
            label = LABELS[system]
            if system == "floor" and res.workload.floor_title:
                label += f" ({res.workload.floor_title})"
            out.append(
                f"| {res.workload.name} | {label} | {_seconds(res.median(system))} | "
                f"{len(res.times(system))} | {res.peak_rss_kb(system) / 1024:.0f} MB |"
            )
    out += [
        "",
        "| ratio (median of paired runs) | measured | target | met |",
        "|---|---:|---:|---|",
    ]
    for res in results:
        name = res.workload.name
        if name == "import":
            ms = res.median("learnstream") * 1000
            met = "yes" if ms < IMPORT_BOUND_MS else "**no**"
            out.append(
                f"| `import learnstream` (C core) | {ms:.0f} ms | < {IMPORT_BOUND_MS:.0f} ms | {met} |"
            )
            continue
        for num, den, bound, at_most in TARGETS.get(name, []):
            ratio = res.paired_ratio(num, den)
            if ratio is None:
                continue
            met = "yes" if (ratio <= bound if at_most else ratio >= bound) else "**no**"
            sign = "≤" if at_most else "≥"
            goal = " (goal 3×)" if num == "twin" else ""
            out.append(
                f"| {name} {LABELS[num]} / {LABELS[den]} | {_ratio(ratio)} | "
                f"{sign} {bound:g}×{goal} | {met} |"
            )
        # Informative ratios with no target of their own.
        extra = [("twin", "learnstream")] if name in ("W1", "W2", "W3", "key_slots") else []
        if name == "W3":
            extra.append(("learnstream", "genexpr"))
        if name in ("W1", "W2", "W3"):
            extra.append(("bytewax", "floor"))
        for num, den in extra:
            ratio = res.paired_ratio(num, den)
            if ratio is not None:
                out.append(f"| {name} {LABELS[num]} / {LABELS[den]} | {_ratio(ratio)} | | |")
        if "floor" in res.systems() and "learnstream" in res.systems():
            rss = res.peak_rss_kb("learnstream") / res.peak_rss_kb("floor")
            met = "yes" if rss <= RSS_BOUND else "**no**"
            out.append(
                f"| {name} peak RSS, learnstream / plain Python | {_ratio(rss)} | "
                f"≤ {RSS_BOUND:g}× | {met} |"
            )
    return "\n".join(out)


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
            size = wl.quick if args.quick else int(wl.full * args.scale)
            systems = tuple(s for s in wl.systems if with_bytewax or s != "bytewax")
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
        raw = {
            r.workload.name: {
                "size": r.size,
                "rounds": [{s: vars(m) for s, m in rnd.items()} for rnd in r.rounds],
            }
            for r in results
        }
        args.json.write_text(json.dumps(raw, indent=1), encoding="utf-8")
    return 0
