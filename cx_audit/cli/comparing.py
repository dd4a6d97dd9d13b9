"""Comparing journeys with an earlier version: diff (for CI) and compare (before and after)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cx_audit.cli.common import (
    EXIT_ERROR,
    EXIT_FINDINGS,
    EXIT_OK,
    ConfigOption,
    ExtendSelectOption,
    IgnoreOption,
    SelectOption,
    SeverityOption,
    ViewFormat,
    app,
    emit,
    fail,
    load_settings,
    say_missing,
)
from cx_audit.cli.console import terminal_width


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
    select: SelectOption = None,
    ignore: IgnoreOption = None,
    extend_select: ExtendSelectOption = None,
    severity: SeverityOption = None,
) -> None:
    """Compare journeys with an earlier version. Exit 1 when one got worse, 2 on bad input."""
    from cx_audit.audit.diff import compare_paths
    from cx_audit.renderers.diff_report import render_diff_json, render_diff_text

    settings = load_settings(config, select, ignore, extend_select, severity)
    if base is None and len(paths) != 2:
        raise fail("diff takes OLD and NEW, or files with --base REV")
    result, missing = compare_paths(paths, base, settings, tolerance)
    say_missing(missing)
    render = render_diff_json if output_format is ViewFormat.JSON else render_diff_text
    emit(render(result), None)
    if result.problems or missing:
        raise typer.Exit(EXIT_ERROR)
    raise typer.Exit(EXIT_FINDINGS if result.worse else EXIT_OK)


@app.command()
def compare(
    paths: Annotated[list[Path], typer.Argument(
        help="AS-IS TO-BE (two files, or two folders matched by file name), or with --base "
        "the files to compare with their earlier version.")],
    base: Annotated[str | None, typer.Option(
        help="Compare the files with their version at this git revision.")] = None,
    output_format: Annotated[ViewFormat, typer.Option(
        "--format", "-f", help="Output format.")] = ViewFormat.TEXT,
    config: ConfigOption = None,
    select: SelectOption = None,
    ignore: IgnoreOption = None,
    extend_select: ExtendSelectOption = None,
    severity: SeverityOption = None,
) -> None:
    """Before and after: each as-is journey beside its to-be version. Exit 2 on bad input."""
    from cx_audit.audit.compare import load_sides
    from cx_audit.renderers.compare_report import render_compare_json, render_compare_text

    settings = load_settings(config, select, ignore, extend_select, severity)
    if base is None and len(paths) != 2:
        raise fail("compare takes AS-IS and TO-BE, or files with --base REV")
    sides = load_sides(paths, base, settings)
    say_missing(sides.missing)
    if output_format is ViewFormat.JSON:
        emit(render_compare_json(sides), None)
    else:
        emit(render_compare_text(sides, width=terminal_width()), None)
    raise typer.Exit(EXIT_ERROR if sides.problems or sides.missing else EXIT_OK)
