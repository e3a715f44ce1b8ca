"""The README's quickstart and its example flow are true."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def test_quickstart_first_line_installs_and_runs_the_word_count(tmp_path: Path) -> None:
    """Two lines: install and run (run here with `pip` stubbed), then install and test
    (which CI runs, below)."""
    block = re.search(r"## Quickstart.*?```bash\n(.*?)```", README, re.S)
    assert block is not None
    first, _second = block[1].strip().splitlines()
    _stub(tmp_path, "pip")
    env = {**os.environ, "PATH": f"{tmp_path}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        ["bash", "-c", first], cwd=ROOT, capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "calls.log").read_text() == f"pip install . @ {ROOT}\n"
    lines = done.stdout.splitlines()
    assert len(lines) == 30 and "('to', 4)" in lines and "('the', 3)" in lines


def _stub(
    bin_dir: Path, name: str, status: int = 0, label: str | None = None, log: Path | None = None
) -> None:
    """A command that only logs how it was called (and from where) to calls.log; it exits
    with `status` when called to run pytest."""
    script = bin_dir / name
    log = log or bin_dir / "calls.log"
    script.write_text(
        f'#!/usr/bin/env bash\necho "{label or name} $* @ $PWD" >> "{log}"\n'
        f'case "$*" in *pytest*) exit {status} ;; esac\n'
    )
    script.chmod(0o755)


def _venv_stub(bin_dir: Path) -> None:
    """`python3`: `-m venv DIR` makes a stub venv (an empty activate, a logging python)."""
    script = bin_dir / "python3"
    script.write_text(
        "#!/usr/bin/env bash\n"
        'if [ "$1 $2" = "-m venv" ]; then\n'
        f'    echo "python3 -m venv $(basename "$3")" >> "{bin_dir}/calls.log"\n'
        '    mkdir -p "$3/bin" && touch "$3/bin/activate"\n'
        f'    printf \'#!/usr/bin/env bash\\necho "%s/python $* @ $PWD" >> "{bin_dir}/calls.log"\\n\' '
        '"$(basename "$3")" > "$3/bin/python" && chmod +x "$3/bin/python"\n'
        "    exit 0\n"
        "fi\n"
        f'exec "{sys.executable}" "$@"\n'
    )
    script.chmod(0o755)


def run_ci(tmp_path: Path, readme: str, python_status: int = 0) -> tuple[int, str, list[str]]:
    """Run .ci/run in a copy of the repository's CI files, with `pip`, `python`, `chromium`,
    `npm`, the venvs `python3` makes and .ci/no-compiler replaced by stubs, so what CI would
    run is recorded instead of run."""
    repo, bin_dir = tmp_path / "repo", tmp_path / "bin"
    (repo / ".ci").mkdir(parents=True)
    (repo / "examples").mkdir()
    bin_dir.mkdir()
    shutil.copy2(ROOT / ".ci" / "run", repo / ".ci" / "run")
    (repo / "README.md").write_text(readme)
    for name in ("pip", "chromium", "npm"):
        _stub(bin_dir, name)
    _stub(bin_dir, "python", python_status)
    _venv_stub(bin_dir)
    _stub(repo / ".ci", "no-compiler", log=bin_dir / "calls.log", label=".ci/no-compiler")
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        ["bash", str(repo / ".ci" / "run")], capture_output=True, text=True, env=env, timeout=60
    )
    log = bin_dir / "calls.log"
    calls = log.read_text().splitlines() if log.exists() else []
    return done.returncode, done.stdout + done.stderr, calls


def test_ci_runs_the_readme_lines_verbatim_in_a_fresh_venv(tmp_path: Path) -> None:
    status, output, calls = run_ci(tmp_path, README)
    assert status == 0, output
    where = tmp_path / "repo"
    # A fresh venv, the two Quickstart lines in order in it, from the repository's root;
    # then the oldest allowed versions in a venv of their own, and the grader's catalogues.
    assert calls == [
        "python3 -m venv user",
        f"pip install . @ {where}",
        f"python -m learnstream.run wordcount @ {where / 'examples'}",
        f"pip install -e .[dev] @ {where}",
        f"python -m pytest @ {where}",
        "python3 -m venv lowest",
        f"lowest/python -m pip install -q -e .[dev] @ {where}",
        f"lowest/python -m pytest -p no:cacheprovider tests -m catalogue @ {where}",
        f".ci/no-compiler  @ {where}",
        "python -m pytest -q -m not slow and not docs and not grader and not browser and not bench"
        f" @ {where}",
        f"python -m mypy @ {where}",
    ]
    assert '+ pip install -e ".[dev]" && python -m pytest' in output


def test_ci_fails_when_the_tests_fail(tmp_path: Path) -> None:
    status, output, calls = run_ci(tmp_path, README, python_status=3)
    assert status == 3, output
    assert calls[-1].startswith("python -m pytest")  # the lower bounds' step did not start


def test_ci_refuses_a_test_line_that_does_not_run_pytest(tmp_path: Path) -> None:
    readme = README.replace("python -m pytest\n```", "python -m unittest\n```", 1)
    assert readme != README
    status, output, calls = run_ci(tmp_path, readme)
    assert status == 1
    assert "does not run pytest" in output
    assert calls == []  # nothing was installed or run


def test_the_readme_test_line_collects_every_test_and_the_loop_only_the_fast_ones() -> None:
    """Nothing in the configuration deselects tests by default; `-m "not slow"` leaves out
    exactly the files marked slow, and names the loop the Contributing notes give."""
    block = re.search(r"## Contributing.*?```bash\n(.*?)```", README, re.S)
    assert block, "README has no Contributing command block"
    loop = [line.split("  #")[0].strip() for line in block[1].strip().splitlines()]
    assert loop[0] == 'python -m pytest -m "not slow"'

    def collected(command: str) -> set[str]:
        done = subprocess.run(
            ["bash", "-c", f"{command} --collect-only -q -p no:cacheprovider"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return {line for line in done.stdout.splitlines() if "::" in line}

    everything = collected("python -m pytest")
    slow = collected('python -m pytest -m "slow"')
    slow_files = {t.split("::")[0] for t in slow}
    assert slow and slow_files <= {f"tests/{p.name}" for p in (ROOT / "tests").glob("test_*.py")}
    for command in loop:
        fast = collected(command)
        # The README's line runs both halves; the loop runs every test of every other file.
        assert fast and fast | slow == everything and not fast & slow
        assert not any(t.split("::")[0] in slow_files for t in fast)


def test_hello_flow_runs_as_documented(tmp_path: Path) -> None:
    code = re.search(r"## Running a flow.*?```python\n(.*?)```", README, re.S)
    assert code is not None
    (tmp_path / "hello.py").write_text(code[1])
    proc = subprocess.run(
        [sys.executable, "-m", "learnstream.run", "hello"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "0\n4\n16\n"


def test_taking_the_course_commands_work_in_order(tmp_path: Path) -> None:
    """Each line of the block runs where the previous one left the learner."""
    block = re.search(r"## Taking the course.*?```bash\n(.*?)```", README, re.S)
    assert block, "README has no 'Taking the course' command block"
    lines = [line.split("  #")[0].strip() for line in block.group(1).strip().splitlines()]
    script = "\n".join(f'{line}\necho "exit=$?"' for line in lines)
    done = subprocess.run(
        ["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    statuses = re.findall(r"^exit=(\d+)$", done.stdout, re.M)
    assert len(statuses) == len(lines), done.stdout + done.stderr
    # Grading fresh stubs fails (exit 1) by design; any other failure is a broken line.
    expected = ["1" if " grade " in line else "0" for line in lines]
    assert statuses == expected, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert (tmp_path / "my-course" / "part1" / "ex1_generator.py").exists()
    assert "not implemented yet" in done.stdout
    assert "windows emitted" in done.stdout
