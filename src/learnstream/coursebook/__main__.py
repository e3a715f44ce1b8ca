"""Check the course pages: `python -m learnstream.coursebook [--write-diagrams] [PAGE ...]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from learnstream.coursebook.layout import docs_dir, find_project_root
from learnstream.coursebook.pages import read_page
from learnstream.coursebook.runner import refresh_diagrams, run_page


def main(argv: list[str] | None = None) -> int:
    """Run the given pages (default: every page of the course); 0 when all agree."""
    parser = argparse.ArgumentParser(prog="python -m learnstream.coursebook", description=__doc__)
    parser.add_argument("pages", nargs="*", type=Path, help="pages to check (default: all)")
    parser.add_argument(
        "--write-diagrams",
        action="store_true",
        help="regenerate each page's Mermaid diagrams from its flows first",
    )
    args = parser.parse_args(argv)
    root = find_project_root()
    pages = [p.resolve() for p in args.pages] or sorted(docs_dir(root).rglob("*.md"))
    failed = 0
    for path in pages:
        if args.write_diagrams and refresh_diagrams(path, root):
            print(f"{path.relative_to(root)}: diagrams regenerated")
        problems = run_page(read_page(path, root), root).problems
        for problem in problems:
            print(problem, file=sys.stderr)
        failed += bool(problems)
    print(f"{len(pages) - failed} pages agree with their code, {failed} do not")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
