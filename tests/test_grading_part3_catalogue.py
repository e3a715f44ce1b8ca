"""Part 3's catalogue: wrong and unusual-but-right submissions, each graded on a full workspace.

Every case replaces one exercise of the reference solutions: exactly the named
checks fail (none: the exercise passes, with full marks) and the first
failure's message is exactly the one given. The seed draws the same inputs in
any process, so the messages are exact, found inputs included. Each file in
labs/part3/EXERCISE/catalogue says in its first line what it does and its verdict.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from grading_helpers import Case, assert_catalogue_covers_part, assert_exercise_verdict

from learnstream.grading import Limits

# case, exercise, the checks that fail (empty: the exercise passes), the first failure's message
PART3 = [
    # exercise 1: enrich
    (
        "en_cache_per_order",
        "enrich",
        ["once_per_product", "example"],
        "your flow asked the catalogue for 'p-001' 3 times; it may ask at most once per product id, unknown ids included",
    ),
    ("en_dict_cache", "enrich", [], ""),
    (
        "en_drops_unknown",
        "enrich",
        ["rows", "once_per_product", "example"],
        "your flow wrote no row for 'order-001'; expected None, None (unknown product)",
    ),
    ("en_lru_cache", "enrich", [], ""),
    (
        "en_map_per_item",
        "enrich",
        ["once_per_product", "example"],
        "your flow asked the catalogue for 'p-001' 3 times; it may ask at most once per product id, unknown ids included",
    ),
    (
        "en_none_not_cached",
        "enrich",
        ["once_per_product", "example"],
        "your flow asked the catalogue for 'p-007' 2 times; it may ask at most once per product id, unknown ids included",
    ),
    (
        "en_swapped",
        "enrich",
        ["rows", "once_per_product", "example"],
        "wrong row for 'order-001': expected Book 1 / books, yours books / Book 1",
    ),
    # exercise 2: paid
    ("pd_by_hand", "paid", [], ""),
    (
        "pd_final",
        "paid",
        ["edges", "as_soon_as", "random", "example"],
        "your flow wrote a match for 'order-1', which should have none",
    ),
    (
        "pd_final_filtered",
        "paid",
        ["as_soon_as", "example"],
        "your flow wrote nothing until the input ended; with 1 paid order in the stream it should have written each as soon as its second side arrived (the stream may never end)",
    ),
    ("pd_first", "paid", [], ""),
    (
        "pd_product",
        "paid",
        ["edges", "as_soon_as", "random"],
        "your flow wrote the match of 'order-1' more than once; expected it once",
    ),
    (
        "pd_running",
        "paid",
        ["edges", "as_soon_as", "random", "example"],
        "your flow wrote the match of 'order-1' more than once; expected it once",
    ),
    (
        "pd_running_filtered",
        "paid",
        ["edges", "as_soon_as", "random", "example"],
        "your flow wrote the match of 'order-1' more than once; expected it once",
    ),
    (
        "pd_swapped",
        "paid",
        ["edges", "as_soon_as", "random", "example"],
        "wrong match for 'order-1': expected order order-1 + payment pay-1, yours payment pay-1 + order order-1",
    ),
    # exercise 3: unpaid
    (
        "up_anti_join_final",
        "unpaid",
        ["deadline", "disorder", "random", "example"],
        "your flow wrote a report for 'order-2' when the input ended; orders whose deadline the clock has not passed are not known to be unpaid yet",
    ),
    (
        "up_clock_from_orders",
        "unpaid",
        ["deadline", "disorder", "random", "example"],
        "your flow wrote no report for 'order-1'; expected unpaid (order at 00:00:00)",
    ),
    (
        "up_clock_on_deadline",
        "unpaid",
        ["deadline", "example"],
        "your flow wrote a report for 'order-1', which should have none",
    ),
    (
        "up_early_payment_lost",
        "unpaid",
        ["disorder", "random"],
        "your flow wrote a report for 'order-1', which should have none",
    ),
    ("up_heap", "unpaid", [], ""),
    (
        "up_paid_before_deadline",
        "unpaid",
        ["deadline", "example"],
        "your flow wrote a report for 'order-1', which should have none",
    ),
    (
        "up_per_order_clock",
        "unpaid",
        ["deadline", "disorder", "random", "example"],
        "your flow wrote no report for 'order-1'; expected unpaid (order at 00:00:00)",
    ),
    (
        "up_report_at_eof",
        "unpaid",
        ["deadline", "disorder", "random"],
        "your flow wrote a report for 'order-2' when the input ended; orders whose deadline the clock has not passed are not known to be unpaid yet",
    ),
    # exercise 4: attribution
    ("at_collect_window", "attribution", [], ""),
    (
        "at_complete",
        "attribution",
        ["windows", "late", "random", "example"],
        "your flow wrote no row for key 'imp-1', window 0 [00:00:00, 00:01:00); expected False",
    ),
    (
        "at_keyed_by_user",
        "attribution",
        ["windows", "late", "random", "example"],
        "wrong row for key 'imp-2', window 0 [00:00:00, 00:01:00): expected False, yours True",
    ),
    ("at_last", "attribution", [], ""),
    (
        "at_long_wait",
        "attribution",
        ["windows", "late", "random"],
        "your flow wrote a row for key 'imp-1', window 0 [00:00:00, 00:01:00), which should not exist — only late items fall in it, and late items are left out",
    ),
    (
        "at_misaligned",
        "attribution",
        ["windows", "late", "random", "example"],
        "your flow wrote a row for key 'imp-1', window -1 [23:59:00, 00:00:00), which should not exist — no item falls in it",
    ),
    (
        "at_no_wait",
        "attribution",
        ["windows", "late", "random"],
        "your flow wrote no row for key 'imp-1', window 0 [00:00:00, 00:01:00); expected True",
    ),
    (
        "at_running",
        "attribution",
        ["windows", "late", "random", "example"],
        "your flow wrote the row of key 'imp-1', window 0 [00:00:00, 00:01:00) more than once; each window closes once",
    ),
    (
        "at_sliding",
        "attribution",
        ["windows", "late", "random", "example"],
        "your flow wrote a row for key 'imp-1', window -1 [23:59:00, 00:00:00), which should not exist — no item falls in it",
    ),
]

PART3_LIMITS = Limits(timeout=20.0, memory_mb=1024)


@pytest.mark.parametrize("case", PART3, ids=[c[0] for c in PART3])
def test_part3_submission_gets_its_verdict(tmp_path: Path, case: Case) -> None:
    assert_exercise_verdict(tmp_path, "part3", case, PART3_LIMITS)


def test_part3_catalogue_holds_wrong_and_right_submissions_for_every_exercise() -> None:
    assert_catalogue_covers_part("part3", PART3)
