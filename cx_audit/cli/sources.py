"""Bringing real processes in: import, discover, conform."""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from cx_audit.cli.common import (
    TEXT_FORMAT,
    ConfigOption,
    ExtendSelectOption,
    FailOn,
    IgnoreOption,
    OutputFormat,
    OutputOption,
    SelectOption,
    SeverityOption,
    app,
    bad_input,
    emit,
    fail,
    journey_inputs,
    load_settings,
    say,
    show_problems,
)
from cx_audit.cli.console import ColorChoice, terminal_width, use_color
from cx_audit.text.safe import printable_path


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
    output: Annotated[str | None, typer.Option(
        "--output", "-o", metavar="<file>", help="Write the journey here (default: stdout).")
    ] = None,
    force: Annotated[bool, typer.Option(help="Replace --output if it exists.")] = False,
    process: Annotated[str | None, typer.Option(
        help="BPMN: import only this process (id or name); default: all, merged.")] = None,
    abandon_word: Annotated[list[str] | None, typer.Option(
        help="BPMN: an end event whose name has this word is an abandon (repeatable; "
        "replaces the default words).")] = None,
    no_abandon_words: Annotated[bool, typer.Option(
        help="BPMN: every end event is a resolution.")] = False,
    error_share: Annotated[float | None, typer.Option(
        min=0.0, metavar="<share>",
        help="Connect: the share of a step's contacts each error branch gets (default "
        "0.02, a judgement; see docs/importers.md).")] = None,
) -> None:
    """Turn a BPMN model, an Amazon Connect flow or a Mermaid journey into a journey file."""
    from cx_audit.importers import import_file, journey_text

    options: dict[str, Any] = {}
    if source_format is ImportFormat.BPMN:
        options["process"] = process
        if no_abandon_words:
            options["abandon_words"] = ()
        elif abandon_word:
            options["abandon_words"] = tuple(abandon_word)
    elif process or abandon_word or no_abandon_words:
        raise fail("--process and the abandon-word options are for BPMN only")
    if source_format is ImportFormat.CONNECT:
        if error_share is not None and error_share >= 1:
            raise fail(f"--error-share must be below 1 (a share of the contacts), not "
                       f"{error_share:g}")
        if error_share is not None:
            options["error_share"] = error_share
    elif error_share is not None:
        raise fail("--error-share is for Amazon Connect flows only")
    result = import_file(source_format.value, file, **options)
    show_problems(result.problems)
    if result.problems or result.document is None:
        raise fail("nothing was written: fix the problems above first")
    for note in result.notes:
        say(f"note: {note}")
    text = journey_text(result)
    if output is not None and not force and os.path.lexists(output):
        raise fail(f"{printable_path(output)} already exists; it was left as it is (use "
                   "--force to replace it)")
    emit(text, output, {"the file being imported": [file]}, replace=force)
    _wrote(output)


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
LifecycleColumnOption = Annotated[str | None, typer.Option(
    "--lifecycle-column", help="Column (XES: key) of the lifecycle transition (default: "
    "guessed; XES: lifecycle:transition).")]


class Lifecycle(StrEnum):
    """How ``discover`` and ``conform`` read lifecycle transitions."""

    COMPLETE = "complete"
    ALL = "all"


LifecycleOption = Annotated[Lifecycle, typer.Option(
    help="complete: only completions are steps, a start event splits the wait from the "
    "step's own time; all: every event is a step, whatever its transition.")]
TimestampFormatOption = Annotated[str | None, typer.Option(
    "--timestamp-format", metavar="<strftime>",
    help="The timestamps' format, e.g. '%d/%m/%Y %H:%M' (default: ISO 8601, Y/M/D, "
    "epoch seconds, or day-first/month-first when the log settles which).")]
DelimiterOption = Annotated[str | None, typer.Option(
    metavar="<char>", help="CSV field separator: ',', ';', 'tab', '|' … (default: "
    "detected from the first lines).")]


def _log_format(lifecycle: Lifecycle, timestamp_format: str | None, delimiter: str | None
                ) -> Any:
    """The reading options of ``discover`` and ``conform``; a bad one ends the command."""
    from cx_audit.eventlog import LogFormat

    if delimiter is not None and delimiter.lower() in ("tab", "\\t"):
        delimiter = "\t"
    if delimiter is not None and (len(delimiter) != 1 or delimiter in "\"\r\n"):
        raise fail(f"--delimiter must be one character (or 'tab'), not {delimiter!r}")
    if timestamp_format is not None and "%" not in timestamp_format:
        raise fail(f"--timestamp-format takes strftime codes such as '%d.%m.%Y %H:%M', "
                   f"not {timestamp_format!r}")
    return LogFormat(delimiter=delimiter, timestamp_format=timestamp_format,
                     lifecycle=lifecycle.value)


@app.command()
def discover(
    log: Annotated[Path, typer.Argument(help="The event log (CSV or XES, maybe gzipped).",
                                        dir_okay=False)],
    case: CaseOption = None,
    activity: ActivityOption = None,
    timestamp: TimestampOption = None,
    resource: ResourceOption = None,
    lifecycle_column: LifecycleColumnOption = None,
    lifecycle: LifecycleOption = Lifecycle.COMPLETE,
    timestamp_format: TimestampFormatOption = None,
    delimiter: DelimiterOption = None,
    mapping: MapOption = None,
    output: Annotated[str | None, typer.Option(
        "--output", "-o", metavar="<file>", help="Write the journey here (default: stdout); "
        "never over an existing file.")] = None,
    max_bad_rows: BadRowsOption = 0,
    journey_id: Annotated[str | None, typer.Option("--id", help="The journey id.")] = None,
) -> None:
    """Build a journey from an event log: what customers actually went through."""
    from cx_audit.core.errors import EventLogError, MappingError
    from cx_audit.eventlog import LogColumns, load_mapping
    from cx_audit.eventlog.discover import discover as build
    from cx_audit.io.writer import dump_journey, journey_id_problem

    if journey_id is not None and (problem := journey_id_problem(journey_id)) is not None:
        raise fail(f"--id: {problem}")
    log_format = _log_format(lifecycle, timestamp_format, delimiter)
    try:
        rules = load_mapping(mapping) if mapping else None
        document, notes = build(log, LogColumns(case, activity, timestamp, resource,
                                                lifecycle_column), rules,
                                max_bad_rows=max_bad_rows, journey_id=journey_id,
                                log_format=log_format)
    except (EventLogError, MappingError) as exc:
        raise bad_input(exc.problems) from None
    text = dump_journey(document, notes)
    emit(text, output, {"the event log this command reads": [log],
                        "the mapping this command reads": [mapping] if mapping else []},
         replace=False)
    _wrote(output)


def _wrote(output: str | None) -> None:
    """After a journey was written to ``output``: say where, and how to audit it."""
    if output is not None:
        shown = printable_path(output)
        say(f"Wrote {shown}. Audit it with: cx-audit audit {shown}")


@app.command()
def conform(
    journey: Annotated[Path, typer.Argument(help="The journey map (YAML).", dir_okay=False)],
    log: Annotated[Path, typer.Argument(help="The event log (CSV or XES, maybe gzipped).",
                                        dir_okay=False)],
    mapping: MapOption = None,
    case: CaseOption = None,
    activity: ActivityOption = None,
    timestamp: TimestampOption = None,
    resource: ResourceOption = None,
    lifecycle_column: LifecycleColumnOption = None,
    lifecycle: LifecycleOption = Lifecycle.COMPLETE,
    timestamp_format: TimestampFormatOption = None,
    delimiter: DelimiterOption = None,
    max_bad_rows: BadRowsOption = 0,
    design_rules: Annotated[bool, typer.Option(
        help="Also run the design rules (CX1-CX5) on the map.")] = False,
    output_format: Annotated[OutputFormat, typer.Option(
        "--format", "-f", help="Output format.")] = TEXT_FORMAT,
    output: OutputOption = None,
    config: ConfigOption = None,
    fail_on: Annotated[FailOn | None, typer.Option(
        help="Exit 1 when a finding is at least this severe.")] = None,
    exit_zero: Annotated[bool, typer.Option("--exit-zero", help="Exit 0 even with findings.")
                         ] = False,
    color: Annotated[ColorChoice, typer.Option(help="Colour the text output.")] = ColorChoice.AUTO,
    select: SelectOption = None,
    ignore: IgnoreOption = None,
    extend_select: ExtendSelectOption = None,
    severity: SeverityOption = None,
) -> None:
    """Set a journey map beside an event log: what reality does that the map does not say."""
    from cx_audit.audit.conformance import conform as compare_with_log
    from cx_audit.core.findings import Severity
    from cx_audit.eventlog import LogColumns
    from cx_audit.renderers import render_audits

    log_format = _log_format(lifecycle, timestamp_format, delimiter)
    settings = load_settings(config, select, ignore, extend_select, severity)
    result = compare_with_log(journey, log, mapping,
                              columns=LogColumns(case, activity, timestamp, resource,
                                                 lifecycle_column),
                              config=settings, max_bad_rows=max_bad_rows,
                              design_rules=design_rules, log_format=log_format)
    for note in result.notes:
        say(f"note: {note}")
    run = result.run
    options = {}
    if output_format is TEXT_FORMAT:
        options = {"color": output is None and use_color(color, sys.stdout),
                   "width": terminal_width()}
    else:
        show_problems(run.problems)
    emit(render_audits(output_format.value, run, **options), output,
         journey_inputs([journey], settings, event_log=log, mapping=mapping))
    raise typer.Exit(run.exit_code(Severity(fail_on.value) if fail_on else None, exit_zero))
