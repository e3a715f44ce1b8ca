"""The `learnstream` command: thin wrappers around plain functions.

Each subcommand parses its arguments and calls a function that does the work
(`learnstream.run.run_cli`, `learnstream.visualize.to_mermaid`, the grader...),
so everything the CLI does can also be done from Python.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

import learnstream
from learnstream.run import FlowLookupError, load_flow


def _version_message() -> str:
    backend = "C core" if learnstream.BACKEND == "c" else "pure-Python twin"
    return f"learnstream {learnstream.__version__} (engine backend: {backend})"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(message=_version_message(), package_name="learnstream")
def main() -> None:
    """Streaming Data for Data Scientists: run flows, grade exercises, read the course."""


@main.command(context_settings={"ignore_unknown_options": True}, add_help_option=False)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def run(args: tuple[str, ...]) -> None:
    """Run a dataflow, with Bytewax's flags: `learnstream run --help` lists them."""
    from learnstream.run import main as run_main

    sys.exit(run_main(list(args), prog="learnstream run"))


@main.command()
@click.argument("import_str")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["both", "mermaid", "text", "json"]),
    default="both",
    show_default=True,
    help="mermaid and json are Bytewax's formats; text is the tree of nested operators.",
)
def visualize(import_str: str, fmt: str) -> None:
    """Draw a dataflow as a Mermaid flowchart and as an indented tree (or as JSON)."""
    from learnstream.visualize import to_json, to_mermaid, to_text

    try:
        flow = load_flow(import_str)
    except FlowLookupError as err:
        raise click.ClickException(str(err)) from None
    if fmt == "json":
        click.echo(to_json(flow))
        return
    if fmt in ("both", "mermaid"):
        click.echo(to_mermaid(flow))
    if fmt == "both":
        click.echo()
    if fmt in ("both", "text"):
        click.echo(to_text(flow))


@main.command()
@click.argument("events", required=False, type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--source",
    type=click.Choice(["sensors", "clicks", "ads"]),
    default="sensors",
    show_default=True,
    help="Simulated stream to draw when no EVENTS file is given (ads: impressions joined "
    "with their clicks by user, through join_window).",
)
@click.option("--seed", default=0, show_default=True, help="Seed of the simulated stream.")
@click.option("--limit", default=24, show_default=True, help="Items of the simulated stream.")
@click.option("--keys", default=2, show_default=True, help="Sensors or users to simulate.")
@click.option(
    "--disorder",
    default=None,
    metavar="DURATION",
    help="How late the simulated stream delivers items [default: 15s sensors, 30s clicks].",
)
@click.option("--tumbling", metavar="LENGTH", help="Tumbling windows of LENGTH (e.g. 30s).")
@click.option("--sliding", metavar="LENGTH", help="Sliding windows of LENGTH; needs --offset.")
@click.option("--offset", metavar="DURATION", help="How often a sliding window starts.")
@click.option("--session", metavar="GAP", help="Session windows closed by GAP of silence.")
@click.option(
    "--align-to",
    "align_to",
    metavar="TIME",
    help="Where windows are counted from [default: midnight UTC before the first item].",
)
@click.option(
    "--wait",
    default="0s",
    show_default=True,
    metavar="DURATION",
    help="The EventClock's wait_for_system_duration.",
)
@click.option("--highlight", metavar="KEY:ID", help="Emphasise one window, e.g. sensor-0:2.")
@click.option("--width", default=72, show_default=True, help="Columns of the time axis.")
@click.option(
    "--svg", "svg", type=click.Path(dir_okay=False), help="Also write the picture as SVG."
)
def timeline(events: str | None, svg: str | None, **options: object) -> None:
    """Draw items, windows, watermarks and late items on an event-time axis.

    EVENTS is a CSV (key,ts) or JSON Lines file of events in arrival order ('-'
    reads stdin); a CSV of key,ts,side rows is drawn as a windowed join, a lane
    per side per key, with the rows the join emitted; times are ISO-8601 with an offset, or seconds after
    2024-01-01T00:00:00Z. Without EVENTS, a simulated stream is drawn. Windows
    default to --tumbling 30s.
    """
    from learnstream.timeline import timeline_from_options

    try:
        drawn = timeline_from_options(events, **options)  # type: ignore[arg-type]
    except (ValueError, OSError) as err:
        raise click.ClickException(str(err)) from None
    from rich.console import Console

    width = options["width"]
    assert isinstance(width, int)
    Console(highlight=False, soft_wrap=True).print(drawn.render(width))
    if svg:
        Path(svg).write_text(drawn.to_svg() + "\n", encoding="utf-8")
        click.echo(f"wrote {svg}")


@main.command()
def doctor() -> None:
    """Check this machine for the course: Python, the C core, a tiny flow, the grader."""
    from learnstream.doctor import render, run_checks

    sys.exit(render(run_checks()))


def find_benchmarks() -> Path | None:
    """The checkout holding `benchmarks/`: this folder or a parent, else beside the sources.

    The benchmarks are a top-level folder of the repository, not part of the
    installed package, so `learnstream bench` works from a checkout (or an
    editable install of one) only.
    """
    here = Path.cwd().resolve()
    candidates = [here, *here.parents, Path(learnstream.__file__).resolve().parents[2]]
    for folder in candidates:
        if (folder / "benchmarks" / "runner.py").is_file():
            return folder
    return None


@main.command(context_settings={"ignore_unknown_options": True}, add_help_option=False)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def bench(args: tuple[str, ...]) -> None:
    """Run the benchmarks (`python -m benchmarks`); `learnstream bench --help` lists ARGS."""
    import subprocess

    root = find_benchmarks()
    if root is None:
        raise click.ClickException(
            "the benchmarks live in the benchmarks/ folder of a learnstream checkout, not in "
            "the installed package: run this from a clone of the repository"
        )
    # A child with the checkout first on its path, so `benchmarks` and the
    # learnstream sources beside it are the ones that run.
    env = dict(os.environ)
    paths = [str(root), str(Path(learnstream.__file__).resolve().parents[1])]
    env["PYTHONPATH"] = os.pathsep.join([*paths, env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    sys.exit(subprocess.call([sys.executable, "-m", "benchmarks", *args], cwd=root, env=env))


@main.command()
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False),
    default="notebooks",
    show_default=True,
    help="Folder to write the notebooks to.",
)
@click.option(
    "--course",
    "course",
    type=click.Path(exists=True, file_okay=False),
    default=None,
    help="The course checkout (the folder with mkdocs.yml).",
)
def notebooks(out: str, course: str | None) -> None:
    """Write one Jupyter notebook per written part of the course."""
    from pathlib import Path

    from learnstream.coursebook.layout import CourseNotFoundError, find_project_root
    from learnstream.coursebook.notebooks import write_notebooks

    try:
        root = find_project_root(Path(course) if course else None)
        written = write_notebooks(root, Path(out))
    except (CourseNotFoundError, FileNotFoundError) as err:
        raise click.ClickException(str(err)) from None
    except ImportError as err:
        raise click.ClickException(
            f"{err}: the notebooks need the docs extra (from the course's clone: pip install -e '.[docs]')"
        ) from None
    for path in written:
        click.echo(f"wrote {path}")


def _add_grading_commands() -> None:
    from learnstream.grading.commands import COMMANDS

    for command in COMMANDS:
        main.add_command(command)


_add_grading_commands()
