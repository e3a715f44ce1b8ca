"""A catalogue of wrong, tricky and hostile submissions, each graded on a full workspace.

Every case replaces one exercise of the reference solutions: that exercise must
get the right verdict (the named checks fail, with a reason that says why; or it
passes), and every other exercise must still score full marks — whatever the
submission does to its own process.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from grading_helpers import grade_quick, with_submission, workspace_from

# case, exercise, checks that must fail (empty: the exercise must pass), words the reason holds
CATALOGUE = [  # part 1
    # exercise 1: generator
    ("gen_eager_list", "generator", ["returns_iterator"], "returned a list, not an iterator"),
    ("gen_high_exclusive", "generator", ["both_ends"], "never came up"),
    ("gen_ignores_rng", "generator", ["uses_rng"], "not from the random module"),
    ("gen_floats", "generator", ["returns_iterator", "in_bounds"], "float"),
    ("gen_finite", "generator", ["endless"], "stopped after 1000 numbers"),
    ("gen_extremes_only", "generator", ["uniform"], "equally likely"),
    ("gen_private_default", "generator", ["default_random"], "random.seed()"),
    ("gen_class_iterator", "generator", [], ""),
    ("gen_iter_sentinel", "generator", [], ""),
    ("gen_map_over_count", "generator", [], ""),
    ("gen_bools", "generator", ["both_ends"], "never came up"),
    ("hostile_segfault", "generator", ["returns_iterator", "uniform"], "segmentation fault"),
    # exercise 2: map
    ("map_eager_list", "map", ["example", "matches", "lazy"], "returned a list"),
    ("map_floats", "map", ["example", "matches", "lazy"], "expected an int"),
    ("map_always_equal", "map", ["example", "matches", "lazy"], "AlwaysEqual"),
    ("map_int_subclass_liar", "map", ["example", "matches", "lazy"], "Sneaky"),
    ("map_reads_ahead", "map", ["lazy"], "read the input one item at a time"),
    ("map_builtin", "map", [], ""),
    ("map_class_iterator", "map", [], ""),
    ("hostile_loop_at_import", "map", ["example", "lazy"], "did not finish within"),
    ("hostile_huge_allocation", "map", ["example", "lazy"], "ran out of memory"),
    ("hostile_fake_pass", "map", ["example", "matches", "lazy"], "not implemented yet"),
    ("map_add_itself", "map", [], ""),
    ("map_shift_left", "map", ["matches"], "raised TypeError"),
    ("hostile_flood_at_import", "map", ["example", "matches", "lazy"], "printed megabytes"),
    ("hostile_endless_loop_in_call", "map", ["example", "matches", "lazy"], "did not finish"),
    # exercise 3: filter
    ("filter_less_or_equal", "filter", ["example", "matches"], "wrong stream"),
    ("filter_sorted", "filter", ["example", "lazy"], "did not finish"),
    ("filter_swapped_pairs", "filter", ["example", "matches"], "wrong stream"),
    ("filter_range_membership", "filter", ["example", "matches"], "wrong stream"),
    ("filter_builtin", "filter", [], ""),
    ("filter_genexpr", "filter", [], ""),
    ("hostile_sys_exit", "filter", ["example", "lazy"], "sys.exit(0)"),
    ("filter_takewhile", "filter", ["example", "matches", "lazy"], "ended too early"),
    ("filter_compress", "filter", [], ""),
    ("hostile_segfault_in_call", "filter", ["example", "matches", "lazy"], "segmentation fault"),
    ("hostile_forged_output", "filter", ["example", "matches", "lazy"], "ended too early"),
    ("hostile_flood", "filter", ["example", "matches", "lazy"], "printed megabytes"),
    # exercise 4: stateful
    ("mean_last_window", "stateful", ["matches"], "wrong stream"),
    # [2, 4, 9] has whole means, so only the other checks catch floor division
    ("mean_floor_division", "stateful", ["matches", "lazy"], "wrong stream"),
    ("mean_incremental", "stateful", [], ""),
    ("mean_accumulate", "stateful", [], ""),
    ("hostile_os_exit", "stateful", ["example", "lazy"], "ended the Python process"),
    ("mean_before_adding", "stateful", ["example", "matches", "lazy"], "wrong stream"),
    ("mean_global_state", "stateful", ["matches", "lazy"], "wrong stream"),
    ("mean_statistics", "stateful", [], ""),
    ("mean_float_liar", "stateful", ["example", "matches", "lazy"], "Agreeable"),
    ("hostile_memory_in_call", "stateful", ["example", "matches", "lazy"], "ran out of memory"),
    ("hostile_sys_exit_in_call", "stateful", ["example", "matches", "lazy"], "sys.exit"),
    ("hostile_import_error", "stateful", ["example", "lazy"], "No module named 'numpyy'"),
    # exercise 5: wordcount
    ("wc_no_lower", "wordcount", ["tokenize_hamlet", "tokenize_matches"], "wrong stream"),
    ("wc_word_regex", "wordcount", ["tokenize_hamlet", "flow_hamlet", "flow_matches"], "'tis"),
    ("wc_split", "wordcount", ["tokenize_hamlet", "flow_hamlet"], "wrong stream"),
    ("wc_hardcoded_hamlet", "wordcount", ["flow_matches"], "wrong stream"),
    ("wc_no_return", "wordcount", ["flow_hamlet", "flow_matches"], "not a Dataflow"),
    ("wc_strings_out", "wordcount", ["flow_hamlet", "flow_matches"], "(word, count) tuple"),
    ("wc_reduce_final", "wordcount", [], ""),
    ("wc_fold_final", "wordcount", [], ""),
    ("wc_tokenize_generator", "wordcount", ["tokenize_hamlet", "tokenize_matches"], "not a list"),
    ("wc_tokenize_liar", "wordcount", ["tokenize_hamlet", "tokenize_matches"], "a Words"),
    ("hostile_os_exit_in_flow", "wordcount", ["flow_hamlet", "flow_matches"], "exit status 3"),
    ("hostile_syntax_error", "wordcount", ["tokenize_hamlet", "flow_matches"], "cannot read"),
]


PART2 = [
    # Reasons name the kind of mistake, not one input: hypothesis may draw other streams
    # when other modules are loaded (it mines loaded code for constants).
    # exercise 1: tumbling
    ("tumb_collect_fmean", "tumbling", [], ""),
    ("tumb_no_wait", "tumbling", ["disorder", "example"], "mean for key 'sensor-"),
    ("tumb_misaligned", "tumbling", ["boundaries", "disorder", "example"], "window"),
    ("tumb_by_hand", "tumbling", ["disorder", "example"], "mean for key 'sensor-"),
    ("tumb_one_key", "tumbling", ["boundaries", "many_keys"], "key 'sensor-0'"),
    ("tumb_pairwise_mean", "tumbling", ["boundaries", "example"], "wrong mean"),
    ("tumb_rounded", "tumbling", ["boundaries", "example"], "wrong mean"),
    ("tumb_float_liar", "tumbling", ["boundaries", "example"], "Agreeable"),
    ("tumb_naive_ts", "tumbling", ["boundaries", "example"], "naive datetime"),
    # hard-codes the grader's simulated example: passes it, fails everything else
    ("tumb_ignores_source", "tumbling", ["boundaries", "disorder", "many_keys"], "mean for key"),
    ("hostile_sleepy_clock", "tumbling", ["boundaries", "example"], "did not finish within"),
    # exercise 2: sliding
    ("slide_fold", "sliding", [], ""),
    ("slide_tumbling", "sliding", ["boundaries", "example"], "mean for key"),
    ("slide_two_minutes", "sliding", ["boundaries", "example"], "mean for key"),
    ("hostile_exit_in_mapper", "sliding", ["boundaries", "example"], "ended the Python process"),
    # exercise 3: sessions
    ("sess_fold_merge", "sessions", [], ""),
    ("sess_gap_exclusive", "sessions", ["gap"], "session summary"),
    ("sess_arrival_order", "sessions", ["disorder", "example"], "wrong session summary"),
    ("sess_counts_everything", "sessions", ["gap", "example"], "session summary"),
    ("sess_tumbling", "sessions", ["gap", "disorder", "example"], "session summary"),
    ("sess_naive_times", "sessions", ["gap", "example"], "aware datetimes"),
    # exercise 4: late
    ("late_fold_counts", "late", [], ""),
    ("late_counts_all", "late", ["late_counts", "example"], "late count for key"),
    ("late_no_side_output", "late", ["late_counts", "example"], "wrote no late count"),
    ("late_keyed_by_window", "late", ["late_counts", "example"], "had no late readings"),
    ("late_wait_twice", "late", ["windows", "late_counts", "example"], "count for key"),
]


def _check_verdict(
    tmp_path: Path, part: str, case: str, exercise: str, failing: list[str], reason: str
) -> None:
    folder = with_submission(workspace_from("solutions", tmp_path, part), case, exercise, part)
    result = grade_quick(folder, part=part)
    for other in result.exercises:
        if other.name != exercise:
            assert other.passed and other.score == other.max_score, (other.name, other.checks)
    (graded,) = [ex for ex in result.exercises if ex.name == exercise]
    if not failing:
        assert graded.passed, [c.full_message() for c in graded.checks if not c.passed]
        return
    failed = {check.name: check for check in graded.checks if not check.passed}
    assert set(failing) <= set(failed), (sorted(failed), failing)
    assert not graded.passed and graded.score < graded.max_score
    messages = "\n".join(check.full_message() for check in failed.values())
    assert reason in messages, messages
    assert "Traceback" not in messages and "learnstream/grading" not in messages
    assert "<frozen" not in messages


@pytest.mark.parametrize(
    ("case", "exercise", "failing", "reason"), CATALOGUE, ids=[c[0] for c in CATALOGUE]
)
def test_submission_gets_its_verdict(
    tmp_path: Path, case: str, exercise: str, failing: list[str], reason: str
) -> None:
    _check_verdict(tmp_path, "part1", case, exercise, failing, reason)


@pytest.mark.parametrize(
    ("case", "exercise", "failing", "reason"), PART2, ids=[c[0] for c in PART2]
)
def test_part2_submission_gets_its_verdict(
    tmp_path: Path, case: str, exercise: str, failing: list[str], reason: str
) -> None:
    _check_verdict(tmp_path, "part2", case, exercise, failing, reason)
