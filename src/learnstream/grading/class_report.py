"""The class report: one HTML page saying what a class got right and what to re-teach.

`learnstream grade PART --class-dir DIR --report report.html` writes it. The
page stands alone (inline CSS and SVG, no script, no font or CDN), so it opens
from disk with no network. It is drawn from the counts of `class_summary`
(themselves made from `class_json`) and the part's manifest (exercise titles in
course order, their course pages):

- the score distribution, as a histogram, and every learner's scores (the CSV's
  numbers);
- each exercise, in course order, with a link to its course page, a small chart
  of how many learners passed, failed or have not started it and of how many
  failed each check;
- the most common failure messages, with how many learners got each and who;
- the learners who have not started.

>>> from learnstream.grading.registry import get_part
>>> from learnstream.grading.class_summary import summarize
>>> page = render_report(summarize([]), get_part("part1"))
>>> page.startswith("<!DOCTYPE html>"), "https://" in page
(True, False)
"""

from __future__ import annotations

from html import escape

from learnstream.grading.class_summary import ClassSummary, ExerciseTally
from learnstream.grading.registry import Part

#: Where `mkdocs serve` shows the course; `--course-url` points the links at another copy.
DEFAULT_COURSE_URL = "http://127.0.0.1:8000/"

_MESSAGES_SHOWN = 12
_BINS = 10

_CSS = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 60em; color: #222;
       padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: .2em; } h2 { margin-top: 1.6em; font-size: 1.25em; }
.meta { color: #666; }
table { border-collapse: collapse; margin: .6em 0; }
th, td { padding: .2em .7em; border-bottom: 1px solid #ddd; text-align: left; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.exercise { border: 1px solid #ddd; border-radius: 6px; padding: .6em 1em; margin: 1em 0; }
.exercise h3 { margin: .2em 0; font-size: 1.1em; }
.who { color: #555; font-size: .9em; }
svg text { font: 12px system-ui, sans-serif; fill: #333; }
.passed { fill: #2e7d32; } .failed { fill: #c62828; } .unstarted { fill: #bdbdbd; }
.bar { fill: #1565c0; }
"""


def course_link(base: str, page: str) -> str:
    """The address of a manifest's `page` on the course site at `base` (as mkdocs builds it).

    >>> course_link("http://127.0.0.1:8000/", "part1/exercises.md#2-map-ex2_mappy")
    'http://127.0.0.1:8000/part1/exercises/#2-map-ex2_mappy'
    >>> course_link("https://course.example/", "part1/index.md")
    'https://course.example/part1/'
    """
    path, _, anchor = page.partition("#")
    path = path.removesuffix(".md")
    path = path.removesuffix("index") if path.endswith("/index") or path == "index" else path + "/"
    return base.rstrip("/") + "/" + path + (f"#{anchor}" if anchor else "")


def _histogram(summary: ClassSummary) -> str:
    """The score distribution: learners per tenth of the maximum score."""
    top = max(summary.max_score, 1)
    counts = [0] * _BINS
    for score in summary.scores.values():
        counts[min(_BINS - 1, score * _BINS // top)] += 1
    tallest = max([*counts, 1])
    width, height, bar = 560, 170, 52
    parts = []
    for index, count in enumerate(counts):
        high = round(120 * count / tallest)
        x = 10 + index * (bar + 3)
        low_score = -(-index * top // _BINS)
        high_score = top if index == _BINS - 1 else -(-(index + 1) * top // _BINS) - 1
        label = f"{low_score}–{high_score}"
        parts.append(
            f'<rect class="bar" x="{x}" y="{140 - high}" width="{bar}" height="{high}">'
            f"<title>{count} learner(s) scored {label}</title></rect>"
            f'<text x="{x + bar / 2}" y="{134 - high}" text-anchor="middle" '
            f'data-bin="{label}">{count or ""}</text>'
            f'<text x="{x + bar / 2}" y="158" text-anchor="middle">{label}</text>'
        )
    return (
        f'<svg id="distribution" width="{width}" height="{height}" role="img" '
        f'aria-label="learners per score range">{"".join(parts)}</svg>'
    )


def _exercise_chart(ex: ExerciseTally) -> str:
    """Who passed, failed, has not started; then each check's failures among those who started."""
    total = max(len(ex.scores), 1)
    width = 420
    x = 0.0
    parts = []
    for css, names in (("passed", ex.passed), ("failed", ex.failed), ("unstarted", ex.not_started)):
        share = width * len(names) / total
        if names:
            parts.append(
                f'<rect class="{css}" x="{x:.1f}" y="0" width="{share:.1f}" height="16">'
                f"<title>{len(names)} {css}: {escape(', '.join(names))}</title></rect>"
            )
        x += share
    for row, check in enumerate(ex.checks, start=1):
        y = 8 + row * 20
        share = width * len(check.failed) / check.started if check.started else 0
        parts.append(
            f'<rect class="unstarted" x="0" y="{y}" width="{width}" height="14" opacity=".35"/>'
            f'<rect class="failed" x="0" y="{y}" width="{share:.1f}" height="14"/>'
            f'<text x="{width + 8}" y="{y + 11}">{len(check.failed)} of {check.started} · '
            f"{escape(check.title)}</text>"
        )
    height = 8 + (len(ex.checks) + 1) * 20
    return (
        f'<svg class="chart" width="{width + 420}" height="{height}" role="img" '
        f'aria-label="{escape(ex.name)}: passed, failed, not started; failures per check">'
        f"{''.join(parts)}</svg>"
    )


def _exercise(ex: ExerciseTally, part: Part, course_url: str) -> str:
    page = part.exercise(ex.name).page
    link = f' — <a href="{escape(course_link(course_url, page))}">course page</a>' if page else ""
    rows = "".join(
        f'<tr data-check="{escape(check.name)}"><td>{escape(check.title)}</td>'
        f'<td class="num">{check.points}</td>'
        f'<td class="num failed-count">{len(check.failed)}</td>'
        f'<td class="num">{check.started}</td>'
        f'<td class="who">{escape(", ".join(check.failed))}</td></tr>'
        for check in ex.checks
    )
    return (
        f'<section class="exercise" id="ex-{escape(ex.name)}" data-exercise="{escape(ex.name)}">'
        f"<h3>{escape(ex.name)}: {escape(ex.title)}{link}</h3>"
        f'<p><span class="count-passed">{len(ex.passed)}</span> passed, '
        f'<span class="count-failed">{len(ex.failed)}</span> failed, '
        f'<span class="count-unstarted">{len(ex.not_started)}</span> not started '
        f"(of {len(ex.scores)} learners)</p>"
        f"{_exercise_chart(ex)}"
        "<table><tr><th>check</th><th class=num>points</th><th class=num>failed</th>"
        f"<th class=num>started</th><th>who failed</th></tr>{rows}</table></section>"
    )


def _scores(summary: ClassSummary) -> str:
    names = [ex.name for ex in summary.exercises]
    head = "".join(f'<th class="num">{escape(name)}</th>' for name in names)
    rows = "".join(
        f'<tr data-learner="{escape(learner)}"><td>{escape(learner)}</td>'
        f'<td class="num score">{score}</td><td class="num">{summary.max_score}</td>'
        + "".join(
            f'<td class="num" data-exercise="{escape(ex.name)}">{ex.scores.get(learner, "")}</td>'
            for ex in summary.exercises
        )
        + "</tr>"
        for learner, score in summary.scores.items()
    )
    return (
        f'<table id="scores"><tr><th>learner</th><th class="num">score</th>'
        f'<th class="num">max</th>{head}</tr>{rows}</table>'
    )


def _messages(summary: ClassSummary) -> str:
    if not summary.messages:
        return "<p>No learner who started an exercise got a failure.</p>"
    rows = "".join(
        f'<tr class="message"><td class="num learners">{len(said.learners)}</td>'
        f"<td>{escape(said.exercise)}</td><td><code>{escape(said.message)}</code></td>"
        f'<td class="who">{escape(", ".join(said.learners))}</td></tr>'
        for said in summary.messages[:_MESSAGES_SHOWN]
    )
    more = len(summary.messages) - _MESSAGES_SHOWN
    tail = f"<p>… and {more} rarer messages.</p>" if more > 0 else ""
    return (
        '<table id="messages"><tr><th class="num">learners</th><th>exercise</th>'
        f"<th>message</th><th>who</th></tr>{rows}</table>{tail}"
    )


def render_report(summary: ClassSummary, part: Part, course_url: str = DEFAULT_COURSE_URL) -> str:
    """The whole page, as one string of HTML."""
    learners = len(summary.scores)
    everything = sum(score == summary.max_score for score in summary.scores.values())
    worst = summary.most_failed(3)
    worst_items = "".join(
        f"<li>{escape(check.exercise)} · {escape(check.title)}: {len(check.failed)} of "
        f"{check.started} ({check.share:.0%})</li>"
        for check in worst
    )
    not_started = (
        f'<p id="not-started">{escape(", ".join(summary.not_started))}</p>'
        if summary.not_started
        else '<p id="not-started">Everyone has started.</p>'
    )
    title = f"{part.label} — class report"
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{_CSS}</style></head><body>"
        f"<h1>{escape(title)}</h1>"
        f'<p class="meta">{learners} learners, graded with seed {summary.seed}; '
        f"{everything} scored {summary.max_score}/{summary.max_score}. "
        f"Replay anyone's run: <code>learnstream grade {escape(part.name)} "
        f"--path LEARNER --seed {summary.seed}</code></p>"
        + (f"<h2>Most failed checks</h2><ol id='most-failed'>{worst_items}</ol>" if worst else "")
        + "<h2>Score distribution</h2>"
        + _histogram(summary)
        + _scores(summary)
        + "<h2>Exercises, in course order</h2>"
        + "<p>Failures are counted among the learners who started the exercise.</p>"
        + "".join(_exercise(ex, part, course_url) for ex in summary.exercises)
        + "<h2>Most common failure messages</h2>"
        + _messages(summary)
        + "<h2>Not started</h2>"
        + not_started
        + "</body></html>\n"
    )
