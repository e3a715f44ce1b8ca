"""The course as files: pages that run, notebooks made from them, and the docs-site hooks.

- `pages` reads a page's Markdown into prose, runnable code, outputs and markers
  (its docstring states the conventions every course page follows);
- `runner` runs a page's code and compares it with what the page shows;
- `layout` finds the course and its parts from `mkdocs.yml`'s navigation;
- `notebooks` turns each written part into a Jupyter notebook;
- `mkdocs_hooks` adapts the pages to the site at build time.

`python -m learnstream.coursebook` checks every page (`--write-diagrams` also
regenerates the Mermaid diagrams from the flows).
"""
