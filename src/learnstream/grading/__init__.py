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
  `Check` records: names, files, points, hint ladders.
- `checks/partN.py`: each part's exercises and checks, with small reference
  answers. A check is a function `run(session)` that raises `CheckFailed`.
- `sandbox` + `child` + `probes`: the learner's file is imported in a child
  process with a timeout and memory/CPU/output caps; a *probe* there calls the
  learner's function and sends the answer back as plain data (`codec`), on a
  private pipe — prints cannot fake it, and learner objects cannot lie about
  equality because the verdict is computed here, in the grader's process.
- `checking.Session.for_all`: property checks with hypothesis; the failing
  input reported is the shrunk, smallest one; `diff.stream_diff` shows expected
  vs actual around the first difference.
- `eventtime`: Part 2's model of event time (lateness per key, windows,
  sessions) and its per-window diff; `probes.run_timed_flow` runs a learner's
  flow with the clock held still, and the report draws the failing input with
  `learnstream.timeline`.
- `results` (JSON, Gradescope, CSV), `report` (text), `workspace` (init,
  reset, progress and hints), `watch`, and `commands` (the CLI).

Adding a part
-------------
1. Write the stubs in `exercises/partN/` and solutions in `solutions/partN/`
   (the only copy: builds ship them inside the package, and
   `course_files("stubs", "partN")` finds them, installed or in a checkout).
2. Write `learnstream/grading/checks/partN.py` defining `EXERCISES`, a tuple of
   `Exercise(name, file, title, checks=(Check(name, title, points, run, hint),
   ...), hints=(...))`. Checks call `session.probe(...)` with a probe from
   `learnstream.grading.probes` (or a new probe function in a module of your
   own under `learnstream.grading`), compare with a reference, and raise
   `CheckFailed(message, details)`; use `session.for_all(strategy, test)` for
   properties. An `Exercise` may raise its `limits` (e.g. memory for models).
3. In `registry.PARTS`, give the part its module:
   `Part("partN", "Title", "learnstream.grading.checks.partN")`.
"""

from __future__ import annotations

import importlib
from typing import Any

# Imported on first use: the child process that runs learner code imports this
# package too, and should not pay for rich, hypothesis or the checks.
_EXPORTS = {
    "PARTS": "registry",
    "Check": "registry",
    "CheckFailed": "checking",
    "CheckResult": "results",
    "Exercise": "registry",
    "ExerciseResult": "results",
    "Limits": "sandbox",
    "Part": "registry",
    "PartComing": "grader",
    "PartResult": "results",
    "Session": "checking",
    "class_csv": "results",
    "course_files": "workspace",
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
