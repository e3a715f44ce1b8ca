"""The architecture page describes the repository as it is, and is what the repository cites."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "course" / "reference" / "architecture.md"
TEXT = PAGE.read_text(encoding="utf-8")
ENGINE = ROOT / "src" / "learnstream" / "engine"


def section(title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", TEXT, re.S | re.M)
    assert match, f"the page has no '## {title}' section"
    return match[1]


def test_every_path_in_the_layout_table_exists() -> None:
    rows = re.findall(r"^\| (`.*?) \|", section("Layout"), re.M)
    assert len(rows) >= 15
    for row in rows:
        for path in re.findall(r"`([^`]+)`", row):
            path = path.replace("partN", "part1")
            assert (ROOT / path).exists() or (ROOT / "src" / "learnstream" / path).exists(), (
                f"{path} is in the layout table but not in the repository"
            )


def test_every_engine_file_the_page_names_exists_and_twins_come_in_pairs() -> None:
    named = set(re.findall(r"`(?:engine/)?(\w+\.py)`", section("The engine")))
    for name in named:
        found = [p for p in (ENGINE / name, ROOT / "src" / "learnstream" / name) if p.exists()]
        assert found, f"the page names {name}, which does not exist"
    twins = {p.name[: -len("_twin.py")] for p in ENGINE.glob("*_twin.py")}
    cores = {p.name[: -len("_c.py")] for p in ENGINE.glob("*_c.py")}
    assert twins and twins == cores, "every <thing>_twin.py has its <thing>_c.py and back"
    pairs = set(re.findall(r"^\| `(\w+)_twin\.py` \| `\1_c\.py` \|", TEXT, re.M))
    assert pairs == twins, "the page's table of twin/C pairs lists every pair in engine/"
    assert "<thing>_twin.py" in TEXT and "<thing>_c.py" in TEXT


def test_the_page_is_in_the_sites_reference_section() -> None:
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8").split("\nnav:\n", 1)[1]
    reference = re.search(r"^  - Engine reference:\n((?:      - .*\n)+)", nav, re.M)
    assert reference and "      - reference/architecture.md\n" in reference[1]


def test_no_file_cites_a_design_document_the_repository_does_not_have() -> None:
    files = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    citing = [
        name
        for name in files
        if name.endswith((".py", ".md", ".toml", ".yml", ".txt", ".c", ".h"))
        and "DESIGN.md" in (ROOT / name).read_text(encoding="utf-8", errors="replace")
        and name != "tests/test_architecture_page.py"
    ]
    assert not (ROOT / "DESIGN.md").exists()
    assert citing == [], f"cite course/reference/architecture.md instead, in {citing}"


def test_every_module_and_c_file_is_listed() -> None:
    """A module added to the package (or a file to `csrc/`) must get its line on the page."""
    listed = set(re.findall(r"`([^`]+)`", section("Every module")))
    package = ROOT / "src" / "learnstream"
    wanted = {p.name for p in package.glob("*.py")}
    wanted |= {f"{p.name}/" for p in package.iterdir() if (p / "__init__.py").exists()}
    wanted -= {"engine/"}  # listed module by module
    wanted |= {f"engine/{p.name}" for p in ENGINE.glob("*.py") if p.name != "__init__.py"}
    wanted |= {f"csrc/{p.name}" for p in (ROOT / "csrc").iterdir() if p.suffix in (".c", ".h")}
    connectors = {p.name for p in (package / "connectors").glob("*.py")} - {"__init__.py"}
    missing = sorted(wanted - listed) + sorted(connectors - listed)
    assert not missing, f"the architecture page's 'Every module' table does not list {missing}"
