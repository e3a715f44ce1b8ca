"""A catalogue of wrong, tricky and hostile submissions, each graded on a full workspace.

Every case replaces one exercise of the reference solutions: that exercise must
get its verdict — exactly the named checks fail (none: it passes), and the first
failure's message is exactly the one given — and every other exercise must still
score full marks, whatever the submission does to its own process.

The seed draws the same inputs in any process (see test_grading_replay.py), so
the messages are exact, found inputs included; only memory addresses in the
repr of a learner's object vary from run to run (written `0x...`), and the kilobytes
a growing state held vary with the Python (compared as `... KB`).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from grading_helpers import (
    Case,
    assert_catalogue_covers_part,
    assert_exercise_verdict,
    grade_quick,
    hint_matches_kind,
    with_submission,
    workspace_from,
)

from learnstream.grading import Limits

# case, exercise, the checks that fail (empty: the exercise passes), the first failure's message
CATALOGUE = [  # part 1
    # exercise 1: generator
    (
        "gen_eager_list",
        "generator",
        [
            "returns_iterator",
            "endless",
            "in_bounds",
            "both_ends",
            "uniform",
            "uses_rng",
            "default_random",
        ],
        "rand_stream() returned a list, not an iterator: use `yield` inside a loop so that it hands out one item at a time",
    ),
    (
        "gen_high_exclusive",
        "generator",
        ["both_ends", "uniform"],
        "in 400 numbers from rand_stream(0, 1, rng=random.Random(0)), 1 (= high) never came up; both ends are included",
    ),
    (
        "gen_ignores_rng",
        "generator",
        ["uses_rng"],
        "rand_stream(0, 1000000, rng=random.Random(3311027704)) gave different numbers after random.seed() changed: with an rng given, every number must come from that rng, not from the random module",
    ),
    (
        "gen_floats",
        "generator",
        ["returns_iterator", "in_bounds", "both_ends"],
        "rand_stream(): item 0 is 77.0, a float; every item must be a plain int",
    ),
    (
        "gen_finite",
        "generator",
        ["endless", "uniform"],
        "your stream ended after 1,000 numbers: rand_stream(0, 1, rng=...) must never run out — loop forever with `while True:`",
    ),
    # long finite loops: the grader draws two million numbers, cheaply, in the child
    (
        "gen_finite_20000",
        "generator",
        ["endless"],
        "your stream ended after 20,000 numbers: rand_stream(0, 1, rng=...) must never run out — loop forever with `while True:`",
    ),
    (
        "gen_finite_100000",
        "generator",
        ["endless"],
        "your stream ended after 100,000 numbers: rand_stream(0, 1, rng=...) must never run out — loop forever with `while True:`",
    ),
    (
        "gen_extremes_only",
        "generator",
        ["uniform"],
        "in 5000 numbers from rand_stream(0, 9, rng=random.Random(20240611)), 0 came up 2473 times, 1 came up 0 times, 2 came up 0 times, 3 came up 0 times, 4 came up 0 times, 5 came up 0 times, 6 came up 0 times, 7 came up 0 times, 8 came up 0 times, 9 came up 2527 times; each of 0..9 should come up about 500 times — every value in [low, high] must be equally likely",
    ),
    (
        "gen_private_default",
        "generator",
        ["default_random"],
        "rand_stream(0, 1000000) without an rng must draw from the random module, so that random.seed() decides its numbers; after random.seed(3959471349) it gave different numbers twice, or the same numbers as after another seed",
    ),
    ("gen_class_iterator", "generator", [], ""),
    ("gen_iter_sentinel", "generator", [], ""),
    ("gen_map_over_count", "generator", [], ""),
    (
        "gen_bools",
        "generator",
        ["both_ends"],
        "in 400 numbers from rand_stream(0, 1, rng=random.Random(0)), 0 (= low) never came up; both ends are included",
    ),
    (
        "hostile_segfault",
        "generator",
        [
            "returns_iterator",
            "endless",
            "in_bounds",
            "both_ends",
            "uniform",
            "uses_rng",
            "default_random",
        ],
        "importing ex1_generator.py crashed the Python interpreter with a segmentation fault; look for ctypes or C-extension calls",
    ),
    # exercise 2: map
    (
        "map_eager_list",
        "map",
        ["example", "matches", "lazy"],
        "double(iter([1, 2, 3])) returned a list, not an iterator: use `yield` inside a loop so that it hands out one item at a time",
    ),
    (
        "map_floats",
        "map",
        ["example", "matches", "lazy"],
        "double(iter([1, 2, 3])) gave the wrong stream: item 0 is a float, expected an int (2.0 instead of 2)",
    ),
    (
        "map_always_equal",
        "map",
        ["example", "matches", "lazy"],
        "double(iter([1, 2, 3])) gave the wrong stream: item 0 is an AlwaysEqual, expected an int (<AlwaysEqual object: <ex2_ma...al object at 0x...>> instead of 2)",
    ),
    (
        "map_int_subclass_liar",
        "map",
        ["example", "matches", "lazy"],
        "double(iter([1, 2, 3])) gave the wrong stream: item 0 is a Sneaky, expected an int (<Sneaky object: 0> instead of 2)",
    ),
    (
        "map_reads_ahead",
        "map",
        ["lazy"],
        "double(itertools.count()) read 10 input items before giving its first result (it needs 1): it must read its input one item at a time, giving each result as soon as it can",
    ),
    # laziness is probed at every result: chunks of any size, and holding one back, fail
    (
        "map_chunks_of_six",
        "map",
        ["lazy"],
        "double(itertools.count()) read 6 input items before giving its first result (it needs 1): it must read its input one item at a time, giving each result as soon as it can",
    ),
    (
        "map_chunks_of_two",
        "map",
        ["lazy"],
        "double(itertools.count()) read 2 input items before giving its first result (it needs 1): it must read its input one item at a time, giving each result as soon as it can",
    ),
    (
        "map_first_then_chunks",
        "map",
        ["lazy"],
        "double(itertools.count()) read 4 input items before giving its 2nd result (it needs 2): it must read its input one item at a time, giving each result as soon as it can",
    ),
    # a StopIteration on empty input is an exception in the learner's code: its hint is
    # about exceptions, not the check's own hint about types
    (
        "map_next_on_empty",
        "map",
        ["example", "matches"],
        "double(iter([1, 2, 3])) raised RuntimeError: generator raised StopIteration",
    ),
    (
        "map_hold_one_back",
        "map",
        ["lazy"],
        "double(itertools.count()) read 2 input items before giving its first result (it needs 1): it must read its input one item at a time, giving each result as soon as it can",
    ),
    ("map_builtin", "map", [], ""),
    ("map_class_iterator", "map", [], ""),
    (
        "hostile_loop_at_import",
        "map",
        ["example", "matches", "lazy"],
        "importing ex2_map.py did not finish within 3 s; is there an endless loop, or a list() / sum() / sorted() of an endless stream?",
    ),
    (
        "hostile_huge_allocation",
        "map",
        ["example", "matches", "lazy"],
        "importing ex2_map.py ran out of memory (line 1); is it building a huge list, or a list of an endless stream?",
    ),
    (
        "hostile_fake_pass",
        "map",
        ["example", "matches", "lazy"],
        "not implemented yet: it still raises NotImplementedError",
    ),
    ("map_add_itself", "map", [], ""),
    (
        "map_shift_left",
        "map",
        ["matches"],
        "double(iter([0.0])) raised TypeError: unsupported operand type(s) for <<: 'float' and 'int' (line 6)",
    ),
    (
        "hostile_flood_at_import",
        "map",
        ["example", "matches", "lazy"],
        "importing ex2_map.py printed megabytes of output (line 6); is there a print() inside an endless loop?",
    ),
    (
        "hostile_endless_loop_in_call",
        "map",
        ["example", "matches", "lazy"],
        "double(iter([1, 2, 3])) did not finish within 3 s; is there an endless loop, or a list() / sum() / sorted() of an endless stream?",
    ),
    # exercise 3: filter
    (
        "filter_less_or_equal",
        "filter",
        ["example", "matches", "lazy"],
        "less_than_fifty(iter([7, 50, 49.5, 80, -3, 51, 49])) gave the wrong stream: 5 items, expected 4 (an extra item: 50)",
    ),
    (
        "filter_reads_ten_ahead",
        "filter",
        ["lazy"],
        "less_than_fifty(itertools.cycle([10, 60, 49, 50])) read 10 input items before giving its first result (it needs 1): it must read its input one item at a time, giving each result as soon as it can",
    ),
    (
        "filter_sorted",
        "filter",
        ["example", "matches", "lazy"],
        "less_than_fifty(iter([7, 50, 49.5, 80, -3, 51, 49])) gave the wrong stream",
    ),
    (
        "filter_swapped_pairs",
        "filter",
        ["example", "matches", "lazy"],
        "less_than_fifty(iter([7, 50, 49.5, 80, -3, 51, 49])) gave the wrong stream: item 0 is a float, expected an int (49.5 instead of 7)",
    ),
    (
        "filter_range_membership",
        "filter",
        ["example", "matches"],
        "less_than_fifty(iter([7, 50, 49.5, 80, -3, 51, 49])) gave the wrong stream: 2 items, expected 4",
    ),
    ("filter_builtin", "filter", [], ""),
    ("filter_genexpr", "filter", [], ""),
    (
        "hostile_sys_exit",
        "filter",
        ["example", "matches", "lazy"],
        "importing ex3_filter.py called sys.exit(0) (line 3); remove it — the grader imports your file and calls your functions, so they must return",
    ),
    (
        "filter_takewhile",
        "filter",
        ["example", "matches", "lazy"],
        "less_than_fifty(iter([7, 50, 49.5, 80, -3, 51, 49])) gave the wrong stream: 1 item, expected 4",
    ),
    ("filter_compress", "filter", [], ""),
    (
        "hostile_segfault_in_call",
        "filter",
        ["example", "matches", "lazy"],
        "less_than_fifty(iter([7, 50, 49.5, 80, -3, 51, 49])) crashed the Python interpreter with a segmentation fault; look for ctypes or C-extension calls",
    ),
    (
        "hostile_forged_output",
        "filter",
        ["example", "matches", "lazy"],
        "less_than_fifty(iter([7, 50, 49.5, 80, -3, 51, 49])) gave the wrong stream: 0 items, expected 4",
    ),
    (
        "hostile_flood",
        "filter",
        ["example", "matches", "lazy"],
        "less_than_fifty(iter([7, 50, 49.5, 80, -3, 51, 49])) printed megabytes of output (line 3); is there a print() inside an endless loop?",
    ),
    # exercise 4: stateful
    (
        "mean_last_window",
        "stateful",
        ["matches", "lazy"],
        "running_mean(iter([0, 0, 0, 1])) gave the wrong stream",
    ),
    # [2, 4, 9] has whole means, so only the other checks catch floor division
    (
        "mean_floor_division",
        "stateful",
        ["matches", "lazy"],
        "running_mean(iter([1.5])) gave the wrong stream",
    ),
    ("mean_incremental", "stateful", [], ""),
    ("mean_accumulate", "stateful", [], ""),
    (
        "hostile_os_exit",
        "stateful",
        ["example", "matches", "lazy", "constant_state"],
        "importing ex4_stateful.py ended the Python process (exit status 0) before answering; remove os._exit()/exit calls — the grader needs your functions to return",
    ),
    (
        "mean_before_adding",
        "stateful",
        ["example", "matches", "lazy"],
        "running_mean(iter([2, 4, 9])) gave the wrong stream",
    ),
    (
        "mean_global_state",
        "stateful",
        ["matches", "lazy"],
        "running_mean(iter([0])) gave the wrong stream",
    ),
    # right answers, but the state grows with the stream
    (
        "mean_statistics",
        "stateful",
        ["constant_state"],
        "running_mean(itertools.count(1)) held 102.5 KB more after 3,100 items than after 100: its memory grows with the stream, so it keeps what it has seen. A stream never ends — keep a total and a count only",
    ),
    (
        "mean_keeps_values",
        "stateful",
        ["constant_state"],
        "running_mean(itertools.count(1)) held 102.5 KB more after 3,100 items than after 100: its memory grows with the stream, so it keeps what it has seen. A stream never ends — keep a total and a count only",
    ),
    (
        "mean_hold_one_back",
        "stateful",
        ["lazy"],
        "running_mean(itertools.count(1)) read 2 input items before giving its first result (it needs 1): it must read its input one item at a time, giving each result as soon as it can",
    ),
    (
        "mean_float_liar",
        "stateful",
        ["example", "matches", "lazy"],
        "running_mean(iter([2, 4, 9])) gave the wrong stream: item 0 is an Agreeable, expected a float (<Agreeable object: 0.0> instead of 2.0)",
    ),
    (
        "hostile_memory_in_call",
        "stateful",
        ["example", "matches", "lazy", "constant_state"],
        "running_mean(iter([2, 4, 9])) ran out of memory (line 8); is it building a huge list, or a list of an endless stream?",
    ),
    (
        "hostile_sys_exit_in_call",
        "stateful",
        ["example", "matches", "lazy", "constant_state"],
        "running_mean(iter([2, 4, 9])) called sys.exit(done) (line 9); remove it — the grader imports your file and calls your functions, so they must return",
    ),
    (
        "hostile_import_error",
        "stateful",
        ["example", "matches", "lazy", "constant_state"],
        "importing ex4_stateful.py raised ModuleNotFoundError: No module named 'numpyy' (line 1)",
    ),
    # exercise 5: wordcount
    (
        "wc_no_lower",
        "wordcount",
        ["tokenize_hamlet", "tokenize_matches"],
        "tokenize('To be, or not to be, that is the question:') gave the wrong stream",
    ),
    (
        "wc_word_regex",
        "wordcount",
        ["tokenize_hamlet", "tokenize_matches", "flow_hamlet", "flow_matches"],
        'tokenize("Whether \'tis nobler in the mind to suffer") gave the wrong stream',
    ),
    (
        "wc_split",
        "wordcount",
        ["tokenize_hamlet", "tokenize_matches", "flow_hamlet", "flow_matches"],
        "tokenize('To be, or not to be, that is the question:') gave the wrong stream",
    ),
    (
        "wc_hardcoded_hamlet",
        "wordcount",
        ["flow_matches"],
        "build_flow(...) run on the lines [] gave the wrong stream: 30 items, expected 0",
    ),
    (
        "wc_no_return",
        "wordcount",
        ["flow_hamlet", "flow_matches"],
        "build_flow returned a NoneType, not a Dataflow; end it with `return flow`",
    ),
    (
        "wc_strings_out",
        "wordcount",
        ["flow_hamlet", "flow_matches"],
        "build_flow(...) run on the lines ['To be, or not to be, that is the question:', \"Whether 'tis nobler in the mind to suffer\", 'The slings and arrows of outrageous fortune,', 'Or to take arms against a sea of troubles', 'And by opposing end them.'] wrote \"'tis: 1\" to the sink; every item must be a (word, count) tuple, as op.count_final emits",
    ),
    # op.map(tokenize) where op.flat_map belongs: the error names that cause, never str(...)
    (
        "wc_map_not_flat_map",
        "wordcount",
        ["flow_hamlet", "flow_matches"],
        "build_flow(...) run on the lines ['To be, or not to be, that is the question:', \"Whether 'tis nobler in the mind to suffer\", 'The slings and arrows of outrageous fortune,', 'Or to take arms against a sea of troubles', 'And by opposing end them.'] raised KeyedItemError: step 'wordcount.count' (count_final) got the key ['to', 'be', 'or', 'not', 'to', ...] (a list) from your key function; keys must be str\n"
        "  item: ['to', 'be', 'or', 'not', 'to', ...]\n"
        "  what to do: the item itself is a list, not one key: if a step before this one returns a list of things to count (e.g. the words of a line), use op.flat_map there, not op.map, so each element goes on as its own item",
    ),
    ("wc_reduce_final", "wordcount", [], ""),
    ("wc_fold_final", "wordcount", [], ""),
    (
        "wc_tokenize_generator",
        "wordcount",
        ["tokenize_hamlet", "tokenize_matches"],
        "tokenize('To be, or not to be, that is the question:') returned a generator, not a list; return the list of words (WORD.findall(...) gives one)",
    ),
    (
        "wc_tokenize_liar",
        "wordcount",
        ["tokenize_hamlet", "tokenize_matches"],
        "tokenize('To be, or not to be, that is the question:') returned a Words, not a list; return the list of words (WORD.findall(...) gives one)",
    ),
    (
        "hostile_os_exit_in_flow",
        "wordcount",
        ["flow_hamlet", "flow_matches"],
        "build_flow(...) run on the lines ['To be, or not to be, that is the question:', \"Whether 'tis nobler in the mind to suffer\", 'The slings and arrows of outrageous fortune,', 'Or to take arms against a sea of troubles', 'And by opposing end them.'] ended the Python process (exit status 3) before answering; remove os._exit()/exit calls — the grader needs your functions to return",
    ),
    (
        "hostile_syntax_error",
        "wordcount",
        ["tokenize_hamlet", "tokenize_matches", "flow_hamlet", "flow_matches"],
        "Python cannot read your file: expected ':' (line 1)",
    ),
]


PART2 = [
    # exercise 1: tumbling
    ("tumb_collect_fmean", "tumbling", [], ""),
    (
        "tumb_no_wait",
        "tumbling",
        ["disorder", "many_keys", "example"],
        "your flow's EventClock (step 't.c') waits 0 s; this exercise needs EventClock on reading['ts'] waiting 10 s (wait_for_system_duration=WAIT)",
    ),
    # each wrong clock is named: the grader sees the clock the flow was built with
    (
        "tumb_system_clock",
        "tumbling",
        ["boundaries", "disorder", "many_keys", "example"],
        "your flow's clock is SystemClock (step 't.c'); this exercise needs EventClock on reading['ts']",
    ),
    (
        "tumb_misaligned",
        "tumbling",
        ["boundaries", "disorder", "many_keys", "example"],
        "wrong mean for key 'sensor-0', window -1 [23:59:00, 00:00:00): expected 18.0, yours 18.5",
    ),
    (
        "tumb_by_hand",
        "tumbling",
        ["disorder", "many_keys", "example"],
        "wrong mean for key 'sensor-0', window 0 [00:00:00, 00:01:00): expected 20.5, yours 19.75",
    ),
    (
        "tumb_one_key",
        "tumbling",
        ["boundaries", "disorder", "many_keys", "example"],
        "your flow wrote a mean for key 'sensor-0', window 0 [00:00:00, 00:01:00), which should not exist — no item falls in it",
    ),
    (
        "tumb_pairwise_mean",
        "tumbling",
        ["boundaries", "disorder", "many_keys", "example"],
        "wrong mean for key 'sensor-0', window 0 [00:00:00, 00:01:00): expected 0.0333333, yours 0.05",
    ),
    (
        "tumb_rounded",
        "tumbling",
        ["boundaries", "disorder", "many_keys", "example"],
        "wrong mean for key 'sensor-0', window 0 [00:00:00, 00:01:00): expected 0.05, yours 0.1",
    ),
    (
        "tumb_float_liar",
        "tumbling",
        ["boundaries", "disorder", "many_keys", "example"],
        "your flow wrote ('sensor-0', (-1, <Agreeable object: 0.0>)) to the sink; every item must be (sensor, (window_id, mean_temp)) with an int id",
    ),
    (
        "tumb_naive_ts",
        "tumbling",
        ["boundaries", "disorder", "many_keys", "example"],
        "build_flow(...) run on 4 readings raised StepError: step 't.c' (collect_window) has an EventClock whose ts_getter returned the naive datetime datetime.datetime(2023, 12, 31, 23, 59, 59) (no timezone): event times must be comparable with the clock's UTC now\n"
        "  item: ('sensor-0', {'sensor': 'sensor-0', 'temp': 18.0, 'ts': datetime.datetime(2023, 12, ...tzinfo=datetime.timezone.utc)})\n"
        "  what to do: attach a timezone in ts_getter, e.g. ts.replace(tzinfo=timezone.utc) if the times are UTC, or parse them with their offset",
    ),
    # no key_on: an exception in the learner's flow, whose hint is about exceptions
    (
        "tumb_no_key_on",
        "tumbling",
        ["boundaries", "disorder", "many_keys", "example"],
        "build_flow(...) run on 4 readings raised KeyedItemError: step 't.c' (collect_window) is a keyed operator: each item must be a (key, value) 2-tuple with a str key, but got a dict\n"
        "  item: {'sensor': 'sensor-0', 'temp': 18.0, 'ts': datetime.datetime(2023, 12, ...tzinfo=datetime.timezone.utc)}\n"
        "  what to do: key the stream first: op.key_on('key', stream, lambda x: str(...)) makes (key, item) 2-tuples",
    ),
    # hard-codes the grader's simulated example: passes it, fails everything else
    (
        "tumb_ignores_source",
        "tumbling",
        ["boundaries", "disorder", "many_keys"],
        "your flow wrote no mean for key 'sensor-0', window -1 [23:59:00, 00:00:00); expected 18.0",
    ),
    (
        "hostile_sleepy_clock",
        "tumbling",
        ["boundaries", "disorder", "many_keys", "example"],
        "build_flow(...) run on 4 readings did not finish within 3 s; is there an endless loop, or a list() / sum() / sorted() of an endless stream?",
    ),
    # exercise 2: sliding
    ("slide_fold", "sliding", [], ""),
    (
        "slide_tumbling",
        "sliding",
        ["boundaries", "disorder", "many_keys", "example"],
        "your flow wrote no mean for key 'sensor-0', window -3 [23:57:00, 00:00:00); expected 18.0",
    ),
    (
        "slide_two_minutes",
        "sliding",
        ["boundaries", "disorder", "many_keys", "example"],
        "your flow wrote no mean for key 'sensor-0', window -3 [23:57:00, 00:00:00); expected 18.0",
    ),
    (
        "hostile_exit_in_mapper",
        "sliding",
        ["boundaries", "disorder", "many_keys", "example"],
        "build_flow(...) run on 4 readings ended the Python process (exit status 0) before answering; remove os._exit()/exit calls — the grader needs your functions to return",
    ),
    # exercise 3: sessions
    ("sess_fold_merge", "sessions", [], ""),
    # the merger is called only when folding out of order: a late event bridges two sessions
    ("sess_wrong_merger_ordered", "sessions", [], ""),
    (
        "sess_wrong_merger_unordered",
        "sessions",
        ["disorder"],
        "wrong session summary for key 'user-0', session 00:00:00–00:05:20: expected 00:00:00–00:05:20 3 ev 1 cl, yours 00:00:00–00:04:50 2 ev 0 cl",
    ),
    (
        "sess_system_clock",
        "sessions",
        ["gap", "disorder", "many_users", "example"],
        "your flow's clock is SystemClock (step 's.c'); this exercise needs EventClock on event['ts']",
    ),
    (
        "sess_gap_exclusive",
        "sessions",
        ["gap", "disorder"],
        "wrong session summary for key 'user-0', session 00:00:00–00:05:00: expected 00:00:00–00:05:00 2 ev 1 cl, yours 00:00:00–00:00:00 1 ev 0 cl",
    ),
    (
        "sess_arrival_order",
        "sessions",
        ["disorder", "many_users", "example"],
        "your flow wrote no session summary for key 'user-0', session 00:00:00–00:00:20; expected 00:00:00–00:00:20 2 ev 1 cl",
    ),
    (
        "sess_counts_everything",
        "sessions",
        ["gap", "disorder", "many_users", "example"],
        "wrong session summary for key 'user-0', session 00:00:00–00:05:00: expected 00:00:00–00:05:00 2 ev 1 cl, yours 00:00:00–00:05:00 2 ev 2 cl",
    ),
    (
        "sess_tumbling",
        "sessions",
        ["gap", "disorder", "many_users", "example"],
        "wrong session summary for key 'user-0', session 00:00:00–00:05:00: expected 00:00:00–00:05:00 2 ev 1 cl, yours 00:00:00–00:00:00 1 ev 0 cl",
    ),
    (
        "sess_naive_times",
        "sessions",
        ["gap", "disorder", "many_users", "example"],
        "your flow wrote ('user-0', (datetime.datetime(2024, 1, 1, 0, 0), datetime.datetime(2024, 1, 1, 0, 5), 2, 1)) to the sink; every item must be (user, (start, end, events, clicks)) with aware datetimes and ints",
    ),
    # exercise 4: late
    ("late_fold_counts", "late", [], ""),
    (
        "late_counts_all",
        "late",
        ["late_counts", "many_keys", "example"],
        "your flow wrote a late count for key 'sensor-0', which had no late readings",
    ),
    (
        "late_no_side_output",
        "late",
        ["late_counts", "many_keys", "example"],
        "your flow wrote no late count for key 'sensor-0'; expected 1",
    ),
    (
        "late_keyed_by_window",
        "late",
        ["late_counts", "many_keys", "example"],
        "your flow wrote a late count for key '0', which had no late readings",
    ),
    (
        "late_wait_twice",
        "late",
        ["windows", "late_counts", "example"],
        "your flow's EventClock (step 'l.c') waits 20 s; this exercise needs EventClock on reading['ts'] waiting 10 s (wait_for_system_duration=WAIT)",
    ),
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
    messages = "\n".join(check.full_message() for check in graded.checks if not check.passed)
    assert [check.name for check in graded.checks if not check.passed] == failing, messages
    if not failing:
        assert graded.passed and graded.score == graded.max_score
        return
    assert graded.first_failure is not None
    assert _stable(graded.first_failure.message) == _stable(reason), messages
    hint_matches_kind(part, exercise, graded.first_failure)
    assert "Traceback" not in messages and "learnstream/grading" not in messages
    assert "<frozen" not in messages


def _stable(message: str) -> str:
    """`message` without what varies between runs and Pythons: memory addresses, and the
    kilobytes a growing state held (tracemalloc's figure depends on the allocator)."""
    return re.sub(r"\d+\.\d KB", "... KB", re.sub(r"0x[0-9a-f]+", "0x...", message))


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


PART4 = [
    # Each case replaces one exercise; only that exercise is graded (Part 4's runs of
    # models over thousands of events are long). Right but unusual cases pass.
    # exercise 1: welford
    ("wf_fractions", "welford", [], ""),
    (
        "wf_global_stats",
        "welford",
        ["per_key", "example"],
        "wrong (n, mean, variance) for key 'sensor-0' after its reading #2: expected (2, 21.0, 2.0), yours (3, 347.3333333, 319481.3333)",
    ),
    (
        "wf_keeps_list",
        "welford",
        ["memory"],
        "your RunningStats held 95.0 KB more after 3,100 updates than after 100: its memory grows with the stream, so it keeps what it has seen. A stream never ends — keep n, the mean and m2 only",
    ),
    (
        "wf_m2_squares_delta",
        "welford",
        ["running_stats", "large_values", "per_key", "example"],
        "after 2 update(s), (n, mean, variance) is (2, 3.0, 8.0); expected (2, 3.0, 2.0)",
    ),
    (
        "wf_naive_sums",
        "welford",
        ["large_values", "per_key"],
        "after 2 update(s), (n, mean, variance) is (2, 1000000006.0, 0.0); expected (2, 1000000006.0, 4.5) — with values this large, a variance from sums of squares loses its digits; use Welford's update (keep the mean and m2)",
    ),
    (
        "wf_none_for_one",
        "welford",
        ["running_stats", "large_values", "per_key", "example"],
        "after 1 update(s), (n, mean, variance) is (1, 2.0, None); expected (1, 2.0, 0.0)",
    ),
    (
        "wf_population",
        "welford",
        ["running_stats", "large_values", "per_key", "example"],
        "after 2 update(s), (n, mean, variance) is (2, 3.0, 1.0); expected (2, 3.0, 2.0) — that is the population variance (divided by n); the sample variance divides by n - 1",
    ),
    (
        "wf_returns_none",
        "welford",
        ["running_stats", "large_values", "per_key", "example"],
        "update(x) must return the object itself (`return self`), so that calls chain: RunningStats().update(1.0).update(3.0)",
    ),
    ("wf_river_stats", "welford", [], ""),
    ("wf_shifted", "welford", [], ""),
    # exercise 2: zscore
    (
        "z_anomalies_kept_out",
        "zscore",
        ["past_only", "matches"],
        "wrong (temp, z, is_anomaly) for key 'sensor-0' after its reading #7: expected (20.5, -0.3583021511, False), yours (20.5, 1.095445115, False)",
    ),
    (
        "z_global",
        "zscore",
        ["per_key", "matches"],
        "wrong (temp, z, is_anomaly) for key 'sensor-0' after its reading #4: expected (20.5, None, False), yours (20.5, -0.9116026133, False)",
    ),
    ("z_history_list", "zscore", [], ""),
    (
        "z_infinite_on_flat",
        "zscore",
        ["warmup", "matches"],
        "wrong (temp, z, is_anomaly) for key 'sensor-0' after its reading #6: expected (5.0, None, False), yours (5.0, 0.0, False)",
    ),
    (
        "z_leaky",
        "zscore",
        ["past_only", "warmup", "sample_deviation", "per_key", "matches"],
        "wrong (temp, z, is_anomaly) for key 'sensor-0' after its reading #5: expected (20.0, None, False), yours (20.0, -0.7302967433, False) — that is the z-score with this reading in its own baseline: judge each reading against the earlier ones, then add it",
    ),
    (
        "z_off_by_one",
        "zscore",
        ["past_only", "warmup", "sample_deviation", "per_key", "matches"],
        "wrong (temp, z, is_anomaly) for key 'sensor-0' after its reading #6: expected (20.5, 1.095445115, False), yours (20.5, None, False)",
    ),
    (
        "z_population",
        "zscore",
        ["past_only", "warmup", "sample_deviation", "per_key", "matches"],
        "wrong (temp, z, is_anomaly) for key 'sensor-0' after its reading #6: expected (20.5, 1.095445115, False), yours (20.5, 1.224744871, False) — that is the population standard deviation (divided by n); use the sample one (divided by n - 1)",
    ),
    ("z_river_stats", "zscore", [], ""),
    # exercise 3: prequential
    ("pq_by_hand", "prequential", [], ""),
    (
        "pq_double_learn",
        "prequential",
        ["test_then_train", "matches_river", "unscored_none", "generator"],
        "example 0: the model was called ['predict', 'learn', 'learn']; call predict_one once, then learn_one once, for every example",
    ),
    (
        "pq_keyed_by_event",
        "prequential",
        ["test_then_train", "matches_river", "unscored_none", "generator"],
        "on 60 examples no two alike, after example 3 your accuracy is 1.0; River's progressive_val_score gives 0.3333333333",
    ),
    (
        "pq_learn_first",
        "prequential",
        ["test_then_train", "matches_river", "unscored_none", "generator"],
        "the model learned example 0 before predicting it: it was tested on an answer it had just been shown (leakage). Predict first, then learn",
    ),
    (
        "pq_own_model",
        "prequential",
        ["test_then_train", "unscored_none"],
        "your flow never called predict_one or learn_one on the model it was given; use that model (build_flow's third argument), not a copy or a new one",
    ),
    ("pq_proba_argmax", "prequential", [], ""),
    (
        "pq_scores_none",
        "prequential",
        ["test_then_train", "unscored_none"],
        "on 60 examples no two alike, after example 3 your accuracy is 0.25; River's progressive_val_score gives 0.3333333333",
    ),
    # exercise 4: drift
    (
        "dr_always_correct",
        "drift",
        ["protocol"],
        "event 0: the model predicted None, the label is 1, but your flow wrote correct=True",
    ),
    ("dr_clone", "drift", [], ""),
    ("dr_error_as_accuracy", "drift", [], ""),
    (
        "dr_learn_first",
        "drift",
        ["protocol"],
        "the model learned event 0 before predicting it (leakage): predict, score, then learn",
    ),
    (
        "dr_never_reset",
        "drift",
        ["recovers", "protocol"],
        "on the drifting stream (seed 100) your accuracy over events 3500-4499 is 0.569; at least 0.7 is needed: when ADWIN detects a drift, replace the model with make_model()",
    ),
    ("dr_new_detector_too", "drift", [], ""),
    (
        "dr_reset_every_1000",
        "drift",
        ["quiet"],
        "on a stream that never changes (seed 100) your flow detected 4 drifts (at [1000, 2000, 3000, 4000]); at most 1 is allowed. Feed ADWIN the errors (0 or 1) with its default settings",
    ),
    (
        "dr_sensitive",
        "drift",
        ["quiet"],
        "on a stream that never changes (seed 100) your flow detected 7 drifts (at [479, 959, 1791, 2207, 2879, 3487, 4863]); at most 1 is allowed. Feed ADWIN the errors (0 or 1) with its default settings",
    ),
]


#: Part 4's runs are long: drift runs a model over 30,000 events per grade.
PART4_LIMITS = Limits(timeout=120.0, memory_mb=1024)


@pytest.mark.parametrize("case", PART4, ids=[c[0] for c in PART4])
def test_part4_submission_gets_its_verdict(tmp_path: Path, case: Case) -> None:
    assert_exercise_verdict(tmp_path, "part4", case, PART4_LIMITS, _stable)


def test_part4_catalogue_holds_wrong_and_right_submissions_for_every_exercise() -> None:
    assert_catalogue_covers_part("part4", PART4)
