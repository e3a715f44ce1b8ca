"""The grading kit: what a part's checks are made of.

An exercise is graded by two files in its lab folder (`labs/partN/NAME/`, see
`learnstream.grading.registry`):

- `lab.toml`, the **manifest**: the exercise's `file`, `title`, `page`, `hints`
  (the hint ladder), optionally `limits` (e.g. `{ memory_mb = 2048 }`), and its
  checks (`name`, `title`, `points`, the check's own `hint`, and `hint_for`, the
  failure kinds that hint is about: by default the wrong answers, never an
  exception or a hang, which get their kind's hint);
- `checks.py`: the **reference answers**, the **strategies** that draw inputs
  (`from learnstream.grading.kit import strategies as st`), and
  `CHECKS = {check: run}`, the code of every check the manifest names (code
  the part's exercises share is in the part's `shared.py`, imported as
  `from ..shared import ...`). A check is `run(session) -> None` and fails by
  raising `CheckFailed`.

Everything else comes from this kit:

- `failures`: `CheckFailed(message, details, kind=FailureKind.WRONG_VALUE)`,
  and `FailureKind`, why a check failed (wrong shape, type, value or timing,
  eager, or the learner's code raised, hung, crashed, exited...), which reports
  and hints choose their words by; `failed_check` turns what the sandbox met
  into a failed check, in one place.
- `session`: `Session.probe/take/for_all`, the learner's code in its runner
  (`learnstream.grading.runner`: a child process, or in-process in a browser).
- `properties`: `property_check(strategy, test, edges=..., smaller=...)`, the
  hand-made edge cases first, then a search from the run's seed, then the
  smallest failing input; `example_check` for one fixed input;
  `events_check`, either, for streams of events.
- `strategies` (imported as `st`): what inputs are drawn from — `integers`,
  `lists`, `tuples`, `sampled_from`, ... with hypothesis's names, but the
  grader's own code, so that a grade does not depend on an installed library's
  version; `search`: the seeded search and the shrinker behind `for_all`. The
  same seed draws and shrinks to the same inputs in any process.
- `streams`: judging a stream of answers (`compare_streams`, `stream_diff`,
  `iterator_items`, `type_trouble`), and the promises of a stream function:
  `check_laziness` (one result per arrival, no reading ahead, probed at every
  result, counted by the grader as it hands the input over), `check_endless`
  (millions of results counted as they arrive) and `check_constant_state` (the
  memory the learner's process holds as the stream grows, read from the OS; the
  probe `probes.held_memory` measures any kept iterator).
- `eventtime`: events as plain data and the model of lateness, windows and
  sessions; `flows`: `run_flow(session, FlowContract(...), events)`, the
  learner's `build_flow` run with N sources and M sinks on a frozen clock, and
  `judge_flow`, the same judged (a wrong answer from a flow with the wrong
  clock names that clock); `windows`: the per-key, per-window verdict (`group_items`, `window_rows`,
  `window_verdict` with the timeline and `window_diff`); `your_run`: the
  learner's own run drawn beside the expected one, its windows holding the
  items their results are made of (`Explain`: `mean_of_values`,
  `count_of_items`, or the exercise's own); `join_run`: a join's run for one
  key, item by item, with the rows the expected run and the learner's wrote
  after each arrival (`Written`).

A new exercise: one folder (`labs/partN/NAME/`: `lab.toml`, `solution.py`,
`checks.py`, see `learnstream.grading.registry`); `learnstream list`, `grade`,
`hint` and the docs' navigation find it by its `lab.toml`.
"""

from learnstream.grading.codec import a_type_name, same
from learnstream.grading.failures import CheckFailed, FailureKind, failed_check, show_input
from learnstream.grading.kit.eventtime import (
    ALIGN,
    MINUTE,
    SECOND,
    Event,
    Window,
    clock,
    fixed,
    fixed_windows,
    from_datetime,
    renumbered,
    sessions,
    show_events,
    sliding_ids,
    split_late,
    to_datetime,
    with_watermarks,
    without_one,
)
from learnstream.grading.kit.flows import FlowContract, clock_trouble, judge_flow, run_flow
from learnstream.grading.kit.join_run import Written, join_run
from learnstream.grading.kit.properties import (
    events_check,
    example_check,
    on_example,
    property_check,
)
from learnstream.grading.kit.session import Session
from learnstream.grading.kit.streams import (
    check_constant_state,
    check_endless,
    check_laziness,
    compare_streams,
    first_difference,
    iterator_items,
    require_iterator,
    stream_diff,
    type_trouble,
)
from learnstream.grading.kit.windows import (
    Row,
    group_items,
    is_window_item,
    timeline,
    window_diff,
    window_rows,
    window_verdict,
)
from learnstream.grading.kit.your_run import (
    Explain,
    closest_items,
    count_of_items,
    mean_of_values,
    your_run,
)

__all__ = [
    "ALIGN",
    "MINUTE",
    "SECOND",
    "CheckFailed",
    "Event",
    "Explain",
    "FailureKind",
    "FlowContract",
    "Row",
    "Session",
    "Window",
    "Written",
    "a_type_name",
    "check_constant_state",
    "check_endless",
    "check_laziness",
    "clock",
    "clock_trouble",
    "closest_items",
    "compare_streams",
    "count_of_items",
    "events_check",
    "example_check",
    "failed_check",
    "first_difference",
    "fixed",
    "fixed_windows",
    "from_datetime",
    "group_items",
    "is_window_item",
    "iterator_items",
    "join_run",
    "judge_flow",
    "mean_of_values",
    "on_example",
    "property_check",
    "renumbered",
    "require_iterator",
    "run_flow",
    "same",
    "sessions",
    "show_events",
    "show_input",
    "sliding_ids",
    "split_late",
    "stream_diff",
    "timeline",
    "to_datetime",
    "type_trouble",
    "window_diff",
    "window_rows",
    "window_verdict",
    "with_watermarks",
    "without_one",
    "your_run",
]
