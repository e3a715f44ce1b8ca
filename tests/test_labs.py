"""One exercise, one folder: every stub and solution is made from its lab folder, and agrees with it.

`labs/partN/NAME/solution.py` is the only copy of an exercise's code; the stub a
learner starts from and the solution `learnstream solution` prints are made from it
(`learnstream.grading.markers`). These tests hold every exercise of every part to
its contract: the stub says what to build and how to grade it, has the solution's
docstring, signatures and constants, and raises `NotImplementedError` until written.
"""

from __future__ import annotations

import ast
import doctest
import importlib.util
import inspect
from pathlib import Path
from types import ModuleType

import pytest
from grading_helpers import assert_catalogue_covers_part, catalogue, submission_text

from learnstream.grading import PARTS, Exercise
from learnstream.grading.markers import MarkerError, solution_of, stub_of
from learnstream.grading.registry import LABS, SOLUTION_FILE, load_module
from learnstream.grading.workspace import solution_text, stub_text

EXERCISES = [(part.name, exercise) for part in PARTS for exercise in part.exercises()]


def _ids(item: tuple[str, Exercise]) -> str:
    return f"{item[0]}-{item[1].name}"


def _module(text: str, folder: Path, name: str) -> ModuleType:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(f"lab_{folder.name}_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _own(module: ModuleType) -> dict[str, object]:
    """The functions and classes a module defines itself, and its UPPER_CASE constants."""
    return {
        name: value
        for name, value in vars(module).items()
        if (
            (inspect.isfunction(value) or inspect.isclass(value))
            and value.__module__ == module.__name__
        )
        or name.isupper()
    }


@pytest.mark.parametrize("item", EXERCISES, ids=_ids)
def test_each_stub_states_its_contract_and_matches_its_solution(
    item: tuple[str, Exercise], tmp_path: Path
) -> None:
    part, exercise = item
    stub_source, solution_source = stub_text(exercise), solution_text(exercise)
    assert "TODO" in stub_source and "NotImplementedError" in stub_source
    assert "# BEGIN SOLUTION" not in solution_source + stub_source
    assert "# stub:" not in solution_source + stub_source
    stub = _module(stub_source, tmp_path, "stub.py")
    solution = _module(solution_source, tmp_path, "solution.py")
    assert f"grade {part} {exercise.name}" in (stub.__doc__ or "")
    assert stub.__doc__ == solution.__doc__
    stub_names, solution_names = _own(stub), _own(solution)
    for name, value in stub_names.items():
        assert name in solution_names, f"{name} is in the stub only"
        if inspect.isfunction(value):  # the same parameters (a stub may annotate less)
            assert _parameters(value) == _parameters(solution_names[name]), name
        elif name.isupper() and not inspect.isclass(value):
            assert value == solution_names[name], name
    unwritten = [v for v in stub_names.values() if "NotImplementedError" in _source(v)]
    assert unwritten
    for value in unwritten:
        with pytest.raises(NotImplementedError):
            result = value(*[None] * len(_parameters(value)))
            if inspect.isgenerator(result):
                next(result)


def _parameters(function: object) -> list[tuple[str, object]]:
    return [(p.name, p.default) for p in inspect.signature(function).parameters.values()]


def _source(value: object) -> str:
    """A function's source; a class's, its methods' (a class made from a string has no file)."""
    if inspect.isclass(value):
        return "".join(_source(v) for v in vars(value).values())
    return inspect.getsource(value) if inspect.isfunction(value) else ""


@pytest.mark.parametrize("item", EXERCISES, ids=_ids)
def test_the_solution_file_is_the_solution_with_the_stubs_lines_as_comments(
    item: tuple[str, Exercise],
) -> None:
    """The folder's file runs as the solution: the markers and the stub's lines are comments."""
    _, exercise = item
    source = (exercise.folder / SOLUTION_FILE).read_text(encoding="utf-8")
    assert ast.dump(ast.parse(source)) == ast.dump(ast.parse(solution_text(exercise)))


def test_the_markers_must_pair_up() -> None:
    for broken in (
        "# BEGIN SOLUTION\nx = 1\n",
        "x = 1\n# END SOLUTION\n",
        "# STUB\n# x = 1\n",
        "# BEGIN SOLUTION\nx = 1\n# STUB\nx = 2\n# END SOLUTION\n",
    ):
        with pytest.raises(MarkerError):
            stub_of(broken)
    assert solution_of("x = 1  # stub:\n") == "x = 1\n" and stub_of("x = 1  # stub:\n") == ""
    assert stub_of("x = 1  # stub: x = 2\n") == "x = 2\n"


def _lab_modules() -> list[tuple[str, ModuleType]]:
    found = []
    for part in PARTS:
        if (LABS / part.name / "shared.py").is_file():
            found.append((f"{part.name}/shared", load_module(LABS / part.name, "shared")))
        for exercise in part.exercises():
            found.append((f"{part.name}/{exercise.name}", load_module(exercise.folder, "checks")))
    return found


@pytest.mark.parametrize("name_module", _lab_modules(), ids=lambda item: item[0])
def test_the_doctests_of_the_labs_modules_pass(name_module: tuple[str, ModuleType]) -> None:
    """The labs are outside `src/`, so pytest's --doctest-modules does not see them."""
    _, module = name_module
    failures, _ = doctest.testmod(
        module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    )
    assert failures == 0


@pytest.mark.parametrize("part", [part.name for part in PARTS])
def test_every_catalogue_case_has_its_submission_and_verdict(part: str) -> None:
    """Each verdict names a case whose file exists, or whose patch applies (the
    catalogue tests themselves are slow: they grade every case)."""
    cases = catalogue(part)
    assert_catalogue_covers_part(part, cases)
    for case, exercise, _, _ in cases:
        assert submission_text(part, exercise, case).strip(), case
