"""Part 4's exercises and grader: the stubs' contracts, the CLI, seeds, River missing, the answers.

The catalogue of Part 4 submissions is in the lab folders (labs/part4/*/catalogue/),
run by test_catalogue_part4.py.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import random
import statistics
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from grading_helpers import (
    generated,
    grade_quick,
    lab_module,
    submission_text,
    with_submission,
    workspace_from,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from learnstream.grading import get_part

ROOT = Path(__file__).resolve().parent.parent
PART4 = get_part("part4")
checks = lab_module("part4")
MIN_HISTORY, THRESHOLD = checks.MIN_HISTORY, checks.THRESHOLD
running_answers, zscores = checks.running_answers, checks.zscores
reference_curve = lab_module("part4", "prequential").reference_curve
SOLUTIONS = generated("solutions") / "part4"


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"loaded_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "learnstream", *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "160", **(env or {})},
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_the_stubs_thresholds_are_the_graders() -> None:
    zscore = _load(SOLUTIONS / "ex2_zscore.py")
    drift = _load(SOLUTIONS / "ex4_drift.py")
    assert (zscore.THRESHOLD, zscore.MIN_HISTORY) == (checks.THRESHOLD, checks.MIN_HISTORY)
    assert (drift.DETECT_WITHIN, drift.RECOVERED) == (checks.DETECT_WITHIN, checks.RECOVERED)


@pytest.mark.timeout(1200)
@pytest.mark.parametrize("seed", ["3", "987654"])
def test_solutions_get_full_marks_and_exit_0_whatever_the_seed(seed: str) -> None:
    run = _cli("grade", "part4", "--path", str(generated("solutions")), "--json", "--seed", seed)
    assert run.returncode == 0, run.stdout + run.stderr
    result = json.loads(run.stdout)
    assert result["score"] == result["max_score"] == 40
    assert [ex["name"] for ex in result["exercises"]] == [
        "welford",
        "zscore",
        "prequential",
        "drift",
    ]


def test_fresh_stubs_score_nothing_and_exit_1() -> None:
    run = _cli("grade", "part4", "--path", str(generated("exercises")), "--seed", "3")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "score 0/40" in run.stdout
    assert run.stdout.count("not implemented yet") == 4
    assert "Traceback" not in run.stdout + run.stderr


def test_without_river_the_grader_says_what_to_install(tmp_path: Path) -> None:
    """A `river` that cannot be imported: the River exercises fail with the install line."""
    fake = tmp_path / "no_river" / "river"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'river'\", name='river')\n"
    )
    env = {"PYTHONPATH": os.pathsep.join([str(fake.parent), str(ROOT / "src")])}
    run = _cli("grade", "part4", "prequential", "--path", str(generated("solutions")), env=env)
    assert run.returncode == 1, run.stdout + run.stderr
    assert 'pip install "learnstream[ml]"' in run.stdout
    assert "Traceback" not in run.stdout + run.stderr


# --- the grader's own answers, against obviously correct ones -------------------------


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.floats(0.0, 1.0), min_size=50, max_size=200),
    st.lists(st.floats(0.0, 1.0), min_size=50, max_size=200),
    st.randoms(use_true_random=False),
)
def test_the_drift_replay_is_rivers_adwin(
    before: list[float], after: list[float], rng: random.Random
) -> None:
    """The grader replays River's own ADWIN() (loaded without river.drift's package): on
    error streams whose rate changes, it reports a drift exactly where river.drift.ADWIN() does."""
    from river.drift import ADWIN

    from learnstream.grading.kit.adwin import adwin_drifts, river_adwin

    errors = [int(rng.random() < p) for p in before + after]
    detector, found = ADWIN(), []
    for i, error in enumerate(errors):
        detector.update(error)
        if detector.drift_detected:
            found.append(i)
    assert adwin_drifts(errors) == found
    assert river_adwin().__qualname__ == "ADWIN" and river_adwin()().delta == ADWIN().delta


def test_the_drift_replay_does_not_import_scipy() -> None:
    """Replaying ADWIN costs no `scipy.stats` import (which `river.drift` pulls in via KSWIN)."""
    code = (
        "import sys\n"
        "from learnstream.grading.kit.adwin import adwin_drifts\n"
        "print(adwin_drifts([0] * 300 + [1] * 300), 'scipy.stats' in sys.modules)"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        capture_output=True,
        text=True,
        check=True,
    )
    assert run.stdout.split() == ["[319]", "False"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=20))
def test_running_answers_are_statistics_modules(values: list[float]) -> None:
    for n, (count, mean, variance) in enumerate(running_answers(values), start=1):
        assert count == n
        assert math.isclose(mean, statistics.fmean(values[:n]), rel_tol=1e-9, abs_tol=1e-9)
        expected = statistics.variance(values[:n]) if n > 1 else 0.0
        assert math.isclose(variance, expected, rel_tol=1e-9, abs_tol=1e-6)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(-50, 50).map(float), min_size=1, max_size=15))
def test_zscores_judge_each_reading_on_the_earlier_ones_only(values: list[float]) -> None:
    for n, (value, z, flag) in enumerate(zscores(values)):
        earlier = values[:n]
        if n < MIN_HISTORY or statistics.stdev(earlier) == 0:
            assert (z, flag) == (None, False)
            continue
        want = (value - statistics.fmean(earlier)) / statistics.stdev(earlier)
        assert z is not None and math.isclose(z, want, rel_tol=1e-9, abs_tol=1e-12)
        assert flag == (abs(want) > THRESHOLD)


def test_the_reference_curve_is_progressive_val_score() -> None:
    from river import datasets, evaluate, linear_model, metrics, preprocessing

    curve = reference_curve({"kind": "dataset", "name": "Phishing", "limit": 1250}, "logreg")
    model = preprocessing.StandardScaler() | linear_model.LogisticRegression()
    final = evaluate.progressive_val_score(datasets.Phishing(), model, metrics.Accuracy())
    assert len(curve) == 1250 and curve[-1] == (1249, final.get())


def test_a_leaky_flow_is_seen_in_the_models_call_log(tmp_path: Path) -> None:
    """The instrumented model logs the order of calls; the memoriser makes the leak pay."""
    from learnstream.grading import probes_ml
    from learnstream.grading.runner import LocalRunner

    solution = _load(SOLUTIONS / "ex3_prequential.py")
    leaky_file = tmp_path / "ex3_prequential.py"
    leaky_file.write_text(submission_text("part4", "prequential", "pq_learn_first"))
    leaky = _load(leaky_file)
    spec = {"kind": "unique", "seed": 5, "limit": 20}
    right = probes_ml.prequential(
        LocalRunner(solution), "build_flow(...)", "build_flow", spec, "memorizer"
    )
    wrong = probes_ml.prequential(
        LocalRunner(leaky), "build_flow(...)", "build_flow", spec, "memorizer"
    )
    assert [call[0] for call in right["log"][:4]] == ["predict", "learn", "predict", "learn"]
    assert [call[0] for call in wrong["log"][:4]] == ["learn", "predict", "learn", "predict"]
    assert wrong["outputs"][-1][1] == 1.0 > right["outputs"][-1][1]


@pytest.mark.timeout(1200)
@pytest.mark.parametrize(
    ("case", "exercise"),
    [("wf_naive_sums", "welford"), ("z_population", "zscore"), ("pq_scores_none", "prequential")],
)
def test_a_wrong_submission_fails_the_same_checks_whatever_the_seed(
    tmp_path: Path, case: str, exercise: str
) -> None:
    """The streams that expose a mistake do not depend on the run's seed (only their sizes)."""
    from grading_helpers import with_submission, workspace_from

    from learnstream.grading import Limits, grade

    folder = with_submission(
        workspace_from("solutions", tmp_path, "part4"), case, exercise, "part4"
    )
    verdicts = set()
    for seed in (1, 424242):
        result = grade(
            "part4", exercise, path=folder, seed=seed, limits=Limits(timeout=120.0), max_examples=25
        )
        (graded,) = result.exercises
        verdicts.add(tuple(check.name for check in graded.checks if not check.passed))
    assert len(verdicts) == 1 and verdicts != {()}, verdicts


def test_a_baseline_without_the_flagged_readings_is_named_and_hinted_as_such(
    tmp_path: Path,
) -> None:
    folder = workspace_from("solutions", tmp_path, "part4")
    with_submission(folder, "z_anomalies_kept_out", "zscore", "part4")
    failure = grade_quick(folder, "zscore", part="part4").exercises[0].first_failure
    assert failure is not None and failure.name == "past_only"
    assert failure.message.endswith("anomalies included"), failure.message
    # the check's own hint, about what a baseline holds, not the ladder's "judge BEFORE update"
    assert failure.hint == get_part("part4").exercise("zscore").checks[0].hint
    assert failure.hint is not None and "flagged as an anomaly joins" in failure.hint


def test_a_first_failure_without_a_hint_of_its_own_gets_a_later_checks_hint_for_its_kind(
    tmp_path: Path,
) -> None:
    # scores the predictions of None: the leakage check fails first, with a wrong value its
    # own hint (about leakage) is not for; unscored_none's hint is, and is the one shown
    folder = workspace_from("solutions", tmp_path, "part4")
    with_submission(folder, "pq_scores_none", "prequential", "part4")
    checks = grade_quick(folder, "prequential", part="part4").exercises[0].checks
    failed = [check.name for check in checks if not check.passed]
    assert failed == ["test_then_train", "unscored_none"], failed
    unscored = get_part("part4").exercise("prequential").checks[2]
    assert unscored.name == "unscored_none"
    assert checks[0].hint == unscored.hint and "y_pred is not None" in checks[0].hint
