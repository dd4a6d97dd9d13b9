"""Commands that audit journeys: audit, report, graph, paths."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cx_audit.cli.common import (
    TEXT_FORMAT,
    ConfigOption,
    ExtendSelectOption,
    FailOn,
    IgnoreOption,
    OutputFormat,
    OutputOption,
    Paths,
    SelectOption,
    SeverityOption,
    ViewFormat,
    app,
    bad_input,
    check_target,
    emit,
    fail,
    journey_inputs,
    load_one,
    load_settings,
    say,
    say_missing,
    show_problems,
)
from cx_audit.cli.console import ColorChoice, progress_bar, terminal_width, use_color
from cx_audit.text.safe import printable_path

if TYPE_CHECKING:
    from collections import Counter

    from cx_audit.audit.config import Config
    from cx_audit.audit.engine import JourneyAudit
    from cx_audit.audit.run import AuditRun
    from cx_audit.io.files import Inputs


@app.command()
def audit(
    paths: Paths,
    output_format: Annotated[OutputFormat, typer.Option(
        "--format", "-f", help="Output format.")] = TEXT_FORMAT,
    output: OutputOption = None,
    config: ConfigOption = None,
    fail_on: Annotated[FailOn | None, typer.Option(
        help="Exit 1 when a finding is at least this severe (default: from the "
        "configuration, else error).")] = None,
    exit_zero: Annotated[bool, typer.Option(
        "--exit-zero", help="Exit 0 even when findings reach --fail-on.")] = False,
    color: Annotated[ColorChoice, typer.Option(help="Colour the text output.")] = ColorChoice.AUTO,
    baseline: Annotated[Path | None, typer.Option(
        help="Report only findings not recorded in this baseline file.", dir_okay=False)] = None,
    write_baseline: Annotated[str | None, typer.Option(
        metavar="<file>", help="Record today's findings in this baseline file (then exit 0).")
    ] = None,
    jobs: Annotated[int, typer.Option(
        "--jobs", "-j", min=0, help="Worker processes for many files (0: one per core). "
        "Used with --format json, which is written journey by journey; the other formats "
        "audit in one process.")] = 0,
    select: SelectOption = None,
    ignore: IgnoreOption = None,
    extend_select: ExtendSelectOption = None,
    severity: SeverityOption = None,
) -> None:
    """Audit journeys: metrics and findings. Exit 0 clean, 1 findings, 2 bad input."""
    from cx_audit.audit.collector import frozen_results
    from cx_audit.audit.run import run_audit
    from cx_audit.core.findings import Severity
    from cx_audit.renderers import RENDERERS, keep_for, render

    settings = load_settings(config, select, ignore, extend_select, severity)
    check_target(output, journey_inputs(paths, settings, baseline=baseline))
    check_target(write_baseline, journey_inputs(paths, settings, baseline=baseline))
    colored = output is None and use_color(color, sys.stdout)
    known = _read_baseline(baseline) if baseline is not None else None
    if write_baseline is not None:
        whole = run_audit(paths, settings, progress=progress_bar(), jobs=jobs, baseline=known)
        if not whole.files and not whole.missing:
            raise fail("no journey files (*.yaml, *.yml) found")
        _write_baseline(whole, write_baseline, journey_inputs(whole.files, settings,
                                                              baseline=baseline))
        return
    # each journey is turned into what the format keeps of it right after its audit; workers
    # only for formats that keep text (sending whole audits back costs more than it saves)
    keep = keep_for(output_format.value)
    workers = jobs if RENDERERS[output_format.value].workers else 1
    run = run_audit(paths, settings, keep, progress=progress_bar(), jobs=workers, baseline=known)
    if not run.files and not run.missing:
        raise fail("no journey files (*.yaml, *.yml) found")
    options = {"color": colored, "width": terminal_width()} if output_format is TEXT_FORMAT else {}
    if output_format is not TEXT_FORMAT:
        show_problems(run.problems)
        say_missing(run.missing)
    with frozen_results():  # the run outlives the rendering: the collector need not scan it
        text = render(output_format.value, run, **options)
    emit(text, output, journey_inputs(run.files, settings, baseline=baseline))
    raise typer.Exit(run.exit_code(Severity(fail_on.value) if fail_on else None, exit_zero))


def _write_baseline(run: AuditRun[JourneyAudit], target: str, inputs: Inputs) -> None:
    """``--write-baseline``: record the run's findings (refused when inputs are invalid)."""
    from cx_audit.audit.baseline import render_baseline

    show_problems(run.problems)
    if run.input_errors:
        raise fail("the baseline was not written: fix the input problems first")
    emit(render_baseline(run.findings), target, inputs)
    count = len(run.findings)
    say(f"Recorded {count} finding{'s' * (count != 1)} in {printable_path(target)}.")


def _read_baseline(path: Path) -> Counter[str]:
    """``--baseline``: the keys of the findings the baseline file records (exit 2 if unusable)."""
    from cx_audit.audit.baseline import read_baseline
    from cx_audit.core.errors import BaselineError

    try:
        return read_baseline(path)
    except BaselineError as exc:
        raise bad_input(exc.problems) from None


@app.command()
def paths(
    file: Annotated[Path, typer.Argument(help="A journey file.", dir_okay=False)],
    top: Annotated[int, typer.Option("--top", "-k", min=1, max=1000,
                                     help="How many routes to show.")] = 5,
    output_format: Annotated[ViewFormat, typer.Option(
        "--format", "-f", help="Output format.")] = ViewFormat.TEXT,
) -> None:
    """Show the most likely routes from an entry to a resolution, best first."""
    import json

    from cx_audit.analysis import most_likely_routes
    from cx_audit.renderers.routes import render_routes

    journey = load_one(file)
    routes = most_likely_routes(journey, top)
    if output_format is ViewFormat.JSON:
        document = {"journey": journey.id, "routes": [r.to_dict() for r in routes]}
        emit(json.dumps(document, indent=2) + "\n", None)
    else:
        emit(render_routes(journey, routes, width=terminal_width()), None)


class ReportFormat(StrEnum):
    """The formats of ``report``."""

    HTML = "html"
    MARKDOWN = "markdown"


REPORT_SUFFIXES = {".html": ReportFormat.HTML, ".htm": ReportFormat.HTML,
                   ".md": ReportFormat.MARKDOWN, ".markdown": ReportFormat.MARKDOWN}
"""The report format each output file name implies."""


@app.command()
def report(
    paths: Paths,
    output: Annotated[str, typer.Option(
        "--output", "-o", metavar="<file>", help="The file to write (replaced atomically): "
        "REPORT.html or REPORT.md.")],
    report_format: Annotated[ReportFormat | None, typer.Option(
        "--format", "-f", help="html or markdown (default: from the output's extension).")
    ] = None,
    title: Annotated[str | None, typer.Option(help="The report's heading.")] = None,
    compare: Annotated[bool, typer.Option(
        "--compare", help="Before and after: PATHS are AS-IS TO-BE (two files, or two folders "
        "matched by file name), shown side by side.")] = False,
    config: ConfigOption = None,
    select: SelectOption = None,
    ignore: IgnoreOption = None,
    extend_select: ExtendSelectOption = None,
    severity: SeverityOption = None,
) -> None:
    """Write a report for a client: summary, diagrams, points, fixes, findings per team.

    HTML is one self-contained page that opens offline and prints to PDF;
    Markdown renders on GitHub, with Mermaid diagrams. With --compare, the
    report sets each as-is journey beside its to-be version.
    """
    from cx_audit.audit.run import run_audit
    from cx_audit.renderers import keep_for, render
    from cx_audit.text.formatting import plural

    chosen = report_format or REPORT_SUFFIXES.get(Path(output).suffix.lower())
    if chosen is None:
        raise fail(f"cannot tell the report format from '{printable_path(Path(output).name)}': "
                   "name it .html or .md, or give --format html|markdown")
    settings = load_settings(config, select, ignore, extend_select, severity)
    check_target(output, journey_inputs(paths, settings))
    if compare:
        _compare_report(paths, output, chosen, title, settings)
        return
    run = run_audit(paths, settings, keep_for(chosen.value), progress=progress_bar())
    show_problems(run.problems)
    say_missing(run.missing)
    if not run.files and not run.missing:
        raise fail("no journey files (*.yaml, *.yml) found")
    if run.input_errors:
        raise fail("the report was not written: fix the input problems first")
    emit(render(chosen.value, run, title=title), output, journey_inputs(run.files, settings))
    say(f"Wrote {printable_path(output)} ({plural(len(run.results), 'journey')}, "
        f"{plural(sum(run.counts().values()), 'finding')}).")


def _compare_report(paths: list[Path], output: str, chosen: ReportFormat, title: str | None,
                    settings: Config) -> None:
    """``report --compare``: the as-is and to-be journeys side by side."""
    from cx_audit.audit.compare import load_sides
    from cx_audit.text.formatting import plural

    if len(paths) != 2:
        raise fail("report --compare takes AS-IS and TO-BE (two files or two folders)")
    sides = load_sides(paths, None, settings)
    show_problems(sides.problems)
    say_missing(sides.missing)
    if sides.problems or sides.missing:
        raise fail("the report was not written: fix the input problems first")
    if chosen is ReportFormat.HTML:
        from cx_audit.renderers.html_report import render_html_comparison
        text = render_html_comparison(sides, title=title)
    else:
        from cx_audit.renderers.markdown import render_markdown_comparison
        text = render_markdown_comparison(sides, title=title)
    emit(text, output, journey_inputs(paths, settings))
    paired = sum(1 for pair in sides.pairs if pair.old is not None and pair.new is not None)
    say(f"Wrote {printable_path(output)} ({plural(paired, 'journey')} compared).")


class DiagramFormat(StrEnum):
    """The formats of ``graph``."""

    MERMAID = "mermaid"
    DOT = "dot"


@app.command()
def graph(
    file: Annotated[Path, typer.Argument(help="A journey file.", dir_okay=False)],
    output_format: Annotated[DiagramFormat, typer.Option(
        "--format", "-f", help="Diagram language.")] = DiagramFormat.MERMAID,
    output: OutputOption = None,
    config: ConfigOption = None,
    select: SelectOption = None,
    ignore: IgnoreOption = None,
    extend_select: ExtendSelectOption = None,
    severity: SeverityOption = None,
) -> None:
    """Draw a journey as a Mermaid or Graphviz diagram, its top five combustion points numbered."""
    from cx_audit.audit.engine import audit_journey, unsolvable
    from cx_audit.audit.points import combustion_points
    from cx_audit.core.errors import LoopTooEntangled
    from cx_audit.renderers.diagram import render_dot, render_mermaid

    settings = load_settings(config, select, ignore, extend_select, severity)
    journey = load_one(file)
    try:
        points = combustion_points(audit_journey(journey, settings))
    except LoopTooEntangled as exc:
        raise bad_input([unsolvable(journey, exc)]) from None
    render = render_dot if output_format is DiagramFormat.DOT else render_mermaid
    emit(render(journey, points), output, journey_inputs([file], settings))
