"""Part 1's catalogue: wrong, tricky and unusual-but-right submissions, each with its exact verdict.

The cases live in each exercise's lab folder, `labs/part1/NAME/catalogue/`: a
submission (`CASE.py`, or `CASE.patch` against the solution or another case) and,
in `verdicts.toml`, the checks it fails (none: full marks) and the first failure's
exact message. The seed draws the same inputs in any process, so the messages are
exact, found inputs included. Each case replaces one exercise of the reference solutions and the whole
part is graded: every other exercise must keep full marks, whatever the submission
does to its own process (the hostile cases: exits, crashes, floods).
"""

from __future__ import annotations

from grading_helpers import TEST_LIMITS, catalogue_tests

test_each_submission_gets_its_verdict, test_the_catalogue_covers_every_exercise = catalogue_tests(
    "part1", TEST_LIMITS, whole_part=True
)
