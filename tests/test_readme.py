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
