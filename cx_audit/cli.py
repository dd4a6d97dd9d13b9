"""The command-line interface: parse arguments, call the library, write, exit.

Exit codes follow ruff: 0 when all is well, 1 when findings reach the
failure threshold, 2 for bad input, bad configuration, bad usage or an
internal error. Only this module writes to the terminal or to files.
"""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from cx_audit import __version__
from cx_audit.collection import load_paths
from cx_audit.console import ColorChoice, progress_bar, terminal_width, use_color
from cx_audit.files import OutputRefused, write_atomic, write_new
from cx_audit.schema import schema_json
from cx_audit.starter import starter_journey, starter_target

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2

app = typer.Typer(
    name="cx-audit",
    help="Audit customer journeys: count the shield layers between customers and a "
    "resolution, compute what customers really go through, and flag combustion points.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

Paths = Annotated[
    list[Path],
    typer.Argument(help="Journey files, or folders to search for *.yaml and *.yml files."),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cx-audit {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True,
                           help="Show the version and exit.")
    ] = False,
) -> None:
    """Audit customer journeys written in YAML."""


def _fail(message: str) -> typer.Exit:
    typer.echo(f"cx-audit: {message}", err=True)
    return typer.Exit(EXIT_ERROR)


@app.command()
def validate(paths: Paths) -> None:
    """Check journey files against the format; exit 0 when all are valid, 2 otherwise."""
    loaded = load_paths(paths)
    for missing in loaded.missing:
        typer.echo(f"{missing}: no such file or folder", err=True)
    for problem in sorted(loaded.problems):
        typer.echo(str(problem))
    count = len(loaded.files)
    if not loaded.files and not loaded.missing:
        raise _fail("no journey files (*.yaml, *.yml) found")
    if loaded.problems:
        n = len(loaded.problems)
        typer.echo(f"Found {n} problem{'s' * (n != 1)} in {loaded.files_with_problems} of "
                   f"{count} file{'s' * (count != 1)}.")
    elif not loaded.missing:
        typer.echo(f"{count} file{'s' * (count != 1)} checked: all valid.")
    if loaded.problems or loaded.missing:
        raise typer.Exit(EXIT_ERROR)


@app.command()
def schema() -> None:
    """Print the JSON Schema (draft-07) of the journey format, for editors."""
    sys.stdout.write(schema_json())


@app.command()
def init(
    name: Annotated[str, typer.Argument(help="A journey id (written to ID.yaml) or a file path "
                                        "ending in .yaml.")],
) -> None:
    """Write a commented starter journey; an existing file is never overwritten."""
    journey_id, target = starter_target(name)
    try:
        write_new(target, starter_journey(journey_id, target.name))
    except OutputRefused as exc:
        raise _fail(str(exc)) from None
    except OSError as exc:
        raise _fail(f"cannot write {target}: {exc.strerror or exc}") from None
    typer.echo(f"Wrote {target}. Check it with: cx-audit validate {target}")


class OutputFormat(StrEnum):
    """The formats of ``audit --format`` (the keys of the renderer registry)."""

    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    GITHUB = "github"
    JUNIT = "junit"
    GITLAB = "gitlab"
    MARKDOWN = "markdown"


class ViewFormat(StrEnum):
    """The formats of the ``paths`` and ``diff`` views."""

    TEXT = "text"
    JSON = "json"


class FailOn(StrEnum):
    """The lowest severity that fails the audit."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


def _load_config(path: Path | None):  # type: ignore[no-untyped-def]
    from cx_audit.config import ConfigError, load_config

    try:
        return load_config(path)
    except ConfigError as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        raise typer.Exit(EXIT_ERROR) from None


def _emit(text: str, output: Path | None, inputs: list[Path]) -> None:
    """Write ``text`` to ``output`` atomically (never over an input), or to stdout."""
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        write_atomic(output, text, protected=inputs)
    except OutputRefused as exc:
        raise _fail(str(exc)) from None
    except OSError as exc:
        raise _fail(f"cannot write {output}: {exc.strerror or exc}") from None


ConfigOption = Annotated[Path | None, typer.Option(
    "--config", help="Configuration file (default: the nearest .cx-audit.toml, or "
    "pyproject.toml with [tool.cx-audit]).", dir_okay=False)]
OutputOption = Annotated[Path | None, typer.Option(
    "--output", "-o", help="Write to this file (replaced atomically) instead of stdout.",
    dir_okay=False)]


@app.command()
def audit(
    paths: Paths,
    output_format: Annotated[OutputFormat, typer.Option(
        "--format", "-f", help="Output format.")] = OutputFormat.TEXT,
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
    write_baseline: Annotated[Path | None, typer.Option(
        help="Record today's findings in this baseline file (then exit 0).",
        dir_okay=False)] = None,
    jobs: Annotated[int, typer.Option(
        "--jobs", "-j", min=0, help="Worker processes for many files (0: one per core).")] = 0,
) -> None:
    """Audit journeys: metrics and findings. Exit 0 clean, 1 findings, 2 bad input."""
    from cx_audit.findings import Severity
    from cx_audit.renderers import render
    from cx_audit.run import run_audit

    settings = _load_config(config)
    colored = output is None and use_color(color, sys.stdout)
    run = run_audit(paths, settings, progress=progress_bar(), jobs=jobs)
    if not run.files and not run.missing:
        raise _fail("no journey files (*.yaml, *.yml) found")
    if write_baseline is not None:
        _write_baseline(run, write_baseline)
        return
    if baseline is not None:
        _apply_baseline(run, baseline)
    options = {"color": colored, "width": terminal_width()} if output_format is OutputFormat.TEXT else {}
    if output_format is not OutputFormat.TEXT:
        for problem in sorted(run.problems):
            typer.echo(str(problem), err=True)
        for missing in run.missing:
            typer.echo(f"{missing}: no such file or folder", err=True)
    _emit(render(output_format.value, run, **options), output, run.files)
    raise typer.Exit(run.exit_code(Severity(fail_on.value) if fail_on else None, exit_zero))


def _write_baseline(run, target: Path) -> None:  # type: ignore[no-untyped-def]
    from cx_audit.baseline import render_baseline

    for problem in sorted(run.problems):
        typer.echo(str(problem), err=True)
    if run.input_errors:
        raise _fail("the baseline was not written: fix the input problems first")
    _emit(render_baseline(run.findings), target, run.files)
    count = len(run.findings)
    typer.echo(f"Recorded {count} finding{'s' * (count != 1)} in {target}.", err=True)


def _apply_baseline(run, path: Path) -> None:  # type: ignore[no-untyped-def]
    from cx_audit.baseline import BaselineError, read_baseline

    try:
        known = read_baseline(path)
    except BaselineError as exc:
        raise _fail(str(exc.problem)) from None
    run.apply_baseline(known)


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
    from cx_audit.loader import JourneyError, load_journey
    from cx_audit.renderers.routes import render_routes

    try:
        journey = load_journey(file)
    except JourneyError as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        raise typer.Exit(EXIT_ERROR) from None
    routes = most_likely_routes(journey, top)
    if output_format is ViewFormat.JSON:
        sys.stdout.write(json.dumps({"journey": journey.id, "routes": [r.to_dict() for r in routes]},
                                    indent=2) + "\n")
    else:
        sys.stdout.write(render_routes(journey, routes))


@app.command()
def rules() -> None:
    """List the rule catalogue: codes, names, default severities and options."""
    from cx_audit.renderers.rule_docs import render_rule_list

    sys.stdout.write(render_rule_list())


@app.command()
def explain(
    rule: Annotated[str, typer.Argument(help="A rule code (CX301) or name (cold-handoff).")],
) -> None:
    """Print one rule's documentation."""
    from cx_audit.renderers.rule_docs import render_rule_doc
    from cx_audit.rules import get

    try:
        found = get(rule)
    except KeyError:
        raise _fail(f"no rule '{rule}': `cx-audit rules` lists them") from None
    sys.stdout.write(render_rule_doc(found))


@app.command()
def diff(
    paths: Annotated[list[Path], typer.Argument(
        help="OLD NEW (files or folders), or with --base the files to compare.")],
    base: Annotated[str | None, typer.Option(
        help="Compare the files with their version at this git revision.")] = None,
    output_format: Annotated[ViewFormat, typer.Option(
        "--format", "-f", help="Output format.")] = ViewFormat.TEXT,
    tolerance: Annotated[float, typer.Option(
        min=0.0, max=1.0, help="Largest fall in the chance of resolution that is not a "
        "regression.")] = 0.005,
    config: ConfigOption = None,
) -> None:
    """Compare journeys with an earlier version. Exit 1 when one got worse, 2 on bad input."""
    from cx_audit.diff import compare_paths
    from cx_audit.renderers.diff_report import render_diff_json, render_diff_text

    settings = _load_config(config)
    if base is None and len(paths) != 2:
        raise _fail("diff takes OLD and NEW, or files with --base REV")
    result, missing = compare_paths(paths, base, settings, tolerance)
    for item in missing:
        typer.echo(f"{item}: no such file or folder", err=True)
    render = render_diff_json if output_format is ViewFormat.JSON else render_diff_text
    sys.stdout.write(render(result))
    if result.problems or missing:
        raise typer.Exit(EXIT_ERROR)
    raise typer.Exit(EXIT_FINDINGS if result.worse else EXIT_OK)


@app.command()
def report(
    paths: Paths,
    output: Annotated[Path, typer.Option(
        "--output", "-o", help="The Markdown file to write (replaced atomically).",
        dir_okay=False)],
    title: Annotated[str | None, typer.Option(help="The report's heading.")] = None,
    config: ConfigOption = None,
) -> None:
    """Write a Markdown report for a client: summary, diagrams, findings per team, fixes."""
    from cx_audit.renderers.markdown import render_markdown
    from cx_audit.run import run_audit

    run = run_audit(paths, _load_config(config), progress=progress_bar())
    for problem in sorted(run.problems):
        typer.echo(str(problem), err=True)
    for missing in run.missing:
        typer.echo(f"{missing}: no such file or folder", err=True)
    if not run.files and not run.missing:
        raise _fail("no journey files (*.yaml, *.yml) found")
    if run.input_errors:
        raise _fail("the report was not written: fix the input problems first")
    _emit(render_markdown(run, title=title), output, run.files)
    typer.echo(f"Wrote {output} ({len(run.audits)} journeys, {len(run.findings)} findings).",
               err=True)


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
) -> None:
    """Draw a journey as a Mermaid or Graphviz diagram, combustion points highlighted."""
    from cx_audit.engine import audit_journey
    from cx_audit.loader import JourneyError, load_journey
    from cx_audit.renderers.diagram import render_dot, render_mermaid

    settings = _load_config(config)
    try:
        journey = load_journey(file)
    except JourneyError as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        raise typer.Exit(EXIT_ERROR) from None
    findings = audit_journey(journey, settings).findings
    render = render_dot if output_format is DiagramFormat.DOT else render_mermaid
    _emit(render(journey, findings), output, [file])


class ImportFormat(StrEnum):
    """The formats ``import`` reads."""

    BPMN = "bpmn"
    CONNECT = "connect"
    MERMAID = "mermaid"


@app.command("import")
def import_(
    source_format: Annotated[ImportFormat, typer.Argument(
        help="bpmn (BPMN 2.0 XML), connect (Amazon Connect flow JSON) or mermaid (a journey "
        "diagram).")],
    file: Annotated[Path, typer.Argument(help="The file to import.", dir_okay=False)],
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write the journey here (default: stdout).", dir_okay=False)] = None,
    force: Annotated[bool, typer.Option(help="Replace --output if it exists.")] = False,
    process: Annotated[str | None, typer.Option(
        help="BPMN: import only this process (id or name); default: all, merged.")] = None,
    abandon_word: Annotated[list[str] | None, typer.Option(
        help="BPMN: an end event whose name has this word is an abandon (repeatable; "
        "replaces the default words).")] = None,
    no_abandon_words: Annotated[bool, typer.Option(
        help="BPMN: every end event is a resolution.")] = False,
) -> None:
    """Turn a BPMN model, an Amazon Connect flow or a Mermaid journey into a journey file."""
    from cx_audit.importers import import_file, journey_text

    options: dict[str, object] = {}
    if source_format is ImportFormat.BPMN:
        options["process"] = process
        if no_abandon_words:
            options["abandon_words"] = ()
        elif abandon_word:
            options["abandon_words"] = tuple(abandon_word)
    elif process or abandon_word or no_abandon_words:
        raise _fail("--process and the abandon-word options are for BPMN only")
    result = import_file(source_format.value, file, **options)
    for problem in sorted(result.problems):
        typer.echo(str(problem), err=True)
    if result.problems or result.document is None:
        raise _fail("nothing was written: fix the problems above first")
    for note in result.notes:
        typer.echo(f"note: {note}", err=True)
    text = journey_text(result)
    if output is None:
        sys.stdout.write(text)
        return
    try:
        if force:
            write_atomic(output, text, protected=[file])
        else:
            write_new(output, text)
    except OutputRefused as exc:
        raise _fail(f"{exc} (use --force to replace it)") from None
    except OSError as exc:
        raise _fail(f"cannot write {output}: {exc.strerror or exc}") from None
    typer.echo(f"Wrote {output}. Audit it with: cx-audit audit {output}", err=True)


CaseOption = Annotated[str | None, typer.Option(help="Column of the case id (default: guessed).")]
ActivityOption = Annotated[str | None, typer.Option(help="Column of the activity (default: "
                                                         "guessed).")]
TimestampOption = Annotated[str | None, typer.Option(help="Column of the timestamp (default: "
                                                           "guessed).")]
ResourceOption = Annotated[str | None, typer.Option(help="Column of the resource (person or "
                                                         "team), for owners.")]
MapOption = Annotated[Path | None, typer.Option(
    "--map", help="Mapping file: entries, resolutions, abandons, shields, owners, handoffs.",
    dir_okay=False)]
BadRowsOption = Annotated[int, typer.Option(
    min=0, help="Skip up to this many unreadable rows instead of stopping.")]


@app.command()
def discover(
    log: Annotated[Path, typer.Argument(help="The event log (CSV).", dir_okay=False)],
    case: CaseOption = None,
    activity: ActivityOption = None,
    timestamp: TimestampOption = None,
    resource: ResourceOption = None,
    mapping: MapOption = None,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write the journey here (default: stdout); never over an "
        "existing file.", dir_okay=False)] = None,
    max_bad_rows: BadRowsOption = 0,
    journey_id: Annotated[str | None, typer.Option("--id", help="The journey id.")] = None,
) -> None:
    """Build a journey from an event log: what customers actually went through."""
    from cx_audit.eventlog import EventLogError, LogColumns, MappingError, discover as build
    from cx_audit.eventlog import load_mapping
    from cx_audit.writer import dump_journey

    try:
        rules = load_mapping(mapping) if mapping else None
        document, notes = build(log, LogColumns(case, activity, timestamp, resource), rules,
                                max_bad_rows=max_bad_rows, journey_id=journey_id)
    except (EventLogError, MappingError) as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        raise typer.Exit(EXIT_ERROR) from None
    text = dump_journey(document, notes)
    if output is None:
        sys.stdout.write(text)
        return
    try:
        write_new(output, text)
    except OutputRefused as exc:
        raise _fail(str(exc)) from None
    except OSError as exc:
        raise _fail(f"cannot write {output}: {exc.strerror or exc}") from None
    typer.echo(f"Wrote {output}. Audit it with: cx-audit audit {output}", err=True)


@app.command()
def conform(
    journey: Annotated[Path, typer.Argument(help="The journey map (YAML).", dir_okay=False)],
    log: Annotated[Path, typer.Argument(help="The event log (CSV).", dir_okay=False)],
    mapping: MapOption = None,
    case: CaseOption = None,
    activity: ActivityOption = None,
    timestamp: TimestampOption = None,
    resource: ResourceOption = None,
    max_bad_rows: BadRowsOption = 0,
    design_rules: Annotated[bool, typer.Option(
        help="Also run the design rules (CX1-CX5) on the map.")] = False,
    output_format: Annotated[OutputFormat, typer.Option(
        "--format", "-f", help="Output format.")] = OutputFormat.TEXT,
    output: OutputOption = None,
    config: ConfigOption = None,
    fail_on: Annotated[FailOn | None, typer.Option(
        help="Exit 1 when a finding is at least this severe.")] = None,
    exit_zero: Annotated[bool, typer.Option("--exit-zero", help="Exit 0 even with findings.")
                         ] = False,
    color: Annotated[ColorChoice, typer.Option(help="Colour the text output.")] = ColorChoice.AUTO,
) -> None:
    """Set a journey map beside an event log: what reality does that the map does not say."""
    from cx_audit.eventlog import LogColumns
    from cx_audit.eventlog.conform import conform as compare_with_log
    from cx_audit.findings import Severity
    from cx_audit.renderers import render

    settings = _load_config(config)
    result = compare_with_log(journey, log, mapping, columns=LogColumns(case, activity, timestamp,
                                                                        resource),
                              config=settings, max_bad_rows=max_bad_rows,
                              design_rules=design_rules)
    for note in result.notes:
        typer.echo(f"note: {note}", err=True)
    run = result.run
    options = {}
    if output_format is OutputFormat.TEXT:
        options = {"color": output is None and use_color(color, sys.stdout),
                   "width": terminal_width()}
    else:
        for problem in sorted(run.problems):
            typer.echo(str(problem), err=True)
    _emit(render(output_format.value, run, **options), output, [journey, log])
    raise typer.Exit(run.exit_code(Severity(fail_on.value) if fail_on else None, exit_zero))


def main() -> None:
    """Console-script entry point: run the app, turning crashes into exit 2."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:  # a bug: say so briefly, never dump a traceback on users
        if os.environ.get("CX_AUDIT_DEBUG"):
            raise
        typer.echo(f"cx-audit: internal error: {type(exc).__name__}: {exc} "
                   "(set CX_AUDIT_DEBUG=1 for details)", err=True)
        sys.exit(EXIT_ERROR)
