"""Part 3's catalogue: wrong, tricky and unusual-but-right submissions, each with its exact verdict.

The cases live in each exercise's lab folder, `labs/part3/NAME/catalogue/`: a
submission (`CASE.py`, or `CASE.patch` against the solution) and, in
`verdicts.toml`, the checks it fails (none: full marks) and the first failure's
exact message. Each case replaces one exercise of the reference solutions; only that exercise is graded. The seed draws the same inputs in
any process, so the messages are exact, found inputs included.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from grading_helpers import Case, assert_catalogue_covers_part, assert_exercise_verdict, catalogue

from learnstream.grading import Limits

CASES = catalogue("part3")

PART3_LIMITS = Limits(timeout=20.0, memory_mb=1024)


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_each_submission_gets_its_verdict(tmp_path: Path, case: Case) -> None:
    assert_exercise_verdict(tmp_path, "part3", case, PART3_LIMITS, whole_part=False)


def test_the_catalogue_holds_wrong_and_right_submissions_for_every_exercise() -> None:
    assert_catalogue_covers_part("part3", CASES)
