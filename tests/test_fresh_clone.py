"""The README's Quickstart as a new user meets it: a clean clone, a fresh venv, the two lines.

The repository's committed HEAD (uncommitted work is not in a clone) is cloned
into a temporary folder, a venv that sees none of this machine's packages is
made there, and the README's two Quickstart lines run in it verbatim, so pip
installs the newest versions of the dependencies that the package allows.

The second line runs the whole test suite again, this file included: that
inner run has LEARNSTREAM_FRESH_CLONE set, and this test skips itself there, so
it never recurses. CI sets it too: `.ci/run` is itself such a run (CI's checkout
is a fresh clone, and it runs the README's lines in a new venv), so the test
runs where a developer runs the README's line, not twice in CI. Each line is
bounded in time (`LINE_TIMEOUT`).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
INNER = "LEARNSTREAM_FRESH_CLONE"
#: Seconds for each Quickstart line: installing everything, then the whole suite on 2 cores.
LINE_TIMEOUT = {0: 1200, 1: 3600}


def _quickstart() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Quickstart.*?```bash\n(.*?)```", readme, re.S)
    assert block is not None
    return block[1].strip().splitlines()[:2]


@pytest.mark.timeout(sum(LINE_TIMEOUT.values()) + 600)
@pytest.mark.skipif(
    bool(os.environ.get(INNER)),
    reason="this run is a fresh clone's, in a new venv (.ci/run, or this test's own inner run)",
)
def test_the_readme_quickstart_passes_in_a_fresh_venv_from_a_clean_clone(tmp_path: Path) -> None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs git and a git checkout to clone")
    clone = tmp_path / "learnstream"
    subprocess.run(
        ["git", "clone", "-q", str(ROOT), str(clone)], check=True, capture_output=True, timeout=300
    )
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PIP_CONSTRAINT"))}
    env.update(
        VIRTUAL_ENV=str(venv), PATH=f"{venv / 'bin'}{os.pathsep}{env['PATH']}", **{INNER: "1"}
    )
    env.pop("PYTEST_ADDOPTS", None)
    outputs = []
    for number, line in enumerate(_quickstart()):
        done = subprocess.run(
            ["bash", "-c", line],
            cwd=clone,
            env=env,
            capture_output=True,
            text=True,
            timeout=LINE_TIMEOUT[number],
        )
        assert done.returncode == 0, f"{line}\n{done.stdout[-6000:]}\n{done.stderr[-3000:]}"
        outputs.append(done.stdout)
    words, tests = outputs
    assert "('to', 4)" in words.splitlines()  # the word count of the first line
    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import learnstream; print(learnstream.__file__)"],
        env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert where.startswith(str(clone)), "the venv must run the clone's learnstream"
    summary = tests.strip().splitlines()[-1]
    assert re.search(r"\d+ passed", summary) and "failed" not in summary, summary
    assert "error" not in summary, summary
