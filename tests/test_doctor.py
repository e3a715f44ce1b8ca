"""`learnstream doctor` passes on a working machine and fails loudly on a broken one."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import learnstream
from learnstream import doctor
from learnstream.cli import main
from learnstream.doctor import Finding


def test_doctor_passes_here_and_prints_a_row_per_check() -> None:
    result = CliRunner().invoke(main, ["doctor"])
    assert result.exit_code == 0, result.output
    for name in (
        "Python",
        "C core",
        "Tiny flow",
        "Grader sandbox",
        "Notebooks",
        "River",
        "Bytewax",
        "Redis",
    ):
        assert name in result.output
    assert "Ready for the course." in result.output


def test_each_real_check_succeeds_here() -> None:
    findings = doctor.run_checks()
    assert [f.status for f in findings if f.name != "C core"] == ["ok"] * (len(findings) - 1)


@pytest.mark.parametrize("version", [(3, 10, 12), (2, 7, 18)])
def test_an_old_python_fails(version: tuple[int, int, int]) -> None:
    finding = doctor.check_python(version)
    assert finding.status == "fail"
    assert "3.11 or newer" in finding.detail


def test_the_c_core_fallback_is_a_warning_that_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(learnstream, "BACKEND", "python")
    monkeypatch.delenv("LEARNSTREAM_BACKEND", raising=False)
    monkeypatch.setitem(__import__("sys").modules, "learnstream.engine.keys_c", None)
    finding = doctor.check_c_core()
    assert finding.status == "warn"
    assert "pure-Python twin" in finding.detail and "unavailable" in finding.detail
    monkeypatch.setenv("LEARNSTREAM_BACKEND", "python")
    assert "LEARNSTREAM_BACKEND=python" in doctor.check_c_core().detail


def test_a_wrong_flow_result_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    import learnstream.operators as op

    real = op.count_final
    monkeypatch.setattr(op, "count_final", lambda step_id, up, key: real(step_id, up, str.upper))
    finding = doctor.check_tiny_flow()
    assert finding.status == "fail" and "instead of" in finding.detail


def test_a_sandbox_that_cannot_start_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    from learnstream.grading import sandbox

    class Broken(sandbox.Sandbox):
        def probe(self, *args: object, **kwargs: object) -> object:
            raise OSError("fork failed")

    monkeypatch.setattr(sandbox, "Sandbox", Broken)
    finding = doctor.check_grader_sandbox()
    assert finding.status == "fail" and "fork failed" in finding.detail


def test_a_sandbox_that_lets_endless_loops_run_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    from learnstream.grading import sandbox

    class Lax(sandbox.Sandbox):
        def probe(self, spec: str, what: str, **kwargs: object) -> object:
            return None if what == "forever(0)" else super().probe(spec, what, **kwargs)

    monkeypatch.setattr(sandbox, "Sandbox", Lax)
    finding = doctor.check_grader_sandbox()
    assert finding.status == "fail" and "endless loop" in finding.detail


def test_any_failure_makes_the_exit_status_non_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    def crashing() -> Finding:
        raise RuntimeError("boom")

    def failing() -> Finding:
        return Finding("Disk", "fail", "full")

    monkeypatch.setattr(doctor, "CHECKS", (doctor.check_python, crashing, failing))
    result = CliRunner().invoke(main, ["doctor"])
    assert result.exit_code == 1
    assert "the check crashed: RuntimeError: boom" in result.output
    assert "Not ready" in result.output and "Disk" in result.output


def test_warnings_alone_keep_the_exit_status_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(doctor, "CHECKS", (lambda: Finding("C core", "warn", "twin"),))
    assert CliRunner().invoke(main, ["doctor"]).exit_code == 0


def test_missing_notebook_tools_are_a_warning_naming_them(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "nbclient" else real(name, *a)
    )
    finding = doctor.check_notebook_tools()
    assert finding.status == "warn"
    assert finding.detail.startswith("nbclient not installed") and "[docs]" in finding.detail


def test_missing_river_is_a_warning_saying_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "river", None)
    finding = doctor.check_river()
    assert finding.status == "warn"
    assert (
        finding.detail
        == 'not installed. Part 4 needs River, the online-learning library: pip install "learnstream[ml]"'
    )
    result = CliRunner().invoke(main, ["doctor"], env={"COLUMNS": "240"})
    assert result.exit_code == 0 and 'pip install "learnstream[ml]"' in result.output


def test_python_without_bytewax_wheels_is_a_warning_saying_why(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    monkeypatch.setattr(sys, "version_info", (3, 13, 1, "final", 0))
    finding = doctor.check_bytewax()
    assert finding.status == "warn"
    assert finding.detail.startswith("Bytewax 0.21.1 has no wheels for Python 3.13")
    assert finding.detail.endswith("needed only to scale a flow out")


def test_missing_redis_py_or_server_is_a_warning_saying_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import importlib.util
    import shutil

    real = importlib.util.find_spec
    monkeypatch.setattr(shutil, "which", lambda name, *a: None)
    finding = doctor.check_redis()
    assert finding.status == "warn"
    assert "apt-get install redis-server" in finding.detail
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "redis" else real(name, *a)
    )
    finding = doctor.check_redis()
    assert finding.status == "warn"
    assert finding.detail.endswith('pip install "learnstream[broker]"')
