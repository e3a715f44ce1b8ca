"""The autograder: checks, an isolated runner, reports and hints for the course's exercises.

From Python (a notebook, a script)::

    from learnstream.grading import grade, render_text
    result = grade("part1")                    # every exercise of part 1, in ./exercises
    result = grade("part1", "map", path="my-course", seed=42)
    print(render_text(result))                 # the terminal report, as plain text
    result.to_json(); result.to_gradescope()   # the --json object; Gradescope's results.json

`grade(part, exercise=None, path=None, seed=None) -> PartResult` and
`render_text(result) -> str` are the stable API; `grade_class(part, class_dir)`
grades a folder of learners' workspaces (`class_csv` turns that into CSV). From
the shell: `learnstream grade part1 [EXERCISE] [--path DIR] [--json]
[--gradescope FILE] [--seed N]`, `learnstream hint|reset|solution part1 map`,
`learnstream list`, `learnstream init DIR`, `learnstream watch part1`.

How it works
------------
- `registry`: the course outline (`PARTS`), and the `Part` / `Exercise` /
  `Check` records, read from the lab folders (`labs/partN/EXERCISE/`, one
  folder per exercise: its `lab.toml` — file, title, points, hint ladder,
  course page —, `solution.py`, `checks.py` and catalogue); `markers` makes
  an exercise's stub and solution from its `solution.py`.
- An exercise's `checks.py`: its reference answers, strategies and `CHECKS`,
  the code of its checks, loaded from the file to grade. A check is a function
  `run(session)` that raises `CheckFailed`; `kit` holds what checks are made
  of (see its docstring).
- `runner` + `probes` + `sandbox`: the learner's code is untrusted. Checks call
  *probes*, which run here and drive the learner's code through a `Runner`
  (`runner.py`), measuring everything themselves: inputs fed on request and
  counted, results counted, memory read from outside. `sandbox` is the
  child-process runner: `learnstream.sandbox_child` imports the learner's file
  under hard limits (`processes`: cgroup, memory, output) and sends back plain
  data only (`learnstream.wire`), each answer tagged with its request's random
  id; `codec` compares what comes back (exact types, `Opaque` for the rest).
- `failures`: `CheckFailed` and its `FailureKind`; `failed_check` turns what
  the sandbox met (an exception, a hang, a crash) into a failed check;
  `KIND_HINTS`, the hint of each kind of trouble. The grader gives a failure
  its check's own hint only when the check's `hint_for` names its kind
  (`grader.hint_for`), so advice follows what went wrong, not which check met it.
- `kit`: property checks (edge cases, then inputs drawn from a seed that
  replays in any process, then the smallest failing input), stream diffs and
  the promises of a stream function (laziness at every result, endless,
  constant state), the model of event time, the flow runner on a frozen clock
  (naming a wrong clock) and the per-window verdict with its timeline picture
  and the learner's own run.
- `results` (the model, JSON, Gradescope, CSV), `report` (every view for
  people: the grade report, progress, hints), `workspace` (init, reset,
  progress and hints), `watch`, and `commands` (the CLI, which only calls them).
- For instructors: `class_summary` counts a class's results (`class_json`),
  `class_report` draws them as one HTML page (`--report`), and `gradescope`
  builds Gradescope's autograder zip and is what runs inside it.

Adding an exercise
------------------
Make its folder, `labs/partN/NAME/` (a new part: `labs/partN/part.toml` with its
order, title and page): `lab.toml` (its file, title, page, hints and checks),
`solution.py` (the solution, with the stub's lines beside it: see `markers`),
`checks.py` (`CHECKS = {check: run}`, with `learnstream.grading.kit`, see its
docstring) and its `catalogue/`. Builds ship the folders inside the package.
"""

from __future__ import annotations

import importlib
from typing import Any

# Imported on first use: a command that needs one module should not pay for rich
# or the checks. (The child process that runs learner code imports nothing
# of this package: see learnstream.sandbox_child.)
_EXPORTS = {
    "PARTS": "registry",
    "Check": "registry",
    "CheckFailed": "failures",
    "CheckResult": "results",
    "Exercise": "registry",
    "ExerciseResult": "results",
    "FailureKind": "failures",
    "Limits": "sandbox",
    "Part": "registry",
    "PartComing": "grader",
    "PartResult": "results",
    "Session": "kit.session",
    "class_csv": "results",
    "get_part": "registry",
    "grade": "grader",
    "grade_class": "grader",
    "render_text": "report",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
