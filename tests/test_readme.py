"""The README's quickstart and its example flow are true."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def test_quickstart_is_two_lines_install_and_run_then_install_and_test() -> None:
    block = re.search(r"## Quickstart.*?```bash\n(.*?)```", README, re.S)
    assert block is not None
    first, second = block[1].strip().splitlines()
    assert first.startswith("pip install ") and "learnstream.run wordcount" in first
    assert second.startswith('pip install -e ".[dev]"') and "pytest" in second


def test_ci_runs_the_readme_test_line_verbatim() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert "## Quickstart" in ci and "splitlines()[1]" in ci


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
