"""The `learnstream` command: thin wrappers around plain functions.

Each subcommand parses its arguments and calls a function that does the work
(`learnstream.run.run_cli`, `learnstream.visualize.to_mermaid`, the grader...),
so everything the CLI does can also be done from Python.
"""

from __future__ import annotations

import sys

import click

import learnstream
from learnstream.run import FlowLookupError, load_flow, run_cli


def _version_message() -> str:
    backend = "C core" if learnstream.BACKEND == "c" else "pure-Python twin"
    return f"learnstream {learnstream.__version__} (engine backend: {backend})"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(message=_version_message(), package_name="learnstream")
def main() -> None:
    """Streaming Data for Data Scientists: run flows, grade exercises, read the course."""


@main.command()
@click.argument("import_str")
@click.option("-w", "--workers-per-process", default=1, show_default=True,
              help="Accepted for Bytewax compatibility; learnstream runs one worker.")
@click.option("--debug", is_flag=True, help="Show learnstream's own frames in tracebacks.")
def run(import_str: str, workers_per_process: int, debug: bool) -> None:
    """Run a dataflow: IMPORT_STR is module[:flow] or module:factory(args)."""
    sys.exit(run_cli(import_str, debug=debug))


@main.command()
@click.argument("import_str")
@click.option("--format", "fmt", type=click.Choice(["both", "mermaid", "text"]),
              default="both", show_default=True)
def visualize(import_str: str, fmt: str) -> None:
    """Draw a dataflow as a Mermaid flowchart and as an indented tree."""
    from learnstream.visualize import to_mermaid, to_text

    try:
        flow = load_flow(import_str)
    except FlowLookupError as err:
        raise click.ClickException(str(err)) from None
    if fmt in ("both", "mermaid"):
        click.echo(to_mermaid(flow))
    if fmt == "both":
        click.echo()
    if fmt in ("both", "text"):
        click.echo(to_text(flow))
