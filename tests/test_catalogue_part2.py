"""Part 2's catalogue: wrong, tricky and unusual-but-right submissions, each with its exact verdict.

The cases live in each exercise's lab folder, `labs/part2/NAME/catalogue/`: a
submission (`CASE.py`, or `CASE.patch` against the solution) and, in
`verdicts.toml`, the checks it fails (none: full marks) and the first failure's
exact message. Each case replaces one exercise of the reference solutions and the whole part is graded:
that exercise gets its verdict and every other one still scores full marks. The seed draws the same inputs in
any process, so the messages are exact, found inputs included.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from grading_helpers import (
    TEST_LIMITS,
    Case,
    assert_catalogue_covers_part,
    assert_exercise_verdict,
    catalogue,
)

CASES = catalogue("part2")


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_each_submission_gets_its_verdict(tmp_path: Path, case: Case) -> None:
    assert_exercise_verdict(tmp_path, "part2", case, TEST_LIMITS, whole_part=True)


def test_the_catalogue_holds_wrong_and_right_submissions_for_every_exercise() -> None:
    assert_catalogue_covers_part("part2", CASES)
