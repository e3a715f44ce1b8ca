"""The report of a run: medians per system and paired ratios, whole process beside inner.

A *whole-process* figure is a child timed from the outside (interpreter start-up,
imports, reading the input, building the flow, the work): what a user meets running
`python -m learnstream.run flow` against `python floor.py`. The *inner* figure is
the work alone, timed inside the child. The targets (course/reference/architecture.md)
are judged on the whole process; the micros, whose processes are mostly set-up, on
the inner figure.
"""

from __future__ import annotations

import os
import platform
import statistics
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from benchmarks.runner import WorkloadResult

LABELS = {
    "bare": "bare Python",
    "floor": "plain Python",
    "genexpr": "generator expressions",
    "learnstream": "learnstream (C core)",
    "twin": "learnstream (Python twin)",
    "snapshots": "learnstream (C core) with recovery, -s 1",
    "bytewax": "Bytewax 0.21.1",
}

# Targets from course/reference/architecture.md ("Performance targets"): (numerator,
# denominator, bound, True when the ratio must be at most the bound).
TARGETS: dict[str, list[tuple[str, str, float, bool]]] = {
    "W1": [("learnstream", "floor", 1.15, True)],
    "W2": [("learnstream", "floor", 1.25, True)],
    "W3": [("learnstream", "floor", 1.25, True)],
    "W4": [("learnstream", "floor", 1.5, True), ("twin", "learnstream", 2.0, False)],
    "join_state": [("twin", "learnstream", 2.0, False)],
    "W5": [("learnstream", "floor", 1.10, True)],
    "W6": [("learnstream", "floor", 1.10, True), ("twin", "learnstream", 1.0, False)],
    "window_assign": [("twin", "learnstream", 2.0, False)],
}
# Ratios reported with no target of their own.
EXTRA: dict[str, list[tuple[str, str]]] = {
    "W1": [
        ("twin", "learnstream"),
        ("snapshots", "learnstream"),
        ("bytewax", "floor"),
        ("bytewax", "learnstream"),
    ],
    "W2": [
        ("twin", "learnstream"),
        ("snapshots", "learnstream"),
        ("bytewax", "floor"),
        ("bytewax", "learnstream"),
    ],
    "W3": [
        ("twin", "learnstream"),
        ("learnstream", "genexpr"),
        ("bytewax", "floor"),
        ("bytewax", "learnstream"),
    ],
    "W4": [("bytewax", "floor"), ("bytewax", "learnstream")],
    "W4b": [
        ("learnstream", "floor"),
        ("twin", "learnstream"),
        ("bytewax", "floor"),
        ("bytewax", "learnstream"),
    ],
    "W5": [("bytewax", "floor"), ("bytewax", "learnstream")],
    "keyed_count": [("twin", "learnstream")],
    "keyed_count_shared": [("twin", "learnstream")],
    "key_slots": [("twin", "learnstream")],
}
RSS_BOUND = 1.5  # learnstream's peak RSS / the floor's
IMPORT_BOUND_MS = 30.0  # what a flow imports, over bare Python, as whole processes


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


def _medians(results: list[WorkloadResult]) -> list[str]:
    out = [
        "| workload | system | whole process | its CPU time | inner | runs | peak RSS |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for res in results:
        for system in res.systems():
            label = LABELS[system]
            if system == "floor" and res.workload.floor_title:
                label += f" ({res.workload.floor_title})"
            out.append(
                f"| {res.name} | {label} | {_seconds(res.median(system, whole=True))} | "
                f"{_seconds(statistics.median(r[system].cpu for r in res.rounds if system in r))} | "
                f"{_seconds(res.median(system))} | {len(res.times(system))} | "
                f"{res.peak_rss_kb(system) / 1024:.0f} MB |"
            )
    return out


def _met(ok: bool) -> str:
    return "yes" if ok else "**no**"


def _ratios(res: WorkloadResult) -> list[str]:
    name, out = res.workload.name, []
    if name == "import":
        # CPU time is the import's own cost; on a loaded machine the wall clock adds the
        # time the child waited for a core, which start-ups this short cannot average out.
        cpu = res.paired_difference("learnstream", "bare", "cpu")
        wall = res.paired_difference("learnstream", "bare", "wall")
        inner = res.median("learnstream")
        if cpu is not None and wall is not None:
            out.append(
                f"| import: what a flow imports, over bare Python (CPU time; wall clock "
                f"{wall * 1000:.1f} ms) | {cpu * 1000:.1f} ms | {inner * 1000:.1f} ms | "
                f"≤ {IMPORT_BOUND_MS:g} ms | {_met(cpu * 1000 <= IMPORT_BOUND_MS)} |"
            )
        return out
    judged_whole = not res.workload.micro
    for num, den, bound, at_most in TARGETS.get(name, []):
        whole = res.paired_ratio(num, den, whole=True)
        inner = res.paired_ratio(num, den)
        if whole is None or inner is None:
            continue
        judged = whole if judged_whole else inner
        ok = judged <= bound if at_most else judged >= bound
        sign = "≤" if at_most else "≥"
        goal = " (goal 3×)" if num == "twin" else ""
        out.append(
            f"| {res.name} {LABELS[num]} / {LABELS[den]} | {_ratio(whole)} | {_ratio(inner)} | "
            f"{sign} {bound:g}×{goal} ({'whole' if judged_whole else 'inner'}) | {_met(ok)} |"
        )
    for num, den in EXTRA.get(name, []):
        whole = res.paired_ratio(num, den, whole=True)
        inner = res.paired_ratio(num, den)
        if whole is not None and inner is not None:
            out.append(
                f"| {res.name} {LABELS[num]} / {LABELS[den]} | {_ratio(whole)} | "
                f"{_ratio(inner)} | | |"
            )
    if "floor" in res.systems() and "learnstream" in res.systems():
        rss = res.peak_rss_kb("learnstream") / res.peak_rss_kb("floor")
        out.append(
            f"| {res.name} peak RSS, learnstream / plain Python | {_ratio(rss)} | | "
            f"≤ {RSS_BOUND:g}× | {_met(rss <= RSS_BOUND)} |"
        )
    return out


def report(results: list[WorkloadResult], header: str) -> str:
    """The figures as Markdown: medians per system, then the paired ratios."""
    out = [header, "", *_medians(results), ""]
    out += [
        "| ratio (median of paired runs) | whole process | inner | target | met |",
        "|---|---:|---:|---|---|",
    ]
    for res in results:
        out += _ratios(res)
    return "\n".join(out)
