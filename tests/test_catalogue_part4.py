"""Part 4's catalogue: wrong, tricky and unusual-but-right submissions, each with its exact verdict.

The cases live in each exercise's lab folder, `labs/part4/NAME/catalogue/`: a
submission (`CASE.py`, or `CASE.patch` against the solution or another case) and,
in `verdicts.toml`, the checks it fails (none: full marks) and the first failure's
exact message. The seed draws the same inputs in any process, so the messages are
exact, found inputs included. Each case replaces one exercise of the reference solutions; only that
exercise is graded (Part 4's runs of models over thousands of events are long).
"""

from __future__ import annotations

from grading_helpers import catalogue_tests

from learnstream.grading import Limits

#: Part 4 runs River models in the flows (drift: 1,500 events); a loaded machine needs time.
PART4_LIMITS = Limits(timeout=120.0, memory_mb=1024)

test_each_submission_gets_its_verdict, test_the_catalogue_covers_every_exercise = catalogue_tests(
    "part4", PART4_LIMITS
)
